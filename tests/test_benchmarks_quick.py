"""The benchmark suite's --quick mode: every logreg solver reaches f* (never a timing)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOLVERS = {"newton", "lbfgs", "gd", "auto"}

pytestmark = pytest.mark.skipif(not (ROOT / "benchmarks").is_dir(), reason="benchmarks/ not in this checkout")


def test_quick_mode_reaches_the_optimum_with_every_solver(tmp_path):
    pytest.importorskip("glum")
    out = tmp_path / "B.md"
    cmd = [sys.executable, "-m", "benchmarks", "--quick", "--out", str(out), "--cache-dir", str(tmp_path / "cache")]
    # the timeout only guards against a hang; nothing here asserts a time
    proc = subprocess.run(cmd, cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = json.loads(out.with_suffix(".json").read_text())
    for name in ("P1", "P4"):
        prob = results["problems"][name]
        # the two reference solves agree: f* is the optimum, not one solver's opinion
        refs = [r["objective"] for r in prob["refs"] if r["status"] == "ok"]
        assert len(refs) == 2 and abs(refs[0] - refs[1]) <= 1e-12 * abs(prob["f_star"])
        logreg = {r["solver"]: r for r in prob["fits"] if r["tool"] == "logreg"}
        assert set(logreg) == SOLVERS
        for solver, r in logreg.items():
            assert r["status"] == "ok", (name, solver, r.get("error"))
            assert r["rel_subopt"] <= 1e-8, (name, solver, r["rel_subopt"])
        anchors = [r for r in prob["fits"] if r["tool"] != "logreg"]
        assert anchors and all(r["status"] == "ok" for r in anchors)
    assert (tmp_path / "B_P1.png").stat().st_size > 0
    assert "## P2" in out.read_text()
