"""The one pattern language (analysis.patterns) and its users: keyword-in-context, the theme lexicon, phrase
merging in term counting, and the stance cue file."""
from __future__ import annotations

import doctest
import time

import pandas as pd
import pytest

from analysis import patterns
from analysis.patterns import PhraseFinder, WordMatcher, parse_pattern, word_list_regex
from analysis.terms import TermAnalyzer, keyword_in_context
from analysis.themes import label_themes, parse_lexicon


def test_doctests():
    assert doctest.testmod(patterns).failed == 0


@pytest.mark.parametrize("pattern, message", [
    ("", "empty pattern"),
    ("terror(", r"character '\('"),
    ("a ** b", "has no letter or digit"),
    (7, "must be a string"),
])
def test_bad_patterns_are_refused_with_the_reason(pattern, message):
    with pytest.raises(ValueError, match=message):
        parse_pattern(pattern)


def test_bare_wildcards_only_when_asked():
    assert parse_pattern("*", bare_wildcards=True) == ("*",)
    with pytest.raises(ValueError):
        parse_pattern("*")


def test_words_are_normalised_and_wildcards_kept():
    assert parse_pattern("Organi?ed  CRIME") == ("organi?ed", "crime")
    assert parse_pattern("States’ terror*") == ("states", "terror*")


@pytest.mark.parametrize("pattern, token, expected", [
    ("organi?ed", "organised", True),
    ("organi?ed", "organized", True),
    ("organi?ed", "organiized", False),
    ("terror*", "terror", True),
    ("terror*", "terrorists", True),
    ("*terror*", "counter-terrorism", True),
    ("terror*", "anti-terror", False),
    ("crime", "crimes", False),
])
def test_one_word_matches_the_same_everywhere(pattern, token, expected):
    """The same pattern gives the same answer in the matcher, the lexicon, KWIC and the term analyzer."""
    assert bool(WordMatcher(parse_pattern(pattern)).ids(token)) is expected
    lexicon = parse_lexicon({"version": "t", "themes": {"x": {"terms": [pattern], "examples": {"match": ["-"]}}}},
                            check_examples=False)
    assert (label_themes([f"We saw {token} today."], lexicon=lexicon) == ["x"]) is expected
    kwic = keyword_in_context(pd.DataFrame({"doc_id": ["d"], "text": [f"We saw {token} today."]}), pattern)
    assert (list(kwic["match"]) == [token]) is expected
    phrase = f"{pattern} today"
    assert (f"{token} today" in TermAnalyzer(phrases=[phrase])(f"We saw {token} today.")) is expected


def test_phrases_longest_first_then_leftmost_without_overlap():
    finder = PhraseFinder([parse_pattern("organized crime"), parse_pattern("transnational organized crime"),
                           parse_pattern("crime and terror*")])
    tokens = "transnational organized crime and terrorism".split()
    assert finder.find(tokens) == [(0, 3, 1)]
    assert finder.find("organized crime and terrorism".split()) == [(0, 2, 0)]


def test_wildcards_take_linear_time_on_adversarial_tokens():
    matcher = WordMatcher(["*a*a*a*a*a*a*a*a*b"])
    token = "a" * 5000
    start = time.perf_counter()
    assert not matcher.ids(token)
    assert time.perf_counter() - start < 1.0  # a backtracking ".*a.*a..." takes minutes here


def test_word_list_regex_for_the_cue_file():
    import re

    regex = re.compile(word_list_regex(["condemn*", "reject", "call on"]))
    assert [bool(regex.fullmatch(word)) for word in ["condemns", "reject", "rejects", "call on"]] == \
        [True, True, False, True]
