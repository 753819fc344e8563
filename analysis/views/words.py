"""The words the speeches use, as notebooks show them: rates of chosen terms per group (:func:`term_rates`),
the terms that set each group apart (:func:`distinctive_terms`), significant collocations
(:func:`significant_collocations`) and what a keyword-in-context search found (:func:`kwic_summary`).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ..validation import require_columns
from .fields import field_values

__all__ = ["distinctive_terms", "kwic_summary", "significant_collocations", "term_rates"]


def term_rates(documents: pd.DataFrame, terms: Sequence[str], *, ngram_range: tuple[int, int] = (1, 1),
               phrases: Sequence[str] | None = None, by: str | None = None, **options) -> pd.DataFrame:
    """Rates per 10,000 word tokens of ``terms``, overall or per group ``by``, with bootstrap intervals over
    speeches: ``<by>, term, n_speeches, n_tokens, rate, lower, upper, few, n_using`` (terms in the order given;
    ``n_using``: the speeches that use the term)."""
    from ..aggregate import ratio_by_group
    from ..terms import count_terms_by

    terms = list(dict.fromkeys(terms))
    require_columns(documents, ["doc_id", "text", "n_tokens"] + ([by] if by else []), "term_rates")
    counts = count_terms_by(documents[["doc_id", "text"]], "doc_id", ngram_range=ngram_range, phrases=phrases)
    counts = counts[counts["term"].isin(terms)]
    wide = counts.pivot_table(index="doc_id", columns="term", values="count", aggfunc="sum", fill_value=0)
    units = documents[["doc_id", "n_tokens"] + ([by] if by else [])].join(
        wide.reindex(columns=terms, fill_value=0), on="doc_id").fillna({term: 0 for term in terms})
    frame = ratio_by_group(units, numerators=terms, denominator="n_tokens", by=by, scale=10_000.0,
                           value_name="rate", **options)
    using = (units[terms] > 0).groupby(units[by].astype(str) if by else np.zeros(len(units))).sum()
    frame["n_using"] = [int(using.loc[group if by else 0, term]) for group, term in
                        zip(frame[by or "group"].astype(str) if by else [0] * len(frame), frame["variable"])]
    return frame.rename(columns={"variable": "term"}).drop(columns=[] if by else ["group"])


def significant_collocations(texts: Sequence[str] | pd.Series, *, min_count: int, n: int) -> pd.DataFrame:
    """The ``n`` strongest collocations (:func:`analysis.terms.find_collocations`) whose association is
    significant (G² above :data:`analysis.plots.KEYNESS_G2`, p < 0.001)."""
    from ..plots import KEYNESS_G2
    from ..terms import find_collocations

    found = find_collocations(texts, min_count=min_count)
    return found[found["g2"] > KEYNESS_G2].head(n).reset_index(drop=True)


def kwic_summary(kwic: pd.DataFrame, pattern: str, *, n_speeches: int) -> pd.DataFrame:
    """How many occurrences a keyword-in-context search found, in how many speeches."""
    return pd.DataFrame({"value": pd.Series({
        "pattern": pattern, "occurrences": f"{len(kwic):,}", "speeches with it": f"{kwic['doc_id'].nunique():,}",
        "speeches in the corpus": f"{n_speeches:,}"}, dtype=object)})


def distinctive_terms(documents: pd.DataFrame, *, by: str, n: int = 5,
                      phrases: Sequence[str] | None = None) -> pd.DataFrame:
    """The ``n`` terms with the highest TF-IDF weight in each group ``by`` (its speeches taken together), UN
    boilerplate left out, as one line per group."""
    from ..terms import drop_display_terms, tfidf_top_terms, top_terms

    require_columns(documents, ["text", by], "distinctive_terms")
    units = documents.assign(**{by: field_values(documents, by)})
    units = units[units[by] != ""]
    if units[by].nunique() < 2:
        return pd.DataFrame({"most distinctive terms": pd.Series(dtype=object)}).rename_axis(by)
    table = drop_display_terms(tfidf_top_terms(units, by=by, n=3 * n, phrases=phrases))
    return top_terms(table, n, by=by, sort_by="tfidf").groupby(by)["term"].agg(", ".join).to_frame(
        "most distinctive terms")
