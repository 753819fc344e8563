"""Corpora named by a URL: any filesystem fsspec knows (``file://``, ``s3://`` with the ``s3`` extra,
``gs://``, ``http(s)://``, ``memory://``...).

The readers work on local paths (a folder's listing, a table's suffix, a content fingerprint for the cache), so
a corpus at a URL is copied once into a temporary folder for the run (:func:`local_corpus`) and removed after;
a ``file://`` URL is its local path, not copied. The copy happens where ``run`` runs (the client of a Dask
cluster), which then sends the workers batches of speeches as it does for a local corpus.
"""
from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Iterator

from ..errors import InputError

__all__ = ["corpus_name", "is_url", "local_corpus"]

_URL = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]+)://(.*)", re.DOTALL)


def is_url(location: str | Path) -> bool:
    """Whether ``location`` is a URL (``protocol://...``) rather than a path; a :class:`Path` never is.

    >>> is_url("s3://bucket/ungdc.parquet"), is_url("data/raw"), is_url("C:/corpus")
    (True, False, False)
    """
    return isinstance(location, str) and _URL.fullmatch(location) is not None


def corpus_name(location: str | Path) -> str:
    """The last part of a corpus path or URL (``s3://b/x/ungdc.parquet`` -> ``ungdc.parquet``)."""
    if is_url(location):
        return PurePosixPath(_URL.fullmatch(str(location)).group(2).split("?")[0].rstrip("/")).name
    return Path(location).name


def _filesystem(url: str):
    """The fsspec filesystem of ``url`` and the path on it; a clear error for a protocol it cannot read."""
    protocol = _URL.fullmatch(url).group(1).lower()
    try:
        import fsspec
    except ImportError:  # pragma: no cover - installed with dask
        raise InputError(f"reading a corpus at a {protocol}:// URL needs fsspec: pip install fsspec",
                         path=url) from None
    try:
        fsspec.get_filesystem_class(protocol)
    except ValueError:
        known = sorted(name for name in fsspec.available_protocols() if len(name) > 2)
        raise InputError(f"unknown protocol {protocol!r} in the corpus URL (fsspec knows: {', '.join(known)})",
                         path=url) from None
    except ImportError as exc:
        hint = " (pip install 'unspeech-analysis[s3]')" if protocol in ("s3", "s3a") else ""
        raise InputError(f"cannot read {protocol}:// URLs here: {exc}{hint}", path=url) from None
    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError, OSError) as exc:
        raise InputError(f"cannot open the corpus URL: {exc}", path=url) from None


@contextlib.contextmanager
def local_corpus(location: str | Path) -> Iterator[Path]:
    """A local path for the corpus at ``location``, for the duration of the ``with`` block.

    A path is yielded as it is, a ``file://`` URL as its local path; a folder or file at any other URL is
    copied into a temporary folder (keeping its name, so a table's suffix still says its format), removed on
    exit.

    Raises
    ------
    InputError
        For a protocol fsspec does not know (or whose package is not installed), or a URL with nothing there.
    """
    if not is_url(location):
        yield Path(location)
        return
    url = str(location)
    filesystem, remote = _filesystem(url)
    from fsspec.implementations.local import LocalFileSystem

    if isinstance(filesystem, LocalFileSystem):
        yield Path(remote)
        return
    try:
        folder = filesystem.isdir(remote)
        if not folder and not filesystem.isfile(remote):
            raise InputError("corpus not found at this URL", path=url)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot open the corpus URL: {exc}", path=url) from None
    scratch = Path(tempfile.mkdtemp(prefix="unspeech-corpus-"))
    try:
        local = scratch / (corpus_name(url) or "corpus")
        try:
            if folder:
                filesystem.get(remote.rstrip("/") + "/", str(local), recursive=True)
                local.mkdir(exist_ok=True)  # an empty folder copies as nothing
            else:
                filesystem.get(remote, str(local))
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot copy the corpus from this URL: {exc}", path=url) from None
        yield local
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
