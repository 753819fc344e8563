"""The numbers charts draw: counts, shares, rates and means per group, each with its n and an interval.

Pure functions of the tables ``run`` writes (``documents``, ``sentences``); every one returns a tidy DataFrame
holding exactly what a chart draws, so :func:`analysis.plots.save_figure` can write it beside the figure.

Shares, rates and means come with **bootstrap intervals that resample speeches**, not sentences: sentences of one
speech are not independent (a speech about terrorism has many terrorism sentences), so resampling sentences would
give intervals far too narrow. Within each group, speeches are drawn with replacement ``n_boot`` times and the
statistic (a ratio of sums: sentences carrying a label over sentences, mentions over words) recomputed; the
interval is the percentile interval of those replicates (Efron & Tibshirani 1993, ch. 13). Each group has its own
random stream, derived from ``seed`` and the group's name, so adding a group does not move the others'
intervals, and the same input gives the same numbers.

Groups with fewer than :data:`MIN_SPEECHES` speeches are flagged ``few``: their interval says little, and charts
draw them apart.
"""
from __future__ import annotations

import zlib
from typing import Literal, Sequence

import numpy as np
import pandas as pd

from .validation import require_columns

__all__ = [
    "DEFAULT_BOOTSTRAP", "DEFAULT_LEVEL", "MIN_SPEECHES", "count_by", "complete_rates", "extremes", "f1_intervals",
    "group_means", "group_rates", "group_shares", "histogram_table", "label_indicators", "most_frequent",
    "ratio_by_group", "reliability_table", "sentence_theme_table", "shares_within", "speech_label_counts",
    "wilson_interval",
]

#: Bootstrap replicates of every interval.
DEFAULT_BOOTSTRAP = 1000
#: Coverage of every interval.
DEFAULT_LEVEL = 0.95
#: Groups with fewer speeches than this are flagged ``few`` (an interval from so few speeches says little).
MIN_SPEECHES = 5

Sort = Literal["count", "value"]


# ------------------------------------------------------------------------------------------------ groups

def group_keys(table: pd.DataFrame, column: str, missing: str = "(not given)") -> pd.Series:
    """The values of ``column`` as stripped strings, empty or missing values as ``missing``."""
    require_columns(table, [column], "group_keys")
    values = table[column].astype(object).where(table[column].notna(), "")
    return values.map(lambda v: str(v).strip() or missing)


def group_order(keys: pd.Series, *, top_n: int | None = None, sort: Sort = "count") -> list[str]:
    """Group values, most frequent first (ties by value) or by value; the ``top_n`` most frequent."""
    if sort not in ("count", "value"):
        raise ValueError(f"sort must be 'count' or 'value', got {sort!r}")
    counts = keys.value_counts(sort=False)
    frame = pd.DataFrame({"key": counts.index.astype(str), "n": counts.to_numpy()})
    frame = frame.sort_values(["n", "key"], ascending=[False, True], kind="stable")
    if top_n is not None:
        frame = frame.head(top_n)
    if sort == "value":
        frame = frame.sort_values("key", key=_natural_key, kind="stable")
    return frame["key"].tolist()


def most_frequent(values: pd.Series) -> str:
    """The most frequent non-empty value (ties by value, as :func:`group_order`); ``""`` when there is none."""
    order = group_order(values[values != ""], top_n=1)
    return order[0] if order else ""


def _natural_key(values: pd.Series) -> pd.Series:
    """Numbers in numeric order (``"2"`` before ``"10"``), then text."""
    numbers = pd.to_numeric(values, errors="coerce")
    return pd.Series(list(zip(numbers.isna(), numbers.fillna(0.0), values)), index=values.index)


