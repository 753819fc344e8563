"""TF-IDF theme scores: the :class:`ThemeScorer` estimator, :func:`score_themes` and :func:`score_corpus`."""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Literal, Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from ..validation import as_texts
from .lexicon import Lexicon, _resolve_lexicon
from .matcher import _count, _matcher_for, join_labels

# --------------------------------------------------------------------------------------------------
# The estimator
# --------------------------------------------------------------------------------------------------


class ThemeScorer(TransformerMixin, BaseEstimator):
    """TF-IDF theme scores: the share of a text's TF-IDF mass carried by each theme's terms.

    Terms are the project tokeniser's content words with the lexicon's phrases merged into one term (longest
    match first), so an overlapping phrase is counted once: in "organized crime" the theme term is
    ``organized crime`` and ``crime`` is not counted again. With ``X`` the un-normalised TF-IDF row of a text
    (count × idf, idf learned by :meth:`fit`) and ``T`` the term → theme indicator::

        score[theme] = (X @ T)[theme] / ||X||     (||.|| the l1 or l2 norm of X)

    With ``norm="l1"`` a score is the share of the text's TF-IDF mass (0 to 1), comparable between texts of
    any length, and the scores of a text sum to at most 1 (more only if one term belongs to two themes).

    Parameters
    ----------
    lexicon : Lexicon, str, Path or None
        The theme lexicon, or the path of a YAML file; ``None`` is ``config/themes.yml``.
    norm : {"l1", "l2"}
        Denominator of the score (see above).
    smooth_idf : bool
        As in :class:`~sklearn.feature_extraction.text.TfidfVectorizer`.
    min_share : float or mapping of theme → float
        :meth:`predict` labels a theme when its score is strictly above this (0: any term of the theme).

    Attributes
    ----------
    lexicon_ : Lexicon
    vectorizer_ : TfidfVectorizer
        Fitted, ``norm=None``; its analyzer merges the lexicon's phrases.
    theme_matrix_ : scipy.sparse.csr_matrix of shape (n_terms, n_themes)
        1 where a vocabulary term belongs to a theme.
    unseen_idf_ : float
        The idf given to a term :meth:`fit` did not see (that of a term in no fitted document).
    themes_ : tuple of str

    Examples
    --------
    >>> scorer = ThemeScorer().fit(["We condemn terrorism.", "Cooperation between States is vital."])
    >>> scorer.themes_
    ('terrorism', 'trafficking', 'cooperation')
    >>> scorer.label(["Terrorism and drug trafficking are linked."])
    ['terrorism;trafficking']
    """

    def __init__(self, lexicon: Lexicon | str | Path | None = None, *, norm: Literal["l1", "l2"] = "l1",
                 smooth_idf: bool = True, min_share: float | Mapping[str, float] = 0.0):
        self.lexicon = lexicon
        self.norm = norm
        self.smooth_idf = smooth_idf
        self.min_share = min_share

    def fit(self, X, y=None, *, groups: Sequence | None = None):
        """Learn the vocabulary and the idf.

        Parameters
        ----------
        X : sequence of str
            Texts.
        y : ignored
        groups : sequence, optional
            The document of each text. The idf then counts a term once per group, so sentences can be passed
            and the idf is still over documents (same vocabulary and idf as fitting on the joined documents).
        """
        self._fit_tfidf(X, groups)
        return self

    def _fit_tfidf(self, X, groups) -> sp.csr_matrix:
        """Fit, and return the un-normalised TF-IDF of ``X`` (one tokenising pass)."""
        texts = as_texts(X, "texts")
        if self.norm not in ("l1", "l2"):
            raise ValueError(f"norm must be 'l1' or 'l2', got {self.norm!r}")
        lexicon = _resolve_lexicon(self.lexicon)
        thresholds = self._thresholds(lexicon.names)
        matcher = _matcher_for(lexicon)
        counts, terms = _count(matcher, texts)
        if not terms.size:
            raise ValueError("no terms in the texts given to fit (empty or only stopwords); fit on speeches")
        if groups is None:
            group_counts = counts
        else:
            groups = list(groups)
            if len(groups) != len(texts):
                raise ValueError(f"groups has {len(groups)} entries for {len(texts)} texts")
            group_counts = _group_sum(counts, groups)[1]
        vocabulary = {term: index for index, term in enumerate(terms)}
        vectorizer = TfidfVectorizer(analyzer=matcher.analyze, vocabulary=vocabulary, norm=None,
                                     smooth_idf=self.smooth_idf)
        vectorizer.idf_ = TfidfTransformer(norm=None, smooth_idf=self.smooth_idf).fit(group_counts).idf_
        self.lexicon_ = lexicon
        self.matcher_ = matcher
        self.vectorizer_ = vectorizer
        self.theme_matrix_ = matcher.feature_themes(terms)
        n_groups = group_counts.shape[0]
        self.unseen_idf_ = float(np.log((1 + n_groups) / 1) + 1 if self.smooth_idf else np.log(n_groups) + 1)
        self.themes_ = lexicon.names
        self.thresholds_ = thresholds
        return (counts @ sp.diags(vectorizer.idf_)).tocsr()

    def _thresholds(self, names: Sequence[str]) -> np.ndarray:
        if isinstance(self.min_share, Mapping):
            unknown = sorted(set(self.min_share) - set(names))
            if unknown:
                raise ValueError(f"min_share names unknown themes {unknown}; themes: {', '.join(names)}")
            return np.array([float(self.min_share.get(name, 0.0)) for name in names])
        return np.full(len(names), float(self.min_share))

    def weigh(self, X) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Un-normalised TF-IDF rows (count × idf) of ``X``, and the term → theme matrix of their columns.

        The columns are the terms of ``X`` (sorted). Unlike ``TfidfVectorizer.transform``, a term that
        :meth:`fit` never saw is not dropped: it gets the idf of a term in none of the fitted documents, so a
        theme term in a new text always counts. Rows can be summed into paragraphs or documents.
        """
        check_is_fitted(self, "vectorizer_")
        counts, terms = _count(self.matcher_, as_texts(X, "texts"))
        vocabulary = self.vectorizer_.vocabulary_
        known = np.array([vocabulary.get(term, -1) for term in terms], dtype=np.int64)
        seen = known >= 0
        idf = np.full(len(terms), self.unseen_idf_)
        idf[seen] = self.vectorizer_.idf_[known[seen]]
        theme_matrix = sp.lil_matrix((len(terms), len(self.themes_)))
        if seen.any():
            theme_matrix[np.flatnonzero(seen)] = self.theme_matrix_[known[seen]]
        if (~seen).any():
            theme_matrix[np.flatnonzero(~seen)] = self.matcher_.feature_themes(terms[~seen])
        return (counts @ sp.diags(idf)).tocsr(), theme_matrix.tocsr()

    def shares(self, tfidf: sp.spmatrix, theme_matrix: sp.spmatrix | None = None) -> np.ndarray:
        """Theme scores of un-normalised TF-IDF rows (see the class docstring); columns as :meth:`weigh` gives."""
        check_is_fitted(self, "theme_matrix_")
        return _theme_shares(tfidf, self.theme_matrix_ if theme_matrix is None else theme_matrix, self.norm)

    def transform(self, X) -> np.ndarray:
        """Theme scores, shape ``(n_texts, n_themes)``, columns in :attr:`themes_` order."""
        return self.shares(*self.weigh(X))

    def predict(self, X) -> np.ndarray:
        """Boolean theme labels ``(n_texts, n_themes)``: score above ``min_share``."""
        return self.transform(X) > self.thresholds_

    def label(self, X) -> list[str]:
        """``;``-joined, sorted theme labels of each text (empty when none)."""
        return join_labels(self.predict(X), self.themes_)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "themes_")
        return np.array([f"theme_{name}" for name in self.themes_], dtype=object)


def _theme_shares(tfidf: sp.spmatrix, theme_matrix: sp.spmatrix, norm: str) -> np.ndarray:
    tfidf = sp.csr_matrix(tfidf)
    mass = np.asarray((tfidf @ theme_matrix).todense(), dtype=np.float64)
    if norm == "l1":
        total = np.asarray(tfidf.sum(axis=1), dtype=np.float64).ravel()
    else:
        total = np.sqrt(np.asarray(tfidf.multiply(tfidf).sum(axis=1), dtype=np.float64).ravel())
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(total[:, None] > 0, mass / total[:, None], 0.0)
    return shares


def _group_sum(matrix: sp.spmatrix, groups: Sequence) -> tuple[np.ndarray, sp.csr_matrix]:
    """Sum the rows of ``matrix`` by group; groups in order of first appearance."""
    codes, uniques = pd.factorize(pd.Series(list(groups), dtype=object), sort=False)
    indicator = sp.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))),
                              shape=(len(uniques), len(codes)))
    return np.asarray(uniques, dtype=object), (indicator @ matrix).tocsr()


def _dominant(shares: np.ndarray, themes: Sequence[str]) -> list[str]:
    """The theme with the highest score (first in lexicon order on ties), empty when every score is 0."""
    if shares.shape[1] == 0:
        return [""] * shares.shape[0]
    best = shares.argmax(axis=1)
    top = shares[np.arange(len(best)), best]
    return [themes[b] if value > 0 else "" for b, value in zip(best.tolist(), top.tolist())]


#: A speech's dominant theme is carried by at least this share of its sentences ...
DOMINANT_MIN_SHARE = 0.25
#: ... and by at least this many times the share of the next theme; else it is ``"mixed"``.
DOMINANT_LEAD = 1.5


def dominant_themes(carrying: np.ndarray, n_sentences: np.ndarray, themes: Sequence[str], *,
                    min_share: float = DOMINANT_MIN_SHARE, lead: float = DOMINANT_LEAD) -> list[str]:
    """The dominant theme of each text, from how many of its sentences carry each theme.

    A theme dominates when it is carried by at least ``min_share`` of the text's sentences and by at least
    ``lead`` times as many as any other theme. When a theme reaches ``min_share`` but none leads by that much,
    the text is ``"mixed"``; when none reaches it, ``""`` (no dominant theme). Readers see a share of sentences,
    which means the same in a short speech and a long one, unlike a TF-IDF score.

    Parameters
    ----------
    carrying : ndarray of shape (n_texts, n_themes)
        Sentences of each text that carry each theme.
    n_sentences : ndarray of shape (n_texts,)
        Sentences of each text.

    >>> dominant_themes(np.array([[6, 1], [3, 3], [1, 0], [0, 0]]), np.array([10, 10, 10, 0]), ["a", "b"])
    ['a', 'mixed', '', '']
    """
    carrying = np.asarray(carrying, dtype=np.float64).reshape(len(n_sentences), len(themes))
    n = np.asarray(n_sentences, dtype=np.float64)
    if carrying.shape[1] == 0:
        return [""] * len(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(n[:, None] > 0, carrying / np.maximum(n[:, None], 1.0), 0.0)
    best = shares.argmax(axis=1)
    top = shares[np.arange(len(best)), best]
    ordered = np.sort(shares, axis=1)
    second = ordered[:, -2] if shares.shape[1] > 1 else np.zeros(len(n))
    return ["" if value < min_share or value <= 0 else themes[b] if value >= lead * other else "mixed"
            for b, value, other in zip(best.tolist(), top.tolist(), second.tolist())]


def _score_frame(keys: pd.DataFrame, shares: np.ndarray, themes: Sequence[str], *,
                 carrying: np.ndarray | None = None, n_sentences: np.ndarray | None = None) -> pd.DataFrame:
    """``keys`` with a ``theme_<name>`` score per theme and, when the sentence counts are given,
    ``dominant_theme`` (:func:`dominant_themes`)."""
    frame = keys.reset_index(drop=True).copy()
    for index, name in enumerate(themes):
        frame[f"theme_{name}"] = shares[:, index] if len(frame) else np.array([], dtype=np.float64)
    if carrying is not None:
        frame["dominant_theme"] = dominant_themes(carrying, n_sentences, themes)
    return frame


@dataclasses.dataclass
class _Weighted:
    """Sentences with their un-normalised TF-IDF rows and what is needed to turn rows into scores."""

    sentences: pd.DataFrame
    tfidf: sp.csr_matrix
    theme_matrix: sp.csr_matrix
    themes: tuple[str, ...]
    thresholds: np.ndarray
    norm: str

    def shares(self, rows: sp.spmatrix | None = None) -> np.ndarray:
        return _theme_shares(self.tfidf if rows is None else rows, self.theme_matrix, self.norm)

    def carried(self) -> np.ndarray:
        """0/1 per sentence and theme: the sentence carries the theme."""
        return (self.shares() > self.thresholds).astype(np.int64)

    def sentence_counts(self, groups: Sequence) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per group (in order of first appearance): the group, its sentences carrying each theme, and its
        number of sentences."""
        uniques, summed = _group_sum(sp.csr_matrix(np.hstack([self.carried(), np.ones((len(self.sentences), 1),
                                                                                       dtype=np.int64)])), groups)
        dense = summed.toarray()
        return uniques, dense[:, :-1], dense[:, -1]


