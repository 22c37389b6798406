"""Ctrl-C while the ``logreg`` command is still importing: one line, no traceback.

The command's own handler (``logreg.cli``) only exists once its imports have
run (numpy, scikit-learn, pyarrow: about a second); an interrupt before that
would print a traceback.  Imported first by :mod:`logreg.cli`, this hook turns
an unhandled KeyboardInterrupt into the command's one-line message; Python
still exits the way an interrupted process does (killed by SIGINT: status 130
in a shell).  Any other exception goes to the previous hook unchanged.
"""

from __future__ import annotations

import sys

_previous = sys.excepthook


def _hook(exc_type, exc, tb):
    if issubclass(exc_type, KeyboardInterrupt):
        sys.stderr.write("logreg: error: interrupted\n")
        sys.stderr.flush()
        return
    _previous(exc_type, exc, tb)


if sys.excepthook is sys.__excepthook__:
    sys.excepthook = _hook
