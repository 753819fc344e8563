"""Tests for analysis/download/dataverse.py: the listing, which files are chosen, and one-line errors when the
server cannot be reached or refuses. A loopback stub plays Dataverse (tests/dataverse_stub.py)."""
from __future__ import annotations

import re

import pytest
from dataverse_stub import DataverseStub, StubFile
from download_samples import UNGDC_DOI, UNSC_DOI, unsc_files

from analysis import download as dl
from analysis.cli import main
from analysis.errors import InputError

pytestmark = pytest.mark.usefixtures("no_dataverse")  # nothing reaches the network


# ------------------------------------------------------------------------------------------------ listing


def test_list_files_reads_the_native_api_and_selects_what_the_corpus_needs():
    with DataverseStub(UNSC_DOI, unsc_files()) as stub:
        listing = dl.list_files("unsc", server=stub.url)
        chosen, notes = dl.select_files(listing)
    assert [f.name for f in listing.files] == ["codebook.pdf", "meta.tsv", "speaker.tsv", "speeches.tar"]
    assert listing.version == "1.0" and listing.licence == "CC0 1.0"
    assert {role: [f.name for f in files] for role, files in chosen.items()} == {
        "speeches": ["speeches.tar"], "speech_table": ["speaker.tsv"], "meeting_table": ["meta.tsv"]}
    assert notes == []


def test_list_command_prints_files_and_sizes_without_downloading(tmp_path, capsys):
    files = unsc_files()
    with DataverseStub(UNSC_DOI, files) as stub:
        assert main(["download", "unsc", "--list", "--server", stub.url, "--dest", str(tmp_path)]) == 0
        assert not [path for path, _ in stub.requests if "/api/access/" in path]
    out = capsys.readouterr().out
    assert re.search(r"speeches\.tar +10\.0 KB +MD5 +fetch: speeches\n", out)  # 10,240 bytes
    assert "codebook.pdf" in out and "3 of 4 files would be fetched" in out
    assert not any(tmp_path.iterdir())


# ------------------------------------------------------------------------------------------------ offline, errors


def test_offline_is_one_line_naming_the_server_and_what_to_do(tmp_path, capsys):
    assert main(["download", "unsc", "--dest", str(tmp_path / "unsc"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    server = dl.resolve_server()  # the closed loopback port of the autouse fixture
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"error: cannot reach {server} (offline?): ")
    assert "https://doi.org/10.7910/DVN/KGVSYH" in err and "--from-files DIR" in err


def test_an_unknown_dataset_doi_is_a_one_line_http_error(capsys):
    with DataverseStub("doi:10.9999/other", []) as stub:
        assert main(["download", "ungdc", "--list", "--server", stub.url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "HTTP 404" in err and "not found" in err and "Dataset not found." in err


def test_a_listing_without_the_speech_archive_names_what_was_listed(tmp_path):
    with DataverseStub(UNSC_DOI, [StubFile(2, "speaker.tsv", b"filename\n")]) as stub:
        with pytest.raises(dl.DownloadError, match=r"lists no file for the speeches .* listed: speaker\.tsv"):
            dl.download("unsc", dest=tmp_path, server=stub.url)


@pytest.mark.parametrize("server", ["ftp://example.org", "dataverse.harvard.edu"])
def test_a_server_that_is_not_an_http_url_is_refused(server):
    with pytest.raises(InputError, match="must be an http:// or https:// URL"):
        dl.resolve_server(server)
