"""Tests for analysis.pipeline: the tables of `run`, their columns, order, determinism and provenance."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis import paths
from analysis.corpus import read_corpus
from analysis.errors import InputError
from analysis.text import load_stopwords
from analysis.pipeline import (
    DOCUMENTS_COLUMNS,
    SENTENCES_COLUMNS,
    SKIPPED_COLUMNS,
    TERMS_COLUMNS,
    build_tables,
    run,
)

DESIGN_DOCUMENTS = ("doc_id, body, country, speaker, year, date, meeting, topic, n_sentences, n_tokens, "
                    "theme_terrorism, theme_trafficking, theme_cooperation, dominant_theme, stance_support, "
                    "stance_oppose, stance_condemn, stance_neutral").split(", ")


def test_columns_are_exactly_those_of_the_design():
    assert DOCUMENTS_COLUMNS == DESIGN_DOCUMENTS
    assert SENTENCES_COLUMNS == ["doc_id", "sentence_id", "start", "end", "text", "themes", "stance", "cue", "score"]
    assert TERMS_COLUMNS == ["term", "count", "docs", "rate_per_10k"]
    assert SKIPPED_COLUMNS == ["path", "reason"]


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    return run(paths.RAW_DIR, out, progress=False), out


def test_run_on_the_sample_speech_writes_every_table(sample_run):
    result, out = sample_run
    for name, columns in [("documents", DOCUMENTS_COLUMNS), ("sentences", SENTENCES_COLUMNS),
                          ("terms", TERMS_COLUMNS), ("skipped", SKIPPED_COLUMNS)]:
        table = pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False)
        assert list(table.columns) == columns
    documents = pd.read_csv(out / "documents.csv", dtype=str, keep_default_na=False)
    assert len(documents) == 1
    assert documents.loc[0, ["country", "speaker"]].tolist() == ["Kazakhstan", "Mr. Abdrakhmanov"]
    assert 20 <= int(documents.loc[0, "n_sentences"]) <= 50
    assert int(documents.loc[0, "n_tokens"]) > 600
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["n_documents"] == 1 and manifest["stopwords_version"]
    assert manifest["stance_words_version"] == load_stopwords("stance").version  # terms.csv leaves them out


def test_sentences_table_offsets_point_into_the_cleaned_text(sample_run):
    result, out = sample_run
    text = read_corpus(paths.RAW_DIR).documents.iloc[0]["text"]
    sentences = pd.read_csv(out / "sentences.csv", keep_default_na=False)
    assert len(sentences) == result.documents.loc[0, "n_sentences"]
    for row in sentences.itertuples():
        assert text[row.start:row.end] == row.text
    assert sentences["sentence_id"].tolist() == list(range(len(sentences)))


def test_terms_table_is_sorted_with_rates(sample_run):
    result, _ = sample_run
    terms = result.terms
    assert terms["count"].is_monotonic_decreasing
    assert terms.iloc[0]["term"] == "terrorism"
    n_tokens = result.documents["n_tokens"].sum()
    assert terms.iloc[0]["rate_per_10k"] == pytest.approx(10_000 * terms.iloc[0]["count"] / n_tokens)
    assert terms["term"].str.contains(" ").any()  # bigrams are there


def test_two_runs_are_byte_identical(tmp_path, fixtures_dir):
    for name in ("a", "b"):
        run(fixtures_dir / "corpus", tmp_path / name, progress=False)
    for table in ("documents.csv", "sentences.csv", "terms.csv", "skipped.csv", "manifest.json"):
        assert (tmp_path / "a" / table).read_bytes() == (tmp_path / "b" / table).read_bytes(), table


def test_run_lists_skipped_files_and_still_writes_the_rest(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Mr. A (Chile): We support the plan.", encoding="utf-8")
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    result = run(corpus, tmp_path / "out", progress=False)
    assert result.documents["doc_id"].tolist() == ["good"]
    skipped = pd.read_csv(tmp_path / "out" / "skipped.csv")
    assert skipped.to_dict("records") == [{"path": "empty.txt", "reason": "empty file"}]


def test_run_with_nothing_readable_writes_skipped_then_fails(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match=r"no speech could be read \(1 skipped"):
        run(corpus, tmp_path / "out", progress=False)
    assert (tmp_path / "out" / "skipped.csv").read_text().count("empty.txt") == 1


def test_a_speech_that_is_only_page_furniture_is_skipped(tmp_path):
    (tmp_path / "dots.txt").write_text("...\n12\n", encoding="utf-8")
    (tmp_path / "real.txt").write_text("We act.", encoding="utf-8")
    result = build_tables(read_corpus(tmp_path))
    assert result.documents.set_index("doc_id")["n_sentences"].to_dict() == {"real": 1}
    assert result.skipped["path"].tolist() == ["dots.txt"]
    assert "no speech text left" in result.skipped.loc[0, "reason"]
