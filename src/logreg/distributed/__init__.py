"""Logistic regression on a Dask cluster: the same per-block code on every chunk.

X is a dask array cut into row chunks (dense numpy or scipy.sparse CSR chunks), or a
dask DataFrame whose partitions are encoded on the workers (:mod:`.frames`).  Each
chunk is loaded once into the memory of the worker that holds it and wrapped as an
ordinary in-memory data term with weights divided by the *global* S
(:mod:`logreg.chunked`); each evaluation sends only theta: one task per worker thread,
which evaluates the chunks its worker holds and sums them there, and the client adds
those sums, in one round trip (:mod:`.runner`).  :class:`DaskLogistic` has the interface the solvers
use, so the solvers run unchanged.

Works with dask's local schedulers (the chunks are then held in this process's memory,
as ``X.persist()`` would) and with a ``distributed.Client`` (the chunks stay on the
workers; only parameters and partial sums travel).

What differs from an in-memory fit
----------------------------------
* Rounding: the sums run in another order (chunk by chunk, then per worker), so results
  agree with the in-memory fit to rounding (~1e-13 relative), not bit for bit.
* The sub-sampled Newton Hessian (``hessian(theta, max_rows)``, used by 'newton' and
  'cd' when n is large) samples every chunk in proportion to its rows and weights each
  chunk's estimate by its share of the weight: a stratified sample of about
  ``max_rows`` rows, not the same rows as in memory.  The gradient stays exact, so the
  optimum is the same.
* ``LogisticRegression.fit`` computes the inference statistics for ``summary()``
  distributed (one extra pass, when cheap as in memory), and runs
  :mod:`logreg.diagnostics` on a row sample drawn on the workers.
* A worker lost mid-fit: its chunks are recomputed from the graph by Dask and the fit
  goes on; when Dask gives up, or the scheduler is gone, the fit fails with a
  RuntimeError naming the cause (never a model from partial sums).
"""

from ..chunked import DataSummary, check_summary
from .frames import DaskFrameSource, is_dask_frame, predict_frame
from .inputs import check_dask_inputs
from .predict import predict_blocks
from .rows import DaskLogistic, DaskRows, fit_rows, make_dask_datafit, prepare_fit
from .runner import SPLIT_EVERY, DaskRunner, current_client

__all__ = [
    "SPLIT_EVERY",
    "DaskFrameSource",
    "DaskLogistic",
    "DaskRows",
    "DaskRunner",
    "DataSummary",
    "check_dask_inputs",
    "check_summary",
    "current_client",
    "fit_rows",
    "is_dask_frame",
    "make_dask_datafit",
    "predict_blocks",
    "predict_frame",
    "prepare_fit",
]
