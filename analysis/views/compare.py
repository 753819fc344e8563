"""Comparisons of two groups of texts: which groups a keyness comparison sets against each other
(:func:`compare_groups`, giving a :class:`Comparison`, with :func:`small_groups_warning` when a group is small),
and what of a keyness table a notebook shows (:func:`significant_terms`, :func:`keyness_summary`,
:func:`key_terms_both_ways`, :func:`describe_comparison`).

A comparison needs two groups of speeches; within a single speech it compares the sentences about its main theme
with the others.
"""
from __future__ import annotations

import dataclasses
import difflib

import numpy as np
import pandas as pd

from ..aggregate import most_frequent
from ..validation import require_columns
from .fields import field_values

__all__ = ["COMPARISON_FIELDS", "BlocComparison", "Comparison", "compare_blocs", "compare_groups", "describe_comparison", "key_terms_both_ways",
           "keyness_summary", "significant_terms", "small_groups_warning"]

#: Metadata fields tried, in this order, for a comparison when none is named.
COMPARISON_FIELDS = ("meeting", "year", "country", "body")


@dataclasses.dataclass(frozen=True)
class Comparison:
    """Two groups of texts to compare: ``units`` has ``text`` and a column ``by`` equal to ``target`` for
    the target group (pass them to :func:`analysis.terms.keyness`). ``target_label`` and ``reference_label``
    name the two groups in charts, ``description`` says what is compared with what."""

    units: pd.DataFrame
    by: str
    target: str
    description: str
    target_label: str
    reference_label: str
    warning: str = ""


