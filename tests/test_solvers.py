"""Solvers: gd, lbfgs, newton (exact and Hessian-free) and auto agree with each other and
with scikit-learn at the same C, to 1e-6 relative in the coefficients.

References: scikit-learn's solver='newton-cholesky' at tol=1e-12 (an exact Newton method) and
scikit-learn's lbfgs.  scikit-learn's lbfgs stops on its own ftol about 1e-6 (relative) short of
the optimum on standardised breast cancer even at tol=1e-12, so it is compared in norm.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.preprocessing import StandardScaler

from logreg import LogisticRegression
from logreg.exceptions import ConvergenceWarning
from logreg.objective import Objective, make_datafit
from logreg.penalties import L1, L2, NoPenalty
from logreg.solvers import REGISTRY, get_solver, resolve
from logreg.solvers.newton import Newton

C = 1.0


@functools.cache
def dataset(name):
    if name == "breast_cancer":
        X, y = load_breast_cancer(return_X_y=True)
    elif name == "binary":
        X, y = make_classification(n_samples=300, n_features=8, n_informative=5, flip_y=0.1, random_state=0)
    elif name == "multiclass":
        X, y = make_classification(
            n_samples=300, n_features=6, n_informative=4, n_redundant=0, n_classes=3, flip_y=0.05, random_state=1
        )
    else:  # pragma: no cover
        raise KeyError(name)
    X = StandardScaler().fit_transform(X)
    X.setflags(write=False)
    return X, y


@functools.cache
def sk_reference(name, solver="newton-cholesky"):
    X, y = dataset(name)
    tol, max_iter = (1e-12, 1000) if solver == "newton-cholesky" else (1e-12, 10000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = SkLogisticRegression(C=C, solver=solver, tol=tol, max_iter=max_iter).fit(X, y)
    return np.r_[ref.coef_.ravel(), ref.intercept_]


def params(model):
    return np.r_[model.coef_.ravel(), model.intercept_]


def rel_err(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


def _center(theta, n_classes, n_features):
    """Multinomial parameters modulo the softmax's shift invariance (intercepts summing to 0)."""
    if n_classes <= 2:
        return theta
    W = theta[: n_classes * n_features].reshape(n_classes, n_features)
    b = theta[n_classes * n_features :]
    return np.r_[W.ravel(), b - b.mean()]


DATASETS = ["breast_cancer", "binary", "multiclass"]

#: per solver: (options, tol, max relative error against newton-cholesky)
SOLVER_SETTINGS = {
    "newton": (dict(solver="newton"), 1e-10, 1e-8),
    "auto": (dict(solver="auto"), 1e-10, 1e-8),
    "newton-cg": (dict(solver="newton-cg"), 1e-10, 1e-8),  # scikit-learn's names for the two Newtons
    "newton-cholesky": (dict(solver="newton-cholesky"), 1e-10, 1e-8),
    "lbfgs": (dict(solver="lbfgs", max_iter=1000), 1e-9, 1e-6),
    "gd": (dict(solver="gd", max_iter=5000), 1e-10, 1e-6),
}


@functools.cache
def fitted(name, solver):
    X, y = dataset(name)
    opts, tol, _ = SOLVER_SETTINGS[solver]
    with warnings.catch_warnings():
        if solver == "lbfgs":
            # L-BFGS-B may stop on a stalled f a little above tol=1e-9 (and says so); the
            # accuracy of what it returns is what the tests check
            warnings.simplefilter("ignore", ConvergenceWarning)
        return LogisticRegression(C=C, tol=tol, **opts).fit(X, y)


@pytest.mark.parametrize("solver", list(SOLVER_SETTINGS))
@pytest.mark.parametrize("name", DATASETS)
def test_solver_matches_sklearn_newton_cholesky(name, solver):
    model = fitted(name, solver)
    _, tol, rtol = SOLVER_SETTINGS[solver]
    assert model.solver_ in REGISTRY
    assert rel_err(params(model), sk_reference(name)) <= rtol
    if solver != "lbfgs":  # scipy's L-BFGS-B may stop on a stalled f just above a tol this small
        assert model.converged_ and model.grad_norm_ <= tol
    assert 0 < model.n_iter_[0] <= model.max_iter


@pytest.mark.parametrize("name", DATASETS)
def test_solvers_agree_with_each_other(name):
    fits = {s: params(fitted(name, s)) for s in SOLVER_SETTINGS}
    for a in fits:
        for b in fits:
            assert rel_err(fits[a], fits[b]) <= 2e-6, (a, b)


