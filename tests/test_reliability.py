"""Reliability: bad input, interrupted runs, reproducibility, and properties that hold for any text.

The property tests use hypothesis with a fixed profile (derandomised, bounded examples, no deadline), so CI
sees the same examples every time and stays fast.
"""
from __future__ import annotations

import ast
import concurrent.futures
import errno
import functools
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.corpus import decode as corpus_decode
from analysis.cli import main
from analysis.corpus import (
    SkipFile,
    clean_speech,
    decode_bytes,
    parse_file_name,
    parse_header,
    read_corpus,
    segment_sentences,
    split_paragraphs,
    split_sentences,
)
from analysis.errors import InputError
from analysis.pipeline import build_tables, run
from analysis.terms import count_terms
from analysis.stance import label_rules, train_stance_labeller
from analysis.text import analyze, tokenize, token_spans
from analysis.themes import load_lexicon

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GOOD_SPEECH = "Mr. Valdivia (Chile): We support the plan. We condemn terrorism.\n"

#: Deterministic and bounded: the same examples on every run, no timing-dependent failures.
PROPERTY = settings(derandomize=True, max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Pieces of UN verbatim records that the cleaning and splitting rules react to, mixed with arbitrary text
# so that hypothesis explores the rules' edges rather than only random code points.
_PIECES = [
    "Mr. ", "Ms. ", "The President", " (spoke in French)", " (Kazakhstan):", ":", " ", "  ", "\n", "\n\n",
    "\r\n", "\t", "-", "--", "-\n", "- \n", " -\n", "-\n\n", ".", ". ", "...", "…", "?", "!", ";", "\"", "“", "”", "’", "'", "(",
    ")", "[", "]", "U.N.", "No. ", "S/PV.7316", "2178 (2014)", "14-63532", "5/28", "12\n", "**", "__", "1 ",
    "| ", "a", "B", "organi", "zation", "long", "term", "counter", "We ", "the ", "2. ", "(iv) ", "b) ",
    "\u00ad", "\u00a0", "\u2028", "\u2029", "\f", "\x00", "\x85", "\u200b", "\ufeff", "İ", "ß", "ﬁ",
    "é", "\u0301", "ǅ", "_", "'s", "Da'esh", "A.", "J. ", "a.m. ", "e.g. ",
]
un_like_text = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=4)), max_size=40).map("".join)
# Lines of a PDF-extracted record: words, line ends that may be hyphens or dashes, page breaks as blank lines.
_WORDS = st.sampled_from(["we", "the", "organi", "zation", "long", "term", "UN", "Council", "No.", "5", "(iv)",
                          "x_", "é", "2014", "S/PV.7316", "Mr.", "said", "I", "1", "|", "terrorism", "trafficking",
                          "organized crime", "cooperation", "we condemn", "do not support", "Da'esh"])
_LINE_ENDS = st.sampled_from(["", ".", "-", "--", " -", "—", ":", ",", ".\"", "?"])
record_line = st.tuples(st.lists(_WORDS, min_size=1, max_size=6).map(" ".join), _LINE_ENDS).map("".join)
record_text = st.lists(st.tuples(record_line, st.sampled_from(["\n", "\n\n", "\n\n\n", "\n12\n"])),
                       max_size=12).map(lambda lines: "".join(a + b for a, b in lines))
any_text = st.one_of(st.text(max_size=200), un_like_text, record_text)


# ------------------------------------------------------------------------------ properties: any text


@PROPERTY
@given(any_text)
def test_clean_speech_accepts_any_text(raw):
    cleaned = clean_speech(raw)
    text = cleaned.text
    assert text == text.strip()
    for paragraph in text.split("\n\n") if text else []:
        # paragraphs are separated by exactly one blank line; inside one, white space is single spaces
        assert paragraph, repr(text)
        assert not re.search(r"\s", paragraph.replace(" ", "")), repr(paragraph)
        assert "  " not in paragraph, repr(paragraph)
    assert "\n" not in cleaned.speaker + cleaned.country


