"""The ``logreg`` command: fit, predict, evaluate, summary, explain, demo.

Conventions shared by every command:

- Bad input (a missing or unreadable file, a column that is not there, an
  option out of range, a model file that does not check out...) exits with
  code 2 and exactly one line on standard error, ``logreg: error: ...``; no
  traceback, and nothing is written.
- Outputs are written to a temporary file in the target directory and then
  renamed, so an existing file is replaced whole or not at all.
- Results go to standard output; progress, notes and warnings to standard
  error.  ``--json`` prints one machine-readable JSON object instead of text;
  ``--quiet`` silences progress, notes, warnings and the confirmations of
  fit and predict (the tables of summary, evaluate, explain and demo are
  their output and stay).
- ``fit`` shows its progress on standard error: a rich progress bar when
  standard error is a terminal, plain iteration lines otherwise.  ``demo``
  prints its heading first and the fit's iteration log only with
  ``--verbose``.

Set ``LOGREG_DEBUG=1`` to see the traceback of an unexpected (exit code 1)
error.
"""

from __future__ import annotations

# isort: off
from . import _interrupt  # noqa: F401 - first: Ctrl-C during the imports below exits quietly
# isort: on

import functools
import json
import math
import os
import sys
import traceback
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from typer import Abort
from typer.core import TyperGroup

try:  # recent typer vendors click: its exceptions are not click's
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover - older typer on top of click
    from click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from ._version import __version__
from .exceptions import ModelFileError, PenalizedInferenceWarning
from .io.atomic import OutputPathError, atomic_path, check_output_path
from .io.limits import MAX_LEVELS, MISSING_POLICIES

__all__ = ["app", "main"]

#: Exit code of bad input (the same code click uses for usage errors).
EXIT_BAD_INPUT = 2
#: Exit code of an unexpected failure.
EXIT_INTERNAL = 1


class BadInput(ValueError):
    """A problem with the user's input; its message is the one line printed."""


def _user_errors():
    """Exceptions that mean "the input is wrong", not "logreg is broken"."""
    from .io.inputs import DataError

    return (BadInput, DataError, ModelFileError, OutputPathError)


# The readers and writers (pyarrow; through the model file, the estimator) are imported on first
# use, so that `logreg --help` imports none of scipy, scikit-learn, numba or dask.
def read_table(*args, **kwargs):
    from .io.inputs import read_table

    return read_table(*args, **kwargs)


def read_model(path):
    from .io.modelfile import read_model

    return read_model(path)


def write_model(path, model, **kwargs):
    from .io.modelfile import write_model

    return write_model(path, model, **kwargs)


def prepare_training(table, **kwargs):
    from .io.tables import prepare_training

    return prepare_training(table, **kwargs)


def _one_line(text):
    return " ".join(str(text).split())


def _error(message):
    # a plain write, not rich: rich would wrap a long message over lines
    sys.stderr.write(f"logreg: error: {_one_line(message)}\n")
    sys.stderr.flush()


def _show_warning(message, category, filename, lineno, file=None, line=None):
    sys.stderr.write(f"logreg: warning: {category.__name__}: {_one_line(message)}\n")


