"""The tables a notebook reads: :func:`analyse` (and :func:`corpus_tables`, which also takes a lexicon) runs
the analysis of ``python -m analysis run`` in memory and returns :class:`CorpusTables`, with the speech texts and
paragraph numbers that views need.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from .. import paths

__all__ = ["CorpusTables", "analyse", "corpus_tables"]


@dataclasses.dataclass
class CorpusTables:
    """The tables of a run, as the notebooks use them.

    Attributes
    ----------
    documents : DataFrame
        ``documents.csv`` columns, then the cleaned ``text``.
    sentences : DataFrame
        ``sentences.csv`` columns with ``paragraph_id`` after ``sentence_id``.
    skipped : DataFrame
        ``skipped.csv``: inputs that were not read, with the reason.
    manifest : dict
        Provenance (versions of the lexicon, stopwords…), as in ``manifest.json``.
    terms : DataFrame
        ``terms.csv``.
    """

    documents: pd.DataFrame
    sentences: pd.DataFrame
    skipped: pd.DataFrame
    manifest: dict
    terms: pd.DataFrame | None = None


def analyse(corpus: str | Path, *, themes: str | Path | None = None, stance_method: str = "rules",
            include_procedural: bool = False, use_cache: bool = True, progress: bool = False) -> CorpusTables:
    """The tables of ``python -m analysis run`` in memory, with the speech texts and paragraph numbers: the
    notebooks' one way in, and the quickest way to work with a corpus from Python.

    Nothing is written but the cache (``data/processed/cache``), so a second call on the same corpus takes a
    second or two.

    Parameters
    ----------
    corpus : str or Path
        A folder of ``.txt`` speeches, one ``.txt``, or a ``.csv``/``.parquet`` table (relative paths are also
        looked up from the project root).
    themes : str or Path, optional
        A theme lexicon (default ``config/themes.yml``).
    stance_method : {"rules", "model", "auto"}
    include_procedural : bool
        Keep the presiding officer's procedural turns (left out by default).

    Returns
    -------
    CorpusTables
        ``documents`` (``documents.csv`` and the cleaned ``text``), ``sentences`` (``sentences.csv`` with
        ``paragraph_id``), ``terms``, ``skipped`` and ``manifest``.

    >>> tables = analyse("data/raw")
    >>> len(tables.documents), len(tables.sentences)
    (1, 24)
    """
    from ..corpus import split_paragraphs
    from ..pipeline import analyse_corpus

    result = analyse_corpus(paths.resolve_input(corpus), themes_file=themes, stance_method=stance_method,
                            include_procedural=include_procedural, use_cache=use_cache, progress=progress)
    documents = result.documents.assign(text=result.documents["doc_id"].map(result.texts).to_numpy())
    paragraph_ids = []
    for doc_id, group in result.sentences.groupby("doc_id", sort=False):
        starts = [start for start, _ in split_paragraphs(result.texts[doc_id])]
        paragraph_ids.append(pd.Series(np.searchsorted(starts, group["start"].to_numpy(), side="right") - 1,
                                       index=group.index))
    sentences = result.sentences.copy()
    at = list(sentences.columns).index("sentence_id") + 1
    sentences.insert(at, "paragraph_id", pd.concat(paragraph_ids).astype("int64") if paragraph_ids
                     else pd.Series(dtype="int64"))
    return CorpusTables(documents=documents, sentences=sentences, skipped=result.skipped, manifest=result.manifest,
                        terms=result.terms)


def corpus_tables(corpus: str | Path, *, lexicon=None, **options) -> CorpusTables:
    """:func:`analyse`, with ``lexicon`` a path or a :class:`analysis.themes.Lexicon` (its source file)."""
    themes = lexicon.source if hasattr(lexicon, "source") else lexicon
    return analyse(corpus, themes=themes, **options)
