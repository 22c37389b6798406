"""``logreg demo``: the main job, an analysis of the 1996 US presidential vote with its report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from .app import JsonOpt, QuietOpt, app
from .output import Output, no_progress

__all__ = ["demo"]


@app.command()
def demo(
    report: Annotated[
        Path, typer.Option("--report", "-r", help="Directory for report.html, the PNG plots and model.json.")
    ] = Path("logreg-report"),
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also print the fit's iteration log (on standard error).")
    ] = False,
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
):
    """The main job: a logistic-regression analysis of the 1996 US presidential vote, with its report.

    P(vote = Dole) from party identification, ideology, age, education and
    income (the ANES 1996 subset of statsmodels, bundled): unpenalised
    maximum likelihood on 75% of the 944 respondents, the inference table,
    odds ratios with Wald and profile-likelihood intervals, average marginal
    effects, then the held-out evaluation (log loss, Brier, AUC, calibration)
    and report.html.  The fit's iteration log is printed only with --verbose,
    after the heading.
    """
    from .. import demo as dm
    from .. import report as rep

    out = Output(quiet, as_json)
    rep.check_report_dir(report)
    if verbose and not quiet and not as_json:
        sys.stderr.write("logreg demo: fitting P(vote = Dole) on the ANES 1996 training rows\n")
    with out.collect_warnings(), out.progress(100) if verbose else no_progress() as callback:
        result = dm.run(report, callback=callback)
    if as_json:
        out.emit_json(result.to_dict())
        return
    print(dm.render(result))
