"""Reading inputs: one safe way to open a file (data tables and model files), and tables.

Only a regular file is read by path.  A device (``/dev/zero`` would be read
without end), a FIFO (its open waits for a writer that may never come), a
socket or a directory is refused before a byte is read; the check is made on
the opened descriptor, so a path swapped after the check is caught too.  Pipes
are read only through the explicit standard-input marker ``-``: a path such as
``/dev/stdin`` or a shell process substitution ``<(cat f)`` names a pipe and is
refused with a message that says to use ``-`` (``logreg fit - < f``).
Whatever is read is capped in bytes.

:func:`read_table` reads CSV (plain or compressed) and Parquet files, and CSV
from standard input, through that opener; every problem is a
:class:`DataError`.
"""

from __future__ import annotations

import codecs
import os
import stat
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

__all__ = ["DataError", "open_regular", "read_capped", "read_regular", "read_table"]

_PARQUET_SUFFIXES = {".parquet", ".pq", ".parq"}
#: suffix -> (pyarrow codec, magic bytes the file must start with; None: brotli has none)
_COMPRESSED_SUFFIXES = {
    ".gz": ("gzip", b"\x1f\x8b"),
    ".bz2": ("bz2", b"BZh"),
    ".zst": ("zstd", b"\x28\xb5\x2f\xfd"),
    ".lz4": ("lz4", b"\x04\x22\x4d\x18"),
    ".br": ("brotli", None),
}
_SNIFF_BYTES = 1 << 16
#: Standard input is read into memory; refuse more than this.
MAX_STDIN_BYTES = 16 << 30


class DataError(ValueError):
    """The input data cannot be used as given; the message says why and what to do."""


def _one_line(text, limit=300):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _kind(mode):
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _refuse(name, mode, what, error, hint):
    kind = _kind(mode)
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        fix = (
            "logreg reads pipes only as standard input: pass '-' and redirect, e.g. 'logreg fit - < file' "
            "or 'cat file | logreg fit -'"
        )
        if what == "model file":
            fix = "give the path of the .json model file itself"
        return error(f"{what} {name} is {kind}, not a regular file; {fix}")
    return error(f"{what} {name} is {kind}, not a regular file; {hint}")


def open_regular(path, *, what, error, hint="give the path of a regular file"):
    """Open ``path`` for binary reading if it is a regular file.

    Parameters
    ----------
    path : str or os.PathLike
    what : str
        How to name the file in messages ("model file", "data file").
    error : type of Exception
        Raised for every refusal (e.g. DataError, ModelFileError).
    hint : str
        The fix named for a directory or device.

    Returns
    -------
    file object
        Opened ``rb``; the caller closes it.

    Raises
    ------
    error
        Missing, unreadable, or not a regular file (directory, device, FIFO,
        socket), symlinks followed.
    """
    name = str(path)
    try:
        st = os.stat(path)  # refuse a device or FIFO without opening it (an open can block or act)
    except FileNotFoundError:
        raise error(f"{what} {name}: no such file") from None
    except OSError as exc:
        raise error(f"cannot read {what} {name}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(name, st.st_mode, what, error, hint)
    try:
        # O_NONBLOCK: should the path have become a FIFO since the stat, the open does not wait
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise error(f"cannot read {what} {name}: {exc.strerror or exc}") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise _refuse(name, st.st_mode, what, error, hint)
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_capped(stream, max_bytes, *, name, what, error):
    """Read a binary stream to its end, refusing more than ``max_bytes``.

    Parameters
    ----------
    stream : binary file
    max_bytes : int
    name, what : str
        For the message.
    error : type of Exception

    Returns
    -------
    bytes
    """
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise error(f"{what} {name} is larger than {_size(max_bytes)}; refusing to read it")
    return data


def read_regular(path, max_bytes, *, what, error, hint="give the path of a regular file"):
    """The bytes of a regular file of at most ``max_bytes`` (see :func:`open_regular`)."""
    with open_regular(path, what=what, error=error, hint=hint) as fh:
        try:
            return read_capped(fh, max_bytes, name=str(Path(path)), what=what, error=error)
        except OSError as exc:
            raise error(f"cannot read {what} {path}: {exc.strerror or exc}") from None


def _size(n):
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:g} {unit}" if unit == "bytes" else f"{n:.0f} {unit}"
        n /= 1024
    return f"{n} bytes"  # pragma: no cover


