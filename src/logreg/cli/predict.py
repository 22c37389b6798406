"""``logreg predict`` and ``logreg evaluate``: a model file applied to DATA."""

from __future__ import annotations

import functools
import warnings
from pathlib import Path
from typing import Annotated

import typer

from ..exceptions import PenalizedInferenceWarning
from ..io.atomic import check_output_path
from .app import ClusterOpt, DataArg, JsonOpt, MissingOpt, ModelOpt, QuietOpt, TrainedTargetOpt, TrainedWeightOpt, app
from .common import (
    check_missing,
    model_input,
    output_format,
    prepare,
    read_labelled,
    read_model,
    read_table,
    refuse_overwriting,
    source_name,
)
from .errors import BadInput
from .output import Output

__all__ = ["evaluate", "predict"]


@app.command()
def predict(
    data: DataArg,
    model_path: ModelOpt,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="predictions.csv or .parquet (default: CSV on standard output)."),
    ] = None,
    id_column: Annotated[str | None, typer.Option("--id", help="A column copied to the output.")] = None,
    missing: MissingOpt = "refuse",
    cluster: ClusterOpt = None,
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
):
    """Predict class probabilities and labels for DATA.

    Output columns: the --id column (if named), ``label``, then
    ``proba_<class>`` for each class.
    """
    import numpy as np  # not at import: the help screens need none of it

    from .predictions import prediction_table, write_predictions

    out = Output(quiet, as_json)
    fmt = output_format(output)
    if fmt is not None:
        check_output_path(output)
        refuse_overwriting(output, data, model_path)
    check_missing(missing)
    mf = read_model(model_path)
    from .outofcore import is_many_files, predict_large

    if cluster is not None or is_many_files(data):
        if mf.offset is not None:
            raise BadInput(f"the model has an offset column ({mf.offset!r}): predict needs DATA in memory")
        if as_json and fmt is None:
            raise BadInput("--json prints a summary of the output file with many input files: add --output")
        n_rows, counts = predict_large(
            mf.model,
            functools.partial(prepare, mf),
            data,
            cluster,
            output=output,
            fmt=fmt,
            id_column=id_column,
            missing=missing,
            out=out,
        )
        if fmt is None:
            return
        _report_written(output, n_rows, counts, out)
        return
    design = prepare(mf, read_table(data), id_column=id_column, missing=missing, source=source_name(data))
    if design.n_rows_dropped:
        out.note(design.describe_dropped())
    model = mf.model
    with out.collect_warnings():
        X = model_input(model, design.X, design.feature_names)
        proba = model.predict_proba(X, offset=design.offset)
        labels = model.predict(X, offset=design.offset)
    result_table = prediction_table(model.classes_, labels, proba, id_column=id_column, ids=design.ids)
    if fmt is None and as_json:
        out.emit_json({"n_rows": result_table.num_rows, "rows": result_table.to_pylist()})
        return
    write_predictions([result_table], output, fmt, source=source_name(data))
    if fmt is not None:
        counts = {str(c): int(np.sum(labels == c)) for c in model.classes_}
        _report_written(output, result_table.num_rows, counts, out)


def _report_written(output, n_rows, counts, out):
    """The confirmation of predictions written to a file: a JSON object or one line."""
    if out.as_json:
        out.emit_json({"output": str(output), "n_rows": n_rows, "label_counts": counts})
    elif not out.quiet:
        print(f"{n_rows} predictions written to {output} (labels: {counts})")


ReportOpt = Annotated[
    Path | None,
    typer.Option("--report", "-r", help="Write PNG plots and a self-contained report.html into this directory."),
]


@app.command()
def evaluate(
    data: DataArg,
    model_path: ModelOpt,
    target: TrainedTargetOpt = None,
    weight: TrainedWeightOpt = None,
    threshold: Annotated[float, typer.Option(help="Binary: predict the positive class from this probability.")] = 0.5,
    report: ReportOpt = None,
    missing: MissingOpt = "refuse",
    cluster: ClusterOpt = None,
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
):
    """Evaluate the model on labelled DATA: log loss, Brier, accuracy, ROC and PR AUC, confusion matrix.

    With --report DIR, also PNG plots (ROC, precision-recall, calibration,
    objective per iteration, coefficients) and a self-contained report.html.
    """
    from .. import report as rep
    from ..metrics import evaluate as evaluate_model

    out = Output(quiet, as_json)
    if not 0 <= threshold <= 1:
        raise BadInput(f"--threshold must be in [0, 1], got {threshold:g}")
    check_missing(missing)
    if report is not None:
        rep.check_report_dir(report)
    mf = read_model(model_path)
    from .outofcore import evaluate_large, is_many_files

    if cluster is not None or is_many_files(data):
        if mf.offset is not None:
            raise BadInput(f"the model has an offset column ({mf.offset!r}): evaluate needs DATA in memory")
        if report is not None:
            raise BadInput("--report needs DATA in memory (its plots read X); leave out --report or --cluster")
        target = target or mf.target
        if target is None:
            raise BadInput("--target is needed: the model file does not record its target column")
        with out.collect_warnings(ignore=(PenalizedInferenceWarning,)):
            evaluation, dropped = evaluate_large(
                mf.model,
                functools.partial(prepare, mf),
                data,
                cluster,
                target=target,
                weight=weight if weight is not None else mf.weight,
                missing=missing,
                threshold=threshold,
            )
        if dropped:
            out.note(f"dropped {dropped} rows with missing values")
        if as_json:
            out.emit_json({**evaluation.to_dict(), "report": None})
        else:
            print(str(evaluation))
        return
    design = read_labelled(data, mf, target, weight, missing)
    if design.n_rows_dropped:
        out.note(design.describe_dropped())
    model = mf.model
    X = model_input(model, design.X, design.feature_names)
    with out.collect_warnings(ignore=(PenalizedInferenceWarning,)):
        try:
            # quantile calibration bins, the same as the report's reliability diagram
            evaluation = evaluate_model(
                model,
                X,
                design.y,
                sample_weight=design.sample_weight,
                threshold=threshold,
                strategy="quantile",
                offset=design.offset,
            )
        except ValueError as exc:
            raise BadInput(exc) from None
        page = None
        if report is not None and design.offset is not None:
            raise BadInput("--report is not available for a model with an offset column yet; leave out --report")
        if report is not None:
            summary = _stored_summary(model, target or mf.target)
            built = rep.build_report(
                model,
                X,
                design.y,
                sample_weight=design.sample_weight,
                evaluation=evaluation,
                summary=summary,
                title=f"logreg report: {Path(str(model_path)).name} on {source_name(data)}",
                facts={"model file": str(model_path), "data": source_name(data), "target": target or mf.target},
            )
            page = built.write(report)
    if as_json:
        result = evaluation.to_dict()
        result["report"] = None if page is None else str(page)
        out.emit_json(result)
        return
    print(str(evaluation))
    if page is not None:
        print(f"report written to {page}")


def _stored_summary(model, target=None):
    """The model's summary from its stored statistics, or None when it has none."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s = model.summary()
    except ValueError:
        return None
    if target is not None:
        s.dep_var = target
    return s
