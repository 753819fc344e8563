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
from .errors import ConfigError, InputError
from .io import file_sha256, read_yaml, yaml_key_lines

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
    >>> regex
    "(?:ira(?:n|qi?)|terror[\\w'-]*)(?!\\w)"
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
            char = r"(?<=\n )"
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


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read and validate a stance cue file (default ``config/stance.yml``).

    Every pattern must compile, have no capturing group, refer only to defined lexicons, match each of its
    ``examples`` and none of its ``counterexamples``.

    Raises
    ------
    ConfigError
        Naming the file, the line and what is wrong.
    """
    path = Path(paths.STANCE_FILE if path is None else path)
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
    buffer = _SEPARATOR + _SEPARATOR.join([text.translate(_MATCH_TABLE) for text in texts])
    lowered = buffer.lower()
    if len(lowered) != len(buffer):  # a character whose lower case is longer: keep it as it is
        lowered = "".join(char if len(char.lower()) != 1 else char.lower() for char in buffer)
    return lowered, offsets


def _prefix_trie(prefixes: Iterable[str]) -> str:
    """A regex matching the longest of ``prefixes`` at a position (a trie: few branches tried per word).

    >>> _prefix_trie(["we", "we are", "welcome", "must"])
    '(?:must|we(?:\\ are|lcome)?)'
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
    scan: re.Pattern                         # finds word starts where some cue prefix occurs (group 1)
    candidates: dict[str, tuple[int, ...]]   # prefix found -> the alternatives to try there
    alternatives: list[re.Pattern]           # each alternative, to match at a position
    alternative_cue: list[int]               # alternative -> cue index
    contexts: list[tuple[tuple[str, re.Pattern, int], ...]]  # per cue


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
        alternatives, alternative_cue, by_prefix = [], [], {}
        for cue_index, cue in enumerate(codebook.cues):
            for alternative in _split_alternatives(cue.regex):
                number = len(alternatives)
                alternatives.append(re.compile(_alternative_regex(alternative), _FLAGS))
                alternative_cue.append(cue_index)
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
        scan = re.compile(f" (?=({_prefix_trie(by_prefix)}))", _FLAGS)
        _COMPILED[key] = _CompiledCues(scan=scan, candidates=candidates, alternatives=alternatives,
                                       alternative_cue=alternative_cue, contexts=contexts)
    return _COMPILED[key]


class CueMatcher:
    """Every cue of a codebook found in many sentences with one regex scan.

    The sentences are joined into one lower-cased buffer (:func:`_match_buffer`). One ``finditer`` jumps
    from word start to word start and, with a trie of the literal prefixes of all cue patterns, finds the
    words where some cue can begin; only the few cue alternatives that share the prefix found are then
    tried at that word, and the cue's ``after``/``before`` contexts checked. Every cue matching at a word is
    found, including cues that overlap.

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
        rows_out: list[int] = []
        if n_rows:
            buffer, offsets = _match_buffer(texts)
            compiled = self._compiled
            starts, ends, cues = [], [], []
            candidates = compiled.candidates
            for hit in compiled.scan.finditer(buffer):
                position = hit.end()
                seen = set()
                for number in candidates[hit.group(1)]:
                    cue_index = compiled.alternative_cue[number]
                    if cue_index in seen:
                        continue
                    found = compiled.alternatives[number].match(buffer, position)
                    if found is None:
                        continue
                    span = (position, found.end())
                    if compiled.contexts[cue_index]:
                        span = self._check_contexts(buffer, compiled.contexts[cue_index], span)
                        if span is None:
                            continue
                    seen.add(cue_index)
                    starts.append(span[0])
                    ends.append(span[1])
                    cues.append(cue_index)
            if cues:
                start = np.asarray(starts, dtype=np.int64)
                row = np.searchsorted(offsets, start, side="right") - 1
                end = np.asarray(ends, dtype=np.int64)
                order = np.lexsort((np.asarray(cues), start))
                return CueMatches(n_rows=n_rows, row=row[order], cue=np.asarray(cues, dtype=np.int32)[order],
                                  start=(start - offsets[row])[order], end=(end - offsets[row])[order])
        empty = np.asarray(rows_out, dtype=np.int64)
        return CueMatches(n_rows, empty, empty.astype(np.int32), empty, empty)

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


_CODEBOOKS: dict[tuple, Codebook] = {}


def _get_codebook(codebook: Codebook | str | Path | None) -> Codebook:
    """A Codebook from an instance, a path or ``None`` (the default file); files are read once per change."""
    if isinstance(codebook, Codebook):
        return codebook
    path = Path(paths.STANCE_FILE if codebook is None else codebook)
    try:
        stat = path.stat()
    except OSError:
        raise ConfigError("stance cue file not found", path=path) from None
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _CODEBOOKS:
        _CODEBOOKS[key] = load_codebook(path)
    return _CODEBOOKS[key]


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
    {'stance': ['support', 'oppose'], 'cue': ['support:calls upon@3-14', 'oppose:not support@6-23']}
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
