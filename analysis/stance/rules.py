"""The rule labeller: the codebook's precedence applied to the cues that fired, each label with its evidence
(``label:cue name@start-end``), as a function (:func:`label_rules`) and as scikit-learn estimators
(:class:`RuleStanceClassifier`, whose per-sentence probability comes from the evidence, and
:class:`CueFeatures`, the cues as model features)."""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..validation import as_texts
from .codebook import Codebook
from .cuefile import get_codebook
from .matcher import CueMatcher, CueMatches

@dataclasses.dataclass(frozen=True)
class Resolution:
    """What the codebook's rules make of a set of matches."""

    matches: CueMatches
    keep: np.ndarray       # per match: not suppressed by reported speech
    cue_rank: np.ndarray   # per match: precedence rank of the cue's label
    rank: np.ndarray       # per row: precedence rank of the chosen label


def resolve_matches(matches: CueMatches, codebook: Codebook) -> Resolution:
    """Apply suppression and precedence: per row the rank of the winning label (default when no cue)."""
    rank_of = {label: index for index, label in enumerate(codebook.precedence)}
    cue_rank = np.array([rank_of[cue.label] for cue in codebook.cues], dtype=np.int64)[matches.cue]
    keep = np.ones(len(matches), dtype=bool)
    for index, cue in enumerate(codebook.cues):
        if not cue.suppresses:
            continue
        selected = matches.cue == index
        if not selected.any():
            continue
        first = np.full(matches.n_rows, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first, matches.row[selected], matches.start[selected])
        suppressed = np.isin(cue_rank, [rank_of[label] for label in cue.suppresses])
        keep &= ~(suppressed & (matches.start > first[matches.row]))
    n_labels = len(codebook.precedence)
    rank = np.full(matches.n_rows, n_labels, dtype=np.int64)
    np.minimum.at(rank, matches.row[keep], cue_rank[keep])
    rank[rank == n_labels] = rank_of[codebook.default]
    return Resolution(matches=matches, keep=keep, cue_rank=cue_rank, rank=rank)


