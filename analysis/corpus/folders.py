"""Which files of a corpus folder are read: :func:`list_folder`.

This module owns the walk over a corpus folder, shared by the reader (:mod:`analysis.corpus.formats`) and the
cache (:func:`analysis.cache.input_fingerprint`, which must key on exactly the files the reader reads):
``.txt`` speeches and ``metadata.csv`` files, in sorted order, recursively; hidden entries and excluded
folders passed over; other files, unreadable folders and symbolic-link loops reported.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Iterable

__all__ = ["Listing", "list_folder"]


def _stat_or_none(path: str | Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


@dataclasses.dataclass
class Listing:
    """The files under a corpus folder, sorted, and what was passed over.

    Attributes
    ----------
    texts : list of Path
        The ``.txt`` speeches.
    metadata : list of Path
        The ``metadata.csv`` files.
    skipped : list of (str, str)
        ``(relative path, reason)`` of each entry reported rather than read.
    """

    texts: list[Path]
    metadata: list[Path]
    skipped: list[tuple[str, str]]


def list_folder(root: Path, *, exclude: Iterable[str | Path] = ()) -> Listing:
    """Walk ``root`` recursively in sorted order.

    Symbolic links to folders are followed once: a link back to a folder that contains it (a loop) or to
    a folder already walked is reported, not followed. Hidden files and folders, and the folders in
    ``exclude`` (such as the output folder of the run), are passed over silently; files other than ``.txt``
    speeches and ``metadata.csv`` are reported as ignored.

    Parameters
    ----------
    root : Path
        The corpus folder.
    exclude : iterable of paths
        Folders that are not walked.

    Returns
    -------
    Listing
    """
    listing = Listing(texts=[], metadata=[], skipped=[])
    excluded = {(status.st_dev, status.st_ino) for status in map(_stat_or_none, exclude) if status is not None}

    def relative(path: str | Path) -> str:
        return Path(path).relative_to(root).as_posix()

    def cannot_list(error: OSError) -> None:
        listing.skipped.append((relative(error.filename), f"cannot list folder: {error.strerror or error}"))

    root_stat = root.stat()
    walked = {(root_stat.st_dev, root_stat.st_ino): "."}
    for dirpath, dirnames, filenames in os.walk(root, onerror=cannot_list, followlinks=True):
        here = relative(dirpath)
        kept = []
        for name in sorted(dirnames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            try:
                status = path.stat()
            except OSError as exc:
                listing.skipped.append((relative(path), f"cannot read folder: {exc.strerror or exc}"))
                continue
            key = (status.st_dev, status.st_ino)
            if key in excluded:
                continue
            if key in walked:
                seen = walked[key]
                loop = seen == "." or here == seen or here.startswith(seen + "/")
                listing.skipped.append((relative(path), (
                    f"symbolic link loop: leads back to {seen!r}, which contains it; not followed" if loop
                    else f"the same folder as {seen!r} (a symbolic link); not read twice")))
                continue
            walked[key] = relative(path)
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            if name == "metadata.csv":
                listing.metadata.append(path)
            elif name.lower().endswith(".txt"):
                listing.texts.append(path)
            else:
                listing.skipped.append((relative(path), "not a .txt speech or metadata.csv; ignored"))
    return listing
