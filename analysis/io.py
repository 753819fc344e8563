"""Reading and writing files: atomic writes, fixed CSV format, YAML with line numbers in errors.

Every output of the project goes through :func:`atomic_write`, so an interrupted run leaves either the
previous complete file or the new complete file, never half of one.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import IO, Iterator

import pandas as pd

from .errors import ConfigError

#: Float format of every CSV the project writes (byte-identical reruns).
FLOAT_FORMAT = "%.6f"


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w", *, encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success rename it over ``path``.

    If the body raises (or the process dies), ``path`` keeps its previous content and the temporary file
    is removed (or, after a hard kill, left as an ignorable ``.*.tmp`` file).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    binary = "b" in mode
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({} if binary else {"encoding": encoding, "newline": ""})) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


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


def write_csv(frame: pd.DataFrame, path: str | Path, *, float_format: str = FLOAT_FORMAT) -> Path:
    """Write a DataFrame as UTF-8 CSV, no index, ``\\n`` line ends, fixed float format, atomically."""
    with atomic_write(path) as handle:
        frame.to_csv(handle, index=False, float_format=float_format, lineterminator="\n")
    return Path(path)


def file_sha256(path: str | Path, *, chunk_size: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_yaml(path: str | Path) -> dict:
    """Load a YAML mapping; a syntax error becomes a :class:`ConfigError` naming the file and line."""
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", path=path) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=path) from None
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else mark.line + 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(f"YAML syntax error: {problem}", path=path, line=line) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"YAML error: {exc}", path=path) from None
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping at the top level (keys such as 'version:')", path=path, line=1)
    return data


def yaml_key_lines(path: str | Path) -> dict[tuple[str, ...], int]:
    """Map each mapping key path in a YAML file to its 1-based line, for error messages.

    ``{("themes", "terrorism", "terms"): 12, ...}``; list items are keyed by their index as a string.
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

    try:
        root = yaml.compose(Path(path).read_text(encoding="utf-8"))
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return lines
    walk(root, ())
    return lines
