"""``logreg summary``: the inference table of a model file, and its marginal effects."""

from __future__ import annotations

from typing import Annotated

import typer

from ..exceptions import PenalizedInferenceWarning
from .app import JsonOpt, MissingOpt, ModelOpt, QuietOpt, TrainedTargetOpt, TrainedWeightOpt, app
from .common import check_missing, model_input, read_labelled, read_model
from .errors import BadInput
from .output import Output

__all__ = ["COV_TYPES", "summary"]

COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster")


@app.command()
def summary(
    model_path: ModelOpt,
    data: Annotated[
        str | None,
        typer.Argument(help="The training data, to recompute the statistics (needed for --cov-type cluster)."),
    ] = None,
    target: TrainedTargetOpt = None,
    weight: TrainedWeightOpt = None,
    cov_type: Annotated[
        str, typer.Option(help="nonrobust, HC0, HC1, HC2, HC3 (with DATA) or cluster (with DATA).")
    ] = "nonrobust",
    groups: Annotated[str | None, typer.Option(help="Cluster column for --cov-type cluster.")] = None,
    alpha: Annotated[float, typer.Option(help="Confidence intervals at level 1 − alpha.")] = 0.05,
    ci: Annotated[
        str | None,
        typer.Option(help="Interval method: wald or profile (with DATA; the default for a --penalty firth model)."),
    ] = None,
    margins: Annotated[
        str | None,
        typer.Option(
            help="Also print marginal effects dP/dx with delta-method errors, as statsmodels' get_margeff: "
            "overall (averaged over the rows of DATA) or mean (at DATA's mean row). Needs DATA."
        ),
    ] = None,
    missing: MissingOpt = "refuse",
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
):
    """Print the inference table: coefficients, standard errors, z, p-values, intervals.

    Uses the statistics stored in the model file; give the training DATA to
    recompute them (robust and cluster covariances) and for --margins.
    """
    import numpy as np  # not at import: the help screens need none of it

    out = Output(quiet, as_json)
    if margins not in (None, "overall", "mean"):
        raise BadInput(f"--margins must be overall or mean, got {margins!r}")
    if margins is not None and data is None:
        raise BadInput("--margins needs the DATA to average the effects over (usually the training data)")
    if cov_type not in COV_TYPES:
        raise BadInput(f"--cov-type must be one of {', '.join(COV_TYPES)}, got {cov_type!r}")
    if not 0 < alpha < 1:
        raise BadInput(f"--alpha must be in (0, 1), got {alpha:g}")
    if ci not in (None, "wald", "profile"):
        raise BadInput(f"--ci must be wald or profile, got {ci!r}")
    if ci == "profile" and data is None:
        raise BadInput("--ci profile needs the training DATA (the profiles refit the model)")
    if cov_type == "cluster" and (groups is None or data is None):
        raise BadInput("--cov-type cluster needs the training DATA and --groups COLUMN")
    if cov_type in ("HC2", "HC3") and data is None:
        raise BadInput(f"--cov-type {cov_type} needs the training DATA (each row's leverage)")
    if groups is not None and cov_type != "cluster":
        raise BadInput("--groups is only used with --cov-type cluster")
    check_missing(missing)
    mf = read_model(model_path)
    model = mf.model
    if data is None and model.fitted_model().statistics is None:
        raise BadInput(
            f"{model_path} holds no inference statistics (a fit too large to store them); give the training "
            f"data: logreg summary --model {model_path} DATA"
        )
    # the summary's notes say plainly when a penalised fit's errors are not inference
    with out.collect_warnings(ignore=(PenalizedInferenceWarning,)):
        try:
            if data is None:
                result = model.summary(cov_type=cov_type, alpha=alpha, ci=ci)
            else:
                design = read_labelled(data, mf, target, weight, missing, extra_column=groups)
                X_model = model_input(model, design.X, design.feature_names)
                cluster = None if groups is None else np.asarray(design.ids.to_pylist(), dtype=object)
                result = model.summary(
                    X_model,
                    design.y,
                    sample_weight=design.sample_weight,
                    cov_type=cov_type,
                    groups=cluster,
                    alpha=alpha,
                    ci=ci,
                    offset=design.offset,
                )
                effects = None
                if margins is not None:
                    from ..inference.margins import margins_table

                    effects = margins_table(
                        model, X_model, margins, y=design.y, sample_weight=design.sample_weight,
                        cov_type=cov_type, alpha=alpha, groups=cluster, offset=design.offset,
                    )  # fmt: skip
        except ValueError as exc:
            raise BadInput(exc) from None
    if mf.target is not None or target is not None:
        result.dep_var = target or mf.target
    if as_json:
        payload = result.to_dict()
        if margins is not None:
            payload["marginal_effects"] = _margins_records(effects, margins)
        out.emit_json(payload)
    else:
        print(result.as_text())
        if margins is not None:
            print(_margins_text(effects, margins, alpha))


def _margins_records(effects, at):
    """Marginal effects as JSON records: class, term, dydx, std_err, z, p_value, ci_lower, ci_upper."""
    from ..inference.margins import MARGEFF_COLUMNS

    index, table = effects
    return {
        "at": at,
        "rows": [
            {"class": _plain(c), "term": term, **dict(zip(MARGEFF_COLUMNS, map(float, row), strict=True))}
            for (c, term), row in zip(index, table, strict=True)
        ],
    }


def _margins_text(effects, at, alpha):
    """The marginal-effects table under the summary, one block per class."""
    from .._table import text_table

    index, table = effects
    level = f"{100 * (1 - alpha):g}%"
    where = "averaged over the rows" if at == "overall" else "at the mean row"
    lines = []
    for c in dict.fromkeys(c for c, _ in index):
        rows = [[term, *map(float, row)] for (k, term), row in zip(index, table, strict=True) if k == c]
        lines += ["", f"Marginal effects on P({_plain(c)}), {where} (delta-method standard errors):"]
        lines += text_table(["", "dP/dx", "std err", "z", "P>|z|", f"[{level}", "]"], rows, min_width=10)
    return "\n".join(lines)


def _plain(value):
    """A class label as a plain Python value (no numpy scalar repr)."""
    return value.item() if hasattr(value, "item") else value
