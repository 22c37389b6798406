"""The logistic objective over row blocks, one pass over X per evaluation.

The data term is the weighted mean cross-entropy of the seeds::

    D(theta) = sum_i s_i l_i(z_i),     z = X w + b (+ offset),     sum_i s_i = 1

where ``s`` are the user's sample weights divided by their sum S (so with no
weights s_i = 1/n, seed 000's J = (1/m) sum L) and the optional offset is a
known term of each row's z (glum's and statsmodels' ``offset``).  The full objective adds a
penalty on w only (never on b), see :mod:`logreg.penalties`::

    J(theta) = D(theta) + r(w),     minimised over a box on w when bounded (logreg.bounds)

Every evaluation walks X in row blocks small enough to stay in cache: the
block's forward pass ``z_b = X_b w`` is followed at once by its backward pass
``g += X_b^T dz_b`` while X_b is still in cache, so X streams from memory once
per evaluation.  Blocks are shared out to worker threads (numpy and BLAS
release the GIL), each summing its own partial result; the partial results are
added at the end.  This per-block function is also what a Dask worker runs.

Parameters are a flat vector ``theta``: for the binary model
``[w_1..w_d, b]`` (b omitted without an intercept); for K classes the
coefficients W of shape (K, d) row by row, then the K intercepts.
"""

from __future__ import annotations

import copy
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from .blocks import BlockedData, default_engine, fused_supported, kernel_module, shifted
from .bounds import kkt_residual
from .graph import Linear, SigmoidCrossEntropy, SoftmaxCrossEntropy, WeightedMean, sigmoid
from .layout import ParamLayout
from .offset import check_offset

__all__ = [
    "BinaryLogistic",
    "MultinomialLogistic",
    "Objective",
    "fused_supported",
    "intercept_start",
    "make_datafit",
]

_F32_MAX = float(np.finfo(np.float32).max)


class Columns(NamedTuple):
    """X by columns, for solvers that update one coefficient at a time.

    Attributes
    ----------
    indptr, indices, data : ndarray
        X in compressed sparse column form (data in X's dtype, sorted indices).
    y : ndarray of shape (n,), float64
        Labels in {0, 1}.
    s : ndarray of shape (n,), float64
        Weights divided by their sum S (the data term is sum_i s_i loss_i).
    shape : tuple of int
        (n, d).
    offset : ndarray of shape (n,), float64, or None
        The rows' offsets (z = X w + b + offset), None when there are none.
    """

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    y: np.ndarray
    s: np.ndarray
    shape: tuple
    offset: np.ndarray | None = None


class DataTerm:
    """What every data term shares: its sizes and the dtype of its arithmetic, read from
    ``self.data`` (rows in memory, or a description of the chunks), and no column access
    unless a subclass offers it.  The full protocol is in ARCHITECTURE.md."""

    #: The dtype the products with X are formed in: X's own, unless :meth:`in_float64`.
    _arithmetic = None
    #: Whether :meth:`columns` offers X by columns (for column-wise descent).
    column_access = False

    @property
    def n_samples(self):
        return self.data.n_samples

    @property
    def weight_sum(self):
        """S, the divisor of the data term: n with uniform weights, else the weights' sum."""
        return self.data.weight_sum

    @property
    def dtype(self):
        """X's dtype (float32 or float64)."""
        return self.data.dtype

    @property
    def precision(self):
        """The dtype of the arithmetic: X's dtype, or float64 after :meth:`in_float64`."""
        return self._arithmetic or self.data.dtype

    def columns(self):
        """X by columns (:class:`Columns`) for column-wise descent, or None where not offered."""
        return None

    # -- parameter layout: the term's ``layout`` (:class:`logreg.layout.ParamLayout`) ----------
    @property
    def n_params(self):
        return self.layout.n_params

    def split(self, theta):
        """``(w, b)``: w of shape (d,), b a float for two classes; W (K, d), b (K,) for K >= 3."""
        return self.layout.split(theta)

    def join(self, w, b):
        """Inverse of :meth:`split`: theta of shape (n_params,)."""
        return self.layout.join(w, b)

    def coef_mask(self):
        """Boolean mask of the entries of theta that are penalised (coefficients, not intercepts)."""
        return self.layout.coef_mask()

    def invariant_basis(self, coef=False):
        """Orthonormal directions of theta that leave the softmax unchanged, or None (two classes)."""
        return self.layout.invariant_basis(coef)


