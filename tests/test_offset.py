"""Offsets: z = X w + b + offset, checked against statsmodels, glum, finite differences and numpy.

The data term with an offset is the seeds' cross-entropy (seed 002) at the shifted z; the
offset's coefficient is fixed at 1, so an offset c X[:, j] moves coefficient j by -c exactly
(unpenalised) for every solver.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy import special

from logreg import LogisticRegression
from logreg.objective import BinaryLogistic, MultinomialLogistic, Objective
from logreg.penalties import L2

SOLVERS = ["auto", "newton", "newton-cg", "newton-cholesky", "lbfgs", "cd", "gd"]


def _binary(n=300, d=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    o = rng.normal(size=n)
    z = X @ np.linspace(1.0, -1.0, d) + 0.3 + o
    y = (rng.random(n) < special.expit(z)).astype(int)
    return X, y, o


def _multi(n=300, d=3, K=3, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    offsets = rng.normal(size=(n, K))
    Z = X @ rng.normal(size=(d, K)) + offsets
    P = special.softmax(Z, axis=1)
    y = np.array([rng.choice(K, p=p) for p in P])
    return X, y, offsets


def _fit(solver, **kw):
    # L-BFGS's line search stops on J's rounding near 1e-10 here (it says so): 1e-9 for it
    kw.setdefault("tol", 1e-9 if solver == "lbfgs" else 1e-10)
    kw.setdefault("max_iter", 20000)
    return LogisticRegression(solver=solver, **kw)


# ----------------------------------------------------------------- the data term


def _numpy_value(X, y, theta, o, s=None):
    """The seeds' weighted mean cross-entropy at z = X w + b + o, in numpy (binary)."""
    z = X @ theta[:-1] + theta[-1] + o
    s = np.ones(len(y)) if s is None else s
    return float(s @ (np.logaddexp(0.0, z) - y * z) / s.sum())


