"""The data term as a sum over row chunks: the code Dask and streamed Parquet fits share.

A data set too large for one array is cut into row chunks (dask chunks, Parquet row
groups).  Each chunk becomes an ordinary in-memory data term whose weights are divided by
the *global* S (:mod:`.chunks`), and :class:`ChunkedLogistic` (:mod:`.term`) sums their
values, gradients, Hessian-vector products and Hessians.  What differs between backends is
only where the chunks live and how a method reaches them, a *runner*:

* :class:`logreg.distributed.runner.DaskRunner`: chunks persisted on the workers, one
  task per worker thread and one round trip per evaluation;
* :class:`.stream.StreamRunner`: chunks read from files on every pass, one per thread.
"""

from .chunks import Chunk, ChunkTerm, DataSummary, check_summary, label_summary, merge_summaries
from .term import ChunkedLogistic, choose_classes, diagnostic_rows, term_settings

__all__ = [
    "Chunk",
    "ChunkTerm",
    "ChunkedLogistic",
    "DataSummary",
    "check_summary",
    "choose_classes",
    "diagnostic_rows",
    "label_summary",
    "merge_summaries",
    "term_settings",
]
