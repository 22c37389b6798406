"""Fused one-pass kernels for the binary objective (numba, compiled on first use).

The graph in :mod:`logreg.graph` runs node by node on row blocks: a BLAS
product for z, elementwise nodes, another BLAS product for the backward pass.
These kernels run the *same* forward and backward pass a few rows at a time
instead: for MICRO_ROWS rows, z_i = x_i . w + b, then the fused sigmoid
cross-entropy and dz_i = s_i (a_i - y_i) of those rows together (vector
instructions: exp and log1p are polynomials here, not library calls), then
g += dz_i x_i while the rows are still in L1 cache.  X is read from memory
exactly once per evaluation and no temporary of length n is written.  They
are compiled with ``nogil`` so the worker threads of
:class:`logreg.blocks.BlockedData` run them side by side on their row
ranges.  Tests check them against the graph path to 1e-12 (float64).

Accumulators are float64 whatever the dtype of X, so float32 data keep their
speed (half the bytes to read) without losing the sum.
"""

from __future__ import annotations

import math

import numpy as np

try:  # numba is a dependency, but keep the library usable without a compiler
    import numba
    from llvmlite import ir as _ir
    from numba import types as _types
    from numba.extending import intrinsic as _intrinsic

    # error_model="numpy": x / 0 gives inf instead of a Python exception, so
    # divisions carry no check and loops over them vectorise
    _njit = numba.njit(nogil=True, fastmath=True, cache=True, boundscheck=False, error_model="numpy")
    # the pointwise math must not be re-associated ((1 - y) - s would become
    # 1 - (y + s) and lose s; Cody-Waite's (x - k hi) - k lo would lose lo):
    # only fused multiply-adds are allowed.  LLVM keeps these flags per
    # instruction when it inlines this code into the fast-math loops
    _njit_exact = numba.njit(nogil=True, fastmath={"contract", "nsz"}, cache=True, error_model="numpy")
    # the pointwise functions are inlined by numba, not left to LLVM, so that
    # the loops over rows that call them vectorise; inlined code takes the
    # caller's flags, so they are called only from _njit_exact functions
    _inline_exact = numba.njit(
        nogil=True, fastmath={"contract", "nsz"}, cache=True, error_model="numpy", inline="always"
    )
    AVAILABLE = True
except ImportError:  # pragma: no cover
    numba = None
    AVAILABLE = False

    def _njit(f):
        return f

    _njit_exact = _inline_exact = _njit


__all__ = [
    "AVAILABLE",
    "dense_loss_grad",
    "csr_loss_grad",
    "dense_curvature",
    "csr_curvature",
    "dense_hessp",
    "csr_hessp",
    "exp_neg",
    "log1p_unit",
    "dense_take",
]

if AVAILABLE:

    @_intrinsic
    def _pow2(typingctx, k):
        """2.0**k for an integer -1022 <= k <= 1023, built from its bits."""
        sig = _types.float64(_types.int64)

        def codegen(context, builder, signature, args):
            bits = builder.shl(
                builder.add(args[0], _ir.Constant(_ir.IntType(64), 1023)), _ir.Constant(_ir.IntType(64), 52)
            )
            return builder.bitcast(bits, _ir.DoubleType())

        return sig, codegen

else:  # pragma: no cover

    def _pow2(k):
        return math.ldexp(1.0, k)


_LN2_HI = 6.93147180369123816490e-01  # ln 2 to 32 bits: k * _LN2_HI is exact for |k| < 2**20
_LN2_LO = 1.90821492927058770002e-10  # ln 2 - _LN2_HI
_INV_LN2 = 1.44269504088896338700e00


# The library's exp and log1p are opaque calls, one row at a time (~40 ns a
# row: as long as reading the row).  These two are branch-free polynomials,
# so that a loop over a few rows' z runs as vector instructions (~2.5 ns a
# row), within 1 ulp of the library (tests check against numpy).  Their Horner
# steps are written out: a loop over a tuple of coefficients kept the loops
# over rows from vectorising (checked in the generated code).


