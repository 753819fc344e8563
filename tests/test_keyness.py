"""Tests for analysis.terms.groups: every-group, pairwise and stratified keyness, and compare's new options."""
from __future__ import annotations

import doctest
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2, chi2_contingency

from analysis import cli
from analysis.terms import groups as keyness_module
from analysis.errors import InputError
from analysis.terms.groups import (GROUP_KEYNESS_COLUMNS, WITHIN_COLUMNS, compare_all_groups, compare_two_groups,
                              stratified_scores)
from analysis.terms import KEYNESS_COLUMNS, keyness


def test_module_doctests():
    assert doctest.testmod(keyness_module).failed == 0


# ------------------------------------------------------------------------------------------- pooling by hand

def test_one_stratum_is_the_plain_odds_ratio_and_the_pearson_statistic_times_n_minus_1_over_n():
    a, b, c, d = 10, 5, 100, 300
    row = stratified_scores(np.array([[a]]), np.array([[b]]), np.array([c]), np.array([d])).iloc[0]
    assert row["log_odds_mh"] == pytest.approx(math.log(a * (d - b) / (b * (c - a))))
    pearson = chi2_contingency([[a, c - a], [b, d - b]], correction=False)[0]
    n = c + d
    assert row["chi2_mh"] == pytest.approx(pearson * (n - 1) / n)
    assert row["chi2_mh"] > 0 and row["p"] == pytest.approx(chi2.sf(row["chi2_mh"], 1))
    # Woolf's standard error of a single table's log odds ratio
    assert row["se"] == pytest.approx(math.sqrt(1 / a + 1 / (c - a) + 1 / b + 1 / (d - b)))


def _by_formula(a, b, c, d):
    """Mantel-Haenszel, Cochran-Mantel-Haenszel and Robins-Breslow-Greenland, stratum by stratum."""
    sum_r = sum_s = pr = ps_qr = qs = observed = expected = variance = 0.0
    for ak, bk, ck, dk in zip(a, b, c, d):
        if ck == 0 or dk == 0:
            continue
        n, m = ck + dk, ak + bk
        big_a, big_b, big_c, big_d = ak, ck - ak, bk, dk - bk
        r, s = big_a * big_d / n, big_b * big_c / n
        p, q = (big_a + big_d) / n, (big_b + big_c) / n
        sum_r, sum_s = sum_r + r, sum_s + s
        pr, ps_qr, qs = pr + p * r, ps_qr + p * s + q * r, qs + q * s
        observed, expected = observed + ak, expected + ck * m / n
        variance += ck * dk * m * (n - m) / (n ** 2 * (n - 1))
    se = math.sqrt(pr / (2 * sum_r ** 2) + ps_qr / (2 * sum_r * sum_s) + qs / (2 * sum_s ** 2))
    return math.log(sum_r / sum_s), se, math.copysign((observed - expected) ** 2 / variance, observed - expected)


def test_pooled_scores_equal_the_published_formulas_stratum_by_stratum():
    generator = np.random.default_rng(3)
    totals_t = np.array([400, 0, 250, 900, 60])  # the second stratum: the target did not speak
    totals_r = np.array([800, 500, 100, 300, 70])
    a = generator.integers(1, 30, size=(5, 6))
    b = generator.integers(1, 30, size=(5, 6))
    a[1] = 0
    scores = stratified_scores(a, b, totals_t, totals_r)
    for j in range(6):
        log_odds, se, signed = _by_formula(a[:, j], b[:, j], totals_t, totals_r)
        assert scores["log_odds_mh"].iloc[j] == pytest.approx(log_odds)
        assert scores["se"].iloc[j] == pytest.approx(se)
        assert scores["chi2_mh"].iloc[j] == pytest.approx(signed)
        assert scores["z"].iloc[j] == pytest.approx(log_odds / se)
    # counts and rates are over the strata where both groups spoke
    assert scores["count_reference"].tolist() == (b.sum(axis=0) - b[1]).tolist()
    assert scores["rate_target"].iloc[0] == pytest.approx(10_000 * a[:, 0].sum() / totals_t.sum())


