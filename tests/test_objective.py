"""The blocked objective: value, value_and_grad, hessp and hessian against finite differences.

Every combination of binary / multinomial, dense / CSR, weighted / unweighted, float32 /
float64, with / without intercept, and L2 / no penalty.  The value is also checked against a
plain numpy closed form (np.logaddexp / scipy logsumexp, not logreg's own nodes).
"""

from __future__ import annotations

import inspect
import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from scipy import special

from conftest import make_xy
from logreg.objective import BinaryLogistic, MultinomialLogistic, Objective, intercept_start, make_datafit
from logreg.penalties import L2, NoPenalty

ALPHA = 0.3
N, D, K = 23, 4, 3

#: the binary data term may run more than one engine; test each one it offers
_ENGINES = [None]
if "engine" in inspect.signature(BinaryLogistic).parameters:
    _ENGINES.append("graph")


def _datafit(kind, X, y, sw, fit_intercept, engine=None, **kw):
    if kind == "binary":
        if engine is not None:
            kw["engine"] = engine
        return BinaryLogistic(X, y, sw, fit_intercept=fit_intercept, **kw)
    return MultinomialLogistic(X, y, K, sw, fit_intercept=fit_intercept, **kw)


def _theta(datafit, seed=1, dtype=np.float64):
    rng = np.random.default_rng(seed)
    theta = rng.normal(scale=0.6, size=datafit.n_params)
    if dtype == np.float32:
        # multiples of 2**-12: theta +- 2**-10 stays exact when cast to float32
        theta = np.round(theta * 4096) / 4096
    return theta


def _reference_value(kind, X, y, sw, theta, fit_intercept, alpha):
    """J by the textbook formula in plain numpy, float64."""
    Xd = np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)
    s = np.ones(Xd.shape[0]) if sw is None else np.asarray(sw, dtype=np.float64)
    d = Xd.shape[1]
    if kind == "binary":
        w, b = theta[:d], (theta[d] if fit_intercept else 0.0)
        z = Xd @ w + b
        loss = np.logaddexp(0.0, z) - y * z
    else:
        W = theta[: K * d].reshape(K, d)
        b = theta[K * d :] if fit_intercept else np.zeros(K)
        Z = Xd @ W.T + b
        loss = special.logsumexp(Z, axis=1) - Z[np.arange(len(y)), y]
        w = W.ravel()
    return np.dot(s, loss) / s.sum() + 0.5 * alpha * np.dot(w, w)


CASES = list(
    itertools.product(
        ["binary", "multinomial"],
        [False, True],  # sparse
        [False, True],  # weighted
        [np.float64, np.float32],
        [True, False],  # fit_intercept
        ["l2", "none"],
    )
)


def _case_id(c):
    kind, sparse, weighted, dtype, fi, pen = c
    return "-".join(
        [
            kind,
            "csr" if sparse else "dense",
            "weighted" if weighted else "unweighted",
            np.dtype(dtype).name,
            "intercept" if fi else "nointercept",
            pen,
        ]
    )


# the engines of the binary data term, each on every binary case; multinomial on the default
CASES_ENGINES = [(c, e) for c in CASES for e in (_ENGINES if c[0] == "binary" else [None])]
IDS = [_case_id(c) + ("" if e is None else f"-engine={e}") for c, e in CASES_ENGINES]


def _build(case, engine=None):
    kind, sparse, weighted, dtype, fi, pen = case
    X, y, sw = make_xy(N, D, 2 if kind == "binary" else K, dtype=dtype, sparse=sparse, weighted=weighted)
    # one thread: threading is checked by test_blocked_evaluation_equals_one_block, and on
    # 23 rows the thread hand-off would dominate the run time of these many evaluations
    datafit = _datafit(kind, X, y, sw, fi, engine, n_threads=1)
    alpha = ALPHA if pen == "l2" else 0.0
    obj = Objective(datafit, L2(alpha) if pen == "l2" else NoPenalty())
    return obj, X, y, sw, alpha


