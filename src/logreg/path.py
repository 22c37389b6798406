"""The regularisation path: the model at a grid of C, from the strongest penalty to the weakest.

Each fit starts from the previous one's solution (warm start), so the path
costs a few solver iterations per point.  The grid is scikit-learn's
(``np.logspace(-4, 4, Cs)``) for L2; for L1 and elastic net it starts at
:func:`l1_min_c`, the largest C whose model has every coefficient at zero,
and spans four decades above it (glmnet's ratio of 1e-4 between the ends).
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from sklearn.utils.validation import check_array, check_consistent_length

from ._validation import check_sample_weight, class_totals, class_weights, encode_labels, is_dask_collection
from .estimator import LogisticRegression

__all__ = ["RegularizationPath", "l1_min_c", "regularization_path"]


class _PathFit(LogisticRegression):
    """The path's fits: no statistics or diagnostics (the path keeps only the coefficients),
    and one data term for all of them.

    The data term is built at the first C and kept while the next fits bring the
    same rows (the same validated arrays): a column-wise solver's copy of X by
    columns is then made once for the whole path, not once per C.
    """

    _store_statistics = False
    _store_diagnostics = False
    _kept = None
    _checkpoint = None

    def _carried_options(self, solver_cls):
        # the last fit's end point: the working-set solver starts the next C from it
        if self._checkpoint is not None and "checkpoint" in solver_cls.option_names:
            return {"checkpoint": self._checkpoint}
        return {}

    def _solved(self, result):
        self._checkpoint = None if result is None else result.checkpoint

    def _data_term(self, X, codes, n_classes, sample_weight, offset=None):
        if offset is not None:  # not kept: the path's fits compare X, codes and weights only
            return super()._data_term(X, codes, n_classes, sample_weight, offset)
        kept = self._kept
        same_weights = (kept[2] is None and sample_weight is None) if kept is not None else False
        if kept is not None and sample_weight is not None and kept[2] is not None:
            same_weights = np.array_equal(kept[2], sample_weight)
        if kept is not None and kept[0] is X and np.array_equal(kept[1], codes) and same_weights:
            return kept[3]
        datafit = super()._data_term(X, codes, n_classes, sample_weight)
        self._kept = (X, codes, sample_weight, datafit)
        return datafit


class RegularizationPath(NamedTuple):
    """The fits of :func:`regularization_path`, in the order of ``Cs``.

    Attributes
    ----------
    coefs : ndarray of shape (n_Cs, 1, n_features) or (n_Cs, n_classes, n_features)
        ``coef_`` at each C (one row for two classes).
    intercepts : ndarray of shape (n_Cs, 1) or (n_Cs, n_classes)
        ``intercept_`` at each C (zeros without an intercept).
    Cs : ndarray of shape (n_Cs,)
    n_iter : ndarray of shape (n_Cs,)
        Solver iterations at each C.
    classes : ndarray of shape (n_classes,)
    l1_ratio : float or None
        The L1 share of the penalty (None: L2).
    """

    coefs: np.ndarray
    intercepts: np.ndarray
    Cs: np.ndarray
    n_iter: np.ndarray
    classes: np.ndarray
    l1_ratio: float | None


def _weights(y, sample_weight, class_weight, classes, codes):
    """Each row's weight: sample weight times class weight (None when all are 1)."""
    if sample_weight is None and class_weight is None:
        return None
    sw = check_sample_weight(sample_weight, np.empty((len(y), 0)), dtype=np.float64, ensure_non_negative=True)
    if class_weight is not None:
        sw = sw * class_weights(class_weight, classes, codes, sw)[codes]
    return sw


def l1_min_c(
    X: Any,
    y: ArrayLike,
    *,
    l1_ratio: float = 1.0,
    fit_intercept: bool = True,
    sample_weight: ArrayLike | None = None,
    class_weight: dict[Any, float] | str | None = None,
) -> float:
    """The largest C at which the L1 (or elastic-net) model has every coefficient at zero.

    At w = 0 with the intercept at its optimum (each class's predicted share
    equal to its weighted share of y), w = 0 stays optimal while the data
    term's gradient is inside the L1 ball::

        C <= l1_ratio / max_jk |sum_i s_i x_ij (y_ik - p_k)|

    For two classes without an intercept this is scikit-learn's
    ``sklearn.svm.l1_min_c(X, y, loss='log', fit_intercept=False)``; with an
    intercept scikit-learn penalises a synthetic intercept column, which
    logreg never does, so the bound here is the exact one for logreg's
    objective.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    l1_ratio : float, default=1.0
        The L1 share of the penalty, in (0, 1].
    fit_intercept : bool, default=True
    sample_weight : array-like of shape (n_samples,), optional
    class_weight : dict or 'balanced', optional

    Returns
    -------
    float
    """
    X = check_array(X, accept_sparse="csr", dtype=[np.float64, np.float32])
    y = np.asarray(y)
    check_consistent_length(X, y)
    if not 0 < l1_ratio <= 1:
        raise ValueError(f"l1_ratio must be in (0, 1] for an L1 bound, got {l1_ratio}")
    classes, codes = encode_labels(y)
    sw = _weights(y, sample_weight, class_weight, classes, codes)
    K = classes.size
    Y = np.eye(K)[codes] if K > 2 else codes[:, None].astype(np.float64)
    if fit_intercept:
        totals = class_totals(codes, K, sw)
        P = totals / totals.sum()
        P = P if K > 2 else P[1:]
    else:
        P = np.full(Y.shape[1], 1.0 / K)
    R = Y - P if sw is None else (Y - P) * sw[:, None]
    G = np.asarray(X.T @ R)  # (n_features, K or 1): the data term's gradient at w = 0, times S
    den = float(np.max(np.abs(G))) if G.size else 0.0
    if den == 0.0:
        raise ValueError("every C gives all-zero coefficients here: no feature is correlated with y")
    return l1_ratio / den


