"""Tests for analysis/download/ as a whole: `download` end to end into a corpus the reader and `run` read,
through the API and the command line, and the package's surface (every public name importable from
analysis.download, no pandas at import, the modules' examples).

No test reaches the network: a loopback server (tests/dataverse_stub.py) plays Dataverse, and every test runs
with UNSPEECH_DATAVERSE_URL pointing at a closed loopback port unless it starts the stub.
"""
from __future__ import annotations

import pandas as pd
import pytest
from dataverse_stub import DataverseStub, StubFile
from download_samples import SPEECHES, TOPIC, UNGDC, UNGDC_DOI, UNSC_DOI, unsc_files, zip_bytes

from analysis import download as dl
from analysis.cli import main
from analysis.corpus import read_corpus

pytestmark = pytest.mark.usefixtures("no_dataverse")  # nothing reaches the network


def test_unsc_download_unpacks_a_corpus_the_reader_reads_with_its_metadata(tmp_path):
    dest = tmp_path / "unsc"
    with DataverseStub(UNSC_DOI, unsc_files()) as stub:
        result = dl.download("unsc", dest=dest, server=stub.url)
        assert not stub.file_requests(4)  # the codebook is not needed
    assert result.corpus == dest and result.n_speeches == 3 and result.years == ("2014", "2014")
    assert sorted(p.name for p in dest.iterdir()) == [".download", ".unspeech-download.json", "2014"]
    assert sorted(p.name for p in (dest / ".download").iterdir()) == ["meta.tsv", "speaker.tsv", "speeches.tar"]
    for name, text in SPEECHES.items():
        assert (dest / "2014" / name).read_text() == text  # byte for byte
    corpus = read_corpus(dest)
    assert corpus.skipped.empty
    docs = corpus.documents.set_index("doc_id")
    assert docs.index.tolist() == [name[:-4] for name in sorted(SPEECHES)]
    assert docs.loc["UNSC_2014_SPV.7138_spch018", ["body", "country", "speaker", "date", "meeting", "topic"]].tolist() \
        == ["UNSC", "Ukraine", "Mr. Sergeyev", "2014-03-15", "S/PV.7138", TOPIC]
    assert read_corpus(dest / "2014").documents["doc_id"].tolist() == docs.index.tolist()


def test_ungdc_download_unpacks_year_folders_and_skips_macos_stubs(tmp_path, capsys):
    # A zip served under a .tgz name: the archive is recognised by its content.
    files = [StubFile(11, "UNGDC_1946-2023.tgz", zip_bytes(UNGDC)), StubFile(12, "Raw_PDFs_1946-1969.tgz", b"pdfs"),
             StubFile(13, "Speakers_by_session.xlsx", b"PK\x03\x04 spreadsheet")]
    with DataverseStub(UNGDC_DOI, files) as stub:
        code = main(["download", "ungdc", "--dest", str(tmp_path / "ungdc"), "--server", stub.url, "--no-progress"])
        assert code == 0 and not stub.file_requests(12)
        excel = dl.excel_engine() is not None
        assert bool(stub.file_requests(13)) == excel
    err = capsys.readouterr().err
    assert "unpacked 2 speeches (1946-2014)" in err
    assert excel or "Speakers_by_session.xlsx not fetched: reading it needs an Excel reader" in err
    docs = read_corpus(tmp_path / "ungdc").documents.set_index("doc_id")
    assert docs.index.tolist() == ["UNGA_KAZ_69_2014", "UNGA_USA_01_1946"]
    assert docs.loc["UNGA_KAZ_69_2014", ["body", "country_code", "session", "year", "topic"]].tolist() == [
        "UNGA", "KAZ", "69", "2014", "General Debate, UNGA session 69 (2014)"]
    assert sorted(p.name for p in (tmp_path / "ungdc" / "2014").iterdir()) == ["KAZ_69_2014.txt", "metadata.csv"]


def test_run_on_the_downloaded_corpus_writes_documents_with_its_metadata(tmp_path, capsys):
    dest, out = tmp_path / "unsc", tmp_path / "out"
    with DataverseStub(UNSC_DOI, unsc_files()) as stub:
        assert main(["download", "unsc", "--dest", str(dest), "--server", stub.url, "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert f"to analyse them: python -m analysis run --corpus {dest} --out data/processed/unsc" in err
    assert main(["run", "--corpus", str(dest), "--out", str(out), "--no-progress", "--jobs", "1", "--no-cache"]) == 0
    documents = pd.read_csv(out / "documents.csv", dtype=str, keep_default_na=False)
    assert documents["doc_id"].tolist() == [name[:-4] for name in sorted(SPEECHES)]
    assert documents[["country", "speaker", "date", "meeting"]].values.tolist() == [
        ["Russian Federation", "Mr. Churkin", "2014-03-15", "S/PV.7138"],
        ["Luxembourg", "Ms. Lucas", "2014-03-15", "S/PV.7138"],
        ["Ukraine", "Mr. Sergeyev", "2014-03-15", "S/PV.7138"]]


# ------------------------------------------------------------------------------------------------ the package


MODULES = ["archive", "datasets", "dataverse", "fetch", "local", "tables", "ungdc", "unpacking", "unsc"]


def test_every_public_name_of_the_modules_is_importable_from_the_package():
    import importlib

    for module in MODULES:
        names = importlib.import_module(f"analysis.download.{module}").__all__
        assert set(names) <= set(dl.__all__), module
        for name in names:
            assert getattr(dl, name) is getattr(importlib.import_module(f"analysis.download.{module}"), name)
    assert all(hasattr(dl, name) for name in dl.__all__)


def test_importing_the_package_does_not_load_pandas():
    """The command line builds its parser from analysis.download; pandas is loaded only when a table is read."""
    import subprocess
    import sys

    code = "import sys, analysis.download; print('pandas' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("module", ["tables", "unsc"])  # the modules with examples in their docstrings
def test_module_doctests(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"analysis.download.{module}"))
    assert result.attempted > 0 and result.failed == 0
