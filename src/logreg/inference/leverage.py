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

Multinomial fits (K >= 3 classes, unpenalised) have no scalar leverage: in
the identified parameterisation (baseline class 0, contrasts beta_k) row i
contributes K - 1 equations, with the (K-1) x (K-1) blocks::

    V_i = diag(a_i) - a_i a_i^T           (classes 1..K-1)
    Q_i[k, l] = x~_i^T (F^-1)_{kl} x~_i   (F the Fisher information of the contrasts)
    H_ii = V_i^{1/2} Q_i V_i^{1/2}        (row i's diagonal block of the hat matrix)

and score u_i = s_i (r_i kron x~_i), r_i = y_i - a_i.  HC2 and HC3 treat
each row as a cluster of its K - 1 equations and correct its residual vector
as Bell and McCaffrey's CR2 and the jackknife CR3 correct a cluster's
(Pustejovsky and Tipton 2018)::

    HC2   r~_i = V_i^{1/2} (I - H_ii)^{-1/2} V_i^{-1/2} r_i   (symmetric square root)
    HC3   r~_i = (I - V_i Q_i)^{-1} r_i

with the meat sum_i s_i (r~_i kron x~_i)(r~_i kron x~_i)^T (frequency weights;
probability weights scale V_i by s_i and the term by s_i^2, as above).  For
K = 2 both are the binary formulas above (H_ii = h_i).  HC3 is exactly the
sum of the one-step leave-one-out changes F_(i)^-1 u_i, F_(i) the Fisher
information without row i (Woodbury), and ``max_leverage`` reports the
largest eigenvalue of any H_ii.  No published software computes these for a
multinomial logit (sandwich's vcovHC needs hatvalues, which nnet::multinom
lacks), so the tests check the K = 2 reduction, the leave-one-out identity
and HC0 against statsmodels' MNLogit.  Penalised multinomial fits are refused
(their softmax parameters have a singular V_i).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy import special

__all__ = ["LEVERAGE_COV_TYPES", "leverage_meat", "multinomial_leverage_meat", "with_leverage_meat"]

LEVERAGE_COV_TYPES = ("HC2", "HC3")

#: Rows of the densified block [1, X_b] per step.
_BLOCK_ROWS = 4096


def leverage_meat(X, y, sample_weight, params, fit_intercept, bread_inv, cov_type, weight_type, offset=None):
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
    offset : ndarray of shape (n_samples,), optional
        The fit's offsets, added to z.

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
        pr = special.expit(Xt @ params if offset is None else Xt @ params + offset[a:e])
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


def multinomial_leverage_meat(X, codes, sample_weight, B, fit_intercept, bread_inv, cov_type, weight_type, offset=None):
    """The HC2 or HC3 meat of a multinomial fit in the baseline parameterisation, one pass over X.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    codes : ndarray of shape (n_samples,)
        Class codes in [0, K).
    sample_weight : ndarray of shape (n_samples,)
    B : ndarray of shape (K - 1, p)
        The contrasts with class 0, intercept first (only with an intercept).
    fit_intercept : bool
    bread_inv : ndarray of shape ((K - 1) p, (K - 1) p)
        The inverse Fisher information of the contrasts.
    cov_type : {'HC2', 'HC3'}
    weight_type : {'frequency', 'probability'}

    Returns
    -------
    meat : ndarray of shape ((K - 1) p, (K - 1) p)
    max_leverage : float
        The largest eigenvalue of a row's hat block H_ii.
    """
    if cov_type not in LEVERAGE_COV_TYPES:
        raise ValueError(f"cov_type must be one of {LEVERAGE_COV_TYPES}, got {cov_type!r}")
    n = X.shape[0]
    Km1, p = B.shape
    s = np.asarray(sample_weight, dtype=np.float64)
    codes = np.asarray(codes, dtype=np.intp)
    Finv = bread_inv.reshape(Km1, p, Km1, p)
    eye = np.eye(Km1)
    meat = np.zeros((Km1 * p, Km1 * p))
    hmax = 0.0
    rows = max(1, _BLOCK_ROWS // max(1, Km1 * Km1))
    for a in range(0, n, rows):
        e = min(a + rows, n)
        Xb = X[a:e]
        Xb = Xb.toarray() if sp.issparse(Xb) else np.asarray(Xb, dtype=np.float64)
        Xt = np.column_stack([np.ones(e - a), Xb]) if fit_intercept else Xb
        sb = s[a:e]
        keep = sb > 0  # a row of weight zero is not in the sample
        Xt, sb, cb = Xt[keep], sb[keep], codes[a:e][keep]
        if not sb.size:
            continue
        Z = np.column_stack([np.zeros(sb.size), Xt @ B.T])
        if offset is not None:
            Ob = offset[a:e][keep]
            Z += Ob - Ob[:, :1]  # in the baseline parameterisation the scores shift by O_k - O_0
        A = special.softmax(Z, axis=1)[:, 1:]  # (m, K-1)
        R = -A
        hit = cb > 0
        R[np.flatnonzero(hit), cb[hit] - 1] += 1.0
        V = A[:, :, None] * (eye[None] - A[:, None, :])  # (m, K-1, K-1)
        scale = sb if weight_type == "probability" else np.ones(sb.size)
        V = V * scale[:, None, None]
        Q = np.einsum("ip,kplq,iq->ikl", Xt, Finv, Xt, optimize=True)
        lam, U = np.linalg.eigh(V)
        lam = np.clip(lam, 0.0, None)
        root = np.einsum("ikj,ij,ilj->ikl", U, np.sqrt(lam), U)
        H = root @ Q @ root  # (m, K-1, K-1), symmetric
        hlam, hU = np.linalg.eigh(0.5 * (H + np.swapaxes(H, 1, 2)))
        hmax = max(hmax, float(hlam.max(initial=0.0)))
        if cov_type == "HC3":
            # (I - V Q) r~ = r: no inverse of V (exact by Woodbury)
            Rt = np.linalg.solve(eye[None] - V @ Q, R[:, :, None])[:, :, 0]
        else:
            with np.errstate(divide="ignore"):
                inv_root = np.einsum("ikj,ij,ilj->ikl", U, np.where(lam > 0, 1.0 / np.sqrt(lam), 0.0), U)
                m_root = np.einsum("ikj,ij,ilj->ikl", hU, 1.0 / np.sqrt(1.0 - hlam), hU)
            Rt = np.einsum("ikl,ilm,imn,in->ik", root, m_root, inv_root, R, optimize=True)
        c = sb * sb if weight_type == "probability" else sb
        U_rows = (Rt[:, :, None] * Xt[:, None, :]).reshape(sb.size, Km1 * p)
        meat += U_rows.T @ (U_rows * c[:, None])
    return meat, hmax


def with_leverage_meat(st, X, codes, sw, penalty, cov_type, weight_type, offset=None):
    """``st`` (a :class:`logreg.stats.FitStatistics`) with its meats replaced by the HC2 / HC3 meat.

    ``penalty`` is the fit's :class:`logreg.model.PenaltySpec`.

    The leverages use the inverse of the Fisher information (plus the
    penalty's curvature for penalised fits), as the summary's bread; ``offset`` (the fit's,
    checked) enters the probabilities.

    Raises
    ------
    ValueError
        For penalised multinomial fits.
    """
    import dataclasses

    from .covariance import inverse

    if st.n_classes != 2:
        if penalty.curvature or penalty.penalized:
            raise ValueError(
                f"cov_type={cov_type!r} for a multinomial model needs an unpenalised fit (penalty=None): the "
                "leverages are those of the identified baseline parameterisation; use cov_type='HC0' or 'HC1'"
            )
        p = st.n_features + int(st.fit_intercept)
        P = st.params.size
        keep = slice(p, P)
        bread_inv, _ = inverse(st.fisher[keep, keep])
        B = (st.params.reshape(-1, p)[1:] - st.params.reshape(-1, p)[0]).reshape(-1, p)
        meat_c, hmax = multinomial_leverage_meat(
            X, codes, sw, B, st.fit_intercept, bread_inv, cov_type, weight_type, offset
        )
        meat = np.zeros((P, P))
        meat[keep, keep] = meat_c  # the summary reads the contrasts' block
        return dataclasses.replace(st, meat=meat, meat_prob=meat, max_leverage=hmax)
    pen_diag = np.where(st.layout.stats_coef_mask(), penalty.curvature, 0.0)
    bread_inv, _ = inverse(st.fisher + np.diag(pen_diag))
    meat, hmax = leverage_meat(X, codes, sw, st.params, st.fit_intercept, bread_inv, cov_type, weight_type, offset)
    return dataclasses.replace(st, meat=meat, meat_prob=meat, max_leverage=hmax)
