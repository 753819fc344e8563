"""The annotation loop: GoldFile writes what read_gold and evaluate read, never loses a label, refuses bad ones;
agreement gives raw agreement and Cohen's kappa per label; the `agree` command prints it."""
from __future__ import annotations

import doctest
import errno
import math
import os
import re
import threading

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from analysis import annotate, paths
from analysis.annotate import METADATA_COLUMNS, GoldFile, agreement, cohen_kappa, format_agreement
from analysis.cli import main
from analysis.errors import InputError, OutputError
from analysis.gold import read_gold
from analysis.stance import load_codebook
from analysis.stance import read_gold as read_stance_gold
from analysis.themes import load_lexicon

HEADER = ["id", *METADATA_COLUMNS, "doc_id", "sentence_id", "start", "end", "text", "themes", "stance", "annotator",
          "themes_codebook", "stance_codebook"]


@pytest.fixture
def sentences(fixtures_dir) -> list[dict]:
    """The fixture's 60 sentences (15 of each stance), as rows of sentences.csv with some metadata."""
    gold = pd.read_csv(fixtures_dir / "stance_gold.csv", dtype=str, keep_default_na=False)
    gold["sentence_id"] = gold["sentence_id"].astype(int)  # as a DataFrame row would give it
    gold["start"], gold["end"] = gold["start"].astype(int), gold["end"].astype(int)
    return gold.drop(columns=["id", "split", "sampling"]).to_dict("records")


def _label_all(path, rows, annotator="a", **options):
    gold = GoldFile(path, annotator=annotator, **options)
    for row in rows:
        gold.label(row, stance=row["stance"], themes=row["themes"])
    return gold


def test_module_doctests():
    assert doctest.testmod(annotate, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0


# ------------------------------------------------------------------------------------------------ GoldFile

def test_labels_written_are_the_labels_read_gold_reads(tmp_path, sentences):
    path = tmp_path / "mine.csv"
    gold = GoldFile(path, annotator="ana")
    labels = [("support", ["cooperation"]), ("condemn", ["trafficking", "terrorism"]), ("neutral", [])]
    for sentence, (stance, themes) in zip(sentences, labels):
        gold.label(sentence, stance=stance, themes=themes)
    read = read_stance_gold(path, lexicon=load_lexicon())  # the reader evaluate uses: labels and themes checked
    assert read.columns.tolist() == [*HEADER, "line"]
    assert read["id"].tolist() == [f"{s['doc_id']}#{s['sentence_id']}" for s in sentences[:3]]
    assert read["stance"].tolist() == ["support", "condemn", "neutral"]
    assert read["themes"].tolist() == ["cooperation", "terrorism;trafficking", ""]
    assert read["annotator"].tolist() == ["ana"] * 3
    assert read["stance_codebook"].tolist() == [load_codebook().codebook_version] * 3
    assert read[["text", "start", "end", "meeting"]].values.tolist() == [
        [s["text"], str(s["start"]), str(s["end"]), s["meeting"]] for s in sentences[:3]]
    pd.testing.assert_frame_equal(gold.labels(), read.drop(columns="line"))


def test_a_text_with_commas_quotes_line_breaks_or_a_formula_start_comes_back_unchanged(tmp_path):
    texts = ['We said "no", twice.', "First line\nsecond line.", "=1+1 is not a formula here.", "-- and more."]
    gold = GoldFile(tmp_path / "mine.csv")
    for i, text in enumerate(texts):
        gold.label({"doc_id": "d", "sentence_id": i, "start": 10, "end": 10 + len(text), "text": text},
                   stance="neutral")
    assert read_gold(tmp_path / "mine.csv")["text"].tolist() == texts  # offsets still span them


def test_a_new_file_is_byte_identical_for_the_same_labels(tmp_path, sentences):
    _label_all(tmp_path / "one.csv", sentences[:5])
    _label_all(tmp_path / "two.csv", sentences[:5])
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()


def test_labelling_a_sentence_again_replaces_its_row_in_place(tmp_path, sentences):
    path = tmp_path / "mine.csv"
    gold = GoldFile(path, annotator="a")
    for sentence in sentences[:3]:
        gold.label(sentence, stance="support")
    row = gold.label(sentences[0], stance="oppose", themes=["terrorism"])
    labels = gold.labels()
    assert len(labels) == 3
    assert labels["id"].tolist() == [f"{s['doc_id']}#{s['sentence_id']}" for s in sentences[:3]]
    assert labels["stance"].tolist() == ["oppose", "support", "support"]
    assert labels["themes"].tolist() == ["terrorism", "", ""]
    assert row["stance"] == "oppose" and row["id"] == labels["id"][0]


def test_a_sentence_without_stance_keeps_its_themes_and_an_empty_stance(tmp_path, sentences):
    gold = GoldFile(tmp_path / "mine.csv")
    gold.label(sentences[0], stance=None, themes="terrorism;cooperation")
    gold.label(sentences[1], stance="support", themes=None)
    assert gold.labels()[["stance", "themes"]].values.tolist() == [["", "cooperation;terrorism"], ["support", ""]]
    with pytest.raises(InputError, match=r"mine\.csv:2: unknown stance label ''.*not labelled for stance"):
        read_stance_gold(tmp_path / "mine.csv")  # stance gold needs a stance on every row, and says so


def test_two_gold_files_on_one_path_lose_no_label(tmp_path, sentences):
    path = tmp_path / "shared.csv"
    first, second = GoldFile(path, annotator="a"), GoldFile(path, annotator="b")
    for i, sentence in enumerate(sentences[:10]):
        (first if i % 2 else second).label(sentence, stance=sentence["stance"])
    assert len(first.labels()) == 10
    assert first.labels()["annotator"].tolist() == ["b", "a"] * 5


def test_writers_at_the_same_time_lose_no_label(tmp_path, sentences):
    path = tmp_path / "shared.csv"
    halves = (sentences[:20], sentences[20:40])
    errors = []

    def work(rows, annotator):
        try:
            _label_all(path, rows, annotator=annotator)
        except Exception as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(rows, name)) for rows, name in zip(halves, "ab")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    labels = GoldFile(path).labels()
    assert sorted(labels["id"]) == sorted(f"{s['doc_id']}#{s['sentence_id']}" for s in sentences[:40])


