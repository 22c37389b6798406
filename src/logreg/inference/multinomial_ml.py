"""Maximum likelihood of a multinomial logit with some coefficients held: the profiles' refits.

In the identified parameterisation (class 0 the baseline, beta_0 = 0; the
contrasts beta_k, k = 1..K-1, laid out class by class with the intercept
first, as the summary reports them), the log-likelihood, its score and the
Fisher information are::

    L(beta) = sum_i s_i log a_{i, y_i},   a_i = softmax(0, x~_i^T beta_1, ..., x~_i^T beta_{K-1})
    U_k     = sum_i s_i (y_ik - a_ik) x~_i
    F_kl    = sum_i s_i a_ik ([k = l] - a_il) x~_i x~_i^T

:func:`fit_multinomial` runs Newton's method (F is also minus the Hessian for
the canonical link) on the free coordinates, halving a step while L falls:
the constrained fits of profile-likelihood intervals
(:mod:`logreg.inference.profile`).  Weights are frequency weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg, special

__all__ = ["MultinomialFit", "fit_multinomial", "multinomial_loglik"]


@dataclass
class MultinomialFit:
    """Result of :func:`fit_multinomial`.

    Attributes
    ----------
    params : ndarray of shape ((K - 1) p,)
    loglik : float
    cov : ndarray of shape ((K - 1) p, (K - 1) p)
        Inverse Fisher information on the free coordinates (zero elsewhere).
    n_iter : int
    converged : bool
    score_norm : float
        max |U| over the free coordinates at the end.
    """

    params: np.ndarray
    loglik: float
    cov: np.ndarray
    n_iter: int
    converged: bool
    score_norm: float


def _terms(Xt, codes, s, beta, K, need_fisher=True):
    n, p = Xt.shape
    B = beta.reshape(K - 1, p)
    logp = special.log_softmax(np.column_stack([np.zeros(n), Xt @ B.T]), axis=1)
    ll = float(s @ logp[np.arange(n), codes])
    if not need_fisher:
        return ll, None, None
    A = np.exp(logp[:, 1:])
    R = -A
    hit = codes > 0
    R[np.flatnonzero(hit), codes[hit] - 1] += 1.0
    score = ((R * s[:, None]).T @ Xt).ravel()
    F = np.empty(((K - 1) * p, (K - 1) * p))
    for k in range(K - 1):
        for m in range(k, K - 1):
            c = s * A[:, k] * ((k == m) - A[:, m])
            blk = Xt.T @ (Xt * c[:, None])
            F[k * p : (k + 1) * p, m * p : (m + 1) * p] = blk
            F[m * p : (m + 1) * p, k * p : (k + 1) * p] = blk.T
    return ll, score, F


def multinomial_loglik(Xt, codes, s, beta, K):
    """L(beta) of the baseline parameterisation (see the module docstring)."""
    return _terms(Xt, np.asarray(codes, dtype=np.intp), np.asarray(s, dtype=np.float64), beta, K, False)[0]


def fit_multinomial(Xt, codes, s, K, beta0, free=None, tol=1e-10, max_iter=200, max_halvings=30):
    """Maximise L over the free coordinates of beta, starting from ``beta0``.

    Parameters
    ----------
    Xt : ndarray of shape (n, p)
        ``[1, X]`` (or X without an intercept).
    codes : ndarray of shape (n,)
        Class codes in [0, K).
    s : ndarray of shape (n,)
        Frequency weights.
    K : int
    beta0 : ndarray of shape ((K - 1) p,)
        The start; the held coordinates keep their values.
    free : ndarray of bool, optional
        The coordinates to fit (default all).
    tol : float
        Converged when the Newton step's max-norm is at most ``tol`` (the
        score is then ~tol times the information).
    max_iter, max_halvings : int

    Returns
    -------
    MultinomialFit
    """
    codes = np.asarray(codes, dtype=np.intp)
    s = np.asarray(s, dtype=np.float64)
    beta = np.array(beta0, dtype=np.float64)
    free = np.ones(beta.size, dtype=bool) if free is None else np.asarray(free, dtype=bool)
    ll, score, F = _terms(Xt, codes, s, beta, K)
    converged = False
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        Ff = F[np.ix_(free, free)]
        step = linalg.solve(Ff, score[free], assume_a="pos")
        t = 1.0
        for _ in range(max_halvings):
            trial = beta.copy()
            trial[free] += t * step
            ll_new = _terms(Xt, codes, s, trial, K, False)[0]
            if ll_new >= ll - 1e-12 * abs(ll):
                break
            t *= 0.5
        beta = trial
        ll, score, F = _terms(Xt, codes, s, beta, K)
        if np.max(np.abs(t * step)) <= tol:
            converged = True
            break
    cov = np.zeros_like(F)
    cov[np.ix_(free, free)] = linalg.inv(F[np.ix_(free, free)])
    return MultinomialFit(
        params=beta,
        loglik=ll,
        cov=cov,
        n_iter=n_iter,
        converged=converged,
        score_norm=float(np.max(np.abs(score[free]), initial=0.0)),
    )
