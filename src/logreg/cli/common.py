"""What the commands share: the readers, the option checks, and a table encoded for a model file.

The readers and writers (pyarrow; through the model file, the estimator) are
imported on first use, so that ``logreg --help`` imports none of numpy,
scipy, scikit-learn, numba or dask.
"""

from __future__ import annotations

from pathlib import Path

from ..io.limits import MISSING_POLICIES
from .errors import BadInput

__all__ = [
    "check_labels",
    "check_missing",
    "model_input",
    "named",
    "output_format",
    "prepare",
    "prepare_training",
    "read_labelled",
    "read_model",
    "read_table",
    "refuse_overwriting",
    "source_name",
    "split",
    "write_model",
]


def read_table(*args, **kwargs):
    """:func:`logreg.io.inputs.read_table`, imported on first use."""
    from ..io.inputs import read_table

    return read_table(*args, **kwargs)


def read_model(path):
    """:func:`logreg.io.modelfile.read_model`, imported on first use."""
    from ..io.modelfile import read_model

    return read_model(path)


def write_model(path, model, **kwargs):
    """:func:`logreg.io.modelfile.write_model`, imported on first use."""
    from ..io.modelfile import write_model

    return write_model(path, model, **kwargs)


def prepare_training(table, **kwargs):
    """:func:`logreg.io.tables.prepare_training`, imported on first use."""
    from ..io.tables import prepare_training

    return prepare_training(table, **kwargs)


# ------------------------------------------------------------------ checks
def split(value):
    """A comma-separated option as a list of names (None stays None)."""
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        raise BadInput(f"empty column list {value!r}")
    return items


def source_name(data):
    """How messages name DATA."""
    return "standard input" if str(data) == "-" else str(data)


def check_missing(missing):
    """The --missing policy, or bad input."""
    if missing not in MISSING_POLICIES:
        raise BadInput(f"--missing must be one of {', '.join(MISSING_POLICIES)}, got {missing!r}")
    return missing


def refuse_overwriting(output, *inputs):
    """An output may not replace one of the command's inputs."""
    out = Path(output).resolve()
    for src in inputs:
        if src is not None and str(src) != "-" and Path(src).resolve() == out:
            raise BadInput(f"output {str(output)!r} is also an input of this command; write to another file")


def output_format(path):
    """'csv' or 'parquet' from the suffix; None for standard output."""
    if path is None or str(path) == "-":
        return None
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise BadInput(f"cannot tell the output format of {str(path)!r}; name it .csv or .parquet")


# ------------------------------------------------------------ data for a model
def prepare(mf, table, **kwargs):
    """Encode a table for a model file: its formula, or its column encoding (plain numeric
    columns for a model saved from Python on arrays), with its offset column if it has one."""
    if mf.offset is not None:
        kwargs["offset"] = mf.offset
    encoding = mf.model.fitted_model().encoding
    if encoding is not None and encoding.formula is not None:
        from ..io.encoding import prepare_formula_prediction

        if kwargs.get("missing") == "mean":
            raise BadInput("--missing mean is not available for a model fitted from a formula; use refuse or drop")
        return prepare_formula_prediction(table, encoding.formula, **kwargs)
    from ..io.tables import ColumnEncoding, prepare_prediction

    columns = mf.columns if mf.columns is not None else [ColumnEncoding(n, "numeric") for n in mf.feature_names]
    return prepare_prediction(table, columns, **kwargs)


def named(X, names):
    """X as a pyarrow Table with the feature names as columns.

    scikit-learn reads column names from it, so the fitted model has
    ``feature_names_in_`` and its summary names the terms.
    """
    import pyarrow as pa

    return pa.table({name: X[:, j] for j, name in enumerate(names)})


def model_input(model, X, names):
    """What to pass to a fitted model: named columns when it was fitted on names."""
    return named(X, names) if hasattr(model, "feature_names_in_") else X


def read_labelled(data, mf, target, weight, missing, extra_column=None):
    """Encode DATA for a model, with labels (and weights, and one more column)."""
    target = target or mf.target
    if target is None:
        raise BadInput("--target is needed: the model file does not record its target column")
    weight = weight if weight is not None else mf.weight
    design = prepare(
        mf,
        read_table(data),
        target=target,
        weight=weight,
        id_column=extra_column,
        missing=missing,
        source=source_name(data),
    )
    check_labels(design.y, mf.model.classes_, target)
    return design


def check_labels(y, classes, target):
    """Labels the model was not fitted on are bad input.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
    classes : array-like of shape (n_classes,)
        The model's ``classes_``.
    target : str
        The label column, for the message.
    """
    import numpy as np  # not at import: the help screens need none of it

    known = np.asarray(classes).tolist()
    unknown = sorted(set(np.unique(y).tolist()) - set(known), key=str)
    if unknown:
        shown = ", ".join(map(repr, unknown[:5]))
        raise BadInput(
            f"target {target!r} has labels the model was not fitted on: {shown}; the model knows "
            f"{', '.join(map(repr, known))}"
        )