def test_a_term_one_group_never_uses_gets_a_finite_corrected_log_odds():
    scores = stratified_scores(np.array([[4, 0], [3, 2]]), np.array([[0, 5], [0, 1]]), np.array([100, 100]),
                               np.array([100, 100]))
    assert np.isfinite(scores["log_odds_mh"]).all() and np.isfinite(scores["se"]).all()
    assert scores["log_odds_mh"].iloc[0] > 0 and scores["count_reference"].iloc[0] == 0


@pytest.mark.parametrize("args,message", [
    (([[1]], [[1]], [10, 10], [10, 10]), "one total per stratum"),
    (([[11]], [[1]], [10], [10]), "between 0 and their stratum's total"),
    (([[0]], [[1]], [0], [10]), "no stratum has tokens in both groups"),
])
def test_stratified_scores_reject_impossible_input(args, message):
    with pytest.raises(ValueError, match=message):
        stratified_scores(*map(np.array, args))


# ------------------------------------------------------------------------------------------- designs

#: Two meetings with different agendas; bloc "P5" speaks mostly in the Ukraine meeting, "E10" mostly in the
#: Iraq meeting. Within each meeting both blocs say "ukraine" (or "iraq") equally often; only "veto" is theirs.
AGENDA = pd.DataFrame({
    "doc_id": [f"d{i}" for i in range(10)],
    "bloc": ["P5", "P5", "P5", "P5", "E10", "P5", "E10", "E10", "E10", "E10"],
    "meeting": ["M1", "M1", "M1", "M1", "M1", "M2", "M2", "M2", "M2", "M2"],
    "text": ["ukraine ukraine ukraine veto peace"] * 4 + ["ukraine ukraine ukraine peace peace"]
            + ["iraq iraq iraq veto peace"] + ["iraq iraq iraq peace peace"] * 4,
})


def test_within_strata_the_agenda_is_not_a_bloc_vocabulary():
    plain = compare_two_groups(AGENDA, by="bloc", target="P5", ngram_range=(1, 1)).table.set_index("term")
    within = compare_two_groups(AGENDA, by="bloc", target="P5", within="meeting",
                                ngram_range=(1, 1)).table.set_index("term")
    assert list(within.reset_index().columns) == WITHIN_COLUMNS
    assert plain.loc["ukraine", "g2"] > 0 and plain.loc["ukraine", "p"] < 0.01  # the agenda looks key...
    assert within.loc["ukraine", "chi2_mh"] == pytest.approx(0.0, abs=1e-12)  # ...but is not, within meetings
    assert within.loc["ukraine", "log_odds_mh"] == pytest.approx(0.0, abs=1e-12)
    assert within.loc["veto", "chi2_mh"] > 0 and within.loc["veto", "z"] > 0
    assert within.index[0] == "veto"  # sorted by chi2_mh, over-use first
    assert (within["strata"] <= 2).all() and within.loc["veto", "strata"] == 2


def test_every_group_table_has_a_group_column_and_each_group_equals_its_own_comparison():
    result = compare_all_groups(AGENDA, by="bloc", ngram_range=(1, 1))
    assert list(result.table.columns) == GROUP_KEYNESS_COLUMNS
    assert result.table["group"].drop_duplicates().tolist() == ["E10", "P5"]  # sorted
    assert result.groups[["group", "speeches", "reference", "compared"]].values.tolist() == [
        ["E10", 5, 5, True], ["P5", 5, 5, True]]
    for group in ("E10", "P5"):
        own = compare_two_groups(AGENDA, by="bloc", target=group, ngram_range=(1, 1)).table
        rows = result.table[result.table["group"] == group].drop(columns="group").reset_index(drop=True)
        pd.testing.assert_frame_equal(rows, own)
    assert not result.warnings


def test_every_group_within_strata_pools_each_group_against_the_rest():
    result = compare_all_groups(AGENDA, by="bloc", within="meeting", ngram_range=(1, 1))
    assert list(result.table.columns) == ["group", *WITHIN_COLUMNS]
    assert result.groups["strata"].tolist() == [2, 2]
    veto = result.table[result.table["term"] == "veto"].set_index("group")["chi2_mh"]
    assert veto["P5"] > 0 and veto["E10"] == pytest.approx(-veto["P5"])


