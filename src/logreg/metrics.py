"""Evaluation summary of a fitted classifier: ``evaluate(model, X, y)``.

The scores are scikit-learn's (``sklearn.metrics``) on the model's
probabilities, with the same sample weights, so they equal what a user would
compute by hand; what this module adds is choosing the right arguments
(labels, positive class, threshold), the threshold table and weighted
calibration bins (``sklearn.calibration.calibration_curve`` takes no
weights), and one object with a JSON form.

Binary models report the positive class ``classes_[1]``; a row is predicted
positive when its probability is at least ``threshold`` (as
``precision_recall_curve`` counts).  Multinomial models report every class
one-vs-rest, with macro and weighted averages.
"""

from __future__ import annotations

import numpy as np
from sklearn import metrics as skm
from sklearn.preprocessing import label_binarize
from sklearn.utils.validation import check_is_fitted

from ._validation import check_sample_weight
from .evaluation import Evaluation

__all__ = ["Evaluation", "evaluate", "threshold_table", "calibration_bins", "wilson_interval"]

#: Thresholds of the default threshold table.
DEFAULT_THRESHOLDS = np.round(np.arange(0.05, 1.0, 0.05), 2)


def _safe_div(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    out = np.zeros(np.broadcast(a, b).shape)
    np.divide(a, b, out=out, where=b > 0)
    return out


def threshold_table(y_true, y_score, thresholds=DEFAULT_THRESHOLDS, sample_weight=None):
    """Confusion counts, precision, recall and F1 at each threshold.

    One sort of the scores serves every threshold; a row is predicted
    positive when ``y_score >= threshold``.  Undefined ratios (no predicted or
    no true positives) are 0, as scikit-learn's ``zero_division=0``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        1 for the positive class, 0 otherwise.
    y_score : array-like of shape (n_samples,)
        Probability of the positive class.
    thresholds : array-like of shape (n_thresholds,)
    sample_weight : array-like of shape (n_samples,), optional

    Returns
    -------
    dict of str -> ndarray of shape (n_thresholds,)
        ``threshold, tp, fp, fn, tn, precision, recall, f1,
        predicted_positive_rate`` (counts are sums of weights).
    """
    y_true = np.asarray(y_true).astype(bool)
    y_score = np.asarray(y_score, dtype=np.float64)
    w = np.ones(y_true.shape[0]) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    t = np.asarray(thresholds, dtype=np.float64)
    order = np.argsort(y_score, kind="mergesort")
    s_sorted = y_score[order]
    cum_pos = np.concatenate([[0.0], np.cumsum(w[order] * y_true[order])])
    cum_neg = np.concatenate([[0.0], np.cumsum(w[order] * ~y_true[order])])
    below = np.searchsorted(s_sorted, t, side="left")  # rows with score < t
    P, N = cum_pos[-1], cum_neg[-1]
    fn, tn = cum_pos[below], cum_neg[below]
    tp, fp = P - fn, N - tn
    precision = _safe_div(tp, tp + fp)
    recall = _safe_div(tp, P)
    f1 = _safe_div(2 * tp, 2 * tp + fp + fn)
    return {
        "threshold": t,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "predicted_positive_rate": _safe_div(tp + fp, P + N),
    }


def wilson_interval(successes, n, alpha=0.05):
    """Wilson's score interval for a binomial proportion (Wilson 1927).

    The interval of p where |p̂ - p| <= z sqrt(p (1 - p) / n), z = Φ^-1(1 - alpha/2);
    unlike p̂ ± z se it stays inside [0, 1] and is not empty at p̂ = 0 or 1
    (statsmodels' ``proportion_confint(method='wilson')``).

    Parameters
    ----------
    successes, n : array-like of shape (m,)
        Counts (weighted counts are read as frequencies); n > 0.
    alpha : float, default=0.05

    Returns
    -------
    lower, upper : ndarray of shape (m,)
    """
    from scipy import stats as sps

    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    z = sps.norm.ppf(1.0 - alpha / 2.0)
    p = k / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2.0 * n)) / denom
    half = z * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denom
    # exact ends at p̂ = 0 and 1 (the formula gives them up to rounding)
    lower = np.where(k <= 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    upper = np.where(k >= n, 1.0, np.clip(centre + half, 0.0, 1.0))
    return lower, upper


def calibration_bins(y_true, y_prob, n_bins=10, strategy="uniform", sample_weight=None, alpha=0.05):
    """Reliability diagram data: observed frequency against mean prediction, per bin.

    Unweighted, the non-empty bins equal ``sklearn.calibration.calibration_curve``;
    with weights every quantity is a weighted mean (integer weights equal
    repeated rows for ``strategy='uniform'``).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        1 for the positive class, 0 otherwise.
    y_prob : array-like of shape (n_samples,)
    n_bins : int, default=10
    strategy : {'uniform', 'quantile'}, default='uniform'
        Equal-width bins on [0, 1], or bins with equal numbers of rows
        (weighted quantiles with weights).
    sample_weight : array-like of shape (n_samples,), optional
    alpha : float, default=0.05
        The Wilson intervals of the observed frequencies are at level 1 - alpha.

    Returns
    -------
    dict of str -> ndarray of shape (n_nonempty_bins,)
        ``bin_lower, bin_upper, mean_predicted, fraction_positive, weight``,
        ``count`` (rows in the bin) and ``ci_lower, ci_upper``: the Wilson
        interval of ``fraction_positive`` with the bin's weight as n
        (frequency weights; without weights, its number of rows).
    """
    y_true = np.asarray(y_true).astype(np.float64)
    y_prob = np.asarray(y_prob, dtype=np.float64)
    w = np.ones(y_true.shape[0]) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    elif strategy == "quantile":
        q = np.linspace(0.0, 1.0, n_bins + 1)
        if sample_weight is None:
            edges = np.percentile(y_prob, q * 100)
        else:
            order = np.argsort(y_prob)
            cw = np.cumsum(w[order])
            cw /= cw[-1]
            edges = y_prob[order][np.clip(np.searchsorted(cw, q, side="left"), 0, len(order) - 1)]
            edges[0], edges[-1] = y_prob.min(), y_prob.max()
    else:
        raise ValueError(f"strategy must be 'uniform' or 'quantile', got {strategy!r}")
    # the same bin assignment as calibration_curve: inner edges, left side
    ids = np.searchsorted(edges[1:-1], y_prob)
    total = np.bincount(ids, weights=w, minlength=len(edges) - 1)
    sums = np.bincount(ids, weights=w * y_prob, minlength=len(edges) - 1)
    trues = np.bincount(ids, weights=w * y_true, minlength=len(edges) - 1)
    count = np.bincount(ids, minlength=len(edges) - 1)
    nz = total > 0
    lower, upper = wilson_interval(trues[nz], total[nz], alpha)
    return {
        "bin_lower": edges[:-1][nz],
        "bin_upper": edges[1:][nz],
        "mean_predicted": sums[nz] / total[nz],
        "fraction_positive": trues[nz] / total[nz],
        "weight": total[nz],
        "count": count[nz],
        "ci_lower": lower,
        "ci_upper": upper,
    }


def _one_class_score(fn, y, s, w):
    """A ranking score that is undefined (NaN) when y has one class."""
    if np.unique(y).size < 2:
        return float("nan")
    return float(fn(y, s, sample_weight=w))


def evaluate(
    model,
    X,
    y,
    sample_weight=None,
    threshold=0.5,
    *,
    thresholds=DEFAULT_THRESHOLDS,
    n_bins=10,
    strategy="uniform",
    offset=None,
):
    """Scores of a fitted classifier on (X, y).

    Parameters
    ----------
    model : classifier with ``predict_proba`` and ``classes_``
        Usually a fitted :class:`logreg.LogisticRegression`.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Labels from ``model.classes_``.
    sample_weight : array-like of shape (n_samples,), optional
    threshold : float, default=0.5
        Binary: predict the positive class when its probability is at least
        this (accuracy, precision, recall, F1, confusion matrix).
    thresholds : array-like, default=0.05, 0.10, ..., 0.95
        Rows of the binary threshold table.
    n_bins : int, default=10
        Calibration bins.
    strategy : {'uniform', 'quantile'}, default='uniform'
        Calibration binning.
    offset : array-like of shape (n_samples,) or (n_samples, n_classes), optional
        The rows' offsets, for a model fitted with one (passed to ``predict_proba``).

    Returns
    -------
    Evaluation
    """
    check_is_fitted(model)
    classes = np.asarray(model.classes_)
    y = np.asarray(y)
    if y.ndim != 1:
        y = y.ravel()
    unknown = ~np.isin(y, classes)
    if np.any(unknown):
        raise ValueError(f"y has labels the model was not fitted on: {np.unique(y[unknown])[:5].tolist()}")
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be in [0, 1], got {threshold!r}")
    P = np.asarray(
        model.predict_proba(X) if offset is None else model.predict_proba(X, offset=offset), dtype=np.float64
    )
    w = None
    if sample_weight is not None:
        w = check_sample_weight(sample_weight, P, dtype=np.float64, ensure_non_negative=True)
        if not np.all(np.isfinite(w)):
            raise ValueError("sample_weight contains NaN or infinity; pass finite weights >= 0")
        if not w.sum() > 0:
            raise ValueError("sample weights sum to zero; at least one row needs a positive weight")
    n = y.shape[0]
    K = classes.size
    Y = label_binarize(y, classes=classes)
    if K == 2:
        Y = np.column_stack([1 - Y[:, 0], Y[:, 0]])

    if K == 2:
        p1 = P[:, 1]
        pred = np.where(p1 >= threshold, classes[1], classes[0])
    else:
        pred = classes[P.argmax(axis=1)]
    prec, rec, f1, support = skm.precision_recall_fscore_support(
        y, pred, labels=classes, sample_weight=w, zero_division=0.0
    )
    per_class = {
        "precision": prec,
        "recall": rec,
        "f1": f1,
        "support": np.asarray(support, dtype=np.float64),
        "roc_auc": np.array([_one_class_score(skm.roc_auc_score, Y[:, k], P[:, k], w) for k in range(K)]),
        "pr_auc": np.array([_one_class_score(skm.average_precision_score, Y[:, k], P[:, k], w) for k in range(K)]),
    }
    averages = {}
    for avg in ["macro", "weighted"]:
        p_, r_, f_, _ = skm.precision_recall_fscore_support(
            y, pred, labels=classes, sample_weight=w, zero_division=0.0, average=avg
        )
        averages[avg] = {"precision": float(p_), "recall": float(r_), "f1": float(f_)}
        if np.all(Y.sum(axis=0) > 0) and np.all(Y.sum(axis=0) < n):
            if K == 2:
                averages[avg]["roc_auc"] = float(np.average(per_class["roc_auc"], weights=_avg_w(avg, Y, w)))
            else:
                averages[avg]["roc_auc"] = float(
                    skm.roc_auc_score(y, P, multi_class="ovr", average=avg, labels=classes, sample_weight=w)
                )
            averages[avg]["pr_auc"] = float(skm.average_precision_score(Y, P, average=avg, sample_weight=w))
        else:
            averages[avg]["roc_auc"] = averages[avg]["pr_auc"] = float("nan")

    common = {
        "n_samples": int(n),
        "weight_sum": float(n if w is None else w.sum()),
        "classes": [c.item() if isinstance(c, np.generic) else c for c in classes],
        "log_loss": float(skm.log_loss(y, P, labels=classes, sample_weight=w)),
        "brier": float(
            skm.brier_score_loss(y, P[:, 1], pos_label=classes[1], sample_weight=w)
            if K == 2
            else skm.brier_score_loss(y, P, labels=classes, sample_weight=w)
        ),
        "accuracy": float(skm.accuracy_score(y, pred, sample_weight=w)),
        "confusion_matrix": skm.confusion_matrix(y, pred, labels=classes, sample_weight=w),
        "per_class": per_class,
        "macro": averages["macro"],
        "weighted": averages["weighted"],
    }
    if K == 2:
        return Evaluation(
            **common,
            pos_label=common["classes"][1],
            threshold=float(threshold),
            roc_auc=float(per_class["roc_auc"][1]),
            pr_auc=float(per_class["pr_auc"][1]),
            precision=float(prec[1]),
            recall=float(rec[1]),
            f1=float(f1[1]),
            threshold_table=threshold_table(Y[:, 1], p1, thresholds, w),
            calibration=calibration_bins(Y[:, 1], p1, n_bins, strategy, w),
        )
    return Evaluation(
        **common,
        pos_label=None,
        threshold=None,
        roc_auc=averages["macro"]["roc_auc"],
        pr_auc=averages["macro"]["pr_auc"],
        precision=averages["macro"]["precision"],
        recall=averages["macro"]["recall"],
        f1=averages["macro"]["f1"],
        threshold_table=None,
        calibration={common["classes"][k]: calibration_bins(Y[:, k], P[:, k], n_bins, strategy, w) for k in range(K)},
    )


def _avg_w(avg, Y, w):
    if avg == "macro":
        return None
    return (Y * (1.0 if w is None else w[:, None])).sum(axis=0)
