"""Tests for analysis.views.positions (and views.compare_blocs): the scalings notebook 07 draws."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from analysis import plots, views
from analysis.views.positions import NOT_A_STATE, POSITION_COLUMNS

SYLLABLES = ["ba", "ko", "mi", "tu", "ze", "ra", "lo"]
WORDS = ["".join(pair) + "n" for pair in itertools.product(SYLLABLES, repeat=2)]  # 49 made-up content words
STATES = ["USA", "GBR", "FRA", "DEU", "BRA", "IND", "CHN", "RUS", "IRN", "CUB"]
GROUPS = {"USA": "Western European and Others", "GBR": "Western European and Others",
          "FRA": "Western European and Others", "DEU": "Western European and Others",
          "BRA": "Latin American and Caribbean", "CUB": "Latin American and Caribbean", "IND": "Asia-Pacific",
          "CHN": "Asia-Pacific", "IRN": "Asia-Pacific", "RUS": "Eastern European"}
STATUS = {"USA": "P5", "GBR": "P5", "FRA": "P5", "CHN": "P5", "RUS": "P5", "BRA": "elected", "IND": "elected",
          "DEU": "elected", "IRN": "non-member", "CUB": "non-member"}
#: Positions the simulated texts are drawn from: USA high, CUB low.
TRUTH = dict(zip(STATES, np.linspace(1.5, -1.5, len(STATES))))


def _texts(theta: dict[str, float], *, seed: int, length: int = 600) -> dict[str, str]:
    """Texts drawn from Wordfish's own model: word j's rate grows as exp(β_j θ)."""
    rng = np.random.default_rng(seed)
    beta = np.linspace(-1.2, 1.2, len(WORDS))
    texts = {}
    for state, position in theta.items():
        rates = np.exp(beta * position)
        counts = rng.multinomial(length, rates / rates.sum())
        tokens = [word for word, count in zip(WORDS, counts) for _ in range(count)]
        texts[state] = " ".join(rng.permutation(tokens)) + "."
    return texts


def _speeches(*, year: int, meeting: str, body: str, seed: int, theta=TRUTH) -> pd.DataFrame:
    texts = _texts(theta, seed=seed)
    return pd.DataFrame({
        "doc_id": [f"{body}_{state}_{year}" for state in theta], "body": body, "country": list(theta),
        "speaker": "", "year": year, "meeting": meeting, "iso3": list(theta),
        "un_group": [GROUPS[state] for state in theta], "council_status": [STATUS[state] for state in theta],
        "n_tokens": 600, "text": [texts[state] for state in theta]})


@pytest.fixture(scope="module")
def debate():
    return _speeches(year=2014, meeting="S/PV.1", body="UNSC", seed=1)


@pytest.fixture(scope="module")
def general_debate():
    later = {state: -value for state, value in TRUTH.items()}  # the order turns round in the second period
    return pd.concat([_speeches(year=1984, meeting="", body="UNGA", seed=2),
                      _speeches(year=2014, meeting="", body="UNGA", seed=3, theta=later)], ignore_index=True)


def test_scaling_units_join_a_states_speeches_and_name_the_others_by_speaker():
    documents = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "country": ["France", "France", "", ""],
                              "iso3": ["FRA", "FRA", "", ""], "speaker": ["", "", "Mr. Guterres", ""],
                              "year": [2014, 2015, 2014, 2014], "text": ["one", "two", "three", "four"],
                              "n_tokens": [1, 1, 1, 1]})
    units = views.scaling_units(documents)
    assert units["unit"].tolist() == ["FRA", "Mr. Guterres", "d"]
    assert units.set_index("unit").loc["FRA", ["n_speeches", "text"]].tolist() == [2, "one\n\ntwo"]
    by_year = views.scaling_units(documents, period="year")
    assert by_year["unit"].tolist() == ["FRA 2014", "Mr. Guterres 2014", "d 2014", "FRA 2015"]


@pytest.mark.parametrize("meeting,expected", [
    (None, ("S/PV.2", "")),
    ("S/PV.1", ("S/PV.1", "")),
    ("S/PV.9", ("", "No speech of the corpus has meeting = 'S/PV.9'.")),
])
def test_pick_debate(meeting, expected):
    documents = pd.DataFrame({"meeting": ["S/PV.1", "S/PV.2", "S/PV.2", ""], "body": ["UNSC"] * 3 + ["UNGA"]})
    assert views.pick_debate(documents, meeting) == expected


def test_pick_debate_says_why_there_is_none():
    assert "no Security Council meeting" in views.pick_debate(pd.DataFrame({"meeting": ["", ""]}))[1]
    assert "records no meetings" in views.pick_debate(pd.DataFrame({"year": [2014]}))[1]


def test_debate_positions_recover_the_simulated_order_with_intervals_and_poles(debate):
    scaled = views.debate_positions(debate, direction=("CUB", "USA"), n_boot=20)
    assert scaled.reason == "" and "oriented so that USA lies above CUB" in scaled.description
    table = scaled.table.set_index("iso3")
    assert list(scaled.table.columns) == POSITION_COLUMNS
    truth = pd.Series(TRUTH)[table.index]
    assert np.corrcoef(table["position"], truth)[0, 1] > 0.95
    assert (table["lower"] <= table["position"]).all() and (table["position"] <= table["upper"]).all()
    assert scaled.table["position"].is_monotonic_increasing
    poles = scaled.poles(3, min_count=1)
    assert len(poles) == 6 and poles["beta"].is_monotonic_decreasing
    assert set(poles["term"].head(3)) <= set(WORDS[-8:])  # the words whose rate rises with position
    assert set(poles["term"].tail(3)) <= set(WORDS[:8])


def test_direction_flips_the_scale(debate):
    up = views.debate_positions(debate, direction=("CUB", "USA"), n_boot=0).table.set_index("iso3")["position"]
    down = views.debate_positions(debate, direction=("USA", "CUB"), n_boot=0).table.set_index("iso3")["position"]
    pd.testing.assert_series_equal(up.sort_index(), -down.sort_index(), atol=1e-6)


def test_a_corpus_without_a_debate_or_with_too_few_speakers_is_skipped_with_the_reason(debate, general_debate):
    none = views.debate_positions(general_debate)
    assert none.table.empty and "no Security Council meeting" in none.reason
    assert isinstance(none.skip("t"), plots.Skipped) and none.skip("t").reason == none.reason
    few = views.debate_positions(debate.head(3))
    assert few.reason == "Only 3 texts: Wordfish needs at least 5."
    assert views.debate_positions(debate).skip("t") is None


def test_period_positions_fit_one_model_per_period(general_debate, debate):
    scaled = views.period_positions(pd.concat([general_debate, debate]), years=10, direction=("CUB", "USA"),
                                    min_docs=2)
    assert scaled.periods == ["1980", "2010"] and len(scaled.table) == 2 * len(STATES)  # the Council left out
    for period, part in scaled.table.groupby("period"):
        assert part["position"].mean() == pytest.approx(0.0, abs=1e-6)
        assert part["position"].std() == pytest.approx(1.0, abs=1e-6)
        assert part.set_index("iso3").loc["USA", "position"] > part.set_index("iso3").loc["CUB", "position"]
    latest = scaled.in_period()
    assert latest["period"].unique().tolist() == ["2010"]
    followed = scaled.of_countries(["USA", "CUB"])
    assert followed.columns[0] == "period" and followed["iso3"].tolist() == ["USA", "CUB", "USA", "CUB"]
    assert followed["period_speeches"].tolist() == [10, 10, 10, 10]
    ends = scaled.ends(2)
    assert ends["iso3"].tolist()[0] == "USA" and len(ends) == 4
    assert views.period_positions(debate).reason.startswith("The corpus holds no UNGA speeches")


def test_group_positions_are_means_over_texts_with_intervals(general_debate):
    scaled = views.period_positions(general_debate, min_docs=2, direction=("CUB", "USA"))
    means = views.group_positions(scaled, by="council_status", groups=["P5", "elected", "non-member"], n_boot=200)
    expected = scaled.table.groupby("council_status")["position"].mean()
    assert means["council_status"].tolist() == ["P5", "elected", "non-member"]
    assert means.set_index("council_status")["mean"].to_dict() == pytest.approx(expected.to_dict())
    assert means["n_texts"].tolist() == [10, 6, 4] and means["n_speeches"].tolist() == [10, 6, 4]
    assert (means["lower"] <= means["mean"]).all() and (means["mean"] <= means["upper"]).all()
    over_time = views.group_positions(scaled, by="un_group", over="period", n_boot=50)
    assert over_time.columns[0] == "period" and over_time["period"].tolist()[:4] == [1980.0] * 4
    assert (over_time["period_speeches"] == 10).all()


def test_wordscores_from_named_reference_texts(debate):
    scaled = views.debate_positions(debate, n_boot=0)
    scored = views.wordscores_positions(scaled, {"USA": 1.0, "CUB": -1.0})
    assert scored.reason == "" and "USA = 1, CUB = -1" in scored.description
    table = scored.table.set_index("iso3")
    assert table.loc["USA", "position"] == 1.0 and table.loc["CUB", "position"] == -1.0
    assert table.loc[["USA", "CUB"], "few"].all() and not table.drop(["USA", "CUB"])["few"].any()
    virgin = table.drop(["USA", "CUB"])
    assert np.corrcoef(virgin["position"], pd.Series(TRUTH)[virgin.index])[0, 1] > 0.9
    agreement = views.scaling_agreement(scaled, scored)
    assert agreement["texts"].tolist() == [8] and abs(agreement["spearman_r"].iloc[0]) > 0.9


@pytest.mark.parametrize("references,reason", [
    ({"USA": 1.0, "ZZZ": -1.0}, "the reference states ZZZ have no text here"),
    ({"USA": 1.0}, "name at least two reference states with different scores"),
    ({"USA": 1.0, "CUB": 1.0}, "name at least two reference states with different scores"),
])
def test_wordscores_say_why_they_cannot_run(debate, references, reason):
    scored = views.wordscores_positions(views.debate_positions(debate, n_boot=0), references)
    assert scored.table.empty and reason in scored.reason


def test_not_a_state_is_labelled(debate):
    briefer = debate.head(1).assign(doc_id="x", country="", iso3="", council_status="", speaker="Mr. Guterres")
    scaled = views.debate_positions(pd.concat([debate, briefer], ignore_index=True), n_boot=0)
    row = scaled.table.set_index("unit").loc["Mr. Guterres"]
    assert row["council_status"] == NOT_A_STATE and row["country"] == "Mr. Guterres"


def test_compare_blocs_works_within_meetings_or_years(debate, general_debate):
    in_council = views.compare_blocs(pd.concat([debate, debate.assign(meeting="S/PV.2", doc_id=debate["doc_id"] + "b")]))
    assert in_council.within == "meeting" and in_council.reason == ""
    assert "10 speeches against 6 in 2 meetings where both spoke" in in_council.description
    in_debate = views.compare_blocs(general_debate)
    assert in_debate.within == "year" and "in 2 years" in in_debate.description
    missing = views.compare_blocs(general_debate, reference="elected member")
    assert missing.table.empty and "no speech has council_status = 'elected member'" in missing.reason
    assert isinstance(missing.skip("t"), plots.Skipped)


def test_word_weights_are_a_chart_kind_of_their_own(debate):
    poles = views.debate_positions(debate, n_boot=0).poles(3, min_count=1)
    figure = plots.diverging_bar_chart(poles, label="term", value="beta", kind="weights", title="t", xlabel="x")
    assert figure.get_label() == "weights" and "weights" in plots.CHART_KINDS
    keyness = plots.diverging_bar_chart(poles, label="term", value="beta", title="t", xlabel="x")
    assert keyness.get_label() == "keyness-z"
