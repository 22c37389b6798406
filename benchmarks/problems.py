"""The benchmark problems: data builders with fixed seeds, sizes in the code.

Every tool is judged by ONE objective function, :func:`objective`, which is
scikit-learn's (and logreg's, and glum's with ``alpha = 1 / (C n)``)::

    J(w, b) = (1/n) sum_i [log(1 + e^{z_i}) - y_i z_i] + ||w||^2 / (2 C n),   z = X w + b

Data are built once per size and cached as ``.npy`` files, so that each
benchmark process only reads them (``np.load`` into private memory, no
memory map, no transient copy).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import scipy.sparse as sp

__all__ = ["SIZES", "QUICK_SIZES", "C", "sizes", "build_dense", "build_sparse", "ensure_cached", "load", "objective"]

#: Inverse regularisation strength of every problem.
C = 1.0

#: Full sizes (issue 3).  P1f and P2 reuse P1's data; P3 is measured during P1.
SIZES = {
    "P1": {"n": 1_000_000, "d": 100},
    "P4": {"n": 300_000, "d": 50_000, "nnz": 80},
}

#: ``--quick``: the same kinds of problem, seconds in total.  P4 is kept small
#: because plain gradient descent needs O(n) iterations on it (the curvature of a
#: rare column is ~1/(C n)) and --quick checks that every solver gets to f*.
QUICK_SIZES = {
    "P1": {"n": 20_000, "d": 50},
    "P4": {"n": 3_000, "d": 300, "nnz": 10},
}

SEEDS = {"P1": 0, "P4": 1}


def sizes(name, *, quick=False, scale=1.0):
    """Sizes of problem ``name`` ('P1' or 'P4'); ``scale`` multiplies n only.

    Returns
    -------
    dict
        ``n``, ``d`` (and ``nnz`` per row for P4).
    """
    s = dict((QUICK_SIZES if quick else SIZES)[name])
    s["n"] = max(1000, int(round(s["n"] * scale)))
    return s


def build_dense(n, d, *, seed=0, chunk=100_000):
    """P1: standard normal X with a quarter of the columns times 5, logistic labels.

    Parameters
    ----------
    n, d : int
    seed : int
    chunk : int
        Rows generated at a time (bounds the temporary memory).

    Returns
    -------
    X : ndarray of shape (n, d), float64, C order
    y : ndarray of shape (n,), float64 in {0, 1}
    """
    rng = np.random.default_rng(seed)
    w_true = rng.standard_normal(d) / np.sqrt(d)
    b_true = 0.5
    X = np.empty((n, d))
    y = np.empty(n)
    for a in range(0, n, chunk):
        e = min(a + chunk, n)
        Xb = rng.standard_normal((e - a, d))
        Xb[:, : d // 4] *= 5.0
        X[a:e] = Xb
        p = 1.0 / (1.0 + np.exp(-(Xb @ w_true + b_true)))
        y[a:e] = rng.random(e - a) < p
    return X, y


def build_sparse(n, d, nnz, *, seed=1, exponent=1.0):
    """P4: CSR with ``nnz`` distinct columns per row, power-law column frequencies.

    Column j is drawn with probability proportional to ``(j + 1) ** -exponent``
    (Zipf, as words in text); duplicates within a row are redrawn until every
    row has ``nnz`` distinct columns.  Values are exponential, rows scaled to
    unit Euclidean norm; labels come from a logistic model.

    Returns
    -------
    X : csr_matrix of shape (n, d), float64, sorted indices
    y : ndarray of shape (n,), float64 in {0, 1}
    """
    rng = np.random.default_rng(seed)
    cdf = np.cumsum((np.arange(1, d + 1, dtype=np.float64)) ** -exponent)
    cdf /= cdf[-1]

    def draw(size):
        return np.minimum(np.searchsorted(cdf, rng.random(size)), d - 1).astype(np.int32)

    cols = draw((n, nnz))
    todo = np.arange(n)
    while todo.size:
        part = np.sort(cols[todo], axis=1)
        dup = np.zeros(part.shape, dtype=bool)
        dup[:, 1:] = part[:, 1:] == part[:, :-1]
        part[dup] = draw(int(dup.sum()))
        cols[todo] = part
        todo = todo[dup.any(axis=1)]
    cols.sort(axis=1)
    data = rng.exponential(1.0, size=(n, nnz))
    data /= np.sqrt((data**2).sum(axis=1, keepdims=True))
    indptr = np.arange(0, n * nnz + 1, nnz, dtype=np.int64)
    X = sp.csr_matrix((data.ravel(), cols.ravel(), indptr), shape=(n, d))
    w_true = 2.0 * rng.standard_normal(d)
    p = 1.0 / (1.0 + np.exp(-(X @ w_true - 0.5)))
    y = (rng.random(n) < p).astype(np.float64)
    return X, y


def _atomic_save(path, arr):
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        np.save(f, arr)
    os.replace(tmp, path)


def ensure_cached(name, size, cache_dir):
    """Build problem ``name`` at ``size`` unless cached; return its file stem.

    P1 is stored in float64 and float32 (for P1f), P4 as the three CSR arrays.

    Returns
    -------
    str
        Path prefix of the cached files, for :func:`load`.
    """
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    key = "x".join(str(size[k]) for k in ("n", "d", "nnz") if k in size)
    stem = cache_dir / f"{name}-{key}-seed{SEEDS[name]}"
    done = stem.with_suffix(".done")
    if done.exists():
        return str(stem)
    if name == "P1":
        X, y = build_dense(size["n"], size["d"], seed=SEEDS[name])
        _atomic_save(Path(f"{stem}-X64.npy"), X)
        _atomic_save(Path(f"{stem}-X32.npy"), X.astype(np.float32))
    else:
        X, y = build_sparse(size["n"], size["d"], size["nnz"], seed=SEEDS[name])
        for part in ("data", "indices", "indptr"):
            _atomic_save(Path(f"{stem}-{part}.npy"), getattr(X, part))
        np.save(Path(f"{stem}-shape.npy"), np.array(X.shape))
    _atomic_save(Path(f"{stem}-y.npy"), y)
    done.touch()
    return str(stem)


def load(stem, dtype="float64"):
    """Read a cached problem into private memory.

    Parameters
    ----------
    stem : str
        From :func:`ensure_cached`.
    dtype : {'float64', 'float32'}
        For dense problems, which copy of X to read.

    Returns
    -------
    X : ndarray or csr_matrix
    y : ndarray of shape (n,), float64
    """
    y = np.load(f"{stem}-y.npy")
    if os.path.exists(f"{stem}-X64.npy"):
        X = np.load(f"{stem}-X{64 if dtype == 'float64' else 32}.npy")
    else:
        parts = [np.load(f"{stem}-{p}.npy") for p in ("data", "indices", "indptr")]
        X = sp.csr_matrix(tuple(parts), shape=tuple(np.load(f"{stem}-shape.npy")))
    return X, y


def objective(X, y, coef, intercept, C=C, block=1 << 16):
    """The common objective J(w, b), evaluated in float64 for every tool.

    Parameters
    ----------
    X : ndarray or csr_matrix of shape (n, d)
        float32 data are promoted block by block, so J is the float64 value on
        the same data points.
    y : ndarray of shape (n,), in {0, 1}
    coef : array-like of shape (d,) or (1, d)
    intercept : float or array-like of shape (1,)
    C : float

    Returns
    -------
    float
    """
    n = X.shape[0]
    w = np.asarray(coef, dtype=np.float64).ravel()
    b = float(np.ravel(intercept)[0]) if np.ndim(intercept) else float(intercept)
    total = 0.0
    for a in range(0, n, block):
        e = min(a + block, n)
        Xb = X[a:e]
        Xb = Xb.astype(np.float64) if Xb.dtype != np.float64 else Xb
        z = np.asarray(Xb @ w).ravel() + b
        total += float(np.sum(np.logaddexp(0.0, z) - y[a:e] * z))
    return total / n + float(w @ w) / (2.0 * C * n)
