"""A table's columns as model input: their kinds, float and text values, labels, weights, missing values.

Every reader of tables (in memory :mod:`logreg.io.tables`, in parts
:mod:`logreg.io.partitions`, through a formula :mod:`logreg.io.encoding`)
converts and checks columns here, so a column means the same thing and is
refused with the same one-line :class:`DataError` on every path.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .inputs import DataError
from .limits import MISSING_POLICIES

__all__ = [
    "apply_missing",
    "as_float",
    "as_text",
    "check_columns",
    "check_policy",
    "feature_kind",
    "is_numeric",
    "is_text",
    "missing_mask",
    "offset_values",
    "plural",
    "refuse_missing",
    "sample_weights",
    "target_values",
]


def plural(n, word):
    """``"1 row"``, ``"2 rows"``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def is_numeric(typ):
    """Numbers and booleans: one feature each."""
    return pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_decimal(typ) or pa.types.is_boolean(typ)


def is_text(typ):
    """Strings and dictionaries: one-hot encoded."""
    return pa.types.is_string(typ) or pa.types.is_large_string(typ) or pa.types.is_dictionary(typ)


def missing_mask(col):
    """Boolean numpy mask of nulls, and NaNs in float columns."""
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if pa.types.is_null(col.type):
        return np.ones(len(col), dtype=bool)
    mask = col.is_null()
    if pa.types.is_floating(col.type):
        mask = pc.or_(mask, pc.is_nan(col))
    return mask.fill_null(True).to_numpy(zero_copy_only=False).astype(bool)


def as_float(col, name, source, *, training=False):
    """A numeric column as float64 (nulls as NaN); text in it is a DataError."""
    if pa.types.is_integer(col.type):
        _warn_big_integers(col, name, source)
        # ids and nanosecond timestamps beyond 2**53 round to the nearest float64 (warned above)
        arr = pc.cast(col, pa.float64(), safe=False)
        return arr.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
    try:
        arr = pc.cast(col, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        sample = [v for v in col.drop_null().to_pylist()[:3]]
        why = "" if training else " (it was in training)"
        raise DataError(
            f"column {name!r} in {source} should be numeric{why} but has type {col.type} and values like "
            f"{', '.join(map(repr, sample))}"
        ) from None
    return arr.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)


def _warn_big_integers(col, name, source):
    big = pc.max(pc.abs_checked(pc.cast(col, pa.float64(), safe=False))).as_py() if len(col) else None
    if big is not None and big > 2**53:
        import warnings

        from ..exceptions import DataWarning

        warnings.warn(
            f"column {name!r} in {source} has integers as large as {big:.4g}, beyond 2**53: as float64 "
            "features they lose precision (neighbouring values become equal). If it is an id or a timestamp, "
            "leave it out (--exclude) or convert it to a meaningful scale",
            DataWarning,
            stacklevel=4,
        )


def as_text(col):
    """A column as an object array of strings (None for nulls), as levels are compared."""
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    if not is_text(col.type):
        # levels are compared as strings; a column that was text in training
        # may be inferred as numbers in a small prediction file
        col = pc.cast(col, pa.string())
    return np.asarray(col.to_pylist(), dtype=object)


def check_columns(table, names, role, source):
    """Every one of ``names`` is a column of ``table``, or a DataError listing what it has."""
    missing = [c for c in names if c not in table.column_names]
    if missing:
        have = ", ".join(table.column_names[:20]) + (" …" if table.num_columns > 20 else "")
        what = "column" if len(missing) == 1 else "columns"
        hint = ""
        if table.num_columns == 1:
            sep = next((c for c in (";", "\t", "|") if c in table.column_names[0]), None)
            if sep is not None:
                hint = f" (the header looks separated by {sep!r}; logreg reads comma-separated CSV)"
        raise DataError(f"{role} {what} {', '.join(map(repr, missing))} not in {source}; it has: {have}{hint}")


def feature_kind(table, name, source):
    """'numeric' or 'categorical' from the column's type; other types are a DataError."""
    typ = table.schema.field(name).type
    if is_numeric(typ):
        return "numeric"
    if is_text(typ):
        return "categorical"
    if pa.types.is_null(typ):
        raise DataError(f"column {name!r} in {source} is empty (every value is missing); leave it out with --features")
    raise DataError(
        f"column {name!r} in {source} has type {typ}, which logreg cannot use as a feature; "
        "convert it to a number or a string, or leave it out with --features"
    )


