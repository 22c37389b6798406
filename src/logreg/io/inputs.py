"""One safe way to open an input file (data tables and model files).

Only a regular file is read by path.  A device (``/dev/zero`` would be read
without end), a FIFO (its open waits for a writer that may never come), a
socket or a directory is refused before a byte is read; the check is made on
the opened descriptor, so a path swapped after the check is caught too.  Pipes
are read only through the explicit standard-input marker ``-``: a path such as
``/dev/stdin`` or a shell process substitution ``<(cat f)`` names a pipe and is
refused with a message that says to use ``-`` (``logreg fit - < f``).
Whatever is read is capped in bytes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["open_regular", "read_capped", "read_regular"]


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
