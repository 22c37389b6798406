"""Input and output: tables (CSV/Parquet), the JSON model file, atomic writes."""

from __future__ import annotations

from .atomic import OutputPathError, atomic_path, atomic_write_bytes, atomic_write_text, check_output_path
from .modelfile import ModelFile, read_model, write_model
from .tables import ColumnEncoding, DataError, Design, prepare_prediction, prepare_training, read_table

__all__ = [
    "ColumnEncoding",
    "DataError",
    "Design",
    "ModelFile",
    "OutputPathError",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_output_path",
    "prepare_prediction",
    "prepare_training",
    "read_model",
    "read_table",
    "write_model",
]
