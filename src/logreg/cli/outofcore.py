"""The command line past one machine's memory: Parquet directories streamed, Dask clusters.

``logreg fit DATA`` with DATA a directory or a glob pattern of Parquet files streams
them row group by row group (:class:`logreg.ParquetSource`); ``--cluster local`` (an
embedded LocalCluster, one single-threaded worker per core) or ``--cluster
tcp://host:8786`` reads DATA as a dask DataFrame on the cluster
(:class:`logreg.distributed.DaskFrameSource`).  ``predict`` and ``evaluate`` take the
same DATA and options and read it part by part; only the predictions are gathered.
Every problem is a :class:`~logreg.io.inputs.DataError` (exit code 2 in the CLI).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time

import numpy as np

from ..io.inputs import DataError

__all__ = ["PassProgress", "cluster_client", "is_many_files", "labelled_parts", "prediction_parts", "training_source"]


def is_many_files(data):
    """True for a directory or a glob pattern: data that the CLI streams instead of loading."""
    data = str(data)
    return data != "-" and (os.path.isdir(data) or any(ch in data for ch in "*?["))


class PassProgress:
    """``on_pass(n)``: one line per pass over the data on standard error (unless quiet)."""

    def __init__(self, enabled=True):
        self.enabled = enabled
        self.start = time.perf_counter()

    def __call__(self, n_passes):
        if self.enabled:
            sys.stderr.write(f"logreg: pass {n_passes} over the data ({time.perf_counter() - self.start:.1f} s)\n")
            sys.stderr.flush()


@contextlib.contextmanager
def cluster_client(spec):
    """A distributed Client for ``--cluster``: 'local' starts a LocalCluster, else an address.

    Yields None without ``spec``.

    Raises
    ------
    DataError
        The scheduler cannot be reached (one line, the fix).
    """
    if spec is None:
        yield None
        return
    import logging

    try:
        import distributed
    except ImportError:
        raise DataError("--cluster needs dask's distributed package: pip install 'logreg[dask]'") from None
    if spec == "local":
        n = os.cpu_count() or 1
        with (
            distributed.LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.ERROR
            ) as lc,
            distributed.Client(lc) as client,
        ):
            yield client
        return
    if "://" not in spec:
        raise DataError(f"--cluster must be 'local' or a scheduler address such as tcp://host:8786, got {spec!r}")
    try:
        client = distributed.Client(spec, timeout="5s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise DataError(
            f"cannot reach the Dask scheduler at {spec} ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}); "
            "start it (dask scheduler) or use --cluster local"
        ) from None
    with client:
        yield client


def _dask_frame(data):
    """DATA (a Parquet file, directory or glob; or CSV) as a dask DataFrame."""
    import dask.dataframe as dd

    from ..io.parquet_source import parquet_files

    data = str(data)
    if data == "-":
        raise DataError("--cluster reads files, not standard input; give a path")
    csv = data.endswith((".csv", ".csv.gz")) or (os.path.isfile(data) and not _looks_parquet(data))
    if csv:
        return dd.read_csv(data)
    return dd.read_parquet(parquet_files(data))


def _looks_parquet(path):
    with open(path, "rb") as f:
        return f.read(4) == b"PAR1"


def training_source(data, *, client, target, features, exclude, weight, missing, max_levels, on_pass):
    """The row source that ``fit`` reads DATA through (Parquet streamed, or a dask DataFrame)."""
    from ..io.partitions import select_features

    if client is None:
        from ..io.parquet_source import ParquetSource

        src = ParquetSource(
            data, target, columns=features, weight=weight, exclude=exclude or (), missing=missing, max_levels=max_levels
        )
    else:
        from ..distributed.frames import DaskFrameSource

        ddf = _dask_frame(data)
        names = [str(c) for c in ddf.columns]
        absent = [c for c in [target, *([weight] if weight else []), *(features or [])] if c not in names]
        if absent:
            raise DataError(f"column(s) {', '.join(map(repr, absent))} not in {data}; it has: {', '.join(names[:20])}")
        cols = select_features(names, target, weight, features, exclude or ())
        src = DaskFrameSource(
            ddf[cols],
            ddf[target],
            None if weight is None else ddf[weight],
            missing=missing,
            max_levels=max_levels,
            client=client,
        )
    src.missing_option = "--missing {}"
    src.on_pass = on_pass
    return src


def training_facts(source):
    """The model file's training facts of a row source's first pass."""
    facts = {
        "n_samples": int(source.n_samples),
        "n_rows_read": int(source.n_rows_read),
        "n_rows_dropped": int(source.n_rows_dropped),
        "missing": source.missing,
        "missing_counts": dict(source.missing_counts),
    }
    if source.weight_sum is not None:
        facts["sum_weights"] = float(source.weight_sum)
    return facts


def _parquet_parts(data, columns):
    """DATA's Parquet row groups in order, as pyarrow Tables of ``columns``."""
    import pyarrow.parquet as pq

    from ..io.parquet_source import parquet_files

    for f in parquet_files(data):
        pf = pq.ParquetFile(f)
        for g in range(pf.metadata.num_row_groups):
            yield pf.read_row_group(g, columns=columns)


def _frame_parts(data, client, columns):
    """DATA's partitions as pyarrow Tables, computed on the cluster ahead of this process."""
    import pyarrow as pa

    ddf = _dask_frame(data)
    ddf = ddf if columns is None else ddf[columns]
    futures = client.compute(list(ddf.to_delayed()))
    for fut in futures:
        part = fut.result()
        fut.release()
        yield pa.Table.from_pandas(part, preserve_index=False)


