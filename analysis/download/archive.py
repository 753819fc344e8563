"""Archives checked member by member: what a file is (zip, tar, folder) and its regular files, safely.

Nothing is unpacked through a link, out of the folder, or past a size cap; see :func:`iter_archive`.
"""
from __future__ import annotations

import dataclasses
import os
import re
import stat
import tarfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO, Callable, Iterator, Literal

from ..errors import InputError

__all__ = ["MAX_MEMBER_BYTES", "MAX_UNPACKED_BYTES", "Member", "archive_kind", "iter_archive"]

#: Refuse an archive that would unpack to more than this (a zip bomb); the UNSC speeches are about 0.5 GB.
MAX_UNPACKED_BYTES = 16 * 2**30
#: Larger members are not speeches (the longest UN speech is well under 1 MB); they are left out.
MAX_MEMBER_BYTES = 100_000_000


@dataclasses.dataclass(frozen=True)
class Member:
    """A regular file inside an archive (or a folder): its path there, its size, and how to open it.

    ``open()`` gives a binary file object; for a tar it is valid until the next member is taken.
    """

    name: str
    size: int
    open: Callable[[], IO[bytes]]

    def read(self) -> bytes:
        with self.open() as handle:
            return handle.read()


def archive_kind(path: str | Path) -> Literal["zip", "tar", "folder"] | None:
    """What ``path`` is, by its content rather than its name: a zip, a tar (plain or compressed), a folder."""
    path = Path(path)
    if path.is_dir():
        return "folder"
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    try:
        return "tar" if tarfile.is_tarfile(path) else None
    except (OSError, EOFError):
        return None


def _unsafe_name(name: str) -> str | None:
    """Why a member name is unsafe to unpack, or ``None``."""
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "an absolute path"
    if ".." in parts:
        return "a path that leaves the folder ('..')"
    return None


def _link_leaves(name: str, target: str) -> bool:
    if target.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", target):
        return True
    depth = 0
    for part in (PurePosixPath(name).parent / target.replace("\\", "/")).parts:
        depth += -1 if part == ".." else (0 if part in ("", ".") else 1)
        if depth < 0:
            return True
    return False


def iter_archive(path: str | Path, *, select: Callable[[str], bool] | None = None,
                 max_bytes: int = MAX_UNPACKED_BYTES, max_member_bytes: int = MAX_MEMBER_BYTES,
                 skipped: list[str] | None = None) -> Iterator[Member]:
    """The regular files of a zip, a tar (plain, gzip, bzip2 or xz) or a folder, checked one by one.

    Every member is checked; only those whose name ``select`` accepts (all by default) are given, and count
    towards ``max_bytes``. Links that stay inside the archive are passed over (nothing is unpacked through a
    link), and so are selected files larger than ``max_member_bytes``; both are added to ``skipped``.

    Raises
    ------
    InputError
        On a member with an absolute path, a ``..`` component, a link that leads out of the archive, or a
        device or pipe; on selected members that would unpack to more than ``max_bytes``; on a file that is
        neither a zip nor a tar.
    """
    path = Path(path)
    kind = archive_kind(path)
    skipped = [] if skipped is None else skipped
    select = select or (lambda name: True)
    total = 0

    def refuse(name: str, why: str) -> InputError:
        return InputError(f"unsafe archive member {name!r}: {why}; nothing was unpacked from it", path=path)

    def too_big() -> InputError:
        return InputError(f"the archive unpacks to more than {max_bytes:,} bytes (a zip bomb?); refused", path=path)

    def wanted(name: str, size: int) -> bool:
        nonlocal total
        if not select(name):
            return False
        if size > max_member_bytes:
            skipped.append(f"{name} ({size:,} bytes: too large)")
            return False
        total += size
        if total > max_bytes:
            raise too_big()
        return True

    if kind == "zip":
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            for info in infos:  # all checked before anything is given
                why = _unsafe_name(info.filename)
                mode = info.external_attr >> 16
                if why:
                    raise refuse(info.filename, why)
                if stat.S_ISLNK(mode):
                    target = archive.read(info)[:4096].decode("utf-8", "replace")
                    if _link_leaves(info.filename, target):
                        raise refuse(info.filename, f"a link that leads out of the folder ({target!r})")
                elif mode and not info.is_dir() and not (stat.S_ISREG(mode) or stat.S_IFMT(mode) == 0):
                    raise refuse(info.filename, "a device, pipe or socket")
            if sum(info.file_size for info in infos if select(info.filename)) > max_bytes:
                raise too_big()  # the sizes a zip declares bound what it can unpack to
            for info in infos:
                if info.is_dir():
                    continue
                if stat.S_ISLNK(info.external_attr >> 16):
                    skipped.append(f"{info.filename} (a link)")
                elif wanted(info.filename, info.file_size):
                    if info.flag_bits & 0x1:
                        raise InputError(f"archive member {info.filename!r} is encrypted", path=path)
                    yield Member(info.filename, info.file_size, lambda info=info: archive.open(info))
    elif kind == "tar":
        with tarfile.open(path, mode="r|*") as archive:  # a stream: one pass, also through gzip
            for info in archive:
                why = _unsafe_name(info.name)
                if why:
                    raise refuse(info.name, why)
                if info.issym() or info.islnk():
                    if info.issym() and _link_leaves(info.name, info.linkname) or (
                            info.islnk() and _unsafe_name(info.linkname)):
                        raise refuse(info.name, f"a link that leads out of the folder ({info.linkname!r})")
                    skipped.append(f"{info.name} (a link)")
                    continue
                if info.isdir():
                    continue
                if not info.isfile():
                    raise refuse(info.name, "a device, pipe or socket")
                if wanted(info.name, info.size):
                    yield Member(info.name, info.size, lambda info=info: archive.extractfile(info))
    elif kind == "folder":
        for dirpath, dirnames, filenames in os.walk(path):  # symbolic links to folders are not followed
            dirnames.sort()
            for name in sorted(filenames):
                file = Path(dirpath) / name
                relative = file.relative_to(path).as_posix()
                status = file.lstat()
                if stat.S_ISLNK(status.st_mode):
                    skipped.append(f"{relative} (a link)")
                elif stat.S_ISREG(status.st_mode) and wanted(relative, status.st_size):
                    yield Member(relative, status.st_size, lambda file=file: open(file, "rb"))
    else:
        raise InputError("neither a zip nor a tar archive", path=path)
