"""Coefficient bounds (``coef_bounds``): checked against scipy's L-BFGS-B on the objective
written out here, against glum's ``lower_bounds`` / ``upper_bounds``, and against statsmodels
for the standard errors of the coefficients that stay inside the box."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special

from logreg import LogisticRegression, load
from logreg.bounds import kkt_residual, resolve_bounds

BOUNDED_SOLVERS = ["auto", "cd", "lbfgs", "gd"]


def _data(n=300, d=5, seed=0, offset=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    beta = np.array([1.0, -1.0, 0.5, -0.5, 0.2, 0.8, -0.3][:d])
    o = rng.normal(size=n) if offset else np.zeros(n)
    y = (rng.random(n) < special.expit(X @ beta + 0.2 + o)).astype(int)
    return X, y, o


def _scipy_box(X, y, C, lower, upper, l1=0.0, o=None, K=2):
    """argmin of (1/n) sum loss + (1/(C n)) |W|^2/2 + l1 sum W over the box, by L-BFGS-B (the L1
    term is linear where the box keeps W >= 0, the only case it is used for here)."""
    n, d = X.shape
    k = 1 if K == 2 else K
    o = np.zeros((n, k)) if o is None else o.reshape(n, k)
    Y = np.eye(K)[y] if K > 2 else y[:, None].astype(float)
    a = 0.0 if not np.isfinite(C) else 1.0 / (C * n)

    def fun(v):
        W, b = v[: k * d].reshape(k, d), v[k * d :]
        Z = X @ W.T + b + o
        if K == 2:
            f = np.mean(np.logaddexp(0.0, Z[:, 0]) - Y[:, 0] * Z[:, 0])
            R = (special.expit(Z) - Y) / n
        else:
            f = np.mean(special.logsumexp(Z, axis=1) - np.sum(Y * Z, axis=1))
            R = (special.softmax(Z, axis=1) - Y) / n
        f += 0.5 * a * np.sum(W * W) + l1 * np.sum(W)
        gW = R.T @ X + a * W + l1
        return f, np.concatenate([gW.ravel(), R.sum(axis=0)])

    lo = np.r_[np.broadcast_to(lower, (k, d)).ravel(), np.full(k, -np.inf)]
    hi = np.r_[np.broadcast_to(upper, (k, d)).ravel(), np.full(k, np.inf)]
    v0 = np.clip(np.zeros(k * d + k), lo, hi)
    opts = {"maxiter": 100000, "maxfun": 200000, "gtol": 1e-13, "ftol": 1e-16, "maxcor": 30}
    res = optimize.minimize(fun, v0, jac=True, method="L-BFGS-B", bounds=optimize.Bounds(lo, hi), options=opts)
    return res.x[: k * d].reshape(k, d), res.x[k * d :]


def _fit(solver, **kw):
    # L-BFGS's line search stops on J's rounding near 1e-9 here (it says so): 1e-8 for it
    kw.setdefault("tol", 1e-8 if solver == "lbfgs" else 1e-10)
    kw.setdefault("max_iter", 20000)
    return LogisticRegression(solver=solver, **kw)


# ----------------------------------------------------------------- the specification


def test_resolve_bounds_shapes_and_errors():
    lo, hi = resolve_bounds((0, None), (1, 3))
    np.testing.assert_array_equal(lo, np.zeros((1, 3)))
    assert np.all(np.isposinf(hi))
    lo, hi = resolve_bounds(([0, -1, -np.inf], 2.0), (2, 3))
    assert lo.shape == (2, 3) and np.all(hi == 2.0)
    assert resolve_bounds((None, None), (1, 3)) is None
    lo, hi = resolve_bounds({"b": (0, None), 2: (None, 1.5)}, (1, 3), ["a", "b", "c"])
    np.testing.assert_array_equal(lo, [[-np.inf, 0, -np.inf]])
    np.testing.assert_array_equal(hi, [[np.inf, np.inf, 1.5]])
    with pytest.raises(ValueError, match="lower > upper"):
        resolve_bounds((1.0, 0.0), (1, 3))
    with pytest.raises(ValueError, match="shape"):
        resolve_bounds(([0, 0], None), (1, 3))
    with pytest.raises(ValueError, match="not in the data"):
        resolve_bounds({"z": (0, None)}, (1, 3), ["a", "b", "c"])
    with pytest.raises(ValueError, match="NaN"):
        resolve_bounds((np.nan, None), (1, 3))
    with pytest.raises(ValueError, match="pair"):
        resolve_bounds("positive", (1, 3))


def test_kkt_residual_is_the_projected_gradient():
    """At a lower bound a positive gradient is optimal, a negative one is not; the same for L1 at 0."""
    lo, hi = np.array([0.0, 0.0, -np.inf]), np.array([np.inf, 1.0, np.inf])
    theta = np.array([0.0, 1.0, 0.5])
    g = np.array([0.3, -0.2, 0.1])
    np.testing.assert_allclose(kkt_residual(g, theta, g, 0.0, lo, hi), [0.0, 0.0, 0.1])
    g = np.array([-0.3, 0.2, 0.1])
    np.testing.assert_allclose(kkt_residual(g, theta, g, 0.0, lo, hi), [-0.3, 0.2, 0.1])
    # with L1 weight 0.5 at theta_0 = 0 = lower bound: the subdifferential's top end g + 0.5
    np.testing.assert_allclose(kkt_residual(g, theta, g, 0.5, lo, hi)[0], 0.0)


def test_solvers_that_cannot_honour_bounds_refuse():
    X, y, _ = _data(n=80)
    for solver in ("newton", "newton-cg", "newton-cholesky"):
        with pytest.raises(ValueError, match="cannot keep the coefficients within coef_bounds"):
            LogisticRegression(solver=solver, coef_bounds=(0, None)).fit(X, y)
    with pytest.raises(ValueError, match="neither an offset nor coef_bounds"):
        LogisticRegression(penalty="firth", coef_bounds=(0, None)).fit(X, y)


# ----------------------------------------------------------------- optima


@pytest.mark.parametrize("solver", BOUNDED_SOLVERS)
def test_sign_constraints_match_scipy(solver):
    X, y, _ = _data()
    C = 0.5
    W, b = _scipy_box(X, y, C, 0.0, np.inf)
    assert np.any(W == 0)  # the box is active: otherwise this tests nothing
    m = _fit(solver, C=C, coef_bounds=(0, None)).fit(X, y)
    assert m.converged_ and m.grad_norm_ <= m.tol
    assert np.all(m.coef_ >= 0)
    np.testing.assert_allclose(m.coef_, W, atol=1e-7)
    np.testing.assert_allclose(m.intercept_, b, atol=1e-7)
    if solver == "auto":
        assert m.solver_ == "cd"


@pytest.mark.parametrize("solver", BOUNDED_SOLVERS)
def test_box_with_offset_matches_glum(solver):
    glum = pytest.importorskip("glum")
    X, y, o = _data(offset=True, seed=1)
    C = 0.2
    lower = np.array([-np.inf, -0.5, 0.0, -np.inf, 0.1])
    upper = np.array([0.6, np.inf, 0.3, 0.0, np.inf])
    g = glum.GeneralizedLinearRegressor(
        family="binomial",
        alpha=1.0 / (C * len(y)),
        l1_ratio=0.0,
        lower_bounds=lower,
        upper_bounds=upper,
        gradient_tol=1e-12,
        max_iter=1000,
    ).fit(X, y, offset=o)
    m = _fit(solver, C=C, coef_bounds=(lower, upper)).fit(X, y, offset=o)
    assert m.converged_
    np.testing.assert_allclose(m.coef_[0], g.coef_, atol=1e-6)
    # an independent second opinion on the same objective
    W, _ = _scipy_box(X, y, C, lower, upper, o=o)
    np.testing.assert_allclose(m.coef_, W, atol=1e-7)


@pytest.mark.parametrize("solver", ["auto", "cd", "gd"])
def test_l1_with_bounds_matches_glum(solver):
    glum = pytest.importorskip("glum")
    X, y, _ = _data(seed=2, d=6)
    C, l1_ratio = 0.3, 0.7
    lower, upper = np.array([0.0, -1.0, -0.2, 0.0, -np.inf, -np.inf]), np.array([np.inf, 0.0, 0.2, 0.5, np.inf, 0.1])
    g = glum.GeneralizedLinearRegressor(
        family="binomial",
        alpha=1.0 / (C * len(y)),
        l1_ratio=l1_ratio,
        lower_bounds=lower,
        upper_bounds=upper,
        gradient_tol=1e-12,
        max_iter=1000,
    ).fit(X, y)
    m = _fit(solver, C=C, l1_ratio=l1_ratio, coef_bounds=(lower, upper)).fit(X, y)
    assert m.converged_
    np.testing.assert_allclose(m.coef_[0], g.coef_, atol=1e-6)


def test_nonnegative_l1_matches_scipy():
    """Non-negative L1: on w >= 0 the L1 norm is linear, so L-BFGS-B minimises it exactly."""
    X, y, _ = _data(seed=3, d=6)
    C = 0.2
    W, b = _scipy_box(X, y, C=np.inf, lower=0.0, upper=np.inf, l1=1.0 / (C * len(y)))
    m = _fit("cd", C=C, l1_ratio=1.0, coef_bounds=(0, None)).fit(X, y)
    np.testing.assert_allclose(m.coef_, W, atol=1e-7)


def test_working_set_path_with_bounds_matches_glum():
    """L1 beyond 500 parameters (working sets over X's columns) with sign constraints."""
    glum = pytest.importorskip("glum")
    rng = np.random.default_rng(4)
    n, d = 200, 600
    X = rng.normal(size=(n, d))
    y = (rng.random(n) < special.expit(X[:, :6] @ np.array([1, -1, 1, -1, 1, -1.0]))).astype(int)
    C = 0.2
    g = glum.GeneralizedLinearRegressor(
        family="binomial", alpha=1.0 / (C * n), l1_ratio=1.0, lower_bounds=np.zeros(d), gradient_tol=1e-10
    ).fit(X, y)
    m = _fit("cd", C=C, l1_ratio=1.0, coef_bounds=(0, None), tol=1e-8).fit(X, y)
    assert m.converged_ and np.all(m.coef_ >= 0)
    np.testing.assert_allclose(m.coef_[0], g.coef_, atol=1e-5)


@pytest.mark.parametrize("solver", ["auto", "lbfgs", "gd"])
def test_multinomial_bounds_match_scipy(solver):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(240, 3))
    y = np.argmax(X @ rng.normal(size=(3, 3)) + rng.gumbel(size=(240, 3)), axis=1)
    C = 1.0
    upper = np.array([[0.2, np.inf, np.inf], [np.inf, 0.0, np.inf], [np.inf, np.inf, 0.1]])
    W, _ = _scipy_box(X, y, C, -np.inf, upper, K=3)
    m = _fit(solver, C=C, coef_bounds=(None, upper)).fit(X, y)
    assert m.converged_ and np.all(m.coef_ <= upper)
    np.testing.assert_allclose(m.coef_, W, atol=1e-7)


