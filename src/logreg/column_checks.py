"""The column checks of :mod:`logreg.diagnostics`: constant, collinear and badly scaled
columns, each a :class:`Diagnostic` naming the columns involved."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .exceptions import CollinearityWarning, ConstantFeatureWarning, ScalingWarning

__all__ = ["Diagnostic", "collinearity", "constant_columns", "quote", "scaling", "sparse_column_range"]

#: A feature whose standard deviation differs from the median one by this factor is badly scaled.
SCALE_RATIO = 1e3


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


def quote(names, limit=10):
    names = list(names)
    shown = ", ".join(f"'{n}'" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def sparse_column_range(X):
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


def _column_is_constant(X, j):
    """Exact check of dense column j on all rows (only for columns constant in the sample)."""
    col = X[:, j]
    return bool(np.all(col == col[0])), float(col[0])


def constant_columns(X, Xs, names, fit_intercept, penalized):
    # sparse: exact ranges in O(nnz); dense: the sample screens, all rows confirm
    mn, mx = sparse_column_range(X) if sp.issparse(X) else (Xs.min(axis=0), Xs.max(axis=0))
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
                f"Constant column(s) {quote(cols)} ({values}): {what}; "
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


def scaling(Xs, names, skip, fit_intercept):
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


def collinearity(X, Xs, names, skip, fit_intercept, max_work):
    """Linear dependences among the columns (and the intercept), confirmed on all rows."""
    d = Xs.shape[1]
    cols = np.array([j for j in range(d) if j not in set(skip)], dtype=np.intp)
    p = cols.size + int(fit_intercept)
    if p < 2 or Xs.shape[0] * p * p > max_work:
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
            f"Collinear columns: {quote(feats)}{' and ' + terms[0] if terms else ''} are linearly dependent "
            "(one is a combination of the others), so their coefficients are not identified and their standard "
            "errors are meaningless. Drop one of them (e.g. one level of each one-hot encoded variable), or use "
            "a penalty.",
            tuple(feats),
        )
    ]
