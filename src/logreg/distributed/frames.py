"""Dask DataFrames: feature names, text and categorical columns, the missing-value policy.

``fit(ddf[features], ddf[target])`` encodes each partition on its worker exactly as the
command-line tool encodes a table (:mod:`logreg.io.partitions`): a first pass gathers the
text levels (a categorical dtype with known categories lists them up front), the training
means and the missing values; then every partition is encoded into a dense float64 chunk
and loaded, once, as for a dask array (:class:`~logreg.distributed.rows.DaskRows`).
Predictions encode each partition with the model's recorded encoding and return a dask
array with one block per partition.
"""

from __future__ import annotations

import warnings

import dask
import dask.array as da
import numpy as np

from ..chunked import Chunk
from ..io.partitions import encode_part, encodings_from, merge_stats, part_stats, select_features
from ..io.tables import MAX_LEVELS, ColumnEncoding
from .rows import DaskRows, fit_rows
from .runner import DaskRunner, tree

__all__ = ["DaskFrameSource", "is_dask_frame", "predict_frame"]

#: Names of the label and weight columns inside a partition's table (never a user's column).
_Y, _W = "\x00target", "\x00weight"


def is_dask_frame(obj):
    """True for a dask DataFrame."""
    return dask.is_dask_collection(obj) and hasattr(obj, "columns") and hasattr(obj, "map_partitions")


def _table(xp, yp=None, swp=None, names=(_Y, _W)):
    """A partition as a pyarrow Table: the feature columns, then the label and weight (``names``)."""
    import pyarrow as pa

    t = pa.Table.from_pandas(xp, preserve_index=False)
    if yp is not None:
        t = t.append_column(names[0], pa.array(np.asarray(yp), from_pandas=True))
    if swp is not None:
        t = t.append_column(names[1], pa.array(np.asarray(swp, dtype=np.float64), from_pandas=True))
    return t


def _stats(xp, yp, swp, features, missing, categories, names):
    return part_stats(
        _table(xp, yp, swp, names),
        target=names[0],
        features=features,
        weight=None if swp is None else names[1],
        missing=missing,
        source="the DataFrame",
        categories=categories,
    )


def _load(xp, yp, swp, encodings, missing, names):
    X, y, sw = encode_part(
        _table(xp, yp, swp, names),
        encodings,
        target=names[0],
        weight=None if swp is None else names[1],
        missing=missing,
        source="the DataFrame",
    )
    return Chunk(X, y, sw)


def _name(v, default, taken):
    """The column name of Series ``v`` in messages, unless it is missing or a feature's name."""
    name = getattr(v, "name", None)
    return default if name is None or str(name) in taken else str(name)


def _check_series(v, name):
    if v is not None and not (dask.is_dask_collection(v) and getattr(v, "ndim", None) == 1 and hasattr(v, "to_frame")):
        raise TypeError(
            f"{name} is a {type(v).__name__}; with a dask DataFrame X pass {name} as a dask Series with "
            f"X's rows, e.g. X = ddf[features], {name} = ddf[column]"
        )


def _split_part(part, features, names, weighted):
    """A partition of the combined frame as (features, labels, weights or None)."""
    return part[features], part[names[0]], part[names[1]] if weighted else None


