"""Verbatim-record text to a clean speech: :func:`clean_speech` and :class:`CleanSpeech`.

This module owns everything between the raw text of one speech and its clean paragraphs: Unicode and
white-space normalisation; the speaker header (parsed by :func:`analysis.corpus.names.parse_header`) and stage
notes removed; page furniture of the PDF records (page numbers, job numbers, running heads, ``5/28`` page
fractions) and procedural record lines dropped; OCR's ``1`` for the pronoun ``I`` repaired; hard line breaks
joined into paragraphs, line-end hyphenation undone (:data:`KEEP_HYPHEN_PREFIXES`,
:data:`KEEP_HYPHEN_SUFFIXES` and the speech's own spelling decide), and paragraphs cut by a page break
re-joined.

Several steps avoid a whole-text regular-expression scan where a cheaper route gives the same result (a
literal search first, or a search only around each ``-\\n``); ``tests/test_corpus_clean.py`` checks each
shortcut against the plain pattern it replaces.
"""
from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from typing import Iterable, Iterator

from .decode import CONTROL_CHARACTERS
from .names import STAGE_NOTE, parse_header

__all__ = ["KEEP_HYPHEN_PREFIXES", "KEEP_HYPHEN_SUFFIXES", "CleanSpeech", "clean_speech"]

# A leading ``\s*`` is anchored with ``(?<!\s)`` in the patterns below: the leftmost match starts where the white
# space starts anyway, and without the anchor a search retries at every position of a long run of blanks
# (quadratic time on a file of many thousand empty lines).
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


class _HyphenEvidence:
    """The words (maximal ``\\w`` runs) and ``word-word`` pairs written in a text, lower-cased:
    :meth:`has_word` and :meth:`has_pair`.

    A speech asks a few questions (most ask none): each of the first :data:`_LOOKUPS` is one literal search
    of the lower-cased text; then the sets of all its words and pairs are built, so that a speech with many
    hyphens to decide costs a set look-up per question rather than a search of the whole text each
    (quadratic). Building the sets for every speech cost more than all the searches.
    """

    _LOOKUPS = 8

    def __init__(self, text: str):
        self._text = text
        self._asked = 0

    @classmethod
    def of(cls, text: str) -> "_HyphenEvidence":
        return cls(text)

    @functools.cached_property
    def _lowered(self) -> str:
        return self._text.lower()

    @functools.cached_property
    def words(self) -> frozenset[str]:
        return frozenset(_WORD_RUN.findall(self._lowered))

    @functools.cached_property
    def pairs(self) -> frozenset[str]:
        return frozenset(_HYPHEN_PAIR.findall(self._lowered))

    def has_word(self, word: str) -> bool:
        """``word in self.words``: ``word`` is written as a whole ``\\w`` run."""
        if "words" in self.__dict__ or not self._search_more():
            return word in self.words
        return _WORD_RUN.fullmatch(word) is not None and self._written(word)

    def has_pair(self, pair: str) -> bool:
        """``pair in self.pairs``: ``pair`` (two ``\\w`` runs joined by a hyphen) is written as such."""
        if "pairs" in self.__dict__ or not self._search_more():
            return pair in self.pairs
        left, hyphen, right = pair.partition("-")
        return (hyphen == "-" and _WORD_RUN.fullmatch(left) is not None and _WORD_RUN.fullmatch(right) is not None
                and self._written(pair))

    def _search_more(self) -> bool:
        self._asked += 1
        return self._asked <= self._LOOKUPS

    def _written(self, item: str) -> bool:
        """Whether ``item`` occurs in the lower-cased text with no word character just before or after it
        (``\\w`` is what ``str.isalnum`` accepts, and ``_``)."""
        text, size = self._lowered, len(item)
        found = text.find(item)
        while found >= 0:
            before, after = text[found - 1:found], text[found + size:found + size + 1]
            if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
                return True
            found = text.find(item, found + 1)
        return False


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
            if evidence.has_pair(f"{l_last}-{r_word.group()}"):
                return f"{left}-{right}"
            if evidence.has_word(f"{l_last}{r_word.group()}"):
                return f"{left}{right}"
        if l_last in KEEP_HYPHEN_PREFIXES or r_low.rstrip("s") in KEEP_HYPHEN_SUFFIXES or r_low in KEEP_HYPHEN_SUFFIXES:
            return f"{left}-{right}"
        return f"{left}{right}"

    return _sub_matches(text, _line_end_hyphens(text), decide)


# "Secretary- General", "cross- border": a line-end hyphen whose line break became a space in the source. Only
# word starts are tried (the look-behind), so the search stays linear on long tokens.
_SPACED_HYPHEN = re.compile(r"(?<![\w'’])(?P<left>[^\W\d_][\w'’]{0,80})- (?P<right>[^\W\d_][\w'’]*)")
#: Words after which "word- " is a suspended hyphen ("troop- and police-contributing countries"): kept as it is.
_SUSPENDED_BEFORE = frozenset({"and", "or", "to", "nor", "as", "but", "than"})