@PROPERTY
@given(any_text)
def test_paragraph_spans_are_stripped_ordered_and_disjoint(text):
    spans = split_paragraphs(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()
        assert "\n\n" not in text[start:end]
        previous_end = end


@PROPERTY
@given(any_text, st.data())
def test_sentence_spans_partition_the_non_blank_text(text, data):
    start = data.draw(st.integers(0, len(text)), label="start")
    end = data.draw(st.integers(start, len(text)), label="end")
    spans = split_sentences(text, start, end)
    covered = set()
    previous_end = start
    for a, b in spans:
        assert previous_end <= a < b <= end
        assert not text[a].isspace() and not text[b - 1].isspace()
        covered.update(range(a, b))
        previous_end = b
    # every character that is not white space belongs to exactly one sentence
    assert covered >= {i for i in range(start, end) if not text[i].isspace()}


@PROPERTY
@given(st.lists(any_text, min_size=1, max_size=4))
def test_every_sentence_is_its_own_slice_of_the_cleaned_text(raws):
    texts = [clean_speech(raw).text for raw in raws]
    documents = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    sentences = segment_sentences(documents)
    by_id = dict(zip(documents["doc_id"], texts))
    for row in sentences.itertuples():
        assert by_id[row.doc_id][row.start:row.end] == row.text
    for _, group in sentences.groupby("doc_id"):
        assert group["sentence_id"].tolist() == list(range(len(group)))
        assert group["start"].is_monotonic_increasing


@PROPERTY
@given(any_text)
def test_tokens_and_their_spans_agree(text):
    tokens = tokenize(text)
    spans = list(token_spans(text))
    assert [text[a:b] for a, b in spans] == tokens
    terms = analyze(text, ngram_range=(1, 3))
    assert all(term and term == term.strip() for term in terms)


@PROPERTY
@given(st.lists(any_text, max_size=4))
def test_term_counts_accept_any_documents(texts):
    table = count_terms(texts)
    assert list(table.columns) == ["term", "count", "docs", "rate_per_10k"]
    assert (table["count"] >= table["docs"]).all() and (table["docs"] <= len(texts)).all()
    assert table["term"].is_unique


@PROPERTY
@given(st.binary(max_size=300) | any_text.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_decode_bytes_either_decodes_or_says_why_not(data):
    try:
        text, note = decode_bytes(data)
    except SkipFile as reason:
        assert str(reason)
        return
    assert text.strip() and "\r" not in text and not text.startswith("\ufeff")
    assert isinstance(note, str)


@PROPERTY
@given(any_text)
def test_header_and_file_name_parsers_accept_any_text(text):
    header = parse_header(text)
    if header is not None:
        assert 0 < header.end <= len(text)
    assert isinstance(parse_file_name(text.replace("\x00", "")), dict)


@functools.lru_cache(maxsize=1)
def _rule_labeller():
    """The labeller ``run`` uses by default, built once for all examples."""
    return train_stance_labeller(method="rules")


@settings(PROPERTY, max_examples=40)
@given(st.lists(st.one_of(any_text, record_text), min_size=1, max_size=3))
def test_the_whole_pipeline_accepts_any_text(raws):
    """Reading, cleaning, segmenting, tokenising, theme scoring and stance labelling, on whatever text."""
    with tempfile.TemporaryDirectory() as folder:
        for number, raw in enumerate(raws):
            Path(folder, f"speech{number}.txt").write_bytes(raw.encode("utf-8", "surrogatepass"))
        corpus = read_corpus(folder)
    assert len(corpus.documents) + len(corpus.skipped) == len(raws)
    result = build_tables(corpus, stance=_rule_labeller())
    texts = dict(zip(corpus.documents["doc_id"], corpus.documents["text"]))
    for row in result.sentences.itertuples():
        assert texts[row.doc_id][row.start:row.end] == row.text
    labels = [label for themes in result.sentences["themes"] for label in themes.split(";") if label]
    assert set(labels) <= set(load_lexicon().names)
    assert all(themes == ";".join(sorted(themes.split(";"))) for themes in result.sentences["themes"])
    assert result.documents["doc_id"].tolist() == sorted(texts)


_STANCE_WORDS = st.sampled_from(["We", "do", "not", "support", "condemn", "call upon", "reject", "cannot accept",
                                  "the", "resolution", "terrorism", "in violation of", "double standards", "Russia",
                                  "my country has ratified", "regret", "\u2019", ",", ".", "(", ")", "\n", "é", ""])
stance_text = st.lists(st.one_of(_STANCE_WORDS, st.text(max_size=3)), max_size=25).map(" ".join)


@PROPERTY
@given(st.lists(st.one_of(stance_text, any_text), min_size=1, max_size=5))
def test_stance_rules_label_any_sentence_with_evidence_inside_it(sentences):
    labels = label_rules(sentences)
    assert len(labels) == len(sentences)
    assert set(labels["stance"]) <= {"support", "oppose", "condemn", "neutral"}
    for text, stance, cue in zip(sentences, labels["stance"], labels["cue"]):
        # evidence "label:cue name@start-end" (several joined by ";"): each span lies inside the sentence
        for item in filter(None, cue.split(";")):
            match = re.fullmatch(r"(\w+):(.+)@(\d+)-(\d+)", item)
            assert match, cue
            assert 0 <= int(match[3]) < int(match[4]) <= len(text), (text, cue)
        if stance != "neutral":
            assert cue.startswith(f"{stance}:"), (text, stance, cue)


# CSV-like bytes: fields, separators, quotes and line ends in any order, sometimes with a header that has a
# key column, sometimes not; plus arbitrary bytes.
_CSV_PIECES = ["doc_id", "source_file", "text", "country", ",", ",", "\"", "\"\"", "\n", "\r\n", "\r", "a.txt",
               "We act.", " ", "", "\t", ";", "\ufeff", "é", "\x00"]
csv_like = st.one_of(
    st.binary(max_size=200),
    st.tuples(st.sampled_from(["doc_id,text\n", "source_file,country\n", "text\n", "", "doc_id,doc_id\n"]),
              st.lists(st.sampled_from(_CSV_PIECES), max_size=40).map("".join))
    .map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass")),
)


@settings(PROPERTY, max_examples=100)
@given(csv_like)
def test_any_metadata_file_is_used_or_reported_never_a_crash(metadata):
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "a.txt").write_text(GOOD_SPEECH, encoding="utf-8")
        Path(folder, "metadata.csv").write_bytes(metadata)
        corpus = read_corpus(folder)
    assert len(corpus.documents) == 1
    assert corpus.skipped["path"].str.startswith("metadata.csv").all()


@settings(PROPERTY, max_examples=100)
@given(csv_like)
def test_any_csv_table_is_read_or_refused_with_an_input_error(table):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "speeches.csv")
        path.write_bytes(table)
        try:
            corpus = read_corpus(path)
        except InputError as error:
            assert str(error).startswith(str(path)) and "\n" not in str(error)
            return
    assert corpus.documents["doc_id"].is_unique
    assert (corpus.documents["text"].str.strip() != "").all()
    assert corpus.skipped["path"].str.fullmatch(r"speeches\.csv:\d+").all()


# ------------------------------------------------------------------------------ bad input files

def _reasons(corpus) -> dict[str, str]:
    return dict(zip(corpus.skipped["path"], corpus.skipped["reason"]))


def test_messy_folder_is_read_with_the_bad_files_listed(fixtures_dir, tmp_path):
    """Done-criterion of issue 7: good speeches beside an empty, a blank, a binary and a Windows-1252 file."""
    folder = fixtures_dir / "messy_corpus"
    result = run(folder, tmp_path, progress=False)
    skipped = pd.read_csv(tmp_path / "skipped.csv", dtype=str, keep_default_na=False)
    assert skipped.to_dict("records") == [
        {"path": "UNSC_2014_SPV.7316_spch023.txt", "reason": "empty file"},
        {"path": "UNSC_2014_SPV.7316_spch024.txt", "reason": "blank file (whitespace only)"},
        {"path": "UNSC_2014_SPV.7316_spch025.txt", "reason": "binary file (contains NUL bytes)"},
    ]
    documents = pd.read_csv(tmp_path / "documents.csv", dtype=str, keep_default_na=False).set_index("doc_id")
    assert documents.index.tolist() == [f"UNSC_2014_SPV.7316_spch0{n}" for n in (21, 22, 26)]
    assert documents["country"].tolist() == ["Chile", "Sweden", "Nigeria"]
    # the Windows-1252 speech is read with its curly quotes, dash and apostrophe, and the run says so
    nigeria = read_corpus(folder).documents.set_index("doc_id").loc["UNSC_2014_SPV.7316_spch026", "text"]
    assert "\u201ccomprehensive\u201d approach" in nigeria and "resolution \u2013 it reflects Africa\u2019s" in nigeria
    assert result.manifest["warnings"] == [
        "UNSC_2014_SPV.7316_spch026.txt: not UTF-8 (4 bytes from offset 44, first 0x93); decoded as Windows-1252"]
    assert result.manifest["n_skipped"] == 3


def _folder_with(tmp_path: Path, name: str, data: bytes) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD_SPEECH, encoding="utf-8")
    (folder / name).write_bytes(data)
    return folder


@pytest.mark.parametrize("name, data, reason", [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b" \r\n\t\r\n", "blank file (whitespace only)"),
    ("bom_only.txt", b"\xef\xbb\xbf\r\n", "blank file (whitespace only)"),
    ("nul.txt", b"We \x00 act", "binary file (contains NUL bytes)"),
    ("control.txt", bytes(range(1, 9)) * 40, "binary file (control characters)"),
    ("scan.txt", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3", "binary file: a PDF document (extract its text first)"),
    ("word.txt", b"PK\x03\x04\x14\x00\x06\x00", "binary file: a ZIP archive or an Office document"),
    ("rich.txt", b"{\\rtf1\\ansi We act.}", "an RTF document, not plain text"),
    ("cyrillic.txt", "Совет Безопасности осуждает терроризм.".encode("cp1251"), "unknown encoding: not UTF-8"),
    ("undefined.txt", b"We act \x81\x8d\x90 now", "unknown encoding: neither UTF-8"),
    ("utf16_broken.txt", b"\xff\xfeW\x00e\x00\x00\xd8", "undecodable UTF-16 text"),
    ("header_only.txt", b"Mr. Valdivia (Chile):\n\n12\n", "no speech text left"),
])
def test_a_bad_file_is_skipped_with_its_reason_and_the_rest_is_read(tmp_path, name, data, reason):
    corpus = read_corpus(_folder_with(tmp_path, name, data))
    assert corpus.documents["doc_id"].tolist() == ["good"]
    assert list(_reasons(corpus)) == [name]
    assert _reasons(corpus)[name].startswith(reason)


