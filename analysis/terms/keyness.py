"""Keyness: Dunning's G2, Hardie's log ratio and the Monroe-Colaresi-Quinn log-odds z."""
from __future__ import annotations

import difflib
from typing import Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import xlogy

from ..errors import InputError

from ..validation import as_texts, require_columns
from .counting import counted_terms

KEYNESS_COLUMNS = ["term", "count_target", "count_reference", "rate_target", "rate_reference", "g2", "p",
                   "log_ratio", "z"]
#: G² above which a 1-degree-of-freedom association is significant at p < 0.001.
G2_CRITICAL_001 = 10.828


# --------------------------------------------------------------------------------------------------
# Keyness
# --------------------------------------------------------------------------------------------------

def keyness_scores(
    count_target: np.ndarray,
    count_reference: np.ndarray,
    total_target: int,
    total_reference: int,
    *,
    prior_scale: float | None = None,
    zero_count: float = 0.5,
) -> pd.DataFrame:
    """Keyness of each term in a target corpus against a reference corpus, vectorised.

    With ``a``, ``b`` a term's counts in target and reference and ``c``, ``d`` their sizes in tokens:

    * ``rate_target = 10_000 a / c`` and ``rate_reference = 10_000 b / d``;
    * ``g2``, Dunning's (1993) log-likelihood ratio over the 2 × 2 table (term / other tokens ×
      target / reference): ``G² = 2 Σ O ln(O / E)`` over the four cells ``a, b, c − a, d − b``, with
      ``E`` = row total × column total / ``(c + d)`` and ``0 ln 0 = 0``. Signed: negative when the term
      is rarer in the target (``a / c < b / d``);
    * ``p``: the χ² (1 degree of freedom) tail probability of ``|G²|``;
    * ``log_ratio``, Hardie's (2014) binary log ratio, ``log2((a / c) / (b / d))``: each unit is a doubling;
      a zero count is replaced by ``zero_count`` (0.5) so the ratio stays finite, and where that stand-in
      would give the ratio the opposite sign of the counts (a group of a few tokens), it is 0;
    * ``z``, Monroe, Colaresi & Quinn's (2008) log-odds ratio with an informative Dirichlet prior,
      divided by its standard error:
      ``δ = ln((a + α) / (c + α₀ − a − α)) − ln((b + α) / (d + α₀ − b − α))``,
      ``σ² ≈ 1 / (a + α) + 1 / (b + α)``, ``z = δ / σ``, where the prior
      ``α = α₀ (a + b) / (c + d)`` follows the term's rate in both corpora together.

    Parameters
    ----------
    count_target, count_reference : array of int
        Per-term counts; each must not exceed its total.
    total_target, total_reference : int
        Corpus sizes in tokens (both > 0).
    prior_scale : float, optional
        ``α₀``, the weight of the prior in pseudo-tokens; default ``c + d`` (the prior counts are then the
        term's counts in both corpora together, ``α = a + b``). Smaller values shrink less.
    zero_count : float
        Stand-in for a zero count in ``log_ratio``.

    Returns
    -------
    DataFrame
        ``rate_target, rate_reference, g2, p, log_ratio, z``, one row per term, in input order.
    """
    a = np.asarray(count_target, dtype=np.float64)
    b = np.asarray(count_reference, dtype=np.float64)
    c, d = float(total_target), float(total_reference)
    if a.shape != b.shape:
        raise ValueError(f"count arrays differ in shape: {a.shape} and {b.shape}")
    if c <= 0 or d <= 0:
        raise ValueError(f"both totals must be positive, got {total_target} and {total_reference}")
    if (a < 0).any() or (b < 0).any() or (a > c).any() or (b > d).any():
        raise ValueError("counts must lie between 0 and their corpus total")
    n = c + d
    row = a + b
    observed = (a, b, c - a, d - b)
    expected = (row * c / n, row * d / n, (n - row) * c / n, (n - row) * d / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        g2 = 2.0 * sum(xlogy(o, np.where(o > 0, o / e, 1.0)) for o, e in zip(observed, expected))
    g2 = np.maximum(g2, 0.0)  # rounding can leave -1e-15 for identical rates
    direction = np.sign(a * d - b * c)
    from scipy.stats import chi2

    p = chi2.sf(g2, df=1)
    log_ratio = np.log2((np.where(a > 0, a, zero_count) / c) / (np.where(b > 0, b, zero_count) / d))
    # In a tiny corpus the stand-in can outweigh the other side (0.5 of a 1-token target is a higher rate than
    # any real count): a stand-in that would turn the sign against the counts gives 0, never a flip.
    log_ratio = np.where(np.sign(log_ratio) * direction < 0, 0.0, log_ratio)
    alpha0 = n if prior_scale is None else float(prior_scale)
    if alpha0 <= 0:
        raise ValueError(f"prior_scale must be positive, got {prior_scale}")
    alpha = alpha0 * row / n
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = (np.log((a + alpha) / (c + alpha0 - a - alpha))
                 - np.log((b + alpha) / (d + alpha0 - b - alpha)))
        z = delta / np.sqrt(1.0 / (a + alpha) + 1.0 / (b + alpha))
    return pd.DataFrame({
        "rate_target": 10_000.0 * a / c,
        "rate_reference": 10_000.0 * b / d,
        "g2": direction * g2,
        "p": p,
        "log_ratio": log_ratio,
        "z": z,
    })


def _select_target(documents: pd.DataFrame, by: str, target) -> np.ndarray:
    """Boolean mask of the target documents; one-line :class:`InputError` on an unknown field or value."""
    fields = [column for column in documents.columns if column not in ("text", "raw_chars")]
    if by not in fields:
        raise InputError(f"unknown field {by!r} for --by; valid fields: {', '.join(fields)}")
    values = documents[by].astype(object).where(documents[by].notna(), "").astype(str)
    mask = (values == str(target)).to_numpy()
    if not mask.any():
        counts = values[values != ""].value_counts()
        distinct = sorted(counts.index)
        close = difflib.get_close_matches(str(target), distinct, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        shown = ", ".join(map(repr, distinct[:8])) + (", ..." if len(distinct) > 8 else "")
        raise InputError(f"no speech has {by} = {str(target)!r}{hint} ({len(distinct)} "
                         f"value{'s' if len(distinct) != 1 else ''}, e.g. {shown})"
                         if distinct else f"no speech has {by} = {str(target)!r}: field {by!r} is empty in "
                                          "every speech")
    if mask.all():
        raise InputError(f"every speech has {by} = {str(target)!r}: nothing left to compare against")
    return mask


def keyness(
    documents: pd.DataFrame,
    *,
    by: str,
    target,
    ngram_range: tuple[int, int] = (1, 2),
    min_count: int = 1,
    stopwords: frozenset[str] | None = None,
    phrases: Iterable[str] | None = None,
    prior_scale: float | None = None,
) -> pd.DataFrame:
    """Keyness of the documents where ``by == target`` against all the others.

    Corpus sizes are word tokens (stopwords included, as for ``rate_per_10k``); the scores are those of
    :func:`keyness_scores`.

    Parameters
    ----------
    documents : DataFrame
        ``text`` and metadata columns.
    by : str
        Metadata column (``meeting``, ``country``, ``year``, …).
    target
        The value of ``by`` that marks the target group (compared as text).
    min_count : int
        Keep terms with ``count_target + count_reference >= min_count``.
    ngram_range, stopwords, phrases
        As in :func:`count_terms`.
    prior_scale : float, optional
        See :func:`keyness_scores`.

    Returns
    -------
    DataFrame
        ``term, count_target, count_reference, rate_target, rate_reference, g2, p, log_ratio, z``, sorted by
        ``g2`` descending (the target's over-used terms first, its most under-used last), then ``term``.

    Raises
    ------
    InputError
        If ``by`` is not a column, or ``target`` matches no document or every document.
    """
    require_columns(documents, ["text"], "keyness")
    mask = _select_target(documents, by, target)
    texts = as_texts(documents["text"], "texts")
    counted = counted_terms(texts, ngram_range=ngram_range, stopwords=stopwords, phrases=phrases)
    matrix, terms = counted.sorted_matrix()
    tokens = counted.n_tokens
    weights = np.vstack([mask, ~mask]).astype(np.int64)
    counts = (sp.csr_matrix(weights) @ matrix).toarray().astype(np.int64)
    keep = counts.sum(axis=0) >= min_count
    scores = keyness_scores(counts[0, keep], counts[1, keep], int(tokens[mask].sum()), int(tokens[~mask].sum()),
                            prior_scale=prior_scale)
    table = pd.concat([
        pd.DataFrame({"term": pd.Series(terms[keep], dtype=object),
                      "count_target": counts[0, keep], "count_reference": counts[1, keep]}),
        scores,
    ], axis=1)[KEYNESS_COLUMNS]
    return table.sort_values(["g2", "term"], ascending=[False, True], kind="stable").reset_index(drop=True)
