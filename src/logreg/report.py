"""A self-contained HTML report of a fitted model: one file, images embedded.

:func:`build_report` renders the figures of :mod:`logreg.plots` (ROC,
precision-recall, calibration, the objective per iteration, coefficients with
confidence intervals) to PNG in memory and assembles ``report.html`` with the
PNGs embedded as ``data:`` URIs, so the file can be mailed or archived alone.
:meth:`Report.write` then writes the PNGs and ``report.html`` into a
directory, each file atomically.

Figures are drawn on :class:`matplotlib.figure.Figure` objects that pyplot
never sees, so building a report changes no global matplotlib state (no
backend switch, no open windows).
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._version import __version__
from .io.atomic import OutputPathError, atomic_write_bytes, atomic_write_text
from .model import as_fitted

__all__ = ["Report", "build_report", "figure_png"]


@dataclass
class Report:
    """A rendered report.

    Attributes
    ----------
    html : str
        The self-contained page.
    images : dict of str -> bytes
        PNG files by name (``roc.png``...), the same images the page embeds.
    skipped : dict of str -> str
        Figures that could not be drawn, with the reason (shown in the page).
    """

    html: str
    images: dict = field(default_factory=dict)
    skipped: dict = field(default_factory=dict)

    def write(self, directory):
        """Write the PNGs and ``report.html`` into ``directory``.

        The directory is created if needed (its parent must exist); each file
        is written to a temporary file and renamed.

        Parameters
        ----------
        directory : str or os.PathLike

        Returns
        -------
        pathlib.Path
            The path of ``report.html``.

        Raises
        ------
        logreg.io.atomic.OutputPathError
            The parent directory does not exist, or the path is a file.
        """
        directory = Path(directory)
        check_report_dir(directory)
        directory.mkdir(exist_ok=True)
        for name, data in self.images.items():
            atomic_write_bytes(directory / name, data)
        page = directory / "report.html"
        atomic_write_text(page, self.html)
        return page


def check_report_dir(directory):
    """Refuse a report directory that cannot be created, before any work.

    Parameters
    ----------
    directory : str or os.PathLike

    Raises
    ------
    OutputPathError
    """
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise OutputPathError(f"report directory {str(directory)!r} is a file")
    if not directory.exists() and not directory.parent.is_dir():
        raise OutputPathError(
            f"the parent of report directory {str(directory)!r} does not exist; create it first "
            f"(mkdir -p {directory.parent})"
        )
    # a real probe (permissions, read-only file systems, root): found now, not after the work
    probe = directory if directory.exists() else directory.parent
    try:
        with tempfile.TemporaryDirectory(prefix=".logreg-probe-", dir=probe):
            pass
    except OSError as exc:
        raise OutputPathError(
            f"report directory {str(directory)!r} cannot be written ({exc.strerror or exc}); choose another "
            "--report directory"
        ) from None


def figure_png(fig, dpi=110):
    """A matplotlib Figure as PNG bytes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    dpi : int

    Returns
    -------
    bytes
    """
    buf = io.BytesIO()
    # a fixed creation date keeps the PNG bytes reproducible
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": f"logreg {__version__}"})
    return buf.getvalue()


def _new_axes(figsize=(5.2, 4.2)):
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    return fig, fig.add_subplot()


def _figures(model, X, y, sample_weight, summary):
    """Draw each figure with logreg.plots; return (name -> (caption, PNG), name -> reason skipped).

    The curve displays draw one curve per class (one-vs-rest) for three or
    more classes, so every figure applies to every model; only the
    coefficient plot needs a summary.
    """
    from . import plots

    n_terms = 0 if summary is None else len(summary.terms)
    specs = [
        (
            "roc.png",
            "ROC curve",
            (5.2, 4.2),
            lambda ax: plots.RocCurveDisplay.from_estimator(model, X, y, sample_weight=sample_weight, ax=ax),
        ),
        (
            "precision_recall.png",
            "Precision–recall curve",
            (5.2, 4.2),
            lambda ax: plots.PrecisionRecallDisplay.from_estimator(model, X, y, sample_weight=sample_weight, ax=ax),
        ),
        (
            "calibration.png",
            "Calibration (reliability diagram)",
            (5.2, 4.2),
            lambda ax: plots.CalibrationDisplay.from_estimator(model, X, y, sample_weight=sample_weight, ax=ax),
        ),
        (
            "objective.png",
            "Objective J per solver iteration (the seeds' learning curve)",
            (5.2, 4.2),
            lambda ax: plots.ObjectiveHistoryDisplay.from_estimator(model, ax=ax),
        ),
    ]
    if summary is not None:
        specs.append(
            (
                "coefficients.png",
                "Coefficients with confidence intervals",
                # one row per term: grow the figure instead of squeezing the labels
                (7.0, max(3.0, 0.3 * n_terms + 1.0)),
                lambda ax: plots.CoefficientDisplay.from_summary(summary, ax=ax),
            )
        )
    images, skipped = {}, {}
    for name, caption, size, draw in specs:
        fig, ax = _new_axes(size)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                draw(ax)
            images[name] = (caption, figure_png(fig))
        except (ValueError, TypeError, AttributeError, IndexError) as exc:
            # one figure that cannot be drawn (e.g. a class absent from the data) must not sink the report
            skipped[name] = f"not drawn: {type(exc).__name__}: {' '.join(str(exc).split())}"
    return images, skipped


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1100px;
       color: #222; line-height: 1.4; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }
.sub { color: #666; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: right; }
th { background: #f4f4f4; } td.l, th.l { text-align: left; }
pre { background: #f8f8f8; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
.figs { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; } figcaption { color: #555; font-size: 0.9em; text-align: center; }
.note { color: #8a5300; }
"""


