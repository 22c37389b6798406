"""The command's help imports no heavy module; the package ships its type information."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import logreg

SRC = Path(logreg.__file__).resolve().parents[1]
HEAVY = ("numpy", "numba", "scipy", "sklearn", "dask", "pandas", "formulaic", "pyarrow")

HELP = """
import contextlib, io, json, sys
from logreg.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    codes = [main(["--help"]), main(["fit", "--help"]), main(["predict", "--help"])]
print(json.dumps({"codes": codes, "text": out.getvalue(), "modules": sorted(sys.modules)}))
"""


def test_help_imports_no_heavy_module():
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    res = subprocess.run([sys.executable, "-c", HELP], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr
    result = json.loads(res.stdout.strip().splitlines()[-1])
    assert result["codes"] == [0, 0, 0]
    assert "--formula" in result["text"] and "--standardize" in result["text"]  # the help was built
    loaded = {m.split(".")[0] for m in result["modules"]}
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_convergence_warning_is_still_sklearns():
    from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning

    from logreg import exceptions

    assert issubclass(exceptions.ConvergenceWarning, SkConvergenceWarning)
    assert issubclass(exceptions.ConvergenceWarning, exceptions.LogregWarning)
    assert exceptions.ConvergenceWarning is exceptions.ConvergenceWarning  # built once
    assert exceptions.ConvergenceWarning.__qualname__ == "ConvergenceWarning"


def test_py_typed_is_shipped():
    assert (SRC / "logreg" / "py.typed").is_file()
    import tomllib

    pyproject = tomllib.loads((SRC.parent / "pyproject.toml").read_text())
    assert "py.typed" in pyproject["tool"]["setuptools"]["package-data"]["logreg"]


TYPED = [
    "estimator.py",
    "__init__.py",
    "path.py",
    "formula.py",
    "formula_grammar.py",
    "scaling.py",
    "io/encoding.py",
    "stats.py",
    "model.py",
    "layout.py",
]


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")
def test_public_api_type_checks(tmp_path):
    """mypy on the typed modules; imported modules are taken as Any (--follow-imports=skip: seconds,
    where analysing numpy's and scipy's stubs takes half a minute)."""
    files = [str(SRC / "logreg" / f) for f in TYPED]
    cmd = [sys.executable, "-m", "mypy", "--ignore-missing-imports", "--follow-imports=skip", "--cache-dir=/dev/null"]
    res = subprocess.run([*cmd, *files], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr


def public_callables():
    from logreg import path, stats

    model = logreg.LogisticRegression
    methods = ["__init__", "fit", "fit_formula", "decision_function", "predict_proba", "predict_log_proba"]
    methods += ["predict", "sparsify", "densify", "summary", "marginal_effects", "save"]
    yield from (getattr(model, m) for m in methods)
    yield from (logreg.load, logreg.from_formula, path.regularization_path, path.l1_min_c)
    yield from (stats.summarize, stats.compute_statistics, stats.fit_statistics, stats.should_store)
    summary = stats.LogisticSummary
    yield from (summary.to_frame, summary.to_dict, summary.to_json, summary.as_text)


@pytest.mark.parametrize("func", list(public_callables()), ids=lambda f: f.__qualname__)
def test_public_api_is_annotated(func):
    import inspect

    sig = inspect.signature(func)
    missing = [p for p in sig.parameters if p != "self" and sig.parameters[p].annotation is inspect.Parameter.empty]
    assert not missing, f"{func.__qualname__}: parameters without a type: {missing}"
    assert sig.return_annotation is not inspect.Signature.empty, f"{func.__qualname__} has no return type"
