"""Profile-likelihood intervals and likelihood-ratio p-values per coefficient.

For coefficient j, the profile (penalised) log-likelihood is the maximum of L
over the other coefficients with beta_j held at b (a restricted fit of
:func:`logreg.inference.firth.fit_penalized`).  The 1 - alpha interval is the
set where::

    2 (L_max - L_profile(b)) <= chi2_{1, 1 - alpha}

whose ends are found by Brent's root search on each side of the estimate (R's
``confint`` for glm (MASS's profile method) for maximum likelihood; logistf's
``logistpl`` for Firth fits).  The p-value of beta_j = 0 is the
likelihood-ratio test 2 (L_max - L_profile(0)) ~ chi2(1).

For Firth fits L is the penalised log-likelihood and every restricted fit keeps
the penalty of the full design (log det of the full Fisher information), as
logistf >= 1.24 does for its profile penalised-likelihood intervals and its
penalised likelihood-ratio p-values (``fit.i`` with ``terms.fit`` in
``logistf.R``).  The model's "LR test" is likewise the penalised likelihood of
the full fit against the intercept-only fit under the full design's penalty.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize
from scipy import stats as sps

from .firth import FIRTH_TAU, design, fit_penalized

__all__ = ["apply_profile", "lr_statistics", "profile_interval"]

#: Tolerance of the restricted fits: the LR statistic at an interval end is exact to ~1e-8.
_TOL = 1e-10
#: An interval end further than this many standard errors away is reported as infinite.
_MAX_SE = 1e4


def _restricted(Xt, y, s, tau, start, fixed, max_iter=200):
    """Fit with the coordinates in ``fixed`` (dict j -> value) held."""
    beta0 = np.array(start, dtype=np.float64)
    free = np.ones(beta0.size, dtype=bool)
    for j, v in fixed.items():
        beta0[j] = v
        free[j] = False
    return fit_penalized(Xt, y, s, tau=tau, beta0=beta0, free=free, tol=_TOL, max_iter=max_iter)


def lr_statistics(Xt, y, s, tau, full, indices):
    """2 (L_max - L_restricted) for beta_j = 0, j in ``indices``.

    Returns
    -------
    ndarray of shape (len(indices),)
    """
    out = np.empty(len(indices))
    for i, j in enumerate(indices):
        r = _restricted(Xt, y, s, tau, full.params, {j: 0.0})
        out[i] = max(2.0 * (full.loglik - r.loglik), 0.0)
    return out


def profile_interval(Xt, y, s, tau, full, j, alpha, restricted=None):
    """The profile-likelihood interval of coefficient j.

    Parameters
    ----------
    Xt : ndarray of shape (n, p)
    y, s : ndarray of shape (n,)
    tau : float
        0 for maximum likelihood, 0.5 for Firth.
    full : PenalizedFit
        The unrestricted fit (converged).
    j : int
    alpha : float
    restricted : callable, optional
        ``restricted(start, fixed)`` -> a fit with ``params`` and ``loglik``,
        the coordinates in ``fixed`` (dict j -> value) held; default the
        binary (Firth or ML) refit of :mod:`logreg.inference.firth`.

    Returns
    -------
    lower, upper : float
        -inf / inf where the profile does not fall by chi2_{1,1-alpha} / 2
        (e.g. a coefficient that diverges under separation, without Firth).
    """
    target = sps.chi2.ppf(1.0 - alpha, 1)
    b_hat = full.params[j]
    se = math.sqrt(max(full.cov[j, j], 0.0))
    if not se > 1e-8 * (1.0 + abs(b_hat)):  # no curvature (a diverging coefficient): unit steps
        se = 1.0
    warm = {"params": full.params}
    if restricted is None:

        def restricted(start, fixed):
            return _restricted(Xt, y, s, tau, start, fixed)

    def excess(b):
        r = restricted(warm["params"], {j: b})
        warm["params"] = r.params
        return 2.0 * (full.loglik - r.loglik) - target

    ends = []
    for sign in (-1.0, 1.0):
        warm["params"] = full.params
        inner, step = b_hat, se
        outer = b_hat + sign * step
        while excess(outer) < 0.0:
            inner, step = outer, step * 2.0
            if step > _MAX_SE * se:
                outer = None
                break
            outer = b_hat + sign * step
        if outer is None:
            ends.append(sign * np.inf)
            continue
        lo, hi = sorted((inner, outer))
        ends.append(optimize.brentq(excess, lo, hi, xtol=1e-12 * max(1.0, abs(b_hat)), rtol=1e-12))
    return ends[0], ends[1]


def apply_profile(summary, model, X, codes, sample_weight, ci):
    """Put profile intervals (and, for Firth fits, its p-values and errors) into ``summary``.

    Parameters
    ----------
    summary : logreg.stats.LogisticSummary
        Built from the same data; changed in place.
    model : logreg.model.FittedModel
        An unpenalised fit or a Firth fit.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    codes : ndarray of shape (n_samples,)
    sample_weight : ndarray of shape (n_samples,)
    ci : {'profile', 'wald'}

    Returns
    -------
    summary
    """
    firth = model.penalty.firth
    if model.n_classes != 2:
        return _apply_multinomial_profile(summary, model, X, codes, sample_weight, ci)
    tau = FIRTH_TAU if firth else 0.0
    Xt = design(X, model.fit_intercept)
    y = np.asarray(codes, dtype=np.float64)
    s = np.asarray(sample_weight, dtype=np.float64)
    # polish the fit's optimum: the interval ends are located relative to L_max
    full = fit_penalized(Xt, y, s, tau=tau, beta0=summary.params, tol=_TOL, max_iter=200)
    k = Xt.shape[1]
    alpha = summary.alpha
    # the unpenalised Fisher information's notes do not describe a Firth fit's errors
    stale = ("Covariance matrix from", "The Fisher information is singular") if firth else ()
    notes = [n for n in summary.notes if not n.startswith(stale)]
    if firth:
        stat = lr_statistics(Xt, y, s, tau, full, range(k))
        summary.cov_params = full.cov
        summary.std_err = np.sqrt(np.diag(full.cov))
        summary.z = summary.params / summary.std_err
        summary.p_value = sps.chi2.sf(stat, 1)
        off = int(model.fit_intercept)
        # the model's LR test: all slopes 0 against the full fit, both under the full design's penalty
        null = _restricted(Xt, y, s, tau, full.params, {j: 0.0 for j in range(off, k)})
        summary.llr = max(2.0 * (full.loglik - null.loglik), 0.0)
        summary.llr_pvalue = float(sps.chi2.sf(summary.llr, k - off)) if k > off else float("nan")
        summary.penalized_log_likelihood = full.loglik
        summary.valid_inference = True
        notes.insert(
            0,
            "Firth's penalised likelihood (logistf >= 1.24 conventions): standard errors from the inverse of "
            "X' diag((s + h) p (1 - p)) X; p-values (and the LLR, against the intercept-only fit) from penalised "
            f"likelihood-ratio tests, every restricted fit keeping the full design's penalty; penalised "
            f"log-likelihood {full.loglik:.6g}. Log-Likelihood, AIC and BIC are of the unpenalised likelihood at "
            "the Firth estimates.",
        )
    if ci == "wald":
        q = sps.norm.ppf(1.0 - alpha / 2.0)
        summary.ci_lower = summary.params - q * summary.std_err
        summary.ci_upper = summary.params + q * summary.std_err
    else:
        bounds = np.array([profile_interval(Xt, y, s, tau, full, j, alpha) for j in range(k)])
        summary.ci_lower, summary.ci_upper = bounds[:, 0], bounds[:, 1]
        kind = "penalised " if firth else ""
        notes.insert(
            1 if firth else 0,
            f"Confidence intervals from the profile {kind}likelihood: 2 (L_max - L_profile) <= "
            f"chi2_1({1 - alpha:g}) = {sps.chi2.ppf(1 - alpha, 1):.6g}.",
        )
    summary.ci_method = ci
    summary.notes = notes
    return summary


def _apply_multinomial_profile(summary, model, X, codes, sample_weight, ci):
    """Profile intervals of an unpenalised multinomial fit's contrasts (the summary's parameters).

    Each contrast is held at b while every other contrast is refitted
    (:func:`logreg.inference.multinomial_ml.fit_multinomial`); the interval
    is where 2 (L_max - L_profile(b)) <= chi2_{1, 1 - alpha}, as for two classes.
    """
    from .multinomial_ml import fit_multinomial

    if ci != "profile":
        return summary
    K = model.n_classes
    Xt = design(X, model.fit_intercept)
    y = np.asarray(codes, dtype=np.intp)
    s = np.asarray(sample_weight, dtype=np.float64)
    full = fit_multinomial(Xt, y, s, K, summary.params, tol=_TOL)

    def restricted(start, fixed):
        beta0 = np.array(start, dtype=np.float64)
        free = np.ones(beta0.size, dtype=bool)
        for j, v in fixed.items():
            beta0[j], free[j] = v, False
        return fit_multinomial(Xt, y, s, K, beta0, free=free, tol=_TOL)

    alpha = summary.alpha
    bounds = np.array(
        [profile_interval(Xt, y, s, 0.0, full, j, alpha, restricted=restricted) for j in range(full.params.size)]
    )
    summary.ci_lower, summary.ci_upper = bounds[:, 0], bounds[:, 1]
    summary.notes = [
        f"Confidence intervals from the profile likelihood: 2 (L_max - L_profile) <= "
        f"chi2_1({1 - alpha:g}) = {sps.chi2.ppf(1 - alpha, 1):.6g}, every other contrast refitted.",
        *summary.notes,
    ]
    summary.ci_method = ci
    return summary
