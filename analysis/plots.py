"""Charts: functions that take data and return a :class:`~matplotlib.figure.Figure`, and :func:`save_figure`.

Every chart function takes a tidy DataFrame holding exactly the numbers it draws (no aggregation happens
inside a chart), keyword-only options, an optional ``ax`` to draw into, and an optional ``source`` line
(see :func:`source_line`). It returns the Figure. :func:`save_figure` writes that Figure as PNG and SVG at a
fixed size and resolution, with fixed file metadata, beside a CSV of the same DataFrame, each file atomically,
and closes the Figure; so the CSV holds the numbers drawn and a rerun gives byte-identical files.

Figures are made with :class:`matplotlib.figure.Figure` directly, not through ``pyplot``: nothing is left open
in a global figure list, and the Agg renderer is used whatever backend is active. Colours come from the
Okabe-Ito palette, which stays distinguishable under the common colour-vision deficiencies; sequential values
use ``viridis``.

Small pure helpers prepare the tables charts draw where no analysis module provides them
(:func:`count_by`, :func:`group_means`, :func:`label_shares`, :func:`extremes`, :func:`histogram_table`,
:func:`complete_rates`, :func:`sentence_theme_table`), and readable labels (:func:`short_label`).
Which part of a corpus a notebook shows (one speech, periods, groups) is chosen in :mod:`analysis.views`.
"""
from __future__ import annotations

import dataclasses
import functools
import io
import math
import re
import sys
import textwrap
from pathlib import Path
from typing import Callable, Literal, Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from . import paths
from .io import write_bytes, write_csv

__all__ = [
    "DPI", "FIGSIZE", "TALL_FIGSIZE", "OKABE_ITO", "SERIES_COLORS", "THEME_COLORS", "STANCE_COLORS",
    "SavedFigure", "add_source_line", "bar_chart", "corpus_name", "count_by", "diverging_bar_chart",
    "heatmap", "histogram_chart", "histogram_table", "line_chart", "render", "save_figure", "sentence_strip",
    "complete_rates", "extremes", "group_means", "label_shares", "sentence_theme_table", "short_label", "source_line", "stacked_bar_chart",
]

# ------------------------------------------------------------------------------------------------ style

#: Okabe & Ito (2008), "Color Universal Design": eight colours distinguishable with any common colour-vision
#: deficiency.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7",
}
#: Order in which series take colours (yellow last: it is faint on white).
SERIES_COLORS = [OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple",
                                        "sky_blue", "black", "yellow")]
#: One fixed colour per theme and per stance, so the same label has the same colour in every chart.
#: Themes and stances never share a colour, so a chart with both (the sentence strip) reads unambiguously.
THEME_COLORS = {"terrorism": OKABE_ITO["vermillion"], "trafficking": OKABE_ITO["blue"],
                "cooperation": OKABE_ITO["sky_blue"]}
STANCE_COLORS = {"support": OKABE_ITO["bluish_green"], "oppose": OKABE_ITO["orange"],
                 "condemn": OKABE_ITO["reddish_purple"], "neutral": "#BBBBBB"}
NEUTRAL_COLOR = "#BBBBBB"

#: Figure sizes in inches; files are written at :data:`DPI` without cropping, so a PNG is 1200 x 675 pixels.
FIGSIZE = (8.0, 4.5)
TALL_FIGSIZE = (8.0, 6.5)
DPI = 150
#: Characters per title line: a bold 12-point title over the axes of an 8-inch figure holds about this many.
TITLE_WIDTH = 60
#: Height of the band at the bottom of a figure that holds the source line, as a fraction of the figure.
SOURCE_BAND = 0.06
#: Fixed salt for the ids in SVG files (otherwise random per run).
SVG_HASHSALT = "unspeech-analysis"
#: File metadata: no software version or date, so the bytes do not change between runs or machines.
PNG_METADATA = {"Software": None}
SVG_METADATA = {"Date": None, "Creator": None}

STYLE = {
    "axes.prop_cycle": matplotlib.cycler(color=SERIES_COLORS),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "axes.grid": False,
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "image.cmap": "viridis",
    "svg.fonttype": "path",
    "svg.hashsalt": SVG_HASHSALT,
    "path.simplify": True,
}


