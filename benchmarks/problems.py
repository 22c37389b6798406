"""The benchmark problems: data builders with fixed seeds, sizes in the code.

Every tool is judged by ONE objective function, :func:`objective`, which is
scikit-learn's (and logreg's, and glum's with ``alpha = 1 / (C n)``)::

    J(w, b) = (1/n) sum_i [log(1 + e^{z_i}) - y_i z_i] + ||w||^2 / (2 C n),   z = X w + b

P8 is multinomial (K = 7 classes) and judged by the multinomial form of the
same objective, :func:`objective_multinomial`::

    J(W, b) = (1/n) sum_i [logsumexp_k(z_ik) - z_{i,y_i}] + ||W||_F^2 / (2 C n),   Z = X W^T + b

with all K rows of W penalised and the K intercepts not (scikit-learn's
multinomial L2 and logreg's alike).

Data are built once per size and cached as ``.npy`` files, so that each
benchmark process only reads them (``np.load`` into private memory, no
memory map, no transient copy).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import scipy.sparse as sp

__all__ = [
    "SIZES",
    "QUICK_SIZES",
    "C",
    "sizes",
    "build_dense",
    "build_sparse",
    "build_covtype_like",
    "ensure_cached",
    "load",
    "objective",
    "objective_multinomial",
]

#: Inverse regularisation strength of every problem.
C = 1.0

#: Full sizes (issue 3).  P1f and P2 reuse P1's data; P3 is measured during P1.
SIZES = {
    "P1": {"n": 1_000_000, "d": 100},
    "P4": {"n": 300_000, "d": 50_000, "nnz": 80},
    "P8": {"n": 581_012, "d": 54},
}

#: ``--quick``: the same kinds of problem, seconds in total.  P4 is kept small
#: because plain gradient descent needs O(n) iterations on it (the curvature of a
#: rare column is ~1/(C n)) and --quick checks that every solver gets to f*; P8
#: because the lbfgs fits take hundreds of iterations on it.
QUICK_SIZES = {
    "P1": {"n": 20_000, "d": 50},
    "P4": {"n": 3_000, "d": 300, "nnz": 10},
    "P8": {"n": 10_000, "d": 54},
}

SEEDS = {"P1": 0, "P4": 1, "P8": 8}


def sizes(name, *, quick=False, scale=1.0):
    """Sizes of problem ``name`` ('P1', 'P4' or 'P8'); ``scale`` multiplies n only.

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


#: P8's class shares (those of the UCI covertype data, rounded): spruce/fir,
#: lodgepole pine, ponderosa pine, cottonwood/willow, aspen, Douglas-fir, krummholz.
COVTYPE_SHARES = np.array([0.36, 0.49, 0.06, 0.005, 0.016, 0.03, 0.035]) / 0.996

#: Shares of the 4 wilderness areas and the 40 soil types (rows per soil type
#: in the UCI data, rounded; two are set to 0 so that empty columns occur).
WILDERNESS_SHARES = np.array([0.449, 0.051, 0.436, 0.064])
SOIL_COUNTS = np.array(
    [3000, 7500, 4800, 12400, 1600, 6600, 100, 180, 1150, 32600, 12400, 30000, 17400, 600, 0, 2850, 3400, 1900, 4000,
     9300, 840, 33400, 57800, 21300, 470, 2600, 1090, 950, 115200, 30200, 25700, 52500, 45200, 1600, 1900, 0, 300,
     15600, 13800, 8750],
    dtype=np.float64,
)  # fmt: skip


