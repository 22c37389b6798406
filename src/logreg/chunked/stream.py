"""Chunks read from storage on every pass: bounded memory, no cluster.

:class:`StreamRunner` is the runner of :class:`~logreg.chunked.ChunkedLogistic` for
chunks that do not stay in memory.  Each part is a *loader* whose ``load()`` reads its
rows (a Parquet row group), encodes them and returns the chunk's in-memory term; a pass
loads the parts in order, one background thread reading ahead ``prefetch`` parts while
this thread computes, so at most ``prefetch + 2`` chunks are in memory at once.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from .term import add

__all__ = ["READERS", "StreamRunner"]

#: Threads reading parts ahead (pyarrow and the encoding release the GIL).
READERS = 2


class _Then:
    """A loader whose term is ``getattr(inner.load(), method)()`` (e.g. ``in_float64``)."""

    def __init__(self, inner, method):
        self.inner = inner
        self.method = method
        self.n_rows = getattr(inner, "n_rows", None)

    def load(self):
        return getattr(self.inner.load(), self.method)()


class StreamRunner:
    """Runs the chunks' methods by loading each chunk in turn, reading ahead in a thread.

    Parameters
    ----------
    prefetch : int, default=2
        Parts read ahead while one is computed.
    on_pass : callable, optional
        ``on_pass(n_passes)`` after every pass (progress).

    Attributes
    ----------
    n_passes : int
        Passes over the parts so far.
    """

    client = None

    def __init__(self, prefetch=2, on_pass=None):
        self.prefetch = int(prefetch)
        self.on_pass = on_pass
        self.n_passes = 0

    def terms(self, parts):
        """The parts' terms in order, loaded ahead in a background thread."""
        parts = list(parts)
        with ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="logreg-read") as pool:
            pending = [pool.submit(p.load) for p in parts[: self.prefetch + 1]]
            nxt = len(pending)
            try:
                while pending:
                    term = pending.pop(0).result()
                    if nxt < len(parts):
                        pending.append(pool.submit(parts[nxt].load))
                        nxt += 1
                    yield term
                    del term
            finally:
                for f in pending:
                    f.cancel()
        self.n_passes += 1
        if self.on_pass is not None:
            self.on_pass(self.n_passes)

    def map_reduce(self, parts, method, *args):
        """``sum_c getattr(term_c, method)(*args)``, one pass."""
        acc = None
        for term in self.terms(parts):
            r = getattr(term, method)(*args)
            acc = r if acc is None else add(acc, r)
        return acc

    def map(self, parts, method, *args):
        """``[getattr(term_c, method)(*args) for c]``, one pass."""
        return [getattr(t, method)(*args) for t in self.terms(parts)]

    def transform(self, parts, method):
        """Loaders of ``getattr(term_c, method)()`` (read again on each pass, as the originals)."""
        return [_Then(p, method) for p in parts]
