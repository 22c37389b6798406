"""The model file's declared schema and its one validator.

A model file may come from anyone, so nothing in it is trusted: :data:`SCHEMA`
declares every field's type and range (finite numbers, integers that fit
where they are used, strings from a fixed set), and :func:`validate` then
checks what types alone cannot: shapes against each other, classes unique and
sorted as ``fit`` stores them, coefficients small enough that the linear
predictor cannot overflow into NaN probabilities, and stored Fisher
information and meat matrices symmetric positive semi-definite.  The writer
runs the same validator, so a file that ``save`` writes is one that ``load``
reads.  Every failure is :class:`Invalid`, one line naming the field.
"""

from __future__ import annotations

import numpy as np

from .jsonspec import MAX_COUNT, Anything, Bool, Int, Invalid, List, Map, Nullable, Num, Numbers, Obj, OneOf, Str, show

__all__ = ["MAX_ABS_COEF", "MEASURES", "OPTION_KEYS", "SCHEMA", "Invalid", "validate"]

#: Largest coefficient or intercept accepted.  A fitted model never comes near
#: it (the features would need values below 1e-100); beyond, x @ w overflows
#: to infinity for ordinary x and the probabilities become NaN.
MAX_ABS_COEF = 1e100
#: n_iter is stored as int32.
MAX_INT32 = 2**31 - 1
MAX_INT64 = 2**63 - 1

OPTION_KEYS = (
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
    "standardize",
)
#: Likelihood measures copied from the summary into "statistics".
MEASURES = ("log_likelihood", "null_log_likelihood", "llr", "llr_pvalue", "aic", "bic", "pseudo_r2", "deviance", "nobs")


_COUNT = Int()
_NUM = Num()
_POS = Num(0, lo_open=True)
_NONNEG = Num(0)
_COEFS = Numbers(2, MAX_ABS_COEF)
_CLASS = OneOf(Str(), Bool(), Int(-MAX_INT64 - 1, MAX_INT64), Num())


_CLASS_WEIGHT = OneOf(
    Str(["balanced"]),
    Obj(required={"pairs": List(List(Anything(), min_len=2))}),
)
_OPTIONS = Obj(
    optional={
        "penalty": Nullable(Str()),  # the estimator's constraints name the penalties
        "C": OneOf(Num(0, lo_open=True), Str(["inf"])),
        "l1_ratio": Nullable(Num(0, 1)),
        "fit_intercept": Bool(),
        "tol": _NONNEG,
        "max_iter": Int(0, MAX_INT32),
        "solver": Str(),  # the estimator's constraints name the solvers
        "learning_rate": Nullable(_POS),
        "class_weight": Nullable(_CLASS_WEIGHT),
        "warm_start": Bool(),
        "verbose": OneOf(Bool(), Int(0, MAX_INT32)),
        "standardize": Bool(),
    }
)
_DIAGNOSTIC = Obj(required={"category": Str(), "message": Str(), "features": List(Str())})
_TRAINING = Obj(
    optional={
        "solver": Nullable(Str()),
        "n_iter": Nullable(Int(0, MAX_INT32)),
        "converged": Nullable(Bool()),
        "grad_norm": Nullable(_NONNEG),
        "n_passes": Nullable(_COUNT),
        "objective_history": Nullable(List(Nullable(_NUM))),
        "diagnostics": Nullable(List(_DIAGNOSTIC)),
        "n_samples": _COUNT,
        "n_rows_read": _COUNT,
        "n_rows_dropped": _COUNT,
        "missing": Str(["refuse", "drop", "mean"]),
        "missing_counts": Map(_COUNT),
        "sum_weights": _NONNEG,
    },
    extra=Anything(),  # further facts passed to dumps(training=...) are carried, never used
)
_INFERENCE = Obj(
    required={
        "n_classes": Int(2, MAX_INT32),
        "fit_intercept": Bool(),
        "n_features": Int(1, MAX_COUNT),
        "weight_sum": _POS,
        "n_rows": Int(1, MAX_COUNT),
        "unit_weights": Bool(),
        "log_likelihood": _NUM,
        "null_log_likelihood": _NUM,
        "params": Numbers(1, MAX_ABS_COEF),
        "fisher": Numbers(2),
        "meat": Numbers(2),
        "meat_prob": Nullable(Numbers(2)),
    }
)
_COLUMN = Obj(
    required={"name": Str(), "kind": Str(["numeric", "categorical"])},
    optional={
        "fill": Nullable(OneOf(_NUM, Str())),
        "levels": List(Str(), min_len=1, unique=True),
        "reference": Nullable(Str()),
    },
)
_FORMULA = Obj(
    required={
        "formula": Str(),
        "factors": Map(List(Anything(), min_len=2)),
        "transforms": Map(Map(Anything())),
        "feature_names": List(Str(), min_len=1, unique=True),
    }
)
_STANDARDIZATION = Obj(required={"mean": Numbers(1), "scale": Numbers(1)})
#: coef_bounds as fitted: coef's shape, null where a side is unbounded (JSON has no infinity).
_BOUND_ROWS = List(List(Nullable(_NUM)))
_COEF_BOUNDS = Obj(required={"lower": _BOUND_ROWS, "upper": _BOUND_ROWS})
_FACTOR_KINDS = ("numerical", "categorical", "constant")

