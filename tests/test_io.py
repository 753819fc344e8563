"""Tests for analysis.io: atomic writes, the output-folder check, YAML errors with file and line, and the
column-wise CSV writer, which gives exactly pandas' bytes."""
from __future__ import annotations

import errno
import os
import re
import tempfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import ConfigError, OutputError
from analysis.io import (FLOAT_FORMAT, atomic_write, csv_bytes, ensure_output_dir, file_digest, file_sha256, read_yaml,
                         write_csv, write_text)


def _leftovers(folder) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


def test_atomic_write_replaces_the_file_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "sub" / "table.csv"
    write_text(target, "old\n")
    write_text(target, "new\n")
    assert target.read_text() == "new\n"
    assert _leftovers(target.parent) == []
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)


@pytest.mark.parametrize("exception", [ValueError("bad row"), KeyboardInterrupt()])
def test_a_failing_write_keeps_the_previous_file(tmp_path, exception):
    target = tmp_path / "table.csv"
    write_text(target, "previous complete content\n")
    with pytest.raises(type(exception)):
        with atomic_write(target) as handle:
            handle.write("half of the new")
            raise exception
    assert target.read_text() == "previous complete content\n"
    assert _leftovers(tmp_path) == []


def test_a_failing_first_write_leaves_no_file_at_all(tmp_path):
    with pytest.raises(RuntimeError):
        with atomic_write(tmp_path / "new.csv") as handle:
            handle.write("x")
            raise RuntimeError
    assert os.listdir(tmp_path) == []


def test_a_full_disk_is_an_output_error_naming_the_file(tmp_path):
    target = tmp_path / "table.csv"
    write_text(target, "previous\n")
    with pytest.raises(OutputError, match=re.escape(f"{target}: cannot write: No space left on device")):
        with atomic_write(target) as handle:
            handle.write("x")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert target.read_text() == "previous\n"
    assert _leftovers(tmp_path) == []


def test_an_error_of_the_body_about_another_file_passes_through(tmp_path):
    with pytest.raises(FileNotFoundError):
        with atomic_write(tmp_path / "out.csv"):
            open(tmp_path / "missing-input.csv")
    assert _leftovers(tmp_path) == []


def test_a_folder_that_cannot_be_created_is_an_output_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match=re.escape(f"cannot create the output folder: {tmp_path}/file is a file")):
        write_text(tmp_path / "file" / "table.csv", "x")
    with pytest.raises(OutputError, match=re.escape(f"cannot create the output folder: {tmp_path}/file is a file")):
        write_text(tmp_path / "file" / "deeper" / "table.csv", "x")


# The "abc" vectors published with each algorithm: RFC 1321 (MD5), FIPS 180-2 appendices (SHA-1, SHA-256).
@pytest.mark.parametrize("algorithm, expected", [
    ("md5", "900150983cd24fb0d6963f7d28e17f72"),
    ("sha1", "a9993e364706816aba3e25717850c26c9cd0d89d"),
    ("sha256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
])
def test_file_digest_gives_the_published_digest_of_abc_in_any_chunk_size(tmp_path, algorithm, expected):
    path = tmp_path / "abc"
    path.write_bytes(b"abc")
    assert {file_digest(path, algorithm, chunk_size=size) for size in (1, 2, 1 << 20)} == {expected}
    if algorithm == "sha256":
        assert file_sha256(path) == expected


def test_write_csv_has_a_fixed_format(tmp_path):
    frame = pd.DataFrame({"term": ["b", "a"], "rate": [1 / 3, 2.0], "count": [1, 2]})
    write_csv(frame, tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_bytes() == b"term,rate,count\nb,0.333333,1\na,2.000000,2\n"


# ------------------------------------------------------------------------------------ ensure_output_dir


def test_ensure_output_dir_creates_missing_folders(tmp_path):
    assert ensure_output_dir(tmp_path / "a" / "b").is_dir()
    assert os.listdir(tmp_path / "a" / "b") == []  # the write test leaves nothing behind


@pytest.mark.parametrize("make, message", [
    (lambda p: (p / "f").write_text("x") and p / "f",
     "the output folder is a file; give a folder (it is created if missing)"),
    (lambda p: (p / "f").write_text("x") and p / "f" / "sub",
     "cannot create the output folder: {tmp}/f is a file"),
])
def test_ensure_output_dir_refuses_a_file(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(OutputError, match=re.escape(f"{path}: " + message.format(tmp=tmp_path))):
        ensure_output_dir(path)


def test_ensure_output_dir_refuses_a_folder_it_cannot_write_in(tmp_path, monkeypatch):
    """Simulated, because a test run as root can write anywhere."""
    real_temporary_file = tempfile.TemporaryFile

    def temporary_file(*args, dir=None, **kwargs):
        if dir is not None and os.path.samefile(dir, tmp_path):
            raise PermissionError(errno.EACCES, "Permission denied", dir)
        return real_temporary_file(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "TemporaryFile", temporary_file)
    with pytest.raises(OutputError, match=re.escape(f"{tmp_path}: cannot write in the output folder: "
                                                    "Permission denied")):
        ensure_output_dir(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="running as root: a read-only folder is still writable for root "
                                               "(see the simulated test)")
def test_ensure_output_dir_refuses_a_read_only_folder(tmp_path):
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="cannot write in the output folder: Permission denied"):
            ensure_output_dir(tmp_path)
    finally:
        tmp_path.chmod(0o755)


# ------------------------------------------------------------------------------------------- read_yaml


@pytest.mark.parametrize("content, message", [
    (b"version: 1\nthemes: [a\n", r"\.yml:3: YAML syntax error: expected ',' or '\]'"),
    (b"version: 1\n  bad: indent\n", r"\.yml:2: YAML syntax error: mapping values are not allowed here"),
    (b"version: 1\nthemes:\n\x00\x01\n", r"\.yml:3: not YAML text: character '\\x00' is not allowed"),
    (b"- a list\n", r"\.yml:1: expected a mapping at the top level"),
    (b"", r"\.yml:1: expected a mapping at the top level"),
    (b"version: \xe9\n", r"\.yml: not UTF-8 text \(invalid continuation byte at byte 9\)"),
])
def test_read_yaml_errors_are_one_line_naming_file_and_line(tmp_path, content, message):
    path = tmp_path / "config.yml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=message) as info:
        read_yaml(path)
    assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)


def test_read_yaml_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        read_yaml(tmp_path / "nope.yml")


# ------------------------------------------------------------- the column-wise CSV writer = pandas' bytes


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


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.text(alphabet='=+-@1.e ,"\t\ra', max_size=6)),
                          st.integers(-5, 5)), max_size=10))
def test_write_csv_in_blocks_writes_the_neutralised_table_as_pandas(rows):
    """The text columns neutralising made are reused, block by block, for the same bytes as pandas'."""
    from pathlib import Path

    from analysis import io

    frame = pd.DataFrame({"cell": pd.Series([row[0] for row in rows], dtype=object),
                          "n": pd.Series([row[1] for row in rows], dtype="int64"),
                          "same": pd.Series([row[0] for row in rows], dtype="str")})
    expected = _pandas_bytes(io.neutralise_formulas(frame))
    original = io._BLOCK_ROWS
    try:
        io._BLOCK_ROWS = 3
        with tempfile.TemporaryDirectory() as folder:
            write_csv(frame, Path(folder) / "t.csv")
            assert (Path(folder) / "t.csv").read_bytes() == expected
    finally:
        io._BLOCK_ROWS = original
