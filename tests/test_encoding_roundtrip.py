"""A model keeps its table encoding (CLI one-hot columns) and its standardisation.

- ``logreg fit`` on a CSV with a text column, then ``logreg.load(path).predict(raw table)``
  in Python gives the CLI's ``logreg predict`` output.
- ``standardize=True`` / ``--standardize``: the penalty sees standardised columns (checked
  against scikit-learn fitted on columns we standardise ourselves), the model is reported
  and predicts on the original scale, and unpenalised it equals the fit without.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from typer.testing import CliRunner

import logreg
from logreg import cli

runner = CliRunner()


def table(n=200, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "id": np.arange(n),
            "income": rng.normal(50_000, 15_000, n).round(0),
            "age": rng.integers(18, 80, n),
            "member": rng.integers(0, 2, n),
            "city": rng.choice(["paris", "lyon", "nice"], n),
        }
    )
    z = 1e-4 * (df.income - 50_000) - 0.03 * (df.age - 45) + 0.7 * (df.city == "nice") + 0.5 * df.member
    df["bought"] = np.where(rng.random(n) < 1 / (1 + np.exp(-z)), "yes", "no")
    return df


def fit_cli(csv, model, *extra):
    res = runner.invoke(cli.app, ["fit", str(csv), "-t", "bought", "-x", "id", "-m", str(model), *map(str, extra)])
    assert res.exit_code == 0, res.stderr
    return json.loads(model.read_text())


def predict_cli(csv, model, out):
    res = runner.invoke(cli.app, ["predict", str(csv), "-m", str(model), "-o", str(out)])
    assert res.exit_code == 0, res.stderr
    return pd.read_csv(out)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("enc")
    df = table()
    df.to_csv(d / "train.csv", index=False)
    fit_cli(d / "train.csv", d / "model.json", "--C", "5")
    return d, df


def test_cli_model_predicts_on_the_raw_table_in_python(files):
    d, df = files
    cli_out = predict_cli(d / "train.csv", d / "model.json", d / "pred.csv")
    model = logreg.load(d / "model.json")
    assert "city=nice" in model.feature_names_in_  # the one-hot features, not the raw column
    raw = pd.read_csv(d / "train.csv")
    for frame in (raw, pl.from_pandas(raw), pa.Table.from_pandas(raw), raw.drop(columns=["id", "bought"])):
        proba = model.predict_proba(frame)
        np.testing.assert_allclose(proba[:, 0], cli_out["proba_no"], rtol=1e-15)
        np.testing.assert_allclose(proba[:, 1], cli_out["proba_yes"], rtol=1e-15)
        assert list(model.predict(frame)) == list(cli_out["label"])
    z = model.decision_function(raw)
    np.testing.assert_allclose(1 / (1 + np.exp(-z)), cli_out["proba_yes"], rtol=1e-12)
    assert model.score(raw, raw["bought"]) == np.mean(cli_out["label"] == raw["bought"])


def test_unseen_category_names_column_and_level(files):
    d, df = files
    model = logreg.load(d / "model.json")
    new = df.head(4).assign(city=["paris", "rome", "lyon", "nice"])
    with pytest.raises(ValueError, match=r"column 'city' .* not seen in training \('rome'"):
        model.predict(new)


def test_encoded_table_and_array_still_work(files):
    d, df = files
    model = logreg.load(d / "model.json")
    X = model.encoding_.design(df)
    encoded = pd.DataFrame(X, columns=model.feature_names_in_)
    np.testing.assert_array_equal(model.predict_proba(encoded), model.predict_proba(df))


def test_refit_on_arrays_forgets_the_encoding(files):
    d, df = files
    model = logreg.load(d / "model.json")
    model.fit(np.random.default_rng(0).normal(size=(30, 2)), np.arange(30) % 2)
    assert not hasattr(model, "encoding_")


# ------------------------------------------------------------------ standardisation
def test_cli_standardize_unpenalised_equals_the_plain_fit(files, tmp_path):
    d, df = files
    plain = fit_cli(d / "train.csv", tmp_path / "plain.json", "--penalty", "none", "--tol", "1e-10")
    scaled = fit_cli(d / "train.csv", tmp_path / "scaled.json", "--penalty", "none", "--tol", "1e-10", "--standardize")
    assert scaled["options"]["standardize"] is True
    names = scaled["feature_names"]
    mean, scale = np.array(scaled["standardization"]["mean"]), np.array(scaled["standardization"]["scale"])
    continuous = [names.index("income"), names.index("age")]
    np.testing.assert_allclose(mean[continuous], [df.income.mean(), df.age.mean()], rtol=1e-12)
    np.testing.assert_allclose(scale[continuous], [df.income.std(ddof=0), df.age.std(ddof=0)], rtol=1e-12)
    untouched = [j for j in range(len(names)) if j not in continuous]  # member and the city dummies are 0/1
    assert np.all(mean[untouched] == 0) and np.all(scale[untouched] == 1)
    np.testing.assert_allclose(scaled["coef"], plain["coef"], rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(scaled["intercept"], plain["intercept"], rtol=1e-6)
    p_plain = predict_cli(d / "train.csv", tmp_path / "plain.json", tmp_path / "p1.csv")
    p_scaled = predict_cli(d / "train.csv", tmp_path / "scaled.json", tmp_path / "p2.csv")
    np.testing.assert_allclose(p_scaled["proba_yes"], p_plain["proba_yes"], atol=1e-6)
    res = runner.invoke(cli.app, ["summary", "-m", str(tmp_path / "scaled.json")])
    assert "Fitted on standardised columns; coefficients on the original scale" in res.stdout


def continuous_design(n=300, seed=2):
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(100, 30, n), rng.normal(0, 0.01, n), rng.integers(0, 2, n)])
    z = 0.02 * (X[:, 0] - 100) + 80 * X[:, 1] + 0.5 * X[:, 2]
    return X, (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)


def test_penalty_acts_on_standardised_columns_as_sklearn_on_scaled_X():
    X, y = continuous_design()
    ours = logreg.LogisticRegression(C=0.05, standardize=True, tol=1e-10).fit(X, y)
    mean = np.array([X[:, 0].mean(), X[:, 1].mean(), 0.0])
    sd = np.array([X[:, 0].std(), X[:, 1].std(), 1.0])  # the 0/1 column is left alone
    ref = SkLogisticRegression(C=0.05, tol=1e-12, max_iter=1000).fit((X - mean) / sd, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_ / sd, rtol=1e-6)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_ - (ref.coef_ / sd) @ mean, rtol=1e-6)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba((X - mean) / sd), atol=1e-8)


def test_sparse_standardize_scales_without_centring():
    X, y = continuous_design()
    ours = logreg.LogisticRegression(C=0.05, standardize=True, tol=1e-10).fit(sp.csr_array(X), y)
    sd = np.array([np.sqrt(np.mean(X[:, 0] ** 2) - X[:, 0].mean() ** 2), X[:, 1].std(), 1.0])
    np.testing.assert_allclose(ours.standardize_mean_, 0.0)
    np.testing.assert_allclose(ours.standardize_scale_, sd, rtol=1e-9)
    ref = SkLogisticRegression(C=0.05, tol=1e-12, max_iter=1000).fit(X / sd, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_ / sd, rtol=1e-6)


def test_standardize_multinomial_unpenalised_and_saved(tmp_path):
    rng = np.random.default_rng(4)
    X = np.column_stack([rng.normal(1000, 200, 300), rng.normal(size=300)])
    y = np.digitize(0.004 * (X[:, 0] - 1000) + X[:, 1] + rng.logistic(size=300), [-1, 1])
    plain = logreg.LogisticRegression(penalty=None, tol=1e-10).fit(X, y)
    scaled = logreg.LogisticRegression(penalty=None, tol=1e-10, standardize=True).fit(X, y)
    np.testing.assert_allclose(scaled.predict_proba(X), plain.predict_proba(X), atol=1e-9)
    np.testing.assert_allclose(scaled.summary().std_err, plain.summary().std_err, rtol=1e-6)
    scaled.save(tmp_path / "m.json")
    loaded = logreg.load(tmp_path / "m.json")
    assert loaded.standardize
    np.testing.assert_array_equal(loaded.standardize_scale_, scaled.standardize_scale_)
    np.testing.assert_array_equal(loaded.predict_proba(X), scaled.predict_proba(X))


def test_standardize_warm_start_starts_at_the_optimum():
    X, y = continuous_design()
    model = logreg.LogisticRegression(C=0.05, standardize=True, tol=1e-8).fit(X, y)
    coef = model.coef_.copy()
    model.set_params(warm_start=True).fit(X, y)
    assert model.n_iter_[0] == 0
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-10)


def test_standardize_refused_for_dask():
    da = pytest.importorskip("dask.array")
    X, y = continuous_design(60)
    with pytest.raises(ValueError, match="standardize=True is not available for dask arrays"):
        logreg.LogisticRegression(standardize=True).fit(da.from_array(X, chunks=30), da.from_array(y, chunks=30))


def test_standardize_silences_the_scaling_warning():
    from logreg.exceptions import ScalingWarning

    X, y = continuous_design()
    X = X * [100.0, 0.1, 1.0]  # standard deviations 3000 and 0.001 around a median of 1
    with pytest.warns(ScalingWarning):
        logreg.LogisticRegression().fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScalingWarning)
        logreg.LogisticRegression(standardize=True).fit(X, y)
