"""How ``LogisticRegression.fit`` turns rows into a :class:`logreg.model.FittedModel`.

:func:`fit_model` is the one fit: the data term (in memory, Dask or a row
source), the solver (or Firth's iteration), the coefficients on the original
scale, then the statistics and the diagnostics, all in one value.  The
estimator reads its hyper-parameters here and holds what comes back; nothing
here keeps state on the estimator beyond what scikit-learn's input checks set
(``n_features_in_``, ``feature_names_in_``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import (
    assert_finite,
    check_class_totals,
    check_class_weight,
    check_sample_weight,
    class_totals,
    class_weights,
    encode_labels,
    is_dask_collection,
    validate,
)
from .bounds import inside, resolve_bounds, theta_bounds
from .layout import ParamLayout
from .model import FitInfo, FittedModel, PenaltySpec, feature_names_of
from .objective import Objective, intercept_start
from .offset import check_offset
from .penalties import L2, NoPenalty, make_penalty
from .solvers import SolverResult, resolve, solve_with_handover
from .sources import row_source

__all__ = ["fit_model", "fitted_model", "solve"]


def fitted_model(est: Any, classes: np.ndarray, coef: Any, intercept: Any, info: FitInfo, dtype: Any, **fields: Any):
    """The FittedModel of a fit of ``est``: its penalty and class weights, the feature names its
    input checks recorded, the coefficients as arrays of ``dtype`` (the one place that builds it).

    Parameters
    ----------
    est : LogisticRegression
    classes : ndarray of shape (n_classes,)
    coef : array-like of shape (n_rows, n_features)
    intercept : array-like of shape (n_rows,)
    info : FitInfo
    dtype : numpy dtype
        X's (float32 stays float32).
    **fields
        Other fields of :class:`FittedModel` (encoding, standardization, coef_bounds ...).
    """
    # a coefficient on its bound stays inside the box in X's dtype (0.3 would become 0.30000001 > 0.3)
    coef = inside(np.atleast_2d(np.asarray(coef, dtype=dtype)).copy(), fields.get("coef_bounds"))
    intercept = np.atleast_1d(np.asarray(intercept, dtype=dtype)).copy()
    # scikit-learn's input checks record the column names on the estimator (fit's reset=True)
    names = getattr(est, "feature_names_in_", None)
    return FittedModel(
        classes=np.asarray(classes),
        layout=ParamLayout(coef.shape[1], np.asarray(classes).size, bool(est.fit_intercept)),
        coef=coef,
        intercept=intercept,
        penalty=PenaltySpec.of(est.penalty, est.C, est.l1_ratio),
        info=info,
        class_weight=est.class_weight,
        feature_names=feature_names_of(names),
        **fields,
    )


def coef_box(est, n_classes, n_features):
    """``est.coef_bounds`` as (lower, upper) arrays of ``coef_``'s shape, or None (:mod:`logreg.bounds`);
    a dict is keyed by the names scikit-learn's input checks recorded (``feature_names_in_``)."""
    shape = (1 if n_classes == 2 else n_classes, n_features)
    return resolve_bounds(est.coef_bounds, shape, getattr(est, "feature_names_in_", None))


def _start_only(objective, theta0):
    """scikit-learn's ``max_iter=0``: no iteration, the start returned as not converged."""
    _, grad = objective.value_and_grad(theta0)
    return SolverResult(
        theta=theta0,
        n_iter=0,
        converged=False,
        history=[objective.value(theta0)],
        grad_norm=objective.optimality(theta0, grad),
        n_passes=objective.n_passes,
    )


