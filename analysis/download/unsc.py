"""The ``metadata.csv`` rows of the UN Security Council Debates (doi:10.7910/DVN/KGVSYH).

One row per unpacked speech file, from its name and from the dataset's per-speech table (``speaker.tsv``)
and per-meeting table (``meta.tsv``), with the project's column names first and every other source column kept.
"""
from __future__ import annotations

import contextlib
import re

from .tables import file_stem, normalise_name

__all__ = ["UNSC_COLUMNS", "UNSC_OUTPUT", "iso_date", "unsc_metadata"]

#: Project column -> source columns it is taken from (normalised names), first present wins.
UNSC_COLUMNS: dict[str, tuple[str, ...]] = {
    "country": ("country", "country_org", "country_organization", "country_organisation"),
    "speaker": ("speaker", "speaker_name"),
    "speaker_role": ("participanttype", "participant_type", "role"),
    "date": ("date",),
    "year": ("year",),
    "meeting": ("meeting_symbol", "spv", "meeting", "symbol"),
    "topic": ("topic", "agenda_item_manual", "topic2", "agenda_item1", "agenda"),
}
_FILE_KEYS = ("filename", "file_name", "file", "fileid", "doc_id")
UNSC_OUTPUT = ["doc_id", "body", "country", "speaker", "speaker_role", "year", "date", "meeting", "topic"]
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%B %d, %Y", "%d %b %Y", "%b %d, %Y", "%d.%m.%Y", "%Y/%m/%d")


def iso_date(value: str, *, year: str = "", month: str = "", day: str = "") -> str:
    """An ISO date (``YYYY-MM-DD``) from the source's date text or from its year, month and day; else ``value``.

    >>> iso_date("15 March 2014")
    '2014-03-15'
    >>> iso_date("", year="2014", month="3", day="15")
    '2014-03-15'
    """
    import datetime

    text = re.sub(r"\s+", " ", str(value or "")).strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}[T ]", text):
        text = text[:10]
    for form in _DATE_FORMATS:
        with contextlib.suppress(ValueError):
            return datetime.datetime.strptime(text, form).date().isoformat()
    with contextlib.suppress(ValueError, TypeError):
        return datetime.date(int(float(year)), int(float(month)), int(float(day))).isoformat()
    return text


def _meeting_of(stem: str, value: str) -> str:
    from ..corpus import parse_file_name

    parsed = parse_file_name(stem).get("meeting", "")
    if parsed:
        return parsed
    value = str(value or "").strip()
    return f"S/PV.{value}" if re.fullmatch(r"\d+", value) else value


