"""Every error of the ``logreg`` command as one line on standard error, with its exit code.

Bad input (:class:`BadInput`, a :class:`~logreg.io.inputs.DataError`, a model
file that does not check out, an output path that cannot be written, a usage
error) exits with code 2; an unexpected failure with code 1 (its traceback with
``LOGREG_DEBUG=1``); an interrupt with 130.
"""

from __future__ import annotations

import os
import sys
import traceback
import warnings

import typer
from typer import Abort
from typer.core import TyperGroup

try:  # recent typer vendors click: its exceptions are not click's
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover - older typer on top of click
    from click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from ..exceptions import ModelFileError
from ..io.atomic import OutputPathError

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERNAL", "BadInput", "CommandGroup", "one_line"]

#: Exit code of bad input (the same code click uses for usage errors).
EXIT_BAD_INPUT = 2
#: Exit code of an unexpected failure.
EXIT_INTERNAL = 1


class BadInput(ValueError):
    """A problem with the user's input; its message is the one line printed."""


def user_errors():
    """Exceptions that mean "the input is wrong", not "logreg is broken"."""
    from ..io.inputs import DataError  # pyarrow: not for the help screens

    return (BadInput, DataError, ModelFileError, OutputPathError)


def one_line(text):
    """``text`` with every run of whitespace (newlines too) as one space."""
    return " ".join(str(text).split())


def error(message):
    """Print ``logreg: error: message`` as one line on standard error."""
    # a plain write, not rich: rich would wrap a long message over lines
    sys.stderr.write(f"logreg: error: {one_line(message)}\n")
    sys.stderr.flush()


def _show_warning(message, category, filename, lineno, file=None, line=None):
    sys.stderr.write(f"logreg: warning: {category.__name__}: {one_line(message)}\n")


class CommandGroup(TyperGroup):
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
            error(exc.format_message())
            code = EXIT_BAD_INPUT
        except Abort:
            error("aborted")
            code = EXIT_INTERNAL
        except ClickException as exc:
            error(exc.format_message())
            code = exc.exit_code
        except KeyboardInterrupt:
            error("interrupted")
            code = 130
        except BrokenPipeError:
            # the reader went away (e.g. `logreg predict ... | head`): not an error
            code = 0
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if isinstance(exc, user_errors()):
                error(exc)
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
    error(f"internal error: {type(exc).__name__}: {exc} (set LOGREG_DEBUG=1 for the traceback)")
    return EXIT_INTERNAL
