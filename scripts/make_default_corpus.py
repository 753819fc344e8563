"""Write the project's default multi-speech corpus: six sessions of the UN General Debate, ten years apart.

Usage::

    python scripts/make_default_corpus.py

The UN General Debate Corpus (Jankin, Baturo & Dasandi; Harvard Dataverse doi:10.7910/DVN/0TJX8Y) is CC0, so a
slice of it ships with the project: every speech of the sessions of 1974, 1984, 1994, 2004, 2014 and 2024
(1,035 speeches, 17.5 MB of text), so that the corpus notebooks draw meaningful charts on a machine without the
full data. Read from the copy in ``../shared/corpora/ungdc`` (the text as published, see its README); written as
one zstd-compressed Parquet table (about 4 MB), rows sorted by ``doc_id``, so a rerun gives the same bytes.
"""
from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis import paths
from analysis.io import write_bytes

YEARS = (1974, 1984, 1994, 2004, 2014, 2024)
COLUMNS = ["doc_id", "corpus", "body", "country", "country_iso3", "speaker", "speaker_role", "year", "session",
           "topic", "text"]


def main() -> int:
    table = pd.read_parquet(paths.SHARED_CORPORA / "ungdc" / "ungdc_1946_2024.parquet")
    chosen = table[table["year"].astype(int).isin(YEARS)][COLUMNS].sort_values("doc_id").reset_index(drop=True)
    chosen = chosen.astype({column: str for column in COLUMNS})
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(chosen, preserve_index=False), sink, compression="zstd",
                   compression_level=19, use_dictionary=True, write_statistics=False)
    write_bytes(paths.EXAMPLE_CORPUS, sink.getvalue().to_pybytes())
    print(f"{len(chosen)} speeches of {', '.join(map(str, YEARS))} -> {paths.EXAMPLE_CORPUS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
