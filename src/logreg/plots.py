"""Matplotlib displays in scikit-learn's style.

Every display is built by ``from_estimator(model, X, y, ...)`` or
``from_predictions(y_true, y_score, ...)`` (or, for the model-only plots,
``from_estimator(model)``) and drawn by ``plot(ax=None, ...)``, which returns
the display with ``ax_``, ``figure_`` and the drawn artists.  The numbers
come from ``sklearn.metrics`` and :mod:`logreg.metrics`; the displays only
draw them.

* :class:`RocCurveDisplay` - ROC curve(s) and AUC;
* :class:`PrecisionRecallDisplay` - precision-recall curve(s) and average precision;
* :class:`CalibrationDisplay` - reliability diagram (quantile bins, Wilson intervals, histogram);
* :class:`ObjectiveHistoryDisplay` - the objective J per solver iteration,
  the seeds' learning curve (``model.objective_history_``);
* :class:`CoefficientDisplay` - coefficients with confidence intervals from
  ``model.summary()``;
* :class:`RegularizationPathDisplay` and :class:`CVCurveDisplay` - the
  coefficients and the cross-validated score against C (:mod:`logreg.pathplots`).

For more than two classes the curve displays draw one curve per class
(one-vs-rest), or only ``pos_label``'s when it is given.
"""

from __future__ import annotations

import numpy as np
from sklearn import metrics as skm

from .metrics import calibration_bins

__all__ = [
    "RocCurveDisplay",
    "PrecisionRecallDisplay",
    "CalibrationDisplay",
    "ObjectiveHistoryDisplay",
    "CoefficientDisplay",
    "RegularizationPathDisplay",
    "CVCurveDisplay",
]


def _axes(ax):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    return ax


def _label(c):
    return c.item() if isinstance(c, np.generic) else c


def _ovr_scores(estimator, X, y, pos_label):
    """One-vs-rest targets and scores per class: {class: (y_bool, score)}."""
    classes = np.asarray(estimator.classes_)
    P = np.asarray(estimator.predict_proba(X))
    y = np.asarray(y)
    if pos_label is not None:
        if pos_label not in classes:
            raise ValueError(f"pos_label {pos_label!r} is not one of the classes {classes.tolist()}")
        k = int(np.flatnonzero(classes == pos_label)[0])
        return {_label(classes[k]): (y == classes[k], P[:, k])}
    if classes.size == 2:
        return {_label(classes[1]): (y == classes[1], P[:, 1])}
    return {_label(c): (y == c, P[:, k]) for k, c in enumerate(classes)}


def _name(estimator, name):
    return name if name is not None else type(estimator).__name__


class _CurveDisplay:
    """Curves keyed by class: ``curves[label] = (x, y)`` and ``scores[label]``."""

    _score_name = "score"

    def __init__(self, curves, scores, *, name=None):
        self.curves = dict(curves)
        self.scores = dict(scores)
        self.name = name

    def _one(self, i):
        if len(self.curves) != 1:
            raise AttributeError("several curves (one per class): use .curves[label]")
        return next(iter(self.curves.values()))[i]

    def _legend(self, label, name):
        parts = [p for p in [name, None if len(self.curves) == 1 else f"class {_label(label)}"] if p]
        score = self.scores.get(label)
        head = " ".join(str(p) for p in parts)
        return f"{head} ({self._score_name} = {score:.3f})" if score is not None else head

    def _draw(self, ax, name, kwargs, **defaults):
        self.lines_ = {}
        for label, (x, yv) in self.curves.items():
            kw = {**defaults, "label": self._legend(label, name), **kwargs}
            (self.lines_[label],) = ax.plot(x, yv, **kw)
        self.line_ = next(iter(self.lines_.values()))
        self.ax_, self.figure_ = ax, ax.figure
        return ax


