"""Sentence stance: the codebook as data, a rule labeller with evidence, a trained classifier, evaluation.

Labels follow ``stance_codebook.md`` (version 1): ``support``, ``oppose``, ``condemn``, ``neutral``, one per
sentence, with the precedence ``oppose > support > condemn > neutral``.

Layers, from data to orchestration:

* the **codebook** (:func:`load_codebook`): ``config/stance.yml`` holds the labels, their precedence, named
  lexicons and the cue patterns, each cue with examples it must match and counterexamples it must not;
* the **cue matcher** (:class:`CueMatcher`): every cue compiled into one alternation and run with one
  ``finditer`` over all sentences joined into one string, so a million sentences cost one regex scan, not a
  Python loop per sentence and pattern;
* the **rule labeller** (:func:`label_rules`, :class:`RuleStanceClassifier`): the codebook's precedence
  applied to the matches; every label carries its evidence in the ``cue`` column;
* the **model** (:func:`make_stance_model`): word and character n-gram TF-IDF plus the rule cues as features
  (:class:`CueFeatures`), logistic regression with a calibrated probability;
* the **labeller** (:class:`StanceLabeller`, :func:`train_stance_labeller`): ``rules``, ``model`` or ``auto``
  (the method with the best cross-validated macro-F1 on the gold training set); fitted models are cached;
* **evaluation** (:func:`evaluate_stance`) and **aggregation** (:func:`stance_shares`,
  :func:`stance_by_theme`).

The ``cue`` column
------------------
Evidence for the chosen label: every cue of that label that fired, in order of position, as
``label:cue name@start-end`` joined by ``;``, where ``start``/``end`` are character offsets into the
sentence (``text[start:end]`` is the matched phrase). Example: ``support:calls upon@34-45``. A sentence
that no cue decides is ``neutral`` with an empty ``cue``. The model fills ``cue`` with the rule evidence
for the label it chose when there is any, otherwise leaves it empty.
"""
from __future__ import annotations

import csv
import dataclasses
import functools
import hashlib
import io
import re
import warnings
from pathlib import Path
from typing import Callable, Iterable, Literal, Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from . import __version__, paths
from .errors import ConfigError, InputError, OutputError
from .io import file_sha256, read_yaml, write_bytes, yaml_key_lines
from .text import normalize_token, tokenize

__all__ = [
    "LABELS",
    "Codebook",
    "Cue",
    "CueFeatures",
    "CueMatcher",
    "CueMatches",
    "RuleStanceClassifier",
    "StanceLabeller",
    "check_codebook",
    "evaluate_stance",
    "fit_stance_model",
    "label_rules",
    "label_sentences",
    "load_codebook",
    "make_stance_model",
    "read_gold",
    "stance_by_theme",
    "stance_scores",
    "stance_shares",
    "train_stance_labeller",
]

#: The four stance labels in the column order of the output tables (``stance_support`` ...).
LABELS: tuple[str, ...] = ("support", "oppose", "condemn", "neutral")
#: SemEval-2016 mapping used by F_avg: FAVOR = support, AGAINST = oppose or condemn.
FAVOR = frozenset({"support"})
AGAINST = frozenset({"oppose", "condemn"})

Method = Literal["rules", "model", "auto"]
METHODS: tuple[str, ...] = ("rules", "model", "auto")

# ==================================================================================================
# The codebook as data
# ==================================================================================================

_TOP_KEYS = ("version", "codebook", "precedence", "default", "themes", "lexicons", "cues", "checks")
_CUE_KEYS = ("name", "kind", "pattern", "after", "not_after", "before", "not_before", "within", "examples",
             "counterexamples", "suppresses", "note")
_CONTEXT_KEYS = ("after", "not_after", "before", "not_before")
_LEXICON_REF = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_CUE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 '+/,.()-]*")
#: What the matcher sees: a lower-cased copy of each sentence in which white space, brackets, quotes and
#: slashes are spaces and typographic apostrophes and dashes are plain. Every replacement is one character
#: for one, so offsets into the copy are offsets into the sentence.
_MATCH_TABLE = str.maketrans({
    **{char: " " for char in "\n\r\t\f\v\u00a0\u2028\u2029()[]{}\"\u201c\u201d\u00ab\u00bb/"},
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2013": "-", "\u2014": "-", "\u2011": "-", "\u2010": "-",
    "\u0130": "i",  # the one character whose lower case is two characters long
})
#: A cue ends at a word end ("terrorist-related" contains "terrorist"; "terrorism" is not "terror").
_END = r"(?!\w)"
_FLAGS = re.MULTILINE


@dataclasses.dataclass(frozen=True)
class Cue:
    """One stance cue: a pattern whose match is evidence for ``label``.

    Attributes
    ----------
    name : str
        Unique, short, shown in the ``cue`` column.
    label : str
        The stance the cue is evidence for.
    kind : str
        What kind of evidence (``endorsement``, ``modality``, ``own action``, ``negation``, ``criticism``,
        ``threat``, ``reported speech`` ...); documentation and model features.
    pattern : str
        The pattern as written in the file (lexicon references ``{name}`` not expanded).
    regex : str
        The expanded regular expression (case-insensitive; ``^``/``$`` are the sentence's ends).
    examples, counterexamples : tuple of str
        Sentences the cue must match, and must not match.
    contexts : tuple of (str, str, int)
        ``(kind, regex, within)``: the match counts only if ``regex`` occurs ``after`` which the match comes
        (or ``before`` which), with at most ``within`` words between; ``not_after`` / ``not_before`` veto it.
    suppresses : tuple of str
        Labels whose cues lose their force when they come after this cue in the sentence (reported speech:
        "The report notes an alarming rise" is not the speaker's condemnation).
    """

    name: str
    label: str
    kind: str
    pattern: str
    regex: str
    contexts: tuple[tuple[str, str, int], ...] = ()
    examples: tuple[str, ...] = ()
    counterexamples: tuple[str, ...] = ()
    suppresses: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Codebook:
    """The stance codebook as loaded from ``config/stance.yml``.

    Attributes
    ----------
    version : str
        Version of the cue file (bump it whenever a cue changes; outputs record it).
    codebook_version : str
        Version of ``stance_codebook.md`` the file implements.
    precedence : tuple of str
        Labels, first wins: ``("oppose", "support", "condemn", "neutral")``.
    default : str
        Label of a sentence no cue decides.
    themes : tuple of str
        Theme names valid in gold files.
    cues : tuple of Cue
    checks : tuple of (str, str)
        Whole sentences and the stance the rule labeller must give them.
    source, sha256 : str
        The file and the hash of its bytes.
    """

    version: str
    codebook_version: str
    precedence: tuple[str, ...]
    default: str
    themes: tuple[str, ...]
    cues: tuple[Cue, ...]
    checks: tuple[tuple[str, str], ...] = ()
    source: str = ""
    sha256: str = ""

    @property
    def labels(self) -> tuple[str, ...]:
        """The stance labels, in the order of :data:`LABELS`."""
        return tuple(label for label in LABELS if label in self.precedence)


def _phrases_regex(phrases: Sequence[str]) -> str:
    """A regex for a list of literal phrases, factored as a trie so that matching tries few branches.

    Phrases are lower-cased (matching is on lower-cased text); a phrase ending in ``*`` matches any word
    ending (``terror*``). The regex ends at a word end.

    >>> regex = _phrases_regex(["Iraq", "Iraqi", "Iran", "terror*"])
    >>> [bool(re.fullmatch(regex, word)) for word in ["iraqi", "iran", "terrorists", "ira"]]
    [True, True, True, False]
    """
    trie: dict = {}
    for phrase in sorted({phrase.strip().lower() for phrase in phrases}):
        node = trie
        for char in phrase.rstrip("*"):
            node = node.setdefault(char, {})
        node["*" if phrase.endswith("*") else ""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(key) + emit(node[key]) for key in sorted(k for k in node if k not in ("", "*"))]
        if "*" in node:
            branches.append(r"[\w'-]*")
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node and "*" not in node:
            body = body + "?" if len(branches) == 1 and len(branches[0]) == 1 else f"(?:{body})?"
        return body

    if not trie:
        raise ValueError("empty phrase list")
    return "(?:" + emit(trie) + r")(?!\w)"


# --------------------------------------------------------------------------------------------------
# Pattern sources: lower-casing, top-level alternatives, and the first letter of each alternative
# --------------------------------------------------------------------------------------------------

