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

import dataclasses
import os
import re
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


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode the bytes of a speech file.

    Returns ``(text, note)`` where ``note`` is empty or says how the text was decoded (e.g. as
    Windows-1252). Line ends become ``\\n``; a byte-order mark is removed.

    Raises
    ------
    SkipFile
        For an empty, whitespace-only, binary or undecodable file.
    """
    if not data.strip():
        raise SkipFile("empty file" if not data else "blank file (whitespace only)")
    note = ""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise SkipFile("undecodable UTF-16 text") from None
        note = "decoded as UTF-16"
    else:
        if b"\x00" in data[:65536]:
            raise SkipFile("binary file (contains NUL bytes)")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise SkipFile(
                    f"unknown encoding: neither UTF-8 (bad byte 0x{data[exc.start]:02x} at offset {exc.start}) "
                    "nor Windows-1252"
                ) from None
            note = f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); decoded as Windows-1252"
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise SkipFile("blank file (whitespace only)")
    sample = text[:65536]
    if len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        raise SkipFile("binary file (control characters)")
    return text, note


def read_text_file(path: str | Path) -> tuple[str, str]:
    """Read one speech file; see :func:`decode_bytes`. Unreadable files raise :class:`SkipFile`."""
    try:
        data = Path(path).read_bytes()
    except PermissionError:
        raise SkipFile("permission denied") from None
    except IsADirectoryError:
        raise SkipFile("is a directory") from None
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

_STAGE_NOTE = re.compile(rf"\s*(?:{_NOTE.replace('(?P<moved>', '(?:').replace('(?P<language>', '(?:')}|{_INTERP})")
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
_INLINE_JOB_NUMBER = re.compile(r"\s*\b\d{2}-\d{5}\b(?:\s+S/\d{4}/\d+\b(?:\s+\d{2}-\d{5}\b)?)?")
_INLINE_PAGE_FRACTION = re.compile(r"(?<=[.!?\"”’)])(?:\s+\d{1,3}/\d{1,3}\b(?!/))+(?=\s+[\[A-Z(“\"]|\s*$)")
_TRAILING_SYMBOL = re.compile(r"\s+S/\d*\s*$")
_JOB_NUMBER_HINT = re.compile(r"\d\d-\d{5}")
_WIDE_SPACE = re.compile(r"[\u2000-\u200b\u202f\u205f\u3000]")
_SPACES = re.compile("  +")
# OCR reads the pronoun "I" as "1" or "|" at the start of sentences ("1 thank the President").
_OCR_ONE_NEXT = (
    r"(?= (?:thank|would|wish|am|have|had|now|should|shall|call|"
    r"welcome|also|want|believe|hope|must|can|cannot|will|do|did|was|reiterate|recall|join|note|give|invite|"
    r"take|regret|commend|congratulate|express|too|appreciate|agree|underline|stress|share)\b)"
)
_OCR_ONE = re.compile(r"(?:(?<=^)|(?<=[.!?:]\s)|(?<=[.!?:]\"\s)|(?<=\n))[1|]" + _OCR_ONE_NEXT)
_OCR_ONE_HINT = re.compile(r"[1|]" + _OCR_ONE_NEXT)  # what every _OCR_ONE match contains; a fast search
_LINE_END_HYPHEN = re.compile(r"(?P<left>[^\W_](?:[\w'’-]*[^\W_])?)-\n(?P<right>[^\W_][\w'’]*)")
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


def _dehyphenate(text: str) -> str:
    """Undo line-end hyphenation: ``organi-\\nzation`` → ``organization``, ``long-\\nterm`` → ``long-term``.

    Evidence from the same text wins (the joined or the hyphenated form written elsewhere on one line);
    then capitals, digits and known compound parts keep the hyphen; otherwise the word is joined.
    """
    if "-\n" not in text:
        return text
    lowered = text.lower()

    def decide(match: re.Match) -> str:
        left, right = match["left"], match["right"]
        l_last = re.split(r"[-'’]", left)[-1].lower()
        r_low = right.lower()
        hyphenated = f"{l_last}-{r_low}"
        joined = f"{l_last}{r_low}"
        if right[:1].isupper() or right[:1].isdigit() or left[-1:].isdigit() or "-" in left:
            return f"{left}-{right}"
        if _has_word(lowered, hyphenated):
            return f"{left}-{right}"
        if _has_word(lowered, joined):
            return f"{left}{right}"
        if l_last in KEEP_HYPHEN_PREFIXES or r_low.rstrip("s") in KEEP_HYPHEN_SUFFIXES or r_low in KEEP_HYPHEN_SUFFIXES:
            return f"{left}-{right}"
        return f"{left}{right}"

    return _sub_matches(text, _line_end_hyphens(text), decide)


_WORD_OR_HYPHEN = re.compile(r"[\w'’-]")


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
        while start > pos and _WORD_OR_HYPHEN.match(text, start - 1):
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


def _has_word(text: str, word: str) -> bool:
    """``re.search(rf"\\b{re.escape(word)}\\b", text) is not None``, by substring search (``word`` not empty)."""
    first, last = _is_word_char(word[0]), _is_word_char(word[-1])
    start = text.find(word)
    while start >= 0:
        end = start + len(word)
        before = start > 0 and _is_word_char(text[start - 1])
        after = end < len(text) and _is_word_char(text[end])
        if before != first and after != last:
            return True
        start = text.find(word, start + 1)
    return False


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"  # what \w matches in a str pattern


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
    text = re.sub(r" [-–—]\n", " - ", text)
    text = _dehyphenate(text)
    paragraphs = []
    for block in re.split(r"\n{2,}", text):
        paragraph = " ".join(block.split())  # re.sub(r"\s+", " ", block).strip(), faster
        if not paragraph or _PROCEDURE_PARAGRAPH.match(paragraph):
            continue
        # Each substitution runs only where its cheap hint (a substring every match contains) is present.
        if _JOB_NUMBER_HINT.search(paragraph):
            paragraph = _INLINE_JOB_NUMBER.sub("", paragraph)
        if "/" in paragraph:
            paragraph = _INLINE_PAGE_FRACTION.sub("", paragraph)
        if _OCR_ONE_HINT.search(paragraph):
            paragraph = _OCR_ONE.sub("I", paragraph)
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        # A page break in mid-sentence leaves a paragraph without final punctuation followed by one that
        # starts in lower case: they are one paragraph.
        if paragraphs and not paragraphs[-1].endswith(_TERMINAL) and paragraph[:1].islower():
            if paragraphs[-1].endswith("-") and not paragraphs[-1].endswith(" -"):
                paragraphs[-1] = _dehyphenate(paragraphs[-1] + "\n" + paragraph)
            else:
                paragraphs[-1] = paragraphs[-1] + " " + paragraph
            continue
        paragraphs.append(paragraph)
    text = "\n\n".join(paragraphs)
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
_CANDIDATE = re.compile(r"(?:[.!?]+|…)[\"'”’)\]]*(?=\s+[\"'“‘(\[]*[A-Z0-9\u00c0-\u00dd])")
_PREV_WORD = re.compile(r"(\S+)$")
_DOTTED = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")
_NEXT_WORD = re.compile(r"[\w'’]+")


def _previous_word(text: str, start: int, end: int) -> str | None:
    """What ``_PREV_WORD.search(text, start, end)`` captures, found by scanning back from ``end``.

    The run of non-space characters that ends at ``end`` (or just before a newline at ``end - 1``, where
    ``$`` also matches), cut at ``start``; ``None`` if there is none. Searching forward from ``start`` would
    cost a pass over the sentence so far for every candidate boundary.
    """
    if end > start and text[end - 1] == "\n":
        end -= 1
    begin = end
    while begin > start and not text[begin - 1].isspace():
        begin -= 1
    return text[begin:end] if begin < end else None


def _is_boundary(text: str, match: re.Match, start: int) -> bool:
    punct = match.group()
    if not punct.startswith(".") or punct.startswith(".."):
        return True
    before = _previous_word(text, start, match.start())
    if before is None:
        return True
    word = before.lstrip("([\"'“‘")
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


def _text_after(text: str, match: re.Match) -> str:
    return text[match.end():match.end() + 40].lstrip().lstrip("\"'“‘([")


def _next_word(text: str, match: re.Match) -> str:
    found = _NEXT_WORD.match(_text_after(text, match))
    return found.group().lower() if found else ""


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
    for match in _CANDIDATE.finditer(text, start, end):
        if match.end() <= cursor:
            continue
        if _LIST_MARKER.match(text, cursor, match.end()):
            continue
        if _is_boundary(text, match, cursor):
            spans.append((cursor, match.end()))
            cursor = match.end()
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


def _load_metadata(root: Path, skipped: list[tuple[str, str]]) -> pd.DataFrame | None:
    """All ``metadata.csv`` files under ``root``, concatenated; broken ones are reported and ignored."""
    frames = []
    for path in sorted(root.rglob("metadata.csv")):
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (pd.errors.ParserError, UnicodeDecodeError, OSError, pd.errors.EmptyDataError) as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            skipped.append((str(path), f"unreadable metadata: {message}"))
            continue
        frame.columns = [str(c).strip() for c in frame.columns]
        if "doc_id" not in frame.columns and "source_file" not in frame.columns:
            skipped.append((str(path), "metadata has neither a 'doc_id' nor a 'source_file' column; ignored"))
            continue
        frame["_metadata_dir"] = str(path.parent)
        frames.append(frame)
    if not frames:
        return None
    return pd.concat(frames, ignore_index=True).fillna("")


def _metadata_index(metadata: pd.DataFrame | None) -> tuple[dict[str, dict], dict[str, dict]]:
    by_id: dict[str, dict] = {}
    by_file: dict[str, dict] = {}
    if metadata is None:
        return by_id, by_file
    for record in metadata.to_dict("records"):
        doc_id = str(record.get("doc_id", "")).strip()
        source = str(record.get("source_file", "")).strip()
        if doc_id:
            by_id.setdefault(doc_id, record)
        if source:
            by_file.setdefault(Path(source).name, record)
    return by_id, by_file


def _discover_text_files(root: Path) -> list[Path]:
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.lower().endswith(".txt") and not name.startswith("."):
                files.append(Path(dirpath) / name)
    return files


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


# The reading of a corpus is a plan (which speeches to read, with their doc_id and metadata: cheap, serial),
# a map (read_source: read, decode and clean one speech; pure, so any number of processes can run it) and an
# assembly (deduplicate in input order, sort). read_corpus runs the three in one process; the pipeline runs
# the map in parallel over chunks of sources.


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

    Either a list of :class:`Source` (folder corpora), or rows of a table kept as a DataFrame slice, which
    travels to a worker process as compact Arrow buffers; their Sources are made where the batch is read.
    """

    sources: list[Source] = dataclasses.field(default_factory=list)
    rows: pd.DataFrame | None = None
    first: int = 1  # number of the first row of the table (from 1)
    width: int = 1  # digits of the table's row count (doc_id "row0042")
    name: str = ""  # the table's file name
    suffix: str = ""  # ".csv" or ".parquet"

    def __len__(self) -> int:
        return len(self.sources) if self.rows is None else len(self.rows)

    def expand(self) -> list[tuple[str, Source | None]]:
        """``(where, source)`` for each input; ``source`` is ``None`` for a table row with no text."""
        if self.rows is None:
            return [(source.where, source) for source in self.sources]
        found: list[tuple[str, Source | None]] = []
        for number, row in enumerate(self.rows.to_dict("records"), start=self.first):
            line = number + 1 if self.suffix == ".csv" else number
            where = f"{self.name}:{line}" if self.suffix == ".csv" else f"{self.name} row {number}"
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
    """What :func:`plan_corpus` found: the inputs to read, in order, and the inputs already refused.

    A folder corpus lists its :class:`Source` files; a table corpus keeps the table itself (``table``), so
    that no speech is turned into a Python string before the process that reads it.
    """

    skipped: list[tuple[str, str]]
    source: str
    sources: list[Source] = dataclasses.field(default_factory=list)
    table: pd.DataFrame | None = None
    suffix: str = ""

    def __len__(self) -> int:
        return len(self.sources) if self.table is None else len(self.table)

    def batches(self, size: int) -> list[SourceBatch]:
        """The inputs in consecutive batches of ``size``."""
        if self.table is None:
            return [SourceBatch(sources=self.sources[start:start + size])
                    for start in range(0, len(self.sources), size)]
        name, width = Path(self.source).name, len(str(len(self.table)))
        return [SourceBatch(rows=self.table.iloc[start:start + size], first=start + 1, width=width, name=name,
                            suffix=self.suffix) for start in range(0, len(self.table), size)]


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