@pytest.mark.parametrize("name", DATASETS)
def test_newton_matches_sklearn_lbfgs_in_norm(name):
    assert rel_err(params(fitted(name, "newton")), sk_reference(name, "lbfgs")) <= 1e-6


def test_auto_picks_newton_for_small_dense_problems():
    assert fitted("breast_cancer", "auto").solver_ == "newton"


def test_multinomial_intercepts_are_centred_like_sklearn():
    """The softmax is invariant to adding a constant to every class; the estimator reports the
    representative with sum(intercept_) = 0 (scikit-learn's), whatever the solver."""
    for solver in SOLVER_SETTINGS:
        model = fitted("multiclass", solver)
        assert abs(model.intercept_.sum()) <= 1e-10, solver


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "hessian-free"])
@pytest.mark.parametrize("name", ["breast_cancer", "multiclass"])
def test_newton_variants_on_the_objective(name, exact):
    """Newton(exact=...) straight on an Objective; the Hessian-free variant never forms H."""
    X, y = dataset(name)
    classes, codes = np.unique(y, return_inverse=True)
    datafit = make_datafit(X, codes, classes.size)
    calls = {"hessian": 0, "hessp": 0}

    class Counting(Objective):
        def hessian(self, theta, *args, **kw):
            calls["hessian"] += 1
            return super().hessian(theta, *args, **kw)

        def hessp(self, theta, v):
            calls["hessp"] += 1
            return super().hessp(theta, v)

    obj = Counting(datafit, L2(1.0 / (C * X.shape[0])))
    # trust-ncg stops on "failure to predict improvement" once f stalls at rounding (~1e-10 here)
    tol = 1e-10 if exact else 1e-9
    res = Newton(tol=tol, max_iter=200, exact=exact).solve(obj, np.zeros(datafit.n_params))
    assert res.converged and res.grad_norm <= tol
    got = _center(res.theta, classes.size, X.shape[1])
    assert rel_err(got, sk_reference(name)) <= (1e-8 if exact else 1e-6)
    if exact:
        assert calls["hessian"] >= 1
    else:
        assert calls["hessian"] == 0 and calls["hessp"] >= 1
    h = np.asarray(res.history)
    assert np.all(np.diff(h) <= 1e-15 * np.abs(h[:-1]))


@pytest.mark.parametrize("solver", ["lbfgs", "auto", "gd"])
def test_sparse_input_gives_the_dense_solution(solver):
    X, y = dataset("binary")
    opts, tol, _ = SOLVER_SETTINGS[solver]
    model = LogisticRegression(C=C, tol=max(tol, 1e-9), **opts).fit(sp.csr_matrix(X), y)
    assert model.solver_ == {"gd": "gd", "lbfgs": "lbfgs", "auto": "newton"}[solver]
    assert rel_err(params(model), sk_reference("binary")) <= 1e-6


@pytest.mark.parametrize(
    ("solver", "extra"),
    [("gd", {}), ("gd", {"learning_rate": 0.1}), ("lbfgs", {}), ("newton", {})],
    ids=["gd-backtracking", "gd-fixed", "lbfgs", "newton"],
)
def test_convergence_warning_at_max_iter_says_what_to_try(solver, extra):
    X, y = dataset("breast_cancer")
    X = X * np.linspace(1, 50, X.shape[1])  # badly scaled, so one or two iterations are not enough
    model = LogisticRegression(solver=solver, max_iter=2, tol=1e-10, **extra)
    with pytest.warns(ConvergenceWarning, match="max_iter") as record:
        model.fit(X, y)
    msg = str(record[0].message)
    assert "standardi" in msg and "raise max_iter" in msg and "solver" in msg
    assert not model.converged_
    assert model.n_iter_[0] == 2
    assert model.grad_norm_ > 1e-10


def test_early_stop_warning_does_not_claim_max_iter():
    """When a solver stops before max_iter without reaching tol, the warning says how many
    iterations it ran, not that it hit max_iter."""
    X, y = dataset("breast_cancer")
    model = LogisticRegression(solver="lbfgs", tol=1e-15, max_iter=10_000)
    with pytest.warns(ConvergenceWarning) as record:
        model.fit(X, y)
    assert model.n_iter_[0] < 10_000
    msg = str(record[0].message)
    assert "max_iter=10000 iterations" not in msg
    assert str(model.n_iter_[0]) in msg


def test_no_warning_when_converged():
    X, y = dataset("binary")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        LogisticRegression(solver="newton", tol=1e-8).fit(X, y)


