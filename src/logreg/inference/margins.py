"""Marginal effects dP/dx of a fitted model, with delta-method standard errors.

With the identified parameters theta (the rows B_k of the summary: for two
classes B_1 = [b, w], B_0 = 0; for K >= 3 classes the contrasts with the
baseline class, B_0 = 0) and P_ik = softmax_k(x~_i^T B), the effect of
feature j on the probability of class k at row i is::

    m_ikj = P_ik (B_kj - sum_l P_il B_lj)        (two classes, k = 1: p_i (1 - p_i) w_j)

'overall' averages m_ikj over the rows with weights s_i (statsmodels'
``get_margeff(at="overall")``); 'mean' evaluates it at the (weighted) mean
row.  The standard errors are sqrt(diag(J V J^T)), V the summary's covariance
of theta and J = d m / d theta, analytic::

    d m_kj / d theta_lc = G_kl (x~_c D_kj + [c = j]) - P_k P_l x~_c D_lj
    G_kl = P_k ([k = l] - P_l),   D_kj = B_kj - sum_m P_m B_mj

averaged like m.  Two classes report class 1 only (as statsmodels' ``Logit``),
K >= 3 classes every class (as ``MNLogit``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy import special
from scipy import stats as sps

from ..model import as_fitted, label

__all__ = ["MARGEFF_COLUMNS", "marginal_effects", "margins_table"]

MARGEFF_COLUMNS = ["dydx", "std_err", "z", "p_value", "ci_lower", "ci_upper"]
AT = ("overall", "mean")

#: Bytes of the per-block Jacobian terms (rows x K x K x d x p doubles).
_BLOCK_BYTES = 1 << 24


def effects_and_jacobian(X, s, B, fit_intercept, offset=None):
    """Weighted average effects and their Jacobian over the rows of X.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n, d)
    s : ndarray of shape (n,)
        Row weights (they are normalised by their sum).
    B : ndarray of shape (K, p)
        Identified parameters with the baseline row B[0] = 0; p = d + fit_intercept.
    fit_intercept : bool
    offset : ndarray of shape (n, K), optional
        Added to the class scores (the baseline's column included); a constant of the
        model, so only the probabilities change, not the form of the derivatives.

    Returns
    -------
    effects : ndarray of shape (K, d)
    jacobian : ndarray of shape (K, d, K - 1, p)
        d effects[k, j] / d B[l + 1, c].
    """
    n, d = X.shape
    K, p = B.shape
    off = int(fit_intercept)
    Bf = B[:, off:]  # (K, d) feature coefficients
    eff = np.zeros((K, d))
    jac = np.zeros((K, d, K - 1, p))
    rows = max(1, _BLOCK_BYTES // (8 * K * K * max(d, 1) * p))
    eye = np.eye(K)
    for a in range(0, n, rows):
        e = min(a + rows, n)
        Xb = X[a:e]
        Xb = Xb.toarray() if sp.issparse(Xb) else np.asarray(Xb, dtype=np.float64)
        Xt = np.column_stack([np.ones(e - a), Xb]) if fit_intercept else Xb
        sb = s[a:e]
        scores = Xt @ B.T if offset is None else Xt @ B.T + offset[a:e]
        A = special.softmax(scores, axis=1)  # (nb, K)
        D = Bf[None, :, :] - (A @ Bf)[:, None, :]  # (nb, K, d)
        eff += np.einsum("i,ik,ikj->kj", sb, A, D)
        G = A[:, :, None] * (eye[None] - A[:, None, :])  # (nb, K, K)
        Gl, Al, Dl = G[:, :, 1:], A[:, 1:], D[:, 1:, :]
        jac += np.einsum("i,ikl,ic,ikj->kjlc", sb, Gl, Xt, D, optimize=True)
        jac -= np.einsum("i,ik,il,ic,ilj->kjlc", sb, A, Al, Xt, Dl, optimize=True)
        # the [c = j] term: the coefficient of feature j is column j + off
        gsum = np.einsum("i,ikl->kl", sb, Gl)
        for j in range(d):
            jac[:, j, :, j + off] += gsum
    S = float(s.sum())
    return eff / S, jac / S


def marginal_effects(
    model, X, at="overall", *, y=None, sample_weight=None, cov_type="nonrobust", alpha=0.05, offset=None, **summary_kw
):
    """Marginal effects dP/dx_j with delta-method standard errors, as a DataFrame.

    The numbers are :func:`margins_table`'s; this adds the pandas labels.

    Parameters
    ----------
    model : logreg.model.FittedModel or fitted LogisticRegression
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The rows to average the effects over (usually the training data).
    at : {'overall', 'mean'}, default='overall'
        'overall': the (weighted) average of the effects over the rows
        (average marginal effects); 'mean': the effects at the (weighted)
        mean row.
    y : array-like of shape (n_samples,), optional
        The training labels: with them the covariance of the parameters is
        recomputed from (X, y) (needed for ``cov_type`` 'HC2', 'HC3',
        'cluster'); without them the statistics stored by ``fit`` are used.
    sample_weight : array-like of shape (n_samples,), optional
        Row weights of the average (and the training weights, with y).
    cov_type : str, default='nonrobust'
        Covariance of the parameters, as in :meth:`LogisticRegression.summary`.
    alpha : float, default=0.05
        Intervals at level 1 - alpha.
    offset : array-like of shape (n_samples,) or (n_samples, n_classes), optional
        The rows' offsets, for a model fitted with one (statsmodels refuses margins with
        an offset; here the probabilities include it); 'mean' takes their weighted mean.
    **summary_kw
        ``groups``, ``weight_type``: passed to the summary.

    Returns
    -------
    pandas.DataFrame
        Indexed by feature (two classes) or by (class, feature) (K >= 3),
        columns ``dydx, std_err, z, p_value, ci_lower, ci_upper``.
    """
    import pandas as pd

    index, table = margins_table(
        model, X, at, y=y, sample_weight=sample_weight, cov_type=cov_type, alpha=alpha, offset=offset, **summary_kw
    )
    if as_fitted(model).n_classes == 2:
        return pd.DataFrame(table, index=pd.Index([t for _, t in index], name="term"), columns=MARGEFF_COLUMNS)
    return pd.DataFrame(table, index=pd.MultiIndex.from_tuples(index, names=["class", "term"]), columns=MARGEFF_COLUMNS)


def margins_table(
    model, X, at="overall", *, y=None, sample_weight=None, cov_type="nonrobust", alpha=0.05, offset=None, **summary_kw
):
    """The numbers of :func:`marginal_effects` without pandas.

    Parameters are those of :func:`marginal_effects`.

    Returns
    -------
    index : list of (class, term) tuples
        Two classes: the class ``classes_[1]`` only.
    table : ndarray of shape (len(index), 6)
        Columns ``MARGEFF_COLUMNS``: dydx, std_err, z, p_value, ci_lower, ci_upper.
    """
    from sklearn.utils.validation import _check_sample_weight

    from ..offset import check_offset
    from .summary import summarize

    model = as_fitted(model)
    if at not in AT:
        raise ValueError(f"at must be one of {AT}, got {at!r}")
    summary_kw.setdefault("ci", "wald")  # the delta method needs no profile intervals
    Xv = model.matrix(X)
    s = _check_sample_weight(sample_weight, Xv, dtype=np.float64, ensure_non_negative=True)
    if y is None:
        summ = summarize(model, cov_type=cov_type, alpha=alpha, **summary_kw)
    else:
        summ = summarize(
            model, X, y, sample_weight=sample_weight, cov_type=cov_type, alpha=alpha, offset=offset, **summary_kw
        )
    K = model.n_classes
    scores_offset = check_offset(offset, Xv.shape[0], K)
    if scores_offset is not None and K == 2:
        # the offset moves class 1's score; class 0 is the baseline
        scores_offset = np.column_stack([np.zeros(scores_offset.size), scores_offset])
    p = model.layout.block_size
    B = np.vstack([np.zeros((1, p)), summ.params.reshape(K - 1, p)])
    if at == "mean":
        xbar = np.asarray(Xv.T @ s).ravel() / s.sum()
        scores_offset = None if scores_offset is None else (s @ scores_offset / s.sum())[None, :]
        Xv, s = xbar[None, :], np.ones(1)
    eff, jac = effects_and_jacobian(Xv, s, B, model.fit_intercept, scores_offset)
    d = eff.shape[1]
    J = jac.reshape(K * d, (K - 1) * p)
    cov = J @ summ.cov_params @ J.T
    dydx = eff.ravel()
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = dydx / se
    q = sps.norm.ppf(1.0 - alpha / 2.0)
    table = np.column_stack([dydx, se, z, 2.0 * sps.norm.sf(np.abs(z)), dydx - q * se, dydx + q * se])
    feats = model.names
    if K == 2:
        return [(label(model.classes[1]), f) for f in feats], table[d:]
    return [(label(c), f) for c in model.classes for f in feats], table
