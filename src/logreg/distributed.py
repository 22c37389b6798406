"""Logistic regression on a Dask cluster: the same per-block code on every chunk.

X is a dask array cut into row chunks (dense numpy or scipy.sparse CSR
chunks).  Each chunk is loaded once into the memory of the worker that holds
it and wrapped as an ordinary in-memory data term,
:class:`~logreg.objective.BinaryLogistic` or
:class:`~logreg.objective.MultinomialLogistic`, whose weights are divided by
the *global* S = sum_i s_i (the ``weight_sum=`` hook of those classes)::

    D(theta) = sum_c D_c(theta),   D_c(theta) = sum_{i in c} (s_i / S) l_i(theta)

and likewise for the gradient, Hessian-vector product, Hessian and its
diagonal: the chunks' partial results add up to the global ones.  Each
evaluation sends only theta: one graph of one small task per chunk (run where
the chunk lives) and a tree sum of the partial results, gathered in one round
trip.  :class:`DaskLogistic` has the interface the solvers use, so the solvers
run unchanged.

Works with dask's local schedulers (the chunks are then held in this
process's memory, as ``X.persist()`` would) and with a
``distributed.Client`` (the chunks stay on the workers; only parameters and
partial sums travel).

What differs from an in-memory fit
----------------------------------
* Rounding: the sums run in another order (chunk by chunk, then a tree), so
  results agree with the in-memory fit to rounding (~1e-13 relative), not
  bit for bit.
* The sub-sampled Newton Hessian (``hessian(theta, max_rows)``, used by
  'newton' and 'cd' when n is large) samples every chunk in proportion to its
  rows and weights each chunk's estimate by its share of the weight: a
  stratified sample of about ``max_rows`` rows, not the same rows as in memory.
  The gradient stays exact, so the optimum is the same.
* ``LogisticRegression.fit`` computes the inference statistics for
  ``summary()`` distributed (one extra pass, when cheap as in memory), but does
  not run :mod:`logreg.diagnostics` (separation, collinear and badly scaled
  columns need samples of X on the client): ``_diagnostics_`` is None.
"""

from __future__ import annotations

import copy
import functools
import math
import sys
from dataclasses import dataclass

import dask
import dask.array as da
import numpy as np
import scipy.sparse as sp

from ._validation import check_class_totals, check_class_weight
from .objective import make_datafit

__all__ = [
    "DaskLogistic",
    "DaskRows",
    "DataSummary",
    "check_dask_inputs",
    "check_summary",
    "make_dask_datafit",
    "predict_blocks",
    "prepare_fit",
]

#: Partial results summed per task of the tree reduction.
SPLIT_EVERY = 8


# --------------------------------------------------------------------------- scheduling
def _current_client(client=None):
    """The distributed Client that dask would use now, or None for a local scheduler."""
    if client is not None:
        return client
    if "distributed" not in sys.modules and dask.config.get("scheduler", None) is None:
        # no Client can exist before distributed is imported; skip its ~0.5 s import
        return None
    sched = dask.base.get_scheduler()
    owner = getattr(sched, "__self__", None)
    return owner if type(owner).__name__ == "Client" else None


def _add(*parts):
    """Sum partial results: floats, arrays, or tuples of them (element by element)."""
    acc = parts[0]
    for p in parts[1:]:
        acc = tuple(u + v for u, v in zip(acc, p, strict=True)) if isinstance(acc, tuple) else acc + p
    return acc


def _tree(parts, fn, split_every=SPLIT_EVERY):
    """Delayed tree reduction of ``parts`` with ``fn(*group)``: depth log_k(n_chunks)."""
    parts = list(parts)
    while len(parts) > 1:
        parts = [dask.delayed(fn, pure=False)(*parts[i : i + split_every]) for i in range(0, len(parts), split_every)]
    return parts[0]


def _call(part, method, *args):
    # runs on the worker holding ``part``
    return getattr(part, method)(*args)


