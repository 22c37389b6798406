"""HC2 / HC3 covariances (logreg.inference.leverage) against sandwich's formula.

R's ``sandwich::vcovHC(glm(..., family = binomial, weights = s), type = "HC2" / "HC3")``
is F^-1 [sum_i omega_i x~_i x~_i^T] F^-1 with omega_i = (s_i (y_i - p_i))^2 / (1 - h_i)^k,
k = 1 / 2, h_i the diagonal of the IRLS hat matrix (sandwich's meatHC, estfun.glm,
hatvalues.glm).  statsmodels' GLM returns HC0 for cov_type 'HC2' / 'HC3' (checked below,
so this file notices when that changes), so the reference is that formula written here
in numpy with statsmodels' GLM leverages (``get_hat_matrix_diag``) and fitted values.
"""

import numpy as np
import pytest

sm = pytest.importorskip("statsmodels.api")

from _fits import tight_fit as _fit  # noqa: E402


def _sandwich_reference(y, X, power, var_weights=None):
    """sandwich::vcovHC for a binomial glm, from statsmodels' GLM fit and leverages."""
    Xc = sm.add_constant(X)
    glm = sm.GLM(y, Xc, family=sm.families.Binomial(), var_weights=var_weights).fit(tol=1e-12)
    s = np.ones(len(y)) if var_weights is None else np.asarray(var_weights, dtype=float)
    p = glm.fittedvalues
    h = glm.get_hat_matrix_diag()
    bread = glm.cov_params()  # (X~' W X~)^-1, scale 1
    omega = (s * (y - p)) ** 2 / (1.0 - h) ** power
    meat = Xc.T @ (Xc * omega[:, None])
    return glm, bread @ meat @ bread


@pytest.fixture(scope="module")
def spector():
    data = sm.datasets.spector.load_pandas()
    return data.exog.to_numpy(), data.endog.to_numpy()


def test_statsmodels_glm_hc2_hc3_are_hc0(spector):
    # why statsmodels is not the reference for HC2/HC3 (see the module docstring)
    X, y = spector
    fits = {c: sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial()).fit(cov_type=c) for c in ("HC0", "HC3")}
    np.testing.assert_allclose(fits["HC3"].bse, fits["HC0"].bse, rtol=1e-12)


@pytest.mark.parametrize("cov_type, power", [("HC0", 0), ("HC2", 1), ("HC3", 2)])
def test_matches_sandwich_formula_on_spector(spector, cov_type, power):
    X, y = spector
    model = _fit(X, y)
    glm, ref = _sandwich_reference(y, X, power)
    s = model.summary(X, y, cov_type=cov_type)
    np.testing.assert_allclose(s.cov_params, ref, rtol=1e-7)
    if cov_type == "HC0":  # where statsmodels implements it, it agrees
        np.testing.assert_allclose(
            s.cov_params,
            sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial()).fit(cov_type="HC0").cov_params(),
            rtol=1e-7,
        )
    assert s.cov_type == cov_type
    assert any(cov_type in n and "leverage" in n for n in s.notes) or cov_type == "HC0"


def test_hc3_exceeds_hc2_exceeds_hc0(spector):
    X, y = spector
    model = _fit(X, y)
    se = {c: model.summary(X, y, cov_type=c).std_err for c in ("HC0", "HC2", "HC3")}
    assert np.all(se["HC2"] > se["HC0"]) and np.all(se["HC3"] > se["HC2"])


@pytest.mark.parametrize("cov_type, power", [("HC2", 1), ("HC3", 2)])
def test_probability_weights_are_sandwich_prior_weights(cov_type, power):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(150, 2))
    y = (rng.random(150) < 1 / (1 + np.exp(-(X @ [1.0, -1.0])))).astype(float)
    w = rng.uniform(0.5, 2.0, 150)
    model = _fit(X, y, sample_weight=w)
    _, ref = _sandwich_reference(y, X, power, var_weights=w)
    s = model.summary(X, y, sample_weight=w, cov_type=cov_type, weight_type="probability")
    np.testing.assert_allclose(s.cov_params, ref, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("cov_type", ["HC2", "HC3"])
def test_frequency_weights_equal_repeated_rows(cov_type):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(80, 2))
    y = (rng.random(80) < 1 / (1 + np.exp(-(X @ [0.8, 0.5])))).astype(int)
    w = rng.integers(1, 4, 80)
    model = _fit(X, y, sample_weight=w)
    rep = np.repeat(np.arange(80), w)
    model_rep = _fit(X[rep], y[rep])
    a = model.summary(X, y, sample_weight=w, cov_type=cov_type)
    b = model_rep.summary(X[rep], y[rep], cov_type=cov_type)
    np.testing.assert_allclose(a.cov_params, b.cov_params, rtol=1e-6)


def test_needs_the_data(spector):
    X, y = spector
    model = _fit(X, y)
    with pytest.raises(ValueError, match="leverage.*model.summary\\(X, y, cov_type='HC3'\\)"):
        model.summary(cov_type="HC3")
    # multinomial fits: tests/test_multinomial_inference.py
