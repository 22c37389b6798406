"""``logreg explain``: the seeds' derivation walked on a tiny real example (:mod:`logreg.explain`)."""

from __future__ import annotations

import math
from typing import Annotated

import typer

from .app import JsonOpt, MissingOpt, app
from .common import check_missing, prepare_training, read_table, source_name, split
from .errors import BadInput
from .output import Output

__all__ = ["explain"]


@app.command()
def explain(
    data: Annotated[
        str | None, typer.Option("--data", "-d", help="Use rows of this CSV/Parquet file (default: breast cancer).")
    ] = None,
    target: Annotated[str | None, typer.Option("--target", "-t", help="The 0/1 label column of --data.")] = None,
    features: Annotated[str | None, typer.Option("--features", "-f", help="Comma-separated columns of --data.")] = None,
    rows: Annotated[int, typer.Option(help="Examples in the tiny data set (both classes, in file order).")] = 6,
    row: Annotated[int, typer.Option(help="The example walked node by node (0-based, within the tiny set).")] = 0,
    steps: Annotated[int, typer.Option(help="Gradient-descent steps to show.")] = 5,
    learning_rate: Annotated[float, typer.Option(help="The seeds' step α.")] = 0.5,
    missing: MissingOpt = "refuse",
    as_json: JsonOpt = False,
):
    """Walk the seeds' derivation on a tiny real example.

    For each node of the graph (Linear, Sigmoid, CrossEntropy) the forward
    value and the backward quantity (dL/da, da/dz = a(1−a), dL/dz = a − y,
    dL/dw, dL/db: seed 002's components 1–5), each beside its finite
    difference; then a few steps of gradient descent with the cost falling.
    """
    import numpy as np  # not at import: the help screens need none of it

    from .. import explain as ex

    if rows < 2:
        raise BadInput(f"--rows must be at least 2 (one of each class), got {rows}")
    if not 0 <= steps <= ex.MAX_STEPS:
        raise BadInput(f"--steps must be in 0..{ex.MAX_STEPS} (each step is printed), got {steps}")
    if not (learning_rate > 0 and math.isfinite(learning_rate)):
        raise BadInput(f"--learning-rate must be a finite number > 0, got {learning_rate:g}")
    if data is None:
        if target is not None or features is not None:
            raise BadInput("--target and --features need --data")
        X, y, names, description, class_names = ex.breast_cancer_example(n_rows=rows)
    else:
        if target is None:
            raise BadInput("--data needs --target (the 0/1 label column)")
        check_missing(missing)
        design = prepare_training(
            read_table(data), target=target, features=split(features), missing=missing, source=source_name(data)
        )
        classes = np.unique(design.y)
        if classes.size != 2:
            raise BadInput(f"explain walks the binary model; target {target!r} has {classes.size} classes")
        y_all = (design.y == classes[1]).astype(np.float64)
        idx = ex.select_rows(y_all, rows)
        X = ex.standardise(design.X)[idx]
        y = y_all[idx]
        names = design.feature_names
        class_names = (str(classes[0]), str(classes[1]))
        description = (
            f"{source_name(data)}, rows {', '.join(map(str, idx))} (of {design.n_samples}); features standardised "
            f"over all rows; y = 1 for {classes[1]}, 0 for {classes[0]}"
        )
    if not 0 <= row < X.shape[0]:
        raise BadInput(f"--row must be in 0..{X.shape[0] - 1}, got {row}")
    result = ex.explain(
        X,
        y,
        feature_names=names,
        row=row,
        steps=steps,
        learning_rate=learning_rate,
        description=description,
        class_names=class_names,
    )
    if as_json:
        Output(as_json=True).emit_json(result.to_dict())
    else:
        ex.render(result, Output().console())
