"""Stance labelling throughput: the rule labeller, the model, and a bare TfidfVectorizer pass for scale.

Usage::

    python benchmarks/bench_stance.py [--n 2000] [--model-n 20000] [--corpus PATH.parquet]
    python benchmarks/bench_stance.py --against OLD.yml [--rounds 9] [--n 300]

Reads the first N speeches of the UN General Debate Parquet (default ``../shared/corpora/ungdc/...``), cleans and
segments them (not timed), then times on all their sentences (a) ``TfidfVectorizer().fit_transform`` (the
scikit-learn reference), (b) :func:`analysis.stance.label_rules` (the cue scan, precedence and evidence), and on
the first ``--model-n`` sentences (c) the trained model's ``label`` (fitted from the gold set beforehand, not
timed). Prints wall time, sentences per second and nanoseconds per character of each.

``--against OLD.yml`` instead compares two cue files side by side in one process: the rule labeller with
``config/stance.yml`` and with ``OLD.yml`` (e.g. ``git show HEAD~1:config/stance.yml > /tmp/old.yml``), alternated
``--rounds`` times on the same sentences; prints the best and the median time of each and their ratio (on a
shared machine the best is the steadier figure).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speeches import add_corpus_arguments, read_speeches  # noqa: E402

from analysis.corpus import segment_sentences  # noqa: E402
from analysis.stance import label_rules, load_codebook, train_stance_labeller  # noqa: E402


def _timed(label: str, function, texts: list[str]) -> float:
    start = time.perf_counter()
    function(texts)
    seconds = time.perf_counter() - start
    characters = sum(map(len, texts))
    print(f"{label:<34} {seconds:8.2f} s  {len(texts) / seconds:10.0f} sentences/s  "
          f"{seconds * 1e9 / max(characters, 1):7.0f} ns/char")
    return seconds


def compare_cue_files(texts: list[str], *, against: Path, rounds: int) -> None:
    """The rule labeller with the shipped cue file and with ``against``, alternated ``rounds`` times."""
    books = {"config/stance.yml": load_codebook(), str(against): load_codebook(against)}
    for codebook in books.values():
        label_rules(texts[:10], codebook=codebook)  # compile outside the timing
    seconds = {name: [] for name in books}
    for _ in range(rounds):
        for name, codebook in books.items():
            start = time.perf_counter()
            label_rules(texts, codebook=codebook)
            seconds[name].append(time.perf_counter() - start)
    characters = sum(map(len, texts))
    for name, values in seconds.items():
        print(f"{name:<34} best {min(values):6.3f} s ({min(values) * 1e9 / characters:5.0f} ns/char)  "
              f"median {statistics.median(values):6.3f} s")
    new, old = seconds.values()
    print(f"config/stance.yml / {against}: best {min(new) / min(old):.3f}, "
          f"median {statistics.median(new) / statistics.median(old):.3f} ({rounds} rounds)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corpus_arguments(parser)
    parser.add_argument("--model-n", type=int, default=20000, help="sentences labelled by the model (0: none)")
    parser.add_argument("--against", type=Path, default=None, metavar="OLD.yml",
                        help="compare the rules with this cue file and with config/stance.yml, side by side")
    parser.add_argument("--rounds", type=int, default=9, help="alternations with --against (default: 9)")
    args = parser.parse_args(argv)
    documents = read_speeches(args.corpus, args.n)
    texts = segment_sentences(documents)["text"].tolist()
    if args.against is not None:
        print(f"{len(documents)} speeches, {len(texts)} sentences, {sum(map(len, texts)) / 1e6:.1f} M characters")
        compare_cue_files(texts, against=args.against, rounds=args.rounds)
        return 0
    codebook = load_codebook()
    label_rules(texts[:10], codebook=codebook)  # compile the cue scan once, outside the timing
    print(f"{len(documents)} speeches, {len(texts)} sentences, {sum(map(len, texts)) / 1e6:.1f} M characters")
    reference = _timed("TfidfVectorizer().fit_transform", TfidfVectorizer().fit_transform, texts)
    rules = _timed("label_rules (rules)", lambda batch: label_rules(batch, codebook=codebook), texts)
    print(f"rules / TfidfVectorizer: {rules / reference:.2f}")
    if args.model_n:
        labeller = train_stance_labeller(method="model", codebook=codebook)
        _timed(f"model.label ({min(args.model_n, len(texts))} sentences)", labeller.label, texts[:args.model_n])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
