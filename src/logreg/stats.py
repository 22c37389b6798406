"""Statistical inference for a fitted logistic regression: the summary table.

At the end of ``fit`` the estimator calls :func:`fit_statistics`, which, when
it is cheap, makes one extra pass over X and keeps the sufficient statistics
for inference (never X itself)::

    log-likelihood        L      = sum_i s_i [y_i z_i - log(1 + e^{z_i})]
    Fisher information    F      = X~^T diag(s_i a_i (1 - a_i)) X~
    HC0 meat              M      = sum_i s_i   (y_i - a_i)^2 x~_i x~_i^T   (frequency weights)
                          M_prob = sum_i s_i^2 (y_i - a_i)^2 x~_i x~_i^T   (probability weights)

with X~ = [1, X] and the raw sample weights s (not divided by S), so integer
weights give exactly the numbers of repeated rows.  :func:`summarize` turns
them into a :class:`LogisticSummary`:

    nonrobust   V = F^-1
    HC0         V = F^-1 M F^-1
    HC1         V = HC0 * n / (n - k)
    cluster     V = F^-1 (sum_g u_g u_g^T) F^-1 * G/(G-1) * (n-1)/(n-k),
                u_g = sum_{i in g} s_i (y_i - a_i) x~_i

(the cluster correction is statsmodels' default and Stata's).  n is the sum
of the weights for frequency weights and the number of rows with positive
weight for probability weights; k is the number of parameters.

Multinomial models (K >= 3 classes) are reported as statsmodels' ``MNLogit``
and Stata's ``mlogit`` do: the first class is the baseline and each other
class k gets the contrasts ``beta_k - beta_0``.  The softmax parameters of the
fit are not identified without a penalty (adding a vector to every class
leaves the model unchanged), but these contrasts are; their Fisher
information is F with the baseline class's block deleted.

Penalised fits have no valid standard errors: the estimate is biased towards
zero and its sampling distribution is not centred on the truth.  The summary
then uses the inverse of the *penalised* Hessian ``F + P`` (the Laplace
approximation of a Bayesian posterior under the matching Gaussian prior),
says so in a note and emits :class:`~logreg.exceptions.PenalizedInferenceWarning`.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from scipy import linalg, special
from scipy import stats as sps
from threadpoolctl import threadpool_limits

from ._json import jsonable
from ._table import text_table
from .exceptions import PenalizedInferenceWarning
from .penalties import penalty_kind

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "FitStatistics",
    "LogisticSummary",
    "TestResult",
    "compute_statistics",
    "fit_statistics",
    "lr_test",
    "marginal_effects",
    "wald_test",
    "should_store",
    "summarize",
    "term_names",
    "STORE_MAX_PARAMS",
    "STORE_MAX_WORK",
]

#: ``fit`` stores the inference statistics only up to this many parameters ...
STORE_MAX_PARAMS = 1000
#: ... and while n_samples * n_params^2 (the flops of the Fisher information) stays below this.
STORE_MAX_WORK = 2e9

#: Bytes of the densified row block ``[1, X_b]`` (plus its per-class scores) per step.
_BLOCK_BYTES = 1 << 21

COLUMNS = ["coef", "std_err", "z", "p_value", "ci_lower", "ci_upper"]
INTERCEPT_NAME = "const"
COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster")
WEIGHT_TYPES = ("frequency", "probability")


# --------------------------------------------------------------------------- statistics
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


def _stats_params(coef, intercept, n_classes, fit_intercept):
    """Fitted parameters in the stats layout: (K', p) with the intercept first."""
    coef = np.atleast_2d(np.asarray(coef, dtype=np.float64))
    intercept = np.atleast_1d(np.asarray(intercept, dtype=np.float64))
    if fit_intercept:
        B = np.column_stack([intercept[: coef.shape[0]], coef])
    else:
        B = coef.copy()
    return B  # (1, p) for binary, (K, p) for multinomial


def _null_log_likelihood(y, s, n_classes):
    """Intercept-only log-likelihood, in closed form: sum_k S_k log(S_k / S).

    Both statsmodels and Stata compare with this model also when the fitted
    model has no intercept; so do we.
    """
    S_k = np.bincount(y, weights=s, minlength=n_classes).astype(np.float64)
    S = S_k.sum()
    pos = S_k > 0
    return float(np.sum(S_k[pos] * np.log(S_k[pos] / S)))


def _null_with_offset(y, s, n_classes, offset):
    """Log-likelihood of the intercept-only model with the offset, as statsmodels' ``llnull``:
    the intercepts refitted (Newton on the data term of no columns), not the class shares."""
    from .objective import Objective, make_datafit
    from .penalties import NoPenalty
    from .solvers import get_solver

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
        The fit's offsets, added to z (checked by :func:`logreg.objective.check_offset`).

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
    B = _stats_params(coef, intercept, n_classes, fit_intercept)
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
            _null_log_likelihood(y, s, n_classes) if offset is None else _null_with_offset(y, s, n_classes, offset)
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


# --------------------------------------------------------------------------- covariance
def _penalty_curvature(model):
    """The penalty's Hessian on the (un-normalised) log-likelihood scale, per coefficient.

    The estimator minimises (1/S) [sum_i s_i l_i + r(w) / C]; for r = ||w||^2/2
    that adds I / C to the Fisher information (elastic-net: (1 - l1_ratio) / C;
    the L1 part has no curvature).  Returns 0.0 for unpenalised fits.
    """
    kind = penalty_kind(model.penalty, model.C, model.l1_ratio)
    C = float(model.C)
    if kind == "l2":
        return 1.0 / C
    if kind == "elasticnet":
        return (1.0 - float(model.l1_ratio or 0.0)) / C
    return 0.0  # unpenalised, or L1 (no curvature)


def _is_penalized(model):
    return penalty_kind(model.penalty, model.C, model.l1_ratio) is not None


def _inverse(H):
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


def at_bound_mask(model, st):
    """Which parameters (stats layout: per class, the intercept first) the fit left on a
    bound of ``coef_bounds``, shape (P,), or None when the fit had no bounds or none is active.

    A coefficient on its bound is not an interior maximum: the usual standard error (the
    curvature there) says nothing about its sampling distribution, which piles up at the bound.
    """
    box = getattr(model, "coef_bounds_", None)  # absent on models of partial_fit and older files
    if box is None:
        return None
    coef = np.atleast_2d(np.asarray(model.coef_))
    # the solvers stop exactly on a bound; rounding to X's dtype or back from the standardised
    # scale moves it by a few ulps
    eps = 16 * float(np.finfo(coef.dtype if coef.dtype.kind == "f" else np.float64).eps)
    on = np.zeros(coef.shape, dtype=bool)
    for bound in box:
        b = np.broadcast_to(bound, coef.shape)
        fin = np.isfinite(b)
        on |= fin & (np.abs(coef - np.where(fin, b, 0.0)) <= eps * np.maximum(1.0, np.abs(np.where(fin, b, 0.0))))
    if not on.any():
        return None
    lead = np.zeros((on.shape[0], int(st.fit_intercept)), dtype=bool)
    return np.hstack([lead, on]).ravel()


def _inverse_free(H, fixed):
    """:func:`_inverse` on the rows and columns not ``fixed`` (held at their bound), zeros elsewhere."""
    if fixed is None:
        return _inverse(H)
    free = np.flatnonzero(~fixed)
    out = np.zeros_like(H)
    Hinv, singular = _inverse(H[np.ix_(free, free)])
    out[np.ix_(free, free)] = Hinv
    return out, singular


def _covariance(st, model, cov_type, weight_type):
    """Identified parameters and their covariance.

    Parameters on a bound of ``coef_bounds`` (:func:`at_bound_mask`) are held fixed: the
    others' covariance is the inverse of the information on the free parameters, and every
    entry of a parameter that involves a bound one is NaN.

    Returns
    -------
    params : ndarray of shape (k,)
    cov : ndarray of shape (k, k)
    singular : bool
        The Fisher information was singular (pseudo-inverse used).
    """
    fixed_all = at_bound_mask(model, st)
    p = st.n_features + int(st.fit_intercept)
    K = 1 if st.n_classes == 2 else st.n_classes
    P = K * p
    pen = _penalty_curvature(model)
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
        fixed = None if fixed_all is None else fixed_all[keep]
    else:
        H = st.fisher + np.diag(pen_diag)
        params = st.params
        fixed = fixed_all
    Hinv, singular = _inverse_free(H, fixed)
    cov = Hinv if meat is None else Hinv @ meat @ Hinv
    if K > 1 and pen:
        params = D @ params
        cov = D @ cov @ D.T
    if fixed_all is not None:
        bad = fixed_all if D is None else np.any(D[:, fixed_all] != 0, axis=1)
        cov[bad, :] = np.nan
        cov[:, bad] = np.nan
    return params, 0.5 * (cov + cov.T), singular


# --------------------------------------------------------------------------- names
def term_names(model: Any) -> list[str]:
    """Names of the terms: ``const`` then ``feature_names_in_`` (or x0..x{d-1}).

    Parameters
    ----------
    model : LogisticRegression
        A fitted model.

    Returns
    -------
    list of str
    """
    d = model.coef_.shape[1]
    names = getattr(model, "feature_names_in_", None)
    feats = [str(v) for v in names] if names is not None else [f"x{j}" for j in range(d)]
    return ([INTERCEPT_NAME] if model.fit_intercept else []) + feats


# --------------------------------------------------------------------------- summary
class LogisticSummary:
    """The inference table and likelihood measures of a fitted model.

    Built by ``LogisticRegression.summary()``; see :func:`summarize`.

    Attributes
    ----------
    params, std_err, z, p_value, ci_lower, ci_upper : ndarray of shape (k,)
        One entry per term (for K >= 3 classes: per class after the baseline,
        per term).
    cov_params : ndarray of shape (k, k)
    terms : list of str
        Term names (for K >= 3 classes: ``"<class>:<term>"``).
    log_likelihood, null_log_likelihood : float
    llr : float
        Likelihood-ratio statistic 2 (L - L_null).
    llr_pvalue : float
        Its chi-squared p-value with ``df_model`` degrees of freedom.
    df_model : int
        k minus the parameters of the intercept-only null model (K - 1); for
        an L1 or elastic-net fit, the number of non-zero coefficients (glmnet's
        df), and k that plus K - 1.
    df_resid : float
        nobs - k.
    aic, bic : float
        -2 L + 2 k and -2 L + k log(nobs).
    pseudo_r2 : float
        McFadden's 1 - L / L_null.
    deviance : float
        -2 L (0/1 responses: the saturated model has L = 0).
    nobs : float
        Sum of the weights (frequency weights), or rows with positive weight.
    n_iter : int
    converged : bool
    cov_type : str
    alpha : float
    penalized : bool
    valid_inference : bool
        False for penalised fits.
    standardized : bool
        The model was fitted on standardised columns (``standardize=True``);
        the coefficients are on the original scale.
    notes : list of str
    """

    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(kw)

    def __getattr__(self, name: str) -> Any:  # the fields set by summarize (for type checkers)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # -- forms ------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """The coefficient table.

        Returns
        -------
        pandas.DataFrame
            One row per term (index ``term``; for K >= 3 classes a MultiIndex
            ``(class, term)``), columns ``coef, std_err, z, p_value, ci_lower,
            ci_upper``.
        """
        import pandas as pd

        if self.n_classes > 2:
            index = pd.MultiIndex.from_tuples(self._index, names=["class", "term"])
        else:
            index = pd.Index(self.terms, name="term")
        data = np.column_stack([self.params, self.std_err, self.z, self.p_value, self.ci_lower, self.ci_upper])
        return pd.DataFrame(data, index=index, columns=COLUMNS)

    def cov_frame(self) -> pd.DataFrame:
        """``cov_params`` as a DataFrame labelled by term."""
        import pandas as pd

        return pd.DataFrame(self.cov_params, index=self.terms, columns=self.terms)

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain Python values (NaN and inf become None).

        Returns
        -------
        dict
        """
        rows = []
        for i, t in enumerate(self.terms):
            row = {"term": t}
            if self.n_classes > 2:
                row["class"], row["term"] = self._index[i][0], self._index[i][1]
            for c, v in zip(
                COLUMNS, (self.params, self.std_err, self.z, self.p_value, self.ci_lower, self.ci_upper), strict=True
            ):
                row[c] = v[i]
            rows.append(row)
        out = {
            "model": "Logit" if self.n_classes == 2 else "MNLogit",
            "classes": list(self.classes),
            "baseline_class": self.classes[0] if self.n_classes > 2 else None,
            "positive_class": self.classes[1] if self.n_classes == 2 else None,
            "dep_var": self.dep_var,
            "cov_type": self.cov_type,
            "weight_type": self.weight_type,
            "alpha": self.alpha,
            "nobs": self.nobs,
            "n_rows": self.n_rows,
            "df_model": self.df_model,
            "df_resid": self.df_resid,
            "log_likelihood": self.log_likelihood,
            "null_log_likelihood": self.null_log_likelihood,
            "llr": self.llr,
            "llr_pvalue": self.llr_pvalue,
            "pseudo_r2": self.pseudo_r2,
            "aic": self.aic,
            "bic": self.bic,
            "deviance": self.deviance,
            "n_iter": self.n_iter,
            "converged": self.converged,
            "solver": self.solver,
            "penalized": self.penalized,
            "valid_inference": self.valid_inference,
            "n_groups": self.n_groups,
            "ci_method": getattr(self, "ci_method", "wald"),
            "standardized": getattr(self, "standardized", False),
            "per_sd": getattr(self, "per_sd", None),
            "penalized_log_likelihood": getattr(self, "penalized_log_likelihood", None),
            "coefficients": rows,
            "notes": list(self.notes),
        }
        return jsonable(out)

    def to_json(self, **kwargs: Any) -> str:
        """:meth:`to_dict` as a JSON string (``kwargs`` go to ``json.dumps``)."""
        return json.dumps(self.to_dict(), allow_nan=False, **kwargs)

    def __repr__(self):
        return f"<LogisticSummary: {len(self.terms)} terms, cov_type={self.cov_type!r}, log-likelihood={self.log_likelihood:.6g}>"

    def __str__(self):
        return self.as_text()

    def as_text(self, width: int = 78) -> str:
        """A text table in the layout of statsmodels' ``Logit.summary()``."""
        title = ("Logit" if self.n_classes == 2 else "MNLogit") + " Regression Results"
        if self.penalized:
            title = "Penalised " + title
        # a binary model gives the probability of classes[1]: name it, as the report and explain do
        dep = f"{self.dep_var} = {self.classes[1]}" if self.n_classes == 2 else str(self.dep_var)
        left = [
            ("Dep. Variable:", dep),
            ("Model:", "Logit" if self.n_classes == 2 else "MNLogit"),
            ("Method:", "MLE" if not self.penalized else f"penalised ({self.penalty})"),
            ("Solver:", str(self.solver)),
            ("Iterations:", str(self.n_iter)),
            ("converged:", str(self.converged)),
            ("Covariance Type:", self.cov_type),
            ("AIC:", f"{self.aic:.4g}"),
        ]
        right = [
            ("No. Observations:", f"{self.nobs:g}"),
            ("Df Residuals:", f"{self.df_resid:g}"),
            ("Df Model:", f"{self.df_model:d}"),
            ("Pseudo R-squ.:", f"{self.pseudo_r2:.4f}"),
            ("Log-Likelihood:", f"{self.log_likelihood:.5g}"),
            ("LL-Null:", f"{self.null_log_likelihood:.5g}"),
            ("LLR p-value:", f"{self.llr_pvalue:.4g}"),
            ("BIC:", f"{self.bic:.4g}"),
        ]
        half = width // 2
        lines = [title.center(width)]
        if getattr(self, "standardized", False):
            lines.append("Fitted on standardised columns; coefficients on the original scale".center(width))
        lines.append("=" * width)
        for (lk, lv), (rk, rv) in zip(left, right, strict=True):
            lhs = lk + str(lv).rjust(half - 3 - len(lk))
            rhs = rk + str(rv).rjust(width - half - len(rk))
            lines.append(lhs + "   " + rhs)
        lines.append("=" * width)
        lo, hi = self.alpha / 2, 1 - self.alpha / 2
        labels = self._labels()
        label_w = max([len(t) for t in labels] + [12])
        rows = [
            [label.ljust(label_w)]
            + [float(v[i]) for v in (self.params, self.std_err, self.z, self.p_value, self.ci_lower, self.ci_upper)]
            for i, label in enumerate(labels)
        ]
        # column widths from the content: large values widen their column instead of touching the next
        head, *table = text_table(
            ["", "coef", "std err", "z", "P>|z|", f"[{lo:.3g}", f"{hi:.3g}]"], rows, left=1, min_width=11
        )
        table_w = max(width, len(head))
        body = [head, "-" * table_w]
        current = None
        for i, line in enumerate(table):
            if self.n_classes > 2 and self._index[i][0] != current:
                current = self._index[i][0]
                body.append(f"y={current}".ljust(table_w, " "))
            body.append(line)
        lines += body + ["=" * table_w]
        per_sd = getattr(self, "per_sd", None)
        if per_sd:
            lines.append("Per standard deviation of each column (the standardised scale the fit ran on):")
            lines += text_table(["", "coef/sd", "std err/sd"], [list(r) for r in per_sd], left=1, min_width=11)
            lines.append("=" * table_w)
        if self.notes:
            lines.append("Notes:")
            for j, note in enumerate(self.notes, 1):
                lines.append(f"[{j}] {note}")
        return "\n".join(lines)

    def _labels(self):
        if self.n_classes > 2:
            return [t for _, t in self._index]
        return list(self.terms)


def _per_sd(model, labels, params, se):
    """For a ``standardize=True`` fit, each coefficient and its error per standard deviation of
    its column (the scale the fit ran on): rows (label, coef * sd, std err * sd); else None."""
    if not getattr(model, "standardize", False) or getattr(model, "standardize_scale_", None) is None:
        return None
    scale = dict(zip(term_names(model)[-len(model.standardize_scale_) :], model.standardize_scale_, strict=True))
    return [
        (label, float(b * scale[label]), float(e * scale[label]))
        for label, b, e in zip(labels, params, se, strict=True)
        if label in scale
    ]


def _codes_for(model, y):
    classes = model.classes_
    y = np.asarray(y)
    if y.ndim != 1:
        y = y.ravel()
    codes = np.searchsorted(classes, y)
    codes = np.clip(codes, 0, classes.size - 1)
    bad = classes[codes] != y
    if np.any(bad):
        raise ValueError(f"y has labels the model was not fitted on: {np.unique(y[bad])[:5].tolist()}")
    return codes


def summarize(
    model: Any,
    X: Any = None,
    y: Any = None,
    *,
    sample_weight: Any = None,
    cov_type: str = "nonrobust",
    groups: Any = None,
    alpha: float = 0.05,
    weight_type: str = "frequency",
    ci: str | None = None,
    offset: Any = None,
) -> LogisticSummary:
    """Inference table of a fitted :class:`~logreg.LogisticRegression`.

    Parameters
    ----------
    model : LogisticRegression
        A fitted model.
    X : {array-like, sparse matrix} of shape (n_samples, n_features), optional
        The training data.  Without it the statistics stored by ``fit`` are
        used; it is needed for ``cov_type='cluster'`` and when the fit was too
        large to store them.
    y : array-like of shape (n_samples,), optional
        The training labels (with X).
    sample_weight : array-like of shape (n_samples,), optional
        The training weights (with X); the model's ``class_weight`` is applied
        on top, as in ``fit``.
    cov_type : {'nonrobust', 'HC0', 'HC1', 'HC2', 'HC3', 'cluster'}, default='nonrobust'
        'nonrobust' inverts the Fisher information; 'HC0' and 'HC1' are the
        sandwich estimators (HC1 = HC0 n/(n-k)); 'HC2' and 'HC3' divide each
        row's squared score by (1 - h_i) and (1 - h_i)^2, h_i its leverage, as
        R's ``sandwich::vcovHC`` for glm (they need X and y; for K >= 3
        classes, unpenalised fits, each row's residual vector is corrected by
        its hat block as CR2 / CR3 correct a cluster: see
        :mod:`logreg.inference.leverage`); 'cluster' is
        cluster-robust by ``groups`` with statsmodels' (and Stata's)
        small-sample correction.  Note that statsmodels' discrete models and
        GLM give HC0 for 'HC1', 'HC2' and 'HC3'.
    groups : array-like of shape (n_samples,), optional
        Cluster labels, required for (and only used by) ``cov_type='cluster'``.
    alpha : float, default=0.05
        Confidence intervals are at level 1 - alpha.
    weight_type : {'frequency', 'probability'}, default='frequency'
        How to read the sample weights: as counts of repeated rows (n = sum of
        weights; matches ``fit``'s "integer weights equal repeated rows") or as
        sampling weights (n = rows with positive weight; the sandwich meat
        uses squared weights, as Stata's ``pweight``).
    ci : {'wald', 'profile'}, optional
        'wald': estimate +- z_{1-alpha/2} std_err; 'profile': the
        profile-likelihood interval, as R's ``confint`` for glm (unpenalised
        fits, also multinomial ones, or Firth fits, with X and y; see
        :mod:`logreg.inference.profile`).  Default 'profile' for
        ``penalty='firth'`` (logistf's), else 'wald'.  Firth fits also get
        penalised likelihood-ratio p-values and need X and y.
    offset : array-like of shape (n_samples,) or (n_samples, n_classes), optional
        The training offsets (with X), as given to ``fit``.

    Returns
    -------
    LogisticSummary

    Raises
    ------
    ValueError
        When the statistics are needed from X and y and they were not given.

    Warns
    -----
    PenalizedInferenceWarning
        For penalised fits (penalty not None and C finite).
    """
    from sklearn.utils.validation import _check_sample_weight, check_is_fitted

    from ._validation import class_weights

    check_is_fitted(model)
    if cov_type not in COV_TYPES:
        raise ValueError(f"cov_type must be one of {COV_TYPES}, got {cov_type!r}")
    if weight_type not in WEIGHT_TYPES:
        raise ValueError(f"weight_type must be one of {WEIGHT_TYPES}, got {weight_type!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    if cov_type == "cluster" and groups is None:
        raise ValueError("cov_type='cluster' needs groups: one cluster label per row of X")
    if groups is not None and cov_type != "cluster":
        raise ValueError(f"groups is only used with cov_type='cluster', got cov_type={cov_type!r}")
    firth = model.penalty == "firth"
    ci = ("profile" if firth else "wald") if ci is None else ci
    if ci not in ("wald", "profile"):
        raise ValueError(f"ci must be 'wald' or 'profile', got {ci!r}")
    if (firth or ci == "profile") and X is None:
        what = "Firth's penalised likelihood-ratio tests" if firth else "profile-likelihood intervals"
        raise ValueError(f"{what} refit the model with coefficients held: pass the training data, model.summary(X, y)")
    if firth and cov_type != "nonrobust":
        raise ValueError(f"a Firth fit's summary has cov_type='nonrobust' only (logistf's), got {cov_type!r}")
    if (firth or ci == "profile") and weight_type != "frequency":
        raise ValueError(
            "likelihood-ratio p-values and profile intervals read the weights as frequencies (a likelihood); "
            "with sampling weights use ci='wald' and a robust cov_type (e.g. 'HC0')"
        )
    if ci == "profile" and not firth and _is_penalized(model):
        raise ValueError("ci='profile' needs an unpenalised fit (penalty=None) or penalty='firth'")
    n_classes = model.classes_.size
    if offset is not None and X is None:
        raise ValueError("offset is only used together with X: model.summary(X, y, offset=offset)")
    if offset is not None and ci == "profile":
        raise ValueError("ci='profile' is not available with an offset yet; use ci='wald'")

    if X is not None:
        if y is None:
            raise ValueError("summary(X, y): y is needed together with X")
        Xv = model._check_X(X)
        codes = _codes_for(model, y)
        if codes.shape[0] != Xv.shape[0]:
            raise ValueError(f"X has {Xv.shape[0]} rows but y has {codes.shape[0]}")
        sw = _check_sample_weight(sample_weight, Xv, dtype=np.float64, ensure_non_negative=True)
        if model.class_weight is not None:
            sw = sw * class_weights(model.class_weight, model.classes_, codes, sw)[codes]
        from .offset import check_offset

        offset = check_offset(offset, Xv.shape[0], n_classes)
        st = compute_statistics(
            Xv,
            codes,
            n_classes,
            sw,
            model.coef_,
            model.intercept_,
            model.fit_intercept,
            groups=groups,
            offset=offset,
        )
        if cov_type in ("HC2", "HC3"):
            from .inference.leverage import with_leverage_meat

            st = with_leverage_meat(st, Xv, codes, sw, model, cov_type, weight_type, offset)
    else:
        if cov_type in ("HC2", "HC3"):
            raise ValueError(
                f"cov_type={cov_type!r} needs each row's leverage, which fit does not store: "
                f"pass the training data, model.summary(X, y, cov_type={cov_type!r})"
            )
        if cov_type == "cluster":
            raise ValueError(
                "cov_type='cluster' needs the per-cluster scores, which fit does not store: "
                "pass the training data, model.summary(X, y, cov_type='cluster', groups=groups)"
            )
        if y is not None or sample_weight is not None:
            raise ValueError("y and sample_weight are only used together with X: model.summary(X, y, ...)")
        stored: FitStatistics | None = getattr(model, "_stats_", None)
        if stored is None:
            raise ValueError(
                "this model has no stored inference statistics: the fit was too large to keep them (more than "
                f"{STORE_MAX_PARAMS} parameters or n_samples * n_params^2 > {STORE_MAX_WORK:.0e}), or the model "
                "was loaded from a file; pass X and y: model.summary(X, y, sample_weight=...)"
            )
        st = stored
        current = _stats_params(model.coef_, model.intercept_, n_classes, model.fit_intercept).ravel()
        if current.shape != st.params.shape or not np.allclose(current, st.params, rtol=1e-12, atol=0):
            raise ValueError(
                "the coefficients changed since fit stored its statistics; pass X and y: model.summary(X, y)"
            )

    params, cov, singular = _covariance(st, model, cov_type, weight_type)
    k = params.size
    nobs = st.weight_sum if weight_type == "frequency" else float(st.n_rows)
    if cov_type == "HC1":
        cov = cov * (nobs / (nobs - k))
    elif cov_type == "cluster":
        G = st.n_groups or 0
        if G < 2:
            raise ValueError("cov_type='cluster' needs at least two groups")
        cov = cov * (G / (G - 1.0) * (nobs - 1.0) / (nobs - k))

    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
        z = params / se
    pval = 2.0 * sps.norm.sf(np.abs(z))
    q = sps.norm.ppf(1.0 - alpha / 2.0)

    feats = term_names(model)
    if n_classes > 2:
        index = [(_label(c), t) for c in model.classes_[1:] for t in feats]
        terms = [f"{c}:{t}" for c, t in index]
    else:
        index, terms = None, feats

    # the null model has one intercept per non-baseline class (also when the model has none,
    # as statsmodels and Stata): the LR test has the difference in parameters as df
    df_model = k - (n_classes - 1)
    kind = penalty_kind(model.penalty, model.C, model.l1_ratio)
    sparse = kind in ("l1", "elasticnet")
    if sparse:
        # an L1 fit's degrees of freedom are its non-zero coefficients (glmnet's df; statsmodels'
        # fit_regularized counts them the same way for df_model, df_resid, AIC and BIC)
        df_model = int(np.count_nonzero(model.coef_))
        k = df_model + (n_classes - 1)
    ll, ll0 = st.log_likelihood, st.null_log_likelihood
    llr = 2.0 * (ll - ll0)
    penalized = _is_penalized(model)

    notes = []
    if penalized and not firth:
        msg = (
            f"Penalised fit (penalty={penalty_kind(model.penalty, model.C, model.l1_ratio)!r}, C={model.C:g}): the estimates are shrunk towards zero, "
            "so these standard errors, z, p-values and intervals are NOT valid inference. They use the inverse "
            "penalised Hessian (a Laplace approximation, Bayesian under the matching Gaussian prior). "
            "Refit with penalty=None for frequentist inference."
        )
        notes.append(msg)
        warnings.warn(msg, PenalizedInferenceWarning, stacklevel=3)
    if sparse:
        notes.append(
            f"Df Model counts the {df_model} non-zero coefficients of the {kind} fit (of {model.coef_.size}), "
            "as glmnet's df and statsmodels' fit_regularized; Df Residuals, AIC and BIC use the same count."
        )
    if cov_type == "nonrobust":
        notes.append("Covariance matrix from the inverse Fisher information (observed = expected for the logit link).")
    elif cov_type in ("HC0", "HC1"):
        corr = "" if cov_type == "HC0" else f", times n/(n-k) = {nobs:g}/{nobs - k:g}"
        notes.append(f"Heteroscedasticity-robust sandwich covariance ({cov_type}{corr}).")
    elif cov_type in ("HC2", "HC3") and n_classes > 2:
        notes.append(
            f"Heteroscedasticity-robust sandwich covariance ({cov_type}: each row's residual vector corrected by "
            f"(I - H_ii)^{'-1/2' if cov_type == 'HC2' else '-1'}, H_ii its (K-1)x(K-1) hat block, as CR2/CR3 with "
            f"a row as a cluster; largest eigenvalue of an H_ii = {st.max_leverage:.3g})."
        )
    elif cov_type in ("HC2", "HC3"):
        notes.append(
            f"Heteroscedasticity-robust sandwich covariance ({cov_type}: squared scores divided by "
            f"(1 - h_i){'' if cov_type == 'HC2' else '^2'}, h_i the leverage; largest h_i = {st.max_leverage:.3g})."
        )
    else:
        notes.append(f"Cluster-robust covariance over {st.n_groups} groups, with the correction G/(G-1)*(n-1)/(n-k).")
    if n_classes > 2:
        notes.append(
            f"Multinomial coefficients are contrasts with the baseline class {_label(model.classes_[0])} "
            "(statsmodels MNLogit / Stata mlogit parameterisation)."
        )
    if not st.unit_weights:
        notes.append(f"Sample weights read as {weight_type} weights (n = {nobs:g}).")
    if model.class_weight is not None:
        notes.append(
            "class_weight reweights the likelihood: these are statistics of a weighted pseudo-likelihood; "
            "prefer cov_type='HC0' with weight_type='probability'."
        )
    held = at_bound_mask(model, st)
    if held is not None:
        notes.append(
            f"{int(held.sum())} coefficient(s) ended on a bound of coef_bounds: their standard errors, z, "
            "p-values and intervals (and those of contrasts involving them) are NaN, as a bound estimate has no "
            "Wald inference; the others are computed with those held fixed."
        )
    if singular:
        notes.append(
            "The Fisher information is singular (collinear columns or separation): a pseudo-inverse was used "
            "and the standard errors are not reliable."
        )
    if not getattr(model, "converged_", True):
        notes.append("The solver did not converge: the estimates and the statistics may be off.")
    for diag in getattr(model, "_diagnostics_", None) or []:
        notes.append(diag.message)

    summary = LogisticSummary(
        n_classes=n_classes,
        classes=[_label(c) for c in model.classes_],
        dep_var="y",
        terms=terms,
        _index=index,
        params=params,
        std_err=se,
        z=z,
        p_value=pval,
        ci_lower=params - q * se,
        ci_upper=params + q * se,
        cov_params=cov,
        cov_type=cov_type,
        weight_type=weight_type,
        alpha=float(alpha),
        nobs=nobs,
        n_rows=st.n_rows,
        n_groups=st.n_groups if cov_type == "cluster" else None,
        df_model=int(df_model),
        df_resid=nobs - k,
        log_likelihood=ll,
        null_log_likelihood=ll0,
        llr=llr,
        llr_pvalue=float(sps.chi2.sf(llr, df_model)) if df_model > 0 else float("nan"),
        pseudo_r2=1.0 - ll / ll0 if ll0 != 0 else float("nan"),
        aic=-2.0 * ll + 2.0 * k,
        bic=-2.0 * ll + k * math.log(nobs),
        deviance=-2.0 * ll,
        n_iter=int(np.max(model.n_iter_)),
        converged=bool(getattr(model, "converged_", True)),
        solver=getattr(model, "solver_", None),
        penalized=penalized,
        standardized=bool(getattr(model, "standardize", False)),
        per_sd=_per_sd(model, terms if index is None else [t for _, t in index], params, se),
        penalty=penalty_kind(model.penalty, model.C, model.l1_ratio),
        valid_inference=not penalized,
        notes=notes,
        ci_method="wald",
    )
    if firth or ci == "profile":
        from .inference.profile import apply_profile

        apply_profile(summary, model, Xv, codes, sw, ci)
    return summary


def _label(c):
    """A class label as a plain Python value (JSON-friendly)."""
    return c.item() if isinstance(c, np.generic) else c


# tests of hypotheses and marginal effects live in logreg.inference; re-exported here
from .inference.hypothesis import TestResult, lr_test, wald_test  # noqa: E402
from .inference.margins import marginal_effects  # noqa: E402