def test_small_groups_are_skipped_with_a_warning_not_an_error():
    documents = pd.concat([AGENDA, pd.DataFrame({"doc_id": ["x"], "bloc": ["Observer"], "meeting": ["M1"],
                                                 "text": ["observer words"]})], ignore_index=True)
    result = compare_all_groups(documents, by="bloc", ngram_range=(1, 1))
    assert result.table["group"].unique().tolist() == ["E10", "P5"]
    assert result.groups.set_index("group").loc["Observer", "compared"] == False  # noqa: E712
    assert result.warnings == ["skipped 1 group of bloc (fewer than 2 speeches, or no shared stratum): "
                               "Observer (1 speech)"]
    # the small group still counts as "the rest" for the others
    assert result.groups.set_index("group").loc["P5", "reference"] == 6


def test_a_group_absent_from_every_stratum_the_rest_spoke_in_is_skipped():
    documents = AGENDA.assign(meeting=np.where(AGENDA["bloc"] == "P5", "M1", "M2"))
    everyone = pd.concat([documents, documents.assign(bloc="E10", doc_id=documents["doc_id"] + "b").head(1)])
    result = compare_all_groups(documents, by="bloc", within="meeting", ngram_range=(1, 1))
    assert result.table.empty and list(result.table.columns) == ["group", *WITHIN_COLUMNS]
    assert "no meeting where others spoke too" in result.warnings[0]
    assert compare_all_groups(everyone, by="bloc", within="meeting").groups["compared"].tolist() == [True, True]


def test_pairwise_leaves_the_other_groups_out():
    documents = pd.concat([AGENDA, AGENDA.head(3).assign(bloc="AU", text="african words only")],
                          ignore_index=True)
    table = compare_two_groups(documents, by="bloc", target="P5", reference="E10", ngram_range=(1, 1)).table
    assert list(table.columns) == KEYNESS_COLUMNS
    assert "african" not in set(table["term"])
    expected = compare_two_groups(AGENDA, by="bloc", target="P5", ngram_range=(1, 1)).table
    pd.testing.assert_frame_equal(table, expected)


def test_target_against_the_rest_equals_terms_keyness():
    pd.testing.assert_frame_equal(compare_two_groups(AGENDA, by="meeting", target="M1", min_count=2).table,
                                  keyness(AGENDA, by="meeting", target="M1", min_count=2))


@pytest.mark.parametrize("call,message", [
    (lambda: compare_all_groups(AGENDA, by="party"), r"unknown field 'party' for --by; valid fields: doc_id, bloc"),
    (lambda: compare_all_groups(AGENDA, by="bloc", within="day"), r"unknown field 'day' for --within"),
    (lambda: compare_all_groups(AGENDA.assign(bloc="P5"), by="bloc"), r"field 'bloc' has 1 value: .* at least two"),
    (lambda: compare_two_groups(AGENDA, by="bloc", target="P5", reference="E1"),
     r"no speech has bloc = 'E1'; did you mean 'E10'\?"),
    (lambda: compare_two_groups(AGENDA, by="bloc", target="P5", reference="P5"), "both 'P5'"),
    (lambda: compare_two_groups(AGENDA.assign(meeting=AGENDA["bloc"]), by="bloc", target="P5", reference="E10",
                                within="meeting"), "no meeting holds speeches of both"),
    (lambda: compare_all_groups(AGENDA, by="bloc", min_speeches=0), "min_speeches must be at least 1"),
])
def test_errors_name_the_problem(call, message):
    with pytest.raises(InputError, match=message):
        call()


# ------------------------------------------------------------------------------------------- compare command

@pytest.fixture
def agenda_corpus(tmp_path):
    folder = tmp_path / "speeches"
    folder.mkdir()
    for row in AGENDA.itertuples():
        (folder / f"{row.doc_id}.txt").write_text(row.text + "\n", encoding="utf-8")
    AGENDA[["doc_id", "bloc", "meeting"]].to_csv(folder / "metadata.csv", index=False)
    return folder