@pytest.mark.parametrize("solver", ["gd", "newton", "lbfgs"])
@pytest.mark.parametrize("name", ["breast_cancer", "multiclass"])
def test_objective_history_is_non_increasing(name, solver):
    model = fitted(name, solver)
    h = model.objective_history_
    assert h.ndim == 1 and len(h) == model.n_iter_[0] + 1
    assert np.all(np.isfinite(h))
    assert np.all(np.diff(h) <= 1e-14 * np.abs(h[:-1])), np.diff(h).max()
    assert h[-1] < h[0]


def test_gd_fixed_learning_rate_history_non_increasing():
    X, y = dataset("binary")
    with pytest.warns(ConvergenceWarning):
        model = LogisticRegression(solver="gd", learning_rate=0.5, max_iter=50, tol=1e-12).fit(X, y)
    assert np.all(np.diff(model.objective_history_) <= 0)


def test_final_objective_value_matches_sklearn_objective():
    """The last history entry is J at the solution, scikit-learn's objective (mean log-loss + ||w||^2/(2 C n))."""
    X, y = dataset("breast_cancer")
    model = fitted("breast_cancer", "newton")
    ref = sk_reference("breast_cancer")
    w, b = ref[:-1], ref[-1]
    z = X @ w + b
    J = np.mean(np.logaddexp(0, z) - y * z) + w @ w / (2 * C * X.shape[0])
    np.testing.assert_allclose(model.objective_history_[-1], J, rtol=1e-12)


# ---------------------------------------------------------------- registry
def test_every_solver_declares_what_it_needs_and_the_objective_has_it():
    assert {"gd", "lbfgs", "newton"} <= set(REGISTRY)
    for name, cls in REGISTRY.items():
        assert cls.name == name
        assert cls.requires, name
        for method in cls.requires:
            assert callable(getattr(Objective, method, None)), (name, method)


def test_newton_cholesky_refuses_a_hessian_too_large_to_form():
    X = sp.random(50, 2500, density=0.01, format="csr", random_state=0)
    y = np.arange(50) % 2
    with pytest.raises(ValueError, match="forms the 2501 x 2501 Hessian.*solver='newton'"):
        LogisticRegression(solver="newton-cholesky").fit(X, y)
    assert LogisticRegression(solver="newton-cg").fit(X, y).solver_ == "newton-cg"


def test_unknown_solver_names_the_choices():
    with pytest.raises(ValueError, match="unknown solver 'sag'.*lbfgs"):
        get_solver("sag")


def test_resolve_auto():
    X = np.zeros((10, 3))
    assert resolve("auto", penalty=L2(1.0), n_params=4, X=X).name == "newton"
    assert resolve("auto", penalty=NoPenalty(), n_params=4, X=sp.csr_matrix(X)).name == "newton"
    assert resolve("auto", penalty=L2(1.0), n_params=10_000, X=X).name == "newton"
    assert resolve("auto", penalty=L1(1.0), n_params=4, X=X).name == "cd"
    assert resolve("auto", penalty=L1(1.0), n_params=10_000, X=X).name == "gd"
    with pytest.raises(ValueError, match="smooth penalty"):
        resolve("lbfgs", penalty=L1(1.0), n_params=4, X=X)


