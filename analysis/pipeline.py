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
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np
import pandas as pd

from . import __version__, cache, paths
from .corpus import (
    Corpus,
    CorpusPlan,
    Source,
    _dedupe,
    _frame,
    _skipped_frame,
    plan_corpus,
    read_source,
    segment_sentences,
)
from .errors import InputError
from .io import file_sha256, write_csv, write_text
from .terms import TermTotals, TokenCounts, count_tokens
from .text import find_tokens, load_stopwords
from .themes import Lexicon, ThemeCounts, ThemeFrequencies, count_theme_terms, load_lexicon

__all__ = [
    "DOCUMENTS_COLUMNS", "SENTENCES_COLUMNS", "TERMS_COLUMNS", "SKIPPED_COLUMNS",
    "RunResult", "analyse_chunk", "analyse_corpus", "build_tables", "default_jobs", "parse_chunk", "run",
    "write_tables",
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

#: Speeches per chunk of the map: large enough that the per-chunk overhead (sending the chunk to a worker,
#: its vocabulary back) is small, small enough that both cores stay busy to the end and progress moves.
CHUNK_SIZE = 100
_SENTENCE_KEYS = ["doc_id", "sentence_id", "paragraph_id", "start", "end"]


@dataclasses.dataclass
class RunResult:
    """The tables of one run, as written to disk."""

    documents: pd.DataFrame
    sentences: pd.DataFrame
    terms: pd.DataFrame
    skipped: pd.DataFrame
    manifest: dict


@dataclasses.dataclass(frozen=True)
class Settings:
    """What the map needs besides the speeches (picklable, so it travels to worker processes)."""

    lexicon: Lexicon
    stopwords: frozenset
    ngram_range: tuple[int, int] = (1, 2)

    @classmethod
    def default(cls, *, themes_file: str | Path | None = None) -> Settings:
        """The theme lexicon (``config/themes.yml`` or ``themes_file``) and the frequency stopwords."""
        return cls(lexicon=load_lexicon(themes_file), stopwords=load_stopwords("frequency"))


def _documents_columns(lexicon: Lexicon) -> list[str]:
    """:data:`DOCUMENTS_COLUMNS`, with a ``theme_<name>`` column for each theme beyond the codebook's three."""
    extra = [f"theme_{name}" for name in lexicon.names if name not in THEMES]
    at = DOCUMENTS_COLUMNS.index("dominant_theme")
    return DOCUMENTS_COLUMNS[:at] + extra + DOCUMENTS_COLUMNS[at:]


# --------------------------------------------------------------------------------------------------
# The map: pure functions of one chunk
# --------------------------------------------------------------------------------------------------

def _label_sentences(sentences: pd.DataFrame) -> pd.DataFrame:
    """Stance columns for each sentence (``themes`` is filled when the chunk is scored).

    Stance: placeholder until the stance labeller exists.
    """
    labelled = sentences.copy()
    labelled["themes"] = ""
    labelled["stance"] = ""
    labelled["cue"] = ""
    labelled["score"] = np.nan
    return labelled


def _document_scores(scores: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """Stance shares per document (placeholder: empty), beside the theme scores already in ``scores``.

    A theme the lexicon does not define (a ``--themes`` file without ``cooperation``) is an empty column.
    """
    scores = scores.copy()
    for theme in THEMES:
        if f"theme_{theme}" not in scores.columns:
            scores[f"theme_{theme}"] = np.nan
    for stance in STANCES:
        scores[f"stance_{stance}"] = np.nan
    return scores


@dataclasses.dataclass
class Parsed:
    """:func:`parse_chunk`'s result: what :func:`analysis.corpus.read_source` said of each source (in order),
    and the sentences of the speeches that were read (``_row``: the speech's position among them)."""

    results: list[tuple[dict | None, str, str]]
    sentences: pd.DataFrame

    def documents(self) -> pd.DataFrame:
        """``doc_id, text`` of the speeches that were read, in source order."""
        records = [record for record, _, _ in self.results if record is not None]
        return pd.DataFrame({"doc_id": pd.Series([r["doc_id"] for r in records], dtype=object),
                             "text": pd.Series([r["text"] for r in records], dtype=object)})


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


def parse_chunk(sources: Sequence[Source]) -> Parsed:
    """Map step 1: read and clean each speech of a chunk, and segment it into sentences."""
    results = [read_source(source) for source in sources]
    parsed = Parsed(results=results, sentences=pd.DataFrame())
    documents = parsed.documents()
    # Segment under the position as a stand-in id, so that speeches sharing a doc_id stay apart.
    positions = np.arange(len(documents), dtype=np.int64)
    sentences = segment_sentences(pd.DataFrame({"doc_id": positions, "text": documents["text"]}))
    rows = sentences["doc_id"].to_numpy(dtype=np.int64)
    sentences["doc_id"] = pd.Series(documents["doc_id"].to_numpy(dtype=object)[rows], dtype=object)
    sentences["_row"] = rows
    parsed.sentences = sentences
    return parsed


def analyse_chunk(documents: pd.DataFrame, sentences: pd.DataFrame, settings: Settings) -> Analysed:
    """Map step 2: term counts, theme term counts and stance labels of a chunk of documents.

    ``documents`` holds ``doc_id, text``; ``sentences`` their :func:`analysis.corpus.segment_sentences` with
    ``_row``, the position of each sentence's document in ``documents``. Nothing here looks beyond the
    chunk, so chunks can be analysed anywhere, in any order.
    """
    # Each sentence is tokenised once. A speech's tokens are its sentences' tokens one after the other
    # (sentences cover the text but for white space, which no token holds).
    texts = sentences["text"].tolist()
    sentence_tokens = list(map(find_tokens, texts))
    document_tokens: list[list[str]] = [[] for _ in range(len(documents))]
    for position, tokens in zip(sentences["_row"].tolist(), sentence_tokens):
        document_tokens[position].extend(tokens)
    # Multi-word expressions the theme lexicon names ("organized crime") are counted as units.
    counts = count_tokens(documents["text"].tolist(), ngram_range=settings.ngram_range,
                          stopwords=settings.stopwords, phrases=settings.lexicon.phrases, tokens=document_tokens)
    themes = count_theme_terms(texts, settings.lexicon, tokens=sentence_tokens)
    summary = pd.DataFrame({"doc_id": documents["doc_id"].to_numpy(dtype=object), "n_tokens": counts.n_tokens})
    return Analysed(documents=summary, sentences=_label_sentences(sentences), counts=counts, themes=themes)


def _map_sources(sources: Sequence[Source], settings: Settings) -> tuple[Parsed, Analysed]:
    parsed = parse_chunk(sources)
    return parsed, analyse_chunk(parsed.documents(), parsed.sentences, settings)


def _map_documents(documents: pd.DataFrame, sentences: pd.DataFrame, settings: Settings) -> Analysed:
    position = {doc_id: row for row, doc_id in enumerate(documents["doc_id"])}  # doc_ids are unique here
    sentences = sentences.assign(_row=sentences["doc_id"].map(position).to_numpy(dtype=np.int64))
    return analyse_chunk(documents, sentences, settings)


# --------------------------------------------------------------------------------------------------
# Running the map: in this process or in worker processes, results in input order
# --------------------------------------------------------------------------------------------------

def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _chunks(items: Sequence, size: int) -> list[Sequence]:
    return [items[start:start + size] for start in range(0, len(items), size)]


def _map(function, tasks: list[tuple], *, jobs: int, progress, sizes: list[int]) -> Iterator:
    """``function(*task)`` for each task, in order; in ``jobs`` worker processes when there is more than one
    task. ``progress`` (a tqdm bar or None) advances by ``sizes[i]`` when task ``i`` is done."""
    if jobs > 1 and len(tasks) > 1:
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=min(jobs, len(tasks)), backend="loky", return_as="generator",
                            pre_dispatch="2*n_jobs", batch_size=1)
        results = parallel(delayed(function)(*task) for task in tasks)
    else:
        results = (function(*task) for task in tasks)
    for size, result in zip(sizes, results):
        if progress is not None:
            progress.update(size)
        yield result


def _progress_bar(enabled: bool, total: int, desc: str):
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="speech", leave=False, smoothing=0.1)


