"""One benchmark process: ``python -m benchmarks.child SPEC.json OUT.json``.

The runner starts this module once per fit (once per problem with
``--quick``), so that each fit's memory is its own.  SPEC holds the cached
data's path and a list of jobs; OUT receives one result per job.

Peak extra memory is the growth of the peak resident set size (VmHWM) during
the fit over the resident set size just before it, with the data already
loaded: Linux resets VmHWM to the current RSS when ``5`` is written to
``/proc/self/clear_refs``.  Where that is not possible a thread samples RSS
every millisecond instead.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading
import time
import traceback
import warnings

import numpy as np
from glum import GeneralizedLinearRegressor
from sklearn._loss.loss import HalfBinomialLoss
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.linear_model import _linear_loss
from threadpoolctl import threadpool_info

import logreg
from logreg import LogisticRegression

from .problems import C, load, objective


# ----------------------------------------------------------------- memory
def _status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise OSError(field)


class PeakMemory:
    """Peak RSS growth over the RSS at entry, in bytes (``.extra`` after exit)."""

    def __enter__(self):
        gc.collect()
        self.extra = None
        self._stop = None
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            self.base = _status_kb("VmRSS")
            self.method = "VmHWM"
        except OSError:
            import psutil

            proc = psutil.Process()
            self.base = proc.memory_info().rss
            self.method = "sampled"
            self._peak = self.base
            self._stop = threading.Event()

            def sample():
                while not self._stop.wait(0.001):
                    self._peak = max(self._peak, proc.memory_info().rss)

            self._thread = threading.Thread(target=sample, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        if self._stop is None:
            self.extra = _status_kb("VmHWM") - self.base
        else:
            self._stop.set()
            self._thread.join()
            self.extra = self._peak - self.base
        return False


# ------------------------------------------------------------- estimators
def make_estimator(job, n):
    """The estimator of a job: logreg, scikit-learn or glum, all minimising J.

    glum minimises ``deviance / (2 n) + alpha/2 ||w||^2``; the binomial
    deviance is twice the log-loss, so ``alpha = 1 / (C n)`` gives J.
    """
    tool, solver, tol, max_iter = job["tool"], job["solver"], job["tol"], job["max_iter"]
    extra = job.get("params", {})
    if tool == "logreg":
        options = ablation_options(job.get("ablation"))
        if options:
            extra = {**extra, "solver_options": options}
        return LogisticRegression(C=C, solver=solver, tol=tol, max_iter=max_iter, **extra)
    if tool == "sklearn":
        return SkLogisticRegression(C=C, solver=solver, tol=tol, max_iter=max_iter, **extra)
    if tool == "glum":
        return GeneralizedLinearRegressor(
            family="binomial",
            alpha=1.0 / (C * n),
            l1_ratio=0.0,
            solver=solver,
            gradient_tol=tol,
            max_iter=max_iter,
            **extra,
        )
    raise ValueError(f"unknown tool {tool!r}")


def coefficients(est):
    """(w of shape (d,), b) of a fitted estimator of any of the three tools; (W (K, d), b (K,)) if multinomial."""
    if np.ndim(est.coef_) == 2 and est.coef_.shape[0] > 1:
        return np.asarray(est.coef_), np.ravel(est.intercept_)
    return np.ravel(est.coef_), float(np.ravel(est.intercept_)[0])


class EvalCounter:
    """Counts scikit-learn's loss evaluations (loss, gradient, Hessian or Hessian product).

    scikit-learn does not report them, so the methods of ``LinearModelLoss``
    are wrapped for the life of the process.  liblinear does not use them.
    While ``history`` is a list, each objective value that scikit-learn
    computes is appended with the time it was known: its objective history,
    as logreg's callback gives logreg's.
    """

    count = 0
    history = None

    @classmethod
    def install(cls):
        lml = _linear_loss.LinearModelLoss
        for name in ("loss", "loss_gradient", "gradient", "gradient_hessian"):
            orig = getattr(lml, name)

            def counted(self, *args, _orig=orig, _name=name, **kwargs):
                cls.count += 1
                out = _orig(self, *args, **kwargs)
                if cls.history is not None and _name in ("loss", "loss_gradient"):
                    cls.history.append((time.perf_counter(), float(out if _name == "loss" else out[0])))
                return out

            setattr(lml, name, counted)
        orig_ghp = lml.gradient_hessian_product

        def ghp(self, *args, **kwargs):
            cls.count += 1
            grad, hessp = orig_ghp(self, *args, **kwargs)

            def counted_hessp(s):
                cls.count += 1
                return hessp(s)

            return grad, counted_hessp

        lml.gradient_hessian_product = ghp


def _max_iter_steps(limit):
    """1, 2, 3, 4, 6, 8, 11, 16, ... up to ``limit``: refits for a trajectory."""
    steps, k = [], 1.0
    while int(k) < limit:
        if not steps or int(k) > steps[-1]:
            steps.append(int(k))
        k *= 1.4142
    return steps + [int(limit)]


#: Newton with one idea switched off, through LogisticRegression's solver_options.
ABLATION_OPTIONS = {
    "exact_hessian": {"hessian_rows": None},  # every row in each Hessian
    "fixed_sample": {"fresh_rows": False},  # the same sub-sample of rows in each Hessian
    "no_presolve": {"presolve": False},  # no first solve on a sample of rows
    "graph_engine": {"engine": "graph"},  # the graph's nodes on row blocks, not the fused kernel
    "zero_start": {"start": "zero"},  # theta = 0 instead of the intercept-only optimum
}


def ablation_options(name):
    """The ``solver_options`` that switch one of Newton's ideas off ({} for none)."""
    if not name:
        return {}
    try:
        return dict(ABLATION_OPTIONS[name])
    except KeyError:
        raise ValueError(f"unknown ablation {name!r}; choose from {sorted(ABLATION_OPTIONS)}") from None


