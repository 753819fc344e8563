"""The scores of :func:`score_corpus` in chunks: the pipeline's map (count), reduce (document frequencies) and
finish (score)."""
from __future__ import annotations

import dataclasses
from typing import Literal, Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..validation import as_texts
from .lexicon import Lexicon
from .matcher import _TOKENS, _matcher_for, join_labels
from .scoring import ThemeScorer, _score_frame, _theme_shares

# --------------------------------------------------------------------------------------------------
# The same scores in chunks: the pipeline's map, reduce and finish
# --------------------------------------------------------------------------------------------------
# score_corpus needs the idf over the whole corpus before any sentence can be scored. Split in three so that
# chunks of speeches can be counted anywhere: count (map, per chunk: count_theme_terms), add up document
# frequencies (reduce: ThemeFrequencies) and score (per chunk again: ThemeFrequencies.score). A chunk's
# vocabulary is a sorted subset of the corpus vocabulary, so every row sum runs over the same terms in the same
# order as in one pass over the corpus: the scores are identical to score_corpus's, bit for bit (a test checks).


@dataclasses.dataclass
class ThemeCounts:
    """Map step: theme-analyzer term counts of a chunk of sentences.

    Attributes
    ----------
    counts : csr_matrix of int64, shape (n_sentences, n_terms)
        Sorted columns and row indices (as :func:`analysis.terms.count_analyzed` gives them).
    terms : ndarray of str, sorted
    theme_matrix : csr_matrix of shape (n_terms, n_themes)
        1 where a term belongs to a theme.
    """

    counts: sp.csr_matrix
    terms: np.ndarray
    theme_matrix: sp.csr_matrix


def count_theme_terms(texts: Sequence[str], lexicon: Lexicon, *,
                      tokens: Sequence[list[str]] | None = None) -> ThemeCounts:
    """Map step: count the lexicon analyzer's terms in each sentence of a chunk.

    ``tokens``, when given, are the :func:`analysis.text.find_tokens` of each text, already computed.
    """
    matcher = _matcher_for(lexicon)
    texts = as_texts(texts, "texts")
    counts, terms = matcher.count_token_lists(list(map(_TOKENS, texts)) if tokens is None else tokens)
    return ThemeCounts(counts=counts, terms=terms, theme_matrix=matcher.feature_themes(terms))


def smoothed_idf(df: np.ndarray, n_documents: int, *, smooth_idf: bool = True) -> np.ndarray:
    """The idf ``TfidfTransformer(smooth_idf=...)`` learns from ``n_documents`` rows whose column ``j`` is
    non-zero in ``df[j]`` rows: ``log((n + 1) / (df + 1)) + 1``, by the same floating-point operations."""
    df = np.asarray(df).astype(np.float64)
    df += float(smooth_idf)
    idf = np.full_like(df, fill_value=n_documents + int(smooth_idf), dtype=np.float64)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    return idf


