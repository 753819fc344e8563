"""The presiding officer's procedural turns and procedural sentences of a verbatim record.

A Security Council record holds, besides the delegations' statements, the President's *chairing* turns: opening
the meeting, announcing letters and invitations under rules 37 and 39, giving the floor, reminding speakers of
the time limit, putting a draft to the vote and announcing the result. They are not anybody's position on the
agenda, so they are left out of every analysis by default (``run --include-procedural`` keeps them, flagged).

Two decisions, both from the text and the metadata, never from a model:

* a **procedural turn** (:func:`is_procedural_turn`) is a turn of the presiding officer (the speaker line
  ``The President:`` or ``The Acting President:``, or, where the record has no speaker line, the metadata's
  ``speaker_role`` ``The President``) that is not a statement in a national capacity ("I shall now make a
  statement in my capacity as the representative of …"). A turn known as the President's only from the
  metadata must also read as procedural: at least half of its sentences are procedural (the 2020 records of
  written procedures attach the role to the presidency's own national statements, too);
* a **procedural sentence** (:func:`procedural_sentences`) gives the floor, invites a speaker, announces letters,
  documents, votes or the list of speakers, opens, suspends or closes a meeting, or forwards statements in a
  covering letter (:data:`PROCEDURAL_PATTERNS`). Such a sentence is ``neutral`` whoever speaks it.
"""
from __future__ import annotations

import re
from typing import Iterable, Sequence

import numpy as np

__all__ = [
    "NATIONAL_CAPACITY", "PRESIDING_SPEAKER", "PRESIDING_ROLES", "PROCEDURAL_PATTERNS", "is_presiding",
    "is_procedural_turn", "procedural_sentences", "procedural_spans", "stated_country",
]

#: Speaker lines of the presiding officer (after the header parser has read them).
PRESIDING_SPEAKER = re.compile(
    r"^(?:The\s+)?(?:Acting\s+|Temporary\s+|Interim\s+)?(?:President|Chair|Chairman|Chairperson|Chairwoman|Co-Chair)$",
    re.IGNORECASE)
#: ``speaker_role`` values of metadata that name the presiding officer of a Council meeting (the UNSC corpus's
#: ``participanttype``; not the General Debate's ``President``, who is a head of state).
PRESIDING_ROLES = frozenset({"the president", "president of the security council", "acting president"})
#: A presiding officer speaking for their own country: the turn is a statement, not chairing.
NATIONAL_CAPACITY = re.compile(
    r"\b(?:make|making|deliver|delivering|speak|speaking|brief)\s+(?:a\s+|my\s+|this\s+)?(?:short\s+|brief\s+)?"
    r"(?:statement\s+|comments?\s+)?(?:now\s+)?in\s+my\s+(?:national\s+capacity|capacity\s+as\s+(?!President\b))",
    re.IGNORECASE)

#: Who the presiding officer gives the floor to or invites (not "Council members", whom a speaker may call on to act).
_PERSON = r"(?:the\s+(?:representative|Permanent\s+Representative|Minister|Deputy|Special|Under-Secretary-General|" \
          r"Assistant|Secretary-General|Executive|Director|High\s+Commissioner|Chair|President|Vice-President|" \
          r"following|next\s+speaker|observer|Head|Prime|Foreign)|(?-i:Mr|Mrs|Ms|Dr)\.?\s|(?-i:His|Her)\s+|Ambassador\s|" \
          r"representatives\s+of|speakers?\b)"
