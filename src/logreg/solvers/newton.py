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

from .base import Solver, SolverResult, backtrack, register

#: Above this many parameters the Hessian is not formed.
EXACT_MAX_PARAMS = 500

_F32_MAX = float(np.finfo(np.float32).max)

#: The presolve's sample is at most this share of the rows (1/20: a copy of
#: 5% of X at most).
PRESOLVE_SHARE = 20


def _has_every_class(datafit, rows):
    """True when ``rows`` hold at least 10 rows of positive weight of every class (a
    sample's optimum is meaningless for a class it lacks: its intercept would run off
    to -inf; a sample of zero weight has no mean at all)."""
    data = datafit.data
    y = np.asarray(data.y[rows]).astype(np.intp)
    if data.s is not None:
        y = y[data.s[rows] > 0]
    counts = np.bincount(y, minlength=datafit.n_classes)
    return bool(counts.size == datafit.n_classes and np.all(counts >= 10))


def hessian_rows(objective, option="auto"):
    """Rows for the Hessian estimate: ``option`` as given, or for 'auto'
    max(20000, 50 * n_params) rows once n is four times that (None: all rows)."""
    if option != "auto":
        return option
    keep = max(20000, 50 * objective.n_params)
    n = objective.datafit.data.n_samples
    return keep if n > 4 * keep else None