class _Group(TyperGroup):
    """Typer group that turns every error into one line on stderr.

    Typer's standalone mode prints usage errors in a multi-line box and
    unexpected exceptions with a traceback; scripts that call ``logreg`` want
    an exit code and one line they can log.
    """

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        with warnings.catch_warnings():
            # a warning no command collected (e.g. reading the data) is one line too
            warnings.showwarning = _show_warning
            return self._run(args, prog_name, complete_var, standalone_mode, **extra)

    def parse_args(self, ctx, args):
        # --version is eager and exits while click parses: anything after it would be ignored silently
        root = []
        for token in args:
            if not token.startswith("-"):
                break
            root.append(token)
        if "--version" in root and len(args) > 1:
            others = " ".join(a for a in args if a != "--version")
            raise UsageError(f"--version is a flag that takes no value and no other arguments, got {others!r}")
        return super().parse_args(ctx, args)

    def _run(self, args, prog_name, complete_var, standalone_mode, **extra):
        try:
            rv = super().main(
                args=args,
                prog_name=prog_name or "logreg",
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
            code = rv if isinstance(rv, int) else 0
        except NoArgsIsHelpError as exc:
            # typer's rich help prints itself and returns ""
            text = exc.ctx.get_help()
            if text:
                typer.echo(text)
            code = 0
        except UsageError as exc:
            _error(exc.format_message())
            code = EXIT_BAD_INPUT
        except Abort:
            _error("aborted")
            code = EXIT_INTERNAL
        except ClickException as exc:
            _error(exc.format_message())
            code = exc.exit_code
        except KeyboardInterrupt:
            _error("interrupted")
            code = 130
        except BrokenPipeError:
            # the reader went away (e.g. `logreg predict ... | head`): not an error
            code = 0
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if isinstance(exc, _user_errors()):
                _error(exc)
                code = EXIT_BAD_INPUT
            else:
                code = _internal(exc)
        if standalone_mode:
            sys.exit(code)
        return code


def _internal(exc):
    """An unexpected error: one line (the traceback with LOGREG_DEBUG=1), exit code 1."""
    if os.environ.get("LOGREG_DEBUG"):
        traceback.print_exc()
    _error(f"internal error: {type(exc).__name__}: {exc} (set LOGREG_DEBUG=1 for the traceback)")
    return EXIT_INTERNAL


app = typer.Typer(
    cls=_Group,
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


# ----------------------------------------------------------------- output
class _Output:
    """Where a command's text goes: results to stdout, chatter to stderr.

    Parameters
    ----------
    quiet : bool
        No progress, notes or warnings.
    as_json : bool
        The result is one JSON object on stdout; no text result.
    """

    def __init__(self, quiet=False, as_json=False):
        self.quiet = quiet
        self.as_json = as_json
        self.warnings = []

    def console(self, stderr=False):
        from rich.console import Console

        stream = sys.stderr if stderr else sys.stdout
        width = None
        if not stream.isatty() and "COLUMNS" not in os.environ:
            width = 120  # rich's 80 columns would wrap tables in files and logs
        return Console(file=stream, width=width, highlight=False, soft_wrap=False)

    def note(self, message):
        if not self.quiet:
            sys.stderr.write(f"logreg: {_one_line(message)}\n")

    def emit_json(self, obj):
        from .io.modelfile import _jsonable

        sys.stdout.write(json.dumps(_jsonable(obj), indent=2, allow_nan=False, ensure_ascii=False) + "\n")

    @contextmanager
    def collect_warnings(self, ignore=()):
        """Record warnings, then print each distinct one as a single line.

        Parameters
        ----------
        ignore : tuple of Warning classes
            Warnings the command's own output already states.
        """
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for category in ignore:
                warnings.simplefilter("ignore", category)
            yield caught
        new = []
        for w in caught:
            text = f"{w.category.__name__}: {_one_line(w.message)}"
            if text not in self.warnings:
                self.warnings.append(text)
                new.append(text)
        if not self.quiet:
            for text in new:
                sys.stderr.write(f"logreg: warning: {text}\n")

    def progress(self, max_iter):
        return _FitProgress(max_iter, enabled=not self.quiet, console=self.console(stderr=True))


class _FitProgress:
    """The fit's ``callback(iteration, objective, grad_norm)``.

    A rich progress bar on a terminal; on a pipe, plain lines at iterations
    1-10, then every 10th to 100, every 100th to 1000, ... and the last.
    """

    def __init__(self, max_iter, *, enabled, console):
        self.max_iter = max(int(max_iter), 1)
        self.console = console
        self.rich = enabled and console.is_terminal
        self.plain = enabled and not self.rich
        self.last = None
        self.last_printed = None

    def __enter__(self):
        if self.rich:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("[bold]fit[/bold]"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("objective {task.fields[objective]}"),
                TextColumn("‖grad‖∞ {task.fields[grad]}"),
                TimeElapsedColumn(),
                console=self.console,
            )
            self._task = self._progress.add_task("fit", total=self.max_iter, objective="…", grad="…")
            self._progress.start()
        return self

    def __call__(self, iteration, objective, grad_norm):
        self.last = (iteration, objective, grad_norm)
        if self.rich:
            self._progress.update(
                self._task, completed=iteration, objective=f"{objective:.10g}", grad=f"{grad_norm:.2e}"
            )
        elif self.plain and _log_spaced(iteration):
            self._line(iteration, objective, grad_norm)

    def _line(self, iteration, objective, grad_norm):
        sys.stderr.write(f"iteration {iteration:6d}  objective {objective:.12g}  grad_norm {grad_norm:.3e}\n")
        self.last_printed = iteration

    def __exit__(self, *exc):
        if self.rich:
            if self.last is not None and exc[0] is None:
                self._progress.update(self._task, total=self.last[0] or 1, completed=self.last[0] or 1)
            self._progress.stop()
        elif self.plain and self.last is not None and self.last_printed != self.last[0] and exc[0] is None:
            self._line(*self.last)
        return False


def _log_spaced(i):
    if i <= 10:
        return True
    step = 10 ** int(math.log10(i))
    return i % step == 0


# ------------------------------------------------------------------ checks
def _split(value):
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        raise BadInput(f"empty column list {value!r}")
    return items


def _source_name(data):
    return "standard input" if str(data) == "-" else str(data)


def _check_missing(missing):
    if missing not in MISSING_POLICIES:
        raise BadInput(f"--missing must be one of {', '.join(MISSING_POLICIES)}, got {missing!r}")
    return missing


def _model_params(penalty, C, l1_ratio, solver, max_iter, tol, learning_rate, class_weight, fit_intercept):
    """Estimator parameters from the options, checked with CLI-flavoured messages."""
    from .estimator import LogisticRegression
    from .solvers import REGISTRY

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


def _refuse_overwriting(output, *inputs):
    """An output may not replace one of the command's inputs."""
    out = Path(output).resolve()
    for src in inputs:
        if src is not None and str(src) != "-" and Path(src).resolve() == out:
            raise BadInput(f"output {str(output)!r} is also an input of this command; write to another file")


def _output_format(path):
    """'csv' or 'parquet' from the suffix; None for standard output."""
    if path is None or str(path) == "-":
        return None
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise BadInput(f"cannot tell the output format of {str(path)!r}; name it .csv or .parquet")


def _prepare(mf, table, **kwargs):
    """Encode a table for a model file: its formula, or its column encoding (plain numeric
    columns for a model saved from Python on arrays), with its offset column if it has one."""
    if mf.offset is not None:
        kwargs["offset"] = mf.offset
    encoding = getattr(mf.model, "encoding_", None)
    if encoding is not None and encoding.formula is not None:
        from .io.encoding import prepare_formula_prediction

        if kwargs.get("missing") == "mean":
            raise BadInput("--missing mean is not available for a model fitted from a formula; use refuse or drop")
        return prepare_formula_prediction(table, encoding.formula, **kwargs)
    from .io.tables import ColumnEncoding, prepare_prediction

    columns = mf.columns if mf.columns is not None else [ColumnEncoding(n, "numeric") for n in mf.feature_names]
    return prepare_prediction(table, columns, **kwargs)


def _named(X, names):
    """X as a pyarrow Table with the feature names as columns.

    scikit-learn reads column names from it, so the fitted model has
    ``feature_names_in_`` and its summary names the terms.
    """
    import pyarrow as pa

    return pa.table({name: X[:, j] for j, name in enumerate(names)})


def _model_input(model, X, names):
    """What to pass to a fitted model: named columns when it was fitted on names."""
    return _named(X, names) if hasattr(model, "feature_names_in_") else X


def _fit(model, design, out):
    """Fit with progress and collected warnings; estimator refusals are bad input."""
    X = _named(design.X, design.feature_names)
    with out.collect_warnings(), out.progress(model.max_iter) as callback:
        try:
            model.fit(X, design.y, sample_weight=design.sample_weight, offset=design.offset, callback=callback)
        except ValueError as exc:
            raise BadInput(exc) from None
    return model


def _refuse_diverged(model):
    """A fit whose objective or coefficients blew up is not a model: nothing is written.

    Bad input (exit 2): the options chose a step that diverges (``--solver gd
    --learning-rate 1e6``), or the data overflow the objective.
    """
    import numpy as np  # not at import: the help screens need none of it

    from .io.schema import MAX_ABS_COEF

    history = np.asarray(model.objective_history_, dtype=np.float64)
    coef = np.concatenate([np.ravel(model.coef_), np.ravel(model.intercept_)]).astype(np.float64)
    big = float(np.max(np.abs(coef))) if np.all(np.isfinite(coef)) else math.inf
    last = float(history[-1]) if history.size else 0.0
    if math.isfinite(last) and big <= MAX_ABS_COEF:
        return
    hint = (
        "use a smaller --learning-rate, or leave it out for a line search"
        if model.solver_ == "gd"
        else "rescale the features (e.g. standardise them) or add a penalty (--C)"
    )
    raise BadInput(
        f"the fit diverged (objective {last:.3g}, coefficients as large as {big:.3g}) with solver "
        f"{model.solver_}; the model was not written: {hint}"
    )


def _training_facts(design):
    if hasattr(design, "facts"):  # a streamed or cluster fit (logreg.outofcore)
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


def _fit_result(model, design, model_path, out):
    import numpy as np  # not at import: the help screens need none of it

    classes = np.asarray(model.classes_).tolist()
    return {
        "model": str(model_path),
        "n_samples": int(design.n_samples),
        "n_rows_dropped": int(design.n_rows_dropped),
        "n_features": len(design.feature_names),
        "feature_names": design.feature_names,
        "classes": classes,
        "solver": model.solver_,
        "n_iter": int(model.n_iter_[0]),
        "converged": bool(model.converged_),
        "objective": float(model.objective_history_[-1]) if len(model.objective_history_) else None,
        "grad_norm": float(model.grad_norm_),
        "coef": model.coef_.tolist(),
        "intercept": model.intercept_.tolist(),
        "warnings": out.warnings,
    }


# --------------------------------------------------------------------- fit
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
    out = _Output(quiet, as_json)
    fit_intercept = not no_intercept
    if formula is not None:
        fit_intercept = _formula_intercept(formula, target, features, exclude, missing, no_intercept)
    elif target is None:
        raise BadInput("--target is needed (the label column), or a --formula 'target ~ x1 + x2'")
    params = _model_params(penalty, C, l1_ratio, solver, max_iter, tol, learning_rate, class_weight, fit_intercept)
    params["standardize"] = standardize
    from .cli_bounds import parse_bounds

    try:
        params["coef_bounds"] = parse_bounds(bound, _split(nonnegative), _split(nonpositive))
    except ValueError as exc:
        raise BadInput(exc) from None
    if offset is not None and (formula is not None or cluster is not None or solver == "sgd"):
        raise BadInput(
            "--offset goes with --target and DATA in memory: not with --formula, --cluster or --solver sgd yet"
        )
    _check_missing(missing)
    if max_levels < 1:
        raise BadInput(f"--max-levels must be >= 1, got {max_levels}")
    check_output_path(model_path)
    _refuse_overwriting(model_path, data)
    if epochs is not None and (epochs < 1 or solver != "sgd"):
        raise BadInput(f"--epochs must be >= 1 and goes with --solver sgd, got {epochs} with --solver {solver}")
    # how the table's columns become the design (the CLI's encoding), streamed or in memory
    training = dict(
        target=target,
        features=_split(features),
        weight=weight,
        exclude=_split(exclude) or (),
        missing=missing,
        reference_levels=not no_intercept,
        max_levels=max_levels,
    )
    if offset is not None:
        training["offset"] = offset
    files = None
    if solver == "sgd" and data != "-" and formula is None:
        from .io.row_groups import parquet_files

        files = parquet_files(data)
    if files is not None:  # Parquet, one row group at a time: never the whole table in memory
        from .cli_stream import fit_streamed

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
    source = _source_name(data)
    from .estimator import LogisticRegression
    from .io.encoding import TableEncoding
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
            features=_split(features),
            exclude=_split(exclude),
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
                from .io.encoding import prepare_formula_training

                design, learned = prepare_formula_training(
                    table, formula, weight=weight, missing=missing, source=source
                )
                target = learned.target
            else:
                design = prepare_training(table, source=source, **training)
        if design.n_rows_dropped:
            out.note(design.describe_dropped())
        model = _fit(LogisticRegression(**params), design, out)
    _refuse_diverged(model)
    # the model keeps its encoding: predict, from here or from Python, applies it to raw tables
    model.encoding_ = TableEncoding(design.columns or None, learned, target, weight)
    write_model(model_path, model, training=_training_facts(design), offset=offset)
    _report_fit(_fit_result(model, design, model_path, out), out, quiet, as_json)


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


def _formula_intercept(formula, target, features, exclude, missing, no_intercept):
    """The fit_intercept a --formula implies; options that contradict it are bad input."""
    from .formula_grammar import has_intercept, target_of

    if features is not None or exclude is not None:
        raise BadInput("--formula chooses the features: leave out --features and --exclude")
    if missing == "mean":
        raise BadInput("--missing mean is not available with --formula; use refuse or drop")
    try:
        intercept = has_intercept(formula)
        named = target_of(formula)
    except ValueError as exc:
        raise BadInput(exc) from None
    if target is not None and target != named:
        raise BadInput(f"--target {target!r} contradicts the formula's target {named!r}; leave out --target")
    if no_intercept and intercept:
        raise BadInput("--no-intercept contradicts the formula's intercept: write the formula with '- 1' instead")
    return intercept


# ----------------------------------------------------------------- predict
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
    import pyarrow as pa

    out = _Output(quiet, as_json)
    fmt = _output_format(output)
    if fmt is not None:
        check_output_path(output)
        _refuse_overwriting(output, data, model_path)
    _check_missing(missing)
    mf = read_model(model_path)
    from .outofcore import is_many_files, predict_large

    if cluster is not None or is_many_files(data):
        if mf.offset is not None:
            raise BadInput(f"the model has an offset column ({mf.offset!r}): predict needs DATA in memory")
        if as_json and fmt is None:
            raise BadInput("--json prints a summary of the output file with many input files: add --output")
        n_rows, counts = predict_large(
            mf.model,
            functools.partial(_prepare, mf),
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
        if as_json:
            out.emit_json({"output": str(output), "n_rows": n_rows, "label_counts": counts})
        elif not quiet:
            print(f"{n_rows} predictions written to {output} (labels: {counts})")
        return
    table = read_table(data)
    design = _prepare(mf, table, id_column=id_column, missing=missing, source=_source_name(data))
    if design.n_rows_dropped:
        out.note(design.describe_dropped())
    model = mf.model
    with out.collect_warnings():
        X = _model_input(model, design.X, design.feature_names)
        proba = model.predict_proba(X, offset=design.offset)
        labels = model.predict(X, offset=design.offset)
    columns = {}
    if id_column is not None:
        columns[id_column] = design.ids
    columns["label"] = pa.array(np.asarray(labels).tolist())
    for k, c in enumerate(np.asarray(model.classes_).tolist()):
        columns[f"proba_{c}"] = pa.array(proba[:, k], type=pa.float64())
    result_table = pa.table(columns)

    if fmt is None:
        if as_json:
            out.emit_json({"n_rows": result_table.num_rows, "rows": result_table.to_pylist()})
        else:
            _write_csv(result_table, sys.stdout)
        return
    with atomic_path(output) as tmp:
        if fmt == "csv":
            import pyarrow.csv as pcsv

            pcsv.write_csv(result_table, tmp)
        else:
            import pyarrow.parquet as pq

            pq.write_table(result_table, tmp)
    counts = {str(c): int(np.sum(labels == c)) for c in model.classes_}
    if as_json:
        out.emit_json({"output": str(output), "n_rows": result_table.num_rows, "label_counts": counts})
    elif not quiet:
        print(f"{result_table.num_rows} predictions written to {output} (labels: {counts})")


def _write_csv(table, stream):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    sink = pa.BufferOutputStream()
    pcsv.write_csv(table, sink)
    stream.write(sink.getvalue().to_pybytes().decode("utf-8"))
    stream.flush()


# ------------------------------------------------------------------ summary
def _read_labelled(data, mf, target, weight, missing, extra_column=None):
    """Encode DATA for a model, with labels (and weights, and one more column)."""
    import numpy as np  # not at import: the help screens need none of it

    target = target or mf.target
    if target is None:
        raise BadInput("--target is needed: the model file does not record its target column")
    weight = weight if weight is not None else (mf.weight if mf.weight is not None else None)
    design = _prepare(
        mf,
        read_table(data),
        target=target,
        weight=weight,
        id_column=extra_column,
        missing=missing,
        source=_source_name(data),
    )
    unknown = sorted(set(np.unique(design.y).tolist()) - set(np.asarray(mf.model.classes_).tolist()), key=str)
    if unknown:
        shown = ", ".join(map(repr, unknown[:5]))
        classes = ", ".join(map(repr, np.asarray(mf.model.classes_).tolist()))
        raise BadInput(f"target {target!r} has labels the model was not fitted on: {shown}; the model knows {classes}")
    return design


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

    out = _Output(quiet, as_json)
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
    _check_missing(missing)
    mf = read_model(model_path)
    model = mf.model
    if data is None and getattr(model, "_stats_", None) is None:
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
                design = _read_labelled(data, mf, target, weight, missing, extra_column=groups)
                X_model = _model_input(model, design.X, design.feature_names)
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
                    from .inference.margins import margins_table

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
    from .inference.margins import MARGEFF_COLUMNS

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
    from ._table import text_table

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


# ----------------------------------------------------------------- evaluate
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
    from . import report as rep
    from .metrics import evaluate as evaluate_model

    out = _Output(quiet, as_json)
    if not 0 <= threshold <= 1:
        raise BadInput(f"--threshold must be in [0, 1], got {threshold:g}")
    _check_missing(missing)
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
                functools.partial(_prepare, mf),
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
    design = _read_labelled(data, mf, target, weight, missing)
    if design.n_rows_dropped:
        out.note(design.describe_dropped())
    model = mf.model
    X = _model_input(model, design.X, design.feature_names)
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
                title=f"logreg report: {Path(str(model_path)).name} on {_source_name(data)}",
                facts={"model file": str(model_path), "data": _source_name(data), "target": target or mf.target},
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


# --------------------------------------------------------------------- demo
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
    from . import demo as dm

    out = _Output(quiet, as_json)
    from . import report as rep

    rep.check_report_dir(report)
    if verbose and not quiet and not as_json:
        sys.stderr.write("logreg demo: fitting P(vote = Dole) on the ANES 1996 training rows\n")
    with out.collect_warnings(), out.progress(100) if verbose else _no_progress() as callback:
        result = dm.run(report, callback=callback)
    if as_json:
        out.emit_json(result.to_dict())
        return
    print(dm.render(result))


@contextmanager
def _no_progress():
    yield None


# ------------------------------------------------------------------ explain
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

    from . import explain as ex

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
        _check_missing(missing)
        design = prepare_training(
            read_table(data), target=target, features=_split(features), missing=missing, source=_source_name(data)
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
            f"{_source_name(data)}, rows {', '.join(map(str, idx))} (of {design.n_samples}); features standardised "
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
        _Output(as_json=True).emit_json(result.to_dict())
    else:
        ex.render(result, _Output().console())


# --------------------------------------------------------------------- main
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


if __name__ == "__main__":  # pragma: no cover
    main()
