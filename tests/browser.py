"""Headless Chromium and local Jupyter servers for the explorer's browser tests and screenshots (#14).

Shared by ``tests/test_explore_browser.py`` and ``scripts/screenshot_explorer.py``. The browser is Debian's
``chromium`` with its ``chromedriver`` (``make setup-browser``): the driver path is given to Selenium, which then
never looks for, or downloads, a driver or a browser. A server runs on a free 127.0.0.1 port in its own process
group and is stopped with every process it started.
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from analysis import paths
from analysis.explore.widgets import CORPUS_VARIABLE, GOLD_VARIABLE, MODE_VARIABLE

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: The scripts of the running interpreter's environment (voila, jupyter).
BIN = Path(sys.executable).parent
#: Server start, kernel start and the notebook's first run on a 2-core machine shared with other jobs.
START_TIMEOUT = 120


class ServerError(RuntimeError):
    """A server stopped or did not answer; the message ends with its log."""


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.is_file() or not CHROMEDRIVER.is_file():
        return f"{CHROMIUM} or {CHROMEDRIVER} not found (as root: make setup-browser)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    for script in ("voila", "jupyter"):
        if not (BIN / script).is_file():
            return f"{BIN / script} not found (pip install -e .)"
    return None


def chromium(folder: Path, *, size: tuple[int, int] = (1400, 1000)):
    """A headless Chromium driven through its chromedriver, its profile and driver log in ``folder``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={size[0]},{size[1]}",
                     "--no-proxy-server", f"--user-data-dir={folder / 'chromium-profile'}"):
        options.add_argument(argument)
    # Leaving a page with unsaved changes asks first; a test that reloads JupyterLab answers yes.
    options.set_capability("unhandledPromptBehavior", "accept")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER), log_output=str(folder / "chromedriver.log")),
                              options=options)
    driver.set_page_load_timeout(START_TIMEOUT)
    return driver


def explore_command(port: int) -> tuple[list[str], str, str]:
    """``make explore``'s own command line on ``port`` (``STAMP=`` skips the set-up step: the running interpreter
    has the packages), the app's URL, and a static file of Voilà's that answers once it serves."""
    command = ["make", "--no-print-directory", "explore", f"EXPLORE_PORT={port}", "STAMP=", f"BIN={BIN}"]
    url = f"http://127.0.0.1:{port}/"
    return command, url, url + "voila/templates/lab/static/voila.js"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children() -> dict[int, list[int]]:
    """Each process's children, from /proc (the tests run on Linux, as Chromium's Debian package does)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            # The command name, in parentheses, may hold spaces: the fields after its closing one are fixed.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def _descendants(pid: int) -> list[int]:
    children, found, todo = _children(), [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _get(url: str) -> int:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
    try:
        with opener.open(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@contextlib.contextmanager
def serve(command: list[str], *, url: str, env: dict, cwd: Path, log: Path):
    """Run a server in its own process group until it answers ``url`` with 200; stop it and every process it
    started (the Jupyter kernels run in sessions of their own) when the block ends, and check none is left."""
    with open(log, "wb") as output:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise ServerError(f"the server stopped with code {process.returncode} before answering; its log "
                            f"({log}):\n{log.read_text(errors='replace')[-3000:]}")
            with contextlib.suppress(OSError):
                if _get(url) == 200:
                    break
            if time.monotonic() > deadline:
                raise ServerError(f"the server did not answer {url} within {START_TIMEOUT} s; its log ({log}):\n"
                            f"{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.3)
        yield process
    finally:
        started = [process.pid, *_descendants(process.pid)]
        # SIGTERM first: a Jupyter server then shuts its kernels down itself.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        for pid in started:
            if _alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in started[1:]) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [pid for pid in started[1:] if _alive(pid)]
        assert not left, f"processes left behind by {command[0]}: {left}"


def environment(folder: Path, *, corpus: Path | None = None, gold: Path | None = None) -> dict:
    """The servers' environment: this checkout's package for the kernels, Jupyter's user folders in ``folder``
    (the user's settings, kernels and runtime files are neither read nor written), the explorer's corpus and gold
    file when given, and no explorer mode (``make explore`` sets it; JupyterLab is live as an analyst runs it)."""
    env = dict(os.environ)
    env.pop(MODE_VARIABLE, None)
    env.update({variable: str(value) for variable, value in ((CORPUS_VARIABLE, corpus), (GOLD_VARIABLE, gold))
                if value is not None})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(paths.PROJECT_ROOT), env.get("PYTHONPATH")]))
    for variable, name in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                             ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")):
        (folder / "jupyter" / name).mkdir(parents=True, exist_ok=True)
        env[variable] = str(folder / "jupyter" / name)
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MPLBACKEND="Agg", PYTHONHASHSEED="0")
    for variable in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        env.pop(variable, None)
    env["no_proxy"] = "127.0.0.1,localhost"
    return env
