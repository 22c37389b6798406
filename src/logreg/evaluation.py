"""The record :func:`logreg.metrics.evaluate` returns: the scores of a fitted classifier,
with its JSON form, its tables as DataFrames and its text report."""

from __future__ import annotations

import json

from ._json import jsonable
from ._table import text_table

__all__ = ["Evaluation"]


class Evaluation:
    """Scores of a model on one data set; built by :func:`evaluate`.

    Attributes
    ----------
    n_samples : int
    weight_sum : float
    classes : list
    threshold : float
        Binary only: the probability at which a row is predicted positive.
    pos_label : object or None
        Binary: ``classes[1]``; None for multinomial models.
    log_loss, brier, accuracy : float
        Brier is scikit-learn's: on [0, 1] for two classes, [0, 2] for more.
    roc_auc, pr_auc : float
        Binary: of the positive class (pr_auc is average precision).
        Multinomial: the macro average over classes one-vs-rest.
    precision, recall, f1 : float
        Binary: of the positive class at ``threshold``; multinomial: macro.
    confusion_matrix : ndarray of shape (n_classes, n_classes)
        Rows are true classes, columns predicted ones, in ``classes`` order
        (weighted counts).
    per_class : dict of str -> ndarray of shape (n_classes,)
        ``precision, recall, f1, support, roc_auc, pr_auc`` one-vs-rest.
    macro, weighted : dict of str -> float
        Averages of ``per_class`` (unweighted; weighted by support).
    threshold_table : dict of str -> ndarray or None
        Binary only, see :func:`threshold_table`.
    calibration : dict
        Binary: :func:`calibration_bins` of the positive class; multinomial:
        class -> bins, one-vs-rest.
    """

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def to_dict(self):
        """Everything as plain Python values (NaN becomes None).

        Returns
        -------
        dict
        """
        keys = [
            "n_samples",
            "weight_sum",
            "classes",
            "pos_label",
            "threshold",
            "log_loss",
            "brier",
            "accuracy",
            "roc_auc",
            "pr_auc",
            "precision",
            "recall",
            "f1",
            "confusion_matrix",
            "per_class",
            "macro",
            "weighted",
            "threshold_table",
            "calibration",
        ]
        return jsonable({k: getattr(self, k) for k in keys})

    def to_json(self, **kwargs):
        """:meth:`to_dict` as JSON (``kwargs`` go to ``json.dumps``)."""
        return json.dumps(self.to_dict(), allow_nan=False, **kwargs)

    def to_frame(self, which="per_class"):
        """A table as a pandas DataFrame.

        Parameters
        ----------
        which : {'per_class', 'threshold_table', 'calibration'}

        Returns
        -------
        pandas.DataFrame
        """
        import pandas as pd

        if which == "per_class":
            return pd.DataFrame(self.per_class, index=pd.Index(self.classes, name="class"))
        if which == "threshold_table":
            if self.threshold_table is None:
                raise ValueError("the threshold table is for binary models")
            return pd.DataFrame(self.threshold_table)
        if which == "calibration":
            if self.pos_label is not None:
                return pd.DataFrame(self.calibration)
            return pd.concat({c: pd.DataFrame(b) for c, b in self.calibration.items()}, names=["class", "bin"])
        raise ValueError(f"which must be 'per_class', 'threshold_table' or 'calibration', got {which!r}")

    def __repr__(self):
        return f"<Evaluation: n={self.n_samples}, log_loss={self.log_loss:.4g}, accuracy={self.accuracy:.4g}, roc_auc={self.roc_auc:.4g}>"

    def __str__(self):
        lines = [f"Evaluation on {self.n_samples} rows (weight {self.weight_sum:g})"]
        for k in ["log_loss", "brier", "accuracy", "roc_auc", "pr_auc", "precision", "recall", "f1"]:
            lines.append(f"  {k:<10} {getattr(self, k):.6g}")
        if self.pos_label is not None:
            lines.append(f"  positive class {self.pos_label}, threshold {self.threshold:g}")
        lines.append("  confusion matrix:")
        rows = [
            [f"true {c}", *(f"{v:.6g}" for v in row)]
            for c, row in zip(self.classes, self.confusion_matrix, strict=True)
        ]
        table = text_table(["", *(f"predicted {c}" for c in self.classes)], rows, left=1, min_width=8)
        lines += ["    " + line for line in table]
        return "\n".join(lines)
