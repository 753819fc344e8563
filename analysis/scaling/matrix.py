"""Documents × terms count matrices for the scaling estimators: checking them once, and building them.

Both estimators take ``X`` as

* a pandas DataFrame: one row per document (the index names them), one column per term, non-negative
  whole-number counts; or
* a scipy sparse matrix or a 2-D NumPy array, with the names passed beside it as ``terms=`` and
  ``documents=`` (positions ``0, 1, …`` when omitted).

:func:`check_counts` turns any of these into one :class:`Counts` (a CSR matrix and two name indexes) and
raises an error that names the bad value; :func:`count_matrix` builds the DataFrame from a documents table
with the project's counting engine (:func:`analysis.terms.term_matrix`), so scaling sees exactly the terms
every other table counts.
"""
from __future__ import annotations

import dataclasses
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..terms import term_matrix
from ..validation import require_columns

__all__ = ["Counts", "check_counts", "count_matrix"]


@dataclasses.dataclass(frozen=True)
class Counts:
    """A checked count matrix and its names.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix of float64, shape (n_documents, n_terms)
    documents : pandas.Index
        Row names (the DataFrame's index, ``documents=``, or ``0 … n-1``).
    terms : pandas.Index
        Column names (the DataFrame's columns, ``terms=``, or ``0 … m-1``).
    named : bool
        Whether the terms came with names (a DataFrame, or ``terms=``); unnamed columns are matched to a
        fitted model by position.
    """

    matrix: sp.csr_matrix
    documents: pd.Index
    terms: pd.Index
    named: bool

    @property
    def document_lengths(self) -> np.ndarray:
        return np.asarray(self.matrix.sum(axis=1)).ravel()


def _names(values, size: int, what: str, name: str) -> pd.Index:
    if values is None:
        return pd.RangeIndex(size)
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{what} expects a sequence of {size} names, not a single {type(values).__name__}")
    index = pd.Index(list(values))
    if len(index) != size:
        raise ValueError(f"{what} has {len(index)} names for the {size} {name} of X")
    if index.has_duplicates:
        duplicate = index[index.duplicated()][0]
        raise ValueError(f"{what} names {duplicate!r} more than once; each must be unique")
    return index


def _first_bad(matrix: sp.csr_matrix, bad: np.ndarray) -> tuple[int, int, float]:
    """(row, column, value) of the first stored entry flagged in ``bad`` (aligned with ``matrix.data``)."""
    position = int(np.flatnonzero(bad)[0])
    row = int(np.searchsorted(matrix.indptr, position, side="right") - 1)
    return row, int(matrix.indices[position]), float(matrix.data[position])


def check_counts(X, *, terms: Sequence | None = None, documents: Sequence | None = None,
                 what: str = "X") -> Counts:
    """Check a documents × terms count matrix and return it as :class:`Counts`.

    Parameters
    ----------
    X : DataFrame, scipy sparse matrix or 2-D array
        Non-negative whole-number counts; rows are documents, columns terms.
    terms, documents : sequence, optional
        Names of the columns and rows of a matrix or array (a DataFrame carries its own).
    what : str
        How error messages call ``X``.

    Raises
    ------
    TypeError
        ``X`` is a str, not two-dimensional, or holds non-numbers.
    ValueError
        Negative, fractional or missing counts; a document with no counts; names that do not match the
        shape or repeat.
    """
    if isinstance(X, (str, bytes)):
        raise TypeError(f"{what} expects a documents × terms count matrix (DataFrame or scipy sparse matrix), "
                        f"not a single {type(X).__name__}; build one with count_matrix(documents)")
    if isinstance(X, pd.DataFrame):
        if terms is not None or documents is not None:
            raise ValueError(f"{what} is a DataFrame, which names its own terms (columns) and documents (index); "
                             "pass terms= and documents= only with a sparse matrix or array")
        for column, dtype in X.dtypes.items():
            if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
                raise TypeError(f"{what} column {column!r} is {dtype}, not counts; every column must hold "
                                "numbers")
        if X.shape[1] and all(isinstance(dtype, pd.SparseDtype) for dtype in X.dtypes):
            matrix = sp.csr_matrix(X.sparse.to_coo(), dtype=np.float64)
        else:
            matrix = sp.csr_matrix(X.to_numpy(dtype=np.float64, na_value=np.nan))
        names = {"terms": X.columns, "documents": X.index}
        named = True
    else:
        if sp.issparse(X):
            matrix = sp.csr_matrix(X, dtype=np.float64)
        else:
            try:
                array = np.asarray(X, dtype=np.float64)
            except (TypeError, ValueError):
                raise TypeError(f"{what} expects a documents × terms count matrix, got {type(X).__name__} "
                                "that does not convert to numbers") from None
            if array.ndim != 2:
                raise TypeError(f"{what} must be two-dimensional (documents × terms), got {array.ndim} "
                                f"dimension(s)")
            matrix = sp.csr_matrix(array)
        names = {"terms": terms, "documents": documents}
        named = terms is not None
    n_documents, n_terms = matrix.shape
    if n_documents == 0 or n_terms == 0:
        raise ValueError(f"{what} has shape {matrix.shape}: it needs at least one document and one term")
    document_names = _names(names["documents"], n_documents, "documents", "rows")
    term_names = _names(names["terms"], n_terms, "terms", "columns")
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    data = matrix.data
    for bad, problem in ((~np.isfinite(data), "is missing or infinite"), (data < 0, "is negative"),
                         (data != np.round(data), "is not a whole number")):
        if bad.any():
            row, column, value = _first_bad(matrix, bad)
            raise ValueError(f"{what}: the count of term {term_names[column]!r} in document "
                             f"{document_names[row]!r} {problem} ({value!r}); counts must be whole numbers >= 0")
    empty = np.flatnonzero(np.diff(matrix.indptr) == 0)
    if len(empty):
        shown = ", ".join(repr(document_names[row]) for row in empty[:3])
        more = f" and {len(empty) - 3} more" if len(empty) > 3 else ""
        raise ValueError(f"{what}: {len(empty)} document(s) have no counts ({shown}{more}); drop empty "
                         "documents first")
    matrix.sort_indices()
    return Counts(matrix=matrix, documents=document_names, terms=term_names, named=named)


