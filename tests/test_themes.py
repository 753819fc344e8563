"""Tests for analysis.themes: the lexicon, the TF-IDF theme scorer, topics and evaluation."""
from __future__ import annotations

import json
import math
import re
import textwrap

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer

from analysis.aggregate import speech_label_counts
from analysis import cli, paths
from analysis.corpus import read_corpus, segment_sentences, split_paragraphs
from analysis.errors import ConfigError
from analysis.pipeline import run
from analysis.themes import (
    ThemeScorer, _Matcher, check_lexicon, discover_topics, evaluate_themes, join_labels, keyword_baseline,
    label_themes, load_lexicon, parse_lexicon, score_corpus, score_themes, suggest_terms, topic_coherence,
)
from analysis.gold import debate_of
from analysis.patterns import parse_pattern, word_regex

#: The shipped lexicon's themes (tests may name them; the package never does).
THEMES = ("terrorism", "trafficking", "cooperation")


def make_lexicon(themes: dict[str, dict | list[str]], version: str = "t1"):
    """A lexicon from ``{name: [terms]}`` or ``{name: {"terms": [...], "exclude": [...]}}``, examples unchecked."""
    spec = {}
    for name, value in themes.items():
        value = {"terms": value} if isinstance(value, list) else dict(value)
        value.setdefault("examples", {"match": ["-"]})
        spec[name] = value
    return parse_lexicon({"version": version, "themes": spec}, check_examples=False)


TOY = make_lexicon({"a": ["alpha"], "b": ["beta gamma"]})


# --------------------------------------------------------------------------------------------- lexicon


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def test_shipped_lexicon_has_version_and_the_codebook_themes(lexicon):
    changelog = paths.THEMES_FILE.read_text(encoding="utf-8")
    assert re.search(rf"^#\s+{re.escape(lexicon.version)}\s+\S", changelog, re.MULTILINE), \
        "each lexicon version needs a line in the change log at the top of config/themes.yml"
    assert lexicon.names == THEMES
    assert len(lexicon.sha256) == 64 and lexicon.source.endswith("themes.yml")


def _all_patterns():
    lexicon = load_lexicon()
    return [(theme.name, kind, pattern) for theme in lexicon.themes
            for kind in ("terms", "exclude") for pattern in getattr(theme, kind)]


@pytest.mark.parametrize("theme, kind, pattern", _all_patterns())
def test_every_pattern_compiles(theme, kind, pattern):
    words = parse_pattern(pattern)
    assert words and all(re.compile(word_regex(word)) for word in words)


@pytest.mark.parametrize("theme", THEMES)
def test_every_example_term_and_exclusion_of_the_shipped_lexicon_behaves(lexicon, theme):
    problems = check_lexicon(lexicon)
    problems = problems[problems["theme"] == theme]
    assert problems.empty, problems.to_string()


def test_check_lexicon_reports_each_kind_of_problem():
    lexicon = make_lexicon({"x": {"terms": ["alpha", "never*"], "exclude": ["alpha beta", "unused"],
                                  "examples": {"match": ["alpha here", "nothing"], "no_match": ["alpha again"]}}})
    problems = check_lexicon(lexicon)
    found = set(zip(problems["kind"], problems["item"], problems["problem"]))
    assert found == {
        ("match", "nothing", "match example does not match"),
        ("no_match", "alpha again", "no_match example matches"),
        ("terms", "never*", "term matches no match example"),
        ("exclude", "alpha beta", "exclusion changes no no_match example"),
        ("exclude", "unused", "exclusion changes no no_match example"),
    }


GOOD_THEME = """\
  crime:
    terms: [organized crime]
    examples:
      match: [Organized crime grows.]
"""

BAD_FILES = [
    # (file text, message regex, line)
    ("version: 1\nthemes:\n  crime:\n    terms: [organized crime\n", r"YAML syntax error", 5),
    ("version: 1\nthemes:\n  crime:\n    terms: []\n    examples:\n      match: [x]\n",
     r"theme 'crime' has no terms", 4),
    ("version: 1\nthemes:\n  crime:\n    examples:\n      match: [x]\n", r"theme 'crime' has no terms", 3),
    ("version: 1\nthemes:\n  crime:\n    terms:\n      - crime\n      - terror(\n    examples:\n      match: [crime]\n",
     r"invalid pattern 'terror\(': character '\('", 6),
    ("version: 1\nthemes:\n  crime:\n    terms: ['*']\n    examples:\n      match: [x]\n",
     r"has no letter or digit", 4),
    ("version: 1\ncolour: red\nthemes:\n" + GOOD_THEME, r"unknown key 'colour'; valid keys: version, description, themes",
     2),
    ("version: 1\nthemes:\n  crime:\n    terms: [organized crime]\n    exampels:\n      match: [x]\n",
     r"unknown key 'exampels' in theme 'crime'", 5),
    ("version: 1\nthemes:\n  crime:\n    terms: [organized crime]\n    examples:\n      matches: [x]\n",
     r"unknown key 'matches' in examples", 6),
    ("themes:\n" + GOOD_THEME, r"missing 'version'", 1),
    ("version: 1\nthemes:\n  Crime Theme:\n    terms: [crime]\n    examples:\n      match: [crime]\n",
     r"invalid theme name 'Crime Theme'", 3),
    ("version: 1\nthemes:\n  crime:\n    terms: [organized crime]\n", r"needs 'examples'", 3),
    ("version: 1\nthemes:\n  crime:\n    terms: [organized crime]\n    examples:\n      match:\n"
     "        - Organized crime grows.\n        - The weather is fine.\n",
     r"theme 'crime': match example does not match: 'The weather is fine.'", 8),
    ("version: 1\nthemes:\n  crime:\n    terms: [crime*]\n    exclude: [war crime*]\n    examples:\n"
     "      match: [Crime grows.]\n      no_match: [War crimes are punished., Crimes pay.]\n",
     r"no_match example matches: 'Crimes pay.'", 8),
    ("- just\n- a list\n", r"expected a mapping", 1),
]


