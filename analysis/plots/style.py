"""How every chart looks: the palette, the colours of themes and stances, figure sizes, the
matplotlib settings every chart is drawn in (:data:`STYLE`, applied by :func:`styled`) and the fixed file
metadata that keeps a rerun byte-identical.

Colours come from the Okabe-Ito palette, which stays distinguishable under the common colour-vision
deficiencies; sequential values use ``viridis``.
"""
from __future__ import annotations

import functools
from typing import Callable, Sequence

import matplotlib

__all__ = [
    "DPI", "FIGSIZE", "NEUTRAL_COLOR", "OKABE_ITO", "PNG_METADATA", "SERIES_COLORS", "SOURCE_BAND",
    "STANCE_PALETTE", "STYLE", "SVG_HASHSALT", "SVG_METADATA", "TALL_FIGSIZE", "THEME_PALETTE", "TITLE_WIDTH",
    "stance_colors", "styled", "theme_colors",
]

#: Okabe & Ito (2008), "Color Universal Design": eight colours distinguishable with any common colour-vision
#: deficiency.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7",
}
#: Order in which series take colours (yellow last: it is faint on white).
SERIES_COLORS = [OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple",
                                        "sky_blue", "black", "yellow")]
#: The colours themes take, in the order of the lexicon, and stance labels, in the order of the cue file (the
#: default label, ``neutral``, is grey). The two never share a colour, so a chart with both (the sentence strip)
#: reads unambiguously; a lexicon of more than five themes, or a cue file of more than three labels beside its
#: default, reuses its colours from the start.
THEME_PALETTE = tuple(OKABE_ITO[k] for k in ("vermillion", "blue", "sky_blue", "black", "yellow"))
STANCE_PALETTE = tuple(OKABE_ITO[k] for k in ("bluish_green", "orange", "reddish_purple"))
NEUTRAL_COLOR = "#BBBBBB"


def theme_colors(themes: Sequence[str]) -> dict[str, str]:
    """One colour per theme, by its place in the lexicon, so a theme has the same colour in every chart.

    >>> theme_colors(["climate", "migration"])
    {'climate': '#D55E00', 'migration': '#0072B2'}
    """
    return {name: THEME_PALETTE[index % len(THEME_PALETTE)] for index, name in enumerate(themes)}


def stance_colors(labels: Sequence[str], *, default: str | None = None) -> dict[str, str]:
    """One colour per stance label, by its place in the cue file; the ``default`` label (the one no cue decides,
    ``neutral``) is grey.

    >>> stance_colors(["support", "oppose", "neutral"], default="neutral")
    {'support': '#009E73', 'oppose': '#E69F00', 'neutral': '#BBBBBB'}
    """
    others = [label for label in labels if label != default]
    colors = {label: STANCE_PALETTE[index % len(STANCE_PALETTE)] for index, label in enumerate(others)}
    return {label: colors.get(label, NEUTRAL_COLOR) for label in labels}

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


def styled(function: Callable) -> Callable:
    """Draw inside the project's rcParams without changing the caller's.

    Parameters
    ----------
    function : callable
        A chart function.

    Returns
    -------
    callable
        ``function``, run inside ``matplotlib.rc_context(STYLE)``.
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(STYLE):
            return function(*args, **kwargs)

    return wrapper
