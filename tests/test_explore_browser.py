"""The explorer (notebooks/06-explore.ipynb) in a real browser: headless Chromium driven by Selenium (#14).

Two flows, each against a server the test starts on a free 127.0.0.1 port in its own process group:

* the web app of ``make explore`` (Voilà), started through make itself: a concordance query shows hits with the
  match and the stance cue highlighted, and a label saved in the page lands in the gold CSV;
* JupyterLab, as an analyst opens it: the notebook is run from the Run menu and the same query shows hits.

The browser is Debian's ``chromium`` with its ``chromedriver`` (``make setup-browser``), never a download. Without
them, or without Selenium, the tests are skipped with a reason, unless ``UNSPEECH_REQUIRE_BROWSER=1`` (set by
``.ci/run``) turns the skip into a failure. The page elements are found by the CSS classes the explorer's widgets
carry (``unspeech-query``, ``unspeech-search``, ``unspeech-hits``, ...). Screenshots go to the test's tmp folder.
"""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

import browser
from analysis import paths
from analysis.gold import read_gold
from browser import BIN, START_TIMEOUT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REQUIRE_BROWSER = os.environ.get("UNSPEECH_REQUIRE_BROWSER", "") not in ("", "0", "false", "no")
NOTEBOOK = paths.NOTEBOOKS_DIR / "06-explore.ipynb"
#: The speech in data/raw names terrorism in 15 of its 24 sentences, most of them with a stance cue.
CORPUS = paths.RAW_DIR
QUERY = "terrorism"
#: How long JupyterLab's first run may take to show the widgets before the page is reloaded and run again.
FIRST_RUN_TIMEOUT = 60
#: A click's round trip through the kernel (a search, a save).
ACTION_TIMEOUT = 60


@pytest.fixture
def driver(tmp_path):
    """Headless Chromium through its chromedriver; closed after the test."""
    missing = browser.missing()
    if missing:
        if REQUIRE_BROWSER:
            pytest.fail(missing + "; UNSPEECH_REQUIRE_BROWSER is set, so this is an error")
        pytest.skip(missing)
    chromium = browser.chromium(tmp_path)
    yield chromium
    chromium.quit()


def _wait(driver, timeout: float, condition, what: str, shot: Path):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    # JupyterLab and the widgets redraw parts of the page: an element found a moment ago may be gone.
    ignored = (NoSuchElementException, StaleElementReferenceException)
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.25, ignored_exceptions=ignored).until(condition)
    except TimeoutException:
        driver.save_screenshot(str(shot))
        pytest.fail(f"{what} within {timeout} s (screenshot: {shot})")


def _visible(css: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions

    return expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, css))


