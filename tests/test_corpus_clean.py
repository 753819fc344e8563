"""Tests for analysis.corpus.clean: clean_speech, and its fast paths against the plain patterns."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.corpus import clean
from analysis.corpus.clean import clean_speech


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


# ------------------------------------------------------------------------- fast paths = the plain regexes
# The cleaner and segmenter avoid whole-text regex scans where a cheaper route gives the same result; each
# shortcut is checked here against the plain regex it replaces, on generated text full of the edge cases.

_EDGY = st.text(alphabet="ab Z1|-\n\u2003\u3000\u200b\t’'_.S/9()É", max_size=60)


@settings(max_examples=300, deadline=None)
@given(_EDGY)
def test_space_run_equals_the_plain_substitution(text):
    plain = re.sub(r" *\n *", "\n", re.sub(r"[ \u2000-\u200b\u202f\u205f\u3000]+", " ", text))
    assert clean._squeeze_spaces(text) == plain
    assert " ".join(text.split()) == re.sub(r"\s+", " ", text).strip()


@settings(max_examples=300, deadline=None)
@given(_EDGY)
def test_line_end_hyphens_equal_finditer(text):
    fast = [m.span() for m in clean._line_end_hyphens(text)]
    assert fast == [m.span() for m in clean._LINE_END_HYPHEN.finditer(text)]


@pytest.mark.parametrize("text", [
    "organi-\nzation", "a-\nb-\nc", "long-\nterm and organi-\nzation", "x--\ny", "-\nab", "ab-\n", "e’-\ns",
    "co-op-\neration", "_a-\nb", "a_-\nb",
])
def test_line_end_hyphens_equal_finditer_on_cases(text):
    fast = [m.span() for m in clean._line_end_hyphens(text)]
    assert fast == [m.span() for m in clean._LINE_END_HYPHEN.finditer(text)]


_SPACED = st.text(alphabet="ab Z1-\n’'_.É ", max_size=60)


@settings(max_examples=300, deadline=None)
@given(_SPACED)
def test_spaced_hyphens_equal_finditer(text):
    fast = [m.span() for m in clean._spaced_hyphens(text)]
    assert fast == [m.span() for m in clean._SPACED_HYPHEN.finditer(text)]


@pytest.mark.parametrize("text", [
    "Secretary- General", "cross- border- control", "a- b- c", "- a", "a -b", "1a- b", "_a- b", "a’- b’s",
    "x" * 81 + "- y", "x" * 82 + "- y", "é- É", "troop- and police-", "a-- b",
])
def test_spaced_hyphens_equal_finditer_on_cases(text):
    fast = [m.span() for m in clean._spaced_hyphens(text)]
    assert fast == [m.span() for m in clean._SPACED_HYPHEN.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(_SPACED, st.text(alphabet="abZ1-’_É", max_size=6))
def test_hyphen_evidence_searches_answer_as_the_sets(text, item):
    searched = clean._HyphenEvidence(text)
    built = clean._HyphenEvidence(text)
    built.words, built.pairs  # the sets, as after many questions
    item = item.lower()
    assert searched.has_word(item) == (item in built.words)
    assert clean._HyphenEvidence(text).has_pair(item) == (item in built.pairs)
    for word in clean._WORD_RUN.findall(text.lower()):
        assert clean._HyphenEvidence(text).has_word(word)


@settings(max_examples=300, deadline=None)
@given(_EDGY)
def test_trailing_symbol_and_hints_agree_with_the_full_patterns(text):
    assert clean._strip_trailing_symbol(text) == clean._TRAILING_SYMBOL.sub("", text)
    for words in ("1 thank", "| would", "12-34567"):
        probe = text + words + text
        if clean._OCR_ONE.search(probe):
            assert clean._OCR_ONE_HINT.search(probe)
        if clean._INLINE_JOB_NUMBER.search(probe) and clean._INLINE_JOB_NUMBER.search(probe).group():
            assert clean._JOB_NUMBER_HINT.search(probe)
