"""The JSON model file: round trips, and refusals of everything else."""

from __future__ import annotations

import json
import math
import pickle
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import logreg
from logreg import LogisticRegression
from logreg.exceptions import ModelFileError
from logreg.io.modelfile import FORMAT_VERSION, dumps, loads, read_model
from logreg.io.tables import ColumnEncoding


def _data(n_classes=2, n=40, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X @ rng.normal(size=d) + rng.normal(size=n) > 0).astype(int) if n_classes == 2 else np.arange(n) % n_classes
    return X, y


@pytest.fixture
def fitted():
    X, y = _data()
    return LogisticRegression(C=2.0).fit(X, y), X, y


def test_save_load_round_trip_is_exact(tmp_path, fitted):
    model, X, _ = fitted
    path = tmp_path / "model.json"
    assert model.save(path) is model
    loaded = logreg.load(path)
    assert isinstance(loaded, LogisticRegression)
    np.testing.assert_array_equal(loaded.coef_, model.coef_)
    np.testing.assert_array_equal(loaded.intercept_, model.intercept_)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded.get_params() == model.get_params()
    assert loaded.solver_ == model.solver_ and loaded.converged_ == model.converged_
    np.testing.assert_array_equal(loaded.objective_history_, model.objective_history_)
    np.testing.assert_array_equal(loaded.n_iter_, model.n_iter_)


@pytest.mark.parametrize(
    "labels", [["cat", "dog", "emu"], [3, 7, 9], [-1.0, 1.0]], ids=["str-multinomial", "int-multinomial", "float"]
)
def test_round_trip_keeps_class_labels(tmp_path, labels):
    X, codes = _data(n_classes=len(labels))
    y = np.asarray(labels)[codes % len(labels)]
    model = LogisticRegression().fit(X, y)
    model.save(tmp_path / "m.json")
    loaded = logreg.load(tmp_path / "m.json")
    assert loaded.classes_.tolist() == model.classes_.tolist()
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X), rtol=0, atol=0)


def test_round_trip_options_json_cannot_hold_directly(tmp_path):
    X, y = _data()
    model = LogisticRegression(penalty=None, C=math.inf, class_weight={0: 1.0, 1: 3.0}, max_iter=50).fit(X, y)
    model.save(tmp_path / "m.json")
    loaded = logreg.load(tmp_path / "m.json")
    assert loaded.C == math.inf and loaded.penalty is None
    assert loaded.class_weight == {0: 1.0, 1: 3.0}  # int keys survive JSON


def test_summary_after_load_equals_summary_after_fit(tmp_path):
    X, y = _data(n=80)
    model = LogisticRegression(penalty=None).fit(X, y)
    model.save(tmp_path / "m.json")
    loaded = logreg.load(tmp_path / "m.json")
    before, after = model.summary(cov_type="HC0"), loaded.summary(cov_type="HC0")
    np.testing.assert_array_equal(after.std_err, before.std_err)
    assert after.log_likelihood == before.log_likelihood and after.aic == before.aic
    doc = json.loads((tmp_path / "m.json").read_text())
    assert doc["statistics"]["aic"] == pytest.approx(before.aic, rel=1e-12)


def test_fit_diagnostics_travel_with_the_model(tmp_path):
    from sklearn.datasets import load_iris

    from logreg.exceptions import PerfectSeparationWarning

    X, y = load_iris(return_X_y=True)
    with pytest.warns(PerfectSeparationWarning):
        model = LogisticRegression(penalty=None).fit(X[y < 2], y[y < 2])
    model.save(tmp_path / "m.json")
    loaded = logreg.load(tmp_path / "m.json")
    assert loaded.model_.diagnostics == model.model_.diagnostics
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert any("Perfect separation" in note for note in loaded.summary().notes)
    doc = json.loads((tmp_path / "m.json").read_text())
    doc["training"]["diagnostics"][0]["category"] = "SystemExit"
    with pytest.raises(ModelFileError, match="not a logreg warning class"):
        loads(json.dumps(doc))


def test_feature_names_and_column_encoding(tmp_path):
    import pyarrow as pa

    X, y = _data()
    table = pa.table({"u": X[:, 0], "v": X[:, 1], "w": X[:, 2]})
    model = LogisticRegression().fit(table, y)
    cols = [ColumnEncoding("u", "numeric", fill=0.0), ColumnEncoding("v", "numeric"), ColumnEncoding("w", "numeric")]
    text = dumps(model, columns=cols, target="label")
    mf = loads(text)
    assert mf.feature_names == ["u", "v", "w"] and mf.target == "label"
    assert list(mf.model.feature_names_in_) == ["u", "v", "w"]
    assert [c.to_dict() for c in mf.columns] == [c.to_dict() for c in cols]
    # save() of a loaded model keeps the encoding it was loaded with
    mf.model.save(tmp_path / "again.json")
    assert read_model(tmp_path / "again.json").columns[0].fill == 0.0


