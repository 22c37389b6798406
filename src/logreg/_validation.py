"""Input checks: scikit-learn's validation, with the fix added to each message.

scikit-learn names the problem ("Input X contains infinity ..."); users also
need to know what to do about it.  The original message is kept first, so
code that matches scikit-learn's wording keeps working.
"""

from __future__ import annotations

import contextlib
import re
import sys
import warnings

import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, validate_data

__all__ = [
    "checked",
    "validate",
    "check_sample_weight",
    "assert_finite",
    "encode_labels",
    "class_totals",
    "check_class_weight",
    "check_class_totals",
    "is_dask_collection",
]

#: (pattern in scikit-learn's message, the fix to append)
_FIXES = [
    (
        r"contains infinity|too large for dtype",
        "Replace or drop the infinite values first (np.isfinite(X).all(axis=1) selects the finite rows).",
    ),
    (r"contains NaN", "Impute them (sklearn.impute.SimpleImputer) or drop those rows first."),
    (r"0 sample\(s\)", "X is empty: pass at least one row per class (check the filter that produced X)."),
    (r"0 feature\(s\)", "X has no columns: pass at least one feature column."),
    (
        r"inconsistent numbers of samples",
        "X, y and sample_weight need one entry per row: check that they come from the same rows.",
    ),
    (r"[Cc]omplex data not supported", "Pass real numbers: e.g. X.real, or the real and imaginary parts as columns."),
    (
        r"could not convert|convert string|dtype='numeric' is not compatible|Unable to convert",
        "X must be numeric: one-hot encode text columns (sklearn.preprocessing.OneHotEncoder), "
        "or use the logreg command-line tool, which encodes them.",
    ),
    (r"features, but .* is expecting", "Pass the same feature columns, in the same order, as at fit."),
    (r"Negative values in data passed to `?sample_weight", "Sample weights must be >= 0."),
    (
        r"Unknown label type: continuous",
        "y holds continuous values (a regression target): pass class labels, or threshold or bin y first.",
    ),
    (
        r"Unknown label type: unknown",
        "y mixes types or holds missing labels (None): give every label one type (e.g. all strings) "
        "and drop the rows without a label.",
    ),
    (
        r"sample_weight.shape ==|sample_weight\.ndim|Sample weights must be 1D",
        "Pass one weight per row, shape (n_samples,).",
    ),
]


def _with_fix(message):
    for pattern, fix in _FIXES:
        if re.search(pattern, message) and fix not in message:
            message = message.rstrip()
            return f"{message}{' ' if message.endswith(('.', ')')) else '. '}{fix}"
    return message


@contextlib.contextmanager
def checked():
    """Re-raise a ValueError from scikit-learn's checks with the fix appended."""
    try:
        yield
    except ValueError as exc:
        message = str(exc)
        fixed = _with_fix(message)
        if fixed == message:
            raise
        raise type(exc)(fixed) from exc


def validate(estimator, *args, **kwargs):
    """:func:`sklearn.utils.validation.validate_data`, messages with their fix."""
    with checked():
        return validate_data(estimator, *args, **kwargs)


def check_sample_weight(sample_weight, X, **kwargs):
    """:func:`sklearn.utils.validation._check_sample_weight`, messages with their fix."""
    with checked():
        return _check_sample_weight(sample_weight, X, **kwargs)


def _sum_of_squares(data):
    """sum(data ** 2) without a temporary: one BLAS dot product (threaded by BLAS itself)."""
    if data.flags.c_contiguous or data.flags.f_contiguous:
        flat = data.ravel(order="K")  # a view of contiguous data
        return float(np.dot(flat, flat))
    return float(np.einsum("ij,ij->", data, data))


