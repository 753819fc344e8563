"""Hand-labelled gold files: reading and checking them, and the debate each sentence comes from.

A gold file is a CSV of sentences with at least ``id, text`` and the labels it holds (``stance``, ``themes``);
``split``, ``doc_id``, ``start``/``end`` (offsets into the cleaned speech) and the metadata columns are checked
when present. Which labels are valid comes from configuration, never from code: stance labels from the cue
file (:func:`analysis.stance.load_codebook`), themes from the lexicon in use (:func:`analysis.themes.load_lexicon`).
A row with a theme the lexicon lacks is an error naming the file, the line and the theme.

A **debate** is what the gold splits and the grouped cross-validations hold out whole: a Security Council
meeting (its resumptions are the same debate: ``S/PV.8699 (Resumption 1)`` is ``S/PV.8699``) or a General
Assembly session (``UNGA session 70``); a sentence with neither is its own speech's debate. The names are
stable: the theme evaluation assigns debates to its tune and dev parts by a hash of the name.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import InputError
from .io import NotRegularFileError, regular_file_status
from .validation import invalid_value

__all__ = ["GOLD_REQUIRED", "debate_of", "read_gold", "theme_sets"]

#: Columns every gold file has; the others are checked when present.
GOLD_REQUIRED = ("id", "text")
#: The parts of the gold data: ``train`` (tuning and cross-validation), ``dense`` (theme-dense training
#: sentences), ``heldout`` and ``blind`` (test sets, scored once per release).
SPLITS = ("train", "dense", "heldout", "blind")
_RESUMPTION = re.compile(r"\s*\(Resumption \d+\)$")


def debate_of(frame: pd.DataFrame) -> np.ndarray:
    """The debate of each row (see the module docstring), from ``meeting``, ``session``, ``body`` and ``doc_id``.

    >>> debate_of(pd.DataFrame({"meeting": ["S/PV.8699 (Resumption 1)", ""], "session": ["", "70"],
    ...                         "body": ["UNSC", "UNGA"], "doc_id": ["a", "b"]})).tolist()
    ['S/PV.8699', 'UNGA session 70']
    """
    def column(name: str) -> pd.Series:
        return frame[name].fillna("").astype(str) if name in frame else pd.Series("", index=frame.index)

    meeting, session, body = column("meeting"), column("session"), column("body")
    doc = column("doc_id") if "doc_id" in frame else column("id")
    debate = meeting.str.replace(_RESUMPTION, "", regex=True)
    debate = debate.where(debate != "", ("UNGA session " + session).where((body == "UNGA") & (session != ""), doc))
    return debate.to_numpy(dtype=object)


def theme_sets(values: Iterable[str]) -> list[frozenset[str]]:
    """The themes of each ``;``-joined label (empty parts dropped).

    >>> theme_sets(["terrorism;trafficking", ""])
    [frozenset({'terrorism', 'trafficking'}), frozenset()]
    """
    return [frozenset(part.strip() for part in str(value or "").split(";") if part.strip()) for value in values]


def read_gold(path: str | Path | Sequence[str | Path], *, labels: Iterable[str] | None = None,
              themes: Iterable[str] | None = None, require: Sequence[str] = ("stance",),
              documents: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read and check a hand-labelled gold file, or several (their rows one after the other).

    Parameters
    ----------
    path : str, Path or sequence of them
        CSV files with at least ``id, text`` and the columns in ``require``.
    labels : iterable of str, optional
        The valid stance labels (those of the cue file in use); unchecked when not given.
    themes : iterable of str, optional
        The valid themes (those of the lexicon in use); unchecked when not given.
    require : sequence of str
        Label columns the file must have (``("stance",)`` for stance gold, ``("themes",)`` for theme gold).
    documents : mapping of doc_id to cleaned speech text, optional
        When given, each row's ``doc_id`` must be known and ``text`` must be ``speech[start:end]``.

    Returns
    -------
    DataFrame
        The file's columns as strings, plus ``line`` (the row's line in the file); with several files, also
        ``source`` (the file name).

    Raises
    ------
    InputError
        Naming the file, the line and the problem: a missing column, an empty or duplicate id, an unknown stance
        label or theme, offsets that are not numbers or that fall outside the text.
    """
    if not isinstance(path, (str, Path)):
        parts = [read_gold(part, labels=labels, themes=themes, require=require, documents=documents)
                 .assign(source=Path(part).name) for part in path]
        if not parts:
            raise InputError("no gold file given")
        gold = pd.concat(parts, ignore_index=True)
        repeated = gold["id"][gold["id"].duplicated()]
        if len(repeated):
            raise InputError(f"id {repeated.iloc[0]!r} is in more than one gold file", path=parts[0]["source"][0])
        return gold
    path = Path(path)
    gold = _read_rows(path, [*GOLD_REQUIRED, *require])
    _check_rows(gold, path, labels=None if labels is None else set(labels),
                themes=None if themes is None else set(themes), documents=documents)
    return gold