# --------------------------------------------------------------------- read
def _sniff_text(head, name):
    """Refuse bytes that are not UTF-8 text before the CSV parser guesses at them.

    pyarrow happily parses random bytes as a one-column CSV with a binary
    column; the user should hear "not a CSV file" instead.
    """
    if b"\x00" in head:
        raise DataError(f"{name} is not a CSV text file (it contains binary data); expected UTF-8 CSV or Parquet")
    try:
        # final=False: the sniffed prefix may end inside a multi-byte character
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{name} is not UTF-8 text (bad byte at offset {exc.start}); expected UTF-8 CSV or Parquet"
        ) from None


def _csv_options():
    # Empty cells in string columns are missing values, as they are in numeric ones.
    return pcsv.ConvertOptions(strings_can_be_null=True)


def _read_csv(source, name, compression=None):
    try:
        if compression is not None:
            source = pa.CompressedInputStream(source, compression)
        return pcsv.read_csv(source, convert_options=_csv_options())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError, OSError) as exc:
        msg = str(exc)
        if "Empty CSV file" in msg:
            raise DataError(f"{name} is empty; expected CSV with a header row, or Parquet") from None
        raise DataError(f"could not parse {name} as CSV: {_one_line(msg, 200)}") from None


def _read_stdin(stream):
    name = "standard input"
    head = stream.read(_SNIFF_BYTES)
    if not head.strip() and len(head) < _SNIFF_BYTES:
        raise DataError("standard input is empty; pipe in CSV with a header row")
    # sniffed before the rest is read: `cat /dev/zero | logreg fit -` stops at the first 64 KiB
    _sniff_text(head, name)
    data = head + read_capped(stream, MAX_STDIN_BYTES - len(head), name=name, what="CSV on", error=DataError)
    if not data.strip():
        raise DataError("standard input is empty; pipe in CSV with a header row")
    return _read_csv(pa.BufferReader(data), name)


def _read_file(path, name):
    fh = open_regular(
        path, what="data file", error=DataError, hint="expected a CSV or Parquet file (use '-' for standard input)"
    )
    with fh:
        try:
            size = os.fstat(fh.fileno()).st_size
            head = fh.read(_SNIFF_BYTES)
            fh.seek(0)
        except OSError as exc:
            raise DataError(f"cannot read {name}: {exc.strerror or exc}") from None
        if size == 0:
            raise DataError(f"{name} is empty; expected CSV with a header row, or Parquet")
        suffix = path.suffix.lower()
        if head[:4] == b"PAR1" or suffix in _PARQUET_SUFFIXES:
            try:
                return pq.read_table(pa.PythonFile(fh, mode="r"))
            except (pa.ArrowException, OSError) as exc:
                raise DataError(f"could not read {name} as Parquet: {_one_line(exc, 200)}") from None
        if suffix in _COMPRESSED_SUFFIXES:
            codec, magic = _COMPRESSED_SUFFIXES[suffix]
            if magic is not None and not head.startswith(magic):
                raise DataError(
                    f"{name} is named {suffix} but is not {codec}-compressed; rename it without {suffix} "
                    f"if it is plain CSV, or compress it with {codec}"
                )
            return _read_csv(pa.PythonFile(fh, mode="r"), name, compression=codec)
        _sniff_text(head, name)
        return _read_csv(pa.PythonFile(fh, mode="r"), name)


def read_table(source, *, stdin=None):
    """Read a CSV or Parquet file into a pyarrow Table.

    Parquet is recognised by its magic bytes or a ``.parquet``/``.pq`` suffix;
    everything else is read as UTF-8 CSV with a header row (compressed CSV by
    its suffix, e.g. ``.csv.gz``, checked against the compression's magic
    bytes).  Only regular files are read by path (see
    :mod:`logreg.io.inputs`); pipes are read as ``"-"``.

    Parameters
    ----------
    source : str or os.PathLike
        A file path, or ``"-"`` to read CSV from standard input.
    stdin : binary file, optional
        Where ``"-"`` reads from; default ``sys.stdin.buffer``.

    Returns
    -------
    pyarrow.Table
        At least one row.

    Raises
    ------
    DataError
        The file is missing, empty, not a regular file, not CSV/Parquet, or
        has no data rows.
    """
    if str(source) == "-":
        name = "standard input"
        table = _read_stdin(stdin if stdin is not None else sys.stdin.buffer)
    else:
        name = str(source)
        table = _read_file(Path(source), name)
    if table.num_columns == 0:
        raise DataError(f"{name} has no columns")
    dupes = sorted({c for c in table.column_names if table.column_names.count(c) > 1})
    if dupes:
        raise DataError(f"{name} has duplicate column names: {', '.join(map(repr, dupes))}; rename them")
    if table.num_rows == 0:
        raise DataError(f"{name} has a header but no data rows")
    return table
