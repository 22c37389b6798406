"""logreg.layout.ParamLayout: θ <-> (coef, intercept), the statistics' order, names.

The solver order is checked against scikit-learn (its predict_proba from the
coef_ / intercept_ the layout gives, against the data term's value at θ), and
the statistics' order against the objective's own Hessian (the Fisher
information is S times it, permuted).
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.metrics import log_loss

from logreg.inference.statistics import compute_statistics
from logreg.layout import ParamLayout
from logreg.objective import make_datafit

CASES = [(2, True), (2, False), (3, True), (4, False)]


def _data(K, n=60, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = rng.integers(0, K, n)
    y[:K] = np.arange(K)  # every class present
    return X, y


@pytest.mark.parametrize(("K", "fit_intercept"), CASES)
def test_split_join_round_trip(K, fit_intercept):
    layout = ParamLayout(3, K, fit_intercept)
    theta = np.random.default_rng(1).normal(size=layout.n_params)
    w, b = layout.split(theta)
    np.testing.assert_array_equal(layout.join(w, b), theta)
    coef, intercept = layout.coef_intercept(theta)
    assert coef.shape == (layout.n_rows, 3) and intercept.shape == (layout.n_rows,)
    np.testing.assert_array_equal(layout.theta(coef, intercept), theta)
    # the penalised entries are the coefficients
    assert layout.coef_mask().sum() == coef.size
    np.testing.assert_array_equal(theta[layout.coef_mask()], coef.ravel())


@pytest.mark.parametrize(("K", "fit_intercept"), CASES)
def test_the_layout_is_the_data_terms_and_scikit_learns(K, fit_intercept):
    """θ read by the layout gives scikit-learn's probabilities whose log-loss is the data term at θ."""
    X, y = _data(K)
    term = make_datafit(X, y, K, fit_intercept=fit_intercept)
    layout = ParamLayout(X.shape[1], K, fit_intercept)
    assert term.layout == layout and term.n_params == layout.n_params
    theta = np.random.default_rng(2).normal(size=layout.n_params)
    coef, intercept = layout.coef_intercept(theta)
    sk = SkLogisticRegression()
    sk.classes_, sk.coef_, sk.intercept_ = np.arange(K), coef, intercept
    expected = log_loss(y, sk.predict_proba(X), labels=np.arange(K))
    np.testing.assert_allclose(term.value(theta), expected, rtol=1e-12)


@pytest.mark.parametrize(("K", "fit_intercept"), CASES)
def test_statistics_order_is_the_objectives_permuted(K, fit_intercept):
    """The Fisher information of the statistics is S times the data term's Hessian, in stats_order."""
    X, y = _data(K, seed=3)
    layout = ParamLayout(X.shape[1], K, fit_intercept)
    theta = 0.3 * np.random.default_rng(4).normal(size=layout.n_params)
    coef, intercept = layout.coef_intercept(theta)
    st = compute_statistics(X, y, K, None, coef, intercept, fit_intercept)
    order = layout.stats_order()
    np.testing.assert_array_equal(st.params, theta[order])
    np.testing.assert_array_equal(layout.stats_params(coef, intercept).ravel(), theta[order])
    assert st.layout == layout
    H = make_datafit(X, y, K, fit_intercept=fit_intercept).hessian(theta)
    np.testing.assert_allclose(st.fisher, X.shape[0] * H[np.ix_(order, order)], rtol=1e-10, atol=1e-12)
    # the coefficient masks agree through the permutation
    np.testing.assert_array_equal(layout.stats_coef_mask(), layout.coef_mask()[order])


def test_names_follow_the_layout():
    two = ParamLayout(2, 2, True)
    assert two.param_names(["a", "b"]) == ["a", "b", "const"]
    assert two.term_names(["a", "b"]) == ["const", "a", "b"]
    assert ParamLayout(2, 2, False).term_names() == ["x0", "x1"]
    three = ParamLayout(2, 3, True)
    names = three.param_names(["a", "b"], ["u", "v", "w"])
    assert names == ["u:a", "u:b", "v:a", "v:b", "w:a", "w:b", "u:const", "v:const", "w:const"]
    stats_names = [names[i] for i in three.stats_order()]
    assert stats_names[:3] == ["u:const", "u:a", "u:b"]
    with pytest.raises(ValueError, match="3 feature names for 2 features"):
        three.feature_names(["a", "b", "c"])
    with pytest.raises(ValueError, match="n_classes >= 2"):
        ParamLayout(2, 1, True)


def test_invariant_basis_leaves_the_softmax_unchanged():
    X, y = _data(3, seed=5)
    term = make_datafit(X, y, 3, fit_intercept=True)
    theta = np.random.default_rng(6).normal(size=term.n_params)
    N = term.layout.invariant_basis(coef=True)
    np.testing.assert_allclose(N.T @ N, np.eye(N.shape[1]), atol=1e-12)
    for u in N.T:
        np.testing.assert_allclose(term.value(theta + 2.0 * u), term.value(theta), rtol=1e-12)
    assert ParamLayout(3, 2, True).invariant_basis() is None