def _prepare_pattern(source: str) -> str:
    r"""Lower-case a regex source (escapes kept: ``\W`` must not become ``\w``) and turn ``^`` (outside
    character classes) into the sentence start of the matching buffer."""
    out, index, in_class = [], 0, False
    while index < len(source):
        char = source[index]
        if char == "\\":
            out.append(source[index:index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "^":
            char = _SENTENCE_START
        out.append(char.lower())
        index += 1
    return "".join(out)


def _scan_to(source: str, index: int, *, stop: str) -> int:
    """Index of the first ``stop`` character (``|`` or ``)``) at nesting depth 0 from ``index``, or len."""
    depth, in_class = 0, False
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
        elif char == "[":
            in_class = True
            if source[index + 1:index + 2] == "]":
                index += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            if depth == 0 and stop == ")":
                return index
            depth -= 1
        elif char == "|" and depth == 0 and stop == "|":
            return index
        index += 1
    return index


def _split_alternatives(source: str) -> list[str]:
    """The top-level alternatives of a regex source: ``"a(?:b|c)|d"`` → ``["a(?:b|c)", "d"]``."""
    parts, start = [], 0
    while True:
        stop = _scan_to(source, start, stop="|")
        parts.append(source[start:stop])
        if stop >= len(source):
            return parts
        start = stop + 1


_LITERAL_ESCAPES = frozenset(".-'\"?()[]{}|*+^$ /,&:;!#%@~")
_QUANTIFIERS = ("?", "*", "+", "{")


def _peel(source: str) -> list[tuple[str, str]] | None:
    """The possible first characters of a regex source, each with the rest of the regex after it.

    ``"call(?:s|ed)? on"`` → ``[("c", "all(?:s|ed)? on")]``; ``"(?:we|i) must"`` → ``[("w", "e must"),
    ("i", " must")]``. Leading look-arounds are skipped (they consume nothing). ``None`` when the source
    cannot be peeled further (it starts with a class such as ``\\w``, a repeated group, or is empty), and
    ``[]`` for nothing at all. Only used to find literal prefixes, so it may over-approximate.
    """
    if not source:
        return None
    char = source[0]
    if source.startswith(("(?=", "(?!", "(?<=", "(?<!")):
        inner_start = 4 if source.startswith("(?<") else 3
        return _peel(source[_scan_to(source, inner_start, stop=")") + 1:])
    if char == "(":
        if not source.startswith("(?:"):
            return None
        close = _scan_to(source, 3, stop=")")
        inner, rest = source[3:close], source[close + 1:]
        optional = False
        if rest[:1] in _QUANTIFIERS:
            if rest[:1] != "?":
                return None
            optional, rest = True, rest[1:].removeprefix("?").removeprefix("+")
        pairs: list[tuple[str, str]] = []
        for alternative in _split_alternatives(inner):
            peeled = _peel(alternative + rest)
            if peeled is None:
                return None
            pairs += peeled
        if optional:
            peeled = _peel(rest)
            if peeled is None:
                return None
            pairs += peeled
        return pairs
    if char == "[":
        close = source.find("]", 2 if source[1:2] == "]" else 1)
        members, rest = source[1:close], source[close + 1:]
        if close < 0 or members.startswith("^") or "\\" in members or "-" in members[1:-1] or rest[:1] in _QUANTIFIERS:
            return None
        return [(member, rest) for member in dict.fromkeys(members)]
    if char == "\\":
        if source[1:2] not in _LITERAL_ESCAPES:
            return None
        char, rest = source[1], source[2:]
    elif char in ".$*+?{})|^":
        return None
    else:
        rest = source[1:]
    if rest[:1] in _QUANTIFIERS:
        if rest[:1] != "?":
            return None
        rest = rest[1:].removeprefix("?").removeprefix("+")
        peeled = _peel(rest)
        return None if peeled is None else [(char, rest)] + peeled
    return [(char, rest)]


@functools.lru_cache(maxsize=4096)
def _literal_prefixes(source: str, *, max_length: int = 12, max_count: int = 4096) -> frozenset[str]:
    """Literal strings, one of which starts every match of ``source``.

    The scan over all sentences looks for these (as one trie); only where one occurs is ``source``
    tried. Prefixes stop at the first construct that is not literal, at ``max_length`` characters, or
    earlier when expanding further would give more than ``max_count`` of them.

    Raises
    ------
    ValueError
        When some match could start with anything (an empty prefix): such a pattern would have to be tried
        at every word.
    """
    done: set[str] = set()
    frontier = [("", source)]
    while frontier:
        expanded = []
        for prefix, rest in frontier:
            peeled = None if len(prefix) >= max_length else _peel(rest)
            if not peeled:
                done.add(prefix)
            else:
                expanded.extend((prefix + char, after) for char, after in peeled)
        if len(done) + len(expanded) > max_count:
            done.update(prefix for prefix, _ in frontier)
            break
        frontier = expanded
    if "" in done:
        raise ValueError("it can start with any character; begin it with a word, a phrase or a (?:...) of words")
    return frozenset(done)


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
            source[name] = _phrases_regex([p.strip() for p in phrases])
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
        compiled = re.compile(regex, _FLAGS)
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
    regex = _prepare_pattern(_LEXICON_REF.sub(lambda m: lexicons[m.group(1)], source.strip()))
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
    for number, alternative in enumerate(_split_alternatives(regex), start=1):
        _compile_checked(_alternative_regex(alternative), where, *keys, "pattern")
        if _is_sentence_level(alternative):
            continue
        try:
            _literal_prefixes(alternative)
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
        _compile_checked(_context_source(kind, context, context_within), where, *keys, kind)
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
    for key in ("version", "precedence", "cues"):
        if data.get(key) in (None, "", [], {}):
            raise ConfigError(f"missing '{key}:'", path=path, line=where.line(key) or 1)
    precedence = _string_list(data["precedence"], where, "precedence", allow_empty=False)
    for label in precedence:
        if label not in LABELS:
            raise where.error(f"unknown stance label {label!r} in 'precedence' (valid: {', '.join(LABELS)})",
                              "precedence")
    if sorted(precedence) != sorted(LABELS):
        raise where.error(f"'precedence' must list each of {', '.join(LABELS)} exactly once", "precedence")
    default = str(data.get("default", "neutral"))
    if default not in precedence:
        raise where.error(f"unknown default label {default!r} (valid: {', '.join(precedence)})", "default")
    themes = _string_list(data.get("themes"), where, "themes")
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
            raise where.error(f"unknown stance label {item['stance']!r} in check (valid: {', '.join(LABELS)})",
                              "checks", index, "stance")
        checks.append((item["text"], item["stance"]))
    codebook = Codebook(version=str(data["version"]), codebook_version=str(data.get("codebook", "")),
                        precedence=precedence, default=default, themes=themes, cues=tuple(cues),
                        checks=tuple(checks), source=str(path), sha256=file_sha256(path))
    _check_examples(codebook, where, names)
    return codebook


def check_codebook(codebook: Codebook) -> list[str]:
    """The codebook's whole-sentence ``checks`` that the rule labeller gets wrong (empty when all pass)."""
    if not codebook.checks:
        return []
    texts = [text for text, _ in codebook.checks]
    labelled = label_rules(texts, codebook=codebook)
    return [f"{text!r}: expected {expected}, got {got} ({cue or 'no cue'})"
            for (text, expected), got, cue in zip(codebook.checks, labelled["stance"], labelled["cue"])
            if got != expected]


# ==================================================================================================
# Cue matching: one regex scan over all sentences
# ==================================================================================================


def _as_texts(X, *, what: str = "sentences") -> list[str]:
    """A list of str from a list, array or Series of sentences; a bare str is refused (scikit-learn style)."""
    if isinstance(X, str):
        raise TypeError(f"expected a sequence of {what}, got a single str; wrap it in a list")
    if isinstance(X, pd.DataFrame):
        if "text" not in X:
            raise TypeError(f"expected a sequence of {what} or a DataFrame with a 'text' column")
        X = X["text"]
    return ["" if (value is None or (isinstance(value, float) and np.isnan(value))) else str(value) for value in X]


@dataclasses.dataclass(frozen=True)
class CueMatches:
    """Cue matches over a list of sentences, as parallel arrays sorted by ``(row, start)``.

    ``row`` is the sentence index, ``cue`` the index into ``Codebook.cues``, ``start``/``end`` offsets into
    that sentence.
    """

    n_rows: int
    row: np.ndarray
    cue: np.ndarray
    start: np.ndarray
    end: np.ndarray

    def __len__(self) -> int:
        return len(self.row)


#: Sentences in the matching buffer are separated by this; every word start is after a space, so the scan
#: is a fast search for a space followed by a look-ahead.
_SEPARATOR = "\n "


def _match_buffer(texts: Sequence[str]) -> tuple[str, np.ndarray]:
    """The matching buffer of a list of sentences, and where each sentence starts in it.

    Each sentence is normalised with :data:`_MATCH_TABLE` and preceded by :data:`_SEPARATOR`; the whole
    buffer is lower-cased. Offsets into a sentence are offsets into its copy in the buffer.
    """
    n_rows = len(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n_rows)
    gap = len(_SEPARATOR)
    offsets = np.full(n_rows, gap, dtype=np.int64)
    if n_rows > 1:
        offsets[1:] += np.cumsum(lengths[:-1] + gap)
    buffer = _normalised_buffer(texts)
    lowered = buffer.lower()
    if len(lowered) != len(buffer):  # a character whose lower case is longer: keep it as it is
        lowered = "".join(char if len(char.lower()) != 1 else char.lower() for char in buffer)
    return lowered, offsets


_MATCH_REPLACEMENTS = tuple((chr(code), value) for code, value in sorted(_MATCH_TABLE.items()))


def _normalised_buffer(texts: Sequence[str]) -> str:
    """``_SEPARATOR + _SEPARATOR.join(text.translate(_MATCH_TABLE) for text in texts)``, faster.

    The texts are joined first (with NUL standing in for the separator's line break, which the table would
    turn into a space), then each character of the table that occurs is replaced in one ``str.replace``
    pass; no replacement is itself replaced, so this is the translation. ``translate`` looks every
    character up in the table, ten times slower on long text.
    """
    if any("\0" in text for text in texts):
        return _SEPARATOR + _SEPARATOR.join([text.translate(_MATCH_TABLE) for text in texts])
    placeholder = "\0" + _SEPARATOR[1:]
    buffer = placeholder + placeholder.join(texts)
    for char, value in _MATCH_REPLACEMENTS:
        if char in buffer:
            buffer = buffer.replace(char, value)
    return buffer.replace("\0", _SEPARATOR[0])


def _prefix_trie(prefixes: Iterable[str]) -> str:
    """A regex matching the longest of ``prefixes`` at a position (a trie: few branches tried per word).

    >>> trie = _prefix_trie(["we", "we are", "welcome", "must"])
    >>> [re.match(trie, text).group() for text in ["we are here", "welcome", "we do", "must go"]]
    ['we are', 'welcome', 'we', 'must']
    """
    trie: dict = {}
    for prefix in prefixes:
        node = trie
        for char in prefix:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(key) + emit(node[key]) for key in sorted(k for k in node if k)]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a prefix ends here: longer ones first, then this one
            return f"(?:{body})?"
        return body

    return emit(trie)


_COMPILED: dict[tuple, "_CompiledCues"] = {}


@dataclasses.dataclass
class _CompiledCues:
    scan: re.Pattern | None                  # finds word starts where some cue prefix occurs (group 1)
    candidates: dict[str, tuple[int, ...]]   # prefix found -> the alternatives to try there
    alternatives: list[re.Pattern]           # each alternative, to match at a position
    alternative_cue: list[int]               # alternative -> cue index
    contexts: list[tuple[tuple[str, re.Pattern, int], ...]]  # per cue
    at_sentence_start: tuple[int, ...] = ()  # alternatives tried once per sentence (``^`` with no word prefix)


_SENTENCE_START = r"(?<=\n )"


def _is_sentence_level(alternative: str) -> bool:
    """An alternative anchored at the sentence start (``^``) whose first word is not literal, such as
    ``^[^\\n]*\\?$`` (a question): it is tried once at the start of each sentence instead of at words."""
    if not alternative.startswith(_SENTENCE_START):
        return False
    try:
        _literal_prefixes(alternative)
    except ValueError:
        return True
    return False


def _alternative_regex(alternative: str) -> str:
    """The regex source that matches one alternative of a cue at a word start."""
    return f"(?:{alternative}){_END}"


def _context_source(kind: str, regex: str, within: int) -> str:
    """The regex source of a cue context.

    ``after``/``not_after``: searched in the text before the cue, it must end where the cue starts: a word
    start (the space before it), the context, then at most ``within`` words. ``before``/``not_before``:
    matched right after the cue: at most ``within`` words, then the context.
    """
    words = r"[\w'-]+"
    if kind in ("after", "not_after"):
        return rf" (?:{regex})(?:\W+{words}){{0,{within}}}\W*$"
    return rf"\W*(?:{words}\W+){{0,{within}}}?(?:{regex}){_END}"


def _compile_cues(codebook: Codebook) -> _CompiledCues:
    key = tuple((cue.regex, cue.contexts) for cue in codebook.cues)
    if key not in _COMPILED:
        alternatives, alternative_cue, by_prefix, at_sentence_start = [], [], {}, []
        for cue_index, cue in enumerate(codebook.cues):
            for alternative in _split_alternatives(cue.regex):
                number = len(alternatives)
                alternatives.append(re.compile(_alternative_regex(alternative), _FLAGS))
                alternative_cue.append(cue_index)
                if _is_sentence_level(alternative):
                    at_sentence_start.append(number)
                    continue
                for prefix in _literal_prefixes(alternative):
                    by_prefix.setdefault(prefix, []).append(number)
        # Where the longest prefix found is P, every alternative whose prefix is a prefix of P may match.
        candidates = {prefix: tuple(sorted({number for length in range(1, len(prefix) + 1)
                                            for number in by_prefix.get(prefix[:length], ())}))
                      for prefix in by_prefix}
        contexts = [tuple((kind, re.compile(_context_source(kind, regex, within), _FLAGS), within)
                          for kind, regex, within in cue.contexts)
                    for cue in codebook.cues]
        # One capturing group only: a match object copies every group, so thousands would be slow.
        scan = re.compile(f" (?=({_prefix_trie(by_prefix)}))", _FLAGS) if by_prefix else None
        _COMPILED[key] = _CompiledCues(scan=scan, candidates=candidates, alternatives=alternatives,
                                       alternative_cue=alternative_cue, contexts=contexts,
                                       at_sentence_start=tuple(at_sentence_start))
    return _COMPILED[key]


class CueMatcher:
    r"""Every cue of a codebook found in many sentences with one regex scan.

    The sentences are joined into one lower-cased buffer (:func:`_match_buffer`). One ``finditer`` jumps
    from word start to word start and, with a trie of the literal prefixes of all cue patterns, finds the
    words where some cue can begin; only the few cue alternatives that share the prefix found are then
    tried at that word, and the cue's ``after``/``before`` contexts checked. Every cue matching at a word is
    found, including cues that overlap. Alternatives anchored at the sentence start whose first word is not
    literal (``^[^\n]*\?$``) are tried once per sentence.

    Parameters
    ----------
    codebook : Codebook
    """

    def __init__(self, codebook: Codebook):
        self.codebook = codebook
        self._compiled = _compile_cues(codebook)

    def __getstate__(self):
        return {"codebook": self.codebook}

    def __setstate__(self, state):
        self.__init__(state["codebook"])

    def match(self, texts: Iterable[str]) -> CueMatches:
        """Find the cues in each sentence: arrays sorted by sentence, then position, then cue."""
        texts = _as_texts(texts)
        n_rows = len(texts)
        empty = np.zeros(0, dtype=np.int64)
        if not n_rows:
            return CueMatches(0, empty, empty.astype(np.int32), empty, empty)
        buffer, offsets = _match_buffer(texts)
        compiled = self._compiled
        starts, ends, cues = [], [], []

        def try_at(number: int, position: int) -> bool:
            """Record the alternative ``number`` if it matches at ``position`` and its contexts allow it."""
            found = compiled.alternatives[number].match(buffer, position)
            if found is None:
                return False
            cue_index = compiled.alternative_cue[number]
            span = (position, found.end())
            if compiled.contexts[cue_index]:
                span = self._check_contexts(buffer, compiled.contexts[cue_index], span)
                if span is None:
                    return False
            starts.append(span[0])
            ends.append(span[1])
            cues.append(cue_index)
            return True

        candidates, alternative_cue = compiled.candidates, compiled.alternative_cue
        for hit in compiled.scan.finditer(buffer) if compiled.scan is not None else ():
            position, seen = hit.end(), set()
            for number in candidates[hit.group(1)]:
                if alternative_cue[number] not in seen and try_at(number, position):
                    seen.add(alternative_cue[number])
        for number in compiled.at_sentence_start:  # few such alternatives: one try per sentence each
            for position in offsets.tolist():
                try_at(number, position)
        if not cues:
            return CueMatches(n_rows, empty, empty.astype(np.int32), empty, empty)
        start = np.asarray(starts, dtype=np.int64)
        row = np.searchsorted(offsets, start, side="right") - 1
        end = np.asarray(ends, dtype=np.int64)
        order = np.lexsort((np.asarray(cues), start))
        return CueMatches(n_rows=n_rows, row=row[order], cue=np.asarray(cues, dtype=np.int32)[order],
                          start=(start - offsets[row])[order], end=(end - offsets[row])[order])

    @staticmethod
    def _check_contexts(buffer: str, contexts, span):
        """The span widened to its ``after``/``before`` context, or ``None`` if a context vetoes it."""
        start, end = span
        new_start, new_end = start, end
        for kind, regex, within in contexts:
            reach = 40 + 25 * within
            if kind in ("after", "not_after"):
                # From the space before the sentence's first word, at most `reach` characters back.
                window = max(buffer.rfind("\n", max(0, start - reach), start), start - reach)
                found = regex.search(buffer, max(window, 0), start)
                if (found is None) == (kind == "after"):
                    return None
                if found is not None:
                    new_start = min(new_start, found.start() + 1)
            else:
                stop = buffer.find("\n", end, end + reach)
                found = regex.match(buffer, end, end + reach if stop < 0 else stop)
                if (found is None) == (kind == "before"):
                    return None
                if found is not None:
                    new_end = max(new_end, found.end())
        return new_start, new_end


@dataclasses.dataclass(frozen=True)
class _Resolution:
    """What the codebook's rules make of a set of matches."""

    matches: CueMatches
    keep: np.ndarray       # per match: not suppressed by reported speech
    cue_rank: np.ndarray   # per match: precedence rank of the cue's label
    rank: np.ndarray       # per row: precedence rank of the chosen label


def _resolve(matches: CueMatches, codebook: Codebook) -> _Resolution:
    """Apply suppression and precedence: per row the rank of the winning label (default when no cue)."""
    rank_of = {label: index for index, label in enumerate(codebook.precedence)}
    cue_rank = np.array([rank_of[cue.label] for cue in codebook.cues], dtype=np.int64)[matches.cue]
    keep = np.ones(len(matches), dtype=bool)
    for index, cue in enumerate(codebook.cues):
        if not cue.suppresses:
            continue
        selected = matches.cue == index
        if not selected.any():
            continue
        first = np.full(matches.n_rows, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first, matches.row[selected], matches.start[selected])
        suppressed = np.isin(cue_rank, [rank_of[label] for label in cue.suppresses])
        keep &= ~(suppressed & (matches.start > first[matches.row]))
    n_labels = len(codebook.precedence)
    rank = np.full(matches.n_rows, n_labels, dtype=np.int64)
    np.minimum.at(rank, matches.row[keep], cue_rank[keep])
    rank[rank == n_labels] = rank_of[codebook.default]
    return _Resolution(matches=matches, keep=keep, cue_rank=cue_rank, rank=rank)


def _evidence(resolution: _Resolution, codebook: Codebook, rank: np.ndarray | None = None) -> np.ndarray:
    """The ``cue`` column: for each row, the kept cues of the label of rank ``rank[row]``.

    A match lying wholly inside an earlier one of the same sentence is left out (it adds no evidence).
    """
    matches = resolution.matches
    rank = resolution.rank if rank is None else rank
    column = np.full(matches.n_rows, "", dtype=object)
    chosen = np.flatnonzero(resolution.keep & (resolution.cue_rank == rank[matches.row]))
    if not len(chosen):
        return column
    rows, starts, ends = matches.row[chosen], matches.start[chosen], matches.end[chosen]
    scale = int(ends.max()) + 1
    running = np.maximum.accumulate(rows * scale + ends)  # rows are sorted, so this is a per-row maximum
    before = np.concatenate([[-1], running[:-1]])
    inside = (before // scale == rows) & (before % scale >= ends)
    chosen, rows, starts, ends = chosen[~inside], rows[~inside], starts[~inside], ends[~inside]
    names = np.array([f"{cue.label}:{cue.name}@" for cue in codebook.cues], dtype=object)
    items = names[matches.cue[chosen]] + starts.astype(str).astype(object) + "-" + ends.astype(str).astype(object)
    first = np.flatnonzero(np.concatenate([[True], rows[1:] != rows[:-1]]))
    counts = np.diff(np.append(first, len(rows)))
    single = counts == 1
    column[rows[first[single]]] = items[first[single]]
    for index in np.flatnonzero(~single):  # sentences with several cues of the winning label
        column[rows[first[index]]] = ";".join(items[first[index]:first[index] + counts[index]])
    return column




def _get_codebook(codebook: Codebook | str | Path | None) -> Codebook:
    """A Codebook from an instance, a path or ``None`` (the default file); files are read once per change."""
    if isinstance(codebook, Codebook):
        return codebook
    return load_codebook(codebook)


def _resolve_texts(texts, codebook: Codebook) -> _Resolution:
    return _resolve(CueMatcher(codebook).match(texts), codebook)


def label_rules(texts: Sequence[str] | pd.Series, *, codebook: Codebook | str | Path | None = None) -> pd.DataFrame:
    """Label sentences with the codebook's rules.

    Parameters
    ----------
    texts : sequence of str
        One sentence each.
    codebook : Codebook or path, optional
        Default ``config/stance.yml``.

    Returns
    -------
    DataFrame
        ``stance`` and ``cue`` (evidence, see the module docstring), one row per sentence, same order.

    >>> label_rules(["We call upon all States to ratify the Convention.",
    ...              "We do not support the draft resolution."]).to_dict("list")
    {'stance': ['support', 'oppose'], 'cue': ['support:calls upon@3-12', 'oppose:not support@6-17']}
    """
    codebook = _get_codebook(codebook)
    resolution = _resolve_texts(texts, codebook)
    return pd.DataFrame({
        "stance": np.asarray(codebook.precedence, dtype=object)[resolution.rank],
        "cue": _evidence(resolution, codebook),
    })


class RuleStanceClassifier(ClassifierMixin, BaseEstimator):
    """The rule labeller as a scikit-learn classifier.

    ``fit`` needs no labels; given gold labels it also learns how often each rule decision is right, which
    gives a calibrated ``predict_proba``: the probability of each true label given the rule's label,
    estimated on the fitting data with add-one smoothing.

    Parameters
    ----------
    codebook : Codebook or path, optional
        Default ``config/stance.yml``.

    Attributes
    ----------
    codebook_ : Codebook
    classes_ : ndarray of str
        Sorted labels.
    confusion_ : ndarray of shape (n_classes, n_classes) or None
        ``confusion_[i, j]``: fitting sentences with rule label ``classes_[i]`` and gold label
        ``classes_[j]``; ``None`` when fitted without labels.
    """

    def __init__(self, codebook: Codebook | str | Path | None = None):
        self.codebook = codebook

    def fit(self, X, y=None):
        self.codebook_ = _get_codebook(self.codebook)
        self.classes_ = np.array(sorted(self.codebook_.precedence), dtype=object)
        self.confusion_ = None
        if y is not None:
            y = np.asarray(list(y), dtype=object)
            predicted = self.predict(X)
            if len(y) != len(predicted):
                raise ValueError(f"X has {len(predicted)} sentences but y has {len(y)} labels")
            index = {label: i for i, label in enumerate(self.classes_)}
            unknown = sorted(set(y) - set(index))
            if unknown:
                raise ValueError(f"unknown label {unknown[0]!r} in y (valid: {', '.join(self.classes_)})")
            confusion = np.zeros((len(self.classes_), len(self.classes_)), dtype=np.int64)
            np.add.at(confusion, ([index[p] for p in predicted], [index[t] for t in y]), 1)
            self.confusion_ = confusion
        return self

    def explain(self, X) -> pd.DataFrame:
        """``stance``, ``cue`` and ``score`` (the calibrated probability of ``stance``; NaN if fitted without y)."""
        check_is_fitted(self, "codebook_")
        labelled = label_rules(X, codebook=self.codebook_)
        if self.confusion_ is None:
            labelled["score"] = np.nan
        else:
            index = {label: i for i, label in enumerate(self.classes_)}
            proba = self._proba_table()
            rows = np.array([index[label] for label in labelled["stance"]], dtype=np.int64)
            labelled["score"] = proba[rows, rows] if len(rows) else np.zeros(0)
        return labelled

    def predict(self, X) -> np.ndarray:
        check_is_fitted(self, "codebook_")
        return label_rules(X, codebook=self.codebook_)["stance"].to_numpy(dtype=object)

    def _proba_table(self) -> np.ndarray:
        smoothed = self.confusion_ + 1.0
        return smoothed / smoothed.sum(axis=1, keepdims=True)

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "codebook_")
        if self.confusion_ is None:
            raise ValueError("RuleStanceClassifier was fitted without labels: fit(X, y) to get probabilities")
        index = {label: i for i, label in enumerate(self.classes_)}
        rows = [index[label] for label in self.predict(X)]
        return self._proba_table()[rows]


class CueFeatures(TransformerMixin, BaseEstimator):
    """Rule cues as features: one binary column per cue (kept after reported-speech suppression) and a
    one-hot column per rule label.

    Parameters
    ----------
    codebook : Codebook or path, optional
        Default ``config/stance.yml``.
    """

    def __init__(self, codebook: Codebook | str | Path | None = None):
        self.codebook = codebook

    def fit(self, X, y=None):
        self.codebook_ = _get_codebook(self.codebook)
        self.feature_names_ = np.array(
            [f"cue={cue.label}:{cue.name}" for cue in self.codebook_.cues]
            + [f"rules={label}" for label in self.codebook_.precedence], dtype=object)
        return self

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "feature_names_")
        return self.feature_names_.copy()

    def transform(self, X) -> sp.csr_matrix:
        check_is_fitted(self, "codebook_")
        resolution = _resolve_texts(X, self.codebook_)
        matches = resolution.matches
        n_cues = len(self.codebook_.cues)
        rows = np.concatenate([matches.row[resolution.keep], np.arange(matches.n_rows)])
        cols = np.concatenate([matches.cue[resolution.keep].astype(np.int64), n_cues + resolution.rank])
        matrix = sp.csr_matrix((np.ones(len(rows)), (rows, cols)),
                               shape=(matches.n_rows, n_cues + len(self.codebook_.precedence)))
        matrix.data[:] = 1.0  # binary: duplicates summed by the constructor are reset
        return matrix


