"""Tests for analysis.corpus: decoding, file names, headers, cleaning, segmentation, reading corpora."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis import paths
from analysis.corpus import (
    SkipFile,
    clean_speech,
    decode_bytes,
    iter_sentences,
    parse_file_name,
    parse_header,
    read_corpus,
    segment_sentences,
    split_paragraphs,
    split_sentences,
)
from analysis.errors import InputError

# ------------------------------------------------------------------------------------------- decoding


@pytest.mark.parametrize("data, expected_text, note", [
    (b"We condemn terrorism.", "We condemn terrorism.", ""),
    (b"\xef\xbb\xbfWe condemn terrorism.", "We condemn terrorism.", ""),
    (b"Line one\r\nline two\r\n", "Line one\nline two\n", ""),
    (b"Old Mac\rline", "Old Mac\nline", ""),
    ("We say \u201cno\u201d.".encode("cp1252"), "We say \u201cno\u201d.", "Windows-1252"),
    ("Caf\u00e9 talks".encode("utf-16"), "Caf\u00e9 talks", "UTF-16"),
    ("Caf\u00e9 talks".encode("utf-16-le"), "Caf\u00e9 talks", "UTF-16 without a byte-order mark"),
    ("Caf\u00e9 talks".encode("utf-16-be"), "Caf\u00e9 talks", "UTF-16 without a byte-order mark"),
    ("Caf\u00e9 talks".encode("utf-32"), "Caf\u00e9 talks", "UTF-32"),
    ("\ufeffCRLF\r\nand BOM\r\n".encode("utf-16"), "CRLF\nand BOM\n", "UTF-16"),
    # UTF-8 with stray Windows-1252 quotes: the UTF-8 stays UTF-8, only the two bad bytes are Windows-1252
    ("caf\u00e9 ".encode("utf-8") + b"\x93yes\x94", "caf\u00e9 \u201cyes\u201d", "2 bytes from offset 6"),
    ("Le Conseil a adopt\u00e9 la r\u00e9solution.".encode("cp1252"), "Le Conseil a adopt\u00e9 la r\u00e9solution.",
     "decoded as Windows-1252"),
])
def test_decode_bytes(data, expected_text, note):
    text, message = decode_bytes(data)
    assert text == expected_text
    assert (note in message) if note else message == ""


@pytest.mark.parametrize("data, reason", [
    (b"", "empty file"),
    (b"  \n\t \n", "blank file"),
    (b"PK\x03\x04\x00\x00binary", "binary file"),
    (b"\x81\x8d\x8f\x90\x9d" * 4, "unknown encoding"),
    (bytes(range(1, 9)) * 40, "binary file"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary file: a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "binary file: an old Office document"),
    (b"\x1f\x8b\x08\x00", "binary file: gzip"),
    (b"{\\rtf1\\ansi We condemn terrorism.}", "an RTF document"),
    # Cyrillic in Windows-1251 and KOI8-R, Greek in ISO-8859-7: Windows-1252 would make them accented Latin
    ("\u0421\u043e\u0432\u0435\u0442 \u0411\u0435\u0437\u043e\u043f\u0430\u0441\u043d\u043e\u0441\u0442\u0438".encode("cp1251"),
     "unknown encoding: not UTF-8"),
    ("\u0421\u043e\u0432\u0435\u0442 \u0411\u0435\u0437\u043e\u043f\u0430\u0441\u043d\u043e\u0441\u0442\u0438".encode("koi8-r"),
     "unknown encoding: not UTF-8"),
    ("\u0395\u03bb\u03bb\u03ac\u03b4\u03b1 \u03ba\u03b1\u03b9 \u039a\u03cd\u03c0\u03c1\u03bf\u03c2".encode("iso-8859-7"),
     "unknown encoding: not UTF-8"),
])
def test_decode_bytes_refuses_unreadable_input(data, reason):
    with pytest.raises(SkipFile, match=reason):
        decode_bytes(data)


# ----------------------------------------------------------------------------------------- file names


@pytest.mark.parametrize("name, expected", [
    ("UNSC_2014_SPV.7316_spch012.txt",
     {"body": "UNSC", "year": "2014", "meeting": "S/PV.7316", "speech_number": "12", "country_code": ""}),
    ("UNSC_2003_SPV.4726Resumption1_spch001",
     {"body": "UNSC", "year": "2003", "meeting": "S/PV.4726 (Resumption 1)", "speech_number": "1",
      "country_code": ""}),
    ("UNSC_2020_SPV.2020_254_spch003.txt",
     {"body": "UNSC", "year": "2020", "meeting": "S/2020/254", "speech_number": "3", "country_code": ""}),
    ("UNSC_2014_SPV.7167_spch004_RF_neg.txt",
     {"body": "UNSC", "year": "2014", "meeting": "S/PV.7167", "speech_number": "4", "country_code": "RF"}),
    ("KAZ_69_2014.txt", {"body": "UNGA", "year": "2014", "session": "69", "country_code": "KAZ"}),
    ("UNGA_EU_79_2024", {"body": "UNGA", "year": "2024", "session": "79", "country_code": "EU"}),
    ("my_speech.txt", {}),
])
def test_parse_file_name(name, expected):
    assert parse_file_name(name) == expected


# -------------------------------------------------------------------------------------------- headers


@pytest.mark.parametrize("raw, speaker, country, language", [
    ("Mr. Abdrakhmanov (Kazakhstan): Both terrorism", "Mr. Abdrakhmanov", "Kazakhstan", ""),
    ("The President (spoke in French): I now give the floor", "The President", "", "French"),
    ("The President: I now give the floor", "The President", "", ""),
    ("Sir Jeremy Greenstock (United Kingdom): We", "Sir Jeremy Greenstock", "United Kingdom", ""),
    ("Dame Karen Pierce (United Kingdom): We", "Dame Karen Pierce", "United Kingdom", ""),
    ("Sheikh Al-Thani (Qatar) (spoke in Arabic): At", "Sheikh Al-Thani", "Qatar", "Arabic"),
    ("Mrs. Mulamula (United Republic of Tanzania):\nWe thank", "Mrs. Mulamula", "United Republic of Tanzania", ""),
    ("Ms. Norman-Chalet (United States of America): Mr.", "Ms. Norman-Chalet", "United States of America", ""),
    ("Mr. Pecsteen de Buytswerve (Belgium) (spoke in French): We", "Mr. Pecsteen de Buytswerve", "Belgium",
     "French"),
    ("King Philippe (spoke in French): I thank", "King Philippe", "", "French"),
    ("The Secretary-General: The", "The Secretary-General", "", ""),
    ("Sir Jeremy Hartwell (United\nKingdom): I thank", "Sir Jeremy Hartwell", "United Kingdom", ""),
    ("Mr. Liu Jieyi (China) (spoke in Chinese): I", "Mr. Liu Jieyi", "China", "Chinese"),
    ("Mr. Michon (spoke in French) (France): I thank", "Mr. Michon", "France", "French"),
])
def test_parse_header(raw, speaker, country, language):
    header = parse_header(raw)
    assert header is not None
    assert (header.speaker, header.country, header.language) == (speaker, country, language)
    assert not raw[header.end:].startswith((" ", ":"))


@pytest.mark.parametrize("raw", [
    "The United Kingdom is grateful to Under-Secretary-General Lowcock: his briefing was stark.",
    "Mr. President, I thank you for convening this meeting.",
    "At the outset, let me thank Special Envoy Huang Xia for his briefing.",
    "The Russian delegation called for today's meeting. The reasons are these: first, the shelling.",
])
def test_parse_header_leaves_speech_openings_alone(raw):
    assert parse_header(raw) is None


def test_stage_note_that_swallowed_a_sentence_gives_it_back():
    cleaned = clean_speech("The President (spoke I thank Ms. Ruiz for her briefing. in French): "
                           "I now give the floor to the representative of Belgium.")
    assert cleaned.speaker == "The President"
    assert cleaned.language == "French"
    assert cleaned.text == ("I thank Ms. Ruiz for her briefing. "
                            "I now give the floor to the representative of Belgium.")


# ------------------------------------------------------------------------------------------- cleaning


@pytest.mark.parametrize("raw, expected", [
    ("the organi-\nzation of groups", "the organization of groups"),
    ("demand long-\nterm action", "demand long-term action"),
    ("a visit of Mr. Jean-\nPaul Laborde", "a visit of Mr. Jean-Paul Laborde"),
    ("the period of 2013-\n2017 and", "the period of 2013-2017 and"),
    ("a well-thought-\nout plan", "a well-thought-out plan"),
    ("politicization of counter-\nterrorism measures", "politicization of counter-terrorism measures"),
    ("the Secretary-\nGeneral said", "the Secretary-General said"),
    ("the draft -\nand the Committee", "the draft - and the Committee"),
    ("exchange of infor-\nmation, and information", "exchange of information, and information"),
    ("the non-\nproliferation regime", "the non-proliferation regime"),
    ("cross-border crime; the cross-\nborder routes", "cross-border crime; the cross-border routes"),
])
def test_clean_speech_undoes_line_end_hyphenation(raw, expected):
    assert clean_speech(raw).text == expected


def test_clean_speech_joins_lines_and_keeps_paragraphs():
    raw = "First line\nof one paragraph.\n\nSecond\nparagraph here."
    assert clean_speech(raw).text == "First line of one paragraph.\n\nSecond paragraph here."


def test_clean_speech_rejoins_a_sentence_cut_by_a_page_break():
    raw = "members to recruit new members and\n\n12\n\njustify their acts and crimes.\n\nNext paragraph."
    assert clean_speech(raw).text == "members to recruit new members and justify their acts and crimes.\n\nNext paragraph."


@pytest.mark.parametrize("raw, expected", [
    ("We support it.\n\n7\n\nWe act.", "We support it.\n\nWe act."),
    ("We support it.\n14-63532\nWe act.", "We support it. We act."),
    ("We support it.\nS/PV.7316\nWe act.", "We support it. We act."),
    ("We support it. 20-07478 S/2020/497 20-07478 We act.", "We support it. We act."),
    ("We support it. 17/28 We act.", "We support it. We act."),
    ("We support it. 3/30 4/30 [We act.", "We support it. [We act."),
    ("We act in line with resolution 2178 (2014).\nThe meeting rose at 1.05 p.m.",
     "We act in line with resolution 2178 (2014). The meeting rose at 1.05 p.m."),
    ("We act now.\n\nThe meeting rose at 1.05 p.m.", "We act now."),
    ("The speech ends here. S/2", "The speech ends here."),
    ("Mr. X (Peru): 1 thank the briefers. 1 would add this.", "I thank the briefers. I would add this."),
    ("We saw 1 thank-you note.", "We saw 1 thank-you note."),
    ("It happened (spoke in Arabic) then.", "It happened then."),
    ("**Mr President,** we met in **Cali**.", "Mr President, we met in Cali."),
])
def test_clean_speech_drops_page_artefacts_and_notes(raw, expected):
    assert clean_speech(raw).text == expected


def test_clean_speech_normalises_whitespace_and_control_characters():
    cleaned = clean_speech("We\u00a0act\tnow\u00ad.\x0c\x07 Then   more.")
    assert cleaned.text == "We act now. Then more."


@pytest.mark.parametrize("raw, expected", [
    (":-\r\ra", ":- a"),  # found by tests/test_reliability.py: a line break was left inside the paragraph
    ("We said--\n\nthen left.", "We said-- then left."),
    ("the organi-\n\nzation acts.", "the organization acts."),
])
def test_clean_speech_rejoins_a_page_broken_paragraph_without_a_line_break(raw, expected):
    assert clean_speech(raw).text == expected


# Each input took minutes to hours before the fix (the time grew with the square of the length).
@pytest.mark.parametrize("raw, expected", [
    ("We act." + "\n" * 150_000 + "(We vote.)", "We act.\n\n(We vote.)"),
    ("a" * 50_000 + " organi-\nzation", "a" * 50_000 + " organization"),
    ("organi-\nzation " * 12_000, " ".join(["organization"] * 12_000)),
    ("wo-\n\nrd " * 6_000, " ".join(["word"] * 6_000)),
], ids=["blank-lines", "long-token", "many-hyphens", "many-page-breaks"])
def test_clean_speech_time_grows_linearly_on_pathological_input(raw, expected, finishes_within):
    with finishes_within(30):
        assert clean_speech(raw).text == expected


# --------------------------------------------------------------------------------------- segmentation


@pytest.mark.parametrize("text, expected", [
    ("Mr. Laborde spoke. We agree.", ["Mr. Laborde spoke.", "We agree."]),
    ("Ms. Ruiz and Dr. Wu spoke. Mrs. Ali agreed.", ["Ms. Ruiz and Dr. Wu spoke.", "Mrs. Ali agreed."]),
    ("See paragraph No. 5 of the plan. It is clear.", ["See paragraph No. 5 of the plan.", "It is clear."]),
    ("He said no. We left.", ["He said no.", "We left."]),
    ("The U.N. Office helped. We met the U.N. It agreed.", ["The U.N. Office helped.", "We met the U.N.", "It agreed."]),
    ("It met in S/PV.7316 today. Then it rose.", ["It met in S/PV.7316 today.", "Then it rose."]),
    ("We recall resolution 2178 (2014). It binds all.", ["We recall resolution 2178 (2014).", "It binds all."]),
    ("Mr. J. R. Smith spoke. We agree.", ["Mr. J. R. Smith spoke.", "We agree."]),
    ("Growth was 3.5 per cent. It rose.", ["Growth was 3.5 per cent.", "It rose."]),
    ("In 2013. In 2014 we acted.", ["In 2013.", "In 2014 we acted."]),
    ("Is that fair? No! We object.", ["Is that fair?", "No!", "We object."]),
    ('He said "stop." Then he left.', ['He said "stop."', "Then he left."]),
    ("We act (see S/2020/3). Then we vote.", ["We act (see S/2020/3).", "Then we vote."]),
    ("e.g. the plan, i.e. the draft. Next.", ["e.g. the plan, i.e. the draft.", "Next."]),
    ("It ended at 1 p.m. The next day we met.", ["It ended at 1 p.m.", "The next day we met."]),
    ("No terminal mark", ["No terminal mark"]),
    ("2. We hope. 3. They act.", ["2. We hope.", "3. They act."]),
    ("(iv). Next step. It was 2014. 2015 was worse.", ["(iv). Next step.", "It was 2014.", "2015 was worse."]),
])
def test_split_sentences(text, expected):
    assert [text[a:b] for a, b in split_sentences(text)] == expected


@pytest.mark.parametrize("text, n_sentences", [
    ("." * 60_000 + " next. Then", 2),
    ("No. 5 " * 30_000, 1),
    ("Mr. " * 15_000, 1),
    ("We act. " + " " * 60_000 + "No. 1 " * 5_000, 2),
], ids=["run-of-dots", "numbered", "titles", "blanks-then-markers"])
def test_split_sentences_time_grows_linearly_on_pathological_input(text, n_sentences, finishes_within):
    with finishes_within(30):
        assert len(split_sentences(text)) == n_sentences


def test_split_sentences_respects_start_and_end():
    text = "Skip this. Take this. And this. Not this."
    spans = split_sentences(text, 11, 31)
    assert [text[a:b] for a, b in spans] == ["Take this.", "And this."]


def test_split_paragraphs_offsets():
    text = "One. Two.\n\nThree.\n\n\nFour."
    assert [text[a:b] for a, b in split_paragraphs(text)] == ["One. Two.", "Three.", "Four."]


def test_sentences_never_cross_paragraphs():
    text = clean_speech("We act\nnow.\n\nThen\nwe vote").text
    assert [(p, text[a:b]) for p, a, b in iter_sentences(text)] == [(0, "We act now."), (1, "Then we vote")]


def _all_fixture_texts(fixtures_dir):
    return [clean_speech(path.read_text(encoding="utf-8")).text
            for path in sorted((fixtures_dir / "corpus").rglob("*.txt"))]


def test_offset_invariant_on_every_sentence(fixtures_dir, sample_speech_path):
    texts = _all_fixture_texts(fixtures_dir) + [clean_speech(sample_speech_path.read_text()).text]
    documents = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    sentences = segment_sentences(documents)
    assert len(sentences) > 30
    lookup = dict(zip(documents["doc_id"], documents["text"]))
    for row in sentences.itertuples():
        assert lookup[row.doc_id][row.start:row.end] == row.text
        assert row.text == row.text.strip() and row.text
    assert (sentences.groupby("doc_id")["sentence_id"].apply(lambda s: list(s) == list(range(len(s))))).all()


def test_segment_sentences_of_empty_frame_has_columns():
    sentences = segment_sentences(pd.DataFrame({"doc_id": [], "text": []}))
    assert list(sentences.columns) == ["doc_id", "sentence_id", "paragraph_id", "start", "end", "text"]
    assert sentences.empty


# ------------------------------------------------------------------------------------- sample speech


@pytest.fixture(scope="module")
def sample_corpus():
    return read_corpus(paths.RAW_DIR)


def test_sample_speech_is_one_kazakh_document(sample_corpus):
    documents = sample_corpus.documents
    assert len(documents) == 1
    row = documents.iloc[0]
    assert (row.country, row.speaker, row.meeting, row.date, row.body) == (
        "Kazakhstan", "Mr. Abdrakhmanov", "S/PV.7316", "2014-11-19", "UNSC")
    assert sample_corpus.skipped.empty


def test_sample_speech_is_clean(sample_corpus):
    text = sample_corpus.documents.iloc[0].text
    assert text.startswith("Both terrorism and cross-border crime")
    assert "Abdrakhmanov (Kazakhstan)" not in text
    assert "-\n" not in text and "\n\n\n" not in text
    assert "long-term coordinated actions" in text
    assert "Mr. Jean-Paul Laborde" in text
    assert "members and justify their acts" in text  # the blank line inside a sentence is gone


def test_sample_speech_sentences(sample_corpus):
    sentences = segment_sentences(sample_corpus.documents)
    # Hand count: the speech has 24 sentences (4 + 3 + 5 + 2 + 5 + 4 + 1 over its seven paragraphs).
    assert len(sentences) == 24
    assert sentences["paragraph_id"].max() == 6
    assert sentences.iloc[0]["text"] == ("Both terrorism and cross-border crime continue to constitute a serious "
                                         "threat to international peace and stability.")
    assert any(t.startswith("In September this year we organized a visit of Mr. Jean-Paul Laborde")
               for t in sentences["text"])


# ------------------------------------------------------------------------------------------- reading


def test_read_folder_matches_metadata_on_source_file_and_doc_id(fixtures_dir):
    corpus = read_corpus(fixtures_dir / "corpus")
    documents = corpus.documents.set_index("doc_id")
    assert list(corpus.documents["doc_id"]) == sorted(corpus.documents["doc_id"])
    # matched on the file name of source_file; doc_id comes from metadata
    kaz = documents.loc["UNGA_KAZ_69_2014"]
    assert (kaz.country, kaz.speaker, kaz.session, kaz.country_code, kaz.body) == (
        "Kazakhstan", "Erlan Idrissov", "69", "KAZ", "UNGA")
    # metadata wins over the parsed header; parsed values fill what metadata leaves empty
    bel = documents.loc["UNSC_2020_SPV.8698_spch003"]
    assert bel.country == "Belgium (metadata)"
    assert bel.speaker == "Mr. Delacroix-Martin"
    # without metadata: doc_id is the file stem, the header and the file name fill the rest
    uk = documents.loc["UNSC_2014_SPV.7271_spch012"]
    assert (uk.country, uk.speaker, uk.meeting, uk.year) == ("United Kingdom", "Sir Jeremy Hartwell", "S/PV.7271",
                                                             "2014")
    assert corpus.skipped.empty


def test_read_folder_skips_bad_files_and_reports_them(tmp_path):
    (tmp_path / "good.txt").write_text("Mr. A (Chile): We support the plan.", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("   \n\n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PDF")
    (tmp_path / "latin.txt").write_bytes("We say \u201cno\u201d to it.".encode("cp1252"))
    corpus = read_corpus(tmp_path)
    assert sorted(corpus.documents["doc_id"]) == ["good", "latin"]
    assert dict(zip(corpus.skipped["path"], corpus.skipped["reason"])) == {
        "binary.txt": "binary file (contains NUL bytes)",
        "blank.txt": "blank file (whitespace only)",
        "empty.txt": "empty file",
    }
    assert any("latin.txt" in note and "Windows-1252" in note for note in corpus.warnings)
    latin = corpus.documents.set_index("doc_id").loc["latin"]
    assert latin.text == "We say \u201cno\u201d to it."


def test_read_folder_reports_duplicate_doc_ids(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "speech.txt").write_text("We act.", encoding="utf-8")
    (tmp_path / "b" / "speech.txt").write_text("We vote.", encoding="utf-8")
    corpus = read_corpus(tmp_path)
    assert len(corpus.documents) == 1
    assert corpus.skipped.iloc[0]["path"] == "b/speech.txt"
    assert "duplicate doc_id 'speech'" in corpus.skipped.iloc[0]["reason"]


def test_read_folder_ignores_metadata_without_key_columns(tmp_path):
    (tmp_path / "s.txt").write_text("We act.", encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("name,country\ns,Chile\n", encoding="utf-8")
    corpus = read_corpus(tmp_path)
    assert list(corpus.documents["doc_id"]) == ["s"]
    assert "neither a 'doc_id' nor a 'source_file' column" in corpus.skipped.iloc[0]["reason"]


def test_read_table_csv(tmp_path):
    table = tmp_path / "speeches.csv"
    pd.DataFrame({"doc_id": ["b", "a", "c"], "country": ["Chile", "Peru", "Mali"],
                  "text": ["We act.", "Mr. Q (Peru): We vote.", "  "]}).to_csv(table, index=False)
    corpus = read_corpus(table)
    assert list(corpus.documents["doc_id"]) == ["a", "b"]
    assert corpus.documents.set_index("doc_id").loc["a", "speaker"] == "Mr. Q"
    assert corpus.documents.set_index("doc_id").loc["a", "text"] == "We vote."
    assert list(corpus.skipped["path"]) == ["speeches.csv:4"]


def test_read_table_parquet_without_doc_id(tmp_path):
    table = tmp_path / "speeches.parquet"
    pd.DataFrame({"text": ["We act.", "We vote."], "year": [2014, 2015]}).to_parquet(table)
    corpus = read_corpus(table)
    assert list(corpus.documents["doc_id"]) == ["row1", "row2"]
    assert list(corpus.documents["year"]) == ["2014", "2015"]


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "missing", "corpus not found"),
    (lambda p: (p / "empty_dir").mkdir() or p / "empty_dir", "no .txt speeches found"),
    (lambda p: (p / "x.json").write_text("{}") and p / "x.json", "unsupported corpus file type '.json'"),
    (lambda p: (p / "t.csv").write_text("doc_id,body\na,UNSC\n") and p / "t.csv", "no 'text' column"),
])
def test_read_corpus_errors_name_the_path(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(InputError, match=re.escape(message)) as info:
        read_corpus(path)
    assert str(path) in str(info.value)


# ------------------------------------------------------------------------------- real corpora (CI)


@pytest.mark.corpus
def test_unsc_umuc_headers_give_the_country_without_metadata(corpora):
    """Done-criterion of issue 2: >= 95% of the headers that name a country are parsed."""
    from analysis.corpus import read_text_file

    files = sorted((corpora / "unsc_umuc" / "texts").glob("*.txt"))
    assert len(files) == 475
    with_country = parsed = 0
    for path in files:
        raw, _ = read_text_file(path)
        opening = re.sub(r"\s+", " ", raw[:300])
        if re.match(r"^[^:]{0,150}?\((?!spoke)[^()]{2,90}\)(?: \(spoke in \w+\))?:", opening):
            with_country += 1
            parsed += bool(clean_speech(raw).country)
    assert with_country > 250
    assert parsed / with_country >= 0.95


@pytest.mark.corpus
def test_parsed_countries_agree_with_the_metadata(corpora):
    metadata = pd.read_csv(corpora / "unsc_umuc" / "metadata.csv", dtype=str, keep_default_na=False)
    from analysis.corpus import read_text_file

    agree = total = 0
    for row in metadata.itertuples():
        if not row.country:
            continue
        total += 1
        agree += clean_speech(read_text_file(corpora / row.source_file)[0]).country == row.country
    assert total > 250 and agree / total >= 0.98


@pytest.mark.corpus
@pytest.mark.parametrize("folder, n_documents, ignored", [
    ("unsc_umuc", 475, []), ("unsc_ucunsc", 99, []), ("unsc_2020", 2546, []),
    ("ungdc", 2903, ["ungdc_1946_2024.parquet"]),  # the table beside the texts is listed, not read
])
def test_every_shared_folder_reads_completely(corpora, folder, n_documents, ignored):
    corpus = read_corpus(corpora / folder)
    assert len(corpus.documents) == n_documents
    assert corpus.skipped["path"].tolist() == ignored
    assert corpus.skipped["reason"].str.startswith("not a .txt speech").all()
    assert corpus.documents["doc_id"].is_unique
    assert (corpus.documents["text"].str.len() > 0).all()
    # metadata doc_ids are used, and no header survives cleaning
    assert corpus.documents["doc_id"].str.startswith(("UNSC_", "UNGA_")).all()
    assert not corpus.documents["text"].str.contains(r"^\s*Mr\. [A-Z][\w-]+ \([A-Z][^)]*\):", regex=True).any()


# ------------------------------------------------------------------------- fast paths = the plain regexes
# The cleaner and segmenter avoid whole-text regex scans where a cheaper route gives the same result; each
# shortcut is checked here against the plain regex it replaces, on generated text full of the edge cases.

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from analysis import corpus as corpus_module  # noqa: E402

_EDGY = st.text(alphabet="ab Z1|-\n\u2003\u3000\u200b\t’'_.S/9()É", max_size=60)


@settings(max_examples=300, deadline=None)
@given(_EDGY)
def test_space_run_equals_the_plain_substitution(text):
    plain = re.sub(r" *\n *", "\n", re.sub(r"[ \u2000-\u200b\u202f\u205f\u3000]+", " ", text))
    assert corpus_module._squeeze_spaces(text) == plain
    assert " ".join(text.split()) == re.sub(r"\s+", " ", text).strip()


@settings(max_examples=300, deadline=None)
@given(_EDGY)
def test_line_end_hyphens_equal_finditer(text):
    fast = [m.span() for m in corpus_module._line_end_hyphens(text)]
    assert fast == [m.span() for m in corpus_module._LINE_END_HYPHEN.finditer(text)]


@pytest.mark.parametrize("text", [
    "organi-\nzation", "a-\nb-\nc", "long-\nterm and organi-\nzation", "x--\ny", "-\nab", "ab-\n", "e’-\ns",
    "co-op-\neration", "_a-\nb", "a_-\nb",
])
def test_line_end_hyphens_equal_finditer_on_cases(text):
    fast = [m.span() for m in corpus_module._line_end_hyphens(text)]
    assert fast == [m.span() for m in corpus_module._LINE_END_HYPHEN.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(_EDGY)
def test_trailing_symbol_and_hints_agree_with_the_full_patterns(text):
    assert corpus_module._strip_trailing_symbol(text) == corpus_module._TRAILING_SYMBOL.sub("", text)
    for words in ("1 thank", "| would", "12-34567"):
        probe = text + words + text
        if corpus_module._OCR_ONE.search(probe):
            assert corpus_module._OCR_ONE_HINT.search(probe)
        if corpus_module._INLINE_JOB_NUMBER.search(probe) and corpus_module._INLINE_JOB_NUMBER.search(probe).group():
            assert corpus_module._JOB_NUMBER_HINT.search(probe)