class RocCurveDisplay(_CurveDisplay):
    """ROC curve: true-positive rate against false-positive rate.

    Parameters
    ----------
    curves : dict of label -> (fpr, tpr)
        ndarrays of shape (n_thresholds,) each.
    scores : dict of label -> float
        Area under each curve.
    name : str, optional

    Attributes
    ----------
    fpr, tpr, roc_auc : single-curve shortcuts
    line_ : matplotlib Line2D (the first curve); ``lines_`` all of them
    ax_, figure_ : the matplotlib Axes and Figure
    """

    _score_name = "AUC"

    fpr = property(lambda self: self._one(0))
    tpr = property(lambda self: self._one(1))
    roc_auc = property(lambda self: next(iter(self.scores.values())) if len(self.scores) == 1 else None)

    @classmethod
    def from_predictions(cls, y_true, y_score, *, sample_weight=None, pos_label=None, name=None, ax=None, **kwargs):
        """Curve of scores against binary targets.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
        y_score : array-like of shape (n_samples,)
            Probability (or any score) of ``pos_label``.
        sample_weight : array-like of shape (n_samples,), optional
        pos_label : label, optional
            The positive class (scikit-learn's default rules when None).
        name : str, optional
        ax : matplotlib Axes, optional
        **kwargs : passed to ``Axes.plot``

        Returns
        -------
        RocCurveDisplay
        """
        fpr, tpr, _ = skm.roc_curve(y_true, y_score, pos_label=pos_label, sample_weight=sample_weight)
        label = pos_label if pos_label is not None else 1
        disp = cls({label: (fpr, tpr)}, {label: skm.auc(fpr, tpr)}, name=name)
        return disp.plot(ax=ax, **kwargs)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, sample_weight=None, pos_label=None, name=None, ax=None, **kwargs):
        """Curve(s) of a fitted classifier on (X, y); one per class for K >= 3 unless ``pos_label``.

        Returns
        -------
        RocCurveDisplay
        """
        curves, scores = {}, {}
        for label, (yk, s) in _ovr_scores(estimator, X, y, pos_label).items():
            fpr, tpr, _ = skm.roc_curve(yk, s, sample_weight=sample_weight)
            curves[label], scores[label] = (fpr, tpr), skm.auc(fpr, tpr)
        return cls(curves, scores, name=_name(estimator, name)).plot(ax=ax, **kwargs)

    def plot(self, ax=None, *, name=None, plot_chance_level=True, **kwargs):
        """Draw the curve(s) on ``ax`` (a new figure when None).

        Returns
        -------
        self
        """
        ax = self._draw(_axes(ax), name or self.name, kwargs, drawstyle="default")
        self.chance_level_ = ax.plot([0, 1], [0, 1], "k--", lw=0.8, label="chance")[0] if plot_chance_level else None
        ax.set(xlabel="False positive rate", ylabel="True positive rate", xlim=(-0.01, 1.01), ylim=(-0.01, 1.01))
        ax.legend(loc="lower right")
        return self