# ==================================================================================================
# Gold sets
# ==================================================================================================

#: Columns a gold file must have; the others (split, sampling, corpus, body, meeting, session, doc_id,
#: start, end, themes ...) are checked when present.
GOLD_REQUIRED = ("id", "text", "stance")


def read_gold(path: str | Path, *, codebook: Codebook | str | Path | None = None,
              documents: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read and validate a hand-labelled gold file (stance codebook v1).

    Parameters
    ----------
    path : str or Path
        CSV with at least ``id, text, stance``; ``themes`` (``;``-joined), ``split``, ``start``/``end``
        (offsets of the sentence in its cleaned speech) are checked when present.
    codebook : Codebook or path, optional
        Gives the valid stance labels and themes (default ``config/stance.yml``).
    documents : mapping of doc_id to cleaned speech text, optional
        When given, each row's ``doc_id`` must be known and ``text`` must be ``speech[start:end]``.

    Returns
    -------
    DataFrame
        The file's columns as strings, plus ``line`` (the row's line in the file).

    Raises
    ------
    InputError
        Naming the file, the line and the problem: a missing column, an empty or duplicate id, an unknown
        stance label or theme, offsets that are not numbers or that fall outside the text.
    """
    codebook = _get_codebook(codebook)
    path = Path(path)
    try:
        handle = open(path, newline="", encoding="utf-8")
    except FileNotFoundError:
        raise InputError("gold file not found", path=path) from None
    with handle:
        try:
            reader = csv.reader(handle)
            header = next(reader, None)
            if not header:
                raise InputError("empty file: expected a header with " + ", ".join(GOLD_REQUIRED), path=path, line=1)
            missing = [column for column in GOLD_REQUIRED if column not in header]
            if missing:
                raise InputError(f"missing column {missing[0]!r} (a gold file needs {', '.join(GOLD_REQUIRED)})",
                                 path=path, line=1)
            rows, lines, previous = [], [], reader.line_num
            for row in reader:
                line = previous + 1
                previous = reader.line_num
                if not any(field.strip() for field in row):
                    continue
                if len(row) != len(header):
                    raise InputError(f"expected {len(header)} fields, got {len(row)}", path=path, line=line)
                rows.append(row)
                lines.append(line)
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=path) from None
        except csv.Error as exc:
            raise InputError(f"malformed CSV: {exc}", path=path, line=reader.line_num) from None
    gold = pd.DataFrame(rows, columns=header, dtype=object)
    gold["line"] = np.asarray(lines, dtype=np.int64)
    labels, themes = set(codebook.labels), set(codebook.themes)
    seen: dict[str, int] = {}
    for record in gold.to_dict("records"):
        line = record["line"]

        def fail(message: str) -> InputError:
            return InputError(message, path=path, line=line)

        if not record["id"].strip():
            raise fail("empty id")
        if record["id"] in seen:
            raise fail(f"duplicate id {record['id']!r} (first on line {seen[record['id']]})")
        seen[record["id"]] = line
        if not record["text"].strip():
            raise fail(f"empty text for id {record['id']!r}")
        if record["stance"] not in labels:
            raise fail(f"unknown stance label {record['stance']!r} (valid: {', '.join(sorted(labels))})")
        if "split" in record and record["split"] not in ("train", "blind", ""):
            raise fail(f"unknown split {record['split']!r} (valid: train, blind)")
        if "themes" in record and themes:
            for theme in filter(None, (part.strip() for part in record["themes"].split(";"))):
                if theme not in themes:
                    raise fail(f"unknown theme {theme!r} (valid: {', '.join(sorted(themes))})")
        if "start" in record and "end" in record:
            try:
                start, end = int(record["start"]), int(record["end"])
            except ValueError:
                raise fail(f"offsets must be whole numbers, got start={record['start']!r} end={record['end']!r}") from None
            if not 0 <= start < end:
                raise fail(f"offsets outside the text: start={start}, end={end} (need 0 <= start < end)")
            if end - start != len(record["text"]):
                raise fail(f"offsets outside the text: {start}-{end} spans {end - start} characters but the text "
                           f"has {len(record['text'])}")
            if documents is not None:
                speech = documents.get(record.get("doc_id", ""))
                if speech is None:
                    raise fail(f"unknown doc_id {record.get('doc_id', '')!r}")
                if end > len(speech):
                    raise fail(f"offsets outside the text: end {end} is past the end of {record['doc_id']} "
                               f"({len(speech)} characters)")
                if speech[start:end] != record["text"]:
                    raise fail(f"text is not {record['doc_id']}[{start}:{end}]")
    return gold


def debate_groups(gold: pd.DataFrame) -> np.ndarray:
    """The debate of each gold sentence (UNSC meeting, or UNGA session), for grouped cross-validation.

    Sentences of one debate answer each other, so a fold that trains and tests on the same debate is
    optimistic; the blind split holds out whole debates, and so does grouped cross-validation.
    """
    def column(name: str) -> pd.Series:
        return gold[name].astype(str) if name in gold else pd.Series("", index=gold.index)

    meeting, session, body = column("meeting"), column("session"), column("body")
    doc = column("doc_id") if "doc_id" in gold else column("id")
    debate = meeting.str.replace(r"\s*\(Resumption \d+\)$", "", regex=True)
    debate = debate.where(debate != "", ("UNGA " + session).where((body == "UNGA") & (session != ""), doc))
    return debate.to_numpy(dtype=object)


# ==================================================================================================
# The model
# ==================================================================================================

def _word_tokens(text: str) -> list[str]:
    """Normalised tokens with punctuation kept (``?`` and ``!`` carry stance); the project's tokeniser."""
    return [normalize_token(token) or token for token in tokenize(text)]


