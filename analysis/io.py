"""Reading and writing files: atomic writes, fixed CSV format, YAML with line numbers in errors.

Every output of the project goes through :func:`atomic_write`, so an interrupted run leaves either the
previous complete file or the new complete file, never half of one.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import IO, BinaryIO, Iterator, Mapping

import pandas as pd

from .errors import ConfigError, OutputError

#: Float format of every CSV the project writes (byte-identical reruns).
FLOAT_FORMAT = "%.6f"
#: Errors of the disk rather than of the code: a full disk or quota, a too large file, a read-only or failing device.
_DEVICE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO})


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w", *, encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success rename it over ``path``.

    If the body raises (or the process is interrupted by Ctrl-C or SIGTERM), ``path`` keeps its previous
    content and the temporary file is removed; after a hard kill (SIGKILL, power loss) ``path`` is still
    the previous or the new complete file, and an ignorable ``.<name>.*.tmp`` file may be left beside it, which
    :func:`remove_stale_temporaries` (called by the next ``run``) removes. The temporary file is locked until
    the rename, so that a concurrent clean-up leaves it alone.

    Raises
    ------
    OutputError
        If the folder cannot be created or written, or the file cannot be replaced (the body's own errors
        pass through unchanged).
    """
    path = Path(path)
    binary = "b" in mode
    if path.is_dir():
        raise OutputError("is a folder; give the name of a file to write", path=path)
    _make_folder(path.parent, for_path=path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write here: {exc.strerror or exc}", path=path) from exc
    held = _hold(fd)  # until the rename: remove_stale_temporaries leaves a file in use alone
    try:
        try:
            with os.fdopen(fd, mode, **({} if binary else {"encoding": encoding, "newline": ""})) as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            if exc.filename is None and exc.errno in _DEVICE_ERRORS:  # a write to our handle failed
                raise OutputError(f"cannot write: {exc.strerror or exc}", path=path) from exc
            raise
        os.chmod(tmp, 0o644)
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise OutputError(f"cannot replace the file: {exc.strerror or exc}", path=path) from exc
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    finally:
        if held is not None:
            os.close(held)


#: The names :func:`atomic_write` gives its temporary files (``tempfile.mkstemp``): ``.<name>.<8 characters>.tmp``.
TEMPORARY_NAME = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


def _hold(fd: int) -> int | None:
    """A second descriptor of ``fd``'s file holding an exclusive lock on it (released when the process dies),
    or ``None`` where file locks are not available."""
    try:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return os.dup(fd)
    except (ImportError, OSError):
        return None


def remove_stale_temporaries(folder: str | Path) -> list[Path]:
    """Remove the temporary files of :func:`atomic_write` that a killed process left in ``folder``.

    Only regular files whose names follow :data:`TEMPORARY_NAME` are considered, and only those no live
    writer holds (a writer locks its temporary file until the rename; a kill releases the lock), so a run
    writing into the same folder at the same time keeps its files. Where file locks are not available nothing
    is removed. Returns the files removed; a file that cannot be removed is left.
    """
    try:
        import fcntl
    except ImportError:
        return []
    removed = []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    for name in names:
        path = Path(folder) / name
        if not TEMPORARY_NAME.fullmatch(name):
            continue
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                continue
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held by a live writer: BlockingIOError, left alone
            os.unlink(path)
            removed.append(path)
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


def _make_folder(folder: Path, *, for_path: Path) -> None:
    """Create ``folder`` and its parents; an :class:`OutputError` about ``for_path`` says why it cannot."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocking = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), "a parent")
        raise OutputError(f"cannot create the output folder: {blocking} is a file", path=for_path) from None
    except OSError as exc:
        raise OutputError(f"cannot create the output folder: {exc.strerror or exc}", path=for_path) from None


def ensure_output_dir(path: str | Path) -> Path:
    """Create the output folder ``path`` if needed and check that files can be written in it.

    Called before a long computation, so that a wrong ``--out`` fails at once with one line.

    Raises
    ------
    OutputError
        If ``path`` (or one of its parents) is a file, or the folder cannot be created or written.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError("the output folder is a file; give a folder (it is created if missing)", path=path)
    _make_folder(path, for_path=path)
    # Try it: permission bits do not tell the whole story (read-only mounts, ACLs, root). A TemporaryFile has
    # no name on Linux (O_TMPFILE), so not even a kill at this moment leaves a file behind.
    try:
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise OutputError(f"cannot write in the output folder: {exc.strerror or exc}", path=path) from None
    return path


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` atomically as UTF-8 with ``\\n`` line ends."""
    with atomic_write(path) as handle:
        handle.write(text)
    return Path(path)


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` atomically."""
    with atomic_write(path, "wb", encoding=None) as handle:
        handle.write(data)
    return Path(path)


def write_csv(frame: pd.DataFrame, path: str | Path, *, float_format: str = FLOAT_FORMAT,
              neutralise: bool = True) -> Path:
    """Write a DataFrame as UTF-8 CSV, no index, ``\\n`` line ends, fixed float format, atomically.

    The bytes are those of ``frame.to_csv(index=False, float_format=float_format, lineterminator="\\n")``
    of :func:`neutralise_formulas` ``(frame)``: a text cell a spreadsheet would run as a formula gets a leading
    ``'`` (``neutralise=False`` for a file the project reads back as input, such as a corpus's
    ``metadata.csv``). Tables of plain columns (integers, floats, strings) are formatted column-wise by
    :func:`csv_bytes`, several times faster than pandas' row by row.
    """
    strings: dict[int, object] = {}
    if neutralise:
        frame, strings = _neutralised(frame)
    try:
        with atomic_write(path, "wb", encoding=None) as handle:
            # In blocks of rows, so that formatting holds a few copies of a block, not of the table.
            for start in range(0, max(len(frame), 1), _BLOCK_ROWS):
                # The text columns as Arrow arrays already (neutralising made them): sliced, not converted again.
                block = {position: array.slice(start, _BLOCK_ROWS) for position, array in strings.items()}
                data = csv_bytes(frame.iloc[start:start + _BLOCK_ROWS], float_format=float_format,
                                 header=start == 0, strings=block)
                if data is None:
                    raise _NotPlain
                handle.write(data)
        return Path(path)
    except _NotPlain:
        pass
    with atomic_write(path) as handle:
        frame.to_csv(handle, index=False, float_format=float_format, lineterminator="\n")
    return Path(path)


_BLOCK_ROWS = 200_000

#: What a spreadsheet takes for the start of a formula (OWASP, "CSV Injection"): ``= + - @``, tab, carriage return.
FORMULA_START = r"^[=+\-@\t\r]"
#: A cell that is a plain decimal number (``-0.5``, ``+1e5``) is a value, not a formula: left as it is.
PLAIN_NUMBER = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
_FORMULA_START = re.compile(FORMULA_START)
_PLAIN_NUMBER = re.compile(PLAIN_NUMBER)


def neutralise_cell(value: object) -> object:
    """``"'" + value`` for a string a spreadsheet would run as a formula, else ``value`` unchanged.

    >>> neutralise_cell("=cmd|' /C calc'!A0"), neutralise_cell("-0.5"), neutralise_cell(-2), neutralise_cell("a=b")
    ("'=cmd|' /C calc'!A0", '-0.5', -2, 'a=b')
    """
    if isinstance(value, str) and _FORMULA_START.match(value) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with :func:`neutralise_cell` applied to every text (object or string) column.

    Numeric columns are never touched; the caller's frame is not changed (a copy is returned when a cell
    changes, ``frame`` itself otherwise, so tables without such cells are written byte for byte as before).
    Strings are tested with Arrow, so a table of millions of sentences costs a few vectorised passes.
    """
    return _neutralised(frame)[0]


