"""The covariance of the identified parameters: the inverse (penalised) Fisher information,
or a sandwich of it around a meat (HC0 ... HC3, cluster).

    nonrobust   V = F^-1
    HC0         V = F^-1 M F^-1            (HC1 scales it by n / (n - k) in the summary)
    cluster     V = F^-1 (sum_g u_g u_g^T) F^-1

Multinomial models (K >= 3 classes) are reported as statsmodels' ``MNLogit`` and
Stata's ``mlogit`` do: the first class is the baseline and each other class k
gets the contrasts ``beta_k - beta_0``; their Fisher information is F with the
baseline class's block deleted.  Penalised fits use ``F + P``, P the penalty's
curvature on the coefficients (never on the intercepts).
"""

from __future__ import annotations

import numpy as np
from scipy import linalg

from ..model import PenaltySpec
from .statistics import FitStatistics

__all__ = ["at_bound_mask", "covariance", "inverse"]


def inverse(H):
    """Inverse of a symmetric PSD matrix; the pseudo-inverse when singular.

    Returns
    -------
    Hinv : ndarray
    singular : bool
    """
    try:
        c = linalg.cho_factor(H, check_finite=False)
        Hinv = linalg.cho_solve(c, np.eye(H.shape[0]), check_finite=False)
        if np.all(np.isfinite(Hinv)):
            # Cholesky succeeds on some numerically singular matrices; check conditioning
            dg = np.sqrt(np.clip(np.diag(H), 1e-300, None))
            corr = H / np.outer(dg, dg)
            if np.linalg.cond(corr) < 1e12:
                return Hinv, False
    except (linalg.LinAlgError, ValueError):
        pass
    return linalg.pinvh(H), True


def at_bound_mask(coef, coef_bounds, fit_intercept):
    """Which parameters (statistics order: per class, the intercept first) the fit left on a
    bound of ``coef_bounds``, shape (P,), or None when the fit had no bounds or none is active.

    A coefficient on its bound is not an interior maximum: the usual standard error (the
    curvature there) says nothing about its sampling distribution, which piles up at the bound.

    Parameters
    ----------
    coef : ndarray of shape (n_rows, n_features)
    coef_bounds : (lower, upper) of ndarray of coef's shape, or None
        The FittedModel's ``coef_bounds``.
    fit_intercept : bool

    Returns
    -------
    ndarray of shape (n_rows * (n_features + fit_intercept),), bool, or None
    """
    if coef_bounds is None:
        return None
    coef = np.atleast_2d(np.asarray(coef))
    # the solvers stop exactly on a bound; rounding to X's dtype or back from the standardised
    # scale moves it by a few ulps
    eps = 16 * float(np.finfo(coef.dtype if coef.dtype.kind == "f" else np.float64).eps)
    on = np.zeros(coef.shape, dtype=bool)
    for bound in coef_bounds:
        b = np.broadcast_to(bound, coef.shape)
        fin = np.isfinite(b)
        bf = np.where(fin, b, 0.0)
        on |= fin & (np.abs(coef - bf) <= eps * np.maximum(1.0, np.abs(bf)))
    if not on.any():
        return None
    lead = np.zeros((on.shape[0], int(fit_intercept)), dtype=bool)
    return np.hstack([lead, on]).ravel()


def _inverse_free(H, fixed):
    """:func:`inverse` on the rows and columns not ``fixed`` (held at their bound), zeros elsewhere."""
    if fixed is None:
        return inverse(H)
    free = np.flatnonzero(~fixed)
    out = np.zeros_like(H)
    Hinv, singular = inverse(H[np.ix_(free, free)])
    out[np.ix_(free, free)] = Hinv
    return out, singular


def covariance(st: FitStatistics, penalty: PenaltySpec, cov_type: str, weight_type: str, fixed=None):
    """Identified parameters and their covariance.

    Parameters on a bound of ``coef_bounds`` (``fixed``, from :func:`at_bound_mask`) are
    held fixed: the others' covariance is the inverse of the information on the free
    parameters, and every entry of a parameter that involves a bound one is NaN.

    Parameters
    ----------
    st : FitStatistics
    penalty : logreg.model.PenaltySpec
    cov_type : {'nonrobust', 'HC0', 'HC1', 'HC2', 'HC3', 'cluster'}
    weight_type : {'frequency', 'probability'}
    fixed : ndarray of shape (P,), bool, optional
        Parameters (statistics order) held at a bound.

    Returns
    -------
    params : ndarray of shape (k,)
    cov : ndarray of shape (k, k)
    singular : bool
        The Fisher information was singular (pseudo-inverse used).
    """
    p = st.n_features + int(st.fit_intercept)
    K = 1 if st.n_classes == 2 else st.n_classes
    P = K * p
    pen = penalty.curvature
    pen_diag = np.zeros(P)
    if pen:
        for k in range(K):
            pen_diag[k * p + int(st.fit_intercept) : (k + 1) * p] = pen
    if cov_type == "nonrobust":
        meat = None
    elif cov_type in ("HC0", "HC1", "HC2", "HC3"):
        meat = st.meat if (weight_type == "frequency" or st.meat_prob is None) else st.meat_prob
    else:
        meat = st.cluster_meat

    if K == 1:
        D = None  # identity: the binary parameters are identified
    else:
        # contrasts with the baseline (first) class: theta_k - theta_0, k = 1..K-1
        D = np.zeros(((K - 1) * p, P))
        for k in range(1, K):
            D[(k - 1) * p : k * p, k * p : (k + 1) * p] = np.eye(p)
            D[(k - 1) * p : k * p, :p] = -np.eye(p)

    if K > 1 and not pen:
        # unpenalised softmax: work in the identified baseline parameterisation, where the
        # Fisher information (and the meats) are the full ones without the baseline's block
        keep = slice(p, P)
        H = st.fisher[keep, keep]
        meat = None if meat is None else meat[keep, keep]
        params = D @ st.params
        held = None if fixed is None else fixed[keep]
    else:
        H = st.fisher + np.diag(pen_diag)
        params = st.params
        held = fixed
    Hinv, singular = _inverse_free(H, held)
    cov = Hinv if meat is None else Hinv @ meat @ Hinv
    if K > 1 and pen:
        params = D @ params
        cov = D @ cov @ D.T
    if fixed is not None:
        bad = fixed if D is None else np.any(D[:, fixed] != 0, axis=1)
        cov[bad, :] = np.nan
        cov[:, bad] = np.nan
    return params, 0.5 * (cov + cov.T), singular
