"""run --format parquet: partitioned datasets with a marker written last, read back as written."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis import paths
from analysis.cli import main
from analysis.errors import InputError
from analysis.outputs import MARKER, read_dataset, read_run_table, write_dataset
from analysis.pipeline import run


def test_parquet_tables_hold_what_run_computed(tmp_path, fixtures_dir):
    result = run(fixtures_dir / "corpus", tmp_path / "pq", progress=False, jobs=1, use_cache=False, format="parquet")
    for name in ("documents", "sentences", "terms"):
        folder = tmp_path / "pq" / name
        assert (folder / MARKER).is_file() and sorted(p.name for p in folder.glob("part-*.parquet"))
        pd.testing.assert_frame_equal(read_dataset(folder), getattr(result, name).reset_index(drop=True),
                                      check_dtype=False)
    assert (tmp_path / "pq" / "skipped.csv").is_file() and (tmp_path / "pq" / "manifest.json").is_file()


def test_csv_and_parquet_runs_agree(tmp_path, fixtures_dir):
    run(fixtures_dir / "corpus", tmp_path / "csv", progress=False, jobs=1, use_cache=False)
    assert main(["run", "--corpus", str(fixtures_dir / "corpus"), "--out", str(tmp_path / "pq"), "--format",
                 "parquet", "--no-cache", "--no-progress"]) == 0
    for name in ("documents", "terms"):
        csv = read_run_table(tmp_path / "csv", name)
        parquet = read_run_table(tmp_path / "pq", name)
        assert list(csv.columns) == list(parquet.columns) and len(csv) == len(parquet)
        assert csv["doc_id" if name == "documents" else "term"].tolist() == \
            parquet["doc_id" if name == "documents" else "term"].astype(str).tolist()


def test_a_dataset_without_its_marker_is_refused(tmp_path):
    write_dataset(pd.DataFrame({"a": [1, 2, 3]}), tmp_path / "t", rows_per_part=2)
    assert sorted(p.name for p in (tmp_path / "t").iterdir()) == [MARKER, "part-00000.parquet", "part-00001.parquet"]
    assert read_dataset(tmp_path / "t")["a"].tolist() == [1, 2, 3]
    (tmp_path / "t" / MARKER).unlink()
    with pytest.raises(InputError, match="incomplete Parquet dataset"):
        read_dataset(tmp_path / "t")


def test_a_failed_write_leaves_the_previous_dataset(tmp_path, monkeypatch):
    write_dataset(pd.DataFrame({"a": [1]}), tmp_path / "t")
    import pyarrow.parquet as pq

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", broken)
    with pytest.raises(OSError):
        write_dataset(pd.DataFrame({"a": [2]}), tmp_path / "t")
    assert read_dataset(tmp_path / "t")["a"].tolist() == [1]
    assert [p.name for p in tmp_path.iterdir()] == ["t"]  # no staging folder left


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(InputError, match="unknown format"):
        run(paths.RAW_DIR, tmp_path / "x", format="xlsx")


# ------------------------------------------------------------------ one output set


def test_the_manifest_lists_the_digest_of_every_table(tmp_path, fixtures_dir):
    import json

    from analysis.outputs import table_digest

    for format in ("csv", "parquet"):
        out = tmp_path / format
        run(fixtures_dir / "corpus", out, progress=False, jobs=1, use_cache=False, format=format)
        listed = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["tables"]
        assert sorted(listed) == sorted(p.name for p in out.iterdir() if p.name != "manifest.json")
        assert all(table_digest(out / entry) == digest for entry, digest in listed.items())
        assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging or temporary files left


def test_tables_of_two_runs_are_refused_as_a_mixed_set(tmp_path, fixtures_dir):
    run(fixtures_dir / "corpus", tmp_path / "a", progress=False, jobs=1, use_cache=False)
    run(paths.RAW_DIR, tmp_path / "b", progress=False, jobs=1, use_cache=False)
    assert len(read_run_table(tmp_path / "a", "sentences"))
    # what a run stopped between moving its tables and writing its manifest leaves behind
    (tmp_path / "a" / "sentences.csv").write_bytes((tmp_path / "b" / "sentences.csv").read_bytes())
    with pytest.raises(InputError, match="tables of two runs"):
        read_run_table(tmp_path / "a", "sentences")
    assert len(read_run_table(tmp_path / "a", "documents"))  # the others still match


def test_a_failed_write_keeps_the_previous_set_and_leaves_no_staging(tmp_path, fixtures_dir, monkeypatch):
    from analysis import outputs

    out = tmp_path / "out"
    run(fixtures_dir / "corpus", out, progress=False, jobs=1, use_cache=False)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    original = outputs.write_csv

    def failing(frame, path, **kwargs):
        if path.name == "terms.csv":
            raise OSError("disk full")
        return original(frame, path, **kwargs)

    monkeypatch.setattr(outputs, "write_csv", failing)
    with pytest.raises(OSError):
        run(paths.RAW_DIR, out, progress=False, jobs=1, use_cache=False)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_killed_runs_staging_folder_is_removed_by_the_next_run(tmp_path, fixtures_dir):
    import subprocess

    dead = subprocess.Popen(["true"])
    dead.wait()
    out = tmp_path / "out"
    stale = out / f".staging-{dead.pid}-abc123"
    stale.mkdir(parents=True)
    (stale / "sentences.csv").write_text("half\n")
    run(fixtures_dir / "corpus", out, progress=False, jobs=1, use_cache=False)
    assert not stale.exists()


def test_every_part_of_a_dataset_has_the_schema_of_the_table(tmp_path):
    """Parts are converted one at a time; a part whose text cells are all missing keeps the string type."""
    import pyarrow.parquet as pq

    frame = pd.DataFrame({"doc_id": pd.Series(["a", "b", None, None], dtype=object), "n": [1, 2, 3, 4]})
    write_dataset(frame, tmp_path / "t", rows_per_part=2)
    parts = sorted((tmp_path / "t").glob("part-*.parquet"))
    schemas = [pq.read_schema(part) for part in parts]
    assert len(parts) == 2 and schemas[0].equals(schemas[1])
    assert str(schemas[1].field("doc_id").type) in ("string", "large_string")
    back = read_dataset(tmp_path / "t")
    assert back["doc_id"].tolist()[:2] == ["a", "b"] and back["doc_id"].isna().tolist() == [False, False, True, True]
    assert back["n"].tolist() == [1, 2, 3, 4]