def build_covtype_like(n, seed=8):
    """P8: a covertype-like multinomial problem, 54 columns, 7 imbalanced classes.

    The layout of the UCI covertype data: 10 continuous columns drawn at
    their scales (elevation ~ N(2950, 300) m, aspect uniform on 0-360
    degrees, slope ~ Gamma(3.5, 4) degrees, distances of Gamma shape in the
    hundreds to thousands of m, vertical distance correlated with the
    horizontal one, three hillshade indices in 0-255 that depend on aspect
    and slope), then standardised (mean 0, variance 1 over the n rows, as a
    user following the docs does); then 4 one-hot wilderness-area columns
    and 40 one-hot soil-type columns with the shares of the real data (from
    ~20% down to a few rows, two soil types empty).

    Labels come from a multinomial model that is NOT linear in the columns:
    each class prefers an elevation band (a Gaussian bump of class-specific
    width in the standardised elevation), plus cos(aspect), slope times
    horizontal distance to water and |vertical distance|, a random linear
    part and per-wilderness and per-soil effects; the intercepts are set so
    that the expected class shares are :data:`COVTYPE_SHARES`.  A linear
    multinomial fit (C = 1) then predicts held-out rows ~70-75% right (on
    the real data: ~72%).  The model's parameters are drawn first from the
    seed, so every ``n`` samples the same model.

    Parameters
    ----------
    n : int
    seed : int

    Returns
    -------
    X : ndarray of shape (n, 54), float64, C order
    y : ndarray of shape (n,), int64 in [0, 7)
    """
    K = len(COVTYPE_SHARES)
    rng = np.random.default_rng(seed)
    # the model: elevation band per class (centre, width) as in the real data, then random effects
    band_mu = np.array([0.6, -0.1, -1.85, -2.4, -0.55, -1.77, 1.37])
    band_width = np.array([0.5, 0.6, 0.45, 0.3, 0.4, 0.5, 0.35])
    W_lin = 0.4 * rng.standard_normal((10, K))
    W_nonlin = rng.standard_normal((3, K))
    W_wild = rng.standard_normal((4, K))
    W_soil = 1.5 * rng.standard_normal((40, K))
    # the columns, at their own scales
    aspect = rng.uniform(0.0, 360.0, n)
    rad = np.deg2rad(aspect)
    slope = rng.gamma(3.5, 4.0, n)
    elevation = rng.normal(2950.0, 300.0, n)
    h_water = rng.gamma(1.6, 170.0, n)
    v_water = 0.2 * h_water + rng.normal(0.0, 50.0, n)
    h_road = rng.gamma(2.3, 1020.0, n)
    shade_9 = np.clip(212.0 + 25.0 * np.sin(rad) * slope / 14.0 + rng.normal(0.0, 12.0, n), 0.0, 255.0)
    shade_noon = np.clip(223.0 - 0.8 * slope + rng.normal(0.0, 15.0, n), 0.0, 255.0)
    shade_15 = np.clip(142.0 - 35.0 * np.sin(rad) * slope / 14.0 + rng.normal(0.0, 20.0, n), 0.0, 255.0)
    h_fire = rng.gamma(2.2, 900.0, n)
    wild = rng.choice(4, size=n, p=WILDERNESS_SHARES)
    soil = rng.choice(40, size=n, p=SOIL_COUNTS / SOIL_COUNTS.sum())
    X = np.zeros((n, 54))
    X[:, :10] = np.column_stack(
        [elevation, aspect, slope, h_water, v_water, h_road, shade_9, shade_noon, shade_15, h_fire]
    )
    del elevation, slope, h_water, v_water, h_road, shade_9, shade_noon, shade_15, h_fire
    X[:, :10] -= X[:, :10].mean(axis=0)
    X[:, :10] /= X[:, :10].std(axis=0)
    rows = np.arange(n)
    X[rows, 10 + wild] = 1.0
    X[rows, 14 + soil] = 1.0
    Z = X[:, :10]
    logits = -0.5 * ((Z[:, :1] - band_mu) / band_width) ** 2
    logits += Z @ W_lin
    logits += np.column_stack([np.cos(rad), Z[:, 2] * Z[:, 3], np.abs(Z[:, 4])]) @ W_nonlin
    logits += W_wild[wild] + W_soil[soil]
    logits -= logits.max(axis=1, keepdims=True)
    # intercepts that give the target shares in expectation (a fixed point, converges in a few dozen steps)
    b = np.zeros(K)
    for _ in range(50):
        P = np.exp(logits + b)
        P /= P.sum(axis=1, keepdims=True)
        b += np.log(COVTYPE_SHARES / P.mean(axis=0))
    P = np.exp(logits + b)
    P /= P.sum(axis=1, keepdims=True)
    y = np.minimum((np.cumsum(P, axis=1) < rng.random(n)[:, None]).sum(axis=1), K - 1).astype(np.int64)
    return X, y


def _atomic_save(path, arr):
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        np.save(f, arr)
    os.replace(tmp, path)


def ensure_cached(name, size, cache_dir):
    """Build problem ``name`` at ``size`` unless cached; return its file stem.

    P1 is stored in float64 and float32 (for P1f), P8 in float64 with integer
    labels, P4 as the three CSR arrays.

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
    elif name == "P8":
        X, y = build_covtype_like(size["n"], seed=SEEDS[name])
        _atomic_save(Path(f"{stem}-X64.npy"), X)
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
    y : ndarray of shape (n,)
        float64 in {0, 1} (P1, P4) or int64 class codes (P8).
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
        Of shape (K, d) with K > 1: the multinomial objective, see
        :func:`objective_multinomial`.
    intercept : float or array-like of shape (1,)
    C : float

    Returns
    -------
    float
    """
    if np.ndim(coef) == 2 and np.shape(coef)[0] > 1:
        return objective_multinomial(X, y, coef, intercept, C=C, block=block)
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


def objective_multinomial(X, y, coef, intercept, C=C, block=1 << 16):
    """The common multinomial objective J(W, b) (P8), in float64 for every tool.

    ``J = (1/n) sum_i [logsumexp_k(z_ik) - z_{i,y_i}] + ||W||_F^2 / (2 C n)``,
    ``Z = X W^T + b``: every row of W penalised, the intercepts not.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,), integer codes in [0, K)
    coef : array-like of shape (K, d)
    intercept : array-like of shape (K,)
    C : float

    Returns
    -------
    float
    """
    from scipy.special import logsumexp

    n = X.shape[0]
    W = np.asarray(coef, dtype=np.float64)
    b = np.asarray(intercept, dtype=np.float64).ravel()
    codes = np.asarray(y).astype(np.intp)
    total = 0.0
    for a in range(0, n, block):
        e = min(a + block, n)
        Z = np.asarray(X[a:e], dtype=np.float64) @ W.T + b
        total += float(np.sum(logsumexp(Z, axis=1) - Z[np.arange(e - a), codes[a:e]]))
    return total / n + float(np.sum(W * W)) / (2.0 * C * n)
