"""Keyword-in-context: every match of a pattern with its context and offsets."""
from __future__ import annotations

import re
from typing import Iterable

import numpy as np
import pandas as pd

from ..patterns import PhraseFinder, longest_literal
from ..text import (
    normalize_token,
    token_spans,
)

from ..validation import require_columns
from .analyzer import _parse_all

KWIC_COLUMNS = ["doc_id", "sentence_id", "start", "end", "left", "match", "right"]


# --------------------------------------------------------------------------------------------------
# Keyword in context
# --------------------------------------------------------------------------------------------------

def _is_word(token: str) -> bool:
    return _WORD_CHAR.match(token) is not None


_WORD_CHAR = re.compile(r"[^\W_]")


def _collapse_space(text: str) -> str:
    return " ".join(text.split())


def keyword_in_context(
    documents: pd.DataFrame,
    pattern: str | Iterable[str],
    *,
    window: int = 5,
    sentences: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every occurrence of a word, wildcard or phrase, with ``window`` words of context on each side.

    Matching is on normalised tokens (:func:`analysis.text.normalize_token`: case-insensitive, ``’`` = ``'``,
    possessive ``'s`` ignored). ``pattern`` is a word (``"terrorism"``), a glob (``"terror*"``: ``*`` is any
    characters within one word, ``?`` one character) or a phrase (``"foreign terrorist fighters"``); several
    patterns may be given as a list. Context may cross sentence boundaries within the document.

    Parameters
    ----------
    documents : DataFrame
        ``doc_id`` and cleaned ``text``.
    window : int
        Word tokens of context on each side (sentence punctuation is not counted as a word).
    sentences : DataFrame, optional
        :func:`analysis.corpus.segment_sentences` of ``documents`` if already computed.

    Returns
    -------
    DataFrame
        ``doc_id, sentence_id, start, end, left, match, right``: ``text[start:end] == match`` (offsets into
        the cleaned document text), ``sentence_id`` the sentence holding the match's start, ``left`` and
        ``right`` the context with white space collapsed to single spaces. Sorted by ``doc_id``, ``start``,
        ``end``.

    >>> docs = pd.DataFrame({"doc_id": ["d1"], "text": ["We condemn terrorism. Terrorists must be stopped."]})
    >>> for row in keyword_in_context(docs, "terror*", window=2).itertuples(index=False):
    ...     print(row.sentence_id, row.start, row.end, repr(row.left), repr(row.match), repr(row.right))
    0 11 20 'We condemn' 'terrorism' '. Terrorists must'
    1 22 32 'condemn terrorism.' 'Terrorists' 'must be'
    """
    from ..corpus import segment_sentences

    require_columns(documents, ["doc_id", "text"], "keyword_in_context")
    if window < 0:
        raise ValueError(f"window must be >= 0, got {window}")
    parsed = _parse_all([pattern] if isinstance(pattern, str) else list(pattern), bare_wildcards=True)
    finder = PhraseFinder(parsed)
    # Every text holding a match holds each pattern's longest literal piece once lowered with ’ read as ':
    # a cheap test that skips tokenising the others (none when a pattern is wildcards only).
    literals = {longest_literal(words) for words in parsed}
    prefilter = None if "" in literals else sorted(literals)
    rows: dict[str, list] = {column: [] for column in KWIC_COLUMNS}
    matched_docs: dict[str, str] = {}
    for doc_id, text in zip(documents["doc_id"], documents["text"]):
        text = "" if text is None else str(text)
        if prefilter is not None:  # skip tokenising texts that cannot match
            lowered = text.lower().replace("’", "'")
            if not any(literal in lowered for literal in prefilter):
                continue
        spans = list(token_spans(text))
        if not spans:
            continue
        tokens = [text[a:b] for a, b in spans]
        # a wildcard word may match punctuation tokens too; a match is of words, every one of them
        ranges = [(first, stop) for first, stop, _ in finder.find([normalize_token(token) for token in tokens])
                  if all(_is_word(token) for token in tokens[first:stop])]
        if not ranges:
            continue
        matched_docs[doc_id] = text
        word_positions = np.flatnonzero([token[0].isalnum() for token in tokens])
        for first, stop in ranges:
            start, end = spans[first][0], spans[stop - 1][1]
            before = int(np.searchsorted(word_positions, first))  # number of words before the match
            after = int(np.searchsorted(word_positions, stop))  # index of the first word after it
            left_start, right_stop = start, end
            if window and before:
                left_start = spans[word_positions[max(before - window, 0)]][0]
            if window and after < len(word_positions):
                right_stop = spans[word_positions[min(after + window, len(word_positions)) - 1]][1]
            rows["doc_id"].append(doc_id)
            rows["start"].append(start)
            rows["end"].append(end)
            rows["left"].append(_collapse_space(text[left_start:start]))
            rows["match"].append(text[start:end])
            rows["right"].append(_collapse_space(text[end:right_stop]))
    # sentence ids: the sentence whose span holds the match start
    if sentences is None and matched_docs:
        sentences = segment_sentences(pd.DataFrame({"doc_id": list(matched_docs), "text": list(matched_docs.values())}))
    rows["sentence_id"] = _sentence_ids(rows["doc_id"], rows["start"], sentences)
    table = pd.DataFrame({
        "doc_id": pd.Series(rows["doc_id"], dtype=object),
        "sentence_id": pd.Series(rows["sentence_id"], dtype="int64"),
        "start": pd.Series(rows["start"], dtype="int64"),
        "end": pd.Series(rows["end"], dtype="int64"),
        "left": pd.Series(rows["left"], dtype=object),
        "match": pd.Series(rows["match"], dtype=object),
        "right": pd.Series(rows["right"], dtype=object),
    })
    return table.sort_values(["doc_id", "start", "end"], kind="stable").reset_index(drop=True)


def _sentence_ids(doc_ids: list, starts: list, sentences: pd.DataFrame | None) -> list[int]:
    """Id of the sentence holding each offset (-1 when none starts at or before it)."""
    if not doc_ids:
        return []
    ordered = sentences.sort_values(["doc_id", "start"], kind="stable")
    lookup = {doc: (group["start"].to_numpy(), group["sentence_id"].to_numpy())
              for doc, group in ordered.groupby("doc_id", sort=False)}
    ids = []
    for doc_id, start in zip(doc_ids, starts):
        sentence_starts, sentence_ids = lookup.get(doc_id, (np.array([], dtype=int), None))
        index = int(np.searchsorted(sentence_starts, start, side="right")) - 1
        ids.append(int(sentence_ids[index]) if index >= 0 else -1)
    return ids


