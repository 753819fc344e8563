"""Clean text to paragraphs and sentences, as character offsets.

This module owns segmentation: :func:`split_paragraphs` (paragraphs are separated by blank lines, as
:func:`analysis.corpus.clean.clean_speech` writes them), :func:`split_sentences` (a terminal mark, optional
closing quotes, white space and a capital or digit, unless the word before the mark is an abbreviation in
:data:`ABBREVIATIONS`, an initial or a dotted acronym), :func:`iter_sentences` for one text and
:func:`segment_sentences` for a documents table. Spans are ``(start, end)`` offsets into the cleaned text, so
that ``text[start:end]`` is the sentence.
"""
from __future__ import annotations

import re
from typing import Iterator

import pandas as pd

__all__ = [
    "ABBREVIATIONS",
    "NUMBER_ABBREVIATIONS",
    "SENTENCE_STARTERS",
    "iter_sentences",
    "segment_sentences",
    "split_paragraphs",
    "split_sentences",
]

#: Words that end with a period without ending the sentence (lower case, without the final period).
ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "mmes", "mme", "messrs", "dr", "prof", "st", "sr", "jr", "rev", "hon", "amb",
    "gen", "lt", "col", "capt", "cmdr", "adm", "sgt", "maj", "sen", "rep", "gov", "pres", "h.e", "h.m",
    "h.r.h", "e.g", "i.e", "cf", "viz", "vs", "approx", "ca", "art", "arts", "para", "paras", "sect",
    "chap", "vol", "vols", "fig", "p", "pp", "op", "cit", "ibid", "inc", "ltd", "corp", "dept", "govt",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "rs", "nr",
    "u.n", "u.s", "u.k", "u.s.a", "u.s.s.r", "e.u", "a.m", "p.m",
})
#: Abbreviations that only continue the sentence before a number ("No. 5", "Nos. 3 and 4").
NUMBER_ABBREVIATIONS = frozenset({"no", "nos", "art", "para", "paras", "p", "pp", "vol", "chap", "sect"})
#: Words that start a new sentence after an ambiguous abbreviation such as "U.S." or "a.m.".
SENTENCE_STARTERS = frozenset("""
the this that these those we i it in he she they our my as at but and however it's there here let
today on for if when while since finally moreover furthermore indeed yet such all many some no nor
""".split())

# A span that is only a list marker ("2.", "(iv)", "b)") is not a sentence: it belongs to what follows.
_LIST_MARKER = re.compile(r"\s*[(\[]?(?:\d{1,3}|[ivxlc]{1,6}|[a-z])[.)\]]{1,2}$", re.IGNORECASE)
# "(?<![.!?])": a run of marks is tried once, from its first mark (a long run of dots was quadratic).
_CANDIDATE = re.compile(r"(?:(?<![.!?])[.!?]+|…)[\"'”’)\]]*(?=\s+[\"'“‘(\[]*[A-Z0-9\u00c0-\u00dd])")
_DOTTED = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")


def _is_boundary(text: str, match: re.Match, start: int) -> bool:
    punct = match.group()
    if not punct.startswith(".") or punct.startswith(".."):
        return True
    # The word before the mark, found by scanning back to white space: a regex search from the sentence
    # start would rescan the sentence for every abbreviation in it (quadratic on "No. 5 No. 6 ...").
    word_end = word_start = match.start()
    while word_start > start and not text[word_start - 1].isspace():
        word_start -= 1
    if word_start == word_end:
        return True
    word = text[word_start:word_end].lstrip("([\"'“‘")
    low = word.lower()
    # The words after the mark are looked at only when the word before it is ambiguous (most are not).
    if low in NUMBER_ABBREVIATIONS:
        return not _text_after(text, match)[:1].isdigit()
    if low in ABBREVIATIONS:
        if _DOTTED.match(word) or low in {"a.m", "p.m", "inc", "ltd", "corp"}:
            return _next_word(text, match) in SENTENCE_STARTERS
        return False
    if len(word) == 1 and word.isupper():  # an initial: "J. Smith"
        return False
    if "." in word and _DOTTED.match(word):  # other dotted acronyms
        return _next_word(text, match) in SENTENCE_STARTERS
    return True


_NEXT_WORD = re.compile(r"[\w'’]+")


def _text_after(text: str, match: re.Match) -> str:
    return text[match.end():match.end() + 40].lstrip().lstrip("\"'“‘([")