@pytest.mark.parametrize("text, message, line", BAD_FILES)
def test_bad_lexicon_file_is_refused_with_file_line_and_reason(tmp_path, text, message, line):
    path = tmp_path / "themes.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        load_lexicon(path)
    assert caught.value.path == str(path)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert "\n" not in str(caught.value)


def test_missing_lexicon_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_lexicon(tmp_path / "nope.yml")


# --------------------------------------------------------------------------------------------- matching

ANALYZE_CASES = [
    # (terms, exclusions, text, expected terms)
    (["organized crime", "crime"], [], "Organized crime and crime.", ["organized crime", "crime"]),
    (["exchange of information"], [], "The exchange of information works.", ["exchange of information", "works"]),
    (["terror*"], [], "Terrorists' TERROR!", ["terrorists", "terror"]),
    (["da'esh"], [], "Da’esh and Da'esh's men", ["da'esh", "da'esh", "men"]),
    (["partner*"], ["intimate partner*"], "Intimate partner violence; partners.",
     ["intimate partner", "violence", "partners"]),
    (["transnational crim*", "organi*ed crim*"], [], "transnational organised crimes",
     ["transnational", "organised crimes"]),
    (["a b c", "a b"], [], "a b c a b", ["a b c", "a b"]),
    (["together"], [], "We act together.", ["act", "together"]),  # a stopword that is a lexicon term counts
]


@pytest.mark.parametrize("terms, exclude, text, expected", ANALYZE_CASES)
def test_analyzer_merges_phrases_longest_first(terms, exclude, text, expected):
    matcher = _Matcher(make_lexicon({"x": {"terms": terms, "exclude": exclude}}))
    assert matcher.analyze(text) == expected


THEME_OF_TERM = [
    # (term, expected themes) for a lexicon: t = [*terror*, extremis*], c = [cooperat*, coordinat*, shanghai
    # cooperation organization] minus [coordinator*]
    ("terrorism", {"t"}),
    ("counter-terrorism", {"t"}),
    ("extreme", set()),
    ("coordination", {"c"}),
    ("coordinator", set()),
    ("shanghai cooperation organization", {"c"}),
    ("terrorist cooperation", set()),  # not a lexicon phrase, so not a term the analyzer produces as one
    ("the shanghai cooperation organization", {"c"}),  # an n-gram holding a lexicon phrase has its themes
    ("regional coordinator", set()),  # ... and loses those of an exclusion inside it
]


@pytest.mark.parametrize("term, expected", THEME_OF_TERM)
def test_term_themes(term, expected):
    lexicon = make_lexicon({"t": ["*terror*", "extremis*"],
                            "c": {"terms": ["cooperat*", "coordinat*", "shanghai cooperation organization"],
                                  "exclude": ["coordinator*"]}})
    matcher = _Matcher(lexicon)
    got = {lexicon.names[i] for i in matcher.term_themes(term)}
    if " " in term and "shanghai" not in term and "coordinator" not in term:
        # a phrase that no pattern names still inherits the themes of its words
        expected = {"t", "c"}
    assert got == expected


def test_overlapping_phrase_is_counted_once():
    lexicon = make_lexicon({"crime": ["organized crime", "crime"]})
    scorer = ThemeScorer(lexicon).fit(["organized crime", "peace"])
    counts = scorer.vectorizer_.transform(["organized crime"])
    vocabulary = scorer.vectorizer_.vocabulary_
    assert counts[0, vocabulary["organized crime"]] > 0
    assert "crime" not in vocabulary and "organized" not in vocabulary
    # one term of the theme and nothing else: the whole mass is the theme's
    assert scorer.transform(["organized crime"])[0, 0] == pytest.approx(1.0)


LABEL_CASES = [
    ("Both terrorism and cross-border crime threaten peace.", "terrorism;trafficking"),
    ("We work closely with the United Nations Office on Drugs and Crime.", "cooperation;trafficking"),
    ("Conventional weapons and road traffic.", ""),
    ("The Humanitarian Coordinator briefed us.", ""),
    ("Drug-resistant infections spread.", ""),
    ("Regional organizations must coordinate.", "cooperation"),
    # lexicon v3: an organisation named for cooperation carries it; gangs alone are not organised crime
    ("The OSCE monitors reported shelling near the town.", "cooperation"),
    ("Our services exchange intelligence and best practices.", "cooperation"),
    ("Armed gangs and criminal gangs control the slums.", ""),
    ("The crime-terror nexus worries the region.", "terrorism;trafficking"),
    ("The two proposals are mutually exclusive.", ""),
    ("", ""),
]


@pytest.mark.parametrize("text, expected", LABEL_CASES)
def test_label_themes_with_the_shipped_lexicon(text, expected):
    assert label_themes([text]) == [expected]


