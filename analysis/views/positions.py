"""Where speakers stand on one dimension, as notebook 07 shows it: Wordfish positions of the speakers of one
Council debate (:func:`debate_positions`) and of countries in the General Debate by period
(:func:`period_positions`), Wordscores from reference texts the analyst names (:func:`wordscores_positions`),
means of positions by group and period (:func:`group_positions`) and the words at both ends of the scale
(:meth:`Scaled.poles`).

The estimators are :class:`analysis.scaling.Wordfish` and :class:`analysis.scaling.Wordscores` on counts of the
project's counting engine (:func:`analysis.scaling.count_matrix`). A text is a *unit*: one country's speeches in
the debate, or in one period, joined; units are named by ISO3 code (the country name where there is none), so
the same state is one unit whatever name form the record uses. When a corpus cannot support a view (no Council
debate, no General Debate, too few units, a reference text missing), the result carries the sentence saying
why and :meth:`Scaled.skip` turns it into :class:`analysis.plots.Skipped` for each chart.
"""
from __future__ import annotations

import dataclasses
import warnings
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..aggregate import group_means, group_order, most_frequent
from .fields import field_values

__all__ = ["MIN_UNITS", "POSITION_COLUMNS", "Scaled", "debate_positions", "group_positions", "period_positions",
           "pick_debate", "scaling_agreement", "scaling_units", "wordscores_positions"]

#: Fewest texts a scaling is run on (Wordfish standardises positions: with two, they are always ±0.71).
MIN_UNITS = 5
#: Columns of a positions table, one row per unit.
POSITION_COLUMNS = ["unit", "country", "iso3", "un_group", "council_status", "period", "n_speeches", "n_tokens",
                    "position", "se", "lower", "upper", "few"]
_UNIT_FIELDS = ("country", "iso3", "un_group", "council_status")
#: The council status of a text whose speaker is not a member state (UN officials, organisations, briefers).
NOT_A_STATE = "(not a member state)"
#: The regional group shown for a state without one (observers, Kiribati, the European Union).
NO_GROUP = "(no regional group)"


@dataclasses.dataclass(frozen=True)
class Scaled:
    """Positions of texts and what produced them.

    Attributes
    ----------
    table : DataFrame
        :data:`POSITION_COLUMNS`, sorted by ``position`` (then ``unit``); empty when ``reason`` is set.
    words : DataFrame
        ``term, beta, psi, count``: each word's slope (positive: used more at the high end) and frequency,
        sorted by ``beta`` (Wordfish only).
    counts : DataFrame
        The units × terms counts the model saw (index ``unit``).
    description : str
        What was scaled, in one sentence.
    reason : str
        Why nothing was scaled (``""`` when it was).
    """

    table: pd.DataFrame
    words: pd.DataFrame
    counts: pd.DataFrame
    description: str
    reason: str = ""

    def skip(self, title: str):
        """A :class:`~analysis.plots.Skipped` chart with the reason when nothing was scaled, else ``None``."""
        from ..plots import Skipped  # charts are drawn in the notebook; the scaling itself needs no matplotlib

        return Skipped(title, self.reason) if self.reason else None

    def poles(self, n: int, *, min_count: int = 5, period: str | None = None) -> pd.DataFrame:
        """The ``n`` words of lowest and the ``n`` of highest slope among those seen ``min_count`` times: the
        words that place a text at each end of the scale, highest first (``term, beta, psi, count``); with
        one model per period, those of ``period`` (default: the latest)."""
        words = self.words[self.words["count"] >= min_count]
        if "period" in words.columns:
            periods = list(dict.fromkeys(self.words["period"]))
            words = words[words["period"] == (str(period) if period is not None else periods[-1])]
        if len(words) > 2 * n:
            words = pd.concat([words.head(n), words.tail(n)])
        return words.sort_values(["beta", "term"], ascending=[False, True], kind="stable").reset_index(drop=True)


    @property
    def periods(self) -> list[str]:
        """The periods of the positions, in order (empty for a debate)."""
        return [value for value in dict.fromkeys(self.table["period"]) if value != ""]

    def in_period(self, period: str | None = None) -> pd.DataFrame:
        """The positions of one period (default: the latest; all positions when there are no periods)."""
        if not self.periods:
            return self.table
        return self.table[self.table["period"] == (str(period) if period is not None else self.periods[-1])]

    def ends(self, n: int, *, period: str | None = None) -> pd.DataFrame:
        """The ``n`` texts of highest and the ``n`` of lowest position (of ``period``, default the latest),
        highest first; all of them when there are no more than ``2 n``."""
        table = self.in_period(period).sort_values(["position", "unit"], ascending=[False, True], kind="stable")
        if len(table) > 2 * n:
            table = pd.concat([table.head(n), table.tail(n)])
        return table.assign(un_group=table["un_group"].replace("", NO_GROUP)).reset_index(drop=True)

    def of_countries(self, codes: Sequence[str]) -> pd.DataFrame:
        """The positions of the states ``codes`` (ISO3) in every period, period first, for a timeline."""
        table = self.table[self.table["iso3"].isin(list(codes))]
        order = {code: index for index, code in enumerate(codes)}
        table = table.assign(period=pd.to_numeric(table["period"], errors="coerce"),
                             _order=table["iso3"].map(order))
        table = table.sort_values(["period", "_order"], kind="stable").drop(columns="_order")
        table = table.assign(period_speeches=table["period"].map(self._period_speeches()))
        return table[["period", *[c for c in POSITION_COLUMNS if c != "period"], "period_speeches"]].reset_index(
            drop=True)

    def _period_speeches(self) -> pd.Series:
        """Speeches scaled in each period (numeric period → count)."""
        return self.table.groupby(pd.to_numeric(self.table["period"], errors="coerce"))["n_speeches"].sum()


