"""Run the suite: data, reference optimum f*, then every fit in its own process.

Child processes get the parent's environment minus ``OPENBLAS_CORETYPE`` and
``OPENBLAS_L2_SIZE`` (for every tool alike), so that OpenBLAS picks its own
kernel for this CPU; BENCHMARKS.md records the kernel the children report.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import problems

__all__ = ["TARGET", "PROBLEMS", "run_suite", "fit_jobs", "child_env", "default_timeout"]

#: The problems of the suite (P3 is measured during P1, P2 on P1's X).
PROBLEMS = ("P1", "P1f", "P2", "P3", "P4", "P8")

#: The suboptimality every fit should reach: (J - f*) / |f*|.
TARGET = 1e-8

#: Gradient tolerance of every fit (max-norm of the gradient of J, for every tool).
TOL = 1e-10

#: Environment variables removed in the children.
UNSET = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

LOGREG_SOLVERS = ("newton", "lbfgs", "gd", "auto")

#: logreg's solvers on P8 (multinomial): plain gradient descent would need
#: O(condition number) iterations there, with rare soil-type columns.
P8_SOLVERS = ("auto", "newton", "lbfgs")

#: Seconds per benchmark process (``--timeout`` overrides).  On full-size P8 the
#: lbfgs fits (scikit-learn's and logreg's) take minutes each: their iteration
#: count grows with n (500 at n = 10,000, 782 at 29,051 for scikit-learn's).
TIMEOUT = {"default": 180, "P8": 1800}
QUICK_TIMEOUT = {"default": 180, "P8": 600}


def default_timeout(name, quick=False):
    """Seconds allowed to one benchmark process of problem ``name``."""
    table = QUICK_TIMEOUT if quick else TIMEOUT
    return table.get(name, table["default"])


def child_env(quick=False):
    """The parent's environment without :data:`UNSET`; with ``quick``, one BLAS thread unless set.

    --quick reports no timing, and on a busy machine multi-threaded OpenBLAS
    spins: scikit-learn's multinomial newton-cholesky took 30 times longer
    with 2 threads than with 1 under a load of 8 on 2 cores.
    """
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    if quick:
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
    return env


def _cpu_seconds():
    """(CPU seconds used by the whole machine, by this process and its finished children)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    busy = sum(fields[:8]) - fields[3] - fields[4]  # everything but idle and iowait
    own = sum(
        getattr(resource.getrusage(w), a)
        for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        for a in ("ru_utime", "ru_stime")
    )
    return busy / os.sysconf("SC_CLK_TCK"), own


def _git(*args):
    root = Path(__file__).resolve().parent.parent
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


#: Newton on P1 with one of its ideas switched off (applied in :mod:`benchmarks.child`)
ABLATIONS = {
    "exact_hessian": "every row in each Hessian (no sub-sample)",
    "fixed_sample": "the same rows in each sub-sampled Hessian",
    "no_presolve": "no first solve on a 2% sample of rows (start from the intercept-only optimum)",
    "graph_engine": "graph nodes on blocks (BLAS X_b w, then X_b^T r) instead of the fused kernel",
    "zero_start": "start at 0 instead of the intercept-only optimum",
}


#: Timed fits per tool on P1 and P1f (the median is reported).
REPEATS = 3


def _job(tool, solver, max_iter, *, tol=TOL, trajectory=False, note="", **params):
    label = {"logreg": "logreg", "sklearn": "scikit-learn", "glum": "glum"}[tool] + f" {solver}"
    return {
        "tool": tool,
        "solver": solver,
        "tol": tol,
        "max_iter": max_iter,
        "params": params,
        "trajectory": trajectory,
        "label": label,
        "note": note,
    }