def test_sgd_and_partial_fit_stay_in_the_box():
    X, y, _ = _data(n=2000, seed=6)
    W, _ = _scipy_box(X, y, 1.0, 0.0, np.inf)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = LogisticRegression(solver="sgd", coef_bounds=(0, None), random_state=0, max_iter=100, tol=1e-6).fit(X, y)
    assert np.all(m.coef_ >= 0)
    np.testing.assert_allclose(m.coef_, W, atol=0.05)
    p = LogisticRegression(coef_bounds=(0, None), random_state=0)
    for _ in range(5):
        p.partial_fit(X, y, classes=[0, 1], weight_sum=len(y))
    assert np.all(p.coef_ >= 0)
    np.testing.assert_allclose(p.coef_, W, atol=0.1)


def test_bounds_by_feature_name_and_standardize():
    """A dict names the columns of a table; standardize=True keeps the signs (unpenalised: the same optimum)."""
    X, y, _ = _data(seed=7)
    X[:, 2] *= 100.0
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d", "e"])
    box = {"b": (0, None), "d": (0, None)}
    m = _fit("auto", penalty=None, coef_bounds=box).fit(frame, y)
    assert m.coef_[0, 1] == 0.0 and m.coef_[0, 3] == 0.0  # both pulled to their bound (true values < 0)
    lower = np.array([-np.inf, 0, -np.inf, 0, -np.inf])
    W, _ = _scipy_box(X, y, np.inf, lower, np.inf)
    np.testing.assert_allclose(m.coef_, W, atol=1e-7)
    s = _fit("auto", penalty=None, coef_bounds=box, standardize=True).fit(frame, y)
    np.testing.assert_allclose(s.coef_, m.coef_, atol=1e-7)


