"""The Dataverse native API: which files a dataset's latest version lists, and which of them to fetch.

``GET /api/datasets/:persistentId/?persistentId=doi:...`` gives the listing; :func:`open_url` sends every
request of the package and turns what goes wrong (offline, timeouts, HTTP errors) into a one-line
:class:`DownloadError` that says how to get the files by hand.
"""
from __future__ import annotations

import contextlib
import dataclasses
import http.client
import json
import os
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .. import __version__
from ..errors import InputError
from .datasets import Dataset, get_dataset, role_of
from .tables import excel_engine

__all__ = ["DEFAULT_SERVER", "SERVER_VARIABLE", "DataFile", "DownloadError", "Listing", "list_files", "open_url",
           "resolve_server", "select_files"]

#: Harvard Dataverse; ``--server`` or the environment variable ``UNSPEECH_DATAVERSE_URL`` point elsewhere.
DEFAULT_SERVER = "https://dataverse.harvard.edu"
SERVER_VARIABLE = "UNSPEECH_DATAVERSE_URL"

_ORIGINAL_EXTENSIONS = {  # originalFileFormat -> extension, when Dataverse does not give originalFileName
    "text/tab-separated-values": ".tsv", "text/csv": ".csv", "text/comma-separated-values": ".csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}


class DownloadError(InputError):
    """The server cannot be reached, refuses a request, or sends a file that fails its checksum."""


@dataclasses.dataclass(frozen=True)
class DataFile:
    """One file of a dataset as Dataverse lists it.

    ``name`` is the name the file is saved under: the original name for a file Dataverse ingested as a table
    (which is then fetched with ``?format=original``), else the listed name. ``size`` is the size of that
    download when Dataverse says it (``None`` when it does not).
    """

    id: int
    name: str
    label: str
    size: int | None
    checksum_type: str
    checksum: str
    ingested: bool = False
    restricted: bool = False

    @property
    def query(self) -> str:
        return "?format=original" if self.ingested else ""


@dataclasses.dataclass(frozen=True)
class Listing:
    """The files of the latest published version of a dataset."""

    dataset: Dataset
    server: str
    version: str
    licence: str
    files: tuple[DataFile, ...]


def resolve_server(server: str | None = None) -> str:
    """``server``, else ``$UNSPEECH_DATAVERSE_URL``, else :data:`DEFAULT_SERVER`, without a trailing slash."""
    url = (server or os.environ.get(SERVER_VARIABLE) or DEFAULT_SERVER).strip().rstrip("/")
    if not re.match(r"^https?://[^/\s]+", url):
        raise InputError(f"the Dataverse server must be an http:// or https:// URL, got {url!r}")
    return url


def _offline(url: str, reason: object, dataset: Dataset) -> DownloadError:
    server = "/".join(url.split("/")[:3])
    if isinstance(reason, (TimeoutError, socket.timeout)):
        reason = "timed out"
    return DownloadError(
        f"cannot reach {server} (offline?): {reason}; download the files by hand from {dataset.landing_page} "
        f"and unpack them with `python -m analysis download {dataset.name} --from-files DIR`")


def _http_error(url: str, error: urllib.error.HTTPError, dataset: Dataset) -> DownloadError:
    detail = ""
    with contextlib.suppress(Exception):
        detail = str(json.loads(error.read().decode("utf-8")).get("message") or "")
    what = {401: "needs a login", 403: "access refused (a restricted file?)", 404: "not found"}.get(error.code, "")
    return DownloadError(
        f"{url}: HTTP {error.code} {error.reason}{' - ' + what if what else ''}{': ' + detail if detail else ''}; "
        f"check the server, or download the files by hand from {dataset.landing_page} and use --from-files DIR")


def open_url(url: str, dataset: Dataset, *, timeout: float, headers: dict[str, str] | None = None):
    """Send a GET request for ``url`` and give the response (Dataverse's redirects to its store are followed).

    Raises
    ------
    DownloadError
        If the server cannot be reached, times out, is not an HTTP server, or answers with an HTTP error
        (naming ``dataset``'s landing page as the way to get the files by hand).
    urllib.error.HTTPError
        On HTTP 416 (a ``Range`` beyond the end of the file), which the caller handles.
    """
    request = urllib.request.Request(url, headers={"User-Agent": f"unspeech/{__version__}", **(headers or {})})
    try:
        return urllib.request.urlopen(request, timeout=timeout)  # follows Dataverse's redirect to the store
    except urllib.error.HTTPError as error:
        if error.code == 416:
            raise
        raise _http_error(url, error, dataset) from None
    except urllib.error.URLError as error:
        raise _offline(url, error.reason, dataset) from None
    except (OSError, http.client.HTTPException) as error:  # timeouts, resets, a server that is not HTTP
        raise _offline(url, error, dataset) from None


def _data_file(entry: dict) -> DataFile:
    data = entry.get("dataFile") or {}
    label = str(entry.get("label") or data.get("filename") or data.get("id"))
    checksum = data.get("checksum") or {}
    kind = str(checksum.get("type") or ("MD5" if data.get("md5") else "")).upper()
    value = str(checksum.get("value") or data.get("md5") or "").lower()
    ingested = bool(data.get("originalFileFormat")) or bool(data.get("tabularData"))
    name, size = str(data.get("filename") or label), data.get("filesize")
    if ingested:
        original = data.get("originalFileName")
        if not original:
            extension = _ORIGINAL_EXTENSIONS.get(str(data.get("originalFileFormat")), "")
            original = re.sub(r"\.tab$", "", name) + extension if extension else name
        name, size = str(original), data.get("originalFileSize")
    if Path(name).name != name or name in {"", ".", ".."}:  # a name from the server is a file name, not a path
        raise DownloadError(f"the server lists a file named {name!r}, which is not a plain file name")
    return DataFile(id=int(data["id"]), name=name, label=label, size=None if size is None else int(size),
                    checksum_type=kind, checksum=value, ingested=ingested,
                    restricted=bool(entry.get("restricted") or data.get("restricted")))


def list_files(dataset: Dataset | str, *, server: str | None = None, timeout: float = 60) -> Listing:
    """The files of the dataset's latest published version (native API, by persistent identifier).

    Raises
    ------
    DownloadError
        If the server cannot be reached, answers with an HTTP error, or does not send a dataset.
    """
    dataset = get_dataset(dataset)
    server = resolve_server(server)
    url = f"{server}/api/datasets/:persistentId/?persistentId={urllib.parse.quote(dataset.doi, safe=':/')}"
    with open_url(url, dataset, timeout=timeout) as response:
        try:
            payload = json.loads(response.read().decode("utf-8"))
            version = payload["data"]["latestVersion"]
            files = tuple(_data_file(entry) for entry in version["files"])
        except (ValueError, KeyError, TypeError) as error:
            raise DownloadError(f"{url}: not a Dataverse dataset description "
                                f"({type(error).__name__}: {error})") from None
    licence = version.get("license")
    licence = licence.get("name", "") if isinstance(licence, dict) else str(licence or "")
    number = version.get("versionNumber")
    label = "" if number is None else f"{number}.{version.get('versionMinorNumber', 0)}"
    return Listing(dataset=dataset, server=server, version=label, licence=licence,
                   files=tuple(sorted(files, key=lambda f: f.name.lower())))


def select_files(listing: Listing) -> tuple[dict[str, list[DataFile]], list[str]]:
    """The files to fetch, by role, and notes on what is left out and why.

    Raises
    ------
    DownloadError
        If no listed file can play a required role (the dataset changed its file names).
    """
    chosen: dict[str, list[DataFile]] = {}
    for data_file in listing.files:
        role = role_of(listing.dataset, data_file.name) or role_of(listing.dataset, data_file.label)
        if role is not None:
            chosen.setdefault(role, []).append(data_file)
    notes = []
    for role, pattern, required in listing.dataset.roles:
        if role not in chosen:
            names = ", ".join(f.name for f in listing.files[:12]) or "none"
            if required:
                raise DownloadError(
                    f"{listing.dataset.doi} lists no file for the {role} (expected a name like /{pattern}/; "
                    f"listed: {names}); download the files by hand from {listing.dataset.landing_page} "
                    f"and use --from-files DIR")
            notes.append(f"no file for the {role} in the listing; metadata comes from the file names")
    if "speakers" in chosen and excel_engine() is None:
        names = ", ".join(f.name for f in chosen.pop("speakers"))
        notes.append(f"{names} not fetched: reading it needs an Excel reader for pandas (openpyxl or "
                     "python-calamine), which is not installed; speaker names and posts are left empty")
    for files in chosen.values():
        for data_file in files:
            if data_file.restricted:
                raise DownloadError(f"{data_file.name} is restricted on Dataverse (it needs permission); "
                                    f"download it by hand from {listing.dataset.landing_page} and use --from-files DIR")
    return chosen, notes


