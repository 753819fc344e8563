"""Fetch the full public UN speech corpora from Harvard Dataverse and unpack them into a corpus folder.

``python -m analysis download ungdc|unsc`` lists the dataset's files through Dataverse's native API
(``GET /api/datasets/:persistentId/?persistentId=doi:...``), downloads the ones the corpus needs through the
data access API (``GET /api/access/datafile/{id}``, ``?format=original`` for files Dataverse ingested as
tables), resumes an interrupted download with an HTTP ``Range`` request, checks each file against the checksum
Dataverse lists, and unpacks the speeches into one folder per year, each with a ``metadata.csv`` that
:func:`analysis.corpus.read_corpus` matches on ``doc_id`` (or one Parquet table with a ``text`` column).

Layout of the destination (default ``data/external/<name>/``)::

    <dest>/.download/            the fetched files (NAME.part while incomplete)
    <dest>/<year>/*.txt          the speeches, byte for byte as in the archive
    <dest>/<year>/metadata.csv   one row per speech of that year
    <dest>/.unspeech-download.json  what was fetched (checksums) and written

Hidden entries are ignored by the corpus reader, so ``run --corpus <dest>`` reads every year and
``run --corpus <dest>/2014`` one year, each with its metadata.

The network is used only here, only when the user asks for it; nothing else in the package downloads.

The package, one concern per module::

    datasets     the corpora known (DATASETS) and which of their files play which role
    dataverse    the native API: the listing, which files to fetch, requests and their errors
    fetch        one file onto disk: resumable download, size and checksum verification
    archive      zips, tars and folders read member by member, safely
    tables       reading the datasets' tables; the names by which rows meet files
    unsc         the UNSC metadata.csv rows
    ungdc        the UNGDC metadata.csv rows
    unpacking    speeches and metadata into year folders or one Parquet table
    local        files fetched by hand (--from-files)

Every public name is importable from ``analysis.download``.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable, Literal

from .. import paths
from ..errors import InputError
from .archive import MAX_MEMBER_BYTES, MAX_UNPACKED_BYTES, Member, archive_kind, iter_archive
from .datasets import DATASETS, Dataset, get_dataset, role_of
from .dataverse import (DEFAULT_SERVER, SERVER_VARIABLE, DataFile, DownloadError, Listing, list_files, open_url,
                        resolve_server, select_files)
from .fetch import CHUNK_BYTES, Fetched, fetch_file, verify_file
from .local import local_sources
from .tables import excel_engine, file_stem, normalise_name, read_table
from .ungdc import UNGDC_OUTPUT, read_speakers, ungdc_metadata
from .unpacking import MARKER_NAME, Unpacked, check_destination, unpack
from .unsc import UNSC_COLUMNS, UNSC_OUTPUT, iso_date, unsc_metadata

__all__ = [
    "CHUNK_BYTES",
    "DATASETS",
    "DEFAULT_SERVER",
    "DOWNLOAD_FOLDER",
    "MARKER_NAME",
    "MAX_MEMBER_BYTES",
    "MAX_UNPACKED_BYTES",
    "SERVER_VARIABLE",
    "UNGDC_OUTPUT",
    "UNSC_COLUMNS",
    "UNSC_OUTPUT",
    "DataFile",
    "Dataset",
    "DownloadError",
    "DownloadResult",
    "Fetched",
    "Listing",
    "Member",
    "Unpacked",
    "archive_kind",
    "check_destination",
    "download",
    "excel_engine",
    "fetch_file",
    "file_stem",
    "get_dataset",
    "iso_date",
    "iter_archive",
    "list_files",
    "local_sources",
    "normalise_name",
    "open_url",
    "read_speakers",
    "read_table",
    "resolve_server",
    "role_of",
    "select_files",
    "ungdc_metadata",
    "unpack",
    "unsc_metadata",
    "verify_file",
]

#: Where the fetched files are kept, hidden inside the destination (``NAME.part`` while incomplete).
DOWNLOAD_FOLDER = ".download"


@dataclasses.dataclass
class DownloadResult:
    """What :func:`download` did: the corpus path to give ``run``, the files used, and notes."""

    dataset: Dataset
    dest: Path
    corpus: Path
    n_speeches: int
    years: tuple[str, str]
    fetched: list[Fetched]
    notes: list[str]


def download(name: str, *, dest: str | Path | None = None, server: str | None = None,
             from_files: str | Path | None = None, output_format: Literal["txt", "parquet"] = "txt",
             progress: bool = False, timeout: float = 60, max_bytes: int = MAX_UNPACKED_BYTES,
             report: Callable[[str], None] = lambda message: None) -> DownloadResult:
    """Fetch a public corpus from Dataverse (or take files fetched by hand) and unpack it for ``run``.

    Parameters
    ----------
    name : {"ungdc", "unsc"}
    dest : path, optional
        Where to put it (default ``data/external/<name>``).
    server : str, optional
        Dataverse URL (default ``$UNSPEECH_DATAVERSE_URL`` or Harvard Dataverse).
    from_files : path, optional
        A folder or Dataverse zip bundle holding the files, downloaded by hand: nothing is fetched or verified.
    output_format : {"txt", "parquet"}
        Year folders of ``.txt`` files with ``metadata.csv``, or one Parquet table with a ``text`` column.
    progress : bool
        Show a progress bar per download.
    report : callable
        Receives a line for each thing worth telling (a resumed transfer, a file left out).

    Raises
    ------
    DownloadError
        When offline, on an HTTP error, or when a file fails its checksum.
    InputError, OutputError
        As :func:`unpack`.
    """
    from ..io import ensure_output_dir

    dataset = get_dataset(name)
    if output_format not in ("txt", "parquet"):
        raise InputError(f"unknown format {output_format!r}; choose txt or parquet")
    dest = Path(dest) if dest is not None else paths.EXTERNAL_DIR / dataset.name
    check_destination(dest)
    folder = ensure_output_dir(dest / DOWNLOAD_FOLDER)
    fetched: list[Fetched] = []
    if from_files is not None:
        sources, notes = local_sources(dataset, Path(from_files), folder)
        provenance = {"source": "files fetched by hand (not verified)"}
    else:
        listing = list_files(dataset, server=server, timeout=timeout)
        chosen, notes = select_files(listing)
        sources = {}
        for role, files in chosen.items():
            for data_file in files:
                result = fetch_file(data_file, folder, dataset=dataset, server=listing.server, progress=progress,
                                    timeout=timeout, report=report)
                report(f"{data_file.name}: {result.status}, verified: {result.check}")
                fetched.append(result)
                sources.setdefault(role, []).append(result.path)
        provenance = {"server": listing.server, "version": listing.version, "licence": listing.licence,
                      "files": [{"name": f.data_file.name, "id": f.data_file.id, "size": f.data_file.size,
                                 "checksum": f"{f.data_file.checksum_type}:{f.data_file.checksum}",
                                 "verified": f.check} for f in fetched]}
    for note in notes:
        report(note)
    unpacked = unpack(dataset, sources, dest, output_format=output_format, max_bytes=max_bytes,
                      provenance=provenance)
    for note in unpacked.notes:
        report(note)
    return DownloadResult(dataset=dataset, dest=dest, corpus=unpacked.corpus, n_speeches=unpacked.n_speeches,
                          years=unpacked.years, fetched=fetched, notes=notes + unpacked.notes)
