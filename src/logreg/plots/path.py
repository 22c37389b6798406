"""Displays of the penalty's effect.

* :class:`RegularizationPathDisplay` - each coefficient against C
  (:func:`logreg.regularization_path`);
* :class:`CVCurveDisplay` - the mean cross-validated score against C, one
  curve per l1_ratio, with a band of one standard deviation over the folds
  and the chosen C marked (:class:`logreg.LogisticRegressionCV`).

Both are importable from :mod:`logreg.plots`.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .base import new_axes, plain_label

__all__ = ["RegularizationPathDisplay", "CVCurveDisplay"]


class RegularizationPathDisplay:
    """Coefficients against C on a log axis, one line per coefficient.

    Parameters
    ----------
    Cs : ndarray of shape (n_Cs,)
    coefs : ndarray of shape (n_Cs, n_rows, n_features)
        One row for two classes, one per class otherwise.
    feature_names : list of str, optional
        Default ``x0, x1, ...``.
    class_names : list, optional
        Names of the rows of ``coefs`` (the classes for more than two).

    Attributes
    ----------
    lines_ : dict
        ``lines_[feature]`` (one row) or ``lines_[(class, feature)]``: matplotlib Line2D.
    ax_, figure_ : the matplotlib Axes and Figure
    """

    def __init__(self, Cs, coefs, *, feature_names=None, class_names=None):
        order = np.argsort(Cs, kind="stable")  # lines drawn from left to right
        self.Cs = np.asarray(Cs, dtype=np.float64)[order]
        self.coefs = np.asarray(coefs, dtype=np.float64)[order]
        n_rows, n_features = self.coefs.shape[1:]
        self.feature_names = list(feature_names) if feature_names is not None else [f"x{j}" for j in range(n_features)]
        self.class_names = list(class_names) if class_names is not None else list(range(n_rows))

    @classmethod
    def from_path(cls, path, *, feature_names=None, ax=None, **kwargs):
        """From the result of :func:`logreg.regularization_path`.

        Parameters
        ----------
        path : logreg.RegularizationPath
        feature_names : list of str, optional
        ax : matplotlib Axes, optional
        **kwargs : passed to ``Axes.plot``

        Returns
        -------
        RegularizationPathDisplay
        """
        classes = [plain_label(c) for c in path.classes]
        rows = classes[1:] if path.coefs.shape[1] == 1 else classes
        disp = cls(path.Cs, path.coefs, feature_names=feature_names, class_names=rows)
        return disp.plot(ax=ax, **kwargs)

    def plot(self, ax=None, **kwargs):
        """Draw every coefficient against C (log scale), a line at zero.

        Returns
        -------
        self
        """
        ax = new_axes(ax)
        self.lines_ = {}
        one_row = self.coefs.shape[1] == 1
        for k, cls in enumerate(self.class_names):
            for j, feature in enumerate(self.feature_names):
                key = feature if one_row else (cls, feature)
                label = str(feature) if one_row else f"{cls}: {feature}"
                (self.lines_[key],) = ax.plot(self.Cs, self.coefs[:, k, j], **{"label": label, **kwargs})
        ax.axhline(0.0, color="k", lw=0.8, ls=":")
        ax.set_xscale("log")
        ax.set(xlabel="C (inverse penalty strength)", ylabel="Coefficient")
        if len(self.lines_) <= 20:  # beyond that a legend hides the plot
            ax.legend(fontsize="small")
        self.ax_, self.figure_ = ax, ax.figure
        return self


def _scores_by_ratio(model):
    """The fold scores of a fitted LogisticRegressionCV as (n_folds, n_l1_ratios, n_cs), either layout."""
    scores = model.scores_
    if isinstance(scores, dict):  # legacy: (n_folds, n_cs) or (n_folds, n_cs, n_l1_ratios), same for each class
        scores = np.asarray(next(iter(scores.values())), dtype=np.float64)
        return scores[:, None, :] if scores.ndim == 2 else scores.transpose(0, 2, 1)
    return np.asarray(scores, dtype=np.float64)


class CVCurveDisplay:
    """Mean cross-validated score against C, one curve per l1_ratio.

    Parameters
    ----------
    Cs : ndarray of shape (n_cs,)
    mean_scores, std_scores : ndarray of shape (n_l1_ratios, n_cs)
        Mean and standard deviation of the score over the folds.
    l1_ratios : list of shape (n_l1_ratios,)
        None for a grid of C alone.
    best_C : float, optional
        The chosen C, marked.
    scoring : str, optional
        The y-axis label.

    Attributes
    ----------
    lines_ : dict of l1_ratio -> matplotlib Line2D; ``line_`` the first
    bands_ : dict of l1_ratio -> the mean +- one standard deviation (PolyCollection)
    best_line_ : matplotlib Line2D at ``best_C`` (None without one)
    ax_, figure_
    """

    def __init__(self, Cs, mean_scores, std_scores, *, l1_ratios=(None,), best_C=None, scoring=None):
        self.Cs = np.asarray(Cs, dtype=np.float64)
        self.mean_scores = np.atleast_2d(np.asarray(mean_scores, dtype=np.float64))
        self.std_scores = np.atleast_2d(np.asarray(std_scores, dtype=np.float64))
        self.l1_ratios = [plain_label(r) for r in l1_ratios]
        self.best_C = best_C
        self.scoring = scoring

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, **kwargs):
        """From a fitted :class:`logreg.LogisticRegressionCV` (either attribute layout).

        Parameters
        ----------
        estimator : LogisticRegressionCV
        ax : matplotlib Axes, optional
        **kwargs : passed to ``Axes.plot``

        Returns
        -------
        CVCurveDisplay
        """
        check_is_fitted(estimator, "scores_")
        scores = _scores_by_ratio(estimator)
        best = float(np.ravel(estimator.C_)[0])
        scoring = estimator.scoring if isinstance(estimator.scoring, str) else None
        disp = cls(
            estimator.Cs_,
            scores.mean(axis=0),
            scores.std(axis=0),
            l1_ratios=list(np.ravel(estimator.l1_ratios_)),
            best_C=best,
            scoring=scoring or ("accuracy" if estimator.scoring is None else "score"),
        )
        return disp.plot(ax=ax, **kwargs)

    def plot(self, ax=None, **kwargs):
        """Draw the mean score against C (log scale), its band, and the chosen C.

        Returns
        -------
        self
        """
        ax = new_axes(ax)
        order = np.argsort(self.Cs, kind="stable")
        Cs = self.Cs[order]
        self.lines_, self.bands_ = {}, {}
        for r, mean, std in zip(self.l1_ratios, self.mean_scores, self.std_scores, strict=True):
            label = "mean over folds" if r is None else f"l1_ratio = {r:g}"
            (line,) = ax.plot(Cs, mean[order], **{"marker": "o", "ms": 3, "label": label, **kwargs})
            self.lines_[r] = line
            lo, hi = (mean - std)[order], (mean + std)[order]
            self.bands_[r] = ax.fill_between(Cs, lo, hi, color=line.get_color(), alpha=0.2, lw=0)
        self.line_ = next(iter(self.lines_.values()))
        self.best_line_ = None
        if self.best_C is not None:
            self.best_line_ = ax.axvline(self.best_C, color="k", ls="--", lw=0.8, label=f"chosen C = {self.best_C:.3g}")
        ax.set_xscale("log")
        ax.set(xlabel="C (inverse penalty strength)", ylabel=f"Cross-validated {self.scoring or 'score'}")
        ax.legend(fontsize="small")
        self.ax_, self.figure_ = ax, ax.figure
        return self
