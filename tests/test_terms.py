"""Tests for analysis.terms: counts, stopword policy, phrases, TF-IDF, collocations, KWIC, keyness, compare."""
from __future__ import annotations

import doctest
import math
import re
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2, chi2_contingency
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer

from analysis import cli, paths, terms
from analysis.corpus import read_corpus, segment_sentences
from analysis.errors import InputError
from analysis.terms import (
    KEYNESS_COLUMNS,
    KWIC_COLUMNS,
    TermAnalyzer,
    collocation_phrases,
    count_terms,
    count_terms_by,
    drop_display_terms,
    find_collocations,
    is_boilerplate,
    keyness,
    keyness_scores,
    keyword_in_context,
    tfidf_top_terms,
    top_terms,
)
from analysis.text import analyze, content_tokens, load_stopwords, normalize_token, tokenize

# Three speeches, small enough to count by hand (see test_count_terms_by_hand).
TOY = [
    "Terrorism is a threat. We condemn terrorism.",
    "We must not accept organized crime.",
    "Organized crime fuels terrorism.",
]
TOY_DOCS = pd.DataFrame({
    "doc_id": ["d1", "d2", "d3"],
    "text": TOY,
    "country": ["A", "B", "A"],
    "year": ["2014", "2014", "2015"],
})


