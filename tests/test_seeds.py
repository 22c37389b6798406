"""One named test per seed document (../shared/seeds/), checking the seed's final formulas.

Each reference is computed the seed's way (its layout, its loop, its component formulas) in
plain numpy / Python, and compared with logreg's graph nodes, objective or estimator and with
central finite differences.  Typos in the seeds (001's 1/e^{-z}, 003's sign flip of z) are
noted where they matter; the tests check the seeds' final results, as DESIGN.md says.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from logreg import LogisticRegression
from logreg.exceptions import ConvergenceWarning
from logreg.graph import CrossEntropy, Linear, Sigmoid, SigmoidCrossEntropy, WeightedMean
from logreg.objective import BinaryLogistic


def _sigma(z):
    return 1.0 / (1.0 + np.exp(-z))


def _seed_cost(a, y):
    """L(a, y) = -y log a - (1 - y) log(1 - a), the seeds' cross-entropy taken literally."""
    return -y * np.log(a) - (1 - y) * np.log(1 - a)


def test_seed_000_gradient_is_transpose_of_numerator_layout_jacobian(fd_grad):
    """Seed 000_3892222b89e63501.txt (Harsha Vardhan): X stored n_x x m.

    z = w^T X + b 1_(1,m), a = sigma(z), J = (1/m) L 1_(m,1);
    dJ/dz^T = (1/m)(a - y) (a row, numerator layout), dJ/dw = dJ/dz^T X^T (1 x n_x),
    and the gradient is its transpose: grad_w J = X (dJ/dz^T)^T, grad_b J = 1_(1,m) (dJ/dz^T)^T.
    """
    rng = np.random.default_rng(0)
    n_x, m = 3, 8
    X = rng.normal(size=(n_x, m))  # the seed's layout: one column per example
    y = rng.integers(0, 2, size=(1, m)).astype(float)
    w = rng.normal(size=(n_x, 1))
    b = 0.3

    z = w.T @ X + b * np.ones((1, m))
    a = _sigma(z)
    # the chain of 3.1.1 - 3.1.3, diagonal Jacobians as the seed writes them
    dJ_dLT = np.ones((1, m)) / m
    dLT_daT = np.diag((-(y / a) + (1 - y) / (1 - a)).ravel())
    daT_dzT = np.diag((a * (1 - a)).ravel())
    dJ_dzT = dJ_dLT @ dLT_daT @ daT_dzT  # (1, m)
    assert_allclose(dJ_dzT, (a - y) / m, rtol=1e-12)
    jac_w = dJ_dzT @ X.T  # numerator layout: (1, n_x)
    jac_b = dJ_dzT @ np.ones((1, m)).T
    grad_w = X @ dJ_dzT.T  # 3.2: the gradient is the transpose, (n_x, 1)
    grad_b = np.ones((1, m)) @ dJ_dzT.T
    assert jac_w.shape == (1, n_x) and grad_w.shape == (n_x, 1)
    assert_allclose(grad_w, jac_w.T, rtol=1e-15)
    assert_allclose(grad_b, jac_b.T, rtol=1e-15)

    # logreg's nodes on rows-as-samples X^T: WeightedMean -> SigmoidCrossEntropy -> Linear
    zz, lin_cache = Linear.forward(X.T, w.ravel(), b)
    loss, ce_cache = SigmoidCrossEntropy.forward(zz, y.ravel())
    J, mean_cache = WeightedMean.forward(loss, 1.0 / m)
    dz = SigmoidCrossEntropy.backward(ce_cache, WeightedMean.backward(mean_cache))
    assert_allclose(dz, dJ_dzT.ravel(), rtol=1e-12)
    dw, db = Linear.backward(lin_cache, dz)
    assert_allclose(dw, grad_w.ravel(), rtol=1e-12)
    assert_allclose(db, grad_b.item(), rtol=1e-12)

    # the seed's J and finite differences of it
    def seed_J(theta):
        return float(np.mean(_seed_cost(_sigma(theta[:n_x] @ X + theta[n_x]), y.ravel())))

    theta = np.r_[w.ravel(), b]
    assert_allclose(J, seed_J(theta), rtol=1e-13)
    assert_allclose(np.r_[grad_w.ravel(), grad_b.item()], fd_grad(seed_J, theta), rtol=1e-8, atol=1e-10)
    # and the objective the solvers run
    f, g = BinaryLogistic(X.T, y.ravel()).value_and_grad(theta)
    assert_allclose(f, seed_J(theta), rtol=1e-13)
    assert_allclose(g, np.r_[grad_w.ravel(), grad_b.item()], rtol=1e-12)


