"""The theme lexicon: its file format, validation and loading (``config/themes.yml`` by default)."""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from pathlib import Path
from typing import Mapping

from .. import paths
from ..errors import ConfigError
from ..io import read_yaml, yaml_key_lines

from ..patterns import parse_pattern

# --------------------------------------------------------------------------------------------------
# Lexicon
# --------------------------------------------------------------------------------------------------

_TOP_KEYS = ("version", "description", "themes")
_THEME_KEYS = ("description", "terms", "exclude", "examples", "baseline")
_EXAMPLE_KEYS = ("match", "no_match")
_THEME_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclasses.dataclass(frozen=True)
class Theme:
    """One theme of a :class:`Lexicon`.

    ``terms`` and ``exclude`` are patterns as written in the file (see :func:`parse_lexicon`);
    ``match`` and ``no_match`` are the example sentences that must and must not carry the theme; ``baseline``
    is an optional plain regular expression, the keyword search the lexicon is measured against
    (:func:`analysis.themes.keyword_baseline`).
    """

    name: str
    terms: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    match: tuple[str, ...] = ()
    no_match: tuple[str, ...] = ()
    description: str = ""
    baseline: str = ""


@dataclasses.dataclass(frozen=True)
class Lexicon:
    """A versioned theme lexicon: the themes in file order, where it came from and its content hash."""

    version: str
    themes: tuple[Theme, ...]
    source: str = ""
    sha256: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(theme.name for theme in self.themes)

    @property
    def phrases(self) -> tuple[str, ...]:
        """The multi-word terms of every theme, sorted: what term counting should treat as units."""
        return tuple(sorted({term for theme in self.themes for term in theme.terms if len(term.split()) > 1}))

    def __getitem__(self, name: str) -> Theme:
        for theme in self.themes:
            if theme.name == name:
                return theme
        raise KeyError(f"no theme {name!r} in lexicon version {self.version} (themes: {', '.join(self.names)})")