def reference_jobs(name):
    """Tight solves that define f*: logreg Newton, cross-checked by scikit-learn.

    For P1f they run on the float32 data promoted to float64: f* is the exact
    optimum for the same data points.  On P8 (multinomial) both are
    scikit-learn's, newton-cholesky and the Hessian-free newton-cg, so that f*
    does not depend on the solver under test.
    """
    if name == "P8":
        jobs = [_job("sklearn", "newton-cholesky", 100, tol=1e-12), _job("sklearn", "newton-cg", 200, tol=1e-12)]
        for j in jobs:
            j.update(ref=True, cast=None, warm_up=False)
            j["label"] += " (reference)"
        return jobs
    check = "newton-cg" if name == "P4" else "newton-cholesky"
    # Newton converges in a handful of iterations; the caps only bound a solver
    # that cannot meet 1e-12 in floating point (the spread of the two is reported)
    cap = 100 if name == "P4" else 20
    jobs = [_job("logreg", "newton", cap, tol=1e-12), _job("sklearn", check, cap, tol=1e-12)]
    for j in jobs:
        j.update(ref=True, cast="float64" if name == "P1f" else None, warm_up=False)
        j["label"] += " (reference)"
    return jobs


def fit_jobs(name, *, quick=False):
    """The fits of problem ``name``: logreg's solvers and the anchors.

    Iteration caps bound a full run's time; a fit that stops
    at its cap is reported as such, with the suboptimality it reached.  Plain
    gradient descent needs O(condition number) iterations: it gets enough for
    P1 (and for every problem with ``quick``), and a token 200 on P4.
    """
    caps = {"newton": 100, "lbfgs": 1_000, "auto": 1_000, "gd": 20_000 if quick else (200 if name == "P4" else 2_000)}
    if name == "P8":
        caps["lbfgs"] = 5_000
    solvers = {"P1f": ("auto", "lbfgs"), "P8": P8_SOLVERS}.get(name, LOGREG_SOLVERS)
    logreg = [_job("logreg", s, caps[s], trajectory=True) for s in solvers]
    if name == "P1" and not quick:
        # ablations: Newton with one idea switched off at a time (which idea bought what)
        for key, what in ABLATIONS.items():
            job = _job("logreg", "newton", caps["newton"], trajectory=True)
            job.update(ablation=key, label=f"logreg newton, {what}")
            logreg.append(job)
    if name == "P1":
        anchors = [
            _job("sklearn", "lbfgs", 2_000, trajectory=True),
            _job("sklearn", "newton-cholesky", 100, trajectory=True),
            _job("glum", "lbfgs", 2_000, trajectory=True),
            _job("glum", "irls-cd", 100, trajectory=True),
        ]
    elif name == "P1f":
        anchors = [_job("sklearn", "lbfgs", 2_000)]
    elif name == "P8":
        # glum has no multinomial family (binomial only): scikit-learn's two multinomial solvers, their
        # time to 1e-8 from the objective values they compute during the fit (refits of the minutes-long
        # lbfgs would triple the run, and resolve the time only to the refits' x1.41 steps in max_iter)
        anchors = [
            _job("sklearn", "lbfgs", 10_000, trajectory="evals"),
            _job("sklearn", "newton-cholesky", 100, trajectory="evals"),
        ]
    else:
        note = (
            "liblinear penalises the intercept like a weight (intercept_scaling=1): it minimises a different objective"
        )
        anchors = [
            _job("sklearn", "lbfgs", 1_000),
            _job("sklearn", "newton-cg", 100),
            _job("sklearn", "liblinear", 1_000, note=note),
        ]
    if name in ("P1", "P1f") and not quick:
        # one timing varies by +-30% on this kind of machine: every tool's fit is timed
        # REPEATS times in its process and the median reported (the anchors' refits once each)
        for j in logreg + anchors:
            j["repeats"] = REPEATS
    if name == "P8" and not quick:
        # Newton's fits take seconds (noisy: median of REPEATS); the lbfgs fits take minutes, timed once
        for j in logreg:
            if j["solver"] != "lbfgs":
                j["repeats"] = REPEATS
    if quick:  # timings mean nothing at these sizes: no warm-up, and the refits only check the code runs
        for j in logreg + anchors:
            j.update(warm_up=False, trajectory_budget=0.2)
    return logreg + anchors


