"""The command line's coefficient bounds: ``--bound 'income>=0'``, ``--nonnegative a,b``.

They become the estimator's ``coef_bounds`` as a dict ``{feature: (lower, upper)}``; the
estimator checks the names against the model's features (one-hot columns are named
``column=level``).
"""

from __future__ import annotations

import math

__all__ = ["parse_bounds"]

_FORMS = "NAME>=NUMBER, NAME<=NUMBER or NUMBER<=NAME<=NUMBER, e.g. --bound 'income>=0'"


def _number(text, spec):
    try:
        value = float(text)
    except ValueError:
        return None
    if math.isnan(value):
        raise ValueError(f"--bound {spec!r}: NaN is not a bound; use inf or leave that side out")
    return value


def _one(spec):
    """``(name, lower, upper)`` of one --bound spec (None for an open side)."""
    if spec.count("<=") == 2 and ">=" not in spec:
        lo, name, hi = (p.strip() for p in spec.split("<="))
        lo_v, hi_v = _number(lo, spec), _number(hi, spec)
        if lo_v is None or hi_v is None or not name:
            raise ValueError(f"--bound {spec!r}: expected {_FORMS}")
        return name, lo_v, hi_v
    for op in (">=", "<="):
        parts = [p.strip() for p in spec.split(op)]
        if len(parts) != 2 or ("<=" if op == ">=" else ">=") in spec:
            continue
        left, right = parts
        value, name = _number(right, spec), left
        flipped = value is None  # NUMBER>=NAME or NUMBER<=NAME
        if flipped:
            value, name = _number(left, spec), right
        if value is None or not name:
            break
        lower_side = (op == ">=") != flipped
        return (name, value, None) if lower_side else (name, None, value)
    raise ValueError(f"--bound {spec!r}: expected {_FORMS}")


def parse_bounds(specs=(), nonnegative=(), nonpositive=()):
    """``coef_bounds`` for the estimator from the command line's options, or None.

    Parameters
    ----------
    specs : sequence of str
        ``--bound`` values.
    nonnegative, nonpositive : sequence of str
        Feature names whose coefficients keep their sign.

    Returns
    -------
    dict or None
        ``{feature: (lower, upper)}``, None for an open side; several limits on one
        feature combine (the tightest of each side).

    Raises
    ------
    ValueError
        A spec that does not parse, or a feature whose lower bound exceeds its upper.
    """
    limits = [_one(s) for s in specs or ()]
    limits += [(n, 0.0, None) for n in nonnegative or ()]
    limits += [(n, None, 0.0) for n in nonpositive or ()]
    if not limits:
        return None
    out = {}
    for name, lo, hi in limits:
        old_lo, old_hi = out.get(name, (None, None))
        lo = old_lo if lo is None else lo if old_lo is None else max(lo, old_lo)
        hi = old_hi if hi is None else hi if old_hi is None else min(hi, old_hi)
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"the bounds on {name!r} leave no value: lower {lo:g} > upper {hi:g}")
        out[name] = (lo, hi)
    return out
