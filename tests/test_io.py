"""Tables in (CSV/Parquet via pyarrow), design matrices out; atomic writes."""

from __future__ import annotations

import gzip
import io
import os
import stat

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from logreg.io.atomic import OutputPathError, atomic_path, atomic_write_text, check_output_path
from logreg.io.tables import DataError, prepare_prediction, prepare_training, read_table

CSV = "a,b,color,y\n1.0,10,red,no\n2.0,20,green,yes\n3.0,30,blue,no\n4.0,40,red,yes\n5.0,50,green,yes\n"


@pytest.fixture
def csv_file(tmp_path):
    p = tmp_path / "data.csv"
    p.write_text(CSV)
    return p


# ------------------------------------------------------------------ reading
def test_read_csv_infers_types(csv_file):
    t = read_table(csv_file)
    assert t.column_names == ["a", "b", "color", "y"]
    assert t.num_rows == 5
    assert pa.types.is_floating(t.schema.field("a").type)
    assert pa.types.is_integer(t.schema.field("b").type)
    assert pa.types.is_string(t.schema.field("color").type)


def test_read_parquet_by_magic_bytes_whatever_the_suffix(tmp_path, csv_file):
    t = read_table(csv_file)
    p = tmp_path / "data.bin"
    pq.write_table(t, p)
    assert read_table(p).equals(t)


def test_read_stdin_and_gzip(tmp_path, csv_file):
    t = read_table("-", stdin=io.BytesIO(CSV.encode()))
    assert t.equals(read_table(csv_file))
    gz = tmp_path / "data.csv.gz"
    gz.write_bytes(gzip.compress(CSV.encode()))
    assert read_table(gz).equals(t)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "is empty"),
        (b"a,b,y\n", "no data rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary data"),
        (b"a,y\n\xff\xfe1,0\n", "not UTF-8"),
        (b"a,a,y\n1,2,0\n", "duplicate column"),
        (b"a,b\n1,2\n3\n", "could not parse"),
    ],
    ids=["missing", "empty", "header-only", "binary", "latin1", "duplicate", "ragged"],
)
def test_read_refuses_bad_files_with_one_line(tmp_path, content, message):
    p = tmp_path / "bad.csv"
    if content is not None:
        p.write_bytes(content)
    with pytest.raises(DataError, match=message) as exc:
        read_table(p)
    assert "\n" not in str(exc.value)


def test_read_refuses_directory_and_empty_stdin(tmp_path):
    with pytest.raises(DataError, match="is a directory"):
        read_table(tmp_path)
    with pytest.raises(DataError, match="standard input is empty"):
        read_table("-", stdin=io.BytesIO(b"  \n"))


def test_read_refuses_truncated_parquet(tmp_path, csv_file):
    p = tmp_path / "data.parquet"
    pq.write_table(read_table(csv_file), p)
    p.write_bytes(p.read_bytes()[:40])
    with pytest.raises(DataError, match="as Parquet"):
        read_table(p)


# ------------------------------------------------------------------ encoding
def test_one_hot_with_reference_level_and_recorded_encoding(csv_file):
    d = prepare_training(read_table(csv_file), target="y")
    # levels sorted: blue (reference, no column), green, red
    assert d.feature_names == ["a", "b", "color=green", "color=red"]
    np.testing.assert_array_equal(d.X[:, 2], [0, 1, 0, 0, 1])
    np.testing.assert_array_equal(d.X[:, 3], [1, 0, 0, 1, 0])
    np.testing.assert_array_equal(d.X[:, 0], [1, 2, 3, 4, 5])
    assert list(d.y) == ["no", "yes", "no", "yes", "yes"]
    color = d.columns[2]
    assert (color.kind, color.levels, color.reference) == ("categorical", ["blue", "green", "red"], "blue")
    assert color.fill in ("green", "red")  # most frequent level (a tie)
    assert d.columns[0].fill == pytest.approx(3.0)


def test_without_reference_every_level_has_a_column(csv_file):
    d = prepare_training(read_table(csv_file), target="y", reference_levels=False)
    assert d.feature_names == ["a", "b", "color=blue", "color=green", "color=red"]
    np.testing.assert_array_equal(d.X[:, 2:].sum(axis=1), 1.0)


