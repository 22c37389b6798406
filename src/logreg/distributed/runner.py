"""Running the chunks' methods on Dask: one task per worker, summed where the chunks live.

With a ``distributed.Client`` the chunks' terms are futures on the workers.  They are
grouped once by the worker that holds them; every evaluation submits one task per
worker, which calls the method on each of that worker's chunks (on as many threads as
the worker has) and adds their results there, and gathers the workers' sums here: one
round trip of one small task per worker, whatever the number of chunks (beyond
:data:`SPLIT_EVERY` workers the sums are added in a tree of tasks first).  With a local
scheduler the chunks are objects in this process and a pass is one dask graph.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import dask
import numpy as np

from ..chunked.term import add

__all__ = ["SPLIT_EVERY", "DaskRunner", "current_client", "tree"]

#: Partial results summed per task of a tree reduction.
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


def _worker_address():
    from distributed import get_worker

    return get_worker().address


def _evaluate(terms, method, args, threads):
    """``[getattr(t, method)(*args) for t in terms]``, on up to ``threads`` threads (the
    chunks' terms compute on one thread each; the kernels release the GIL)."""
    if threads <= 1 or len(terms) <= 1:
        return [getattr(t, method)(*args) for t in terms]
    with ThreadPoolExecutor(max_workers=min(threads, len(terms)), thread_name_prefix="logreg-chunk") as pool:
        return list(pool.map(lambda t: getattr(t, method)(*args), terms))


def _reduce_group(method, args, threads, *terms):
    # runs on the worker holding ``terms``: their results are summed there, in the chunks'
    # order; the address tells the client whether the group still lives where it was grouped
    return [_worker_address()], add(*_evaluate(terms, method, args, threads))


def _map_group(method, args, threads, *terms):
    return [_worker_address()], _evaluate(terms, method, args, threads)


def _add_groups(*groups):
    """Sum the groups' ``(addresses, result)`` pairs: the addresses listed, the results added."""
    return [a for g in groups for a in g[0]], add(*[g[1] for g in groups])


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

    Attributes
    ----------
    n_passes : int
        Evaluations so far.
    n_tasks : int
        Tasks submitted by the evaluations so far (a Client only): one per worker holding chunks.
    """

    #: ``on_pass(n_passes)`` after every evaluation (progress, tests), or None.
    on_pass = None

    def __init__(self, client=None):
        self.n_passes = 0
        self.n_tasks = 0
        self.client = current_client(client)
        # fixed at construction: objects held in this process must not be shipped to a
        # Client started later, and futures need their own Client
        self.scheduler = self.client if self.client is not None else (dask.config.get("scheduler", None) or "threads")
        self._grouping = None  # (keys of the parts, [(worker address, [part index, ...]), ...])

    def _guard(self, fn):
        """``fn()``, a cluster failure turned into :func:`_lost_worker_error`."""
        try:
            return fn()
        except Exception as exc:
            if self.client is not None and _cluster_failure(exc):
                raise _lost_worker_error(exc) from exc
            raise

    def compute(self, *graphs):
        """``dask.compute(*graphs)`` on this runner's scheduler."""
        return self._guard(lambda: dask.compute(*graphs, scheduler=self.scheduler))

    def persist(self, objs):
        """Compute delayed objects and keep them: futures on the workers, or objects here."""
        if self.client is None:
            return list(self.compute(*objs)) if objs else []

        def run():
            from distributed import wait

            futures = self.client.compute(list(objs))
            wait(futures)
            for f in futures:
                if f.status == "error":
                    f.result()  # raise the first failure here, not at the first evaluation
            return futures

        return self._guard(run)

    def keep(self, objs, *values):
        """Compute delayed ``objs`` and keep them (as :meth:`persist`) and the delayed ``values``
        here, in one round trip: ``(kept, [value, ...])``."""
        objs = list(objs)
        if self.client is None:
            got = self.compute(objs, *values)
            return list(got[0]), list(got[1:])

        def run():
            futures = self.client.compute([*objs, *values])
            got = self.client.gather(futures[len(objs) :])
            return futures[: len(objs)], list(got)

        return self._guard(run)

    # ------------------------------------------------------------------ groups of chunks
    def _groups(self, parts):
        """``[(address, threads, [index, ...]), ...]``: the parts grouped by the worker holding
        them, with that worker's threads (asked of the scheduler once per set of parts)."""
        keys = tuple(p.key for p in parts)
        if self._grouping is None or self._grouping[0] != keys:
            who, threads = self._guard(lambda: (self.client.who_has(parts), self.client.nthreads()))
            by_worker = {}
            for i, p in enumerate(parts):
                held = who.get(p.key) or [None]
                by_worker.setdefault(held[0], []).append(i)
            groups = [(addr, threads.get(addr, 1), idx) for addr, idx in by_worker.items()]
            self._grouping = (keys, groups)
        return self._grouping[1]

    def _on_groups(self, parts, fn, method, args):
        """``fn(method, args, threads, *group)`` on every group, in one round trip: the groups
        and their results in the groups' order (``_map_group``) or their sum
        (``_reduce_group``: a tree of sums on the workers beyond :data:`SPLIT_EVERY` groups)."""
        groups = self._groups(parts)

        def run():
            client = self.client
            futures = [
                client.submit(fn, method, args, threads, *[parts[i] for i in idx], pure=False)
                for _, threads, idx in groups
            ]
            self.n_tasks += len(futures)
            if fn is _map_group:
                got = client.gather(futures)
                return [a for g in got for a in g[0]], [r for g in got for r in g[1]]
            k = max(2, SPLIT_EVERY)
            while len(futures) > k:
                futures = [
                    client.submit(_add_groups, *futures[i : i + k], pure=False) for i in range(0, len(futures), k)
                ]
            return _add_groups(*client.gather(futures))

        addresses, result = self._guard(run)
        if addresses != [addr for addr, _, _ in groups]:
            self._grouping = None  # a group ran away from its worker (a worker was lost): regroup
        return groups, result

    def map_reduce(self, parts, method, *args):
        """``sum_c getattr(part_c, method)(*args)`` in one round trip."""
        if self.client is not None:
            return self._passed(self._on_groups(parts, _reduce_group, method, args)[1])
        # one key per array argument: computed once, not once per chunk
        args = [dask.delayed(a, pure=True) if isinstance(a, np.ndarray) else a for a in args]
        tasks = [dask.delayed(call, pure=False)(p, method, *args) for p in parts]
        return self._passed(self.compute(tree(tasks, add))[0])

    def map(self, parts, method, *args):
        """``[getattr(part_c, method)(*args) for c]`` gathered here, one round trip."""
        if self.client is not None:
            groups, results = self._on_groups(parts, _map_group, method, args)
            out = [None] * len(parts)
            for i, r in zip([i for _, _, idx in groups for i in idx], results, strict=True):
                out[i] = r
            return self._passed(out)
        return self._passed(list(self.compute(*[dask.delayed(call, pure=False)(p, method, *args) for p in parts])))

    def _passed(self, result):
        self.n_passes += 1
        if self.on_pass is not None:
            self.on_pass(self.n_passes)
        return result

    def transform(self, parts, method):
        """New persisted parts ``getattr(part_c, method)()`` (the old ones stay)."""
        return self.persist([dask.delayed(call, pure=False)(p, method) for p in parts])
