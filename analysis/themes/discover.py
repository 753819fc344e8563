"""Beyond the named themes: new terms for a lexicon (:func:`suggest_terms`) and discovered topics."""
from __future__ import annotations

from pathlib import Path
from typing import Literal, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

from ..validation import as_texts
from .lexicon import Lexicon, _resolve_lexicon
from .matcher import _matcher_for, label_themes
from .scoring import _dominant

# --------------------------------------------------------------------------------------------------
# Beyond the named themes: new terms and discovered topics
# --------------------------------------------------------------------------------------------------


def _project_counts(texts: Sequence[str], ngram_range: tuple[int, int], lexicon: Lexicon, *, min_df: int = 1,
                    max_df: float = 1.0, max_features: int | None = None) -> tuple[sp.csr_matrix, np.ndarray]:
    """Counts of the project's frequency terms (:class:`analysis.terms.TermAnalyzer`), the lexicon's phrases
    counted as units."""
    from ..terms import TermAnalyzer

    phrases = sorted({pattern for theme in lexicon.themes for pattern in theme.terms + theme.exclude
                      if len(pattern.split()) > 1})
    vectorizer = CountVectorizer(analyzer=TermAnalyzer(ngram_range=ngram_range, phrases=phrases),
                                 min_df=min_df, max_df=max_df, max_features=max_features)
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError:
        raise ValueError(f"no terms remain in {len(texts)} texts; try a lower min_df ({min_df}) or more texts") \
            from None
    return counts.tocsr(), vectorizer.get_feature_names_out()


def suggest_terms(
    texts: Sequence[str] | pd.Series,
    *,
    theme: str,
    lexicon: Lexicon | str | Path | None = None,
    method: Literal["keyness", "centroid"] = "keyness",
    top_n: int = 20,
    min_count: int = 3,
    ngram_range: tuple[int, int] = (1, 2),
    labels: Sequence[str] | pd.Series | None = None,
) -> pd.DataFrame:
    """Terms the lexicon lacks that are most associated with a theme's texts (usually sentences).

    The texts labelled with ``theme`` form the target, the others the reference: by default the lexicon's own
    labels (terms that travel with the theme's terms), or ``labels`` (``;``-joined, e.g. hand labels: terms the
    annotators' theme has and the lexicon misses). Candidates are the project analyzer's n-grams that the theme
    does not already cover, seen at least ``min_count`` times.

    Parameters
    ----------
    method : {"keyness", "centroid"}
        ``"keyness"``: Dunning's log-likelihood G² of the term in the target against the reference
        (:func:`analysis.terms.keyness_scores`), terms more frequent in the target only.
        ``"centroid"``: the mean l2-normalised TF-IDF row of the target minus that of the reference
        (smooth idf over all texts).

    Returns
    -------
    DataFrame
        ``term, score, count_theme, count_rest, texts_theme`` (``texts_theme``: target texts containing the
        term), at most ``top_n`` rows, by score descending then term.
    """
    texts = as_texts(texts, "texts")
    if method not in ("keyness", "centroid"):
        raise ValueError(f"method must be 'keyness' or 'centroid', got {method!r}")
    lexicon = _resolve_lexicon(lexicon)
    if theme not in lexicon.names:
        raise ValueError(f"unknown theme {theme!r}; themes: {', '.join(lexicon.names)}")
    t = lexicon.names.index(theme)
    if labels is None:
        labels = label_themes(texts, lexicon=lexicon)
    labels = ["" if label is None else str(label) for label in labels]
    if len(labels) != len(texts):
        raise ValueError(f"labels has {len(labels)} entries for {len(texts)} texts")
    in_theme = np.array([theme in label.split(";") for label in labels], dtype=bool)
    columns = {"term": pd.Series(dtype=object), "score": pd.Series(dtype="float64"),
               "count_theme": pd.Series(dtype="int64"), "count_rest": pd.Series(dtype="int64"),
               "texts_theme": pd.Series(dtype="int64")}
    if not in_theme.any() or in_theme.all():
        return pd.DataFrame(columns)
    counts, terms = _project_counts(texts, ngram_range, lexicon)
    covered = np.asarray(_matcher_for(lexicon).feature_themes(terms)[:, t].todense()).ravel() > 0
    count_theme = np.asarray(counts[in_theme].sum(axis=0)).ravel()
    count_rest = np.asarray(counts[~in_theme].sum(axis=0)).ravel()
    texts_theme = np.asarray((counts[in_theme] > 0).sum(axis=0)).ravel()
    if method == "keyness":
        from ..terms import keyness_scores

        score = keyness_scores(count_theme, count_rest, max(int(count_theme.sum()), 1),
                               max(int(count_rest.sum()), 1))["g2"].to_numpy()
        keep = score > 0
    else:
        tfidf = TfidfTransformer(norm="l2").fit_transform(counts)
        score = np.asarray(tfidf[in_theme].mean(axis=0)).ravel() - np.asarray(tfidf[~in_theme].mean(axis=0)).ravel()
        keep = score > 0
    keep &= ~covered & (count_theme + count_rest >= min_count)
    table = pd.DataFrame({"term": pd.Series(terms[keep], dtype=object), "score": score[keep],
                          "count_theme": count_theme[keep].astype("int64"),
                          "count_rest": count_rest[keep].astype("int64"),
                          "texts_theme": texts_theme[keep].astype("int64")})
    table = table.sort_values(["score", "term"], ascending=[False, True], kind="stable")
    return table.head(top_n).reset_index(drop=True)


