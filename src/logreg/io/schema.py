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

import json
import math

import numpy as np

__all__ = ["MAX_ABS_COEF", "MEASURES", "OPTION_KEYS", "SCHEMA", "Invalid", "validate"]

#: Largest coefficient or intercept accepted.  A fitted model never comes near
#: it (the features would need values below 1e-100); beyond, x @ w overflows
#: to infinity for ordinary x and the probabilities become NaN.
MAX_ABS_COEF = 1e100
#: Counts are exact in float64 up to 2**53; n_iter is stored as int32.
MAX_COUNT = 2**53
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


class Invalid(Exception):
    """A model-file document does not check out; the message names the field."""


def _at(where, key):
    return f"{where}.{key}" if where else str(key)


def _show(value):
    text = json.dumps(value) if isinstance(value, str | int | float | bool | type(None)) else type(value).__name__
    return text if len(text) <= 60 else text[:57] + "..."


# ------------------------------------------------------------------ declared types
class _Spec:
    name = "a value"

    def __call__(self, value, where):  # pragma: no cover - every spec overrides
        raise NotImplementedError


class _Any(_Spec):
    def __call__(self, value, where):
        return value


class _Bool(_Spec):
    name = "true or false"

    def __call__(self, value, where):
        if not isinstance(value, bool):
            raise Invalid(f"{where} must be true or false, got {_show(value)}")
        return value


class _Str(_Spec):
    def __init__(self, choices=None):
        self.choices = None if choices is None else tuple(choices)
        self.name = "a string" if choices is None else "one of " + ", ".join(map(json.dumps, self.choices))

    def __call__(self, value, where):
        if not isinstance(value, str) or (self.choices is not None and value not in self.choices):
            raise Invalid(f"{where} must be {self.name}, got {_show(value)}")
        return value


class _Int(_Spec):
    def __init__(self, lo=0, hi=MAX_COUNT):
        self.lo, self.hi = lo, hi
        self.name = f"an integer in [{lo}, {hi}]"

    def __call__(self, value, where):
        if isinstance(value, bool) or not isinstance(value, int) or not self.lo <= value <= self.hi:
            raise Invalid(f"{where} must be {self.name}, got {_show(value)}")
        return value


