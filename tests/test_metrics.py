"""logreg.metrics.evaluate against sklearn.metrics on the same probabilities."""

import json
import warnings

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.preprocessing import StandardScaler

from logreg import LogisticRegression
from logreg.metrics import calibration_bins, evaluate, threshold_table


@pytest.fixture(scope="module")
def binary():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    labels = np.array(["benign", "malignant"])[1 - y]  # string labels: classes_ = [benign, malignant]
    model = LogisticRegression(C=0.05).fit(X[:300], labels[:300])
    w = np.random.default_rng(0).integers(1, 4, len(y) - 300).astype(float)
    return model, X[300:], labels[300:], w


@pytest.fixture(scope="module")
def multi():
    X, y = load_iris(return_X_y=True)
    model = LogisticRegression(C=0.5).fit(X[::2], y[::2])
    w = np.random.default_rng(1).integers(1, 4, len(y[1::2])).astype(float)
    return model, X[1::2], y[1::2], w


@pytest.mark.parametrize("weighted", [False, True])
def test_binary_scores_equal_sklearn(binary, weighted):
    model, X, y, w = binary
    w = w if weighted else None
    ev = evaluate(model, X, y, sample_weight=w, threshold=0.3)
    p = model.predict_proba(X)[:, 1]
    pos = y == "malignant"
    pred = np.where(p >= 0.3, "malignant", "benign")
    assert ev.pos_label == "malignant" and ev.classes == ["benign", "malignant"]
    assert ev.log_loss == pytest.approx(skm.log_loss(y, model.predict_proba(X), sample_weight=w), rel=1e-12)
    assert ev.brier == pytest.approx(skm.brier_score_loss(pos, p, sample_weight=w), rel=1e-12)
    assert ev.accuracy == pytest.approx(skm.accuracy_score(y, pred, sample_weight=w), rel=1e-12)
    assert ev.roc_auc == pytest.approx(skm.roc_auc_score(pos, p, sample_weight=w), rel=1e-12)
    assert ev.pr_auc == pytest.approx(skm.average_precision_score(pos, p, sample_weight=w), rel=1e-12)
    np.testing.assert_allclose(
        ev.confusion_matrix, skm.confusion_matrix(y, pred, labels=["benign", "malignant"], sample_weight=w)
    )
    prf = skm.precision_recall_fscore_support(y, pred, pos_label="malignant", average="binary", sample_weight=w)
    assert (ev.precision, ev.recall, ev.f1) == pytest.approx(prf[:3], rel=1e-12)
    assert ev.weight_sum == (len(y) if w is None else w.sum())


def test_threshold_changes_the_confusion_matrix(binary):
    model, X, y, _ = binary
    a, b = evaluate(model, X, y, threshold=0.5), evaluate(model, X, y, threshold=0.9)
    assert a.confusion_matrix[:, 1].sum() > b.confusion_matrix[:, 1].sum()
    assert a.log_loss == b.log_loss


@pytest.mark.parametrize("weighted", [False, True])
def test_threshold_table_equals_sklearn_at_each_threshold(binary, weighted):
    model, X, y, w = binary
    w = w if weighted else None
    p = model.predict_proba(X)[:, 1]
    p[:5] = 0.25  # ties exactly at a threshold: counted as positive (score >= threshold)
    pos = (y == "malignant").astype(int)
    table = threshold_table(pos, p, sample_weight=w)
    assert len(table["threshold"]) == 19
    for i, t in enumerate(table["threshold"]):
        pred = (p >= t).astype(int)
        prf = skm.precision_recall_fscore_support(pos, pred, average="binary", sample_weight=w, zero_division=0.0)
        np.testing.assert_allclose([table["precision"][i], table["recall"][i], table["f1"][i]], prf[:3], rtol=1e-12)
        tn, fp, fn, tp = skm.confusion_matrix(pos, pred, labels=[0, 1], sample_weight=w).ravel()
        np.testing.assert_allclose([table["tn"][i], table["fp"][i], table["fn"][i], table["tp"][i]], [tn, fp, fn, tp])
    ev = evaluate(model, X, y, sample_weight=w)
    np.testing.assert_allclose(
        ev.threshold_table["f1"], threshold_table(pos, model.predict_proba(X)[:, 1], sample_weight=w)["f1"]
    )


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_calibration_equals_sklearn_calibration_curve(binary, strategy):
    model, X, y, _ = binary
    p = model.predict_proba(X)[:, 1]
    pos = (y == "malignant").astype(int)
    prob_true, prob_pred = calibration_curve(pos, p, n_bins=8, strategy=strategy)
    bins = calibration_bins(pos, p, n_bins=8, strategy=strategy)
    np.testing.assert_allclose(bins["fraction_positive"], prob_true, rtol=1e-12)
    np.testing.assert_allclose(bins["mean_predicted"], prob_pred, rtol=1e-12)
    assert bins["weight"].sum() == len(y)


