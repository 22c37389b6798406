"""The seeds' derivation, walked through on a tiny real example.

For one example the graph is seed 002's picture::

    x, w, b --Linear--> z --Sigmoid--> a --CrossEntropy(y)--> L

and back-propagation multiplies five local derivatives (seed 002's
components 1-5)::

    1  dL/da = -y/a + (1-y)/(1-a)          CrossEntropy.backward
    2  da/dz = a (1 - a)                   Sigmoid.backward
    3  dL/dz = dL/da * da/dz = a - y       the chain (also SigmoidCrossEntropy.backward)
    4  dz/dw_i = x_i  ->  dL/dw_i = (a - y) x_i     Linear.backward
    5  dz/db = 1      ->  dL/db   = a - y           Linear.backward

For the m examples together (seeds 000 and 003) the cost is the mean,
J = (1/m) sum L, so dJ/dz = (a - y)/m, dJ/dw = X^T dz, dJ/db = sum dz; then the
seeds' gradient descent w <- w - alpha dJ/dw, b <- b - alpha dJ/db lowers J.

Every number comes from the nodes in :mod:`logreg.graph` (the production
code), and each derivative is printed beside a central finite-difference
estimate computed from the same nodes' forward passes.
"""

from __future__ import annotations

from .data import breast_cancer_example, select_rows, standardise
from .render import render
from .result import Check, Explanation, GDStep
from .walk import FD_STEP, MAX_STEPS, explain

__all__ = [
    "FD_STEP",
    "MAX_STEPS",
    "Check",
    "Explanation",
    "GDStep",
    "breast_cancer_example",
    "explain",
    "render",
    "select_rows",
    "standardise",
]
