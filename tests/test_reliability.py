"""Reliability: bad input, interrupted runs, reproducibility, and properties that hold for any text.

The property tests use hypothesis with a fixed profile (derandomised, bounded examples, no deadline), so CI
sees the same examples every time and stays fast.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import corpus as corpus_module
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
from analysis.pipeline import run
from analysis.terms import count_terms
from analysis.text import analyze, tokenize, token_spans

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
                          "x_", "é", "2014", "S/PV.7316", "Mr.", "said", "I", "1", "|"])
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


# ------------------------------------------------------------------------------ bad input files

GOOD_SPEECH = "Mr. Valdivia (Chile): We support the plan. We condemn terrorism.\n"


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
    monkeypatch.setattr(corpus_module, "MAX_FILE_BYTES", 100)
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
    real_read_bytes = Path.read_bytes

    def read_bytes(self):
        if self.name == "secret.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
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