class _InMemoryTerm(DataTerm):
    """What the in-memory data terms share: class counts and float64 arithmetic of their rows.

    Subclasses hold their rows in ``self.data`` (a :class:`logreg.blocks.BlockedData`) and
    their per-point caches in ``self._cache``.
    """

    def class_counts(self):
        """Rows of positive weight in each class, shape (n_classes,)."""
        return self.data.positive_counts(self.n_classes)

    def in_float64(self):
        """The same data term (X shared, not copied) computed in float64 arithmetic.

        float32 data round J and its gradient at ~1e-7 of their terms, which can leave
        J ~1e-8 above its optimum; the same data points in float64 products have the
        optimum to float64's precision, at the cost of upcasting each block as it is read.
        """
        out = copy.copy(self)
        out._arithmetic = np.dtype(np.float64)
        out._cache = (None, None)
        return out


class BinaryLogistic(_InMemoryTerm):
    """Weighted mean binary cross-entropy of a linear model (the seeds' J).

    Parameters
    ----------
    X : ndarray or csr_matrix of shape (n, d), float32 or float64
    y : ndarray of shape (n,), values in {0, 1}
        Integers (e.g. int8 codes) are kept as they are; floats are cast to X's dtype.
    sample_weight : ndarray of shape (n,) or None
    fit_intercept : bool
    block_rows, n_threads, weight_sum : see :class:`logreg.blocks.BlockedData`
    offset : ndarray of shape (n,) or None
        Added to each row's z: z = X w + b + offset (see :class:`logreg.blocks.BlockedData`).
    engine : {'auto', 'fused', 'graph'}
        'graph' runs the nodes of :mod:`logreg.graph` block by block; 'fused'
        runs the same passes row by row in :mod:`logreg.kernels` (one read of
        X, no temporaries); 'auto' takes 'fused' where it applies.
    """

    n_classes = 2
    column_access = True
    _columns = None  # X by columns, made by columns() on first use

    def __init__(
        self,
        X,
        y,
        sample_weight=None,
        *,
        fit_intercept=True,
        block_rows=None,
        n_threads=None,
        engine="auto",
        weight_sum=None,
        offset=None,
    ):
        y = np.asarray(y)
        # integer codes are read as they are (int8 from the estimator: no float copy of y)
        y = y.view(np.int8) if y.dtype == bool else y if y.dtype.kind in "iu" else y.astype(X.dtype, copy=False)
        offset = check_offset(offset, X.shape[0], 2)
        self.data = BlockedData(
            X, y, sample_weight, block_rows=block_rows, n_threads=n_threads, weight_sum=weight_sum, offset=offset
        )
        if engine == "auto":
            engine = default_engine(X)
        elif engine == "fused" and not fused_supported(X):
            raise ValueError("engine='fused' needs numba and a C-contiguous dense or CSR float array")
        elif engine not in ("fused", "graph"):
            raise ValueError(f"engine must be 'auto', 'fused' or 'graph', got {engine!r}")
        self.engine = engine
        self.fit_intercept = bool(fit_intercept)
        self.n_features = X.shape[1]
        self.layout = ParamLayout(self.n_features, 2, self.fit_intercept)
        self._cache = (None, None)

    def columns(self):
        """X by columns, labels and normalised weights (:class:`Columns`), made on first use
        and kept: a CSC copy of X (data, row indices), about 1.5x X's bytes."""
        if self._columns is None:
            X = self.data.X
            C = X.tocsc() if self.data.sparse else sp.csc_matrix(X)
            C.sort_indices()
            n = self.data.n_samples
            s = self.data.s if self.data.s is not None else np.full(n, 1.0 / self.data.weight_sum)
            y = np.asarray(self.data.y, dtype=np.float64)
            self._columns = Columns(C.indptr, C.indices, C.data, y, s, (n, self.n_features), self.data.o)
        return self._columns

    def _cast(self, w):
        return np.asarray(w, dtype=self.precision)

    def in_float64(self):
        out = super().in_float64()
        out.engine = "graph"  # the fused kernels compute in X's dtype
        return out

    def sample(self, max_rows, compact=False):
        """The same data term on about ``max_rows`` evenly spaced rows (a copy of them): the
        weighted mean over the sample, an estimate of this one.

        ``compact`` copies dense rows straight into float32 where the fused kernels read
        them (half the memory; a rough solve needs no more digits), unless their products
        would overflow float32.
        """
        rows = self.data.sample_rows(max_rows)
        dtype = None
        if compact and self.engine == "fused" and not self.data.sparse and self.data.dtype != np.float32:
            dtype = np.float32
        X, y, s, o = self.data.take(rows, dtype)
        if dtype is not None and not max(float(X.max()), -float(X.min())) ** 2 * rows.size < _F32_MAX:
            X, y, s, o = self.data.take(rows)  # values whose sums of products overflow float32
        return BinaryLogistic(X, y, s, fit_intercept=self.fit_intercept, engine=self.engine, offset=o)

    # -- evaluations ------------------------------------------------------
    def linear_predictor(self, theta):
        """z = X w + b + offset, shape (n,)."""
        w, b = self.split(theta)
        return shifted(np.asarray(self.data.X @ self._cast(w)).ravel() + b, self.data, slice(None))

    def _x_args(self):
        X = self.data.X
        return (X.data, X.indices, X.indptr) if self.data.sparse else (X,)

    def _fused_loss_grad(self, theta, want_grad):
        w, b = self.split(theta)
        data = self.data
        w = np.ascontiguousarray(w, dtype=data.dtype if not data.sparse else np.float64)
        s, s0 = data.kernel_weights()
        o = data.kernel_offset()
        kernels = kernel_module()
        kernel = kernels.csr_loss_grad if data.sparse else kernels.dense_loss_grad
        xargs = self._x_args()

        def fn(a, e):
            g = np.zeros(self.n_features + 1)
            return kernel(*xargs, data.y, s, s0, w, b, o, a, e, g, want_grad), g

        J, g = data.sweep_ranges(fn)
        return float(J), (g if self.fit_intercept else g[:-1])

    def value(self, theta):
        """D(theta), float."""
        if self.engine == "fused":
            return self._fused_loss_grad(theta, False)[0]
        w, b = self.split(theta)
        w = self._cast(w)
        data = self.data

        def fn(a, e, Xb):
            z, _ = Linear.forward(Xb, w, b)
            loss, _ = SigmoidCrossEntropy.forward(shifted(z, data, slice(a, e)), data.y[a:e])
            return (WeightedMean.forward(loss, data.weights(a, e))[0],)

        return float(data.sweep(fn)[0])

    def value_and_grad(self, theta):
        """D(theta) and its gradient, one pass over X.

        Returns
        -------
        value : float
        grad : ndarray of shape (n_params,), float64
        """
        if self.engine == "fused":
            return self._fused_loss_grad(theta, True)
        w, b = self.split(theta)
        w = self._cast(w)
        data = self.data

        def fn(a, e, Xb):
            # forward: linear -> fused sigmoid cross-entropy -> weighted mean
            z, lin_cache = Linear.forward(Xb, w, b)
            # the offset enters z only: dz/dw and dz/db are unchanged
            loss, ce_cache = SigmoidCrossEntropy.forward(shifted(z, data, slice(a, e)), data.y[a:e])
            J, mean_cache = WeightedMean.forward(loss, data.weights(a, e))
            # backward: dJ/dl = s, dl/dz = a - y, dz/dw = x, dz/db = 1
            dz = SigmoidCrossEntropy.backward(ce_cache, WeightedMean.backward(mean_cache))
            dw, db = Linear.backward(lin_cache, dz)
            return J, dw.astype(np.float64, copy=False), float(db)

        J, gw, gb = data.sweep(fn)
        grad = np.concatenate([gw, [gb]]) if self.fit_intercept else gw
        return float(J), grad

    def grad(self, theta):
        return self.value_and_grad(theta)[1]

    def curvature(self, theta):
        """Per-sample Hessian weights h_i = s_i a_i (1 - a_i), shape (n,)."""
        key = self._cache[0]
        if key is not None and key.shape == theta.shape and np.array_equal(key, theta):
            return self._cache[1]
        w, b = self.split(theta)
        data = self.data
        h = np.empty(data.n_samples, dtype=np.float64 if self.engine == "fused" else self.precision)
        if self.engine == "fused":
            w = np.ascontiguousarray(w, dtype=data.dtype if not data.sparse else np.float64)
            s, s0 = data.kernel_weights()
            o = data.kernel_offset()
            kernels = kernel_module()
            kernel = kernels.csr_curvature if data.sparse else kernels.dense_curvature
            xargs = self._x_args()

            def run(a, e):
                kernel(*xargs, s, s0, w, b, o, a, e, h)
                return (0.0,)

            data.sweep_ranges(run)
        else:
            w = self._cast(w)

            def fn(a, e, Xb):
                z, _ = Linear.forward(Xb, w, b)
                p = sigmoid(shifted(z, data, slice(a, e)))
                h[a:e] = p * (1.0 - p) * data.weights(a, e)
                return (0.0,)

            data.sweep(fn)
        self._cache = (np.array(theta, copy=True), h)
        return h

    def hessian_diag(self, theta):
        """Diagonal of the Hessian of D, shape (n_params,) (after curvature())."""
        h = self.curvature(theta)
        data = self.data
        if data.sparse and fused_supported(data.X):
            # X.multiply(X) would copy the matrix; the kernel squares entries as it reads them
            X = data.X
            kernels = kernel_module()

            def run(a, e):
                out = np.zeros(self.n_features)
                kernels.csr_sq_diag(X.data, X.indices, X.indptr, h, a, e, out)
                return out, float(h[a:e].sum())

            dw, db = data.sweep_ranges(run)
        else:

            def fn(a, e, Xb):
                hb = h[a:e]
                if data.sparse:
                    sq = np.asarray(Xb.multiply(Xb).T @ hb, dtype=np.float64).ravel()
                else:
                    sq = np.einsum("ij,ij,i->j", Xb, Xb, hb, dtype=np.float64)
                return sq, float(hb.sum())

            dw, db = data.sweep(fn)
        return np.concatenate([dw, [db]]) if self.fit_intercept else dw

    def hessp(self, theta, v):
        """Hessian of D at theta times v, one pass over X (after curvature()).

        Parameters
        ----------
        theta, v : ndarray of shape (n_params,)

        Returns
        -------
        ndarray of shape (n_params,), float64
        """
        h = self.curvature(theta)
        vw, vb = self.split(v)
        data = self.data
        if self.engine == "fused":
            vw = np.ascontiguousarray(vw, dtype=data.dtype if not data.sparse else np.float64)
            kernels = kernel_module()
            kernel = kernels.csr_hessp if data.sparse else kernels.dense_hessp
            xargs = self._x_args()

            def run(a, e):
                out = np.zeros(self.n_features + 1)
                kernel(*xargs, h, vw, vb, a, e, out)
                return (out,)

            (out,) = data.sweep_ranges(run)
            return out if self.fit_intercept else out[:-1]
        vw = self._cast(vw)

        def fn(a, e, Xb):
            u = np.asarray(Xb @ vw).ravel() + vb
            r = h[a:e] * u
            return np.asarray(Xb.T @ r, dtype=np.float64).ravel(), float(r.sum())

        hw, hb = data.sweep(fn)
        return np.concatenate([hw, [hb]]) if self.fit_intercept else hw

    def hessian(self, theta, max_rows=None, offset=0, *, single=True):
        """Hessian of D, shape (n_params, n_params), in one pass; for small d.

        Parameters
        ----------
        theta : ndarray of shape (n_params,)
        max_rows : int, optional
            Estimate the Hessian from about this many evenly spaced rows
            (every k-th row, reweighted to the full weight): the sub-sampled
            Newton step.  The exact Hessian when None or when n is small.
        offset : int, default=0
            Which sample: rows ``offset mod k, offset mod k + k, ...`` for
            stride k, so that successive offsets take disjoint rows.

        Returns
        -------
        ndarray of shape (n_params, n_params), float64
        """
        w, b = self.split(theta)
        data = self.data
        d = self.n_features
        stride = data.stride_for(max_rows)
        take = None
        if single and stride > 1 and self.engine == "fused" and not data.sparse:
            # a sample of m rows estimates H only to ~1/sqrt(m) (P1: 0.7%): its products are
            # formed in float32 (rounding 1e-7), gathered straight into float32, at half the
            # time of float64 products (P1: ~5 of ~11 ms a Hessian)
            dtype = np.float32

            def take(rows):
                return data.gather(rows, dtype)

        else:
            dtype = self.precision
        w = np.asarray(w, dtype=dtype)

        def fn(rows, Xb):
            z, _ = Linear.forward(Xb, w, b)
            p = sigmoid(shifted(z, data, rows))
            s = data.weights_at(rows)
            hb = p * (1.0 - p) * s
            if take is not None:
                # H_w = B^T B with B = sqrt(h) X: one symmetric product (GEMM on B, as fast as SYRK here)
                B = Xb * np.sqrt(hb).astype(dtype)[:, None]
                Hw = (B.T @ B).astype(np.float64)
                cross = (Xb.T @ hb.astype(dtype)).astype(np.float64)
            elif data.sparse:
                Hw = np.asarray((Xb.T @ Xb.multiply(hb[:, None])).todense(), dtype=np.float64)
                cross = np.asarray(Xb.T @ hb, dtype=np.float64).ravel()
            else:
                Hw = (Xb.T @ (Xb * hb[:, None])).astype(np.float64, copy=False)
                cross = (Xb.T @ hb).astype(np.float64, copy=False)
            return Hw, cross, float(hb.sum()), float(np.sum(s) if np.ndim(s) else s * len(hb))

        if take is not None:

            def fn32(rows, Xb):
                # errstate is per thread: set where the products run
                with np.errstate(over="ignore", invalid="ignore"):
                    return fn(rows, Xb)

            Hw, cross, hbb, s_sum = data.sweep_rows(fn32, stride, offset, take)
            if not (np.all(np.isfinite(Hw)) and np.all(np.isfinite(cross)) and np.isfinite(hbb)):
                # values beyond float32's range (|x| above ~1e19 overflows x^2): X's own precision
                return self.hessian(theta, max_rows, offset, single=False)
        else:
            Hw, cross, hbb, s_sum = data.sweep_rows(fn, stride, offset)
        if stride > 1 and not s_sum > 0:
            return self.hessian(theta)  # the sampled rows carry no weight (e.g. a held-out stride): every row
        H = np.empty((d + 1, d + 1))
        H[:d, :d] = Hw
        H[:d, d] = H[d, :d] = cross
        H[d, d] = hbb
        if stride > 1:
            H /= s_sum  # the sampled rows stand for all rows
        return H if self.fit_intercept else H[:d, :d].copy()

    def predict_proba1(self, theta):
        """P(y = 1 | x) for the training rows, shape (n,)."""
        return sigmoid(self.linear_predictor(theta))


