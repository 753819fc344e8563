"""Theme labels against hand-labelled sentences: per-theme scores, intervals and the keyword baseline."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from ..validation import as_texts
from .lexicon import Lexicon, _resolve_lexicon
from .matcher import join_labels, label_themes

# --------------------------------------------------------------------------------------------------
# Evaluation against hand labels
# --------------------------------------------------------------------------------------------------


def keyword_baseline(texts: Sequence[str] | pd.Series, *, lexicon: Lexicon | str | Path | None = None) -> list[str]:
    """Theme labels from each theme's plain keyword regex (its ``baseline`` in the lexicon), ``;``-joined, sorted.

    The baseline the lexicon's labels are reported beside: a theme is labelled when its regex matches anywhere
    in the text, case-insensitively. Only themes with a ``baseline`` take part; a lexicon with none is refused.
    """
    lexicon = _resolve_lexicon(lexicon)
    patterns = baseline_patterns(lexicon)
    if not patterns:
        raise ValueError(f"lexicon {lexicon.source or lexicon.version}: no theme has a 'baseline' regex")
    texts = pd.Series(as_texts(texts, "texts"), dtype=object)
    names = list(patterns)
    indicator = np.column_stack([texts.str.contains(patterns[name], case=False, regex=True).to_numpy(dtype=bool)
                                 for name in names]) if len(texts) else np.zeros((0, len(names)), dtype=bool)
    return join_labels(indicator, names)


def baseline_patterns(lexicon: Lexicon) -> dict[str, str]:
    """Theme name → keyword regex, for the themes of ``lexicon`` that define a ``baseline``."""
    return {theme.name: theme.baseline for theme in lexicon.themes if theme.baseline}


def _label_matrix(labels: Sequence[str], themes: Sequence[str], what: str) -> np.ndarray:
    rows = []
    known = set(themes)
    for index, value in enumerate(labels):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            value = ""
        parts = {part.strip() for part in str(value).split(";") if part.strip()}
        unknown = sorted(parts - known)
        if unknown:
            raise ValueError(f"{what} row {index}: unknown theme {unknown[0]!r}; themes: {', '.join(themes)}")
        rows.append([name in parts for name in themes])
    return np.array(rows, dtype=bool).reshape(len(rows), len(themes))


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def evaluate_themes(gold: Sequence[str] | pd.Series | pd.DataFrame,
                    predicted: Sequence[str] | pd.Series | pd.DataFrame,
                    *, themes: Sequence[str] | None = None) -> pd.DataFrame:
    """Per-theme precision, recall and F1 of multi-label sentence themes, with micro and macro averages.

    Parameters
    ----------
    gold, predicted : sequences of ``;``-joined labels (aligned), or DataFrames with ``id`` and ``themes``
        (joined on ``id``; every gold id must be predicted).
    themes : sequence of str, optional
        The themes scored; a label outside them is an error. Default: those of ``config/themes.yml``.

    Returns
    -------
    DataFrame
        One row per theme, then ``micro`` (pooled counts) and ``macro`` (mean of the per-theme scores):
        ``theme, support, predicted, tp, fp, fn, precision, recall, f1``. A score whose denominator is 0 is 0.
    """
    if isinstance(gold, pd.DataFrame) or isinstance(predicted, pd.DataFrame):
        if not (isinstance(gold, pd.DataFrame) and isinstance(predicted, pd.DataFrame)):
            raise TypeError("pass gold and predicted both as DataFrames (id, themes) or both as sequences")
        for name, frame in (("gold", gold), ("predicted", predicted)):
            missing = {"id", "themes"} - set(frame.columns)
            if missing:
                raise ValueError(f"{name} lacks column(s) {', '.join(sorted(missing))}")
        lost = ~gold["id"].isin(predicted["id"])
        if lost.any():
            raise ValueError(f"{int(lost.sum())} gold ids have no prediction, e.g. {gold.loc[lost, 'id'].iloc[0]!r}")
        merged = gold[["id", "themes"]].merge(predicted[["id", "themes"]], on="id", how="left",
                                              suffixes=("_gold", "_pred"), validate="one_to_one")
        gold, predicted = merged["themes_gold"].fillna("").tolist(), merged["themes_pred"].fillna("").tolist()
    gold, predicted = list(gold), list(predicted)
    if len(gold) != len(predicted):
        raise ValueError(f"gold has {len(gold)} rows, predicted {len(predicted)}")
    themes = list(_resolve_lexicon(None).names if themes is None else themes)
    truth = _label_matrix(gold, themes, "gold")
    guess = _label_matrix(predicted, themes, "predicted")
    tp = (truth & guess).sum(axis=0).astype(int)
    fp = (~truth & guess).sum(axis=0).astype(int)
    fn = (truth & ~guess).sum(axis=0).astype(int)
    rows = [(name, int(tp[i] + fn[i]), int(tp[i] + fp[i]), int(tp[i]), int(fp[i]), int(fn[i]),
             *_prf(int(tp[i]), int(fp[i]), int(fn[i]))) for i, name in enumerate(themes)]
    totals = (int((tp + fn).sum()), int((tp + fp).sum()), int(tp.sum()), int(fp.sum()), int(fn.sum()))
    rows.append(("micro", *totals, *_prf(totals[2], totals[3], totals[4])))
    per_theme = np.array([row[6:] for row in rows[:-1]], dtype=np.float64).reshape(len(themes), 3)
    rows.append(("macro", *totals, *(per_theme.mean(axis=0) if themes else (0.0, 0.0, 0.0))))
    return pd.DataFrame(rows, columns=["theme", "support", "predicted", "tp", "fp", "fn", "precision", "recall",
                                       "f1"])


def evaluate_lexicon(gold: pd.DataFrame, *, lexicon: Lexicon | str | Path | None = None,
                     n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """The lexicon's theme labels scored against hand-labelled sentences, beside the keyword baseline.

    Parameters
    ----------
    gold : DataFrame
        Gold sentences with ``text`` and ``themes`` (``;``-joined, from the lexicon's themes), as
        :func:`analysis.gold.read_gold` returns them; ``meeting``/``session``/``doc_id`` when present group the
        bootstrap by debate.
    lexicon : Lexicon, path or None
        Default ``config/themes.yml``.
    n_boot, seed
        Bootstrap replicates of the F1 intervals, which resample debates (:func:`analysis.gold.debate_of`).

    Returns
    -------
    DataFrame
        ``method`` (``lexicon``, and ``keyword baseline`` when every theme has a ``baseline`` regex), ``theme`` (each of the lexicon's, then ``micro`` and
        ``macro``), ``support, predicted, tp, fp, fn, precision, recall, f1`` (:func:`evaluate_themes`) and
        ``f1_lower, f1_upper``.
    """
    from ..aggregate import f1_intervals
    from ..gold import debate_of
    from ..validation import as_texts, require_columns

    lexicon = _resolve_lexicon(lexicon)
    require_columns(gold, ["text", "themes"], "evaluate_lexicon")
    texts = as_texts(gold["text"])
    names = list(lexicon.names)
    truth = _label_matrix(gold["themes"].tolist(), names, "gold")
    groups = debate_of(gold)
    frames = []
    methods = [("lexicon", label_themes(texts, lexicon=lexicon))]
    if set(baseline_patterns(lexicon)) == set(names):  # a baseline for only some themes would not compare
        methods.append(("keyword baseline", keyword_baseline(texts, lexicon=lexicon)))
    for method, predicted in methods:
        scores = evaluate_themes(gold["themes"].tolist(), predicted, themes=names)
        intervals = f1_intervals(truth, _label_matrix(predicted, names, "predicted"), names=names, groups=groups,
                                 micro=True, n_boot=n_boot, seed=seed)
        scores = scores.assign(f1_lower=intervals["lower"].to_numpy(), f1_upper=intervals["upper"].to_numpy())
        frames.append(scores.assign(method=method))
    table = pd.concat(frames, ignore_index=True)
    return table[["method", *[c for c in table.columns if c != "method"]]]


def format_lexicon_evaluation(scores: pd.DataFrame, *, lexicon: Lexicon, gold: pd.DataFrame) -> str:
    """:func:`evaluate_lexicon`'s table as a Markdown section of the evaluation report."""
    files = sorted(set(gold["source"])) if "source" in gold else []
    lines = [f"## Themes (lexicon {lexicon.version}: {', '.join(lexicon.names)})", "",
             f"{len(gold):,} gold sentences{' from ' + ', '.join(files) if files else ''}; F1 with a 95 % "
             "bootstrap interval over debates. A lexicon tuned on these sentences scores optimistically on them."
             + ("" if "keyword baseline" in set(scores["method"]) else " No keyword baseline: not every theme of "
                "the lexicon has a `baseline` regex."),
             "", "| method | theme | support | predicted | precision | recall | F1 | 95 % interval |",
             "|---|---|---:|---:|---:|---:|---:|---|"]
    for row in scores.itertuples(index=False):
        lines.append(f"| {row.method} | {row.theme} | {row.support} | {row.predicted} | {row.precision:.3f} | "
                     f"{row.recall:.3f} | {row.f1:.3f} | {row.f1_lower:.3f}-{row.f1_upper:.3f} |")
    return "\n".join(lines)
