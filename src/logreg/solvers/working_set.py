"""Proximal Newton on working sets, coordinate descent over X's columns: L1 with many features.

When the parameters are too many for a Hessian (sparse text-like data, tens of
thousands of columns), an L1 optimum still has few non-zero coefficients.  So,
as skglm and glmnet do:

1. one pass over X gives the gradient and each coefficient's violation of the
   optimality conditions (its distance to the L1 subdifferential);
2. a *working set* holds the non-zero coefficients and the worst violators
   (``max(2 * support, 10)`` columns, doubling while the last solve left it
   unchanged);
3. proximal Newton solves the problem restricted to the working set: at each
   step the quadratic model of the smooth part, ``g.D + D (X_W' diag(h) X_W +
   diag(alpha_l2)) D / 2 + alpha_l1 ||w + D||_1``, is minimised by cyclic
   coordinate descent over the working set's columns, keeping ``X_W D`` up to
   date (each coordinate reads one column of X); a backtracking line search on
   the restricted objective takes the step, updating ``z = X w + b`` without
   another product;
4. back to 1, until every coefficient satisfies the conditions to ``tol``.

Along a path (the next C, warm-started where the last solve ended) a
:class:`Checkpoint` of the last solve's full gradient replaces step 1's first
pass, and the sequential strong rule (Tibshirani et al. 2012) screens the
columns: while solving, step 1 reads only the columns the rule keeps (and the
support); one full pass at the end checks every column, and any column the
rule wrongly dropped rejoins.

Binary data terms that offer their columns (:meth:`columns`) qualify; the
columns are a CSC copy of X (or Fortran-order dense), made once per data term.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..bounds import kkt_residual
from .base import SolverResult, backtrack
from .column_cd import cd_model, column_curvatures, column_dots, residuals

#: Smallest working set.
MIN_WORKING_SET = 10
#: Coordinate-descent sweeps per proximal Newton step at most.
MAX_SWEEPS = 20
#: Proximal Newton steps per working set at most.
MAX_NEWTON = 50


def _violations(grad, w, lam1, lo=None, hi=None):
    """Each coefficient's distance to optimality: |g + lam1 sign(w)| off zero, (|g| - lam1)+ at zero;
    with bounds ``lo``, ``hi`` the projected one (:func:`logreg.bounds.kkt_residual`)."""
    at_zero = w == 0
    out = np.where(at_zero, np.maximum(np.abs(grad) - lam1, 0.0), np.abs(grad + lam1 * np.sign(w)))
    return out if lo is None else np.abs(kkt_residual(out, w, grad, lam1, lo, hi))


class ColumnLogistic:
    """The binary data term's pieces that column-wise descent needs, in float64 state.

    Parameters
    ----------
    columns : logreg.objective.Columns
        CSC arrays of X, labels in {0, 1}, weights normalised to sum to the data's mean.
    lam1, lam2 : ndarray of shape (d,)
        L1 and L2 weights per coefficient.
    fit_intercept : bool
    """

    def __init__(self, columns, lam1, lam2, fit_intercept):
        self.indptr, self.indices, self.data = columns.indptr, columns.indices, columns.data
        self.y, self.s = columns.y, columns.s
        self.offset = columns.offset
        self.n, self.d = columns.shape
        self.lam1, self.lam2 = lam1, lam2
        self.fit_intercept = fit_intercept
        self.r = np.empty(self.n)
        self.h = np.empty(self.n)

    def linear_predictor(self, w, b):
        z = np.full(self.n, float(b)) if self.offset is None else self.offset + float(b)
        nz = np.flatnonzero(w)
        for j in nz:  # few non-zeros: a column at a time
            a, e = self.indptr[j], self.indptr[j + 1]
            z[self.indices[a:e]] += w[j] * self.data[a:e]
        return z

    def at(self, z):
        """Loss at z; fills the residuals r and curvatures h."""
        return residuals(z, self.y, self.s, self.r, self.h)

    def gradient(self, cols, w):
        """Gradient of the smooth part at the current residuals, for columns ``cols``."""
        out = np.empty(cols.size)
        column_dots(self.indptr, self.indices, self.data, self.r, cols, out)
        return out + self.lam2[cols] * w[cols]

    def penalty(self, w):
        return float(self.lam1 @ np.abs(w) + 0.5 * self.lam2 @ (w * w))


@dataclass(frozen=True)
class Checkpoint:
    """Where a solve on working sets ended, with its last full pass over X's columns.

    Attributes
    ----------
    w : ndarray of shape (n_features,)
    b : float
        The coefficients and the intercept (0.0 without one).
    grad : ndarray of shape (n_features,)
        The data term's gradient at (w, b) over every column (no penalty part).
    lam1 : ndarray of shape (n_features,)
        The L1 weights of that solve (the strong rule compares them with the next).
    columns : logreg.objective.Columns
        The data it was computed on.
    """

    w: np.ndarray
    b: float
    grad: np.ndarray
    lam1: np.ndarray
    columns: object

    def starts(self, columns, w, b):
        """True when a solve on ``columns`` starting at (w, b) starts where this one ended."""
        return self.columns is columns and self.b == b and np.array_equal(self.w, w)


def _strong_set(checkpoint, w, lam1):
    """Columns the sequential strong rule keeps: |g_j| >= 2 lam1_j - lam1_prev_j, the support, the unpenalised."""
    return np.flatnonzero((np.abs(checkpoint.grad) >= 2.0 * lam1 - checkpoint.lam1) | (w != 0) | (lam1 == 0))


def solve_working_sets(objective, columns, theta0, *, tol, max_iter, report, checkpoint=None):
    """Minimise a binary L1 / elastic-net objective by proximal Newton on working sets.

    Parameters
    ----------
    objective : logreg.objective.Objective
        Used for its penalty weights and for the final, independent optimality check.
    columns : logreg.objective.Columns
    theta0 : ndarray of shape (n_params,)
    tol : float
        On the max-norm of the minimum-norm subgradient (as every solver).
    max_iter : int
        Proximal Newton steps in all.
    report : callable
        ``report(iteration, J, residual)``.
    checkpoint : Checkpoint, optional
        Where a previous solve on the same columns ended (a path's last C);
        used when theta0 is that point, ignored otherwise.

    Returns
    -------
    SolverResult
        Its ``checkpoint`` is this solve's :class:`Checkpoint` when its last
        full pass was at the returned point.
    """
    fit_b = objective.datafit.fit_intercept
    rounding = 1e3 * np.finfo(np.float64).eps  # every sum here is float64, whatever X's dtype
    d = columns.shape[1]
    mask = objective.mask
    lam1 = objective.l1_weights()
    lam1 = np.zeros(d) if lam1 is None else lam1[mask]
    theta = np.array(theta0, dtype=np.float64)
    w = theta[mask].copy()
    lam2 = objective.penalty.hess_diag(w) * np.ones(d)
    lo, hi = (
        (np.full(d, -np.inf), np.full(d, np.inf))
        if objective.bounds is None
        else (objective.bounds[0][mask], objective.bounds[1][mask])
    )
    w = np.clip(w, lo, hi)
    b = float(theta[-1]) if fit_b else 0.0
    term = ColumnLogistic(columns, lam1, lam2, fit_b)
    every = np.arange(d)
    z = term.linear_predictor(w, b)
    J = term.at(z) + term.penalty(w)
    history = [J]
    ws_size = MIN_WORKING_SET
    objective.n_passes += 1  # z and J at the start
    n_iter, message = 0, ""
    last_ws = None
    if checkpoint is not None and checkpoint.starts(columns, w, b):
        scope = _strong_set(checkpoint, w, lam1)
        grad = checkpoint.grad + lam2 * w  # current on every column: no first pass
    else:
        scope, grad = every, None
    full_at_w = False  # the last full pass was at the current w
    while True:
        # 1. the gradient on the columns in scope (every column, or the strong rule's)
        if grad is None:
            if scope.size == d:
                grad = term.gradient(every, w)
                objective.n_passes += 1
            else:
                grad = np.zeros(d)
                grad[scope] = term.gradient(scope, w)
        full_at_w = scope.size == d or full_at_w
        gb = float(term.r.sum())
        viol = _violations(grad, w, lam1, lo, hi)  # 0 off the scope: grad and w are 0 there, lam1 > 0
        residual = max(float(viol.max(initial=0.0)), abs(gb) if fit_b else 0.0)
        if residual <= tol and not full_at_w:
            # converged on the strong set: one full pass checks the columns the rule set aside
            grad = term.gradient(every, w)
            objective.n_passes += 1
            full_at_w = True
            viol = _violations(grad, w, lam1, lo, hi)
            scope = np.union1d(scope, np.flatnonzero(viol > 0))
            residual = max(float(viol.max(initial=0.0)), abs(gb) if fit_b else 0.0)
        report(n_iter, J, residual)
        if residual <= tol or n_iter >= max_iter:
            break
        # 2. the working set: the support and the worst violators
        support = np.flatnonzero(w)
        ws_size = min(d, max(ws_size, MIN_WORKING_SET, 2 * support.size))
        score = viol.copy()
        score[support] = np.inf
        ws = np.sort(np.argpartition(-score, ws_size - 1)[:ws_size]) if ws_size < d else every
        ws = ws[(score[ws] > 0)]
        if last_ws is not None and np.array_equal(ws, last_ws):
            ws_size = min(d, 2 * ws_size)  # the last solve could not settle it: look wider
        last_ws = ws
        # 3. proximal Newton on the working set, to a fraction of the outer residual
        inner_tol = max(0.3 * residual, 0.5 * tol)
        stalled = moved = False
        g_ws = grad[ws]
        for _ in range(MAX_NEWTON):
            gb = float(term.r.sum())
            u0 = w[ws]
            inner = max(
                float(_violations(g_ws, u0, lam1[ws], lo[ws], hi[ws]).max(initial=0.0)), abs(gb) if fit_b else 0.0
            )
            if inner <= inner_tol or n_iter >= max_iter:
                break
            hdiag = np.empty(ws.size)
            column_curvatures(term.indptr, term.indices, term.data, term.h, ws, hdiag)
            hdiag += lam2[ws]
            # a column whose rows are all fitted to saturation (|z| in the hundreds: separable
            # data, a weak penalty) has curvature 0.0 in float64 and would never move; give it
            # the curvature that makes its Newton step at most max(|w_j|, 1) long
            flat = hdiag <= 1e-10 * hdiag.max(initial=0.0)
            if flat.any():
                v = _violations(g_ws[flat], u0[flat], lam1[ws][flat], lo[ws][flat], hi[ws][flat])
                hdiag[flat] = np.maximum(hdiag[flat], v / np.maximum(np.abs(u0[flat]), 1.0))
            dz = np.zeros(term.n)
            D, Db, _sweeps = cd_model(
                term.indptr, term.indices, term.data, ws, g_ws, hdiag, u0, lam1[ws], lam2[ws], lo[ws], hi[ws], term.h,
                fit_b, gb, float(term.h.sum()), dz, 0.3 * inner_tol, MAX_SWEEPS,
            )  # fmt: skip
            # the slope of the smooth part plus the change of the L1 part (Tseng and Yun's decrease)
            decrease = float(g_ws @ D + gb * Db + lam1[ws] @ (np.abs(u0 + D) - np.abs(u0)))
            if not decrease < 0:
                stalled = True
                break
            rest = term.penalty(w) - float(lam1[ws] @ np.abs(u0) + 0.5 * lam2[ws] @ (u0 * u0))

            def trial(t, z=z, u0=u0, D=D, Db=Db, dz=dz, rest=rest, ws=ws):
                u = np.clip(u0 + t * D, lo[ws], hi[ws])  # exactly on a bound, not an ulp off
                zt = z + t * dz
                r, h = np.empty(term.n), np.empty(term.n)
                new = residuals(zt, term.y, term.s, r, h) + rest
                new += float(lam1[ws] @ np.abs(u) + 0.5 * lam2[ws] @ (u * u))
                g_new = np.empty(ws.size)
                column_dots(term.indptr, term.indices, term.data, r, ws, g_new)
                g_new += lam2[ws] * u
                res = max(
                    float(_violations(g_new, u, lam1[ws], lo[ws], hi[ws]).max(initial=0.0)),
                    abs(float(r.sum())) if fit_b else 0.0,
                )
                return new, res, (u, zt, t * Db, g_new)

            J_new, (u, zt, db, g_new), stalled = backtrack(trial, J, decrease, inner, rounding)
            objective.n_passes += 1
            if stalled:
                break
            w[ws], b, z, g_ws = u, b + db, zt, g_new
            full_at_w, moved = False, True
            term.at(z)
            J = J_new
            n_iter += 1
            history.append(J)
        if moved:
            grad = None  # step 1 recomputes it at the new w
        if stalled:
            # the model cannot lower J on this set: one more outer check decides
            grad = term.gradient(every, w)
            objective.n_passes += 1
            full_at_w = True
            gb = float(term.r.sum())
            viol = _violations(grad, w, lam1, lo, hi)
            residual = max(float(viol.max(initial=0.0)), abs(gb) if fit_b else 0.0)
            wider = np.union1d(scope, np.flatnonzero(viol > 0))
            if residual > tol and wider.size > scope.size:
                scope = wider  # the strong rule set aside columns that now violate: take them in
                continue
            if residual > tol:
                message = f"no step lowered J beyond its rounding at |grad|_inf = {residual:.3g}"
            break
    here = Checkpoint(w.copy(), b, grad - lam2 * w, lam1, columns) if full_at_w else None
    theta = np.concatenate([w, [b]]) if fit_b else w
    # the verdict from the objective's own code, not from this solver's bookkeeping
    _, g = objective.value_and_grad(theta)
    gnorm = objective.optimality(theta, g)
    converged = bool(gnorm <= tol)
    if not converged and not message and n_iter < max_iter:
        # J and its gradient here are float64 sums; the objective's own may round more (float32)
        message = f"the data term's own gradient leaves |grad|_inf = {gnorm:.3g}"
    return SolverResult(
        theta,
        n_iter,
        converged,
        history,
        gnorm,
        objective.n_passes,
        message,
        stalled=bool(message),
        checkpoint=here,
    )