def assert_finite(X, estimator_name):
    """Refuse NaN, infinity, or values whose products overflow, in one BLAS pass over X.

    The sum of squares of X is finite exactly when X has no NaN or infinity
    and no value so large (beyond ~1e154 in float64) that the Hessian's and
    the statistics' sums of products overflow.  It costs one read of X (one
    BLAS dot: 14 ms for 1e6 x 100, where scikit-learn's single-thread sum takes
    46 ms); only a non-finite total calls scikit-learn's element-wise check,
    which raises its message (plus the fix) for NaN or infinity.

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix of shape (n_samples, n_features)
    estimator_name : str
        Named in the error message.

    Raises
    ------
    ValueError
        NaN or infinity (scikit-learn's message), or values too large to square.
    """
    import scipy.sparse as sp
    from sklearn.utils import assert_all_finite

    data = X.data if sp.issparse(X) else X
    if data.dtype.kind not in "fc" or data.size == 0:  # integers and booleans are finite
        return
    with np.errstate(over="ignore", invalid="ignore"):
        total = _sum_of_squares(data)
    if np.isfinite(total):
        return
    with checked():
        assert_all_finite(data, input_name="X", estimator_name=estimator_name)
    big = float(np.max(np.abs(data)))
    if data.dtype == np.float32 and big * big / max(1, X.shape[0]) < float(np.finfo(np.float32).max):
        # float32 dot products overflow at 3.4e38, but the fit's sums carry the 1/n weights
        # (and float64 accumulators): values up to ~sqrt(n * 3.4e38) are fine
        return
    raise ValueError(
        f"X has values as large as {big:.3g}: products of such values overflow {data.dtype} in the fit's sums. "
        "Rescale the features (e.g. sklearn.preprocessing.StandardScaler), or replace sentinel values "
        "(such as 1e300 standing for 'missing') first."
    )


def _distinct(y, chunk=1 << 16):
    """Sorted distinct values of a 1-d numeric array.

    ``np.unique`` first copies its input (8 MB for 1e6 float64 labels; on a
    virtual machine fresh memory costs ~2 ms a MB to fault in); chunks of
    64k values are de-duplicated one at a time instead, in memory that is
    reused.
    """
    if y.size <= chunk:
        return np.unique(y)
    return np.unique(np.concatenate([np.unique(y[a : a + chunk]) for a in range(0, y.size, chunk)]))


def warn_whitespace_labels(classes):
    """Warn when text classes differ only in surrounding whitespace (' yes' and 'yes').

    They are distinct classes to the model, which is rarely what the data meant.
    """
    from .exceptions import DataWarning

    seen = {}
    for c in classes.tolist():
        if isinstance(c, str):
            seen.setdefault(c.strip(), []).append(c)
    clashes = [v for v in seen.values() if len(v) > 1]
    if clashes:
        shown = "; ".join(" and ".join(map(repr, v)) for v in clashes[:3])
        warnings.warn(
            f"class labels {shown} differ only in surrounding whitespace, so they are separate classes; "
            "strip the labels first (e.g. y = np.char.strip(y.astype(str))) if they mean the same",
            DataWarning,
            stacklevel=4,
        )


def _code_dtype(n_classes):
    return np.int8 if n_classes <= 127 else np.int16 if n_classes <= 32767 else np.intp


def encode_labels(y):
    """Sorted classes of y and each row's class index, checked to be class labels.

    Numbers take a chunked hash-based unique and a comparison (~5 ms for 1e6
    rows, against ~30 ms for ``np.unique(return_inverse=True)`` plus
    scikit-learn's target check on all of y); the check then runs on the
    classes alone, which tells discrete labels from a continuous (regression)
    target all the same.  Codes are the smallest integers that hold them
    (int8 up to 127 classes): a binary y costs one byte a row, not eight.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)

    Returns
    -------
    classes : ndarray of shape (n_classes,)
    codes : ndarray of shape (n_samples,), int8 (int16, intp for more classes)
    """
    if y.dtype.kind not in "biuf":
        with checked():
            check_classification_targets(y)
        classes, codes = np.unique(y, return_inverse=True)
        warn_whitespace_labels(classes)
        return classes, codes.ravel().astype(_code_dtype(classes.size))
    classes = _distinct(y)
    with checked(), warnings.catch_warnings():
        # checked on the classes alone, its "more than 50% unique" warning would compare
        # the classes with themselves; it is given below with the real number of rows
        warnings.filterwarnings("ignore", message="The number of unique classes is greater than 50%")
        check_classification_targets(classes)
    if classes.size > 2 and y.size > 20 and classes.size > round(0.5 * y.size):
        warnings.warn(
            "The number of unique classes is greater than 50% of the number of samples. `y` could "
            "represent a regression problem, not a classification problem.",
            UserWarning,
            stacklevel=3,
        )
    if classes.size == 2:
        return classes, (y == classes[1]).view(np.int8)
    return classes, np.searchsorted(classes, y).astype(_code_dtype(classes.size))


