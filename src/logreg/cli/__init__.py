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
from .. import _interrupt  # noqa: F401 - first: Ctrl-C during the imports below exits quietly

# each command module registers its commands on the app, in the order `logreg --help` lists them
from . import fit, predict, summary, demo, explain  # noqa: F401
from .app import app, main

# isort: on

__all__ = ["app", "main"]