def _neutralised(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """:func:`neutralise_formulas`'s frame, and each text column that is all strings (by position) as the Arrow
    ``large_string`` array :func:`csv_bytes` would make of the returned frame's column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    changed: dict[int, pd.Series] = {}
    strings: dict[int, pa.Array] = {}
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if not (column.dtype == object or isinstance(column.dtype, pd.StringDtype)):
            continue
        text = _arrow_text(column)
        if text is None:  # not all strings: cell by cell
            values = column.to_numpy(dtype=object, na_value=None)
            fixed = [neutralise_cell(value) for value in values]
            if any(new is not old for new, old in zip(fixed, values)):
                changed[position] = pd.Series(fixed, index=frame.index, dtype=object)
            continue
        strings[position] = text
        starts = pc.match_substring_regex(text, FORMULA_START)
        if not pc.any(starts).as_py():  # the common case: the number test is not needed
            continue
        risky = pc.fill_null(pc.and_(starts, pc.invert(pc.match_substring_regex(text, PLAIN_NUMBER))), False)
        if not pc.any(risky).as_py():
            continue
        quote, empty = pa.scalar("'", pa.large_string()), pa.scalar("", pa.large_string())
        text = strings[position] = pc.if_else(risky, pc.binary_join_element_wise(quote, text, empty), text)
        fixed = pd.Series(text.to_numpy(zero_copy_only=False), index=frame.index, dtype=object)
        changed[position] = fixed.where(column.notna(), column)  # missing values stay as they were
    if not changed:
        return frame, strings
    frame = frame.copy()
    for position, values in changed.items():
        frame.isetitem(position, values)
    return frame, strings


def _arrow_text(column: pd.Series):
    """A text column as an Arrow ``large_string`` array (missing values null), ``None`` when not all its values
    are strings. Arrow-backed strings are taken as they are, not turned into Python strings and back."""
    import pyarrow as pa

    if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
        text = pa.array(column.array, type=pa.large_string())
        return text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    try:
        return pa.array(column.to_numpy(dtype=object, na_value=None), type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


class _NotPlain(Exception):
    """A table :func:`csv_bytes` does not cover."""


_NEEDS_QUOTES = '[,"\n]'  # what makes Python's csv writer (QUOTE_MINIMAL, lineterminator "\n") quote a field


def csv_bytes(frame: pd.DataFrame, *, float_format: str = FLOAT_FORMAT, header: bool = True,
              strings: Mapping[int, object] | None = None) -> bytes | None:
    """``frame.to_csv(index=False, float_format=float_format, lineterminator="\\n")`` encoded as UTF-8, built
    column by column with Arrow; ``None`` for a frame it does not cover (one column, or a column that is not of
    integers, floats or strings), which the caller then writes with pandas.

    Integers are written as ``str`` writes them, floats with ``float_format`` (each distinct value formatted
    once) and missing floats or strings as empty fields; a string holding ``,``, ``"`` or a line break is put
    in quotes with its quotes doubled, exactly as the csv module does. Tests compare the bytes with pandas'.
    ``strings`` (optional) holds text columns, by position, already converted to Arrow ``large_string`` arrays
    (as this function would convert them).
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(frame.columns) < 2 or not all(isinstance(name, str) for name in frame.columns):
        return None  # a one-column table writes an empty field as "": leave that to pandas
    head = (",".join(_quote(name) for name in frame.columns) + "\n").encode("utf-8") if header else b""
    fields = []
    strings = strings or {}
    for position, name in enumerate(frame.columns):
        column = frame[name]
        kind = column.dtype.kind
        if kind in "iu":
            fields.append(pc.cast(pa.array(column.to_numpy()), pa.large_string()))
        elif kind == "f":
            values = column.to_numpy(dtype=np.float64)
            missing = np.isnan(values)
            # Distinct bit patterns, not values: 0.0 and -0.0 are written differently.
            unique, inverse = np.unique(values[~missing].view(np.int64), return_inverse=True)
            texts = np.full(len(values), "", dtype=object)
            formatted = [float_format % value for value in unique.view(np.float64).tolist()]
            texts[~missing] = np.array(formatted, dtype=object)[inverse.ravel()]
            fields.append(pa.array(texts, type=pa.large_string()))
        elif kind in "OU" or isinstance(column.dtype, pd.StringDtype):
            text = strings.get(position)
            if text is None:
                text = _arrow_text(column)
                if text is None:
                    return None  # not all strings
            quote, empty = pa.scalar('"', pa.large_string()), pa.scalar("", pa.large_string())
            quoted = pc.binary_join_element_wise(quote, pc.replace_substring(text, '"', '""'), quote, empty)
            text = pc.if_else(pc.match_substring_regex(text, _NEEDS_QUOTES), quoted, text)
            fields.append(pc.fill_null(text, ""))
        else:
            return None
    if not len(frame):
        return head
    # Fields joined by commas, with an empty last field: each row ends with a comma...
    lines = pc.binary_join_element_wise(*fields, pa.scalar("", pa.large_string()), pa.scalar(",", pa.large_string()))
    lines = pc.utf8_replace_slice(lines, -1, 2 ** 62, "\n")  # ... which becomes the line end
    offsets, data = lines.buffers()[1], lines.buffers()[2]
    bounds = np.frombuffer(offsets, dtype=np.int64)[lines.offset:lines.offset + len(lines) + 1]
    return head + data.slice(int(bounds[0]), int(bounds[-1] - bounds[0])).to_pybytes()


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(char in value for char in ',"\n') else value


#: Why a path that is not a regular file is not read: a named pipe blocks until a writer comes, a device such as
#: ``/dev/zero`` never ends.
NOT_REGULAR = "not a regular file (a pipe, socket or device)"


class NotRegularFileError(OSError):
    """A path that names a pipe, socket or device where a file is expected (``strerror`` says so)."""

    def __init__(self, path: str | Path):
        super().__init__(errno.EINVAL, NOT_REGULAR, str(path))


def regular_file_status(path: str | Path) -> os.stat_result:
    """``os.stat(path)`` of a regular file (links followed).

    Raises
    ------
    IsADirectoryError
        For a folder.
    NotRegularFileError
        For a named pipe, socket or device (reading it would block or never end).
    OSError
        As :func:`os.stat` (missing, permission denied, a link loop).
    """
    status = os.stat(path)
    if stat.S_ISDIR(status.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
    if not stat.S_ISREG(status.st_mode):
        raise NotRegularFileError(path)
    return status


def open_regular_file(path: str | Path) -> BinaryIO:
    """Open a regular file for reading bytes; refuse anything else before it can block.

    The path is checked with :func:`regular_file_status`, then opened without blocking and checked again on the
    open handle, so a file swapped for a pipe in between is refused too. Every reader of input, configuration
    and cache files goes through here (or :func:`regular_file_status`).

    Raises
    ------
    IsADirectoryError, NotRegularFileError, OSError
        As :func:`regular_file_status`.
    """
    regular_file_status(path)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFileError(path)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular_bytes(path: str | Path) -> bytes:
    """The bytes of a regular file (:func:`open_regular_file`)."""
    with open_regular_file(path) as handle:
        return handle.read()


def file_digest(path: str | Path, algorithm: str = "sha256", *, chunk_size: int = 1 << 20) -> str:
    """Hex digest of a file's bytes by any :mod:`hashlib` algorithm (``"md5"``, ``"sha1"``, ``"sha512"``...),
    read in chunks of ``chunk_size`` bytes."""
    digest = hashlib.new(algorithm)
    with open_regular_file(path) as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path: str | Path, *, chunk_size: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    return file_digest(path, "sha256", chunk_size=chunk_size)


#: What a YAML alias in a configuration file is told: aliases are refused because a few lines of nested ones
#: expand to billions of values (an "alias bomb"), and no configuration file of the project needs them.
_ALIAS_REFUSED = "YAML aliases (*{anchor}) are not allowed; write the values out"


def _yaml_loader():
    """A safe YAML loader class that refuses aliases (``*name``) as it composes, before anything is expanded."""
    import yaml

    class AliasRefused(yaml.MarkedYAMLError):
        pass

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise AliasRefused(problem=_ALIAS_REFUSED.format(anchor=event.anchor), problem_mark=event.start_mark)
            return super().compose_node(parent, index)

    return Loader, AliasRefused


def _refuse_aliases(exc: Exception, path: Path, refused: type) -> None:
    if isinstance(exc, refused):
        raise ConfigError(exc.problem, path=path, line=exc.problem_mark.line + 1) from None


def read_yaml(path: str | Path) -> dict:
    """Load a YAML mapping; a syntax error becomes a :class:`ConfigError` naming the file and line.

    Aliases (``*name``) are refused with a :class:`ConfigError` naming their line: nested aliases expand
    exponentially (nine lines reach billions of values), and anchors alone (``&name``) are harmless.
    """
    import yaml

    path = Path(path)
    text = read_config_text(path)
    loader, refused = _yaml_loader()
    try:
        data = yaml.load(text, Loader=loader)  # a SafeLoader that also refuses aliases
    except yaml.MarkedYAMLError as exc:
        _refuse_aliases(exc, path, refused)
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else mark.line + 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(f"YAML syntax error: {problem}", path=path, line=line) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise ConfigError(f"not YAML text: character {chr(exc.character)!r} is not allowed ({exc.reason})",
                          path=path, line=line) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"YAML error: {exc}", path=path) from None
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping at the top level (keys such as 'version:')", path=path, line=1)
    return data


def yaml_key_lines(path: str | Path) -> dict[tuple[str, ...], int]:
    """Map each mapping key path in a YAML file to its 1-based line, for error messages.

    ``{("themes", "terrorism", "terms"): 12, ...}``; list items are keyed by their index as a string. Aliases
    are refused as by :func:`read_yaml`; other problems give what was found (:func:`read_yaml` reports them).
    """
    import yaml

    lines: dict[tuple[str, ...], int] = {}

    def walk(node, prefix: tuple[str, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                key_path = prefix + (str(key.value),)
                lines[key_path] = key.start_mark.line + 1
                walk(value, key_path)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                key_path = prefix + (str(index),)
                lines[key_path] = item.start_mark.line + 1
                walk(item, key_path)

    loader, refused = _yaml_loader()
    try:
        root = yaml.compose(read_config_text(path), Loader=loader)
    except refused as exc:
        _refuse_aliases(exc, Path(path), refused)
    except (yaml.YAMLError, ConfigError, OSError):
        return lines
    walk(root, ())
    return lines


def read_config_text(path: str | Path, *, encoding: str = "utf-8") -> str:
    """The text of a configuration or reference file; a missing file or one that is not UTF-8 becomes a
    :class:`ConfigError` naming it (and the byte where decoding failed)."""
    path = Path(path)
    try:
        return read_regular_bytes(path).decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
    except FileNotFoundError:
        raise ConfigError("file not found", path=path) from None
    except (IsADirectoryError, NotRegularFileError) as exc:
        raise ConfigError(exc.strerror, path=path) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=path) from None


def read_text_csv(path: str | Path) -> pd.DataFrame:
    """A CSV file with a header, every cell read as text (missing: ``""``), or an :class:`InputError` naming the
    file (and the line where the parser says): not found, not a regular file (a pipe would block), not UTF-8,
    not parseable, or a header that names a column twice (pandas would rename it ``id.1`` silently)."""
    from .errors import InputError

    path = Path(path)
    if not path.exists():
        raise InputError("input not found", path=path)
    try:
        with open_regular_file(path) as handle:
            rows = pd.read_csv(handle, header=None, dtype=str, keep_default_na=False, encoding="utf-8")
        header = rows.iloc[0].tolist()
        frame = rows.iloc[1:].set_axis(header, axis=1).reset_index(drop=True)
    except (IsADirectoryError, NotRegularFileError) as exc:
        raise InputError(exc.strerror, path=path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=path) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise InputError(f"not a readable CSV: {str(exc).splitlines()[0]}", path=path,
                         line=int(line.group(1)) if line else None) from None
    repeated = sorted({column for column in header if header.count(column) > 1})
    if repeated:
        raise InputError(f"the header names column {repeated[0]!r} twice; give each column its own name",
                         path=path, line=1)
    return frame
