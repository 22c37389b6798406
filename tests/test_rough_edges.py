"""Rough edges of the text output: each test fails on the behaviour it replaced."""

from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from typer.testing import CliRunner

from logreg import LogisticRegression, cli
from logreg.metrics import evaluate
from logreg.report import build_report

runner = CliRunner()


def run(*args):
    return runner.invoke(cli.app, [str(a) for a in args])


@pytest.fixture(scope="module")
def labelled():
    """A binary model on numpy string labels (np.str_ class values)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = np.where(X[:, 0] + rng.normal(size=200) > 0, "yes", "no")
    return LogisticRegression(penalty=None).fit(X, y), X, y


def test_class_labels_are_printed_plainly_everywhere(labelled):
    model, X, y = labelled
    assert isinstance(model.classes_[1], np.str_)
    ev = evaluate(model, X, y)
    text = str(ev)
    assert "positive class yes," in text and "np.str_" not in text and "'yes'" not in text
    page = build_report(model, X, y, evaluation=ev, summary=model.summary(), subtitle=f"{model.classes_[1]}").html
    assert "np.str_" not in page and "Positive class yes " in page
    # a multinomial summary's baseline note and the curves' legends
    y3 = np.array(["a", "b", "c"])[np.arange(200) % 3]
    m3 = LogisticRegression(penalty=None).fit(X, y3)
    note = " ".join(m3.summary().notes)
    assert "baseline class a " in note and "np.str_" not in note
    from logreg.plots import RocCurveDisplay

    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    disp = RocCurveDisplay.from_estimator(m3, X, y3)
    labels = [line.get_label() for line in disp.lines_.values()]
    assert all("np.str_" not in s and "'" not in s for s in labels) and "class a" in labels[0]


def _body_rows(text):
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("-----")) + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("====="))
    return lines[start:end]


def test_summary_columns_never_run_together():
    """Large values used to fill the 11-character columns: '0.9215-27951.1084'."""
    rng = np.random.default_rng(3)
    n = 60
    x = rng.normal(size=n)
    # a feature on a tiny scale with no effect: its interval reaches +-2e4 (11 characters with 4 decimals)
    X = np.column_stack([x, rng.normal(size=n) * 2e-5, rng.normal(size=n)])
    y = (x + rng.normal(scale=2.0, size=n) > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the badly scaled feature is the point
        model = LogisticRegression(penalty=None, tol=1e-10).fit(X, y)
    s = model.summary()
    assert -1e5 < s.ci_lower[2] <= -1e4  # as wide as the old fixed 11-character columns
    rows = _body_rows(s.as_text())
    assert len(rows) == 4
    for i, row in enumerate(rows):
        cells = row.split()
        assert len(cells) == 7, row
        values = np.array([float(c) for c in cells[1:]])
        expect = np.array([s.params[i], s.std_err[i], s.z[i], s.p_value[i], s.ci_lower[i], s.ci_upper[i]])
        np.testing.assert_allclose(values, expect, rtol=1e-3, atol=1e-4)


def test_l1_df_model_counts_nonzero_coefficients_as_statsmodels_fit_regularized():
    sm = pytest.importorskip("statsmodels.api")
    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    C = 0.05
    model = LogisticRegression(l1_ratio=1.0, C=C, tol=1e-10, max_iter=500).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = model.summary()
        # statsmodels' L1 objective -llf + sum alpha_j |beta_j| is ours times S with alpha = 1/C
        ref = sm.Logit(y, sm.add_constant(X)).fit_regularized(
            method="l1", alpha=np.r_[0.0, np.full(30, 1.0 / C)], disp=0, acc=1e-12, trim_mode="size"
        )
    nnz = int(np.count_nonzero(model.coef_))
    assert nnz == int(np.count_nonzero(ref.params[1:])) < 30
    assert s.df_model == nnz == ref.df_model and s.df_resid == ref.df_resid
    assert s.aic == pytest.approx(ref.aic, rel=1e-6) and s.bic == pytest.approx(ref.bic, rel=1e-6)
    assert re.search(rf"Df Model:\s+{nnz}\b", s.as_text())
    assert any(f"counts the {nnz} non-zero coefficients" in n for n in s.notes)
    # an L2 fit keeps every coefficient
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert LogisticRegression(C=C).fit(X, y).summary().df_model == 30


def test_demo_iteration_log_only_with_verbose(tmp_path):
    quiet = run("demo", "--report", tmp_path / "a")
    assert quiet.exit_code == 0 and "iteration" not in quiet.stderr
    loud = run("demo", "--report", tmp_path / "b", "--verbose")
    assert loud.exit_code == 0
    lines = loud.stderr.splitlines()
    assert lines[0].startswith("logreg demo: fitting")  # the heading comes first
    assert any(line.startswith("iteration") for line in lines[1:])


def test_confusion_matrix_rows_and_columns_are_labelled(labelled):
    model, X, y = labelled
    ev = evaluate(model, X, y)
    lines = str(ev).splitlines()
    i = lines.index("  confusion matrix:")
    head, no, yes = lines[i + 1].split(), lines[i + 2], lines[i + 3]
    assert head == ["predicted", "no", "predicted", "yes"]
    assert no.split()[:2] == ["true", "no"] and yes.split()[:2] == ["true", "yes"]
    np.testing.assert_array_equal(
        [[float(v) for v in row.split()[2:]] for row in (no, yes)], np.asarray(ev.confusion_matrix, dtype=float)
    )


@pytest.mark.parametrize("args", [["--version", "true"], ["--version", "fit"]])
def test_version_is_a_flag_without_a_value(args):
    res = run(*args)
    assert res.exit_code == 2 and res.stdout == ""
    assert "takes no value" in res.stderr
    ok = run("--version")
    assert ok.exit_code == 0 and ok.stdout.startswith("logreg ")


def test_explain_names_the_class_its_probability_is_for_like_summary_and_report():
    """The default example's y = 1 is the class a model fitted on its labels gives the probability of."""
    res = run("explain", "--json")
    assert res.exit_code == 0
    out = json.loads(res.stdout)
    data = load_breast_cancer()
    labels = data.target_names[data.target]
    model = LogisticRegression(penalty=None, max_iter=200).fit(data.data[:, :2], labels)
    positive = str(model.classes_[1])
    assert out["positive_class"] == positive == "malignant" and out["class_names"][1] == positive
    assert f"y = 1 {positive}" in out["description"]
    text = run("explain").stdout
    assert f"probability of y = 1, class {positive}" in " ".join(text.split())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = model.summary()
    summary.dep_var = "diagnosis"
    assert f"diagnosis = {positive}" in summary.as_text()
    page = build_report(model, data.data[:, :2], labels).html
    assert f"Positive class {positive} " in page
