"""The ``metadata.csv`` rows of the UN General Debate Corpus (doi:10.7910/DVN/0TJX8Y).

One row per speech file ``<ISO3>_<session>_<year>.txt``, from its name and, when it can be read, from the
dataset's ``Speakers_by_session.xlsx``.
"""
from __future__ import annotations

import contextlib
from pathlib import Path

from .tables import excel_engine, file_stem, normalise_name, read_table

__all__ = ["UNGDC_OUTPUT", "read_speakers", "ungdc_metadata"]

UNGDC_OUTPUT = ["doc_id", "source_file", "body", "country", "country_iso3", "speaker", "speaker_role", "year",
                "session", "topic"]
_SPEAKER_COLUMNS = {
    "iso": ("iso_code", "iso3", "iso", "country_code", "code"),
    "year": ("year",),
    "country": ("country", "country_name"),
    "speaker": ("name_of_person_speaking", "speaker", "name"),
    "post": ("post", "position", "title"),
}


def ungdc_metadata(stems: list[str], speakers=None) -> tuple["object", list[str]]:
    """The ``metadata.csv`` rows of UN General Debate speeches ``<ISO3>_<session>_<year>``: ``(frame, notes)``.

    ``doc_id`` is ``UNGA_<stem>`` (as in ``../shared/corpora``), ``source_file`` the file name (which the
    corpus reader matches), ``body`` UNGA, ``country_iso3``, ``year`` and ``session`` from the file name,
    ``topic`` ``General Debate, UNGA session N (year)``. ``country``, ``speaker`` and ``speaker_role``
    (the post) come from ``speakers`` (``Speakers_by_session.xlsx``: ``ISO Code``, ``Year``, ``Country``,
    ``Name of Person Speaking``, ``Post``), matched on ISO code and year, and are empty without it.
    """
    import pandas as pd

    from ..corpus import parse_file_name

    notes: list[str] = []
    rows = []
    for stem in sorted(set(stems)):
        fields = parse_file_name(stem)
        if fields.get("body") != "UNGA" or file_stem(stem) != stem:  # a stem: no folder, no .txt
            continue
        session, year = str(int(fields["session"])), fields["year"]
        rows.append({"doc_id": f"UNGA_{stem.removeprefix('UNGA_')}", "source_file": f"{stem}.txt", "body": "UNGA",
                     "country": "", "country_iso3": fields["country_code"], "speaker": "", "speaker_role": "",
                     "year": year, "session": session, "topic": f"General Debate, UNGA session {session} ({year})"})
    frame = pd.DataFrame(rows, columns=UNGDC_OUTPUT, dtype=object)
    if speakers is not None and len(frame):
        columns = {normalise_name(c): c for c in speakers.columns}
        found = {key: next((columns[c] for c in names if c in columns), None)
                 for key, names in _SPEAKER_COLUMNS.items()}
        if found["iso"] is None or found["year"] is None:
            notes.append("the speakers table has no ISO code or year column; not used")
        else:
            table = {}
            for _, row in speakers.iterrows():
                with contextlib.suppress(ValueError, TypeError):
                    key = (str(row[found["iso"]]).strip().upper(), str(int(float(row[found["year"]]))))
                    table.setdefault(key, row)
            hits = 0
            for index, (iso, year) in enumerate(zip(frame["country_iso3"], frame["year"])):
                row = table.get((iso, year))
                if row is None:
                    continue
                hits += 1
                for target, key in (("country", "country"), ("speaker", "speaker"), ("speaker_role", "post")):
                    if found[key] is not None and pd.notna(row[found[key]]):
                        frame.at[index, target] = str(row[found[key]]).strip()
            notes.append(f"speakers table: {hits:,} of {len(frame):,} speeches matched on ISO code and year")
    return frame, notes



def read_speakers(path: str | Path):
    """The speakers table: an Excel workbook (``None`` when no Excel reader for pandas is installed), or a
    table :func:`~analysis.download.tables.read_table` reads."""
    import pandas as pd

    path = Path(path)
    engine = excel_engine()
    if path.suffix.lower() in (".xlsx", ".xls"):
        return pd.read_excel(path, dtype=str, engine=engine) if engine else None
    return read_table(path)
