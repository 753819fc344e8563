"""Tests for the command line: exit codes, one-line errors, the `run` sub-command."""
from __future__ import annotations

import subprocess
import sys

import pytest

from analysis import paths
from analysis.cli import main


def test_run_sub_command_writes_tables(tmp_path, capsys):
    assert main(["run", "--corpus", str(paths.RAW_DIR), "--out", str(tmp_path), "--no-progress"]) == 0
    assert (tmp_path / "documents.csv").is_file()
    err = capsys.readouterr().err
    assert "read 1 speeches" in err and "0 skipped" in err


def test_missing_corpus_exits_2_with_one_line(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    assert main(["run", "--corpus", str(missing), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"error: {missing}: corpus not found")
    assert "Traceback" not in err


def test_debug_shows_the_traceback(tmp_path):
    with pytest.raises(Exception, match="corpus not found"):
        main(["--debug", "run", "--corpus", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")])


def test_python_dash_m_analysis_entry_point(tmp_path):
    completed = subprocess.run([sys.executable, "-m", "analysis", "run", "--corpus", str(tmp_path / "none"),
                                "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert completed.returncode == 2
    assert completed.stderr.strip().count("\n") == 0
    assert "corpus not found" in completed.stderr


def test_unknown_sub_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2


# ------------------------------------------------------------------------------------------------ label

def _sentences_csv(path, rows):
    import pandas as pd

    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_label_adds_four_columns_and_keeps_the_others(tmp_path, capsys):
    import pandas as pd

    source = _sentences_csv(tmp_path / "in.csv", [
        {"id": "a", "text": "We condemn the terrorist attack on the market.", "speaker": "X"},
        {"id": "b", "text": "We do not support the draft resolution.", "speaker": "Y"},
        {"id": "c", "text": "I thank the President.", "speaker": "Z"},
    ])
    out = tmp_path / "out.csv"
    assert main(["label", str(source), "-o", str(out), "--method", "rules"]) == 0
    labelled = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert labelled.columns.tolist() == ["id", "text", "speaker", "themes", "stance", "cue", "score"]
    assert labelled["stance"].tolist() == ["condemn", "oppose", "neutral"]
    assert labelled["themes"].tolist()[0] == "terrorism"
    assert labelled["cue"].tolist()[1] == "oppose:not support@6-17"
    assert "labelled 3 sentences with rules" in capsys.readouterr().err
    before = out.read_bytes()
    assert main(["label", str(source), "-o", str(out), "--method", "rules"]) == 0
    assert out.read_bytes() == before


@pytest.mark.parametrize("rows, message", [
    ([{"id": "a", "words": "x"}], "in.csv:1: missing column 'text'"),
    ([{"id": "a", "text": "x", "stance": "support"}], "in.csv:1: the input already has a 'stance' column"),
])
def test_label_refuses_bad_input_with_one_line(tmp_path, capsys, rows, message):
    source = _sentences_csv(tmp_path / "in.csv", rows)
    assert main(["label", str(source), "-o", str(tmp_path / "out.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert not (tmp_path / "out.csv").exists()


def test_label_model_without_gold_exits_2(tmp_path, capsys):
    source = _sentences_csv(tmp_path / "in.csv", [{"id": "a", "text": "We condemn terrorism."}])
    assert main(["label", str(source), "-o", str(tmp_path / "o.csv"), "--method", "model",
                 "--gold", str(tmp_path / "none.csv")]) == 2
    assert "gold set not found" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------------ evaluate

def test_evaluate_refuses_a_gold_file_with_an_unknown_label(tmp_path, capsys, fixtures_dir):
    import pandas as pd

    gold = pd.read_csv(fixtures_dir / "stance_gold.csv", dtype=str, keep_default_na=False)
    gold.loc[4, "stance"] = "against"
    bad = tmp_path / "gold.csv"
    gold.to_csv(bad, index=False, lineterminator="\n")
    assert main(["evaluate", "--gold", str(bad), "--no-blind", "--out", str(tmp_path / "ev")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"error: {bad}:6: unknown stance label 'against'")


def test_evaluate_refuses_offsets_outside_the_text(tmp_path, capsys, fixtures_dir):
    import pandas as pd

    gold = pd.read_csv(fixtures_dir / "stance_gold.csv", dtype=str, keep_default_na=False)
    gold.loc[9, "end"] = "500"
    bad = tmp_path / "gold.csv"
    gold.to_csv(bad, index=False, lineterminator="\n")
    assert main(["evaluate", "--gold", str(fixtures_dir / "stance_gold.csv"), "--blind", str(bad),
                 "--out", str(tmp_path / "ev")]) == 2
    assert f"{bad}:11: offsets outside the text" in capsys.readouterr().err


def test_evaluate_pools_several_training_files(tmp_path, capsys, fixtures_dir):
    """``--gold A B`` cross-validates on the rows of both (the default is gold_train plus gold_criticism), and an
    id in both files is refused."""
    import pandas as pd

    gold = pd.read_csv(fixtures_dir / "stance_gold.csv", dtype=str, keep_default_na=False)
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    gold.iloc[::2].to_csv(first, index=False, lineterminator="\n")
    gold.iloc[1::2].to_csv(second, index=False, lineterminator="\n")
    out = tmp_path / "ev"
    assert main(["evaluate", "--gold", str(first), str(second), "--no-blind", "--folds", "2", "--methods", "rules",
                 "--out", str(out)]) == 0
    summary = pd.read_csv(out / "stance_summary.csv")
    assert summary.loc[summary["subset"] == "all", "n"].tolist() == [len(gold)]
    predicted = pd.read_csv(out / "stance_predictions.csv", dtype=str, keep_default_na=False)
    assert sorted(predicted["id"]) == sorted(gold["id"])
    capsys.readouterr()
    gold.iloc[:3].to_csv(second, index=False, lineterminator="\n")
    assert main(["evaluate", "--gold", str(first), str(second), "--no-blind", "--folds", "2", "--methods", "rules",
                 "--out", str(out)]) == 2
    assert "is in more than one gold file" in capsys.readouterr().err


def test_evaluate_defaults_to_the_training_and_criticism_gold():
    from analysis.cli import build_parser

    args = build_parser().parse_args(["evaluate"])
    assert args.gold == [paths.GOLD_TRAIN_FILE, paths.GOLD_CRITICISM_FILE]


@pytest.mark.slow
def test_evaluate_writes_report_and_tables(tmp_path, capsys, fixtures_dir):
    gold = fixtures_dir / "stance_gold.csv"
    out = tmp_path / "ev"
    assert main(["evaluate", "--gold", str(gold), "--blind", str(gold), "--folds", "2", "--methods", "rules,auto",
                 "--out", str(out)]) == 0
    report = capsys.readouterr().out
    assert "# Stance evaluation" in report and "| cv | all | rules |" in report and "| blind | all | auto |" in report
    for name in ("stance_summary.csv", "stance_metrics.csv", "stance_confusion.csv", "stance_predictions.csv",
                 "stance_selection.csv", "stance_evaluation.md"):
        assert (out / name).is_file(), name
    assert (out / "stance_evaluation.md").read_text() == report


def test_run_takes_jobs_and_no_cache(tmp_path, capsys):
    assert main(["run", "--corpus", str(paths.RAW_DIR), "--out", str(tmp_path), "--no-progress", "--jobs", "1",
                 "--no-cache"]) == 0
    assert not paths.CACHE_DIR.exists() or not any(paths.CACHE_DIR.iterdir())
    assert main(["run", "--corpus", str(paths.RAW_DIR), "--out", str(tmp_path), "--no-progress"]) == 0
    assert len(list(paths.CACHE_DIR.iterdir())) == 2


@pytest.mark.parametrize("value", ["0", "-2", "two"])
def test_bad_jobs_is_a_usage_error(tmp_path, capsys, value):
    with pytest.raises(SystemExit) as info:
        main(["run", "--corpus", str(paths.RAW_DIR), "--out", str(tmp_path), "--jobs", value])
    assert info.value.code == 2
    assert "--jobs" in capsys.readouterr().err
