"""Bad input gets a ValueError whose message names the problem."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from logreg import LogisticRegression

rng = np.random.default_rng(0)
X = rng.normal(size=(20, 4))
y = np.r_[np.zeros(10, dtype=int), np.ones(10, dtype=int)]


def _with(value, at=(3, 1)):
    Xb = X.copy()
    Xb[at] = value
    return Xb


FIT_CASES = {
    "nan-in-X": (lambda: (_with(np.nan), y, None), r"Input X contains NaN"),
    "inf-in-X": (lambda: (_with(np.inf), y, None), r"Input X contains infinity"),
    "minus-inf-in-X": (lambda: (_with(-np.inf), y, None), r"Input X contains infinity"),
    "nan-in-csr-X": (lambda: (sp.csr_matrix(_with(np.nan)), y, None), r"Input X contains NaN"),
    "nan-in-y": (lambda: (X, np.r_[np.nan, y[1:].astype(float)], None), r"Input y contains NaN"),
    "empty-X": (lambda: (np.empty((0, 4)), np.empty(0), None), r"0 sample\(s\)"),
    "no-features": (lambda: (np.empty((20, 0)), y, None), r"0 feature\(s\)"),
    "one-class": (lambda: (X, np.zeros(20, dtype=int), None), r"y has one class: 0.*needs two"),
    "one-string-class": (lambda: (X, np.array(["a"] * 20), None), r"y has one class: 'a'"),
    "mismatched-lengths": (lambda: (X, y[:-1], None), r"inconsistent numbers of samples: \[20, 19\]"),
    "1d-X": (lambda: (X[:, 0], y, None), r"Expected 2D array, got 1D array"),
    "3d-X": (lambda: (X.reshape(20, 2, 2), y, None), r"Found array with dim 3"),
    "complex-X": (lambda: (X.astype(complex), y, None), r"Complex data not supported"),
    "string-X": (lambda: (np.array([["a", "b"]] * 20), y, None), r"could not convert string to float"),
    "object-strings-X": (lambda: (np.array([["1.0", "x"]] * 20, dtype=object), y, None), r"string to float: 'x'"),
    "continuous-y": (lambda: (X, np.linspace(0, 1, 20), None), r"Unknown label type: continuous.*threshold or bin y"),
    "none-in-y": (
        lambda: (X, np.array([None] + ["a", "b"] * 9 + ["a"], dtype=object), None),
        r"drop the rows without a label",
    ),
    "negative-sample-weight": (
        lambda: (X, y, np.r_[-1.0, np.ones(19)]),
        r"Negative values in data passed to `sample_weight`",
    ),
    "nan-sample-weight": (lambda: (X, y, np.r_[np.nan, np.ones(19)]), r"Input sample_weight contains NaN"),
    "short-sample-weight": (lambda: (X, y, np.ones(19)), r"sample_weight.shape == \(19,\), expected \(20,\)"),
    "zero-sample-weights": (lambda: (X, y, np.zeros(20)), r"[Ss]ample weights.*(at least one non-zero|sum to zero)"),
}


@pytest.mark.parametrize("case", list(FIT_CASES))
def test_fit_rejects_bad_input_with_a_message_naming_the_problem(case):
    make, match = FIT_CASES[case]
    Xb, yb, sw = make()
    with pytest.raises(ValueError, match=match):
        LogisticRegression().fit(Xb, yb, sample_weight=sw)


@pytest.fixture(scope="module")
def fitted():
    return LogisticRegression().fit(X, y)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba", "decision_function", "score"])
def test_wrong_number_of_features_at_predict(fitted, method):
    args = (X[:, :3],) if method != "score" else (X[:, :3], y)
    with pytest.raises(ValueError, match=r"X has 3 features, but LogisticRegression is expecting 4 features"):
        getattr(fitted, method)(*args)


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (_with(np.nan), r"Input X contains NaN"),
        (_with(np.inf), r"Input X contains infinity"),
        (X[0], r"Expected 2D array, got 1D array"),
        (X.astype(complex), r"Complex data not supported"),
        (np.array([["a", "b", "c", "d"]]), r"could not convert string to float"),
        (np.empty((0, 4)), r"0 sample\(s\)"),
    ],
    ids=["nan", "inf", "1d", "complex", "string", "empty"],
)
def test_predict_rejects_bad_input(fitted, bad, match):
    with pytest.raises(ValueError, match=match):
        fitted.predict(bad)


def test_predict_before_fit_says_not_fitted():
    with pytest.raises(ValueError, match=r"not fitted yet.*Call 'fit'"):
        LogisticRegression().predict(X)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"C": -1.0}, r"'C' parameter of LogisticRegression must be a float in the range \(0.0, inf\]"),
        ({"C": 0.0}, r"'C' parameter"),
        ({"tol": -1e-3}, r"'tol' parameter"),
        ({"max_iter": -1}, r"'max_iter' parameter"),
        ({"max_iter": 2.5}, r"'max_iter' parameter"),
        ({"solver": "sag"}, r"'solver' parameter.*'sag'"),
        ({"penalty": "l3"}, r"'penalty' parameter"),
        ({"learning_rate": 0.0}, r"'learning_rate' parameter"),
        ({"class_weight": "even"}, r"'class_weight' parameter"),
        ({"penalty": "elasticnet", "solver": "gd"}, r"needs l1_ratio"),
        ({"penalty": "l1", "solver": "lbfgs"}, r"needs a smooth penalty"),
        ({"penalty": "l1", "solver": "newton"}, r"needs a smooth penalty"),
    ],
    ids=lambda v: str(v) if isinstance(v, dict) else "",
)
def test_bad_parameters_are_named(params, match):
    with pytest.raises(ValueError, match=match):
        LogisticRegression(**params).fit(X, y)


def test_class_weight_missing_a_class_names_it():
    with pytest.raises(ValueError, match=r"classes, \[1\], are not in class_weight"):
        LogisticRegression(class_weight={0: 1.0, 7: 2.0}).fit(X, y)


# --- the threaded finite check and the fast label encoding that fit uses on large data
BIG_N, BIG_D = (1 << 20) // 8 + 1, 8  # just over the size where fit sums X on every core


@pytest.mark.parametrize(
    "value, match",
    [(np.nan, r"Input X contains NaN"), (np.inf, r"Input X contains infinity"), (-np.inf, r"contains infinity")],
)
@pytest.mark.parametrize("where", ["first-row", "last-row"])
def test_threaded_finite_check_on_large_X(value, match, where):
    from logreg._validation import assert_finite

    Xb = np.zeros((BIG_N, BIG_D))
    Xb[0 if where == "first-row" else -1, 3] = value
    with pytest.raises(ValueError, match=match) as info:
        assert_finite(Xb, "LogisticRegression")
    assert "Impute" in str(info.value) or "Replace" in str(info.value)  # the fix is appended
    yb = np.arange(BIG_N) % 2
    with pytest.raises(ValueError, match=match):
        LogisticRegression().fit(Xb, yb)


def test_threaded_finite_check_passes_large_finite_values():
    from logreg._validation import assert_finite

    Xb = np.full((BIG_N, BIG_D), 1e100)  # squares 1e200, their sum ~1e206: finite
    assert_finite(Xb, "LogisticRegression")  # no error
    assert_finite((Xb / 1e85).astype(np.float32), "LogisticRegression")  # 1e15: float32 sums carry 1/n


@pytest.mark.parametrize(
    "labels",
    [
        np.array([3, 7]),
        np.array([-1.0, 1.0]),
        np.array([False, True]),
        np.array([0, 1, 2, 5]),
        np.array([2.0, 4.0, 8.0]),
        np.array(["no", "yes"]),
        np.array(["a", "b", "c"], dtype=object),
    ],
    ids=lambda a: f"{a.dtype}-{a.size}",
)
def test_encode_labels_equals_np_unique(labels):
    from logreg._validation import encode_labels

    yb = np.random.default_rng(3).choice(labels, 500)
    classes, codes = encode_labels(yb)
    ref_classes, ref_codes = np.unique(yb, return_inverse=True)
    assert np.array_equal(classes, ref_classes)
    assert np.array_equal(codes, ref_codes.ravel())
    assert codes.dtype == np.int8  # one byte a row, not eight


@pytest.mark.parametrize("n_classes, dtype", [(2, np.int8), (5, np.int8), (300, np.int16)])
def test_encode_labels_in_chunks_over_many_rows(n_classes, dtype):
    """More rows than one de-duplication chunk (65536), classes seen only in late chunks."""
    from logreg._validation import class_totals, encode_labels

    rng = np.random.default_rng(4)
    y = rng.integers(0, n_classes, 200_000).astype(float) * 2.0
    y[:100_000] = 0.0  # the first chunks hold one class only
    y[-1] = 2.0 * (n_classes - 1)
    classes, codes = encode_labels(y)
    ref_classes, ref_codes = np.unique(y, return_inverse=True)
    assert np.array_equal(classes, ref_classes) and np.array_equal(codes, ref_codes.ravel())
    assert codes.dtype == dtype
    assert np.array_equal(class_totals(codes, classes.size), np.bincount(ref_codes, minlength=classes.size))
    w = rng.uniform(0, 2, y.size)
    np.testing.assert_allclose(class_totals(codes, classes.size, w), np.bincount(ref_codes, w, classes.size))


def test_encode_labels_refuses_a_continuous_target():
    from logreg._validation import encode_labels

    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        encode_labels(np.array([0.5, 1.5, 0.5, 1.5]))


@pytest.mark.parametrize("layout", ["C", "F", "strided", "csr", "large"])
def test_values_whose_squares_overflow_are_refused_with_the_fix(layout):
    """1e300 (a sentinel for 'missing', say) passes scikit-learn's finite check but overflows every
    sum of products in the fit: refused up front, naming the size and the fix."""
    if layout == "large":
        Xb, yb = np.zeros((BIG_N, BIG_D)), np.arange(BIG_N) % 2
        Xb[7, 2] = 1e300
    else:
        Xb, yb = _with(1e300), y
        Xb = {"C": Xb, "F": np.asfortranarray(Xb), "strided": np.c_[Xb, Xb][:, 1::2], "csr": sp.csr_matrix(Xb)}[layout]
    with pytest.raises(ValueError, match=r"values as large as 1e\+300.*Rescale the features"):
        LogisticRegression().fit(Xb, yb)


def test_large_but_safe_values_are_accepted_with_advice_to_standardise():
    from logreg.exceptions import ConvergenceWarning

    # squares 1e200: fine in float64; float32 at 1e15: the fit's sums carry 1/n, fine. The gradient
    # is then ~1e99 (or ~1e7) at any C and never meets tol: the warning says to standardise
    for Xb in (X * 1e100, (X * 1e15).astype(np.float32)):
        with pytest.warns(ConvergenceWarning, match="standardise the features"):
            LogisticRegression().fit(Xb, y)


def test_many_classes_warn_about_regression_only_when_most_rows_are_unique():
    """scikit-learn warns when more than half of the rows have their own class; the classes
    alone (300 distinct of 3000 rows) must not trigger it."""
    import warnings

    from logreg._validation import encode_labels

    y = np.arange(3000) % 300
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        encode_labels(y)
    with pytest.warns(UserWarning, match="greater than 50%"):
        encode_labels(np.arange(100) % 80)
