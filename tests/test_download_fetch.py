"""Tests for analysis/download/fetch.py: downloads verified against the listed size and checksum, resumed
with Range requests, not repeated when the file is there. A loopback stub plays Dataverse."""
from __future__ import annotations

import pytest
from dataverse_stub import DataverseStub, StubFile
from download_samples import SPEAKER_TSV, UNSC_DOI, unsc_files

from analysis import download as dl

pytestmark = pytest.mark.usefixtures("no_dataverse")  # nothing reaches the network


def test_ingested_table_is_fetched_in_its_original_format(tmp_path):
    files = unsc_files()
    files[1].ingested = True
    with DataverseStub(UNSC_DOI, files) as stub:
        listing = dl.list_files("unsc", server=stub.url)
        speaker = next(f for f in listing.files if f.id == 2)
        assert (speaker.name, speaker.label, speaker.size) == ("speaker.tsv", "speaker.tab", len(SPEAKER_TSV.encode()))
        fetched = dl.fetch_file(speaker, tmp_path, dataset="unsc", server=stub.url)
        assert [path for path, _ in stub.requests if "datafile/2" in path] == ["/api/access/datafile/2?format=original"]
    assert fetched.path.read_text() == SPEAKER_TSV


@pytest.mark.parametrize("kind", ["MD5", "SHA-1", "SHA-256", "SHA-512"])
def test_download_verifies_the_listed_checksum(tmp_path, kind):
    data = b"speech bytes " * 1000
    with DataverseStub(UNSC_DOI, [StubFile(7, "speeches.tar", data, checksum_type=kind)]) as stub:
        data_file = dl.list_files("unsc", server=stub.url).files[0]
        fetched = dl.fetch_file(data_file, tmp_path, dataset="unsc", server=stub.url)
    assert (fetched.status, fetched.check) == ("downloaded", kind)
    assert fetched.path == tmp_path / "speeches.tar" and fetched.path.read_bytes() == data
    assert not (tmp_path / "speeches.tar.part").exists()


@pytest.mark.parametrize("redirect", [False, True], ids=["direct", "through a redirect to the store"])
def test_resume_asks_for_the_rest_and_fetches_only_the_rest(tmp_path, redirect):
    data = bytes(range(256)) * 40  # 10,240 bytes
    (tmp_path / "speeches.tar.part").write_bytes(data[:4000])
    with DataverseStub(UNSC_DOI, [StubFile(7, "speeches.tar", data)], redirect=redirect) as stub:
        data_file = dl.list_files("unsc", server=stub.url).files[0]
        fetched = dl.fetch_file(data_file, tmp_path, dataset="unsc", server=stub.url)
        assert stub.file_requests(7) == ["bytes=4000-"]
        assert stub.served[7] == len(data) - 4000
    assert fetched.status == "resumed" and fetched.path.read_bytes() == data


def test_a_transfer_that_breaks_off_is_resumed(tmp_path):
    data = bytes(range(256)) * 40
    notes = []
    with DataverseStub(UNSC_DOI, [StubFile(7, "speeches.tar", data)]) as stub:
        stub.cut_after[7] = 3000
        data_file = dl.list_files("unsc", server=stub.url).files[0]
        fetched = dl.fetch_file(data_file, tmp_path, dataset="unsc", server=stub.url, report=notes.append)
        assert stub.file_requests(7) == [None, "bytes=3000-"]
    assert fetched.path.read_bytes() == data
    assert notes == ["speeches.tar: the transfer broke off after 3,000 bytes; resuming"]


def test_a_server_that_ignores_range_is_read_from_the_start(tmp_path):
    data = bytes(range(256)) * 40
    (tmp_path / "speeches.tar.part").write_bytes(data[:4000])
    notes = []
    with DataverseStub(UNSC_DOI, [StubFile(7, "speeches.tar", data)], honour_range=False) as stub:
        data_file = dl.list_files("unsc", server=stub.url).files[0]
        fetched = dl.fetch_file(data_file, tmp_path, dataset="unsc", server=stub.url, report=notes.append)
        assert stub.file_requests(7) == ["bytes=4000-"] and stub.served[7] == len(data)
    assert fetched.path.read_bytes() == data  # appending the whole file to the part would have failed the MD5
    assert notes == ["speeches.tar: the server ignores Range requests; downloading from the start"]


def test_checksum_mismatch_is_an_error_and_leaves_no_file(tmp_path):
    with DataverseStub(UNSC_DOI, [StubFile(7, "speeches.tar", b"x" * 100, checksum="0" * 32)]) as stub:
        data_file = dl.list_files("unsc", server=stub.url).files[0]
        with pytest.raises(dl.DownloadError, match=r"speeches\.tar .* failed verification \(MD5 [0-9a-f]{32}, "
                                                   r"listed 0{32}\); the download was deleted"):
            dl.fetch_file(data_file, tmp_path, dataset="unsc", server=stub.url)
    assert list(tmp_path.iterdir()) == []


def test_a_complete_verified_file_is_not_fetched_again(tmp_path):
    with DataverseStub(UNSC_DOI, unsc_files()) as stub:
        dl.download("unsc", dest=tmp_path, server=stub.url)
        before = len(stub.requests)
        result = dl.download("unsc", dest=tmp_path, server=stub.url)
        again = stub.requests[before:]
    assert [path for path, _ in again] == [f"/api/datasets/:persistentId/?persistentId={UNSC_DOI}"]
    assert {f.status for f in result.fetched} == {"present"}


def test_a_stale_file_on_disk_is_fetched_again(tmp_path):
    data = b"new version " * 100
    (tmp_path / "speeches.tar").write_bytes(b"old version")
    notes = []
    with DataverseStub(UNSC_DOI, [StubFile(7, "speeches.tar", data)]) as stub:
        data_file = dl.list_files("unsc", server=stub.url).files[0]
        fetched = dl.fetch_file(data_file, tmp_path, dataset="unsc", server=stub.url, report=notes.append)
    assert fetched.status == "downloaded" and fetched.path.read_bytes() == data
    assert "does not match the listing" in notes[0]
