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
