"""The tiny real examples the derivation is walked on."""

from __future__ import annotations

import numpy as np

__all__ = ["breast_cancer_example", "select_rows", "standardise"]


def select_rows(y, n_rows):
    """Up to ``n_rows`` row indices, alternating between the two classes in file order.

    A tiny example must contain both classes or the cost has no minimum to
    walk towards.
    """
    y = np.asarray(y)
    pos, neg = list(np.flatnonzero(y == 1)), list(np.flatnonzero(y == 0))
    out = []
    while len(out) < n_rows and (pos or neg):
        for bucket in (neg, pos):
            if bucket and len(out) < n_rows:
                out.append(bucket.pop(0))
    return np.array(sorted(out), dtype=int)


def standardise(X):
    """Columns to mean 0, sd 1 (constant columns are only centred).

    One learning rate then suits every feature, as in the seeds' examples.
    """
    X = np.asarray(X, dtype=np.float64)
    sd = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def breast_cancer_example(n_rows=6, features=("mean radius", "mean texture")):
    """A tiny real example: a few rows of scikit-learn's breast-cancer data.

    The two features are standardised over all 569 rows; rows alternate
    between benign (y=0) and malignant (y=1): the labels sort as a fitted
    model's ``classes_`` (benign, malignant), so a = σ(z) is the probability
    of malignant, the positive class of ``logreg fit`` on these labels.

    Parameters
    ----------
    n_rows : int, default=6
    features : tuple of str

    Returns
    -------
    X : ndarray of shape (n_rows, len(features))
    y : ndarray of shape (n_rows,)
    feature_names : list of str
    description : str
    class_names : tuple of str
        The classes y = 0 and y = 1 stand for: ("benign", "malignant").
    """
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    names = list(data.feature_names)
    cols = [names.index(f) for f in features]
    X = standardise(data.data[:, cols])
    # scikit-learn codes 0 malignant, 1 benign; a model fitted on the names has classes_ [benign, malignant]
    class_names = tuple(sorted(str(c) for c in data.target_names))
    y = (data.target_names[data.target] == class_names[1]).astype(np.float64)
    idx = select_rows(y, n_rows)
    description = (
        f"scikit-learn's breast-cancer data, rows {', '.join(map(str, idx))}; features standardised over "
        f"all 569 rows; y = 1 {class_names[1]}, 0 {class_names[0]}"
    )
    return X[idx], y[idx], list(features), description, class_names
