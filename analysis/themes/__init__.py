"""Themes: a versioned lexicon, TF-IDF theme scores per document, paragraph and sentence, and topic discovery.

Three layers:

* the **lexicon** (:func:`load_lexicon`): ``config/themes.yml``, each theme with its terms (wildcards such as
  ``terror*``, phrases such as ``organized crime``), exclusions and example sentences; a bad file is refused
  with its path, line and reason (:class:`analysis.errors.ConfigError`);
* the **scorer** (:class:`ThemeScorer`), a scikit-learn estimator around
  :class:`~sklearn.feature_extraction.text.TfidfVectorizer` whose analyzer is the project tokeniser with lexicon
  phrases merged into single terms (longest match first, so ``organized crime`` is never also counted as
  ``crime``). A theme's score in a text is the TF-IDF mass of the theme's terms divided by the text's whole
  TF-IDF mass (``norm="l1"``, a share in [0, 1] that compares speeches of any length);
* **pure functions** returning DataFrames: :func:`score_themes` (any level), :func:`score_corpus` (what
  ``run`` writes), :func:`label_themes`, :func:`suggest_terms`, :func:`discover_topics`,
  :func:`evaluate_themes` and the :func:`keyword_baseline` the lexicon is measured against.

Modules, one concern each:

* :mod:`~analysis.themes.lexicon`: the file format, its validation and loading;
* :mod:`~analysis.themes.matcher`: the compiled lexicon (phrase merging and the term → theme map, on the
  pattern language of :mod:`analysis.patterns`), :func:`label_themes` and :func:`check_lexicon`;
* :mod:`~analysis.themes.scoring`: :class:`ThemeScorer`, :func:`score_themes`, :func:`score_corpus`;
* :mod:`~analysis.themes.chunks`: the same scores in chunks, for the pipeline's map, reduce and finish;
* :mod:`~analysis.themes.discover`: :func:`suggest_terms`, :func:`discover_topics`, :func:`topic_coherence`;
* :mod:`~analysis.themes.evaluate`: scores against gold sentences and the keyword baseline.

No module names a theme: the themes are those of the lexicon in use (``config/themes.yml`` unless a file is
given).
"""
from __future__ import annotations

from .chunks import ChunkScores, ThemeCounts, ThemeFrequencies, count_theme_terms, smoothed_idf
from .discover import discover_topics, suggest_terms, topic_coherence
from .evaluate import (
    baseline_patterns, evaluate_lexicon, evaluate_themes, format_lexicon_evaluation, keyword_baseline,
)
from .lexicon import Lexicon, Theme, load_lexicon, parse_lexicon
from .matcher import _TOKENS, _Matcher, _matcher_for, check_lexicon, join_labels, label_themes
from .scoring import DOMINANT_LEAD, DOMINANT_MIN_SHARE, ThemeScorer, dominant_themes, score_corpus, score_themes

__all__ = [
    "ChunkScores",
    "DOMINANT_LEAD",
    "DOMINANT_MIN_SHARE",
    "Lexicon",
    "Theme",
    "ThemeCounts",
    "ThemeFrequencies",
    "ThemeScorer",
    "baseline_patterns",
    "check_lexicon",
    "count_theme_terms",
    "discover_topics",
    "dominant_themes",
    "evaluate_lexicon",
    "evaluate_themes",
    "format_lexicon_evaluation",
    "join_labels",
    "keyword_baseline",
    "label_themes",
    "load_lexicon",
    "parse_lexicon",
    "score_corpus",
    "score_themes",
    "smoothed_idf",
    "suggest_terms",
    "topic_coherence",
]
