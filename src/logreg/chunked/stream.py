"""Chunks read from storage on every pass: bounded memory, no cluster.

:class:`StreamRunner` is the runner of :class:`~logreg.chunked.ChunkedLogistic` for
chunks that do not stay in memory.  Each part is a *loader* whose ``load()`` reads its
rows (a Parquet row group), encodes them and returns the chunk's in-memory term.  A pass
hands the parts in order to a few threads; each thread loads one part, evaluates the
method on it and drops it, so reading (pyarrow releases the GIL) and arithmetic (the
kernels release it too) overlap across parts, and at most one part per thread is in
memory.  The results are added here in the parts' order: the same sum whatever the
threads' timing.
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from .term import add

__all__ = ["StreamRunner", "stream_threads"]


def stream_threads():
    """Threads of a streamed pass: one per core, at least two (reading then overlaps arithmetic
    even on one core)."""
    return max(2, os.cpu_count() or 1)


class _Then:
    """A loader whose term is ``getattr(inner.load(), method)()`` (e.g. ``in_float64``)."""

    def __init__(self, inner, method):
        self.inner = inner
        self.method = method

    def load(self):
        return getattr(self.inner.load(), self.method)()


def _evaluate(part, method, args):
    # in a pass's thread: the part's term lives only while its method runs
    return getattr(part.load(), method)(*args)


class StreamRunner:
    """Runs the chunks' methods by loading each chunk in turn, several chunks at once in threads.

    Parameters
    ----------
    prefetch : int, default=2
        Parts queued beyond those being evaluated (their results are small; a queued part
        holds no rows until a thread starts it).
    on_pass : callable, optional
        ``on_pass(n_passes)`` after every pass (progress).
    threads : int, optional
        Threads that each load and evaluate one part at a time (by default
        :func:`stream_threads`): at most this many parts are in memory at once.  The parts'
        terms should compute on one thread each (``n_threads=1``).

    Attributes
    ----------
    n_passes : int
        Passes over the parts so far.
    """

    client = None

    def __init__(self, prefetch=2, on_pass=None, threads=None):
        self.prefetch = int(prefetch)
        self.on_pass = on_pass
        self.threads = int(threads or stream_threads())
        self.n_passes = 0

    def results(self, parts, method, *args):
        """``getattr(term_c, method)(*args)`` of every part, in the parts' order, one pass."""
        parts = list(parts)
        window = self.threads + max(0, self.prefetch)
        with ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="logreg-read") as pool:
            pending = deque()
            nxt = 0
            try:
                while nxt < len(parts) or pending:
                    while nxt < len(parts) and len(pending) < window:
                        pending.append(pool.submit(_evaluate, parts[nxt], method, args))
                        nxt += 1
                    yield pending.popleft().result()
            finally:
                for f in pending:
                    f.cancel()
        self.n_passes += 1
        if self.on_pass is not None:
            self.on_pass(self.n_passes)

    def map_reduce(self, parts, method, *args):
        """``sum_c getattr(term_c, method)(*args)``, one pass."""
        acc = None
        for r in self.results(parts, method, *args):
            acc = r if acc is None else add(acc, r)
        return acc

    def map(self, parts, method, *args):
        """``[getattr(term_c, method)(*args) for c]``, one pass."""
        return list(self.results(parts, method, *args))

    def transform(self, parts, method):
        """Loaders of ``getattr(term_c, method)()`` (read again on each pass, as the originals)."""
        return [_Then(p, method) for p in parts]
