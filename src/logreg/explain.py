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

import math
from dataclasses import dataclass, field

import numpy as np

from . import graph

__all__ = ["Check", "Explanation", "GDStep", "breast_cancer_example", "explain", "render"]

#: Central-difference step: error O(h^2) ~ 1e-12, rounding O(eps/h) ~ 1e-10.
FD_STEP = 1e-6


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
            "analytic": _tolist(self.analytic),
            "finite_difference": _tolist(self.numeric),
            "closed_form": _tolist(self.closed_form),
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
            "w": _tolist(self.w),
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
            "X": _tolist(self.X),
            "y": _tolist(self.y),
            "row": self.row,
            "w0": _tolist(self.w),
            "b0": self.b,
            "forward": [{"name": n, "formula": f, "value": _tolist(v)} for n, f, v in self.forward],
            "components": [c.to_dict() for c in self.components],
            "batch": [c.to_dict() for c in self.batch],
            "cost0": self.cost,
            "learning_rate": self.learning_rate,
            "steps": [s.to_dict() for s in self.steps],
            "max_abs_error": self.max_error,
            "cost_fell": self.cost_fell,
        }


def _tolist(v):
    v = np.asarray(v)
    return v.item() if v.ndim == 0 else v.tolist()


def _central(f, x, h=FD_STEP):
    """Central finite difference of scalar f at every coordinate of x."""
    x = np.array(x, dtype=np.float64, ndmin=1)
    out = np.empty_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        out[i] = (f(x + e) - f(x - e)) / (2.0 * h)
    return out


# ------------------------------------------------------- graph, node by node
def _loss_one(x, y, w, b):
    """L for one example through the split nodes Linear -> Sigmoid -> CrossEntropy."""
    z, _ = graph.Linear.forward(x[None, :], w, b)
    a, _ = graph.Sigmoid.forward(z)
    loss, _ = graph.CrossEntropy.forward(a, np.array([y], dtype=np.float64))
    return float(loss[0])


def _cost(X, y, w, b):
    """J = (1/m) sum_i L_i through Linear -> SigmoidCrossEntropy -> WeightedMean."""
    z, _ = graph.Linear.forward(X, w, b)
    loss, _ = graph.SigmoidCrossEntropy.forward(z, y)
    J, _ = graph.WeightedMean.forward(loss, 1.0 / X.shape[0])
    return J


def _cost_and_grad(X, y, w, b):
    """Forward then backward over all m examples (seed 000's matrix form)."""
    m = X.shape[0]
    z, lin_cache = graph.Linear.forward(X, w, b)
    loss, ce_cache = graph.SigmoidCrossEntropy.forward(z, y)
    J, mean_cache = graph.WeightedMean.forward(loss, 1.0 / m)
    dloss = graph.WeightedMean.backward(mean_cache, 1.0)  # 1/m for every example
    dz = graph.SigmoidCrossEntropy.backward(ce_cache, dloss)  # (a - y)/m
    dw, db = graph.Linear.backward(lin_cache, dz)  # X^T dz, sum dz
    return J, dz, dw, float(db)


#: Largest number of gradient-descent steps explain records (each is shown).
MAX_STEPS = 1000