def count_matrix(
    documents: pd.DataFrame,
    *,
    ngram_range: tuple[int, int] = (1, 1),
    min_count: int = 1,
    min_docs: int = 1,
    max_terms: int | None = None,
    stopwords: frozenset[str] | None = None,
    phrases: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Documents × terms counts of a documents table, ready for :class:`Wordscores` or :class:`Wordfish`.

    The counts are those of :func:`analysis.terms.term_matrix` (the project's tokeniser, stopword policy and
    multi-word expressions); this function only chooses the terms.

    Parameters
    ----------
    documents : DataFrame
        ``doc_id`` (unique) and ``text``.
    ngram_range : (int, int)
        Smallest and largest n-gram length (default unigrams, as Wordscores and Wordfish are usually run).
    min_count : int
        Keep terms seen at least this often in all documents together.
    min_docs : int
        Keep terms seen in at least this many documents.
    max_terms : int, optional
        Then keep only the most frequent terms (ties broken by the term), e.g. 20,000.
    stopwords : frozenset, optional
        As :func:`analysis.terms.count_terms`: default ``load_stopwords("frequency")``; pass
        ``frozenset()`` to count every word, function words included.
    phrases : iterable of str, optional
        Multi-word expressions counted as units.

    Returns
    -------
    DataFrame of int64
        Index ``doc_id`` in the order of ``documents``, columns the kept terms, sorted.

    Raises
    ------
    ValueError
        Missing columns, repeated ``doc_id``, thresholds below 1, or no term left.

    >>> table = pd.DataFrame({"doc_id": ["a", "b"], "text": ["Peace and peace.", "War, not peace."]})
    >>> count_matrix(table, stopwords=frozenset())
    term    and  not  peace  war
    doc_id
    a         1    0      2    0
    b         0    1      1    1
    """
    require_columns(documents, ["doc_id", "text"], "count_matrix")
    for name, value in (("min_count", min_count), ("min_docs", min_docs), ("max_terms", max_terms)):
        if value is not None and (not isinstance(value, (int, np.integer)) or value < 1):
            raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    doc_ids = pd.Index(documents["doc_id"], name="doc_id")
    if doc_ids.has_duplicates:
        raise ValueError(f"count_matrix: doc_id {doc_ids[doc_ids.duplicated()][0]!r} occurs more than once")
    matrix, terms = term_matrix(documents["text"].tolist(), ngram_range=ngram_range, stopwords=stopwords,
                                phrases=phrases)
    totals = np.asarray(matrix.sum(axis=0)).ravel()
    docs = np.diff(matrix.tocsc().indptr)
    keep = np.flatnonzero((totals >= min_count) & (docs >= min_docs))
    if max_terms is not None and len(keep) > max_terms:
        # most frequent first, ties by term (terms are sorted, so by column); then back to sorted order
        order = np.lexsort((keep, -totals[keep]))
        keep = np.sort(keep[order[:max_terms]])
    if not len(keep):
        raise ValueError(f"no terms remain in {len(documents)} documents; try a lower min_count ({min_count}) "
                         f"or min_docs ({min_docs})")
    counts = matrix[:, keep].toarray()
    return pd.DataFrame(counts, index=doc_ids, columns=pd.Index(terms[keep], name="term"))


def fitted_columns(counts: Counts, fitted_terms: pd.Index, n_features_in: int) -> pd.Index:
    """The terms of ``counts``' columns for a model fitted on ``fitted_terms``: their own names, or, for an
    unnamed matrix, the fitted terms when the widths agree (else a ``ValueError`` saying how to match them)."""
    if counts.named:
        return counts.terms
    if len(counts.terms) != n_features_in:
        raise ValueError(f"X has {len(counts.terms)} columns but the model was fitted on {n_features_in}; "
                         "pass terms= (or a DataFrame) to match columns by name")
    return fitted_terms