#: How a covering letter that forwards a meeting's statements opens.
_LETTER_FORMULA = r"\s*I\s+have\s+the\s+honour\s+to\s+(?:enclose|refer|transmit|forward)"
#: What a procedural sentence says, by kind (case-insensitive; searched anywhere in the sentence). Each kind's
#: examples and counterexamples are in ``tests/test_procedure.py``.
PROCEDURAL_PATTERNS: dict[str, str] = {
    "gives the floor": r"\b(?:I\s+(?:now\s+|shall\s+now\s+|will\s+now\s+)?give\s+(?:the\s+)?floor"
                       r"|(?:I\s+)?(?:now\s+)?call\s+(?:on|upon)\s+" + _PERSON + r"(?![^.;]*\bto\s+(?!conclude\b)[a-z]+\s)"
                       r"|(?:has|have)\s+(?:asked\s+for\s+)?the\s+floor\b)",
    "invites to the table": r"\b(?:I\s+(?:now\s+)?(?:propose\s+to\s+|should\s+like\s+to\s+|would\s+like\s+to\s+)?invite\s+"
                            + _PERSON + r"|it\s+is\s+so\s+decided|There\s+being\s+no\s+objection"
                            r"|take\s+(?:a\s+)?seats?\s+at\s+the\s+(?:Council\s+)?table)",
    "announces letters": r"\b(?:I\s+(?:should|would|wish)\s+(?:like\s+)?to\s+inform\s+the\s+Council\s+that\s+I\s+have\s+received|"
                         r"I\s+have\s+received\s+(?:a\s+)?letters?\s+from|"
                         r"draw\s+the\s+attention\s+of\s+(?:the\s+)?(?:Council\s+)?members\s+to\s+(?:the\s+)?(?:document|letter)|"
                         r"Members\s+of\s+the\s+Council\s+have\s+before\s+them|"
                         r"(?:letter|document)\s+S/\d{4}/\d+,?\s+which\s+contains)",
    "opens or closes the meeting": r"\b(?:will\s+now\s+begin\s+its\s+consideration|"
                                   r"The\s+(?:provisional\s+)?agenda\s+(?:was|is)\s+adopted|"
                                   r"meeting\s+(?:is|was)\s+(?:called\s+to\s+order|suspended|adjourned|resumed)|"
                                   r"(?:has\s+)?thus\s+concluded\s+the\s+present\s+stage|"
                                   r"The\s+meeting\s+rose|I\s+(?:now\s+)?resume\s+my\s+functions\s+as\s+President|"
                                   r"I\s+shall\s+now\s+make\s+a\s+statement\s+in\s+my\s+capacity|"
                                   r"is\s+meeting\s+in\s+accordance\s+with\s+the\s+understanding\s+reached)",
    "speakers and time": r"\b(?:on\s+(?:the|my)\s+list\s+of\s+speakers|(?:names|speakers)\s+inscribed|"
                         r"limit\s+their\s+statements\s+to|no\s+more\s+than\s+(?:four|five|six|seven)\s+minutes|"
                         r"flashing\s+lights?\s+on\s+the\s+collars)",
    "votes": r"\b(?:put\s+(?:the\s+)?draft\s+(?:resolution|text)[^.]{0,60}?\s+to\s+the\s+vote|"
             r"(?:Those|Members)\s+in\s+favour|A\s+vote\s+was\s+taken|result\s+of\s+the\s+voting|"
             r"(?:has\s+been|was)\s+adopted\s+(?:unanimously\s+)?as\s+resolution|"
             r"ready\s+to\s+proceed\s+to\s+the\s+vote|shall\s+put\s+the\s+draft|"
             r"received\s+\d+\s+votes?\s+in\s+favour)",
    "covering letter": r"(?:^" + _LETTER_FORMULA + "|"
                       r"will\s+be\s+issued\s+as\s+(?:an\s+)?(?:official\s+)?document|"
                       r"(?:be\s+)?grateful\s+if\s+(?:the\s+present|this)\s+letter)",
}
_PROCEDURAL = re.compile("|".join(f"(?P<p{i}>{pattern})" for i, pattern in enumerate(PROCEDURAL_PATTERNS.values())),
                         re.IGNORECASE)
_KINDS = tuple(PROCEDURAL_PATTERNS)
#: Words one of the patterns above needs (a fast first test; most sentences hold none of them), lower-case.
_HINT_WORDS = (r"floor|invit|rule|objection|seat|receiv|attention|before\s+them|s/\d|consideration|agenda|"
               r"meeting|concluded|rose|resume|capacity|speakers|minutes|statements|lights|vote|favour|adopted|"
               r"honour|call\s+on|decided|issued|grateful")