def scaling_agreement(first: Scaled, second: Scaled) -> pd.DataFrame:
    """How far two scalings of the same texts agree: Pearson's and Spearman's r over the texts both place
    (``texts, pearson_r, spearman_r``; empty when either was not run)."""
    columns = ["texts", "pearson_r", "spearman_r"]
    if first.reason or second.reason:
        return pd.DataFrame(columns=columns)
    # reference texts (drawn hollow, ``few``) have given positions, not estimated ones: left out
    placed = [table[~table["few"].astype(bool)].set_index("unit")[["position"]] for table in (first.table,
                                                                                               second.table)]
    both = pd.concat([placed[0]["position"], placed[1]["position"]], axis=1, join="inner", keys=["a", "b"])
    if len(both) < 3:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame([{"texts": len(both), "pearson_r": both.corr(method="pearson").iloc[0, 1],
                          "spearman_r": both.corr(method="spearman").iloc[0, 1]}], columns=columns)


def _empty(description: str, reason: str) -> Scaled:
    return Scaled(pd.DataFrame(columns=POSITION_COLUMNS), pd.DataFrame(columns=["term", "beta", "psi", "count"]),
                  pd.DataFrame(), description, reason)


# ------------------------------------------------------------------------------------------------ units

def scaling_units(documents: pd.DataFrame, *, period: str | None = None) -> pd.DataFrame:
    """One text per state (and per ``period`` value): its speeches joined, named by ISO3 code.

    Speeches without ``iso3`` are grouped by country name, then by speaker, then by ``doc_id``. ``country``
    (the speaker's name for a speech for no state), ``un_group`` and ``council_status`` are each unit's most
    frequent value.

    Returns
    -------
    DataFrame
        ``unit, country, iso3, un_group, council_status, period, n_speeches, n_tokens, text``, sorted by
        ``period`` then ``unit``; ``unit`` is ``"<key>"`` or ``"<key> <period>"``.
    """
    fields = {name: (field_values(documents, name) if name in documents.columns
                     else pd.Series("", index=documents.index)) for name in _UNIT_FIELDS}
    key = fields["iso3"].where(fields["iso3"] != "", fields["country"])
    speakers = field_values(documents, "speaker") if "speaker" in documents.columns else fields["country"]
    # a speaker for no state (the Secretary-General, a briefer) is one text, named by the speaker when known
    fields["country"] = fields["country"].where(fields["country"] != "", speakers)
    key = key.where(key != "", fields["country"])
    key = key.where(key != "", field_values(documents, "doc_id"))
    periods = field_values(documents, period) if period else pd.Series("", index=documents.index)
    frame = pd.DataFrame({"key": key, "period": periods, **fields, "text": documents["text"].fillna("").astype(str),
                          "n_tokens": pd.to_numeric(documents.get("n_tokens", 0), errors="coerce")})
    rows = []
    for (unit_key, unit_period), part in frame.groupby(["key", "period"], sort=True):
        rows.append({"unit": f"{unit_key} {unit_period}".strip(), "country": most_frequent(part["country"]) or unit_key,
                     "iso3": most_frequent(part["iso3"]), "un_group": most_frequent(part["un_group"]),
                     "council_status": most_frequent(part["council_status"]), "period": unit_period,
                     "n_speeches": len(part), "n_tokens": int(part["n_tokens"].fillna(0).sum()),
                     "text": "\n\n".join(part["text"])})
    columns = ["unit", "country", "iso3", "un_group", "council_status", "period", "n_speeches", "n_tokens", "text"]
    units = pd.DataFrame(rows, columns=columns)
    if period:
        numeric = pd.to_numeric(units["period"], errors="coerce")
        units = units.assign(_order=numeric).sort_values(["_order", "unit"], kind="stable").drop(columns="_order")
    return units.reset_index(drop=True)


