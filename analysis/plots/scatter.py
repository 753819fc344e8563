"""Scatter charts: the keyness of every term of a comparison, effect size against evidence."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..validation import require_columns
from .parts import chart_axes, finish_chart
from .rules import KEYNESS_G2, KEYNESS_P, Skipped
from .style import FIGSIZE, NEUTRAL_COLOR, OKABE_ITO

__all__ = ["keyness_scatter"]


def keyness_scatter(table: pd.DataFrame, *, title: str, source: str | None = None, label_top: int = 8,
                    threshold: float = KEYNESS_G2) -> Figure | Skipped:
    """Each term's log ratio (x: how much more, or less, often the target uses it) against its |G²| (y, log
    scale: how sure the difference is); terms with |G²| above ``threshold`` in colour (blue: used more by the
    target, orange: less), the rest grey, the dashed line at the threshold, the ``label_top`` terms of highest
    |G²| named.

    ``table`` has :data:`analysis.terms.KEYNESS_COLUMNS` (``term``, ``g2`` signed, ``log_ratio``).
    """
    require_columns(table, ["term", "g2", "log_ratio"], "keyness_scatter")
    if table.empty:
        return Skipped(title, "no term occurs often enough to be compared")
    figure, ax = chart_axes(None, FIGSIZE)
    signed = pd.to_numeric(table["g2"]).to_numpy(float)
    g2 = np.maximum(np.abs(signed), 1e-3)
    ratio = pd.to_numeric(table["log_ratio"]).to_numpy(float)
    key = g2 >= threshold
    more, less = key & (signed > 0), key & (signed < 0)  # G²'s sign is the direction (log ratio may be 0)
    level = f"p < {KEYNESS_P:g}" if threshold == KEYNESS_G2 else f"|G²| ≥ {threshold:g}"
    ax.scatter(ratio[~key], g2[~key], s=6, color=NEUTRAL_COLOR, alpha=0.5, linewidths=0,
               label=f"not significant (|G²| < {threshold:g}): {(~key).sum():,} terms")
    ax.scatter(ratio[more], g2[more], s=8, color=OKABE_ITO["blue"], linewidths=0,
               label=f"used more by the target, {level}: {more.sum():,}")
    ax.scatter(ratio[less], g2[less], s=8, color=OKABE_ITO["orange"], linewidths=0,
               label=f"used less by the target, {level}: {less.sum():,}")
    ax.axhline(threshold, color="#333333", linestyle="--", linewidth=0.8)
    ax.axvline(0, color="#333333", linewidth=0.6)
    ax.set_yscale("log")
    top = np.argsort(-g2, kind="stable")[:label_top]
    for rank, index in enumerate(top):
        ax.annotate(str(table["term"].iloc[index]), (ratio[index], g2[index]), xytext=(4, 6 - 5 * (rank % 3)),
                    textcoords="offset points", fontsize=7)
    ax.legend(loc="lower left", fontsize=7, frameon=False)
    return finish_chart(figure, ax, title=title, xlabel="Log ratio (binary log of the ratio of rates; > 0: the "
                        "target uses it more)", ylabel="|G²| (log scale)", source=source, kind="threshold")
