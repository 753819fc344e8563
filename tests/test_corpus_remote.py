"""run --corpus URL: a corpus at any fsspec URL gives the tables of the same corpus on disk.

Only loopback resources: fsspec's in-process ``memory://`` filesystem, ``file://`` URLs, and (when aiohttp is
installed) an HTTP server on 127.0.0.1.
"""
from __future__ import annotations

import json
import threading
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.corpus.remote import corpus_name, is_url, local_corpus
from analysis.errors import InputError
from analysis.pipeline import run

fsspec = pytest.importorskip("fsspec")

TABLES = ("documents.csv", "sentences.csv", "terms.csv", "skipped.csv")


def _same_tables(a: Path, b: Path) -> None:
    for name in TABLES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.fixture
def memory():
    """fsspec's memory filesystem, emptied after the test."""
    filesystem = fsspec.filesystem("memory")
    yield filesystem
    for path in filesystem.ls("/", detail=False):
        filesystem.rm(path, recursive=True)


@pytest.fixture
def table(tmp_path, fixtures_dir) -> Path:
    """The fixture corpus as one Parquet table."""
    from analysis.corpus import read_corpus

    documents = read_corpus(fixtures_dir / "corpus").documents
    path = tmp_path / "speeches.parquet"
    documents[["doc_id", "country", "year", "text"]].to_parquet(path, index=False)
    return path


@pytest.fixture
def no_scratch_left(tmp_path, monkeypatch):
    """Temporary copies go under a folder of the test's, checked empty afterwards."""
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    yield scratch
    assert not list(scratch.iterdir()), "the copy of the corpus was not removed"


@pytest.mark.parametrize("location, expected", [
    ("s3://bucket/un/ungdc.parquet", True), ("memory://x", True), ("file:///tmp/x", True),
    ("data/raw", False), ("/abs/path.csv", False), ("C:/corpus", False), ("no-scheme:/x", False),
])
def test_is_url(location, expected):
    assert is_url(location) is expected
    assert is_url(Path("data/raw")) is False


@pytest.mark.parametrize("location, name", [
    ("s3://bucket/un/ungdc.parquet", "ungdc.parquet"), ("memory://corpora/unsc/", "unsc"),
    ("http://127.0.0.1:8000/a/b.csv?x=1", "b.csv"), ("data/raw", "raw"),
])
def test_corpus_name(location, name):
    assert corpus_name(location) == name


def test_a_file_url_is_the_local_path_not_a_copy(tmp_path, table, no_scratch_left):
    with local_corpus(table.as_uri()) as local:
        assert local == table
    run(table.as_uri(), tmp_path / "url", progress=False, jobs=1, use_cache=False)
    run(table, tmp_path / "path", progress=False, jobs=1, use_cache=False)
    _same_tables(tmp_path / "url", tmp_path / "path")


def test_a_table_at_a_memory_url_gives_the_tables_of_the_file(tmp_path, table, memory, no_scratch_left):
    memory.put(str(table), "/corpora/speeches.parquet")
    url = "memory://corpora/speeches.parquet"
    run(url, tmp_path / "url", progress=False, jobs=1, use_cache=False)
    run(table, tmp_path / "path", progress=False, jobs=1, use_cache=False)
    _same_tables(tmp_path / "url", tmp_path / "path")
    manifest = json.loads((tmp_path / "url" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["corpus"] == url


def test_a_folder_at_a_memory_url_gives_the_tables_of_the_folder(tmp_path, fixtures_dir, memory, no_scratch_left):
    memory.put(str(fixtures_dir / "corpus"), "/shared/corpus", recursive=True)
    assert main(["run", "--corpus", "memory://shared/corpus", "--out", str(tmp_path / "url"), "--no-cache",
                 "--no-progress", "--jobs", "1"]) == 0
    run(fixtures_dir / "corpus", tmp_path / "path", progress=False, jobs=1, use_cache=False)
    _same_tables(tmp_path / "url", tmp_path / "path")


def test_an_unknown_protocol_is_one_line_and_exit_2(tmp_path, capsys):
    code = main(["run", "--corpus", "nosuchfs://bucket/speeches.parquet", "--out", str(tmp_path / "out"),
                 "--no-cache", "--no-progress"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err
    assert err.startswith("error: nosuchfs://bucket/speeches.parquet: unknown protocol 'nosuchfs'")
    assert "memory" in err  # names the protocols that are known
    assert not (tmp_path / "out" / "documents.csv").exists()


def test_nothing_at_the_url_is_a_clear_error(memory, no_scratch_left):
    with pytest.raises(InputError, match="corpus not found at this URL"):
        with local_corpus("memory://nowhere/speeches.parquet"):
            pass


def test_s3_without_s3fs_says_which_extra_to_install():
    try:
        import s3fs  # noqa: F401
    except ImportError:
        with pytest.raises(InputError, match=r"cannot read s3:// URLs here.*unspeech-analysis\[s3\]"):
            with local_corpus("s3://bucket/speeches.parquet"):
                pass
    else:
        pytest.skip("s3fs is installed: the error cannot happen")


def test_a_table_served_over_loopback_http(tmp_path, table, no_scratch_left):
    pytest.importorskip("aiohttp", reason="fsspec's HTTP filesystem needs aiohttp")
    import functools
    import http.server

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(table.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{table.name}"
        run(url, tmp_path / "url", progress=False, jobs=1, use_cache=False)
    finally:
        server.shutdown()
    run(table, tmp_path / "path", progress=False, jobs=1, use_cache=False)
    _same_tables(tmp_path / "url", tmp_path / "path")
    assert pd.read_csv(tmp_path / "url" / "documents.csv")["doc_id"].tolist()
