"""Which part of a corpus a notebook shows: choices that let one notebook serve one speech and thousands.

:func:`corpus_tables` is the notebooks' one way in: the tables of ``python -m analysis run``, with the
speech texts and paragraph numbers that views need. The rest are pure functions of those tables.

A timeline needs several years; on a single speech the notebook follows the speech paragraph by paragraph
instead. A comparison needs two groups of speeches; within a single speech it compares the sentences about
its main theme with the others. These choices live here, tested, so the notebooks hold no logic.
"""
from __future__ import annotations

import dataclasses
import difflib
import re
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .plots import _require

__all__ = [
    "COMPARISON_FIELDS", "TIMELINE_LABELS", "Comparison", "CorpusTables", "compare_groups", "corpus_tables",
    "describe_speech", "quote_cues",
    "pick_speech", "sentence_periods", "timeline_unit", "timeline_units", "topic_texts",
]

TimelineUnit = Literal["year", "month", "paragraph", "tenth"]

#: Axis labels of the periods :func:`timeline_units` cuts a corpus into.
TIMELINE_LABELS = {
    "year": "Year",
    "month": "Month",
    "paragraph": "Paragraph of the speech (from 0)",
    "tenth": "Tenth of the speech (by sentence position, 1 = opening)",
}

#: Metadata fields tried, in this order, for a comparison when none is named.
COMPARISON_FIELDS = ("meeting", "year", "country", "body")


def _values(frame: pd.DataFrame, column: str) -> pd.Series:
    """A metadata column as stripped strings, missing values as ``""``."""
    return frame[column].astype(object).where(frame[column].notna(), "").map(lambda v: str(v).strip())


# ------------------------------------------------------------------------------------------------ tables

@dataclasses.dataclass
class CorpusTables:
    """The tables of a run, as the notebooks use them.

    Attributes
    ----------
    documents : DataFrame
        ``documents.csv`` columns, then the cleaned ``text``.
    sentences : DataFrame
        ``sentences.csv`` columns with ``paragraph_id`` after ``sentence_id``.
    skipped : DataFrame
        ``skipped.csv``: inputs that were not read, with the reason.
    manifest : dict
        Provenance (versions of the lexicon, stopwords…), as in ``manifest.json``.
    """

    documents: pd.DataFrame
    sentences: pd.DataFrame
    skipped: pd.DataFrame
    manifest: dict


def corpus_tables(corpus: str | Path, *, lexicon=None) -> CorpusTables:
    """Read a corpus and compute the tables of ``python -m analysis run`` (nothing is written).

    ``lexicon`` is a :class:`analysis.themes.Lexicon` or a path (default ``config/themes.yml``).
    """
    from .corpus import read_corpus, segment_sentences
    from .pipeline import build_tables
    from .themes import load_lexicon

    if lexicon is None or isinstance(lexicon, (str, Path)):
        lexicon = load_lexicon(lexicon)
    read = read_corpus(corpus)
    result = build_tables(read, lexicon=lexicon)
    documents = result.documents.merge(read.documents[["doc_id", "text"]], on="doc_id", how="left",
                                       validate="one_to_one")
    paragraphs = segment_sentences(read.documents)[["doc_id", "sentence_id", "paragraph_id"]]
    sentences = result.sentences.merge(paragraphs, on=["doc_id", "sentence_id"], how="left",
                                       validate="one_to_one")
    at = list(sentences.columns).index("sentence_id") + 1
    columns = [c for c in sentences.columns if c != "paragraph_id"]
    sentences = sentences[columns[:at] + ["paragraph_id"] + columns[at:]]
    return CorpusTables(documents=documents, sentences=sentences, skipped=result.skipped, manifest=result.manifest)


# ------------------------------------------------------------------------------------------------ one speech

