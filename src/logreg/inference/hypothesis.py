"""Tests of hypotheses on fitted models: likelihood ratio of nested fits, Wald of R beta = q.

    LR     2 (L_full - L_restricted)  ~ chi2(k_full - k_restricted)
    Wald   (R b - q)^T (R V R^T)^-1 (R b - q)  ~ chi2(rank R)

L are the maximised log-likelihoods kept by ``fit`` (:mod:`logreg.stats`), b
and V the estimates and covariance of :func:`logreg.stats.summarize` (for
K >= 3 classes the contrasts with the baseline class, in the order of the
summary's ``terms``).  Both are the large-sample chi-squared tests that
statsmodels' ``LogitResults.wald_test`` (with ``use_f=False``) and the
log-likelihood difference of two ``Logit`` fits give.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg
from scipy import stats as sps

from ..model import as_fitted

__all__ = ["TestResult", "lr_test", "wald_test"]


@dataclass(frozen=True)
class TestResult:
    """A chi-squared test.

    Attributes
    ----------
    statistic : float
    df : int
        Degrees of freedom of the chi-squared reference distribution.
    p_value : float
    test : str
        'likelihood ratio' or 'wald'.
    """

    __test__ = False  # not a pytest class

    statistic: float
    df: int
    p_value: float
    test: str

    def to_dict(self):
        """The fields as plain Python values."""
        return {"test": self.test, "statistic": self.statistic, "df": self.df, "p_value": self.p_value}

    def __str__(self):
        return f"{self.test} test: chi2({self.df}) = {self.statistic:.6g}, p = {self.p_value:.4g}"


def _n_identified(st):
    """Identified parameters of a fit: p (binary) or (K - 1) p (baseline contrasts)."""
    p = st.n_features + int(st.fit_intercept)
    return p if st.n_classes == 2 else (st.n_classes - 1) * p


def _checked_statistics(model, role):
    model = as_fitted(model)
    if model.penalty.firth:
        raise ValueError(
            f"the {role} model is a Firth fit: its penalised likelihood-ratio tests are in "
            "model.summary(X, y) (p_value, llr); lr_test compares unpenalised fits (penalty=None)"
        )
    if model.penalty.penalized:
        raise ValueError(
            f"lr_test needs unpenalised maximum-likelihood fits: the {role} model has penalty={model.penalty.kind!r}, "
            f"C={model.penalty.C:g}; refit it with penalty=None"
        )
    st = model.statistics
    if st is None:
        raise ValueError(
            f"the {role} model has no stored log-likelihood (a fit too large to store its statistics, or a model "
            "loaded from a file); refit it"
        )
    return model, st


def lr_test(restricted, full):
    """Likelihood-ratio test of a restricted model against a full model that nests it.

    Parameters
    ----------
    restricted, full : logreg.model.FittedModel or fitted LogisticRegression
        Unpenalised fits (``penalty=None``) on the same rows, labels and
        weights; ``full`` has more parameters (e.g. more feature columns).
        That the restricted model is a special case of the full one (its
        columns span a subspace of the full model's) is the caller's claim:
        only the parameter counts, the data and the likelihoods are checked.

    Returns
    -------
    TestResult
        ``statistic = 2 (L_full - L_restricted)``, ``df = k_full -
        k_restricted``, ``p_value`` from chi2(df).

    Raises
    ------
    ValueError
        For penalised fits, fits on different data (sum of weights, rows or
        class counts differ), different classes, a "full" model without more
        parameters, or one that fits worse than the restricted model.
    """
    restricted, st_r = _checked_statistics(restricted, "restricted")
    full, st_f = _checked_statistics(full, "full")
    if not np.array_equal(np.asarray(restricted.classes), np.asarray(full.classes)):
        raise ValueError(
            f"the models were fitted on different classes: {list(restricted.classes)} and {list(full.classes)}"
        )
    same = (
        st_r.n_rows == st_f.n_rows
        and np.isclose(st_r.weight_sum, st_f.weight_sum, rtol=1e-12, atol=0)
        and np.isclose(st_r.null_log_likelihood, st_f.null_log_likelihood, rtol=1e-10, atol=1e-10)
    )
    if not same:
        raise ValueError(
            "the models were not fitted on the same data: "
            f"{st_r.n_rows} vs {st_f.n_rows} rows, weight sums {st_r.weight_sum:g} vs {st_f.weight_sum:g}, "
            f"intercept-only log-likelihoods {st_r.null_log_likelihood:.6g} vs {st_f.null_log_likelihood:.6g}; "
            "fit both on the same rows (drop missing values before, not per model)"
        )
    k_r, k_f = _n_identified(st_r), _n_identified(st_f)
    if k_f <= k_r:
        raise ValueError(
            f"the models are not nested: the restricted model has {k_r} parameters and the full model {k_f}; "
            "pass the smaller model first: lr_test(restricted, full)"
        )
    ll_r, ll_f = st_r.log_likelihood, st_f.log_likelihood
    stat = 2.0 * (ll_f - ll_r)
    # the optimiser's tolerance can make a nested fit a hair worse; more is not nesting
    if stat < -1e-6 * max(1.0, abs(ll_f)):
        raise ValueError(
            f"the full model fits worse than the restricted one (log-likelihoods {ll_f:.8g} < {ll_r:.8g}): "
            "they are not nested, or a fit did not converge"
        )
    stat = max(stat, 0.0)
    df = k_f - k_r
    return TestResult(statistic=float(stat), df=int(df), p_value=float(sps.chi2.sf(stat, df)), test="likelihood ratio")


def _restriction_matrix(R, q, terms):
    """(R, q) as float arrays from a matrix, a vector or a constraint string."""
    if isinstance(R, str):
        try:
            from patsy import DesignInfo
        except ImportError as exc:  # pragma: no cover - patsy comes with statsmodels
            raise ImportError("constraint strings need patsy (pip install patsy); or pass R as a matrix") from exc
        if q is not None:
            raise ValueError("q is part of the constraint string ('x1 = 1'); do not pass it too")
        try:
            lc = DesignInfo(list(terms)).linear_constraint(R)
        except Exception as exc:  # patsy raises its own PatsyError
            reason = str(exc).splitlines()[0]  # patsy draws a caret under the token on the next lines
            raise ValueError(f"cannot read the constraint {R!r}: {reason}; the terms are {list(terms)}") from None
        return np.asarray(lc.coefs, dtype=np.float64), np.asarray(lc.constants, dtype=np.float64).ravel()
    R = np.atleast_2d(np.asarray(R, dtype=np.float64))
    if R.ndim != 2 or R.shape[1] != len(terms):
        raise ValueError(f"R must have one column per term ({len(terms)}: {list(terms)}), got shape {np.shape(R)}")
    q = np.zeros(R.shape[0]) if q is None else np.atleast_1d(np.asarray(q, dtype=np.float64)).ravel()
    if q.shape != (R.shape[0],):
        raise ValueError(f"q must have one value per row of R ({R.shape[0]}), got shape {q.shape}")
    return R, q


def wald_test(model, R, q=None, **summary_kw):
    """Wald test of the linear restrictions R beta = q on one fit.

    Parameters
    ----------
    model : logreg.model.FittedModel or fitted LogisticRegression
    R : array-like of shape (m, k) or (k,), or str
        One row per restriction, one column per term of ``model.summary()``
        (``const`` first, then the features; for K >= 3 classes the
        ``"<class>:<term>"`` contrasts).  A string such as
        ``"x1 = 0, x2 = x3"`` names the terms (parsed by patsy, as
        statsmodels does).
    q : array-like of shape (m,), optional
        Right-hand side; zeros by default.
    **summary_kw
        Passed to :meth:`LogisticRegression.summary` for the covariance:
        ``X, y, sample_weight, cov_type, groups, weight_type``.

    Returns
    -------
    TestResult
        ``df = m`` (the rows of R).

    Raises
    ------
    ValueError
        When R has the wrong number of columns, linearly dependent rows, or
        the string cannot be read.
    """
    from .summary import summarize

    if "alpha" in summary_kw:
        raise TypeError("wald_test has no alpha: it returns a p-value")
    summary_kw.setdefault("ci", "wald")  # the test needs no profile intervals
    s = summarize(model, **summary_kw)
    R, q = _restriction_matrix(R, q, s.terms)
    m = R.shape[0]
    if np.linalg.matrix_rank(R) < m:
        raise ValueError(f"the {m} restrictions are linearly dependent (rank of R < {m}); drop the redundant rows")
    r = R @ s.params - q
    RVR = R @ s.cov_params @ R.T
    try:
        stat = float(r @ linalg.solve(RVR, r, assume_a="pos"))
    except (linalg.LinAlgError, ValueError):
        raise ValueError("R V R^T is singular: the restricted combinations have no variance") from None
    return TestResult(statistic=stat, df=int(m), p_value=float(sps.chi2.sf(stat, m)), test="wald")
