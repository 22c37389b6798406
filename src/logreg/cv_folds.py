"""One fold of :class:`logreg.LogisticRegressionCV`: its path on the training rows, scored on the held-out rows."""

from __future__ import annotations

import inspect
import os

import numpy as np
from sklearn.metrics import get_scorer, make_scorer
from sklearn.utils.validation import _check_method_params

from .estimator import LogisticRegression
from .layout import ParamLayout
from .model import FittedModel
from .path import fit_path

__all__ = ["fold_path", "labelled_scorer", "n_workers"]


def n_workers(n_jobs):
    """joblib's reading of n_jobs: None is 1, -1 every core, -2 all but one, ..."""
    if n_jobs is None or n_jobs == 0:
        return 1
    return max(1, n_jobs if n_jobs > 0 else (os.cpu_count() or 1) + 1 + n_jobs)


def labelled_scorer(scoring, classes):
    """The scorer, told every class (a held-out fold may miss one), as scikit-learn does."""
    scorer = get_scorer(scoring if scoring is not None else "accuracy")
    score_func = getattr(scorer, "_score_func", None)
    if score_func is None or "labels" not in inspect.signature(score_func).parameters:
        return scorer
    extra = {}
    if classes.size == 2 and "pos_label" in inspect.signature(score_func).parameters:
        extra["pos_label"] = classes[-1]
    return make_scorer(
        score_func,
        greater_is_better=scorer._sign == 1,
        response_method=scorer._response_method,
        labels=classes,
        **extra,
        **getattr(scorer, "_kwargs", {}),
    )


def fold_path(X, y, train, test, *, sample_weight, classes, Cs, l1_ratio, scorer, score_params, fit_params):
    """The path on the training rows and its scores on the test rows.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    train, test : ndarray of int
        Row indices of the fold.
    sample_weight : ndarray of shape (n_samples,) or None
        Weighs the fits.
    classes : ndarray of shape (n_classes,)
        Every class of y (a fold missing one is refused).
    Cs : ndarray of shape (n_Cs,)
    l1_ratio : float or None
    scorer : callable
        ``scorer(model, X_test, y_test, **score_params)``.
    score_params : dict
        Metadata of all rows (e.g. sample_weight), cut to the test rows here.
    fit_params : dict
        Options of :func:`logreg.path.fit_path`.

    Returns
    -------
    coefs : ndarray of shape (n_Cs, n_rows, n_features + fit_intercept)
        The intercept in the last column, as scikit-learn's ``coefs_paths_``.
    scores : ndarray of shape (n_Cs,)
    n_iter : ndarray of shape (n_Cs,)
    """
    missing = np.setdiff1d(classes, y[train])
    if missing.size:
        raise ValueError(
            f"a training fold has no row of class(es) {missing.tolist()}: use a stratified splitter or fewer folds"
        )
    sw_train = None if sample_weight is None else sample_weight[train]
    path = fit_path(X[train], y[train], Cs, l1_ratio, sample_weight=sw_train, **fit_params)
    layout = ParamLayout(X.shape[1], classes.size, fit_params["fit_intercept"])
    score_kw = _check_method_params(X, params=score_params, indices=test)
    scores = np.empty(len(Cs))
    for i in range(len(Cs)):
        model = LogisticRegression.from_fitted(FittedModel(classes, layout, path.coefs[i], path.intercepts[i]))
        scores[i] = scorer(model, X[test], y[test], **score_kw)
    coefs = path.coefs
    if fit_params["fit_intercept"]:
        coefs = np.concatenate([coefs, path.intercepts[:, :, None]], axis=2)
    return coefs, scores, path.n_iter
