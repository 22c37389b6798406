"""Data diagnostics after a fit, raised as warnings with stable classes.

``LogisticRegression.fit`` calls :func:`diagnose` once at its end.  It looks
for the data problems that make a logistic regression misleading and names
the columns involved:

* **separation** (unpenalised fits only) - perfect
  (:class:`~logreg.exceptions.PerfectSeparationWarning`) or quasi-complete
  (:class:`~logreg.exceptions.QuasiSeparationWarning`): the maximum-likelihood
  estimates do not exist;
* **constant columns** (:class:`~logreg.exceptions.ConstantFeatureWarning`)
  and, for unpenalised fits, **collinear columns**
  (:class:`~logreg.exceptions.CollinearityWarning`): the coefficients are not
  identified;
* **badly scaled features** (:class:`~logreg.exceptions.ScalingWarning`).

Cost, because fit runs this every time (the benchmark fits 1e6 x 100, where
one pass over X is ~50 ms):

* column statistics use an evenly spaced sample of at most
  :data:`SAMPLE_ROWS` rows; a column constant in the sample is confirmed on
  all rows, and so is a linear dependence found in the sample;
* separation uses the fitted result: one product ``z = X w + b`` (one pass).
  The classes are separable exactly when some linear predictor classifies
  every row correctly, so a fitted predictor that does proves perfect
  separation.  Features that separate on their own are screened on the
  sample (separated data stay separated in every subset of rows) and only the
  candidates are checked on all rows.  When the fit shows a symptom (a fitted
  probability below 1e-4, or no convergence) and the problem is small
  (:data:`LP_MAX_WORK`), Konis' linear program (2007; R's
  ``detectseparation``) decides quasi-complete separation exactly and gives a
  separating direction whose (irreducible set of) features are named.  Above
  that limit a quasi-separation by a combination of features is not reported.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from scipy import special

from .blocks import blas_controller
from .column_checks import SCALE_RATIO, Diagnostic, collinearity, constant_columns, quote, scaling
from .column_checks import sparse_column_range as _sparse_column_range
from .exceptions import PerfectSeparationWarning, QuasiSeparationWarning
from .model import as_fitted, label
from .separation import class_ranges, minimal_support, separating_direction, single_feature_separation

__all__ = ["Diagnostic", "diagnose", "SAMPLE_ROWS", "LP_MAX_WORK", "GRAM_MAX_WORK", "SCALE_RATIO"]

#: Rows sampled for the column statistics and the collinearity check.
SAMPLE_ROWS = 8192
#: The separation linear program runs when (constraints x variables) is at most this.
LP_MAX_WORK = 100_000
#: The collinearity check runs when sample_rows * n_columns^2 is at most this.
GRAM_MAX_WORK = 5e8
#: Rows of each class added to the sample that screens the features for separation.
CLASS_ROWS = 256
#: At most this many screened columns are checked one by one; more take one pass over X.
MAX_CANDIDATES = 32
#: A fitted probability below this is the symptom that triggers the exact separation checks.
EXTREME_PROBABILITY = 1e-4

_REMEDIES = (
    "Remedies: Firth's bias-reduced logistic regression (penalty='firth': finite estimates with valid "
    "penalised-likelihood tests and intervals), a penalty (e.g. penalty='l2' with a finite C), "
    "or drop the separating feature(s)."
)

#: Module names the tests stand in for (the linear programs) or call (the CSR column ranges).
_separating_direction = separating_direction
_sparse_column_range = _sparse_column_range


def _sample_rows(n, size):
    if n <= size:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, size).astype(np.intp))


def _sample_size(d):
    """Rows to sample: SAMPLE_ROWS, fewer for wide data (at most ~4M numbers densified)."""
    return int(min(SAMPLE_ROWS, max(64, 4_000_000 // max(d, 1))))


def _dense(X):
    return X.toarray() if sp.issparse(X) else np.asarray(X)


def _separation(model, X, y, names, const, sample):
    K = model.n_classes
    fit_intercept = model.fit_intercept
    # the fitted linear predictor: one pass over X
    z = model.linear_predictor(X)
    if K == 2:
        margin = np.where(y == 1, z, -z)
        complete = bool(np.all(margin > 0))
        min_prob = float(special.expit(-np.abs(z)).min())
    else:
        zy = z[np.arange(z.shape[0]), y]
        zo = z.copy()
        zo[np.arange(z.shape[0]), y] = -np.inf
        complete = bool(np.all(zy > zo.max(axis=1)))
        min_prob = float(np.exp(special.log_softmax(z, axis=1).min()))
    symptom = complete or min_prob < EXTREME_PROBABILITY or not model.info.converged

    # Features that separate on their own.  Separated data stay separated in any subset of rows,
    # so a feature that does not separate a sample (with rows of every class) cannot separate
    # all rows: the sample screens the columns, and only its candidates are checked on all rows.
    idx = np.union1d(sample, np.concatenate([np.flatnonzero(y == k)[:CLASS_ROWS] for k in range(K)]))
    lo_s, hi_s = class_ranges(_dense(X[idx]), y[idx], K)
    cc, cq = single_feature_separation(lo_s, hi_s, set(const), fit_intercept)
    cand = sorted({j for _, j in cc + cq})
    single_complete, single_quasi = [], []
    if cand:
        Xc = X[:, cand] if len(cand) <= MAX_CANDIDATES else X
        lo, hi = class_ranges(Xc, y, K)
        if Xc is not X:  # back to full width, non-candidates as constants (skipped)
            lo_f = np.zeros((K, X.shape[1]))
            hi_f = np.zeros((K, X.shape[1]))
            lo_f[:, cand], hi_f[:, cand] = lo, hi
            lo, hi = lo_f, hi_f
        skip = set(const) | (set(range(X.shape[1])) - set(cand))
        single_complete, single_quasi = single_feature_separation(lo, hi, skip, fit_intercept)
    if K == 2 and single_complete:
        complete = True

    direction = None
    p = X.shape[1] + int(fit_intercept)
    work = X.shape[0] * (K - 1) * (K - 1) * p
    lp_needed = (complete and not single_complete) or (not complete and not single_quasi)
    if lp_needed and symptom and work <= LP_MAX_WORK:
        keep = np.array([j for j in range(X.shape[1]) if j not in set(const)], dtype=np.intp)
        Xd = _dense(X)[:, keep].astype(np.float64)
        sd = Xd.std(axis=0)
        sd[sd == 0] = 1.0
        Xt = Xd / sd
        if fit_intercept:
            Xt = np.column_stack([np.ones(Xt.shape[0]), Xt])
        free = np.zeros(Xt.shape[1], dtype=bool)
        free[0] = fit_intercept
        B = _separating_direction(Xt, y, K, complete, free)
        if B is not None:
            w = np.abs(B[:, int(fit_intercept) :]).max(axis=0)
            support = np.flatnonzero(w > 1e-8 * max(w.max(), 1e-300))
            support = minimal_support(Xt, y, K, complete, fit_intercept, support[np.argsort(w[support])])
            direction = [int(keep[j]) for j in sorted(support)]
    if not (complete or single_quasi or single_complete or direction):
        return []

    if K == 2:
        alone = single_complete if complete else single_quasi
        what_alone = [names[j] for _, j in alone]
    else:
        alone = single_complete + single_quasi
        what_alone = [names[j] for _, j in alone]
    feats: list[str] = []
    if alone:
        feats = list(dict.fromkeys(what_alone))
        if K == 2:
            how = f"{'each of ' if len(feats) > 1 else ''}{quote(feats)} on its own"
        else:
            how = "single features: " + ", ".join(
                f"'{names[j]}' (class {label(model.classes[k])!r} from the rest)" for k, j in alone[:10]
            )
    elif direction:
        feats = [names[j] for j in direction]
        how = f"a linear combination of {quote(feats)}"
    else:
        # perfect separation proved by the fit; name the largest standardised coefficients
        coef = np.abs(np.atleast_2d(model.dense_coef("diagnose()"))).max(axis=0) * _dense(
            X[_sample_rows(X.shape[0], _sample_size(X.shape[1]))]
        ).std(axis=0)
        top = np.argsort(-coef)[:3]
        feats = [names[j] for j in top]
        how = f"a linear combination (largest standardised coefficients: {quote(feats)})"
    if complete:
        msg = (
            f"Perfect separation: the classes are separated by {how}, so the maximum-likelihood estimates do not "
            "exist; "
            "the fitted coefficients grow with the iterations and their standard errors are meaningless. "
        )
        category = PerfectSeparationWarning
    else:
        msg = (
            f"Quasi-complete separation: the classes are separated, up to ties on the boundary, by {how}, so the "
            "maximum-likelihood estimates do not exist (some coefficients diverge and their standard errors are "
            "meaningless). "
        )
        category = QuasiSeparationWarning
    return [Diagnostic(category, msg + _REMEDIES, tuple(feats))]


# --------------------------------------------------------------------------- entry point
def diagnose(model, X, y, sample_weight=None, *, warn=True):
    """Check the data of a fit and warn about what makes it misleading.

    Parameters
    ----------
    model : logreg.model.FittedModel or fitted LogisticRegression
        The model just fitted on X (its coefficients, classes, penalty, layout,
        convergence and feature names are read).
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The validated training data.
    y : ndarray of shape (n_samples,)
        Class codes in [0, n_classes).
    sample_weight : ndarray of shape (n_samples,), optional
        Rows with weight 0 are not part of the data.
    warn : bool, default=True
        Emit each finding as a warning of its class.

    Returns
    -------
    tuple of Diagnostic
    """
    # the dense algebra here is small (p x p, a sample of rows) or memory-bound (z = X w): BLAS
    # threads only contend, badly so on a shared machine
    # (one reused controller: threadpool_limits() would rescan the loaded libraries, ~10 ms)
    with blas_controller().limit(limits=1, user_api="blas"):
        findings = _diagnose(as_fitted(model), X, y, sample_weight)
    if warn:
        for f in findings:
            # stacklevel: diagnose <- fit <- the user's line
            warnings.warn(f.message, f.category, stacklevel=3)
    return tuple(findings)


def _diagnose(model, X, y, sample_weight):
    y = np.asarray(y)  # small integer codes: indexing takes them as they are
    if sample_weight is not None:
        keep = np.asarray(sample_weight) > 0
        if not np.all(keep):
            X, y = X[keep], y[keep]
    n, d = X.shape
    names = model.names
    sample = _sample_rows(n, _sample_size(d))
    Xs = _dense(X[sample]).astype(np.float64, copy=False)

    findings = []
    unpenalized = not model.penalty.penalized
    if sp.issparse(X) and not unpenalized:
        # sparse data under a penalty (text, one-hot): empty or rare columns are routine and
        # harmless, and their spread says nothing about scaling; nothing here to warn about
        return findings
    const, found = constant_columns(X, Xs, names, model.fit_intercept, not unpenalized)
    findings += found
    if unpenalized:
        findings += collinearity(X, Xs, names, const, model.fit_intercept, GRAM_MAX_WORK)
        findings += _separation(model, X, y, names, const, sample)
    if not sp.issparse(X) and model.standardization is None:  # standardize=True fits scaled columns
        findings += scaling(Xs, names, const, model.fit_intercept)
    return findings