def test_file_is_plain_versioned_json_without_pickle(tmp_path, fitted):
    model, _, _ = fitted
    model.save(tmp_path / "m.json")
    doc = json.loads((tmp_path / "m.json").read_text())
    assert doc["format"] == "logreg-model" and doc["format_version"] == FORMAT_VERSION
    assert doc["logreg_version"] == logreg.__version__
    assert doc["options"]["C"] == 2.0 and doc["training"]["converged"] is True
    assert len(doc["coef"]) == 1 and len(doc["coef"][0]) == 3


def test_no_pickle_anywhere_in_the_package():
    src = Path(logreg.__file__).parent
    offenders = [
        str(p.relative_to(src))
        for p in src.rglob("*.py")
        if re.search(r"^\s*(import|from)\s+(c?pickle|joblib|dill|cloudpickle)\b", p.read_text(), re.M)
    ]
    assert offenders == []


# ------------------------------------------------------------------ refusals
def _valid_doc(fitted):
    return json.loads(dumps(fitted[0]))


def _tamper(doc, path, value):
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return json.dumps(doc)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("coef",), [[1.0, 2.0]], r"coef rows have 2 values, expected 3"),
        (("coef",), [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]], r"coef has 2 rows but 2 classes need 1"),
        (("intercept",), [0.0, 1.0], r"intercept has 2 values, expected 1"),
        (("feature_names",), ["a", "a", "b"], "duplicates"),
        (("classes",), [0], "classes has 1 entries, needs 2 or more"),
        (("classes",), [0, "1"], "must all be strings"),
        (("coef",), [[1.0, "x", 3.0]], "finite numbers"),
        (("format",), "something-else", "'format'"),
        (("format_version",), 0, "format_version must be an integer in"),
        (("options", "C"), -1.0, "options.C must be a finite number > 0"),
        (("options", "solver"), "magic", "invalid options"),
        (("options", "bogus"), 1, "options has unknown field"),
        (("extra",), 1, "unknown field"),
        (("statistics", "inference", "params"), [0.0, 0.0, 0.0, 0.0], "do not match coef"),
        (("statistics", "inference", "fisher"), [[1.0]], r"fisher has shape \(1, 1\), expected \(4, 4\)"),
    ],
)
def test_tampered_files_are_refused(fitted, path, value, message):
    text = _tamper(_valid_doc(fitted), path, value)
    with pytest.raises(ModelFileError, match=message) as exc:
        loads(text, "m.json")
    assert "\n" not in str(exc.value)


def test_missing_field_and_newer_version(fitted):
    doc = _valid_doc(fitted)
    del doc["intercept"]
    with pytest.raises(ModelFileError, match="missing field"):
        loads(json.dumps(doc))
    doc = _valid_doc(fitted)
    doc["format_version"] = FORMAT_VERSION + 1
    with pytest.raises(ModelFileError, match="upgrade logreg"):
        loads(json.dumps(doc))


def test_nan_is_not_json(fitted):
    text = json.dumps(_valid_doc(fitted)).replace('"intercept": [', '"intercept": [NaN, ', 1)
    with pytest.raises(ModelFileError, match="not valid JSON"):
        loads(text)


def test_read_refuses_missing_directory_empty_truncated_pickle_binary(tmp_path, fitted):
    with pytest.raises(ModelFileError, match="no such file"):
        read_model(tmp_path / "nope.json")
    with pytest.raises(ModelFileError, match="is a directory"):
        read_model(tmp_path)
    empty = tmp_path / "empty.json"
    empty.write_text("")
    with pytest.raises(ModelFileError, match="is empty"):
        read_model(empty)
    good = tmp_path / "good.json"
    fitted[0].save(good)
    truncated = tmp_path / "truncated.json"
    truncated.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    with pytest.raises(ModelFileError, match="truncated"):
        read_model(truncated)
    pk = tmp_path / "model.pkl"
    pk.write_bytes(pickle.dumps({"coef": [1, 2]}))
    with pytest.raises(ModelFileError, match="is a Python pickle; logreg never loads pickles"):
        read_model(pk)
    binary = tmp_path / "model.bin"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ModelFileError, match="not UTF-8"):
        read_model(binary)


def test_saving_unfitted_or_failing_leaves_existing_file(tmp_path, fitted):
    path = tmp_path / "m.json"
    fitted[0].save(path)
    before = path.read_bytes()
    with pytest.raises(Exception, match="not fitted"):
        LogisticRegression().save(path)
    assert path.read_bytes() == before
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        broken = LogisticRegression().fit(*_data())
    broken.coef_[0, 0] = np.nan
    with pytest.raises(ModelFileError, match="non-finite"):
        broken.save(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]
