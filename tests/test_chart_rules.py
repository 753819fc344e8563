"""Every chart the notebooks draw follows the chart rules of analysis/plots/rules.py (a chart is a claim).

Runs every notebook on the default corpora (the sample speech for 00, six General Debate sessions for the others)
and on ``../shared/corpora/unsc_umuc``, then reads each saved figure back: its table (the CSV of the numbers
drawn) and the title, source line and kind its PNG carries. Checked, per kind of chart:

* every chart states its n: a column of speeches, sentences or counts in its table;
* shares, rates and means carry intervals, and each point lies inside its interval;
* time is a real axis (numeric periods);
* keyness charts hold only terms above the significance threshold and the minimum count;
* no chart of one category outside the single-speech views (``00-``);
* titles that say "The N …" show N rows; footers name the data drawn (the corpus and its number of speeches, or
  the gold file and its sentences).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from analysis import paths, plots, views
from analysis.reports import find_notebooks, run_notebooks

#: Columns that state how many speeches, sentences or items stand behind a row.
N_COLUMNS = {"n_speeches", "n_sentences", "count", "sentences", "support", "n_using", "n_tokens", "count_target",
             "n_texts"}


def figure_facts(png: Path) -> dict[str, str]:
    """The title, source line and kind a saved PNG carries."""
    with Image.open(png) as image:
        return {key: image.info.get(key, "") for key in ("Title", "Description", "Keywords")}


def rule_violations(figures_dir: Path, *, n_speeches: dict[str, int]) -> list[str]:
    """Every breach of the chart rules among the figures of a folder (``n_speeches``: the corpus's speeches, by
    the notebook prefix of the figures that describe it)."""
    found = []
    for png in sorted(figures_dir.glob("*.png")):
        name = png.stem
        facts = figure_facts(png)
        table = pd.read_csv(png.with_suffix(".csv"), keep_default_na=False)
        kind, title, source = facts["Keywords"], facts["Title"], facts["Description"]

        def fail(message: str) -> None:
            found.append(f"{name}: {message}")

        if kind not in plots.CHART_KINDS:
            fail(f"unknown kind {kind!r}")
            continue
        if not source.startswith("Source: "):
            fail("no source line")
        if kind not in ("strip", "matrix") and not N_COLUMNS & set(table.columns):
            fail(f"no n column among {sorted(table.columns)}")
        if kind in ("interval", "timeline", "reliability"):
            value = next(c for c in ("share", "rate", "mean", "f1", "accuracy", "value", "position")
                         if c in table.columns)
            inside = table[value].between(table["lower"] - 1e-9, table["upper"] + 1e-9) | table["lower"].isna()
            if not {"lower", "upper"} <= set(table.columns) or not inside.all():
                fail("a share, rate or mean without its interval, or outside it")
        if kind == "timeline" and pd.to_numeric(table.iloc[:, 0], errors="coerce").isna().any():
            fail("time is not a number")
        if kind in ("threshold", "keyness-z") and {"count_target", "count_reference"} <= set(table.columns):
            if ((table["count_target"] + table["count_reference"]) < plots.KEYNESS_MIN_COUNT).any():
                fail("a term below the minimum count is drawn")
        if kind == "keyness-z" and (table["z"].abs() < plots.Z_THRESHOLD).any():
            fail("a log-odds z inside the threshold is drawn")
        if kind == "threshold":
            if (table["g2"].abs() < plots.KEYNESS_G2).any():
                fail("a G² below the threshold is drawn")
            if "p" in table.columns and (pd.to_numeric(table["p"]) >= plots.KEYNESS_P).any():
                fail("a term above the significance level is drawn")
        if kind == "bar" and len(table) < plots.MIN_CATEGORIES and not name.startswith("00-"):
            fail("a chart of one category")
        stated = re.match(r"^The ([\d,]+) ", title)
        if stated and int(stated.group(1).replace(",", "")) != len(table):
            fail(f"the title says {stated.group(1)} but {len(table)} rows are drawn")
        prefix = name[:2]
        if name.startswith("04-") and name[3:] in ("blind-f1", "confusion", "reliability"):
            if "gold_blind" not in source:
                fail("a chart of the gold set whose footer does not name it")
        elif prefix in n_speeches and f"{n_speeches[prefix]:,} speech" not in source:
            fail(f"the footer does not give the {n_speeches[prefix]:,} speeches drawn: {source!r}")
    return found


def _run(tmp_path: Path, corpus: Path | None, settings: dict | None = None) -> Path:
    figures = tmp_path / "figures"
    parameters = {"out_dir": str(figures)}
    if corpus is not None:
        parameters["corpus"] = str(corpus)
    parameters.update(settings or {})
    results = run_notebooks(find_notebooks(paths.NOTEBOOKS_DIR), reports_dir=tmp_path / "reports",
                            parameters=parameters)
    assert all(result.ok for result in results), [result.error for result in results if not result.ok]
    return figures


@pytest.mark.slow
def test_charts_on_the_default_corpora_follow_the_rules(tmp_path):
    figures = _run(tmp_path, None)
    n = len(views.analyse(paths.EXAMPLE_CORPUS).documents)
    assert rule_violations(figures, n_speeches={"00": 1, **{f"0{i}": n for i in (1, 2, 3, 4, 5, 7)}}) == []
    # the single-body corpus draws no chart of speeches by body
    assert not (figures / "01-speeches-by-body.png").exists()


@pytest.mark.corpus
@pytest.mark.slow
def test_charts_on_unsc_umuc_follow_the_rules(corpora, tmp_path):
    figures = _run(tmp_path, corpora / "unsc_umuc", {"by": "meeting", "target": "S/PV.7271", "debate": "S/PV.7271"})
    n = len(views.analyse(corpora / "unsc_umuc").documents)
    assert rule_violations(figures, n_speeches={f"0{i}": n for i in (1, 2, 3, 4, 5, 7)}) == []
    assert (figures / "07-debate-positions.png").exists()  # a Council corpus places the debate's speakers
    assert (figures / "01-speeches-by-body.png").exists() is False  # every speech is the Council's


@pytest.mark.corpus
@pytest.mark.slow
def test_positions_on_the_general_debate_parquet_follow_the_rules(corpora, tmp_path):
    """07-positions on all 10,952 General Debate speeches 1946-2024: nine periods, each scaled (about 5 min)."""
    parquet = corpora / "ungdc" / "ungdc_1946_2024.parquet"
    figures = tmp_path / "figures"
    results = run_notebooks(find_notebooks(paths.NOTEBOOKS_DIR, select=["07"]), reports_dir=tmp_path / "reports",
                            parameters={"out_dir": str(figures), "corpus": str(parquet)})
    assert all(result.ok for result in results), [result.error for result in results if not result.ok]
    assert rule_violations(figures, n_speeches={"07": 10952}) == []
    drawn = {png.stem for png in figures.glob("*.png")}
    assert {"07-general-debate-countries", "07-regional-groups-over-time", "07-p5-elected-terms"} <= drawn
    assert not drawn & {"07-debate-positions", "07-debate-words"}  # no Council debate in the General Debate
    regional = pd.read_csv(figures / "07-regional-groups-over-time.csv")
    assert sorted(regional["period"].unique()) == list(range(1940, 2030, 10))


def _png(tmp_path: Path, figure, table: pd.DataFrame, name: str) -> Path:
    return plots.save_figure(figure, name, table, out_dir=tmp_path).png


def test_the_rules_catch_what_they_must(tmp_path):
    """Each rule fails a chart that breaks it (so the tests above can fail)."""
    source = plots.source_line(corpus="x", n_speeches=10)
    shares = pd.DataFrame({"group": ["a", "b"], "share": [0.2, 0.9], "lower": [0.1, 0.1], "upper": [0.3, 0.5],
                           "n_speeches": [5, 5]})
    _png(tmp_path, plots.interval_chart(shares, label="group", value="share", title="t", xlabel="x", ylabel="y",
                                        source=source),
         shares, "01-outside")
    counts = pd.DataFrame({"term": ["a"], "g2": [3.0], "count_target": [2], "count_reference": [1], "p": [0.08]})
    _png(tmp_path, plots.bar_chart(counts, x="term", y="g2", reference_lines=[(plots.KEYNESS_G2, "p")],
                                   min_categories=1, title="The 2 terms", xlabel="x", ylabel="y", source=source),
         counts, "05-keyness")
    bars = pd.DataFrame({"body": ["UNSC"], "value": [3.0]})
    _png(tmp_path, plots.bar_chart(bars, x="body", y="value", min_categories=1, title="t", xlabel="x", ylabel="y",
                                   source="Source: x, 11 speeches"), bars, "01-one")
    found = "\n".join(rule_violations(tmp_path, n_speeches={"01": 10, "05": 10}))
    for expected in ["01-outside: a share", "05-keyness: a G² below", "05-keyness: a term above",
                     "05-keyness: a term below the minimum", "05-keyness: the title says 2",
                     "01-one: no n column", "01-one: a chart of one category", "01-one: the footer does not"]:
        assert expected in found, expected


def test_a_skipped_chart_removes_its_old_files_and_says_why(tmp_path):
    table = pd.DataFrame({"body": ["UNGA", "UNSC"], "count": [3, 4]})
    figure = plots.bar_chart(table, x="body", y="count", title="Speeches by body", xlabel="x", ylabel="y")
    plots.save_figure(figure, "01-by-body", table, out_dir=tmp_path)
    skipped = plots.bar_chart(table.head(1), x="body", y="count", title="Speeches by body", xlabel="x", ylabel="y")
    assert isinstance(skipped, plots.Skipped)
    result = plots.save_figure(skipped, "01-by-body", table.head(1), out_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []
    assert "only one category (UNGA)" in result._repr_markdown_()
