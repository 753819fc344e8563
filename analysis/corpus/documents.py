"""Document records and the tables that hold them: one row per speech, and the inputs skipped.

This module owns the documents table: its columns (:data:`DOCUMENT_COLUMNS`, the input's own metadata
columns, then :data:`DERIVED_COLUMNS`), how one speech becomes a row (:func:`document_record`: clean the
text, fill metadata from the UN file name, the speaker header and the input's metadata, in rising order of
precedence, and flag the presiding officer's procedural turns), how rows become a table
(:func:`documents_frame`, :func:`normalise_documents`, :func:`dedupe_records`) and the table of skipped inputs
(:func:`skipped_frame`).
"""
from __future__ import annotations

import re
from typing import Iterable

import pandas as pd

from .. import procedure
from .clean import CleanSpeech, clean_speech
from .decode import SkipFile
from .names import parse_file_name
from .segment import iter_sentences

__all__ = [
    "DERIVED_COLUMNS",
    "DOCUMENT_COLUMNS",
    "dedupe_records",
    "document_columns",
    "document_record",
    "documents_frame",
    "metadata_value",
    "normalise_documents",
    "skipped_frame",
]

#: Metadata columns every document has (empty strings where unknown), in this order. Any other column of the
#: input's metadata (``metadata.csv`` or the table's columns) follows them, in the order first seen, then
#: ``procedural`` (:mod:`analysis.procedure`), ``text`` and ``raw_chars``.
DOCUMENT_COLUMNS = [
    "doc_id", "body", "country", "speaker", "year", "date", "meeting", "topic",
    "session", "country_code", "source_file", "speaker_role",
]
#: Columns the reader adds after the metadata.
DERIVED_COLUMNS = ["procedural", "text", "raw_chars"]
#: Metadata text fields from which trailing separators are stripped ("Sheikh Hamad bin Khalifa\nAl-Thani,").
_NAME_FIELDS = ("speaker", "country")


