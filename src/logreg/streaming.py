"""Fitting data that are read block by block (Parquet row groups): epochs of ``partial_fit``.

Each epoch is one pass of :meth:`LogisticRegression.partial_fit` over the
blocks, followed by one pass that computes J and its gradient at the averaged
iterate; as ``solver='sgd'`` in memory, the fit stops when J changed by at most
``tol`` (relative) over an epoch, or after ``epochs`` passes.
"""

from __future__ import annotations

import numpy as np

from .model import FitInfo
from .objective import Objective, make_datafit
from .online import _codes
from .penalties import make_penalty
from .solvers import SolverResult, warn_not_converged

__all__ = ["fit_blocks"]


def _evaluate(model, blocks, weight_sum):
    """J and the optimality residual at the model's averaged iterate, one pass over the blocks."""
    state = model._sgd_
    theta = state.average
    K = model.classes_.size
    penalty = make_penalty(model.penalty, model.C, weight_sum, model.l1_ratio)
    f, g, objective = 0.0, np.zeros_like(theta), None
    for X, y, w, _ in blocks():
        term = make_datafit(
            X, _codes(model.classes_, y), K, w, fit_intercept=model.fit_intercept, weight_sum=weight_sum
        )
        fb, gb = term.value_and_grad(theta)
        f, g = f + fb, g + gb
        objective = objective or Objective(term, penalty)
    coef = theta[objective.mask]
    g[objective.mask] += penalty.grad(coef)
    return f + penalty.value(coef), objective.optimality(theta, g)


def fit_blocks(model, blocks, *, classes, weight_sum, epochs, callback=None):
    """Fit ``model`` by epochs of ``partial_fit`` over ``blocks()``.

    Parameters
    ----------
    model : logreg.LogisticRegression
    blocks : callable
        ``blocks()`` returns a fresh iterator of ``(X, y, sample_weight, info)``.
    classes : ndarray
        Every label of the data.
    weight_sum : float
        S for the first epoch (from a scan of the labels and weights); later
        epochs use the weight of the rows the first one trained on.
    epochs : int
    callback : callable, optional
        ``callback(epoch, objective, grad_norm)`` after each epoch.

    Returns
    -------
    model : logreg.LogisticRegression
        ``objective_history_`` holds J after each epoch; ``n_passes_`` counts
        the training and the evaluation passes.
    """
    model._sgd_ = None
    history, converged, gnorm, S = [], False, np.nan, weight_sum
    for epoch in range(1, epochs + 1):
        for X, y, w, _ in blocks():
            model.partial_fit(X, y, classes=classes, sample_weight=w, weight_sum=S)
        if epoch == 1:
            S = model._sgd_.weight_seen  # the rows actually trained on (after --missing drop)
        J, gnorm = _evaluate(model, blocks, S)
        history.append(J)
        if callback is not None:
            callback(epoch, J, gnorm)
        if len(history) > 1:
            converged = abs(history[-2] - J) <= model.tol * abs(J) or gnorm <= model.tol
        if converged or not np.isfinite(J):
            break
    n = len(history)
    info = FitInfo("sgd", n, bool(converged), np.asarray(history, dtype=np.float64), float(gnorm), 2 * n)
    model.model_ = model.fitted_model().replace(info=info)
    message = "" if converged else f"J still changed by more than tol={model.tol:g} (relative) per epoch"
    result = SolverResult(model._sgd_.average, len(history), converged, history, gnorm, 2 * len(history), message)
    warn_not_converged(result, "sgd", epochs)
    return model
