"""``logreg fit data.parquet --solver sgd``: row groups streamed, the model near scikit-learn's optimum."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from _reference import objective, reference_optimum
from logreg import cli, load
from logreg.io import inputs, prepare_training

runner = CliRunner()
N = 12_000


def _table(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, 4))
    colour = rng.choice(["blue", "green", "red"], size=N)
    z = X @ np.array([1.0, -0.5, 0.3, 0.0]) + (colour == "red") * 0.8 - 0.2
    y = np.where(z + rng.logistic(size=N) > 0, "yes", "no")
    w = rng.uniform(0.5, 2.0, size=N)
    return pa.table({**{f"x{j}": X[:, j] for j in range(4)}, "colour": colour, "w": w, "y": y})


@pytest.fixture(scope="module")
def parquet_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("stream")
    table = _table()
    pq.write_table(table.slice(0, 7000), d / "a.parquet", row_group_size=2000)  # 4 row groups
    pq.write_table(table.slice(7000), d / "b.parquet", row_group_size=2000)  # 3 row groups
    return d, table


def test_streamed_fit_is_near_the_in_memory_optimum(parquet_dir, tmp_path, monkeypatch):
    d, table = parquet_dir

    def whole_table(*args, **kwargs):
        raise AssertionError("the streamed fit read a whole table")

    monkeypatch.setattr(inputs, "read_table", whole_table)
    monkeypatch.setattr(pq, "read_table", whole_table)
    model_path = tmp_path / "m.json"
    args = ["fit", str(d), "--target", "y", "--weight", "w", "--solver", "sgd", "--epochs", "6", "--tol", "0"]
    r = runner.invoke(cli.app, [*args, "-m", str(model_path), "--json", "--quiet"])
    assert r.exit_code == 0, r.output
    result = json.loads(r.stdout)
    assert result["n_samples"] == N and result["n_iter"] == 6 and result["solver"] == "sgd"
    assert not result["converged"]  # tol=0: six epochs, nothing claimed
    # the reference: scikit-learn on the same encoded design, in memory
    design = prepare_training(table, target="y", weight="w")
    codes = np.searchsorted(["no", "yes"], design.y)
    f_star = reference_optimum(design.X, codes, C=1.0, sample_weight=design.sample_weight)[0]
    model = load(model_path)
    J = objective(design.X, codes, model.coef_, model.intercept_, C=1.0, sample_weight=design.sample_weight)
    assert 0 <= (J - f_star) / f_star <= 1e-3
    assert result["objective"] == pytest.approx(J, rel=1e-9)  # the reported J is the model's
    np.testing.assert_array_equal(model.classes_, ["no", "yes"])


def test_streamed_fit_from_a_glob_stops_when_j_settles(parquet_dir, tmp_path):
    d, _ = parquet_dir
    r = runner.invoke(
        cli.app,
        ["fit", str(d / "*.parquet"), "--target", "y", "--solver", "sgd", "-m", str(tmp_path / "m.json"), "--json"],
    )
    assert r.exit_code == 0, r.output
    result = json.loads(r.stdout)
    assert result["converged"] and result["n_iter"] < 100


def test_streaming_refuses_bad_options(parquet_dir, tmp_path):
    d, _ = parquet_dir
    r = runner.invoke(cli.app, ["fit", str(d), "--target", "y", "--epochs", "3", "-m", str(tmp_path / "m.json")])
    assert r.exit_code == 2 and "--epochs" in r.output
    r = runner.invoke(
        cli.app, ["fit", str(d / "*.csv"), "--target", "y", "--solver", "sgd", "-m", str(tmp_path / "m.json")]
    )
    assert r.exit_code == 2 and "no file matches" in r.output


def test_epochs_in_memory_are_sgd_iterations(parquet_dir, tmp_path):
    d, table = parquet_dir
    csv = tmp_path / "small.csv"
    import pyarrow.csv as pcsv

    pcsv.write_csv(table.slice(0, 2000).drop_columns(["colour", "w"]), csv)
    args = ["fit", str(csv), "--target", "y", "--solver", "sgd", "--epochs", "2", "--tol", "0"]
    r = runner.invoke(cli.app, [*args, "-m", str(tmp_path / "m.json"), "--json", "--quiet"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["n_iter"] == 2
