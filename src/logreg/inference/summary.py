"""The inference table of a fitted model: :func:`summarize`.

The statistics (:mod:`logreg.inference.statistics`) stored by ``fit`` or
recomputed from X and y, their covariance (:mod:`logreg.inference.covariance`)
and the table (:mod:`logreg.inference.table`).  n is the sum of the weights for
frequency weights and the number of rows with positive weight for probability
weights; k is the number of parameters; the cluster correction
G/(G-1) (n-1)/(n-k) is statsmodels' default and Stata's.

Penalised fits have no valid standard errors: the estimate is biased towards
zero and its sampling distribution is not centred on the truth.  The summary
then uses the inverse of the *penalised* Hessian ``F + P`` (the Laplace
approximation of a Bayesian posterior under the matching Gaussian prior),
says so in a note and emits :class:`~logreg.exceptions.PenalizedInferenceWarning`.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from scipy import stats as sps

from ..exceptions import PenalizedInferenceWarning
from ..model import FittedModel, as_fitted, label
from .covariance import at_bound_mask, covariance
from .statistics import STORE_MAX_PARAMS, STORE_MAX_WORK, compute_statistics
from .table import LogisticSummary

__all__ = ["COV_TYPES", "WEIGHT_TYPES", "summarize"]

COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster")
WEIGHT_TYPES = ("frequency", "probability")


def _per_sd(model, labels, params, se):
    """For a ``standardize=True`` fit, each coefficient and its error per standard deviation of
    its column (the scale the fit ran on): rows (label, coef * sd, std err * sd); else None."""
    if model.standardization is None:
        return None
    scale = dict(zip(model.names, np.asarray(model.standardization[1], dtype=np.float64), strict=True))
    return [
        (name, float(b * scale[name]), float(e * scale[name]))
        for name, b, e in zip(labels, params, se, strict=True)
        if name in scale
    ]


def summarize(
    model: FittedModel | Any,
    X: Any = None,
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
    """Inference table of a fitted model.

    Parameters
    ----------
    model : logreg.model.FittedModel or fitted LogisticRegression
        The fit (an estimator stands for its ``fitted_model()``).
    X : {array-like, sparse matrix} of shape (n_samples, n_features), optional
        The training data.  Without it the statistics stored by ``fit`` are
        used; it is needed for ``cov_type='cluster'`` and when the fit was too
        large to store them.
    y : array-like of shape (n_samples,), optional
        The training labels (with X).
    sample_weight : array-like of shape (n_samples,), optional
        The training weights (with X); the model's ``class_weight`` is applied
        on top, as in ``fit``.
    cov_type : {'nonrobust', 'HC0', 'HC1', 'HC2', 'HC3', 'cluster'}, default='nonrobust'
        'nonrobust' inverts the Fisher information; 'HC0' and 'HC1' are the
        sandwich estimators (HC1 = HC0 n/(n-k)); 'HC2' and 'HC3' divide each
        row's squared score by (1 - h_i) and (1 - h_i)^2, h_i its leverage, as
        R's ``sandwich::vcovHC`` for glm (they need X and y; for K >= 3
        classes, unpenalised fits, each row's residual vector is corrected by
        its hat block as CR2 / CR3 correct a cluster: see
        :mod:`logreg.inference.leverage`); 'cluster' is
        cluster-robust by ``groups`` with statsmodels' (and Stata's)
        small-sample correction.  Note that statsmodels' discrete models and
        GLM give HC0 for 'HC1', 'HC2' and 'HC3'.
    groups : array-like of shape (n_samples,), optional
        Cluster labels, required for (and only used by) ``cov_type='cluster'``.
    alpha : float, default=0.05
        Confidence intervals are at level 1 - alpha.
    weight_type : {'frequency', 'probability'}, default='frequency'
        How to read the sample weights: as counts of repeated rows (n = sum of
        weights; matches ``fit``'s "integer weights equal repeated rows") or as
        sampling weights (n = rows with positive weight; the sandwich meat
        uses squared weights, as Stata's ``pweight``).
    ci : {'wald', 'profile'}, optional
        'wald': estimate +- z_{1-alpha/2} std_err; 'profile': the
        profile-likelihood interval, as R's ``confint`` for glm (unpenalised
        fits, also multinomial ones, or Firth fits, with X and y; see
        :mod:`logreg.inference.profile`).  Default 'profile' for
        ``penalty='firth'`` (logistf's), else 'wald'.  Firth fits also get
        penalised likelihood-ratio p-values and need X and y.
    offset : array-like of shape (n_samples,) or (n_samples, n_classes), optional
        The training offsets (with X), as given to ``fit``.

    Returns
    -------
    LogisticSummary

    Raises
    ------
    ValueError
        When the statistics are needed from X and y and they were not given.

    Warns
    -----
    PenalizedInferenceWarning
        For penalised fits (penalty not None and C finite).
    """
    from sklearn.utils.validation import _check_sample_weight

    from .._validation import class_weights

    model = as_fitted(model)
    if cov_type not in COV_TYPES:
        raise ValueError(f"cov_type must be one of {COV_TYPES}, got {cov_type!r}")
    if weight_type not in WEIGHT_TYPES:
        raise ValueError(f"weight_type must be one of {WEIGHT_TYPES}, got {weight_type!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    if cov_type == "cluster" and groups is None:
        raise ValueError("cov_type='cluster' needs groups: one cluster label per row of X")
    if groups is not None and cov_type != "cluster":
        raise ValueError(f"groups is only used with cov_type='cluster', got cov_type={cov_type!r}")
    firth = model.penalty.firth
    ci = ("profile" if firth else "wald") if ci is None else ci
    if ci not in ("wald", "profile"):
        raise ValueError(f"ci must be 'wald' or 'profile', got {ci!r}")
    if (firth or ci == "profile") and X is None:
        what = "Firth's penalised likelihood-ratio tests" if firth else "profile-likelihood intervals"
        raise ValueError(f"{what} refit the model with coefficients held: pass the training data, model.summary(X, y)")
    if firth and cov_type != "nonrobust":
        raise ValueError(f"a Firth fit's summary has cov_type='nonrobust' only (logistf's), got {cov_type!r}")
    if (firth or ci == "profile") and weight_type != "frequency":
        raise ValueError(
            "likelihood-ratio p-values and profile intervals read the weights as frequencies (a likelihood); "
            "with sampling weights use ci='wald' and a robust cov_type (e.g. 'HC0')"
        )
    if ci == "profile" and not firth and model.penalty.penalized:
        raise ValueError("ci='profile' needs an unpenalised fit (penalty=None) or penalty='firth'")
    n_classes = model.n_classes
    if offset is not None and X is None:
        raise ValueError("offset is only used together with X: model.summary(X, y, offset=offset)")
    if offset is not None and ci == "profile":
        raise ValueError("ci='profile' is not available with an offset yet; use ci='wald'")

    if X is not None:
        if y is None:
            raise ValueError("summary(X, y): y is needed together with X")
        Xv = model.matrix(X)
        codes = model.codes(y)
        if codes.shape[0] != Xv.shape[0]:
            raise ValueError(f"X has {Xv.shape[0]} rows but y has {codes.shape[0]}")
        sw = _check_sample_weight(sample_weight, Xv, dtype=np.float64, ensure_non_negative=True)
        if model.class_weight is not None:
            sw = sw * class_weights(model.class_weight, model.classes, codes, sw)[codes]
        coef = model.dense_coef("summary()")
        from ..offset import check_offset

        offset = check_offset(offset, Xv.shape[0], n_classes)
        st = compute_statistics(
            Xv, codes, n_classes, sw, coef, model.intercept, model.fit_intercept, groups=groups, offset=offset
        )
        if cov_type in ("HC2", "HC3"):
            from .leverage import with_leverage_meat

            st = with_leverage_meat(st, Xv, codes, sw, model.penalty, cov_type, weight_type, offset)
    else:
        if cov_type in ("HC2", "HC3"):
            raise ValueError(
                f"cov_type={cov_type!r} needs each row's leverage, which fit does not store: "
                f"pass the training data, model.summary(X, y, cov_type={cov_type!r})"
            )
        if cov_type == "cluster":
            raise ValueError(
                "cov_type='cluster' needs the per-cluster scores, which fit does not store: "
                "pass the training data, model.summary(X, y, cov_type='cluster', groups=groups)"
            )
        if y is not None or sample_weight is not None:
            raise ValueError("y and sample_weight are only used together with X: model.summary(X, y, ...)")
        stored = model.statistics
        if stored is None:
            raise ValueError(
                "this model has no stored inference statistics: the fit was too large to keep them (more than "
                f"{STORE_MAX_PARAMS} parameters or n_samples * n_params^2 > {STORE_MAX_WORK:.0e}), or the model "
                "was loaded from a file; pass X and y: model.summary(X, y, sample_weight=...)"
            )
        st = stored
        current = model.stats_params()
        if current.shape != st.params.shape or not np.allclose(current, st.params, rtol=1e-12, atol=0):
            raise ValueError(
                "the coefficients changed since fit stored its statistics; pass X and y: model.summary(X, y)"
            )

    held = at_bound_mask(model.dense_coef("summary()"), model.coef_bounds, st.fit_intercept)
    params, cov, singular = covariance(st, model.penalty, cov_type, weight_type, fixed=held)
    k = params.size
    nobs = st.weight_sum if weight_type == "frequency" else float(st.n_rows)
    if cov_type == "HC1":
        cov = cov * (nobs / (nobs - k))
    elif cov_type == "cluster":
        G = st.n_groups or 0
        if G < 2:
            raise ValueError("cov_type='cluster' needs at least two groups")
        cov = cov * (G / (G - 1.0) * (nobs - 1.0) / (nobs - k))

    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
        z = params / se
    pval = 2.0 * sps.norm.sf(np.abs(z))
    q = sps.norm.ppf(1.0 - alpha / 2.0)

    feats = model.term_names()
    if n_classes > 2:
        index = [(label(c), t) for c in model.classes[1:] for t in feats]
        terms = [f"{c}:{t}" for c, t in index]
    else:
        index, terms = None, feats

    # the null model has one intercept per non-baseline class (also when the model has none,
    # as statsmodels and Stata): the LR test has the difference in parameters as df
    df_model = k - (n_classes - 1)
    kind = model.penalty.kind
    sparse = kind in ("l1", "elasticnet")
    if sparse:
        # an L1 fit's degrees of freedom are its non-zero coefficients (glmnet's df; statsmodels'
        # fit_regularized counts them the same way for df_model, df_resid, AIC and BIC)
        df_model = int(np.count_nonzero(model.dense_coef("summary()")))
        k = df_model + (n_classes - 1)
    ll, ll0 = st.log_likelihood, st.null_log_likelihood
    llr = 2.0 * (ll - ll0)
    penalized = model.penalty.penalized

    notes = []
    if penalized and not firth:
        msg = (
            f"Penalised fit (penalty={kind!r}, C={model.penalty.C:g}): the estimates are shrunk towards zero, "
            "so these standard errors, z, p-values and intervals are NOT valid inference. They use the inverse "
            "penalised Hessian (a Laplace approximation, Bayesian under the matching Gaussian prior). "
            "Refit with penalty=None for frequentist inference."
        )
        notes.append(msg)
        warnings.warn(msg, PenalizedInferenceWarning, stacklevel=3)
    if sparse:
        notes.append(
            f"Df Model counts the {df_model} non-zero coefficients of the {kind} fit (of {model.layout.n_rows * model.n_features}), "
            "as glmnet's df and statsmodels' fit_regularized; Df Residuals, AIC and BIC use the same count."
        )
    if cov_type == "nonrobust":
        notes.append("Covariance matrix from the inverse Fisher information (observed = expected for the logit link).")
    elif cov_type in ("HC0", "HC1"):
        corr = "" if cov_type == "HC0" else f", times n/(n-k) = {nobs:g}/{nobs - k:g}"
        notes.append(f"Heteroscedasticity-robust sandwich covariance ({cov_type}{corr}).")
    elif cov_type in ("HC2", "HC3") and n_classes > 2:
        notes.append(
            f"Heteroscedasticity-robust sandwich covariance ({cov_type}: each row's residual vector corrected by "
            f"(I - H_ii)^{'-1/2' if cov_type == 'HC2' else '-1'}, H_ii its (K-1)x(K-1) hat block, as CR2/CR3 with "
            f"a row as a cluster; largest eigenvalue of an H_ii = {st.max_leverage:.3g})."
        )
    elif cov_type in ("HC2", "HC3"):
        notes.append(
            f"Heteroscedasticity-robust sandwich covariance ({cov_type}: squared scores divided by "
            f"(1 - h_i){'' if cov_type == 'HC2' else '^2'}, h_i the leverage; largest h_i = {st.max_leverage:.3g})."
        )
    else:
        notes.append(f"Cluster-robust covariance over {st.n_groups} groups, with the correction G/(G-1)*(n-1)/(n-k).")
    if n_classes > 2:
        notes.append(
            f"Multinomial coefficients are contrasts with the baseline class {label(model.classes[0])} "
            "(statsmodels MNLogit / Stata mlogit parameterisation)."
        )
    if not st.unit_weights:
        notes.append(f"Sample weights read as {weight_type} weights (n = {nobs:g}).")
    if model.class_weight is not None:
        notes.append(
            "class_weight reweights the likelihood: these are statistics of a weighted pseudo-likelihood; "
            "prefer cov_type='HC0' with weight_type='probability'."
        )
    if held is not None:
        notes.append(
            f"{int(held.sum())} coefficient(s) ended on a bound of coef_bounds: their standard errors, z, "
            "p-values and intervals (and those of contrasts involving them) are NaN, as a bound estimate has no "
            "Wald inference; the others are computed with those held fixed."
        )
    if singular:
        notes.append(
            "The Fisher information is singular (collinear columns or separation): a pseudo-inverse was used "
            "and the standard errors are not reliable."
        )
    if not model.info.converged:
        notes.append("The solver did not converge: the estimates and the statistics may be off.")
    for diag in model.diagnostics or ():
        notes.append(diag.message)

    summary = LogisticSummary(
        n_classes=n_classes,
        classes=[label(c) for c in model.classes],
        dep_var="y",
        terms=terms,
        _index=index,
        params=params,
        std_err=se,
        z=z,
        p_value=pval,
        ci_lower=params - q * se,
        ci_upper=params + q * se,
        cov_params=cov,
        cov_type=cov_type,
        weight_type=weight_type,
        alpha=float(alpha),
        nobs=nobs,
        n_rows=st.n_rows,
        n_groups=st.n_groups if cov_type == "cluster" else None,
        df_model=int(df_model),
        df_resid=nobs - k,
        log_likelihood=ll,
        null_log_likelihood=ll0,
        llr=llr,
        llr_pvalue=float(sps.chi2.sf(llr, df_model)) if df_model > 0 else float("nan"),
        pseudo_r2=1.0 - ll / ll0 if ll0 != 0 else float("nan"),
        aic=-2.0 * ll + 2.0 * k,
        bic=-2.0 * ll + k * math.log(nobs),
        deviance=-2.0 * ll,
        n_iter=int(model.info.n_iter),
        converged=bool(model.info.converged),
        solver=model.info.solver,
        penalized=penalized,
        standardized=model.standardization is not None,
        per_sd=_per_sd(model, terms if index is None else [t for _, t in index], params, se),
        penalty=kind,
        valid_inference=not penalized,
        notes=notes,
        ci_method="wald",
    )
    if firth or ci == "profile":
        from .profile import apply_profile

        apply_profile(summary, model, Xv, codes, sw, ci)
    return summary