def solve(est, datafit, weight_sum, class_sums, X, callback, rows=None, warm=None, carried=None, box=None):
    """Minimise the objective on ``datafit``.

    Parameters
    ----------
    est : LogisticRegression
        Its hyper-parameters (penalty, solver, tol, max_iter ...).
    datafit : a data term (:mod:`logreg.objective`, :mod:`logreg.chunked`)
    weight_sum : float
        S, the sum of the sample weights: the penalty's scale.
    class_sums : ndarray of shape (n_classes,)
        Weight of each class: the start is the intercept-only optimum.
    X : {ndarray, sparse matrix, dask array} of shape (n_samples, n_features)
        Only passed on to the solver registry.
    callback : callable or None
    rows : tuple (X, y_codes, sample_weight or None, offset or None), optional
        The rows in memory, for a solver that reads minibatches (``needs_rows``).
    warm : (coef, intercept) or None
        The start of a warm-started fit (on the scale the data term sees).
    carried : callable or None
        ``carried(solver_cls) -> dict``: solver options a previous fit passes on (a
        regularization path's checkpoint).
    box : (lower, upper) of ndarray of coef's shape, or None
        Coefficient bounds on the scale the data term sees (:func:`coef_box`).

    Returns
    -------
    coef : ndarray of shape (n_rows, n_features)
    intercept : ndarray of shape (n_rows,)
    result : logreg.solvers.SolverResult
    solver_name : str
    """
    layout = datafit.layout
    penalty = make_penalty(est.penalty, est.C, weight_sum, est.l1_ratio)
    bounds = None if box is None else theta_bounds(box, datafit.coef_mask())
    objective = Objective(datafit, penalty, bounds)
    solver_cls = resolve(
        est.solver,
        penalty=penalty,
        n_params=datafit.n_params,
        X=X,
        column_access=datafit.column_access,
        bounded=bounds is not None,
    )
    options = dict(est.solver_options or {})
    options.pop("engine", None)  # the data term's, used by fit
    start = options.pop("start", "intercept")
    if start not in ("intercept", "zero"):
        raise ValueError(f"solver_options['start'] must be 'intercept' or 'zero', got {start!r}")
    if solver_cls.name == "gd" and est.learning_rate is not None:
        options["learning_rate"] = est.learning_rate
    if carried is not None:
        options.update(carried(solver_cls))
    solver_cls.check_objective(objective)
    solver = solver_cls(tol=est.tol, max_iter=est.max_iter, verbose=est.verbose, callback=callback, **options)
    if solver_cls.needs_rows:
        solver.bind(rows, est.random_state)

    theta0 = np.zeros(layout.n_params)
    if est.fit_intercept and solver_cls.intercept_start and start == "intercept" and est.max_iter > 0:
        theta0 = layout.join(np.zeros_like(layout.split(theta0)[0]), intercept_start(class_sums))
    if warm is not None:
        theta0 = layout.theta(*warm)
    theta0 = objective.clip(theta0)  # a feasible start (zero may lie outside the box)

    result = solve_with_handover(solver, objective, theta0) if est.max_iter > 0 else _start_only(objective, theta0)

    coef, intercept = layout.coef_intercept(result.theta)
    if not layout.binary:
        # the softmax is unchanged by adding one constant to every class's intercept (and,
        # unpenalised, one vector to every class's coefficients), and Newton's step may move
        # along that null direction: report the centred representative, as scikit-learn does
        intercept = intercept - intercept.mean()
        if box is None and (isinstance(penalty, NoPenalty) or (isinstance(penalty, L2) and result.n_iter > 0)):
            # with L2 the optimum has sum_k W_k = 0 (Zhu and Hastie 2004): centring W leaves the
            # softmax unchanged and lowers the penalty, so it only removes the solver's residue
            coef = coef - coef.mean(axis=0)
    return coef, intercept, result, solver_cls.name


def _info(result, solver_name):
    return FitInfo(
        solver=solver_name,
        n_iter=int(result.n_iter),
        converged=bool(result.converged),
        history=np.asarray(result.history, dtype=np.float64),
        grad_norm=float(result.grad_norm),
        n_passes=int(result.n_passes),
    )


def _warm(previous, classes, n_features):
    """The previous fit's (coef, intercept) when a warm start can use them, else None."""
    if previous is None or not np.array_equal(previous.classes, classes) or previous.n_features != n_features:
        return None
    return previous.dense_coef("a warm start"), previous.intercept


