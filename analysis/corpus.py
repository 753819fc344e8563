"""Read UN speeches and turn verbatim-record text into clean paragraphs and sentences.

Three layers, from pure to I/O:

* text cleaning (:func:`clean_speech`): parse and remove the speaker header, drop stage notes and page
  artefacts, join hard line breaks into paragraphs, undo line-end hyphenation;
* segmentation (:func:`split_paragraphs`, :func:`split_sentences`, :func:`segment_sentences`): character
  offsets into the cleaned text, so that ``text[start:end]`` is the sentence;
* reading (:func:`read_corpus`): a folder of ``.txt`` files (with optional ``metadata.csv``) or one
  ``.csv`` / ``.parquet`` table, UN file-name conventions, bad files skipped and reported.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import os
import re
import stat
import unicodedata
import warnings
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd

from .errors import InputError

__all__ = [
    "DOCUMENT_COLUMNS",
    "Corpus",
    "CleanSpeech",
    "CorpusPlan",
    "SkipFile",
    "Source",
    "SourceBatch",
    "assemble_corpus",
    "clean_speech",
    "decode_bytes",
    "parse_file_name",
    "parse_header",
    "plan_corpus",
    "read_batch",
    "read_corpus",
    "read_source",
    "read_text_file",
    "segment_sentences",
    "split_paragraphs",
    "split_sentences",
]

#: Metadata columns every document has (empty strings where unknown), in this order.
DOCUMENT_COLUMNS = [
    "doc_id", "body", "country", "speaker", "year", "date", "meeting", "topic",
    "session", "country_code", "source_file",
]

# --------------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------------


class SkipFile(Exception):
    """Raised for an input file that cannot be analysed; the message is the reason shown in skipped.csv."""


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


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
    """The codec of BOM-less UTF-16 text (mostly ASCII, so every other byte is NUL), else ``None``."""
    sample = data[:4096]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None


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
    one), and Windows-1252 (with a note). Returns ``(text, note)`` where ``note`` is empty or says how the
    text was decoded. Line ends become ``\\n``; a byte-order mark is removed.

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
        codec = _utf16_without_bom(data)
        label = "UTF-16 without a byte-order mark"
        if codec is None:
            raise SkipFile("binary file (contains NUL bytes)")
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
    if len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        raise SkipFile("binary file (control characters)")
    return text, note


def read_text_file(path: str | Path) -> tuple[str, str]:
    """Read one speech file; see :func:`decode_bytes`. Unreadable files raise :class:`SkipFile`.

    Only regular files are read (a named pipe or a device would block or never end), and none larger than
    :data:`MAX_FILE_BYTES`.
    """
    try:
        status = os.stat(path)
        if stat.S_ISDIR(status.st_mode):
            raise SkipFile("is a directory")
        if not stat.S_ISREG(status.st_mode):
            raise SkipFile("not a regular file (a pipe, socket or device)")
        if status.st_size > MAX_FILE_BYTES:
            raise SkipFile(f"too large for a speech ({status.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,})")
        data = Path(path).read_bytes()
    except PermissionError:
        raise SkipFile("permission denied") from None
    except OSError as exc:
        raise SkipFile(f"cannot read: {exc.strerror or exc}") from None
    return decode_bytes(data)


# --------------------------------------------------------------------------------------------------
# File-name conventions
# --------------------------------------------------------------------------------------------------

_UNSC_NAME = re.compile(
    r"^UNSC_(?P<year>\d{4})_SPV\.(?P<meeting>\d{4}_\d+|\d+)(?:Resumption(?P<resumption>\d+))?"
    r"_spch(?P<speech>\d+)(?:_(?P<code>[A-Za-z]{2,3}))?(?:_(?:neg|pos))?$"
)
_UNGA_NAME = re.compile(r"^(?:UNGA_)?(?P<code>[A-Z]{2,3})_(?P<session>\d{1,3})_(?P<year>\d{4})$")


def parse_file_name(name: str) -> dict[str, str]:
    """Metadata implied by a UN corpus file name (stem or name with extension).

    Recognises ``UNSC_<year>_SPV.<meeting>[Resumption<n>]_spch<NNN>`` (UN Security Council Debates) and
    ``<ISO3>_<session>_<year>`` (UN General Debate Corpus). Unknown names give ``{}``.

    >>> parse_file_name("UNSC_2014_SPV.7316_spch012.txt")["meeting"]
    'S/PV.7316'
    >>> parse_file_name("KAZ_69_2014")["session"]
    '69'
    """
    stem = Path(name).name
    if stem.lower().endswith(".txt"):
        stem = stem[:-4]
    match = _UNSC_NAME.match(stem)
    if match:
        meeting = match["meeting"]
        if "_" in meeting:  # 2020 written-procedure letters: SPV.2020_254 -> S/2020/254
            meeting = "S/" + meeting.replace("_", "/")
        else:
            meeting = "S/PV." + meeting
        if match["resumption"]:
            meeting += f" (Resumption {match['resumption']})"
        return {
            "body": "UNSC",
            "year": match["year"],
            "meeting": meeting,
            "speech_number": str(int(match["speech"])),
            "country_code": match["code"] or "",
        }
    match = _UNGA_NAME.match(stem)
    if match:
        return {
            "body": "UNGA",
            "year": match["year"],
            "session": match["session"],
            "country_code": match["code"],
        }
    return {}


# --------------------------------------------------------------------------------------------------
# Speaker header
# --------------------------------------------------------------------------------------------------

_TITLES = (
    r"Mr|Mrs|Ms|Miss|Mme|Mmes|Messrs|Dr|Prof|M|Sir|Dame|Lord|Lady|Baroness|Baron|Sheikh|Sheikha|Shaikh|"
    r"Prince|Princess|King|Queen|Emir|Archbishop|Cardinal|Monsignor|Msgr|Bishop|Reverend|Rev|Father|"
    r"Judge|Justice|General|Lieutenant General|Major General|Admiral|Ambassador|Count|Countess|"
    r"President|Vice-President|Prime Minister|Deputy Prime Minister|Minister|Secretary|Senator|"
    r"Crown Prince|Grand Duke|Sultan|Imam|Rabbi|Chief|Dato'|Datuk|Tan Sri|Pehin|Haji|Shri|Smt|H\.E"
)
_NOTE = r"\((?:spoke|speaking)\s+(?:(?P<moved>[^()]*?)\s+)?in\s*(?P<language>[A-Za-z]+)(?:\s*;[^()]*)?\)"
# The same note when the PDF extraction put it before the country: "Mr. X (spoke in French) (France):".
_EARLY_NOTE = r"\((?:spoke|speaking)\s+in\s*(?P<early_language>[A-Za-z]+)(?:\s*;[^()]*)?\)"
_INTERP = r"\((?:interpretation|translation)\s+from\s+[A-Za-z]+\)"
# "Mr. Abdrakhmanov (Kazakhstan):", "Mr. X (Belgium) (spoke in French):", "King Philippe (spoke in French):"
_PERSON_HEADER = re.compile(
    rf"^\s*(?P<speaker>(?:(?:{_TITLES})\.?\s+)(?:[^\s():.,;][^():;\n]{{0,80}}?(?:\n[^():;\n]{{1,40}}?)?))\s*"
    rf"(?:{_EARLY_NOTE}\s*)?"
    rf"(?:\((?P<country>(?!spoke\b|speaking\b|interpretation\b)[^():]{{2,90}})\)\s*)?"
    rf"(?:{_NOTE}\s*|{_INTERP}\s*)?:\s*",
    re.IGNORECASE,
)
# "The President:", "The President (spoke in French):", "The Secretary-General:", "The Acting President (Kazakhstan):"
_ROLE_HEADER = re.compile(
    rf"^\s*(?P<speaker>The\s+(?:Acting\s+|Temporary\s+|Interim\s+)?(?:President|Vice-President|Secretary-General|"
    rf"Deputy\s+Secretary-General|Chair|Chairman|Chairperson|Chairwoman|Co-Chair|Rapporteur))\s*"
    rf"(?:\((?P<country>(?!spoke\b|speaking\b)[^():]{{2,90}})\)\s*)?"
    rf"(?:{_NOTE}\s*|{_INTERP}\s*)?:\s*",
    re.IGNORECASE,
)


@dataclasses.dataclass(frozen=True)
class Header:
    """A parsed speaker header. ``end`` is where the speech itself begins in the raw text."""

    speaker: str
    country: str
    language: str
    end: int
    moved_text: str = ""


def parse_header(raw: str) -> Header | None:
    """Parse the opening speaker line of a UN verbatim-record speech.

    Returns ``None`` when the text does not start with a header.

    >>> header = parse_header("Mr. Abdrakhmanov (Kazakhstan): Both terrorism and crime")
    >>> header.speaker, header.country, header.end
    ('Mr. Abdrakhmanov', 'Kazakhstan', 31)
    """
    head = raw[:400]
    for pattern in (_ROLE_HEADER, _PERSON_HEADER):
        match = pattern.match(head)
        if match is None:
            continue
        speaker = _collapse(match["speaker"])
        country = _collapse(match["country"] or "")
        # A header must look like one: a short name, and not a sentence that happens to contain a colon.
        name = re.sub(rf"^(?:{_TITLES})\.?\s+", "", speaker, flags=re.IGNORECASE)
        if len(speaker.split()) > 9 or re.search(r"[a-z]{2,}[.!?]\s", name):
            continue
        language = match["language"] or match.groupdict().get("early_language") or ""
        if pattern is _PERSON_HEADER and not country and not language:
            # "Mr. Smith:" without a country or note is rare in the records; accept only short names.
            if len(speaker.split()) > 5:
                continue
        moved = _collapse(match["moved"] or "")
        return Header(speaker=speaker, country=country, language=language.title(),
                      end=match.end(), moved_text=moved)
    return None


def _collapse(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


# --------------------------------------------------------------------------------------------------
# Cleaning
# --------------------------------------------------------------------------------------------------

# A leading ``\s*`` is anchored with ``(?<!\s)`` in the patterns below: the leftmost match starts where the white
# space starts anyway, and without the anchor a search retries at every position of a long run of blanks
# (quadratic time on a file of many thousand empty lines).
_STAGE_NOTE = re.compile(rf"(?<!\s)\s*(?:{_NOTE.replace('(?P<moved>', '(?:').replace('(?P<language>', '(?:')}|{_INTERP})")
_PROCEDURE_PARAGRAPH = re.compile(
    r"^(?:The meeting (?:rose|was suspended|was resumed|resumed|was called to order|was adjourned)\b.*"
    r"|A (?:recorded )?vote was taken by show of hands\.?|In favour:|Against:|Abstaining:|Abstentions:)$",
    re.IGNORECASE,
)
# Page furniture from the PDF records: page numbers, job numbers (14-63532), "5/28" page fractions,
# running heads ("S/PV.7316", "19/11/2014") on lines of their own.
_ARTEFACT_LINE = re.compile(
    r"^\s*(?:\d{1,4}|\d{1,3}/\d{1,3}|\d{2}-\d{5}(?:\s+\S+)*|S/PV\.\d+(?:\s*\(Resumption \d+\))?(?:\s+\S+)?"
    r"|\d{1,2}/\d{1,2}/\d{4}(?:\s+S/PV\.\d+)?|[-_=*.\u2022\u00b7]{1,})\s*$"
)
# The same furniture inside running text (one-line sources such as unsc_2020).
_INLINE_JOB_NUMBER = re.compile(r"(?<!\s)\s*\b\d{2}-\d{5}\b(?:\s+S/\d{4}/\d+\b(?:\s+\d{2}-\d{5}\b)?)?")
_INLINE_PAGE_FRACTION = re.compile(r"(?<=[.!?\"”’)])(?:\s+\d{1,3}/\d{1,3}\b(?!/))+(?=\s+[\[A-Z(“\"]|\s*$)")
_TRAILING_SYMBOL = re.compile(r"(?<!\s)\s+S/\d*\s*$")
# OCR reads the pronoun "I" as "1" or "|" at the start of sentences ("1 thank the President").
_OCR_ONE_WORDS = (
    r"(?:thank|would|wish|am|have|had|now|should|shall|call|"
    r"welcome|also|want|believe|hope|must|can|cannot|will|do|did|was|reiterate|recall|join|note|give|invite|"
    r"take|regret|commend|congratulate|express|too|appreciate|agree|underline|stress|share)\b"
)
_OCR_ONE = re.compile(r"(?:(?<=^)|(?<=[.!?:]\s)|(?<=[.!?:]\"\s)|(?<=\n))[1|](?= " + _OCR_ONE_WORDS + ")")
_OCR_ONE_HINT = re.compile(r"[1|] " + _OCR_ONE_WORDS)  # what every _OCR_ONE match holds: a fast search
# The same in the text before it is cut into paragraphs, where that space may still be a line break.
_OCR_ONE_TEXT_HINT = re.compile(r"[1|][ \n]" + _OCR_ONE_WORDS)
_JOB_NUMBER_HINT = re.compile(r"\d\d-\d{5}")
_WIDE_SPACE = re.compile(r"[\u2000-\u200b\u202f\u205f\u3000]")
_SPACES = re.compile("  +")
# The left part is bounded: a search tries every start position of a long token, and an unbounded
# ``[\w'’-]*`` would scan to the token's end from each of them (quadratic on a long unbroken token).
# Only the last piece of the left part matters for the decision, and longer words keep their prefix.
_LINE_END_HYPHEN = re.compile(r"(?P<left>[^\W_](?:[\w'’-]{0,80}[^\W_])?)-\n(?P<right>[^\W_][\w'’]*)")
_WORD_RUN = re.compile(r"\w+")
_HYPHEN_PAIR = re.compile(r"(?<!\w)(?=(\w+-\w+)(?!\w))")
_TENS = {"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
#: Left parts after which a line-end hyphen is a real hyphen (UN English spells these with one).
KEEP_HYPHEN_PREFIXES = frozenset({
    "anti", "counter", "cross", "non", "self", "ex", "well", "long", "short", "post", "so", "neo", "pro",
    "all", "half", "full", "high", "low", "large", "small", "mid", "far", "hard", "open", "wide", "up",
    "decision", "policy", "peace", "capacity", "confidence", "state", "nation", "gender", "women", "child",
    "country", "troop", "police", "conflict", "follow", "vice", "co", "de", "re", "mass", "law", "man",
    "war", "multi", "inter", "south", "north", "east", "west", "first", "second", "third", "one", "two",
    "three", "four", "five", "ten", "year", "day", "month", "time", "life", "long", "zero", "human",
} | _TENS)
#: Right parts before which a line-end hyphen is a real hyphen.
KEEP_HYPHEN_SUFFIXES = frozenset({
    "term", "based", "led", "level", "scale", "making", "building", "keeping", "related", "owned", "wide",
    "free", "oriented", "sponsored", "funded", "affected", "run", "range", "reaching", "lasting", "standing",
    "up", "out", "in", "on", "off", "down", "depth", "sensitive", "specific", "born", "armed", "called",
    "year", "old", "time", "day", "way", "party", "sector", "state", "border", "terrorism", "terrorist",
    "conflict", "proliferation", "governmental", "determination", "defence", "interference", "aligned",
    "discrimination", "violence", "government", "fascist", "western", "speaking", "contributing",
    "making", "saving", "looking", "driven", "centred", "centered", "focused", "bound", "like",
})


@dataclasses.dataclass(frozen=True)
class _HyphenEvidence:
    """The words (maximal ``\\w`` runs) and ``word-word`` pairs written in a text, lower-cased.

    Built once per speech, so that deciding each line-end hyphen is a set look-up rather than a search of
    the whole text (which made a speech with many hyphenated line ends quadratic).
    """

    words: frozenset[str]
    pairs: frozenset[str]

    @classmethod
    def of(cls, text: str) -> "_HyphenEvidence":
        lowered = text.lower()
        return cls(words=frozenset(_WORD_RUN.findall(lowered)), pairs=frozenset(_HYPHEN_PAIR.findall(lowered)))


def _dehyphenate(text: str, evidence: _HyphenEvidence | None = None) -> str:
    """Undo line-end hyphenation: ``organi-\\nzation`` → ``organization``, ``long-\\nterm`` → ``long-term``.

    Evidence from the same text wins (the joined or the hyphenated form written elsewhere on one line;
    ``evidence`` defaults to the words of ``text``); then capitals, digits and known compound parts keep the
    hyphen; otherwise the word is joined. A right part with an apostrophe (``state's``) is looked up by
    the word before the apostrophe.
    """
    if "-\n" not in text:
        return text
    if evidence is None:
        evidence = _HyphenEvidence.of(text)

    def decide(match: re.Match) -> str:
        left, right = match["left"], match["right"]
        l_last = re.split(r"[-'’]", left)[-1].lower()
        r_low = right.lower()
        if right[:1].isupper() or right[:1].isdigit() or left[-1:].isdigit() or "-" in left:
            return f"{left}-{right}"
        r_word = _WORD_RUN.match(r_low)
        if r_word is not None and _WORD_RUN.fullmatch(l_last):
            if f"{l_last}-{r_word.group()}" in evidence.pairs:
                return f"{left}-{right}"
            if f"{l_last}{r_word.group()}" in evidence.words:
                return f"{left}{right}"
        if l_last in KEEP_HYPHEN_PREFIXES or r_low.rstrip("s") in KEEP_HYPHEN_SUFFIXES or r_low in KEEP_HYPHEN_SUFFIXES:
            return f"{left}-{right}"
        return f"{left}{right}"

    return _sub_matches(text, _line_end_hyphens(text), decide)


_WORD_OR_HYPHEN = re.compile(r"[\w'’-]")
_MAX_LEFT = 82  # longest left part of _LINE_END_HYPHEN: one character, 80, one


def _line_end_hyphens(text: str) -> Iterator[re.Match]:
    """The matches of ``_LINE_END_HYPHEN.finditer(text)``, found by searching only around each ``-\n``.

    A match holds exactly one ``-\n`` and starts inside the run of word characters, apostrophes and hyphens
    that ends at that hyphen, so each search starts at the beginning of that run and stops at the end of the
    word after the line break; the scan over the rest of the text (most of the cost) is skipped.
    """
    pos = 0
    while True:
        hyphen = text.find("-\n", pos)
        if hyphen < 0:
            return
        start = hyphen
        floor = max(pos, hyphen - _MAX_LEFT)  # the left part is at most _MAX_LEFT characters long
        while start > floor and _WORD_OR_HYPHEN.match(text, start - 1):
            start -= 1
        stop = hyphen + 2
        while stop < len(text) and _WORD_OR_HYPHEN.match(text, stop) and text[stop] != "-":
            stop += 1
        match = _LINE_END_HYPHEN.search(text, start, stop)
        if match is None:
            pos = hyphen + 1
            continue
        yield match
        pos = match.end()


def _sub_matches(text: str, matches: Iterable[re.Match], replace) -> str:
    """``text`` with each of ``matches`` (in order, not overlapping) replaced by ``replace(match)``."""
    parts = []
    cursor = 0
    for match in matches:
        parts.append(text[cursor:match.start()])
        parts.append(replace(match))
        cursor = match.end()
    if not parts:
        return text
    parts.append(text[cursor:])
    return "".join(parts)


def _squeeze_spaces(text: str) -> str:
    """Runs of spaces (wide ones included) become one space, and spaces beside a line break go.

    The same as ``re.sub(r" *\\n *", "\\n", re.sub(r"[ \\u2000-\\u200b\\u202f\\u205f\\u3000]+", " ", text))``,
    but built from searches with a literal start and ``str.replace``, which skip the text at C speed instead of
    trying a match at every space.
    """
    if _WIDE_SPACE.search(text):
        text = _WIDE_SPACE.sub(" ", text)
    if "  " in text:
        text = _SPACES.sub(" ", text)
    return text.replace(" \n", "\n").replace("\n ", "\n")


def _strip_trailing_symbol(text: str) -> str:
    """``_TRAILING_SYMBOL.sub("", text)``: only the last ``S/`` of a text can start that match."""
    symbol = text.rfind("S/")
    if symbol < 0:
        return text
    start = symbol
    while start > 0 and text[start - 1].isspace():
        start -= 1
    return text[:start] + _TRAILING_SYMBOL.sub("", text[start:])


@dataclasses.dataclass(frozen=True)
class CleanSpeech:
    """A cleaned speech: text without header, notes or page furniture, paragraphs separated by a blank line."""

    text: str
    speaker: str = ""
    country: str = ""
    language: str = ""


_TERMINAL = tuple(".!?:;\"”’)…]")


def clean_speech(raw: str) -> CleanSpeech:
    """Clean the text of one UN speech.

    * parse the speaker header (``Mr. Abdrakhmanov (Kazakhstan):``) into ``speaker`` and ``country`` and
      remove it; a sentence the PDF extraction pushed inside the stage note is put back in the text;
    * drop stage notes (``(spoke in French)``), procedural record lines and page artefacts;
    * join hard line breaks into paragraphs, undo line-end hyphenation, and re-join paragraphs that a page
      break cut in the middle of a sentence.

    Paragraphs in the result are separated by ``"\\n\\n"``; inside a paragraph, whitespace is single spaces.

    >>> clean_speech("Mr. X (Chile): We support\\nthe organi-\\nzation.\\n\\n12\\n").text
    'We support the organization.'
    """
    text = unicodedata.normalize("NFC", raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.replace("\u00ad", "").replace("\u00a0", " ").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = text.replace("\t", " ")
    text = _CONTROL.sub(" ", text)
    # Markdown emphasis left by some sources (**bold**, __bold__) is not part of the speech.
    if "**" in text or "__" in text:
        text = re.sub(r"\*\*|__", "", text)
    text = _squeeze_spaces(text).strip()

    speaker = country = language = ""
    header = parse_header(text)
    if header is not None:
        speaker, country, language = header.speaker, header.country, header.language
        rest = text[header.end:]
        text = (header.moved_text + " " + rest) if header.moved_text else rest
    if "(sp" in text or "(interpretation" in text or "(translation" in text:  # what every stage note starts with
        text = _STAGE_NOTE.sub("", text)

    lines = [line for line in text.split("\n") if not _ARTEFACT_LINE.match(line) or not line.strip()]
    text = "\n".join(lines)
    # A line ending in " -" is a dash, not hyphenation: keep the spaces around it.
    if "-\n" in text or "–\n" in text or "—\n" in text:
        text = re.sub(r" [-–—]\n", " - ", text)
    evidence = _HyphenEvidence.of(text) if "-\n" in text else None
    text = _dehyphenate(text, evidence)
    # Each substitution below runs only where its hint (text every match contains) is present: first looked
    # for in the whole text (where a paragraph's space may still be a line break), then in the paragraph.
    maybe_job = _JOB_NUMBER_HINT.search(text) is not None
    maybe_fraction = "/" in text
    maybe_one = _OCR_ONE_TEXT_HINT.search(text) is not None
    # Each paragraph is a list of parts joined at the end: re-joining thousands of page-broken pieces by
    # string concatenation would copy the growing paragraph every time (quadratic).
    paragraphs: list[list[str]] = []
    # Blocks between blank lines; splitting at "\n\n" leaves the extra line breaks of longer runs at the
    # edges of blocks, where the white-space collapse below removes them (as re.split(r"\n{2,}") would).
    for block in text.split("\n\n"):
        paragraph = " ".join(block.split())  # re.sub(r"\s+", " ", block).strip(), faster
        if not paragraph or _PROCEDURE_PARAGRAPH.match(paragraph):
            continue
        if maybe_job and _JOB_NUMBER_HINT.search(paragraph):
            paragraph = _INLINE_JOB_NUMBER.sub("", paragraph)
        if maybe_fraction and "/" in paragraph:
            paragraph = _INLINE_PAGE_FRACTION.sub("", paragraph)
        if maybe_one and _OCR_ONE_HINT.search(paragraph):
            paragraph = _OCR_ONE.sub("I", paragraph)
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        # A page break in mid-sentence leaves a paragraph without final punctuation followed by one that
        # starts in lower case: they are one paragraph.
        last = paragraphs[-1][-1] if paragraphs else ""
        if last and not last.endswith(_TERMINAL) and paragraph[:1].islower():
            if last.endswith("-") and not last.endswith(" -"):
                # Only the last word takes part in the hyphenation decision; the evidence is the whole speech.
                head, space, word = last.rpartition(" ")
                if evidence is None:
                    evidence = _HyphenEvidence.of(text)
                joined = _dehyphenate(word + "\n" + paragraph, evidence)
                # A word that cannot be joined ("--", ":-") stays apart by a space, not a line break.
                paragraphs[-1][-1:] = [head, space, joined.replace("\n", " ")]
            else:
                paragraphs[-1] += [" ", paragraph]
            continue
        paragraphs.append([paragraph])
    text = "\n\n".join("".join(parts) for parts in paragraphs)
    text = _strip_trailing_symbol(text).strip()
    return CleanSpeech(text=text, speaker=speaker, country=country, language=language)


# --------------------------------------------------------------------------------------------------
# Segmentation
# --------------------------------------------------------------------------------------------------

#: Words that end with a period without ending the sentence (lower case, without the final period).
ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "mmes", "mme", "messrs", "dr", "prof", "st", "sr", "jr", "rev", "hon", "amb",
    "gen", "lt", "col", "capt", "cmdr", "adm", "sgt", "maj", "sen", "rep", "gov", "pres", "h.e", "h.m",
    "h.r.h", "e.g", "i.e", "cf", "viz", "vs", "approx", "ca", "art", "arts", "para", "paras", "sect",
    "chap", "vol", "vols", "fig", "p", "pp", "op", "cit", "ibid", "inc", "ltd", "corp", "dept", "govt",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "rs", "nr",
    "u.n", "u.s", "u.k", "u.s.a", "u.s.s.r", "e.u", "a.m", "p.m",
})
#: Abbreviations that only continue the sentence before a number ("No. 5", "Nos. 3 and 4").
NUMBER_ABBREVIATIONS = frozenset({"no", "nos", "art", "para", "paras", "p", "pp", "vol", "chap", "sect"})
#: Words that start a new sentence after an ambiguous abbreviation such as "U.S." or "a.m.".
SENTENCE_STARTERS = frozenset("""
the this that these those we i it in he she they our my as at but and however it's there here let
today on for if when while since finally moreover furthermore indeed yet such all many some no nor
""".split())

# A span that is only a list marker ("2.", "(iv)", "b)") is not a sentence: it belongs to what follows.
_LIST_MARKER = re.compile(r"\s*[(\[]?(?:\d{1,3}|[ivxlc]{1,6}|[a-z])[.)\]]{1,2}$", re.IGNORECASE)
# "(?<![.!?])": a run of marks is tried once, from its first mark (a long run of dots was quadratic).
_CANDIDATE = re.compile(r"(?:(?<![.!?])[.!?]+|…)[\"'”’)\]]*(?=\s+[\"'“‘(\[]*[A-Z0-9\u00c0-\u00dd])")
_DOTTED = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")


def _is_boundary(text: str, match: re.Match, start: int) -> bool:
    punct = match.group()
    if not punct.startswith(".") or punct.startswith(".."):
        return True
    # The word before the mark, found by scanning back to white space: a regex search from the sentence
    # start would rescan the sentence for every abbreviation in it (quadratic on "No. 5 No. 6 ...").
    word_end = word_start = match.start()
    while word_start > start and not text[word_start - 1].isspace():
        word_start -= 1
    if word_start == word_end:
        return True
    word = text[word_start:word_end].lstrip("([\"'“‘")
    low = word.lower()
    # The words after the mark are looked at only when the word before it is ambiguous (most are not).
    if low in NUMBER_ABBREVIATIONS:
        return not _text_after(text, match)[:1].isdigit()
    if low in ABBREVIATIONS:
        if _DOTTED.match(word) or low in {"a.m", "p.m", "inc", "ltd", "corp"}:
            return _next_word(text, match) in SENTENCE_STARTERS
        return False
    if len(word) == 1 and word.isupper():  # an initial: "J. Smith"
        return False
    if "." in word and _DOTTED.match(word):  # other dotted acronyms
        return _next_word(text, match) in SENTENCE_STARTERS
    return True


_NEXT_WORD = re.compile(r"[\w'’]+")


def _text_after(text: str, match: re.Match) -> str:
    return text[match.end():match.end() + 40].lstrip().lstrip("\"'“‘([")


def _next_word(text: str, match: re.Match) -> str:
    found = _NEXT_WORD.match(_text_after(text, match))
    return found.group().lower() if found else ""


def _skip_space(text: str, position: int, end: int) -> int:
    while position < end and text[position].isspace():
        position += 1
    return position


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans in ``text[start:end]`` as absolute ``(start, end)`` offsets.

    Boundaries are a terminal mark (``.``, ``?``, ``!``), optional closing quotes or brackets, white space and
    a capital or digit; abbreviations (``Mr.``, ``U.N.``, ``No. 5``), initials and symbols such as
    ``S/PV.7316`` do not end a sentence. Spans are stripped of surrounding white space.

    >>> t = "Mr. Laborde of the U.N. spoke. Resolution 2178 (2014) was adopted."
    >>> [t[a:b] for a, b in split_sentences(t)]
    ['Mr. Laborde of the U.N. spoke.', 'Resolution 2178 (2014) was adopted.']
    """
    if end is None:
        end = len(text)
    spans = []
    cursor = start
    # Where the current sentence's first word starts: the list-marker test begins there, so white space
    # after a boundary is skipped once and not again for every candidate mark in the sentence.
    first = _skip_space(text, cursor, end)
    for match in _CANDIDATE.finditer(text, start, end):
        if match.end() <= cursor:
            continue
        if _LIST_MARKER.match(text, first, match.end()):
            continue
        if _is_boundary(text, match, cursor):
            spans.append((cursor, match.end()))
            cursor = match.end()
            first = _skip_space(text, cursor, end)
    spans.append((cursor, end))
    result = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            result.append((a, b))
    return result


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Paragraph spans of a cleaned text (paragraphs are separated by one or more blank lines)."""
    spans = []
    for match in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text):
        a, b = match.span()
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            spans.append((a, b))
    return spans


def iter_sentences(text: str) -> Iterator[tuple[int, int, int]]:
    """Yield ``(paragraph_id, start, end)`` for every sentence of a cleaned text (ids from 0)."""
    for paragraph_id, (p_start, p_end) in enumerate(split_paragraphs(text)):
        for s_start, s_end in split_sentences(text, p_start, p_end):
            yield paragraph_id, s_start, s_end


def segment_sentences(documents: pd.DataFrame) -> pd.DataFrame:
    """One row per sentence: ``doc_id, sentence_id, paragraph_id, start, end, text``.

    ``documents`` needs ``doc_id`` and ``text`` (cleaned). ``sentence_id`` counts from 0 within each
    document; ``documents.text[start:end] == text`` for every row.
    """
    rows_doc, rows_sid, rows_pid, rows_start, rows_end, rows_text = [], [], [], [], [], []
    for doc_id, text in zip(documents["doc_id"], documents["text"]):
        for sentence_id, (paragraph_id, a, b) in enumerate(iter_sentences(text)):
            rows_doc.append(doc_id)
            rows_sid.append(sentence_id)
            rows_pid.append(paragraph_id)
            rows_start.append(a)
            rows_end.append(b)
            rows_text.append(text[a:b])
    return pd.DataFrame({
        "doc_id": pd.Series(rows_doc, dtype=object),
        "sentence_id": pd.Series(rows_sid, dtype="int64"),
        "paragraph_id": pd.Series(rows_pid, dtype="int64"),
        "start": pd.Series(rows_start, dtype="int64"),
        "end": pd.Series(rows_end, dtype="int64"),
        "text": pd.Series(rows_text, dtype=object),
    })


# --------------------------------------------------------------------------------------------------
# Reading corpora
# --------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Corpus:
    """Documents read from a corpus path, and the inputs that were skipped.

    Attributes
    ----------
    documents : DataFrame
        One row per speech: :data:`DOCUMENT_COLUMNS`, then ``text`` (cleaned) and ``raw_chars``;
        sorted by ``doc_id``.
    skipped : DataFrame
        ``path, reason`` for every input that was not read (files, metadata rows, table rows).
    warnings : list of str
        Inputs that were read with a caveat (e.g. decoded as Windows-1252).
    source : str
        The corpus path as given.
    """

    documents: pd.DataFrame
    skipped: pd.DataFrame
    warnings: list[str]
    source: str

    def __len__(self) -> int:
        return len(self.documents)


def _empty_skipped() -> pd.DataFrame:
    return pd.DataFrame({"path": pd.Series(dtype=object), "reason": pd.Series(dtype=object)})


#: Larger ``.txt`` files are not speeches (the longest UN speech is well under 1 MB); they are skipped.
MAX_FILE_BYTES = 100_000_000


def _read_csv_rows(text: str, *, where: str) -> tuple[list[str], list[tuple[int, list[str]]], list[tuple[str, str]]]:
    """Parse CSV text strictly, row by row: ``(header, [(line, fields), ...], problems)``.

    ``line`` is the 1-based line on which the row starts (quoted values may span lines). A row with
    broken quoting or more fields than the header is reported in ``problems`` as ``(f"{where}:{line}",
    reason)`` and left out; a short row is padded with empty values; blank rows are ignored.
    """
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))  # a speech in one field may be megabytes
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[tuple[str, str]] = []
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    while True:
        line = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "end of data" in str(exc):
                problems.append((f"{where}:{line}", f"unclosed quote: lines {line}-{reader.line_num} ignored"))
                break
            problems.append((f"{where}:{line}", f"broken CSV quoting ({exc}); row ignored"))
            continue
        if not any(field.strip() for field in fields):
            continue
        if header is None:
            header = [field.strip() for field in fields]
            continue
        if len(fields) > len(header):
            problems.append((f"{where}:{line}", f"{len(fields)} values but {len(header)} columns in the header "
                                                "(an unquoted comma?); row ignored"))
            continue
        rows.append((line, fields + [""] * (len(header) - len(fields))))
    return header or [], rows, problems


def _load_metadata(root: Path, files: list[Path], skipped: list[tuple[str, str]]) -> tuple[dict, dict]:
    """Index the rows of the ``metadata.csv`` files by ``doc_id`` and by the file name of ``source_file``.

    Broken files, broken rows and rows that repeat a key are reported in ``skipped`` (with their line)
    and ignored; the first row for a key wins.
    """
    by_id: dict[str, dict] = {}
    by_file: dict[str, dict] = {}
    first_line: dict[tuple[str, str], str] = {}
    for path in files:
        name = path.relative_to(root).as_posix()
        try:
            text, _ = read_text_file(path)
        except SkipFile as reason:
            skipped.append((name, f"unreadable metadata ({reason}); ignored"))
            continue
        header, rows, problems = _read_csv_rows(text, where=name)
        skipped.extend(problems)
        if "doc_id" not in header and "source_file" not in header:
            skipped.append((name, "metadata has neither a 'doc_id' nor a 'source_file' column; ignored"))
            continue
        for line, fields in rows:
            record = dict(zip(header, (field.strip() for field in fields)))
            keys = [("doc_id", record.get("doc_id", "")),
                    ("source_file", Path(record.get("source_file", "")).name)]
            repeated = [(column, key) for column, key in keys if key and (column, key) in first_line]
            if repeated:
                column, key = repeated[0]
                skipped.append((f"{name}:{line}", f"{column} {key!r} repeats {first_line[column, key]}; row ignored"))
                continue
            for column, key in keys:
                if key:
                    first_line[column, key] = f"{name}:{line}"
            if record.get("doc_id"):
                by_id[record["doc_id"]] = record
            if keys[1][1]:
                by_file[keys[1][1]] = record
    return by_id, by_file


def _stat_or_none(path: str | Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


@dataclasses.dataclass
class _Listing:
    """The files under a corpus folder, sorted, and what was passed over (relative path, reason)."""

    texts: list[Path]
    metadata: list[Path]
    skipped: list[tuple[str, str]]


def _list_folder(root: Path, *, exclude: Iterable[str | Path] = ()) -> _Listing:
    """Walk ``root`` recursively in sorted order.

    Symbolic links to folders are followed once: a link back to a folder that contains it (a loop) or to
    a folder already walked is reported, not followed. Hidden files and folders, and the folders in
    ``exclude`` (such as the output folder of the run), are passed over silently; files other than ``.txt``
    speeches and ``metadata.csv`` are reported as ignored.
    """
    listing = _Listing(texts=[], metadata=[], skipped=[])
    excluded = {(status.st_dev, status.st_ino) for status in map(_stat_or_none, exclude) if status is not None}

    def relative(path: str | Path) -> str:
        return Path(path).relative_to(root).as_posix()

    def cannot_list(error: OSError) -> None:
        listing.skipped.append((relative(error.filename), f"cannot list folder: {error.strerror or error}"))

    root_stat = root.stat()
    walked = {(root_stat.st_dev, root_stat.st_ino): "."}
    for dirpath, dirnames, filenames in os.walk(root, onerror=cannot_list, followlinks=True):
        here = relative(dirpath)
        kept = []
        for name in sorted(dirnames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            try:
                status = path.stat()
            except OSError as exc:
                listing.skipped.append((relative(path), f"cannot read folder: {exc.strerror or exc}"))
                continue
            key = (status.st_dev, status.st_ino)
            if key in excluded:
                continue
            if key in walked:
                seen = walked[key]
                loop = seen == "." or here == seen or here.startswith(seen + "/")
                listing.skipped.append((relative(path), (
                    f"symbolic link loop: leads back to {seen!r}, which contains it; not followed" if loop
                    else f"the same folder as {seen!r} (a symbolic link); not read twice")))
                continue
            walked[key] = relative(path)
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            if name == "metadata.csv":
                listing.metadata.append(path)
            elif name.lower().endswith(".txt"):
                listing.texts.append(path)
            else:
                listing.skipped.append((relative(path), "not a .txt speech or metadata.csv; ignored"))
    return listing


def _document_record(doc_id: str, raw: str, metadata: dict, *, source_file: str, name_hint: str) -> dict:
    cleaned = clean_speech(raw)
    if not cleaned.text:
        raise SkipFile("no speech text left after removing the header, stage notes and page artefacts")
    record = {column: "" for column in DOCUMENT_COLUMNS}
    record.update({k: v for k, v in parse_file_name(name_hint).items() if k in record})
    record["speaker"], record["country"] = cleaned.speaker, cleaned.country
    # Metadata values win over parsed ones when both exist.
    for column in DOCUMENT_COLUMNS:
        value = metadata.get(column)
        if value is not None and str(value).strip() and str(value).lower() != "nan":
            record[column] = str(value).strip()
    if not record["country_code"] and metadata.get("country_iso3"):
        record["country_code"] = str(metadata["country_iso3"]).strip()
    record["doc_id"] = doc_id
    record["source_file"] = source_file
    if record["year"]:
        record["year"] = _normalise_year(record["year"])
    record["text"] = cleaned.text
    record["raw_chars"] = len(raw)
    return record


def _normalise_year(value: str) -> str:
    match = re.match(r"^\s*(\d{4})(?:\.0)?\s*$", str(value))
    return match.group(1) if match else str(value)


def _frame(records: list[dict], *, sort: bool = True) -> pd.DataFrame:
    """The documents table of records (sorted by doc_id unless ``sort`` is false)."""
    columns = DOCUMENT_COLUMNS + ["text", "raw_chars"]
    if not records:
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        frame["raw_chars"] = frame["raw_chars"].astype("int64")
        return frame
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in columns[:-1]:
        frame[column] = frame[column].astype(object)
    frame["raw_chars"] = frame["raw_chars"].astype("int64")
    return frame.sort_values("doc_id", kind="stable").reset_index(drop=True) if sort else frame


def _dedupe(records: list[dict], skipped: list[tuple[str, str]], seen: dict[str, str] | None = None) -> list[dict]:
    """Keep the first record of each doc_id; later ones go to ``skipped``.

    ``seen`` (doc_id → source file) carries the doc_ids of earlier batches, so batches deduplicated in input
    order give the same result as one pass over all records.
    """
    seen = {} if seen is None else seen
    kept = []
    for record in records:
        doc_id = record["doc_id"]
        if doc_id in seen:
            skipped.append((record["source_file"], f"duplicate doc_id {doc_id!r} (already read from {seen[doc_id]})"))
            continue
        seen[doc_id] = record["source_file"]
        kept.append(record)
    return kept


# Reading a corpus is a plan (which speeches to read, with their doc_id and metadata: cheap, serial), a map
# (read_batch: read, decode and clean each speech of a batch; pure, so any number of processes can run it)
# and an assembly (deduplicate in input order, sort). read_corpus runs the three in one process; the
# pipeline runs the map in worker processes, batch by batch.


@dataclasses.dataclass(frozen=True)
class Source:
    """One speech to read: a file of a folder corpus, or a row of a table corpus.

    Attributes
    ----------
    where : str
        How ``skipped.csv`` and ``source_file`` name it: the path relative to the corpus folder, or
        ``table.csv:LINE`` / ``table.parquet row N``.
    doc_id : str
    metadata : dict
        Metadata values for this speech (a ``metadata.csv`` row, or the table's other columns).
    name_hint : str
        File name whose UN naming convention fills year, meeting, session and country code.
    path : str, optional
        The file to read (folder corpora).
    raw : str, optional
        The text itself (table corpora).
    """

    where: str
    doc_id: str
    metadata: dict
    name_hint: str
    path: str | None = None
    raw: str | None = None


@dataclasses.dataclass
class SourceBatch:
    """Consecutive inputs of a corpus: what one task of the map reads (:func:`read_batch`).

    Either a list of :class:`Source` (folder corpora), or rows of a table kept as a DataFrame slice with
    where each row is (``places``), which travels to a worker process as compact Arrow buffers; their
    Sources are made where the batch is read.
    """

    sources: list[Source] = dataclasses.field(default_factory=list)
    rows: pd.DataFrame | None = None
    places: list[str] = dataclasses.field(default_factory=list)
    first: int = 1  # number of the first row of the table (from 1)
    width: int = 1  # digits of the table's row count (doc_id "row0042")

    def __len__(self) -> int:
        return len(self.sources) if self.rows is None else len(self.rows)

    def expand(self) -> list[tuple[str, Source | None]]:
        """``(where, source)`` for each input; ``source`` is ``None`` for a table row with no text."""
        if self.rows is None:
            return [(source.where, source) for source in self.sources]
        found: list[tuple[str, Source | None]] = []
        for number, (row, where) in enumerate(zip(self.rows.to_dict("records"), self.places), start=self.first):
            raw = row.get("text")
            if raw is None or (isinstance(raw, float) and pd.isna(raw)) or not str(raw).strip():
                found.append((where, None))
                continue
            doc_id = str(row.get("doc_id") or "").strip() or f"row{number:0{self.width}d}"
            meta = {k: ("" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
                    for k, v in row.items() if k != "text"}
            hint = Path(str(meta.get("source_file") or doc_id)).name
            found.append((where, Source(where=where, doc_id=doc_id, metadata=meta, name_hint=hint, raw=str(raw))))
        return found


@dataclasses.dataclass
class CorpusPlan:
    """What :func:`plan_corpus` found: the inputs to read, in order, and what was refused or noted already.

    A folder corpus lists its :class:`Source` files; a table corpus keeps the table itself (``table``, with
    where each row is in ``places``), so that no speech is turned into a Python string before the process
    that reads it.
    """

    skipped: list[tuple[str, str]]
    source: str
    notes: list[str] = dataclasses.field(default_factory=list)
    sources: list[Source] = dataclasses.field(default_factory=list)
    table: pd.DataFrame | None = None
    places: list[str] = dataclasses.field(default_factory=list)

    def __len__(self) -> int:
        return len(self.sources) if self.table is None else len(self.table)

    def batches(self, size: int) -> list[SourceBatch]:
        """The inputs in consecutive batches of ``size``."""
        if self.table is None:
            return [SourceBatch(sources=self.sources[start:start + size])
                    for start in range(0, len(self.sources), size)]
        width = len(str(len(self.table)))
        return [SourceBatch(rows=self.table.iloc[start:start + size], places=self.places[start:start + size],
                            first=start + 1, width=width) for start in range(0, len(self.table), size)]


#: What :func:`read_batch` gives for each input: where it is, and :func:`read_source`'s result.
Read = tuple[str, tuple[dict | None, str, str]]


def read_source(source: Source) -> tuple[dict | None, str, str]:
    """Read and clean one speech: ``(record, reason, note)``.

    ``record`` is the document row (:data:`DOCUMENT_COLUMNS`, ``text``, ``raw_chars``), or ``None`` when the
    speech is skipped, ``reason`` then saying why; ``note`` is a caveat of a speech that was read (e.g.
    decoded as Windows-1252).
    """
    note = ""
    if source.path is not None:
        try:
            raw, note = read_text_file(source.path)
        except SkipFile as reason:
            return None, str(reason), ""
    else:
        raw = source.raw or ""
    try:
        record = _document_record(source.doc_id, raw, source.metadata, source_file=source.where,
                                  name_hint=source.name_hint)
    except SkipFile as reason:
        return None, str(reason), ""
    return record, "", note


def read_batch(batch: SourceBatch) -> list[Read]:
    """:func:`read_source` for each input of a batch: ``(where, (record, reason, note))`` in order."""
    return [(where, read_source(source) if source is not None else (None, "empty text", ""))
            for where, source in batch.expand()]


def _plan_folder(root: Path, *, exclude: Iterable[str | Path] = ()) -> CorpusPlan:
    listing = _list_folder(root, exclude=exclude)
    if not listing.texts:
        others = [path for path, _ in listing.skipped]
        hint = f" ({len(others)} other entries, e.g. {others[0]!r})" if others else ""
        raise InputError(f"no .txt speeches found in this folder{hint}", path=root)
    skipped = list(listing.skipped)
    by_id, by_file = _load_metadata(root, listing.metadata, skipped)
    sources = []
    for path in listing.texts:
        stem = path.stem
        meta = by_file.get(path.name) or by_id.get(stem) or {}
        doc_id = str(meta.get("doc_id") or stem).strip() or stem
        sources.append(Source(where=path.relative_to(root).as_posix(), doc_id=doc_id, metadata=meta,
                              name_hint=path.name, path=str(path)))
    return CorpusPlan(skipped=skipped, source=str(root), sources=sources)


def _plan_table(path: Path) -> CorpusPlan:
    suffix = path.suffix.lower()
    skipped: list[tuple[str, str]] = []
    notes: list[str] = []
    if suffix == ".parquet":
        try:
            table = pd.read_parquet(path)
        except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise InputError(f"cannot read table: {message}", path=path) from None
        table.columns = [str(c).strip() for c in table.columns]
        places = [f"{path.name} row {number}" for number in range(1, len(table) + 1)]
    else:
        try:
            text, note = read_text_file(path)
        except SkipFile as reason:
            raise InputError(f"cannot read table: {reason}", path=path) from None
        if note:
            notes.append(f"{path.name}: {note}")
        header, rows, problems = _read_csv_rows(text, where=path.name)
        skipped.extend(problems)
        table = pd.DataFrame([fields for _, fields in rows], columns=header, dtype=object)
        if len(set(header)) != len(header):
            raise InputError(f"repeated column names in the header: {sorted({c for c in header if header.count(c) > 1})}",
                             path=path, line=1)
        places = [f"{path.name}:{line}" for line, _ in rows]
    if "text" not in table.columns:
        raise InputError(
            f"no 'text' column (columns are: {', '.join(map(str, table.columns[:12]))})", path=path)
    return CorpusPlan(skipped=skipped, source=str(path), notes=notes, table=table, places=places)


def plan_corpus(path: str | Path, *, exclude: Iterable[str | Path] = ()) -> CorpusPlan:
    """The inputs of a corpus path, ready for :func:`read_batch`; see :func:`read_corpus`.

    Raises
    ------
    InputError
        As :func:`read_corpus`.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("corpus not found (give a folder of .txt speeches or a .csv/.parquet table)", path=path)
    if path.is_dir():
        return _plan_folder(path, exclude=exclude)
    if path.suffix.lower() in {".csv", ".parquet"}:
        return _plan_table(path)
    raise InputError(f"unsupported corpus file type {path.suffix!r}; use a folder, .csv or .parquet", path=path)


def assemble_corpus(plan: CorpusPlan, results: Iterable[Read]) -> Corpus:
    """The :class:`Corpus` of a plan from the :func:`read_batch` results of its inputs (in plan order)."""
    skipped = list(plan.skipped)
    notes = list(plan.notes)
    records = []
    for where, (record, reason, note) in results:
        if record is None:
            skipped.append((where, reason))
            continue
        records.append(record)
        if note:
            notes.append(f"{where}: {note}")
    records = _dedupe(records, skipped)
    return Corpus(documents=_frame(records), skipped=_skipped_frame(skipped), warnings=notes, source=plan.source)


def read_folder(root: Path, *, progress: bool = False, exclude: Iterable[str | Path] = ()) -> Corpus:
    """Read every ``.txt`` file under ``root`` (recursively), with ``metadata.csv`` files if present.

    Folders in ``exclude`` are not walked (``run`` passes its output folder, which may lie inside the corpus).

    Raises
    ------
    InputError
        If the folder holds no ``.txt`` file at all.
    """
    return _read_plan(_plan_folder(Path(root), exclude=exclude), progress=progress, unit="file")


def read_table(path: Path, *, progress: bool = False) -> Corpus:
    """Read one ``.csv`` or ``.parquet`` table with a ``text`` column (one row per speech).

    CSV rows are read one by one, so a row with broken quoting or too many values is skipped and reported
    with its line rather than refusing the whole table.
    """
    return _read_plan(_plan_table(Path(path)), progress=progress, unit="row")


def _read_plan(plan: CorpusPlan, *, progress: bool, unit: str) -> Corpus:
    def results() -> Iterator[Read]:
        bar = _progress(None, progress, desc="reading speeches", unit=unit, total=len(plan))
        for batch in plan.batches(64):
            yield from read_batch(batch)
            if bar is not None:
                bar.update(len(batch))
        if bar is not None:
            bar.close()

    return assemble_corpus(plan, results())


def _natural_key(value: str) -> list:
    """Sort key that orders ``metadata.csv:9`` before ``metadata.csv:10``."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", value)]


def _skipped_frame(skipped: list[tuple[str, str]]) -> pd.DataFrame:
    if not skipped:
        return _empty_skipped()
    rows = sorted(set(skipped), key=lambda row: (_natural_key(row[0]), row[1]))
    return pd.DataFrame(rows, columns=["path", "reason"]).astype(object)


def read_corpus(path: str | Path, *, progress: bool = False, exclude: Iterable[str | Path] = ()) -> Corpus:
    """Read speeches from a folder of ``.txt`` files or from one ``.csv`` / ``.parquet`` table.

    Parameters
    ----------
    path : str or Path
        A folder (searched recursively for ``.txt``; ``metadata.csv`` files in it are matched on
        ``doc_id`` or on the file name of ``source_file``), or a table with a ``text`` column.
    progress : bool
        Show a progress bar on standard error.
    exclude : iterable of paths
        Folders inside a corpus folder that are not read (e.g. an output folder placed there).

    Raises
    ------
    InputError
        If the path does not exist, is not a folder or a supported table, or holds no speech at all.
    """
    plan = plan_corpus(path, exclude=exclude)
    return _read_plan(plan, progress=progress, unit="row" if plan.table is not None else "file")


def _progress(items: Iterable | None, enabled: bool, **options):
    if not enabled:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, **options, leave=False)
