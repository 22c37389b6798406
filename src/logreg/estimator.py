"""``logreg.LogisticRegression``: the scikit-learn face of the model."""

from __future__ import annotations

import numbers
import os
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Self

import numpy as np
import scipy.sparse as sp
from scipy import special
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._validation import (
    assert_finite,
    check_class_totals,
    check_class_weight,
    check_sample_weight,
    class_totals,
    class_weights,
    encode_labels,
    is_dask_collection,
    validate,
)
from .bounds import inside, resolve_bounds, theta_bounds
from .callbacks import CallbackSupportMixin, fit_with_tasks
from .objective import Objective, intercept_start, make_datafit
from .offset import check_offset
from .penalties import L2, NoPenalty, make_penalty
from .solvers import REGISTRY, SolverResult, resolve, solve_with_handover, warn_not_converged
from .sources import row_source

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .io.encoding import TableEncoding
    from .stats import LogisticSummary

#: What X may be: array-like, a scipy.sparse matrix, a table (pandas, polars, pyarrow) or a dask array.
Matrix = Any
#: The fit's progress callback: (iteration, objective, grad_norm).
Callback = Callable[[int, float, float], object]

__all__ = ["LogisticRegression"]


def _dask_blocks(model, X, method, offset=None):
    """``model.<method>`` chunk by chunk on a dask array or DataFrame X (a lazy dask array)."""
    from .distributed import is_dask_frame, predict_blocks, predict_frame  # imports dask: only for dask input

    if offset is not None:
        if is_dask_frame(X):
            raise ValueError(
                "offset with a dask DataFrame is not available yet: pass X as a dask array "
                "(df[columns].to_dask_array(lengths=True)) with the offset"
            )
        from .distributed.predict import predict_with_offset

        return predict_with_offset(model, X, offset, method)
    return (predict_frame if is_dask_frame(X) else predict_blocks)(model, X, method)


def _start_only(objective, theta0):
    """scikit-learn's ``max_iter=0``: no iteration, the start returned as not converged."""
    _, grad = objective.value_and_grad(theta0)
    return SolverResult(
        theta=theta0,
        n_iter=0,
        converged=False,
        history=[objective.value(theta0)],
        grad_norm=objective.optimality(theta0, grad),
        n_passes=objective.n_passes,
    )