class _Runner:
    """Runs graphs on the persisted chunks: through a Client, or a local scheduler.

    Parameters
    ----------
    client : distributed.Client or None
    """

    def __init__(self, client=None):
        self.client = _current_client(client)
        # fixed at construction: objects held in this process must not be shipped to a
        # Client started later, and futures need their own Client
        self.scheduler = self.client if self.client is not None else (dask.config.get("scheduler", None) or "threads")

    def compute(self, *graphs):
        return dask.compute(*graphs, scheduler=self.scheduler)

    def persist(self, objs):
        """Compute delayed objects and keep them: futures on the workers, or objects here."""
        if self.client is not None:
            from distributed import wait

            futures = self.client.compute(list(objs))
            wait(futures)
            for f in futures:
                if f.status == "error":
                    f.result()  # raise the first failure here, not at the first evaluation
            return futures
        return list(self.compute(*objs)) if objs else []

    def map_reduce(self, parts, method, *args):
        """``sum_c getattr(part_c, method)(*args)`` in one graph and one round trip."""
        if not parts:
            raise RuntimeError("this distributed data term was released (release()); build a new one")
        # one key per array argument: sent to the scheduler once, not once per chunk
        args = [dask.delayed(a, pure=True) if isinstance(a, np.ndarray) else a for a in args]
        tasks = [dask.delayed(_call, pure=False)(p, method, *args) for p in parts]
        return self.compute(_tree(tasks, _add))[0]


# --------------------------------------------------------------------------- chunks
def _as_block(Xb):
    """A chunk of X as a C-contiguous ndarray or a CSR matrix (the data term's formats)."""
    if sp.issparse(Xb):
        return Xb.tocsr()
    if hasattr(Xb, "to_scipy_sparse"):  # pydata/sparse COO chunks
        return Xb.to_scipy_sparse().tocsr()
    return np.ascontiguousarray(Xb)


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


def _merge_summaries(*parts):
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


class _Chunk:
    """One row chunk as loaded on its worker: X_c, labels, raw weights, and its summary."""

    def __init__(self, Xb, yb, swb):
        self.X = _as_block(Xb)
        self.y = np.asarray(yb).ravel()
        self.sw = None if swb is None else np.asarray(swb, dtype=np.float64).ravel()
        if self.X.shape[0] != self.y.shape[0] or (self.sw is not None and self.sw.shape[0] != self.y.shape[0]):
            raise ValueError(
                f"a chunk of X has {self.X.shape[0]} rows but y (or sample_weight) has {self.y.shape[0]}: "
                "X, y and sample_weight need the same row chunks"
            )
        values = self.X.data if sp.issparse(self.X) else self.X
        nan = np.isnan(values)
        sw = self.sw
        self.summary = DataSummary(
            self.X.shape[0],
            sp.issparse(self.X),
            int(np.count_nonzero(nan)),
            int(values.size - np.count_nonzero(np.isfinite(values)) - np.count_nonzero(nan)),
            0 if sw is None else int(sw.size - np.count_nonzero(np.isfinite(sw))),
            0 if sw is None else int(np.count_nonzero(sw < 0)),
            *_label_stats(self.y, sw),
        )

    def term(self, classes, class_weight, uniform, weight_sum, fit_intercept, options):
        """The chunk's data term once the global classes and S are known."""
        return _ChunkTerm(self, classes, class_weight, uniform, weight_sum, fit_intercept, options)


def _summary_of(chunk):
    return chunk.summary


def _make_term(chunk, *args):
    return chunk.term(*args)


