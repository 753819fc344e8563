"""What ``notebooks/06-explore.ipynb`` shows where no one can click (an executed report, nbval): the explorer's
four views computed once with fixed choices, as tables. Same tables, same bytes."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from ..errors import InputError
from .concordance import Query, search
from .data import ExploreData
from .views import describe, group_keyness, group_shares, key_terms

__all__ = ["StaticSummary", "static_summary"]


@dataclasses.dataclass
class StaticSummary:
    """The views with fixed choices; ``notes`` says what was chosen and what could not be shown."""

    field: str | None
    group: str | None
    query: str
    keyness: pd.DataFrame
    concordance: pd.DataFrame
    shares: pd.DataFrame
    speech: pd.DataFrame
    notes: list


def _default_field(data: ExploreData, preferred: tuple[str, ...]) -> str | None:
    for field in (*preferred, *data.fields):
        if field in data.documents and (data.field(field) != "").any() and data.field(field).nunique() >= 2:
            return field
    return None


def static_summary(data: ExploreData, *, field: str | None = None, query: str | None = None,
                   n_terms: int = 15, n_hits: int = 10, n_sentences: int = 12) -> StaticSummary:
    """The explorer's views for a report: the terms the largest group of ``field`` uses more than the rest
    (keyness), the concordance of ``query`` (default: that group's top term), theme shares by ``field``, and the
    first sentences of the first speech with a hit."""
    notes = []
    field = field or _default_field(data, ("un_group", "council_status", "body", "country"))
    keyness = pd.DataFrame(columns=["term", "count_target", "count_reference", "log_ratio", "g2", "p"])
    shares = pd.DataFrame()
    group = None
    if field is None:
        notes.append("No keyness or group shares: no metadata field has two values in this corpus.")
    else:
        values = data.field(field)
        counts = values[values != ""].value_counts()
        group = str(sorted(counts.index[counts == counts.max()])[0])
        try:
            result = group_keyness(data, field, [group])
            keyness = key_terms(result, n=n_terms)[["term", "count_target", "count_reference", "log_ratio", "g2",
                                                    "p"]]
            notes.extend(result.warnings)
        except InputError as error:
            notes.append(f"No keyness: {error}")
        shares = group_shares(data, field, column="themes", top_n=8)
    if query is None and len(keyness):
        query = str(keyness["term"].iloc[0])
    elif query is None and len(data.texts):  # no comparison: the corpus's most frequent word (stopwords aside)
        counts = data.term_counts()
        words = np.flatnonzero([" " not in term for term in counts.terms])
        if len(words):
            totals = np.asarray(counts.matrix[:, words].sum(axis=0)).ravel()
            query = str(counts.terms[words[int(np.argmax(totals))]])
            notes.append(f"Concordance of the most frequent word, {query!r}.")
    query = query or ""
    hits = pd.DataFrame()
    speech = pd.DataFrame()
    if query:
        hits = search(data, Query(query), page_size=n_hits).hits
        if len(hits):
            first = hits["doc_id"].iloc[0]
            rows = data.sentence_rows(int(data.row_of[first]))
            speech = data.sentences.iloc[rows].head(n_sentences)[["sentence_id", "themes", "stance", "score"]].copy()
            speech.insert(1, "text", [data.sentence_text(i) for i in range(rows.start, rows.stop)][:len(speech)])
            notes.append(f"Speech shown: {describe(data, first)}.")
        hits = hits.drop(columns=["row", "cue", "match_start", "match_end"], errors="ignore")
    else:
        notes.append("No concordance: no query was given, and no term is seen often enough to choose one.")
    return StaticSummary(field=field, group=group, query=query, keyness=keyness, concordance=hits, shares=shares,
                         speech=speech.reset_index(drop=True), notes=notes)