class ThemeFrequencies:
    """Reduce step: document frequencies of theme terms over chunks, then the scores of each chunk.

    :meth:`add` each chunk's per-document counts (documents of different chunks are different documents),
    then :meth:`score` each chunk. ``norm``, ``smooth_idf`` and ``min_share`` as :class:`ThemeScorer`.
    """

    def __init__(self, lexicon: Lexicon, *, norm: Literal["l1", "l2"] = "l1", smooth_idf: bool = True,
                 min_share: float | Mapping[str, float] = 0.0):
        self.lexicon = lexicon
        self.norm = norm
        self.smooth_idf = smooth_idf
        self.thresholds = ThemeScorer(lexicon, min_share=min_share)._thresholds(lexicon.names)
        self.n_documents = 0
        self._parts: list[pd.Series] = []
        self._idf: pd.Series | None = None

    def add(self, counted: ThemeCounts, positions: np.ndarray, kept: np.ndarray) -> None:
        """Add the documents of a chunk: ``positions[i]`` is the document of sentence ``i``, and only the
        documents where ``kept`` is true count (as in :func:`score_corpus`, documents without sentences don't)."""
        positions = np.asarray(positions, dtype=np.int64)
        self.n_documents += len(np.unique(positions[kept[positions]]))
        counts = counted.counts
        n_terms = len(counted.terms)
        # The distinct (document, term) pairs of the kept documents: a term's document frequency is its count.
        document = positions[np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))]
        use = kept[document]
        pairs = pd.unique(document[use] * max(n_terms, 1) + counts.indices[use])
        df = np.bincount(pairs % max(n_terms, 1), minlength=n_terms)
        seen = df > 0
        self._parts.append(pd.Series(df[seen], index=pd.Index(counted.terms[seen], dtype=object)))
        self._idf = None

    def idf(self) -> pd.Series:
        """Idf of each term (sorted) over the documents added so far."""
        if self._idf is None:
            if self._parts:
                df = pd.concat(self._parts).groupby(level=0, sort=True).sum()
                values = smoothed_idf(df.to_numpy(), self.n_documents, smooth_idf=self.smooth_idf)
                self._idf = pd.Series(values, index=pd.Index(df.index.to_numpy(dtype=object), dtype=object))
            else:
                self._idf = pd.Series(dtype=np.float64)
        return self._idf

    def score(self, counted: ThemeCounts, positions: np.ndarray, n_documents: int) -> ChunkScores:
        """Scores of a chunk (:class:`ChunkScores`); ``positions[i]`` is the document of sentence ``i``, and a
        document without sentences scores 0."""
        idf_of = self.idf()
        found = idf_of.index.get_indexer(pd.Index(counted.terms, dtype=object))
        # A term of no counted document (only in one that was left out) weighs nothing; its rows are dropped.
        idf = np.where(found >= 0, idf_of.to_numpy()[np.maximum(found, 0)] if len(idf_of) else 0.0, 0.0)
        tfidf = (counted.counts @ sp.diags(idf)).tocsr()
        shares = _theme_shares(tfidf, counted.theme_matrix, self.norm)
        carried = shares > self.thresholds
        indicator = sp.csr_matrix((np.ones(len(positions)), (positions, np.arange(len(positions)))),
                                  shape=(n_documents, len(positions)))
        mentions = (counted.counts @ counted.theme_matrix).astype(np.int64)
        return ChunkScores(
            labels=join_labels(carried, self.lexicon.names),
            documents=_theme_shares((indicator @ tfidf).tocsr(), counted.theme_matrix, self.norm),
            carrying=np.asarray((indicator @ sp.csr_matrix(carried.astype(np.int64))).todense(), dtype=np.int64),
            mentions=np.asarray((indicator @ mentions).todense(), dtype=np.int64))

    def frame(self, keys: pd.DataFrame, scores: ChunkScores, n_sentences: np.ndarray) -> pd.DataFrame:
        """``keys`` with, per theme, ``theme_<name>`` (the TF-IDF score), ``n_sentences_<name>`` (sentences
        carrying it) and ``n_mentions_<name>`` (occurrences of its terms), and ``dominant_theme``."""
        names = self.lexicon.names
        frame = _score_frame(keys, scores.documents, names, carrying=scores.carrying, n_sentences=n_sentences)
        for index, name in enumerate(names):
            frame[f"n_sentences_{name}"] = scores.carrying[:, index]
            frame[f"n_mentions_{name}"] = scores.mentions[:, index]
        return frame


@dataclasses.dataclass
class ChunkScores:
    """:meth:`ThemeFrequencies.score` of a chunk.

    Attributes
    ----------
    labels : list of str
        Each sentence's themes, ``;``-joined.
    documents : ndarray of shape (n_documents, n_themes)
        TF-IDF theme scores of the documents.
    carrying : ndarray of int, shape (n_documents, n_themes)
        Sentences of each document carrying each theme.
    mentions : ndarray of int, shape (n_documents, n_themes)
        Occurrences of each theme's terms in each document.
    """

    labels: list[str]
    documents: np.ndarray
    carrying: np.ndarray
    mentions: np.ndarray


