"""Row blocks: X, y, weights and offsets cut into cache-sized blocks, shared out to threads.

:class:`BlockedData` is what the in-memory data terms of :mod:`logreg.objective` hold:
each evaluation sweeps the blocks (forward ``z_b = X_b w`` then backward ``X_b^T dz_b``
while X_b is in cache), each worker thread summing its own partial result.  The thread
pool and the BLAS thread limit are shared with the other one-pass loops of the package.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp
from threadpoolctl import ThreadpoolController

__all__ = [
    "BLOCK_BYTES",
    "BlockedData",
    "blas_controller",
    "csr_rows",
    "default_engine",
    "fused_supported",
    "kernel_module",
    "n_workers",
    "pool",
    "shifted",
]

#: Target bytes of X per row block: small enough to stay in L2/L3 between the
#: forward and the backward product.
BLOCK_BYTES = 1 << 20

_POOL: ThreadPoolExecutor | None = None


def n_workers():
    n = os.cpu_count() or 1
    env = os.environ.get("LOGREG_NUM_THREADS")
    if env:
        n = max(1, int(env))
    return n


def pool():
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=n_workers(), thread_name_prefix="logreg")
    return _POOL


_BLAS: ThreadpoolController | None = None


def blas_controller():
    # threadpool_limits() rescans every loaded shared library on each call (~10 ms with numba
    # loaded), which dominated evaluations on small data; one scan, reused, limits in ~30 us
    global _BLAS
    if _BLAS is None:
        _BLAS = ThreadpoolController()
    return _BLAS


def kernel_module():
    """:mod:`logreg.kernels`, imported on first use (numba costs ~1 s to import)."""
    return importlib.import_module("logreg.kernels")


def fused_supported(X):
    """True when the fused kernels can run on X without a copy (and numba is installed)."""
    if importlib.util.find_spec("numba") is None:
        return False
    if X.dtype not in (np.float32, np.float64):
        return False
    if sp.issparse(X):
        return X.format == "csr"
    return X.ndim == 2 and X.flags.c_contiguous


def default_engine(X):
    # dense: the fused row loop reads X once (~2x the graph's BLAS pair).  CSR:
    # scipy's matvec and transposed matvec on row blocks measured faster than
    # the fused gather/scatter loop (20 vs 38 ms per evaluation on 100k x 50k,
    # 80 non-zeros a row), so sparse data stay on the graph path
    return "fused" if fused_supported(X) and not sp.issparse(X) else "graph"


class BlockedData:
    """X, y and normalised weights, cut into row blocks for one-pass sweeps.

    Parameters
    ----------
    X : ndarray or scipy.sparse.csr_matrix of shape (n, d)
    y : ndarray of shape (n,)
    sample_weight : ndarray of shape (n,) or None
    block_rows : int, optional
        Rows per block; by default about :data:`BLOCK_BYTES` of X.
    n_threads : int, optional
        Worker threads; by default the number of cores.
    weight_sum : float, optional
        The S that weights are divided by; by default this data's own (n, or
        the sum of sample_weight).  A chunk of a larger data set passes the
        global S, so that the chunks' partial sums add up to the global
        objective (:mod:`logreg.distributed`).
    offset : ndarray of shape (n,) or (n, K) or None
        A known term added to each row's linear predictor, z = X w + b + offset
        (glum's and statsmodels' ``offset``); kept in float64.
    """

    def __init__(self, X, y, sample_weight=None, *, block_rows=None, n_threads=None, weight_sum=None, offset=None):
        self.X = X
        self.y = y
        self.o = None if offset is None else np.asarray(offset, dtype=np.float64)
        n, d = X.shape
        self.n_samples, self.n_features = n, d
        self.sparse = sp.issparse(X)
        if sample_weight is None:
            self.weight_sum = float(n) if weight_sum is None else float(weight_sum)
            self.s = None  # uniform 1/S, applied as a scalar
        else:
            sw = np.asarray(sample_weight, dtype=np.float64)
            self.weight_sum = float(sw.sum()) if weight_sum is None else float(weight_sum)
            # a row sample may hold only rows of zero weight: it then has no mean, and no rows that count
            s = sw / self.weight_sum if self.weight_sum > 0 else np.zeros_like(sw)
            self.s = s  # float64 whatever X is: rounding weights to float32 would move the optimum (~1e-8)
        self.dtype = X.dtype
        if block_rows is None:
            if self.sparse:
                # sparse products are streaming already; blocks only share work
                block_rows = max(1, -(-n // max(1, n_workers() if X.nnz >= (1 << 18) else 1)))
            else:
                block_rows = max(64, BLOCK_BYTES // max(1, d * X.dtype.itemsize))
        self.block_rows = int(block_rows)
        if n_threads is None:
            # handing work to a thread costs ~10-50 us; below ~256k numbers
            # (about 0.1 ms of reading) one thread is faster
            size = X.nnz if self.sparse else n * d
            n_threads = n_workers() if size >= (1 << 18) else 1
        self.n_threads = int(n_threads)
        blocks = [(a, min(a + self.block_rows, n)) for a in range(0, n, self.block_rows)]
        # contiguous runs of blocks per worker keep each worker's reads sequential
        k = max(1, min(self.n_threads, len(blocks)))
        cuts = np.linspace(0, len(blocks), k + 1).astype(int)
        self.work = [blocks[a:b] for a, b in zip(cuts[:-1], cuts[1:], strict=True) if b > a]
        if self.sparse:
            # slicing CSR copies; cut each worker's rows once, up front, as views
            self._sparse_parts = {blk: csr_rows(X, *blk) for run in self.work for blk in run}

    @property
    def ranges(self):
        """Contiguous row ranges (start, stop) for the workers: four per worker
        when there are several, so that a worker slowed by another process
        does not hold up the sum (measured 31 vs 34 ms on 1e6 x 100)."""
        spans = [(run[0][0], run[-1][1]) for run in self.work]
        if len(spans) == 1:
            return spans
        out = []
        for a, b in spans:
            cuts = np.linspace(a, b, 5).astype(int)
            out += [(int(u), int(v)) for u, v in zip(cuts[:-1], cuts[1:], strict=True) if v > u]
        return out

    def kernel_offset(self):
        """The offset as the fused kernels take it: empty when there is none."""
        return np.empty(0, dtype=np.float64) if self.o is None else self.o

    def offsets(self, rows):
        """The offsets of ``rows`` (a slice or an index array), or 0.0 when there are none."""
        return 0.0 if self.o is None else self.o[rows]

    def kernel_weights(self):
        """``(s, s0)`` as the fused kernels take them: s empty when uniform."""
        if self.s is None:
            return np.empty(0, dtype=np.float64), 1.0 / self.weight_sum
        return self.s.astype(np.float64, copy=False), 0.0

    def sweep_ranges(self, fn):
        """Run ``fn(start, stop) -> tuple`` once per worker range and sum the tuples."""
        ranges = self.ranges
        if len(ranges) == 1:
            return fn(*ranges[0])
        parts = list(pool().map(lambda r: fn(*r), ranges))
        acc = parts[0]
        for p in parts[1:]:
            acc = tuple(u + v for u, v in zip(acc, p, strict=True))
        return acc

    def stride_for(self, max_rows):
        """Row stride that keeps about ``max_rows`` rows (1: all rows)."""
        if max_rows is None or self.n_samples <= 2 * max_rows:
            return 1
        return self.n_samples // int(max_rows)

    def sweep_rows(self, fn, stride=1, offset=0, take=None):
        """Run ``fn(rows, X_rows) -> tuple`` over all rows, or every ``stride``-th row
        starting at row ``offset mod stride``.

        ``rows`` is a slice (all rows, block by block) or an index array (a
        chunk of the evenly spaced sample, gathered into a small contiguous
        copy by ``take(rows)``, by default ``X[rows]``, so the sample costs a
        fraction of a pass); the tuples are summed.
        """
        if stride == 1:
            return self.sweep(lambda a, b, Xb: fn(slice(a, b), Xb))
        sample = np.arange(offset % stride, self.n_samples, stride)
        chunk = max(64, self.block_rows)
        chunks = [sample[k : k + chunk] for k in range(0, sample.size, chunk)]
        k = max(1, min(self.n_threads, len(chunks)))
        cuts = np.linspace(0, len(chunks), k + 1).astype(int)
        runs = [chunks[a:b] for a, b in zip(cuts[:-1], cuts[1:], strict=True)]

        take = (lambda idx: self.X[idx]) if take is None else take

        def run(idx_list):
            acc = None
            for idx in idx_list:
                out = fn(idx, take(idx))
                acc = out if acc is None else tuple(u + v for u, v in zip(acc, out, strict=True))
            return acc

        if len(runs) == 1:
            return run(runs[0])
        with blas_controller().limit(limits=1, user_api="blas"):
            parts = list(pool().map(run, runs))
        acc = parts[0]
        for p in parts[1:]:
            acc = tuple(u + v for u, v in zip(acc, p, strict=True))
        return acc

    def gather(self, rows, dtype=None):
        """Rows ``rows`` (an index array) of X as a new contiguous array, in ``dtype`` if given.

        Another dtype is written straight by a numba gather (no intermediate
        copy in X's dtype; values beyond its range become inf), so it needs a
        dense X the fused kernels can read.
        """
        if dtype is None or np.dtype(dtype) == self.dtype:
            return self.X[rows]
        if not fused_supported(self.X) or self.sparse:
            raise ValueError("a gather into another dtype needs a C-contiguous dense float X and numba")
        out = np.empty((rows.size, self.n_features), dtype=dtype)
        kernel_module().dense_take(self.X, rows, out)
        return out

    def take(self, rows, dtype=None):
        """X, y, weights and offsets of ``rows`` (an index array) as new arrays: ``(X, y, weights,
        offset)``, weights None when uniform, offset None when there is none, X in ``dtype`` if
        given (:meth:`gather`).  Only for small samples: it copies those rows."""
        return (
            self.gather(rows, dtype),
            self.y[rows],
            None if self.s is None else self.s[rows],
            None if self.o is None else self.o[rows],
        )

    def sample_rows(self, max_rows):
        """About ``max_rows`` evenly spaced row indices (every row when n is at most that)."""
        stride = max(1, self.n_samples // max(1, int(max_rows)))
        return np.arange(stride // 2, self.n_samples, stride)

    def positive_counts(self, n_classes):
        """Rows of positive weight in each class, shape (n_classes,)."""
        y = np.asarray(self.y).astype(np.intp, copy=False)
        if self.s is not None:
            y = y[self.s > 0]
        return np.bincount(y, minlength=n_classes)[:n_classes]

    def weights_at(self, rows):
        """Normalised weights of the rows in slice ``rows`` (a scalar when uniform)."""
        if self.s is None:
            return 1.0 / self.weight_sum
        return self.s[rows]

    def block(self, a, b):
        if self.sparse:
            return self._sparse_parts[(a, b)]
        return self.X[a:b]

    def weights(self, a, b):
        if self.s is None:
            return 1.0 / self.weight_sum
        return self.s[a:b]

    def sweep(self, fn):
        """Run ``fn(a, b, X_b) -> tuple`` over all blocks and sum the tuples."""

        def run(blocks):
            acc = None
            for a, b in blocks:
                out = fn(a, b, self.block(a, b))
                acc = out if acc is None else tuple(u + v for u, v in zip(acc, out, strict=True))
            return acc

        if len(self.work) == 1:
            return run(self.work[0])
        # BLAS threads would fight the worker threads over the same cores
        with blas_controller().limit(limits=1, user_api="blas"):
            parts = list(pool().map(run, self.work))
        acc = parts[0]
        for p in parts[1:]:
            acc = tuple(u + v for u, v in zip(acc, p, strict=True))
        return acc


def csr_rows(X, a, b):
    """Rows a:b of a CSR matrix without copying data or indices."""
    lo, hi = X.indptr[a], X.indptr[b]
    return sp.csr_matrix(
        (X.data[lo:hi], X.indices[lo:hi], X.indptr[a : b + 1] - lo),
        shape=(b - a, X.shape[1]),
        copy=False,
    )


def shifted(z, data, rows):
    """z plus the offsets of ``rows`` (a slice or an index array), z itself when there are none."""
    return z if data.o is None else z + data.o[rows]
