"""Tests for analysis/reports.py and the `figures` command: running notebooks, cleaning them, HTML reports."""
from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analysis import paths
from analysis.cli import main
from analysis.errors import InputError
from analysis.reports import (NotebookFailure, clean_notebook, count_figures, declared_parameters,
                              find_notebooks, notebook_html, parameters_cells, run_notebook, run_notebooks)


def _notebook(*cells, kernel="python3"):
    notebook = new_notebook(cells=list(cells))
    notebook.metadata["kernelspec"] = {"name": kernel, "display_name": "Python 3", "language": "python"}
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number}"
    return notebook


def _write(path, notebook):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat.writes(notebook))
    return path


def _parameters(source):
    cell = new_code_cell(source)
    cell.metadata["tags"] = ["parameters"]
    return cell


# ------------------------------------------------------------------------------------------------ finding

def test_find_notebooks_in_number_order_and_by_selection(tmp_path):
    for name in ["02-b.ipynb", "00-a.ipynb", "01-c.ipynb", "scratch.ipynb", "10.ipynb"]:
        _write(tmp_path / name, _notebook())
    assert [p.name for p in find_notebooks(tmp_path)] == ["00-a.ipynb", "01-c.ipynb", "02-b.ipynb"]
    assert [p.name for p in find_notebooks(tmp_path, select=["02", "00-a"])] == ["00-a.ipynb", "02-b.ipynb"]
    with pytest.raises(InputError, match="no notebook '07'; choose from: 00-a, 01-c, 02-b"):
        find_notebooks(tmp_path, select=["07"])
    with pytest.raises(InputError, match="no numbered notebooks"):
        find_notebooks(tmp_path / "empty")


def test_parameters_cells_and_the_names_they_declare():
    notebook = _notebook(new_markdown_cell("# q"), _parameters("%matplotlib inline\nx = 1  # one\ny: int = 2\nx = 3"),
                         new_code_cell("z = x"))
    assert parameters_cells(notebook) == [1]
    assert declared_parameters(notebook) == ["x", "y"]
    assert declared_parameters(_notebook(new_code_cell("a = 1"))) == []


# ------------------------------------------------------------------------------------------------ cleaning

def test_clean_notebook_drops_what_changes_between_runs():
    injected = new_code_cell("corpus = 'x'")
    injected.metadata["tags"] = ["injected-parameters"]
    injected["id"] = "a1b2c3-random"
    marker = new_markdown_cell("An Exception was encountered")
    marker.metadata["tags"] = ["papermill-error-cell-tag"]
    code = new_code_cell("1 + 1", execution_count=1, outputs=[
        new_output("execute_result", data={"text/plain": "2"}, execution_count=1)])
    code.metadata.update({"tags": [], "papermill": {"duration": 0.5, "start_time": "2026-01-01T00:00:00"},
                          "execution": {"iopub.execute_input": "2026-01-01T00:00:00"}})
    notebook = _notebook(marker, _parameters("corpus = None"), injected, code, kernel="other")
    notebook.metadata["papermill"] = {"start_time": "2026-01-01", "duration": 3.2}
    cleaned = clean_notebook(notebook)
    assert "papermill" not in cleaned.metadata
    assert cleaned.metadata["kernelspec"]["name"] == "python3"
    assert [cell.get("id") for cell in cleaned.cells] == ["cell-1", "injected-parameters", "cell-3"]
    assert cleaned.cells[2].metadata == {}
    assert cleaned.cells[2].outputs[0]["data"]["text/plain"] == "2"
    assert "papermill" in notebook.metadata, "the input is not modified"


def test_count_figures_counts_saved_figure_outputs():
    figure = new_output("execute_result", data={"text/plain": "<figure 01-by-year: .png .svg .csv>",
                                                "image/png": "iVBORw0KGgo="}, execution_count=1)
    table = new_output("execute_result", data={"text/plain": "   a\n0  1"}, execution_count=2)
    notebook = _notebook(new_code_cell("x", outputs=[figure]), new_code_cell("y", outputs=[table]))
    assert count_figures(notebook) == 1


