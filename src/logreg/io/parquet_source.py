"""A Parquet data set read row group by row group: fits larger than memory, no cluster.

``LogisticRegression().fit(ParquetSource("data/", target="y"))`` streams the files:
a first pass learns the encoding (text levels, training means, the missing-value
policy's counts) and the labels; every later pass of the solver reads each row group
once with pyarrow, encodes it as at prediction time, evaluates the chunk's in-memory
data term and drops it (:mod:`logreg.chunked.stream`).  Peak memory is a few row groups
plus the model, whatever the number of rows; the optimum is the in-memory one, since
the data term is the same sum taken in row groups.
"""

from __future__ import annotations

import glob
import os

import numpy as np

from .inputs import DataError
from .tables import MAX_LEVELS, MISSING_POLICIES

__all__ = ["ParquetSource", "parquet_files"]


#: File names taken for Parquet without looking inside.
PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")


def _is_parquet(path):
    if path.lower().endswith(PARQUET_SUFFIXES):
        return True
    with open(path, "rb") as fh:
        return fh.read(4) == b"PAR1"


def _listed(name):
    # hidden files and Spark's / Hive's markers (_SUCCESS, _common_metadata) are not data
    return not os.path.basename(name).startswith((".", "_"))


def parquet_files(path):
    """The Parquet files that ``path`` names, sorted: one file, a directory (its Parquet
    files, recursively) or a glob pattern.

    The one reading of a data path for every streamed reader: :class:`ParquetSource`, the
    command line's SGD epochs (:mod:`logreg.io.row_groups`) and its cluster commands.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    list of str or None
        None when ``path`` is a regular file that is not Parquet (a CSV file: the caller
        reads it another way).

    Raises
    ------
    DataError
        ``path`` does not exist, is a directory without Parquet files, or is a pattern that
        matches no file or matches files that are not Parquet.
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        files = [
            os.path.join(d, f)
            for d, _, names in os.walk(path)
            for f in names
            if f.lower().endswith(PARQUET_SUFFIXES) and _listed(f)
        ]
        if not files:
            raise DataError(
                f"directory {path!r} holds no .parquet files; give a CSV or Parquet file, or a directory of "
                "Parquet files"
            )
        return sorted(files)
    if any(ch in path for ch in "*?["):
        files = [f for f in glob.glob(path, recursive=True) if os.path.isfile(f) and _listed(f)]
        if not files:
            raise DataError(f"no file matches {path!r}")
        others = [f for f in files if not _is_parquet(f)]
        if others:
            raise DataError(
                f"{path!r} matches files that are not Parquet ({others[0]!r}); streaming reads Parquet only: "
                "narrow the pattern (e.g. *.parquet)"
            )
        return sorted(files)
    if os.path.isfile(path):
        return [path] if _is_parquet(path) else None
    raise DataError(f"{path!r} does not exist; give a Parquet file, a directory of them or a glob pattern")


class _RowGroup:
    """Loader of one row group's chunk term (see :class:`logreg.chunked.stream.StreamRunner`)."""

    def __init__(self, source, index, term_args):
        self.source = source
        self.index = index
        self.term_args = term_args

    def load(self):
        from ..chunked import Chunk

        X, y, sw = self.source.read_encoded(self.index, labels=True)
        return Chunk(X, y, sw, summarise=False).term(*self.term_args)


