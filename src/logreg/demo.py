"""The main job, ``logreg demo``: a logistic-regression analysis of a real survey.

Data: the subset of the 1996 American National Election Study that
statsmodels ships as ``statsmodels.datasets.anes96`` (public domain, 944
respondents), bundled with logreg as ``logreg/data/anes96.csv`` so the demo
needs nothing beyond logreg's own dependencies.

Question: how do party identification and ideology, beside age, education
and income, predict the expected vote for Dole rather than Clinton?

Model: P(vote = Dole | x) = σ(b + w · x), x = (PID, selfLR, age, educ,
income) in their survey units (educ and income as their ordinal codes),
fitted by unpenalised maximum likelihood on 75% of the respondents
(stratified by vote, seed 0).  The fit is not separated (every predicted
probability is inside (0, 1) and the Fisher information is well
conditioned), so the Wald and profile-likelihood intervals are valid
inference.  The other 25% are held out for the evaluation: log loss, Brier,
ROC AUC, calibration in quantile bins.

:func:`run` computes everything and writes the report; :func:`render`
prints it; ``logreg demo`` calls both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from ._table import format_number, text_table
from ._version import __version__

__all__ = ["CLASSES", "FEATURES", "DemoResult", "fit_model", "load_anes96", "render", "run", "split"]

#: The predictors, in survey units.
FEATURES = ("PID", "selfLR", "age", "educ", "income")
#: What one unit of each predictor is.
UNITS = {
    "PID": "party identification, 0 strong Democrat .. 6 strong Republican",
    "selfLR": "self-placement, 1 extremely liberal .. 7 extremely conservative",
    "age": "years",
    "educ": "education level, 1 (grades 1-8) .. 7 (PhD)",
    "income": "household income bracket, 1 .. 24",
}
#: vote 0 and 1 of the survey; the model gives the probability of CLASSES[1].
CLASSES = ("Clinton", "Dole")
TARGET = "vote"
TEST_SIZE = 0.25
SEED = 0
#: The fit stops when the gradient's max-norm is below this (far below what the statistics need).
TOL = 1e-10
ALPHA = 0.05
#: Calibration bins of the held-out rows (about 24 rows each).
CALIBRATION_BINS = 10


def load_anes96():
    """The bundled ANES 1996 subset.

    Returns
    -------
    columns : dict of str -> ndarray of shape (944,)
        Every column of the file (popul, TVnews, selfLR, ClinLR, DoleLR, PID,
        age, educ, income, vote), as float64.
    """
    text = resources.files("logreg").joinpath("data", "anes96.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    names = lines[0].split(",")
    values = np.array([[float(v) for v in line.split(",")] for line in lines[1:] if line], dtype=np.float64)
    return {name: values[:, j] for j, name in enumerate(names)}


def design():
    """The predictors and the labels of every respondent.

    Returns
    -------
    X : ndarray of shape (944, 5)
        ``FEATURES`` in survey units.
    y : ndarray of shape (944,)
        "Clinton" or "Dole".
    """
    cols = load_anes96()
    X = np.column_stack([cols[f] for f in FEATURES])
    y = np.asarray(CLASSES, dtype=object)[cols[TARGET].astype(int)].astype(str)
    return X, y


def split(X, y):
    """75% training, 25% held out, stratified by the vote (fixed seed).

    Returns
    -------
    X_train, X_test, y_train, y_test
    """
    from sklearn.model_selection import train_test_split

    return train_test_split(X, y, test_size=TEST_SIZE, stratify=y, random_state=SEED)


def named(X):
    """X as a pyarrow Table with the predictors' names (the model then names its terms)."""
    import pyarrow as pa

    return pa.table({name: np.ascontiguousarray(X[:, j]) for j, name in enumerate(FEATURES)})


def fit_model(X_train, y_train, callback=None):
    """The demo's model: unpenalised maximum likelihood.

    Parameters
    ----------
    X_train : ndarray of shape (n, 5)
    y_train : ndarray of shape (n,)
    callback : callable, optional
        ``callback(iteration, objective, grad_norm)`` (the CLI's --verbose log).

    Returns
    -------
    logreg.LogisticRegression
    """
    from .estimator import LogisticRegression

    model = LogisticRegression(penalty=None, tol=TOL, max_iter=100)
    return model.fit(named(X_train), y_train, callback=callback)


