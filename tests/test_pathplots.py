"""RegularizationPathDisplay and CVCurveDisplay, rendered headless: the plotted data, not pixels.
The expected data are the path's coefficients and numpy's mean / std of the fitted scores_."""

import functools
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from numpy.testing import assert_allclose, assert_array_equal  # noqa: E402
from sklearn.datasets import load_iris, make_classification  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from logreg import LogisticRegressionCV, regularization_path  # noqa: E402
from logreg.plots import CVCurveDisplay as ReExported  # noqa: E402
from logreg.plots.path import CVCurveDisplay, RegularizationPathDisplay  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@functools.cache
def binary():
    X, y = make_classification(n_samples=120, n_features=4, n_informative=3, n_redundant=0, random_state=0)
    return StandardScaler().fit_transform(X), y


def test_path_display_draws_each_coefficient_against_c():
    X, y = binary()
    path = regularization_path(X, y, Cs=[10.0, 0.01, 1.0], l1_ratio=1.0)
    fig, ax = plt.subplots()
    disp = RegularizationPathDisplay.from_path(path, feature_names=list("abcd"), ax=ax)
    assert disp.ax_ is ax and disp.figure_ is fig and ax.get_xscale() == "log"
    assert list(disp.lines_) == list("abcd")
    order = np.argsort(path.Cs)
    for j, name in enumerate("abcd"):
        assert_allclose(disp.lines_[name].get_xdata(), path.Cs[order])
        assert_allclose(disp.lines_[name].get_ydata(), path.coefs[order, 0, j])
        assert disp.lines_[name].get_label() == name


def test_path_display_multiclass_one_line_per_class_and_feature():
    X, y = load_iris(return_X_y=True)
    path = regularization_path(X, y, Cs=3)
    disp = RegularizationPathDisplay.from_path(path, color="red")
    assert set(disp.lines_) == {(k, f"x{j}") for k in range(3) for j in range(4)}
    assert_allclose(disp.lines_[(2, "x1")].get_ydata(), path.coefs[:, 2, 1])
    assert disp.lines_[(0, "x0")].get_color() == "red"
    assert disp.lines_[(2, "x1")].get_label() == "2: x1"


@pytest.mark.parametrize("legacy", [True, False])
def test_cv_curve_draws_mean_fold_score_and_marks_chosen_c(legacy):
    X, y = binary()
    model = LogisticRegressionCV(Cs=4, cv=3, use_legacy_attributes=legacy).fit(X, y)
    fold_scores = model.scores_[1] if legacy else model.scores_[:, 0, :]  # (n_folds, n_cs)
    fig, ax = plt.subplots()
    disp = CVCurveDisplay.from_estimator(model, ax=ax)
    assert disp.ax_ is ax and ax.get_xscale() == "log"
    assert_allclose(disp.line_.get_xdata(), model.Cs_)
    assert_allclose(disp.line_.get_ydata(), fold_scores.mean(axis=0))
    band = disp.bands_[None].get_paths()[0].vertices
    assert band[:, 1].max() == pytest.approx((fold_scores.mean(0) + fold_scores.std(0)).max())
    assert band[:, 1].min() == pytest.approx((fold_scores.mean(0) - fold_scores.std(0)).min())
    assert_allclose(disp.best_line_.get_xdata(), [np.ravel(model.C_)[0]] * 2)
    assert ax.get_ylabel() == "Cross-validated accuracy"


def test_cv_curve_one_line_per_l1_ratio():
    X, y = binary()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegressionCV(Cs=3, cv=3, l1_ratios=[0.5, 1.0], scoring="neg_log_loss").fit(X, y)
    disp = ReExported.from_estimator(model)
    assert list(disp.lines_) == [0.5, 1.0]
    scores = model.scores_[1]  # legacy layout: (n_folds, n_cs, n_l1_ratios)
    for i, r in enumerate([0.5, 1.0]):
        assert_allclose(disp.lines_[r].get_ydata(), scores[:, :, i].mean(axis=0))
        assert disp.lines_[r].get_label() == f"l1_ratio = {r:g}"
    assert disp.ax_.get_ylabel() == "Cross-validated neg_log_loss"


def test_displays_replot_on_new_axes():
    X, y = binary()
    path = regularization_path(X, y, Cs=3)
    disp = RegularizationPathDisplay.from_path(path)
    _, ax2 = plt.subplots()
    disp.plot(ax=ax2, lw=3)
    assert disp.ax_ is ax2 and disp.lines_["x0"].get_linewidth() == 3
    assert_array_equal(disp.lines_["x0"].get_ydata(), path.coefs[:, 0, 0])
