"""Reference optima computed without logreg: the objective in numpy, minimised by others.

The objective is scikit-learn's (seed 002's cross-entropy, seed 003's softmax
for K >= 3), written out here in float64 on the data points::

    J(W, b) = (1/S) sum_i s_i l_i + alpha (l1_ratio ||W||_1 + (1 - l1_ratio) ||W||^2 / 2),
    alpha = 1 / (C S)

Smooth penalties are minimised by scikit-learn (newton-cholesky, then lbfgs
from there, at tol 1e-12); L1 and elastic net by scipy's L-BFGS-B on the
split W = U - V, U, V >= 0, where the L1 term is linear.  Each reference is
certified by its KKT residual (the minimum-norm subgradient of J, computed
here), so a reference that is not an optimum fails loudly instead of
excusing a solver.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from scipy import optimize, special

__all__ = ["objective", "kkt", "reference_optimum"]


def _dense64(X):
    return X.toarray().astype(np.float64) if sp.issparse(X) else np.asarray(X, dtype=np.float64)


def _parts(X, y, sw, K):
    X = _dense64(X)
    s = np.ones(X.shape[0]) if sw is None else np.asarray(sw, dtype=np.float64)
    Y = np.eye(K)[y] if K > 2 else y.astype(np.float64)
    return X, Y, s


def _loss_grad(X, Y, s, W, b, K):
    """(mean loss, dW, db) of the data term; W (K', d), b (K',) with K' = 1 for binary."""
    S = s.sum()
    Z = X @ W.T + b
    if K == 2:
        z = Z[:, 0]
        loss = np.logaddexp(0.0, z) - Y * z
        r = s * (special.expit(z) - Y) / S
        return float(s @ loss) / S, (r @ X)[None, :], np.array([r.sum()])
    logp = special.log_softmax(Z, axis=1)
    loss = -np.sum(Y * logp, axis=1)
    R = (np.exp(logp) - Y) * (s / S)[:, None]
    return float(s @ loss) / S, R.T @ X, R.sum(axis=0)


def objective(X, y, coef, intercept, *, C, l1_ratio=0.0, sample_weight=None):
    """J at (coef, intercept) in float64, shape-agnostic (coef (1, d) or (K, d)).

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n, d)
    y : ndarray of shape (n,), integer codes
    coef : ndarray of shape (1, d) or (K, d)
    intercept : ndarray of shape (1,) or (K,)
    C : float
        np.inf for no penalty.
    l1_ratio : float
    sample_weight : ndarray of shape (n,) or None

    Returns
    -------
    float
    """
    K = int(np.max(y)) + 1 if np.ndim(coef) == 2 and np.shape(coef)[0] > 1 else 2
    X, Y, s = _parts(X, y, sample_weight, K)
    W, b = np.atleast_2d(np.asarray(coef, dtype=np.float64)), np.atleast_1d(np.asarray(intercept, dtype=np.float64))
    f = _loss_grad(X, Y, s, W, b, K)[0]
    if np.isfinite(C):
        a = 1.0 / (C * s.sum())
        f += a * (l1_ratio * np.abs(W).sum() + 0.5 * (1.0 - l1_ratio) * np.sum(W * W))
    return f


def kkt(X, y, coef, intercept, *, C, l1_ratio=0.0, sample_weight=None, fit_intercept=True):
    """Max-norm of the minimum-norm subgradient of J at (coef, intercept)."""
    K = int(np.max(y)) + 1 if np.shape(coef)[0] > 1 else 2
    X, Y, s = _parts(X, y, sample_weight, K)
    W, b = np.atleast_2d(np.asarray(coef, dtype=np.float64)), np.atleast_1d(np.asarray(intercept, dtype=np.float64))
    _, gW, gb = _loss_grad(X, Y, s, W, b, K)
    if np.isfinite(C):
        a = 1.0 / (C * s.sum())
        gW = gW + a * (1.0 - l1_ratio) * W
        t = a * l1_ratio
        gW = np.where(W != 0, gW + t * np.sign(W), np.sign(gW) * np.maximum(np.abs(gW) - t, 0.0))
    parts = [np.abs(gW).max()] + ([np.abs(gb).max()] if fit_intercept else [])
    return float(max(parts))