class MultinomialLogistic(_InMemoryTerm):
    """Weighted mean softmax cross-entropy for K >= 3 classes.

    Parameters
    ----------
    X : ndarray or csr_matrix of shape (n, d)
    y : ndarray of shape (n,), integer codes in [0, K)
    n_classes : int
    sample_weight, fit_intercept, block_rows, n_threads, weight_sum : as :class:`BinaryLogistic`
    engine : {'auto', 'graph'}
        Accepted for symmetry with :class:`BinaryLogistic`: the softmax runs the graph's nodes.
    offset : ndarray of shape (n, K) or None
        Added to each row's class scores: Z = X W^T + b + offset (one column per class).
    """

    def __init__(
        self,
        X,
        y,
        n_classes,
        sample_weight=None,
        *,
        fit_intercept=True,
        block_rows=None,
        n_threads=None,
        weight_sum=None,
        engine="auto",
        offset=None,
    ):
        if engine not in ("auto", "graph"):
            raise ValueError(
                f"the multinomial data term runs the graph engine only ('auto' or 'graph'), got {engine!r}"
            )
        y = np.asarray(y, dtype=np.intp)
        offset = check_offset(offset, X.shape[0], int(n_classes))
        self.data = BlockedData(
            X, y, sample_weight, block_rows=block_rows, n_threads=n_threads, weight_sum=weight_sum, offset=offset
        )
        self.n_classes = int(n_classes)
        self.fit_intercept = bool(fit_intercept)
        self.n_features = X.shape[1]
        self.layout = ParamLayout(self.n_features, self.n_classes, self.fit_intercept)
        self._cache = (None, None)

    def _cast(self, W):
        return np.asarray(W, dtype=self.precision)

    def sample(self, max_rows, compact=False):
        """The same data term on about ``max_rows`` evenly spaced rows (a copy of them), as
        :meth:`BinaryLogistic.sample` (``compact`` has no effect: no float32 engine here)."""
        X, y, s, o = self.data.take(self.data.sample_rows(max_rows))
        return MultinomialLogistic(X, y, self.n_classes, s, fit_intercept=self.fit_intercept, offset=o)

    def linear_predictor(self, theta):
        W, b = self.split(theta)
        return shifted(np.asarray(self.data.X @ self._cast(W).T) + b, self.data, slice(None))

    def value(self, theta):
        return self.value_and_grad(theta)[0]

    def value_and_grad(self, theta):
        W, b = self.split(theta)
        W = self._cast(W)
        data = self.data

        def fn(a, e, Xb):
            z, lin_cache = Linear.forward(Xb, W, b)
            loss, ce_cache = SoftmaxCrossEntropy.forward(shifted(z, data, slice(a, e)), data.y[a:e])
            J, mean_cache = WeightedMean.forward(loss, data.weights(a, e))
            dz = SoftmaxCrossEntropy.backward(ce_cache, WeightedMean.backward(mean_cache))
            dW, db = Linear.backward(lin_cache, dz)
            return J, dW.astype(np.float64, copy=False), db.astype(np.float64, copy=False)

        J, gW, gb = data.sweep(fn)
        return float(J), self.join(gW, gb)

    def grad(self, theta):
        return self.value_and_grad(theta)[1]

    def _probs(self, theta):
        key = self._cache[0]
        if key is not None and key.shape == theta.shape and np.array_equal(key, theta):
            return self._cache[1]
        W, b = self.split(theta)
        W = self._cast(W)
        data = self.data
        P = np.empty((data.n_samples, self.n_classes), dtype=self.precision)

        def fn(a, e, Xb):
            z, _ = Linear.forward(Xb, W, b)
            _, (A, *_) = SoftmaxCrossEntropy.forward(shifted(z, data, slice(a, e)), data.y[a:e])
            P[a:e] = A
            return (0.0,)

        data.sweep(fn)
        self._cache = (np.array(theta, copy=True), P)
        return P

    def hessian_diag(self, theta):
        """Diagonal of the Hessian of D, shape (n_params,)."""
        P = self._probs(theta)
        data = self.data

        def fn(a, e, Xb):
            s = data.weights(a, e)
            A = P[a:e]
            c = A * (1.0 - A) * (s if np.isscalar(s) else s[:, None])
            sq = Xb.multiply(Xb) if data.sparse else Xb * Xb
            return np.asarray(sq.T @ c, dtype=np.float64).T, c.sum(axis=0).astype(np.float64)

        dW, db = data.sweep(fn)
        return self.join(dW, db)

    def hessp(self, theta, v):
        """Hessian-vector product: X^T [s (A*U - A * rowsum(A*U))], U = X V^T + c."""
        P = self._probs(theta)
        VW, vb = self.split(v)
        VW = self._cast(VW)
        data = self.data

        def fn(a, e, Xb):
            U = np.asarray(Xb @ VW.T) + vb
            A = P[a:e]
            AU = A * U
            R = AU - A * AU.sum(axis=1, keepdims=True)
            s = data.weights(a, e)
            R *= s if np.isscalar(s) else s[:, None]
            return np.asarray(Xb.T @ R, dtype=np.float64).T, R.sum(axis=0).astype(np.float64)

        HW, hb = data.sweep(fn)
        return self.join(HW, hb)

    def hessian(self, theta, max_rows=None, offset=0):
        """Hessian of D, shape (n_params, n_params), in one pass; for small K*d.

        Block (k, l) of the coefficient part is X^T diag(s (A_k delta_kl -
        A_k A_l)) X.  ``max_rows`` and ``offset`` as in :meth:`BinaryLogistic.hessian`.
        """
        W, b = self.split(theta)
        W = self._cast(W)
        data = self.data
        K, d = self.n_classes, self.n_features
        stride = data.stride_for(max_rows)
        Xt = self.fit_intercept

        def fn(rows, Xb):
            z, _ = Linear.forward(Xb, W, b)
            _, (A, *_) = SoftmaxCrossEntropy.forward(shifted(z, data, rows), data.y[rows])
            s = data.weights_at(rows)
            As = A * (s if np.isscalar(s) else s[:, None])
            m = d + int(Xt)
            H = np.zeros((K, m, K, m))
            if Xt:
                Xa = (
                    sp.hstack([Xb, np.ones((Xb.shape[0], 1))], format="csr")
                    if data.sparse
                    else np.hstack([Xb, np.ones((Xb.shape[0], 1), dtype=Xb.dtype)])
                )
            else:
                Xa = Xb
            for k in range(K):
                for m2 in range(k, K):
                    c = (As[:, k] if k == m2 else 0.0) - As[:, k] * A[:, m2]
                    if data.sparse:
                        blk = np.asarray((Xa.T @ Xa.multiply(c[:, None])).todense())
                    else:
                        blk = Xa.T @ (Xa * c[:, None])
                    H[k, :, m2, :] = blk
                    H[m2, :, k, :] = blk.T
            return H, float(np.sum(s) if np.ndim(s) else s * A.shape[0])

        H4, s_sum = data.sweep_rows(fn, stride, offset)
        if stride > 1 and not s_sum > 0:
            return self.hessian(theta)  # the sampled rows carry no weight (e.g. a held-out stride): every row
        if stride > 1:
            H4 /= s_sum
        # reorder from (class, feature+intercept) to theta's layout: W row by row, then b
        n = self.n_params
        H = np.empty((n, n))
        idx = (
            np.concatenate([np.arange(K * d).reshape(K, d), (K * d + np.arange(K))[:, None]], axis=1)
            if Xt
            else (np.arange(K * d).reshape(K, d))
        )
        flat = idx.ravel()
        H[np.ix_(flat, flat)] = H4.reshape(K * (d + int(Xt)), K * (d + int(Xt)))
        return H

    def predict_proba(self, theta):
        return self._probs(theta)


