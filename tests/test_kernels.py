"""The fused one-pass kernels (logreg.kernels) against the plain graph path.

Issue 3: every fast path gives the same objective, gradient and
Hessian-vector product as the graph nodes, to 1e-12 relative in float64.
"""

import numpy as np
import pytest
import scipy.sparse as sp

from logreg.objective import BinaryLogistic, fused_supported

pytestmark = pytest.mark.skipif(not fused_supported(np.zeros((1, 1))), reason="numba is not installed")


def _data(sparse, weighted, n=3001, d=17, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * rng.uniform(0.1, 5.0, d)
    if sparse:
        X[rng.random((n, d)) < 0.7] = 0.0
        X = sp.csr_matrix(X)
    y = (rng.random(n) < 0.4).astype(float)
    sw = rng.uniform(0.0, 3.0, n) if weighted else None
    theta = rng.standard_normal(d + 1) * 0.3
    v = rng.standard_normal(d + 1)
    return X, y, sw, theta, v


def _rel(a, b):
    return np.max(np.abs(np.asarray(a) - np.asarray(b))) / max(np.max(np.abs(b)), 1e-300)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_fused_equals_graph(sparse, weighted, fit_intercept, n_threads):
    X, y, sw, theta, v = _data(sparse, weighted)
    if not fit_intercept:
        theta, v = theta[:-1], v[:-1]
    graph = BinaryLogistic(X, y, sw, fit_intercept=fit_intercept, engine="graph", block_rows=256)
    fused = BinaryLogistic(X, y, sw, fit_intercept=fit_intercept, engine="fused", n_threads=n_threads)
    assert fused.engine == "fused" and graph.engine == "graph"
    fg, gg = graph.value_and_grad(theta)
    ff, gf = fused.value_and_grad(theta)
    assert abs(ff - fg) <= 1e-12 * abs(fg)
    assert _rel(gf, gg) <= 1e-12
    assert abs(fused.value(theta) - fg) <= 1e-12 * abs(fg)
    assert _rel(fused.curvature(theta), graph.curvature(theta)) <= 1e-12
    assert _rel(fused.hessp(theta, v), graph.hessp(theta, v)) <= 1e-12


def test_fused_float32_accumulates_in_float64():
    X, y, _, theta, _ = _data(False, False, n=20000)
    f32 = BinaryLogistic(X.astype(np.float32), y, engine="fused")
    f64 = BinaryLogistic(X, y, engine="fused")
    v32, g32 = f32.value_and_grad(theta)
    v64, g64 = f64.value_and_grad(theta)
    assert g32.dtype == np.float64
    # only the rounding of X to float32 separates them, not the sums
    assert abs(v32 - v64) <= 1e-6 * abs(v64)
    assert _rel(g32, g64) <= 1e-5


def test_engine_fused_refuses_what_it_cannot_read():
    X = np.asfortranarray(np.ones((4, 2)))
    with pytest.raises(ValueError, match="C-contiguous"):
        BinaryLogistic(X, np.array([0.0, 1, 0, 1]), engine="fused")
    assert BinaryLogistic(X, np.array([0.0, 1, 0, 1])).engine == "graph"


def _ulps(a, ref):
    return np.abs(a - ref) / np.spacing(np.maximum(np.abs(ref), 5e-324))


def test_vector_exp_and_log1p_are_within_one_ulp_of_numpy():
    """The branch-free exp(-|z|) and log1p(e) of the fused kernels (so that their loop over a
    micro-block of rows vectorises) against numpy's, down to subnormal results and 0."""
    import numba

    from logreg import kernels

    @numba.njit
    def apply(z, e, lg):
        for i in range(z.size):
            e[i] = kernels.exp_neg(-abs(z[i]))
            lg[i] = kernels.log1p_unit(e[i])

    rng = np.random.default_rng(3)
    edge = [
        0.0,
        5e-324,
        1e-300,
        1e-17,
        0.5 * np.log(2),
        np.log(2),
        37.0,
        708.3,
        708.4,
        744.4,
        745.1,
        745.2,
        746,
        1e3,
        1e20,
    ]
    z = np.concatenate([rng.standard_normal(200_000) * 5, rng.uniform(-760, 760, 200_000), edge, np.negative(edge)])
    e, lg = np.empty_like(z), np.empty_like(z)
    apply(z, e, lg)
    ref_e = np.exp(-np.abs(z))
    assert np.max(_ulps(e, ref_e)) <= 1.0
    assert np.all((e == 0) == (ref_e == 0))  # underflow to 0 at the same place
    assert np.max(_ulps(lg, np.log1p(e))) <= 1.0
    assert _ulps(lg[z == 0][0], np.log(2.0)) <= 1.0  # f = 1, the end of log1p_unit's range