def unsc_metadata(stems: list[str], speeches=None, meetings=None) -> tuple["object", list[str]]:
    """The ``metadata.csv`` rows of UN Security Council speeches: ``(frame, notes)``.

    Parameters
    ----------
    stems : list of str
        File names without ``.txt`` of the speeches unpacked (``UNSC_2014_SPV.7138_spch002``); one row each.
    speeches : DataFrame, optional
        The per-speech table (``speaker.tsv``): a ``filename`` column and columns such as ``country``,
        ``speaker``, ``participanttype``, ``role_in_un``, ``spv``, ``basename``, ``topic``, ``date``, ``year``.
    meetings : DataFrame, optional
        The per-meeting table (``meta.tsv``), joined on ``basename`` (the speech file name without
        ``_spchNNN``); its columns that the speech table also has are kept as ``meeting_<name>``
        when their values differ.

    Returns
    -------
    frame : DataFrame
        :data:`UNSC_OUTPUT` (``doc_id`` is the file name stem, ``body`` UNSC, ``speaker_role`` from
        ``participanttype``, ``date`` as ISO, ``meeting`` as ``S/PV.NNNN``) and then every source column that
        maps to none of them, unchanged; sorted by ``doc_id``. Speeches without a table row get what their file
        name says.
    notes : list of str
        Which source columns were mapped, which were kept as they are, which project columns have no source,
        and how many rows did not match a speech.
    """
    import pandas as pd

    notes: list[str] = []
    frame = pd.DataFrame({"doc_id": sorted(set(stems))}, dtype=object)
    frame["basename"] = frame["doc_id"].str.replace(r"_spch\d+$", "", regex=True)
    source_columns: list[str] = []
    if speeches is not None and len(speeches.columns):
        speeches = speeches.copy()
        keys = {normalise_name(c): c for c in speeches.columns}
        key = next((keys[k] for k in _FILE_KEYS if k in keys), None)
        if key is None:
            notes.append(f"the speech table has no file-name column ({'/'.join(_FILE_KEYS)}); not joined")
        else:
            speeches["doc_id"] = speeches[key].map(file_stem)
            unmatched = int((~speeches["doc_id"].isin(frame["doc_id"])).sum())
            repeated = int(speeches["doc_id"].duplicated().sum())
            speeches = speeches.drop_duplicates("doc_id").drop(columns=[key] if key != "doc_id" else [])
            if "basename" in speeches.columns:
                speeches = speeches.drop(columns=["basename"])
            frame = frame.merge(speeches, on="doc_id", how="left")
            matched = int(frame["doc_id"].isin(set(speeches["doc_id"])).sum())
            notes.append(f"speech table: {matched:,} of {len(frame):,} speeches matched"
                         + (f"; {unmatched:,} rows name no unpacked speech" if unmatched else "")
                         + (f"; {repeated:,} repeated rows ignored" if repeated else ""))
    if meetings is not None and len(meetings.columns):
        meetings = meetings.copy()
        keys = {normalise_name(c): c for c in meetings.columns}
        if "basename" not in keys:
            notes.append("the meeting table has no 'basename' column; not joined")
        else:
            meetings = meetings.rename(columns={keys["basename"]: "basename"}).drop_duplicates("basename")
            meetings = meetings.drop(columns=[c for c in meetings.columns if normalise_name(c) == "row_id"])
            meetings = meetings.rename(columns={c: f"meeting_{c}" for c in meetings.columns
                                                if c != "basename" and c in frame.columns})
            frame = frame.merge(meetings, on="basename", how="left")
            for column in [c for c in frame.columns if c.startswith("meeting_") and c[8:] in frame.columns]:
                if frame[column].fillna("").astype(str).equals(frame[column[8:]].fillna("").astype(str)):
                    frame = frame.drop(columns=[column])
            notes.append(f"meeting table: {int(frame['basename'].isin(set(meetings['basename'])).sum()):,} "
                         f"speeches matched a meeting")
    frame = frame.fillna("").astype(object)
    source_columns = [c for c in frame.columns if c not in ("doc_id",)]
    by_name: dict[str, str] = {}
    for column in source_columns:
        by_name.setdefault(normalise_name(column), column)
    out = pd.DataFrame({"doc_id": frame["doc_id"], "body": "UNSC"}, dtype=object)
    used, mapped, missing = set(), [], []
    for target, candidates in UNSC_COLUMNS.items():
        found = next((by_name[c] for name in candidates for c in (name, f"meeting_{name}") if c in by_name), None)
        if found is None:
            if target not in ("year", "meeting"):  # those the file name gives anyway
                missing.append(target)
            out[target] = ""
            continue
        used.add(found)
        out[target] = frame[found].astype(str).str.strip()
        if found != target:
            mapped.append(f"{found}->{target}")
    from ..corpus import parse_file_name

    years = frame["doc_id"].map(lambda stem: parse_file_name(stem).get("year", ""))
    out["year"] = years.where(years != "", out["year"])
    date_parts = {part: frame[by_name[part]] if part in by_name else pd.Series("", index=frame.index)
                  for part in ("month", "day")}
    out["date"] = [iso_date(value, year=year, month=month, day=day) for value, year, month, day
                   in zip(out["date"], out["year"], date_parts["month"], date_parts["day"])]
    out["meeting"] = [_meeting_of(stem, value) for stem, value in zip(out["doc_id"], out["meeting"])]
    out = out[UNSC_OUTPUT]
    kept = [c for c in source_columns if c not in used]
    for column in kept:
        out[f"source_{column}" if column in out.columns or column == "text" else column] = frame[column].values
    if mapped:
        notes.append("mapped: " + ", ".join(mapped))
    if speeches is None and meetings is None:
        notes.append("no speech or meeting table: metadata comes from the file names only")
    elif missing:
        notes.append("no source column for: " + ", ".join(missing) + " (left empty)")
    shown = [c for c in kept if c != "basename"]
    if shown:
        notes.append(f"kept as they are ({len(shown)}): " + ", ".join(shown[:15])
                     + (f" and {len(shown) - 15} more" if len(shown) > 15 else ""))
    return out.sort_values("doc_id", kind="stable").reset_index(drop=True), notes