def _styled(function: Callable) -> Callable:
    """Draw inside the project's rcParams without changing the caller's."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(STYLE):
            return function(*args, **kwargs)

    return wrapper


# ------------------------------------------------------------------------------------------------ labels

#: Official names longer than a chart label can hold, and the short form the UN itself uses.
SHORT_NAMES = {
    "united kingdom of great britain and northern ireland": "United Kingdom",
    "united states of america": "United States",
    "the united states of america": "United States",
    "the russian federation": "Russian Federation",
    "democratic republic of the congo": "DR Congo",
    "democratic republic of congo": "DR Congo",
    "congo, the democratic republic of the": "DR Congo",
    "democratic people's republic of korea": "DPR Korea",
    "democratic people’s republic of korea": "DPR Korea",
    "korea, democratic people's republic of": "DPR Korea",
    "lao people's democratic republic": "Lao PDR",
    "lao people’s democratic republic": "Lao PDR",
    "the former yugoslav republic of macedonia": "North Macedonia",
    "macedonia, the former yugoslav republic of": "North Macedonia",
    "saint vincent and the grenadines": "St Vincent & Grenadines",
    "saint vincent and grenadines": "St Vincent & Grenadines",
    "st. vincent and the grenadines": "St Vincent & Grenadines",
    "holy see (vatican city state)": "Holy See",
}
_QUALIFIER = re.compile(r"\s*\((?:[^()]*\b(?:of|the)\b[^()]*)\)\s*$", re.IGNORECASE)
_INVERTED = re.compile(r"^(?P<name>[^,]+),\s+(?:the\s+)?(?:[\w'’ -]+\s)?(?:of|of the)$", re.IGNORECASE)
_FORMAL_PREFIX = re.compile(
    r"^(?:the\s+)?(?:Islamic Republic|Bolivarian Republic|Plurinational State|Federated States|Republic|"
    r"Kingdom|Commonwealth|Principality|Grand Duchy|Federal Republic|Federal Democratic Republic|"
    r"Socialist Republic|Hashemite Kingdom|Independent State|Democratic Republic|People['’]s Republic|"
    r"Arab Republic|Federative Republic|Co-operative Republic|Eastern Republic|United Mexican States)\s+of\s+"
    r"(?:the\s+)?(?=\S)", re.IGNORECASE)


def short_label(name: object, *, width: int = 22, max_lines: int = 2, missing: str = "(not given)") -> str:
    """A chart label for a country, group or term: short official form, wrapped onto at most ``max_lines``.

    Rules, in order: an empty value becomes ``missing``; a known long official name takes its short form
    (:data:`SHORT_NAMES`); a trailing qualifier in brackets (``Venezuela (Bolivarian Republic of)``), an
    inverted form (``Iran, Islamic Republic of``) and a formal prefix (``Republic of Kazakhstan``) are
    dropped; what is still longer than ``width`` is wrapped at spaces and, beyond ``max_lines``, cut with
    an ellipsis. The data keep the full name; only the label is shortened.

    >>> short_label("United Kingdom of Great Britain and Northern Ireland")
    'United Kingdom'
    >>> short_label("Iran (Islamic Republic of)")
    'Iran'
    >>> short_label("Committee on the Exercise of the Inalienable Rights", width=16)
    'Committee on the\\nExercise of the…'
    """
    if name is None or (isinstance(name, float) and math.isnan(name)):
        return missing
    text = re.sub(r"\s+", " ", str(name)).strip()
    if not text:
        return missing
    if text.lower() in SHORT_NAMES:
        text = SHORT_NAMES[text.lower()]
    elif len(text) > width:
        text = _QUALIFIER.sub("", text) or text
        inverted = _INVERTED.match(text)
        if inverted:
            text = inverted["name"].strip()
        text = _FORMAL_PREFIX.sub("", text) or text
    if len(text) <= width:
        return text
    lines = textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=True)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        lines[-1] = (last if len(last) < width else last[:width - 1].rstrip()) + "…"
    return "\n".join(lines)


def corpus_name(path: str | Path) -> str:
    """How a corpus is named in a source line: its path inside the project, else its last component.

    >>> corpus_name(paths.RAW_DIR)
    'data/raw'
    >>> corpus_name("/somewhere/corpora/unsc_umuc")
    'unsc_umuc'
    """
    path = Path(path)
    resolved = path.resolve() if path.exists() else path
    try:
        return resolved.relative_to(paths.PROJECT_ROOT).as_posix()
    except ValueError:
        return path.name or str(path)


def source_line(*, corpus: str | Path, n_speeches: int, lexicon_version: str | None = None,
                codebook_version: str | None = None, note: str | None = None) -> str:
    """The provenance line printed under every chart.

    >>> source_line(corpus="/x/unsc_umuc", n_speeches=475, lexicon_version="1", codebook_version="1")
    'Source: unsc_umuc, 475 speeches · theme lexicon v1 · stance codebook v1'
    """
    unit = "speech" if n_speeches == 1 else "speeches"
    parts = [f"Source: {corpus_name(corpus)}, {n_speeches:,} {unit}"]
    if lexicon_version:
        parts.append(f"theme lexicon v{lexicon_version}")
    if codebook_version:
        parts.append(f"stance codebook v{codebook_version}")
    if note:
        parts.append(note)
    return " · ".join(parts)


# ------------------------------------------------------------------------------------------------ chart data

def count_by(table: pd.DataFrame, column: str, *, top_n: int | None = None, sort: Literal["count", "value"] = "count",
             missing: str = "(not given)") -> pd.DataFrame:
    """Rows per value of ``column``: a frame ``column, count``.

    Parameters
    ----------
    table : DataFrame
        One row per item (e.g. ``documents``).
    column : str
        The column to count by; empty or missing values are counted under ``missing``.
    top_n : int, optional
        Keep the ``top_n`` most frequent values (ties broken by value).
    sort : {"count", "value"}
        ``"count"``: most frequent first, ties by value; ``"value"``: by value (years in order).

    >>> count_by(pd.DataFrame({"year": ["2014", "2003", "2014"]}), "year", sort="value")
       year  count
    0  2003      1
    1  2014      2
    """
    if sort not in ("count", "value"):
        raise ValueError(f"sort must be 'count' or 'value', got {sort!r}")
    keys = _group_keys(table, column, missing)
    order = _group_order(keys, top_n=top_n, sort=sort)
    counts = keys.value_counts().reindex(order)
    return pd.DataFrame({column: pd.Series(order, dtype=object), "count": counts.to_numpy().astype("int64")})


def histogram_table(values: Sequence[float] | pd.Series, *, bins: int = 20,
                    range: tuple[float, float] | None = None) -> pd.DataFrame:
    """Equal-width histogram of ``values`` as a frame ``bin_start, bin_end, count`` (NaN values dropped).

    The last bin includes its right edge (as :func:`numpy.histogram`).

    >>> histogram_table([1, 2, 2, 4], bins=3)
       bin_start  bin_end  count
    0        1.0      2.0      1
    1        2.0      3.0      2
    2        3.0      4.0      1
    """
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    array = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float)
    array = array[~np.isnan(array)]
    if array.size == 0:
        return pd.DataFrame({"bin_start": pd.Series(dtype=float), "bin_end": pd.Series(dtype=float),
                             "count": pd.Series(dtype="int64")})
    counts, edges = np.histogram(array, bins=bins, range=range)
    return pd.DataFrame({"bin_start": edges[:-1], "bin_end": edges[1:], "count": counts.astype("int64")})


def _group_order(keys: pd.Series, *, top_n: int | None, sort: Literal["count", "value"]) -> list[str]:
    """Group values, most frequent first (ties by value) or by value; the ``top_n`` most frequent."""
    counts = keys.value_counts(sort=False)
    frame = pd.DataFrame({"key": counts.index.astype(str), "n": counts.to_numpy()})
    frame = frame.sort_values(["n", "key"], ascending=[False, True], kind="stable")
    if top_n is not None:
        frame = frame.head(top_n)
    if sort == "value":
        frame = frame.sort_values("key", kind="stable")
    return frame["key"].tolist()


def _group_keys(table: pd.DataFrame, column: str, missing: str) -> pd.Series:
    if column not in table.columns:
        raise KeyError(f"no column {column!r} to group by; columns are: {', '.join(map(str, table.columns))}")
    values = table[column].astype(object).where(table[column].notna(), "")
    return values.map(lambda v: str(v).strip() or missing)


def group_means(table: pd.DataFrame, by: str, columns: Sequence[str], *, top_n: int | None = None,
                sort: Literal["count", "value"] = "count", missing: str = "(not given)") -> pd.DataFrame:
    """Mean of ``columns`` per value of ``by``: a frame ``<by>, rows, <columns>...``.

    Groups are ordered as in :func:`count_by` (largest first, or by value); ``top_n`` keeps the largest.
    NaN values are left out of a mean.

    >>> docs = pd.DataFrame({"country": ["France", "China", "France"], "score": [0.5, 0.2, 0.25]})
    >>> group_means(docs, "country", ["score"])
      country  rows  score
    0  France     2  0.375
    1   China     1  0.200
    """
    columns = list(columns)
    _require(table, columns, "group_means")
    keys = _group_keys(table, by, missing)
    order = _group_order(keys, top_n=top_n, sort=sort)
    numbers = table[columns].apply(pd.to_numeric, errors="coerce")
    grouped = numbers.groupby(keys.to_numpy())
    frame = grouped.mean().reindex(order)
    frame.insert(0, "rows", keys.value_counts().reindex(order).astype("int64").to_numpy())
    frame.index.name = by
    return frame.reset_index()


def label_shares(table: pd.DataFrame, by: str, column: str, labels: Sequence[str], *, top_n: int | None = None,
                 sort: Literal["count", "value"] = "count", missing: str = "(not given)") -> pd.DataFrame:
    """Share of rows carrying each label, per value of ``by``: a frame ``<by>, rows, <labels>...``.

    ``column`` holds one label or several ``;``-joined (sentence ``themes``), so shares of a multi-label
    column need not sum to 1. Groups are ordered as in :func:`count_by`.

    >>> sentences = pd.DataFrame({"country": ["France", "France", "China"],
    ...                           "stance": ["support", "condemn", "support"]})
    >>> label_shares(sentences, "country", "stance", ["support", "condemn"])
      country  rows  support  condemn
    0  France     2      0.5      0.5
    1   China     1      1.0      0.0
    """
    labels = list(labels)
    _require(table, [column], "label_shares")
    keys = _group_keys(table, by, missing)
    order = _group_order(keys, top_n=top_n, sort=sort)
    carried = table[column].fillna("").astype(str).str.split(";")
    indicators = pd.DataFrame({label: carried.map(lambda found, label=label: label in found).astype(float)
                               for label in labels}, index=table.index)
    frame = indicators.groupby(keys.to_numpy()).mean().reindex(order)
    frame.insert(0, "rows", keys.value_counts().reindex(order).astype("int64").to_numpy())
    frame.index.name = by
    return frame.reset_index()


def extremes(table: pd.DataFrame, column: str, n: int) -> pd.DataFrame:
    """The ``n`` rows with the highest positive ``column`` and the ``n`` with the lowest negative, for a
    diverging chart: highest first, lowest last (ties by the order of ``table``). Values within 1e-9 of zero
    (rounding noise of equal rates) count as zero and are left out.

    >>> extremes(pd.DataFrame({"term": list("abcde"), "z": [3.0, -1.0, 2.0, 0.5, -4.0]}), "z", 2)
      term    z
    0    a  3.0
    1    c  2.0
    2    b -1.0
    3    e -4.0
    """
    _require(table, [column], "extremes")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    values = pd.to_numeric(table[column], errors="coerce")
    ordered = table.assign(_value=values).sort_values("_value", ascending=False, kind="stable")
    top = ordered[ordered["_value"] > 1e-9].head(n)
    bottom = ordered[ordered["_value"] < -1e-9].tail(n)
    return pd.concat([top, bottom]).drop(columns="_value").reset_index(drop=True)


def complete_rates(rates: pd.DataFrame, terms: Sequence[str], *, by: str = "period",
                   periods: Sequence[str] | None = None) -> pd.DataFrame:
    """Rates of ``terms`` in every period, zeros included: a frame ``<by>, term, count, rate_per_10k``.

    ``rates`` is :func:`analysis.terms.count_terms_by` output, which leaves out the periods where a term does
    not occur; a chart of change over time needs those zeros. Rows follow ``periods`` (default: the sorted
    periods of ``rates``), then the order of ``terms``.

    >>> rates = pd.DataFrame({"period": ["2003", "2014"], "term": ["iraq", "isil"], "count": [4, 2],
    ...                       "rate_per_10k": [8.0, 1.5]})
    >>> complete_rates(rates, ["iraq", "isil"])["rate_per_10k"].tolist()
    [8.0, 0.0, 0.0, 1.5]
    """
    _require(rates, [by, "term", "count", "rate_per_10k"], "complete_rates")
    terms = list(dict.fromkeys(terms))
    periods = sorted(rates[by].unique()) if periods is None else list(dict.fromkeys(periods))
    grid = pd.MultiIndex.from_product([periods, terms], names=[by, "term"])
    table = rates[rates["term"].isin(terms)].set_index([by, "term"])[["count", "rate_per_10k"]]
    table = table.reindex(grid, fill_value=0).reset_index()
    table["count"] = table["count"].astype("int64")
    table["rate_per_10k"] = table["rate_per_10k"].astype(float)
    return table


def sentence_theme_table(sentences: pd.DataFrame, themes: Sequence[str]) -> pd.DataFrame:
    """One row per sentence: ``doc_id, sentence_id``, a 0/1 column per theme, and ``stance``.

    ``sentences`` is the ``sentences.csv`` table (``themes`` ``;``-joined); a sentence without a stance
    label keeps an empty ``stance``.
    """
    missing = {"doc_id", "sentence_id", "themes"} - set(sentences.columns)
    if missing:
        raise KeyError(f"sentences lack column(s) {', '.join(sorted(missing))}")
    labels = sentences["themes"].fillna("").astype(str).map(lambda v: set(filter(None, v.split(";"))))
    table = sentences[["doc_id", "sentence_id"]].copy()
    for theme in themes:
        table[theme] = labels.map(lambda found, theme=theme: int(theme in found)).astype("int64")
    stance = sentences["stance"] if "stance" in sentences.columns else pd.Series("", index=sentences.index)
    table["stance"] = stance.fillna("").astype(str)
    return table.reset_index(drop=True)


# ------------------------------------------------------------------------------------------------ chart parts

def _root_figure(ax: Axes) -> Figure:
    figure = ax.figure
    while getattr(figure, "figure", figure) is not figure:  # a SubFigure's .figure is its parent
        figure = figure.figure
    return figure


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return _root_figure(ax), ax
    figure = Figure(figsize=figsize, dpi=DPI, layout="constrained")
    return figure, figure.add_subplot()


def add_source_line(figure: Figure, text: str | None) -> None:
    """Write ``text`` small at the bottom left of ``figure``, in a band kept free of axes.

    A second call replaces the line rather than adding another.
    """
    if not text:
        return
    for old in [t for t in figure.texts if t.get_gid() == "source-line"]:
        old.remove()
    engine = figure.get_layout_engine()
    if engine is not None and hasattr(engine, "set") and "rect" in engine.get():
        engine.set(rect=(0.0, SOURCE_BAND, 1.0, 1.0 - SOURCE_BAND))
    wrapped = "\n".join(textwrap.wrap(text, width=130)) or text
    figure.text(0.01, 0.012, wrapped, ha="left", va="bottom", fontsize=7, color="#555555", gid="source-line")


def _finish(figure: Figure, ax: Axes, *, title: str, xlabel: str, ylabel: str, source: str | None) -> Figure:
    if not title:
        raise ValueError("every chart needs a title")
    ax.set_title("\n".join(textwrap.wrap(title, width=TITLE_WIDTH)), loc="left")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    add_source_line(figure, source)
    return figure


def _no_data(ax: Axes, message: str) -> None:
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", color="#555555")
    ax.set_xticks([])
    ax.set_yticks([])


def _require(data: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{what} expects a DataFrame, got {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise KeyError(f"{what}: no column(s) {', '.join(map(repr, missing))} in the data; "
                       f"columns are: {', '.join(map(str, data.columns))}")


def _category_labels(values: Sequence, *, width: int) -> list[str]:
    return [short_label(v, width=width) for v in values]


def _category_ticks(ax: Axes, positions: np.ndarray, labels: Sequence[str], *, max_ticks: int = 40) -> None:
    """Category labels under vertical bars: slanted when they would not fit level, thinned when too many."""
    step = max(1, math.ceil(len(labels) / max_ticks))
    shown = positions[::step]
    text = list(labels)[::step]
    widest = max((max(len(part) for part in label.split("\n")) for label in text), default=0)
    rotate = len(text) * (widest + 2) > 90
    ax.set_xticks(shown, text, rotation=45 if rotate else 0, ha="right" if rotate else "center",
                  rotation_mode="anchor")


def _label_bars(ax: Axes, bars, values: Sequence[float], fmt: str, horizontal: bool) -> None:
    for bar, value in zip(bars, values):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if horizontal:
            ax.annotate(fmt.format(value), (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                        xytext=(3, 0), textcoords="offset points", ha="left", va="center", fontsize=7)
        else:
            ax.annotate(fmt.format(value), (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=7)


# ------------------------------------------------------------------------------------------------ charts

@_styled
def bar_chart(data: pd.DataFrame, *, x: str, y: str, title: str, xlabel: str, ylabel: str,
              horizontal: bool = False, color: str | Sequence[str] | dict[str, str] | None = None,
              value_format: str | None = None,
              source: str | None = None, ax: Axes | None = None, figsize: tuple[float, float] | None = None,
              label_width: int = 26) -> Figure:
    """One bar per row: category ``x``, height ``y``, in the order of the rows.

    Parameters
    ----------
    data : DataFrame
        The numbers to draw (e.g. from :func:`count_by`).
    x, y : str
        Column of categories and column of values.
    horizontal : bool
        Horizontal bars, first row at the top: better for long names and ranked lists.
    color : str, sequence of str or dict, optional
        One colour, one per row, or a mapping from category to colour (e.g. :data:`STANCE_COLORS`; categories
        not in it are grey). Default: the first palette colour.
    value_format : str, optional
        Write each value beside its bar with this format (e.g. ``"{:,.0f}"``).
    label_width : int
        Category labels are shortened and wrapped with :func:`short_label` at this width.
    """
    _require(data, [x, y], "bar_chart")
    figure, ax = _axes(ax, figsize or (TALL_FIGSIZE if horizontal and len(data) > 12 else FIGSIZE))
    if data.empty:
        _no_data(ax, "no data to show")
        return _finish(figure, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source)
    labels = _category_labels(data[x], width=label_width)
    values = pd.to_numeric(data[y]).to_numpy(dtype=float)
    positions = np.arange(len(data))
    if isinstance(color, dict):
        color = [color.get(str(value), NEUTRAL_COLOR) for value in data[x]]
    elif color is None:
        color = SERIES_COLORS[0]
    if horizontal:
        bars = ax.barh(positions, values, color=color, height=0.7)
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
    else:
        bars = ax.bar(positions, values, color=color, width=0.7)
        _category_ticks(ax, positions, labels)
    if value_format:
        _label_bars(ax, bars, values, value_format, horizontal)
    return _finish(figure, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source)


@_styled
def diverging_bar_chart(data: pd.DataFrame, *, label: str, value: str, title: str, xlabel: str,
                        ylabel: str = "", positive: str = "target", negative: str = "reference",
                        source: str | None = None, ax: Axes | None = None,
                        figsize: tuple[float, float] | None = None) -> Figure:
    """Horizontal bars around zero, one per row (e.g. log-odds z of terms): positive and negative coloured apart.

    Rows are drawn top to bottom in their order; the legend names what each side means.
    """
    _require(data, [label, value], "diverging_bar_chart")
    figure, ax = _axes(ax, figsize or TALL_FIGSIZE)
    if data.empty:
        _no_data(ax, "no data to show")
        return _finish(figure, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source)
    values = pd.to_numeric(data[value]).to_numpy(dtype=float)
    colors = [OKABE_ITO["blue"] if v >= 0 else OKABE_ITO["orange"] for v in values]
    positions = np.arange(len(data))
    ax.barh(positions, values, color=colors, height=0.7)
    ax.set_yticks(positions, _category_labels(data[label], width=28))
    ax.invert_yaxis()
    ax.axvline(0, color="#333333", linewidth=0.8)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=OKABE_ITO["blue"], label=positive),
                       Patch(color=OKABE_ITO["orange"], label=negative)], loc="lower right")
    return _finish(figure, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source)


@_styled
def histogram_chart(data: pd.DataFrame, *, title: str, xlabel: str, ylabel: str, source: str | None = None,
                    ax: Axes | None = None, color: str | None = None,
                    figsize: tuple[float, float] | None = None) -> Figure:
    """Draw a histogram already counted by :func:`histogram_table` (``bin_start, bin_end, count``)."""
    _require(data, ["bin_start", "bin_end", "count"], "histogram_chart")
    figure, ax = _axes(ax, figsize or FIGSIZE)
    if data.empty:
        _no_data(ax, "no data to show")
        return _finish(figure, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source)
    starts = data["bin_start"].to_numpy(dtype=float)
    widths = data["bin_end"].to_numpy(dtype=float) - starts
    widths = np.where(widths > 0, widths, 1.0)
    ax.bar(starts, data["count"].to_numpy(dtype=float), width=widths, align="edge",
           color=color or SERIES_COLORS[0], edgecolor="white", linewidth=0.5)
    return _finish(figure, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source)


@_styled
def line_chart(data: pd.DataFrame, *, x: str, y: str, series: str | None = None, title: str, xlabel: str,
               ylabel: str, colors: dict[str, str] | None = None, markers: bool = True,
               source: str | None = None, ax: Axes | None = None,
               figsize: tuple[float, float] | None = None) -> Figure:
    """One line per value of ``series`` (long format: ``x, series, y``), in order of first appearance.

    Categorical ``x`` (e.g. years as strings) is drawn in the order the values first appear.
    """
    _require(data, [x, y] + ([series] if series else []), "line_chart")
    figure, ax = _axes(ax, figsize or FIGSIZE)
    if data.empty:
        _no_data(ax, "no data to show")
        return _finish(figure, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source)
    numeric_x = pd.api.types.is_numeric_dtype(data[x])
    order = list(dict.fromkeys(data[x]))
    position = {value: index for index, value in enumerate(order)}
    groups = [(None, data)] if series is None else [(name, data[data[series] == name])
                                                   for name in dict.fromkeys(data[series])]
    for index, (name, part) in enumerate(groups):
        xs = part[x].to_numpy(dtype=float) if numeric_x else np.array([position[v] for v in part[x]], dtype=float)
        color = (colors or {}).get(name) or SERIES_COLORS[index % len(SERIES_COLORS)]
        ax.plot(xs, part[y].to_numpy(dtype=float), color=color, marker="o" if markers else None, markersize=3,
                linewidth=1.5, label=None if name is None else short_label(name, width=30))
    if not numeric_x:
        step = max(1, math.ceil(len(order) / 20))
        ticks = list(range(0, len(order), step))
        ax.set_xticks(ticks, [short_label(order[i], width=12) for i in ticks],
                      rotation=45 if len(order) > 8 else 0, ha="right" if len(order) > 8 else "center",
                      rotation_mode="anchor")
    if series is not None:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_ylim(bottom=0)
    return _finish(figure, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source)


@_styled
def stacked_bar_chart(data: pd.DataFrame, *, index: str, columns: Sequence[str], title: str, xlabel: str,
                      ylabel: str, colors: dict[str, str] | None = None, horizontal: bool = True,
                      source: str | None = None, ax: Axes | None = None,
                      figsize: tuple[float, float] | None = None) -> Figure:
    """One bar per row of ``data``, stacked from the ``columns`` (e.g. stance shares per country).

    NaN counts as 0. The legend follows the order of ``columns``.
    """
    columns = list(columns)
    _require(data, [index] + columns, "stacked_bar_chart")
    figure, ax = _axes(ax, figsize or (TALL_FIGSIZE if horizontal and len(data) > 12 else FIGSIZE))
    if data.empty:
        _no_data(ax, "no data to show")
        return _finish(figure, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source)
    positions = np.arange(len(data))
    base = np.zeros(len(data))
    for number, column in enumerate(columns):
        values = pd.to_numeric(data[column]).fillna(0).to_numpy(dtype=float)
        color = (colors or {}).get(column) or SERIES_COLORS[number % len(SERIES_COLORS)]
        if horizontal:
            ax.barh(positions, values, left=base, color=color, height=0.7, label=column)
        else:
            ax.bar(positions, values, bottom=base, color=color, width=0.7, label=column)
        base = base + values
    labels = _category_labels(data[index], width=22)
    if horizontal:
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
    else:
        _category_ticks(ax, positions, labels)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _finish(figure, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source)


@_styled
def heatmap(data: pd.DataFrame, *, title: str, xlabel: str, ylabel: str, value_label: str,
            value_format: str = "{:.2f}", cmap: str = "viridis", vmin: float | None = None,
            vmax: float | None = None, source: str | None = None, ax: Axes | None = None,
            figsize: tuple[float, float] | None = None, label_width: int = 22) -> Figure:
    """A matrix as coloured cells: rows of ``data`` top to bottom, columns left to right.

    ``data`` is wide: its index labels the rows and its columns the columns (e.g. countries x themes, or a
    confusion matrix). Cells are written with ``value_format`` when there are at most 200 of them; NaN cells
    are left blank. ``value_label`` (with its unit) labels the colour bar.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"heatmap expects a DataFrame, got {type(data).__name__}")
    figure, ax = _axes(ax, figsize or (TALL_FIGSIZE if len(data) > 12 else FIGSIZE))
    if data.empty or data.shape[1] == 0:
        _no_data(ax, "no data to show")
        return _finish(figure, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source)
    values = data.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    masked = np.ma.masked_invalid(values)
    finite = values[np.isfinite(values)]
    low = vmin if vmin is not None else (float(finite.min()) if finite.size else 0.0)
    high = vmax if vmax is not None else (float(finite.max()) if finite.size else 1.0)
    if high <= low:
        high = low + 1.0
    image = ax.imshow(masked, cmap=cmap, vmin=low, vmax=high, aspect="auto", interpolation="nearest")
    ax.set_xticks(np.arange(data.shape[1]), _category_labels(data.columns, width=16),
                  rotation=45 if data.shape[1] > 6 else 0, ha="right" if data.shape[1] > 6 else "center",
                  rotation_mode="anchor")
    ax.set_yticks(np.arange(data.shape[0]), _category_labels(data.index, width=label_width))
    ax.spines[:].set_visible(False)
    colorbar = figure.colorbar(image, ax=ax, shrink=0.85)
    colorbar.set_label(value_label)
    if values.size <= 200:
        cmap_object = matplotlib.colormaps[cmap]
        for (row, col), value in np.ndenumerate(values):
            if not np.isfinite(value):
                continue
            red, green, blue, _ = cmap_object((value - low) / (high - low))
            dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
            ax.text(col, row, value_format.format(value), ha="center", va="center", fontsize=7,
                    color="white" if dark else "black")
    return _finish(figure, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source)