def make_stance_model(
    *,
    codebook: Codebook | str | Path | None = None,
    C: float = 2.0,
    word_ngram_range: tuple[int, int] = (1, 2),
    char_ngram_range: tuple[int, int] | None = (2, 5),
    cue_weight: float = 1.0,
    calibration: Literal["sigmoid", "isotonic"] | None = "sigmoid",
    calibration_folds: int = 3,
    seed: int = 0,
):
    """The stance classifier: a scikit-learn Pipeline, unfitted.

    Features are word n-gram TF-IDF (the project tokeniser, punctuation kept), character n-gram TF-IDF
    within word boundaries, and the rule cues (:class:`CueFeatures`, scaled by ``cue_weight``); the
    classifier is class-balanced logistic regression whose probabilities are calibrated on
    ``calibration_folds`` internal folds (``CalibratedClassifierCV``, Platt scaling by default), so
    ``predict_proba`` is a usable ``score``.

    Parameters
    ----------
    C : float
        Inverse regularisation strength of the logistic regression.
    word_ngram_range, char_ngram_range : (int, int)
        N-gram lengths; ``char_ngram_range=None`` leaves character n-grams out (faster).
    calibration : {"sigmoid", "isotonic"} or None
        ``None`` keeps the logistic regression's own probabilities (for training sets too small to hold
        out calibration folds; see :func:`fit_stance_model`).
    seed : int
        Seed of the calibration folds (the rest is deterministic).
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import FeatureUnion, Pipeline

    parts = [("words", TfidfVectorizer(tokenizer=_word_tokens, token_pattern=None, lowercase=False,
                                       ngram_range=word_ngram_range, sublinear_tf=True, min_df=1))]
    if char_ngram_range is not None:
        parts.append(("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=char_ngram_range, sublinear_tf=True,
                                               min_df=2, lowercase=True)))
    parts.append(("cues", CueFeatures(codebook=codebook)))
    features = FeatureUnion(parts, transformer_weights={"cues": cue_weight})
    classifier = LogisticRegression(C=C, class_weight="balanced", solver="newton-cg", max_iter=1000)
    if calibration is not None:
        classifier = CalibratedClassifierCV(classifier, method=calibration, ensemble=False,
                                            cv=StratifiedKFold(calibration_folds, shuffle=True, random_state=seed))
    return Pipeline([("features", features), ("classifier", classifier)])


def fit_stance_model(texts: Sequence[str], y: Sequence[str], *, codebook: Codebook | str | Path | None = None,
                     seed: int = 0, model_params: Mapping | None = None):
    """:func:`make_stance_model` fitted on labelled sentences.

    Calibration needs at least two sentences of every label in each internal fold, so with few labelled
    sentences the number of calibration folds shrinks (down to 2), and below that the model keeps the
    logistic regression's own probabilities.
    """
    params = dict(model_params or {})
    smallest = int(pd.Series(list(y)).value_counts().min()) if len(y) else 0
    folds = min(params.get("calibration_folds", 3), smallest // 2)
    if folds < 2:
        params["calibration"] = None
    else:
        params["calibration_folds"] = folds
    return make_stance_model(codebook=codebook, seed=seed, **params).fit(_as_texts(texts), list(y))


# ==================================================================================================
# Cross-validation and the choice of method
# ==================================================================================================

def _folds(y: np.ndarray, groups: np.ndarray | None, *, n_splits: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds (grouped by debate when ``groups`` is given and has enough debates), fixed seed."""
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    counts = pd.Series(y).value_counts()
    if len(y) < 2 * n_splits or counts.min() < n_splits:
        raise InputError(f"too few labelled sentences for {n_splits}-fold cross-validation "
                         f"(smallest class: {counts.idxmin()!r} with {counts.min()}); use fewer folds")
    if groups is not None and len(set(groups)) >= n_splits:
        splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        return [(train, test) for train, test in splitter.split(np.zeros(len(y)), y, groups)]
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return [(train, test) for train, test in splitter.split(np.zeros(len(y)), y)]


