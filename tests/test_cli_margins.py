"""``logreg summary --margins``: marginal effects in the CLI, equal to statsmodels' get_margeff."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from logreg import cli

sm = pytest.importorskip("statsmodels.api")
runner = CliRunner()


@pytest.fixture(scope="module")
def spector(tmp_path_factory):
    data = sm.datasets.spector.load_pandas().data
    tmp = tmp_path_factory.mktemp("margins")
    path = tmp / "spector.csv"
    data.to_csv(path, index=False)
    model = tmp / "model.json"
    r = runner.invoke(
        cli.app, ["fit", str(path), "--target", "GRADE", "--penalty", "none", "--model", str(model), "-q"]
    )
    assert r.exit_code == 0, r.output
    return data, path, model


@pytest.mark.parametrize("at", ["overall", "mean"])
def test_margins_equal_statsmodels(spector, at):
    data, path, model = spector
    r = runner.invoke(cli.app, ["summary", "--model", str(model), str(path), "--target", "GRADE", "--margins", at,
                                "--json"])  # fmt: skip
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)["marginal_effects"]
    assert got["at"] == at
    X = sm.add_constant(data[["GPA", "TUCE", "PSI"]])
    ref = sm.Logit(data["GRADE"], X).fit(disp=0, tol=1e-12).get_margeff(at=at).summary_frame()
    rows = {row["term"]: row for row in got["rows"]}
    assert set(rows) == {"GPA", "TUCE", "PSI"}
    for term in ("GPA", "TUCE", "PSI"):
        np.testing.assert_allclose(rows[term]["dydx"], ref.loc[term, "dy/dx"], rtol=1e-6)
        np.testing.assert_allclose(rows[term]["std_err"], ref.loc[term, "Std. Err."], rtol=1e-5)
        np.testing.assert_allclose(rows[term]["p_value"], ref.loc[term, "Pr(>|z|)"], rtol=1e-5, atol=1e-12)


def test_margins_text_and_refusals(spector):
    _, path, model = spector
    r = runner.invoke(cli.app, ["summary", "--model", str(model), str(path), "--target", "GRADE", "--margins",
                                "overall"])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "Marginal effects on P(1.0), averaged over the rows" in r.stdout
    assert "dP/dx" in r.stdout
    no_data = runner.invoke(cli.app, ["summary", "--model", str(model), "--margins", "overall"])
    assert no_data.exit_code == 2 and "needs the DATA" in no_data.output
    bad = runner.invoke(cli.app, ["summary", "--model", str(model), str(path), "--margins", "median"])
    assert bad.exit_code == 2 and "--margins must be overall or mean" in bad.output
