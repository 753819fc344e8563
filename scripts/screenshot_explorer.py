"""Screenshots of the explorer's four views for the README: docs/explore-{concordance,keyness,speech,groups}.png.

Serves notebooks/06-explore.ipynb with ``make explore``'s own command (Voilà on a free 127.0.0.1 port) on the
notebook's default corpus or ``--corpus``, drives each view in headless Chromium (Debian's ``chromium`` and
``chromedriver``: ``make setup-browser``) and saves one PNG per view. Labels go to a temporary gold file, never to
data/labels. Usage::

    .venv/bin/python scripts/screenshot_explorer.py [--corpus PATH] [--query WORD] [--out docs]

The first opening of a corpus runs the pipeline (cached afterwards), hence the long ``--timeout``.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import browser  # noqa: E402  (tests/browser.py: the browser and server helpers the browser tests use)
from analysis import paths  # noqa: E402

VIEWS = ("concordance", "keyness", "speech", "groups")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", help="the corpus to open (default: the notebook's own default)")
    parser.add_argument("--query", default="climate change", help="the concordance's query (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=paths.PROJECT_ROOT / "docs", help="folder of the PNGs")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for the explorer to open")
    return parser


def _wait(driver, timeout: float, condition, what: str):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.5,
                         ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
                         ).until(condition, what)


def _panel(driver):
    """The tab panel on show."""
    from selenium.webdriver.common.by import By

    return next(panel for panel in driver.find_elements(By.CSS_SELECTOR, ".unspeech-explorer .widget-tab-contents > *")
                if panel.is_displayed())


def _tab(driver, title: str) -> None:
    from selenium.webdriver.common.by import By

    tab = next(tab for tab in driver.find_elements(By.CSS_SELECTOR, ".unspeech-explorer .lm-TabBar-tab")
               if tab.text.strip() == title)
    tab.click()
    _wait(driver, 30, lambda d: "lm-mod-current" in tab.get_attribute("class"), f"the {title} tab did not open")


def _button(driver, label: str):
    from selenium.webdriver.common.by import By

    return next(b for b in _panel(driver).find_elements(By.CSS_SELECTOR, "button") if b.text.strip() == label)


def concordance(driver, query: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element(By.CSS_SELECTOR, ".unspeech-query input")
    box.clear()
    box.send_keys(query, Keys.TAB)
    driver.find_element(By.CSS_SELECTOR, ".unspeech-search").click()
    _wait(driver, 120, lambda d: d.find_elements(By.CSS_SELECTOR, ".unspeech-hits mark.unspeech-match"),
          f"no hit for {query!r}")


def keyness(driver) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    _tab(driver, "Keyness")
    targets = Select(_panel(driver).find_element(By.CSS_SELECTOR, "select[multiple]"))
    targets.select_by_index(0)
    driver.find_element(By.CSS_SELECTOR, ".unspeech-keyness").click()
    _wait(driver, 300, lambda d: _panel(d).find_elements(By.CSS_SELECTOR, ".unspeech-keyness-table table")
          and _panel(d).find_elements(By.CSS_SELECTOR, "img"), "no keyness table and chart")


def speech(driver) -> None:
    from selenium.webdriver.common.by import By

    _tab(driver, "Speech")
    _wait(driver, 120, lambda d: d.find_element(By.CSS_SELECTOR, ".unspeech-speech").text.strip(), "no speech shown")


def groups(driver) -> None:
    from selenium.webdriver.common.by import By

    _tab(driver, "Groups")
    _button(driver, "Draw").click()
    _wait(driver, 300, lambda d: _panel(d).find_elements(By.CSS_SELECTOR, "img, table"), "no group shares drawn")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    reason = browser.missing()
    if reason:
        print(f"cannot take screenshots: {reason}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    failed = []
    with tempfile.TemporaryDirectory(prefix="explore-screenshots-") as scratch:
        folder = Path(scratch)
        env = browser.environment(folder, corpus=Path(args.corpus).resolve() if args.corpus else None,
                                  gold=folder / "gold.csv")
        command, url, ready = browser.explore_command(browser.free_port())
        with browser.serve(command, url=ready, env=env, cwd=paths.PROJECT_ROOT, log=folder / "voila.log"):
            driver = browser.chromium(folder, size=(1400, 1500))
            try:
                driver.set_page_load_timeout(args.timeout)
                started = time.monotonic()
                driver.get(url)
                from selenium.webdriver.common.by import By

                _wait(driver, args.timeout, lambda d: d.find_element(By.CSS_SELECTOR, ".unspeech-query input"),
                      "the explorer did not open")
                print(f"explorer open after {time.monotonic() - started:.1f} s")
                steps = {"concordance": lambda: concordance(driver, args.query), "keyness": lambda: keyness(driver),
                         "speech": lambda: speech(driver), "groups": lambda: groups(driver)}
                for view in VIEWS:
                    began = time.monotonic()
                    try:
                        steps[view]()
                    except Exception as error:  # keep the other views: the screenshot shows what went wrong
                        failed.append(view)
                        print(f"{view}: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}",
                              file=sys.stderr)
                    target = args.out / f"explore-{view}.png"
                    # The tabs only: the summary line above them names the corpus by its path on this machine.
                    driver.find_element(By.CSS_SELECTOR, ".unspeech-explorer .widget-tab").screenshot(str(target))
                    inside = target.is_relative_to(paths.PROJECT_ROOT)
                    shown = target.relative_to(paths.PROJECT_ROOT) if inside else target
                    print(f"{shown} ({time.monotonic() - began:.1f} s)")
            finally:
                driver.quit()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
