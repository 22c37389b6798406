"""Running the chunks' methods on Dask: one graph of one task per chunk and a tree sum."""

from __future__ import annotations

import sys

import dask
import numpy as np

from ..chunked.term import add

__all__ = ["SPLIT_EVERY", "DaskRunner", "current_client", "tree"]

#: Partial results summed per task of the tree reduction.
SPLIT_EVERY = 8


def current_client(client=None):
    """The distributed Client that dask would use now, or None for a local scheduler."""
    if client is not None:
        return client
    if "distributed" not in sys.modules and dask.config.get("scheduler", None) is None:
        # no Client can exist before distributed is imported; skip its ~0.5 s import
        return None
    sched = dask.base.get_scheduler()
    owner = getattr(sched, "__self__", None)
    return owner if type(owner).__name__ == "Client" else None


def tree(parts, fn, split_every=SPLIT_EVERY):
    """Delayed tree reduction of ``parts`` with ``fn(*group)``: depth log_k(n_chunks)."""
    parts = list(parts)
    while len(parts) > 1:
        parts = [dask.delayed(fn, pure=False)(*parts[i : i + split_every]) for i in range(0, len(parts), split_every)]
    return parts[0]


def call(part, method, *args):
    # runs on the worker holding ``part``
    return getattr(part, method)(*args)


#: What distributed raises when the scheduler is gone or gives up on a task whose workers died.
_CLUSTER_FAILURES = (
    "KilledWorker",
    "ClosedClientError",
    "CancelledError",
    "FutureCancelledError",
    "CommClosedError",
    "TimeoutError",
)


def _cluster_failure(exc):
    return isinstance(exc, OSError | TimeoutError) or type(exc).__name__ in _CLUSTER_FAILURES


def _lost_worker_error(exc):
    """A clear error for a computation the cluster could not finish."""
    return RuntimeError(
        f"the Dask cluster failed during the fit ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}): "
        "the scheduler is gone or gave up on lost workers; no model was fitted. Check the cluster "
        "(workers' memory and logs), then fit again"
    )


class DaskRunner:
    """Runs the chunks' methods on persisted chunks: through a Client, or a local scheduler.

    Parameters
    ----------
    client : distributed.Client or None
    """

    #: ``on_pass(n_passes)`` after every evaluation (progress, tests), or None.
    on_pass = None

    def __init__(self, client=None):
        self.n_passes = 0
        self.client = current_client(client)
        # fixed at construction: objects held in this process must not be shipped to a
        # Client started later, and futures need their own Client
        self.scheduler = self.client if self.client is not None else (dask.config.get("scheduler", None) or "threads")

    def compute(self, *graphs):
        if self.client is None:
            return dask.compute(*graphs, scheduler=self.scheduler)
        try:
            return dask.compute(*graphs, scheduler=self.scheduler)
        except Exception as exc:
            if _cluster_failure(exc):
                raise _lost_worker_error(exc) from exc
            raise

    def persist(self, objs):
        """Compute delayed objects and keep them: futures on the workers, or objects here."""
        if self.client is not None:
            from distributed import wait

            try:
                futures = self.client.compute(list(objs))
                wait(futures)
                for f in futures:
                    if f.status == "error":
                        f.result()  # raise the first failure here, not at the first evaluation
            except Exception as exc:
                if _cluster_failure(exc):
                    raise _lost_worker_error(exc) from exc
                raise
            return futures
        return list(self.compute(*objs)) if objs else []

    def map_reduce(self, parts, method, *args):
        """``sum_c getattr(part_c, method)(*args)`` in one graph and one round trip."""
        # one key per array argument: sent to the scheduler once, not once per chunk
        args = [dask.delayed(a, pure=True) if isinstance(a, np.ndarray) else a for a in args]
        tasks = [dask.delayed(call, pure=False)(p, method, *args) for p in parts]
        return self._passed(self.compute(tree(tasks, add))[0])

    def map(self, parts, method, *args):
        """``[getattr(part_c, method)(*args) for c]`` gathered here, one round trip."""
        return self._passed(list(self.compute(*[dask.delayed(call, pure=False)(p, method, *args) for p in parts])))

    def _passed(self, result):
        self.n_passes += 1
        if self.on_pass is not None:
            self.on_pass(self.n_passes)
        return result

    def transform(self, parts, method):
        """New persisted parts ``getattr(part_c, method)()`` (the old ones stay)."""
        return self.persist([dask.delayed(call, pure=False)(p, method) for p in parts])