# ----------------------------------------------------------------- statistics


def test_summary_bound_coefficients_have_no_standard_error():
    """A coefficient on its bound gets NaN; the others equal statsmodels' fit with it held
    there (the bound column as a fixed offset)."""
    sm = pytest.importorskip("statsmodels.api")
    X, y, _ = _data(seed=8)
    lower = np.array([-np.inf, -0.4, -np.inf, -np.inf, -np.inf])  # the true value is -1: held at -0.4
    m = _fit("auto", penalty=None, coef_bounds=(lower, None)).fit(X, y)
    assert m.coef_[0, 1] == -0.4
    s = m.summary()
    assert np.isnan(s.std_err[2]) and np.isnan(s.p_value[2])  # const, x0, x1 ...
    assert any("bound of coef_bounds" in note for note in s.notes)
    free = [0, 2, 3, 4]
    ref = sm.Logit(y, sm.add_constant(X[:, free]), offset=-0.4 * X[:, 1]).fit(disp=0, tol=1e-14)
    np.testing.assert_allclose(s.params[[0, 1, 3, 4, 5]], ref.params, atol=1e-7)
    np.testing.assert_allclose(s.std_err[[0, 1, 3, 4, 5]], ref.bse, rtol=1e-6)


def test_dask_fit_honours_bounds():
    """The chunked data term takes the same box: the fit equals the in-memory one."""
    da = pytest.importorskip("dask.array")
    X, y, _ = _data(n=240, seed=9)
    box = ([-np.inf, 0.0, -np.inf, 0.0, -np.inf], [0.5, np.inf, np.inf, np.inf, np.inf])
    local = _fit("auto", coef_bounds=box).fit(X, y)
    remote = _fit("auto", coef_bounds=box).fit(da.from_array(X, chunks=(80, 5)), da.from_array(y, chunks=80))
    assert remote.converged_
    np.testing.assert_allclose(remote.coef_, local.coef_, atol=1e-8)
    np.testing.assert_array_equal(remote.coef_bounds_[0], np.array([box[0]]))