def fit_model(
    est, X, y, sample_weight, callback, *, previous=None, data_term, store=(True, True), carried=None, offset=None
):
    """Fit ``est``'s model on the rows.

    Parameters
    ----------
    est : LogisticRegression
    X, y, sample_weight, callback, offset : as ``LogisticRegression.fit``
    previous : FittedModel or None
        The fit a warm start continues from.
    data_term : callable
        ``data_term(X, codes, n_classes, sample_weight, offset)``: the in-memory data term (the
        estimator's, which a regularization path keeps from fit to fit).
    store : (bool, bool)
        Whether to keep the statistics and the diagnostics (a path's fits do without).
    carried : callable or None
        As for :func:`solve`.

    Returns
    -------
    model : FittedModel
    result : logreg.solvers.SolverResult or None
        The solver's result, for the convergence warning (None for Firth's iteration, which warns itself).
    """
    source = row_source(X, y, sample_weight)
    if source is not None or is_dask_collection(X):
        if est.standardize:
            raise ValueError(
                "standardize=True is not available for dask arrays, dask DataFrames or row sources; "
                "standardise the columns first (e.g. (X - X.mean(axis=0)) / X.std(axis=0)) and fit "
                "with standardize=False"
            )
        if offset is not None and source is not None:
            raise ValueError(
                "offset is not available for dask DataFrames or row sources yet: pass X as a dask array "
                "(df[columns].to_dask_array(lengths=True)) with the offset as a dask array of its rows, or "
                "fit in memory"
            )
        datafit, classes, fields = _chunked_datafit(est, X, y, sample_weight, source, offset)
        warm = _warm(previous, classes, datafit.n_features)
        sums = datafit.class_weight_sums
        box = fields["coef_bounds"] = coef_box(est, classes.size, datafit.n_features)
        coef, intercept, result, name = solve(
            est, datafit, datafit.total_weight, sums, X, callback, warm=warm, carried=carried, box=box
        )
        model = fitted_model(est, classes, coef, intercept, _info(result, name), datafit.dtype, **fields)
        return _chunked_statistics(model, datafit, store[0]), result
    X, y = validate(
        est,
        X,
        y,
        accept_sparse="csr",
        dtype=[np.float64, np.float32],
        order=None,
        accept_large_sparse=True,
        ensure_all_finite=False,  # assert_finite below: one BLAS pass, overflow too
    )
    assert_finite(X, type(est).__name__)
    if is_dask_collection(offset):
        raise ValueError("offset is a dask collection but X is in memory: pass offset.compute() (a numpy array)")
    classes, codes = encode_labels(y)
    if classes.size < 2:
        raise ValueError(
            # .item(): numpy 2 would print np.int64(0) / np.str_('a')
            f"y has one class: {classes[0].item()!r}; logistic regression needs two or more. "
            "Check the target column, or the filter that selected these rows."
        )
    if sample_weight is None and est.class_weight is None:
        # every row weighs 1: no array of ones (on 1e6 rows its first allocation alone is ~15 ms)
        weight_sum = float(X.shape[0])
        class_sums = class_totals(codes, classes.size)
        fit_weight = None
    else:
        sample_weight = check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
        check_class_weight(est.class_weight)
        if est.class_weight is not None:
            sample_weight = sample_weight * class_weights(est.class_weight, classes, codes, sample_weight)[codes]
        weight_sum = float(sample_weight.sum())
        if not weight_sum > 0:
            raise ValueError("sample weights sum to zero; at least one row needs a positive weight")
        class_sums = class_totals(codes, classes.size, sample_weight)
        check_class_totals(classes, class_sums)
        # equal weights scale the data term and the penalty alike: the unweighted kernels serve
        fit_weight = None if np.all(sample_weight == sample_weight[0]) else sample_weight
    offset = check_offset(offset, X.shape[0], classes.size)
    warm = _warm(previous, classes, X.shape[1])
    fields: dict[str, Any] = {"coef_bounds": coef_box(est, classes.size, X.shape[1])}
    box = fields["coef_bounds"]
    X_fit = X
    if est.standardize:
        from .scaling import standardize_columns, to_standard

        X_fit, mean, scale = standardize_columns(X, center=est.fit_intercept)
        fields["standardization"] = (mean, scale)
        warm = None if warm is None else to_standard(*warm, mean, scale)
        if box is not None:  # the fit's coefficients are w_j * scale_j (scale > 0): the same signs, scaled bounds
            box = (box[0] * scale, box[1] * scale)
    result = None
    if est.penalty == "firth":  # Firth's modified-score Newton iteration, as R's logistf
        from .inference.firth import fit_firth

        if offset is not None or box is not None:
            raise ValueError(
                "penalty='firth' takes neither an offset nor coef_bounds: fit with penalty=None or 'l2' for those"
            )
        coef, intercept, info = fit_firth(est, X_fit, codes, classes, sample_weight, warm)
    else:
        datafit = data_term(X_fit, codes, classes.size, fit_weight, offset)
        rows = (X_fit, codes, fit_weight, offset)  # for solvers that read rows in minibatches ('sgd')
        coef, intercept, result, name = solve(
            est, datafit, weight_sum, class_sums, X_fit, callback, rows, warm, carried, box
        )
        info = _info(result, name)
    if est.standardize:  # back to the original columns: statistics and predictions use X as given
        from .scaling import to_original

        coef, intercept = to_original(coef, intercept, *fields["standardization"])
    model = fitted_model(est, classes, coef, intercept, info, X.dtype, **fields)
    return _statistics(model, X, codes, sample_weight, store, offset), result


