"""``logreg fit data.parquet --solver sgd``: the fit streamed over Parquet row groups.

The whole table is never in memory: one pass reads only the target and weight
columns (every label, the total weight), the first row group fixes the column
encoding, and each epoch reads the row groups one by one
(:mod:`logreg.io.row_groups`, :func:`logreg.streaming.fit_blocks`).
"""

from __future__ import annotations

from ..io.modelfile import write_model
from ..io.row_groups import first_design, labels_and_weights, row_group_blocks
from .errors import BadInput
from .outcome import fit_result, refuse_diverged

__all__ = ["fit_streamed"]


def fit_streamed(files, params, training, epochs, model_path, out):
    """Fit by epochs of partial_fit over the row groups of ``files``; write the model file.

    Parameters
    ----------
    files : list of pathlib.Path
    params : dict
        The estimator's parameters (solver 'sgd').
    training : dict
        target, features, weight, exclude, missing, reference_levels, max_levels.
    epochs : int
    model_path : pathlib.Path
    out : logreg.cli.output.Output

    Returns
    -------
    dict
        The fit's result, as for an in-memory fit.
    """
    from ..estimator import LogisticRegression
    from ..streaming import fit_blocks

    target, weight, missing = training["target"], training["weight"], training["missing"]
    with out.collect_warnings():
        design = first_design(files, **training)
    classes, weight_sum = labels_and_weights(files, target=target, weight=weight, missing=missing)
    if classes.size < 2:
        raise BadInput(
            f"target column {target!r} has one class ({classes[0]!r}); logistic regression needs two or more"
        )
    facts = {"n_rows_read": 0, "n_rows_dropped": 0, "missing_counts": {}}
    passes = []

    def blocks():
        first = not passes
        passes.append(1)
        for X, y, w, d in row_group_blocks(files, design.columns, target=target, weight=weight, missing=missing):
            if first:  # the first pass counts the rows
                facts["n_rows_read"] += d.n_rows_read
                facts["n_rows_dropped"] += d.n_rows_dropped
                for col, n in d.missing_counts.items():
                    facts["missing_counts"][col] = facts["missing_counts"].get(col, 0) + n
            yield X, y, w, d

    model = LogisticRegression(**params)
    with out.collect_warnings(), out.progress(epochs) as callback:
        try:
            fit_blocks(model, blocks, classes=classes, weight_sum=weight_sum, epochs=epochs, callback=callback)
        except ValueError as exc:
            raise BadInput(exc) from None
    refuse_diverged(model)
    n_samples = facts["n_rows_read"] - facts["n_rows_dropped"]
    training_facts = {"n_samples": n_samples, **facts, "missing": missing}
    if weight is not None:
        training_facts["sum_weights"] = float(model._sgd_.weight_seen / max(1, int(model.n_iter_[0])))
    from ..io.encoding import TableEncoding

    # the model keeps its encoding, as an in-memory fit's: predict applies it to raw tables
    model.encoding_ = TableEncoding(design.columns or None, None, target, weight)
    write_model(model_path, model, training=training_facts)
    result = fit_result(model, design, model_path, out)
    result.update(n_samples=n_samples, n_rows_dropped=facts["n_rows_dropped"], row_groups_streamed=True)
    return result