def pick_debate(documents: pd.DataFrame, meeting: str | None = None) -> tuple[str, str]:
    """The Council meeting whose speakers to place: ``meeting`` if given, else the one with the most speeches
    (ties by symbol). Returns ``(meeting, "")``, or ``("", reason)`` when there is none."""
    if "meeting" not in documents.columns:
        return "", "The corpus records no meetings, so there is no Council debate to scale."
    meetings = field_values(documents, "meeting")
    council = meetings != ""
    if "body" in documents.columns:
        council &= field_values(documents, "body").isin(["UNSC", ""])
    if not council.any():
        return "", "The corpus holds no Security Council meeting (its speeches have no meeting symbol)."
    if meeting is None:
        return most_frequent(meetings[council]), ""
    if not (meetings == str(meeting)).any():
        return "", f"No speech of the corpus has meeting = {meeting!r}."
    return str(meeting), ""


# ------------------------------------------------------------------------------------------------ Wordfish

def _direction(units: pd.DataFrame, direction: Sequence[str] | None) -> tuple[tuple, str]:
    """Wordfish's ``dir`` from two ISO3 codes (low end, high end) present among the units, in their latest
    period; else austin's default (first and last unit) and a note that the sign is arbitrary."""
    if direction is not None and len(direction) == 2:
        found = []
        for code in direction:
            rows = units.index[(units["iso3"] == code) | (units["unit"] == code)]
            found.append(rows[-1] if len(rows) else None)
        if None not in found and found[0] != found[1]:
            return (units.at[found[0], "unit"], units.at[found[1], "unit"]), \
                f"oriented so that {direction[1]} lies above {direction[0]}"
    return (0, -1), "its direction is arbitrary (the named states are not both among the texts)"


