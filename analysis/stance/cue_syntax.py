"""The cue file's pattern syntax: preparing regex sources, cutting them into alternatives, and the literal
word each alternative begins with (which the matcher scans for).

A cue pattern is a regular expression over a lower-cased sentence buffer (``^``/``$`` are the sentence's ends),
whose every top-level alternative begins with a literal word, a word list of the pattern language
(:func:`analysis.patterns.word_list_regex`) or a group of those; :func:`literal_prefixes` finds those beginnings.
"""
from __future__ import annotations

import functools

from .codebook import WORD_END

def prepare_pattern(source: str) -> str:
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
            char = SENTENCE_START
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


def split_alternatives(source: str) -> list[str]:
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
        for alternative in split_alternatives(inner):
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
def literal_prefixes(source: str, *, max_length: int = 12, max_count: int = 4096) -> frozenset[str]:
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




SENTENCE_START = r"(?<=\n )"


def is_sentence_level(alternative: str) -> bool:
    """An alternative anchored at the sentence start (``^``) whose first word is not literal, such as
    ``^[^\\n]*\\?$`` (a question): it is tried once at the start of each sentence instead of at words."""
    if not alternative.startswith(SENTENCE_START):
        return False
    try:
        literal_prefixes(alternative)
    except ValueError:
        return True
    return False


def alternative_regex(alternative: str) -> str:
    """The regex source that matches one alternative of a cue at a word start."""
    return f"(?:{alternative}){WORD_END}"


def context_source(kind: str, regex: str, within: int) -> str:
    """The regex source of a cue context.

    ``after``/``not_after``: searched in the text before the cue, it must end where the cue starts: a word
    start (the space before it), the context, then at most ``within`` words. ``before``/``not_before``:
    matched right after the cue: at most ``within`` words, then the context.
    """
    words = r"[\w'-]+"
    if kind in ("after", "not_after"):
        return rf" (?:{regex})(?:\W+{words}){{0,{within}}}\W*$"
    return rf"\W*(?:{words}\W+){{0,{within}}}?(?:{regex}){WORD_END}"


