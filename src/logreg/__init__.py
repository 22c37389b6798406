"""logreg: logistic regression derived by back-propagation, done as real software.

The seeds' model — forward pass z = Xw + b, a = sigmoid(z), cross-entropy cost,
backward pass dz = a - y, gradient descent — exact, fast, scikit-learn
compatible.
"""

from __future__ import annotations

from ._version import __version__
from .cv import LogisticRegressionCV
from .estimator import LogisticRegression
from .path import RegularizationPath, l1_min_c, regularization_path


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
