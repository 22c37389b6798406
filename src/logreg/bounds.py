"""Box constraints on the coefficients: ``lower <= w <= upper`` (never on the intercepts).

A credit-scoring model often must keep a coefficient's sign (a higher debt ratio may not
lower the risk): ``coef_bounds=(0, np.inf)`` for every coefficient, or per feature.  The
problem stays convex; the solvers that honour the box (declared by ``supports_bounds``)
project onto it: L-BFGS-B takes it as bounds, coordinate descent clips each coordinate
(the proximal step of L1 + box is the clipped soft-threshold), proximal gradient clips
after its step.

Optimality with bounds is the projected one: at a coordinate held at its lower bound
only a gradient pushing it further down (positive) is allowed, at an upper bound only a
negative one, so :func:`kkt_residual` is the minimum-norm element of the subdifferential
of ``J + indicator(box)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["resolve_bounds", "theta_bounds", "kkt_residual", "at_bound", "inside"]


def _side(value, shape, name):
    v = np.asarray(-np.inf if value is None and name == "lower" else np.inf if value is None else value, dtype=float)
    if v.ndim == 1 and len(shape) == 2 and v.shape == shape[1:]:
        v = np.broadcast_to(v, shape)
    elif v.ndim == 0:
        v = np.broadcast_to(v, shape)
    elif v.shape != shape:
        raise ValueError(
            f"coef_bounds' {name} bound has shape {v.shape}; give a scalar, shape ({shape[1]},) (one per feature) "
            f"or {shape} (one per class and feature, as coef_)"
        )
    if np.isnan(v).any():
        raise ValueError(f"coef_bounds' {name} bound has NaN; use -np.inf / np.inf (or None) for no bound")
    return np.array(v, dtype=np.float64)


def resolve_bounds(coef_bounds, shape, feature_names=None):
    """The box of ``coef_bounds`` as two arrays of ``coef_``'s shape, or None when unbounded.

    Parameters
    ----------
    coef_bounds : tuple (lower, upper), dict or None
        ``(lower, upper)``: each a scalar, None (unbounded), an array of shape
        (n_features,) or of ``coef_``'s shape (n_classes_coef, n_features).
        A dict maps features (names in ``feature_names_in_``, or column
        indices) to ``(lower, upper)`` pairs; the features it does not name are
        unbounded.  ``(0, None)`` makes a coefficient non-negative.
    shape : tuple of int
        ``coef_``'s shape: (1, n_features) for two classes, (n_classes, n_features).
    feature_names : sequence of str, optional
        The features' names, for a dict keyed by name.

    Returns
    -------
    (lower, upper) : tuple of ndarray of shape ``shape``, or None

    Raises
    ------
    ValueError
        A malformed specification, an unknown feature, or lower > upper.
    """
    if coef_bounds is None:
        return None
    if isinstance(coef_bounds, Mapping):
        lower, upper = np.full(shape, -np.inf), np.full(shape, np.inf)
        names = None if feature_names is None else [str(f) for f in feature_names]
        for key, pair in coef_bounds.items():
            if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
                j = int(key)
                if not 0 <= j < shape[1]:
                    raise ValueError(f"coef_bounds names column {j}, but X has {shape[1]} columns (0..{shape[1] - 1})")
            elif names is not None and str(key) in names:
                j = names.index(str(key))
            else:
                known = (
                    "X has no column names (fit on a table, or key by column index)"
                    if names is None
                    else (f"features: {names[:8]}{' ...' if len(names) > 8 else ''}")
                )
                raise ValueError(f"coef_bounds names feature {key!r}, which is not in the data; {known}")
            if not (isinstance(pair, Sequence) and len(pair) == 2):
                raise ValueError(f"coef_bounds[{key!r}] must be a pair (lower, upper), e.g. (0, None); got {pair!r}")
            lo, hi = (-np.inf if pair[0] is None else pair[0]), (np.inf if pair[1] is None else pair[1])
            lower[:, j], upper[:, j] = float(lo), float(hi)
    elif isinstance(coef_bounds, Sequence) and not isinstance(coef_bounds, str) and len(coef_bounds) == 2:
        lower, upper = _side(coef_bounds[0], shape, "lower"), _side(coef_bounds[1], shape, "upper")
    else:
        raise ValueError(
            "coef_bounds must be a pair (lower, upper) of scalars or arrays, e.g. (0, None) for non-negative "
            f"coefficients, or a dict {{feature: (lower, upper)}}; got {coef_bounds!r}"
        )
    if np.isnan(lower).any() or np.isnan(upper).any():
        raise ValueError("coef_bounds has NaN; use None or -np.inf / np.inf for no bound")
    bad = lower > upper
    if bad.any():
        k, j = (int(v[0]) for v in np.nonzero(bad))
        raise ValueError(
            f"coef_bounds has lower > upper for coefficient {j} (row {k}): {lower[k, j]:g} > {upper[k, j]:g}"
        )
    if np.any(lower == np.inf) or np.any(upper == -np.inf):
        raise ValueError("coef_bounds: a lower bound of +inf or an upper bound of -inf leaves no feasible coefficient")
    if np.all(np.isneginf(lower)) and np.all(np.isposinf(upper)):
        return None
    return lower, upper


def theta_bounds(box, mask):
    """The box in the layout of theta: coefficients where ``mask`` is True, intercepts unbounded.

    Parameters
    ----------
    box : (lower, upper) of ndarray of shape (n_classes_coef, n_features)
    mask : ndarray of shape (n_params,), bool
        The data term's ``coef_mask()`` (coefficients row by row, then intercepts).

    Returns
    -------
    (lo, hi) : tuple of ndarray of shape (n_params,)
    """
    lo, hi = np.full(mask.size, -np.inf), np.full(mask.size, np.inf)
    lo[mask], hi[mask] = np.ravel(box[0]), np.ravel(box[1])
    return lo, hi


def inside(coef, box):
    """``coef`` in its own dtype with no entry outside the box: a float32 cast (or the way back
    from the standardised scale) can put a coefficient on its bound an ulp outside it.

    Parameters
    ----------
    coef : ndarray of shape (n_classes_coef, n_features)
    box : (lower, upper) of ndarray of coef's shape, or None

    Returns
    -------
    ndarray, coef's shape and dtype
    """
    if box is None:
        return coef
    out = np.array(coef, copy=True)
    lo, hi = box[0].astype(out.dtype), box[1].astype(out.dtype)
    lo = np.where(lo < box[0], np.nextafter(lo, np.inf, dtype=out.dtype), lo)  # rounded down: one step up
    hi = np.where(hi > box[1], np.nextafter(hi, -np.inf, dtype=out.dtype), hi)
    return np.clip(out, lo, hi)


def at_bound(theta, lo, hi):
    """Which entries of theta sit on a bound, shape like theta."""
    return (theta <= lo) | (theta >= hi)


def kkt_residual(residual, theta, grad, l1, lo, hi):
    """The optimality residual with the box: the minimum-norm subgradient of J + indicator(box).

    Parameters
    ----------
    residual : ndarray of shape (p,)
        The residual without the box (the gradient, or the L1 subgradient distance).
    theta, grad : ndarray of shape (p,)
        The point and the smooth part's gradient there.
    l1 : ndarray of shape (p,) or float
        L1 weights (0 where none).
    lo, hi : ndarray of shape (p,)

    Returns
    -------
    ndarray of shape (p,)
    """
    sign = np.sign(theta)
    at_lo, at_hi = theta <= lo, theta >= hi
    # the ends of the subdifferential interval of grad + l1 |theta|
    top = grad + l1 * np.where(sign != 0, sign, 1.0)
    bottom = grad + l1 * np.where(sign != 0, sign, -1.0)
    # at a lower bound the normal cone adds (-inf, 0]: the set is (-inf, top], its least element
    # in size min(top, 0); at an upper bound [bottom, inf) and max(bottom, 0)
    out = np.where(at_lo, np.minimum(top, 0.0), residual)
    out = np.where(at_hi, np.maximum(bottom, 0.0), out)
    return np.where(at_lo & at_hi, 0.0, out)