def pick_speech(documents: pd.DataFrame, *, doc_id: str | None = None, min_sentences: int = 10) -> str:
    """The ``doc_id`` of the speech a notebook follows sentence by sentence.

    ``doc_id`` when given (it must exist); else the only speech; else a typical one: among speeches with at
    least ``min_sentences`` sentences (all speeches if none has that many), the one of median length in
    tokens (the lower median), ties broken by ``doc_id``.

    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "n_sentences": [12, 3, 40], "n_tokens": [300, 50, 900]})
    >>> pick_speech(docs)
    'a'
    """
    _require(documents, ["doc_id"], "pick_speech")
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
    _require(documents, ["n_sentences", "n_tokens"], "pick_speech")
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
    _require(documents, ["doc_id"], "describe_speech")
    rows = documents[documents["doc_id"].astype(str) == str(doc_id)]
    if rows.empty:
        raise KeyError(f"no speech with doc_id {doc_id!r}")
    row = {column: _values(rows, column).iloc[0] for column in ("country", "speaker", "body", "meeting", "year")
           if column in rows.columns}
    who = row.get("country") or row.get("speaker") or str(doc_id)
    if row.get("country") and row.get("speaker"):
        who += f" ({row['speaker']})"
    where = row.get("meeting") or row.get("body", "")
    return ", ".join(part for part in (who, where, row.get("year", "")) if part)


_CUE = re.compile(r"^(?P<label>[^:;@]+):(?P<name>[^;@]+)@(?P<start>\d+)-(?P<end>\d+)$")


def quote_cues(sentences: pd.DataFrame) -> pd.Series:
    """The words behind each stance label: every cue of the ``cue`` column with the text it matched.

    ``cue`` holds the stance labeller's evidence, ``label:cue name@start-end`` with offsets into the sentence,
    ``;``-joined when several cues fired; each becomes ``cue name: "matched words"``. Parts in another form
    are kept as they are; a sentence without a cue gives ``""``.

    >>> quote_cues(pd.DataFrame({"text": ["We condemn this scourge."], "cue": ["condemn:scourge@16-23"]})).tolist()
    ['scourge: "scourge"']
    """
    _require(sentences, ["text", "cue"], "quote_cues")
    quotes = []
    for text, cue in zip(sentences["text"].fillna("").astype(str), sentences["cue"].fillna("").astype(str)):
        parts = []
        for part in filter(None, (piece.strip() for piece in cue.split(";"))):
            match = _CUE.match(part)
            if match and int(match["end"]) <= len(text):
                words = " ".join(text[int(match["start"]):int(match["end"])].split())
                parts.append(f'{match["name"]}: "{words}"')
            else:
                parts.append(part)
        quotes.append("; ".join(parts))
    return pd.Series(quotes, index=sentences.index, dtype=object)


# ------------------------------------------------------------------------------------------------ timelines

def timeline_unit(documents: pd.DataFrame) -> TimelineUnit:
    """The finest time-like axis a corpus supports, for "over time" charts.

    ``"year"`` when the speeches span several years; else ``"month"`` when their dates span several months;
    else, within the speeches themselves: ``"paragraph"`` for a single speech, ``"tenth"`` (position in the
    speech) for several.

    >>> timeline_unit(pd.DataFrame({"year": ["2014", "2014"], "date": ["2014-11-19", "2014-12-02"]}))
    'month'
    """
    def distinct(column: str, width: int) -> int:
        if column not in documents.columns:
            return 0
        values = _values(documents, column).str[:width]
        return values[values.str.len() == width].nunique()

    if distinct("year", 4) > 1:
        return "year"
    if distinct("date", 7) > 1:
        return "month"
    return "paragraph" if len(documents) == 1 else "tenth"


def _check_unit(unit: str) -> None:
    if unit not in TIMELINE_LABELS:
        raise ValueError(f"unit must be one of {', '.join(TIMELINE_LABELS)}, got {unit!r}")


def _document_periods(documents: pd.DataFrame, unit: TimelineUnit) -> pd.Series:
    column, width = ("year", 4) if unit == "year" else ("date", 7)
    _require(documents, ["doc_id", column], "timeline_units")
    period = _values(documents, column).str[:width]
    return period.where(period.str.len() == width, "")