def test_seed_001_vectorised_update_equals_loop_and_is_simultaneous():
    """Seed 001_b33e2bfe29611830.txt (Zhengxiang Wang): (4-1) per example, (4-2)/(4-3) vectorised.

    w_k <- w_k - (alpha/m) sum_i (yhat_i - y_i) x_ik and b <- b - (alpha/m) sum_i (yhat_i - y_i),
    every w_k and b from the *old* parameters (a simultaneous update).  The seed's
    yhat = 1/e^{-z} is a typo for 1/(1 + e^{-z}).  logreg's solver='gd' with a fixed
    learning_rate must take exactly these steps.
    """
    rng = np.random.default_rng(1)
    m, n = 24, 3
    X = rng.normal(size=(m, n))
    y = (X[:, 0] + 2.0 * rng.normal(size=m) > 0).astype(int)  # noisy: no separation
    alpha, k = 0.5, 5

    def loop_update(w, b, simultaneous=True):
        # formula (4-1) with explicit loops over examples i and features k
        w = list(w)
        yhat = [1.0 / (1.0 + math.exp(-(sum(w[j] * X[i, j] for j in range(n)) + b))) for i in range(m)]
        new_w = list(w)
        for j in range(n):
            s = sum((yhat[i] - y[i]) * X[i, j] for i in range(m))
            new_w[j] = w[j] - alpha / m * s
            if not simultaneous:
                # the mistake the seed warns about: w_j overwritten before the others are updated
                w[j] = new_w[j]
                yhat = [1.0 / (1.0 + math.exp(-(sum(w[jj] * X[i, jj] for jj in range(n)) + b))) for i in range(m)]
        new_b = b - alpha / m * sum(yhat[i] - y[i] for i in range(m))
        return new_w, new_b

    def vectorised_update(w, b):
        yhat = 1.0 / (1.0 + np.exp(-(X @ w + b)))
        return w - alpha / m * X.T @ (yhat - y), b - alpha / m * np.sum(yhat - y)  # (4-2), (4-3)

    w_loop, b_loop = [0.0] * n, 0.0
    w_vec, b_vec = np.zeros(n), 0.0
    w_seq, b_seq = [0.0] * n, 0.0
    for _ in range(k):
        w_loop, b_loop = loop_update(w_loop, b_loop)
        w_vec, b_vec = vectorised_update(w_vec, b_vec)
        w_seq, b_seq = loop_update(w_seq, b_seq, simultaneous=False)
    assert_allclose(w_vec, w_loop, rtol=1e-13)
    assert_allclose(b_vec, b_loop, rtol=1e-13)

    model = LogisticRegression(solver="gd", learning_rate=alpha, max_iter=k, penalty=None, tol=0)
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    assert model.n_iter_[0] == k
    assert_allclose(model.coef_.ravel(), w_loop, rtol=1e-12)
    assert_allclose(model.intercept_[0], b_loop, rtol=1e-12)
    # the test can tell: a sequential (non-simultaneous) update lands elsewhere
    assert np.max(np.abs(np.array(w_seq) - model.coef_.ravel())) > 1e-6  # vs the 1e-12 match above
    # J decreases along the seed's steps (objective_history_ is the seed's learning curve)
    assert len(model.objective_history_) == k + 1
    assert np.all(np.diff(model.objective_history_) < 0)


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_seed_002_components_one_to_five(fd_grad, y):
    """Seed 002_04706c9c6f9a738d.txt: the five components on a two-feature example.

    1: dL/da = -(y/a) + (1-y)/(1-a);  2: da/dz = a(1-a);  3: dL/dz = a - y;
    4: dz/dw_i = x_i;  5: dz/db = 1;  so dL/dw_i = (a-y) x_i and dL/db = a - y.
    """
    x = np.array([0.8, -1.7])
    w = np.array([0.4, 0.25])
    b = -0.3
    z = w @ x + b
    a = 1.0 / (1.0 + math.exp(-z))

    comp1 = -(y / a) + (1 - y) / (1 - a)
    comp2 = a * (1 - a)
    comp3 = a - y
    assert_allclose(comp1 * comp2, comp3, rtol=1e-13)  # the seed's algebra in component 3

    # component 1: CrossEntropy node, and d/da of the seed's L
    _, ce_cache = CrossEntropy.forward(np.array([a]), np.array([y]))
    assert_allclose(CrossEntropy.backward(ce_cache, 1.0), [comp1], rtol=1e-14)
    assert_allclose(fd_grad(lambda t: _seed_cost(t[0], y), [a], eps=1e-6), [comp1], rtol=1e-8)
    # component 2: Sigmoid node
    _, s_cache = Sigmoid.forward(np.array([z]))
    assert_allclose(Sigmoid.backward(s_cache, 1.0), [comp2], rtol=1e-14)
    assert_allclose(fd_grad(lambda t: _sigma(t[0]), [z]), [comp2], rtol=1e-9)
    # component 3: the fused node and the chain of the split nodes
    _, f_cache = SigmoidCrossEntropy.forward(np.array([z]), np.array([y]))
    assert_allclose(SigmoidCrossEntropy.backward(f_cache, 1.0), [comp3], rtol=1e-14)
    assert_allclose(Sigmoid.backward(s_cache, CrossEntropy.backward(ce_cache, 1.0)), [comp3], rtol=1e-13)
    assert_allclose(fd_grad(lambda t: _seed_cost(_sigma(t[0]), y), [z]), [comp3], rtol=1e-8)
    # components 4 and 5: the Linear node with upstream gradient 1
    _, lin_cache = Linear.forward(x[None, :], w, b)
    dz_dw, dz_db = Linear.backward(lin_cache, np.ones(1))
    assert_allclose(dz_dw, x, rtol=0)
    assert dz_db == 1.0
    # putting them together
    dw, db = Linear.backward(lin_cache, np.array([comp3]))
    assert_allclose(dw, comp3 * x, rtol=1e-15)
    assert_allclose(db, comp3, rtol=1e-15)
    g = BinaryLogistic(x[None, :], np.array([y])).value_and_grad(np.r_[w, b])[1]
    assert_allclose(g, np.r_[comp3 * x, comp3], rtol=1e-13)


