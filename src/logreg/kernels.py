"""Fused one-pass kernels for the binary objective (numba, compiled on first use).

The graph in :mod:`logreg.graph` runs node by node on row blocks: a BLAS
product for z, elementwise nodes, another BLAS product for the backward pass.
These kernels run the *same* forward and backward pass row by row instead:
for each row x_i, z_i = x_i . w + b, the fused sigmoid cross-entropy and
dz_i = s_i (a_i - y_i), then g += dz_i x_i while x_i is still in L1 cache.  X
is read from memory exactly once per evaluation and no temporary of length n
is written.  They are compiled with ``nogil`` so the worker threads of
:class:`logreg.objective._BlockedData` run them side by side on their row
ranges.  Tests check them against the graph path to 1e-12 (float64).

Accumulators are float64 whatever the dtype of X, so float32 data keep their
speed (half the bytes to read) without losing the sum.
"""

from __future__ import annotations

import math

import numpy as np

try:  # numba is a dependency, but keep the library usable without a compiler
    import numba

    _njit = numba.njit(nogil=True, fastmath=True, cache=True, boundscheck=False)
    # the pointwise loss must not be re-associated: (1 - y) - s would become
    # 1 - (y + s) and lose s; LLVM keeps these flags per instruction when it
    # inlines this into the fast-math loops
    _njit_exact = numba.njit(nogil=True, fastmath=False, cache=True)
    AVAILABLE = True
except ImportError:  # pragma: no cover
    numba = None
    AVAILABLE = False

    def _njit(f):
        return f

    _njit_exact = _njit


__all__ = [
    "AVAILABLE",
    "dense_loss_grad",
    "csr_loss_grad",
    "dense_curvature",
    "csr_curvature",
    "dense_hessp",
    "csr_hessp",
]


@_njit_exact
def _row_loss_prob(z, y):
    # log(1 + e^z) - y z, sigmoid(z) and sigmoid(z) - y from one exponential
    # of -|z|; the residual is formed from sigmoid(-|z|) so that it keeps its
    # tiny value (e^-37, ...) instead of cancelling to 0 in 1 - 1
    e = math.exp(-abs(z))
    small = e / (1.0 + e)
    if z >= 0.0:
        return (z - y * z) + math.log1p(e), 1.0 - small, (1.0 - y) - small
    return math.log1p(e) - y * z, small, small - y


#: Rows between flushes of the per-row accumulator (in X's dtype) into the
#: float64 gradient: float32 data then run float32 vector arithmetic, and no
#: sum of more than this many float32 terms is ever formed.
FLUSH_ROWS = 256


@_njit
def dense_loss_grad(X, y, s, s0, w, b, start, stop, grad, want_grad):
    """Loss and gradient over rows [start, stop) of a C-contiguous dense X.

    Parameters
    ----------
    X : ndarray of shape (n, d), float32 or float64, C order
    y : ndarray of shape (n,)
    s : ndarray of shape (n,) or shape (0,)
        Normalised weights; empty means every row weighs ``s0``.
    s0 : float
    w : ndarray of shape (d,), same dtype as X
    b : float
    start, stop : int
    grad : ndarray of shape (d + 1,), float64
        Accumulated into (gradient of w, then of b).
    want_grad : bool
        False computes the loss only.

    Returns
    -------
    float
        sum_i s_i l_i over the rows.
    """
    d = X.shape[1]
    loss = 0.0
    gb = 0.0
    weighted = s.shape[0] > 0
    acc = np.zeros(d, dtype=X.dtype)
    cast = np.zeros(1, dtype=X.dtype)
    for i in range(start, stop):
        zx = cast[0] * 0
        for j in range(d):
            zx += X[i, j] * w[j]
        z = b + zx
        li, a, r = _row_loss_prob(z, y[i])
        si = s[i] if weighted else s0
        loss += si * li
        if want_grad:
            dz = si * r
            gb += dz
            cast[0] = dz
            dzx = cast[0]
            for j in range(d):
                acc[j] += dzx * X[i, j]
            if (i - start) % FLUSH_ROWS == FLUSH_ROWS - 1:
                for j in range(d):
                    grad[j] += acc[j]
                    acc[j] = 0
    for j in range(d):
        grad[j] += acc[j]
    grad[d] += gb
    return loss


