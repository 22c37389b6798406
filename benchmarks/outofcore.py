"""P6 and P7: past one machine's memory (not part of ``python -m benchmarks``; run by hand).

* **P7** (streamed Parquet, no cluster): 2,000,000 x 20 float64 and a 0/1 label in 4
  snappy Parquet files, row groups of 65,536 rows; one pass of
  :class:`logreg.ParquetSource`'s data term (read + encode + loss and gradient of every
  row group) against pyarrow's own read of the same files (``pq.read_table`` of every
  file, all columns, its threads), best and median of ``--repeats`` each, interleaved;
  then a whole fit, its J against the in-memory fit's, and what it held at once (numpy
  peak by tracemalloc plus pyarrow's pool peak).  Goal: pass / read <= 1.5.
* **P6** (a 2-worker LocalCluster, one thread each): 1,000,000 x 100 dense, C = 1, X
  persisted on the workers; logreg's fit of the dask array and logreg's in-memory fit (2
  threads), ``--repeats`` of each, interleaved, with where the Dask fit's time went (to
  its first pass, the solver's passes, after the last); dask-ml's
  ``LogisticRegression(solver='lbfgs')`` once (``--no-dask-ml`` skips its ~1-2 minutes);
  every J computed here on the same rows (:func:`benchmarks.problems.objective`).  Goals:
  logreg <= 0.25 x dask-ml at the same optimum, <= 1.3 x logreg in memory.

Every measurement records the load average (``os.getloadavg``) before and after it: on a
shared machine the ratios are only as good as that.  Prints a markdown section for
BENCHMARKS.md and writes the numbers as JSON (``--out``).

Commands (on an idle machine, from the repository's root)::

    python -m benchmarks.outofcore --only P6 --repeats 3 --out p6.json
    python -m benchmarks.outofcore --only P7 --repeats 5 --out p7.json
    python -m benchmarks.outofcore --quick            # both, small sizes, a smoke test
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


def _load():
    """The 1-minute load average (None where the OS has none)."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _timed(fn):
    load = _load()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, {"load_before": load, "load_after": _load()}, out


def _stats(times):
    return {"min": min(times), "median": float(np.median(times)), "all": list(times), "repeats": len(times)}


def _interleaved(fns, repeats):
    """Time every function ``repeats`` times, round-robin (so that they share the load's ups and
    downs); per name the times' min / median and the load averages seen."""
    times = {name: [] for name in fns}
    loads = []
    for _ in range(repeats):
        for name, fn in fns.items():
            t, load, _ = _timed(fn)
            times[name].append(t)
            loads.append(load)
    out = {name: _stats(t) for name, t in times.items()}
    flat = [v for load in loads for v in load.values() if v is not None]
    out["load"] = {"min": min(flat), "max": max(flat)} if flat else None
    return out


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
    t_fit, fit_load, model = _timed(lambda: LogisticRegression(C=C, tol=1e-8).fit(ParquetSource(directory, target="y")))
    numpy_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    held = numpy_peak + pool.max_memory()
    src = ParquetSource(directory, target="y")
    term, _ = src.prepare_fit()
    theta = np.zeros(term.n_params)
    theta[:-1] = 0.01
    term.value_and_grad(theta)  # warm: the kernels compiled, the files in the page cache
    pq.read_table(files)  # warm too: pyarrow's pool grown once (its first read of the whole data is slower)

    def read_groups():
        for f in files:
            pf = pq.ParquetFile(f)
            for g in range(pf.metadata.num_row_groups):
                pf.read_row_group(g)

    timing = _interleaved(
        {
            "read_table": lambda: pq.read_table(files),
            "row_groups": read_groups,
            "pass": lambda: term.value_and_grad(theta),
        },
        repeats,
    )
    table = pq.read_table(files)
    X = np.column_stack([table.column(f"x{j}").to_numpy() for j in range(d)])
    y = table.column("y").to_numpy()
    del table
    t_mem, _, ref = _timed(lambda: LogisticRegression(C=C, tol=1e-8).fit(X, y))
    J, J_ref = objective(X, y, model.coef_, model.intercept_), objective(X, y, ref.coef_, ref.intercept_)
    return {
        "n": n,
        "d": d,
        "files": len(files),
        "row_groups": len(src.row_groups),
        "file_bytes": sum(os.path.getsize(f) for f in files),
        "X_bytes": 8 * n * d,
        "pyarrow_read_table": timing["read_table"],
        "pyarrow_row_groups": timing["row_groups"],
        "pass": timing["pass"],
        "load": timing["load"],
        "ratio_min": timing["pass"]["min"] / timing["read_table"]["min"],
        "ratio_median": timing["pass"]["median"] / timing["read_table"]["median"],
        "ratios": [a / b for a, b in zip(timing["pass"]["all"], timing["read_table"]["all"], strict=True)],
        "fit_seconds": t_fit,
        "fit_load": fit_load,
        "fit_passes": int(model.n_passes_),
        "fit_J": J,
        "memory_fit_seconds": t_mem,
        "memory_J": J_ref,
        "rel_J": (J - J_ref) / J_ref,
        "held_bytes": held,
    }


