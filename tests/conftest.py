"""Shared helpers: central finite differences and small data sets."""

from __future__ import annotations

import os

# scikit-learn's array-API input check runs only with this set before scipy
# is imported; without it parametrize_with_checks skips that check
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import scipy.sparse as sp  # noqa: E402


def _fd_grad(f, x, eps=1e-5):
    """Central finite-difference gradient of the scalar function f at x (any shape)."""
    x = np.array(x, dtype=np.float64)
    g = np.empty_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = eps
        g.flat[i] = (f(x + e) - f(x - e)) / (2.0 * eps)
    return g


def _fd_jacobian(F, x, eps=1e-5):
    """Central finite-difference Jacobian of the vector function F at x, shape (len(F(x)), x.size)."""
    x = np.array(x, dtype=np.float64)
    cols = []
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = eps
        cols.append((np.asarray(F(x + e), dtype=np.float64) - np.asarray(F(x - e), dtype=np.float64)) / (2.0 * eps))
    return np.column_stack(cols)


@pytest.fixture
def fd_grad():
    return _fd_grad


@pytest.fixture
def fd_jacobian():
    return _fd_jacobian


def make_xy(n=23, d=4, n_classes=2, *, dtype=np.float64, sparse=False, weighted=False, seed=0):
    """Small random problem: X (n, d), integer labels y in [0, n_classes), weights or None.

    Sparse X keeps roughly half of the entries and at least one all-zero row.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    if sparse:
        X[rng.random(size=(n, d)) < 0.5] = 0.0
        X[3] = 0.0
    y = rng.integers(0, n_classes, size=n)
    y[:n_classes] = np.arange(n_classes)  # every class present
    X = X.astype(dtype)
    if sparse:
        X = sp.csr_matrix(X)
    sw = rng.uniform(0.2, 3.0, size=n) if weighted else None
    return X, y, sw


@pytest.fixture
def xy_factory():
    return make_xy