def test_compare_without_target_writes_one_table_with_a_group_column(agenda_corpus, tmp_path, capsys):
    out = tmp_path / "groups.csv"
    assert cli.main(["compare", "--corpus", str(agenda_corpus), "--by", "bloc", "-o", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "group," + ",".join(KEYNESS_COLUMNS)
    assert lines[1].startswith("E10,") and lines[-1].startswith("P5,")
    assert "compared 2 groups of bloc, each against the rest" in capsys.readouterr().err
    first = out.read_bytes()
    cli.main(["compare", "--corpus", str(agenda_corpus), "--by", "bloc", "-o", str(out)])
    assert out.read_bytes() == first


def test_compare_within_and_reference(agenda_corpus, tmp_path, capsys):
    out = tmp_path / "pair.csv"
    code = cli.main(["compare", "--corpus", str(agenda_corpus), "--by", "bloc", "--target", "P5", "--reference",
                     "E10", "--within", "meeting", "-o", str(out)])
    assert code == 0
    table = pd.read_csv(out)
    assert list(table.columns) == WITHIN_COLUMNS and table.set_index("term").loc["veto", "chi2_mh"] > 0
    err = capsys.readouterr().err
    assert "against the 5 with bloc = 'E10' within each meeting (2 meetings where both spoke)" in err


def test_compare_small_groups_warn_and_never_crash(agenda_corpus, tmp_path, capsys):
    out = tmp_path / "groups.csv"
    code = cli.main(["compare", "--corpus", str(agenda_corpus), "--by", "doc_id", "--within", "meeting",
                     "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 0 and "compared 0 groups of doc_id" in err
    assert "warning: skipped 10 groups of doc_id (fewer than 2 speeches, or no shared stratum): d0 (1 speech)" in err
    assert out.read_text(encoding="utf-8").splitlines() == ["group," + ",".join(WITHIN_COLUMNS)]


@pytest.mark.parametrize("options,message", [
    (["--reference", "E10"], "--reference needs --target"),
    (["--target", "P5", "--min-speeches", "3"], "--min-speeches applies to every-group comparisons"),
    (["--within", "day"], "unknown field 'day' for --within"),
])
def test_compare_option_errors_exit_2(agenda_corpus, tmp_path, capsys, options, message):
    out = tmp_path / "k.csv"
    code = cli.main(["compare", "--corpus", str(agenda_corpus), "--by", "bloc", *options, "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and message in err and not out.exists()


def test_compare_adds_the_un_groups_from_country_and_year(tmp_path, capsys):
    folder = tmp_path / "speeches"
    folder.mkdir()
    rows = [("a", "France", "veto peace"), ("b", "China", "veto peace"), ("c", "Chile", "peace peace"),
            ("d", "Chad", "peace development")]
    for doc_id, _, text in rows:
        (folder / f"{doc_id}.txt").write_text(text + "\n", encoding="utf-8")
    pd.DataFrame({"doc_id": [r[0] for r in rows], "country": [r[1] for r in rows], "year": 2014}).to_csv(
        folder / "metadata.csv", index=False)
    out = tmp_path / "k.csv"
    assert cli.main(["compare", "--corpus", str(folder), "--by", "council_status", "--target", "P5", "-o",
                     str(out)]) == 0
    assert pd.read_csv(out).set_index("term").loc["veto", "count_target"] == 2
    assert "compared 2 speeches with council_status = 'P5' against the other 2" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------- real corpus

@pytest.mark.corpus
def test_p5_and_elected_members_within_meetings_on_unsc_umuc(corpora):
    from analysis.corpus import read_corpus
    from analysis.membership import with_un_metadata

    documents = read_corpus(corpora / "unsc_umuc").documents
    documents = with_un_metadata(documents[~documents["procedural"]].reset_index(drop=True))
    plain = compare_all_groups(documents, by="council_status")
    within = compare_all_groups(documents, by="council_status", within="meeting")
    assert within.groups["group"].tolist() == ["P5", "elected", "non-member"]
    assert within.groups["compared"].all() and (within.groups["strata"] >= 9).all()
    assert within.table.notna().all().all()

    def score(result, group, term, column):
        return result.table.query("group == @group and term == @term")[column].iloc[0]

    # Elected members spoke more often in the Ukraine meetings: against the rest "ukraine" looks like their
    # word, inside each meeting it is not.
    assert score(plain, "elected", "ukraine", "p") < 1e-10
    assert score(within, "elected", "ukraine", "p") > 0.001
    # The permanent members name one another (China, France), inside meetings as well.
    top = within.table[within.table["group"] == "P5"].head(5)["term"].tolist()
    assert {"china", "france"} <= set(top), top
