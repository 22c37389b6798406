"""Where a command's text goes: results to standard output, progress, notes and warnings to standard error."""

from __future__ import annotations

import json
import math
import os
import sys
import warnings
from contextlib import contextmanager

from .errors import one_line

__all__ = ["FitProgress", "Output", "log_spaced", "no_progress"]


class Output:
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
            sys.stderr.write(f"logreg: {one_line(message)}\n")

    def emit_json(self, obj):
        from ..io.modelfile import _jsonable

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
            text = f"{w.category.__name__}: {one_line(w.message)}"
            if text not in self.warnings:
                self.warnings.append(text)
                new.append(text)
        if not self.quiet:
            for text in new:
                sys.stderr.write(f"logreg: warning: {text}\n")

    def progress(self, max_iter):
        return FitProgress(max_iter, enabled=not self.quiet, console=self.console(stderr=True))


class FitProgress:
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
        elif self.plain and log_spaced(iteration):
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


def log_spaced(i):
    """True at iterations 1-10, then every 10th to 100, every 100th to 1000, ..."""
    if i <= 10:
        return True
    step = 10 ** int(math.log10(i))
    return i % step == 0


@contextmanager
def no_progress():
    """The fit's callback when no progress is shown: None."""
    yield None
