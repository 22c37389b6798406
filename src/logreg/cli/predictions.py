"""The predictions ``logreg predict`` writes: their table, and the writer for stdout, CSV and Parquet.

In memory the predictions are one table; streamed or on a cluster
(:mod:`logreg.cli.outofcore`) they come part by part; both go through
:func:`write_predictions`.
"""

from __future__ import annotations

import sys

from ..io.atomic import atomic_path
from ..io.inputs import DataError

__all__ = ["prediction_table", "write_predictions"]


def prediction_table(classes, labels, proba, *, id_column=None, ids=None):
    """The output's columns: the id column (if named), ``label``, then ``proba_<class>`` per class.

    Parameters
    ----------
    classes : array-like of shape (n_classes,)
    labels : ndarray of shape (n_rows,)
    proba : ndarray of shape (n_rows, n_classes)
    id_column : str, optional
    ids : pyarrow.Array of length n_rows, optional

    Returns
    -------
    pyarrow.Table
    """
    import numpy as np
    import pyarrow as pa

    columns = {}
    if id_column is not None:
        columns[id_column] = ids
    columns["label"] = pa.array(np.asarray(labels).tolist())
    for k, c in enumerate(np.asarray(classes).tolist()):
        columns[f"proba_{c}"] = pa.array(proba[:, k], type=pa.float64())
    return pa.table(columns)


def write_predictions(tables, output, fmt, *, source):
    """Write prediction tables as they come: CSV on standard output, or one file replaced whole.

    Parameters
    ----------
    tables : iterable of pyarrow.Table
        The same columns each.
    output : str or None
        The file (None: standard output).
    fmt : {'csv', 'parquet'} or None
        None for standard output.
    source : str
        How to name the data when it holds no rows.

    Raises
    ------
    DataError
        No table came (nothing is written to a file).
    """
    import pyarrow as pa
    import pyarrow.csv as pcsv

    if fmt is None:
        first = True
        for t in tables:
            sink = pa.BufferOutputStream()
            pcsv.write_csv(t, sink, pcsv.WriteOptions(include_header=first))
            sys.stdout.write(sink.getvalue().to_pybytes().decode("utf-8"))
            first = False
        sys.stdout.flush()
        return
    with atomic_path(output) as tmp:
        writer = None
        try:
            for t in tables:
                if writer is None:
                    if fmt == "csv":
                        writer = pcsv.CSVWriter(tmp, t.schema)
                    else:
                        import pyarrow.parquet as pq

                        writer = pq.ParquetWriter(tmp, t.schema)
                writer.write_table(t)
        finally:
            if writer is not None:
                writer.close()
        if writer is None:
            raise DataError(f"{source} holds no rows")