def test_a_failed_write_leaves_the_previous_file_whole(tmp_path, sentences, monkeypatch):
    path = tmp_path / "mine.csv"
    gold = _label_all(path, sentences[:4])
    before = path.read_bytes()

    def full_disk(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("analysis.io.os.fsync", full_disk)  # the new file is written, then the disk is full
    with pytest.raises(OutputError, match="No space left"):
        gold.label(sentences[5], stance="neutral")
    with pytest.raises(OutputError):
        gold.label(sentences[0], stance="neutral")
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".mine.csv.lock", "mine.csv"]  # no temporary file left
    gold.label(sentences[5], stance="neutral")
    assert len(gold.labels()) == 5


@pytest.mark.parametrize("stance, themes, message", [
    ("suport", [], "unknown stance label 'suport' \\(valid: condemn, neutral, oppose, support\\)"),
    ("support", ["terrorism", "piracy"], "theme 'piracy' is not in the lexicon \\(its themes: terrorism, "
                                         "trafficking, cooperation\\)"),
    ("support", "terrorism;piracy", "theme 'piracy'"),
])
def test_an_unknown_label_is_refused_and_nothing_is_written(tmp_path, sentences, stance, themes, message):
    path = tmp_path / "mine.csv"
    gold = _label_all(path, sentences[:2])
    before = path.read_bytes()
    with pytest.raises(InputError, match=message):
        gold.label(sentences[3], stance=stance, themes=themes)
    assert path.read_bytes() == before
    with pytest.raises(InputError, match=message):
        GoldFile(tmp_path / "new.csv").label(sentences[3], stance=stance, themes=themes)
    assert not (tmp_path / "new.csv").exists()


def test_labels_follow_the_lexicon_given(tmp_path, sentences, fixtures_dir):
    own = fixtures_dir / "lexicons" / "climate_migration.yml"
    gold = GoldFile(tmp_path / "mine.csv", lexicon=own)
    row = gold.label(sentences[0], stance="support", themes=["migration", "climate"])
    assert row["themes"] == "climate;migration"
    assert row["themes_codebook"] == f"climate_migration.yml {load_lexicon(own).version}"
    with pytest.raises(InputError, match="theme 'terrorism' is not in the lexicon \\(its themes: climate, migration"):
        gold.label(sentences[1], stance="support", themes=["terrorism"])