def run_child(stem, jobs, *, dtype="float64", timeout=900, quick=False):
    """Run ``jobs`` in one ``python -m benchmarks.child`` process.

    Returns
    -------
    dict
        ``meta`` (BLAS info, size of X) and ``results`` (one dict per job);
        on a crash or timeout every job gets ``status`` 'error'/'timeout'.
    """
    with tempfile.TemporaryDirectory(prefix="logreg-bench-") as tmp:
        spec, out = Path(tmp, "spec.json"), Path(tmp, "out.json")
        spec.write_text(json.dumps({"stem": stem, "dtype": dtype, "jobs": jobs}))
        root = Path(__file__).resolve().parent.parent
        cmd = [sys.executable, "-m", "benchmarks.child", str(spec), str(out)]
        try:
            proc = subprocess.run(cmd, cwd=root, env=child_env(quick), capture_output=True, text=True, timeout=timeout)
            if out.exists():
                return json.loads(out.read_text())
            err = f"child exited {proc.returncode}: {proc.stderr[-1500:]}"
            status = "error"
        except subprocess.TimeoutExpired:
            err, status = f"timeout after {timeout} s", "timeout"
    return {"meta": {}, "results": [{**j, "status": status, "error": err} for j in jobs]}


def _run(stem, jobs, *, batch, log, **kw):
    """One child for all jobs (``batch``), else one child per job."""
    groups = [jobs] if batch else [[j] for j in jobs]
    meta, results = {}, []
    for group in groups:
        log(f"  {', '.join(j['label'] for j in group)} ...")
        out = run_child(stem, group, **kw)
        meta = meta or out["meta"]
        for r in out["results"]:
            results.append(r)
            if r.get("status") == "ok" and "time" in r:
                log(f"    {r['label']}: {r['time']:.3f} s, J = {r['objective']:.15g}")
            elif r.get("status") != "ok":
                log(f"    {r['label']}: {r['status']}: {r.get('error', '')[:300]}")
    return meta, results


def _suboptimality(results, f_star):
    for r in results:
        if r.get("status") == "ok" and "objective" in r:
            r["rel_subopt"] = (r["objective"] - f_star) / abs(f_star)
            r["reached"] = r["rel_subopt"] <= TARGET
            post = r.get("post_time", 0.0)
            traj = [(t + post, (f - f_star) / abs(f_star)) for t, f in r.get("trajectory", [])]
            r["trajectory_subopt"] = traj
            hit = [t for t, s in traj if s <= TARGET]
            # refits that stopped short of the main fit: the main fit is the first time known
            r["time_to_target"] = hit[0] if hit else (r["time"] if r["reached"] else None)


def run_problem(name, stem, *, quick, log, dtype="float64", extra=(), timeout=None):
    """References (f*) then fits; with ``quick`` all in one process, plus ``extra`` jobs.

    Without ``quick`` the references run first and f* is passed to the fits
    (it ends the anchors' trajectory refits); with ``quick`` the child process
    takes f* from the reference jobs it ran first.
    """
    refs, fits = reference_jobs(name), fit_jobs(name, quick=quick)
    if quick:
        log(f"{name}: references and fits in one process")
        timeout = timeout or default_timeout(name, quick=True)
        meta, results = _run(
            stem, refs + fits + list(extra), batch=True, log=log, dtype=dtype, timeout=timeout, quick=True
        )
    else:
        timeout = timeout or default_timeout(name)
        log(f"{name}: reference solves")
        meta, ref_res = _run(stem, refs, batch=False, log=log, dtype=dtype, timeout=timeout)
        f_star = min((r["objective"] for r in ref_res if r.get("status") == "ok"), default=None)
        log(f"{name}: fits (f* = {f_star})")
        jobs = [dict(j, f_star=f_star) for j in fits]
        meta, fit_res = _run(stem, jobs, batch=False, log=log, dtype=dtype, timeout=timeout)
        results = ref_res + fit_res
    refs = [r for r in results if r.get("ref")]
    others = [r for r in results if not r.get("ref") and r.get("kind") != "p2" and r.get("label") != "P2"]
    ok = [r["objective"] for r in refs if r.get("status") == "ok"]
    if not ok:
        raise RuntimeError(f"{name}: no reference solve succeeded: {refs}")
    f_star = min(ok)
    _suboptimality(refs + others, f_star)
    prob = {"f_star": f_star, "refs": refs, "fits": others, "meta": meta, "dtype": dtype}
    return prob, [r for r in results if r.get("label") == "P2"]