class _ChunkTerm:
    """A chunk's in-memory data term (weights over the global S) and what the statistics need.

    Parameters
    ----------
    chunk : _Chunk
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
            **options,
        )

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

    def linear_predictor(self, theta):
        return self.datafit.linear_predictor(theta)

    def in_float64(self):
        """This chunk's term computed in float64 arithmetic (X shared)."""
        out = copy.copy(self)
        out.datafit = self.datafit.in_float64()
        return out

    def sample(self, max_rows, n_total):
        """This chunk's part of an evenly spaced row sample of about ``max_rows`` rows in all:
        ``(X_rows, codes, raw weights or None)``, in proportion to its rows."""
        rows = max(1, math.ceil(max_rows * self.n_samples / n_total))
        stride = max(1, self.n_samples // rows)
        idx = np.arange(stride // 2, self.n_samples, stride)
        sw = None if self.raw_weight is None else self.raw_weight[idx]
        return self.datafit.data.gather(idx), self.codes[idx], sw

    def statistics(self, coef, intercept, fit_intercept):
        """Additive parts of :class:`logreg.stats.FitStatistics` for this chunk."""
        from .stats import compute_statistics

        st = compute_statistics(
            self.datafit.data.X,
            self.codes,
            self.datafit.n_classes,
            self.raw_weight,
            coef,
            intercept,
            fit_intercept,
        )
        meat_prob = st.meat if st.meat_prob is None else st.meat_prob
        return st.weight_sum, st.n_rows, int(not st.unit_weights), st.log_likelihood, st.fisher, st.meat, meat_prob


# --------------------------------------------------------------------------- input checks
def _as_dask_rows(v, X, name):
    """y or sample_weight as a 1-D dask array with X's row chunks."""
    if dask.is_dask_collection(v) and not isinstance(v, da.Array):
        # np.asarray would compute a dask Series on the client, whole
        raise TypeError(
            f"{name} is a {type(v).__name__}; pass a dask array with X's rows: "
            f"{name} = series.to_dask_array(lengths=True), or convert X and {name} together "
            "(df[columns].to_dask_array(lengths=True)) so that they share their row chunks"
        )
    if isinstance(v, da.Array):
        if v.ndim == 2 and v.shape[1] == 1:
            v = v[:, 0]
        if v.ndim != 1:
            raise ValueError(f"{name} must be 1-D, shape (n_samples,), got shape {v.shape}: pass one value per row")
        if any(math.isnan(c) for c in v.chunks[0]):
            raise ValueError(f"{name} has unknown chunk sizes; call {name}.compute_chunk_sizes() first")
    else:
        v = np.asarray(v)
        if v.ndim == 2 and v.shape[1] == 1:
            v = v[:, 0]
        if v.ndim != 1:
            raise ValueError(f"{name} must be 1-D, shape (n_samples,), got shape {v.shape}: pass one value per row")
    if v.shape[0] != X.shape[0]:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: X has {X.shape[0]} rows but {name} has "
            f"{v.shape[0]}. X, y and sample_weight need one entry per row: check that they come from the same rows."
        )
    if isinstance(v, da.Array):
        return v if v.chunks[0] == X.chunks[0] else v.rechunk((X.chunks[0],))
    return da.from_array(v, chunks=(X.chunks[0],))


def check_dask_inputs(X, y, sample_weight=None):
    """Check shapes and dtypes (reads no data); return X, y, sample_weight with X's row chunks.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
        Dense or scipy.sparse chunks; integer and boolean X become float64,
        float32 stays float32.  Column chunks are merged (rows must be whole).
    y : dask.array.Array or array-like of shape (n_samples,)
    sample_weight : dask.array.Array, array-like of shape (n_samples,), float or None

    Returns
    -------
    X : dask.array.Array of shape (n_samples, n_features), float32 or float64, one column chunk
    y : dask.array.Array of shape (n_samples,)
    sample_weight : dask.array.Array of shape (n_samples,) or None
    """
    if not isinstance(X, da.Array):
        raise TypeError(
            f"X is a {type(X).__name__}; logreg takes dask arrays: convert a dask DataFrame with "
            "X = df[columns].to_dask_array(lengths=True)"
        )
    if X.ndim != 2:
        raise ValueError(
            f"X must be 2-D, (n_samples, n_features), got shape {X.shape}: use X.reshape(-1, 1) for one feature"
        )
    if any(math.isnan(c) for c in X.chunks[0]):
        raise ValueError(
            "X has unknown chunk sizes (as from a dask DataFrame); call X.compute_chunk_sizes(), "
            "or convert with df.to_dask_array(lengths=True)"
        )
    if X.shape[0] == 0:
        raise ValueError("Found array with 0 sample(s); X is empty: pass at least one row per class.")
    if X.shape[1] == 0:
        raise ValueError("Found array with 0 feature(s); X has no columns: pass at least one feature column.")
    kind = np.dtype(X.dtype).kind
    if kind == "c":
        raise ValueError("Complex data not supported; pass real numbers: e.g. X.real.")
    if kind not in "fiub":
        raise ValueError(
            f"X has dtype {X.dtype}; X must be numeric: one-hot encode text columns before converting to a dask array"
        )
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})
    y = _as_dask_rows(y, X, "y")
    if sample_weight is not None:
        if not isinstance(sample_weight, da.Array) and np.ndim(sample_weight) == 0:
            sample_weight = da.full(X.shape[0], float(sample_weight), chunks=(X.chunks[0],))
        sample_weight = _as_dask_rows(sample_weight, X, "sample_weight")
        if np.dtype(sample_weight.dtype).kind not in "fiub":
            raise ValueError(f"sample_weight has dtype {sample_weight.dtype}; pass numbers, one weight per row")
    return X, y, sample_weight


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


