"""Tables in, design matrices out: CSV and Parquet through pyarrow.

:func:`read_table` reads a file (``-`` reads CSV from standard input);
:func:`prepare_training` selects the target, the features and an optional
weight column, one-hot encodes string columns and applies the missing-value
policy, recording everything needed to repeat the same steps at prediction
time in a list of :class:`ColumnEncoding`; :func:`prepare_prediction` repeats
them on new data.

Every problem with the data raises :class:`DataError` with a one-line message
that names the column, the row count and the fix.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .inputs import DataError, read_table
from .limits import MAX_LEVELS, MISSING_POLICIES

__all__ = [
    "MISSING_POLICIES",
    "ColumnEncoding",
    "DataError",
    "Design",
    "prepare_prediction",
    "prepare_training",
    "read_table",
]


def _plural(n, word):
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# ------------------------------------------------------------------ encode
@dataclass
class ColumnEncoding:
    """How one source column becomes model features.

    Parameters
    ----------
    name : str
        The source column.
    kind : {'numeric', 'categorical'}
        Numeric columns (numbers and booleans) give one feature; categorical
        (string) columns give one 0/1 feature per level except ``reference``.
    levels : list of str, optional
        Categorical only: the levels seen in training, sorted.
    reference : str, optional
        Categorical only: the level without a feature (treatment coding, as
        in R and statsmodels formulas), so that the features are not collinear
        with the intercept.  None when every level has a feature.
    fill : float or str, optional
        The training mean (numeric) or most frequent level (categorical): the
        value ``missing='mean'`` fills in, at fit and at predict time.
    """

    name: str
    kind: str
    levels: list | None = None
    reference: str | None = None
    fill: float | str | None = None

    @property
    def feature_names(self):
        """The model features this column produces, in order.

        Returns
        -------
        list of str
            ``[name]`` for numeric columns, ``["name=level", ...]`` for
            categorical ones.
        """
        if self.kind == "numeric":
            return [self.name]
        return [f"{self.name}={lv}" for lv in self.levels if lv != self.reference]

    def to_dict(self):
        """JSON-ready form (see :mod:`logreg.io.modelfile`)."""
        d = {"name": self.name, "kind": self.kind, "fill": self.fill}
        if self.kind == "categorical":
            d["levels"] = list(self.levels)
            d["reference"] = self.reference
        return d

    @classmethod
    def from_dict(cls, d):
        """Inverse of :meth:`to_dict` (the caller validates the schema)."""
        return cls(
            name=d["name"], kind=d["kind"], levels=d.get("levels"), reference=d.get("reference"), fill=d.get("fill")
        )


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
        if not self.n_rows_dropped:
            return ""
        per = ", ".join(f"{c!r}: {n}" for c, n in self.missing_counts.items())
        return f"dropped {self.n_rows_dropped} of {self.n_rows_read} rows with missing values ({per})"


def _is_numeric(typ):
    return pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_decimal(typ) or pa.types.is_boolean(typ)


def _is_text(typ):
    return pa.types.is_string(typ) or pa.types.is_large_string(typ) or pa.types.is_dictionary(typ)


def _missing_mask(col):
    """Boolean numpy mask of nulls, and NaNs in float columns."""
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if pa.types.is_null(col.type):
        return np.ones(len(col), dtype=bool)
    mask = col.is_null()
    if pa.types.is_floating(col.type):
        mask = pc.or_(mask, pc.is_nan(col))
    return mask.fill_null(True).to_numpy(zero_copy_only=False).astype(bool)


def _as_float(col, name, source, *, training=False):
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


def _as_text(col):
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    if not _is_text(col.type):
        # levels are compared as strings; a column that was text in training
        # may be inferred as numbers in a small prediction file
        col = pc.cast(col, pa.string())
    return np.asarray(col.to_pylist(), dtype=object)


def _check_columns(table, names, role, source):
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


def _feature_kind(table, name, source):
    typ = table.schema.field(name).type
    if _is_numeric(typ):
        return "numeric"
    if _is_text(typ):
        return "categorical"
    if pa.types.is_null(typ):
        raise DataError(f"column {name!r} in {source} is empty (every value is missing); leave it out with --features")
    raise DataError(
        f"column {name!r} in {source} has type {typ}, which logreg cannot use as a feature; "
        "convert it to a number or a string, or leave it out with --features"
    )


def _target_values(col, name="the target", source="the data"):
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    if pa.types.is_temporal(col.type):
        # dates and times as labels: their ISO text, which a model file can store
        col = pc.cast(col, pa.string())
    elif not (_is_text(col.type) or _is_numeric(col.type)):
        raise DataError(
            f"target column {name!r} in {source} has type {col.type}, which cannot be class labels; "
            "labels must be text, numbers or booleans (convert the column, or choose another --target)"
        )
    if _is_text(col.type):
        return np.asarray(col.to_pylist(), dtype=object).astype(str)
    if pa.types.is_integer(col.type) or pa.types.is_boolean(col.type):
        # rows with a missing label are dropped or refused by the missing-value policy;
        # filling them here keeps the labels integers (classes 0, 1, not 0.0, 1.0)
        return col.fill_null(False if pa.types.is_boolean(col.type) else 0).to_numpy(zero_copy_only=False)
    return _as_float(col, name, source, training=True)


def _check_feature_names(encodings, names, source):
    """Two columns may not produce one feature name (a column 'a=b' and level 'b' of column 'a')."""
    if len(set(names)) == len(names):
        return
    seen = {}
    for enc in encodings:
        for n in enc.feature_names:
            if n in seen:
                raise DataError(
                    f"columns {seen[n]!r} and {enc.name!r} of {source} both produce the feature {n!r} after "
                    "one-hot encoding (text columns become 'column=level'); rename one of them"
                )
            seen[n] = enc.name


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


def _apply_missing(masks, policy, source, n_rows, fillable):
    """Decide which rows to keep under the policy.

    ``masks`` maps column -> missing mask; ``fillable`` is the set of columns
    that ``mean`` may fill (the features).  Returns the keep mask and counts.
    """
    counts = {c: int(m.sum()) for c, m in masks.items() if m.any()}
    keep = np.ones(n_rows, dtype=bool)
    if not counts:
        return keep, counts
    any_missing = np.zeros(n_rows, dtype=bool)
    for c in counts:
        any_missing |= masks[c]
    per = ", ".join(f"{c!r} ({_plural(n, 'row')})" for c, n in counts.items())
    if policy == "refuse":
        raise DataError(
            f"missing values in {source}: {per}; {int(any_missing.sum())} of {n_rows} rows affected. "
            "Use --missing drop to drop those rows or --missing mean to fill the training means"
        )
    if policy == "mean":
        unfillable = [c for c in counts if c not in fillable]
        if unfillable:
            raise DataError(
                f"missing values in {', '.join(map(repr, unfillable))} of {source} cannot be filled by "
                "--missing mean (only features can); use --missing drop"
            )
        return keep, counts
    if policy == "drop":
        keep = ~any_missing
        if not keep.any():
            raise DataError(f"every row of {source} has a missing value ({per}); nothing is left after --missing drop")
        return keep, counts
    raise DataError(f"unknown missing-value policy {policy!r}; use one of {', '.join(MISSING_POLICIES)}")


def _check_fill(enc, source):
    if enc.fill is None:
        raise DataError(
            f"column {enc.name!r} in {source} has missing values and the model records no training value "
            "to fill them with; use --missing drop"
        )


def _encode(table, encodings, keep, source, *, fill):
    """Build X from the kept rows; unseen categories are an error."""
    n = int(keep.sum())
    blocks = []
    for enc in encodings:
        col = table.column(enc.name).combine_chunks()
        mask = _missing_mask(col)[keep]
        if enc.kind == "numeric":
            if pa.types.is_null(col.type):
                values = np.full(len(col), np.nan)
            else:
                values = _as_float(col, enc.name, source)
            values = values[keep]
            if fill and mask.any():
                _check_fill(enc, source)
                values = np.where(mask, enc.fill, values)
            if np.isinf(values).any():
                k = int(np.isinf(values).sum())
                raise DataError(f"column {enc.name!r} in {source} has infinite values in {_plural(k, 'row')}")
            blocks.append(values[:, None])
        else:
            values = _as_text(col)[keep]
            if fill and mask.any():
                _check_fill(enc, source)
                values = np.where(mask, enc.fill, values)
            known = set(enc.levels)
            unseen = [v for v in values if v is not None and v not in known]
            if unseen:
                uniq = sorted(set(unseen))
                shown = ", ".join(map(repr, uniq[:5])) + (" …" if len(uniq) > 5 else "")
                raise DataError(
                    f"column {enc.name!r} in {source} has {_plural(len(uniq), 'level')} not seen in training "
                    f"({shown}; {_plural(len(unseen), 'row')}); the model knows {', '.join(map(repr, enc.levels))}"
                )
            levels = [lv for lv in enc.levels if lv != enc.reference]
            onehot = np.zeros((n, len(levels)))
            for j, lv in enumerate(levels):
                onehot[:, j] = values == lv
            blocks.append(onehot)
    if not blocks:
        return np.empty((n, 0))
    return np.ascontiguousarray(np.hstack(blocks), dtype=np.float64)


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
    if missing not in MISSING_POLICIES:
        raise DataError(f"unknown missing-value policy {missing!r}; use one of {', '.join(MISSING_POLICIES)}")
    _check_columns(table, [target], "target", source)
    if weight is not None:
        _check_columns(table, [weight], "weight", source)
    if offset is not None:
        _check_columns(table, [offset], "offset", source)
    if features is None:
        skip = {target, weight, offset, *exclude}
        features = [c for c in table.column_names if c not in skip]
    else:
        features = list(features)
        _check_columns(table, features, "feature", source)
        clash = [c for c in features if c in (target, weight, offset)]
        if clash:
            raise DataError(f"column {clash[0]!r} cannot be both a feature and the target, weight or offset")
    if not features:
        raise DataError(f"{source} has no feature columns besides the target {target!r}")
    kinds = {c: _feature_kind(table, c, source) for c in features}

    n_rows = table.num_rows
    masks = {target: _missing_mask(table.column(target))}
    for c in (weight, offset):
        if c is not None:
            masks[c] = _missing_mask(table.column(c))
    for c in features:
        masks[c] = _missing_mask(table.column(c))
    keep, counts = _apply_missing(masks, missing, source, n_rows, fillable=set(features))

    encodings = []
    for c in features:
        col = table.column(c).combine_chunks()
        present = keep & ~masks[c]
        if kinds[c] == "numeric":
            values = _as_float(col, c, source, training=True)[present]
            fill = float(values.mean()) if values.size else None
            encodings.append(ColumnEncoding(c, "numeric", fill=fill))
        else:
            values = _as_text(col)[present]
            levels, freq = np.unique(values.astype(str), return_counts=True)
            levels = [str(v) for v in levels]
            if max_levels is not None and len(levels) > max_levels:
                raise DataError(
                    f"text column {c!r} in {source} has {len(levels)} distinct values, more than --max-levels "
                    f"{max_levels}: one-hot encoding would make {len(levels) - 1} features. If it is an id, leave "
                    "it out (--exclude); to encode it anyway, raise --max-levels"
                )
            fill = levels[int(np.argmax(freq))] if levels else None
            ref = levels[0] if reference_levels and levels else None
            encodings.append(ColumnEncoding(c, "categorical", levels=levels, reference=ref, fill=fill))
        if fill is None:
            raise DataError(f"column {c!r} in {source} has no values left to learn from")

    names = [n for enc in encodings for n in enc.feature_names]
    _check_feature_names(encodings, names, source)
    _check_design_size(int(keep.sum()), len(names), source)
    X = _encode(table, encodings, keep, source, fill=(missing == "mean"))
    y = _target_values(table.column(target), target, source)[keep]
    classes = np.unique(y)
    if classes.size < 2:
        only = classes[0].item() if hasattr(classes[0], "item") else classes[0]
        raise DataError(
            f"target column {target!r} has one class ({only!r}) in {_plural(y.size, 'row')}; "
            "logistic regression needs two or more"
        )
    sw = None
    if weight is not None:
        if not _is_numeric(table.schema.field(weight).type):
            raise DataError(f"weight column {weight!r} must be numeric, it has type {table.schema.field(weight).type}")
        sw = _as_float(table.column(weight).combine_chunks(), weight, source, training=True)[keep]
        if not np.all(np.isfinite(sw)) or (sw < 0).any():
            raise DataError(f"weight column {weight!r} must hold finite non-negative numbers")
        if not sw.sum() > 0:
            raise DataError(f"weight column {weight!r} sums to zero; at least one row needs a positive weight")
    return Design(
        offset=_offset_values(table, offset, keep, source),
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


def _offset_values(table, offset, keep, source):
    """The offset column's finite values on the kept rows (None without an offset column)."""
    if offset is None:
        return None
    if not _is_numeric(table.schema.field(offset).type):
        raise DataError(f"offset column {offset!r} must be numeric, it has type {table.schema.field(offset).type}")
    values = _as_float(table.column(offset).combine_chunks(), offset, source)[keep]
    if not np.all(np.isfinite(values)):
        raise DataError(f"offset column {offset!r} must hold finite numbers (e.g. log(exposure) with exposure > 0)")
    return values


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
    if missing not in MISSING_POLICIES:
        raise DataError(f"unknown missing-value policy {missing!r}; use one of {', '.join(MISSING_POLICIES)}")
    names = [enc.name for enc in columns]
    _check_columns(table, names, "feature", source)
    extra = [c for c in (target, weight, offset, id_column) if c is not None]
    _check_columns(table, extra, "requested", source)
    n_rows = table.num_rows
    masks = {c: _missing_mask(table.column(c)) for c in [*names, *extra] if c != id_column}
    keep, counts = _apply_missing(masks, missing, source, n_rows, fillable=set(names))
    X = _encode(table, columns, keep, source, fill=(missing == "mean"))
    y = _target_values(table.column(target), target, source)[keep] if target is not None else None
    sw = None
    if weight is not None:
        sw = _as_float(table.column(weight).combine_chunks(), weight, source)[keep]
        if not np.all(np.isfinite(sw)) or (sw < 0).any():
            raise DataError(f"weight column {weight!r} must hold finite non-negative numbers")
    ids = None
    if id_column is not None:
        ids = table.column(id_column).combine_chunks().filter(pa.array(keep))
    return Design(
        offset=_offset_values(table, offset, keep, source),
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
