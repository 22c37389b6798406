"""P6 and P7: past one machine's memory.  ``python -m benchmarks.outofcore [--quick] [--only P6,P7]``.

* **P7** (streamed Parquet, no cluster): dense float64 Parquet files in row groups of
  65,536 rows; one pass of :class:`logreg.ParquetSource`'s data term (read + encode +
  loss and gradient of every row group) against pyarrow's own read of the same files
  (``pq.read_table`` of every file, all columns, its threads); then a whole fit, its J
  against the in-memory fit's, and what it held at once (numpy peak by tracemalloc plus
  pyarrow's pool peak).  Goal: pass / read <= 1.5.
* **P6** (a 2-worker LocalCluster, one thread each): 1,000,000 x 100 dense, C = 1, X
  persisted on the workers; logreg's fit of the dask array, dask-ml's
  ``LogisticRegression(solver='lbfgs')`` fit, and logreg's in-memory fit; every J is
  computed here on the same rows (:func:`benchmarks.problems.objective`).  Goals: logreg
  <= 0.25 x dask-ml at the same optimum, <= 1.3 x logreg in memory.

Prints a markdown section for BENCHMARKS.md and writes the numbers as JSON (``--out``).
Build and time in this process (the cluster's workers are separate processes).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

from .problems import C, objective

P7_SIZES = {"full": {"n": 2_000_000, "d": 20}, "quick": {"n": 400_000, "d": 20}}
P6_SIZES = {"full": {"n": 1_000_000, "d": 100}, "quick": {"n": 100_000, "d": 100}}
ROW_GROUP = 65_536


def _best(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return {"min": min(times), "median": float(np.median(times)), "repeats": repeats}


def _labels(X, rng):
    w = np.zeros(X.shape[1])
    w[: max(1, X.shape[1] // 4)] = 0.5
    return (X @ w + rng.logistic(size=X.shape[0]) > 0).astype(np.int64)


# ------------------------------------------------------------------ P7
def build_parquet(n, d, directory, seed=7, files=4):
    """Dense float64 Parquet files (snappy) of n rows, d features and a 0/1 label 'y'."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    directory = Path(directory)
    done = directory / "DONE"
    if done.exists():
        return sorted(str(p) for p in directory.glob("*.parquet"))
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    step = -(-n // files)
    for i in range(files):
        X = rng.normal(size=(min(step, n - i * step), d))
        t = pa.table({**{f"x{j}": X[:, j] for j in range(d)}, "y": _labels(X, rng)})
        pq.write_table(t, directory / f"part-{i}.parquet", row_group_size=ROW_GROUP)
    done.write_text("")
    return sorted(str(p) for p in directory.glob("*.parquet"))


def run_p7(n, d, cache, repeats=5):
    # built in a child process: this process's pyarrow pool then holds only what the fit reads
    import multiprocessing

    import pyarrow as pa
    import pyarrow.parquet as pq

    from logreg import LogisticRegression, ParquetSource

    child = multiprocessing.get_context("spawn").Process(target=build_parquet, args=(n, d, Path(cache) / f"P7-{n}x{d}"))
    child.start()
    child.join()
    files = build_parquet(n, d, Path(cache) / f"P7-{n}x{d}")
    directory = Path(files[0]).parent
    # the whole fit first, while pyarrow's pool has held nothing else: what it held at once
    pool = pa.default_memory_pool()
    tracemalloc.start()
    t0 = time.perf_counter()
    model = LogisticRegression(C=C, tol=1e-8).fit(ParquetSource(directory, target="y"))
    t_fit = time.perf_counter() - t0
    numpy_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    held = numpy_peak + pool.max_memory()
    src = ParquetSource(directory, target="y")
    term, _ = src.prepare_fit()
    theta = np.zeros(term.n_params)
    theta[:-1] = 0.01
    term.value_and_grad(theta)
    read = _best(lambda: pq.read_table(files), repeats)

    def read_groups():
        for f in files:
            pf = pq.ParquetFile(f)
            for g in range(pf.metadata.num_row_groups):
                pf.read_row_group(g)

    groups = _best(read_groups, repeats)
    one_pass = _best(lambda: term.value_and_grad(theta), repeats)
    table = pq.read_table(files)
    X = np.column_stack([table.column(f"x{j}").to_numpy() for j in range(d)])
    y = table.column("y").to_numpy()
    del table
    t0 = time.perf_counter()
    ref = LogisticRegression(C=C, tol=1e-8).fit(X, y)
    t_mem = time.perf_counter() - t0
    J, J_ref = objective(X, y, model.coef_, model.intercept_), objective(X, y, ref.coef_, ref.intercept_)
    return {
        "n": n,
        "d": d,
        "files": len(files),
        "row_groups": len(src.row_groups),
        "file_bytes": sum(os.path.getsize(f) for f in files),
        "X_bytes": 8 * n * d,
        "pyarrow_read_table": read,
        "pyarrow_row_groups": groups,
        "pass": one_pass,
        "ratio_min": one_pass["min"] / read["min"],
        "ratio_median": one_pass["median"] / read["median"],
        "fit_seconds": t_fit,
        "fit_passes": int(model.n_passes_),
        "fit_J": J,
        "memory_fit_seconds": t_mem,
        "memory_J": J_ref,
        "rel_J": (J - J_ref) / J_ref,
        "held_bytes": held,
    }


# ------------------------------------------------------------------ P6
def run_p6(n, d):
    import dask
    import dask.array as da
    import distributed

    from logreg import LogisticRegression

    out = {"n": n, "d": d, "workers": 2}
    with (
        warnings.catch_warnings(),
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as lc,
        distributed.Client(lc) as client,
    ):
        warnings.simplefilter("ignore")
        chunk = -(-n // 8)
        rs = da.random.RandomState(6)
        Xd = rs.normal(size=(n, d), chunks=(chunk, d))
        w = np.zeros(d)
        w[: d // 4] = 0.5
        yd = ((Xd @ w + rs.logistic(size=n, chunks=chunk)) > 0).astype(np.int64)
        Xd, yd = client.persist([Xd, yd])
        distributed.wait([Xd, yd])
        # warm-up: the workers and this process compile the kernels (a presolve runs here)
        LogisticRegression(C=C).fit(Xd[: 2 * chunk], yd[: 2 * chunk])
        small = client.compute([Xd[:50_000], yd[:50_000]], sync=True)
        LogisticRegression(C=C).fit(*small)
        LogisticRegression(C=C).fit(small[0].astype(np.float32), small[1])
        t0 = time.perf_counter()
        model = LogisticRegression(C=C, tol=1e-8).fit(Xd, yd)
        out["logreg_dask_seconds"] = time.perf_counter() - t0
        out["logreg_dask_passes"] = int(model.n_passes_)
        try:
            from dask_ml.linear_model import LogisticRegression as DaskMLLogistic

            dml = DaskMLLogistic(solver="lbfgs", C=C, max_iter=1000, tol=1e-8)
            t0 = time.perf_counter()
            with dask.config.set(scheduler=client):
                dml.fit(Xd, yd)
            out["daskml_seconds"] = time.perf_counter() - t0
            dml_coef, dml_b = np.asarray(dml.coef_).ravel(), float(np.ravel(dml.intercept_)[0])
        except ImportError:
            dml_coef = None
        X, y = client.compute([Xd, yd], sync=True)
    t0 = time.perf_counter()
    ref = LogisticRegression(C=C, tol=1e-8).fit(X, y)
    out["logreg_memory_seconds"] = time.perf_counter() - t0
    out["J_memory"] = objective(X, y, ref.coef_, ref.intercept_)
    out["J_dask"] = objective(X, y, model.coef_, model.intercept_)
    if dml_coef is not None:
        out["J_daskml"] = objective(X, y, dml_coef, dml_b)
        out["ratio_daskml"] = out["logreg_dask_seconds"] / out["daskml_seconds"]
    out["ratio_memory"] = out["logreg_dask_seconds"] / out["logreg_memory_seconds"]
    return out


# ------------------------------------------------------------------ report
def render(res):
    lines = []
    if "P7" in res:
        r = res["P7"]
        lines += [
            "## P7: one streamed pass over Parquet vs pyarrow's read (goal <= 1.5x)\n",
            f"{r['n']:,} x {r['d']} float64 in {r['files']} files, {r['row_groups']} row groups of at most {ROW_GROUP:,} rows "
            f"({r['file_bytes'] / 2**20:.0f} MiB on disk, {r['X_bytes'] / 2**20:.0f} MiB as X). Best / median of "
            f"{r['pass']['repeats']}.\n",
            "| what | best [s] | median [s] |",
            "|---|---|---|",
            f"| pyarrow `pq.read_table(files)` | {r['pyarrow_read_table']['min']:.3f} | {r['pyarrow_read_table']['median']:.3f} |",
            f"| pyarrow, row group by row group | {r['pyarrow_row_groups']['min']:.3f} | {r['pyarrow_row_groups']['median']:.3f} |",
            f"| logreg pass (read + encode + loss and gradient) | {r['pass']['min']:.3f} | {r['pass']['median']:.3f} |",
            f"| **pass / read_table** | **{r['ratio_min']:.2f}** | {r['ratio_median']:.2f} |",
            "",
            f"Whole streamed fit (tol 1e-8): {r['fit_seconds']:.1f} s, {r['fit_passes']} passes; in memory "
            f"{r['memory_fit_seconds']:.1f} s; relative J difference {r['rel_J']:.1e}. Held at once during the "
            f"streamed fit (numpy + pyarrow peaks): {r['held_bytes'] / 2**20:.0f} MiB of {r['X_bytes'] / 2**20:.0f} MiB.\n",
        ]
    if "P6" in res:
        r = res["P6"]
        lines += [
            "## P6: a 2-worker LocalCluster, 1M x 100 dense, C = 1\n",
            f"{r['n']:,} x {r['d']}, X persisted on 2 single-threaded workers; J of every fit computed on the same rows.\n",
            "| fit | seconds | J | × logreg dask |",
            "|---|---|---|---|",
            f"| logreg, dask array ({r['logreg_dask_passes']} passes) | {r['logreg_dask_seconds']:.2f} | {r['J_dask']:.12f} | 1.00 |",
            f"| logreg, in memory | {r['logreg_memory_seconds']:.2f} | {r['J_memory']:.12f} | "
            f"{r['logreg_memory_seconds'] / r['logreg_dask_seconds']:.2f} |",
        ]
        if "daskml_seconds" in r:
            lines.append(
                f"| dask-ml lbfgs | {r['daskml_seconds']:.2f} | {r['J_daskml']:.12f} | "
                f"{r['daskml_seconds'] / r['logreg_dask_seconds']:.2f} |"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.outofcore", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small sizes (seconds)")
    p.add_argument("--only", default="P6,P7")
    p.add_argument("--out", default=None, help="JSON of the results")
    p.add_argument("--cache-dir", default=os.path.join(tempfile.gettempdir(), "logreg-bench"))
    args = p.parse_args(argv)
    size = "quick" if args.quick else "full"
    only = {s.strip() for s in args.only.split(",")}
    res = {}
    if "P7" in only:
        res["P7"] = run_p7(**P7_SIZES[size], cache=args.cache_dir)
    if "P6" in only:
        res["P6"] = run_p6(**P6_SIZES[size])
    print(render(res))
    if args.out:
        Path(args.out).write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
