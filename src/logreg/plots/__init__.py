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
  coefficients and the cross-validated score against C (:mod:`logreg.plots.path`).

For more than two classes the curve displays draw one curve per class
(one-vs-rest), or only ``pos_label``'s when it is given.
"""

from __future__ import annotations

from .calibration import CalibrationDisplay
from .curves import PrecisionRecallDisplay, RocCurveDisplay
from .model import CoefficientDisplay, ObjectiveHistoryDisplay
from .path import CVCurveDisplay, RegularizationPathDisplay

__all__ = [
    "RocCurveDisplay",
    "PrecisionRecallDisplay",
    "CalibrationDisplay",
    "ObjectiveHistoryDisplay",
    "CoefficientDisplay",
    "RegularizationPathDisplay",
    "CVCurveDisplay",
]
