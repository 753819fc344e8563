"""Wordscores: positions of texts from the words they share with reference texts of known position.

Laver, Benoit & Garry (2003), "Extracting policy positions from political texts using words as data",
*American Political Science Review* 97(2): 311-331 (LBG); rescaling of Martin & Vanberg (2008), "A robust
transformation procedure for interpreting political text", *Political Analysis* 16(1): 93-100 (MV).

With ``F[w, r]`` the relative frequency of word ``w`` in reference text ``r`` (its count over the text's
length) and ``A[r]`` the reference scores:

* probability that reading ``w`` means reading text ``r``: ``P[w, r] = F[w, r] / sum_r F[w, r]``;
* word score: ``S[w] = sum_r P[w, r] A[r]``, for every word seen in the reference texts;
* raw score of a virgin text ``v``, over the ``N[v]`` tokens of its words that have a score:
  ``S[v] = sum_w F[w, v] S[w]`` with ``F[w, v] = count[w, v] / N[v]``;
* its standard error (LBG p. 316): ``sqrt(sum_w F[w, v] (S[w] - S[v])**2) / sqrt(N[v])``;
* LBG rescaling, over the texts predicted together: ``(S[v] - mean(S)) * sd(A) / sd(S) + mean(S)``
  (sample standard deviations);
* MV rescaling, with ``R1``, ``R2`` the reference texts of lowest and highest score and ``S[R]`` their own
  raw scores: ``(S[v] - S[R1]) / (S[R2] - S[R1]) * (A[R2] - A[R1]) + A[R1]``.

The interval of a text is ``S[v] ± z·se`` (``z`` the normal quantile of ``level``), passed through the same
rescaling, as austin's ``predict.classic.wordscores`` does.
"""
from __future__ import annotations

import warnings
from typing import Literal, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import ndtri
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .matrix import Counts, check_counts, fitted_columns

__all__ = ["WORDSCORES_COLUMNS", "Wordscores"]

WORDSCORES_COLUMNS = ["score", "se", "rescaled", "lower", "upper"]
_RESCALINGS = ("lbg", "mv", None)


def normal_quantile(level: float) -> float:
    """``z`` such that ``[-z, z]`` holds ``level`` of a standard normal (1.96 for 0.95)."""
    if not isinstance(level, (float, int, np.floating)) or isinstance(level, bool) or not 0 < level < 1:
        raise ValueError(f"level must be a number between 0 and 1 (e.g. 0.95), got {level!r}")
    return float(ndtri((1 + level) / 2))


def _reference_scores(scores, counts: Counts) -> np.ndarray:
    if isinstance(scores, (str, bytes)):
        raise TypeError(f"scores expects one number per reference text, not a single {type(scores).__name__}")
    if isinstance(scores, dict):
        scores = pd.Series(scores)
    if isinstance(scores, pd.Series) and not isinstance(counts.documents, pd.RangeIndex):
        missing = counts.documents.difference(scores.index)
        if len(missing):
            raise ValueError(f"scores has no value for reference text {missing[0]!r}; give one per row of X")
        scores = scores.reindex(counts.documents)
    try:
        values = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError("scores must be numbers, one per reference text") from None
    if values.ndim != 1 or len(values) != counts.matrix.shape[0]:
        raise ValueError(f"scores has {values.size} values for the {counts.matrix.shape[0]} reference texts of X")
    if not np.isfinite(values).all():
        position = int(np.flatnonzero(~np.isfinite(values))[0])
        raise ValueError(f"the score of reference text {counts.documents[position]!r} is {values[position]!r}; "
                         "fit on reference texts only and score the others with predict")
    if np.unique(values).size < 2:
        raise ValueError(f"all reference scores are equal ({values[0]:g}); Wordscores needs reference texts "
                         "at two or more different positions")
    return values


