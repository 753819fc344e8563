"""The columns of the tables ``run`` writes (the contract of DESIGN.md): fixed ones, and those that follow the
lexicon's themes, the cue file's stance labels and the input's own metadata."""
from __future__ import annotations

from typing import Sequence

import pandas as pd

from .corpus import DOCUMENT_COLUMNS
from .stance import Codebook
from .terms import TERMS_COLUMNS
from .themes import Lexicon

__all__ = ["DOCUMENTS_HEAD", "METADATA_TAIL", "SENTENCES_COLUMNS", "SKIPPED_COLUMNS", "TERMS_COLUMNS", "UN_COLUMNS",
           "documents_columns", "renamed_metadata"]

#: The first columns of ``documents.csv``; :func:`documents_columns` gives them all.
DOCUMENTS_HEAD = ["doc_id", "body", "country", "speaker", "year", "date", "meeting", "topic", "n_sentences",
                  "n_tokens"]
SENTENCES_COLUMNS = ["doc_id", "sentence_id", "start", "end", "text", "themes", "stance", "cue", "score"]
SKIPPED_COLUMNS = ["path", "reason"]


#: Metadata columns of the reader that follow the computed ones in ``documents.csv``, before the input's own.
METADATA_TAIL = ["session", "speaker_role", "country_code", "source_file"]


#: The UN member state, regional group and Security Council status of each speech (:mod:`analysis.membership`).
UN_COLUMNS = ["iso3", "un_group", "council_status"]


def documents_columns(lexicon: Lexicon, codebook: Codebook, metadata: Sequence[str] = ()) -> list[str]:
    """``documents.csv``'s columns, from the lexicon's themes and the cue file's stance labels.

    :data:`DOCUMENTS_HEAD`, ``theme_<name>`` for each theme of the lexicon, ``dominant_theme``,
    ``stance_<label>`` for each label of the cue file, ``procedural``, :data:`UN_COLUMNS`, per theme
    ``n_sentences_<name>`` and ``n_mentions_<name>``, then :data:`METADATA_TAIL` and every other metadata column
    of the input (``metadata``, in order).
    """
    computed = [*DOCUMENTS_HEAD, *[f"theme_{name}" for name in lexicon.names], "dominant_theme",
                *[f"stance_{label}" for label in codebook.labels], "procedural", *UN_COLUMNS]
    computed += [f"n_{what}_{name}" for name in lexicon.names for what in ("sentences", "mentions")]
    return computed + [column for column in dict.fromkeys([*METADATA_TAIL, *metadata]) if column not in computed]


def renamed_metadata(documents: pd.DataFrame, lexicon: Lexicon, codebook: Codebook) -> pd.DataFrame:
    """The input's metadata columns that would collide with a computed column get the prefix ``input_``."""
    computed = set(documents_columns(lexicon, codebook)) - set(METADATA_TAIL)
    own = set(DOCUMENT_COLUMNS) | {"procedural", "text", "raw_chars"}
    clashes = {column: f"input_{column}" for column in documents.columns if column in computed and column not in own}
    return documents.rename(columns=clashes) if clashes else documents