def test_html_hides_code_unless_asked():
    notebook = _notebook(new_markdown_cell("# 00 · Title\n\n**Question: what?**"),
                         new_code_cell("secret_variable_name = 41 + 1", execution_count=1, outputs=[
                             new_output("execute_result", data={"text/plain": "42"}, execution_count=1)]))
    hidden = notebook_html(notebook, name="00-title")
    assert "Question: what?" in hidden and "42" in hidden
    assert "secret_variable_name" not in hidden
    assert "<title>00-title</title>" in hidden
    assert "secret_variable_name" in notebook_html(notebook, name="00-title", show_code=True)
    assert hidden == notebook_html(notebook, name="00-title"), "the same notebook gives the same HTML"


# ------------------------------------------------------------------------------------------------ running

FIGURE_CELL = """
import pandas as pd
from analysis import plots
data = pd.DataFrame({"year": ["2003", "2014"], "count": [value, 2]})
plots.save_figure(plots.bar_chart(data, x="year", y="count", title="t", xlabel="Year", ylabel="Speeches (count)"),
                  "00-chart", data, out_dir=out_dir)
"""


@pytest.mark.slow
def test_run_notebooks_reports_a_failure_by_name_and_cell_and_keeps_other_outputs(tmp_path):
    folder, reports = tmp_path / "notebooks", tmp_path / "reports"
    good = _write(folder / "00-good.ipynb", _notebook(
        new_markdown_cell("# 00 · good"), _parameters("value = 1\nout_dir = None"), new_code_cell(FIGURE_CELL)))
    bad = _write(folder / "01-bad.ipynb", _notebook(
        new_markdown_cell("# 01 · bad"), _parameters("value = 1\nonly_in_bad = 0"), new_code_cell("x = 1"),
        new_code_cell("# a comment first\n{}['missing']")))
    reports.mkdir()
    (reports / "01-bad.html").write_text("previous report")
    lines = []
    results = run_notebooks([good, bad], reports_dir=reports, report=lines.append,
                            parameters={"value": 5, "out_dir": str(tmp_path / "figures"), "only_in_bad": 1})
    assert [r.ok for r in results] == [True, False]
    assert results[0].n_figures == 1 and (tmp_path / "figures" / "00-chart.csv").read_text() == \
        "year,count\n2003,5\n2014,2\n"
    assert results[1].error == "01-bad.ipynb: cell 4 (In [4]) `{}['missing']` raised KeyError: 'missing'"
    assert lines[0].startswith("[1/2] 00-good: ok in ") and lines[0].endswith(" s, 1 figure")
    assert lines[1].startswith("[2/2] 01-bad: FAILED after ")
    assert (reports / "01-bad.html").read_text() == "previous report"
    assert not (reports / "01-bad.ipynb").exists()
    executed = nbformat.read(reports / "00-good.ipynb", as_version=4)
    assert [c.get("id") for c in executed.cells] == ["cell-0", "cell-1", "injected-parameters", "cell-2"]
    assert "only_in_bad" not in executed.cells[2].source and "value = 5" in executed.cells[2].source
    assert "papermill" not in executed.metadata
    assert all("execution" not in c.metadata and "papermill" not in c.metadata for c in executed.cells)


@pytest.mark.slow
def test_two_runs_give_identical_notebooks_and_reports(tmp_path):
    source = _write(tmp_path / "00-chart.ipynb", _notebook(
        new_markdown_cell("# 00 · chart"), _parameters("value = 1\nout_dir = None"), new_code_cell(FIGURE_CELL)))
    outputs = []
    for run in ("a", "b"):
        run_notebooks([source], reports_dir=tmp_path / run, parameters={"value": 3, "out_dir": str(tmp_path / "f")})
        files = sorted((tmp_path / run).iterdir()) + sorted((tmp_path / "f").iterdir())
        outputs.append({p.name: p.read_bytes() for p in files})
    assert sorted(outputs[0]) == ["00-chart.csv", "00-chart.html", "00-chart.ipynb", "00-chart.png", "00-chart.svg"]
    assert outputs[0] == outputs[1]
    html = outputs[0]["00-chart.html"].decode()
    assert 'alt="t"' in html, "a figure's title is its alternative text"


