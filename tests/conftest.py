"""Shared fixtures.

Tests that read the real corpora in ``../shared/corpora`` use the ``corpora`` fixture, tests that read the
published reference data in ``../shared/validation`` the ``validation`` fixture. Where the folder is
absent they are skipped with a reason, unless ``UNSPEECH_REQUIRE_CORPORA=1`` (set by ``.ci/run``), which turns
the skip into a failure so CI cannot pass without running them.
"""
from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

import pytest

from analysis import paths

REQUIRE_CORPORA = os.environ.get("UNSPEECH_REQUIRE_CORPORA", "") not in ("", "0", "false", "no")
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session", autouse=True)
def _session_cache_dir(tmp_path_factory):
    """A cache folder for fixtures wider than one test (set up before the per-test one below)."""
    folder = tmp_path_factory.mktemp("session-cache")
    saved = paths.CACHE_DIR, os.environ.get("UNSPEECH_CACHE_DIR")
    paths.CACHE_DIR = folder
    os.environ["UNSPEECH_CACHE_DIR"] = str(folder)
    yield
    paths.CACHE_DIR = saved[0]
    if saved[1] is None:
        os.environ.pop("UNSPEECH_CACHE_DIR", None)
    else:
        os.environ["UNSPEECH_CACHE_DIR"] = saved[1]


@pytest.fixture(autouse=True)
def _private_cache_dir(tmp_path_factory, monkeypatch):
    """Every test gets its own cache folder, so no test reads another's cache or writes into data/processed
    (``UNSPEECH_CACHE_DIR`` carries it to the commands tests start in subprocesses)."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setattr(paths, "CACHE_DIR", folder)
    monkeypatch.setenv("UNSPEECH_CACHE_DIR", str(folder))


@pytest.fixture
def no_dataverse(monkeypatch):
    """Point the default Dataverse server at a closed loopback port, and keep proxies away from the loopback,
    so that a download test can only reach the stub server it starts (``tests/dataverse_stub.py``)."""
    from dataverse_stub import closed_port_url

    from analysis.download import SERVER_VARIABLE

    monkeypatch.setenv(SERVER_VARIABLE, closed_port_url())
    for variable in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture(scope="session")
def corpora() -> Path:
    """Path of the shared real corpora (``../shared/corpora``)."""
    root = paths.SHARED_CORPORA
    if not (root / "all_metadata.csv").is_file():
        message = f"real corpora not found at {root} (set UNSPEECH_CORPORA or put ../shared beside the checkout)"
        if REQUIRE_CORPORA:
            pytest.fail(message + "; UNSPEECH_REQUIRE_CORPORA is set, so this is an error")
        pytest.skip(message)
    return root


@pytest.fixture(scope="session")
def validation() -> Path:
    """Path of the shared validation data (``../shared/validation``): published reference matrices."""
    root = paths.SHARED_VALIDATION
    if not (root / "scaling" / "README.md").is_file():
        message = (f"validation data not found at {root} (set UNSPEECH_VALIDATION or put ../shared beside the "
                   "checkout)")
        if REQUIRE_CORPORA:
            pytest.fail(message + "; UNSPEECH_REQUIRE_CORPORA is set, so this is an error")
        pytest.skip(message)
    return root


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """Folder of small hand-made input files in the formats of the real corpora."""
    return FIXTURES


@pytest.fixture(scope="session")
def sample_speech_path() -> Path:
    return paths.RAW_DIR / "sample_speech.txt"


@pytest.fixture
def finishes_within():
    """``with finishes_within(seconds): ...`` fails instead of hanging.

    A guard against quadratic time or catastrophic regex backtracking on hostile input, with a margin of tens
    of times the linear time: not a speed target (those live in benchmarks/).
    """
    @contextlib.contextmanager
    def guard(seconds: float):
        def stop(signum, frame):
            raise AssertionError(f"did not finish within {seconds} s: quadratic time or catastrophic backtracking?")

        previous = signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    return guard