def test_label_themes_refuses_a_bare_string_and_reads_none_as_empty():
    with pytest.raises(TypeError, match="got a single str"):
        label_themes("terrorism")
    assert label_themes([None, "terrorism"]) == ["", "terrorism"]  # as every labeller reads a missing text


def test_join_labels_sorts_names():
    assert join_labels(np.array([[True, False, True], [False, False, False]]), ("b", "c", "a")) == ["a;b", ""]


# --------------------------------------------------------------------------------------------- estimator

DOCS = ["alpha delta", "beta gamma delta"]


def test_scores_are_hand_computable_tfidf_shares():
    scorer = ThemeScorer(TOY).fit(DOCS)
    rare = math.log(3 / 2) + 1  # smooth idf of a term in one of two documents
    common = math.log(3 / 3) + 1  # "delta" is in both
    expected = np.array([[rare / (rare + common), 0.0], [0.0, rare / (rare + common)]])
    np.testing.assert_allclose(scorer.transform(DOCS), expected)
    np.testing.assert_allclose(scorer.vectorizer_.idf_, [rare, rare, common])  # alpha, beta gamma, delta


def test_l2_norm_divides_by_the_euclidean_length():
    scorer = ThemeScorer(TOY, norm="l2").fit(DOCS)
    rare, common = math.log(1.5) + 1, 1.0
    assert scorer.transform(["alpha delta"])[0, 0] == pytest.approx(rare / math.hypot(rare, common))


def test_scores_do_not_depend_on_length_when_the_mix_is_the_same():
    scorer = ThemeScorer(TOY).fit(DOCS)
    once, thrice = scorer.transform(["alpha delta", "alpha delta alpha delta alpha delta"])
    np.testing.assert_allclose(once, thrice)


def test_invariants_on_the_sample_speech(sample_speech_path):
    corpus = read_corpus(paths.RAW_DIR)
    sentences = segment_sentences(corpus.documents)
    scorer = ThemeScorer().fit(corpus.documents["text"])
    shares = scorer.transform(sentences["text"])
    assert shares.shape == (len(sentences), 3)
    assert (shares >= 0).all() and (shares <= 1).all()
    assert (shares.sum(axis=1) <= 1 + 1e-12).all()


def test_fit_learns_trailing_underscore_state_and_returns_self():
    scorer = ThemeScorer(TOY, min_share=0.1)
    assert not any(name.endswith("_") and not name.startswith("_") for name in vars(scorer))
    assert scorer.fit(DOCS) is scorer
    assert scorer.themes_ == ("a", "b")
    assert scorer.theme_matrix_.shape == (3, 2)
    assert list(scorer.get_feature_names_out()) == ["theme_a", "theme_b"]
    assert scorer.get_params() == {"lexicon": TOY, "norm": "l1", "smooth_idf": True, "min_share": 0.1}
    assert clone(scorer).get_params() == scorer.get_params()


def test_transform_refuses_unfitted_and_bare_strings():
    with pytest.raises(NotFittedError):
        ThemeScorer(TOY).transform(["alpha"])
    scorer = ThemeScorer(TOY).fit(DOCS)
    with pytest.raises(TypeError, match="got a single str"):
        scorer.transform("alpha delta")
    with pytest.raises(TypeError, match="got a single str"):
        ThemeScorer(TOY).fit("alpha delta")


@pytest.mark.parametrize("params, message", [
    ({"norm": "max"}, r"norm must be 'l1' or 'l2', got 'max'"),
    ({"min_share": {"zeta": 0.1}}, r"min_share names unknown themes \['zeta'\]; themes: a, b"),
    ({"lexicon": 3}, r"lexicon must be a Lexicon, a path or None"),
])
def test_bad_parameters_are_refused_at_fit(params, message):
    with pytest.raises((ValueError, TypeError), match=message):
        ThemeScorer(**{"lexicon": TOY, **params}).fit(DOCS)


def test_fit_on_stopwords_only_says_what_to_do():
    with pytest.raises(ValueError, match="no terms in the texts given to fit"):
        ThemeScorer(TOY).fit(["the of and", ""])


def test_min_share_thresholds_labels():
    scorer = ThemeScorer(TOY, min_share={"a": 0.5}).fit(DOCS)
    texts = ["alpha delta", "alpha delta delta delta"]  # shares 0.6 and 0.33
    assert scorer.label(texts) == ["a", ""]
    assert ThemeScorer(TOY).fit(DOCS).label(texts) == ["a", "a"]


def test_sentences_grouped_by_document_give_the_document_idf():
    """Two routes, same result: fit on documents, or on their sentences grouped by document."""
    corpus = read_corpus(paths.RAW_DIR)
    documents = pd.concat([corpus.documents, corpus.documents.assign(
        doc_id="copy", text="Cooperation on drugs. Terrorism is a crime.")], ignore_index=True)
    sentences = segment_sentences(documents)
    by_documents = ThemeScorer().fit(documents["text"])
    by_sentences = ThemeScorer().fit(sentences["text"], groups=sentences["doc_id"])
    assert by_documents.vectorizer_.vocabulary_ == by_sentences.vectorizer_.vocabulary_
    np.testing.assert_allclose(by_documents.vectorizer_.idf_, by_sentences.vectorizer_.idf_)
    scores = score_themes(documents)
    np.testing.assert_allclose(scores[[f"theme_{t}" for t in THEMES]].to_numpy(),
                               by_documents.transform(documents["text"]))