def _read_rows(path: Path, required: Sequence[str]) -> pd.DataFrame:
    try:
        regular_file_status(path)  # a pipe or device would block or never end
        handle = open(path, newline="", encoding="utf-8")
    except FileNotFoundError:
        raise InputError("gold file not found", path=path) from None
    except IsADirectoryError:
        raise InputError("a gold file must be a CSV file, not a folder", path=path) from None
    except NotRegularFileError as exc:
        raise InputError(exc.strerror, path=path) from None
    with handle:
        try:
            reader = csv.reader(handle)
            header = next(reader, None)
            if not header:
                raise InputError("empty file: expected a header with " + ", ".join(required), path=path, line=1)
            missing = [column for column in required if column not in header]
            if missing:
                raise InputError(f"missing column {missing[0]!r} (a gold file needs {', '.join(required)})",
                                 path=path, line=1)
            rows, lines, previous = [], [], reader.line_num
            for row in reader:
                line = previous + 1
                previous = reader.line_num
                if not any(field.strip() for field in row):
                    continue
                if len(row) != len(header):
                    raise InputError(f"expected {len(header)} fields, got {len(row)}", path=path, line=line)
                rows.append(row)
                lines.append(line)
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=path) from None
        except csv.Error as exc:
            raise InputError(f"malformed CSV: {exc}", path=path, line=reader.line_num) from None
    gold = pd.DataFrame(rows, columns=header, dtype=object)
    gold["line"] = np.asarray(lines, dtype=np.int64)
    return gold


def _check_rows(gold: pd.DataFrame, path: Path, *, labels: set[str] | None, themes: set[str] | None,
                documents: Mapping[str, str] | None) -> None:
    seen: dict[str, int] = {}
    for record in gold.to_dict("records"):
        line = record["line"]

        def fail(message: str) -> InputError:
            return InputError(message, path=path, line=line)

        if not record["id"].strip():
            raise fail("empty id")
        if record["id"] in seen:
            raise fail(f"duplicate id {record['id']!r} (first on line {seen[record['id']]})")
        seen[record["id"]] = line
        if not record["text"].strip():
            raise fail(f"empty text for id {record['id']!r}")
        if labels is not None and "stance" in record and record["stance"] not in labels:
            raise fail(f"unknown stance label {record['stance']!r} (valid: {', '.join(sorted(labels))})"
                       + ("; the sentence is not labelled for stance: label it, or leave it out of the stance gold"
                          if not record["stance"] else ""))
        if "split" in record and record["split"] not in (*SPLITS, ""):
            raise fail(invalid_value("split", record["split"], SPLITS))
        if themes is not None and "themes" in record:
            for theme in theme_sets([record["themes"]])[0]:
                if theme not in themes:
                    raise fail(f"theme {theme!r} is not in the lexicon (its themes: {', '.join(sorted(themes))}); "
                               f"label with the lexicon's themes, or pass the lexicon that defines {theme!r}")
        if "start" in record and "end" in record:
            _check_offsets(record, documents, fail)


def _check_offsets(record: dict, documents: Mapping[str, str] | None, fail) -> None:
    try:
        start, end = int(record["start"]), int(record["end"])
    except ValueError:
        raise fail(f"offsets must be whole numbers, got start={record['start']!r} end={record['end']!r}") from None
    if not 0 <= start < end:
        raise fail(f"offsets outside the text: start={start}, end={end} (need 0 <= start < end)")
    if end - start != len(record["text"]):
        raise fail(f"offsets outside the text: {start}-{end} spans {end - start} characters but the text "
                   f"has {len(record['text'])}")
    if documents is not None:
        speech = documents.get(record.get("doc_id", ""))
        if speech is None:
            raise fail(f"unknown doc_id {record.get('doc_id', '')!r}")
        if end > len(speech):
            raise fail(f"offsets outside the text: end {end} is past the end of {record['doc_id']} "
                       f"({len(speech)} characters)")
        if speech[start:end] != record["text"]:
            raise fail(f"text is not {record['doc_id']}[{start}:{end}]")