class PrecisionRecallDisplay(_CurveDisplay):
    """Precision against recall, with average precision (AP).

    Parameters
    ----------
    curves : dict of label -> (recall, precision)
    scores : dict of label -> float
        Average precision.
    name : str, optional
    prevalence : dict of label -> float, optional
        Weighted share of the positive class (the chance level).
    """

    _score_name = "AP"

    recall = property(lambda self: self._one(0))
    precision = property(lambda self: self._one(1))
    average_precision = property(lambda self: next(iter(self.scores.values())) if len(self.scores) == 1 else None)

    def __init__(self, curves, scores, *, name=None, prevalence=None):
        super().__init__(curves, scores, name=name)
        self.prevalence = prevalence or {}

    @classmethod
    def _build(cls, items, sample_weight, name):
        curves, scores, prev = {}, {}, {}
        for label, (yk, s) in items.items():
            precision, recall, _ = skm.precision_recall_curve(yk, s, sample_weight=sample_weight)
            curves[label] = (recall, precision)
            scores[label] = skm.average_precision_score(yk, s, sample_weight=sample_weight)
            prev[label] = float(np.average(yk, weights=sample_weight))
        return cls(curves, scores, name=name, prevalence=prev)

    @classmethod
    def from_predictions(cls, y_true, y_score, *, sample_weight=None, pos_label=None, name=None, ax=None, **kwargs):
        """Curve of scores against targets (``pos_label`` is the positive class, default 1).

        Returns
        -------
        PrecisionRecallDisplay
        """
        y_true = np.asarray(y_true)
        label = pos_label if pos_label is not None else 1
        disp = cls._build({label: (y_true == label, np.asarray(y_score))}, sample_weight, name)
        return disp.plot(ax=ax, **kwargs)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, sample_weight=None, pos_label=None, name=None, ax=None, **kwargs):
        """Curve(s) of a fitted classifier on (X, y).

        Returns
        -------
        PrecisionRecallDisplay
        """
        items = _ovr_scores(estimator, X, y, pos_label)
        return cls._build(items, sample_weight, _name(estimator, name)).plot(ax=ax, **kwargs)

    def plot(self, ax=None, *, name=None, plot_chance_level=False, **kwargs):
        """Draw the curve(s) as steps, as scikit-learn does.

        Returns
        -------
        self
        """
        ax = self._draw(_axes(ax), name or self.name, kwargs, drawstyle="steps-post")
        self.chance_level_ = None
        if plot_chance_level and len(self.prevalence) == 1:
            p = next(iter(self.prevalence.values()))
            self.chance_level_ = ax.plot([0, 1], [p, p], "k--", lw=0.8, label=f"chance (AP = {p:.3f})")[0]
        ax.set(xlabel="Recall", ylabel="Precision", xlim=(-0.01, 1.01), ylim=(-0.01, 1.01))
        ax.legend(loc="lower left")
        return self


class CalibrationDisplay(_CurveDisplay):
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
        items = _ovr_scores(estimator, X, y, pos_label)
        return cls._build(items, sample_weight, n_bins, strategy, _name(estimator, name)).plot(ax=ax, **kwargs)

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
        ax = _axes(ax)
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


class ObjectiveHistoryDisplay:
    """The objective J after each solver iteration (the seeds' learning curve).

    Parameters
    ----------
    history : array-like of shape (n_iter + 1,)
        J at the start and after each iteration.
    name : str, optional

    Attributes
    ----------
    iterations, values : ndarray
        What is drawn (``values`` is J, or J - min J with ``gap=True``).
    line_, ax_, figure_
    """

    def __init__(self, history, *, name=None):
        self.history = np.asarray(history, dtype=np.float64)
        self.name = name

    @classmethod
    def from_estimator(cls, estimator, *, name=None, ax=None, gap=False, **kwargs):
        """The learning curve of a fitted model (``objective_history_``).

        Parameters
        ----------
        estimator : LogisticRegression
            Fitted.
        gap : bool, default=False
            Draw J - min J on a log axis (the distance to the optimum reached),
            which shows linear against quadratic convergence.

        Returns
        -------
        ObjectiveHistoryDisplay
        """
        if not hasattr(estimator, "objective_history_"):
            raise ValueError("the estimator has no objective_history_: fit a logreg.LogisticRegression first")
        solver = getattr(estimator, "solver_", None)
        name = name if name is not None else (f"solver {solver!r}" if solver else type(estimator).__name__)
        return cls(estimator.objective_history_, name=name).plot(ax=ax, gap=gap, **kwargs)

    @classmethod
    def from_history(cls, history, *, name=None, ax=None, gap=False, **kwargs):
        """The curve of a sequence of objective values.

        Returns
        -------
        ObjectiveHistoryDisplay
        """
        return cls(history, name=name).plot(ax=ax, gap=gap, **kwargs)

    def plot(self, ax=None, *, gap=False, **kwargs):
        """Draw J (or J - min J on a log scale) against the iteration.

        Returns
        -------
        self
        """
        ax = _axes(ax)
        self.iterations = np.arange(self.history.size)
        if gap:
            values = self.history - self.history.min()
            keep = values > 0  # the last point (the minimum) has no place on a log axis
            self.iterations, self.values = self.iterations[keep], values[keep]
        else:
            self.values = self.history
        (self.line_,) = ax.plot(self.iterations, self.values, **{"marker": "o", "ms": 3, "label": self.name, **kwargs})
        if gap:
            ax.set_yscale("log")
        ax.set(xlabel="Iteration", ylabel="J - min J" if gap else "Objective J")
        if self.name:
            ax.legend()
        self.ax_, self.figure_ = ax, ax.figure
        return self