def test_vectorizer_equals_a_plain_tfidf_vectorizer_with_the_same_analyzer():
    scorer = ThemeScorer().fit(["Terrorism and organized crime.", "Cooperation against crime and terrorism."])
    plain = TfidfVectorizer(analyzer=scorer.matcher_.analyze, norm=None).fit(
        ["Terrorism and organized crime.", "Cooperation against crime and terrorism."])
    texts = ["Organized crime, terrorism and cooperation."]
    mine, _ = scorer.weigh(texts)
    terms = scorer.matcher_.analyze(texts[0])
    columns = [plain.vocabulary_[term] for term in sorted(set(terms))]
    np.testing.assert_allclose(mine.toarray(), plain.transform(texts).toarray()[:, columns])


def test_terms_unseen_at_fit_count_with_the_idf_of_a_term_in_no_document():
    scorer = ThemeScorer(TOY).fit(DOCS)
    rare, unseen = math.log(3 / 2) + 1, math.log(3 / 1) + 1
    assert scorer.unseen_idf_ == pytest.approx(unseen)
    np.testing.assert_allclose(scorer.transform(["alpha omega", "beta gamma"]),
                               [[rare / (rare + unseen), 0.0], [0.0, 1.0]])
    # a theme term the fitted texts never had still labels
    assert ThemeScorer(TOY).fit(["delta"]).label(["alpha", "beta gamma", "delta"]) == ["a", "b", ""]


def test_scorer_pickles(tmp_path):
    import pickle

    scorer = ThemeScorer().fit(["Terrorism and organized crime.", "Cooperation."])
    again = pickle.loads(pickle.dumps(scorer))
    np.testing.assert_array_equal(again.transform(["Drug trafficking."]), scorer.transform(["Drug trafficking."]))


# --------------------------------------------------------------------------------------------- levels


@pytest.fixture(scope="module")
def sample():
    corpus = read_corpus(paths.RAW_DIR)
    return corpus.documents, segment_sentences(corpus.documents)


def test_sample_speech_first_sentence_is_terrorism_and_trafficking(sample):
    documents, _ = sample
    sentences = score_themes(documents, level="sentence")
    assert sentences.loc[0, "themes"] == "terrorism;trafficking"


def test_sample_speech_unodc_sentence_is_trafficking_and_cooperation(sample):
    documents, segmented = sample
    sentences = score_themes(documents, level="sentence")
    row = segmented.index[segmented["text"].str.contains("Office on Drugs and Crime")][0]
    assert set(sentences.loc[row, "themes"].split(";")) >= {"trafficking", "cooperation"}
    assert sentences.loc[row, "theme_trafficking"] > 0 and sentences.loc[row, "theme_cooperation"] > 0


def test_sample_speech_document_is_about_terrorism_and_trafficking(sample):
    """The debate is on terrorism and cross-border crime: 15 of 24 sentences carry terrorism, 13 trafficking, so
    neither leads the other by half again (DOMINANT_LEAD): the speech is ``mixed``, terrorism ahead of trafficking.
    Its second half is on the partners Kazakhstan works with (12 sentences carry cooperation with lexicon 5, which
    counts support, implementation and conventions as codebook 2 does), so cooperation's term share leads; no
    theme leads the next by half again."""
    documents, _ = sample
    scores = score_themes(documents)
    assert list(scores.columns) == ["doc_id", "theme_terrorism", "theme_trafficking", "theme_cooperation",
                                    "dominant_theme"]
    assert scores.loc[0, "dominant_theme"] == "mixed"
    assert scores.loc[0, "theme_terrorism"] > scores.loc[0, "theme_trafficking"]
    assert (scores[["theme_terrorism", "theme_trafficking", "theme_cooperation"]].to_numpy() > 0).all()


def test_paragraph_level_has_one_row_per_paragraph(sample):
    documents, _ = sample
    paragraphs = score_themes(documents, level="paragraph")
    assert len(paragraphs) == len(split_paragraphs(documents.loc[0, "text"]))
    assert paragraphs["paragraph_id"].tolist() == list(range(len(paragraphs)))
    assert set(paragraphs["dominant_theme"]) <= set(THEMES) | {"", "mixed"}


def test_levels_nest_paragraph_mass_sums_to_document_mass(sample):
    """Un-normalised TF-IDF of sentences adds up to the document's, so the document score is a weighted mean."""
    documents, sentences = sample
    scorer = ThemeScorer().fit(documents["text"])
    sentence_mass, _ = scorer.weigh(sentences["text"])
    document_mass, _ = scorer.weigh(documents["text"])
    np.testing.assert_allclose(np.asarray(sentence_mass.sum(axis=0)).ravel(), document_mass.toarray().ravel())


def test_score_corpus_matches_score_themes(sample):
    documents, sentences = sample
    document_scores, sentence_scores = score_corpus(documents, sentences)
    pd.testing.assert_frame_equal(document_scores, score_themes(documents))
    assert sentence_scores["themes"].tolist() == score_themes(documents, level="sentence")["themes"].tolist()


def test_empty_and_themeless_documents_score_zero():
    documents = pd.DataFrame({"doc_id": ["a", "b"], "text": ["The weather is mild today.", ""]})
    scores = score_themes(documents)
    assert scores["dominant_theme"].tolist() == ["", ""]
    assert (scores[[f"theme_{t}" for t in THEMES]].to_numpy() == 0).all()
    empty = score_themes(documents.iloc[:0])
    assert empty.empty and "theme_terrorism" in empty.columns


def test_level_is_checked(sample):
    with pytest.raises(ValueError, match="level must be 'document', 'paragraph' or 'sentence', got 'word'"):
        score_themes(sample[0], level="word")