def test_seed_003_gradient_in_d_by_n_layout(fd_grad):
    """Seed 003_0a8f803da755aeca.txt (Zhihan Hu): X in R^{d x n}, one column per data point.

    Final results (12)-(14): dL/dtheta = X (A - Y)^T / n, dL/db = sum(A - Y) / n,
    dL/dZ = (A - Y) / n.  The seed writes Z = -theta^T X + b and A = 1/(1 + e^Z), which flips
    the sign of z (A = sigma(theta^T X - b)); with that convention (12) still holds for theta
    while b enters as -b.  The final results are checked with Z = theta^T X + b, A = sigma(Z).
    """
    rng = np.random.default_rng(3)
    d, n = 4, 10
    X = rng.normal(size=(d, n))
    Y = rng.integers(0, 2, size=(1, n)).astype(float)
    theta = rng.normal(size=(d, 1))
    b = 0.2

    Z = theta.T @ X + b
    A = _sigma(Z)
    dtheta = X @ (A - Y).T / n  # (12), shape (d, 1)
    db = np.sum(A - Y) / n  # (13)
    dZ = (A - Y) / n  # (14)
    assert dtheta.shape == (d, 1)
    # (4)-(6): dL/dA_i * dA_i/dZ_i = (A_i - Y_i)/n
    dA = -(Y / A - (1 - Y) / (1 - A)) / n
    assert_allclose(dA * A * (1 - A), dZ, rtol=1e-12)

    # logreg: rows are samples, so the data are X^T
    J, g = BinaryLogistic(X.T, Y.ravel()).value_and_grad(np.r_[theta.ravel(), b])
    assert_allclose(g, np.r_[dtheta.ravel(), db], rtol=1e-12)
    z, lin_cache = Linear.forward(X.T, theta.ravel(), b)
    _, ce_cache = SigmoidCrossEntropy.forward(z, Y.ravel())
    assert_allclose(SigmoidCrossEntropy.backward(ce_cache, 1.0 / n), dZ.ravel(), rtol=1e-12)

    # (2) and finite differences of it
    def seed_L(p):
        A_ = _sigma(p[:d] @ X + p[d])
        return float(-np.mean(Y * np.log(A_) + (1 - Y) * np.log(1 - A_)))

    assert_allclose(J, seed_L(np.r_[theta.ravel(), b]), rtol=1e-13)
    assert_allclose(g, fd_grad(seed_L, np.r_[theta.ravel(), b]), rtol=1e-8, atol=1e-10)

    # the seed's literal sign convention: (12) survives for theta, b comes out negated
    def seed_L_literal(p):
        Zl = -p[:d] @ X + p[d]
        Al = 1.0 / (1.0 + np.exp(Zl))
        return float(-np.mean(Y * np.log(Al) + (1 - Y) * np.log(1 - Al)))

    p = np.r_[theta.ravel(), b]
    Al = 1.0 / (1.0 + np.exp(-theta.T @ X + b))
    fd_lit = fd_grad(seed_L_literal, p)
    assert_allclose(fd_lit[:d], (X @ (Al - Y).T / n).ravel(), rtol=1e-8, atol=1e-10)
    assert_allclose(fd_lit[d], -np.sum(Al - Y) / n, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_seed_004_two_feature_single_example_partials(fd_grad, y):
    """Seed 004_056e65bddf744e1e.txt: one example, two features, z = w1 x1 + w2 x2 + b.

    (4) dL/da = -y/a + (1-y)/(1-a); (6) da/dz = a(1-a); (8) dL/dz = a - y;
    (9) dz/dw1 = x1; (11) dL/dw1 = (a - y) x1, and likewise for w2.
    """
    x1, x2 = 1.3, -0.6
    w1, w2, b = -0.7, 0.9, 0.15
    z = w1 * x1 + w2 * x2 + b
    a = 1.0 / (1.0 + math.exp(-z))
    dL_da = -y / a + (1 - y) / (1 - a)  # (4)
    da_dz = a * (1 - a)  # (6)
    dL_dz = dL_da * da_dz  # (7)
    assert_allclose(dL_dz, a - y, rtol=1e-13)  # (8)
    dL_dw1, dL_dw2 = (a - y) * x1, (a - y) * x2  # (11)

    def L(p):  # the seed's loss as a function of (w1, w2, b)
        aa = 1.0 / (1.0 + math.exp(-(p[0] * x1 + p[1] * x2 + p[2])))
        return -(y * math.log(aa)) - (1 - y) * math.log(1 - aa)

    p = np.array([w1, w2, b])
    assert_allclose(fd_grad(L, p), [dL_dw1, dL_dw2, a - y], rtol=1e-8, atol=1e-11)
    assert_allclose(fd_grad(lambda q: q[0] * x1 + q[1] * x2 + b, p[:2]), [x1, x2], rtol=1e-9)  # (9)

    f, g = BinaryLogistic(np.array([[x1, x2]]), np.array([y])).value_and_grad(p)
    assert_allclose(f, L(p), rtol=1e-13)
    assert_allclose(g, [dL_dw1, dL_dw2, a - y], rtol=1e-13)
