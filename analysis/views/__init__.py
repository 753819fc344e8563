"""Which part of a corpus a notebook shows: choices that let one notebook serve one speech and thousands.

:func:`corpus_tables` is the notebooks' one way in: the tables of ``python -m analysis run``, with the
speech texts and paragraph numbers that views need. The rest are pure functions of those tables.

A timeline needs several years; on a single speech the notebook follows the speech paragraph by paragraph
instead. A comparison needs two groups of speeches; within a single speech it compares the sentences about
its main theme with the others. These choices live here, tested, so the notebooks hold no logic.

The package, one concern per module (everything public is re-exported here, so ``views.pick_speech`` and
``analysis.views.analyse`` work as before):

* :mod:`~analysis.views.tables`: :func:`analyse`, :func:`corpus_tables` and :class:`CorpusTables`;
* :mod:`~analysis.views.fields`: metadata fields as the views read them;
* :mod:`~analysis.views.speech`: one speech (:func:`pick_speech`, :func:`describe_speech`, :func:`quote_cues`…);
* :mod:`~analysis.views.timeline`: time axes and periods (:func:`timeline_unit`, :func:`timeline_units`);
* :mod:`~analysis.views.compare`: two groups set against each other (:func:`compare_groups`) and keyness;
* :mod:`~analysis.views.words`: term rates, distinctive terms, collocations, keyword in context;
* :mod:`~analysis.views.themes`: theme shares and rates, top speeches, discovered topics;
* :mod:`~analysis.views.stance`: stance examples, top speeches, the labeller checked on gold sentences;
* :mod:`~analysis.views.summaries`: source lines, corpus and length summaries, chart titles;
* :mod:`~analysis.views.positions`: Wordfish and Wordscores positions of a debate's speakers and of countries
  by period, their means by group, the words at both ends of the scale.
"""
from .compare import (COMPARISON_FIELDS, BlocComparison, Comparison, compare_blocs, compare_groups, describe_comparison, key_terms_both_ways,
                      keyness_summary, significant_terms, small_groups_warning)
from .positions import (MIN_UNITS, POSITION_COLUMNS, Scaled, debate_positions, group_positions, period_positions,
                        pick_debate, scaling_agreement, scaling_units, wordscores_positions)
from .speech import describe_metadata, describe_speech, pick_speech, quote_cues, sentence_lengths, theme_counts
from .stance import StanceCheck, check_stance, stance_examples, top_stance_speeches
from .summaries import corpus_summary, length_summary, ranked_title, source_line
from .tables import CorpusTables, analyse, corpus_tables
from .themes import discover_topics, lexicon_summary, theme_rates, theme_shares, top_theme_speeches, topic_texts
from .timeline import TIMELINE_LABELS, TimelineUnit, sentence_periods, timeline_unit, timeline_units
from .words import distinctive_terms, kwic_summary, significant_collocations, term_rates

__all__ = [
    "COMPARISON_FIELDS", "TIMELINE_LABELS", "Comparison", "CorpusTables", "analyse", "compare_groups", "corpus_tables",
    "StanceCheck", "check_stance", "describe_comparison", "discover_topics", "distinctive_terms",
    "key_terms_both_ways", "ranked_title", "keyness_summary", "kwic_summary", "lexicon_summary",
    "significant_collocations", "stance_examples", "term_rates", "top_stance_speeches", "top_theme_speeches",
    "corpus_summary", "describe_metadata", "describe_speech", "length_summary", "sentence_lengths",
    "theme_counts", "quote_cues", "significant_terms", "small_groups_warning", "source_line",
    "theme_rates", "theme_shares", "pick_speech", "sentence_periods", "timeline_unit", "timeline_units",
    "topic_texts", "MIN_UNITS", "POSITION_COLUMNS", "Scaled", "debate_positions", "group_positions",
    "period_positions", "pick_debate", "scaling_agreement", "scaling_units", "wordscores_positions",
    "BlocComparison", "compare_blocs",
]
