"""Charts of estimates with their intervals: per group (:func:`interval_chart`), over time on a real axis with
the number of speeches per period (:func:`timeline_chart`), and the calibration of scores
(:func:`reliability_chart`). Points of groups with fewer than :data:`~analysis.plots.rules.MIN_SPEECHES` speeches
are drawn hollow.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..validation import require_columns
from .parts import category_labels, chart_axes, finish_chart, with_n
from .rules import MIN_PERIODS, MIN_SPEECHES, Skipped, too_few
from .style import DPI, FIGSIZE, SERIES_COLORS, TALL_FIGSIZE, styled

__all__ = ["interval_chart", "reliability_chart", "timeline_chart"]


def _marker_faces(colors: Sequence, few: np.ndarray) -> list:
    """Filled markers, hollow (white) where the group has few speeches."""
    return ["white" if hollow else color for color, hollow in zip(colors, few)]


@styled
def interval_chart(data: pd.DataFrame, *, label: str, value: str, lower: str = "lower", upper: str = "upper",
                   n: str = "n_speeches", series: str | None = None, title: str, xlabel: str, ylabel: str,
                   colors: dict[str, str] | None = None, few: str | None = "few",
                   xlim: tuple[float, float] | None = None, min_categories: int = 1, source: str | None = None,
                   ax: Axes | None = None, figsize: tuple[float, float] | None = None,
                   label_width: int = 22) -> Figure | Skipped:
    """A point and its interval per group (and per series, side by side): shares, rates or means with their
    bootstrap intervals (:mod:`analysis.aggregate`).

    Groups are drawn top to bottom in order of first appearance, each labelled with its n (``France (12)``);
    points of groups flagged in ``few`` are hollow, and the legend says so.
    """
    require_columns(data, [label, value, lower, upper, n] + ([series] if series else []), "interval_chart")
    groups = list(dict.fromkeys(data[label].astype(str)))
    reason = too_few(groups, min_categories, "groups")
    if reason:
        return Skipped(title, reason)
    names = list(dict.fromkeys(data[series])) if series else [None]
    figure, ax = chart_axes(ax, figsize or (TALL_FIGSIZE if len(groups) > 10 else FIGSIZE))
    position = {group: index for index, group in enumerate(groups)}
    width = 0.7 / max(len(names), 1)
    any_few = False
    for number, name in enumerate(names):
        part = data if name is None else data[data[series] == name]
        ys = np.array([position[str(g)] for g in part[label]], dtype=float)
        ys += (number - (len(names) - 1) / 2) * width
        color = (colors or {}).get(name) or SERIES_COLORS[number % len(SERIES_COLORS)]
        values = part[value].to_numpy(dtype=float)
        lows, highs = part[lower].to_numpy(dtype=float), part[upper].to_numpy(dtype=float)
        hollow = part[few].to_numpy(dtype=bool) if few and few in part else np.zeros(len(part), dtype=bool)
        any_few |= bool(hollow.any())
        ax.hlines(ys, lows, highs, color=color, linewidth=1.4)
        ax.scatter(values, ys, s=22, zorder=3, edgecolors=color, linewidths=1.2,
                   c=_marker_faces([color] * len(part), hollow), label=None if name is None else str(name))
    first_n = data.drop_duplicates(label).set_index(data.drop_duplicates(label)[label].astype(str))[n]
    ax.set_yticks(np.arange(len(groups)), with_n(category_labels(groups, width=label_width),
                                                 [first_n[g] for g in groups]))
    ax.set_ylim(len(groups) - 0.5, -0.5)
    if xlim is not None:
        ax.set_xlim(*xlim)
    else:
        ax.set_xlim(left=min(0.0, float(np.nanmin(data[lower].to_numpy(dtype=float), initial=0.0))))
    ax.grid(axis="x", color="#EEEEEE", linewidth=0.6)
    ax.set_axisbelow(True)
    handles, texts = ax.get_legend_handles_labels()
    if any_few:
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor="#555555"))
        texts.append(f"hollow: fewer than {MIN_SPEECHES} speeches")
    if handles:
        ax.legend(handles, texts, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return finish_chart(figure, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source,
                        kind="interval")


@styled
def timeline_chart(data: pd.DataFrame, *, x: str, value: str, lower: str = "lower", upper: str = "upper",
                   n: str = "n_speeches", series: str | None = None, title: str, ylabel: str, xlabel: str = "Year",
                   colors: dict[str, str] | None = None, few: str | None = "few", step: float = 1.0,
                   ylim_bottom: float | None = 0.0, source: str | None = None,
                   figsize: tuple[float, float] | None = None) -> Figure | Skipped:
    """Change over time on a real time axis: points with their intervals, lines only between neighbouring
    periods, and below them the number of speeches in each period.

    ``x`` is numeric (years): periods that were not observed leave a gap, and no line crosses it (two points
    more than ``step`` apart are not joined). Periods flagged in ``few`` are drawn hollow. Skipped when there
    are fewer than :data:`MIN_PERIODS` periods.
    """
    require_columns(data, [x, value, lower, upper, n] + ([series] if series else []), "timeline_chart")
    periods = pd.to_numeric(data[x], errors="coerce")
    known = data[periods.notna()].assign(_x=periods[periods.notna()].astype(float))
    reason = too_few(sorted(known["_x"].unique()), MIN_PERIODS, "periods")
    if reason:
        return Skipped(title, reason.replace(".0)", ")"))
    figure = Figure(figsize=figsize or TALL_FIGSIZE, dpi=DPI, layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    names = list(dict.fromkeys(known[series])) if series else [None]
    offsets = (np.arange(len(names)) - (len(names) - 1) / 2) * step * 0.08
    any_few = False
    for number, name in enumerate(names):
        part = known if name is None else known[known[series] == name]
        part = part.sort_values("_x", kind="stable")
        xs = part["_x"].to_numpy() + offsets[number]
        ys = part[value].to_numpy(dtype=float)
        color = (colors or {}).get(name) or SERIES_COLORS[number % len(SERIES_COLORS)]
        joined = np.diff(part["_x"].to_numpy()) <= step + 1e-9
        for i in np.flatnonzero(joined):
            top.plot(xs[i:i + 2], ys[i:i + 2], color=color, linewidth=1.2)
        top.vlines(xs, part[lower].to_numpy(dtype=float), part[upper].to_numpy(dtype=float), color=color,
                   linewidth=1.2)
        hollow = part[few].to_numpy(dtype=bool) if few and few in part else np.zeros(len(part), dtype=bool)
        any_few |= bool(hollow.any())
        top.scatter(xs, ys, s=22, zorder=3, edgecolors=color, linewidths=1.2,
                    c=_marker_faces([color] * len(part), hollow), label=None if name is None else str(name))
    if ylim_bottom is not None:
        top.set_ylim(bottom=ylim_bottom)
    counts = known.drop_duplicates("_x").sort_values("_x")
    bottom.bar(counts["_x"].to_numpy(), counts[n].to_numpy(dtype=float), width=step * 0.6, color="#BBBBBB")
    for xv, count in zip(counts["_x"], counts[n]):
        bottom.annotate(f"{int(count):,}", (xv, count), xytext=(0, 1), textcoords="offset points", ha="center",
                        va="bottom", fontsize=6)
    bottom.set_ylabel("Speeches")
    bottom.set_ylim(0, float(counts[n].max()) * 1.3 or 1.0)
    ticks = counts["_x"].to_numpy()
    shown = ticks[::max(1, math.ceil(len(ticks) / 16))]
    bottom.set_xticks(shown, [f"{t:g}" for t in shown])
    top.grid(axis="y", color="#EEEEEE", linewidth=0.6)
    handles, texts = top.get_legend_handles_labels()
    if any_few:
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor="#555555"))
        texts.append(f"hollow: fewer than {MIN_SPEECHES} speeches")
    if handles:
        top.legend(handles, texts, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    finish_chart(figure, top, title=title, xlabel="", ylabel=ylabel, source=source, kind="timeline")
    bottom.set_xlabel(xlabel)
    return figure


@styled
def reliability_chart(data: pd.DataFrame, *, title: str, source: str | None = None, ax: Axes | None = None,
                      figsize: tuple[float, float] | None = None) -> Figure | Skipped:
    """A reliability diagram (:func:`analysis.aggregate.reliability_table`): per score bin, the share of
    labels that were right against the mean score, with its interval and n; the diagonal is perfect
    calibration."""
    require_columns(data, ["mean_score", "accuracy", "lower", "upper", "n_sentences"], "reliability_chart")
    reason = too_few(data["mean_score"].round(6).tolist(), MIN_PERIODS, "score bins")
    if reason:
        return Skipped(title, reason)
    figure, ax = chart_axes(ax, figsize or FIGSIZE)
    ax.plot([0, 1], [0, 1], color="#999999", linestyle="--", linewidth=0.8, label="perfect calibration")
    xs, ys = data["mean_score"].to_numpy(dtype=float), data["accuracy"].to_numpy(dtype=float)
    ax.vlines(xs, data["lower"].to_numpy(dtype=float), data["upper"].to_numpy(dtype=float), color=SERIES_COLORS[0])
    ax.scatter(xs, ys, s=22, zorder=3, color=SERIES_COLORS[0], label="sentences in the score bin")
    for xv, yv, count in zip(xs, ys, data["n_sentences"]):
        ax.annotate(f"{int(count):,}", (xv, yv), xytext=(4, -9), textcoords="offset points", fontsize=6)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left")
    return finish_chart(figure, ax, title=title, xlabel="Score (mean in the bin)",
                        ylabel="Share of labels that were right", source=source, kind="reliability")
