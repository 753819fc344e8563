"""The pattern language: words, wildcards and phrases, as every module that looks for words writes them.

A **pattern** is one or more words separated by spaces (``terror*``, ``organi?ed crime``, ``exchange of
information``). Each word is matched against one token of the text after the project's normalisation
(:func:`analysis.text.normalize_token`: lower case, possessive ``'s`` dropped, typographic apostrophes plain), so
``States'`` and ``states`` are the same word. Inside a word, ``*`` stands for any run of characters (``terror*``:
terror, terrorism, terrorists) and ``?`` for exactly one (``organi?ed``: organised, organized); a wildcard never
reaches past its token. A phrase matches consecutive tokens; where phrases overlap, the one of more words wins,
then the first from the left.

The same language serves keyword-in-context (:func:`analysis.terms.keyword_in_context`), the theme lexicon
(``config/themes.yml``), multi-word terms in counting and keyness (:class:`analysis.terms.TermAnalyzer`) and the
word lists of the stance cue file (``config/stance.yml``), through the pieces defined here:

* :func:`parse_pattern` checks a pattern and returns its normalised words;
* :class:`WordMatcher` says which pattern words a token matches, cached per token type (one dictionary lookup
  per token after the first);
* :class:`PhraseFinder` finds the phrases in a sequence of tokens, trying only where a phrase can start;
* :func:`word_list_regex` turns a word list into one compact regex (a trie), for the cue file;
* :func:`pattern_regex` compiles a pattern into one regex over raw text that finds the same spans as tokenising
  and matching, for searching many texts fast (the explorer's concordance).

Wildcards compile with :func:`fnmatch.translate`, whose regexes match in time linear in the token's length even
for patterns such as ``*a*a*a*a*b`` (a hand-written ``.*a.*a…`` backtracks exponentially).
"""
from __future__ import annotations

import fnmatch
import re
from typing import Iterable, Sequence

from .text import normalize_token

__all__ = ["PhraseFinder", "WordMatcher", "is_wildcard", "longest_literal", "parse_pattern", "pattern_regex",
           "word_list_regex", "word_regex"]

#: One word of a pattern: letters or digits, internal hyphens and apostrophes, and the wildcards ``*`` and ``?``.
_WORD = re.compile(r"[\w'’*?-]+")
_WILDCARDS = "*?"


def is_wildcard(word: str) -> bool:
    """Whether a pattern word holds ``*`` or ``?``."""
    return "*" in word or "?" in word


def parse_pattern(pattern: str, *, bare_wildcards: bool = False) -> tuple[str, ...]:
    """The normalised words of a pattern, wildcards kept; ``ValueError`` saying why a pattern is not valid.

    >>> parse_pattern("Organi?ed  crime"), parse_pattern("States' cooperat*")
    (('organi?ed', 'crime'), ('states', 'cooperat*'))
    >>> parse_pattern("a ** b")
    Traceback (most recent call last):
    ...
    ValueError: invalid pattern 'a ** b': '**' has no letter or digit and would match any word

    ``bare_wildcards=True`` lets a word be wildcards only (``*``: any word), as keyword-in-context allows.
    """
    if not isinstance(pattern, str):
        raise ValueError(f"pattern must be a string, got {type(pattern).__name__} {pattern!r}")
    words = pattern.split()
    if not words:
        raise ValueError(f"empty pattern {pattern!r}")
    normalised = []
    for word in words:
        if not _WORD.fullmatch(word):
            bad = sorted(set(re.sub(r"[\w'’*?-]", "", word)))
            raise ValueError(f"invalid pattern {pattern!r}: character {''.join(bad)!r} in {word!r}; patterns are "
                             "words with * and ? wildcards, hyphens and apostrophes, separated by spaces")
        if not re.search(r"[^\W_]", word) and not (bare_wildcards and not word.strip(_WILDCARDS)):
            raise ValueError(f"invalid pattern {pattern!r}: {word!r} has no letter or digit and would match "
                             "any word")
        # normalise the letters, keep the wildcards where they are
        masked = word.replace("*", "\0").replace("?", "\1")
        normalised.append(normalize_token(masked).replace("\0", "*").replace("\1", "?"))
    return tuple(normalised)


def longest_literal(words: Sequence[str]) -> str:
    """The longest piece of a parsed pattern without wildcards: every text holding a match holds it once lowered
    with ’ read as ' (a cheap test before tokenising or a regex); ``""`` for a pattern of wildcards only.

    >>> longest_literal(parse_pattern("organi?ed crime")), longest_literal(parse_pattern("*", bare_wildcards=True))
    ('organi', '')
    """
    return max((piece for word in words for piece in re.split(r"[*?]", word)), key=len)


