"""Collocations with NLTK's finders, and the phrases they suggest."""
from __future__ import annotations

from typing import Literal, Sequence

import numpy as np
import pandas as pd

from ..text import (
    content_tokens,
    load_stopwords,
    tokenize,
)

from ..validation import as_texts
from .keyness import G2_CRITICAL_001

COLLOCATION_COLUMNS = ["collocation", "count", "g2", "pmi"]


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
    texts = as_texts(texts, "texts")
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


