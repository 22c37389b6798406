"""``python -m logreg``: the command-line tool (see ``logreg --help``)."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
