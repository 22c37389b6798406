"""The computation graph of logistic regression, node by node.

Each node is a small object with ``forward(...) -> (out, cache)`` and
``backward(cache, grad_out) -> grads``, exactly the picture the seed documents
draw (seed 002: components 1-5; seed 000: the matrix form).  The objective in
:mod:`logreg.objective` runs these same nodes on row blocks; they are the
production code, not a teaching copy.

Notation (rows are samples, as in scikit-learn)::

    Linear                 z = X w + b                      (n,) or (n, K)
    SigmoidCrossEntropy    l_i = log(1 + e^{z_i}) - y_i z_i (fused, stable)
    SoftmaxCrossEntropy    l_i = logsumexp(z_i) - z_{i, y_i}
    WeightedMean           J = sum_i s_i l_i   (weights already divided by S)

The split nodes :class:`Sigmoid` and :class:`CrossEntropy` exist for the
derivation walk-through (``logreg explain``) where dL/da and da/dz are shown
one by one; the fused node gives the same dL/dz = a - y without ever taking
``log(sigmoid(z))``.
"""

from __future__ import annotations

import numpy as np
from scipy import special

__all__ = [
    "log1pexp",
    "sigmoid",
    "Linear",
    "Sigmoid",
    "CrossEntropy",
    "SigmoidCrossEntropy",
    "SoftmaxCrossEntropy",
    "WeightedMean",
]


def log1pexp(z, out=None):
    """Stable ``log(1 + exp(z))``, exact for all finite z and for +-inf.

    ``max(z, 0) + log1p(exp(-|z|))``: the exponent is never positive, so
    nothing overflows, and for z < -37 the result is exp(z) to full relative
    precision (log1p keeps the small value).

    Parameters
    ----------
    z : ndarray of shape (n,)
    out : ndarray of shape (n,), optional

    Returns
    -------
    ndarray of shape (n,)
    """
    z = np.asarray(z)
    e = np.exp(-np.abs(z))
    np.log1p(e, out=e)
    return np.add(np.maximum(z, 0), e, out=out)


def sigmoid(z):
    """The logistic function 1 / (1 + e^{-z}) (seed 000's forward pass), stable.

    Parameters
    ----------
    z : ndarray of shape (n,)

    Returns
    -------
    ndarray of shape (n,), values in [0, 1]
    """
    return special.expit(z)


def _sigmoid_cross_entropy(z, y):
    """Return ``(loss, a, a - y)`` from one exponential, each to full relative precision.

    With e = exp(-|z|) in (0, 1]: sigmoid is 1/(1+e) for z >= 0 and e/(1+e)
    otherwise.  The loss is summed as (max(z, 0) - y z) + log1p(e): for y in
    {0, 1} the bracket is exact, so at z = 37, y = 1 the loss is log1p(e^-37),
    not (37 + 8.5e-17) - 37 = 0.  Likewise a - y is formed as (1 - y) - (1 - a)
    for z >= 0, since 1 - a = e/(1+e) is known exactly while a itself rounds to 1.
    """
    e = np.exp(-np.abs(z))
    inv = 1.0 / (1.0 + e)
    pos = z >= 0
    tail = e * inv  # sigmoid(-|z|)
    a = np.where(pos, inv, tail)
    r = np.where(pos, (1.0 - y) - tail, tail - y)
    loss = (np.maximum(z, 0) - y * z) + np.log1p(e)
    return loss, a, r


class Linear:
    """The linear node z = X w + b (seed 000's forward pass, rows as samples).

    Works for the binary case (w of shape (d,), b scalar) and the multinomial
    case (w of shape (K, d), b of shape (K,)).
    """

    @staticmethod
    def forward(X, w, b=0.0):
        """Compute z.

        Parameters
        ----------
        X : ndarray or sparse matrix of shape (n, d)
        w : ndarray of shape (d,) or (K, d)
        b : float or ndarray of shape (K,)

        Returns
        -------
        z : ndarray of shape (n,) or (n, K)
        cache : tuple
            What backward needs: X (and whether w was 2-D).
        """
        z = X @ w.T if w.ndim == 2 else X @ w
        z = np.asarray(z)
        if np.ndim(b) or b != 0.0:
            z = z + b
        return z, (X, w.ndim == 2)

    @staticmethod
    def backward(cache, dz):
        """Back-propagate dJ/dz to the parameters.

        Seed 000: dJ/dw = X^T (dJ/dz) in the rows-as-samples layout, i.e. the
        transpose of the numerator-layout Jacobian; seed 002 component 4/5:
        dz/dw_i = x_i, dz/db = 1.

        Parameters
        ----------
        cache : tuple from :meth:`forward`
        dz : ndarray of shape (n,) or (n, K)

        Returns
        -------
        dw : ndarray of shape (d,) or (K, d)
        db : float or ndarray of shape (K,)
        """
        X, multi = cache
        if multi:
            dw = np.asarray(X.T @ dz).T
            db = dz.sum(axis=0)
        else:
            dw = np.asarray(X.T @ dz).ravel()
            db = dz.sum()
        return dw, db


