"""``logreg.LogisticRegression``: the scikit-learn face of the model.

``fit`` runs :func:`logreg.fitting.fit_model` and keeps the result, a
:class:`logreg.model.FittedModel`, as ``model_``; the fitted attributes
(``coef_``, ``intercept_``, ``n_iter_`` ...) read it
(:class:`logreg.estimator_predict.FittedAttributes`), the predictions are in
:mod:`logreg.estimator_predict`, the summary, marginal effects, ``partial_fit``,
``fit_formula`` and ``save`` in :mod:`logreg.estimator_faces`.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable
from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .callbacks import CallbackSupportMixin, fit_with_tasks
from .estimator_faces import FacesMixin
from .estimator_predict import FittedAttributes, Matrix, PredictMixin
from .fitting import fit_model
from .model import FittedModel
from .objective import make_datafit
from .solvers import REGISTRY, warn_not_converged

#: The fit's progress callback: (iteration, objective, grad_norm).
Callback = Callable[[int, float, float], object]

__all__ = ["LogisticRegression"]


def _check_options(est):
    """The combinations of hyper-parameters that ``fit`` refuses or warns about."""
    if est.dual:
        raise ValueError("dual=True: logreg solves the primal problem only; use dual=False")
    if est.penalty == "elasticnet" and est.l1_ratio is None:
        raise ValueError("penalty='elasticnet' needs l1_ratio in [0, 1], e.g. l1_ratio=0.5")
    if est.penalty in ("l1", "l2") and est.l1_ratio not in (None, float(est.penalty == "l1")):
        warnings.warn(
            f"l1_ratio={est.l1_ratio} is ignored with penalty={est.penalty!r}; leave penalty='auto' "
            "(the default) to have l1_ratio choose the penalty, or use penalty='elasticnet'",
            UserWarning,
            stacklevel=3,
        )
    if est.penalty is None and est.C != 1.0:
        warnings.warn(
            f"Setting penalty=None will ignore the C and l1_ratio parameters (C={est.C}): the fit is "
            "unpenalised; leave penalty at its default to use C",
            UserWarning,
            stacklevel=3,
        )


class LogisticRegression(
    FittedAttributes, PredictMixin, FacesMixin, CallbackSupportMixin, ClassifierMixin, BaseEstimator
):
    """Logistic regression: the seeds' model, fitted exactly and fast.

    Minimises scikit-learn's objective::

        J(w, b) = (1/S) sum_i s_i [log(1 + e^{z_i}) - y_i z_i] + r(w) / (C S),
        z = X w + b,   S = sum_i s_i,   r(w) = ||w||^2 / 2 for 'l2'

    so the same ``C`` gives the same model as
    ``sklearn.linear_model.LogisticRegression``.  Three or more classes use
    the multinomial (softmax) model.

    Parameters
    ----------
    penalty : {'auto', 'l2', 'l1', 'elasticnet', 'firth'} or None, default='auto'
        'auto' takes the penalty from ``l1_ratio`` as scikit-learn >= 1.8 does
        (None or 0: 'l2', 1: 'l1', in between: 'elasticnet'); the names of
        older scikit-learn work too.  None (or ``C=np.inf``) fits the
        unpenalised maximum-likelihood model.  'l1' and 'elasticnet' need a
        solver that takes a proximal step ('cd', 'gd' or 'auto').  'firth' is
        Firth's bias-reduced model (two classes; finite under separation),
        fitted as R's logistf: :mod:`logreg.inference.firth` (C is not used).
    C : float, default=1.0
        Inverse regularisation strength, > 0.
    l1_ratio : float, default=None
        Mix of L1 in [0, 1]: r(w) = l1_ratio ||w||_1 + (1 - l1_ratio) ||w||^2 / 2,
        for ``penalty='auto'`` or 'elasticnet'.
    fit_intercept : bool, default=True
        Fit b (never penalised).
    tol : float, default=1e-4
        Stop when the max-norm of the gradient of J is at most tol.
    max_iter : int, default=100
        Iteration limit of the solver.
    solver : {'auto', 'newton', 'newton-cg', 'newton-cholesky', 'lbfgs', 'cd', 'gd', 'sgd'}, default='auto'
        'gd' is the seeds' batch gradient descent (proximal for L1); 'newton'
        uses the Hessian (sub-sampled when n is large) up to 500 parameters
        and preconditioned Newton-CG beyond, which 'newton-cholesky' and
        'newton-cg' (scikit-learn's names) force; 'cd' is proximal Newton with
        coordinate descent for L1/elastic-net.  'auto' takes 'newton' for
        smooth penalties and 'cd' (up to 500 parameters, else 'gd') for L1.
        'sgd' is averaged minibatch stochastic gradient (:mod:`logreg.solvers.sgd`),
        one epoch per iteration; it stops when J of the averaged iterate changes
        by at most ``tol`` (relative) over an epoch, so expect J within ~1e-4
        of the optimum, not the other solvers' digits.  It is what
        :meth:`partial_fit` runs whatever ``solver`` is.
    learning_rate : float, default=None
        The seeds' step size alpha for solver='gd'; None finds the step by a
        backtracking line search.
    solver_options : dict, default=None
        Options of the solver and the data term, for studying what each idea
        buys (the benchmarks' ablations use them); unknown keys are refused with
        the solver's list.  'newton' (and 'newton-cg', 'newton-cholesky'):
        ``exact`` (True: form the Hessian, False: Newton-CG), ``hessian_rows``
        (rows in each Hessian: None for every row, 'auto', or a number),
        ``fresh_rows`` (False: the same row sample in every Hessian),
        ``presolve`` (False: no first solve on a row sample), ``max_cg``;
        'cd': ``hessian_rows``; 'lbfgs': ``memory`` (correction pairs); 'gd':
        ``learning_rate``; 'sgd' (and :meth:`partial_fit`): ``batch_rows``.  For every solver: ``engine`` ('auto', 'fused' or
        'graph': the data term's one-pass kernels or the seeds' graph nodes, in
        memory) and ``start`` ('intercept': the intercept-only optimum, the
        default; 'zero').
    class_weight : dict or 'balanced', default=None
        Multiplies the sample weights by a weight per class.
    warm_start : bool, default=False
        Start from the previous fit's coefficients.
    verbose : int, default=0
        Print the objective per iteration.
    dual : bool, default=False
        scikit-learn's switch to liblinear's dual problem: logreg solves the
        primal only, so True raises a ValueError.
    intercept_scaling : float, default=1.0
        Accepted for scikit-learn compatibility, no effect: in scikit-learn it
        only acts in liblinear, which appends a constant column and penalises
        its weight as the intercept; logreg never penalises the intercept.
    random_state : int, RandomState instance or None, default=None
        Shuffles the rows for 'sgd' and :meth:`partial_fit`; no other solver
        draws random numbers (the sub-sampled Hessian takes evenly spaced
        rows), so their fits are deterministic without it.
    n_jobs : int, default=None
        Accepted for scikit-learn compatibility, no effect (as in scikit-learn
        >= 1.8): the threads of a fit are BLAS's and numba's (limit them with
        threadpoolctl).
    standardize : bool, default=False
        Fit on standardised continuous columns (centred, with an intercept,
        and divided by their standard deviation, both unweighted; 0/1 and
        constant columns are left as they are), so that the penalty treats every column alike
        whatever its unit.  ``coef_`` and ``intercept_`` are then converted
        back to the original scale (glum's ``scale_predictors``), so the model
        predicts on unscaled X and an unpenalised fit equals the fit without
        standardising; the means and scales used are ``standardize_mean_``
        and ``standardize_scale_``.  Sparse X are scaled, never centred.
    coef_bounds : tuple (lower, upper) or dict, default=None
        Box constraints ``lower <= coef_ <= upper`` (never on the intercepts), as
        glum's ``lower_bounds`` / ``upper_bounds`` and scipy's L-BFGS-B:
        ``lower`` and ``upper`` are scalars, None (unbounded), arrays of shape
        (n_features,) or of ``coef_``'s shape, with ``-np.inf`` / ``np.inf``
        allowed; ``(0, None)`` makes every coefficient non-negative (a sign
        constraint).  A dict ``{feature: (lower, upper)}`` bounds the features it
        names (names of ``feature_names_in_``, or column indices) and leaves the
        others free.  Solvers 'cd', 'lbfgs', 'gd' and 'sgd' honour it ('auto'
        takes 'cd', or 'lbfgs' / 'gd' beyond 500 parameters without column
        access); the 'newton' family refuses it.  Coefficients that end on a
        bound get no standard error in :meth:`summary` (NaN, with a note).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_iter_ : ndarray of shape (1,)
        Solver iterations.  ``max_iter=0`` returns the start (zeros, or the
        previous fit's coefficients with ``warm_start``) with a
        ConvergenceWarning, as scikit-learn does.
    converged_ : bool
    objective_history_ : ndarray of shape (n_iter_ + 1,)
        J after each iteration (the seeds' learning curve).
    solver_ : str
        The solver used ('auto' resolved).
    n_passes_ : int
        Passes over X that the fit used.
    coef_bounds_ : tuple (lower, upper) of ndarray of ``coef_``'s shape, or None
        The box of ``coef_bounds`` as fitted (None without bounds).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when X has string column names (the encoded names, e.g. 'color=red', after a
        fit on a dask DataFrame or a :class:`logreg.ParquetSource`).
    standardize_mean_, standardize_scale_ : ndarray of shape (n_features_in_,)
        With ``standardize=True``: the column means (0 for columns not
        centred) and standard deviations (1 for columns not scaled).
    encoding_ : logreg.io.encoding.TableEncoding
        Only for models fitted from a formula (:meth:`fit_formula`), by
        ``logreg fit``, on a dask DataFrame or a row source: how a raw table becomes the
        features; ``predict`` and the other methods then accept the raw table (and a dask
        DataFrame, partition by partition).
    missing_ : str
        Only after a fit on a dask DataFrame or a row source: its missing-value policy
        (``'mean'``: predictions on a dask DataFrame fill the training values).
    model_ : logreg.model.FittedModel
        The fit as a value, which the attributes above read (also :meth:`fitted_model`):
        what the summary, the diagnostics, the report and the model file take.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from logreg import LogisticRegression
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> model = LogisticRegression(C=1.0).fit(X, y)
    >>> round(model.score(X, y), 3)
    0.989
    """

    #: fit stores the statistics for summary() when cheap; the fits of a path do without
    #: (at 20000 x 50 they cost 3x the warm-started solve)
    _store_statistics = True
    _store_diagnostics = True

    _parameter_constraints: dict = {
        "penalty": [StrOptions({"auto", "l2", "l1", "elasticnet", "firth"}), None],
        "C": [Interval(numbers.Real, 0, None, closed="right")],  # C=np.inf: no penalty
        "l1_ratio": [Interval(numbers.Real, 0, 1, closed="both"), None],
        "fit_intercept": ["boolean"],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 0, None, closed="left")],
        "solver": [StrOptions(set(REGISTRY) | {"auto"})],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "solver_options": [dict, None],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "dual": ["boolean"],
        "intercept_scaling": [Interval(numbers.Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
        "n_jobs": [numbers.Integral, None],
        "standardize": ["boolean"],
        "coef_bounds": [tuple, list, dict, None],
    }

    def __init__(
        self,
        penalty: str | None = "auto",
        *,
        C: float = 1.0,
        l1_ratio: float | None = None,
        fit_intercept: bool = True,
        tol: float = 1e-4,
        max_iter: int = 100,
        solver: str = "auto",
        learning_rate: float | None = None,
        class_weight: dict[Any, float] | str | None = None,
        warm_start: bool = False,
        verbose: int = 0,
        dual: bool = False,
        intercept_scaling: float = 1.0,
        random_state: Any = None,
        n_jobs: int | None = None,
        solver_options: dict[str, Any] | None = None,
        standardize: bool = False,
        coef_bounds: tuple[Any, Any] | dict[Any, tuple[Any, Any]] | None = None,
    ) -> None:
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.solver = solver
        self.learning_rate = learning_rate
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.verbose = verbose
        self.dual = dual
        self.intercept_scaling = intercept_scaling
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.solver_options = solver_options
        self.standardize = standardize
        self.coef_bounds = coef_bounds

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        X: Matrix,
        y: Any = None,
        sample_weight: Any = None,
        offset: Any = None,
        *,
        callback: Callback | None = None,
    ) -> Self:
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array, dask DataFrame, row source} of shape (n_samples, n_features)
            float32 stays float32; other numbers become float64.  A dask array
            (dense or CSR row chunks) or DataFrame (text and categorical columns
            one-hot encoded) is fitted where its chunks live, see
            :mod:`logreg.distributed`; a :class:`logreg.ParquetSource` is streamed
            row group by row group (:mod:`logreg.sources`).  The fitted model is an
            ordinary one.
        y : array-like, dask array or dask Series of shape (n_samples,)
            Labels of any type with two or more classes (None for a row source,
            which reads its own).
        sample_weight : array-like or dask array of shape (n_samples,), default=None
            Non-negative weights; integer weights equal repeated rows.
        offset : array-like of shape (n_samples,) or (n_samples, n_classes), default=None
            A known term added to each row's linear predictor, z = X w + b + offset,
            as glum's and statsmodels' ``offset`` (e.g. a log exposure, or a
            previous model's score): its coefficient is fixed at 1.  Two classes:
            shape (n_samples,); K >= 3 classes: shape (n_samples, K), one column per
            class in the order of ``classes_`` (one offset for every class would
            leave the softmax unchanged).  Pass the same offset to ``predict``,
            ``predict_proba``, ``decision_function``, ``score`` and ``summary``.
            With a dask array X: a dask array (or array) of its rows; not for dask
            DataFrames or row sources.
        callback : callable, optional
            ``callback(iteration, objective, grad_norm)`` after each iteration.
            Callbacks of scikit-learn's API (``set_callbacks``, scikit-learn
            >= 1.9) get a task per iteration: :mod:`logreg.callbacks`.

        Returns
        -------
        self : LogisticRegression
        """
        if getattr(self, "_skl_callbacks", None) and not getattr(self, "_in_callback_tasks", False):
            return fit_with_tasks(self, X, y, sample_weight, callback, offset=offset)
        self._validate_params()
        _check_options(self)
        self._sgd_ = None  # a later partial_fit continues from this fit's coefficients
        previous = self.__dict__.get("model_") if self.warm_start else None
        if previous is not None and sp.issparse(previous.coef):
            previous = previous.replace(coef=previous.coef.toarray())  # a warm start reads dense coefficients
        store = (self._store_statistics, self._store_diagnostics)
        model, result = fit_model(
            self,
            X,
            y,
            sample_weight,
            callback,
            previous=previous,
            data_term=self._data_term,
            store=store,
            carried=self._carried_options,
            offset=offset,
        )
        self._solved(result)
        self.model_ = model
        if result is not None:  # warned here: stacklevel=3 points at the user's call of fit
            warn_not_converged(result, model.info.solver, self.max_iter)
        for finding in model.diagnostics or ():  # separation, constant/collinear columns, scaling
            warnings.warn(finding.message, finding.category, stacklevel=2)
        return self

    def _data_term(self, X, codes, n_classes, sample_weight, offset=None):
        """The in-memory data term of a fit (:func:`logreg.objective.make_datafit`).

        Parameters
        ----------
        X : ndarray or csr_matrix of shape (n_samples, n_features)
        codes : ndarray of shape (n_samples,)
            Class codes 0 .. n_classes - 1.
        n_classes : int
        sample_weight : ndarray of shape (n_samples,) or None
        offset : ndarray of shape (n_samples,) or (n_samples, n_classes), or None
        """
        engine = (self.solver_options or {}).get("engine", "auto")
        return make_datafit(
            X, codes, n_classes, sample_weight, fit_intercept=self.fit_intercept, engine=engine, offset=offset
        )

    def _carried_options(self, solver_cls):
        """Solver options passed on from a previous fit (none here; a path passes its checkpoint)."""
        return {}

    def _solved(self, result):
        """Called with each fit's SolverResult (None for Firth's iteration); a path keeps its checkpoint."""

    # ------------------------------------------------------------ the fitted model
    def fitted_model(self) -> FittedModel:
        """The fit as a value: what the statistics, the diagnostics, the report and the model file read.

        Returns
        -------
        logreg.model.FittedModel

        Raises
        ------
        sklearn.exceptions.NotFittedError
        """
        check_is_fitted(self)
        return self.model_

    @classmethod
    def from_fitted(cls, model: FittedModel, **params: Any) -> Self:
        """An estimator with ``params`` that wraps a fitted model (as :func:`logreg.load` does).

        Parameters
        ----------
        model : logreg.model.FittedModel
        **params
            The estimator's parameters (``C``, ``penalty`` ...), checked.

        Returns
        -------
        LogisticRegression
            Fitted: predicts, summarises and saves as after ``fit``.
        """
        est = cls(**params)
        est._validate_params()
        est.model_ = model
        est.n_features_in_ = model.n_features
        if model.feature_names is not None:
            est.feature_names_in_ = np.asarray(model.feature_names, dtype=object)
        return est

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
