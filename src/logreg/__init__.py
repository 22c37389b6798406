"""logreg: logistic regression derived by back-propagation, done as real software.

The seeds' model — forward pass z = Xw + b, a = sigmoid(z), cross-entropy cost,
backward pass dz = a - y, gradient descent — exact, fast, scikit-learn
compatible.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from .cv import LogisticRegressionCV
    from .estimator import LogisticRegression
    from .io.parquet_source import ParquetSource
    from .path import RegularizationPath, l1_min_c, regularization_path

#: Public names imported on first use, and the module that holds each.
_LAZY = {
    "LogisticRegression": "estimator",
    "LogisticRegressionCV": "cv",
    "ParquetSource": "io.parquet_source",
    "RegularizationPath": "path",
    "l1_min_c": "path",
    "regularization_path": "path",
}


def __getattr__(name):
    # imported on first use: `import logreg` (and the logreg command's start, which must be
    # interruptible quietly) does not pay for numpy, scipy and scikit-learn up front
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'logreg' has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_LAZY})


def from_formula(
    formula: str, data: Any, sample_weight: Any = None, *, missing: str = "refuse", **params: Any
) -> LogisticRegression:
    """Fit a model from a formula, as statsmodels' ``smf.logit(formula, data).fit()``.

    ``LogisticRegression(**params).fit_formula(formula, data, ...)``, with
    ``fit_intercept`` taken from the formula (False for ``- 1`` or ``+ 0``)
    unless given.  Pass ``penalty=None`` for statsmodels' unpenalised model.

    Parameters
    ----------
    formula : str
        ``"target ~ x1 + C(x2) + x1:x3"`` (formulaic's grammar, as R's).
    data : pandas.DataFrame, polars.DataFrame, pyarrow.Table or dict of columns
    sample_weight : str or array-like of shape (n_samples,), optional
        A column of ``data`` or the weights.
    missing : {'refuse', 'drop'}, default='refuse'
    **params
        LogisticRegression parameters.

    Returns
    -------
    LogisticRegression
        Fitted; ``predict`` and the other methods accept raw tables.
    """
    from .estimator import LogisticRegression
    from .formula_grammar import has_intercept

    params.setdefault("fit_intercept", has_intercept(formula))
    return LogisticRegression(**params).fit_formula(formula, data, sample_weight, missing=missing)


def load(path: str | os.PathLike[str]) -> LogisticRegression:
    """Load a model saved by :meth:`LogisticRegression.save` or ``logreg fit``.

    The JSON model file is validated (schema, types and shapes); pickles are
    refused.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    LogisticRegression
        Fitted, ready to predict.

    Raises
    ------
    logreg.exceptions.ModelFileError
        The file is missing, malformed, or not a logreg model.
    """
    from .io.modelfile import read_model

    return read_model(path).model


__all__ = [
    "LogisticRegression",
    "LogisticRegressionCV",
    "ParquetSource",
    "RegularizationPath",
    "__version__",
    "from_formula",
    "l1_min_c",
    "load",
    "regularization_path",
]
