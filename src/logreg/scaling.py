"""Standardised columns for the fit, coefficients on the original scale.

With ``z = x w + b`` and standardised columns ``x_s = (x - m) / s``, a model
``z = x_s w_s + b_s`` is the model ``w = w_s / s``, ``b = b_s - m . w`` on the
original columns: the same predictions, so a fit on standardised columns is
reported (and predicts) on the original scale.  Only the penalty, which
measures ``w_s``, sees the difference.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["standardize_columns", "to_original", "to_standard"]


def _binary_or_constant(X: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Columns that are constant or hold only 0 and 1 (dummies): left as they are."""
    constant = lo == hi
    candidate = (lo >= 0) & (hi <= 1) & ~constant
    binary = np.zeros_like(constant)
    if candidate.any():
        cols = X[:, candidate]
        binary[candidate] = np.all((cols == 0) | (cols == 1), axis=0)
    return constant | binary


def standardize_columns(X, *, center: bool):
    """Standardise the continuous columns of X.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    center : bool
        Subtract the means (only with an intercept to absorb them; never for
        sparse X, which would become dense).

    Returns
    -------
    X_s : {ndarray, sparse matrix} of shape (n_samples, n_features), X's dtype
        A new array (X is not modified).
    mean : ndarray of shape (n_features,)
        0 for columns not centred.
    scale : ndarray of shape (n_features,)
        The standard deviation (ddof=0); 1 for columns left alone.
    """
    if sp.issparse(X):
        Xc = sp.csc_array(X)
        mean_all = np.asarray(Xc.mean(axis=0)).ravel()
        sq = np.asarray(Xc.multiply(Xc).mean(axis=0)).ravel()
        sd = np.sqrt(np.maximum(sq - mean_all**2, 0.0))
        lo = np.asarray(Xc.min(axis=0).toarray()).ravel()
        hi = np.asarray(Xc.max(axis=0).toarray()).ravel()
        # on [0, 1], x^2 <= x with equality only at 0 and 1: a column is 0/1 when its means of x and x^2 agree
        keep = (lo == hi) | ((lo >= 0) & (hi <= 1) & np.isclose(sq, mean_all, rtol=1e-12, atol=0))
        scale = np.where(keep | (sd == 0), 1.0, sd)
        mean = np.zeros_like(scale)
        return sp.csr_array(Xc @ sp.diags_array(1.0 / scale).astype(X.dtype)), mean, scale
    X = np.asarray(X)
    lo, hi = X.min(axis=0), X.max(axis=0)
    keep = _binary_or_constant(X, lo, hi)
    mean = np.where(keep | (not center), 0.0, X.mean(axis=0, dtype=np.float64))
    sd = X.std(axis=0, dtype=np.float64)
    scale = np.where(keep | (sd == 0), 1.0, sd)
    Xs = ((X - mean.astype(X.dtype)) / scale.astype(X.dtype)).astype(X.dtype, copy=False)
    return Xs, mean, scale


def to_original(coef: np.ndarray, intercept: np.ndarray, mean: np.ndarray, scale: np.ndarray):
    """Coefficients of standardised columns -> of the original columns.

    Parameters
    ----------
    coef : ndarray of shape (n_rows, n_features)
    intercept : ndarray of shape (n_rows,)
    mean, scale : ndarray of shape (n_features,)

    Returns
    -------
    coef : ndarray of shape (n_rows, n_features)
    intercept : ndarray of shape (n_rows,)
    """
    w = np.asarray(coef, dtype=np.float64) / scale
    return w, np.asarray(intercept, dtype=np.float64) - w @ mean


def to_standard(coef: np.ndarray, intercept: np.ndarray, mean: np.ndarray, scale: np.ndarray):
    """Inverse of :func:`to_original` (a warm start's coefficients on the standardised columns)."""
    c = np.asarray(coef, dtype=np.float64)
    return c * scale, np.asarray(intercept, dtype=np.float64) + c @ mean
