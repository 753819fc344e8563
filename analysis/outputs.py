"""The tables of a run on disk: CSV files, or partitioned Parquet datasets for large corpora, read back either way.

``run --format parquet`` writes ``documents/``, ``sentences/`` and ``terms/`` as Parquet datasets: a folder of
``part-NNNNN.parquet`` files of at most :data:`ROWS_PER_PART` rows each, and a ``_SUCCESS`` marker written last.
Each dataset is written into a hidden staging folder beside its place and renamed into place only when complete,
so an interrupted run leaves the previous dataset or the new one; a folder without its marker is refused by
:func:`read_dataset` (a copy half done by hand, or a write that failed), never read as if it were finished.
``skipped.csv`` and ``manifest.json`` stay plain files.

**One output set.** :func:`publish_tables` writes a run's tables into a staging folder inside the output folder,
moves them into place together and writes ``manifest.json`` last, listing each table's SHA-256 (``tables``).
:func:`read_run_table` checks a table against that list, so a folder holding tables of two runs (one killed
while it published) is refused with a clear message instead of being read as one run. Staging folders left by a
killed run are removed by the next one.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Mapping, Sequence

import pandas as pd

from .errors import InputError, OutputError
from .io import file_sha256, write_bytes, write_csv, write_text

__all__ = ["FORMATS", "MARKER", "ROWS_PER_PART", "publish_tables", "read_dataset", "read_run_table", "table_digest",
           "write_dataset", "write_tables"]

#: The formats ``run`` writes its tables in.
FORMATS = ("csv", "parquet")
#: The file that marks a dataset as complete.
MARKER = "_SUCCESS"
#: Rows per file of a dataset: a partition a worker or a reader handles in memory.
ROWS_PER_PART = 200_000
#: The staging folders of :func:`publish_tables`: ``.staging-<process id>-<random>``.
_STAGING = re.compile(r"\.staging-(\d+)-[a-z0-9_]+")


def write_dataset(frame: pd.DataFrame, folder: str | Path, *, rows_per_part: int = ROWS_PER_PART) -> Path:
    """Write ``frame`` as a Parquet dataset in ``folder`` (replacing what was there), the marker last.

    The files hold no timestamps, so the same frame gives the same bytes (``pyarrow`` writes its version in
    the footer, so bytes are equal only between runs of one installation).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(folder)
    if rows_per_part < 1:
        raise ValueError(f"rows_per_part must be at least 1, got {rows_per_part}")
    if folder.exists() and not folder.is_dir():
        raise OutputError("is a file; a Parquet dataset is a folder", path=folder)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    except OSError as exc:
        raise OutputError(f"cannot write here: {exc.strerror or exc}", path=folder) from exc
    try:
        # One part at a time in Arrow, so that writing holds a copy of a part, not of the table; one schema
        # for all parts (a part whose text cells are all missing would otherwise get a column of nulls).
        schema = pa.Schema.from_pandas(frame, preserve_index=False)
        for part, start in enumerate(range(0, max(len(frame), 1), rows_per_part)):
            table = pa.Table.from_pandas(frame.iloc[start:start + rows_per_part], schema=schema,
                                         preserve_index=False)
            pq.write_table(table, staging / f"part-{part:05d}.parquet")
            del table
        write_bytes(staging / MARKER, b"")  # last: the dataset is complete
        os.chmod(staging, 0o755)
        old = None
        if folder.exists():
            old = folder.with_name(f".{folder.name}.{os.getpid()}.old")
            os.replace(folder, old)
        os.replace(staging, folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(staging)
        raise
    return folder


def write_tables(result, out_dir: str | Path, *, also: Sequence = (), format: str = "csv") -> list[Path]:
    """Write the four tables of a run (an :class:`analysis.pipeline.RunResult`) and then ``manifest.json``
    into ``out_dir`` as one set (:func:`publish_tables`: staged, moved into place together, the manifest with
    each table's SHA-256 last). ``also`` are more callables run beside the writes (``run`` passes its cache
    writes); ``format="parquet"`` writes documents, sentences and terms as Parquet datasets.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    names = ("documents", "sentences", "terms", "skipped")
    return publish_tables({name: getattr(result, name) for name in names}, out_dir, result.manifest,
                          datasets=("sentences", "terms", "documents") if format == "parquet" else (), also=also)


def read_dataset(folder: str | Path) -> pd.DataFrame:
    """A Parquet dataset written by :func:`write_dataset`, its parts in order; refused without its marker."""
    import pyarrow.parquet as pq

    folder = Path(folder)
    if not (folder / MARKER).is_file():
        raise InputError(f"incomplete Parquet dataset (no {MARKER} marker): the run that wrote it did not "
                         "finish; run it again", path=folder)
    parts = sorted(folder.glob("part-*.parquet"))
    if not parts:
        raise InputError("Parquet dataset without parts", path=folder)
    return pd.concat([pq.read_table(part).to_pandas() for part in parts], ignore_index=True)


def read_run_table(out_dir: str | Path, name: str) -> pd.DataFrame:
    """One table (``documents``, ``sentences``, ``terms``, ``skipped``) of a run's output folder, whichever
    format it was written in (CSV cells read as text, as written), checked against ``manifest.json``'s list of
    table digests where it has one: a table of another run is refused."""
    out_dir = Path(out_dir)
    entry = name if (out_dir / name).is_dir() else f"{name}.csv"
    if not (out_dir / entry).exists():
        raise InputError(f"no table {name!r} here (neither {name}.csv nor a {name}/ dataset)", path=out_dir)
    listed = _listed_digests(out_dir)
    if entry in listed and table_digest(out_dir / entry) != listed[entry]:
        raise InputError(f"{entry} is not the table manifest.json lists: this folder holds tables of two runs "
                         "(one was stopped while it wrote them); run again", path=out_dir)
    if entry == name:
        return read_dataset(out_dir / name)
    return pd.read_csv(out_dir / entry, dtype=str, keep_default_na=False)


def _listed_digests(out_dir: Path) -> dict[str, str]:
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    tables = manifest.get("tables") if isinstance(manifest, dict) else None
    return dict(tables) if isinstance(tables, dict) else {}


def table_digest(path: str | Path) -> str:
    """SHA-256 of a table file, or of a dataset folder (its files' names and digests, in name order)."""
    path = Path(path)
    if not path.is_dir():
        return file_sha256(path)
    digest = hashlib.sha256()
    for part in sorted(path.iterdir()):
        digest.update(f"{part.name}\0{file_sha256(part)}\n".encode("utf-8"))
    return digest.hexdigest()


def publish_tables(tables: Mapping[str, pd.DataFrame], out_dir: str | Path, manifest: Mapping, *,
                   datasets: Sequence[str] = (), also: Sequence[Callable] = ()) -> list[Path]:
    """Write ``tables`` (name -> frame; those in ``datasets`` as Parquet datasets, the others as CSV) into a
    staging folder, move them into ``out_dir`` together, then write ``manifest.json`` with their digests.

    ``also`` are more callables run beside the writes (``run`` passes its cache writes). Returns the paths of
    the tables, then of the manifest. A staging folder left by a killed run is removed first.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(out_dir)
    # In a thread of its own: Ctrl-C or SIGTERM (raised in the main thread) then waits for the set to be
    # published whole, instead of landing between a temporary file's creation and its clean-up.
    with ThreadPoolExecutor(max_workers=1) as publisher:
        return publisher.submit(_publish, tables, out_dir, manifest, datasets, also).result()


def _publish(tables: Mapping[str, pd.DataFrame], out_dir: Path, manifest: Mapping, datasets: Sequence[str],
             also: Sequence[Callable]) -> list[Path]:
    stage = Path(tempfile.mkdtemp(prefix=f".staging-{os.getpid()}-", dir=out_dir))
    try:
        entries = {name: name if name in datasets else f"{name}.csv" for name in tables}
        jobs = [(lambda name=name: write_dataset(tables[name], stage / entries[name])) if name in datasets else
                (lambda name=name: write_csv(tables[name], stage / entries[name])) for name in tables]
        with ThreadPoolExecutor(max_workers=3) as pool:
            for future in [pool.submit(job) for job in [*jobs, *also]]:
                try:
                    future.result()  # re-raises the first error
                except OutputError as exc:  # name the table where it was going, not the staging folder
                    if exc.path is not None and Path(exc.path).parent == stage:
                        raise OutputError(exc.message, path=out_dir / Path(exc.path).name) from exc
                    raise
        digests = {entries[name]: table_digest(stage / entries[name]) for name in sorted(tables)}
        for name in tables:
            target = out_dir / entries[name]
            if target.is_dir():
                os.replace(target, stage / f"{entries[name]}.old")
            os.replace(stage / entries[name], target)
        written = [out_dir / entries[name] for name in tables]
        written.append(write_text(out_dir / "manifest.json",
                                  json.dumps({**manifest, "tables": digests}, indent=2, sort_keys=True) + "\n"))
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return written


def remove_stale_staging(out_dir: str | Path) -> list[Path]:
    """Remove the staging folders of :func:`publish_tables` whose process is gone (a killed run's)."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in sorted(Path(out_dir).iterdir()):
            match = _STAGING.fullmatch(entry.name)
            if match is None or not entry.is_dir() or entry.is_symlink() or _alive(int(match.group(1))):
                continue
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True