def compare_groups(documents: pd.DataFrame, sentences: pd.DataFrame | None = None, *, by: str | None = None,
                   target: str | None = None) -> Comparison:
    """The two groups a keyness comparison sets against each other.

    With ``by``, the speeches whose ``by`` equals ``target`` (default: the largest group, ties broken by
    value) against all the others. Without ``by``, the first of :data:`COMPARISON_FIELDS` with at least two
    values. When no field separates the speeches (a single speech), the sentences about the theme most
    sentences carry are compared with the speech's other sentences (``sentences`` needs ``themes``), or,
    when no theme splits them, the first half of the sentences with the second.

    Raises
    ------
    KeyError
        If ``by`` is not a column, or ``target`` is not one of its values.
    ValueError
        If ``target`` is given without ``by``, or every speech has the value ``target``.
    """
    require_columns(documents, ["text"], "compare_groups")
    if by is None and target is not None:
        raise ValueError(f"target {target!r} needs a field: give by= as well")
    if by is None:
        by = next((field for field in COMPARISON_FIELDS if field in documents.columns
                   and field_values(documents, field).replace("", np.nan).nunique() > 1), None)
    if by is not None:
        if by not in documents.columns:
            raise KeyError(f"no field {by!r} to compare by; fields: "
                           f"{', '.join(c for c in documents.columns if c not in ('text', 'raw_chars'))}")
        values = field_values(documents, by)
        if target is None:
            if not (values != "").any():
                raise ValueError(f"field {by!r} is empty in every speech")
            target = most_frequent(values)
        target = str(target)
        if target not in set(values):
            close = difflib.get_close_matches(target, sorted(set(values) - {""}), n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise KeyError(f"no speech has {by} = {target!r}{hint}")
        n_target = int((values == target).sum())
        if n_target == len(values):
            raise ValueError(f"every speech has {by} = {target!r}: nothing left to compare against")
        units = pd.DataFrame({"doc_id": documents["doc_id"] if "doc_id" in documents else range(len(values)),
                              by: values, "text": documents["text"]}).reset_index(drop=True)
        return Comparison(units, by, target, f"speeches with {by} = {target} ({n_target:,}) against the other "
                                             f"{len(values) - n_target:,} speeches",
                          target_label=f"{by} {target}", reference_label="the other speeches",
                          warning=small_groups_warning(n_target, len(values) - n_target))
    if sentences is None or sentences.empty:
        raise ValueError("a single speech is compared sentence by sentence: pass its sentences")
    require_columns(sentences, ["doc_id", "text"], "compare_groups")
    labels = sentences["themes"].fillna("").astype(str) if "themes" in sentences else pd.Series("", sentences.index)
    counts = labels.str.split(";").explode()
    counts = counts[counts != ""].value_counts(sort=False)
    usable = counts[(counts > 0) & (counts < len(sentences))]
    if len(usable):
        theme = most_frequent(pd.Series(np.repeat(usable.index.to_numpy(), usable.to_numpy())))
        inside = labels.map(lambda value: theme in value.split(";"))
        group = np.where(inside, f"about {theme}", f"not about {theme}")
        target, n_target = f"about {theme}", int(inside.sum())
        description = (f"sentences about {theme} ({n_target}) against the other {len(sentences) - n_target} "
                       "sentences")
    else:
        half = np.arange(len(sentences)) < (len(sentences) + 1) // 2
        group = np.where(half, "first half", "second half")
        target, n_target = "first half", int(half.sum())
        description = f"the first {n_target} sentences against the last {len(sentences) - n_target}"
    units = pd.DataFrame({"doc_id": sentences["doc_id"].to_numpy(), "sentences": group,
                          "text": sentences["text"].to_numpy()})
    return Comparison(units, "sentences", target, description, target_label=f"sentences {target}",
                      reference_label="the other sentences")


def small_groups_warning(n_target: int, n_reference: int, *, unit: str = "speeches") -> str:
    """A sentence warning that a comparison rests on too few speeches (fewer than
    :data:`analysis.aggregate.MIN_SPEECHES` in a group), or ``""``.

    >>> small_groups_warning(1, 2)
    'Few speeches in the target group (1) and the reference group (2): fewer than 5, so a term one speaker uses can look key.'
    """
    from ..aggregate import MIN_SPEECHES

    small = [f"the {name} group ({n:,})" for name, n in (("target", n_target), ("reference", n_reference))
             if n < MIN_SPEECHES]
    if not small:
        return ""
    return f"Few {unit} in {' and '.join(small)}: fewer than {MIN_SPEECHES}, so a term one speaker uses can look key."


def significant_terms(keyness: pd.DataFrame, *, p: float, min_count: int, column: str = "g2",
                      threshold: float | None = None) -> pd.DataFrame:
    """The terms of a keyness table (:func:`analysis.terms.keyness`) whose difference a chart may show: seen at
    least ``min_count`` times in both groups together, and significant: ``p`` below the level for G² rows, or
    ``|column| >= threshold`` for another score (the log-odds z)."""
    require_columns(keyness, ["count_target", "count_reference", column, "p"], "significant_terms")
    frequent = (keyness["count_target"] + keyness["count_reference"]) >= min_count
    significant = keyness["p"] < p if threshold is None else keyness[column].abs() >= threshold
    return keyness[frequent & significant].reset_index(drop=True)


def describe_comparison(comparison: Comparison) -> pd.DataFrame:
    """What a comparison sets against what, and its warning when a group is small."""
    facts = {"target group": f"{comparison.by} = {comparison.target}", "compared": comparison.description}
    if comparison.warning:
        facts["warning"] = comparison.warning
    return pd.DataFrame({"value": pd.Series(facts, dtype=object)})


def keyness_summary(keyness: pd.DataFrame, *, p: float, min_count: int) -> pd.DataFrame:
    """How many terms a keyness table compares and how many differ significantly, each way."""
    significant = significant_terms(keyness, p=p, min_count=min_count)
    return pd.DataFrame({"terms": pd.Series({
        "compared": len(keyness),
        f"seen at least {min_count} times": int(((keyness["count_target"] + keyness["count_reference"])
                                                   >= min_count).sum()),
        f"over-used, p < {p:g}": int((significant["g2"] > 0).sum()),
        f"under-used, p < {p:g}": int((significant["g2"] < 0).sum())}, dtype="int64")})


def key_terms_both_ways(keyness: pd.DataFrame, *, n: int, min_count: int, threshold: float) -> pd.DataFrame:
    """The ``n`` terms most over-used and the ``n`` most under-used by log-odds z, among those seen at least
    ``min_count`` times with ``|z| >= threshold``."""
    from ..aggregate import extremes

    kept = significant_terms(keyness, p=1.0, min_count=min_count, column="z", threshold=threshold)
    return extremes(kept, "z", n)


@dataclasses.dataclass(frozen=True)
class BlocComparison:
    """Two blocs of speakers compared inside strata (:func:`compare_blocs`): the keyness ``table``
    (:data:`analysis.terms.groups.WITHIN_COLUMNS`), what was compared, and why nothing was (``reason``)."""

    table: pd.DataFrame
    description: str
    within: str = ""
    reason: str = ""

    def skip(self, title: str):
        """A :class:`~analysis.plots.Skipped` chart with the reason when nothing was compared, else ``None``."""
        from ..plots import Skipped

        return Skipped(title, self.reason) if self.reason else None


def compare_blocs(documents: pd.DataFrame, *, by: str = "council_status", target: str = "P5",
                  reference: str = "elected", within: str | None = None, min_count: int = 1,
                  phrases=None) -> BlocComparison:
    """The words one bloc (``by == target``, e.g. the P5) uses more than another (``reference``, e.g. elected
    members) inside each meeting, or each year where the corpus has no meetings, pooled over the strata
    (:func:`analysis.terms.groups.compare_two_groups`), so the blocs' agendas do not pass for their vocabulary.
    """
    from ..errors import InputError
    from ..terms.groups import WITHIN_COLUMNS, compare_two_groups

    if within is None:
        within = next((field for field in ("meeting", "year") if field in documents.columns
                       and (field_values(documents, field) != "").any()), "year")
    description = f"{by} {target} against {reference}, within each {within}"
    try:
        result = compare_two_groups(documents, by=by, target=target, reference=reference, within=within,
                                    min_count=min_count, phrases=phrases)
    except InputError as error:
        return BlocComparison(pd.DataFrame(columns=WITHIN_COLUMNS), description, within,
                              f"Nothing to compare: {error.message}.")
    groups = result.groups.iloc[0]
    return BlocComparison(result.table, f"{description}: {groups['speeches']:,} speeches against "
                                        f"{groups['reference']:,} in {groups['strata']:,} {within}s where both spoke",
                          within)
