"""Reading ``config/stance.yml``: the schema, lexicon expansion, each cue's examples and counterexamples checked
on load, and the cache of loaded codebooks (a file is read once until it changes).

Every problem is a :class:`analysis.errors.ConfigError` naming the file, the line and the key.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from .. import paths
from ..errors import ConfigError
from ..io import file_sha256, read_yaml, yaml_key_lines
from ..patterns import word_list_regex
from .codebook import FLAGS, Codebook, Cue
from .cue_syntax import (alternative_regex, context_source, is_sentence_level, literal_prefixes, prepare_pattern,
                         split_alternatives)
from .matcher import CueMatcher

_TOP_KEYS = ("version", "codebook", "labels", "precedence", "default", "favor", "against", "lexicons", "cues",
             "checks")
_CUE_KEYS = ("name", "kind", "pattern", "after", "not_after", "before", "not_before", "within", "examples",
             "counterexamples", "suppresses", "note")
_CONTEXT_KEYS = ("after", "not_after", "before", "not_before")
_LEXICON_REF = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_CUE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 '+/,.()-]*")

class _Where:
    """Line numbers of a YAML file's keys, for one-line error messages."""

    def __init__(self, path: Path):
        self.path = path
        self._lines: dict | None = None

    @property
    def lines(self) -> dict:
        if self._lines is None:  # parsed again only when an error needs a line number
            self._lines = yaml_key_lines(self.path)
        return self._lines

    def line(self, *keys: object) -> int | None:
        keys = tuple(str(key) for key in keys)
        while keys:
            if keys in self.lines:
                return self.lines[keys]
            keys = keys[:-1]
        return None

    def error(self, message: str, *keys: object) -> ConfigError:
        return ConfigError(message, path=self.path, line=self.line(*keys))


def _string_list(value, where: _Where, *keys: object, allow_empty: bool = True) -> tuple[str, ...]:
    if value is None:
        value = []
    if isinstance(value, str) or not isinstance(value, list):
        raise where.error(f"'{keys[-1]}' must be a list of strings", *keys)
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise where.error(f"'{keys[-1]}' item {index + 1} must be a non-empty string", *keys, index)
    if not allow_empty and not value:
        raise where.error(f"'{keys[-1]}' must not be empty", *keys)
    return tuple(value)


