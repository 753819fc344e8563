"""How fast the explorer answers on the full UN General Debate corpus (10,952 speeches, 1.17 M sentences).

Usage::

    python benchmarks/bench_explore.py [--corpus PATH] [--repeat 3] [--json FILE]

Issue 14's targets, once ``run``'s cache exists: the explorer opens in at most 3 s, a concordance query returns
its first page in at most 0.5 s, a keyness selection in at most 2 s. Measured here:

* **prepare** (not a target): one opening in a fresh process, which fills the run cache if it is missing, then
  the keyness counts (computed once per corpus and cached);
* **open**: a fresh Python process imports :mod:`analysis.explore`, opens the corpus from the cache and builds
  the widgets (:class:`analysis.explore.Explorer`); the time from before the import to the widgets, and the
  open alone, median of ``--repeat`` processes;
* **concordance**: the first page (20 hits) of common, rare and filtered queries, and the total of each (every
  speech read), in the process that opened;
* **concordance in the widget**: the same first page rendered as the explorer shows it (HTML);
* **keyness**: one and two target groups against the rest, the cached counts loaded first (their loading is
  shown apart), and in the widget with its table and scatter drawn.

Nothing is asserted; the numbers are printed (and written as JSON with ``--json``).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import paths  # noqa: E402

QUERIES = [  # (label, pattern, filters)
    ("common word", "peace", {}),
    ("common wildcard", "terror*", {}),
    ("phrase", "united nations", {}),
    ("rare phrase", "exchange of information", {}),
    ("rare wildcard", "cyber*", {}),
    ("absent word", "zyzzyva", {}),
    ("filtered: group + years + theme", "cooperat*", {"where": {"un_group": "African"}, "years": (2000, 2010),
                                                      "theme": "first"}),
    ("filtered: stance", "sanction*", {"stance": "oppose"}),
]

_OPEN = """
import json, sys, time
start = time.perf_counter()
from analysis import explore
imported = time.perf_counter()
data = explore.open_corpus(sys.argv[1])
opened = time.perf_counter()
explorer = explore.Explorer(data)
built = time.perf_counter()
print(json.dumps({"import": imported - start, "open": opened - imported, "widgets": built - opened,
                  "total": built - start, "speeches": len(data.documents), "sentences": len(data.sentences)}))
"""


def _fresh_process(code: str, *args: str) -> dict:
    output = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True,
                            cwd=paths.PROJECT_ROOT).stdout
    return json.loads(output.strip().splitlines()[-1])


def _timed(function):
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=paths.SHARED_CORPORA / "ungdc" / "ungdc_1946_2024.parquet")
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes for the opening (default 3)")
    parser.add_argument("--json", type=Path, default=None, help="also write the measurements here")
    args = parser.parse_args(argv)
    corpus = str(args.corpus)
    results: dict = {"corpus": corpus}

    prepare, _ = _timed(lambda: _fresh_process(_OPEN, corpus))
    print(f"prepare: first opening in a fresh process (fills the run cache if missing): {prepare:.1f} s")
    opens = [_fresh_process(_OPEN, corpus) for _ in range(args.repeat)]
    results["open"] = opens
    median = {key: statistics.median(run[key] for run in opens) for key in ("import", "open", "widgets", "total")}
    print(f"open ({opens[0]['speeches']:,} speeches, {opens[0]['sentences']:,} sentences), median of "
          f"{args.repeat} fresh processes: import {median['import']:.2f} s + open {median['open']:.2f} s + widgets "
          f"{median['widgets']:.2f} s = {median['total']:.2f} s (target 3 s)")

    from analysis import explore

    data = explore.open_corpus(corpus)
    explorer = explore.Explorer(data)
    rows = []
    for label, pattern, filters in QUERIES:
        filters = dict(filters)
        if filters.get("theme") == "first":
            filters["theme"] = data.themes[0]
        query = explore.Query(pattern, **filters)
        first, page = _timed(lambda: explore.search(data, query))
        shown, _ = _timed(lambda: explorer.search(query=query))  # the page as the widget shows it (HTML)
        total, counted = _timed(lambda: explore.search(data, query, count=True))
        rows.append({"query": label, "pattern": pattern, "first_page_s": first, "widget_page_s": shown,
                     "hits_on_page": len(page.hits), "total_s": total, "total_hits": counted.total})
    results["concordance"] = rows
    print(f"\nconcordance (20 hits a page; target: first page in 0.5 s)")
    print(f"{'query':34} {'pattern':24} {'first page s':>12} {'in widget s':>11} {'total s':>8} {'hits':>9}")
    for row in rows:
        print(f"{row['query']:34} {row['pattern']:24} {row['first_page_s']:12.3f} {row['widget_page_s']:11.3f} "
              f"{row['total_s']:8.2f} {row['total_hits']:9,}")

    build, _ = _timed(lambda: _fresh_process(
        "import sys; from analysis import explore; explore.open_corpus(sys.argv[1]).term_counts(); print('{}')",
        corpus))
    load, counts = _timed(data.term_counts)
    print(f"\nkeyness counts: made and cached in a fresh process {build:.1f} s (once per corpus); loaded from the "
          f"cache {load:.2f} s ({counts.matrix.shape[1]:,} terms, {counts.matrix.nnz:,} non-zeros)")
    keyness = []
    for field, targets in [("un_group", ["African"]), ("un_group", ["African", "Western European and Others"]),
                           ("country", ["France"]), ("year", ["2001"])]:
        seconds, result = _timed(lambda: explore.group_keyness(data, field, targets))
        explorer.keyness_field.value = field
        shown, _ = _timed(lambda: explorer.compute_keyness(targets))  # table, term list and scatter drawn
        keyness.append({"field": field, "targets": targets, "seconds": seconds, "widget_s": shown,
                        "rows": len(result.table)})
        print(f"keyness {field} = {' + '.join(targets)} against the rest: {seconds:.2f} s, in the widget with its "
              f"table and scatter {shown:.2f} s (target 2 s), {len(result.table):,} rows")
    results["keyness"] = {"build_s": build, "load_s": load, "selections": keyness}
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
