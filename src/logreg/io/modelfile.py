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
    target, weight    optional: the column names used in training
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
from .tables import ColumnEncoding

__all__ = ["FORMAT", "FORMAT_VERSION", "ModelFile", "dumps", "loads", "read_model", "write_model"]

FORMAT = "logreg-model"
FORMAT_VERSION = 1

#: Refuse absurdly large files before parsing them (a model of a million
#: features is ~25 MB of JSON).
MAX_BYTES = 512 * 1024 * 1024

_REQUIRED = ("format", "format_version", "logreg_version", "classes", "feature_names", "coef", "intercept", "options")
_OPTIONAL = ("created", "feature_names_in", "training", "columns", "target", "weight", "statistics")
_OPTION_KEYS = (
    "penalty",
    "C",
    "l1_ratio",
    "fit_intercept",
    "tol",
    "max_iter",
    "solver",
    "learning_rate",
    "class_weight",
    "warm_start",
    "verbose",
)
#: Likelihood measures copied from the summary into "statistics".
_MEASURES = (
    "log_likelihood",
    "null_log_likelihood",
    "llr",
    "llr_pvalue",
    "aic",
    "bic",
    "pseudo_r2",
    "deviance",
    "nobs",
)
#: The inference statistics (P x P matrices) are kept up to this many
#: parameters: beyond, the file would grow past ~10 MB and summary() can be
#: recomputed from the training data instead.
MAX_STORED_PARAMS = 300
_TRAINING_ATTRS = {
    # key in "training" -> (estimator attribute, converter)
    "solver": ("solver_", str),
    "converged": ("converged_", bool),
    "grad_norm": ("grad_norm_", float),
    "n_passes": ("n_passes_", int),
}


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


