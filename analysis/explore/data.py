"""What the explorer reads: the tables ``run`` writes, held once in memory in the shapes the views search.

:func:`open_corpus` loads a corpus through the run cache (:func:`analysis.pipeline.analyse_corpus`, without
building a text column for a million sentences: a sentence is a slice of its speech), :func:`open_run` a
folder ``run`` wrote (CSV or Parquet, :func:`analysis.outputs.read_run_table`). Both give
:class:`ExploreData`; nothing in it is specific to a lexicon or a cue file (themes and stance labels come from
the run's manifest).

The document-term counts that keyness needs are computed on first use with the project's counter
(:func:`analysis.terms.count_tokens`) and kept in the cache (:func:`analysis.cache.store_object`), keyed on
the speeches' texts and the counting code, so a later session finds them.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from .. import cache, paths
from ..errors import InputError
from ..io import file_sha256
from ..pipeline import analyse_corpus  # at import: the notebook's import cell pays for scikit-learn, not its open
from ..plots.rules import KEYNESS_MIN_COUNT
from ..views.fields import field_values

__all__ = ["MIN_TERM_COUNT", "ExploreData", "open_corpus", "open_run"]

#: Terms seen fewer times in the whole corpus are left out of the keyness counts: the keyness views show only
#: terms seen at least this often (:data:`analysis.plots.KEYNESS_MIN_COUNT`), and a term's count in a group and
#: in the rest add up to its count in the corpus.
MIN_TERM_COUNT = KEYNESS_MIN_COUNT
#: Sentence columns the explorer keeps (the text is sliced from the speech when shown).
_SENTENCE_COLUMNS = ["doc_id", "sentence_id", "start", "end", "themes", "stance", "cue", "score"]


@dataclasses.dataclass
class ExploreData:
    """One run's tables, indexed for the explorer.

    Attributes
    ----------
    documents : DataFrame
        ``documents.csv``: one row per speech, in the run's order (``doc_id`` unique).
    texts : list of str
        The cleaned text of each speech, aligned with ``documents``; sentence offsets index into it.
    sentences : DataFrame
        ``sentences.csv`` without ``text``, ordered as ``documents`` then by ``start``.
    themes, stance_labels : list of str
        From the run's manifest (the lexicon and cue file it used).
    manifest : dict
    source : str
        The corpus or run folder it came from.
    """

    documents: pd.DataFrame
    texts: list
    sentences: pd.DataFrame
    themes: list
    stance_labels: list
    manifest: dict
    source: str
    _counts: object | None = dataclasses.field(default=None, repr=False)

    def __post_init__(self):
        self.documents = self.documents.reset_index(drop=True)
        if self.documents["doc_id"].duplicated().any():
            raise InputError(f"doc_id is not unique in the documents of {self.source}")
        self.row_of = pd.Series(np.arange(len(self.documents)), index=self.documents["doc_id"].astype(str))
        rows = self._speech_rows(self.sentences["doc_id"].to_numpy(dtype=object))
        starts = self.sentences["start"].to_numpy(np.int64)
        ordered = len(rows) < 2 or bool(np.all((rows[1:] > rows[:-1]) | ((rows[1:] == rows[:-1])
                                                                         & (starts[1:] >= starts[:-1]))))
        if not ordered:  # run writes them in this order already; other tables are sorted here
            order = np.lexsort((starts, rows))
            self.sentences = self.sentences.iloc[order].reset_index(drop=True)
            rows = rows[order]
        self.sentence_doc = rows
        #: first sentence row of each speech (``len(sentences)`` for a speech without sentences)
        self.first_sentence = np.searchsorted(self.sentence_doc, np.arange(len(self.documents) + 1))
        self.sentence_start = self.sentences["start"].to_numpy(np.int64)
        self.sentence_end = self.sentences["end"].to_numpy(np.int64)
        #: the label columns as arrays, for reading many hits at once
        self.labels = {column: self.sentences[column].to_numpy(dtype=object)
                       for column in ("doc_id", "themes", "stance", "cue")}
        self.labels["sentence_id"] = self.sentences["sentence_id"].to_numpy(np.int64)
        self.labels["score"] = self.sentences["score"].to_numpy(np.float64)
        self._lowered: list[str | None] = [None] * len(self.texts)

    def _speech_rows(self, doc_ids: np.ndarray) -> np.ndarray:
        """The row in ``documents`` of each sentence's speech, looked up once per run of equal ids."""
        if not len(doc_ids):
            return np.zeros(0, dtype=np.int64)
        heads = np.flatnonzero(np.r_[True, doc_ids[1:] != doc_ids[:-1]])
        found = self.row_of.reindex(pd.Index(doc_ids[heads]).astype(str)).to_numpy()
        if np.isnan(found.astype(float)).any():
            raise InputError(f"sentences of speeches that are not in the documents table of {self.source}")
        return np.repeat(found.astype(np.int64), np.diff(np.r_[heads, len(doc_ids)]))

    # ------------------------------------------------------------------------------------------ pieces
    @property
    def fields(self) -> list[str]:
        """The metadata fields a view may filter or group on: every column of ``documents.csv`` but the ids, the
        counts and the computed theme and stance columns."""
        skip = {"doc_id", "text", "raw_chars", "n_sentences", "n_tokens", "dominant_theme"}
        return [c for c in self.documents.columns
                if c not in skip and not c.startswith(("theme_", "stance_", "n_"))]

    def field(self, name: str) -> pd.Series:
        """A metadata column as stripped strings (missing: ``""``); an error naming the valid fields."""
        if name not in self.documents.columns:
            raise InputError(f"unknown field {name!r}; valid fields: {', '.join(self.fields)}")
        return field_values(self.documents, name)

    def lowered(self, row: int) -> str:
        """The speech's text lower-cased with ’ read as ' (for the cheap test before a regex), cached."""
        text = self._lowered[row]
        if text is None:
            text = self._lowered[row] = self.texts[row].lower().replace("’", "'")
        return text

    def sentence_rows(self, row: int) -> slice:
        """The rows of ``sentences`` that belong to the speech at ``row``."""
        return slice(int(self.first_sentence[row]), int(self.first_sentence[row + 1]))

    def sentence_text(self, index: int) -> str:
        """The text of the sentence at row ``index`` of ``sentences``."""
        return self.texts[self.sentence_doc[index]][self.sentence_start[index]:self.sentence_end[index]]

    def term_counts(self, *, cache_dir: str | Path | None = None):
        """Every speech's term counts, as keyness counts them (:func:`analysis.terms.document_terms`), the terms
        seen fewer than :data:`MIN_TERM_COUNT` times in the corpus left out (no comparison of every group
        against the rest shows them): computed once, then read from the cache (see the module docstring)."""
        if self._counts is None:
            from ..terms import document_terms

            fingerprint = cache.corpus_fingerprint(pd.DataFrame({"doc_id": self.documents["doc_id"].astype(str),
                                                                 "text": self.texts}))
            configs = {path.name: file_sha256(path) for path in sorted(paths.CONFIG_DIR.glob("*")) if path.is_file()}
            # the rows follow the documents' order, which the fingerprint (sorted) does not see
            order = "\n".join(self.documents["doc_id"].astype(str))
            key = cache.cache_key("explore-terms", fingerprint, order, configs, str(MIN_TERM_COUNT),
                                  cache.code_fingerprint(["terms", "text", "patterns"]))
            cache_dir = paths.CACHE_DIR if cache_dir is None else cache_dir
            stored = cache.load_object("explore-terms", key, cache_dir=cache_dir)
            if stored is None:
                counted = document_terms(self.texts)
                kept = np.flatnonzero(np.asarray(counted.matrix.sum(axis=0)).ravel() >= MIN_TERM_COUNT)
                stored = dataclasses.replace(counted, matrix=counted.matrix[:, kept].tocsr(),
                                             terms=counted.terms[kept])
                cache.store_object("explore-terms", key, stored, cache_dir=cache_dir)
            self._counts = stored
        return self._counts


