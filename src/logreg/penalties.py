"""Penalties on the coefficients w (never on the intercept).

With scikit-learn's scaling the objective is::

    J = (1/S) sum_i s_i l_i + r(w) / (C S),      S = sum_i s_i

so every penalty here takes ``alpha = 1 / (C S)`` and computes ``alpha *
r(w)``.  Smooth penalties give value, gradient and Hessian; non-smooth ones add
a proximal operator for the proximal solvers.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Penalty", "NoPenalty", "L2", "L1", "ElasticNet", "make_penalty"]


class Penalty:
    """Base class: a penalty ``alpha * r(w)`` on the coefficient vector w.

    Attributes
    ----------
    smooth : bool
        True when r is twice differentiable (solvers that need a gradient of
        the whole objective can only take smooth penalties).
    """

    smooth = True
    alpha = 0.0

    @property
    def l1_weight(self):
        """The weight of ||w||_1 in the penalty (0 for smooth penalties)."""
        return 0.0

    @property
    def vanishes(self):
        """True when the penalty is zero for every w (the unpenalised fit)."""
        return self.alpha == 0.0

    def value(self, w):
        """alpha * r(w), float."""
        raise NotImplementedError

    def smooth_value(self, w):
        """alpha * (smooth part of r)(w); the whole value for smooth penalties."""
        return self.value(w)

    def grad(self, w):
        """Gradient of the smooth part, shape like w."""
        raise NotImplementedError

    def hessp(self, w, v):
        """Hessian of the smooth part times v."""
        return self.hess_diag(w) * v

    def hess_diag(self, w):
        """Diagonal of the smooth part's Hessian (all penalties here are separable)."""
        raise NotImplementedError

    def prox(self, w, step):
        """argmin_u ||u - w||^2 / (2 step) + alpha r_nonsmooth(u)."""
        return w


class NoPenalty(Penalty):
    """r(w) = 0: the unpenalised maximum-likelihood fit."""

    def value(self, w):
        return 0.0

    def grad(self, w):
        return np.zeros_like(w)

    def hess_diag(self, w):
        return np.zeros_like(w)

    def __repr__(self):
        return "NoPenalty()"


class L2(Penalty):
    """r(w) = ||w||^2 / 2, times alpha."""

    def __init__(self, alpha):
        self.alpha = float(alpha)

    def value(self, w):
        return 0.5 * self.alpha * float(np.sum(w * w))  # not BLAS ddot: its threads fight the worker pool

    def grad(self, w):
        return self.alpha * w

    def hess_diag(self, w):
        return np.full_like(w, self.alpha)

    def __repr__(self):
        return f"L2(alpha={self.alpha:g})"


class ElasticNet(Penalty):
    """alpha * (l1_ratio ||w||_1 + (1 - l1_ratio) ||w||^2 / 2).

    The L1 part is handled by :meth:`prox` (soft thresholding); value includes
    both parts, grad/hess_diag only the smooth L2 part.
    """

    smooth = False

    def __init__(self, alpha, l1_ratio):
        self.alpha = float(alpha)
        self.l1_ratio = float(l1_ratio)
        self.smooth = self.l1_ratio == 0.0

    @property
    def alpha_l1(self):
        return self.alpha * self.l1_ratio

    @property
    def l1_weight(self):
        return self.alpha_l1

    @property
    def alpha_l2(self):
        return self.alpha * (1.0 - self.l1_ratio)

    def value(self, w):
        return self.alpha_l1 * float(np.abs(w).sum()) + 0.5 * self.alpha_l2 * float(
            np.sum(w * w)
        )  # not BLAS ddot: its threads fight the worker pool

    def smooth_value(self, w):
        return 0.5 * self.alpha_l2 * float(np.sum(w * w))  # not BLAS ddot: its threads fight the worker pool

    def grad(self, w):
        return self.alpha_l2 * w

    def hess_diag(self, w):
        return np.full_like(w, self.alpha_l2)

    def prox(self, w, step):
        t = step * self.alpha_l1
        return np.sign(w) * np.maximum(np.abs(w) - t, 0.0)

    def subgrad_dist(self, w, g):
        """Minimum-norm subgradient of (smooth part + alpha_l1 ||w||_1), given
        the gradient g of the smooth part: the optimality residual."""
        t = self.alpha_l1
        out = np.where(w != 0, g + t * np.sign(w), np.sign(g) * np.maximum(np.abs(g) - t, 0.0))
        return out

    def __repr__(self):
        return f"ElasticNet(alpha={self.alpha:g}, l1_ratio={self.l1_ratio:g})"


class L1(ElasticNet):
    """alpha * ||w||_1."""

    def __init__(self, alpha):
        super().__init__(alpha, 1.0)

    def __repr__(self):
        return f"L1(alpha={self.alpha:g})"


def penalty_kind(penalty, C, l1_ratio=None):
    """The penalty that (penalty, C, l1_ratio) ask for: 'l2', 'l1', 'elasticnet', 'firth' or None.

    ``penalty='auto'`` reads it from ``l1_ratio`` as scikit-learn >= 1.8 does
    (None or 0: 'l2', 1: 'l1', in between: 'elasticnet'); ``C = inf`` or
    ``penalty=None``/'none' mean no penalty.

    Parameters
    ----------
    penalty : {'auto', 'l2', 'l1', 'elasticnet', 'none'} or None
    C : float
    l1_ratio : float or None

    Returns
    -------
    str or None
    """
    if penalty == "firth":  # Jeffreys' prior: no C (logreg.inference.firth)
        return "firth"
    if penalty is None or penalty == "none" or not np.isfinite(C):
        return None
    if penalty == "auto":
        if l1_ratio is None or l1_ratio == 0:
            return "l2"
        return "l1" if l1_ratio == 1 else "elasticnet"
    if penalty in ("l2", "l1", "elasticnet"):
        return penalty
    raise ValueError(f"unknown penalty {penalty!r}; use 'auto', 'l2', 'l1', 'elasticnet', 'firth' or None")


def make_penalty(penalty, C, weight_sum, l1_ratio=None):
    """Build the penalty object for scikit-learn's (penalty, C) at total weight S.

    Parameters
    ----------
    penalty : {'auto', 'l2', 'l1', 'elasticnet', None}
        As in :func:`penalty_kind`.
    C : float
        Inverse regularisation strength; ``np.inf`` means no penalty.
    weight_sum : float
        S, the sum of the sample weights (n without weights).
    l1_ratio : float, optional
        The mix of 'elasticnet' (and of 'auto').

    Returns
    -------
    Penalty
    """
    penalty = penalty_kind(penalty, C, l1_ratio)
    if penalty is None:
        return NoPenalty()
    if penalty == "firth":
        raise ValueError(
            "penalty='firth' is fitted in memory by its own Newton iteration (logreg.inference.firth), not by the "
            "solvers: pass a numpy array or sparse matrix (e.g. X.compute() for a dask array)"
        )
    alpha = 1.0 / (C * weight_sum)
    if penalty == "l2":
        return L2(alpha)
    if penalty == "l1":
        return L1(alpha)
    if penalty == "elasticnet":
        return ElasticNet(alpha, 0.0 if l1_ratio is None else l1_ratio)
    raise AssertionError(penalty)  # penalty_kind returns one of the above
