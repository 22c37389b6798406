"""Firth's bias-reduced logistic regression, fitted as R's ``logistf`` does.

Firth (1993) maximises the log-likelihood penalised by Jeffreys' prior::

    L*(beta) = sum_i s_i [y_i log p_i + (1 - y_i) log(1 - p_i)] + tau log det F(beta),
    F = X~^T diag(s_i p_i (1 - p_i)) X~,   tau = 1/2

with X~ = [1, X].  Its gradient is the modified score::

    U*(beta) = X~^T [s_i (y_i - p_i) + 2 tau h_i (1/2 - p_i)],
    h_i = s_i p_i (1 - p_i) x~_i^T F^-1 x~_i      (the hat diagonal)

and logistf's Newton iteration (``logistf.fit``, C routine
``logistffit_revised``) steps by I*^-1 U* with the "augmented" information::

    I* = X~^T diag((s_i + 2 tau h_i) p_i (1 - p_i)) X~

scaled so that no coordinate moves by more than ``max_step`` (logistf's
maxstep = 5), halving the step while L* decreases (logistf's maxhs; 0 there by
default, 25 here, as firthmodels), until the step and U* are both at most
``tol`` in max-norm (logistf's xconv and gconv).  The estimates are finite
under (quasi-)complete separation: the prior vanishes as |beta| grows.

A *restricted* fit keeps some coordinates fixed (``free`` False) and
iterates on the others, with the penalty still that of the full design X~
(logistf's ``terms.fit``): the penalised likelihood-ratio tests and the
profile penalised-likelihood intervals of logistf >= 1.24 are built on it
(:mod:`logreg.inference.profile`).  With ``tau = 0`` the same iteration is
Newton's method on the plain log-likelihood (the constrained ML fits of
profile-likelihood intervals).

Weights are frequency weights: an integer weight equals repeated rows (also
the penalty's, since F and sum_i h_i (1/2 - p_i) x~_i add up over copies).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy import linalg, special

from ..layout import ParamLayout
from ..model import FitInfo

__all__ = ["FIRTH_TAU", "PenalizedFit", "design", "fit_firth", "fit_penalized", "penalized_loglik"]

#: Weight of log det F: Firth's (Jeffreys') penalty.
FIRTH_TAU = 0.5
#: Dense cells of [1, X] that a Firth fit accepts (the iteration keeps it in memory).
MAX_DENSE_CELLS = 50_000_000


@dataclass
class PenalizedFit:
    """Result of :func:`fit_penalized`.

    Attributes
    ----------
    params : ndarray of shape (p,)
    loglik : float
        The penalised log-likelihood L* (the plain one for tau = 0).
    unpenalized_loglik : float
    cov : ndarray of shape (p, p)
        Inverse of the augmented information I* on the free coordinates (zero
        rows and columns for the fixed ones), logistf's ``var``.
    hat : ndarray of shape (n,)
    n_iter : int
    converged : bool
    score_norm : float
        max |U*| over the free coordinates at the end.
    history : list of float
        L* at the start and after each iteration.
    """

    params: np.ndarray
    loglik: float
    unpenalized_loglik: float
    cov: np.ndarray
    hat: np.ndarray
    n_iter: int
    converged: bool
    score_norm: float
    history: list


def design(X, fit_intercept):
    """Dense ``X~ = [1, X]`` (or X) in float64.

    Raises
    ------
    ValueError
        When the dense design would be too large for the Newton iteration.
    """
    n, d = X.shape
    if n * (d + 1) > MAX_DENSE_CELLS:
        raise ValueError(
            f"penalty='firth' keeps the design in memory as a dense matrix: {n} x {d + 1} is more than "
            f"{MAX_DENSE_CELLS:.0e} cells; Firth's correction matters for small samples: fit a subsample, or use "
            "penalty='l2'"
        )
    Xd = X.toarray() if sp.issparse(X) else np.asarray(X)
    Xd = np.asarray(Xd, dtype=np.float64)
    return np.column_stack([np.ones(n), Xd]) if fit_intercept else Xd.copy()


def _state(Xt, y, s, beta, tau):
    """Penalised log-likelihood, modified score, hat diagonal and p(1-p) at beta.

    Returns None where the fitted probabilities are numerically 0 or 1 or F is
    singular (the step is then halved).
    """
    z = Xt @ beta
    ll = float(s @ (y * z - np.logaddexp(0.0, z)))
    p = special.expit(z)
    v = p * (1.0 - p)
    hat = np.zeros(Xt.shape[0])
    pen = 0.0
    if tau:
        F = Xt.T @ (Xt * (s * v)[:, None])
        try:
            c = linalg.cho_factor(F, lower=True, check_finite=False)
        except linalg.LinAlgError:
            return None
        pen = 2.0 * float(np.sum(np.log(np.diag(c[0]))))
        if not np.isfinite(pen):
            return None
        # h_i = s_i v_i x~_i^T F^-1 x~_i
        Finv = linalg.cho_solve(c, np.eye(F.shape[0]), check_finite=False)
        hat = s * v * np.einsum("ij,ij->i", Xt @ Finv, Xt)
    score = Xt.T @ (s * (y - p) + 2.0 * tau * hat * (0.5 - p))
    return ll + tau * pen, ll, score, hat, v


def penalized_loglik(Xt, y, s, beta, tau=FIRTH_TAU):
    """L*(beta): the log-likelihood plus tau log det F (``-inf`` where F is singular).

    Parameters
    ----------
    Xt : ndarray of shape (n, p)
        The design with its intercept column.
    y : ndarray of shape (n,)
        0/1 responses.
    s : ndarray of shape (n,)
        Weights.
    beta : ndarray of shape (p,)
    tau : float, default=0.5

    Returns
    -------
    float
    """
    st = _state(Xt, y, s, np.asarray(beta, dtype=np.float64), tau)
    return -np.inf if st is None else st[0]


def fit_penalized(
    Xt, y, s, *, tau=FIRTH_TAU, beta0=None, free=None, max_iter=100, tol=1e-8, max_step=5.0, max_halfstep=25
):
    """Modified-score Newton iteration of logistf, optionally with fixed coordinates.

    Parameters
    ----------
    Xt : ndarray of shape (n, p)
        Design with the intercept column (from :func:`design`).
    y : ndarray of shape (n,)
        0/1 responses.
    s : ndarray of shape (n,)
        Weights.
    tau : float, default=0.5
        Penalty weight (0: maximum likelihood).
    beta0 : ndarray of shape (p,), optional
        Start (zeros by default); the fixed coordinates keep their values.
    free : ndarray of bool of shape (p,), optional
        Coordinates to fit (all by default).
    max_iter : int, default=100
    tol : float, default=1e-8
        Stop when max |step| and max |U*| (free coordinates) are both <= tol.
    max_step : float, default=5.0
        Largest change of one coordinate per iteration.
    max_halfstep : int, default=25
        Step halvings per iteration while L* does not increase.

    Returns
    -------
    PenalizedFit
    """
    n, p = Xt.shape
    beta = np.zeros(p) if beta0 is None else np.array(beta0, dtype=np.float64)
    free = np.ones(p, dtype=bool) if free is None else np.asarray(free, dtype=bool)
    st = _state(Xt, y, s, beta, tau)
    if st is None:
        raise ValueError(
            "Firth's penalty log det(X~' W X~) is undefined at the start: the design has constant or collinear "
            "columns (X~' W X~ is singular), or the start gives probabilities of 0 or 1; drop the redundant columns"
        )
    converged = not free.any()  # nothing to fit: only evaluate L*
    n_iter = 0
    history = [st[0]]
    Xf = Xt[:, free]
    while not converged and n_iter < max_iter:
        n_iter += 1
        pll, _, score, hat, v = st
        info = Xf.T @ (Xf * ((s + 2.0 * tau * hat) * v)[:, None])
        delta = np.zeros(p)
        delta[free] = _inv_spd(info) @ score[free]
        big = np.max(np.abs(delta), initial=0.0) / max_step
        if big > 1.0:
            delta /= big
        new = None
        for _ in range(max_halfstep + 1):
            cand = _state(Xt, y, s, beta + delta, tau)
            if cand is not None and cand[0] >= pll - 1e-12 * max(1.0, abs(pll)):
                new = cand
                break
            delta /= 2.0
        if new is None:  # no increase along the Newton direction: at the optimum up to rounding
            converged = np.max(np.abs(score[free])) <= max(tol, 1e-6)
            break
        beta = beta + delta
        st = new
        history.append(st[0])
        converged = np.max(np.abs(delta)) <= tol and np.max(np.abs(st[2][free])) <= tol
    pll, ll, score, hat, v = st
    info = Xf.T @ (Xf * ((s + 2.0 * tau * hat) * v)[:, None])
    cov = np.zeros((p, p))
    if free.any():
        cov[np.ix_(free, free)] = _inv_spd(info)
    return PenalizedFit(
        params=beta,
        loglik=float(pll),
        unpenalized_loglik=float(ll),
        cov=cov,
        hat=hat,
        n_iter=n_iter,
        converged=bool(converged),
        score_norm=float(np.max(np.abs(score[free]), initial=0.0)),
        history=history,
    )


def _inv_spd(A):
    try:
        c = linalg.cho_factor(A, check_finite=False)
        return linalg.cho_solve(c, np.eye(A.shape[0]), check_finite=False)
    except linalg.LinAlgError:
        return linalg.pinvh(A)


def fit_firth(model, X, codes, classes, sample_weight, warm=None):
    """Fit ``model`` (a LogisticRegression with ``penalty='firth'``): its coefficients and fit record.

    ``tol`` bounds the max-norm of the last Newton step and of the modified
    score (logistf's xconv and gconv), ``max_iter`` the iterations; ``C``,
    ``l1_ratio`` and ``solver`` are not used.

    Parameters
    ----------
    model : LogisticRegression
        Its ``fit_intercept``, ``max_iter`` and ``tol`` are read.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    codes : ndarray of shape (n_samples,)
        Class codes 0/1.
    classes : ndarray of shape (2,)
    sample_weight : ndarray of shape (n_samples,) or None
        Raw weights (class weights multiplied in).
    warm : (coef, intercept) or None
        A warm start's coefficients, shapes (1, n_features) and (1,).

    Returns
    -------
    coef : ndarray of shape (1, n_features)
    intercept : ndarray of shape (1,)
    info : logreg.model.FitInfo

    Raises
    ------
    ValueError
        For three or more classes.
    """
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    if classes.size != 2:
        raise ValueError(
            f"penalty='firth' is implemented for two classes (logistf's binary model); y has {classes.size}, "
            "and the multinomial Jeffreys penalty (Kosmidis and Firth 2011) is not implemented: use penalty=None "
            "when no class is separated (valid inference, with HC0-HC3 or profile intervals), penalty='l2', or a "
            "Firth fit of one class against the rest"
        )
    s = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    Xt = design(X, model.fit_intercept)
    layout = ParamLayout(X.shape[1], 2, model.fit_intercept)  # Xt's columns: the statistics' order
    beta0 = np.zeros(Xt.shape[1])
    if warm is not None and np.shape(warm[0]) == (1, X.shape[1]):
        beta0 = layout.stats_params(*warm).ravel()
    res = fit_penalized(Xt, codes.astype(np.float64), s, beta0=beta0, max_iter=model.max_iter, tol=model.tol)
    S = float(s.sum())
    info = FitInfo(
        solver="firth-newton",
        n_iter=int(res.n_iter),
        converged=bool(res.converged),
        # the objective J = -L*/S, on the scale of the other penalties' objective
        history=-np.asarray(res.history, dtype=np.float64) / S,
        grad_norm=float(res.score_norm / S),
        n_passes=int(len(res.history)),
    )
    if not res.converged:
        warnings.warn(
            f"Firth's Newton iteration stopped after {res.n_iter} iterations (max_iter={model.max_iter}) without "
            f"reaching tol (max |modified score| = {res.score_norm:.3g}); raise max_iter",
            ConvergenceWarning,
            stacklevel=4,  # fit_firth <- fit_model <- LogisticRegression.fit <- the user's line
        )
    coef = res.params[layout.stats_coef_mask()][None, :]
    intercept = res.params[~layout.stats_coef_mask()] if model.fit_intercept else np.zeros(1)
    return coef.astype(X.dtype), intercept.astype(X.dtype), info