def _newton_direction(H, g):
    """Solve H p = -g; H is PSD, possibly singular (softmax, separable data)."""
    try:
        c = linalg.cho_factor(H, check_finite=False)
        p = -linalg.cho_solve(c, g, check_finite=False)
        if np.all(np.isfinite(p)):
            return p
    except linalg.LinAlgError:
        pass
    # semi-definite: minimum-norm solution on the range of H
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
    """

    name = "newton"
    requires = ("value_and_grad", "hessp", "hessian", "hessian_diag")

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

        calls = itertools.count()  # the n-th Hessian takes sample offset n

        def direction(theta, g):
            # a different sample of rows each iteration: the sampling errors of
            # successive Newton steps do not add up along the same directions
            # (P1: 10 iterations instead of 12)
            return _newton_direction(objective.hessian(theta, max_rows=max_rows, offset=next(calls)), g)

        return self._iterate(objective, theta0, direction)

    def _presolve(self, objective, theta0, max_rows):
        """Start from the optimum of J estimated on ``max_rows`` evenly spaced rows.

        Far from the optimum a Newton step needs only a rough J, and m rows
        estimate it to within ~n_params / (2 m) (the excess of a sample's
        optimum); the sample is copied once, in float32 (at most
        1/PRESOLVE_SHARE of X, half of that in bytes; in X's precision when
        its products would overflow float32), and solved in cache, its
        Hessians from an eighth of it.  On P1 (1e6 x 100) it replaces two of
        ten Newton iterations (three passes over X) and costs about as much
        time as it saves there (~50 ms in a fresh process, most of it faulting
        in the sample's memory); the passes it saves grow with n, its cost
        does not.  Skipped (theta0 returned) when n is too small for the
        sample to be cheap, when the sample lacks a class (of positive weight),
        or when its solve does not end finite.
        """
        take_rows = getattr(objective, "take_rows", None)
        data = getattr(objective.datafit, "data", None)
        if take_rows is None or data is None:
            return theta0
        n = data.n_samples
        if n < PRESOLVE_SHARE * max_rows:
            return theta0
        stride = n // max_rows
        rows = np.arange(stride // 2, n, stride)
        if not _has_every_class(objective.datafit, rows):
            return theta0
        # in float32: the sample's optimum is a rough start (J to ~1e-2), float32 rounds at 1e-7,
        # and the copy is half the memory (fresh memory is slow to fault in on virtual machines)
        # (fused kernels only: the float32 gather is a numba kernel, and a graph-engine fit that
        # starts numba's compiler for it grows by ~100 MB)
        fused = getattr(objective.datafit, "engine", None) == "fused"
        sample = take_rows(rows, np.float32 if fused else None)
        objective.n_passes += 1  # it reads a fraction of X, counted as a pass like a sampled Hessian
        m = rows.size
        Xs = sample.datafit.data.X
        if Xs.dtype == np.float32 and not max(float(Xs.max()), -float(Xs.min())) ** 2 * m < _F32_MAX:
            # values whose sums of products overflow float32 (or that did themselves): X's precision
            sample = take_rows(rows)
        # the sample's own optimum is worth n_params / (2 m) of J; solve it to 1% of that
        decrement_tol = 0.01 * objective.n_params / (2.0 * m)
        sub_rows = max(m // 8, min(m, 10 * objective.n_params))
        calls = itertools.count()

        def direction(theta, g):
            H = sample.hessian(theta, max_rows=sub_rows, offset=next(calls))
            return _newton_direction(H, g)

        result = self._iterate(sample, theta0, direction, decrement_tol=decrement_tol, report=False, max_iter=10)
        theta = result.theta
        return theta if np.all(np.isfinite(theta)) else theta0

    def _newton_cg(self, objective, theta0):
        max_cg = int(self.options.get("max_cg", 200))

        def direction(theta, g):
            D = objective.hessian_diag(theta)
            D = np.maximum(D, 1e-12 * max(float(D.max()), 1e-300))
            return _pcg(lambda v: objective.hessp(theta, v), g, D, max_cg)

        return self._iterate(objective, theta0, direction)

    def _iterate(self, objective, theta0, direction, *, decrement_tol=None, report=True, max_iter=None):
        """Newton iterations with an Armijo line search along ``direction(theta, g)``.

        ``decrement_tol`` also stops once the step's predicted decrease of J,
        -g.p / 2, is at most this (the presolve's criterion); ``report=False``
        calls no callback; ``max_iter`` overrides the solver's.
        """
        max_iter = self.max_iter if max_iter is None else max_iter
        theta = np.array(theta0, dtype=np.float64)
        f, g = objective.value_and_grad(theta)
        history = [f]
        gnorm = objective.optimality(theta, g)
        it = 0
        converged = gnorm <= self.tol
        rounding = objective.rounding
        message = ""
        best, since_best = gnorm, 0
        while not converged and it < max_iter:
            p = direction(theta, g)
            slope = g @ p
            if not slope < 0:  # numerical trouble: fall back to steepest descent
                p, slope = -g, -(g @ g)
            if decrement_tol is not None and -0.5 * slope <= decrement_tol:
                converged = True
                break
            it += 1

            def trial(t, p=p, theta=theta):
                cand = theta + t * p
                f_new, g_new = objective.value_and_grad(cand)
                return f_new, np.max(np.abs(g_new)), (cand, g_new)

            f_new, (cand, g_new), stalled = backtrack(trial, f, slope, np.max(np.abs(g)), rounding)
            if stalled:
                # no step along a descent direction lowers f: f and its gradient are
                # at the precision of the data, and tol asks for more than that
                message = (
                    f"the objective stopped decreasing at |grad|_inf = {gnorm:.3g} (the precision of the "
                    "data and of the gradient's sums); a tol below that cannot be reached"
                )
                break
            theta, f, g = cand, f_new, g_new
            gnorm = objective.optimality(theta, g)
            history.append(f)
            if report:
                self._report(it, f, gnorm)
            converged = gnorm <= self.tol
            # Newton steps at least halve the gradient every few iterations; five without
            # that mean the gradient is rounding noise (float32 data, a tol below precision)
            if gnorm < 0.5 * best:
                best, since_best = gnorm, 0
            else:
                since_best += 1
                if since_best >= 5 and not converged:
                    message = (
                        f"the gradient stopped shrinking at |grad|_inf = {gnorm:.3g} (the precision of the "
                        "data and of the gradient's sums); a tol below that cannot be reached"
                    )
                    break
        return SolverResult(theta, it, bool(converged), history, gnorm, objective.n_passes, message)


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
