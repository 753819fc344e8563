"""Time axes: the finest time-like axis a corpus supports (:func:`timeline_unit`: years, months, or within a
speech its paragraphs or tenths), the period of every sentence on it (:func:`sentence_periods`), and the texts
labelled with their period (:func:`timeline_units`).

A timeline needs several years; on a single speech the notebook follows the speech paragraph by paragraph
instead.
"""
from __future__ import annotations

from typing import Literal

import pandas as pd

from ..validation import require_columns
from .fields import field_values

__all__ = ["TIMELINE_LABELS", "TimelineUnit", "sentence_periods", "timeline_unit", "timeline_units"]

TimelineUnit = Literal["year", "month", "paragraph", "tenth"]

#: Axis labels of the periods :func:`timeline_units` cuts a corpus into.
TIMELINE_LABELS = {
    "year": "Year",
    "month": "Month",
    "paragraph": "Paragraph of the speech (from 0)",
    "tenth": "Tenth of the speech (by sentence position, 1 = opening)",
}


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
        values = field_values(documents, column).str[:width]
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
    require_columns(documents, ["doc_id", column], "timeline_units")
    period = field_values(documents, column).str[:width]
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
        require_columns(sentences, ["doc_id"], "sentence_periods")
        by_doc = dict(zip(documents["doc_id"], _document_periods(documents, unit)))
        return sentences["doc_id"].map(by_doc).fillna("").astype(object)
    require_columns(sentences, ["doc_id", "sentence_id", "paragraph_id"], "sentence_periods")
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
        require_columns(documents, ["doc_id", "text"], "timeline_units")
        table = pd.DataFrame({"period": _document_periods(documents, unit), "doc_id": documents["doc_id"],
                              "text": documents["text"]})
        keys = ["period", "doc_id"]
    else:
        require_columns(sentences, ["doc_id", "sentence_id", "text"], "timeline_units")
        table = pd.DataFrame({"period": sentence_periods(documents, sentences, unit),
                              "doc_id": sentences["doc_id"], "sentence_id": sentences["sentence_id"],
                              "text": sentences["text"]})
        keys = ["period", "doc_id", "sentence_id"]
    table = table[table["period"] != ""]
    return table.sort_values(keys, kind="stable").reset_index(drop=True)