@_inline_exact
def exp_neg(x):
    """e**x for x <= 0, within 1 ulp, subnormal results included (0 below -746).

    Cody-Waite reduction x = k ln2 + r, |r| <= ln2 / 2, then Taylor to r**13
    (truncation < 1e-17 relative) and the scaling 2**k in two halves, so that
    2**k below 2**-1022 needs no special case.
    """
    x = max(x, -746.0)
    kf = np.floor(x * _INV_LN2 + 0.5)
    r = (x - kf * _LN2_HI) - kf * _LN2_LO
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    k = np.int64(kf)
    k1 = k >> 1
    return (p * _pow2(k1)) * _pow2(k - k1)


@_inline_exact
def log1p_unit(f):
    """log(1 + f) for 0 <= f <= 1, within 1 ulp.

    fdlibm's form f - (f**2/2 - s (f**2/2 + R)) with s = f / (2 + f) <= 1/3
    and R = sum_m 2 s**(2m) / (2m + 1), 17 terms (truncation < 1e-18).
    """
    s = f / (2.0 + f)
    z = s * s
    R = 2.0 / 35.0
    R = R * z + 2.0 / 33.0
    R = R * z + 2.0 / 31.0
    R = R * z + 2.0 / 29.0
    R = R * z + 2.0 / 27.0
    R = R * z + 2.0 / 25.0
    R = R * z + 2.0 / 23.0
    R = R * z + 2.0 / 21.0
    R = R * z + 2.0 / 19.0
    R = R * z + 2.0 / 17.0
    R = R * z + 2.0 / 15.0
    R = R * z + 2.0 / 13.0
    R = R * z + 2.0 / 11.0
    R = R * z + 2.0 / 9.0
    R = R * z + 2.0 / 7.0
    R = R * z + 2.0 / 5.0
    R = R * z + 2.0 / 3.0
    R = R * z
    hfsq = 0.5 * f * f
    return f - (hfsq - s * (hfsq + R))


@_inline_exact
def _row_loss_prob(z, y):
    # log(1 + e^z) - y z, sigmoid(z) and sigmoid(z) - y from one exponential
    # of -|z|; the residual is formed from sigmoid(-|z|) so that it keeps its
    # tiny value (e^-37, ...) instead of cancelling to 0 in 1 - 1.  Selects,
    # not branches: (max(z, 0) - y z) + log1p(e) is both branches' loss
    e = exp_neg(-abs(z))
    small = e / (1.0 + e)
    loss = (max(z, 0.0) - y * z) + log1p_unit(e)
    pos = z >= 0.0
    a = 1.0 - small if pos else small
    r = (1.0 - y) - small if pos else small - y
    return loss, a, r


@_njit_exact
def _row_loss_prob_call(z, y):
    # for the fast-math CSR loops: a call keeps this code's exact flags
    return _row_loss_prob(z, y)


#: Rows between flushes of the per-row accumulator (in X's dtype) into the
#: float64 gradient: float32 data then run float32 vector arithmetic, and no
#: sum of more than this many float32 terms is ever formed.
FLUSH_ROWS = 256

#: Rows whose z are computed before their losses and residuals: the pointwise
#: math then runs over MICRO_ROWS values at once in vector registers, while
#: the rows (MICRO_ROWS x d) stay in L1 cache for the backward product.
#: Divides FLUSH_ROWS.
MICRO_ROWS = 8


@_njit_exact
def _micro_residuals(z, y, s, s0, i0, m, loss, res):
    """loss[k] = s_i l_i and res[k] = s_i (a_i - y_i) for rows i = i0 + k, k < m."""
    # two loops rather than a test inside one: a load of s that may not happen
    # would keep the loop from running as vector instructions
    if s.shape[0] > 0:
        for k in range(m):
            li, _, r = _row_loss_prob(z[k], y[i0 + k])
            loss[k] = s[i0 + k] * li
            res[k] = s[i0 + k] * r
    else:
        for k in range(m):
            li, _, r = _row_loss_prob(z[k], y[i0 + k])
            loss[k] = s0 * li
            res[k] = s0 * r


