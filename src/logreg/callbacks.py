"""scikit-learn's callback API (``sklearn.callback``, scikit-learn >= 1.9) in ``fit``.

``model.set_callbacks(cb)`` registers callbacks that follow
:class:`sklearn.callback.FitCallback`.  A fit is one root task with one
subtask per solver iteration, laid out as scikit-learn's lbfgs lays them out:
the first iteration's task begins before the solver runs; each iteration the
solver reports ends its task and begins the next; the task left open when the
solver stops is ended empty.  The ``fitted_estimator`` of an iteration's hooks
is the model after that many iterations: the solvers report J and the
gradient's norm per iteration, not the coefficients, so it is rebuilt on demand
(only if a callback's hook asks for it) by fitting a copy with ``max_iter``
set to that count, which every solver but 'sgd' without ``random_state`` and
warm starts reproduces exactly.
"""

from __future__ import annotations

import warnings

from sklearn.base import clone

try:
    from sklearn.callback import CallbackSupportMixin, with_callbacks
except ImportError:  # scikit-learn < 1.9: no callback API, nothing to support

    class CallbackSupportMixin:  # noqa: D101
        pass

    def with_callbacks(method):
        return method


__all__ = ["CallbackSupportMixin", "FitTasks", "fit_with_tasks"]


@with_callbacks
def fit_with_tasks(model, X, y, sample_weight, callback, offset=None):
    """``model.fit`` inside its callback tasks (set up, torn down whatever happens)."""
    tasks = FitTasks(model, X, y, sample_weight)

    def report(it, value, grad_norm):
        tasks.iteration(it, value, grad_norm)
        if callback is not None:
            callback(it, value, grad_norm)

    model._in_callback_tasks = True
    try:
        # the offset by keyword and only when given: subclasses may override fit without it
        extra = {} if offset is None else {"offset": offset}
        model.fit(X, y, sample_weight, callback=report, **extra)
    finally:
        del model._in_callback_tasks
    tasks.end()
    return model


class FitTasks:
    """The callback tasks of one fit; a no-op when no callback is set.

    Parameters
    ----------
    model : LogisticRegression
    X, y : the arrays ``fit`` was given
    sample_weight : array-like or None
    """

    def __init__(self, model, X, y, sample_weight):
        self.model = model
        self.ctx = None
        self.iterations = 0
        self.rebuilt = {}  # the last rebuilt model: an iteration's end and the next one's begin share it
        if not getattr(model, "_skl_callbacks", None) or not hasattr(model, "_init_callback_context"):
            return
        self.args = {"X": X, "y": y, "metadata": None if sample_weight is None else {"sample_weight": sample_weight}}
        self.fit_args = (X, y, sample_weight)
        self.ctx = model._init_callback_context(max_subtasks=None)
        self.ctx.call_on_fit_task_begin(estimator=model, **self.args)
        self.iteration_ctx = self._begin(0)

    def _after(self, n_iter):
        """Lazily: the fitted attributes after ``n_iter`` iterations (a refit of a copy, made once)."""

        def rebuild():
            if n_iter in self.rebuilt:
                return self.rebuilt[n_iter]
            copy = clone(self.model).set_params(max_iter=n_iter, warm_start=False)
            copy.__dict__.pop("_skl_callbacks", None)  # clone keeps them: the copy reports nothing
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a copy stopped at max_iter on purpose
                copy.fit(*self.fit_args[:2], sample_weight=self.fit_args[2])
            self.rebuilt = {n_iter: {k: v for k, v in vars(copy).items() if k.endswith("_") and not k.startswith("__")}}
            return self.rebuilt[n_iter]

        return rebuild

    def _begin(self, n_iter):
        sub = self.ctx.subcontext(task_name="iter")
        sub.call_on_fit_task_begin(estimator=self.model, reconstruction_attributes=self._after(n_iter), **self.args)
        return sub

    def iteration(self, it, value, grad_norm):
        """The solver finished iteration ``it`` (its callback)."""
        if self.ctx is None:
            return
        self.iterations += 1
        after = self._after(it)
        self.iteration_ctx.call_on_fit_task_end(estimator=self.model, reconstruction_attributes=after, **self.args)
        self.iteration_ctx = self._begin(it)

    def end(self):
        """The fit is done: the open iteration task ends empty, then the root task."""
        if self.ctx is None:
            return
        if not self.iterations:  # no iteration ran: the first task still ends with the start, as in scikit-learn
            self.iteration(0, None, None)
        self.iteration_ctx.call_on_fit_task_end(estimator=self.model)
        self.ctx.call_on_fit_task_end(estimator=self.model, reconstruction_attributes={}, **self.args)