def count_by(table: pd.DataFrame, column: str, *, top_n: int | None = None, sort: Sort = "count",
             missing: str = "(not given)") -> pd.DataFrame:
    """Rows per value of ``column``: a frame ``column, count``.

    Empty or missing values are counted under ``missing``; ``top_n`` keeps the most frequent (ties by value);
    ``sort="value"`` orders by value (years in order).

    >>> count_by(pd.DataFrame({"year": ["2014", "2003", "2014"]}), "year", sort="value")
       year  count
    0  2003      1
    1  2014      2
    """
    keys = group_keys(table, column, missing)
    order = group_order(keys, top_n=top_n, sort=sort)
    counts = keys.value_counts().reindex(order)
    return pd.DataFrame({column: pd.Series(order, dtype=object), "count": counts.to_numpy().astype("int64")})


# ------------------------------------------------------------------------------------------------ labels

def label_indicators(values: pd.Series, labels: Sequence[str]) -> pd.DataFrame:
    """0/1 per label: whether each value carries it (``values`` hold one label or several ``;``-joined).

    >>> label_indicators(pd.Series(["a;b", "", "b"]), ["a", "b"]).to_numpy().tolist()
    [[1, 1], [0, 0], [0, 1]]
    """
    # A million sentences hold a handful of distinct values: each is split once.
    codes, uniques = pd.factorize(values.fillna("").astype(str))
    labels = list(labels)
    carried = [set(filter(None, value.split(";"))) for value in uniques]
    table = np.array([[label in found for label in labels] for found in carried],
                     dtype=np.int64).reshape(len(uniques), len(labels))[codes]
    return pd.DataFrame({label: table[:, j] for j, label in enumerate(labels)}, index=values.index)


def speech_label_counts(sentences: pd.DataFrame, column: str, labels: Sequence[str]) -> pd.DataFrame:
    """Per speech (``doc_id``, in order of first appearance): ``n_sentences`` and, per label, how many of its
    sentences carry it."""
    require_columns(sentences, ["doc_id", column], "speech_label_counts")
    counts = label_indicators(sentences[column], labels)
    counts.insert(0, "n_sentences", 1)
    grouped = counts.groupby(sentences["doc_id"].to_numpy(), sort=False).sum()
    grouped.index.name = "doc_id"
    return grouped.reset_index()


def sentence_theme_table(sentences: pd.DataFrame, themes: Sequence[str]) -> pd.DataFrame:
    """One row per sentence: ``doc_id, sentence_id``, a 0/1 column per theme, and ``stance``."""
    require_columns(sentences, ["doc_id", "sentence_id", "themes"], "sentence_theme_table")
    table = sentences[["doc_id", "sentence_id"]].copy()
    table[list(themes)] = label_indicators(sentences["themes"], themes).to_numpy()
    stance = sentences["stance"] if "stance" in sentences.columns else pd.Series("", index=sentences.index)
    table["stance"] = stance.fillna("").astype(str)
    return table.reset_index(drop=True)


# ------------------------------------------------------------------------------------------------ intervals

def _stream(seed: int, group: object) -> np.random.Generator:
    return np.random.default_rng([int(seed), zlib.crc32(str(group).encode("utf-8"))])


