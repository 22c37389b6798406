"""HC2 / HC3 and profile-likelihood intervals for multinomial fits.

No published software computes HC2 / HC3 for a multinomial logit, so the
checks are: HC0 equals statsmodels' MNLogit; the K-class meat at K = 2 is the
binary (sandwich) one; HC3 is exactly the sum of one-step leave-one-out
changes; profile ends are chi2 cuts of independent constrained refits.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import optimize, special
from scipy import stats as sps

from logreg import LogisticRegression
from logreg.inference.covariance import inverse as _inverse
from logreg.inference.leverage import leverage_meat, multinomial_leverage_meat
from logreg.inference.multinomial_ml import fit_multinomial
from logreg.inference.profile import profile_interval
from logreg.stats import compute_statistics

sm = pytest.importorskip("statsmodels.api")


def _three_classes(n=150, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    Z = np.column_stack([np.zeros(n), X @ [1.0, -0.5] + 0.3, X @ [-0.5, 1.0] - 0.2])
    u = rng.random(n)[:, None]
    y = (u > np.cumsum(special.softmax(Z, axis=1), axis=1)).sum(axis=1)
    return X, y


@pytest.fixture(scope="module")
def mn():
    X, y = _three_classes()
    model = LogisticRegression(penalty=None, tol=1e-12).fit(X, y)
    return model, X, y


def _contrasts(model):
    B = np.column_stack([model.intercept_, model.coef_])
    return B[1:] - B[0]


def test_hc0_equals_statsmodels_mnlogit(mn):
    model, X, y = mn
    ref = sm.MNLogit(y, sm.add_constant(X)).fit(method="newton", tol=1e-14, disp=0, cov_type="HC0")
    s = model.summary(X, y, cov_type="HC0")
    np.testing.assert_allclose(s.params, ref.params.T.ravel(), rtol=1e-7)
    np.testing.assert_allclose(s.std_err, ref.bse.T.ravel(), rtol=1e-7)


@pytest.mark.parametrize("cov_type", ["HC2", "HC3"])
@pytest.mark.parametrize("weight_type", ["frequency", "probability"])
def test_k_class_meat_at_two_classes_is_the_binary_sandwich_meat(cov_type, weight_type):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    s = rng.integers(1, 4, 80).astype(float)
    y = (X @ [1.0, -1.0] + rng.normal(size=80) > 0).astype(int)
    model = LogisticRegression(penalty=None, tol=1e-12).fit(X, y, sample_weight=s)
    st = compute_statistics(X, y, 2, s, model.coef_, model.intercept_, True)
    Finv, _ = _inverse(st.fisher)
    binary, h1 = leverage_meat(X, y, s, st.params, True, Finv, cov_type, weight_type)
    general, h2 = multinomial_leverage_meat(X, y, s, st.params[None, :], True, Finv, cov_type, weight_type)
    np.testing.assert_allclose(general, binary, rtol=1e-12, atol=1e-14 * np.abs(binary).max())
    assert h2 == pytest.approx(h1, rel=1e-12)


def test_hc3_is_the_sum_of_one_step_leave_one_out_changes(mn):
    """HC3 = sum_i d_i d_i^T, d_i = F_(i)^-1 u_i with F_(i) the Fisher information without row i."""
    model, X, y = mn
    n = len(y)
    Xt = np.column_stack([np.ones(n), X])
    B = _contrasts(model)
    A = special.softmax(np.column_stack([np.zeros(n), Xt @ B.T]), axis=1)[:, 1:]
    blocks, scores = [], []
    for i in range(n):
        V = np.diag(A[i]) - np.outer(A[i], A[i])
        Xi = np.kron(np.eye(2), Xt[i][None, :])
        r = -A[i].copy()
        if y[i] > 0:
            r[y[i] - 1] += 1.0
        blocks.append(Xi.T @ V @ Xi)
        scores.append(Xi.T @ r)
    F = np.sum(blocks, axis=0)
    loo = sum(np.outer(d, d) for d in (np.linalg.solve(F - Fi, u) for Fi, u in zip(blocks, scores, strict=True)))
    s = model.summary(X, y, cov_type="HC3")
    np.testing.assert_allclose(s.cov_params, loo, rtol=1e-9)
    assert any("CR2/CR3" in note for note in s.notes)
    # HC2 sits between HC0 and HC3 here (small leverages inflate the errors a little)
    se = {c: model.summary(X, y, cov_type=c).std_err for c in ("HC0", "HC2", "HC3")}
    assert np.all(se["HC0"] < se["HC2"]) and np.all(se["HC2"] < se["HC3"])


def test_hc2_weights_as_repeated_rows(mn):
    """Frequency weights: integer weights give the HC2 of the repeated rows."""
    _, X, y = mn
    w = np.random.default_rng(5).integers(1, 3, len(y)).astype(float)
    rep = np.repeat(np.arange(len(y)), w.astype(int))
    fw = LogisticRegression(penalty=None, tol=1e-12).fit(X, y, sample_weight=w)
    fr = LogisticRegression(penalty=None, tol=1e-12).fit(X[rep], y[rep])
    a = fw.summary(X, y, sample_weight=w, cov_type="HC2")
    b = fr.summary(X[rep], y[rep], cov_type="HC2")
    np.testing.assert_allclose(a.std_err, b.std_err, rtol=1e-7)


def test_profile_ends_are_chi2_cuts_of_independent_constrained_refits(mn):
    model, X, y = mn
    n = len(y)
    Xt = np.column_stack([np.ones(n), X])
    s = model.summary(X, y, ci="profile")
    assert s.ci_method == "profile" and "profile likelihood" in s.notes[0]
    llmax = sm.MNLogit(y, Xt).fit(method="newton", tol=1e-14, disp=0).llf

    def nll(beta):
        logp = special.log_softmax(np.column_stack([np.zeros(n), Xt @ beta.reshape(2, 3).T]), axis=1)
        return -logp[np.arange(n), y].sum()

    cut = sps.chi2.ppf(0.95, 1)
    for j in range(6):
        assert s.ci_lower[j] < s.params[j] < s.ci_upper[j]
        for end in (s.ci_lower[j], s.ci_upper[j]):
            others = [k for k in range(6) if k != j]

            def held(b, end=end, j=j, others=others):
                beta = np.empty(6)
                beta[others], beta[j] = b, end
                return nll(beta)

            r = optimize.minimize(held, np.delete(s.params, j), method="BFGS", options={"gtol": 1e-9})
            assert 2.0 * (llmax + r.fun) == pytest.approx(cut, abs=1e-7), (j, end)


def test_multinomial_fitter_at_two_classes_gives_the_binary_profile():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(70, 2))
    y = (X @ [0.8, -0.6] + rng.normal(size=70) > 0).astype(int)
    model = LogisticRegression(penalty=None, tol=1e-12).fit(X, y)
    binary = model.summary(X, y, ci="profile")
    Xt = np.column_stack([np.ones(70), X])
    s = np.ones(70)
    full = fit_multinomial(Xt, y, s, 2, binary.params, tol=1e-10)
    np.testing.assert_allclose(full.params, binary.params, rtol=1e-8)

    def restricted(start, fixed):
        beta0 = np.array(start, dtype=float)
        free = np.ones(3, dtype=bool)
        for j, v in fixed.items():
            beta0[j], free[j] = v, False
        return fit_multinomial(Xt, y, s, 2, beta0, free=free, tol=1e-10)

    for j in range(3):
        lo, hi = profile_interval(Xt, y, s, 0.0, full, j, 0.05, restricted=restricted)
        assert lo == pytest.approx(binary.ci_lower[j], rel=1e-8) and hi == pytest.approx(binary.ci_upper[j], rel=1e-8)


def test_refusals_say_why_and_what_to_use(mn):
    _, X, y = mn
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pen = LogisticRegression(C=1.0).fit(X, y)
        with pytest.raises(ValueError, match="unpenalised fit.*HC0"):
            pen.summary(X, y, cov_type="HC3")
    with pytest.raises(ValueError, match="Kosmidis and Firth.*penalty=None"):
        LogisticRegression(penalty="firth").fit(X, y)
