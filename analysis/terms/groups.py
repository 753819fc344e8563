"""Keyness between groups of speeches: every group against the rest, two named groups against each other, and
comparisons inside strata (the ``compare`` command's designs).

The statistics of one comparison are :func:`analysis.terms.keyness_scores` (Dunning's G², Hardie's log ratio,
the Monroe-Colaresi-Quinn log-odds z); this module decides which speeches are compared with which, counts the
corpus once for all of them, and pools comparisons made inside strata:

* :func:`compare_all_groups`: each value of a field against all other speeches, one table with a ``group``
  column (:data:`GROUP_KEYNESS_COLUMNS`);
* :func:`compare_two_groups`: the speeches of one value against those of another, the rest left out
  (:data:`analysis.terms.KEYNESS_COLUMNS`);
* with ``within=FIELD`` both compare inside each stratum (a meeting, a year) and pool the strata with the
  Cochran-Mantel-Haenszel test and the Mantel-Haenszel common odds ratio (:func:`stratified_scores`,
  :data:`WITHIN_COLUMNS`), so that a bloc's vocabulary is not confused with the agenda of the meetings it
  spoke in.

Groups with fewer than ``min_speeches`` speeches are skipped and named in the result's ``warnings``;
speeches whose field is empty belong to no group but stay in "the rest".
"""
from __future__ import annotations

import dataclasses
import difflib
from typing import Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..aggregate import group_order
from ..errors import InputError
from ..validation import as_texts, require_columns
from .analyzer import TermAnalyzer
from .counting import count_tokens
from .keyness import KEYNESS_COLUMNS, keyness_scores

__all__ = ["DocumentTerms", "GROUP_KEYNESS_COLUMNS", "GroupKeyness", "MIN_GROUP_SPEECHES", "WITHIN_COLUMNS",
           "compare_all_groups", "compare_two_groups", "document_terms", "stratified_scores"]

#: Fewest speeches a group needs to be compared; smaller groups are skipped with a warning.
MIN_GROUP_SPEECHES = 2
#: Columns of a stratified comparison (``within=``): counts and rates over the strata where both groups spoke.
WITHIN_COLUMNS = ["term", "count_target", "count_reference", "rate_target", "rate_reference", "strata", "chi2_mh",
                  "p", "log_odds_mh", "se", "z"]
#: Columns of :func:`compare_all_groups` without strata (with strata: ``group`` + :data:`WITHIN_COLUMNS`).
GROUP_KEYNESS_COLUMNS = ["group", *KEYNESS_COLUMNS]

_SHOWN = 10  # skipped groups named in a warning
_FLOAT_CHUNK = 20_000  # terms pooled at a time: strata × chunk dense arrays stay a few tens of MB


@dataclasses.dataclass(frozen=True)
class GroupKeyness:
    """A keyness comparison's table and what went into it.

    Attributes
    ----------
    table : DataFrame
        :data:`GROUP_KEYNESS_COLUMNS`, :data:`analysis.terms.KEYNESS_COLUMNS` or (with strata)
        :data:`WITHIN_COLUMNS`, the latter with ``group`` first for every-group comparisons.
    groups : DataFrame
        ``group, speeches, reference, strata, compared``: per group its speeches, those it was set against,
        the strata where both spoke (0 without strata) and whether it was compared.
    warnings : list of str
        Groups skipped (too few speeches, no stratum shared with the reference) and speeches left out.
    """

    table: pd.DataFrame
    groups: pd.DataFrame
    warnings: list[str]


# ------------------------------------------------------------------------------------------------ inputs

def _field(documents: pd.DataFrame, name: str, option: str) -> pd.Series:
    """A metadata column as stripped strings (missing: ``""``); an :class:`InputError` naming the valid fields."""
    fields = [column for column in documents.columns if column not in ("text", "raw_chars")]
    if name not in fields:
        raise InputError(f"unknown field {name!r} for {option}; valid fields: {', '.join(map(str, fields))}")
    column = documents[name]
    return column.astype(object).where(column.notna(), "").map(lambda v: str(v).strip()).reset_index(drop=True)


