"""Tests for analysis/aggregate.py: counts, shares, rates and means per group with bootstrap intervals."""
from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from analysis import aggregate


def test_module_doctests():
    result = doctest.testmod(aggregate, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 8 and result.failed == 0


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
    table = aggregate.count_by(documents, "country")
    assert table.to_dict("list") == {"country": ["(not given)", "France", "China"], "count": [2, 2, 1]}
    assert table["count"].dtype == "int64"


def test_count_by_value_order_is_numeric_and_top_n_keeps_the_largest(documents):
    assert aggregate.count_by(documents, "year", sort="value").to_dict("list") == {
        "year": ["2003", "2014", "2019"], "count": [2, 2, 1]}
    assert aggregate.count_by(documents, "year", top_n=2, sort="value")["year"].tolist() == ["2003", "2014"]
    sessions = pd.DataFrame({"session": ["9", "10", "10"]})
    assert aggregate.count_by(sessions, "session", sort="value")["session"].tolist() == ["9", "10"]


def test_count_by_rejects_unknown_column_and_sort(documents):
    with pytest.raises(ValueError, match="no column 'body' in the data; columns are: doc_id, country"):
        aggregate.count_by(documents, "body")
    with pytest.raises(ValueError, match="sort must be 'count' or 'value'"):
        aggregate.count_by(documents, "year", sort="size")


def test_histogram_table_equals_numpy_histogram():
    values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
    table = aggregate.histogram_table(values, bins=4)
    counts, edges = np.histogram(values, bins=4)
    assert table["count"].tolist() == counts.tolist()
    assert table["bin_start"].tolist() == edges[:-1].tolist() and table["bin_end"].tolist() == edges[1:].tolist()


def test_histogram_table_drops_missing_and_handles_empty():
    assert aggregate.histogram_table([1.0, None, float("nan"), 3.0], bins=2)["count"].tolist() == [1, 1]
    empty = aggregate.histogram_table([], bins=5)
    assert empty.empty and list(empty.columns) == ["bin_start", "bin_end", "count"]
    with pytest.raises(ValueError, match="bins must be at least 1"):
        aggregate.histogram_table([1, 2], bins=0)


def test_complete_rates_fills_the_periods_a_term_is_missing_from():
    rates = pd.DataFrame({"period": ["2003", "2003", "2014"], "term": ["iraq", "other", "isil"],
                          "count": [4, 9, 2], "rate_per_10k": [8.0, 18.0, 1.5]})
    table = aggregate.complete_rates(rates, ["isil", "iraq", "isil"], periods=["2003", "2014", "2019"])
    assert table.to_dict("list") == {
        "period": ["2003", "2003", "2014", "2014", "2019", "2019"],
        "term": ["isil", "iraq", "isil", "iraq", "isil", "iraq"],
        "count": [0, 4, 2, 0, 0, 0], "rate_per_10k": [0.0, 8.0, 1.5, 0.0, 0.0, 0.0]}


def test_extremes_keeps_both_ends_and_never_repeats_a_row():
    table = pd.DataFrame({"term": list("abcdefg"), "z": [3.0, -1.0, 2.0, 0.0, -4.0, 1.0, 2e-16]})
    assert aggregate.extremes(table, "z", 2)["term"].tolist() == ["a", "c", "b", "e"]
    assert aggregate.extremes(table, "z", 10)["term"].tolist() == ["a", "c", "f", "b", "e"]
    assert aggregate.extremes(table, "z", 0).empty


def test_sentence_theme_table_marks_each_theme():
    sentences = pd.DataFrame({"doc_id": ["a", "a", "a"], "sentence_id": [0, 1, 2],
                              "themes": ["terrorism;trafficking", "", None], "stance": ["condemn", "", None]})
    table = aggregate.sentence_theme_table(sentences, ["terrorism", "trafficking", "cooperation"])
    assert table.to_dict("list") == {
        "doc_id": ["a", "a", "a"], "sentence_id": [0, 1, 2], "terrorism": [1, 0, 0], "trafficking": [1, 0, 0],
        "cooperation": [0, 0, 0], "stance": ["condemn", "", ""]}


# ------------------------------------------------------------------------------------------------ intervals

@pytest.fixture
def sentences() -> pd.DataFrame:
    """Three speeches of country X (one sentence of two carries terrorism in each) and one of Y (all of two)."""
    rows = []
    for doc, country, themes in [("a", "X", ["terrorism", ""]), ("b", "X", ["terrorism", ""]),
                                 ("c", "X", ["terrorism;trafficking", ""]), ("d", "Y", ["terrorism", "terrorism"])]:
        rows += [{"doc_id": doc, "country": country, "themes": theme} for theme in themes]
    return pd.DataFrame(rows)


def test_group_shares_are_ratios_of_sums_with_their_n(sentences):
    table = aggregate.group_shares(sentences, column="themes", labels=["terrorism", "trafficking"], by="country",
                                   n_boot=200)
    x = table[table["country"] == "X"].set_index("label")
    assert x.loc["terrorism", "share"] == 0.5 and x.loc["trafficking", "share"] == pytest.approx(1 / 6)
    assert x.loc["terrorism", "n_speeches"] == 3 and x.loc["terrorism", "n_sentences"] == 6
    # every speech of X has the same share, so resampling speeches cannot move it
    assert x.loc["terrorism", "lower"] == x.loc["terrorism", "upper"] == 0.5
    assert table["few"].all()  # fewer than MIN_SPEECHES speeches in each group


def test_the_interval_resamples_speeches_not_sentences():
    """Two speeches, one all about a theme and one not at all: the share is 1/2, and resampling the two
    speeches gives replicates of 0, 1/2 or 1; resampling 200 sentences would give a narrow interval."""
    sentences = pd.DataFrame({"doc_id": ["a"] * 100 + ["b"] * 100, "themes": ["x"] * 100 + [""] * 100})
    table = aggregate.group_shares(sentences, column="themes", labels=["x"], n_boot=500)
    assert table.loc[0, "share"] == 0.5
    assert table.loc[0, "lower"] == 0.0 and table.loc[0, "upper"] == 1.0


def test_intervals_are_deterministic_and_each_group_has_its_own_stream(sentences):
    one = aggregate.group_shares(sentences, column="themes", labels=["terrorism"], by="country", seed=3)
    two = aggregate.group_shares(sentences, column="themes", labels=["terrorism"], by="country", seed=3)
    pd.testing.assert_frame_equal(one, two)
    alone = aggregate.group_shares(sentences[sentences["country"] == "X"], column="themes", labels=["terrorism"],
                                   by="country", seed=3)
    pd.testing.assert_frame_equal(alone, one[one["country"] == "X"].reset_index(drop=True))


def test_interval_coverage_on_simulated_speeches():
    """Speeches with a true share of 0.3 and varying lengths: the 95 % interval covers 0.3 in most of 200
    simulated corpora (a check of the method, not of one number)."""
    rng = np.random.default_rng(0)
    covered = 0
    for _ in range(200):
        lengths = rng.integers(5, 60, size=40)
        counts = rng.binomial(lengths, 0.3)
        units = pd.DataFrame({"hits": counts, "n": lengths})
        row = aggregate.ratio_by_group(units, numerators=["hits"], denominator="n", n_boot=300,
                                       seed=int(rng.integers(1 << 30))).iloc[0]
        covered += row["lower"] <= 0.3 <= row["upper"]
    assert 0.88 <= covered / 200 <= 0.99


def test_rates_and_means(documents):
    documents = documents.assign(n_mentions_x=[3, 0, 9, 4, 0])
    rates = aggregate.group_rates(documents, columns=["n_mentions_x"], by="country", n_boot=0)
    france = rates[rates["country"] == "France"].iloc[0]
    assert france["rate"] == pytest.approx(12 / 1200 * 1000) and france["n_tokens"] == 1200
    means = aggregate.group_means(documents, columns=["n_sentences"], n_boot=0)
    assert means.loc[0, "mean"] == pytest.approx(81 / 5) and means.loc[0, "n_speeches"] == 5


def test_shares_within_each_theme(sentences):
    sentences = sentences.assign(stance=["condemn", "neutral"] * 4)
    table = aggregate.shares_within(sentences, column="stance", labels=["condemn", "neutral"], within="themes",
                                    groups=["terrorism", "trafficking"], none_label="(no theme)", n_boot=0)
    share = table.set_index(["themes", "label"])["share"]
    assert share["terrorism", "condemn"] == pytest.approx(4 / 5)  # four condemn of five terrorism sentences
    assert share["trafficking", "condemn"] == 1.0
    assert share["(no theme)", "neutral"] == 1.0


def test_wilson_interval_and_reliability_table():
    lower, upper = aggregate.wilson_interval(np.array([0, 10]), np.array([10, 10]))
    assert lower[0] == pytest.approx(0.0, abs=1e-12) and 0.2 < upper[0] < 0.35
    assert upper[1] == pytest.approx(1.0) and 0.65 < lower[1] < 0.8
    table = aggregate.reliability_table([True, False, True, True], [0.91, 0.95, 0.15, 0.12], n_bins=10)
    assert table["n_sentences"].tolist() == [2, 2]
    assert table["accuracy"].tolist() == [1.0, 0.5]
    assert table["mean_score"].tolist() == pytest.approx([0.135, 0.93])


def test_bad_options_are_refused(sentences):
    with pytest.raises(ValueError, match="level must lie between 0 and 1"):
        aggregate.group_shares(sentences, column="themes", labels=["x"], level=95)
    with pytest.raises(ValueError, match="n_boot must be >= 0"):
        aggregate.group_shares(sentences, column="themes", labels=["x"], n_boot=-1)
