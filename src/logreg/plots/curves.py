"""ROC and precision-recall curves, one per class (one-vs-rest) for more than two classes."""

from __future__ import annotations

import numpy as np
from sklearn import metrics as skm

from .base import CurveDisplay, display_name, new_axes, ovr_scores

__all__ = ["PrecisionRecallDisplay", "RocCurveDisplay"]


class RocCurveDisplay(CurveDisplay):
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
        for label, (yk, s) in ovr_scores(estimator, X, y, pos_label).items():
            fpr, tpr, _ = skm.roc_curve(yk, s, sample_weight=sample_weight)
            curves[label], scores[label] = (fpr, tpr), skm.auc(fpr, tpr)
        return cls(curves, scores, name=display_name(estimator, name)).plot(ax=ax, **kwargs)

    def plot(self, ax=None, *, name=None, plot_chance_level=True, **kwargs):
        """Draw the curve(s) on ``ax`` (a new figure when None).

        Returns
        -------
        self
        """
        ax = self._draw(new_axes(ax), name or self.name, kwargs, drawstyle="default")
        self.chance_level_ = ax.plot([0, 1], [0, 1], "k--", lw=0.8, label="chance")[0] if plot_chance_level else None
        ax.set(xlabel="False positive rate", ylabel="True positive rate", xlim=(-0.01, 1.01), ylim=(-0.01, 1.01))
        ax.legend(loc="lower right")
        return self


class PrecisionRecallDisplay(CurveDisplay):
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
        items = ovr_scores(estimator, X, y, pos_label)
        return cls._build(items, sample_weight, display_name(estimator, name)).plot(ax=ax, **kwargs)

    def plot(self, ax=None, *, name=None, plot_chance_level=False, **kwargs):
        """Draw the curve(s) as steps, as scikit-learn does.

        Returns
        -------
        self
        """
        ax = self._draw(new_axes(ax), name or self.name, kwargs, drawstyle="steps-post")
        self.chance_level_ = None
        if plot_chance_level and len(self.prevalence) == 1:
            p = next(iter(self.prevalence.values()))
            self.chance_level_ = ax.plot([0, 1], [p, p], "k--", lw=0.8, label=f"chance (AP = {p:.3f})")[0]
        ax.set(xlabel="Recall", ylabel="Precision", xlim=(-0.01, 1.01), ylim=(-0.01, 1.01))
        ax.legend(loc="lower left")
        return self
