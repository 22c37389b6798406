"""``logreg fit``: a table (or a formula) in, a JSON model file out."""

from __future__ import annotations

import math
from typing import Annotated

import typer

from ..io.atomic import check_output_path
from ..io.limits import MAX_LEVELS
from .app import ClusterOpt, DataArg, JsonOpt, MissingOpt, ModelOpt, QuietOpt, app
from .common import (
    check_missing,
    named,
    prepare_training,
    read_table,
    refuse_overwriting,
    source_name,
    split,
    write_model,
)
from .errors import BadInput
from .outcome import fit_result, refuse_diverged
from .output import Output

__all__ = ["fit"]


@app.command()
def fit(
    data: DataArg,
    model_path: ModelOpt,
    target: Annotated[
        str | None, typer.Option("--target", "-t", help="The label column (not needed with --formula).")
    ] = None,
    formula: Annotated[
        str | None,
        typer.Option(
            "--formula",
            help="A model formula instead of --target/--features, e.g. 'admit ~ gre + gpa + C(rank) + gre:gpa' "
            "(formulaic's grammar, as R and statsmodels); the features are its columns, the intercept is the "
            "model's ('- 1' fits without one).",
        ),
    ] = None,
    features: Annotated[
        str | None,
        typer.Option("--features", "-f", help="Comma-separated feature columns (default: all other columns)."),
    ] = None,
    exclude: Annotated[
        str | None, typer.Option("--exclude", "-x", help="Comma-separated columns never used (e.g. an id).")
    ] = None,
    weight: Annotated[str | None, typer.Option("--weight", "-w", help="A column of sample weights.")] = None,
    offset: Annotated[
        str | None,
        typer.Option(
            help="A numeric column added to the linear predictor with coefficient 1 (e.g. log exposure); not a "
            "feature. The model file records it: predict, evaluate and summary read it from their data."
        ),
    ] = None,
    bound: Annotated[
        list[str] | None,
        typer.Option(
            "--bound",
            help="Bound a feature's coefficient: 'NAME>=0', 'NAME<=2' or '-1<=NAME<=1' (repeatable; one-hot "
            "features are named column=level).",
        ),
    ] = None,
    nonnegative: Annotated[
        str | None, typer.Option(help="Comma-separated features whose coefficients must be >= 0.")
    ] = None,
    nonpositive: Annotated[
        str | None, typer.Option(help="Comma-separated features whose coefficients must be <= 0.")
    ] = None,
    penalty: Annotated[
        str,
        typer.Option(
            help="auto (from --l1-ratio: unset or 0 = l2, 1 = l1, between = elasticnet), l2, l1, elasticnet, "
            "firth (Firth's bias reduction, two classes) or none."
        ),
    ] = "auto",
    C: Annotated[float, typer.Option("--C", "-C", help="Inverse penalty strength, > 0 (as in scikit-learn).")] = 1.0,
    l1_ratio: Annotated[
        float | None, typer.Option(help="Share of L1 in the penalty, in [0, 1] (with --penalty auto or elasticnet).")
    ] = None,
    solver: Annotated[
        str,
        typer.Option(
            help="auto, newton (newton-cg, newton-cholesky), lbfgs, cd (L1/elastic-net), gd (the seeds' gradient "
            "descent) or sgd (averaged minibatch SGD; on Parquet it streams the row groups)."
        ),
    ] = "auto",
    max_iter: Annotated[int, typer.Option(help="Iteration limit.")] = 100,
    epochs: Annotated[
        int | None, typer.Option(help="Passes over streamed Parquet with --solver sgd (default: --max-iter).")
    ] = None,
    tol: Annotated[float, typer.Option(help="Stop when the gradient's max-norm is at most this.")] = 1e-4,
    learning_rate: Annotated[
        float | None, typer.Option(help="The seeds' step α for --solver gd (default: a line search).")
    ] = None,
    class_weight: Annotated[str | None, typer.Option(help="'balanced' reweights classes.")] = None,
    no_intercept: Annotated[bool, typer.Option("--no-intercept", help="Fit without b.")] = False,
    standardize: Annotated[
        bool,
        typer.Option(
            "--standardize",
            help="Fit on standardised continuous columns (the penalty then treats them alike); the model "
            "file records the means and scales and keeps coefficients on the original scale.",
        ),
    ] = False,
    missing: MissingOpt = "refuse",
    max_levels: Annotated[
        int, typer.Option(help="Refuse text columns with more distinct values (ids); raise it to encode them.")
    ] = MAX_LEVELS,
    cluster: ClusterOpt = None,
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
):
    """Fit a model to DATA and write it to the JSON model file.

    Text columns are one-hot encoded (first level as reference), or the
    --formula builds the features; the encoding is stored in the model file,
    so predict repeats it (also from Python: logreg.load(path).predict(table)).
    """
    out = Output(quiet, as_json)
    fit_intercept = not no_intercept
    if formula is not None:
        fit_intercept = _formula_intercept(formula, target, features, exclude, missing, no_intercept)
    elif target is None:
        raise BadInput("--target is needed (the label column), or a --formula 'target ~ x1 + x2'")
    params = _model_params(penalty, C, l1_ratio, solver, max_iter, tol, learning_rate, class_weight, fit_intercept)
    params["standardize"] = standardize
    from .bounds import parse_bounds

    try:
        params["coef_bounds"] = parse_bounds(bound, split(nonnegative), split(nonpositive))
    except ValueError as exc:
        raise BadInput(exc) from None
    if offset is not None and (formula is not None or cluster is not None or solver == "sgd"):
        raise BadInput(
            "--offset goes with --target and DATA in memory: not with --formula, --cluster or --solver sgd yet"
        )
    check_missing(missing)
    if max_levels < 1:
        raise BadInput(f"--max-levels must be >= 1, got {max_levels}")
    check_output_path(model_path)
    refuse_overwriting(model_path, data)
    if epochs is not None and (epochs < 1 or solver != "sgd"):
        raise BadInput(f"--epochs must be >= 1 and goes with --solver sgd, got {epochs} with --solver {solver}")
    # how the table's columns become the design (the CLI's encoding), streamed or in memory
    training = dict(
        target=target,
        features=split(features),
        weight=weight,
        exclude=split(exclude) or (),
        missing=missing,
        reference_levels=not no_intercept,
        max_levels=max_levels,
    )
    if offset is not None:
        training["offset"] = offset
    files = None
    if solver == "sgd" and data != "-" and formula is None:
        from ..io.row_groups import parquet_files

        files = parquet_files(data)
    if files is not None:  # Parquet, one row group at a time: never the whole table in memory
        from .stream import fit_streamed

        if standardize:
            raise BadInput(
                "--standardize needs every row's mean and deviation before the first step; with streamed "
                "Parquet (--solver sgd) standardise the columns beforehand"
            )
        result = fit_streamed(files, params, training, epochs or max_iter, model_path, out)
        _report_fit(result, out, quiet, as_json)
        return
    if epochs is not None:
        params["max_iter"] = epochs  # in memory, sgd's iterations are its epochs
    source = source_name(data)
    from ..estimator import LogisticRegression
    from ..io.encoding import TableEncoding
    from .outofcore import fit_large, is_many_files

    learned = None
    if cluster is not None or is_many_files(data):
        if formula is not None or offset is not None:
            raise BadInput(
                "--formula and --offset need DATA in memory; with a directory, a glob or --cluster use --target"
            )
        model, design = fit_large(
            LogisticRegression(**params),
            data,
            cluster,
            target=target,
            features=split(features),
            exclude=split(exclude),
            weight=weight,
            missing=missing,
            max_levels=max_levels,
            out=out,
        )
        if design.n_rows_dropped:
            out.note(design.describe_dropped())
    else:
        table = read_table(data)
        with out.collect_warnings():
            if formula is not None:
                from ..io.encoding import prepare_formula_training

                design, learned = prepare_formula_training(
                    table, formula, weight=weight, missing=missing, source=source
                )
                target = learned.target
            else:
                design = prepare_training(table, source=source, **training)
        if design.n_rows_dropped:
            out.note(design.describe_dropped())
        model = _fit(LogisticRegression(**params), design, out)
    refuse_diverged(model)
    # the model keeps its encoding: predict, from here or from Python, applies it to raw tables
    model.encoding_ = TableEncoding(design.columns or None, learned, target, weight)
    write_model(model_path, model, training=_training_facts(design), offset=offset)
    _report_fit(fit_result(model, design, model_path, out), out, quiet, as_json)