def _parts(data, client, columns):
    return _frame_parts(data, client, columns) if client is not None else _parquet_parts(data, columns)


def prediction_parts(model, prepare, data, *, client, id_column, missing):
    """``(ids, labels, proba)`` of DATA part by part (row groups, or partitions on the cluster).

    ``prepare(table, **kwargs)`` encodes a part as the model file says (:func:`logreg.cli.common.prepare`:
    a formula, or the column encoding), returning a :class:`logreg.io.tables.Design`.

    Yields
    ------
    ids : pyarrow.Array or None
    labels : ndarray of shape (n_part,)
    proba : ndarray of shape (n_part, n_classes)
    """
    from ..distributed.frames import _unnamed

    for table in _parts(data, client, None):
        design = prepare(table, id_column=id_column, missing=missing, source=str(data))
        proba = _unnamed(model, "predict_proba", design.X)
        labels = np.asarray(model.classes_)[np.argmax(proba, axis=1)]
        yield design.ids, labels, proba


def labelled_parts(model, prepare, data, *, client, target, weight, missing):
    """Labels, weights and probabilities of all of DATA, read part by part (for evaluate).

    ``prepare`` as in :func:`prediction_parts`.

    Returns
    -------
    y : ndarray of shape (n,)
    sample_weight : ndarray of shape (n,) or None
    proba : ndarray of shape (n, n_classes)
    n_dropped : int
    """
    from ..distributed.frames import _unnamed

    ys, ws, ps, dropped = [], [], [], 0
    for table in _parts(data, client, None):
        d = prepare(table, target=target, weight=weight, missing=missing, source=str(data))
        ys.append(d.y)
        ws.append(d.sample_weight)
        ps.append(_unnamed(model, "predict_proba", d.X))
        dropped += d.n_rows_dropped
    if not ys:
        raise DataError(f"{data} holds no rows")
    w = None if weight is None else np.concatenate(ws)
    return np.concatenate(ys), w, np.concatenate(ps), dropped


def Scores(model):
    """A fitted classifier whose ``predict_proba`` returns probabilities computed already.

    Lets :func:`logreg.metrics.evaluate` score predictions gathered part by part: pass the
    probabilities as X.
    """
    from sklearn.base import BaseEstimator, ClassifierMixin

    class _Scores(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):  # pragma: no cover - never called; scikit-learn's checks look for it
            return self

        def predict_proba(self, P):
            return P

    out = _Scores()
    out.classes_ = model.classes_
    return out


class SourceDesign:
    """What ``fit`` reports of a row source, in the shape of :class:`logreg.io.tables.Design`."""

    def __init__(self, source):
        self.source = source
        self.columns = source.columns
        self.feature_names = source.feature_names
        self.n_samples = source.n_samples
        self.n_rows_read = source.n_rows_read
        self.n_rows_dropped = source.n_rows_dropped
        self.missing = source.missing
        self.missing_counts = dict(source.missing_counts)

    def describe_dropped(self):
        from ..io.tables import describe_dropped

        return describe_dropped(self.n_rows_dropped, self.n_rows_read, self.missing_counts)

    def facts(self):
        return training_facts(self.source)


def fit_large(model, data, cluster, *, target, features, exclude, weight, missing, max_levels, out):
    """Fit ``model`` on DATA streamed or on a cluster, with progress per pass and per iteration.

    Returns
    -------
    model : LogisticRegression
    design : SourceDesign
    """
    with cluster_client(cluster) as client:
        src = training_source(
            data,
            client=client,
            target=target,
            features=features,
            exclude=exclude,
            weight=weight,
            missing=missing,
            max_levels=max_levels,
            on_pass=PassProgress(not out.quiet),
        )
        with out.collect_warnings(), out.progress(model.max_iter) as callback:
            try:
                model.fit(src, callback=callback)
            except ValueError as exc:
                raise DataError(str(exc)) from None
            except RuntimeError as exc:  # the cluster failed under the fit
                raise DataError(str(exc)) from None
    return model, SourceDesign(src)


def predict_large(model, prepare, data, cluster, *, output, fmt, id_column, missing, out):
    """Predictions of DATA part by part, written as they come (CSV on stdout, or a file).

    Returns
    -------
    n_rows : int
    label_counts : dict
    """
    from .predictions import prediction_table, write_predictions

    counts = {str(c): 0 for c in model.classes_}
    n_rows = 0

    def tables(client):
        nonlocal n_rows
        for ids, labels, proba in prediction_parts(
            model, prepare, data, client=client, id_column=id_column, missing=missing
        ):
            n_rows += len(labels)
            for c, n in zip(*np.unique(labels.astype(str), return_counts=True), strict=True):
                counts[str(c)] += int(n)
            yield prediction_table(model.classes_, labels, proba, id_column=id_column, ids=ids)

    with cluster_client(cluster) as client:
        write_predictions(tables(client), output, fmt, source=data)
    return n_rows, counts


def evaluate_large(model, prepare, data, cluster, *, target, weight, missing, threshold):
    """:func:`logreg.metrics.evaluate` on DATA read part by part (the probabilities are gathered).

    Returns
    -------
    evaluation : logreg.metrics.Evaluation
    n_dropped : int
    """
    from ..metrics import evaluate
    from .common import check_labels

    with cluster_client(cluster) as client:
        y, w, P, dropped = labelled_parts(
            model, prepare, data, client=client, target=target, weight=weight, missing=missing
        )
    check_labels(y, model.classes_, target)
    return evaluate(Scores(model), P, y, sample_weight=w, threshold=threshold), dropped
