"""Corpus → tables: the ``run`` command.

Stages, each a function of DataFrames so that another backend (Dask, Spark) could run the per-document map
and the count reduce:

1. :func:`analysis.corpus.read_corpus`: read, decode and clean speeches (bad inputs go to ``skipped``);
2. :func:`analysis.corpus.segment_sentences`: sentences with offsets;
3. :func:`build_tables`: term counts, theme scores and stance labels, aggregated per document;
4. :func:`write_tables`: ``documents.csv``, ``sentences.csv``, ``terms.csv``, ``skipped.csv`` and
   ``manifest.json``, each written atomically.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from .corpus import Corpus, read_corpus, segment_sentences
from .errors import InputError
from .io import write_csv, write_text
from .terms import count_terms, count_word_tokens
from .text import load_stopwords

__all__ = [
    "DOCUMENTS_COLUMNS", "SENTENCES_COLUMNS", "TERMS_COLUMNS", "SKIPPED_COLUMNS",
    "RunResult", "build_tables", "run", "write_tables",
]

THEMES = ("terrorism", "trafficking", "cooperation")
STANCES = ("support", "oppose", "condemn", "neutral")

DOCUMENTS_COLUMNS = [
    "doc_id", "body", "country", "speaker", "year", "date", "meeting", "topic", "n_sentences", "n_tokens",
    *[f"theme_{theme}" for theme in THEMES], "dominant_theme", *[f"stance_{stance}" for stance in STANCES],
]
SENTENCES_COLUMNS = ["doc_id", "sentence_id", "start", "end", "text", "themes", "stance", "cue", "score"]
TERMS_COLUMNS = ["term", "count", "docs", "rate_per_10k"]
SKIPPED_COLUMNS = ["path", "reason"]


@dataclasses.dataclass
class RunResult:
    """The tables of one run, as written to disk."""

    documents: pd.DataFrame
    sentences: pd.DataFrame
    terms: pd.DataFrame
    skipped: pd.DataFrame
    manifest: dict


def _label_sentences(sentences: pd.DataFrame) -> pd.DataFrame:
    """Theme and stance columns for each sentence.

    Placeholder until the theme lexicon and stance labeller exist: no themes, no stance.
    """
    labelled = sentences.copy()
    labelled["themes"] = ""
    labelled["stance"] = ""
    labelled["cue"] = ""
    labelled["score"] = np.nan
    return labelled


def _document_scores(documents: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """Theme scores and stance shares per document (placeholders: empty)."""
    scores = pd.DataFrame({"doc_id": documents["doc_id"]})
    for theme in THEMES:
        scores[f"theme_{theme}"] = np.nan
    scores["dominant_theme"] = ""
    for stance in STANCES:
        scores[f"stance_{stance}"] = np.nan
    return scores


def build_tables(corpus: Corpus) -> RunResult:
    """Compute every output table from a read corpus (no I/O)."""
    documents = corpus.documents
    sentences = _label_sentences(segment_sentences(documents))
    n_tokens = documents["text"].map(count_word_tokens).astype("int64")
    n_sentences = sentences.groupby("doc_id").size()
    table = documents[["doc_id", "body", "country", "speaker", "year", "date", "meeting", "topic"]].copy()
    table["n_sentences"] = table["doc_id"].map(n_sentences).fillna(0).astype("int64")
    table["n_tokens"] = n_tokens.to_numpy()
    table = table.merge(_document_scores(documents, sentences), on="doc_id", how="left", validate="one_to_one")
    table = table[DOCUMENTS_COLUMNS].sort_values("doc_id", kind="stable").reset_index(drop=True)
    terms = count_terms(documents["text"], n_tokens=int(n_tokens.sum()))
    sentences = sentences[SENTENCES_COLUMNS].sort_values(["doc_id", "sentence_id"], kind="stable")
    stopwords = load_stopwords()
    manifest = {
        "analysis_version": __version__,
        "corpus": corpus.source,
        "corpus_sha256": corpus_fingerprint(documents),
        "stopwords_version": stopwords.version,
        "stance_words_version": load_stopwords("stance").version,  # left out of terms.csv
        "n_documents": int(len(table)),
        "n_sentences": int(len(sentences)),
        "n_skipped": int(len(corpus.skipped)),
        "warnings": sorted(corpus.warnings),
    }
    return RunResult(documents=table, sentences=sentences.reset_index(drop=True), terms=terms,
                     skipped=corpus.skipped[SKIPPED_COLUMNS], manifest=manifest)


def corpus_fingerprint(documents: pd.DataFrame) -> str:
    """SHA-256 over the sorted doc_ids and cleaned texts: identical corpora give identical fingerprints."""
    digest = hashlib.sha256()
    for doc_id, text in sorted(zip(documents["doc_id"], documents["text"])):
        digest.update(doc_id.encode("utf-8") + b"\0" + text.encode("utf-8") + b"\0")
    return digest.hexdigest()


def write_tables(result: RunResult, out_dir: str | Path) -> list[Path]:
    """Write the four tables and ``manifest.json`` into ``out_dir`` (each atomically)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [
        write_csv(result.documents, out_dir / "documents.csv"),
        write_csv(result.sentences, out_dir / "sentences.csv"),
        write_csv(result.terms, out_dir / "terms.csv"),
        write_csv(result.skipped, out_dir / "skipped.csv"),
        write_text(out_dir / "manifest.json", json.dumps(result.manifest, indent=2, sort_keys=True) + "\n"),
    ]
    return written


def run(corpus_path: str | Path, out_dir: str | Path, *, themes_file: str | Path | None = None,
        progress: bool | None = None) -> RunResult:
    """Read a corpus, compute every table and write them into ``out_dir``.

    Raises
    ------
    InputError
        If no speech at all could be read (``skipped.csv`` is still written, listing why).
    """
    if progress is None:
        progress = sys.stderr.isatty()
    if themes_file is not None and not Path(themes_file).is_file():
        raise InputError("theme lexicon not found", path=themes_file)
    corpus = read_corpus(corpus_path, progress=progress)
    result = build_tables(corpus)
    write_tables(result, out_dir)
    if result.documents.empty:
        raise InputError(f"no speech could be read ({len(result.skipped)} skipped; see "
                         f"{Path(out_dir) / 'skipped.csv'})", path=corpus_path)
    return result