# --------------------------------------------------------------------------------------------------
# The reduce and the tables
# --------------------------------------------------------------------------------------------------

class _Reduction:
    """Chunk results, folded in input order, then finished."""

    def __init__(self, settings: Settings, plan_skipped: Iterable[tuple[str, str]] = ()):
        self.settings = settings
        self.skipped: list[tuple[str, str]] = list(plan_skipped)
        self.notes: list[str] = []
        self.records: list[dict] = []
        self.seen: dict[str, str] = {}
        self.totals = TermTotals()
        self.frequencies = ThemeFrequencies(settings.lexicon)
        self.chunks: list[tuple[Analysed, np.ndarray]] = []

    def add_parsed(self, sources: Sequence[Source], parsed: Parsed, analysed: Analysed) -> None:
        records = []
        for source, (record, reason, note) in zip(sources, parsed.results):
            if record is None:
                self.skipped.append((source.where, reason))
                continue
            records.append(record)
            if note:
                self.notes.append(f"{source.where}: {note}")
        kept = _dedupe(records, self.skipped, self.seen)
        kept_ids = {id(record) for record in kept}
        rows = np.fromiter((id(record) in kept_ids for record in records), dtype=bool, count=len(records))
        self.records.extend(kept)
        self.add_analysed(analysed, rows)

    def add_analysed(self, analysed: Analysed, rows: np.ndarray | None = None) -> None:
        """Add a chunk; ``rows`` (a mask over its documents) says which documents count (default: all)."""
        if rows is None:
            rows = np.ones(len(analysed.documents), dtype=bool)
        self.totals.add(analysed.counts, None if rows.all() else rows)
        self.frequencies.add(analysed.themes, analysed.positions, rows)
        self.chunks.append((analysed, rows))

    def finish(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Per-document scores and labelled sentences of the documents kept, with the corpus idf."""
        documents, sentences = [], []
        for analysed, rows in self.chunks:
            positions = analysed.positions
            shares, labels, document_shares = self.frequencies.score(analysed.themes, positions, len(rows))
            labelled = analysed.sentences.assign(themes=pd.Series(labels, dtype=object,
                                                                  index=analysed.sentences.index))
            scores = self.frequencies.frame(analysed.documents, document_shares)
            scores = _document_scores(scores, labelled)
            keep = rows[positions]
            documents.append(scores[rows])
            sentences.append(labelled[keep] if not keep.all() else labelled)
        return _concat(documents), _concat(sentences)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [frame for frame in frames if len(frame.columns)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _tables(corpus: Corpus, reduction: _Reduction) -> RunResult:
    """The output tables from a corpus and the reduced map results over its documents."""
    settings = reduction.settings
    documents = corpus.documents
    scores, sentences = reduction.finish()
    if sentences.empty:
        sentences = _label_sentences(segment_sentences(documents.iloc[:0]))
    if scores.empty:
        empty = pd.DataFrame({"doc_id": pd.Series(dtype=object), "n_tokens": pd.Series(dtype="int64")})
        scores = _document_scores(reduction.frequencies.frame(empty, np.zeros((0, len(settings.lexicon.names)))),
                                  sentences)
    n_sentences = sentences.groupby("doc_id").size()
    table = documents[["doc_id", "body", "country", "speaker", "year", "date", "meeting", "topic"]].copy()
    table["n_sentences"] = table["doc_id"].map(n_sentences).fillna(0).astype("int64")
    table = table.merge(scores, on="doc_id", how="left", validate="one_to_one")
    table["n_tokens"] = table["n_tokens"].astype("int64")
    table = table[_documents_columns(settings.lexicon)].sort_values("doc_id", kind="stable").reset_index(drop=True)
    terms = reduction.totals.table(n_tokens=int(table["n_tokens"].sum()))
    sentences = sentences[SENTENCES_COLUMNS].sort_values(["doc_id", "sentence_id"], kind="stable")
    manifest = {
        "analysis_version": __version__,
        "corpus": corpus.source,
        "corpus_sha256": corpus_fingerprint(documents),
        "stopwords_version": load_stopwords().version,
        "stance_words_version": load_stopwords("stance").version,  # left out of terms.csv
        "themes_version": settings.lexicon.version,
        "themes_file": settings.lexicon.source,
        "themes_sha256": settings.lexicon.sha256,
        "n_documents": int(len(table)),
        "n_sentences": int(len(sentences)),
        "n_skipped": int(len(corpus.skipped)),
        "warnings": sorted(corpus.warnings),
    }
    return RunResult(documents=table, sentences=sentences.reset_index(drop=True), terms=terms[TERMS_COLUMNS],
                     skipped=corpus.skipped[SKIPPED_COLUMNS], manifest=manifest)


def build_tables(corpus: Corpus, *, lexicon: Lexicon | None = None, jobs: int = 1, chunk_size: int = CHUNK_SIZE,
                 progress: bool = False) -> RunResult:
    """Compute every output table from a read corpus (no I/O); ``lexicon`` defaults to ``config/themes.yml``."""
    settings = Settings.default()
    if lexicon is not None:
        settings = dataclasses.replace(settings, lexicon=lexicon)
    documents = corpus.documents
    sentences = segment_sentences(documents) if len(documents) else segment_sentences(documents.iloc[:0])
    return _analyse_parsed(corpus, sentences, settings, jobs=jobs, chunk_size=chunk_size, progress=progress)


def _analyse_parsed(corpus: Corpus, sentences: pd.DataFrame, settings: Settings, *, jobs: int,
                    chunk_size: int, progress: bool) -> RunResult:
    """Map step 2 and the reduce over an already parsed corpus (documents and sentence offsets)."""
    documents = corpus.documents[["doc_id", "text"]]
    groups = _chunks(range(len(documents)), chunk_size)
    bounds = _sentence_bounds(documents["doc_id"], sentences["doc_id"])
    tasks = []
    for rows in groups:
        first, stop = bounds[rows.start][0], bounds[rows.stop - 1][1]
        tasks.append((documents.iloc[rows.start:rows.stop].reset_index(drop=True),
                      sentences.iloc[first:stop].reset_index(drop=True), settings))
    bar = _progress_bar(progress, len(documents), "analysing speeches")
    reduction = _Reduction(settings)
    try:
        for analysed in _map(_map_documents, tasks, jobs=jobs, progress=bar, sizes=[len(r) for r in groups]):
            reduction.add_analysed(analysed)
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


def corpus_fingerprint(documents: pd.DataFrame) -> str:
    """SHA-256 over the sorted doc_ids and cleaned texts: identical corpora give identical fingerprints."""
    digest = hashlib.sha256()
    for doc_id, text in sorted(zip(documents["doc_id"], documents["text"])):
        digest.update(doc_id.encode("utf-8") + b"\0" + text.encode("utf-8") + b"\0")
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------------
# The whole corpus, with the cache
# --------------------------------------------------------------------------------------------------

def _parsed_key(corpus_path: Path) -> str:
    return cache.cache_key("parsed", cache.input_fingerprint(corpus_path), cache.code_fingerprint(["corpus"]))


def _tables_key(parsed_key: str, settings: Settings) -> str:
    modules = sorted(path.stem for path in Path(__file__).resolve().parent.glob("*.py"))
    configs = {path.name: file_sha256(path) for path in sorted(paths.CONFIG_DIR.glob("*")) if path.is_file()}
    configs["lexicon"] = [settings.lexicon.source, settings.lexicon.sha256]
    return cache.cache_key("tables", parsed_key, cache.code_fingerprint(modules), configs,
                           {"ngram_range": list(settings.ngram_range)})


def _parse_corpus(plan: CorpusPlan, settings: Settings, *, jobs: int, chunk_size: int,
                  progress: bool) -> tuple[Corpus, pd.DataFrame, RunResult]:
    """Both map steps and the reduce over the sources of a plan."""
    groups = _chunks(plan.sources, chunk_size)
    bar = _progress_bar(progress, len(plan.sources), "analysing speeches")
    reduction = _Reduction(settings, plan.skipped)
    sentence_offsets = []
    try:
        tasks = [(group, settings) for group in groups]
        for group, (parsed, analysed) in zip(groups, _map(_map_sources, tasks, jobs=jobs, progress=bar,
                                                          sizes=[len(g) for g in groups])):
            reduction.add_parsed(group, parsed, analysed)
    finally:
        if bar is not None:
            bar.close()
    corpus = Corpus(documents=_frame(reduction.records), skipped=_skipped_frame(reduction.skipped),
                    warnings=reduction.notes, source=plan.source)
    for analysed, rows in reduction.chunks:
        sentence_offsets.append(analysed.sentences.loc[rows[analysed.positions], _SENTENCE_KEYS])
    offsets = _concat(sentence_offsets)
    if offsets.empty:
        offsets = segment_sentences(corpus.documents.iloc[:0])[_SENTENCE_KEYS]
    offsets = offsets.sort_values(["doc_id", "sentence_id"], kind="stable").reset_index(drop=True)
    return corpus, offsets, _tables(corpus, reduction)


def analyse_corpus(corpus_path: str | Path, *, themes_file: str | Path | None = None, jobs: int | None = None,
                   chunk_size: int = CHUNK_SIZE, use_cache: bool = True, cache_dir: str | Path | None = None,
                   progress: bool = False) -> RunResult:
    """Every output table of a corpus path (no output written): what ``run`` computes.

    Parameters
    ----------
    corpus_path : str or Path
        As :func:`analysis.corpus.read_corpus` takes it.
    themes_file : str or Path, optional
        Theme lexicon (default ``config/themes.yml``).
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
    """
    jobs = default_jobs() if jobs is None else int(jobs)
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    corpus_path = Path(corpus_path)
    settings = Settings.default(themes_file=themes_file)
    if not use_cache:
        plan = plan_corpus(corpus_path)
        return _parse_corpus(plan, settings, jobs=jobs, chunk_size=chunk_size, progress=progress)[2]
    if not corpus_path.exists():
        plan_corpus(corpus_path)  # raises the reader's error
    parsed_key = _parsed_key(corpus_path)
    tables_key = _tables_key(parsed_key, settings)
    stored = cache.load_entry(tables_key, cache_dir=cache_dir)
    if stored is not None:
        return _result_from_cache(stored, source=str(corpus_path))
    parsed = cache.load_entry(parsed_key, cache_dir=cache_dir)
    if parsed is not None:
        tables, meta = parsed
        corpus = Corpus(documents=tables["documents"], skipped=tables["skipped"],
                        warnings=list(meta.get("warnings", [])), source=str(corpus_path))
        result = _analyse_parsed(corpus, _with_text(tables["sentences"], corpus.documents), settings, jobs=jobs,
                                 chunk_size=chunk_size, progress=progress)
    else:
        plan = plan_corpus(corpus_path)
        corpus, offsets, result = _parse_corpus(plan, settings, jobs=jobs, chunk_size=chunk_size,
                                                progress=progress)
        cache.store_entry(parsed_key, {"documents": corpus.documents, "sentences": offsets,
                                       "skipped": corpus.skipped}, meta={"warnings": corpus.warnings},
                          cache_dir=cache_dir)
    manifest = {key: value for key, value in result.manifest.items() if key != "corpus"}
    cache.store_entry(tables_key, {"documents": result.documents, "sentences": result.sentences,
                                   "terms": result.terms, "skipped": result.skipped},
                      meta={"manifest": manifest}, cache_dir=cache_dir)
    return result


def _with_text(offsets: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Sentence offsets with their ``text`` sliced from the cleaned documents."""
    texts = dict(zip(documents["doc_id"], documents["text"]))
    sentences = offsets.copy()
    sentences["text"] = pd.Series([texts[d][a:b] for d, a, b in zip(offsets["doc_id"], offsets["start"],
                                                                     offsets["end"])], dtype=object)
    return sentences


def _result_from_cache(stored: tuple[dict[str, pd.DataFrame], dict], *, source: str) -> RunResult:
    tables, meta = stored
    manifest = dict(meta["manifest"])
    manifest["corpus"] = source
    return RunResult(documents=tables["documents"], sentences=tables["sentences"], terms=tables["terms"],
                     skipped=tables["skipped"], manifest=dict(sorted(manifest.items())))


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
        progress: bool | None = None, jobs: int | None = None, chunk_size: int = CHUNK_SIZE,
        use_cache: bool = True, cache_dir: str | Path | None = None) -> RunResult:
    """Read a corpus, compute every table and write them into ``out_dir``.

    Options as :func:`analyse_corpus`; ``progress`` defaults to whether standard error is a terminal.

    Raises
    ------
    InputError
        If no speech at all could be read (``skipped.csv`` is still written, listing why).
    """
    if progress is None:
        progress = sys.stderr.isatty()
    if themes_file is not None and not Path(themes_file).is_file():
        raise InputError("theme lexicon not found", path=themes_file)
    result = analyse_corpus(corpus_path, themes_file=themes_file, jobs=jobs, chunk_size=chunk_size,
                            use_cache=use_cache, cache_dir=cache_dir, progress=progress)
    write_tables(result, out_dir)
    if result.documents.empty:
        raise InputError(f"no speech could be read ({len(result.skipped)} skipped; see "
                         f"{Path(out_dir) / 'skipped.csv'})", path=corpus_path)
    return result