def test_module_doctests():
    import importlib

    attempted = 0
    for name in ("analyzer", "counting", "tables", "collocations", "kwic", "keyness"):
        result = doctest.testmod(importlib.import_module(f"analysis.terms.{name}"),
                                 optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, name
        attempted += result.attempted
    assert attempted > 0


# ---------------------------------------------------------------------------------------- stopword policy

def _stance_entries() -> list[tuple[str, str]]:
    """(word, comment) for every entry of config/stance_words.txt."""
    entries = []
    for line in paths.STANCE_WORDS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        word, _, comment = line.partition("#")
        entries.append((word.strip(), comment.strip()))
    return entries


def test_function_and_stance_lists_are_disjoint():
    assert not load_stopwords("function") & load_stopwords("stance")


def test_frequency_list_is_function_plus_stance_with_both_versions():
    function, stance, frequency = (load_stopwords(kind) for kind in ("function", "stance", "frequency"))
    assert frequency == function | stance
    assert frequency.version == f"{function.version}+{stance.version}"
    assert function.version == "2" and stance.version == "1"


@pytest.mark.parametrize("word", ["not", "no", "never", "cannot", "against", "must", "should", "shall", "nor"])
def test_stance_words_are_kept_by_the_analyzer_but_not_counted(word):
    assert word in load_stopwords("stance")
    assert word not in load_stopwords("function")


@pytest.mark.parametrize("word,comment", _stance_entries(), ids=[word for word, _ in _stance_entries()])
def test_every_stance_word_has_an_example_that_contains_it(word, comment):
    example = re.fullmatch(r'"([^"]+)"', comment)
    assert example, f"stance word {word!r} needs an example in double quotes after '#'"
    assert word in [normalize_token(token) for token in tokenize(example.group(1))]


def test_stance_words_survive_analyze_and_are_left_out_of_frequency_tables():
    text = "We do not support the draft and must vote against it."
    assert {"not", "must", "against"} <= set(analyze(text))  # stance features still see them
    counted = set(count_terms([text])["term"])
    assert not counted & {"not", "must", "against", "not support"}
    assert {"support", "draft", "vote"} <= counted
    with_stance = set(count_terms([text], stopwords=load_stopwords("function"))["term"])
    assert {"not", "not support", "must", "against"} <= with_stance


# Words of scikit-learn's English list that are content words in UN speeches, or misspellings; its list
# is known to mix such words in (Nothman, Qin & Yurchak 2018, "Stop word lists in free open-source
# software packages").
SKLEARN_CONTENT_WORDS = frozenset("""
alone amount back bill bottom call cant co con couldnt cry de describe detail eg empty find fire first
fill found front full get give go hasnt inc interest keep ltd made mill move name part please put re see
serious show side sincere system take thick thin third thru top un  amoungst noone
""".split())


def test_frequency_list_covers_the_closed_class_words_of_an_independent_list():
    missing = set(ENGLISH_STOP_WORDS) - load_stopwords("frequency") - SKLEARN_CONTENT_WORDS
    assert not missing, f"closed-class words missing from config/stopwords.txt: {sorted(missing)}"


@pytest.mark.parametrize("term,expected", [
    ("mr president", True),          # a listed phrase
    ("thank president", True),       # two listed words
    ("security council", True),
    ("thank security council", True),  # a word and a phrase
    ("council resolution", False),   # "resolution" is content
    ("united kingdom", False),
    ("terrorism", False),
    ("united", True),
])
def test_is_boilerplate(term, expected):
    assert is_boilerplate(term, load_stopwords("display")) is expected


def test_display_stopwords_apply_to_charts_only():
    texts = ["Thank you, Mr. President. The Security Council must condemn terrorism.",
             "I thank the President. Terrorism threatens the Council."]
    table = count_terms(texts)
    assert {"thank", "president", "security council"} <= set(table["term"])  # counted
    shown = top_terms(table, 50, display_stopwords=True)
    assert not {"thank", "president", "security council", "council"} & set(shown["term"])
    assert "terrorism" in set(shown["term"])
    assert list(drop_display_terms(table)["term"]) == list(shown["term"])


# ---------------------------------------------------------------------------------------- counting

EXPECTED_TOY = {  # term: (count, docs), counted by hand from TOY with the frequency stopwords
    "terrorism": (3, 2), "organized": (2, 2), "crime": (2, 2), "organized crime": (2, 2), "threat": (1, 1),
    "condemn": (1, 1), "accept": (1, 1), "fuels": (1, 1), "condemn terrorism": (1, 1),
    "accept organized": (1, 1), "crime fuels": (1, 1), "fuels terrorism": (1, 1),
}


def test_count_terms_by_hand():
    table = count_terms(TOY)
    assert list(table.columns) == ["term", "count", "docs", "rate_per_10k"]
    assert {t: (c, d) for t, c, d in zip(table["term"], table["count"], table["docs"])} == EXPECTED_TOY
    # 7 + 6 + 4 word tokens, stopwords included
    assert table.set_index("term").loc["terrorism", "rate_per_10k"] == pytest.approx(3 * 10_000 / 17)
    assert table["term"].iloc[0] == "terrorism"
    assert list(table["term"].iloc[1:4]) == ["crime", "organized", "organized crime"]  # ties by term


def test_count_terms_min_count_and_given_n_tokens():
    table = count_terms(TOY, min_count=2, n_tokens=100)
    assert set(table["term"]) == {"terrorism", "organized", "crime", "organized crime"}
    assert table.set_index("term").loc["crime", "rate_per_10k"] == pytest.approx(200.0)


@pytest.mark.parametrize("texts", [[], ["", "   "], ["the and of"]])
def test_count_terms_on_nothing_countable_is_empty_with_columns(texts):
    table = count_terms(texts)
    assert table.empty and list(table.columns) == ["term", "count", "docs", "rate_per_10k"]


def test_count_terms_refuses_a_bare_string():
    with pytest.raises(TypeError, match="got a single str"):
        count_terms("Terrorism is a threat.")


def _sample_texts() -> list[str]:
    return list(read_corpus(paths.RAW_DIR).documents["text"]) + TOY


def test_unigram_counts_equal_countvectorizer_with_its_own_stopword_handling():
    texts = _sample_texts()
    frequency = load_stopwords("frequency")

    def tokenizer(text):  # the project's tokeniser and normalisation; words with a letter, 2+ characters
        tokens = (normalize_token(token) for token in tokenize(text))
        return [t for t in tokens if len(t) >= 2 and re.search(r"[^\W\d_]", t)]

    vectorizer = CountVectorizer(tokenizer=tokenizer, lowercase=False, token_pattern=None,
                                 stop_words=sorted(frequency))
    matrix = vectorizer.fit_transform(texts)
    expected = dict(zip(vectorizer.get_feature_names_out(), matrix.sum(axis=0).A1))
    expected_docs = dict(zip(vectorizer.get_feature_names_out(), (matrix > 0).sum(axis=0).A1))
    table = count_terms(texts, ngram_range=(1, 1))
    assert dict(zip(table["term"], table["count"])) == expected
    assert dict(zip(table["term"], table["docs"])) == expected_docs


def test_bigram_counts_equal_a_direct_count_of_adjacent_content_words():
    texts = _sample_texts()
    expected = Counter()
    for text in texts:
        items = content_tokens(tokenize(text), load_stopwords("frequency"))
        expected.update(f"{a} {b}" for a, b in zip(items, items[1:]) if a and b)
    table = count_terms(texts, ngram_range=(2, 2))
    assert dict(zip(table["term"], table["count"])) == dict(expected)


def test_term_analyzer_without_phrases_is_analyze():
    analyzer = TermAnalyzer(ngram_range=(1, 2))
    for text in _sample_texts():
        assert analyzer(text) == analyze(text, ngram_range=(1, 2), stopwords=load_stopwords("frequency"))


def test_count_terms_by_hand_per_group():
    table = count_terms_by(TOY_DOCS, "country")
    assert list(table.columns) == ["country", "term", "count", "docs", "rate_per_10k"]
    a = table[table["country"] == "A"].set_index("term")
    assert (a.loc["terrorism", "count"], a.loc["terrorism", "docs"]) == (3, 2)
    assert a.loc["terrorism", "rate_per_10k"] == pytest.approx(3 * 10_000 / 11)  # 7 + 4 tokens in group A
    b = table[table["country"] == "B"].set_index("term")
    assert set(b.index) == {"accept", "organized", "crime", "organized crime", "accept organized"}
    assert b.loc["crime", "rate_per_10k"] == pytest.approx(10_000 / 6)
    assert list(table["country"]) == sorted(table["country"])


def test_count_terms_by_groups_sum_to_the_corpus_counts():
    table = count_terms_by(TOY_DOCS, ["country", "year"])
    summed = table.groupby("term")[["count", "docs"]].sum()
    corpus = count_terms(TOY).set_index("term")[["count", "docs"]]
    assert summed.to_dict("index") == corpus.to_dict("index")
    assert len(table.drop_duplicates(["country", "year"])) == 3


def test_count_terms_by_names_a_missing_column():
    with pytest.raises(ValueError, match="no column.*party"):
        count_terms_by(TOY_DOCS, "party")


def test_top_terms_per_group():
    table = count_terms_by(TOY_DOCS, "country")
    top = top_terms(table, 2, by="country")
    assert top.groupby("country").size().to_dict() == {"A": 2, "B": 2}
    assert list(top[top["country"] == "A"]["term"]) == ["terrorism", "condemn"]  # then ties by term
    assert list(top[top["country"] == "B"]["term"]) == ["accept", "accept organized"]


# ---------------------------------------------------------------------------------------- phrases

def test_phrases_are_counted_as_units_longest_first():
    text = "Foreign terrorist fighters and foreign terrorist groups threaten us."
    analyzer = TermAnalyzer(phrases=["foreign terrorist fighters", "foreign terrorist"])
    assert analyzer(text) == ["foreign terrorist fighters", "foreign terrorist", "groups", "threaten"]


def test_phrase_words_are_not_counted_again_on_their_own():
    table = count_terms(TOY, ngram_range=(1, 1), phrases=["organized crime"]).set_index("term")
    assert table.loc["organized crime", "count"] == 2
    assert "organized" not in table.index and "crime" not in table.index
    assert table.loc["terrorism", "count"] == 3


@pytest.mark.parametrize("phrase,text,expected", [
    ("exchange of information", "We support the exchange of information.", "exchange of information"),
    ("Member States", "All member States agreed.", "member states"),
    ("organi?ed crime", "Organised crime grows.", "organised crime"),
    ("counter-terrorism committee", "The Counter-Terrorism Committee met.", "counter-terrorism committee"),
    ("Da'esh fighters", "Da’esh fighters fled.", "da'esh fighters"),
])
def test_phrase_matching_is_normalised(phrase, text, expected):
    assert expected in TermAnalyzer(phrases=[phrase])(text)


def test_phrases_never_span_sentences_and_single_words_are_ignored():
    analyzer = TermAnalyzer(phrases=["organized crime", "terrorism"])
    assert analyzer("Crime is organized. Crime grows.") == ["crime", "organized", "crime", "grows"]
    assert analyzer.merge_phrases(["terrorism"]) == ["terrorism"]


def test_an_empty_phrase_is_refused():
    with pytest.raises(ValueError, match="empty pattern '  '"):
        TermAnalyzer(phrases=["organized crime", "  "])


def test_term_analyzer_pickles():
    import pickle

    analyzer = TermAnalyzer(ngram_range=(1, 2), phrases=["organized crime"])
    assert pickle.loads(pickle.dumps(analyzer))(TOY[2]) == analyzer(TOY[2])


# ---------------------------------------------------------------------------------------- TF-IDF

def test_tfidf_per_document_equals_tfidfvectorizer():
    docs = TOY_DOCS
    result = tfidf_top_terms(docs, n=100)
    vectorizer = TfidfVectorizer(analyzer=TermAnalyzer(ngram_range=(1, 2)))
    matrix = vectorizer.fit_transform(docs["text"]).toarray()
    names = vectorizer.get_feature_names_out()
    for row, doc_id in enumerate(docs["doc_id"]):
        got = result[result["doc_id"] == doc_id]
        expected = {names[j]: matrix[row, j] for j in np.flatnonzero(matrix[row])}
        assert dict(zip(got["term"], got["tfidf"])) == pytest.approx(expected)
        assert list(got["rank"]) == list(range(1, len(got) + 1))
        assert list(got["tfidf"]) == sorted(got["tfidf"], reverse=True)


def test_tfidf_per_group_equals_tfidfvectorizer_on_concatenated_speeches():
    result = tfidf_top_terms(TOY_DOCS, by="country", n=100)
    # a group is its speeches joined; " . " keeps n-grams from spanning two speeches
    groups = TOY_DOCS.groupby("country")["text"].agg(" . ".join)
    vectorizer = TfidfVectorizer(analyzer=TermAnalyzer(ngram_range=(1, 2)))
    matrix = vectorizer.fit_transform(groups).toarray()
    names = vectorizer.get_feature_names_out()
    for row, country in enumerate(groups.index):
        got = result[result["country"] == country]
        expected = {names[j]: matrix[row, j] for j in np.flatnonzero(matrix[row])}
        assert dict(zip(got["term"], got["tfidf"])) == pytest.approx(expected)
    a = result[result["country"] == "A"].set_index("term")
    assert a.loc["terrorism", "count"] == 3


def test_tfidf_top_n_and_unit_norm():
    result = tfidf_top_terms(TOY_DOCS, n=2)
    assert result.groupby("doc_id").size().max() == 2
    full = tfidf_top_terms(TOY_DOCS, n=1000)
    norms = full.groupby("doc_id")["tfidf"].apply(lambda w: float(np.sqrt((w ** 2).sum())))
    assert norms.to_numpy() == pytest.approx(1.0)


def test_tfidf_min_df_keeps_shared_terms_only():
    result = tfidf_top_terms(TOY_DOCS, n=100, min_df=2)
    assert set(result["term"]) == {"terrorism", "organized", "crime", "organized crime"}


# ---------------------------------------------------------------------------------------- collocations

COLLOCATION_TEXTS = [
    "Organized crime fuels terrorism. Organized crime is transnational.",
    "We fight organized crime. Crime harms people. Terrorism harms people.",
]


def test_collocations_by_hand():
    table = find_collocations(COLLOCATION_TEXTS, min_count=1).set_index("collocation")
    # content words: organized x3, crime x4, fuels, terrorism x2, transnational, fight, harms x2, people x2
    n = 16
    row = table.loc["organized crime"]
    assert row["count"] == 3
    assert row["pmi"] == pytest.approx(math.log2(3 * n / (3 * 4)))
    # NLTK's G2 is the log-likelihood ratio of the pair's 2x2 contingency table
    table_2x2 = [[3, 0], [4 - 3, n - 3 - 0 - 1]]
    g2, *_ = chi2_contingency(table_2x2, correction=False, lambda_="log-likelihood")
    assert row["g2"] == pytest.approx(g2, rel=1e-6)
    # stopwords and sentence ends are barriers: no "transnational we", no "crime crime", no "fuels terrorism terrorism"
    assert "transnational fight" not in table.index and "crime crime" not in table.index
    assert "crime harms" in table.index and "fuels terrorism" in table.index


def test_collocations_sorted_and_filtered():
    table = find_collocations(COLLOCATION_TEXTS, min_count=2)
    assert set(table["collocation"]) == {"organized crime", "harms people"}
    assert list(table.columns) == ["collocation", "count", "g2", "pmi"]
    assert list(table["g2"]) == sorted(table["g2"], reverse=True)
    by_pmi = find_collocations(COLLOCATION_TEXTS, min_count=1, sort_by="pmi")
    assert list(by_pmi["pmi"]) == sorted(by_pmi["pmi"], reverse=True)


def test_trigram_collocations_and_phrases():
    texts = ["Foreign terrorist fighters travel. Foreign terrorist fighters return home.",
             "States track foreign terrorist fighters."] * 3
    table = find_collocations(texts, size=3, min_count=2)
    assert table["collocation"].iloc[0] == "foreign terrorist fighters"
    assert table["count"].iloc[0] == 9
    phrases = collocation_phrases(texts, min_count=5, min_g2=0, min_pmi=0)
    assert "foreign terrorist fighters" in phrases and "foreign terrorist" in phrases


def test_collocations_reject_bad_options():
    with pytest.raises(ValueError, match="size must be 2 or 3"):
        find_collocations(COLLOCATION_TEXTS, size=4)
    with pytest.raises(ValueError, match="sort_by must be 'g2' or 'pmi'"):
        find_collocations(COLLOCATION_TEXTS, sort_by="chi2")


# ---------------------------------------------------------------------------------------- keyword in context

KWIC_TEXT = ("Terrorism is a threat. We condemn terrorism and counter-terrorism efforts.\n\n"
             "Foreign terrorist fighters travel. Terrorists' networks grow.")
KWIC_DOCS = pd.DataFrame({"doc_id": ["b", "a"], "text": [KWIC_TEXT, "No match here. Terror spreads."]})


def test_kwic_wildcard_by_hand():
    table = keyword_in_context(KWIC_DOCS, "terror*", window=2)
    assert list(table.columns) == KWIC_COLUMNS
    assert list(table["doc_id"]) == ["a", "b", "b", "b", "b"]
    b = table[table["doc_id"] == "b"]
    # counter-terrorism is one token that does not start with "terror"
    assert list(b["match"]) == ["Terrorism", "terrorism", "terrorist", "Terrorists"]
    assert list(b["sentence_id"]) == [0, 1, 2, 3]
    first = b.iloc[0]
    assert (first["start"], first["end"], first["left"], first["right"]) == (0, 9, "", "is a")
    assert b.iloc[2]["left"] == "efforts. Foreign"  # two words; context crosses sentence ends
    assert b.iloc[2]["right"] == "fighters travel"


def test_kwic_offsets_match_the_text_on_the_sample_speech():
    documents = read_corpus(paths.RAW_DIR).documents
    sentences = segment_sentences(documents)
    table = keyword_in_context(documents, ["terror*", "organized crime", "traffick*"], window=5,
                               sentences=sentences)
    assert len(table) > 10
    texts = dict(zip(documents["doc_id"], documents["text"]))
    for row in table.itertuples():
        assert texts[row.doc_id][row.start:row.end] == row.match
        sentence = sentences[(sentences["doc_id"] == row.doc_id) & (sentences["sentence_id"] == row.sentence_id)]
        assert int(sentence["start"].iloc[0]) <= row.start < int(sentence["end"].iloc[0])
        assert len(row.left.split()) <= 6 and len(row.right.split()) <= 6  # 5 words and punctuation
    assert table.equals(keyword_in_context(documents, ["terror*", "organized crime", "traffick*"], window=5))
    assert list(table["start"]) == sorted(table["start"])


def test_kwic_phrase_and_case():
    table = keyword_in_context(KWIC_DOCS, "FOREIGN terrorist fighters", window=1)
    assert list(table["match"]) == ["Foreign terrorist fighters"]
    assert (table["left"].iloc[0], table["right"].iloc[0]) == ("efforts.", "travel")
    assert keyword_in_context(KWIC_DOCS, "piracy").empty


@pytest.mark.parametrize("pattern,expected", [
    ("terror", ["Terror"]),
    ("terror?", []),
    ("terror*s", ["Terrorists"]),
    ("counter-terror*", ["counter-terrorism"]),
])
def test_kwic_patterns(pattern, expected):
    assert list(keyword_in_context(KWIC_DOCS, pattern)["match"]) == expected


def test_kwic_matches_normalised_tokens_and_its_prefilter_loses_nothing():
    docs = pd.DataFrame({"doc_id": ["k"], "text": ["KAZAKHSTAN’S delegation: Kazakhstan's view; Da’esh."]})
    assert list(keyword_in_context(docs, "kazakhstan")["match"]) == ["KAZAKHSTAN’S", "Kazakhstan's"]
    assert list(keyword_in_context(docs, "da'esh")["match"]) == ["Da’esh"]
    assert list(keyword_in_context(docs, "*")["match"]) == ["KAZAKHSTAN’S", "delegation", "Kazakhstan's", "view",
                                                           "Da’esh"]


def test_kwic_window_zero_and_bad_input():
    table = keyword_in_context(KWIC_DOCS, "threat", window=0)
    assert (table["left"].iloc[0], table["right"].iloc[0]) == ("", "")
    with pytest.raises(ValueError, match="window must be >= 0"):
        keyword_in_context(KWIC_DOCS, "threat", window=-1)
    with pytest.raises(ValueError, match="no column.*doc_id"):
        keyword_in_context(KWIC_DOCS[["text"]], "threat")


# ---------------------------------------------------------------------------------------- keyness

@pytest.mark.parametrize("a,b,c,d,expected", [
    # 2x2 table cells a, b, c - a, d - b; E = row total * column total / N; G2 = 2 sum O ln(O/E)
    (4, 0, 10, 10, 2 * (4 * math.log(4 / 2) + 6 * math.log(6 / 8) + 10 * math.log(10 / 8))),
    (5, 5, 100, 100, 0.0),
    (1, 3, 10, 10, -2 * (1 * math.log(1 / 2) + 3 * math.log(3 / 2) + 9 * math.log(9 / 8) + 7 * math.log(7 / 8))),
    (10, 20, 1000, 4000, 2 * (10 * math.log(10 / 6) + 20 * math.log(20 / 24)
                              + 990 * math.log(990 / 994) + 3980 * math.log(3980 / 3976))),
])
def test_g2_by_hand(a, b, c, d, expected):
    scores = keyness_scores(np.array([a]), np.array([b]), c, d)
    assert scores["g2"].iloc[0] == pytest.approx(expected, abs=1e-12)
    assert scores["p"].iloc[0] == pytest.approx(chi2.sf(abs(expected), 1))
    assert scores["rate_target"].iloc[0] == pytest.approx(10_000 * a / c)


def test_g2_equals_scipy_log_likelihood_on_the_contingency_table():
    rng = np.random.default_rng(0)
    a, b = rng.integers(1, 50, 20), rng.integers(1, 50, 20)
    scores = keyness_scores(a, b, 3000, 5000)
    for i in range(20):
        g2, p, *_ = chi2_contingency([[a[i], b[i]], [3000 - a[i], 5000 - b[i]]], correction=False,
                                     lambda_="log-likelihood")
        assert abs(scores["g2"].iloc[i]) == pytest.approx(g2)
        assert scores["p"].iloc[i] == pytest.approx(p)
        assert np.sign(scores["g2"].iloc[i]) == np.sign(a[i] / 3000 - b[i] / 5000)


@pytest.mark.parametrize("a,b,c,d,expected", [
    (8, 2, 1000, 1000, 2.0),                        # four times as frequent: two doublings
    (10, 10, 1000, 4000, 2.0),
    (0, 4, 100, 100, math.log2(0.5 / 4)),           # zero replaced by 0.5
    (3, 0, 100, 300, math.log2((3 / 100) / (0.5 / 300))),
])
def test_log_ratio_by_hand(a, b, c, d, expected):
    assert keyness_scores(np.array([a]), np.array([b]), c, d)["log_ratio"].iloc[0] == pytest.approx(expected)


def _mcq_z(y_i, y_j, n_i, n_j, alpha_w, alpha_0):
    """Monroe, Colaresi & Quinn (2008), eqs. 16 and 18-20, term by term."""
    delta = (math.log((y_i + alpha_w) / (n_i + alpha_0 - y_i - alpha_w))
             - math.log((y_j + alpha_w) / (n_j + alpha_0 - y_j - alpha_w)))
    variance = 1 / (y_i + alpha_w) + 1 / (y_j + alpha_w)
    return delta / math.sqrt(variance)


@pytest.mark.parametrize("prior_scale", [None, 10.0, 500.0, 1e6])
def test_log_odds_z_equals_the_published_formula(prior_scale):
    y_i, y_j, n_i, n_j = [12, 0, 30, 7, 1], [3, 9, 30, 70, 1], 2000, 6000
    z = keyness_scores(np.array(y_i), np.array(y_j), n_i, n_j, prior_scale=prior_scale)["z"]
    alpha_0 = n_i + n_j if prior_scale is None else prior_scale
    for k in range(5):
        alpha_w = alpha_0 * (y_i[k] + y_j[k]) / (n_i + n_j)  # informative prior: the pooled rate
        assert z.iloc[k] == pytest.approx(_mcq_z(y_i[k], y_j[k], n_i, n_j, alpha_w, alpha_0))


def test_keyness_scores_reject_impossible_counts():
    with pytest.raises(ValueError, match="between 0 and their corpus total"):
        keyness_scores(np.array([11]), np.array([1]), 10, 10)
    with pytest.raises(ValueError, match="totals must be positive"):
        keyness_scores(np.array([0]), np.array([1]), 0, 10)


KEY_DOCS = pd.DataFrame({
    "doc_id": ["d1", "d2", "d3", "d4"],
    "text": ["Terrorism terrorism terrorism threatens peace.", "Terrorism threatens peace.",
             "Peace and development matter.", "Development needs peace and trade."],
    "meeting": ["S/PV.1", "S/PV.1", "S/PV.2", "S/PV.3"],
})


def test_keyness_by_hand():
    table = keyness(KEY_DOCS, by="meeting", target="S/PV.1", ngram_range=(1, 1))
    assert list(table.columns) == KEYNESS_COLUMNS
    row = table.set_index("term").loc["terrorism"]
    assert (row["count_target"], row["count_reference"]) == (4, 0)
    # target: 5 + 3 = 8 word tokens; reference: 4 + 5 = 9
    expected = keyness_scores(np.array([4]), np.array([0]), 8, 9).iloc[0]
    assert row["g2"] == pytest.approx(expected["g2"]) and row["g2"] > 0
    assert row["rate_target"] == pytest.approx(5000.0)
    assert table["term"].iloc[0] == "terrorism"
    assert list(table["g2"]) == sorted(table["g2"], reverse=True)  # over-use first, under-use last
    assert table["term"].iloc[-1] == "development"
    assert table["g2"].iloc[-1] < 0


def test_keyness_min_count():
    table = keyness(KEY_DOCS, by="meeting", target="S/PV.1", min_count=3)
    assert set(table["term"]) == {"terrorism", "peace"}


@pytest.mark.parametrize("by,target,message", [
    ("party", "X", r"unknown field 'party' for --by; valid fields: doc_id, meeting$"),
    ("meeting", "S/PV.9", r"no speech has meeting = 'S/PV\.9'; did you mean 'S/PV\.\d', .*\(3 values, e\.g\. "
                          r"'S/PV\.1', 'S/PV\.2', 'S/PV\.3'\)"),
    ("doc_id", "d9", r"no speech has doc_id = 'd9'.*4 values"),
])
def test_keyness_errors_name_the_valid_choices(by, target, message):
    with pytest.raises(InputError, match=message):
        keyness(KEY_DOCS, by=by, target=target)


def test_keyness_refuses_a_target_that_is_everything():
    with pytest.raises(InputError, match="every speech has meeting = 'S/PV.1': nothing left to compare"):
        keyness(KEY_DOCS[KEY_DOCS["meeting"] == "S/PV.1"], by="meeting", target="S/PV.1")


# ---------------------------------------------------------------------------------------- compare command

@pytest.fixture
def small_corpus(tmp_path):
    folder = tmp_path / "speeches"
    folder.mkdir()
    for row in KEY_DOCS.itertuples():
        (folder / f"{row.doc_id}.txt").write_text(row.text + "\n", encoding="utf-8")
    KEY_DOCS[["doc_id", "meeting"]].to_csv(folder / "metadata.csv", index=False)
    return folder


def test_compare_writes_the_keyness_table(small_corpus, tmp_path, capsys):
    out = tmp_path / "keyness.csv"
    code = cli.main(["compare", "--corpus", str(small_corpus), "--by", "meeting", "--target", "S/PV.1",
                     "-o", str(out)])
    assert code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "term,count_target,count_reference,rate_target,rate_reference,g2,p,log_ratio,z"
    assert lines[1].startswith("terrorism,4,0,5000.000000,")
    assert re.search(r",\d\.\d{6}e[-+]\d\d,", lines[1])  # p in scientific notation
    assert "compared 2 speeches with meeting = 'S/PV.1' against the other 2" in capsys.readouterr().err
    first = out.read_bytes()
    cli.main(["compare", "--corpus", str(small_corpus), "--by", "meeting", "--target", "S/PV.1", "-o", str(out)])
    assert out.read_bytes() == first


@pytest.mark.parametrize("by,target,message", [
    ("party", "S/PV.1", "unknown field 'party' for --by; valid fields: doc_id, body, country"),
    ("meeting", "S/PV.7", "no speech has meeting = 'S/PV.7'"),
])
def test_compare_errors_are_one_line_with_exit_2(small_corpus, tmp_path, capsys, by, target, message):
    out = tmp_path / "keyness.csv"
    code = cli.main(["compare", "--corpus", str(small_corpus), "--by", by, "--target", target, "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(f"error: {small_corpus}: ") and message in err
    assert not out.exists()


def test_compare_missing_corpus_exits_2(tmp_path, capsys):
    code = cli.main(["compare", "--corpus", str(tmp_path / "nowhere"), "--by", "meeting", "--target", "x",
                     "-o", str(tmp_path / "k.csv")])
    assert code == 2 and "corpus not found" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------- real corpus

@pytest.fixture(scope="module")
def umuc(corpora):
    return read_corpus(corpora / "unsc_umuc")


@pytest.mark.corpus
@pytest.mark.slow
def test_run_terms_on_unsc_umuc_hold_no_stopwords_and_include_bigrams(umuc):
    from analysis.pipeline import build_tables

    top = build_tables(umuc).terms.head(50)
    words = {word for term in top["term"] for word in term.split()}
    assert not words & load_stopwords("frequency")
    assert not words & (set(ENGLISH_STOP_WORDS) - SKLEARN_CONTENT_WORDS)
    assert not words & {"not", "must", "should", "would", "against", "no", "also", "can", "will"}
    bigrams = top[top["term"].str.contains(" ")]
    assert len(bigrams) >= 2, list(top["term"])
    assert {"united nations", "security council"} <= set(bigrams["term"])


@pytest.mark.corpus
@pytest.mark.slow
def test_keyness_of_the_isil_meeting_puts_terrorism_vocabulary_on_top(umuc):
    table = keyness(umuc.documents, by="meeting", target="S/PV.7271")
    assert list(table.columns) == KEYNESS_COLUMNS
    top = table.head(10)
    terror = top[top["term"].str.contains(r"terror|isil|daesh|isis")]
    assert len(terror) >= 3, list(top["term"])
    assert table["term"].iloc[0] == "isil"
    # counts beside every score, and the scores agree on direction for the top terms
    assert top[["count_target", "count_reference"]].notna().all().all()
    assert (top["count_target"] > 0).all()
    assert (top["log_ratio"] > 0).all() and (top["z"] > 0).all() and (top["p"] < 1e-6).all()
    assert table.notna().all().all()


# ------------------------------------------------------- fast counting: count_tokens and TermTotals

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from analysis.terms import TermTotals, count_tokens, count_word_tokens, term_table  # noqa: E402

_WORDS = ["Terrorism", "terrorism", "crime", "Crime", "organized", "organised", "the", "not", "2014", "a", "U.N.",
          "Da'esh’s", "counter-terrorism", "États", "we", "must", "condemn", ".", ";", "!", "x", "_", "1st",
          "exchange", "of", "information", "groups", "terrorist", "Member", "States"]
_TEXTS = st.lists(st.lists(st.sampled_from(_WORDS), max_size=25).map(" ".join), max_size=6)
_PHRASES = st.sampled_from([
    (), ("organized crime",), ("organi?ed crime", "crime organized", "terror* group*", "exchange of information"),
    ("member states", "states", "of information", "organized crime terrorism", "organized crime"),
    ("counter-terrorism crime", "terrorist groups", "terror* groups"),
])


def _vectorizer_matrix(texts, ngram_range, stopwords, phrases=()):
    vectorizer = CountVectorizer(analyzer=TermAnalyzer(ngram_range=ngram_range, stopwords=stopwords,
                                                       phrases=phrases), dtype=np.int64)
    try:
        return vectorizer.fit_transform(texts), list(vectorizer.get_feature_names_out())
    except ValueError:  # empty vocabulary
        return None, []


@settings(max_examples=200, deadline=None)
@given(_TEXTS, st.sampled_from([(1, 1), (1, 2), (2, 2), (1, 3)]), st.sampled_from(["frequency", "function"]),
       _PHRASES)
def test_count_tokens_equals_countvectorizer_with_the_project_analyzer(texts, ngram_range, kind, phrases):
    stopwords = load_stopwords(kind)
    expected, expected_terms = _vectorizer_matrix(texts, ngram_range, stopwords, phrases)
    counts = count_tokens(texts, ngram_range=ngram_range, stopwords=stopwords, phrases=phrases)
    matrix, found_terms = counts.sorted_matrix()
    assert list(found_terms) == expected_terms
    if expected is not None:
        assert matrix.dtype == np.int64 and (matrix != expected).nnz == 0
    assert counts.n_tokens.tolist() == [count_word_tokens(text) for text in texts]


def test_count_tokens_on_real_speeches_equals_countvectorizer(fixtures_dir):
    from analysis.themes import load_lexicon

    texts = read_corpus(fixtures_dir / "corpus").documents["text"].tolist()
    texts.append((paths.RAW_DIR / "sample_speech.txt").read_text(encoding="utf-8"))
    for phrases in ((), load_lexicon().phrases):
        expected, expected_terms = _vectorizer_matrix(texts, (1, 2), load_stopwords("frequency"), phrases)
        matrix, found_terms = count_tokens(texts, phrases=phrases).sorted_matrix()
        assert list(found_terms) == expected_terms and (matrix != expected).nnz == 0


@settings(max_examples=100, deadline=None)
@given(_TEXTS, st.data())
def test_term_totals_of_any_split_equal_count_terms(texts, data):
    cuts = sorted(data.draw(st.lists(st.integers(0, len(texts)), max_size=3)))
    parts = [texts[a:b] for a, b in zip([0, *cuts], [*cuts, len(texts)])]
    order = data.draw(st.permutations(range(len(parts))))
    totals = TermTotals()
    for index in order:
        totals.add(count_tokens(parts[index]))
    assert_frame = pd.testing.assert_frame_equal
    assert_frame(totals.table(), count_terms(texts))
    merged, left, right = TermTotals(), TermTotals(), TermTotals()
    for part in parts[: len(parts) // 2]:
        left.add(count_tokens(part))
    for part in parts[len(parts) // 2:]:
        right.add(count_tokens(part))
    merged.merge(right)
    merged.merge(left)
    assert_frame(merged.table(), count_terms(texts))


def test_term_totals_can_leave_texts_out():
    counts = count_tokens(TOY)
    totals = TermTotals()
    totals.add(counts, rows=np.array([True, False, True]))
    pd.testing.assert_frame_equal(totals.table(), count_terms([TOY[0], TOY[2]]))


def test_term_table_sorts_by_count_then_term():
    totals = pd.DataFrame({"term": ["b", "a", "c"], "count": [2, 2, 5], "docs": [1, 2, 1]})
    table = term_table(totals, n_tokens=100)
    assert table["term"].tolist() == ["c", "a", "b"]
    assert table["rate_per_10k"].tolist() == [500.0, 200.0, 200.0]


def test_log_ratio_never_turns_against_the_counts_in_a_tiny_group():
    """A one-token target never uses a term the reference uses: the 0.5 stand-in must not make it over-used."""
    scores = keyness_scores(np.array([0, 1, 0]), np.array([5, 3, 0]), 1, 1000)
    assert scores.loc[0, "log_ratio"] == 0.0 and scores.loc[0, "g2"] < 0 and scores.loc[0, "z"] < 0
    assert scores.loc[1, "log_ratio"] > 0
    same = keyness_scores(np.array([3, 1]), np.array([3, 1]), 100, 100)
    assert (same[["g2", "log_ratio", "z"]].to_numpy() == 0).all()  # identical groups: zeros, not empty


@settings(max_examples=50, deadline=None)
@given(_TEXTS, st.data())
def test_compacted_term_totals_keep_the_sums(texts, data):
    """A tree reduction passes compacted totals up: one part, each n-gram once, the same table."""
    cut = data.draw(st.integers(0, len(texts)))
    left, right = TermTotals(), TermTotals()
    left.add(count_tokens(texts[:cut]))
    right.add(count_tokens(texts[cut:]))
    merged = TermTotals()
    merged.merge(left.compact())
    merged.merge(right.compact())
    compacted = merged.compact()
    assert len(compacted._parts) <= 1 and compacted.n_tokens == merged.n_tokens
    for part in compacted._parts:
        for grams, _, _ in part[1].values():
            assert len(np.unique(grams, axis=0)) == len(grams)
    pd.testing.assert_frame_equal(compacted.table(), count_terms(texts))
