"""Dask rows loaded once into worker memory, and the distributed data term on them.

Each row chunk is read once, kept in memory where it was computed (a future on a
``distributed`` worker, or an object in this process with a local scheduler) and
summarised in the same pass; the data term then wraps every chunk as the in-memory
term (:mod:`logreg.chunked`) and each evaluation sends only theta: one task per
worker thread, summing the chunks that worker holds, gathered in one round trip
(:mod:`.runner`).
"""

from __future__ import annotations

import dask
import dask.array as da
import numpy as np

from ..chunked import Chunk, ChunkedLogistic, check_summary, choose_classes, merge_summaries, term_settings
from .inputs import check_dask_inputs, check_dask_offset
from .runner import DaskRunner, call, tree

__all__ = ["DaskLogistic", "DaskRows", "make_dask_datafit", "prepare_fit"]


def _summary_of(chunk):
    return chunk.summary


def _rows_of(chunk):
    return chunk.summary.n_samples


def _make_term(chunk, *args):
    return chunk.term(*args)


class DaskLogistic(ChunkedLogistic):
    """Distributed data term: the chunks' in-memory data terms on the workers, summed per worker.

    Has the data-term interface the solvers use (see :class:`logreg.chunked.ChunkedLogistic`);
    every evaluation is one round trip.  Build it with :meth:`DaskRows.datafit` or
    :func:`make_dask_datafit`.

    Attributes
    ----------
    chunk_rows : list of int
        Rows per (non-empty) chunk.
    """

    def __init__(self, parts, runner, settings, *, chunk_rows, **sizes):
        super().__init__(parts, runner, settings, **sizes)
        self.chunk_rows = list(chunk_rows)

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
                dask.delayed(call, pure=False)(p, "linear_predictor", th),
                shape=(n,) if binary else (n, self.n_classes),
                dtype=dtype,
            )
            for p, n in zip(self._live_parts(), self.chunk_rows, strict=True)
        ]
        return da.concatenate(blocks)


class DaskRows:
    """X, y and weights of a dask data set, loaded into worker memory in one pass that also checks them.

    Each row chunk is read once, kept in memory where it was computed and
    summarised: NaN / infinite entries, labels with their counts and weight
    sums.  :meth:`datafit` then builds the data term on the same chunks without
    reading X again.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
    y : dask.array.Array or array-like of shape (n_samples,)
    sample_weight : dask.array.Array or array-like of shape (n_samples,), optional
    client : distributed.Client, optional
        By default the Client dask would use now, else a local scheduler.
    offset : dask.array.Array or array-like of shape (n_samples,) or (n_samples, n_classes), optional
        Added to each row's z; rechunked to X's rows.

    Attributes
    ----------
    summary : DataSummary
    n_chunks : int
    chunk_rows : list of int
        Rows per non-empty chunk (empty chunks are dropped).
    """

    def __init__(self, X, y, sample_weight=None, *, client=None, offset=None):
        X, y, sample_weight = check_dask_inputs(X, y, sample_weight)
        xs = X.to_delayed().ravel()
        ys = y.to_delayed().ravel()
        ss = [None] * len(xs) if sample_weight is None else sample_weight.to_delayed().ravel()
        os_ = [None] * len(xs) if offset is None else check_dask_offset(offset, X).to_delayed().ravel()
        # empty chunks (e.g. after filtering) have nothing to add
        keep = [i for i, n in enumerate(X.chunks[0]) if n > 0]
        loads = [dask.delayed(Chunk, pure=False)(xs[i], ys[i], ss[i], os_[i]) for i in keep]
        self.has_offset = offset is not None
        self._load(loads, int(X.shape[1]), X.dtype, DaskRunner(client))

    @classmethod
    def from_loads(cls, loads, n_features, dtype, *, client=None):
        """Rows from delayed :class:`logreg.chunked.Chunk` objects (e.g. encoded DataFrame partitions)."""
        self = cls.__new__(cls)
        self.has_offset = False
        self._load(list(loads), int(n_features), dtype, DaskRunner(client))
        return self

    def _load(self, loads, n_features, dtype, runner):
        self.n_features = n_features
        self.dtype = np.dtype(dtype)
        self._runner = runner
        summary = tree([dask.delayed(_summary_of)(c) for c in loads], merge_summaries)
        rows = [dask.delayed(_rows_of)(c) for c in loads]
        self._chunks, (self.summary, *self.chunk_rows) = runner.keep(loads, summary, *rows)
        # chunks emptied by a missing-value policy have nothing to add
        kept = [i for i, n in enumerate(self.chunk_rows) if n > 0]
        self._chunks = [self._chunks[i] for i in kept]
        self.chunk_rows = [self.chunk_rows[i] for i in kept]
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
        settings = term_settings(self.summary, classes, class_weight)
        args = settings.term_args(fit_intercept, {"n_threads": 1, **options})
        parts = self._runner.persist([dask.delayed(_make_term, pure=False)(c, *args) for c in self._chunks])
        return DaskLogistic(
            parts,
            self._runner,
            settings,
            chunk_rows=self.chunk_rows,
            n_samples=self.summary.n_samples,
            n_features=self.n_features,
            dtype=self.dtype,
            sparse=self.summary.sparse,
            fit_intercept=fit_intercept,
            has_offset=self.has_offset,
        )


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


def fit_rows(rows, *, class_weight=None, fit_intercept=True, **options):
    """The checked data term and classes of loaded :class:`DaskRows`."""
    check_summary(rows.summary)
    classes, cw = choose_classes(rows.summary, class_weight)
    return rows.datafit(classes, class_weight=cw, fit_intercept=fit_intercept, **options), classes


def prepare_fit(X, y, sample_weight=None, *, class_weight=None, fit_intercept=True, client=None, offset=None):
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
    offset : dask.array.Array or array-like of shape (n_samples,) or (n_samples, n_classes), optional

    Returns
    -------
    datafit : DaskLogistic
    classes : ndarray of shape (n_classes,)
    """
    rows = DaskRows(X, y, sample_weight, client=client, offset=offset)
    return fit_rows(rows, class_weight=class_weight, fit_intercept=fit_intercept)
