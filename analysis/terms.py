"""Term frequencies, collocations, keyword-in-context and keyness.

What a political scientist expects first from a text-analysis toolkit (quanteda's ``textstat_frequency``,
``kwic``, ``textstat_collocations``, ``textstat_keyness``), as pure functions that take texts or a documents
DataFrame (``doc_id``, ``text`` and metadata columns, as :func:`analysis.corpus.read_corpus` returns it)
and return DataFrames sorted so that a rerun is byte-identical.

* counting (:func:`count_terms`, :func:`count_terms_by`, :func:`top_terms`, :func:`tfidf_top_terms`) wraps
  scikit-learn's :class:`~sklearn.feature_extraction.text.CountVectorizer` and
  :class:`~sklearn.feature_extraction.text.TfidfTransformer` around the project's analyzer
  (:class:`TermAnalyzer`, which is :func:`analysis.text.analyze` plus multi-word expressions);
  groups are sums of sparse document rows, never Python loops over terms;
* collocations (:func:`find_collocations`, :func:`collocation_phrases`) use NLTK's collocation finders;
* keyword-in-context (:func:`keyword_in_context`) gives offsets into the cleaned text;
* keyness (:func:`keyness`, :func:`keyness_scores`) gives Dunning's G², Hardie's log ratio and the
  Monroe-Colaresi-Quinn log-odds z side by side, always beside the raw counts.

Stopword policy (see :mod:`analysis.text`): frequency tables leave out function words *and* stance words
(``load_stopwords("frequency")``) unless told otherwise; UN boilerplate is dropped for charts only
(:func:`drop_display_terms`).
"""
from __future__ import annotations

import dataclasses
import difflib
import functools
import re
from typing import Iterable, Literal, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp
from scipy.special import xlogy

# scipy.stats and scikit-learn are imported where they are used: importing them costs seconds, and the
# pipeline's worker processes, which only count terms, would pay it each.

from .errors import InputError
from .text import (
    _BARRIERS,
    LearningDict as _LearningDict,
    analyze,
    content_tokens,
    find_tokens,
    load_stopwords,
    ngrams,
    normalize_token,
    token_spans,
    tokenize,
)

__all__ = [
    "COLLOCATION_COLUMNS",
    "KEYNESS_COLUMNS",
    "KWIC_COLUMNS",
    "TERMS_COLUMNS",
    "TermAnalyzer",
    "TermTotals",
    "TokenCounts",
    "collocation_phrases",
    "count_terms",
    "count_terms_by",
    "count_analyzed",
    "count_tokens",
    "count_word_tokens",
    "drop_display_terms",
    "find_collocations",
    "is_boilerplate",
    "keyness",
    "keyness_scores",
    "keyword_in_context",
    "term_matrix",
    "term_table",
    "tfidf_top_terms",
    "top_terms",
]

TERMS_COLUMNS = ["term", "count", "docs", "rate_per_10k"]
KWIC_COLUMNS = ["doc_id", "sentence_id", "start", "end", "left", "match", "right"]
KEYNESS_COLUMNS = ["term", "count_target", "count_reference", "rate_target", "rate_reference", "g2", "p",
                   "log_ratio", "z"]
COLLOCATION_COLUMNS = ["collocation", "count", "g2", "pmi"]

#: G² above which a 1-degree-of-freedom association is significant at p < 0.001.
G2_CRITICAL_001 = 10.828

_WORD_BREAK = "[^\\s.!?;:]"  # a glob's ``*`` never crosses a token or a barrier punctuation mark


# --------------------------------------------------------------------------------------------------
# Multi-word expressions and patterns over normalised tokens
# --------------------------------------------------------------------------------------------------

def _pattern_pieces(pattern: str) -> tuple[list[str], list[str]]:
    """The regex of each token of one pattern (see :func:`_pattern_regex`), and its literal chunks."""
    if not isinstance(pattern, str):
        raise TypeError(f"patterns must be strings, got {type(pattern).__name__}: {pattern!r}")
    pieces: list[str] = []
    chunks: list[str] = []
    for word in pattern.split():
        if "*" in word or "?" in word:
            glob = normalize_token(word) if word.strip("*?") else word
            chunks.extend(re.split(r"[*?]", glob))
            pieces.append(f"(?={_WORD_BREAK})" + "".join(
                f"{_WORD_BREAK}*" if ch == "*" else _WORD_BREAK if ch == "?" else re.escape(ch) for ch in glob))
        else:
            words = [normalize_token(token) for token in tokenize(word)]
            chunks.extend(words)
            pieces.extend(re.escape(token) for token in words)
    pieces = [piece for piece in pieces if piece]
    if not pieces:
        raise ValueError(f"pattern {pattern!r} holds no word")
    return pieces, chunks


def _pattern_regex(patterns: Iterable[str], *, min_words: int = 1) -> tuple[re.Pattern | None, tuple[str, ...]]:
    """One regex over space-joined normalised tokens matching any of ``patterns``.

    A pattern is one or more white-space separated words, normalised like the text (:func:`normalize_token`:
    lower case, possessive ``'s`` dropped); a word may hold the glob wildcards ``*`` (any characters within
    one token) and ``?`` (one character). Patterns of fewer than ``min_words`` tokens are ignored.
    Alternatives are ordered longest first, so at a given position the longest pattern wins.

    Returns ``(regex or None, literals)``: for each pattern used, its longest literal piece (lower case),
    which every text holding a match contains once lowered with ``’`` read as ``'`` (a cheap pre-filter;
    ``""`` when a pattern is all wildcards).
    """
    if isinstance(patterns, str):
        patterns = [patterns]
    alternatives: dict[str, tuple[int, int]] = {}
    literals: set[str] = set()
    for pattern in patterns:
        pieces, chunks = _pattern_pieces(pattern)
        if len(pieces) < min_words:
            continue
        alternatives.setdefault(" ".join(pieces), (len(pieces), len(pattern)))
        literals.add(max(chunks, key=len, default=""))
    if not alternatives:
        return None, ()
    ordered = sorted(alternatives, key=lambda alt: (-alternatives[alt][0], -len(alt), alt))
    return re.compile(r"(?<![^ ])(?:" + "|".join(ordered) + r")(?![^ ])"), tuple(sorted(literals))


def _match_tokens(norm: Sequence[str], regex: re.Pattern) -> list[tuple[int, int]]:
    """Token ranges ``(first, stop)`` where ``regex`` matches the space-joined ``norm`` (left to right)."""
    joined = " ".join(norm)
    matches = list(regex.finditer(joined))
    if not matches:
        return []
    starts = np.cumsum([0] + [len(token) + 1 for token in norm[:-1]])
    ranges = []
    for match in matches:
        first = int(np.searchsorted(starts, match.start()))
        stop = int(np.searchsorted(starts, match.end(), side="right"))
        ranges.append((first, stop))
    return ranges