def sentence_periods(documents: pd.DataFrame, sentences: pd.DataFrame, unit: TimelineUnit) -> pd.Series:
    """The period of every sentence on the ``unit`` axis (aligned with ``sentences``; ``""`` when unknown).

    ``"year"`` and ``"month"`` come from the sentence's speech (``year``, or the first seven characters of
    ``date``); ``"paragraph"`` is the paragraph number and ``"tenth"`` the tenth of its speech the sentence
    falls in, ``1 + floor(10 * sentence_id / n_sentences)``. Numbers are zero-padded so periods sort in time
    order as strings.
    """
    _check_unit(unit)
    if unit in ("year", "month"):
        _require(sentences, ["doc_id"], "sentence_periods")
        by_doc = dict(zip(documents["doc_id"], _document_periods(documents, unit)))
        return sentences["doc_id"].map(by_doc).fillna("").astype(object)
    _require(sentences, ["doc_id", "sentence_id", "paragraph_id"], "sentence_periods")
    if unit == "paragraph":
        number = sentences["paragraph_id"].astype("int64")
    else:
        size = sentences.groupby("doc_id")["sentence_id"].transform("size")
        number = 1 + (10 * sentences["sentence_id"] // size).astype("int64")
    width = max(2, len(str(int(number.max())))) if len(number) else 2
    return number.map(lambda value: f"{value:0{width}d}").astype(object)


def timeline_units(documents: pd.DataFrame, sentences: pd.DataFrame, unit: TimelineUnit) -> pd.DataFrame:
    """Texts labelled with their period on the ``unit`` axis, for counting terms per period.

    ``"year"`` and ``"month"``: one row per dated speech, ``period, doc_id, text``. ``"paragraph"`` and
    ``"tenth"``: one row per sentence, ``period, doc_id, sentence_id, text`` (see :func:`sentence_periods`).
    Sorted by period, then ``doc_id`` (and ``sentence_id``).
    """
    _check_unit(unit)
    if unit in ("year", "month"):
        _require(documents, ["doc_id", "text"], "timeline_units")
        table = pd.DataFrame({"period": _document_periods(documents, unit), "doc_id": documents["doc_id"],
                              "text": documents["text"]})
        keys = ["period", "doc_id"]
    else:
        _require(sentences, ["doc_id", "sentence_id", "text"], "timeline_units")
        table = pd.DataFrame({"period": sentence_periods(documents, sentences, unit),
                              "doc_id": sentences["doc_id"], "sentence_id": sentences["sentence_id"],
                              "text": sentences["text"]})
        keys = ["period", "doc_id", "sentence_id"]
    table = table[table["period"] != ""]
    return table.sort_values(keys, kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------------------------------------ comparisons

@dataclasses.dataclass(frozen=True)
class Comparison:
    """Two groups of texts to compare: ``units`` has ``text`` and a column ``by`` equal to ``target`` for
    the target group (pass them to :func:`analysis.terms.keyness`). ``target_label`` and ``reference_label``
    name the two groups in charts, ``description`` says what is compared with what."""

    units: pd.DataFrame
    by: str
    target: str
    description: str
    target_label: str
    reference_label: str


def _largest_group(values: pd.Series) -> str:
    counts = values[values != ""].value_counts(sort=False)
    frame = pd.DataFrame({"value": counts.index.astype(str), "n": counts.to_numpy()})
    return str(frame.sort_values(["n", "value"], ascending=[False, True], kind="stable")["value"].iloc[0])


def compare_groups(documents: pd.DataFrame, sentences: pd.DataFrame | None = None, *, by: str | None = None,
                   target: str | None = None) -> Comparison:
    """The two groups a keyness comparison sets against each other.

    With ``by``, the speeches whose ``by`` equals ``target`` (default: the largest group, ties broken by
    value) against all the others. Without ``by``, the first of :data:`COMPARISON_FIELDS` with at least two
    values. When no field separates the speeches (a single speech), the sentences about the theme most
    sentences carry are compared with the speech's other sentences (``sentences`` needs ``themes``), or,
    when no theme splits them, the first half of the sentences with the second.

    Raises
    ------
    KeyError
        If ``by`` is not a column, or ``target`` is not one of its values.
    ValueError
        If ``target`` is given without ``by``, or every speech has the value ``target``.
    """
    _require(documents, ["text"], "compare_groups")
    if by is None and target is not None:
        raise ValueError(f"target {target!r} needs a field: give by= as well")
    if by is None:
        by = next((field for field in COMPARISON_FIELDS if field in documents.columns
                   and _values(documents, field).replace("", np.nan).nunique() > 1), None)
    if by is not None:
        if by not in documents.columns:
            raise KeyError(f"no field {by!r} to compare by; fields: "
                           f"{', '.join(c for c in documents.columns if c not in ('text', 'raw_chars'))}")
        values = _values(documents, by)
        if target is None:
            if not (values != "").any():
                raise ValueError(f"field {by!r} is empty in every speech")
            target = _largest_group(values)
        target = str(target)
        if target not in set(values):
            close = difflib.get_close_matches(target, sorted(set(values) - {""}), n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise KeyError(f"no speech has {by} = {target!r}{hint}")
        n_target = int((values == target).sum())
        if n_target == len(values):
            raise ValueError(f"every speech has {by} = {target!r}: nothing left to compare against")
        units = pd.DataFrame({"doc_id": documents["doc_id"] if "doc_id" in documents else range(len(values)),
                              by: values, "text": documents["text"]}).reset_index(drop=True)
        return Comparison(units, by, target, f"speeches with {by} = {target} ({n_target:,}) against the other "
                                             f"{len(values) - n_target:,} speeches",
                          target_label=f"{by} {target}", reference_label="the other speeches")
    if sentences is None or sentences.empty:
        raise ValueError("a single speech is compared sentence by sentence: pass its sentences")
    _require(sentences, ["doc_id", "text"], "compare_groups")
    labels = sentences["themes"].fillna("").astype(str) if "themes" in sentences else pd.Series("", sentences.index)
    counts = labels.str.split(";").explode()
    counts = counts[counts != ""].value_counts(sort=False)
    usable = counts[(counts > 0) & (counts < len(sentences))]
    if len(usable):
        theme = _largest_group(pd.Series(np.repeat(usable.index.to_numpy(), usable.to_numpy())))
        inside = labels.map(lambda value: theme in value.split(";"))
        group = np.where(inside, f"about {theme}", f"not about {theme}")
        target, n_target = f"about {theme}", int(inside.sum())
        description = (f"sentences about {theme} ({n_target}) against the other {len(sentences) - n_target} "
                       "sentences")
    else:
        half = np.arange(len(sentences)) < (len(sentences) + 1) // 2
        group = np.where(half, "first half", "second half")
        target, n_target = "first half", int(half.sum())
        description = f"the first {n_target} sentences against the last {len(sentences) - n_target}"
    units = pd.DataFrame({"doc_id": sentences["doc_id"].to_numpy(), "sentences": group,
                          "text": sentences["text"].to_numpy()})
    return Comparison(units, "sentences", target, description, target_label=f"sentences {target}",
                      reference_label="the other sentences")


# ------------------------------------------------------------------------------------------------ topics

def topic_texts(documents: pd.DataFrame, sentences: pd.DataFrame, *,
                min_documents: int = 100) -> tuple[pd.Series, Literal["speeches", "sentences"]]:
    """The texts topics are discovered in: the speeches when there are at least ``min_documents``,
    else the sentences (a few speeches are too few texts for NMF and for co-occurrence statistics)."""
    if len(documents) >= min_documents:
        _require(documents, ["text"], "topic_texts")
        return documents["text"].reset_index(drop=True), "speeches"
    _require(sentences, ["text"], "topic_texts")
    return sentences["text"].reset_index(drop=True), "sentences"
