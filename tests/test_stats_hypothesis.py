"""Likelihood-ratio and Wald tests (logreg.stats.lr_test / wald_test) against statsmodels.

References are statsmodels fits of the same models on the same data, run in the
test: ``Logit`` / ``MNLogit`` log-likelihoods for the LR statistic (statsmodels
has ``compare_lr_test`` only for OLS; for discrete models it is the difference
of ``llf``) and ``LogitResults.wald_test`` / ``MNLogitResults.wald_test``
(chi-squared form, statsmodels' default for discrete models).
"""

import numpy as np
import pytest
from scipy import stats as sps

from logreg.stats import lr_test, wald_test

sm = pytest.importorskip("statsmodels.api")

from _fits import tight_fit as _fit  # noqa: E402


@pytest.fixture(scope="module")
def spector():
    data = sm.datasets.spector.load_pandas()
    return data.exog, data.endog.to_numpy()


@pytest.fixture(scope="module")
def anes():
    data = sm.datasets.anes96.load_pandas()
    exog = data.exog[["logpopul", "selfLR", "age", "educ", "income"]]
    return exog, data.endog.to_numpy().astype(int)


def test_lr_test_matches_statsmodels_log_likelihoods(spector):
    X, y = spector
    full = _fit(X, y)
    restricted = _fit(X[["GPA"]], y)
    ref_f = sm.Logit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-12)
    ref_r = sm.Logit(y, sm.add_constant(X[["GPA"]])).fit(disp=0, method="newton", tol=1e-12)
    res = lr_test(restricted, full)
    stat = 2 * (ref_f.llf - ref_r.llf)
    assert res.df == ref_f.df_model - ref_r.df_model == 2
    np.testing.assert_allclose(res.statistic, stat, rtol=1e-8)
    np.testing.assert_allclose(res.p_value, sps.chi2.sf(stat, 2), rtol=1e-8)


def test_lr_test_multinomial_matches_mnlogit(anes):
    X, y = anes
    full = _fit(X, y)
    restricted = _fit(X[["logpopul", "selfLR"]], y)
    ref_f = sm.MNLogit(y, sm.add_constant(X)).fit(disp=0, method="newton", maxiter=100)
    ref_r = sm.MNLogit(y, sm.add_constant(X[["logpopul", "selfLR"]])).fit(disp=0, method="newton", maxiter=100)
    res = lr_test(restricted, full)
    assert res.df == 3 * 6  # three more columns, six non-baseline classes
    np.testing.assert_allclose(res.statistic, 2 * (ref_f.llf - ref_r.llf), rtol=1e-6)


def test_lr_test_refuses_what_it_cannot_test(spector):
    X, y = spector
    full = _fit(X, y)
    restricted = _fit(X[["GPA"]], y)
    with pytest.raises(ValueError, match="not nested.*lr_test\\(restricted, full\\)"):
        lr_test(full, restricted)
    with pytest.raises(ValueError, match="same data"):
        lr_test(_fit(X[["GPA"]][:-2], y[:-2]), full)
    with pytest.raises(ValueError, match="unpenalised.*penalty=None"):
        lr_test(restricted, _fit(X, y, penalty="l2", C=1.0))
    # more parameters but a worse fit: (TUCE, PSI) does not nest GPA
    with pytest.raises(ValueError, match="fits worse"):
        lr_test(restricted, _fit(X[["TUCE", "PSI"]], y))
    with pytest.raises(ValueError, match="different classes"):
        lr_test(restricted, _fit(X, np.where(y == 1, "a", "b")))


def test_wald_test_matches_statsmodels(spector):
    X, y = spector
    model = _fit(X, y)
    ref = sm.Logit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-12)
    R = np.array([[0, 0, 1, 0], [0, 1, 0, -1]], dtype=float)
    res = wald_test(model, R)
    w = ref.wald_test(R, scalar=True)
    np.testing.assert_allclose([res.statistic, res.p_value], [w.statistic, w.pvalue], rtol=1e-6)
    assert res.df == 2
    # the same restrictions by name, and one restriction: the summary's z squared
    by_name = wald_test(model, "TUCE = 0, GPA = PSI")
    np.testing.assert_allclose(by_name.statistic, res.statistic, rtol=1e-12)
    one = wald_test(model, [0, 1, 0, 0], q=[0.0])
    np.testing.assert_allclose(one.statistic, model.summary().z[1] ** 2, rtol=1e-12)
    # a non-zero right-hand side
    q = wald_test(model, "GPA = 1")
    wq = ref.wald_test("GPA = 1", scalar=True)
    np.testing.assert_allclose(q.statistic, wq.statistic, rtol=1e-6)


def test_wald_test_robust_covariance_matches_statsmodels(spector):
    X, y = spector
    model = _fit(X, y)
    ref = sm.Logit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-12, cov_type="HC0")
    res = wald_test(model, "TUCE = 0, PSI = 0", cov_type="HC0")
    np.testing.assert_allclose(res.statistic, ref.wald_test("TUCE = 0, PSI = 0", scalar=True).statistic, rtol=1e-6)


def test_wald_test_multinomial_matches_mnlogit(anes):
    X, y = anes
    model = _fit(X, y)
    ref = sm.MNLogit(y, sm.add_constant(X)).fit(disp=0, method="newton", maxiter=100)
    terms = model.summary().terms
    R = np.zeros((2, len(terms)))
    R[0, terms.index("1:age")] = 1.0
    R[1, terms.index("2:age")] = 1.0
    # statsmodels orders MNLogit parameters term-major within each class, as ours
    res = wald_test(model, R)
    np.testing.assert_allclose(res.statistic, ref.wald_test(R, scalar=True).statistic, rtol=1e-5)
    np.testing.assert_allclose(wald_test(model, "1:age = 0, 2:age = 0").statistic, res.statistic, rtol=1e-12)


def test_wald_test_bad_restrictions(spector):
    X, y = spector
    model = _fit(X, y)
    with pytest.raises(ValueError, match="one column per term \\(4"):
        wald_test(model, [[1, 0, 0]])
    with pytest.raises(ValueError, match="linearly dependent"):
        wald_test(model, [[0, 1, 0, 0], [0, 2, 0, 0]])
    with pytest.raises(ValueError, match="cannot read the constraint.*terms are"):
        wald_test(model, "nosuch = 0")
    with pytest.raises(ValueError, match="one value per row of R"):
        wald_test(model, [[0, 1, 0, 0]], q=[0, 1])
