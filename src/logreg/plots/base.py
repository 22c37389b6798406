"""What the displays share: a new Axes when none is given, one-vs-rest scores, curves keyed by class."""

from __future__ import annotations

import numpy as np

__all__ = ["CurveDisplay", "display_name", "new_axes", "ovr_scores", "plain_label"]


def new_axes(ax):
    """``ax``, or the Axes of a new figure when None."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    return ax


def plain_label(c):
    """A class label as a plain Python value (no numpy scalar repr)."""
    return c.item() if isinstance(c, np.generic) else c


def ovr_scores(estimator, X, y, pos_label):
    """One-vs-rest targets and scores per class: {class: (y_bool, score)}."""
    classes = np.asarray(estimator.classes_)
    P = np.asarray(estimator.predict_proba(X))
    y = np.asarray(y)
    if pos_label is not None:
        if pos_label not in classes:
            raise ValueError(f"pos_label {pos_label!r} is not one of the classes {classes.tolist()}")
        k = int(np.flatnonzero(classes == pos_label)[0])
        return {plain_label(classes[k]): (y == classes[k], P[:, k])}
    if classes.size == 2:
        return {plain_label(classes[1]): (y == classes[1], P[:, 1])}
    return {plain_label(c): (y == c, P[:, k]) for k, c in enumerate(classes)}


def display_name(estimator, name):
    """The legend's name: ``name``, or the estimator's class name."""
    return name if name is not None else type(estimator).__name__


class CurveDisplay:
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
        parts = [p for p in [name, None if len(self.curves) == 1 else f"class {plain_label(label)}"] if p]
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
