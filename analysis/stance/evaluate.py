"""Scoring stance labels against hand labels: precision, recall, F1 (with bootstrap intervals), F_avg, the
majority-class baseline, calibration, and the evaluation report of ``python -m analysis evaluate``."""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from .. import aggregate
from ..errors import InputError
from ..gold import debate_of
from ..validation import as_texts
from .codebook import METHODS, Codebook
from .cuefile import get_codebook
from .model import fit_stance_model
from .rules import RuleStanceClassifier

def grouped_folds(y: np.ndarray, groups: np.ndarray | None, *, n_splits: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds (grouped by debate when ``groups`` is given and has enough debates), fixed seed."""
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    counts = pd.Series(y).value_counts()
    if len(y) < 2 * n_splits or counts.min() < n_splits:
        most = max_folds(y)
        raise InputError(f"too few labelled sentences for {n_splits}-fold cross-validation "
                         f"(smallest class: {counts.idxmin()!r} with {counts.min()}); "
                         + (f"use at most {most} folds" if most >= 2 else
                            "cross-validation needs at least 2 sentences of each label: label more, or score the "
                            "labellers on these sentences as a blind set (evaluate --blind FILE)"))
    if groups is not None and len(set(groups)) >= n_splits:
        splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        return [(train, test) for train, test in splitter.split(np.zeros(len(y)), y, groups)]
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return [(train, test) for train, test in splitter.split(np.zeros(len(y)), y)]


def max_folds(y: Sequence[str]) -> int:
    """The most stratified folds ``y`` allows: each fold needs a sentence of every label, and two sentences.

    >>> max_folds(["support"] * 5 + ["oppose"] * 3)
    3
    """
    counts = pd.Series(list(y), dtype=object).value_counts()
    return int(min(counts.min(), len(y) // 2)) if len(counts) else 0


def fit_predict(method: str, train_texts: list[str], train_y: np.ndarray, test_texts: list[str], *,
                 codebook: Codebook, seed: int, model_params: Mapping | None) -> tuple[np.ndarray, np.ndarray]:
    """Predicted labels and scores of ``method`` (rules or model) fitted on the training part."""
    if method == "rules":
        labelled = RuleStanceClassifier(codebook=codebook).fit(train_texts, train_y).explain(test_texts)
        return labelled["stance"].to_numpy(dtype=object), labelled["score"].to_numpy(dtype=float)
    model = fit_stance_model(train_texts, train_y, codebook=codebook, seed=seed, model_params=model_params)
    proba = model.predict_proba(test_texts)
    classes = np.asarray(model.classes_, dtype=object)
    return classes[proba.argmax(axis=1)], proba.max(axis=1)


def cross_validate_stance(
    texts: Sequence[str],
    y: Sequence[str],
    *,
    methods: Sequence[str] = ("rules", "model", "auto"),
    groups: Sequence | None = None,
    n_splits: int = 5,
    inner_splits: int = 3,
    seed: int = 0,
    codebook: Codebook | str | Path | None = None,
    model_params: Mapping | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Out-of-fold predictions of each method on a labelled set.

    ``auto`` is cross-validated honestly: in each outer fold it chooses between rules and model by an
    inner cross-validation on that fold's training part only, then predicts the held-out part.

    Returns
    -------
    predictions : DataFrame
        ``row, fold, method, predicted, score`` (``row`` indexes ``texts``).
    selection : DataFrame
        ``fold, rules_macro_f1, model_macro_f1, chosen``: the inner scores that decided ``auto``.
    """
    codebook = get_codebook(codebook)
    texts = as_texts(texts)
    y = np.asarray(list(y), dtype=object)
    groups = None if groups is None else np.asarray(list(groups), dtype=object)
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        raise ValueError(f"unknown method {unknown[0]!r} (valid: {', '.join(METHODS)})")
    needed = {"rules", "model"} if "auto" in methods else set(methods)
    frames, selection = [], []
    for fold, (train, test) in enumerate(grouped_folds(y, groups, n_splits=n_splits, seed=seed)):
        train_texts, test_texts = [texts[i] for i in train], [texts[i] for i in test]
        out = {}
        for method in sorted(needed):
            out[method] = fit_predict(method, train_texts, y[train], test_texts, codebook=codebook, seed=seed,
                                       model_params=model_params)
        if "auto" in methods:
            # a small gold set (an analyst's few dozen labels) allows fewer inner folds than the default
            inner_n = min(inner_splits, max_folds(y[train]))
            if inner_n < 2:
                raise InputError("too few labelled sentences for auto: it chooses between rules and model by a "
                                 f"cross-validation inside each training part, and that of fold {fold + 1} has "
                                 f"{pd.Series(y[train]).value_counts().min()} sentence(s) of a label (2 needed); "
                                 "label more, or score rules and model only (--methods rules,model)")
            inner = select_method(train_texts, y[train], groups=None if groups is None else groups[train],
                                  n_splits=inner_n, seed=seed, codebook=codebook, model_params=model_params)
            out["auto"] = out[inner["chosen"]]
            selection.append({"fold": fold, **inner})
        for method in methods:
            predicted, score = out[method]
            frames.append(pd.DataFrame({"row": test, "fold": fold, "method": method, "predicted": predicted,
                                        "score": score}))
    predictions = pd.concat(frames, ignore_index=True).sort_values(["method", "row"], kind="stable")
    selection_frame = pd.DataFrame(selection, columns=["fold", "rules_macro_f1", "model_macro_f1", "chosen"])
    return predictions.reset_index(drop=True), selection_frame


def select_method(texts: Sequence[str], y: Sequence[str], *, groups: Sequence | None = None, n_splits: int = 5,
                  seed: int = 0, codebook: Codebook | str | Path | None = None,
                  model_params: Mapping | None = None) -> dict:
    """Choose between rules and model by cross-validated macro-F1 (ties go to the rules, which are faster).

    Returns ``{"rules_macro_f1": ..., "model_macro_f1": ..., "chosen": "rules" | "model"}``. The rules
    were written looking at training sentences, so their score here is optimistic (see the evaluation
    report's blind split).
    """
    predictions, _ = cross_validate_stance(texts, y, methods=("rules", "model"), groups=groups, n_splits=n_splits,
                                           seed=seed, codebook=codebook, model_params=model_params)
    y = np.asarray(list(y), dtype=object)
    scores = {}
    for method, group in predictions.groupby("method"):
        scores[method] = stance_scores(y[group["row"].to_numpy()], group["predicted"].to_numpy())[1]["macro_f1"]
    chosen = "model" if scores["model"] > scores["rules"] else "rules"
    return {"rules_macro_f1": scores["rules"], "model_macro_f1": scores["model"], "chosen": chosen}


def stance_scores(y_true: Sequence[str], y_pred: Sequence[str], *, labels: Sequence[str] | None = None,
                  favor: Sequence[str] | None = None, against: Sequence[str] | None = None,
                  codebook: Codebook | str | Path | None = None) -> tuple[pd.DataFrame, dict]:
    """Per-label precision, recall, F1 and the summary scores of the codebook.

    ``labels``, ``favor`` and ``against`` default to the cue file's (``codebook``, default
    ``config/stance.yml``): its labels, and the labels that count as FAVOR and as AGAINST.

    Returns
    -------
    per_label : DataFrame
        ``label, precision, recall, f1, support`` (gold count), ``predicted`` (predicted count).
    summary : dict
        ``n``, ``accuracy``, ``macro_f1`` (mean F1 over ``labels``), ``f_favor`` (F1 of the FAVOR labels, support),
        ``f_against`` (F1 of the AGAINST labels, oppose ∪ condemn, as one class), ``f_avg = (f_favor + f_against) / 2``.

    >>> stance_scores(["support", "oppose", "condemn"], ["support", "condemn", "condemn"])[1]["f_avg"]
    1.0
    """
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    if labels is None or favor is None or against is None:
        loaded = get_codebook(codebook)
        labels = loaded.labels if labels is None else labels
        favor = loaded.favor if favor is None else favor
        against = loaded.against if against is None else against
    y_true = np.asarray(list(y_true), dtype=object)
    y_pred = np.asarray(list(y_pred), dtype=object)
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=list(labels),
                                                                     zero_division=0)
    predicted = np.array([(y_pred == label).sum() for label in labels], dtype=np.int64)
    per_label = pd.DataFrame({"label": list(labels), "precision": precision, "recall": recall, "f1": f1,
                              "support": support.astype(np.int64), "predicted": predicted})

    def favor_against(values: np.ndarray) -> np.ndarray:
        return np.where(np.isin(values, list(favor)), "FAVOR", np.where(np.isin(values, list(against)), "AGAINST",
                                                                          "NONE"))

    mapped_true, mapped_pred = favor_against(y_true), favor_against(y_pred)
    f_favor, f_against = f1_score(mapped_true, mapped_pred, labels=["FAVOR", "AGAINST"], average=None, zero_division=0)
    summary = {"n": int(len(y_true)), "accuracy": float((y_true == y_pred).mean()) if len(y_true) else float("nan"),
               "macro_f1": float(np.mean(f1)), "f_favor": float(f_favor), "f_against": float(f_against),
               "f_avg": float((f_favor + f_against) / 2)}
    return per_label, summary


