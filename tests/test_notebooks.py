"""The notebooks in notebooks/: one question each, one `parameters` cell, no logic, committed executed.

`make test` also runs them under nbval, which compares their committed outputs with a fresh run; these tests
check the rules that nbval cannot see.
"""
from __future__ import annotations

import ast
import re

import nbformat
import pytest

from analysis import paths
from analysis.cli import DEFAULT_TOP_N
from analysis.reports import find_notebooks, parameters_cells

NOTEBOOKS = find_notebooks(paths.NOTEBOOKS_DIR)
IDS = [p.stem for p in NOTEBOOKS]


def _read(path):
    return nbformat.read(path, as_version=4)


def _code(cell) -> str:
    """Cell source without IPython magics, parsable as Python."""
    return "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))


def _trees(notebook):
    return [(cell, ast.parse(_code(cell))) for cell in notebook.cells if cell.cell_type == "code"]


@pytest.fixture(params=NOTEBOOKS, ids=IDS)
def notebook(request):
    return request.param, _read(request.param)


def test_notebooks_are_numbered_in_reading_order():
    numbers = [int(p.stem[:2]) for p in NOTEBOOKS]
    assert numbers == sorted(set(numbers)) and numbers[0] == 0
    assert IDS == ["00-sample-speech", "01-corpus-overview", "02-term-frequencies", "03-tfidf-themes", "04-stance",
                   "05-compare-groups", "06-explore", "07-positions"]


def test_opens_with_the_question_it_asks(notebook):
    path, nb = notebook
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    assert first.source.startswith(f"# {path.stem[:2]} ")
    assert re.search(r"\*\*Question: [^*]+\?\*\*", first.source), "state the one question in bold"


def test_exactly_one_parameters_cell_with_the_command_defaults(notebook):
    path, nb = notebook
    cells = parameters_cells(nb)
    assert len(cells) == 1
    tree = ast.parse(_code(nb.cells[cells[0]]))
    assigned = {node.targets[0].id: ast.unparse(node.value) for node in tree.body if isinstance(node, ast.Assign)}
    # the sample speech for the one-speech notebook, six General Debate sessions for the corpus notebooks
    assert assigned["corpus"] == ("paths.SAMPLE_CORPUS" if path.stem.startswith("00") else "paths.EXAMPLE_CORPUS")
    assert assigned["top_n"] == str(DEFAULT_TOP_N)
    assert assigned["out_dir"] == "paths.FIGURES_DIR"
    assert all(isinstance(node, ast.Assign) for node in tree.body), "the parameters cell only assigns values"


def test_imports_analysis_and_holds_no_definitions(notebook):
    _, nb = notebook
    imported = set()
    for _, tree in _trees(nb):
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)), \
                "reusable code belongs in the analysis package, with a test"
            if isinstance(node, ast.ImportFrom):
                imported.add((node.module or "").split(".")[0])
            elif isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
    assert "analysis" in imported
    assert not imported & {"os", "pathlib", "glob", "matplotlib"}, "paths come from analysis.paths, charts from plots"


def test_no_path_arithmetic(notebook):
    _, nb = notebook
    for cell, tree in _trees(nb):
        for node in ast.walk(tree):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
                operands = [ast.unparse(node.left), ast.unparse(node.right)]
                assert not any("paths." in o or "out_dir" in o or "corpus" in o for o in operands), cell.source
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not re.search(r"(^|/)\.\.?/|^/|\.(csv|txt|png|svg|ipynb|parquet)$", node.value), \
                    f"path literal {node.value!r}: use analysis.paths"


def test_figures_are_named_after_their_notebook_and_unique():
    seen = {}
    for path in NOTEBOOKS:
        for _, tree in _trees(_read(path)):
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("save_figure"):
                    name = node.args[1].value
                    assert name.startswith(path.stem[:3]), (path.name, name)
                    assert name not in seen, f"{name} saved by {seen.get(name)} and {path.name}"
                    seen[name] = path.name
    assert len(seen) >= 10


def test_committed_executed_in_order_without_errors(notebook):
    path, nb = notebook
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert "papermill" not in nb.metadata
    counts = [cell.execution_count for cell in nb.cells if cell.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), f"run {path.name} top to bottom (python -m analysis figures --in-place)"
    for cell in nb.cells:
        assert "execution" not in cell.metadata and "papermill" not in cell.metadata
        for output in cell.get("outputs", []):
            assert output.output_type != "error", cell.source
            assert not (output.output_type == "stream" and output.name == "stderr"), output.text[:200]
