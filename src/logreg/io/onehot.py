"""One-hot encoding: how each source column becomes model features, learned at fit and applied after.

A :class:`ColumnEncoding` records one column's kind, its text levels and
reference level, and the value ``missing='mean'`` fills in; :func:`encode`
builds the design matrix from a list of them.  The whole table
(:mod:`logreg.io.tables`) and a table seen in parts
(:mod:`logreg.io.partitions`) learn the same encodings through
:func:`text_encoding`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .columns import as_float, as_text, missing_mask, plural
from .inputs import DataError

__all__ = ["ColumnEncoding", "check_feature_names", "encode", "text_encoding"]


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


def text_encoding(name, levels, counts, *, reference_levels, max_levels, source):
    """A text column's encoding from the levels seen in training and their row counts.

    Parameters
    ----------
    name : str
    levels : list of str
        In order (sorted, or a categorical dtype's order); the first is the reference.
    counts : dict of str -> int
        Rows per level; the fill is the most frequent level, the first of equals in sorted order.
    reference_levels : bool
        Drop the first level's feature (with an intercept).
    max_levels : int or None
        More levels are refused (an id one-hot encoded is a feature per row).
    source : str

    Returns
    -------
    ColumnEncoding
    """
    if max_levels is not None and len(levels) > max_levels:
        raise DataError(
            f"text column {name!r} in {source} has {len(levels)} distinct values, more than --max-levels "
            f"{max_levels}: one-hot encoding would make {len(levels) - 1} features. If it is an id, leave "
            "it out (--exclude); to encode it anyway, raise --max-levels"
        )
    fill = max(sorted(counts), key=counts.__getitem__) if counts else None
    ref = levels[0] if reference_levels and levels else None
    return ColumnEncoding(name, "categorical", levels=list(levels), reference=ref, fill=fill)


def check_feature_names(encodings, source):
    """Two columns may not produce one feature name (a column 'a=b' and level 'b' of column 'a')."""
    names = [n for enc in encodings for n in enc.feature_names]
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


def _check_fill(enc, source):
    if enc.fill is None:
        raise DataError(
            f"column {enc.name!r} in {source} has missing values and the model records no training value "
            "to fill them with; use --missing drop"
        )


def encode(table, encodings, keep, source, *, fill):
    """The design matrix of the kept rows; unseen text levels are a DataError.

    Parameters
    ----------
    table : pyarrow.Table
    encodings : list of ColumnEncoding
    keep : ndarray of shape (table.num_rows,), bool
    source : str
    fill : bool
        Fill missing values with each encoding's ``fill`` (``missing='mean'``).

    Returns
    -------
    ndarray of shape (keep.sum(), n_features), float64, C-contiguous
    """
    n = int(keep.sum())
    blocks = []
    for enc in encodings:
        col = table.column(enc.name).combine_chunks()
        mask = missing_mask(col)[keep]
        if enc.kind == "numeric":
            if pa.types.is_null(col.type):
                values = np.full(len(col), np.nan)
            else:
                values = as_float(col, enc.name, source)
            values = values[keep]
            if fill and mask.any():
                _check_fill(enc, source)
                values = np.where(mask, enc.fill, values)
            if np.isinf(values).any():
                k = int(np.isinf(values).sum())
                raise DataError(f"column {enc.name!r} in {source} has infinite values in {plural(k, 'row')}")
            blocks.append(values[:, None])
        else:
            values = as_text(col)[keep]
            if fill and mask.any():
                _check_fill(enc, source)
                values = np.where(mask, enc.fill, values)
            known = set(enc.levels)
            unseen = [v for v in values if v is not None and v not in known]
            if unseen:
                uniq = sorted(set(unseen))
                shown = ", ".join(map(repr, uniq[:5])) + (" …" if len(uniq) > 5 else "")
                raise DataError(
                    f"column {enc.name!r} in {source} has {plural(len(uniq), 'level')} not seen in training "
                    f"({shown}; {plural(len(unseen), 'row')}); the model knows {', '.join(map(repr, enc.levels))}"
                )
            levels = [lv for lv in enc.levels if lv != enc.reference]
            onehot = np.zeros((n, len(levels)))
            for j, lv in enumerate(levels):
                onehot[:, j] = values == lv
            blocks.append(onehot)
    if not blocks:
        return np.empty((n, 0))
    return np.ascontiguousarray(np.hstack(blocks), dtype=np.float64)