class CoefficientDisplay:
    """Coefficients with confidence intervals, one row per term.

    Parameters
    ----------
    terms : list of str
    coef, ci_lower, ci_upper : ndarray of shape (n_terms,)
    alpha : float
        The intervals are at level 1 - alpha.
    approximate : bool
        True for penalised fits (their intervals are not valid inference).

    Attributes
    ----------
    errorbar_ : matplotlib ErrorbarContainer
    ax_, figure_
    """

    def __init__(self, terms, coef, ci_lower, ci_upper, *, alpha=0.05, approximate=False):
        self.terms = list(terms)
        self.coef = np.asarray(coef, dtype=np.float64)
        self.ci_lower = np.asarray(ci_lower, dtype=np.float64)
        self.ci_upper = np.asarray(ci_upper, dtype=np.float64)
        self.alpha = alpha
        self.approximate = approximate

    @classmethod
    def from_summary(cls, summary, *, include_intercept=False, ax=None, **kwargs):
        """From a :class:`logreg.stats.LogisticSummary`.

        Returns
        -------
        CoefficientDisplay
        """
        keep = [i for i, t in enumerate(summary._labels()) if include_intercept or t != "const"]
        disp = cls(
            [summary.terms[i] for i in keep],
            summary.params[keep],
            summary.ci_lower[keep],
            summary.ci_upper[keep],
            alpha=summary.alpha,
            approximate=not summary.valid_inference,
        )
        return disp.plot(ax=ax, **kwargs)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X=None,
        y=None,
        *,
        sample_weight=None,
        cov_type="nonrobust",
        groups=None,
        alpha=0.05,
        include_intercept=False,
        ax=None,
        **kwargs,
    ):
        """From ``estimator.summary(X, y, ...)`` (X and y as that method needs them).

        Returns
        -------
        CoefficientDisplay
        """
        summary = estimator.summary(X, y, sample_weight=sample_weight, cov_type=cov_type, groups=groups, alpha=alpha)
        return cls.from_summary(summary, include_intercept=include_intercept, ax=ax, **kwargs)

    def plot(self, ax=None, **kwargs):
        """Horizontal error bars (interval) around a marker (estimate), a line at zero.

        Returns
        -------
        self
        """
        ax = _axes(ax)
        pos = np.arange(len(self.terms))[::-1]  # first term on top
        xerr = np.vstack([self.coef - self.ci_lower, self.ci_upper - self.coef])
        self.errorbar_ = ax.errorbar(self.coef, pos, xerr=xerr, **{"fmt": "o", "capsize": 3, **kwargs})
        ax.axvline(0.0, color="k", lw=0.8, ls=":")
        ax.set_yticks(pos, self.terms)
        level = f"{100 * (1 - self.alpha):g}% CI"
        ax.set_xlabel(f"Coefficient ({level}{', approximate: penalised fit' if self.approximate else ''})")
        self.ax_, self.figure_ = ax, ax.figure
        return self


from .pathplots import CVCurveDisplay, RegularizationPathDisplay  # noqa: E402  (re-exported; it imports _axes lazily)
