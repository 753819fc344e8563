"""Tests for analysis.cache: keys follow content and code, entries round-trip, damage is a miss."""
from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest

from analysis import cache


def _tables() -> dict[str, pd.DataFrame]:
    return {
        "documents": pd.DataFrame({"doc_id": pd.Series(["a", "b"], dtype=object),
                                   "text": pd.Series(["We act.", ""], dtype=object),
                                   "raw_chars": np.array([7, 0], dtype=np.int64)}),
        "scores": pd.DataFrame({"doc_id": pd.Series(["a", "b"], dtype=object),
                                "theme_terrorism": [0.25, np.nan]}),
        "empty": pd.DataFrame({"path": pd.Series(dtype=object), "reason": pd.Series(dtype=object)}),
    }


# ------------------------------------------------------------------------------------------- keys

def _folder(tmp_path, files: dict[str, str]):
    root = tmp_path / "corpus"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_folder_fingerprint_follows_content_not_file_times(tmp_path):
    root = _folder(tmp_path, {"a.txt": "We act.", "sub/b.txt": "We wait."})
    before = cache.input_fingerprint(root)
    os.utime(root / "a.txt", (1, 1))
    assert cache.input_fingerprint(root) == before
    (root / "a.txt").write_text("We act now.", encoding="utf-8")
    assert cache.input_fingerprint(root) != before


@pytest.mark.parametrize("change", ["add", "remove", "rename", "metadata"])
def test_folder_fingerprint_sees_every_input_change(tmp_path, change):
    root = _folder(tmp_path, {"a.txt": "We act.", "b.txt": "We wait."})
    before = cache.input_fingerprint(root)
    if change == "add":
        (root / "c.txt").write_text("More.", encoding="utf-8")
    elif change == "remove":
        (root / "b.txt").unlink()
    elif change == "rename":
        (root / "b.txt").rename(root / "c.txt")
    else:
        (root / "metadata.csv").write_text("doc_id,country\na,Chile\n", encoding="utf-8")
    assert cache.input_fingerprint(root) != before


def test_folder_fingerprint_ignores_what_the_reader_passes_over_silently(tmp_path):
    root = _folder(tmp_path, {"a.txt": "We act."})
    before = cache.input_fingerprint(root)
    (root / ".hidden.txt").write_text("hidden", encoding="utf-8")
    assert cache.input_fingerprint(root) == before


def test_folder_fingerprint_sees_the_files_the_reader_reports(tmp_path):
    # notes.md is listed in skipped.csv, so a cached run must see it come (issue 18)
    root = _folder(tmp_path, {"a.txt": "We act."})
    before = cache.input_fingerprint(root)
    (root / "notes.md").write_text("not a speech", encoding="utf-8")
    assert cache.input_fingerprint(root) != before


def test_table_fingerprint_is_the_file_content(tmp_path):
    one, two = tmp_path / "one.csv", tmp_path / "two" / "one.csv"
    two.parent.mkdir()
    one.write_text("text\nWe act.\n", encoding="utf-8")
    two.write_text("text\nWe act.\n", encoding="utf-8")
    assert cache.input_fingerprint(one) == cache.input_fingerprint(two)
    two.write_text("text\nWe wait.\n", encoding="utf-8")
    assert cache.input_fingerprint(one) != cache.input_fingerprint(two)


def test_code_fingerprint_depends_on_the_modules_named():
    assert cache.code_fingerprint(["corpus"]) == cache.code_fingerprint(["corpus"])
    assert cache.code_fingerprint(["corpus"]) != cache.code_fingerprint(["corpus", "text"])
    assert cache.code_fingerprint(["text", "corpus"]) == cache.code_fingerprint(["corpus", "text"])


