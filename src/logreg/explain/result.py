"""What :func:`logreg.explain.explain` computed: the checks of each derivative, the descent's steps."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Check", "Explanation", "GDStep"]


@dataclass
class Check:
    """A derivative beside its finite-difference estimate.

    Attributes
    ----------
    label : str
        e.g. ``"1  dL/da"``.
    formula : str
        The seed's closed form.
    seed : str
        Where the formula comes from: seed number, then component (c1-c5 of
        seed 002), equation or section.
    node : str
        The :mod:`logreg.graph` node whose backward gave the value.
    analytic : ndarray
        From the node's backward pass.
    numeric : ndarray
        Central finite difference of the forward pass.
    closed_form : ndarray
        The seed's formula evaluated directly.
    """

    label: str
    formula: str
    seed: str
    node: str
    analytic: np.ndarray
    numeric: np.ndarray
    closed_form: np.ndarray

    @property
    def error(self):
        """Largest absolute difference between backward and finite difference."""
        return float(np.max(np.abs(np.asarray(self.analytic) - np.asarray(self.numeric))))

    def to_dict(self):
        return {
            "label": self.label,
            "formula": self.formula,
            "seed": self.seed,
            "node": self.node,
            "analytic": tolist(self.analytic),
            "finite_difference": tolist(self.numeric),
            "closed_form": tolist(self.closed_form),
            "abs_error": self.error,
        }


@dataclass
class GDStep:
    """One step of the seeds' gradient descent (after the update)."""

    iteration: int
    cost: float
    grad_norm: float
    w: np.ndarray
    b: float

    def to_dict(self):
        return {
            "iteration": self.iteration,
            "cost": self.cost,
            "grad_norm": self.grad_norm,
            "w": tolist(self.w),
            "b": self.b,
        }


@dataclass
class Explanation:
    """Everything :func:`explain` computed.

    Attributes
    ----------
    X : ndarray of shape (m, d)
    y : ndarray of shape (m,), values 0/1
    feature_names : list of str
    row : int
        The example walked through one node at a time.
    w, b : the starting parameters
    forward : list of (name, formula, value)
        z, a, L of the example.
    components : list of Check
        Seed 002's components 1-5 and the two products dL/dw, dL/db.
    batch : list of Check
        dJ/dz, dJ/dw, dJ/db over all m examples (seeds 000 and 003).
    cost : float
        J at the starting parameters.
    steps : list of GDStep
    learning_rate : float
    description : str
        Where the data came from.
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: list
    row: int
    w: np.ndarray
    b: float
    forward: list
    components: list
    batch: list
    cost: float
    steps: list = field(default_factory=list)
    learning_rate: float = 0.5
    description: str = ""
    class_names: tuple = ("0", "1")

    @property
    def positive_class(self):
        """The class whose probability a = σ(z) is (y = 1), as ``classes_[1]`` of a fitted model."""
        return self.class_names[1]

    def probability_sentence(self):
        """One line naming what a = σ(z) is the probability of."""
        return (
            f"a = σ(z) is the model's probability of y = 1, class {self.class_names[1]} "
            f"(y = 0 is class {self.class_names[0]}); a fitted model's classes_[1]."
        )

    @property
    def max_error(self):
        """Largest backward-vs-finite-difference gap over every check."""
        return max(c.error for c in [*self.components, *self.batch])

    @property
    def cost_fell(self):
        """True when every gradient-descent step lowered J."""
        costs = [self.cost] + [s.cost for s in self.steps]
        return all(b < a for a, b in zip(costs, costs[1:], strict=False))

    def to_dict(self):
        """JSON-ready form (``logreg explain --json``)."""
        return {
            "description": self.description,
            "feature_names": list(self.feature_names),
            "class_names": list(self.class_names),
            "positive_class": self.positive_class,
            "X": tolist(self.X),
            "y": tolist(self.y),
            "row": self.row,
            "w0": tolist(self.w),
            "b0": self.b,
            "forward": [{"name": n, "formula": f, "value": tolist(v)} for n, f, v in self.forward],
            "components": [c.to_dict() for c in self.components],
            "batch": [c.to_dict() for c in self.batch],
            "cost0": self.cost,
            "learning_rate": self.learning_rate,
            "steps": [s.to_dict() for s in self.steps],
            "max_abs_error": self.max_error,
            "cost_fell": self.cost_fell,
        }


def tolist(v):
    """An array as nested lists, a 0-d array as a Python scalar (JSON-ready)."""
    v = np.asarray(v)
    return v.item() if v.ndim == 0 else v.tolist()
