"""The descent loop the Newton-type solvers share: direction, line search, history, stopping.

A solver supplies only its direction (a Newton step from the Hessian or from
conjugate gradients, a proximal Newton step from coordinate descent); this
loop takes the step with :func:`~logreg.solvers.base.backtrack` on the whole
objective ``J = F + alpha_l1 ||w||_1``, keeps the history, and decides when
to stop:

* converged: the optimality residual (max-norm of the minimum-norm
  subgradient of J) is at most ``tol``;
* ``max_iter`` iterations;
* stalled: no step along a descent direction lowers J by more than its
  rounding, or J stays flat within its rounding for three iterations while
  the residual does not halve.  Only then does the result say ``stalled``,
  and :func:`~logreg.solvers.handover.hand_over` may check the claim with
  another solver.
"""

from __future__ import annotations

import numpy as np

from .base import SolverResult, backtrack

__all__ = ["descend"]

#: Consecutive iterations with J flat within its rounding (and the residual not
#: halving) that mean the data's precision is reached.
FLAT_ITERATIONS = 3

#: With ``certify``, the predicted decrease of one more step, relative to J, below which a
#: residual within tol is taken as convergence.
CERTIFY = 1e-10


def descend(objective, theta0, direction, *, tol, max_iter, report=None, decrement_tol=None, certify=False):
    """Minimise ``objective`` from ``theta0`` along ``direction(theta, grad)``.

    Parameters
    ----------
    objective : logreg.objective.Objective
    theta0 : ndarray of shape (n_params,)
    direction : callable
        ``direction(theta, grad) -> ndarray of shape (n_params,)``, a step
        that the line search starts at full length.
    tol : float
    max_iter : int
    report : callable, optional
        ``report(iteration, J, residual)`` after each iteration.
    decrement_tol : float, optional
        Also stop once the step's predicted decrease of J is at most twice
        this (a Newton decrement criterion, for rough solves).
    certify : bool
        Converge only when, besides the residual at most ``tol``, the next
        step's predicted decrease of J is within :data:`CERTIFY` of J (or its
        rounding): a residual of 1e-4 can leave J a percent above its optimum
        when the penalty is weak, and a Newton step at that point costs one
        Hessian, not a pass.  For directions from a Hessian.

    Returns
    -------
    SolverResult
    """
    lam = objective.l1_weights()

    def l1(th):
        return float(lam @ np.abs(th)) if lam is not None else 0.0

    theta = objective.clip(objective.project(np.array(theta0, dtype=np.float64)))
    f, g = objective.value_and_grad(theta)
    J = f + l1(theta)
    history = [J]
    gnorm = objective.optimality(theta, g)
    rounding = objective.rounding
    certify_floor = max(CERTIFY, rounding)
    converged = gnorm <= tol and not certify
    it, flat, flat_ref, message, stalled = 0, 0, gnorm, "", False
    while not converged and it < max_iter:
        p = objective.project(direction(theta, g))
        decrease = g @ p + (l1(theta + p) - l1(theta))
        if gnorm <= tol and -decrease <= certify_floor * max(abs(J), 1e-3):
            converged = True  # certify: the residual is small and so is what one more step would gain
            break
        if not decrease < 0:
            if lam is not None:
                stalled = True
                message = f"no descent direction at |grad|_inf = {gnorm:.3g}: the model of J is at its rounding"
                break
            p = objective.descent_fallback(theta, g)  # numerical trouble in the direction: steepest descent
            decrease = g @ p
        if decrement_tol is not None and -0.5 * decrease <= decrement_tol:
            converged = True
            break
        it += 1

        def trial(t, p=p, theta=theta):
            # clipped: theta + (bound - theta) can miss the bound by an ulp, and the optimality
            # test knows a coordinate is held by a bound only when it sits exactly on it
            cand = objective.clip(theta + t * p)
            f_new, g_new = objective.value_and_grad(cand)
            return f_new + l1(cand), objective.optimality(cand, g_new), (cand, f_new, g_new)

        J_new, (cand, f_new, g_new), failed = backtrack(trial, J, decrease, gnorm, rounding)
        if failed:
            stalled = True
            message = (
                f"no step lowered J by more than its rounding at |grad|_inf = {gnorm:.3g} "
                "(the precision of the data and of the gradient's sums)"
            )
            break
        drop = J - J_new
        theta, f, g, J = cand, f_new, g_new, J_new
        gnorm = objective.optimality(theta, g)
        history.append(J)
        if report is not None:
            report(it, J, gnorm)
        converged = gnorm <= tol and not certify
        # near the optimum J changes by ~|grad|^2, below its rounding, while the gradient still
        # shrinks (by half a step for exact Newton, more slowly for a sampled Hessian): only flat J
        # *and* a gradient no lower than at the start of the flat run is rounding noise
        if drop <= rounding * max(1.0, abs(J)) and gnorm > 0.9 * flat_ref:
            flat += 1
        else:
            flat, flat_ref = 0, gnorm
        if flat >= FLAT_ITERATIONS and not converged:
            stalled = True
            message = (
                f"J stayed within its rounding for {flat} iterations at |grad|_inf = {gnorm:.3g} "
                "(the precision of the data and of the gradient's sums)"
            )
            break
    if stalled and gnorm <= tol:
        # the residual met tol; only the certifying step found J at its rounding
        converged, stalled, message = True, False, ""
    return SolverResult(theta, it, bool(converged), history, gnorm, objective.n_passes, message, stalled)