def _require_value(values: pd.Series, by: str, value: str) -> None:
    if (values == value).any():
        return
    distinct = sorted(set(values) - {""})
    if not distinct:
        raise InputError(f"no speech has {by} = {value!r}: field {by!r} is empty in every speech")
    close = difflib.get_close_matches(value, distinct, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
    shown = ", ".join(map(repr, distinct[:8])) + (", ..." if len(distinct) > 8 else "")
    raise InputError(f"no speech has {by} = {value!r}{hint} ({len(distinct)} value{'s' if len(distinct) != 1 else ''}"
                     f", e.g. {shown})")


@dataclasses.dataclass(frozen=True)
class DocumentTerms:
    """The counts every comparison reads: a speeches × terms matrix (int64, terms sorted), the terms, and the
    word tokens of each speech. Count once with :func:`document_terms` and pass it as ``counts`` to compare
    many designs on the same speeches (the explorer does)."""

    matrix: sp.csr_matrix
    terms: np.ndarray
    tokens: np.ndarray


def document_terms(texts, *, ngram_range: tuple[int, int] = (1, 2), stopwords: frozenset[str] | None = None,
                   phrases: Iterable[str] | None = None) -> DocumentTerms:
    """The :class:`DocumentTerms` of some texts, counted as keyness counts them (:class:`TermAnalyzer`)."""
    texts = as_texts(texts, "keyness")
    analyzer = TermAnalyzer(ngram_range=ngram_range, stopwords=stopwords, phrases=phrases)
    counts = count_tokens(texts, ngram_range=analyzer.ngram_range, stopwords=analyzer.stopwords,
                          phrases=analyzer.phrases)
    matrix, terms = counts.sorted_matrix()
    return DocumentTerms(matrix, terms, counts.n_tokens)


# ------------------------------------------------------------------------------------------------ pooling

def stratified_scores(count_target: np.ndarray, count_reference: np.ndarray, total_target: np.ndarray,
                      total_reference: np.ndarray) -> pd.DataFrame:
    """Keyness pooled over strata: the Cochran-Mantel-Haenszel test and the Mantel-Haenszel log odds ratio.

    In stratum ``k`` a term's 2 × 2 table is (term, other tokens) × (target, reference): ``a_k`` and ``b_k``
    the term's counts in the target and reference, ``c_k`` and ``d_k`` their sizes in tokens,
    ``n_k = c_k + d_k`` and ``m_k = a_k + b_k``. Strata where either group has no tokens carry no information
    and are left out.

    * ``chi2_mh``, the Cochran-Mantel-Haenszel statistic without continuity correction (Mantel & Haenszel
      1959), signed like ``g2``: ``(Σ (a_k − E_k))² / Σ V_k`` with ``E_k = c_k m_k / n_k`` and
      ``V_k = c_k d_k m_k (n_k − m_k) / (n_k² (n_k − 1))``; ``p`` its χ² (1 df) tail probability. It asks
      whether the term is over-used by the target *within* strata: a term both groups use more in some
      strata (a meeting's agenda) adds as much to ``E_k`` as to ``a_k`` and nothing to the statistic;
    * ``log_odds_mh``, the natural log of the Mantel-Haenszel common odds ratio
      ``Σ a_k (d_k − b_k) / n_k ÷ Σ b_k (c_k − a_k) / n_k``, with ``se`` its Robins-Breslow-Greenland (1986)
      standard error and ``z = log_odds_mh / se``. A term one group never uses in any stratum would have an
      infinite ratio: for it 0.5 is added to every cell of every stratum (Haldane-Anscombe), as its zero
      count beside it shows;
    * ``rate_target``, ``rate_reference``: per 10,000 tokens over all strata together.

    Parameters
    ----------
    count_target, count_reference : array of int, shape (n_strata, n_terms)
    total_target, total_reference : array of int, shape (n_strata,)

    Returns
    -------
    DataFrame
        ``count_target, count_reference, rate_target, rate_reference, strata, chi2_mh, p, log_odds_mh, se, z``,
        one row per term, in input order; ``strata`` counts the informative strata where the term occurs.

    >>> one = stratified_scores(np.array([[10]]), np.array([[5]]), np.array([100]), np.array([100]))
    >>> round(float(np.exp(one["log_odds_mh"].iloc[0])), 4)  # one stratum: the plain odds ratio, 10·95 / (5·90)
    2.1111
    """
    from scipy.stats import chi2

    a = np.asarray(count_target, dtype=np.float64)
    b = np.asarray(count_reference, dtype=np.float64)
    c = np.asarray(total_target, dtype=np.float64)
    d = np.asarray(total_reference, dtype=np.float64)
    if a.ndim != 2 or a.shape != b.shape or c.shape != (a.shape[0],) or d.shape != c.shape:
        raise ValueError(f"counts must be (strata, terms) arrays of one shape with one total per stratum; got "
                         f"{a.shape}, {b.shape}, {c.shape}, {d.shape}")
    if (a < 0).any() or (b < 0).any() or (a > c[:, None]).any() or (b > d[:, None]).any():
        raise ValueError("counts must lie between 0 and their stratum's total")
    informative = (c > 0) & (d > 0)
    a, b, c, d = a[informative], b[informative], c[informative, None], d[informative, None]
    if not len(c):
        raise ValueError("no stratum has tokens in both groups")
    n = c + d
    m = a + b
    observed = a.sum(axis=0)
    expected = (c * m / n).sum(axis=0)
    variance = (c * d * m * (n - m) / (n * n * np.maximum(n - 1, 1))).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = np.where(variance > 0, (observed - expected) ** 2 / variance, 0.0)
    signed = np.sign(observed - expected) * statistic
    log_odds, se = _mantel_haenszel(a, b, c, d)
    zero = ~np.isfinite(log_odds)
    if zero.any():
        log_odds[zero], se[zero] = _mantel_haenszel(a[:, zero] + 0.5, b[:, zero] + 0.5, c + 1.0, d + 1.0)
    total_c, total_d = float(c.sum()), float(d.sum())
    return pd.DataFrame({
        "count_target": a.sum(axis=0).astype(np.int64),
        "count_reference": b.sum(axis=0).astype(np.int64),
        "rate_target": 10_000.0 * observed / total_c,
        "rate_reference": 10_000.0 * b.sum(axis=0) / total_d,
        "strata": (m > 0).sum(axis=0).astype(np.int64),
        "chi2_mh": signed,
        "p": chi2.sf(statistic, df=1),
        "log_odds_mh": log_odds,
        "se": se,
        "z": np.where(se > 0, log_odds / np.where(se > 0, se, 1.0), 0.0),
    })


def _mantel_haenszel(a, b, c, d) -> tuple[np.ndarray, np.ndarray]:
    """Log of the Mantel-Haenszel odds ratio and its Robins-Breslow-Greenland standard error, per column.

    Cells of stratum ``k``: ``A = a`` (term, target), ``B = c − a`` (other tokens, target), ``C = b``,
    ``D = d − b``; ``R = A D / n``, ``S = B C / n``, ``P = (A + D) / n``, ``Q = (B + C) / n``.
    """
    n = c + d
    big_a, big_b, big_c, big_d = a, c - a, b, d - b
    r, s = big_a * big_d / n, big_b * big_c / n
    p, q = (big_a + big_d) / n, (big_b + big_c) / n
    sum_r, sum_s = r.sum(axis=0), s.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_odds = np.log(sum_r) - np.log(sum_s)
        variance = ((p * r).sum(axis=0) / (2 * sum_r ** 2) + (p * s + q * r).sum(axis=0) / (2 * sum_r * sum_s)
                    + (q * s).sum(axis=0) / (2 * sum_s ** 2))
    log_odds = np.where((sum_r > 0) & (sum_s > 0), log_odds, np.inf)
    return log_odds, np.sqrt(np.where(np.isfinite(variance), variance, np.nan))


def _stratum_sums(matrix: sp.csr_matrix, tokens: np.ndarray, strata: np.ndarray, n_strata: int,
                  rows: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """Term counts (strata × terms, sparse) and tokens per stratum of the rows in the mask ``rows``."""
    kept = np.flatnonzero(rows)
    indicator = sp.csr_matrix((np.ones(len(kept), dtype=np.int64), (strata[kept], kept)),
                              shape=(n_strata, len(strata)))
    return (indicator @ matrix).tocsc(), indicator @ tokens


def _pooled(counted: DocumentTerms, strata: np.ndarray, n_strata: int, target: np.ndarray,
            reference: np.ndarray) -> pd.DataFrame:
    counts_t, tokens_t = _stratum_sums(counted.matrix, counted.tokens, strata, n_strata, target)
    counts_r, tokens_r = _stratum_sums(counted.matrix, counted.tokens, strata, n_strata, reference)
    pieces = []
    for start in range(0, len(counted.terms), _FLOAT_CHUNK):
        columns = slice(start, start + _FLOAT_CHUNK)
        pieces.append(stratified_scores(counts_t[:, columns].toarray(), counts_r[:, columns].toarray(),
                                        tokens_t, tokens_r))
    scores = pd.concat(pieces, ignore_index=True) if pieces else stratified_scores(
        np.zeros((n_strata, 0)), np.zeros((n_strata, 0)), tokens_t, tokens_r)
    return pd.concat([pd.DataFrame({"term": pd.Series(counted.terms, dtype=object)}), scores], axis=1)


def _plain(counted: DocumentTerms, target: np.ndarray, reference: np.ndarray, prior_scale) -> pd.DataFrame:
    weights = sp.csr_matrix(np.vstack([target, reference]).astype(np.int64))
    counts = (weights @ counted.matrix).toarray()
    scores = keyness_scores(counts[0], counts[1], int(counted.tokens[target].sum()),
                            int(counted.tokens[reference].sum()), prior_scale=prior_scale)
    return pd.concat([pd.DataFrame({"term": pd.Series(counted.terms, dtype=object), "count_target": counts[0],
                                    "count_reference": counts[1]}), scores], axis=1)[KEYNESS_COLUMNS]


def _finish(table: pd.DataFrame, min_count: int, stratified: bool) -> pd.DataFrame:
    table = table[(table["count_target"] + table["count_reference"]) >= min_count]
    score = "chi2_mh" if stratified else "g2"
    return table.sort_values([score, "term"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _strata(documents: pd.DataFrame, within: str | None) -> tuple[np.ndarray | None, int, np.ndarray, list[str]]:
    """Stratum codes, their number, the rows that have a stratum, and a warning about those that have none."""
    if within is None:
        return None, 0, np.ones(len(documents), dtype=bool), []
    values = _field(documents, within, "--within")
    known = (values != "").to_numpy()
    if not known.any():
        raise InputError(f"field {within!r} is empty in every speech: nothing to compare within")
    codes, uniques = pd.factorize(values.where(known, None), sort=True)
    notes = [] if known.all() else [f"{(~known).sum():,} speeches without a {within} were left out"]
    return np.where(codes < 0, 0, codes), len(uniques), known, notes


def _check_options(documents: pd.DataFrame, min_count: int, min_speeches: int, *, text: bool = True) -> None:
    if text:
        require_columns(documents, ["text"], "keyness")
    if min_count < 1:
        raise InputError(f"min_count must be at least 1, got {min_count}")
    if min_speeches < 1:
        raise InputError(f"min_speeches must be at least 1, got {min_speeches}")


# ------------------------------------------------------------------------------------------------ designs

def compare_all_groups(
    documents: pd.DataFrame,
    *,
    by: str,
    within: str | None = None,
    min_speeches: int = MIN_GROUP_SPEECHES,
    min_count: int = 1,
    ngram_range: tuple[int, int] = (1, 2),
    stopwords: frozenset[str] | None = None,
    phrases: Iterable[str] | None = None,
    prior_scale: float | None = None,
    groups: Iterable[str] | None = None,
    counts: DocumentTerms | None = None,
) -> GroupKeyness:
    """Every group of ``by`` (or the named ``groups``) against all the other speeches, in one table.

    Parameters
    ----------
    documents : DataFrame
        ``text`` and metadata columns.
    by : str
        The field whose values are the groups (``council_status``, ``un_group``, ``country``, ``year``, …).
    within : str, optional
        Compare each group with the rest inside each value of this field (``meeting``, ``year``) and pool
        the strata (:func:`stratified_scores`); strata where the group or the rest did not speak are left out.
    min_speeches : int
        Groups with fewer speeches are skipped and named in ``warnings``.
    min_count, ngram_range, stopwords, phrases, prior_scale
        As in :func:`analysis.terms.keyness`.
    groups : iterable of str, optional
        Compare only these values of ``by`` (each still against all other speeches); unknown values are an
        error naming the known ones.
    counts : DocumentTerms, optional
        :func:`document_terms` of ``documents`` (rows aligned) counted before; then ``documents`` needs no
        ``text`` and ``ngram_range``, ``stopwords`` and ``phrases`` are those it was counted with.

    Returns
    -------
    GroupKeyness
        ``table``: ``group`` then the keyness columns, groups in natural order (numbers numerically), within a
        group by ``g2`` (or ``chi2_mh``) descending, then ``term``.

    Raises
    ------
    InputError
        If a field is unknown, or fewer than two groups have a value.
    """
    _check_options(documents, min_count, min_speeches, text=counts is None)
    values = _field(documents, by, "--by")
    strata, n_strata, in_stratum, warnings = _strata(documents, within)
    present = values[(values != "") & in_stratum]
    if present.nunique() < 2:
        raise InputError(f"field {by!r} has {present.nunique()} value{'s' if present.nunique() != 1 else ''}"
                         f"{' among speeches with a ' + within if within else ''}: every-group keyness needs at least two")
    order = group_order(present, sort="value")
    if groups is not None:
        wanted = [str(group) for group in groups]
        for group in wanted:
            _require_value(values, by, group)
        order = [group for group in order if group in set(wanted)]
    if counts is not None and counts.matrix.shape[0] != len(documents):
        raise InputError(f"counts has {counts.matrix.shape[0]} rows for {len(documents)} speeches")
    counted = counts if counts is not None else document_terms(documents["text"], ngram_range=ngram_range,
                                                               stopwords=stopwords, phrases=phrases)
    groups, tables, skipped = [], [], []
    for group in order:
        target = ((values == group).to_numpy()) & in_stratum
        reference = (~(values == group).to_numpy()) & in_stratum
        n_target, n_reference = int(target.sum()), int(reference.sum())
        shared = 0
        if within is not None:
            shared = len(set(strata[target]) & set(strata[reference]))
        reason = ""
        if n_target < min_speeches:
            reason = f"{n_target} speech{'es' if n_target != 1 else ''}"
        elif within is not None and not shared:
            reason = f"no {within} where others spoke too"
        groups.append({"group": group, "speeches": n_target, "reference": n_reference, "strata": shared,
                       "compared": not reason})
        if reason:
            skipped.append(f"{group} ({reason})")
            continue
        table = (_pooled(counted, strata, n_strata, target, reference) if within is not None
                 else _plain(counted, target, reference, prior_scale))
        tables.append(_finish(table, min_count, within is not None).assign(group=group))
    if skipped:
        shown = ", ".join(skipped[:_SHOWN]) + (f" and {len(skipped) - _SHOWN} more" if len(skipped) > _SHOWN else "")
        warnings.append(f"skipped {len(skipped)} group{'s' if len(skipped) != 1 else ''} of {by} "
                        f"(fewer than {min_speeches} speeches, or no shared stratum): {shown}")
    columns = ["group", *(WITHIN_COLUMNS if within is not None else KEYNESS_COLUMNS)]
    table = pd.concat(tables, ignore_index=True)[columns] if tables else pd.DataFrame(columns=columns)
    return GroupKeyness(table, pd.DataFrame(groups, columns=["group", "speeches", "reference", "strata",
                                                              "compared"]), warnings)


def compare_two_groups(
    documents: pd.DataFrame,
    *,
    by: str,
    target,
    reference=None,
    within: str | None = None,
    min_count: int = 1,
    ngram_range: tuple[int, int] = (1, 2),
    stopwords: frozenset[str] | None = None,
    phrases: Iterable[str] | None = None,
    prior_scale: float | None = None,
) -> GroupKeyness:
    """The speeches with ``by == target`` against those with ``by == reference`` (default: all the others).

    Without ``within`` and ``reference`` the table is that of :func:`analysis.terms.keyness`. With
    ``reference``, speeches of other values are left out. With ``within``, the two groups are compared inside
    each stratum where both spoke and the strata pooled (:func:`stratified_scores`).

    Raises
    ------
    InputError
        If a field is unknown, a value matches no speech, target and reference are the same, or (with
        ``within``) no stratum holds speeches of both groups.
    """
    _check_options(documents, min_count, 1)
    values = _field(documents, by, "--by")
    target = str(target).strip()
    _require_value(values, by, target)
    is_target = (values == target).to_numpy()
    if reference is None:
        is_reference = ~is_target
        if not is_reference.any():
            raise InputError(f"every speech has {by} = {target!r}: nothing left to compare against")
    else:
        reference = str(reference).strip()
        if reference == target:
            raise InputError(f"--target and --reference are both {target!r}: name two different values of {by}")
        _require_value(values, by, reference)
        is_reference = (values == reference).to_numpy()
    strata, n_strata, in_stratum, warnings = _strata(documents, within)
    is_target, is_reference = is_target & in_stratum, is_reference & in_stratum
    shared = 0
    if within is not None:
        both = sorted(set(strata[is_target]) & set(strata[is_reference]))
        shared = len(both)
        if not shared:
            raise InputError(f"no {within} holds speeches of both {by} = {target!r} and "
                             f"{'the others' if reference is None else repr(reference)}: nothing to compare within")
    counted = document_terms(documents["text"], ngram_range=ngram_range, stopwords=stopwords, phrases=phrases)
    table = (_pooled(counted, strata, n_strata, is_target, is_reference) if within is not None
             else _plain(counted, is_target, is_reference, prior_scale))
    groups = pd.DataFrame([{"group": target, "speeches": int(is_target.sum()),
                            "reference": int(is_reference.sum()), "strata": shared, "compared": True}])
    return GroupKeyness(_finish(table, min_count, within is not None), groups, warnings)