def _search(driver, tmp_path: Path, name: str) -> list:
    """Type the query into the concordance box, press search and return the highlighted matches."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = _wait(driver, START_TIMEOUT, _visible(".unspeech-query input"), "no concordance box appeared",
                tmp_path / f"{name}-no-widgets.png")
    driver.save_screenshot(str(tmp_path / f"{name}-loaded.png"))
    box.clear()
    box.send_keys(QUERY, Keys.TAB)  # leaving the box hands its value to the kernel
    _wait(driver, ACTION_TIMEOUT, _visible(".unspeech-search"), "no search button", tmp_path / f"{name}-no-search.png")
    driver.find_element(By.CSS_SELECTOR, ".unspeech-search").click()

    def spelled(d):
        # A match that overlaps a cue span is marked in pieces: together they spell the query.
        marks = d.find_elements(By.CSS_SELECTOR, ".unspeech-hits mark.unspeech-match")
        return marks if QUERY in "".join(mark.text.strip().lower() for mark in marks) else False

    matches = _wait(driver, ACTION_TIMEOUT, spelled, f"no highlighted match for {QUERY!r}",
                    tmp_path / f"{name}-no-hits.png")
    driver.save_screenshot(str(tmp_path / f"{name}-hits.png"))
    pieces = [mark.text.strip().lower() for mark in matches]
    assert all(piece and piece in QUERY for piece in pieces), pieces
    cues = driver.find_elements(By.CSS_SELECTOR, ".unspeech-hits mark.unspeech-cue")
    # (a cue cut by a match can leave a piece that is only a space)
    assert any(cue.get_attribute("textContent").strip() for cue in cues), "no stance cue highlighted among the hits"
    return matches


def test_make_explore_serves_a_concordance_that_labels_into_the_gold_file(driver, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    port, gold = browser.free_port(), tmp_path / "gold.csv"
    env = browser.environment(tmp_path, corpus=CORPUS, gold=gold)
    command, url, ready = browser.explore_command(port)
    with browser.serve(command, url=ready, env=env, cwd=paths.PROJECT_ROOT, log=tmp_path / "voila.log"):
        started = time.monotonic()
        driver.get(url)
        _search(driver, tmp_path, "voila")
        searched = time.monotonic()

        # Label the first hit: a stance other than the one selected, and the first theme.
        number = driver.find_element(By.CSS_SELECTOR, ".unspeech-hit-number input")
        number.send_keys(Keys.CONTROL, "a")
        number.send_keys("1", Keys.TAB)
        buttons = driver.find_elements(By.CSS_SELECTOR, ".unspeech-stance button")
        assert buttons, "no stance buttons"
        choice = next((b for b in buttons if "mod-active" not in (b.get_attribute("class") or "")), buttons[0])
        label = choice.text.strip()
        choice.click()
        _wait(driver, ACTION_TIMEOUT, lambda d: "mod-active" in (choice.get_attribute("class") or ""),
              f"the stance button {label!r} was not selected", tmp_path / "voila-no-stance.png")
        # The panel starts from the sentence's own labels: toggle the first theme, then save what is ticked.
        boxes = driver.find_elements(By.CSS_SELECTOR, ".unspeech-theme")
        if boxes:
            tick = boxes[0].find_element(By.CSS_SELECTOR, "input[type=checkbox]")
            was = tick.is_selected()
            tick.click()
            _wait(driver, ACTION_TIMEOUT, lambda d: tick.is_selected() != was, "the theme box did not toggle",
                  tmp_path / "voila-no-theme.png")
        themes = {box.text.strip() for box in boxes if box.find_element(By.CSS_SELECTOR, "input").is_selected()}
        status_before = driver.find_element(By.CSS_SELECTOR, ".unspeech-status").text
        driver.find_element(By.CSS_SELECTOR, ".unspeech-save").click()
        _wait(driver, ACTION_TIMEOUT, lambda d: d.find_element(By.CSS_SELECTOR, ".unspeech-status").text
              != status_before, "the save reported nothing", tmp_path / "voila-no-save.png")
        driver.save_screenshot(str(tmp_path / "voila-saved.png"))
        status = driver.find_element(By.CSS_SELECTOR, ".unspeech-status").text
        assert gold.is_file(), f"no gold file after saving; the page says: {status}"
        print(f"Voilà: hits {searched - started:.1f} s after opening the page")

    rows = read_gold(gold, require=("stance",))
    assert len(rows) == 1, rows
    row = rows.iloc[0]
    assert row["stance"] == label
    assert QUERY in row["text"].lower()
    if boxes:
        assert set(filter(None, row["themes"].split(";"))) == themes, (row["themes"], themes)


def _lab_settings(folder: Path) -> None:
    """User settings for the test's JupyterLab: no autosave (the notebook in the checkout is never written), the
    kernel started without a dialog, no news or update checks (no network, no toast over the page)."""
    settings = {
        "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
        # Start the notebook's kernel without asking which (JupyterLab asks with a dialog otherwise).
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"autoStartDefaultKernel": True},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                            "checkForUpdates": False},
    }
    for name, values in settings.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(json.dumps(values))


def _run_all_cells(driver, tmp_path: Path) -> None:
    """Run > Run All Cells, as an analyst would; again if no cell started (a click while JupyterLab is still
    connecting the kernel can go unheard)."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    run_all = ("//li[contains(@class, 'lm-Menu-item')]"
               "[.//*[contains(@class, 'lm-Menu-itemLabel') and normalize-space() = 'Run All Cells']]")

    def started(d):  # a prompt shows [*]: or [1]:
        return any(re.search(r"\[[*\d]", prompt.text) for prompt in d.find_elements(By.CSS_SELECTOR, ".jp-InputPrompt"))

    for attempt in range(3):
        run_menu = next(item for item in driver.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-item")
                        if item.text.strip() == "Run")
        run_menu.click()
        _wait(driver, ACTION_TIMEOUT, expected_conditions.element_to_be_clickable((By.XPATH, run_all)),
              "no Run All Cells in the Run menu", tmp_path / "lab-no-run-all.png").click()
        try:
            WebDriverWait(driver, 15, poll_frequency=0.25).until(started)
            return
        except TimeoutException:
            driver.save_screenshot(str(tmp_path / f"lab-run-all-unheard-{attempt + 1}.png"))
    pytest.fail(f"Run All Cells started no cell in three tries (screenshots in {tmp_path})")