def _bootstrap(numerators: np.ndarray, denominators: np.ndarray, *, n_boot: int, level: float,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of ``sum(numerators) / sum(denominators)`` over resampled rows (speeches)."""
    k, n_values = numerators.shape
    if k == 0 or n_boot == 0:
        return np.full(n_values, np.nan), np.full(n_values, np.nan)
    weights = rng.multinomial(k, np.full(k, 1.0 / k), size=n_boot).astype(np.float64)
    totals = weights @ denominators
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = (weights @ numerators) / totals[:, None]
    ratios[totals <= 0] = np.nan
    tail = (1.0 - level) / 2.0 * 100.0
    if np.isnan(ratios).all():
        return np.full(n_values, np.nan), np.full(n_values, np.nan)
    lower, upper = np.nanpercentile(ratios, [tail, 100.0 - tail], axis=0)
    return lower, upper


def ratio_by_group(units: pd.DataFrame, *, numerators: Sequence[str], denominator: str, by: str | None = None,
                   scale: float = 1.0, n_boot: int = DEFAULT_BOOTSTRAP, level: float = DEFAULT_LEVEL,
                   seed: int = 0, top_n: int | None = None, sort: Sort = "count", missing: str = "(not given)",
                   value_name: str = "value") -> pd.DataFrame:
    """A ratio of sums per group with a bootstrap interval over the rows (speeches): the core of every share,
    rate and mean a chart draws.

    Parameters
    ----------
    units : DataFrame
        One row per speech: the ``numerators`` and ``denominator`` columns (counts), and ``by``.
    by : str, optional
        The grouping column; ``None``: one group, ``"all"``.
    scale : float
        Multiplies the ratio (1000 for a rate per 1,000 words).
    n_boot, level, seed
        Bootstrap replicates, interval coverage and random seed (see the module docstring).

    Returns
    -------
    DataFrame
        ``<by>, variable, n_speeches, <denominator>, <value_name>, lower, upper, few``: one row per group and
        numerator, groups ordered as :func:`count_by` orders them, then variables in the given order.
    """
    numerators = list(numerators)
    if level <= 0 or level >= 1:
        raise ValueError(f"level must lie between 0 and 1, got {level}")
    if n_boot < 0:
        raise ValueError(f"n_boot must be >= 0, got {n_boot}")
    require_columns(units, [*numerators, denominator] + ([by] if by else []), "ratio_by_group")
    name = by or "group"
    keys = group_keys(units, by, missing) if by else pd.Series("all", index=units.index, dtype=object)
    order = group_order(keys, top_n=top_n, sort=sort)
    values = units[numerators].apply(pd.to_numeric, errors="coerce").fillna(0.0).to_numpy(dtype=np.float64)
    totals = pd.to_numeric(units[denominator], errors="coerce").fillna(0.0).to_numpy(dtype=np.float64)
    codes = pd.Index(order).get_indexer(keys.to_numpy())
    inside = codes >= 0
    sums = np.zeros((len(order), len(numerators)))
    np.add.at(sums, codes[inside], values[inside])
    counts = np.bincount(codes[inside], minlength=len(order))
    denominators = np.bincount(codes[inside], weights=totals[inside], minlength=len(order))
    with np.errstate(divide="ignore", invalid="ignore"):
        points = np.where(denominators[:, None] > 0, sums / denominators[:, None] * scale, np.nan)
    lowers = np.full(points.shape, np.nan)
    uppers = np.full(points.shape, np.nan)
    if n_boot:
        for index, group in enumerate(order):
            mask = codes == index
            lower, upper = _bootstrap(values[mask], totals[mask], n_boot=n_boot, level=level,
                                      rng=_stream(seed, group))
            lowers[index], uppers[index] = lower * scale, upper * scale
    rows = [(group, variable, int(counts[index]), denominators[index], points[index, j], lowers[index, j],
             uppers[index, j]) for index, group in enumerate(order) for j, variable in enumerate(numerators)]
    frame = pd.DataFrame(rows, columns=[name, "variable", "n_speeches", denominator, value_name, "lower", "upper"])
    frame[name] = frame[name].astype(object)
    frame["variable"] = frame["variable"].astype(object)
    if np.allclose(totals, np.round(totals)):
        frame[denominator] = frame[denominator].astype("int64")
    frame["few"] = frame["n_speeches"] < MIN_SPEECHES
    return frame


def group_shares(sentences: pd.DataFrame, *, column: str, labels: Sequence[str], by: str | None = None,
                 documents: pd.DataFrame | None = None, **options) -> pd.DataFrame:
    """Share of the sentences of each group that carry each label, with a bootstrap interval over speeches.

    ``column`` holds one label (``stance``) or several ``;``-joined (``themes``), so theme shares need not sum
    to 1. ``by`` is a column of ``sentences`` or, when ``documents`` is given, of ``documents`` (joined on
    ``doc_id``). Options as :func:`ratio_by_group`.

    Returns
    -------
    DataFrame
        ``<by>, label, n_speeches, n_sentences, share, lower, upper, few``.

    >>> sentences = pd.DataFrame({"doc_id": ["a", "a", "b"], "country": ["X", "X", "Y"],
    ...                           "stance": ["support", "condemn", "support"]})
    >>> group_shares(sentences, column="stance", labels=["support"], by="country", n_boot=0)[
    ...     ["country", "n_speeches", "n_sentences", "share"]]
      country  n_speeches  n_sentences  share
    0       X           1            2    0.5
    1       Y           1            1    1.0
    """
    counts = speech_label_counts(sentences, column, labels)
    if by is not None:
        source = documents if documents is not None else sentences
        require_columns(source, ["doc_id", by], "group_shares")
        counts = counts.merge(source[["doc_id", by]].drop_duplicates("doc_id"), on="doc_id", how="left")
    frame = ratio_by_group(counts, numerators=list(labels), denominator="n_sentences", by=by, value_name="share",
                           **options)
    return frame.rename(columns={"variable": "label"})


def group_rates(documents: pd.DataFrame, *, columns: Sequence[str], by: str | None = None,
                denominator: str = "n_tokens", per: int = 1000, **options) -> pd.DataFrame:
    """Occurrences per ``per`` words (e.g. a theme's mentions per 1,000 words) in each group, with a bootstrap
    interval over speeches: ``<by>, variable, n_speeches, n_tokens, rate, lower, upper, few``."""
    return ratio_by_group(documents, numerators=columns, denominator=denominator, by=by, scale=float(per),
                          value_name="rate", **options)


def group_means(documents: pd.DataFrame, *, columns: Sequence[str], by: str | None = None,
                **options) -> pd.DataFrame:
    """Mean of ``columns`` over the speeches of each group, with a bootstrap interval:
    ``<by>, variable, n_speeches, mean, lower, upper, few`` (missing values count as 0)."""
    units = documents.assign(_one=1)
    frame = ratio_by_group(units, numerators=columns, denominator="_one", by=by, value_name="mean", **options)
    return frame.drop(columns="_one")


# ------------------------------------------------------------------------------------------------ other tables

def histogram_table(values: Sequence[float] | pd.Series, *, bins: int = 20,
                    range: tuple[float, float] | None = None) -> pd.DataFrame:
    """Equal-width histogram of ``values`` as a frame ``bin_start, bin_end, count`` (NaN values dropped).

    The last bin includes its right edge (as :func:`numpy.histogram`).

    >>> histogram_table([1, 2, 2, 4], bins=3)
       bin_start  bin_end  count
    0        1.0      2.0      1
    1        2.0      3.0      2
    2        3.0      4.0      1
    """
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    array = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float)
    array = array[~np.isnan(array)]
    if array.size == 0:
        return pd.DataFrame({"bin_start": pd.Series(dtype=float), "bin_end": pd.Series(dtype=float),
                             "count": pd.Series(dtype="int64")})
    counts, edges = np.histogram(array, bins=bins, range=range)
    return pd.DataFrame({"bin_start": edges[:-1], "bin_end": edges[1:], "count": counts.astype("int64")})


def extremes(table: pd.DataFrame, column: str, n: int) -> pd.DataFrame:
    """The ``n`` rows with the highest positive ``column`` and the ``n`` with the lowest negative, for a
    diverging chart: highest first, lowest last (ties by the order of ``table``). Values within 1e-9 of zero
    count as zero and are left out.

    >>> extremes(pd.DataFrame({"term": list("abcde"), "z": [3.0, -1.0, 2.0, 0.5, -4.0]}), "z", 2)
      term    z
    0    a  3.0
    1    c  2.0
    2    b -1.0
    3    e -4.0
    """
    require_columns(table, [column], "extremes")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    values = pd.to_numeric(table[column], errors="coerce")
    ordered = table.assign(_value=values).sort_values("_value", ascending=False, kind="stable")
    top = ordered[ordered["_value"] > 1e-9].head(n)
    bottom = ordered[ordered["_value"] < -1e-9].tail(n)
    return pd.concat([top, bottom]).drop(columns="_value").reset_index(drop=True)


def complete_rates(rates: pd.DataFrame, terms: Sequence[str], *, by: str = "period",
                   periods: Sequence[str] | None = None) -> pd.DataFrame:
    """Rates of ``terms`` in every period, zeros included: a frame ``<by>, term, count, rate_per_10k``.

    ``rates`` is :func:`analysis.terms.count_terms_by` output, which leaves out the periods where a term does
    not occur; a chart of change over time needs those zeros.

    >>> rates = pd.DataFrame({"period": ["2003", "2014"], "term": ["iraq", "isil"], "count": [4, 2],
    ...                       "rate_per_10k": [8.0, 1.5]})
    >>> complete_rates(rates, ["iraq", "isil"])["rate_per_10k"].tolist()
    [8.0, 0.0, 0.0, 1.5]
    """
    require_columns(rates, [by, "term", "count", "rate_per_10k"], "complete_rates")
    terms = list(dict.fromkeys(terms))
    periods = sorted(rates[by].unique()) if periods is None else list(dict.fromkeys(periods))
    grid = pd.MultiIndex.from_product([periods, terms], names=[by, "term"])
    table = rates[rates["term"].isin(terms)].set_index([by, "term"])[["count", "rate_per_10k"]]
    table = table.reindex(grid, fill_value=0).reset_index()
    table["count"] = table["count"].astype("int64")
    table["rate_per_10k"] = table["rate_per_10k"].astype(float)
    return table


def shares_within(sentences: pd.DataFrame, *, column: str, labels: Sequence[str], within: str,
                  groups: Sequence[str], none_label: str | None = None, **options) -> pd.DataFrame:
    """Share of each label among the sentences carrying each of ``groups`` in the multi-label column ``within``
    (a sentence about two themes counts for both), with bootstrap intervals over speeches.

    ``none_label`` adds the sentences carrying none of ``groups`` under that name. Returns ``<within>, label,
    n_speeches, n_sentences, share, lower, upper, few`` (see :func:`group_shares`).
    """
    require_columns(sentences, ["doc_id", column, within], "shares_within")
    carried = label_indicators(sentences[within], groups)
    parts = [(group, sentences[carried[group].to_numpy() == 1]) for group in groups]
    if none_label is not None:
        parts.append((none_label, sentences[carried.sum(axis=1).to_numpy() == 0]))
    frames = []
    for group, subset in parts:
        if subset.empty:
            continue
        frame = group_shares(subset, column=column, labels=labels, **options).drop(columns="group")
        frame.insert(0, within, group)
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=[within, "label", "n_speeches", "n_sentences", "share", "lower", "upper", "few"])
    return pd.concat(frames, ignore_index=True)


def wilson_interval(successes: np.ndarray, trials: np.ndarray, *, level: float = DEFAULT_LEVEL
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion (Wilson 1927), for shares whose units are independent.

    >>> [round(float(v), 3) for v in np.concatenate(wilson_interval(np.array([8]), np.array([10])))]
    [0.49, 0.943]
    """
    from scipy.stats import norm

    successes, trials = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    z = norm.ppf(1 - (1 - level) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = successes / trials
        centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
        half = z * np.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return np.where(trials > 0, centre - half, np.nan), np.where(trials > 0, centre + half, np.nan)


def reliability_table(correct: Sequence[bool], score: Sequence[float], *, n_bins: int = 10,
                      level: float = DEFAULT_LEVEL) -> pd.DataFrame:
    """A reliability diagram's numbers: sentences binned by their score (equal-width bins over 0-1), and per
    bin the mean score against the share that was right, with a Wilson interval.

    Returns ``bin_start, bin_end, n_sentences, mean_score, accuracy, lower, upper`` for the bins that hold
    sentences. A calibrated score lies on the diagonal: of the sentences scored 0.8, 80 % are right.
    """
    correct = np.asarray(list(correct), dtype=float)
    score = np.asarray(list(score), dtype=float)
    keep = ~np.isnan(score)
    correct, score = correct[keep], score[keep]
    bins = np.minimum((score * n_bins).astype(int), n_bins - 1)
    rows = []
    for index in np.unique(bins):
        inside = bins == index
        rows.append((index / n_bins, (index + 1) / n_bins, int(inside.sum()), float(score[inside].mean()),
                     float(correct[inside].mean()), float(correct[inside].sum())))
    frame = pd.DataFrame(rows, columns=["bin_start", "bin_end", "n_sentences", "mean_score", "accuracy", "_right"])
    lower, upper = wilson_interval(frame["_right"].to_numpy(), frame["n_sentences"].to_numpy(), level=level)
    return frame.drop(columns="_right").assign(lower=lower, upper=upper)


def f1_intervals(truth: np.ndarray, predicted: np.ndarray, *, names: Sequence[str], groups: Sequence | None = None,
                 micro: bool = False, n_boot: int = DEFAULT_BOOTSTRAP, level: float = DEFAULT_LEVEL,
                 seed: int = 0) -> pd.DataFrame:
    """F1 per label with a bootstrap interval, from boolean indicators ``(n_items, n_labels)``: single-label
    (one true column per row, as stance) or multi-label (any number, as themes).

    Items are resampled by ``groups`` (their speech or debate, when given: sentences of one speech are not
    independent), ``n_boot`` times with a fixed ``seed``; the interval is the percentile interval. F1 is
    ``2 tp / (2 tp + fp + fn)``, 0 where a label is neither true nor predicted (scikit-learn's
    ``zero_division=0``). After the labels come ``micro`` (pooled counts; with ``micro=True``) and ``macro``
    (the mean of the labels' F1).

    Returns ``label, f1, lower, upper, support`` (true items per label; all items for the averages).

    >>> truth = np.array([[True, False], [False, True]])
    >>> f1_intervals(truth, np.array([[True, False], [True, False]]), names=["a", "b"], n_boot=0)["f1"].tolist()
    [0.6666666666666666, 0.0, 0.3333333333333333]
    """
    truth, predicted = np.asarray(truth, dtype=bool), np.asarray(predicted, dtype=bool)
    names = list(names)
    if truth.shape != predicted.shape or truth.ndim != 2 or truth.shape[1] != len(names):
        raise ValueError(f"truth {truth.shape} and predicted {predicted.shape} must both be (items, {len(names)})")
    groups = np.arange(len(truth)) if groups is None else np.asarray(list(groups), dtype=object)
    codes, uniques = pd.factorize(pd.Series(groups, dtype=object))
    counts = np.zeros((len(uniques), len(names), 3))  # per group and label: true pos., false pos., false neg.
    for k, hit in enumerate((truth & predicted, ~truth & predicted, truth & ~predicted)):
        for j in range(len(names)):
            counts[:, j, k] = np.bincount(codes, weights=hit[:, j].astype(float), minlength=len(uniques))

    def f1(totals: np.ndarray) -> np.ndarray:
        if micro:
            totals = np.concatenate([totals, totals.sum(axis=-2, keepdims=True)], axis=-2)
        tp, fp, fn = totals[..., 0], totals[..., 1], totals[..., 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), 0.0)
        per_label = scores[..., :len(names)]
        return np.concatenate([scores, per_label.mean(axis=-1, keepdims=True)], axis=-1)

    point = f1(counts.sum(axis=0))
    if n_boot and len(uniques):
        rng = np.random.default_rng(seed)
        weights = rng.multinomial(len(uniques), np.full(len(uniques), 1.0 / len(uniques)), size=n_boot)
        replicates = f1(np.einsum("bg,glk->blk", weights.astype(float), counts))
        tail = (1 - level) / 2 * 100
        lower, upper = np.percentile(replicates, [tail, 100 - tail], axis=0)
    else:
        lower = upper = np.full(len(point), np.nan)
    support = [int(n) for n in truth.sum(axis=0)] + [len(truth)] * (2 if micro else 1)
    return pd.DataFrame({"label": [*names, *(["micro"] if micro else []), "macro"], "f1": point, "lower": lower,
                         "upper": upper, "support": support})
