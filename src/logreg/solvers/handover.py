"""When a solver stalls short of tol, another one checks the claim from where it stopped.

A solver that can no longer lower J by more than its rounding says so
(``SolverResult.stalled``).  That is the data's precision only if nothing
else can still lower J:

1. float32 data are computed in float32 arithmetic, which rounds J at ~1e-7:
   the same solver continues on the same data points in float64 arithmetic;
2. then L-BFGS (proximal gradient descent for an L1 part) continues from the
   point reached, with the iterations left.

A continuation whose J is lower by more than rounding is taken; if none is,
the precision claim stands, now checked.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .base import REGISTRY

__all__ = ["solve_with_handover"]


def _continue(first, solver, objective, what):
    """Run ``solver`` on ``objective`` from ``first.theta``; the joined result, or None
    when it did not get further: neither J lower by more than rounding nor the residual
    halved (near the optimum J moves by ~|grad|^2, below its rounding, while the residual,
    summed to absolute precision, still shows progress)."""
    start = objective.n_passes
    after = solver.solve(objective, first.theta)
    # both values from the continuing objective: float32 and float64 arithmetic round J differently
    J0, J1 = after.history[0], after.history[-1]
    lower = J1 < J0 - objective.rounding * max(1.0, abs(J0))
    closer = J1 <= J0 + objective.rounding * max(1.0, abs(J0)) and (
        after.converged or after.grad_norm <= 0.5 * first.grad_norm
    )
    if not (lower or closer):
        return None
    message = "" if after.converged else (after.message or "max_iter reached")
    return replace(
        after,
        n_iter=first.n_iter + after.n_iter,
        history=list(first.history) + list(after.history[1:]),
        n_passes=first.n_passes + objective.n_passes - start,
        message=f"{first.message}; {what} continued from there" + (f" and stopped: {message}" if message else ""),
    )


def solve_with_handover(solver, objective, theta0):
    """``solver.solve(objective, theta0)``, continued by another solver if it stalled.

    Parameters
    ----------
    solver : logreg.solvers.Solver
    objective : logreg.objective.Objective
    theta0 : ndarray of shape (n_params,)

    Returns
    -------
    SolverResult
        ``message`` says when another solver continued, and why.
    """
    start = objective.n_passes
    result = solver.solve(objective, theta0)
    result = replace(result, n_passes=objective.n_passes - start)
    if result.converged or not result.stalled or solver.max_iter <= result.n_iter:
        return result
    if objective.datafit.precision != np.float64:
        precise = objective.in_float64()
        again = type(solver)(
            tol=solver.tol,
            max_iter=solver.max_iter - result.n_iter,
            verbose=solver.verbose,
            callback=solver.callback,
            **solver.options,
        )
        joined = _continue(result, again, precise, f"{solver.name} in float64 arithmetic")
        objective = precise
        if joined is not None:
            result = joined
            if result.converged or not result.stalled or solver.max_iter <= result.n_iter:
                return result
    successor = "lbfgs" if objective.smooth else "gd"
    if solver.name == successor:
        return result
    follow = REGISTRY[successor](
        tol=solver.tol, max_iter=solver.max_iter - result.n_iter, verbose=solver.verbose, callback=solver.callback
    )
    joined = _continue(result, follow, objective, successor)
    if joined is None:
        # no lower J: the stall was the data's precision, and the message may say so
        return replace(result, message=f"{result.message}; {successor} could not lower J")
    return joined