class ParquetSource:
    """Rows of Parquet files, read one row group at a time: a row source for ``fit``.

    Parameters
    ----------
    path : str or path-like
        A Parquet file, a directory of them (read recursively) or a glob pattern.
    target : str
        The label column.
    columns : list of str, optional
        Feature columns (default: every column except target, weight and ``exclude``).
        Text and dictionary (categorical) columns are one-hot encoded.
    weight : str, optional
        A column of sample weights.
    exclude : sequence of str
        Columns never used as features.
    missing : {'refuse', 'drop', 'mean'}, default='refuse'
        The missing-value policy of the command-line tool.
    max_levels : int or None, default=1000
        Refuse text columns with more distinct values.
    prefetch : int, default=2
        Row groups queued beyond those being read and evaluated (one per thread of a pass,
        :class:`logreg.chunked.stream.StreamRunner`).
    Attributes
    ----------
    files : list of str
    row_groups : list of (file index, row group index, rows)
    columns : list of ColumnEncoding
        The encoding, after :meth:`prepare_fit`.
    feature_names : list of str
        After :meth:`prepare_fit`.
    n_samples, n_rows_read, n_rows_dropped, missing_counts, weight_sum
        The first pass's counts (rows fitted, read, dropped by the missing-value policy,
        missing per column; the sum of the weights or None), after :meth:`prepare_fit`.
    on_pass : callable or None
        ``on_pass(n_passes)`` after every pass over the files (progress).

    Examples
    --------
    >>> model = LogisticRegression().fit(ParquetSource("data/", target="y"))  # doctest: +SKIP
    """

    def __init__(
        self,
        path,
        target,
        *,
        columns=None,
        weight=None,
        exclude=(),
        missing="refuse",
        max_levels=MAX_LEVELS,
        prefetch=2,
    ):
        import pyarrow.parquet as pq

        if missing not in MISSING_POLICIES:
            raise DataError(f"unknown missing-value policy {missing!r}; use one of {', '.join(MISSING_POLICIES)}")
        self.path = os.fspath(path)
        self.target = target
        self.weight = weight
        self.missing = missing
        self.max_levels = max_levels
        self.prefetch = prefetch
        self.files = parquet_files(path)
        if self.files is None:
            raise DataError(
                f"{self.path!r} is not a Parquet file; ParquetSource streams Parquet files (read a CSV file with "
                "logreg.io.read_table, or convert it to Parquet)"
            )
        self.schema = pq.read_schema(self.files[0])
        self.row_groups = []
        # each file's footer parsed once: a pass then opens a file without reading it again
        self._metadata = [pq.ParquetFile(f).metadata for f in self.files]
        for i, meta in enumerate(self._metadata):
            self.row_groups.extend((i, g, meta.row_group(g).num_rows) for g in range(meta.num_row_groups))
        from .partitions import select_features
        from .tables import _check_columns

        names = self.schema.names
        self._features = select_features(names, target, weight, columns, exclude)
        _check_columns(
            self.schema.empty_table(),
            [target, *self._features, *([weight] if weight else [])],
            "requested",
            self.source,
        )
        self.columns = None
        self.feature_names = None
        #: How messages name the missing-value setting (the command line sets ``--missing {}``).
        self.missing_option = "ParquetSource(..., missing='{}')"
        #: ``on_pass(n_passes)`` after every pass over the files (progress), or None.
        self.on_pass = None
        self.n_samples = self.weight_sum = None

    @property
    def source(self):
        """How messages name the data."""
        return self.path

    @property
    def n_rows(self):
        """Rows in the files (before the missing-value policy)."""
        return sum(n for _, _, n in self.row_groups)

    def _used_columns(self, labels):
        cols = list(self._features)
        if labels:
            cols += [self.target] + ([self.weight] if self.weight else [])
        return cols

    def read(self, index, columns):
        """Row group ``index`` (of :attr:`row_groups`) as a pyarrow Table of ``columns``."""
        import pyarrow.parquet as pq

        f, g, _ = self.row_groups[index]
        # pre_buffer off (pyarrow's default is on): with a pass's threads each reading a row
        # group it was slower (P7: 0.289 against 0.252 s a pass) and held 2-3 MiB more
        pf = pq.ParquetFile(self.files[f], metadata=self._metadata[f], pre_buffer=False)
        return pf.read_row_group(g, columns=columns)

    def read_encoded(self, index, *, labels=True):
        """Row group ``index`` encoded: ``(X, y, sample_weight)`` (y, weights None without ``labels``)."""
        from .partitions import encode_part

        table = self.read(index, self._used_columns(labels))
        return encode_part(
            table,
            self.columns,
            target=self.target if labels else None,
            weight=self.weight if labels else None,
            missing=self.missing,
            source=self.source,
        )

    def _first_pass(self, reference_levels):
        """Encoding and label summary from one read of every row group."""
        from ..chunked import label_summary, merge_summaries
        from .partitions import encodings_from, merge_stats, part_stats
        from .tables import _missing_mask, _target_values

        stats, summaries = [], []
        cols = self._used_columns(True)
        for i in range(len(self.row_groups)):
            table = self.read(i, cols)
            st = part_stats(
                table,
                target=self.target,
                features=self._features,
                weight=self.weight,
                missing=self.missing,
                source=self.source,
            )
            stats.append(st)
            keep = np.ones(table.num_rows, dtype=bool)
            if self.missing == "drop":
                for c in cols:
                    keep &= ~_missing_mask(table.column(c))
            y = _target_values(table.column(self.target), self.target, self.source)[keep]
            sw = None
            if self.weight is not None:
                from .tables import _as_float

                sw = _as_float(table.column(self.weight).combine_chunks(), self.weight, self.source)[keep]
            summaries.append(label_summary(y, sw))
        st = merge_stats(*stats)
        self.columns = encodings_from(
            st,
            self._features,
            target=self.target,
            weight=self.weight,
            missing=self.missing,
            reference_levels=reference_levels,
            source=self.source,
            max_levels=self.max_levels,
            option=self.missing_option,
        )
        self.feature_names = [n for e in self.columns for n in e.feature_names]
        self.n_rows_read, self.n_rows_dropped = st.n_rows, st.n_rows - st.n_kept
        self.missing_counts = dict(st.missing)
        return merge_summaries(*summaries)

    def prepare_fit(self, *, class_weight=None, fit_intercept=True, options=None, on_pass=None):
        """The first pass and the streamed data term, for ``LogisticRegression.fit``.

        Returns
        -------
        datafit : logreg.chunked.ChunkedLogistic
        classes : ndarray of shape (n_classes,)
        """
        from ..chunked import ChunkedLogistic, check_summary, choose_classes, term_settings
        from ..chunked.stream import StreamRunner

        on_pass = on_pass or self.on_pass
        summary = self._first_pass(reference_levels=fit_intercept)
        self.n_samples = summary.n_samples
        self.weight_sum = float(summary.weight_sums.sum()) if self.weight is not None else None
        try:
            check_summary(summary)
        except ValueError as exc:
            raise DataError(f"{exc} (weight column {self.weight!r})") from None
        classes, cw = choose_classes(summary, class_weight)
        settings = term_settings(summary, classes, cw)
        # one thread per row group's term: the pass's threads evaluate several row groups at once
        args = settings.term_args(fit_intercept, {"n_threads": 1, **(options or {})})
        parts = [_RowGroup(self, i, args) for i in range(len(self.row_groups))]
        runner = StreamRunner(self.prefetch, on_pass=on_pass)
        runner.n_passes = 1  # the first pass
        if on_pass is not None:
            on_pass(1)
        term = ChunkedLogistic(
            parts,
            runner,
            settings,
            n_samples=summary.n_samples,
            n_features=len(self.feature_names),
            dtype=np.float64,
            sparse=False,
            fit_intercept=fit_intercept,
        )
        return term, classes
