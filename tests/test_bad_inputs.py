"""A catalogue of bad inputs, through the API and the CLI.

Every case asserts the contract of RELIABILITY.md: the API raises the
documented error class with a message naming the problem (and the fix); the
CLI exits with code 2 and exactly one line ``logreg: error: ...`` on standard
error, no traceback; the inputs are byte-identical afterwards and no output
file (partial or whole) appears.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import re
import warnings

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import logreg
from logreg import LogisticRegression, cli
from logreg.exceptions import DataWarning, ModelFileError
from logreg.io.modelfile import loads, read_model
from logreg.io.tables import DataError, read_table
from logreg.metrics import evaluate

runner = CliRunner()
CSV = "id,x1,x2,grade,label\n" + "".join(
    f"{i},{np.sin(i * 1.3):.3f},{np.cos(i * 0.7):.3f},{'abc'[i % 3]},{['yes', 'no', 'no', 'yes'][i % 4]}\n"
    for i in range(24)
)


@pytest.fixture(scope="module")
def model_text(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    (d / "train.csv").write_text(CSV)
    res = runner.invoke(cli.app, ["fit", str(d / "train.csv"), "-t", "label", "-x", "id", "-m", str(d / "m.json")])
    assert res.exit_code == 0, res.stderr
    return (d / "m.json").read_text()


def _snapshot(directory):
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in directory.rglob("*") if p.is_file()}


def run_bad(directory, args, *, input=None, match):
    """Run the CLI; assert exit 2, one error line matching ``match``, no traceback, nothing changed."""
    before = _snapshot(directory)
    res = runner.invoke(cli.app, [str(a) for a in args], input=input)
    err = res.stderr
    assert res.exit_code == 2, (res.exit_code, err, res.stdout)
    lines = err.strip().splitlines()
    errors = [ln for ln in lines if ln.startswith("logreg: error: ")]
    assert len(errors) == 1, err
    assert "Traceback" not in err and "internal error" not in err
    assert re.search(match, errors[0]), errors[0]
    assert _snapshot(directory) == before  # inputs byte-identical, no (partial) output
    return errors[0]


# ---------------------------------------------------------------- model files
def _set(path, value):
    def mutate(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _fisher(fn):
    def mutate(doc):
        f = np.asarray(doc["statistics"]["inference"]["fisher"])
        doc["statistics"]["inference"]["fisher"] = fn(f).tolist()

    return mutate


def _column(kind, key, value):
    def mutate(doc):
        col = next(c for c in doc["columns"] if c["kind"] == kind)
        col[key] = value

    return mutate


_INF = ("statistics", "inference")
MODEL_CASES = {
    "classes swapped": (lambda d: d.__setitem__("classes", d["classes"][::-1]), "sorted order"),
    "classes one": (_set(("classes",), ["no"]), "classes has 1 entries, needs 2"),
    "classes mixed types": (_set(("classes",), ["no", 1]), "must all be strings, or all numbers"),
    "classes duplicate": (_set(("classes",), ["no", "no"]), "duplicates"),
    "class int overflows": (_set(("classes",), [1, 10**30]), "beyond 64 bits"),
    "class is a dict": (_set(("classes",), ["no", {"a": 1}]), r"classes\[1\] must be"),
    "coef huge": (lambda d: d["coef"][0].__setitem__(0, 1e200), "overflow and give NaN probabilities"),
    "intercept huge": (_set(("intercept",), [-1e300]), "overflow"),
    "coef integer beyond float": (lambda d: d["coef"][0].__setitem__(0, 10**400), "finite numbers"),
    "coef text": (lambda d: d["coef"][0].__setitem__(0, "1"), "finite numbers"),
    "coef bool": (lambda d: d["coef"][0].__setitem__(0, True), "finite numbers"),
    "coef ragged": (lambda d: d["coef"].append([1.0]), "different lengths|rows but"),
    "coef not a list": (_set(("coef",), "x"), "coef must be"),
    "intercept wrong length": (_set(("intercept",), [0.0, 1.0]), "intercept has 2 values"),
    "feature names not strings": (
        lambda d: d.__setitem__("feature_names", list(range(len(d["feature_names"])))),
        "must be a string",
    ),
    "feature names duplicate": (lambda d: d["feature_names"].__setitem__(1, d["feature_names"][0]), "duplicates"),
    "feature_names_in text": (_set(("feature_names_in",), "true"), "true or false"),
    "converged no": (_set(("training", "converged"), "no"), r"training\.converged must be true or false"),
    "solver a dict": (_set(("training", "solver"), {"a": 1}), r"training\.solver must be a string"),
    "n_iter overflows": (_set(("training", "n_iter"), 10**30), r"training\.n_iter must be an integer"),
    "n_passes negative": (_set(("training", "n_passes"), -1), r"training\.n_passes must be"),
    "grad_norm negative": (_set(("training", "grad_norm"), -1.0), r"training\.grad_norm must be"),
    "history text": (_set(("training", "objective_history"), "x"), "objective_history must be a list"),
    "n_samples overflows": (_set(("training", "n_samples"), 10**30), r"training\.n_samples must be"),
    "missing policy unknown": (_set(("training", "missing"), "guess"), r"training\.missing must be one of"),
    "diagnostic category": (
        _set(("training", "diagnostics"), [{"category": "os.system", "message": "m", "features": []}]),
        "not a logreg warning class",
    ),
    "training a list": (_set(("training",), [1]), "training must be an object"),
    "option C text": (_set(("options", "C"), "abc"), r"options\.C must be"),
    "option C negative": (_set(("options", "C"), -1.0), r"options\.C must be"),
    "option max_iter overflows": (_set(("options", "max_iter"), 10**30), r"options\.max_iter must be"),
    "option tol negative": (_set(("options", "tol"), -1.0), r"options\.tol must be"),
    "option l1_ratio > 1": (_set(("options", "l1_ratio"), 2.0), r"options\.l1_ratio must be"),
    "option learning_rate 0": (_set(("options", "learning_rate"), 0), r"options\.learning_rate must be"),
    "option fit_intercept text": (_set(("options", "fit_intercept"), "yes"), "true or false"),
    "option verbose negative": (_set(("options", "verbose"), -1), r"options\.verbose must be"),
    "option solver unknown": (_set(("options", "solver"), "magic"), "invalid options"),
    "option unknown": (_set(("options", "bogus"), 1), "unknown field"),
    "class_weight negative": (
        _set(("options", "class_weight"), {"pairs": [["no", -1.0], ["yes", 1.0]]}),
        "class weights must be finite numbers >= 0",
    ),
    "class_weight text": (_set(("options", "class_weight"), "heavy"), r"options\.class_weight must be"),
    "fisher not psd": (_fisher(lambda f: -f), "not positive semi-definite"),
    "fisher asymmetric": (_fisher(lambda f: f + np.triu(np.ones_like(f), 1)), "not symmetric"),
    "fisher zero": (_fisher(np.zeros_like), "is zero"),
    "fisher wrong shape": (_fisher(lambda f: f[:-1, :-1]), "has shape"),
    "meat not psd": (
        lambda d: d["statistics"]["inference"].__setitem__(
            "meat", (-np.eye(len(d["statistics"]["inference"]["meat"]))).tolist()
        ),
        "meat is not positive",
    ),
    "params mismatch": (
        lambda d: d["statistics"]["inference"].__setitem__(
            "params", [0.0] * len(d["statistics"]["inference"]["params"])
        ),
        "do not match coef",
    ),
    "n_rows overflows": (_set((*_INF, "n_rows"), 10**30), r"n_rows must be an integer"),
    "weight_sum zero": (_set((*_INF, "weight_sum"), 0), r"weight_sum must be a finite number > 0"),
    "inference n_classes": (_set((*_INF, "n_classes"), 3), "different model"),
    "statistic text": (_set(("statistics", "aic"), "x"), r"statistics\.aic must be"),
    "statistic beyond float": (_set(("statistics", "nobs"), 10**400), r"statistics\.nobs must be"),
    "statistics unknown": (_set(("statistics", "secret"), 1), "unknown field"),
    "column kind": (_column("numeric", "kind", "weird"), r"kind must be one of"),
    "levels unsorted": (_column("categorical", "levels", ["c", "b", "a"]), "not sorted"),
    "levels duplicate": (_column("categorical", "levels", ["a", "a", "b"]), "duplicates"),
    "reference not a level": (_column("categorical", "reference", "z"), "reference is not one of its levels"),
    "numeric fill text": (_column("numeric", "fill", "x"), "fill must be a number"),
    "column name repeated": (
        lambda d: d["columns"][1].__setitem__("name", d["columns"][0]["name"]),
        "repeats an earlier column",
    ),
    "columns mismatch names": (lambda d: d["columns"].pop(0), "do not match"),
    "target a number": (_set(("target",), 5), "target must be a string"),
    "created a number": (_set(("created",), 5), "created must be a string"),
    "logreg_version a number": (_set(("logreg_version",), 1), "logreg_version must be a string"),
    "format_version text": (_set(("format_version",), "1"), "format_version must be an integer"),
    "format_version huge": (_set(("format_version",), 10**30), "upgrade logreg"),
    "format other": (_set(("format",), "other"), "'format' is"),
    "missing field": (lambda d: d.pop("coef"), "missing field"),
    "unknown field": (_set(("extra",), 1), "unknown field"),
}
RAW_CASES = {
    "not json": (lambda t: "hello", "not valid JSON"),
    "truncated": (lambda t: t[: len(t) // 2], "truncated"),
    "nan": (lambda t: t.replace('"intercept": [', '"intercept": [NaN, ', 1), "not valid JSON"),
    "infinity literal": (lambda t: t.replace('"intercept": [', '"intercept": [1e999, ', 1), "finite numbers|intercept"),
    "a list": (lambda t: "[1, 2]", "must be a JSON object"),
    "deeply nested": (lambda t: "[" * 100000 + "]" * 100000, "not valid JSON|must be a JSON object"),
}


def _mutated(model_text, mutate):
    doc = json.loads(model_text)
    mutate(doc)
    return json.dumps(doc)


@pytest.mark.parametrize("case", sorted(MODEL_CASES))
def test_tampered_model_is_a_model_file_error(model_text, case):
    mutate, match = MODEL_CASES[case]
    with pytest.raises(ModelFileError, match=match) as exc:
        loads(_mutated(model_text, mutate), "m.json")
    message = str(exc.value)
    assert "\n" not in message and message.startswith("m.json")
    assert "refit" in message or "upgrade" in message or "not valid JSON" in message


@pytest.mark.parametrize("case", sorted(RAW_CASES))
def test_damaged_model_text_is_a_model_file_error(model_text, case):
    damage, match = RAW_CASES[case]
    with pytest.raises(ModelFileError, match=match):
        loads(damage(model_text), "m.json")


@pytest.mark.parametrize("case", sorted(MODEL_CASES)[::3] + sorted(RAW_CASES))
def test_cli_refuses_tampered_model(model_text, tmp_path, case):
    (tmp_path / "train.csv").write_text(CSV)
    text = RAW_CASES[case][0](model_text) if case in RAW_CASES else _mutated(model_text, MODEL_CASES[case][0])
    (tmp_path / "m.json").write_text(text)
    run_bad(
        tmp_path,
        ["predict", tmp_path / "train.csv", "-m", tmp_path / "m.json", "-o", tmp_path / "p.csv"],
        match=r"m\.json",
    )


def _special_files(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "zero-link"
    link.symlink_to("/dev/zero")
    (tmp_path / "dir").mkdir()
    return {"device": "/dev/zero", "fifo": fifo, "symlink to a device": link, "directory": tmp_path / "dir"}


@pytest.mark.parametrize("kind", ["device", "fifo", "symlink to a device", "directory"])
def test_model_path_that_is_not_a_regular_file(tmp_path, kind):
    path = _special_files(tmp_path)[kind]
    with pytest.raises(ModelFileError, match="not a regular file"):
        read_model(path)  # no hang on the FIFO, no endless read of the device


@pytest.mark.parametrize("kind", ["device", "fifo", "symlink to a device", "directory"])
def test_data_path_that_is_not_a_regular_file(tmp_path, kind):
    path = _special_files(tmp_path)[kind]
    with pytest.raises(DataError, match="not a regular file") as exc:
        read_table(path)
    if kind == "fifo":
        assert "'-'" in str(exc.value)  # says how pipes are read


@pytest.mark.parametrize("kind", ["device", "fifo", "symlink to a device", "directory"])
def test_cli_special_files(tmp_path, model_text, kind):
    special = _special_files(tmp_path)
    (tmp_path / "train.csv").write_text(CSV)
    (tmp_path / "m.json").write_text(model_text)
    # fit reads a directory of Parquet files (out of core): an empty one is named as such
    data_error = "holds no .parquet files" if kind == "directory" else "not a regular file"
    run_bad(tmp_path, ["fit", special[kind], "-t", "label", "-m", tmp_path / "out.json"], match=data_error)
    run_bad(tmp_path, ["predict", tmp_path / "train.csv", "-m", special[kind]], match="not a regular file")


def test_pickle_model_file_is_refused(tmp_path):
    (tmp_path / "m.json").write_bytes(pickle.dumps({"coef": [1]}))
    with pytest.raises(ModelFileError, match="never loads pickles"):
        read_model(tmp_path / "m.json")


# ---------------------------------------------------------------- CLI data
def _write(path, content):
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, pa.Table):
        pq.write_table(content, path)
    else:
        path.write_text(content)
    return path


GZIP_HEAD = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"garbage"
DATA_CASES = {
    # name: (file name, content, extra args, match)
    "text named .csv.gz": ("d.csv.gz", CSV, [], r"named \.gz but is not gzip-compressed; rename it"),
    "corrupt gzip": ("d.csv.gz", GZIP_HEAD, [], "could not parse"),
    "text named .csv.bz2": ("d.csv.bz2", CSV, [], "not bz2-compressed"),
    "binary data": ("d.csv", b"\x00\x01\x02" * 100, [], "binary data"),
    "not utf-8": ("d.csv", "a,label\n\xe9,1\n".encode("latin-1"), [], "not UTF-8"),
    "empty": ("d.csv", "", [], "is empty"),
    "header only": ("d.csv", "x1,label\n", [], "no data rows"),
    "bad parquet": ("d.parquet", b"PAR1 not really", [], "as Parquet"),
    "target missing": ("d.csv", CSV, ["-t", "nope"], "target column 'nope' not in"),
    "one class": ("d.csv", "x,label\n1,a\n2,a\n", [], "one class"),
    "semicolons": ("d.csv", "x;label\n1;a\n2;b\n", [], "separated by ';'"),
    "duplicate columns": ("d.csv", "x,x,label\n1,2,a\n2,3,b\n", [], "duplicate column names"),
    "empty feature column": ("d.csv", "x,e,label\n1,,a\n2,,b\n", [], "every value is missing"),
    "missing values": ("d.csv", "x,label\n1,a\n,b\n3,a\n", [], "--missing drop"),
    "negative weight": ("d.csv", "x,w,label\n1,1,a\n2,-1,b\n3,1,a\n", ["-w", "w"], "non-negative"),
    "weights zero": ("d.csv", "x,w,label\n1,0,a\n2,0,b\n", ["-w", "w"], "sums to zero"),
    "class of zero weight": ("d.csv", "x,w,label\n1,1,a\n2,0,b\n3,1,a\n4,0,b\n", ["-w", "w"], "total weight 0"),
    "target as weight": ("d.csv", "x,label\n1,0\n2,1\n3,0\n4,1\n", ["-w", "label"], "total weight 0"),
    "text weight": ("d.csv", "x,w,label\n1,a,a\n2,b,b\n", ["-w", "w"], "must be numeric"),
    "too many levels": (
        "d.csv",
        "k,label\n" + "".join(f"id{i},{'ab'[i % 2]}\n" for i in range(30)),
        ["--max-levels", "10"],
        "30 distinct values, more than --max-levels 10.*raise --max-levels",
    ),
    "max-levels zero": ("d.csv", CSV, ["--max-levels", "0"], "--max-levels must be >= 1"),
    "feature name collision": (
        "d.csv",
        "g,g=b,label\nb,1,0\na,2,1\nb,3,0\na,1,1\n",
        [],
        "both produce the feature 'g=b'",
    ),
    "binary target": (
        "d.parquet",
        pa.table({"x": [1.0, 2.0, 3.0], "label": pa.array([b"a", b"b", b"a"], type=pa.binary())}),
        [],
        "target column 'label' in .* has type binary, which cannot be class labels",
    ),
    "diverged gd": (
        "d.csv",
        CSV,
        ["-x", "id", "--solver", "gd", "--learning-rate", "1e6"],
        "diverged.*smaller --learning-rate",
    ),
    "C negative": ("d.csv", CSV, ["--C", "-1"], "--C must be > 0"),
    "missing policy": ("d.csv", CSV, ["--missing", "guess"], "--missing must be one of"),
    "unknown solver": ("d.csv", CSV, ["--solver", "magic"], "unknown solver"),
    "class weight": ("d.csv", CSV, ["--class-weight", "heavy"], "--class-weight must be"),
}


@pytest.mark.parametrize("case", sorted(DATA_CASES))
def test_cli_fit_refuses_bad_data(tmp_path, case):
    name, content, extra, match = DATA_CASES[case]
    data = _write(tmp_path / name, content)
    args = ["fit", data, "-m", tmp_path / "model.json"]
    if "-t" not in extra:
        args += ["-t", "label"]
    run_bad(tmp_path, args + extra, match=match)


def test_cli_fit_diverged_leaves_existing_model_untouched(tmp_path, model_text):
    (tmp_path / "d.csv").write_text(CSV)
    (tmp_path / "model.json").write_text(model_text)
    args = ["fit", tmp_path / "d.csv", "-t", "label", "-x", "id", "-m", tmp_path / "model.json", "--solver", "gd"]
    run_bad(tmp_path, [*args, "--learning-rate", "1e6"], match="the model was not written")
    assert (tmp_path / "model.json").read_text() == model_text


STDIN_CASES = {
    "binary stdin": (b"\x00" * 70000, "binary data"),
    "empty stdin": (b"", "standard input is empty"),
    "blank stdin": (b"\n\n  \n", "standard input is empty"),
}


@pytest.mark.parametrize("case", sorted(STDIN_CASES))
def test_cli_bad_standard_input(tmp_path, case):
    data, match = STDIN_CASES[case]
    run_bad(tmp_path, ["fit", "-", "-t", "label", "-m", tmp_path / "m.json"], input=data, match=match)


def test_cli_pipe_marker_still_reads_standard_input(tmp_path):
    res = runner.invoke(cli.app, ["fit", "-", "-t", "label", "-x", "id", "-m", str(tmp_path / "m.json")], input=CSV)
    assert res.exit_code == 0, res.stderr
    assert logreg.load(tmp_path / "m.json").classes_.tolist() == ["no", "yes"]


PREDICT_CASES = {
    "unseen level": ("x1,x2,grade\n1,2,z\n", "not seen in training"),
    "text in numeric": ("x1,x2,grade\nabc,2,a\n", "should be numeric"),
    "feature missing": ("x1,grade\n1,a\n", "feature column 'x2' not in"),
}


@pytest.mark.parametrize("case", sorted(PREDICT_CASES))
def test_cli_predict_refuses_bad_data(tmp_path, model_text, case):
    content, match = PREDICT_CASES[case]
    (tmp_path / "m.json").write_text(model_text)
    data = _write(tmp_path / "new.csv", content)
    run_bad(tmp_path, ["predict", data, "-m", tmp_path / "m.json", "-o", tmp_path / "p.csv"], match=match)


def test_cli_evaluate_refuses_negative_weights_and_unwritable_report(tmp_path, model_text):
    (tmp_path / "m.json").write_text(model_text)
    data = _write(tmp_path / "d.csv", "x1,x2,grade,label,w\n1,2,a,yes,-1\n2,1,b,no,1\n")
    run_bad(tmp_path, ["evaluate", data, "-m", tmp_path / "m.json", "-w", "w"], match="non-negative")
    # /proc refuses new entries even to root: the report directory is found unwritable before the work
    run_bad(
        tmp_path,
        ["evaluate", data, "-m", tmp_path / "m.json", "--report", "/proc/logreg-report"],
        match="cannot be written",
    )


def test_cli_summary_groups_with_missing_values(tmp_path, model_text):
    (tmp_path / "m.json").write_text(model_text)
    rows = CSV.splitlines()
    text = rows[0] + ",g\n" + "".join(f"{r},{'' if i == 3 else i % 4}\n" for i, r in enumerate(rows[1:]))
    data = _write(tmp_path / "d.csv", text)
    run_bad(
        tmp_path,
        ["summary", "-m", tmp_path / "m.json", data, "--cov-type", "cluster", "--groups", "g"],
        match="missing cluster labels",
    )


EXPLAIN_CASES = {
    "infinite learning rate": (["--learning-rate", "inf"], "finite number > 0"),
    "nan learning rate": (["--learning-rate", "nan"], "finite number > 0"),
    "negative learning rate": (["--learning-rate", "-1"], "finite number > 0"),
    "unbounded steps": (["--steps", "1000000000"], r"--steps must be in 0\.\.1000"),
    "negative steps": (["--steps", "-1"], "--steps must be in"),
    "one row": (["--rows", "1"], "--rows must be at least 2"),
}


@pytest.mark.parametrize("case", sorted(EXPLAIN_CASES))
def test_cli_explain_bounds(tmp_path, case):
    extra, match = EXPLAIN_CASES[case]
    run_bad(tmp_path, ["explain", *extra], match=match)


def test_cli_output_checks(tmp_path, model_text):
    (tmp_path / "d.csv").write_text(CSV)
    (tmp_path / "m.json").write_text(model_text)
    run_bad(
        tmp_path,
        ["fit", tmp_path / "d.csv", "-t", "label", "-m", tmp_path / "nodir" / "m.json"],
        match="does not exist",
    )
    run_bad(tmp_path, ["fit", tmp_path / "d.csv", "-t", "label", "-m", tmp_path], match="is a directory")
    run_bad(
        tmp_path,
        ["predict", tmp_path / "d.csv", "-m", tmp_path / "m.json", "-o", tmp_path / "p.txt"],
        match="name it .csv",
    )


# ---------------------------------------------------------------- API
def _xy(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = np.where(X[:, 0] + rng.normal(size=n) > 0, "b", "a")
    return X, y


API_FIT_CASES = {
    "negative class_weight": (
        dict(class_weight={"a": -1.0, "b": 1.0}),
        None,
        "class weights must be finite numbers >= 0",
    ),
    "nan class_weight": (dict(class_weight={"a": float("nan"), "b": 1.0}), None, "class weights must be finite"),
    "text class_weight": (dict(class_weight={"a": "x", "b": 1.0}), None, "class weights must be finite"),
    "zero class_weight": (dict(class_weight={"a": 0.0, "b": 1.0}), None, "class 'a' has total weight 0"),
    "class rows weigh zero": ({}, "zero-a", "class 'a' has total weight 0"),
    "negative sample_weight": ({}, "negative", "Sample weights must be >= 0"),
    "all weights zero": ({}, "zeros", "at least one non-zero|sum to zero|total weight 0"),
}


@pytest.mark.parametrize("case", sorted(API_FIT_CASES))
def test_api_fit_refuses_meaningless_weights(case):
    params, weights, match = API_FIT_CASES[case]
    X, y = _xy()
    sw = {
        None: None,
        "zero-a": np.where(y == "a", 0.0, 1.0),
        "negative": np.where(np.arange(y.size) == 3, -1.0, 1.0),
        "zeros": np.zeros(y.size),
    }[weights]
    X0, y0 = X.copy(), y.copy()
    with pytest.raises(ValueError, match=match):
        LogisticRegression(**params).fit(X, y, sample_weight=sw)
    assert np.array_equal(X, X0) and np.array_equal(y, y0)


@pytest.mark.parametrize("case", ["negative class_weight", "zero class_weight", "class rows weigh zero"])
def test_dask_fit_refuses_the_same_weights(case):
    da = pytest.importorskip("dask.array")
    params, weights, match = API_FIT_CASES[case]
    X, y = _xy()
    sw = None if weights is None else da.from_array(np.where(y == "a", 0.0, 1.0), chunks=20)
    with pytest.raises(ValueError, match=match):
        LogisticRegression(**params).fit(
            da.from_array(X, chunks=(20, 2)), da.from_array(y, chunks=20), sample_weight=sw
        )


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ([-1.0] + [1.0] * 39, "Sample weights must be >= 0"),
        ([np.nan] + [1.0] * 39, "contains NaN"),
        ([0.0] * 40, "at least one non-zero"),
    ],
)
def test_api_evaluate_refuses_bad_weights(weights, match):
    X, y = _xy()
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match=match):
        evaluate(model, X, y, sample_weight=np.asarray(weights))


@pytest.mark.parametrize("bad", [None, np.nan])
def test_api_summary_groups_with_missing_labels_is_a_value_error(bad):
    X, y = _xy()
    model = LogisticRegression(penalty=None).fit(X, y)
    groups = np.array([bad if i == 5 else i % 4 for i in range(40)], dtype=object)
    with pytest.raises(ValueError, match="missing cluster labels.*give every row a cluster label"):
        model.summary(X, y, cov_type="cluster", groups=groups)


def test_api_save_datetime_labels_refused_clearly(tmp_path):
    X, _ = _xy()
    y = np.array(["2020-01-01", "2020-01-02"] * 20, dtype="datetime64[D]")
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ModelFileError, match="of type date .*cannot hold.*converted to strings"):
        model.save(tmp_path / "m.json")
    assert not list(tmp_path.iterdir())


def test_api_save_diverged_model_refused(tmp_path):
    X, y = _xy()
    model = LogisticRegression().fit(X, y)
    model.coef_ = model.coef_ * 1e160
    with pytest.raises(ModelFileError, match="diverged fit"):
        model.save(tmp_path / "m.json")
    assert not list(tmp_path.iterdir())


def test_api_explain_bounds():
    from logreg.explain import explain

    X, y = _xy(6)
    y01 = (y == "b").astype(float)
    with pytest.raises(ValueError, match="finite number > 0"):
        explain(X, y01, learning_rate=float("inf"))
    with pytest.raises(ValueError, match="steps must be an integer in 0..1000"):
        explain(X, y01, steps=10**9)


def test_whitespace_labels_warn():
    X, _ = _xy()
    y = np.array(["yes", " yes", "no", "no"] * 10)
    with pytest.warns(DataWarning, match="differ only in surrounding whitespace"):
        LogisticRegression().fit(X, y)


def test_big_int64_features_warn_with_the_true_reason(tmp_path):
    ids = [2**60 + i for i in range(8)]
    text = "big,x,label\n" + "".join(f"{b},{i % 3},{'ab'[i % 2]}\n" for i, b in enumerate(ids))
    (tmp_path / "d.csv").write_text(text)
    res = runner.invoke(cli.app, ["fit", str(tmp_path / "d.csv"), "-t", "label", "-m", str(tmp_path / "m.json")])
    assert res.exit_code == 0, res.stderr
    assert "beyond 2**53" in res.stderr and "should be numeric" not in res.stderr
    res = runner.invoke(cli.app, ["predict", str(tmp_path / "d.csv"), "-m", str(tmp_path / "m.json")])
    assert res.exit_code == 0, res.stderr
    warned = [ln for ln in res.stderr.splitlines() if "2**53" in ln]
    assert len(warned) == 1 and warned[0].startswith("logreg: warning: DataWarning: ")
    assert "warnings.warn" not in res.stderr  # one line, not Python's two-line format


def test_date_target_becomes_iso_labels_that_save(tmp_path):
    table = pa.table({"x": [1.0, 2.0, 3.0, 4.0], "day": pa.array([dt.date(2020, 1, 1 + i % 2) for i in range(4)])})
    pq.write_table(table, tmp_path / "d.parquet")
    res = runner.invoke(cli.app, ["fit", str(tmp_path / "d.parquet"), "-t", "day", "-m", str(tmp_path / "m.json")])
    assert res.exit_code == 0, res.stderr
    assert logreg.load(tmp_path / "m.json").classes_.tolist() == ["2020-01-01", "2020-01-02"]


def test_symlinked_model_path_is_written_through(tmp_path, model_text):
    (tmp_path / "d.csv").write_text(CSV)
    (tmp_path / "real.json").write_text("old")
    link = tmp_path / "model.json"
    link.symlink_to("real.json")
    res = runner.invoke(cli.app, ["fit", str(tmp_path / "d.csv"), "-t", "label", "-x", "id", "-m", str(link)])
    assert res.exit_code == 0, res.stderr
    assert link.is_symlink() and os.readlink(link) == "real.json"
    assert json.loads((tmp_path / "real.json").read_text())["format"] == "logreg-model"


def test_catalogue_size():
    n = (
        len(MODEL_CASES)
        + len(RAW_CASES)
        + len(DATA_CASES)
        + len(STDIN_CASES)
        + len(PREDICT_CASES)
        + len(EXPLAIN_CASES)
        + len(API_FIT_CASES)
        + 8  # special files, model and data
    )
    assert n >= 80


def test_interrupt_while_the_command_imports_prints_one_line(tmp_path):
    """Ctrl-C before the command's own handler exists (during its imports): one line, killed by SIGINT."""
    import signal
    import subprocess
    import sys

    code = "import logreg.cli\nraise KeyboardInterrupt\n"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert res.stderr == "logreg: error: interrupted\n"
    assert res.returncode in (-signal.SIGINT, 130)
    # `import logreg` itself is light: the window before the handler is as short as can be
    code = "import sys, logreg\nassert 'numpy' not in sys.modules and 'sklearn' not in sys.modules\n"
    assert subprocess.run([sys.executable, "-c", code], env=env, timeout=120).returncode == 0


