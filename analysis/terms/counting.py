"""Counting terms exactly and fast: token ids, phrase merging at the heads, n-grams as integer codes."""
# scipy.stats and scikit-learn are imported where they are used: importing them costs seconds, and the
# pipeline's worker processes, which only count terms, would pay it each.
from __future__ import annotations

import dataclasses
import functools
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..patterns import PhraseFinder
from ..text import (
    _BARRIERS,
    LearningDict as _LearningDict,
    content_tokens,
    find_tokens,
    load_stopwords,
    normalize_token,
    tokenize,
)

from ..validation import as_texts
from .analyzer import TermAnalyzer



# --------------------------------------------------------------------------------------------------
# Counting
# --------------------------------------------------------------------------------------------------

def count_word_tokens(text: str) -> int:
    """Number of word tokens (letters or digits; punctuation excluded, stopwords included)."""
    return sum(1 for token in tokenize(text) if token[0].isalnum())


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
    return counted_terms(texts, ngram_range=ngram_range, stopwords=stopwords, phrases=phrases).sorted_matrix()


def counted_terms(texts: Sequence[str] | pd.Series, *, ngram_range: tuple[int, int] = (1, 2),
                  stopwords: frozenset[str] | None = None, phrases: Iterable[str] | None = None) -> TokenCounts:
    """:func:`count_tokens` with the options checked as :class:`TermAnalyzer` checks them: the counts, and each
    text's number of word tokens, from one pass over the texts."""
    texts = as_texts(texts, "texts")
    analyzer = TermAnalyzer(ngram_range=ngram_range, stopwords=stopwords, phrases=phrases)
    return count_tokens(texts, ngram_range=analyzer.ngram_range, stopwords=analyzer.stopwords,
                        phrases=analyzer.phrases)


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
    return None if analyzer._finder is None else _PhraseMerger(analyzer._finder)


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
    if merger is None:
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
    """:meth:`TermAnalyzer.merge_phrases` on raw tokens, with a token type's normalised form, and whether a
    phrase can start at it (a *head*), worked out once per type; the matching itself is
    :class:`analysis.patterns.PhraseFinder`'s, tried at the heads only."""

    def __init__(self, finder: PhraseFinder):
        self.finder = finder
        self.norms: dict[str, str] = {}
        self.is_head = _LearningDict(self._learn)

    def _learn(self, token: str) -> bool:
        norm = self.norms[token] = normalize_token(token)
        return bool(self.finder.heads(norm))

    def find(self, tokens: list[str], heads: Iterable[int]) -> list[tuple[int, int, str]]:
        """``(first, stop, phrase)`` for each phrase match among ``tokens``, left to right; ``heads`` are the
        positions of the head tokens, in order (every token type must have been looked up in ``is_head``)."""
        norms = self.norms
        return [(first, stop, " ".join([norms[token] for token in tokens[first:stop]]))
                for first, stop, _ in self.finder.find(_Normalised(tokens, norms), heads)]

    def merge(self, tokens: list[str]) -> list[str]:
        """The tokens with each phrase match replaced by one token, as :meth:`TermAnalyzer.merge_phrases`."""
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


class _Normalised:
    """A text's tokens seen through their normalised forms, looked up only where a phrase is tried."""

    __slots__ = ("tokens", "norms")

    def __init__(self, tokens: list[str], norms: dict[str, str]):
        self.tokens, self.norms = tokens, norms

    def __len__(self) -> int:
        return len(self.tokens)

    def __getitem__(self, index: int) -> str:
        return self.norms[self.tokens[index]]


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
    texts = as_texts(texts, "texts")
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


