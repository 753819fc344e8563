"""Tests for analysis/download/local.py: files fetched by hand, as a folder or Dataverse's zip bundle."""
from __future__ import annotations

import zipfile

import pytest
from download_samples import unsc_files

from analysis import download as dl
from analysis.corpus import read_corpus

pytestmark = pytest.mark.usefixtures("no_dataverse")  # nothing reaches the network


@pytest.mark.parametrize("layout", ["folder", "bundle"])
def test_from_files_unpacks_files_fetched_by_hand_without_the_network(tmp_path, layout):
    by_hand = tmp_path / "by_hand"
    by_hand.mkdir()
    files = {f.name: f.data for f in unsc_files()}
    if layout == "folder":
        for name, data in files.items():
            (by_hand / name).write_bytes(data)
    else:
        with zipfile.ZipFile(by_hand / "dataverse_files.zip", "w") as bundle:
            for name, data in files.items():
                bundle.writestr(name, data)
    result = dl.download("unsc", dest=tmp_path / "unsc", from_files=by_hand)
    assert result.fetched == [] and result.n_speeches == 3
    assert "used as found (no checksums to compare with)" in result.notes[0]
    assert read_corpus(tmp_path / "unsc").documents["country"].tolist() == ["Russian Federation", "Luxembourg", "Ukraine"]
