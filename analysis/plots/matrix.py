"""Charts of cells in rows and columns: a matrix of values (:func:`heatmap`, e.g. a confusion matrix) and a
speech read sentence by sentence, its themes and stance (:func:`sentence_strip`).
"""
from __future__ import annotations

from typing import Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..validation import require_columns, require_frame
from .parts import category_labels, chart_axes, finish_chart, show_no_data
from .rules import Skipped
from .style import FIGSIZE, TALL_FIGSIZE, stance_colors, styled, theme_colors

__all__ = ["heatmap", "sentence_strip"]


@styled
def heatmap(data: pd.DataFrame, *, title: str, xlabel: str, ylabel: str, value_label: str,
            value_format: str = "{:.2f}", cmap: str = "viridis", vmin: float | None = None,
            vmax: float | None = None, source: str | None = None, ax: Axes | None = None,
            figsize: tuple[float, float] | None = None, label_width: int = 22) -> Figure | Skipped:
    """A matrix as coloured cells: rows of ``data`` top to bottom, columns left to right (e.g. a confusion
    matrix of counts).

    ``data`` is wide: its index labels the rows and its columns the columns. Cells are written with
    ``value_format`` when there are at most 200 of them; NaN cells are left blank. ``value_label`` (with its unit)
    labels the colour bar.
    """
    require_frame(data, "heatmap")
    if data.empty or data.shape[1] == 0:
        return Skipped(title, "there is nothing to draw: the matrix is empty")
    figure, ax = chart_axes(ax, figsize or (TALL_FIGSIZE if len(data) > 12 else FIGSIZE))
    values = data.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    masked = np.ma.masked_invalid(values)
    finite = values[np.isfinite(values)]
    low = vmin if vmin is not None else (float(finite.min()) if finite.size else 0.0)
    high = vmax if vmax is not None else (float(finite.max()) if finite.size else 1.0)
    if high <= low:
        high = low + 1.0
    image = ax.imshow(masked, cmap=cmap, vmin=low, vmax=high, aspect="auto", interpolation="nearest")
    ax.set_xticks(np.arange(data.shape[1]), category_labels(data.columns, width=16),
                  rotation=45 if data.shape[1] > 6 else 0, ha="right" if data.shape[1] > 6 else "center",
                  rotation_mode="anchor")
    ax.set_yticks(np.arange(data.shape[0]), category_labels(data.index, width=label_width))
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
    return finish_chart(figure, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source, kind="matrix")


@styled
def sentence_strip(data: pd.DataFrame, *, themes: Sequence[str], title: str, stance: str = "stance",
                   stance_labels: Sequence[str] = (), stance_default: str | None = None,
                   x: str = "sentence_id", source: str | None = None, ax: Axes | None = None,
                   figsize: tuple[float, float] | None = None) -> Figure:
    """A speech read left to right: one column per sentence, a row per theme marked where the sentence has
    it, and a bottom row coloured by the sentence's stance.

    ``data`` is :func:`sentence_theme_table` for one speech (0/1 theme columns, ``stance``); ``themes`` are the
    lexicon's themes and ``stance_labels`` the cue file's labels, in their files' order (their colours and the
    legend's order follow it; ``stance_default`` is drawn grey).
    """
    themes = list(themes)
    require_columns(data, [x, stance] + themes, "sentence_strip")
    figure, ax = chart_axes(ax, figsize or FIGSIZE)
    if data.empty:
        show_no_data(ax, "no sentences to show")
        return finish_chart(figure, ax, title=title, xlabel="Sentence (number in the speech, from 0)", ylabel="",
                            source=source, kind="strip")
    xs = data[x].to_numpy(dtype=float)
    # squares as wide as a sentence's slot on the axis (about 440 points wide), at most 8 points
    span = max(xs.max() - xs.min() + 1.6, 1.0)
    side = min(8.0, 0.8 * 440.0 / span)
    size = side * side
    colors = theme_colors(themes)
    for row, theme in enumerate(themes):
        present = data[theme].to_numpy(dtype=float) > 0
        ax.scatter(xs[present], np.full(present.sum(), row), marker="s", s=size, color=colors[theme])
    stance_row = len(themes)
    labels = data[stance].fillna("").astype(str)
    order = list(stance_labels)
    fills = stance_colors(order, default=stance_default)
    for label in dict.fromkeys(sorted(labels, key=lambda v: (order.index(v) if v in order else len(order), v))):
        chosen = (labels == label).to_numpy()
        ax.scatter(xs[chosen], np.full(chosen.sum(), stance_row), marker="s", s=size,
                   color=fills.get(label, "#FFFFFF"), edgecolors="#777777" if label not in fills else "none",
                   linewidths=0.5, label=label or "(no label)")
    ax.set_yticks(np.arange(len(themes) + 1), [*themes, "stance"])
    ax.set_ylim(len(themes) + 0.6, -0.6)
    ax.set_xlim(xs.min() - 0.8, xs.max() + 0.8)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(title="stance", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return finish_chart(figure, ax, title=title, xlabel="Sentence (number in the speech, from 0)",
                        ylabel="Theme / stance", source=source, kind="strip")