def _next_word(text: str, match: re.Match) -> str:
    found = _NEXT_WORD.match(_text_after(text, match))
    return found.group().lower() if found else ""


def _skip_space(text: str, position: int, end: int) -> int:
    while position < end and text[position].isspace():
        position += 1
    return position


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans in ``text[start:end]`` as absolute ``(start, end)`` offsets.

    Boundaries are a terminal mark (``.``, ``?``, ``!``), optional closing quotes or brackets, white space and
    a capital or digit; abbreviations (``Mr.``, ``U.N.``, ``No. 5``), initials and symbols such as
    ``S/PV.7316`` do not end a sentence. Spans are stripped of surrounding white space.

    Parameters
    ----------
    text : str
        A cleaned text.
    start, end : int
        The part of ``text`` to split (a paragraph); ``end`` defaults to the end of ``text``.

    Returns
    -------
    list of (int, int)
        Non-empty spans, in order.

    Examples
    --------
    >>> t = "Mr. Laborde of the U.N. spoke. Resolution 2178 (2014) was adopted."
    >>> [t[a:b] for a, b in split_sentences(t)]
    ['Mr. Laborde of the U.N. spoke.', 'Resolution 2178 (2014) was adopted.']
    """
    if end is None:
        end = len(text)
    spans = []
    cursor = start
    # Where the current sentence's first word starts: the list-marker test begins there, so white space
    # after a boundary is skipped once and not again for every candidate mark in the sentence.
    first = _skip_space(text, cursor, end)
    for match in _CANDIDATE.finditer(text, start, end):
        if match.end() <= cursor:
            continue
        if _LIST_MARKER.match(text, first, match.end()):
            continue
        if _is_boundary(text, match, cursor):
            spans.append((cursor, match.end()))
            cursor = match.end()
            first = _skip_space(text, cursor, end)
    spans.append((cursor, end))
    return [span for span in (_strip_span(text, a, b) for a, b in spans) if span is not None]


def _strip_span(text: str, a: int, b: int) -> tuple[int, int] | None:
    """``(a, b)`` without the white space at either end; ``None`` when nothing else is left."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return (a, b) if a < b else None


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Paragraph spans of a cleaned text (paragraphs are separated by one or more blank lines).

    Returns
    -------
    list of (int, int)
        ``(start, end)`` offsets of each non-blank paragraph, stripped of surrounding white space.
    """
    spans = (_strip_span(text, *match.span()) for match in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text))
    return [span for span in spans if span is not None]


def iter_sentences(text: str) -> Iterator[tuple[int, int, int]]:
    """Yield ``(paragraph_id, start, end)`` for every sentence of a cleaned text (ids from 0)."""
    for paragraph_id, (p_start, p_end) in enumerate(split_paragraphs(text)):
        for s_start, s_end in split_sentences(text, p_start, p_end):
            yield paragraph_id, s_start, s_end


def segment_sentences(documents: pd.DataFrame) -> pd.DataFrame:
    """One row per sentence: ``doc_id, sentence_id, paragraph_id, start, end, text``.

    Parameters
    ----------
    documents : DataFrame
        With ``doc_id`` and ``text`` (cleaned).

    Returns
    -------
    DataFrame
        ``sentence_id`` counts from 0 within each document, ``paragraph_id`` too; the text of the document
        at ``[start:end]`` is ``text`` on every row.
    """
    rows_doc, rows_sid, rows_pid, rows_start, rows_end, rows_text = [], [], [], [], [], []
    for doc_id, text in zip(documents["doc_id"], documents["text"]):
        for sentence_id, (paragraph_id, a, b) in enumerate(iter_sentences(text)):
            rows_doc.append(doc_id)
            rows_sid.append(sentence_id)
            rows_pid.append(paragraph_id)
            rows_start.append(a)
            rows_end.append(b)
            rows_text.append(text[a:b])
    return pd.DataFrame({
        "doc_id": pd.Series(rows_doc, dtype=object),
        "sentence_id": pd.Series(rows_sid, dtype="int64"),
        "paragraph_id": pd.Series(rows_pid, dtype="int64"),
        "start": pd.Series(rows_start, dtype="int64"),
        "end": pd.Series(rows_end, dtype="int64"),
        "text": pd.Series(rows_text, dtype=object),
    })
