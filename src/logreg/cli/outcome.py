"""What a CLI fit ends with, in memory or streamed: the check that it did not diverge, and its result."""

from __future__ import annotations

import math

from .errors import BadInput

__all__ = ["fit_result", "refuse_diverged"]


def refuse_diverged(model):
    """A fit whose objective or coefficients blew up is not a model: nothing is written.

    Bad input (exit 2): the options chose a step that diverges (``--solver gd
    --learning-rate 1e6``), or the data overflow the objective.
    """
    import numpy as np  # not at import: the help screens need none of it

    from ..io.schema import MAX_ABS_COEF

    history = np.asarray(model.objective_history_, dtype=np.float64)
    coef = np.concatenate([np.ravel(model.coef_), np.ravel(model.intercept_)]).astype(np.float64)
    big = float(np.max(np.abs(coef))) if np.all(np.isfinite(coef)) else math.inf
    last = float(history[-1]) if history.size else 0.0
    if math.isfinite(last) and big <= MAX_ABS_COEF:
        return
    hint = (
        "use a smaller --learning-rate, or leave it out for a line search"
        if model.solver_ == "gd"
        else "rescale the features (e.g. standardise them) or add a penalty (--C)"
    )
    raise BadInput(
        f"the fit diverged (objective {last:.3g}, coefficients as large as {big:.3g}) with solver "
        f"{model.solver_}; the model was not written: {hint}"
    )


def fit_result(model, design, model_path, out):
    """The fit's result as a dict (what ``--json`` prints)."""
    import numpy as np  # not at import: the help screens need none of it

    classes = np.asarray(model.classes_).tolist()
    return {
        "model": str(model_path),
        "n_samples": int(design.n_samples),
        "n_rows_dropped": int(design.n_rows_dropped),
        "n_features": len(design.feature_names),
        "feature_names": design.feature_names,
        "classes": classes,
        "solver": model.solver_,
        "n_iter": int(model.n_iter_[0]),
        "converged": bool(model.converged_),
        "objective": float(model.objective_history_[-1]) if len(model.objective_history_) else None,
        "grad_norm": float(model.grad_norm_),
        "coef": model.coef_.tolist(),
        "intercept": model.intercept_.tolist(),
        "warnings": out.warnings,
    }
