"""Term frequencies: counts, document frequencies and rates per 10,000 tokens.

Pure functions on texts and DataFrames; the tokenising is :func:`analysis.text.analyze`.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer

from .text import analyze, load_stopwords, tokenize

__all__ = ["count_terms", "count_word_tokens"]


def count_word_tokens(text: str) -> int:
    """Number of word tokens (letters or digits; punctuation excluded, stopwords included)."""
    return sum(1 for token in tokenize(text) if token[0].isalnum())


def count_terms(
    texts: Sequence[str] | pd.Series,
    *,
    ngram_range: tuple[int, int] = (1, 2),
    min_count: int = 1,
    stopwords: frozenset[str] | None = None,
    n_tokens: int | None = None,
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
        Function words to drop (default: ``config/stopwords.txt``).
    n_tokens : int, optional
        Denominator of the rate: the corpus size in word tokens (stopwords included). Computed when omitted.

    Returns
    -------
    DataFrame
        ``term, count, docs, rate_per_10k`` where ``rate_per_10k = 10_000 * count / n_tokens``; sorted by
        ``count`` descending, then ``term``.
    """
    if isinstance(texts, str):
        raise TypeError("count_terms expects a sequence of documents, not a single str")
    texts = list(texts)
    if stopwords is None:
        stopwords = load_stopwords()
    columns = {"term": pd.Series(dtype=object), "count": pd.Series(dtype="int64"),
               "docs": pd.Series(dtype="int64"), "rate_per_10k": pd.Series(dtype="float64")}
    if not texts:
        return pd.DataFrame(columns)
    if n_tokens is None:
        n_tokens = sum(count_word_tokens(text) for text in texts)
    vectorizer = CountVectorizer(analyzer=lambda text: analyze(text, ngram_range=ngram_range, stopwords=stopwords))
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # empty vocabulary
        return pd.DataFrame(columns)
    counts = np.asarray(matrix.sum(axis=0)).ravel().astype("int64")
    docs = np.asarray((matrix > 0).sum(axis=0)).ravel().astype("int64")
    table = pd.DataFrame({
        "term": pd.Series(vectorizer.get_feature_names_out(), dtype=object),
        "count": counts,
        "docs": docs,
        "rate_per_10k": counts * 10_000.0 / max(n_tokens, 1),
    })
    table = table[table["count"] >= min_count]
    return table.sort_values(["count", "term"], ascending=[False, True], kind="stable").reset_index(drop=True)
