"""The estimator's other faces: a formula's fit, ``partial_fit``, the summary, marginal
effects and the model file, each handing the estimator's FittedModel (``fitted_model()``)
to the module that does the work."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Self

import numpy as np
from sklearn.utils.metaestimators import available_if

from .model import FittedModel

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .stats import LogisticSummary

#: What X may be: array-like, a scipy.sparse matrix, a table (pandas, polars, pyarrow) or a dask array.
Matrix = Any

__all__ = ["FacesMixin"]


class FacesMixin:
    """``fit_formula``, ``partial_fit``, ``summary``, ``marginal_effects`` and ``save`` of
    :class:`logreg.LogisticRegression`."""

    #: partial_fit is offered (not by the cross-validated subclass)
    _incremental = True

    fit: Any
    fit_intercept: bool
    get_params: Any
    _check_X: Any

    def fitted_model(self) -> FittedModel:  # pragma: no cover - LogisticRegression's
        raise NotImplementedError

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
        encoding = TableEncoding(formula=design, target=design.target, weight=weight)
        self.model_ = self.fitted_model().replace(encoding=encoding)
        return self

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

        model = self.fitted_model()
        model.dense_coef("summary()")
        return summarize(
            model,
            None if X is None else self._check_X(X),
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

        return marginal_effects(self.fitted_model(), self._check_X(X), at=at, **kwargs)

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
        from .io.model_doc import write_fitted

        write_fitted(path, self.fitted_model(), self.get_params())
        return self