def _model_params(penalty, C, l1_ratio, solver, max_iter, tol, learning_rate, class_weight, fit_intercept):
    """Estimator parameters from the options, checked with CLI-flavoured messages."""
    from ..estimator import LogisticRegression
    from ..solvers import REGISTRY

    penalties = ("auto", "l2", "l1", "elasticnet", "firth", "none")
    if penalty not in penalties:
        raise BadInput(f"--penalty must be one of {', '.join(penalties)}, got {penalty!r}")
    if not C > 0 or math.isnan(C):
        raise BadInput(f"--C must be > 0 (the inverse penalty strength), got {C:g}")
    if l1_ratio is not None and not 0 <= l1_ratio <= 1:
        raise BadInput(f"--l1-ratio must be in [0, 1], got {l1_ratio:g}")
    solvers = sorted(REGISTRY) + ["auto"]
    if solver not in solvers:
        raise BadInput(f"unknown solver {solver!r}; choose one of {', '.join(solvers)}")
    if max_iter < 0:
        raise BadInput(f"--max-iter must be >= 0, got {max_iter}")
    if not tol >= 0:
        raise BadInput(f"--tol must be >= 0, got {tol:g}")
    if learning_rate is not None and not learning_rate > 0:
        raise BadInput(f"--learning-rate must be > 0, got {learning_rate:g}")
    if class_weight not in (None, "balanced"):
        raise BadInput(f"--class-weight must be 'balanced' (or left out), got {class_weight!r}")
    params = dict(
        penalty=None if penalty == "none" else penalty,
        C=C,
        l1_ratio=l1_ratio,
        solver=solver,
        max_iter=max_iter,
        tol=tol,
        learning_rate=learning_rate,
        class_weight=class_weight,
        fit_intercept=fit_intercept,
    )
    try:
        LogisticRegression(**params)._validate_params()
    except ValueError as exc:
        raise BadInput(exc) from None
    return params


