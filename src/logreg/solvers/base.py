"""What every solver shares: the result record, the registry, the warning."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..exceptions import ConvergenceWarning

__all__ = ["SolverResult", "Solver", "REGISTRY", "register", "get_solver", "backtrack"]


def backtrack(trial, f, decrease, residual, rounding):
    """Armijo backtracking from the full step t = 1, aware of the objective's rounding.

    A rejected step is shortened to the minimiser of the quadratic through
    f(0), its slope and f(t), kept within [t/10, t/2] (Nocedal and Wright,
    section 3.5): a step that overshoots by a factor 50 is cut in one trial,
    not in six halvings.  Near the optimum f changes by less than its rounding
    error (a sum over n rows; float32 data round far sooner); there a smaller
    optimality residual accepts the step instead.  A step that must shrink
    more than 10-fold while f stays within its rounding (or any step below
    1e-6) means the data's precision is reached.

    Parameters
    ----------
    trial : callable
        ``trial(t) -> (f_new, residual_new, out)`` at the step ``t``.
    f : float
        The objective at t = 0.
    decrease : float
        Predicted change of f along the full step (negative): the slope at
        t = 0 for a smooth f.
    residual : float
        The optimality residual at t = 0.
    rounding : float
        Relative rounding error of f (:attr:`logreg.objective.Objective.rounding`).

    Returns
    -------
    f_new : float
    out : object
        What ``trial`` returned for the step taken.
    stalled : bool
        True when no step lowered f: the step is not to be taken.
    """
    t = 1.0
    while True:
        f_new, residual_new, out = trial(t)
        if f_new <= f + 1e-4 * t * decrease:
            return f_new, out, False
        flat = abs(f_new - f) <= rounding * max(1.0, abs(f))
        if flat and residual_new < residual:
            return f_new, out, False
        curvature = (f_new - f - t * decrease) / (t * t)
        shrink = -decrease / (2.0 * curvature * t) if np.isfinite(f_new) and curvature > 0 else 0.1
        t *= min(0.5, max(0.1, shrink))
        if t < 1e-6 or (flat and t < 0.1):
            return f_new, out, True


@dataclass
class SolverResult:
    """What a solver returns.

    Attributes
    ----------
    theta : ndarray of shape (n_params,)
        The parameters reached.
    n_iter : int
        Iterations taken (outer iterations for Newton).
    converged : bool
        True when the optimality residual reached ``tol``.
    history : list of float
        The objective J after each iteration, starting with the initial value.
    grad_norm : float
        Max-norm of the (sub)gradient at ``theta``.
    n_passes : int
        Passes over X used.
    message : str
        Why the solver stopped short of ``tol``, or which solver continued
        after a stall ('' for a plain converged run).
    stalled : bool
        True when it stopped because no step lowered J by more than its
        rounding (not at max_iter): the caller may hand over to another solver.
    checkpoint : object or None
        What a following solve on the same data, started at ``theta`` with a
        nearby penalty (a regularisation path), may start from; solvers that
        take the option ``checkpoint`` read it (None: nothing to pass on).
    """

    theta: np.ndarray
    n_iter: int
    converged: bool
    history: list = field(default_factory=list)
    grad_norm: float = np.nan
    n_passes: int = 0
    message: str = ""
    stalled: bool = False
    checkpoint: Any = None


REGISTRY: dict[str, type] = {}


def register(cls):
    """Class decorator: make a solver available by its ``name``."""
    REGISTRY[cls.name] = cls
    return cls


class Solver:
    """Base class of the solvers.

    A solver declares what it needs from the objective in ``requires`` (names
    of :class:`logreg.objective.Objective` methods) and whether it can handle a
    non-smooth penalty (through ``prox``).  Compatibility checks read these
    declarations instead of listing solver names.

    Parameters
    ----------
    tol : float
        Stop when the max-norm of the (sub)gradient of J is at most tol.
    max_iter : int
        Iteration limit.
    verbose : int
    callback : callable, optional
        Called as ``callback(iteration, value, grad_norm)`` after each
        iteration (progress bars use it).
    """

    name = "base"
    requires: tuple = ("value_and_grad",)
    supports_nonsmooth = False
    #: Whether it minimises over the objective's box (``Objective.bounds``): coefficient bounds.
    supports_bounds = False
    #: Start from the intercept-only optimum (the estimator's default start);
    #: False starts at theta = 0.
    intercept_start = True
    #: Whether it reads the rows in minibatches (``bind(rows, random_state)`` before ``solve``).
    needs_rows = False

    @classmethod
    def check_objective(cls, objective):
        """Refuse an objective that lacks a method this solver ``requires`` (as skglm checks its
        datafit's and penalty's attributes), naming the solver and what is missing."""
        missing = [name for name in cls.requires if not callable(getattr(objective, name, None))]
        if missing:
            raise ValueError(
                f"solver {cls.name!r} needs the objective's {', '.join(missing)}, which "
                f"{type(objective).__name__} does not offer; choose another solver (e.g. 'lbfgs')"
            )

    #: The names of the options this solver takes (documented in its docstring).
    option_names: frozenset = frozenset()

    def __init__(self, tol=1e-4, max_iter=100, verbose=0, callback=None, **options):
        unknown = sorted(set(options) - self.option_names)
        if unknown:
            takes = sorted(self.option_names) or "none"
            raise ValueError(f"solver {self.name!r} takes no option {unknown[0]!r}; its options: {takes}")
        self.tol = float(tol)
        self.max_iter = int(max_iter)
        self.verbose = int(verbose)
        self.callback = callback
        self.options = options

    def solve(self, objective, theta0):
        """Minimise ``objective`` from ``theta0``; return a :class:`SolverResult`."""
        raise NotImplementedError

    def _report(self, it, value, gnorm):
        if self.callback is not None:
            self.callback(it, value, gnorm)
        if self.verbose:
            print(f"[{self.name}] iter {it:4d}  objective {value:.12g}  |grad|_inf {gnorm:.3e}")


def get_solver(name):
    """The solver class registered as ``name``."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown solver {name!r}; choose one of {sorted(REGISTRY) + ['auto']}") from None


def warn_not_converged(result, solver_name, max_iter):
    """Warn when the fit stopped short of tol: at max_iter, with what to try; at the data's
    precision (every solver tried stalled), saying that tol asks for more than it."""
    if result.converged:
        return
    if result.n_iter >= max_iter:
        other = "solver='lbfgs'" if solver_name.startswith("newton") else "solver='newton'"
        why = f" ({result.message})" if result.message else ""
        text = (
            f"solver {solver_name!r} stopped after max_iter={max_iter} iterations{why} without reaching tol "
            f"(|grad|_inf = {result.grad_norm:.3g}). Try: raise max_iter, standardise the features if their "
            f"scales differ (e.g. sklearn.preprocessing.StandardScaler), or use another solver ({other})."
        )
    else:
        # stopped early because no solver could lower J: saying "max_iter" would mislead
        why = f": {result.message}" if result.message else ""
        text = (
            f"solver {solver_name!r} stopped after {result.n_iter} iterations (max_iter={max_iter}){why}. "
            f"J is at the precision of the data and of the gradient's sums at |grad|_inf = "
            f"{result.grad_norm:.3g}; a tol below that cannot be reached: raise tol, or standardise the "
            "features if their scales differ widely (e.g. sklearn.preprocessing.StandardScaler), which "
            "lets the sums keep more digits."
        )
    warnings.warn(text, ConvergenceWarning, stacklevel=3)