def _plan_folder(root: Path) -> CorpusPlan:
    skipped: list[tuple[str, str]] = []
    metadata = _load_metadata(root, skipped)
    by_id, by_file = _metadata_index(metadata)
    sources = []
    for path in _discover_text_files(root):
        stem = path.stem
        meta = by_file.get(path.name) or by_id.get(stem) or {}
        doc_id = str(meta.get("doc_id") or stem).strip() or stem
        sources.append(Source(where=path.relative_to(root).as_posix(), doc_id=doc_id, metadata=meta,
                              name_hint=path.name, path=str(path)))
    return CorpusPlan(sources=sources, skipped=skipped, source=str(root))


def _plan_table(path: Path) -> CorpusPlan:
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            table = pd.read_parquet(path)
        else:
            table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError, ValueError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"cannot read table: {message}", path=path) from None
    table.columns = [str(c).strip() for c in table.columns]
    if "text" not in table.columns:
        raise InputError(
            f"no 'text' column (columns are: {', '.join(map(str, table.columns[:12]))})", path=path)
    return CorpusPlan(skipped=[], source=str(path), table=table, suffix=suffix)


def plan_corpus(path: str | Path) -> CorpusPlan:
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
        plan = _plan_folder(path)
        if not plan.sources and not plan.skipped:
            raise InputError("no .txt speeches found in this folder", path=path)
        return plan
    if path.suffix.lower() in {".csv", ".parquet"}:
        return _plan_table(path)
    raise InputError(f"unsupported corpus file type {path.suffix!r}; use a folder, .csv or .parquet", path=path)


