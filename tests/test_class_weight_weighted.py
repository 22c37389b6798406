"""class_weight='balanced' with sample weights: the weighted class totals, as scikit-learn >= 1.7."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from logreg import LogisticRegression, LogisticRegressionCV

TIGHT = dict(tol=1e-10, max_iter=1000)


def _data(K=3, n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    y = np.argmax(X @ rng.standard_normal((4, K)) + rng.gumbel(size=(n, K)), axis=1)
    y[: n // 2] = 0  # unbalanced
    w = rng.integers(1, 4, size=n)
    return X, y, w


@pytest.mark.parametrize("K", [2, 3])
def test_integer_weights_equal_repeated_rows(K):
    X, y, w = _data(K)
    a = LogisticRegression(class_weight="balanced", **TIGHT).fit(X, y, sample_weight=w)
    rows = np.repeat(np.arange(len(y)), w)
    b = LogisticRegression(class_weight="balanced", **TIGHT).fit(X[rows], y[rows])
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=1e-7, atol=1e-9)


@pytest.mark.skipif(
    tuple(int(p) for p in sklearn.__version__.split(".")[:2]) < (1, 7),
    reason="scikit-learn < 1.7 balanced the row counts",
)
def test_same_model_as_scikit_learn_and_the_cv_estimator():
    X, y, w = _data(3)
    ours = LogisticRegression(class_weight="balanced", **TIGHT).fit(X, y, sample_weight=w)
    ref = SkLogisticRegression(class_weight="balanced", solver="newton-cholesky", tol=1e-12, max_iter=1000)
    ref.fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-8)
    cv = LogisticRegressionCV(Cs=[1.0], class_weight="balanced", cv=3, tol=1e-10).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(cv.coef_, ours.coef_, rtol=1e-6, atol=1e-8)
