"""L1 and elastic-net: proximal Newton ('cd') against glum, proximal gradient and the KKT conditions."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.preprocessing import StandardScaler

from logreg import LogisticRegression
from logreg.objective import Objective, make_datafit
from logreg.penalties import make_penalty

glum = pytest.importorskip("glum")


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _kkt(model, X, y, penalty, C, l1_ratio):
    """Max-norm of the minimum-norm subgradient of J at the fitted parameters (0 at the optimum)."""
    codes = np.searchsorted(model.classes_, y)
    datafit = make_datafit(X, codes, model.classes_.size)
    objective = Objective(datafit, make_penalty(penalty, C, float(len(y)), l1_ratio))
    K = model.classes_.size
    theta = datafit.join(
        model.coef_ if K > 2 else model.coef_.ravel(), model.intercept_ if K > 2 else model.intercept_[0]
    )
    _, g = objective.value_and_grad(theta)
    return objective.optimality(theta, g)


@pytest.mark.parametrize(("penalty", "l1_ratio"), [("l1", None), ("elasticnet", 0.5), ("elasticnet", 0.1)])
def test_cd_matches_glum_on_the_same_objective(cancer, penalty, l1_ratio):
    """glum minimises (1/n) sum loss + alpha (r ||w||_1 + (1 - r) ||w||^2 / 2): ours at alpha = 1/(C n)."""
    X, y = cancer
    C = 0.5
    model = LogisticRegression(penalty=penalty, l1_ratio=l1_ratio, C=C, solver="cd", tol=1e-10).fit(X, y)
    ref = glum.GeneralizedLinearRegressor(
        family="binomial",
        alpha=1.0 / (C * len(y)),
        l1_ratio=1.0 if penalty == "l1" else l1_ratio,
        solver="irls-cd",
        gradient_tol=1e-12,
        max_iter=1000,
    ).fit(X, y)
    np.testing.assert_allclose(model.coef_.ravel(), ref.coef_, atol=1e-8)
    np.testing.assert_allclose(model.intercept_[0], ref.intercept_, atol=1e-8)
    # the same zeros: L1 selects the same features
    np.testing.assert_array_equal(model.coef_.ravel() == 0, np.abs(ref.coef_) < 1e-12)
    assert model.converged_ and model.n_iter_[0] < 30
    assert _kkt(model, X, y, penalty, C, l1_ratio) <= 1e-10


def test_cd_and_proximal_gradient_reach_the_same_sparse_optimum(cancer):
    X, y = cancer
    cd = LogisticRegression(penalty="l1", C=0.2, solver="cd", tol=1e-10).fit(X, y)
    gd = LogisticRegression(penalty="l1", C=0.2, solver="gd", tol=1e-9, max_iter=50_000).fit(X, y)
    assert 0 < np.count_nonzero(cd.coef_) < X.shape[1]
    np.testing.assert_allclose(cd.coef_, gd.coef_, atol=1e-6)
    assert cd.n_passes_ < gd.n_passes_ / 10


def test_cd_multinomial_l1_satisfies_kkt():
    X, y = make_classification(600, 8, n_informative=5, n_classes=3, random_state=0)
    model = LogisticRegression(penalty="l1", C=0.05, solver="cd", tol=1e-9).fit(X, y)
    assert model.converged_
    assert np.count_nonzero(model.coef_ == 0) > 0
    assert _kkt(model, X, y, "l1", 0.05, None) <= 1e-9


def test_cd_with_l2_equals_newton(cancer):
    X, y = cancer
    cd = LogisticRegression(C=1.0, solver="cd", tol=1e-10).fit(X, y)
    newton = LogisticRegression(C=1.0, solver="newton", tol=1e-10).fit(X, y)
    np.testing.assert_allclose(cd.coef_, newton.coef_, rtol=1e-8, atol=1e-10)


def test_auto_uses_cd_for_l1_and_smooth_solvers_refuse_it(cancer):
    X, y = cancer
    assert LogisticRegression(penalty="l1", C=1.0).fit(X, y).solver_ == "cd"
    with pytest.raises(ValueError, match="smooth penalty"):
        LogisticRegression(penalty="l1", solver="lbfgs").fit(X, y)
