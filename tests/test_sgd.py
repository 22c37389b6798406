"""solver='sgd' and partial_fit: averaged minibatch SGD near optima computed by others.

The references are :mod:`_reference`'s KKT-certified optima (scikit-learn or
scipy); SGD is held to 1e-3 relative J after five epochs (the issue's goal),
and ``converged_`` to what it claims: J of the averaged iterate changed by at
most tol over the last epoch.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from _reference import objective, reference_optimum
from logreg import LogisticRegression
from logreg.exceptions import ConvergenceWarning

N, D = 20_000, 10
GOAL = 1e-3


@functools.cache
def _data(K, kind="f64", seed=0):
    """Standardised correlated features, labels from a logistic / softmax model."""
    rng = np.random.default_rng(seed + K)
    A = rng.standard_normal((D, D)) * 0.3 + np.eye(D)
    X = rng.standard_normal((N, D)) @ A
    X = (X - X.mean(0)) / X.std(0)
    W = rng.standard_normal((K, D)) * 0.7
    if K == 2:
        y = (X @ W[0] + rng.logistic(size=N) > 0).astype(int)
    else:
        y = np.argmax(X @ W.T + rng.gumbel(size=(N, K)), axis=1)
    if kind == "f32":
        X = X.astype(np.float32)
    elif kind == "csr":
        X = X.copy()
        X[rng.random(X.shape) < 0.3] = 0.0
        X = sp.csr_matrix(X)
    return X, y


@functools.cache
def _weights(K, weights):
    X, y = _data(K)
    if weights == "sample":
        return np.random.default_rng(5).uniform(0.2, 3.0, size=N)
    if weights == "class":
        return np.array([1.0 + k for k in range(K)])[y]
    return None


@functools.cache
def _optimum(K, kind, weights, C, l1_ratio):
    X, y = _data(K, kind)
    return reference_optimum(X, y, C=C, l1_ratio=l1_ratio, sample_weight=_weights(K, weights))[0]


def _gap(model, K, kind, weights, C=1.0, l1_ratio=0.0):
    X, y = _data(K, kind)
    J = objective(X, y, model.coef_, model.intercept_, C=C, l1_ratio=l1_ratio, sample_weight=_weights(K, weights))
    f_star = _optimum(K, kind, weights, C, l1_ratio)
    return (J - f_star) / abs(f_star)


@pytest.mark.parametrize(
    ("K", "kind", "weights", "l1_ratio"),
    [
        (2, "f64", "none", 0.0),
        (3, "f64", "none", 0.0),
        (2, "f32", "sample", 0.0),
        (3, "csr", "class", 0.0),
        (2, "csr", "none", 1.0),
        (3, "f64", "sample", 0.0),
    ],
)
def test_five_epochs_reach_the_goal(K, kind, weights, l1_ratio):
    X, y = _data(K, kind)
    sw = _weights(K, weights) if weights == "sample" else None
    cw = {k: 1.0 + k for k in range(K)} if weights == "class" else None
    model = LogisticRegression(solver="sgd", max_iter=5, tol=0.0, random_state=0, class_weight=cw, l1_ratio=l1_ratio)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # tol=0: five epochs, never converged
        model.fit(X, y, sample_weight=sw)
    assert model.solver_ == "sgd" and model.n_iter_[0] == 5
    gap = _gap(model, K, kind, weights, l1_ratio=l1_ratio)
    assert -1e-12 <= gap <= GOAL, f"relative J gap {gap:.3g}"
    assert model.coef_.dtype == X.dtype
    # the history is J of the averaged iterate, measured, falling from the start
    assert model.objective_history_[-1] < model.objective_history_[0]


def test_converged_means_j_stopped_changing():
    X, y = _data(2)
    model = LogisticRegression(solver="sgd", tol=1e-4, max_iter=50, random_state=0).fit(X, y)
    h = model.objective_history_
    assert model.converged_ and model.n_iter_[0] < 50
    assert abs(h[-2] - h[-1]) <= 1e-4 * abs(h[-1])
    assert all(abs(a - b) > 1e-4 * abs(b) for a, b in zip(h[:-2], h[1:-1], strict=True))
    assert _gap(model, 2, "f64", "none") <= GOAL
    # not converged within max_iter: said, and warned
    with pytest.warns(ConvergenceWarning, match="sgd"):
        short = LogisticRegression(solver="sgd", tol=1e-12, max_iter=2, random_state=0).fit(X, y)
    assert not short.converged_ and short.n_iter_[0] == 2


def test_random_state_makes_fits_repeatable():
    X, y = _data(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = LogisticRegression(solver="sgd", max_iter=2, random_state=3).fit(X[:3000], y[:3000])
        b = LogisticRegression(solver="sgd", max_iter=2, random_state=3).fit(X[:3000], y[:3000])
    np.testing.assert_array_equal(a.coef_, b.coef_)


@pytest.mark.parametrize("K", [2, 3])
def test_partial_fit_passes_reach_the_optimum(K):
    X, y = _data(K)
    model = LogisticRegression(random_state=0)
    classes = np.unique(y)
    for _ in range(5):
        for a in range(0, N, 4000):
            model.partial_fit(X[a : a + 4000], y[a : a + 4000], classes=classes, weight_sum=N)
    gap = _gap(model, K, "f64", "none")
    assert 0 <= gap <= GOAL, f"relative J gap {gap:.3g}"
    assert model.solver_ == "sgd" and not model.converged_
    np.testing.assert_array_equal(model.predict(X[:5]), classes[np.argmax(model.predict_proba(X[:5]), axis=1)])


def test_partial_fit_keeps_the_average_across_calls():
    X, y = _data(2)
    one = LogisticRegression(random_state=0).partial_fit(X[:2000], y[:2000], classes=[0, 1])
    t, coef = one.t_, one.coef_.copy()
    one.partial_fit(X[2000:4000], y[2000:4000])
    assert one.t_ > t and not np.array_equal(one.coef_, coef)
    # the second call continued the first: a fresh model on the second block alone differs
    fresh = LogisticRegression(random_state=0).partial_fit(X[2000:4000], y[2000:4000], classes=[0, 1])
    assert not np.allclose(fresh.coef_, one.coef_)


def test_partial_fit_sample_weight_equals_repeated_rows():
    X, y = _data(2)
    X, y = X[:600], y[:600]
    w = np.ones(600)
    w[:300] = 2.0
    rep = np.r_[np.arange(600), np.arange(300)]
    a = LogisticRegression(solver_options={"batch_rows": 10_000}, random_state=0)
    b = LogisticRegression(solver_options={"batch_rows": 10_000}, random_state=0)
    for _ in range(30):  # one minibatch per call: a full gradient step, so order does not matter
        a.partial_fit(X, y, classes=[0, 1], sample_weight=w, weight_sum=900)
        b.partial_fit(X[rep], y[rep], classes=[0, 1], weight_sum=900)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-6, atol=1e-9)


def test_partial_fit_after_fit_continues_and_refuses_bad_calls():
    X, y = _data(3)
    model = LogisticRegression().fit(X[:2000], y[:2000])
    before = model.coef_.copy()
    model.partial_fit(X[2000:2100], y[2000:2100])  # classes known from fit
    assert np.abs(model.coef_ - before).max() < 0.5
    with pytest.raises(ValueError, match="classes="):
        LogisticRegression().partial_fit(X[:10], y[:10])
    with pytest.raises(ValueError, match="not in classes"):
        LogisticRegression().partial_fit(X[:10], y[:10] + 7, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="balanced"):
        LogisticRegression(class_weight="balanced").partial_fit(X[:10], y[:10], classes=[0, 1, 2])
    with pytest.raises(ValueError, match="standardize"):
        LogisticRegression(standardize=True).partial_fit(X[:10], y[:10], classes=[0, 1, 2])
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(X[:10, :3], y[:10])


def test_sgd_needs_rows_in_memory():
    da = pytest.importorskip("dask.array")
    X, y = _data(2)
    with pytest.raises(ValueError, match="partial_fit"):
        LogisticRegression(solver="sgd").fit(da.from_array(X[:100]), da.from_array(y[:100]))
