"""Stance as notebooks show it: the speeches with the largest share of a label (:func:`top_stance_speeches`),
the clearest labelled sentences with their evidence (:func:`stance_examples`), and the labeller scored on
hand-labelled sentences (:func:`check_stance`, giving a :class:`StanceCheck`).
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from .. import paths
from ..validation import require_columns
from .speech import quote_cues

__all__ = ["StanceCheck", "check_stance", "stance_examples", "top_stance_speeches"]


def top_stance_speeches(documents: pd.DataFrame, label: str, *, n: int, min_sentences: int) -> pd.DataFrame:
    """The ``n`` speeches of at least ``min_sentences`` sentences with the largest share of ``label``."""
    column = f"stance_{label}"
    require_columns(documents, ["doc_id", "n_sentences", column], "top_stance_speeches")
    shares = [c for c in documents.columns if c.startswith("stance_")]
    columns = [c for c in ("doc_id", "country", "meeting", "year", "n_sentences") if c in documents]
    chosen = documents[documents["n_sentences"] >= min_sentences]
    return chosen.sort_values([column, "doc_id"], ascending=[False, True]).head(n)[columns + shares].reset_index(
        drop=True)


def stance_examples(sentences: pd.DataFrame, *, n: int) -> pd.DataFrame:
    """For each stance, the ``n`` sentences with the highest score that some cue decided, with the evidence."""
    require_columns(sentences, ["doc_id", "sentence_id", "text", "stance", "cue", "score"], "stance_examples")
    with_cue = sentences[sentences["cue"].fillna("") != ""]
    ordered = with_cue.assign(evidence=quote_cues(with_cue)).sort_values(
        ["stance", "score", "doc_id", "sentence_id"], ascending=[True, False, True, True])
    return ordered.groupby("stance").head(n)[["stance", "score", "evidence", "doc_id", "sentence_id", "text"]]


@dataclasses.dataclass
class StanceCheck:
    """The labeller scored on hand-labelled sentences (:func:`check_stance`)."""

    gold_name: str
    n_sentences: int
    summary: pd.DataFrame
    f1: pd.DataFrame
    confusion: pd.DataFrame
    reliability: pd.DataFrame


def check_stance(*, method: str = "rules", gold: str | Path | None = None, train: str | Path | None = None,
                 seed: int = 0) -> StanceCheck:
    """Score the stance labeller on a gold file it was not tuned on (default: the blind split): its summary
    scores beside the majority-class baseline, per-label F1 with bootstrap intervals over speeches, the confusion
    matrix and the reliability of its scores."""
    from .. import stance
    from ..aggregate import reliability_table

    gold_path = Path(gold) if gold is not None else paths.GOLD_BLIND_FILE
    train_path = train if train is not None else paths.GOLD_STANCE_TRAIN_FILES
    labeller = stance.train_stance_labeller(method=method)
    labels = list(labeller.codebook.labels)
    blind = stance.read_gold(gold_path, codebook=labeller.codebook)
    labelled = labeller.label(blind["text"])
    predicted = labelled["stance"].to_numpy()
    majority = stance.majority_label(stance.read_gold(train_path, codebook=labeller.codebook)["stance"],
                                     labels=labels)
    _, summary = stance.stance_scores(blind["stance"], predicted, codebook=labeller.codebook)
    _, baseline = stance.stance_scores(blind["stance"], [majority] * len(blind), codebook=labeller.codebook)
    table = pd.DataFrame({f"labeller ({labeller.method})": summary, f"always {majority}": baseline})
    table.loc["n"] = table.loc["n"].astype(int)
    groups = blind["doc_id"] if "doc_id" in blind else None
    confusion = pd.crosstab(pd.Categorical(blind["stance"], categories=labels),
                            pd.Categorical(predicted, categories=labels), dropna=False)
    confusion = confusion.rename_axis(index="gold", columns="predicted")
    return StanceCheck(gold_name=gold_path.name, n_sentences=len(blind),
                       summary=table.map(lambda v: f"{v:,.0f}" if float(v).is_integer() and v > 1 else f"{v:.3f}"),
                       f1=stance.f1_intervals(blind["stance"], predicted, groups=groups, labels=labels, seed=seed),
                       confusion=confusion,
                       reliability=reliability_table(predicted == blind["stance"].to_numpy(), labelled["score"]))