def test_features_exclude_and_weight(csv_file):
    t = read_table(csv_file)
    d = prepare_training(t, target="y", features=["color", "a"])
    assert d.feature_names == ["color=green", "color=red", "a"]
    d = prepare_training(t, target="y", exclude=["b"], weight="a")
    assert d.feature_names == ["color=green", "color=red"]
    np.testing.assert_array_equal(d.sample_weight, [1, 2, 3, 4, 5])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": "nope"}, "target column 'nope' not in"),
        ({"target": "y", "features": ["a", "zz"]}, "feature column 'zz' not in"),
        ({"target": "y", "weight": "w"}, "weight column 'w' not in"),
        ({"target": "y", "features": ["a", "y"]}, "both a feature and the target"),
        ({"target": "y", "weight": "color"}, "must be numeric"),
    ],
)
def test_selection_errors_name_the_column(csv_file, kwargs, message):
    with pytest.raises(DataError, match=message):
        prepare_training(read_table(csv_file), **kwargs)


def test_semicolon_files_get_a_hint(tmp_path):
    p = tmp_path / "semi.csv"
    p.write_text("a;y\n1;0\n2;1\n")
    with pytest.raises(DataError, match="separated by ';'; logreg reads comma-separated CSV"):
        prepare_training(read_table(p), target="y")


def test_one_class_is_refused(tmp_path):
    p = tmp_path / "one.csv"
    p.write_text("a,y\n1,0\n2,0\n")
    with pytest.raises(DataError, match=r"target column 'y' has one class \(0\) in 2 rows"):
        prepare_training(read_table(p), target="y")


def test_negative_weights_and_unusable_types_are_refused():
    t = pa.table({"a": [1.0, 2.0], "w": [1.0, -1.0], "y": [0, 1]})
    with pytest.raises(DataError, match="non-negative"):
        prepare_training(t, target="y", weight="w")
    t = pa.table({"when": pa.array([0, 1], pa.timestamp("s")), "y": [0, 1]})
    with pytest.raises(DataError, match="type timestamp"):
        prepare_training(t, target="y")
    t = pa.table({"a": [1.0, np.inf], "y": [0, 1]})
    with pytest.raises(DataError, match="infinite values in 1 row"):
        prepare_training(t, target="y")


# ------------------------------------------------------------ missing values
MISSING = "a,color,y\n1,red,0\n,green,1\nNaN,red,0\n4,,1\n5,green,1\n6,red,0\n"