def topic_coherence(top_terms: Sequence[Sequence[str]], presence: sp.spmatrix,
                    vocabulary: Sequence[str]) -> np.ndarray:
    """Mean NPMI of the term pairs of each topic, from co-occurrence in the texts of ``presence``.

    ``presence`` is a texts × terms matrix (non-zero = the term occurs). With ``P`` the share of texts::

        NPMI(a, b) = ln(P(a, b) / (P(a) P(b))) / -ln P(a, b)

    which is -1 for terms never seen together, 0 for independent terms and 1 for terms always seen together.
    A topic's coherence is the mean over its pairs of top terms (NaN with fewer than two terms).
    """
    binary = (sp.csr_matrix(presence) > 0).astype(np.float64).tocsc()
    n_texts = binary.shape[0]
    index = {term: i for i, term in enumerate(vocabulary)}
    result = []
    for terms in top_terms:
        ids = [index[term] for term in terms]
        if len(ids) < 2 or n_texts == 0:
            result.append(np.nan)
            continue
        sub = binary[:, ids]
        joint = np.asarray((sub.T @ sub).todense()) / n_texts
        single = np.diag(joint).copy()
        upper = np.triu_indices(len(ids), k=1)
        p_ab = joint[upper]
        p_a, p_b = single[upper[0]], single[upper[1]]
        with np.errstate(divide="ignore", invalid="ignore"):
            npmi = np.where(p_ab <= 0, -1.0,
                            np.where(p_ab >= 1, 1.0, np.log(p_ab / (p_a * p_b)) / -np.log(p_ab)))
        result.append(float(npmi.mean()))
    return np.array(result, dtype=np.float64)


