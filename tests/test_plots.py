"""Displays (logreg.plots), rendered headless: the plotted data, not pixels."""

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn import metrics as skm  # noqa: E402
from sklearn.calibration import calibration_curve  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_iris  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from logreg import LogisticRegression  # noqa: E402
from logreg.exceptions import PenalizedInferenceWarning  # noqa: E402
from logreg.plots import (  # noqa: E402
    CalibrationDisplay,
    CoefficientDisplay,
    ObjectiveHistoryDisplay,
    PrecisionRecallDisplay,
    RocCurveDisplay,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def binary():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)[:, :6]
    model = LogisticRegression(C=0.1).fit(X[::2], y[::2])
    w = np.random.default_rng(0).integers(1, 4, len(y[1::2])).astype(float)
    return model, X[1::2], y[1::2], w


@pytest.mark.parametrize("weighted", [False, True])
def test_roc_from_estimator_draws_sklearn_curve(binary, weighted):
    model, X, y, w = binary
    w = w if weighted else None
    fig, ax = plt.subplots()
    disp = RocCurveDisplay.from_estimator(model, X, y, sample_weight=w, ax=ax)
    fpr, tpr, _ = skm.roc_curve(y, model.predict_proba(X)[:, 1], sample_weight=w)
    assert disp.ax_ is ax and disp.figure_ is fig
    np.testing.assert_allclose(disp.line_.get_xdata(), fpr)
    np.testing.assert_allclose(disp.line_.get_ydata(), tpr)
    assert disp.roc_auc == pytest.approx(skm.roc_auc_score(y, model.predict_proba(X)[:, 1], sample_weight=w))
    assert f"{disp.roc_auc:.3f}" in disp.line_.get_label()
    np.testing.assert_allclose(disp.chance_level_.get_ydata(), [0, 1])


def test_roc_from_predictions_and_replot_on_new_axes(binary):
    model, X, y, _ = binary
    p = model.predict_proba(X)[:, 1]
    disp = RocCurveDisplay.from_predictions(y, p, name="mine")
    fpr, tpr, _ = skm.roc_curve(y, p)
    np.testing.assert_allclose(disp.fpr, fpr)
    np.testing.assert_allclose(disp.line_.get_ydata(), tpr)
    assert disp.line_.get_label().startswith("mine")
    _, ax2 = plt.subplots()
    disp.plot(ax=ax2, name="again", color="red")
    assert disp.ax_ is ax2 and disp.line_.get_color() == "red"


def test_roc_multiclass_one_curve_per_class():
    X, y = load_iris(return_X_y=True)
    model = LogisticRegression().fit(X, y)
    disp = RocCurveDisplay.from_estimator(model, X, y)
    P = model.predict_proba(X)
    assert set(disp.lines_) == {0, 1, 2}
    for k in range(3):
        fpr, tpr, _ = skm.roc_curve(y == k, P[:, k])
        np.testing.assert_allclose(disp.lines_[k].get_xdata(), fpr)
        np.testing.assert_allclose(disp.lines_[k].get_ydata(), tpr)
    one = RocCurveDisplay.from_estimator(model, X, y, pos_label=2)
    np.testing.assert_allclose(one.tpr, skm.roc_curve(y == 2, P[:, 2])[1])
    with pytest.raises(AttributeError):
        disp.fpr  # noqa: B018  (several curves: ask by class)


@pytest.mark.parametrize("weighted", [False, True])
def test_precision_recall_draws_sklearn_curve(binary, weighted):
    model, X, y, w = binary
    w = w if weighted else None
    p = model.predict_proba(X)[:, 1]
    disp = PrecisionRecallDisplay.from_estimator(model, X, y, sample_weight=w, plot_chance_level=True)
    precision, recall, _ = skm.precision_recall_curve(y, p, sample_weight=w)
    np.testing.assert_allclose(disp.line_.get_xdata(), recall)
    np.testing.assert_allclose(disp.line_.get_ydata(), precision)
    assert disp.line_.get_drawstyle() == "steps-post"
    assert disp.average_precision == pytest.approx(skm.average_precision_score(y, p, sample_weight=w))
    np.testing.assert_allclose(disp.chance_level_.get_ydata(), np.average(y, weights=w))
    d2 = PrecisionRecallDisplay.from_predictions(y, p, sample_weight=w)
    np.testing.assert_allclose(d2.precision, precision)


