"""Hostile input (issue 18): each test reproduces one failure of a hostile-input review of main.

Inputs that hang (a named pipe or a device where a file is expected, a YAML alias bomb, text that makes a step
quadratic), tables that gave silently wrong output, a cache that trusted a damaged entry, and output cells that a
spreadsheet would run as formulas. A hang is guarded by ``finishes_within`` (it fails instead of hanging).
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from analysis import cache, io
from analysis.cli import main
from analysis.corpus import clean_speech, read_corpus
from analysis.errors import ConfigError
from analysis.pipeline import run

GOOD_SPEECH = "Mr. Valdivia (Chile): We support the plan. We condemn terrorism.\n"


def _corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD_SPEECH, encoding="utf-8")
    return folder


def _reasons(skipped) -> dict[str, str]:
    return dict(zip(skipped["path"], skipped["reason"]))


# ------------------------------------------------------------------------------ 1. no hangs: files that are not files


@pytest.mark.parametrize("make", [
    lambda path: os.mkfifo(path),                # a named pipe: opening it blocks until a writer comes
    lambda path: path.symlink_to("/dev/zero"),   # a device: reading it never ends
], ids=["fifo", "dev-zero"])
def test_the_corpus_fingerprint_skips_pipes_and_devices(tmp_path, make, finishes_within):
    folder = _corpus(tmp_path)
    make(folder / "x.txt")
    with finishes_within(20):
        first = cache.input_fingerprint(folder)
    assert first == cache.input_fingerprint(folder)
    (folder / "x.txt").unlink()
    assert cache.input_fingerprint(folder) != first  # the entry is still part of the key


@pytest.mark.parametrize("make", [lambda path: os.mkfifo(path), lambda path: path.symlink_to("/dev/zero")],
                         ids=["fifo", "dev-zero"])
def test_a_run_with_the_cache_on_skips_a_pipe_or_device_named_txt(tmp_path, make, finishes_within):
    folder = _corpus(tmp_path)
    make(folder / "x.txt")
    with finishes_within(120):
        result = run(folder, tmp_path / "out", progress=False, jobs=1)
    assert result.documents["doc_id"].tolist() == ["good"]
    assert _reasons(result.skipped) == {"x.txt": "not a regular file (a pipe, socket or device)"}


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".txt"])
def test_a_corpus_that_is_a_pipe_is_refused_not_read(tmp_path, suffix, capsys, finishes_within):
    pipe = tmp_path / f"table{suffix}"
    os.mkfifo(pipe)
    with finishes_within(20):
        code = main(["run", "--corpus", str(pipe), "--out", str(tmp_path / "out"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "not a regular file" in err and str(pipe) in err, err


def test_a_pipe_inside_a_cache_entry_is_a_miss_not_a_hang(tmp_path, finishes_within):
    import pandas as pd

    cache.store_entry("k1", {"t": pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})}, cache_dir=tmp_path)
    (tmp_path / "k1" / "t.parquet").unlink()
    os.mkfifo(tmp_path / "k1" / "t.parquet")
    with finishes_within(20):
        assert cache.load_entry("k1", cache_dir=tmp_path) is None
    assert not (tmp_path / "k1").exists()


def test_a_pipe_as_manifest_of_a_cache_entry_is_a_miss_not_a_hang(tmp_path, finishes_within):
    import pandas as pd

    cache.store_entry("k1", {"t": pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})}, cache_dir=tmp_path)
    (tmp_path / "k1" / "manifest.json").unlink()
    os.mkfifo(tmp_path / "k1" / "manifest.json")
    with finishes_within(20):
        assert cache.load_entry("k1", cache_dir=tmp_path) is None


def test_file_sha256_refuses_a_pipe_at_once(tmp_path, finishes_within):
    os.mkfifo(tmp_path / "pipe")
    with finishes_within(20), pytest.raises(OSError, match="not a regular file"):
        io.file_sha256(tmp_path / "pipe")


@pytest.mark.parametrize("command", [["label", "{pipe}", "-o", "{tmp}/out.csv"],
                                     ["evaluate", "--gold", "{pipe}", "--out", "{tmp}/ev"]], ids=["label", "gold"])
def test_a_pipe_as_label_input_or_gold_file_exits_2_at_once(tmp_path, capsys, command, finishes_within):
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    with finishes_within(30):
        code = main([part.format(pipe=pipe, tmp=tmp_path) for part in command])
    err = capsys.readouterr().err
    assert code == 2 and f"{pipe}: not a regular file" in err, err


def test_a_pipe_as_theme_lexicon_is_refused_not_read(tmp_path, finishes_within):
    os.mkfifo(tmp_path / "themes.yml")
    with finishes_within(20), pytest.raises(ConfigError, match="not a regular file"):
        io.read_yaml(tmp_path / "themes.yml")


# ------------------------------------------------------------------------------ 1. no hangs: YAML aliases

_ALIAS_BOMB = "version: 1\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi")) + \
    "themes:\n  bomb:\n    terms: *i\n"


def test_yaml_aliases_are_refused_naming_file_and_line(tmp_path, finishes_within):
    path = tmp_path / "themes.yml"
    path.write_text(_ALIAS_BOMB, encoding="utf-8")
    with finishes_within(20), pytest.raises(ConfigError) as info:
        io.read_yaml(path)
    assert str(info.value) == f"{path}:3: YAML aliases (*a) are not allowed; write the values out"
    with finishes_within(20), pytest.raises(ConfigError, match=r"YAML aliases \(\*a\) are not allowed"):
        io.yaml_key_lines(path)


def test_a_yaml_alias_bomb_in_themes_exits_2_at_once(tmp_path, capsys, fixtures_dir, finishes_within):
    path = tmp_path / "themes.yml"
    path.write_text(_ALIAS_BOMB, encoding="utf-8")
    with finishes_within(30):
        code = main(["run", "--corpus", str(fixtures_dir / "messy_corpus"), "--out", str(tmp_path / "out"),
                     "--themes", str(path), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err == f"error: {path}:3: YAML aliases (*a) are not allowed; write the values out\n"


def test_yaml_anchors_without_aliases_still_load(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text("version: 1\nthemes: &t\n  a: [b]\n", encoding="utf-8")
    assert io.read_yaml(path) == {"version": 1, "themes": {"a": ["b"]}}
    assert io.yaml_key_lines(path)[("themes", "a")] == 3


# ------------------------------------------------------------------------------ 1. no hangs: linear cleaning


def _clean_seconds(text: str) -> float:
    start = time.perf_counter()
    clean_speech(text)
    return time.perf_counter() - start


def test_cleaning_hyphen_fragments_is_linear(finishes_within):
    """``'organi-\\n\\nzation-\\n\\n' * N``: each page-broken fragment joined to an ever-growing word was copied
    whole (19 / 79 / 314 s at 0.5 / 1 / 2 MB)."""
    unit = "organi-\n\nzation-\n\n"
    small, large = unit * (100_000 // len(unit)), unit * (400_000 // len(unit))
    with finishes_within(60):
        t_small = min(_clean_seconds(small) for _ in range(2))
        t_large = min(_clean_seconds(large) for _ in range(2))
    assert t_large < 8 * t_small + 0.3, (t_small, t_large)  # 4x the input: about 4x the time (13x before)


@pytest.mark.parametrize("raw", [
    "organi-\n\nzation-\n\norgani-\n\nzation.",
    "We talk of a very-" + "long" * 40 + "-\n\nword-\n\nhere and organi-\n\nzation.",
    "x" * 90 + "-\n\nyy-\n\nzz and long-\n\nterm peace.",
    "The counter-\n\nterrorism of a" + " b" * 50 + "-\n\n" + "c" * 100 + "-\n\nd.",
    "self-\n\n" + "q" * 200 + "-\n\nr-\n\ns.",
])
def test_fragment_joining_gives_what_the_whole_word_gives(raw, monkeypatch):
    """The fast join looks only at the end of the growing word; the full-word join is the reference."""
    from analysis.corpus import clean as corpus_clean

    fast = clean_speech(raw).text
    monkeypatch.setattr(corpus_clean, "_JOIN_TAIL", 10 ** 9)  # the whole word, as before
    assert fast == clean_speech(raw).text


def test_an_adversarial_wildcard_term_matches_in_linear_time(finishes_within):
    from analysis.patterns import WordMatcher

    matcher = WordMatcher(["*a*a*a*a*a*a*a*a*a*a*a*a*b"])
    with finishes_within(10):
        for length in (60, 600, 6000):
            assert matcher.ids("a" * length) == frozenset()
    assert matcher.ids("a" * 12 + "b") == frozenset({0})


# ------------------------------------------------------------------------------ 2. table inputs


def _parquet(path: Path, columns: dict) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table(columns), path)
    return path


def test_parquet_nan_and_empty_doc_ids_fall_back_to_row_ids_as_csv_does(tmp_path):
    """NaN ids were read as 'nan' (and a second one dropped as a duplicate), 7 as '7.0'."""
    texts = ["We act now.", "We wait here.", "We condemn it.", "We agree fully."]
    table = _parquet(tmp_path / "t.parquet", {"doc_id": [float("nan"), 7.0, float("nan"), None], "text": texts})
    corpus = read_corpus(table)
    assert corpus.skipped.empty
    assert sorted(corpus.documents["doc_id"]) == ["7", "row1", "row3", "row4"]
    csv = tmp_path / "t.csv"
    csv.write_text("doc_id,text\n,We act now.\n7,We wait here.\n ,We condemn it.\n,We agree fully.\n", encoding="utf-8")
    assert sorted(read_corpus(csv).documents["doc_id"]) == ["7", "row1", "row3", "row4"]


def test_parquet_integer_doc_ids_and_metadata_are_read_as_strings(tmp_path):
    table = _parquet(tmp_path / "t.parquet", {"doc_id": [1, 20], "year": [2014, None], "text": ["We act.", "We wait."]})
    documents = read_corpus(table).documents.set_index("doc_id")
    assert list(documents.index) == ["1", "20"]
    assert documents.loc["1", "year"] == "2014"  # an integer column with a missing value gave "2014.0"


@pytest.mark.parametrize("values, kind", [
    ([b"We act.", b"We wait."], "binary"),
    ([["We", "act."], ["We"]], "list<element: string>"),
    ([{"t": "We act."}, {"t": "We wait."}], "struct<t: string>"),
    ([1.5, 2.0], "double"),
    ([1, 2], "int64"),
])
def test_a_parquet_text_column_that_is_not_text_is_refused_naming_its_type(tmp_path, values, kind):
    from analysis.errors import InputError

    table = _parquet(tmp_path / "t.parquet", {"doc_id": ["a", "b"], "text": values})
    with pytest.raises(InputError) as info:
        read_corpus(table)
    assert str(info.value) == (f"{table}: the 'text' column holds {kind} values, not text; "
                               "convert it to strings")


def test_a_large_csv_table_is_read_and_the_speech_limit_applies_per_row(tmp_path, monkeypatch):
    """The per-speech byte limit was applied to the whole table: a CSV corpus over 100 MB was refused."""
    from analysis.corpus import decode as corpus_decode

    monkeypatch.setattr(corpus_decode, "MAX_FILE_BYTES", 100)
    rows = [f"d{i},We act on item {i}." for i in range(20)] + ["long,We act. " + "x" * 200]
    table = tmp_path / "t.csv"
    table.write_text("doc_id,text\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert table.stat().st_size > 300
    corpus = read_corpus(table)
    assert len(corpus.documents) == 20
    assert _reasons(corpus.skipped) == {"t.csv:22": "too large for a speech (208 characters; the limit is 100)"}


@pytest.mark.parametrize("sniff", [None, 16], ids=["small", "streamed"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
def test_a_streamed_csv_table_is_decoded_as_before(tmp_path, encoding, sniff, monkeypatch):
    from analysis.corpus import decode as corpus_decode

    if sniff is not None:  # a table larger than the sniffed head is decoded as it is read
        monkeypatch.setattr(corpus_decode, "_SNIFF_BYTES", sniff)
    table = tmp_path / "t.csv"
    table.write_bytes("doc_id,text\r\na,\"We say \u201cno\u201d.\r\nTwice.\"\r\nb,We wait.\r\n".encode(encoding))
    corpus = read_corpus(table)
    assert corpus.documents["text"].tolist() == ["We say \u201cno\u201d. Twice.", "We wait."]
    assert corpus.skipped.empty


# ------------------------------------------------------------------------------ 3. the cache


def _skipped_csv(out: Path) -> dict[str, str]:
    import pandas as pd

    return _reasons(pd.read_csv(out / "skipped.csv", dtype=str, keep_default_na=False))


@pytest.mark.parametrize("add", [
    lambda folder: (folder / "notes.pdf").write_bytes(b"%PDF-1.4"),
    lambda folder: (folder / "loop").symlink_to(folder),
], ids=["pdf", "link-loop"])
def test_skipped_csv_is_right_on_a_cache_hit(tmp_path, add):
    """The fingerprint covered only .txt files and metadata.csv: a new skipped entry still gave 0 skipped."""
    folder = _corpus(tmp_path)
    run(folder, tmp_path / "one", progress=False, jobs=1)
    assert _skipped_csv(tmp_path / "one") == {}
    add(folder)
    run(folder, tmp_path / "two", progress=False, jobs=1)
    assert list(_skipped_csv(tmp_path / "two")) == [sorted(p.name for p in folder.iterdir() if p.name != "good.txt")[0]]
    assert (tmp_path / "two" / "manifest.json").read_text().count('"n_skipped": 1') == 1


def test_the_fingerprint_follows_skipped_entries_by_name_size_and_time(tmp_path):
    folder = _corpus(tmp_path)
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    before = cache.input_fingerprint(folder)
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4 more")
    assert cache.input_fingerprint(folder) != before
    again = cache.input_fingerprint(folder)
    os.utime(folder / "notes.pdf", ns=(1, 1))
    assert cache.input_fingerprint(folder) != again
    (folder / ".hidden.pdf").write_bytes(b"x")  # passed over by the reader, so by the key
    os.utime(folder / "notes.pdf", ns=(1, 1))
    third = cache.input_fingerprint(folder)
    (folder / ".hidden.pdf").unlink()
    assert cache.input_fingerprint(folder) == third


def _edit_manifest(entry: Path, edit) -> None:
    import json

    manifest = json.loads((entry / "manifest.json").read_text(encoding="utf-8"))
    edit(manifest)
    (entry / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize("edit", [
    lambda manifest: manifest["meta"].update(n=99),
    lambda manifest: manifest.pop("meta"),
    lambda manifest: manifest["tables"]["t"].update(object_columns=["a"]),
], ids=["meta-edited", "meta-deleted", "description-edited"])
def test_every_part_of_a_cache_entry_is_checksummed(tmp_path, edit):
    import pandas as pd

    cache.store_entry("k1", {"t": pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})}, meta={"n": 2}, cache_dir=tmp_path)
    assert cache.load_entry("k1", cache_dir=tmp_path)[1] == {"n": 2}
    _edit_manifest(tmp_path / "k1", edit)
    assert cache.load_entry("k1", cache_dir=tmp_path) is None
    assert not (tmp_path / "k1").exists()


@pytest.mark.parametrize("edit", [
    lambda manifest: manifest["meta"]["manifest"].update(n_documents=99, corpus_sha256="0" * 64),
    lambda manifest: manifest.pop("meta"),
], ids=["meta-edited", "meta-deleted"])
def test_a_damaged_cache_entry_is_recomputed_by_run_never_fatal(tmp_path, edit):
    """An edited meta reached manifest.json; a deleted one made every later run exit 1 with a KeyError."""
    import json

    folder = _corpus(tmp_path)
    cache_dir = tmp_path / "cache"
    run(folder, tmp_path / "one", progress=False, jobs=1, cache_dir=cache_dir)
    for entry in cache_dir.iterdir():
        if "manifest" in json.loads((entry / "manifest.json").read_text())["meta"]:
            _edit_manifest(entry, edit)
    for attempt in ("two", "three"):
        run(folder, tmp_path / attempt, progress=False, jobs=1, cache_dir=cache_dir)
        assert (tmp_path / attempt / "manifest.json").read_bytes() == (tmp_path / "one" / "manifest.json").read_bytes()


# ------------------------------------------------------------------------------ 4. CSV injection

# (a cell starting with a carriage return is tested on its own: written unquoted, as pandas writes it, it does
# not read back as one cell)
_FORMULAS = ["=cmd|' /C calc'!A0", "+1+2", "-2+3", "@SUM(A1:A9)", "\t=1"]


def _read_back(path: Path) -> list[list[str]]:
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.mark.parametrize("shape", ["plain", "one-column", "mixed"])
def test_formula_cells_in_text_columns_are_written_with_a_leading_quote(tmp_path, shape):
    import numpy as np
    import pandas as pd

    texts = [*_FORMULAS, "-0.5", "+1e5", "plain", "a=b", None]
    frame = pd.DataFrame({"text": pd.Series(texts, dtype=object)})
    if shape != "one-column":
        frame["value"] = np.linspace(-2, 2, len(texts))
    if shape == "mixed":
        frame["other"] = pd.Series([1, "=x", *[""] * (len(texts) - 2)], dtype=object)
    io.write_csv(frame, tmp_path / "t.csv")
    rows = _read_back(tmp_path / "t.csv")
    assert [row[0] for row in rows[1:]] == [*("'" + text for text in _FORMULAS), "-0.5", "+1e5", "plain", "a=b", ""]
    if shape != "one-column":
        assert rows[1][1] == "-2.000000"  # numbers stay numbers
    if shape == "mixed":
        assert [rows[1][2], rows[2][2]] == ["1", "'=x"]
    assert list(frame["text"]) == texts  # the caller's frame is not changed


def test_a_cell_starting_with_a_carriage_return_is_neutralised(tmp_path):
    import pandas as pd

    io.write_csv(pd.DataFrame({"a": ["\r=1+2"], "b": ["x"]}), tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_bytes() == b"a,b\n'\r=1+2,x\n"


def test_label_output_neutralises_formula_cells(tmp_path, capsys):
    import pandas as pd

    source = tmp_path / "in.csv"
    pd.DataFrame({"id": ["@1", "2"], "text": ["=cmd|' /C calc'!A0", "We condemn terrorism."]}).to_csv(source, index=False)
    assert main(["label", str(source), "-o", str(tmp_path / "out.csv")]) == 0, capsys.readouterr().err
    rows = _read_back(tmp_path / "out.csv")
    assert [row[:2] for row in rows[1:]] == [["'@1", "'=cmd|' /C calc'!A0"], ["2", "We condemn terrorism."]]


def test_run_neutralises_a_formula_in_a_metadata_column(tmp_path):
    folder = _corpus(tmp_path)
    (folder / "metadata.csv").write_text('doc_id,topic\ngood,"=HYPERLINK(""http://x"")"\n', encoding="utf-8")
    run(folder, tmp_path / "out", progress=False, jobs=1, use_cache=False)
    rows = _read_back(tmp_path / "out" / "documents.csv")
    assert rows[1][rows[0].index("topic")] == "'=HYPERLINK(\"http://x\")"


# ------------------------------------------------------------------------------ 5. leftovers of a killed run


def test_the_temporary_file_of_a_killed_writer_is_removed_by_the_next_run(tmp_path):
    """SIGKILL while a table is written leaves ``.<name>.<random>.tmp``, which no later run removed."""
    import signal
    import subprocess
    import sys

    out = tmp_path / "out"
    out.mkdir()
    script = ("import os, signal, sys; from analysis.io import atomic_write\n"
              "with atomic_write(sys.argv[1]) as handle:\n"
              "    handle.write('half'); handle.flush(); os.kill(os.getpid(), signal.SIGKILL)\n")
    killed = subprocess.run([sys.executable, "-c", script, str(out / "documents.csv")],
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    assert killed.returncode == -signal.SIGKILL
    leftover = [name for name in os.listdir(out)]
    assert len(leftover) == 1 and re.fullmatch(r"\.documents\.csv\.\w{8}\.tmp", leftover[0]), leftover
    others = [".notes.tmp", "mine.abcd1234.tmp", ".keep.txt"]  # not names atomic_write gives
    for name in others:
        (out / name).write_text("x", encoding="utf-8")
    os.mkdir(out / ".folder.abcd1234.tmp")
    run(_corpus(tmp_path), out, progress=False, jobs=1, use_cache=False)
    assert sorted(os.listdir(out)) == sorted([*others, ".folder.abcd1234.tmp", "documents.csv", "manifest.json",
                                              "sentences.csv", "skipped.csv", "terms.csv"])


def test_a_temporary_file_being_written_is_left_alone(tmp_path):
    with io.atomic_write(tmp_path / "t.csv") as handle:
        handle.write("a,b\n")
        assert io.remove_stale_temporaries(tmp_path) == []
        assert len(os.listdir(tmp_path)) == 1
    assert os.listdir(tmp_path) == ["t.csv"]


def test_a_pipe_as_themes_of_run_exits_2_naming_it(tmp_path, capsys, fixtures_dir, finishes_within):
    os.mkfifo(tmp_path / "themes.yml")
    with finishes_within(30):
        code = main(["run", "--corpus", str(fixtures_dir / "messy_corpus"), "--out", str(tmp_path / "out"),
                     "--themes", str(tmp_path / "themes.yml"), "--no-progress"])
    assert code == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 'themes.yml'}: not a regular file (a pipe, socket or device)\n"


# ------------------------------------------------------------------ workers die with their run


@pytest.mark.corpus
@pytest.mark.slow
def test_workers_of_a_killed_run_exit_within_seconds(tmp_path, corpora):
    """SIGKILL a `run` while its loky workers are busy: none of them outlives it by more than a few seconds."""
    import signal
    import subprocess
    import sys
    import time

    import psutil

    command = [sys.executable, "-m", "analysis", "run", "--corpus", str(corpora / "unsc_umuc"), "--out",
               str(tmp_path / "out"), "--no-cache", "--no-progress", "--jobs", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        run = psutil.Process(process.pid)
        workers = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            workers = [child for child in run.children(recursive=True)
                       if "loky" in " ".join(child.cmdline()) and child.cpu_times().user > 0.5]
            if len(workers) >= 2:
                break
            time.sleep(0.2)
        assert len(workers) >= 2, "the run finished before its workers were busy"
        process.send_signal(signal.SIGKILL)
        process.wait()
        gone, alive = psutil.wait_procs(workers, timeout=10)
        assert not alive, f"{len(alive)} worker(s) outlived the killed run by 10 s"
    finally:
        if process.poll() is None:
            process.kill()
        for child in psutil.Process().children(recursive=True):
            if child.pid != process.pid:
                continue


def test_label_refuses_a_header_that_names_a_column_twice(tmp_path, capsys):
    from analysis.cli import main

    source = tmp_path / "in.csv"
    source.write_text("id,text,id\n1,We condemn terrorism.,2\n", encoding="utf-8")
    code = main(["label", str(source), "-o", str(tmp_path / "out.csv"), "--method", "rules"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err == f"error: {source}:1: the header names column 'id' twice; give each column its own name"
    assert not (tmp_path / "out.csv").exists()


def test_file_names_with_control_characters_are_printed_escaped(tmp_path, capsys):
    from analysis.cli import main

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    # not UTF-8: the run warns about it by name
    (corpus / "evil\x1b[31mred\nname.txt").write_bytes("We condemn terrorism \u2013 caf\u00e9.".encode("cp1252"))
    (corpus / "ok.txt").write_text("We condemn terrorism in all its forms and manifestations.", encoding="utf-8")
    assert main(["run", "--corpus", str(corpus), "--out", str(tmp_path / "out"), "--no-cache",
                 "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[31mred\\nname.txt" in err
    assert all(line.startswith(("read ", "warning: ")) or "not UN member" in line for line in err.splitlines()), err


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_cyrillic_utf16_without_a_byte_order_mark_is_read(codec):
    from analysis.corpus.decode import decode_bytes

    text = "Мы решительно осуждаем терроризм во всех его формах и проявлениях. " * 20
    decoded, note = decode_bytes(text.encode(codec))
    assert decoded == text and note == "decoded as UTF-16 without a byte-order mark"


def test_a_few_nul_bytes_are_read_the_same_wherever_they_stand():
    from analysis.corpus.decode import SkipFile, decode_bytes

    words = "We condemn terrorism in all its forms. " * 3000  # over 64 KB
    early, _ = decode_bytes(("We\x00 condemn. " + words).encode("utf-8"))
    late, _ = decode_bytes((words + "We\x00 condemn. ").encode("utf-8"))
    assert early.startswith("We\x00 condemn.") and late.endswith("We\x00 condemn. ")  # both kept for the cleaner
    with pytest.raises(SkipFile, match="binary"):
        decode_bytes(b"\x00\x01\x02\x03" * 5000)


@pytest.mark.corpus
@pytest.mark.slow
def test_ctrl_c_during_the_map_prints_one_line(tmp_path, corpora):
    """SIGINT while the workers are busy: exit 130, one line on standard error, no worker left."""
    import signal
    import subprocess
    import sys
    import time

    import psutil

    # a shell started in the background ignores SIGINT, and its children inherit that: restore the default
    code = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
            f"sys.argv = ['analysis', 'run', '--corpus', {str(corpora / 'unsc_umuc')!r}, '--out', "
            f"{str(tmp_path / 'out')!r}, '--no-cache', '--no-progress', '--jobs', '2']; "
            "runpy.run_module('analysis', run_name='__main__')")
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    run = psutil.Process(process.pid)
    workers = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None and len(workers) < 2:
        workers = [child for child in run.children(recursive=True)
                   if "loky" in " ".join(child.cmdline()) and child.cpu_times().user > 0.5]
        time.sleep(0.2)
    assert len(workers) >= 2, "the run finished before its workers were busy"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130
    assert err.splitlines() == ["interrupted; outputs already written are complete, the rest were not touched"]
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive
