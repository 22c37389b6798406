"""The command line past memory: Parquet directories streamed, and Dask clusters.

Reference: the same commands on the same rows in one file, read into memory.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from logreg import cli

runner = CliRunner()


def run(*args):
    return runner.invoke(cli.app, [str(a) for a in args])


def make_table(n=900, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    grade = np.array(["a", "b", "c"])[rng.integers(0, 3, n)]
    x3 = X[:, 2].copy()
    x3[rng.choice(n, 15, replace=False)] = np.nan
    z = X @ [1.5, -1.0, 0.5] + (grade == "b") * 0.8 + rng.logistic(size=n)
    return pa.table(
        {
            "id": np.arange(n),
            "x1": X[:, 0],
            "x2": X[:, 1],
            "x3": x3,
            "grade": grade,
            "label": np.where(z > 0, "yes", "no"),
        }
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("ooc")
    table = make_table()
    pq.write_table(table, d / "all.parquet")
    (d / "parts").mkdir()
    for i in range(3):
        pq.write_table(table.slice(300 * i, 300), d / "parts" / f"p{i}.parquet", row_group_size=70)
    fit = ("--target", "label", "--exclude", "id", "--missing", "drop", "--quiet")
    assert run("fit", d / "all.parquet", "--model", d / "mem.json", *fit).exit_code == 0
    return d


def model_file(path):
    return json.loads(path.read_text())


def same_model(a, b):
    assert a["feature_names"] == b["feature_names"] and a["classes"] == b["classes"]
    np.testing.assert_allclose(a["coef"], b["coef"], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(a["intercept"], b["intercept"], rtol=1e-8, atol=1e-10)
    for k in ("n_samples", "n_rows_read", "n_rows_dropped", "missing_counts"):
        assert a["training"][k] == b["training"][k], k


def test_fit_predict_evaluate_a_directory_as_the_single_file(data, tmp_path):
    result = run("fit", data / "parts", "--model", tmp_path / "m.json", "--target", "label", "--exclude", "id",
                 "--missing", "drop")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "pass 3 over the data" in result.stderr  # progress per pass
    assert "dropped 15 of 900 rows" in result.stderr
    same_model(model_file(data / "mem.json"), model_file(tmp_path / "m.json"))
    # predictions of the glob, row group by row group, are the in-memory predictions of the file
    glob = str(data / "parts" / "p*.parquet")
    assert (
        run(
            "predict", glob, "-m", data / "mem.json", "--id", "id", "--missing", "mean", "-o", tmp_path / "p.parquet"
        ).exit_code
        == 0
    )
    assert (
        run(
            "predict",
            data / "all.parquet",
            "-m",
            data / "mem.json",
            "--id",
            "id",
            "--missing",
            "mean",
            "-o",
            tmp_path / "q.parquet",
        ).exit_code
        == 0
    )
    p, q = pq.read_table(tmp_path / "p.parquet"), pq.read_table(tmp_path / "q.parquet")
    assert p.column_names == q.column_names and p.num_rows == 900
    assert p.column("id").equals(q.column("id")) and p.column("label").equals(q.column("label"))
    np.testing.assert_allclose(p.column("proba_yes").to_numpy(), q.column("proba_yes").to_numpy(), rtol=1e-12)
    a = json.loads(run("evaluate", data / "parts", "-m", data / "mem.json", "--missing", "drop", "--json").stdout)
    b = json.loads(run("evaluate", data / "all.parquet", "-m", data / "mem.json", "--missing", "drop", "--json").stdout)
    for k in ("log_loss", "brier", "accuracy", "roc_auc", "n_samples"):
        assert a[k] == pytest.approx(b[k], rel=1e-12), k


@pytest.fixture(scope="module")
def scheduler():
    """A 2-worker LocalCluster for --cluster ADDRESS (one started per module, not per command)."""
    distributed = pytest.importorskip("distributed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as lc:
            yield lc.scheduler_address


def test_fit_and_predict_on_a_cluster_address(data, scheduler, tmp_path):
    result = run("fit", data / "parts", "--model", tmp_path / "m.json", "--target", "label", "--exclude", "id",
                 "--missing", "drop", "--cluster", scheduler)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "pass 2 over the data" in result.stderr
    same_model(model_file(data / "mem.json"), model_file(tmp_path / "m.json"))
    out = run("predict", data / "parts", "-m", tmp_path / "m.json", "--missing", "mean", "--cluster", scheduler)
    ref = run("predict", data / "all.parquet", "-m", data / "mem.json", "--missing", "mean")
    assert out.exit_code == 0 and out.stdout.splitlines()[0] == ref.stdout.splitlines()[0]
    got = np.loadtxt(out.stdout.splitlines()[1:], delimiter=",", usecols=(1, 2))
    want = np.loadtxt(ref.stdout.splitlines()[1:], delimiter=",", usecols=(1, 2))
    np.testing.assert_allclose(got, want, rtol=1e-7)


def test_unreachable_scheduler_is_one_line_and_exit_code_2(data, tmp_path):
    result = run(
        "fit", data / "parts", "--model", tmp_path / "m.json", "--target", "label", "--cluster", "tcp://127.0.0.1:1"
    )
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in result.stderr
    assert not (tmp_path / "m.json").exists()
    bad = run("fit", data / "parts", "--model", tmp_path / "m.json", "--target", "label", "--cluster", "remote")
    assert bad.exit_code == 2 and "--cluster must be 'local' or a scheduler address" in bad.stderr


def test_a_worker_killed_mid_fit_leaves_the_optimum_unchanged(scheduler, monkeypatch):
    # after the second pass one worker process is killed (SIGKILL): its chunks and their data
    # terms are lost; dask recomputes them from the graph on the surviving or restarted worker
    # and the fit goes on to the in-memory optimum
    import os
    import signal

    da = pytest.importorskip("dask.array")
    distributed = pytest.importorskip("distributed")
    from logreg import LogisticRegression
    from logreg.distributed import DaskRunner

    rng = np.random.default_rng(3)
    X = rng.normal(size=(4000, 5))
    y = (X[:, 0] - X[:, 1] + rng.logistic(size=4000) > 0).astype(int)
    ref = LogisticRegression(tol=1e-10).fit(X, y)
    killed = []
    with distributed.Client(scheduler) as client:

        def kill_one(n_passes):
            if n_passes == 2 and not killed:
                held = client.has_what()
                holder = max(held, key=lambda w: len(held[w]))
                pid = client.run(os.getpid, workers=[holder])[holder]
                os.kill(pid, signal.SIGKILL)
                killed.append(len(held[holder]))

        monkeypatch.setattr(DaskRunner, "on_pass", staticmethod(kill_one))
        model = LogisticRegression(tol=1e-10).fit(da.from_array(X, chunks=(500, 5)), y)
    assert killed and killed[0] > 0  # the killed worker held chunks
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=1e-8)
    np.testing.assert_allclose(model.intercept_, ref.intercept_, rtol=1e-8)


def test_a_scheduler_gone_mid_fit_is_a_clear_error(monkeypatch):
    da = pytest.importorskip("dask.array")
    distributed = pytest.importorskip("distributed")
    from logreg import LogisticRegression
    from logreg.distributed import DaskRunner

    rng = np.random.default_rng(4)
    X = rng.normal(size=(2000, 3))
    y = (X[:, 0] > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lc = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0")
        client = distributed.Client(lc)
        monkeypatch.setattr(DaskRunner, "on_pass", staticmethod(lambda n: n == 2 and lc.close()))
        model = LogisticRegression()
        try:
            with pytest.raises(RuntimeError, match=r"the Dask cluster failed during the fit.*no model was fitted"):
                model.fit(da.from_array(X, chunks=(500, 3)), y)
        finally:
            client.close()
            lc.close()
    assert not hasattr(model, "coef_")
