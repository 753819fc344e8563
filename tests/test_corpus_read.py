"""Tests for reading corpora (analysis.corpus.read, formats, documents, folders): the sample speech, folders,
tables, errors, and the real corpora."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis import paths
from analysis.corpus.clean import clean_speech
from analysis.corpus.decode import read_text_file
from analysis.corpus.formats import READERS, plan_file
from analysis.corpus.read import read_corpus
from analysis.corpus.segment import segment_sentences
from analysis.errors import InputError


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



def test_a_format_registered_in_readers_is_read_by_its_planner(tmp_path, monkeypatch):
    speech = tmp_path / "speech.md"
    speech.write_text("Mr. A (Chile): We act now.", encoding="utf-8")
    with pytest.raises(InputError, match="unsupported corpus file type '.md'"):
        read_corpus(speech)
    monkeypatch.setitem(READERS, ".md", plan_file)
    corpus = read_corpus(speech)
    assert corpus.documents[["doc_id", "country", "text"]].values.tolist() == [["speech", "Chile", "We act now."]]


def test_the_unsupported_format_message_names_every_registered_format(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_corpus(path)
    assert all(suffix in str(info.value) for suffix in READERS)


# ------------------------------------------------------------------------------- real corpora (CI)


@pytest.mark.corpus
def test_unsc_umuc_headers_give_the_country_without_metadata(corpora):
    """Done-criterion of issue 2: >= 95% of the headers that name a country are parsed."""
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
