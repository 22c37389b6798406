"""Newton's method: with the Hessian for few parameters, Newton-CG otherwise.

With few parameters, H p = -g is solved with the Hessian (one pass over X
gives it, or a sub-sample of rows when n is large) and an Armijo line search
is taken along p: a handful of passes to the optimum.  With many parameters
the Hessian is never formed: an inexact Newton step comes from conjugate
gradients on one-pass Hessian-vector products, preconditioned by the
Hessian's diagonal (which evens out columns of very different frequency or
scale, as in sparse text data), solved only as accurately as the current
gradient warrants (Eisenstat-Walker forcing).
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy import linalg

from .base import Solver, register
from .loop import descend

#: Above this many parameters the Hessian is not formed.
EXACT_MAX_PARAMS = 500

#: The presolve's sample is at most this share of the rows (1/20: a copy of
#: 5% of X at most).
PRESOLVE_SHARE = 20

#: A sample in which a class has fewer rows of positive weight than this is
#: no estimate of J (that class's intercept would run off to -inf).
PRESOLVE_MIN_CLASS_ROWS = 10


def hessian_rows(objective, option="auto"):
    """Rows for the Hessian estimate: ``option`` as given, or for 'auto'
    max(20000, 50 * n_params) rows once n is four times that (None: all rows)."""
    if option != "auto":
        return option
    keep = max(20000, 50 * objective.n_params)
    return keep if objective.datafit.n_samples > 4 * keep else None


def _newton_direction(H, g, N=None):
    """Solve H p = -g for the Newton step, shape (n,).

    H is positive semi-definite.  Its known null directions N (the softmax's
    invariant shifts; g has no part along them) are filled in as N N^T times
    H's scale, so the Cholesky factorisation sees a definite matrix and the
    step has no part along N.  Any other singularity (separable data, exactly
    collinear columns) falls back to the minimum-norm solution on H's range.
    """
    if N is not None:
        H = H + (np.trace(H) / H.shape[0]) * (N @ N.T)
    try:
        c = linalg.cho_factor(H, check_finite=False)
        p = -linalg.cho_solve(c, g, check_finite=False)
        if np.all(np.isfinite(p)):
            return p
    except linalg.LinAlgError:
        pass
    vals, vecs = linalg.eigh(H)
    keep = vals > vals.max() * 1e-12 if vals.size else vals > 0
    return -(vecs[:, keep] @ ((vecs[:, keep].T @ g) / vals[keep]))


@register
class Newton(Solver):
    """Newton's method (Hessian, or diagonally preconditioned Newton-CG).

    Options
    -------
    exact : bool or None
        Force the Hessian (True) or Hessian-free (False) variant; None chooses
        by the number of parameters (Hessian up to 500).
    hessian_rows : int, 'auto' or None
        Rows used to estimate the Hessian (sub-sampled Newton; the gradient is
        always exact, so the fixed point is the exact optimum and only the
        rate changes).  None uses every row; 'auto' (default) keeps
        max(20000, 50 * n_params) rows once n is four times that.
    fresh_rows : bool
        Draw a different sample of rows for each Hessian (default True), so
        that the sampling errors of successive steps do not add up along the
        same directions; False reuses the first sample.
    presolve : bool
        With a sub-sampled Hessian, first solve J on a 1/20 row sample
        (default True).
    max_cg : int
        Conjugate-gradient iterations per Newton-CG step (default 200).
    """

    name = "newton"
    requires = ("value_and_grad", "hessp", "hessian", "hessian_diag")
    option_names = frozenset({"exact", "hessian_rows", "fresh_rows", "presolve", "max_cg"})

    def solve(self, objective, theta0):
        exact = self.options.get("exact")
        if exact is None:
            exact = objective.n_params <= EXACT_MAX_PARAMS
        if exact:
            return self._exact(objective, theta0)
        return self._newton_cg(objective, theta0)

    def _hessian_rows(self, objective):
        return hessian_rows(objective, self.options.get("hessian_rows", "auto"))

    def _exact(self, objective, theta0):
        max_rows = self._hessian_rows(objective)
        if max_rows is not None and self.options.get("presolve", True):
            theta0 = self._presolve(objective, theta0, max_rows)
        calls = itertools.count()
        fresh = self.options.get("fresh_rows", True)
        N = objective.invariant_basis()

        def direction(theta, g):
            offset = next(calls) if fresh else 0
            return _newton_direction(objective.hessian(theta, max_rows=max_rows, offset=offset), g, N)

        return self._iterate(objective, theta0, direction, certify=True)

    def _presolve(self, objective, theta0, max_rows):
        """Start from the optimum of J estimated on ``max_rows`` evenly spaced rows.

        Far from the optimum a Newton step needs only a rough J, and m rows
        estimate it to within ~n_params / (2 m) (the excess of a sample's
        optimum); the sample is copied once (in float32 where the engine
        allows) and solved in cache, its Hessians from an eighth of it.  The
        passes it saves grow with n, its cost does not.  Skipped (theta0
        returned) when n is too small for the sample to be cheap, when a class
        has too few rows of positive weight in the sample, or when its solve
        does not end finite.
        """
        if objective.datafit.n_samples < PRESOLVE_SHARE * max_rows:
            return theta0
        sample = objective.sample(max_rows, compact=True)
        objective.n_passes += 1  # it reads a fraction of X, counted as a pass like a sampled Hessian
        if not np.all(sample.datafit.class_counts() >= PRESOLVE_MIN_CLASS_ROWS):
            return theta0
        m = sample.datafit.n_samples
        # the sample's own optimum is worth n_params / (2 m) of J; solve it to 1% of that
        decrement_tol = 0.01 * objective.n_params / (2.0 * m)
        sub_rows = max(m // 8, min(m, 10 * objective.n_params))
        calls = itertools.count()
        N = sample.invariant_basis()

        def direction(theta, g):
            return _newton_direction(sample.hessian(theta, max_rows=sub_rows, offset=next(calls)), g, N)

        result = self._iterate(sample, theta0, direction, decrement_tol=decrement_tol, report=False, max_iter=10)
        theta = result.theta
        return theta if np.all(np.isfinite(theta)) else theta0

    def _newton_cg(self, objective, theta0):
        max_cg = int(self.options.get("max_cg", 200))

        def direction(theta, g):
            D = objective.hessian_diag(theta)
            D = np.maximum(D, 1e-12 * max(float(D.max()), 1e-300))
            return _pcg(lambda v: objective.hessp(theta, v), g, D, max_cg)

        return self._iterate(objective, theta0, direction, certify=True)

    def _iterate(self, objective, theta0, direction, *, decrement_tol=None, report=True, max_iter=None, certify=False):
        """:func:`~logreg.solvers.loop.descend` with this solver's tol, max_iter and reporting."""
        return descend(
            objective,
            theta0,
            direction,
            tol=self.tol,
            max_iter=self.max_iter if max_iter is None else max_iter,
            report=self._report if report else None,
            decrement_tol=decrement_tol,
            certify=certify,
        )


