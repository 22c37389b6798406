"""The sufficient statistics for inference at a fit: one pass over X, blocked.

At the end of ``fit`` the estimator calls :func:`fit_statistics`, which, when
it is cheap, makes one extra pass over X and keeps the sufficient statistics
for inference (never X itself)::

    log-likelihood        L      = sum_i s_i [y_i z_i - log(1 + e^{z_i})]
    Fisher information    F      = X~^T diag(s_i a_i (1 - a_i)) X~
    HC0 meat              M      = sum_i s_i   (y_i - a_i)^2 x~_i x~_i^T   (frequency weights)
                          M_prob = sum_i s_i^2 (y_i - a_i)^2 x~_i x~_i^T   (probability weights)

with X~ = [1, X] and the raw sample weights s (not divided by S), so integer
weights give exactly the numbers of repeated rows.  The parameters are in the
statistics order of :class:`logreg.layout.ParamLayout` (the intercept first in
each class block).  :func:`logreg.stats.summarize` turns them into the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy import special
from threadpoolctl import threadpool_limits

from ..layout import ParamLayout

__all__ = [
    "FitStatistics",
    "STORE_MAX_PARAMS",
    "STORE_MAX_WORK",
    "compute_statistics",
    "fit_statistics",
    "null_log_likelihood",
    "should_store",
]

#: ``fit`` stores the inference statistics only up to this many parameters ...
STORE_MAX_PARAMS = 1000
#: ... and while n_samples * n_params^2 (the flops of the Fisher information) stays below this.
STORE_MAX_WORK = 2e9

#: Bytes of the densified row block ``[1, X_b]`` (plus its per-class scores) per step.
_BLOCK_BYTES = 1 << 21


@dataclass
class FitStatistics:
    """Sufficient statistics for inference at the fitted parameters.

    Parameters are laid out as ``[b, w_1, ..., w_d]`` (intercept first, only
    with an intercept), and for K >= 3 classes as K such blocks, class by
    class in the order of ``classes_``.

    Attributes
    ----------
    n_classes : int
    fit_intercept : bool
    n_features : int
    weight_sum : float
        S, the sum of the sample weights.
    n_rows : int
        Rows with a positive weight.
    unit_weights : bool
        True when every weight is 1 (then ``meat_prob`` equals ``meat``).
    log_likelihood : float
    null_log_likelihood : float
        Of the intercept-only model (class shares), as statsmodels and Stata.
    params : ndarray of shape (P,)
    fisher : ndarray of shape (P, P)
    meat : ndarray of shape (P, P)
        HC0 meat with frequency weights, sum_i s_i u_i u_i^T.
    meat_prob : ndarray of shape (P, P) or None
        HC0 meat with probability weights, sum_i s_i^2 u_i u_i^T; None when
        ``unit_weights``.
    cluster_meat : ndarray of shape (P, P) or None
        sum_g u_g u_g^T over the groups given to :func:`compute_statistics`.
    n_groups : int or None
    max_leverage : float or None
        The largest leverage h_i, when the meats are the HC2 / HC3 ones.
    """

    n_classes: int
    fit_intercept: bool
    n_features: int
    weight_sum: float
    n_rows: int
    unit_weights: bool
    log_likelihood: float
    null_log_likelihood: float
    params: np.ndarray
    fisher: np.ndarray
    meat: np.ndarray
    meat_prob: np.ndarray | None = None
    cluster_meat: np.ndarray | None = None
    n_groups: int | None = None
    max_leverage: float | None = None

    @property
    def layout(self) -> ParamLayout:
        """The parameter layout the statistics are in (their own order: :meth:`ParamLayout.stats_order`)."""
        return ParamLayout(self.n_features, self.n_classes, self.fit_intercept)


def should_store(n_samples: int, n_params: int) -> bool:
    """Whether ``fit`` stores the inference statistics (cheap enough).

    Parameters
    ----------
    n_samples, n_params : int

    Returns
    -------
    bool
    """
    return n_params <= STORE_MAX_PARAMS and float(n_samples) * float(n_params) ** 2 <= STORE_MAX_WORK


def null_log_likelihood(y, s, n_classes):
    """Intercept-only log-likelihood, in closed form: sum_k S_k log(S_k / S).

    Both statsmodels and Stata compare with this model also when the fitted
    model has no intercept; so do we.
    """
    S_k = np.bincount(y, weights=s, minlength=n_classes).astype(np.float64)
    S = S_k.sum()
    pos = S_k > 0
    return float(np.sum(S_k[pos] * np.log(S_k[pos] / S)))


def null_with_offset(y, s, n_classes, offset):
    """Log-likelihood of the intercept-only model with the offset, as statsmodels' ``llnull``:
    the intercepts refitted (Newton on the data term of no columns), not the class shares."""
    from ..objective import Objective, make_datafit
    from ..penalties import NoPenalty
    from ..solvers import get_solver

    term = make_datafit(np.zeros((y.size, 0)), y, n_classes, s, offset=offset, engine="graph")
    result = get_solver("newton")(tol=1e-10, max_iter=100).solve(Objective(term, NoPenalty()), np.zeros(term.n_params))
    return -float(s.sum()) * term.value(result.theta)


def _missing_labels(groups):
    """Number of None / NaN entries in a 1-d label array."""
    if groups.dtype.kind == "f":
        return int(np.isnan(groups).sum())
    if groups.dtype.kind == "O":
        return sum(v is None or (isinstance(v, float) and v != v) for v in groups.tolist())
    return 0


def compute_statistics(
    X: Any,
    y: np.ndarray,
    n_classes: int,
    sample_weight: np.ndarray | None,
    coef: np.ndarray,
    intercept: np.ndarray,
    fit_intercept: bool,
    *,
    groups: Any = None,
    offset: np.ndarray | None = None,
) -> FitStatistics:
    """One pass over X: log-likelihood, Fisher information and HC0 meats.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        Integer class codes in [0, n_classes).
    n_classes : int
    sample_weight : ndarray of shape (n_samples,) or None
        Raw weights (class weights already multiplied in).
    coef : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept : ndarray of shape (1,) or (n_classes,)
    fit_intercept : bool
    groups : array-like of shape (n_samples,), optional
        Cluster labels; adds the cluster-robust meat.
    offset : ndarray of shape (n_samples,) or (n_samples, n_classes), optional
        The fit's offsets, added to z (checked by :func:`logreg.offset.check_offset`).

    Returns
    -------
    FitStatistics
    """
    n, d = X.shape
    y = np.asarray(y, dtype=np.intp)
    if sample_weight is None:
        s = np.ones(n)
    else:
        s = np.asarray(sample_weight, dtype=np.float64)
    unit = bool(np.all(s == 1.0))
    B = ParamLayout(d, n_classes, fit_intercept).stats_params(coef, intercept)
    p = B.shape[1]
    binary = n_classes == 2
    K = 1 if binary else n_classes
    P = K * p

    gcodes = None
    n_groups = None
    if groups is not None:
        groups = np.asarray(groups)
        if groups.shape != (n,):
            raise ValueError(f"groups must have one label per row: shape ({n},), got {groups.shape}")
        missing = _missing_labels(groups)
        if missing:
            raise ValueError(
                f"groups has {missing} missing cluster labels (None or NaN) of {n}; give every row a cluster "
                "label, or drop those rows (with the same rows of X and y) first"
            )
        try:
            _, gcodes = np.unique(groups, return_inverse=True)
        except TypeError:
            raise ValueError(
                "groups mixes label types (e.g. numbers and strings) that cannot be ordered; give every row "
                "a cluster label of one type, e.g. groups.astype(str)"
            ) from None
        # a cluster whose rows all have weight zero is not in the sample (as repeated rows)
        n_groups = int(np.unique(gcodes[s > 0]).size)
        gcodes = gcodes.ravel()
        cluster_scores = np.zeros((int(gcodes.max()) + 1 if n else 0, P))

    fisher = np.zeros((P, P))
    meat = np.zeros((P, P))
    meat_prob = None if unit else np.zeros((P, P))
    ll = 0.0
    rows = max(64, _BLOCK_BYTES // (8 * max(P, 1)))
    # the products below are skinny (rows x P): one BLAS thread does them as fast on an idle
    # machine, and a busy one made threaded BLAS 100x slower (2.6 s per block, measured)
    with threadpool_limits(limits=1, user_api="blas"):
        for a in range(0, n, rows):
            e = min(a + rows, n)
            Xb = X[a:e]
            Xb = Xb.toarray() if sp.issparse(Xb) else np.asarray(Xb)
            Xt = np.empty((e - a, p))
            if fit_intercept:
                Xt[:, 0] = 1.0
                Xt[:, 1:] = Xb
            else:
                Xt[:] = Xb
            sb, yb = s[a:e], y[a:e]
            if binary:
                z = Xt @ B[0] if offset is None else Xt @ B[0] + offset[a:e]
                pr = special.expit(z)
                ll += float(sb @ (yb * z - np.logaddexp(0.0, z)))
                fisher += Xt.T @ (Xt * (sb * pr * (1.0 - pr))[:, None])
                r = yb - pr
                U = Xt * r[:, None]  # per-row scores u_i, (nb, p)
            else:
                Z = Xt @ B.T if offset is None else Xt @ B.T + offset[a:e]
                logp = special.log_softmax(Z, axis=1)
                ll += float(sb @ logp[np.arange(e - a), yb])
                A = np.exp(logp)
                # F[k, l] = sum_i s_i a_ik (delta_kl - a_il) x~_i x~_i^T, block by block
                for k in range(K):
                    for m in range(k, K):
                        c = sb * A[:, k] * ((k == m) - A[:, m])
                        blk = Xt.T @ (Xt * c[:, None])
                        fisher[k * p : (k + 1) * p, m * p : (m + 1) * p] += blk
                        if m != k:
                            fisher[m * p : (m + 1) * p, k * p : (k + 1) * p] += blk.T
                R = -A
                R[np.arange(e - a), yb] += 1.0
                U = (R[:, :, None] * Xt[:, None, :]).reshape(e - a, P)
            meat += U.T @ (U * sb[:, None])
            if meat_prob is not None:
                meat_prob += U.T @ (U * (sb * sb)[:, None])
            if gcodes is not None:
                np.add.at(cluster_scores, gcodes[a:e], U * sb[:, None])

    cluster_meat = cluster_scores.T @ cluster_scores if gcodes is not None else None
    return FitStatistics(
        n_classes=int(n_classes),
        fit_intercept=bool(fit_intercept),
        n_features=int(d),
        weight_sum=float(s.sum()),
        n_rows=int(np.count_nonzero(s > 0)),
        unit_weights=unit,
        log_likelihood=ll,
        null_log_likelihood=(
            null_log_likelihood(y, s, n_classes) if offset is None else null_with_offset(y, s, n_classes, offset)
        ),
        params=B.ravel(),
        fisher=fisher,
        meat=meat,
        meat_prob=meat_prob,
        cluster_meat=cluster_meat,
        n_groups=n_groups,
    )


def fit_statistics(
    X: Any,
    y: np.ndarray,
    n_classes: int,
    sample_weight: np.ndarray | None,
    coef: np.ndarray,
    intercept: np.ndarray,
    fit_intercept: bool,
    offset: np.ndarray | None = None,
) -> FitStatistics | None:
    """:func:`compute_statistics` when :func:`should_store` says it is cheap, else None.

    Called once at the end of ``LogisticRegression.fit``; the parameters are
    those of :func:`compute_statistics`.

    Returns
    -------
    FitStatistics or None
    """
    p = X.shape[1] + int(fit_intercept)
    n_params = p * (1 if n_classes == 2 else n_classes)
    if not should_store(X.shape[0], n_params):
        return None
    return compute_statistics(X, y, n_classes, sample_weight, coef, intercept, fit_intercept, offset=offset)
