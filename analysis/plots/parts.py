"""The frame every chart shares: the figure and axes a chart draws into (:func:`chart_axes`), its title, axis
labels, kind and source line (:func:`finish_chart`, :func:`add_source_line`), and its category labels
(:func:`category_labels`, :func:`with_n`).

Figures are made with :class:`matplotlib.figure.Figure` directly, not through ``pyplot``: nothing is left open in
a global figure list, and the Agg renderer is used whatever backend is active.
"""
from __future__ import annotations

import textwrap
from typing import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .labels import short_label
from .style import DPI, SOURCE_BAND, TITLE_WIDTH

__all__ = ["add_source_line", "category_labels", "chart_axes", "finish_chart", "show_no_data", "with_n"]


def _root_figure(ax: Axes) -> Figure:
    figure = ax.figure
    while getattr(figure, "figure", figure) is not figure:  # a SubFigure's .figure is its parent
        figure = figure.figure
    return figure


def chart_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """The figure and axes a chart draws into: ``ax`` and its (top-level) figure, else a new figure.

    Parameters
    ----------
    ax : Axes or None
        Axes given by the caller.
    figsize : tuple of float
        Size in inches of a new figure (made at :data:`~analysis.plots.style.DPI`, constrained layout).

    Returns
    -------
    tuple of (Figure, Axes)
    """
    if ax is not None:
        return _root_figure(ax), ax
    figure = Figure(figsize=figsize, dpi=DPI, layout="constrained")
    return figure, figure.add_subplot()


def add_source_line(figure: Figure, text: str | None) -> None:
    """Write ``text`` small at the bottom left of ``figure``, in a band kept free of axes.

    A second call replaces the line rather than adding another. The text is also kept as the figure's
    description, which :func:`~analysis.plots.save.save_figure` writes into the PNG and SVG metadata.
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


def finish_chart(figure: Figure, ax: Axes, *, title: str, xlabel: str, ylabel: str, source: str | None,
                 kind: str) -> Figure:
    """Give a chart its kind (one of :data:`~analysis.plots.rules.CHART_KINDS`, kept as the figure's label),
    its title wrapped at :data:`~analysis.plots.style.TITLE_WIDTH`, its axis labels and its source line.

    Raises
    ------
    ValueError
        If ``title`` is empty: every chart needs a title.
    """
    if not title:
        raise ValueError("every chart needs a title")
    figure.set_label(kind)
    ax.set_title("\n".join(textwrap.wrap(title, width=TITLE_WIDTH)), loc="left")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    add_source_line(figure, source)
    return figure


def show_no_data(ax: Axes, message: str) -> None:
    """Write ``message`` in the middle of empty axes, without ticks."""
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", color="#555555")
    ax.set_xticks([])
    ax.set_yticks([])


def category_labels(values: Sequence, *, width: int) -> list[str]:
    """Readable labels for ``values`` (:func:`~analysis.plots.labels.short_label` at ``width``)."""
    return [short_label(v, width=width) for v in values]


def with_n(labels: Sequence[str], n: Sequence[int] | None) -> list[str]:
    """Category labels with their n: ``France (12)``."""
    if n is None:
        return list(labels)
    return [f"{label} ({int(count):,})" for label, count in zip(labels, n)]
