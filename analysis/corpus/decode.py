"""Bytes to text: how a speech file is decoded, and which files are refused.

This module owns the first step of reading a speech: :func:`read_text_file` reads one regular file (none
larger than :data:`MAX_FILE_BYTES`) and :func:`decode_bytes` turns its bytes into text. UTF-8 with or
without a byte-order mark, UTF-16 and UTF-32 with a byte-order mark (UTF-16 also without one) are read as
they are; a file that is not UTF-8 is read as Windows-1252 with a note, unless too many of its letters would
then be accented Latin letters (another code page). Empty, binary and non-text documents (PDF, Word, RTF,
archives) raise :class:`SkipFile`, whose message is the reason ``skipped.csv`` shows.
"""
from __future__ import annotations

import codecs
import collections
import contextlib
import io
import os
import re
from pathlib import Path
from typing import IO

from ..io import NotRegularFileError, open_regular_file

__all__ = [
    "CONTROL_CHARACTERS",
    "open_table_text",
    "MAX_FALLBACK_LETTER_SHARE",
    "MAX_FILE_BYTES",
    "SkipFile",
    "decode_bytes",
    "read_text_file",
]

#: Larger ``.txt`` files are not speeches (the longest UN speech is well under 1 MB); they are skipped.
MAX_FILE_BYTES = 100_000_000


class SkipFile(Exception):
    """Raised for an input file that cannot be analysed; the message is the reason shown in skipped.csv."""


#: C0 control characters other than tab, line feed, form feed and carriage return, and DEL: many of them
#: mark a binary file (:func:`decode_bytes`); the cleaner turns them into spaces.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


#: Signatures of document formats that are not plain text, with what to do about them.
_NOT_TEXT = (
    (b"%PDF-", "binary file: a PDF document (extract its text first)"),
    (b"PK\x03\x04", "binary file: a ZIP archive or an Office document such as .docx (save it as plain text)"),
    (b"\xd0\xcf\x11\xe0", "binary file: an old Office document such as .doc (save it as plain text)"),
    (b"\x1f\x8b", "binary file: gzip-compressed (decompress it first)"),
    (b"{\\rtf", "an RTF document, not plain text (save it as plain text)"),
)
_BOMS = (  # longest first: the UTF-32 little-endian mark begins with the UTF-16 one
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"), (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"), (b"\xfe\xff", "utf-16-be", "UTF-16"),
)
#: Above this share of letters coming from non-UTF-8 bytes, Windows-1252 is a wrong guess (e.g. Cyrillic
#: Windows-1251 or KOI8-R text, which decodes as Windows-1252 into accented Latin letters).
MAX_FALLBACK_LETTER_SHARE = 0.3


