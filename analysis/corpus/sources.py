"""The inputs of a corpus: :class:`Source` (one speech to read), :class:`SourceBatch` and :class:`CorpusPlan`.

Reading a corpus is a plan (which speeches to read, with their doc_id and metadata: cheap, serial;
:func:`analysis.corpus.formats.plan_corpus`), a map (:func:`analysis.corpus.read.read_batch`: read, decode and
clean each speech of a batch; pure, so any number of processes can run it) and an assembly (deduplicate in
input order, sort; :func:`analysis.corpus.read.assemble_corpus`). ``read_corpus`` runs the three in one
process; the pipeline runs the map in worker processes, batch by batch. This module owns the data that passes
between them.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

__all__ = ["CorpusPlan", "Source", "SourceBatch"]


@dataclasses.dataclass(frozen=True)
class Source:
    """One speech to read: a file of a folder corpus, or a row of a table corpus.

    Attributes
    ----------
    where : str
        How ``skipped.csv`` and ``source_file`` name it: the path relative to the corpus folder, or
        ``table.csv:LINE`` / ``table.parquet row N``.
    doc_id : str
    metadata : dict
        Metadata values for this speech (a ``metadata.csv`` row, or the table's other columns).
    name_hint : str
        File name whose UN naming convention fills year, meeting, session and country code.
    path : str, optional
        The file to read (folder corpora).
    raw : str, optional
        The text itself (table corpora).
    """

    where: str
    doc_id: str
    metadata: dict
    name_hint: str
    path: str | None = None
    raw: str | None = None


@dataclasses.dataclass
class SourceBatch:
    """Consecutive inputs of a corpus: what one task of the map reads (:func:`read_batch`).

    Either a list of :class:`Source` (folder corpora), or rows of a table kept as a DataFrame slice with
    where each row is (``places``), which travels to a worker process as compact Arrow buffers; their
    Sources are made where the batch is read.
    """

    sources: list[Source] = dataclasses.field(default_factory=list)
    rows: pd.DataFrame | None = None
    places: list[str] = dataclasses.field(default_factory=list)
    first: int = 1  # number of the first row of the table (from 1)
    width: int = 1  # digits of the table's row count (doc_id "row0042")

    def __len__(self) -> int:
        return len(self.sources) if self.rows is None else len(self.rows)

    def expand(self) -> list[tuple[str, Source | None]]:
        """``(where, source)`` for each input; ``source`` is ``None`` for a table row with no text."""
        if self.rows is None:
            return [(source.where, source) for source in self.sources]
        found: list[tuple[str, Source | None]] = []
        for number, (row, where) in enumerate(zip(self.rows.to_dict("records"), self.places), start=self.first):
            raw = row.get("text")
            if raw is None or (isinstance(raw, float) and pd.isna(raw)) or not str(raw).strip():
                found.append((where, None))
                continue
            doc_id = row.get("doc_id")
            missing = doc_id is None or (isinstance(doc_id, float) and pd.isna(doc_id))
            doc_id = ("" if missing else str(doc_id).strip()) or f"row{number:0{self.width}d}"
            meta = {k: ("" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
                    for k, v in row.items() if k != "text"}
            hint = Path(str(meta.get("source_file") or doc_id)).name
            found.append((where, Source(where=where, doc_id=doc_id, metadata=meta, name_hint=hint, raw=str(raw))))
        return found


@dataclasses.dataclass
class CorpusPlan:
    """What :func:`plan_corpus` found: the inputs to read, in order, and what was refused or noted already.

    A folder corpus lists its :class:`Source` files; a table corpus keeps the table itself (``table``, with
    where each row is in ``places``), so that no speech is turned into a Python string before the process
    that reads it.
    """

    skipped: list[tuple[str, str]]
    source: str
    notes: list[str] = dataclasses.field(default_factory=list)
    sources: list[Source] = dataclasses.field(default_factory=list)
    table: pd.DataFrame | None = None
    places: list[str] = dataclasses.field(default_factory=list)

    def __len__(self) -> int:
        return len(self.sources) if self.table is None else len(self.table)

    def batches(self, size: int) -> list[SourceBatch]:
        """The inputs in consecutive batches of ``size``."""
        if self.table is None:
            return [SourceBatch(sources=self.sources[start:start + size])
                    for start in range(0, len(self.sources), size)]
        width = len(str(len(self.table)))
        return [SourceBatch(rows=self.table.iloc[start:start + size], places=self.places[start:start + size],
                            first=start + 1, width=width) for start in range(0, len(self.table), size)]
