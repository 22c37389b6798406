"""HC2 and HC3 sandwich meats from the leverages of the weighted hat matrix.

For a binary logit with weights s_i and fitted probabilities p_i, the hat
matrix of the iteratively reweighted least-squares fit is
W^{1/2} X~ (X~^T W X~)^-1 X~^T W^{1/2} with W = diag(s_i p_i (1 - p_i)), so
the leverage of row i is::

    h_i = s_i p_i (1 - p_i) x~_i^T F^-1 x~_i,    F = X~^T W X~

and, with the score u_i = s_i (y_i - p_i) x~_i, the meats are::

    HC2   M = sum_i u_i u_i^T / (1 - h_i)
    HC3   M = sum_i u_i u_i^T / (1 - h_i)^2

This is R's ``sandwich::vcovHC(glm_fit, type = "HC2" / "HC3")`` (prior weights
s_i; meatHC with omega = res^2 / (1 - h) or / (1 - h)^2) and is what
``weight_type='probability'`` computes.  With ``weight_type='frequency'`` a
weight counts repeated rows: each copy has leverage p_i (1 - p_i)
x~_i^T F^-1 x~_i and the meat sums s_i (y_i - p_i)^2 x~_i x~_i^T / (1 - h_i)^k,
so integer weights give exactly the numbers of the repeated data.  With unit
weights both are the same.

statsmodels' ``GLM.fit(cov_type="HC2" / "HC3")`` does not implement these:
for GLM (and Logit) it silently returns HC0 (statsmodels 0.14 / 0.15), so the
tests check these meats against an independent implementation of sandwich's
formula with statsmodels' GLM leverages (``get_hat_matrix_diag``).

Multinomial fits have no scalar leverage per row (each row's block of the hat
matrix is (K-1) x (K-1)); they are refused.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy import special

__all__ = ["LEVERAGE_COV_TYPES", "leverage_meat", "with_leverage_meat"]

LEVERAGE_COV_TYPES = ("HC2", "HC3")

#: Rows of the densified block [1, X_b] per step.
_BLOCK_ROWS = 4096


def leverage_meat(X, y, sample_weight, params, fit_intercept, bread_inv, cov_type, weight_type):
    """The HC2 or HC3 meat of a binary fit, one pass over X.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        0/1 class codes.
    sample_weight : ndarray of shape (n_samples,)
        Raw weights (class weights multiplied in).
    params : ndarray of shape (p,)
        ``[b, w_1, ..., w_d]`` (intercept first, only with an intercept).
    fit_intercept : bool
    bread_inv : ndarray of shape (p, p)
        The inverse of the Fisher information F (of the penalised Hessian for
        penalised fits) used for the leverages.
    cov_type : {'HC2', 'HC3'}
    weight_type : {'frequency', 'probability'}

    Returns
    -------
    meat : ndarray of shape (p, p)
    max_leverage : float
        The largest h_i (a value near 1 makes the correction blow up).
    """
    if cov_type not in LEVERAGE_COV_TYPES:
        raise ValueError(f"cov_type must be one of {LEVERAGE_COV_TYPES}, got {cov_type!r}")
    power = 1.0 if cov_type == "HC2" else 2.0
    n = X.shape[0]
    p = params.size
    s = np.asarray(sample_weight, dtype=np.float64)
    meat = np.zeros((p, p))
    hmax = 0.0
    for a in range(0, n, _BLOCK_ROWS):
        e = min(a + _BLOCK_ROWS, n)
        Xb = X[a:e]
        Xb = Xb.toarray() if sp.issparse(Xb) else np.asarray(Xb, dtype=np.float64)
        Xt = np.column_stack([np.ones(e - a), Xb]) if fit_intercept else Xb
        pr = special.expit(Xt @ params)
        v = pr * (1.0 - pr)
        sb = s[a:e]
        quad = np.einsum("ij,jk,ik->i", Xt, bread_inv, Xt)
        if weight_type == "probability":
            h = sb * v * quad
            c = sb * sb
        else:
            h = v * quad
            c = sb.copy()
        h = np.where(sb > 0, h, 0.0)  # a row of weight zero is not in the sample
        hmax = max(hmax, float(h.max(initial=0.0)))
        with np.errstate(divide="ignore"):
            omega = c * (y[a:e] - pr) ** 2 / (1.0 - h) ** power
        omega = np.where(c > 0, omega, 0.0)
        meat += Xt.T @ (Xt * omega[:, None])
    return meat, hmax


def with_leverage_meat(st, X, codes, sw, model, cov_type, weight_type):
    """``st`` (a :class:`logreg.stats.FitStatistics`) with its meats replaced by the HC2 / HC3 meat.

    The leverages use the inverse of the Fisher information (plus the
    penalty's curvature for penalised fits), as the summary's bread.

    Raises
    ------
    ValueError
        For multinomial fits.
    """
    import dataclasses

    from ..stats import _inverse, _penalty_curvature

    if st.n_classes != 2:
        raise ValueError(
            f"cov_type={cov_type!r} is defined for binary models only (a multinomial row has no scalar "
            "leverage); use cov_type='HC0' or 'HC1'"
        )
    pen_diag = np.full(st.params.size, _penalty_curvature(model))
    if st.fit_intercept:
        pen_diag[0] = 0.0
    bread_inv, _ = _inverse(st.fisher + np.diag(pen_diag))
    meat, hmax = leverage_meat(X, codes, sw, st.params, st.fit_intercept, bread_inv, cov_type, weight_type)
    return dataclasses.replace(st, meat=meat, meat_prob=meat, max_leverage=hmax)
