"""A tight unpenalised fit, for tests that compare inference with statsmodels or R."""

from __future__ import annotations

import warnings

from logreg import LogisticRegression

#: Unpenalised, to the precision where inference equals statsmodels' and Stata's digits.
TIGHT = {"penalty": None, "tol": 1e-11, "max_iter": 200}


def tight_fit(X, y, sample_weight=None, **kw):
    """``LogisticRegression(**TIGHT, **kw).fit(X, y, sample_weight)``, its warnings silenced
    (separation and convergence warnings are what some of these tests provoke)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LogisticRegression(**{**TIGHT, **kw}).fit(X, y, sample_weight=sample_weight)