class DaskFrameSource:
    """A dask DataFrame X with a dask Series y: a row source for ``LogisticRegression.fit``.

    Parameters
    ----------
    X : dask.dataframe.DataFrame
        Numeric, boolean, text and categorical feature columns.
    y : dask.dataframe.Series
        Labels, with X's partitions.
    sample_weight : dask.dataframe.Series, optional
    missing : {'refuse', 'drop', 'mean'}, default='refuse'
        As the command-line tool's ``--missing``.
    max_levels : int or None, default=1000
    client : distributed.Client, optional

    Attributes
    ----------
    columns : list of ColumnEncoding
    feature_names : list of str
    n_samples, n_rows_read, n_rows_dropped, missing_counts, weight_sum
        As :class:`logreg.ParquetSource`'s, after :meth:`prepare_fit`.
    on_pass : callable or None
        ``on_pass(n_passes)`` after every evaluation (progress).
    """

    def __init__(self, X, y, sample_weight=None, *, missing="refuse", max_levels=MAX_LEVELS, client=None):
        if not is_dask_frame(X):
            raise TypeError(f"X is a {type(X).__name__}; DaskFrameSource takes a dask DataFrame")
        _check_series(y, "y")
        _check_series(sample_weight, "sample_weight")
        self.X = X
        self.weighted = sample_weight is not None
        self.missing = missing
        self.max_levels = max_levels
        self.client = client
        self._features = select_features([str(c) for c in X.columns], _Y)
        if len(set(self._features)) != len(self._features):
            raise ValueError("X has repeated column names; give each feature column its own name")
        yname = _name(y, _Y, set(self._features))
        self._names = (yname, _name(sample_weight, _W, {*self._features, yname}))
        # one frame: its partitions hold X's rows with their labels (dask aligns y to X's rows)
        extra = {_Y: y} if sample_weight is None else {_Y: y, _W: sample_weight}
        try:
            frame = X.assign(**extra)
        except (ValueError, TypeError, NotImplementedError) as exc:
            raise ValueError(
                f"y (or sample_weight) cannot be aligned with X's rows ({exc}); select X and y from one "
                "DataFrame: X = ddf[features], y = ddf[target]"
            ) from None
        self._parts = [
            dask.delayed(_split_part, nout=3)(p, self._features, (_Y, _W), self.weighted) for p in frame.to_delayed()
        ]
        self.columns = None
        self.feature_names = None
        #: How messages name the missing-value setting (the command line sets ``--missing {}``).
        self.missing_option = "DaskFrameSource(X, y, missing='{}')"
        #: ``on_pass(n_passes)`` after every evaluation (progress), or None.
        self.on_pass = None
        self.n_samples = self.n_rows_read = self.n_rows_dropped = self.weight_sum = None
        self.missing_counts = {}

    def _categories(self):
        """Text columns whose categorical dtype lists its categories."""
        out = {}
        for c, dtype in self.X.dtypes.items():
            if str(dtype) == "category" and self.X[c].cat.known:
                out[str(c)] = [str(v) for v in self.X[c].cat.categories]
        return out

    def _encodings(self, runner, reference_levels):
        numeric = all(isinstance(t, np.dtype) and t.kind in "fiub" for t in self.X.dtypes)
        if numeric and self.missing == "refuse":
            # nothing to learn before loading: NaN is refused by the loading pass itself
            return [ColumnEncoding(c, "numeric") for c in self._features], None
        cats = self._categories()
        parts = [
            dask.delayed(_stats)(x, y, w if self.weighted else None, self._features, self.missing, cats, self._names)
            for x, y, w in self._parts
        ]
        (st,) = runner.compute(tree(parts, merge_stats))
        encs = encodings_from(
            st,
            self._features,
            target=self._names[0],
            weight=self._names[1] if self.weighted else None,
            missing=self.missing,
            reference_levels=reference_levels,
            source="the DataFrame",
            max_levels=self.max_levels,
            option=self.missing_option,
        )
        return encs, st

    def prepare_fit(self, *, class_weight=None, fit_intercept=True, options=None, on_pass=None):
        """The encoding pass, the loading pass and the distributed data term.

        Returns
        -------
        datafit : logreg.distributed.DaskLogistic
        classes : ndarray of shape (n_classes,)
        """
        runner = DaskRunner(self.client)
        self.columns, st = self._encodings(runner, fit_intercept)
        self.feature_names = [n for e in self.columns for n in e.feature_names]
        loads = [
            dask.delayed(_load, pure=False)(x, y, w if self.weighted else None, self.columns, self.missing, self._names)
            for x, y, w in self._parts
        ]
        rows = DaskRows.from_loads(loads, len(self.feature_names), np.float64, client=self.client)
        datafit, classes = fit_rows(rows, class_weight=class_weight, fit_intercept=fit_intercept, **(options or {}))
        datafit._runner.on_pass = on_pass or self.on_pass
        s = rows.summary
        self.n_samples = s.n_samples
        self.n_rows_read = s.n_samples if st is None else st.n_rows
        self.n_rows_dropped = self.n_rows_read - s.n_samples
        self.missing_counts = {} if st is None else dict(st.missing)
        self.weight_sum = float(s.weight_sums.sum()) if self.weighted else None
        return datafit, classes


def _unnamed(model, method, X):
    """``model.<method>(X)`` for an encoded array X of a model fitted on named columns."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "X does not have valid feature names", UserWarning)
        return getattr(model, method)(X)


def _predict_part(model, method, encodings, missing, empty, xp):
    X, _, _ = encode_part(_table(xp), encodings, missing=missing, source="the DataFrame")
    if X.shape[0] == 0:
        return empty
    return _unnamed(model, method, X)


def _formula_part(model, method, encoding, empty, xp):
    Xe = encoding.design(xp)
    return empty if Xe.shape[0] == 0 else _unnamed(model, method, Xe)


def _predict_formula(model, X, method, encoding):
    """Predictions of a formula model, each partition through its formula."""
    n_features = len(encoding.feature_names)
    probe = _unnamed(model, method, np.zeros((1, n_features)))
    shape = (np.nan,) if probe.ndim == 1 else (np.nan, probe.shape[1])
    blocks = [
        da.from_delayed(
            dask.delayed(_formula_part, pure=True)(model, method, encoding, probe[:0], p),
            shape=shape,
            dtype=probe.dtype,
            meta=probe[:0],
        )
        for p in X.to_delayed()
    ]
    return da.concatenate(blocks)


def predict_frame(model, X, method):
    """``model.<method>`` on each partition of a dask DataFrame, lazily.

    The partitions are encoded with the model's recorded encoding (``encoding_``: a DataFrame,
    Parquet or ``logreg fit`` model's columns, or a formula); plain numeric columns otherwise.

    Returns
    -------
    dask.array.Array of shape (n_samples,) or (n_samples, n_classes), one block per partition
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model)
    recorded = getattr(model, "encoding_", None)
    if recorded is not None and recorded.formula is not None:
        return _predict_formula(model, X, method, recorded)
    encodings = None if recorded is None else recorded.columns
    if encodings is None:
        names = getattr(model, "feature_names_in_", None)
        names = [str(c) for c in (X.columns if names is None else names)]
        encodings = [ColumnEncoding(c, "numeric") for c in names]
    missing = "mean" if getattr(model, "missing_", "refuse") == "mean" else "refuse"
    from ..io.tables import _check_columns

    _check_columns(_table(X._meta), [e.name for e in encodings], "feature", "the DataFrame")
    n_features = sum(len(e.feature_names) for e in encodings)
    probe = _unnamed(model, method, np.zeros((1, n_features)))
    empty = probe[:0]
    shape = (np.nan,) if probe.ndim == 1 else (np.nan, probe.shape[1])
    blocks = [
        da.from_delayed(
            dask.delayed(_predict_part, pure=True)(model, method, encodings, missing, empty, p),
            shape=shape,
            dtype=probe.dtype,
            meta=empty,
        )
        for p in X.to_delayed()
    ]
    return da.concatenate(blocks)
