"""The stance model (word and character n-gram TF-IDF plus the cues, calibrated logistic regression) and
cross-validation by debate, which also decides what ``auto`` uses."""
from __future__ import annotations

from pathlib import Path
from typing import Literal, Mapping, Sequence

import pandas as pd

from ..text import normalize_token, tokenize
from ..validation import as_texts
from .codebook import Codebook
from .rules import CueFeatures

def _word_tokens(text: str) -> list[str]:
    """Normalised tokens with punctuation kept (``?`` and ``!`` carry stance); the project's tokeniser."""
    return [normalize_token(token) or token for token in tokenize(text)]


def make_stance_model(
    *,
    codebook: Codebook | str | Path | None = None,
    C: float = 2.0,
    word_ngram_range: tuple[int, int] = (1, 2),
    char_ngram_range: tuple[int, int] | None = (2, 5),
    cue_weight: float = 1.0,
    calibration: Literal["sigmoid", "isotonic"] | None = "sigmoid",
    calibration_folds: int = 3,
    seed: int = 0,
):
    """The stance classifier: a scikit-learn Pipeline, unfitted.

    Features are word n-gram TF-IDF (the project tokeniser, punctuation kept), character n-gram TF-IDF
    within word boundaries, and the rule cues (:class:`CueFeatures`, scaled by ``cue_weight``); the
    classifier is class-balanced logistic regression whose probabilities are calibrated on
    ``calibration_folds`` internal folds (``CalibratedClassifierCV``, Platt scaling by default), so
    ``predict_proba`` is a usable ``score``.

    Parameters
    ----------
    C : float
        Inverse regularisation strength of the logistic regression.
    word_ngram_range, char_ngram_range : (int, int)
        N-gram lengths; ``char_ngram_range=None`` leaves character n-grams out (faster).
    calibration : {"sigmoid", "isotonic"} or None
        ``None`` keeps the logistic regression's own probabilities (for training sets too small to hold
        out calibration folds; see :func:`fit_stance_model`).
    seed : int
        Seed of the calibration folds (the rest is deterministic).
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import FeatureUnion, Pipeline

    parts = [("words", TfidfVectorizer(tokenizer=_word_tokens, token_pattern=None, lowercase=False,
                                       ngram_range=word_ngram_range, sublinear_tf=True, min_df=1))]
    if char_ngram_range is not None:
        parts.append(("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=char_ngram_range, sublinear_tf=True,
                                               min_df=2, lowercase=True)))
    parts.append(("cues", CueFeatures(codebook=codebook)))
    features = FeatureUnion(parts, transformer_weights={"cues": cue_weight})
    classifier = LogisticRegression(C=C, class_weight="balanced", solver="newton-cg", max_iter=1000)
    if calibration is not None:
        classifier = CalibratedClassifierCV(classifier, method=calibration, ensemble=False,
                                            cv=StratifiedKFold(calibration_folds, shuffle=True, random_state=seed))
    return Pipeline([("features", features), ("classifier", classifier)])


def fit_stance_model(texts: Sequence[str], y: Sequence[str], *, codebook: Codebook | str | Path | None = None,
                     seed: int = 0, model_params: Mapping | None = None):
    """:func:`make_stance_model` fitted on labelled sentences.

    Calibration needs at least two sentences of every label in each internal fold, so with few labelled
    sentences the number of calibration folds shrinks (down to 2), and below that the model keeps the
    logistic regression's own probabilities.
    """
    params = dict(model_params or {})
    smallest = int(pd.Series(list(y)).value_counts().min()) if len(y) else 0
    folds = min(params.get("calibration_folds", 3), smallest // 2)
    if folds < 2:
        params["calibration"] = None
    else:
        params["calibration_folds"] = folds
    return make_stance_model(codebook=codebook, seed=seed, **params).fit(as_texts(texts), list(y))


# ==================================================================================================
# Cross-validation and the choice of method
# ==================================================================================================