#: The model file, format version 1 (see :mod:`logreg.io.modelfile`).
SCHEMA = Obj(
    required={
        "format": Str(["logreg-model"]),
        "format_version": Int(1, 1),
        "logreg_version": Str(),
        "classes": List(_CLASS, min_len=2),
        "feature_names": List(Str(), min_len=1, unique=True),
        "coef": _COEFS,
        "intercept": Numbers(1, MAX_ABS_COEF),
        "options": _OPTIONS,
    },
    optional={
        "created": Nullable(Str()),
        "feature_names_in": Bool(),
        "training": Nullable(_TRAINING),
        "columns": Nullable(List(_COLUMN, min_len=1)),
        "formula": Nullable(_FORMULA),
        "standardization": Nullable(_STANDARDIZATION),
        "coef_bounds": Nullable(_COEF_BOUNDS),
        "target": Nullable(Str()),
        "weight": Nullable(Str()),
        "offset": Nullable(Str()),
        "statistics": Nullable(
            Obj(optional={**{k: Nullable(_NUM) for k in MEASURES}, "inference": Nullable(_INFERENCE)})
        ),
    },
)


# ------------------------------------------------------------------ what types cannot say
def _check_classes(classes):
    big = next((c for c in classes if isinstance(c, int) and not -MAX_INT64 - 1 <= c <= MAX_INT64), None)
    if big is not None:
        raise Invalid(f"classes holds the integer {show(big)}, beyond 64 bits; labels must fit int64")
    kinds = {bool if isinstance(c, bool) else (int | float if isinstance(c, int | float) else str) for c in classes}
    if len(kinds) != 1:
        raise Invalid("classes must all be strings, or all numbers, or all booleans")
    if len(set(classes)) != len(classes):
        raise Invalid("classes has duplicates")
    if list(classes) != sorted(classes):
        # fit stores np.unique's order; predict maps column k of the probabilities to classes[k]
        raise Invalid("classes are not in sorted order, as fit stores them (swapped or reordered labels)")


def _check_columns(columns, names):
    seen = set()
    for i, c in enumerate(columns):
        where = f"columns[{i}]"
        if c["name"] in seen:
            raise Invalid(f"{where}.name {show(c['name'])} repeats an earlier column")
        seen.add(c["name"])
        if c["kind"] == "numeric":
            if set(c) - {"name", "kind", "fill"}:
                raise Invalid(
                    f"{where} is numeric and has unknown field(s) {', '.join(sorted(set(c) - {'name', 'kind', 'fill'}))}"
                )
            if isinstance(c.get("fill"), str):
                raise Invalid(f"{where}.fill must be a number")
            continue
        levels = c.get("levels")
        if levels is None:
            raise Invalid(f"{where}.levels must be a non-empty list of strings")
        if levels != sorted(levels):
            raise Invalid(f"{where}.levels are not sorted, as fit stores them")
        for key in ("reference", "fill"):
            if c.get(key) is not None and c[key] not in levels:
                raise Invalid(f"{where}.{key} is not one of its levels")
    derived = [n for c in columns for n in _feature_names(c)]
    if derived != names:
        raise Invalid(f"columns produce {len(derived)} features that do not match the {len(names)} feature_names")


def _check_formula(formula, names):
    if formula["feature_names"] != names:
        raise Invalid("formula.feature_names do not match the feature_names")
    for expr, entry in formula["factors"].items():
        where = f"formula.factors.{expr}"
        kind, state = entry[0], entry[1]
        if len(entry) != 2 or kind not in _FACTOR_KINDS or not isinstance(state, dict):
            raise Invalid(f"{where} must be [kind, state], kind one of {', '.join(_FACTOR_KINDS)}")
        levels = state.get("categories")
        if levels is not None:
            List(_CLASS, min_len=1, unique=True)(levels, f"{where}.categories")


def _check_standardization(st, n_features):
    for key in ("mean", "scale"):
        if st[key].shape != (n_features,):
            raise Invalid(f"standardization.{key} has {st[key].size} values, expected {n_features}")
    if not np.all(st["scale"] > 0):
        raise Invalid("standardization.scale must be > 0")


