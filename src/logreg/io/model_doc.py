"""The model file's document from a :class:`logreg.model.FittedModel`: what ``save`` writes.

The format is described in :mod:`logreg.io.modelfile`, which also reads it back;
this half needs no estimator (the estimator's ``save`` calls :func:`write_fitted`).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import warnings
from typing import Any

import numpy as np

from .._version import __version__
from ..exceptions import ModelFileError
from ..model import FittedModel
from .atomic import atomic_write_text
from .schema import MAX_ABS_COEF, MEASURES, OPTION_KEYS, Invalid, validate

__all__ = ["FORMAT", "FORMAT_VERSION", "MAX_STORED_PARAMS", "document_text", "write_fitted"]

FORMAT = "logreg-model"
FORMAT_VERSION = 1

_OPTION_KEYS = OPTION_KEYS
_MEASURES = MEASURES
#: The inference statistics (P x P matrices) are kept up to this many
#: parameters: beyond, the file would grow past ~10 MB and summary() can be
#: recomputed from the training data instead.
MAX_STORED_PARAMS = 300


def _json_number(x):
    x = float(x)
    return x if math.isfinite(x) else None


def _json_scalar(v):
    """numpy scalars -> Python; non-finite floats -> None (JSON has no NaN)."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def json_values(obj):
    if isinstance(obj, dict):
        return {str(k): json_values(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_values(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [json_values(v) for v in obj.tolist()]
    return _json_scalar(obj)


def _options_to_json(params):
    out = {}
    for k in _OPTION_KEYS:
        v = params.get(k)
        if k == "C" and v is not None and math.isinf(float(v)):
            v = "inf"  # JSON has no infinity; C=inf means no penalty
        elif k == "class_weight" and isinstance(v, dict):
            # JSON object keys are strings; pairs keep int/bool class labels intact
            v = {"pairs": [[_json_scalar(c), float(w)] for c, w in v.items()]}
        else:
            v = _json_scalar(v)
        out[k] = v
    return out


def _summary_measures(model):
    """Likelihood measures from the model's summary, or None when it cannot be computed."""
    from ..inference.summary import summarize

    if model.statistics is None:
        return None
    try:
        with warnings.catch_warnings():
            # penalised fits warn that their standard errors are not inference; the
            # likelihood measures are still what they are
            warnings.simplefilter("ignore")
            summary = summarize(model)
    except ValueError:
        return None
    values = summary.to_dict()  # every measure is a field of the summary
    return {k: _json_scalar(values[k]) for k in _MEASURES}


def _inference_to_json(st):
    if st is None or st.params.size > MAX_STORED_PARAMS or st.cluster_meat is not None:
        return None
    if not np.any(st.fisher):  # every probability saturated at 0 or 1: no information to store
        return None
    parts = [st.log_likelihood, st.null_log_likelihood, st.weight_sum, st.fisher, st.meat]
    if not all(np.all(np.isfinite(p)) for p in parts + ([] if st.meat_prob is None else [st.meat_prob])):
        return None  # a likelihood of -inf (a saturated fit): summary() then needs the training data
    return {
        "n_classes": int(st.n_classes),
        "fit_intercept": bool(st.fit_intercept),
        "n_features": int(st.n_features),
        "weight_sum": float(st.weight_sum),
        "n_rows": int(st.n_rows),
        "unit_weights": bool(st.unit_weights),
        "log_likelihood": float(st.log_likelihood),
        "null_log_likelihood": float(st.null_log_likelihood),
        "params": np.asarray(st.params, dtype=np.float64).tolist(),
        "fisher": np.asarray(st.fisher, dtype=np.float64).tolist(),
        "meat": np.asarray(st.meat, dtype=np.float64).tolist(),
        "meat_prob": None if st.meat_prob is None else np.asarray(st.meat_prob, dtype=np.float64).tolist(),
    }


def document_text(
    model: FittedModel,
    options: dict[str, Any],
    *,
    columns=None,
    target=None,
    weight=None,
    training=None,
    statistics=None,
    offset=None,
) -> str:
    """The model file's JSON text for a fitted model.

    Parameters
    ----------
    model : logreg.model.FittedModel
    options : dict
        The estimator's parameters (``get_params()``): the file's ``options``.
    columns : list of ColumnEncoding, optional
        The source-column encoding; its feature names must equal the model's.
    target, weight : str, optional
        Column names used in training.
    training : dict, optional
        Extra training facts (rows read, rows dropped, missing policy...),
        merged into the ``training`` section.
    statistics : dict, optional
        Likelihood measures; by default taken from the model's summary when
        the fit stored its inference statistics.
    offset : str, optional
        The column of offsets the model was fitted with (the CLI's ``--offset``).

    Returns
    -------
    str
    """
    coef = np.asarray(model.dense_coef("save()"), dtype=np.float64)
    intercept = np.asarray(model.intercept, dtype=np.float64)
    if not (np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))):
        raise ModelFileError(
            "the model has non-finite coefficients (a diverged fit); refusing to save it: refit with the "
            "default solver, or a smaller --learning-rate for gd"
        )
    biggest = float(max(np.max(np.abs(coef), initial=0.0), np.max(np.abs(intercept), initial=0.0)))
    if biggest > MAX_ABS_COEF:
        raise ModelFileError(
            f"the model has coefficients as large as {biggest:.3g} (a diverged fit: its probabilities would be "
            "NaN); refusing to save it: refit with the default solver, or a smaller --learning-rate for gd"
        )
    labels = [_json_scalar(c) for c in np.asarray(model.classes).tolist()]
    odd = next((c for c in labels if not isinstance(c, str | int | float | bool)), None)
    if odd is not None:
        raise ModelFileError(
            f"the model's class labels are of type {type(odd).__name__} ({odd!r}), which a model file cannot "
            "hold (JSON has strings, numbers and booleans); fit on labels converted to strings, e.g. "
            "y.astype(str)"
        )
    names_in = model.feature_names is not None
    if names_in:
        names = list(model.names)
    elif columns is not None:
        names = [n for enc in columns for n in enc.feature_names]
    else:
        names = [f"x{j}" for j in range(coef.shape[1])]
    encoding = model.encoding
    formula = None
    if columns is None and encoding is not None and encoding.feature_names == names:
        columns, formula = encoding.columns, encoding.formula
        target, weight = target or encoding.target, weight or encoding.weight
    if columns is not None and [n for enc in columns for n in enc.feature_names] != names:
        raise ModelFileError("the column encoding does not produce the model's feature names")

    info = model.info
    train = {
        "solver": info.solver,
        "n_iter": int(info.n_iter),
        "converged": bool(info.converged),
        "grad_norm": _json_number(info.grad_norm),
        "n_passes": info.n_passes,
        "objective_history": [_json_number(v) for v in info.history],
    }
    diagnostics = model.diagnostics
    if diagnostics:
        # the fit's warnings (separation, collinearity...) travel with the model: summary() notes them
        train["diagnostics"] = [
            {"category": d.category.__name__, "message": str(d.message), "features": [str(f) for f in d.features]}
            for d in diagnostics
        ]
    train.update(json_values(training or {}))
    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "logreg_version": __version__,
        "created": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        "classes": labels,
        "feature_names": names,
        "feature_names_in": names_in,
        "coef": coef.tolist(),
        "intercept": intercept.tolist(),
        "options": _options_to_json(options),
        "training": train,
    }
    if columns is not None:
        doc["columns"] = [enc.to_dict() for enc in columns]
    if formula is not None:
        doc["formula"] = json_values(formula.to_dict())
    if columns is not None or formula is not None:
        doc["target"] = target
        doc["weight"] = weight
    if model.standardization is not None:
        mean, scale = model.standardization
        doc["standardization"] = {"mean": np.asarray(mean).tolist(), "scale": np.asarray(scale).tolist()}
    if model.coef_bounds is not None:  # JSON has no infinity: null for an open side
        doc["coef_bounds"] = {
            side: [[_json_scalar(v) for v in row] for row in np.asarray(b, dtype=np.float64).tolist()]
            for side, b in zip(("lower", "upper"), model.coef_bounds, strict=True)
        }
    if offset is not None:
        doc["offset"] = offset
    stats = dict(statistics) if statistics is not None else (_summary_measures(model) or {})
    unknown = sorted(set(stats) - set(_MEASURES))
    if unknown:
        raise ModelFileError(f"unknown statistics {', '.join(unknown)}; known: {', '.join(_MEASURES)}")
    inference = _inference_to_json(model.statistics)
    if inference is not None:
        stats["inference"] = inference
    if stats:
        doc["statistics"] = json_values(stats)
    try:
        validate(doc)  # what save writes, load reads: the same checks as a file from elsewhere
    except Invalid as exc:
        raise ModelFileError(f"refusing to save the model: {exc}") from None
    return _format(doc)


