"""Formulas: checked against statsmodels' smf.logit on the same formula and data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from typer.testing import CliRunner

import logreg
from logreg import cli
from logreg.exceptions import ModelFileError

FORMULA = "admit ~ gre + gpa + C(rank) + gre:gpa"


def admissions(n=400, seed=1):
    """An admissions-like table (UCLA's binary.csv layout): gre, gpa, rank 1-4, admit 0/1."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "gre": rng.normal(580, 115, n).round(-1),
            "gpa": rng.normal(3.4, 0.38, n).round(2),
            "rank": rng.integers(1, 5, n),
            "school": rng.choice(["north", "south", "east"], n),
        }
    )
    z = -3.5 + 0.002 * df.gre + 0.8 * df.gpa - 0.6 * (df["rank"] - 1) + 0.4 * (df.school == "south")
    df["admit"] = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    return df


def by_name(summary, params):
    """statsmodels' values in the order of our terms (its Intercept is our const)."""
    return params[["Intercept" if t == "const" else t for t in summary.terms]].to_numpy()


def check_against_statsmodels(model, reference):
    s = model.summary()
    np.testing.assert_allclose(s.params, by_name(s, reference.params), rtol=0, atol=1e-6)
    np.testing.assert_allclose(s.std_err, by_name(s, reference.bse), rtol=0, atol=1e-5)
    assert s.log_likelihood == pytest.approx(reference.llf, abs=1e-8)


@pytest.fixture(scope="module")
def df():
    return admissions()


@pytest.mark.parametrize(
    "formula", [FORMULA, "admit ~ gre + gpa + C(rank) + school", "admit ~ np.log(gre) + center(gpa) + C(rank)"]
)
def test_from_formula_matches_statsmodels(df, formula):
    reference = smf.logit(formula, df).fit(disp=0, tol=1e-12, maxiter=100)
    model = logreg.from_formula(formula, df, penalty=None, tol=1e-10)
    check_against_statsmodels(model, reference)
    np.testing.assert_allclose(model.predict_proba(df)[:, 1], reference.predict(df), atol=1e-9)


def test_contrast_with_another_base_level(df):
    reference = smf.logit("admit ~ gpa + C(rank, Treatment(2))", df).fit(disp=0, tol=1e-12)
    model = logreg.from_formula("admit ~ gpa + C(rank, contr.treatment(base=2))", df, penalty=None, tol=1e-10)
    names = [n.replace("contr.treatment(base=2)", "Treatment(2)") for n in model.feature_names_in_]
    np.testing.assert_allclose(model.coef_.ravel(), reference.params[names], atol=1e-6)
    np.testing.assert_allclose(model.intercept_[0], reference.params["Intercept"], atol=1e-6)


def test_feature_names_are_the_formula_columns(df):
    model = logreg.LogisticRegression(penalty=None).fit_formula(FORMULA, df)
    assert list(model.feature_names_in_) == ["gre", "gpa", "C(rank)[T.2]", "C(rank)[T.3]", "C(rank)[T.4]", "gre:gpa"]
    assert model.fit_intercept and model.intercept_.shape == (1,)
    assert model.encoding_.target == "admit"


def test_spector_with_interaction():
    data = sm.datasets.spector.load_pandas().data
    formula = "GRADE ~ GPA + TUCE + C(PSI) + GPA:TUCE"
    reference = smf.logit(formula, data).fit(disp=0, tol=1e-12, maxiter=100)
    model = logreg.from_formula(formula, data, penalty=None, tol=1e-10)
    check_against_statsmodels(model, reference)


def test_formula_without_intercept_maps_to_fit_intercept_false(df):
    formula = "admit ~ gpa + C(rank) - 1"  # full-rank coding of rank: four dummies, no intercept
    reference = smf.logit(formula, df).fit(disp=0, tol=1e-12)
    model = logreg.from_formula(formula, df, penalty=None, tol=1e-10)
    assert model.fit_intercept is False
    assert list(model.feature_names_in_) == ["gpa", "C(rank)[1]", "C(rank)[2]", "C(rank)[3]", "C(rank)[4]"]
    np.testing.assert_allclose(model.coef_.ravel(), reference.params[list(model.feature_names_in_)], atol=1e-6)


