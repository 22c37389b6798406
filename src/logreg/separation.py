"""Separation of the classes: per-class column ranges and Konis' linear programs (2007; R's
``detectseparation``), used by :mod:`logreg.diagnostics`.

The classes are separated when some linear predictor has every row's margin
(beta_{y_i} - beta_j) . x~_i >= 0; completely when > 0.  These functions only
decide and locate; :mod:`logreg.diagnostics` decides when to run them and words
the finding.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy import optimize

__all__ = ["class_ranges", "minimal_support", "separating_direction", "single_feature_separation"]


def class_ranges(X, y, K):
    """Per-class column minimum and maximum, shape (K, d) each (one pass, blocked)."""
    n, d = X.shape
    lo = np.full((K, d), np.inf)
    hi = np.full((K, d), -np.inf)
    if sp.issparse(X):
        for k in range(K):
            Xk = X[y == k]
            if Xk.shape[0]:
                lo[k] = Xk.min(axis=0).toarray().ravel()
                hi[k] = Xk.max(axis=0).toarray().ravel()
        return lo, hi
    rows = max(256, (1 << 20) // (8 * max(d, 1)))
    for a in range(0, n, rows):
        Xb, yb = X[a : a + rows], y[a : a + rows]
        for k in range(K):
            Xk = Xb[yb == k]
            if Xk.shape[0]:
                np.minimum(lo[k], Xk.min(axis=0), out=lo[k])
                np.maximum(hi[k], Xk.max(axis=0), out=hi[k])
    return lo, hi


def single_feature_separation(lo, hi, const, fit_intercept):
    """Features that separate a class from the rest on their own.

    Returns
    -------
    complete, quasi : list of (class index, feature index)
        Ranges disjoint (complete) or touching at one value (quasi).  Without an
        intercept only the threshold 0 is available.
    """
    K = lo.shape[0]
    complete, quasi = [], []
    classes = [1] if K == 2 else range(K)
    for k in classes:
        others = [m for m in range(K) if m != k]
        lo_r, hi_r = lo[others].min(axis=0), hi[others].max(axis=0)
        for j in range(lo.shape[1]):
            if j in const:
                continue
            if fit_intercept:
                full = lo[k, j] > hi_r[j] or hi[k, j] < lo_r[j]
                touch = lo[k, j] >= hi_r[j] or hi[k, j] <= lo_r[j]
            else:
                full = (lo[k, j] > 0 and hi_r[j] < 0) or (hi[k, j] < 0 and lo_r[j] > 0)
                touch = (lo[k, j] >= 0 and hi_r[j] <= 0) or (hi[k, j] <= 0 and lo_r[j] >= 0)
            if full:
                complete.append((k, j))
            elif touch:
                quasi.append((k, j))
    return complete, quasi


def margin_matrix(Xt, y, K):
    """Rows (beta_{y_i} - beta_j) . x~_i for all i and j != y_i, with beta_0 = 0.

    Returns a sparse matrix of shape (n (K-1), (K-1) p) acting on the
    concatenated beta_1..beta_{K-1}.
    """
    n, p = Xt.shape
    blocks = []
    for j in range(K):
        rows = np.flatnonzero(y != j)
        if rows.size == 0:
            continue
        Xr = sp.csr_matrix(Xt[rows])
        parts = []
        for k in range(1, K):
            sign = (y[rows] == k).astype(float) - (j == k)
            parts.append(sp.diags(sign) @ Xr)
        blocks.append(sp.hstack(parts))
    return sp.vstack(blocks).tocsr()


def separating_direction(Xt, y, K, complete, free):
    """Konis' linear programs for separation; None when the classes overlap.

    Parameters
    ----------
    Xt : ndarray of shape (n, p)
        Standardised columns (and the intercept, when fitted).
    y : ndarray of shape (n,)
        Class codes.
    K : int
    complete : bool
        The classes are known to be perfectly separated.
    free : ndarray of bool, shape (p,)
        Columns whose coefficient is free (the intercept): not in the L1 norm.

    Returns
    -------
    ndarray of shape (K - 1, p) or None
        A sparse separating direction (the fewest features the L1 norm finds).
    """
    M = margin_matrix(Xt, y, K)
    m, q = M.shape
    free_all = np.tile(free, K - 1)
    opts = {"method": "highs"}
    if not complete:
        # 1) maximise the total margin subject to every margin >= 0 in a box: positive iff separated
        res = optimize.linprog(
            -np.asarray(M.sum(axis=0)).ravel(), A_ub=-M, b_ub=np.zeros(m), bounds=[(-1, 1)] * q, **opts
        )
        if res.status != 0 or -res.fun <= 1e-7 * max(1.0, m):
            return None
        margins = M @ res.x
        sep_rows = margins > 1e-9
        # 2) the sparsest direction with the same rows strictly separated: min ||beta||_1
        #    s.t. margins >= 0 and the separated rows' total margin >= 1
        A_ub = sp.vstack([-M, -sp.csr_matrix(M[sep_rows].sum(axis=0))])
        b_ub = np.append(np.zeros(m), -1.0)
    else:
        A_ub, b_ub = -M, -np.ones(m)
    # beta = u - v with u, v >= 0; the intercept is free and costs nothing
    c = np.concatenate([np.where(free_all, 0.0, 1.0)] * 2)
    res = optimize.linprog(c, A_ub=sp.hstack([A_ub, -A_ub]), b_ub=b_ub, bounds=[(0, None)] * (2 * q), **opts)
    if res.status != 0:
        return None
    beta = res.x[:q] - res.x[q:]
    return beta.reshape(K - 1, -1)


def separable(Xt, y, K, complete):
    """Whether the columns Xt separate the classes (completely, or at all)."""
    M = margin_matrix(Xt, y, K)
    m, q = M.shape
    if complete:
        res = optimize.linprog(np.zeros(q), A_ub=-M, b_ub=-np.ones(m), bounds=[(None, None)] * q, method="highs")
        return res.status == 0
    res = optimize.linprog(
        -np.asarray(M.sum(axis=0)).ravel(), A_ub=-M, b_ub=np.zeros(m), bounds=[(-1, 1)] * q, method="highs"
    )
    return res.status == 0 and -res.fun > 1e-7 * max(1.0, m)


def minimal_support(Xt, y, K, complete, fit_intercept, support, max_tries=12):
    """Drop features from a separating support while the rest still separate.

    The L1-sparsest direction can lean on a feature it does not need (noise
    helps the hard margin of rows near the boundary); removing features one at
    a time, weakest first, leaves a set in which every feature is needed.
    """
    support = list(support)
    if len(support) > max_tries:
        return support
    off = int(fit_intercept)
    for j in list(support):
        rest = [i for i in support if i != j]
        if not rest:
            break
        cols = ([0] if fit_intercept else []) + [i + off for i in rest]
        if separable(Xt[:, cols], y, K, complete):
            support = rest
    return support