def _weigh_sentences(documents: pd.DataFrame, sentences: pd.DataFrame | None, scorer: ThemeScorer | None,
                     lexicon) -> _Weighted:
    """Sentences of the documents and their TF-IDF: with a fitted scorer's idf, or fitting one (idf over
    documents) in the same tokenising pass."""
    from ..corpus import segment_sentences

    if sentences is None:
        sentences = segment_sentences(documents)
    sentences = sentences.reset_index(drop=True)
    texts = sentences["text"].astype(str).tolist()
    scorer = ThemeScorer(lexicon) if scorer is None else scorer
    if hasattr(scorer, "vectorizer_"):
        tfidf, theme_matrix = scorer.weigh(texts)
        return _Weighted(sentences, tfidf, theme_matrix, scorer.themes_, scorer.thresholds_, scorer.norm)
    try:
        tfidf = scorer._fit_tfidf(texts, sentences["doc_id"].tolist())
    except ValueError as exc:
        if "no terms" not in str(exc):
            raise
        names = _resolve_lexicon(scorer.lexicon).names  # nothing to score: every score is 0
        return _Weighted(sentences, sp.csr_matrix((len(texts), 0)), sp.csr_matrix((0, len(names))), names,
                         scorer._thresholds(names), scorer.norm)
    return _Weighted(sentences, tfidf, scorer.theme_matrix_, scorer.themes_, scorer.thresholds_, scorer.norm)


