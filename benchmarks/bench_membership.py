"""Time of adding ``iso3``, ``un_group`` and ``council_status`` to the shared corpora's metadata.

Usage::

    python benchmarks/bench_membership.py [--repeat 5]

Reads ``../shared/corpora/all_metadata.csv`` (6,023 speeches) and the metadata columns of the UN General
Debate Parquet (10,952 speeches), then times :func:`analysis.membership.load_member_tables` from cold (the
cache cleared: reading and validating the three tables) and :func:`analysis.membership.un_metadata` on each
table (best and median of ``--repeat`` runs, tables cached), and on the 6,023 rows repeated 10 times: the work
is per distinct name, so ten times the rows should cost far less than ten times the time. Reading the files is
not timed. Nothing is asserted: the tests check the results, this prints the numbers.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import membership, paths  # noqa: E402


def _times(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each measurement (default 5)")
    parser.add_argument("--corpora", type=Path, default=paths.SHARED_CORPORA)
    args = parser.parse_args(argv)

    documents = pd.read_csv(args.corpora / "all_metadata.csv", dtype=str, keep_default_na=False)
    parquet = pd.read_parquet(args.corpora / "ungdc" / "ungdc_1946_2024.parquet",
                              columns=["country", "country_iso3", "year"])
    repeated = pd.concat([documents] * 10, ignore_index=True)

    def cold_load():
        membership._load_cached.cache_clear()
        membership.load_member_tables()

    load = _times(cold_load, args.repeat)
    print(f"load_member_tables, cold (3 files, {len(membership.load_member_tables().aliases)} name keys): "
          f"best {min(load) * 1000:.1f} ms, median {statistics.median(load) * 1000:.1f} ms")
    for label, table in [("all_metadata.csv", documents), ("ungdc_1946_2024.parquet", parquet),
                         ("all_metadata.csv x 10", repeated)]:
        names = table["country"].nunique()
        runs = _times(lambda: membership.un_metadata(table), args.repeat)
        print(f"un_metadata on {label}: {len(table):,} rows, {names:,} distinct names: "
              f"best {min(runs) * 1000:.1f} ms, median {statistics.median(runs) * 1000:.1f} ms "
              f"({len(table) / min(runs):,.0f} rows/s)")
    membership._load_cached.cache_clear()
    start = time.perf_counter()
    membership.un_metadata(documents)
    print(f"un_metadata on all_metadata.csv with the tables loaded from cold: "
          f"{(time.perf_counter() - start) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