def test_float32_data_are_finished_in_float64_arithmetic_and_a_tol_below_that_warns():
    """float32 arithmetic rounds J at ~1e-7: where it stalls short of tol, the same solver
    finishes on the same data points in float64 arithmetic, in a few more passes, and reaches
    the float64 fit's optimum; a tol below even float64's precision ends with a warning
    that says so, not in max_iter iterations of line searches on rounding noise."""
    from logreg.exceptions import ConvergenceWarning

    rng = np.random.default_rng(0)
    X = rng.standard_normal((20000, 20)) * np.r_[np.full(5, 5.0), np.ones(15)]
    y = rng.random(20000) < 1.0 / (1.0 + np.exp(-(X @ (rng.standard_normal(20) * 0.3))))
    X32 = X.astype(np.float32)
    exact = LogisticRegression(tol=1e-12).fit(X32.astype(np.float64), y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = LogisticRegression(tol=1e-12, max_iter=1000).fit(X32, y)
    assert model.converged_ and model.n_passes_ < 60
    assert model.coef_.dtype == np.float32
    np.testing.assert_allclose(model.coef_, exact.coef_, rtol=1e-6, atol=1e-7)
    with pytest.warns(ConvergenceWarning, match="precision"):
        model = LogisticRegression(tol=1e-19, max_iter=1000).fit(X32, y)
    assert not model.converged_ and model.n_iter_[0] < 60 and model.n_passes_ < 200


# ---------------------------------------------------------------- line search
def test_backtrack_takes_armijo_steps_and_stops_at_the_precision_of_f():
    from logreg.solvers.base import backtrack

    # f(t) = (t - 0.3)^2 along the step, decrease -0.6 at t = 0: t = 1 fails Armijo, and the quadratic
    # through f(0), f'(0) and f(1) puts the next trial at its minimiser t = 0.3
    calls = []

    def quadratic(t):
        calls.append(t)
        return (t - 0.3) ** 2, 0.0, t

    f_new, t, stalled = backtrack(quadratic, 0.09, -0.6, 1.0, 1e-13)
    assert stalled is False and calls[0] == 1.0 and t == pytest.approx(0.3) and f_new == pytest.approx(0.0)

    # the interpolated step is kept within [t/10, t/2]: a quartic far steeper than its slope says
    calls.clear()
    backtrack(lambda t: (calls.append(t) or 1.0 - 0.1 * t + 1e6 * t**4, 0.0, t), 1.0, -0.1, 1.0, 1e-13)
    assert calls == pytest.approx([1.0, 0.1, 0.01, 0.001])

    # f flat within its rounding and the residual not smaller: the step must shrink more than
    # 10-fold: 'stalled'
    calls.clear()
    f_new, t, stalled = backtrack(lambda t: (calls.append(t) or 1.0 + 1e-14, 1.0, t), 1.0, -1e-20, 1.0, 1e-13)
    assert stalled and calls == [1.0, 0.1]

    # flat, but a smaller residual accepts the full step
    f_new, t, stalled = backtrack(lambda t: (1.0 + 1e-14, 0.5, t), 1.0, -1e-20, 1.0, 1e-13)
    assert (t, stalled) == (1.0, False)


def _presolve_problem(n=40_000, d=10, positives=None, seed=5):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * np.linspace(0.5, 4.0, d)
    z = X @ (rng.standard_normal(d) / np.sqrt(d)) + 0.3
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(float)
    if positives is not None:  # a rare class: only the first `positives` rows
        y[:] = 0.0
        y[:positives] = 1.0
    obj = Objective(make_datafit(X, y, 2), L2(1.0 / n))
    return obj


def _newton_run(obj, **options):
    solver = Newton(tol=1e-10, max_iter=100, **options)
    calls = []
    orig = solver._iterate

    def spy(objective, theta0, direction, **kw):
        res = orig(objective, theta0, direction, **kw)
        calls.append((kw.get("report", True), res.n_iter))
        return res

    solver._iterate = spy
    return solver.solve(obj, np.zeros(obj.n_params)), calls


def test_presolve_on_a_row_sample_reaches_the_same_optimum_in_fewer_full_iterations():
    """Sub-sampled Newton first solves J on an evenly spaced sample of rows (1/20 of them here),
    then iterates on all rows from there: the optimum is the same, the full iterations fewer."""
    obj = _presolve_problem()
    with_pre, calls = _newton_run(obj, hessian_rows=1000)
    assert [report for report, _ in calls] == [False, True]  # the presolve ran, silently
    without, calls0 = _newton_run(obj, hessian_rows=1000, presolve=False)
    assert [report for report, _ in calls0] == [True]
    assert with_pre.converged and without.converged
    np.testing.assert_allclose(with_pre.theta, without.theta, rtol=1e-7, atol=1e-9)
    assert with_pre.n_iter < without.n_iter


def test_presolve_is_skipped_when_the_sample_lacks_a_class_or_n_is_small():
    # 15 positives in 40000 rows: the 1000-row sample holds at most one of them
    obj = _presolve_problem(positives=15)
    res, calls = _newton_run(obj, hessian_rows=1000)
    assert [report for report, _ in calls] == [True]
    assert res.converged
    # n < 20 * hessian rows: no presolve either
    res, calls = _newton_run(_presolve_problem(n=15_000), hessian_rows=1000)
    assert [report for report, _ in calls] == [True] and res.converged


@pytest.mark.parametrize("kind", ["weighted", "multinomial", "float32"])
def test_presolve_reaches_the_optimum_with_weights_classes_and_float32(kind):
    """The presolve's sample keeps the rows' weights, all K classes, and X's kind; the fit from
    its start ends at the optimum without it."""
    rng = np.random.default_rng(8)
    n, d = 30_000, 6
    X = rng.standard_normal((n, d)) * np.linspace(0.5, 3.0, d)
    sw = rng.uniform(0.2, 3.0, n) if kind == "weighted" else None
    if kind == "multinomial":
        y = np.argmax(X[:, :3] + rng.gumbel(size=(n, 3)), axis=1)
        datafit = make_datafit(X, y, 3)
    else:
        y = (rng.random(n) < 1 / (1 + np.exp(-(X @ np.linspace(-1, 1, d) + 0.2)))).astype(float)
        Xk = X.astype(np.float32) if kind == "float32" else X
        datafit = make_datafit(Xk, y, 2, sw)
    obj = Objective(datafit, L2(1.0 / n))
    tol = 1e-5 if kind == "float32" else 1e-10
    pre, calls = _newton_run(obj, hessian_rows=500)
    assert [report for report, _ in calls] == [False, True]
    plain = Newton(tol=tol, max_iter=100, hessian_rows=500, presolve=False).solve(obj, np.zeros(obj.n_params))
    assert plain.converged
    a, b = pre.theta.copy(), plain.theta.copy()
    if kind == "multinomial":  # softmax intercepts are defined up to a common shift (the estimator centres them)
        a[-3:] -= a[-3:].mean()
        b[-3:] -= b[-3:].mean()
    if kind == "float32":  # both stop at float32's precision of J (~1e-4 relative here), not at one point
        fa, fb = obj.value(pre.theta), obj.value(plain.theta)
        assert abs(fa - fb) <= 1e-6 * abs(fb)
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-4)
    else:
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-8)