def _pcg(hessp, g, D, max_iter):
    """Approximately solve H p = -g by conjugate gradients preconditioned with diag D.

    Stops at relative residual min(0.5, sqrt(||g||)) (Eisenstat-Walker), at
    non-positive curvature, or after ``max_iter`` products.

    Parameters
    ----------
    hessp : callable, v -> H v
    g : ndarray of shape (n,)
    D : ndarray of shape (n,), positive
    max_iter : int

    Returns
    -------
    ndarray of shape (n,)
    """
    gn = float(np.linalg.norm(g))
    target = min(0.5, np.sqrt(gn)) * gn
    p = np.zeros_like(g)
    r = -g
    z = r / D
    d = z.copy()
    rz = r @ z
    for _ in range(max_iter):
        Hd = hessp(d)
        curv = d @ Hd
        if not curv > 0:
            return p if p.any() else z
        step = rz / curv
        p += step * d
        r -= step * Hd
        if np.linalg.norm(r) <= target:
            break
        z = r / D
        rz_new = r @ z
        d = z + (rz_new / rz) * d
        rz = rz_new
    return p


@register
class NewtonCG(Newton):
    """scikit-learn's name for Hessian-free Newton: :class:`Newton` with ``exact=False``."""

    name = "newton-cg"

    def solve(self, objective, theta0):
        return self._newton_cg(objective, theta0)


@register
class NewtonCholesky(Newton):
    """scikit-learn's name for Newton with the Hessian: :class:`Newton` with ``exact=True``.

    Refuses more than 4 x 500 parameters (the Hessian's size and its
    factorisation's work grow as their square and cube); 'newton' (or
    'newton-cg') solves those without forming it.
    """

    name = "newton-cholesky"

    def solve(self, objective, theta0):
        if objective.n_params > 4 * EXACT_MAX_PARAMS:
            raise ValueError(
                f"solver 'newton-cholesky' forms the {objective.n_params} x {objective.n_params} Hessian; "
                "with this many parameters use solver='newton' or 'auto' (Hessian-free Newton-CG)"
            )
        return self._exact(objective, theta0)
