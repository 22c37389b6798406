"""Property-based tests: invariants of the fit, and the model file under arbitrary damage.

The fits are small (tens of rows) and the example counts modest, so the whole
module runs in seconds; the fuzz of model files is bounded by its example
count (``LOGREG_FUZZ_EXAMPLES``, default 300) and is deterministic
(``derandomize``), so CI runs the same cases every time.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logreg import LogisticRegression
from logreg.exceptions import ModelFileError
from logreg.io.modelfile import dumps, loads
from logreg.layout import ParamLayout
from logreg.model import FitInfo, FittedModel
from logreg.objective import make_datafit

FIT = settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
FUZZ = settings(
    max_examples=int(os.environ.get("LOGREG_FUZZ_EXAMPLES", "300")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@st.composite
def problems(draw):
    """A small classification problem: X (n, d), integer labels with every class present, weights."""
    n = draw(st.integers(12, 40))
    d = draw(st.integers(1, 4))
    k = draw(st.sampled_from([2, 3]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * draw(st.sampled_from([0.1, 1.0, 10.0]))
    y = np.arange(n) % k
    rng.shuffle(y)
    w = rng.uniform(0.5, 3.0, size=n)
    return X, y, w


def _fit(X, y, w=None, **kw):
    params = dict(C=1.0, tol=1e-10, max_iter=200, solver="newton")
    params.update(kw)
    return LogisticRegression(**params).fit(X, y, sample_weight=w)


def _close(a, b, tol=1e-6):
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=tol, atol=tol)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=tol, atol=tol)


@FIT
@given(problems(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(problem, rnd):
    X, y, w = problem
    perm = np.arange(y.size)
    rnd.shuffle(perm)
    _close(_fit(X, y, w), _fit(X[perm], y[perm], w[perm]))


@FIT
@given(problems(), st.integers(0, 1000))
def test_a_duplicated_row_equals_weight_two(problem, which):
    X, y, _ = problem
    i = which % y.size
    dup = _fit(np.vstack([X, X[i : i + 1]]), np.append(y, y[i]))
    w = np.ones(y.size)
    w[i] = 2.0
    _close(dup, _fit(X, y, w))


@FIT
@given(problems(), st.sampled_from([0.01, 0.5, 3.0, 1000.0]))
def test_scaling_the_weights_by_c_equals_scaling_C_by_c(problem, c):
    # scikit-learn's objective sum_i s_i l_i + ||w||^2 / (2C): weights times c is C times c
    X, y, w = problem
    _close(_fit(X, y, w * c, C=1.0), _fit(X, y, w, C=c))


@FIT
@given(problems(), st.integers(1, 50), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_block_size_and_threads_do_not_change_the_objective(problem, block_rows, n_threads, seed):
    X, y, w = problem
    k = int(y.max()) + 1
    ref = make_datafit(X, y.astype(np.int8), k, w)
    theta = np.random.default_rng(seed).normal(size=ref.n_params)
    f0, g0 = ref.value_and_grad(theta)
    other = make_datafit(X, y.astype(np.int8), k, w, block_rows=block_rows, n_threads=n_threads)
    f1, g1 = other.value_and_grad(theta)
    np.testing.assert_allclose(f1, f0, rtol=1e-12)
    np.testing.assert_allclose(g1, g0, rtol=1e-10, atol=1e-13)


@FIT
@given(problems())
def test_float32_fit_is_the_float64_fit_within_its_precision(problem):
    X, y, w = problem
    m64 = _fit(X, y, w, tol=1e-6)
    m32 = _fit(X.astype(np.float32), y, w.astype(np.float32), tol=1e-3)
    assert m32.coef_.dtype == np.float32
    scale = max(1.0, float(np.max(np.abs(m64.coef_))))
    np.testing.assert_allclose(m32.coef_, m64.coef_, atol=2e-3 * scale, rtol=2e-3)


# ------------------------------------------------------------------ model files
_label_sets = st.one_of(
    st.lists(st.text(min_size=0, max_size=8), min_size=2, max_size=5, unique=True),
    st.lists(st.integers(-(2**63), 2**63 - 1), min_size=2, max_size=5, unique=True),
    st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=2, max_size=4, unique=True),
    st.just([False, True]),
)
_coef = st.floats(min_value=-1e50, max_value=1e50, allow_nan=False, allow_infinity=False)


@st.composite
def models(draw):
    """An arbitrary valid fitted model, built attribute by attribute (no fit)."""
    classes = np.asarray(sorted(draw(_label_sets)))
    if classes.dtype.kind == "f" and np.unique(classes).size != classes.size:  # -0.0 == 0.0
        classes = np.unique(classes)
        if classes.size < 2:
            classes = np.array([0.0, 1.0])
    d = draw(st.integers(1, 5))
    rows = 1 if classes.size == 2 else classes.size
    params = dict(
        C=draw(st.floats(1e-6, 1e6)),
        fit_intercept=draw(st.booleans()),
        max_iter=draw(st.integers(0, 10**6)),
        class_weight=draw(st.sampled_from([None, "balanced"])),
    )
    coef = np.array(draw(st.lists(_coef, min_size=rows * d, max_size=rows * d))).reshape(rows, d)
    intercept = np.array(draw(st.lists(_coef, min_size=rows, max_size=rows)))
    info = FitInfo(
        solver="lbfgs",
        n_iter=draw(st.integers(0, 2**31 - 1)),
        converged=draw(st.booleans()),
        history=np.array(draw(st.lists(st.floats(0, 1e10), max_size=5))),
        n_passes=draw(st.integers(0, 10**9)),
        grad_norm=draw(st.floats(0, 1e10)),
    )
    names = None
    if draw(st.booleans()):
        names = tuple(draw(st.lists(st.text(max_size=6), min_size=d, max_size=d, unique=True)))
    layout = ParamLayout(d, classes.size, params["fit_intercept"])
    fitted = FittedModel(classes, layout, coef, intercept, info=info, feature_names=names)
    return LogisticRegression.from_fitted(fitted, **params)


@settings(FUZZ, max_examples=100)
@given(models())
def test_loads_dumps_round_trip_is_exact(model):
    loaded = loads(dumps(model)).model
    assert loaded.classes_.tolist() == model.classes_.tolist()
    assert [type(c) for c in loaded.classes_.tolist()] == [type(c) for c in model.classes_.tolist()]
    np.testing.assert_array_equal(loaded.coef_, model.coef_)
    np.testing.assert_array_equal(loaded.intercept_, model.intercept_)
    assert loaded.get_params() == model.get_params()
    assert loaded.converged_ == model.converged_ and loaded.n_iter_[0] == model.n_iter_[0]
    assert hasattr(loaded, "feature_names_in_") == hasattr(model, "feature_names_in_")


@pytest.fixture(scope="module")
def fitted_text():
    """A real fitted model with everything a file can hold: statistics, diagnostics, columns."""
    from logreg.io.tables import ColumnEncoding

    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=60), (np.arange(60) % 3 == 1), (np.arange(60) % 3 == 2)]).astype(float)
    y = np.where(X[:, 0] + rng.normal(size=60) > 0, "yes", "no")
    model = LogisticRegression().fit(X, y)
    columns = [ColumnEncoding("x", "numeric", fill=0.0), ColumnEncoding("g", "categorical", ["a", "b", "c"], "a", "a")]
    return dumps(model, columns=columns, target="label", training={"n_samples": 60, "missing": "refuse"}), X


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:6]):  # the first entries of long arrays stand for the rest
            yield from _paths(v, (*prefix, i))


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.sampled_from([10**30, -(10**30), 10**400, 0, -1, 2**31, 2**53 + 1])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([1e300, -1e300, 1e-300, 0.0, -0.0])
    | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


def _check_clean(text, X):
    """Either a clean ModelFileError, or a model that predicts finite probabilities and saves again."""
    try:
        mf = loads(text, "fuzzed.json")
    except ModelFileError as exc:
        assert "\n" not in str(exc)
        return
    model = mf.model
    d = model.n_features_in_
    Xd = X[:, :d] if d <= X.shape[1] else np.tile(X, (1, d // X.shape[1] + 1))[:, :d]
    proba = model.predict_proba(Xd)
    assert np.all(np.isfinite(proba)) and np.allclose(proba.sum(axis=1), 1.0)
    loads(dumps(model))  # what was accepted can be written and read again


@FUZZ
@given(st.data())
def test_json_mutations_give_a_clean_error_or_a_valid_model(fitted_text, data):
    text, X = fitted_text
    doc = json.loads(text)
    paths = [p for p in _paths(doc) if p]
    path = data.draw(st.sampled_from(paths))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    action = data.draw(st.sampled_from(["replace", "delete", "duplicate"]))
    if action == "delete":
        del parent[path[-1]]
    elif action == "duplicate" and isinstance(parent, list):
        parent.insert(path[-1], parent[path[-1]])
    else:
        parent[path[-1]] = data.draw(_json_values)
    _check_clean(json.dumps(doc), X)


@FUZZ
@given(st.data())
def test_byte_damage_gives_a_clean_error_or_a_valid_model(fitted_text, data):
    text, X = fitted_text
    raw = bytearray(text.encode())
    kind = data.draw(st.sampled_from(["flip", "truncate", "insert"]))
    pos = data.draw(st.integers(0, len(raw) - 1))
    if kind == "flip":
        raw[pos] ^= 1 << data.draw(st.integers(0, 7))
    elif kind == "truncate":
        del raw[pos:]
    else:
        raw[pos:pos] = data.draw(st.binary(min_size=1, max_size=4))
    try:
        damaged = raw.decode("utf-8")
    except UnicodeDecodeError:
        return  # read_model refuses non-UTF-8 before loads (test_bad_inputs)
    _check_clean(damaged, X)
