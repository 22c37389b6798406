"""The fit as a value: :class:`FittedModel`, what the faces of a fitted model read.

``LogisticRegression.fit`` builds one (:func:`logreg.fitting.fitted_model`), the
estimator holds it as ``model_`` and its scikit-learn attributes (``coef_``,
``intercept_``, ``classes_``, ``n_iter_`` ...) read it; the statistics
(:mod:`logreg.stats`), the diagnostics, the report, the model file
(:mod:`logreg.io.modelfile`) and :mod:`logreg.inference` take a FittedModel, never
the estimator's private fields.  Loading a model file builds one, which an
estimator then wraps.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from .layout import ParamLayout
from .penalties import penalty_kind

if TYPE_CHECKING:  # pragma: no cover
    from .column_checks import Diagnostic
    from .inference.statistics import FitStatistics
    from .io.encoding import TableEncoding

__all__ = ["FitInfo", "FittedModel", "PenaltySpec", "as_fitted"]


@dataclass(frozen=True)
class PenaltySpec:
    """The penalty a fit minimised, resolved once from the hyper-parameters.

    Attributes
    ----------
    kind : {'l2', 'l1', 'elasticnet', 'firth'} or None
        None for an unpenalised fit (``penalty=None`` or ``C=inf``).
    C : float
    l1_ratio : float or None
    """

    kind: str | None
    C: float = 1.0
    l1_ratio: float | None = None

    @classmethod
    def of(cls, penalty: str | None, C: float, l1_ratio: float | None = None) -> PenaltySpec:
        """From the estimator's ``penalty``, ``C`` and ``l1_ratio`` (see :func:`logreg.penalties.penalty_kind`)."""
        return cls(penalty_kind(penalty, C, l1_ratio), float(C), None if l1_ratio is None else float(l1_ratio))

    @property
    def penalized(self) -> bool:
        """Any penalty, Firth's included: the standard errors are not plain maximum likelihood's."""
        return self.kind is not None

    @property
    def firth(self) -> bool:
        return self.kind == "firth"

    @property
    def curvature(self) -> float:
        """The penalty's Hessian per coefficient on the (un-normalised) log-likelihood scale.

        The fit minimises (1/S) [sum_i s_i l_i + r(w) / C]; for r = ||w||^2/2 that
        adds I / C to the Fisher information (elastic net: (1 - l1_ratio) / C;
        L1 has no curvature, Firth's penalty is not of this form).
        """
        if self.kind == "l2":
            return 1.0 / self.C
        if self.kind == "elasticnet":
            return (1.0 - float(self.l1_ratio or 0.0)) / self.C
        return 0.0


@dataclass(frozen=True, eq=False)
class FitInfo:
    """How the solver got there (scikit-learn's ``n_iter_``, ``converged_`` ...).

    Attributes
    ----------
    solver : str or None
        The solver used ('auto' resolved), e.g. 'newton', 'firth-newton', 'sgd'.
    n_iter : int
    converged : bool
    history : ndarray of shape (n_iter + 1,)
        J after each iteration.
    grad_norm : float
        The optimality residual at the end (NaN when not measured).
    n_passes : int or None
        Passes over X.
    """

    solver: str | None = None
    n_iter: int = 0
    converged: bool = True
    history: np.ndarray = field(default_factory=lambda: np.empty(0))
    grad_norm: float = float("nan")
    n_passes: int | None = None


