"""The reliability diagram: quantile bins, counts, Wilson intervals and the histogram, checked as drawn."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from sklearn.calibration import calibration_curve  # noqa: E402

from logreg.metrics import calibration_bins, wilson_interval  # noqa: E402
from logreg.plots import CalibrationDisplay  # noqa: E402


def _ax():
    return Figure().add_subplot()


def _simulated(n, seed, power=1.0):
    """Probabilities p and outcomes drawn with probability p**power (power 1: calibrated)."""
    rng = np.random.default_rng(seed)
    p = 1.0 / (1.0 + np.exp(-rng.normal(scale=2.0, size=n)))
    y = (rng.random(n) < p**power).astype(int)
    return y, p


def test_default_bins_are_quantiles_with_counts_summing_to_n():
    y, p = _simulated(500, 0)
    disp = CalibrationDisplay.from_predictions(y, p, n_bins=10, ax=_ax())
    b = disp.bins[1]
    edges = np.append(b["bin_lower"], b["bin_upper"][-1])
    np.testing.assert_allclose(edges, np.quantile(p, np.linspace(0, 1, 11)), rtol=1e-12)
    assert b["count"].sum() == 500 and np.all(np.abs(b["count"] - 50) <= 1)
    # the points drawn are scikit-learn's quantile calibration curve
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="quantile")
    np.testing.assert_allclose(disp.line_.get_xdata(), prob_pred, rtol=1e-12)
    np.testing.assert_allclose(disp.line_.get_ydata(), prob_true, rtol=1e-12)


def test_wilson_interval_equals_statsmodels():
    smp = pytest.importorskip("statsmodels.stats.proportion")
    k = np.array([0, 1, 7, 24, 25, 3])
    n = np.array([25, 25, 25, 25, 25, 4])
    lo, hi = wilson_interval(k, n, alpha=0.05)
    ref_lo, ref_hi = smp.proportion_confint(k, n, alpha=0.05, method="wilson")
    np.testing.assert_allclose(lo, ref_lo, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(hi, ref_hi, rtol=1e-12, atol=1e-15)
    assert lo[0] == 0.0 and hi[4] == 1.0


def test_band_drawn_is_each_bins_wilson_interval():
    y, p = _simulated(400, 1)
    disp = CalibrationDisplay.from_predictions(y, p, n_bins=8, ax=_ax())
    b = disp.bins[1]
    lo, hi = wilson_interval(b["fraction_positive"] * b["weight"], b["weight"])
    np.testing.assert_allclose(b["ci_lower"], lo, rtol=1e-12)
    # the error bars' segments go from ci_lower to ci_upper at each bin's mean prediction
    segments = disp.bands_[1].lines[2][0].get_segments()
    assert len(segments) == 8
    for seg, x, a, c in zip(segments, b["mean_predicted"], b["ci_lower"], b["ci_upper"], strict=True):
        np.testing.assert_allclose(seg[:, 0], [x, x])
        np.testing.assert_allclose(sorted(seg[:, 1]), [a, c], atol=1e-15)
    assert np.all(b["ci_lower"] <= b["fraction_positive"]) and np.all(b["fraction_positive"] <= b["ci_upper"])


def test_band_covers_a_calibrated_model_and_not_a_miscalibrated_one():
    """95% Wilson bands contain the mean predicted probability in about 95% of the bins when calibrated."""
    y, p = _simulated(20_000, 2)
    b = calibration_bins(y, p, n_bins=40, strategy="quantile")
    covered = (b["ci_lower"] <= b["mean_predicted"]) & (b["mean_predicted"] <= b["ci_upper"])
    assert covered.mean() >= 0.85
    y_bad, p_bad = _simulated(20_000, 2, power=2.0)  # outcomes at p**2: the model overstates
    b = calibration_bins(y_bad, p_bad, n_bins=40, strategy="quantile")
    covered = (b["ci_lower"] <= b["mean_predicted"]) & (b["mean_predicted"] <= b["ci_upper"])
    assert covered.mean() <= 0.5


def test_histogram_under_the_curve_counts_the_predictions():
    y, p = _simulated(300, 3)
    w = np.random.default_rng(4).integers(1, 4, size=300).astype(float)
    disp = CalibrationDisplay.from_predictions(y, p, sample_weight=w, ax=_ax())
    counts, edges = disp.hist_[1]
    ref, ref_edges = np.histogram(p, bins=20, range=(0, 1), weights=w)
    np.testing.assert_allclose(counts, ref)
    np.testing.assert_allclose(edges, ref_edges)
    assert counts.sum() == pytest.approx(w.sum())
    # the bars stay in the lower quarter of the plot, under the curve
    assert disp.hist_ax_.get_ylim()[1] == pytest.approx(4 * counts.max())
    assert disp.bins[1]["count"].sum() == 300 and disp.bins[1]["weight"].sum() == pytest.approx(w.sum())


def test_report_draws_the_quantile_diagram():
    from logreg import LogisticRegression
    from logreg.report import _figures

    y, p = _simulated(300, 5)
    X = np.log(p / (1 - p))[:, None]
    model = LogisticRegression(penalty=None).fit(X, y)
    images, skipped = _figures(model, X, y, None, None)
    assert "calibration.png" in images and not skipped
    disp = CalibrationDisplay.from_estimator(model, X, y, ax=_ax())
    assert disp.bins[1]["count"].sum() == 300 and len(disp.bins[1]["count"]) == 10


def test_cli_evaluate_reports_the_quantile_bins_it_draws(tmp_path):
    import json

    import pyarrow as pa
    import pyarrow.csv as pcsv
    from typer.testing import CliRunner

    from logreg import cli

    y, p = _simulated(200, 6)
    pcsv.write_csv(pa.table({"x": np.log(p / (1 - p)), "label": y}), tmp_path / "d.csv")
    runner = CliRunner()
    fit = runner.invoke(cli.app, ["fit", str(tmp_path / "d.csv"), "-t", "label", "-m", str(tmp_path / "m.json"), "-q"])
    assert fit.exit_code == 0, fit.stderr
    res = runner.invoke(cli.app, ["evaluate", str(tmp_path / "d.csv"), "-m", str(tmp_path / "m.json"), "--json"])
    assert res.exit_code == 0, res.stderr
    cal = json.loads(res.stdout)["calibration"]
    assert sum(cal["count"]) == 200 and all(c == 20 for c in cal["count"])  # quantile bins: 20 rows each