@pytest.mark.parametrize("change, message", [
    ({"end": 5}, "offsets 0-5 do not span its text"),
    ({"start": "x"}, "start must be a whole number, got 'x'"),
    ({"doc_id": None}, "the sentence has no 'doc_id'"),
    ({"text": ""}, "the sentence has no 'text'"),
    ({"text": "We act.\rNow we go", "end": 17}, "the sentence's text holds a carriage return"),
])
def test_a_sentence_that_cannot_be_located_is_refused(tmp_path, sentences, change, message):
    with pytest.raises(InputError, match=message):
        GoldFile(tmp_path / "mine.csv").label({**sentences[0], **change}, stance="support")
    assert not (tmp_path / "mine.csv").exists()


def test_a_sentence_may_be_a_dataframe_row_with_numpy_values(tmp_path, sentences):
    frame = pd.DataFrame(sentences[:1]).assign(year=np.float64(2014.0))
    row = GoldFile(tmp_path / "mine.csv").label(frame.iloc[0], stance="support")
    assert row["year"] == "2014" and row["start"] == "0" and row["sentence_id"] == "0"


@pytest.mark.parametrize("content, line, message", [
    ("id,doc_id,sentence_id,text,themes,stance\nx,d,0,We act.,,support\ny,d,1,We wait.,piracy,support\n", 3,
     "theme 'piracy' is not in the lexicon"),
    ("id,doc_id,sentence_id,text,themes,stance\nx,d,0,We act.,,suport\n", 2, "unknown stance label 'suport'"),
    ("id,doc_id,sentence_id,text,stance\nx,d,0,We act.,support\ny,d,0,We act.,oppose\n", 3,
     "sentence d#0 is labelled twice \\(first on line 2\\)"),
    ("id,text,stance\nx,We act.,support\n", 1, "missing column 'doc_id'"),
    ("id,doc_id,sentence_id,text\nx,d,0,We act.,extra\n", 2, "expected 4 fields, got 5"),
])
def test_an_existing_file_that_is_not_valid_gold_is_refused_and_kept(tmp_path, sentences, content, line, message):
    path = tmp_path / "theirs.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        GoldFile(path).label(sentences[0], stance="support")
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert path.read_text(encoding="utf-8") == content


def test_a_shipped_gold_file_keeps_its_rows_ids_and_columns(tmp_path):
    path = tmp_path / "gold.csv"
    path.write_bytes(paths.GOLD_CRITICISM_FILE.read_bytes())
    shipped = pd.read_csv(path, dtype=str, keep_default_na=False)
    gold = GoldFile(path, annotator="c")
    first = shipped.iloc[0].to_dict()
    row = gold.label(first, stance="support", themes=["cooperation"])
    labels = gold.labels()
    assert labels.columns.tolist() == [*shipped.columns, "speaker", "date", "annotator"]
    assert row["id"] == shipped["id"][0] and row["note"] == shipped["note"][0]
    assert labels[["stance", "themes", "annotator"]].iloc[0].tolist() == ["support", "cooperation", "c"]
    pd.testing.assert_frame_equal(labels.iloc[1:][shipped.columns], shipped.iloc[1:], check_dtype=False)
    read_gold(path, labels=load_codebook().labels, themes=load_lexicon().names)


# ------------------------------------------------------------------------------------------------ agreement

def test_kappa_of_a_two_by_two_table_computed_by_hand():
    a = ["yes", "yes", "no", "no", "no"]
    b = ["yes", "no", "no", "no", "yes"]
    # both yes 1, a yes b no 1, a no b yes 1, both no 2: p_o = 3/5; p_e = (2/5)(2/5) + (3/5)(3/5) = 13/25
    p_o, p_e = 3 / 5, 13 / 25
    assert cohen_kappa(a, b) == pytest.approx((p_o - p_e) / (1 - p_e)) == pytest.approx(1 / 6)
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))
    assert math.isnan(cohen_kappa(["no"] * 3, ["no"] * 3))


def test_kappa_takes_the_boolean_series_the_gold_script_gives_it():
    """scripts/build_gold.py prints kappa of theme indicators through cohen_kappa: the same numbers as before."""
    a = pd.Series([True, True, False, False, False])
    b = pd.Series([True, False, False, False, True])
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b)) == pytest.approx(1 / 6)
    assert math.isnan(cohen_kappa(pd.Series([False, False]), pd.Series([False, False])))