_HINT = re.compile(_HINT_WORDS, re.IGNORECASE)
#: The same test on a lower-cased ASCII text: the same answer there (ASCII letters have one lower case each),
#: several times faster than a case-insensitive alternation, which the regex engine tries word by word at each
#: character.
_HINT_LOWER = re.compile(_HINT_WORDS)
_COVERING_LETTER = re.compile(_LETTER_FORMULA, re.IGNORECASE)
#: Share of a metadata-only President turn's sentences that must be procedural for the turn to be procedural.
MIN_PROCEDURAL_SHARE = 0.5


_STATED_COUNTRY = re.compile(r"in\s+my\s+capacity\s+as\s+(?:the\s+)?representative\s+of\s+(?P<country>(?:the\s+)?"
                             r"[A-Z][\w'’-]*(?:\s+(?:of\s+|and\s+|the\s+)*[A-Z][\w'’-]*){0,6})")


def stated_country(text: str) -> str:
    """The country a presiding officer says they speak for ("in my capacity as the representative of Nigeria"),
    or ``""``.

    >>> stated_country("I shall now make a statement in my capacity as the representative of the United States.")
    'United States'
    """
    match = _STATED_COUNTRY.search(text)
    return re.sub(r"^the\s+", "", match["country"]).strip() if match else ""


def is_presiding(speaker: str, speaker_role: str = "") -> bool:
    """Whether a turn is the presiding officer's, by its speaker line or its metadata role.

    >>> is_presiding("The President"), is_presiding("Mr. Smith", "The President"), is_presiding("President Obama")
    (True, True, False)
    """
    return bool(PRESIDING_SPEAKER.match(str(speaker or "").strip())) or \
        str(speaker_role or "").strip().lower() in PRESIDING_ROLES


def procedural_spans(texts: Iterable[str]) -> list[tuple[str, int, int] | None]:
    """For each sentence, ``(kind, start, end)`` of its first procedural phrase, or ``None``."""
    found: list[tuple[str, int, int] | None] = []
    for text in texts:
        text = str(text)
        hinted = _HINT_LOWER.search(text.lower()) if text.isascii() else _HINT.search(text)
        match = _PROCEDURAL.search(text) if hinted else None
        if match is None:
            found.append(None)
            continue
        kind = _KINDS[int(match.lastgroup[1:])]
        found.append((kind, match.start(), match.end()))
    return found


def procedural_sentences(texts: Sequence[str]) -> np.ndarray:
    """A boolean array: which sentences are procedural (:data:`PROCEDURAL_PATTERNS`).

    >>> procedural_sentences(["I now give the floor to the representative of Chile.",
    ...                       "We condemn terrorism in all its forms."]).tolist()
    [True, False]
    """
    return np.fromiter((span is not None for span in procedural_spans(texts)), dtype=bool, count=len(texts))


def is_procedural_turn(*, speaker: str, speaker_role: str = "", text: str, sentences: Sequence[str],
                       from_header: bool) -> bool:
    """Whether a turn is the presiding officer's chairing (see the module's docstring).

    Parameters
    ----------
    speaker, speaker_role : str
        The speech's speaker and metadata role.
    text : str
        The cleaned speech.
    sentences : sequence of str
        Its sentences.
    from_header : bool
        Whether the speaker line of the record itself names the presiding officer (else only the metadata does).
    """
    if not (from_header or is_presiding(speaker, speaker_role)):
        return False
    if NATIONAL_CAPACITY.search(text):
        return False
    if from_header or not len(sentences):
        return True
    flags = procedural_sentences(sentences)
    # A covering letter that forwards the meeting's statements opens with its formula.
    return bool(flags[0] and _COVERING_LETTER.match(sentences[0])) or float(flags.mean()) >= MIN_PROCEDURAL_SHARE