def intercept_start(class_sums):
    """Intercepts of the intercept-only optimum: a start that costs nothing.

    On rare classes it saves Newton its first steps (3.5% positives, 2e5 x 20:
    8 iterations instead of 10); on balanced classes it is about zero anyway.
    With every coefficient zero the data term is minimised by b = log(S_1/S_0)
    for two classes and by b_k = log S_k (up to a constant, here centred) for
    K >= 3, where S_k is the weight of class k.  The intercept is never
    penalised, so this is exact for every penalty.

    Parameters
    ----------
    class_sums : ndarray of shape (n_classes,)
        Weight of each class.

    Returns
    -------
    float or ndarray of shape (n_classes,)
        0 where a class has no weight (no finite optimum).
    """
    class_sums = np.asarray(class_sums, dtype=np.float64)
    if not np.all(class_sums > 0) or not np.all(np.isfinite(class_sums)):
        return 0.0 if class_sums.size == 2 else np.zeros(class_sums.size)
    logs = np.log(class_sums)
    if class_sums.size == 2:
        return float(logs[1] - logs[0])
    return logs - logs.mean()


def make_datafit(X, y, n_classes, sample_weight=None, *, fit_intercept=True, **kw):
    """The data term for ``n_classes`` classes (y as integer codes)."""
    if n_classes == 2:
        return BinaryLogistic(X, y, sample_weight, fit_intercept=fit_intercept, **kw)
    return MultinomialLogistic(X, y, n_classes, sample_weight, fit_intercept=fit_intercept, **kw)


