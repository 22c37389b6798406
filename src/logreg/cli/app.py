"""The typer application, its root options, the options the commands share, and ``main``.

The commands register themselves on :data:`app` when :mod:`logreg.cli`
imports their modules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .._version import __version__
from .errors import CommandGroup

__all__ = ["app", "main"]

app = typer.Typer(
    cls=CommandGroup,
    name="logreg",
    help=(
        "Logistic regression on CSV and Parquet files: the seeds' model (z = Xw + b, a = σ(z), "
        "cross-entropy, backward pass dz = a − y), fitted exactly."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version_callback(value: bool):
    if value:
        typer.echo(f"logreg {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Print the version and exit."),
    ] = False,
):
    """Logistic regression on CSV and Parquet files.

    Bad input exits with code 2 and one line on standard error.
    """


# ------------------------------------------------------- options the commands share
DataArg = Annotated[
    str,
    typer.Argument(
        help="CSV or Parquet file; '-' reads CSV from standard input; a directory or glob of Parquet files is "
        "read row group by row group (bounded memory).",
        show_default=False,
    ),
]
ModelOpt = Annotated[Path, typer.Option("--model", "-m", help="The JSON model file.", show_default=False)]
TrainedTargetOpt = Annotated[str | None, typer.Option("--target", "-t", help="Label column (default: as in training).")]
TrainedWeightOpt = Annotated[
    str | None, typer.Option("--weight", "-w", help="Weight column (default: as in training).")
]
QuietOpt = Annotated[
    bool,
    typer.Option(
        "--quiet", "-q", help="No progress, notes, warnings or confirmations: only errors and the requested output."
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one machine-readable JSON object.")]
ClusterOpt = Annotated[
    str | None,
    typer.Option(
        "--cluster",
        help="Run on Dask: 'local' (a LocalCluster, one worker per core) or a scheduler address tcp://host:8786.",
        show_default=False,
    ),
]
MissingOpt = Annotated[
    str,
    typer.Option(
        "--missing",
        help="Missing values (empty, NA, NaN): refuse, drop the rows, or fill features with the training mean "
        "(most frequent level for text).",
    ),
]


def main(argv=None):
    """Entry point of the ``logreg`` console script and ``python -m logreg``.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit code (only when ``argv`` is given; otherwise the process exits).
    """
    if argv is None:
        return app()
    command = typer.main.get_command(app)
    return command.main(args=list(argv), standalone_mode=False)
