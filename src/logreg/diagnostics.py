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
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy import optimize, special

from .exceptions import (
    CollinearityWarning,
    ConstantFeatureWarning,
    PerfectSeparationWarning,
    QuasiSeparationWarning,
    ScalingWarning,
)
from .objective import _blas_controller
from .penalties import penalty_kind

__all__ = ["Diagnostic", "diagnose", "SAMPLE_ROWS", "LP_MAX_WORK", "GRAM_MAX_WORK", "SCALE_RATIO"]

#: Rows sampled for the column statistics and the collinearity check.
SAMPLE_ROWS = 8192
#: The separation linear program runs when (constraints x variables) is at most this.
LP_MAX_WORK = 100_000
#: The collinearity check runs when sample_rows * n_columns^2 is at most this.
GRAM_MAX_WORK = 5e8
#: A feature whose standard deviation differs from the median one by this factor is badly scaled.
SCALE_RATIO = 1e3
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


@dataclass(frozen=True)
class Diagnostic:
    """One finding of :func:`diagnose`.

    Attributes
    ----------
    category : type
        The warning class (from :mod:`logreg.exceptions`).
    message : str
    features : tuple of str
        The columns involved.
    """

    category: type
    message: str
    features: tuple = field(default_factory=tuple)


def _quote(names, limit=10):
    names = list(names)
    shown = ", ".join(f"'{n}'" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _feature_names(model, d):
    names = getattr(model, "feature_names_in_", None)
    return [str(v) for v in names] if names is not None else [f"x{j}" for j in range(d)]


def _is_penalized(model):
    return penalty_kind(model.penalty, model.C, model.l1_ratio) is not None


def _sample_rows(n, size):
    if n <= size:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, size).astype(np.intp))


