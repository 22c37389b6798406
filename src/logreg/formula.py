"""Model formulas, ``"admit ~ gre + gpa + C(rank) + gre:gpa"``, through formulaic.

The right-hand side becomes the design matrix as in R and statsmodels
(treatment coding of categorical factors, interactions, stateful transforms);
its column names (``C(rank)[T.2]``, ``gre:gpa``) are the model's feature
names.  The formula's own ``Intercept`` column is left out: the intercept is
the estimator's ``fit_intercept``, and a formula without one (``- 1`` or
``+ 0``) must be fitted with ``fit_intercept=False``.

A design on new rows depends on what the training rows taught the formula:
the levels of each categorical factor and the state of the stateful
transforms (``center``, ``scale``, ``bs``).  :class:`FormulaDesign` keeps the
formula's text and that state as plain JSON, so a model file can carry it
(never a pickle).  formulaic evaluates factors as Python expressions, and a
model file may come from anyone: every factor is checked against a small
grammar before anything is evaluated (column names, numbers, arithmetic and
comparisons, calls of a fixed list of functions: :mod:`logreg.formula_grammar`),
at fit and at load.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .formula_grammar import dotted, intercept_in, one_line, parse, target_name

__all__ = ["FormulaDesign", "as_frame"]


def as_frame(data: Any) -> Any:
    """A pandas DataFrame of a pandas, polars or pyarrow table, or of a dict of columns.

    Parameters
    ----------
    data : pandas.DataFrame, polars.DataFrame, pyarrow.Table or mapping of str to array-like

    Returns
    -------
    pandas.DataFrame
        ``data`` itself when it is one (never modified).
    """
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    if hasattr(data, "to_pandas") and (hasattr(data, "column_names") or hasattr(data, "schema")):
        return data.to_pandas()  # pyarrow Table, polars DataFrame
    if isinstance(data, Mapping):
        return pd.DataFrame(dict(data))
    raise TypeError(
        f"formula data must be a table (pandas or polars DataFrame, pyarrow Table) or a dict of columns, "
        f"got {type(data).__name__}"
    )


# ------------------------------------------------------------------ state as JSON
def _jsonable(value: Any, where: str) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v, where) for k, v in value.items() if k != "contrasts"}
    if isinstance(value, list | tuple | np.ndarray):
        return [_jsonable(v, where) for v in (value.tolist() if isinstance(value, np.ndarray) else value)]
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, str | bool | int | float):
        if isinstance(value, float) and not np.isfinite(value):
            raise ValueError(f"formula factor {where!r} learned a non-finite value, which a model file cannot hold")
        return value
    raise ValueError(
        f"formula factor {where!r} learned a value of type {type(value).__name__} ({value!r}), which a model file "
        "cannot hold; convert that column to strings or numbers"
    )


class FormulaDesign:
    """A formula's right-hand side and what it learned from the training rows.

    Parameters
    ----------
    formula : str
        The formula as written, ``'target ~ terms'``.
    factors : dict
        Factor expression -> ``[kind, state]``: kind 'numerical', 'categorical'
        or 'constant'; state the levels (``{'categories': [...]}``) of a
        categorical factor.
    transforms : dict
        Stateful transform expression -> its state (numbers).
    feature_names : list of str
        The design's columns without ``Intercept``.

    Attributes
    ----------
    target : str
        The left side's column.
    intercept : bool
        Whether the right side keeps its intercept.
    """

    def __init__(
        self, formula: str, factors: dict[str, Any], transforms: dict[str, Any], feature_names: Sequence[str]
    ) -> None:
        self._parsed = parse(formula)
        self.formula = formula
        self.factors = factors
        self.transforms = transforms
        self.feature_names = list(feature_names)
        self.target = target_name(self._parsed, formula)
        self.intercept = intercept_in(self._parsed)

    # ------------------------------------------------------------ learn
    @classmethod
    def learn(
        cls, formula: str, data: Any, *, missing: str = "refuse", extra: Sequence[str] = ()
    ) -> tuple[FormulaDesign, np.ndarray, np.ndarray]:
        """Build the design of the training rows and remember how.

        Parameters
        ----------
        formula : str
        data : table (see :func:`as_frame`)
        missing : {'refuse', 'drop'}
            Missing values in the target or the columns the formula uses are
            refused, or their rows dropped.
        extra : sequence of str
            Further columns whose missing values count (a weight column).

        Returns
        -------
        design : FormulaDesign
        X : ndarray of shape (n_kept_rows, n_features)
        keep : ndarray of shape (n_rows,), bool
            The rows used.

        Raises
        ------
        ValueError
            The formula does not parse, names a column the data lacks, uses
            a construct outside the allowed grammar, or the data have missing
            values (with ``missing='refuse'``).
        """
        from formulaic import ModelSpec

        parsed = parse(formula)
        target = target_name(parsed, formula)
        frame = as_frame(data)
        _check_present(formula, parsed, target, frame, extra=extra)
        keep = _keep_rows(frame, [target, *sorted(parsed.rhs.required_variables), *extra], missing)
        rows = frame if keep.all() else frame.loc[keep]
        spec = ModelSpec(formula=parsed.rhs, na_action="raise", output="pandas", ensure_full_rank=True)
        matrix = _materialize(spec, rows, formula)
        learned = matrix.model_spec
        factors = {expr: [kind.value, _jsonable(state, expr)] for expr, (kind, state) in learned.encoder_state.items()}
        transforms = {expr: _jsonable(state, expr) for expr, state in learned.transform_state.items()}
        names = [str(c) for c in matrix.columns if str(c) != "Intercept"]
        if not names:
            raise ValueError(f"formula {formula!r} has no terms besides the intercept; add a column to its right side")
        X = np.asarray(matrix[names], dtype=np.float64)
        return cls(formula, factors, transforms, names), X, keep

    # ------------------------------------------------------------ apply
    def _spec(self) -> Any:
        from formulaic import ModelSpec
        from formulaic.parser.types import Factor

        state = {expr: (Factor.Kind(kind), dict(st)) for expr, (kind, st) in self.factors.items()}
        return ModelSpec(
            formula=self._parsed.rhs,
            na_action="raise",
            output="pandas",
            ensure_full_rank=True,
            encoder_state=state,
            transform_state={k: dict(v) if isinstance(v, dict) else v for k, v in self.transforms.items()},
        )

    def rows_to_keep(self, data: Any, missing: str = "refuse", extra: Sequence[str] = ()) -> np.ndarray:
        """Rows without missing values in the used columns (and ``extra``), by the policy."""
        frame = as_frame(data)
        used = sorted(self._parsed.rhs.required_variables)
        _check_present(self.formula, self._parsed, None, frame, extra=extra)
        return _keep_rows(frame, [*used, *extra], missing)

    def transform(self, data: Any, *, missing: str = "refuse") -> np.ndarray:
        """The design matrix of new rows, as at fit.

        Parameters
        ----------
        data : table (see :func:`as_frame`)
        missing : {'refuse', 'drop'}

        Returns
        -------
        ndarray of shape (n_rows, n_features)
            Only the kept rows with ``missing='drop'``.

        Raises
        ------
        ValueError
            A used column is absent, a categorical factor has a level unseen
            in training (named with its column), a value is missing, or a
            column has another kind of values than in training.
        """
        frame = as_frame(data)
        keep = self.rows_to_keep(frame, missing)
        rows = frame if keep.all() else frame.loc[keep]
        self._check_levels(rows)
        matrix = _materialize(self._spec(), rows, self.formula)
        names = [str(c) for c in matrix.columns if str(c) != "Intercept"]
        if names != self.feature_names:
            raise ValueError(
                f"formula {self.formula!r} gives the columns {names} on these rows, not the model's "
                f"{self.feature_names}"
            )
        return np.asarray(matrix[names], dtype=np.float64)

    def _check_levels(self, frame: Any) -> None:
        """Unseen levels of a categorical factor: a ValueError naming the column and the levels."""
        for expr, (kind, state) in self.factors.items():
            if kind != "categorical" or "categories" not in state:
                continue
            column = _factor_column(expr)
            if column is None or column not in frame.columns:
                continue
            known = state["categories"]
            unseen = sorted({v for v in frame[column].dropna().unique().tolist() if v not in set(known)}, key=str)
            if unseen:
                shown = ", ".join(map(repr, unseen[:5])) + (" …" if len(unseen) > 5 else "")
                raise ValueError(
                    f"column {column!r} has {len(unseen)} level(s) not seen in training ({shown}); the model knows "
                    f"{', '.join(map(repr, known))}"
                )

    # ------------------------------------------------------------ model file
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the model file's ``formula`` section)."""
        return {
            "formula": self.formula,
            "factors": self.factors,
            "transforms": self.transforms,
            "feature_names": list(self.feature_names),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> FormulaDesign:
        """Inverse of :meth:`to_dict`; the formula's factors are checked again (``ValueError``)."""
        return cls(d["formula"], dict(d["factors"]), dict(d["transforms"]), d["feature_names"])


def _factor_column(expr: str) -> str | None:
    """The column of a categorical factor written ``col`` or ``C(col, ...)``, else None."""
    if expr.startswith("`") and expr.endswith("`") and expr.count("`") == 2:
        return expr[1:-1]
    try:
        node = ast.parse(expr, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Call) and dotted(node.func) == "C" and node.args and isinstance(node.args[0], ast.Name):
        return node.args[0].id
    return None


def _check_present(formula: str, parsed: Any, target: str | None, frame: Any, extra: Sequence[str] = ()) -> None:
    columns = [str(c) for c in frame.columns]
    need = sorted(parsed.rhs.required_variables)
    missing = [c for c in [*([target] if target is not None else []), *need, *extra] if c not in columns]
    if missing:
        have = ", ".join(columns[:20]) + (" …" if len(columns) > 20 else "")
        role = "target column" if missing == [target] else "column(s)"
        raise ValueError(
            f"formula {formula!r} uses the {role} {', '.join(map(repr, missing))}, not in the data; it has: {have}"
        )


def _keep_rows(frame: Any, columns: Sequence[str], missing: str) -> np.ndarray:
    if missing not in ("refuse", "drop"):
        raise ValueError(f"missing must be 'refuse' or 'drop' with a formula, got {missing!r}")
    na = {c: np.asarray(frame[c].isna()) for c in dict.fromkeys(columns)}
    counts = {c: int(m.sum()) for c, m in na.items() if m.any()}
    keep: np.ndarray = np.ones(len(frame), dtype=bool)
    if not counts:
        return keep
    per = ", ".join(f"{c!r} ({n} rows)" for c, n in counts.items())
    if missing == "refuse":
        raise ValueError(f"missing values in {per}; drop those rows first, or pass missing='drop'")
    for m in na.values():
        keep &= ~m
    if not keep.any():
        raise ValueError(f"every row has a missing value ({per}); nothing is left after dropping them")
    return keep


def _materialize(spec: Any, frame: Any, formula: str) -> Any:
    from formulaic.errors import DataMismatchWarning, FormulaicError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DataMismatchWarning)
            return spec.get_model_matrix(frame)
    except DataMismatchWarning as exc:
        raise ValueError(f"formula {formula!r}: {one_line(exc)}") from None
    except (FormulaicError, ValueError, TypeError, NameError) as exc:
        raise ValueError(f"formula {formula!r} cannot be applied to the data: {one_line(exc)}") from None