def _expand_lexicons(raw: Mapping, where: _Where) -> dict[str, str]:
    """Lexicons by name, as regexes with every ``{reference}`` expanded (cycles refused)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise where.error("'lexicons' must be a mapping of name: regex or list of phrases", "lexicons")
    source: dict[str, str] = {}
    for name, value in raw.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(name)):
            raise where.error(f"lexicon name {name!r} must be a word (letters, digits, _)", "lexicons", name)
        if isinstance(value, list):
            phrases = _string_list(value, where, "lexicons", name, allow_empty=False)
            source[name] = word_list_regex([p.strip() for p in phrases])
        elif isinstance(value, str) and value.strip():
            source[name] = f"(?:{value.strip()})"
        else:
            raise where.error(f"lexicon {name!r} must be a regex string or a list of phrases", "lexicons", name)
    expanded: dict[str, str] = {}

    def expand(name: str, stack: tuple[str, ...]) -> str:
        if name in expanded:
            return expanded[name]
        if name in stack:
            raise where.error(f"lexicon {name!r} refers to itself ({' -> '.join(stack + (name,))})",
                              "lexicons", name)
        if name not in source:
            raise where.error(f"unknown lexicon {{{name}}} (defined: {', '.join(sorted(source))})",
                              "lexicons", stack[-1] if stack else name)

        def substitute(match: re.Match) -> str:
            return expand(match.group(1), stack + (name,))

        expanded[name] = _LEXICON_REF.sub(substitute, source[name])
        return expanded[name]

    for name in source:
        expand(name, ())
    return expanded


def _compile_checked(regex: str, where: _Where, *keys: object) -> re.Pattern:
    try:
        compiled = re.compile(regex, FLAGS)
    except re.error as exc:
        raise where.error(f"invalid regular expression: {exc.msg} (at position {exc.pos})", *keys) from None
    if compiled.groups:
        raise where.error("pattern has a capturing group '(...)': write '(?:...)' instead", *keys)
    return compiled


def _expand_pattern(source: str, lexicons: Mapping[str, str], where: _Where, name: str, *keys: object,
                    compile: bool = True) -> str:
    """A pattern with its ``{lexicon}`` references expanded, lower-cased, (optionally) checked to compile."""
    missing = [ref for ref in _LEXICON_REF.findall(source) if ref not in lexicons]
    if missing:
        raise where.error(f"cue {name!r}: unknown lexicon {{{missing[0]}}} (defined: {', '.join(sorted(lexicons))})",
                          *keys)
    regex = prepare_pattern(_LEXICON_REF.sub(lambda m: lexicons[m.group(1)], source.strip()))
    if compile:
        _compile_checked(regex, where, *keys)
    return regex


def _within(value, where: _Where, name: str, *keys: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 12:
        raise where.error(f"cue {name!r}: 'within' must be a number of words from 0 to 12, got {value!r}", *keys)
    return value


def _read_cue(item, label: str, index: int, lexicons: Mapping[str, str], labels: Sequence[str],
              where: _Where) -> Cue:
    keys = ("cues", label, index)
    if not isinstance(item, dict):
        raise where.error("a cue must be a mapping with name, pattern and examples", *keys)
    unknown = sorted(set(map(str, item)) - set(_CUE_KEYS))
    if unknown:
        raise where.error(f"unknown key {unknown[0]!r} in cue (valid: {', '.join(_CUE_KEYS)})", *keys, unknown[0])
    name = item.get("name")
    if not isinstance(name, str) or not _CUE_NAME.fullmatch(name.strip()):
        raise where.error("cue 'name' must be letters, digits, spaces or ' + / , . ( ) - (no ':', ';', '@')",
                          *keys, "name")
    name = name.strip()
    pattern = item.get("pattern")
    if not isinstance(pattern, str) or not pattern.strip():
        raise where.error(f"cue {name!r} has no 'pattern'", *keys, "pattern")
    regex = _expand_pattern(pattern, lexicons, where, name, *keys, "pattern", compile=False)
    for number, alternative in enumerate(split_alternatives(regex), start=1):
        _compile_checked(alternative_regex(alternative), where, *keys, "pattern")
        if is_sentence_level(alternative):
            continue
        try:
            literal_prefixes(alternative)
        except ValueError as exc:
            raise where.error(f"cue {name!r}: alternative {number} of the pattern cannot start a cue: {exc}",
                              *keys, "pattern") from None
    within = _within(item.get("within", 3), where, name, *keys, "within")
    contexts = []
    for kind in _CONTEXT_KEYS:
        value = item.get(kind)
        if value is None:
            continue
        context_within = within
        if isinstance(value, dict):
            extra = sorted(set(map(str, value)) - {"pattern", "within"})
            if extra or "pattern" not in value:
                raise where.error(f"cue {name!r}: '{kind}' must be a pattern or a mapping with 'pattern' and "
                                  f"'within'", *keys, kind)
            context_within = _within(value.get("within", within), where, name, *keys, kind, "within")
            value = value["pattern"]
        if not isinstance(value, str) or not value.strip():
            raise where.error(f"cue {name!r}: '{kind}' must be a non-empty pattern", *keys, kind)
        context = _expand_pattern(value, lexicons, where, name, *keys, kind, compile=False)
        _compile_checked(context_source(kind, context, context_within), where, *keys, kind)
        contexts.append((kind, context, context_within))
    examples = _string_list(item.get("examples"), where, *keys, "examples", allow_empty=False)
    counterexamples = _string_list(item.get("counterexamples"), where, *keys, "counterexamples")
    suppresses = _string_list(item.get("suppresses"), where, *keys, "suppresses")
    for suppressed in suppresses:
        if suppressed not in labels:
            raise where.error(f"cue {name!r}: unknown label {suppressed!r} in 'suppresses' "
                              f"(valid: {', '.join(sorted(labels))})", *keys, "suppresses")
    kind = item.get("kind", "")
    if not isinstance(kind, str):
        raise where.error(f"cue {name!r}: 'kind' must be a string", *keys, "kind")
    return Cue(name=name, label=label, kind=kind.strip(), pattern=pattern.strip(), regex=regex,
               contexts=tuple(contexts), examples=examples, counterexamples=counterexamples,
               suppresses=suppresses)


def _check_examples(codebook: Codebook, where: _Where, positions: Mapping[str, tuple]) -> None:
    """Every cue matches each of its examples and none of its counterexamples (one scan for all).

    The check runs the matcher that labels sentences, so it tests what really runs.
    """
    texts, owners = [], []
    for index, cue in enumerate(codebook.cues):
        for number, example in enumerate(cue.examples):
            texts.append(example)
            owners.append((index, "examples", number))
        for number, example in enumerate(cue.counterexamples):
            texts.append(example)
            owners.append((index, "counterexamples", number))
    found = CueMatcher(codebook).match(texts)
    for row, (index, kind, number) in enumerate(owners):
        cue = codebook.cues[index]
        hits = (found.row == row) & (found.cue == index)
        keys = positions[cue.name] + (kind, number)
        if kind == "examples" and not hits.any():
            raise where.error(f"cue {cue.name!r} does not match its example {number + 1}: {texts[row]!r}", *keys)
        if kind == "counterexamples" and hits.any():
            first = np.flatnonzero(hits)[0]
            phrase = texts[row][found.start[first]:found.end[first]]
            raise where.error(f"cue {cue.name!r} matches its counterexample {number + 1} at {phrase!r}: "
                              f"{texts[row]!r}", *keys)


#: Codebooks read so far, by (resolved path, modification time, size): a changed file is read again.
_CODEBOOKS: dict[tuple, Codebook] = {}


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read and validate a stance cue file (default ``config/stance.yml``).

    Every pattern must compile, have no capturing group, refer only to defined lexicons, match each of its
    ``examples`` and none of its ``counterexamples``. The result is cached until the file changes (a
    :class:`Codebook` is immutable), so checking the file up front and labelling later read it once.

    Raises
    ------
    ConfigError
        Naming the file, the line and what is wrong.
    """
    path = Path(paths.STANCE_FILE if path is None else path)
    try:
        stat = path.stat()
    except OSError:
        raise ConfigError("stance cue file not found", path=path) from None
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _CODEBOOKS:
        _CODEBOOKS[key] = _read_codebook(path)
    return _CODEBOOKS[key]


