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

__all__ = ["covariance", "inverse"]


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


def covariance(st: FitStatistics, penalty: PenaltySpec, cov_type: str, weight_type: str):
    """Identified parameters and their covariance.

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
    else:
        H = st.fisher + np.diag(pen_diag)
        params = st.params
    Hinv, singular = inverse(H)
    cov = Hinv if meat is None else Hinv @ meat @ Hinv
    if K > 1 and pen:
        params = D @ params
        cov = D @ cov @ D.T
    return params, 0.5 * (cov + cov.T), singular
