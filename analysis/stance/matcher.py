"""The cue matcher: every cue of a codebook compiled into one alternation, run with one ``finditer`` over all
sentences joined into one buffer, so a million sentences cost one regex scan, not a Python loop per sentence
and cue. A trie of the cues' first words lets the scan jump from word to word."""
from __future__ import annotations

import dataclasses
import re
from typing import Iterable, Sequence

import numpy as np

from ..validation import as_texts

from .codebook import FLAGS, MATCH_TABLE, Codebook
from .cue_syntax import (alternative_regex, context_source, is_sentence_level, literal_prefixes,
                         split_alternatives)

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

    Each sentence is normalised with :data:`MATCH_TABLE` and preceded by :data:`_SEPARATOR`; the whole
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


_MATCH_REPLACEMENTS = tuple((chr(code), value) for code, value in sorted(MATCH_TABLE.items()))


def _normalised_buffer(texts: Sequence[str]) -> str:
    """``_SEPARATOR + _SEPARATOR.join(text.translate(MATCH_TABLE) for text in texts)``, faster.

    The texts are joined first (with NUL standing in for the separator's line break, which the table would
    turn into a space), then each character of the table that occurs is replaced in one ``str.replace``
    pass; no replacement is itself replaced, so this is the translation. ``translate`` looks every
    character up in the table, ten times slower on long text.
    """
    if any("\0" in text for text in texts):
        return _SEPARATOR + _SEPARATOR.join([text.translate(MATCH_TABLE) for text in texts])
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


def _compile_cues(codebook: Codebook) -> _CompiledCues:
    key = tuple((cue.regex, cue.contexts) for cue in codebook.cues)
    if key not in _COMPILED:
        alternatives, alternative_cue, by_prefix, at_sentence_start = [], [], {}, []
        for cue_index, cue in enumerate(codebook.cues):
            for alternative in split_alternatives(cue.regex):
                number = len(alternatives)
                alternatives.append(re.compile(alternative_regex(alternative), FLAGS))
                alternative_cue.append(cue_index)
                if is_sentence_level(alternative):
                    at_sentence_start.append(number)
                    continue
                for prefix in literal_prefixes(alternative):
                    by_prefix.setdefault(prefix, []).append(number)
        # Where the longest prefix found is P, every alternative whose prefix is a prefix of P may match.
        candidates = {prefix: tuple(sorted({number for length in range(1, len(prefix) + 1)
                                            for number in by_prefix.get(prefix[:length], ())}))
                      for prefix in by_prefix}
        contexts = [tuple((kind, re.compile(context_source(kind, regex, within), FLAGS), within)
                          for kind, regex, within in cue.contexts)
                    for cue in codebook.cues]
        # One capturing group only: a match object copies every group, so thousands would be slow.
        scan = re.compile(f" (?=({_prefix_trie(by_prefix)}))", FLAGS) if by_prefix else None
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
        texts = as_texts(texts)
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
            numbers = candidates[hit.group(1)]
            if len(numbers) == 1:  # most words: one alternative to try, no cue to skip
                try_at(numbers[0], hit.end())
                continue
            position, seen = hit.end(), set()
            for number in numbers:
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


