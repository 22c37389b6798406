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
