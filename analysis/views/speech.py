"""One speech: which speech a notebook follows (:func:`pick_speech`), how it is named (:func:`describe_speech`,
:func:`describe_metadata`), the words behind its stance labels (:func:`quote_cues`), and its sentences' lengths
and themes (:func:`sentence_lengths`, :func:`theme_counts`).
"""
from __future__ import annotations

import difflib
import re
from typing import Sequence

import pandas as pd

from ..validation import require_columns
from .fields import field_values

__all__ = ["cue_spans", "describe_metadata", "describe_speech", "pick_speech", "quote_cues", "sentence_lengths",
           "theme_counts"]


def pick_speech(documents: pd.DataFrame, *, doc_id: str | None = None, min_sentences: int = 10) -> str:
    """The ``doc_id`` of the speech a notebook follows sentence by sentence.

    ``doc_id`` when given (it must exist); else the only speech; else a typical one: among speeches with at
    least ``min_sentences`` sentences (all speeches if none has that many), the one of median length in
    tokens (the lower median), ties broken by ``doc_id``.

    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "n_sentences": [12, 3, 40], "n_tokens": [300, 50, 900]})
    >>> pick_speech(docs)
    'a'
    """
    require_columns(documents, ["doc_id"], "pick_speech")
    if documents.empty:
        raise ValueError("no speeches to choose from")
    ids = documents["doc_id"].astype(str)
    if doc_id is not None:
        if doc_id not in set(ids):
            close = difflib.get_close_matches(str(doc_id), sorted(ids), n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise KeyError(f"no speech with doc_id {doc_id!r} in the corpus{hint}")
        return str(doc_id)
    if len(documents) == 1:
        return str(ids.iloc[0])
    require_columns(documents, ["n_sentences", "n_tokens"], "pick_speech")
    pool = documents[documents["n_sentences"] >= min_sentences]
    if pool.empty:
        pool = documents
    ordered = pool.assign(_id=pool["doc_id"].astype(str)).sort_values(["n_tokens", "_id"], kind="stable")
    return str(ordered["_id"].iloc[(len(ordered) - 1) // 2])


def describe_speech(documents: pd.DataFrame, doc_id: str) -> str:
    """A short name for a speech in titles: who spoke, and where and when.

    >>> docs = pd.DataFrame({"doc_id": ["k"], "country": ["Kazakhstan"], "speaker": ["Mr. Abdrakhmanov"],
    ...                      "body": ["UNSC"], "meeting": ["S/PV.7316"], "year": ["2014"]})
    >>> describe_speech(docs, "k")
    'Kazakhstan (Mr. Abdrakhmanov), S/PV.7316, 2014'
    """
    require_columns(documents, ["doc_id"], "describe_speech")
    rows = documents[documents["doc_id"].astype(str) == str(doc_id)]
    if rows.empty:
        raise KeyError(f"no speech with doc_id {doc_id!r}")
    row = {column: field_values(rows, column).iloc[0] for column in ("country", "speaker", "body", "meeting", "year")
           if column in rows.columns}
    who = row.get("country") or row.get("speaker") or str(doc_id)
    if row.get("country") and row.get("speaker"):
        who += f" ({row['speaker']})"
    where = row.get("meeting") or row.get("body", "")
    return ", ".join(part for part in (who, where, row.get("year", "")) if part)


_CUE = re.compile(r"^(?P<label>[^:;@]+):(?P<name>[^;@]+)@(?P<start>\d+)-(?P<end>\d+)$")


def cue_spans(cue: str) -> list[tuple[str, str, int, int]]:
    """``(label, cue name, start, end)`` of each piece of a ``cue`` cell in the form
    ``label:cue name@start-end`` (offsets into the sentence); pieces in another form are left out.

    >>> cue_spans("condemn:scourge@16-23;support:call@0-4")
    [('condemn', 'scourge', 16, 23), ('support', 'call', 0, 4)]
    """
    spans = []
    for part in filter(None, (piece.strip() for piece in str(cue or "").split(";"))):
        match = _CUE.match(part)
        if match:
            spans.append((match["label"], match["name"], int(match["start"]), int(match["end"])))
    return spans


def quote_cues(sentences: pd.DataFrame) -> pd.Series:
    """The words behind each stance label: every cue of the ``cue`` column with the text it matched.

    ``cue`` holds the stance labeller's evidence, ``label:cue name@start-end`` with offsets into the sentence
    (:func:`cue_spans`), ``;``-joined when several cues fired; each becomes ``cue name: "matched words"``.
    Parts in another form are kept as they are; a sentence without a cue gives ``""``.

    >>> quote_cues(pd.DataFrame({"text": ["We condemn this scourge."], "cue": ["condemn:scourge@16-23"]})).tolist()
    ['scourge: "scourge"']
    """
    require_columns(sentences, ["text", "cue"], "quote_cues")
    quotes = []
    for text, cue in zip(sentences["text"].fillna("").astype(str), sentences["cue"].fillna("").astype(str)):
        parts = []
        for part in filter(None, (piece.strip() for piece in cue.split(";"))):
            spans = cue_spans(part)
            if spans and spans[0][3] <= len(text):
                _, name, start, end = spans[0]
                words = " ".join(text[start:end].split())
                parts.append(f'{name}: "{words}"')
            else:
                parts.append(part)
        quotes.append("; ".join(parts))
    return pd.Series(quotes, index=sentences.index, dtype=object)


def describe_metadata(documents: pd.DataFrame, doc_id: str) -> pd.DataFrame:
    """One speech's metadata and counts, one field per row (the fields the speech has)."""
    require_columns(documents, ["doc_id"], "describe_metadata")
    rows = documents[documents["doc_id"].astype(str) == str(doc_id)]
    if rows.empty:
        raise KeyError(f"no speech with doc_id {doc_id!r}")
    fields = [c for c in ("body", "country", "speaker", "speaker_role", "date", "year", "meeting", "topic", "iso3",
                          "un_group", "council_status", "n_sentences", "n_tokens") if c in rows.columns]
    row = rows.iloc[0]
    return pd.DataFrame({str(doc_id): pd.Series({field: row[field] for field in fields}, dtype=object)})


def theme_counts(sentences: pd.DataFrame, themes: Sequence[str]) -> pd.DataFrame:
    """Sentences carrying each theme: ``theme, sentences``, in the lexicon's order."""
    from ..aggregate import label_indicators

    require_columns(sentences, ["themes"], "theme_counts")
    counts = label_indicators(sentences["themes"], themes).sum()
    return pd.DataFrame({"theme": pd.Series(list(themes), dtype=object),
                         "sentences": counts.to_numpy().astype("int64")})


def sentence_lengths(sentences: pd.DataFrame) -> pd.DataFrame:
    """``doc_id, sentence_id, n_tokens``: each sentence's length in word tokens."""
    from ..terms import count_word_tokens

    require_columns(sentences, ["doc_id", "sentence_id", "text"], "sentence_lengths")
    lengths = sentences["text"].astype(str).map(count_word_tokens).astype("int64")
    return pd.DataFrame({"doc_id": sentences["doc_id"].to_numpy(), "sentence_id": sentences["sentence_id"].to_numpy(),
                         "n_tokens": lengths.to_numpy()})