def test_presolve_is_skipped_when_the_sample_rows_have_no_weight():
    """Weights that are zero on every sampled row: no presolve, no division by a zero sum."""
    import warnings

    obj0 = _presolve_problem()
    X, y = obj0.datafit.data.X, np.asarray(obj0.datafit.data.y, dtype=float)
    sw = np.ones(X.shape[0])
    stride = X.shape[0] // 1000  # the presolve samples rows stride // 2, stride // 2 + stride, ...
    sw[stride // 2 :: stride] = 0.0
    obj = Objective(make_datafit(X, y, 2, sw), L2(1.0 / X.shape[0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res, calls = _newton_run(obj, hessian_rows=1000)
    assert [report for report, _ in calls] == [True] and res.converged


@pytest.mark.parametrize(
    "options",
    [
        {"hessian_rows": None},
        {"fresh_rows": False},
        {"presolve": False},
        {"exact": False},
        {"engine": "graph"},
        {"start": "zero"},
    ],
    ids=lambda o: next(iter(o)),
)
def test_solver_options_switch_one_idea_off_and_keep_the_optimum(options):
    """The benchmark's ablations through solver_options: each switches one idea off (at a
    size where the sub-sampled Hessian and the presolve run, with hessian_rows=500) and the
    fit ends at the same optimum."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((12_000, 6)) * np.linspace(0.5, 3.0, 6)
    y = rng.random(12_000) < 1 / (1 + np.exp(-(X @ np.linspace(-1, 1, 6) + 0.2)))
    base = {"hessian_rows": 500}
    ref = LogisticRegression(tol=1e-10, solver_options=base).fit(X, y)
    model = LogisticRegression(tol=1e-10, solver_options={**base, **options}).fit(X, y)
    assert model.converged_
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=1e-8, atol=1e-10)


def test_solver_options_unknown_to_the_solver_are_refused_with_its_list():
    X, y = dataset("binary")
    with pytest.raises(ValueError, match=r"solver 'lbfgs' takes no option 'exact'; its options: \['memory'\]"):
        LogisticRegression(solver="lbfgs", solver_options={"exact": True}).fit(X, y)
    with pytest.raises(ValueError, match="start.*'intercept' or 'zero'"):
        LogisticRegression(solver_options={"start": "random"}).fit(X, y)


def test_every_solver_finds_what_it_requires_on_the_objective():
    """Each registered solver's ``requires`` names methods of the objective; an objective without
    one of them is refused by name before the solver starts."""
    from logreg.objective import Objective, make_datafit
    from logreg.penalties import make_penalty
    from logreg.solvers import REGISTRY

    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    objective = Objective(make_datafit(X, y, 2), make_penalty("auto", 1.0, 60.0, None))
    for cls in REGISTRY.values():
        assert cls.requires, cls.name
        cls.check_objective(objective)  # the real objective offers everything

    class Thin:
        value_and_grad = objective.value_and_grad

    with pytest.raises(ValueError, match="solver 'newton' needs the objective's hessp, hessian, hessian_diag"):
        REGISTRY["newton"].check_objective(Thin())
    REGISTRY["lbfgs"].check_objective(Thin())
