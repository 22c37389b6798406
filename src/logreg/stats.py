"""Statistical inference for a fitted logistic regression: the summary table.

At the end of ``fit`` the estimator keeps, when it is cheap, the sufficient statistics of
:mod:`logreg.inference.statistics` (log-likelihood L, Fisher information F, the HC0 meats
M and M_prob; never X itself).  :func:`summarize` turns them into a :class:`LogisticSummary`:

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

This module is the public face; the code is in :mod:`logreg.inference`:
``statistics`` (the record and its block loop), ``covariance`` (the inverse and
the sandwiches), ``table`` (:class:`LogisticSummary`) and ``summary``
(:func:`summarize`).
"""

from __future__ import annotations

from typing import Any

from .inference.hypothesis import TestResult, lr_test, wald_test
from .inference.margins import marginal_effects
from .inference.statistics import (
    STORE_MAX_PARAMS,
    STORE_MAX_WORK,
    FitStatistics,
    compute_statistics,
    fit_statistics,
    should_store,
)
from .inference.summary import COV_TYPES, WEIGHT_TYPES, summarize
from .inference.table import COLUMNS, LogisticSummary
from .layout import INTERCEPT_NAME
from .model import as_fitted

__all__ = [
    "COLUMNS",
    "COV_TYPES",
    "INTERCEPT_NAME",
    "STORE_MAX_PARAMS",
    "STORE_MAX_WORK",
    "WEIGHT_TYPES",
    "FitStatistics",
    "LogisticSummary",
    "TestResult",
    "compute_statistics",
    "fit_statistics",
    "lr_test",
    "marginal_effects",
    "should_store",
    "summarize",
    "term_names",
    "wald_test",
]


def term_names(model: Any) -> list[str]:
    """Names of the terms: ``const`` (with an intercept) then the features (or x0..x{d-1}).

    Parameters
    ----------
    model : logreg.model.FittedModel or fitted LogisticRegression

    Returns
    -------
    list of str
    """
    return as_fitted(model).term_names()