def _pair(tmp_path, sentences, stances_a, stances_b, themes_a, themes_b):
    a = GoldFile(tmp_path / "a.csv", annotator="a")
    b = GoldFile(tmp_path / "b.csv", annotator="b")
    for sentence, sa, sb, ta, tb in zip(sentences, stances_a, stances_b, themes_a, themes_b):
        a.label(sentence, stance=sa, themes=ta)
        b.label(sentence, stance=sb, themes=tb)
    return a.path, b.path


def test_agreement_per_label_equals_scikit_learns(tmp_path, sentences):
    stances_a = ["support", "support", "oppose", "condemn", "neutral", "support", None]
    stances_b = ["support", "oppose", "oppose", "condemn", "support", "support", "neutral"]
    themes_a = [["terrorism"], [], ["terrorism"], [], [], ["terrorism", "cooperation"], []]
    themes_b = [["terrorism"], ["terrorism"], [], [], [], ["cooperation"], []]
    file_a, file_b = _pair(tmp_path, sentences, stances_a, stances_b, themes_a, themes_b)
    table = agreement(file_b, file_a).set_index("label")
    assert table.index.tolist() == ["stance", "terrorism", "trafficking", "cooperation"]
    assert table.attrs["n_both"] == 7
    assert table.loc["stance", "n"] == 6  # the sentence a did not label for stance is left out
    assert table.loc["stance", "agreement"] == pytest.approx(4 / 6)
    assert table.loc["stance", "kappa"] == pytest.approx(cohen_kappa_score(stances_b[:6], stances_a[:6]))
    yes = lambda themes, theme: ["yes" if theme in t else "no" for t in themes]  # noqa: E731
    assert table.loc["terrorism", "kappa"] == pytest.approx(
        cohen_kappa_score(yes(themes_b, "terrorism"), yes(themes_a, "terrorism")))
    assert table.loc["terrorism", "agreement"] == pytest.approx(4 / 7)  # sentences 1, 4, 5 and 7
    assert table.loc["cooperation", "kappa"] == pytest.approx(1.0)
    assert table.loc["trafficking", "agreement"] == 1.0 and math.isnan(table.loc["trafficking", "kappa"])
    assert "kappa undefined" in table.loc["trafficking", "note"]


def test_agreement_matches_on_text_when_a_file_has_no_sentence_ids(tmp_path):
    (tmp_path / "a.csv").write_text("id,doc_id,sentence_id,text,themes,stance\n1,d,0,We act.,,support\n"
                                    "2,d,1,We wait.,,oppose\n3,d,2,Only in a.,,neutral\n", encoding="utf-8")
    # b's ids are missing on one row and its sentence 0 is another sentence: the text decides
    (tmp_path / "b.csv").write_text("id,doc_id,sentence_id,text,stance\nq,d,0,We wait.,oppose\nr,,,We act.,oppose\n",
                                    encoding="utf-8")
    table = agreement(tmp_path / "a.csv", tmp_path / "b.csv").set_index("label")
    assert table.loc["stance", ["n", "agreement"]].tolist() == [2, 0.5]
    assert table.loc["stance", "kappa"] == pytest.approx(cohen_kappa_score(["support", "oppose"],
                                                                           ["oppose", "oppose"]))
    assert table.loc["terrorism", "n"] == 0 and "no sentence labelled for themes" in table.loc["terrorism", "note"]


def test_format_agreement_has_fixed_columns_and_decimals():
    table = pd.DataFrame([{"kind": "stance", "label": "stance", "n": 12, "agreement": 2 / 3, "kappa": 0.123456,
                           "note": ""},
                          {"kind": "theme", "label": "terrorism", "n": 12, "agreement": 1.0, "kappa": float("nan"),
                           "note": "kappa undefined"}])
    assert format_agreement(table).splitlines() == [
        "kind   label          n  agreement  kappa  note",
        "stance stance        12      0.667  0.123",
        "theme  terrorism     12      1.000      -  kappa undefined",
    ]


