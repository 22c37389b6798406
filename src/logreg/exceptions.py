"""Warning and error classes of logreg, stable for filtering and catching."""

from __future__ import annotations

__all__ = [
    "ConvergenceWarning",  # noqa: F822 - built on first use, see __getattr__
    "LogregWarning",
    "DataWarning",
    "SeparationWarning",
    "PerfectSeparationWarning",
    "QuasiSeparationWarning",
    "CollinearityWarning",
    "ConstantFeatureWarning",
    "ScalingWarning",
    "PenalizedInferenceWarning",
    "ModelFileError",
]


class LogregWarning(UserWarning):
    """Base class of logreg's own warnings."""


def _convergence_warning():
    from sklearn.exceptions import ConvergenceWarning as _SkConvergenceWarning

    class ConvergenceWarning(_SkConvergenceWarning, LogregWarning):
        """The solver stopped at max_iter before reaching tol.

        A subclass of scikit-learn's ConvergenceWarning, so existing filters work.
        """

    ConvergenceWarning.__module__ = __name__
    ConvergenceWarning.__qualname__ = "ConvergenceWarning"
    return ConvergenceWarning


def __getattr__(name):
    # built on first use: importing scikit-learn costs a second, which `logreg --help` need not pay
    if name == "ConvergenceWarning":
        globals()[name] = cls = _convergence_warning()
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class DataWarning(LogregWarning):
    """Something about the data makes estimates unreliable."""


class SeparationWarning(DataWarning):
    """The classes are (quasi-)separated: maximum-likelihood estimates do not exist."""


class PerfectSeparationWarning(SeparationWarning):
    """A linear combination of features separates the classes perfectly."""


class QuasiSeparationWarning(SeparationWarning):
    """The classes are separated except for ties on the boundary."""


class CollinearityWarning(DataWarning):
    """Columns are (nearly) linearly dependent."""


class ConstantFeatureWarning(CollinearityWarning):
    """A column is constant (collinear with the intercept)."""


class ScalingWarning(DataWarning):
    """Features differ in scale by orders of magnitude."""


class PenalizedInferenceWarning(LogregWarning):
    """Standard errors of a penalised fit are not valid inference."""


class ModelFileError(ValueError):
    """A model file is missing, malformed, or not a logreg model."""
