"""When a solver stalls short of tol, another one checks the claim from where it stopped.

A Newton-type solver that can no longer lower J by more than its rounding
says so (``SolverResult.stalled``).  That is the data's precision only if no
other method can still lower J either: L-BFGS (proximal gradient descent for
an L1 part) continues from the point reached, with the iterations left.  If
it lowers J by more than rounding, its result is taken; if not, the
precision claim stands, now checked.
"""

from __future__ import annotations

from dataclasses import replace

from .base import REGISTRY

__all__ = ["solve_with_handover"]


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
    result = solver.solve(objective, theta0)
    successor = "lbfgs" if objective.smooth else "gd"
    left = solver.max_iter - result.n_iter
    if result.converged or not result.stalled or solver.name == successor or left <= 0:
        return result
    follow = REGISTRY[successor](tol=solver.tol, max_iter=left, verbose=solver.verbose, callback=solver.callback)
    after = follow.solve(objective, result.theta)
    J0, J1 = result.history[-1], after.history[-1]
    if not J1 < J0 - objective.rounding * max(1.0, abs(J0)):
        # no lower J: the stall was the data's precision, and the message may say so
        return replace(result, n_passes=objective.n_passes, message=f"{result.message}; {successor} could not lower J")
    message = f"{solver.name} stalled ({result.message}); {successor} continued from there"
    if not after.converged:
        message = f"{message} and stopped: {after.message or 'max_iter reached'}"
    return replace(
        after,
        n_iter=result.n_iter + after.n_iter,
        history=list(result.history) + list(after.history[1:]),
        n_passes=objective.n_passes,
        message=message,
    )