def test_intercept_contradictions_are_refused(df):
    with pytest.raises(ValueError, match="has no intercept but fit_intercept=True"):
        logreg.LogisticRegression().fit_formula("admit ~ gpa + 0", df)
    with pytest.raises(ValueError, match="keeps its intercept but fit_intercept=False"):
        logreg.LogisticRegression(fit_intercept=False).fit_formula("admit ~ gpa", df)


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("admit ~ gre + nosuch", r"uses the column\(s\) 'nosuch', not in the data"),
        ("outcome ~ gre", "uses the target column 'outcome', not in the data"),
        ("admit ~ gre +", "does not parse"),
        ("gre + gpa", "has no target"),
        ("admit + gre ~ gpa", "left side .* must be the name of the target column"),
        ("admit ~ 1", "no terms besides the intercept"),
        ("admit ~ open(gre)", "the function 'open'"),
        ("admit ~ I(gre.real)", "attribute syntax"),
        ("", "non-empty string"),
    ],
)
def test_bad_formulas_name_the_problem(df, formula, message):
    with pytest.raises(ValueError, match=message):
        logreg.from_formula(formula, df)


def test_missing_values_refused_or_dropped_as_statsmodels(df):
    holes = df.copy()
    holes.loc[[3, 10], "gpa"] = np.nan
    holes.loc[20, "admit"] = np.nan
    with pytest.raises(ValueError, match=r"missing values in 'admit' \(1 rows\), 'gpa' \(2 rows\)"):
        logreg.from_formula(FORMULA, holes)
    reference = smf.logit(FORMULA, holes).fit(disp=0, tol=1e-12)  # statsmodels drops those rows
    model = logreg.from_formula(FORMULA, holes, penalty=None, tol=1e-10, missing="drop")
    check_against_statsmodels(model, reference)


def test_sample_weight_column(df):
    w = np.random.default_rng(3).integers(1, 4, len(df)).astype(float)
    data = df.assign(w=w)
    by_column = logreg.from_formula(FORMULA, data, sample_weight="w", penalty=None, tol=1e-10)
    repeated = data.loc[data.index.repeat(w.astype(int))]
    reference = smf.logit(FORMULA, repeated).fit(disp=0, tol=1e-12)
    s = by_column.summary()
    np.testing.assert_allclose(s.params, by_name(s, reference.params), atol=1e-6)
    assert by_column.encoding_.weight == "w"
    holes = data.assign(w=np.where(np.arange(len(data)) == 5, np.nan, w))
    with pytest.raises(ValueError, match=r"missing values in 'w' \(1 rows\)"):
        logreg.from_formula(FORMULA, holes, sample_weight="w")


def test_stateful_transform_keeps_the_training_state(df):
    model = logreg.from_formula("admit ~ scale(gpa) + center(gre)", df, penalty=None)
    # on ten rows, scale() and center() must use the training mean and deviation, not those of the ten
    np.testing.assert_allclose(model.predict_proba(df.head(10)), model.predict_proba(df)[:10], rtol=1e-12)


def test_model_file_round_trip_on_raw_tables(df, tmp_path):
    formula = "admit ~ gre + gpa + C(rank) + gre:gpa + school + scale(gre)"
    model = logreg.from_formula(formula, df, C=10.0)
    path = tmp_path / "model.json"
    model.save(path)
    doc = json.loads(path.read_text())
    assert doc["formula"]["formula"] == formula
    assert doc["formula"]["factors"]["C(rank)"] == ["categorical", {"categories": [1, 2, 3, 4]}]
    loaded = logreg.load(path)
    expected = model.predict_proba(df)
    for table in (df, pl.from_pandas(df), pa.Table.from_pandas(df), df.drop(columns="admit")):
        np.testing.assert_array_equal(loaded.predict_proba(table), expected)
    assert loaded.score(df, df.admit) == model.score(df, df.admit)


def test_marginal_effects_on_the_raw_table(df):
    reference = smf.logit(FORMULA, df).fit(disp=0, tol=1e-12).get_margeff(at="overall")
    model = logreg.from_formula(FORMULA, df, penalty=None, tol=1e-10)
    ours = model.marginal_effects(df)
    names = reference.results.model.exog_names[1:]
    np.testing.assert_allclose(ours.loc[names, "dydx"], reference.margeff, atol=1e-7)
    np.testing.assert_allclose(ours.loc[names, "std_err"], reference.margeff_se, atol=1e-6)


