"""Tests for analysis.io: the column-wise CSV writer gives exactly pandas' bytes."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.io import FLOAT_FORMAT, csv_bytes, write_csv


def _pandas_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n").encode("utf-8")


_TEXT = st.one_of(st.none(), st.text(alphabet='ab ,"\n\r\t;é’\u2028\x00', max_size=8))
_FLOAT = st.one_of(st.just(np.nan), st.just(-0.0), st.just(0.0), st.floats(allow_nan=False, width=64))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_TEXT, st.integers(-10**12, 10**12), _FLOAT, _TEXT), max_size=12))
def test_csv_bytes_equal_pandas(rows):
    frame = pd.DataFrame({
        "doc_id": pd.Series([row[0] for row in rows], dtype=object),
        "n": pd.Series([row[1] for row in rows], dtype="int64"),
        "score": pd.Series([row[2] for row in rows], dtype="float64"),
        "label": pd.Series([row[3] for row in rows], dtype="str"),
    })
    assert csv_bytes(frame) == _pandas_bytes(frame)


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"only": ["", "a"]}),  # one column: pandas writes an empty field as ""
    pd.DataFrame({"a": [1, 2], "mixed": pd.Series([1, "x"], dtype=object)}),
    pd.DataFrame({"a": [1, 2], "flag": [True, False]}),
])
def test_frames_it_does_not_cover_are_left_to_pandas(tmp_path, frame):
    assert csv_bytes(frame) is None
    write_csv(frame, tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_bytes() == _pandas_bytes(frame)


def test_empty_frame_is_the_header():
    frame = pd.DataFrame({"term": pd.Series(dtype=object), "count": pd.Series(dtype="int64")})
    assert csv_bytes(frame) == _pandas_bytes(frame) == b"term,count\n"


def test_write_csv_writes_those_bytes(tmp_path):
    frame = pd.DataFrame({"term": ["a b", 'say "no"'], "rate_per_10k": [1 / 3, 2.0]})
    write_csv(frame, tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_bytes() == _pandas_bytes(frame)


def test_a_table_written_in_blocks_is_the_same_file(tmp_path, monkeypatch):
    from analysis import io

    monkeypatch.setattr(io, "_BLOCK_ROWS", 3)
    frame = pd.DataFrame({"a": [f"x,{i}" for i in range(10)], "b": np.arange(10) / 7})
    write_csv(frame, tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_bytes() == _pandas_bytes(frame)
    mixed = pd.DataFrame({"a": pd.Series(["a"] * 5 + [1] * 5, dtype=object), "b": np.arange(10)})
    write_csv(mixed, tmp_path / "m.csv")  # the second block is not plain: pandas writes the whole table
    assert (tmp_path / "m.csv").read_bytes() == _pandas_bytes(mixed)
