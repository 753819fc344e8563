"""Themes as notebooks show them: a lexicon's themes (:func:`lexicon_summary`), the share of sentences and the
rate of mentions of each theme (:func:`theme_shares`, :func:`theme_rates`), the speeches that score highest
(:func:`top_theme_speeches`), and topics nobody named (:func:`discover_topics`, in the texts
:func:`topic_texts` chooses).
"""
from __future__ import annotations

from typing import Literal, Sequence

import pandas as pd

from ..validation import require_columns
from .tables import CorpusTables

__all__ = ["discover_topics", "lexicon_summary", "theme_rates", "theme_shares", "top_theme_speeches",
           "topic_texts"]


def lexicon_summary(lexicon) -> pd.DataFrame:
    """One row per theme of a lexicon: how many terms and exclusions it has, and its description."""
    return pd.DataFrame({"theme": list(lexicon.names),
                         "terms and phrases": [len(lexicon[name].terms) for name in lexicon.names],
                         "exclusions": [len(lexicon[name].exclude) for name in lexicon.names],
                         "description": [lexicon[name].description for name in lexicon.names]})


def top_theme_speeches(documents: pd.DataFrame, themes: Sequence[str], *, n: int) -> pd.DataFrame:
    """The ``n`` speeches with the highest TF-IDF score on the first theme, with the share of their sentences
    carrying each theme and their dominant theme."""
    first = f"theme_{themes[0]}"
    require_columns(documents, ["doc_id", "n_sentences", first], "top_theme_speeches")
    shares = {f"share_{theme}": documents[f"n_sentences_{theme}"] / documents["n_sentences"].clip(lower=1)
              for theme in themes}
    columns = [c for c in ("doc_id", "country", "meeting", "year", "n_sentences") if c in documents]
    table = documents.assign(**shares)[columns + [first, *shares, "dominant_theme"]]
    return table.sort_values([first, "doc_id"], ascending=[False, True]).head(n).reset_index(drop=True)


def theme_shares(tables: CorpusTables, themes: Sequence[str], *, by: str | None = None, **options) -> pd.DataFrame:
    """Share of sentences carrying each theme (per group ``by`` of the speeches), with bootstrap intervals over
    speeches (:func:`analysis.aggregate.group_shares`); ``label`` is the theme."""
    from ..aggregate import group_shares

    return group_shares(tables.sentences, column="themes", labels=themes, by=by, documents=tables.documents,
                        **options)


def theme_rates(tables: CorpusTables, themes: Sequence[str], *, by: str | None = None, **options) -> pd.DataFrame:
    """Mentions of each theme's lexicon terms per 1,000 words (per group ``by``), with bootstrap intervals over
    speeches; ``label`` is the theme."""
    from ..aggregate import group_rates

    columns = [f"n_mentions_{theme}" for theme in themes]
    require_columns(tables.documents, columns, "theme_rates")
    frame = group_rates(tables.documents, columns=columns, by=by, **options)
    frame.insert(frame.columns.get_loc("variable"), "label", frame.pop("variable").str.replace("n_mentions_", "",
                                                                                                 regex=False))
    return frame


def discover_topics(tables: CorpusTables, *, n_topics: int, seed: int, lexicon, min_texts: int = 200
                    ) -> tuple[pd.DataFrame, str]:
    """Topics nobody named (:func:`analysis.themes.discover_topics`) in the speeches, or in the sentences of a
    corpus of fewer than 100 speeches, with a ``label`` (number and top three terms) and a sentence saying what
    they were found in; no topics (an empty table) when there are fewer than ``min_texts`` texts."""
    from ..themes import discover_topics as discover

    texts, unit = topic_texts(tables.documents, tables.sentences)
    columns = ["topic", "label", "top_terms", "weight", "n_texts", "coherence_npmi", "stability", "closest_theme"]
    if len(texts) < min_texts:
        return pd.DataFrame(columns=columns), (f"Topics were not sought: {len(texts):,} {unit} are too few for NMF "
                                               f"and for co-occurrence statistics (at least {min_texts:,} needed).")
    topics = discover(texts, n_topics=n_topics, seed=seed, lexicon=lexicon)
    topics["label"] = topics["topic"].astype(str) + ": " + topics["top_terms"].str.split(";").str[:3].str.join(", ")
    topics["top_terms"] = topics["top_terms"].str.split(";").str[:8].str.join(", ")
    return topics, f"{len(topics)} topics found in {len(texts):,} {unit}."


def topic_texts(documents: pd.DataFrame, sentences: pd.DataFrame, *,
                min_documents: int = 100) -> tuple[pd.Series, Literal["speeches", "sentences"]]:
    """The texts topics are discovered in: the speeches when there are at least ``min_documents``,
    else the sentences (a few speeches are too few texts for NMF and for co-occurrence statistics)."""
    if len(documents) >= min_documents:
        require_columns(documents, ["text"], "topic_texts")
        return documents["text"].reset_index(drop=True), "speeches"
    require_columns(sentences, ["text"], "topic_texts")
    return sentences["text"].reset_index(drop=True), "sentences"
