"""The model file: versioned, validated JSON, never pickle.

A pickle runs code when it is loaded, so a model received from someone else
would be a program; JSON is data.  Loading validates the whole schema and
every shape and refuses anything else with one clear
:class:`~logreg.exceptions.ModelFileError`.

Format version 1, one JSON object::

    format            "logreg-model"
    format_version    1
    logreg_version    the version that wrote the file
    created           UTC time, ISO 8601
    classes           [c0, c1, ...]            (K >= 2 labels: str, int, float or bool)
    feature_names     [f0, ..., f_{d-1}]       (the model's d input features)
    feature_names_in  true when the estimator was fitted on named columns
    coef              [[...d numbers]]         (1 row for two classes, K rows otherwise)
    intercept         [...]                    (1 or K numbers)
    options           the estimator's parameters (C, penalty, solver, ...)
    training          solver used, iterations, convergence, objective history, rows
    columns           optional: how source columns become features (one-hot levels,
                      fill values), see logreg.io.tables.ColumnEncoding
    formula           optional: the formula, the levels of its categorical factors and
                      the states of its transforms (logreg.formula.FormulaDesign)
    standardization   optional: the means and scales of a standardize=True fit (its
                      coef and intercept are on the original scale)
    coef_bounds       optional: {"lower": [[...]], "upper": [[...]]}, coef's shape, the box
                      of the fit's coef_bounds (null: unbounded on that side)
    target, weight    optional: the column names used in training
    offset            optional: the column of offsets added to z (logreg fit --offset);
                      predict and evaluate read it from the data
    statistics        optional: likelihood measures (log_likelihood, aic, bic, ...) and
                      "inference", the sufficient statistics that ``summary()`` needs
                      (Fisher information and sandwich meats, see logreg.stats), so a
                      loaded model has its inference table without the training data
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._version import __version__
from ..exceptions import ModelFileError
from .atomic import atomic_write_text
from .inputs import read_regular
from .restore import fitted_estimator
from .schema import MAX_ABS_COEF, MEASURES, OPTION_KEYS, Invalid, validate

__all__ = ["FORMAT", "FORMAT_VERSION", "ModelFile", "dumps", "loads", "read_model", "write_model"]

FORMAT = "logreg-model"
FORMAT_VERSION = 1

#: Refuse absurdly large files before parsing them (a model of a million
#: features is ~25 MB of JSON).
MAX_BYTES = 512 * 1024 * 1024

_OPTION_KEYS = OPTION_KEYS
_MEASURES = MEASURES
#: The inference statistics (P x P matrices) are kept up to this many
#: parameters: beyond, the file would grow past ~10 MB and summary() can be
#: recomputed from the training data instead.
MAX_STORED_PARAMS = 300


@dataclass
class ModelFile:
    """A loaded model file.

    Attributes
    ----------
    model : logreg.LogisticRegression
        Fitted, ready to predict.
    feature_names : list of str
    columns : list of ColumnEncoding or None
        How to turn a table into the features (files written by the CLI).
    target, weight : str or None
    offset : str or None
        The offset column (``logreg fit --offset``).
    training : dict
    statistics : dict or None
    format_version : int
    logreg_version : str
    """

    model: object
    feature_names: list
    columns: list | None = None
    target: str | None = None
    weight: str | None = None
    offset: str | None = None
    training: dict = field(default_factory=dict)
    statistics: dict | None = None
    format_version: int = FORMAT_VERSION
    logreg_version: str = __version__


# ------------------------------------------------------------------ write
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


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [_jsonable(v) for v in obj.tolist()]
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
    """Likelihood measures from ``model.summary()``, or None when it cannot be computed."""
    if getattr(model, "_stats_", None) is None or not hasattr(model, "summary"):
        return None
    try:
        with warnings.catch_warnings():
            # penalised fits warn that their standard errors are not inference; the
            # likelihood measures are still what they are
            warnings.simplefilter("ignore")
            summary = model.summary()
    except ValueError:
        return None
    return {k: _json_scalar(float(getattr(summary, k))) for k in _MEASURES if hasattr(summary, k)}


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


def dumps(model, *, columns=None, target=None, weight=None, training=None, statistics=None, offset=None):
    """The model file's JSON text for a fitted estimator.

    Parameters
    ----------
    model : logreg.LogisticRegression
        Fitted.
    columns : list of ColumnEncoding, optional
        The source-column encoding; its feature names must equal the model's.
    target, weight : str, optional
        Column names used in training.
    training : dict, optional
        Extra training facts (rows read, rows dropped, missing policy...),
        merged into the ``training`` section.
    statistics : dict, optional
        Likelihood measures; by default taken from ``model.summary()`` when
        the fit stored its inference statistics.
    offset : str, optional
        The column of offsets the model was fitted with (the CLI's ``--offset``).

    Returns
    -------
    str
    """
    if not hasattr(model, "coef_"):
        raise ModelFileError("the model is not fitted; call fit before saving it")
    coef = np.asarray(model.coef_, dtype=np.float64)
    intercept = np.asarray(model.intercept_, dtype=np.float64)
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
    labels = [_json_scalar(c) for c in np.asarray(model.classes_).tolist()]
    odd = next((c for c in labels if not isinstance(c, str | int | float | bool)), None)
    if odd is not None:
        raise ModelFileError(
            f"the model's class labels are of type {type(odd).__name__} ({odd!r}), which a model file cannot "
            "hold (JSON has strings, numbers and booleans); fit on labels converted to strings, e.g. "
            "y.astype(str)"
        )
    names_in = hasattr(model, "feature_names_in_")
    if names_in:
        names = [str(n) for n in model.feature_names_in_]
    elif columns is not None:
        names = [n for enc in columns for n in enc.feature_names]
    else:
        names = [f"x{j}" for j in range(coef.shape[1])]
    encoding = getattr(model, "encoding_", None)
    formula = None
    if columns is None and encoding is not None and encoding.feature_names == names:
        columns, formula = encoding.columns, encoding.formula
        target, weight = target or encoding.target, weight or encoding.weight
    if columns is not None and [n for enc in columns for n in enc.feature_names] != names:
        raise ModelFileError("the column encoding does not produce the model's feature names")

    train = {
        "solver": getattr(model, "solver_", None),
        "n_iter": int(np.max(model.n_iter_)) if hasattr(model, "n_iter_") else None,
        "converged": bool(getattr(model, "converged_", True)),
        "grad_norm": _json_number(getattr(model, "grad_norm_", float("nan"))),
        "n_passes": getattr(model, "n_passes_", None),
        "objective_history": [_json_number(v) for v in getattr(model, "objective_history_", [])],
    }
    diagnostics = getattr(model, "_diagnostics_", None)
    if diagnostics:
        # the fit's warnings (separation, collinearity...) travel with the model: summary() notes them
        train["diagnostics"] = [
            {"category": d.category.__name__, "message": str(d.message), "features": [str(f) for f in d.features]}
            for d in diagnostics
        ]
    train.update(_jsonable(training or {}))
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
        "options": _options_to_json(model.get_params()),
        "training": train,
    }
    if columns is not None:
        doc["columns"] = [enc.to_dict() for enc in columns]
    if formula is not None:
        doc["formula"] = _jsonable(formula.to_dict())
    if columns is not None or formula is not None:
        doc["target"] = target
        doc["weight"] = weight
    if hasattr(model, "standardize_mean_"):
        doc["standardization"] = {"mean": model.standardize_mean_.tolist(), "scale": model.standardize_scale_.tolist()}
    box = getattr(model, "coef_bounds_", None)  # absent on models of partial_fit
    if box is not None:
        doc["coef_bounds"] = {
            side: [[_json_scalar(v) for v in row] for row in np.asarray(b, dtype=np.float64).tolist()]
            for side, b in zip(("lower", "upper"), box, strict=True)
        }
    if offset is not None:
        doc["offset"] = offset
    stats = dict(statistics) if statistics is not None else (_summary_measures(model) or {})
    unknown = sorted(set(stats) - set(_MEASURES))
    if unknown:
        raise ModelFileError(f"unknown statistics {', '.join(unknown)}; known: {', '.join(_MEASURES)}")
    inference = _inference_to_json(getattr(model, "_stats_", None))
    if inference is not None:
        stats["inference"] = inference
    if stats:
        doc["statistics"] = _jsonable(stats)
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


def write_model(path, model, **kwargs):
    """Write the model file atomically (temp file in the same directory, then rename).

    Parameters
    ----------
    path : str or os.PathLike
    model : logreg.LogisticRegression
    **kwargs
        Passed to :func:`dumps`.

    Raises
    ------
    ModelFileError
        The model is not fitted.
    logreg.io.atomic.OutputPathError
        The directory does not exist or the path is a directory.
    """
    text = dumps(model, **kwargs)  # fully built before anything touches the disk
    atomic_write_text(path, text)


# ------------------------------------------------------------------- read
def _fail(msg):
    raise Invalid(msg)


def _parse(doc, source):
    """Validate a parsed document and build the ModelFile (raises Invalid)."""
    if isinstance(doc, dict):
        # the two checks that decide which message helps: not a model file at all, or a newer one
        if doc.get("format") != FORMAT:
            _fail(f"'format' is {json.dumps(doc.get('format'))[:60]}, expected {json.dumps(FORMAT)}")
        version = doc.get("format_version")
        if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
            raise ModelFileError(
                f"{source} is model format {str(version)[:20]}, written by logreg {str(doc.get('logreg_version'))[:40]}; "
                f"this logreg ({__version__}) reads format {FORMAT_VERSION}: upgrade logreg"
            )
    doc = validate(doc)
    model, columns = fitted_estimator(doc)
    statistics = doc.get("statistics")
    if statistics is not None and statistics.get("inference") is not None:
        inference = {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in statistics["inference"].items()}
        statistics = {**statistics, "inference": inference}
    return ModelFile(
        model=model,
        feature_names=list(doc["feature_names"]),
        columns=columns,
        target=doc.get("target"),
        weight=doc.get("weight"),
        offset=doc.get("offset"),
        training=doc.get("training") or {},
        statistics=statistics,
        format_version=doc["format_version"],
        logreg_version=doc["logreg_version"],
    )


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def loads(text, source="<string>"):
    """Parse and validate model-file text.

    Parameters
    ----------
    text : str
    source : str
        How to name the file in messages.

    Returns
    -------
    ModelFile

    Raises
    ------
    ModelFileError
    """
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        # a string still open at the end of the text is a cut too (json reports where the string began)
        ends_early = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        where = "it ends too early (truncated?)" if ends_early else f"line {exc.lineno}"
        raise ModelFileError(f"{source} is not valid JSON: {exc.msg}; {where}") from None
    except (ValueError, RecursionError) as exc:
        raise ModelFileError(f"{source} is not valid JSON: {exc}") from None
    try:
        return _parse(doc, source)
    except Invalid as exc:
        raise ModelFileError(
            f"{source} is not a valid logreg model file: {exc}; it was changed or damaged after logreg wrote it: "
            "refit and save the model again"
        ) from None


def _looks_like_pickle(head):
    # protocol 2+ starts with PROTO (0x80) then the protocol number
    return len(head) >= 2 and head[0] == 0x80 and head[1] <= 5


def read_model(path):
    """Read and validate a model file.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    ModelFile

    Raises
    ------
    ModelFileError
        Missing, a directory, a pickle, not UTF-8 JSON, truncated, or a
        schema or shape that does not check out.
    """
    name = str(Path(path))
    data = read_regular(
        path, MAX_BYTES, what="model file", error=ModelFileError, hint="give the .json file written by 'logreg fit'"
    )
    if not data.strip():
        raise ModelFileError(f"model file {name} is empty")
    if _looks_like_pickle(data[:2]):
        raise ModelFileError(
            f"{name} is a Python pickle; logreg never loads pickles (loading one can run arbitrary code). "
            "Refit and save with 'logreg fit' or LogisticRegression.save"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ModelFileError(f"{name} is not a logreg model file (not UTF-8 JSON text)") from None
    return loads(text, name)
