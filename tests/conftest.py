"""Shared fixtures.

Tests that read the real corpora in ``../shared/corpora`` use the ``corpora`` fixture. Where the folder is
absent they are skipped with a reason, unless ``UNSPEECH_REQUIRE_CORPORA=1`` (set by ``.ci/run``), which turns
the skip into a failure so CI cannot pass without running them.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis import paths

REQUIRE_CORPORA = os.environ.get("UNSPEECH_REQUIRE_CORPORA", "") not in ("", "0", "false", "no")
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _private_cache_dir(tmp_path_factory, monkeypatch):
    """Every test gets its own cache folder, so no test reads another's cache or writes into data/processed."""
    monkeypatch.setattr(paths, "CACHE_DIR", tmp_path_factory.mktemp("cache"))


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