# --------------------------------------------------------------------------- the data term
class DaskRows:
    """X, y and weights of a dask data set, loaded into worker memory in one pass that also checks them.

    Each row chunk is read once, kept in memory where it was computed (a
    future on a ``distributed`` worker, or an object in this process with a
    local scheduler) and summarised: NaN / infinite entries, labels with their
    counts and weight sums.  :meth:`datafit` then builds the data term on the
    same chunks without reading X again.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
    y : dask.array.Array or array-like of shape (n_samples,)
    sample_weight : dask.array.Array or array-like of shape (n_samples,), optional
    client : distributed.Client, optional
        By default the Client dask would use now, else a local scheduler.

    Attributes
    ----------
    X : dask.array.Array
        The checked X (float, one column chunk).
    summary : DataSummary
    n_chunks : int
    chunk_rows : list of int
        Rows per non-empty chunk (empty chunks are dropped).
    """

    def __init__(self, X, y, sample_weight=None, *, client=None):
        X, y, sample_weight = check_dask_inputs(X, y, sample_weight)
        self.X = X
        self.n_features = int(X.shape[1])
        self.dtype = np.dtype(X.dtype)
        self._runner = _Runner(client)
        xs = X.to_delayed().ravel()
        ys = y.to_delayed().ravel()
        ss = [None] * len(xs) if sample_weight is None else sample_weight.to_delayed().ravel()
        # empty chunks (e.g. after filtering) have nothing to add
        keep = [i for i, n in enumerate(X.chunks[0]) if n > 0]
        loads = [dask.delayed(_Chunk, pure=False)(xs[i], ys[i], ss[i]) for i in keep]
        self.chunk_rows = [int(X.chunks[0][i]) for i in keep]
        summary = _tree([dask.delayed(_summary_of)(c) for c in loads], _merge_summaries)
        if self._runner.client is not None:
            futures = self._runner.client.compute([*loads, summary])
            self._chunks, self.summary = futures[:-1], futures[-1].result()
        else:
            self._chunks, self.summary = self._runner.compute(loads, summary)
            self._chunks = list(self._chunks)
        self.n_chunks = len(self._chunks)

    def datafit(self, classes, *, class_weight=None, fit_intercept=True, **options):
        """The distributed data term for labels ``classes`` (y's values are mapped to their positions).

        Parameters
        ----------
        classes : ndarray of shape (n_classes,)
            Sorted labels; every value of y must be one of them.
        class_weight : ndarray of shape (n_classes,), optional
            Multiplies the sample weights, per class.
        fit_intercept : bool, default=True
        **options
            For the chunks' :func:`logreg.objective.make_datafit` (``engine``,
            ``block_rows``, ``n_threads``; by default one thread per chunk:
            dask runs the chunks in parallel).

        Returns
        -------
        DaskLogistic
        """
        classes = np.asarray(classes)
        s = self.summary
        pos = np.searchsorted(classes, s.labels)
        pos = np.minimum(pos, classes.size - 1)
        if np.any(classes[pos] != s.labels):
            missing = s.labels[classes[pos] != s.labels]
            raise ValueError(f"y has labels not among the classes {classes.tolist()}: {missing[:5].tolist()}")
        cw = np.ones(classes.size) if class_weight is None else np.asarray(class_weight, dtype=np.float64)
        # per-class weight statistics of the effective weights sw * cw[class]
        wsum = np.zeros(classes.size)
        np.add.at(wsum, pos, s.weight_sums)
        eff_min = float(np.min(cw[pos] * s.weight_min))
        eff_max = float(np.max(cw[pos] * s.weight_max))
        weight_sum = float(cw @ wsum)
        check_class_totals(classes, cw * wsum)
        if not weight_sum > 0:
            raise ValueError("sample weights sum to zero; at least one row needs a positive weight")
        uniform = eff_min == eff_max
        # uniform weights leave the data term at (1/n) sum l_i, as in memory; the penalty still takes S
        divisor = float(s.n_samples) if uniform else weight_sum
        options = {"n_threads": 1, **options}
        build = [
            dask.delayed(_make_term, pure=False)(
                c, classes, None if class_weight is None else cw, uniform, divisor, fit_intercept, options
            )
            for c in self._chunks
        ]
        parts = self._runner.persist(build)
        return DaskLogistic(
            parts,
            self._runner,
            n_classes=classes.size,
            n_samples=s.n_samples,
            n_features=self.n_features,
            dtype=self.dtype,
            sparse=s.sparse,
            weight_sum=divisor,
            total_weight=weight_sum,
            fit_intercept=fit_intercept,
            class_weight_sums=cw * wsum,
            chunk_rows=self.chunk_rows,
        )


