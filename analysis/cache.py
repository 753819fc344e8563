"""A cache of computed tables on disk, so that re-running a notebook on the same corpus skips the work.

An entry is a folder ``<cache_dir>/<key>/`` holding one Parquet file per table and a ``manifest.json`` that
records the key, the cache format, the SHA-256 of every file, the caller's metadata (``meta``) and a SHA-256 of
all of that, so no part of an entry is trusted unchecked. The key is a hash of everything the tables
depend on (:func:`cache_key`): the input's content (:func:`input_fingerprint`), the source code that
computes them (:func:`code_fingerprint`) and the configuration files (lexicon, codebook, stopwords). Change
any of them and the key changes, so a stale entry is never found.

Safety:

* an entry is written into a temporary folder beside it and renamed into place in one step, so a reader
  sees a complete entry or none (two processes writing the same entry: the second rename loses, harmlessly);
* on reading, a missing, truncated, corrupt or foreign entry (wrong key or format, checksum mismatch of a
  table or of the manifest, unreadable Parquet, a pipe or device in place of a file) is treated as a miss,
  removed, and the caller recomputes and rewrites it.

Tables keep their dtypes through Parquet except that text columns come back as ``object`` (as the project
builds them), so a table read from the cache equals the one that was stored.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd

from . import __version__, paths
from .io import file_sha256, open_regular_file, read_regular_bytes

__all__ = ["CACHE_FORMAT", "cache_key", "code_fingerprint", "input_fingerprint", "load_entry", "store_entry"]

#: Version of the entry layout; bump it when the layout changes (old entries are then never found).
#: 2: the manifest carries a checksum of itself (meta included).
CACHE_FORMAT = 2

_PACKAGE_DIR = Path(__file__).resolve().parent


def input_fingerprint(path: str | Path, *, exclude: Iterable[str | Path] = ()) -> str:
    """SHA-256 of a corpus input's content.

    For a table, the file's bytes; for one ``.txt`` speech, its bytes and those of the ``metadata.csv`` beside it.
    For a folder, every file the corpus reader reads (``.txt`` speeches and ``metadata.csv``, as
    :func:`analysis.corpus.read_corpus` lists them, ``exclude`` left out): relative path, then bytes, in order;
    and every entry it reports instead (other files, link loops, unreadable folders: the rows of ``skipped.csv``
    that come from the listing) by relative path, reason, size and modification time. Renaming, adding,
    removing or editing any of them changes the fingerprint; touching a speech does not (touching a skipped
    file does). A pipe or a device is never read: the reason it is skipped stands for its content.
    """
    from .corpus import list_folder

    path = Path(path)
    digest = hashlib.sha256()
    if path.is_dir():
        digest.update(b"folder\0")
        listing = list_folder(path, exclude=exclude)
        for file in sorted(listing.texts + listing.metadata):
            digest.update(file.relative_to(path).as_posix().encode("utf-8") + b"\0")
            digest.update(_content_key(file) + b"\0")  # unreadable files are skipped by the reader: their reason
        # Every entry the reader reports rather than reads (a PDF, a link loop, an unreadable folder), by name,
        # reason, size and modification time, so that skipped.csv is right on a hit.
        for name, reason in sorted(listing.skipped):
            digest.update(f"skipped\0{name}\0{reason}\0{_size_and_time(path / name)}\0".encode("utf-8"))
    else:
        digest.update(b"file\0" + path.name.encode("utf-8") + b"\0" + _content_key(path))
        beside = path.parent / "metadata.csv"
        if path.suffix.lower() == ".txt" and beside.is_file():  # one speech reads the metadata beside it
            digest.update(b"\0metadata\0" + _content_key(beside))
    return digest.hexdigest()


def _size_and_time(path: Path) -> str:
    """``size mtime_ns`` of a path (links followed, else the link itself), or ``-`` if neither can be read."""
    for status in (os.stat, os.lstat):
        try:
            found = status(path)
        except OSError:
            continue
        return f"{found.st_size} {found.st_mtime_ns}"
    return "-"


def _content_key(path: Path) -> bytes:
    """The SHA-256 of a file's bytes, or the reason it cannot be read: a pipe or a device is not read (it would
    block or never end) but keyed on as the reader reports it."""
    try:
        return file_sha256(path).encode("ascii")
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}".encode("utf-8")


def code_fingerprint(modules: Iterable[str]) -> str:
    """SHA-256 of the package version and the source of the named modules of ``analysis`` (e.g. ``"text"``).

    A name that is a subpackage (``"corpus"``) stands for every module in it.

    Any edit to the code that computes a cached table changes its key, without anyone having to remember to
    bump a version number.
    """
    digest = hashlib.sha256(f"analysis {__version__}\0".encode("utf-8"))
    for module in sorted(set(modules)):
        package = _PACKAGE_DIR / module
        if package.is_dir():  # a subpackage (e.g. corpus/): every module of it, by relative path
            for source in sorted(package.rglob("*.py"), key=lambda path: path.relative_to(package).as_posix()):
                name = f"{module}/{source.relative_to(package).as_posix()}"
                digest.update(name.encode("utf-8") + b"\0" + source.read_bytes() + b"\0")
            continue
        source = _PACKAGE_DIR / f"{module}.py"
        digest.update(module.encode("utf-8") + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


def cache_key(*parts: str | Mapping) -> str:
    """One hex key from strings and JSON-able mappings (e.g. options), order-sensitive."""
    digest = hashlib.sha256(f"cache format {CACHE_FORMAT}\0".encode("utf-8"))
    for part in parts:
        text = part if isinstance(part, str) else json.dumps(part, sort_keys=True, default=str)
        digest.update(text.encode("utf-8") + b"\0")
    return digest.hexdigest()[:32]


def _entry_dir(cache_dir: str | Path | None, key: str) -> Path:
    return Path(paths.CACHE_DIR if cache_dir is None else cache_dir) / key


def load_entry(key: str, *, cache_dir: str | Path | None = None) -> tuple[dict[str, pd.DataFrame], dict] | None:
    """The tables and metadata stored under ``key``, or ``None`` (a miss) if there is no sound entry.

    A damaged entry is removed, so that the next :func:`store_entry` can replace it.
    """
    folder = _entry_dir(cache_dir, key)
    manifest_path = folder / "manifest.json"
    if not os.path.lexists(manifest_path):
        return None
    try:
        # Every file is read through read_regular_bytes: a pipe or device planted in an entry is damage, not a hang.
        manifest = json.loads(read_regular_bytes(manifest_path).decode("utf-8"))
        if manifest.get("key") != key or manifest.get("format") != CACHE_FORMAT:
            raise ValueError("foreign entry")
        if manifest.get("sha256") != _manifest_sha256(manifest):  # meta and table descriptions included
            raise ValueError("checksum mismatch in manifest.json")
        tables = {}
        for name, expected in manifest["tables"].items():
            file = folder / f"{name}.parquet"
            data = read_regular_bytes(file)
            if hashlib.sha256(data).hexdigest() != expected["sha256"]:
                raise ValueError(f"checksum mismatch in {file.name}")
            frame = pd.read_parquet(io.BytesIO(data))
            if len(frame) != expected["rows"] or list(frame.columns) != expected["columns"]:
                raise ValueError(f"unexpected shape in {file.name}")
            tables[name] = _restore_dtypes(frame, expected["object_columns"])
        return tables, manifest["meta"]
    except Exception:  # any damage (pyarrow has its own error types for corrupt files): a miss
        _remove(folder)
        return None


def store_entry(key: str, tables: Mapping[str, pd.DataFrame], *, meta: Mapping | None = None,
                cache_dir: str | Path | None = None) -> Path | None:
    """Store tables under ``key`` atomically; return the entry folder, or ``None`` if it could not be written.

    A failure to write (disk full, read-only folder) never fails the caller: the cache is an optimisation.
    """
    folder = _entry_dir(cache_dir, key)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{key}.", suffix=".tmp", dir=folder.parent))
    except OSError:
        return None
    try:
        described = {}
        for name, frame in tables.items():
            file = staging / f"{name}.parquet"
            frame.to_parquet(file, index=False)  # atomic: staged in a temporary folder renamed in one go
            described[name] = {"sha256": file_sha256(file), "rows": int(len(frame)),
                               "columns": [str(c) for c in frame.columns],
                               "object_columns": [str(c) for c in frame.columns if frame[c].dtype == object]}
        manifest = {"key": key, "format": CACHE_FORMAT, "tables": described,
                    "meta": json.loads(json.dumps(dict(meta or {}), sort_keys=True, default=str))}
        manifest["sha256"] = _manifest_sha256(manifest)
        with open(staging / "manifest.json", "w", encoding="utf-8") as handle:  # atomic: staged, as above
            json.dump(manifest, handle, indent=2, sort_keys=True, default=str)  # atomic: staged, as above
            handle.flush()
            os.fsync(handle.fileno())
        if folder.exists():  # a damaged or concurrent entry: replace it
            _remove(folder)
        os.rename(staging, folder)
        return folder
    except OSError:
        _remove(staging)
        return folder if (folder / "manifest.json").is_file() else None
    except BaseException:
        _remove(staging)
        raise


def _manifest_sha256(manifest: Mapping) -> str:
    """SHA-256 of an entry's manifest without its own ``sha256``: key, format, table descriptions and meta."""
    body = {name: value for name, value in manifest.items() if name != "sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=True).encode("ascii")).hexdigest()


def _restore_dtypes(frame: pd.DataFrame, object_columns: list[str]) -> pd.DataFrame:
    for column in object_columns:
        values = frame[column]
        if values.dtype != object:
            frame[column] = pd.Series(values.to_numpy(dtype=object, na_value=None), index=frame.index, dtype=object)
    return frame


def _remove(folder: Path) -> None:
    with contextlib.suppress(OSError):
        shutil.rmtree(folder)


def load_object(kind: str, key: str, *, cache_dir: str | Path | None) -> object | None:
    """A Python object stored by :func:`store_object` (a fitted model), or ``None`` on a miss.

    The file carries its key and a checksum; a damaged or foreign file is removed and is a miss, so the caller
    refits rather than trusting it.
    """
    if cache_dir is None:
        return None
    path = Path(cache_dir) / f"{kind}-{key[:24]}.joblib"
    if not path.is_file():
        return None
    import joblib

    try:
        with open_regular_file(path) as handle:  # a pipe planted in the cache is damage, not a hang
            stored = joblib.load(handle)
        if not isinstance(stored, dict) or stored.get("key") != key:
            raise ValueError("foreign entry")
        return stored["object"]
    except Exception:  # any damage (joblib and pickle raise many kinds): a miss
        with contextlib.suppress(OSError):
            path.unlink()
        return None


def store_object(kind: str, key: str, value: object, *, cache_dir: str | Path | None) -> None:
    """Store a picklable object under ``key`` atomically; a failure to write never fails the caller."""
    if cache_dir is None:
        return
    import joblib

    from .errors import OutputError
    from .io import write_bytes

    buffer = io.BytesIO()
    joblib.dump({"key": key, "object": value}, buffer)
    try:
        write_bytes(Path(cache_dir) / f"{kind}-{key[:24]}.joblib", buffer.getvalue())
    except OutputError:  # the cache only saves time: a read-only or full disk must not stop the work
        pass


def corpus_fingerprint(documents: pd.DataFrame) -> str:
    """SHA-256 over the sorted doc_ids and cleaned texts: identical corpora give identical fingerprints."""
    digest = hashlib.sha256()
    for doc_id, text in sorted(zip(documents["doc_id"], documents["text"])):
        digest.update(doc_id.encode("utf-8") + b"\0" + text.encode("utf-8") + b"\0")
    return digest.hexdigest()


def package_modules() -> list[str]:
    """Every module and subpackage of ``analysis`` (``stance``, ``corpus``, ...): the code the tables' cache key
    covers, so that an edit anywhere in the package misses the cache."""
    package = Path(__file__).resolve().parent
    return sorted(path.stem for path in package.glob("*.py")) + sorted(
        path.name for path in package.iterdir() if (path / "__init__.py").is_file())
