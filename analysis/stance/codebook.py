"""The stance codebook as data: a :class:`Cue` is one pattern and its evidence, a :class:`Codebook` the labels,
their precedence and the cues (read from ``config/stance.yml`` by :mod:`analysis.stance.cuefile`)."""
from __future__ import annotations

import dataclasses
import re
from typing import Literal

#: What the matcher sees: a lower-cased copy of each sentence in which white space, brackets, quotes and
#: slashes are spaces and typographic apostrophes and dashes are plain. Every replacement is one character
#: for one, so offsets into the copy are offsets into the sentence.
MATCH_TABLE = str.maketrans({
    **{char: " " for char in "\n\r\t\f\v\u00a0\u2028\u2029()[]{}\"\u201c\u201d\u00ab\u00bb/"},
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2013": "-", "\u2014": "-", "\u2011": "-", "\u2010": "-",
    "\u0130": "i",  # the one character whose lower case is two characters long
})
#: A cue ends at a word end ("terrorist-related" contains "terrorist"; "terrorism" is not "terror").
WORD_END = r"(?!\w)"
FLAGS = re.MULTILINE


@dataclasses.dataclass(frozen=True)
class Cue:
    """One stance cue: a pattern whose match is evidence for ``label``.

    Attributes
    ----------
    name : str
        Unique, short, shown in the ``cue`` column.
    label : str
        The stance the cue is evidence for.
    kind : str
        What kind of evidence (``endorsement``, ``modality``, ``own action``, ``negation``, ``criticism``,
        ``threat``, ``reported speech`` ...); documentation and model features.
    pattern : str
        The pattern as written in the file (lexicon references ``{name}`` not expanded).
    regex : str
        The expanded regular expression (case-insensitive; ``^``/``$`` are the sentence's ends).
    examples, counterexamples : tuple of str
        Sentences the cue must match, and must not match.
    contexts : tuple of (str, str, int)
        ``(kind, regex, within)``: the match counts only if ``regex`` occurs ``after`` which the match comes
        (or ``before`` which), with at most ``within`` words between; ``not_after`` / ``not_before`` veto it.
    suppresses : tuple of str
        Labels whose cues lose their force when they come after this cue in the sentence (reported speech:
        "The report notes an alarming rise" is not the speaker's condemnation).
    """

    name: str
    label: str
    kind: str
    pattern: str
    regex: str
    contexts: tuple[tuple[str, str, int], ...] = ()
    examples: tuple[str, ...] = ()
    counterexamples: tuple[str, ...] = ()
    suppresses: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Codebook:
    """The stance codebook as loaded from ``config/stance.yml``.

    Attributes
    ----------
    version : str
        Version of the cue file (bump it whenever a cue changes; outputs record it).
    codebook_version : str
        Version of ``stance_codebook.md`` the file implements.
    labels : tuple of str
        The stance labels in the order of the output columns (``stance_<label>``).
    precedence : tuple of str
        The same labels, first wins: ``("oppose", "support", "condemn", "neutral")``.
    default : str
        Label of a sentence no cue decides.
    favor, against : tuple of str
        The labels that count as FAVOR and as AGAINST in the SemEval-style F_avg.
    cues : tuple of Cue
    checks : tuple of (str, str)
        Whole sentences and the stance the rule labeller must give them.
    source, sha256 : str
        The file and the hash of its bytes.
    """

    version: str
    codebook_version: str
    labels: tuple[str, ...]
    precedence: tuple[str, ...]
    default: str
    cues: tuple[Cue, ...]
    favor: tuple[str, ...] = ()
    against: tuple[str, ...] = ()
    checks: tuple[tuple[str, str], ...] = ()
    source: str = ""
    sha256: str = ""


#: Which labeller labels sentences: the rules, the trained model, or whichever cross-validates better.
Method = Literal["rules", "model", "auto"]
METHODS: tuple[str, ...] = ("rules", "model", "auto")



