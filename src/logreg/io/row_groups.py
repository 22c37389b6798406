"""Parquet read one row group at a time: training blocks for out-of-core SGD.

A file, a directory of Parquet files, or a glob (named by
:func:`logreg.io.parquet_source.parquet_files`, which ParquetSource shares) is read row
group by row group (``pyarrow.parquet.ParquetFile.read_row_group``), never whole.  The columns are encoded as the CLI encodes a table: the encoding
(one-hot levels, the fill values of ``--missing mean``) is learnt on the first
row group by :func:`logreg.io.tables.prepare_training` and applied to every
row group by :func:`logreg.io.tables.prepare_prediction`, so a text level
first seen in a later row group is refused with the column's name.
"""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq

from .parquet_source import parquet_files
from .tables import DataError, prepare_prediction, prepare_training

__all__ = ["parquet_files", "first_design", "row_group_blocks", "labels_and_weights"]


def _row_groups(files, columns=None):
    """Yield ``(name, pyarrow.Table)`` per row group of every file, reading only ``columns``."""
    for path in files:
        try:
            pf = pq.ParquetFile(path)
        except (OSError, ValueError) as exc:
            raise DataError(f"could not read {path} as Parquet: {exc}") from None
        for i in range(pf.num_row_groups):
            table = pf.read_row_group(i, columns=columns)
            if table.num_rows:
                yield f"{path} (row group {i})", table


def first_design(files, **training):
    """The encoded first non-empty row group: its ``columns`` encode every later one.

    Parameters
    ----------
    files : list of str
    **training
        Keywords of :func:`logreg.io.tables.prepare_training` (target, features, ...).

    Returns
    -------
    logreg.io.tables.Design
    """
    for name, table in _row_groups(files):
        return prepare_training(table, source=name, **training)
    raise DataError(f"{files[0]} has no data rows")


def labels_and_weights(files, *, target, weight=None, missing="refuse"):
    """Every label and the total weight, reading only the target and weight columns.

    Returns
    -------
    labels : ndarray
        The distinct labels, sorted.
    weight_sum : float
        Total weight of the rows with a label (their number without weights).
    """
    cols = [target] + ([weight] if weight is not None else [])
    labels, total = [], 0.0
    for name, table in _row_groups(files, cols):
        d = prepare_prediction(table, [], target=target, weight=weight, missing=missing, source=name)
        labels.append(np.unique(d.y))
        total += float(d.y.size if d.sample_weight is None else d.sample_weight.sum())
    return np.unique(np.concatenate(labels)), total


def row_group_blocks(files, columns, *, target, weight=None, missing="refuse"):
    """Yield ``(X, y, sample_weight, design)`` for each row group, encoded by ``columns``.

    Parameters
    ----------
    files : list of str
    columns : list of logreg.io.tables.ColumnEncoding
        From :func:`first_design`.
    target : str
    weight : str, optional
    missing : {'refuse', 'drop', 'mean'}

    Yields
    ------
    X : ndarray of shape (n_rows, n_features), float64
    y : ndarray of shape (n_rows,)
    sample_weight : ndarray of shape (n_rows,) or None
    design : logreg.io.tables.Design
        The block's row counts (read, dropped, missing per column).
    """
    needed = [enc.name for enc in columns] + [target] + ([weight] if weight is not None else [])
    for name, table in _row_groups(files, list(dict.fromkeys(needed))):
        d = prepare_prediction(table, columns, target=target, weight=weight, missing=missing, source=name)
        yield d.X, d.y, d.sample_weight, d