# --------------------------------------------------------------------------------------------- pipeline


def test_run_writes_theme_columns_labels_and_lexicon_version(tmp_path):
    result = run(paths.RAW_DIR, tmp_path, progress=False)
    documents = pd.read_csv(tmp_path / "documents.csv", keep_default_na=False)
    sentences = pd.read_csv(tmp_path / "sentences.csv", keep_default_na=False)
    assert float(documents.loc[0, "theme_terrorism"]) > 0
    assert documents.loc[0, "dominant_theme"] == "mixed"  # terrorism and trafficking (see above)
    assert sentences.loc[0, "themes"] == "terrorism;trafficking"
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["themes_version"] == load_lexicon().version == result.manifest["themes_version"]
    assert len(manifest["themes_sha256"]) == 64


def test_run_with_another_lexicon_changes_the_result(tmp_path):
    lexicon_file = tmp_path / "mine.yml"
    lexicon_file.write_text(textwrap.dedent("""\
        version: "test-2"
        themes:
          terrorism:
            terms: [nuclear*]
            examples: {match: [Nuclear material.]}
          education:
            terms: [education, young generation]
            examples: {match: [Education matters.], no_match: [Nothing.]}
        """), encoding="utf-8")
    result = run(paths.RAW_DIR, tmp_path / "out", themes_file=lexicon_file, progress=False)
    documents = pd.read_csv(tmp_path / "out" / "documents.csv", keep_default_na=False)
    assert "theme_education" in documents.columns
    assert documents.columns.get_loc("theme_education") < documents.columns.get_loc("dominant_theme")
    assert "theme_trafficking" not in documents.columns  # not in this lexicon: the tables follow the lexicon
    assert float(documents.loc[0, "theme_education"]) > 0
    assert result.sentences.loc[0, "themes"] == ""  # the first sentence names no nuclear material
    assert "education" in set(";".join(result.sentences["themes"]).split(";"))
    assert result.manifest["themes_version"] == "test-2"


def test_run_refuses_a_broken_lexicon_with_exit_code_2(tmp_path, capsys):
    broken = tmp_path / "broken.yml"
    broken.write_text("version: 1\nthemes:\n  crime:\n    terms:\n      - 'terror('\n", encoding="utf-8")
    code = cli.main(["run", "--corpus", str(paths.RAW_DIR), "--out", str(tmp_path / "out"), "--themes",
                     str(broken), "--no-progress"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith(f"error: {broken}:5: theme 'crime': invalid pattern")
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_two_runs_give_identical_theme_tables(tmp_path):
    run(paths.RAW_DIR, tmp_path / "one", progress=False)
    run(paths.RAW_DIR, tmp_path / "two", progress=False)
    for name in ("documents.csv", "sentences.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


# --------------------------------------------------------------------------------------------- beyond

SUGGEST_TEXTS = [
    "Terrorism requires extradition.",
    "Terrorism and extradition treaties.",
    "Terrorism again.",
    "Weather and extradition.",
    "Weather is mild.",
    "Weather again.",
]


def test_suggest_terms_keyness_is_dunning_g2():
    lexicon = make_lexicon({"t": ["terror*"]})
    table = suggest_terms(SUGGEST_TEXTS, theme="t", lexicon=lexicon, min_count=1, ngram_range=(1, 1))
    row = table.set_index("term").loc["extradition"]
    assert (row["count_theme"], row["count_rest"], row["texts_theme"]) == (2, 1, 2)
    # target terms: terrorism requires extradition terrorism extradition treaties terrorism (7; "again" is a
    # stopword); reference: weather extradition weather mild weather (5). 2 x 2 table: extradition / other terms.
    a, b, c, d = 2, 1, 7, 5
    n = c + d
    cells = [(a, (a + b) * c / n), (b, (a + b) * d / n), (c - a, (n - a - b) * c / n), (d - b, (n - a - b) * d / n)]
    assert row["score"] == pytest.approx(2 * sum(o * math.log(o / e) for o, e in cells))
    assert "terrorism" not in table["term"].tolist()  # already a term of the theme
    assert "weather" not in table["term"].tolist()  # more frequent outside the theme


def test_suggest_terms_centroid_ranks_theme_words_first():
    lexicon = make_lexicon({"t": ["terror*"]})
    table = suggest_terms(SUGGEST_TEXTS, theme="t", lexicon=lexicon, method="centroid", min_count=1)
    assert table["term"].iloc[0] in {"extradition", "requires", "treaties", "extradition treaties"}
    assert (table["score"] > 0).all()
    assert table["score"].is_monotonic_decreasing


def test_suggest_terms_checks_its_options():
    with pytest.raises(ValueError, match="unknown theme 'x'"):
        suggest_terms(SUGGEST_TEXTS, theme="x")
    with pytest.raises(ValueError, match="method must be 'keyness' or 'centroid'"):
        suggest_terms(SUGGEST_TEXTS, theme="terrorism", method="tfidf")


def test_topic_coherence_is_npmi_by_hand():
    import scipy.sparse as sp

    presence = sp.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1], [0, 0, 1]]))
    vocabulary = ["a", "b", "c"]
    # a and b always together (NPMI 1), a and c never (-1)
    np.testing.assert_allclose(topic_coherence([["a", "b"], ["a", "c"], ["a", "b", "c"], ["a"]], presence,
                                               vocabulary), [1.0, -1.0, (1 - 1 - 1) / 3, np.nan])
    # independent terms: P(a)=P(b)=1/2, P(a,b)=1/4 -> NPMI 0
    independent = sp.csr_matrix(np.array([[1, 1], [1, 0], [0, 1], [0, 0]]))
    np.testing.assert_allclose(topic_coherence([["a", "b"]], independent, ["a", "b"]), [0.0], atol=1e-12)


