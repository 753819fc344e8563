"""Run the notebooks against a corpus and turn them into reports: the ``figures`` command.

Each notebook in ``notebooks/`` is executed with papermill (its ``parameters`` cell receives the corpus, the
top-n and the figure folder), the executed notebook is cleaned of everything that changes from run to run
(timings, papermill's bookkeeping, random cell ids), and written with an HTML rendering (nbconvert, code
hidden unless asked) into the report folder. The figures are written by the notebooks themselves through
:func:`analysis.plots.save_figure`.

A notebook that fails is reported by name and cell; its previous report is left as it was, and the other
notebooks still run.
"""
from __future__ import annotations

import contextlib
import copy
import dataclasses
import os
import re
import time
from pathlib import Path
from typing import Callable, Iterator, Sequence

from . import paths
from .errors import InputError
from .io import write_text

__all__ = [
    "KERNEL_NAME", "NotebookFailure", "NotebookResult", "clean_notebook", "count_figures", "declared_parameters",
    "find_notebooks", "notebook_html",
    "parameters_cells", "run_notebook", "run_notebooks",
]

#: The kernel every notebook runs on (``make setup`` registers the project's venv under this name).
KERNEL_NAME = "python3"
#: The kernel's own log (start-up notices, the interrupt at shut-down) is noise beside the progress lines;
#: errors in cells still arrive through the notebook protocol.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
#: Notebooks are the numbered ``NN-name.ipynb`` files of the notebook folder, run in this order.
NOTEBOOK_NAME = re.compile(r"^\d{2}-[\w-]+\.ipynb$")
#: Cell metadata keys that vary between runs; notebook metadata keys likewise.
VOLATILE_CELL_METADATA = ("papermill", "execution", "collapsed", "scrolled", "ExecuteTime")
VOLATILE_NOTEBOOK_METADATA = ("papermill", "widgets", "toc-autonumbering")
#: The text a saved figure shows in a notebook (see :class:`analysis.plots.SavedFigure`).
FIGURE_OUTPUT = re.compile(r"^<figure [^>]+>$")


@dataclasses.dataclass(frozen=True)
class NotebookResult:
    """What running one notebook produced."""

    name: str
    seconds: float
    notebook: Path | None = None
    html: Path | None = None
    n_figures: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class NotebookFailure(Exception):
    """A notebook cell raised; the message names the notebook, the cell (its position in the notebook as
    written, from 1, and its execution count) and the error."""

    def __init__(self, notebook: str, cell: int, execution_count: int | None, first_line: str, error: str,
                 traceback: str = ""):
        self.notebook, self.cell, self.execution_count = notebook, cell, execution_count
        self.first_line, self.error, self.traceback = first_line, error, traceback
        where = f"cell {cell}" + (f" (In [{execution_count}])" if execution_count else "")
        super().__init__(f"{notebook}: {where} `{first_line}` raised {error}")


def find_notebooks(folder: str | Path = paths.NOTEBOOKS_DIR, *, select: Sequence[str] = ()) -> list[Path]:
    """The numbered notebooks of ``folder`` in reading order, or those named in ``select``.

    ``select`` entries match a notebook by its number (``"01"``), its stem (``"01-corpus-overview"``) or its
    file name.

    Raises
    ------
    InputError
        If the folder holds no numbered notebook, or a selected name matches none.
    """
    folder = Path(folder)
    notebooks = sorted(p for p in folder.glob("*.ipynb") if NOTEBOOK_NAME.match(p.name))
    if not notebooks:
        raise InputError("no numbered notebooks (NN-name.ipynb) found", path=folder)
    if not select:
        return notebooks
    chosen = []
    for wanted in select:
        matches = [p for p in notebooks if wanted in (p.name, p.stem, p.name[:2])]
        if not matches:
            raise InputError(f"no notebook {wanted!r}; choose from: {', '.join(p.stem for p in notebooks)}",
                             path=folder)
        chosen.extend(m for m in matches if m not in chosen)
    return sorted(chosen)


def parameters_cells(notebook) -> list[int]:
    """Indices of the cells tagged ``parameters`` (papermill's convention)."""
    return [index for index, cell in enumerate(notebook.cells)
            if "parameters" in cell.get("metadata", {}).get("tags", [])]


