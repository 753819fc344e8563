"""Theme scoring against a bare scikit-learn TfidfVectorizer pass over the same speeches.

Usage::

    python benchmarks/bench_themes.py [--n 2000] [--corpus PATH.parquet]

Reads the first N speeches of the UN General Debate Parquet (default ``../shared/corpora/ungdc/...``), cleans and
segments them (not timed), then times (a) ``TfidfVectorizer().fit_transform`` on the cleaned speeches and (b)
:func:`analysis.themes.score_corpus` (fit the idf over speeches, score every sentence and speech, label every
sentence), and prints both, the throughput and the ratio (b)/(a).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speeches import add_corpus_arguments, read_speeches  # noqa: E402

from analysis.corpus import segment_sentences  # noqa: E402
from analysis.themes import load_lexicon, score_corpus  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corpus_arguments(parser)
    args = parser.parse_args(argv)
    documents = read_speeches(args.corpus, args.n)
    sentences = segment_sentences(documents)
    lexicon = load_lexicon()
    megabytes = documents["text"].str.len().sum() / 1e6

    start = time.perf_counter()
    TfidfVectorizer().fit_transform(documents["text"])
    bare = time.perf_counter() - start
    start = time.perf_counter()
    score_corpus(documents, sentences, lexicon=lexicon)
    themes = time.perf_counter() - start

    print(f"{len(documents)} speeches, {len(sentences)} sentences, {megabytes:.1f} MB of cleaned text")
    print(f"(a) TfidfVectorizer().fit_transform  {bare:8.2f} s  {megabytes / bare:6.2f} MB/s")
    print(f"(b) themes.score_corpus              {themes:8.2f} s  {megabytes / themes:6.2f} MB/s"
          f"  {len(sentences) / themes:,.0f} sentences/s")
    print(f"ratio (b)/(a) = {themes / bare:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