@_njit_exact
def _micro_curvature(z, s, s0, i0, m, h):
    """h[i0 + k] = s_i a_i (1 - a_i) for k < m."""
    if s.shape[0] > 0:
        for k in range(m):
            _, a, _ = _row_loss_prob(z[k], 0.0)
            h[i0 + k] = s[i0 + k] * a * (1.0 - a)
    else:
        for k in range(m):
            _, a, _ = _row_loss_prob(z[k], 0.0)
            h[i0 + k] = s0 * a * (1.0 - a)


@_njit
def _micro_z(X, w, b, o, i0, m, z):
    """z[k] = x_(i0+k) . w + b (+ o_(i0+k): the offset, when o is not empty) for k < m (the dot in X's dtype)."""
    d = X.shape[1]
    zero = np.zeros(1, dtype=X.dtype)[0]
    for k in range(m):
        zx = zero
        for j in range(d):
            zx += X[i0 + k, j] * w[j]
        z[k] = b + zx
    if o.shape[0] > 0:  # a separate loop: a test inside the dot's loop would keep it from vectorising
        for k in range(m):
            z[k] += o[i0 + k]


@_njit
def dense_loss_grad(X, y, s, s0, w, b, o, start, stop, grad, want_grad):
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
    o : ndarray of shape (n,) or shape (0,), float64
        The offset added to each row's z (glum's and statsmodels' ``offset``); empty for none.
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
    acc = np.zeros(d, dtype=X.dtype)
    z = np.empty(MICRO_ROWS)
    lk = np.empty(MICRO_ROWS)
    rk = np.empty(MICRO_ROWS)
    cast = np.zeros(1, dtype=X.dtype)
    for i0 in range(start, stop, MICRO_ROWS):
        m = min(MICRO_ROWS, stop - i0)
        _micro_z(X, w, b, o, i0, m, z)
        _micro_residuals(z, y, s, s0, i0, m, lk, rk)
        for k in range(m):
            loss += lk[k]
            gb += rk[k]
        if want_grad:
            for k in range(m):
                cast[0] = rk[k]
                dzx = cast[0]
                for j in range(d):
                    acc[j] += dzx * X[i0 + k, j]
            if (i0 + MICRO_ROWS - start) % FLUSH_ROWS == 0:
                for j in range(d):
                    grad[j] += acc[j]
                    acc[j] = 0
    if want_grad:
        for j in range(d):
            grad[j] += acc[j]
        grad[d] += gb
    return loss


@_njit
def csr_loss_grad(data, indices, indptr, y, s, s0, w, b, o, start, stop, grad, want_grad):
    """As :func:`dense_loss_grad` for rows [start, stop) of a CSR matrix."""
    d = w.shape[0]
    loss = 0.0
    gb = 0.0
    weighted = s.shape[0] > 0
    shifted = o.shape[0] > 0
    for i in range(start, stop):
        z = b + o[i] if shifted else b
        for k in range(indptr[i], indptr[i + 1]):
            z += data[k] * w[indices[k]]
        li, a, r = _row_loss_prob_call(z, y[i])
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
def dense_curvature(X, s, s0, w, b, o, start, stop, h):
    """h_i = s_i a_i (1 - a_i) for rows [start, stop) (written into h); o as in :func:`dense_loss_grad`."""
    z = np.empty(MICRO_ROWS)
    for i0 in range(start, stop, MICRO_ROWS):
        m = min(MICRO_ROWS, stop - i0)
        _micro_z(X, w, b, o, i0, m, z)
        _micro_curvature(z, s, s0, i0, m, h)


@_njit
def csr_curvature(data, indices, indptr, s, s0, w, b, o, start, stop, h):
    """As :func:`dense_curvature` for CSR rows."""
    weighted = s.shape[0] > 0
    shifted = o.shape[0] > 0
    for i in range(start, stop):
        z = b + o[i] if shifted else b
        for k in range(indptr[i], indptr[i + 1]):
            z += data[k] * w[indices[k]]
        _, a, _ = _row_loss_prob_call(z, 0.0)
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


@_njit
def dense_take(X, rows, out):
    """out[k] = X[rows[k]] cast to out's dtype: a row sample in another precision
    without an intermediate copy in X's (numpy's take into a float32 ``out`` makes one)."""
    d = X.shape[1]
    for k in range(rows.shape[0]):
        i = rows[k]
        for j in range(d):
            out[k, j] = X[i, j]
