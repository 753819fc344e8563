"""Unpacking a dataset's speech files into a corpus folder that ``run --corpus`` reads.

Speeches go to ``<dest>/<year>/`` byte for byte with a ``metadata.csv`` beside them (or into one Parquet
table); ``<dest>/.unspeech-download.json`` records what was written, so that a later download replaces
exactly that and refuses to touch anything else.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Literal

from ..errors import InputError, OutputError
from .archive import MAX_UNPACKED_BYTES, iter_archive
from .datasets import Dataset, get_dataset
from .tables import file_stem, read_table
from .ungdc import read_speakers, ungdc_metadata
from .unsc import unsc_metadata

__all__ = ["MARKER_NAME", "Unpacked", "check_destination", "unpack"]

#: Hidden, so that the corpus reader passes over it.
MARKER_NAME = ".unspeech-download.json"


@dataclasses.dataclass
class Unpacked:
    """What :func:`unpack` wrote."""

    corpus: Path
    n_speeches: int
    years: tuple[str, str]
    outputs: list[str]
    notes: list[str]


def _speech_stem(dataset: Dataset, member: str) -> str | None:
    """The stem of a speech file of this dataset (``UNSC_..._spchNNN``, ``ISO_NN_YYYY``), else ``None``."""
    from ..corpus import parse_file_name

    name = PurePosixPath(member.replace("\\", "/")).name
    if name.startswith("._") or "__MACOSX/" in member or not name.lower().endswith(".txt"):
        return None  # macOS resource-fork stubs and folders of them sit beside the speeches in some archives
    stem = name[:-4]
    return stem if parse_file_name(stem).get("body") == dataset.body else None


def check_destination(dest: Path) -> dict:
    """The marker of an earlier download in ``dest`` (``{}`` if none); refuse a folder holding other things."""
    marker_path = dest / MARKER_NAME
    marker = {}
    if marker_path.is_file():
        with contextlib.suppress(ValueError, OSError):
            marker = json.loads(marker_path.read_text(encoding="utf-8"))
    if dest.is_dir():
        ours = set(marker.get("outputs", []))
        foreign = sorted(p.name for p in dest.iterdir() if not p.name.startswith(".") and p.name not in ours)
        if foreign:
            raise OutputError(f"the destination holds files that download did not write (e.g. {foreign[0]!r}); "
                              "give an empty folder with --dest, or the one download wrote before", path=dest)
    return marker


def unpack(dataset: Dataset | str, sources: dict[str, list[Path]], dest: str | Path, *,
           output_format: Literal["txt", "parquet"] = "txt", max_bytes: int = MAX_UNPACKED_BYTES,
           provenance: dict | None = None) -> Unpacked:
    """Unpack the speeches of ``sources["speeches"]`` (archives or folders) into ``dest`` with their metadata.

    Speeches go to ``dest/<year>/`` unchanged, with ``dest/<year>/metadata.csv``; with ``output_format``
    ``"parquet"`` instead into one table ``dest/<name>.parquet`` (metadata columns and ``text``, sorted by
    ``doc_id``). Everything is written into a hidden staging folder first and moved into place at the end,
    so a failure leaves ``dest`` as it was; outputs of an earlier download into ``dest`` are replaced.

    Raises
    ------
    InputError
        On an unsafe or oversized archive, or when no speech file of the dataset is found.
    OutputError
        If ``dest`` holds files that an earlier download did not write, or cannot be written.
    """
    from ..io import ensure_output_dir, write_csv, write_text

    dataset = get_dataset(dataset)
    dest = Path(dest)
    marker = check_destination(dest)
    ensure_output_dir(dest)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=dest))
    notes: list[str] = []
    try:
        stems: dict[str, Path] = {}
        passed_over: list[str] = []
        others: list[str] = []

        def is_speech(name: str) -> bool:
            if _speech_stem(dataset, name) is None:
                others.append(name)
                return False
            return True

        for archive in sources.get("speeches", []):
            for member in iter_archive(archive, select=is_speech, max_bytes=max_bytes, skipped=passed_over):
                stem = _speech_stem(dataset, member.name)
                if stem in stems:
                    passed_over.append(f"{member.name} (a second copy of {stem})")
                    continue
                target = staging / _year_of(stem) / f"{stem}.txt"
                target.parent.mkdir(exist_ok=True)
                target.write_bytes(member.read())  # atomic: staged, the staging folder is moved into place at the end
                stems[stem] = target
        if not stems:
            names = ", ".join(str(p) for p in sources.get("speeches", [])) or "no archive"
            pattern = ("UNSC_<year>_SPV.<meeting>_spch<NNN>.txt" if dataset.body == "UNSC"
                       else "<ISO3>_<session>_<year>.txt")
            raise InputError(f"no {dataset.body} speech files (named like {pattern}) found in {names}")
        if others:
            notes.append(f"{len(others):,} other archive members passed over (not {dataset.body} speech files), "
                         f"e.g. {others[0]}")
        if passed_over:
            notes.append(f"{len(passed_over):,} members left out, e.g. {passed_over[0]}")
        if dataset.body == "UNSC":
            speeches = meetings = None
            for role in ("speech_table", "meeting_table"):
                for table_path in sources.get(role, [])[:1]:
                    table = read_table(table_path)
                    if table.attrs.get("broken_rows"):
                        notes.append(f"{table_path.name}: {table.attrs['broken_rows']:,} rows with too many "
                                     "fields left out")
                    if role == "speech_table":
                        speeches = table
                    else:
                        meetings = table
            metadata, table_notes = unsc_metadata(list(stems), speeches, meetings)
        else:
            speakers = None
            for table_path in sources.get("speakers", [])[:1]:
                speakers = read_speakers(table_path)
                if speakers is None:
                    notes.append(f"{table_path.name} not read: no Excel reader for pandas is installed")
            metadata, table_notes = ungdc_metadata(list(stems), speakers)
        notes.extend(table_notes)
        metadata["_year"] = [_year_of(file_stem(s)) for s in metadata.get("source_file", metadata["doc_id"])]
        years = sorted(metadata["_year"].unique())
        if output_format == "parquet":
            outputs = [f"{dataset.name}.parquet"]
            _write_parquet(metadata, stems, staging / outputs[0], notes)
            for year in years:
                shutil.rmtree(staging / year)
        else:
            outputs = years
            for year, rows in metadata.groupby("_year", sort=True):
                write_csv(rows.drop(columns=["_year"]).reset_index(drop=True), staging / year / "metadata.csv",
                          neutralise=False)  # input of run, read back as written
        previous = [name for name in marker.get("outputs", []) if name not in outputs]
        record = {**(provenance or {}), "dataset": dataset.name, "doi": dataset.doi, "format": output_format}
        # Listed before anything moves, so that an interrupted swap leaves nothing the next run calls foreign.
        write_text(dest / MARKER_NAME, json.dumps({**record, "outputs": sorted(set(outputs) | set(previous)
                                                                           | set(marker.get("outputs", [])))},
                                                  indent=1, sort_keys=True) + "\n")
        for name in previous + outputs:
            old = dest / name
            if old.is_dir() and not old.is_symlink():
                shutil.rmtree(old)
            elif old.exists() or old.is_symlink():
                old.unlink()
        for name in outputs:
            os.replace(staging / name, dest / name)
        write_text(dest / MARKER_NAME, json.dumps({**record, "outputs": outputs}, indent=1, sort_keys=True) + "\n")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    corpus = dest / outputs[0] if output_format == "parquet" else dest
    return Unpacked(corpus=corpus, n_speeches=len(stems), years=(years[0], years[-1]), outputs=outputs, notes=notes)


def _year_of(stem: str) -> str:
    from ..corpus import parse_file_name

    return parse_file_name(stem).get("year") or "unknown"


def _write_parquet(metadata, stems: dict[str, Path], path: Path, notes: list[str], *, batch: int = 2000) -> None:
    """One table: the metadata columns and ``text`` (decoded), in batches, sorted by ``doc_id``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ..corpus import SkipFile, decode_bytes

    columns = [c for c in metadata.columns if c != "_year"]
    schema = pa.schema([(c, pa.string()) for c in columns] + [("text", pa.string())])
    keys = metadata.get("source_file", metadata["doc_id"]).map(file_stem)
    unreadable = []
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:  # atomic: in the staging folder
        for start in range(0, len(metadata), batch):
            rows = metadata.iloc[start:start + batch]
            texts, keep = [], []
            for key in keys.iloc[start:start + batch]:
                try:
                    texts.append(decode_bytes(stems[key].read_bytes())[0])
                    keep.append(True)
                except SkipFile as reason:
                    unreadable.append(f"{key} ({reason})")
                    keep.append(False)
            rows = rows[keep]
            arrays = [pa.array(rows[c].astype(str).tolist(), pa.string()) for c in columns]
            writer.write_table(pa.Table.from_arrays(arrays + [pa.array(texts, pa.string())], schema=schema))
    if unreadable:
        notes.append(f"{len(unreadable):,} speeches left out of the table as unreadable, e.g. {unreadable[0]}")