def test_unseen_level_names_the_column_and_level(df):
    model = logreg.from_formula("admit ~ gpa + school", df)
    new = df.head(5).assign(school=["north", "west", "east", "west", "south"])
    with pytest.raises(ValueError, match=r"column 'school' has 1 level\(s\) not seen in training \('west'\)"):
        model.predict(new)


@pytest.mark.parametrize("factor", ["__import__('os').getcwd()", "gpa.__class__", "open(gpa)"])
def test_tampered_formula_in_a_model_file_is_refused(df, tmp_path, factor):
    path = tmp_path / "model.json"
    logreg.from_formula("admit ~ I(gpa * 2) + gre", df).save(path)
    text = path.read_text().replace("I(gpa * 2)", f"I({factor})")
    path.write_text(text)
    with pytest.raises(ModelFileError, match="not a valid logreg model file: formula"):
        logreg.load(path)


# ------------------------------------------------------------------ the command line
runner = CliRunner()


def test_cli_fit_formula_predict_and_summary(df, tmp_path):
    data = tmp_path / "admissions.csv"
    df.to_csv(data, index=False)
    model_path = tmp_path / "model.json"
    res = runner.invoke(cli.app, ["fit", str(data), "-m", str(model_path), "--formula", FORMULA, "--penalty", "none"])
    assert res.exit_code == 0, res.stderr
    out = tmp_path / "pred.csv"
    res = runner.invoke(cli.app, ["predict", str(data), "-m", str(model_path), "-o", str(out)])
    assert res.exit_code == 0, res.stderr
    reference = smf.logit(FORMULA, df).fit(disp=0, tol=1e-12)
    np.testing.assert_allclose(pd.read_csv(out)["proba_1"], reference.predict(df), atol=1e-6)
    res = runner.invoke(cli.app, ["summary", "-m", str(model_path), "--json"])
    assert res.exit_code == 0, res.stderr
    coefs = {r["term"]: r for r in json.loads(res.stdout)["coefficients"]}
    for term, row in coefs.items():
        name = "Intercept" if term == "const" else term
        assert row["coef"] == pytest.approx(reference.params[name], abs=1e-6)
        assert row["std_err"] == pytest.approx(reference.bse[name], abs=1e-5)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--formula", "admit ~ gre + nosuch"], "'nosuch', not in the data"),
        (["--formula", "admit ~ gre +"], "does not parse"),
        (["--formula", "outcome ~ gre"], "target column 'outcome'"),
        (["--formula", "admit ~ gre", "-t", "gre"], "contradicts the formula's target"),
        (["--formula", "admit ~ gre", "--features", "gpa"], "leave out --features"),
        (["--formula", "admit ~ gre", "--no-intercept"], "'- 1'"),
        (["--formula", "admit ~ gre", "--missing", "mean"], "--missing mean is not available"),
        ([], "--target is needed"),
    ],
)
def test_cli_bad_formulas_exit_2_with_one_line(df, tmp_path, args, message):
    data = tmp_path / "admissions.csv"
    df.to_csv(data, index=False)
    res = runner.invoke(cli.app, ["fit", str(data), "-m", str(tmp_path / "m.json"), *args])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("logreg: error: ") and message in lines[0], res.stderr
    assert not (tmp_path / "m.json").exists()


def test_cli_predict_with_a_formula_model_on_bad_rows(df, tmp_path):
    data, model_path = tmp_path / "train.csv", tmp_path / "model.json"
    df.to_csv(data, index=False)
    res = runner.invoke(cli.app, ["fit", str(data), "-m", str(model_path), "--formula", "admit ~ gpa + school"])
    assert res.exit_code == 0, res.stderr
    new = tmp_path / "new.csv"
    df.head(6).assign(school=["north", "west", "east", "north", "south", "east"]).to_csv(new, index=False)
    res = runner.invoke(cli.app, ["predict", str(new), "-m", str(model_path)])
    assert res.exit_code == 2
    assert res.stderr.strip() == (
        "logreg: error: column 'school' has 1 level(s) not seen in training ('west'); "
        "the model knows 'east', 'north', 'south'"
    )
    df.head(6).assign(gpa=[3.1, None, 3.5, 2.9, 3.0, 3.3]).to_csv(new, index=False)
    res = runner.invoke(cli.app, ["predict", str(new), "-m", str(model_path), "--missing", "drop", "--json"])
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["n_rows"] == 5