def _tols(dtype):
    # float32 evaluations carry ~1e-7 relative noise; a 2**-10 step turns that into ~1e-5
    if dtype == np.float32:
        return dict(eps=2.0**-10, rtol=2e-3, atol=2e-4)
    return dict(eps=1e-5, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(("case", "engine"), CASES_ENGINES, ids=IDS)
def test_value_and_grad_matches_closed_form_and_finite_differences(fd_grad, case, engine):
    obj, X, y, sw, alpha = _build(case, engine)
    dtype = case[3]
    t = _tols(dtype)
    theta = _theta(obj.datafit, dtype=dtype)
    f, g = obj.value_and_grad(theta)
    assert g.shape == (obj.n_params,) and g.dtype == np.float64
    ref = _reference_value(case[0], X, y, sw, theta, case[4], alpha)
    assert_allclose(f, ref, rtol=1e-6 if dtype == np.float32 else 1e-13)
    assert_allclose(obj.value(theta), f, rtol=1e-6 if dtype == np.float32 else 1e-14)
    fd = fd_grad(lambda th: obj.value_and_grad(th)[0], theta, eps=t["eps"])
    assert_allclose(g, fd, rtol=t["rtol"], atol=t["atol"])


@pytest.mark.parametrize(("case", "engine"), CASES_ENGINES, ids=IDS)
def test_hessp_and_hessian_match_finite_differences(fd_jacobian, case, engine):
    obj, *_ = _build(case, engine)
    dtype = case[3]
    t = _tols(dtype)
    theta = _theta(obj.datafit, dtype=dtype)
    H_fd = fd_jacobian(lambda th: obj.value_and_grad(th)[1], theta, eps=t["eps"])
    H = obj.hessian(theta)
    assert H.shape == (obj.n_params, obj.n_params)
    # float32 products are not exactly symmetric
    assert_allclose(H, H.T, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-6 if dtype == np.float32 else 1e-14)
    assert_allclose(H, H_fd, rtol=t["rtol"], atol=t["atol"])
    rng = np.random.default_rng(7)
    for _ in range(2):
        v = rng.normal(size=obj.n_params)
        Hv = obj.hessp(theta, v)
        assert Hv.shape == (obj.n_params,)
        assert_allclose(Hv, H_fd @ v, rtol=t["rtol"], atol=t["atol"] * np.abs(v).sum())
        assert_allclose(Hv, H @ v, rtol=1e-5 if dtype == np.float32 else 1e-11, atol=1e-12)


@pytest.mark.parametrize("kind", ["binary", "multinomial"])
def test_hessp_follows_theta(kind):
    """hessp at a new theta must not reuse the curvature of the previous one."""
    X, y, sw = make_xy(N, D, 2 if kind == "binary" else K, weighted=True)
    obj = Objective(_datafit(kind, X, y, sw, True), L2(ALPHA))
    fresh = Objective(_datafit(kind, X, y, sw, True), L2(ALPHA))
    t1, t2 = _theta(obj.datafit, seed=1), _theta(obj.datafit, seed=2)
    v = np.random.default_rng(3).normal(size=obj.n_params)
    obj.hessp(t1, v)
    t1 += 1.0  # mutated in place after use: the cache must have kept its own copy
    assert_allclose(obj.hessp(t2, v), fresh.hessp(t2, v), rtol=1e-13)
    assert_allclose(obj.hessp(t1, v), Objective(_datafit(kind, X, y, sw, True), L2(ALPHA)).hessp(t1, v), rtol=1e-13)


@pytest.mark.parametrize("kind", ["binary", "multinomial"])
def test_l2_penalty_acts_on_w_only_never_on_the_intercept(kind):
    """J = D + ||w||^2 / 2 * alpha: the intercept enters neither value, gradient nor Hessian."""
    X, y, _ = make_xy(N, D, 2 if kind == "binary" else K)
    datafit = _datafit(kind, X, y, None, True)
    obj = Objective(datafit, L2(ALPHA))
    theta = _theta(datafit)
    theta[~datafit.coef_mask()] = 5.0  # large intercepts
    w = theta[datafit.coef_mask()]
    assert datafit.coef_mask().sum() == (D if kind == "binary" else K * D)
    f, g = obj.value_and_grad(theta)
    f0, g0 = datafit.value_and_grad(theta)
    assert_allclose(f - f0, 0.5 * ALPHA * w @ w, rtol=1e-12)
    expected = np.zeros_like(theta)
    expected[datafit.coef_mask()] = ALPHA * w
    assert_allclose(g - g0, expected, rtol=1e-12, atol=1e-15)
    dH = obj.hessian(theta) - datafit.hessian(theta)
    assert_allclose(dH, np.diag(ALPHA * datafit.coef_mask()), atol=1e-12)


KIND_ENGINES = [("binary", e) for e in _ENGINES] + [("multinomial", None)]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize(
    ("kind", "engine"), KIND_ENGINES, ids=[f"{k}-engine={e or 'default'}" for k, e in KIND_ENGINES]
)
def test_blocked_evaluation_equals_one_block(kind, engine, sparse, weighted):
    """Row blocks of 7 on one or two threads give the one-block result to 1e-12 (float64)."""
    n = 61
    X, y, sw = make_xy(n, 5, 2 if kind == "binary" else K, sparse=sparse, weighted=weighted, seed=4)
    one = _datafit(kind, X, y, sw, True, engine, block_rows=n, n_threads=1)
    theta = _theta(one, seed=5)
    v = np.random.default_rng(6).normal(size=one.n_params)
    f1, g1 = one.value_and_grad(theta)
    ref = (f1, g1, one.value(theta), one.hessp(theta, v), one.hessian(theta))
    for n_threads in (1, 2):
        blk = _datafit(kind, X, y, sw, True, engine, block_rows=7, n_threads=n_threads)
        f, g = blk.value_and_grad(theta)
        got = (f, g, blk.value(theta), blk.hessp(theta, v), blk.hessian(theta))
        for a, b in zip(got, ref, strict=True):
            assert_allclose(a, b, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("kind", ["binary", "multinomial"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_float32_evaluation_agrees_with_float64(kind, sparse):
    X64, y, sw = make_xy(N, D, 2 if kind == "binary" else K, sparse=sparse, weighted=True)
    X32 = X64.astype(np.float32)
    X64 = X32.astype(np.float64)  # the same numbers
    d32, d64 = _datafit(kind, X32, y, sw, True), _datafit(kind, X64, y, sw, True)
    theta = _theta(d64, dtype=np.float32)
    f32, g32 = d32.value_and_grad(theta)
    f64, g64 = d64.value_and_grad(theta)
    assert np.isfinite(f32) and g32.dtype == np.float64
    assert_allclose(f32, f64, rtol=1e-6)
    assert_allclose(g32, g64, rtol=1e-4, atol=1e-6)


def test_make_datafit_picks_the_model_by_number_of_classes():
    X, y, _ = make_xy(N, D, 2)
    assert isinstance(make_datafit(X, y, 2), BinaryLogistic)
    X3, y3, _ = make_xy(N, D, 3)
    df = make_datafit(X3, y3, 3)
    assert isinstance(df, MultinomialLogistic) and df.n_params == 3 * (D + 1)


@pytest.mark.parametrize("engine", _ENGINES, ids=lambda e: f"engine={e or 'default'}")
@pytest.mark.parametrize("z", [37.0, -37.0, 1e3, -1e3, 1e20, -1e20])
def test_objective_exact_at_extreme_z(z, engine):
    """One row x = [1], theta = [z]: the objective's loss and gradient are the node's closed forms."""
    X = np.array([[1.0], [1.0]])
    y = np.array([1.0, 0.0])
    e = np.exp(-abs(z))
    for yi, row in ((1.0, 0), (0.0, 1)):
        kw = {} if engine is None else {"engine": engine}
        df = BinaryLogistic(X[row : row + 1], y[row : row + 1], fit_intercept=False, **kw)
        f, g = df.value_and_grad(np.array([z]))
        # l = log(1 + e^z) - y z = (max(z, 0) - y z) + log1p(e^-|z|); dl/dz = sigmoid(z) - y
        ref_f = (max(z, 0.0) - yi * z) + np.log1p(e)
        a_minus_y = ((1.0 - yi) - e / (1 + e)) if z >= 0 else (e / (1 + e) - yi)
        assert np.isfinite(f) and np.all(np.isfinite(g))
        assert_allclose(f, ref_f, rtol=1e-15, atol=0)
        assert_allclose(g, [a_minus_y], rtol=1e-15, atol=0)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize("kind", ["binary", "multinomial"])
def test_hessian_diag_is_the_diagonal_of_the_hessian(sparse, kind):
    """The Newton-CG preconditioner: diag(H) from its own pass equals the full Hessian's diagonal."""
    rng = np.random.default_rng(7)
    X = rng.standard_normal((200, 5)) * [1.0, 10.0, 0.1, 1.0, 3.0]
    X = sp.csr_matrix(X) if sparse else X
    codes = rng.integers(0, 3, 200)
    sw = rng.uniform(0.5, 2.0, 200)
    if kind == "binary":
        datafit = BinaryLogistic(X, (codes > 0).astype(float), sw)
    else:
        datafit = MultinomialLogistic(X, codes, 3, sw)
    obj = Objective(datafit, L2(0.3))
    theta = rng.standard_normal(obj.n_params) * 0.2
    assert_allclose(obj.hessian_diag(theta), np.diag(obj.hessian(theta)), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize("kind", ["binary", "multinomial"])
def test_subsampled_hessian_is_the_hessian_of_every_kth_row(sparse, kind):
    """Sub-sampled Newton: hessian(max_rows=m) is the exact Hessian of rows 0, k, 2k, ... with
    their weights renormalised to sum to one."""
    rng = np.random.default_rng(11)
    n, d = 1000, 4
    X = rng.standard_normal((n, d))
    codes = rng.integers(0, 3, n)
    sw = rng.uniform(0.5, 2.0, n)
    y = (codes > 0).astype(float) if kind == "binary" else codes
    Xin = sp.csr_matrix(X) if sparse else X

    def datafit(Xd, yd, swd):
        if kind == "binary":
            return BinaryLogistic(Xd, yd, swd, block_rows=64)
        return MultinomialLogistic(Xd, yd, 3, swd, block_rows=64)

    full = datafit(Xin, y, sw)
    stride = full.data.stride_for(100)
    assert stride == 10
    theta = rng.standard_normal(full.n_params) * 0.3
    # offset k takes rows k, k + stride, ... (Newton takes a fresh sample each iteration)
    for offset in (0, 3, 13):
        rows = np.arange(offset % stride, n, stride)
        sub = datafit(X[rows], y[rows], sw[rows])
        # dense binary samples are multiplied out in float32 (the sample's own error is ~1/sqrt(m))
        tol = 1e-5 if (kind == "binary" and not sparse) else 1e-12
        assert_allclose(full.hessian(theta, max_rows=100, offset=offset), sub.hessian(theta), rtol=tol, atol=tol * 1e-3)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_intercept_start_is_the_intercept_only_optimum(n_classes, weighted):
    """With w = 0, intercept_start(class weights) zeroes the gradient in the intercepts."""
    rng = np.random.default_rng(5)
    n = 400
    X = rng.standard_normal((n, 3))
    codes = rng.choice(n_classes, n, p=[0.7, 0.3] if n_classes == 2 else [0.6, 0.3, 0.1])
    sw = rng.uniform(0.2, 3.0, n) if weighted else None
    datafit = make_datafit(X, codes, n_classes, sw)
    sums = np.bincount(codes, weights=sw, minlength=n_classes)
    w0 = np.zeros_like(datafit.split(np.zeros(datafit.n_params))[0])
    theta = datafit.join(w0, intercept_start(sums))
    g = datafit.value_and_grad(theta)[1]
    intercepts = ~datafit.coef_mask()
    assert_allclose(g[intercepts], 0.0, atol=1e-14)
    # a class without weight has no finite optimum: start at 0
    empty = np.zeros(n_classes)
    empty[1:] = 1.0
    assert np.all(np.asarray(intercept_start(empty)) == 0.0)


def test_gather_writes_rows_straight_into_another_dtype():
    """The float32 row samples (presolve, sampled Hessian) equal X[rows] rounded to float32;
    a layout the numba gather cannot read is refused, not silently copied twice."""
    from logreg.blocks import BlockedData as _BlockedData

    rng = np.random.default_rng(2)
    X = rng.standard_normal((500, 7))
    rows = np.arange(3, 500, 11)
    data = _BlockedData(X, np.zeros(500))
    out = data.gather(rows, np.float32)
    assert out.dtype == np.float32 and out.flags.c_contiguous
    assert np.array_equal(out, X[rows].astype(np.float32))
    assert np.array_equal(data.gather(rows), X[rows])
    with pytest.raises(ValueError, match="C-contiguous"):
        _BlockedData(np.asfortranarray(X), np.zeros(500)).gather(rows, np.float32)
