"""Plain JSON values from numpy-laden results (shared by summaries, evaluations and reports)."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["jsonable"]


def jsonable(v):
    """``v`` with numpy scalars and arrays turned into Python ones, dict keys into strings,
    and non-finite floats into None (JSON has no NaN or infinity)."""
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [jsonable(x) for x in v]
    if isinstance(v, np.ndarray):
        return jsonable(v.tolist())
    if isinstance(v, np.bool_ | bool):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        v = float(v)
        return v if math.isfinite(v) else None
    if isinstance(v, np.generic):
        return v.item()
    return v
