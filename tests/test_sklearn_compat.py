"""scikit-learn's own estimator checks, with no expected failures."""

from __future__ import annotations

import pytest
from sklearn.utils import estimator_checks as ec
from sklearn.utils.estimator_checks import parametrize_with_checks

from logreg import LogisticRegression, LogisticRegressionCV


# LogisticRegressionCV on a small grid (each fit is 2 Cs x 3 folds + the refit)
@parametrize_with_checks([LogisticRegression(), LogisticRegression(solver="lbfgs"), LogisticRegressionCV(Cs=2, cv=3)])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


# the seeds' gradient descent: the checks that exercise the solver itself (the full list above
# would repeat the input checks at gd's cost per fit)
GD_CHECKS = [
    ec.check_classifiers_train,
    ec.check_classifiers_classes,
    ec.check_classifiers_one_label_sample_weights,
    ec.check_sample_weight_equivalence_on_dense_data,
    ec.check_sample_weight_equivalence_on_sparse_data,
    ec.check_class_weight_classifiers,
    ec.check_fit_idempotent,
    ec.check_estimators_dtypes,
    ec.check_non_transformer_estimators_n_iter,
    ec.check_methods_sample_order_invariance,
    ec.check_fit2d_1sample,
    ec.check_fit2d_1feature,
]


@pytest.mark.parametrize("check", GD_CHECKS, ids=lambda c: c.__name__)
def test_sklearn_checks_with_solver_gd(check):
    check("LogisticRegression", LogisticRegression(solver="gd", max_iter=300))
