"""Tests for analysis/download/archive.py: unsafe members refused, links not followed, size caps, archives
recognised by content."""
from __future__ import annotations

import io
import tarfile

import pytest
from download_samples import SPEECHES, tar_bytes, zip_bytes

from analysis import download as dl
from analysis.errors import InputError

pytestmark = pytest.mark.usefixtures("no_dataverse")  # nothing reaches the network


def _tar_with(info: tarfile.TarInfo, data: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        ok = tarfile.TarInfo("speeches/UNSC_2014_SPV.7138_spch002.txt")
        ok.size = 5
        archive.addfile(ok, io.BytesIO(b"hello"))
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    return info


@pytest.mark.parametrize("archive, member, why", [
    (_tar_with(_member("/etc/evil.txt"), b"x"), "/etc/evil.txt", "an absolute path"),
    (_tar_with(_member("speeches/../../evil.txt"), b"x"), "speeches/../../evil.txt", r"'\.\.'"),
    (_tar_with(_member("speeches/passwd.txt", tarfile.SYMTYPE, "/etc/passwd")), "speeches/passwd.txt",
     "a link that leads out of the folder"),
    (_tar_with(_member("speeches/up.txt", tarfile.SYMTYPE, "../../x")), "speeches/up.txt", "leads out"),
    (_tar_with(_member("speeches/tty.txt", tarfile.CHRTYPE)), "speeches/tty.txt", "a device, pipe or socket"),
    (zip_bytes({"../evil.txt": "x"}), "../evil.txt", r"'\.\.'"),
])
def test_an_unsafe_archive_member_is_refused(tmp_path, archive, member, why):
    path = tmp_path / "speeches.tar"
    path.write_bytes(archive)
    with pytest.raises(InputError, match=rf"unsafe archive member {member!r}: .*{why}"):
        dl.unpack("unsc", {"speeches": [path]}, tmp_path / "unsc")
    assert sorted(p.name for p in (tmp_path / "unsc").iterdir()) == []  # staging removed, nothing unpacked
    assert not (tmp_path.parent / "evil.txt").exists()


def test_a_link_inside_the_archive_is_passed_over_not_followed(tmp_path):
    path = tmp_path / "speeches.tar"
    path.write_bytes(_tar_with(_member("speeches/UNSC_2014_SPV.7138_spch003.txt", tarfile.SYMTYPE,
                                       "UNSC_2014_SPV.7138_spch002.txt")))
    result = dl.unpack("unsc", {"speeches": [path]}, tmp_path / "unsc")
    assert result.n_speeches == 1 and "a link" in " ".join(result.notes)
    assert sorted(p.name for p in (tmp_path / "unsc" / "2014").iterdir()) == [
        "UNSC_2014_SPV.7138_spch002.txt", "metadata.csv"]


def test_an_archive_bigger_than_the_cap_is_refused(tmp_path):
    path = tmp_path / "speeches.tgz"
    path.write_bytes(tar_bytes({f"speeches/{name}": text for name, text in SPEECHES.items()}, mode="w:gz"))
    with pytest.raises(InputError, match="unpacks to more than 200 bytes"):
        dl.unpack("unsc", {"speeches": [path]}, tmp_path / "unsc", max_bytes=200)
    assert not (tmp_path / "unsc" / "2014").exists()


def test_only_selected_members_are_read_and_counted_towards_the_cap(tmp_path):
    path = tmp_path / "bundle.zip"
    path.write_bytes(zip_bytes({"Raw_PDFs.tgz": "p" * 5000, "speeches/a.txt": "a" * 50, "b.txt": "b" * 60}))
    members = dl.iter_archive(path, select=lambda name: name.endswith(".txt"), max_bytes=200)
    assert [(m.name, m.read()) for m in members] == [("speeches/a.txt", b"a" * 50), ("b.txt", b"b" * 60)]
    with pytest.raises(InputError, match="unpacks to more than 100 bytes"):
        list(dl.iter_archive(path, select=lambda name: name.endswith(".txt"), max_bytes=100))
    skipped = []
    assert [m.name for m in dl.iter_archive(path, max_member_bytes=55, skipped=skipped)] == ["speeches/a.txt"]
    assert skipped == ["Raw_PDFs.tgz (5,000 bytes: too large)", "b.txt (60 bytes: too large)"]


def test_archives_are_recognised_by_content_not_name(tmp_path):
    zipped, tarred, gzipped, text = (tmp_path / name for name in ("a.tgz", "b.zip", "c.bin", "d.tar"))
    zipped.write_bytes(zip_bytes({"x.txt": "x"}))
    tarred.write_bytes(tar_bytes({"x.txt": "x"}))
    gzipped.write_bytes(tar_bytes({"x.txt": "x"}, mode="w:gz"))
    text.write_text("not an archive\n")
    assert [dl.archive_kind(p) for p in (zipped, tarred, gzipped, text, tmp_path)] == [
        "zip", "tar", "tar", None, "folder"]
    with pytest.raises(InputError, match="neither a zip nor a tar"):
        list(dl.iter_archive(text))
