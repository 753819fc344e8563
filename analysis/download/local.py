"""Files fetched by hand (``download --from-files PATH``): finding each dataset file's role among them."""
from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath

from ..errors import InputError
from .archive import MAX_UNPACKED_BYTES, archive_kind, iter_archive
from .datasets import Dataset, role_of
from .fetch import CHUNK_BYTES

__all__ = ["local_sources"]


def local_sources(dataset: Dataset, root: Path, staging: Path) -> tuple[dict[str, list[Path]], list[str]]:
    """Files fetched by hand: the role files under ``root`` (a folder, or a Dataverse zip bundle).

    Files are matched to the dataset's roles by name; role files inside a zip bundle are copied out into
    ``staging``. Without a speech archive, ``root`` itself (a folder of loose speeches, or an archive) is the
    speeches.

    Returns
    -------
    sources : dict of role -> list of Path
    notes : list of str
        One line saying which files are used, unverified.

    Raises
    ------
    InputError
        If ``root`` does not exist.
    """
    from ..io import atomic_write  # imports pandas: not at the command line's start

    root = Path(root)
    if not root.exists():
        raise InputError("not found (give the folder or the zip bundle you downloaded by hand)", path=root)
    sources: dict[str, list[Path]] = {}
    if root.is_dir():
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                role = role_of(dataset, name)
                if role is not None:
                    sources.setdefault(role, []).append(Path(dirpath) / name)
        if "speeches" not in sources:
            bundles = sorted(root.glob("*.zip"))
            if len(bundles) == 1:  # the zip bundle Dataverse's "download all" gives
                return local_sources(dataset, bundles[0], staging)
            sources["speeches"] = [root]  # loose speech files: the folder itself is the archive
    elif archive_kind(root) == "zip" and role_of(dataset, root.name) is None:
        # A bundle as Dataverse's "download all" gives it: take the role files out of it.
        def has_role(name: str) -> bool:
            return role_of(dataset, PurePosixPath(name).name) is not None

        for member in iter_archive(root, select=has_role, max_member_bytes=MAX_UNPACKED_BYTES):
            name = PurePosixPath(member.name).name
            target = staging / name
            with member.open() as source, atomic_write(target, "wb", encoding=None) as handle:
                shutil.copyfileobj(source, handle, CHUNK_BYTES)
            sources.setdefault(role_of(dataset, name), []).append(target)
        if "speeches" not in sources:
            sources["speeches"] = [root]
    else:
        sources["speeches"] = [root]
    notes = [f"--from-files: {', '.join(p.name for ps in sources.values() for p in ps)} used as found "
             "(no checksums to compare with)"]
    return sources, notes