def parse_lexicon(data: Mapping, *, path: str | Path | None = None,
                  lines: Mapping[tuple[str, ...], int] | None = None, check_examples: bool = True) -> Lexicon:
    """Validate a lexicon mapping (as read from YAML) and build a :class:`Lexicon`.

    The mapping has ``version``, optionally ``description``, and ``themes``: theme name → ``terms`` (a non-empty
    list of patterns), optional ``exclude`` (patterns), ``examples`` with ``match`` (at least one sentence) and
    ``no_match``, an optional ``description`` and an optional ``baseline`` (a regular expression: the plain
    keyword search the theme's labels are compared with in evaluations).

    A pattern is one word or a phrase of words separated by spaces. Words are matched, case-insensitively, on
    the project tokeniser's tokens (hyphenated words and ``Da'esh`` are one token); ``*`` in a word stands for
    any run of characters of that token (``terror*``, ``*terror*``) and ``?`` for exactly one (``organi?ed``):
    the project's one pattern language, :mod:`analysis.patterns`.

    Parameters
    ----------
    data : mapping
        The parsed file.
    path : str or Path, optional
        Named in error messages.
    lines : mapping, optional
        Key path → line (:func:`analysis.io.yaml_key_lines`), so errors name the line.
    check_examples : bool
        Refuse a lexicon whose ``match`` example lacks its theme or whose ``no_match`` example has it.

    Raises
    ------
    ConfigError
        Naming the file, the line and what is wrong.
    """
    lines = lines or {}

    def fail(message: str, *key: str | int) -> ConfigError:
        key_path = tuple(str(k) for k in key)
        line = None
        while key_path and line is None:
            line = lines.get(key_path)
            key_path = key_path[:-1]
        return ConfigError(message, path=path, line=line if line is not None else (1 if lines else None))

    if not isinstance(data, Mapping):
        raise fail("expected a mapping with 'version' and 'themes'")
    for key in data:
        if key not in _TOP_KEYS:
            raise fail(f"unknown key {key!r}; valid keys: {', '.join(_TOP_KEYS)}", key)
    version = data.get("version")
    if version is None or isinstance(version, (dict, list, bool)) or not str(version).strip():
        raise fail("missing 'version' (e.g. version: \"1\")", "version")
    raw_themes = data.get("themes")
    if not isinstance(raw_themes, Mapping) or not raw_themes:
        raise fail("'themes' must be a mapping of theme names to their terms", "themes")
    themes = []
    for name, spec in raw_themes.items():
        where = ("themes", str(name))
        if not isinstance(name, str) or not _THEME_NAME.fullmatch(name):
            raise fail(f"invalid theme name {name!r}: use lower-case letters, digits and _ (it becomes the "
                       f"column theme_<name>)", *where)
        if not isinstance(spec, Mapping):
            raise fail(f"theme {name!r} must be a mapping with 'terms' and 'examples'", *where)
        for key in spec:
            if key not in _THEME_KEYS:
                raise fail(f"unknown key {key!r} in theme {name!r}; valid keys: {', '.join(_THEME_KEYS)}",
                           *where, key)
        patterns = {}
        for field in ("terms", "exclude"):
            items = spec.get(field)
            if items is None:
                items = []
            if not isinstance(items, list):
                raise fail(f"{field!r} of theme {name!r} must be a list of patterns", *where, field)
            for index, item in enumerate(items):
                try:
                    parse_pattern(item)
                except ValueError as exc:
                    raise fail(f"theme {name!r}: {exc}", *where, field, index) from None
            patterns[field] = tuple(str(item) for item in items)
        if not patterns["terms"]:
            raise fail(f"theme {name!r} has no terms", *where, "terms")
        examples = spec.get("examples")
        if not isinstance(examples, Mapping):
            raise fail(f"theme {name!r} needs 'examples' with 'match' (and 'no_match') sentences", *where)
        for key in examples:
            if key not in _EXAMPLE_KEYS:
                raise fail(f"unknown key {key!r} in examples of theme {name!r}; valid keys: "
                           f"{', '.join(_EXAMPLE_KEYS)}", *where, "examples", key)
        sentences = {}
        for kind in _EXAMPLE_KEYS:
            items = examples.get(kind) or []
            if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
                raise fail(f"examples.{kind} of theme {name!r} must be a list of sentences", *where, "examples",
                           kind)
            sentences[kind] = tuple(items)
        if not sentences["match"]:
            raise fail(f"theme {name!r} needs at least one examples.match sentence", *where, "examples")
        description = spec.get("description") or ""
        baseline = spec.get("baseline") or ""
        if not isinstance(baseline, str):
            raise fail(f"baseline of theme {name!r} must be a regular expression (a string)", *where, "baseline")
        try:
            re.compile(baseline)
        except re.error as exc:
            raise fail(f"baseline of theme {name!r} is not a valid regular expression: {exc}", *where,
                       "baseline") from None
        themes.append(Theme(name=name, terms=patterns["terms"], exclude=patterns["exclude"],
                            match=sentences["match"], no_match=sentences["no_match"],
                            description=" ".join(str(description).split()), baseline=baseline))
    lexicon = Lexicon(version=str(version).strip(), themes=tuple(themes), source="" if path is None else str(path))
    if check_examples:
        from .matcher import check_lexicon

        for row in check_lexicon(lexicon, coverage=False).itertuples():
            raise fail(f"theme {row.theme!r}: {row.problem}: {row.item!r}", "themes", row.theme, "examples",
                       row.kind, row.index)
    return lexicon


def load_lexicon(path: str | Path | None = None, *, check_examples: bool = True) -> Lexicon:
    """Read and validate a theme lexicon YAML file (default: ``config/themes.yml``).

    The result is cached until the file changes (a :class:`Lexicon` is immutable).

    Raises
    ------
    ConfigError
        For a missing file, a YAML syntax error, unknown keys, a theme without terms, an invalid pattern or an
        example that does not behave as stated: one line naming the file, the line and the reason.
    """
    path = Path(paths.THEMES_FILE if path is None else path)
    try:
        stat = path.stat()
    except OSError:
        raise ConfigError("file not found", path=path) from None
    return _load_lexicon_cached(str(path), stat.st_mtime_ns, stat.st_size, check_examples)


@functools.lru_cache(maxsize=16)
def _load_lexicon_cached(path: str, mtime_ns: int, size: int, check_examples: bool) -> Lexicon:
    data = read_yaml(path)
    lexicon = parse_lexicon(data, path=path, lines=yaml_key_lines(path), check_examples=check_examples)
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return dataclasses.replace(lexicon, sha256=digest)


def _resolve_lexicon(lexicon: Lexicon | str | Path | None) -> Lexicon:
    if isinstance(lexicon, Lexicon):
        return lexicon
    if lexicon is None or isinstance(lexicon, (str, Path)):
        return load_lexicon(lexicon)
    raise TypeError(f"lexicon must be a Lexicon, a path or None, got {type(lexicon).__name__}")


