"""Tests for analysis/plots.py: labels, chart data helpers, what each chart draws, and save_figure."""
from __future__ import annotations

import doctest
import re

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

from analysis import paths, plots

SOURCE = "Source: toy, 3 speeches · theme lexicon v1 · stance codebook v1"


def test_module_doctests():
    result = doctest.testmod(plots, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 8 and result.failed == 0


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
    line = plots.source_line(corpus="/x/toy", n_speeches=2403, lexicon_version="2", codebook_version="1",
                             note="rules")
    assert line == "Source: toy, 2,403 speeches · theme lexicon v2 · stance codebook v1 · rules"


# ------------------------------------------------------------------------------------------------ chart data

@pytest.fixture
def documents() -> pd.DataFrame:
    return pd.DataFrame({
        "doc_id": ["d1", "d2", "d3", "d4", "d5"],
        "country": ["France", "China", "France", "", None],
        "year": ["2014", "2003", "2014", "2019", "2003"],
        "n_sentences": [12, 3, 40, 15, 11],
        "n_tokens": [300, 50, 900, 400, 250],
    })


def test_count_by_counts_most_frequent_first_with_missing_values_named(documents):
    table = plots.count_by(documents, "country")
    assert table.to_dict("list") == {"country": ["(not given)", "France", "China"], "count": [2, 2, 1]}
    assert table["count"].dtype == "int64"


def test_count_by_value_order_and_top_n(documents):
    assert plots.count_by(documents, "year", sort="value").to_dict("list") == {
        "year": ["2003", "2014", "2019"], "count": [2, 2, 1]}
    # top_n keeps the most frequent, then sorts by value
    assert plots.count_by(documents, "year", top_n=2, sort="value")["year"].tolist() == ["2003", "2014"]


def test_count_by_rejects_unknown_column_and_sort(documents):
    with pytest.raises(KeyError, match="no column 'body' to group by; columns are: doc_id, country"):
        plots.count_by(documents, "body")
    with pytest.raises(ValueError, match="sort must be 'count' or 'value'"):
        plots.count_by(documents, "year", sort="size")


def test_histogram_table_equals_numpy_histogram():
    values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
    table = plots.histogram_table(values, bins=4)
    counts, edges = np.histogram(values, bins=4)
    assert table["count"].tolist() == counts.tolist()
    assert table["bin_start"].tolist() == edges[:-1].tolist()
    assert table["bin_end"].tolist() == edges[1:].tolist()
    assert table["count"].sum() == len(values)


def test_histogram_table_drops_missing_and_handles_empty():
    assert plots.histogram_table([1.0, None, float("nan"), 3.0], bins=2)["count"].tolist() == [1, 1]
    empty = plots.histogram_table([], bins=5)
    assert empty.empty and list(empty.columns) == ["bin_start", "bin_end", "count"]
    with pytest.raises(ValueError, match="bins must be at least 1"):
        plots.histogram_table([1, 2], bins=0)


def test_group_means_orders_groups_by_size_and_skips_missing_values(documents):
    documents = documents.assign(score=[0.5, 0.2, np.nan, 0.4, 0.1])
    table = plots.group_means(documents, "country", ["score", "n_tokens"])
    assert table.to_dict("list") == {"country": ["(not given)", "France", "China"], "rows": [2, 2, 1],
                                     "score": [0.25, 0.5, 0.2], "n_tokens": [325.0, 600.0, 50.0]}
    assert plots.group_means(documents, "year", ["n_tokens"], top_n=2, sort="value")["year"].tolist() == \
        ["2003", "2014"]


def test_label_shares_single_and_multi_label():
    sentences = pd.DataFrame({"year": ["2014", "2014", "2003", "2014"],
                              "themes": ["terrorism;trafficking", "", "cooperation", "terrorism"],
                              "stance": ["condemn", "neutral", "support", "condemn"]})
    themes = plots.label_shares(sentences, "year", "themes", ["terrorism", "trafficking", "cooperation"],
                                sort="value")
    assert themes.to_dict("list") == {"year": ["2003", "2014"], "rows": [1, 3], "terrorism": [0.0, 2 / 3],
                                      "trafficking": [0.0, 1 / 3], "cooperation": [1.0, 0.0]}
    stance = plots.label_shares(sentences, "year", "stance", ["support", "oppose", "condemn", "neutral"])
    assert stance[["support", "oppose", "condemn", "neutral"]].sum(axis=1).tolist() == [1.0, 1.0]
    assert stance["year"].tolist() == ["2014", "2003"]


def test_complete_rates_fills_the_periods_a_term_is_missing_from():
    rates = pd.DataFrame({"period": ["2003", "2003", "2014"], "term": ["iraq", "other", "isil"],
                          "count": [4, 9, 2], "rate_per_10k": [8.0, 18.0, 1.5]})
    table = plots.complete_rates(rates, ["isil", "iraq", "isil"], periods=["2003", "2014", "2019"])
    assert table.to_dict("list") == {
        "period": ["2003", "2003", "2014", "2014", "2019", "2019"],
        "term": ["isil", "iraq", "isil", "iraq", "isil", "iraq"],
        "count": [0, 4, 2, 0, 0, 0], "rate_per_10k": [0.0, 8.0, 1.5, 0.0, 0.0, 0.0]}


def test_extremes_keeps_both_ends_and_never_repeats_a_row():
    table = pd.DataFrame({"term": list("abcdefg"), "z": [3.0, -1.0, 2.0, 0.0, -4.0, 1.0, 2e-16]})
    assert plots.extremes(table, "z", 2)["term"].tolist() == ["a", "c", "b", "e"]
    assert plots.extremes(table, "z", 10)["term"].tolist() == ["a", "c", "f", "b", "e"]
    assert plots.extremes(table, "z", 0).empty


def test_sentence_theme_table_marks_each_theme():
    sentences = pd.DataFrame({"doc_id": ["a", "a", "a"], "sentence_id": [0, 1, 2],
                              "themes": ["terrorism;trafficking", "", None], "stance": ["condemn", "", None]})
    table = plots.sentence_theme_table(sentences, ["terrorism", "trafficking", "cooperation"])
    assert table.to_dict("list") == {
        "doc_id": ["a", "a", "a"], "sentence_id": [0, 1, 2], "terrorism": [1, 0, 0], "trafficking": [1, 0, 0],
        "cooperation": [0, 0, 0], "stance": ["condemn", "", ""]}


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
    with pytest.raises(KeyError, match="bar_chart: no column\\(s\\) 'n'"):
        plots.bar_chart(by_country, x="country", y="n", title="t", xlabel="x", ylabel="y")
    with pytest.raises(TypeError, match="expects a DataFrame"):
        plots.bar_chart([1, 2], x="a", y="b", title="t", xlabel="x", ylabel="y")
    with pytest.raises(ValueError, match="needs a title"):
        plots.bar_chart(by_country, x="country", y="count", title="", xlabel="x", ylabel="y")


def test_empty_data_gives_a_labelled_figure_saying_so(by_country):
    figure = plots.bar_chart(by_country.iloc[0:0], x="country", y="count", title="Nothing", xlabel="x",
                             ylabel="y (count)", source=SOURCE)
    _check_frame(figure, "Nothing")
    assert "no data to show" in _texts(figure)


def test_histogram_chart_draws_each_bin():
    table = plots.histogram_table([1, 2, 2, 4, 4, 4], bins=3)
    figure = plots.histogram_chart(table, title="Lengths", xlabel="Length (tokens)", ylabel="Speeches (count)",
                                   source=SOURCE)
    _check_frame(figure, "Lengths")
    bars = figure.axes[0].patches
    assert [bar.get_height() for bar in bars] == table["count"].tolist()
    assert [bar.get_x() for bar in bars] == pytest.approx(table["bin_start"].tolist())
    assert [bar.get_x() + bar.get_width() for bar in bars] == pytest.approx(table["bin_end"].tolist())


def test_line_chart_draws_one_line_per_series_in_x_order():
    data = pd.DataFrame({"year": ["2002", "2003", "2014"] * 2, "term": ["iraq"] * 3 + ["women"] * 3,
                         "rate": [1.5, 2.0, 0.5, 0.0, 0.25, 3.0]})
    figure = plots.line_chart(data, x="year", y="rate", series="term", title="Rates", xlabel="Year",
                              ylabel="Rate per 10,000 tokens", source=SOURCE)
    _check_frame(figure, "Rates")
    ax = figure.axes[0]
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["iraq", "women"]
    assert lines[0].get_ydata().tolist() == [1.5, 2.0, 0.5]
    assert lines[1].get_ydata().tolist() == [0.0, 0.25, 3.0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2002", "2003", "2014"]


def test_stacked_bar_chart_stacks_the_columns():
    data = pd.DataFrame({"country": ["France", "China"], "support": [0.5, 0.2], "oppose": [0.1, np.nan],
                         "neutral": [0.4, 0.8]})
    figure = plots.stacked_bar_chart(data, index="country", columns=["support", "oppose", "neutral"],
                                     colors=plots.STANCE_COLORS, title="Stance", xlabel="Share of sentences",
                                     ylabel="Country", source=SOURCE)
    _check_frame(figure, "Stance")
    bars = figure.axes[0].patches
    widths = np.array([bar.get_width() for bar in bars]).reshape(3, 2)
    assert widths.ravel().tolist() == pytest.approx([0.5, 0.2, 0.1, 0.0, 0.4, 0.8])
    lefts = np.array([bar.get_x() for bar in bars]).reshape(3, 2)
    assert lefts[2].tolist() == pytest.approx([0.6, 0.2])
    assert matplotlib.colors.to_hex(bars[0].get_facecolor()) == plots.STANCE_COLORS["support"].lower()


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
    assert not set(plots.THEME_COLORS.values()) & set(plots.STANCE_COLORS.values())
    assert set(plots.THEME_COLORS.values()) | set(plots.STANCE_COLORS.values()) - {"#BBBBBB"} <= \
        set(plots.OKABE_ITO.values())


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
