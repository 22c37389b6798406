"""The seeds' batch gradient descent: theta <- theta - alpha * grad J.

Seed 000 / 001: w := w - alpha dJ/dw, b := b - alpha dJ/db, both from the same
gradient (a simultaneous update).  With a fixed ``learning_rate`` this is
exactly the seeds' loop.  With ``learning_rate=None`` the step is found by a
backtracking (Armijo) line search, which makes GD converge without tuning.
With an L1 part in the penalty the step is followed by the proximal map
(soft-thresholding): proximal gradient descent, ISTA.
"""

from __future__ import annotations

import numpy as np

from .base import Solver, SolverResult, register

#: Consecutive gradient steps with J within its rounding that mean the data's precision.
FLAT_ITERATIONS = 50


@register
class GradientDescent(Solver):
    """Batch gradient descent, fixed step or backtracking line search.

    Options
    -------
    learning_rate : float or None
        The seeds' alpha.  None (default) uses backtracking.
    """

    name = "gd"
    option_names = frozenset({"learning_rate"})
    requires = ("value_and_grad", "smooth_value")
    supports_nonsmooth = True
    supports_bounds = True  # the proximal step clips to the box (Objective.prox)
    intercept_start = False  # the seeds' loop starts at w = 0, b = 0

    def solve(self, objective, theta0):
        lr = self.options.get("learning_rate")
        theta = objective.clip(np.array(theta0, dtype=np.float64))
        f, g = objective.value_and_grad(theta)
        history = [objective.value(theta) if not objective.smooth else f]
        gnorm = objective.optimality(theta, g)
        step = 1.0 if lr is None else float(lr)
        converged = gnorm <= self.tol
        it, flat, flat_ref, message = 0, 0, gnorm, ""
        rounding = objective.rounding
        while not converged and it < self.max_iter:
            it += 1
            if lr is not None:
                # the seeds' update, simultaneous in every coordinate
                theta = objective.prox(theta - step * g, step)
                f, g = objective.value_and_grad(theta)
            else:
                step = min(step * 2.0, 1e12)
                while True:
                    cand = objective.prox(theta - step * g, step)
                    diff = cand - theta
                    f_new, g_new = objective.value_and_grad(cand)
                    # sufficient decrease for (proximal) gradient steps: f_new <= f + g.d + |d|^2/(2 step).
                    # Near the optimum that decrease is below the rounding of f, so also accept on
                    # the gradient form (g_new - g).d <= |d|^2/(2 step), which implies the same bound
                    # for a convex f and is computed to absolute, not relative, precision.  (A slack
                    # on f instead lets the step grow until GD stalls far above a small tol.)
                    q = (diff @ diff) / (2.0 * step)
                    if f_new <= f + g @ diff + q or (g_new - g) @ diff <= q or step < 1e-20:
                        break
                    step *= 0.5
                theta, f, g = cand, f_new, g_new
            gnorm = objective.optimality(theta, g)
            history.append(objective.value(theta) if not objective.smooth else f)
            self._report(it, history[-1], gnorm)
            if not np.isfinite(history[-1]):
                break
            converged = gnorm <= self.tol
            # near the optimum a gradient step lowers J by ~step |g|^2, below J's rounding, while
            # |g| still shrinks: only J flat *and* |g| not 10% lower over FLAT_ITERATIONS steps
            # is the data's precision (float32 data), not slow progress
            if history[-2] - history[-1] <= rounding * max(1.0, abs(history[-1])) and gnorm > 0.9 * flat_ref:
                flat += 1
            else:
                flat, flat_ref = 0, gnorm
            if flat >= FLAT_ITERATIONS and not converged:
                message = f"J stayed within its rounding for {flat} iterations at |grad|_inf = {gnorm:.3g}"
                return SolverResult(theta, it, False, history, gnorm, objective.n_passes, message, True)
        return SolverResult(theta, it, bool(converged), history, gnorm, objective.n_passes)