def _repair_spaced_hyphens(text: str, evidence: _HyphenEvidence) -> str:
    """``Secretary- General`` → ``Secretary-General``; ``organi- zation`` → ``organization`` when the speech
    writes the joined word elsewhere (and never the hyphenated pair); a suspended hyphen stays as it is."""
    def decide(match: re.Match) -> str:
        left, right = match["left"], match["right"]
        if right.lower() in _SUSPENDED_BEFORE:
            return match.group(0)
        joined, pair = f"{left}{right}".lower(), f"{left}-{right}".lower()
        if evidence.has_word(joined) and not evidence.has_pair(pair):
            return f"{left}{right}"
        return f"{left}-{right}"

    return _sub_matches(text, _spaced_hyphens(text), decide)


_SPACED_RUN_BEFORE = re.compile(r"[\w'’]*\Z")  # searched up to a hyphen: the left part that ends there
_MAX_SPACED_LEFT = 81  # longest left part of _SPACED_HYPHEN: one character and 80


def _spaced_hyphens(text: str) -> Iterator[re.Match]:
    """The matches of ``_SPACED_HYPHEN.finditer(text)``, found by trying only before each ``- ``.

    A match's left part is the whole run of word characters and apostrophes before its ``- `` (the
    look-behind wants a run's start, and neither ``-`` nor a space extends the run), so the one place where a
    match can start is the start of that run; the scan of every word start of the speech is skipped.
    """
    pos = 0
    while True:
        hyphen = text.find("- ", pos)
        if hyphen < 0:
            return
        floor = max(pos, hyphen - _MAX_SPACED_LEFT - 1)  # a longer run cannot be a left part
        start = _SPACED_RUN_BEFORE.search(text, floor, hyphen).start()
        match = _SPACED_HYPHEN.match(text, start)
        if match is None:
            pos = hyphen + 1
            continue
        yield match
        pos = match.end()


_RUN_BEFORE = re.compile(r"[\w'’-]*\Z")  # searched up to a hyphen: the run of these characters that ends there
_WORD_AFTER = re.compile(r"[\w'’]*")
_MAX_LEFT = 82  # longest left part of _LINE_END_HYPHEN: one character, 80, one
#: How much of a word ending in a hyphen decides its join with the next page's fragment: more than the search
#: of :func:`_line_end_hyphens` looks back (_MAX_LEFT) and the hyphen, so the decision is that of the whole word.
_JOIN_TAIL = _MAX_LEFT + 2


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
        floor = max(pos, hyphen - _MAX_LEFT)  # the left part is at most _MAX_LEFT characters long
        # The run of word characters, apostrophes and hyphens that ends at the hyphen (from floor at most), and
        # the word after the line break: two searches in C rather than a loop over the characters.
        start = _RUN_BEFORE.search(text, floor, hyphen).start()
        stop = _WORD_AFTER.match(text, hyphen + 2).end()
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
    """A cleaned speech.

    Attributes
    ----------
    text : str
        The speech without header, stage notes or page furniture; paragraphs separated by a blank line.
    speaker, country, language : str
        From the speaker header (:class:`~analysis.corpus.names.Header`), ``""`` without one.
    """

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

    Parameters
    ----------
    raw : str
        The text of one speech as read.

    Returns
    -------
    CleanSpeech
        Paragraphs in its text are separated by ``"\\n\\n"``; inside a paragraph, white space is single
        spaces.

    Examples
    --------
    >>> clean_speech("Mr. X (Chile): We support\\nthe organi-\\nzation.\\n\\n12\\n").text
    'We support the organization.'
    """
    text = unicodedata.normalize("NFC", raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.replace("\u00ad", "").replace("\u00a0", " ").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = text.replace("\t", " ")
    text = CONTROL_CHARACTERS.sub(" ", text)
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
        text = STAGE_NOTE.sub("", text)

    lines = [line for line in text.split("\n") if not _ARTEFACT_LINE.match(line) or not line.strip()]
    text = "\n".join(lines)
    # A line ending in " -" is a dash, not hyphenation: keep the spaces around it.
    if "-\n" in text or "–\n" in text or "—\n" in text:
        text = re.sub(r" [-–—]\n", " - ", text)
    evidence = _HyphenEvidence.of(text) if "-\n" in text or "- " in text else None
    if "- " in text:
        text = _repair_spaced_hyphens(text, evidence)
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
                # Only the last word takes part in the hyphenation decision, and of it only the end that the
                # line-end pattern can reach (_JOIN_TAIL); the evidence is the whole speech. The rest of the
                # word stays a part of its own, so that fragments joined to an ever-growing word ("organi-",
                # "zation-", ... on pages of their own) are not copied again at each join (quadratic).
                head, space, word = last.rpartition(" ")
                word_head, tail = word[:-_JOIN_TAIL], word[-_JOIN_TAIL:]
                if evidence is None:
                    evidence = _HyphenEvidence.of(text)
                joined = _dehyphenate(tail + "\n" + paragraph, evidence)
                # A word that cannot be joined ("--", ":-") stays apart by a space, not a line break.
                paragraphs[-1][-1:] = [head, space, word_head, joined.replace("\n", " ")]
            else:
                paragraphs[-1] += [" ", paragraph]
            continue
        paragraphs.append([paragraph])
    text = "\n\n".join("".join(parts) for parts in paragraphs)
    text = _strip_trailing_symbol(text).strip()
    return CleanSpeech(text=text, speaker=speaker, country=country, language=language)
