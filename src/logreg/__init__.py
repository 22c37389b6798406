"""logreg: logistic regression derived by back-propagation, done as real software.

The seeds' model — forward pass z = Xw + b, a = sigmoid(z), cross-entropy cost,
backward pass dz = a - y, gradient descent — exact, fast, scikit-learn
compatible.
"""

from __future__ import annotations

from ._version import __version__
from .estimator import LogisticRegression

__all__ = ["LogisticRegression", "__version__"]
