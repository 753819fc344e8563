"""Charts of bars: counts and scores per category (:func:`bar_chart`, with reference lines for a significance
threshold), scores around zero (:func:`diverging_bar_chart`) and a counted distribution
(:func:`histogram_chart`).
"""
from __future__ import annotations

import math
from typing import Literal, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..validation import require_columns
from .parts import category_labels, chart_axes, finish_chart, with_n
from .rules import MIN_CATEGORIES, Skipped, too_few
from .style import FIGSIZE, NEUTRAL_COLOR, OKABE_ITO, SERIES_COLORS, TALL_FIGSIZE, styled

__all__ = ["bar_chart", "diverging_bar_chart", "histogram_chart"]


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


def _reference_lines(ax: Axes, lines: Sequence[tuple[float, str]], *, vertical: bool) -> None:
    """Dashed lines at the given values (a significance threshold), each with its label in the legend."""
    for value, label in lines:
        if vertical:
            ax.axvline(value, color="#333333", linestyle="--", linewidth=0.8, label=label)
        else:
            ax.axhline(value, color="#333333", linestyle="--", linewidth=0.8, label=label)


@styled
def bar_chart(data: pd.DataFrame, *, x: str, y: str, title: str, xlabel: str, ylabel: str,
              horizontal: bool = False, color: str | Sequence[str] | dict[str, str] | None = None,
              value_format: str | None = None, n: str | None = None, x_numeric: bool = False,
              reference_lines: Sequence[tuple[float, str]] = (), min_categories: int = MIN_CATEGORIES,
              skip_reason: str | None = None, source: str | None = None, ax: Axes | None = None,
              figsize: tuple[float, float] | None = None, label_width: int = 26) -> Figure | Skipped:
    """One bar per row: category ``x``, height ``y``, in the order of the rows.

    Parameters
    ----------
    data : DataFrame
        The numbers to draw (e.g. from :func:`analysis.aggregate.count_by`).
    x, y : str
        Column of categories and column of values.
    horizontal : bool
        Horizontal bars, first row at the top: better for long names and ranked lists.
    color : str, sequence of str or dict, optional
        One colour, one per row, or a mapping from category to colour (e.g. :func:`stance_colors`; categories
        not in it are grey). Default: the first palette colour.
    value_format : str, optional
        Write each value beside its bar with this format (``"{:,.0f}"`` for counts).
    n : str, optional
        Column of the number of speeches (or sentences) behind each bar, written after its label.
    x_numeric : bool
        ``x`` holds numbers (years) that place the bars, one unit wide, on a real axis, so that missing periods
        show as gaps.
    reference_lines : sequence of (value, label)
        Dashed lines across the bars (a significance threshold), named in the legend.
    min_categories : int
        Fewer categories than this: the chart is :class:`Skipped` (1 for a view of one speech's parts).
    skip_reason : str, optional
        The data cannot support this chart, for the reason given: it is :class:`Skipped`.
    label_width : int
        Category labels are shortened and wrapped with :func:`short_label` at this width.
    """
    require_columns(data, [x, y] + ([n] if n else []), "bar_chart")
    reason = skip_reason or too_few(data[x].astype(str).tolist(), min_categories, "categories")
    if reason:
        return Skipped(title, reason)
    figure, ax = chart_axes(ax, figsize or (TALL_FIGSIZE if horizontal and len(data) > 12 else FIGSIZE))
    labels = with_n(category_labels(data[x], width=label_width), data[n] if n else None)
    values = pd.to_numeric(data[y]).to_numpy(dtype=float)
    positions = np.arange(len(data))
    if x_numeric:
        positions = pd.to_numeric(data[x], errors="coerce").to_numpy(dtype=float)
        bars = ax.bar(positions, values, color=color, width=0.8)  # a year is a year wide, however far apart
        shown = positions[::max(1, math.ceil(len(positions) / 16))]
        ax.set_xticks(shown, [f"{value:g}" for value in shown])
        if value_format:
            _label_bars(ax, bars, values, value_format, False)
        return finish_chart(figure, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source,
                            kind="threshold" if reference_lines else "bar")
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
    if reference_lines:
        _reference_lines(ax, reference_lines, vertical=horizontal)
        ax.legend(loc="lower right")
    return finish_chart(figure, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source,
                        kind="threshold" if reference_lines else "bar")


@styled
def diverging_bar_chart(data: pd.DataFrame, *, label: str, value: str, title: str, xlabel: str,
                        ylabel: str = "", positive: str = "target", negative: str = "reference",
                        threshold: float | None = None, source: str | None = None, ax: Axes | None = None,
                        figsize: tuple[float, float] | None = None,
                        kind: Literal["keyness-z", "weights"] = "keyness-z") -> Figure | Skipped:
    """Horizontal bars around zero, one per row (e.g. log-odds z of terms): positive and negative coloured apart.

    Rows are drawn top to bottom in their order; the legend names what each side means. ``threshold`` draws
    dashed lines at ±threshold (e.g. :data:`Z_THRESHOLD`). ``kind`` says what the bars claim: ``"keyness-z"``
    a significance test (a threshold belongs on it), ``"weights"`` a model's weights such as Wordfish's word
    slopes, which test nothing.
    """
    require_columns(data, [label, value], "diverging_bar_chart")
    if data.empty:
        return Skipped(title, "no term passes the threshold")
    figure, ax = chart_axes(ax, figsize or TALL_FIGSIZE)
    values = pd.to_numeric(data[value]).to_numpy(dtype=float)
    colors = [OKABE_ITO["blue"] if v >= 0 else OKABE_ITO["orange"] for v in values]
    positions = np.arange(len(data))
    ax.barh(positions, values, color=colors, height=0.7)
    ax.set_yticks(positions, category_labels(data[label], width=28))
    ax.invert_yaxis()
    ax.axvline(0, color="#333333", linewidth=0.8)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Patch(color=OKABE_ITO["blue"], label=positive), Patch(color=OKABE_ITO["orange"], label=negative)]
    if threshold is not None:
        for sign in (1, -1):
            ax.axvline(sign * threshold, color="#333333", linestyle="--", linewidth=0.8)
        handles.append(Line2D([], [], color="#333333", linestyle="--", linewidth=0.8, label=f"±{threshold:g}"))
    ax.legend(handles=handles, loc="lower right")
    return finish_chart(figure, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source, kind=kind)


@styled
def histogram_chart(data: pd.DataFrame, *, title: str, xlabel: str, ylabel: str, source: str | None = None,
                    ax: Axes | None = None, color: str | None = None,
                    figsize: tuple[float, float] | None = None) -> Figure | Skipped:
    """Draw a histogram already counted by :func:`analysis.aggregate.histogram_table` (``bin_start, bin_end,
    count``); skipped when all values are equal (one speech: there is no distribution to draw)."""
    require_columns(data, ["bin_start", "bin_end", "count"], "histogram_chart")
    if data.empty or float(data["bin_end"].max() - data["bin_start"].min()) <= 1.0:
        values = data.loc[data["count"] > 0, "bin_start"]
        what = f"every value is {values.iloc[0]:,.0f}" if len(values) else "there are no values"
        return Skipped(title, f"{what}, so there is no distribution to draw")
    figure, ax = chart_axes(ax, figsize or FIGSIZE)
    starts = data["bin_start"].to_numpy(dtype=float)
    widths = data["bin_end"].to_numpy(dtype=float) - starts
    ax.bar(starts, data["count"].to_numpy(dtype=float), width=widths, align="edge",
           color=color or SERIES_COLORS[0], edgecolor="white", linewidth=0.5)
    return finish_chart(figure, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source,
                        kind="histogram")
