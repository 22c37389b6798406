"""Displays of one fitted model: its objective per iteration, its coefficients with intervals."""

from __future__ import annotations

import numpy as np

from .base import new_axes

__all__ = ["CoefficientDisplay", "ObjectiveHistoryDisplay"]


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
        ax = new_axes(ax)
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
        ax = new_axes(ax)
        pos = np.arange(len(self.terms))[::-1]  # first term on top
        xerr = np.vstack([self.coef - self.ci_lower, self.ci_upper - self.coef])
        self.errorbar_ = ax.errorbar(self.coef, pos, xerr=xerr, **{"fmt": "o", "capsize": 3, **kwargs})
        ax.axvline(0.0, color="k", lw=0.8, ls=":")
        ax.set_yticks(pos, self.terms)
        level = f"{100 * (1 - self.alpha):g}% CI"
        ax.set_xlabel(f"Coefficient ({level}{', approximate: penalised fit' if self.approximate else ''})")
        self.ax_, self.figure_ = ax, ax.figure
        return self