def declared_parameters(notebook) -> list[str]:
    """Names the ``parameters`` cell assigns, in order (``[]`` without such a cell)."""
    import ast

    names = []
    for index in parameters_cells(notebook)[:1]:
        source = "\n".join(line for line in notebook.cells[index].source.splitlines()
                           if not line.lstrip().startswith(("%", "!")))
        for node in ast.parse(source).body:
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
            names.extend(t.id for t in targets if isinstance(t, ast.Name) and t.id not in names)
    return names


def clean_notebook(notebook, *, kernel_name: str = KERNEL_NAME):
    """A copy of an executed notebook without what changes from run to run.

    Removes papermill's and the front end's timing metadata and error markers, gives papermill's injected
    cells fixed ids, and sets the kernel to ``kernel_name``. Outputs and execution counts are kept.
    """
    notebook = copy.deepcopy(notebook)
    metadata = notebook.metadata
    for key in VOLATILE_NOTEBOOK_METADATA:
        metadata.pop(key, None)
    metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": kernel_name}
    kept = []
    injected = 0
    for cell in notebook.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "papermill-error-cell-tag" in tags:
            continue
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.metadata.get("tags") == []:  # papermill adds empty tag lists
            del cell.metadata["tags"]
        if "injected-parameters" in tags:
            cell["id"] = "injected-parameters" if not injected else f"injected-parameters-{injected}"
            injected += 1
        kept.append(cell)
    notebook.cells = kept
    return notebook


def count_figures(notebook) -> int:
    """Number of figures a notebook saved, from the outputs :class:`~analysis.plots.SavedFigure` leaves."""
    count = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/plain", "")
            if isinstance(text, list):
                text = "".join(text)
            if FIGURE_OUTPUT.match(text.strip()):
                count += 1
    return count


# JupyterLab's page, with each figure's title as its alternative text (screen readers, broken images).
_REPORT_TEMPLATE = """{%- extends 'index.html.j2' -%}
{% block data_png scoped %}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
{%- set width = output | get_metadata('width', 'image/png') -%}
{%- set alt = output | get_metadata('alt', 'image/png') %}
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}"
{%- if width is not none %} width="{{ width | escape_html }}"{% endif %} alt="{{ (alt or 'figure') | escape_html }}">
</div>
{%- endblock data_png %}
"""


def notebook_html(notebook, *, name: str, show_code: bool = False) -> str:
    """Render an executed notebook as a self-contained HTML page (figures are embedded).

    Code cells are hidden unless ``show_code``; markdown, tables and figures always show.
    """
    import jinja2
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", template_file="report.html.j2",
                            extra_loaders=[jinja2.DictLoader({"report.html.j2": _REPORT_TEMPLATE})])
    exporter.exclude_input = not show_code
    exporter.exclude_input_prompt = not show_code
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": name}})
    return body