def test_weighted_calibration_equals_repeated_rows(binary):
    model, X, y, w = binary
    ev = evaluate(model, X, y, sample_weight=w)
    rep = np.repeat(np.arange(len(y)), w.astype(int))
    prob_true, prob_pred = calibration_curve(y[rep] == "malignant", model.predict_proba(X[rep])[:, 1], n_bins=10)
    np.testing.assert_allclose(ev.calibration["fraction_positive"], prob_true, rtol=1e-12)
    np.testing.assert_allclose(ev.calibration["mean_predicted"], prob_pred, rtol=1e-12)
    # and every other score equals the repeated rows too
    ev_r = evaluate(model, X[rep], y[rep])
    for k in ["log_loss", "brier", "accuracy", "roc_auc", "pr_auc", "precision", "recall", "f1"]:
        assert getattr(ev, k) == pytest.approx(getattr(ev_r, k), rel=1e-10), k


@pytest.mark.parametrize("weighted", [False, True])
def test_multinomial_per_class_and_averages_equal_sklearn(multi, weighted):
    model, X, y, w = multi
    w = w if weighted else None
    ev = evaluate(model, X, y, sample_weight=w)
    P = model.predict_proba(X)
    pred = P.argmax(axis=1)
    assert ev.pos_label is None and ev.threshold_table is None
    assert ev.log_loss == pytest.approx(skm.log_loss(y, P, sample_weight=w), rel=1e-12)
    assert ev.brier == pytest.approx(skm.brier_score_loss(y, P, sample_weight=w), rel=1e-12)
    assert ev.accuracy == pytest.approx(skm.accuracy_score(y, pred, sample_weight=w), rel=1e-12)
    np.testing.assert_allclose(ev.confusion_matrix, skm.confusion_matrix(y, pred, sample_weight=w))
    p, r, f, s = skm.precision_recall_fscore_support(y, pred, sample_weight=w)
    np.testing.assert_allclose(ev.per_class["precision"], p)
    np.testing.assert_allclose(ev.per_class["recall"], r)
    np.testing.assert_allclose(ev.per_class["f1"], f)
    np.testing.assert_allclose(ev.per_class["support"], s)
    for k in range(3):
        np.testing.assert_allclose(ev.per_class["roc_auc"][k], skm.roc_auc_score(y == k, P[:, k], sample_weight=w))
        np.testing.assert_allclose(
            ev.per_class["pr_auc"][k], skm.average_precision_score(y == k, P[:, k], sample_weight=w)
        )
    for avg in ["macro", "weighted"]:
        p, r, f, _ = skm.precision_recall_fscore_support(y, pred, average=avg, sample_weight=w)
        assert [ev.__dict__[avg][k] for k in ["precision", "recall", "f1"]] == pytest.approx([p, r, f], rel=1e-12)
        auc = skm.roc_auc_score(y, P, multi_class="ovr", average=avg, sample_weight=w)
        assert ev.__dict__[avg]["roc_auc"] == pytest.approx(auc, rel=1e-12)
        ap = skm.average_precision_score(np.eye(3)[y], P, average=avg, sample_weight=w)
        assert ev.__dict__[avg]["pr_auc"] == pytest.approx(ap, rel=1e-12)
    assert ev.roc_auc == ev.macro["roc_auc"]
    assert set(ev.calibration) == {0, 1, 2}
    if weighted:  # unweighted, the classes are balanced; weighted, the averages must differ
        assert ev.weighted["f1"] != pytest.approx(ev.macro["f1"], rel=1e-9)


def test_to_dict_json_and_frames(binary, multi):
    model, X, y, w = binary
    ev = evaluate(model, X, y, sample_weight=w)
    d = json.loads(ev.to_json())
    assert d["roc_auc"] == pytest.approx(ev.roc_auc)
    assert d["confusion_matrix"] == ev.confusion_matrix.tolist()
    assert d["pos_label"] == "malignant"
    assert len(d["threshold_table"]["f1"]) == 19
    assert list(ev.to_frame("per_class").index) == ["benign", "malignant"]
    assert ev.to_frame("threshold_table").shape == (19, 9)
    assert "roc_auc" in str(ev) and "confusion" in str(ev)
    model, X, y, _ = multi
    ev = evaluate(model, X, y)
    d = json.loads(ev.to_json())
    assert set(d["calibration"]) == {"0", "1", "2"}
    assert ev.to_frame("calibration").index.names == ["class", "bin"]


def test_one_class_sample_gives_nan_auc_not_an_error(binary):
    model, X, y, _ = binary
    keep = y == "benign"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev = evaluate(model, X[keep], y[keep])
    assert np.isnan(ev.roc_auc) and np.isnan(ev.pr_auc)
    assert json.loads(ev.to_json())["roc_auc"] is None


def test_unknown_labels_are_refused(binary):
    model, X, y, _ = binary
    with pytest.raises(ValueError, match="not fitted on"):
        evaluate(model, X[:3], np.array(["benign", "x", "benign"]))
