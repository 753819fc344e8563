"""Corpus → tables: the ``run`` command.

The work is a map over chunks of speeches and a reduce, so that both cores of a laptop (or the workers of a
cluster) share it:

* **map**, per chunk of speeches, pure functions of the chunk (:func:`parse_chunk`, then
  :func:`analyse_chunk`): read, decode and clean each speech (:func:`analysis.corpus.read_source`), segment
  it into sentences, tokenise and count its terms (:func:`analysis.terms.count_tokens`), count the theme
  lexicon's terms in each sentence (:func:`analysis.themes.count_theme_terms`) and label the stance of each
  sentence;
* **reduce**, in input order: drop repeated doc_ids (the first wins, as :func:`analysis.corpus.read_corpus`
  does), add the term counts (:class:`analysis.terms.TermTotals`) and the theme terms' document frequencies
  (:class:`analysis.themes.ThemeFrequencies`): integer sums, so the order and the chunking do not matter;
* **finish**, per chunk: TF-IDF theme scores of sentences and speeches with the corpus idf
  (:meth:`analysis.themes.ThemeFrequencies.score`); then concatenate documents and sentences, sort;
* **write**: ``documents.csv``, ``sentences.csv``, ``terms.csv``, ``skipped.csv`` and ``manifest.json``,
  each atomically (:func:`write_tables`).

``jobs=1`` runs the same chunk functions one after the other in this process, so the output does not depend
on the number of workers (a test checks the bytes). Parsed corpora (cleaned texts and sentence offsets) and
finished tables are cached under ``data/processed/cache`` (:mod:`analysis.cache`), keyed by the input's
content and the code and configuration that produce them, so a rerun on the same corpus skips the parsing,
or all of the work.
"""
from __future__ import annotations

import dataclasses
import functools
import sys
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from . import __version__, cache, paths, procedure
from .corpus import (
    DOCUMENT_COLUMNS,
    Corpus,
    CorpusPlan,
    SourceBatch,
    dedupe_records,
    documents_frame,
    skipped_frame,
    plan_corpus,
    read_batch,
    segment_sentences,
)
from .corpus.remote import corpus_name, is_url, local_corpus
from .errors import InputError
from .io import ensure_output_dir, file_sha256, remove_stale_temporaries
from .membership import load_member_tables, un_metadata
from .outputs import FORMATS, write_tables
from .parallel import DaskWorkers, Workers, chunks, default_jobs, map_tasks, progress_bar, start_workers
from .settings import Settings
from .schema import SENTENCES_COLUMNS, SKIPPED_COLUMNS, TERMS_COLUMNS, documents_columns, renamed_metadata
from .terms import TermTotals, TokenCounts, count_tokens
from .text import find_tokens, load_stopwords
from .aggregate import group_shares
from .stance import Method, StanceLabeller, load_codebook
from .themes import ChunkScores, Lexicon, ThemeCounts, ThemeFrequencies, count_theme_terms, load_lexicon

__all__ = [
    "SENTENCES_COLUMNS", "TERMS_COLUMNS", "SKIPPED_COLUMNS", "RunResult", "analyse_chunk", "analyse_corpus",
    "build_tables", "default_jobs", "documents_columns", "parse_chunk", "run", "write_tables",
]

#: Speeches per chunk of the map: large enough that the per-chunk overhead (sending the chunk to a worker,
#: its vocabulary back) is small, small enough that both cores stay busy to the end and progress moves.
CHUNK_SIZE = 100
_SENTENCE_KEYS = ["doc_id", "sentence_id", "paragraph_id", "start", "end"]


@dataclasses.dataclass
class RunResult:
    """The tables of one run, as written to disk; ``texts`` (not written) holds the cleaned text of each speech
    of ``documents``, by ``doc_id``."""

    documents: pd.DataFrame
    sentences: pd.DataFrame
    terms: pd.DataFrame
    skipped: pd.DataFrame
    manifest: dict
    texts: pd.Series | None = dataclasses.field(default=None, repr=False, compare=False)


# --------------------------------------------------------------------------------------------------
# The map: pure functions of one chunk
# --------------------------------------------------------------------------------------------------

