"""Tests for analysis/download/datasets.py: the datasets by name, and which of their files play which role."""
from __future__ import annotations

import pytest

from analysis import download as dl
from analysis.errors import InputError


def test_a_dataset_is_found_by_its_name_and_a_dataset_is_given_back_as_it_is():
    unsc = dl.get_dataset("unsc")
    assert unsc is dl.DATASETS["unsc"] and dl.get_dataset(unsc) is unsc
    assert unsc.landing_page == "https://doi.org/10.7910/DVN/KGVSYH"


def test_an_unknown_dataset_names_the_known_ones():
    with pytest.raises(InputError, match=r"unknown dataset 'ungd'; choose one of ungdc, unsc"):
        dl.get_dataset("ungd")


# File names as docs/download.md gives them for the two datasets' listings.
@pytest.mark.parametrize("dataset, name, role", [
    ("ungdc", "UNGDC_1946-2023.tgz", "speeches"),
    ("ungdc", "Raw_PDFs_1946-1969.tgz", None),  # the scanned PDFs are not fetched
    ("ungdc", "Speakers_by_session.xlsx", "speakers"),
    ("unsc", "speeches.tar", "speeches"),
    ("unsc", "SPEECHES.TAR", "speeches"),  # names are matched ignoring case
    ("unsc", "speaker.tsv", "speech_table"),
    ("unsc", "meta.tsv", "meeting_table"),
    ("unsc", "codebook.pdf", None),
])
def test_role_of(dataset, name, role):
    assert dl.role_of(dl.DATASETS[dataset], name) == role