def _utf16_without_bom(data: bytes) -> str | None:
    """The codec of BOM-less UTF-16 text, else ``None``.

    Mostly ASCII text has NUL in every other byte; text in another script (Cyrillic, Greek) does not, so the
    sample is also decoded both ways and a reading is taken when its high bytes take one or two values (one
    script and the spaces) and it reads as text: printable, at least half letters, and with spaces or line breaks
    between words (the wrong byte order turns spaces into unprintable U+2000).
    """
    sample = data[:4096]
    sample = sample[:len(sample) // 2 * 2]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    if len(sample) < 64:
        return None  # too little to tell text in another script from bytes that happen to decode
    for codec, high in (("utf-16-le", odd), ("utf-16-be", even)):
        # one script: the high bytes take one or two values (0x04 for Cyrillic letters, 0x00 for spaces)
        if sum(count for _, count in collections.Counter(high).most_common(2)) < 0.9 * len(high):
            continue
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            continue
        n = len(text)
        if (sum(ch.isprintable() or ch in "\n\r\t" for ch in text) >= 0.98 * n
                and sum(ch.isalpha() for ch in text) >= 0.5 * n and text.count(" ") + text.count("\n") >= 0.05 * n):
            return codec
    return None


def _codec_for_nul_bytes(data: bytes) -> tuple[str | None, str]:
    """For data with NUL bytes in its first 64 KB: UTF-16 without a byte-order mark, or (``None``) text with a few
    stray NULs, which is decoded as usual (the cleaner turns them into spaces, as it does NULs further on); a
    file with more is binary (:class:`SkipFile`)."""
    codec = _utf16_without_bom(data)
    if codec is not None:
        return codec, "UTF-16 without a byte-order mark"
    head = data[:65536]
    if head.count(0) <= len(head) // 1000:  # at most one in a thousand bytes
        return None, ""
    raise SkipFile("binary file (contains NUL bytes)")


_ASCII_BYTES = bytes(range(0x80))
_HIGH_BYTES = bytes(range(0x80, 0x100))
_ASCII_LETTER_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# Byte classes for a quick test for UTF-8 multi-byte sequences: L = lead byte, C = continuation byte.
_UTF8_BYTE_CLASSES = bytes(ord("L") if 0xC2 <= b <= 0xF4 else ord("C") if 0x80 <= b <= 0xBF else ord(".")
                           for b in range(256))
_ESCAPED_BYTES = re.compile("[\udc80-\udcff]+")


def _count_letters(text: str, *, non_ascii_only: bool = False) -> int:
    """Letters in ``text`` (``str.isalpha``), counted with byte-level C calls as this runs on whole files.

    In UTF-8 the bytes of A-Z and a-z only ever stand for themselves, and the bytes of one non-ASCII
    character are all >= 0x80, so deleting the ASCII bytes leaves the non-ASCII characters intact.
    """
    encoded = text.encode("utf-8", "surrogatepass")
    non_ascii = encoded.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")
    n_letters = sum(map(str.isalpha, non_ascii))
    if not non_ascii_only:
        n_letters += len(encoded) - len(encoded.translate(None, _ASCII_LETTER_BYTES))
    return n_letters


def _decode_utf8_with_fallback(data: bytes) -> tuple[str, str]:
    """Decode UTF-8; byte sequences that are not UTF-8 are decoded as Windows-1252 (a note says how many).

    A file without any UTF-8 multi-byte sequence is decoded as Windows-1252 in one go; a UTF-8 file with a
    few stray Windows-1252 bytes keeps its UTF-8 text and only those bytes are read as Windows-1252.
    Both passes are single calls into C: retrying the decoder after every bad byte would be quadratic.
    """
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    if b"LC" not in data.translate(_UTF8_BYTE_CLASSES):  # no UTF-8 multi-byte sequence at all
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise SkipFile(f"unknown encoding: neither UTF-8 (bad byte 0x{data[first_bad]:02x} at offset "
                           f"{first_bad}) nor Windows-1252 (byte 0x{data[exc.start]:02x} at offset "
                           f"{exc.start})") from None
        n_bad = len(data) - len(data.translate(None, _HIGH_BYTES))
        fallback_letters = _count_letters(text, non_ascii_only=True)
    else:
        escaped = data.decode("utf-8", "surrogateescape")  # each byte that is not UTF-8 becomes U+DC80..U+DCFF
        fallback_parts: list[str] = []

        def as_cp1252(match: re.Match) -> str:
            raw = match.group().encode("utf-8", "surrogateescape")
            try:
                fallback_parts.append(raw.decode("cp1252"))
            except UnicodeDecodeError as exc:
                raise SkipFile(f"unknown encoding: neither UTF-8 nor Windows-1252 (byte 0x{raw[exc.start]:02x} "
                               f"in the bytes from offset {first_bad})") from None
            return fallback_parts[-1]

        text = _ESCAPED_BYTES.sub(as_cp1252, escaped)
        n_bad = sum(map(len, fallback_parts))
        fallback_letters = _count_letters("".join(fallback_parts))
    letters = _count_letters(text)
    if fallback_letters > MAX_FALLBACK_LETTER_SHARE * max(letters, 1):
        raise SkipFile(
            f"unknown encoding: not UTF-8 (byte 0x{data[first_bad]:02x} at offset {first_bad}), and as "
            f"Windows-1252 {fallback_letters} of its {letters} letters would be accented Latin letters "
            "(another encoding, such as Windows-1251, KOI8-R or GBK?); convert it to UTF-8")
    return text, (f"not UTF-8 ({n_bad} byte{'s' if n_bad > 1 else ''} from offset {first_bad}, first 0x"
                  f"{data[first_bad]:02x}); decoded as Windows-1252")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode the bytes of a speech file.

    UTF-8 (with or without a byte-order mark), UTF-16 and UTF-32 (with a byte-order mark, or UTF-16 without
    one), and Windows-1252 (with a note). Line ends become ``\\n``; a byte-order mark is removed.

    Parameters
    ----------
    data : bytes
        The file's content.

    Returns
    -------
    text : str
    note : str
        Empty, or how the text was decoded (``"decoded as UTF-16"``, ``"not UTF-8 (...); decoded as
        Windows-1252"``).

    Raises
    ------
    SkipFile
        For an empty, whitespace-only, binary or undecodable file, or a document format that is not text
        (PDF, Word, RTF); the message is the reason.
    """
    if not data.strip():
        raise SkipFile("empty file" if not data else "blank file (whitespace only)")
    for signature, reason in _NOT_TEXT:
        if data.startswith(signature):
            raise SkipFile(reason)
    note = ""
    codec = label = None
    for bom, bom_codec, bom_label in _BOMS:
        if data.startswith(bom):
            codec, label, data = bom_codec, bom_label, data[len(bom):]
            break
    if codec is None and b"\x00" in data[:65536]:
        codec, label = _codec_for_nul_bytes(data)
    if codec is not None:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            raise SkipFile(f"undecodable {label} text ({exc.reason} at offset {exc.start})") from None
        note = f"decoded as {label}"
    else:
        text, note = _decode_utf8_with_fallback(data)
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise SkipFile("blank file (whitespace only)")
    sample = text[:65536]
    if len(CONTROL_CHARACTERS.findall(sample)) > max(8, len(sample) // 100):
        raise SkipFile("binary file (control characters)")
    return text, note


def read_text_file(path: str | Path) -> tuple[str, str]:
    """Read one speech file and decode it (:func:`decode_bytes`).

    Only regular files are read (a named pipe or a device would block or never end), and none larger than
    :data:`MAX_FILE_BYTES`.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    text : str
    note : str
        As :func:`decode_bytes`.

    Raises
    ------
    SkipFile
        For a folder, a file that is not regular, too large or unreadable, and as :func:`decode_bytes`.
    """
    with _reading():
        with open_regular_file(path) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise SkipFile(f"too large for a speech ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})")
            data = handle.read()
    return decode_bytes(data)


@contextlib.contextmanager
def _reading():
    """Errors of opening or reading an input file as the reason it is skipped."""
    try:
        yield
    except PermissionError:
        raise SkipFile("permission denied") from None
    except (IsADirectoryError, NotRegularFileError) as exc:
        raise SkipFile(exc.strerror) from None
    except OSError as exc:
        raise SkipFile(f"cannot read: {exc.strerror or exc}") from None


#: Bytes a table file is sniffed on (encoding, binary content); a table no larger is decoded in one go.
_SNIFF_BYTES = 1 << 16


def open_table_text(path: str | Path) -> tuple[IO[str], str]:
    """A text stream over a table file (a CSV corpus), decoded as :func:`read_text_file` decodes a speech.

    Unlike a speech, a table has no size limit (:data:`MAX_FILE_BYTES` applies to each of its speeches): a large
    file in UTF-8, UTF-16 or UTF-32 is decoded as it is read, never held whole; only a file that is not UTF-8
    (read as Windows-1252) is decoded in one go, since that guess needs the whole file.

    Returns
    -------
    stream : text stream
        Opened with ``newline=""``, ready for :mod:`csv`; the caller closes it.
    note : str
        As :func:`decode_bytes`.

    Raises
    ------
    SkipFile
        As :func:`read_text_file` (but never for the size).
    """
    with _reading():
        handle = open_regular_file(path)
    try:
        head = handle.read(_SNIFF_BYTES + 1)
        if len(head) <= _SNIFF_BYTES:  # small: as a speech is decoded
            text, note = decode_bytes(head)
            handle.close()
            return io.StringIO(text, newline=""), note
        for signature, reason in _NOT_TEXT:
            if head.startswith(signature):
                raise SkipFile(reason)
        codec, label, offset = "utf-8-sig", "", 0
        for bom, bom_codec, bom_label in _BOMS:
            if head.startswith(bom):
                codec, label, offset = bom_codec, bom_label, len(bom)
                break
        if not offset and b"\x00" in head:
            codec, label = _codec_for_nul_bytes(head)
            codec = codec or "utf-8-sig"
        if codec == "utf-8-sig" and not _is_utf8(handle):
            handle.seek(0)
            text, note = decode_bytes(handle.read())  # Windows-1252 is guessed on the whole file
            handle.close()
            return io.StringIO(text, newline=""), note
        sample = head[offset:].decode(codec, errors="ignore")
        if len(CONTROL_CHARACTERS.findall(sample)) > max(8, len(sample) // 100):
            raise SkipFile("binary file (control characters)")
        handle.seek(offset)
        return io.TextIOWrapper(handle, encoding=codec, newline=""), f"decoded as {label}" if label else ""
    except BaseException:
        handle.close()
        raise


def _is_utf8(handle: IO[bytes], chunk_size: int = 1 << 20) -> bool:
    """Whether the whole file is UTF-8, checked chunk by chunk (nothing kept)."""
    handle.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True