def score_themes(
    documents: pd.DataFrame,
    *,
    level: Literal["document", "paragraph", "sentence"] = "document",
    lexicon: Lexicon | str | Path | None = None,
    scorer: ThemeScorer | None = None,
    sentences: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Theme scores of every document, paragraph or sentence.

    The idf is over documents; paragraphs and documents sum the un-normalised TF-IDF of their sentences, then
    normalise (see :class:`ThemeScorer`), so every level uses the same terms and weights.

    Parameters
    ----------
    documents : DataFrame
        ``doc_id`` and cleaned ``text`` (as :func:`analysis.corpus.read_corpus` gives).
    level : {"document", "paragraph", "sentence"}
        The unit of the rows.
    lexicon : Lexicon, str, Path or None
        Used when ``scorer`` is not given (default ``config/themes.yml``).
    scorer : ThemeScorer, optional
        Fitted: its idf is used (e.g. learned on a larger reference corpus); unfitted: fitted here.
    sentences : DataFrame, optional
        :func:`analysis.corpus.segment_sentences` of ``documents`` when already computed.

    Returns
    -------
    DataFrame
        Key columns (``doc_id``; ``paragraph_id``; or ``sentence_id, paragraph_id, start, end``), one
        ``theme_<name>`` column per theme, ``dominant_theme`` and, for sentences, ``themes`` (the labels).
    """
    if level not in ("document", "paragraph", "sentence"):
        raise ValueError(f"level must be 'document', 'paragraph' or 'sentence', got {level!r}")
    weighted = _weigh_sentences(documents, sentences, scorer, lexicon)
    sentences, themes = weighted.sentences, weighted.themes
    if level == "sentence":
        keys = [c for c in ("doc_id", "sentence_id", "paragraph_id", "start", "end") if c in sentences.columns]
        carried = weighted.carried()
        frame = _score_frame(sentences[keys], weighted.shares(), themes, carrying=carried,
                             n_sentences=np.ones(len(carried), dtype=np.int64))
        frame["themes"] = join_labels(carried > 0, themes)
        return frame
    if level == "paragraph":
        if "paragraph_id" not in sentences.columns:
            raise ValueError("sentences need a 'paragraph_id' column for level='paragraph'")
        groups = list(zip(sentences["doc_id"], sentences["paragraph_id"]))
        uniques, summed = _group_sum(weighted.tfidf, groups)
        _, carrying, n_sentences = weighted.sentence_counts(groups)
        keys = pd.DataFrame({"doc_id": pd.Series([key[0] for key in uniques], dtype=object),
                             "paragraph_id": pd.Series([key[1] for key in uniques], dtype="int64")})
        return _score_frame(keys, weighted.shares(summed), themes, carrying=carrying, n_sentences=n_sentences)
    return _document_frame(documents, weighted)


def _document_frame(documents: pd.DataFrame, weighted: _Weighted) -> pd.DataFrame:
    groups = weighted.sentences["doc_id"].tolist()
    uniques, summed = _group_sum(weighted.tfidf, groups)
    _, found_carrying, found_n = weighted.sentence_counts(groups)
    row_of = {doc_id: index for index, doc_id in enumerate(uniques)}
    rows = np.array([row_of.get(doc_id, -1) for doc_id in documents["doc_id"]], dtype=np.int64)
    found = weighted.shares(summed)
    shares = np.zeros((len(rows), len(weighted.themes)))
    carrying = np.zeros((len(rows), len(weighted.themes)), dtype=np.int64)
    n_sentences = np.zeros(len(rows), dtype=np.int64)
    at = rows >= 0  # a document without sentences scores 0
    shares[at], carrying[at], n_sentences[at] = found[rows[at]], found_carrying[rows[at]], found_n[rows[at]]
    keys = pd.DataFrame({"doc_id": pd.Series(documents["doc_id"].tolist(), dtype=object)})
    return _score_frame(keys, shares, weighted.themes, carrying=carrying, n_sentences=n_sentences)


def score_corpus(
    documents: pd.DataFrame,
    sentences: pd.DataFrame,
    *,
    lexicon: Lexicon | str | Path | None = None,
    scorer: ThemeScorer | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Document scores and sentence labels from one tokenising pass (what ``run`` writes).

    Returns
    -------
    (DataFrame, DataFrame)
        ``doc_id, theme_<name>..., dominant_theme`` per document (in ``documents`` order), and per sentence
        (in ``sentences`` order) ``theme_<name>..., dominant_theme, themes``.
    """
    weighted = _weigh_sentences(documents, sentences, scorer, lexicon)
    carried = weighted.carried()
    sentence_frame = _score_frame(pd.DataFrame(index=range(len(carried))), weighted.shares(), weighted.themes,
                                  carrying=carried, n_sentences=np.ones(len(carried), dtype=np.int64))
    sentence_frame["themes"] = join_labels(carried > 0, weighted.themes)
    return _document_frame(documents, weighted), sentence_frame