class LogisticRegression(CallbackSupportMixin, ClassifierMixin, BaseEstimator):
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

    #: partial_fit is offered (not by the cross-validated subclass)
    _incremental = True

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

    coef_: Any  # ndarray, or a scipy.sparse array after sparsify()
    intercept_: np.ndarray
    classes_: np.ndarray
    encoding_: TableEncoding

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
        if self.dual:
            raise ValueError("dual=True: logreg solves the primal problem only; use dual=False")
        self._sgd_ = None  # a later partial_fit continues from this fit's coefficients
        if sp.issparse(getattr(self, "coef_", None)):
            self.densify()  # a warm start reads dense coefficients
        if self.penalty == "elasticnet" and self.l1_ratio is None:
            raise ValueError("penalty='elasticnet' needs l1_ratio in [0, 1], e.g. l1_ratio=0.5")
        if self.penalty in ("l1", "l2") and self.l1_ratio not in (None, float(self.penalty == "l1")):
            warnings.warn(
                f"l1_ratio={self.l1_ratio} is ignored with penalty={self.penalty!r}; leave penalty='auto' "
                "(the default) to have l1_ratio choose the penalty, or use penalty='elasticnet'",
                UserWarning,
                stacklevel=2,
            )
        # a refit forgets what the previous fit learned about raw tables and scales
        for name in ("encoding_", "standardize_mean_", "standardize_scale_", "missing_"):
            self.__dict__.pop(name, None)
        if self.penalty is None and self.C != 1.0:
            warnings.warn(
                f"Setting penalty=None will ignore the C and l1_ratio parameters (C={self.C}): the fit is "
                "unpenalised; leave penalty at its default to use C",
                UserWarning,
                stacklevel=2,
            )
        source = row_source(X, y, sample_weight)
        if source is not None or is_dask_collection(X):
            if offset is not None and source is not None:
                raise ValueError(
                    "offset is not available for dask DataFrames or row sources yet: pass X as a dask array "
                    "(df[columns].to_dask_array(lengths=True)) with the offset as a dask array of its rows, or "
                    "fit in memory"
                )
            if self.standardize:
                raise ValueError(
                    "standardize=True is not available for dask arrays, dask DataFrames or row sources; "
                    "standardise the columns first (e.g. (X - X.mean(axis=0)) / X.std(axis=0)) and fit "
                    "with standardize=False"
                )
            datafit, classes = (
                self._source_datafit(source) if source is not None else self._dask_datafit(X, y, sample_weight, offset)
            )
            result, solver_name = self._solve(
                datafit, classes, datafit.total_weight, datafit.class_weight_sums, X, callback
            )
            warn_not_converged(result, solver_name, self.max_iter)
            return self._dask_statistics(datafit)
        X, y = validate(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            order=None,
            accept_large_sparse=True,
            ensure_all_finite=False,  # assert_finite below: one BLAS pass, overflow too
        )
        assert_finite(X, type(self).__name__)
        if is_dask_collection(offset):
            raise ValueError("offset is a dask collection but X is in memory: pass offset.compute() (a numpy array)")
        classes, codes = encode_labels(y)
        if classes.size < 2:
            raise ValueError(
                # .item(): numpy 2 would print np.int64(0) / np.str_('a')
                f"y has one class: {classes[0].item()!r}; logistic regression needs two or more. "
                "Check the target column, or the filter that selected these rows."
            )
        if sample_weight is None and self.class_weight is None:
            # every row weighs 1: no array of ones (on 1e6 rows its first allocation alone is ~15 ms)
            weight_sum = float(X.shape[0])
            class_sums = class_totals(codes, classes.size)
            fit_weight = None
        else:
            sample_weight = check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
            check_class_weight(self.class_weight)
            if self.class_weight is not None:
                sample_weight = sample_weight * class_weights(self.class_weight, classes, codes, sample_weight)[codes]
            weight_sum = float(sample_weight.sum())
            if not weight_sum > 0:
                raise ValueError("sample weights sum to zero; at least one row needs a positive weight")
            class_sums = class_totals(codes, classes.size, sample_weight)
            check_class_totals(classes, class_sums)
            # equal weights scale the data term and the penalty alike: the unweighted kernels serve
            fit_weight = None if np.all(sample_weight == sample_weight[0]) else sample_weight
        offset = check_offset(offset, X.shape[0], classes.size)
        X_fit = self._standardized(X) if self.standardize else X
        if self.penalty == "firth":  # Firth's modified-score Newton iteration, as R's logistf
            from .inference.firth import fit_firth

            if offset is not None or self.coef_bounds is not None:
                raise ValueError(
                    "penalty='firth' takes neither an offset nor coef_bounds: fit with penalty=None or 'l2' for those"
                )
            self.coef_bounds_ = None
            fit_firth(self, X_fit, codes, classes, sample_weight)
        else:
            datafit = self._data_term(X_fit, codes, classes.size, fit_weight, offset)
            rows = (X_fit, codes, fit_weight, offset)  # for solvers that read rows in minibatches ('sgd')
            result, solver_name = self._solve(datafit, classes, weight_sum, class_sums, X_fit, callback, rows)
            # warned here, not in _solve: stacklevel=3 points at the user's call of fit
            warn_not_converged(result, solver_name, self.max_iter)
        if self.standardize:  # back to the original columns: statistics and predictions use X as given
            from .scaling import to_original

            coef, intercept = to_original(self.coef_, self.intercept_, self.standardize_mean_, self.standardize_scale_)
            self.coef_, self.intercept_ = inside(coef.astype(X.dtype), self.coef_bounds_), intercept.astype(X.dtype)
        # --- statistics: sufficient statistics for summary(), only when cheap (logreg.stats)
        from .stats import fit_statistics

        self._stats_ = (
            fit_statistics(
                X, codes, classes.size, sample_weight, self.coef_, self.intercept_, self.fit_intercept, offset=offset
            )
            if self._store_statistics
            else None
        )
        # --- diagnostics: separation, constant/collinear columns, scaling -> warnings (logreg.diagnostics)
        from .diagnostics import diagnose

        self._diagnostics_ = diagnose(self, X, codes, sample_weight) if self._store_diagnostics else None
        # --- end statistics
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

    def _box(self, n_classes, n_features):
        """``coef_bounds`` as (lower, upper) arrays of ``coef_``'s shape, or None (:mod:`logreg.bounds`)."""
        shape = (1 if n_classes == 2 else n_classes, n_features)
        return resolve_bounds(self.coef_bounds, shape, getattr(self, "feature_names_in_", None))

    def _standardized(self, X):
        """X with standardised continuous columns (:mod:`logreg.scaling`); a warm start's
        coefficients are moved to that scale."""
        from .scaling import standardize_columns, to_standard

        warm = self.warm_start and hasattr(self, "coef_")
        X_s, mean, scale = standardize_columns(X, center=self.fit_intercept)
        self.standardize_mean_, self.standardize_scale_ = mean, scale
        if warm and np.shape(self.coef_)[-1] == X.shape[1]:
            coef, intercept = to_standard(self.coef_, self.intercept_, mean, scale)
            self.coef_, self.intercept_ = coef, intercept
        return X_s

    @available_if(lambda self: self._incremental)
    def partial_fit(self, X, y, classes=None, sample_weight=None, *, weight_sum=None):
        """One pass of averaged minibatch SGD over the rows given, as ``SGDClassifier.partial_fit``.

        The updates are those of ``solver='sgd'`` whatever ``solver`` is, and
        the averaged iterate (``coef_``, ``intercept_``), the step count and the
        step size carry over from call to call; after ``fit`` the first call
        continues from the fitted coefficients.  Nothing checks convergence
        (``converged_`` is False) and no statistics are stored: pass X and y to
        :meth:`summary`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        classes : array-like of shape (n_classes,), default=None
            Every label of the data set: needed in the first call (unless
            ``fit`` ran before), as a block may miss some.
        sample_weight : array-like of shape (n_samples,), default=None
        weight_sum : float, default=None
            S, the total weight of the data set the model stands for (n
            without weights): the penalty is 1/(C S).  By default the weight
            of the rows passed to ``partial_fit`` so far, which over several
            passes counts each row once per pass; give S to make passes
            over the same data set minimise the same J as ``fit``.
            ``class_weight='balanced'`` is refused (it needs the whole data's
            class counts): pass the weights as a dict.

        Returns
        -------
        self : LogisticRegression
        """
        from .online import partial_fit

        return partial_fit(self, X, y, classes, sample_weight, weight_sum)

    def _dask_datafit(self, X, y, sample_weight, offset=None):
        """Checks and the distributed data term for a dask array X (:mod:`logreg.distributed`)."""
        from .distributed import prepare_fit  # imports dask: only for dask input

        datafit, classes = prepare_fit(
            X, y, sample_weight, class_weight=self.class_weight, fit_intercept=self.fit_intercept, offset=offset
        )
        self.n_features_in_ = datafit.n_features
        if hasattr(self, "feature_names_in_"):  # a dask array has no column names
            del self.feature_names_in_
        return datafit, classes

    def _source_datafit(self, source):
        """The chunked data term of a row source (:mod:`logreg.sources`): Parquet files, a dask DataFrame."""
        engine = (self.solver_options or {}).get("engine", "auto")
        datafit, classes = source.prepare_fit(
            class_weight=self.class_weight,
            fit_intercept=self.fit_intercept,
            options=None if engine == "auto" else {"engine": engine},
        )
        self.n_features_in_ = datafit.n_features
        self.feature_names_in_ = np.asarray(source.feature_names, dtype=object)
        from .io.encoding import TableEncoding

        # how predictions on a raw table or a dask DataFrame's partitions repeat the encoding
        self.encoding_ = TableEncoding(
            columns=list(source.columns), target=getattr(source, "target", None), weight=getattr(source, "weight", None)
        )
        self.missing_ = source.missing
        return datafit, classes

    def _dask_statistics(self, datafit):
        """End of a chunked fit: the inference statistics, computed on the chunks when cheap (as in
        memory), and the diagnostics on a row sample drawn from every chunk."""
        from .chunked import diagnostic_rows
        from .diagnostics import diagnose
        from .stats import should_store

        cheap = should_store(datafit.n_samples, datafit.n_params)
        self._stats_ = datafit.statistics(self.coef_, self.intercept_) if cheap else None
        Xs, codes, sw = datafit.sample_rows(diagnostic_rows(datafit.n_samples, datafit.n_features))
        datafit.release()  # frees the chunks on the workers now, not at garbage collection
        # stacklevel: diagnose <- _dask_statistics <- fit: one more than in memory
        self._diagnostics_ = diagnose(self, Xs, codes, sw, warn=False)
        for f in self._diagnostics_:
            warnings.warn(f.message, f.category, stacklevel=3)
        return self

    def _solve(self, datafit, classes, weight_sum, class_sums, X, callback, rows=None):
        """Minimise the objective on ``datafit`` and set the fitted attributes.

        Parameters
        ----------
        datafit : data term of :mod:`logreg.objective` or :class:`logreg.distributed.DaskLogistic`
        classes : ndarray of shape (n_classes,)
        weight_sum : float
            S, the sum of the sample weights: the penalty's scale.
        class_sums : ndarray of shape (n_classes,)
            Weight of each class: the start is the intercept-only optimum.
        X : {ndarray, sparse matrix, dask array} of shape (n_samples, n_features)
            Only passed on to the solver registry.
        callback : callable or None
        rows : tuple (X, y_codes, sample_weight or None), optional
            The rows in memory, for a solver that reads minibatches (``needs_rows``).

        Returns
        -------
        result : logreg.solvers.SolverResult
        solver_name : str
        """
        penalty = make_penalty(self.penalty, self.C, weight_sum, self.l1_ratio)
        box = self._box(classes.size, datafit.n_features)
        fit_box = box
        if box is not None and self.standardize:
            # the fit's coefficients are w_j * scale_j (scale > 0): the same signs, scaled bounds
            fit_box = (box[0] * self.standardize_scale_, box[1] * self.standardize_scale_)
        bounds = None if box is None else theta_bounds(fit_box, datafit.coef_mask())
        objective = Objective(datafit, penalty, bounds)
        solver_cls = resolve(
            self.solver,
            penalty=penalty,
            n_params=datafit.n_params,
            X=X,
            column_access=datafit.column_access,
            bounded=bounds is not None,
        )
        options = dict(self.solver_options or {})
        options.pop("engine", None)  # the data term's, used by fit
        start = options.pop("start", "intercept")
        if start not in ("intercept", "zero"):
            raise ValueError(f"solver_options['start'] must be 'intercept' or 'zero', got {start!r}")
        if solver_cls.name == "gd" and self.learning_rate is not None:
            options["learning_rate"] = self.learning_rate
        solver = solver_cls(tol=self.tol, max_iter=self.max_iter, verbose=self.verbose, callback=callback, **options)
        if getattr(solver_cls, "needs_rows", False):
            solver.bind(rows, self.random_state)

        theta0 = np.zeros(datafit.n_params)
        if self.fit_intercept and solver_cls.intercept_start and start == "intercept" and self.max_iter > 0:
            theta0 = datafit.join(np.zeros_like(datafit.split(theta0)[0]), intercept_start(class_sums))
        if self.warm_start and hasattr(self, "coef_") and np.array_equal(getattr(self, "classes_", None), classes):
            coef = self.coef_ if classes.size > 2 else self.coef_.ravel()
            if coef.shape[-1] == datafit.n_features:
                theta0 = datafit.join(coef, self.intercept_ if classes.size > 2 else self.intercept_[0])

        theta0 = objective.clip(theta0)  # a feasible start (zero may lie outside the box)
        result = solve_with_handover(solver, objective, theta0) if self.max_iter > 0 else _start_only(objective, theta0)

        coef, intercept = datafit.split(result.theta)
        if classes.size > 2:
            # the softmax is unchanged by adding one constant to every class's intercept (and,
            # unpenalised, one vector to every class's coefficients), and Newton's step may move
            # along that null direction: report the centred representative, as scikit-learn does
            intercept = intercept - intercept.mean()
            if box is None and (isinstance(penalty, NoPenalty) or (isinstance(penalty, L2) and result.n_iter > 0)):
                # with L2 the optimum has sum_k W_k = 0 (Zhu and Hastie 2004): centring W leaves the
                # softmax unchanged and lowers the penalty, so it only removes the solver's residue
                coef = coef - coef.mean(axis=0)
        dtype = datafit.dtype
        self.classes_ = classes
        self.coef_bounds_ = box
        self.coef_ = inside(np.atleast_2d(np.asarray(coef, dtype=dtype)), box)
        self.intercept_ = np.atleast_1d(np.asarray(intercept, dtype=dtype)).copy()
        self.n_iter_ = np.array([result.n_iter], dtype=np.int32)
        self.converged_ = bool(result.converged)
        self.objective_history_ = np.asarray(result.history, dtype=np.float64)
        self.solver_ = solver_cls.name
        self.n_passes_ = int(result.n_passes)
        self.grad_norm_ = float(result.grad_norm)
        return result, solver_cls.name

    def fit_formula(self, formula: str, data: Any, sample_weight: Any = None, *, missing: str = "refuse") -> Self:
        """Fit the model of a formula, as statsmodels' ``smf.logit(formula, data)``.

        ``"admit ~ gre + gpa + C(rank) + gre:gpa"``: the left side names the
        label column, the right side builds the features through formulaic
        (treatment-coded categoricals, interactions, ``center``/``scale``/``bs``
        and numpy functions; :mod:`logreg.formula`).  The features are named
        after the formula's columns (``C(rank)[T.2]``, ``gre:gpa``); the
        formula's ``Intercept`` column is left out, the intercept being
        ``fit_intercept``, so a formula without one (``- 1``, ``+ 0``) needs
        ``fit_intercept=False``.  The fitted model keeps the formula and what it
        learned (levels, transform states) in ``encoding_`` and in its model
        file, and ``predict`` and the other methods accept raw tables.

        Parameters
        ----------
        formula : str
        data : pandas.DataFrame, polars.DataFrame, pyarrow.Table or dict of columns
            The table (not modified).
        sample_weight : str or array-like of shape (n_samples,), default=None
            A column of ``data`` or the weights.
        missing : {'refuse', 'drop'}, default='refuse'
            Rows with a missing value in a used column are refused, or dropped.

        Returns
        -------
        self : LogisticRegression

        Raises
        ------
        ValueError
            The formula does not parse, names a column the data lack, or
            contradicts ``fit_intercept``; or missing values are refused.
        """
        from .formula import FormulaDesign, as_frame
        from .io.encoding import TableEncoding

        weight = sample_weight if isinstance(sample_weight, str) else None
        design, X, keep = FormulaDesign.learn(formula, data, missing=missing, extra=[weight] if weight else [])
        if design.intercept != bool(self.fit_intercept):
            fix = (
                "remove '- 1' / '+ 0' from the formula, or set fit_intercept=False"
                if self.fit_intercept
                else "add '- 1' to the formula (categoricals are then coded in full), or set fit_intercept=True"
            )
            has = "has no intercept" if not design.intercept else "keeps its intercept"
            raise ValueError(f"formula {formula!r} {has} but fit_intercept={self.fit_intercept}: {fix}")
        frame = as_frame(data)
        y = np.asarray(frame[design.target])[keep]
        if weight is not None:  # a column (learn checked that it is there)
            sample_weight = np.asarray(frame[weight], dtype=np.float64)
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=np.float64)
            if sample_weight.shape != (len(keep),):
                raise ValueError(f"sample_weight has shape {sample_weight.shape}, expected ({len(keep)},): one per row")
            sample_weight = sample_weight[keep]
        import pandas as pd

        self.fit(pd.DataFrame(X, columns=design.feature_names), y, sample_weight=sample_weight)
        self.encoding_ = TableEncoding(formula=design, target=design.target, weight=weight)
        return self

    # -------------------------------------------------------------- predict
    def _encoded_table(self, X):
        """A raw table's features as a table named by ``feature_names_in_`` (for the functions that
        check X themselves); anything else as given."""
        encoded = None if X is None else self._encode_raw(X)
        if encoded is None:
            return X
        import pyarrow as pa

        return pa.table({str(name): encoded[:, j] for j, name in enumerate(self.feature_names_in_)})

    def _encode_raw(self, X):
        """The features of a raw table through ``encoding_`` (None when X is not one)."""
        if getattr(self, "encoding_", None) is None:
            return None
        from .io.encoding import encode_if_raw

        return encode_if_raw(self, X, getattr(self, "feature_names_in_", None))

    def _check_X(self, X):
        check_is_fitted(self)
        encoded = self._encode_raw(X)
        if encoded is not None:
            return encoded
        return validate(
            self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=False, accept_large_sparse=True
        )

    def decision_function(self, X: Matrix, offset: Any = None) -> np.ndarray:
        """z = X w + b (+ offset).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        offset : array-like of shape (n_samples,) or (n_samples, n_classes), default=None
            The rows' offsets, as given to ``fit`` (None: no offset).

        Returns
        -------
        ndarray of shape (n_samples,) for two classes, else (n_samples, n_classes)
            (a dask array, chunk by chunk, for a dask array X)
        """
        if is_dask_collection(X):
            return _dask_blocks(self, X, "decision_function", offset)
        X = self._check_X(X)
        z = X @ self.coef_.T
        z = np.asarray(z.toarray() if sp.issparse(z) else z) + self.intercept_
        z = z.ravel() if self.classes_.size == 2 else z
        offset = check_offset(offset, z.shape[0], self.classes_.size)
        return z if offset is None else z + offset

    def predict_proba(self, X: Matrix, offset: Any = None) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        offset : array-like, default=None
            As in :meth:`decision_function`.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            (a dask array, chunk by chunk, for a dask array X)
        """
        if is_dask_collection(X):
            return _dask_blocks(self, X, "predict_proba", offset)
        z = self.decision_function(X, offset)
        if z.ndim == 1:
            # expit(-z), not 1 - expit(z): keeps P(class 0) ~ e^{-z} instead of rounding it to 0
            return np.column_stack([special.expit(-z), special.expit(z)])
        return special.softmax(z, axis=1)

    def predict_log_proba(self, X: Matrix, offset: Any = None) -> np.ndarray:
        """Log of :meth:`predict_proba`, computed without log(0) (log-sigmoid).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        offset : array-like, default=None
            As in :meth:`decision_function`.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            (a dask array, chunk by chunk, for a dask array X)
        """
        if is_dask_collection(X):
            return _dask_blocks(self, X, "predict_log_proba", offset)
        z = self.decision_function(X, offset)
        if z.ndim == 1:
            return np.column_stack([special.log_expit(-z), special.log_expit(z)])
        return special.log_softmax(z, axis=1)

    def predict(self, X: Matrix, offset: Any = None) -> np.ndarray:
        """Most probable class for each row.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        offset : array-like, default=None
            As in :meth:`decision_function`.

        Returns
        -------
        ndarray of shape (n_samples,), values from ``classes_``
            (a dask array, chunk by chunk, for a dask array X)
        """
        if is_dask_collection(X):
            return _dask_blocks(self, X, "predict", offset)
        z = self.decision_function(X, offset)
        idx = (z > 0).astype(int) if z.ndim == 1 else z.argmax(axis=1)
        return self.classes_[idx]

    def score(self, X: Matrix, y: Any, sample_weight: Any = None, offset: Any = None) -> float:
        """Mean accuracy of :meth:`predict` on (X, y), as scikit-learn's ClassifierMixin.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
        offset : array-like, default=None
            As in :meth:`decision_function`.

        Returns
        -------
        float
        """
        from sklearn.metrics import accuracy_score

        return float(accuracy_score(y, self.predict(X, offset), sample_weight=sample_weight))

    # ---------------------------------------------------- sparse coefficients
    def sparsify(self) -> Self:
        """Store ``coef_`` as a scipy.sparse CSR array (scikit-learn's SparseCoefMixin).

        Worth it when most coefficients are zero (L1); predictions work as
        before.  ``summary`` and ``save`` need :meth:`densify` first; ``fit`` densifies.

        Returns
        -------
        self : LogisticRegression
        """
        check_is_fitted(self)
        self.coef_ = sp.csr_array(self.coef_)
        return self

    def _check_dense_coef(self, what):
        if sp.issparse(getattr(self, "coef_", None)):
            raise ValueError(f"coef_ is sparse (after sparsify()); call densify() before {what}")

    def densify(self) -> Self:
        """Store ``coef_`` as a numpy array again (a no-op when it is one).

        Returns
        -------
        self : LogisticRegression
        """
        check_is_fitted(self)
        if sp.issparse(self.coef_):
            self.coef_ = self.coef_.toarray()
        return self

    # ------------------------------------------------------------ statistics
    def summary(
        self,
        X: Matrix | None = None,
        y: Any = None,
        *,
        sample_weight: Any = None,
        cov_type: str = "nonrobust",
        groups: Any = None,
        alpha: float = 0.05,
        weight_type: str = "frequency",
        ci: str | None = None,
        offset: Any = None,
    ) -> LogisticSummary:
        """Inference table: coefficients, standard errors, z, p-values, intervals, likelihood measures.

        Uses the statistics stored by ``fit`` (the model keeps no reference
        to X); pass the training data to recompute them, which is needed for
        ``cov_type='cluster'`` and after fits too large to store them.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features), optional
            The training data.
        y : array-like of shape (n_samples,), optional
            The training labels (with X).
        sample_weight : array-like of shape (n_samples,), optional
            The training weights (with X).
        cov_type : {'nonrobust', 'HC0', 'HC1', 'HC2', 'HC3', 'cluster'}, default='nonrobust'
        groups : array-like of shape (n_samples,), optional
            Cluster labels for ``cov_type='cluster'``.
        alpha : float, default=0.05
            Intervals at level 1 - alpha.
        weight_type : {'frequency', 'probability'}, default='frequency'
            Frequency weights count repeated rows; probability weights are
            sampling weights (Stata's pweight).
        ci : {'wald', 'profile'}, optional
            Interval method; 'profile' (the default for penalty='firth')
            needs X and y.
        offset : array-like of shape (n_samples,) or (n_samples, n_classes), optional
            The training offsets (with X), as given to ``fit``.

        Returns
        -------
        logreg.stats.LogisticSummary
            ``to_frame()``, ``to_dict()``, ``to_json()``, ``str()`` and
            attributes such as ``log_likelihood``, ``aic``, ``pseudo_r2``.

        Warns
        -----
        PenalizedInferenceWarning
            For penalised fits: their standard errors are not valid inference.
        """
        from .stats import summarize

        self._check_dense_coef("summary()")
        X = self._encoded_table(X)
        return summarize(
            self,
            X,
            y,
            sample_weight=sample_weight,
            cov_type=cov_type,
            groups=groups,
            alpha=alpha,
            weight_type=weight_type,
            ci=ci,
            offset=offset,
        )

    def marginal_effects(self, X: Matrix, at: str = "overall", **kwargs: Any) -> pd.DataFrame:
        """Marginal effects dP/dx with delta-method errors: :func:`logreg.inference.margins.marginal_effects`
        (with ``offset=`` for a model fitted with one)."""
        from .inference.margins import marginal_effects

        return marginal_effects(self, self._encoded_table(X), at=at, **kwargs)

    # ----------------------------------------------------------- model file
    def save(self, path: str | os.PathLike[str]) -> Self:
        """Write the fitted model to a versioned JSON model file (never pickle).

        The file is written to a temporary file in the same directory and
        renamed, so an existing file at ``path`` is replaced whole or not at
        all.  Read it back with :func:`logreg.load`.

        Parameters
        ----------
        path : str or os.PathLike

        Returns
        -------
        self : LogisticRegression
        """
        from .io.modelfile import write_model

        check_is_fitted(self)
        self._check_dense_coef("save()")
        write_model(path, self)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