@_njit
def csr_loss_grad(data, indices, indptr, y, s, s0, w, b, start, stop, grad, want_grad):
    """As :func:`dense_loss_grad` for rows [start, stop) of a CSR matrix."""
    d = w.shape[0]
    loss = 0.0
    gb = 0.0
    weighted = s.shape[0] > 0
    for i in range(start, stop):
        z = b
        for k in range(indptr[i], indptr[i + 1]):
            z += data[k] * w[indices[k]]
        li, a, r = _row_loss_prob(z, y[i])
        si = s[i] if weighted else s0
        loss += si * li
        if want_grad:
            dz = si * r
            gb += dz
            for k in range(indptr[i], indptr[i + 1]):
                grad[indices[k]] += dz * data[k]
    grad[d] += gb
    return loss


@_njit
def dense_curvature(X, s, s0, w, b, start, stop, h):
    """h_i = s_i a_i (1 - a_i) for rows [start, stop) (written into h)."""
    d = X.shape[1]
    weighted = s.shape[0] > 0
    zero = np.zeros(1, dtype=X.dtype)[0]
    for i in range(start, stop):
        zx = zero
        for j in range(d):
            zx += X[i, j] * w[j]
        _, a, _ = _row_loss_prob(b + zx, 0.0)
        h[i] = (s[i] if weighted else s0) * a * (1.0 - a)


@_njit
def csr_curvature(data, indices, indptr, s, s0, w, b, start, stop, h):
    """As :func:`dense_curvature` for CSR rows."""
    weighted = s.shape[0] > 0
    for i in range(start, stop):
        z = b
        for k in range(indptr[i], indptr[i + 1]):
            z += data[k] * w[indices[k]]
        _, a, _ = _row_loss_prob(z, 0.0)
        h[i] = (s[i] if weighted else s0) * a * (1.0 - a)


@_njit
def dense_hessp(X, h, v, vb, start, stop, out):
    """out += sum_i h_i (x_i . v + vb) [x_i, 1] over rows [start, stop); v in X's dtype."""
    d = X.shape[1]
    ob = 0.0
    acc = np.zeros(d, dtype=X.dtype)
    cast = np.zeros(1, dtype=X.dtype)
    for i in range(start, stop):
        ux = cast[0] * 0
        for j in range(d):
            ux += X[i, j] * v[j]
        r = h[i] * (vb + ux)
        ob += r
        cast[0] = r
        rx = cast[0]
        for j in range(d):
            acc[j] += rx * X[i, j]
        if (i - start) % FLUSH_ROWS == FLUSH_ROWS - 1:
            for j in range(d):
                out[j] += acc[j]
                acc[j] = 0
    for j in range(d):
        out[j] += acc[j]
    out[d] += ob


@_njit
def csr_hessp(data, indices, indptr, h, v, vb, start, stop, out):
    """As :func:`dense_hessp` for CSR rows."""
    d = v.shape[0]
    ob = 0.0
    for i in range(start, stop):
        u = vb
        for k in range(indptr[i], indptr[i + 1]):
            u += data[k] * v[indices[k]]
        r = h[i] * u
        ob += r
        for k in range(indptr[i], indptr[i + 1]):
            out[indices[k]] += r * data[k]
    out[d] += ob


@_njit
def csr_sq_diag(data, indices, indptr, h, start, stop, out):
    """out[j] += sum_i h_i x_ij^2 over CSR rows [start, stop): the Hessian's diagonal
    without forming X * X (which would copy the whole matrix)."""
    for i in range(start, stop):
        hi = h[i]
        for k in range(indptr[i], indptr[i + 1]):
            out[indices[k]] += hi * data[k] * data[k]
