"""Every node of logreg.graph: backward against central finite differences, and the numerics.

References are finite differences of the node's own forward pass, closed forms, and
400-digit decimal arithmetic (no mpmath) for log(1 + e^z) and sigmoid at extreme z.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from scipy import special

from logreg.graph import (
    CrossEntropy,
    Linear,
    Sigmoid,
    SigmoidCrossEntropy,
    SoftmaxCrossEntropy,
    WeightedMean,
    log1pexp,
    sigmoid,
)

rng = np.random.default_rng(12345)


# ---------------------------------------------------------------- Linear
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize("multi", [False, True], ids=["binary", "multinomial"])
def test_linear_backward_matches_finite_differences(fd_grad, sparse, multi):
    n, d, K = 9, 4, 3
    Xd = rng.normal(size=(n, d))
    Xd[rng.random(size=(n, d)) < 0.4] = 0.0
    X = sp.csr_matrix(Xd) if sparse else Xd
    w = rng.normal(size=(K, d)) if multi else rng.normal(size=d)
    b = rng.normal(size=K) if multi else 0.7
    G = rng.normal(size=(n, K) if multi else n)  # upstream dJ/dz

    z, cache = Linear.forward(X, w, b)
    assert_allclose(z, Xd @ w.T + b if multi else Xd @ w + b, rtol=1e-14)
    dw, db = Linear.backward(cache, G)
    assert dw.shape == w.shape
    assert np.shape(db) == np.shape(b)

    def J_w(wv):
        return float(np.sum(G * Linear.forward(X, wv, b)[0]))

    def J_b(bv):
        return float(np.sum(G * Linear.forward(X, w, bv if multi else float(bv[0]))[0]))

    assert_allclose(dw, fd_grad(J_w, w), rtol=1e-8, atol=1e-9)
    assert_allclose(np.atleast_1d(db), fd_grad(J_b, np.atleast_1d(b)), rtol=1e-8, atol=1e-9)


def test_linear_without_intercept_is_xw():
    X = rng.normal(size=(5, 3))
    w = rng.normal(size=3)
    z, _ = Linear.forward(X, w)
    assert_allclose(z, X @ w, rtol=1e-15)


# ---------------------------------------------------------------- Sigmoid / CrossEntropy
def test_sigmoid_backward_matches_finite_differences(fd_grad):
    z = rng.uniform(-6, 6, size=11)
    G = rng.normal(size=11)
    a, cache = Sigmoid.forward(z)
    assert_allclose(a, 1.0 / (1.0 + np.exp(-z)), rtol=1e-15)
    dz = Sigmoid.backward(cache, G)
    assert_allclose(dz, fd_grad(lambda t: float(np.sum(G * Sigmoid.forward(t)[0])), z), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("labels", ["binary", "soft"])
def test_cross_entropy_backward_matches_finite_differences(fd_grad, labels):
    a = rng.uniform(0.05, 0.95, size=10)
    y = rng.integers(0, 2, size=10).astype(float) if labels == "binary" else rng.uniform(0, 1, size=10)
    G = rng.normal(size=10)
    loss, cache = CrossEntropy.forward(a, y)
    assert_allclose(loss, -y * np.log(a) - (1 - y) * np.log(1 - a), rtol=1e-14)
    da = CrossEntropy.backward(cache, G)
    assert_allclose(da, fd_grad(lambda t: float(np.sum(G * CrossEntropy.forward(t, y)[0])), a), rtol=1e-7, atol=1e-9)


# ---------------------------------------------------------------- fused sigmoid cross-entropy
@pytest.mark.parametrize("labels", ["binary", "soft"])
def test_sigmoid_cross_entropy_backward_matches_finite_differences(fd_grad, labels):
    z = np.concatenate([rng.uniform(-8, 8, size=10), [-30.0, 30.0]])
    y = rng.integers(0, 2, size=z.size).astype(float) if labels == "binary" else rng.uniform(0, 1, size=z.size)
    G = rng.normal(size=z.size)
    loss, cache = SigmoidCrossEntropy.forward(z, y)
    dz = SigmoidCrossEntropy.backward(cache, G)
    fd = fd_grad(lambda t: float(np.sum(G * SigmoidCrossEntropy.forward(t, y)[0])), z, eps=1e-4)
    assert_allclose(dz, fd, rtol=1e-7, atol=1e-9)


def test_fused_node_equals_split_nodes_on_moderate_z():
    """Fused forward = CrossEntropy(Sigmoid(z)); fused backward = chain of the split backwards."""
    z = rng.uniform(-5, 5, size=15)
    y = rng.integers(0, 2, size=15).astype(float)
    G = rng.normal(size=15)
    a, s_cache = Sigmoid.forward(z)
    loss_split, ce_cache = CrossEntropy.forward(a, y)
    loss_fused, f_cache = SigmoidCrossEntropy.forward(z, y)
    assert_allclose(loss_fused, loss_split, rtol=1e-12)
    dz_split = Sigmoid.backward(s_cache, CrossEntropy.backward(ce_cache, G))
    assert_allclose(SigmoidCrossEntropy.backward(f_cache, G), dz_split, rtol=1e-10, atol=1e-14)


# ---------------------------------------------------------------- softmax cross-entropy
def test_softmax_cross_entropy_forward_is_minus_log_softmax():
    z = rng.normal(scale=3, size=(8, 4))
    y = rng.integers(0, 4, size=8)
    loss, (A, *_) = SoftmaxCrossEntropy.forward(z, y)
    assert_allclose(loss, -special.log_softmax(z, axis=1)[np.arange(8), y], rtol=1e-13)
    assert_allclose(A.sum(axis=1), 1.0, rtol=1e-15)


@pytest.mark.parametrize("upstream", ["array", "scalar"])
def test_softmax_cross_entropy_backward_matches_finite_differences(fd_grad, upstream):
    z = rng.normal(scale=2, size=(7, 3))
    y = rng.integers(0, 3, size=7)
    G = rng.normal(size=7) if upstream == "array" else 0.37
    loss, cache = SoftmaxCrossEntropy.forward(z, y)
    dz = SoftmaxCrossEntropy.backward(cache, G)
    fd = fd_grad(lambda t: float(np.sum(G * SoftmaxCrossEntropy.forward(t, y)[0])), z)
    assert dz.shape == z.shape
    assert_allclose(dz, fd, rtol=1e-7, atol=1e-9)


def test_softmax_cross_entropy_extreme_z_is_finite():
    z = np.array([[1e3, 0.0, -1e3], [-1e20, 1e20, 0.0], [37.0, 0.0, 0.0]])
    y = np.array([2, 0, 0])
    loss, cache = SoftmaxCrossEntropy.forward(z, y)
    dz = SoftmaxCrossEntropy.backward(cache, 1.0)
    assert np.all(np.isfinite(loss)) and np.all(np.isfinite(dz))
    # closed forms: -log softmax_y
    assert_allclose(loss[:2], [2e3, 2e20], rtol=1e-15)
    assert_allclose(loss[2], np.log1p(2 * np.exp(-37.0)), rtol=0, atol=1e-15)
    assert_allclose(dz[0], [1.0, 0.0, -1.0], atol=1e-300)


# ---------------------------------------------------------------- weighted mean
def test_weighted_mean_backward_matches_finite_differences(fd_grad):
    loss = rng.uniform(0, 3, size=9)
    s = rng.uniform(0.1, 2, size=9)
    s /= s.sum()
    J, cache = WeightedMean.forward(loss, s)
    assert_allclose(J, np.dot(s, loss), rtol=1e-14)
    assert_allclose(WeightedMean.backward(cache), fd_grad(lambda t: WeightedMean.forward(t, s)[0], loss), rtol=1e-8)
    # chain rule with an upstream gradient
    assert_allclose(WeightedMean.backward(cache, 2.5), 2.5 * s, rtol=1e-15)


def test_weighted_mean_scalar_weight_is_plain_mean(fd_grad):
    """Seed 000: J = (1/m) L 1 and dJ/dL^T = (1/m) 1^T."""
    loss = rng.uniform(0, 3, size=6)
    J, cache = WeightedMean.forward(loss, 1.0 / 6)
    assert_allclose(J, loss.mean(), rtol=1e-15)
    grad = np.broadcast_to(WeightedMean.backward(cache), loss.shape)
    assert_allclose(grad, fd_grad(lambda t: WeightedMean.forward(t, 1.0 / 6)[0], loss), rtol=1e-8)


def test_weighted_mean_accumulates_float32_in_float64():
    loss = np.full(2_000_000, 0.1, dtype=np.float32)
    J, _ = WeightedMean.forward(loss, 1.0 / loss.size)
    assert_allclose(J, float(np.float32(0.1)), rtol=1e-12)


# ---------------------------------------------------------------- numerics
# 1 + e^{-|z|} must keep e^{-|z|} to 17 digits for |z| up to ~700, hence 400 digits
PREC = 400


def _dec_log1pexp(z):
    with localcontext() as ctx:
        ctx.prec = PREC
        z = Decimal(float(z))
        m = max(z, Decimal(0))
        return m + (1 + (-abs(z)).exp()).ln()


def _dec_loss_and_dz(z, y):
    """l = log(1 + e^z) - y z and dl/dz = sigmoid(z) - y in 400-digit arithmetic."""
    with localcontext() as ctx:
        ctx.prec = PREC
        zd, yd = Decimal(float(z)), Decimal(float(y))
        e = (-abs(zd)).exp()
        loss = (max(zd, Decimal(0)) - yd * zd) + (1 + e).ln()
        a = 1 / (1 + e) if zd >= 0 else e / (1 + e)
        return float(loss), float(a - yd)


EXTREME_Z = [37.0, -37.0, 1e3, -1e3, 1e20, -1e20]


def test_log1pexp_exact_against_decimal():
    z = np.array([0.0, 1e-10, -1e-10, 0.5, -0.5, 1.0, 10.0, -10.0, 36.0, -36.0, 100.0, -100.0, 700.0, -700.0])
    z = np.concatenate([z, EXTREME_Z])
    ref = np.array([float(_dec_log1pexp(t)) for t in z])
    assert_allclose(log1pexp(z), ref, rtol=5e-16, atol=0)  # within 2 ulp


def test_log1pexp_is_exp_for_large_negative_z():
    z = -np.linspace(37.0, 700.0, 200)
    assert_allclose(log1pexp(z), np.exp(z), rtol=1e-15, atol=0)
    assert log1pexp(np.array([-1e20]))[0] == 0.0
    assert log1pexp(np.array([np.inf]))[0] == np.inf
    assert log1pexp(np.array([-np.inf]))[0] == 0.0


def test_sigmoid_exact_in_both_tails():
    z = np.array(EXTREME_Z + [0.0, 5.0, -5.0])
    with localcontext() as ctx:
        ctx.prec = PREC
        ref = np.array([float(1 / (1 + (-Decimal(t)).exp())) if t > -1e3 else 0.0 for t in z])
    ref[z == -1e3] = np.exp(-1e3)  # underflows to 0 in float64, as it must
    assert_allclose(sigmoid(z), ref, rtol=1e-15, atol=0)
    assert sigmoid(np.array([-700.0]))[0] > 0  # the small tail is kept, not rounded to 0


@pytest.mark.parametrize("y", [0.0, 1.0])
@pytest.mark.parametrize("z", EXTREME_Z)
def test_sigmoid_cross_entropy_exact_at_extreme_z(z, y):
    """Loss and dL/dz finite and exact (relative 1e-15, never log(sigmoid)).

    Closed forms: z=-1e3, y=1 -> loss 1e3, dz -1; z=37, y=1 -> loss log1p(exp(-37)),
    dz -exp(-37)/(1+exp(-37)); z=1e20, y=0 -> loss 1e20, dz 1.
    """
    loss, cache = SigmoidCrossEntropy.forward(np.array([z]), np.array([y]))
    dz = SigmoidCrossEntropy.backward(cache, 1.0)
    ref_loss, ref_dz = _dec_loss_and_dz(z, y)
    assert np.isfinite(loss[0]) and np.isfinite(dz[0])
    assert_allclose(loss[0], ref_loss, rtol=1e-15, atol=0)
    assert_allclose(dz[0], ref_dz, rtol=1e-15, atol=0)


def test_sigmoid_cross_entropy_closed_forms_named():
    """The closed forms the issue names, spelled out without any reference arithmetic."""
    z = np.array([-1e3, 37.0, -37.0, 1e20])
    y = np.array([1.0, 1.0, 0.0, 1.0])
    loss, cache = SigmoidCrossEntropy.forward(z, y)
    dz = SigmoidCrossEntropy.backward(cache, 1.0)
    e37 = np.exp(-37.0)
    assert_allclose(loss, [1e3, np.log1p(e37), np.log1p(e37), 0.0], rtol=1e-15, atol=0)
    assert_allclose(dz, [-1.0, -e37 / (1 + e37), e37 / (1 + e37), 0.0], rtol=1e-15, atol=0)


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_sigmoid_cross_entropy_float32_extreme_z(y):
    z = np.array(EXTREME_Z, dtype=np.float32)
    loss, cache = SigmoidCrossEntropy.forward(z, np.full(z.size, y, dtype=np.float32))
    dz = SigmoidCrossEntropy.backward(cache, np.float32(1.0))
    assert loss.dtype == np.float32 and dz.dtype == np.float32
    ref = np.array([_dec_loss_and_dz(t, y) for t in z.astype(np.float64)])
    assert np.all(np.isfinite(loss)) and np.all(np.isfinite(dz))
    assert_allclose(loss, ref[:, 0], rtol=1e-6, atol=0)
    assert_allclose(dz, ref[:, 1], rtol=1e-6, atol=0)