TOPIC_TEXTS = [
    "terrorism attack bombing militants terrorism",
    "militants bombing attack terrorism",
    "attack militants terrorism bombing",
    "harvest rainfall drought crops harvest",
    "crops drought rainfall harvest",
    "rainfall harvest crops drought",
]


def test_discover_topics_finds_two_clear_topics_deterministically():
    topics = discover_topics(TOPIC_TEXTS, n_topics=2, seed=3, top_n=4, min_df=1, max_df=1.0)
    again = discover_topics(TOPIC_TEXTS, n_topics=2, seed=3, top_n=4, min_df=1, max_df=1.0)
    pd.testing.assert_frame_equal(topics, again)
    tops = [set(terms.split(";")) for terms in topics["top_terms"]]
    assert sorted(map(sorted, tops)) == [["attack", "bombing", "militants", "terrorism"],
                                         ["crops", "drought", "harvest", "rainfall"]]
    assert topics["coherence_npmi"].tolist() == pytest.approx([1.0, 1.0])
    assert topics["stability"].tolist() == pytest.approx([1.0, 1.0])
    terror = topics[topics["top_terms"].str.contains("terrorism")].iloc[0]
    assert terror["closest_theme"] == "terrorism" and terror["overlap_terrorism"] > 0
    harvest = topics[topics["top_terms"].str.contains("harvest")].iloc[0]
    assert harvest["closest_theme"] == "" and harvest[["overlap_terrorism", "overlap_trafficking",
                                                       "overlap_cooperation"]].sum() == 0
    assert topics["weight"].sum() == pytest.approx(1.0)


def test_discover_topics_says_when_there_is_too_little_text():
    with pytest.raises(ValueError, match="too few for 5 topics"):
        discover_topics(TOPIC_TEXTS[:2], n_topics=5, min_df=1, max_df=1.0)


# --------------------------------------------------------------------------------------------- evaluation


def test_evaluate_themes_by_hand():
    gold = ["terrorism", "terrorism;cooperation", "", "trafficking"]
    predicted = ["terrorism;cooperation", "terrorism", "cooperation", ""]
    table = evaluate_themes(gold, predicted).set_index("theme")
    # terrorism: tp 2; cooperation: tp 0, fp 2, fn 1; trafficking: fn 1
    assert table.loc["terrorism", ["tp", "fp", "fn", "f1"]].tolist() == [2, 0, 0, 1.0]
    assert table.loc["cooperation", ["tp", "fp", "fn", "precision", "recall", "f1"]].tolist() == [0, 2, 1, 0, 0, 0]
    assert table.loc["trafficking", ["support", "predicted", "f1"]].tolist() == [1, 0, 0.0]
    micro = table.loc["micro"]
    assert micro[["tp", "fp", "fn"]].tolist() == [2, 2, 2]
    assert micro["f1"] == pytest.approx(0.5)
    assert table.loc["macro", "f1"] == pytest.approx(1 / 3)


def test_evaluate_themes_joins_frames_on_id_and_checks_labels():
    gold = pd.DataFrame({"id": ["s1", "s2"], "themes": ["terrorism", ""]})
    predicted = pd.DataFrame({"id": ["s2", "s1"], "themes": ["", "terrorism"]})
    assert evaluate_themes(gold, predicted).set_index("theme").loc["micro", "f1"] == 1.0
    with pytest.raises(ValueError, match="1 gold ids have no prediction, e.g. 's2'"):
        evaluate_themes(gold, predicted.iloc[1:])
    with pytest.raises(ValueError, match="gold row 0: unknown theme 'terror'"):
        evaluate_themes(["terror"], [""])


BASELINE_CASES = [
    ("Counterterrorism and counter-terrorism.", "terrorism"),
    ("Drug trafficking and narcotics.", "trafficking"),
    ("Anti-drug laws.", "trafficking"),
    ("Co-operation and collaboration.", "cooperation"),
    ("Partnership and coordination.", ""),
    ("Deterrence.", ""),
]


@pytest.mark.parametrize("text, expected", BASELINE_CASES)
def test_keyword_baseline(text, expected):
    assert keyword_baseline([text]) == [expected]


def test_keyword_baseline_follows_the_lexicon():
    lexicon = parse_lexicon({"version": "t", "themes": {
        "climate": {"terms": ["climat*"], "baseline": r"\bclimat\w*", "examples": {"match": ["climate"]}},
        "sea": {"terms": ["ocean*"], "baseline": "ocean|sea", "examples": {"match": ["oceans"]}}}})
    assert keyword_baseline(["Climate and the sea.", "Terrorism."], lexicon=lexicon) == ["climate;sea", ""]
    without = parse_lexicon({"version": "t", "themes": {"x": {"terms": ["x"], "examples": {"match": ["x"]}}}})
    with pytest.raises(ValueError, match="no theme has a 'baseline'"):
        keyword_baseline(["x"], lexicon=without)


def test_a_bad_baseline_regex_is_refused_with_its_theme():
    with pytest.raises(ConfigError, match="baseline of theme 'x' is not a valid regular expression"):
        parse_lexicon({"version": "t", "themes": {"x": {"terms": ["x"], "baseline": "(", "examples": {
            "match": ["x"]}}}})


