"""Term tables: totals, counts per document or group, top terms, display stopwords and TF-IDF top terms."""
from __future__ import annotations

from typing import Iterable, Literal, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from ..text import load_stopwords

from ..validation import as_texts, require_columns
from .counting import TokenCounts, _unique_rows, counted_terms, term_matrix

TERMS_COLUMNS = ["term", "count", "docs", "rate_per_10k"]


class TermTotals:
    """Running sums of term counts and document frequencies: the reduce step of a parallel count.

    :meth:`add` the :class:`TokenCounts` of batches of texts (in any order, from any process), or
    :meth:`merge` another ``TermTotals``; :meth:`table` gives the corpus term table. Sums are integers, so the
    result does not depend on how the texts were split or in which order the parts were added.

    >>> from analysis.terms import count_tokens
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

    @classmethod
    def of(cls, counts: TokenCounts, rows: np.ndarray | None = None) -> TermTotals:
        """The compacted sums of ``counts`` (of the texts the mask ``rows`` selects): a leaf of a tree reduction."""
        totals = cls()
        totals.add(counts, None if rows is None or rows.all() else rows)
        return totals.compact()

    @staticmethod
    def combined(a: TermTotals, b: TermTotals) -> TermTotals:
        """Both sums as one compacted ``TermTotals``, ``a`` and ``b`` unchanged: a node of a tree reduction
        (a task Dask may run again must not modify its arguments)."""
        merged = TermTotals()
        merged.merge(a)
        merged.merge(b)
        return merged.compact()

    def compact(self) -> TermTotals:
        """The same sums as one part: one vocabulary, each n-gram once. What a tree reduction passes up, so
        that a merged ``TermTotals`` grows with the vocabulary, not with the number of chunks merged."""
        compacted = TermTotals()
        compacted.n_tokens = self.n_tokens
        if self._parts:
            words, sums = self._unified()
            compacted._parts.append((words, sums))
        return compacted

    def _unified(self) -> tuple[np.ndarray, dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]]:
        """One vocabulary for all parts (by hashing every part's words at once) and, per n-gram length, the
        distinct n-grams (rows of ids into it) with their summed count and document frequency."""
        codes, words = pd.factorize(np.concatenate([words for words, _ in self._parts]))
        offsets = np.cumsum([0] + [len(words) for words, _ in self._parts])
        sums = {}
        for n in sorted({n for _, part in self._parts for n in part}):
            parts = [(codes[offset:][part[n][0]], part[n][1], part[n][2])
                     for offset, (_, part) in zip(offsets, self._parts) if n in part]
            grams = np.concatenate([part[0] for part in parts]).reshape(-1, n)
            unique, inverse = _unique_rows(grams, len(words))
            total = np.bincount(inverse, weights=np.concatenate([part[1] for part in parts]), minlength=len(unique))
            docs = np.bincount(inverse, weights=np.concatenate([part[2] for part in parts]), minlength=len(unique))
            sums[n] = (unique, total.astype(np.int64), docs.astype(np.int64))
        return np.asarray(words, dtype=object), sums

    def totals(self) -> pd.DataFrame:
        """``term, count, docs`` of every term seen (unsorted)."""
        if not self._parts:
            return pd.DataFrame({"term": pd.Series(dtype=object), "count": pd.Series(dtype=np.int64),
                                 "docs": pd.Series(dtype=np.int64)})
        vocabulary, sums = self._unified()
        words = pa.array(vocabulary, type=pa.string())
        frames = []
        for n, (unique, total, docs) in sums.items():
            terms = pc.take(words, pa.array(unique[:, 0]))
            for k in range(1, n):
                terms = pc.binary_join_element_wise(terms, pc.take(words, pa.array(unique[:, k])), " ")
            frames.append(pd.DataFrame({"term": pd.Series(terms.to_numpy(zero_copy_only=False), dtype=object),
                                        "count": total, "docs": docs}))
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
    counted = counted_terms(texts, ngram_range=ngram_range, stopwords=stopwords, phrases=phrases)
    if n_tokens is None:
        n_tokens = int(counted.n_tokens.sum())
    matrix, terms = counted.sorted_matrix()
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
    require_columns(documents, ["text", *columns], "count_terms_by")
    texts = as_texts(documents["text"], "texts")
    codes, groups = _group_codes(documents, columns)
    indicator = _indicator(codes, len(groups))
    counted = counted_terms(texts, ngram_range=ngram_range, stopwords=stopwords, phrases=phrases)
    matrix, terms = counted.sorted_matrix()
    group_tokens = indicator @ counted.n_tokens
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
    require_columns(documents, ["text", *columns], "tfidf_top_terms")
    texts = as_texts(documents["text"], "texts")
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


