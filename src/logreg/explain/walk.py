"""The derivation itself: the nodes of :mod:`logreg.graph` forward and backward, each beside its finite difference."""

from __future__ import annotations

import math

import numpy as np

from .. import graph
from .result import Check, Explanation, GDStep

__all__ = ["FD_STEP", "MAX_STEPS", "explain"]

#: Central-difference step: error O(h^2) ~ 1e-12, rounding O(eps/h) ~ 1e-10.
FD_STEP = 1e-6


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