def word_regex(word: str) -> str:
    """A regex that fullmatches exactly the tokens a pattern word matches (linear-time, see the module).

    >>> bool(re.fullmatch(word_regex("organi?ed"), "organised")), bool(re.fullmatch(word_regex("terror*"), "ter"))
    (True, False)
    """
    if not is_wildcard(word):
        return re.escape(word)
    # fnmatch gives "(?s:...)\\Z"; brackets in a word are refused by parse_pattern, so only * and ? are special
    translated = fnmatch.translate(word)
    return translated[:-2] if translated.endswith(r"\Z") else translated


class WordMatcher:
    """Which of a set of pattern words (already parsed) each token matches, cached per token.

    Literal words are a dictionary lookup, ``prefix*`` words a ``str.startswith``, other wildcards one combined
    regex tried first and the word regexes only when it matches.

    >>> matcher = WordMatcher(["terror*", "crime", "organi?ed"])
    >>> sorted(matcher.ids("terrorists")), sorted(matcher.ids("organized")), sorted(matcher.ids("peace"))
    ([0], [2], [])
    """

    def __init__(self, words: Sequence[str]):
        self.words = tuple(words)
        self._literal: dict[str, list[int]] = {}
        self._prefix: list[tuple[str, int]] = []
        self._general: list[tuple[re.Pattern, int]] = []
        for word_id, word in enumerate(self.words):
            if not is_wildcard(word):
                self._literal.setdefault(word, []).append(word_id)
            elif word.endswith("*") and word.count("*") == 1 and "?" not in word:
                self._prefix.append((word[:-1], word_id))
            else:
                self._general.append((re.compile(word_regex(word)), word_id))
        self._prefixes = tuple(prefix for prefix, _ in self._prefix)
        self._any_general = re.compile("|".join(f"(?:{r.pattern})" for r, _ in self._general)) \
            if self._general else None
        self._cache: dict[str, frozenset[int]] = {}

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_cache"] = {}
        return state

    def ids(self, token: str) -> frozenset[int]:
        """Positions (in ``words``) of the pattern words that match one normalised token."""
        found = self._cache.get(token)
        if found is None:
            matches = list(self._literal.get(token, ()))
            if self._prefixes and token.startswith(self._prefixes):
                matches.extend(word_id for prefix, word_id in self._prefix if token.startswith(prefix))
            if self._any_general is not None and self._any_general.fullmatch(token):
                matches.extend(word_id for regex, word_id in self._general if regex.fullmatch(token))
            found = self._cache[token] = frozenset(matches)
        return found


class PhraseFinder:
    """The phrases (patterns of several words) that occur in a sequence of normalised tokens.

    Phrases are tried longest first at each position, left to right, and a match is never overlapped by a later
    one (the first token after a match is the next place tried). Only tokens that match a phrase's first word can
    start a match, so the cost is one cached lookup per token and a few comparisons per such token.

    Parameters
    ----------
    phrases : sequence of tuple of str
        Parsed patterns (:func:`parse_pattern`) of at least two words; ``phrases[k]`` is reported as ``k``.

    >>> finder = PhraseFinder([parse_pattern("organized crime"), parse_pattern("transnational organized crime")])
    >>> finder.find("transnational organized crime and organized crime".split())
    [(0, 3, 1), (4, 6, 0)]
    """

    def __init__(self, phrases: Sequence[Sequence[str]]):
        self.phrases = [tuple(words) for words in phrases]
        words: dict[str, int] = {}
        self._ids = [tuple(words.setdefault(word, len(words)) for word in phrase) for phrase in self.phrases]
        self.words = WordMatcher(list(words))
        order = sorted(range(len(self.phrases)), key=lambda k: (-len(self._ids[k]), self._ids[k], k))
        self._by_head: dict[int, list[int]] = {}
        for k in order:  # longest first, so the first phrase that matches at a position is the longest
            self._by_head.setdefault(self._ids[k][0], []).append(k)
        self.width = max((len(ids) for ids in self._ids), default=0)
        self._candidates: dict[str, tuple[int, ...]] = {}  # token -> the phrases that may start at it

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_candidates"] = {}
        return state

    def heads(self, token: str) -> tuple[int, ...]:
        """The phrases that may start at a token (those whose first word it matches), longest first."""
        return tuple(self._head_candidates(token))

    def find(self, tokens: Sequence[str], starts: Iterable[int] | None = None) -> list[tuple[int, int, int]]:
        """``(first, stop, phrase)`` of each match among ``tokens`` (normalised), left to right.

        ``starts`` (optional) are the positions of the tokens that may start a phrase, in order, when the caller
        knows them already; the others are skipped. ``tokens`` may be any sequence (only the tokens at and after
        a start are read).
        """
        found: list[tuple[int, int, int]] = []
        if not self.phrases:
            return found
        cursor = 0
        n = len(tokens)
        positions = range(n) if starts is None else starts
        ids_of, phrase_ids, cache = self.words.ids, self._ids, self._candidates
        for i in positions:
            if i < cursor:
                continue
            token = tokens[i]
            candidates = cache.get(token)
            if candidates is None:
                candidates = cache[token] = tuple(self._head_candidates(token))
            for k in candidates:
                ids = phrase_ids[k]
                size = len(ids)
                if i + size > n:
                    continue
                j = 1
                while j < size and ids[j] in ids_of(tokens[i + j]):
                    j += 1
                if j == size:
                    found.append((i, i + size, k))
                    cursor = i + size
                    break
        return found

    def _head_candidates(self, token: str) -> list[int]:
        ids = self.words.ids(token)
        if not ids:
            return []
        candidates = [k for word_id in ids for k in self._by_head.get(word_id, ())]
        if len(ids) > 1:  # a token matching two first words: keep the longest-first order over both
            candidates.sort(key=lambda k: (-len(self._ids[k]), self._ids[k], k))
        return candidates


