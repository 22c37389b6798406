"""``python -m logreg``: the command-line tool (see ``logreg --help``)."""

from __future__ import annotations


def main():
    try:
        from .cli import main as cli_main
    except ImportError:  # pragma: no cover - the CLI needs its optional faces installed
        cli_main = None
    if cli_main is not None:
        return cli_main()
    return _demo()


def _demo():
    """Fit scikit-learn's breast-cancer data (standardised) and print the model."""
    import numpy as np
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    from . import LogisticRegression

    data = load_breast_cancer()
    X = StandardScaler().fit_transform(data.data)
    model = LogisticRegression(C=1.0, tol=1e-8).fit(X, data.target)
    print(
        f"breast cancer: {X.shape[0]} rows x {X.shape[1]} features, solver {model.solver_}, "
        f"{model.n_iter_[0]} iterations, objective {model.objective_history_[-1]:.10f}"
    )
    order = np.argsort(-np.abs(model.coef_[0]))
    for j in order:
        print(f"  {data.feature_names[j]:<25s} {model.coef_[0, j]: .6f}")
    print(f"  {'(intercept)':<25s} {model.intercept_[0]: .6f}")
    print(f"training accuracy: {model.score(X, data.target):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
