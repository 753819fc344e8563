"""Time of cleaning, segmenting and tokenising awkward speeches, at two sizes: does it grow linearly?

Usage::

    python benchmarks/bench_bad_input.py [--size 200000]

For each input shape (a speech of one long line, thousands of blank lines, runs of dots, an abbreviation
before every word, many hyphenated line ends, many page breaks in mid-word, a Windows-1252 file) it times
:func:`analysis.corpus.decode_bytes`, :func:`analysis.corpus.clean_speech`,
:func:`analysis.corpus.segment_sentences` and :func:`analysis.text.analyze` on SIZE and 4 x SIZE characters
and prints both times, the throughput at the larger size and the growth ratio (about 4 when linear, 16 when
quadratic). Then the hostile inputs of issue 18 (hyphen fragments on pages of their own; an adversarial
wildcard term against 60-letter words) at 0.5, 1 and 2 MB (``--only-hostile`` for these alone). Nothing is
asserted: the unit tests guard against hangs, this shows the numbers.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import paths  # noqa: E402
from analysis.corpus import clean_speech, decode_bytes, segment_sentences  # noqa: E402
from analysis.text import analyze  # noqa: E402


def _sample_body() -> str:
    return " ".join((paths.RAW_DIR / "sample_speech.txt").read_text(encoding="utf-8").split())


def _repeat(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


#: name -> function of a size in characters giving the raw bytes of one speech file
SHAPES: dict[str, Callable[[int], bytes]] = {
    "one long line": lambda n: _repeat(_sample_body() + " ", n).encode("utf-8"),
    "blank lines": lambda n: ("We act." + "\n" * n + "(We vote.)").encode("utf-8"),
    "runs of dots": lambda n: ("." * n + " next. Then").encode("utf-8"),
    "abbreviations": lambda n: _repeat("No. 5 Mr. ", n).encode("utf-8"),
    "hyphenated line ends": lambda n: _repeat("organi-\nzation ", n).encode("utf-8"),
    "page breaks mid-word": lambda n: _repeat("wo-\n\nrd ", n).encode("utf-8"),
    "Windows-1252": lambda n: _repeat("Le Conseil a adopt\u00e9 la r\u00e9solution \u201cX\u201d. ", n).encode("cp1252"),
}


def _time_pipeline(data: bytes) -> float:
    start = time.perf_counter()
    text, _ = decode_bytes(data)
    cleaned = clean_speech(text).text
    segment_sentences(pd.DataFrame({"doc_id": ["x"], "text": [cleaned]}))
    analyze(cleaned, ngram_range=(1, 2))
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200_000, help="characters of the smaller input")
    parser.add_argument("--hostile-sizes", type=float, nargs="+", default=[0.5, 1, 2], metavar="MB",
                        help="sizes of the hostile inputs (default: 0.5 1 2)")
    parser.add_argument("--only-hostile", action="store_true", help="time only the hostile inputs")
    args = parser.parse_args(argv)
    if args.only_hostile:
        _hostile(args.hostile_sizes)
        return 0
    print(f"{'input':24s} {'x1 (s)':>8s} {'x4 (s)':>8s} {'MB/s at x4':>11s} {'growth':>7s}")
    for name, make in SHAPES.items():
        small, large = make(args.size), make(4 * args.size)
        t_small, t_large = _time_pipeline(small), _time_pipeline(large)
        print(f"{name:24s} {t_small:8.3f} {t_large:8.3f} {len(large) / 1e6 / t_large:11.2f} "
              f"{t_large / t_small:7.1f}")
    five = SHAPES["one long line"](5_000_000)
    print(f"one line of 5 MB: {_time_pipeline(five):.2f} s (decode, clean, segment, tokenise)")
    _hostile(args.hostile_sizes)
    return 0


#: Inputs of the hostile-input review (issue 18), timed at 0.5, 1 and 2 MB: linear when the time doubles.
HOSTILE: dict[str, Callable[[int], str]] = {
    # a fragment per page, each joined to an ever-growing word (was 19 / 79 / 314 s)
    "hyphen fragments": lambda n: "organi-\n\nzation-\n\n" * (n // len("organi-\n\nzation-\n\n")),
}
#: A wildcard term a regex of ``.*a.*a...`` would backtrack on exponentially, matched against 60-letter words.
HOSTILE_WILDCARD = "*a*a*a*a*a*a*a*a*a*a*a*a*b"


def _time_wildcard(n: int) -> float:
    """One lexicon term, :data:`HOSTILE_WILDCARD`, matched against ``n`` bytes of distinct 60-letter words."""
    from analysis.patterns import WordMatcher

    words = [("a" * 59 + format(i, "x"))[-60:].replace("b", "c") for i in range(n // 61)]
    matcher = WordMatcher([HOSTILE_WILDCARD])  # one matcher: its per-token cache sees only distinct words
    start = time.perf_counter()
    for word in words:
        matcher.ids(word)
    return time.perf_counter() - start


def _hostile(sizes: list[float]) -> None:
    print(f"\nhostile inputs, seconds at {' / '.join(f'{size:g}' for size in sizes)} MB "
          "(linear: each time about twice the one before)")
    for name, make in HOSTILE.items():
        times = []
        for size in sizes:
            raw = make(int(size * 1_000_000))
            start = time.perf_counter()
            clean_speech(raw)
            times.append(time.perf_counter() - start)
        print(f"{'clean: ' + name:34s} " + " / ".join(f"{t:7.3f}" for t in times))
    times = [_time_wildcard(int(size * 1_000_000)) for size in sizes]
    print(f"{'wildcard ' + HOSTILE_WILDCARD:34s} " + " / ".join(f"{t:7.3f}" for t in times)
          + "  (60-letter words, one term)")


if __name__ == "__main__":
    raise SystemExit(main())
