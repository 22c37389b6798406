"""Data diagnostics raised by fit (logreg.diagnostics) as stable warning classes."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.preprocessing import StandardScaler

import logreg.diagnostics as diagnostics
from logreg import LogisticRegression
from logreg.exceptions import (
    CollinearityWarning,
    ConstantFeatureWarning,
    DataWarning,
    PerfectSeparationWarning,
    QuasiSeparationWarning,
    ScalingWarning,
    SeparationWarning,
)


def _fit_record(model, X, y, **fit_kw):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        model.fit(X, y, **fit_kw)
    return rec


def _of(rec, cls):
    return [w for w in rec if issubclass(w.category, cls)]


def _iris_two():
    X, y = load_iris(return_X_y=True, as_frame=True)
    keep = y < 2  # setosa vs versicolor: separated by the petal measurements
    return X[keep], y[keep]


# --------------------------------------------------------------------------- separation
def test_iris_setosa_versicolor_unpenalized_warns_perfect_separation():
    X, y = _iris_two()
    rec = _fit_record(LogisticRegression(penalty=None), X, y)
    sep = _of(rec, SeparationWarning)
    assert len(sep) == 1
    w = sep[0]
    assert issubclass(w.category, PerfectSeparationWarning) and issubclass(w.category, DataWarning)
    msg = str(w.message)
    # the features that separate on their own are named; those that overlap are not
    assert "'petal length (cm)'" in msg and "'petal width (cm)'" in msg
    assert "sepal length" not in msg
    for remedy in ["penalty", "drop", "Firth"]:
        assert remedy in msg
    # the warning points at the caller's fit line, not inside logreg
    assert w.filename == __file__


def test_separation_warning_is_filterable_as_error():
    X, y = _iris_two()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", SeparationWarning)
        with pytest.raises(PerfectSeparationWarning):
            LogisticRegression(penalty=None).fit(X, y)


def test_penalized_fit_of_separated_data_does_not_warn():
    X, y = _iris_two()
    rec = _fit_record(LogisticRegression(C=1.0), X, y)
    assert not _of(rec, SeparationWarning)


def test_separation_by_a_combination_names_its_features():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)  # neither feature separates alone
    df = pd.DataFrame(X, columns=["a", "b", "noise"])
    rec = _fit_record(LogisticRegression(penalty=None), df, y)
    sep = _of(rec, SeparationWarning)
    assert len(sep) == 1 and issubclass(sep[0].category, PerfectSeparationWarning)
    msg = str(sep[0].message)
    assert "'a'" in msg and "'b'" in msg and "'noise'" not in msg


def test_quasi_separation_by_a_dummy():
    rng = np.random.default_rng(1)
    n = 300
    dummy = rng.integers(0, 2, n).astype(float)
    x = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-x))).astype(int)
    y[dummy == 1] = 1  # dummy = 1 only ever occurs with y = 1
    df = pd.DataFrame({"dummy": dummy, "x": x})
    rec = _fit_record(LogisticRegression(penalty=None), df, y)
    sep = _of(rec, SeparationWarning)
    assert len(sep) == 1 and issubclass(sep[0].category, QuasiSeparationWarning)
    assert not issubclass(sep[0].category, PerfectSeparationWarning)
    msg = str(sep[0].message)
    assert "'dummy'" in msg and "'x'" not in msg and "Firth" in msg


def test_quasi_separation_by_a_combination_found_by_linear_program():
    rng = np.random.default_rng(2)
    n = 300
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    X[:40, 1] = -X[:40, 0]  # 40 rows on the boundary x0 + x1 = 0, with both labels
    y[:40] = rng.integers(0, 2, 40)
    df = pd.DataFrame(X, columns=["u", "v", "w"])
    rec = _fit_record(LogisticRegression(penalty=None), df, y)
    sep = _of(rec, SeparationWarning)
    assert len(sep) == 1 and issubclass(sep[0].category, QuasiSeparationWarning)
    msg = str(sep[0].message)
    assert "'u'" in msg and "'v'" in msg and "'w'" not in msg


def test_overlapping_classes_do_not_warn():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(500, 4))
    y = (rng.random(500) < 1 / (1 + np.exp(-(X @ [1.0, -1.0, 0.5, 0.0])))).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        model = LogisticRegression(penalty=None).fit(X, y)
    assert model.model_.diagnostics == ()


def test_strong_but_finite_effect_is_not_called_separation():
    # extreme fitted probabilities trigger the exact check, which must clear the data
    rng = np.random.default_rng(4)
    X = rng.normal(size=(2000, 3))
    y = (rng.random(2000) < 1 / (1 + np.exp(-4 * X[:, 0]))).astype(int)
    rec = _fit_record(LogisticRegression(penalty=None), X, y)
    assert not _of(rec, SeparationWarning)


def test_zero_weight_rows_are_not_data():
    X, y = _iris_two()
    X = np.vstack([X.to_numpy(), [[5.0, 3.0, 1.4, 0.2]]])  # a setosa-like row labelled versicolor
    y = np.append(y.to_numpy(), 1)
    sw = np.ones(len(y))
    rec = _fit_record(LogisticRegression(penalty=None), X, y)
    assert not _of(rec, PerfectSeparationWarning)
    sw[-1] = 0.0
    rec = _fit_record(LogisticRegression(penalty=None), X, y, sample_weight=sw)
    assert _of(rec, PerfectSeparationWarning)


def test_multinomial_class_separated_from_the_rest():
    X, y = load_iris(return_X_y=True, as_frame=True)  # setosa is separated, the other two overlap
    rec = _fit_record(LogisticRegression(penalty=None, max_iter=50), X, y)
    sep = _of(rec, SeparationWarning)
    assert len(sep) == 1 and issubclass(sep[0].category, QuasiSeparationWarning)
    msg = str(sep[0].message)
    assert "'petal length (cm)' (class 0 from the rest)" in msg


# --------------------------------------------------------------------------- columns
def test_constant_column_is_named():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(100, 3))
    X[:, 1] = 7.0
    y = (X[:, 0] + rng.normal(size=100) > 0).astype(int)
    df = pd.DataFrame(X, columns=["x", "const7", "z"])
    for model in [LogisticRegression(), LogisticRegression(penalty=None)]:
        rec = _fit_record(model, df, y)
        const = _of(rec, ConstantFeatureWarning)
        assert len(const) == 1 and "'const7'" in str(const[0].message) and "'x'" not in str(const[0].message)
        # a constant is collinear with the intercept: reported once, as constant
        assert len(_of(rec, CollinearityWarning)) == 1
        # "not identified" is true only without a penalty; with one, the penalty pins them down
        assert ("not identified without a penalty" in str(const[0].message)) == (model.penalty is None)


def test_constant_column_without_intercept_is_fine_unless_zero():
    rng = np.random.default_rng(6)
    X = np.column_stack([rng.normal(size=100), np.ones(100), np.zeros(100)])
    y = (X[:, 0] > 0).astype(int) ^ (rng.random(100) < 0.2)
    rec = _fit_record(LogisticRegression(fit_intercept=False), X, y)
    const = _of(rec, ConstantFeatureWarning)
    assert len(const) == 1
    assert "'x2'" in str(const[0].message) and "'x1'" not in str(const[0].message)


def test_collinear_columns_are_named():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(200, 4))
    X[:, 3] = X[:, 0] - 2 * X[:, 1]
    y = (X[:, 0] + rng.normal(size=200) > 0).astype(int)
    df = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    rec = _fit_record(LogisticRegression(penalty=None), df, y)
    col = _of(rec, CollinearityWarning)
    assert len(col) == 1 and not issubclass(col[0].category, ConstantFeatureWarning)
    msg = str(col[0].message)
    assert "'a'" in msg and "'b'" in msg and "'d'" in msg and "'c'" not in msg


def test_dummy_trap_names_the_intercept():
    rng = np.random.default_rng(8)
    level = rng.integers(0, 3, 300)
    X = np.eye(3)[level]  # all three one-hot columns and an intercept
    y = (rng.random(300) < 0.3 + 0.2 * level).astype(int)
    rec = _fit_record(LogisticRegression(penalty=None), X, y)
    col = _of(rec, CollinearityWarning)
    assert len(col) == 1 and "intercept" in str(col[0].message)
    assert all(f"'x{j}'" in str(col[0].message) for j in range(3))


def test_near_but_not_exact_collinearity_is_not_flagged():
    rng = np.random.default_rng(9)
    X = rng.normal(size=(300, 2))
    X = np.column_stack([X, X[:, 0] + 1e-3 * rng.normal(size=300)])
    y = (X[:, 0] + rng.normal(size=300) > 0).astype(int)
    rec = _fit_record(LogisticRegression(penalty=None), X, y)
    assert not _of(rec, CollinearityWarning)


def test_collinearity_found_in_the_sample_is_checked_on_all_rows(monkeypatch):
    # two rare dummies that are both zero in the sampled rows are not collinear in the data
    monkeypatch.setattr(diagnostics, "SAMPLE_ROWS", 50)
    rng = np.random.default_rng(10)
    n = 1000
    X = np.column_stack([rng.normal(size=n), np.zeros(n), np.zeros(n)])
    X[7, 1] = 1.0
    X[11, 2] = 1.0
    y = (X[:, 0] + rng.normal(size=n) > 0).astype(int)
    rec = _fit_record(LogisticRegression(penalty=None), X, y)
    assert not _of(rec, CollinearityWarning)


def test_bad_scaling_is_named_and_standardising_is_suggested():
    data = load_breast_cancer(as_frame=True)
    X, y = data.data, data.target
    rec = _fit_record(LogisticRegression(max_iter=500), X, y)
    sc = _of(rec, ScalingWarning)
    assert len(sc) == 1
    msg = str(sc[0].message)
    assert "'worst area'" in msg and "'mean area'" in msg and "StandardScaler" in msg
    assert "'mean radius'" not in msg  # within the usual range
    rec = _fit_record(LogisticRegression(), StandardScaler().fit_transform(X), y)
    assert not _of(rec, ScalingWarning)


def test_diagnostics_are_kept_for_the_summary():
    X, y = _iris_two()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression(penalty=None).fit(X, y)
        s = model.summary()
    assert len(model.model_.diagnostics) == 1
    assert model.model_.diagnostics[0].category is PerfectSeparationWarning
    assert model.model_.diagnostics[0].features == ("petal length (cm)", "petal width (cm)")
    assert "separat" in str(s).lower()


def test_large_problems_skip_the_expensive_checks(monkeypatch):
    # above the gates no linear program and no Gram matrix are computed
    calls = []
    monkeypatch.setattr(diagnostics, "LP_MAX_WORK", 0)
    monkeypatch.setattr(diagnostics, "GRAM_MAX_WORK", 0)
    monkeypatch.setattr(diagnostics, "_separating_direction", lambda *a, **k: calls.append(a))
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    X[:40, 1] = -X[:40, 0]
    y[:40] = rng.integers(0, 2, 40)
    rec = _fit_record(LogisticRegression(penalty=None), np.column_stack([X, X[:, 0]]), y)
    assert not calls
    assert not _of(rec, CollinearityWarning)


def test_sparse_column_ranges_are_exact_and_cheap():
    """Sparse data: column ranges from the stored values in O(nnz), implicit zeros counted."""
    from logreg.diagnostics import _sparse_column_range

    rng = np.random.default_rng(3)
    D = rng.standard_normal((50, 6))
    D[rng.random((50, 6)) < 0.5] = 0.0
    D[:, 2] = 0.0  # empty column
    D[:, 4] = 3.0  # full constant column
    D[:, 5] = np.abs(D[:, 5]) + 1.0  # full, positive
    mn, mx = _sparse_column_range(sp.csr_matrix(D))
    np.testing.assert_array_equal(mn, D.min(axis=0))
    np.testing.assert_array_equal(mx, D.max(axis=0))


def test_wide_sparse_penalised_fit_has_no_column_noise():
    """Text-like data: empty vocabulary columns under a penalty are routine, not warnings."""
    rng = np.random.default_rng(0)
    X = sp.random(300, 2000, density=0.005, format="csr", random_state=rng)
    y = rng.integers(0, 2, 300)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        LogisticRegression(C=1.0).fit(X, y)
