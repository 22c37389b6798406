"""Per-pass costs of the Dask data term, measured for SCALING.md.

``python -m benchmarks.scaling``: on a 2-worker LocalCluster, for a growing number of chunks,
the wall time of one gradient pass and one Hessian pass on tiny chunks (so the time is the
scheduling and the summing, not arithmetic), and the bytes the workers received from each
other during the pass (``Worker.transfer_incoming_log``); then the same with a simulated
network latency of ``--latency`` seconds added to every worker's task of a pass.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings

import numpy as np


def _incoming(client):
    def total(dask_worker):
        return sum(d.get("total", 0) for d in dask_worker.transfer_incoming_log)

    return sum(client.run(total).values())


def _slow_group(delay):
    from logreg.distributed import runner

    orig = runner._reduce_group

    def slow(*args):
        time.sleep(delay)
        return orig(*args)

    return slow


def measure(n_chunks, d, client, repeats=5, latency=0.0):
    import dask.array as da

    from logreg.distributed import make_dask_datafit
    from logreg.distributed import runner as runner_mod

    rows = 64
    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows * n_chunks, d))
    y = (X[:, 0] > 0).astype(int)
    term = make_dask_datafit(da.from_array(X, chunks=(rows, d)), y, 2)
    theta = np.zeros(term.n_params)
    term.value_and_grad(theta)
    out = {"n_chunks": n_chunks, "p": term.n_params, "latency": latency}
    orig = runner_mod._reduce_group
    if latency:
        runner_mod._reduce_group = _slow_group(latency)
    try:
        for name, fn in (("grad", lambda: term.value_and_grad(theta)), ("hessian", lambda: term.hessian(theta))):
            times, moved = [], []
            for _ in range(repeats):
                b0 = _incoming(client)
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
                moved.append(_incoming(client) - b0)
            out[f"{name}_seconds"] = float(np.median(times))
            out[f"{name}_bytes"] = int(np.median(moved))
    finally:
        runner_mod._reduce_group = orig
    term.release()
    return out


def main(argv=None):
    import distributed

    p = argparse.ArgumentParser(prog="python -m benchmarks.scaling")
    p.add_argument("--d", type=int, default=100)
    p.add_argument("--chunks", default="8,64,512")
    p.add_argument("--latency", type=float, default=0.001)
    args = p.parse_args(argv)
    res = []
    with (
        warnings.catch_warnings(),
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as lc,
        distributed.Client(lc) as client,
    ):
        warnings.simplefilter("ignore")
        for k in [int(c) for c in args.chunks.split(",")]:
            for lat in (0.0, args.latency):
                r = measure(k, args.d, client, latency=lat)
                res.append(r)
                print(json.dumps(r), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