def explain(
    X,
    y,
    *,
    feature_names=None,
    row=0,
    w=None,
    b=0.0,
    steps=5,
    learning_rate=0.5,
    description="",
    class_names=("0", "1"),
):
    """Walk the seeds' derivation on a small data set.

    Parameters
    ----------
    X : ndarray of shape (m, d)
        A handful of examples (the tables stay readable up to ~10 rows and a
        few features).
    y : ndarray of shape (m,)
        Labels 0/1.
    feature_names : list of str, optional
    row : int, default=0
        The example shown node by node (seed 002 uses one example).
    w : ndarray of shape (d,), optional
        Starting weights; default zeros, as the seeds start.
    b : float, default=0.0
        Starting bias.
    steps : int, default=5
        Gradient-descent steps to show.
    learning_rate : float, default=0.5
        The seeds' alpha.
    description : str
        Where the data came from (shown in the heading).
    class_names : tuple of str
        The labels that y = 0 and y = 1 stand for.

    Returns
    -------
    Explanation
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (m, d) and y (m,); got {X.shape} and {y.shape}")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("explain walks the binary model: y must hold 0 and 1")
    m, d = X.shape
    if not 0 <= row < m:
        raise ValueError(f"row {row} is out of range for {m} examples")
    if not (isinstance(learning_rate, int | float) and math.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a finite number > 0, got {learning_rate!r}")
    if not (isinstance(steps, int) and 0 <= steps <= MAX_STEPS):
        raise ValueError(f"steps must be an integer in 0..{MAX_STEPS} (each step is recorded), got {steps!r}")
    names = list(feature_names) if feature_names is not None else [f"x{j + 1}" for j in range(d)]
    w = np.zeros(d) if w is None else np.asarray(w, dtype=np.float64).copy()
    b = float(b)

    # ---- one example, the split nodes (seed 002)
    x, yi = X[row], float(y[row])
    z, lin_cache = graph.Linear.forward(x[None, :], w, b)
    a, sig_cache = graph.Sigmoid.forward(z)
    loss, ce_cache = graph.CrossEntropy.forward(a, np.array([yi]))
    z0, a0, L0 = float(z[0]), float(a[0]), float(loss[0])
    forward = [
        ("z", "w·x + b", z0),
        ("a", "σ(z) = 1/(1 + e^(−z))", a0),
        ("L", "−y log a − (1 − y) log(1 − a)", L0),
    ]

    dL_da = graph.CrossEntropy.backward(ce_cache, 1.0)
    da_dz = graph.Sigmoid.backward(sig_cache, 1.0)
    dL_dz = graph.Sigmoid.backward(sig_cache, dL_da)
    dz_dw, dz_db = graph.Linear.backward(lin_cache, np.ones(1))
    dL_dw, dL_db = graph.Linear.backward(lin_cache, dL_dz)

    def ce_of_a(v):
        return float(graph.CrossEntropy.forward(v, np.array([yi]))[0][0])

    def sig_of_z(v):
        return float(graph.Sigmoid.forward(v)[0][0])

    def loss_of_z(v):
        return ce_of_a(graph.Sigmoid.forward(v)[0])

    def z_of_w(v):
        return float(graph.Linear.forward(x[None, :], v, b)[0][0])

    def z_of_b(v):
        return float(graph.Linear.forward(x[None, :], w, float(v[0]))[0][0])

    components = [
        Check(
            "1  dL/da",
            "−y/a + (1 − y)/(1 − a)",
            "002 c1; 004 (4)",
            "CrossEntropy",
            np.asarray(dL_da[0]),
            _central(ce_of_a, [a0])[0],
            np.asarray(-yi / a0 + (1 - yi) / (1 - a0)),
        ),
        Check(
            "2  da/dz",
            "a(1 − a)",
            "002 c2; 004 (6)",
            "Sigmoid",
            np.asarray(da_dz[0]),
            _central(sig_of_z, [z0])[0],
            np.asarray(a0 * (1 - a0)),
        ),
        Check(
            "3  dL/dz",
            "dL/da · da/dz = a − y",
            "002 c3; 001 (3-5)",
            "Sigmoid ∘ CrossEntropy",
            np.asarray(dL_dz[0]),
            _central(loss_of_z, [z0])[0],
            np.asarray(a0 - yi),
        ),
        Check(
            "4  dz/dw",
            "x",
            "002 c4",
            "Linear",
            np.asarray(dz_dw),
            _central(z_of_w, w),
            x.copy(),
        ),
        Check(
            "5  dz/db",
            "1",
            "002 c5",
            "Linear",
            np.asarray(dz_db),
            _central(z_of_b, [b])[0],
            np.asarray(1.0),
        ),
        Check(
            "   dL/dw",
            "dL/dz · dz/dw = (a − y) x",
            "002; 001 (3-7)",
            "Linear",
            np.asarray(dL_dw),
            _central(lambda v: _loss_one(x, yi, v, b), w),
            (a0 - yi) * x,
        ),
        Check(
            "   dL/db",
            "dL/dz · dz/db = a − y",
            "002",
            "Linear",
            np.asarray(dL_db),
            _central(lambda v: _loss_one(x, yi, w, float(v[0])), [b])[0],
            np.asarray(a0 - yi),
        ),
    ]

    # ---- all m examples, the fused production nodes (seeds 000 and 003)
    J, dz, dw, db = _cost_and_grad(X, y, w, b)
    a_all = graph.sigmoid(graph.Linear.forward(X, w, b)[0])
    batch = [
        Check(
            "dJ/dz",
            "(a − y)/m",
            "003 (7); 000 §3.1.3",
            "SigmoidCrossEntropy ∘ WeightedMean",
            np.asarray(dz),
            _central(lambda v: _cost_of_z(v, y), graph.Linear.forward(X, w, b)[0]),
            (a_all - y) / m,
        ),
        Check(
            "dJ/dw",
            "Xᵀ(a − y)/m",
            "003 (9); 001 (3-8)",
            "Linear",
            np.asarray(dw),
            _central(lambda v: _cost(X, y, v, b), w),
            X.T @ (a_all - y) / m,
        ),
        Check(
            "dJ/db",
            "Σ(a − y)/m",
            "003 (11); 000 §3.2",
            "Linear",
            np.asarray(db),
            _central(lambda v: _cost(X, y, w, float(v[0])), [b])[0],
            np.asarray(np.mean(a_all - y)),
        ),
    ]

    # ---- the seeds' gradient descent, simultaneous update (seed 001 §4)
    history = []
    wk, bk = w.copy(), b
    _, _, gw, gb = J, dz, dw, db
    for k in range(1, int(steps) + 1):
        wk, bk = wk - learning_rate * gw, bk - learning_rate * gb
        Jk, _, gw, gb = _cost_and_grad(X, y, wk, bk)
        gnorm = float(np.sqrt(gw @ gw + gb * gb))
        history.append(GDStep(k, float(Jk), gnorm, wk.copy(), float(bk)))

    return Explanation(
        X=X,
        y=y,
        feature_names=names,
        row=row,
        w=w,
        b=b,
        forward=forward,
        components=components,
        batch=batch,
        cost=float(J),
        steps=history,
        learning_rate=float(learning_rate),
        description=description,
        class_names=tuple(str(c) for c in class_names),
    )


def _cost_of_z(z, y):
    loss, _ = graph.SigmoidCrossEntropy.forward(z, y)
    return graph.WeightedMean.forward(loss, 1.0 / z.shape[0])[0]


# ------------------------------------------------------------------ data
def select_rows(y, n_rows):
    """Up to ``n_rows`` row indices, alternating between the two classes in file order.

    A tiny example must contain both classes or the cost has no minimum to
    walk towards.
    """
    y = np.asarray(y)
    pos, neg = list(np.flatnonzero(y == 1)), list(np.flatnonzero(y == 0))
    out = []
    while len(out) < n_rows and (pos or neg):
        for bucket in (neg, pos):
            if bucket and len(out) < n_rows:
                out.append(bucket.pop(0))
    return np.array(sorted(out), dtype=int)


def standardise(X):
    """Columns to mean 0, sd 1 (constant columns are only centred).

    One learning rate then suits every feature, as in the seeds' examples.
    """
    X = np.asarray(X, dtype=np.float64)
    sd = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def breast_cancer_example(n_rows=6, features=("mean radius", "mean texture")):
    """A tiny real example: a few rows of scikit-learn's breast-cancer data.

    The two features are standardised over all 569 rows; rows alternate
    between benign (y=0) and malignant (y=1): the labels sort as a fitted
    model's ``classes_`` (benign, malignant), so a = σ(z) is the probability
    of malignant, the positive class of ``logreg fit`` on these labels.

    Parameters
    ----------
    n_rows : int, default=6
    features : tuple of str

    Returns
    -------
    X : ndarray of shape (n_rows, len(features))
    y : ndarray of shape (n_rows,)
    feature_names : list of str
    description : str
    class_names : tuple of str
        The classes y = 0 and y = 1 stand for: ("benign", "malignant").
    """
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    names = list(data.feature_names)
    cols = [names.index(f) for f in features]
    X = standardise(data.data[:, cols])
    # scikit-learn codes 0 malignant, 1 benign; a model fitted on the names has classes_ [benign, malignant]
    class_names = tuple(sorted(str(c) for c in data.target_names))
    y = (data.target_names[data.target] == class_names[1]).astype(np.float64)
    idx = select_rows(y, n_rows)
    description = (
        f"scikit-learn's breast-cancer data, rows {', '.join(map(str, idx))}; features standardised over "
        f"all 569 rows; y = 1 {class_names[1]}, 0 {class_names[0]}"
    )
    return X[idx], y[idx], list(features), description, class_names


# ---------------------------------------------------------------- render
def _fmt(v, digits=6):
    v = np.asarray(v, dtype=np.float64)
    if v.ndim == 0:
        return f"{float(v):.{digits}g}"
    return "[" + ", ".join(f"{float(t):.{digits}g}" for t in v.ravel()) + "]"


def render(ex, console):
    """Print an :class:`Explanation` with rich tables.

    Parameters
    ----------
    ex : Explanation
    console : rich.console.Console
    """
    from rich.table import Table

    console.print("[bold]Logistic regression by back-propagation, on a tiny real example[/bold]")
    if ex.description:
        console.print(ex.description)
    console.print(ex.probability_sentence())
    data = Table(title="The data (m examples)", title_justify="left")
    data.add_column("row", justify="right")
    for name in ex.feature_names:
        data.add_column(name, justify="right")
    data.add_column("y", justify="right")
    for i in range(ex.X.shape[0]):
        mark = " ◀" if i == ex.row else ""
        data.add_row(f"{i}{mark}", *[_fmt(v, 4) for v in ex.X[i]], f"{ex.y[i]:g}")
    console.print(data)
    console.print(f"Start as the seeds do: w = {_fmt(ex.w)}, b = {ex.b:g}.  Example ◀ is walked node by node.")

    fwd = Table(title="Forward pass (one example)", title_justify="left")
    for col in ("node", "quantity", "formula", "value"):
        fwd.add_column(col, justify="right" if col == "value" else "left")
    for (name, formula, value), node in zip(ex.forward, ("Linear", "Sigmoid", "CrossEntropy"), strict=True):
        fwd.add_row(node, name, formula, _fmt(value, 10))
    console.print(fwd)

    def checks_table(title, checks):
        t = Table(title=title, title_justify="left")
        for col in ("quantity", "formula", "node (backward)", "value", "finite difference", "|diff|", "seed"):
            t.add_column(col, justify="right" if col in ("value", "finite difference", "|diff|") else "left")
        for c in checks:
            t.add_row(c.label, c.formula, c.node, _fmt(c.analytic, 8), _fmt(c.numeric, 8), f"{c.error:.1e}", c.seed)
        return t

    console.print(checks_table("Backward pass (one example): seed 002's components 1–5", ex.components))
    console.print(checks_table(f"Backward pass (all m = {ex.X.shape[0]}): J = (1/m) Σ L, seeds 000 and 003", ex.batch))

    gd = Table(
        title=f"Gradient descent, α = {ex.learning_rate:g}: w ← w − α dJ/dw, b ← b − α dJ/db", title_justify="left"
    )
    for col in ("step", "cost J", "‖∇J‖", "w", "b"):
        gd.add_column(col, justify="right")
    gnorm0 = float(np.sqrt(np.sum(ex.batch[1].analytic ** 2) + float(ex.batch[2].analytic) ** 2))
    gd.add_row("0", f"{ex.cost:.10f}", f"{gnorm0:.3e}", _fmt(ex.w, 5), f"{ex.b:.5g}")
    for s in ex.steps:
        gd.add_row(str(s.iteration), f"{s.cost:.10f}", f"{s.grad_norm:.3e}", _fmt(s.w, 5), f"{s.b:.5g}")
    console.print(gd)
    verdict = "the cost fell at every step" if ex.cost_fell else "the cost did not fall every step: lower the step α"
    console.print(
        f"Every backward value matches its finite difference to {ex.max_error:.1e}; {verdict}."
        if ex.max_error < 1e-6
        else f"[red]A backward value differs from its finite difference by {ex.max_error:.1e}[/red]; {verdict}."
    )