@dataclass
class _DataInfo:
    """Sizes of the distributed rows, as :class:`DaskLogistic` reports them (its n_samples, dtype,
    weight sum, and the sample stride of its Hessian)."""

    n_samples: int
    n_features: int
    weight_sum: float
    dtype: np.dtype
    sparse: bool

    def stride_for(self, max_rows):
        """Row stride of a sample of about ``max_rows`` rows (1: all rows), as in memory."""
        if max_rows is None or self.n_samples <= 2 * max_rows:
            return 1
        return self.n_samples // int(max_rows)


class DaskLogistic:
    """Distributed data term: the chunks' in-memory data terms, summed.

    Has the interface of :class:`logreg.objective.BinaryLogistic` /
    :class:`~logreg.objective.MultinomialLogistic` that the solvers use
    (``n_params``, ``n_features``, ``n_classes``, ``fit_intercept``,
    ``weight_sum``, ``data.n_samples``, ``split``, ``join``, ``coef_mask``,
    ``value``, ``value_and_grad``, ``hessp``, ``hessian``, ``hessian_diag``,
    ``linear_predictor``); every evaluation is one round trip.  Build it with
    :meth:`DaskRows.datafit` or :func:`make_dask_datafit`.

    Attributes
    ----------
    total_weight : float
        S, the sum of the (class-)weighted sample weights: the penalty's scale.
    class_weight_sums : ndarray of shape (n_classes,)
        S_k, the weight of each class.
    n_chunks : int
    chunk_rows : list of int
        Rows per (non-empty) chunk.
    """

    column_access = False

    def columns(self):
        """None: the chunks' columns are not gathered (column-wise descent does not apply)."""
        return None

    def __init__(
        self,
        parts,
        runner,
        *,
        n_classes,
        n_samples,
        n_features,
        dtype,
        sparse,
        weight_sum,
        total_weight,
        fit_intercept,
        class_weight_sums,
        chunk_rows,
    ):
        self._parts = parts
        self.chunk_rows = list(chunk_rows)
        self._runner = runner
        self.n_classes = int(n_classes)
        self.n_features = int(n_features)
        self.fit_intercept = bool(fit_intercept)
        self.data = _DataInfo(int(n_samples), self.n_features, float(weight_sum), np.dtype(dtype), bool(sparse))
        self.total_weight = float(total_weight)
        self.class_weight_sums = np.asarray(class_weight_sums, dtype=np.float64)
        # the parameter layout is the in-memory one: borrow it from an empty in-memory term
        self._layout = make_datafit(
            np.empty((0, self.n_features), dtype=dtype),
            np.empty(0, dtype=np.intp),
            self.n_classes,
            fit_intercept=self.fit_intercept,
        )
        self.n_params = self._layout.n_params
        self.n_chunks = len(parts)

    @property
    def weight_sum(self):
        """The divisor of the data term: n with uniform weights, else S."""
        return self.data.weight_sum

    @property
    def n_samples(self):
        return self.data.n_samples

    @property
    def dtype(self):
        """X's dtype (float32 or float64)."""
        return self.data.dtype

    _arithmetic = None

    @property
    def precision(self):
        """The dtype of the chunks' arithmetic (see :meth:`in_float64`)."""
        return self._arithmetic or self.data.dtype

    def in_float64(self):
        """The same distributed term with every chunk computed in float64 arithmetic, as
        :meth:`logreg.objective.BinaryLogistic.in_float64` (the chunks stay where they are)."""
        if not self._parts:
            raise RuntimeError("this distributed data term was released (release()); build a new one")
        out = copy.copy(self)
        out._parts = self._runner.persist([dask.delayed(_call, pure=False)(p, "in_float64") for p in self._parts])
        out._arithmetic = np.dtype(np.float64)
        return out

    def sample(self, max_rows, compact=False):
        """An in-memory data term on about ``max_rows`` evenly spaced rows, drawn from every
        chunk in proportion to its rows and gathered here (``compact``: in float32 where the
        in-memory term allows, as :meth:`logreg.objective.BinaryLogistic.sample`).

        Returns
        -------
        logreg.objective.BinaryLogistic or MultinomialLogistic
        """
        if not self._parts:
            raise RuntimeError("this distributed data term was released (release()); build a new one")
        tasks = [dask.delayed(_call, pure=False)(p, "sample", int(max_rows), self.data.n_samples) for p in self._parts]
        parts = self._runner.compute(*tasks)
        Xs = [p[0] for p in parts]
        X = sp.vstack(Xs, format="csr") if any(sp.issparse(x) for x in Xs) else np.concatenate(Xs)
        y = np.concatenate([p[1] for p in parts])
        weights = None if parts[0][2] is None else np.concatenate([p[2] for p in parts])
        term = make_datafit(X, y, self.n_classes, weights, fit_intercept=self.fit_intercept)
        # the in-memory term's own compact copy, if it takes one (float32 for the fused engine)
        return term.sample(X.shape[0], compact) if compact else term

    @property
    def client(self):
        """The distributed Client running the evaluations, or None (local scheduler)."""
        return self._runner.client

    def split(self, theta):
        """``(w, b)`` for two classes, ``(W, b)`` with W of shape (K, d) for K >= 3."""
        return self._layout.split(theta)

    def join(self, w, b):
        """Inverse of :meth:`split`: theta of shape (n_params,)."""
        return self._layout.join(w, b)

    def coef_mask(self):
        """Boolean mask of the penalised entries of theta (coefficients, not intercepts)."""
        return self._layout.coef_mask()

    def invariant_basis(self, coef=False):
        """As the in-memory data term: directions of theta that leave the softmax unchanged."""
        return self._layout.invariant_basis(coef)

    def value(self, theta):
        """D(theta), float."""
        return float(self._runner.map_reduce(self._parts, "value", np.asarray(theta, dtype=np.float64)))

    def value_and_grad(self, theta):
        """D(theta) and its gradient, one pass over every chunk.

        Returns
        -------
        value : float
        grad : ndarray of shape (n_params,), float64
        """
        f, g = self._runner.map_reduce(self._parts, "value_and_grad", np.asarray(theta, dtype=np.float64))
        return float(f), g

    def grad(self, theta):
        return self.value_and_grad(theta)[1]

    def hessp(self, theta, v):
        """Hessian of D at theta times v, shape (n_params,)."""
        th = np.asarray(theta, dtype=np.float64)
        return self._runner.map_reduce(self._parts, "hessp", th, np.asarray(v, dtype=np.float64))

    def hessian_diag(self, theta):
        """Diagonal of the Hessian of D, shape (n_params,)."""
        return self._runner.map_reduce(self._parts, "hessian_diag", np.asarray(theta, dtype=np.float64))

    def hessian(self, theta, max_rows=None, offset=0):
        """Hessian of D, shape (n_params, n_params).

        Parameters
        ----------
        theta : ndarray of shape (n_params,)
        max_rows : int, optional
            Estimate it from about this many rows: each chunk samples evenly
            spaced rows in proportion to its size (a stratified sample).  Exact
            when None or when n is small.
        offset : int, default=0
            Which of the evenly spaced samples each chunk takes, as in memory.
        """
        if self.data.stride_for(max_rows) == 1:
            max_rows = None
        th = np.asarray(theta, dtype=np.float64)
        return self._runner.map_reduce(self._parts, "hessian", th, max_rows, self.data.n_samples, offset)

    def linear_predictor(self, theta):
        """z = X w + b on the persisted chunks, lazily.

        Returns
        -------
        dask.array.Array of shape (n_samples,) for two classes, else (n_samples, n_classes)
        """
        th = dask.delayed(np.asarray(theta, dtype=np.float64), pure=True)
        binary = self.n_classes == 2
        dtype = self.data.dtype if binary else np.result_type(self.data.dtype, np.float64)
        blocks = [
            da.from_delayed(
                dask.delayed(_call, pure=False)(p, "linear_predictor", th),
                shape=(n,) if binary else (n, self.n_classes),
                dtype=dtype,
            )
            for p, n in zip(self._parts, self.chunk_rows, strict=True)
        ]
        return da.concatenate(blocks)

    def statistics(self, coef, intercept):
        """The inference statistics of :mod:`logreg.stats` at (coef, intercept), one distributed pass.

        Parameters
        ----------
        coef : ndarray of shape (1, n_features) or (n_classes, n_features)
        intercept : ndarray of shape (1,) or (n_classes,)

        Returns
        -------
        logreg.stats.FitStatistics
        """
        from .stats import FitStatistics, _null_log_likelihood, _stats_params

        S, n_rows, non_unit, ll, fisher, meat, meat_prob = self._runner.map_reduce(
            self._parts, "statistics", np.asarray(coef), np.asarray(intercept), self.fit_intercept
        )
        K = self.n_classes
        unit = non_unit == 0
        return FitStatistics(
            n_classes=K,
            fit_intercept=self.fit_intercept,
            n_features=self.n_features,
            weight_sum=float(S),
            n_rows=int(n_rows),
            unit_weights=bool(unit),
            log_likelihood=float(ll),
            # from the global class weights: the chunks' own class shares would give another model
            null_log_likelihood=_null_log_likelihood(np.arange(K), self.class_weight_sums, K),
            params=_stats_params(coef, intercept, K, self.fit_intercept).ravel(),
            fisher=fisher,
            meat=meat,
            meat_prob=None if unit else meat_prob,
        )

    def release(self):
        """Drop the chunks (frees worker memory; the term cannot evaluate afterwards)."""
        self._parts = []


