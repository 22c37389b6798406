"""logreg.model.FittedModel: the fit as a value that the estimator holds and the faces take.

The numbers are statsmodels' (Logit on the spector data); the rest checks that
every road (the estimator, the value itself, a loaded model file) reaches them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import logreg
from logreg import LogisticRegression
from logreg.diagnostics import diagnose
from logreg.layout import ParamLayout
from logreg.model import FittedModel, PenaltySpec, as_fitted
from logreg.stats import lr_test, summarize, wald_test

sm = pytest.importorskip("statsmodels.api")


def _spector():
    data = sm.datasets.spector.load_pandas()
    return data.exog, data.endog.to_numpy()


@pytest.fixture(scope="module")
def fitted():
    X, y = _spector()
    model = LogisticRegression(penalty=None, tol=1e-10).fit(X, y)
    reference = sm.Logit(y, sm.add_constant(X)).fit(disp=0)
    return model, reference


def test_the_estimators_attributes_read_its_fitted_model(fitted):
    model, reference = fitted
    fm = model.fitted_model()
    assert fm is model.model_ and isinstance(fm, FittedModel)
    assert fm.layout == ParamLayout(3, 2, True)
    np.testing.assert_allclose(fm.coef.ravel(), reference.params.to_numpy()[1:], rtol=1e-6)
    np.testing.assert_allclose(fm.intercept, reference.params.to_numpy()[:1], rtol=1e-6)
    assert model.coef_ is fm.coef and model.intercept_ is fm.intercept and model.classes_ is fm.classes
    assert model.n_iter_.tolist() == [fm.info.n_iter] and model.converged_ is fm.info.converged is True
    assert model.solver_ == fm.info.solver and model.objective_history_ is fm.info.history
    assert fm.feature_names == ("GPA", "TUCE", "PSI") and fm.term_names() == ["const", "GPA", "TUCE", "PSI"]
    assert fm.penalty == PenaltySpec(None, 1.0, None) and not fm.penalty.penalized
    assert fm.statistics is not None and fm.diagnostics == ()


def test_faces_take_the_value_as_they_take_the_estimator(fitted):
    model, reference = fitted
    X, y = _spector()
    fm = model.fitted_model()
    by_value, by_estimator = summarize(fm), model.summary()
    np.testing.assert_allclose(by_value.params, reference.params.to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(by_value.std_err, reference.bse.to_numpy(), rtol=1e-5)
    np.testing.assert_array_equal(by_value.cov_params, by_estimator.cov_params)
    # from the rows: the value checks X itself (here a DataFrame with the fit's column names)
    np.testing.assert_allclose(summarize(fm, X, y, cov_type="HC0").std_err, model.summary(X, y, cov_type="HC0").std_err)
    wald = wald_test(fm, "GPA = 0")
    assert wald.statistic == pytest.approx(float(reference.wald_test("GPA = 0", scalar=True).statistic), rel=1e-5)
    assert diagnose(fm, X.to_numpy(), y.astype(int), warn=False) == ()
    assert as_fitted(model) is fm and as_fitted(fm) is fm


def test_lr_test_on_values_is_statsmodels_likelihood_ratio(fitted):
    model, reference = fitted
    X, y = _spector()
    small = LogisticRegression(penalty=None, tol=1e-10).fit(X[["GPA"]], y)
    ref_small = sm.Logit(y, sm.add_constant(X[["GPA"]])).fit(disp=0)
    result = lr_test(small.fitted_model(), model.fitted_model())
    assert result.statistic == pytest.approx(2 * (reference.llf - ref_small.llf), rel=1e-6)
    assert result.df == 2


def test_a_model_file_loads_as_the_same_value(fitted, tmp_path):
    model, _ = fitted
    model.save(tmp_path / "m.json")
    loaded = logreg.load(tmp_path / "m.json").fitted_model()
    fm = model.fitted_model()
    assert loaded.layout == fm.layout and loaded.penalty == fm.penalty and loaded.feature_names == fm.feature_names
    np.testing.assert_array_equal(loaded.coef, fm.coef)
    np.testing.assert_array_equal(loaded.statistics.fisher, fm.statistics.fisher)
    assert loaded.info.n_iter == fm.info.n_iter and loaded.info.solver == fm.info.solver
    np.testing.assert_allclose(summarize(loaded).std_err, summarize(fm).std_err, rtol=1e-12)


def test_writing_coef_replaces_the_value_and_the_summary_notices(fitted):
    X, y = _spector()
    model = LogisticRegression(penalty=None, tol=1e-10).fit(X, y)
    before = model.fitted_model()
    model.coef_ = model.coef_ * 2.0
    assert model.fitted_model() is not before  # a new value: the old one is unchanged
    np.testing.assert_array_equal(before.coef * 2.0, model.fitted_model().coef)
    with pytest.raises(ValueError, match="coefficients changed since fit"):
        model.summary()
    with pytest.raises(AttributeError, match="set by fit"):
        model.standardize_mean_ = np.zeros(3)


def test_the_value_checks_new_rows(fitted):
    model, _ = fitted
    X, _ = _spector()
    fm = model.fitted_model()
    np.testing.assert_allclose(fm.linear_predictor(fm.matrix(X)), model.decision_function(X), rtol=1e-12)
    with pytest.raises(ValueError, match="other feature names than at fit"):
        fm.matrix(X[["TUCE", "GPA", "PSI"]])
    with pytest.raises(ValueError, match="2 features, but the model is expecting 3"):
        fm.matrix(X.to_numpy()[:, :2])
    with pytest.raises(ValueError, match="labels the model was not fitted on"):
        fm.codes(np.array([0, 1, 7]))


def test_unfitted_estimators_have_no_fitted_attributes():
    from sklearn.exceptions import NotFittedError

    model = LogisticRegression()
    assert not hasattr(model, "coef_") and not hasattr(model, "model_")
    with pytest.raises(NotFittedError):
        model.fitted_model()
    with pytest.raises(NotFittedError):
        summarize(model)


def test_penalty_spec_is_resolved_once():
    assert PenaltySpec.of("auto", 2.0, 0.25) == PenaltySpec("elasticnet", 2.0, 0.25)
    assert PenaltySpec.of("l2", np.inf).kind is None
    assert PenaltySpec.of("auto", 4.0).curvature == pytest.approx(0.25)
    assert PenaltySpec.of("elasticnet", 4.0, 0.5).curvature == pytest.approx(0.125)
    assert PenaltySpec.of("firth", 1.0).firth and PenaltySpec.of("l1", 1.0).curvature == 0.0
    # the penalised summary's Hessian adds the curvature to the coefficients only, as scikit-learn's objective
    X, y = _spector()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression(C=4.0, tol=1e-10).fit(X, y)
        fm = model.fitted_model()
        cov = summarize(fm).cov_params
    P = fm.statistics.fisher + np.diag(np.where(fm.layout.stats_coef_mask(), 0.25, 0.0))
    np.testing.assert_allclose(cov, np.linalg.inv(P), rtol=1e-8)
