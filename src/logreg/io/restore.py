"""The fitted estimator from a validated model-file document.

:func:`logreg.io.schema.validate` has checked every type, range and shape;
this module only sets the estimator's fitted attributes as ``fit`` would
leave them, and checks what needs the estimator itself (its parameter
constraints, the warning classes named by stored diagnostics).
"""

from __future__ import annotations

import json
import math

import numpy as np

from .schema import Invalid
from .tables import ColumnEncoding

__all__ = ["fitted_estimator"]

_TRAINING_ATTRS = {
    # key in "training" -> estimator attribute (types checked by the schema)
    "solver": "solver_",
    "converged": "converged_",
    "grad_norm": "grad_norm_",
    "n_passes": "n_passes_",
}


def _fail(msg):
    raise Invalid(msg)


def fitted_estimator(doc):
    """The LogisticRegression a validated document describes, and its column encoding.

    Parameters
    ----------
    doc : dict
        From :func:`logreg.io.schema.validate`.

    Returns
    -------
    model : logreg.LogisticRegression
        Fitted.
    columns : list of ColumnEncoding or None

    Raises
    ------
    Invalid
    """
    classes, names, coef, intercept = doc["classes"], doc["feature_names"], doc["coef"], doc["intercept"]
    model = _estimator(doc["options"])
    columns = None
    if doc.get("columns") is not None:
        columns = [ColumnEncoding.from_dict(c) for c in doc["columns"]]
    training = doc.get("training") or {}
    statistics = doc.get("statistics")
    inference = None if statistics is None else statistics.get("inference")

    # the estimator's fitted state, as fit would leave it
    model.classes_ = np.asarray(classes)
    model.coef_ = coef
    model.intercept_ = intercept
    model.n_features_in_ = len(names)
    if doc.get("feature_names_in", False):
        model.feature_names_in_ = np.asarray(names, dtype=object)
    model.n_iter_ = np.array([training.get("n_iter") or 0], np.int32)
    history = training.get("objective_history") or []
    model.objective_history_ = np.array([np.nan if v is None else v for v in history], dtype=np.float64)
    for key, attr in _TRAINING_ATTRS.items():
        if training.get(key) is not None:
            setattr(model, attr, training[key])
    if inference is not None:
        model._stats_ = _fit_statistics(inference)
    diagnostics = _parse_diagnostics(training.get("diagnostics"))
    if diagnostics is not None:
        model._diagnostics_ = diagnostics
    formula = _formula(doc.get("formula"))
    if columns is not None or formula is not None:
        from .encoding import TableEncoding

        model.encoding_ = TableEncoding(columns, formula, doc.get("target"), doc.get("weight"))
    scaling = doc.get("standardization")
    if scaling is not None:
        model.standardize_mean_, model.standardize_scale_ = scaling["mean"], scaling["scale"]
    box = doc.get("coef_bounds")  # (lower, upper) arrays, checked by the schema
    model.coef_bounds_ = box
    if box is not None:
        model.coef_bounds = box  # a refit of the loaded model keeps the box
    return model, columns


def _formula(raw):
    """The FormulaDesign of the formula section; its factors are checked before use."""
    if raw is None:
        return None
    from ..formula import FormulaDesign

    try:
        return FormulaDesign.from_dict(raw)
    except ValueError as exc:
        _fail(f"formula: {exc}")


def _estimator(opts):
    from .._validation import check_class_weight
    from ..estimator import LogisticRegression

    params = dict(opts)
    if params.get("C") == "inf":
        params["C"] = math.inf
    cw = params.get("class_weight")
    if isinstance(cw, dict):
        params["class_weight"] = {_class_key(p[0]): p[1] for p in cw["pairs"]}
    model = LogisticRegression()
    try:
        model.set_params(**params)
        model._validate_params()
        check_class_weight(model.class_weight)
    except (ValueError, TypeError) as exc:
        _fail(f"invalid options: {' '.join(str(exc).split())}")
    return model


def _class_key(label):
    if not isinstance(label, str | int | float | bool) or isinstance(label, float) and not math.isfinite(label):
        _fail(f"options.class_weight has the class {json.dumps(label)}; classes are strings, numbers or booleans")
    return label


def _fit_statistics(inf):
    """The stored FitStatistics (shapes and definiteness checked by the schema)."""
    from ..stats import FitStatistics

    return FitStatistics(
        n_classes=inf["n_classes"],
        fit_intercept=inf["fit_intercept"],
        n_features=inf["n_features"],
        weight_sum=float(inf["weight_sum"]),
        n_rows=inf["n_rows"],
        unit_weights=inf["unit_weights"],
        log_likelihood=float(inf["log_likelihood"]),
        null_log_likelihood=float(inf["null_log_likelihood"]),
        params=inf["params"],
        fisher=inf["fisher"],
        meat=inf["meat"],
        meat_prob=inf["meat_prob"],
    )


def _parse_diagnostics(raw):
    """training.diagnostics -> tuple of logreg.diagnostics.Diagnostic (None when absent)."""
    if raw is None:
        return None
    from .. import exceptions
    from ..diagnostics import Diagnostic

    out = []
    for i, d in enumerate(raw):
        name = d["category"]
        category = getattr(exceptions, name, None) if name in exceptions.__all__ else None
        if not (isinstance(category, type) and issubclass(category, Warning)):
            _fail(f"training.diagnostics[{i}].category {json.dumps(name)} is not a logreg warning class")
        out.append(Diagnostic(category, d["message"], tuple(d["features"])))
    return tuple(out)
