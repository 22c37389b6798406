"""logreg.regularization_path and l1_min_c.  Reference: independent scikit-learn fits at each C
(newton-cholesky for L2, saga for L1) compared on the objective J, which is evaluated here from
its definition (weighted log loss + r(w) / (C S)); scikit-learn's own l1_min_c."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import log_softmax
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.svm import l1_min_c as sk_l1_min_c

from logreg import LogisticRegression, l1_min_c, regularization_path
from logreg.exceptions import ConvergenceWarning


@functools.cache
def data(n_classes):
    X, y = make_classification(
        n_samples=120, n_features=5, n_informative=3, n_redundant=0, n_classes=n_classes, flip_y=0.1, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    # integer weights: saga's step size is reliable with them (with weights from 0.2 to 3 it stalls)
    sw = np.random.default_rng(0).integers(1, 3, len(y)).astype(float)
    return X, y, sw


def objective(X, y, sw, coef, intercept, C, l1_ratio):
    """J = (1/S) sum_i s_i l_i + r(w) / (C S) from its definition."""
    Z = X @ coef.T + intercept
    Z = np.column_stack([np.zeros(len(y)), Z]) if Z.shape[1] == 1 else Z
    S = sw.sum()
    loss = -(log_softmax(Z, axis=1)[np.arange(len(y)), y] * sw).sum() / S
    a = l1_ratio or 0.0
    r = a * np.abs(coef).sum() + (1 - a) * 0.5 * (coef**2).sum()
    return loss + r / (C * S)


@pytest.mark.parametrize("n_classes", [2, 3], ids=["binary", "multinomial"])
@pytest.mark.parametrize("l1_ratio", [None, 1.0], ids=["l2", "l1"])
def test_every_point_matches_sklearn_objective(n_classes, l1_ratio):
    X, y, sw = data(n_classes)
    path = regularization_path(X, y, Cs=6, l1_ratio=l1_ratio, sample_weight=sw, tol=1e-10, max_iter=500)
    K = 1 if n_classes == 2 else n_classes
    assert path.coefs.shape == (6, K, 5) and path.intercepts.shape == (6, K) and path.n_iter.shape == (6,)
    if l1_ratio is None:
        assert_allclose(path.Cs, np.logspace(-4, 4, 6))
        sk_kw = dict(solver="newton-cholesky", tol=1e-12)
    else:
        assert_allclose(path.Cs, l1_min_c(X, y, sample_weight=sw) * np.logspace(0, 4, 6))
        sk_kw = dict(solver="saga", l1_ratio=1.0, tol=1e-12, max_iter=20000, random_state=0)
        # the first point is the all-zero model with the intercept at the log of the weighted class
        # shares (closed form); saga stops short of it by ~2e-5 in J, so it is checked against that
        shares = np.bincount(y, weights=sw) / sw.sum()
        logits = np.log(shares[1] / shares[0]) if n_classes == 2 else np.log(shares) - np.log(shares).mean()
        assert_array_equal(path.coefs[0], 0.0)
        assert_allclose(path.intercepts[0], np.atleast_1d(logits), rtol=1e-8)
    for i, (C, coef, intercept) in enumerate(zip(path.Cs, path.coefs, path.intercepts, strict=True)):
        sk = SkLogisticRegression(C=C, **sk_kw).fit(X, y, sample_weight=sw)
        ours = objective(X, y, sw, coef, intercept, C, l1_ratio)
        ref = objective(X, y, sw, sk.coef_, sk.intercept_, C, l1_ratio)
        assert ours <= ref * (1 + 1e-6), (C, ours, ref)
        if l1_ratio is None or i > 0:
            assert abs(ours - ref) <= 1e-6 * ref, (C, ours, ref)


def test_path_is_warm_started():
    """Each point starts from the previous one: fewer iterations than the same fits from zero."""
    X, y, _ = data(3)
    path = regularization_path(X, y, Cs=8, tol=1e-8)
    cold = [LogisticRegression(C=C, tol=1e-8).fit(X, y).n_iter_[0] for C in path.Cs]
    assert path.n_iter.sum() < sum(cold), (path.n_iter, cold)


def test_given_cs_keep_their_order_and_equal_single_fits():
    X, y, _ = data(2)
    Cs = [10.0, 0.01, 1.0]
    path = regularization_path(X, y, Cs=Cs, tol=1e-10)
    assert_array_equal(path.Cs, Cs)
    for C, coef, intercept in zip(Cs, path.coefs, path.intercepts, strict=True):
        single = LogisticRegression(C=C, tol=1e-10).fit(X, y)
        assert_allclose(coef, single.coef_, rtol=1e-7, atol=1e-9)
        assert_allclose(intercept, single.intercept_, rtol=1e-7, atol=1e-9)


def test_no_intercept_gives_zero_intercepts_and_class_weight_is_used():
    X, y, _ = data(2)
    path = regularization_path(X, y, Cs=[0.5], fit_intercept=False, class_weight="balanced", tol=1e-10)
    single = LogisticRegression(C=0.5, fit_intercept=False, class_weight="balanced", tol=1e-10).fit(X, y)
    assert_array_equal(path.intercepts, 0.0)
    assert_allclose(path.coefs[0], single.coef_, rtol=1e-8)


def test_l1_min_c_equals_sklearn_without_intercept():
    X, y, _ = data(2)
    assert l1_min_c(X, y, fit_intercept=False) == pytest.approx(sk_l1_min_c(X, y, loss="log", fit_intercept=False))


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_l1_min_c_is_where_the_first_coefficient_leaves_zero(n_classes, l1_ratio):
    X, y, sw = data(n_classes)
    c = l1_min_c(X, y, l1_ratio=l1_ratio, sample_weight=sw)
    at, above = regularization_path(X, y, Cs=[c, 1.02 * c], l1_ratio=l1_ratio, sample_weight=sw, tol=1e-10).coefs
    assert np.all(at == 0)
    assert np.count_nonzero(above) >= 1


def test_path_warns_once_for_all_points():
    X, y, _ = data(3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        regularization_path(X, y, Cs=4, max_iter=1, tol=1e-12)
    conv = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(conv) == 1
    assert "at 4 of the 4 fits" in str(conv[0].message)


@pytest.mark.parametrize("Cs", [[1.0, -1.0], [], 0])
def test_bad_cs_are_refused(Cs):
    X, y, _ = data(2)
    with pytest.raises(ValueError, match="Cs"):
        regularization_path(X, y, Cs=Cs)


def test_path_fits_skip_the_summary_statistics(monkeypatch):
    """The statistics for summary() cost ~3x a warm-started solve (20000 x 50); the path keeps none."""
    import logreg.inference.statistics

    def refuse(*args, **kwargs):
        raise AssertionError("the path computed summary statistics")

    monkeypatch.setattr(logreg.inference.statistics, "fit_statistics", refuse)
    X, y, _ = data(2)
    path = regularization_path(X, y, Cs=3)
    assert path.coefs.shape == (3, 1, 5)
    with pytest.raises(AssertionError, match="summary statistics"):
        LogisticRegression().fit(X, y)  # an ordinary fit still stores them