@pytest.mark.slow
def test_run_notebook_without_parameters_runs_the_defaults(tmp_path):
    source = _write(tmp_path / "00-x.ipynb", _notebook(_parameters("value = 20"), new_code_cell("value * 2")))
    executed = run_notebook(source)
    assert len(executed.cells) == 2
    assert executed.cells[1].outputs[0]["data"]["text/plain"] == "40"
    failing = _write(tmp_path / "01-y.ipynb", _notebook(new_markdown_cell("# 01"), _parameters("value = 1"),
                                                         new_code_cell("1 / 0")))
    with pytest.raises(NotebookFailure, match=r"^01-y.ipynb: cell 3 \(In \[2\]\) `1 / 0` raised ZeroDivisionError"):
        run_notebook(failing)


def test_unknown_kernel_is_a_one_line_error(tmp_path):
    source = _write(tmp_path / "00-x.ipynb", _notebook(new_code_cell("1")))
    with pytest.raises(InputError, match="kernel 'no-such-kernel' is not installed; run `make setup`"):
        run_notebook(source, kernel_name="no-such-kernel")


def test_notebook_failure_message():
    failure = NotebookFailure("03-x.ipynb", 7, 6, "scores = themes.score()", "ValueError: empty")
    assert str(failure) == "03-x.ipynb: cell 7 (In [6]) `scores = themes.score()` raised ValueError: empty"


# ------------------------------------------------------------------------------------------------ command

@pytest.mark.parametrize("argv, message", [
    (["figures", "--corpus", "/no/such/corpus"], "/no/such/corpus: corpus not found"),
    (["figures", "--notebook", "99"], "no notebook '99'"),
    (["figures", "--top-n", "0"], "--top-n must be at least 1"),
    (["figures", "--in-place", "--top-n", "5"], "--in-place saves the notebooks as they run on their defaults"),
    (["figures", "--set", "colour=red"], "no notebook has a parameter 'colour'; parameters: annotator, bootstrap, by, corpus,"),
    (["figures", "--set", "target"], "--set expects NAME=VALUE, got 'target'"),
    (["figures", "--set", "top_n=3"], "set top_n with --top-n"),
])
def test_figures_command_refuses_bad_arguments_with_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


@pytest.mark.slow
def test_figures_command_on_the_sample_speech(tmp_path, capsys):
    assert main(["figures", "--corpus", str(paths.RAW_DIR), "--out", str(tmp_path), "--top-n", "5",
                 "--set", "window=3"]) == 0
    err = capsys.readouterr().err
    notebooks = find_notebooks(paths.NOTEBOOKS_DIR)
    for number, path in enumerate(notebooks, start=1):
        assert f"[{number}/{len(notebooks)}] {path.stem}: ok in " in err
        html = (tmp_path / "reports" / f"{path.stem}.html").read_text()
        assert "**Question" not in html and "Question:" in html
        assert "plots.save_figure" not in html, "code is hidden by default"
        executed = nbformat.read(tmp_path / "reports" / f"{path.stem}.ipynb", as_version=4)
        injected = [c for c in executed.cells if c.get("id") == "injected-parameters"]
        assert len(injected) == 1 and "top_n = 5" in injected[0].source
        assert ("window = 3" in injected[0].source) == (path.stem == "02-term-frequencies")
    stems = {p.stem for p in (tmp_path / "figures").iterdir()}
    assert len(stems) >= 9
    for stem in stems:
        for suffix in (".png", ".svg", ".csv"):
            assert (tmp_path / "figures" / f"{stem}{suffix}").is_file(), stem + suffix
    assert f"{len(notebooks)} of {len(notebooks)} notebooks ran, {len(stems)} figures written" in err


def test_kernels_import_this_checkout_with_one_blas_thread_and_the_environment_is_restored(monkeypatch):
    import os

    from analysis import reports

    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    with reports._kernel_environment(paths.PROJECT_ROOT):
        assert os.environ["PYTHONPATH"].split(os.pathsep) == [str(paths.PROJECT_ROOT), "/elsewhere"]
        assert os.environ["OMP_NUM_THREADS"] == "1" and os.environ["MPLBACKEND"] == "Agg"
    assert os.environ["PYTHONPATH"] == "/elsewhere"
    assert "OMP_NUM_THREADS" not in os.environ
