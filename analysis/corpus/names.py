"""What a speech says about itself before the speech begins: its file name and its speaker header.

This module owns two UN conventions:

* file names (:func:`parse_file_name`): ``UNSC_<year>_SPV.<meeting>_spch<NNN>`` (UN Security Council
  Debates) and ``<ISO3>_<session>_<year>`` (UN General Debate Corpus) give body, year, meeting or session,
  and country code;
* the speaker header of a verbatim record (:func:`parse_header`, :class:`Header`): ``Mr. Abdrakhmanov
  (Kazakhstan):``, ``The President (spoke in French):``, with the stage notes (``(spoke in French)``,
  ``(interpretation from Arabic)``) whose syntax :data:`STAGE_NOTE` also finds inside the speech.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

__all__ = ["STAGE_NOTE", "Header", "parse_file_name", "parse_header"]

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
    ``<ISO3>_<session>_<year>`` (UN General Debate Corpus).

    Parameters
    ----------
    name : str
        A file name or stem; a folder part is ignored.

    Returns
    -------
    dict
        ``body``, ``year``, and ``meeting`` and ``speech_number`` (UNSC) or ``session`` (UNGA), and
        ``country_code``; ``{}`` for a name that follows neither convention.

    Examples
    --------
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
#: A stage note anywhere in a speech, with the white space before it: ``(spoke in French)``,
#: ``(interpretation from Arabic)``. The leading ``\s*`` is anchored with ``(?<!\s)``: the leftmost match
#: starts where the white space starts anyway, and without the anchor a search retries at every position of
#: a long run of blanks (quadratic time on a file of many thousand empty lines).
STAGE_NOTE = re.compile(rf"(?<!\s)\s*(?:{_NOTE.replace('(?P<moved>', '(?:').replace('(?P<language>', '(?:')}|{_INTERP})")
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
    """A parsed speaker header.

    Attributes
    ----------
    speaker : str
        ``"Mr. Abdrakhmanov"``, ``"The President"``.
    country : str
        The country in brackets, or ``""``.
    language : str
        The language of a ``(spoke in ...)`` note, title-cased, or ``""``.
    end : int
        Where the speech itself begins in the raw text.
    moved_text : str
        Text the PDF extraction pushed inside the stage note, to be put back before the speech.
    """

    speaker: str
    country: str
    language: str
    end: int
    moved_text: str = ""


def parse_header(raw: str) -> Header | None:
    """Parse the opening speaker line of a UN verbatim-record speech.

    Parameters
    ----------
    raw : str
        The speech as read; only its first 400 characters are looked at.

    Returns
    -------
    Header or None
        ``None`` when the text does not start with a header (a sentence with a colon is not one).

    Examples
    --------
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
