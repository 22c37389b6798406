"""The data term summed over row chunks, whatever holds the chunks (a runner).

A *runner* reaches the chunks' :class:`~logreg.chunked.chunks.ChunkTerm` objects:

* ``map_reduce(parts, method, *args)``: ``sum_c getattr(term_c, method)(*args)``, one pass;
* ``map(parts, method, *args)``: the list of the chunks' results, one pass;
* ``transform(parts, method)``: new parts whose terms are ``getattr(term_c, method)()``;
* ``client``: the distributed Client, or None.

:class:`ChunkedLogistic` has the data-term interface of ARCHITECTURE.md on top of them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .._validation import check_class_totals, check_class_weight
from ..layout import ParamLayout
from ..objective import DataTerm, make_datafit

__all__ = [
    "DIAGNOSTIC_ROWS",
    "ChunkedLogistic",
    "TermSettings",
    "add",
    "choose_classes",
    "diagnostic_rows",
    "term_settings",
]

#: Rows sampled from the chunks for the diagnostics of a chunked fit (fewer for wide data).
DIAGNOSTIC_ROWS = 16_384


def diagnostic_rows(n_samples, n_features):
    """Rows of the diagnostics' sample: :data:`DIAGNOSTIC_ROWS`, at most ~1M numbers gathered
    (8 MB: the sample is held here, and it must stay small beside a streamed fit's row groups)."""
    return int(min(n_samples, DIAGNOSTIC_ROWS, max(1024, 1_000_000 // max(n_features, 1))))


def add(*parts):
    """Sum partial results: floats, arrays, or tuples of them (element by element)."""
    acc = parts[0]
    for p in parts[1:]:
        acc = tuple(u + v for u, v in zip(acc, p, strict=True)) if isinstance(acc, tuple) else acc + p
    return acc


def choose_classes(summary, class_weight):
    """The classes and per-class weights of a fit from the first pass's summary.

    Parameters
    ----------
    summary : DataSummary
    class_weight : dict, 'balanced' or None

    Returns
    -------
    classes : ndarray of shape (n_classes,)
    cw : ndarray of shape (n_classes,) or None
    """
    from sklearn.utils.class_weight import compute_class_weight
    from sklearn.utils.multiclass import check_classification_targets

    classes = summary.labels
    # the labels' type (binary / multiclass / continuous...) is decided by their distinct values
    check_classification_targets(classes)
    if classes.size < 2:
        raise ValueError(
            f"y has one class: {classes[:1].tolist()[0]!r}; logistic regression needs two or more. "
            "Check the target column, or the filter that selected these rows."
        )
    check_class_weight(class_weight)
    if class_weight is None:
        return classes, None
    # 'balanced' is S / (K * S_k) from the weighted class totals, as in memory (scikit-learn >= 1.7):
    # the totals stand in for y (y=classes, one weight each)
    return classes, compute_class_weight(class_weight, classes=classes, y=classes, sample_weight=summary.weight_sums)


@dataclass
class TermSettings:
    """What every chunk's term needs to know of the whole data set.

    Attributes
    ----------
    classes : ndarray of shape (n_classes,)
    class_weight : ndarray of shape (n_classes,) or None
    uniform : bool
        Every row has the same (class-)weighted weight.
    divisor : float
        The data term's divisor: n when uniform, else S.
    total_weight : float
        S, the penalty's scale.
    class_weight_sums : ndarray of shape (n_classes,)
    """

    classes: np.ndarray
    class_weight: np.ndarray | None
    uniform: bool
    divisor: float
    total_weight: float
    class_weight_sums: np.ndarray

    def term_args(self, fit_intercept, options):
        """Arguments of :meth:`Chunk.term` after the chunk."""
        return (self.classes, self.class_weight, self.uniform, self.divisor, fit_intercept, options)


def term_settings(summary, classes, class_weight=None):
    """:class:`TermSettings` for labels ``classes`` (y's values are mapped to their positions).

    Parameters
    ----------
    summary : DataSummary
    classes : ndarray of shape (n_classes,)
        Sorted labels; every value of y must be one of them.
    class_weight : ndarray of shape (n_classes,), optional
        Multiplies the sample weights, per class.
    """
    classes = np.asarray(classes)
    s = summary
    pos = np.searchsorted(classes, s.labels)
    pos = np.minimum(pos, classes.size - 1)
    if np.any(classes[pos] != s.labels):
        missing = s.labels[classes[pos] != s.labels]
        raise ValueError(f"y has labels not among the classes {classes.tolist()}: {missing[:5].tolist()}")
    cw = np.ones(classes.size) if class_weight is None else np.asarray(class_weight, dtype=np.float64)
    # per-class weight statistics of the effective weights sw * cw[class]
    wsum = np.zeros(classes.size)
    np.add.at(wsum, pos, s.weight_sums)
    eff_min = float(np.min(cw[pos] * s.weight_min))
    eff_max = float(np.max(cw[pos] * s.weight_max))
    weight_sum = float(cw @ wsum)
    check_class_totals(classes, cw * wsum)
    if not weight_sum > 0:
        raise ValueError("sample weights sum to zero; at least one row needs a positive weight")
    uniform = eff_min == eff_max
    # uniform weights leave the data term at (1/n) sum l_i, as in memory; the penalty still takes S
    divisor = float(s.n_samples) if uniform else weight_sum
    return TermSettings(classes, None if class_weight is None else cw, uniform, divisor, weight_sum, cw * wsum)


@dataclass
class _DataInfo:
    """Sizes of the chunked rows, as :class:`ChunkedLogistic` reports them (its n_samples, dtype,
    weight sum, and the sample stride of its Hessian)."""

    n_samples: int
    n_features: int
    weight_sum: float
    dtype: np.dtype
    sparse: bool

    def stride_for(self, max_rows):
        """Row stride of a sample of about ``max_rows`` rows (1: all rows), as in memory."""
        if max_rows is None or self.n_samples <= 2 * max_rows:
            return 1
        return self.n_samples // int(max_rows)


class ChunkedLogistic(DataTerm):
    """Data term over row chunks: the chunks' in-memory data terms, summed.

    Has the data-term interface of :class:`logreg.objective.BinaryLogistic` /
    :class:`~logreg.objective.MultinomialLogistic` that the solvers use; every
    evaluation is one pass over the chunks through ``runner``.

    Parameters
    ----------
    parts : list
        What ``runner`` needs to reach each chunk's term (futures, loaders).
    runner : object
        See the module docstring.
    settings : TermSettings
    n_samples, n_features : int
    dtype : numpy dtype
        X's dtype.
    sparse : bool
    fit_intercept : bool

    Attributes
    ----------
    total_weight : float
        S, the sum of the (class-)weighted sample weights: the penalty's scale.
    class_weight_sums : ndarray of shape (n_classes,)
        S_k, the weight of each class.
    classes : ndarray of shape (n_classes,)
    n_chunks : int
    """

    #: The chunks' columns are not gathered: column-wise descent does not apply.
    def __init__(
        self, parts, runner, settings, *, n_samples, n_features, dtype, sparse, fit_intercept, has_offset=False
    ):
        self._parts = list(parts)
        #: Whether the chunks carry offsets (z = X w + b + offset): the null model then needs a fit.
        self.has_offset = bool(has_offset)
        self._runner = runner
        self.classes = settings.classes
        self.n_classes = int(settings.classes.size)
        self.n_features = int(n_features)
        self.fit_intercept = bool(fit_intercept)
        self.data = _DataInfo(int(n_samples), self.n_features, float(settings.divisor), np.dtype(dtype), bool(sparse))
        self.total_weight = float(settings.total_weight)
        self.class_weight_sums = np.asarray(settings.class_weight_sums, dtype=np.float64)
        self.layout = ParamLayout(self.n_features, self.n_classes, self.fit_intercept)
        self.n_chunks = len(self._parts)

    def _live_parts(self):
        if not self._parts:
            raise RuntimeError("this chunked data term was released (release()); build a new one")
        return self._parts

    @property
    def client(self):
        """The distributed Client running the evaluations, or None."""
        return getattr(self._runner, "client", None)

    def in_float64(self):
        """The same term with every chunk computed in float64 arithmetic, as
        :meth:`logreg.objective.BinaryLogistic.in_float64` (the chunks stay where they are)."""
        out = copy.copy(self)
        out._parts = self._runner.transform(self._live_parts(), "in_float64")
        out._arithmetic = np.dtype(np.float64)
        return out

    def sample_rows(self, max_rows):
        """About ``max_rows`` evenly spaced rows drawn from every chunk in proportion to its rows.

        Returns
        -------
        X : ndarray or csr_matrix of shape (m, n_features)
        codes : ndarray of shape (m,)
            Class codes in [0, n_classes).
        weights : ndarray of shape (m,) or None
            The (class-)weighted sample weights.
        """
        return self._sample_parts(max_rows)[:3]

    def _sample_parts(self, max_rows):
        """:meth:`sample_rows` and the sampled rows' offsets (None without an offset)."""
        parts = self._runner.map(self._live_parts(), "sample", int(max_rows), self.data.n_samples)
        Xs = [p[0] for p in parts]
        X = sp.vstack(Xs, format="csr") if any(sp.issparse(x) for x in Xs) else np.concatenate(Xs)
        y = np.concatenate([p[1] for p in parts])
        weights = None if parts[0][2] is None else np.concatenate([p[2] for p in parts])
        offsets = None if parts[0][3] is None else np.concatenate([p[3] for p in parts])
        return X, y, weights, offsets

    def sample(self, max_rows, compact=False):
        """An in-memory data term on about ``max_rows`` evenly spaced rows (see :meth:`sample_rows`)
        (``compact``: in float32 where the in-memory term allows, as
        :meth:`logreg.objective.BinaryLogistic.sample`).

        Returns
        -------
        logreg.objective.BinaryLogistic or MultinomialLogistic
        """
        X, y, weights, offsets = self._sample_parts(max_rows)
        term = make_datafit(X, y, self.n_classes, weights, fit_intercept=self.fit_intercept, offset=offsets)
        # the in-memory term's own compact copy, if it takes one (float32 for the fused engine)
        return term.sample(X.shape[0], compact) if compact else term

    def class_counts(self):
        """Rows of positive weight in each class, shape (n_classes,)."""
        return self._runner.map_reduce(self._live_parts(), "class_counts")

    def _reduce(self, method, *args):
        return self._runner.map_reduce(self._live_parts(), method, *args)

    def value(self, theta):
        """D(theta), float."""
        return float(self._reduce("value", np.asarray(theta, dtype=np.float64)))

    def value_and_grad(self, theta):
        """D(theta) and its gradient, one pass over every chunk.

        Returns
        -------
        value : float
        grad : ndarray of shape (n_params,), float64
        """
        f, g = self._reduce("value_and_grad", np.asarray(theta, dtype=np.float64))
        return float(f), g

    def grad(self, theta):
        return self.value_and_grad(theta)[1]

    def hessp(self, theta, v):
        """Hessian of D at theta times v, shape (n_params,)."""
        return self._reduce("hessp", np.asarray(theta, dtype=np.float64), np.asarray(v, dtype=np.float64))

    def hessian_diag(self, theta):
        """Diagonal of the Hessian of D, shape (n_params,)."""
        return self._reduce("hessian_diag", np.asarray(theta, dtype=np.float64))

    def hessian(self, theta, max_rows=None, offset=0):
        """Hessian of D, shape (n_params, n_params).

        Parameters
        ----------
        theta : ndarray of shape (n_params,)
        max_rows : int, optional
            Estimate it from about this many rows: each chunk samples evenly
            spaced rows in proportion to its size (a stratified sample).  Exact
            when None or when n is small.
        offset : int, default=0
            Which of the evenly spaced samples each chunk takes, as in memory.
        """
        if self.data.stride_for(max_rows) == 1:
            max_rows = None
        th = np.asarray(theta, dtype=np.float64)
        return self._reduce("hessian", th, max_rows, self.data.n_samples, offset)

    def statistics(self, coef, intercept):
        """The inference statistics of :mod:`logreg.stats` at (coef, intercept), one pass.

        Parameters
        ----------
        coef : ndarray of shape (1, n_features) or (n_classes, n_features)
        intercept : ndarray of shape (1,) or (n_classes,)

        Returns
        -------
        logreg.inference.statistics.FitStatistics
        """
        from ..inference.statistics import FitStatistics, null_log_likelihood

        S, n_rows, non_unit, ll, fisher, meat, meat_prob = self._reduce(
            "statistics", np.asarray(coef), np.asarray(intercept), self.fit_intercept
        )
        K = self.n_classes
        unit = non_unit == 0
        return FitStatistics(
            n_classes=K,
            fit_intercept=self.fit_intercept,
            n_features=self.n_features,
            weight_sum=float(S),
            n_rows=int(n_rows),
            unit_weights=bool(unit),
            log_likelihood=float(ll),
            # from the global class weights: the chunks' own class shares would give another model
            null_log_likelihood=(
                self._null_with_offset(S)
                if self.has_offset
                else null_log_likelihood(np.arange(K), self.class_weight_sums, K)
            ),
            params=self.layout.stats_params(coef, intercept).ravel(),
            fisher=fisher,
            meat=meat,
            meat_prob=None if unit else meat_prob,
        )

    def _null_with_offset(self, S):
        """The intercept-only log-likelihood with the offset (statsmodels' ``llnull``): Newton on the
        intercepts with every coefficient at 0, one pass per step; NaN without an intercept to refit."""
        if not self.fit_intercept:
            return float("nan")
        theta = np.zeros(self.n_params)
        free = ~self.coef_mask()
        for _ in range(50):
            f, g = self.value_and_grad(theta)
            if np.max(np.abs(g[free])) <= 1e-10:
                break
            H = self.hessian(theta)[np.ix_(free, free)]
            # pinv: the softmax's intercepts are unchanged by a common shift (H singular along it)
            theta[free] -= np.linalg.pinv(H) @ g[free]
        return -float(S) * self.value(theta)

    def release(self):
        """Drop the chunks (frees worker memory; the term cannot evaluate afterwards)."""
        self._parts = []
