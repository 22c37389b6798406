"""Offsets: a known term added to each row's linear predictor, z = X w + b + offset.

As glum's and statsmodels' ``offset`` (a log exposure, a previous model's score): its
coefficient is fixed at 1.  Two classes take one offset per row; K >= 3 classes one per row
and class, since one offset shared by every class would leave the softmax unchanged.  The
data terms of :mod:`logreg.objective` add it to z in every pass.
"""

from __future__ import annotations

import numpy as np

__all__ = ["check_offset"]


def check_offset(offset, n_samples, n_classes):
    """The offset as a float64 array of the data term's shape, or None.

    Parameters
    ----------
    offset : array-like of shape (n_samples,) or (n_samples, n_classes) or None
    n_samples, n_classes : int

    Returns
    -------
    ndarray of shape (n_samples,) for two classes, (n_samples, n_classes) for more, or None

    Raises
    ------
    ValueError
        Wrong shape, or values that are not finite.
    """
    if offset is None:
        return None
    o = np.asarray(offset, dtype=np.float64)
    want = (n_samples,) if n_classes == 2 else (n_samples, n_classes)
    if o.shape != want:
        if n_classes > 2 and o.shape == (n_samples,):
            raise ValueError(
                f"offset has shape ({n_samples},), but this model has {n_classes} classes: one offset added to "
                "every class's z leaves the softmax unchanged, so it would have no effect; give one offset per "
                f"class, shape ({n_samples}, {n_classes}) in the order of classes_"
            )
        raise ValueError(
            f"offset has shape {o.shape}, expected {want}: one per row"
            + ("" if n_classes == 2 else " and class, in the order of classes_")
        )
    if not np.all(np.isfinite(o)):
        raise ValueError(
            f"offset has {int(np.count_nonzero(~np.isfinite(o)))} values that are NaN or infinite; "
            "give a finite offset for every row (e.g. log(exposure) with exposure > 0)"
        )
    return o