class TermAnalyzer:
    """The project's analyzer with multi-word expressions: text → list of terms.

    Without ``phrases`` it returns exactly :func:`analysis.text.analyze`. With ``phrases``, each occurrence
    of a phrase (longest first, left to right) becomes one token before stopwords and n-grams are applied,
    so ``"foreign terrorist fighters"`` is counted as one term and its words are not counted again on
    their own (as quanteda's ``tokens_compound``). A phrase may contain stopwords (``"exchange of
    information"``) and glob wildcards (``"organi?ed crime"``); the unit is the matched normalised words.

    Instances are picklable, so they can be passed to scikit-learn (``CountVectorizer(analyzer=...)``) and
    to worker processes.

    Parameters
    ----------
    ngram_range : (int, int)
        Smallest and largest n-gram length, counted in units (a phrase is one unit).
    stopwords : frozenset, optional
        Words dropped (as n-gram barriers); default ``load_stopwords("frequency")``.
    phrases : iterable of str, optional
        Multi-word expressions to count as units (from :func:`collocation_phrases` or a theme lexicon);
        single words are ignored.

    >>> TermAnalyzer(ngram_range=(1, 2), phrases=["organized crime"])("Transnational organized crime grows.")
    ['transnational', 'organized crime', 'grows', 'transnational organized crime', 'organized crime grows']
    """

    def __init__(self, *, ngram_range: tuple[int, int] = (1, 1), stopwords: frozenset[str] | None = None,
                 phrases: Iterable[str] | None = None):
        low, high = ngram_range
        if low < 1 or high < low:
            raise ValueError(f"ngram_range must satisfy 1 <= low <= high, got {ngram_range}")
        self.ngram_range = (int(low), int(high))
        self.stopwords = load_stopwords("frequency") if stopwords is None else stopwords
        if phrases is None:
            phrases = ()
        elif isinstance(phrases, str):
            phrases = (phrases,)
        self.phrases = tuple(sorted(set(phrases)))
        self._regex, _ = _pattern_regex(self.phrases, min_words=2)

    def __repr__(self) -> str:
        return (f"TermAnalyzer(ngram_range={self.ngram_range}, stopwords=<{len(self.stopwords)} words>, "
                f"phrases=<{len(self.phrases)}>)")

    def merge_phrases(self, tokens: Sequence[str]) -> list[str]:
        """Tokens with every phrase occurrence replaced by one token (its normalised words, space-joined)."""
        if self._regex is None:
            return list(tokens)
        norm = [normalize_token(token) for token in tokens]
        ranges = _match_tokens(norm, self._regex)
        if not ranges:
            return list(tokens)
        merged: list[str] = []
        cursor = 0
        for first, stop in ranges:
            merged.extend(tokens[cursor:first])
            merged.append(" ".join(norm[first:stop]))
            cursor = stop
        merged.extend(tokens[cursor:])
        return merged

    def __call__(self, text: str) -> list[str]:
        if self._regex is None:
            return analyze(text, ngram_range=self.ngram_range, stopwords=self.stopwords)
        items = content_tokens(self.merge_phrases(tokenize(text)), self.stopwords)
        low, high = self.ngram_range
        return [term for n in range(low, high + 1) for term in ngrams(items, n)]


# --------------------------------------------------------------------------------------------------
# Counting
# --------------------------------------------------------------------------------------------------

def count_word_tokens(text: str) -> int:
    """Number of word tokens (letters or digits; punctuation excluded, stopwords included)."""
    return sum(1 for token in tokenize(text) if token[0].isalnum())


def _as_texts(texts, name: str) -> list[str]:
    if isinstance(texts, str):
        raise TypeError(f"{name} expects a sequence of documents, not a single str")
    return ["" if text is None else str(text) for text in texts]


def _check_documents(documents: pd.DataFrame, name: str, columns: Sequence[str] = ("doc_id", "text")) -> None:
    if not isinstance(documents, pd.DataFrame):
        raise TypeError(f"{name} expects a documents DataFrame, got {type(documents).__name__}")
    missing = [column for column in columns if column not in documents.columns]
    if missing:
        raise ValueError(f"{name}: documents lack column(s) {', '.join(missing)} "
                         f"(columns are: {', '.join(map(str, documents.columns))})")


def term_matrix(texts: Sequence[str] | pd.Series, *, ngram_range: tuple[int, int] = (1, 2),
                stopwords: frozenset[str] | None = None, phrases: Iterable[str] | None = None,
                ) -> tuple[sp.csr_matrix, np.ndarray]:
    """Document-term count matrix: what ``CountVectorizer(analyzer=TermAnalyzer(...))`` gives.

    Built by :func:`count_tokens` (one regex pass per text, one dictionary lookup per token, n-grams counted
    as integer codes with NumPy), several times faster than scikit-learn's Python loop over terms and equal
    to it entry for entry.

    Returns
    -------
    matrix : scipy.sparse.csr_matrix of int64, shape (n_documents, n_terms)
    terms : ndarray of str, sorted (column ``j`` counts ``terms[j]``)
    """
    texts = _as_texts(texts, "term_matrix")
    analyzer = TermAnalyzer(ngram_range=ngram_range, stopwords=stopwords, phrases=phrases)
    return count_tokens(texts, ngram_range=analyzer.ngram_range, stopwords=analyzer.stopwords,
                        phrases=analyzer.phrases).sorted_matrix()


def _word_token_counts(texts: Sequence[str]) -> np.ndarray:
    index = _token_index(load_stopwords("frequency"))  # any list: the number of word tokens is the same
    return np.fromiter((_token_ids(find_tokens(text), index)[1] for text in texts), dtype=np.int64,
                       count=len(texts))


# --------------------------------------------------------------------------------------------------
# Fast exact counting: token ids and integer n-gram codes
# --------------------------------------------------------------------------------------------------

_DROPPED, _BARRIER = -1, -2


class _TokenIndex(dict):
    """Raw token → term id under one stopword list, filled on first sight of each token type.

    The id is that of the token's normalised form (:func:`analysis.text.content_tokens`), ``-1`` for a token
    that form drops (stopword, number, one letter) and ``-2`` for barrier punctuation, so after the first
    occurrence the cost of a token is one dictionary lookup. ``terms[i]`` is the term of id ``i``.
    """

    def __init__(self, stopwords: frozenset[str]):
        super().__init__()
        self.stopwords = stopwords
        self.ids: dict[str, int] = {}
        self.terms: list[str] = []

    def __missing__(self, token: str) -> int:
        if token in _BARRIERS:
            value = _BARRIER
        else:
            norm = content_tokens([token], self.stopwords)[0]
            if norm is None:
                value = _DROPPED
            else:
                value = self.ids.get(norm, -1)
                if value < 0:
                    value = self.ids[norm] = len(self.terms)
                    self.terms.append(norm)
        self[token] = value
        return value


_INDEXES: dict[tuple[str, int], _TokenIndex] = {}


@functools.lru_cache(maxsize=8)
def _phrase_merger(phrases: tuple[str, ...]) -> _PhraseMerger | None:
    """The process's merger for a set of phrases (``None`` when none has two words or more)."""
    analyzer = TermAnalyzer(phrases=phrases)
    return None if analyzer._regex is None else _PhraseMerger(analyzer)


def _token_index(stopwords: frozenset[str]) -> _TokenIndex:
    """The process's :class:`_TokenIndex` for a stopword list (built once, then grown)."""
    key = (getattr(stopwords, "version", ""), hash(stopwords))
    index = _INDEXES.get(key)
    if index is None or index.stopwords != stopwords:
        if len(_INDEXES) > 8:
            _INDEXES.clear()
        index = _INDEXES[key] = _TokenIndex(stopwords)
    return index


def _token_ids(tokens: list[str], index: _TokenIndex, merger: _PhraseMerger | None = None) -> tuple[np.ndarray, int]:
    """Term ids of a text's tokens (``-1`` dropped, ``-2`` barrier), phrases merged into one token when
    ``merger`` is given, and the number of word tokens of the text (phrases or not)."""
    if merger is None or merger.regex is None:
        ids = np.fromiter(map(index.__getitem__, tokens), dtype=np.int64, count=len(tokens))
        return ids, len(tokens) - int(np.count_nonzero(ids == _BARRIER))
    headed = _headed_index(index, merger)
    codes = np.fromiter(map(headed.__getitem__, tokens), dtype=np.int64, count=len(tokens))
    ids = (codes >> 1) - 2
    n_words = len(tokens) - int(np.count_nonzero(ids == _BARRIER))  # no phrase holds a barrier
    heads = np.flatnonzero(codes & 1)
    if not len(heads):
        return ids, n_words
    pieces = []
    cursor = 0
    for first, stop, phrase in merger.find(tokens, heads.tolist()):
        pieces.append(ids[cursor:first])
        pieces.append(np.array([index[phrase]], dtype=np.int64))  # a phrase goes through content_tokens too
        cursor = stop
    if not pieces:
        return ids, n_words
    pieces.append(ids[cursor:])
    return np.concatenate(pieces), n_words


