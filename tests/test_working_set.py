"""L1 and elastic net with more parameters than a Hessian can hold: proximal Newton on working sets.

Beyond 500 parameters solver 'cd' (and 'auto' for binary data in memory)
minimises over working sets of X's columns (logreg.solvers.working_set).
Every cell is checked against an optimum computed without logreg: scipy's
L-BFGS-B on the split w = u - v (tests/_reference.py, KKT-certified), and
skglm's own working-set solver where the intercept is left out.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import logreg
from _reference import kkt, objective, reference_optimum
from logreg.exceptions import ConvergenceWarning

N, D = 400, 600  # 601 parameters: beyond the Hessian's 500


def _sparse_problem(seed=0, n=N, d=D, density=0.02):
    rng = np.random.default_rng(seed)
    X = sp.random(n, d, density=density, random_state=seed, format="csr", data_rvs=rng.standard_normal)
    w = np.zeros(d)
    w[:25] = 4.0 * rng.standard_normal(25)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(X @ w) - 0.3))).astype(np.int64)
    return X, y


X64, Y = _sparse_problem()
SW = np.random.default_rng(1).exponential(size=N)
CW = {0: 1.0, 1: 3.0}


def _weights(kind):
    if kind == "sample":
        return SW
    if kind == "class":
        return np.where(Y == 1, CW[1], CW[0]).astype(np.float64)
    return None


_REFS = {}


def _reference(X, weights, C, l1_ratio):
    key = (X.dtype.name, sp.issparse(X), weights, C, l1_ratio)
    if key not in _REFS:
        Xr = X.astype(np.float64)  # the data points as stored (float32 values for float32 X)
        _REFS[key] = reference_optimum(Xr, Y, C=C, l1_ratio=l1_ratio, sample_weight=_weights(weights))
    return _REFS[key]


# every layout meets every weighting and every penalty once (the weights rotate with the
# penalties, as in tests/test_conformance.py): 12 cells, 6 references
CELLS = [
    (layout, weights, C, l1_ratio)
    for layout in ("csr64", "csr32", "dense64")
    for weights, (C, l1_ratio) in zip(
        (None, "sample", "class", None), ((0.05, 1.0), (1.0, 1.0), (20.0, 1.0), (1.0, 0.5)), strict=True
    )
]


@pytest.mark.parametrize(("layout", "weights", "C", "l1_ratio"), CELLS)
def test_reaches_the_reference_optimum(layout, weights, C, l1_ratio):
    X = {"csr64": X64, "csr32": X64.astype(np.float32), "dense64": X64.toarray()}[layout]
    J_ref, _, _ = _reference(X64.astype(np.float32) if layout == "csr32" else X64, weights, C, l1_ratio)
    fit_kw = {}
    model = logreg.LogisticRegression(C=C, l1_ratio=l1_ratio, tol=1e-10, max_iter=500)
    if weights == "class":
        model.set_params(class_weight=CW)
    elif weights == "sample":
        fit_kw["sample_weight"] = SW
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the separation and scaling diagnostics
        model.fit(X, Y, **fit_kw)
    assert model.solver_ == "cd"
    Xr = X64.astype(np.float32).astype(np.float64) if layout == "csr32" else X64
    J = objective(Xr, Y, model.coef_, model.intercept_, C=C, l1_ratio=l1_ratio, sample_weight=_weights(weights))
    assert (J - J_ref) / abs(J_ref) <= 1e-8
    assert model.converged_
    residual = kkt(Xr, Y, model.coef_, model.intercept_, C=C, l1_ratio=l1_ratio, sample_weight=_weights(weights))
    assert residual <= 1e-8


def test_auto_takes_working_sets_for_binary_l1_with_many_features():
    model = logreg.LogisticRegression(C=1.0, l1_ratio=1.0).fit(X64, Y)
    assert model.solver_ == "cd"
    assert 0 < np.count_nonzero(model.coef_) < D // 2
    # n_passes_ counts the solver's own passes over X's columns (each step's line search reads
    # z for every row; each outer check reads every column), not only the final verdict's
    assert model.n_passes_ > model.n_iter_[0] + 1


def test_without_intercept():
    C = 1.0
    model = logreg.LogisticRegression(C=C, l1_ratio=1.0, fit_intercept=False, tol=1e-10, max_iter=500).fit(X64, Y)
    J_ref, coef_ref, _ = reference_optimum(X64, Y, C=C, l1_ratio=1.0, fit_intercept=False)
    J = objective(X64, Y, model.coef_, np.zeros(1), C=C, l1_ratio=1.0)
    assert (J - J_ref) / J_ref <= 1e-9
    assert np.array_equal(model.coef_ != 0, coef_ref != 0)
    assert model.intercept_[0] == 0.0
    assert kkt(X64, Y, model.coef_, np.zeros(1), C=C, l1_ratio=1.0, fit_intercept=False) <= 1e-9


def test_stopped_early_is_reported_and_warned():
    with pytest.warns(ConvergenceWarning):
        model = logreg.LogisticRegression(C=20.0, l1_ratio=1.0, tol=1e-10, max_iter=2).fit(X64, Y)
    assert not model.converged_
    assert model.grad_norm_ > 1e-10


def test_warm_started_path_equals_cold_fits():
    Cs = np.array([0.05, 0.5, 5.0])
    path = logreg.regularization_path(X64, Y, Cs=Cs, l1_ratio=1.0, tol=1e-10, max_iter=500)
    for coef, intercept, C in zip(path.coefs, path.intercepts, Cs, strict=True):
        J_ref, _, _ = _reference(X64, None, float(C), 1.0)
        J = objective(X64, Y, coef, intercept, C=float(C), l1_ratio=1.0)
        assert (J - J_ref) / abs(J_ref) <= 1e-8


def _sparse_l1_kkt(X, y, w, b, C):
    """tests/_reference.kkt for binary L1, on sparse X without densifying it."""
    w = w.astype(np.float64)
    r = 1.0 / (1.0 + np.exp(-(X @ w + float(b)))) - y
    g = X.T @ r / X.shape[0]
    t = 1.0 / (C * X.shape[0])
    dist = np.where(w != 0, np.abs(g + t * np.sign(w)), np.maximum(np.abs(g) - t, 0.0))
    return max(float(dist.max()), abs(float(r.mean())))


@pytest.mark.large
def test_large_sparse_l1_is_certified_optimal():
    """A P5-like problem (Zipf column frequencies, unit-norm rows) at 40,000 x 10,000.

    No reference solve is affordable here in the suite (skglm needs ~80 s with its
    compilation; scipy's L-BFGS-B does not certify at this size), so the fit is
    certified by the optimality conditions computed independently in numpy
    (tests/_reference.kkt): for a convex J a KKT residual of 1e-9 bounds its
    distance to the optimum.  benchmarks/sparse_l1.py compares with skglm on P5.
    """
    rng = np.random.default_rng(5)
    n, d, nnz = 40_000, 10_000, 40
    cdf = np.cumsum(1.0 / np.arange(1, d + 1))
    cols = np.searchsorted(cdf / cdf[-1], rng.random((n, nnz)))
    X = sp.csr_matrix((rng.exponential(size=n * nnz), cols.ravel(), np.arange(0, n * nnz + 1, nnz)), shape=(n, d))
    X.sum_duplicates()
    X = sp.csr_matrix(X.multiply(1.0 / np.sqrt(X.multiply(X).sum(axis=1))))
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(X @ (2.0 * rng.standard_normal(d))) + 0.5))).astype(np.int64)
    C = 1000 * logreg.l1_min_c(X, y)
    # float32 X: its coefficients are stored in float32 (as scikit-learn's), whose rounding
    # alone moves the residual by ~1e-8
    for Xf, bound in ((X, 2e-9), (X.astype(np.float32), 1e-7)):
        model = logreg.LogisticRegression(C=C, l1_ratio=1.0, tol=1e-9, max_iter=1000).fit(Xf, y)
        assert model.solver_ == "cd" and model.converged_
        assert _sparse_l1_kkt(Xf.astype(np.float64), y, model.coef_.ravel(), model.intercept_[0], C) <= bound
        assert 100 < np.count_nonzero(model.coef_) < d // 2


def test_a_saturated_start_still_moves():
    """From coefficients so large that every row's p(1 - p) underflows to 0.0, each column's
    curvature is 0 in float64: the working-set solver must still walk back to the optimum
    (not stall and leave it to the fallback)."""
    from logreg.objective import Objective, make_datafit
    from logreg.penalties import make_penalty
    from logreg.solvers.working_set import solve_working_sets

    X = X64.tolil()
    X[:, 0] = np.where(Y == 1, 1.0, -1.0)[:, None]  # column 0 separates the classes
    X = X.tocsr()
    C = 1.0
    obj = Objective(make_datafit(X, Y, 2, fit_intercept=True), make_penalty("auto", C, float(N), 1.0))
    theta0 = np.zeros(D + 1)
    theta0[0] = 800.0  # |z| = 800 on every row: exp(-800) underflows
    result = solve_working_sets(obj, obj.columns(), theta0, tol=1e-10, max_iter=500, report=lambda *a: None)
    assert result.converged and not result.stalled
    J_ref, _, _ = reference_optimum(X, Y, C=C, l1_ratio=1.0)
    w, b = result.theta[:-1], result.theta[-1:]
    J = objective(X, Y, w[None, :], b, C=C, l1_ratio=1.0)
    assert (J - J_ref) / J_ref <= 1e-9


def _solve_at(C, theta0, checkpoint=None, l1_ratio=1.0, weights=None):
    """One working-set solve on X64 at C, as the estimator would run it (same data term each time)."""
    from logreg.objective import Objective
    from logreg.penalties import make_penalty
    from logreg.solvers.working_set import solve_working_sets

    sw = _weights(weights)
    S = float(N if sw is None else sw.sum())
    obj = Objective(_TERMS[weights], make_penalty("auto", C, S, l1_ratio))
    result = solve_working_sets(
        obj, obj.columns(), theta0, tol=1e-10, max_iter=500, report=lambda *a: None, checkpoint=checkpoint
    )
    return obj, result


def _term(weights):
    from logreg.objective import make_datafit

    sw = _weights(weights)
    return make_datafit(X64, Y, 2, sw, fit_intercept=True)


_TERMS = {w: _term(w) for w in (None, "sample")}


@pytest.mark.parametrize(("weights", "l1_ratio"), [(None, 1.0), ("sample", 0.5)])
def test_a_checkpoint_saves_the_first_pass_and_reaches_the_same_optimum(weights, l1_ratio):
    """The next C of a path, started at the last solve's end with its checkpoint: the same optimum
    (the reference's), at least one full pass fewer, and a checkpoint at the new end."""
    obj, first = _solve_at(0.05, np.zeros(D + 1), l1_ratio=l1_ratio, weights=weights)
    assert first.converged and first.checkpoint is not None
    np.testing.assert_array_equal(first.checkpoint.w, first.theta[:-1])
    _, cold = _solve_at(0.5, first.theta.copy(), l1_ratio=l1_ratio, weights=weights)
    _, warm = _solve_at(0.5, first.theta.copy(), first.checkpoint, l1_ratio=l1_ratio, weights=weights)
    assert cold.converged and warm.converged
    assert warm.n_passes < cold.n_passes
    J_ref, _, _ = _reference(X64, weights, 0.5, l1_ratio)
    for result in (cold, warm):
        J = objective(X64, Y, result.theta[:-1], result.theta[-1], C=0.5, l1_ratio=l1_ratio,
                      sample_weight=_weights(weights))  # fmt: skip
        assert (J - J_ref) / abs(J_ref) <= 1e-8
    assert warm.checkpoint is not None and warm.checkpoint.starts(obj.columns(), warm.theta[:-1], warm.theta[-1])


def test_the_strong_rule_cannot_drop_an_active_column():
    """A checkpoint whose L1 weights make the strong rule keep only the support (as if the last
    penalty had been far weaker): the full pass at the end finds the columns the rule wrongly set
    aside, and the solve still reaches the optimum, with more non-zeros than the start."""
    from logreg.solvers.working_set import Checkpoint, _strong_set

    obj, first = _solve_at(0.05, np.zeros(D + 1))
    ck = first.checkpoint
    lying = Checkpoint(ck.w, ck.b, ck.grad, ck.lam1 - 1e6, ck.columns)
    np.testing.assert_array_equal(_strong_set(lying, ck.w, ck.lam1 / 100), np.flatnonzero(ck.w))
    _, result = _solve_at(5.0, first.theta.copy(), lying)
    assert result.converged
    J_ref, _, _ = _reference(X64, None, 5.0, 1.0)
    J = objective(X64, Y, result.theta[:-1], result.theta[-1], C=5.0, l1_ratio=1.0)
    assert (J - J_ref) / abs(J_ref) <= 1e-8
    assert np.count_nonzero(result.theta[:-1]) > np.count_nonzero(first.theta[:-1])


def test_a_checkpoint_from_other_data_or_another_point_is_ignored():
    from logreg.solvers.working_set import Checkpoint

    obj, first = _solve_at(0.05, np.zeros(D + 1))
    ck = first.checkpoint
    assert not ck.starts(_TERMS["sample"].columns(), ck.w, ck.b)  # same point, other data
    assert not ck.starts(obj.columns(), ck.w + 1e-3, ck.b)
    # a wrong gradient on other data would mislead the solve if it were used: it is not
    other = Checkpoint(ck.w, ck.b, np.zeros_like(ck.grad), ck.lam1, object())
    _, plain = _solve_at(0.5, first.theta.copy())
    _, ignored = _solve_at(0.5, first.theta.copy(), other)
    np.testing.assert_array_equal(plain.theta, ignored.theta)
    assert plain.n_passes == ignored.n_passes
