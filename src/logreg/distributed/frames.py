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


def _table(xp, yp=None, swp=None):
    """A partition as a pyarrow Table: the feature columns, then the label and weight."""
    import pyarrow as pa

    t = pa.Table.from_pandas(xp, preserve_index=False)
    if yp is not None:
        t = t.append_column(_Y, pa.array(np.asarray(yp), from_pandas=True))
    if swp is not None:
        t = t.append_column(_W, pa.array(np.asarray(swp, dtype=np.float64), from_pandas=True))
    return t


def _stats(xp, yp, swp, features, missing, categories):
    return part_stats(
        _table(xp, yp, swp),
        target=_Y,
        features=features,
        weight=None if swp is None else _W,
        missing=missing,
        source="the DataFrame",
        categories=categories,
    )


def _load(xp, yp, swp, encodings, missing):
    X, y, sw = encode_part(
        _table(xp, yp, swp),
        encodings,
        target=_Y,
        weight=None if swp is None else _W,
        missing=missing,
        source="the DataFrame",
    )
    return Chunk(X, y, sw)


def _series_parts(v, X, name):
    if v is None:
        return [None] * X.npartitions
    if not dask.is_dask_collection(v) or not hasattr(v, "to_delayed") or getattr(v, "ndim", 1) != 1:
        raise TypeError(
            f"{name} is a {type(v).__name__}; with a dask DataFrame X pass {name} as a dask Series with "
            f"X's partitions, e.g. X = ddf[features], {name} = ddf[column]"
        )
    if v.npartitions != X.npartitions:
        raise ValueError(
            f"X has {X.npartitions} partitions but {name} has {v.npartitions}: select both from one "
            "DataFrame (X = ddf[features], y = ddf[target]) so that their rows line up"
        )
    return list(v.to_delayed())


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
        After :meth:`prepare_fit`.
    """

    def __init__(self, X, y, sample_weight=None, *, missing="refuse", max_levels=MAX_LEVELS, client=None):
        if not is_dask_frame(X):
            raise TypeError(f"X is a {type(X).__name__}; DaskFrameSource takes a dask DataFrame")
        self.X = X
        self._y = _series_parts(y, X, "y")
        self._w = _series_parts(sample_weight, X, "sample_weight")
        self.weighted = sample_weight is not None
        self.missing = missing
        self.max_levels = max_levels
        self.client = client
        self._features = select_features([str(c) for c in X.columns], _Y)
        if len(set(self._features)) != len(self._features):
            raise ValueError("X has repeated column names; give each feature column its own name")
        self.columns = None
        self.feature_names = None

    def _categories(self):
        """Text columns whose categorical dtype lists its categories."""
        out = {}
        for c, dtype in self.X.dtypes.items():
            if str(dtype) == "category" and self.X[c].cat.known:
                out[str(c)] = [str(v) for v in self.X[c].cat.categories]
        return out

    def _encodings(self, runner, xs, reference_levels):
        numeric = all(isinstance(t, np.dtype) and t.kind in "fiub" for t in self.X.dtypes)
        if numeric and self.missing == "refuse":
            # nothing to learn before loading: NaN is refused by the loading pass itself
            return [ColumnEncoding(c, "numeric") for c in self._features], None
        cats = self._categories()
        parts = [
            dask.delayed(_stats)(x, y, w, self._features, self.missing, cats)
            for x, y, w in zip(xs, self._y, self._w, strict=True)
        ]
        (st,) = runner.compute(tree(parts, merge_stats))
        encs = encodings_from(
            st,
            self._features,
            target=_Y,
            weight=_W if self.weighted else None,
            missing=self.missing,
            reference_levels=reference_levels,
            source="the DataFrame",
            max_levels=self.max_levels,
            option="DaskFrameSource(X, y, missing='{}')",
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
        xs = list(self.X.to_delayed())
        self.columns, _ = self._encodings(runner, xs, fit_intercept)
        self.feature_names = [n for e in self.columns for n in e.feature_names]
        loads = [
            dask.delayed(_load, pure=False)(x, y, w, self.columns, self.missing)
            for x, y, w in zip(xs, self._y, self._w, strict=True)
        ]
        rows = DaskRows.from_loads(loads, len(self.feature_names), np.float64, client=self.client)
        datafit, classes = fit_rows(rows, class_weight=class_weight, fit_intercept=fit_intercept, **(options or {}))
        datafit._runner.on_pass = on_pass
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
