"""Safe output: write to a temporary file in the target directory, then rename.

``os.replace`` within one directory is atomic on POSIX and Windows, so a
reader (or a crash) sees either the old file or the complete new one, never a
half-written file.  A failed write, a failed fit, or Ctrl-C leaves an existing
file at the path untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["OutputPathError", "atomic_path", "atomic_write_bytes", "atomic_write_text", "check_output_path"]


class OutputPathError(ValueError):
    """An output path cannot be written (its directory is missing, it is a directory…)."""


def check_output_path(path):
    """Refuse an output path that cannot be written, before any work is done.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    pathlib.Path
        The path, unchanged.

    Raises
    ------
    OutputPathError
        The path is a directory or another non-regular file (a device such as
        /dev/null, a FIFO), or its directory does not exist.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputPathError(f"output {str(path)!r} is a directory; give a file name inside it")
    if path.exists() and not path.is_file():
        # the rename would replace a device (/dev/null), FIFO or socket with a regular file
        raise OutputPathError(
            f"output {str(path)!r} is not a regular file (a device, pipe or socket); give a file path "
            "(write to standard output instead where the command offers it)"
        )
    parent = path.parent
    if not parent.is_dir():
        raise OutputPathError(f"output directory {str(parent)!r} does not exist; create it first (mkdir -p {parent})")
    return path


def _new_file_mode():
    # os.umask can only be read by setting it; set it straight back.
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    For writers that want a file name rather than a file object (pyarrow's
    Parquet and CSV writers, matplotlib's ``savefig``).

    Parameters
    ----------
    path : str or os.PathLike
        The final destination.  Its directory must exist.  A symbolic link is
        written through: its target is replaced, the link stays.

    Yields
    ------
    pathlib.Path
        Where to write.  On an exception it is deleted and ``path`` is left
        as it was.
    """
    path = check_output_path(path)
    if path.is_symlink():
        # write through the link to its target: replacing the link itself by a regular file would
        # silently break what the link was for (a shared model, a "latest" pointer)
        path = Path(os.path.realpath(path))
        check_output_path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputPathError(f"cannot write to directory {str(path.parent)!r}: {exc.strerror or exc}") from None
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        # mkstemp creates 0600; give the file the mode a plain open() would
        # (or keep the mode of the file being replaced).
        mode = path.stat().st_mode & 0o777 if path.exists() else _new_file_mode()
        os.chmod(tmp, mode)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_write_bytes(path, data):
    """Write ``data`` to ``path`` atomically.

    Parameters
    ----------
    path : str or os.PathLike
    data : bytes
    """
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path, text, encoding="utf-8"):
    """Write ``text`` to ``path`` atomically.

    Parameters
    ----------
    path : str or os.PathLike
    text : str
    encoding : str, default='utf-8'
    """
    atomic_write_bytes(path, text.encode(encoding))
