"""The benchmark suite's --quick mode: every logreg solver reaches f* (never a timing)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SOLVERS = {
    "P1": {"newton", "lbfgs", "gd", "auto"},
    "P4": {"newton", "lbfgs", "gd", "auto"},
    "P8": {"auto", "newton", "lbfgs"},
}

pytestmark = pytest.mark.skipif(not (ROOT / "benchmarks").is_dir(), reason="benchmarks/ not in this checkout")


def test_quick_mode_reaches_the_optimum_with_every_solver(tmp_path):
    pytest.importorskip("glum")
    out = tmp_path / "B.md"
    cmd = [sys.executable, "-m", "benchmarks", "--quick", "--out", str(out), "--cache-dir", str(tmp_path / "cache")]
    # the timeout only guards against a hang; nothing here asserts a time
    proc = subprocess.run(cmd, cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=900)
    log = proc.stdout[-3000:] + proc.stderr[-3000:]
    assert out.with_suffix(".json").exists(), log
    results = json.loads(out.with_suffix(".json").read_text())
    for name, solvers in SOLVERS.items():
        prob = results["problems"][name]
        # the two reference solves agree: f* is the optimum, not one solver's opinion
        refs = [r["objective"] for r in prob["refs"] if r["status"] == "ok"]
        assert len(refs) == 2 and abs(refs[0] - refs[1]) <= 1e-12 * abs(prob["f_star"]), (name, refs)
        logreg = {r["solver"]: r for r in prob["fits"] if r["tool"] == "logreg"}
        assert set(logreg) == solvers
        for solver, r in logreg.items():
            assert r["status"] == "ok", (name, solver, r.get("error"))
            assert r["rel_subopt"] <= 1e-8, (name, solver, r["rel_subopt"])
        anchors = [r for r in prob["fits"] if r["tool"] != "logreg"]
        assert anchors and all(r["status"] == "ok" for r in anchors)
    assert proc.returncode == 0, log
    assert (tmp_path / "B_P1.png").stat().st_size > 0
    text = out.read_text()
    assert "## P2" in text and "## P8" in text and "P8 time (to ≤1e-8)" in text


def test_p8_data_have_covertype_layout_and_objective_matches_scikit_learn():
    from benchmarks.problems import COVTYPE_SHARES, build_covtype_like, objective
    from sklearn._loss.loss import HalfMultinomialLoss
    from sklearn.linear_model._linear_loss import LinearModelLoss

    n = 20_000
    X, y = build_covtype_like(n, seed=8)
    assert X.shape == (n, 54) and set(np.unique(y)) == set(range(7))
    # class shares as the real data's, up to sampling noise (4 binomial standard deviations)
    shares = np.bincount(y, minlength=7) / n
    assert np.all(np.abs(shares - COVTYPE_SHARES) <= 4 * np.sqrt(COVTYPE_SHARES / n))
    # 10 standardised continuous columns, then exactly one wilderness area and one soil type per row
    np.testing.assert_allclose(X[:, :10].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X[:, :10].std(axis=0), 1.0, rtol=1e-12)
    assert np.all(np.isin(X[:, 10:], (0.0, 1.0)))
    assert np.all(X[:, 10:14].sum(axis=1) == 1) and np.all(X[:, 14:].sum(axis=1) == 1)
    assert (X[:, 14:].sum(axis=0) == 0).sum() >= 2  # empty soil-type columns occur
    # the common objective is scikit-learn's multinomial objective (all K rows penalised, intercepts not)
    rng = np.random.default_rng(0)
    W, b = 0.3 * rng.standard_normal((7, 54)), rng.standard_normal(7)
    loss = LinearModelLoss(base_loss=HalfMultinomialLoss(n_classes=7), fit_intercept=True)
    expected = loss.loss(np.hstack([W, b[:, None]]), X, y.astype(np.float64), l2_reg_strength=1.0 / n)
    assert objective(X, y, W, b) == pytest.approx(expected, rel=1e-13)