def _fit_predict(method: str, train_texts: list[str], train_y: np.ndarray, test_texts: list[str], *,
                 codebook: Codebook, seed: int, model_params: Mapping | None) -> tuple[np.ndarray, np.ndarray]:
    """Predicted labels and scores of ``method`` (rules or model) fitted on the training part."""
    if method == "rules":
        labelled = RuleStanceClassifier(codebook=codebook).fit(train_texts, train_y).explain(test_texts)
        return labelled["stance"].to_numpy(dtype=object), labelled["score"].to_numpy(dtype=float)
    model = fit_stance_model(train_texts, train_y, codebook=codebook, seed=seed, model_params=model_params)
    proba = model.predict_proba(test_texts)
    classes = np.asarray(model.classes_, dtype=object)
    return classes[proba.argmax(axis=1)], proba.max(axis=1)


def cross_validate_stance(
    texts: Sequence[str],
    y: Sequence[str],
    *,
    methods: Sequence[str] = ("rules", "model", "auto"),
    groups: Sequence | None = None,
    n_splits: int = 5,
    inner_splits: int = 3,
    seed: int = 0,
    codebook: Codebook | str | Path | None = None,
    model_params: Mapping | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Out-of-fold predictions of each method on a labelled set.

    ``auto`` is cross-validated honestly: in each outer fold it chooses between rules and model by an
    inner cross-validation on that fold's training part only, then predicts the held-out part.

    Returns
    -------
    predictions : DataFrame
        ``row, fold, method, predicted, score`` (``row`` indexes ``texts``).
    selection : DataFrame
        ``fold, rules_macro_f1, model_macro_f1, chosen``: the inner scores that decided ``auto``.
    """
    codebook = _get_codebook(codebook)
    texts = _as_texts(texts)
    y = np.asarray(list(y), dtype=object)
    groups = None if groups is None else np.asarray(list(groups), dtype=object)
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        raise ValueError(f"unknown method {unknown[0]!r} (valid: {', '.join(METHODS)})")
    needed = {"rules", "model"} if "auto" in methods else set(methods)
    frames, selection = [], []
    for fold, (train, test) in enumerate(_folds(y, groups, n_splits=n_splits, seed=seed)):
        train_texts, test_texts = [texts[i] for i in train], [texts[i] for i in test]
        out = {}
        for method in sorted(needed):
            out[method] = _fit_predict(method, train_texts, y[train], test_texts, codebook=codebook, seed=seed,
                                       model_params=model_params)
        if "auto" in methods:
            inner = select_method(train_texts, y[train], groups=None if groups is None else groups[train],
                                  n_splits=inner_splits, seed=seed, codebook=codebook, model_params=model_params)
            out["auto"] = out[inner["chosen"]]
            selection.append({"fold": fold, **inner})
        for method in methods:
            predicted, score = out[method]
            frames.append(pd.DataFrame({"row": test, "fold": fold, "method": method, "predicted": predicted,
                                        "score": score}))
    predictions = pd.concat(frames, ignore_index=True).sort_values(["method", "row"], kind="stable")
    selection_frame = pd.DataFrame(selection, columns=["fold", "rules_macro_f1", "model_macro_f1", "chosen"])
    return predictions.reset_index(drop=True), selection_frame


def select_method(texts: Sequence[str], y: Sequence[str], *, groups: Sequence | None = None, n_splits: int = 5,
                  seed: int = 0, codebook: Codebook | str | Path | None = None,
                  model_params: Mapping | None = None) -> dict:
    """Choose between rules and model by cross-validated macro-F1 (ties go to the rules, which are faster).

    Returns ``{"rules_macro_f1": ..., "model_macro_f1": ..., "chosen": "rules" | "model"}``. The rules
    were written looking at training sentences, so their score here is optimistic (see the evaluation
    report's blind split).
    """
    predictions, _ = cross_validate_stance(texts, y, methods=("rules", "model"), groups=groups, n_splits=n_splits,
                                           seed=seed, codebook=codebook, model_params=model_params)
    y = np.asarray(list(y), dtype=object)
    scores = {}
    for method, group in predictions.groupby("method"):
        scores[method] = stance_scores(y[group["row"].to_numpy()], group["predicted"].to_numpy())[1]["macro_f1"]
    chosen = "model" if scores["model"] > scores["rules"] else "rules"
    return {"rules_macro_f1": scores["rules"], "model_macro_f1": scores["model"], "chosen": chosen}


# ==================================================================================================
# The labeller: rules, model or auto, trained from the gold set and cached
# ==================================================================================================

@dataclasses.dataclass
class StanceLabeller:
    """A ready-to-use stance labeller (see :func:`train_stance_labeller`).

    Attributes
    ----------
    method : {"rules", "model"}
        What labels sentences (``auto`` resolved to one of them).
    requested : str
        The method asked for.
    codebook : Codebook
    rules : RuleStanceClassifier
        Fitted on the gold set when there is one (calibrated rule scores), else without labels.
    model : Pipeline or None
    selection : dict
        How ``auto`` chose: cross-validated macro-F1 of each method on the gold set.
    gold_sha256 : str
        Hash of the gold file used ("" when none).
    """

    method: str
    requested: str
    codebook: Codebook
    rules: RuleStanceClassifier
    model: object = None
    selection: dict = dataclasses.field(default_factory=dict)
    gold_sha256: str = ""

    def label(self, texts: Sequence[str] | pd.Series) -> pd.DataFrame:
        """``stance``, ``cue`` (evidence) and ``score`` (calibrated probability of ``stance``) per sentence."""
        texts = _as_texts(texts)
        if self.method == "rules":
            return self.rules.explain(texts)
        proba = self.model.predict_proba(texts) if texts else np.zeros((0, len(self.model.classes_)))
        classes = np.asarray(self.model.classes_, dtype=object)
        stance = classes[proba.argmax(axis=1)] if len(texts) else np.zeros(0, dtype=object)
        resolution = _resolve_texts(texts, self.codebook)
        rank_of = {label: index for index, label in enumerate(self.codebook.precedence)}
        rank = np.array([rank_of[label] for label in stance], dtype=np.int64)
        return pd.DataFrame({"stance": stance, "cue": _evidence(resolution, self.codebook, rank),
                             "score": proba.max(axis=1) if len(texts) else np.zeros(0)})


def _package_versions() -> dict[str, str]:
    import platform

    import scipy
    import sklearn

    return {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
            "pandas": pd.__version__, "scikit-learn": sklearn.__version__, "analysis": __version__}


def _model_key(gold_sha256: str, codebook: Codebook, *, method: str, seed: int, n_splits: int,
               model_params: Mapping | None) -> str:
    """Cache key: what the fitted model depends on (gold file, cue file, parameters, package versions)."""
    import json

    payload = json.dumps({"gold": gold_sha256, "codebook": codebook.sha256 or repr(codebook.cues), "method": method,
                          "seed": seed, "n_splits": n_splits, "params": dict(sorted((model_params or {}).items())),
                          "versions": _package_versions()}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def train_stance_labeller(
    *,
    method: Method = "auto",
    gold: str | Path | pd.DataFrame | None = None,
    codebook: Codebook | str | Path | None = None,
    seed: int = 0,
    n_splits: int = 5,
    model_params: Mapping | None = None,
    cache_dir: str | Path | None = paths.MODELS_DIR,
) -> StanceLabeller:
    """A stance labeller trained from the gold set, fitted once and cached.

    Parameters
    ----------
    method : {"rules", "model", "auto"}
        ``auto`` cross-validates rules and model on the gold set (grouped by debate, ``n_splits`` folds,
        fixed ``seed``) and keeps the one with the higher macro-F1.
    gold : path or DataFrame, optional
        Training sentences (default ``data/annotations/gold_train_v1.csv``). Without a gold file, ``rules``
        and ``auto`` fall back to uncalibrated rules (empty ``score``) and ``model`` is an error.
    cache_dir : path or None
        Fitted models are stored here (``stance-<key>.joblib``), keyed by the gold file's hash, the cue
        file's hash, the parameters and the package versions; ``None`` disables the cache. Nothing is ever
        downloaded.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r} (valid: {', '.join(METHODS)})")
    codebook = _get_codebook(codebook)
    if gold is None:
        gold = paths.GOLD_TRAIN_FILE
    if isinstance(gold, pd.DataFrame):
        frame = gold
        gold_sha256 = hashlib.sha256(pd.util.hash_pandas_object(frame[["text", "stance"]], index=False)
                                     .to_numpy().tobytes()).hexdigest()
    elif Path(gold).is_file():
        frame = read_gold(gold, codebook=codebook)
        gold_sha256 = file_sha256(gold)
    else:
        if method == "model":
            raise InputError("gold set not found: the model is trained from it (use --method rules)", path=gold)
        rules = RuleStanceClassifier(codebook=codebook).fit([])
        return StanceLabeller(method="rules", requested=method, codebook=codebook, rules=rules,
                              selection={"note": f"no gold set at {gold}: rules, uncalibrated"})
    texts, y = frame["text"].tolist(), frame["stance"].to_numpy(dtype=object)
    rules = RuleStanceClassifier(codebook=codebook).fit(texts, y)
    if method == "rules":
        return StanceLabeller(method="rules", requested=method, codebook=codebook, rules=rules,
                              gold_sha256=gold_sha256)
    key = _model_key(gold_sha256, codebook, method=method, seed=seed, n_splits=n_splits, model_params=model_params)
    cached = _load_cached_model(cache_dir, key)
    if cached is None:
        model = fit_stance_model(texts, y, codebook=codebook, seed=seed, model_params=model_params)
        selection = {}
        if method == "auto":
            selection = select_method(texts, y, groups=debate_groups(frame), n_splits=n_splits, seed=seed,
                                      codebook=codebook, model_params=model_params)
        cached = {"key": key, "model": model, "selection": selection}
        _store_cached_model(cache_dir, key, cached)
    chosen = cached["selection"].get("chosen", "model") if method == "auto" else "model"
    return StanceLabeller(method=chosen, requested=method, codebook=codebook, rules=rules, model=cached["model"],
                          selection=dict(cached["selection"]), gold_sha256=gold_sha256)


def _cache_path(cache_dir: str | Path, key: str) -> Path:
    return Path(cache_dir) / f"stance-{key[:24]}.joblib"


def _load_cached_model(cache_dir: str | Path | None, key: str) -> dict | None:
    if cache_dir is None:
        return None
    path = _cache_path(cache_dir, key)
    if not path.is_file():
        return None
    import joblib

    try:
        cached = joblib.load(path)
    except Exception:  # a damaged or foreign cache file is refitted, not trusted
        return None
    return cached if isinstance(cached, dict) and cached.get("key") == key else None


def _store_cached_model(cache_dir: str | Path | None, key: str, cached: dict) -> None:
    if cache_dir is None:
        return
    import joblib

    buffer = io.BytesIO()
    joblib.dump(cached, buffer)
    try:
        write_bytes(_cache_path(cache_dir, key), buffer.getvalue())
    except OutputError:  # the cache only saves time: a read-only or full disk must not stop the labelling
        pass


def label_sentences(
    frame: pd.DataFrame,
    *,
    labeller: StanceLabeller | None = None,
    method: Method = "auto",
    themes: Callable[[list[str]], Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Add ``themes``, ``stance``, ``cue`` and ``score`` to a table with a ``text`` column (others kept).

    Parameters
    ----------
    labeller : StanceLabeller, optional
        Default: :func:`train_stance_labeller` with ``method``.
    themes : callable, optional
        Theme labels of a list of texts (``;``-joined, sorted); ``None`` leaves ``themes`` empty. This is
        the seam where :func:`analysis.themes.label_themes` plugs in.
    """
    if "text" not in frame:
        raise InputError("the table has no 'text' column")
    if labeller is None:
        labeller = train_stance_labeller(method=method)
    texts = _as_texts(frame["text"])
    labelled = frame.copy()
    labelled["themes"] = list(themes(texts)) if themes is not None else ""
    stance = labeller.label(texts)
    for column in ("stance", "cue", "score"):
        labelled[column] = stance[column].to_numpy()
    return labelled


# ==================================================================================================
# Evaluation
# ==================================================================================================

def stance_scores(y_true: Sequence[str], y_pred: Sequence[str], *,
                  labels: Sequence[str] = LABELS) -> tuple[pd.DataFrame, dict]:
    """Per-label precision, recall, F1 and the summary scores of the codebook.

    Returns
    -------
    per_label : DataFrame
        ``label, precision, recall, f1, support`` (gold count), ``predicted`` (predicted count).
    summary : dict
        ``n``, ``accuracy``, ``macro_f1`` (mean F1 over ``labels``), ``f_favor`` (F1 of support),
        ``f_against`` (F1 of oppose ∪ condemn, as one class), ``f_avg = (f_favor + f_against) / 2``.

    >>> stance_scores(["support", "oppose", "condemn"], ["support", "condemn", "condemn"])[1]["f_avg"]
    1.0
    """
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    y_true = np.asarray(list(y_true), dtype=object)
    y_pred = np.asarray(list(y_pred), dtype=object)
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=list(labels),
                                                                     zero_division=0)
    predicted = np.array([(y_pred == label).sum() for label in labels], dtype=np.int64)
    per_label = pd.DataFrame({"label": list(labels), "precision": precision, "recall": recall, "f1": f1,
                              "support": support.astype(np.int64), "predicted": predicted})

    def favor_against(values: np.ndarray) -> np.ndarray:
        return np.where(np.isin(values, list(FAVOR)), "FAVOR", np.where(np.isin(values, list(AGAINST)), "AGAINST", "NONE"))

    mapped_true, mapped_pred = favor_against(y_true), favor_against(y_pred)
    f_favor, f_against = f1_score(mapped_true, mapped_pred, labels=["FAVOR", "AGAINST"], average=None, zero_division=0)
    summary = {"n": int(len(y_true)), "accuracy": float((y_true == y_pred).mean()) if len(y_true) else float("nan"),
               "macro_f1": float(np.mean(f1)), "f_favor": float(f_favor), "f_against": float(f_against),
               "f_avg": float((f_favor + f_against) / 2)}
    return per_label, summary


def majority_label(y: Sequence[str], *, labels: Sequence[str] = LABELS) -> str:
    """The most frequent label (ties broken by the order of ``labels``)."""
    counts = pd.Series(list(y), dtype=object).value_counts()
    return max(labels, key=lambda label: (counts.get(label, 0), -list(labels).index(label)))


def expected_calibration_error(correct: np.ndarray, score: np.ndarray, *, n_bins: int = 10) -> float:
    """Mean |accuracy − confidence| over equal-width score bins, weighted by bin size (NaN without scores)."""
    correct, score = np.asarray(correct, dtype=float), np.asarray(score, dtype=float)
    keep = ~np.isnan(score)
    if not keep.any():
        return float("nan")
    correct, score = correct[keep], score[keep]
    bins = np.minimum((score * n_bins).astype(int), n_bins - 1)
    error = 0.0
    for index in np.unique(bins):
        inside = bins == index
        error += inside.sum() * abs(correct[inside].mean() - score[inside].mean())
    return float(error / len(score))


@dataclasses.dataclass
class StanceEvaluation:
    """Everything :func:`evaluate_stance` measured, as tables (one row per split × method [× label])."""

    summary: pd.DataFrame
    metrics: pd.DataFrame
    confusion: pd.DataFrame
    predictions: pd.DataFrame
    selection: pd.DataFrame
    notes: list[str]


def _score_block(split: str, subset: str, method: str, gold: np.ndarray, predicted: np.ndarray, score: np.ndarray,
                 majority: str, labels: Sequence[str]) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    per_label, summary = stance_scores(gold, predicted, labels=labels)
    _, base = stance_scores(gold, np.full(len(gold), majority, dtype=object), labels=labels)
    f1 = per_label.set_index("label")["f1"]
    row = {"split": split, "subset": subset, "method": method, **summary,
           **{f"f1_{label}": float(f1[label]) for label in labels},
           "majority_label": majority, "majority_macro_f1": base["macro_f1"],
           "macro_f1_above_majority": summary["macro_f1"] - base["macro_f1"],
           "mean_score": float(np.nanmean(score)) if np.isfinite(score).any() else float("nan"),
           "ece": expected_calibration_error(gold == predicted, score)}
    per_label.insert(0, "method", method)
    per_label.insert(0, "subset", subset)
    per_label.insert(0, "split", split)
    confusion = (pd.crosstab(pd.Categorical(gold, categories=labels), pd.Categorical(predicted, categories=labels),
                             dropna=False).stack().rename("count").reset_index())
    confusion.columns = ["gold", "predicted", "count"]
    for name, value in (("method", method), ("subset", subset), ("split", split)):
        confusion.insert(0, name, value)
    return row, per_label, confusion


def evaluate_stance(
    train: pd.DataFrame,
    blind: pd.DataFrame | None = None,
    *,
    methods: Sequence[str] = ("rules", "model", "auto"),
    n_splits: int = 5,
    seed: int = 0,
    group_by_debate: bool = True,
    codebook: Codebook | str | Path | None = None,
    model_params: Mapping | None = None,
) -> StanceEvaluation:
    """Score rules, model and auto against gold labels, beside the majority-class baseline.

    * ``cv``: stratified ``n_splits``-fold cross-validation on ``train`` (grouped by debate, fixed
      ``seed``), pooled out-of-fold predictions; ``auto`` chooses by an inner cross-validation in each fold.
    * ``blind``: every method fitted on all of ``train``, scored on ``blind`` (debates never seen).

    Both are reported for all sentences and for the ``random`` sampling stratum alone (the unbiased
    sample; the ``enriched`` stratum over-represents oppose and condemn).
    """
    codebook = _get_codebook(codebook)
    labels = codebook.labels
    notes = ["The rules were written from the codebook and tuned on gold_train: their cv scores are not held out; "
             "the blind split is."]
    rows, metrics, confusions, predictions = [], [], [], []
    y = train["stance"].to_numpy(dtype=object)
    groups = debate_groups(train) if group_by_debate else None
    cv, selection = cross_validate_stance(train["text"].tolist(), y, methods=methods, groups=groups,
                                          n_splits=n_splits, seed=seed, codebook=codebook, model_params=model_params)
    selection.insert(0, "split", "cv")
    # The majority baseline of each fold is the majority of its training part.
    folds = _folds(y, groups, n_splits=n_splits, seed=seed)
    fold_majority = {fold: majority_label(y[tr], labels=labels) for fold, (tr, _) in enumerate(folds)}
    parts = {"cv": (train, cv)}
    if blind is not None and len(blind):
        blind_rows = []
        train_texts = train["text"].tolist()
        chosen = None
        for method in methods:
            if method == "auto":
                choice = select_method(train_texts, y, groups=groups, n_splits=n_splits, seed=seed, codebook=codebook,
                                       model_params=model_params)
                selection = pd.concat([selection, pd.DataFrame([{"split": "blind", "fold": -1, **choice}])],
                                      ignore_index=True)
                chosen = choice["chosen"]
                continue
            predicted, score = _fit_predict(method, train_texts, y, blind["text"].tolist(), codebook=codebook,
                                            seed=seed, model_params=model_params)
            blind_rows.append(pd.DataFrame({"row": np.arange(len(blind)), "fold": -1, "method": method,
                                            "predicted": predicted, "score": score}))
        if chosen is not None:
            source = next((frame for frame in blind_rows if frame["method"].iat[0] == chosen), None)
            if source is None:
                predicted, score = _fit_predict(chosen, train_texts, y, blind["text"].tolist(), codebook=codebook,
                                                seed=seed, model_params=model_params)
                source = pd.DataFrame({"row": np.arange(len(blind)), "fold": -1, "predicted": predicted, "score": score})
            blind_rows.append(source.assign(method="auto"))
        parts["blind"] = (blind, pd.concat(blind_rows, ignore_index=True))
    for split, (gold_frame, predicted_frame) in parts.items():
        gold_y = gold_frame["stance"].to_numpy(dtype=object)
        sampling = gold_frame["sampling"].to_numpy(dtype=object) if "sampling" in gold_frame else None
        for method in methods:
            part = predicted_frame[predicted_frame["method"] == method].sort_values("row")
            rows_index = part["row"].to_numpy()
            gold_part = gold_y[rows_index]
            if split == "cv":
                majority = np.array([fold_majority[fold] for fold in part["fold"]], dtype=object)
                majority_name = majority_label(y, labels=labels)
            else:
                majority_name = majority_label(y, labels=labels)
            subsets = [("all", np.ones(len(part), dtype=bool))]
            if sampling is not None and (sampling[rows_index] == "random").any():
                subsets.append(("random", sampling[rows_index] == "random"))
            for subset, mask in subsets:
                row, per_label, confusion = _score_block(split, subset, method, gold_part[mask],
                                                         part["predicted"].to_numpy(dtype=object)[mask],
                                                         part["score"].to_numpy(dtype=float)[mask], majority_name, labels)
                if split == "cv":  # baseline: each fold's own training majority
                    _, base = stance_scores(gold_part[mask], majority[mask], labels=labels)
                    row["majority_macro_f1"] = base["macro_f1"]
                    row["macro_f1_above_majority"] = row["macro_f1"] - base["macro_f1"]
                rows.append(row)
                metrics.append(per_label)
                confusions.append(confusion)
            ids = gold_frame["id"].to_numpy(dtype=object)[rows_index] if "id" in gold_frame else rows_index
            predictions.append(pd.DataFrame({"split": split, "method": method, "id": ids, "fold": part["fold"].to_numpy(),
                                             "gold": gold_part, "predicted": part["predicted"].to_numpy(),
                                             "score": part["score"].to_numpy()}))
    return StanceEvaluation(summary=pd.DataFrame(rows), metrics=pd.concat(metrics, ignore_index=True),
                            confusion=pd.concat(confusions, ignore_index=True),
                            predictions=pd.concat(predictions, ignore_index=True), selection=selection, notes=notes)


def format_evaluation(evaluation: StanceEvaluation) -> str:
    """The evaluation as a Markdown report (fixed number formats, so reruns are identical)."""
    lines = ["# Stance evaluation", ""]
    lines += [f"- {note}" for note in evaluation.notes] + [""]
    columns = ["split", "subset", "method", "n", "macro_f1", "majority_macro_f1", "macro_f1_above_majority", "f_avg",
               "accuracy", "f1_support", "f1_oppose", "f1_condemn", "f1_neutral", "ece"]
    summary = evaluation.summary[columns]
    lines += ["## Summary", "", _markdown_table(summary), ""]
    lines += ["## Per label", ""]
    metrics = evaluation.metrics[evaluation.metrics["subset"] == "all"]
    lines += [_markdown_table(metrics[["split", "method", "label", "precision", "recall", "f1", "support", "predicted"]]), ""]
    lines += ["## Confusion matrices (rows: gold, columns: predicted; all sentences)", ""]
    confusion = evaluation.confusion[evaluation.confusion["subset"] == "all"]
    for (split, method), block in confusion.groupby(["split", "method"], sort=False):
        table = block.pivot(index="gold", columns="predicted", values="count")
        order = [label for label in LABELS if label in table.index]
        table = table.loc[order, order].reset_index().rename(columns={"gold": f"{split} / {method}"})
        lines += [_markdown_table(table), ""]
    if len(evaluation.selection):
        lines += ["## How auto chose", "", _markdown_table(evaluation.selection), ""]
    return "\n".join(lines)


def _markdown_table(frame: pd.DataFrame) -> str:
    def cell(value) -> str:
        if isinstance(value, (float, np.floating)):
            return "" if np.isnan(value) else f"{value:.3f}"
        return str(value)

    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(cell(value) for value in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body])


# ==================================================================================================
# Aggregation
# ==================================================================================================

def stance_shares(
    sentences: pd.DataFrame,
    *,
    by: str | Sequence[str] = "doc_id",
    weight: Literal["sentence", "document"] = "sentence",
    labels: Sequence[str] = LABELS,
) -> pd.DataFrame:
    """Share of each stance among the sentences of each group.

    Parameters
    ----------
    sentences : DataFrame
        A ``stance`` column and the ``by`` columns (for ``weight="document"`` also ``doc_id``).
    by : str or list of str
        ``"doc_id"`` for speeches, ``"country"`` for countries (join the document metadata first) ...
    weight : {"sentence", "document"}
        ``"sentence"``: shares of the pooled sentences of the group, ``n_label / n``. ``"document"``: the
        mean of the group's per-speech shares, so that long speeches do not dominate.

    Returns
    -------
    DataFrame
        ``by`` columns, ``n_sentences`` (and ``n_documents`` for ``weight="document"``), then
        ``stance_<label>`` for each label; sorted by ``by``.

    >>> frame = pd.DataFrame({"doc_id": ["a", "a", "b"], "stance": ["support", "oppose", "support"]})
    >>> stance_shares(frame)[["doc_id", "stance_support", "stance_oppose"]].values.tolist()
    [['a', 0.5, 0.5], ['b', 1.0, 0.0]]
    """
    by = [by] if isinstance(by, str) else list(by)
    missing = [column for column in [*by, "stance"] if column not in sentences]
    if missing:
        raise KeyError(f"stance_shares needs column {missing[0]!r}")
    if weight not in ("sentence", "document"):
        raise ValueError(f"weight must be 'sentence' or 'document', got {weight!r}")
    columns = [f"stance_{label}" for label in labels]
    if weight == "document":
        per_document = stance_shares(sentences, by=sorted(set(by) | {"doc_id"}), labels=labels)
        grouped = per_document.groupby(by, sort=True, dropna=False)
        shares = grouped[columns].mean()
        shares.insert(0, "n_documents", grouped.size())
        shares.insert(0, "n_sentences", grouped["n_sentences"].sum())
        return shares.reset_index()
    indicator = pd.get_dummies(pd.Categorical(sentences["stance"], categories=list(labels))).astype(float)
    indicator.columns = columns
    indicator.index = sentences.index
    grouped = pd.concat([sentences[by], indicator], axis=1).groupby(by, sort=True, dropna=False)
    shares = grouped[columns].mean()
    shares.insert(0, "n_sentences", grouped.size())
    return shares.reset_index()


def stance_by_theme(sentences: pd.DataFrame, *, labels: Sequence[str] = LABELS,
                    include_unthemed: bool = False) -> pd.DataFrame:
    """Stance shares of the sentences about each theme (a sentence with two themes counts for both).

    ``themes`` is the ``;``-joined column of ``sentences.csv``; sentences without a theme are left out,
    or reported as theme ``""`` with ``include_unthemed``.
    """
    exploded = sentences.assign(theme=sentences["themes"].fillna("").astype(str).str.split(";")).explode("theme")
    if not include_unthemed:
        exploded = exploded[exploded["theme"] != ""]
    return stance_shares(exploded, by="theme", labels=labels)
