"""Tests for analysis.corpus.decode: bytes to text, and the files refused."""
from __future__ import annotations

import pytest

from analysis.corpus.decode import SkipFile, decode_bytes


# ------------------------------------------------------------------------------------------- decoding


@pytest.mark.parametrize("data, expected_text, note", [
    (b"We condemn terrorism.", "We condemn terrorism.", ""),
    (b"\xef\xbb\xbfWe condemn terrorism.", "We condemn terrorism.", ""),
    (b"Line one\r\nline two\r\n", "Line one\nline two\n", ""),
    (b"Old Mac\rline", "Old Mac\nline", ""),
    ("We say \u201cno\u201d.".encode("cp1252"), "We say \u201cno\u201d.", "Windows-1252"),
    ("Caf\u00e9 talks".encode("utf-16"), "Caf\u00e9 talks", "UTF-16"),
    ("Caf\u00e9 talks".encode("utf-16-le"), "Caf\u00e9 talks", "UTF-16 without a byte-order mark"),
    ("Caf\u00e9 talks".encode("utf-16-be"), "Caf\u00e9 talks", "UTF-16 without a byte-order mark"),
    ("Caf\u00e9 talks".encode("utf-32"), "Caf\u00e9 talks", "UTF-32"),
    ("\ufeffCRLF\r\nand BOM\r\n".encode("utf-16"), "CRLF\nand BOM\n", "UTF-16"),
    # UTF-8 with stray Windows-1252 quotes: the UTF-8 stays UTF-8, only the two bad bytes are Windows-1252
    ("caf\u00e9 ".encode("utf-8") + b"\x93yes\x94", "caf\u00e9 \u201cyes\u201d", "2 bytes from offset 6"),
    ("Le Conseil a adopt\u00e9 la r\u00e9solution.".encode("cp1252"), "Le Conseil a adopt\u00e9 la r\u00e9solution.",
     "decoded as Windows-1252"),
])
def test_decode_bytes(data, expected_text, note):
    text, message = decode_bytes(data)
    assert text == expected_text
    assert (note in message) if note else message == ""


@pytest.mark.parametrize("data, reason", [
    (b"", "empty file"),
    (b"  \n\t \n", "blank file"),
    (b"PK\x03\x04\x00\x00binary", "binary file"),
    (b"\x81\x8d\x8f\x90\x9d" * 4, "unknown encoding"),
    (bytes(range(1, 9)) * 40, "binary file"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary file: a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "binary file: an old Office document"),
    (b"\x1f\x8b\x08\x00", "binary file: gzip"),
    (b"{\\rtf1\\ansi We condemn terrorism.}", "an RTF document"),
    # Cyrillic in Windows-1251 and KOI8-R, Greek in ISO-8859-7: Windows-1252 would make them accented Latin
    ("\u0421\u043e\u0432\u0435\u0442 \u0411\u0435\u0437\u043e\u043f\u0430\u0441\u043d\u043e\u0441\u0442\u0438".encode("cp1251"),
     "unknown encoding: not UTF-8"),
    ("\u0421\u043e\u0432\u0435\u0442 \u0411\u0435\u0437\u043e\u043f\u0430\u0441\u043d\u043e\u0441\u0442\u0438".encode("koi8-r"),
     "unknown encoding: not UTF-8"),
    ("\u0395\u03bb\u03bb\u03ac\u03b4\u03b1 \u03ba\u03b1\u03b9 \u039a\u03cd\u03c0\u03c1\u03bf\u03c2".encode("iso-8859-7"),
     "unknown encoding: not UTF-8"),
])
def test_decode_bytes_refuses_unreadable_input(data, reason):
    with pytest.raises(SkipFile, match=reason):
        decode_bytes(data)