def run_suite(*, quick=False, only=None, scale=1.0, cache_dir=None, timeout=None, log=print):
    """Build the data and run the selected problems.

    Parameters
    ----------
    quick : bool
        Small sizes; every fit of a problem in one process.
    only : set of str, optional
        Among 'P1', 'P1f', 'P2', 'P3' (reported from P1's fits), 'P4', 'P8'.
    scale : float
        Multiplies the number of rows.
    cache_dir : str, optional
        Where the data are cached; default ``~/.cache/logreg-benchmarks``.
    timeout : float, optional
        Seconds per benchmark process (default :func:`default_timeout`: 180,
        on P8 1800, with ``quick`` 600); a fit that runs longer is reported as
        'timeout'.
    log : callable

    Returns
    -------
    dict
        Everything the report needs.
    """
    only = set(only or PROBLEMS)
    if "P3" in only:
        only.add("P1")
    cache_dir = cache_dir or os.path.join(os.path.expanduser("~"), ".cache", "logreg-benchmarks")
    out = {
        "quick": quick,
        "scale": scale,
        "sizes": {},
        "problems": {},
        "load_before": os.getloadavg(),
        "cpu_before": _cpu_seconds(),
        "wall_before": time.time(),
        "started": time.strftime("%Y-%m-%d %H:%M"),
        "git": {
            "commit": _git("rev-parse", "--short", "HEAD"),
            "src_modified": bool(_git("status", "--porcelain", "src")),
        },
    }
    if only & {"P1", "P1f", "P2"}:
        size = problems.sizes("P1", quick=quick, scale=scale)
        out["sizes"]["P1"] = size
        log(f"building/loading P1 {size}")
        stem = problems.ensure_cached("P1", size, cache_dir)
        p2_job = {"kind": "p2", "label": "P2", "repeats": 10}
        p2 = []
        if "P1" in only:
            extra = [p2_job] if quick and "P2" in only else []
            out["problems"]["P1"], p2 = run_problem("P1", stem, quick=quick, log=log, extra=extra, timeout=timeout)
        if "P1f" in only:
            out["problems"]["P1f"], _ = run_problem("P1f", stem, quick=quick, log=log, dtype="float32", timeout=timeout)
        if "P2" in only:
            if not p2:
                log("P2: one evaluation")
                meta, p2 = _run(stem, [p2_job], batch=True, log=log)
            out["problems"]["P2"] = p2[0]
            for case, c in p2[0].get("cases", {}).items():
                log(f"    {case}: {c.get('min', float('nan')) * 1e3:.1f} ms")
    if "P4" in only:
        size = problems.sizes("P4", quick=quick, scale=scale)
        out["sizes"]["P4"] = size
        log(f"building/loading P4 {size}")
        stem = problems.ensure_cached("P4", size, cache_dir)
        out["problems"]["P4"], _ = run_problem("P4", stem, quick=quick, log=log, timeout=timeout)
    if "P8" in only:
        size = problems.sizes("P8", quick=quick, scale=scale)
        out["sizes"]["P8"] = size
        log(f"building/loading P8 {size}")
        stem = problems.ensure_cached("P8", size, cache_dir)
        out["problems"]["P8"], _ = run_problem("P8", stem, quick=quick, log=log, timeout=timeout)
    out["load_after"] = os.getloadavg()
    # cores that other processes kept busy during the run, on average: the machine's
    # busy CPU time minus this suite's own (parent and benchmark processes)
    (busy0, own0), (busy1, own1) = out.pop("cpu_before"), _cpu_seconds()
    out["wall"] = time.time() - out.pop("wall_before")
    out["other_cores"] = max(0.0, ((busy1 - busy0) - (own1 - own0)) / max(out["wall"], 1e-9))
    out["parent_env"] = {k: os.environ.get(k) for k in UNSET}
    return out


def failures(out):
    """logreg fits that did not reach :data:`TARGET` (what ``--quick`` asserts)."""
    bad = []
    for name, prob in out["problems"].items():
        if name in ("P2", "P1f"):
            continue  # P1f: float32 arithmetic need not reach 1e-8; reported only
        for r in prob["fits"]:
            if r["tool"] == "logreg" and not r.get("reached"):
                bad.append(f"{name} {r['label']}: {r.get('status')} rel_subopt={r.get('rel_subopt')}")
    return bad
