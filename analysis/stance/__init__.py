"""Sentence stance: the codebook as data, a rule labeller with evidence, a trained classifier, evaluation.

Labels follow ``stance_codebook.md``: the labels, their order and their precedence come from the cue file
(``config/stance.yml``: ``support``, ``oppose``, ``condemn``, ``neutral`` and the precedence ``oppose > support >
condemn > neutral``), one per sentence.

Modules, from data to orchestration:

* :mod:`~analysis.stance.codebook` (:class:`Cue`, :class:`Codebook`) and :mod:`~analysis.stance.cuefile`
  (:func:`load_codebook`): the cue file, each cue with examples it must match and counterexamples it must not;
  :mod:`~analysis.stance.cue_syntax`: the pattern syntax of a cue;
* :mod:`~analysis.stance.matcher` (:class:`CueMatcher`): every cue compiled into one alternation and run with one
  ``finditer`` over all sentences joined into one string;
* :mod:`~analysis.stance.rules` (:func:`label_rules`, :class:`RuleStanceClassifier`, :class:`CueFeatures`): the
  codebook's precedence applied to the matches; every label carries its evidence in the ``cue`` column;
* :mod:`~analysis.stance.model` (:func:`make_stance_model`): word and character n-gram TF-IDF plus the rule cues as
  features, logistic regression with a calibrated probability;
* :mod:`~analysis.stance.labeller` (:class:`StanceLabeller`, :func:`train_stance_labeller`): ``rules``, ``model``
  or ``auto``; fitted models are cached (:mod:`analysis.cache`);
* :mod:`~analysis.stance.evaluate` (:func:`evaluate_stance`, :func:`stance_scores`, cross-validation by debate).

Gold files are read by :mod:`analysis.gold`; shares of stance per group are :func:`analysis.aggregate.group_shares`.

The ``cue`` column
------------------
Evidence for the chosen label: every cue of that label that fired, in order of position, as
``label:cue name@start-end`` joined by ``;``, where ``start``/``end`` are character offsets into the
sentence (``text[start:end]`` is the matched phrase). Example: ``support:calls upon@34-45``. A sentence
that no cue decides is ``neutral`` with an empty ``cue``. The model fills ``cue`` with the rule evidence
for the label it chose when there is any, otherwise leaves it empty.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import pandas as pd

from .codebook import METHODS, Codebook, Cue, Method
from .cuefile import get_codebook, load_codebook
from .evaluate import (StanceEvaluation, cross_validate_stance, evaluate_stance, expected_calibration_error,
                       f1_intervals, format_evaluation, majority_label, select_method, stance_scores)
from .labeller import StanceLabeller, gold_files_sha256, label_sentences, train_stance_labeller
from .matcher import CueMatcher, CueMatches
from .model import fit_stance_model, make_stance_model
from .rules import CueFeatures, RuleStanceClassifier, check_codebook, label_rules

__all__ = [
    "METHODS", "Codebook", "Cue", "CueFeatures", "CueMatcher", "CueMatches", "Method", "RuleStanceClassifier",
    "StanceEvaluation", "StanceLabeller", "check_codebook", "cross_validate_stance", "evaluate_stance",
    "expected_calibration_error", "f1_intervals", "fit_stance_model", "format_evaluation", "get_codebook",
    "gold_files_sha256", "label_rules", "label_sentences", "load_codebook", "majority_label", "make_stance_model",
    "read_gold", "select_method", "stance_scores", "train_stance_labeller",
]


def read_gold(path: str | Path | Sequence[str | Path], *, codebook: Codebook | str | Path | None = None,
              lexicon=None, documents=None) -> pd.DataFrame:
    """A stance gold file (or several) read by :func:`analysis.gold.read_gold`, its labels checked against the
    cue file (``codebook``) and, when a ``lexicon`` is given, its themes against the lexicon's."""
    from ..gold import read_gold as read

    themes = None if lexicon is None else lexicon.names
    return read(path, labels=get_codebook(codebook).labels, themes=themes, documents=documents)