def discover_topics(
    texts: Sequence[str] | pd.Series,
    *,
    n_topics: int = 8,
    seed: int = 0,
    n_runs: int = 3,
    top_n: int = 10,
    min_df: int = 2,
    max_df: float = 0.5,
    max_features: int | None = 20_000,
    ngram_range: tuple[int, int] = (1, 1),
    lexicon: Lexicon | str | Path | None = None,
    min_overlap: float = 0.01,
    max_iter: int = 400,
) -> pd.DataFrame:
    """Topics nobody named: NMF over TF-IDF, with coherence, stability and overlap with the named themes.

    NMF (random initialisation seeded with ``seed``) factorises the l2-normalised TF-IDF of the texts (the
    project's frequency terms, :class:`analysis.terms.TermAnalyzer`, with the lexicon's phrases as units;
    ``min_df``/``max_df`` as in scikit-learn).

    * ``coherence_npmi``: :func:`topic_coherence` of the top terms, co-occurrence counted in the same texts
      (pass paragraphs or sentences for a finer window);
    * ``stability``: NMF is refitted with seeds ``seed + 1 … seed + n_runs - 1``; each run's topics are matched
      one-to-one to these (Hungarian assignment on the cosine of the term weights) and the stability is the
      mean Jaccard overlap of the matched top-term sets (1: same top terms every run; NaN when ``n_runs=1``);
    * ``overlap_<theme>``: share of the topic's term weight on terms of that named theme, ``closest_theme``
      the largest (empty when none reaches ``min_overlap``: such a topic is one nobody named).

    Returns
    -------
    DataFrame
        ``topic, top_terms`` (``;``-joined, by weight), ``weight`` (share of all document-topic weight),
        ``n_texts`` (texts whose strongest topic it is), ``coherence_npmi, stability``, ``overlap_<theme>`` per theme, ``closest_theme``; one row per topic,
        ordered by weight.
    """
    from scipy.optimize import linear_sum_assignment
    from sklearn.decomposition import NMF

    texts = as_texts(texts, "texts")
    if n_topics < 1 or n_runs < 1 or top_n < 1:
        raise ValueError("n_topics, n_runs and top_n must be at least 1")
    lexicon = _resolve_lexicon(lexicon)
    counts, terms = _project_counts(texts, ngram_range, lexicon, min_df=min_df, max_df=max_df,
                                    max_features=max_features)
    if counts.shape[1] < n_topics or counts.shape[0] < n_topics:
        raise ValueError(f"{counts.shape[0]} texts and {counts.shape[1]} terms are too few for {n_topics} "
                         "topics; try fewer topics, a lower min_df or more texts")
    tfidf = TfidfTransformer(norm="l2").fit_transform(counts)

    def factorise(run_seed: int) -> tuple[np.ndarray, np.ndarray]:
        model = NMF(n_components=n_topics, init="random", random_state=run_seed, max_iter=max_iter)
        weights = model.fit_transform(tfidf)
        return weights, model.components_

    weights, components = factorise(seed)
    top_ids = [tuple(np.argsort(-row, kind="stable")[:top_n]) for row in components]
    top_terms = [[terms[i] for i in ids] for ids in top_ids]
    stability = np.full(n_topics, np.nan)
    if n_runs > 1:
        scores = np.zeros(n_topics)
        unit = components / np.maximum(np.linalg.norm(components, axis=1, keepdims=True), 1e-12)
        for run in range(1, n_runs):
            _, other = factorise(seed + run)
            other_unit = other / np.maximum(np.linalg.norm(other, axis=1, keepdims=True), 1e-12)
            rows, cols = linear_sum_assignment(-(unit @ other_unit.T))
            for row, col in zip(rows, cols):
                other_top = set(np.argsort(-other[col], kind="stable")[:top_n])
                mine = set(top_ids[row])
                scores[row] += len(mine & other_top) / len(mine | other_top)
        stability = scores / (n_runs - 1)
    theme_matrix = _matcher_for(lexicon).feature_themes(terms).toarray()
    totals = components.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        overlap = np.where(totals[:, None] > 0, (components @ theme_matrix) / totals[:, None], 0.0)
    share = weights.sum(axis=0) / max(weights.sum(), 1e-12)
    strongest = np.where(weights.max(axis=1) > 0, weights.argmax(axis=1), -1)
    frame = pd.DataFrame({
        "topic": np.arange(n_topics, dtype="int64"),
        "top_terms": [";".join(words) for words in top_terms],
        "weight": share,
        "n_texts": np.bincount(strongest[strongest >= 0], minlength=n_topics).astype("int64"),
        "coherence_npmi": topic_coherence(top_terms, counts, terms),
        "stability": stability,
    })
    for index, name in enumerate(lexicon.names):
        frame[f"overlap_{name}"] = overlap[:, index]
    frame["closest_theme"] = _dominant(np.where(overlap >= min_overlap, overlap, 0.0), lexicon.names)
    frame = frame.sort_values(["weight", "topic"], ascending=[False, True], kind="stable").reset_index(drop=True)
    frame["topic"] = np.arange(n_topics, dtype="int64")
    return frame


