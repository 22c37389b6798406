"""The derivation printed with rich tables (``logreg explain``)."""

from __future__ import annotations

import numpy as np

__all__ = ["render"]


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
