"""The conformance grid: every solver on every corner reaches an optimum computed by someone else.

Cells: solver x binary / multinomial x dense float64 / float32 / CSR x in memory
/ Dask x no weights / sample weights / class weights x penalty (none, L2 at
C in {0.01, 1, 100, 1e4}, L1, elastic net where the solver takes them).  Each
cell asserts that

* J at the fitted model is within 1e-8 (relative) of the reference optimum
  J* of :mod:`_reference` (scikit-learn or scipy, KKT-certified), and not
  below it by more than rounding;
* ``converged_`` is reported only when true: the KKT residual at the fitted
  model, computed independently in float64, is then within tol (plus what
  float32 arithmetic cannot resolve, for float32 data); a fit that did not
  converge warns.

The small grid runs every in-memory cell, and every solver x classes x
storage x weights on Dask with the penalties rotating.  The large cells
(marked ``large``) use n = 420,000 rows, enough to reach every large-n path
with the default settings: the sub-sampled Hessian (n > 4 x 20,000), the
presolve on a row sample (n >= 20 x 20,000) and the float32 sampled Hessian
(dense binary); they cover each solver with both class counts, every storage
and backend and every weighting, on a 2-worker LocalCluster for Dask.

Gradient descent ('gd') is in the cells where its rate allows tol in a few
thousand iterations (L2 at C <= 1, L1, elastic net); unpenalised and weakly
penalised fits have a condition number in the 1e4-1e6 that plain gradient
descent needs as many iterations for.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from _reference import kkt, objective, reference_optimum
from logreg import LogisticRegression
from logreg.exceptions import ConvergenceWarning

SOLVERS = ("auto", "newton", "newton-cg", "newton-cholesky", "lbfgs", "cd", "gd")
NONSMOOTH_SOLVERS = ("auto", "cd", "gd")
#: name -> (C, l1_ratio)
PENALTIES = {
    "none": (np.inf, 0.0),
    "l2-0.01": (0.01, 0.0),
    "l2-1": (1.0, 0.0),
    "l2-100": (100.0, 0.0),
    "l2-1e4": (1e4, 0.0),
    "l1": (1.0, 1.0),
    "enet": (1.0, 0.5),
}
GD_PENALTIES = ("l2-0.01", "l2-1", "l1", "enet")
KINDS = ("f64", "f32", "csr")
WEIGHTS = ("none", "sample", "class")
TOL = 1e-10
SUBOPT = 1e-8


def _penalty_args(name):
    C, l1_ratio = PENALTIES[name]
    if not np.isfinite(C):
        return {"penalty": None}
    return {"C": C, "l1_ratio": l1_ratio} if l1_ratio else {"C": C}


def _cells(kinds=KINDS, weights=WEIGHTS, classes=(2, 3)):
    for solver in SOLVERS:
        for pen in PENALTIES:
            if PENALTIES[pen][1] and solver not in NONSMOOTH_SOLVERS:
                continue
            if solver == "gd" and pen not in GD_PENALTIES:
                continue
            for K in classes:
                for kind in kinds:
                    for w in weights:
                        yield solver, pen, K, kind, w


@functools.cache
def _data(n, K, kind, seed=0):
    """X in the storage ``kind``, labels from a softmax model with noise (no separation)."""
    rng = np.random.default_rng(seed + 10 * K)
    d = 5 if n < 10_000 else 6
    X = rng.standard_normal((n, d)) * np.linspace(0.5, 2.0, d) + 0.3
    if kind == "csr":
        X[rng.random((n, d)) < 0.4] = 0.0
    W = rng.standard_normal((K, d)) * 0.8
    y = np.argmax(X @ W.T + rng.gumbel(size=(n, K)), axis=1)
    y[:K] = np.arange(K)
    if kind == "f32":
        X = X.astype(np.float32)
    elif kind == "csr":
        X = sp.csr_matrix(X)
    return X, y


@functools.cache
def _weights(n, K, kind, weights):
    """(sample_weight for fit, class_weight for fit, the effective weights for the reference)."""
    X, y = _data(n, K, kind)
    if weights == "none":
        return None, None, None
    rng = np.random.default_rng(99)
    if weights == "sample":
        sw = rng.uniform(0.2, 3.0, size=n)
        return sw, None, sw
    cw = {k: 1.0 + 1.5 * k for k in range(K)}
    return None, cw, np.array([cw[k] for k in y])


@functools.cache
def _reference(n, K, kind, weights, pen):
    X, y = _data(n, K, kind)
    C, l1_ratio = PENALTIES[pen]
    return reference_optimum(X, y, C=C, l1_ratio=l1_ratio, sample_weight=_weights(n, K, kind, weights)[2])[0]


def _to_dask(X, y, sw, chunks):
    da = pytest.importorskip("dask.array")
    dense = X.toarray() if sp.issparse(X) else X
    Xd = da.from_array(dense, chunks=(chunks, dense.shape[1]))
    if sp.issparse(X):
        Xd = Xd.map_blocks(sp.csr_matrix, meta=sp.csr_matrix((0, 0), dtype=dense.dtype))
    yd = da.from_array(y, chunks=chunks)
    swd = None if sw is None else da.from_array(sw, chunks=chunks)
    return Xd, yd, swd


@functools.cache
def _parquet_root():
    import tempfile

    return tempfile.TemporaryDirectory(prefix="logreg-conformance-")  # removed at exit


def _to_parquet(X, y, sw, rows):
    """X, y (and weights) as Parquet files in row groups of ``rows`` rows: a streamed row source."""
    import tempfile

    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    from logreg import ParquetSource

    cols = {f"x{j}": X[:, j] for j in range(X.shape[1])} | {"y": y}
    if sw is not None:
        cols["w"] = sw
    directory = tempfile.mkdtemp(prefix="logreg-conformance-", dir=_parquet_root().name)
    table = pa.table(cols)
    half = X.shape[0] // 2
    pq.write_table(table.slice(0, half), f"{directory}/a.parquet", row_group_size=rows)
    pq.write_table(table.slice(half), f"{directory}/b.parquet", row_group_size=rows)
    return ParquetSource(directory, target="y", weight=None if sw is None else "w"), None, None


def check_cell(n, solver, pen, K, kind, weights, backend, *, chunks=None):
    X, y = _data(n, K, kind)
    sw, cw, eff = _weights(n, K, kind, weights)
    f_star = _reference(n, K, kind, weights, pen)
    max_iter = 20_000 if solver == "gd" else 1000
    model = LogisticRegression(solver=solver, tol=TOL, max_iter=max_iter, class_weight=cw, **_penalty_args(pen))
    if backend == "memory":
        Xf, yf, swf = X, y, sw
    elif backend == "parquet":
        Xf, yf, swf = _to_parquet(X, y, sw, chunks or -(-n // 3))
    else:
        Xf, yf, swf = _to_dask(X, y, sw, chunks or -(-n // 3))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(Xf, yf, sample_weight=swf)
    warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    C, l1_ratio = PENALTIES[pen]
    kw = {"C": C, "l1_ratio": l1_ratio, "sample_weight": eff}
    J = objective(X, y, model.coef_, model.intercept_, **kw)
    rel = (J - f_star) / abs(f_star)
    where = f"{solver} {pen} K={K} {kind} {weights} {backend}: J={J!r} J*={f_star!r}"
    assert rel <= SUBOPT, f"{where}: relative suboptimality {rel:.3g}"
    assert rel >= -1e-12, f"{where}: below the reference optimum by {-rel:.3g} (the reference is wrong)"
    r = kkt(X, y, model.coef_, model.intercept_, **kw)
    if model.converged_:
        # float32 data: the fit's sums round at ~1e-7 of the gradient's terms
        slack = 10 * TOL + (2e-6 if kind == "f32" else 0.0)
        assert r <= slack, f"{where}: converged_ is True but the KKT residual is {r:.3g}"
        assert not warned, f"{where}: converged, yet a ConvergenceWarning"
    else:
        assert warned, f"{where}: did not converge and did not warn (KKT residual {r:.3g})"


SMALL_N = 240


@pytest.mark.parametrize(("solver", "pen", "K", "kind", "weights"), list(_cells()))
def test_small_in_memory(solver, pen, K, kind, weights):
    check_cell(SMALL_N, solver, pen, K, kind, weights, "memory")


# Dask: every solver x classes x storage x weights, penalties rotating through the cells (each
# data-term evaluation is a graph, so the full product would take minutes for what the
# in-memory grid already covers: the Dask term's per-chunk code is the in-memory data term)
def _dask_cells():
    pens = list(PENALTIES)
    for i, (solver, K, kind, w) in enumerate(
        (s, K, k, w) for s in SOLVERS for K in (2, 3) for k in KINDS for w in WEIGHTS
    ):
        choices = [p for p in pens if not PENALTIES[p][1] or solver in NONSMOOTH_SOLVERS]
        if solver == "gd":
            # multinomial L1 / elastic net by proximal gradient takes thousands of iterations, each a
            # round trip on Dask (10-50 s a cell): one L1 cell below; the rest of those corners are in
            # the in-memory grid, whose per-chunk code the Dask term runs
            choices = list(GD_PENALTIES) if K == 2 else [p for p in GD_PENALTIES if not PENALTIES[p][1]]
        yield solver, choices[i % len(choices)], K, kind, w
    yield "gd", "l1", 3, "f32", "class"


@pytest.mark.parametrize(("solver", "pen", "K", "kind", "weights"), list(_dask_cells()))
def test_small_dask(solver, pen, K, kind, weights):
    check_cell(SMALL_N, solver, pen, K, kind, weights, "dask", chunks=70)


# Parquet files streamed row group by row group (logreg.ParquetSource): every solver but gd
# (thousands of passes over files) x classes, weights and penalties rotating
def _parquet_cells():
    pens = list(PENALTIES)
    solvers = [s for s in SOLVERS if s != "gd"]
    for i, (solver, K) in enumerate((s, K) for s in solvers for K in (2, 3)):
        choices = [p for p in pens if not PENALTIES[p][1] or solver in NONSMOOTH_SOLVERS]
        yield solver, choices[i % len(choices)], K, "f64", WEIGHTS[i % len(WEIGHTS)]


@pytest.mark.parametrize(("solver", "pen", "K", "kind", "weights"), list(_parquet_cells()))
def test_small_parquet(solver, pen, K, kind, weights):
    check_cell(SMALL_N, solver, pen, K, kind, weights, "parquet", chunks=50)


# --------------------------------------------------------------------------- large cells
LARGE_N = 420_000


#: (solver, penalty, K, storage, weights, backend): each solver with both K, every storage
#: and backend, every weighting; smooth penalties only, because at this size scipy's
#: L-BFGS-B does not certify an L1 reference (the small grid holds the L1 and elastic-net cells)
LARGE_CELLS = [
    ("auto", "l2-1", 2, "f64", "none", "dask"),
    ("auto", "l2-1", 3, "f32", "sample", "memory"),
    ("auto", "l2-100", 3, "csr", "class", "dask"),
    ("auto", "none", 2, "csr", "sample", "memory"),
    ("newton", "l2-100", 2, "f32", "class", "dask"),
    ("newton", "l2-1", 3, "f64", "none", "dask"),
    ("newton", "l2-0.01", 2, "csr", "none", "memory"),
    ("newton-cg", "l2-1", 2, "csr", "sample", "dask"),
    ("newton-cg", "l2-1", 3, "f64", "none", "memory"),
    ("newton-cholesky", "l2-1", 3, "f32", "sample", "dask"),
    ("newton-cholesky", "none", 2, "f64", "class", "memory"),
    ("lbfgs", "l2-1", 2, "f64", "class", "dask"),
    ("lbfgs", "l2-1", 3, "csr", "none", "memory"),
    ("lbfgs", "l2-100", 2, "f32", "sample", "memory"),
    ("cd", "l2-1", 3, "f64", "sample", "memory"),
    ("cd", "l2-100", 2, "f32", "none", "dask"),
    ("cd", "l2-1", 2, "csr", "class", "memory"),
]


@pytest.fixture(scope="module")
def cluster_client():
    """A 2-worker LocalCluster (one thread each), as on a small cluster: the chunks live in
    the workers' processes and every evaluation is a round trip."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as lc:
        with distributed.Client(lc) as client:
            yield client


