"""``logreg fit --offset COLUMN`` and ``--bound`` / ``--nonnegative``: the model file keeps both,
predict / evaluate / summary read the offset column; bad specifications exit 2 without a traceback.
Results are checked against statsmodels and against the library fitted on the same arrays."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pytest
from scipy import special
from typer.testing import CliRunner

import logreg
from logreg import cli
from logreg.cli.bounds import parse_bounds

runner = CliRunner()


def run(*args):
    return runner.invoke(cli.app, [str(a) for a in args])


def _table(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    expo = rng.uniform(0.5, 2.0, size=n)
    z = X @ [1.0, -1.0, 0.5] + np.log(expo)
    y = (rng.random(n) < special.expit(z)).astype(int)
    return pa.table({"x1": X[:, 0], "x2": X[:, 1], "x3": X[:, 2], "log_expo": np.log(expo), "y": y}), X, y


def _std_err(result):
    """The std_err column of ``logreg summary --json`` (const first)."""
    return [row["std_err"] for row in json.loads(result.stdout)["coefficients"]]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("offset")
    table, X, y = _table()
    pcsv.write_csv(table, d / "train.csv")
    return d, X, y, table.column("log_expo").to_numpy()


def test_parse_bounds_forms_and_errors():
    assert parse_bounds(["a>=0", "b<=2", "-1<=c<=1", "0<=d", "3>=e"]) == {
        "a": (0.0, None),
        "b": (None, 2.0),
        "c": (-1.0, 1.0),
        "d": (0.0, None),
        "e": (None, 3.0),
    }
    assert parse_bounds(["a>=-1", "a<=1"], ["a"]) == {"a": (0.0, 1.0)}  # the tightest of each side
    assert parse_bounds() is None
    for bad in ("a", "a=0", "a>=x", "a>=nan", ">=0"):
        with pytest.raises(ValueError, match="--bound"):
            parse_bounds([bad])
    with pytest.raises(ValueError, match="leave no value"):
        parse_bounds(["a>=1"], nonpositive=["a"])


def test_fit_with_offset_matches_statsmodels_and_round_trips(data, tmp_path):
    sm = pytest.importorskip("statsmodels.api")
    d, X, y, o = data
    model = tmp_path / "m.json"
    r = run("fit", d / "train.csv", "-t", "y", "--offset", "log_expo", "--penalty", "none", "--tol", "1e-10",
            "-m", model, "-q")  # fmt: skip
    assert r.exit_code == 0, r.output
    ref = sm.Logit(y, sm.add_constant(X), offset=o).fit(disp=0, tol=1e-14)
    mf = logreg.io.modelfile.read_model(model)
    assert mf.offset == "log_expo" and mf.feature_names == ["x1", "x2", "x3"]
    np.testing.assert_allclose(np.r_[mf.model.intercept_, mf.model.coef_[0]], ref.params, atol=1e-8)
    # predict reads the offset column of its data
    pred = run("predict", d / "train.csv", "-m", model, "--json")
    assert pred.exit_code == 0, pred.output
    p1 = np.array([row["proba_1"] for row in json.loads(pred.stdout)["rows"]])
    np.testing.assert_allclose(p1, ref.predict(sm.add_constant(X), offset=o), rtol=1e-7)
    # summary from the stored statistics: statsmodels' standard errors
    s = run("summary", "-m", model, "--json")
    assert s.exit_code == 0, s.output
    np.testing.assert_allclose(_std_err(s), ref.bse, rtol=1e-6)
    # ... and recomputed from the data, which carries the offset column
    s2 = run("summary", "-m", model, d / "train.csv", "--json")
    assert s2.exit_code == 0, s2.output
    np.testing.assert_allclose(_std_err(s2), ref.bse, rtol=1e-6)
    # --margins averages dP/dx = p (1 - p) b_j with p at z + offset over the rows
    mg = run("summary", "-m", model, d / "train.csv", "--margins", "overall", "--json")
    assert mg.exit_code == 0, mg.output
    p = ref.predict(sm.add_constant(X), offset=o)
    dydx = [row["dydx"] for row in json.loads(mg.stdout)["marginal_effects"]["rows"]]
    np.testing.assert_allclose(dydx, np.mean(p * (1 - p)) * ref.params[1:], rtol=1e-7)
    ev = run("evaluate", d / "train.csv", "-m", model, "--json")
    assert ev.exit_code == 0, ev.output
    p = ref.predict(sm.add_constant(X), offset=o)
    log_loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert json.loads(ev.stdout)["log_loss"] == pytest.approx(log_loss, rel=1e-7)


def test_data_without_the_offset_column_is_refused(data, tmp_path):
    d, *_ = data
    model = tmp_path / "m.json"
    assert run("fit", d / "train.csv", "-t", "y", "--offset", "log_expo", "-m", model, "-q").exit_code == 0
    table, *_ = _table(n=20, seed=1)
    pcsv.write_csv(table.drop_columns(["log_expo"]), tmp_path / "new.csv")
    r = run("predict", tmp_path / "new.csv", "-m", model)
    assert r.exit_code == 2 and "log_expo" in r.stderr and "Traceback" not in r.stderr


def test_bounds_reach_the_fit_and_the_model_file(data, tmp_path):
    d, X, y, o = data
    model = tmp_path / "b.json"
    r = run("fit", d / "train.csv", "-t", "y", "--exclude", "log_expo", "--nonnegative", "x2", "--bound", "x3<=0.2",
            "--tol", "1e-10", "-m", model, "-q")  # fmt: skip
    assert r.exit_code == 0, r.output
    mf = logreg.io.modelfile.read_model(model)
    lib = logreg.LogisticRegression(coef_bounds=([-np.inf, 0, -np.inf], [np.inf, np.inf, 0.2]), tol=1e-10).fit(X, y)
    np.testing.assert_allclose(mf.model.coef_, lib.coef_, atol=1e-9)
    assert mf.model.coef_[0, 1] == 0.0  # x2's true coefficient is negative: held at 0
    np.testing.assert_array_equal(mf.model.coef_bounds_[0], [[-np.inf, 0.0, -np.inf]])
    np.testing.assert_array_equal(mf.model.coef_bounds_[1], [[np.inf, np.inf, 0.2]])
    s = run("summary", "-m", model, "--json")
    assert s.exit_code == 0
    assert _std_err(s)[2] is None  # NaN in JSON: the bound coefficient has none


@pytest.mark.parametrize(
    "args, message",
    [
        (["--bound", "x2=>0"], "--bound"),
        (["--bound", "nope>=0"], "nope"),
        (["--bound", "x1>=1", "--nonpositive", "x1"], "leave no value"),
        (["--solver", "newton", "--nonnegative", "x1"], "cannot keep the coefficients"),
        (["--offset", "nope"], "nope"),
        (["--offset", "log_expo", "--solver", "sgd"], "--offset"),
    ],
)
def test_bad_specifications_exit_2(data, tmp_path, args, message):
    d, *_ = data
    r = run("fit", d / "train.csv", "-t", "y", *args, "-m", tmp_path / "m.json", "-q")
    assert r.exit_code == 2, r.output
    assert message in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "m.json").exists()