#: Environment of the kernels: no display, fixed hashing, and one BLAS thread, because a reduction split
#: over threads can change the last bits of a float (NMF topics, scores) from run to run; the explorer
#: (notebook 06) shows its static summary, since no one can click in a report.
KERNEL_ENVIRONMENT = {"MPLBACKEND": "Agg", "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1",
                      "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "UNSPEECH_EXPLORE": "static"}


@contextlib.contextmanager
def _kernel_environment(project_root: Path) -> Iterator[None]:
    """Let the kernel import this checkout's ``analysis``, with :data:`KERNEL_ENVIRONMENT`."""
    saved = {key: os.environ.get(key) for key in ("PYTHONPATH", *KERNEL_ENVIRONMENT)}
    python_path = [str(project_root)] + [p for p in (saved["PYTHONPATH"] or "").split(os.pathsep) if p]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(python_path))
    os.environ.update(KERNEL_ENVIRONMENT)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def run_notebook(path: str | Path, *, parameters: dict | None = None, cwd: str | Path | None = None,
                 timeout: float | None = None, kernel_name: str = KERNEL_NAME):
    """Execute one notebook with papermill and return it cleaned (see :func:`clean_notebook`).

    ``parameters`` replace the defaults of the cell tagged ``parameters``; ``None`` runs the notebook as
    written.

    Raises
    ------
    NotebookFailure
        If a cell raises: names the notebook, the cell (its position in the notebook as written, from 1) and
        the error.
    InputError
        If the kernel ``kernel_name`` is not installed.
    """
    import nbformat
    import papermill
    from jupyter_client.kernelspec import NoSuchKernel
    from papermill.exceptions import PapermillExecutionError

    path = Path(path)
    with _kernel_environment(paths.PROJECT_ROOT):
        try:
            notebook = papermill.execute_notebook(
                str(path), None, parameters=parameters or None, kernel_name=kernel_name,
                cwd=str(cwd or path.parent), progress_bar=False, log_output=False, execution_timeout=timeout,
                request_save_on_cell_execute=False, extra_arguments=KERNEL_ARGUMENTS)
        except PapermillExecutionError as error:
            first_line = next((line.strip() for line in error.source.splitlines()
                               if line.strip() and not line.lstrip().startswith("#")), "")
            message = f"{error.ename}: {error.evalue}".rstrip(": ")
            # the cell's place in the notebook as written (papermill counts its injected cell)
            cell = error.cell_index + 1
            injected_after = parameters_cells(nbformat.read(path, as_version=4))[:1] if parameters else []
            if injected_after and error.cell_index > injected_after[0] + 1:
                cell -= 1
            raise NotebookFailure(path.name, cell, error.exec_count, first_line[:80], message,
                                  _ANSI.sub("", "\n".join(error.traceback))) from None
        except NoSuchKernel:
            raise InputError(f"Jupyter kernel {kernel_name!r} is not installed; run `make setup` (it runs "
                             f"`python -m ipykernel install --sys-prefix --name {kernel_name}`)",
                             path=path) from None
    return clean_notebook(notebook, kernel_name=kernel_name)


def _write_notebook(notebook, path: Path) -> Path:
    import nbformat

    return write_text(path, nbformat.writes(notebook) + "\n")


def run_notebooks(notebooks: Sequence[str | Path], *, reports_dir: str | Path, parameters: dict | None = None,
                  in_place: bool = False, show_code: bool = False, timeout: float | None = None,
                  report: Callable[[str], None] | None = None) -> list[NotebookResult]:
    """Execute ``notebooks`` in order; write each executed notebook and its HTML into ``reports_dir``.

    Parameters
    ----------
    notebooks : sequence of paths
        Notebooks to run (see :func:`find_notebooks`).
    reports_dir : str or Path
        Folder of the executed ``.ipynb`` and ``.html`` files (created if needed).
    parameters : dict, optional
        Values for the ``parameters`` cells; each notebook receives those its cell declares.
    in_place : bool
        Also save each executed notebook over its source (how the committed notebooks are refreshed);
        only without ``parameters``, so that the saved notebooks keep their own defaults.
    report : callable, optional
        Called with one line per notebook (name, status, time, figures).

    Returns
    -------
    list of NotebookResult
        One per notebook; a failed notebook has ``error`` set and its old outputs untouched.
    """
    if in_place and parameters:
        raise ValueError("in_place needs the notebooks' own defaults; got parameters")
    reports_dir = Path(reports_dir)
    results = []
    total = len(notebooks)
    for number, source in enumerate(notebooks, start=1):
        source = Path(source)
        name = source.stem
        started = time.perf_counter()
        own = None
        if parameters:
            import nbformat

            declared = declared_parameters(nbformat.read(source, as_version=4))
            own = {name: value for name, value in parameters.items() if name in declared}
        try:
            executed = run_notebook(source, parameters=own, timeout=timeout)
        except NotebookFailure as failure:
            seconds = time.perf_counter() - started
            result = NotebookResult(name=name, seconds=seconds, error=str(failure))
            if report:
                report(f"[{number}/{total}] {name}: FAILED after {seconds:.1f} s: {failure}")
        else:
            notebook_path = _write_notebook(executed, reports_dir / f"{name}.ipynb")
            html_path = write_text(reports_dir / f"{name}.html", notebook_html(executed, name=name,
                                                                             show_code=show_code))
            if in_place:
                _write_notebook(executed, source)
            seconds = time.perf_counter() - started
            n_figures = count_figures(executed)
            result = NotebookResult(name=name, seconds=seconds, notebook=notebook_path, html=html_path,
                                    n_figures=n_figures)
            if report:
                report(f"[{number}/{total}] {name}: ok in {seconds:.1f} s, {n_figures} figure"
                       f"{'' if n_figures == 1 else 's'}")
        results.append(result)
    return results