def test_agree_command_prints_the_table(tmp_path, sentences, capsys):
    file_a, file_b = _pair(tmp_path, sentences[:4], ["support", "oppose", "oppose", "neutral"],
                           ["support", "oppose", "support", "neutral"],
                           [["terrorism"], [], [], []], [["terrorism"], ["terrorism"], [], []])
    assert main(["agree", str(file_a), str(file_b)]) == 0
    out, err = capsys.readouterr()
    kappa = cohen_kappa_score(["support", "oppose", "oppose", "neutral"], ["support", "oppose", "support", "neutral"])
    assert out.splitlines() == [
        "kind   label            n  agreement  kappa  note",
        f"stance stance           4      0.750  {kappa:.3f}",
        f"theme  terrorism        4      0.750  {cohen_kappa_score([1, 0, 0, 0], [1, 1, 0, 0]):.3f}",
        "theme  trafficking      4      1.000      -  kappa undefined: both annotators gave one label only (no)",
        "theme  cooperation      4      1.000      -  kappa undefined: both annotators gave one label only (no)",
    ]
    assert "4 sentences in both, 4 of them labelled for stance in both" in err


def test_agree_command_names_the_bad_file_and_line(tmp_path, capsys):
    (tmp_path / "a.csv").write_text("id,text,stance\n1,We act.,support\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("id,text,stance\n1,We act.,suport\n", encoding="utf-8")
    assert main(["agree", str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {tmp_path / 'b.csv'}:2: unknown stance label 'suport'")


# ------------------------------------------------------------------------------------------------ evaluate

def _few(sentences, per_label):
    chosen = []
    for label, count in per_label.items():
        chosen += [s for s in sentences if s["stance"] == label][:count]
    return chosen


def test_evaluate_scores_the_labellers_against_a_file_gold_file_wrote(tmp_path, sentences, capsys):
    """The analyst's few dozen labels as the blind set: the labellers trained on the shipped gold, scored on them."""
    path = tmp_path / "mine.csv"
    _label_all(path, _few(sentences, {"support": 8, "oppose": 8, "condemn": 6, "neutral": 2}))
    out = tmp_path / "ev"
    assert main(["evaluate", "--blind", str(path), "--methods", "rules", "--folds", "2", "--out", str(out)]) == 0
    summary = pd.read_csv(out / "stance_summary.csv")
    blind = summary[(summary["split"] == "blind") & (summary["subset"] == "all")]
    assert blind["n"].tolist() == [24]
    predictions = pd.read_csv(out / "stance_predictions.csv", dtype=str, keep_default_na=False)
    assert sorted(predictions.loc[predictions["split"] == "blind", "id"]) == sorted(GoldFile(path).labels()["id"])
    assert (out / "theme_evaluation.csv").is_file()  # its themes scored too
    assert "24 blind sentences" in capsys.readouterr().err


def test_evaluate_cross_validates_a_small_gold_file_with_fewer_inner_folds(tmp_path, sentences, capsys):
    path = tmp_path / "mine.csv"
    _label_all(path, _few(sentences, {"support": 4, "oppose": 4, "condemn": 4, "neutral": 4}))
    out = tmp_path / "ev"
    # two outer folds leave 2 of each label to train on: auto's inner cross-validation takes 2 folds, not 3
    assert main(["evaluate", "--gold", str(path), "--no-blind", "--folds", "2", "--methods", "rules,auto",
                 "--out", str(out)]) == 0, capsys.readouterr().err
    summary = pd.read_csv(out / "stance_summary.csv")
    assert summary.loc[summary["subset"] == "all", "n"].tolist() == [16, 16]


@pytest.mark.parametrize("per_label, options, message", [
    ({"support": 6, "oppose": 6, "neutral": 1}, ["--methods", "rules"],
     "smallest class: 'neutral' with 1\\); cross-validation needs at least 2 sentences of each label: label more, "
     "or score the labellers on these sentences as a blind set \\(evaluate --blind FILE\\)"),
    ({"support": 6, "oppose": 6, "neutral": 3}, ["--methods", "rules"],
     "for 5-fold cross-validation \\(smallest class: 'neutral' with 3\\); use at most 3 folds"),
    ({"support": 6, "oppose": 6, "neutral": 2}, ["--folds", "2", "--methods", "auto"],
     "too few labelled sentences for auto: .* fold 1 has 1 sentence\\(s\\) of a label \\(2 needed\\); label more, "
     "or score rules and model only \\(--methods rules,model\\)"),
])
def test_evaluate_on_too_few_labels_says_what_to_do(tmp_path, sentences, capsys, per_label, options, message):
    path = tmp_path / "mine.csv"
    _label_all(path, _few(sentences, per_label))
    assert main(["evaluate", "--gold", str(path), "--no-blind", *options, "--out", str(tmp_path / "ev")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("error: ") and "Traceback" not in "".join(err)
    assert re.search(message, err[-1]), err[-1]
