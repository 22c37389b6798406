"""The reliability diagram: quantile bins, Wilson intervals, a histogram of the predicted probabilities."""

from __future__ import annotations

import numpy as np

from ..metrics import calibration_bins
from .base import CurveDisplay, display_name, new_axes, ovr_scores

__all__ = ["CalibrationDisplay"]


class CalibrationDisplay(CurveDisplay):
    """Reliability diagram: observed frequency of the class against mean predicted probability.

    By default the bins are quantiles of the predicted probabilities (about
    the same number of rows in each, so no bin rests on a handful of rows);
    each bin's observed frequency carries its Wilson interval, and a
    histogram of the predicted probabilities sits under the curve.

    Parameters
    ----------
    curves : dict of label -> (mean_predicted, fraction_positive)
        Non-empty bins only (see :func:`logreg.metrics.calibration_bins`).
    scores : dict of label -> float
        Brier score of each class (one-vs-rest).
    name : str, optional
    bins : dict of label -> dict, optional
        The full :func:`~logreg.metrics.calibration_bins` of each class
        (edges, counts, Wilson intervals).
    y_prob : dict of label -> (ndarray, ndarray or None), optional
        The predicted probabilities and their weights, for the histogram.

    Attributes
    ----------
    bands_ : dict of label -> ErrorbarContainer
        The Wilson intervals drawn (``ci_lower`` / ``ci_upper`` of ``bins``).
    hist_ : dict of label -> (counts, edges)
        The histogram drawn under the curve (weighted counts, 20 bins on [0, 1]).
    hist_ax_ : matplotlib Axes or None
        The twin axis of the histogram.
    """

    _score_name = "Brier"

    prob_pred = property(lambda self: self._one(0))
    prob_true = property(lambda self: self._one(1))

    def __init__(self, curves, scores, *, name=None, bins=None, y_prob=None):
        super().__init__(curves, scores, name=name)
        self.bins = dict(bins or {})
        self.y_prob = dict(y_prob or {})

    @classmethod
    def _build(cls, items, sample_weight, n_bins, strategy, name):
        curves, scores, bins, probs = {}, {}, {}, {}
        for label, (yk, s) in items.items():
            b = calibration_bins(yk, s, n_bins=n_bins, strategy=strategy, sample_weight=sample_weight)
            curves[label] = (b["mean_predicted"], b["fraction_positive"])
            scores[label] = float(np.average((s - yk) ** 2, weights=sample_weight))
            bins[label] = b
            probs[label] = (np.asarray(s, dtype=np.float64), sample_weight)
        return cls(curves, scores, name=name, bins=bins, y_prob=probs)

    @classmethod
    def from_predictions(
        cls,
        y_true,
        y_prob,
        *,
        n_bins=10,
        strategy="quantile",
        sample_weight=None,
        pos_label=None,
        name=None,
        ax=None,
        **kwargs,
    ):
        """Bins of probabilities of ``pos_label`` (default 1) against targets.

        Parameters
        ----------
        n_bins : int, default=10
        strategy : {'quantile', 'uniform'}, default='quantile'
            Bins with equal numbers of rows, or of equal width on [0, 1].

        Returns
        -------
        CalibrationDisplay
        """
        y_true = np.asarray(y_true)
        label = pos_label if pos_label is not None else 1
        items = {label: (y_true == label, np.asarray(y_prob, dtype=np.float64))}
        return cls._build(items, sample_weight, n_bins, strategy, name).plot(ax=ax, **kwargs)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        n_bins=10,
        strategy="quantile",
        sample_weight=None,
        pos_label=None,
        name=None,
        ax=None,
        **kwargs,
    ):
        """Reliability diagram of a fitted classifier on (X, y) (bins as in :meth:`from_predictions`).

        Returns
        -------
        CalibrationDisplay
        """
        items = ovr_scores(estimator, X, y, pos_label)
        return cls._build(items, sample_weight, n_bins, strategy, display_name(estimator, name)).plot(ax=ax, **kwargs)

    def plot(self, ax=None, *, name=None, ref_line=True, band=True, histogram=True, **kwargs):
        """Draw bins as markers joined by lines over the diagonal of perfect calibration.

        Parameters
        ----------
        band : bool, default=True
            Each bin's 95% Wilson interval as an error bar.
        histogram : bool, default=True
            The predicted probabilities' histogram on a twin axis, in the lower quarter.

        Returns
        -------
        self
        """
        ax = new_axes(ax)
        self.ref_line_ = ax.plot([0, 1], [0, 1], "k:", lw=0.8, label="perfectly calibrated")[0] if ref_line else None
        self._draw(ax, name or self.name, kwargs, marker="s", ms=4)
        self.bands_ = {}
        if band:
            for label, b in self.bins.items():
                x, yv = b["mean_predicted"], b["fraction_positive"]
                # the interval contains the observed rate; clip rounding below zero
                yerr = np.clip(np.vstack([yv - b["ci_lower"], b["ci_upper"] - yv]), 0.0, None)
                color = self.lines_[label].get_color()
                self.bands_[label] = ax.errorbar(x, yv, yerr=yerr, fmt="none", ecolor=color, elinewidth=1, capsize=2)
        self.hist_, self.hist_ax_ = {}, None
        if histogram and self.y_prob:
            hax = ax.twinx()
            top = 0.0
            for label, (prob, weight) in self.y_prob.items():
                counts, edges, _ = hax.hist(
                    prob,
                    bins=20,
                    range=(0.0, 1.0),
                    weights=weight,
                    histtype="stepfilled" if len(self.y_prob) == 1 else "step",
                    alpha=0.25 if len(self.y_prob) == 1 else 0.8,
                    color=self.lines_[label].get_color(),
                )
                self.hist_[label] = (counts, edges)
                top = max(top, float(np.max(counts)))
            hax.set_ylim(0.0, 4.0 * top if top > 0 else 1.0)  # the bars fill the lower quarter
            hax.set_ylabel("Rows (histogram of predicted probabilities)")
            self.hist_ax_ = hax
        n_bins = max((len(b["count"]) for b in self.bins.values()), default=0)
        what = f"{n_bins} bins" if self.bins else "bins"
        ax.set(
            xlabel=f"Mean predicted probability ({what}; bars: 95% Wilson intervals)",
            ylabel="Observed fraction of positives",
            xlim=(-0.01, 1.01),
            ylim=(-0.01, 1.01),
        )
        ax.legend(loc="upper left")
        return self