class Objective:
    """Data term plus penalty: what the solvers minimise.

    The smooth part F (data term plus the smooth part of the penalty) is what
    gradients and Hessians describe; a non-smooth L1 part enters only through
    :meth:`prox` and :meth:`value`.

    Parameters
    ----------
    datafit : BinaryLogistic or MultinomialLogistic
    penalty : logreg.penalties.Penalty
        Acts on the entries of theta marked by ``datafit.coef_mask()``.
    bounds : tuple (lo, hi) of ndarray of shape (n_params,), optional
        A box on theta (``-inf`` / ``inf`` where unbounded, always on the
        intercepts; :func:`logreg.bounds.theta_bounds`): J is minimised over
        it, and only solvers that declare ``supports_bounds`` take it.

    Attributes
    ----------
    n_passes : int
        Passes over X so far (each value, gradient or Hessian-vector product
        reads X once; a full Hessian counts as one).
    """

    def __init__(self, datafit, penalty, bounds=None):
        self.datafit = datafit
        self.penalty = penalty
        self.mask = datafit.coef_mask()
        self.n_params = datafit.n_params
        self.n_passes = 0
        self.bounds = None if bounds is None else (np.asarray(bounds[0], float), np.asarray(bounds[1], float))

    def in_float64(self):
        """The same objective with the data term in float64 arithmetic (see the data terms)."""
        return Objective(self.datafit.in_float64(), self.penalty, self.bounds)

    def sample(self, max_rows, compact=False):
        """The objective with the data term's mean over about ``max_rows`` evenly spaced rows
        (same penalty): an estimate of J for a cheap first solve (see the data terms' ``sample``)."""
        return Objective(self.datafit.sample(max_rows, compact), self.penalty, self.bounds)

    def clip(self, theta):
        """theta projected onto the box (theta itself when unbounded)."""
        return theta if self.bounds is None else np.clip(theta, *self.bounds)

    @property
    def smooth(self):
        return self.penalty.smooth

    @property
    def rounding(self):
        """Relative change of J below which it is rounding noise: 1e3 eps of X's dtype
        (2e-13 for float64; 1e-4 for float32, whose z carry 7 digits)."""
        return 1e3 * float(np.finfo(self.datafit.precision).eps)

    def value(self, theta):
        """The whole objective J(theta), float."""
        self.n_passes += 1
        return self.datafit.value(theta) + self.penalty.value(theta[self.mask])

    def smooth_value(self, theta):
        """F(theta), float."""
        self.n_passes += 1
        return self.datafit.value(theta) + self.penalty.smooth_value(theta[self.mask])

    def value_and_grad(self, theta):
        """F(theta) and its gradient (float64, shape (n_params,)), one pass over X."""
        self.n_passes += 1
        f, g = self.datafit.value_and_grad(theta)
        w = theta[self.mask]
        g[self.mask] += self.penalty.grad(w)
        return f + self.penalty.smooth_value(w), g

    def hessp(self, theta, v):
        """Hessian of F at theta times v."""
        self.n_passes += 1
        Hv = self.datafit.hessp(theta, v)
        Hv[self.mask] += self.penalty.hessp(theta[self.mask], v[self.mask])
        return Hv

    def hessian(self, theta, max_rows=None, offset=0):
        """Hessian of F, shape (n_params, n_params); ``max_rows`` sub-samples the data term."""
        self.n_passes += 1
        H = self.datafit.hessian(theta, max_rows=max_rows, offset=offset)
        idx = np.flatnonzero(self.mask)
        H[idx, idx] += self.penalty.hess_diag(theta[self.mask])
        return H

    def hessian_diag(self, theta):
        """Diagonal of the Hessian of F, shape (n_params,)."""
        self.n_passes += 1
        D = self.datafit.hessian_diag(theta)
        D[self.mask] += self.penalty.hess_diag(theta[self.mask])
        return D

    def l1_weights(self):
        """alpha_l1 for each entry of theta (0 on intercepts), or None for a smooth penalty."""
        if self.penalty.smooth:
            return None
        lam = np.zeros(self.n_params)
        lam[self.mask] = self.penalty.l1_weight
        return lam

    def project(self, v):
        """``v`` without its part along directions that leave J unchanged, shape (n_params,).

        The softmax is unchanged by one shift of every class's intercept (and,
        without a penalty, by one shift of every class's coefficient vector):
        a null direction of the Hessian that a Newton step must not wander
        along (its length there is rounding noise, and large intercepts cost
        z its digits).  Binary models have none: ``v`` is returned as is.
        """
        N = self.invariant_basis()
        return v if N is None else v - N @ (N.T @ v)

    def descent_fallback(self, theta, grad):
        """The steepest feasible descent step: ``-grad``, projected onto the box when bounded."""
        return -grad if self.bounds is None else self.clip(theta - grad) - theta

    def columns(self):
        """The data term's :class:`Columns`, or None where it does not offer them."""
        return self.datafit.columns()

    def invariant_basis(self):
        """Orthonormal basis of the directions that leave J unchanged, shape (n_params, k), or None.

        With bounds the common shift of every class's coefficients would leave the box, so
        only the intercepts' shift (never bounded) counts."""
        return self.datafit.invariant_basis(coef=self.penalty.vanishes and self.bounds is None)

    def prox(self, theta, step):
        """Proximal step of the non-smooth part and the box (identity when smooth and unbounded).

        Both act coordinate by coordinate, and in one dimension the proximal map of
        ``l1 |u| + indicator([lo, hi])`` is the soft-threshold clipped to [lo, hi]."""
        out = theta
        if not self.penalty.smooth:
            out = theta.copy()
            out[self.mask] = self.penalty.prox(theta[self.mask], step)
        return self.clip(out)

    def optimality(self, theta, grad):
        """Max-norm of the minimum-norm subgradient of J (plus the box's normal cone), given grad F."""
        if self.penalty.smooth:
            r = grad
        else:
            r = grad.copy()
            r[self.mask] = self.penalty.subgrad_dist(theta[self.mask], grad[self.mask])
        if self.bounds is not None:
            lam = self.l1_weights()
            r = kkt_residual(r, theta, grad, 0.0 if lam is None else lam, *self.bounds)
        return float(np.max(np.abs(r))) if r.size else 0.0
