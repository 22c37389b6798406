"""End to end: the installed ``logreg`` console script in subprocesses.

Every command starts a fresh Python that imports numpy, scipy, scikit-learn and
pyarrow (a few seconds of CPU each), so the commands are launched together in
one module fixture and the tests only read their results.  The other commands
and bad inputs run in-process in test_cli.py, under the same contract.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import logreg

CSV = "id,x1,x2,grade,label\n" + "".join(
    f"{i},{x1:.3f},{x2:.3f},{g},{lab}\n"
    for i, (x1, x2, g, lab) in enumerate(
        zip(
            np.round(np.sin(np.arange(24) * 1.3) * 2, 3),
            np.round(np.cos(np.arange(24) * 0.7), 3),
            ["a", "b", "c"] * 8,
            ["yes", "no", "no", "yes", "yes", "no"] * 4,
            strict=True,
        )
    )
)


def console_script():
    """The installed ``logreg`` (next to this Python, so no pyenv shim in between)."""
    here = Path(sys.executable).with_name("logreg")
    found = str(here) if here.exists() else shutil.which("logreg")
    if found is None:
        pytest.fail("the logreg console script is not installed: pip install -e '.[test]'")
    return found


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("e2e")
    (d / "train.csv").write_text(CSV)
    (d / "one.csv").write_text("x1,label\n1,yes\n2,yes\n")
    # a model to predict with and an existing model that a failed fit must not touch
    from typer.testing import CliRunner

    from logreg.cli import app

    res = CliRunner().invoke(app, ["fit", str(d / "train.csv"), "-t", "label", "-x", "id", "-m", str(d / "model.json")])
    assert res.exit_code == 0, res.stderr
    (d / "keep.json").write_bytes((d / "model.json").read_bytes())

    exe = console_script()
    commands = {
        "fit_stdin": ([exe, "fit", "-", "-t", "label", "-x", "id", "-m", "stdin.json", "--json"], CSV),
        "failed_fit": ([exe, "fit", "one.csv", "-t", "label", "-m", "keep.json"], None),
        # `python -m logreg` must run the same CLI
        "python_m_summary": ([sys.executable, "-m", "logreg", "summary", "--model", "model.json"], None),
    }
    env = {**os.environ, "LOGREG_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    env.pop("LOGREG_DEBUG", None)
    procs = {
        name: subprocess.Popen(
            argv,
            cwd=d,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, (argv, _) in commands.items()
    }
    results = {}
    for name, proc in procs.items():
        out, err = proc.communicate(commands[name][1], timeout=300)
        results[name] = (proc.returncode, out, err)
    return d, results


def test_fit_from_stdin_json_and_plain_progress(runs):
    d, results = runs
    code, out, err = results["fit_stdin"]
    assert code == 0, err
    result = json.loads(out)
    assert result["n_samples"] == 24 and result["classes"] == ["no", "yes"] and result["model"] == "stdin.json"
    progress = [ln for ln in err.splitlines() if ln.startswith("iteration")]
    assert progress and "\x1b[" not in err
    model = logreg.load(d / "stdin.json")
    assert list(model.feature_names_in_) == ["x1", "x2", "grade=b", "grade=c"]
    np.testing.assert_allclose(model.coef_, logreg.load(d / "model.json").coef_, rtol=1e-12)


def test_python_m_logreg_summary_prints_the_inference_table(runs):
    _, results = runs
    code, out, err = results["python_m_summary"]
    assert code == 0, err
    assert "Logit Regression Results" in out
    for term in ("const", "x1", "x2", "grade=b", "grade=c"):
        assert f"\n{term} " in out


def test_failed_fit_exit_2_one_line_and_the_existing_model_file_untouched(runs):
    """The other bad inputs are driven in-process (test_cli.py); the contract is the same."""
    d, results = runs
    code, out, err = results["failed_fit"]
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("logreg: error: target column 'label' has one class")
    assert "Traceback" not in err
    assert (d / "keep.json").read_bytes() == (d / "model.json").read_bytes()
    assert not [p.name for p in d.iterdir() if p.name.startswith(".")]