def test_calibration_draws_calibration_curve(binary):
    model, X, y, w = binary
    p = model.predict_proba(X)[:, 1]
    disp = CalibrationDisplay.from_estimator(model, X, y, n_bins=6, strategy="uniform")
    prob_true, prob_pred = calibration_curve(y, p, n_bins=6)
    np.testing.assert_allclose(disp.line_.get_xdata(), prob_pred)
    np.testing.assert_allclose(disp.line_.get_ydata(), prob_true)
    np.testing.assert_allclose(disp.ref_line_.get_xdata(), [0, 1])
    assert disp.scores[1] == pytest.approx(skm.brier_score_loss(y, p))
    # weights: the same as repeated rows
    rep = np.repeat(np.arange(len(y)), w.astype(int))
    dw = CalibrationDisplay.from_predictions(y, p, sample_weight=w, n_bins=6, strategy="uniform")
    prob_true, prob_pred = calibration_curve(y[rep], p[rep], n_bins=6)
    np.testing.assert_allclose(dw.prob_true, prob_true)
    np.testing.assert_allclose(dw.prob_pred, prob_pred)


def test_objective_history_is_the_models_learning_curve(binary):
    model, _, _, _ = binary
    disp = ObjectiveHistoryDisplay.from_estimator(model)
    np.testing.assert_allclose(disp.line_.get_ydata(), model.objective_history_)
    np.testing.assert_allclose(disp.line_.get_xdata(), np.arange(model.objective_history_.size))
    assert model.solver_ in disp.line_.get_label()
    gap = ObjectiveHistoryDisplay.from_estimator(model, gap=True)
    h = model.objective_history_
    expected = (h - h.min())[h - h.min() > 0]
    np.testing.assert_allclose(gap.line_.get_ydata(), expected)
    assert gap.ax_.get_yscale() == "log"


def test_objective_history_of_gradient_descent_decreases():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression(solver="gd", learning_rate=0.5, max_iter=30).fit(X, y)
    disp = ObjectiveHistoryDisplay.from_estimator(model)
    ys = disp.line_.get_ydata()
    assert ys.size == model.n_iter_[0] + 1 and np.all(np.diff(ys) <= 1e-12)


def test_coefficients_with_confidence_intervals():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X[["mean radius", "mean texture", "mean smoothness"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression(penalty=None, tol=1e-10).fit(X, y)
    s = model.summary(alpha=0.1)
    disp = CoefficientDisplay.from_estimator(model, alpha=0.1)
    frame = s.to_frame().drop(index="const")
    line, _, (bars,) = disp.errorbar_.lines
    np.testing.assert_allclose(line.get_xdata(), frame["coef"])
    segments = np.array(bars.get_segments())  # one horizontal segment per term: (lower, y) -> (upper, y)
    np.testing.assert_allclose(segments[:, 0, 0], frame["ci_lower"])
    np.testing.assert_allclose(segments[:, 1, 0], frame["ci_upper"])
    # the first term is drawn on top, level with its interval
    ticks = sorted(
        zip(disp.ax_.get_yticks(), [t.get_text() for t in disp.ax_.get_yticklabels()], strict=True), reverse=True
    )
    assert [t for _, t in ticks] == list(frame.index)
    np.testing.assert_allclose(segments[:, 0, 1], [y for y, _ in ticks])
    assert "90% CI" in disp.ax_.get_xlabel()
    with_const = CoefficientDisplay.from_summary(s, include_intercept=True)
    assert with_const.terms[0] == "const" and len(with_const.terms) == 4


def test_coefficients_of_a_penalized_fit_are_labelled_approximate(binary):
    model, X, y, _ = binary
    with pytest.warns(PenalizedInferenceWarning):
        disp = CoefficientDisplay.from_estimator(model)
    assert disp.approximate and "approximate" in disp.ax_.get_xlabel()
