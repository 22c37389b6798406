"""The fitted model from a validated model-file document.

:func:`logreg.io.schema.validate` has checked every type, range and shape;
this module builds the :class:`logreg.model.FittedModel` the document describes
(and the estimator's parameters, which :mod:`logreg.io.modelfile` checks by
building the estimator that wraps it), and checks what needs more than the
schema (the warning classes named by stored diagnostics, the formula).
"""

from __future__ import annotations

import json
import math

import numpy as np

from ..layout import ParamLayout
from ..model import FitInfo, FittedModel, PenaltySpec
from .schema import Invalid
from .tables import ColumnEncoding

__all__ = ["fitted_from_doc", "options_params"]


def _fail(msg):
    raise Invalid(msg)


def fitted_from_doc(doc, params):
    """The FittedModel a validated document describes, and its column encoding.

    Parameters
    ----------
    doc : dict
        From :func:`logreg.io.schema.validate`.
    params : dict
        Its options as the estimator's parameters (:func:`options_params`), checked.

    Returns
    -------
    model : logreg.model.FittedModel
    columns : list of ColumnEncoding or None

    Raises
    ------
    Invalid
    """
    classes, names, coef, intercept = doc["classes"], doc["feature_names"], doc["coef"], doc["intercept"]
    columns = None
    if doc.get("columns") is not None:
        columns = [ColumnEncoding.from_dict(c) for c in doc["columns"]]
    training = doc.get("training") or {}
    statistics = doc.get("statistics")
    inference = None if statistics is None else statistics.get("inference")
    history = training.get("objective_history") or []
    found = {
        key: training[key] for key in ("solver", "converged", "grad_norm", "n_passes") if training.get(key) is not None
    }
    info = FitInfo(
        n_iter=int(training.get("n_iter") or 0),
        history=np.array([np.nan if v is None else v for v in history], dtype=np.float64),
        **found,
    )
    encoding = None
    formula = _formula(doc.get("formula"))
    if columns is not None or formula is not None:
        from .encoding import TableEncoding

        encoding = TableEncoding(columns, formula, doc.get("target"), doc.get("weight"))
    scaling = doc.get("standardization")
    classes = np.asarray(classes)
    model = FittedModel(
        classes=classes,
        layout=ParamLayout(len(names), classes.size, bool(params.get("fit_intercept", True))),
        coef=coef,
        intercept=intercept,
        penalty=PenaltySpec.of(params.get("penalty", "auto"), params.get("C", 1.0), params.get("l1_ratio")),
        info=info,
        class_weight=params.get("class_weight"),
        feature_names=tuple(names) if doc.get("feature_names_in", False) else None,
        encoding=encoding,
        standardization=None if scaling is None else (scaling["mean"], scaling["scale"]),
        statistics=None if inference is None else _fit_statistics(inference),
        diagnostics=_parse_diagnostics(training.get("diagnostics")),
        coef_bounds=doc.get("coef_bounds"),  # (lower, upper) arrays, checked by the schema
    )
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


def options_params(opts):
    """The options section as the estimator's parameters: C and class_weight as Python values (raises Invalid)."""
    params = dict(opts)
    if params.get("C") == "inf":
        params["C"] = math.inf
    cw = params.get("class_weight")
    if isinstance(cw, dict):
        params["class_weight"] = {_class_key(p[0]): p[1] for p in cw["pairs"]}
    return params


def _class_key(label):
    if not isinstance(label, str | int | float | bool) or isinstance(label, float) and not math.isfinite(label):
        _fail(f"options.class_weight has the class {json.dumps(label)}; classes are strings, numbers or booleans")
    return label


def _fit_statistics(inf):
    """The stored FitStatistics (shapes and definiteness checked by the schema)."""
    from ..inference.statistics import FitStatistics

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
    from ..column_checks import Diagnostic

    out = []
    for i, d in enumerate(raw):
        name = d["category"]
        category = getattr(exceptions, name, None) if name in exceptions.__all__ else None
        if not (isinstance(category, type) and issubclass(category, Warning)):
            _fail(f"training.diagnostics[{i}].category {json.dumps(name)} is not a logreg warning class")
        out.append(Diagnostic(category, d["message"], tuple(d["features"])))
    return tuple(out)