@dataclass(frozen=True, eq=False)
class FittedModel:
    """A fitted logistic regression.

    Attributes
    ----------
    classes : ndarray of shape (n_classes,)
    layout : logreg.layout.ParamLayout
    coef : ndarray of shape (layout.n_rows, n_features)
        On the original scale of X (also after ``standardize=True``); a scipy.sparse
        array after the estimator's ``sparsify()``.
    intercept : ndarray of shape (layout.n_rows,)
    penalty : PenaltySpec
    info : FitInfo
    class_weight : dict, 'balanced' or None
        Multiplies the sample weights again when statistics are recomputed from X.
    feature_names : tuple of str or None
        The columns' names when X had them (scikit-learn's ``feature_names_in_``).
    encoding : logreg.io.encoding.TableEncoding or None
        How a raw table becomes the features.
    standardization : (mean, scale) or None
        The column means and scales of a ``standardize=True`` fit, each of shape (n_features,).
    missing : str or None
        The missing-value policy of a fit on a dask DataFrame or a row source.
    statistics : logreg.inference.statistics.FitStatistics or None
        The sufficient statistics for the summary, when ``fit`` stored them.
    diagnostics : tuple of logreg.column_checks.Diagnostic or None
        The data problems ``fit`` found (None: not looked for).
    coef_bounds : (lower, upper) of ndarray of coef's shape, or None
        The box ``coef_bounds`` the fit kept the coefficients in (:mod:`logreg.bounds`;
        ``-inf`` / ``inf`` for an open side), None without bounds.
    """

    classes: np.ndarray
    layout: ParamLayout
    coef: Any
    intercept: np.ndarray
    penalty: PenaltySpec = field(default_factory=lambda: PenaltySpec(None))
    info: FitInfo = field(default_factory=FitInfo)
    class_weight: Any = None
    feature_names: tuple[str, ...] | None = None
    encoding: TableEncoding | None = None
    standardization: tuple[np.ndarray, np.ndarray] | None = None
    missing: str | None = None
    statistics: FitStatistics | None = None
    diagnostics: tuple[Diagnostic, ...] | None = None
    coef_bounds: tuple[np.ndarray, np.ndarray] | None = None

    # -- sizes and names ---------------------------------------------------------
    @property
    def n_classes(self) -> int:
        return self.layout.n_classes

    @property
    def n_features(self) -> int:
        return self.layout.n_features

    @property
    def fit_intercept(self) -> bool:
        return self.layout.fit_intercept

    @property
    def names(self) -> list[str]:
        """The features' names: ``feature_names``, or x0 .. x{d-1}."""
        return self.layout.feature_names(self.feature_names)

    def term_names(self) -> list[str]:
        """``const`` (with an intercept) then the features: one class block of the statistics."""
        return self.layout.term_names(self.feature_names)

    def replace(self, **changes: Any) -> FittedModel:
        """A copy with some fields changed (:func:`dataclasses.replace`)."""
        return dataclasses.replace(self, **changes)

    # -- coefficients ------------------------------------------------------------
    def dense_coef(self, what: str) -> np.ndarray:
        """``coef`` as an ndarray; raises when it was sparsified (``what`` names the caller)."""
        if sp.issparse(self.coef):
            raise ValueError(f"coef_ is sparse (after sparsify()); call densify() before {what}")
        return np.asarray(self.coef)

    def stats_params(self) -> np.ndarray:
        """The parameters in the statistics' order (intercept first in each class block), shape (n_params,)."""
        return self.layout.stats_params(self.dense_coef("summary()"), self.intercept).ravel()

    # -- new rows ----------------------------------------------------------------
    def matrix(self, X: Any) -> Any:
        """New rows as the model's feature matrix: a raw table through ``encoding``, else checked.

        Parameters
        ----------
        X : {array-like, sparse matrix, table} of shape (n_samples, n_features)

        Returns
        -------
        ndarray or csr_matrix of shape (n_samples, n_features), float64 or float32

        Raises
        ------
        ValueError
            Other columns than at fit, or another number of features.
        """
        from sklearn.utils.validation import _get_feature_names, check_array

        from ._validation import checked

        if self.encoding is not None:
            from .io.encoding import encode_if_raw

            encoded = encode_if_raw(self.encoding, X, self.feature_names)
            if encoded is not None:
                return encoded
        given = _get_feature_names(X)
        if given is not None and self.feature_names is not None and list(given) != list(self.feature_names):
            raise ValueError(
                "X has other feature names than at fit: pass the same feature columns, in the same order, as at fit "
                f"(expected {list(self.feature_names)[:10]}, got {list(given)[:10]})"
            )
        with checked():
            Xv = check_array(X, accept_sparse="csr", dtype=[np.float64, np.float32], accept_large_sparse=True)
        if Xv.shape[1] != self.n_features:
            raise ValueError(
                f"X has {Xv.shape[1]} features, but the model is expecting {self.n_features} features as input. "
                "Pass the same feature columns, in the same order, as at fit."
            )
        return Xv

    def linear_predictor(self, X: Any) -> np.ndarray:
        """z = X w + b for a feature matrix X (:meth:`matrix`), float64.

        Returns
        -------
        ndarray of shape (n_samples,) for two classes, else (n_samples, n_classes)
        """
        coef = self.coef
        z = X @ (coef.T if sp.issparse(coef) else np.asarray(coef, dtype=X.dtype).T)
        z = np.asarray(z.toarray() if sp.issparse(z) else z, dtype=np.float64) + self.intercept
        return z.ravel() if self.layout.binary else z

    def codes(self, y: Any) -> np.ndarray:
        """Labels as class codes 0 .. n_classes - 1 (a label not among ``classes`` is refused)."""
        y = np.asarray(y)
        if y.ndim != 1:
            y = y.ravel()
        codes = np.clip(np.searchsorted(self.classes, y), 0, self.classes.size - 1)
        bad = self.classes[codes] != y
        if np.any(bad):
            raise ValueError(f"y has labels the model was not fitted on: {np.unique(y[bad])[:5].tolist()}")
        return codes


def as_fitted(model: Any) -> FittedModel:
    """A FittedModel itself, or the one a fitted estimator holds (its public ``fitted_model()``).

    The public functions that take "a fitted model" (``summarize``, ``lr_test``,
    ``wald_test``, ``marginal_effects``, ``diagnose``, the report) accept both.
    """
    if isinstance(model, FittedModel):
        return model
    return model.fitted_model()


def label(c: Any) -> Any:
    """A class label as a plain Python value (JSON-friendly)."""
    return c.item() if isinstance(c, np.generic) else c


def feature_names_of(names: Sequence[Any] | None) -> tuple[str, ...] | None:
    """scikit-learn's ``feature_names_in_`` (or None) as the FittedModel's ``feature_names``."""
    return None if names is None else tuple(str(n) for n in names)
