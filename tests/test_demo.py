"""``logreg demo``: the ANES 1996 analysis, checked against statsmodels on the same fit."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats as sps

from logreg import demo

sm = pytest.importorskip("statsmodels.api")


@pytest.fixture(scope="module")
def fitted():
    X, y = demo.design()
    X_train, X_test, y_train, y_test = demo.split(X, y)
    model = demo.fit_model(X_train, y_train)
    exog = sm.add_constant(X_train)
    endog = (y_train == demo.CLASSES[1]).astype(float)
    ref = sm.Logit(endog, exog).fit(method="newton", tol=1e-14, maxiter=100, disp=0)
    return model, X_train, y_train, X_test, y_test, ref


@pytest.fixture(scope="module")
def result():
    return demo.run()


def test_bundled_data_is_statsmodels_anes96():
    """The bundled file is statsmodels' public-domain anes96, value for value."""
    from statsmodels.datasets import anes96

    ref = anes96.load_pandas().data
    cols = demo.load_anes96()
    assert len(cols["vote"]) == len(ref) == 944
    for name, values in cols.items():
        np.testing.assert_array_equal(values, ref[name].to_numpy(dtype=float), err_msg=name)


def test_demo_fit_equals_statsmodels_logit(fitted):
    model, X_train, y_train, _, _, ref = fitted
    assert model.penalty is None and model.converged_
    assert model.classes_.tolist() == list(demo.CLASSES)
    params = np.concatenate([model.intercept_, model.coef_[0]])
    np.testing.assert_allclose(params, ref.params, rtol=1e-6)
    s = model.summary(demo.named(X_train), y_train)
    np.testing.assert_allclose(s.params, ref.params, rtol=1e-6)
    np.testing.assert_allclose(s.std_err, ref.bse, rtol=1e-6)
    np.testing.assert_allclose(np.column_stack([s.ci_lower, s.ci_upper]), ref.conf_int(), rtol=1e-6)
    assert s.log_likelihood == pytest.approx(ref.llf, rel=1e-10)
    assert s.aic == pytest.approx(ref.aic, rel=1e-10) and s.bic == pytest.approx(ref.bic, rel=1e-10)
    assert s.llr_pvalue == pytest.approx(ref.llr_pvalue, rel=1e-6)


def test_demo_result_is_the_statsmodels_analysis(fitted, result):
    """Odds ratios, Wald intervals and average marginal effects of the demo equal statsmodels'."""
    _, _, _, _, _, ref = fitted
    ors = np.array([r[1:] for r in result.odds_ratios])
    np.testing.assert_allclose(ors[:, 0], np.exp(ref.params[1:]), rtol=1e-6)
    np.testing.assert_allclose(ors[:, 1:3], np.exp(ref.conf_int()[1:]), rtol=1e-6)
    me = ref.get_margeff(at="overall")
    margins = np.array([r[1:] for r in result.margins])
    np.testing.assert_allclose(margins[:, 0], me.margeff, rtol=1e-6)
    np.testing.assert_allclose(margins[:, 1], me.margeff_se, rtol=1e-6)
    assert [r[0] for r in result.odds_ratios] == list(demo.FEATURES)
    # valid inference: an unpenalised fit, no row fitted as certain
    assert result.summary.valid_inference and not result.summary.penalized
    assert result.max_train_prob_gap > 1e-4


def test_demo_profile_intervals_are_the_chi2_cut_of_constrained_refits(fitted, result):
    """At each profile end, statsmodels' fit with the coefficient held there is chi2_1(0.95)/2 below L_max."""
    _, X_train, y_train, _, _, ref = fitted
    exog = sm.add_constant(X_train)
    endog = (y_train == demo.CLASSES[1]).astype(float)
    cut = sps.chi2.ppf(0.95, 1)
    prof = result.profile
    for j in range(exog.shape[1]):
        others = np.delete(exog, j, axis=1)
        for end in (prof.ci_lower[j], prof.ci_upper[j]):
            held = sm.GLM(endog, others, family=sm.families.Binomial(), offset=end * exog[:, j]).fit(tol=1e-13)
            assert 2.0 * (ref.llf - held.llf) == pytest.approx(cut, rel=1e-6), (j, end)
        # the profile interval brackets the estimate, close to Wald's here (a well-behaved likelihood)
        assert prof.ci_lower[j] < ref.params[j] < prof.ci_upper[j]
    ors = np.array([r[4:] for r in result.odds_ratios])
    np.testing.assert_allclose(ors, np.exp(np.column_stack([prof.ci_lower, prof.ci_upper])[1:]), rtol=1e-12)


def test_demo_evaluates_on_held_out_rows(fitted, result):
    from sklearn import metrics as skm

    model, X_train, _, X_test, y_test, _ = fitted
    assert result.n_train == 708 and result.n_test == 236
    # no held-out respondent is in the training rows (rows are distinct up to duplicates in the survey)
    p = model.predict_proba(demo.named(X_test))[:, 1]
    ev = result.evaluation
    assert ev.n_samples == 236
    assert ev.roc_auc == pytest.approx(skm.roc_auc_score(y_test == "Dole", p), rel=1e-12)
    assert ev.log_loss == pytest.approx(skm.log_loss(y_test == "Dole", p), rel=1e-12)
    assert ev.brier == pytest.approx(skm.brier_score_loss(y_test == "Dole", p), rel=1e-12)
    assert ev.calibration["count"].sum() == 236 and ev.roc_auc > 0.9


def test_demo_command_prints_the_analysis_and_writes_the_report(tmp_path):
    from typer.testing import CliRunner

    from logreg import cli

    report = tmp_path / "rep"
    res = CliRunner().invoke(cli.app, ["demo", "--report", str(report)])
    assert res.exit_code == 0, res.stderr
    text = res.stdout
    for needle in (
        "1996 American National Election Study",
        "Dep. Variable:           vote = Dole",
        "Odds ratios of voting Dole",
        "Average marginal effects on P(Dole)",
        "Held-out evaluation (236 respondents",
        "true Clinton",
        "quantile bins",
    ):
        assert needle in text, needle
    assert "NOT valid" not in text and "Penalised" not in text
    assert "iteration" not in res.stderr  # the log only with --verbose
    html = (report / "report.html").read_text()
    assert "Odds ratios per unit" in html and "profile likelihood" in html and "np.str_" not in html
    assert {p.name for p in report.iterdir()} >= {"report.html", "calibration.png", "model.json"}


def test_demo_runs_without_pandas_or_statsmodels(tmp_path):
    """`pip install . && logreg demo` installs neither: the demo must not import them."""
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('pandas', 'statsmodels'):\n"
        "            raise ImportError(f'{name} is not installed')\n"
        "sys.meta_path.insert(0, Block())\n"
        "from logreg.cli import main\n"
        f"sys.exit(main(['demo', '--json', '-q', '--report', {str(tmp_path / 'r')!r}]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["positive_class"] == "Dole" and doc["n_test"] == 236
    assert doc["summary"]["valid_inference"] and (tmp_path / "r" / "report.html").exists()