def make_dask_datafit(X, y, n_classes, sample_weight=None, *, fit_intercept=True, client=None, **options):
    """The distributed data term for integer class codes y, as :func:`logreg.objective.make_datafit`.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
        Row chunks of numpy arrays or scipy.sparse matrices.
    y : dask.array.Array or ndarray of shape (n_samples,)
        Integer codes in [0, n_classes).
    n_classes : int
    sample_weight : dask.array.Array or ndarray of shape (n_samples,), optional
    fit_intercept : bool, default=True
    client : distributed.Client, optional
        By default the current Client, else dask's local scheduler.
    **options
        For the chunks' in-memory data terms (``engine``, ``block_rows``, ``n_threads``).

    Returns
    -------
    DaskLogistic
    """
    rows = DaskRows(X, y, sample_weight, client=client)
    check_summary(rows.summary)
    return rows.datafit(np.arange(int(n_classes)), fit_intercept=fit_intercept, **options)


def prepare_fit(X, y, sample_weight=None, *, class_weight=None, fit_intercept=True, client=None):
    """Checks, one pass over the data and the distributed data term, for ``LogisticRegression.fit``.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
    y : dask.array.Array or array-like of shape (n_samples,)
        Labels of any type, two or more classes.
    sample_weight : dask.array.Array, array-like of shape (n_samples,) or None
    class_weight : dict, 'balanced' or None
    fit_intercept : bool
    client : distributed.Client, optional

    Returns
    -------
    datafit : DaskLogistic
    classes : ndarray of shape (n_classes,)
    """
    from sklearn.utils.class_weight import compute_class_weight
    from sklearn.utils.multiclass import check_classification_targets

    rows = DaskRows(X, y, sample_weight, client=client)
    s = rows.summary
    check_summary(s)
    classes = s.labels
    # the labels' type (binary / multiclass / continuous...) is decided by their distinct values
    check_classification_targets(classes)
    if classes.size < 2:
        raise ValueError(
            f"y has one class: {classes[:1].tolist()[0]!r}; logistic regression needs two or more. "
            "Check the target column, or the filter that selected these rows."
        )
    check_class_weight(class_weight)
    cw = None
    if class_weight is not None:
        # 'balanced' is S / (K * S_k) from the weighted class totals, as in memory (scikit-learn >= 1.7):
        # the totals stand in for y (y=classes, one weight each)
        cw = compute_class_weight(class_weight, classes=classes, y=classes, sample_weight=s.weight_sums)
    return rows.datafit(classes, class_weight=cw, fit_intercept=fit_intercept), classes


