"""Tests for analysis.stance: the codebook file, the cue matcher, the rule labeller."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from analysis import paths
from analysis.errors import ConfigError
from analysis.stance import (
    LABELS,
    Codebook,
    CueMatcher,
    check_codebook,
    label_rules,
    load_codebook,
)

CODEBOOK = load_codebook()


# --------------------------------------------------------------------------------------------------
# The codebook file
# --------------------------------------------------------------------------------------------------

def _single(cue) -> CueMatcher:
    return CueMatcher(Codebook(version="t", codebook_version="1", precedence=CODEBOOK.precedence,
                               default="neutral", themes=(), cues=(cue,)))


@pytest.mark.parametrize("cue", CODEBOOK.cues, ids=lambda cue: f"{cue.label}:{cue.name}")
def test_every_cue_matches_its_examples_and_not_its_counterexamples(cue):
    matcher = _single(cue)
    assert cue.examples, "every cue needs examples"
    for example in cue.examples:
        assert len(matcher.match([example])), f"{cue.name!r} misses {example!r}"
    for example in cue.counterexamples:
        assert not len(matcher.match([example])), f"{cue.name!r} matches counterexample {example!r}"


@pytest.mark.parametrize("text, stance", CODEBOOK.checks, ids=[text[:40] for text, _ in CODEBOOK.checks])
def test_codebook_checks_get_their_stance(text, stance):
    assert label_rules([text], codebook=CODEBOOK)["stance"].tolist() == [stance]


def test_check_codebook_reports_nothing_for_the_shipped_file():
    assert check_codebook(CODEBOOK) == []


def test_codebook_follows_codebook_version_1():
    assert CODEBOOK.codebook_version == "1"
    assert CODEBOOK.precedence == ("oppose", "support", "condemn", "neutral")
    assert CODEBOOK.default == "neutral"
    assert set(CODEBOOK.labels) == set(LABELS)
    assert {cue.label for cue in CODEBOOK.cues} == set(LABELS)
