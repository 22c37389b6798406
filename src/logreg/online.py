"""``partial_fit``: the model updated block by block by averaged minibatch SGD.

As scikit-learn's ``SGDClassifier.partial_fit``: the first call needs every
class (``classes``), later calls update the same model; whatever ``solver``
says, the updates are those of :mod:`logreg.solvers.sgd`, and the averaged
iterate, the step count and the step size carry over from call to call.
"""

from __future__ import annotations

import numpy as np

from ._validation import assert_finite, check_class_weight, check_sample_weight, validate
from .bounds import theta_bounds
from .fitting import coef_box, fitted_model
from .layout import ParamLayout
from .model import FitInfo
from .penalties import make_penalty
from .solvers.sgd import BATCH_ROWS, AveragedSGD, step_size

__all__ = ["partial_fit"]


def _codes(classes, y):
    """Integer codes of y in ``classes`` (sorted); a label outside them is refused."""
    codes = np.searchsorted(classes, y)
    codes = np.minimum(codes, classes.size - 1)
    bad = classes[codes] != y
    if np.any(bad):
        raise ValueError(
            f"y holds the label {np.asarray(y)[bad][0]!r}, which is not in classes={classes.tolist()}; "
            "pass every label of the data set as classes= in the first call to partial_fit"
        )
    return codes


def _first_classes(classes):
    """The sorted classes of the first call, checked."""
    if classes is None:
        raise ValueError(
            "the first call to partial_fit needs classes=, every label of the data set "
            "(e.g. classes=np.unique(y_all)): a block may miss some"
        )
    classes = np.unique(np.asarray(classes))
    if classes.size < 2:
        raise ValueError(f"classes= holds {classes.size} label(s); logistic regression needs two or more")
    return classes


def partial_fit(model, X, y, classes=None, sample_weight=None, weight_sum=None):
    """One pass of averaged minibatch SGD over the rows (X, y); see
    :meth:`logreg.LogisticRegression.partial_fit`."""
    fitted = getattr(model, "_sgd_", None) is not None
    if not fitted:
        model._validate_params()
        if model.dual:
            raise ValueError("dual=True: logreg solves the primal problem only; use dual=False")
        if model.penalty == "firth":
            raise ValueError(
                "penalty='firth' has its own Newton fit; partial_fit takes 'l2', 'l1', 'elasticnet' or None"
            )
        if getattr(model, "standardize", False):
            raise ValueError(
                "standardize=True needs every row's mean and deviation before the first step, which "
                "partial_fit does not see; standardise the blocks yourself (e.g. StandardScaler.partial_fit)"
            )
        if model.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' needs the class counts of the whole data set, which partial_fit does not "
                "see; pass class_weight=dict(zip(classes, compute_class_weight('balanced', classes=classes, y=y)))"
            )
        check_class_weight(model.class_weight)
    X, y = validate(
        model, X, y, accept_sparse="csr", dtype=[np.float64, np.float32], reset=not fitted, ensure_all_finite=False
    )
    assert_finite(X, type(model).__name__)
    if not fitted:
        known = getattr(model, "classes_", None)
        classes = _first_classes(known if classes is None and known is not None else classes)
    else:
        if classes is not None and not np.array_equal(np.unique(np.asarray(classes)), model.classes_):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} differs from the first call's {model.classes_.tolist()}"
            )
        classes = model.classes_
    codes = _codes(classes, y)
    K = classes.size
    weight = None
    if sample_weight is not None or model.class_weight is not None:
        weight = check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
        if model.class_weight is not None:
            cw = np.array([model.class_weight.get(c, 1.0) for c in classes.tolist()], dtype=np.float64)
            weight = weight * cw[codes]
    fit_intercept = model.fit_intercept
    layout = ParamLayout(X.shape[1], K, fit_intercept)
    batch_rows = int((model.solver_options or {}).get("batch_rows", BATCH_ROWS))
    if not fitted:
        theta = np.zeros(layout.n_params)
        coef = getattr(model, "coef_", None)
        if coef is not None and np.array_equal(getattr(model, "classes_", None), classes):
            theta = layout.theta(np.asarray(coef), model.intercept_)  # continue a fit
    seen = model._sgd_.weight_seen if fitted else 0.0
    S = float(weight_sum) if weight_sum is not None else seen + float(X.shape[0] if weight is None else weight.sum())
    if not S > 0:
        raise ValueError("the sample weights seen so far sum to zero; the penalty 1/(C S) needs S > 0")
    penalty = make_penalty(model.penalty, model.C, S, model.l1_ratio)
    if not fitted:
        step = step_size(X, K, penalty.alpha, batch_rows, fit_intercept, weight)
        model._sgd_ = AveragedSGD(theta, step, batch_rows, model.random_state)
    state = model._sgd_
    box = coef_box(model, K, X.shape[1])
    bounds = None
    if box is not None:
        bounds = theta_bounds(box, layout.coef_mask())
        state.theta = np.clip(state.theta, *bounds)  # a feasible start
    state.run(X, codes, K, weight, penalty, fit_intercept=fit_intercept, bounds=bounds)
    coef, intercept = layout.coef_intercept(state.average)
    if K > 2:
        intercept = intercept - intercept.mean()  # the softmax's centred representative
    # one pass over its rows; partial_fit never sees the whole data: no convergence, no statistics
    info = FitInfo(solver="sgd", n_iter=1, converged=False, history=np.empty(0), grad_norm=np.nan, n_passes=1)
    model.model_ = fitted_model(model, classes, coef, intercept, info, X.dtype, coef_bounds=box)
    model.t_ = state.n_steps + 1  # scikit-learn's SGD: weight updates + 1
    return model
