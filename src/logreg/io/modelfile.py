"""The model file: versioned, validated JSON, never pickle.

A pickle runs code when it is loaded, so a model received from someone else
would be a program; JSON is data.  Loading validates the whole schema and
every shape and refuses anything else with one clear
:class:`~logreg.exceptions.ModelFileError`.

Format version 1, one JSON object::

    format            "logreg-model"
    format_version    1
    logreg_version    the version that wrote the file
    created           UTC time, ISO 8601
    classes           [c0, c1, ...]            (K >= 2 labels: str, int, float or bool)
    feature_names     [f0, ..., f_{d-1}]       (the model's d input features)
    feature_names_in  true when the estimator was fitted on named columns
    coef              [[...d numbers]]         (1 row for two classes, K rows otherwise)
    intercept         [...]                    (1 or K numbers)
    options           the estimator's parameters (C, penalty, solver, ...)
    training          solver used, iterations, convergence, objective history, rows
    columns           optional: how source columns become features (one-hot levels,
                      fill values), see logreg.io.tables.ColumnEncoding
    formula           optional: the formula, the levels of its categorical factors and
                      the states of its transforms (logreg.formula.FormulaDesign)
    standardization   optional: the means and scales of a standardize=True fit (its
                      coef and intercept are on the original scale)
    coef_bounds       optional: {"lower": [[...]], "upper": [[...]]}, coef's shape, the box
                      of the fit's coef_bounds (null: unbounded on that side)
    target, weight    optional: the column names used in training
    offset            optional: the column of offsets added to z (logreg fit --offset);
                      predict and evaluate read it from the data
    statistics        optional: likelihood measures (log_likelihood, aic, bic, ...) and
                      "inference", the sufficient statistics that ``summary()`` needs
                      (Fisher information and sandwich meats, see logreg.stats), so a
                      loaded model has its inference table without the training data
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..exceptions import ModelFileError
from ..model import FittedModel
from .inputs import read_regular
from .model_doc import FORMAT, FORMAT_VERSION, MAX_STORED_PARAMS, document_text, json_values, write_fitted
from .restore import fitted_from_doc, options_params
from .schema import Invalid, validate

__all__ = ["FORMAT", "FORMAT_VERSION", "MAX_STORED_PARAMS", "ModelFile", "dumps", "loads", "read_model", "write_model"]

_jsonable = json_values  # JSON-ready values (the command line's training facts use it too)


#: Refuse absurdly large files before parsing them (a model of a million
#: features is ~25 MB of JSON).
MAX_BYTES = 512 * 1024 * 1024


@dataclass
class ModelFile:
    """A loaded model file.

    Attributes
    ----------
    model : logreg.LogisticRegression
        Fitted, ready to predict: an estimator wrapping ``fitted``.
    feature_names : list of str
    columns : list of ColumnEncoding or None
        How to turn a table into the features (files written by the CLI).
    target, weight : str or None
    offset : str or None
        The offset column (``logreg fit --offset``).
    training : dict
    statistics : dict or None
    format_version : int
    logreg_version : str
    fitted : logreg.model.FittedModel or None
        The fit the file holds.
    """

    model: Any
    feature_names: list
    columns: list | None = None
    target: str | None = None
    weight: str | None = None
    offset: str | None = None
    training: dict = field(default_factory=dict)
    statistics: dict | None = None
    format_version: int = FORMAT_VERSION
    logreg_version: str = __version__
    fitted: FittedModel | None = None


# ------------------------------------------------------------------ write
def _fitted_and_options(model):
    """A fitted estimator's FittedModel and parameters."""
    from sklearn.exceptions import NotFittedError

    try:
        return model.fitted_model(), model.get_params()
    except NotFittedError:
        raise ModelFileError("the model is not fitted; call fit before saving it") from None


def dumps(model, *, columns=None, target=None, weight=None, training=None, statistics=None, offset=None):
    """The model file's JSON text for a fitted estimator.

    Parameters
    ----------
    model : logreg.LogisticRegression
        Fitted.
    columns : list of ColumnEncoding, optional
        The source-column encoding; its feature names must equal the model's.
    target, weight : str, optional
        Column names used in training.
    training : dict, optional
        Extra training facts (rows read, rows dropped, missing policy...),
        merged into the ``training`` section.
    statistics : dict, optional
        Likelihood measures; by default taken from the model's summary when
        the fit stored its inference statistics.
    offset : str, optional
        The column of offsets the model was fitted with (the CLI's ``--offset``).

    Returns
    -------
    str
    """
    fitted, options = _fitted_and_options(model)
    return document_text(
        fitted,
        options,
        columns=columns,
        target=target,
        weight=weight,
        training=training,
        statistics=statistics,
        offset=offset,
    )


