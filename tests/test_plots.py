"""Tests for analysis/plots/: labels, chart data helpers, what each chart draws, and save_figure."""
from __future__ import annotations

import ast
import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

from analysis import aggregate, paths, plots

SOURCE = "Source: toy, 3 speeches · theme lexicon v1 · stance codebook v1"


#: The package and its modules, and the doctests each holds at least (short_label, corpus_name, source_line).
MODULES = [plots, *(importlib.import_module(f"analysis.plots.{info.name}")
                  for info in pkgutil.iter_modules(plots.__path__))]
DOCTESTS = {"analysis.plots.labels": 7}


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.__name__)
def test_module_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= DOCTESTS.get(module.__name__, 0) and result.failed == 0


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.__name__)
def test_modules_import_no_private_names(module):
    """What two modules share is public in a third: no module imports another's ``_name``."""
    for node in ast.walk(ast.parse(Path(module.__file__).read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            private = [alias.name for alias in node.names if alias.name.startswith("_")]
            assert not private, f"{module.__name__} imports {private} from {node.module}"


# ------------------------------------------------------------------------------------------------ labels

@pytest.mark.parametrize("name, options, expected", [
    ("France", {}, "France"),
    ("United Kingdom of Great Britain and Northern Ireland", {}, "United Kingdom"),
    ("United States of America", {}, "United States"),
    ("Venezuela (Bolivarian Republic of)", {}, "Venezuela"),
    ("Iran, Islamic Republic of", {}, "Iran"),
    ("Bolivia, Plurinational State of", {}, "Bolivia"),
    ("Democratic Republic of the Congo", {}, "DR Congo"),
    ("Republic of Kazakhstan", {"width": 15}, "Kazakhstan"),
    ("Federal Democratic Republic of Ethiopia", {}, "Ethiopia"),
    ("Russian Federation", {}, "Russian Federation"),
    ("international community", {"width": 20}, "international\ncommunity"),
    ("", {}, "(not given)"),
    (None, {}, "(not given)"),
    (float("nan"), {"missing": "?"}, "?"),
    ("International Committee of the Red Cross", {"width": 22}, "International\nCommittee of the Red\u2026"),
    ("Committee on the Exercise of the Inalienable Rights of the Palestinian People", {"width": 30},
     "Committee on the Exercise of\nthe Inalienable Rights of the\u2026"),
])
def test_short_label(name, options, expected):
    assert plots.short_label(name, **options) == expected


def test_short_label_never_exceeds_width_or_lines():
    names = ["Saint Vincent and the Grenadines", "Holy See (Vatican City State)",
             "Commission for the Clarification of Truth, Coexistence and Non-Repetition of Colombia",
             "a" * 80]
    for name in names:
        label = plots.short_label(name, width=20, max_lines=2)
        lines = label.split("\n")
        assert len(lines) <= 2
        assert all(len(line) <= 20 for line in lines), label


@pytest.mark.parametrize("path, expected", [
    (paths.RAW_DIR, "data/raw"),
    ("/elsewhere/corpora/unsc_umuc", "unsc_umuc"),
    ("/elsewhere/ungdc_1946_2024.parquet", "ungdc_1946_2024.parquet"),
])
def test_corpus_name(path, expected):
    assert plots.corpus_name(path) == expected


def test_source_line_names_corpus_size_and_versions():
    assert plots.source_line(corpus="/x/toy", n_speeches=1) == "Source: toy, 1 speech"
    assert plots.source_line(corpus="/x/toy", n_speeches=304, left_out=171) == \
        "Source: toy, 304 speeches (171 procedural turns left out)"
    assert plots.source_line(corpus="gold_blind_v1.csv", n_sentences=299) == "Source: gold_blind_v1.csv, 299 sentences"
    line = plots.source_line(corpus="/x/toy", n_speeches=2403, lexicon_version="2", codebook_version="1",
                             note="rules")
    assert line == "Source: toy, 2,403 speeches · theme lexicon v2 · stance codebook v1 · rules"


# ------------------------------------------------------------------------------------------------ charts

def _texts(figure: Figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(matplotlib.text.Text)]


def _check_frame(figure: Figure, title: str, source: str = SOURCE) -> None:
    """Every chart: a Figure with the title, both axis labels, and the source line."""
    assert isinstance(figure, Figure)
    ax = figure.axes[0]
    assert ax.get_title(loc="left").replace("\n", " ") == title
    assert ax.get_xlabel() and ax.get_ylabel()
    assert [t.get_text() for t in figure.texts if t.get_gid() == "source-line"] == [source]


@pytest.fixture
def by_country() -> pd.DataFrame:
    return pd.DataFrame({"country": ["United Kingdom of Great Britain and Northern Ireland", "France", "China"],
                         "count": [14, 11, 2]})


@pytest.mark.parametrize("horizontal", [False, True])
def test_bar_chart_draws_the_rows_in_order_with_short_labels(by_country, horizontal):
    figure = plots.bar_chart(by_country, x="country", y="count", horizontal=horizontal, title="Speeches",
                             xlabel="Country", ylabel="Speeches (count)", source=SOURCE, value_format="{:.0f}")
    _check_frame(figure, "Speeches")
    ax = figure.axes[0]
    bars = ax.patches
    drawn = [bar.get_width() if horizontal else bar.get_height() for bar in bars]
    assert drawn == by_country["count"].tolist()
    ticks = ax.get_yticklabels() if horizontal else ax.get_xticklabels()
    assert [t.get_text() for t in ticks] == ["United Kingdom", "France", "China"]
    assert {"14", "11", "2"} <= set(_texts(figure))


def test_bar_chart_colours_by_category(by_country):
    colours = {"France": "#0072B2"}
    figure = plots.bar_chart(by_country, x="country", y="count", color=colours, title="t", xlabel="x",
                             ylabel="y")
    faces = [matplotlib.colors.to_hex(bar.get_facecolor()) for bar in figure.axes[0].patches]
    assert faces == [plots.NEUTRAL_COLOR.lower(), "#0072b2", plots.NEUTRAL_COLOR.lower()]


def test_bar_chart_thins_labels_when_there_are_many_bars():
    data = pd.DataFrame({"sentence_id": range(100), "n": range(100)})
    figure = plots.bar_chart(data, x="sentence_id", y="n", title="t", xlabel="x", ylabel="y")
    ticks = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    assert len(figure.axes[0].patches) == 100
    assert 20 <= len(ticks) <= 40 and ticks[:3] == ["0", "3", "6"]


def test_charts_refuse_missing_columns_and_need_a_title(by_country):
    with pytest.raises(ValueError, match="bar_chart: no column 'n' in the data"):
        plots.bar_chart(by_country, x="country", y="n", title="t", xlabel="x", ylabel="y")
    with pytest.raises(TypeError, match="expects a DataFrame"):
        plots.bar_chart([1, 2], x="a", y="b", title="t", xlabel="x", ylabel="y")
    with pytest.raises(ValueError, match="needs a title"):
        plots.bar_chart(by_country, x="country", y="count", title="", xlabel="x", ylabel="y")


@pytest.mark.parametrize("rows, reason", [(0, "there is nothing to draw: no categories"),
                                          (1, "only one category (United Kingdom")])
def test_a_chart_the_data_cannot_support_is_skipped_with_the_reason(by_country, rows, reason):
    skipped = plots.bar_chart(by_country.iloc[:rows], x="country", y="count", title="Nothing", xlabel="x",
                              ylabel="y (count)", source=SOURCE)
    assert isinstance(skipped, plots.Skipped) and reason in str(skipped)
    assert str(skipped).startswith("Not drawn: Nothing.")
    single = plots.bar_chart(by_country.iloc[:1], x="country", y="count", title="One speech", xlabel="x",
                             ylabel="y", min_categories=1)
    assert isinstance(single, Figure)  # a view of one speech's parts may draw one bar


def test_histogram_chart_draws_each_bin():
    table = aggregate.histogram_table([1, 2, 2, 4, 4, 4], bins=3)
    figure = plots.histogram_chart(table, title="Lengths", xlabel="Length (tokens)", ylabel="Speeches (count)",
                                   source=SOURCE)
    _check_frame(figure, "Lengths")
    bars = figure.axes[0].patches
    assert [bar.get_height() for bar in bars] == table["count"].tolist()
    assert [bar.get_x() for bar in bars] == pytest.approx(table["bin_start"].tolist())
    assert [bar.get_x() + bar.get_width() for bar in bars] == pytest.approx(table["bin_end"].tolist())


def test_histogram_of_one_value_is_skipped():
    skipped = plots.histogram_chart(aggregate.histogram_table([681], bins=30), title="Lengths", xlabel="x",
                                    ylabel="y")
    assert isinstance(skipped, plots.Skipped) and "every value is 681" in skipped.reason


@pytest.fixture
def shares() -> pd.DataFrame:
    return pd.DataFrame({"country": ["France", "France", "China", "China"], "label": ["a", "b", "a", "b"],
                         "share": [0.5, 0.2, 0.4, 0.1], "lower": [0.4, 0.1, 0.2, 0.0], "upper": [0.6, 0.3, 0.7, 0.3],
                         "n_speeches": [12, 12, 3, 3], "few": [False, False, True, True]})


def test_interval_chart_draws_points_intervals_and_n(shares):
    figure = plots.interval_chart(shares, label="country", value="share", series="label", title="Shares",
                                  xlabel="Share of sentences", ylabel="Country (speeches)", source=SOURCE)
    _check_frame(figure, "Shares")
    ax = figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["France (12)", "China (3)"]
    points = [collection for collection in ax.collections if isinstance(collection, PathCollection)]
    assert [p.get_offsets()[:, 0].tolist() for p in points] == [[0.5, 0.4], [0.2, 0.1]]
    whiskers = [c for c in ax.collections if not isinstance(c, PathCollection)]
    assert [segment[:, 0].tolist() for segment in whiskers[0].get_segments()] == [[0.4, 0.6], [0.2, 0.7]]
    # China rests on fewer than MIN_SPEECHES speeches: hollow, and the legend says so
    assert matplotlib.colors.to_hex(points[0].get_facecolors()[1]) == "#ffffff"
    assert any("fewer than" in text for text in _texts(figure))


def test_timeline_chart_uses_a_real_axis_and_breaks_lines_at_gaps():
    data = pd.DataFrame({"year": [2002, 2003, 2014, 2016], "share": [0.1, 0.2, 0.3, 0.2],
                         "lower": [0.0, 0.1, 0.2, 0.1], "upper": [0.2, 0.3, 0.4, 0.3],
                         "n_speeches": [16, 85, 123, 2], "few": [False, False, False, True]})
    figure = plots.timeline_chart(data, x="year", value="share", title="Over time", ylabel="Share",
                                  source=SOURCE)
    top, bottom = figure.axes
    lines = top.get_lines()
    assert [line.get_xdata().tolist() for line in lines] == [[2002.0, 2003.0]]  # no line across 2003-2014
    assert [bar.get_height() for bar in bottom.patches] == [16, 85, 123, 2]
    assert [bar.get_x() + bar.get_width() / 2 for bar in bottom.patches] == pytest.approx([2002, 2003, 2014, 2016])
    one_year = plots.timeline_chart(data.iloc[:1], x="year", value="share", title="Over time", ylabel="Share")
    assert isinstance(one_year, plots.Skipped) and "only one period (2002)" in one_year.reason


def test_reference_lines_and_thresholds_are_drawn(by_country):
    figure = plots.bar_chart(by_country, x="country", y="count", horizontal=True, title="Keyness", xlabel="G²",
                             ylabel="Term", reference_lines=[(10.83, "p = 0.001")])
    assert [line.get_xdata()[0] for line in figure.axes[0].get_lines()] == [10.83]
    data = pd.DataFrame({"term": ["isil", "ukraine"], "z": [4.5, -3.0]})
    figure = plots.diverging_bar_chart(data, label="term", value="z", title="z", xlabel="z", threshold=1.96)
    assert sorted(line.get_xdata()[0] for line in figure.axes[0].get_lines()) == [-1.96, 0, 1.96]


def test_saved_files_carry_title_source_and_kind(tmp_path, by_country):
    from PIL import Image

    saved = plots.save_figure(_chart(by_country), "chart", by_country, out_dir=tmp_path)
    with Image.open(saved.png) as image:
        assert image.info["Title"] == "Speeches by country"
        assert image.info["Description"] == SOURCE and image.info["Keywords"] == "bar"
    assert "<dc:description>" in saved.svg.read_text()


def test_heatmap_draws_the_matrix_and_writes_cells():
    matrix = pd.DataFrame([[0.5, 0.25], [np.nan, 1.0]], index=["France", "China"],
                          columns=["terrorism", "cooperation"])
    figure = plots.heatmap(matrix, title="Themes", xlabel="Theme", ylabel="Country",
                           value_label="Theme score (share)", source=SOURCE)
    _check_frame(figure, "Themes")
    image = figure.axes[0].images[0]
    drawn = image.get_array()
    assert drawn.mask.tolist() == [[False, False], [True, False]]
    assert drawn.filled(-1).tolist() == [[0.5, 0.25], [-1, 1.0]]
    assert {"0.50", "0.25", "1.00"} <= set(_texts(figure))
    assert "Theme score (share)" in _texts(figure)


def test_diverging_bar_chart_colours_by_sign():
    data = pd.DataFrame({"term": ["isil", "ukraine"], "z": [4.5, -3.0]})
    figure = plots.diverging_bar_chart(data, label="term", value="z", title="Keyness", xlabel="log-odds z",
                                       ylabel="Term", source=SOURCE)
    _check_frame(figure, "Keyness")
    bars = figure.axes[0].patches
    assert [bar.get_width() for bar in bars] == [4.5, -3.0]
    assert matplotlib.colors.to_hex(bars[0].get_facecolor()) != matplotlib.colors.to_hex(bars[1].get_facecolor())


def test_sentence_strip_marks_themes_and_stance():
    table = pd.DataFrame({"sentence_id": [0, 1, 2], "terrorism": [1, 0, 1], "cooperation": [0, 1, 0],
                          "stance": ["condemn", "support", ""]})
    figure = plots.sentence_strip(table, themes=["terrorism", "cooperation"], title="Speech", source=SOURCE)
    _check_frame(figure, "Speech")
    points = [c.get_offsets() for c in figure.axes[0].collections if isinstance(c, PathCollection)]
    terrorism, cooperation, *stances = points
    assert terrorism.tolist() == [[0, 0], [2, 0]]
    assert cooperation.tolist() == [[1, 1]]
    assert sorted(xy for s in stances for xy in s[:, 0].tolist()) == [0, 1, 2]
    assert all(row == 2 for s in stances for row in s[:, 1].tolist())


def test_long_titles_wrap_and_theme_and_stance_colours_differ(by_country):
    title = "Themes and stance, sentence by sentence: Kazakhstan (Mr. Abdrakhmanov), S/PV.7316, 2014"
    figure = plots.bar_chart(by_country, x="country", y="count", title=title, xlabel="x", ylabel="y")
    lines = figure.axes[0].get_title(loc="left").split("\n")
    assert len(lines) == 2 and all(len(line) <= plots.TITLE_WIDTH for line in lines)
    assert " ".join(lines) == title
    themes = plots.theme_colors(["a", "b", "c", "d", "e"])
    stances = plots.stance_colors(["s", "o", "c", "n"], default="n")
    assert not set(themes.values()) & set(stances.values())
    assert len(set(themes.values())) == 5 and len(set(stances.values())) == 4 and stances["n"] == plots.NEUTRAL_COLOR
    assert set(themes.values()) | set(stances.values()) - {plots.NEUTRAL_COLOR} <= set(plots.OKABE_ITO.values())
    # colours follow the files' order, not the names: a sixth theme starts the palette again
    assert plots.theme_colors(["x", "y", "z", "u", "v", "w"])["w"] == themes["a"]


def test_chart_draws_into_a_given_axes_and_leaves_rcparams_alone(by_country):
    before = dict(matplotlib.rcParams)
    figure = Figure()
    ax = figure.add_subplot()
    returned = plots.bar_chart(by_country, x="country", y="count", title="t", xlabel="x", ylabel="y", ax=ax)
    assert returned is figure and len(ax.patches) == 3
    assert dict(matplotlib.rcParams) == before


# ------------------------------------------------------------------------------------------------ saving

def _chart(by_country) -> Figure:
    return plots.bar_chart(by_country, x="country", y="count", horizontal=True, title="Speeches by country",
                           xlabel="Speeches (count)", ylabel="Country", source=SOURCE)


def test_save_figure_writes_png_svg_and_the_plotted_numbers(tmp_path, by_country):
    saved = plots.save_figure(_chart(by_country), "01-by-country", by_country, out_dir=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["01-by-country.csv", "01-by-country.png",
                                                         "01-by-country.svg"]
    assert saved.paths == (tmp_path / "01-by-country.png", tmp_path / "01-by-country.svg",
                           tmp_path / "01-by-country.csv")
    written = pd.read_csv(saved.csv)
    pd.testing.assert_frame_equal(written, by_country)
    png = saved.png.read_bytes()
    assert png.startswith(b"\x89PNG") and png == saved.png_bytes
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (plots.FIGSIZE[0] * plots.DPI, plots.FIGSIZE[1] * plots.DPI)
    assert saved.svg.read_text().lstrip().startswith("<?xml")
    assert repr(saved) == "<figure 01-by-country: .png .svg .csv>"


def test_csv_holds_the_numbers_drawn(tmp_path):
    data = pd.DataFrame({"year": ["2003", "2014", "2019"], "count": [155, 185, 24]})
    figure = plots.bar_chart(data, x="year", y="count", title="By year", xlabel="Year",
                             ylabel="Speeches (count)")
    drawn = [bar.get_height() for bar in figure.axes[0].patches]
    labels = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    saved = plots.save_figure(figure, "by-year", data, out_dir=tmp_path)
    written = pd.read_csv(saved.csv, dtype={"year": str})
    assert written["count"].tolist() == drawn
    assert written["year"].tolist() == labels


def test_save_figure_writes_wide_frames_and_series_with_their_index(tmp_path):
    matrix = pd.DataFrame([[0.5, 0.25]], index=pd.Index(["France"], name="country"),
                          columns=["terrorism", "cooperation"])
    figure = plots.heatmap(matrix, title="t", xlabel="x", ylabel="y", value_label="v")
    saved = plots.save_figure(figure, "matrix", matrix, out_dir=tmp_path)
    assert saved.csv.read_text() == "country,terrorism,cooperation\nFrance,0.500000,0.250000\n"
    series = pd.Series([3, 4], index=pd.Index(["a", "b"], name="theme"), name="sentences")
    figure = plots.bar_chart(series.reset_index(), x="theme", y="sentences", title="t", xlabel="x", ylabel="y")
    saved = plots.save_figure(figure, "series", series, out_dir=tmp_path)
    assert saved.csv.read_text() == "theme,sentences\na,3\nb,4\n"


def test_two_renders_give_identical_bytes(tmp_path, by_country):
    first = plots.save_figure(_chart(by_country), "chart", by_country, out_dir=tmp_path / "a")
    second = plots.save_figure(_chart(by_country), "chart", by_country, out_dir=tmp_path / "b")
    for one, two in zip(first.paths, second.paths):
        assert one.read_bytes() == two.read_bytes(), one.name


def test_files_carry_no_date_or_software_version(tmp_path, by_country):
    saved = plots.save_figure(_chart(by_country), "chart", by_country, out_dir=tmp_path)
    svg = saved.svg.read_text()
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg and matplotlib.__version__ not in svg
    assert b"Software" not in saved.png.read_bytes() and matplotlib.__version__.encode() not in saved.png_bytes
    ids = re.findall(r'id="([^"]+)"', svg)
    assert ids and ids == re.findall(r'id="([^"]+)"', plots.render(_chart(by_country), "svg").decode())


def test_save_figure_refuses_bad_names_and_inputs(tmp_path, by_country):
    for name in ["", "../escape", "a b", ".hidden"]:
        with pytest.raises(ValueError, match="must be a file stem"):
            plots.save_figure(_chart(by_country), name, by_country, out_dir=tmp_path)
    with pytest.raises(TypeError, match="expects a matplotlib Figure"):
        plots.save_figure("figure", "x", by_country, out_dir=tmp_path)
    with pytest.raises(TypeError, match="must be a DataFrame or Series"):
        plots.save_figure(_chart(by_country), "x", [1, 2], out_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_save_figure_closes_a_pyplot_figure(tmp_path, by_country):
    import matplotlib.pyplot as plt

    figure = plt.figure()
    plots.bar_chart(by_country, x="country", y="count", title="t", xlabel="x", ylabel="y", ax=figure.add_subplot())
    assert plt.fignum_exists(figure.number)
    plots.save_figure(figure, "chart", by_country, out_dir=tmp_path)
    assert not plt.fignum_exists(figure.number)


def test_saved_figure_shows_as_its_png_in_a_notebook(tmp_path, by_country):
    saved = plots.save_figure(_chart(by_country), "chart", by_country, out_dir=tmp_path)
    data, metadata = saved._repr_png_()
    assert data == saved.png.read_bytes() and metadata["width"] > 0
