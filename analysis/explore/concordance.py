"""The concordance: every sentence where a word, wildcard or phrase occurs, with its labels, filtered and paged.

A query is a pattern of the project's pattern language (:mod:`analysis.patterns`), matched by
:func:`analysis.patterns.pattern_regex` on the speeches' texts (the spans :func:`analysis.terms.keyword_in_context`
finds, without tokenising), after a cheap substring test on each speech's lower-cased text. A hit is shown in
its sentence: its context (``left``, ``right``) is the sentence's words around it, at most ``window`` on each
side, never the neighbouring sentences (keyword-in-context's context may cross them). Speeches are
searched in the order of the sort until the page is full, so the first page of a common word comes back after
reading a few speeches; the total (and sorts by a sentence's own labels) read every speech once.

Filters: any metadata field of ``documents.csv`` (one value or several), a year range, a theme and a stance
label of the sentence.
"""
from __future__ import annotations

import dataclasses
import html
import re
from typing import Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import InputError
from ..patterns import longest_literal, parse_pattern, pattern_regex
from ..views.speech import cue_spans
from .data import ExploreData

__all__ = ["HIT_COLUMNS", "SORTS", "Page", "Query", "all_hits", "cue_spans", "highlight", "search"]

#: Columns of a page of hits (and of the CSV export).
HIT_COLUMNS = ["doc_id", "sentence_id", "match_start", "match_end", "left", "match", "right", "themes", "stance",
               "score", "cue"]
#: How a page may be ordered: speeches in the corpus's order, by a metadata field, or by the sentence's score.
SORTS = ("corpus", "year", "country", "score (high first)", "score (low first)")


@dataclasses.dataclass(frozen=True)
class Query:
    """What to look for and where.

    ``where`` maps a metadata field to the values kept (a string or a list); ``years`` is an inclusive range;
    ``theme`` keeps sentences labelled with that theme, ``stance`` those with that stance label.
    """

    pattern: str
    where: Mapping[str, str | Sequence[str]] = dataclasses.field(default_factory=dict)
    years: tuple[int, int] | None = None
    theme: str | None = None
    stance: str | None = None
    sort: str = "corpus"


@dataclasses.dataclass(frozen=True)
class Page:
    """One page of hits: ``hits`` (:data:`HIT_COLUMNS` plus ``row``, the sentence's row in the data),
    its number, and the total when known (``None`` while only this page was searched for)."""

    hits: pd.DataFrame
    number: int
    size: int
    total: int | None


def highlight(text: str, matches: Sequence[tuple[int, int]] = (), cues: Sequence[tuple[int, int]] = ()) -> str:
    """HTML of ``text`` with ``matches`` in ``<mark class="unspeech-match">`` and stance cue spans in
    ``<mark class="unspeech-cue">`` (offsets into ``text``; a stretch in both is marked both ways).

    >>> highlight("We condemn terrorism.", [(11, 20)], [(3, 10)])
    'We <mark class="unspeech-cue">condemn</mark> <mark class="unspeech-match">terrorism</mark>.'
    """
    cuts = sorted({0, len(text), *(p for span in [*matches, *cues] for p in span if 0 <= p <= len(text))})
    pieces = []
    for a, b in zip(cuts, cuts[1:]):
        piece = html.escape(text[a:b])
        if any(s <= a and b <= e for s, e in matches):
            piece = f'<mark class="unspeech-match">{piece}</mark>'
        if any(s <= a and b <= e for s, e in cues):
            piece = f'<mark class="unspeech-cue">{piece}</mark>'
        pieces.append(piece)
    return "".join(pieces)


def _selected_speeches(data: ExploreData, query: Query) -> np.ndarray:
    """Rows of ``documents`` that pass the metadata filters, in the order of the sort."""
    keep = np.ones(len(data.documents), dtype=bool)
    for field, values in (query.where or {}).items():
        wanted = {str(values).strip()} if isinstance(values, (str, int, float)) else \
            {str(value).strip() for value in (values or ())}
        wanted.discard("")
        if wanted:  # no value: no filter
            keep &= data.field(field).isin(wanted).to_numpy()
    if query.years is not None:
        years = pd.to_numeric(data.field("year"), errors="coerce").to_numpy()
        keep &= (years >= query.years[0]) & (years <= query.years[1])
    rows = np.flatnonzero(keep)
    if query.sort in ("year", "country") and query.sort in data.documents.columns:
        keys = data.field(query.sort).iloc[rows]
        if query.sort == "year":
            keys = pd.to_numeric(keys, errors="coerce")
        rows = rows[np.argsort(keys.to_numpy(), kind="stable")]
    return rows


def _compile(pattern: str) -> tuple[re.Pattern, list[str]]:
    try:
        words = parse_pattern(pattern, bare_wildcards=True)
    except ValueError as error:
        raise InputError(str(error)) from None
    literal = longest_literal(words)
    return pattern_regex(words), ([literal] if literal else [])