def dumps(model, *, columns=None, target=None, weight=None, training=None, statistics=None):
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

    Returns
    -------
    str
    """
    if not hasattr(model, "coef_"):
        raise ModelFileError("the model is not fitted; call fit before saving it")
    coef = np.asarray(model.coef_, dtype=np.float64)
    intercept = np.asarray(model.intercept_, dtype=np.float64)
    if not (np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))):
        raise ModelFileError("the model has non-finite coefficients; refusing to save it")
    names_in = hasattr(model, "feature_names_in_")
    if names_in:
        names = [str(n) for n in model.feature_names_in_]
    elif columns is not None:
        names = [n for enc in columns for n in enc.feature_names]
    else:
        names = [f"x{j}" for j in range(coef.shape[1])]
    meta = getattr(model, "_modelfile_meta", None) or {}
    if columns is None and meta.get("columns") is not None:
        if [n for enc in meta["columns"] for n in enc.feature_names] == names:
            columns, target, weight = meta["columns"], target or meta.get("target"), weight or meta.get("weight")
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
        "classes": [_json_scalar(c) for c in np.asarray(model.classes_).tolist()],
        "feature_names": names,
        "feature_names_in": names_in,
        "coef": coef.tolist(),
        "intercept": intercept.tolist(),
        "options": _options_to_json(model.get_params()),
        "training": train,
    }
    if columns is not None:
        doc["columns"] = [enc.to_dict() for enc in columns]
        doc["target"] = target
        doc["weight"] = weight
    stats = dict(statistics) if statistics is not None else (_summary_measures(model) or {})
    unknown = sorted(set(stats) - set(_MEASURES))
    if unknown:
        raise ModelFileError(f"unknown statistics {', '.join(unknown)}; known: {', '.join(_MEASURES)}")
    inference = _inference_to_json(getattr(model, "_stats_", None))
    if inference is not None:
        stats["inference"] = inference
    if stats:
        doc["statistics"] = _jsonable(stats)
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
class _Invalid(Exception):
    pass


def _fail(msg):
    raise _Invalid(msg)


def _check_type(value, types, what):
    # bool is an int in Python; a count or a number given as true/false is wrong
    types = types if isinstance(types, tuple) else (types,)
    if isinstance(value, bool) and bool not in types:
        _fail(f"{what} must be {_type_names(types)}, got {json.dumps(value)}")
    if not isinstance(value, types):
        _fail(f"{what} must be {_type_names(types)}, got {type(value).__name__}")
    return value


def _type_names(types):
    names = {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }
    types = types if isinstance(types, tuple) else (types,)
    return " or ".join(names.get(t, t.__name__) for t in types if not (t is int and float in types))


def _number_list(value, what, n=None):
    _check_type(value, list, what)
    for v in value:
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            _fail(f"{what} must hold finite numbers, found {json.dumps(v)}")
    if n is not None and len(value) != n:
        _fail(f"{what} has {len(value)} values, expected {n}")
    return np.asarray(value, dtype=np.float64)


def _parse_options(opts):
    from ..estimator import LogisticRegression

    _check_type(opts, dict, "options")
    unknown = sorted(set(opts) - set(_OPTION_KEYS))
    if unknown:
        _fail(f"unknown option(s) {', '.join(unknown)}")
    params = dict(opts)
    if params.get("C") == "inf":
        params["C"] = math.inf
    cw = params.get("class_weight")
    if isinstance(cw, dict):
        pairs = cw.get("pairs")
        if (
            set(cw) != {"pairs"}
            or not isinstance(pairs, list)
            or not all(isinstance(p, list) and len(p) == 2 for p in pairs)
        ):
            _fail("options.class_weight must be 'balanced', null or {'pairs': [[class, weight], ...]}")
        params["class_weight"] = {p[0]: p[1] for p in pairs}
    model = LogisticRegression()
    try:
        model.set_params(**params)
        model._validate_params()
    except (ValueError, TypeError) as exc:
        _fail(f"invalid options: {' '.join(str(exc).split())}")
    return model


def _parse(doc, source):
    """Validate a parsed document and build the ModelFile (raises _Invalid)."""
    _check_type(doc, dict, "the document")
    if doc.get("format") != FORMAT:
        _fail(f"'format' is {json.dumps(doc.get('format'))}, expected {json.dumps(FORMAT)}")
    version = _check_type(doc.get("format_version"), int, "format_version")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{source} is model format {version}, written by logreg {doc.get('logreg_version')}; this logreg "
            f"({__version__}) reads format {FORMAT_VERSION}: upgrade logreg"
        )
    if version != FORMAT_VERSION:
        _fail(f"unsupported format_version {version}")
    missing = [k for k in _REQUIRED if k not in doc]
    if missing:
        _fail(f"missing field(s) {', '.join(missing)}")
    unknown = sorted(set(doc) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        _fail(f"unknown field(s) {', '.join(unknown)}")
    _check_type(doc["logreg_version"], str, "logreg_version")

    classes = _check_type(doc["classes"], list, "classes")
    if len(classes) < 2:
        _fail(f"classes has {len(classes)} entries, a model needs two or more")
    kinds = {type(c) for c in classes}
    if len(kinds) != 1 or not kinds <= {str, int, float, bool}:
        _fail("classes must all be strings, or all integers, or all numbers")
    if len(set(classes)) != len(classes):
        _fail("classes has duplicates")

    names = _check_type(doc["feature_names"], list, "feature_names")
    if not names or not all(isinstance(n, str) for n in names):
        _fail("feature_names must be a non-empty list of strings")
    if len(set(names)) != len(names):
        _fail("feature_names has duplicates")
    d = len(names)
    n_rows = 1 if len(classes) == 2 else len(classes)

    coef = _check_type(doc["coef"], list, "coef")
    if len(coef) != n_rows:
        _fail(f"coef has {len(coef)} rows but {len(classes)} classes need {n_rows}")
    coef = np.vstack([_number_list(row, f"coef row {i}", d) for i, row in enumerate(coef)])
    intercept = _number_list(doc["intercept"], "intercept", n_rows)

    model = _parse_options(doc["options"])

    columns = None
    if doc.get("columns") is not None:
        raw = _check_type(doc["columns"], list, "columns")
        columns = []
        for i, c in enumerate(raw):
            _check_type(c, dict, f"columns[{i}]")
            if not isinstance(c.get("name"), str) or c.get("kind") not in ("numeric", "categorical"):
                _fail(f"columns[{i}] needs a string 'name' and 'kind' 'numeric' or 'categorical'")
            allowed = {"name", "kind", "fill"} | ({"levels", "reference"} if c["kind"] == "categorical" else set())
            if set(c) - allowed:
                _fail(f"columns[{i}] has unknown field(s) {', '.join(sorted(set(c) - allowed))}")
            if c["kind"] == "numeric":
                fill = c.get("fill")
                if fill is not None and (isinstance(fill, bool) or not isinstance(fill, int | float)):
                    _fail(f"columns[{i}].fill must be a number")
            else:
                levels = c.get("levels")
                if not isinstance(levels, list) or not levels or not all(isinstance(v, str) for v in levels):
                    _fail(f"columns[{i}].levels must be a non-empty list of strings")
                if c.get("reference") is not None and c["reference"] not in levels:
                    _fail(f"columns[{i}].reference is not one of its levels")
                if c.get("fill") is not None and c["fill"] not in levels:
                    _fail(f"columns[{i}].fill is not one of its levels")
            columns.append(ColumnEncoding.from_dict(c))
        derived = [n for enc in columns for n in enc.feature_names]
        if derived != names:
            _fail(f"columns produce {len(derived)} features that do not match the {d} feature_names")
    for key in ("target", "weight"):
        if doc.get(key) is not None:
            _check_type(doc[key], str, key)

    training = doc.get("training") or {}
    _check_type(training, dict, "training")
    statistics = doc.get("statistics")
    inference = None
    if statistics is not None:
        _check_type(statistics, dict, "statistics")
        unknown = sorted(set(statistics) - set(_MEASURES) - {"inference"})
        if unknown:
            _fail(f"unknown statistics {', '.join(unknown)}")
        for k in _MEASURES:
            v = statistics.get(k)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
                _fail(f"statistics.{k} must be a number or null")
        if statistics.get("inference") is not None:
            inference = _parse_inference(statistics["inference"], coef, intercept, len(classes), model.fit_intercept)

    # the estimator's fitted state, as fit would leave it
    cls = np.asarray(classes)
    model.classes_ = cls
    model.coef_ = coef
    model.intercept_ = intercept
    model.n_features_in_ = d
    if doc.get("feature_names_in", False) is True:
        model.feature_names_in_ = np.asarray(names, dtype=object)
    n_iter = training.get("n_iter")
    model.n_iter_ = np.array([n_iter if isinstance(n_iter, int) and not isinstance(n_iter, bool) else 0], np.int32)
    history = training.get("objective_history") or []
    if not isinstance(history, list):
        _fail("training.objective_history must be a list")
    model.objective_history_ = np.array(
        [v if isinstance(v, int | float) and not isinstance(v, bool) else np.nan for v in history], dtype=np.float64
    )
    for key, (attr, conv) in _TRAINING_ATTRS.items():
        v = training.get(key)
        if v is not None:
            try:
                setattr(model, attr, conv(v))
            except (TypeError, ValueError):
                _fail(f"training.{key} has the wrong type")
    if inference is not None:
        model._stats_ = inference
    diagnostics = _parse_diagnostics(training.get("diagnostics"))
    if diagnostics is not None:
        model._diagnostics_ = diagnostics
    if columns is not None:
        model._modelfile_meta = {"columns": columns, "target": doc.get("target"), "weight": doc.get("weight")}
    return ModelFile(
        model=model,
        feature_names=list(names),
        columns=columns,
        target=doc.get("target"),
        weight=doc.get("weight"),
        training=training,
        statistics=statistics,
        format_version=version,
        logreg_version=doc["logreg_version"],
    )


def _matrix(value, what, P):
    _check_type(value, list, what)
    if len(value) != P:
        _fail(f"{what} has {len(value)} rows, expected {P}")
    return np.vstack([_number_list(row, f"{what} row {i}", P) for i, row in enumerate(value)])


def _parse_inference(inf, coef, intercept, n_classes, fit_intercept):
    """Rebuild the stored FitStatistics, checking every shape against the coefficients."""
    from ..stats import FitStatistics

    what = "statistics.inference"
    _check_type(inf, dict, what)
    keys = {
        "n_classes",
        "fit_intercept",
        "n_features",
        "weight_sum",
        "n_rows",
        "unit_weights",
        "log_likelihood",
        "null_log_likelihood",
        "params",
        "fisher",
        "meat",
        "meat_prob",
    }
    if set(inf) != keys:
        diff = sorted(set(inf) ^ keys)
        _fail(f"{what} has missing or unknown fields: {', '.join(diff)}")
    for k in ("n_classes", "n_features", "n_rows"):
        _check_type(inf[k], int, f"{what}.{k}")
    for k in ("fit_intercept", "unit_weights"):
        _check_type(inf[k], bool, f"{what}.{k}")
    for k in ("weight_sum", "log_likelihood", "null_log_likelihood"):
        _number_list([inf[k]], f"{what}.{k}")
    d = coef.shape[1]
    if inf["n_classes"] != n_classes or inf["n_features"] != d or inf["fit_intercept"] != fit_intercept:
        _fail(f"{what} describes a different model (classes, features or intercept disagree with coef)")
    K = 1 if n_classes == 2 else n_classes
    P = K * (d + int(fit_intercept))
    params = _number_list(inf["params"], f"{what}.params", P)
    expected = (np.column_stack([intercept[:K], coef]) if fit_intercept else coef).ravel()
    if not np.allclose(params, expected, rtol=1e-12, atol=0):
        _fail(f"{what}.params do not match coef and intercept")
    return FitStatistics(
        n_classes=n_classes,
        fit_intercept=fit_intercept,
        n_features=d,
        weight_sum=float(inf["weight_sum"]),
        n_rows=inf["n_rows"],
        unit_weights=inf["unit_weights"],
        log_likelihood=float(inf["log_likelihood"]),
        null_log_likelihood=float(inf["null_log_likelihood"]),
        params=params,
        fisher=_matrix(inf["fisher"], f"{what}.fisher", P),
        meat=_matrix(inf["meat"], f"{what}.meat", P),
        meat_prob=None if inf["meat_prob"] is None else _matrix(inf["meat_prob"], f"{what}.meat_prob", P),
    )


def _parse_diagnostics(raw):
    """training.diagnostics -> tuple of logreg.diagnostics.Diagnostic (None when absent)."""
    if raw is None:
        return None
    from .. import exceptions
    from ..diagnostics import Diagnostic

    _check_type(raw, list, "training.diagnostics")
    out = []
    for i, d in enumerate(raw):
        what = f"training.diagnostics[{i}]"
        _check_type(d, dict, what)
        if set(d) != {"category", "message", "features"}:
            _fail(f"{what} needs exactly category, message and features")
        name = d["category"]
        category = getattr(exceptions, name, None) if name in exceptions.__all__ else None
        if not (isinstance(category, type) and issubclass(category, Warning)):
            _fail(f"{what}.category {json.dumps(name)} is not a logreg warning class")
        _check_type(d["message"], str, f"{what}.message")
        feats = _check_type(d["features"], list, f"{what}.features")
        if not all(isinstance(f, str) for f in feats):
            _fail(f"{what}.features must be strings")
        out.append(Diagnostic(category, d["message"], tuple(feats)))
    return tuple(out)


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
        where = "it ends too early (truncated?)" if exc.pos >= len(text.rstrip()) else f"line {exc.lineno}"
        raise ModelFileError(f"{source} is not valid JSON: {exc.msg}; {where}") from None
    except (ValueError, RecursionError) as exc:
        raise ModelFileError(f"{source} is not valid JSON: {exc}") from None
    try:
        return _parse(doc, source)
    except _Invalid as exc:
        raise ModelFileError(f"{source} is not a valid logreg model file: {exc}") from None


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
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise ModelFileError(f"model file {name}: no such file")
    if path.is_dir():
        raise ModelFileError(f"model file {name} is a directory; give the .json file written by 'logreg fit'")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ModelFileError(f"model file {name} is larger than {MAX_BYTES >> 20} MB; not a logreg model")
        data = path.read_bytes()
    except OSError as exc:
        raise ModelFileError(f"cannot read model file {name}: {exc.strerror or exc}") from None
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