def target_values(col, name="the target", source="the data"):
    """Class labels: strings, integers or booleans kept as such, other numbers as float64."""
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    if pa.types.is_temporal(col.type):
        # dates and times as labels: their ISO text, which a model file can store
        col = pc.cast(col, pa.string())
    elif not (is_text(col.type) or is_numeric(col.type)):
        raise DataError(
            f"target column {name!r} in {source} has type {col.type}, which cannot be class labels; "
            "labels must be text, numbers or booleans (convert the column, or choose another --target)"
        )
    if is_text(col.type):
        return np.asarray(col.to_pylist(), dtype=object).astype(str)
    if pa.types.is_integer(col.type) or pa.types.is_boolean(col.type):
        # rows with a missing label are dropped or refused by the missing-value policy;
        # filling them here keeps the labels integers (classes 0, 1, not 0.0, 1.0)
        return col.fill_null(False if pa.types.is_boolean(col.type) else 0).to_numpy(zero_copy_only=False)
    return as_float(col, name, source, training=True)


def sample_weights(table, name, source, keep=None, *, training=False):
    """The weight column's kept rows as float64: finite and non-negative, or a DataError.

    Parameters
    ----------
    table : pyarrow.Table
    name : str
    source : str
    keep : ndarray of shape (table.num_rows,), bool, optional
        The rows to keep (default: all).
    training : bool
        Whether the message says the column was numeric in training.

    Returns
    -------
    ndarray of shape (n_kept,)
    """
    sw = as_float(table.column(name).combine_chunks(), name, source, training=training)
    if keep is not None:
        sw = sw[keep]
    if not np.all(np.isfinite(sw)) or (sw < 0).any():
        raise DataError(f"weight column {name!r} must hold finite non-negative numbers")
    return sw


# ------------------------------------------------------------------ the missing-value policy
def check_policy(missing):
    """``missing`` is one of :data:`~logreg.io.limits.MISSING_POLICIES`, or a DataError."""
    if missing not in MISSING_POLICIES:
        raise DataError(f"unknown missing-value policy {missing!r}; use one of {', '.join(MISSING_POLICIES)}")


def refuse_missing(counts, policy, source, *, n_rows, n_affected, fillable, option="--missing {}"):
    """The DataError the policy raises for these missing values, if any.

    Parameters
    ----------
    counts : dict of str -> int
        Rows with a missing value, per column that has any.
    policy : {'refuse', 'drop', 'mean'}
    source : str
    n_rows : int
    n_affected : int
        Rows with a missing value in any column.
    fillable : set of str
        The columns ``mean`` may fill (the features).
    option : str
        How messages name the policy's setting: ``"--missing {}"``, or the Python parameter's.
    """
    check_policy(policy)
    if not counts:
        return
    per = ", ".join(f"{c!r} ({plural(n, 'row')})" for c, n in counts.items())
    if policy == "refuse":
        raise DataError(
            f"missing values in {source}: {per}; {n_affected} of {n_rows} rows affected. "
            f"Use {option.format('drop')} to drop those rows or {option.format('mean')} to fill the training means"
        )
    unfillable = [c for c in counts if c not in fillable]
    if policy == "mean" and unfillable:
        raise DataError(
            f"missing values in {', '.join(map(repr, unfillable))} of {source} cannot be filled by "
            f"{option.format('mean')} (only features can); use {option.format('drop')}"
        )
    if policy == "drop" and n_affected == n_rows:
        raise DataError(
            f"every row of {source} has a missing value ({per}); nothing is left after {option.format('drop')}"
        )


def apply_missing(masks, policy, source, n_rows, fillable):
    """Decide which rows to keep under the policy.

    Parameters
    ----------
    masks : dict of str -> ndarray of shape (n_rows,), bool
        Each used column's missing values.
    policy : {'refuse', 'drop', 'mean'}
    source : str
    n_rows : int
    fillable : set of str
        The columns ``mean`` may fill (the features).

    Returns
    -------
    keep : ndarray of shape (n_rows,), bool
    counts : dict of str -> int
        Rows with a missing value, per column that has any.
    """
    counts = {c: int(m.sum()) for c, m in masks.items() if m.any()}
    any_missing = np.zeros(n_rows, dtype=bool)
    for c in counts:
        any_missing |= masks[c]
    refuse_missing(counts, policy, source, n_rows=n_rows, n_affected=int(any_missing.sum()), fillable=fillable)
    keep = ~any_missing if policy == "drop" else np.ones(n_rows, dtype=bool)
    return keep, counts


def offset_values(table, offset, keep, source):
    """The offset column's finite values on the kept rows (None without an offset column).

    Parameters
    ----------
    table : pyarrow.Table
    offset : str or None
        The column added to z with coefficient 1 (``logreg fit --offset``).
    keep : ndarray of shape (n_rows,), bool
        The rows the missing-value policy kept.
    source : str

    Returns
    -------
    ndarray of shape (keep.sum(),), float64, or None
    """
    if offset is None:
        return None
    if not is_numeric(table.schema.field(offset).type):
        raise DataError(f"offset column {offset!r} must be numeric, it has type {table.schema.field(offset).type}")
    values = as_float(table.column(offset).combine_chunks(), offset, source)[keep]
    if not np.all(np.isfinite(values)):
        raise DataError(f"offset column {offset!r} must hold finite numbers (e.g. log(exposure) with exposure > 0)")
    return values
