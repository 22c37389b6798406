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

Binary data terms that offer their columns (:meth:`columns`) qualify; the
columns are a CSC copy of X (or Fortran-order dense), made once per data term.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ..bounds import kkt_residual
from .base import SolverResult, backtrack

#: Smallest working set.
MIN_WORKING_SET = 10
#: Coordinate-descent sweeps per proximal Newton step at most.
MAX_SWEEPS = 20
#: Proximal Newton steps per working set at most.
MAX_NEWTON = 50
#: Sweeps combined by one Anderson extrapolation.
ANDERSON = 5


@njit(cache=True, parallel=True)
def _column_dots(indptr, indices, data, v, cols, out):
    """out[k] = X[:, cols[k]] . v for a CSC X, columns in parallel."""
    for k in prange(cols.size):
        j = cols[k]
        acc = 0.0
        for t in range(indptr[j], indptr[j + 1]):
            acc += data[t] * v[indices[t]]
        out[k] = acc


@njit(cache=True, parallel=True)
def _column_curvatures(indptr, indices, data, h, cols, out):
    """out[k] = sum_i h_i X[i, cols[k]]^2 for a CSC X."""
    for k in prange(cols.size):
        j = cols[k]
        acc = 0.0
        for t in range(indptr[j], indptr[j + 1]):
            x = data[t]
            acc += x * x * h[indices[t]]
        out[k] = acc


@njit(cache=True)
def _residuals(z, y, s, r, h):
    """r = s (p - y), h = s p (1 - p) with p = sigmoid(z); returns the weighted mean loss."""
    loss = 0.0
    for i in range(z.size):
        zi = z[i]
        if zi >= 0:
            e = np.exp(-zi)
            p = 1.0 / (1.0 + e)
            lse = zi + np.log1p(e)
        else:
            e = np.exp(zi)
            p = e / (1.0 + e)
            lse = np.log1p(e)
        loss += s[i] * (lse - y[i] * zi)
        r[i] = s[i] * (p - y[i])
        h[i] = s[i] * p * (1.0 - p)
    return loss


@njit(cache=True)
def _model_value(D, Db, dz, g, gb, u0, lam1, lam2, h):
    """The working set's quadratic model at (D, Db), with dz = X_W D + Db."""
    out = gb * Db
    for i in range(dz.size):
        out += 0.5 * h[i] * dz[i] * dz[i]
    for k in range(D.size):
        out += g[k] * D[k] + 0.5 * lam2[k] * D[k] * D[k] + lam1[k] * abs(u0[k] + D[k])
    return out


@njit(cache=True)
def _cd_model(indptr, indices, data, ws, g, hdiag, u0, lam1, lam2, lo, hi, h, fit_b, gb, hb, dz, tol, max_sweeps):
    """Minimise the working set's quadratic model by cyclic coordinate descent.

    Minimises ``g.D + gb Db + (X_W D + Db)' diag(h) (X_W D + Db) / 2 + sum lam2 D^2 / 2 +
    sum lam1 |u0 + D|`` over D (one entry per working-set column) and the intercept's
    Db, keeping ``u0 + D`` within ``[lo, hi]`` (each update clipped: the proximal step of
    L1 plus the box); ``dz`` (zeros on entry) holds ``X_W D + Db`` on exit.  ``g`` includes
    the L2 part's gradient and ``hdiag`` its curvature.  Stops after a sweep in which every
    coordinate's model gradient, read just before its update, was within ``tol`` of the
    L1 subdifferential (as skglm: the check costs nothing extra).

    Two accelerations: glmnet's active-set cycling (after a sweep over every
    coordinate, sweep only the non-zero ones until they settle, then check all
    again), and Anderson extrapolation of every ``ANDERSON + 1`` iterates of the
    same kind of sweep (Bertrand and Massias 2021, as skglm's AndersonCD), kept
    only when it lowers the model.

    Returns
    -------
    D : ndarray of shape (len(ws),)
    Db : float
    sweeps : int
    """
    m = ws.size
    D = np.zeros(m)
    Db = 0.0
    sweeps = 0
    n = dz.size
    K = ANDERSON
    past = np.zeros((K + 1, m + 1))
    past_dz = np.zeros((K + 1, n))
    n_past = 0
    full = True
    order = np.arange(m)
    n_order = m
    while sweeps < max_sweeps:
        sweeps += 1
        worst = 0.0
        for q in range(n_order):
            k = order[q]
            if hdiag[k] <= 0.0:
                continue
            j = ws[k]
            acc = 0.0
            for t in range(indptr[j], indptr[j + 1]):
                i = indices[t]
                acc += data[t] * h[i] * dz[i]
            u = u0[k] + D[k]
            grad = g[k] + acc + lam2[k] * D[k]
            if u == 0.0:
                viol = abs(grad) - lam1[k]
            else:
                viol = abs(grad + lam1[k] if u > 0 else grad - lam1[k])
            if u <= lo[k] and u >= hi[k]:
                viol = 0.0
            elif u <= lo[k]:  # at a lower bound only a pull further down is allowed
                viol = max(-(grad + (lam1[k] if u >= 0.0 else -lam1[k])), 0.0)
            elif u >= hi[k]:
                viol = max(grad + (-lam1[k] if u <= 0.0 else lam1[k]), 0.0)
            if viol > worst:
                worst = viol
            z = u - grad / hdiag[k]
            thr = lam1[k] / hdiag[k]
            new = z - thr if z > thr else (z + thr if z < -thr else 0.0)
            new = min(max(new, lo[k]), hi[k])
            delta = new - u
            if delta != 0.0:
                D[k] += delta
                for t in range(indptr[j], indptr[j + 1]):
                    dz[indices[t]] += delta * data[t]
        if fit_b and hb > 0.0:
            acc = 0.0
            for i in range(dz.size):
                acc += h[i] * dz[i]
            grad = gb + acc
            if abs(grad) > worst:
                worst = abs(grad)
            delta = -grad / hb
            Db += delta
            for i in range(dz.size):
                dz[i] += delta
        if worst <= tol:
            if full:
                break
            full = True  # the non-zero ones have settled: check them all
            n_order = m
            for q in range(m):
                order[q] = q
            n_past = 0
            continue
        if full:
            n_order = 0
            for k in range(m):
                if u0[k] + D[k] != 0.0 or lam1[k] == 0.0:
                    order[n_order] = k
                    n_order += 1
            full = n_order == m
            if not full:
                n_past = 0
                continue
        past[n_past, :m] = D
        past[n_past, m] = Db
        past_dz[n_past] = dz
        n_past += 1
        if n_past == K + 1:
            n_past = 0
            U = past[1:] - past[:-1]
            A = U @ U.T
            A += (1e-10 * np.trace(A) + 1e-300) * np.eye(K)
            c = np.linalg.solve(A, np.ones(K))
            if not np.isfinite(c).all() or c.sum() == 0.0:
                continue
            c /= c.sum()
            x = c @ past[1:]
            x_dz = c @ past_dz[1:]
            outside = False  # an extrapolation is an affine, not a convex, combination: it may leave the box
            for k in range(m):
                if u0[k] + x[k] < lo[k] or u0[k] + x[k] > hi[k]:
                    outside = True
                    break
            if not outside and _model_value(x[:m], x[m], x_dz, g, gb, u0, lam1, lam2, h) < _model_value(
                D, Db, dz, g, gb, u0, lam1, lam2, h
            ):
                D[:] = x[:m]
                Db = x[m]
                dz[:] = x_dz
    return D, Db, sweeps


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
        return _residuals(z, self.y, self.s, self.r, self.h)

    def gradient(self, cols, w):
        """Gradient of the smooth part at the current residuals, for columns ``cols``."""
        out = np.empty(cols.size)
        _column_dots(self.indptr, self.indices, self.data, self.r, cols, out)
        return out + self.lam2[cols] * w[cols]

    def penalty(self, w):
        return float(self.lam1 @ np.abs(w) + 0.5 * self.lam2 @ (w * w))


