"""One planner per input format, registered by suffix: what :func:`plan_corpus` reads, and how.

This module owns the input formats of a corpus. Each is one function from a path to a
:class:`~analysis.corpus.sources.CorpusPlan` (the speeches to read, with their doc_id and metadata, and what
was refused already), registered in :data:`READERS` under its file suffix:

==============  ========================  ===========================================================
suffix          planner                   input
==============  ========================  ===========================================================
(a folder)      :func:`plan_folder`       ``.txt`` speeches, recursively, with ``metadata.csv`` files
``.txt``        :func:`plan_file`         one speech, with the ``metadata.csv`` beside it, if any
``.csv``        :func:`plan_csv`          a table with a ``text`` column, one row per speech
``.parquet``    :func:`plan_parquet`      the same as a Parquet file
==============  ========================  ===========================================================

A new format is one function ``plan_<format>(path: Path) -> CorpusPlan`` and one entry in :data:`READERS`
(and its name in the two messages of :func:`plan_corpus` that list the formats). A planner only lists the
inputs: the text of each speech is read, decoded and cleaned later, batch by batch
(:func:`analysis.corpus.read.read_batch`), possibly in other processes.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import IO, Callable, Iterable

import pandas as pd

from .. import paths
from ..errors import InputError
from ..io import NotRegularFileError, regular_file_status
from .decode import SkipFile, open_table_text, read_text_file
from .folders import list_folder
from .sources import CorpusPlan, Source

__all__ = [
    "READERS",
    "plan_corpus",
    "plan_csv",
    "plan_file",
    "plan_folder",
    "plan_parquet",
    "plan_table",
]


def _read_csv_rows(text: str | IO[str], *, where: str) -> tuple[list[str], list[tuple[int, list[str]]],
                                                               list[tuple[str, str]]]:
    """Parse CSV text (a string or a text stream opened with ``newline=""``) strictly, row by row:
    ``(header, [(line, fields), ...], problems)``.

    ``line`` is the 1-based line on which the row starts (quoted values may span lines). A row with
    broken quoting or more fields than the header is reported in ``problems`` as ``(f"{where}:{line}",
    reason)`` and left out; a short row is padded with empty values; blank rows are ignored.
    """
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))  # a speech in one field may be megabytes
    reader = csv.reader(io.StringIO(text, newline="") if isinstance(text, str) else text, strict=True)
    problems: list[tuple[str, str]] = []
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    while True:
        line = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "end of data" in str(exc):
                problems.append((f"{where}:{line}", f"unclosed quote: lines {line}-{reader.line_num} ignored"))
                break
            problems.append((f"{where}:{line}", f"broken CSV quoting ({exc}); row ignored"))
            continue
        if not any(field.strip() for field in fields):
            continue
        if header is None:
            header = [field.strip() for field in fields]
            continue
        if len(fields) > len(header):
            problems.append((f"{where}:{line}", f"{len(fields)} values but {len(header)} columns in the header "
                                                "(an unquoted comma?); row ignored"))
            continue
        rows.append((line, fields + [""] * (len(header) - len(fields))))
    return header or [], rows, problems


def _load_metadata(root: Path, files: list[Path], skipped: list[tuple[str, str]]) -> tuple[dict, dict]:
    """Index the rows of the ``metadata.csv`` files by ``doc_id`` and by the file name of ``source_file``.

    Broken files, broken rows and rows that repeat a key are reported in ``skipped`` (with their line)
    and ignored; the first row for a key wins.
    """
    by_id: dict[str, dict] = {}
    by_file: dict[str, dict] = {}
    first_line: dict[tuple[str, str], str] = {}
    for path in files:
        name = path.relative_to(root).as_posix()
        try:
            text, _ = read_text_file(path)
        except SkipFile as reason:
            skipped.append((name, f"unreadable metadata ({reason}); ignored"))
            continue
        header, rows, problems = _read_csv_rows(text, where=name)
        skipped.extend(problems)
        if "doc_id" not in header and "source_file" not in header:
            skipped.append((name, "metadata has neither a 'doc_id' nor a 'source_file' column; ignored"))
            continue
        for line, fields in rows:
            record = dict(zip(header, (field.strip() for field in fields)))
            keys = [("doc_id", record.get("doc_id", "")),
                    ("source_file", Path(record.get("source_file", "")).name)]
            repeated = [(column, key) for column, key in keys if key and (column, key) in first_line]
            if repeated:
                column, key = repeated[0]
                skipped.append((f"{name}:{line}", f"{column} {key!r} repeats {first_line[column, key]}; row ignored"))
                continue
            for column, key in keys:
                if key:
                    first_line[column, key] = f"{name}:{line}"
            if record.get("doc_id"):
                by_id[record["doc_id"]] = record
            if keys[1][1]:
                by_file[keys[1][1]] = record
    return by_id, by_file


def _file_source(path: Path, *, where: str, by_id: dict, by_file: dict) -> Source:
    """The :class:`Source` of one ``.txt`` speech: its ``metadata.csv`` row (by file name, else by the stem as
    ``doc_id``) and its doc_id (the row's, else the file's stem)."""
    stem = path.stem
    meta = by_file.get(path.name) or by_id.get(stem) or {}
    doc_id = str(meta.get("doc_id") or stem).strip() or stem
    return Source(where=where, doc_id=doc_id, metadata=meta, name_hint=path.name, path=str(path))


def plan_folder(root: Path, *, exclude: Iterable[str | Path] = ()) -> CorpusPlan:
    """A folder of ``.txt`` speeches (searched recursively; see :func:`analysis.corpus.folders.list_folder`).

    ``metadata.csv`` files in it are matched on ``doc_id`` or on the file name of ``source_file``.

    Parameters
    ----------
    root : Path
        The corpus folder.
    exclude : iterable of paths
        Folders inside ``root`` that are not walked.

    Returns
    -------
    CorpusPlan
        One :class:`~analysis.corpus.sources.Source` per speech file, in sorted order.

    Raises
    ------
    InputError
        If the folder holds no ``.txt`` file at all.
    """
    listing = list_folder(root, exclude=exclude)
    if not listing.texts:
        others = [path for path, _ in listing.skipped]
        hint = f" ({len(others)} other entries, e.g. {others[0]!r})" if others else ""
        raise InputError(f"no .txt speeches found in this folder{hint}", path=root)
    skipped = list(listing.skipped)
    by_id, by_file = _load_metadata(root, listing.metadata, skipped)
    sources = [_file_source(path, where=path.relative_to(root).as_posix(), by_id=by_id, by_file=by_file)
               for path in listing.texts]
    return CorpusPlan(skipped=skipped, source=str(root), sources=sources)


def plan_file(path: Path) -> CorpusPlan:
    """One ``.txt`` speech as a corpus; a ``metadata.csv`` beside it adds its row (by ``doc_id`` or file name)."""
    skipped: list[tuple[str, str]] = []
    folder = path.parent
    metadata = [folder / "metadata.csv"] if (folder / "metadata.csv").is_file() else []
    by_id, by_file = _load_metadata(folder, metadata, skipped)
    source = _file_source(path, where=path.name, by_id=by_id, by_file=by_file)
    return CorpusPlan(skipped=skipped, source=str(path), sources=[source])


def plan_csv(path: Path) -> CorpusPlan:
    """A CSV table with a ``text`` column, one row per speech (its other columns are metadata).

    Rows are parsed one by one (:func:`_read_csv_rows`), so a row with broken quoting or too many values is
    skipped and reported with its line rather than refusing the whole table.

    Raises
    ------
    InputError
        If the file cannot be read as text, repeats a column name or has no ``text`` column.
    """
    skipped: list[tuple[str, str]] = []
    notes: list[str] = []
    try:
        stream, note = open_table_text(path)  # read as it is parsed: no whole-table size limit
    except SkipFile as reason:
        raise InputError(f"cannot read table: {reason}", path=path) from None
    if note:
        notes.append(f"{path.name}: {note}")
    with stream:
        try:
            header, rows, problems = _read_csv_rows(stream, where=path.name)
        except UnicodeDecodeError as exc:
            raise InputError(f"cannot read table: undecodable {stream.encoding} text ({exc.reason})",
                             path=path) from None
    skipped.extend(problems)
    table = pd.DataFrame([fields for _, fields in rows], columns=header, dtype=object)
    if len(set(header)) != len(header):
        raise InputError(f"repeated column names in the header: {sorted({c for c in header if header.count(c) > 1})}",
                         path=path, line=1)
    places = [f"{path.name}:{line}" for line, _ in rows]
    return _table_plan(path, table, places, skipped=skipped, notes=notes)


def plan_parquet(path: Path) -> CorpusPlan:
    """A Parquet table with a ``text`` column, one row per speech (its other columns are metadata).

    Raises
    ------
    InputError
        If pyarrow cannot read the file, or it has no ``text`` column.
    """
    import pyarrow.parquet as pq

    try:
        arrow = pq.read_table(path)
    except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"cannot read table: {message}", path=path) from None
    table = _arrow_frame(arrow, path)
    table.columns = [str(c).strip() for c in table.columns]
    places = [f"{path.name} row {number}" for number in range(1, len(table) + 1)]
    return _table_plan(path, table, places)


def _arrow_frame(arrow, path: Path) -> pd.DataFrame:
    """A Parquet table as the reader uses it: ``text`` must hold strings; ``doc_id`` and integer columns are
    taken as strings by Arrow (``7``, not the ``7.0`` of a pandas float column with missing values), a missing
    or NaN id stays missing (the row's number stands in for it)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    names = [str(name).strip() for name in arrow.column_names]
    if "text" in names:
        kind = arrow.schema.field(names.index("text")).type
        value_kind = kind.value_type if pa.types.is_dictionary(kind) else kind
        if not (pa.types.is_string(value_kind) or pa.types.is_large_string(value_kind) or pa.types.is_null(kind)):
            raise InputError(f"the 'text' column holds {kind} values, not text; convert it to strings", path=path)
    columns = []
    for name, column in zip(names, arrow.columns):
        kind = column.type
        if name == "doc_id" or pa.types.is_integer(kind):
            if pa.types.is_floating(kind):
                column = pc.if_else(pc.is_nan(column), pa.scalar(None, kind), column)
            if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
                try:
                    column = pc.cast(column, pa.string())
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    raise InputError(f"the 'doc_id' column holds {kind} values; give ids as text or numbers",
                                     path=path) from None
        columns.append(column)
    return pa.table(columns, names=[f"c{i}" for i in range(len(names))]).to_pandas().set_axis(names, axis=1)


def _table_plan(path: Path, table: pd.DataFrame, places: list[str], *, skipped: list[tuple[str, str]] | None = None,
                notes: list[str] | None = None) -> CorpusPlan:
    """The plan of a table corpus, once its ``text`` column is known to be there."""
    if "text" not in table.columns:
        raise InputError(
            f"no 'text' column (columns are: {', '.join(map(str, table.columns[:12]))})", path=path)
    return CorpusPlan(skipped=skipped if skipped is not None else [], source=str(path),
                      notes=notes if notes is not None else [], table=table, places=places)


def plan_table(path: Path) -> CorpusPlan:
    """A table: :func:`plan_parquet` for a ``.parquet`` file, :func:`plan_csv` for any other."""
    return plan_parquet(path) if path.suffix.lower() == ".parquet" else plan_csv(path)


#: The planner of each input file format, by lower-case suffix (a folder is :func:`plan_folder`).
READERS: dict[str, Callable[[Path], CorpusPlan]] = {
    ".csv": plan_csv,
    ".parquet": plan_parquet,
    ".txt": plan_file,
}


def plan_corpus(path: str | Path, *, exclude: Iterable[str | Path] = ()) -> CorpusPlan:
    """The inputs of a corpus path, ready for :func:`~analysis.corpus.read.read_batch`.

    Parameters
    ----------
    path : str or Path
        As :func:`~analysis.corpus.read.read_corpus` takes it: a folder, or a file whose suffix is in
        :data:`READERS`.
    exclude : iterable of paths
        Folders inside a corpus folder that are not read.

    Returns
    -------
    CorpusPlan

    Raises
    ------
    InputError
        As :func:`~analysis.corpus.read.read_corpus`.
    """
    path = paths.resolve_input(path)
    if not path.exists():
        raise InputError("corpus not found (give a folder of .txt speeches, one .txt speech or a .csv/.parquet "
                         "table)", path=path)
    if path.is_dir():
        return plan_folder(path, exclude=exclude)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(f"unsupported corpus file type {path.suffix!r}; use a folder, a .txt speech, .csv or "
                         ".parquet", path=path)
    try:
        regular_file_status(path)
    except NotRegularFileError as exc:  # a pipe or device would block the reader or never end
        raise InputError(exc.strerror, path=path) from None
    except OSError:
        pass  # the reader says why it cannot read the file
    return reader(path)