def _grid(Cs, X, y, l1_ratio, fit_intercept, sample_weight, class_weight):
    if isinstance(Cs, numbers.Integral):
        if Cs < 1:
            raise ValueError(f"Cs as a number of points must be >= 1, got {Cs}")
        if l1_ratio:
            c0 = l1_min_c(
                X,
                y,
                l1_ratio=l1_ratio,
                fit_intercept=fit_intercept,
                sample_weight=sample_weight,
                class_weight=class_weight,
            )
            return c0 * np.logspace(0, 4, Cs)
        return np.logspace(-4, 4, Cs)
    Cs = np.asarray(Cs, dtype=np.float64).ravel()
    if Cs.size == 0 or not np.all(Cs > 0):
        raise ValueError(f"Cs must be positive numbers (np.inf: no penalty), got {Cs.tolist()}")
    return Cs


def rewarn(caught, n_points):
    """One warning per category for ``n_points`` fits (each fit would repeat it).

    Parameters
    ----------
    caught : list of warnings.WarningMessage
    n_points : int
    """
    first = {}
    count = {}
    for w in caught:
        first.setdefault(w.category, w)
        count[w.category] = count.get(w.category, 0) + 1
    for category, w in first.items():
        note = f" (at {count[category]} of the {n_points} fits; the first shown)" if n_points > 1 else ""
        warnings.warn(f"{w.message}{note}", category, stacklevel=3)


def regularization_path(
    X: Any,
    y: ArrayLike,
    Cs: int | ArrayLike = 10,
    l1_ratio: float | None = None,
    *,
    fit_intercept: bool = True,
    class_weight: dict[Any, float] | str | None = None,
    sample_weight: ArrayLike | None = None,
    solver: str = "auto",
    tol: float = 1e-4,
    max_iter: int = 100,
) -> RegularizationPath:
    """Fit the model at every C of a grid, the strongest penalty first, each fit warm-started.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    Cs : int or array-like of shape (n_Cs,), default=10
        An int: that many points on scikit-learn's grid ``np.logspace(-4, 4, Cs)``
        for L2, or on ``l1_min_c * np.logspace(0, 4, Cs)`` for L1 and elastic
        net (the first point has every coefficient at zero).  An array: those
        values of C, fitted from the smallest up and returned in the order given.
    l1_ratio : float, default=None
        The penalty: None or 0 for L2, 1 for L1, in between for elastic net.
    fit_intercept : bool, default=True
    class_weight : dict or 'balanced', default=None
    sample_weight : array-like of shape (n_samples,), default=None
    solver : str, default='auto'
        As in :class:`logreg.LogisticRegression`.
    tol : float, default=1e-4
        Gradient tolerance of each fit.
    max_iter : int, default=100
        Iteration limit of each fit.

    Returns
    -------
    RegularizationPath
        ``(coefs, intercepts, Cs, n_iter, classes, l1_ratio)``.

    Warns
    -----
    ConvergenceWarning, UserWarning
        Once per kind for the whole path, with the number of fits it concerned.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from logreg import regularization_path
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> path = regularization_path(StandardScaler().fit_transform(X), y, Cs=5, l1_ratio=1)
    >>> path.coefs.shape
    (5, 1, 30)
    >>> int((path.coefs[0] != 0).sum())
    0
    """
    grid = _grid(Cs, X, y, l1_ratio, fit_intercept, sample_weight, class_weight)
    options = dict(fit_intercept=fit_intercept, class_weight=class_weight, solver=solver, tol=tol, max_iter=max_iter)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = fit_path(X, y, grid, l1_ratio, sample_weight=sample_weight, **options)
    rewarn(caught, grid.size)
    return path


def fit_path(X, y, Cs, l1_ratio, *, sample_weight, **options):
    """The fits of :func:`regularization_path` at the given ``Cs`` (an array), warnings untouched.

    Safe to run in threads (``warnings.catch_warnings`` is not): the caller
    collects the warnings, as :class:`logreg.LogisticRegressionCV` does.
    """
    model = _PathFit(l1_ratio=l1_ratio, warm_start=True, **options)
    if not is_dask_collection(X):  # one conversion for every C, and the same array: one data term
        X = check_array(X, accept_sparse="csr", dtype=[np.float64, np.float32], accept_large_sparse=True,
                        ensure_all_finite=False)  # fmt: skip
    order = np.argsort(Cs, kind="stable")  # smallest C (strongest penalty) first
    coefs, intercepts, n_iter = [None] * Cs.size, [None] * Cs.size, np.zeros(Cs.size, dtype=np.int32)
    for i in order:
        model.set_params(C=float(Cs[i])).fit(X, y, sample_weight=sample_weight)
        coefs[i], intercepts[i], n_iter[i] = model.coef_, model.intercept_, model.n_iter_[0]
    return RegularizationPath(
        coefs=np.stack(coefs),
        intercepts=np.stack(intercepts),
        Cs=Cs,
        n_iter=n_iter,
        classes=model.classes_,
        l1_ratio=l1_ratio,
    )
