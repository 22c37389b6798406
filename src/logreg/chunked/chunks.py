"""One row chunk: its rows, what one pass learns about them, and its in-memory data term.

A chunk's data term is :class:`logreg.objective.BinaryLogistic` /
:class:`~logreg.objective.MultinomialLogistic` with its weights divided by the *global*
S = sum_i s_i (the ``weight_sum=`` hook of those classes)::

    D(theta) = sum_c D_c(theta),   D_c(theta) = sum_{i in c} (s_i / S) l_i(theta)

and likewise for the gradient, Hessian-vector product, Hessian and its diagonal: the
chunks' partial results add up to the global ones.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..objective import make_datafit

__all__ = ["Chunk", "ChunkTerm", "DataSummary", "as_block", "check_summary", "label_summary", "merge_summaries"]


def as_block(Xb):
    """A chunk of X as a C-contiguous ndarray or a CSR matrix (the data term's formats)."""
    if sp.issparse(Xb):
        return Xb.tocsr()
    if hasattr(Xb, "to_scipy_sparse"):  # pydata/sparse COO chunks
        return Xb.to_scipy_sparse().tocsr()
    return np.ascontiguousarray(Xb)


def nbytes(*arrays):
    """Bytes held by ndarrays and sparse matrices (None counts 0)."""
    total = 0
    for a in arrays:
        if a is None:
            continue
        if sp.issparse(a):
            total += a.data.nbytes + a.indices.nbytes + a.indptr.nbytes
        else:
            total += np.asarray(a).nbytes
    return total


def _label_stats(yb, sw):
    """Labels of a chunk with their counts and the sum, min and max of their weights."""
    labels, inv, counts = np.unique(yb, return_inverse=True, return_counts=True)
    inv = inv.ravel()
    if sw is None:
        ones = np.ones(labels.size)
        return labels, counts, counts.astype(np.float64), ones, ones
    wsum = np.bincount(inv, weights=sw, minlength=labels.size)
    wmin = np.full(labels.size, np.inf)
    wmax = np.full(labels.size, -np.inf)
    # fmin/fmax skip NaN weights: they are counted, and refused, separately
    np.fmin.at(wmin, inv, sw)
    np.fmax.at(wmax, inv, sw)
    return labels, counts, wsum, wmin, wmax


@dataclass
class DataSummary:
    """What one pass over the chunks learns: sizes, label counts, weights, bad values.

    Attributes
    ----------
    n_samples : int
    sparse : bool
        True when any chunk is sparse.
    x_nan, x_inf : int
        Entries of X that are NaN / infinite.
    w_nonfinite, w_negative : int
        Sample weights that are NaN or infinite / negative.
    labels : ndarray of shape (n_labels,)
        The distinct values of y, sorted (as ``np.unique``).
    counts : ndarray of shape (n_labels,)
        Rows per label.
    weight_sums, weight_min, weight_max : ndarray of shape (n_labels,)
        Sum, smallest and largest sample weight per label (1 without weights).
    """

    n_samples: int
    sparse: bool
    x_nan: int
    x_inf: int
    w_nonfinite: int
    w_negative: int
    labels: np.ndarray
    counts: np.ndarray
    weight_sums: np.ndarray
    weight_min: np.ndarray
    weight_max: np.ndarray


def label_summary(y, sw=None, *, sparse=False, x_nan=0, x_inf=0):
    """The :class:`DataSummary` of labels ``y`` (n,) and weights ``sw`` (n,) or None."""
    y = np.asarray(y).ravel()
    return DataSummary(
        int(y.size),
        bool(sparse),
        int(x_nan),
        int(x_inf),
        0 if sw is None else int(sw.size - np.count_nonzero(np.isfinite(sw))),
        0 if sw is None else int(np.count_nonzero(sw < 0)),
        *_label_stats(y, sw),
    )


def merge_summaries(*parts):
    """Combine chunk summaries; per-label statistics are matched by label."""
    labels, inv = np.unique(np.concatenate([p.labels for p in parts]), return_inverse=True)
    inv = inv.ravel()
    k = labels.size

    def per_label(attr, ufunc, start):
        out = np.full(k, start, dtype=np.float64 if attr != "counts" else np.int64)
        ufunc.at(out, inv, np.concatenate([getattr(p, attr) for p in parts]))
        return out

    return DataSummary(
        n_samples=sum(p.n_samples for p in parts),
        sparse=any(p.sparse for p in parts),
        x_nan=sum(p.x_nan for p in parts),
        x_inf=sum(p.x_inf for p in parts),
        w_nonfinite=sum(p.w_nonfinite for p in parts),
        w_negative=sum(p.w_negative for p in parts),
        labels=labels,
        counts=per_label("counts", np.add, 0),
        weight_sums=per_label("weight_sums", np.add, 0.0),
        weight_min=per_label("weight_min", np.minimum, np.inf),
        weight_max=per_label("weight_max", np.maximum, -np.inf),
    )


def check_summary(summary):
    """Raise on NaN or infinite X, bad weights or too few classes, naming the fix."""
    if summary.x_nan:
        raise ValueError(
            f"Input X contains NaN ({summary.x_nan} entries). Impute them (e.g. a column mean) "
            "or drop those rows, and the same rows of y, first."
        )
    if summary.x_inf:
        raise ValueError(
            f"Input X contains infinity ({summary.x_inf} entries). Replace or drop the infinite values, "
            "and the same rows of y, first (da.isfinite(X).all(axis=1) marks the finite rows)."
        )
    if summary.w_nonfinite:
        raise ValueError(
            f"sample_weight contains NaN or infinity ({summary.w_nonfinite} entries); pass finite weights >= 0"
        )
    if summary.w_negative:
        raise ValueError(
            f"Negative values in data passed to `sample_weight` ({summary.w_negative} entries). Sample weights must be >= 0."
        )


class Chunk:
    """One row chunk as loaded: X_c, labels, raw weights, and (``summarise``) its summary.

    Parameters
    ----------
    Xb : ndarray or sparse matrix of shape (n_c, n_features)
    yb : array-like of shape (n_c,)
    swb : array-like of shape (n_c,) or None
    ob : array-like of shape (n_c,) or (n_c, n_classes), or None
        The rows' offsets (z = X w + b + offset), checked by the data term.
    summarise : bool, default=True
        Count bad values and labels (the first pass); a chunk re-read on a later pass
        has been checked already.
    """

    def __init__(self, Xb, yb, swb, ob=None, *, summarise=True):
        self.X = as_block(Xb)
        self.y = np.asarray(yb).ravel()
        self.sw = None if swb is None else np.asarray(swb, dtype=np.float64).ravel()
        self.offset = None if ob is None else np.asarray(ob, dtype=np.float64)
        if self.X.shape[0] != self.y.shape[0] or (self.sw is not None and self.sw.shape[0] != self.y.shape[0]):
            raise ValueError(
                f"a chunk of X has {self.X.shape[0]} rows but y (or sample_weight) has {self.y.shape[0]}: "
                "X, y and sample_weight need the same row chunks"
            )
        self.summary = None
        if summarise:
            values = self.X.data if sp.issparse(self.X) else self.X
            x_nan = x_inf = 0
            # one read, no temporaries: a finite sum proves every entry finite; otherwise count
            if not np.isfinite(np.sum(values, dtype=np.float64)):
                nan = np.isnan(values)
                x_nan = int(np.count_nonzero(nan))
                x_inf = int(values.size - np.count_nonzero(np.isfinite(values)) - x_nan)
            self.summary = label_summary(self.y, self.sw, sparse=sp.issparse(self.X), x_nan=x_nan, x_inf=x_inf)

    def __sizeof__(self):
        # what dask's scheduler sees (dask.sizeof): a chunk is as heavy as its rows, so tasks
        # on it run where it lives instead of moving it
        return object.__sizeof__(self) + nbytes(self.X, self.y, self.sw)

    def term(self, classes, class_weight, uniform, weight_sum, fit_intercept, options):
        """The chunk's data term once the global classes and S are known."""
        return ChunkTerm(self, classes, class_weight, uniform, weight_sum, fit_intercept, options)


class ChunkTerm:
    """A chunk's in-memory data term (weights over the global S) and what the statistics need.

    Parameters
    ----------
    chunk : Chunk
    classes : ndarray of shape (n_classes,)
        Sorted labels; y's values are mapped to their positions.
    class_weight : ndarray of shape (n_classes,) or None
    uniform : bool
        Every row has the same weight: the data term then takes no weights
        and divides by ``weight_sum`` (as the in-memory fit does with n).
    weight_sum : float
        The global divisor S of the data term.
    fit_intercept : bool
    options : dict
        Passed to :func:`logreg.objective.make_datafit` (e.g. ``n_threads``, ``engine``).
    """

    def __init__(self, chunk, classes, class_weight, uniform, weight_sum, fit_intercept, options):
        K = classes.size
        codes = np.searchsorted(classes, chunk.y)
        bad = (codes >= K) | (classes[np.minimum(codes, K - 1)] != chunk.y)
        if np.any(bad):
            raise ValueError(
                f"y has labels not among the classes {classes.tolist()}, e.g. {chunk.y[bad][0]!r}: "
                "pass y as integer codes in [0, n_classes)"
            )
        sw = chunk.sw
        if class_weight is not None:
            sw = (np.ones(codes.size) if sw is None else sw) * class_weight[codes]
        self.codes = codes
        self.raw_weight = sw  # un-normalised weights, None = all ones (inference statistics)
        self.n_samples = codes.size
        # the chunk's share of the data term's weight (scales its sub-sampled Hessian); uniform
        # weights enter the data term as 1/n whatever their value
        own = float(codes.size) if uniform or sw is None else float(sw.sum())
        self.weight_share = own / weight_sum
        self.datafit = make_datafit(
            chunk.X,
            codes,
            K,
            None if uniform else sw,
            fit_intercept=fit_intercept,
            weight_sum=weight_sum,
            offset=chunk.offset,
            **options,
        )

    def __sizeof__(self):
        # as Chunk.__sizeof__: the bytes a move to another worker would send
        data = self.datafit.data
        return object.__sizeof__(self) + nbytes(data.X, data.s, self.codes, self.raw_weight)

    def value(self, theta):
        return self.datafit.value(theta)

    def value_and_grad(self, theta):
        return self.datafit.value_and_grad(theta)

    def hessp(self, theta, v):
        return self.datafit.hessp(theta, v)

    def hessian_diag(self, theta):
        return self.datafit.hessian_diag(theta)

    def hessian(self, theta, max_rows, n_total, offset=0):
        if max_rows is None:
            return self.datafit.hessian(theta)
        # this chunk's part of the sample, in proportion to its rows
        rows = max(1, math.ceil(max_rows * self.n_samples / n_total))
        H = self.datafit.hessian(theta, max_rows=rows, offset=offset)
        if self.datafit.data.stride_for(rows) > 1:
            # a sampled Hessian is normalised to unit weight; this chunk holds weight_share of it
            H *= self.weight_share
        return H

    def class_counts(self):
        return self.datafit.class_counts()

    def linear_predictor(self, theta):
        return self.datafit.linear_predictor(theta)

    def in_float64(self):
        """This chunk's term computed in float64 arithmetic (X shared)."""
        out = copy.copy(self)
        out.datafit = self.datafit.in_float64()
        return out

    def sample(self, max_rows, n_total):
        """This chunk's part of an evenly spaced row sample of about ``max_rows`` rows in all:
        ``(X_rows, codes, raw weights or None, offsets or None)``, in proportion to its rows."""
        rows = max(1, math.ceil(max_rows * self.n_samples / n_total))
        stride = max(1, self.n_samples // rows)
        idx = np.arange(stride // 2, self.n_samples, stride)
        sw = None if self.raw_weight is None else self.raw_weight[idx]
        o = self.datafit.data.o
        return self.datafit.data.gather(idx), self.codes[idx], sw, (None if o is None else o[idx])

    def statistics(self, coef, intercept, fit_intercept):
        """Additive parts of :class:`logreg.inference.statistics.FitStatistics` for this chunk."""
        from ..blocks import blas_controller
        from ..inference.statistics import compute_statistics

        # small products per chunk: BLAS threads only contend with the chunks computed beside it
        with blas_controller().limit(limits=1, user_api="blas"):
            st = compute_statistics(
                self.datafit.data.X,
                self.codes,
                self.datafit.n_classes,
                self.raw_weight,
                coef,
                intercept,
                fit_intercept,
                offset=self.datafit.data.o,
            )
        meat_prob = st.meat if st.meat_prob is None else st.meat_prob
        return st.weight_sum, st.n_rows, int(not st.unit_weights), st.log_likelihood, st.fisher, st.meat, meat_prob
