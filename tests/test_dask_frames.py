"""Dask DataFrames: text and categorical columns one-hot encoded on the workers.

References: the optimum of scikit-learn on the same encoded rows (tests/_reference.py,
KKT-certified), the in-memory encoding of the command-line tool
(logreg.io.tables.prepare_training) on the computed frame, and in-memory predictions.
"""

from __future__ import annotations

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
dd = pytest.importorskip("dask.dataframe")
pa = pytest.importorskip("pyarrow")

from _reference import objective, reference_optimum  # noqa: E402
from logreg import LogisticRegression  # noqa: E402
from logreg.distributed import DaskFrameSource  # noqa: E402
from logreg.io.tables import prepare_training  # noqa: E402

# the unobserved category 'size=XL' is a constant column: the diagnostics say so, rightly
pytestmark = pytest.mark.filterwarnings("ignore::logreg.exceptions.ConstantFeatureWarning")


def make_frame(n=600, seed=0, missing=False):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "x1": rng.normal(size=n),
            "x2": rng.integers(0, 5, size=n),
            "colour": rng.choice(["red", "green", "blue"], size=n),
            # a category no row has: known categories come from the dtype, not the data
            "size": pd.Categorical(rng.choice(["S", "M", "L"], size=n), categories=["S", "M", "L", "XL"]),
            "w": rng.uniform(0.5, 2.0, size=n),
        }
    )
    z = df.x1 - 0.3 * df.x2 + (df.colour == "red") * 1.5 - (df["size"] == "L") * 0.8
    df["y"] = np.where(z + rng.logistic(size=n) > 0, "yes", "no")
    if missing:
        df.loc[rng.choice(n, 25, replace=False), "x1"] = np.nan
        df.loc[rng.choice(n, 20, replace=False), "colour"] = None
    return df


FEATURES = ["x1", "x2", "colour", "size"]


def encoded(df, drop_first=True):
    """The in-memory design of the computed frame (treatment coding of text and categoricals)."""
    X = pd.get_dummies(df[FEATURES], columns=["colour", "size"], drop_first=drop_first, dtype=float)
    return X


def test_fit_equals_the_in_memory_optimum_on_the_encoded_frame():
    df = make_frame()
    ddf = dd.from_pandas(df, npartitions=4)
    model = LogisticRegression(C=1.0, tol=1e-10).fit(ddf[FEATURES], ddf["y"], sample_weight=ddf["w"])
    X = encoded(df)
    # the same features, in the same order: numeric columns, then 'column=level' for each level but the first
    assert list(model.feature_names_in_) == [c.replace("_", "=", 1) if "_" in c else c for c in X.columns]
    assert "size=XL" in model.feature_names_in_  # known up front, though no row has it
    y = (df.y == "yes").to_numpy().astype(int)
    f_star = reference_optimum(X.to_numpy(), y, C=1.0, sample_weight=df.w.to_numpy())[0]
    J = objective(X.to_numpy(), y, model.coef_, model.intercept_, C=1.0, sample_weight=df.w.to_numpy())
    assert (J - f_star) / f_star <= 1e-8
    assert list(model.classes_) == ["no", "yes"]


def test_predictions_are_dask_arrays_aligned_with_the_partitions():
    df = make_frame(seed=1)
    ddf = dd.from_pandas(df, npartitions=3)
    model = LogisticRegression(tol=1e-10).fit(ddf[FEATURES], ddf["y"])
    ref = LogisticRegression(tol=1e-10).fit(encoded(df).to_numpy(), df.y)
    Xm = encoded(df).to_numpy()
    for method in ("predict_proba", "decision_function", "predict"):
        out = getattr(model, method)(ddf[FEATURES])
        assert out.numblocks[0] == ddf.npartitions
        got, want = out.compute(), getattr(ref, method)(Xm)
        if method == "predict":
            assert np.array_equal(got, want)
        else:
            np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("missing", ["drop", "mean"])
def test_missing_value_policy_matches_the_command_line_encoding(missing):
    df = make_frame(seed=2, missing=True)
    df["size"] = df["size"].astype(str)  # levels found in the first pass, as the command-line tool finds them
    ddf = dd.from_pandas(df, npartitions=4)
    src = DaskFrameSource(ddf[FEATURES], ddf["y"], missing=missing)
    model = LogisticRegression(tol=1e-10).fit(src)
    design = prepare_training(
        pa.Table.from_pandas(df, preserve_index=False), target="y", features=FEATURES, missing=missing
    )
    assert list(model.feature_names_in_) == design.feature_names
    assert [c.to_dict() for c in model.encoding_.columns] == [c.to_dict() for c in design.columns]
    ref = LogisticRegression(tol=1e-10).fit(design.X, design.y)
    y = (design.y == "yes").astype(int)
    J, J_ref = (objective(design.X, y, m.coef_, m.intercept_, C=1.0) for m in (model, ref))
    assert abs(J - J_ref) <= 1e-8 * J_ref
    # predictions fill the training values under 'mean'
    if missing == "mean":
        got = model.predict_proba(ddf[FEATURES]).compute()
        np.testing.assert_allclose(got, ref.predict_proba(design.X), rtol=1e-7)


def test_missing_values_are_refused_by_default_with_the_fix():
    df = make_frame(seed=3, missing=True)
    ddf = dd.from_pandas(df, npartitions=2)
    with pytest.raises(
        ValueError, match=r"missing values in the DataFrame: 'x1' \(25 rows\).*DaskFrameSource\(X, y, missing='drop'\)"
    ):
        LogisticRegression().fit(ddf[FEATURES], ddf["y"])
