"""Where the coefficients and intercepts sit in the parameter vector θ: one object for all.

Two orders are in use, and this module is the only place that writes either:

* the **solver order** (the objective's θ): the coefficients row by row, then the
  intercepts::

      two classes   θ = [w_1, ..., w_d, b]                       (n_params = d + 1)
      K classes     θ = [W_11, ..., W_1d, ..., W_K1, ..., W_Kd, b_1, ..., b_K]

* the **statistics order** (:mod:`logreg.stats`, the Fisher information, the model
  file's inference block): one block per class (one block for two classes), the
  intercept first in each::

      [b_1, w_11, ..., w_1d, b_2, w_21, ...]

Without an intercept both orders drop the b's and coincide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["INTERCEPT_NAME", "ParamLayout"]

#: The intercept's name in tables of terms (statsmodels' name).
INTERCEPT_NAME = "const"


@dataclass(frozen=True)
class ParamLayout:
    """The parameter layout of a logistic regression.

    Parameters
    ----------
    n_features : int
        d, the columns of X.
    n_classes : int
        K >= 2; two classes have one row of coefficients, K >= 3 have K (softmax).
    fit_intercept : bool
    """

    n_features: int
    n_classes: int
    fit_intercept: bool

    def __post_init__(self):
        if self.n_classes < 2 or self.n_features < 0:
            raise ValueError(f"a layout needs n_classes >= 2 and n_features >= 0, got {self}")

    # -- sizes -------------------------------------------------------------
    @property
    def binary(self) -> bool:
        return self.n_classes == 2

    @property
    def n_rows(self) -> int:
        """Rows of coefficients: 1 for two classes, K otherwise (``coef_.shape[0]``)."""
        return 1 if self.binary else self.n_classes

    @property
    def block_size(self) -> int:
        """p = d + 1 with an intercept, else d: the parameters of one class block."""
        return self.n_features + int(self.fit_intercept)

    @property
    def n_params(self) -> int:
        return self.n_rows * self.block_size

    # -- the solver order ----------------------------------------------------
    def split(self, theta: np.ndarray) -> tuple[np.ndarray, Any]:
        """θ to ``(w, b)``: w of shape (d,) and b a float (0.0 without intercept) for two
        classes; W of shape (K, d) and b of shape (K,) (zeros without intercept) for K >= 3.
        The arrays are views of θ where possible."""
        d, K = self.n_features, self.n_rows
        if self.binary:
            return theta[:d], (float(theta[d]) if self.fit_intercept else 0.0)
        W = theta[: K * d].reshape(K, d)
        return W, (theta[K * d :] if self.fit_intercept else np.zeros(K))

    def join(self, w: Any, b: Any) -> np.ndarray:
        """Inverse of :meth:`split`: θ of shape (n_params,), float64 (b ignored without intercept)."""
        w = np.asarray(w, dtype=np.float64).ravel()
        return np.concatenate([w, np.ravel(b)]) if self.fit_intercept else w.copy()

    def coef_mask(self) -> np.ndarray:
        """Boolean mask of the entries of θ that are penalised (coefficients, not intercepts)."""
        m: np.ndarray = np.ones(self.n_params, dtype=bool)
        if self.fit_intercept:
            m[self.n_rows * self.n_features :] = False
        return m

    def coef_intercept(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """θ as scikit-learn's ``coef_`` of shape (n_rows, d) and ``intercept_`` of shape (n_rows,)."""
        w, b = self.split(theta)
        return np.atleast_2d(np.asarray(w, dtype=np.float64)).copy(), np.atleast_1d(np.asarray(b, np.float64)).copy()

    def theta(self, coef: Any, intercept: Any) -> np.ndarray:
        """θ from ``coef_`` (n_rows, d) and ``intercept_`` (n_rows,)."""
        return self.join(np.asarray(coef).reshape(self.n_rows, self.n_features), np.ravel(intercept)[: self.n_rows])

    def invariant_basis(self, coef: bool = False) -> np.ndarray | None:
        """Orthonormal directions of θ along which the softmax does not change (K >= 3).

        One shift of every class's intercept, and with ``coef`` (no penalty)
        one shift of every class's coefficient of each feature.

        Returns
        -------
        ndarray of shape (n_params, k) or None
            None for two classes, or when there is no such direction.
        """
        if self.binary:
            return None
        K, d = self.n_classes, self.n_features
        cols = []
        if self.fit_intercept:
            u = np.zeros(self.n_params)
            u[K * d :] = 1.0
            cols.append(u)
        if coef:
            for j in range(d):
                u = np.zeros(self.n_params)
                u[j : K * d : d] = 1.0
                cols.append(u)
        if not cols:
            return None
        return np.column_stack(cols) / np.sqrt(K)

    # -- the statistics order ------------------------------------------------
    def stats_order(self) -> np.ndarray:
        """Indices into θ that give the statistics order: ``stats = theta[stats_order()]``."""
        K, d, p = self.n_rows, self.n_features, self.block_size
        order: np.ndarray = np.empty(self.n_params, dtype=np.intp)
        for k in range(K):
            start = k * p
            if self.fit_intercept:
                order[start] = K * d + k
                start += 1
            order[start : start + d] = np.arange(k * d, (k + 1) * d)
        return order

    def stats_params(self, coef: Any, intercept: Any) -> np.ndarray:
        """``coef_`` and ``intercept_`` in the statistics order, shape (n_rows, block_size)."""
        coef = np.atleast_2d(np.asarray(coef, dtype=np.float64))
        if not self.fit_intercept:
            return coef.copy()
        intercept = np.atleast_1d(np.asarray(intercept, dtype=np.float64))
        return np.column_stack([intercept[: coef.shape[0]], coef])

    def stats_coef_mask(self) -> np.ndarray:
        """Boolean mask of the coefficients (not intercepts) in the statistics order."""
        m: np.ndarray = np.ones((self.n_rows, self.block_size), dtype=bool)
        if self.fit_intercept:
            m[:, 0] = False
        return m.ravel()

    # -- names ---------------------------------------------------------------
    def feature_names(self, names: Sequence[Any] | None = None) -> list[str]:
        """The features' names as strings: ``names``, or x0 .. x{d-1} without them."""
        if names is None:
            return [f"x{j}" for j in range(self.n_features)]
        names = [str(v) for v in names]
        if len(names) != self.n_features:
            raise ValueError(f"{len(names)} feature names for {self.n_features} features")
        return names

    def term_names(self, names: Sequence[Any] | None = None) -> list[str]:
        """One class block's terms in the statistics order: ``const`` (with an intercept), then the features."""
        return ([INTERCEPT_NAME] if self.fit_intercept else []) + self.feature_names(names)

    def param_names(self, names: Sequence[Any] | None = None, classes: Sequence[Any] | None = None) -> list[str]:
        """Every entry of θ (the solver order) by name: ``x`` and ``const`` for two classes,
        ``<class>:x`` and ``<class>:const`` for K >= 3 (classes default to 0 .. K-1)."""
        feats = self.feature_names(names)
        if self.binary:
            return feats + ([INTERCEPT_NAME] if self.fit_intercept else [])
        labels = [str(c) for c in (range(self.n_classes) if classes is None else classes)]
        out = [f"{c}:{f}" for c in labels for f in feats]
        return out + ([f"{c}:{INTERCEPT_NAME}" for c in labels] if self.fit_intercept else [])
