"""Row sources: data that ``LogisticRegression.fit`` reads in parts, not as one array.

A row source carries its labels (and weights) and offers
``prepare_fit(class_weight=, fit_intercept=, options=, on_pass=)`` returning a chunked
data term (:mod:`logreg.chunked`) and the classes, after which its ``feature_names``,
``columns`` (the :class:`~logreg.io.tables.ColumnEncoding` list) and ``missing`` (the
missing-value policy) describe the features.  Two exist:

* :class:`logreg.io.parquet_source.ParquetSource`: Parquet files streamed row group by
  row group (bounded memory, no cluster);
* :class:`logreg.distributed.frames.DaskFrameSource`: a dask DataFrame with a dask Series
  of labels, encoded and loaded on the workers (made for ``fit(ddf[features], ddf[y])``).
"""

from __future__ import annotations

from ._validation import is_dask_collection

__all__ = ["row_source"]


def row_source(X, y=None, sample_weight=None):
    """The row source for fit's arguments, or None when X is an array (in memory or dask).

    Raises
    ------
    TypeError
        A row source given with separate labels or weights.
    """
    if hasattr(X, "prepare_fit") and hasattr(X, "feature_names"):
        if y is not None or sample_weight is not None:
            raise TypeError(
                f"X is a {type(X).__name__}, which reads its own labels and weights (target=, weight=); "
                "call fit(source) without y and sample_weight"
            )
        return X
    if is_dask_collection(X) and hasattr(X, "columns") and hasattr(X, "map_partitions"):
        from .distributed.frames import DaskFrameSource

        return DaskFrameSource(X, y, sample_weight)
    return None