# ------------------------------------------------------------------ P6
class _PassClock:
    """Times of the Dask fit's passes (``DaskRunner.on_pass``): where the fit's time went."""

    def __init__(self):
        self.stamps = []

    def __call__(self, n_passes):
        self.stamps.append(time.perf_counter())


def run_p6(n, d, repeats=3, dask_ml=True):
    import dask
    import dask.array as da
    import distributed

    from logreg import LogisticRegression
    from logreg.distributed import DaskRunner

    out = {"n": n, "d": d, "workers": 2}
    clock = _PassClock()
    # no dashboard: its periodic updates run in this process (the scheduler's), beside the
    # in-memory fits, and took seconds of their CPU here
    with (
        warnings.catch_warnings(),
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as lc,
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
        X, y = client.compute([Xd, yd], sync=True)
        # warm-up: the workers and this process compile the kernels (a presolve runs here)
        LogisticRegression(C=C).fit(Xd[: 2 * chunk], yd[: 2 * chunk])
        LogisticRegression(C=C).fit(X[:50_000], y[:50_000])
        LogisticRegression(C=C).fit(X[:50_000].astype(np.float32), y[:50_000])
        fits = {}
        phases = []

        cpu = {"dask": [], "memory": []}

        def cpu_seconds():
            # this process (client and scheduler) and the workers' processes: less sensitive to the
            # other jobs on a shared machine than wall time
            return time.process_time() + sum(client.run(time.process_time).values())

        def dask_fit():
            clock.stamps.clear()
            c0, t0 = cpu_seconds(), time.perf_counter()
            fits["dask"] = LogisticRegression(C=C, tol=1e-8).fit(Xd, yd)
            t1 = time.perf_counter()
            cpu["dask"].append(cpu_seconds() - c0)
            st = clock.stamps
            phases.append(
                {"to_first_pass": st[0] - t0, "passes": st[-1] - st[0], "after_last_pass": t1 - st[-1], "n": len(st)}
            )

        def memory_fit():
            c0 = time.process_time()
            fits["memory"] = LogisticRegression(C=C, tol=1e-8).fit(X, y)
            cpu["memory"].append(time.process_time() - c0)

        saved, DaskRunner.on_pass = DaskRunner.on_pass, clock
        try:
            timing = _interleaved({"dask": dask_fit, "memory": memory_fit}, repeats)
        finally:
            DaskRunner.on_pass = saved
        out["logreg_dask"] = timing["dask"]
        out["logreg_memory"] = timing["memory"]
        out["load"] = timing["load"]
        out["dask_phases"] = phases
        out["cpu_seconds"] = {k: _stats(v) for k, v in cpu.items()}
        out["logreg_dask_passes"] = int(fits["dask"].n_passes_)
        model, ref = fits["dask"], fits["memory"]
        dml_coef = None
        if dask_ml:
            try:
                from dask_ml.linear_model import LogisticRegression as DaskMLLogistic
            except ImportError:
                DaskMLLogistic = None
            if DaskMLLogistic is not None:
                dml = DaskMLLogistic(solver="lbfgs", C=C, max_iter=1000, tol=1e-8)
                with dask.config.set(scheduler=client):
                    out["daskml_seconds"], out["daskml_load"], _ = _timed(lambda: dml.fit(Xd, yd))
                dml_coef, dml_b = np.asarray(dml.coef_).ravel(), float(np.ravel(dml.intercept_)[0])
    out["J_memory"] = objective(X, y, ref.coef_, ref.intercept_)
    out["J_dask"] = objective(X, y, model.coef_, model.intercept_)
    if dml_coef is not None:
        out["J_daskml"] = objective(X, y, dml_coef, dml_b)
        out["ratio_daskml"] = timing["dask"]["min"] / out["daskml_seconds"]
    out["ratio_memory_min"] = timing["dask"]["min"] / timing["memory"]["min"]
    out["ratio_memory_median"] = timing["dask"]["median"] / timing["memory"]["median"]
    out["ratios_memory"] = [a / b for a, b in zip(timing["dask"]["all"], timing["memory"]["all"], strict=True)]
    return out


# ------------------------------------------------------------------ report
def _load_text(load):
    return "n/a" if not load else f"{load['min']:.1f}-{load['max']:.1f}"


def render(res):
    lines = []
    if "P7" in res:
        r = res["P7"]
        lines += [
            "## P7: one streamed pass over Parquet vs pyarrow's read (goal <= 1.5x)\n",
            f"{r['n']:,} x {r['d']} float64 in {r['files']} files, {r['row_groups']} row groups of at most {ROW_GROUP:,} rows "
            f"({r['file_bytes'] / 2**20:.0f} MiB on disk, {r['X_bytes'] / 2**20:.0f} MiB as X). Best / median of "
            f"{r['pass']['repeats']}, interleaved; load average {_load_text(r['load'])}.\n",
            "| what | best [s] | median [s] |",
            "|---|---|---|",
            f"| pyarrow `pq.read_table(files)` | {r['pyarrow_read_table']['min']:.3f} | {r['pyarrow_read_table']['median']:.3f} |",
            f"| pyarrow, row group by row group | {r['pyarrow_row_groups']['min']:.3f} | {r['pyarrow_row_groups']['median']:.3f} |",
            f"| logreg pass (read + encode + loss and gradient) | {r['pass']['min']:.3f} | {r['pass']['median']:.3f} |",
            f"| **pass / read_table** | **{r['ratio_min']:.2f}** | {r['ratio_median']:.2f} |",
            "",
            f"Ratio of each round: {', '.join(f'{x:.2f}' for x in r['ratios'])}. Whole streamed fit (tol 1e-8): "
            f"{r['fit_seconds']:.1f} s, {r['fit_passes']} passes; in memory {r['memory_fit_seconds']:.1f} s; relative J "
            f"difference {r['rel_J']:.1e}. Held at once during the streamed fit (numpy + pyarrow peaks): "
            f"{r['held_bytes'] / 2**20:.0f} MiB of {r['X_bytes'] / 2**20:.0f} MiB.\n",
        ]
    if "P6" in res:
        r = res["P6"]
        dk, mem = r["logreg_dask"], r["logreg_memory"]
        ph = r["dask_phases"]
        lines += [
            "## P6: a 2-worker LocalCluster, 1M x 100 dense, C = 1\n",
            f"{r['n']:,} x {r['d']}, X persisted on 2 single-threaded workers; J of every fit computed on the same rows; "
            f"best / median of {dk['repeats']}, interleaved; load average {_load_text(r['load'])}.\n",
            "| fit | best [s] | median [s] | J |",
            "|---|---|---|---|",
            f"| logreg, dask array ({r['logreg_dask_passes']} passes) | {dk['min']:.2f} | {dk['median']:.2f} | {r['J_dask']:.12f} |",
            f"| logreg, in memory | {mem['min']:.2f} | {mem['median']:.2f} | {r['J_memory']:.12f} |",
        ]
        if "daskml_seconds" in r:
            lines.append(f"| dask-ml lbfgs (once) | {r['daskml_seconds']:.2f} | | {r['J_daskml']:.12f} |")
        c = r["cpu_seconds"]
        lines += [
            "",
            f"CPU seconds of every process (client, scheduler, workers), median: Dask {c['dask']['median']:.2f}, "
            f"in memory {c['memory']['median']:.2f} (ratio {c['dask']['median'] / c['memory']['median']:.2f}).",
            f"Dask / in memory: **{r['ratio_memory_min']:.2f}** (best), {r['ratio_memory_median']:.2f} (median); each round "
            f"{', '.join(f'{x:.2f}' for x in r['ratios_memory'])}"
            + (f"; Dask / dask-ml: {r['ratio_daskml']:.3f}." if "ratio_daskml" in r else "."),
            "Where each Dask fit's time went [s] (to its first pass: checks, loading, first evaluation; "
            "the solver's passes; after the last: statistics and diagnostics): "
            + "; ".join(
                f"{p['to_first_pass']:.2f} + {p['passes']:.2f} ({p['n']} passes) + {p['after_last_pass']:.2f}"
                for p in ph
            )
            + ".\n",
        ]
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.outofcore", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--quick", action="store_true", help="small sizes (seconds): a smoke test, not the goals' sizes")
    p.add_argument("--only", default="P6,P7", help="P6, P7 or both (default P6,P7)")
    p.add_argument("--repeats", type=int, default=None, help="timings per measurement (default: P6 3, P7 5)")
    p.add_argument(
        "--no-dask-ml", action="store_true", help="P6 without dask-ml's fit (its ratio is far from the goal)"
    )
    p.add_argument("--out", default=None, help="JSON of the results")
    p.add_argument(
        "--cache-dir", default=os.path.join(tempfile.gettempdir(), "logreg-bench"), help="P7's Parquet files"
    )
    args = p.parse_args(argv)
    size = "quick" if args.quick else "full"
    only = {s.strip() for s in args.only.split(",")}
    unknown = only - {"P6", "P7"}
    if unknown:
        p.error(f"unknown goal(s) {sorted(unknown)}; choose P6, P7")
    res = {}
    if "P7" in only:
        res["P7"] = run_p7(**P7_SIZES[size], cache=args.cache_dir, repeats=args.repeats or 5)
    if "P6" in only:
        res["P6"] = run_p6(**P6_SIZES[size], repeats=args.repeats or 3, dask_ml=not args.no_dask_ml)
    print(render(res))
    if args.out:
        Path(args.out).write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