def _fmt(v):
    if v is None:
        return "–"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int | np.integer):
        return str(int(v))
    if isinstance(v, float | np.floating):
        return f"{float(v):.6g}" if np.isfinite(v) else "–"
    return str(v)


def _table(header, rows, left=1):
    esc = html.escape
    out = ["<table><tr>"]
    out += [f'<th class="{"l" if j < left else ""}">{esc(str(h))}</th>' for j, h in enumerate(header)]
    out.append("</tr>")
    for row in rows:
        out.append(
            "<tr>"
            + "".join(f'<td class="{"l" if j < left else ""}">{esc(_fmt(v))}</td>' for j, v in enumerate(row))
            + "</tr>"
        )
    out.append("</table>")
    return "".join(out)


def build_report(
    model,
    X,
    y,
    *,
    sample_weight=None,
    evaluation=None,
    summary=None,
    title="logreg report",
    subtitle="",
    facts=None,
    tables=None,
):
    """Render the report of a fitted model on a data set.

    Parameters
    ----------
    model : logreg.LogisticRegression
        Fitted.
    X : {array-like, pyarrow.Table} of shape (n_samples, n_features)
        The evaluation data, as the model takes it.
    y : array-like of shape (n_samples,)
    sample_weight : array-like of shape (n_samples,), optional
    evaluation : logreg.metrics.Evaluation, optional
        Default: ``logreg.metrics.evaluate(model, X, y, sample_weight)``.
    summary : logreg.stats.LogisticSummary, optional
        The inference table; adds the coefficient table and plot.
    title, subtitle : str
    facts : dict, optional
        Extra "name: value" lines shown under the title (data file, rows...).
    tables : list of (title, header, rows), optional
        More tables, shown under the inference table (e.g. odds ratios).

    Returns
    -------
    Report
    """
    from .metrics import evaluate

    if evaluation is None:
        evaluation = evaluate(model, X, y, sample_weight=sample_weight)
    figures, skipped = _figures(model, X, y, sample_weight, summary)
    esc = html.escape
    ev = evaluation.to_dict()
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="sub">{esc(subtitle)}</p>' if subtitle else "",
    ]
    created = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()
    fitted = as_fitted(model)
    fact_rows = list((facts or {}).items()) + [
        ("classes", ", ".join(map(str, ev["classes"]))),
        ("solver", fitted.info.solver),
        ("iterations", fitted.info.n_iter),
        ("converged", fitted.info.converged),
        ("penalty, C", f"{fitted.penalty.kind}, {fitted.penalty.C:g}"),
        ("written by", f"logreg {__version__}, {created}"),
    ]
    parts.append(_table(["", ""], fact_rows))

    parts.append("<h2>Evaluation</h2>")
    scores = [
        (k, ev.get(k))
        for k in ("n_samples", "log_loss", "brier", "accuracy", "roc_auc", "pr_auc", "precision", "recall", "f1")
    ]
    parts.append(_table(["score", "value"], scores))
    if ev.get("pos_label") is not None:
        parts.append(
            f"<p>Positive class {esc(_fmt(ev['pos_label']))} (the class whose probability the model gives), "
            f"threshold {_fmt(ev['threshold'])}.</p>"
        )
    cm = ev.get("confusion_matrix")
    if cm:
        parts.append("<p>Confusion matrix (rows: true class, columns: predicted class)</p>")
        parts.append(
            _table(["true \\ predicted", *ev["classes"]], [[c, *row] for c, row in zip(ev["classes"], cm, strict=True)])
        )
    tt = ev.get("threshold_table")
    if tt:
        cols = [c for c in ("threshold", "precision", "recall", "f1", "predicted_positive_rate") if c in tt]
        parts.append("<p>By threshold</p>")
        parts.append(_table(cols, list(zip(*(tt[c] for c in cols), strict=True)), left=0))

    if figures:
        parts.append("<h2>Figures</h2><div class='figs'>")
        for name, (caption, png) in figures.items():
            data = base64.b64encode(png).decode("ascii")
            parts.append(
                f'<figure><img alt="{esc(caption)}" src="data:image/png;base64,{data}">'
                f"<figcaption>{esc(caption)} ({esc(name)})</figcaption></figure>"
            )
        parts.append("</div>")
    for name, reason in skipped.items():
        parts.append(f'<p class="note">{esc(name)}: {esc(reason)}</p>')

    if summary is not None:
        parts.append("<h2>Inference</h2>")
        parts.append(f"<pre>{esc(summary.as_text())}</pre>")
    for heading, header, rows in tables or ():
        parts.append(f"<h2>{esc(heading)}</h2>")
        parts.append(_table(header, rows))
    parts.append("</body></html>\n")
    return Report(
        html="\n".join(p for p in parts if p),
        images={name: png for name, (_, png) in figures.items()},
        skipped=skipped,
    )
