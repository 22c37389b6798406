"""Tables in, design matrices out: CSV and Parquet through pyarrow.

:func:`read_table` reads a file (``-`` reads CSV from standard input);
:func:`prepare_training` selects the target, the features and an optional
weight column, one-hot encodes string columns and applies the missing-value
policy, recording everything needed to repeat the same steps at prediction
time in a list of :class:`ColumnEncoding`; :func:`prepare_prediction` repeats
them on new data.

Every problem with the data raises :class:`DataError` with a one-line message
that names the column, the row count and the fix.  How columns are read and
checked is :mod:`logreg.io.columns`; how they become features,
:mod:`logreg.io.onehot`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from .columns import (
    apply_missing,
    as_float,
    as_text,
    check_columns,
    check_policy,
    feature_kind,
    is_numeric,
    missing_mask,
    offset_values,
    plural,
    sample_weights,
    target_values,
)
from .inputs import DataError, read_table
from .limits import MAX_LEVELS, MISSING_POLICIES
from .onehot import ColumnEncoding, check_feature_names, encode, text_encoding

__all__ = [
    "MISSING_POLICIES",
    "ColumnEncoding",
    "DataError",
    "Design",
    "describe_dropped",
    "prepare_prediction",
    "prepare_training",
    "read_table",
]

# the former private names, still imported by io/parquet_source.py and distributed/frames.py (which
# another branch reworks): they go once those import from io.columns
_as_float, _check_columns, _missing_mask, _target_values = as_float, check_columns, missing_mask, target_values


@dataclass
class Design:
    """A model-ready view of a table.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,) or None
    sample_weight : ndarray of shape (n_samples,) or None
    ids : pyarrow.Array or None
        The id column, rows aligned with X.
    feature_names : list of str
    columns : list of ColumnEncoding
    target : str or None
    weight : str or None
    offset : ndarray of shape (n_samples,) or None
        The offset column's values (added to z), rows aligned with X.
    n_rows_read : int
    n_rows_dropped : int
    missing_counts : dict
        Column name -> rows with a missing value (before the policy applied).
    missing : str
        The policy applied.
    """

    X: np.ndarray
    y: np.ndarray | None
    sample_weight: np.ndarray | None
    ids: pa.Array | None
    feature_names: list
    columns: list
    target: str | None = None
    weight: str | None = None
    n_rows_read: int = 0
    n_rows_dropped: int = 0
    missing_counts: dict = field(default_factory=dict)
    missing: str = "refuse"
    offset: np.ndarray | None = None

    @property
    def n_samples(self):
        return self.X.shape[0]

    def describe_dropped(self):
        """One line saying which rows the ``drop`` policy removed, or ''."""
        return describe_dropped(self.n_rows_dropped, self.n_rows_read, self.missing_counts)


def describe_dropped(n_dropped, n_read, missing_counts):
    """One line saying which rows the ``drop`` policy removed, or '' (of a whole table or its parts).

    Parameters
    ----------
    n_dropped, n_read : int
    missing_counts : dict of str -> int
        Rows with a missing value, per column.
    """
    if not n_dropped:
        return ""
    per = ", ".join(f"{c!r}: {n}" for c, n in missing_counts.items())
    return f"dropped {n_dropped} of {n_read} rows with missing values ({per})"


def _memory_bytes():
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        return None


def _check_design_size(n_rows, n_features, source):
    need = 8 * n_rows * n_features
    have = _memory_bytes()
    if have is not None and need > have:
        raise DataError(
            f"the design matrix of {source} would take {need / 2**30:.1f} GiB ({n_rows} rows × {n_features} "
            f"features as float64), more than this machine's {have / 2**30:.1f} GiB of memory; select fewer "
            "features (--features, --exclude) or text columns with fewer levels"
        )


def prepare_training(
    table,
    *,
    target,
    features=None,
    weight=None,
    exclude=(),
    missing="refuse",
    reference_levels=True,
    source="the data",
    max_levels=MAX_LEVELS,
    offset=None,
):
    """Select and encode the training data.

    Parameters
    ----------
    table : pyarrow.Table
    target : str
        The label column (any type, two or more distinct values).
    features : list of str, optional
        Feature columns; default every column except target, weight and
        ``exclude``.
    weight : str, optional
        A column of non-negative sample weights.
    exclude : sequence of str
        Columns never used as features (e.g. an id column).
    missing : {'refuse', 'drop', 'mean'}
        Missing values (null or NaN) in the used columns are refused, or their
        rows dropped, or features filled with the training mean (most frequent
        level for string columns).
    reference_levels : bool, default=True
        Drop each string column's first level (treatment coding).  Use True
        with an intercept, False without one.
    source : str
        How to name the data in messages (e.g. the file name).
    max_levels : int or None, default=MAX_LEVELS
        Refuse a text column with more distinct values (an id one-hot
        encoded is a feature per row); None: no limit.  Independently, a
        design matrix larger than the machine's memory is refused.
    offset : str, optional
        A numeric column added to z with coefficient 1 (not a feature).

    Returns
    -------
    Design

    Raises
    ------
    DataError
    """
    check_policy(missing)
    check_columns(table, [target], "target", source)
    if weight is not None:
        check_columns(table, [weight], "weight", source)
    if offset is not None:
        check_columns(table, [offset], "offset", source)
    if features is None:
        skip = {target, weight, offset, *exclude}
        features = [c for c in table.column_names if c not in skip]
    else:
        features = list(features)
        check_columns(table, features, "feature", source)
        clash = [c for c in features if c in (target, weight, offset)]
        if clash:
            raise DataError(f"column {clash[0]!r} cannot be both a feature and the target, weight or offset")
    if not features:
        raise DataError(f"{source} has no feature columns besides the target {target!r}")
    kinds = {c: feature_kind(table, c, source) for c in features}

    n_rows = table.num_rows
    masks = {target: missing_mask(table.column(target))}
    for c in (weight, offset):
        if c is not None:
            masks[c] = missing_mask(table.column(c))
    for c in features:
        masks[c] = missing_mask(table.column(c))
    keep, counts = apply_missing(masks, missing, source, n_rows, fillable=set(features))

    encodings = []
    for c in features:
        col = table.column(c).combine_chunks()
        present = keep & ~masks[c]
        if kinds[c] == "numeric":
            values = as_float(col, c, source, training=True)[present]
            fill = float(values.mean()) if values.size else None
            encodings.append(ColumnEncoding(c, "numeric", fill=fill))
        else:
            levels, freq = np.unique(as_text(col)[present].astype(str), return_counts=True)
            levels = [str(v) for v in levels]
            counts_of = dict(zip(levels, freq.tolist(), strict=True))
            enc = text_encoding(
                c, levels, counts_of, reference_levels=reference_levels, max_levels=max_levels, source=source
            )
            encodings.append(enc)
            fill = enc.fill
        if fill is None:
            raise DataError(f"column {c!r} in {source} has no values left to learn from")

    check_feature_names(encodings, source)
    names = [n for enc in encodings for n in enc.feature_names]
    _check_design_size(int(keep.sum()), len(names), source)
    X = encode(table, encodings, keep, source, fill=(missing == "mean"))
    y = target_values(table.column(target), target, source)[keep]
    classes = np.unique(y)
    if classes.size < 2:
        only = classes[0].item() if hasattr(classes[0], "item") else classes[0]
        raise DataError(
            f"target column {target!r} has one class ({only!r}) in {plural(y.size, 'row')}; "
            "logistic regression needs two or more"
        )
    sw = None
    if weight is not None:
        if not is_numeric(table.schema.field(weight).type):
            raise DataError(f"weight column {weight!r} must be numeric, it has type {table.schema.field(weight).type}")
        sw = sample_weights(table, weight, source, keep, training=True)
        if not sw.sum() > 0:
            raise DataError(f"weight column {weight!r} sums to zero; at least one row needs a positive weight")
    return Design(
        offset=offset_values(table, offset, keep, source),
        X=X,
        y=y,
        sample_weight=sw,
        ids=None,
        feature_names=names,
        columns=encodings,
        target=target,
        weight=weight,
        n_rows_read=n_rows,
        n_rows_dropped=int(n_rows - keep.sum()),
        missing_counts=counts,
        missing=missing,
    )


def prepare_prediction(
    table,
    columns,
    *,
    target=None,
    weight=None,
    id_column=None,
    missing="refuse",
    source="the data",
    offset=None,
):
    """Encode new data exactly as the training data was encoded.

    Parameters
    ----------
    table : pyarrow.Table
    columns : list of ColumnEncoding
        From the model file.
    target : str, optional
        Also read the labels (for evaluation).
    weight : str, optional
        Also read sample weights (for evaluation).
    id_column : str, optional
        A column carried through to the output, rows aligned.
    missing : {'refuse', 'drop', 'mean'}
        As in :func:`prepare_training`; ``mean`` fills the *training* values
        recorded in ``columns``.
    offset : str, optional
        Also read the offset column (a model fitted with one needs it).
    source : str

    Returns
    -------
    Design

    Raises
    ------
    DataError
        A feature column is missing, a numeric column has text, a string
        column has a level unseen in training, or a value is missing.
    """
    check_policy(missing)
    names = [enc.name for enc in columns]
    check_columns(table, names, "feature", source)
    extra = [c for c in (target, weight, offset, id_column) if c is not None]
    check_columns(table, extra, "requested", source)
    n_rows = table.num_rows
    masks = {c: missing_mask(table.column(c)) for c in [*names, *extra] if c != id_column}
    keep, counts = apply_missing(masks, missing, source, n_rows, fillable=set(names))
    X = encode(table, columns, keep, source, fill=(missing == "mean"))
    y = target_values(table.column(target), target, source)[keep] if target is not None else None
    sw = None
    if weight is not None:
        sw = sample_weights(table, weight, source, keep)
    ids = None
    if id_column is not None:
        ids = table.column(id_column).combine_chunks().filter(pa.array(keep))
    return Design(
        offset=offset_values(table, offset, keep, source),
        X=X,
        y=y,
        sample_weight=sw,
        ids=ids,
        feature_names=[n for enc in columns for n in enc.feature_names],
        columns=list(columns),
        target=target,
        weight=weight,
        n_rows_read=n_rows,
        n_rows_dropped=int(n_rows - keep.sum()),
        missing_counts=counts,
        missing=missing,
    )
