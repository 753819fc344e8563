"""Tests for analysis.text: tokeniser, normalisation, stopword files, n-grams."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st
from sklearn.feature_extraction.text import CountVectorizer

from analysis import paths
from analysis.errors import ConfigError
from analysis.text import (analyze, content_tokens, find_tokens, load_stopwords, ngrams, normalize_token, token_spans,
                           tokenize)


@pytest.mark.parametrize("text, expected", [
    ("counter-terrorism and cross-border crime", ["counter-terrorism", "and", "cross-border", "crime"]),
    ("ISIL/Da'esh attacks", ["ISIL", "Da'esh", "attacks"]),
    ("We don’t accept it.", ["We", "don’t", "accept", "it", "."]),
    ("COVID-19 in 2013-2017", ["COVID-19", "in", "2013-2017"]),
    ("Why? Because; then: now!", ["Why", "?", "Because", ";", "then", ":", "now", "!"]),
    ("$600 million, (SCO)", ["600", "million", "SCO"]),
    ("Côte d'Ivoire", ["Côte", "d'Ivoire"]),
    ("", []),
])
def test_tokenize(text, expected):
    assert tokenize(text) == expected


def test_tokenize_refuses_non_strings():
    with pytest.raises(TypeError, match="expects a str"):
        tokenize(["a list"])


def test_token_spans_match_tokens():
    text = "Kazakhstan’s anti-terrorist mechanisms, since 2013."
    assert [text[a:b] for a, b in token_spans(text)] == tokenize(text)


@pytest.mark.parametrize("token, expected", [
    ("Kazakhstan’s", "kazakhstan"), ("States'", "states"), ("Counter-Terrorism", "counter-terrorism"),
    ("DA'ESH", "da'esh"), ("-", ""),
])
def test_normalize_token(token, expected):
    assert normalize_token(token) == expected


def test_function_stopwords_keep_negations_and_stance_words():
    stopwords = load_stopwords()
    assert stopwords.version
    assert {"the", "and", "of", "which"} <= stopwords
    assert not {"not", "no", "never", "against", "cannot", "must", "should"} & stopwords


def test_display_stopwords_hold_un_boilerplate():
    display = load_stopwords("display")
    assert {"president", "delegation", "thank", "security council"} <= display
    assert display.version


def test_load_stopwords_unknown_kind():
    with pytest.raises(ValueError, match="kind must be one of 'function', 'stance', 'frequency', 'display'"):
        load_stopwords("other")


def test_frequency_stopwords_refuse_a_path():
    with pytest.raises(ValueError, match="kind='frequency' combines two files"):
        load_stopwords("frequency", path="words.txt")


def test_stopword_file_without_version_is_refused(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("the\nand\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"words.txt:1: missing '# version: N'"):
        load_stopwords(path=path)


def test_stopword_file_bad_entry_names_the_line(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("# version: 2\nthe\nand/or, this\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"words.txt:3: bad stopword entry"):
        load_stopwords(path=path)


def test_stopword_files_are_sorted_and_unique():
    for path in (paths.STOPWORDS_FILE,):
        words = [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
        assert words == sorted(set(words))


def test_content_tokens_mark_stopwords_numbers_and_punctuation_as_barriers():
    tokens = tokenize("We condemn the 2014 attacks. Not today")
    assert content_tokens(tokens) == [None, "condemn", None, None, "attacks", None, "not", "today"]


@pytest.mark.parametrize("items, n, expected", [
    (["a", "b", "c"], 1, ["a", "b", "c"]),
    (["a", "b", None, "c", "d"], 2, ["a b", "c d"]),
    (["a", "b", "c"], 3, ["a b c"]),
    ([None, "a"], 2, []),
])
def test_ngrams(items, n, expected):
    assert ngrams(items, n) == expected


def test_bigrams_do_not_span_sentences_or_stopwords():
    terms = analyze("Organized crime. Crime grows in the region.", ngram_range=(2, 2))
    assert terms == ["organized crime", "crime grows"]


def test_analyze_validates_ngram_range():
    with pytest.raises(ValueError, match="ngram_range"):
        analyze("text", ngram_range=(2, 1))


def test_analyze_equals_countvectorizer_with_the_same_analyzer():
    docs = ["We condemn terrorism and organized crime.", "Organized crime and terrorism: a nexus."]
    vectorizer = CountVectorizer(analyzer=lambda d: analyze(d, ngram_range=(1, 2)))
    matrix = vectorizer.fit_transform(docs).toarray()
    vocabulary = vectorizer.get_feature_names_out()
    for row, doc in zip(matrix, docs):
        terms = analyze(doc, ngram_range=(1, 2))
        assert {term: terms.count(term) for term in set(terms)} == {
            term: int(count) for term, count in zip(vocabulary, row) if count}


# Combining marks, digits that are not decimal ("₂", "²"), scripts without case: where the `regex` engine
# that recent NLTK compiles patterns with and the standard library's `re` disagree about \w.
_EDGE_TEXTS = ["Finland \u0301s emissions of CO\u2082 fell.", "x\u00b2 + 10\u00b3 km\u00b2", "Cafe\u0301 Da\u2019esh",
               "\u0939\u093f\u0928\u094d\u0926\u0940 \u0d2e\u0d32\u0d2f\u0d3e\u0d33\u0d02.", "\u2160\u2161 \u00bd \u0660\u0661"]


@pytest.mark.parametrize("text", _EDGE_TEXTS)
def test_tokenize_and_find_tokens_agree_on_unicode_edge_cases(text):
    assert tokenize(text) == find_tokens(text)
    assert [text[a:b] for a, b in token_spans(text)] == find_tokens(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_tokenize_and_find_tokens_agree_on_any_text(text):
    assert tokenize(text) == find_tokens(text)
    assert [text[a:b] for a, b in token_spans(text)] == tokenize(text)
