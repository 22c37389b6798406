"""Marginal effects (logreg.inference.margins) against statsmodels and finite differences.

References: statsmodels ``Logit(...).fit().get_margeff(at=...)`` and
``MNLogit(...).fit().get_margeff(at=...)`` on the same unpenalised fits, run in
the test; the analytic Jacobian against central differences of the effects.
"""

import numpy as np
import pytest
import scipy.sparse as sp

from logreg.inference.margins import MARGEFF_COLUMNS, effects_and_jacobian

sm = pytest.importorskip("statsmodels.api")

from _fits import tight_fit as _fit  # noqa: E402


@pytest.fixture(scope="module")
def spector():
    data = sm.datasets.spector.load_pandas()
    return data.exog, data.endog.to_numpy()


@pytest.fixture(scope="module")
def anes():
    data = sm.datasets.anes96.load_pandas()
    return data.exog[["logpopul", "selfLR", "age", "educ"]], data.endog.to_numpy().astype(int)


@pytest.mark.parametrize("at", ["overall", "mean"])
def test_binary_matches_statsmodels_logit(spector, at):
    X, y = spector
    got = _fit(X, y).marginal_effects(X, at=at)
    ref = sm.Logit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-12).get_margeff(at=at).summary_frame()
    assert list(got.columns) == MARGEFF_COLUMNS and list(got.index) == ["GPA", "TUCE", "PSI"]
    np.testing.assert_allclose(got.to_numpy(), ref.to_numpy(), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("at", ["overall", "mean"])
def test_multinomial_matches_statsmodels_mnlogit(anes, at):
    X, y = anes
    got = _fit(X, y).marginal_effects(X, at=at)
    ref = sm.MNLogit(y, sm.add_constant(X)).fit(disp=0, method="newton", maxiter=100).get_margeff(at=at)
    frame = ref.summary_frame()
    assert got.index.names == ["class", "term"] and len(got) == 7 * 4
    np.testing.assert_allclose(got.to_numpy(), frame.to_numpy(), rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("K", [2, 4])
def test_jacobian_matches_finite_differences(K):
    rng = np.random.default_rng(K)
    X = rng.normal(size=(50, 3))
    s = rng.uniform(0.2, 2.0, 50)
    B = np.vstack([np.zeros(4), rng.normal(size=(K - 1, 4))])
    _, jac = effects_and_jacobian(X, s, B, True)
    h = 1e-6
    for k in range(1, K):
        for c in range(4):
            Bp, Bm = B.copy(), B.copy()
            Bp[k, c] += h
            Bm[k, c] -= h
            num = (effects_and_jacobian(X, s, Bp, True)[0] - effects_and_jacobian(X, s, Bm, True)[0]) / (2 * h)
            np.testing.assert_allclose(jac[:, :, k - 1, c], num, rtol=1e-6, atol=1e-9)


def test_weighted_average_equals_repeated_rows(spector):
    X, y = spector
    w = np.arange(len(y)) % 3 + 1
    rep = np.repeat(np.arange(len(y)), w)
    Xr, yr = X.iloc[rep], y[rep]
    for at in ("overall", "mean"):
        a = _fit(X, y, sample_weight=w).marginal_effects(X, at=at, sample_weight=w)
        b = _fit(Xr, yr).marginal_effects(Xr, at=at)
        np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-6)
    # and the weights matter
    unweighted = _fit(X, y, sample_weight=w).marginal_effects(X)
    assert not np.allclose(unweighted["dydx"], a["dydx"])


def test_robust_covariance_and_sparse_input(spector):
    X, y = spector
    model = _fit(X, y)
    hc0 = model.marginal_effects(X, cov_type="HC0")
    ref = sm.Logit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-12, cov_type="HC0")
    np.testing.assert_allclose(hc0["std_err"], ref.get_margeff().summary_frame()["Std. Err."], rtol=1e-6)
    Xs = sp.csr_matrix(X.to_numpy())
    plain = _fit(X.to_numpy(), y)
    np.testing.assert_allclose(
        plain.marginal_effects(Xs, at="mean").to_numpy(), plain.marginal_effects(X.to_numpy(), at="mean").to_numpy()
    )
    hc3 = model.marginal_effects(X, y=y, cov_type="HC3")
    assert np.all(hc3["std_err"] > hc0["std_err"])


def test_bad_arguments(spector):
    X, y = spector
    model = _fit(X, y)
    with pytest.raises(ValueError, match="at must be one of"):
        model.marginal_effects(X, at="median")
    with pytest.raises(ValueError, match="non-zero"):
        model.marginal_effects(X, sample_weight=np.zeros(len(y)))