def _check_coef_bounds(cb, coef):
    """coef_bounds' sides -> float arrays of coef's shape (null: -inf / inf), lower <= upper."""
    out = []
    for side, fill in (("lower", -np.inf), ("upper", np.inf)):
        rows = cb[side]
        if len(rows) != coef.shape[0] or any(len(r) != coef.shape[1] for r in rows):
            raise Invalid(f"coef_bounds.{side} must have coef's shape {list(coef.shape)}")
        out.append(np.array([[fill if v is None else float(v) for v in r] for r in rows], dtype=np.float64))
    if np.any(out[0] > out[1]):
        raise Invalid("coef_bounds has a lower bound above its upper bound")
    return tuple(out)


def _feature_names(c):
    if c["kind"] == "numeric":
        return [c["name"]]
    return [f"{c['name']}={lv}" for lv in c["levels"] if lv != c.get("reference")]


def _check_psd(matrix, where):
    """Symmetric positive semi-definite, to rounding (singular: collinear columns)."""
    scale = float(np.max(np.abs(matrix))) if matrix.size else 0.0
    if not np.allclose(matrix, matrix.T, rtol=1e-9, atol=1e-12 * scale):
        raise Invalid(f"{where} is not symmetric")
    if scale == 0.0:
        if where.endswith("fisher"):
            raise Invalid(f"{where} is zero; a fit's information cannot be (standard errors would be 0)")
        return
    with np.errstate(all="ignore"):
        eig = np.linalg.eigvalsh(matrix / scale)
    if not np.all(np.isfinite(eig)) or eig[0] < -1e-8 * matrix.shape[0]:
        raise Invalid(f"{where} is not positive semi-definite (smallest eigenvalue {eig[0] * scale:.3g})")


def _check_inference(inf, coef, intercept, n_classes, fit_intercept):
    where = "statistics.inference"
    d = coef.shape[1]
    if inf["n_classes"] != n_classes or inf["n_features"] != d or inf["fit_intercept"] != fit_intercept:
        raise Invalid(f"{where} describes a different model (classes, features or intercept disagree with coef)")
    from ..layout import ParamLayout

    layout = ParamLayout(d, n_classes, bool(fit_intercept))
    P = layout.n_params
    if inf["params"].shape != (P,):
        raise Invalid(f"{where}.params has {inf['params'].size} values, expected {P}")
    expected = layout.stats_params(coef, intercept).ravel()
    if not np.allclose(inf["params"], expected, rtol=1e-12, atol=0):
        raise Invalid(f"{where}.params do not match coef and intercept")
    for key in ("fisher", "meat", "meat_prob"):
        if inf[key] is None:
            continue
        if inf[key].shape != (P, P):
            raise Invalid(f"{where}.{key} has shape {inf[key].shape}, expected ({P}, {P})")
        _check_psd(inf[key], f"{where}.{key}")


def validate(doc):
    """Check a parsed model-file document against :data:`SCHEMA` and itself.

    Parameters
    ----------
    doc : object
        What ``json.loads`` returned.

    Returns
    -------
    dict
        The document with ``coef``, ``intercept`` and the inference arrays as
        float64 ndarrays.

    Raises
    ------
    Invalid
    """
    if not isinstance(doc, dict):
        raise Invalid(f"the document must be a JSON object, got {show(doc)}")
    doc = SCHEMA(doc, "")
    classes, names, coef, intercept = doc["classes"], doc["feature_names"], doc["coef"], doc["intercept"]
    _check_classes(classes)
    n_rows = 1 if len(classes) == 2 else len(classes)
    if coef.shape[0] != n_rows:
        raise Invalid(f"coef has {coef.shape[0]} rows but {len(classes)} classes need {n_rows}")
    if coef.shape[1] != len(names):
        raise Invalid(f"coef rows have {coef.shape[1]} values, expected {len(names)} (one per feature)")
    if intercept.shape != (n_rows,):
        raise Invalid(f"intercept has {intercept.size} values, expected {n_rows}")
    if doc.get("columns") is not None:
        _check_columns(doc["columns"], names)
    if doc.get("formula") is not None:
        if doc.get("columns") is not None:
            raise Invalid("a model has columns or a formula, not both")
        _check_formula(doc["formula"], names)
    if doc.get("standardization") is not None:
        _check_standardization(doc["standardization"], len(names))
    if doc.get("coef_bounds") is not None:
        doc["coef_bounds"] = _check_coef_bounds(doc["coef_bounds"], coef)
    inference = (doc.get("statistics") or {}).get("inference")
    if inference is not None:
        fit_intercept = doc["options"].get("fit_intercept", True)
        _check_inference(inference, coef, intercept, len(classes), fit_intercept)
    return doc
