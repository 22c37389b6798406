"""Limits and policies of reading tables, without importing pyarrow (the command line's help shows them)."""

from __future__ import annotations

__all__ = ["MAX_LEVELS", "MISSING_POLICIES"]

#: What to do with missing values (null or NaN) in the columns a model uses.
MISSING_POLICIES = ("refuse", "drop", "mean")

#: Default limit of distinct values of a text column to one-hot encode.
MAX_LEVELS = 1000
