"""Tests for analysis.pipeline: the tables of `run`, their columns, order, determinism and provenance."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis import cache, paths
from analysis.corpus import read_corpus, segment_sentences
from analysis.errors import InputError
from analysis.text import load_stopwords
from analysis.pipeline import (
    SENTENCES_COLUMNS,
    SKIPPED_COLUMNS,
    TERMS_COLUMNS,
    build_tables,
    documents_columns,
    run,
)
from analysis.stance import load_codebook
from analysis.themes import load_lexicon

DESIGN_DOCUMENTS = ("doc_id, body, country, speaker, year, date, meeting, topic, n_sentences, n_tokens, "
                    "theme_terrorism, theme_trafficking, theme_cooperation, dominant_theme, stance_support, "
                    "stance_oppose, stance_condemn, stance_neutral").split(", ")


DOCUMENTS_COLUMNS = documents_columns(load_lexicon(), load_codebook())[:len(DESIGN_DOCUMENTS)]


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
        if name == "documents":  # the design's columns first, then the additions (procedural, counts, metadata)
            assert list(table.columns[:len(columns)]) == columns
            assert list(table.columns[len(columns):len(columns) + 10]) == [
                "procedural", "iso3", "un_group", "council_status", "n_sentences_terrorism", "n_mentions_terrorism",
                "n_sentences_trafficking", "n_mentions_trafficking", "n_sentences_cooperation",
                "n_mentions_cooperation"]
        else:
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


def test_terms_count_the_lexicon_phrases_as_units(sample_run):
    result, _ = sample_run
    counts = result.terms.set_index("term")["count"]
    assert counts["organized crime"] == 1          # "transnational organized crime" in the sample
    assert counts["exchange of best practices"] == 1  # a lexicon phrase with a stopword inside
    # the words of a counted phrase are not counted again on their own
    assert counts["crime"] == 1                    # only the unphrased "transnational crime"


def test_run_labels_stance_with_evidence_and_shares(sample_run):
    result, out = sample_run
    sentences = pd.read_csv(out / "sentences.csv", keep_default_na=False)
    assert set(sentences["stance"]) <= {"support", "oppose", "condemn", "neutral"}
    assert {"support", "condemn"} <= set(sentences["stance"])      # the sample speech has both
    first = sentences.iloc[0]
    assert first["stance"] == "condemn" and first["cue"].startswith("condemn:")
    assert sentences["score"].astype(float).between(0, 1).all()    # rules calibrated on the gold set
    documents = pd.read_csv(out / "documents.csv")
    shares = documents[["stance_support", "stance_oppose", "stance_condemn", "stance_neutral"]].iloc[0]
    assert shares.sum() == pytest.approx(1.0, abs=1e-5)
    assert shares["stance_support"] == pytest.approx((sentences["stance"] == "support").mean(), abs=1e-6)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["stance_method"] == "rules" and manifest["stance_codebook_version"] == "2"


# ------------------------------------------------------------------ chunks, workers and the cache

TABLES = ("documents.csv", "sentences.csv", "terms.csv", "skipped.csv", "manifest.json")


@pytest.fixture()
def messy_corpus(tmp_path, fixtures_dir):
    """The fixture corpus plus what the reduce must get right: doc_ids read twice (with a large chunk size
    in one chunk, with a small one across chunks) and files that are skipped."""
    import shutil

    root = tmp_path / "messy"
    shutil.copytree(fixtures_dir / "corpus", root)
    (root / "unsc" / "again").mkdir()
    shutil.copy(root / "unsc" / "UNSC_2020_SPV.8698_spch001.txt", root / "unsc" / "again")  # read right after
    (root / "zz").mkdir()
    shutil.copy(root / "ungdc" / "2014" / "KAZ_69_2014.txt", root / "zz")  # read last
    # Same doc_id, other words (which must not reach terms.csv or the theme idf).
    (root / "zz" / "UNSC_2020_SPV.8698_spch003.txt").write_text(
        "Mr. Zed (Nowhere): Zanzibarian smuggling of quokkas is organized crime.", encoding="utf-8")
    (root / "empty.txt").write_text("", encoding="utf-8")
    (root / "dots.txt").write_text("...\n12\n", encoding="utf-8")
    return root


def _bytes(out):
    return {name: (out / name).read_bytes() for name in TABLES}


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 1000])
def test_chunking_does_not_change_a_byte(tmp_path, messy_corpus, chunk_size):
    reference = tmp_path / "reference"
    run(messy_corpus, reference, progress=False, jobs=1, use_cache=False)
    run(messy_corpus, tmp_path / "chunked", progress=False, jobs=1, chunk_size=chunk_size, use_cache=False)
    assert _bytes(tmp_path / "chunked") == _bytes(reference)
    assert (reference / "skipped.csv").read_text().count("duplicate doc_id") == 3
    assert "quokkas" not in (reference / "terms.csv").read_text()


@pytest.mark.slow
def test_parallel_output_equals_serial_output(tmp_path, messy_corpus):
    run(messy_corpus, tmp_path / "serial", progress=False, jobs=1, use_cache=False)
    run(messy_corpus, tmp_path / "parallel", progress=False, jobs=2, chunk_size=1, use_cache=False)
    assert _bytes(tmp_path / "parallel") == _bytes(tmp_path / "serial")


def test_build_tables_equals_run(tmp_path, messy_corpus):
    result = run(messy_corpus, tmp_path / "out", progress=False, jobs=1, use_cache=False)
    direct = build_tables(read_corpus(messy_corpus), chunk_size=2)
    for name in ("documents", "sentences", "terms", "skipped"):
        pd.testing.assert_frame_equal(getattr(direct, name), getattr(result, name))


def test_terms_table_equals_count_terms_over_the_whole_corpus(tmp_path, fixtures_dir):
    from analysis.terms import count_terms
    from analysis.themes import load_lexicon

    result = run(fixtures_dir / "corpus", tmp_path / "out", progress=False, chunk_size=1, use_cache=False)
    documents = read_corpus(fixtures_dir / "corpus").documents
    texts = documents.loc[~documents["procedural"], "text"]  # the President's chairing turns are left out
    expected = count_terms(texts, n_tokens=int(result.documents["n_tokens"].sum()), phrases=load_lexicon().phrases)
    pd.testing.assert_frame_equal(result.terms, expected)


@pytest.mark.parametrize("chunk_size", [1, 3, 1000])
def test_theme_scores_equal_score_corpus_bit_for_bit(tmp_path, messy_corpus, chunk_size):
    from analysis.themes import score_corpus

    result = run(messy_corpus, tmp_path / "out", progress=False, chunk_size=chunk_size, use_cache=False)
    corpus = read_corpus(messy_corpus)
    kept = corpus.documents[~corpus.documents["procedural"]].reset_index(drop=True)  # chairing turns left out
    documents, sentences = score_corpus(kept, segment_sentences(kept))
    columns = [c for c in documents.columns if c != "doc_id"]
    pd.testing.assert_frame_equal(result.documents[columns], documents[columns], check_exact=True, check_dtype=False)
    assert result.sentences["themes"].tolist() == sentences["themes"].tolist()
    assert result.sentences["themes"].str.len().gt(0).any()


def test_cached_runs_give_the_same_bytes(tmp_path, messy_corpus):
    from analysis import pipeline

    cache_dir = tmp_path / "cache"
    run(messy_corpus, tmp_path / "fresh", progress=False, use_cache=False)
    run(messy_corpus, tmp_path / "cold", progress=False, cache_dir=cache_dir)
    assert len(list(cache_dir.iterdir())) == 2  # the parsed corpus and the finished tables
    run(messy_corpus, tmp_path / "warm", progress=False, cache_dir=cache_dir)
    assert _bytes(tmp_path / "cold") == _bytes(tmp_path / "fresh") == _bytes(tmp_path / "warm")
    # Only the parsed corpus cached (as after a change of lexicon or code): the tables are rebuilt from it.
    tables_key = pipeline._tables_key(pipeline._parsed_key(messy_corpus), pipeline.Settings.default())
    import shutil

    shutil.rmtree(cache_dir / tables_key)
    run(messy_corpus, tmp_path / "reparsed", progress=False, cache_dir=cache_dir, chunk_size=2)
    assert _bytes(tmp_path / "reparsed") == _bytes(tmp_path / "fresh")


def test_a_changed_speech_is_not_served_from_the_cache(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("We support the plan.", encoding="utf-8")
    cache_dir = tmp_path / "cache"
    first = run(corpus, tmp_path / "one", progress=False, cache_dir=cache_dir)
    (corpus / "a.txt").write_text("We oppose the plan. It fails.", encoding="utf-8")
    second = run(corpus, tmp_path / "two", progress=False, cache_dir=cache_dir)
    assert first.documents.loc[0, "n_sentences"] == 1 and second.documents.loc[0, "n_sentences"] == 2
    assert "oppose" in second.terms["term"].tolist()


def test_a_corrupt_cache_is_ignored_and_rebuilt(tmp_path, fixtures_dir):
    cache_dir = tmp_path / "cache"
    run(fixtures_dir / "corpus", tmp_path / "first", progress=False, cache_dir=cache_dir)
    for parquet in cache_dir.rglob("*.parquet"):
        parquet.write_bytes(parquet.read_bytes()[:20])
    run(fixtures_dir / "corpus", tmp_path / "second", progress=False, cache_dir=cache_dir)
    assert _bytes(tmp_path / "second") == _bytes(tmp_path / "first")
    from analysis import cache

    assert all(cache.load_entry(entry.name, cache_dir=cache_dir) is not None for entry in cache_dir.iterdir())


def test_the_tables_key_covers_every_subpackage():
    assert {"pipeline", "text", "stance", "corpus", "download", "scaling", "themes", "terms"} <= \
        set(cache.package_modules())


def test_the_tables_key_follows_the_theme_lexicon(tmp_path, fixtures_dir):
    from analysis import pipeline

    parsed = pipeline._parsed_key(fixtures_dir / "corpus")
    lexicon = tmp_path / "themes.yml"
    lexicon.write_text(paths.THEMES_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    one = pipeline._tables_key(parsed, pipeline.Settings.default(themes_file=lexicon))
    lexicon.write_text(paths.THEMES_FILE.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    two = pipeline._tables_key(parsed, pipeline.Settings.default(themes_file=lexicon))
    assert one != two != pipeline._tables_key(parsed, pipeline.Settings.default())
    assert parsed == pipeline._parsed_key(fixtures_dir / "corpus")  # parsing does not depend on the lexicon


@pytest.mark.parametrize("options, message", [({"jobs": 0}, "jobs must be at least 1"),
                                              ({"chunk_size": 0}, "chunk_size must be at least 1")])
def test_bad_parallel_options_are_refused(tmp_path, fixtures_dir, options, message):
    with pytest.raises(ValueError, match=message):
        run(fixtures_dir / "corpus", tmp_path / "out", progress=False, **options)