class Sigmoid:
    """a = sigmoid(z); backward uses da/dz = a (1 - a) (seed 002, component 2)."""

    @staticmethod
    def forward(z):
        a = sigmoid(z)
        return a, a

    @staticmethod
    def backward(cache, da):
        a = cache
        return da * a * (1.0 - a)


class CrossEntropy:
    """L(a, y) = -y log a - (1 - y) log(1 - a) (seed 002, component 1).

    Only for showing the derivation on moderate values of a: it takes logs of
    probabilities and so loses everything once a rounds to 0 or 1.  The
    production path is :class:`SigmoidCrossEntropy`.
    """

    @staticmethod
    def forward(a, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            loss = -(special.xlogy(y, a) + special.xlogy(1.0 - y, 1.0 - a))
        return loss, (a, y)

    @staticmethod
    def backward(cache, dloss):
        a, y = cache
        # dL/da = -y/a + (1 - y)/(1 - a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return dloss * (-(y / a) + (1.0 - y) / (1.0 - a))


class SigmoidCrossEntropy:
    """Fused sigmoid + binary cross-entropy, stable for every z.

    l_i = log(1 + e^{z_i}) - y_i z_i, which equals -y log a - (1-y) log(1-a)
    with a = sigmoid(z) but never rounds a to 0 or 1 first.  Backward gives
    dl/dz = a - y (seed 002, component 3).
    """

    @staticmethod
    def forward(z, y):
        """Pointwise loss.

        Parameters
        ----------
        z : ndarray of shape (n,)
        y : ndarray of shape (n,), values in [0, 1]

        Returns
        -------
        loss : ndarray of shape (n,)
        cache : tuple (a, y, a - y) with a = sigmoid(z)
        """
        loss, a, r = _sigmoid_cross_entropy(z, y)
        return loss, (a, y, r)

    @staticmethod
    def backward(cache, dloss):
        """dJ/dz = dJ/dl * (a - y).

        Parameters
        ----------
        cache : tuple from :meth:`forward`
        dloss : ndarray of shape (n,) or float

        Returns
        -------
        dz : ndarray of shape (n,)
        """
        return dloss * cache[2]


class SoftmaxCrossEntropy:
    """Fused softmax + categorical cross-entropy for K classes.

    l_i = logsumexp(z_i) - z_{i, y_i}; backward dl/dz = A - Y (one-hot Y), the
    multinomial form of seed 002's a - y.
    """

    @staticmethod
    def forward(z, y):
        """Pointwise loss.

        Parameters
        ----------
        z : ndarray of shape (n, K)
        y : ndarray of shape (n,), integer class codes in [0, K)

        Returns
        -------
        loss : ndarray of shape (n,)
        cache : tuple (A, y, A - Y): softmax probabilities (n, K), codes, residual
        """
        n = z.shape[0]
        rows = np.arange(n)
        top = z.argmax(axis=1)
        m = z[rows, top]
        # E holds exp(z_k - max) for the classes other than the arg-max, whose
        # own term (exactly 1) is kept apart: log1p(t) then keeps a tiny t,
        # where log(1 + t) would round it away
        E = np.exp(z - m[:, None])
        E[rows, top] = 0.0
        t = E.sum(axis=1)
        loss = (m - z[rows, y]) + np.log1p(t)
        inv = 1.0 / (1.0 + t)
        A = E * inv[:, None]
        A[rows, top] = inv
        # A - Y, with A_y - 1 = -t / (1 + t) formed directly when y is the arg-max
        R = A.copy()
        R[rows, y] -= 1.0
        hit = top == y
        R[rows[hit], y[hit]] = -t[hit] * inv[hit]
        return loss, (A, y, R)

    @staticmethod
    def backward(cache, dloss):
        """dJ/dz = dJ/dl * (A - Y).

        Parameters
        ----------
        cache : tuple (A, y, A - Y) from :meth:`forward`
        dloss : ndarray of shape (n,) or float

        Returns
        -------
        dz : ndarray of shape (n, K)
        """
        R = cache[2]
        dloss = np.asarray(dloss)
        return R * (dloss[:, None] if dloss.ndim else dloss)


class WeightedMean:
    """J = sum_i s_i l_i with normalised weights s (sum s = 1; plain mean: 1/n).

    Seed 000: J = (1/m) L 1; backward dJ/dl_i = s_i.  The sum is accumulated
    in float64 whatever the dtype of the losses.
    """

    @staticmethod
    def forward(loss, s):
        """Parameters
        ----------
        loss : ndarray of shape (n,)
        s : ndarray of shape (n,) or float
            Normalised weights; a scalar means every row has weight s.

        Returns
        -------
        J : float
        cache : the weights s
        """
        if np.isscalar(s):
            return float(np.sum(loss, dtype=np.float64)) * s, s
        return float(np.dot(loss.astype(np.float64, copy=False), s.astype(np.float64, copy=False))), s

    @staticmethod
    def backward(cache, dJ=1.0):
        """dJ/dl_i = s_i (an array, or the scalar weight shared by all rows)."""
        return dJ * cache
