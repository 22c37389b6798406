"""Encoding a table that arrives in parts (Parquet row groups, DataFrame partitions).

The in-memory path (:func:`logreg.io.tables.prepare_training`) sees the whole table at
once.  A table too large for memory is seen one part at a time: a first pass collects
:class:`PartStats` per part (missing values, column means, text levels, rows kept), which
merge into the same :class:`~logreg.io.tables.ColumnEncoding` list the in-memory path
records; every later pass encodes each part with
:func:`~logreg.io.tables.prepare_prediction`, which applies the encoding and the
missing-value policy exactly as at prediction time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from .columns import (
    as_float,
    as_text,
    check_columns,
    check_policy,
    feature_kind,
    missing_mask,
    refuse_missing,
    sample_weights,
    target_values,
)
from .inputs import DataError
from .limits import MAX_LEVELS
from .onehot import ColumnEncoding, check_feature_names, text_encoding
from .tables import prepare_prediction

__all__ = ["PartStats", "encode_part", "encodings_from", "merge_stats", "part_stats", "select_features"]


def select_features(names, target, weight=None, features=None, exclude=()):
    """The feature columns of a table with columns ``names``, as :func:`prepare_training` picks them."""
    if features is None:
        skip = {target, weight, *exclude}
        return [c for c in names if c not in skip]
    features = list(features)
    clash = [c for c in features if c in (target, weight)]
    if clash:
        raise DataError(f"column {clash[0]!r} cannot be both a feature and the target or weight")
    return features


@dataclass
class PartStats:
    """What the first pass learns from one part; parts merge with :func:`merge_stats`.

    Attributes
    ----------
    n_rows, n_kept : int
        Rows read, and rows the missing-value policy keeps.
    any_missing : int
        Rows with a missing value in a used column.
    missing : dict
        Column -> rows with a missing value.
    kinds : dict
        Feature -> 'numeric' or 'categorical'.
    sums, counts : dict
        Numeric feature -> sum and number of its present values in kept rows.
    levels : dict
        Text feature -> {level: rows} in kept rows.
    known : dict
        Text feature -> its categories when the column's type lists them (a categorical dtype),
        in the dtype's order (the first is the reference level, as in pandas and R).
    """

    n_rows: int = 0
    n_kept: int = 0
    any_missing: int = 0
    missing: dict = field(default_factory=dict)
    kinds: dict = field(default_factory=dict)
    sums: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    levels: dict = field(default_factory=dict)
    known: dict = field(default_factory=dict)


def _known_categories(col):
    """The categories of a dictionary column whose dictionary lists them all (pandas categoricals)."""
    if not pa.types.is_dictionary(col.type):
        return None
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    return [str(v) for v in col.dictionary.to_pylist() if v is not None]


def part_stats(table, *, target, features, weight=None, missing="refuse", source="the data", categories=None):
    """The :class:`PartStats` of one part (a pyarrow Table).

    Parameters
    ----------
    table : pyarrow.Table
    target : str
    features : list of str
    weight : str, optional
    missing : {'refuse', 'drop', 'mean'}
        Only 'drop' removes rows here; 'refuse' is decided after the merge (on every part's counts).
    source : str
    categories : dict, optional
        Text feature -> its known categories (from a categorical dtype).
    """
    check_columns(table, [target, *features, *([weight] if weight else [])], "requested", source)
    st = PartStats(n_rows=table.num_rows)
    masks = {c: missing_mask(table.column(c)) for c in [target, *([weight] if weight else []), *features]}
    any_missing = np.zeros(table.num_rows, dtype=bool)
    for c, m in masks.items():
        if m.any():
            st.missing[c] = int(m.sum())
            any_missing |= m
    st.any_missing = int(any_missing.sum())
    keep = ~any_missing if missing == "drop" else np.ones(table.num_rows, dtype=bool)
    st.n_kept = int(keep.sum())
    for c in features:
        st.kinds[c] = feature_kind(table, c, source)
        present = keep & ~masks[c]
        col = table.column(c).combine_chunks()
        if st.kinds[c] == "numeric":
            values = as_float(col, c, source, training=True)[present]
            st.sums[c], st.counts[c] = float(values.sum()), int(values.size)
        else:
            known = (categories or {}).get(c) or _known_categories(col)
            if known is not None:
                st.known[c] = list(known)  # in the dtype's order: its first category is the reference
            lv, freq = np.unique(as_text(col)[present].astype(str), return_counts=True)
            st.levels[c] = dict(zip(lv.tolist(), freq.tolist(), strict=True))
    return st


def merge_stats(*parts):
    """Combine the parts' :class:`PartStats` (column kinds must agree)."""
    out = PartStats()
    for p in parts:
        out.n_rows += p.n_rows
        out.n_kept += p.n_kept
        out.any_missing += p.any_missing
        for c, n in p.missing.items():
            out.missing[c] = out.missing.get(c, 0) + n
        for c, kind in p.kinds.items():
            if out.kinds.setdefault(c, kind) != kind:
                raise DataError(f"column {c!r} is numeric in some parts of the data and text in others")
        for c, s in p.sums.items():
            out.sums[c] = out.sums.get(c, 0.0) + s
            out.counts[c] = out.counts.get(c, 0) + p.counts[c]
        for c, lv in p.levels.items():
            acc = out.levels.setdefault(c, {})
            for k, n in lv.items():
                acc[k] = acc.get(k, 0) + n
        for c, known in p.known.items():
            acc = out.known.setdefault(c, [])
            acc.extend(k for k in known if k not in acc)
    return out


def encodings_from(
    st,
    features,
    *,
    target,
    weight=None,
    missing="refuse",
    reference_levels=True,
    source="the data",
    max_levels=MAX_LEVELS,
    option="--missing {}",
):
    """The column encodings of the merged first pass, as :func:`prepare_training` records them.

    ``option`` names the missing-value policy's setting in messages (``"--missing {}"``).

    Returns
    -------
    list of ColumnEncoding
    """
    check_policy(missing)
    if not features:
        raise DataError(f"{source} has no feature columns besides the target {target!r}")
    # the policy on the whole data's counts, with the messages of the in-memory path
    refuse_missing(
        st.missing, missing, source, n_rows=st.n_rows, n_affected=st.any_missing, fillable=set(features), option=option
    )
    encodings = []
    for c in features:
        if st.kinds[c] == "numeric":
            fill = st.sums[c] / st.counts[c] if st.counts[c] else None
            enc = ColumnEncoding(c, "numeric", fill=fill)
        else:
            freq = st.levels[c]
            levels = st.known.get(c) or sorted(freq)
            enc = text_encoding(
                c, levels, freq, reference_levels=reference_levels, max_levels=max_levels, source=source
            )
        if enc.fill is None and enc.kind == "numeric":
            raise DataError(f"column {c!r} in {source} has no values left to learn from")
        encodings.append(enc)
    check_feature_names(encodings, source)
    return encodings


def _fast_numeric(table, encodings):
    """X of a part whose features are numeric without missing values: one copy into row-major
    order (Arrow's own conversion when every column is float64), or None for the general path."""
    names = [enc.name for enc in encodings]
    cols = [table.column(n) for n in names]
    if any(c.null_count or not (pa.types.is_floating(c.type) or pa.types.is_integer(c.type)) for c in cols):
        return None
    if all(c.type == pa.float64() for c in cols):
        X = table.select(names).to_tensor(row_major=True).to_numpy()
    else:
        X = np.empty((table.num_rows, len(names)), dtype=np.float64)
        for j, c in enumerate(cols):
            X[:, j] = c.to_numpy()
    # one read: a finite sum proves every entry finite; NaN (missing) and infinity (refused)
    # are the general path's to name
    return X if np.isfinite(np.sum(X)) else None


def encode_part(table, encodings, *, target=None, weight=None, missing="refuse", source="the data"):
    """X, labels and weights of one part, encoded as recorded at fit.

    Returns
    -------
    X : ndarray of shape (n_kept, n_features), float64
    y : ndarray of shape (n_kept,) or None
    sample_weight : ndarray of shape (n_kept,) or None
    """
    if all(e.kind == "numeric" for e in encodings) and (weight is None or not table.column(weight).null_count):
        X = _fast_numeric(table, encodings)
        if X is not None and (target is None or not missing_mask(table.column(target)).any()):
            y = None if target is None else target_values(table.column(target), target, source)
            sw = None if weight is None else sample_weights(table, weight, source)
            return X, y, sw
    design = prepare_prediction(table, encodings, target=target, weight=weight, missing=missing, source=source)
    return design.X, design.y, design.sample_weight