def _sample_size(d):
    """Rows to sample: SAMPLE_ROWS, fewer for wide data (at most ~4M numbers densified)."""
    return int(min(SAMPLE_ROWS, max(64, 4_000_000 // max(d, 1))))


def _sparse_column_range(X):
    """Exact per-column (min, max) of a CSR matrix in O(nnz), implicit zeros included."""
    n, d = X.shape
    nnz = np.bincount(X.indices, minlength=d)
    mn = np.zeros(d)
    mx = np.zeros(d)
    np.minimum.at(mn, X.indices, X.data)
    np.maximum.at(mx, X.indices, X.data)
    full = nnz == n  # no implicit zero: the range is that of the stored values
    if np.any(full):
        mn_f = np.full(d, np.inf)
        mx_f = np.full(d, -np.inf)
        np.minimum.at(mn_f, X.indices, X.data)
        np.maximum.at(mx_f, X.indices, X.data)
        mn[full], mx[full] = mn_f[full], mx_f[full]
    return mn, mx


def _dense(X):
    return X.toarray() if sp.issparse(X) else np.asarray(X)


def _column_is_constant(X, j):
    """Exact check of dense column j on all rows (only for columns constant in the sample)."""
    col = X[:, j]
    return bool(np.all(col == col[0])), float(col[0])


# --------------------------------------------------------------------------- columns
def _constant_columns(X, Xs, names, fit_intercept, penalized):
    # sparse: exact ranges in O(nnz); dense: the sample screens, all rows confirm
    mn, mx = _sparse_column_range(X) if sp.issparse(X) else (Xs.min(axis=0), Xs.max(axis=0))
    const, findings = [], []
    for j in np.flatnonzero(mn == mx):
        is_const, value = (True, float(mn[j])) if sp.issparse(X) else _column_is_constant(X, j)
        if not is_const:
            continue
        if value == 0.0 and sp.issparse(X) and not fit_intercept:
            # an empty column is routine in sparse data (e.g. an unseen token); harmless without intercept
            continue
        if fit_intercept or value == 0.0:
            const.append((j, value))
    if const:
        cols = [names[j] for j, _ in const]
        values = ", ".join(f"'{names[j]}' = {v:g}" for j, v in const[:10])
        if fit_intercept:
            what = "constant, so collinear with the intercept"
        else:
            what = "zero on every row, so they carry no information"
        findings.append(
            Diagnostic(
                ConstantFeatureWarning,
                f"Constant column(s) {_quote(cols)} ({values}): {what}; "
                + (
                    "the penalty sets their coefficients to 0 (or to a share of the intercept), so they only "
                    "cost time. "
                    if penalized
                    else "their coefficients are not identified without a penalty. "
                )
                + "Drop them (check the filter or join that produced them).",
                tuple(cols),
            )
        )
    return [j for j, _ in const], findings


def _scaling(Xs, names, skip, fit_intercept):
    sd = Xs.std(axis=0)
    ok = sd > 0
    ok[list(skip)] = False
    if ok.sum() + int(fit_intercept) < 2:
        return []
    pool = sd[ok]
    if fit_intercept:
        pool = np.append(pool, 1.0)  # the intercept's column of ones has scale 1
    ref = float(np.median(pool))
    ratio = np.where(ok, sd / ref, 1.0)
    bad = np.flatnonzero((ratio >= SCALE_RATIO) | (ratio <= 1.0 / SCALE_RATIO))
    if bad.size == 0:
        return []
    bad = bad[np.argsort(-np.abs(np.log(ratio[bad])))]
    cols = [names[j] for j in bad]
    detail = ", ".join(f"'{names[j]}' (std {sd[j]:.3g})" for j in bad[:10])
    return [
        Diagnostic(
            ScalingWarning,
            f"Badly scaled feature(s) {detail}: their scale differs from the typical feature's "
            f"(median std {ref:.3g}) by {SCALE_RATIO:g}x or more. Standardise the features (e.g. "
            "sklearn.preprocessing.StandardScaler) so that the penalty treats them alike and gradient solvers "
            "converge; coefficients are then per standard deviation.",
            tuple(cols),
        )
    ]


def _collinearity(X, Xs, names, skip, fit_intercept):
    """Linear dependences among the columns (and the intercept), confirmed on all rows."""
    d = Xs.shape[1]
    cols = np.array([j for j in range(d) if j not in set(skip)], dtype=np.intp)
    p = cols.size + int(fit_intercept)
    if p < 2 or Xs.shape[0] * p * p > GRAM_MAX_WORK:
        return []
    A = Xs[:, cols]
    if fit_intercept:
        A = np.column_stack([np.ones(A.shape[0]), A])
    scale = np.sqrt(np.mean(A * A, axis=0))
    scale[scale == 0] = 1.0
    As = A / scale
    # eigenvalues of the scaled sample Gram matrix (p x p, cheaper and steadier than an SVD of
    # the sample under busy BLAS threads): an exact dependence gives ~1e-16 of the largest
    lam, V = np.linalg.eigh(As.T @ As / As.shape[0])
    null = V[:, lam <= 1e-11 * lam[-1]].T
    involved = set()
    for v in null:
        # confirm on every row: a dependence of the sample need not hold in the data
        coef = v / scale
        w = coef[int(fit_intercept) :]
        r = (X[:, cols] @ w) if not sp.issparse(X) else np.asarray(X[:, cols] @ w).ravel()
        r = np.asarray(r).ravel() + (coef[0] if fit_intercept else 0.0)
        if np.sqrt(np.mean(r * r)) > 1e-6:
            continue
        involved.update(np.flatnonzero(np.abs(v) >= 0.05 * np.abs(v).max()).tolist())
    if not involved:
        return []
    terms = []
    if fit_intercept and 0 in involved:
        terms.append("the intercept")
    feats = [names[cols[i - int(fit_intercept)]] for i in sorted(involved) if not (fit_intercept and i == 0)]
    return [
        Diagnostic(
            CollinearityWarning,
            f"Collinear columns: {_quote(feats)}{' and ' + terms[0] if terms else ''} are linearly dependent "
            "(one is a combination of the others), so their coefficients are not identified and their standard "
            "errors are meaningless. Drop one of them (e.g. one level of each one-hot encoded variable), or use "
            "a penalty.",
            tuple(feats),
        )
    ]


# --------------------------------------------------------------------------- separation
def _class_ranges(X, y, K):
    """Per-class column minimum and maximum, shape (K, d) each (one pass, blocked)."""
    n, d = X.shape
    lo = np.full((K, d), np.inf)
    hi = np.full((K, d), -np.inf)
    if sp.issparse(X):
        for k in range(K):
            Xk = X[y == k]
            if Xk.shape[0]:
                lo[k] = Xk.min(axis=0).toarray().ravel()
                hi[k] = Xk.max(axis=0).toarray().ravel()
        return lo, hi
    rows = max(256, (1 << 20) // (8 * max(d, 1)))
    for a in range(0, n, rows):
        Xb, yb = X[a : a + rows], y[a : a + rows]
        for k in range(K):
            Xk = Xb[yb == k]
            if Xk.shape[0]:
                np.minimum(lo[k], Xk.min(axis=0), out=lo[k])
                np.maximum(hi[k], Xk.max(axis=0), out=hi[k])
    return lo, hi


def _single_feature_separation(lo, hi, const, fit_intercept):
    """Features that separate a class from the rest on their own.

    Returns
    -------
    complete, quasi : list of (class index, feature index)
        Ranges disjoint (complete) or touching at one value (quasi).  Without an
        intercept only the threshold 0 is available.
    """
    K = lo.shape[0]
    complete, quasi = [], []
    classes = [1] if K == 2 else range(K)
    for k in classes:
        others = [m for m in range(K) if m != k]
        lo_r, hi_r = lo[others].min(axis=0), hi[others].max(axis=0)
        for j in range(lo.shape[1]):
            if j in const:
                continue
            if fit_intercept:
                full = lo[k, j] > hi_r[j] or hi[k, j] < lo_r[j]
                touch = lo[k, j] >= hi_r[j] or hi[k, j] <= lo_r[j]
            else:
                full = (lo[k, j] > 0 and hi_r[j] < 0) or (hi[k, j] < 0 and lo_r[j] > 0)
                touch = (lo[k, j] >= 0 and hi_r[j] <= 0) or (hi[k, j] <= 0 and lo_r[j] >= 0)
            if full:
                complete.append((k, j))
            elif touch:
                quasi.append((k, j))
    return complete, quasi


def _margin_matrix(Xt, y, K):
    """Rows (beta_{y_i} - beta_j) . x~_i for all i and j != y_i, with beta_0 = 0.

    Returns a sparse matrix of shape (n (K-1), (K-1) p) acting on the
    concatenated beta_1..beta_{K-1}.
    """
    n, p = Xt.shape
    blocks = []
    for j in range(K):
        rows = np.flatnonzero(y != j)
        if rows.size == 0:
            continue
        Xr = sp.csr_matrix(Xt[rows])
        parts = []
        for k in range(1, K):
            sign = (y[rows] == k).astype(float) - (j == k)
            parts.append(sp.diags(sign) @ Xr)
        blocks.append(sp.hstack(parts))
    return sp.vstack(blocks).tocsr()


def _separating_direction(Xt, y, K, complete, free):
    """Konis' linear programs for separation; None when the classes overlap.

    Parameters
    ----------
    Xt : ndarray of shape (n, p)
        Standardised columns (and the intercept, when fitted).
    y : ndarray of shape (n,)
        Class codes.
    K : int
    complete : bool
        The classes are known to be perfectly separated.
    free : ndarray of bool, shape (p,)
        Columns whose coefficient is free (the intercept): not in the L1 norm.

    Returns
    -------
    ndarray of shape (K - 1, p) or None
        A sparse separating direction (the fewest features the L1 norm finds).
    """
    M = _margin_matrix(Xt, y, K)
    m, q = M.shape
    free_all = np.tile(free, K - 1)
    opts = {"method": "highs"}
    if not complete:
        # 1) maximise the total margin subject to every margin >= 0 in a box: positive iff separated
        res = optimize.linprog(
            -np.asarray(M.sum(axis=0)).ravel(), A_ub=-M, b_ub=np.zeros(m), bounds=[(-1, 1)] * q, **opts
        )
        if res.status != 0 or -res.fun <= 1e-7 * max(1.0, m):
            return None
        margins = M @ res.x
        sep_rows = margins > 1e-9
        # 2) the sparsest direction with the same rows strictly separated: min ||beta||_1
        #    s.t. margins >= 0 and the separated rows' total margin >= 1
        A_ub = sp.vstack([-M, -sp.csr_matrix(M[sep_rows].sum(axis=0))])
        b_ub = np.append(np.zeros(m), -1.0)
    else:
        A_ub, b_ub = -M, -np.ones(m)
    # beta = u - v with u, v >= 0; the intercept is free and costs nothing
    c = np.concatenate([np.where(free_all, 0.0, 1.0)] * 2)
    res = optimize.linprog(c, A_ub=sp.hstack([A_ub, -A_ub]), b_ub=b_ub, bounds=[(0, None)] * (2 * q), **opts)
    if res.status != 0:
        return None
    beta = res.x[:q] - res.x[q:]
    return beta.reshape(K - 1, -1)


def _separable(Xt, y, K, complete):
    """Whether the columns Xt separate the classes (completely, or at all)."""
    M = _margin_matrix(Xt, y, K)
    m, q = M.shape
    if complete:
        res = optimize.linprog(np.zeros(q), A_ub=-M, b_ub=-np.ones(m), bounds=[(None, None)] * q, method="highs")
        return res.status == 0
    res = optimize.linprog(
        -np.asarray(M.sum(axis=0)).ravel(), A_ub=-M, b_ub=np.zeros(m), bounds=[(-1, 1)] * q, method="highs"
    )
    return res.status == 0 and -res.fun > 1e-7 * max(1.0, m)


def _minimal_support(Xt, y, K, complete, fit_intercept, support, max_tries=12):
    """Drop features from a separating support while the rest still separate.

    The L1-sparsest direction can lean on a feature it does not need (noise
    helps the hard margin of rows near the boundary); removing features one at
    a time, weakest first, leaves a set in which every feature is needed.
    """
    support = list(support)
    if len(support) > max_tries:
        return support
    off = int(fit_intercept)
    for j in list(support):
        rest = [i for i in support if i != j]
        if not rest:
            break
        cols = ([0] if fit_intercept else []) + [i + off for i in rest]
        if _separable(Xt[:, cols], y, K, complete):
            support = rest
    return support


def _separation(model, X, y, names, const, sample):
    K = model.classes_.size
    fit_intercept = model.fit_intercept
    # the fitted linear predictor: one pass over X
    z = _linear_predictor(model, X)
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
    symptom = complete or min_prob < EXTREME_PROBABILITY or not getattr(model, "converged_", True)

    # Features that separate on their own.  Separated data stay separated in any subset of rows,
    # so a feature that does not separate a sample (with rows of every class) cannot separate
    # all rows: the sample screens the columns, and only its candidates are checked on all rows.
    idx = np.union1d(sample, np.concatenate([np.flatnonzero(y == k)[:CLASS_ROWS] for k in range(K)]))
    lo_s, hi_s = _class_ranges(_dense(X[idx]), y[idx], K)
    cc, cq = _single_feature_separation(lo_s, hi_s, set(const), fit_intercept)
    cand = sorted({j for _, j in cc + cq})
    single_complete, single_quasi = [], []
    if cand:
        Xc = X[:, cand] if len(cand) <= MAX_CANDIDATES else X
        lo, hi = _class_ranges(Xc, y, K)
        if Xc is not X:  # back to full width, non-candidates as constants (skipped)
            lo_f = np.zeros((K, X.shape[1]))
            hi_f = np.zeros((K, X.shape[1]))
            lo_f[:, cand], hi_f[:, cand] = lo, hi
            lo, hi = lo_f, hi_f
        skip = set(const) | (set(range(X.shape[1])) - set(cand))
        single_complete, single_quasi = _single_feature_separation(lo, hi, skip, fit_intercept)
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
            support = _minimal_support(Xt, y, K, complete, fit_intercept, support[np.argsort(w[support])])
            direction = [int(keep[j]) for j in sorted(support)]
    if not (complete or single_quasi or single_complete or direction):
        return []

    def cls(k):
        return model.classes_[k].item() if hasattr(model.classes_[k], "item") else model.classes_[k]

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
            how = f"{'each of ' if len(feats) > 1 else ''}{_quote(feats)} on its own"
        else:
            how = "single features: " + ", ".join(
                f"'{names[j]}' (class {cls(k)!r} from the rest)" for k, j in alone[:10]
            )
    elif direction:
        feats = [names[j] for j in direction]
        how = f"a linear combination of {_quote(feats)}"
    else:
        # perfect separation proved by the fit; name the largest standardised coefficients
        coef = np.abs(np.atleast_2d(model.coef_)).max(axis=0) * _dense(
            X[_sample_rows(X.shape[0], _sample_size(X.shape[1]))]
        ).std(axis=0)
        top = np.argsort(-coef)[:3]
        feats = [names[j] for j in top]
        how = f"a linear combination (largest standardised coefficients: {_quote(feats)})"
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


def _linear_predictor(model, X):
    z = X @ np.asarray(model.coef_, dtype=X.dtype).T
    z = np.asarray(z.toarray() if sp.issparse(z) else z, dtype=np.float64) + model.intercept_
    return z.ravel() if model.classes_.size == 2 else z


# --------------------------------------------------------------------------- entry point
def diagnose(model, X, y, sample_weight=None, *, warn=True):
    """Check the data of a fit and warn about what makes it misleading.

    Parameters
    ----------
    model : LogisticRegression
        The model just fitted on X (``coef_``, ``intercept_``, ``classes_``,
        ``penalty``, ``C``, ``fit_intercept`` are read).
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
    with _blas_controller().limit(limits=1, user_api="blas"):
        findings = _diagnose(model, X, y, sample_weight)
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
    names = _feature_names(model, d)
    sample = _sample_rows(n, _sample_size(d))
    Xs = _dense(X[sample]).astype(np.float64, copy=False)

    findings = []
    unpenalized = not _is_penalized(model)
    if sp.issparse(X) and not unpenalized:
        # sparse data under a penalty (text, one-hot): empty or rare columns are routine and
        # harmless, and their spread says nothing about scaling; nothing here to warn about
        return findings
    const, found = _constant_columns(X, Xs, names, model.fit_intercept, _is_penalized(model))
    findings += found
    if unpenalized:
        findings += _collinearity(X, Xs, names, const, model.fit_intercept)
        findings += _separation(model, X, y, names, const, sample)
    if not sp.issparse(X) and not getattr(model, "standardize", False):  # standardize=True fits scaled columns
        findings += _scaling(Xs, names, const, model.fit_intercept)
    return findings