def test_lexicon_patterns_take_the_one_character_wildcard():
    lexicon = make_lexicon({"crime": ["organi?ed crime"], "climate": ["decarboni?ation"]})
    assert label_themes(["Organised crime.", "Organized crime.", "Organiized crime.", "Decarbonisation."],
                        lexicon=lexicon) == ["crime", "crime", "", "climate"]


# --------------------------------------------------------------------------------------------- corpus


@pytest.mark.corpus
@pytest.mark.slow
def test_isil_meeting_scores_three_times_the_2014_ukraine_meetings_on_terrorism(corpora):
    corpus = read_corpus(corpora / "unsc_umuc")
    scores = score_themes(corpus.documents).merge(corpus.documents[["doc_id", "meeting"]], on="doc_id")
    by_meeting = scores.groupby("meeting")["theme_terrorism"].mean()
    isil = by_meeting["S/PV.7271"]
    ukraine = by_meeting[["S/PV.7138", "S/PV.7154", "S/PV.7165", "S/PV.7219"]]
    assert isil > 3 * ukraine.max(), by_meeting.to_dict()


@pytest.mark.parametrize("text", [
    "Counter-terrorism isn't Da'esh's aim; U.N. 2014.", "Da’esh — ‘quoted’ words_with_underscores ÉTATS-Unis 3,5",
    "naïve café; résumé! ¿Qué? 中文 text", "",
])
def test_fast_tokeniser_gives_the_project_tokens(text):
    from analysis.text import tokenize
    from analysis.themes import _TOKENS

    assert _TOKENS(text) == tokenize(text)


def test_fast_tokeniser_on_the_sample_speech(sample_speech_path):
    from analysis.text import tokenize
    from analysis.themes import _TOKENS

    text = sample_speech_path.read_text(encoding="utf-8")
    assert _TOKENS(text) == tokenize(text)


def test_lexicon_beats_the_keyword_baseline_on_gold_train():
    """A regression guard, not a score: the lexicon was tuned on part of this file (see scripts/evaluate_themes.py
    and the README for the held-out dev, cross-validated and blind numbers)."""
    gold = pd.read_csv(paths.ANNOTATIONS_DIR / "gold_train_v1.csv", dtype=str, keep_default_na=False)
    lexicon = evaluate_themes(gold["themes"], label_themes(gold["text"])).set_index("theme")
    baseline = evaluate_themes(gold["themes"], keyword_baseline(gold["text"])).set_index("theme")
    assert lexicon.loc["micro", "f1"] >= baseline.loc["micro", "f1"] + 0.25
    # Codebook 2 widened cooperation (gold_train relabelled, #17): lexicon 4 scored F1 0.52 on it against the
    # baseline's 0.14; lexicon 5, tuned for codebook 2 on the tune parts, scores 0.76 (+0.61 over the baseline).
    # The guard holds most of that margin.
    assert lexicon.loc["cooperation", "f1"] >= baseline.loc["cooperation", "f1"] + 0.55
    assert lexicon.loc["terrorism", "precision"] >= 0.95
    assert lexicon.loc["trafficking", "precision"] >= 0.9


def _evaluation_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("evaluate_themes", paths.PROJECT_ROOT / "scripts" /
                                                  "evaluate_themes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_evaluation_script_dev_part_holds_out_whole_debates():
    script = _evaluation_script()
    gold = script.read_gold(script.GOLD_TRAIN)
    parts = gold.groupby("debate")["debate"].first().map(script.part_of)
    assert set(parts) == {"tune", "dev"} and 0.15 < (parts == "dev").mean() < 0.35
    # the script's debates are the package's (one definition: analysis.gold.debate_of)
    assert (gold["debate"] == debate_of(gold)).all()


def test_evaluation_script_cross_validation_by_debate(capsys):
    script = _evaluation_script()
    assert script.main(["--cv"]) == 0
    out = capsys.readouterr().out
    assert "10-fold cross-validation by debate" in out and "lexicon_v" in out and "keyword_regex" in out


def test_closest_theme_needs_a_minimum_overlap():
    topics = discover_topics(TOPIC_TEXTS, n_topics=2, seed=3, top_n=4, min_df=1, max_df=1.0, min_overlap=1.1)
    assert set(topics["closest_theme"]) == {""}


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=4))
def test_any_unicode_text_is_scored_without_error(texts):
    labels = label_themes(texts)
    assert len(labels) == len(texts)
    assert all(label == "" or set(label.split(";")) <= set(THEMES) for label in labels)
    documents = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    scores = score_themes(documents)
    values = scores[[f"theme_{t}" for t in THEMES]].to_numpy()
    assert ((values >= 0) & (values <= 1)).all()


def test_suggest_terms_does_not_offer_an_n_gram_holding_a_lexicon_phrase():
    texts = ["Transnational organized crime grows.", "Transnational organized crime spreads.", "Trade grows."]
    lexicon = make_lexicon({"crime": ["organized crime"]})
    table = suggest_terms(texts, theme="crime", lexicon=lexicon, labels=["crime", "crime", ""], min_count=1)
    assert "transnational organized crime" not in set(table["term"])
    assert "transnational" in set(table["term"])


