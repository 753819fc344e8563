"""The speeches every benchmark reads: the first N of the UN General Debate Parquet, cleaned (not timed)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import paths  # noqa: E402
from analysis.corpus import clean_speech  # noqa: E402


def add_corpus_arguments(parser: argparse.ArgumentParser, *, n: int = 2000) -> None:
    """``--n`` (number of speeches, 0 for all) and ``--corpus`` (a Parquet with doc_id and text)."""
    parser.add_argument("--n", type=int, default=n, help="number of speeches (0: all)")
    parser.add_argument("--corpus", type=Path, default=paths.SHARED_CORPORA / "ungdc" / "ungdc_1946_2024.parquet")


def read_speeches(corpus: Path, n: int) -> pd.DataFrame:
    """``doc_id, text`` of the first ``n`` speeches (all when 0), cleaned as the pipeline cleans them."""
    table = pd.read_parquet(corpus, columns=["doc_id", "text"])
    if n:
        table = table.head(n)
    return pd.DataFrame({"doc_id": table["doc_id"].tolist(),
                         "text": [clean_speech(text).text for text in table["text"]]})