def evidence(resolution: Resolution, codebook: Codebook, rank: np.ndarray | None = None) -> np.ndarray:
    """The ``cue`` column: for each row, the kept cues of the label of rank ``rank[row]``.

    A match lying wholly inside an earlier one of the same sentence is left out (it adds no evidence).
    """
    matches = resolution.matches
    rank = resolution.rank if rank is None else rank
    column = np.full(matches.n_rows, "", dtype=object)
    chosen = np.flatnonzero(resolution.keep & (resolution.cue_rank == rank[matches.row]))
    if not len(chosen):
        return column
    rows, starts, ends = matches.row[chosen], matches.start[chosen], matches.end[chosen]
    scale = int(ends.max()) + 1
    running = np.maximum.accumulate(rows * scale + ends)  # rows are sorted, so this is a per-row maximum
    before = np.concatenate([[-1], running[:-1]])
    inside = (before // scale == rows) & (before % scale >= ends)
    chosen, rows, starts, ends = chosen[~inside], rows[~inside], starts[~inside], ends[~inside]
    names = np.array([f"{cue.label}:{cue.name}@" for cue in codebook.cues], dtype=object)
    items = names[matches.cue[chosen]] + starts.astype(str).astype(object) + "-" + ends.astype(str).astype(object)
    first = np.flatnonzero(np.concatenate([[True], rows[1:] != rows[:-1]]))
    counts = np.diff(np.append(first, len(rows)))
    single = counts == 1
    column[rows[first[single]]] = items[first[single]]
    for index in np.flatnonzero(~single):  # sentences with several cues of the winning label
        column[rows[first[index]]] = ";".join(items[first[index]:first[index] + counts[index]])
    return column




def resolve_texts(texts, codebook: Codebook) -> Resolution:
    return resolve_matches(CueMatcher(codebook).match(texts), codebook)


def label_rules(texts: Sequence[str] | pd.Series, *, codebook: Codebook | str | Path | None = None) -> pd.DataFrame:
    """Label sentences with the codebook's rules.

    Parameters
    ----------
    texts : sequence of str
        One sentence each.
    codebook : Codebook or path, optional
        Default ``config/stance.yml``.

    Returns
    -------
    DataFrame
        ``stance`` and ``cue`` (evidence, see the module docstring), one row per sentence, same order.

    >>> label_rules(["We call upon all States to ratify the Convention.",
    ...              "We do not support the draft resolution."]).to_dict("list")
    {'stance': ['support', 'oppose'], 'cue': ['support:calls upon@3-12', 'oppose:not support@6-17']}
    """
    codebook = get_codebook(codebook)
    return _rule_labels(resolve_texts(texts, codebook), codebook)


def _rule_labels(resolution: Resolution, codebook: Codebook) -> pd.DataFrame:
    """:func:`label_rules`'s table from the resolution of the sentences' matches."""
    return pd.DataFrame({
        "stance": np.asarray(codebook.precedence, dtype=object)[resolution.rank],
        "cue": evidence(resolution, codebook),
    })


class RuleStanceClassifier(ClassifierMixin, BaseEstimator):
    """The rule labeller as a scikit-learn classifier, with a per-sentence probability.

    ``fit`` needs no labels. Given gold labels it also learns how likely each label is given the evidence the
    rules found in a sentence: a multinomial logistic regression on :class:`CueFeatures` (which cues fired,
    after reported-speech suppression, and the rules' label) and the sentence's length in words (log).
    ``predict_proba`` gives those probabilities; the ``score`` of :meth:`explain` is the probability of the
    rules' own label, so two ``support`` sentences get different scores when different cues decided them
    (one cue of endorsement, or three and no criticism). The probabilities are calibrated on the fitting
    sentences; ``evaluate`` measures them on held-out ones (expected calibration error, reliability diagram).

    Parameters
    ----------
    codebook : Codebook or path, optional
        Default ``config/stance.yml``.
    C : float
        Inverse L2 penalty of the calibrating regression (scikit-learn's ``C``): small values pull every
        sentence towards the label's base rate.

    Attributes
    ----------
    codebook_ : Codebook
    classes_ : ndarray of str
        Sorted labels.
    calibrator_ : LogisticRegression or None
        ``None`` when fitted without labels.
    """

    def __init__(self, codebook: Codebook | str | Path | None = None, *, C: float = 0.5):
        self.codebook = codebook
        self.C = C

    def fit(self, X, y=None):
        from sklearn.linear_model import LogisticRegression

        self.codebook_ = get_codebook(self.codebook)
        self.classes_ = np.array(sorted(self.codebook_.precedence), dtype=object)
        self.calibrator_ = None
        self.features_ = CueFeatures(self.codebook_).fit(X)
        if y is not None:
            texts = as_texts(X)
            y = np.asarray(list(y), dtype=object)
            if len(y) != len(texts):
                raise ValueError(f"X has {len(texts)} sentences but y has {len(y)} labels")
            unknown = sorted(set(y) - set(self.classes_))
            if unknown:
                raise ValueError(f"unknown label {unknown[0]!r} in y (valid: {', '.join(self.classes_)})")
            self.calibrator_ = LogisticRegression(C=self.C, max_iter=5000).fit(self._features(texts), y)
        return self

    def _features(self, texts: list[str], resolution: Resolution | None = None) -> sp.csr_matrix:
        """The calibrator's features; ``resolution`` (of ``texts``' matches), when given, saves a cue scan."""
        length = np.log1p(np.fromiter((len(text.split()) for text in texts), dtype=np.float64, count=len(texts)))
        cues = (self.features_.transform(texts) if resolution is None
                else self.features_.from_resolution(resolution))
        return sp.hstack([cues, sp.csr_matrix(length[:, None])]).tocsr()

    def explain(self, X) -> pd.DataFrame:
        """``stance``, ``cue`` and ``score`` (the calibrated probability of ``stance``; NaN if fitted without y)."""
        check_is_fitted(self, "codebook_")
        texts = as_texts(X)
        # One cue scan gives both the labels and the calibrator's features.
        resolution = resolve_texts(texts, self.codebook_)
        labelled = _rule_labels(resolution, self.codebook_)
        if self.calibrator_ is None:
            labelled["score"] = np.nan
        elif len(texts):
            proba = self._proba(texts, resolution)
            column = {label: i for i, label in enumerate(self.classes_)}
            labelled["score"] = proba[np.arange(len(texts)), [column[label] for label in labelled["stance"]]]
        else:
            labelled["score"] = np.zeros(0)
        return labelled

    def predict(self, X) -> np.ndarray:
        check_is_fitted(self, "codebook_")
        return label_rules(X, codebook=self.codebook_)["stance"].to_numpy(dtype=object)

    def predict_proba(self, X) -> np.ndarray:
        """Probability of each label (columns in ``classes_`` order) given the rules' evidence."""
        check_is_fitted(self, "codebook_")
        if self.calibrator_ is None:
            raise ValueError("RuleStanceClassifier was fitted without labels: fit(X, y) to get probabilities")
        return self._proba(as_texts(X))

    def _proba(self, texts: list[str], resolution: Resolution | None = None) -> np.ndarray:
        found = self.calibrator_.predict_proba(self._features(texts, resolution))
        proba = np.zeros((len(texts), len(self.classes_)))
        for j, label in enumerate(self.calibrator_.classes_):  # a label the gold set lacks has probability 0
            proba[:, list(self.classes_).index(label)] = found[:, j]
        return proba


class CueFeatures(TransformerMixin, BaseEstimator):
    """Rule cues as features: one binary column per cue (kept after reported-speech suppression) and a
    one-hot column per rule label.

    Parameters
    ----------
    codebook : Codebook or path, optional
        Default ``config/stance.yml``.
    """

    def __init__(self, codebook: Codebook | str | Path | None = None):
        self.codebook = codebook

    def fit(self, X, y=None):
        self.codebook_ = get_codebook(self.codebook)
        self.feature_names_ = np.array(
            [f"cue={cue.label}:{cue.name}" for cue in self.codebook_.cues]
            + [f"rules={label}" for label in self.codebook_.precedence], dtype=object)
        return self

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "feature_names_")
        return self.feature_names_.copy()

    def transform(self, X) -> sp.csr_matrix:
        check_is_fitted(self, "codebook_")
        return self.from_resolution(resolve_texts(X, self.codebook_))

    def from_resolution(self, resolution: Resolution) -> sp.csr_matrix:
        """:meth:`transform`'s matrix from the resolution of the sentences' matches (already scanned)."""
        check_is_fitted(self, "codebook_")
        matches = resolution.matches
        n_cues = len(self.codebook_.cues)
        rows = np.concatenate([matches.row[resolution.keep], np.arange(matches.n_rows)])
        cols = np.concatenate([matches.cue[resolution.keep].astype(np.int64), n_cues + resolution.rank])
        matrix = sp.csr_matrix((np.ones(len(rows)), (rows, cols)),
                               shape=(matches.n_rows, n_cues + len(self.codebook_.precedence)))
        matrix.data[:] = 1.0  # binary: duplicates summed by the constructor are reset
        return matrix


def check_codebook(codebook: Codebook) -> list[str]:
    """The codebook's whole-sentence ``checks`` that the rule labeller gets wrong (empty when all pass)."""
    if not codebook.checks:
        return []
    texts = [text for text, _ in codebook.checks]
    labelled = label_rules(texts, codebook=codebook)
    return [f"{text!r}: expected {expected}, got {got} ({cue or 'no cue'})"
            for (text, expected), got, cue in zip(codebook.checks, labelled["stance"], labelled["cue"])
            if got != expected]