@pytest.mark.parametrize("data, text", [
    (b"\xef\xbb\xbfMr. A (Chile):\r\nWe support\r\nthe plan.\r\n", "We support the plan."),
    (b"Mr. A (Chile):\rWe support\rthe plan.\r", "We support the plan."),
    ("\ufeffMr. A (Chile): We support the plan.".encode("utf-16"), "We support the plan."),
    ("Mr. A (Chile): We support the plan.".encode("utf-16-le"), "We support the plan."),
    ("Mr. A (Chile): We support the plan.".encode("utf-32"), "We support the plan."),
    ("Mr. A (Chile): We say \u201cno\u201d.".encode("cp1252"), "We say \u201cno\u201d."),
])
def test_byte_order_marks_line_ends_and_encodings_are_read(tmp_path, data, text):
    corpus = read_corpus(_folder_with(tmp_path, "other.txt", data))
    assert corpus.skipped.empty
    other = corpus.documents.set_index("doc_id").loc["other"]
    assert (other.text, other.country) == (text, "Chile")


@pytest.mark.slow
def test_a_speech_of_one_five_megabyte_line_goes_through(tmp_path, finishes_within):
    """No line breaks at all (some extractions give that): every stage must stay linear in the length."""
    block = "We condemn terrorism in all its forms. Mr. Okafor of the U.N. Office spoke. We support resolution " \
            "2178 (2014), para. 5, and No. 6 of the annex. "
    copies = 5_000_000 // len(block) + 1
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "long.txt").write_text("Mr. Valdivia (Chile): " + block * copies, encoding="utf-8")
    with finishes_within(300):  # about 15 s of CPU on this machine; hours if any stage were quadratic
        result = run(tmp_path / "corpus", tmp_path / "out", progress=False)
    assert result.documents.loc[0, ["country", "n_sentences"]].tolist() == ["Chile", 3 * copies]
    assert result.sentences["text"].iloc[-1] == "We support resolution 2178 (2014), para. 5, and No. 6 of the annex."


def test_duplicate_doc_ids_keep_the_first_file_in_sorted_order(tmp_path):
    for folder in ("a", "b", "c"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "UNSC_2014_SPV.7316_spch001.txt").write_text(f"We act in {folder}.", encoding="utf-8")
    corpus = read_corpus(tmp_path)
    assert corpus.documents["text"].tolist() == ["We act in a."]
    assert _reasons(corpus) == {
        f"{folder}/UNSC_2014_SPV.7316_spch001.txt":
            "duplicate doc_id 'UNSC_2014_SPV.7316_spch001' (already read from a/UNSC_2014_SPV.7316_spch001.txt)"
        for folder in ("b", "c")}


def test_files_that_are_not_speeches_are_listed_and_hidden_ones_ignored(tmp_path):
    (tmp_path / "good.txt").write_text(GOOD_SPEECH, encoding="utf-8")
    for name in ("scan.pdf", "notes.docx", "table.csv", "README.md", ".DS_Store", "._good.txt"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "good-checkpoint.txt").write_text(GOOD_SPEECH, encoding="utf-8")
    corpus = read_corpus(tmp_path)
    assert corpus.documents["doc_id"].tolist() == ["good"]
    assert _reasons(corpus) == {name: "not a .txt speech or metadata.csv; ignored"
                                for name in ("README.md", "notes.docx", "scan.pdf", "table.csv")}


def test_a_folder_without_any_txt_file_is_an_input_error(tmp_path):
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(InputError, match=r"no \.txt speeches found in this folder \(1 other entries, e\.g\. "
                                         r"'scan\.pdf'\)") as info:
        read_corpus(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_symbolic_links_are_followed_once_and_loops_are_reported(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "linked.txt").write_text(GOOD_SPEECH, encoding="utf-8")
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "good.txt").write_text(GOOD_SPEECH, encoding="utf-8")
    (root / "external").symlink_to(outside)            # a folder elsewhere: read
    (root / "sub" / "loop").symlink_to(root)           # back to an enclosing folder: a loop
    (root / "twin").symlink_to(root / "external")      # a folder already walked: not read twice
    (root / "self.txt").symlink_to(root / "self.txt")  # a link to itself
    (root / "dangling.txt").symlink_to(root / "missing.txt")
    corpus = read_corpus(root)
    assert corpus.documents["source_file"].tolist() == ["good.txt", "external/linked.txt"]  # by doc_id
    reasons = _reasons(corpus)
    assert reasons["sub/loop"] == "symbolic link loop: leads back to '.', which contains it; not followed"
    assert reasons["twin"] == "the same folder as 'external' (a symbolic link); not read twice"
    assert reasons["self.txt"].startswith("cannot read: Too many levels of symbolic links")
    assert reasons["dangling.txt"] == "cannot read: No such file or directory"
    assert len(reasons) == 4


def test_a_named_pipe_is_not_read(tmp_path):
    folder = _folder_with(tmp_path, "x.bin", b"x")
    (folder / "x.bin").unlink()
    os.mkfifo(folder / "pipe.txt")  # reading it would block for ever
    assert _reasons(read_corpus(folder)) == {"pipe.txt": "not a regular file (a pipe, socket or device)"}


def test_a_file_over_the_size_limit_is_skipped(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_decode, "MAX_FILE_BYTES", 100)
    corpus = read_corpus(_folder_with(tmp_path, "long.txt", b"We act. " * 20))
    assert _reasons(corpus) == {"long.txt": "too large for a speech (160 bytes; the limit is 100)"}


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="running as root: chmod 000 does not stop root from reading (see the simulated test)")
def test_an_unreadable_file_is_skipped(tmp_path):
    folder = _folder_with(tmp_path, "secret.txt", GOOD_SPEECH.encode())
    (folder / "secret.txt").chmod(0)
    try:
        assert _reasons(read_corpus(folder)) == {"secret.txt": "permission denied"}
    finally:
        (folder / "secret.txt").chmod(0o644)


def test_an_unreadable_file_is_skipped_simulated(tmp_path, monkeypatch):
    """The same as above for a test run as root, with the permission error raised by a stand-in."""
    folder = _folder_with(tmp_path, "secret.txt", GOOD_SPEECH.encode())
    real_open = os.open

    def os_open(path, *args, **kwargs):  # how analysis.io.open_regular_file opens every input file
        if Path(path).name == "secret.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", os_open)
    corpus = read_corpus(folder)
    assert corpus.documents["doc_id"].tolist() == ["good"]
    assert _reasons(corpus) == {"secret.txt": "permission denied"}


