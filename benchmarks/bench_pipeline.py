"""Benchmark: the whole ``run`` pipeline against a bare scikit-learn pass and a naive pandas baseline.

Three variants over the same speeches, side by side in one invocation (the machine is shared and noisy, so
only numbers measured in the same run are compared):

(a) ``tfidf``: ``TfidfVectorizer().fit_transform(texts)``, scikit-learn's defaults: the reference;
(b) ``naive``: the way tutorials count words: lower-case, regex-tokenise and drop stopwords with pandas
    ``.map``, one ``collections.Counter`` per speech, summed into a corpus ``Counter``, then a sorted table;
(c) ``run``: ``analysis.pipeline.run`` on the Parquet file: reading and cleaning, segmentation, tokenising,
    term counts, TF-IDF themes, stance for every sentence, and writing every table (cold cache), then
    (c') the same run again with the parse cache warm.

Each variant runs in its own child process (``python bench_pipeline.py _child ...``), so peak memory is that
variant's alone: the parent samples the resident memory of the child's whole process tree (workers included)
with psutil every 20 ms and also reads the child's own ``ru_maxrss``. Times are wall-clock seconds of the work
inside the child, after imports: for (a) and (b) from texts already in memory, for (c) from the file path to
the written tables (so (c) also pays for reading the Parquet file and writing CSVs). CPU seconds of the child
tree are shown beside wall time.

Subsets are nested, seeded random samples of the corpus (default 1,000, 3,000 and all 10,952 speeches of the
UN General Debate Corpus), so the growth of cost with corpus size can be read off the table.

Run with ``make bench`` or::

    .venv/bin/python benchmarks/bench_pipeline.py [--sizes 1000,3000,all] [--jobs N] [--json FILE]
    .venv/bin/python benchmarks/bench_pipeline.py --profile 1000      # pyinstrument profile of (c)

See ``benchmarks/README.md`` for results and the profiles before and after optimisation.
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VARIANTS = ("tfidf", "naive", "run", "run-warm")
LABELS = {"tfidf": "(a) TfidfVectorizer", "naive": "(b) pandas + Counter", "run": "(c) run (cold cache)",
          "run-warm": "(c') run (warm cache)"}


# ------------------------------------------------------------------------------------------ children

def _texts(path: Path) -> list[str]:
    import pandas as pd

    return pd.read_parquet(path, columns=["text"])["text"].astype(str).tolist()


def _child_tfidf(path: Path, **_) -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = _texts(path)
    start, cpu = time.perf_counter(), _cpu_seconds()
    matrix = TfidfVectorizer().fit_transform(texts)
    return {"seconds": time.perf_counter() - start, "cpu_seconds": _cpu_seconds() - cpu,
            "detail": f"{matrix.shape[1]} terms, {matrix.nnz} non-zeros"}


_NAIVE_TOKEN = re.compile(r"[\w-]*[^\W\d_][\w-]*")


def _child_naive(path: Path, **_) -> dict:
    import pandas as pd

    from analysis.text import load_stopwords

    stopwords = set(load_stopwords())
    frame = pd.DataFrame({"text": _texts(path)})
    start, cpu = time.perf_counter(), _cpu_seconds()
    frame["tokens"] = frame["text"].map(
        lambda text: [token for token in _NAIVE_TOKEN.findall(text.lower()) if token not in stopwords])
    frame["counts"] = frame["tokens"].map(Counter)
    corpus = Counter()
    frame["counts"].map(corpus.update)
    table = pd.DataFrame(corpus.most_common(), columns=["term", "count"])
    return {"seconds": time.perf_counter() - start, "cpu_seconds": _cpu_seconds() - cpu,
            "detail": f"{len(table)} terms"}


def _child_run(path: Path, *, out: Path, jobs: int | None, cache_dir: Path | None, **_) -> dict:
    from analysis import pipeline

    options = {"progress": False}
    parameters = inspect.signature(pipeline.run).parameters
    if "jobs" in parameters and jobs is not None:
        options["jobs"] = jobs
    if "cache_dir" in parameters:
        options["cache_dir"] = cache_dir
    start, cpu = time.perf_counter(), _cpu_seconds()
    result = pipeline.run(path, out, **options)
    seconds = time.perf_counter() - start
    # Reusable worker pools outlive the call; shut them down so their CPU time is counted (RUSAGE_CHILDREN
    # counts only children that have ended and been waited for).
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True)
    return {"seconds": seconds, "cpu_seconds": _cpu_seconds() - cpu, "sentences": int(len(result.sentences)),
            "detail": f"{len(result.documents)} speeches, {len(result.sentences)} sentences, "
                      f"{len(result.terms)} terms"}


CHILDREN = {"tfidf": _child_tfidf, "naive": _child_naive, "run": _child_run, "run-warm": _child_run}


def child_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", choices=VARIANTS, required=True)
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args(argv)
    measured = CHILDREN[args.variant](args.input, out=args.out, jobs=args.jobs, cache_dir=args.cache_dir)
    measured["maxrss_self_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    measured["maxrss_children_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print("RESULT " + json.dumps(measured), flush=True)
    return 0


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# ------------------------------------------------------------------------------------------ parent

class TreeMemory:
    """Sample the summed resident memory of a process and its descendants; keep the peak.

    Also keeps, per process of the tree, the last CPU time (user + system) seen: :attr:`cpu_seconds` is their
    sum, which counts processes that are never waited for (worker pools left to the operating system) but
    misses each process's last ``interval``.
    """

    def __init__(self, pid: int, interval: float = 0.02):
        import psutil

        self._psutil = psutil
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self._cpu: dict[tuple[int, float], float] = {}  # (pid, start time) -> CPU seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def cpu_seconds(self) -> float:
        return sum(self._cpu.values())

    def _sample(self) -> None:
        psutil = self._psutil
        while not self._stop.is_set():
            total = 0
            try:
                processes = [self.process, *self.process.children(recursive=True)]
            except psutil.Error:
                break
            for process in processes:
                try:
                    total += process.memory_info().rss
                    times = process.cpu_times()
                    self._cpu[(process.pid, process.create_time())] = times.user + times.system
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)


def run_child(variant: str, subset: Path, scratch: Path, *, jobs: int | None, cache_dir: Path) -> dict:
    out = scratch / f"out-{variant}-{subset.stem}"
    command = [sys.executable, str(Path(__file__).resolve()), "_child", "--variant", variant,
               "--input", str(subset), "--out", str(out), "--cache-dir", str(cache_dir)]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "0"}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, text=True)
    with TreeMemory(process.pid) as memory:
        stdout, _ = process.communicate()
    total = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{variant} on {subset.name} failed with exit code {process.returncode}")
    line = next(line for line in stdout.splitlines() if line.startswith("RESULT "))
    measured = json.loads(line[len("RESULT "):])
    measured["process_seconds"] = total
    measured["peak_tree_mb"] = memory.peak / 2**20
    shutil.rmtree(out, ignore_errors=True)
    return measured


def make_subsets(corpus: Path, sizes: list[str], scratch: Path, *, seed: int) -> list[tuple[str, Path, dict]]:
    """Nested seeded random subsets of the corpus as Parquet files in ``scratch``."""
    import numpy as np
    import pandas as pd

    table = pd.read_parquet(corpus)
    order = np.random.default_rng(seed).permutation(len(table))
    subsets = []
    for size in sizes:
        n = len(table) if size == "all" else min(int(size), len(table))
        part = table.iloc[np.sort(order[:n])].reset_index(drop=True)
        path = scratch / f"subset_{n}.parquet"
        part.to_parquet(path, index=False)
        info = {"n": n, "mb": float(part["text"].str.encode("utf-8").str.len().sum()) / 1e6}
        subsets.append((size, path, info))
    return subsets


def format_table(rows: list[dict]) -> str:
    header = (f"{'speeches':>8} {'variant':<24} {'wall s':>8} {'cpu s':>8} {'MB/s':>7} {'sent/s':>9} "
              f"{'peak MB':>8}  detail")
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row['n']:>8} {LABELS[row['variant']]:<24} {row['seconds']:>8.2f} {row['cpu_seconds']:>8.2f} "
            f"{row['mb'] / row['seconds']:>7.2f} {row['n_sentences'] / row['seconds']:>9.0f} "
            f"{row['peak_tree_mb']:>8.0f}  {row['detail']}")
    return "\n".join(lines)


def format_ratios(rows: list[dict]) -> str:
    lines = [f"{'speeches':>8} {'MB':>7} {'(c)/(a)':>8} {'(b)/(c)':>8} {'(c)/(c)@first':>14} "
             f"{'size/first':>10}"]
    first = None
    by_size: dict[int, dict[str, dict]] = {}
    for row in rows:
        by_size.setdefault(row["n"], {})[row["variant"]] = row
    for n, variants in by_size.items():
        a, b, c = (variants.get(v) for v in ("tfidf", "naive", "run"))
        if not (a and b and c):
            continue
        if first is None:
            first = (n, c["mb"], c["seconds"])
        lines.append(f"{n:>8} {c['mb']:>7.1f} {c['seconds'] / a['seconds']:>8.2f} {b['seconds'] / c['seconds']:>8.2f} "
                     f"{c['seconds'] / first[2]:>14.2f} {c['mb'] / first[1]:>10.2f}")
    return "\n".join(lines)


def profile_run(subset: Path, scratch: Path, *, jobs: int | None, output: Path) -> None:
    """Profile (c) with pyinstrument in a child process; write the text report to ``output``.

    pyinstrument sees only the main process, so the profile is of the serial path (``--jobs 1``) unless
    ``jobs`` says otherwise: it shows where the CPU time goes, which the parallel run divides between cores.
    """
    out = scratch / "out-profile"
    command = [sys.executable, "-m", "pyinstrument", "-r", "text", "-o", str(output),
               "-m", "analysis", "run", "--corpus", str(subset), "--out", str(out), "--no-progress"]
    if "jobs" in _run_parameters():
        command += ["--jobs", str(jobs or 1)]
    subprocess.run(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    print(output.read_text())


def _run_parameters() -> set[str]:
    from analysis import pipeline

    return set(inspect.signature(pipeline.run).parameters)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_child"]:
        return child_main(argv[1:])
    from analysis import paths

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path,
                        default=paths.SHARED_CORPORA / "ungdc" / "ungdc_1946_2024.parquet",
                        help="a Parquet table with a 'text' column (default: the full UN General Debate Corpus)")
    parser.add_argument("--sizes", default="1000,3000,all",
                        help="comma-separated subset sizes, 'all' for the whole corpus (default: %(default)s)")
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help="comma-separated variants to run (default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=None, help="--jobs for run (default: run's own default)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the subset sample (default: %(default)s)")
    parser.add_argument("--json", type=Path, default=None, help="also write the measurements as JSON here")
    parser.add_argument("--profile", default=None, metavar="SIZE",
                        help="instead of benchmarking, profile (c) with pyinstrument on a subset of SIZE speeches")
    parser.add_argument("--profile-out", type=Path, default=None, help="where to write the profile text")
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"error: {args.corpus}: corpus not found (give --corpus PATH to a Parquet table)", file=sys.stderr)
        return 2
    variants = [v for v in args.variants.split(",") if v]
    unknown = sorted(set(variants) - set(VARIANTS))
    if unknown:
        print(f"error: unknown variants {unknown}; choose from {', '.join(VARIANTS)}", file=sys.stderr)
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="unspeech-bench-"))
    try:
        if args.profile:
            [(_, subset, info)] = make_subsets(args.corpus, [args.profile], scratch, seed=args.seed)
            output = args.profile_out or scratch / "profile.txt"
            print(f"profiling run on {info['n']} speeches ({info['mb']:.1f} MB) -> {output}", file=sys.stderr)
            profile_run(subset, scratch, jobs=args.jobs, output=output)
            return 0
        subsets = make_subsets(args.corpus, args.sizes.split(","), scratch, seed=args.seed)
        rows = []
        for _, subset, info in subsets:
            cache_dir = scratch / f"cache-{info['n']}"
            n_sentences = None
            for variant in variants:
                if variant == "run":
                    shutil.rmtree(cache_dir, ignore_errors=True)
                print(f"... {LABELS[variant]} on {info['n']} speeches ({info['mb']:.1f} MB)", file=sys.stderr,
                      flush=True)
                measured = run_child(variant, subset, scratch, jobs=args.jobs, cache_dir=cache_dir)
                n_sentences = measured.get("sentences", n_sentences)
                rows.append({"variant": variant, **info, **measured})
            for row in rows:
                if row["n"] == info["n"]:
                    row["n_sentences"] = n_sentences or 0
        print()
        print(f"corpus: {args.corpus} ({os.cpu_count()} cores; jobs={args.jobs or 'default'}); "
              f"sentences/s counts the sentences run found, for every variant")
        print(format_table(rows))
        print()
        print(format_ratios(rows))
        if args.json:
            args.json.write_text(json.dumps(rows, indent=2) + "\n")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