def f1_intervals(y_true: Sequence[str], y_pred: Sequence[str], *, groups: Sequence | None = None,
                 labels: Sequence[str] | None = None, n_boot: int = 1000, level: float = 0.95,
                 seed: int = 0) -> pd.DataFrame:
    """Per-label F1 with a bootstrap interval: ``label, f1, lower, upper, support``, and ``macro`` as a last row.

    Sentences are resampled by ``groups`` (their speech, when given: sentences of one speech are not
    independent), ``n_boot`` times with a fixed ``seed``; the interval is the percentile interval. F1 is
    ``2 tp / (2 tp + fp + fn)`` per label, 0 where a label is neither true nor predicted (as scikit-learn's
    ``zero_division=0``).

    >>> f1_intervals(["support", "oppose"], ["support", "support"], labels=["support", "oppose"], n_boot=0)["f1"].tolist()
    [0.6666666666666666, 0.0, 0.3333333333333333]
    """
    labels = list(get_codebook(None).labels if labels is None else labels)
    y_true = np.asarray(list(y_true), dtype=object)
    y_pred = np.asarray(list(y_pred), dtype=object)
    truth = np.column_stack([y_true == label for label in labels]) if len(y_true) else np.zeros((0, len(labels)), bool)
    predicted = (np.column_stack([y_pred == label for label in labels]) if len(y_pred)
                 else np.zeros((0, len(labels)), bool))
    return aggregate.f1_intervals(truth, predicted, names=labels, groups=groups, n_boot=n_boot, level=level,
                                  seed=seed)


