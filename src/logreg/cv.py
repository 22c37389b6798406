"""``logreg.LogisticRegressionCV``: C (and l1_ratio) chosen by cross-validation, scikit-learn's API.

Each (fold, l1_ratio) is one warm-started :func:`logreg.regularization_path`
on the fold's training rows, scored on its held-out rows; the folds run in
parallel threads (``n_jobs``).  Sample weights weigh the fits and the
scores alike.
"""

from __future__ import annotations

import numbers
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.model_selection import check_cv
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _raise_for_params,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.validation import check_is_fitted

from ._validation import assert_finite, check_sample_weight, class_weights, encode_labels, validate
from .cv_folds import fold_path, labelled_scorer, n_workers
from .estimator import LogisticRegression
from .estimator_predict import OwnAttribute
from .model import FittedModel, feature_names_of
from .path import rewarn
from .solvers import REGISTRY

__all__ = ["LogisticRegressionCV"]


class LogisticRegressionCV(LogisticRegression):
    """Logistic regression with C (and l1_ratio) chosen by cross-validation.

    scikit-learn's ``LogisticRegressionCV`` (1.9) with logreg's solvers: the
    same parameters, the same fitted attributes and shapes, the same choice of
    C on the same folds.  Each fold's path is warm-started from the strongest
    penalty (:func:`logreg.regularization_path`).

    Parameters
    ----------
    Cs : int or array-like of shape (n_cs,), default=10
        An int: ``np.logspace(-4, 4, Cs)`` (scikit-learn's grid, for every penalty).
    l1_ratios : array-like of shape (n_l1_ratios,), default=None
        Elastic-net mixes tried; None: the penalty alone decides (L2 unless
        ``penalty='l1'``).
    fit_intercept : bool, default=True
    cv : int, cross-validation generator or iterable of (train, test), default=None
        None: stratified 5-fold, as scikit-learn.
    dual : bool, default=False
        Only the primal problem is solved; True raises a ValueError.
    penalty : {'auto', 'l2', 'l1', 'elasticnet'}, default='auto'
        'auto' takes the penalty from ``l1_ratios`` (scikit-learn 1.9's default):
        None or all 0 is L2, all 1 is L1, otherwise elastic net.
    scoring : str or callable, default=None
        A scikit-learn scorer name or ``scorer(estimator, X, y, sample_weight=None)``;
        None is accuracy (scikit-learn 1.9's default; it plans 'neg_log_loss' from 1.11).
    solver : str, default='auto'
        As in :class:`logreg.LogisticRegression`.
    tol : float, default=1e-4
    max_iter : int, default=100
    class_weight : dict or 'balanced', default=None
        'balanced' is computed once on all of y (with the sample weights), as scikit-learn does.
    n_jobs : int, default=None
        Folds (times l1_ratios) fitted in parallel threads; None is 1, -1 every core
        (joblib's convention).
    verbose : int, default=0
        Passed to the refit's solver (it prints the objective per iteration).
    refit : bool, default=True
        True: refit on all rows at the C (and l1_ratio) of the best mean score.
        False: average the fold models at each fold's best C.
    intercept_scaling : float, default=1.0
        Accepted for scikit-learn compatibility; it only acts in liblinear,
        which penalises the intercept.  logreg never penalises the intercept,
        so it has no effect.
    random_state : int, RandomState instance or None, default=None
        Accepted for scikit-learn compatibility; it does not seed the folds
        (pass a splitter with its own random_state as ``cv``) and logreg's
        solvers draw no random numbers from it.
    use_legacy_attributes : bool, default=True
        scikit-learn 1.9's two layouts of the fitted attributes (see Attributes).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    Cs_ : ndarray of shape (n_cs,)
    l1_ratios_ : ndarray of shape (n_l1_ratios,)
        ``[None]`` when ``l1_ratios`` is None.
    C_ : ndarray of shape (1,) or (n_classes,), or float
        The chosen C (float when ``use_legacy_attributes=False``).
    l1_ratio_ : ndarray of shape (1,) or (n_classes,), or float
    coefs_paths_ : dict or ndarray
        Legacy: {class: (n_folds, n_cs[, n_l1_ratios], n_dof)} keyed by
        ``classes_[1:]`` for two classes, every class otherwise; else
        ndarray (n_folds, n_l1_ratios, n_cs, 1 or n_classes, n_dof).
        n_dof = n_features + fit_intercept, the intercept last.
    scores_ : dict or ndarray
        Legacy: {class: (n_folds, n_cs[, n_l1_ratios])}, the same scores for
        every class; else ndarray (n_folds, n_l1_ratios, n_cs).
    n_iter_ : ndarray
        Legacy (1, n_folds, n_cs[, n_l1_ratios]); else (n_folds, n_l1_ratios, n_cs).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from logreg import LogisticRegressionCV
    >>> X, y = load_iris(return_X_y=True)
    >>> model = LogisticRegressionCV(Cs=5, cv=3).fit(X, y)
    >>> model.coef_.shape
    (3, 4)
    """

    _incremental = False  # a search over C has no incremental fit: no partial_fit

    # the search's fitted attributes are its own (set by fit), not views of one FittedModel: the
    # refitted model (refit=True) holds the FittedModel that summary and save read
    classes_ = OwnAttribute()
    coef_ = OwnAttribute()
    intercept_ = OwnAttribute()
    n_iter_ = OwnAttribute()
    converged_ = OwnAttribute()
    objective_history_ = OwnAttribute()
    solver_ = OwnAttribute()
    n_passes_ = OwnAttribute()
    grad_norm_ = OwnAttribute()

    _parameter_constraints: dict = {
        "Cs": [Interval(numbers.Integral, 1, None, closed="left"), "array-like"],
        "l1_ratios": ["array-like", None],
        "fit_intercept": ["boolean"],
        "cv": ["cv_object"],
        "dual": ["boolean"],
        "penalty": [StrOptions({"auto", "l2", "l1", "elasticnet"})],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "solver": [StrOptions(set(REGISTRY) | {"auto"})],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 0, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "n_jobs": [numbers.Integral, None],
        "verbose": ["verbose"],
        "refit": ["boolean"],
        "intercept_scaling": [Interval(numbers.Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
        "use_legacy_attributes": ["boolean"],
    }

    def __init__(
        self,
        *,
        Cs=10,
        l1_ratios=None,
        fit_intercept=True,
        cv=None,
        dual=False,
        penalty="auto",
        scoring=None,
        solver="auto",
        tol=1e-4,
        max_iter=100,
        class_weight=None,
        n_jobs=None,
        verbose=0,
        refit=True,
        intercept_scaling=1.0,
        random_state=None,
        use_legacy_attributes=True,
    ):
        self.Cs = Cs
        self.l1_ratios = l1_ratios
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.dual = dual
        self.penalty = penalty
        self.scoring = scoring
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.refit = refit
        self.intercept_scaling = intercept_scaling
        self.random_state = random_state
        self.use_legacy_attributes = use_legacy_attributes

    def _penalty_and_ratios(self):
        """The penalty kind and the l1_ratio of each path (None for L2 / L1 alone)."""
        l1_ratios = None if self.l1_ratios is None else np.asarray(self.l1_ratios, dtype=np.float64).ravel()
        if l1_ratios is not None and (l1_ratios.size == 0 or np.any((l1_ratios < 0) | (l1_ratios > 1))):
            raise ValueError(f"l1_ratios must be numbers in [0, 1], got {self.l1_ratios!r}")
        penalty = self.penalty
        if penalty == "auto":
            if l1_ratios is None or np.all(l1_ratios == 0):
                penalty = "l2"
            else:
                penalty = "l1" if np.all(l1_ratios == 1) else "elasticnet"
        elif penalty == "elasticnet" and l1_ratios is None:
            raise ValueError("penalty='elasticnet' needs l1_ratios, e.g. l1_ratios=[0.1, 0.5, 0.9]")
        # the mix each path fits: the penalty's own unless elastic net
        fitted = {"l2": 0.0, "l1": 1.0}.get(penalty)
        ratios = [None] if l1_ratios is None else list(l1_ratios)
        return penalty, ratios, [fitted if fitted is not None else r for r in ratios]

    def fit(self, X, y, sample_weight=None, **params):
        """Cross-validate the grid, then fit the chosen model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Weighs the fits and the held-out scores.
        **params : dict
            With scikit-learn's metadata routing enabled, passed to the splitter
            (e.g. ``groups``) and the scorer as they request them.

        Returns
        -------
        self : LogisticRegressionCV
        """
        _raise_for_params(params, self, "fit")
        self._validate_params()
        if self.dual:
            raise ValueError("dual=True: logreg solves the primal problem only; use dual=False")
        penalty, l1_ratios_, fit_ratios = self._penalty_and_ratios()
        X, y = validate(self, X, y, accept_sparse="csr", dtype=[np.float64, np.float32], accept_large_sparse=True)
        assert_finite(X, type(self).__name__)
        classes, codes = encode_labels(y)
        if classes.size < 2:
            raise ValueError(
                f"y has one class: {classes[0].item()!r}; logistic regression needs two or more. "
                "Check the target column, or the filter that selected these rows."
            )
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
        class_weight = self.class_weight
        if class_weight is not None:
            cw = class_weights(class_weight, classes, codes, sample_weight)
            class_weight = dict(zip(classes.tolist(), cw.tolist(), strict=True))
        Cs = np.logspace(-4, 4, self.Cs) if isinstance(self.Cs, numbers.Integral) else np.asarray(self.Cs, float)
        if _routing_enabled():
            routed = process_routing(self, "fit", sample_weight=sample_weight, **params)
            split_params, score_params = routed.splitter.split, routed.scorer.score
        else:  # as scikit-learn: the sample weights go to the scorer
            split_params = {}
            score_params = {} if sample_weight is None else {"sample_weight": sample_weight}
        folds = list(check_cv(self.cv, y, classifier=True).split(X, y, **split_params))
        fit_params = dict(
            fit_intercept=self.fit_intercept,
            class_weight=class_weight,
            solver=self.solver,
            tol=self.tol,
            max_iter=self.max_iter,
        )
        scorer = labelled_scorer(self.scoring, classes)
        tasks = [(train, test, r) for train, test in folds for r in fit_ratios]

        def run(task):
            train, test, r = task
            return fold_path(
                X,
                y,
                train,
                test,
                sample_weight=sample_weight,
                classes=classes,
                Cs=Cs,
                l1_ratio=r,
                scorer=scorer,
                score_params=score_params,
                fit_params=fit_params,
            )

        # threads: the fits spend their time in numpy and numba outside the GIL, X is shared, and a
        # thread starts in microseconds where a process takes seconds to import logreg
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with ThreadPoolExecutor(max_workers=min(n_workers(self.n_jobs), len(tasks))) as pool:
                out = list(pool.map(run, tasks))
        rewarn(caught, len(tasks) * Cs.size)
        n_folds, n_l1, n_cs = len(folds), len(fit_ratios), Cs.size
        paths = np.stack([o[0] for o in out]).reshape(n_folds, n_l1, n_cs, *out[0][0].shape[1:])
        scores = np.stack([o[1] for o in out]).reshape(n_folds, n_l1, n_cs)
        n_iter = np.stack([o[2] for o in out]).reshape(n_folds, n_l1, n_cs)
        self.classes_, self.Cs_, self.l1_ratios_ = classes, Cs, np.asarray(l1_ratios_)

        # scikit-learn ranks (C, l1_ratio) pairs C-major: the first of equal scores is the smaller C
        by_c = scores.transpose(0, 2, 1)  # (n_folds, n_cs, n_l1)
        if self.refit:
            ic, il = np.unravel_index(np.argmax(by_c.sum(axis=0)), (n_cs, n_l1))
            C, l1_ratio = Cs[ic], l1_ratios_[il]
            model = LogisticRegression(
                penalty=penalty,
                C=C,
                l1_ratio=fit_ratios[il],
                fit_intercept=self.fit_intercept,
                tol=self.tol,
                max_iter=self.max_iter,
                solver=self.solver,
                class_weight=class_weight,
                verbose=self.verbose,
            ).fit(X, y, sample_weight=sample_weight)
            self._adopt(model)
        else:
            best = [np.unravel_index(np.argmax(f), (n_cs, n_l1)) for f in by_c]
            w = np.mean([paths[k, il, ic] for k, (ic, il) in enumerate(best)], axis=0)
            C = float(np.mean([Cs[ic] for ic, _ in best]))
            l1_ratio = 0.0 if self.l1_ratios is None else float(np.mean([l1_ratios_[il] for _, il in best]))
            d = X.shape[1]
            self.coef_ = w[:, :d].copy()
            self.intercept_ = w[:, d].copy() if self.fit_intercept else np.zeros(w.shape[0])
            self._final = None
        self._set_attributes(C, l1_ratio, paths, scores, n_iter, penalty)
        return self

    def _adopt(self, model):
        """The refit model's coefficients and fit record (not its n_iter_); it serves summary and save."""
        for name in ("coef_", "intercept_", "converged_", "objective_history_", "solver_", "n_passes_", "grad_norm_"):
            setattr(self, name, getattr(model, name))
        if hasattr(self, "feature_names_in_"):  # the refit saw the checked arrays: give it the names
            model.feature_names_in_ = self.feature_names_in_
            model.model_ = model.fitted_model().replace(feature_names=feature_names_of(self.feature_names_in_))
        self._final = model

    def fitted_model(self) -> FittedModel:
        """The FittedModel of the model refitted at the chosen C (``refit=True``)."""
        return self._final_model("fitted_model()").fitted_model()

    def _final_model(self, what):
        check_is_fitted(self)
        if self._final is None:
            raise ValueError(
                f"{what} needs refit=True: with refit=False the coefficients are an average of the fold "
                "models, not the fit of one model"
            )
        return self._final

    def summary(self, *args, **kwargs):
        """:meth:`LogisticRegression.summary` of the model refitted at the chosen C (``refit=True``)."""
        return self._final_model("summary()").summary(*args, **kwargs)

    def save(self, path):
        """Save the model refitted at the chosen C as a :class:`LogisticRegression` model file.

        :func:`logreg.load` reads it back as a LogisticRegression with ``C=C_``.

        Returns
        -------
        self : LogisticRegressionCV
        """
        self._final_model("save()").save(path)
        return self

    def _set_attributes(self, C, l1_ratio, paths, scores, n_iter, penalty):
        """C_, l1_ratio_, coefs_paths_, scores_, n_iter_ in scikit-learn 1.9's layouts."""
        if not self.use_legacy_attributes:
            self.C_ = float(C)
            if self.l1_ratios is None:
                self.l1_ratio_ = 1.0 if penalty == "l1" else 0.0
            else:
                self.l1_ratio_ = float(l1_ratio)
            self.coefs_paths_, self.scores_, self.n_iter_ = paths, scores, n_iter
            return
        binary = self.classes_.size == 2
        keys = self.classes_[1:] if binary else self.classes_
        reps = 1 if binary else self.classes_.size
        self.C_ = np.repeat(np.asarray([C]), reps)
        self.l1_ratio_ = np.repeat(np.asarray([l1_ratio]), reps)
        by_c = (0, 2, 1)  # (n_folds, n_l1, n_cs) -> (n_folds, n_cs, n_l1)
        scores, n_iter = scores.transpose(by_c), n_iter.transpose(by_c)[None]
        per_class = [paths[:, :, :, k, :].transpose(0, 2, 1, 3) for k in range(len(keys))]
        if self.l1_ratios is None:  # no l1_ratio axis, as scikit-learn
            scores, n_iter = scores[:, :, 0], n_iter[..., 0]
            per_class = [p[:, :, 0, :] for p in per_class]
        self.coefs_paths_ = dict(zip(keys, per_class, strict=True))
        self.scores_ = {k: scores.copy() for k in keys}
        self.n_iter_ = n_iter

    def get_metadata_routing(self):
        """scikit-learn's metadata routing: ``fit`` routes to the splitter's ``split`` and the scorer.

        Returns
        -------
        sklearn.utils.metadata_routing.MetadataRouter
        """
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(splitter=self.cv, method_mapping=MethodMapping().add(caller="fit", callee="split"))
            .add(
                scorer=get_scorer(self.scoring if self.scoring is not None else "accuracy"),
                method_mapping=MethodMapping().add(caller="score", callee="score").add(caller="fit", callee="score"),
            )
        )

    def score(self, X, y, sample_weight=None):
        """The ``scoring`` of the fitted model on (X, y) (accuracy when None).

        Returns
        -------
        float
        """
        kw = {} if sample_weight is None else {"sample_weight": sample_weight}
        return get_scorer(self.scoring if self.scoring is not None else "accuracy")(self, X, y, **kw)
