"""The summary table of a fitted model: :class:`LogisticSummary` and its forms (frame, dict,
JSON, statsmodels-like text).  :func:`logreg.stats.summarize` builds it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

from .._json import jsonable
from .._table import text_table

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["COLUMNS", "LogisticSummary"]

COLUMNS = ["coef", "std_err", "z", "p_value", "ci_lower", "ci_upper"]


class LogisticSummary:
    """The inference table and likelihood measures of a fitted model.

    Built by ``LogisticRegression.summary()``; see :func:`summarize`.

    Attributes
    ----------
    params, std_err, z, p_value, ci_lower, ci_upper : ndarray of shape (k,)
        One entry per term (for K >= 3 classes: per class after the baseline,
        per term).
    cov_params : ndarray of shape (k, k)
    terms : list of str
        Term names (for K >= 3 classes: ``"<class>:<term>"``).
    log_likelihood, null_log_likelihood : float
    llr : float
        Likelihood-ratio statistic 2 (L - L_null).
    llr_pvalue : float
        Its chi-squared p-value with ``df_model`` degrees of freedom.
    df_model : int
        k minus the parameters of the intercept-only null model (K - 1); for
        an L1 or elastic-net fit, the number of non-zero coefficients (glmnet's
        df), and k that plus K - 1.
    df_resid : float
        nobs - k.
    aic, bic : float
        -2 L + 2 k and -2 L + k log(nobs).
    pseudo_r2 : float
        McFadden's 1 - L / L_null.
    deviance : float
        -2 L (0/1 responses: the saturated model has L = 0).
    nobs : float
        Sum of the weights (frequency weights), or rows with positive weight.
    n_iter : int
    converged : bool
    cov_type : str
    alpha : float
    penalized : bool
    valid_inference : bool
        False for penalised fits.
    standardized : bool
        The model was fitted on standardised columns (``standardize=True``);
        the coefficients are on the original scale.
    notes : list of str
    """

    #: Set by the profile-likelihood and Firth steps (:mod:`logreg.inference.profile`) when they apply.
    ci_method = "wald"
    penalized_log_likelihood: float | None = None
    #: Set for ``standardize=True`` fits.
    standardized = False
    per_sd: list | None = None

    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(kw)

    def __getattr__(self, name: str) -> Any:  # the fields set by summarize (for type checkers)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # -- forms ------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """The coefficient table.

        Returns
        -------
        pandas.DataFrame
            One row per term (index ``term``; for K >= 3 classes a MultiIndex
            ``(class, term)``), columns ``coef, std_err, z, p_value, ci_lower,
            ci_upper``.
        """
        import pandas as pd

        if self.n_classes > 2:
            index = pd.MultiIndex.from_tuples(self._index, names=["class", "term"])
        else:
            index = pd.Index(self.terms, name="term")
        data = np.column_stack([self.params, self.std_err, self.z, self.p_value, self.ci_lower, self.ci_upper])
        return pd.DataFrame(data, index=index, columns=COLUMNS)

    def cov_frame(self) -> pd.DataFrame:
        """``cov_params`` as a DataFrame labelled by term."""
        import pandas as pd

        return pd.DataFrame(self.cov_params, index=self.terms, columns=self.terms)

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain Python values (NaN and inf become None).

        Returns
        -------
        dict
        """
        rows = []
        for i, t in enumerate(self.terms):
            row = {"term": t}
            if self.n_classes > 2:
                row["class"], row["term"] = self._index[i][0], self._index[i][1]
            for c, v in zip(
                COLUMNS, (self.params, self.std_err, self.z, self.p_value, self.ci_lower, self.ci_upper), strict=True
            ):
                row[c] = v[i]
            rows.append(row)
        out = {
            "model": "Logit" if self.n_classes == 2 else "MNLogit",
            "classes": list(self.classes),
            "baseline_class": self.classes[0] if self.n_classes > 2 else None,
            "positive_class": self.classes[1] if self.n_classes == 2 else None,
            "dep_var": self.dep_var,
            "cov_type": self.cov_type,
            "weight_type": self.weight_type,
            "alpha": self.alpha,
            "nobs": self.nobs,
            "n_rows": self.n_rows,
            "df_model": self.df_model,
            "df_resid": self.df_resid,
            "log_likelihood": self.log_likelihood,
            "null_log_likelihood": self.null_log_likelihood,
            "llr": self.llr,
            "llr_pvalue": self.llr_pvalue,
            "pseudo_r2": self.pseudo_r2,
            "aic": self.aic,
            "bic": self.bic,
            "deviance": self.deviance,
            "n_iter": self.n_iter,
            "converged": self.converged,
            "solver": self.solver,
            "penalized": self.penalized,
            "valid_inference": self.valid_inference,
            "n_groups": self.n_groups,
            "ci_method": self.ci_method,
            "standardized": self.standardized,
            "per_sd": self.per_sd,
            "penalized_log_likelihood": self.penalized_log_likelihood,
            "coefficients": rows,
            "notes": list(self.notes),
        }
        return jsonable(out)

    def to_json(self, **kwargs: Any) -> str:
        """:meth:`to_dict` as a JSON string (``kwargs`` go to ``json.dumps``)."""
        return json.dumps(self.to_dict(), allow_nan=False, **kwargs)

    def __repr__(self):
        return f"<LogisticSummary: {len(self.terms)} terms, cov_type={self.cov_type!r}, log-likelihood={self.log_likelihood:.6g}>"

    def __str__(self):
        return self.as_text()

    def as_text(self, width: int = 78) -> str:
        """A text table in the layout of statsmodels' ``Logit.summary()``."""
        title = ("Logit" if self.n_classes == 2 else "MNLogit") + " Regression Results"
        if self.penalized:
            title = "Penalised " + title
        # a binary model gives the probability of classes[1]: name it, as the report and explain do
        dep = f"{self.dep_var} = {self.classes[1]}" if self.n_classes == 2 else str(self.dep_var)
        left = [
            ("Dep. Variable:", dep),
            ("Model:", "Logit" if self.n_classes == 2 else "MNLogit"),
            ("Method:", "MLE" if not self.penalized else f"penalised ({self.penalty})"),
            ("Solver:", str(self.solver)),
            ("Iterations:", str(self.n_iter)),
            ("converged:", str(self.converged)),
            ("Covariance Type:", self.cov_type),
            ("AIC:", f"{self.aic:.4g}"),
        ]
        right = [
            ("No. Observations:", f"{self.nobs:g}"),
            ("Df Residuals:", f"{self.df_resid:g}"),
            ("Df Model:", f"{self.df_model:d}"),
            ("Pseudo R-squ.:", f"{self.pseudo_r2:.4f}"),
            ("Log-Likelihood:", f"{self.log_likelihood:.5g}"),
            ("LL-Null:", f"{self.null_log_likelihood:.5g}"),
            ("LLR p-value:", f"{self.llr_pvalue:.4g}"),
            ("BIC:", f"{self.bic:.4g}"),
        ]
        half = width // 2
        lines = [title.center(width)]
        if self.standardized:
            lines.append("Fitted on standardised columns; coefficients on the original scale".center(width))
        lines.append("=" * width)
        for (lk, lv), (rk, rv) in zip(left, right, strict=True):
            lhs = lk + str(lv).rjust(half - 3 - len(lk))
            rhs = rk + str(rv).rjust(width - half - len(rk))
            lines.append(lhs + "   " + rhs)
        lines.append("=" * width)
        lo, hi = self.alpha / 2, 1 - self.alpha / 2
        labels = self._labels()
        label_w = max([len(t) for t in labels] + [12])
        rows = [
            [label.ljust(label_w)]
            + [float(v[i]) for v in (self.params, self.std_err, self.z, self.p_value, self.ci_lower, self.ci_upper)]
            for i, label in enumerate(labels)
        ]
        # column widths from the content: large values widen their column instead of touching the next
        head, *table = text_table(
            ["", "coef", "std err", "z", "P>|z|", f"[{lo:.3g}", f"{hi:.3g}]"], rows, left=1, min_width=11
        )
        table_w = max(width, len(head))
        body = [head, "-" * table_w]
        current = None
        for i, line in enumerate(table):
            if self.n_classes > 2 and self._index[i][0] != current:
                current = self._index[i][0]
                body.append(f"y={current}".ljust(table_w, " "))
            body.append(line)
        lines += body + ["=" * table_w]
        per_sd = self.per_sd
        if per_sd:
            lines.append("Per standard deviation of each column (the standardised scale the fit ran on):")
            lines += text_table(["", "coef/sd", "std err/sd"], [list(r) for r in per_sd], left=1, min_width=11)
            lines.append("=" * table_w)
        if self.notes:
            lines.append("Notes:")
            for j, note in enumerate(self.notes, 1):
                lines.append(f"[{j}] {note}")
        return "\n".join(lines)

    def _labels(self):
        if self.n_classes > 2:
            return [t for _, t in self._index]
        return list(self.terms)