def touch(X):
    """Read all of X once, untimed, just before a timed fit (every tool alike).

    Memory left idle for a few seconds is slow to read again on this kind of
    virtual machine (measured: the first ``X.sum()`` 3 s after loading P1 took
    172 ms, the next ones 45 ms); a fit that starts on such memory pays it in
    its first pass, which would time the machine rather than the tool.
    """
    if hasattr(X, "indptr"):
        X.data.sum(), X.indices.sum(), X.indptr.sum()
    else:
        X.sum()


def warm_up(job, X, y, rows=2000):
    """Fit the same tool and solver once on the first rows, untimed; return its time.

    First calls pay one-off costs (numba compiling or loading its cache, lazy
    imports, thread pools) that a second fit in the same process does not;
    every tool gets the same warm-up so the timed fit is the steady state.
    """
    est = make_estimator(dict(job, max_iter=min(job["max_iter"], 20)), min(rows, X.shape[0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        est.fit(X[:rows], y[:rows])
        return time.perf_counter() - t0


def run_fit(job, X, y):
    """Fit ``repeats`` times (default 1) for time, memory and objective; then the trajectory if asked.

    With repeats, ``time`` (and the logreg trajectory) are those of the fit with
    the median time, ``times`` lists them all, and ``peak_extra`` is the largest.
    """
    n = X.shape[0]
    out = {k: job.get(k) for k in ("tool", "solver", "tol", "max_iter", "label", "note", "ref", "ablation")}
    f_star = job.get("f_star")
    trace = []

    def callback(it, f, g):
        trace.append((time.perf_counter() - t0, float(f)))

    kwargs = {"callback": callback} if job["tool"] == "logreg" and job.get("trajectory") else {}
    # scikit-learn's objective history instead of refits (see EvalCounter)
    evals_history = job["tool"] == "sklearn" and job.get("trajectory") == "evals"
    out["warmup_time"] = warm_up(job, X, y) if job.get("warm_up", True) else None
    runs = []
    for _ in range(max(1, int(job.get("repeats", 1)))):
        est = make_estimator(job, n)
        EvalCounter.count = 0
        EvalCounter.history = [] if evals_history else None
        trace = []
        touch(X)
        with warnings.catch_warnings(record=True) as caught, PeakMemory() as mem:
            warnings.simplefilter("always")
            t0 = time.perf_counter()
            est.fit(X, y, **kwargs)
            elapsed = time.perf_counter() - t0
        if evals_history:
            trace = [(t - t0, f) for t, f in EvalCounter.history]
            EvalCounter.history = None
        runs.append((elapsed, est, trace, mem.extra, mem.method, list(caught), EvalCounter.count))
    peak = max(r[3] for r in runs)
    times = [r[0] for r in runs]
    elapsed, est, trace, _, method, caught, evals = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
    EvalCounter.count = evals
    w, b = coefficients(est)
    out.update(
        status="ok",
        time=elapsed,
        times=times,
        peak_extra=peak,
        memory_method=method,
        objective=objective(X, y, w, b),
        n_iter=int(np.max(est.n_iter_)),
        warnings=sorted({str(c.message)[:160] for c in caught}),
    )
    if job["tool"] == "logreg":
        out["passes"] = int(est.n_passes_)
        out["converged"] = bool(est.converged_)
        out["solver_used"] = est.solver_
        out["grad_norm"] = float(getattr(est, "grad_norm_", np.nan))
    elif job["tool"] == "sklearn" and job["solver"] != "liblinear":
        out["evals"] = EvalCounter.count
    if "converged" not in out:
        out["converged"] = out["n_iter"] < job["max_iter"]
    if trace:
        out["trajectory"] = trace
        # what the fit does after its last iteration (statistics, copies) any shorter fit would do too
        out["post_time"] = elapsed - trace[-1][0]
    elif job.get("trajectory"):
        out["trajectory"] = refit_trajectory(job, X, y, out, f_star, job.get("trajectory_budget"))
    return out


def refit_trajectory(job, X, y, main, f_star, budget=None):
    """Objective against time for a tool without a callback: refit with max_iter = 1, 2, 3, 4, 6...

    Each point is an honest "stopped at max_iter = k" fit: its own time, and J
    of its coefficients.  Stops once J is within 1e-10 of f* (relative), at the
    main fit's iteration count, or when the refits have used ``budget``
    seconds (default: 3 times the main fit, at least 5 s).
    """
    budget = max(5.0, 3.0 * main["time"]) if budget is None else budget
    points, spent = [], 0.0
    for k in _max_iter_steps(max(1, main["n_iter"])):
        est = make_estimator(dict(job, max_iter=k), X.shape[0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            touch(X)
            t0 = time.perf_counter()
            est.fit(X, y)
            t = time.perf_counter() - t0
        f = objective(X, y, *coefficients(est))
        points.append((t, f))
        spent += t
        if f_star is not None and (f - f_star) <= 1e-10 * abs(f_star) or spent > budget:
            break
    return points


# -------------------------------------------------------------------- P2
def _best_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return {"min": min(times), "median": float(np.median(times)), "repeats": repeats}


def run_p2(job, X, y):
    """P2: one loss+gradient evaluation, against one streaming read of X.

    Returns the timings and the largest relative difference between each
    implementation's (J, grad) and scikit-learn's.
    """
    from scipy.special import expit

    n, d = X.shape
    rng = np.random.default_rng(3)
    w = 0.1 * rng.standard_normal(d)
    b = 0.1
    theta = np.concatenate([w, [b]])
    alpha = 1.0 / (C * n)
    repeats = job.get("repeats", 20)
    results = {}

    sk = _linear_loss.LinearModelLoss(base_loss=HalfBinomialLoss(), fit_intercept=True)

    def sklearn_eval():
        return sk.loss_gradient(theta, X, y, l2_reg_strength=alpha)

    def two_pass():
        z = X @ w + b
        r = (expit(z) - y) / n
        f = float(np.mean(np.logaddexp(0.0, z) - y * z)) + 0.5 * alpha * (w @ w)
        return f, np.concatenate([X.T @ r + alpha * w, [r.sum()]])

    def logreg_objective(Xd, engine="auto"):
        from logreg.objective import Objective, make_datafit
        from logreg.penalties import make_penalty

        obj = Objective(make_datafit(Xd, y.astype(np.intp), 2, None, engine=engine), make_penalty("l2", C, float(n)))
        return lambda: obj.value_and_grad(theta)

    f_ref, g_ref = sklearn_eval()

    def rel_err(fg):
        f, g = fg
        return max(abs(f - f_ref) / abs(f_ref), float(np.max(np.abs(g - g_ref)) / np.max(np.abs(g_ref))))

    cases = [
        ("X.sum() (one streaming read)", X.sum),
        ("scikit-learn LinearModelLoss.loss_gradient", sklearn_eval),
        ("two-pass numpy: X@w, X.T@r", two_pass),
    ]
    for name, engine in (("logreg Objective.value_and_grad", "auto"), ("logreg graph engine (blocked BLAS)", "graph")):
        try:
            cases.append((name, logreg_objective(X, engine)))
        except Exception as exc:  # the objective's internals may move; report, do not fail
            results[name] = {"error": repr(exc)}
    X32 = X.astype(np.float32)
    cases.append(("X.sum() float32", X32.sum))
    try:
        cases.append(("logreg Objective.value_and_grad float32", logreg_objective(X32)))
    except Exception as exc:
        results["logreg Objective.value_and_grad float32"] = {"error": repr(exc)}
    for name, fn in cases:
        fn()  # warm-up: thread pools, page faults of temporaries
        res = _best_time(fn, repeats)
        if not name.startswith("X.sum"):
            res["rel_err_vs_sklearn"] = rel_err(fn())
        results[name] = res
    return {"label": "P2", "status": "ok", "cases": results}


# ------------------------------------------------------------------ main
def main(spec_path, out_path):
    with open(spec_path) as f:
        spec = json.load(f)
    EvalCounter.install()
    X, y = load(spec["stem"], spec.get("dtype", "float64"))
    results = []
    f_star = None  # from this process's reference jobs, when the runner did not pass one
    for job in spec["jobs"]:
        job = dict(job)
        job.setdefault("f_star", f_star)
        t_job = time.perf_counter()
        try:
            if job.get("kind") == "p2":
                res = run_p2(job, X, y)
            else:
                res = run_fit(job, X.astype(job["cast"]) if job.get("cast") else X, y)
        except Exception as exc:
            res = {**job, "status": "error", "error": f"{exc!r}\n{traceback.format_exc()[-1500:]}"}
        res["job_wall"] = time.perf_counter() - t_job  # with trajectory and objective evaluations
        if job.get("ref") and res.get("status") == "ok":
            f_star = res["objective"] if f_star is None else min(f_star, res["objective"])
        results.append(res)
        gc.collect()
    meta = {
        "logreg_file": logreg.__file__,  # which checkout the benchmark processes imported
        "threadpool_info": threadpool_info(),
        "env": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "LOGREG_NUM_THREADS")},
        "X_bytes": int(X.data.nbytes + X.indices.nbytes + X.indptr.nbytes) if hasattr(X, "indptr") else int(X.nbytes),
    }
    tmp = out_path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"meta": meta, "results": results}, f)
    os.replace(tmp, out_path)


if __name__ == "__main__":
    main(*sys.argv[1:3])
