"""Benchmark: Wordfish and Wordscores on one General Debate session, 193 speeches × 20,000 terms.

The matrix is built from the real UN General Debate Corpus (``../shared/corpora/ungdc/ungdc_1946_2024.parquet``):
the speeches of one session (default 2015, 193 countries), cleaned as the pipeline cleans them (not timed),
counted by the project's engine (:func:`analysis.scaling.count_matrix`: unigrams and bigrams, the default
stopword list) and cut to the 20,000 most frequent terms. Then, each timed separately and repeated:

(a) ``count_matrix``: counting the terms;
(b) ``Wordfish().fit``: the whole estimation (starting values, rounds until the stopping rule, standard
    errors), with all cores and with one (``n_jobs=1``);
(c) ``Wordscores``: ``fit`` on 20 reference speeches (their Wordfish positions as reference scores) and
    ``predict`` of the other 173, with LBG rescaling.

Wall-clock and CPU seconds of this process are printed for each, the best and the median of the repeats,
with the load average of the machine before the run (the machine is shared: compare only figures measured
in one invocation). The target is Wordfish in 30 s or less on a 2-core machine.

Run with::

    .venv/bin/python benchmarks/bench_scaling.py [--year 2015] [--terms 20000] [--repeat 3] [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import paths  # noqa: E402
from analysis.corpus import clean_speech  # noqa: E402
from analysis.scaling import Wordfish, Wordscores, count_matrix  # noqa: E402


def read_session(corpus: Path, year: int) -> pd.DataFrame:
    """``doc_id`` (the country's ISO3 code) and cleaned ``text`` of one General Debate session."""
    table = pd.read_parquet(corpus, columns=["year", "country_iso3", "text"])
    session = table[table["year"] == year].sort_values("country_iso3").reset_index(drop=True)
    if session.empty:
        raise SystemExit(f"no speeches of {year} in {corpus}")
    return pd.DataFrame({"doc_id": session["country_iso3"].tolist(),
                         "text": [clean_speech(text).text for text in session["text"]]})


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(work, repeat: int) -> tuple[dict, object]:
    """Run ``work()`` ``repeat`` times; best and median wall and CPU seconds, and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), cpu_seconds()
        result = work()
        walls.append(time.perf_counter() - start)
        cpus.append(cpu_seconds() - cpu)
    return {"wall_best": min(walls), "wall_median": statistics.median(walls), "cpu_best": min(cpus),
            "cpu_median": statistics.median(cpus)}, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=paths.SHARED_CORPORA / "ungdc" / "ungdc_1946_2024.parquet")
    parser.add_argument("--year", type=int, default=2015, help="General Debate session (year)")
    parser.add_argument("--terms", type=int, default=20_000, help="keep the most frequent terms")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    args = parser.parse_args(argv)

    load = os.getloadavg()
    documents = read_session(args.corpus, args.year)
    rows = {}
    rows["(a) count_matrix"], X = timed(
        lambda: count_matrix(documents, ngram_range=(1, 2), max_terms=args.terms), args.repeat)
    nonzero = int(np.count_nonzero(X.to_numpy()))
    detail = {"(a) count_matrix": f"{X.shape[0]} speeches × {X.shape[1]} terms, {nonzero} non-zero, "
                                  f"{int(X.to_numpy().sum())} tokens"}
    for label, n_jobs in (("(b) Wordfish", None), ("(b') Wordfish, n_jobs=1", 1)):
        rows[label], model = timed(lambda: Wordfish(n_jobs=n_jobs).fit(X), args.repeat)
        detail[label] = f"{model.n_iter_} rounds, converged {model.converged_}"
    theta = model.theta_
    references = theta.index[:: max(1, len(theta) // 20)][:20]
    virgin = X.drop(index=references)

    def wordscores():
        return Wordscores().fit(X.loc[references], theta[references]).predict(virgin)

    rows["(c) Wordscores fit+predict"], table = timed(wordscores, args.repeat)
    agreement = np.corrcoef(table["rescaled"], theta[virgin.index])[0, 1]
    detail["(c) Wordscores fit+predict"] = (f"{len(references)} references, {len(virgin)} virgin texts; "
                                            f"r with Wordfish {agreement:.3f}")

    print(f"General Debate {args.year}: {len(documents)} speeches; {os.cpu_count()} cores; load average before "
          f"the run {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {args.repeat} repeats")
    header = f"{'step':<28} {'wall best':>9} {'wall med':>9} {'cpu best':>9} {'cpu med':>9}  detail"
    print(header)
    print("-" * len(header))
    for label, row in rows.items():
        print(f"{label:<28} {row['wall_best']:>9.2f} {row['wall_median']:>9.2f} {row['cpu_best']:>9.2f} "
              f"{row['cpu_median']:>9.2f}  {detail[label]}")
    order = theta.sort_values()
    print(f"Wordfish ends (dir = first, last document): low {', '.join(order.index[:5])}; "
          f"high {', '.join(order.index[-5:])}")
    words = model.beta_.sort_values()
    print(f"words with the lowest beta: {', '.join(words.index[:8])}; highest: {', '.join(words.index[-8:])}")
    if args.json:
        args.json.write_text(json.dumps({"year": args.year, "shape": list(X.shape), "load_average": load,
                                         "rows": rows, "detail": detail}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
