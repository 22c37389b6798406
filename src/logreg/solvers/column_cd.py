"""The numba loops of the working-set solver (:mod:`logreg.solvers.working_set`): column products
of a CSC X and coordinate descent on a working set's quadratic model."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["cd_model", "column_curvatures", "column_dots", "model_value", "residuals"]

#: Sweeps combined by one Anderson extrapolation.
ANDERSON = 5


@njit(cache=True, parallel=True)
def column_dots(indptr, indices, data, v, cols, out):
    """out[k] = X[:, cols[k]] . v for a CSC X, columns in parallel."""
    for k in prange(cols.size):
        j = cols[k]
        acc = 0.0
        for t in range(indptr[j], indptr[j + 1]):
            acc += data[t] * v[indices[t]]
        out[k] = acc


@njit(cache=True, parallel=True)
def column_curvatures(indptr, indices, data, h, cols, out):
    """out[k] = sum_i h_i X[i, cols[k]]^2 for a CSC X."""
    for k in prange(cols.size):
        j = cols[k]
        acc = 0.0
        for t in range(indptr[j], indptr[j + 1]):
            x = data[t]
            acc += x * x * h[indices[t]]
        out[k] = acc


@njit(cache=True)
def residuals(z, y, s, r, h):
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
def model_value(D, Db, dz, g, gb, u0, lam1, lam2, h):
    """The working set's quadratic model at (D, Db), with dz = X_W D + Db."""
    out = gb * Db
    for i in range(dz.size):
        out += 0.5 * h[i] * dz[i] * dz[i]
    for k in range(D.size):
        out += g[k] * D[k] + 0.5 * lam2[k] * D[k] * D[k] + lam1[k] * abs(u0[k] + D[k])
    return out


@njit(cache=True)
def cd_model(indptr, indices, data, ws, g, hdiag, u0, lam1, lam2, lo, hi, h, fit_b, gb, hb, dz, tol, max_sweeps):
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
            if not outside and model_value(x[:m], x[m], x_dz, g, gb, u0, lam1, lam2, h) < model_value(
                D, Db, dz, g, gb, u0, lam1, lam2, h
            ):
                D[:] = x[:m]
                Db = x[m]
                dz[:] = x_dz
    return D, Db, sweeps
