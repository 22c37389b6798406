"""Declared types for JSON documents: each checks a parsed value and names the field that fails.

A spec is called as ``spec(value, where)``: it returns the value (numbers as
float64 arrays for :class:`Numbers`) or raises :class:`Invalid` with one
line naming the field, what it must be and what it is.  :mod:`logreg.io.schema`
declares the model file with them.
"""

from __future__ import annotations

import json
import math

import numpy as np

__all__ = [
    "MAX_COUNT",
    "Anything",
    "Bool",
    "Int",
    "Invalid",
    "List",
    "Map",
    "Nullable",
    "Num",
    "Numbers",
    "Obj",
    "OneOf",
    "Spec",
    "Str",
    "show",
]

#: Counts are exact in float64 up to 2**53.
MAX_COUNT = 2**53


class Invalid(Exception):
    """A model-file document does not check out; the message names the field."""


def _at(where, key):
    return f"{where}.{key}" if where else str(key)


def show(value):
    """A value as messages quote it: JSON for scalars (cut at 60 characters), else its type's name."""
    text = json.dumps(value) if isinstance(value, str | int | float | bool | type(None)) else type(value).__name__
    return text if len(text) <= 60 else text[:57] + "..."


# ------------------------------------------------------------------ declared types
class Spec:
    """A declared type: ``spec(value, where)`` returns the checked value or raises :class:`Invalid`."""

    name = "a value"

    def __call__(self, value, where):  # pragma: no cover - every spec overrides
        raise NotImplementedError


class Anything(Spec):
    """Any value, unchecked (data carried, never used)."""

    def __call__(self, value, where):
        return value


class Bool(Spec):
    name = "true or false"

    def __call__(self, value, where):
        if not isinstance(value, bool):
            raise Invalid(f"{where} must be true or false, got {show(value)}")
        return value


class Str(Spec):
    def __init__(self, choices=None):
        self.choices = None if choices is None else tuple(choices)
        self.name = "a string" if choices is None else "one of " + ", ".join(map(json.dumps, self.choices))

    def __call__(self, value, where):
        if not isinstance(value, str) or (self.choices is not None and value not in self.choices):
            raise Invalid(f"{where} must be {self.name}, got {show(value)}")
        return value


class Int(Spec):
    def __init__(self, lo=0, hi=MAX_COUNT):
        self.lo, self.hi = lo, hi
        self.name = f"an integer in [{lo}, {hi}]"

    def __call__(self, value, where):
        if isinstance(value, bool) or not isinstance(value, int) or not self.lo <= value <= self.hi:
            raise Invalid(f"{where} must be {self.name}, got {show(value)}")
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


class Num(Spec):
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
            raise Invalid(f"{where} must be {self.name}, got {show(value)}")
        return value


class Nullable(Spec):
    def __init__(self, spec):
        self.spec = spec
        self.name = f"{spec.name} or null"

    def __call__(self, value, where):
        return None if value is None else self.spec(value, where)


class OneOf(Spec):
    def __init__(self, *specs):
        self.specs = specs
        self.name = " or ".join(s.name for s in specs)

    def __call__(self, value, where):
        for spec in self.specs:
            try:
                return spec(value, where)
            except Invalid:
                pass
        raise Invalid(f"{where} must be {self.name}, got {show(value)}")


class List(Spec):
    def __init__(self, item, *, min_len=0, unique=False):
        self.item, self.min_len, self.unique = item, min_len, unique
        self.name = "a list"

    def __call__(self, value, where):
        if not isinstance(value, list):
            raise Invalid(f"{where} must be a list, got {show(value)}")
        if len(value) < self.min_len:
            raise Invalid(f"{where} has {len(value)} entries, needs {self.min_len} or more")
        if isinstance(self.item, Str) and self.item.choices is None and all(type(v) is str for v in value):
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


class Map(Spec):
    """An object of arbitrary string keys, each value of one type."""

    name = "an object"

    def __init__(self, item):
        self.item = item

    def __call__(self, value, where):
        if not isinstance(value, dict):
            raise Invalid(f"{where} must be an object, got {show(value)}")
        return {k: self.item(v, _at(where, k)) for k, v in value.items()}


class Obj(Spec):
    """An object of declared fields; ``extra`` types the undeclared ones (None: refused)."""

    name = "an object"

    def __init__(self, required=None, optional=None, extra=None):
        self.required, self.optional, self.extra = dict(required or {}), dict(optional or {}), extra

    def __call__(self, value, where):
        if not isinstance(value, dict):
            raise Invalid(f"{where} must be an object, got {show(value)}")
        missing = [k for k in self.required if k not in value]
        if missing:
            raise Invalid(f"{where} is missing field(s) {', '.join(missing)}")
        fields = {**self.required, **self.optional}
        unknown = sorted(k for k in value if k not in fields)
        if unknown and self.extra is None:
            raise Invalid(f"{where} has unknown field(s) {', '.join(unknown)}")
        return {k: fields.get(k, self.extra)(v, _at(where, k)) for k, v in value.items()}


class Numbers(Spec):
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
                    raise Invalid(f"{where} must hold finite numbers, found {show(v)}{at}")
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
