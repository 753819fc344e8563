"""What a chart may claim, in one place: the thresholds every chart follows (:data:`MIN_CATEGORIES`,
:data:`MIN_PERIODS`, :data:`KEYNESS_P`, :data:`KEYNESS_G2`, :data:`KEYNESS_MIN_COUNT`, :data:`Z_THRESHOLD`, and
:data:`analysis.aggregate.MIN_SPEECHES`), the kinds of claim a chart makes (:data:`CHART_KINDS`), and
:class:`Skipped`, the chart that was not drawn because the data cannot support it, with :func:`too_few` saying
why.
"""
from __future__ import annotations

import dataclasses
from typing import Sequence

#: Groups of fewer speeches are drawn hollow (their interval says little).
from ..aggregate import MIN_SPEECHES  # one definition, shared with the tables

__all__ = [
    "CHART_KINDS", "KEYNESS_G2", "KEYNESS_MIN_COUNT", "KEYNESS_P", "MIN_CATEGORIES", "MIN_PERIODS", "MIN_SPEECHES",
    "Z_THRESHOLD", "Skipped", "too_few",
]

#: What a chart may claim, in one place (``tests/test_chart_rules.py`` checks every figure the notebooks write).
#: A count chart of fewer categories says nothing and is skipped, with the sentence saying why.
MIN_CATEGORIES = 2
#: A chart of change over time needs this many periods.
MIN_PERIODS = 2
#: Keyness charts draw only terms whose difference is significant at this level ...
KEYNESS_P = 0.001
#: ... (Dunning's G² above this critical value of chi-square with one degree of freedom) ...
KEYNESS_G2 = 10.828
#: ... and that are seen at least this many times in both groups together.
KEYNESS_MIN_COUNT = 5
#: Log-odds z beyond this (two-sided p < 0.05) is drawn; the lines at ±Z_THRESHOLD are on the chart.
Z_THRESHOLD = 1.96

#: What kind of claim each chart makes, written into its files' metadata (``Keywords``) so the chart rules can
#: be checked on the saved figures (``tests/test_chart_rules.py``).
CHART_KINDS = ("bar", "threshold", "keyness-z", "weights", "interval", "timeline", "reliability", "histogram",
               "matrix", "strip")


@dataclasses.dataclass(frozen=True)
class Skipped:
    """A chart that was not drawn, because the data cannot support it, and the sentence saying why.

    Chart functions return it instead of a Figure; :func:`~analysis.plots.save.save_figure` then removes that
    figure's old files (so ``figures/`` never shows a chart the data no longer supports) and returns it. In a
    notebook it shows as the sentence.
    """

    title: str
    reason: str
    name: str = ""

    def __str__(self) -> str:
        return f"Not drawn: {self.title}. {self.reason}"

    def _repr_markdown_(self) -> str:
        return f"*{self}*"

    def __repr__(self) -> str:
        return f"<skipped {self.name or self.title!r}: {self.reason}>"


_SINGULAR = {"categories": "category", "periods": "period", "groups": "group", "score bins": "score bin"}


def too_few(values: Sequence, minimum: int, what: str) -> str | None:
    """Why a chart of ``values`` says nothing (fewer than ``minimum`` distinct values), or None.

    Parameters
    ----------
    values : sequence
        The categories, periods or groups a chart would draw.
    minimum : int
        The fewest distinct values the chart needs.
    what : str
        What the values are, in the plural: ``"categories"``, ``"periods"``, ``"groups"``, ``"score bins"``.

    Returns
    -------
    str or None
        The reason to skip the chart, or None when there are enough values.
    """
    distinct = list(dict.fromkeys(values))
    if len(distinct) >= minimum:
        return None
    if not distinct:
        return f"there is nothing to draw: no {what}"
    return f"only one {_SINGULAR.get(what, what)} ({distinct[0]}), so there is nothing to compare"
