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

Modules, one concern each: :mod:`~analysis.terms.analyzer` (:class:`TermAnalyzer`, phrases merged by the
pattern language of :mod:`analysis.patterns`), :mod:`~analysis.terms.counting` (exact, fast counts),
:mod:`~analysis.terms.tables` (term tables and top terms), :mod:`~analysis.terms.collocations`,
:mod:`~analysis.terms.kwic`, :mod:`~analysis.terms.keyness` and :mod:`~analysis.terms.groups` (keyness between
groups: every group against the rest, two groups, within strata).
"""
from __future__ import annotations

from .analyzer import TermAnalyzer
from .collocations import COLLOCATION_COLUMNS, collocation_phrases, find_collocations
from .counting import TokenCounts, count_analyzed, count_tokens, count_word_tokens, term_matrix
from .keyness import G2_CRITICAL_001, KEYNESS_COLUMNS, keyness, keyness_scores
from .groups import (GROUP_KEYNESS_COLUMNS, WITHIN_COLUMNS, DocumentTerms, compare_all_groups, compare_two_groups,
                     document_terms, stratified_scores)
from .kwic import KWIC_COLUMNS, keyword_in_context
from .tables import (
    TERMS_COLUMNS, TermTotals, count_terms, count_terms_by, drop_display_terms, is_boilerplate, term_table,
    tfidf_top_terms, top_terms,
)

__all__ = [
    "COLLOCATION_COLUMNS",
    "GROUP_KEYNESS_COLUMNS",
    "WITHIN_COLUMNS",
    "compare_all_groups",
    "DocumentTerms",
    "document_terms",
    "compare_two_groups",
    "stratified_scores",
    "G2_CRITICAL_001",
    "KEYNESS_COLUMNS",
    "KWIC_COLUMNS",
    "TERMS_COLUMNS",
    "TermAnalyzer",
    "TermTotals",
    "TokenCounts",
    "collocation_phrases",
    "count_analyzed",
    "count_terms",
    "count_terms_by",
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