def word_list_regex(words: Iterable[str]) -> str:
    """One regex for a list of words or phrases (lower-cased; a trailing ``*`` matches any word ending),
    factored as a trie so that matching tries few branches; it ends at a word end.

    >>> regex = word_list_regex(["Iraq", "Iraqi", "Iran", "terror*"])
    >>> [bool(re.fullmatch(regex, word)) for word in ["iraqi", "iran", "terrorists", "ira"]]
    [True, True, True, False]
    """
    trie: dict = {}
    for phrase in sorted({phrase.strip().lower() for phrase in words}):
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


# The token grammar of analysis.text.TOKEN_PATTERN, piece by piece: a word is runs of letters or digits joined by
# single apostrophes or hyphens; a phrase's words are consecutive tokens, so only characters that belong to no
# token (spaces, commas, quotes, brackets, stray hyphens) may stand between them.
_TOKEN_CHAR = r"[^\W_]"
_INNER = r"(?:[^\W_]|['’\-](?=[^\W_]))"  # a character inside a token
_TOKEN_START = r"(?<![^\W_])(?<![^\W_]['’\-])(?=[^\W_])"
_TOKEN_END = r"(?![^\W_])(?!['’\-][^\W_])"
_GAP = r"(?:[^\w.!?;:]|_)+"


def _word_body(word: str) -> str:
    if not word.strip(_WILDCARDS):  # a bare wildcard: any one word
        return rf"{_TOKEN_CHAR}+(?:['’\-]{_TOKEN_CHAR}+)*"
    pieces = []
    for char in word:
        if char == "*":
            pieces.append(_INNER + "*")
        elif char == "?":
            pieces.append(_INNER)
        elif char == "'":
            pieces.append("['’]")
        else:
            pieces.append(re.escape(char))
    return "".join(pieces)


def pattern_regex(words: Sequence[str]) -> re.Pattern:
    """One case-insensitive regex over raw text whose matches are the pattern's matches as token spans.

    ``words`` is a parsed pattern (:func:`parse_pattern`). A match starts and ends on token boundaries of
    :data:`analysis.text.TOKEN_PATTERN`, a word may carry a possessive ``'s`` (which normalisation drops), and
    the words of a phrase are separated only by characters that belong to no token, so that searching a text
    with the regex finds what :func:`analysis.terms.keyword_in_context` finds by tokenising it (tests compare
    the two on real speeches), without tokenising. Matches of one pattern do not overlap, leftmost first. One
    difference remains, in letters whose lower case is not one letter (``İ``, ``ſ``): the regex matches case
    without lower-casing, so it finds ``İstanbul`` for ``istanbul``, which normalisation spells ``i̇stanbul``.

    >>> [m.group() for m in pattern_regex(parse_pattern("organi?ed crime")).finditer(
    ...     "Organized  crime, organised-crime and disorganized crime")]
    ['Organized  crime']
    >>> [m.group() for m in pattern_regex(parse_pattern("terror*")).finditer("Terrorists' and counter-terrorism")]
    ['Terrorists']
    """
    if not words:
        raise ValueError("empty pattern")
    tokens = (_TOKEN_START + _word_body(word) + "(?:['’]s)?" + _TOKEN_END for word in words)
    return re.compile(_GAP.join(tokens), re.IGNORECASE)