def assemble_corpus(plan: CorpusPlan, results: Iterable[Read]) -> Corpus:
    """The :class:`Corpus` of a plan from the :func:`read_batch` results of its inputs (in plan order)."""
    skipped = list(plan.skipped)
    notes: list[str] = []
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


def read_folder(root: Path, *, progress: bool = False) -> Corpus:
    """Read every ``.txt`` file under ``root`` (recursively), with ``metadata.csv`` files if present."""
    return _read_plan(_plan_folder(Path(root)), progress=progress, unit="file")


def read_table(path: Path, *, progress: bool = False) -> Corpus:
    """Read one ``.csv`` or ``.parquet`` table with a ``text`` column (one row per speech)."""
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


def _skipped_frame(skipped: list[tuple[str, str]]) -> pd.DataFrame:
    if not skipped:
        return _empty_skipped()
    frame = pd.DataFrame(skipped, columns=["path", "reason"]).astype(object)
    return frame.sort_values(["path", "reason"], kind="stable").reset_index(drop=True)


def read_corpus(path: str | Path, *, progress: bool = False) -> Corpus:
    """Read speeches from a folder of ``.txt`` files or from one ``.csv`` / ``.parquet`` table.

    Parameters
    ----------
    path : str or Path
        A folder (searched recursively for ``.txt``; ``metadata.csv`` files in it are matched on
        ``doc_id`` or on the file name of ``source_file``), or a table with a ``text`` column.
    progress : bool
        Show a progress bar on standard error.

    Raises
    ------
    InputError
        If the path does not exist, is not a folder or a supported table, or holds no speech at all.
    """
    plan = plan_corpus(path)
    return _read_plan(plan, progress=progress, unit="file" if Path(path).is_dir() else "row")


def _progress(items: Iterable | None, enabled: bool, **options):
    if not enabled:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, **options, leave=False)