def metadata_value(value: object, *, name: bool = False) -> str:
    """A metadata value as the tables hold it.

    Parameters
    ----------
    value : object
        A metadata value as read (a string, a number, ``None`` or NaN).
    name : bool
        The value is a name (speaker, country): trailing separators are stripped too, which the General
        Debate's speaker list leaves (``"Sheikh Hamad bin Khalifa\\nAl-Thani,"``).

    Returns
    -------
    str
        The value as a string with white space (line breaks included) collapsed; ``""`` for a missing value
        (None, NaN, ``"nan"``).

    Examples
    --------
    >>> metadata_value("Chandrika Bandaranaike\\nKumaratunga"), metadata_value("Al-Thani, ", name=True)
    ('Chandrika Bandaranaike Kumaratunga', 'Al-Thani')
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = " ".join(str(value).split())
    if text.lower() == "nan":
        return ""
    return text.rstrip(",;:").rstrip() if name else text


def document_record(doc_id: str, raw: str, metadata: dict, *, source_file: str, name_hint: str) -> dict:
    """The documents-table row of one speech.

    Metadata comes, in rising order of precedence, from the UN file name (``name_hint``), the speaker header,
    and ``metadata`` (a value there wins when it is not empty; columns of the input's own are kept as they
    come, except the :data:`DERIVED_COLUMNS`). A ``procedural`` value in ``metadata`` is taken as given;
    otherwise the presiding officer's chairing turns are recognised (:mod:`analysis.procedure`).

    Parameters
    ----------
    doc_id : str
        The speech's doc_id.
    raw : str
        Its text as read; cleaned here (:func:`~analysis.corpus.clean.clean_speech`).
    metadata : dict
        Its metadata (a ``metadata.csv`` row, or a table's other columns).
    source_file : str
        Where it was read (``source_file`` column).
    name_hint : str
        The file name whose UN naming convention fills year, meeting, session and country code.

    Returns
    -------
    dict
        :data:`DOCUMENT_COLUMNS`, the other metadata columns, ``procedural``, ``text`` and ``raw_chars``.

    Raises
    ------
    SkipFile
        If no speech text is left after cleaning.
    """
    cleaned = clean_speech(raw)
    if not cleaned.text:
        raise SkipFile("no speech text left after removing the header, stage notes and page artefacts")
    record = {column: "" for column in DOCUMENT_COLUMNS}
    record.update({k: v for k, v in parse_file_name(name_hint).items() if k in record})
    record["speaker"], record["country"] = cleaned.speaker, cleaned.country
    # Metadata values win over parsed ones when both exist; columns of the user's own are kept as they come.
    for column, value in metadata.items():
        column = str(column).strip()
        if not column or column in DERIVED_COLUMNS:
            continue
        value = metadata_value(value, name=column in _NAME_FIELDS)
        if column not in record or value:
            record[column] = value
    if not record["country_code"] and metadata.get("country_iso3"):
        record["country_code"] = metadata_value(metadata["country_iso3"])
    record["doc_id"] = doc_id
    record["source_file"] = source_file
    if record["year"]:
        record["year"] = _normalise_year(record["year"])
    given = str(metadata.get("procedural", "")).strip().lower()
    record["procedural"] = given in _TRUE if given in _TRUE | _FALSE else _is_procedural(cleaned, record)
    if not record["procedural"] and not record["country"] and procedure.is_presiding(cleaned.speaker):
        record["country"] = procedure.stated_country(cleaned.text)  # "in my capacity as the representative of X"
    record["text"] = cleaned.text
    record["raw_chars"] = len(raw)
    return record


_TRUE = frozenset({"true", "yes", "1", "y", "t"})
_FALSE = frozenset({"false", "no", "0", "n", "f"})


def _is_procedural(cleaned: CleanSpeech, record: dict) -> bool:
    """Whether a speech is the presiding officer's chairing turn (:mod:`analysis.procedure`); the sentences are
    split only for a turn the metadata alone gives to the presiding officer."""
    from_header = bool(procedure.PRESIDING_SPEAKER.match(cleaned.speaker))
    if not (from_header or procedure.is_presiding(record["speaker"], record["speaker_role"])):
        return False
    # a turn its own header gives to the presiding officer is decided without its sentences
    sentences = [] if from_header else [cleaned.text[start:end] for _, start, end in iter_sentences(cleaned.text)]
    return procedure.is_procedural_turn(speaker=record["speaker"], speaker_role=record["speaker_role"],
                                        text=cleaned.text, sentences=sentences, from_header=from_header)


def _normalise_year(value: str) -> str:
    match = re.match(r"^\s*(\d{4})(?:\.0)?\s*$", str(value))
    return match.group(1) if match else str(value)


def document_columns(extra: Iterable[str] = ()) -> list[str]:
    """The columns of a documents table: :data:`DOCUMENT_COLUMNS`, the ``extra`` metadata columns, then
    :data:`DERIVED_COLUMNS`."""
    extra = [column for column in dict.fromkeys(extra) if column not in DOCUMENT_COLUMNS + DERIVED_COLUMNS]
    return DOCUMENT_COLUMNS + extra + DERIVED_COLUMNS


def documents_frame(records: list[dict], *, sort: bool = True) -> pd.DataFrame:
    """The documents table of records (sorted by doc_id unless ``sort`` is false).

    Metadata columns beyond :data:`DOCUMENT_COLUMNS` are kept in the order first seen; a record without one has
    ``""`` there.
    """
    columns = document_columns(column for record in records for column in record)
    if not records:
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        return normalise_documents(frame)
    frame = pd.DataFrame.from_records(records, columns=columns)
    frame = normalise_documents(frame)
    return frame.sort_values("doc_id", kind="stable").reset_index(drop=True) if sort else frame


def normalise_documents(frame: pd.DataFrame) -> pd.DataFrame:
    """Column types of a documents table (strings as objects, ``""`` for missing metadata), after a
    concatenation of tables with different metadata columns; columns in :func:`document_columns` order."""
    frame = frame[document_columns(frame.columns)].copy()
    for column in frame.columns:
        if column == "raw_chars":
            frame[column] = frame[column].fillna(0).astype("int64")
        elif column == "procedural":
            frame[column] = frame[column].fillna(False).astype(bool)
        elif column != "text":
            frame[column] = frame[column].astype(object).where(frame[column].notna(), "")
    return frame


def dedupe_records(records: list[dict], skipped: list[tuple[str, str]], seen: dict[str, str] | None = None) -> list[dict]:
    """Keep the first record of each doc_id; later ones go to ``skipped``.

    Parameters
    ----------
    records : list of dict
        Document rows, in input order.
    skipped : list of (str, str)
        Receives ``(source_file, reason)`` for each repeat.
    seen : dict, optional
        doc_id → source file of earlier batches (updated here), so batches deduplicated in input order give
        the same result as one pass over all records.

    Returns
    -------
    list of dict
        The records kept, in input order.
    """
    seen = {} if seen is None else seen
    kept = []
    for record in records:
        doc_id = record["doc_id"]
        if doc_id in seen:
            skipped.append((record["source_file"], f"duplicate doc_id {doc_id!r} (already read from {seen[doc_id]})"))
            continue
        seen[doc_id] = record["source_file"]
        kept.append(record)
    return kept


def _natural_key(value: str) -> list:
    """Sort key that orders ``metadata.csv:9`` before ``metadata.csv:10``."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", value)]


def skipped_frame(skipped: list[tuple[str, str]]) -> pd.DataFrame:
    """``path, reason`` rows, sorted naturally (``metadata.csv:9`` before ``metadata.csv:10``), repeats dropped."""
    if not skipped:
        return _empty_skipped()
    rows = sorted(set(skipped), key=lambda row: (_natural_key(row[0]), row[1]))
    return pd.DataFrame(rows, columns=["path", "reason"]).astype(object)


def _empty_skipped() -> pd.DataFrame:
    return pd.DataFrame({"path": pd.Series(dtype=object), "reason": pd.Series(dtype=object)})
