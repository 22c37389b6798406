"""scikit-learn's callback API (sklearn.callback, >= 1.9): a task per solver iteration, its model."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn.callback")

from sklearn.datasets import make_classification  # noqa: E402

from _reference import objective  # noqa: E402
from logreg import LogisticRegression  # noqa: E402


class Recorder:
    """A FitCallback that keeps every hook call and the model it was handed."""

    def __init__(self):
        self.calls = []

    def setup(self, estimator, context):
        self.calls.append(("setup", context.task_name, None))

    def teardown(self, estimator, context):
        self.calls.append(("teardown", context.task_name, None))

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None, metadata=None, fitted_estimator=None):
        self.calls.append(("begin", context.task_name, fitted_estimator))

    def on_fit_task_end(self, estimator, context, *, X=None, y=None, metadata=None, fitted_estimator=None):
        self.calls.append(("end", context.task_name, fitted_estimator))


@pytest.mark.filterwarnings("ignore::logreg.exceptions.ConvergenceWarning")  # max_iter=6 on purpose
@pytest.mark.parametrize(("solver", "n_classes"), [("lbfgs", 2), ("newton", 3), ("sgd", 2)])
def test_one_task_per_iteration_with_the_model_after_it(solver, n_classes):
    X, y = make_classification(
        n_samples=300, n_features=4, n_informative=3, n_redundant=0, n_classes=n_classes, random_state=0
    )
    cb = Recorder()
    model = LogisticRegression(solver=solver, random_state=0, max_iter=6).set_callbacks(cb)
    model.fit(X, y)
    names = [(kind, task) for kind, task, _ in cb.calls]
    n_iter = int(model.n_iter_[0])
    assert names.count(("setup", "fit")) == 1 and names.count(("teardown", "fit")) == 1
    assert names.count(("begin", "iter")) == names.count(("end", "iter")) == n_iter + 1
    ends = [est for kind, task, est in cb.calls if (kind, task) == ("end", "iter")]
    assert ends[-1] is None  # the task left open when the solver stopped ends empty
    # the model handed at the end of iteration i is the fit's i-th iterate: its J, computed
    # here from its coefficients, is the J the fit recorded after i iterations
    for i, est in enumerate(ends[:-1], start=1):
        J = objective(X, y, est.coef_, est.intercept_, C=1.0)
        assert J == pytest.approx(model.objective_history_[i], rel=1e-9), i
        assert est.predict(X).shape == y.shape
    np.testing.assert_array_equal(ends[n_iter - 1].coef_, model.coef_)


def test_without_callbacks_nothing_is_set_up():
    X, y = make_classification(n_samples=100, n_features=3, n_informative=2, n_redundant=0, random_state=0)
    model = LogisticRegression().fit(X, y)
    assert not hasattr(model, "_callback_fit_ctx") and not hasattr(model, "_skl_callbacks")
