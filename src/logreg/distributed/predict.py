"""Predictions on dask arrays, chunk by chunk."""

from __future__ import annotations

import functools

import dask.array as da
import numpy as np

from ..chunked.chunks import as_block

__all__ = ["predict_blocks", "predict_with_offset"]


def _predict_chunk(model, method, empty, Xb):
    if Xb.shape[0] == 0:  # scikit-learn's checks refuse empty input; an empty chunk has an empty answer
        return empty
    return getattr(model, method)(as_block(Xb))


def _from_scores(classes, method, zb):
    """``method``'s answer from a block of scores z (the offset already added)."""
    from scipy import special

    if method == "decision_function":
        return zb
    if method == "predict":
        return classes[(zb > 0).astype(int) if zb.ndim == 1 else zb.argmax(axis=1)]
    if zb.ndim == 1:
        f = special.expit if method == "predict_proba" else special.log_expit
        return np.column_stack([f(-zb), f(zb)])
    return (special.softmax if method == "predict_proba" else special.log_softmax)(zb, axis=1)


def predict_with_offset(model, X, offset, method):
    """``model.<method>(X, offset)`` on a dask array X, chunk by chunk, lazily.

    Parameters
    ----------
    model : LogisticRegression
        Fitted.
    X : dask.array.Array of shape (n_samples, n_features)
    offset : dask.array.Array or array-like of shape (n_samples,) or (n_samples, n_classes)
        Rechunked to X's rows.
    method : {'predict', 'predict_proba', 'predict_log_proba', 'decision_function'}

    Returns
    -------
    dask.array.Array
    """
    from .inputs import check_dask_offset

    K = model.classes_.size
    z = predict_blocks(model, X, "decision_function")
    o = check_dask_offset(offset, X if X.numblocks[1] == 1 else X.rechunk({1: -1}))
    want = (X.shape[0],) if K == 2 else (X.shape[0], K)
    if o.shape != want:
        raise ValueError(f"offset has shape {o.shape}, expected {want}: one per row" + ("" if K == 2 else " and class"))
    z = z + o
    if method == "decision_function":
        return z
    fn = functools.partial(_from_scores, model.classes_, method)
    if method == "predict":
        return z.map_blocks(fn, drop_axis=None if z.ndim == 1 else 1, dtype=model.classes_.dtype)
    if z.ndim == 1:
        return z.map_blocks(fn, new_axis=1, chunks=(z.chunks[0], (2,)), dtype=np.float64)
    return z.map_blocks(fn, dtype=np.float64)


def predict_blocks(model, X, method):
    """``model.<method>`` on each row chunk of a dask array, lazily.

    Parameters
    ----------
    model : LogisticRegression
        Fitted.
    X : dask.array.Array of shape (n_samples, n_features)
    method : {'predict', 'predict_proba', 'predict_log_proba', 'decision_function'}

    Returns
    -------
    dask.array.Array of shape (n_samples,) or (n_samples, n_classes)
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model)
    if not isinstance(X, da.Array):
        raise TypeError(f"X is a {type(X).__name__}; pass a dask array or a dask DataFrame")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, (n_samples, n_features), got shape {X.shape}")
    if X.shape[1] != model.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(model).__name__} is expecting {model.n_features_in_} "
            "features as input. Pass the same feature columns, in the same order, as at fit."
        )
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})
    # the output's dtype and width from one row of zeros, through the same method
    dtype = np.float64 if np.dtype(X.dtype).kind not in "f" else X.dtype
    probe = getattr(model, method)(np.zeros((1, X.shape[1]), dtype=dtype))
    fn = functools.partial(_predict_chunk, model, method, probe[:0])
    if probe.ndim == 1:
        return X.map_blocks(fn, drop_axis=1, dtype=probe.dtype, meta=probe[:0])
    return X.map_blocks(fn, chunks=(X.chunks[0], (probe.shape[1],)), dtype=probe.dtype, meta=probe[:0])