# --------------------------------------------------------------------------- predictions
def _predict_chunk(model, method, empty, Xb):
    if Xb.shape[0] == 0:  # scikit-learn's checks refuse empty input; an empty chunk has an empty answer
        return empty
    return getattr(model, method)(_as_block(Xb))


def predict_blocks(model, X, method):
    """``model.<method>`` on each row chunk of a dask array, lazily.

    Parameters
    ----------
    model : LogisticRegression
        Fitted.
    X : dask.array.Array of shape (n_samples, n_features)
    method : {'predict', 'predict_proba', 'predict_log_proba', 'decision_function'}

    Returns
    -------
    dask.array.Array of shape (n_samples,) or (n_samples, n_classes)
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model)
    if not isinstance(X, da.Array):
        raise TypeError(f"X is a {type(X).__name__}; pass a dask array (df.to_dask_array(lengths=True))")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, (n_samples, n_features), got shape {X.shape}")
    if X.shape[1] != model.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(model).__name__} is expecting {model.n_features_in_} "
            "features as input. Pass the same feature columns, in the same order, as at fit."
        )
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})
    # the output's dtype and width from one row of zeros, through the same method
    dtype = np.float64 if np.dtype(X.dtype).kind not in "f" else X.dtype
    probe = getattr(model, method)(np.zeros((1, X.shape[1]), dtype=dtype))
    fn = functools.partial(_predict_chunk, model, method, probe[:0])
    if probe.ndim == 1:
        return X.map_blocks(fn, drop_axis=1, dtype=probe.dtype, meta=probe[:0])
    return X.map_blocks(fn, chunks=(X.chunks[0], (probe.shape[1],)), dtype=probe.dtype, meta=probe[:0])