def _open_and_run(driver, url: str, log: Path, tmp_path: Path) -> None:
    """Open the notebook in JupyterLab and run it until its widgets show; once more after a reload if they do not.

    Runs start only once the server logs the page's kernel connection: its first websocket can close early
    (jupyter_server#1265), and a run before the page reconnects loses the widgets' output. Should that still
    happen, the reload is what an analyst would do; a notebook that fails fails both times.
    """
    for attempt in (1, 2):
        connections = log.read_text(errors="replace").count("Connecting to kernel")
        driver.get(url) if attempt == 1 else driver.refresh()
        _wait(driver, START_TIMEOUT, _visible(".jp-NotebookPanel .jp-Notebook .jp-Cell"),
              "JupyterLab did not open the notebook", tmp_path / f"lab-no-notebook-{attempt}.png")
        _wait(driver, START_TIMEOUT, _visible(".lm-MenuBar-item"), "no menu bar",
              tmp_path / f"lab-no-menu-{attempt}.png")
        _wait(driver, START_TIMEOUT,
              lambda d: log.read_text(errors="replace").count("Connecting to kernel") > connections,
              "the page did not connect to the kernel", tmp_path / f"lab-no-kernel-{attempt}.png")
        _run_all_cells(driver, tmp_path)
        if attempt == 2:
            return
        from selenium.common.exceptions import TimeoutException
        from selenium.webdriver.support.ui import WebDriverWait

        try:
            WebDriverWait(driver, FIRST_RUN_TIMEOUT, poll_frequency=0.25).until(_visible(".unspeech-query input"))
            return
        except TimeoutException:
            driver.save_screenshot(str(tmp_path / "lab-first-run-no-widgets.png"))
            print(f"JupyterLab: no widgets {FIRST_RUN_TIMEOUT} s after Run All; reloading the page once")


def test_jupyterlab_runs_the_explorer_notebook_and_its_concordance(driver, tmp_path):

    assert NOTEBOOK.is_file(), f"{NOTEBOOK} not found"
    before = NOTEBOOK.read_bytes(), sorted(p.name for p in paths.NOTEBOOKS_DIR.iterdir())
    port, token = browser.free_port(), os.urandom(16).hex()
    settings, checkpoints = tmp_path / "lab-settings", tmp_path / "lab-checkpoints"
    _lab_settings(settings)
    checkpoints.mkdir()
    command = [str(BIN / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={paths.NOTEBOOKS_DIR}", f"--LabApp.user_settings_dir={settings}",
               f"--LabApp.workspaces_dir={tmp_path / 'lab-workspaces'}",
               # The checkpoint JupyterLab makes on opening a notebook, in tmp_path rather than notebooks/.
               f"--FileCheckpoints.root_dir={checkpoints}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    base = f"http://127.0.0.1:{port}"
    env = browser.environment(tmp_path, corpus=CORPUS, gold=tmp_path / "gold.csv")
    with browser.serve(command, url=f"{base}/api/status?token={token}", env=env, cwd=paths.NOTEBOOKS_DIR,
                 log=tmp_path / "lab.log"):
        started = time.monotonic()
        _open_and_run(driver, f"{base}/lab/tree/{NOTEBOOK.name}?token={token}", tmp_path / "lab.log", tmp_path)
        _search(driver, tmp_path, "lab")
        print(f"JupyterLab: hits {time.monotonic() - started:.1f} s after opening the notebook")
    after = NOTEBOOK.read_bytes(), sorted(p.name for p in paths.NOTEBOOKS_DIR.iterdir())
    assert after == before, "JupyterLab wrote into notebooks/ in the checkout"