def test_an_unlistable_subfolder_is_reported_simulated(tmp_path, monkeypatch):
    folder = _folder_with(tmp_path, "x.bin", b"x")
    (folder / "x.bin").unlink()
    (folder / "locked").mkdir()
    (folder / "locked" / "hidden.txt").write_text(GOOD_SPEECH, encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    corpus = read_corpus(folder)
    assert corpus.documents["doc_id"].tolist() == ["good"]
    assert _reasons(corpus) == {"locked": "cannot list folder: Permission denied"}


# ------------------------------------------------------------------------------ broken metadata


def _metadata_folder(tmp_path: Path, metadata: bytes) -> Path:
    for n in (1, 2, 3):
        (tmp_path / f"UNSC_2014_SPV.7316_spch00{n}.txt").write_text(f"Mr. A (Chile): We act {n}.", encoding="utf-8")
    (tmp_path / "metadata.csv").write_bytes(metadata)
    return tmp_path


@pytest.mark.parametrize("metadata, countries, problems", [
    # a missing optional column: nothing to report, the header gives the country
    (b"doc_id,topic\nUNSC_2014_SPV.7316_spch001,Terrorism\n", ["Chile", "Chile", "Chile"], {}),
    # an unquoted comma: that row is reported with its line, the others are used
    (b"doc_id,country\nUNSC_2014_SPV.7316_spch001,Peru\nUNSC_2014_SPV.7316_spch002,Korea, Republic of\n"
     b"UNSC_2014_SPV.7316_spch003,Mali\n", ["Peru", "Chile", "Mali"],
     {"metadata.csv:3": "3 values but 2 columns in the header (an unquoted comma?); row ignored"}),
    # a short row is padded with empty values
    (b"doc_id,country,topic\nUNSC_2014_SPV.7316_spch001\n", ["Chile", "Chile", "Chile"], {}),
    # a stray quote inside a value
    (b'doc_id,country\nUNSC_2014_SPV.7316_spch001,"Peru"x\nUNSC_2014_SPV.7316_spch002,Mali\n',
     ["Chile", "Mali", "Chile"], {"metadata.csv:2": "broken CSV quoting (',' expected after '\"'); row ignored"}),
    # an unclosed quote swallows the rest of the file: the rows before it are used
    (b'doc_id,country\nUNSC_2014_SPV.7316_spch001,Peru\nUNSC_2014_SPV.7316_spch002,"Mali\n'
     b'UNSC_2014_SPV.7316_spch003,Chad\n', ["Peru", "Chile", "Chile"],
     {"metadata.csv:3": "unclosed quote: lines 3-4 ignored"}),
    # a quoted value may span lines; line numbers after it stay right
    (b'doc_id,topic,country\nUNSC_2014_SPV.7316_spch001,"Two\nlines",Peru\nUNSC_2014_SPV.7316_spch002,x,y,z\n',
     ["Peru", "Chile", "Chile"], {"metadata.csv:4": "4 values but 3 columns in the header (an unquoted comma?); "
                                                    "row ignored"}),
    # a repeated key: the first row wins
    (b"doc_id,country\nUNSC_2014_SPV.7316_spch001,Peru\nUNSC_2014_SPV.7316_spch001,Mali\n",
     ["Peru", "Chile", "Chile"],
     {"metadata.csv:3": "doc_id 'UNSC_2014_SPV.7316_spch001' repeats metadata.csv:2; row ignored"}),
    # no key column at all
    (b"name,country\nx,Peru\n", ["Chile", "Chile", "Chile"],
     {"metadata.csv": "metadata has neither a 'doc_id' nor a 'source_file' column; ignored"}),
    # Windows-1252 and CRLF in the metadata
    ("doc_id,country\r\nUNSC_2014_SPV.7316_spch001,C\u00f4te d\u2019Ivoire\r\n".encode("cp1252"),
     ["C\u00f4te d\u2019Ivoire", "Chile", "Chile"], {}),
    # not a CSV at all
    (b"\x00\x01\x02\x03", ["Chile", "Chile", "Chile"],
     {"metadata.csv": "unreadable metadata (binary file (contains NUL bytes)); ignored"}),
    (b"", ["Chile", "Chile", "Chile"], {"metadata.csv": "unreadable metadata (empty file); ignored"}),
], ids=["missing-column", "unquoted-comma", "short-row", "stray-quote", "unclosed-quote", "multi-line-value",
        "repeated-key", "no-key-column", "windows-1252", "binary", "empty"])
def test_broken_metadata_is_reported_by_line_and_the_speeches_are_still_read(tmp_path, metadata, countries,
                                                                              problems):
    corpus = read_corpus(_metadata_folder(tmp_path, metadata))
    assert corpus.documents["country"].tolist() == countries
    assert _reasons(corpus) == problems


# ------------------------------------------------------------------------------ broken tables


def test_a_broken_csv_table_keeps_its_good_rows_with_exact_line_numbers(tmp_path):
    table = tmp_path / "speeches.csv"
    table.write_bytes(b'doc_id,text\na,"We act.\nWe vote."\nb,We, too\nc,\nd,"We leave."x\ne,We stay.\n')
    corpus = read_corpus(table)
    assert corpus.documents["doc_id"].tolist() == ["a", "e"]
    assert _reasons(corpus) == {
        "speeches.csv:4": "3 values but 2 columns in the header (an unquoted comma?); row ignored",
        "speeches.csv:5": "empty text",
        "speeches.csv:6": "broken CSV quoting (',' expected after '\"'); row ignored",
    }


@pytest.mark.parametrize("data, message", [
    (b"", "cannot read table: empty file"),
    (b"\x00\x01binary", "cannot read table: binary file"),
    (b"doc_id,body\na,UNSC\n", "no 'text' column (columns are: doc_id, body)"),
    (b"text,text\nWe act.,We vote.\n", "repeated column names in the header: ['text']"),
])
def test_an_unusable_csv_table_is_an_input_error_naming_it(tmp_path, data, message):
    table = tmp_path / "speeches.csv"
    table.write_bytes(data)
    with pytest.raises(InputError, match=re.escape(message)) as info:
        read_corpus(table)
    assert str(info.value).startswith(str(table))


def test_a_corrupt_parquet_table_is_an_input_error_naming_it(tmp_path):
    table = tmp_path / "speeches.parquet"
    table.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputError, match=r"cannot read table") as info:
        read_corpus(table)
    assert str(info.value).startswith(str(table))


# ------------------------------------------------------------------------------ bad arguments and config