def test_suggest_terms_from_hand_labels_finds_what_the_lexicon_misses():
    texts = ["Solidarity with refugees.", "Solidarity among nations.", "The weather is fine.", "Trade grows."]
    labels = ["cooperation", "cooperation", "", ""]
    table = suggest_terms(texts, theme="cooperation", labels=labels, min_count=1, ngram_range=(1, 1))
    assert table["term"].iloc[0] == "solidarity"
    assert table.loc[0, ["count_theme", "count_rest", "texts_theme"]].tolist() == [2, 0, 2]
    with pytest.raises(ValueError, match="labels has 1 entries for 4 texts"):
        suggest_terms(texts, theme="cooperation", labels=["x"])


def test_scorer_drops_into_a_scikit_learn_pipeline():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    texts = ["Terrorism kills.", "Terrorist attacks.", "Cooperation helps.", "Partnership and cooperation."]
    model = make_pipeline(ThemeScorer(), LogisticRegression()).fit(texts, [1, 1, 0, 0])
    assert model.predict(["A terrorist bomb."]).tolist() == [1]
    assert model.get_params()["themescorer__norm"] == "l1"


def test_lexicon_phrases_are_its_multi_word_terms():
    from analysis.themes import load_lexicon

    phrases = load_lexicon().phrases
    assert phrases == tuple(sorted(set(phrases)))
    assert "exchange of information" in phrases and "organi*ed crim*" in phrases
    assert all(len(p.split()) > 1 for p in phrases)


# ----------------------------------------------- chunked scoring (the pipeline's map and reduce) and speed-ups

from scipy import sparse as _sparse  # noqa: E402
from sklearn.feature_extraction.text import TfidfTransformer  # noqa: E402

from analysis import themes as themes_module  # noqa: E402
from analysis.terms import count_analyzed  # noqa: E402
from analysis.text import find_tokens  # noqa: E402

_THEME_WORDS = ["organized", "organised", "crime", "drug", "trafficking", "terrorism", "terrorist", "groups",
                "exchange", "of", "information", "international", "cooperation", "the", "and", "United", "Nations",
                "Office", "on", "Drugs", "Crime", ".", "not", "Al", "Qaida", "foreign", "fighters", "capacity",
                "building", "arms", "trade", "2014", "we", "co-operation"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_THEME_WORDS), max_size=20), max_size=8))
def test_count_token_lists_equals_counting_analyze_tokens(token_lists):
    matcher = themes_module._matcher_for(load_lexicon())
    expected, expected_terms = count_analyzed(token_lists, matcher.analyze_tokens)
    matrix, terms = matcher.count_token_lists(token_lists)
    assert list(terms) == list(expected_terms)
    assert matrix.shape == expected.shape and (matrix != expected).nnz == 0


def test_count_token_lists_on_real_sentences_equals_analyze(fixtures_dir):
    corpus = read_corpus(fixtures_dir / "corpus")
    texts = segment_sentences(corpus.documents)["text"].tolist()
    matcher = themes_module._matcher_for(load_lexicon())
    expected, expected_terms = count_analyzed(texts, matcher.analyze)
    matrix, terms = matcher.count_token_lists([find_tokens(text) for text in texts])
    assert list(terms) == list(expected_terms) and (matrix != expected).nnz == 0


@pytest.mark.parametrize("smooth", [True, False])
def test_smoothed_idf_is_tfidftransformers_idf_bit_for_bit(smooth):
    counts = _sparse.random(40, 300, density=0.1, random_state=1, format="csr") * 7
    counts.data = np.ceil(counts.data)
    counts = _sparse.vstack([counts, np.ones((1, 300))]).tocsr()  # every term in some document
    expected = TfidfTransformer(smooth_idf=smooth).fit(counts).idf_
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    assert np.array_equal(themes_module.smoothed_idf(df, counts.shape[0], smooth_idf=smooth), expected)


def test_theme_frequencies_over_chunks_equal_score_corpus(fixtures_dir):
    corpus = read_corpus(fixtures_dir / "corpus")
    documents = corpus.documents
    sentences = segment_sentences(documents)
    expected_documents, expected_sentences = score_corpus(documents, sentences)
    lexicon = load_lexicon()
    frequencies = themes_module.ThemeFrequencies(lexicon)
    chunks = []
    for rows in ([0, 1], [2], [3]):  # one chunk of two speeches, two of one
        chunk = documents.iloc[rows].reset_index(drop=True)
        chunk_sentences = segment_sentences(chunk)
        positions = chunk_sentences["doc_id"].map({d: i for i, d in enumerate(chunk["doc_id"])}).to_numpy()
        counted = themes_module.count_theme_terms(chunk_sentences["text"].tolist(), lexicon)
        frequencies.add(counted, positions, np.ones(len(chunk), dtype=bool))
        chunks.append((chunk, counted, positions))
    labels, document_shares, carrying = [], [], []
    for chunk, counted, positions in chunks:
        scored = frequencies.score(counted, positions, len(chunk))
        labels.extend(scored.labels), document_shares.append(scored.documents), carrying.append(scored.carrying)
    names = [f"theme_{name}" for name in lexicon.names]
    assert np.array_equal(np.vstack(document_shares), expected_documents[names].to_numpy())
    assert labels == expected_sentences["themes"].tolist()
    per_document = expected_sentences.assign(doc_id=sentences["doc_id"].to_numpy())
    counts = speech_label_counts(per_document, "themes", lexicon.names).set_index("doc_id").reindex(
        documents["doc_id"]).fillna(0)
    assert np.array_equal(np.vstack(carrying), counts[list(lexicon.names)].to_numpy())
