"""Profile-likelihood intervals of unpenalised fits (summary(ci='profile'), logreg.inference.profile).

References:
* R, MASS's confint for glm on Venables and Ripley's budworm data (MASS 4th ed., pp. 190-2):
  ``budworm.lg <- glm(SF ~ sex + ldose, family = binomial); confint(budworm.lg, parm = "ldose")``
  prints ``0.8228708 1.3390581``, as reproduced in the University of Virginia Library's
  StatLab article "Profile likelihood ratio confidence intervals" (Clay Ford).  MASS finds
  the ends by spline interpolation of the profile, so it agrees to ~1e-4, not to the digits.
* statsmodels: the profile log-likelihood at the interval ends, by fitting the other
  coefficients with ``Logit(y, X_without_j, offset=b * x_j)``.
"""

import warnings

import numpy as np
import pytest
from scipy import stats as sps

from logreg import LogisticRegression

sm = pytest.importorskip("statsmodels.api")

from _fits import tight_fit as _fit  # noqa: E402


def _budworm():
    """Binomial counts as two weighted rows per group (dead: y=1, alive: y=0); 20 moths per group."""
    ldose = np.tile(np.arange(6.0), 2)
    numdead = np.array([1, 4, 9, 13, 18, 20, 0, 2, 6, 10, 12, 16])
    male = np.repeat([1.0, 0.0], 6)  # R's sexM dummy (F is the first level)
    X = np.column_stack([male, ldose])
    return np.vstack([X, X]), np.r_[np.ones(12), np.zeros(12)], np.r_[numdead, 20 - numdead].astype(float)


def test_budworm_matches_mass_confint():
    X, y, w = _budworm()
    s = _fit(X, y, sample_weight=w).summary(X, y, sample_weight=w, ci="profile")
    np.testing.assert_allclose([s.ci_lower[2], s.ci_upper[2]], [0.8228708, 1.3390581], rtol=1e-4)
    assert s.ci_method == "profile" and any("profile likelihood" in n for n in s.notes)


@pytest.fixture(scope="module")
def spector():
    data = sm.datasets.spector.load_pandas()
    return data.exog.to_numpy(), data.endog.to_numpy()


def test_likelihood_ratio_at_the_ends_is_the_chi2_quantile(spector):
    X, y = spector
    model = _fit(X, y)
    s = model.summary(X, y, ci="profile", alpha=0.1)
    Xc = sm.add_constant(X)
    llf = sm.GLM(y, Xc, family=sm.families.Binomial()).fit(tol=1e-13).llf
    for j in range(Xc.shape[1]):
        for end in (s.ci_lower[j], s.ci_upper[j]):
            rest = np.delete(Xc, j, axis=1)
            prof = sm.GLM(y, rest, family=sm.families.Binomial(), offset=end * Xc[:, j]).fit(tol=1e-13)
            np.testing.assert_allclose(2 * (llf - prof.llf), sps.chi2.ppf(0.9, 1), rtol=1e-6)
        assert s.ci_lower[j] < s.params[j] < s.ci_upper[j]
    # the other columns are the usual ones
    wald = model.summary()
    np.testing.assert_allclose(s.std_err, wald.std_err)
    np.testing.assert_allclose(s.p_value, wald.p_value)


def test_large_sample_profile_approaches_wald():
    rng = np.random.default_rng(1)
    n = 20000
    X = rng.normal(size=(n, 2))
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.3 + X @ [0.5, -0.25])))).astype(int)
    model = _fit(X, y)
    prof = model.summary(X, y, ci="profile")
    wald = model.summary()
    width = wald.ci_upper - wald.ci_lower
    np.testing.assert_allclose(prof.ci_lower, wald.ci_lower, atol=0.01 * width.max())
    np.testing.assert_allclose(prof.ci_upper, wald.ci_upper, atol=0.01 * width.max())


def test_separated_coefficient_has_an_infinite_end():
    X = np.array([[0.0], [0.0], [1.0], [1.0], [2.0], [2.0], [3.0], [3.0]])
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1])
    Xs = np.column_stack([X[:, 0], (np.arange(8) >= 6).astype(float)])  # column 2 quasi-separates: y=1 where 1
    s = _fit(Xs, y).summary(Xs, y, ci="profile")
    assert np.isinf(s.ci_upper[2]) and np.isfinite(s.ci_lower[2])


def test_refusals(spector):
    X, y = spector
    model = _fit(X, y)
    with pytest.raises(ValueError, match="pass the training data"):
        model.summary(ci="profile")
    with pytest.raises(ValueError, match="ci must be"):
        model.summary(ci="exact")
    with pytest.raises(ValueError, match="sampling weights use ci='wald'"):
        model.summary(X, y, ci="profile", weight_type="probability")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pen = LogisticRegression(C=1.0).fit(X, y)
        with pytest.raises(ValueError, match="unpenalised"):
            pen.summary(X, y, ci="profile")
    # multinomial fits have profile intervals: tests/test_multinomial_inference.py