def _label_sentences(sentences: pd.DataFrame, labeller: StanceLabeller | None,
                     procedural_turn: np.ndarray | None = None) -> pd.DataFrame:
    """Stance, its evidence (``cue``) and ``score`` for each sentence, from the stance labeller
    (``themes`` is filled when the chunk is scored; without a labeller the stance columns are empty).

    Procedural sentences (:func:`analysis.procedure.procedural_spans`), and every sentence of a procedural turn
    (``procedural_turn``, per sentence), get the cue file's default label (``neutral``) whatever the labeller
    says, with the procedural phrase as their evidence (``neutral:procedural: gives the floor@2-30``) and the
    score the labeller gives that label.
    """
    labelled = sentences.copy()
    labelled["themes"] = ""
    if labeller is None:
        labelled["stance"], labelled["cue"], labelled["score"] = "", "", np.nan
        return labelled
    stance = labeller.label(sentences["text"])
    spans = procedure.procedural_spans(sentences["text"].tolist())
    turn = np.zeros(len(sentences), dtype=bool) if procedural_turn is None else procedural_turn
    overridden = [i for i, span in enumerate(spans) if span is not None or turn[i]]
    if overridden:
        default = labeller.codebook.default
        scores = labeller.default_scores(sentences["text"].iloc[overridden])
        for i, score in zip(overridden, scores):
            span = spans[i]
            stance.iat[i, stance.columns.get_loc("stance")] = default
            stance.iat[i, stance.columns.get_loc("cue")] = (f"{default}:procedural: {span[0]}@{span[1]}-{span[2]}"
                                                           if span is not None else f"{default}:procedural turn")
            stance.iat[i, stance.columns.get_loc("score")] = score
    for column in ("stance", "cue", "score"):
        labelled[column] = stance[column].to_numpy()
    return labelled


def _document_summary(documents: pd.DataFrame, sentences: pd.DataFrame, n_tokens: np.ndarray,
                      labels: Sequence[str]) -> pd.DataFrame:
    """Per document of a chunk (in order): ``doc_id, n_sentences, n_tokens`` and the stance shares.

    ``stance_<label>`` is the share of the speech's sentences with that stance (empty for a speech without
    sentences), :func:`analysis.aggregate.group_shares` over the speech's sentences; grouped by position
    (``_row``), not doc_id, because two documents of a chunk may share a doc_id (only the first is kept).
    """
    summary = pd.DataFrame({"doc_id": documents["doc_id"].to_numpy(dtype=object),
                            "n_sentences": np.bincount(sentences["_row"].to_numpy(dtype=np.int64),
                                                       minlength=len(documents)).astype(np.int64),
                            "n_tokens": n_tokens})
    if "stance" in sentences and sentences["stance"].ne("").any():
        shares = group_shares(sentences.assign(doc_id=sentences["_row"]), column="stance", labels=labels,
                              by="_row", n_boot=0)
        wide = shares.pivot(index="_row", columns="label", values="share")
        wide.index = wide.index.astype(np.int64)
        wide = wide.reindex(range(len(documents)))
        for label in labels:
            summary[f"stance_{label}"] = wide[label].to_numpy()
    else:
        for label in labels:
            summary[f"stance_{label}"] = np.nan
    return summary


@dataclasses.dataclass
class Parsed:
    """:func:`parse_chunk`'s result.

    ``outcomes``: for each input, in order, ``(where, read, reason, note)`` (``read`` false when it was
    skipped, ``reason`` saying why). ``documents``: the speeches that were read, in order, as
    :func:`analysis.corpus.read_corpus` has them (unsorted; ``text`` Arrow-backed, which travels between
    processes as one buffer). ``sentences``: their sentences, ``_row`` the position of their speech.
    """

    outcomes: list[tuple[str, bool, str, str]]
    documents: pd.DataFrame
    sentences: pd.DataFrame


@dataclasses.dataclass
class Analysed:
    """:func:`analyse_chunk`'s result for a chunk of documents (rows of ``documents`` and ``counts`` in the
    order given; ``sentences`` with ``_row``, the position of their document)."""

    documents: pd.DataFrame
    sentences: pd.DataFrame
    counts: TokenCounts
    themes: ThemeCounts

    @property
    def positions(self) -> np.ndarray:
        return self.sentences["_row"].to_numpy(dtype=np.int64)


def parse_chunk(batch: SourceBatch) -> Parsed:
    """Map step 1: read and clean each speech of a batch, and segment it into sentences."""
    reads = read_batch(batch)
    records = [record for _, (record, _, _) in reads if record is not None]
    documents = documents_frame(records, sort=False)
    documents["text"] = documents["text"].astype("str")
    # Segment under the position as a stand-in id, so that speeches sharing a doc_id stay apart.
    positions = np.arange(len(documents), dtype=np.int64)
    sentences = segment_sentences(pd.DataFrame({"doc_id": positions, "text": documents["text"]}))
    rows = sentences["doc_id"].to_numpy(dtype=np.int64)
    sentences["doc_id"] = pd.Series(documents["doc_id"].to_numpy(dtype=object)[rows], dtype=object)
    sentences["_row"] = rows
    outcomes = [(where, record is not None, reason, note) for where, (record, reason, note) in reads]
    return Parsed(outcomes=outcomes, documents=documents, sentences=sentences)


