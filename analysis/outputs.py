"""The tables of a run on disk: CSV files, or partitioned Parquet datasets for large corpora, read back either way.

``run --format parquet`` writes ``documents/``, ``sentences/`` and ``terms/`` as Parquet datasets: a folder of
``part-NNNNN.parquet`` files of at most :data:`ROWS_PER_PART` rows each, and a ``_SUCCESS`` marker written last.
Each dataset is written into a hidden staging folder beside its place and renamed into place only when complete,
so an interrupted run leaves the previous dataset or the new one; a folder without its marker is refused by
:func:`read_dataset` (a copy half done by hand, or a write that failed), never read as if it were finished.
``skipped.csv`` and ``manifest.json`` stay plain files.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from .errors import InputError, OutputError
from .io import write_bytes

__all__ = ["FORMATS", "MARKER", "ROWS_PER_PART", "read_dataset", "read_run_table", "write_dataset"]

#: The formats ``run`` writes its tables in.
FORMATS = ("csv", "parquet")
#: The file that marks a dataset as complete.
MARKER = "_SUCCESS"
#: Rows per file of a dataset: a partition a worker or a reader handles in memory.
ROWS_PER_PART = 200_000


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
        table = pa.Table.from_pandas(frame, preserve_index=False)
        for part, start in enumerate(range(0, max(len(frame), 1), rows_per_part)):
            pq.write_table(table.slice(start, rows_per_part), staging / f"part-{part:05d}.parquet")
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
    format it was written in (CSV cells read as text, as written)."""
    out_dir = Path(out_dir)
    if (out_dir / name).is_dir():
        return read_dataset(out_dir / name)
    path = out_dir / f"{name}.csv"
    if not path.is_file():
        raise InputError(f"no table {name!r} here (neither {name}.csv nor a {name}/ dataset)", path=out_dir)
    return pd.read_csv(path, dtype=str, keep_default_na=False)