@pytest.mark.large
@pytest.mark.parametrize(("solver", "pen", "K", "kind", "weights", "backend"), LARGE_CELLS)
def test_large(solver, pen, K, kind, weights, backend, request):
    if backend == "dask":
        request.getfixturevalue("cluster_client")
    check_cell(LARGE_N, solver, pen, K, kind, weights, backend, chunks=LARGE_N // 8)


# --------------------------------------------------------------------------- real data sets
def _anes96():
    sm = pytest.importorskip("statsmodels.api")
    data = sm.datasets.anes96.load_pandas().data
    X = data[["logpopul", "selfLR", "age", "educ", "income"]].to_numpy(dtype=float)
    return X, data["PID"].to_numpy().astype(int)  # party identification, 7 classes


@functools.cache
def _real(name):
    from sklearn import datasets
    from sklearn.preprocessing import StandardScaler

    loaders = {
        "digits": datasets.load_digits,
        "wine": datasets.load_wine,
        "iris": datasets.load_iris,
        "breast_cancer": datasets.load_breast_cancer,
    }
    X, y = _anes96() if name == "anes96" else loaders[name](return_X_y=True)
    return StandardScaler().fit_transform(X), np.unique(y, return_inverse=True)[1]


#: (data set, C): digits (10 classes), wine and iris (3), breast cancer (2) and anes96 (7), as a
#: user fits them after standardising; unpenalised only where the optimum exists (the others
#: are separable)
REAL = [(name, C) for name in ("digits", "wine", "iris", "breast_cancer", "anes96") for C in (1.0, 100.0)]
REAL.append(("anes96", np.inf))


@pytest.mark.parametrize(("name", "C"), REAL)
def test_real_data_with_default_settings_reach_the_optimum(name, C):
    """``LogisticRegression(C=C).fit(X, y)``, nothing else set: J within 1e-8 of the optimum
    (digits at C = 100 ended 1.2% above it before convergence was certified by the next
    Newton step, and at twice the optimum before the stall rule was mended)."""
    X, y = _real(name)
    f_star = reference_optimum(X, y, C=C)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = LogisticRegression(C=C).fit(X, y)
    assert model.converged_
    J = objective(X, y, model.coef_, model.intercept_, C=C)
    assert (J - f_star) / f_star <= SUBOPT, (name, C, J, f_star)