def majority_label(y: Sequence[str], *, labels: Sequence[str] | None = None) -> str:
    """The most frequent label (ties broken by the order of ``labels``, default the cue file's)."""
    labels = get_codebook(None).labels if labels is None else labels
    counts = pd.Series(list(y), dtype=object).value_counts()
    return max(labels, key=lambda label: (counts.get(label, 0), -list(labels).index(label)))


def expected_calibration_error(correct: np.ndarray, score: np.ndarray, *, n_bins: int = 10) -> float:
    """Mean |accuracy − confidence| over equal-width score bins, weighted by bin size (NaN without scores)."""
    correct, score = np.asarray(correct, dtype=float), np.asarray(score, dtype=float)
    keep = ~np.isnan(score)
    if not keep.any():
        return float("nan")
    correct, score = correct[keep], score[keep]
    bins = np.minimum((score * n_bins).astype(int), n_bins - 1)
    error = 0.0
    for index in np.unique(bins):
        inside = bins == index
        error += inside.sum() * abs(correct[inside].mean() - score[inside].mean())
    return float(error / len(score))


@dataclasses.dataclass
class StanceEvaluation:
    """Everything :func:`evaluate_stance` measured, as tables (one row per split × method [× label])."""

    summary: pd.DataFrame
    metrics: pd.DataFrame
    confusion: pd.DataFrame
    predictions: pd.DataFrame
    selection: pd.DataFrame
    notes: list[str]
    labels: tuple[str, ...] = ()