_HEADED: dict[tuple[int, int], _HeadedIndex] = {}


def _headed_index(index: _TokenIndex, merger: _PhraseMerger) -> _HeadedIndex:
    key = (id(index), id(merger))
    headed = _HEADED.get(key)
    if headed is None or headed.index is not index or headed.merger is not merger:
        if len(_HEADED) > 8:
            _HEADED.clear()
        headed = _HEADED[key] = _HeadedIndex(index, merger)
    return headed


class _PhraseMerger:
    """:meth:`TermAnalyzer.merge_phrases` on raw tokens, with the regex tried only where a phrase can start.

    A phrase match starts at a token whose normalised form matches the first word of some phrase (a
    *head*) and covers at most as many tokens as the longest phrase has words. So instead of scanning the
    whole space-joined text, the analyzer's own regex is matched at each head, on the space-joined tokens
    from there (as many as the longest phrase), left to right, skipping heads inside an earlier match: the
    same matches as ``finditer`` over the whole text. A token type's normalised form, and whether it is a
    head, are worked out once per type.
    """

    def __init__(self, analyzer: TermAnalyzer):
        self.regex = analyzer._regex
        pieces = [_pattern_pieces(phrase)[0] for phrase in analyzer.phrases]
        pieces = [words for words in pieces if len(words) >= 2]
        firsts = sorted({words[0] for words in pieces})
        self.head = re.compile("|".join(f"(?:{first})" for first in firsts)) if firsts else None
        self.width = max((len(words) for words in pieces), default=0)
        self.norms: dict[str, str] = {}
        self.is_head = _LearningDict(self._learn)

    def _learn(self, token: str) -> bool:
        norm = self.norms[token] = normalize_token(token)
        return self.head is not None and self.head.fullmatch(norm) is not None

    def find(self, tokens: list[str], heads: Iterable[int]) -> list[tuple[int, int, str]]:
        """``(first, stop, phrase)`` for each phrase match among ``tokens``, left to right; ``heads`` are the
        positions of the head tokens, in order (every token type must have been looked up in ``is_head``)."""
        norms, regex, width = self.norms, self.regex, self.width
        found = []
        cursor = 0  # tokens before this index are before or inside a match
        for i in heads:
            if i < cursor:
                continue
            words = [norms[token] for token in tokens[i:i + width]]
            match = regex.match(" ".join(words))
            if match is None:
                continue
            cursor = i + match.group().count(" ") + 1  # tokens hold no spaces
            found.append((i, cursor, " ".join(words[:cursor - i])))
        return found

    def merge(self, tokens: list[str]) -> list[str]:
        """The tokens with each phrase match replaced by one token, as :meth:`TermAnalyzer.merge_phrases`."""
        if self.regex is None:
            return tokens
        flags = np.fromiter(map(self.is_head.__getitem__, tokens), dtype=bool, count=len(tokens))
        merged: list[str] = []
        cursor = 0
        for first, stop, phrase in self.find(tokens, np.flatnonzero(flags).tolist()):
            merged.extend(tokens[cursor:first])
            merged.append(phrase)
            cursor = stop
        if not merged:
            return tokens
        merged.extend(tokens[cursor:])
        return merged


class _HeadedIndex(dict):
    """Raw token → ``(term id + 2) * 2 + is_head``: the :class:`_TokenIndex` id and the
    :class:`_PhraseMerger` head flag of a token in one dictionary lookup."""

    def __init__(self, index: _TokenIndex, merger: _PhraseMerger):
        super().__init__()
        self.index = index
        self.merger = merger

    def __missing__(self, token: str) -> int:
        value = self[token] = (self.index[token] + 2) * 2 + int(self.merger.is_head[token])
        return value


@dataclasses.dataclass
class TokenCounts:
    """Term counts of some texts, as :func:`count_tokens` returns them (the per-document map).

    Terms are kept as tuples of word ids rather than strings, so that counts of many batches of texts can be
    summed with integer arithmetic (:class:`TermTotals`); :meth:`sorted_matrix` gives the familiar
    document-term matrix.

    Attributes
    ----------
    words : ndarray of str
        The vocabulary of single words; an id is a position in it.
    grams : dict of int → (ndarray of shape (n_grams, n), ndarray, ndarray, ndarray)
        For each n-gram length ``n``: the word ids of each distinct n-gram, then the sparse counts as three
        arrays ``(text, n-gram, count)``, one entry per n-gram present in a text.
    n_tokens : ndarray of int64
        Word tokens of each text (stopwords included, punctuation excluded), as :func:`count_word_tokens`.
    """

    words: np.ndarray
    grams: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]
    n_tokens: np.ndarray

    def sorted_matrix(self) -> tuple[sp.csr_matrix, np.ndarray]:
        """``(matrix, terms)``: int64 counts with one column per term, terms sorted (as ``CountVectorizer``)."""
        blocks, names = [], []
        n_texts = len(self.n_tokens)
        for n in sorted(self.grams):
            ids, rows, columns, counts = self.grams[n]
            blocks.append(sp.csr_matrix((counts, (rows, columns)), shape=(n_texts, len(ids)), dtype=np.int64))
            names.append(_join_words(self.words, ids))
        if not blocks:
            return sp.csr_matrix((n_texts, 0), dtype=np.int64), np.array([], dtype=object)
        terms = np.concatenate(names)
        order = np.argsort(terms, kind="stable")
        matrix = sp.hstack(blocks, format="csr", dtype=np.int64)[:, order].tocsr()
        matrix.sort_indices()
        return matrix, terms[order].astype(object)