def _read_codebook(path: Path) -> Codebook:
    data = read_yaml(path)
    where = _Where(path)
    unknown = sorted(set(map(str, data)) - set(_TOP_KEYS))
    if unknown:
        raise where.error(f"unknown top-level key {unknown[0]!r} (valid: {', '.join(_TOP_KEYS)})", unknown[0])
    for key in ("version", "precedence", "default", "cues"):
        if data.get(key) in (None, "", [], {}):
            raise ConfigError(f"missing '{key}:'", path=path, line=where.line(key) or 1)
    precedence = _string_list(data["precedence"], where, "precedence", allow_empty=False)
    # ``labels`` only orders the output columns; without it they follow the precedence
    labels = _string_list(data.get("labels") or list(precedence), where, "labels", allow_empty=False)
    if len(set(labels)) != len(labels):
        raise where.error("a stance label is listed twice in 'labels'", "labels")
    for label in precedence:
        if label not in labels:
            raise where.error(f"unknown stance label {label!r} in 'precedence' (valid: {', '.join(labels)})",
                              "precedence")
    if sorted(precedence) != sorted(labels):
        raise where.error(f"'precedence' must list each of {', '.join(labels)} exactly once", "precedence")
    default = str(data["default"])
    if default not in precedence:
        raise where.error(f"unknown default label {default!r} (valid: {', '.join(precedence)})", "default")
    favor_against = {}
    for key in ("favor", "against"):
        favor_against[key] = _string_list(data.get(key), where, key)
        for label in favor_against[key]:
            if label not in labels:
                raise where.error(f"unknown stance label {label!r} in '{key}' (valid: {', '.join(labels)})", key)
    lexicons = _expand_lexicons(data.get("lexicons"), where)
    for name, regex in lexicons.items():
        _compile_checked(regex, where, "lexicons", name)
    cues_raw = data["cues"]
    if not isinstance(cues_raw, dict):
        raise where.error("'cues' must map each label to a list of cues", "cues")
    cues: list[Cue] = []
    names: dict[str, tuple] = {}
    for label, items in cues_raw.items():
        if label not in precedence:
            raise where.error(f"unknown stance label {label!r} under 'cues' (valid: {', '.join(precedence)})",
                              "cues", label)
        if not isinstance(items, list):
            raise where.error(f"cues of {label!r} must be a list", "cues", label)
        for index, item in enumerate(items):
            cue = _read_cue(item, label, index, lexicons, precedence, where)
            if cue.name in names:
                raise where.error(f"duplicate cue name {cue.name!r} (first at line {where.line(*names[cue.name])})",
                                  "cues", label, index, "name")
            names[cue.name] = ("cues", label, index)
            cues.append(cue)
    checks_raw = data.get("checks") or []
    if not isinstance(checks_raw, list):
        raise where.error("'checks' must be a list of {text, stance}", "checks")
    checks = []
    for index, item in enumerate(checks_raw):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or "stance" not in item:
            raise where.error("each check needs 'text' and 'stance'", "checks", index)
        if item["stance"] not in precedence:
            raise where.error(f"unknown stance label {item['stance']!r} in check (valid: {', '.join(labels)})",
                              "checks", index, "stance")
        checks.append((item["text"], item["stance"]))
    codebook = Codebook(version=str(data["version"]), codebook_version=str(data.get("codebook", "")),
                        labels=labels, precedence=precedence, default=default, cues=tuple(cues),
                        favor=favor_against["favor"], against=favor_against["against"],
                        checks=tuple(checks), source=str(path), sha256=file_sha256(path))
    _check_examples(codebook, where, names)
    return codebook


def get_codebook(codebook: Codebook | str | Path | None) -> Codebook:
    """A Codebook from an instance, a path or ``None`` (the default file); files are read once per change."""
    if isinstance(codebook, Codebook):
        return codebook
    return load_codebook(codebook)