def _score_block(split: str, subset: str, method: str, gold: np.ndarray, predicted: np.ndarray, score: np.ndarray,
                 majority: str, labels: Sequence[str], codebook: Codebook) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    per_label, summary = stance_scores(gold, predicted, labels=labels, codebook=codebook)
    _, base = stance_scores(gold, np.full(len(gold), majority, dtype=object), labels=labels, codebook=codebook)
    f1 = per_label.set_index("label")["f1"]
    row = {"split": split, "subset": subset, "method": method, **summary,
           **{f"f1_{label}": float(f1[label]) for label in labels},
           "majority_label": majority, "majority_macro_f1": base["macro_f1"],
           "macro_f1_above_majority": summary["macro_f1"] - base["macro_f1"],
           "mean_score": float(np.nanmean(score)) if np.isfinite(score).any() else float("nan"),
           "ece": expected_calibration_error(gold == predicted, score)}
    per_label.insert(0, "method", method)
    per_label.insert(0, "subset", subset)
    per_label.insert(0, "split", split)
    confusion = (pd.crosstab(pd.Categorical(gold, categories=labels), pd.Categorical(predicted, categories=labels),
                             dropna=False).stack().rename("count").reset_index())
    confusion.columns = ["gold", "predicted", "count"]
    for name, value in (("method", method), ("subset", subset), ("split", split)):
        confusion.insert(0, name, value)
    return row, per_label, confusion


def evaluate_stance(
    train: pd.DataFrame,
    blind: pd.DataFrame | None = None,
    *,
    methods: Sequence[str] = ("rules", "model", "auto"),
    n_splits: int = 5,
    seed: int = 0,
    group_by_debate: bool = True,
    codebook: Codebook | str | Path | None = None,
    model_params: Mapping | None = None,
) -> StanceEvaluation:
    """Score rules, model and auto against gold labels, beside the majority-class baseline.

    * ``cv``: stratified ``n_splits``-fold cross-validation on ``train`` (grouped by debate, fixed
      ``seed``), pooled out-of-fold predictions; ``auto`` chooses by an inner cross-validation in each fold.
    * ``blind``: every method fitted on all of ``train``, scored on ``blind`` (debates never seen).

    Both are reported for all sentences and for the ``random`` sampling stratum alone (the unbiased
    sample; the ``enriched`` stratum over-represents oppose and condemn).
    """
    codebook = get_codebook(codebook)
    labels = codebook.labels
    notes = ["The rules were written from the codebook and tuned on the training gold: their cv scores are not held "
             "out; the blind split is."]
    rows, metrics, confusions, predictions = [], [], [], []
    y = train["stance"].to_numpy(dtype=object)
    groups = debate_of(train) if group_by_debate else None
    cv, selection = cross_validate_stance(train["text"].tolist(), y, methods=methods, groups=groups,
                                          n_splits=n_splits, seed=seed, codebook=codebook, model_params=model_params)
    selection.insert(0, "split", "cv")
    # The majority baseline of each fold is the majority of its training part.
    folds = grouped_folds(y, groups, n_splits=n_splits, seed=seed)
    fold_majority = {fold: majority_label(y[tr], labels=labels) for fold, (tr, _) in enumerate(folds)}
    parts = {"cv": (train, cv)}
    if blind is not None and len(blind):
        blind_rows = []
        train_texts = train["text"].tolist()
        chosen = None
        for method in methods:
            if method == "auto":
                choice = select_method(train_texts, y, groups=groups, n_splits=n_splits, seed=seed, codebook=codebook,
                                       model_params=model_params)
                selection = pd.concat([selection, pd.DataFrame([{"split": "blind", "fold": -1, **choice}])],
                                      ignore_index=True)
                chosen = choice["chosen"]
                continue
            predicted, score = fit_predict(method, train_texts, y, blind["text"].tolist(), codebook=codebook,
                                            seed=seed, model_params=model_params)
            blind_rows.append(pd.DataFrame({"row": np.arange(len(blind)), "fold": -1, "method": method,
                                            "predicted": predicted, "score": score}))
        if chosen is not None:
            source = next((frame for frame in blind_rows if frame["method"].iat[0] == chosen), None)
            if source is None:
                predicted, score = fit_predict(chosen, train_texts, y, blind["text"].tolist(), codebook=codebook,
                                                seed=seed, model_params=model_params)
                source = pd.DataFrame({"row": np.arange(len(blind)), "fold": -1, "predicted": predicted, "score": score})
            blind_rows.append(source.assign(method="auto"))
        parts["blind"] = (blind, pd.concat(blind_rows, ignore_index=True))
    for split, (gold_frame, predicted_frame) in parts.items():
        gold_y = gold_frame["stance"].to_numpy(dtype=object)
        sampling = gold_frame["sampling"].to_numpy(dtype=object) if "sampling" in gold_frame else None
        for method in methods:
            part = predicted_frame[predicted_frame["method"] == method].sort_values("row")
            rows_index = part["row"].to_numpy()
            gold_part = gold_y[rows_index]
            if split == "cv":
                majority = np.array([fold_majority[fold] for fold in part["fold"]], dtype=object)
                majority_name = majority_label(y, labels=labels)
            else:
                majority_name = majority_label(y, labels=labels)
            subsets = [("all", np.ones(len(part), dtype=bool))]
            if sampling is not None and (sampling[rows_index] == "random").any():
                subsets.append(("random", sampling[rows_index] == "random"))
            for subset, mask in subsets:
                row, per_label, confusion = _score_block(split, subset, method, gold_part[mask],
                                                         part["predicted"].to_numpy(dtype=object)[mask],
                                                         part["score"].to_numpy(dtype=float)[mask], majority_name, labels,
                                                         codebook)
                if split == "cv":  # baseline: each fold's own training majority
                    _, base = stance_scores(gold_part[mask], majority[mask], labels=labels, codebook=codebook)
                    row["majority_macro_f1"] = base["macro_f1"]
                    row["macro_f1_above_majority"] = row["macro_f1"] - base["macro_f1"]
                rows.append(row)
                metrics.append(per_label)
                confusions.append(confusion)
            ids = gold_frame["id"].to_numpy(dtype=object)[rows_index] if "id" in gold_frame else rows_index
            predictions.append(pd.DataFrame({"split": split, "method": method, "id": ids, "fold": part["fold"].to_numpy(),
                                             "gold": gold_part, "predicted": part["predicted"].to_numpy(),
                                             "score": part["score"].to_numpy()}))
    return StanceEvaluation(summary=pd.DataFrame(rows), metrics=pd.concat(metrics, ignore_index=True),
                            confusion=pd.concat(confusions, ignore_index=True),
                            predictions=pd.concat(predictions, ignore_index=True), selection=selection, notes=notes,
                            labels=tuple(labels))


