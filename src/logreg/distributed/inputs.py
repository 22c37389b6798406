"""Checks of dask arrays X, y and sample_weight before any data is read."""

from __future__ import annotations

import math

import dask
import dask.array as da
import numpy as np

__all__ = ["check_dask_inputs", "check_dask_offset"]


def _as_dask_rows(v, X, name):
    """y or sample_weight as a 1-D dask array with X's row chunks."""
    if dask.is_dask_collection(v) and not isinstance(v, da.Array):
        # np.asarray would compute a dask Series on the client, whole
        raise TypeError(
            f"{name} is a {type(v).__name__}; pass a dask array with X's rows: "
            f"{name} = series.to_dask_array(lengths=True), or convert X and {name} together "
            "(df[columns].to_dask_array(lengths=True)) so that they share their row chunks"
        )
    if isinstance(v, da.Array):
        if v.ndim == 2 and v.shape[1] == 1:
            v = v[:, 0]
        if v.ndim != 1:
            raise ValueError(f"{name} must be 1-D, shape (n_samples,), got shape {v.shape}: pass one value per row")
        if any(math.isnan(c) for c in v.chunks[0]):
            raise ValueError(f"{name} has unknown chunk sizes; call {name}.compute_chunk_sizes() first")
    else:
        v = np.asarray(v)
        if v.ndim == 2 and v.shape[1] == 1:
            v = v[:, 0]
        if v.ndim != 1:
            raise ValueError(f"{name} must be 1-D, shape (n_samples,), got shape {v.shape}: pass one value per row")
    if v.shape[0] != X.shape[0]:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: X has {X.shape[0]} rows but {name} has "
            f"{v.shape[0]}. X, y and sample_weight need one entry per row: check that they come from the same rows."
        )
    if isinstance(v, da.Array):
        return v if v.chunks[0] == X.chunks[0] else v.rechunk((X.chunks[0],))
    return da.from_array(v, chunks=(X.chunks[0],))


def check_dask_offset(offset, X):
    """The offset as a float64 dask array with X's row chunks (one column chunk when 2-D).

    Parameters
    ----------
    offset : dask.array.Array or array-like of shape (n_samples,) or (n_samples, n_classes)
    X : dask.array.Array of shape (n_samples, n_features), checked

    Returns
    -------
    dask.array.Array
    """
    if dask.is_dask_collection(offset) and not isinstance(offset, da.Array):
        raise TypeError(
            f"offset is a {type(offset).__name__}; pass a dask array with X's rows "
            "(e.g. series.to_dask_array(lengths=True))"
        )
    o = offset if isinstance(offset, da.Array) else np.asarray(offset, dtype=np.float64)
    if o.ndim not in (1, 2) or o.shape[0] != X.shape[0]:
        raise ValueError(
            f"offset has shape {o.shape}, expected ({X.shape[0]},) or ({X.shape[0]}, n_classes): one per row of X"
        )
    if isinstance(o, da.Array) and any(math.isnan(c) for c in o.chunks[0]):
        raise ValueError("offset has unknown chunk sizes; call offset.compute_chunk_sizes() first")
    chunks = (X.chunks[0],) if o.ndim == 1 else (X.chunks[0], (o.shape[1],))
    if not isinstance(o, da.Array):
        return da.from_array(o, chunks=chunks)
    return (o if o.chunks == chunks else o.rechunk(chunks)).astype(np.float64)


def check_dask_inputs(X, y, sample_weight=None):
    """Check shapes and dtypes (reads no data); return X, y, sample_weight with X's row chunks.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
        Dense or scipy.sparse chunks; integer and boolean X become float64,
        float32 stays float32.  Column chunks are merged (rows must be whole).
    y : dask.array.Array or array-like of shape (n_samples,)
    sample_weight : dask.array.Array, array-like of shape (n_samples,), float or None

    Returns
    -------
    X : dask.array.Array of shape (n_samples, n_features), float32 or float64, one column chunk
    y : dask.array.Array of shape (n_samples,)
    sample_weight : dask.array.Array of shape (n_samples,) or None
    """
    if not isinstance(X, da.Array):
        raise TypeError(
            f"X is a {type(X).__name__}; logreg takes dask arrays and dask DataFrames: pass "
            "df[columns], or X = df[columns].to_dask_array(lengths=True)"
        )
    if X.ndim != 2:
        raise ValueError(
            f"X must be 2-D, (n_samples, n_features), got shape {X.shape}: use X.reshape(-1, 1) for one feature"
        )
    if any(math.isnan(c) for c in X.chunks[0]):
        raise ValueError(
            "X has unknown chunk sizes (as from a dask DataFrame); call X.compute_chunk_sizes(), "
            "or convert with df.to_dask_array(lengths=True)"
        )
    if X.shape[0] == 0:
        raise ValueError("Found array with 0 sample(s); X is empty: pass at least one row per class.")
    if X.shape[1] == 0:
        raise ValueError("Found array with 0 feature(s); X has no columns: pass at least one feature column.")
    kind = np.dtype(X.dtype).kind
    if kind == "c":
        raise ValueError("Complex data not supported; pass real numbers: e.g. X.real.")
    if kind not in "fiub":
        raise ValueError(
            f"X has dtype {X.dtype}; X must be numeric: one-hot encode text columns before converting to a dask array"
        )
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})
    y = _as_dask_rows(y, X, "y")
    if sample_weight is not None:
        if not isinstance(sample_weight, da.Array) and np.ndim(sample_weight) == 0:
            sample_weight = da.full(X.shape[0], float(sample_weight), chunks=(X.chunks[0],))
        sample_weight = _as_dask_rows(sample_weight, X, "sample_weight")
        if np.dtype(sample_weight.dtype).kind not in "fiub":
            raise ValueError(f"sample_weight has dtype {sample_weight.dtype}; pass numbers, one weight per row")
    return X, y, sample_weight
