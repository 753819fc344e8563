"""What charts and tables say about a corpus: the source line of a chart of its tables (:func:`source_line`),
what it holds (:func:`corpus_summary`), how long its speeches are (:func:`length_summary`), and chart titles
that say which groups they show (:func:`ranked_title`).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..validation import require_columns
from .fields import field_values
from .tables import CorpusTables

__all__ = ["corpus_summary", "length_summary", "ranked_title", "source_line"]


def source_line(tables: CorpusTables, corpus: str | Path, *, lexicon: bool = False, codebook: bool = False,
                note: str | None = None) -> str:
    """The source line of a chart of ``tables``: the corpus, its speeches and the procedural turns left out, and,
    when the chart shows themes or stance, the lexicon's or codebook's version (from the run's manifest)."""
    from ..plots import source_line as line

    manifest = tables.manifest
    return line(corpus=corpus, n_speeches=len(tables.documents), left_out=int(manifest.get("n_procedural_left_out", 0)),
                lexicon_version=manifest.get("themes_version") if lexicon else None,
                codebook_version=manifest.get("stance_codebook_version") if codebook else None, note=note)


def corpus_summary(tables: CorpusTables) -> pd.DataFrame:
    """What a corpus holds, one fact per row, counts written as whole numbers."""
    documents, manifest = tables.documents, tables.manifest

    def distinct(column: str) -> int:
        return int(field_values(documents, column).replace("", np.nan).nunique()) if column in documents else 0

    years = pd.to_numeric(documents["year"], errors="coerce").dropna() if "year" in documents else pd.Series([])
    facts = {
        "speeches": f"{len(documents):,}",
        "procedural turns of the presiding officer (left out)": f"{int(manifest.get('n_procedural_left_out', 0)):,}",
        "sentences": f"{len(tables.sentences):,}",
        "word tokens": f"{int(documents['n_tokens'].sum()):,}",
        "UN bodies": f"{distinct('body'):,}",
        "countries and organisations": f"{distinct('country'):,}",
        "of them UN member states": f"{distinct('iso3'):,}" if "iso3" in documents else "",
        "meetings": f"{distinct('meeting'):,}",
        "years": f"{int(years.min())}–{int(years.max())} ({years.nunique()} distinct)" if len(years) else "",
        "input files skipped": f"{len(tables.skipped):,}",
    }
    return pd.DataFrame({"value": pd.Series(facts, dtype=object)})


def length_summary(documents: pd.DataFrame, *, by: str = "body") -> pd.DataFrame:
    """Speech lengths in word tokens per group: speeches, mean, quartiles, shortest and longest (whole numbers)."""
    require_columns(documents, [by, "n_tokens"], "length_summary")
    table = documents.groupby(field_values(documents, by).replace("", "(not given)"))["n_tokens"].describe()
    table = table.rename(columns={"count": "speeches", "min": "shortest", "max": "longest", "50%": "median",
                                  "25%": "25%", "75%": "75%"})[["speeches", "mean", "shortest", "25%", "median",
                                                                "75%", "longest"]]
    return table.round(0).astype("int64")


def ranked_title(title: str, documents: pd.DataFrame, by: str, top_n: int) -> str:
    """A chart title that says which groups it shows: all of them, or the ``top_n`` with the most speeches of
    how many (and that ties at the cut are broken alphabetically, when they are).

    >>> docs = pd.DataFrame({"country": ["A", "A", "B", "C"]})
    >>> ranked_title("Themes by country", docs, "country", 2)
    'Themes by country: the 2 of 3 with the most speeches (ties in alphabetical order)'
    """
    from ..aggregate import group_keys

    counts = group_keys(documents, by).value_counts()
    if len(counts) <= top_n:
        return f"{title} (all {len(counts):,})"
    ordered = counts.sort_values(ascending=False, kind="stable").to_numpy()
    tie = ordered[top_n - 1] == ordered[top_n]
    return (f"{title}: the {top_n} of {len(counts):,} with the most speeches"
            + (" (ties in alphabetical order)" if tie else ""))
