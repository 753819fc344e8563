"""Reading a corpus: :func:`read_corpus` and the map and assembly steps the pipeline runs on its own.

This module owns the :class:`Corpus` a reader returns and the steps from a plan to it:
:func:`read_source` reads, decodes and cleans one speech into a document row (or says why it is skipped),
:func:`read_batch` does so for a batch of inputs (pure, so worker processes can run it), and
:func:`assemble_corpus` keeps the first row of each doc_id, in input order, and sorts. :func:`read_corpus`
plans (:func:`analysis.corpus.formats.plan_corpus`), reads and assembles in one process;
:func:`read_folder` and :func:`read_table` do the same for a folder or a table.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd

from . import decode
from .decode import SkipFile, read_text_file
from .documents import dedupe_records, document_record, documents_frame, skipped_frame
from .formats import plan_corpus, plan_folder, plan_table
from .sources import CorpusPlan, Source, SourceBatch

__all__ = ["Corpus", "Read", "assemble_corpus", "read_batch", "read_corpus", "read_folder", "read_source",
           "read_table"]


@dataclasses.dataclass
class Corpus:
    """Documents read from a corpus path, and the inputs that were skipped.

    Attributes
    ----------
    documents : DataFrame
        One row per speech: :data:`~analysis.corpus.documents.DOCUMENT_COLUMNS`, the input's other metadata
        columns, then ``procedural``, ``text`` (cleaned) and ``raw_chars``; sorted by ``doc_id``.
    skipped : DataFrame
        ``path, reason`` for every input that was not read (files, metadata rows, table rows).
    warnings : list of str
        Inputs that were read with a caveat (e.g. decoded as Windows-1252).
    source : str
        The corpus path as given.
    """

    documents: pd.DataFrame
    skipped: pd.DataFrame
    warnings: list[str]
    source: str

    def __len__(self) -> int:
        return len(self.documents)


#: What :func:`read_batch` gives for each input: where it is, and :func:`read_source`'s result.
Read = tuple[str, tuple[dict | None, str, str]]


def read_source(source: Source) -> tuple[dict | None, str, str]:
    """Read and clean one speech.

    Parameters
    ----------
    source : Source

    Returns
    -------
    record : dict or None
        The document row (:func:`~analysis.corpus.documents.document_record`), or ``None`` when the speech
        is skipped.
    reason : str
        Why it was skipped, else ``""``.
    note : str
        A caveat of a speech that was read (e.g. decoded as Windows-1252), else ``""``.
    """
    note = ""
    if source.path is not None:
        try:
            raw, note = read_text_file(source.path)
        except SkipFile as reason:
            return None, str(reason), ""
    else:
        raw = source.raw or ""
        if len(raw) > decode.MAX_FILE_BYTES:  # the limit of a speech file, for each speech of a table
            return None, f"too large for a speech ({len(raw):,} characters; the limit is {decode.MAX_FILE_BYTES:,})", ""
    try:
        record = document_record(source.doc_id, raw, source.metadata, source_file=source.where,
                                 name_hint=source.name_hint)
    except SkipFile as reason:
        return None, str(reason), ""
    return record, "", note


def read_batch(batch: SourceBatch) -> list[Read]:
    """:func:`read_source` for each input of a batch: ``(where, (record, reason, note))`` in order."""
    return [(where, read_source(source) if source is not None else (None, "empty text", ""))
            for where, source in batch.expand()]


def assemble_corpus(plan: CorpusPlan, results: Iterable[Read]) -> Corpus:
    """The :class:`Corpus` of a plan from the :func:`read_batch` results of its inputs (in plan order)."""
    skipped = list(plan.skipped)
    notes = list(plan.notes)
    records = []
    for where, (record, reason, note) in results:
        if record is None:
            skipped.append((where, reason))
            continue
        records.append(record)
        if note:
            notes.append(f"{where}: {note}")
    records = dedupe_records(records, skipped)
    return Corpus(documents=documents_frame(records), skipped=skipped_frame(skipped), warnings=notes,
                  source=plan.source)


def read_folder(root: Path, *, progress: bool = False, exclude: Iterable[str | Path] = ()) -> Corpus:
    """Read every ``.txt`` file under ``root`` (recursively), with ``metadata.csv`` files if present.

    Parameters
    ----------
    root : Path
        The corpus folder.
    progress : bool
        Show a progress bar on standard error.
    exclude : iterable of paths
        Folders that are not walked (``run`` passes its output folder, which may lie inside the corpus).

    Returns
    -------
    Corpus

    Raises
    ------
    InputError
        If the folder holds no ``.txt`` file at all.
    """
    return _read_plan(plan_folder(Path(root), exclude=exclude), progress=progress, unit="file")


def read_table(path: Path, *, progress: bool = False) -> Corpus:
    """Read one ``.csv`` or ``.parquet`` table with a ``text`` column (one row per speech).

    CSV rows are read one by one, so a row with broken quoting or too many values is skipped and reported
    with its line rather than refusing the whole table.

    Parameters
    ----------
    path : Path
        The table: ``.parquet`` (:func:`~analysis.corpus.formats.plan_parquet`), else CSV
        (:func:`~analysis.corpus.formats.plan_csv`).
    progress : bool
        Show a progress bar on standard error.

    Returns
    -------
    Corpus

    Raises
    ------
    InputError
        If the table cannot be read or has no ``text`` column.
    """
    return _read_plan(plan_table(Path(path)), progress=progress, unit="row")


def _read_plan(plan: CorpusPlan, *, progress: bool, unit: str) -> Corpus:
    def results() -> Iterator[Read]:
        bar = _progress(None, progress, desc="reading speeches", unit=unit, total=len(plan))
        for batch in plan.batches(64):
            yield from read_batch(batch)
            if bar is not None:
                bar.update(len(batch))
        if bar is not None:
            bar.close()

    return assemble_corpus(plan, results())


def read_corpus(path: str | Path, *, progress: bool = False, exclude: Iterable[str | Path] = ()) -> Corpus:
    """Read speeches from a folder of ``.txt`` files or from one ``.csv`` / ``.parquet`` table.

    Parameters
    ----------
    path : str or Path
        A folder (searched recursively for ``.txt``; ``metadata.csv`` files in it are matched on
        ``doc_id`` or on the file name of ``source_file``), one ``.txt`` speech (with the ``metadata.csv`` beside
        it, if any), or a table with a ``text`` column. A relative path that does not exist where the code
        runs is looked up from the project root (``"data/raw"`` works from ``notebooks/``).
    progress : bool
        Show a progress bar on standard error.
    exclude : iterable of paths
        Folders inside a corpus folder that are not read (e.g. an output folder placed there).

    Raises
    ------
    InputError
        If the path does not exist, is not a folder or a supported table, or holds no speech at all.
    """
    plan = plan_corpus(path, exclude=exclude)
    return _read_plan(plan, progress=progress, unit="row" if plan.table is not None else "file")


def _progress(items: Iterable | None, enabled: bool, **options):
    if not enabled:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, **options, leave=False)