def _speech_hits(data: ExploreData, row: int, regex: re.Pattern, literals: list[str],
                 query: Query) -> list[tuple[int, int, int]]:
    """The hits in one speech: ``(sentence row, match start, match end)`` in text order, filters applied."""
    if literals and not all(literal in data.lowered(row) for literal in literals):
        return []
    spans = [match.span() for match in regex.finditer(data.texts[row])]
    if not spans:
        return []
    rows = data.sentence_rows(row)
    if rows.start == rows.stop:  # a speech without sentences (all of them procedural, say) shows no hit
        return []
    starts = np.fromiter((a for a, _ in spans), dtype=np.int64, count=len(spans))
    ends = np.fromiter((b for _, b in spans), dtype=np.int64, count=len(spans))
    sentence = rows.start + np.searchsorted(data.sentence_start[rows], starts, side="right") - 1
    keep = sentence >= rows.start
    sentence = np.where(keep, sentence, rows.start)
    keep &= ends <= data.sentence_end[sentence]  # a phrase across two sentences is not shown
    if query.stance:
        keep &= data.labels["stance"][sentence] == query.stance
    if query.theme:
        keep &= np.fromiter((query.theme in themes.split(";") for themes in data.labels["themes"][sentence]),
                            dtype=bool, count=len(sentence))
    return list(zip(sentence[keep].tolist(), starts[keep].tolist(), ends[keep].tolist()))


def _table(data: ExploreData, found: list[tuple], window: int) -> pd.DataFrame:
    if not found:
        return pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in zip(
            [*HIT_COLUMNS, "row"], [object, "int64", "int64", "int64", object, object, object, object, object,
                                    "float64", object, "int64"])})
    sentence = np.array([hit[0] for hit in found], dtype=np.int64)
    start = np.array([hit[1] for hit in found], dtype=np.int64)
    end = np.array([hit[2] for hit in found], dtype=np.int64)
    first, last = data.sentence_start[sentence], data.sentence_end[sentence]
    texts = [data.texts[doc] for doc in data.sentence_doc[sentence]]
    left = [" ".join(text[a:s].split()[-window:]) if window else "" for text, a, s in zip(texts, first, start)]
    right = [" ".join(text[e:b].split()[:window]) if window else "" for text, e, b in zip(texts, end, last)]
    labels = data.labels
    return pd.DataFrame({
        "doc_id": labels["doc_id"][sentence], "sentence_id": labels["sentence_id"][sentence],
        "match_start": start - first, "match_end": end - first, "left": pd.Series(left, dtype=object),
        "match": pd.Series([text[s:e] for text, s, e in zip(texts, start, end)], dtype=object),
        "right": pd.Series(right, dtype=object), "themes": labels["themes"][sentence],
        "stance": labels["stance"][sentence], "score": labels["score"][sentence], "cue": labels["cue"][sentence],
        "row": sentence})


def _check(data: ExploreData, query: Query) -> None:
    if query.sort not in SORTS:
        raise InputError(f"unknown sort {query.sort!r}; choose one of {', '.join(SORTS)}")
    if query.theme and query.theme not in data.themes:
        raise InputError(f"unknown theme {query.theme!r}; the run's themes are {', '.join(data.themes)}")
    if query.stance and query.stance not in data.stance_labels:
        raise InputError(f"unknown stance {query.stance!r}; the run's labels are {', '.join(data.stance_labels)}")


def _every_hit(data: ExploreData, query: Query) -> list[tuple[int, int, int]]:
    """Every hit of ``query`` in the order of its sort."""
    _check(data, query)
    regex, literals = _compile(query.pattern)
    found = [hit for row in _selected_speeches(data, query) for hit in _speech_hits(data, row, regex, literals, query)]
    if query.sort.startswith("score") and found:
        scores = data.labels["score"][np.array([hit[0] for hit in found])]
        scores = np.where(np.isnan(scores), -np.inf if query.sort == "score (high first)" else np.inf, scores)
        order = np.argsort(-scores if query.sort == "score (high first)" else scores, kind="stable")
        found = [found[i] for i in order]
    return found


def all_hits(data: ExploreData, query: Query, *, window: int = 12) -> pd.DataFrame:
    """Every hit of ``query``, in the order of its sort (the CSV export)."""
    return _table(data, _every_hit(data, query), window)


def search(data: ExploreData, query: Query, *, page: int = 0, page_size: int = 20, window: int = 12,
           count: bool = False) -> Page:
    """One page of the hits of ``query`` (``page`` counts from 0).

    Speeches are read in the sort's order only until the page is full, unless ``count`` asks for the total or
    the sort is by score (which needs every hit).
    """
    if page < 0 or page_size < 1:
        raise InputError(f"page must be >= 0 and page_size >= 1, got {page} and {page_size}")
    if count or query.sort.startswith("score"):
        found = _every_hit(data, query)
        return Page(_table(data, found[page * page_size:(page + 1) * page_size], window), page, page_size,
                    len(found))
    _check(data, query)
    regex, literals = _compile(query.pattern)
    wanted = (page + 1) * page_size
    found: list[tuple] = []
    exhausted = True
    for row in _selected_speeches(data, query):
        found.extend(_speech_hits(data, row, regex, literals, query))
        if len(found) > wanted:  # one more than needed: then there is a next page
            exhausted = False
            break
    return Page(_table(data, found[page * page_size:wanted], window), page, page_size,
                len(found) if exhausted else None)