def class_totals(codes, n_classes, sample_weight=None):
    """Rows (or weight) per class, shape (n_classes,), float64, without an intp copy of
    the codes for the unweighted binary case (``np.bincount`` would make one)."""
    if sample_weight is None and n_classes == 2:
        pos = float(np.count_nonzero(codes))
        return np.array([codes.size - pos, pos])
    return np.bincount(codes, weights=sample_weight, minlength=n_classes).astype(np.float64, copy=False)


def class_weights(class_weight, classes, codes, sample_weight=None):
    """The weight of each class, shape (n_classes,).

    'balanced' is S / (K S_k) from the sample-weighted class totals S_k, as
    scikit-learn >= 1.7 computes it (its ``compute_class_weight`` takes
    ``sample_weight`` only from 1.7; logreg supports 1.6): integer weights then
    give the same model as repeated rows.  A dict goes through scikit-learn.
    """
    if isinstance(class_weight, str) and class_weight == "balanced":
        totals = class_totals(codes, classes.size, sample_weight)
        # a class without weight gets none (check_class_totals names it)
        return np.divide(totals.sum(), classes.size * totals, out=np.zeros_like(totals), where=totals > 0)
    from sklearn.utils.class_weight import compute_class_weight

    return compute_class_weight(class_weight, classes=classes, y=classes[codes])


def check_class_weight(class_weight):
    """Refuse a ``class_weight`` dict with a negative, infinite or NaN weight.

    Parameters
    ----------
    class_weight : dict, 'balanced' or None

    Raises
    ------
    ValueError
    """
    if not isinstance(class_weight, dict):
        return
    for label, w in class_weight.items():
        try:
            ok = np.isfinite(float(w)) and float(w) >= 0
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ValueError(
                f"class_weight for class {label!r} is {w!r}; class weights must be finite numbers >= 0 "
                "(e.g. class_weight={0: 1.0, 1: 5.0}, or class_weight='balanced')"
            )


def check_class_totals(classes, class_sums):
    """Refuse a fit in which a class carries no weight: the problem has no meaning then.

    Shared by the in-memory and the dask fits.  A class whose rows all weigh 0
    (sample weights, class weights, or the target passed as the weight column)
    is one the data never shows the model, yet it would be "fitted", report
    convergence and never be predicted.

    Parameters
    ----------
    classes : ndarray of shape (n_classes,)
    class_sums : ndarray of shape (n_classes,)
        Total (sample times class) weight of each class.

    Raises
    ------
    ValueError
    """
    class_sums = np.asarray(class_sums, dtype=np.float64)
    empty = np.flatnonzero(~(class_sums > 0))
    if empty.size == class_sums.size:
        raise ValueError("sample weights sum to zero; at least one row needs a positive weight")
    if empty.size:
        names = ", ".join(repr(np.asarray(classes)[k].item()) for k in empty[:5])
        raise ValueError(
            f"class {names} has total weight 0 (every row of it weighs 0): the model cannot learn it. "
            "Give its rows positive weights (check the weight column is not the target), or drop the class "
            "from y"
        )


def is_dask_collection(obj):
    """True for a dask array or other dask collection; never imports dask itself.

    Parameters
    ----------
    obj : object

    Returns
    -------
    bool
    """
    if "dask" not in sys.modules:  # no dask object can exist before dask is imported
        return False
    from dask.base import is_dask_collection as _is_dask

    return bool(_is_dask(obj))
