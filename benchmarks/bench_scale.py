"""Benchmark: ``run`` at 1×, 2× and 4× the General Debate corpus, on the process pool and on a Dask LocalCluster.

The corpus (10,952 speeches of the UN General Debate Corpus) is replicated ``k`` times, each copy's doc_ids
made unique (``<doc_id>~r<copy>``; copy 0 keeps its ids), and written once per size to a temporary Parquet
file. Each size is then run twice, each time as ``python -m analysis run --format parquet --no-cache`` in a
child process:

* ``default``: joblib's process pool (``--jobs 2``);
* ``dask``: ``--scheduler local --jobs 2``: a ``LocalCluster`` of two single-threaded worker processes, the
  scheduler in the client process.

Measured from the parent, for the child's whole process tree (client, scheduler, nannies, workers, pool
processes), with :class:`bench_pipeline.TreeMemory` sampling every 20 ms: wall seconds from start to exit, CPU
seconds (the larger of the tree's waited-for ``RUSAGE_CHILDREN`` and the sampled per-process CPU times,
which also counts worker processes nobody waits for), peak resident memory (the sum over the tree), and cost
per MB of speech text. The issue's targets: the Dask run's overhead over the default at 1× at most 25 %;
peak memory not growing with corpus size when writing Parquet.

Run with::

    .venv/bin/python benchmarks/bench_scale.py [--sizes 1 2 4] [--only default|dask] [--jobs 2]

It prints a table and writes ``benchmarks/results/bench_scale.txt`` and ``.json`` (``--results DIR``).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_pipeline import ROOT, TreeMemory

VARIANTS = ("default", "dask")
RESULTS = Path(__file__).resolve().parent / "results"


def replicate(corpus: Path, copies: int, scratch: Path) -> tuple[Path, dict]:
    """The corpus ``copies`` times over, doc_ids made unique, as one Parquet file in ``scratch``."""
    import pandas as pd

    table = pd.read_parquet(corpus)
    parts = []
    for copy in range(copies):
        part = table.copy()
        if copy:
            part["doc_id"] = part["doc_id"].astype(str) + f"~r{copy}"
        parts.append(part)
    replicated = pd.concat(parts, ignore_index=True)
    path = scratch / f"corpus_x{copies}.parquet"
    replicated.to_parquet(path, index=False)
    mb = float(replicated["text"].astype(str).str.encode("utf-8").str.len().sum()) / 1e6
    return path, {"copies": copies, "speeches": len(replicated), "mb": mb,
                  "file_mb": path.stat().st_size / 1e6}


def measure(variant: str, corpus: Path, out: Path, *, jobs: int, cache_dir: Path) -> dict:
    """One ``run`` in a child process; wall, CPU and peak memory of its process tree."""
    command = [sys.executable, "-m", "analysis", "run", "--corpus", str(corpus), "--out", str(out),
               "--format", "parquet", "--no-cache", "--no-progress", "--jobs", str(jobs)]
    if variant == "dask":
        command += ["--scheduler", "local"]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "0", "MPLBACKEND": "Agg",
                   "UNSPEECH_CACHE_DIR": str(cache_dir)}
    environment.pop("UNSPEECH_SCHEDULER", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    with TreeMemory(process.pid) as memory:
        _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise SystemExit(f"{variant} on {corpus.name} failed with exit code {process.returncode}:\n{stderr}")
    waited = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {"seconds": seconds, "cpu_seconds": max(waited, memory.cpu_seconds), "peak_tree_mb": memory.peak / 2**20,
            "n_documents": manifest["n_documents"], "n_sentences": manifest["n_sentences"]}


def format_table(rows: list[dict]) -> str:
    header = (f"{'copies':>6} {'speeches':>8} {'MB':>6} {'variant':<8} {'wall s':>8} {'cpu s':>8} {'wall s/MB':>9} "
              f"{'cpu s/MB':>8} {'peak MB':>8} {'vs default':>10} {'peak/1x':>7}")
    lines = [header, "-" * len(header)]
    default = {row["copies"]: row for row in rows if row["variant"] == "default"}
    first = {}
    for row in rows:
        first.setdefault(row["variant"], row)
        base = default.get(row["copies"])
        overhead = f"{row['seconds'] / base['seconds'] - 1:>+10.0%}" if base and row["variant"] != "default" else \
            f"{'':>10}"
        lines.append(
            f"{row['copies']:>5}× {row['speeches']:>8} {row['mb']:>6.0f} {row['variant']:<8} {row['seconds']:>8.1f} "
            f"{row['cpu_seconds']:>8.1f} {row['seconds'] / row['mb']:>9.3f} {row['cpu_seconds'] / row['mb']:>8.3f} "
            f"{row['peak_tree_mb']:>8.0f} {overhead} {row['peak_tree_mb'] / first[row['variant']]['peak_tree_mb']:>7.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from analysis import paths

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=paths.SHARED_CORPORA / "ungdc" / "ungdc_1946_2024.parquet",
                        help="a Parquet table with 'doc_id' and 'text' columns (default: the General Debate Corpus)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 2, 4], metavar="K",
                        help="how many copies of the corpus (default: %(default)s)")
    parser.add_argument("--only", choices=VARIANTS, default=None, help="run one variant only")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes of both variants (default: 2)")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="folder for bench_scale.txt and bench_scale.json (default: benchmarks/results)")
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"error: {args.corpus}: corpus not found (give --corpus PATH to a Parquet table)", file=sys.stderr)
        return 2
    if any(size < 1 for size in args.sizes):
        print(f"error: --sizes must be positive, got {args.sizes}", file=sys.stderr)
        return 2
    variants = [args.only] if args.only else list(VARIANTS)
    scratch = Path(tempfile.mkdtemp(prefix="unspeech-scale-"))
    rows = []
    try:
        for copies in args.sizes:
            corpus, info = replicate(args.corpus, copies, scratch)
            for variant in variants:
                print(f"... {variant} on {info['speeches']} speeches ({info['mb']:.0f} MB)", file=sys.stderr,
                      flush=True)
                out = scratch / f"out-{variant}-{copies}"
                measured = measure(variant, corpus, out, jobs=args.jobs, cache_dir=scratch / "cache")
                shutil.rmtree(out, ignore_errors=True)
                rows.append({"variant": variant, **info, **measured})
                print(f"    {measured['seconds']:.1f} s wall, {measured['cpu_seconds']:.1f} s CPU, "
                      f"{measured['peak_tree_mb']:.0f} MB peak", file=sys.stderr, flush=True)
            corpus.unlink()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    load = os.getloadavg()
    text = (f"corpus: {args.corpus.name} replicated; run --format parquet --no-cache --jobs {args.jobs} "
            f"({os.cpu_count()} cores; load average at the end {load[0]:.1f}); vs default: wall time over the "
            f"default run's at the same size; peak/1x: peak memory over the variant's first size\n"
            + format_table(rows) + "\n")
    print()
    print(text, end="")
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "bench_scale.txt").write_text(text, encoding="utf-8")
    (args.results / "bench_scale.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