def format_evaluation(evaluation: StanceEvaluation) -> str:
    """The evaluation as a Markdown report (fixed number formats, so reruns are identical)."""
    lines = ["# Stance evaluation", ""]
    lines += [f"- {note}" for note in evaluation.notes] + [""]
    columns = ["split", "subset", "method", "n", "macro_f1", "majority_macro_f1", "macro_f1_above_majority", "f_avg",
               "accuracy", *[f"f1_{label}" for label in evaluation.labels], "ece"]
    summary = evaluation.summary[columns]
    lines += ["## Summary", "", _markdown_table(summary), ""]
    lines += ["## Per label", ""]
    metrics = evaluation.metrics[evaluation.metrics["subset"] == "all"]
    lines += [_markdown_table(metrics[["split", "method", "label", "precision", "recall", "f1", "support", "predicted"]]), ""]
    lines += ["## Confusion matrices (rows: gold, columns: predicted; all sentences)", ""]
    confusion = evaluation.confusion[evaluation.confusion["subset"] == "all"]
    for (split, method), block in confusion.groupby(["split", "method"], sort=False):
        table = block.pivot(index="gold", columns="predicted", values="count")
        order = [label for label in evaluation.labels if label in table.index]
        table = table.loc[order, order].reset_index().rename(columns={"gold": f"{split} / {method}"})
        lines += [_markdown_table(table), ""]
    if len(evaluation.selection):
        lines += ["## How auto chose", "", _markdown_table(evaluation.selection), ""]
    return "\n".join(lines)


def _markdown_table(frame: pd.DataFrame) -> str:
    def cell(value) -> str:
        if isinstance(value, (float, np.floating)):
            return "" if np.isnan(value) else f"{value:.3f}"
        return str(value)

    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(cell(value) for value in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body])