def test_code_fingerprint_of_a_subpackage_covers_each_of_its_modules(tmp_path, monkeypatch):
    (tmp_path / "pkg" / "inner").mkdir(parents=True)
    for name in ("__init__.py", "a.py", "inner/b.py"):
        (tmp_path / "pkg" / name).write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(cache, "_PACKAGE_DIR", tmp_path)
    before = cache.code_fingerprint(["pkg"])
    assert cache.code_fingerprint(["pkg"]) == before
    for name in ("a.py", "inner/b.py"):
        (tmp_path / "pkg" / name).write_text("x = 2\n", encoding="utf-8")
        changed = cache.code_fingerprint(["pkg"])
        assert changed != before, name
        before = changed
    (tmp_path / "pkg" / "a.py").rename(tmp_path / "pkg" / "c.py")  # a renamed module changes the key too
    assert cache.code_fingerprint(["pkg"]) != before


def test_cache_key_depends_on_every_part_and_its_order():
    assert cache.cache_key("a", {"x": 1}) == cache.cache_key("a", {"x": 1})
    assert cache.cache_key("a", {"x": 1}) != cache.cache_key("a", {"x": 2})
    assert cache.cache_key("a", "b") != cache.cache_key("b", "a")


# ----------------------------------------------------------------------------------------- entries

def test_entries_round_trip_with_their_dtypes(tmp_path):
    tables = _tables()
    cache.store_entry("k1", tables, meta={"warnings": ["w"]}, cache_dir=tmp_path)
    loaded, meta = cache.load_entry("k1", cache_dir=tmp_path)
    assert meta == {"warnings": ["w"]}
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(loaded[name], frame)
        assert list(loaded[name].dtypes) == list(frame.dtypes)


def test_a_missing_entry_is_a_miss(tmp_path):
    assert cache.load_entry("nothing", cache_dir=tmp_path) is None


def test_writing_leaves_only_the_complete_entry(tmp_path):
    cache.store_entry("k1", _tables(), cache_dir=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k1"]
    assert sorted(p.name for p in (tmp_path / "k1").iterdir()) == [
        "documents.parquet", "empty.parquet", "manifest.json", "scores.parquet"]


def _damage_truncate(entry):
    data = (entry / "documents.parquet").read_bytes()
    (entry / "documents.parquet").write_bytes(data[: len(data) // 2])


def _damage_flip(entry):
    data = bytearray((entry / "documents.parquet").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (entry / "documents.parquet").write_bytes(bytes(data))


def _damage_manifest(entry):
    (entry / "manifest.json").write_text("{not json", encoding="utf-8")


def _damage_key(entry):
    manifest = json.loads((entry / "manifest.json").read_text())
    manifest["key"] = "other"
    (entry / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _damage_format(entry):
    manifest = json.loads((entry / "manifest.json").read_text())
    manifest["format"] = cache.CACHE_FORMAT + 1
    (entry / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _damage_missing(entry):
    (entry / "scores.parquet").unlink()


@pytest.mark.parametrize("damage", [_damage_truncate, _damage_flip, _damage_manifest, _damage_key, _damage_format,
                                    _damage_missing])
def test_a_damaged_entry_is_a_miss_and_is_removed_then_rewritten(tmp_path, damage):
    cache.store_entry("k1", _tables(), cache_dir=tmp_path)
    damage(tmp_path / "k1")
    assert cache.load_entry("k1", cache_dir=tmp_path) is None
    assert not (tmp_path / "k1").exists()
    cache.store_entry("k1", _tables(), cache_dir=tmp_path)
    assert cache.load_entry("k1", cache_dir=tmp_path) is not None


def test_a_half_written_entry_of_a_killed_run_is_invisible(tmp_path):
    # A run killed while writing leaves only its staging folder, never a folder under the key.
    staging = tmp_path / ".k1.abc.tmp"
    staging.mkdir()
    (staging / "documents.parquet").write_bytes(b"PAR1 half")
    assert cache.load_entry("k1", cache_dir=tmp_path) is None
    assert cache.store_entry("k1", _tables(), cache_dir=tmp_path) == tmp_path / "k1"


def test_an_unwritable_cache_is_not_an_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    assert cache.store_entry("k1", _tables(), cache_dir=blocker / "cache") is None
    assert cache.load_entry("k1", cache_dir=blocker / "cache") is None
