"""Writing a chart: :func:`save_figure` writes PNG and SVG at a fixed size and resolution, with fixed file
metadata (title, source line and kind, from :func:`figure_text`; no date, no software version), beside a CSV of
the numbers drawn, each file atomically, then closes the figure; :func:`render` gives the bytes of one format.
So a rerun gives byte-identical files.
"""
from __future__ import annotations

import dataclasses
import io
import re
import sys
from pathlib import Path
from typing import Literal

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from .. import paths
from ..io import write_bytes, write_csv
from .rules import Skipped
from .style import DPI, FIGSIZE, PNG_METADATA, STYLE, SVG_METADATA

__all__ = ["SavedFigure", "figure_text", "render", "save_figure"]

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


def figure_text(figure: Figure) -> tuple[str, str]:
    """The title of a chart (its first axes, one line) and its source line."""
    title = " ".join(ax.get_title(loc="left").replace("\n", " ") for ax in figure.axes[:1]).strip()
    source = " ".join(t.get_text().replace("\n", " ") for t in figure.texts if t.get_gid() == "source-line")
    return title, source


def render(figure: Figure, format: Literal["png", "svg"], *, dpi: int = DPI) -> bytes:
    """The bytes of ``figure`` as PNG or SVG with fixed metadata: its title and source line (``Title``,
    ``Description``), no date, no software version."""
    if format not in ("png", "svg"):
        raise ValueError(f"format must be 'png' or 'svg', got {format!r}")
    title, source = figure_text(figure)
    described = {key: value for key, value in (("Title", title), ("Description", source),
                                               ("Keywords", figure.get_label())) if value}
    buffer = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        figure.savefig(buffer, format=format, dpi=dpi,
                       metadata={**(PNG_METADATA if format == "png" else SVG_METADATA), **described})
    return buffer.getvalue()


def save_figure(figure: Figure | Skipped, name: str, data: pd.DataFrame | pd.Series, *,
                out_dir: str | Path = paths.FIGURES_DIR, dpi: int = DPI) -> SavedFigure | Skipped:
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

    A :class:`Skipped` chart writes nothing and removes the files an earlier run wrote under ``name``, so the
    folder never holds a chart the data no longer supports.
    """
    if isinstance(figure, Skipped):
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"figure name {name!r} must be a file stem of letters, digits, '-', '_' or '.'")
        for suffix in (".png", ".svg", ".csv"):
            (Path(out_dir) / f"{name}{suffix}").unlink(missing_ok=True)
        return dataclasses.replace(figure, name=name)
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
    title, _ = figure_text(figure)
    return SavedFigure(name=name, png=png_path, svg=svg_path, csv=csv_path, png_bytes=png, title=title)


def _as_table(data: pd.DataFrame | pd.Series) -> pd.DataFrame:
    if isinstance(data, pd.Series):
        return data.reset_index()
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"figure data must be a DataFrame or Series, got {type(data).__name__}")
    if isinstance(data.index, pd.RangeIndex) and data.index.name is None:
        return data
    return data.reset_index()