@dataclass
class DemoResult:
    """Everything the demo computed.

    Attributes
    ----------
    model : LogisticRegression
    n_train, n_test : int
    summary : logreg.stats.LogisticSummary
        Wald intervals (the statsmodels layout).
    profile : logreg.stats.LogisticSummary
        The same fit with profile-likelihood intervals.
    odds_ratios : list of tuple
        (term, OR, Wald lower, Wald upper, profile lower, profile upper), slopes only.
    margins : list of tuple
        (term, dP/dx, std err, z, p, lower, upper): average marginal effects on P(Dole).
    evaluation : logreg.metrics.Evaluation
        On the held-out rows (quantile calibration bins).
    max_train_prob_gap : float
        min over training rows of min(p, 1 - p): > 0 means no row is fitted as certain.
    page : pathlib.Path or None
        The report, once written.
    """

    model: object
    n_train: int
    n_test: int
    summary: object
    profile: object
    odds_ratios: list
    margins: list
    evaluation: object
    max_train_prob_gap: float
    page: Path | None = None
    files: dict = field(default_factory=dict)

    def to_dict(self):
        """JSON-ready form (``logreg demo --json``)."""
        m = self.model
        return {
            "data": "ANES 1996 (statsmodels.datasets.anes96, public domain), bundled as logreg/data/anes96.csv",
            "target": TARGET,
            "positive_class": CLASSES[1],
            "features": list(FEATURES),
            "n_train": self.n_train,
            "n_test": self.n_test,
            "fit": {
                "solver": m.solver_,
                "n_iter": int(m.n_iter_[0]),
                "converged": bool(m.converged_),
                "objective": float(m.objective_history_[-1]),
            },
            "summary": self.summary.to_dict(),
            "profile_intervals": {
                t: [float(lo), float(hi)]
                for t, lo, hi in zip(self.profile.terms, self.profile.ci_lower, self.profile.ci_upper, strict=True)
            },
            "odds_ratios": [dict(zip(_OR_KEYS, row, strict=True)) for row in self.odds_ratios],
            "marginal_effects": [dict(zip(_ME_KEYS, row, strict=True)) for row in self.margins],
            "evaluation": self.evaluation.to_dict(),
            "report": None if self.page is None else str(self.page),
            "model": self.files.get("model"),
        }


_OR_KEYS = ("term", "odds_ratio", "wald_lower", "wald_upper", "profile_lower", "profile_upper")
_ME_KEYS = ("term", "dydx", "std_err", "z", "p_value", "ci_lower", "ci_upper")


def odds_ratios(wald, profile):
    """exp of each slope and of both intervals' ends (the intervals transform; the errors do not).

    Returns
    -------
    list of tuple
        (term, OR, Wald lower, Wald upper, profile lower, profile upper).
    """
    rows = []
    for i, term in enumerate(wald.terms):
        if term == "const":
            continue
        ends = (wald.ci_lower[i], wald.ci_upper[i], profile.ci_lower[i], profile.ci_upper[i])
        rows.append((term, math.exp(wald.params[i]), *(math.exp(v) for v in ends)))
    return rows


def run(report_dir=None, *, callback=None):
    """Fit, infer, evaluate and (with ``report_dir``) write the report and model.json.

    Parameters
    ----------
    report_dir : str or os.PathLike, optional
    callback : callable, optional
        Passed to the fit.

    Returns
    -------
    DemoResult
    """
    from . import report as rep
    from .inference.margins import margins_table
    from .metrics import evaluate

    X, y = design()
    X_train, X_test, y_train, y_test = split(X, y)
    model = fit_model(X_train, y_train, callback=callback)
    T_train, T_test = named(X_train), named(X_test)
    summary = model.summary(T_train, y_train, alpha=ALPHA)
    summary.dep_var = TARGET
    profile = model.summary(T_train, y_train, alpha=ALPHA, ci="profile")
    profile.dep_var = TARGET
    index, table = margins_table(model, T_train, "overall", alpha=ALPHA)
    margins = [(term, *map(float, row)) for (_, term), row in zip(index, table, strict=True)]
    p_train = model.predict_proba(T_train)[:, 1]
    evaluation = evaluate(model, T_test, y_test, n_bins=CALIBRATION_BINS, strategy="quantile")
    result = DemoResult(
        model=model,
        n_train=len(y_train),
        n_test=len(y_test),
        summary=summary,
        profile=profile,
        odds_ratios=odds_ratios(summary, profile),
        margins=margins,
        evaluation=evaluation,
        max_train_prob_gap=float(np.min(np.minimum(p_train, 1.0 - p_train))),
    )
    if report_dir is not None:
        built = rep.build_report(
            model,
            T_test,
            y_test,
            evaluation=evaluation,
            summary=profile,
            title="logreg demo: the 1996 vote, Dole against Clinton (ANES 1996)",
            subtitle=(
                f"{result.n_train} training respondents, {result.n_test} held out; unpenalised maximum likelihood "
                f"on {', '.join(FEATURES)}; positive class {CLASSES[1]} (the model gives P(vote = {CLASSES[1]}))"
            ),
            facts={
                "data": "ANES 1996 subset (statsmodels.datasets.anes96, public domain), bundled with logreg",
                "train rows": result.n_train,
                "test rows": result.n_test,
            },
            tables=_report_tables(result),
        )
        result.page = built.write(report_dir)
        model_path = Path(report_dir) / "model.json"
        model.save(model_path)
        result.files["model"] = str(model_path)
    return result