def _format(doc):
    """JSON with one top-level field (or one entry of a section) per line.

    Arrays stay on one line so a model of many features remains a readable
    file that diffs well; the text is still plain JSON.
    """

    def compact(v):
        return json.dumps(v, allow_nan=False, ensure_ascii=False, separators=(", ", ": "))

    lines = []
    for key, value in doc.items():
        if isinstance(value, dict) and value:
            inner = ",\n".join(f"  {compact(k)}: {compact(v)}" for k, v in value.items())
            lines.append(f" {compact(key)}: {{\n{inner}\n }}")
        elif isinstance(value, list) and value and isinstance(value[0], dict | list):
            inner = ",\n".join(f"  {compact(v)}" for v in value)
            lines.append(f" {compact(key)}: [\n{inner}\n ]")
        else:
            lines.append(f" {compact(key)}: {compact(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def write_fitted(path, model: FittedModel, options: dict[str, Any], **kwargs: Any) -> None:
    """Write the model file atomically (temp file in the same directory, then rename).

    Parameters
    ----------
    path : str or os.PathLike
    model : logreg.model.FittedModel
    options : dict
        The estimator's parameters.
    **kwargs
        Passed to :func:`document_text`.

    Raises
    ------
    ModelFileError
        The model cannot be written (non-finite or diverged coefficients, labels JSON cannot hold).
    logreg.io.atomic.OutputPathError
        The directory does not exist or the path is a directory.
    """
    text = document_text(model, options, **kwargs)  # fully built before anything touches the disk
    atomic_write_text(path, text)