@_styled
def sentence_strip(data: pd.DataFrame, *, themes: Sequence[str], title: str, stance: str = "stance",
                   x: str = "sentence_id", source: str | None = None, ax: Axes | None = None,
                   figsize: tuple[float, float] | None = None) -> Figure:
    """A speech read left to right: one column per sentence, a row per theme marked where the sentence has
    it, and a bottom row coloured by the sentence's stance.

    ``data`` is :func:`sentence_theme_table` for one speech (0/1 theme columns, ``stance``).
    """
    themes = list(themes)
    _require(data, [x, stance] + themes, "sentence_strip")
    figure, ax = _axes(ax, figsize or FIGSIZE)
    if data.empty:
        _no_data(ax, "no sentences to show")
        return _finish(figure, ax, title=title, xlabel="Sentence (number in the speech, from 0)", ylabel="",
                       source=source)
    xs = data[x].to_numpy(dtype=float)
    # squares as wide as a sentence's slot on the axis (about 440 points wide), at most 8 points
    span = max(xs.max() - xs.min() + 1.6, 1.0)
    side = min(8.0, 0.8 * 440.0 / span)
    size = side * side
    for row, theme in enumerate(themes):
        present = data[theme].to_numpy(dtype=float) > 0
        ax.scatter(xs[present], np.full(present.sum(), row), marker="s", s=size,
                   color=THEME_COLORS.get(theme, SERIES_COLORS[row % len(SERIES_COLORS)]))
    stance_row = len(themes)
    labels = data[stance].fillna("").astype(str)
    for label in dict.fromkeys(sorted(labels, key=lambda v: (list(STANCE_COLORS).index(v)
                                                            if v in STANCE_COLORS else 99, v))):
        chosen = (labels == label).to_numpy()
        ax.scatter(xs[chosen], np.full(chosen.sum(), stance_row), marker="s", s=size,
                   color=STANCE_COLORS.get(label, "#FFFFFF"), edgecolors="#777777" if not label else "none",
                   linewidths=0.5, label=label or "(no label)")
    ax.set_yticks(np.arange(len(themes) + 1), [*themes, "stance"])
    ax.set_ylim(len(themes) + 0.6, -0.6)
    ax.set_xlim(xs.min() - 0.8, xs.max() + 0.8)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(title="stance", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _finish(figure, ax, title=title, xlabel="Sentence (number in the speech, from 0)", ylabel="Theme / stance",
                   source=source)


# ------------------------------------------------------------------------------------------------ saving

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclasses.dataclass(frozen=True)
class SavedFigure:
    """The files :func:`save_figure` wrote. In a notebook it shows as the saved PNG."""

    name: str
    png: Path
    svg: Path
    csv: Path
    png_bytes: bytes = dataclasses.field(repr=False, compare=False)
    title: str = ""

    @property
    def paths(self) -> tuple[Path, Path, Path]:
        return self.png, self.svg, self.csv

    def __repr__(self) -> str:  # no folder: the same text wherever the files went
        return f"<figure {self.name}: .png .svg .csv>"

    def _repr_png_(self):
        return self.png_bytes, {"width": int(FIGSIZE[0] * 100), "alt": self.title or self.name}


def render(figure: Figure, format: Literal["png", "svg"], *, dpi: int = DPI) -> bytes:
    """The bytes of ``figure`` as PNG or SVG with fixed metadata (no date, no software version)."""
    if format not in ("png", "svg"):
        raise ValueError(f"format must be 'png' or 'svg', got {format!r}")
    buffer = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        figure.savefig(buffer, format=format, dpi=dpi,
                       metadata=PNG_METADATA if format == "png" else SVG_METADATA)
    return buffer.getvalue()


def save_figure(figure: Figure, name: str, data: pd.DataFrame | pd.Series, *,
                out_dir: str | Path = paths.FIGURES_DIR, dpi: int = DPI) -> SavedFigure:
    """Write ``name.png``, ``name.svg`` and ``name.csv`` (the plotted numbers) into ``out_dir``, then close.

    Each file is written atomically (:func:`analysis.io.atomic_write`), so an interrupted run leaves the
    previous complete file or the new one. Two saves of the same chart give identical bytes.

    Parameters
    ----------
    figure : Figure
        A chart from this module.
    name : str
        File stem: letters, digits, ``-``, ``_`` and ``.``, e.g. ``"01-speeches-by-year"``.
    data : DataFrame or Series
        The numbers the chart draws; a Series is written with its index as the first column. A wide frame
        whose index carries labels (a heatmap) is written with the index as the first column too.
    out_dir : str or Path
        Folder (created if needed). Default: ``figures/``.
    """
    if not isinstance(figure, Figure):
        raise TypeError(f"save_figure expects a matplotlib Figure, got {type(figure).__name__}")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"figure name {name!r} must be a file stem of letters, digits, '-', '_' or '.'")
    table = _as_table(data)
    out_dir = Path(out_dir)
    try:
        png = render(figure, "png", dpi=dpi)
        svg = render(figure, "svg", dpi=dpi)
    finally:
        pyplot = sys.modules.get("matplotlib.pyplot")  # a chart from this module is not in pyplot's list
        if pyplot is not None:
            pyplot.close(figure)
    png_path = write_bytes(out_dir / f"{name}.png", png)
    svg_path = write_bytes(out_dir / f"{name}.svg", svg)
    csv_path = write_csv(table, out_dir / f"{name}.csv")
    title = " ".join(ax.get_title(loc="left").replace("\n", " ") for ax in figure.axes[:1]).strip()
    return SavedFigure(name=name, png=png_path, svg=svg_path, csv=csv_path, png_bytes=png, title=title)


def _as_table(data: pd.DataFrame | pd.Series) -> pd.DataFrame:
    if isinstance(data, pd.Series):
        return data.reset_index()
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"figure data must be a DataFrame or Series, got {type(data).__name__}")
    if isinstance(data.index, pd.RangeIndex) and data.index.name is None:
        return data
    return data.reset_index()