def _finite(value):
    """float(value) for a JSON int or float that is finite, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        x = float(value)
    except OverflowError:  # an integer beyond float range
        return None
    return x if math.isfinite(x) else None


class _Num(_Spec):
    def __init__(self, lo=-math.inf, hi=math.inf, *, lo_open=False):
        self.lo, self.hi, self.lo_open = lo, hi, lo_open
        if hi < math.inf:
            rng = f" in {'(' if lo_open else '['}{lo:g}, {hi:g}]"
        elif lo > -math.inf:
            rng = f" {'>' if lo_open else '>='} {lo:g}"
        else:
            rng = ""
        self.name = f"a finite number{rng}"

    def __call__(self, value, where):
        x = _finite(value)
        if x is None or not self.lo <= x <= self.hi or (self.lo_open and x == self.lo):
            raise Invalid(f"{where} must be {self.name}, got {_show(value)}")
        return value


class _Nullable(_Spec):
    def __init__(self, spec):
        self.spec = spec
        self.name = f"{spec.name} or null"

    def __call__(self, value, where):
        return None if value is None else self.spec(value, where)


class _OneOf(_Spec):
    def __init__(self, *specs):
        self.specs = specs
        self.name = " or ".join(s.name for s in specs)

    def __call__(self, value, where):
        for spec in self.specs:
            try:
                return spec(value, where)
            except Invalid:
                pass
        raise Invalid(f"{where} must be {self.name}, got {_show(value)}")


class _List(_Spec):
    def __init__(self, item, *, min_len=0, unique=False):
        self.item, self.min_len, self.unique = item, min_len, unique
        self.name = "a list"

    def __call__(self, value, where):
        if not isinstance(value, list):
            raise Invalid(f"{where} must be a list, got {_show(value)}")
        if len(value) < self.min_len:
            raise Invalid(f"{where} has {len(value)} entries, needs {self.min_len} or more")
        if isinstance(self.item, _Str) and self.item.choices is None and all(type(v) is str for v in value):
            out = list(value)  # fast path: feature names of a wide model
        else:
            out = [self.item(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if self.unique and _n_distinct(value) != len(value):
            raise Invalid(f"{where} has duplicates")
        return out


def _n_distinct(values):
    if all(type(v) is str for v in values):
        return len(set(values))
    return len(set(map(json.dumps, values)))  # json text: 1 and true stay distinct, lists hash


class _Map(_Spec):
    """An object of arbitrary string keys, each value of one type."""

    name = "an object"

    def __init__(self, item):
        self.item = item

    def __call__(self, value, where):
        if not isinstance(value, dict):
            raise Invalid(f"{where} must be an object, got {_show(value)}")
        return {k: self.item(v, _at(where, k)) for k, v in value.items()}


class _Obj(_Spec):
    """An object of declared fields; ``extra`` types the undeclared ones (None: refused)."""

    name = "an object"

    def __init__(self, required=None, optional=None, extra=None):
        self.required, self.optional, self.extra = dict(required or {}), dict(optional or {}), extra

    def __call__(self, value, where):
        if not isinstance(value, dict):
            raise Invalid(f"{where} must be an object, got {_show(value)}")
        missing = [k for k in self.required if k not in value]
        if missing:
            raise Invalid(f"{where} is missing field(s) {', '.join(missing)}")
        fields = {**self.required, **self.optional}
        unknown = sorted(k for k in value if k not in fields)
        if unknown and self.extra is None:
            raise Invalid(f"{where} has unknown field(s) {', '.join(unknown)}")
        return {k: fields.get(k, self.extra)(v, _at(where, k)) for k, v in value.items()}


class _Numbers(_Spec):
    """A list (ndim 1) or list of equal-length lists (ndim 2) of finite numbers -> float64 array."""

    def __init__(self, ndim, max_abs=math.inf):
        self.ndim, self.max_abs = ndim, max_abs
        self.name = "a list of finite numbers" if ndim == 1 else "a list of lists of finite numbers"

    def __call__(self, value, where):
        rows = [value] if self.ndim == 1 else value
        if not isinstance(value, list) or not all(isinstance(r, list) for r in rows):
            raise Invalid(f"{where} must be {self.name}")
        fast = self._fast(value, rows)
        if fast is not None:
            return fast
        for i, row in enumerate(rows):
            for v in row:
                x = _finite(v)
                if x is None:
                    at = "" if self.ndim == 1 else f" (row {i})"
                    raise Invalid(f"{where} must hold finite numbers, found {_show(v)}{at}")
                if abs(x) > self.max_abs:
                    raise Invalid(
                        f"{where} holds {x:.3g}, beyond {self.max_abs:g}: the linear predictor would overflow "
                        "and give NaN probabilities (a diverged or tampered fit)"
                    )
        if self.ndim == 2 and len({len(r) for r in rows}) > 1:
            raise Invalid(f"{where} has rows of different lengths")
        arr = np.asarray(value, dtype=np.float64)
        return arr if self.ndim == 1 or arr.ndim == 2 else arr.reshape(len(value), 0)

    def _fast(self, value, rows):
        """The array when every entry is a plain int or float in range, else None (the slow
        path then finds the entry to name)."""
        if len({len(r) for r in rows}) > 1 or not all(type(v) in (int, float) for r in rows for v in r):
            return None
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (OverflowError, ValueError):
            return None
        if not np.all(np.isfinite(arr)) or (arr.size and float(np.max(np.abs(arr))) > self.max_abs):
            return None
        return arr if self.ndim == 1 or arr.ndim == 2 else arr.reshape(len(value), 0)


_COUNT = _Int()
_NUM = _Num()
_POS = _Num(0, lo_open=True)
_NONNEG = _Num(0)
_COEFS = _Numbers(2, MAX_ABS_COEF)
_CLASS = _OneOf(_Str(), _Bool(), _Int(-MAX_INT64 - 1, MAX_INT64), _Num())


def _solvers():
    from ..solvers import REGISTRY

    return tuple(sorted(REGISTRY))


_CLASS_WEIGHT = _OneOf(
    _Str(["balanced"]),
    _Obj(required={"pairs": _List(_List(_Any(), min_len=2))}),
)
_OPTIONS = _Obj(
    optional={
        "penalty": _Nullable(_Str()),  # the estimator's constraints name the penalties
        "C": _OneOf(_Num(0, lo_open=True), _Str(["inf"])),
        "l1_ratio": _Nullable(_Num(0, 1)),
        "fit_intercept": _Bool(),
        "tol": _NONNEG,
        "max_iter": _Int(0, MAX_INT32),
        "solver": _Str(),  # the estimator's constraints name the solvers
        "learning_rate": _Nullable(_POS),
        "class_weight": _Nullable(_CLASS_WEIGHT),
        "warm_start": _Bool(),
        "verbose": _OneOf(_Bool(), _Int(0, MAX_INT32)),
        "standardize": _Bool(),
    }
)
_DIAGNOSTIC = _Obj(required={"category": _Str(), "message": _Str(), "features": _List(_Str())})
_TRAINING = _Obj(
    optional={
        "solver": _Nullable(_Str()),
        "n_iter": _Nullable(_Int(0, MAX_INT32)),
        "converged": _Nullable(_Bool()),
        "grad_norm": _Nullable(_NONNEG),
        "n_passes": _Nullable(_COUNT),
        "objective_history": _Nullable(_List(_Nullable(_NUM))),
        "diagnostics": _Nullable(_List(_DIAGNOSTIC)),
        "n_samples": _COUNT,
        "n_rows_read": _COUNT,
        "n_rows_dropped": _COUNT,
        "missing": _Str(["refuse", "drop", "mean"]),
        "missing_counts": _Map(_COUNT),
        "sum_weights": _NONNEG,
    },
    extra=_Any(),  # further facts passed to dumps(training=...) are carried, never used
)
_INFERENCE = _Obj(
    required={
        "n_classes": _Int(2, MAX_INT32),
        "fit_intercept": _Bool(),
        "n_features": _Int(1, MAX_COUNT),
        "weight_sum": _POS,
        "n_rows": _Int(1, MAX_COUNT),
        "unit_weights": _Bool(),
        "log_likelihood": _NUM,
        "null_log_likelihood": _NUM,
        "params": _Numbers(1, MAX_ABS_COEF),
        "fisher": _Numbers(2),
        "meat": _Numbers(2),
        "meat_prob": _Nullable(_Numbers(2)),
    }
)
_COLUMN = _Obj(
    required={"name": _Str(), "kind": _Str(["numeric", "categorical"])},
    optional={
        "fill": _Nullable(_OneOf(_NUM, _Str())),
        "levels": _List(_Str(), min_len=1, unique=True),
        "reference": _Nullable(_Str()),
    },
)
_FORMULA = _Obj(
    required={
        "formula": _Str(),
        "factors": _Map(_List(_Any(), min_len=2)),
        "transforms": _Map(_Map(_Any())),
        "feature_names": _List(_Str(), min_len=1, unique=True),
    }
)
_STANDARDIZATION = _Obj(required={"mean": _Numbers(1), "scale": _Numbers(1)})
#: coef_bounds as fitted: coef's shape, null where a side is unbounded (JSON has no infinity).
_BOUND_ROWS = _List(_List(_Nullable(_NUM)))
_COEF_BOUNDS = _Obj(required={"lower": _BOUND_ROWS, "upper": _BOUND_ROWS})
_FACTOR_KINDS = ("numerical", "categorical", "constant")

#: The model file, format version 1 (see :mod:`logreg.io.modelfile`).
SCHEMA = _Obj(
    required={
        "format": _Str(["logreg-model"]),
        "format_version": _Int(1, 1),
        "logreg_version": _Str(),
        "classes": _List(_CLASS, min_len=2),
        "feature_names": _List(_Str(), min_len=1, unique=True),
        "coef": _COEFS,
        "intercept": _Numbers(1, MAX_ABS_COEF),
        "options": _OPTIONS,
    },
    optional={
        "created": _Nullable(_Str()),
        "feature_names_in": _Bool(),
        "training": _Nullable(_TRAINING),
        "columns": _Nullable(_List(_COLUMN, min_len=1)),
        "formula": _Nullable(_FORMULA),
        "standardization": _Nullable(_STANDARDIZATION),
        "coef_bounds": _Nullable(_COEF_BOUNDS),
        "target": _Nullable(_Str()),
        "weight": _Nullable(_Str()),
        "offset": _Nullable(_Str()),
        "statistics": _Nullable(
            _Obj(optional={**{k: _Nullable(_NUM) for k in MEASURES}, "inference": _Nullable(_INFERENCE)})
        ),
    },
)


# ------------------------------------------------------------------ what types cannot say
def _check_classes(classes):
    big = next((c for c in classes if isinstance(c, int) and not -MAX_INT64 - 1 <= c <= MAX_INT64), None)
    if big is not None:
        raise Invalid(f"classes holds the integer {_show(big)}, beyond 64 bits; labels must fit int64")
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
            raise Invalid(f"{where}.name {_show(c['name'])} repeats an earlier column")
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
            _List(_CLASS, min_len=1, unique=True)(levels, f"{where}.categories")


def _check_standardization(st, n_features):
    for key in ("mean", "scale"):
        if st[key].shape != (n_features,):
            raise Invalid(f"standardization.{key} has {st[key].size} values, expected {n_features}")
    if not np.all(st["scale"] > 0):
        raise Invalid("standardization.scale must be > 0")


def _check_coef_bounds(cb, coef):
    """coef_bounds' sides -> float arrays of coef's shape (null: -inf / inf), lower <= upper."""
    out = []
    for side, fill in (("lower", -math.inf), ("upper", math.inf)):
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
    K = 1 if n_classes == 2 else n_classes
    P = K * (d + int(fit_intercept))
    if inf["params"].shape != (P,):
        raise Invalid(f"{where}.params has {inf['params'].size} values, expected {P}")
    expected = (np.column_stack([intercept[:K], coef]) if fit_intercept else coef).ravel()
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
        raise Invalid(f"the document must be a JSON object, got {_show(doc)}")
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
