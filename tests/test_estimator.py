"""logreg.LogisticRegression: labels, weights, class weights, warm start, input types, dtypes,
probabilities.  References are scikit-learn (newton-cholesky at tol=1e-12), hand-built
equivalent problems (repeated rows, explicit weights) and closed forms."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.preprocessing import StandardScaler

from logreg import LogisticRegression
from logreg.exceptions import ConvergenceWarning

TIGHT = dict(solver="newton", tol=1e-10)


@functools.cache
def binary_data():
    # no redundant (collinear) columns: the unpenalised optimum must be unique
    X, y = make_classification(n_samples=120, n_features=5, n_informative=3, n_redundant=0, flip_y=0.1, random_state=0)
    X = StandardScaler().fit_transform(X)
    X.setflags(write=False)
    return X, y


@functools.cache
def multiclass_data():
    X, y = make_classification(
        n_samples=150, n_features=5, n_informative=4, n_redundant=0, n_classes=3, flip_y=0.05, random_state=2
    )
    X = StandardScaler().fit_transform(X)
    X.setflags(write=False)
    return X, y


def sk_fit(X, y, sample_weight=None, **kw):
    kw = {"solver": "newton-cholesky", "tol": 1e-12, "max_iter": 1000, **kw}
    return SkLogisticRegression(**kw).fit(X, y, sample_weight=sample_weight)


def params(m):
    return np.r_[m.coef_.ravel(), m.intercept_]


def assert_same_model(a, b, rtol=1e-8):
    pa, pb = params(a), params(b)
    assert np.linalg.norm(pa - pb) <= rtol * np.linalg.norm(pb), (pa, pb)


# ---------------------------------------------------------------- labels
def test_string_labels():
    X, y = binary_data()
    ys = np.where(y == 1, "spam", "ham")
    model = LogisticRegression(**TIGHT).fit(X, ys)
    assert_array_equal(model.classes_, ["ham", "spam"])
    assert_same_model(model, LogisticRegression(**TIGHT).fit(X, y), rtol=1e-12)
    pred = model.predict(X)
    assert pred.dtype.kind == "U" and set(pred) <= {"ham", "spam"}
    assert_array_equal(pred == "spam", model.predict_proba(X)[:, 1] > 0.5)


def test_minus_one_plus_one_labels():
    X, y = binary_data()
    model = LogisticRegression(**TIGHT).fit(X, 2 * y - 1)
    assert_array_equal(model.classes_, [-1, 1])
    assert_same_model(model, sk_fit(X, y), rtol=1e-8)
    assert set(model.predict(X)) <= {-1, 1}


def test_label_order_follows_sorted_classes():
    """classes_ is sorted; the positive class (column 1, coef_ sign) is classes_[1]."""
    X, y = binary_data()
    ys = np.where(y == 1, "a", "b")  # 'a' is now the class coded 1 in y
    model = LogisticRegression(**TIGHT).fit(X, ys)
    assert_array_equal(model.classes_, ["a", "b"])
    ref = LogisticRegression(**TIGHT).fit(X, y)
    assert_allclose(model.coef_, -ref.coef_, rtol=1e-10)
    assert_allclose(model.predict_proba(X), ref.predict_proba(X)[:, ::-1], rtol=1e-10)


def test_multiclass_string_labels():
    X, y = multiclass_data()
    names = np.array(["cat", "dog", "emu"])
    model = LogisticRegression(**TIGHT).fit(X, names[y])
    assert_array_equal(model.classes_, names)
    assert model.coef_.shape == (3, X.shape[1]) and model.intercept_.shape == (3,)
    assert_array_equal(model.predict(X), names[LogisticRegression(**TIGHT).fit(X, y).predict(X)])


# ---------------------------------------------------------------- weights
@pytest.mark.parametrize("data", [binary_data, multiclass_data], ids=["binary", "multiclass"])
def test_sample_weight_matches_sklearn(data):
    X, y = data()
    sw = np.random.default_rng(0).uniform(0.1, 3.0, size=len(y))
    model = LogisticRegression(**TIGHT).fit(X, y, sample_weight=sw)
    assert_same_model(model, sk_fit(X, y, sample_weight=sw), rtol=1e-8)


@pytest.mark.parametrize("data", [binary_data, multiclass_data], ids=["binary", "multiclass"])
def test_integer_sample_weights_equal_repeated_rows(data):
    X, y = data()
    sw = np.random.default_rng(1).integers(0, 4, size=len(y))
    weighted = LogisticRegression(**TIGHT).fit(X, y, sample_weight=sw)
    repeated = LogisticRegression(**TIGHT).fit(np.repeat(X, sw, axis=0), np.repeat(y, sw))
    assert_same_model(weighted, repeated, rtol=1e-9)
    assert_allclose(weighted.decision_function(X), repeated.decision_function(X), rtol=1e-8, atol=1e-9)


def test_uniform_sample_weights_equal_repeating_every_row():
    """Weights all 2 = every row twice (the penalty scales with S = sum of weights)."""
    X, y = binary_data()
    twice = LogisticRegression(**TIGHT).fit(X, y, sample_weight=np.full(len(y), 2.0))
    repeated = LogisticRegression(**TIGHT).fit(np.vstack([X, X]), np.r_[y, y])
    assert_same_model(twice, repeated, rtol=1e-9)


def test_class_weight_balanced_equals_sample_weights():
    X, y = binary_data()
    X, y = X[:100], y[:100]
    keep = (y == 1) | (np.arange(len(y)) % 3 == 0)  # unbalanced classes
    X, y = X[keep], y[keep]
    counts = np.bincount(y)
    assert counts[0] != counts[1]
    sw = len(y) / (2.0 * counts[y])  # n / (n_classes * n_c), scikit-learn's 'balanced'
    a = LogisticRegression(class_weight="balanced", **TIGHT).fit(X, y)
    b = LogisticRegression(**TIGHT).fit(X, y, sample_weight=sw)
    assert_same_model(a, b, rtol=1e-10)
    assert_same_model(a, sk_fit(X, y, class_weight="balanced"), rtol=1e-8)


@pytest.mark.parametrize("data", [binary_data, multiclass_data], ids=["binary", "multiclass"])
def test_class_weight_dict_equals_sample_weights_and_multiplies_them(data):
    X, y = data()
    cw = {0: 1.0, 1: 3.0} if y.max() == 1 else {0: 0.5, 1: 2.0, 2: 1.0}
    per_class = np.array([cw[c] for c in sorted(cw)])
    a = LogisticRegression(class_weight=cw, **TIGHT).fit(X, y)
    b = LogisticRegression(**TIGHT).fit(X, y, sample_weight=per_class[y])
    assert_same_model(a, b, rtol=1e-10)
    sw = np.random.default_rng(2).uniform(0.5, 2.0, size=len(y))
    c = LogisticRegression(class_weight=cw, **TIGHT).fit(X, y, sample_weight=sw)
    d = LogisticRegression(**TIGHT).fit(X, y, sample_weight=sw * per_class[y])
    assert_same_model(c, d, rtol=1e-10)


def test_class_weight_dict_with_string_labels():
    X, y = binary_data()
    ys = np.where(y == 1, "pos", "neg")
    a = LogisticRegression(class_weight={"neg": 1.0, "pos": 4.0}, **TIGHT).fit(X, ys)
    b = LogisticRegression(**TIGHT).fit(X, ys, sample_weight=np.where(y == 1, 4.0, 1.0))
    assert_same_model(a, b, rtol=1e-10)


# ---------------------------------------------------------------- warm start
def test_warm_start_resumes_exactly_with_fixed_step_gd():
    """Two warm fits of k seed steps = one fit of 2k steps."""
    X, y = binary_data()
    kw = dict(solver="gd", learning_rate=0.3, tol=0.0, penalty=None)
    with pytest.warns(ConvergenceWarning):
        once = LogisticRegression(max_iter=40, **kw).fit(X, y)
    warm = LogisticRegression(max_iter=20, warm_start=True, **kw)
    with pytest.warns(ConvergenceWarning):
        warm.fit(X, y)
    with pytest.warns(ConvergenceWarning):
        warm.fit(X, y)
    assert_allclose(params(warm), params(once), rtol=1e-12)


@pytest.mark.parametrize("solver", ["newton", "lbfgs", "gd"])
def test_warm_start_second_fit_needs_fewer_iterations(solver):
    X, y = binary_data()
    model = LogisticRegression(solver=solver, tol=1e-6, max_iter=5000, warm_start=True)
    model.fit(X, y)
    first, coef = model.n_iter_[0], params(model)
    model.fit(X, y)
    assert model.n_iter_[0] < first
    assert model.n_iter_[0] <= 1
    assert_allclose(params(model), coef, rtol=1e-5)
    cold = LogisticRegression(solver=solver, tol=1e-6, max_iter=5000).fit(X, y)
    assert cold.n_iter_[0] == first


def test_warm_start_off_starts_from_zero():
    X, y = binary_data()
    model = LogisticRegression(**TIGHT).fit(X, y)
    first = model.n_iter_[0]
    model.fit(X, y)
    assert model.n_iter_[0] == first


# ---------------------------------------------------------------- the optimum
@pytest.mark.parametrize("weighted", [False, True])
def test_unpenalised_optimum_matches_mean_of_y(weighted):
    """With an intercept and no penalty, dJ/db = sum s (p - y) / S = 0: sum p = sum y."""
    X, y = binary_data()
    sw = np.random.default_rng(3).uniform(0.2, 2.0, size=len(y)) if weighted else np.ones(len(y))
    model = LogisticRegression(penalty=None, **TIGHT).fit(X, y, sample_weight=sw)
    p = model.predict_proba(X)[:, 1]
    assert abs(np.dot(sw, p) - np.dot(sw, y)) <= 1e-7 * sw.sum()
    # and the gradient with respect to w vanishes: X^T s (p - y) = 0
    assert_allclose(X.T @ (sw * (p - y)) / sw.sum(), 0.0, atol=1e-9)


def test_unpenalised_multinomial_class_totals():
    X, y = multiclass_data()
    model = LogisticRegression(penalty=None, **TIGHT).fit(X, y)
    P = model.predict_proba(X)
    assert_allclose(P.sum(axis=0), np.bincount(y), rtol=0, atol=1e-7 * len(y))


def test_penalty_none_equals_infinite_C_and_sklearn():
    X, y = binary_data()
    a = LogisticRegression(penalty=None, **TIGHT).fit(X, y)
    b = LogisticRegression(C=np.inf, **TIGHT).fit(X, y)
    assert_same_model(a, b, rtol=1e-12)
    assert_same_model(a, sk_fit(X, y, C=np.inf), rtol=1e-7)  # scikit-learn >= 1.8 spells it C=inf


@pytest.mark.parametrize(
    "l1_ratio, named",
    [
        (None, dict(penalty="l2")),
        (0.0, dict(penalty="l2")),
        (1.0, dict(penalty="l1")),
        (0.4, dict(penalty="elasticnet", l1_ratio=0.4)),
    ],
)
def test_l1_ratio_chooses_the_penalty_as_in_sklearn_1_8(l1_ratio, named):
    """scikit-learn >= 1.8 spells the penalty with l1_ratio alone; the default penalty='auto' does too."""
    X, y = binary_data()
    tight = dict(solver="auto", tol=1e-10, max_iter=500)
    a = LogisticRegression(l1_ratio=l1_ratio, C=0.05, **tight).fit(X, y)
    b = LogisticRegression(C=0.05, **named, **tight).fit(X, y)
    assert_same_model(a, b, rtol=1e-10)
    if l1_ratio == 1.0:
        assert np.any(a.coef_ == 0.0)  # a real L1 fit: some coefficients exactly zero
    # and scikit-learn's own new spelling of the same model (saga handles every l1_ratio)
    ref = SkLogisticRegression(l1_ratio=l1_ratio or 0.0, C=0.05, solver="saga", tol=1e-12, max_iter=100_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.fit(X, y)
    assert_same_model(a, ref, rtol=1e-5)


def test_l1_ratio_with_an_explicit_l2_or_l1_penalty_warns_that_it_is_ignored():
    X, y = binary_data()
    with pytest.warns(UserWarning, match="l1_ratio=0.5 is ignored with penalty='l2'"):
        LogisticRegression(penalty="l2", l1_ratio=0.5).fit(X, y)


@pytest.mark.parametrize("C", [0.01, 1.0, 100.0])
def test_C_matches_sklearn(C):
    X, y = binary_data()
    assert_same_model(LogisticRegression(C=C, **TIGHT).fit(X, y), sk_fit(X, y, C=C), rtol=1e-8)


def test_no_intercept_matches_sklearn():
    X, y = binary_data()
    model = LogisticRegression(fit_intercept=False, **TIGHT).fit(X + 0.5, y)
    assert_array_equal(model.intercept_, [0.0])
    assert_same_model(model, sk_fit(X + 0.5, y, fit_intercept=False), rtol=1e-8)


# ---------------------------------------------------------------- input types
def test_dataframe_sets_feature_names_in_():
    X, y = binary_data()
    cols = [f"f{i}" for i in range(X.shape[1])]
    df = pd.DataFrame(X, columns=cols)
    model = LogisticRegression(**TIGHT).fit(df, pd.Series(y, name="target"))
    assert_array_equal(model.feature_names_in_, cols)
    assert model.n_features_in_ == X.shape[1]
    assert_same_model(model, LogisticRegression(**TIGHT).fit(X, y), rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # same names at predict: no warning
        p_df = model.predict_proba(df)
    with pytest.warns(UserWarning, match="feature names"):  # scikit-learn's convention
        p_np = model.predict_proba(X)
    assert_allclose(p_df, p_np, rtol=1e-15)
    with pytest.raises(ValueError, match="feature names"):
        model.predict(df[cols[::-1]])


def test_numpy_input_has_no_feature_names():
    X, y = binary_data()
    assert not hasattr(LogisticRegression(**TIGHT).fit(X, y), "feature_names_in_")


@pytest.mark.parametrize("data", [binary_data, multiclass_data], ids=["binary", "multiclass"])
def test_csr_equals_dense(data):
    X, y = data()
    Xs = X.copy()
    Xs[np.abs(Xs) < 0.5] = 0.0  # a real sparsity pattern
    dense = LogisticRegression(**TIGHT).fit(Xs, y)
    csr = LogisticRegression(**TIGHT).fit(sp.csr_matrix(Xs), y)
    assert_same_model(csr, dense, rtol=1e-9)
    assert_allclose(csr.predict_proba(sp.csr_matrix(Xs)), dense.predict_proba(Xs), rtol=1e-8, atol=1e-12)
    assert_allclose(dense.predict_proba(sp.csr_matrix(Xs)), dense.predict_proba(Xs), rtol=1e-12)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize("data", [binary_data, multiclass_data], ids=["binary", "multiclass"])
def test_float32_stays_float32(data, sparse):
    X, y = data()
    X32 = X.astype(np.float32)
    X32 = sp.csr_matrix(X32) if sparse else X32
    model = LogisticRegression(tol=1e-5, max_iter=1000).fit(X32, y)
    assert model.coef_.dtype == np.float32 and model.intercept_.dtype == np.float32
    ref = LogisticRegression(**TIGHT).fit(X32.astype(np.float64), y)
    assert_same_model(model, ref, rtol=1e-4)
    assert np.all(np.isfinite(model.predict_proba(X32)))


def test_float64_by_default():
    X, y = binary_data()
    model = LogisticRegression(**TIGHT).fit(X.astype(np.int64), y)
    assert model.coef_.dtype == np.float64
    model = LogisticRegression(**TIGHT).fit(X.tolist(), list(y))
    assert model.coef_.dtype == np.float64


# ---------------------------------------------------------------- predictions
def test_predict_log_proba_finite_for_extreme_inputs():
    X, y = binary_data()
    model = LogisticRegression(**TIGHT).fit(X, y)
    Xe = np.vstack([X[:5] * 1e8, -X[:5] * 1e8, X[:5] * 1e3])
    z = model.decision_function(Xe)
    assert np.all(np.abs(z[:10]) > 1e3)
    lp = model.predict_log_proba(Xe)
    assert np.all(np.isfinite(lp))
    # closed form: log P(y=1) = -log(1 + e^{-z}), log P(y=0) = -log(1 + e^{z})
    assert_allclose(lp[:, 1], -np.logaddexp(0, -z), rtol=1e-12)
    assert_allclose(lp[:, 0], -np.logaddexp(0, z), rtol=1e-12)
    assert_allclose(np.exp(lp), model.predict_proba(Xe), rtol=1e-12, atol=1e-300)


def test_multinomial_predict_log_proba_finite_for_extreme_inputs():
    X, y = multiclass_data()
    model = LogisticRegression(**TIGHT).fit(X, y)
    lp = model.predict_log_proba(X[:10] * 1e8)
    assert np.all(np.isfinite(lp))
    assert_allclose(np.exp(lp).sum(axis=1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_multinomial_probabilities_sum_to_one_and_match_sklearn(solver):
    X, y = multiclass_data()
    model = LogisticRegression(solver=solver, tol=1e-8, max_iter=1000).fit(X, y)
    P = model.predict_proba(X)
    assert P.shape == (len(y), 3)
    assert_allclose(P.sum(axis=1), 1.0, rtol=1e-13)
    ref = sk_fit(X, y)
    assert_allclose(P, ref.predict_proba(X), rtol=1e-6, atol=1e-9)
    assert_same_model(model, ref, rtol=1e-6)
    assert_array_equal(model.predict(X), ref.predict(X))


def test_decision_function_predict_and_score_are_consistent():
    X, y = binary_data()
    model = LogisticRegression(**TIGHT).fit(X, y)
    z = model.decision_function(X)
    assert_allclose(z, X @ model.coef_.ravel() + model.intercept_[0], rtol=1e-13)
    assert_allclose(model.predict_proba(X)[:, 1], 1.0 / (1.0 + np.exp(-z)), rtol=1e-13)
    assert_array_equal(model.predict(X), (z > 0).astype(int))
    assert model.score(X, y) == np.mean(model.predict(X) == y)


def test_breast_cancer_accuracy_and_sklearn():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = LogisticRegression().fit(X, y)
    assert model.score(X, y) > 0.98
    assert model.converged_ and model.grad_norm_ <= 1e-4
    assert_same_model(model, sk_fit(X, y), rtol=1e-2)  # default tol=1e-4 stops ~1e-3 short


@pytest.mark.parametrize("n_classes", [2, 3])
def test_zero_weight_on_every_other_row_equals_fitting_the_rest(n_classes):
    """A held-out fold marked by weight 0 on every other row, with n large enough for the
    sub-sampled Hessian: samples that hold only weightless rows fall back to every row instead
    of dividing by a zero weight sum (which made the Hessian NaN and the fit crash)."""
    import warnings

    rng = np.random.default_rng(0)
    n, d = 200_000, 5
    X = rng.standard_normal((n, d))
    y = rng.integers(0, n_classes, n)
    sw = np.ones(n)
    sw[::2] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = LogisticRegression(tol=1e-8).fit(X, y, sample_weight=sw)
    ref = LogisticRegression(tol=1e-8).fit(X[1::2], y[1::2])
    np.testing.assert_allclose(model.coef_, ref.coef_, atol=1e-6)
    np.testing.assert_allclose(model.intercept_, ref.intercept_, atol=1e-6)


@pytest.mark.parametrize("n", [200_000, 450_000], ids=["sampled-hessian", "and-presolve"])
def test_values_beyond_float32_range_fit_like_their_rescaled_copy(n):
    """A column around 1e30 (fine in float64, its square overflows float32): the sub-sampled
    Hessian, multiplied out in float32 for speed, falls back to float64 instead of going NaN,
    and so does the presolve on its float32 sample."""
    import warnings

    rng = np.random.default_rng(1)
    d = 4
    X = rng.standard_normal((n, d))
    y = (rng.random(n) < 1 / (1 + np.exp(-(X[:, 1] + X[:, 0])))).astype(int)
    big = X.copy()
    big[:, 0] *= 1e30
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it is badly scaled, and says so
        model = LogisticRegression().fit(big, y)
    ref = LogisticRegression().fit(X, y)
    # the badly scaled column keeps the gradient from tol (it warns); the fit is still close
    np.testing.assert_allclose(model.coef_[0] * [1e30, 1, 1, 1], ref.coef_[0], rtol=1e-2, atol=2e-3)