# Each case: how to build the bad argument in tmp_path, the `run` arguments, and the expected one-line error
# (a regular expression; {tmp} is tmp_path). Every one must exit with code 2, print exactly one line and no
# traceback, and name the file (with its line where there is one).
_THEMES_OK = "version: 1\nthemes:\n  terrorism:\n    terms: [terror*]\n    examples:\n      match: [We fight terrorism.]\n"
_BAD_RUNS = {
    "missing-corpus": (None, ["--corpus", "{tmp}/nowhere"], r"{tmp}/nowhere: corpus not found"),
    "empty-corpus": (lambda p: (p / "c").mkdir(), ["--corpus", "{tmp}/c"],
                     r"{tmp}/c: no \.txt speeches found in this folder"),
    "nothing-readable": (lambda p: (p / "c").mkdir() or (p / "c" / "a.txt").write_bytes(b"")
                         or (p / "c" / "b.txt").write_bytes(b"\x00"), ["--corpus", "{tmp}/c"],
                         r"{tmp}/c: no speech could be read \(2 skipped; see {tmp}/out/skipped\.csv\)"),
    "corpus-of-wrong-type": (lambda p: (p / "c.json").write_text("{}"), ["--corpus", "{tmp}/c.json"],
                             r"{tmp}/c\.json: unsupported corpus file type '\.json'"),
    "table-without-text": (lambda p: (p / "t.csv").write_text("doc_id,body\na,UNSC\n"), ["--corpus", "{tmp}/t.csv"],
                           r"{tmp}/t\.csv: no 'text' column \(columns are: doc_id, body\)"),
    "output-is-a-file": (lambda p: (p / "out").write_text("x"), [],
                         r"{tmp}/out: the output folder is a file; give a folder"),
    "output-under-a-file": (lambda p: (p / "f").write_text("x"), ["--out", "{tmp}/f/out"],
                            r"{tmp}/f/out: cannot create the output folder: {tmp}/f is a file"),
    "themes-missing": (None, ["--themes", "{tmp}/themes.yml"], r"{tmp}/themes\.yml: theme lexicon not found"),
    "themes-syntax-error": (lambda p: (p / "themes.yml").write_text("version: 1\nthemes: [a\n"),
                            ["--themes", "{tmp}/themes.yml"], r"{tmp}/themes\.yml:3: YAML syntax error"),
    "themes-binary": (lambda p: (p / "themes.yml").write_bytes(b"version: 1\n\x00"), ["--themes", "{tmp}/themes.yml"],
                      r"{tmp}/themes\.yml:2: not YAML text"),
    "theme-without-terms": (lambda p: (p / "themes.yml").write_text(_THEMES_OK.replace("[terror*]", "[]")),
                            ["--themes", "{tmp}/themes.yml"], r"{tmp}/themes\.yml:4: theme 'terrorism' has no terms"),
    "theme-invalid-pattern": (lambda p: (p / "themes.yml").write_text(_THEMES_OK.replace("terror*", "terror(ism")),
                              ["--themes", "{tmp}/themes.yml"],
                              r"{tmp}/themes\.yml:4: theme 'terrorism': invalid pattern 'terror\(ism'"),
    "themes-not-a-mapping": (lambda p: (p / "themes.yml").write_text("version: 1\nthemes: [terror*]\n"),
                             ["--themes", "{tmp}/themes.yml"], r"{tmp}/themes\.yml:2: 'themes' must be a mapping of theme names"),
}


