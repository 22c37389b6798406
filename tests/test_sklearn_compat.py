"""scikit-learn's own estimator checks, with no expected failures."""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from logreg import LogisticRegression


@parametrize_with_checks(
    [
        LogisticRegression(),
        LogisticRegression(solver="lbfgs"),
        LogisticRegression(solver="gd", max_iter=2000),
    ]
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