def _score_rows(matrix: sp.csr_matrix, word_scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Raw score and its standard error for each row of counts over scored words (in ``word_scores`` order)."""
    lengths = np.asarray(matrix.sum(axis=1)).ravel()
    raw = (matrix @ word_scores) / lengths
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    deviations = matrix.data * (word_scores[matrix.indices] - raw[rows]) ** 2
    spread = np.bincount(rows, weights=deviations, minlength=matrix.shape[0])
    return raw, np.sqrt(spread) / lengths


class Wordscores(BaseEstimator):
    """Wordscores (Laver, Benoit & Garry 2003), with LBG or Martin-Vanberg rescaling.

    Parameters
    ----------
    rescaling : {"lbg", "mv", None}
        ``"lbg"``: stretch the texts predicted together to the spread (sample SD) of the reference scores
        around their own mean, as LBG do; it needs two or more texts with different raw scores, else the raw
        scores are returned with a warning (austin's convention). ``"mv"``: map the raw scores of the
        reference texts of lowest and highest score onto those scores (Martin & Vanberg 2008); with more
        than two reference texts the others are not used by the rescaling (when several share the lowest
        or highest score, their raw scores are averaged). ``None``: no rescaling.
    level : float
        Coverage of the interval ``lower``-``upper`` (0.95: raw score ± 1.96 standard errors, rescaled).

    Attributes
    ----------
    wordscores_ : Series
        Score of each word seen in the reference texts, indexed by term.
    reference_scores_ : Series
        The reference scores, indexed by reference text.
    reference_raw_scores_ : Series
        Raw scores of the reference texts themselves (what MV rescaling anchors on).
    terms_ : Index
        Terms (columns) of the matrix given to ``fit``; unnamed matrices given to ``predict`` must have
        these columns in this order.
    n_features_in_ : int

    Examples
    --------
    >>> X = pd.DataFrame([[8, 2, 0], [0, 2, 8], [4, 4, 2]], index=["left", "right", "new"],
    ...                  columns=["tax", "growth", "welfare"])
    >>> model = Wordscores(rescaling=None).fit(X.loc[["left", "right"]], [-1, 1])
    >>> model.wordscores_.tolist()
    [-1.0, 0.0, 1.0]
    >>> model.predict(X.loc[["new"]]).round(3)["score"].tolist()
    [-0.2]
    """

    def __init__(self, *, rescaling: Literal["lbg", "mv"] | None = "lbg", level: float = 0.95):
        self.rescaling = rescaling
        self.level = level

    def _check_params(self) -> float:
        if self.rescaling not in _RESCALINGS:
            raise ValueError(f"rescaling must be 'lbg', 'mv' or None, got {self.rescaling!r}")
        return normal_quantile(self.level)

    def fit(self, X, scores, *, terms: Sequence | None = None, documents: Sequence | None = None) -> Wordscores:
        """Learn word scores from reference texts.

        Parameters
        ----------
        X : DataFrame, scipy sparse matrix or 2-D array
            Counts of the reference texts (documents × terms).
        scores : array-like or Series
            Known position of each reference text; a Series is matched to the rows of a DataFrame by name.
        terms, documents : sequence, optional
            Names of the columns and rows when ``X`` is a matrix or array.
        """
        self._check_params()
        counts = check_counts(X, terms=terms, documents=documents)
        values = _reference_scores(scores, counts)
        matrix = counts.matrix
        used = np.flatnonzero(np.diff(matrix.tocsc().indptr) > 0)  # words seen in some reference text
        relative = sp.diags(1.0 / counts.document_lengths) @ matrix[:, used]  # F[r, w]
        relative = relative.tocsc()
        total = np.asarray(relative.sum(axis=0)).ravel()
        word_scores = np.asarray(relative.T @ values).ravel() / total
        self.terms_ = counts.terms
        self.n_features_in_ = len(counts.terms)
        self.wordscores_ = pd.Series(word_scores, index=counts.terms[used], name="wordscore")
        self.reference_scores_ = pd.Series(values, index=counts.documents, name="score")
        raw, _ = _score_rows(matrix[:, used].tocsr(), word_scores)
        self.reference_raw_scores_ = pd.Series(raw, index=counts.documents, name="raw_score")
        return self

    def _scorable(self, counts: Counts) -> tuple[sp.csr_matrix, np.ndarray]:
        """The counts of the words that have a score, and those scores, in matching order."""
        terms = fitted_columns(counts, self.terms_, self.n_features_in_)
        positions = self.wordscores_.index.get_indexer(terms)
        known = np.flatnonzero(positions >= 0)
        matrix = counts.matrix[:, known].tocsr()
        matrix.sort_indices()
        return matrix, self.wordscores_.to_numpy()[positions[known]]

    def predict(self, X, *, terms: Sequence | None = None, documents: Sequence | None = None) -> pd.DataFrame:
        """Score texts ("virgin texts") from the words they share with the reference texts.

        Words the reference texts never use are left out, as in LBG. With ``rescaling="lbg"`` the rescaled
        values depend on which texts are predicted together (their mean and spread).

        Returns
        -------
        DataFrame
            Indexed by document, columns ``score`` (raw score), ``se`` (its standard error), ``rescaled``,
            ``lower``, ``upper`` (the interval of ``level``, on the rescaled scale).

        Raises
        ------
        ValueError
            A text holds none of the scored words.
        """
        check_is_fitted(self, "wordscores_")
        z = self._check_params()
        counts = check_counts(X, terms=terms, documents=documents)
        matrix, word_scores = self._scorable(counts)
        lengths = np.asarray(matrix.sum(axis=1)).ravel()
        if (lengths == 0).any():
            unscored = counts.documents[lengths == 0]
            raise ValueError(f"{len(unscored)} text(s) use none of the {len(self.wordscores_)} words scored by the "
                             f"reference texts (e.g. {unscored[0]!r}); they cannot be scored")
        raw, se = _score_rows(matrix, word_scores)
        rescale = self._rescaler(raw)
        table = pd.DataFrame({"score": raw, "se": se, "rescaled": rescale(raw), "lower": rescale(raw - z * se),
                              "upper": rescale(raw + z * se)}, index=counts.documents)
        return table[WORDSCORES_COLUMNS]

    def _rescaler(self, raw: np.ndarray):
        if self.rescaling is None:
            return lambda values: values
        references = self.reference_scores_.to_numpy()
        if self.rescaling == "mv":
            reference_raw = self.reference_raw_scores_.to_numpy()
            low, high = references.min(), references.max()
            raw_low = reference_raw[references == low].mean()
            raw_high = reference_raw[references == high].mean()
            if raw_high == raw_low:
                raise ValueError("MV rescaling needs the reference texts of lowest and highest score to differ "
                                 f"in raw score; both score {raw_low:g}")
            return lambda values: (values - raw_low) / (raw_high - raw_low) * (high - low) + low
        spread = raw.std(ddof=1) if len(raw) > 1 else 0.0
        if not spread > 0:
            warnings.warn(f"LBG rescaling needs two or more texts with different raw scores; {len(raw)} text(s) "
                          "given, so 'rescaled' repeats the raw score", UserWarning, stacklevel=3)
            return lambda values: values
        centre, stretch = raw.mean(), references.std(ddof=1) / spread
        return lambda values: (values - centre) * stretch + centre
