"""Plain-text tables whose columns never run together.

Each column is as wide as its widest cell plus a gap, and at least
``min_width``; numbers are written as statsmodels writes its summary tables
(four decimals, scientific notation beyond 1e5 or below 1e-3).
"""

from __future__ import annotations

import math

__all__ = ["format_number", "text_table"]


def format_number(v, digits=4):
    """A number as a summary table shows it.

    Parameters
    ----------
    v : float
    digits : int, default=4
        Decimals of the fixed-point form (the scientific form has ``digits - 1``).

    Returns
    -------
    str
    """
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v != 0 and (abs(v) >= 1e5 or abs(v) < 10.0 ** -(digits - 1)):
        return f"{v:.{digits - 1}e}"
    return f"{v:.{digits}f}"


def text_table(header, rows, *, left=1, min_width=11, gap=2):
    """Lines of a table: ``left`` label columns left-aligned, the rest right-aligned.

    Parameters
    ----------
    header : sequence of str
    rows : sequence of sequences
        Cells: strings are used as they are, numbers go through :func:`format_number`.
    left : int, default=1
        Leading columns that are labels.
    min_width : int, default=11
        Narrowest width of a number column (statsmodels' look for ordinary values).
    gap : int, default=2
        Spaces at least between two columns.

    Returns
    -------
    list of str
        The header line, then one line per row (no rules).
    """
    cells = [[c if isinstance(c, str) else format_number(c) for c in row] for row in rows]
    table = [list(map(str, header)), *cells]
    ncol = len(header)
    widths = []
    for j in range(ncol):
        widest = max(len(r[j]) for r in table)
        if j < left:
            widths.append(widest + (gap if j < left - 1 else 0))
        else:
            widths.append(max(min_width, widest + gap))
    lines = []
    for r in table:
        parts = [r[j].ljust(widths[j]) if j < left else r[j].rjust(widths[j]) for j in range(ncol)]
        lines.append("".join(parts).rstrip())
    return lines