def test_model_file_keeps_the_box(tmp_path):
    """save / load: coef_bounds_ (with its infinities), the option for a refit, and the NaN errors."""
    from logreg.exceptions import ModelFileError
    from logreg.io.modelfile import dumps, loads

    X, y, _ = _data(seed=10)
    box = ([-np.inf, 0.0, -np.inf, -np.inf, -np.inf], [np.inf, np.inf, 0.1, np.inf, np.inf])
    m = _fit("auto", penalty=None, coef_bounds=box).fit(X, y)
    m.save(tmp_path / "m.json")
    loaded = load(tmp_path / "m.json")
    for a, b in zip(loaded.coef_bounds_, m.coef_bounds_, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.summary().std_err, m.summary().std_err)  # NaN where bound
    assert np.isnan(loaded.summary().std_err[2])
    refit = loaded.fit(X, y)  # the loaded options keep the box
    np.testing.assert_allclose(refit.coef_, m.coef_, atol=1e-9)
    text = dumps(m).replace('"upper": [[null, null, 0.1', '"upper": [[null, -5.0, 0.1')
    with pytest.raises(ModelFileError, match="lower bound above its upper"):
        loads(text)


def test_float32_coefficients_stay_inside_the_box():
    """coef_ is stored in X's dtype: a coefficient on the bound 0.3 must not round to float32's
    0.30000001 (outside), and is still recognised as on its bound."""
    X, y, _ = _data(seed=11)
    m = _fit("cd", coef_bounds=(-0.3, 0.3)).fit(X.astype(np.float32), y)
    assert m.coef_.dtype == np.float32
    assert np.all(m.coef_.astype(np.float64) <= 0.3) and np.all(m.coef_.astype(np.float64) >= -0.3)
    on = np.isclose(np.abs(m.coef_[0].astype(np.float64)), 0.3, rtol=0, atol=1e-6)
    assert on.any()  # beta = (1, -1, 0.5, -0.5, 0.2): the first four are held
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # penalised-inference warning
        se = m.summary().std_err[1:]
    np.testing.assert_array_equal(np.isnan(se), on)
    # and the free coefficient is the scipy optimum's (float32 data: its digits)
    W, _ = _scipy_box(X.astype(np.float32).astype(np.float64), y, 1.0, -0.3, 0.3)
    np.testing.assert_allclose(m.coef_, W, atol=1e-5)