@pytest.fixture
def missing_table(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text(MISSING)
    return read_table(p)


def test_missing_refused_naming_columns_and_rows(missing_table):
    with pytest.raises(DataError) as exc:
        prepare_training(missing_table, target="y", source="m.csv")
    msg = str(exc.value)
    assert "'a' (2 rows)" in msg and "'color' (1 row)" in msg and "3 of 6 rows" in msg
    assert "--missing drop" in msg and "\n" not in msg


def test_missing_drop(missing_table):
    d = prepare_training(missing_table, target="y", missing="drop")
    assert d.n_samples == 3 and d.n_rows_dropped == 3
    np.testing.assert_array_equal(d.X[:, 0], [1, 5, 6])
    assert d.missing_counts == {"a": 2, "color": 1}
    assert "dropped 3 of 6 rows" in d.describe_dropped()


def test_missing_mean_fills_training_means_and_modes(missing_table):
    d = prepare_training(missing_table, target="y", missing="mean")
    assert d.n_samples == 6
    mean_a = (1 + 4 + 5 + 6) / 4
    np.testing.assert_allclose(d.X[:, 0], [1, mean_a, mean_a, 4, 5, 6])
    assert d.columns[1].fill == "red"
    # row 3 had no colour: filled with red -> color=red is 1
    assert d.feature_names == ["a", "color=red"]
    assert d.X[3, 1] == 1.0


@pytest.mark.parametrize(
    "labels, expected",
    [(pa.array([0, None, 1, 1, 0], pa.int64()), [0, 1, 1, 0]), (pa.array([True, False, None, True, False]), None)],
    ids=["int", "bool"],
)
def test_labels_with_missing_rows_keep_their_type(labels, expected):
    """A missing label makes pyarrow's integer column nullable; the dropped row must not turn the
    remaining labels into floats (classes 0.0 and 1.0 instead of 0 and 1)."""
    t = pa.table({"a": [1.0, 2.0, 3.0, 4.0, 5.0], "y": labels})
    d = prepare_training(t, target="y", missing="drop")
    assert d.y.dtype == (np.int64 if pa.types.is_integer(labels.type) else np.bool_)
    if expected is not None:
        np.testing.assert_array_equal(d.y, expected)


def test_missing_mean_does_not_invent_labels():
    t = pa.table({"a": [1.0, 2.0, 3.0], "y": [0, None, 1]})
    with pytest.raises(DataError, match="only features can"):
        prepare_training(t, target="y", missing="mean")


# -------------------------------------------------------------- prediction
def test_prediction_repeats_the_training_encoding(csv_file):
    t = read_table(csv_file)
    d = prepare_training(t, target="y")
    p = prepare_prediction(t, d.columns)
    np.testing.assert_array_equal(p.X, d.X)
    assert p.feature_names == d.feature_names
    # a later file with fewer levels and columns in another order encodes the same way
    t2 = pa.table({"color": ["red", "blue"], "y": ["no", "no"], "b": [1, 2], "a": [0.5, 0.5]})
    p2 = prepare_prediction(t2, d.columns)
    np.testing.assert_array_equal(p2.X, [[0.5, 1, 0, 1], [0.5, 2, 0, 0]])


def test_prediction_errors(csv_file):
    d = prepare_training(read_table(csv_file), target="y")
    with pytest.raises(DataError, match="feature column 'b' not in new.csv"):
        prepare_prediction(pa.table({"a": [1.0], "color": ["red"]}), d.columns, source="new.csv")
    with pytest.raises(DataError, match=r"1 level not seen in training \('purple'"):
        prepare_prediction(pa.table({"a": [1.0], "b": [1], "color": ["purple"]}), d.columns)
    with pytest.raises(DataError, match="should be numeric"):
        prepare_prediction(pa.table({"a": ["x"], "b": [1], "color": ["red"]}), d.columns)


def test_prediction_mean_uses_training_values_and_ids_follow_dropped_rows(missing_table):
    d = prepare_training(missing_table, target="y", missing="mean")
    new = pa.table({"id": [7, 8, 9], "a": [None, 2.0, 3.0], "color": ["green", None, "red"]})
    p = prepare_prediction(new, d.columns, missing="mean", id_column="id")
    np.testing.assert_allclose(p.X[:, 0], [4.0, 2.0, 3.0])  # the training mean, not this file's
    np.testing.assert_array_equal(p.X[:, 1], [0, 1, 1])
    p = prepare_prediction(new, d.columns, missing="drop", id_column="id")
    assert p.ids.to_pylist() == [9]
    with pytest.raises(DataError, match="missing values"):
        prepare_prediction(new, d.columns)


# ------------------------------------------------------------------ atomic
def test_atomic_write_replaces_whole_and_keeps_no_temp_files(tmp_path):
    p = tmp_path / "out.txt"
    atomic_write_text(p, "one")
    atomic_write_text(p, "two")
    assert p.read_text() == "two"
    assert os.listdir(tmp_path) == ["out.txt"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(p.stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0600


def test_atomic_failure_leaves_the_old_file(tmp_path):
    p = tmp_path / "out.txt"
    p.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(p) as tmp:
        tmp.write_text("half")
        raise RuntimeError("writer failed")
    assert p.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_output_path_checks(tmp_path):
    with pytest.raises(OutputPathError, match="does not exist"):
        check_output_path(tmp_path / "nope" / "out.csv")
    with pytest.raises(OutputPathError, match="is a directory"):
        check_output_path(tmp_path)
    assert check_output_path(tmp_path / "ok.csv") == tmp_path / "ok.csv"