def test_design_larger_than_memory_is_refused_before_encoding(monkeypatch):
    from logreg.io import tables

    monkeypatch.setattr(tables, "_memory_bytes", lambda: 1000)  # a machine of 1000 bytes
    table = pa.table({"x": np.arange(200.0), "label": ["a", "b"] * 100})
    with pytest.raises(DataError, match=r"design matrix .* more than this machine's .* memory; select fewer"):
        tables.prepare_training(table, target="label")


def test_console_script_refuses_process_substitution(tmp_path):
    """The installed command, through a shell: `<(cat f)` is a pipe path, refused naming '-'."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("logreg")
    bash = shutil.which("bash")
    if not exe.exists() or bash is None:
        pytest.skip("needs the installed logreg console script and bash")
    (tmp_path / "d.csv").write_text(CSV)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    # (the '-' marker through the installed command: test_cli_e2e; in-process: above)
    script = f'{exe} fit <(cat d.csv) -t label -x id -m a.json; echo "rc=$?"'
    res = subprocess.run([bash, "-c", script], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300)
    assert res.stdout == "rc=2\n", (res.stdout, res.stderr)
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("logreg: error:")]
    assert len(errors) == 1 and "pipe" in errors[0] and "'-'" in errors[0] and "Traceback" not in res.stderr
    assert not (tmp_path / "a.json").exists()


def test_output_path_that_is_a_fifo_or_links_to_one_is_refused(tmp_path):
    """The atomic rename would replace a device or FIFO (think /dev/null as root) with a regular file."""
    (tmp_path / "d.csv").write_text(CSV)
    os.mkfifo(tmp_path / "out.fifo")
    (tmp_path / "link.json").symlink_to("out.fifo")
    for out in ("out.fifo", "link.json"):
        run_bad(tmp_path, ["fit", tmp_path / "d.csv", "-t", "label", "-m", tmp_path / out], match="not a regular file")
    assert (tmp_path / "link.json").is_symlink()
    import stat

    assert stat.S_ISFIFO(os.stat(tmp_path / "out.fifo").st_mode)


def test_separated_fits_save_and_load(tmp_path):
    """What the validator refuses is tampering, not a legitimate fit at the edge (separated classes)."""
    X = np.linspace(-3, 3, 40)[:, None]
    y = (X[:, 0] > 0).astype(int)
    for solver in ("newton", "lbfgs", "gd"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = LogisticRegression(penalty=None, solver=solver, max_iter=1000).fit(X, y)
        model.save(tmp_path / "m.json")
        np.testing.assert_array_equal(logreg.load(tmp_path / "m.json").coef_, model.coef_)


@pytest.mark.parametrize(
    "params",
    [dict(), dict(penalty="l1"), dict(l1_ratio=0.5), dict(penalty=None), dict(penalty="firth"), dict(C=np.inf)],
    ids=["l2", "l1", "elasticnet", "none", "firth", "C=inf"],
)
def test_every_penalty_saves_and_loads(tmp_path, params):
    X, y = _xy(60)
    model = LogisticRegression(**params).fit(X, y)
    model.save(tmp_path / "m.json")
    loaded = logreg.load(tmp_path / "m.json")
    assert loaded.get_params() == model.get_params()
    np.testing.assert_array_equal(loaded.coef_, model.coef_)