def analyse_chunk(documents: pd.DataFrame, sentences: pd.DataFrame, settings: Settings) -> Analysed:
    """Map step 2: term counts, theme term counts and stance labels of a chunk of documents.

    ``documents`` holds ``doc_id, text`` and, when known, ``procedural``; ``sentences`` their :func:`analysis.corpus.segment_sentences` with
    ``_row``, the position of each sentence's document in ``documents``. Nothing here looks beyond the
    chunk, so chunks can be analysed anywhere, in any order.
    """
    # Each sentence is tokenised once. A speech's tokens are its sentences' tokens one after the other
    # (sentences cover the text but for white space, which no token holds).
    sentences = sentences.assign(text=sentences["text"].astype("str"))
    texts = sentences["text"].tolist()
    sentence_tokens = list(map(find_tokens, texts))
    document_tokens: list[list[str]] = [[] for _ in range(len(documents))]
    for position, tokens in zip(sentences["_row"].tolist(), sentence_tokens):
        document_tokens[position].extend(tokens)
    # Multi-word expressions the theme lexicon names ("organized crime") are counted as units.
    counts = count_tokens(documents["text"].tolist(), ngram_range=settings.ngram_range,
                          stopwords=settings.stopwords, phrases=settings.lexicon.phrases, tokens=document_tokens)
    themes = count_theme_terms(texts, settings.lexicon, tokens=sentence_tokens)
    turns = documents["procedural"].to_numpy(dtype=bool) if "procedural" in documents else np.zeros(len(documents), bool)
    labelled = _label_sentences(sentences, settings.stance, turns[sentences["_row"].to_numpy(dtype=np.int64)])
    return Analysed(documents=_document_summary(documents, labelled, counts.n_tokens, settings.codebook.labels),
                    sentences=labelled,
                    counts=counts, themes=themes)


def _map_batch(batch: SourceBatch, settings: Settings) -> tuple[tuple[Parsed, Analysed], TokenCounts]:
    """Both map steps; the term counts apart (on a cluster they stay there for the tree reduction)."""
    parsed = parse_chunk(batch)
    analysed = analyse_chunk(parsed.documents[["doc_id", "text", "procedural"]], parsed.sentences, settings)
    parsed.sentences = pd.DataFrame()  # sent back once, inside ``analysed``
    counts, analysed.counts = analysed.counts, None
    return (parsed, analysed), counts


def _map_documents(documents: pd.DataFrame, sentences: pd.DataFrame,
                   settings: Settings) -> tuple[Analysed, TokenCounts]:
    position = {doc_id: row for row, doc_id in enumerate(documents["doc_id"])}  # doc_ids are unique here
    sentences = sentences.assign(_row=sentences["doc_id"].map(position).to_numpy(dtype=np.int64))
    analysed = analyse_chunk(documents, sentences, settings)
    counts, analysed.counts = analysed.counts, None
    return analysed, counts


# --------------------------------------------------------------------------------------------------
# The reduce and the tables
# --------------------------------------------------------------------------------------------------

