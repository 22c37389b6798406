"""The fitted estimator's predictions and its fitted attributes, read from its FittedModel.

:class:`FittedAttributes` declares scikit-learn's fitted attributes (``coef_``,
``intercept_``, ``classes_``, ``n_iter_`` ...) as views of ``model_``, the
estimator's :class:`logreg.model.FittedModel`: they exist once ``fit`` (or
:func:`logreg.load`) has set ``model_``; writing one (``coef_`` after
``sparsify()``, a user's own coefficients) replaces ``model_`` by a copy with it.
:class:`PredictMixin` is ``decision_function``, ``predict_proba``,
``predict_log_proba`` and ``predict`` on those attributes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from scipy import special
from sklearn.utils.validation import check_is_fitted

from ._validation import is_dask_collection, validate
from .model import FittedModel
from .offset import check_offset

#: What X may be: array-like, a scipy.sparse matrix, a table (pandas, polars, pyarrow) or a dask array.
Matrix = Any

__all__ = ["FittedAttributes", "OwnAttribute", "PredictMixin"]


def _dask_blocks(model, X, method, offset=None):
    """``model.<method>`` chunk by chunk on a dask array or DataFrame X (a lazy dask array)."""
    from .distributed import is_dask_frame, predict_blocks, predict_frame  # imports dask: only for dask input

    if offset is not None:
        if is_dask_frame(X):
            raise ValueError(
                "offset with a dask DataFrame is not available yet: pass X as a dask array "
                "(df[columns].to_dask_array(lengths=True)) with the offset"
            )
        from .distributed.predict import predict_with_offset

        return predict_with_offset(model, X, offset, method)
    return (predict_frame if is_dask_frame(X) else predict_blocks)(model, X, method)


class _Fitted:
    """A fitted attribute read from ``model_`` (absent before fit, or when the model has none)."""

    def __init__(
        self,
        get: Callable[[FittedModel], Any],
        put: Callable[[FittedModel, Any], FittedModel] | None = None,
        *,
        none: bool = False,
    ):
        # none=True: a fitted model without it reads None (the attribute exists after any fit)
        self.get, self.put, self.none = get, put, none

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        model = obj.__dict__.get("model_")
        value = None if model is None else self.get(model)
        if value is None and (model is None or not self.none):
            raise AttributeError(f"{type(obj).__name__!r} object has no attribute {self.name!r}")
        return value

    def __set__(self, obj, value):
        model = obj.__dict__.get("model_")
        if model is None or self.put is None:
            raise AttributeError(f"{self.name} is set by fit: it reads model_, the fitted model")
        obj.model_ = self.put(model, value)


def _info(**kw):
    """A setter of fields of the FitInfo."""
    ((name, convert),) = kw.items()
    return lambda m, v: m.replace(info=dataclasses.replace(m.info, **{name: convert(v)}))


def _standardization(i):
    return lambda m: None if m.standardization is None else np.asarray(m.standardization[i])


class OwnAttribute:
    """A fitted attribute that a subclass keeps itself (in the instance), hiding a :class:`FittedAttributes` view."""

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        raise AttributeError(f"{type(obj).__name__!r} object has no attribute {self.name!r}")


class FittedAttributes:
    """scikit-learn's fitted attributes as views of ``model_`` (see the module's docstring)."""

    classes_ = _Fitted(lambda m: m.classes)
    coef_ = _Fitted(lambda m: m.coef, lambda m, v: m.replace(coef=v))
    intercept_ = _Fitted(lambda m: m.intercept, lambda m, v: m.replace(intercept=np.atleast_1d(np.asarray(v))))
    n_iter_ = _Fitted(lambda m: np.array([m.info.n_iter], dtype=np.int32), _info(n_iter=lambda v: int(np.max(v))))
    converged_ = _Fitted(lambda m: m.info.converged, _info(converged=bool))
    objective_history_ = _Fitted(lambda m: m.info.history, _info(history=np.asarray))
    solver_ = _Fitted(lambda m: m.info.solver, _info(solver=str))
    n_passes_ = _Fitted(lambda m: m.info.n_passes, _info(n_passes=int))
    grad_norm_ = _Fitted(lambda m: m.info.grad_norm, _info(grad_norm=float))
    encoding_ = _Fitted(lambda m: m.encoding, lambda m, v: m.replace(encoding=v))
    standardize_mean_ = _Fitted(_standardization(0))
    standardize_scale_ = _Fitted(_standardization(1))
    missing_ = _Fitted(lambda m: m.missing)
    coef_bounds_ = _Fitted(lambda m: m.coef_bounds, none=True)


class PredictMixin:
    """Predictions of a fitted logistic regression (``coef_``, ``intercept_``, ``classes_``)."""

    coef_: Any
    intercept_: np.ndarray
    classes_: np.ndarray

    def _encode_raw(self, X):
        """The features of a raw table through ``encoding_`` (None when X is not one)."""
        encoding = getattr(self, "encoding_", None)  # its own attribute (absent unless fitted on a table)
        if encoding is None:
            return None
        from .io.encoding import encode_if_raw

        return encode_if_raw(encoding, X, getattr(self, "feature_names_in_", None))

    def _check_X(self, X):
        check_is_fitted(self)
        encoded = self._encode_raw(X)
        if encoded is not None:
            return encoded
        return validate(
            self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=False, accept_large_sparse=True
        )

    def decision_function(self, X: Matrix, offset: Any = None) -> np.ndarray:
        """z = X w + b (+ offset).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        offset : array-like of shape (n_samples,) or (n_samples, n_classes), default=None
            The rows' offsets, as given to ``fit`` (None: no offset).

        Returns
        -------
        ndarray of shape (n_samples,) for two classes, else (n_samples, n_classes)
            (a dask array, chunk by chunk, for a dask array X)
        """
        if is_dask_collection(X):
            return _dask_blocks(self, X, "decision_function", offset)
        X = self._check_X(X)
        z = X @ self.coef_.T
        z = np.asarray(z.toarray() if sp.issparse(z) else z) + self.intercept_
        z = z.ravel() if self.classes_.size == 2 else z
        offset = check_offset(offset, z.shape[0], self.classes_.size)
        return z if offset is None else z + offset

    def predict_proba(self, X: Matrix, offset: Any = None) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        offset : array-like, default=None
            As in :meth:`decision_function`.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            (a dask array, chunk by chunk, for a dask array X)
        """
        if is_dask_collection(X):
            return _dask_blocks(self, X, "predict_proba", offset)
        z = self.decision_function(X, offset)
        if z.ndim == 1:
            # expit(-z), not 1 - expit(z): keeps P(class 0) ~ e^{-z} instead of rounding it to 0
            return np.column_stack([special.expit(-z), special.expit(z)])
        return special.softmax(z, axis=1)

    def predict_log_proba(self, X: Matrix, offset: Any = None) -> np.ndarray:
        """Log of :meth:`predict_proba`, computed without log(0) (log-sigmoid).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        offset : array-like, default=None
            As in :meth:`decision_function`.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            (a dask array, chunk by chunk, for a dask array X)
        """
        if is_dask_collection(X):
            return _dask_blocks(self, X, "predict_log_proba", offset)
        z = self.decision_function(X, offset)
        if z.ndim == 1:
            return np.column_stack([special.log_expit(-z), special.log_expit(z)])
        return special.log_softmax(z, axis=1)

    def predict(self, X: Matrix, offset: Any = None) -> np.ndarray:
        """Most probable class for each row.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        offset : array-like, default=None
            As in :meth:`decision_function`.

        Returns
        -------
        ndarray of shape (n_samples,), values from ``classes_``
            (a dask array, chunk by chunk, for a dask array X)
        """
        if is_dask_collection(X):
            return _dask_blocks(self, X, "predict", offset)
        z = self.decision_function(X, offset)
        idx = (z > 0).astype(int) if z.ndim == 1 else z.argmax(axis=1)
        return self.classes_[idx]

    def score(self, X: Matrix, y: Any, sample_weight: Any = None, offset: Any = None) -> float:
        """Mean accuracy of :meth:`predict` on (X, y), as scikit-learn's ClassifierMixin.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
        offset : array-like, default=None
            As in :meth:`decision_function`.

        Returns
        -------
        float
        """
        from sklearn.metrics import accuracy_score

        return float(accuracy_score(y, self.predict(X, offset), sample_weight=sample_weight))

    # ---------------------------------------------------- sparse coefficients
    def sparsify(self) -> Self:
        """Store ``coef_`` as a scipy.sparse CSR array (scikit-learn's SparseCoefMixin).

        Worth it when most coefficients are zero (L1); predictions work as
        before.  ``summary`` and ``save`` need :meth:`densify` first; ``fit`` densifies.

        Returns
        -------
        self : LogisticRegression
        """
        check_is_fitted(self)
        self.coef_ = sp.csr_array(self.coef_)
        return self

    def densify(self) -> Self:
        """Store ``coef_`` as a numpy array again (a no-op when it is one).

        Returns
        -------
        self : LogisticRegression
        """
        check_is_fitted(self)
        if sp.issparse(self.coef_):
            self.coef_ = self.coef_.toarray()
        return self