def _labels(manifest: dict, sentences: pd.DataFrame, column: str, key: str) -> list[str]:
    listed = manifest.get(key)
    if isinstance(listed, list) and listed:
        return [str(label) for label in listed]
    values = sentences[column].fillna("").astype(str)
    if column == "themes":
        values = values.str.split(";").explode()
    return sorted(set(values) - {""})


def _from_tables(documents: pd.DataFrame, sentences: pd.DataFrame, texts: list, manifest: dict,
                 source: str) -> ExploreData:
    sentences = sentences[_SENTENCE_COLUMNS].copy()
    for column in ("sentence_id", "start", "end"):
        sentences[column] = pd.to_numeric(sentences[column]).astype("int64")
    sentences["score"] = pd.to_numeric(sentences["score"], errors="coerce")
    for column in ("themes", "stance", "cue"):
        sentences[column] = sentences[column].fillna("").astype(str)
    return ExploreData(documents=documents.drop(columns=["text"], errors="ignore"), texts=texts,
                       sentences=sentences, themes=_labels(manifest, sentences, "themes", "themes"),
                       stance_labels=_labels(manifest, sentences, "stance", "stance_labels"),
                       manifest=manifest, source=source)


def open_corpus(corpus: str | Path, *, themes: str | Path | None = None, stance_method: str = "rules",
                include_procedural: bool = False, progress: bool = False) -> ExploreData:
    """The explorer's data for a corpus path, through the run cache (a second opening reads only the cache).

    Parameters are those of :func:`analysis.views.analyse`.
    """
    result = analyse_corpus(paths.resolve_input(corpus), themes_file=themes, stance_method=stance_method,
                            include_procedural=include_procedural, progress=progress, sentence_text=False)
    texts = result.texts.reindex(result.documents["doc_id"]).fillna("").tolist()
    return _from_tables(result.documents, result.sentences, texts, dict(result.manifest), str(corpus))


def open_run(out_dir: str | Path) -> ExploreData:
    """The explorer's data for a folder ``run`` wrote (CSV or Parquet tables with ``manifest.json``).

    The speeches' texts are rebuilt from the sentences, each at its offset (what lies between sentences is
    blank), so offsets, matches and cue spans stay where they were.
    """
    import json

    from ..outputs import read_run_table

    out_dir = Path(out_dir)
    documents = read_run_table(out_dir, "documents")
    sentences = read_run_table(out_dir, "sentences")
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    starts = pd.to_numeric(sentences["start"]).to_numpy(np.int64)
    ends = pd.to_numeric(sentences["end"]).to_numpy(np.int64)
    pieces: dict[str, list] = {}
    for doc_id, start, end, text in zip(sentences["doc_id"].astype(str), starts, ends, sentences["text"]):
        pieces.setdefault(doc_id, []).append((start, end, "" if text is None else str(text)))
    texts = []
    for doc_id in documents["doc_id"].astype(str):
        chars, cursor = [], 0
        for start, end, text in sorted(pieces.get(doc_id, [])):
            if start < cursor or end - start != len(text):
                raise InputError(f"sentence offsets of {doc_id} do not match their texts", path=out_dir)
            chars.append(" " * (start - cursor) + text)
            cursor = end
        texts.append("".join(chars))
    return _from_tables(documents, sentences, texts, manifest, str(out_dir))
