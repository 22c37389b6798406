"""logreg: logistic regression derived by back-propagation, done as real software.

The seeds' model — forward pass z = Xw + b, a = sigmoid(z), cross-entropy cost,
backward pass dz = a - y, gradient descent — exact, fast, scikit-learn
compatible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from .cv import LogisticRegressionCV
    from .estimator import LogisticRegression
    from .path import RegularizationPath, l1_min_c, regularization_path

#: Public names imported on first use, and the module that holds each.
_LAZY = {
    "LogisticRegression": "estimator",
    "LogisticRegressionCV": "cv",
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


def load(path):
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
    "RegularizationPath",
    "__version__",
    "l1_min_c",
    "load",
    "regularization_path",
]