@pytest.mark.parametrize("engine", ["graph", "fused"])
@pytest.mark.parametrize("sparse", [False, True])
def test_binary_value_and_gradient_with_offset(engine, sparse, fd_grad):
    X, y, o = _binary(n=40, d=3)
    s = np.random.default_rng(2).uniform(0.5, 2.0, size=40)
    Xa = sp.csr_matrix(X) if sparse else X
    term = BinaryLogistic(Xa, y, s, engine=engine, offset=o)
    theta = np.array([0.3, -0.2, 0.1, 0.4])
    f, g = term.value_and_grad(theta)
    assert f == pytest.approx(_numpy_value(X, y, theta, o, s), rel=1e-12)
    np.testing.assert_allclose(g, fd_grad(lambda t: _numpy_value(X, y, t, o, s), theta), rtol=1e-7, atol=1e-9)
    # the Hessian (exact and by products) is the derivative of that gradient
    H_fd = np.column_stack([fd_grad(lambda t, i=i: term.value_and_grad(t)[1][i], theta) for i in range(4)]).T
    np.testing.assert_allclose(term.hessian(theta), H_fd, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(term.hessp(theta, np.eye(4)[1]), H_fd[:, 1], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(term.hessian_diag(theta), np.diag(H_fd), rtol=1e-6, atol=1e-8)


def test_multinomial_value_and_gradient_with_offset(fd_grad):
    X, y, offsets = _multi(n=30)
    term = MultinomialLogistic(X, y, 3, offset=offsets)
    theta = np.random.default_rng(3).normal(size=term.n_params) * 0.3

    def value(t):
        W, b = t[:9].reshape(3, 3), t[9:]
        Z = X @ W.T + b + offsets
        return float(np.mean(special.logsumexp(Z, axis=1) - Z[np.arange(30), y]))

    f, g = term.value_and_grad(theta)
    assert f == pytest.approx(value(theta), rel=1e-12)
    np.testing.assert_allclose(g, fd_grad(value, theta), rtol=1e-7, atol=1e-9)
    H_fd = np.column_stack([fd_grad(lambda t, i=i: term.value_and_grad(t)[1][i], theta) for i in range(12)]).T
    np.testing.assert_allclose(term.hessian(theta), H_fd, rtol=1e-6, atol=1e-8)


def test_row_samples_carry_their_offsets():
    """The presolve's sample and the sub-sampled Hessian use their own rows' offsets."""
    X, y, o = _binary(n=400, d=3)
    term = BinaryLogistic(X, y, offset=o, engine="graph")
    theta = np.array([0.5, -0.1, 0.2, -0.3])
    sample = term.sample(100)
    rows = term.data.sample_rows(100)
    assert sample.value(theta) == pytest.approx(_numpy_value(X[rows], y[rows], theta, o[rows]), rel=1e-12)
    # every 4th row from row 1: the Hessian of those rows with their offsets, by numpy
    H = term.hessian(theta, max_rows=100, offset=1)
    r = np.arange(1, 400, 4)
    Xt = np.column_stack([X[r], np.ones(r.size)])
    p = special.expit(Xt @ theta + o[r])
    np.testing.assert_allclose(H, Xt.T @ (Xt * (p * (1 - p))[:, None]) / r.size, rtol=1e-10)


def test_offset_shape_and_values_are_checked():
    X, y, o = _binary(n=50)
    with pytest.raises(ValueError, match="offset has shape"):
        LogisticRegression().fit(X, y, offset=o[:-1])
    bad = o.copy()
    bad[3] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite"):
        LogisticRegression().fit(X, y, offset=bad)
    X3, y3, offsets = _multi(n=50)
    with pytest.raises(ValueError, match="one offset per row and class|give one offset per class"):
        LogisticRegression().fit(X3, y3, offset=offsets[:, 0])
    m = LogisticRegression().fit(X, y, offset=o)
    with pytest.raises(ValueError, match="offset has shape"):
        m.predict(X, offset=o[:10])


def test_offset_with_a_dask_dataframe_is_refused_with_the_fix():
    dd = pytest.importorskip("dask.dataframe")
    X, y, o = _binary(n=60)
    frame = dd.from_pandas(pd.DataFrame(X, columns=["a", "b", "c", "d"]), npartitions=2)
    with pytest.raises(ValueError, match="to_dask_array"):
        LogisticRegression().fit(frame, dd.from_pandas(pd.Series(y), npartitions=2), offset=o)


# ----------------------------------------------------------------- against statsmodels


def test_unpenalised_matches_statsmodels_every_solver():
    sm = pytest.importorskip("statsmodels.api")
    X, y, o = _binary()
    ref = sm.Logit(y, sm.add_constant(X), offset=o).fit(disp=0, method="newton", tol=1e-14, maxiter=100)
    for solver in SOLVERS:
        m = _fit(solver, penalty=None).fit(X, y, offset=o)
        assert m.converged_, solver
        np.testing.assert_allclose(np.r_[m.intercept_, m.coef_[0]], ref.params, atol=1e-8, err_msg=solver)
    s = m.summary()
    np.testing.assert_allclose(s.std_err, ref.bse, rtol=1e-6)
    assert s.log_likelihood == pytest.approx(ref.llf, rel=1e-10)
    assert s.null_log_likelihood == pytest.approx(ref.llnull, rel=1e-7)
    # recomputed from the data with the offset: the same table
    np.testing.assert_allclose(m.summary(X, y, offset=o).std_err, ref.bse, rtol=1e-6)
    # predictions: statsmodels' with the same offset
    np.testing.assert_allclose(m.predict_proba(X, offset=o)[:, 1], ref.predict(sm.add_constant(X), offset=o), rtol=1e-7)


def test_sgd_with_offset_near_statsmodels():
    sm = pytest.importorskip("statsmodels.api")
    X, y, o = _binary(n=2000, seed=4)
    ref = sm.Logit(y, sm.add_constant(X), offset=o).fit(disp=0, tol=1e-12)
    m = LogisticRegression(penalty=None, solver="sgd", tol=1e-6, max_iter=200, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.fit(X, y, offset=o)
    np.testing.assert_allclose(np.r_[m.intercept_, m.coef_[0]], ref.params, atol=0.05)


# ----------------------------------------------------------------- against glum


@pytest.mark.parametrize("l1_ratio", [0.0, 1.0, 0.5])
def test_penalised_matches_glum(l1_ratio):
    glum = pytest.importorskip("glum")
    X, y, o = _binary(n=250, d=5, seed=5)
    C = 0.05
    # glum minimises deviance / (2 n) + alpha (l1_ratio |w|_1 + (1 - l1_ratio) |w|^2 / 2); the binomial
    # deviance is twice the log-loss, so alpha = 1 / (C n) is logreg's C (README, BENCHMARKS.md)
    g = glum.GeneralizedLinearRegressor(
        family="binomial", alpha=1.0 / (C * len(y)), l1_ratio=l1_ratio, gradient_tol=1e-12, max_iter=1000
    ).fit(X, y, offset=o)
    smooth = l1_ratio == 0.0
    solvers = SOLVERS if smooth else ["auto", "cd", "gd"]
    for solver in solvers:
        m = _fit(solver, C=C, l1_ratio=l1_ratio).fit(X, y, offset=o)
        assert m.converged_, solver
        np.testing.assert_allclose(m.coef_[0], g.coef_, atol=1e-6, err_msg=solver)
        assert m.intercept_[0] == pytest.approx(g.intercept_, abs=1e-6)


def test_working_set_path_matches_glum():
    """L1 beyond 500 parameters: proximal Newton on working sets of X's columns, with the offset."""
    glum = pytest.importorskip("glum")
    rng = np.random.default_rng(6)
    n, d = 200, 600
    X = rng.normal(size=(n, d))
    o = rng.normal(size=n)
    y = (rng.random(n) < special.expit(X[:, :5].sum(axis=1) + o)).astype(int)
    C = 0.1
    g = glum.GeneralizedLinearRegressor(
        family="binomial", alpha=1.0 / (C * n), l1_ratio=1.0, gradient_tol=1e-10, max_iter=1000
    ).fit(X, y, offset=o)
    m = _fit("cd", C=C, l1_ratio=1.0, tol=1e-8).fit(X, y, offset=o)
    assert m.converged_
    np.testing.assert_allclose(m.coef_[0], g.coef_, atol=1e-5)


# ----------------------------------------------------------------- exact identities


@pytest.mark.parametrize("solver", SOLVERS + ["sgd"])
def test_offset_of_a_column_shifts_its_coefficient(solver):
    """offset = c X[:, j] moves coefficient j by -c and nothing else (unpenalised)."""
    X, y, _ = _binary(n=200, d=3, seed=7)
    c = 0.7
    kw = {"random_state": 0} if solver == "sgd" else {}
    tol = 1e-7 if solver == "sgd" else 1e-10
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sgd's ConvergenceWarning
        a = _fit(solver, penalty=None, tol=tol, **kw).fit(X, y)
        b = _fit(solver, penalty=None, tol=tol, **kw).fit(X, y, offset=c * X[:, 1])
    shift = np.array([0.0, -c, 0.0])
    atol = 1e-3 if solver == "sgd" else 1e-8
    np.testing.assert_allclose(b.coef_[0], a.coef_[0] + shift, atol=atol)
    assert b.intercept_[0] == pytest.approx(a.intercept_[0], abs=atol)


@pytest.mark.parametrize("solver", ["newton", "lbfgs", "cd", "gd"])
def test_multinomial_offset_shifts_contrasts(solver):
    X, y, _ = _multi(n=200)
    c = np.array([0.5, -0.3, 0.2])
    a = _fit(solver, penalty=None).fit(X, y)
    b = _fit(solver, penalty=None).fit(X, y, offset=np.outer(X[:, 0], c))
    # the softmax is identified up to a common shift: compare the contrasts with class 0
    da, db = a.coef_ - a.coef_[0], b.coef_ - b.coef_[0]
    expect = da.copy()
    expect[:, 0] -= c - c[0]
    np.testing.assert_allclose(db, expect, atol=1e-7)


def test_multinomial_offset_fit_is_the_likelihood_optimum():
    """statsmodels' MNLogit and glum take no multinomial offset: the fit is checked against the
    log-likelihood and its gradient written in numpy."""
    X, y, offsets = _multi(n=200)
    m = _fit("newton", penalty=None).fit(X, y, offset=offsets)
    Z = X @ m.coef_.T + m.intercept_ + offsets
    ll = float(np.sum(special.log_softmax(Z, axis=1)[np.arange(len(y)), y]))
    assert m.summary().log_likelihood == pytest.approx(ll, rel=1e-12)
    # and the fit is an optimum of that likelihood: its gradient, by numpy, vanishes
    R = special.softmax(Z, axis=1) - np.eye(3)[y]
    assert np.abs(R.T @ X).max() < 1e-7 and np.abs(R.sum(axis=0)).max() < 1e-7


def test_offset_objective_penalty_only_on_coefficients():
    """The offset enters the data term only: J = D(z + o) + alpha |w|^2 / 2."""
    X, y, o = _binary(n=50)
    obj = Objective(BinaryLogistic(X, y, offset=o, engine="graph"), L2(0.1))
    theta = np.array([0.2, 0.1, -0.3, 0.4, 0.5])
    expect = _numpy_value(X, y, theta, o) + 0.05 * float(theta[:-1] @ theta[:-1])
    assert obj.value(theta) == pytest.approx(expect, rel=1e-12)


def test_score_and_decision_function_take_the_offset():
    X, y, o = _binary()
    m = LogisticRegression().fit(X, y, offset=o)
    z = X @ m.coef_[0] + m.intercept_[0] + o
    np.testing.assert_allclose(m.decision_function(X, offset=o), z, rtol=1e-12)
    np.testing.assert_allclose(m.predict_log_proba(X, offset=o)[:, 1], special.log_expit(z), rtol=1e-12)
    assert m.score(X, y, offset=o) == pytest.approx(np.mean((z > 0) == y))


@pytest.mark.parametrize("n_classes", [2, 3])
def test_dask_offset_equals_in_memory(n_classes):
    """A dask array offset (other chunks than X: rechunked) reaches every chunk's data term, the
    statistics (the null model refitted with it) and the predictions."""
    da = pytest.importorskip("dask.array")
    X, y, o = _binary(n=240) if n_classes == 2 else _multi(n=240)
    local = _fit("newton", penalty=None).fit(X, y, offset=o)
    Xd = da.from_array(X, chunks=(80, X.shape[1]))
    od = da.from_array(o, chunks=(60,) + o.shape[1:])
    remote = _fit("newton", penalty=None).fit(Xd, da.from_array(y, chunks=80), offset=od)
    np.testing.assert_allclose(remote.coef_, local.coef_, atol=1e-8)
    a, b = local.summary(), remote.summary()
    np.testing.assert_allclose(b.std_err, a.std_err, rtol=1e-7)
    assert b.null_log_likelihood == pytest.approx(a.null_log_likelihood, rel=1e-9)
    for method in ("predict_proba", "predict_log_proba", "decision_function", "predict"):
        got = getattr(remote, method)(Xd, offset=od).compute()
        want = getattr(local, method)(X, offset=o)
        if method == "predict":
            np.testing.assert_array_equal(got, want)
        else:
            np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-12)


@pytest.mark.large
def test_large_n_presolve_and_sampled_hessian_with_offset(monkeypatch):
    """420,000 rows: 'newton' presolves on a row sample and uses sub-sampled Hessians, both from
    rows that carry their offsets; the optimum is statsmodels'."""
    sm = pytest.importorskip("statsmodels.api")
    samples = []
    original = BinaryLogistic.sample

    def sample(self, max_rows, compact=False):
        out = original(self, max_rows, compact)
        samples.append(out.data.o is not None)
        return out

    monkeypatch.setattr(BinaryLogistic, "sample", sample)
    rng = np.random.default_rng(11)
    n = 420_000
    X = rng.normal(size=(n, 4))
    o = rng.normal(size=n)
    y = (rng.random(n) < special.expit(X @ [0.5, -0.5, 0.25, 0.0] - 1.0 + o)).astype(int)
    m = _fit("newton", penalty=None).fit(X, y, offset=o)
    assert m.converged_
    assert samples and all(samples)  # the presolve ran, on rows with their offsets
    ref = sm.Logit(y, sm.add_constant(X), offset=o).fit(disp=0, method="newton", tol=1e-12)
    np.testing.assert_allclose(np.r_[m.intercept_, m.coef_[0]], ref.params, atol=1e-8)


@pytest.mark.parametrize("at", ["overall", "mean"])
def test_marginal_effects_with_offset(at):
    """statsmodels refuses margins with an offset; the effects are checked against their formula
    (p (1 - p) b_j with p at z + offset) and their errors against the delta method by finite
    differences on the summary's covariance."""
    X, y, o = _binary(n=300, d=3, seed=12)
    m = _fit("newton", penalty=None).fit(X, y, offset=o)
    cov = m.summary().cov_params

    def effects(params):
        b0, b = params[0], params[1:]
        if at == "overall":
            p = special.expit(b0 + X @ b + o)
            return np.mean(p * (1 - p)) * b
        p = special.expit(b0 + X.mean(axis=0) @ b + o.mean())
        return p * (1 - p) * b

    params = np.r_[m.intercept_, m.coef_[0]]
    got = m.marginal_effects(X, at=at, offset=o)
    np.testing.assert_allclose(got["dydx"], effects(params), rtol=1e-10)
    J = np.column_stack([(effects(params + e) - effects(params - e)) / 2e-6 for e in 1e-6 * np.eye(4)])
    np.testing.assert_allclose(got["std_err"], np.sqrt(np.diag(J @ cov @ J.T)), rtol=1e-6)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("cov_type", ["HC0", "HC2", "HC3", "cluster"])
def test_robust_covariances_with_offset(n_classes, cov_type):
    """offset = c X[:, j] leaves the fitted probabilities as without it, so every robust covariance
    (checked elsewhere against statsmodels and R's sandwich) is the same matrix."""
    X, y, _ = _binary(n=150, d=3, seed=13) if n_classes == 2 else _multi(n=150, seed=13)
    c = np.array([0.4]) if n_classes == 2 else np.array([0.4, -0.2, 0.1])
    offset = 0.4 * X[:, 1] if n_classes == 2 else np.outer(X[:, 1], c)
    groups = np.arange(150) % 7 if cov_type == "cluster" else None
    a = _fit("newton", penalty=None).fit(X, y)
    b = _fit("newton", penalty=None).fit(X, y, offset=offset)
    sa = a.summary(X, y, cov_type=cov_type, groups=groups)
    sb = b.summary(X, y, cov_type=cov_type, groups=groups, offset=offset)
    np.testing.assert_allclose(sb.std_err, sa.std_err, rtol=1e-6)