@pytest.mark.parametrize("case", sorted(_BAD_RUNS))
def test_bad_arguments_and_config_exit_2_with_one_line(tmp_path, capsys, fixtures_dir, case):
    make, extra, expected = _BAD_RUNS[case]
    if make is not None:
        make(tmp_path)
    args = {"--corpus": str(fixtures_dir / "messy_corpus"), "--out": str(tmp_path / "out")}
    args.update(dict(zip(extra[::2], (value.format(tmp=tmp_path) for value in extra[1::2]))))
    code = main(["run", *(item for pair in args.items() for item in pair), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert re.fullmatch("error: " + expected.format(tmp=re.escape(str(tmp_path))) + ".*\n", err), err


# The stance commands: a broken cue file (config/stance.yml's format), a broken gold file, bad output paths.
_CUES_OK = """\
version: 1
codebook: 1
precedence: [oppose, support, condemn, neutral]
default: neutral
labels: [support, oppose, neutral, condemn]
cues:
  support:
    - name: calls upon
      pattern: "call(?:s|ed)? upon"
      examples: ["We call upon all States."]
"""
_GOLD_HEADER = "id,split,sampling,corpus,body,meeting,session,country,doc_id,sentence_id,start,end,text,themes,stance\n"


def _gold(tmp_path: Path, fixtures_dir: Path, edit) -> None:
    lines = (fixtures_dir / "stance_gold.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "gold.csv").write_text(edit(lines), encoding="utf-8")


_BAD_STANCE_RUNS = {
    "cues-syntax-error": (lambda p, f: (p / "cues.yml").write_text(_CUES_OK.replace('States."]', 'States."')),
                          ["label", "--codebook", "{tmp}/cues.yml"], r"{tmp}/cues\.yml:\d+: YAML syntax error"),
    "cues-unknown-label": (lambda p, f: (p / "cues.yml").write_text(_CUES_OK.replace("  support:", "  supprt:")),
                           ["label", "--codebook", "{tmp}/cues.yml"],
                           r"{tmp}/cues\.yml:7: unknown stance label 'supprt' under 'cues'"),
    "cues-unknown-precedence": (lambda p, f: (p / "cues.yml").write_text(_CUES_OK.replace("condemn,", "condem,")),
                                ["label", "--codebook", "{tmp}/cues.yml"],
                                r"{tmp}/cues\.yml:3: unknown stance label 'condem' in 'precedence'"),
    "cues-invalid-regex": (lambda p, f: (p / "cues.yml").write_text(_CUES_OK.replace("(?:s|ed)?", "(?:s|ed")),
                           ["label", "--codebook", "{tmp}/cues.yml"],
                           r"{tmp}/cues\.yml:9: invalid regular expression: missing \)"),
    "cues-example-fails": (lambda p, f: (p / "cues.yml").write_text(_CUES_OK.replace("We call upon", "We ask")),
                           ["label", "--codebook", "{tmp}/cues.yml"],
                           r"{tmp}/cues\.yml:10: cue 'calls upon' does not match its example 1"),
    "cues-missing": (None, ["label", "--codebook", "{tmp}/cues.yml"], r"{tmp}/cues\.yml: .*not found"),
    "label-input-missing": (None, ["label", "--input", "{tmp}/nope.csv"], r"{tmp}/nope\.csv: input not found"),
    "label-output-is-a-folder": (lambda p, f: (p / "out.csv").mkdir(), ["label"],
                                 r"{tmp}/out\.csv: is a folder; give the name of a file to write"),
    "gold-unknown-label": (lambda p, f: _gold(p, f, lambda lines: "".join(lines).replace(",support\n", ",suport\n", 1)),
                           ["evaluate"], r"{tmp}/gold\.csv:2: unknown stance label 'suport'"),
    "gold-offsets-outside": (lambda p, f: _gold(p, f, lambda lines: lines[0] + lines[1].replace(",0,70,", ",0,700,")
                                                + "".join(lines[2:])),
                             ["evaluate"], r"{tmp}/gold\.csv:2: offsets outside the text"),
    "gold-missing-column": (lambda p, f: (p / "gold.csv").write_text("id,text\n1,We act.\n"), ["evaluate"],
                            r"{tmp}/gold\.csv:1: missing column 'stance'"),
    "gold-extra-value": (lambda p, f: _gold(p, f, lambda lines: "".join(lines[:3]) + lines[3].replace(",support", ",x,support")
                                            + "".join(lines[4:])),
                         ["evaluate"], r"{tmp}/gold\.csv:4: expected 15 fields, got 16"),
    "evaluate-out-is-a-file": (lambda p, f: _gold(p, f, "".join) or (p / "ev").write_text("x"), ["evaluate"],
                               r"{tmp}/ev: the output folder is a file"),
}


@pytest.mark.parametrize("case", sorted(_BAD_STANCE_RUNS))
def test_bad_stance_config_gold_and_outputs_exit_2_with_one_line(tmp_path, capsys, fixtures_dir, case):
    make, extra, expected = _BAD_STANCE_RUNS[case]
    if make is not None:
        make(tmp_path, fixtures_dir)
    command, options = extra[0], [value.format(tmp=tmp_path) for value in extra[1:]]
    if command == "label":
        (tmp_path / "in.csv").write_text("id,text\n1,We call upon all States.\n", encoding="utf-8")
        options = dict(zip(options[::2], options[1::2]))
        source = options.pop("--input", str(tmp_path / "in.csv"))
        argv = ["label", source, "-o", str(tmp_path / "out.csv"), "--method", "rules",
                *(item for pair in options.items() for item in pair)]
    else:
        argv = ["evaluate", "--gold", str(tmp_path / "gold.csv"), "--no-blind", "--methods", "rules",
                "--out", str(tmp_path / "ev"), *options]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert re.fullmatch("error: " + expected.format(tmp=re.escape(str(tmp_path))) + ".*\n", err), err


def test_an_unwritable_output_folder_exits_2_before_reading_the_corpus(tmp_path, capsys, fixtures_dir,
                                                                        monkeypatch):
    """Simulated (root can write anywhere): the folder refuses new files."""
    out = tmp_path / "out"
    out.mkdir()
    real_temporary_file = tempfile.TemporaryFile

    def temporary_file(*args, dir=None, **kwargs):
        if dir is not None and Path(dir) == out:
            raise PermissionError(13, "Permission denied", dir)
        return real_temporary_file(*args, dir=dir, **kwargs)

    def read_corpus_must_not_run(*args, **kwargs):
        raise AssertionError("the corpus was read before the output folder was checked")

    monkeypatch.setattr(tempfile, "TemporaryFile", temporary_file)
    # The pipeline starts reading by planning the corpus (or hashing it for the cache).
    monkeypatch.setattr("analysis.pipeline.plan_corpus", read_corpus_must_not_run)
    monkeypatch.setattr("analysis.cache.input_fingerprint", read_corpus_must_not_run)
    code = main(["run", "--corpus", str(fixtures_dir / "messy_corpus"), "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"error: {out}: cannot write in the output folder: Permission denied\n"


def test_a_full_disk_while_writing_exits_2_naming_the_file(tmp_path, capsys, fixtures_dir, monkeypatch):
    real_fsync = os.fsync

    def fsync(fd):
        if os.readlink(f"/proc/self/fd/{fd}").split("/")[-1].startswith(".sentences.csv."):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    out = tmp_path / "out"
    code = main(["run", "--corpus", str(fixtures_dir / "messy_corpus"), "--out", str(out), "--no-progress"])
    assert code == 2
    assert capsys.readouterr().err == f"error: {out}/sentences.csv: cannot write: No space left on device\n"
    # The tables are staged and published together: none is published (nor half of one, nor a temporary file
    # or the staging folder), and neither is the manifest, which is written last.
    assert sorted(os.listdir(out)) == []


# ------------------------------------------------------------------------------ interrupted runs

OUTPUTS = ("documents.csv", "sentences.csv", "terms.csv", "skipped.csv", "manifest.json")
_TEMP_PREFIXES = tuple(f".{name}." for name in OUTPUTS)  # atomic_write's temporary files for the outputs


def _replicated_corpus(folder: Path, copies: int) -> Path:
    """A corpus of ``copies`` copies of every fixture speech (and the sample speech), under new names."""
    sources = sorted(p for p in (PROJECT_ROOT / "tests" / "fixtures").rglob("*.txt") if p.stat().st_size > 100)
    sources.append(PROJECT_ROOT / "data" / "raw" / "sample_speech.txt")
    folder.mkdir(parents=True)
    for copy in range(copies):
        for number, source in enumerate(sources):
            (folder / f"speech{copy:04d}_{number}.txt").write_bytes(source.read_bytes())
    return folder


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUTS}


def _parse_fully(path: Path) -> None:
    if path.suffix == ".json":
        json.loads(path.read_text(encoding="utf-8"))
    else:
        pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _run_and_stop(corpus: Path, out: Path, *, stop_when, sig: int) -> tuple[int, bool]:
    """Start ``run`` in a subprocess; send ``sig`` once ``stop_when(elapsed, temp_files, replaced)`` holds.

    ``temp_files`` are the output temporary files present, ``replaced`` the outputs that have been replaced
    since the start (their inode changed). Returns the exit code, and whether a temporary output file
    existed at the moment of the signal.
    """
    def inodes() -> dict[str, int]:
        return {name: (out / name).stat().st_ino for name in OUTPUTS if (out / name).exists()}

    before = inodes()
    process = subprocess.Popen(
        [sys.executable, "-m", "analysis", "run", "--corpus", str(corpus), "--out", str(out), "--no-progress"],
        cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    start = time.monotonic()
    mid_write = False
    try:
        while process.poll() is None:
            # the tables are written inside a staging folder, then moved in: both count as mid-write
            temp_files = [name for name in os.listdir(out) if name.startswith((*_TEMP_PREFIXES, ".staging-"))]
            replaced = {name for name, inode in inodes().items() if before.get(name) != inode}
            if stop_when(time.monotonic() - start, temp_files, replaced):
                mid_write = bool(temp_files)
                process.send_signal(sig)
                break
            time.sleep(0.001)
        return process.wait(timeout=120), mid_write
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def replicated(tmp_path_factory) -> dict[str, Path]:
    """A corpus that takes a few seconds (320 speeches), a small one, and the complete outputs of each."""
    root = tmp_path_factory.mktemp("replicated")
    corpora = {"big": _replicated_corpus(root / "big", copies=40), "small": _replicated_corpus(root / "small", copies=1)}
    for name, corpus in corpora.items():
        run(corpus, root / f"{name}-out", progress=False)
    return {**corpora, "previous": root / "small-out", "new": root / "big-out"}


# When to stop a run: early (while it starts and reads), and as outputs are being written (a temporary file
# exists); "writing-manifest.json" is the last file, by when the others have been replaced.
def _when_writing(name: str):
    """While ``name`` is being written, or (if that moment was too short to see) just after."""
    return lambda elapsed, temp, replaced: name in replaced or any(t.startswith(f".{name}.") for t in temp)


_MOMENTS = {
    "at-0.5s": lambda elapsed, temp, replaced: elapsed >= 0.5,
    # the tables are being written into the staging folder: the moment a half-written output could be left,
    # and one that lasts long enough to be seen every time (the moves and the manifest can be too quick)
    "staging": lambda elapsed, temp, replaced: any(name.startswith(".staging-") for name in temp),
    **{f"writing-{name}": _when_writing(name) for name in ("documents.csv", "sentences.csv", "manifest.json")},
}


@pytest.mark.slow
def test_a_killed_run_leaves_each_output_previous_or_new_never_half(replicated, tmp_path):
    previous, new = _snapshot(replicated["previous"]), _snapshot(replicated["new"])
    assert all(previous[name] != new[name] for name in OUTPUTS if name != "skipped.csv")

    def kill_at(moment: str) -> tuple[int, bool, Path]:
        out = tmp_path / moment
        out.mkdir()
        for name, content in previous.items():
            (out / name).write_bytes(content)
        code, mid_write = _run_and_stop(replicated["big"], out, stop_when=_MOMENTS[moment], sig=signal.SIGKILL)
        return code, mid_write, out

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:  # two runs at a time on two cores
        outcomes = dict(zip(_MOMENTS, pool.map(kill_at, _MOMENTS)))
    for moment, (code, mid_write, out) in outcomes.items():
        assert code in (-signal.SIGKILL, 0), moment  # 0: the run ended between the last look and the kill
        for name in OUTPUTS:
            content = (out / name).read_bytes()
            assert content in (previous[name], new[name]), f"{name} is neither complete version after {moment}"
            _parse_fully(out / name)
        # a hard kill may leave hidden temporary files or a staging folder beside the outputs, nothing else
        leftovers = [name for name in os.listdir(out) if name not in OUTPUTS]
        assert all(re.fullmatch(r"\.(?:%s)\.\w+\.tmp" % "|".join(map(re.escape, OUTPUTS)), name)
                   or re.fullmatch(r"\.staging-\d+-\w+", name) for name in leftovers), leftovers
    # the dangerous moment was really hit: killed while an output was half written, at least once
    assert any(mid_write for _, mid_write, _ in outcomes.values()), outcomes
    # and the last kill came after the first outputs had been replaced: a mixture, each file complete
    code, mid_write, last = outcomes["writing-manifest.json"]
    assert (last / "documents.csv").read_bytes() == new["documents.csv"]
    # A temporary manifest left behind by the kill means its rename never happened, so the old one must remain.
    # (Whether a temporary file was seen just before the signal is no proof: the rename can slip in between.)
    if any(name.startswith(".manifest.json.") for name in os.listdir(last)):
        assert (last / "manifest.json").read_bytes() == previous["manifest.json"]


@pytest.mark.slow
def test_an_interrupted_run_removes_its_temporary_files(replicated, tmp_path):
    """Ctrl-C (SIGINT) and SIGTERM while the first output is being written: exit 130 / 143, no temporary file."""
    def interrupt(sig: int) -> tuple[int, bool, Path]:
        out = tmp_path / signal.Signals(sig).name
        out.mkdir()
        return (*_run_and_stop(replicated["big"], out, stop_when=lambda elapsed, temp, replaced: bool(temp),
                               sig=sig), out)

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = dict(zip((signal.SIGINT, signal.SIGTERM), pool.map(interrupt, (signal.SIGINT, signal.SIGTERM))))
    for sig, (code, mid_write, out) in outcomes.items():
        assert (code, mid_write) == ({signal.SIGINT: 130, signal.SIGTERM: 128 + signal.SIGTERM}[sig], True)
        assert [name for name in os.listdir(out) if name.endswith(".tmp")] == []
        for name in os.listdir(out):  # whatever was written is the complete new version
            assert (out / name).read_bytes() == (replicated["new"] / name).read_bytes()


def test_an_output_folder_inside_the_corpus_is_not_read_back(tmp_path, fixtures_dir):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for source in (fixtures_dir / "messy_corpus").iterdir():
        (corpus / source.name).write_bytes(source.read_bytes())
    snapshots = []
    for _ in range(2):
        run(corpus, corpus / "results", progress=False)
        snapshots.append(_snapshot(corpus / "results"))
    first, second = snapshots
    assert first == second
    assert "results" not in first["skipped.csv"].decode()


def test_a_normal_run_and_a_failing_run_leave_no_temporary_files(tmp_path, fixtures_dir, monkeypatch):
    run(fixtures_dir / "messy_corpus", tmp_path, progress=False)
    assert sorted(os.listdir(tmp_path)) == sorted(OUTPUTS)
    before = _snapshot(tmp_path)

    def broken_to_csv(self, *args, **kwargs):
        raise RuntimeError("a bug while writing")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken_to_csv)
    monkeypatch.setattr("analysis.io.csv_bytes", broken_to_csv)  # the column-wise writer most tables go through
    with pytest.raises(RuntimeError, match="a bug while writing"):
        run(fixtures_dir / "corpus", tmp_path, progress=False)
    assert sorted(os.listdir(tmp_path)) == sorted(OUTPUTS)
    assert _snapshot(tmp_path) == before


# ------------------------------------------------------------------------------ reproducibility

TABLES = ("documents.csv", "sentences.csv", "terms.csv", "skipped.csv")


def _run_in_subprocesses(corpus: Path, outs: dict[str, Path]) -> None:
    """Run ``run`` once per output folder, two at a time, each with its own PYTHONHASHSEED (the key)."""
    def one(seed_and_out):
        seed, out = seed_and_out
        completed = subprocess.run(
            [sys.executable, "-m", "analysis", "run", "--corpus", str(corpus), "--out", str(out), "--no-progress"],
            cwd=PROJECT_ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed})
        assert completed.returncode == 0, completed.stderr

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(one, outs.items()))


@pytest.mark.slow
def test_runs_in_processes_with_different_hash_seeds_are_byte_identical(tmp_path, fixtures_dir):
    """Set and dict order must not leak into the outputs: string hashing differs between the two processes."""
    outs = {"0": tmp_path / "a", "4242": tmp_path / "b"}
    _run_in_subprocesses(fixtures_dir / "messy_corpus", outs)
    for name in OUTPUTS:
        assert (outs["0"] / name).read_bytes() == (outs["4242"] / name).read_bytes(), name


def test_the_order_files_were_created_in_does_not_matter(tmp_path, fixtures_dir):
    sources = sorted((fixtures_dir / "messy_corpus").iterdir())
    for folder, order in (("forward", sources), ("backward", sources[::-1])):
        (tmp_path / folder).mkdir()
        for source in order:
            (tmp_path / folder / source.name).write_bytes(source.read_bytes())
        run(tmp_path / folder, tmp_path / f"{folder}-out", progress=False)
    for name in TABLES:
        assert (tmp_path / "forward-out" / name).read_bytes() == (tmp_path / "backward-out" / name).read_bytes()


def test_floats_are_written_with_six_decimals_and_rows_sorted(tmp_path, fixtures_dir):
    run(fixtures_dir / "corpus", tmp_path, progress=False)
    documents = pd.read_csv(tmp_path / "documents.csv", dtype=str, keep_default_na=False)
    sentences = pd.read_csv(tmp_path / "sentences.csv", dtype=str, keep_default_na=False)
    terms = pd.read_csv(tmp_path / "terms.csv", dtype=str, keep_default_na=False)
    floats = [documents[c] for c in documents.columns if c.startswith(("theme_", "stance_"))]
    floats += [sentences["score"], terms["rate_per_10k"]]
    values = pd.concat(floats)
    assert values[values != ""].str.fullmatch(r"-?\d+\.\d{6}").all()
    assert (values != "").any()
    assert documents["doc_id"].tolist() == sorted(documents["doc_id"])
    keys = list(zip(sentences["doc_id"], sentences["sentence_id"].astype(int)))
    assert keys == sorted(keys)


def test_label_twice_gives_identical_bytes(tmp_path, fixtures_dir):
    gold = pd.read_csv(fixtures_dir / "stance_gold.csv", dtype=str, keep_default_na=False)
    gold[["id", "text"]].to_csv(tmp_path / "in.csv", index=False)
    for name in ("a.csv", "b.csv"):
        assert main(["label", str(tmp_path / "in.csv"), "-o", str(tmp_path / name), "--method", "rules",
                     "--gold", str(fixtures_dir / "stance_gold.csv")]) == 0
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    labelled = pd.read_csv(tmp_path / "a.csv", dtype=str, keep_default_na=False)
    assert labelled["score"].str.fullmatch(r"\d\.\d{6}").all()


@pytest.mark.corpus
@pytest.mark.slow
def test_two_runs_on_unsc_umuc_give_identical_tables(corpora, tmp_path):
    """Done-criterion of issue 7, in two processes with different string-hash seeds."""
    outs = {"1": tmp_path / "a", "2": tmp_path / "b"}
    _run_in_subprocesses(corpora / "unsc_umuc", outs)
    for name in OUTPUTS:
        assert (outs["1"] / name).read_bytes() == (outs["2"] / name).read_bytes(), name
    documents = pd.read_csv(outs["1"] / "documents.csv")
    manifest = json.loads((outs["1"] / "manifest.json").read_text())
    assert len(documents) + manifest["n_procedural_left_out"] == 475 and len(documents) == 304


# ------------------------------------------------------------------------------ static checks of the package

PACKAGE = PROJECT_ROOT / "analysis"
#: Attribute calls that write a file directly.
_WRITERS = {"to_csv", "to_parquet", "to_json", "to_excel", "to_pickle", "savefig", "write_text", "write_bytes",
            "execute_notebook"}
#: Module functions that write a file directly.
_MODULE_WRITERS = {("json", "dump"), ("pickle", "dump"), ("joblib", "dump"), ("yaml", "dump"), ("yaml", "safe_dump"),
                   ("nbformat", "write"), ("np", "save"), ("np", "savez"), ("np", "savez_compressed"),
                   ("numpy", "save"), ("shutil", "copy"), ("shutil", "copyfile"), ("shutil", "copy2"),
                   ("shutil", "move")}


def _write_offences(source: str, name: str = "<source>") -> list[str]:
    """Places in ``source`` that write a file other than through an ``atomic_write`` handle.

    Writing into an in-memory buffer (``io.BytesIO``, ``io.StringIO``) is fine, and so is a line that says why
    it is atomic in a comment starting ``# atomic:`` (e.g. files staged in a temporary folder renamed in one go).
    """
    tree = ast.parse(source)
    lines = source.splitlines()
    handles = {item.optional_vars.id for node in ast.walk(tree) if isinstance(node, ast.With) for item in node.items
               if isinstance(item.optional_vars, ast.Name) and isinstance(item.context_expr, ast.Call)
               and ast.unparse(item.context_expr.func).split(".")[-1] == "atomic_write"}
    handles |= {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                and ast.unparse(node.value.func).split(".")[-1] in {"BytesIO", "StringIO"}
                for target in node.targets if isinstance(target, ast.Name)}
    offences = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or "# atomic:" in lines[node.lineno - 1]:
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "open":
            mode = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"),
                                                                None)
            if isinstance(mode, ast.Constant) and set(str(mode.value)) & set("wax+"):
                offences.append(f"{name}:{node.lineno}: {ast.unparse(node)[:80]}")
            continue
        if not isinstance(func, ast.Attribute):
            continue
        owner = ast.unparse(func.value)
        if func.attr == "execute_notebook":  # papermill writes the executed notebook itself unless output is None
            output = node.args[1] if len(node.args) > 1 else next(
                (k.value for k in node.keywords if k.arg == "output_path"), None)
            if not (isinstance(output, ast.Constant) and output.value is None):
                offences.append(f"{name}:{node.lineno}: {ast.unparse(node)[:80]}")
        elif func.attr in _WRITERS and owner not in {"io", "analysis.io"} or (owner, func.attr) in _MODULE_WRITERS:
            if not any(isinstance(arg, ast.Name) and arg.id in handles for arg in node.args):
                offences.append(f"{name}:{node.lineno}: {ast.unparse(node)[:80]}")
    return offences


#: scikit-learn objects and functions whose result depends on a random state.
_RANDOMISED = {"NMF", "LatentDirichletAllocation", "KMeans", "MiniBatchKMeans", "TruncatedSVD", "ShuffleSplit",
               "StratifiedShuffleSplit", "GroupShuffleSplit", "train_test_split", "SGDClassifier",
               "RandomForestClassifier", "permutation_importance", "resample", "shuffle"}


def _randomness_offences(source: str, name: str = "<source>") -> list[str]:
    """Global random state, unseeded generators, and randomised scikit-learn calls without ``random_state``."""
    offences = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        owner = ast.unparse(func.value) if isinstance(func, ast.Attribute) else ""
        where = f"{name}:{node.lineno}: {ast.unparse(node)[:60]}"
        if owner in {"random", "np.random", "numpy.random"} and called not in {"default_rng", "RandomState", "Random",
                                                                               "Generator", "SeedSequence"}:
            offences.append(f"{where} uses global random state")
        elif called in {"default_rng", "RandomState", "Random"} and not node.args and not node.keywords:
            offences.append(f"{where} has no seed")
        elif called in _RANDOMISED or (called in {"KFold", "StratifiedKFold"} and any(
                k.arg == "shuffle" and not (isinstance(k.value, ast.Constant) and not k.value.value)
                for k in node.keywords)):
            seed = next((k.value for k in node.keywords if k.arg == "random_state"), None)
            if seed is None or (isinstance(seed, ast.Constant) and seed.value is None):
                offences.append(f"{where} has no random_state")
    return offences


@pytest.mark.parametrize("source, bad", [
    ("frame.to_csv('out.csv')", True),
    ("with atomic_write(path) as handle:\n    frame.to_csv(handle, index=False)", False),
    ("with io.atomic_write(path, 'wb') as h:\n    figure.savefig(h, format='png')", False),
    ("figure.savefig(path / 'f.png')", True),
    ("Path(path).write_text('x')", True),
    ("write_text(path, 'x')", False),
    ("io.write_bytes(path, data)", False),
    ("open(path, 'w').write('x')", True),
    ("open(path, mode='ab')", True),
    ("open(path).read()", False),
    ("json.dump(data, handle)", True),
    ("with atomic_write(p) as handle:\n    json.dump(data, handle)", False),
    ("json.dumps(data)", False),
    ("papermill.execute_notebook(source, target)", True),
    ("papermill.execute_notebook(source, None, parameters=p)", False),
    ("buffer = io.BytesIO()\nfigure.savefig(buffer, format='png')", False),
    ("frame.to_parquet(staging / 'x.parquet')  # atomic: the staging folder is renamed into place", False),
    ("handle.write('x')", False),
    ("shutil.copy(a, b)", True),
    ("np.save(path, array)", True),
])
def test_the_atomic_write_check_tells_good_from_bad(source, bad):
    assert bool(_write_offences(source)) == bad


@pytest.mark.parametrize("source, bad", [
    ("np.random.shuffle(items)", True),
    ("random.choice(items)", True),
    ("np.random.default_rng(seed)", False),
    ("np.random.default_rng()", True),
    ("NMF(n_components=3)", True),
    ("NMF(n_components=3, random_state=None)", True),
    ("NMF(n_components=3, random_state=seed)", False),
    ("StratifiedKFold(5, shuffle=True)", True),
    ("StratifiedKFold(5, shuffle=True, random_state=seed)", False),
    ("StratifiedKFold(5)", False),
    ("train_test_split(x, y, test_size=0.2)", True),
    ("LogisticRegression(max_iter=1000)", False),
])
def test_the_seed_check_tells_good_from_bad(source, bad):
    assert bool(_randomness_offences(source)) == bad


@pytest.mark.parametrize("check", [_write_offences, _randomness_offences], ids=["atomic-writes", "seeds"])
def test_the_package_passes_the_static_checks(check):
    """Every table, figure and report goes through analysis.io; every random choice is seeded by a parameter."""
    # rglob: the sub-packages (download/, scaling/) are held to the same rules.
    offences = [offence for path in sorted(PACKAGE.rglob("*.py")) if path != PACKAGE / "io.py"
                for offence in check(path.read_text(encoding="utf-8"), path.relative_to(PACKAGE).as_posix())]
    assert offences == []
