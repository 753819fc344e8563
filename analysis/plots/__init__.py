"""Charts: functions that take data and return a :class:`~matplotlib.figure.Figure`, and :func:`save_figure`.

Every chart function takes a tidy DataFrame holding exactly the numbers it draws (no aggregation happens
inside a chart; :mod:`analysis.aggregate` makes the tables), keyword-only options, an optional ``ax`` to draw
into, and an optional ``source`` line (see :func:`source_line`). It returns the Figure, or :class:`Skipped` with
the sentence saying why when the data cannot support the chart. :func:`save_figure` writes the Figure as PNG and
SVG at a fixed size and resolution, with fixed file metadata (title and source line included), beside a CSV of
the same DataFrame, each file atomically, and closes the Figure; so the CSV holds the numbers drawn and a rerun
gives byte-identical files.

A chart is a claim, so the rules of what a chart may show live in one place, :mod:`analysis.plots.rules`
(:data:`MIN_CATEGORIES`, :data:`MIN_PERIODS`, :data:`KEYNESS_P`, :data:`KEYNESS_MIN_COUNT`, :data:`Z_THRESHOLD`,
and :data:`analysis.aggregate.MIN_SPEECHES`): every bar, group and period carries its n; shares, rates and means
are drawn with their intervals (:func:`interval_chart`, :func:`timeline_chart`); time is a real axis on which
gaps show; keyness charts draw their threshold; a chart of one category, one period or one value is skipped.

The package, one concern per module (everything public is re-exported here, so ``plots.bar_chart`` and
``plots.theme_colors`` work as before):

* :mod:`~analysis.plots.style`: the Okabe-Ito palette, the colours of the lexicon's themes and the cue file's
  stance labels (:func:`theme_colors`, :func:`stance_colors`), sizes, rcParams;
* :mod:`~analysis.plots.labels`: readable labels (:func:`short_label`) and source lines (:func:`source_line`);
* :mod:`~analysis.plots.rules`: the chart rules, :data:`CHART_KINDS` and :class:`Skipped`;
* :mod:`~analysis.plots.parts`: the frame every chart shares (title, axis labels, source line, category labels);
* :mod:`~analysis.plots.bars`: :func:`bar_chart`, :func:`diverging_bar_chart`, :func:`histogram_chart`;
* :mod:`~analysis.plots.interval`: :func:`interval_chart`, :func:`timeline_chart`, :func:`reliability_chart`;
* :mod:`~analysis.plots.matrix`: :func:`heatmap`, :func:`sentence_strip`;
* :mod:`~analysis.plots.save`: :func:`save_figure`, :func:`render`, :class:`SavedFigure`.

Figures are made with :class:`matplotlib.figure.Figure` directly, not through ``pyplot``: nothing is left open
in a global figure list, and the Agg renderer is used whatever backend is active. Colours come from the
Okabe-Ito palette, which stays distinguishable under the common colour-vision deficiencies; sequential values
use ``viridis``.

Readable labels come from :func:`short_label`. Which part of a corpus a notebook shows (one speech, periods,
groups) is chosen in :mod:`analysis.views`.
"""
from .bars import bar_chart, diverging_bar_chart, histogram_chart
from .interval import interval_chart, reliability_chart, timeline_chart
from .labels import SHORT_NAMES, corpus_name, short_label, source_line
from .matrix import heatmap, sentence_strip
from .parts import add_source_line
from .scatter import keyness_scatter
from .rules import (CHART_KINDS, KEYNESS_G2, KEYNESS_MIN_COUNT, KEYNESS_P, MIN_CATEGORIES, MIN_PERIODS, MIN_SPEECHES,
                    Z_THRESHOLD, Skipped)
from .save import SavedFigure, figure_text, render, save_figure
from .style import (DPI, FIGSIZE, NEUTRAL_COLOR, OKABE_ITO, PNG_METADATA, SERIES_COLORS, SOURCE_BAND, STANCE_PALETTE,
                    STYLE, SVG_HASHSALT, SVG_METADATA, TALL_FIGSIZE, THEME_PALETTE, TITLE_WIDTH, stance_colors,
                    theme_colors)

__all__ = [
    "DPI", "FIGSIZE", "TALL_FIGSIZE", "OKABE_ITO", "SERIES_COLORS", "THEME_PALETTE", "STANCE_PALETTE",
    "theme_colors", "stance_colors",
    "KEYNESS_G2", "KEYNESS_MIN_COUNT", "KEYNESS_P", "MIN_CATEGORIES", "MIN_PERIODS", "Z_THRESHOLD",
    "SavedFigure", "Skipped", "add_source_line", "bar_chart", "corpus_name", "diverging_bar_chart", "heatmap",
    "histogram_chart", "keyness_scatter", "interval_chart", "reliability_chart", "render", "save_figure", "sentence_strip",
    "short_label", "source_line", "timeline_chart",
]
