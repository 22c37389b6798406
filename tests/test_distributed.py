"""logreg.distributed: the data term over dask row chunks equals the in-memory one.

The per-chunk code is the in-memory data term itself (seed 002's dz = a - y,
seed 003's dZ = (A - Y)/S per chunk, weights divided by the global S), so
every quantity is compared with the in-memory result on the same rows: data
term evaluations to 1e-12, fitted coefficients to 1e-10 (relative).
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

da = pytest.importorskip("dask.array")

from logreg import LogisticRegression  # noqa: E402
from logreg import distributed as dist  # noqa: E402
from logreg.exceptions import ConvergenceWarning  # noqa: E402
from logreg.objective import make_datafit  # noqa: E402

N, D = 240, 4
#: row chunkings of N rows: even, uneven with a one-row and an empty chunk, a single chunk
CHUNKINGS = {"even": (60,) * 4, "uneven": (100, 1, 0, 89, 50), "single": (N,)}


def make_data(n=N, d=D, n_classes=2, *, sparse=False, weights=None, seed=0):
    """X (n, d) with a real signal, labels drawn from a softmax model, optional weights.

    ``weights``: None, 'random' (uniform in [0.2, 3]) or 'uniform2' (all 2.0:
    uniform but S = 2n, which scales the penalty).
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    if sparse:
        X[rng.random(size=(n, d)) < 0.5] = 0.0
        X[3] = 0.0  # an empty CSR row
    W = rng.normal(size=(n_classes, d))
    y = np.argmax(X @ W.T + rng.gumbel(size=(n, n_classes)), axis=1)
    y[:n_classes] = np.arange(n_classes)  # every class present
    sw = {None: None, "random": rng.uniform(0.2, 3.0, size=n), "uniform2": np.full(n, 2.0)}[weights]
    return (sp.csr_matrix(X) if sparse else X), y, sw


def to_dask(X, rows, cols=None):
    """X as a dask array with the given row chunks: dense chunks, or CSR chunks for sparse X."""
    dense = X.toarray() if sp.issparse(X) else X
    A = da.from_array(dense, chunks=(rows, cols or dense.shape[1]))
    if sp.issparse(X):
        return A.map_blocks(sp.csr_matrix, meta=sp.csr_matrix((0, 0), dtype=dense.dtype))
    return A


