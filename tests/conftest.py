"""Shared fixtures.

Tests that read the real corpora in ``../shared/corpora`` use the ``corpora`` fixture. Where the folder is
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