def solve_working_sets(objective, columns, theta0, *, tol, max_iter, report):
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

    Returns
    -------
    SolverResult
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
    n_iter, passes, message = 0, 1, ""
    last_ws = None
    while True:
        # 1. the whole gradient, one pass over X
        grad = term.gradient(every, w)
        passes += 1
        gb = float(term.r.sum())
        viol = _violations(grad, w, lam1, lo, hi)
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
        stalled = False
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
            _column_curvatures(term.indptr, term.indices, term.data, term.h, ws, hdiag)
            hdiag += lam2[ws]
            # a column whose rows are all fitted to saturation (|z| in the hundreds: separable
            # data, a weak penalty) has curvature 0.0 in float64 and would never move; give it
            # the curvature that makes its Newton step at most max(|w_j|, 1) long
            flat = hdiag <= 1e-10 * hdiag.max(initial=0.0)
            if flat.any():
                v = _violations(g_ws[flat], u0[flat], lam1[ws][flat], lo[ws][flat], hi[ws][flat])
                hdiag[flat] = np.maximum(hdiag[flat], v / np.maximum(np.abs(u0[flat]), 1.0))
            dz = np.zeros(term.n)
            D, Db, _sweeps = _cd_model(
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
                new = _residuals(zt, term.y, term.s, r, h) + rest
                new += float(lam1[ws] @ np.abs(u) + 0.5 * lam2[ws] @ (u * u))
                g_new = np.empty(ws.size)
                _column_dots(term.indptr, term.indices, term.data, r, ws, g_new)
                g_new += lam2[ws] * u
                res = max(
                    float(_violations(g_new, u, lam1[ws], lo[ws], hi[ws]).max(initial=0.0)),
                    abs(float(r.sum())) if fit_b else 0.0,
                )
                return new, res, (u, zt, t * Db, g_new)

            J_new, (u, zt, db, g_new), stalled = backtrack(trial, J, decrease, inner, rounding)
            passes += 1
            if stalled:
                break
            w[ws], b, z, g_ws = u, b + db, zt, g_new
            term.at(z)
            J = J_new
            n_iter += 1
            history.append(J)
        if stalled:
            # the model cannot lower J on this set: one more outer check decides
            grad = term.gradient(every, w)
            gb = float(term.r.sum())
            viol = _violations(grad, w, lam1, lo, hi)
            residual = max(float(viol.max(initial=0.0)), abs(gb) if fit_b else 0.0)
            if residual > tol:
                message = f"no step lowered J beyond its rounding at |grad|_inf = {residual:.3g}"
            break
    theta = np.concatenate([w, [b]]) if fit_b else w
    # the verdict from the objective's own code, not from this solver's bookkeeping
    _, g = objective.value_and_grad(theta)
    gnorm = objective.optimality(theta, g)
    converged = bool(gnorm <= tol)
    if not converged and not message and n_iter < max_iter:
        # J and its gradient here are float64 sums; the objective's own may round more (float32)
        message = f"the data term's own gradient leaves |grad|_inf = {gnorm:.3g}"
    return SolverResult(
        theta, n_iter, converged, history, gnorm, objective.n_passes + passes, message, stalled=bool(message)
    )