def write_model(path, model, **kwargs):
    """Write the model file atomically (temp file in the same directory, then rename).

    Parameters
    ----------
    path : str or os.PathLike
    model : logreg.LogisticRegression
    **kwargs
        Passed to :func:`dumps`.

    Raises
    ------
    ModelFileError
        The model is not fitted.
    logreg.io.atomic.OutputPathError
        The directory does not exist or the path is a directory.
    """
    fitted, options = _fitted_and_options(model)
    write_fitted(path, fitted, options, **kwargs)


# ------------------------------------------------------------------- read
def _fail(msg):
    raise Invalid(msg)


def _parse(doc, source):
    """Validate a parsed document and build the ModelFile (raises Invalid)."""
    if isinstance(doc, dict):
        # the two checks that decide which message helps: not a model file at all, or a newer one
        if doc.get("format") != FORMAT:
            _fail(f"'format' is {json.dumps(doc.get('format'))[:60]}, expected {json.dumps(FORMAT)}")
        version = doc.get("format_version")
        if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
            raise ModelFileError(
                f"{source} is model format {str(version)[:20]}, written by logreg {str(doc.get('logreg_version'))[:40]}; "
                f"this logreg ({__version__}) reads format {FORMAT_VERSION}: upgrade logreg"
            )
    doc = validate(doc)
    params = options_params(doc["options"])
    _check_params(params)
    fitted, columns = fitted_from_doc(doc, params)
    if fitted.coef_bounds is not None:
        params["coef_bounds"] = fitted.coef_bounds  # a refit of the loaded model keeps the box
    model = _estimator_class().from_fitted(fitted, **params)
    statistics = doc.get("statistics")
    if statistics is not None and statistics.get("inference") is not None:
        inference = {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in statistics["inference"].items()}
        statistics = {**statistics, "inference": inference}
    return ModelFile(
        model=model,
        feature_names=list(doc["feature_names"]),
        columns=columns,
        target=doc.get("target"),
        weight=doc.get("weight"),
        offset=doc.get("offset"),
        training=doc.get("training") or {},
        statistics=statistics,
        format_version=doc["format_version"],
        logreg_version=doc["logreg_version"],
        fitted=fitted,
    )


def _estimator_class():
    from ..estimator import LogisticRegression

    return LogisticRegression


def _check_params(params):
    """The estimator's own checks of the file's options (raises Invalid)."""
    from .._validation import check_class_weight

    try:
        _estimator_class()(**params)._validate_params()
        check_class_weight(params.get("class_weight"))
    except (ValueError, TypeError) as exc:
        _fail(f"invalid options: {' '.join(str(exc).split())}")


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def loads(text, source="<string>"):
    """Parse and validate model-file text.

    Parameters
    ----------
    text : str
    source : str
        How to name the file in messages.

    Returns
    -------
    ModelFile

    Raises
    ------
    ModelFileError
    """
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        # a string still open at the end of the text is a cut too (json reports where the string began)
        ends_early = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        where = "it ends too early (truncated?)" if ends_early else f"line {exc.lineno}"
        raise ModelFileError(f"{source} is not valid JSON: {exc.msg}; {where}") from None
    except (ValueError, RecursionError) as exc:
        raise ModelFileError(f"{source} is not valid JSON: {exc}") from None
    try:
        return _parse(doc, source)
    except Invalid as exc:
        raise ModelFileError(
            f"{source} is not a valid logreg model file: {exc}; it was changed or damaged after logreg wrote it: "
            "refit and save the model again"
        ) from None


def _looks_like_pickle(head):
    # protocol 2+ starts with PROTO (0x80) then the protocol number
    return len(head) >= 2 and head[0] == 0x80 and head[1] <= 5


def read_model(path):
    """Read and validate a model file.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    ModelFile

    Raises
    ------
    ModelFileError
        Missing, a directory, a pickle, not UTF-8 JSON, truncated, or a
        schema or shape that does not check out.
    """
    name = str(Path(path))
    data = read_regular(
        path, MAX_BYTES, what="model file", error=ModelFileError, hint="give the .json file written by 'logreg fit'"
    )
    if not data.strip():
        raise ModelFileError(f"model file {name} is empty")
    if _looks_like_pickle(data[:2]):
        raise ModelFileError(
            f"{name} is a Python pickle; logreg never loads pickles (loading one can run arbitrary code). "
            "Refit and save with 'logreg fit' or LogisticRegression.save"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ModelFileError(f"{name} is not a logreg model file (not UTF-8 JSON text)") from None
    return loads(text, name)
