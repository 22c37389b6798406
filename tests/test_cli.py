"""The ``logreg`` command in-process (typer's CliRunner): every command and every bad input."""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from rich.console import Console
from typer.testing import CliRunner

import logreg
from logreg import cli
from logreg.cli.common import named
from logreg.cli.output import FitProgress, log_spaced
from logreg.io import modelfile

runner = CliRunner()


def run(*args, input=None):
    return runner.invoke(cli.app, [str(a) for a in args], input=input)


def make_table(n=40, seed=0):
    """Small data: three numeric features, a text column, an id and a yes/no label."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    grade = np.array(["a", "b", "c"])[np.arange(n) % 3]
    z = X @ [1.5, -1.0, 0.5] + (grade == "b") * 0.8 + rng.normal(scale=0.8, size=n)
    return pa.table(
        {
            "id": np.arange(100, 100 + n),
            "x1": X[:, 0],
            "x2": X[:, 1],
            "x3": X[:, 2],
            "grade": grade,
            "label": np.where(z > 0, "yes", "no"),
        }
    )


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    pcsv.write_csv(make_table(), d / "train.csv")
    result = run("fit", d / "train.csv", "--target", "label", "--exclude", "id", "--model", d / "model.json", "-q")
    assert result.exit_code == 0, result.output
    return d


def snapshot(directory):
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in directory.rglob("*") if p.is_file()}


# ---------------------------------------------------------------------- fit
def test_fit_writes_a_model_that_loads(work, tmp_path):
    model_path = tmp_path / "m.json"
    result = run("fit", work / "train.csv", "-t", "label", "-x", "id", "-m", model_path)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert re.match(
        r"fitted 40 rows × 5 features \(classes: no, yes\) with newton: \d+ iterations, converged", lines[0]
    )
    assert lines[1] == f"model written to {model_path}"
    model = logreg.load(model_path)
    assert list(model.feature_names_in_) == ["x1", "x2", "x3", "grade=b", "grade=c"]
    assert model.classes_.tolist() == ["no", "yes"]
    doc = json.loads(model_path.read_text())
    assert doc["target"] == "label" and doc["columns"][3]["levels"] == ["a", "b", "c"]
    assert doc["training"]["n_samples"] == 40 and doc["statistics"]["aic"] > 0


def test_fit_progress_is_plain_lines_on_a_pipe_and_follows_the_objective(work, tmp_path):
    result = run("fit", work / "train.csv", "-t", "label", "-x", "id", "-m", tmp_path / "m.json", "--solver", "gd")
    assert result.exit_code == 0
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("iteration")]
    assert lines and "\x1b[" not in result.stderr  # no terminal escapes in a pipe
    logged = {int(ln.split()[1]): float(ln.split()[3]) for ln in lines}
    history = logreg.load(tmp_path / "m.json").objective_history_
    for it, objective in logged.items():
        assert objective == pytest.approx(history[it], rel=1e-10)
    assert max(logged) == len(history) - 1  # the last iteration is always shown


def test_rich_progress_bar_on_a_terminal(capsys):
    buf = io.StringIO()
    with FitProgress(10, enabled=True, console=Console(file=buf, force_terminal=True, width=120)) as cb:
        for i in range(1, 4):
            cb(i, 1.0 / i, 10.0**-i)
    text = buf.getvalue()
    assert "objective 0.3333333333" in text and "1.00e-03" in text
    assert capsys.readouterr().err == ""  # nothing plain besides the bar
    with FitProgress(10, enabled=True, console=Console(file=io.StringIO(), force_terminal=False)) as cb:
        cb(1, 0.5, 0.1)
    assert capsys.readouterr().err.startswith("iteration      1  objective 0.5")


def test_log_spaced_progress_lines():
    shown = [i for i in range(1, 2001) if log_spaced(i)]
    assert shown[:12] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30]
    assert 100 in shown and 110 not in shown and 2000 in shown and len(shown) == 10 + 8 + 9 + 2


def test_fit_quiet_prints_nothing(work, tmp_path):
    result = run("fit", work / "train.csv", "-t", "label", "-x", "id", "-m", tmp_path / "m.json", "--quiet")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert logreg.load(tmp_path / "m.json").n_features_in_ == 5


def test_fit_json_quiet(work, tmp_path):
    result = run("fit", work / "train.csv", "-t", "label", "-x", "id", "-m", tmp_path / "m.json", "--json", "-q")
    assert result.exit_code == 0 and result.stderr == ""
    out = json.loads(result.stdout)
    assert out["n_samples"] == 40 and out["classes"] == ["no", "yes"] and out["converged"] is True
    assert out["feature_names"] == ["x1", "x2", "x3", "grade=b", "grade=c"]
    assert np.array(out["coef"]).shape == (1, 5)


def test_fit_options_reach_the_estimator_and_warnings_are_one_line(work, tmp_path):
    args = ["-t", "label", "-x", "id", "-m", tmp_path / "m.json", "--penalty", "none", "--solver", "gd"]
    result = run("fit", work / "train.csv", *args, "--max-iter", "3", "--learning-rate", "0.1", "-f", "x1,x2")
    assert result.exit_code == 0
    warns = [ln for ln in result.stderr.splitlines() if ln.startswith("logreg: warning:")]
    assert len(warns) == 1 and "ConvergenceWarning" in warns[0]
    doc = json.loads((tmp_path / "m.json").read_text())
    assert doc["options"]["penalty"] is None and doc["options"]["learning_rate"] == 0.1
    assert doc["feature_names"] == ["x1", "x2"] and doc["training"]["n_iter"] == 3


def test_fit_reads_stdin_and_parquet(work, tmp_path):
    csv_text = (work / "train.csv").read_text()
    result = run("fit", "-", "-t", "label", "-x", "id", "-m", tmp_path / "a.json", "-q", input=csv_text)
    assert result.exit_code == 0, result.stderr
    pq.write_table(make_table(), tmp_path / "train.parquet")
    result = run("fit", tmp_path / "train.parquet", "-t", "label", "-x", "id", "-m", tmp_path / "b.json", "-q")
    assert result.exit_code == 0
    a, b = logreg.load(tmp_path / "a.json"), logreg.load(tmp_path / "b.json")
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-12)


def test_fit_missing_drop_and_mean(tmp_path):
    t = make_table().to_pydict()
    t["x1"][3] = None
    t["grade"][5] = None
    pcsv.write_csv(pa.table(t), tmp_path / "holes.csv")
    base = ["fit", tmp_path / "holes.csv", "-t", "label", "-x", "id"]
    result = run(*base, "-m", tmp_path / "d.json", "--missing", "drop")
    assert result.exit_code == 0
    assert "logreg: dropped 2 of 40 rows with missing values ('x1': 1, 'grade': 1)" in result.stderr
    assert json.loads((tmp_path / "d.json").read_text())["training"]["n_samples"] == 38
    result = run(*base, "-m", tmp_path / "m.json", "--missing", "mean", "--json")
    assert json.loads(result.stdout)["n_samples"] == 40


# ------------------------------------------------------------------ predict
def test_predict_to_csv_parquet_and_stdout_with_id(work, tmp_path):
    model = logreg.load(work / "model.json")
    table = make_table()
    X = pa.table({"x1": table["x1"], "x2": table["x2"], "x3": table["x3"]})
    grade = np.asarray(table["grade"].to_pylist())
    X = X.append_column("grade=b", pa.array((grade == "b").astype(float)))
    X = X.append_column("grade=c", pa.array((grade == "c").astype(float)))
    expected = model.predict_proba(X)

    result = run("predict", work / "train.csv", "-m", work / "model.json", "-o", tmp_path / "p.parquet", "--id", "id")
    assert result.exit_code == 0 and "40 predictions written" in result.stdout
    out = pq.read_table(tmp_path / "p.parquet")
    assert out.column_names == ["id", "label", "proba_no", "proba_yes"]
    assert out["id"].to_pylist() == list(range(100, 140))
    np.testing.assert_array_equal(np.column_stack([out["proba_no"], out["proba_yes"]]), expected)
    assert out["label"].to_pylist() == model.predict(X).tolist()

    result = run("predict", work / "train.csv", "-m", work / "model.json", "-o", tmp_path / "p.csv")
    csv_out = pcsv.read_csv(tmp_path / "p.csv")
    assert csv_out.column_names == ["label", "proba_no", "proba_yes"]
    np.testing.assert_allclose(csv_out["proba_yes"].to_numpy(), expected[:, 1], rtol=1e-15)

    result = run("predict", work / "train.csv", "-m", work / "model.json")
    assert result.stdout.splitlines()[0] == '"label","proba_no","proba_yes"' and len(result.stdout.splitlines()) == 41

    result = run("predict", work / "train.csv", "-m", work / "model.json", "--json", "--id", "id")
    rows = json.loads(result.stdout)["rows"]
    assert rows[0]["id"] == 100 and rows[0]["proba_yes"] == pytest.approx(expected[0, 1], rel=1e-15)


def test_three_classes_end_to_end_in_process(tmp_path):
    t = make_table(n=45).to_pydict()
    t["label"] = ["red", "green", "blue"] * 15
    t["x1"] = [v + 2.0 * (lab == "red") for v, lab in zip(t["x1"], t["label"], strict=True)]
    pcsv.write_csv(pa.table(t), tmp_path / "three.csv")
    assert run("fit", tmp_path / "three.csv", "-t", "label", "-x", "id", "-m", tmp_path / "m.json", "-q").exit_code == 0
    result = run("predict", tmp_path / "three.csv", "-m", tmp_path / "m.json", "--json")
    rows = json.loads(result.stdout)["rows"]
    assert list(rows[0]) == ["label", "proba_blue", "proba_green", "proba_red"]
    assert sum(rows[0][k] for k in ("proba_blue", "proba_green", "proba_red")) == pytest.approx(1.0)
    ev = json.loads(run("evaluate", tmp_path / "three.csv", "-m", tmp_path / "m.json", "--json").stdout)
    assert ev["classes"] == ["blue", "green", "red"] and np.array(ev["confusion_matrix"]).shape == (3, 3)
    summary = run("summary", "-m", tmp_path / "m.json")
    assert "MNLogit Regression Results" in summary.stdout


# ------------------------------------------------------------------ summary
def test_summary_from_the_model_file_and_recomputed(work):
    result = run("summary", "-m", work / "model.json")
    assert result.exit_code == 0
    assert "Logit Regression Results" in result.stdout and "grade=b" in result.stdout
    assert re.search(r"Dep\. Variable:\s+label", result.stdout)
    assert "PenalizedInferenceWarning" not in result.stderr  # the table's note says it
    stored = json.loads(run("summary", "-m", work / "model.json", "--json").stdout)
    assert [r["term"] for r in stored["coefficients"]] == ["const", "x1", "x2", "x3", "grade=b", "grade=c"]
    again = json.loads(run("summary", "-m", work / "model.json", work / "train.csv", "--json").stdout)
    for a, b in zip(stored["coefficients"], again["coefficients"], strict=True):
        assert a["std_err"] == pytest.approx(b["std_err"], rel=1e-9)
    robust = json.loads(run("summary", "-m", work / "model.json", "--cov-type", "HC1", "--json").stdout)
    assert robust["cov_type"] == "HC1" and robust["coefficients"][1]["std_err"] != stored["coefficients"][1]["std_err"]
    cluster = run(
        "summary", "-m", work / "model.json", work / "train.csv", "--cov-type", "cluster", "--groups", "grade"
    )
    assert cluster.exit_code == 0 and "Cluster-robust covariance over 3 groups" in cluster.stdout
    hc3 = json.loads(
        run("summary", "-m", work / "model.json", work / "train.csv", "--cov-type", "HC3", "--json").stdout
    )
    assert hc3["cov_type"] == "HC3" and hc3["coefficients"][1]["std_err"] > robust["coefficients"][1]["std_err"]


def test_firth_fit_and_its_profile_summary(work, tmp_path):
    model = tmp_path / "firth.json"
    fit = run("fit", work / "train.csv", "-t", "label", "-x", "id", "--penalty", "firth", "-m", model, "-q")
    assert fit.exit_code == 0, fit.output
    table = json.loads(run("summary", "-m", model, work / "train.csv", "--json").stdout)
    assert table["ci_method"] == "profile" and table["valid_inference"]
    assert any("Firth" in n for n in table["notes"])
    no_data = run("summary", "-m", model)
    assert no_data.exit_code == 2 and "training data" in no_data.stderr
    wald = json.loads(run("summary", "-m", work / "model.json", "--ci", "wald", "--json").stdout)
    assert wald["ci_method"] == "wald"


# ------------------------------------------------------- evaluate and report
def _pngs_embedded(page, directory):
    """Every PNG in the directory is embedded in the page, which loads nothing from outside."""
    import base64

    text = page.read_text()
    assert "http://" not in text and "https://" not in text
    embedded = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    files = sorted(directory.glob("*.png"))
    assert len(embedded) == len(files) >= 3
    assert {base64.b64decode(e) for e in embedded} == {f.read_bytes() for f in files}
    assert all(f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for f in files)


def test_evaluate_text_json_and_report(work, tmp_path):
    from sklearn.metrics import log_loss

    result = run("evaluate", work / "train.csv", "-m", work / "model.json")
    assert result.exit_code == 0 and "log_loss" in result.stdout and "confusion matrix" in result.stdout
    out = json.loads(run("evaluate", work / "train.csv", "-m", work / "model.json", "--json").stdout)
    proba = json.loads(run("predict", work / "train.csv", "-m", work / "model.json", "--json").stdout)["rows"]
    y = make_table()["label"].to_pylist()
    expected = log_loss(y, [[r["proba_no"], r["proba_yes"]] for r in proba], labels=["no", "yes"])
    assert out["log_loss"] == pytest.approx(expected, rel=1e-12)
    assert out["pos_label"] == "yes" and out["report"] is None

    report = tmp_path / "rep"
    result = run("evaluate", work / "train.csv", "-m", work / "model.json", "--report", report, "--threshold", "0.3")
    assert result.exit_code == 0 and f"report written to {report / 'report.html'}" in result.stdout
    _pngs_embedded(report / "report.html", report)
    assert {p.name for p in report.glob("*.png")} == {
        "roc.png",
        "precision_recall.png",
        "calibration.png",
        "objective.png",
        "coefficients.png",
    }
    assert "threshold 0.3" in (report / "report.html").read_text()


def test_evaluate_needs_known_labels(work, tmp_path):
    t = make_table().to_pydict()
    t["label"][0] = "maybe"
    pcsv.write_csv(pa.table(t), tmp_path / "odd.csv")
    result = run("evaluate", tmp_path / "odd.csv", "-m", work / "model.json")
    assert result.exit_code == 2
    assert result.stderr == (
        "logreg: error: target 'label' has labels the model was not fitted on: 'maybe'; the model knows 'no', 'yes'\n"
    )


def test_report_survives_a_figure_that_cannot_be_drawn(work, tmp_path, monkeypatch):
    from logreg import plots, report

    mf = logreg.io.read_model(work / "model.json")
    table = make_table()
    design = logreg.io.prepare_prediction(table, mf.columns, target="label")
    X = named(design.X, design.feature_names)

    def refuse(*args, **kwargs):
        raise ValueError("no curve today")

    monkeypatch.setattr(plots.RocCurveDisplay, "from_estimator", refuse)
    built = report.build_report(mf.model, X, design.y, title="t <&> t")
    assert "roc.png" not in built.images and "no curve today" in built.skipped["roc.png"]
    assert "t &lt;&amp;&gt; t" in built.html  # text is escaped
    page = built.write(tmp_path / "r")
    _pngs_embedded(page, tmp_path / "r")
    assert sorted(p.name for p in (tmp_path / "r").iterdir() if p.name.startswith(".")) == []


def test_demo_json_and_the_report(tmp_path):
    report = tmp_path / "demo-report"
    result = run("demo", "--report", report, "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["n_train"] == 708 and out["n_test"] == 236 and out["positive_class"] == "Dole"
    assert out["summary"]["valid_inference"] and out["fit"]["converged"]
    assert [r["term"] for r in out["odds_ratios"]] == ["PID", "selfLR", "age", "educ", "income"]
    _pngs_embedded(report / "report.html", report)
    model = logreg.load(report / "model.json")
    assert model.n_features_in_ == 5 and model.classes_.tolist() == ["Clinton", "Dole"]
    assert out["evaluation"]["roc_auc"] > 0.9


# ------------------------------------------------------------------ explain
def test_explain_default_and_on_a_file(work):
    result = run("explain")
    assert result.exit_code == 0
    for needle in ("seed 002's components 1–5", "dL/da", "da/dz", "dL/dz", "dz/dw", "dz/db", "fell at every step"):
        assert needle in result.stdout
    result = run("explain", "--data", work / "train.csv", "-t", "label", "-f", "x1,grade", "--rows", "4", "--json")
    out = json.loads(result.stdout)
    assert out["feature_names"] == ["x1", "grade=b", "grade=c"] and len(out["y"]) == 4
    assert out["class_names"] == ["no", "yes"] and out["max_abs_error"] < 1e-6 and out["cost_fell"]


def test_help_lists_every_command():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("fit", "predict", "evaluate", "summary", "explain", "demo"):
        assert re.search(rf"│ {command}\s", result.stdout), command


# ---------------------------------------------------------------- bad input
@pytest.fixture(scope="module")
def bad(work, tmp_path_factory):
    """A directory of bad inputs next to good ones, and a valid model.json that must survive."""
    d = tmp_path_factory.mktemp("bad")
    (d / "train.csv").write_bytes((work / "train.csv").read_bytes())
    (d / "model.json").write_bytes((work / "model.json").read_bytes())
    (d / "empty.csv").write_bytes(b"")
    (d / "garbled.csv").write_bytes(bytes(np.random.default_rng(1).integers(0, 256, 400, dtype=np.uint8)))
    (d / "one.csv").write_text("x1,label\n1,yes\n2,yes\n3,yes\n")
    (d / "nan.csv").write_text("x1,label\n1,yes\nNaN,no\n3,no\n")
    pcsv.write_csv(make_table().drop_columns(["x2"]), d / "no_x2.csv")
    text = (d / "model.json").read_text()
    (d / "truncated.json").write_text(text[: len(text) // 2])
    doc = json.loads(text)
    doc["coef"][0] = doc["coef"][0][:-1]
    (d / "tampered.json").write_text(json.dumps(doc))
    doc = json.loads(text)
    del doc["statistics"]
    (d / "nostats.json").write_text(json.dumps(doc))
    import pickle

    (d / "model.pkl").write_bytes(pickle.dumps(doc))
    (d / "adir").mkdir()
    return d


BAD_INPUTS = {
    "missing file": (["fit", "{d}/nope.csv", "-t", "label", "-m", "{d}/model.json"], "no such file"),
    "empty file": (["fit", "{d}/empty.csv", "-t", "label", "-m", "{d}/model.json"], "is empty"),
    "garbled bytes": (["fit", "{d}/garbled.csv", "-t", "label", "-m", "{d}/model.json"], "not"),
    "target missing": (["fit", "{d}/train.csv", "-t", "nope", "-m", "{d}/model.json"], "target column 'nope'"),
    "one class": (["fit", "{d}/one.csv", "-t", "label", "-m", "{d}/model.json"], "one class ('yes')"),
    "NaN without --missing": (["fit", "{d}/nan.csv", "-t", "label", "-m", "{d}/model.json"], "'x1' (1 row)"),
    "negative C": (["fit", "{d}/train.csv", "-t", "label", "-m", "{d}/model.json", "--C", "-1"], "--C must be > 0"),
    "unknown solver": (["fit", "{d}/train.csv", "-t", "label", "-m", "{d}/model.json", "--solver", "sag"], "'sag'"),
    "unknown penalty": (["fit", "{d}/train.csv", "-t", "label", "-m", "{d}/m2.json", "--penalty", "l3"], "--penalty"),
    "fit output dir missing": (["fit", "{d}/train.csv", "-t", "label", "-m", "{d}/no/m.json"], "does not exist"),
    "feature missing at predict": (["predict", "{d}/no_x2.csv", "-m", "{d}/model.json"], "feature column 'x2'"),
    "model truncated": (["predict", "{d}/train.csv", "-m", "{d}/truncated.json"], "truncated"),
    "model tampered": (["predict", "{d}/train.csv", "-m", "{d}/tampered.json"], "expected 5"),
    "model pickle": (["predict", "{d}/train.csv", "-m", "{d}/model.pkl"], "pickle"),
    "model directory": (["predict", "{d}/train.csv", "-m", "{d}/adir"], "is a directory"),
    "predict output dir missing": (["predict", "{d}/train.csv", "-m", "{d}/model.json", "-o", "{d}/no/p.csv"], "exist"),
    "predict output format": (["predict", "{d}/train.csv", "-m", "{d}/model.json", "-o", "{d}/p.txt"], ".parquet"),
    "predict over its input": (["predict", "{d}/train.csv", "-m", "{d}/model.json", "-o", "{d}/train.csv"], "input"),
    "fit model over its data": (["fit", "{d}/train.csv", "-t", "label", "-m", "{d}/train.csv"], "also an input"),
    "summary model pickle": (["summary", "-m", "{d}/model.pkl"], "pickle"),
    "summary cluster without data": (["summary", "-m", "{d}/model.json", "--cov-type", "cluster"], "--groups"),
    "summary profile without data": (["summary", "-m", "{d}/model.json", "--ci", "profile"], "needs the training DATA"),
    "summary bad ci": (["summary", "-m", "{d}/model.json", "--ci", "exact"], "--ci must be"),
    "summary HC3 without data": (["summary", "-m", "{d}/model.json", "--cov-type", "HC3"], "needs the training DATA"),
    "summary without statistics": (["summary", "-m", "{d}/nostats.json"], "give the training data"),
    "explain data without target": (["explain", "--data", "{d}/train.csv"], "--target"),
    "report parent missing": (
        ["evaluate", "{d}/train.csv", "-m", "{d}/model.json", "--report", "{d}/no/rep"],
        "does not exist",
    ),
    "demo report parent missing": (["demo", "--report", "{d}/no/rep"], "does not exist"),
    "evaluate threshold": (["evaluate", "{d}/train.csv", "-m", "{d}/model.json", "--threshold", "2"], "--threshold"),
    "not an integer": (["fit", "{d}/train.csv", "-t", "label", "-m", "{d}/model.json", "--max-iter", "x"], "max-iter"),
    "unknown option": (["fit", "{d}/train.csv", "-t", "label", "-m", "{d}/model.json", "--bogus"], "--bogus"),
    "missing option": (["fit", "{d}/train.csv", "-m", "{d}/model.json"], "--target"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_exit_2_one_line_nothing_written(bad, case):
    args, needle = BAD_INPUTS[case]
    before = snapshot(bad)
    result = run(*[a.format(d=bad) for a in args])
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("logreg: error: "), result.stderr
    assert needle in lines[0]
    assert "Traceback" not in result.stderr
    # inputs untouched, no partial output, and the existing model.json survives a failed fit
    assert snapshot(bad) == before


def test_unexpected_errors_are_one_line_with_exit_1(work, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(modelfile, "read_model", boom)
    result = run("predict", work / "train.csv", "-m", work / "model.json")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "logreg: error: internal error: RuntimeError: kaboom (set LOGREG_DEBUG=1 for the traceback)"
    ]