class _Reduction:
    """Chunk results, folded in input order, then finished; on a Dask cluster (``workers``) the term counts
    are summed there by a tree reduction (:class:`analysis.parallel.TreeReduction`, :meth:`term_totals`)."""

    def __init__(self, settings: Settings, plan_skipped: Iterable[tuple[str, str]] = (),
                 workers: Workers | DaskWorkers | None = None):
        self.settings = settings
        self.tree = workers.tree(TermTotals.combined) if isinstance(workers, DaskWorkers) else None
        self.workers = workers
        self.skipped: list[tuple[str, str]] = list(plan_skipped)
        self.notes: list[str] = []
        self.documents: list[pd.DataFrame] = []
        self.seen: dict[str, str] = {}
        self.totals = TermTotals()
        self.frequencies = ThemeFrequencies(settings.lexicon)
        self.chunks: list[tuple[Analysed, np.ndarray]] = []
        self.kept: list[np.ndarray] = []  # per chunk, its documents kept (not repeated doc_ids)

    def add_parsed(self, parsed: Parsed, analysed: Analysed, counts) -> None:
        for where, read, reason, note in parsed.outcomes:
            if not read:
                self.skipped.append((where, reason))
            elif note:
                self.notes.append(f"{where}: {note}")
        documents = parsed.documents
        records = [{"doc_id": doc_id, "source_file": source} for doc_id, source in
                   zip(documents["doc_id"].tolist(), documents["source_file"].tolist())]
        kept = {id(record) for record in dedupe_records(records, self.skipped, self.seen)}
        rows = np.fromiter((id(record) in kept for record in records), dtype=bool, count=len(records))
        self.documents.append(documents[rows])
        self.kept.append(rows)
        self.add_analysed(analysed, counts, rows & self.settings.analysed(documents))

    def corpus(self, source: str) -> Corpus:
        """The corpus read: the documents kept, sorted by doc_id (as :func:`analysis.corpus.read_corpus`)."""
        documents = _concat(self.documents)
        if documents.empty:
            documents = documents_frame([])
        documents = documents.sort_values("doc_id", kind="stable").reset_index(drop=True)
        return Corpus(documents=documents, skipped=skipped_frame(self.skipped), warnings=self.notes,
                      source=source)

    def add_analysed(self, analysed: Analysed, counts, rows: np.ndarray | None = None) -> None:
        """Add a chunk and its term ``counts`` (:class:`analysis.terms.TokenCounts`, or a future of them on
        the cluster); ``rows`` (a mask over its documents) says which documents count (default: all)."""
        if rows is None:
            rows = np.ones(len(analysed.documents), dtype=bool)
        if self.tree is not None and not isinstance(counts, TokenCounts):
            self.tree.add(self.workers.submit(TermTotals.of, counts, rows))
        else:
            self.totals.add(counts, None if rows.all() else rows)
        self.frequencies.add(analysed.themes, analysed.positions, rows)
        self.chunks.append((analysed, rows))

    def term_totals(self) -> TermTotals:
        """The corpus term totals: the sums made here, and those of the tree reduction."""
        if self.tree is not None and len(self.tree):
            self.totals.merge(self.tree.result())
        return self.totals

    def finish(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Per-document scores and labelled sentences of the documents kept, with the corpus idf."""
        summaries, parts, sentences, labels = [], [], [], []
        chunks, self.chunks = self.chunks, []  # each chunk's result let go of once assembled
        while chunks:
            analysed, rows = chunks.pop(0)
            positions = analysed.positions
            scored = self.frequencies.score(analysed.themes, positions, len(rows))
            keep = rows[positions]
            summaries.append(analysed.documents[rows])
            parts.append(ChunkScores(labels=[], documents=scored.documents[rows], carrying=scored.carrying[rows],
                                     mentions=scored.mentions[rows]))
            sentences.append(analysed.sentences[keep] if not keep.all() else analysed.sentences)
            labels.extend(label for label, kept in zip(scored.labels, keep.tolist()) if kept)
        n_themes = len(self.settings.lexicon.names)
        summary = _concat(summaries)
        if summary.empty:
            summary = _document_summary(pd.DataFrame({"doc_id": []}), pd.DataFrame({"_row": []}),
                                        np.zeros(0, dtype=np.int64), self.settings.codebook.labels)
        stacked = ChunkScores(labels=[], **{field: np.vstack([getattr(part, field) for part in parts]) if parts
                                            else np.zeros((0, n_themes)) for field in ("documents", "carrying",
                                                                                        "mentions")})
        scores = self.frequencies.frame(summary[["doc_id"]], stacked, summary["n_sentences"].to_numpy())
        scores = pd.concat([scores, summary.drop(columns="doc_id")], axis=1)
        sentences = _concat(sentences)  # the list's frames are freed with it
        if not sentences.empty:
            sentences["themes"] = pd.Series(labels, dtype=object, index=sentences.index)
        return scores, sentences


def _sorted_sentences(sentences: pd.DataFrame, doc_ids: pd.Series) -> pd.DataFrame:
    """Sentences sorted by ``doc_id`` then ``sentence_id``, given the doc_ids sorted and unique.

    The same order as ``sort_values(["doc_id", "sentence_id"])`` (a sentence's ``(doc_id, sentence_id)`` is
    unique), from one integer key per sentence instead of comparing a million strings.
    """
    rank = pd.Index(doc_ids.to_numpy(dtype=object)).get_indexer(sentences["doc_id"].to_numpy(dtype=object))
    sentence_id = sentences["sentence_id"].to_numpy(dtype=np.int64)
    key = rank.astype(np.int64) * (int(sentence_id.max(initial=0)) + 1) + sentence_id
    return sentences.iloc[np.argsort(key, kind="stable")]


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [frame for frame in frames if len(frame.columns)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _tables(corpus: Corpus, reduction: _Reduction) -> RunResult:
    """The output tables from a corpus and the reduced map results over its documents."""
    settings = reduction.settings
    analysed = settings.analysed(corpus.documents)
    documents = corpus.documents[analysed]
    scores, sentences = reduction.finish()
    if sentences.empty:
        sentences = _label_sentences(segment_sentences(documents.iloc[:0]), None)
    metadata = renamed_metadata(documents.drop(columns=["text", "raw_chars"]), settings.lexicon, settings.codebook)
    members = un_metadata(metadata)
    table = metadata.join(members.columns).merge(scores, on="doc_id", how="left", validate="one_to_one")
    for column in table.columns:
        if column == "n_tokens" or column.startswith("n_sentences") or column.startswith("n_mentions"):
            table[column] = table[column].astype("int64")
    metadata_columns = [column for column in metadata.columns if column not in DOCUMENT_COLUMNS + ["procedural"]]
    table = table[documents_columns(settings.lexicon, settings.codebook, metadata_columns)]
    table = table.sort_values("doc_id", kind="stable")
    table = table.reset_index(drop=True)
    terms = reduction.term_totals().table(n_tokens=int(table["n_tokens"].sum()))
    sentences = _sorted_sentences(sentences[SENTENCES_COLUMNS], table["doc_id"])
    manifest = {
        "analysis_version": __version__,
        "corpus": corpus.source,
        "corpus_sha256": cache.corpus_fingerprint(documents),
        "stopwords_version": load_stopwords().version,
        "stance_words_version": load_stopwords("stance").version,  # left out of terms.csv
        "themes": list(settings.lexicon.names),
        "themes_version": settings.lexicon.version,
        "themes_file": settings.lexicon.source,
        "themes_sha256": settings.lexicon.sha256,
        "stance_labels": list(settings.stance.codebook.labels),
        "stance_default": settings.stance.codebook.default,
        "stance_method": settings.stance.method,
        "stance_cues_version": settings.stance.codebook.version,
        "stance_codebook_version": settings.stance.codebook.codebook_version,
        "stance_cues_sha256": settings.stance.codebook.sha256,
        "stance_gold_sha256": settings.stance.gold_sha256,
        "n_documents": int(len(table)),
        "n_sentences": int(len(sentences)),
        "include_procedural": settings.include_procedural,
        "n_procedural_left_out": int((~analysed).sum()),
        "un_member_tables": [sha256 for _, sha256 in load_member_tables().sources],
        "unmatched_countries": {row.country or "(not given)": int(row.n_documents)
                                for row in members.unmatched.itertuples()},
        "n_skipped": int(len(corpus.skipped)),
        "warnings": sorted(corpus.warnings),
    }
    return RunResult(documents=table, sentences=sentences.reset_index(drop=True), terms=terms[TERMS_COLUMNS],
                     texts=documents.set_index("doc_id")["text"],
                     skipped=corpus.skipped[SKIPPED_COLUMNS], manifest=manifest)


def build_tables(corpus: Corpus, *, lexicon: Lexicon | None = None, stance: StanceLabeller | None = None,
                 jobs: int = 1, chunk_size: int = CHUNK_SIZE, progress: bool = False) -> RunResult:
    """Compute every output table from a read corpus (no I/O).

    ``lexicon`` defaults to ``config/themes.yml``; ``stance`` to the rule labeller of ``config/stance.yml``
    calibrated on the gold set (:func:`analysis.stance.train_stance_labeller` with ``method="rules"``).
    """
    settings = Settings.default()
    if lexicon is not None:
        settings = dataclasses.replace(settings, lexicon=lexicon)
    settings = dataclasses.replace(settings, stance=stance, codebook=stance.codebook) if stance is not None \
        else settings.trained()
    documents = corpus.documents
    sentences = segment_sentences(documents) if len(documents) else segment_sentences(documents.iloc[:0])
    return _analyse_parsed(corpus, sentences, settings, jobs=jobs, chunk_size=chunk_size, progress=progress)


def _analyse_parsed(corpus: Corpus, sentences: pd.DataFrame, settings: Settings, *, jobs: int,
                    chunk_size: int, progress: bool, workers: Workers | DaskWorkers | None = None) -> RunResult:
    """Map step 2 and the reduce over an already parsed corpus (documents and sentence offsets)."""
    analysed = settings.analysed(corpus.documents)
    documents = corpus.documents.loc[analysed, ["doc_id", "text", "procedural"]].reset_index(drop=True)
    sentences = sentences[sentences["doc_id"].isin(set(documents["doc_id"]))] if not analysed.all() else sentences
    groups = chunks(range(len(documents)), chunk_size)
    bounds = _sentence_bounds(documents["doc_id"], sentences["doc_id"])
    tasks = []
    for rows in groups:
        first, stop = bounds[rows.start][0], bounds[rows.stop - 1][1]
        tasks.append((documents.iloc[rows.start:rows.stop].reset_index(drop=True),
                      sentences.iloc[first:stop].reset_index(drop=True), settings))
    bar = progress_bar(progress, len(documents), "analysing speeches")
    reduction = _Reduction(settings, workers=workers)
    try:
        for analysed, counts in map_tasks(_map_documents, tasks, jobs=jobs, progress=bar,
                                          sizes=[len(r) for r in groups], workers=workers, shared=(2,), remote=True):
            reduction.add_analysed(analysed, counts)
    finally:
        if bar is not None:
            bar.close()
    return _tables(corpus, reduction)


def _sentence_bounds(doc_ids: pd.Series, sentence_doc_ids: pd.Series) -> list[tuple[int, int]]:
    """For each document (in order), the ``(first, stop)`` rows of its sentences.

    Sentences must be grouped by document in the documents' order (as
    :func:`analysis.corpus.segment_sentences` gives them, and as the cache stores them); doc_ids are unique.
    """
    sizes = sentence_doc_ids.value_counts(sort=False)
    counts = doc_ids.map(sizes).fillna(0).astype("int64").to_numpy()
    stops = np.cumsum(counts)
    starts = stops - counts
    order_ok = sentence_doc_ids.to_numpy(dtype=object)[starts[counts > 0]] == doc_ids.to_numpy(dtype=object)[counts > 0]
    if not order_ok.all():
        raise ValueError("sentences are not grouped by document in the documents' order")
    return list(zip(starts.tolist(), stops.tolist()))


# --------------------------------------------------------------------------------------------------
# The whole corpus, with the cache
# --------------------------------------------------------------------------------------------------

def _parsed_key(corpus_path: Path, exclude: Sequence[str | Path] = ()) -> str:
    return cache.cache_key("parsed", cache.input_fingerprint(corpus_path, exclude=exclude),
                           cache.code_fingerprint(["corpus"]))


_READERS_OF_TABLES = ("explore", "annotate")


def _tables_key(parsed_key: str, settings: Settings) -> str:
    # The explorer and the annotation tools only read the tables: editing them does not make the cache stale.
    modules = [module for module in cache.package_modules() if module not in _READERS_OF_TABLES]
    configs = {path.name: file_sha256(path) for path in sorted(paths.CONFIG_DIR.glob("*")) if path.is_file()}
    configs["lexicon"] = [settings.lexicon.source, settings.lexicon.sha256]
    configs["un_members"] = [sha256 for _, sha256 in load_member_tables().sources]
    configs["stance"] = settings.stance_key()
    return cache.cache_key("tables", parsed_key, cache.code_fingerprint(modules), configs,
                           {"ngram_range": list(settings.ngram_range),
                            "include_procedural": settings.include_procedural})


def _parse_corpus(plan: CorpusPlan, settings: Settings, *, jobs: int, chunk_size: int,
                  progress: bool, workers: Workers | DaskWorkers | None = None) -> tuple[Corpus, pd.DataFrame, RunResult]:
    """Both map steps and the reduce over the inputs of a plan."""
    batches = plan.batches(chunk_size)
    bar = progress_bar(progress, len(plan), "analysing speeches")
    reduction = _Reduction(settings, plan.skipped, workers=workers)
    sentence_offsets = []
    try:
        tasks = [(batch, settings) for batch in batches]
        for (parsed, analysed), counts in map_tasks(_map_batch, tasks, jobs=jobs, progress=bar,
                                                    sizes=[len(batch) for batch in batches], workers=workers,
                                                    shared=(1,), remote=True):
            reduction.add_parsed(parsed, analysed, counts)
    finally:
        if bar is not None:
            bar.close()
    # The workers have the inputs now: drop them (a table corpus's raw texts) before the tables are assembled.
    del tasks, batches
    plan.table, plan.sources, plan.places = None, [], []
    corpus = reduction.corpus(plan.source)
    for (analysed, _), kept in zip(reduction.chunks, reduction.kept):
        sentence_offsets.append(analysed.sentences.loc[kept[analysed.positions], _SENTENCE_KEYS])
    offsets = _concat(sentence_offsets)
    if offsets.empty:
        offsets = segment_sentences(corpus.documents.iloc[:0])[_SENTENCE_KEYS]
    offsets = offsets.sort_values(["doc_id", "sentence_id"], kind="stable").reset_index(drop=True)
    return corpus, offsets, _tables(corpus, reduction)


def analyse_corpus(corpus_path: str | Path, *, themes_file: str | Path | None = None,
                   stance_method: Method = "rules", include_procedural: bool = False, jobs: int | None = None,
                   chunk_size: int = CHUNK_SIZE, use_cache: bool = True, cache_dir: str | Path | None = None,
                   progress: bool = False, scheduler: str | object | None = None,
                   sentence_text: bool = True) -> RunResult:
    """Every output table of a corpus path (no output written): what ``run`` computes.

    Parameters
    ----------
    corpus_path : str or Path
        As :func:`analysis.corpus.read_corpus` takes it.
    themes_file : str or Path, optional
        Theme lexicon (default ``config/themes.yml``).
    stance_method : {"rules", "model", "auto"}
        The stance labeller (see :func:`analysis.stance.train_stance_labeller`): ``rules`` (default, fast
        enough for a million sentences), ``model`` or ``auto``.
    include_procedural : bool
        Keep the presiding officer's procedural turns (:mod:`analysis.procedure`), flagged ``procedural``;
        by default they are left out of every table (``manifest.json`` counts them).
    jobs : int, optional
        Worker processes for the map (default: every core this process may use). The tables do not depend
        on it.
    chunk_size : int
        Speeches per chunk of the map.
    use_cache : bool
        Read and write the cache of parsed corpora and finished tables (see :mod:`analysis.cache`).
    cache_dir : str or Path, optional
        Where the cache lives (default ``data/processed/cache``).
    progress : bool
        Show a progress bar on standard error.
    scheduler : str or cluster, optional
        Run the map on a Dask distributed cluster: a scheduler's address, a cluster object (``SLURMCluster``,
        ``KubeCluster``, ``coiled.Cluster``), or ``"local"`` for a ``LocalCluster`` of ``jobs`` worker
        processes (default: ``$UNSPEECH_SCHEDULER``, else joblib's process pool). The tables are
        byte-identical either way (:class:`analysis.parallel.DaskWorkers`).
    sentence_text : bool
        Give ``sentences`` its ``text`` column. Without it (for callers that slice ``texts`` themselves, such
        as the explorer) a cached corpus loads in about half the time.
    """
    result, stores = _analyse_location(corpus_path, themes_file=themes_file, stance_method=stance_method,
                                       include_procedural=include_procedural, jobs=jobs, chunk_size=chunk_size,
                                       use_cache=use_cache, cache_dir=cache_dir, progress=progress,
                                       scheduler=scheduler, sentence_text=sentence_text)
    for store in stores:
        store()
    if not sentence_text and "text" in result.sentences:
        result = dataclasses.replace(result, sentences=result.sentences.drop(columns="text"))
    return result


def _analyse_location(location: str | Path, **options) -> tuple[RunResult, list]:
    """:func:`_analyse` of a corpus path or URL (:func:`analysis.corpus.remote.local_corpus`)."""
    with local_corpus(location) as corpus_path:
        result, stores = _analyse(corpus_path, **options)
    if is_url(location):
        result.manifest["corpus"] = str(location)
    return result, stores


def _analyse(corpus_path: str | Path, *, themes_file, stance_method, jobs, chunk_size, use_cache, cache_dir,
             progress, include_procedural: bool = False, exclude: Sequence[str | Path] = (),
             scheduler: str | object | None = None, sentence_text: bool = True) -> tuple[RunResult, list]:
    """:func:`analyse_corpus`, returning the cache writes still to do (callables) beside the result, so that
    ``run`` can do them while it writes the tables."""
    jobs = default_jobs() if jobs is None else int(jobs)
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    corpus_path = Path(corpus_path)
    settings = Settings.default(themes_file=themes_file, stance_method=stance_method,
                                include_procedural=include_procedural, check_codebook=not use_cache)
    if not corpus_path.exists():
        plan_corpus(corpus_path, exclude=exclude)  # raises the reader's error
    if not use_cache:
        workers = start_workers(jobs, corpus_path, chunk_size, scheduler)
        try:
            settings = settings.trained()
            plan = plan_corpus(corpus_path, exclude=exclude)
            return _parse_corpus(plan, settings, jobs=jobs, chunk_size=chunk_size, progress=progress,
                                 workers=workers)[2], []
        finally:
            workers.close()
    parsed_key = _parsed_key(corpus_path, exclude)
    tables_key = _tables_key(parsed_key, settings)
    stored = cache.load_entry(tables_key, cache_dir=cache_dir)
    parsed = cache.load_entry(parsed_key, cache_dir=cache_dir)
    if stored is not None and parsed is not None:
        return _result_from_cache(stored, parsed[0]["documents"], source=str(corpus_path),
                                  sentence_text=sentence_text), []
    settings = settings.checked()  # speeches will be labelled: a broken cue file fails before they are read
    # The workers start while the labeller trains and the corpus is read.
    workers = start_workers(jobs, corpus_path, chunk_size, scheduler)
    stores = []
    try:
        settings = settings.trained()
        if parsed is not None:
            tables, meta = parsed
            corpus = Corpus(documents=tables["documents"], skipped=tables["skipped"],
                            warnings=list(meta.get("warnings", [])), source=str(corpus_path))
            result = _analyse_parsed(corpus, _with_text(tables["sentences"], corpus.documents), settings,
                                     jobs=jobs, chunk_size=chunk_size, progress=progress, workers=workers)
        else:
            plan = plan_corpus(corpus_path, exclude=exclude)
            corpus, offsets, result = _parse_corpus(plan, settings, jobs=jobs, chunk_size=chunk_size,
                                                    progress=progress, workers=workers)
    finally:
        workers.close()
    if parsed is None:
        stores.append(functools.partial(
            cache.store_entry, parsed_key, {"documents": corpus.documents, "sentences": offsets,
                                            "skipped": corpus.skipped},
            meta={"warnings": corpus.warnings}, cache_dir=cache_dir))
    manifest = {key: value for key, value in result.manifest.items() if key != "corpus"}
    # Sentence texts are slices of the parsed documents, which the other entry holds: not stored twice.
    stores.append(functools.partial(
        cache.store_entry, tables_key, {"documents": result.documents,
                                        "sentences": result.sentences.drop(columns="text"),
                                        "terms": result.terms, "skipped": result.skipped},
        meta={"manifest": manifest}, cache_dir=cache_dir))
    return result, stores


def _with_text(offsets: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Sentence offsets with their ``text`` sliced from the cleaned documents."""
    texts = dict(zip(documents["doc_id"], documents["text"]))
    sentences = offsets.copy()
    sentences["text"] = pd.Series([texts[d][a:b] for d, a, b in zip(offsets["doc_id"], offsets["start"],
                                                                     offsets["end"])], dtype="str")
    return sentences


def _result_from_cache(stored: tuple[dict[str, pd.DataFrame], dict], documents: pd.DataFrame, *,
                       source: str, sentence_text: bool = True) -> RunResult:
    """The tables of a cache entry, sentence texts sliced from the parsed ``documents``."""
    tables, meta = stored
    manifest = dict(meta["manifest"])
    manifest["corpus"] = source
    sentences = (_with_text(tables["sentences"], documents)[SENTENCES_COLUMNS] if sentence_text
                 else tables["sentences"][[c for c in SENTENCES_COLUMNS if c != "text"]])
    return RunResult(documents=tables["documents"], sentences=sentences, terms=tables["terms"],
                     texts=documents.set_index("doc_id")["text"],
                     skipped=tables["skipped"], manifest=dict(sorted(manifest.items())))


def run(corpus_path: str | Path, out_dir: str | Path | None = None, *, themes_file: str | Path | None = None,
        stance_method: Method = "rules", include_procedural: bool = False, progress: bool | None = None,
        jobs: int | None = None, chunk_size: int = CHUNK_SIZE, use_cache: bool = True,
        cache_dir: str | Path | None = None, scheduler: str | object | None = None, format: str = "csv") -> RunResult:
    """Read a corpus, compute every table and write them into ``out_dir``.

    Options as :func:`analyse_corpus`; ``progress`` defaults to whether standard error is a terminal;
    ``out_dir`` to ``data/processed/<corpus name>/`` (:func:`analysis.paths.default_output_dir`); ``format``
    ``"csv"`` (default) or ``"parquet"`` (:func:`write_tables`).

    Raises
    ------
    InputError
        If no speech at all could be read (``skipped.csv`` is still written, listing why).
    OutputError
        If ``out_dir`` is a file or cannot be written (checked before the corpus is read).
    """
    if progress is None:
        progress = sys.stderr.isatty()
    if format not in FORMATS:
        raise InputError(f"unknown format {format!r} (valid: {', '.join(FORMATS)})")
    corpus_path = corpus_path if is_url(corpus_path) else paths.resolve_input(corpus_path)
    out_dir = paths.default_output_dir(corpus_name(corpus_path)) if out_dir is None else Path(out_dir)
    if themes_file is not None and not Path(themes_file).exists():  # a pipe: refused by load_lexicon
        raise InputError("theme lexicon not found", path=themes_file)
    load_lexicon(themes_file)  # a broken lexicon or cue file is refused before the corpus is read
    load_codebook()
    ensure_output_dir(out_dir)  # and so is an output folder that cannot be written
    remove_stale_temporaries(out_dir)  # left by a killed run
    result, stores = _analyse_location(corpus_path, themes_file=themes_file, stance_method=stance_method,
                                       jobs=jobs, chunk_size=chunk_size, use_cache=use_cache, cache_dir=cache_dir,
                                       progress=progress, include_procedural=include_procedural,
                                       scheduler=scheduler, exclude=[out_dir])  # --out may lie inside the corpus
    write_tables(result, out_dir, also=stores, format=format)
    if result.documents.empty:
        raise InputError(f"no speech could be read ({len(result.skipped)} skipped; see "
                         f"{Path(out_dir) / 'skipped.csv'})", path=corpus_path)
    return result