def _join_words(words: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Space-joined terms of rows of word ids."""
    if ids.shape[1] == 1:
        return words[ids[:, 0]].astype(object)
    return np.array([" ".join(row) for row in words[ids].tolist()], dtype=object)


def count_tokens(texts: Sequence[str] | pd.Series, *, ngram_range: tuple[int, int] = (1, 2),
                 stopwords: frozenset[str] | None = None, phrases: Iterable[str] | None = None,
                 tokens: Sequence[list[str]] | None = None) -> TokenCounts:
    """Term counts of each text with the project's analyzer (:class:`TermAnalyzer`), fast.

    Equal, entry for entry, to ``CountVectorizer(analyzer=TermAnalyzer(ngram_range=..., stopwords=...,
    phrases=...))`` (tests check it): each text is tokenised by one regex pass, phrases are merged
    (:class:`_PhraseMerger`), tokens become word ids by a dictionary lookup (:class:`_TokenIndex`), and the
    n-grams of a text are windows of ids that hold no dropped token, counted with NumPy.

    Parameters
    ----------
    texts : sequence of str
    ngram_range : (int, int)
        Smallest and largest n-gram length.
    stopwords : frozenset, optional
        Default ``load_stopwords("frequency")``, as :class:`TermAnalyzer`.
    phrases : iterable of str, optional
        Multi-word expressions counted as units, as :class:`TermAnalyzer`.
    tokens : sequence of list of str, optional
        The :func:`analysis.text.find_tokens` of each text, when they have been computed already.

    >>> counts = count_tokens(["We condemn terrorism.", "Terrorism!"], ngram_range=(1, 2))
    >>> matrix, terms = counts.sorted_matrix()
    >>> list(terms), matrix.toarray().tolist(), counts.n_tokens.tolist()
    (['condemn', 'condemn terrorism', 'terrorism'], [[1, 1, 1], [0, 0, 1]], [3, 1])
    """
    texts = _as_texts(texts, "count_tokens")
    low, high = ngram_range
    if low < 1 or high < low:
        raise ValueError(f"ngram_range must satisfy 1 <= low <= high, got {ngram_range}")
    stopwords = load_stopwords("frequency") if stopwords is None else stopwords
    index = _token_index(stopwords)
    if isinstance(phrases, str):
        phrases = (phrases,)
    merger = _phrase_merger(tuple(sorted(set(phrases)))) if phrases else None
    pieces, lengths = [], np.empty(len(texts), dtype=np.int64)
    n_tokens = np.empty(len(texts), dtype=np.int64)
    separator = np.array([_DROPPED], dtype=np.int64)  # no n-gram crosses from one text into the next
    if tokens is None:
        tokens = map(find_tokens, texts)
    elif len(tokens) != len(texts):
        raise ValueError(f"tokens has {len(tokens)} entries for {len(texts)} texts")
    for row, text_tokens in enumerate(tokens):
        ids, n_tokens[row] = _token_ids(text_tokens, index, merger)
        pieces.append(ids)
        pieces.append(separator)
        lengths[row] = len(ids) + 1
    stream = np.concatenate(pieces) if pieces else np.empty(0, dtype=np.int64)
    # Renumber the words these texts use 0..k-1, so the vocabulary sent along is only theirs.
    used, stream_ids = np.unique(stream[stream >= 0], return_inverse=True)
    stream[stream >= 0] = stream_ids.ravel()
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    words = np.array(index.terms, dtype=object)[used] if len(used) else np.array([], dtype=object)
    grams = {n: _ngram_counts(stream, rows, n, len(texts), len(words)) for n in range(low, high + 1)}
    return TokenCounts(words=words, grams=grams, n_tokens=n_tokens)


def _ngram_counts(ids: np.ndarray, rows: np.ndarray, n: int, n_texts: int,
                  n_words: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The distinct n-grams of length ``n`` in the id stream, and their counts per text (``rows``) as
    ``(text, n-gram, count)`` arrays."""
    size = len(ids) - n + 1
    empty = np.empty(0, dtype=np.int64)
    if size <= 0:
        return np.empty((0, n), dtype=np.int64), empty, empty, empty
    windows = np.stack([ids[k:k + size] for k in range(n)], axis=1)
    valid = (windows >= 0).all(axis=1)
    windows, window_rows = windows[valid], rows[:size][valid]
    grams, column = _unique_rows(windows, n_words)
    # Distinct (text, n-gram) pairs and how often each occurs, by hashing one integer per pair.
    pair, keys = pd.factorize(window_rows * max(len(grams), 1) + column)
    counts = np.bincount(pair, minlength=len(keys)).astype(np.int64)
    keys = np.asarray(keys, dtype=np.int64)
    return grams, keys // max(len(grams), 1), keys % max(len(grams), 1), counts


def _unique_rows(rows: np.ndarray, n_words: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of a 2-D array of word ids (in order of first appearance) and the index of each input
    row among them."""
    n = rows.shape[1]
    bits = max(int(n_words).bit_length(), 1)
    if bits * n > 62:  # too many words to pack an n-gram into one integer
        unique, inverse = np.unique(rows, axis=0, return_inverse=True)
        return unique, inverse.ravel()
    codes = np.zeros(len(rows), dtype=np.int64)
    for k in range(n):
        codes = (codes << bits) | rows[:, k]
    inverse, unique_codes = pd.factorize(codes)
    unique = np.empty((len(unique_codes), n), dtype=np.int64)
    codes = np.asarray(unique_codes, dtype=np.int64)
    mask = (1 << bits) - 1
    for k in range(n - 1, -1, -1):
        unique[:, k] = codes & mask
        codes = codes >> bits
    return unique, np.asarray(inverse, dtype=np.int64)


def count_analyzed(texts: Sequence[str], analyzer) -> tuple[sp.csr_matrix, np.ndarray]:
    """What ``CountVectorizer(analyzer=analyzer).fit_transform(texts)`` gives, counted with NumPy.

    ``analyzer`` turns one text into its list of terms (any callable). Returns the int64 count matrix, with
    one column per term, terms sorted and the indices of each row sorted (a canonical layout, so sums over
    a row do not depend on the order in which terms were first seen), and the terms. No text holding a term
    gives a matrix with no columns rather than scikit-learn's ``ValueError``.

    >>> matrix, terms = count_analyzed(["b a b", "c"], str.split)
    >>> list(terms), matrix.toarray().tolist()
    (['a', 'b', 'c'], [[1, 2, 0], [0, 0, 1]])
    """
    ids = _LearningDict(lambda term: len(ids))  # a new term gets the next id
    every: list[str] = []
    lengths = []
    for text in texts:
        terms = analyzer(text)
        every.extend(terms)
        lengths.append(len(terms))
    n_texts = len(lengths)
    columns = np.fromiter(map(ids.__getitem__, every), dtype=np.int64, count=len(every))
    vocabulary = np.array(list(ids), dtype=object)
    if not len(vocabulary):
        return sp.csr_matrix((n_texts, 0), dtype=np.int64), vocabulary
    order = np.argsort(vocabulary, kind="stable")
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order), dtype=np.int64)
    rows = np.repeat(np.arange(n_texts, dtype=np.int64), np.asarray(lengths, dtype=np.int64))
    column = position[columns]
    matrix = sp.csr_matrix((np.ones(len(column), dtype=np.int64), (rows, column)),
                           shape=(n_texts, len(vocabulary)), dtype=np.int64)
    matrix.sum_duplicates()
    return matrix, vocabulary[order]


class TermTotals:
    """Running sums of term counts and document frequencies: the reduce step of a parallel count.

    :meth:`add` the :class:`TokenCounts` of batches of texts (in any order, from any process), or
    :meth:`merge` another ``TermTotals``; :meth:`table` gives the corpus term table. Sums are integers, so the
    result does not depend on how the texts were split or in which order the parts were added.

    >>> totals = TermTotals()
    >>> totals.add(count_tokens(["We condemn terrorism."]))
    >>> totals.add(count_tokens(["Terrorism!"]))
    >>> totals.table()[["term", "count", "docs"]].values.tolist()
    [['terrorism', 2, 2], ['condemn', 1, 1], ['condemn terrorism', 1, 1]]
    """

    def __init__(self):
        self.n_tokens = 0
        # One part per batch: its word vocabulary, and per n-gram length the n-grams (as ids into that
        # vocabulary) with their count and document frequency. Vocabularies are unified once, in totals().
        self._parts: list[tuple[np.ndarray, dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]]] = []

    def add(self, counts: TokenCounts, rows: np.ndarray | None = None) -> None:
        """Add the counts of all texts of ``counts``, or only of those selected by ``rows`` (mask or indices)."""
        self.n_tokens += int(counts.n_tokens.sum() if rows is None else counts.n_tokens[rows].sum())
        sums = {}
        for n, (grams, texts, columns, number) in counts.grams.items():
            if rows is not None:
                selected = np.zeros(len(counts.n_tokens), dtype=bool)
                selected[rows] = True
                keep = selected[texts]
                columns, number = columns[keep], number[keep]
            total = np.bincount(columns, weights=number, minlength=len(grams)).astype(np.int64)
            docs = np.bincount(columns, minlength=len(grams)).astype(np.int64)
            seen = total > 0
            sums[n] = (grams[seen], total[seen], docs[seen])
        self._parts.append((np.asarray(counts.words, dtype=object), sums))

    def merge(self, other: TermTotals) -> None:
        """Add the sums of another ``TermTotals`` (of other texts)."""
        self.n_tokens += other.n_tokens
        self._parts.extend(other._parts)

    def totals(self) -> pd.DataFrame:
        """``term, count, docs`` of every term seen (unsorted)."""
        if not self._parts:
            return pd.DataFrame({"term": pd.Series(dtype=object), "count": pd.Series(dtype=np.int64),
                                 "docs": pd.Series(dtype=np.int64)})
        # One vocabulary for all parts, by hashing every part's words at once.
        codes, words = pd.factorize(np.concatenate([words for words, _ in self._parts]))
        offsets = np.cumsum([0] + [len(words) for words, _ in self._parts])
        words = pa.array(np.asarray(words, dtype=object), type=pa.string())
        frames = []
        for n in sorted({n for _, sums in self._parts for n in sums}):
            parts = [(codes[offset:][sums[n][0]], sums[n][1], sums[n][2])
                     for offset, (_, sums) in zip(offsets, self._parts) if n in sums]
            grams = np.concatenate([part[0] for part in parts]).reshape(-1, n)
            unique, inverse = _unique_rows(grams, len(words))
            total = np.bincount(inverse, weights=np.concatenate([part[1] for part in parts]), minlength=len(unique))
            docs = np.bincount(inverse, weights=np.concatenate([part[2] for part in parts]), minlength=len(unique))
            terms = pc.take(words, pa.array(unique[:, 0]))
            for k in range(1, n):
                terms = pc.binary_join_element_wise(terms, pc.take(words, pa.array(unique[:, k])), " ")
            frames.append(pd.DataFrame({"term": pd.Series(terms.to_numpy(zero_copy_only=False), dtype=object),
                                        "count": total.astype(np.int64), "docs": docs.astype(np.int64)}))
        return pd.concat(frames, ignore_index=True)

    def table(self, *, n_tokens: int | None = None, min_count: int = 1) -> pd.DataFrame:
        """The corpus term table, as :func:`count_terms` gives it (rates per 10,000 of ``n_tokens``, by default
        the word tokens of the texts added)."""
        return term_table(self.totals(), n_tokens=self.n_tokens if n_tokens is None else n_tokens,
                          min_count=min_count)


def term_table(totals: pd.DataFrame, *, n_tokens: int, min_count: int = 1) -> pd.DataFrame:
    """``term, count, docs, rate_per_10k`` from summed counts, sorted as :func:`count_terms` sorts."""
    table = pd.DataFrame({
        "term": pd.Series(totals["term"].to_numpy(dtype=object), dtype=object),
        "count": totals["count"].to_numpy(dtype=np.int64),
        "docs": totals["docs"].to_numpy(dtype=np.int64),
    })
    table["rate_per_10k"] = table["count"] * 10_000.0 / max(n_tokens, 1)
    table = table[table["count"] >= min_count]
    # Arrow's multi-key sort (terms compared as UTF-8 bytes, i.e. by code point, as Python compares str).
    order = pc.sort_indices(pa.table({"count": table["count"].to_numpy(),
                                      "term": pa.array(table["term"].to_numpy(dtype=object), type=pa.string())}),
                            sort_keys=[("count", "descending"), ("term", "ascending")])
    return table.iloc[order.to_numpy()].reset_index(drop=True)


def count_terms(
    texts: Sequence[str] | pd.Series,
    *,
    ngram_range: tuple[int, int] = (1, 2),
    min_count: int = 1,
    stopwords: frozenset[str] | None = None,
    n_tokens: int | None = None,
    phrases: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Corpus term table: one row per unigram or n-gram.

    Parameters
    ----------
    texts : sequence of str
        One text per document.
    ngram_range : (int, int)
        Smallest and largest n-gram length.
    min_count : int
        Drop terms seen fewer times in the whole corpus.
    stopwords : frozenset, optional
        Words to leave out (default ``load_stopwords("frequency")``: function words and stance words such
        as ``not``, ``must``, ``against``; pass ``load_stopwords("function")`` to count stance words).
    n_tokens : int, optional
        Denominator of the rate: the corpus size in word tokens (stopwords included). Computed when omitted.
    phrases : iterable of str, optional
        Multi-word expressions counted as units (see :class:`TermAnalyzer`).

    Returns
    -------
    DataFrame
        ``term, count, docs, rate_per_10k`` where ``rate_per_10k = 10_000 * count / n_tokens``; sorted by
        ``count`` descending, then ``term``.

    >>> count_terms(["We condemn terrorism.", "Terrorism is a threat."], ngram_range=(1, 1), n_tokens=10)
            term  count  docs  rate_per_10k
    0  terrorism      2     2        2000.0
    1    condemn      1     1        1000.0
    2     threat      1     1        1000.0
    """
    texts = _as_texts(texts, "count_terms")
    if n_tokens is None:
        n_tokens = int(_word_token_counts(texts).sum())
    matrix, terms = term_matrix(texts, ngram_range=ngram_range, stopwords=stopwords, phrases=phrases)
    counts = np.asarray(matrix.sum(axis=0)).ravel().astype(np.int64)
    docs = np.diff(matrix.tocsc().indptr).astype(np.int64)
    totals = pd.DataFrame({"term": pd.Series(terms, dtype=object), "count": counts, "docs": docs})
    return term_table(totals, n_tokens=n_tokens, min_count=min_count)


def _group_codes(documents: pd.DataFrame, by: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Group number of each document and the table of group keys (sorted), for ``by`` columns."""
    keys = documents[list(by)].astype(object).where(documents[list(by)].notna(), "").astype(str)
    grouped = keys.groupby(list(by), sort=True)
    codes = grouped.ngroup().to_numpy()
    values = grouped.size().reset_index()[list(by)]
    return codes, values


def _indicator(codes: np.ndarray, n_groups: int) -> sp.csr_matrix:
    """Sparse ``groups × documents`` 0/1 matrix; ``G @ X`` sums document rows per group."""
    n_docs = len(codes)
    return sp.csr_matrix((np.ones(n_docs, dtype=np.int64), (codes, np.arange(n_docs))), shape=(n_groups, n_docs))


def _as_columns(by: str | Sequence[str]) -> list[str]:
    return [by] if isinstance(by, str) else list(by)


def count_terms_by(
    documents: pd.DataFrame,
    by: str | Sequence[str],
    *,
    ngram_range: tuple[int, int] = (1, 2),
    min_count: int = 1,
    stopwords: frozenset[str] | None = None,
    phrases: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Term table per group of documents (country, year, body, meeting, …).

    Parameters
    ----------
    documents : DataFrame
        ``text`` and the ``by`` column(s).
    by : str or list of str
        Metadata column(s) to group by; missing values form the group ``""``.
    ngram_range, stopwords, phrases
        As in :func:`count_terms`.
    min_count : int
        Drop a term from a group where it is seen fewer times.

    Returns
    -------
    DataFrame
        ``<by...>, term, count, docs, rate_per_10k`` where ``docs`` counts the group's documents holding the
        term and the rate is per 10,000 word tokens *of the group*; sorted by group, ``count`` descending,
        then ``term``.
    """
    columns = _as_columns(by)
    _check_documents(documents, "count_terms_by", ["text", *columns])
    texts = _as_texts(documents["text"], "count_terms_by")
    codes, groups = _group_codes(documents, columns)
    indicator = _indicator(codes, len(groups))
    matrix, terms = term_matrix(texts, ngram_range=ngram_range, stopwords=stopwords, phrases=phrases)
    group_tokens = indicator @ _word_token_counts(texts)
    present = matrix.copy()
    present.data = np.ones_like(present.data)
    counts, docs = (indicator @ matrix).tocsr(), (indicator @ present).tocsr()
    counts.sort_indices()
    docs.sort_indices()
    # counts are positive exactly where document frequencies are: both share one sparsity pattern
    assert np.array_equal(counts.indptr, docs.indptr) and np.array_equal(counts.indices, docs.indices)
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    table = groups.iloc[rows].reset_index(drop=True)
    table["term"] = pd.Series(terms[counts.indices], dtype=object)
    table["count"] = counts.data.astype(np.int64)
    table["docs"] = docs.data.astype(np.int64)
    table["rate_per_10k"] = table["count"] * 10_000.0 / np.maximum(group_tokens[rows], 1)
    table = table[table["count"] >= min_count]
    return table.sort_values([*columns, "count", "term"], ascending=[True] * len(columns) + [False, True],
                             kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------------
# Top terms and display stopwords
# --------------------------------------------------------------------------------------------------

def is_boilerplate(term: str, entries: frozenset[str]) -> bool:
    """Whether ``term`` reads entirely as a sequence of boilerplate ``entries`` (words or phrases).

    >>> entries = frozenset({"mr", "president", "thank", "security council"})
    >>> is_boilerplate("thank president", entries), is_boilerplate("security council", entries)
    (True, True)
    >>> is_boilerplate("council resolution", entries)
    False
    """
    words = term.split()
    reachable = [True] + [False] * len(words)  # reachable[i]: words[:i] is a sequence of entries
    for end in range(1, len(words) + 1):
        reachable[end] = any(reachable[start] and " ".join(words[start:end]) in entries for start in range(end))
    return reachable[-1]


def drop_display_terms(table: pd.DataFrame, *, stopwords: frozenset[str] | None = None) -> pd.DataFrame:
    """Rows of a term table whose ``term`` is not UN boilerplate, for charts.

    Parameters
    ----------
    table : DataFrame
        Any table with a ``term`` column.
    stopwords : frozenset, optional
        Boilerplate words and phrases; default ``load_stopwords("display")``.
    """
    entries = load_stopwords("display") if stopwords is None else stopwords
    unique = pd.unique(table["term"])
    boiler = {term for term in unique if is_boilerplate(term, entries)}
    return table[~table["term"].isin(boiler)].reset_index(drop=True)


def top_terms(table: pd.DataFrame, n: int = 20, *, by: str | Sequence[str] | None = None,
              sort_by: str = "count", display_stopwords: bool | frozenset[str] = False) -> pd.DataFrame:
    """The ``n`` highest rows of a term table, overall or per group.

    Parameters
    ----------
    table : DataFrame
        From :func:`count_terms`, :func:`count_terms_by` or any table with ``term`` and ``sort_by``.
    n : int
        Rows per group.
    by : str or list of str, optional
        Group columns (as given to :func:`count_terms_by`).
    sort_by : str
        Column ranked highest first; ties by ``term``.
    display_stopwords : bool or frozenset
        ``True`` drops UN boilerplate (``config/display_stopwords.txt``) first: for charts only;
        a frozenset gives the boilerplate entries.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if display_stopwords is not False:
        table = drop_display_terms(table, stopwords=None if display_stopwords is True else display_stopwords)
    columns = [] if by is None else _as_columns(by)
    ordered = table.sort_values([*columns, sort_by, "term"], ascending=[True] * len(columns) + [False, True],
                                kind="stable")
    if columns:
        ordered = ordered.groupby(columns, sort=False).head(n)
    else:
        ordered = ordered.head(n)
    return ordered.reset_index(drop=True)


def tfidf_top_terms(
    documents: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    n: int = 10,
    ngram_range: tuple[int, int] = (1, 2),
    stopwords: frozenset[str] | None = None,
    phrases: Iterable[str] | None = None,
    min_df: int = 1,
    sublinear_tf: bool = False,
    smooth_idf: bool = True,
    norm: Literal["l1", "l2"] | None = "l2",
) -> pd.DataFrame:
    """Terms with the highest TF-IDF weight per document or per group of documents.

    A group is treated as one document made of its speeches (their counts summed, so no n-gram spans two
    speeches); IDF is computed over the groups. Weights are scikit-learn's: with ``smooth_idf``,
    ``idf(t) = ln((1 + n) / (1 + df(t))) + 1`` and ``tfidf = tf * idf`` (``tf`` → ``1 + ln tf`` with
    ``sublinear_tf``), each row then scaled to unit ``norm``.

    Parameters
    ----------
    documents : DataFrame
        ``doc_id``, ``text`` and the ``by`` column(s).
    by : str or list of str, optional
        Group columns; default: each document on its own (keyed by ``doc_id``).
    n : int
        Terms per document or group.
    min_df : int
        Ignore terms found in fewer documents (or groups).
    ngram_range, stopwords, phrases
        As in :func:`count_terms`.

    Returns
    -------
    DataFrame
        ``<doc_id or by...>, rank, term, count, tfidf``, rank from 1; sorted by group then rank
        (ties broken by term).
    """
    columns = ["doc_id"] if by is None else _as_columns(by)
    _check_documents(documents, "tfidf_top_terms", ["text", *columns])
    texts = _as_texts(documents["text"], "tfidf_top_terms")
    codes, groups = _group_codes(documents, columns)
    matrix, terms = term_matrix(texts, ngram_range=ngram_range, stopwords=stopwords, phrases=phrases)
    counts = (_indicator(codes, len(groups)) @ matrix).tocsr()
    if min_df > 1 and counts.shape[1]:
        keep = np.flatnonzero(np.diff(counts.tocsc().indptr) >= min_df)
        counts, terms = counts[:, keep], terms[keep]
    if counts.shape[1]:
        from sklearn.feature_extraction.text import TfidfTransformer

        weights = TfidfTransformer(norm=norm, smooth_idf=smooth_idf, sublinear_tf=sublinear_tf).fit_transform(counts)
    else:
        weights = counts.astype(np.float64)
    weights = weights.tocsr()
    weights.sort_indices()
    counts.sort_indices()
    rows, term_idx, values, tf = [], [], [], []
    for row in range(weights.shape[0]):
        lo, hi = weights.indptr[row], weights.indptr[row + 1]
        cols, data = weights.indices[lo:hi], weights.data[lo:hi]
        # rank by weight, ties by column (= alphabetical, the vocabulary is sorted); round so that
        # float noise in the last bit does not reorder ties
        order = np.lexsort((cols, -np.round(data, 12)))[:n]
        rows.append(np.full(len(order), row))
        term_idx.append(cols[order])
        values.append(data[order])
        tf.append(counts.data[counts.indptr[row]:counts.indptr[row + 1]][order])
    rows_all = np.concatenate(rows) if rows else np.array([], dtype=int)
    table = groups.iloc[rows_all].reset_index(drop=True)
    table["rank"] = np.concatenate([np.arange(1, len(r) + 1) for r in rows]) if rows else np.array([], dtype=int)
    table["term"] = pd.Series(terms[np.concatenate(term_idx)] if rows else [], dtype=object)
    table["count"] = (np.concatenate(tf) if rows else np.array([])).astype(np.int64)
    table["tfidf"] = np.concatenate(values) if rows else np.array([], dtype=float)
    return table


# --------------------------------------------------------------------------------------------------
# Collocations
# --------------------------------------------------------------------------------------------------

def find_collocations(
    texts: Sequence[str] | pd.Series,
    *,
    size: Literal[2, 3] = 2,
    min_count: int = 5,
    stopwords: frozenset[str] | None = None,
    sort_by: Literal["g2", "pmi"] = "g2",
) -> pd.DataFrame:
    """Collocations (adjacent word pairs or triples) scored with NLTK's collocation finders.

    Words are the normalised tokens of :func:`analysis.text.content_tokens`; stopwords and sentence
    punctuation break sequences, so no collocation spans a stopword or two sentences.

    Scores (NLTK's ``BigramAssocMeasures`` / ``TrigramAssocMeasures``):

    * ``g2``: log-likelihood ratio (Dunning 1993; Manning & Schütze 5.3.4), ``2 Σ O ln(O / E)`` over the
      contingency table of the words' co-occurrence, with ``E`` the counts expected under independence;
    * ``pmi``: pointwise mutual information in bits, ``log2(P(w1..wn) / (P(w1) ⋯ P(wn)))``.

    Parameters
    ----------
    size : {2, 3}
        Bigrams or trigrams.
    min_count : int
        Keep collocations seen at least this often (PMI overrates rare pairs).
    stopwords : frozenset, optional
        Default ``load_stopwords("frequency")``.
    sort_by : {"g2", "pmi"}
        Ranking, highest first; ties by ``count`` descending, then ``collocation``.

    Returns
    -------
    DataFrame
        ``collocation, count, g2, pmi``, the collocation's words space-joined.
    """
    from nltk.collocations import BigramCollocationFinder, TrigramCollocationFinder
    from nltk.metrics import BigramAssocMeasures, TrigramAssocMeasures

    if size not in (2, 3):
        raise ValueError(f"size must be 2 or 3, got {size!r}")
    if sort_by not in ("g2", "pmi"):
        raise ValueError(f"sort_by must be 'g2' or 'pmi', got {sort_by!r}")
    texts = _as_texts(texts, "find_collocations")
    if stopwords is None:
        stopwords = load_stopwords("frequency")
    documents = (content_tokens(tokenize(text), stopwords) for text in texts)
    finder_class, measures = ((BigramCollocationFinder, BigramAssocMeasures) if size == 2
                              else (TrigramCollocationFinder, TrigramAssocMeasures))
    finder = finder_class.from_documents(documents)
    finder.apply_freq_filter(min_count)
    ngram_counts = finder.ngram_fd
    if not ngram_counts:
        return pd.DataFrame({"collocation": pd.Series(dtype=object), "count": pd.Series(dtype="int64"),
                             "g2": pd.Series(dtype="float64"), "pmi": pd.Series(dtype="float64")})
    g2 = dict(finder.score_ngrams(measures.likelihood_ratio))
    pmi = dict(finder.score_ngrams(measures.pmi))
    grams = sorted(ngram_counts)
    table = pd.DataFrame({
        "collocation": pd.Series([" ".join(gram) for gram in grams], dtype=object),
        "count": np.array([ngram_counts[gram] for gram in grams], dtype=np.int64),
        "g2": np.array([g2[gram] for gram in grams], dtype=np.float64),
        "pmi": np.array([pmi[gram] for gram in grams], dtype=np.float64),
    })
    return table.sort_values([sort_by, "count", "collocation"], ascending=[False, False, True],
                             kind="stable").reset_index(drop=True)


def collocation_phrases(
    texts: Sequence[str] | pd.Series,
    *,
    sizes: Sequence[int] = (2, 3),
    min_count: int = 10,
    min_g2: float = G2_CRITICAL_001,
    min_pmi: float = 5.0,
    stopwords: frozenset[str] | None = None,
) -> list[str]:
    """Multi-word expressions the collocation step finds, to count as units (``phrases=`` elsewhere).

    A collocation qualifies when it is frequent (``count >= min_count``), its association is significant
    (``g2 >= min_g2``; the default is the χ²(1) critical value for p < 0.001) and strong
    (``pmi >= min_pmi`` bits, i.e. the words occur together at least 2**min_pmi times more often than
    chance: this keeps ``organized crime`` and drops compositional pairs such as ``important role``).

    Returns
    -------
    list of str
        Sorted phrases.
    """
    phrases: set[str] = set()
    for size in sizes:
        table = find_collocations(texts, size=size, min_count=min_count, stopwords=stopwords)
        keep = (table["g2"] >= min_g2) & (table["pmi"] >= min_pmi)
        phrases.update(table.loc[keep, "collocation"])
    return sorted(phrases)


# --------------------------------------------------------------------------------------------------
# Keyword in context
# --------------------------------------------------------------------------------------------------

def _collapse_space(text: str) -> str:
    return " ".join(text.split())


def keyword_in_context(
    documents: pd.DataFrame,
    pattern: str | Iterable[str],
    *,
    window: int = 5,
    sentences: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every occurrence of a word, wildcard or phrase, with ``window`` words of context on each side.

    Matching is on normalised tokens (:func:`analysis.text.normalize_token`: case-insensitive, ``’`` = ``'``,
    possessive ``'s`` ignored). ``pattern`` is a word (``"terrorism"``), a glob (``"terror*"``: ``*`` is any
    characters within one word, ``?`` one character) or a phrase (``"foreign terrorist fighters"``); several
    patterns may be given as a list. Context may cross sentence boundaries within the document.

    Parameters
    ----------
    documents : DataFrame
        ``doc_id`` and cleaned ``text``.
    window : int
        Word tokens of context on each side (sentence punctuation is not counted as a word).
    sentences : DataFrame, optional
        :func:`analysis.corpus.segment_sentences` of ``documents`` if already computed.

    Returns
    -------
    DataFrame
        ``doc_id, sentence_id, start, end, left, match, right``: ``text[start:end] == match`` (offsets into
        the cleaned document text), ``sentence_id`` the sentence holding the match's start, ``left`` and
        ``right`` the context with white space collapsed to single spaces. Sorted by ``doc_id``, ``start``,
        ``end``.

    >>> docs = pd.DataFrame({"doc_id": ["d1"], "text": ["We condemn terrorism. Terrorists must be stopped."]})
    >>> for row in keyword_in_context(docs, "terror*", window=2).itertuples(index=False):
    ...     print(row.sentence_id, row.start, row.end, repr(row.left), repr(row.match), repr(row.right))
    0 11 20 'We condemn' 'terrorism' '. Terrorists must'
    1 22 32 'condemn terrorism.' 'Terrorists' 'must be'
    """
    from .corpus import segment_sentences

    _check_documents(documents, "keyword_in_context")
    if window < 0:
        raise ValueError(f"window must be >= 0, got {window}")
    regex, literals = _pattern_regex([pattern] if isinstance(pattern, str) else list(pattern))
    prefilter = None if "" in literals else literals
    rows: dict[str, list] = {column: [] for column in KWIC_COLUMNS}
    matched_docs: dict[str, str] = {}
    for doc_id, text in zip(documents["doc_id"], documents["text"]):
        text = "" if text is None else str(text)
        if prefilter is not None:  # skip tokenising texts that cannot match
            lowered = text.lower().replace("’", "'")
            if not any(literal in lowered for literal in prefilter):
                continue
        spans = list(token_spans(text))
        if not spans:
            continue
        tokens = [text[a:b] for a, b in spans]
        ranges = _match_tokens([normalize_token(token) for token in tokens], regex)
        if not ranges:
            continue
        matched_docs[doc_id] = text
        word_positions = np.flatnonzero([token[0].isalnum() for token in tokens])
        for first, stop in ranges:
            start, end = spans[first][0], spans[stop - 1][1]
            before = int(np.searchsorted(word_positions, first))  # number of words before the match
            after = int(np.searchsorted(word_positions, stop))  # index of the first word after it
            left_start, right_stop = start, end
            if window and before:
                left_start = spans[word_positions[max(before - window, 0)]][0]
            if window and after < len(word_positions):
                right_stop = spans[word_positions[min(after + window, len(word_positions)) - 1]][1]
            rows["doc_id"].append(doc_id)
            rows["start"].append(start)
            rows["end"].append(end)
            rows["left"].append(_collapse_space(text[left_start:start]))
            rows["match"].append(text[start:end])
            rows["right"].append(_collapse_space(text[end:right_stop]))
    # sentence ids: the sentence whose span holds the match start
    if sentences is None and matched_docs:
        sentences = segment_sentences(pd.DataFrame({"doc_id": list(matched_docs), "text": list(matched_docs.values())}))
    rows["sentence_id"] = _sentence_ids(rows["doc_id"], rows["start"], sentences)
    table = pd.DataFrame({
        "doc_id": pd.Series(rows["doc_id"], dtype=object),
        "sentence_id": pd.Series(rows["sentence_id"], dtype="int64"),
        "start": pd.Series(rows["start"], dtype="int64"),
        "end": pd.Series(rows["end"], dtype="int64"),
        "left": pd.Series(rows["left"], dtype=object),
        "match": pd.Series(rows["match"], dtype=object),
        "right": pd.Series(rows["right"], dtype=object),
    })
    return table.sort_values(["doc_id", "start", "end"], kind="stable").reset_index(drop=True)


def _sentence_ids(doc_ids: list, starts: list, sentences: pd.DataFrame | None) -> list[int]:
    """Id of the sentence holding each offset (-1 when none starts at or before it)."""
    if not doc_ids:
        return []
    ordered = sentences.sort_values(["doc_id", "start"], kind="stable")
    lookup = {doc: (group["start"].to_numpy(), group["sentence_id"].to_numpy())
              for doc, group in ordered.groupby("doc_id", sort=False)}
    ids = []
    for doc_id, start in zip(doc_ids, starts):
        sentence_starts, sentence_ids = lookup.get(doc_id, (np.array([], dtype=int), None))
        index = int(np.searchsorted(sentence_starts, start, side="right")) - 1
        ids.append(int(sentence_ids[index]) if index >= 0 else -1)
    return ids


# --------------------------------------------------------------------------------------------------
# Keyness
# --------------------------------------------------------------------------------------------------

def keyness_scores(
    count_target: np.ndarray,
    count_reference: np.ndarray,
    total_target: int,
    total_reference: int,
    *,
    prior_scale: float | None = None,
    zero_count: float = 0.5,
) -> pd.DataFrame:
    """Keyness of each term in a target corpus against a reference corpus, vectorised.

    With ``a``, ``b`` a term's counts in target and reference and ``c``, ``d`` their sizes in tokens:

    * ``rate_target = 10_000 a / c`` and ``rate_reference = 10_000 b / d``;
    * ``g2``, Dunning's (1993) log-likelihood ratio over the 2 × 2 table (term / other tokens ×
      target / reference): ``G² = 2 Σ O ln(O / E)`` over the four cells ``a, b, c − a, d − b``, with
      ``E`` = row total × column total / ``(c + d)`` and ``0 ln 0 = 0``. Signed: negative when the term
      is rarer in the target (``a / c < b / d``);
    * ``p``: the χ² (1 degree of freedom) tail probability of ``|G²|``;
    * ``log_ratio``, Hardie's (2014) binary log ratio, ``log2((a / c) / (b / d))``: each unit is a doubling;
      a zero count is replaced by ``zero_count`` (0.5) so the ratio stays finite;
    * ``z``, Monroe, Colaresi & Quinn's (2008) log-odds ratio with an informative Dirichlet prior,
      divided by its standard error:
      ``δ = ln((a + α) / (c + α₀ − a − α)) − ln((b + α) / (d + α₀ − b − α))``,
      ``σ² ≈ 1 / (a + α) + 1 / (b + α)``, ``z = δ / σ``, where the prior
      ``α = α₀ (a + b) / (c + d)`` follows the term's rate in both corpora together.

    Parameters
    ----------
    count_target, count_reference : array of int
        Per-term counts; each must not exceed its total.
    total_target, total_reference : int
        Corpus sizes in tokens (both > 0).
    prior_scale : float, optional
        ``α₀``, the weight of the prior in pseudo-tokens; default ``c + d`` (the prior counts are then the
        term's counts in both corpora together, ``α = a + b``). Smaller values shrink less.
    zero_count : float
        Stand-in for a zero count in ``log_ratio``.

    Returns
    -------
    DataFrame
        ``rate_target, rate_reference, g2, p, log_ratio, z``, one row per term, in input order.
    """
    a = np.asarray(count_target, dtype=np.float64)
    b = np.asarray(count_reference, dtype=np.float64)
    c, d = float(total_target), float(total_reference)
    if a.shape != b.shape:
        raise ValueError(f"count arrays differ in shape: {a.shape} and {b.shape}")
    if c <= 0 or d <= 0:
        raise ValueError(f"both totals must be positive, got {total_target} and {total_reference}")
    if (a < 0).any() or (b < 0).any() or (a > c).any() or (b > d).any():
        raise ValueError("counts must lie between 0 and their corpus total")
    n = c + d
    row = a + b
    observed = (a, b, c - a, d - b)
    expected = (row * c / n, row * d / n, (n - row) * c / n, (n - row) * d / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        g2 = 2.0 * sum(xlogy(o, np.where(o > 0, o / e, 1.0)) for o, e in zip(observed, expected))
    g2 = np.maximum(g2, 0.0)  # rounding can leave -1e-15 for identical rates
    direction = np.sign(a * d - b * c)
    from scipy.stats import chi2

    p = chi2.sf(g2, df=1)
    log_ratio = np.log2((np.where(a > 0, a, zero_count) / c) / (np.where(b > 0, b, zero_count) / d))
    alpha0 = n if prior_scale is None else float(prior_scale)
    if alpha0 <= 0:
        raise ValueError(f"prior_scale must be positive, got {prior_scale}")
    alpha = alpha0 * row / n
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = (np.log((a + alpha) / (c + alpha0 - a - alpha))
                 - np.log((b + alpha) / (d + alpha0 - b - alpha)))
        z = delta / np.sqrt(1.0 / (a + alpha) + 1.0 / (b + alpha))
    return pd.DataFrame({
        "rate_target": 10_000.0 * a / c,
        "rate_reference": 10_000.0 * b / d,
        "g2": direction * g2,
        "p": p,
        "log_ratio": log_ratio,
        "z": z,
    })


def _select_target(documents: pd.DataFrame, by: str, target) -> np.ndarray:
    """Boolean mask of the target documents; one-line :class:`InputError` on an unknown field or value."""
    fields = [column for column in documents.columns if column not in ("text", "raw_chars")]
    if by not in fields:
        raise InputError(f"unknown field {by!r} for --by; valid fields: {', '.join(fields)}")
    values = documents[by].astype(object).where(documents[by].notna(), "").astype(str)
    mask = (values == str(target)).to_numpy()
    if not mask.any():
        counts = values[values != ""].value_counts()
        distinct = sorted(counts.index)
        close = difflib.get_close_matches(str(target), distinct, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        shown = ", ".join(map(repr, distinct[:8])) + (", ..." if len(distinct) > 8 else "")
        raise InputError(f"no speech has {by} = {str(target)!r}{hint} ({len(distinct)} "
                         f"value{'s' if len(distinct) != 1 else ''}, e.g. {shown})"
                         if distinct else f"no speech has {by} = {str(target)!r}: field {by!r} is empty in "
                                          "every speech")
    if mask.all():
        raise InputError(f"every speech has {by} = {str(target)!r}: nothing left to compare against")
    return mask


def keyness(
    documents: pd.DataFrame,
    *,
    by: str,
    target,
    ngram_range: tuple[int, int] = (1, 2),
    min_count: int = 1,
    stopwords: frozenset[str] | None = None,
    phrases: Iterable[str] | None = None,
    prior_scale: float | None = None,
) -> pd.DataFrame:
    """Keyness of the documents where ``by == target`` against all the others.

    Corpus sizes are word tokens (stopwords included, as for ``rate_per_10k``); the scores are those of
    :func:`keyness_scores`.

    Parameters
    ----------
    documents : DataFrame
        ``text`` and metadata columns.
    by : str
        Metadata column (``meeting``, ``country``, ``year``, …).
    target
        The value of ``by`` that marks the target group (compared as text).
    min_count : int
        Keep terms with ``count_target + count_reference >= min_count``.
    ngram_range, stopwords, phrases
        As in :func:`count_terms`.
    prior_scale : float, optional
        See :func:`keyness_scores`.

    Returns
    -------
    DataFrame
        ``term, count_target, count_reference, rate_target, rate_reference, g2, p, log_ratio, z``, sorted by
        ``g2`` descending (the target's over-used terms first, its most under-used last), then ``term``.

    Raises
    ------
    InputError
        If ``by`` is not a column, or ``target`` matches no document or every document.
    """
    _check_documents(documents, "keyness", ["text"])
    mask = _select_target(documents, by, target)
    texts = _as_texts(documents["text"], "keyness")
    matrix, terms = term_matrix(texts, ngram_range=ngram_range, stopwords=stopwords, phrases=phrases)
    tokens = _word_token_counts(texts)
    weights = np.vstack([mask, ~mask]).astype(np.int64)
    counts = (sp.csr_matrix(weights) @ matrix).toarray().astype(np.int64)
    keep = counts.sum(axis=0) >= min_count
    scores = keyness_scores(counts[0, keep], counts[1, keep], int(tokens[mask].sum()), int(tokens[~mask].sum()),
                            prior_scale=prior_scale)
    table = pd.concat([
        pd.DataFrame({"term": pd.Series(terms[keep], dtype=object),
                      "count_target": counts[0, keep], "count_reference": counts[1, keep]}),
        scores,
    ], axis=1)[KEYNESS_COLUMNS]
    return table.sort_values(["g2", "term"], ascending=[False, True], kind="stable").reset_index(drop=True)
