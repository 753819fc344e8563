"""Tests for analysis/download/unpacking.py: speeches into year folders or one Parquet table, earlier
downloads replaced, other files never touched, and the marker of what was written."""
from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest
from dataverse_stub import DataverseStub
from download_samples import UNSC_DOI, tar_bytes, unsc_files

from analysis import download as dl
from analysis.corpus import read_corpus
from analysis.errors import InputError, OutputError

pytestmark = pytest.mark.usefixtures("no_dataverse")  # nothing reaches the network


def test_an_archive_without_speech_files_of_the_dataset_is_an_error(tmp_path):
    path = tmp_path / "speeches.tar"
    path.write_bytes(tar_bytes({"speeches/KAZ_69_2014.txt": "a General Debate speech", "README.txt": "x"}))
    with pytest.raises(InputError, match=r"no UNSC speech files \(named like UNSC_<year>_SPV\.<meeting>_spch<NNN>"):
        dl.unpack("unsc", {"speeches": [path]}, tmp_path / "unsc")


def test_parquet_format_gives_the_same_corpus_as_the_folders(tmp_path):
    with DataverseStub(UNSC_DOI, unsc_files()) as stub:
        folders = dl.download("unsc", dest=tmp_path / "a", server=stub.url)
        table = dl.download("unsc", dest=tmp_path / "b", server=stub.url, output_format="parquet")
    assert table.corpus == tmp_path / "b" / "unsc.parquet"
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == [".download", ".unspeech-download.json", "unsc.parquet"]
    columns = ["doc_id", "body", "country", "speaker", "year", "date", "meeting", "topic", "text"]
    pd.testing.assert_frame_equal(read_corpus(folders.corpus).documents[columns],
                                  read_corpus(table.corpus).documents[columns])


def test_a_second_download_in_another_format_replaces_the_first(tmp_path):
    with DataverseStub(UNSC_DOI, unsc_files()) as stub:
        dl.download("unsc", dest=tmp_path, server=stub.url)
        dl.download("unsc", dest=tmp_path, server=stub.url, output_format="parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".download", ".unspeech-download.json", "unsc.parquet"]


def test_a_destination_with_other_files_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="holds files that download did not write .*'notes.txt'"):
        dl.download("unsc", dest=tmp_path, from_files=tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_the_marker_records_what_was_fetched_and_verified(tmp_path):
    with DataverseStub(UNSC_DOI, unsc_files()) as stub:
        dl.download("unsc", dest=tmp_path, server=stub.url)
    marker = json.loads((tmp_path / dl.MARKER_NAME).read_text())
    assert marker["doi"] == UNSC_DOI and marker["outputs"] == ["2014"] and marker["version"] == "1.0"
    tar = unsc_files()[0].data
    assert {"name": "speeches.tar", "id": 1, "size": len(tar), "checksum": f"MD5:{hashlib.md5(tar).hexdigest()}",
            "verified": "MD5"} in marker["files"]
