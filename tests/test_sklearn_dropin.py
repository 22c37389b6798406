"""Drop-in for scikit-learn's LogisticRegression: every constructor argument it has, sparsify /
densify, max_iter=0.  References: scikit-learn 1.9's signature and its fits (newton-cholesky)."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.preprocessing import StandardScaler

from logreg import LogisticRegression
from logreg.exceptions import ConvergenceWarning


def binary():
    X, y = make_classification(n_samples=200, n_features=8, n_informative=3, random_state=0)
    return StandardScaler().fit_transform(X), y


def test_every_sklearn_constructor_argument_is_accepted():
    theirs = set(inspect.signature(SkLogisticRegression).parameters)
    assert theirs <= set(LogisticRegression().get_params())
    X, y = binary()
    sk_defaults = {k: v.default for k, v in inspect.signature(SkLogisticRegression).parameters.items()}
    sk_defaults.pop("penalty")  # scikit-learn's 'deprecated' placeholder; logreg's 'auto' means the same
    sk_defaults["n_jobs"] = 2
    LogisticRegression(**sk_defaults).fit(X, y)


def test_dual_true_is_refused_with_the_fix():
    X, y = binary()
    with pytest.raises(ValueError, match="primal problem only; use dual=False"):
        LogisticRegression(dual=True).fit(X, y)


@pytest.mark.parametrize(
    "kw",
    [dict(intercept_scaling=100.0), dict(random_state=0), dict(random_state=np.random.RandomState(1)), dict(n_jobs=-1)],
)
def test_compatibility_arguments_do_not_change_the_fit(kw):
    """Documented as without effect: the intercept is never penalised, no solver samples at random."""
    X, y = binary()
    base = LogisticRegression(tol=1e-10).fit(X, y)
    other = LogisticRegression(tol=1e-10, **kw).fit(X, y)
    assert_array_equal(other.coef_, base.coef_)
    assert_array_equal(other.intercept_, base.intercept_)


@pytest.mark.parametrize("kw", [dict(intercept_scaling=0.0), dict(n_jobs=1.5), dict(random_state="seed")])
def test_compatibility_arguments_are_validated(kw):
    X, y = binary()
    with pytest.raises(ValueError):
        LogisticRegression(**kw).fit(X, y)


@pytest.mark.parametrize("solver", ["auto", "newton", "lbfgs", "cd", "gd"])
@pytest.mark.parametrize("multiclass", [False, True])
def test_max_iter_zero_returns_the_start_like_sklearn(solver, multiclass):
    X, y = load_iris(return_X_y=True) if multiclass else binary()
    with pytest.warns(ConvergenceWarning, match="max_iter=0"):
        ours = LogisticRegression(max_iter=0, solver=solver).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = SkLogisticRegression(max_iter=0, solver="newton-cholesky").fit(X, y)
    assert_array_equal(ours.coef_, ref.coef_)
    assert_array_equal(ours.intercept_, ref.intercept_)
    assert_array_equal(ours.n_iter_, ref.n_iter_)
    assert_allclose(ours.predict_proba(X), ref.predict_proba(X))


def test_max_iter_zero_with_warm_start_keeps_the_previous_fit():
    X, y = load_iris(return_X_y=True)
    model = LogisticRegression(warm_start=True).fit(X, y)
    coef, intercept = model.coef_.copy(), model.intercept_.copy()
    with pytest.warns(ConvergenceWarning):
        model.set_params(max_iter=0).fit(X, y)
    assert_array_equal(model.coef_, coef)
    assert_allclose(model.intercept_, intercept, atol=1e-12)  # re-centred over the classes
    assert_array_equal(model.n_iter_, [0])


@pytest.mark.parametrize("multiclass", [False, True])
def test_sparsify_keeps_predictions_and_densify_restores(multiclass):
    X, y = load_iris(return_X_y=True) if multiclass else binary()
    model = LogisticRegression(l1_ratio=1.0, C=0.05).fit(X, y)
    coef = model.coef_.copy()
    assert np.count_nonzero(coef == 0) > 0  # L1: worth sparsifying
    expected = {m: getattr(model, m)(X) for m in ("decision_function", "predict_proba", "predict")}
    assert model.sparsify() is model and sp.issparse(model.coef_) and model.coef_.format == "csr"
    assert_array_equal(model.coef_.toarray(), coef)
    for method, value in expected.items():
        assert_allclose(getattr(model, method)(X), value, rtol=1e-12)
        assert_allclose(getattr(model, method)(sp.csr_matrix(X)), value, rtol=1e-12)
    assert model.densify() is model and isinstance(model.coef_, np.ndarray)
    assert_array_equal(model.coef_, coef)
    assert_array_equal(model.densify().coef_, coef)  # a no-op on dense coefficients


def test_sparse_coef_summary_and_save_ask_for_densify_and_fit_works(tmp_path):
    X, y = binary()
    model = LogisticRegression(l1_ratio=1.0, C=0.05, warm_start=True).fit(X, y)
    coef = model.coef_.copy()
    model.sparsify()
    with pytest.raises(ValueError, match="densify"):
        model.summary()
    with pytest.raises(ValueError, match="densify"):
        model.save(tmp_path / "m.json")
    model.fit(X, y)  # warm start from the sparse coefficients
    assert isinstance(model.coef_, np.ndarray)
    assert_allclose(model.coef_, coef, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("method", ["sparsify", "densify"])
def test_sparsify_densify_need_a_fit(method):
    with pytest.raises(NotFittedError):
        getattr(LogisticRegression(), method)()


def test_verbose_prints_the_iterations(capsys):
    X, y = binary()
    LogisticRegression(verbose=1).fit(X, y)
    assert "objective" in capsys.readouterr().out