def rel(a, b):
    """Max-norm relative difference of b from the reference a."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), 1e-300))


# --------------------------------------------------------------------------- the data term
@pytest.mark.parametrize("chunking", list(CHUNKINGS))
@pytest.mark.parametrize("weights", [None, "random"])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_data_term_equals_in_memory(n_classes, sparse, weights, chunking):
    X, y, sw = make_data(n_classes=n_classes, sparse=sparse, weights=weights)
    ref = make_datafit(X, y, n_classes, sw)
    dd = dist.make_dask_datafit(to_dask(X, CHUNKINGS[chunking]), da.from_array(y, chunks=50), n_classes, sw)
    assert dd.n_chunks == sum(1 for c in CHUNKINGS[chunking] if c)  # the empty chunk is dropped
    assert (dd.n_params, dd.n_features, dd.n_classes, dd.fit_intercept) == (
        ref.n_params,
        ref.n_features,
        ref.n_classes,
        ref.fit_intercept,
    )
    assert dd.data.n_samples == N
    assert dd.weight_sum == pytest.approx(ref.weight_sum, rel=1e-14)
    np.testing.assert_array_equal(dd.coef_mask(), ref.coef_mask())

    rng = np.random.default_rng(1)
    theta = 0.5 * rng.normal(size=ref.n_params)
    v = rng.normal(size=ref.n_params)
    f_ref, g_ref = ref.value_and_grad(theta)
    f, g = dd.value_and_grad(theta)
    assert abs(f - f_ref) <= 1e-12 * abs(f_ref)
    assert rel(g_ref, g) <= 1e-12
    assert abs(dd.value(theta) - f_ref) <= 1e-12 * abs(f_ref)
    assert rel(ref.hessp(theta, v), dd.hessp(theta, v)) <= 1e-12
    assert rel(ref.hessian(theta), dd.hessian(theta)) <= 1e-12
    assert rel(ref.hessian_diag(theta), dd.hessian_diag(theta)) <= 1e-12
    z = dd.linear_predictor(theta)
    assert isinstance(z, da.Array)
    assert rel(ref.linear_predictor(theta), z.compute()) <= 1e-12
    # the parameter layout is the in-memory one
    w, b = dd.split(theta)
    np.testing.assert_array_equal(dd.join(w, b), theta)


def test_data_term_without_intercept_and_uniform_weights():
    X, y, sw = make_data(n_classes=3, weights="uniform2")
    ref = make_datafit(X, y, 3, None, fit_intercept=False)  # uniform weights enter as 1/n
    dd = dist.make_dask_datafit(to_dask(X, CHUNKINGS["uneven"]), y, 3, sw, fit_intercept=False)
    assert dd.n_params == 3 * D
    assert dd.total_weight == pytest.approx(2.0 * N)  # the penalty's S
    theta = np.random.default_rng(2).normal(size=dd.n_params)
    f_ref, g_ref = ref.value_and_grad(theta)
    f, g = dd.value_and_grad(theta)
    assert abs(f - f_ref) <= 1e-12 * abs(f_ref)
    assert rel(g_ref, g) <= 1e-12
    assert rel(ref.hessian(theta), dd.hessian(theta)) <= 1e-12


def test_weight_sum_hook_makes_row_blocks_add_up():
    # objective's weight_sum= hook: row blocks normalised by the global S sum to the whole
    X, y, sw = make_data(weights="random")
    theta = np.random.default_rng(3).normal(size=D + 1)
    whole = make_datafit(X, y, 2, sw).value_and_grad(theta)
    S = sw.sum()
    parts = [
        make_datafit(X[a:b], y[a:b], 2, sw[a:b], weight_sum=S).value_and_grad(theta) for a, b in [(0, 70), (70, N)]
    ]
    assert abs(parts[0][0] + parts[1][0] - whole[0]) <= 1e-12 * whole[0]
    assert rel(whole[1], parts[0][1] + parts[1][1]) <= 1e-12
    # without the hook each block would be its own mean: the check above can fail
    own = [make_datafit(X[a:b], y[a:b], 2, sw[a:b]).value(theta) for a, b in [(0, 70), (70, N)]]
    assert abs(own[0] + own[1] - whole[0]) > 1e-3


@pytest.mark.parametrize("n_classes", [2, 3])
def test_sub_sampled_hessian(n_classes):
    n, max_rows = 2000, 150
    X, y, sw = make_data(n=n, n_classes=n_classes, weights="random")
    ref = make_datafit(X, y, n_classes, sw)
    theta = 0.3 * np.random.default_rng(4).normal(size=ref.n_params)
    # one chunk samples the same rows as in memory
    one = dist.make_dask_datafit(da.from_array(X, chunks=(n, D)), y, n_classes, sw)
    assert rel(ref.hessian(theta, max_rows=max_rows), one.hessian(theta, max_rows=max_rows)) <= 1e-12
    # several chunks: a stratified sample, each chunk weighted by its share of S
    many = dist.make_dask_datafit(da.from_array(X, chunks=((700, 300, 1000), D)), y, n_classes, sw)
    exact = ref.hessian(theta)
    sampled = many.hessian(theta, max_rows=max_rows)
    assert rel(exact, many.hessian(theta)) <= 1e-12
    assert 1e-6 < rel(exact, sampled) < 0.3  # sampled (not exact), and an estimate of the whole


def test_one_round_trip_per_evaluation(monkeypatch):
    X, y, _ = make_data()
    dd = dist.make_dask_datafit(to_dask(X, CHUNKINGS["even"]), y, 2)
    calls = []
    compute = dd._runner.compute

    def counting(*graphs):
        calls.append(len(graphs))
        return compute(*graphs)

    monkeypatch.setattr(dd._runner, "compute", counting)
    theta = np.zeros(dd.n_params)
    for evaluate in (dd.value_and_grad, dd.hessian, dd.hessian_diag, lambda t: dd.hessp(t, t + 1.0)):
        calls.clear()
        evaluate(theta)
        assert calls == [1]


def test_fit_reads_each_chunk_once():
    # the chunks are loaded once and kept: the solver's evaluations never recompute X
    X, y, _ = make_data()
    reads = []

    def record(block, block_info=None):
        reads.append(block_info[0]["chunk-location"][0])
        return block

    Xd = da.from_array(X, chunks=(60, D)).map_blocks(record, dtype=X.dtype, meta=np.empty((0, 0)))
    model = LogisticRegression(solver="newton", tol=1e-10).fit(Xd, da.from_array(y, chunks=60))
    assert model.n_passes_ > 4  # many evaluations ...
    assert sorted(reads) == [0, 1, 2, 3]  # ... one read of each chunk


# --------------------------------------------------------------------------- LogisticRegression.fit
#: tolerances that each solver reaches well above the rounding of the objective, so both fits
#: take the same path (L-BFGS stops on a stalled f near |g| ~ 1e-9 on these data)
SOLVERS = {"newton": 1e-10, "lbfgs": 1e-7, "gd": 1e-6}
FIT_CASES = {
    "dense-even": dict(sparse=False, weights=None, rows=CHUNKINGS["even"]),
    "sparse-uneven-weighted": dict(sparse=True, weights="random", rows=CHUNKINGS["uneven"]),
    "dense-uneven-colchunks-balanced": dict(
        sparse=False, weights="random", rows=CHUNKINGS["uneven"], cols=2, class_weight="balanced"
    ),
    "dense-single-uniform2": dict(sparse=False, weights="uniform2", rows=CHUNKINGS["single"]),
}


@pytest.mark.parametrize("case", list(FIT_CASES))
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("solver", list(SOLVERS))
def test_fit_equals_in_memory(solver, n_classes, case):
    c = FIT_CASES[case]
    X, y, sw = make_data(n_classes=n_classes, sparse=c["sparse"], weights=c["weights"])
    kw = dict(solver=solver, tol=SOLVERS[solver], max_iter=2000, class_weight=c.get("class_weight"))
    ref = LogisticRegression(**kw).fit(X, y, sample_weight=sw)
    Xd = to_dask(X, c["rows"], c.get("cols"))
    swd = None if sw is None else da.from_array(sw, chunks=70)  # other chunks than X: rechunked
    model = LogisticRegression(**kw).fit(Xd, da.from_array(y, chunks=70), sample_weight=swd)
    assert ref.converged_ and model.converged_
    assert rel(ref.coef_, model.coef_) <= 1e-10
    assert rel(ref.intercept_, model.intercept_) <= 1e-10
    np.testing.assert_array_equal(model.classes_, ref.classes_)
    assert model.n_iter_[0] == ref.n_iter_[0]
    assert model.solver_ == ref.solver_
    assert rel(ref.objective_history_, model.objective_history_) <= 1e-12
    assert model.coef_.shape == ref.coef_.shape and model.coef_.dtype == ref.coef_.dtype
    assert model.n_features_in_ == D
    assert isinstance(model.coef_, np.ndarray)  # an ordinary in-memory model


def test_fit_string_labels_dict_class_weight_and_predictions():
    X, y, sw = make_data(n_classes=3, weights="random", seed=5)
    labels = np.array(["cat", "dog", "emu"])[y]
    kw = dict(solver="newton", tol=1e-10, class_weight={"cat": 2.0, "emu": 0.5})
    ref = LogisticRegression(**kw).fit(X, labels, sample_weight=sw)
    Xd = to_dask(X, CHUNKINGS["uneven"])
    model = LogisticRegression(**kw).fit(Xd, da.from_array(labels, chunks=50), sample_weight=sw)
    assert rel(ref.coef_, model.coef_) <= 1e-10
    np.testing.assert_array_equal(model.classes_, ref.classes_)
    for method in ("predict", "predict_proba", "predict_log_proba", "decision_function"):
        out = getattr(model, method)(Xd)
        assert isinstance(out, da.Array), method
        expected = getattr(ref, method)(X)
        got = out.compute()
        assert got.shape == expected.shape and got.dtype == expected.dtype, method
        if method == "predict":
            np.testing.assert_array_equal(got, expected)
        else:
            assert rel(expected, got) <= 1e-9, method


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_predictions_on_dask_equal_in_memory(n_classes, sparse):
    X, y, _ = make_data(n_classes=n_classes, sparse=sparse)
    model = LogisticRegression().fit(X, y)
    Xd = to_dask(X, CHUNKINGS["uneven"], cols=3)  # column chunks are merged first
    for method in ("predict", "predict_proba", "predict_log_proba", "decision_function"):
        out = getattr(model, method)(Xd)
        assert isinstance(out, da.Array), method
        got, expected = out.compute(), getattr(model, method)(X)
        assert got.shape == expected.shape, method
        # a chunk's matrix product may round differently from the whole array's (BLAS blocking)
        np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-16, err_msg=method)


def test_float32_and_integer_x():
    X, y, _ = make_data()
    Xi = np.round(3 * X).astype(np.int64)
    ref = LogisticRegression(solver="newton", tol=1e-10).fit(Xi, y)
    model = LogisticRegression(solver="newton", tol=1e-10).fit(da.from_array(Xi, chunks=(70, D)), y)
    assert model.coef_.dtype == np.float64
    assert rel(ref.coef_, model.coef_) <= 1e-10
    X32 = X.astype(np.float32)
    ref32 = LogisticRegression(solver="newton", tol=1e-4).fit(X32, y)
    m32 = LogisticRegression(solver="newton", tol=1e-4).fit(da.from_array(X32, chunks=(70, D)), y)
    assert m32.coef_.dtype == np.float32
    assert rel(ref32.coef_, m32.coef_) <= 1e-4  # float32 sums, in another order


def test_statistics_computed_distributed():
    X, y, sw = make_data(n_classes=3, weights="random", seed=6)
    kw = dict(penalty=None, solver="newton", tol=1e-10)
    ref = LogisticRegression(**kw).fit(X, y, sample_weight=sw)
    model = LogisticRegression(**kw).fit(to_dask(X, CHUNKINGS["uneven"]), y, sample_weight=sw)
    a, b = ref.model_.statistics, model.model_.statistics
    assert b is not None
    assert (b.n_rows, b.unit_weights, b.n_classes, b.n_features) == (a.n_rows, a.unit_weights, 3, D)
    for name in ("weight_sum", "log_likelihood", "null_log_likelihood", "params", "fisher", "meat", "meat_prob"):
        assert rel(getattr(a, name), getattr(b, name)) <= 1e-9, name
    assert model.model_.diagnostics == ref.model_.diagnostics == ()
    s_ref, s = ref.summary().to_frame(), model.summary().to_frame()
    np.testing.assert_allclose(s.to_numpy(), s_ref.to_numpy(), rtol=1e-7)


def test_diagnostics_from_a_sample_drawn_on_the_chunks():
    # a constant column and a column that separates the classes: the in-memory fit's
    # diagnostics find both, and so does the Dask fit from rows sampled on the chunks
    from logreg.exceptions import ConstantFeatureWarning, PerfectSeparationWarning

    X, y, _ = make_data(seed=11)
    X[:, 1] = 3.0
    X[:, 2] = np.where(y == 1, 1.0, -1.0) + 0.1 * X[:, 0]
    kw = dict(penalty=None, solver="newton", max_iter=30)
    with warnings.catch_warnings(record=True) as mem:
        warnings.simplefilter("always")
        ref = LogisticRegression(**kw).fit(X, y)
    with warnings.catch_warnings(record=True) as dsk:
        warnings.simplefilter("always")
        model = LogisticRegression(**kw).fit(to_dask(X, CHUNKINGS["uneven"]), y)
    want = {ConstantFeatureWarning, PerfectSeparationWarning}
    assert want <= {w.category for w in mem}
    assert want <= {w.category for w in dsk}
    assert [d.category for d in model.model_.diagnostics] == [d.category for d in ref.model_.diagnostics]
    assert all(w.filename == __file__ for w in dsk if w.category in want)


# --------------------------------------------------------------------------- a cluster
@pytest.mark.parametrize("processes", [False, True])
def test_local_cluster_fit(processes):
    distributed = pytest.importorskip("distributed")
    X, y, sw = make_data(n_classes=3, sparse=True, weights="random", seed=7)
    ref = LogisticRegression(solver="newton", tol=1e-10).fit(X, y, sample_weight=sw)
    with (
        warnings.catch_warnings(),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=processes, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        warnings.simplefilter("ignore", ResourceWarning)
        Xd, yd = to_dask(X, CHUNKINGS["uneven"]), da.from_array(y, chunks=CHUNKINGS["uneven"])
        dd = dist.make_dask_datafit(Xd, yd, 3, sw)
        # the chunks' data terms live on the workers, the client holds futures only
        assert dd.client is client
        assert all(isinstance(p, distributed.Future) for p in dd._parts)
        theta = np.random.default_rng(8).normal(size=dd.n_params)
        f_ref, g_ref = make_datafit(X, y, 3, sw).value_and_grad(theta)
        f, g = dd.value_and_grad(theta)
        assert abs(f - f_ref) <= 1e-12 * f_ref and rel(g_ref, g) <= 1e-12
        dd.release()
        model = LogisticRegression(solver="newton", tol=1e-10).fit(Xd, yd, sample_weight=sw)
        proba = model.predict_proba(Xd).compute()
    assert rel(ref.coef_, model.coef_) <= 1e-10
    assert rel(ref.intercept_, model.intercept_) <= 1e-10
    np.testing.assert_allclose(proba, ref.predict_proba(X), rtol=1e-9)


def test_one_task_per_worker_summed_where_the_chunks_live():
    # 7 chunks on 2 workers: every evaluation is one task per worker holding chunks, run there,
    # and sums, samples and Hessians equal the in-memory term's
    distributed = pytest.importorskip("distributed")
    import dask
    from dask.sizeof import sizeof

    X, y, sw = make_data(n_classes=3, weights="random", seed=5)
    ref = make_datafit(X, y, 3, sw)
    rows = (40, 30, 30, 40, 30, 40, 30)
    with (
        warnings.catch_warnings(),
        distributed.LocalCluster(n_workers=2, threads_per_worker=2, processes=False, dashboard_address=None) as lc,
        distributed.Client(lc) as client,
    ):
        warnings.simplefilter("ignore", ResourceWarning)
        dd = dist.make_dask_datafit(to_dask(X, rows), da.from_array(y, chunks=rows), 3, sw)
        runner = dd._runner
        theta = np.random.default_rng(9).normal(size=dd.n_params)
        before = runner.n_tasks
        f, g = dd.value_and_grad(theta)
        f_ref, g_ref = ref.value_and_grad(theta)
        assert abs(f - f_ref) <= 1e-12 * f_ref and rel(g_ref, g) <= 1e-12
        held = client.who_has(dd._parts)
        workers = {held[p.key][0] for p in dd._parts}
        assert runner.n_tasks - before == len(workers) <= 2  # one task per worker, not per chunk
        for _, _, idx in runner._groups(dd._parts):  # each group's chunks on one worker
            assert len({held[dd._parts[i].key][0] for i in idx}) == 1
        assert rel(ref.hessian(theta), dd.hessian(theta)) <= 1e-12
        assert rel(ref.hessp(theta, g_ref), dd.hessp(theta, g_ref)) <= 1e-12
        # the chunks' rows in their order, as the local scheduler gathers them
        with dask.config.set(scheduler="sync"):
            local = dist.make_dask_datafit(to_dask(X, rows), y, 3, sw)
        assert local.client is None
        for a, b in zip(dd.sample_rows(60), local.sample_rows(60), strict=True):
            np.testing.assert_array_equal(a, b)
        # dask's scheduler sees a chunk term as heavy as its rows (tasks go to it, it does not move)
        sizes = client.run(lambda dask_worker: [sizeof(v) for v in dask_worker.data.values()])
        assert sum(s for per in sizes.values() for s in per) >= X.nbytes


def test_workers_sums_added_in_a_tree_beyond_split_every(monkeypatch):
    # 3 workers and sums of 2: the workers' results are added by sum tasks first (3 -> 2 -> here)
    distributed = pytest.importorskip("distributed")
    from logreg.distributed import runner as runner_mod

    monkeypatch.setattr(runner_mod, "SPLIT_EVERY", 2)
    X, y, sw = make_data(weights="random", seed=6)
    ref = make_datafit(X, y, 2, sw)
    rows = (40,) * 6
    with (
        warnings.catch_warnings(),
        distributed.LocalCluster(n_workers=3, threads_per_worker=1, processes=False, dashboard_address=None) as lc,
        distributed.Client(lc),
    ):
        warnings.simplefilter("ignore", ResourceWarning)
        dd = dist.make_dask_datafit(to_dask(X, rows), da.from_array(y, chunks=rows), 2, sw)
        theta = np.random.default_rng(10).normal(size=dd.n_params)
        before = dd._runner.n_tasks
        f, g = dd.value_and_grad(theta)
        tasks = dd._runner.n_tasks - before
        groups = len(dd._runner._groups(dd._parts))
        H = dd.hessian(theta)
    f_ref, g_ref = ref.value_and_grad(theta)
    assert abs(f - f_ref) <= 1e-12 * f_ref and rel(g_ref, g) <= 1e-12
    assert rel(ref.hessian(theta), H) <= 1e-12
    assert groups == 3 and tasks == 3  # one task per worker; the sum tasks are not counted


# --------------------------------------------------------------------------- bad input
def _bad_inputs():
    X, y, sw = make_data()
    Xd = da.from_array(X, chunks=(60, D))
    nan, inf = X.copy(), X.copy()
    nan[5, 1] = np.nan
    inf[100, 2] = -np.inf
    neg = sw_nan = np.ones(N)
    neg = neg.copy()
    neg[7] = -1.0
    sw_nan = sw_nan.copy()
    sw_nan[9] = np.nan
    return {
        "nan": ((da.from_array(nan, chunks=(60, D)), y, None), ValueError, r"contains NaN \(1 entries\).*Impute"),
        "inf": ((da.from_array(inf, chunks=(60, D)), y, None), ValueError, r"contains infinity.*Replace or drop"),
        "negative weight": ((Xd, y, neg), ValueError, r"Negative values.*must be >= 0"),
        "nan weight": ((Xd, y, sw_nan), ValueError, r"sample_weight contains NaN or infinity.*finite weights"),
        "one class": ((Xd, np.zeros(N, dtype=int), None), ValueError, r"y has one class: 0.*two or more"),
        "short y": ((Xd, y[:-1], None), ValueError, r"inconsistent numbers of samples.*same rows"),
        "1-D X": ((Xd[:, 0], y, None), ValueError, r"must be 2-D.*reshape"),
        "2-D y": ((Xd, np.column_stack([y, y]), None), ValueError, r"y must be 1-D"),
        "unknown chunks": ((Xd[Xd[:, 0] > -np.inf], y, None), ValueError, r"unknown chunk sizes.*compute_chunk_sizes"),
        "text X": ((da.from_array(X.astype(str), chunks=(60, D)), y, None), ValueError, r"must be numeric"),
        "continuous y": ((Xd, X[:, 0], None), ValueError, r"Unknown label type"),
        "zero weights": ((Xd, y, np.zeros(N)), ValueError, r"sum to zero"),
    }


@pytest.mark.parametrize("name", list(_bad_inputs()))
def test_bad_input_errors(name):
    (X, y, sw), exc, match = _bad_inputs()[name]
    with pytest.raises(exc, match=match):
        LogisticRegression().fit(X, y, sample_weight=sw)


def test_dask_dataframe_needs_dask_series_labels():
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    X, y, _ = make_data()
    df = dd.from_pandas(pd.DataFrame(X), npartitions=2)
    with pytest.raises(TypeError, match=r"y is a ndarray.*dask Series with X's rows.*ddf\[column\]"):
        LogisticRegression().fit(df, y)


def test_predict_checks_features():
    X, y, _ = make_data()
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match=r"3 features.*expecting 4.*same feature columns"):
        model.predict(da.from_array(X[:, :3], chunks=(60, 3)))


def test_no_dask_import_for_numpy_input():
    # fit and predict on numpy data must not import dask (slow to import, may be absent)
    code = (
        "import sys, numpy as np; from logreg import LogisticRegression; "
        "X = np.random.default_rng(0).normal(size=(50, 3)); y = (X[:, 0] > 0).astype(int); "
        "LogisticRegression().fit(X, y).predict_proba(X); "
        "assert 'dask' not in sys.modules, sorted(m for m in sys.modules if m.startswith('dask'))"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_convergence_warning_points_at_the_caller():
    X, y, _ = make_data()
    with pytest.warns(ConvergenceWarning) as record:
        LogisticRegression(solver="gd", max_iter=2).fit(da.from_array(X, chunks=(60, D)), y)
    assert record[0].filename == __file__


@pytest.mark.parametrize("n_classes", [2, 3])
def test_newton_cg_and_proximal_newton_run_unchanged(n_classes):
    # the Hessian-free Newton-CG path (hessian_diag + hessp) and 'cd' (hessian, smooth_value)
    from logreg.objective import Objective
    from logreg.penalties import make_penalty
    from logreg.solvers import get_solver

    X, y, sw = make_data(n_classes=n_classes, sparse=True, weights="random", seed=9)
    ref = make_datafit(X, y, n_classes, sw)
    dd = dist.make_dask_datafit(to_dask(X, CHUNKINGS["uneven"]), y, n_classes, sw)
    for solver, penalty in [(get_solver("newton")(tol=1e-10, exact=False), "l2"), (get_solver("cd")(tol=1e-8), "l1")]:
        a, b = (
            solver.solve(Objective(f, make_penalty(penalty, 0.5, float(sw.sum()))), np.zeros(f.n_params))
            for f in (ref, dd)
        )
        assert a.converged and b.converged and a.n_iter == b.n_iter
        assert rel(a.theta, b.theta) <= 1e-10


def test_released_term_and_dask_series_y_errors():
    pd = pytest.importorskip("pandas")
    ddf = pytest.importorskip("dask.dataframe")
    X, y, _ = make_data()
    Xd = da.from_array(X, chunks=(60, D))
    with pytest.raises(TypeError, match=r"y is a .*to_dask_array\(lengths=True\)"):
        LogisticRegression().fit(Xd, ddf.from_pandas(pd.Series(y), npartitions=4))
    term = dist.make_dask_datafit(Xd, y, 2)
    term.release()
    with pytest.raises(RuntimeError, match="released"):
        term.value(np.zeros(term.n_params))
