"""The explorer's views as plain functions of :class:`~analysis.explore.data.ExploreData`: keyness of groups,
theme and stance shares by group, and one speech sentence by sentence. The widgets
(:mod:`analysis.explore.widgets`) only call these and show what they return.
"""
from __future__ import annotations

import html
from typing import Sequence

import numpy as np
import pandas as pd

from .. import aggregate, plots
from ..errors import InputError
from ..terms import compare_all_groups
from ..views.fields import field_values
from ..views.speech import cue_spans, describe_speech
from .concordance import highlight
from .data import MIN_TERM_COUNT, ExploreData

__all__ = ["cue_spans", "describe", "group_keyness", "group_shares", "key_terms", "keyness_chart", "neighbour",
           "shares_chart", "speech_html"]


def describe(data: ExploreData, doc_id: str) -> str:
    """Who spoke where and when, in a few words (:func:`analysis.views.describe_speech`)."""
    return describe_speech(data.documents, doc_id)


def group_keyness(data: ExploreData, by: str, targets: Sequence[str], *, min_count: int = plots.KEYNESS_MIN_COUNT):
    """Each target value of ``by`` against all other speeches (:func:`analysis.terms.compare_all_groups` on the
    cached counts): the :class:`~analysis.terms.GroupKeyness`, rows by G² descending within each group."""
    if not targets:
        raise InputError(f"choose at least one value of {by} to compare with the rest")
    if min_count < MIN_TERM_COUNT:
        raise InputError(f"min_count must be at least {MIN_TERM_COUNT} here: rarer terms are not counted")
    return compare_all_groups(data.documents, by=by, groups=list(targets), min_count=min_count,
                              counts=data.term_counts())


def key_terms(keyness, *, n: int = 25) -> pd.DataFrame:
    """The terms each group of a :func:`group_keyness` result uses more than the rest, significant at
    :data:`analysis.plots.KEYNESS_P` and seen :data:`analysis.plots.KEYNESS_MIN_COUNT` times
    (:func:`analysis.views.significant_terms`): the ``n`` of highest G² per group."""
    from ..views.compare import significant_terms

    table = significant_terms(keyness.table, p=plots.KEYNESS_P, min_count=plots.KEYNESS_MIN_COUNT)
    return table[table["g2"] > 0].groupby("group", sort=False).head(n).reset_index(drop=True)


def keyness_chart(data: ExploreData, keyness, group: str):
    """:func:`analysis.plots.keyness_scatter` of one group of a :func:`group_keyness` result, its n in the title."""
    table = keyness.table[keyness.table["group"] == group]
    row = keyness.groups.set_index("group").loc[group]
    title = (f"{group} ({int(row['speeches']):,} speeches) against the other {int(row['reference']):,}: the "
             f"keyness of every term seen at least {MIN_TERM_COUNT} times")
    return plots.keyness_scatter(table, title=title, source=plots.source_line(corpus=data.source))


def group_shares(data: ExploreData, by: str, *, column: str = "themes", top_n: int = 12,
                 n_boot: int = aggregate.DEFAULT_BOOTSTRAP) -> pd.DataFrame:
    """Share of each group's sentences with each theme (``column="themes"``) or stance label (``"stance"``),
    with bootstrap intervals over speeches (:func:`analysis.aggregate.group_shares`), the ``top_n`` largest
    groups."""
    if column not in ("themes", "stance"):
        raise InputError(f"column must be 'themes' or 'stance', got {column!r}")
    labels = data.themes if column == "themes" else data.stance_labels
    data.field(by)  # an unknown field fails here, naming the valid ones
    return aggregate.group_shares(data.sentences, column=column, labels=labels, by=by, documents=data.documents,
                                  top_n=top_n, n_boot=n_boot)


def shares_chart(data: ExploreData, shares: pd.DataFrame, by: str, *, column: str = "themes"):
    """The shares drawn as the notebooks draw them (:func:`analysis.plots.interval_chart`)."""
    what = "theme" if column == "themes" else "stance"
    colors = (plots.theme_colors(data.themes) if column == "themes"
              else plots.stance_colors(data.stance_labels))
    return plots.interval_chart(shares, label=by, value="share", series="label", colors=colors, min_categories=1,
                                title=f"Sentences by {what}, by {by}",
                                xlabel=f"Share of the group's sentences (95 % interval over speeches)",
                                ylabel=f"{by} (speeches)", source=plots.source_line(corpus=data.source))


def neighbour(data: ExploreData, row: int, *, within: str, step: int) -> int:
    """The speech ``step`` places before or after ``row`` among the speeches with the same ``within`` value
    (a meeting, a country), in the corpus's order; ``row`` itself at either end."""
    values = data.field(within)
    same = np.flatnonzero((values == values.iloc[row]).to_numpy())
    at = int(np.searchsorted(same, row))
    return int(same[min(max(at + step, 0), len(same) - 1)])


_STANCE_BACKGROUND = "#{:02x}{:02x}{:02x}"


def _tint(color: str) -> str:
    """A light tint of a ``#rrggbb`` colour, as a sentence's background."""
    red, green, blue = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return _STANCE_BACKGROUND.format(*(int(255 - (255 - c) * 0.25) for c in (red, green, blue)))


def speech_html(data: ExploreData, row: int, *, selected: int | None = None) -> str:
    """One speech as HTML: its metadata, then each sentence numbered, tinted by its stance, with theme badges
    and its stance cues marked (``unspeech-cue``); ``selected`` (a sentence number) is outlined."""
    if not 0 <= row < len(data.documents):
        raise InputError(f"no speech at row {row} (the corpus has {len(data.documents):,})")
    colors = plots.stance_colors(data.stance_labels, default=data.manifest.get("stance_default"))
    values = {name: field_values(data.documents.iloc[[row]], name).iloc[0] for name in data.fields}
    fields = [f"<b>{html.escape(name)}</b>: {html.escape(value)}" for name, value in values.items() if value]
    parts = [f'<div class="unspeech-speech-meta">{" · ".join(fields)}</div>']
    rows = data.sentence_rows(row)
    for index in range(rows.start, rows.stop):
        sentence = data.sentences.iloc[index]
        text = data.sentence_text(index)
        cues = [(start, end) for _, _, start, end in cue_spans(sentence["cue"])]
        stance = sentence["stance"]
        background = _tint(colors[stance]) if stance in colors and colors[stance].startswith("#") else "#ffffff"
        badges = "".join(f'<span class="unspeech-badge">{html.escape(theme)}</span> '
                         for theme in filter(None, sentence["themes"].split(";")))
        outline = "outline:2px solid #333;" if selected == int(sentence["sentence_id"]) else ""
        score = "" if pd.isna(sentence["score"]) else f" {float(sentence['score']):.2f}"
        parts.append(f'<div class="unspeech-sentence" style="background:{background};{outline}padding:2px 4px;'
                     f'margin:1px 0"><small>#{int(sentence["sentence_id"])} {html.escape(stance)}{score}</small> '
                     f'{badges}{highlight(text, cues=cues)}</div>')
    return "\n".join(parts)