def _formula_intercept(formula, target, features, exclude, missing, no_intercept):
    """The fit_intercept a --formula implies; options that contradict it are bad input."""
    from ..formula_grammar import has_intercept, target_of

    if features is not None or exclude is not None:
        raise BadInput("--formula chooses the features: leave out --features and --exclude")
    if missing == "mean":
        raise BadInput("--missing mean is not available with --formula; use refuse or drop")
    try:
        intercept = has_intercept(formula)
        named_target = target_of(formula)
    except ValueError as exc:
        raise BadInput(exc) from None
    if target is not None and target != named_target:
        raise BadInput(f"--target {target!r} contradicts the formula's target {named_target!r}; leave out --target")
    if no_intercept and intercept:
        raise BadInput("--no-intercept contradicts the formula's intercept: write the formula with '- 1' instead")
    return intercept


def _fit(model, design, out):
    """Fit with progress and collected warnings; estimator refusals are bad input."""
    X = named(design.X, design.feature_names)
    with out.collect_warnings(), out.progress(model.max_iter) as callback:
        try:
            model.fit(X, design.y, sample_weight=design.sample_weight, offset=design.offset, callback=callback)
        except ValueError as exc:
            raise BadInput(exc) from None
    return model


def _training_facts(design):
    if hasattr(design, "facts"):  # a streamed or cluster fit (logreg.cli.outofcore)
        return design.facts()
    facts = {
        "n_samples": int(design.n_samples),
        "n_rows_read": int(design.n_rows_read),
        "n_rows_dropped": int(design.n_rows_dropped),
        "missing": design.missing,
        "missing_counts": dict(design.missing_counts),
    }
    if design.sample_weight is not None:
        facts["sum_weights"] = float(design.sample_weight.sum())
    return facts


def _report_fit(result, out, quiet, as_json):
    """The fit's JSON object, or its two lines."""
    if as_json:
        out.emit_json(result)
        return
    if quiet:
        return
    status = "converged" if result["converged"] else "NOT converged (see the warning)"
    classes = ", ".join(map(str, result["classes"]))
    print(
        f"fitted {result['n_samples']} rows × {result['n_features']} features (classes: {classes}) "
        f"with {result['solver']}: {result['n_iter']} iterations, {status}, objective {result['objective']:.10g}"
    )
    print(f"model written to {result['model']}")