def _fit(units: pd.DataFrame, *, description: str, direction, min_docs: int, max_terms: int, n_boot: int,
         seed: int, level: float) -> Scaled:
    from ..scaling import Wordfish, count_matrix

    if len(units) < MIN_UNITS:
        return _empty(description, f"Only {len(units)} texts: Wordfish needs at least {MIN_UNITS}.")
    try:
        counts = count_matrix(units.rename(columns={"unit": "doc_id"}), min_docs=min(min_docs, len(units)),
                              max_terms=max_terms)
    except ValueError as error:
        return _empty(description, f"No words to scale: {error}.")
    empty = counts.sum(axis=1) == 0
    if empty.any():
        counts, units = counts[~empty.to_numpy()], units[~empty.to_numpy()].reset_index(drop=True)
    dir_, note = _direction(units, direction)
    model = Wordfish(dir=dir_, level=level, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a fit that stops at max_iter is still reported as fitted
        model.fit(counts)
    positions = model.bootstrap(n_boot) if n_boot else model.positions()
    table = units.drop(columns="text").assign(position=positions["theta"].to_numpy(),
                                              se=positions["se"].to_numpy(), lower=positions["lower"].to_numpy(),
                                              upper=positions["upper"].to_numpy())
    table["few"] = False
    table["council_status"] = table["council_status"].replace("", NOT_A_STATE)
    table = table.sort_values(["position", "unit"], kind="stable").reset_index(drop=True)[POSITION_COLUMNS]
    words = pd.DataFrame({"term": model.beta_.index.astype(str), "beta": model.beta_.to_numpy(),
                          "psi": model.psi_.to_numpy(),
                          "count": counts[model.beta_.index].sum(axis=0).to_numpy(dtype=np.int64)})
    words = words.sort_values(["beta", "term"], kind="stable").reset_index(drop=True)
    interval = (f"{level:.0%} intervals from {n_boot} parametric bootstrap refits" if n_boot
                else f"{level:.0%} intervals from the asymptotic standard errors (too narrow, as is known)")
    return Scaled(table, words, counts.rename_axis("unit"),
                  f"{description}: Wordfish on {len(units):,} texts and {counts.shape[1]:,} words, {note}; "
                  f"{interval}")


def debate_positions(documents: pd.DataFrame, *, meeting: str | None = None,
                     direction: Sequence[str] | None = None, min_docs: int = 2, max_terms: int = 5000,
                     n_boot: int = 50, seed: int = 0, level: float = 0.95) -> Scaled:
    """Wordfish positions of the speakers of one Council debate (:func:`pick_debate`), one text per state.

    Parameters
    ----------
    meeting : str, optional
        The meeting symbol (default: the meeting with the most speeches).
    direction : (str, str), optional
        Two ISO3 codes: the first is placed below the second. Otherwise the direction is arbitrary.
    min_docs, max_terms
        Words used by fewer texts are left out; then only the ``max_terms`` most frequent are kept.
    n_boot : int
        Parametric bootstrap refits for the intervals (0: asymptotic standard errors).
    """
    chosen, reason = pick_debate(documents, meeting)
    if reason:
        return _empty("no Council debate", reason)
    speeches = documents[field_values(documents, "meeting") == chosen]
    units = scaling_units(speeches)
    return _fit(units, description=f"the speakers of {chosen} ({len(speeches):,} speeches)", direction=direction,
                min_docs=min_docs, max_terms=max_terms, n_boot=n_boot, seed=seed, level=level)


def period_positions(documents: pd.DataFrame, *, years: int = 10, body: str = "UNGA",
                     direction: Sequence[str] | None = None, min_docs: int = 5, max_terms: int = 5000,
                     seed: int = 0, level: float = 0.95) -> Scaled:
    """Wordfish positions of countries in the General Debate by period: one text per state and period of
    ``years`` years, one model per period, each oriented by ``direction``. Intervals are asymptotic.

    One model per period, because a model of all periods together finds time itself: the General Debate's
    vocabulary changed so much from the 1970s to the 2020s that its first dimension orders the speeches by
    decade. Positions are therefore comparable within a period (mean 0, standard deviation 1 in each), not
    across periods; ``period`` is the first year of the period (``1974`` with ``years=10`` falls in ``1970``).
    """
    description = "countries in the General Debate by period"
    if "year" not in documents.columns:
        return _empty(description, "The corpus records no years.")
    speeches = documents
    if "body" in documents.columns:
        speeches = documents[field_values(documents, "body") == body]
    speeches = speeches[pd.to_numeric(speeches["year"], errors="coerce").notna()]
    if speeches.empty:
        return _empty(description, f"The corpus holds no {body} speeches with a year, so there is no General "
                                   "Debate to scale.")
    period = (pd.to_numeric(speeches["year"]) // years * years).astype(int).astype(str)
    units = scaling_units(speeches.assign(period=period.to_numpy()), period="period")
    tables, words, counts, skipped = [], [], [], []
    for value in dict.fromkeys(units["period"]):
        fitted = _fit(units[units["period"] == value].reset_index(drop=True), description=value,
                      direction=direction, min_docs=min_docs, max_terms=max_terms, n_boot=0, seed=seed,
                      level=level)
        if fitted.reason:
            skipped.append(f"{value} ({fitted.reason.rstrip('.')})")
            continue
        tables.append(fitted.table)
        words.append(fitted.words.assign(period=value))
        counts.append(fitted.counts)
    summary = (f"{description} ({len(speeches):,} speeches, {len(tables)} periods of {years} years, one "
               f"Wordfish model each, at most {max_terms:,} words used by {min_docs} texts or more)")
    if not tables:
        return _empty(summary, "No period has enough texts: " + "; ".join(skipped) + ".")
    note = f"; periods left out: {'; '.join(skipped)}" if skipped else ""
    oriented = (f"oriented so that {direction[1]} lies above {direction[0]} where both spoke"
                if direction is not None else "direction arbitrary")
    return Scaled(pd.concat(tables, ignore_index=True), pd.concat(words, ignore_index=True),
                  pd.concat(counts).fillna(0).astype("int64"),
                  f"{summary}, {oriented}; 95% intervals from the asymptotic standard errors{note}")


# ------------------------------------------------------------------------------------------------ summaries

def group_positions(scaled: Scaled, *, by: str, over: str | None = None, groups: Sequence[str] | None = None,
                    n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> pd.DataFrame:
    """Mean position of the texts of each group (and period), with a bootstrap interval over the texts.

    Returns
    -------
    DataFrame
        ``[<over>,] <by>, n_texts, n_speeches, mean, lower, upper, few[, period_speeches]``: ``n_texts`` units
        (states), holding ``n_speeches`` speeches; groups in ``groups`` order (default: most texts first),
        periods in order; with ``over``, ``period_speeches`` counts every speech scaled in the period.
    """
    table = scaled.table
    if groups is not None:
        table = table[table[by].isin(groups)]
    table = table[field_values(table, by) != ""]
    columns = ([over] if over else []) + [by, "n_texts", "n_speeches", "mean", "lower", "upper", "few"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    order = list(groups) if groups is not None else group_order(table[by])
    parts = []
    for value, part in (table.groupby(over, sort=False) if over else [(None, table)]):
        means = group_means(part, columns=["position"], by=by, n_boot=n_boot, seed=seed, level=level)
        speeches = part.groupby(by)["n_speeches"].sum()
        means = means.rename(columns={"n_speeches": "n_texts"}).assign(
            n_speeches=means[by].map(speeches).astype("int64"))
        if over:
            means.insert(0, over, value)
        parts.append(means)
    frame = pd.concat(parts, ignore_index=True)
    frame["_group"] = frame[by].map({name: index for index, name in enumerate(order)})
    sort = ([over] if over else []) + ["_group"]
    if over:
        frame[over] = pd.to_numeric(frame[over], errors="coerce")
    frame = frame.dropna(subset=["_group"]).sort_values(sort, kind="stable")
    if over:  # a timeline's lower panel counts every speech of the period, not one group's
        frame["period_speeches"] = frame[over].map(
            scaled.table.groupby(pd.to_numeric(scaled.table[over], errors="coerce"))["n_speeches"].sum())
        columns.append("period_speeches")
    return frame[columns].reset_index(drop=True)


def wordscores_positions(scaled: Scaled, references: Mapping[str, float], *, period: str | None = None,
                         level: float = 0.95) -> Scaled:
    """Wordscores (LBG rescaling) of the texts of a scaling, with the states named in ``references`` (ISO3
    code → position) as reference texts; with periods, the texts of ``period`` (default: the latest).

    The reference texts' own rows carry their given scores (``se`` 0); the others are the virgin texts.
    """
    from ..scaling import Wordscores

    description = "Wordscores"
    if scaled.reason:
        return _empty(description, scaled.reason)
    table, counts = scaled.table, scaled.counts
    periods = sorted(set(table["period"]) - {""}, key=lambda value: (len(value), value))
    if periods:
        chosen = period if period is not None else periods[-1]
        table = table[table["period"] == str(chosen)]
    references = {str(code): float(score) for code, score in (references or {}).items()}
    found = {code: table.loc[table["iso3"] == code, "unit"].tolist() for code in references}
    missing = [code for code, units in found.items() if not units]
    if len(references) < 2 or missing or len(set(references.values())) < 2:
        why = (f"the reference states {', '.join(missing)} have no text here" if missing
               else "name at least two reference states with different scores")
        return _empty(description, f"No Wordscores: {why}.")
    reference_units = [units[0] for units in found.values()]
    virgin = table[~table["unit"].isin(reference_units)]
    if len(virgin) < 2:
        return _empty(description, "No Wordscores: fewer than two texts besides the reference texts.")
    model = Wordscores(rescaling="lbg", level=level).fit(counts.loc[reference_units], list(references.values()))
    try:
        predicted = model.predict(counts.loc[virgin["unit"]])
    except ValueError as error:
        return _empty(description, f"No Wordscores: {error}.")
    scored = virgin.assign(position=predicted["rescaled"].to_numpy(),
                           se=((predicted["upper"] - predicted["lower"]) / 2).to_numpy(),
                           lower=predicted["lower"].to_numpy(), upper=predicted["upper"].to_numpy())
    anchors = table.set_index("unit").loc[reference_units].reset_index().assign(
        position=list(references.values()), se=0.0)
    anchors = anchors.assign(lower=anchors["position"], upper=anchors["position"])
    result = pd.concat([scored, anchors], ignore_index=True)
    result["few"] = result["unit"].isin(reference_units)  # drawn hollow: given, not estimated
    result = result.sort_values(["position", "unit"], kind="stable").reset_index(drop=True)[POSITION_COLUMNS]
    where = f" in {table['period'].iloc[0]}" if periods else ""
    named = ", ".join(f"{code} = {score:g}" for code, score in references.items())
    return Scaled(result, pd.DataFrame({"term": model.wordscores_.index.astype(str),
                                        "beta": model.wordscores_.to_numpy(), "psi": 0.0,
                                        "count": counts.loc[reference_units, model.wordscores_.index]
                                        .sum(axis=0).to_numpy(dtype=np.int64)}),
                  counts.loc[result["unit"]],
                  f"Wordscores of {len(virgin):,} texts{where} from the reference texts {named} "
                  f"(LBG rescaling; {level:.0%} intervals)")
