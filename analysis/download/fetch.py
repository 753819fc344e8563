"""Getting one listed file onto disk, verified: resumable downloads and checksum checks.

A file is fetched through the data access API (``GET /api/access/datafile/{id}``, ``?format=original`` for
files Dataverse ingested as tables) into ``NAME.part``; an interrupted transfer is resumed with an HTTP
``Range`` request, and only a file that matches the size and checksum Dataverse lists becomes ``NAME``.
"""
from __future__ import annotations

import dataclasses
import http.client
import os
import re
import urllib.error
from pathlib import Path
from typing import Callable

from .datasets import Dataset, get_dataset
from .dataverse import DataFile, DownloadError, open_url, resolve_server

__all__ = ["CHUNK_BYTES", "Fetched", "fetch_file", "verify_file"]

#: Files are read, hashed and copied in pieces of this size.
CHUNK_BYTES = 1 << 20
_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA1": "sha1", "SHA-256": "sha256", "SHA256": "sha256",
           "SHA-512": "sha512", "SHA512": "sha512"}


@dataclasses.dataclass(frozen=True)
class Fetched:
    """A file on disk and how it got there: ``status`` is ``downloaded``, ``resumed`` or ``present``;
    ``check`` says how it was verified."""

    data_file: DataFile
    path: Path
    status: str
    check: str


def verify_file(path: str | Path, data_file: DataFile) -> tuple[bool, str]:
    """Check a fetched file against what Dataverse lists: ``(ok, how)``.

    The size must match when it is listed. The checksum (MD5, SHA-1, SHA-256 or SHA-512, by the listed type)
    must match, except for a file Dataverse ingested as a table: for those it lists the checksum of its own
    archival copy, not of the original that is fetched (IQSS/dataverse#9501), so a matching size is accepted.
    """
    from ..io import file_digest  # imports pandas: not at the command line's start

    path = Path(path)
    size = path.stat().st_size
    if data_file.size is not None and size != data_file.size:
        return False, f"size {size:,} bytes, listed {data_file.size:,}"
    if data_file.checksum_type not in _HASHES or not data_file.checksum:
        listed = data_file.checksum_type or "none"
        return True, f"size only (checksum type {listed} not checkable)"
    actual = file_digest(path, _HASHES[data_file.checksum_type], chunk_size=CHUNK_BYTES)
    if actual == data_file.checksum:
        return True, data_file.checksum_type
    if data_file.ingested:
        return True, ("size only (Dataverse lists the checksum of its archival copy of this table)"
                      if data_file.size is not None else "not verified (an ingested table without a listed size)")
    return False, f"{data_file.checksum_type} {actual}, listed {data_file.checksum}"


def _content_range_start(value: str | None) -> int | None:
    match = re.match(r"^\s*bytes\s+(\d+)-\d+/(?:\d+|\*)\s*$", value or "")
    return int(match.group(1)) if match else None


def fetch_file(data_file: DataFile, folder: str | Path, *, dataset: Dataset | str, server: str | None = None,
               progress: bool = False, timeout: float = 60, retries: int = 3,
               report: Callable[[str], None] = lambda message: None) -> Fetched:
    """Download one file into ``folder``, resuming a ``NAME.part`` left by an earlier attempt.

    A file already in ``folder`` that verifies is not fetched again. The download is written to
    ``NAME.part``; a request for the rest is sent with ``Range: bytes=N-`` (a server that answers with the
    whole file instead is read from the start); a transfer that breaks off is resumed up to ``retries``
    times. Only a file that passes :func:`verify_file` is renamed to ``NAME``.

    Raises
    ------
    DownloadError
        If the server cannot be reached or refuses, the transfer keeps breaking off (the ``.part`` file is kept
        for the next attempt), or the file fails its checksum (the ``.part`` file is deleted).
    """
    from tqdm.auto import tqdm

    dataset = get_dataset(dataset)
    server = resolve_server(server)
    folder = Path(folder)
    final, part = folder / data_file.name, folder / f"{data_file.name}.part"
    if final.is_file():
        ok, how = verify_file(final, data_file)
        if ok:
            return Fetched(data_file, final, "present", how)
        report(f"{data_file.name}: the copy on disk does not match the listing ({how}; a newer version of the "
               "dataset?); fetching it again")
        final.unlink()
    url = f"{server}/api/access/datafile/{data_file.id}{data_file.query}"
    resumed = False
    for attempt in range(retries + 1):
        offset = part.stat().st_size if part.is_file() else 0
        if data_file.size is not None and offset > data_file.size:
            part.unlink()
            offset = 0
        if data_file.size is not None and offset == data_file.size:
            break
        try:
            response = open_url(url, dataset, timeout=timeout,
                                headers={"Range": f"bytes={offset}-"} if offset else None)
        except urllib.error.HTTPError as error:  # 416: nothing after `offset`
            error.close()
            if data_file.size is None:
                break  # the part file is the whole file; the checksum decides
            part.unlink()
            continue
        received = 0
        with response:
            start = _content_range_start(response.headers.get("Content-Range")) if response.status == 206 else 0
            if offset and response.status == 206 and start != offset:
                part.unlink()  # a range we did not ask for: start again without one
                continue
            if offset and response.status != 206:
                report(f"{data_file.name}: the server ignores Range requests; downloading from the start")
                offset = 0
            resumed = resumed or bool(offset)
            length = response.headers.get("Content-Length")
            expected = int(length) if length and length.isdigit() else None
            total = data_file.size if data_file.size is not None else (None if expected is None else offset + expected)
            bar = tqdm(total=total, initial=offset, unit="B", unit_scale=True, unit_divisor=1024,
                       desc=data_file.name, leave=False, disable=not progress)
            try:
                with open(part, "ab" if offset else "wb") as handle:  # atomic: NAME.part, renamed once verified
                    while True:
                        try:
                            chunk = response.read(CHUNK_BYTES)
                        except (OSError, http.client.HTTPException):  # the network; errors of the disk pass
                            broken = True
                            break
                        if not chunk:
                            broken = expected is not None and received < expected
                            break
                        handle.write(chunk)
                        received += len(chunk)
                        bar.update(len(chunk))
            finally:
                bar.close()
        if not broken:
            break
        if attempt < retries:
            report(f"{data_file.name}: the transfer broke off after {offset + received:,} bytes; resuming")
    else:
        have = part.stat().st_size if part.is_file() else 0
        raise DownloadError(f"{url}: the transfer keeps breaking off ({have:,} bytes of {data_file.name} so far); "
                            "run the same command again to resume")
    part.touch()  # an empty file has no body to write
    ok, how = verify_file(part, data_file)
    if not ok:
        part.unlink()
        raise DownloadError(f"{data_file.name} from {url} failed verification ({how}); the download was deleted; "
                            "run the command again to fetch it afresh, or report it to the dataset's authors")
    os.replace(part, final)
    return Fetched(data_file, final, "resumed" if resumed else "downloaded", how)