def _statistics(model, X, codes, sample_weight, store, offset=None):
    """The model with its inference statistics (when cheap, with the fit's offset) and its
    diagnostics (not yet warned)."""
    from .diagnostics import diagnose
    from .inference.statistics import fit_statistics

    stats = None
    if store[0]:
        coef, intercept = model.dense_coef("fit"), model.intercept
        stats = fit_statistics(
            X, codes, model.n_classes, sample_weight, coef, intercept, model.fit_intercept, offset=offset
        )
    diagnostics = diagnose(model, X, codes, sample_weight, warn=False) if store[1] else None
    return model.replace(statistics=stats, diagnostics=diagnostics)


# ------------------------------------------------------------------ past memory
def _chunked_datafit(est, X, y, sample_weight, source, offset=None):
    """The chunked data term of a dask collection (:mod:`logreg.distributed`) or a row source
    (:mod:`logreg.sources`: Parquet files, a dask DataFrame), its classes, and what the
    FittedModel keeps of the source (its encoding, its missing-value policy)."""
    if source is None:
        from .distributed import prepare_fit  # imports dask: only for dask input

        datafit, classes = prepare_fit(
            X, y, sample_weight, class_weight=est.class_weight, fit_intercept=est.fit_intercept, offset=offset
        )
        est.n_features_in_ = datafit.n_features
        if hasattr(est, "feature_names_in_"):  # a dask array has no column names
            del est.feature_names_in_
        return datafit, classes, {}
    from .io.encoding import TableEncoding

    engine = (est.solver_options or {}).get("engine", "auto")
    datafit, classes = source.prepare_fit(
        class_weight=est.class_weight,
        fit_intercept=est.fit_intercept,
        options=None if engine == "auto" else {"engine": engine},
    )
    est.n_features_in_ = datafit.n_features
    est.feature_names_in_ = np.asarray(source.feature_names, dtype=object)
    # how predictions on a raw table or a dask DataFrame's partitions repeat the encoding
    encoding = TableEncoding(
        columns=list(source.columns), target=getattr(source, "target", None), weight=getattr(source, "weight", None)
    )
    return datafit, classes, {"encoding": encoding, "missing": source.missing}


def _chunked_statistics(model, datafit, store_statistics):
    """End of a chunked fit: the inference statistics, computed on the chunks when cheap (as in
    memory), and the diagnostics on a row sample drawn from every chunk (not yet warned)."""
    from .chunked import diagnostic_rows
    from .diagnostics import diagnose
    from .inference.statistics import should_store

    cheap = store_statistics and should_store(datafit.n_samples, datafit.n_params)
    stats = datafit.statistics(model.coef, model.intercept) if cheap else None
    Xs, codes, sw = datafit.sample_rows(diagnostic_rows(datafit.n_samples, datafit.n_features))
    datafit.release()  # frees the chunks on the workers now, not at garbage collection
    return model.replace(statistics=stats, diagnostics=diagnose(model, Xs, codes, sw, warn=False))
