"""The summary of a ``standardize=True`` fit shows the coefficients on both scales."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer

import logreg

sm = pytest.importorskip("statsmodels.api")


def test_per_sd_coefficients_equal_statsmodels_on_standardised_columns():
    X, y = load_breast_cancer(return_X_y=True)
    X = X[:, [0, 1, 4, 8]]  # radius, texture, smoothness, symmetry: no separation
    model = logreg.LogisticRegression(C=np.inf, standardize=True, tol=1e-10).fit(X, y)
    s = model.summary()
    Z = (X - model.standardize_mean_) / model.standardize_scale_
    ref = sm.Logit(y, sm.add_constant(Z)).fit(disp=0, tol=1e-12)
    got = np.array([[b, e] for _, b, e in s.per_sd])
    np.testing.assert_allclose(got[:, 0], ref.params[1:], rtol=1e-6)
    np.testing.assert_allclose(got[:, 1], ref.bse[1:], rtol=1e-5)
    text = s.as_text()
    assert "Per standard deviation of each column" in text
    assert s.to_dict()["per_sd"][0][0] == "x0"


def test_no_per_sd_table_without_standardize():
    X, y = load_breast_cancer(return_X_y=True)
    s = logreg.LogisticRegression(C=np.inf, tol=1e-10).fit(X[:, [0, 1]], y).summary()
    assert s.per_sd is None
    assert "Per standard deviation" not in s.as_text()
