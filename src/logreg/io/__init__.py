"""Input and output: tables (CSV/Parquet), the JSON model file, atomic writes."""

from __future__ import annotations

import importlib

#: Public names, imported on first use (pyarrow and numpy are not needed to print `logreg --help`).
_LAZY = {
    "OutputPathError": "atomic",
    "atomic_path": "atomic",
    "atomic_write_bytes": "atomic",
    "atomic_write_text": "atomic",
    "check_output_path": "atomic",
    "ModelFile": "modelfile",
    "read_model": "modelfile",
    "write_model": "modelfile",
    "ColumnEncoding": "onehot",
    "DataError": "inputs",
    "Design": "tables",
    "prepare_prediction": "tables",
    "prepare_training": "tables",
    "read_table": "inputs",
}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_LAZY})


__all__ = sorted(_LAZY)