def _sklearn_smooth(X, y, sw, C):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression as SK

    kw = {"C": C}  # C = inf: no penalty (scikit-learn >= 1.8 spells it so)
    X = _dense64(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        m = SK(solver="newton-cholesky", tol=1e-12, max_iter=1000, **kw).fit(X, y, sample_weight=sw)
        if X.shape[0] > 50_000:
            return m.coef_, m.intercept_  # its KKT residual certifies it; lbfgs would take minutes
        # lbfgs from there: a second opinion that can only lower J
        m2 = SK(solver="lbfgs", tol=1e-12, max_iter=20000, warm_start=True, **kw)
        m2.coef_, m2.intercept_ = m.coef_.copy(), m.intercept_.copy()
        m2.fit(X, y, sample_weight=sw)
    return min(
        ((m.coef_, m.intercept_), (m2.coef_, m2.intercept_)), key=lambda p: objective(X, y, *p, C=C, sample_weight=sw)
    )


def _scipy_l1(X, y, sw, C, l1_ratio, K, fit_intercept=True):
    X, Y, s = _parts(X, y, sw, K)
    k = 1 if K == 2 else K
    d = X.shape[1]
    a = 1.0 / (C * s.sum())

    def fun(v):
        U, V, b = v[: k * d].reshape(k, d), v[k * d : 2 * k * d].reshape(k, d), v[2 * k * d :]
        W = U - V
        f, gW, gb = _loss_grad(X, Y, s, W, b, K)
        f += a * (l1_ratio * (U.sum() + V.sum()) + 0.5 * (1.0 - l1_ratio) * np.sum(W * W))
        gW = gW + a * (1.0 - l1_ratio) * W
        return f, np.concatenate([(gW + a * l1_ratio).ravel(), (-gW + a * l1_ratio).ravel(), gb])

    v0 = np.zeros(2 * k * d + k)
    bounds = [(0, None)] * (2 * k * d) + [(None, None) if fit_intercept else (0, 0)] * k
    opts = {"maxiter": 100000, "maxfun": 200000, "gtol": 1e-14, "ftol": 1e-16, "maxcor": 30}
    res = optimize.minimize(fun, v0, jac=True, method="L-BFGS-B", bounds=bounds, options=opts)
    v = res.x
    W = v[: k * d].reshape(k, d) - v[k * d : 2 * k * d].reshape(k, d)
    W[np.abs(W) < 1e-13] = 0.0
    return W, v[2 * k * d :]


def reference_optimum(X, y, *, C, l1_ratio=0.0, sample_weight=None, fit_intercept=True):
    """(J*, coef, intercept) of the objective, computed without logreg and KKT-certified.

    ``fit_intercept=False`` (intercepts held at 0) is offered for L1 and elastic net.

    Raises
    ------
    AssertionError
        When the reference's KKT residual is above 1e-7 (it would not be an optimum).
    """
    K = max(2, int(np.max(y)) + 1)
    if not np.isfinite(C) or l1_ratio == 0.0:
        if not fit_intercept:
            raise NotImplementedError("the smooth references always fit an intercept")
        coef, intercept = _sklearn_smooth(X, y, sample_weight, C)
    else:
        coef, intercept = _scipy_l1(X, y, sample_weight, C, l1_ratio, K, fit_intercept)
    kw = {"C": C, "l1_ratio": l1_ratio if np.isfinite(C) else 0.0, "sample_weight": sample_weight}
    r = kkt(X, y, coef, intercept, fit_intercept=fit_intercept, **kw)
    assert r <= 1e-7, f"the reference is not an optimum: KKT residual {r:.3g}"
    return objective(X, y, coef, intercept, **kw), coef, intercept
