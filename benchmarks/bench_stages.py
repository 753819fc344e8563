"""CPU seconds of each stage of ``run``'s map, in one process, on a seeded subset of the General Debate corpus.

The pipeline's cost is its map (run on every core); this times the map's stages one by one with
``time.process_time`` (CPU seconds of this process, so other jobs on a shared machine disturb it less than wall
time), over the chunks of a subset, twice: the first pass pays for each process's caches (token types seen for
the first time), the second is the steady state a worker reaches. Run it with a checkout on ``PYTHONPATH`` to
compare two versions side by side::

    .venv/bin/python benchmarks/bench_stages.py --size 1000
    PYTHONPATH=OLD_CHECKOUT .venv/bin/python benchmarks/bench_stages.py --size 1000   # the old code's stages

The subset is the one ``bench_pipeline.py`` makes (same seed, same speeches).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

# The package on PYTHONPATH (another checkout's, to compare) comes first; this checkout's is the fallback.
sys.path.append(str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analysis import paths, procedure  # noqa: E402
from analysis.corpus import documents_frame, plan_corpus, read_batch, segment_sentences  # noqa: E402
from analysis.settings import Settings  # noqa: E402
from analysis.terms import count_tokens  # noqa: E402
from analysis.text import find_tokens  # noqa: E402
from analysis.themes import count_theme_terms  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pipeline import make_subsets  # noqa: E402  (after the package: it puts this checkout first)

STAGES = ("read and clean", "segment", "tokenise", "term counts", "theme term counts", "stance labels",
          "procedural sentences")


def time_stages(subset: Path, *, chunk_size: int = 100) -> Counter:
    """CPU seconds per stage over the chunks of ``subset`` (a Parquet table of speeches)."""
    settings = Settings.default().trained()
    spent: Counter = Counter()

    def timed(stage, function, *args, **options):
        start = time.process_time()
        result = function(*args, **options)
        spent[stage] += time.process_time() - start
        return result

    for batch in plan_corpus(subset).batches(chunk_size):
        reads = timed("read and clean", read_batch, batch)
        documents = documents_frame([record for _, (record, _, _) in reads if record is not None], sort=False)
        documents["text"] = documents["text"].astype("str")
        positions = np.arange(len(documents), dtype=np.int64)
        sentences = timed("segment", segment_sentences, pd.DataFrame({"doc_id": positions, "text": documents["text"]}))
        texts = sentences["text"].astype(str).tolist()
        tokens = timed("tokenise", lambda: list(map(find_tokens, texts)))
        document_tokens: list[list[str]] = [[] for _ in range(len(documents))]
        for position, sentence_tokens in zip(sentences["doc_id"].tolist(), tokens):
            document_tokens[position].extend(sentence_tokens)
        timed("term counts", count_tokens, documents["text"].tolist(), ngram_range=settings.ngram_range,
              stopwords=settings.stopwords, phrases=settings.lexicon.phrases, tokens=document_tokens)
        timed("theme term counts", count_theme_terms, texts, settings.lexicon, tokens=tokens)
        timed("stance labels", settings.stance.label, sentences["text"])
        timed("procedural sentences", procedure.procedural_spans, texts)
    return spent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=paths.SHARED_CORPORA / "ungdc" / "ungdc_1946_2024.parquet")
    parser.add_argument("--size", default="1000", help="speeches in the subset (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="unspeech-stages-") as scratch:
        [(_, subset, info)] = make_subsets(args.corpus, [args.size], Path(scratch), seed=args.seed)
        import analysis

        print(f"{info['n']} speeches ({info['mb']:.1f} MB), CPU seconds per stage of the map "
              f"(package: {Path(analysis.__file__).parent})")
        passes = [time_stages(subset) for _ in range(2)]
    print(f"{'stage':<22} {'first pass':>10} {'second':>8}")
    for stage in STAGES:
        print(f"{stage:<22} {passes[0][stage]:>10.2f} {passes[1][stage]:>8.2f}")
    print(f"{'total':<22} {sum(passes[0].values()):>10.2f} {sum(passes[1].values()):>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