def _report_tables(result):
    lo, hi = f"{ALPHA / 2:.3g}", f"{1 - ALPHA / 2:.3g}"
    return [
        (
            "Odds ratios per unit of each predictor",
            ["term", "odds ratio", f"Wald {lo}", f"Wald {hi}", f"profile {lo}", f"profile {hi}"],
            [list(r) for r in result.odds_ratios],
        ),
        (
            f"Average marginal effects on P({CLASSES[1]}) (delta-method errors)",
            ["term", "dP/dx", "std err", "z", "P>|z|", lo, hi],
            [list(r) for r in result.margins],
        ),
    ]


def render(result):
    """The demo's text output.

    Parameters
    ----------
    result : DemoResult

    Returns
    -------
    str
    """
    m = result.model
    lo, hi = f"[{ALPHA / 2:.3g}", f"{1 - ALPHA / 2:.3g}]"
    lines = [
        f"logreg {__version__} demo: who expected to vote for Dole rather than Clinton? The 1996 American "
        "National Election Study (944 respondents, public domain; bundled from statsmodels.datasets.anes96).",
        f"Model: P(vote = {CLASSES[1]}) = σ(b + w·x), x = {', '.join(FEATURES)}; unpenalised maximum likelihood "
        f"on {result.n_train} respondents, {result.n_test} held out (stratified, seed {SEED}).",
        "Units: " + "; ".join(f"{k}: {v}" for k, v in UNITS.items()) + ".",
        f"fit: solver {m.solver_}, {int(m.n_iter_[0])} iterations, "
        f"{'converged' if m.converged_ else 'NOT converged'}, objective {m.objective_history_[-1]:.12f}; "
        f"no separation (every training probability within [{result.max_train_prob_gap:.2g}, "
        f"1 - {result.max_train_prob_gap:.2g}])",
        "",
        result.summary.as_text(),
        "",
        f"Odds ratios of voting {CLASSES[1]} per unit of each predictor, with {1 - ALPHA:.0%} Wald and "
        "profile-likelihood intervals:",
        *(
            "  " + line
            for line in text_table(
                ["", "odds ratio", f"Wald {lo}", hi, f"profile {lo}", hi],
                [list(r) for r in result.odds_ratios],
                min_width=10,
            )
        ),
        "",
        f"Average marginal effects on P({CLASSES[1]}) per unit (delta-method standard errors):",
        *(
            "  " + line
            for line in text_table(
                ["", "dP/dx", "std err", "z", "P>|z|", lo, hi], [list(r) for r in result.margins], min_width=10
            )
        ),
        "",
        f"Held-out evaluation ({result.n_test} respondents the fit never saw):",
        str(result.evaluation),
        "  calibration (quantile bins: rows, mean predicted, observed, 95% Wilson interval):",
        *("    " + line for line in _calibration_lines(result.evaluation.calibration)),
    ]
    if result.page is not None:
        lines += ["", f"report written to {result.page} (with the PNG plots and model.json beside it)"]
    return "\n".join(lines)


def _calibration_lines(b):
    rows = [
        [f"{lo_:.3f}-{hi_:.3f}", str(int(n)), format_number(mp), format_number(fp), format_number(a), format_number(c)]
        for lo_, hi_, n, mp, fp, a, c in zip(
            b["bin_lower"],
            b["bin_upper"],
            b["count"],
            b["mean_predicted"],
            b["fraction_positive"],
            b["ci_lower"],
            b["ci_upper"],
            strict=True,
        )
    ]
    return text_table(["bin", "rows", "predicted", "observed", "lower", "upper"], rows, min_width=8)
