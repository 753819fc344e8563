"""The words on a chart: readable labels for countries, groups and terms (:func:`short_label`), and the
source line printed under every chart (:func:`source_line`, naming the corpus as :func:`corpus_name` does).
"""
from __future__ import annotations

import math
import re
import textwrap
from pathlib import Path

from .. import paths

__all__ = ["SHORT_NAMES", "corpus_name", "short_label", "source_line"]

#: Official names longer than a chart label can hold, and the short form the UN itself uses.
SHORT_NAMES = {
    "united kingdom of great britain and northern ireland": "United Kingdom",
    "united states of america": "United States",
    "the united states of america": "United States",
    "the russian federation": "Russian Federation",
    "democratic republic of the congo": "DR Congo",
    "democratic republic of congo": "DR Congo",
    "congo, the democratic republic of the": "DR Congo",
    "democratic people's republic of korea": "DPR Korea",
    "democratic people’s republic of korea": "DPR Korea",
    "korea, democratic people's republic of": "DPR Korea",
    "lao people's democratic republic": "Lao PDR",
    "lao people’s democratic republic": "Lao PDR",
    "the former yugoslav republic of macedonia": "North Macedonia",
    "macedonia, the former yugoslav republic of": "North Macedonia",
    "saint vincent and the grenadines": "St Vincent & Grenadines",
    "saint vincent and grenadines": "St Vincent & Grenadines",
    "st. vincent and the grenadines": "St Vincent & Grenadines",
    "holy see (vatican city state)": "Holy See",
}
_QUALIFIER = re.compile(r"\s*\((?:[^()]*\b(?:of|the)\b[^()]*)\)\s*$", re.IGNORECASE)
_INVERTED = re.compile(r"^(?P<name>[^,]+),\s+(?:the\s+)?(?:[\w'’ -]+\s)?(?:of|of the)$", re.IGNORECASE)
_FORMAL_PREFIX = re.compile(
    r"^(?:the\s+)?(?:Islamic Republic|Bolivarian Republic|Plurinational State|Federated States|Republic|"
    r"Kingdom|Commonwealth|Principality|Grand Duchy|Federal Republic|Federal Democratic Republic|"
    r"Socialist Republic|Hashemite Kingdom|Independent State|Democratic Republic|People['’]s Republic|"
    r"Arab Republic|Federative Republic|Co-operative Republic|Eastern Republic|United Mexican States)\s+of\s+"
    r"(?:the\s+)?(?=\S)", re.IGNORECASE)


def short_label(name: object, *, width: int = 22, max_lines: int = 2, missing: str = "(not given)") -> str:
    """A chart label for a country, group or term: short official form, wrapped onto at most ``max_lines``.

    Rules, in order: an empty value becomes ``missing``; a known long official name takes its short form
    (:data:`SHORT_NAMES`); a trailing qualifier in brackets (``Venezuela (Bolivarian Republic of)``), an
    inverted form (``Iran, Islamic Republic of``) and a formal prefix (``Republic of Kazakhstan``) are
    dropped; what is still longer than ``width`` is wrapped at spaces and, beyond ``max_lines``, cut with
    an ellipsis. The data keep the full name; only the label is shortened.

    >>> short_label("United Kingdom of Great Britain and Northern Ireland")
    'United Kingdom'
    >>> short_label("Iran (Islamic Republic of)")
    'Iran'
    >>> short_label("Committee on the Exercise of the Inalienable Rights", width=16)
    'Committee on the\\nExercise of the…'
    """
    if name is None or (isinstance(name, float) and math.isnan(name)):
        return missing
    text = re.sub(r"\s+", " ", str(name)).strip()
    if not text:
        return missing
    if text.lower() in SHORT_NAMES:
        text = SHORT_NAMES[text.lower()]
    elif len(text) > width:
        text = _QUALIFIER.sub("", text) or text
        inverted = _INVERTED.match(text)
        if inverted:
            text = inverted["name"].strip()
        text = _FORMAL_PREFIX.sub("", text) or text
    if len(text) <= width:
        return text
    lines = textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=True)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        lines[-1] = (last if len(last) < width else last[:width - 1].rstrip()) + "…"
    return "\n".join(lines)


def corpus_name(path: str | Path) -> str:
    """How a corpus is named in a source line: its path inside the project, else its last component.

    >>> corpus_name(paths.RAW_DIR)
    'data/raw'
    >>> corpus_name("/somewhere/corpora/unsc_umuc")
    'unsc_umuc'
    """
    path = Path(path)
    resolved = path.resolve() if path.exists() else path
    try:
        return resolved.relative_to(paths.PROJECT_ROOT).as_posix()
    except ValueError:
        return path.name or str(path)


def source_line(*, corpus: str | Path, n_speeches: int | None = None, n_sentences: int | None = None,
                left_out: int = 0, lexicon_version: str | None = None, codebook_version: str | None = None,
                note: str | None = None) -> str:
    """The provenance line printed under every chart: the data actually drawn, and what produced it.

    ``corpus`` is a corpus path (named as :func:`corpus_name` names it) or a description of other data (a
    gold file); ``left_out`` counts the presiding officer's procedural turns that the tables leave out.

    >>> source_line(corpus="/x/unsc_umuc", n_speeches=304, left_out=171, lexicon_version="1", codebook_version="1")
    'Source: unsc_umuc, 304 speeches (171 procedural turns left out) · theme lexicon v1 · stance codebook v1'
    >>> source_line(corpus="gold_blind_v1.csv", n_sentences=299, note="hand-labelled")
    'Source: gold_blind_v1.csv, 299 sentences · hand-labelled'
    """
    counts = []
    if n_speeches is not None:
        counts.append(f"{n_speeches:,} {'speech' if n_speeches == 1 else 'speeches'}"
                      + (f" ({left_out:,} procedural turns left out)" if left_out else ""))
    if n_sentences is not None:
        counts.append(f"{n_sentences:,} {'sentence' if n_sentences == 1 else 'sentences'}")
    name = corpus_name(corpus) if isinstance(corpus, Path) or "/" in str(corpus) else str(corpus)
    parts = [f"Source: {name}" + (", " + ", ".join(counts) if counts else "")]
    if lexicon_version:
        parts.append(f"theme lexicon v{lexicon_version}")
    if codebook_version:
        parts.append(f"stance codebook v{codebook_version}")
    if note:
        parts.append(note)
    return " · ".join(parts)
