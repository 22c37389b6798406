"""How a raw table becomes a fitted model's features, kept with the model.

A model fitted by ``logreg fit`` on a table (text columns one-hot encoded) or
from a formula remembers that step as a :class:`TableEncoding`, in its
``encoding_`` attribute and in its model file; ``predict``, ``predict_proba``,
``decision_function`` and ``score`` then accept the raw table (pandas, polars,
pyarrow) and apply it.  Missing values in a raw table are refused (the
``logreg predict --missing`` policies are the command line's); a level unseen
in training is a ValueError naming the column and the level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from ..formula import FormulaDesign
    from .tables import ColumnEncoding

__all__ = ["TableEncoding", "table_columns"]


def table_columns(X: Any) -> list[str] | None:
    """The column names of a pandas or polars DataFrame or a pyarrow Table; None for anything else."""
    names = getattr(X, "column_names", None)  # pyarrow
    if names is None and hasattr(X, "columns") and hasattr(X, "shape") and not isinstance(X, np.ndarray):
        names = X.columns  # pandas, polars
    if names is None or isinstance(X, np.ndarray):
        return None
    try:
        return [str(c) for c in list(names)]
    except TypeError:
        return None


def _arrow(X: Any) -> Any:
    import pyarrow as pa

    if isinstance(X, pa.Table):
        return X
    if hasattr(X, "to_arrow"):  # polars
        return X.to_arrow()
    return pa.Table.from_pandas(X, preserve_index=False)


@dataclass
class TableEncoding:
    """The step from a table to the features: the command line's column encoding, or a formula.

    Parameters
    ----------
    columns : list of ColumnEncoding, optional
        One-hot levels and fill values of each source column (``logreg fit``).
    formula : FormulaDesign, optional
        A formula and what it learned (:mod:`logreg.formula`).
    target, weight : str, optional
        The columns of the labels and the sample weights in training.
    """

    columns: list[ColumnEncoding] | None = None
    formula: FormulaDesign | None = None
    target: str | None = None
    weight: str | None = None

    @property
    def feature_names(self) -> list[str]:
        """The features the encoding produces, in order."""
        if self.formula is not None:
            return list(self.formula.feature_names)
        return [n for enc in self.columns or [] for n in enc.feature_names]

    def design(self, X: Any, *, source: str = "X") -> np.ndarray:
        """The model's features of a raw table.

        Parameters
        ----------
        X : pandas.DataFrame, polars.DataFrame or pyarrow.Table of shape (n_samples, n_columns)
        source : str
            How messages name the table.

        Returns
        -------
        ndarray of shape (n_samples, n_features), float64

        Raises
        ------
        ValueError
            A column is missing, has a missing value or a level unseen in
            training (:class:`logreg.io.tables.DataError` for the column encoding).
        """
        if self.formula is not None:
            return self.formula.transform(X)
        from .tables import prepare_prediction

        return prepare_prediction(_arrow(X), self.columns or [], source=source).X


def encode_if_raw(encoding: TableEncoding | None, X: Any, names: Sequence[str] | None) -> np.ndarray | None:
    """The encoded features when ``X`` is a raw table for ``encoding`` (a fitted model's), else None.

    A table whose columns are exactly the model's feature names is already
    encoded (the command line passes those) and is left to the ordinary checks.
    """
    if encoding is None:
        return None
    columns = table_columns(X)
    if columns is None or (names is not None and columns == [str(n) for n in names]):
        return None
    return encoding.design(X)


# ------------------------------------------------------------------ the command line's designs
def _formula_error(exc: ValueError) -> Exception:
    from .tables import DataError

    return DataError(str(exc))


def prepare_formula_training(table: Any, formula: str, *, weight: str | None, missing: str, source: str):
    """The training Design of a formula on a table read by the command line.

    Parameters
    ----------
    table : pyarrow.Table
    formula : str
    weight : str or None
        A column of sample weights.
    missing : {'refuse', 'drop'}
    source : str

    Returns
    -------
    design : logreg.io.tables.Design
    formula : logreg.formula.FormulaDesign

    Raises
    ------
    logreg.io.tables.DataError
        Every problem of the formula or the data, with the message of :mod:`logreg.formula`.
    """
    from ..formula import FormulaDesign
    from .columns import sample_weights, target_values
    from .tables import Design

    frame = table.to_pandas()
    try:
        learned, X, keep = FormulaDesign.learn(formula, frame, missing=missing, extra=[weight] if weight else [])
    except ValueError as exc:
        raise _formula_error(exc) from None
    y = target_values(table.column(learned.target), learned.target, source)[keep]
    if np.unique(y).size < 2:
        raise _formula_error(
            ValueError(f"target column {learned.target!r} has one class; logistic regression needs two")
        )
    sw = None if weight is None else sample_weights(table, weight, source, keep, training=True)
    n = table.num_rows
    design = Design(
        X=X,
        y=y,
        sample_weight=sw,
        ids=None,
        feature_names=list(learned.feature_names),
        columns=[],
        target=learned.target,
        weight=weight,
        n_rows_read=n,
        n_rows_dropped=int(n - keep.sum()),
        missing=missing,
    )
    return design, learned


def prepare_formula_prediction(
    table: Any,
    formula: FormulaDesign,
    *,
    target: str | None = None,
    weight: str | None = None,
    id_column: str | None = None,
    missing: str = "refuse",
    source: str = "the data",
):
    """As :func:`logreg.io.tables.prepare_prediction`, for a model fitted from a formula.

    Returns
    -------
    logreg.io.tables.Design

    Raises
    ------
    logreg.io.tables.DataError
    """
    import pyarrow as pa

    from .columns import sample_weights, target_values
    from .tables import Design

    frame = table.to_pandas()
    extra = [c for c in (target, weight) if c is not None]
    try:
        if id_column is not None and id_column not in frame.columns:
            raise ValueError(f"requested column {id_column!r} is not in {source}")
        keep = formula.rows_to_keep(frame, missing, extra=extra)
        X = formula.transform(frame if keep.all() else frame.loc[keep])
    except ValueError as exc:
        raise _formula_error(exc) from None
    y = target_values(table.column(target), target, source)[keep] if target is not None else None
    sw = None if weight is None else sample_weights(table, weight, source, keep)
    ids = None if id_column is None else table.column(id_column).combine_chunks().filter(pa.array(keep))
    return Design(
        X=X,
        y=y,
        sample_weight=sw,
        ids=ids,
        feature_names=list(formula.feature_names),
        columns=[],
        target=target,
        weight=weight,
        n_rows_read=table.num_rows,
        n_rows_dropped=int(table.num_rows - keep.sum()),
        missing=missing,
    )
