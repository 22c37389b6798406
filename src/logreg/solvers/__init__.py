"""Solvers, chosen by name from a registry.

Each solver declares what it needs from the objective (``requires``) and
whether it takes a non-smooth penalty (``supports_nonsmooth``);
:func:`resolve` reads those declarations.
"""

from __future__ import annotations

from . import cd, gd, lbfgs, newton, sgd  # noqa: F401  (registration)
from .base import REGISTRY, Solver, SolverResult, get_solver, register, warn_not_converged
from .handover import solve_with_handover

__all__ = [
    "REGISTRY",
    "Solver",
    "SolverResult",
    "get_solver",
    "register",
    "resolve",
    "solve_with_handover",
    "warn_not_converged",
]


def resolve(name, *, penalty, n_params, X, column_access=False, bounded=False):
    """The solver class for ``name`` ('auto' chooses), checked against the penalty.

    Parameters
    ----------
    name : str
    penalty : logreg.penalties.Penalty
    n_params : int
    X : ndarray or sparse matrix
    column_access : bool
        Whether the data term offers X by columns (``columns()``): binary in-memory terms.
    bounded : bool
        Whether the coefficients are bounded: only solvers with ``supports_bounds`` take it.

    Returns
    -------
    type
        A :class:`Solver` subclass.
    """
    if name == "auto":
        # Newton in every smooth case: with the (sub-sampled) Hessian up to
        # EXACT_MAX_PARAMS parameters, preconditioned Newton-CG beyond; on
        # sparse 100k x 50k data it took 30 passes where L-BFGS took 410
        # L1 / elastic-net: proximal Newton, with the Hessian while it is small, on working sets
        # of X's columns beyond (binary in memory); else proximal gradient
        # with bounds: proximal Newton (its coordinate descent clips to the box) where it runs,
        # else L-BFGS-B (smooth) or proximal gradient
        if penalty.smooth and not bounded:
            name = "newton"
        elif n_params <= newton.EXACT_MAX_PARAMS or column_access:
            name = "cd"
        else:
            name = "lbfgs" if penalty.smooth else "gd"
    cls = get_solver(name)
    if bounded and not cls.supports_bounds:
        ok = sorted(k for k, c in REGISTRY.items() if c.supports_bounds and (penalty.smooth or c.supports_nonsmooth))
        raise ValueError(
            f"solver {name!r} cannot keep the coefficients within coef_bounds; use solver in {ok} or 'auto', "
            "or drop coef_bounds"
        )
    if not penalty.smooth and not cls.supports_nonsmooth:
        ok = sorted(k for k, c in REGISTRY.items() if c.supports_nonsmooth)
        raise ValueError(f"solver {name!r} needs a smooth penalty, got {penalty!r}; use solver in {ok} or 'auto'")
    return cls
