"""Score theme lexicons against the hand-labelled gold set, beside the plain keyword regex baseline.

Usage::

    python scripts/evaluate_themes.py                      # gold_train: the tune part, the dev part, all
    python scripts/evaluate_themes.py --cv                 # gold_train, 10-fold cross-validation by debate
    python scripts/evaluate_themes.py --cv --hybrid        # ... and the lexicon + classifier hybrid
    python scripts/evaluate_themes.py --cv --dense --hybrid --learning-curve cooperation   # more data?
    python scripts/evaluate_themes.py --blind              # gold_blind (score once per lexicon release)
    python scripts/evaluate_themes.py --heldout            # gold_heldout: theme-dense speeches (idem)
    python scripts/evaluate_themes.py --dense --errors tune  # gold_dense: theme-dense training sentences
    python scripts/evaluate_themes.py --themes OLD.yml --themes config/themes.yml   # lexicons side by side
    python scripts/evaluate_themes.py --errors tune        # also print the tune part's misclassified sentences

The theme lexicon is tuned by reading the errors on the *tune* parts of the training files
(``gold_train_v1.csv``, and from v4 ``gold_dense_v1.csv``) only. The *dev* part holds out whole debates of a
training file (a quarter of them, chosen by a hash of the debate's name), the way the blind file holds out
debates, so its score says how the lexicon transfers to debates it was not tuned on (lexicons v3, v4 and v5 also
used the dev parts to accept or reject candidate terms, so the dev score is a validation score, not an untouched
one). The labels scored are those ``run`` writes to ``sentences.csv`` (a
theme when any of its terms occurs in the sentence). Every table has a ``random`` stratum beside ``all``: the
sentences sampled uniformly, the least biased estimate (see ``data/annotations/README.md``).

``--cv`` splits gold_train (with ``--dense``: gold_train and gold_dense together) into 10 folds of whole debates
(:class:`~sklearn.model_selection.GroupKFold`; a debate is a Security Council meeting or a General Assembly
session). A lexicon learns nothing from the folds, so its
pooled score is its score on all of gold_train; what the folds add is the spread between debates (mean and
standard deviation of the per-fold F1). ``--hybrid`` adds the experiment that decided against a trained model:
label = lexicon hit OR a logistic regression's probability at least a threshold (TF-IDF word 1-2-grams and the
lexicon's hits as features, ``class_weight="balanced"``; the threshold per theme chosen by an inner 5-fold
cross-validation by debate on the training folds only).

``--blind`` scores gold_blind_v1.csv, whose debates no training sentence comes from: the honest estimate, to be
run once per lexicon release and reported whatever it says (with ``--hybrid``: fitted on gold_train and
gold_dense).

``--heldout`` scores gold_heldout_v1.csv: 240 sentences drawn uniformly from 60 speeches dense in the three
themes that no gold sentence comes from (``scripts/sample_heldout.py``), labelled from the codebook alone by two
annotators and adjudicated by a third. Its parts: sentences of debates that also have training sentences, and of
debates that have none. It was labelled after lexicon v3 was fixed; like the blind file, it is scored once per
lexicon release and never read for tuning.

``--dense`` scores gold_dense_v1.csv, 480 training sentences drawn and labelled the same way from 120 other
theme-dense speeches (drawn after the held-out set, from the speeches it left), split into *tune* and *dev* parts
by debate like gold_train. Lexicons v4 and v5 were tuned on the tune parts of both training files (v5 for the
cooperation labels of codebook version 2).
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from analysis import gold as gold_files, paths
from analysis.themes import evaluate_themes, join_labels, keyword_baseline, label_themes, load_lexicon

#: The themes scored: those of the last lexicon given (set by :func:`main`); no theme is named in this script.
THEMES: tuple[str, ...] = ()

GOLD_TRAIN = paths.ANNOTATIONS_DIR / "gold_train_v1.csv"
GOLD_BLIND = paths.ANNOTATIONS_DIR / "gold_blind_v1.csv"
GOLD_HELDOUT = paths.ANNOTATIONS_DIR / "gold_heldout_v1.csv"
GOLD_DENSE = paths.ANNOTATIONS_DIR / "gold_dense_v1.csv"
N_FOLDS = 10
THRESHOLDS = np.round(np.arange(0.30, 0.951, 0.05), 2)


def part_of(name: str) -> str:
    """``dev`` for about a quarter of the debates (fixed by a hash of the name), else ``tune``."""
    return "dev" if int(hashlib.sha256(name.encode("utf-8")).hexdigest(), 16) % 4 == 0 else "tune"


def read_gold(path: Path) -> pd.DataFrame:
    """A gold file (:func:`analysis.gold.read_gold`; only ``themes`` required besides ``id`` and ``text``, as
    gold_dense and gold_heldout have no stance) with its ``debate`` column (:func:`analysis.gold.debate_of`)."""
    gold = gold_files.read_gold(path, require=("themes",))
    gold["debate"] = gold_files.debate_of(gold)
    return gold


def training_gold() -> pd.DataFrame:
    """Both training files: gold_train (stance and themes) and gold_dense (themes), the columns they share."""
    train, dense = read_gold(GOLD_TRAIN), read_gold(GOLD_DENSE)
    return pd.concat([train, dense[[c for c in dense.columns if c in train.columns]]], ignore_index=True)


def indicator(labels) -> np.ndarray:
    """Boolean ``(n, n_themes)`` matrix of :data:`THEMES` from ``;``-joined labels."""
    return np.array([[theme in str(label).split(";") for theme in THEMES] for label in labels],
                    dtype=bool).reshape(-1, len(THEMES))


# --------------------------------------------------------------------------------------------------
# The hybrid experiment (not part of the package: grouped cross-validation showed no gain over the lexicon)
# --------------------------------------------------------------------------------------------------


class LexiconOrClassifier:
    """Label a theme when the lexicon does, or when a logistic regression's probability reaches a threshold.

    Features: TF-IDF of word 1-2-grams (``min_df=2``, sublinear tf) and the lexicon's three theme hits. The
    threshold of each theme maximises the F1 of the combined label over an inner cross-validation by debate
    of the training sentences.
    """

    def __init__(self, lexicon, *, C: float = 1.0, inner_folds: int = 5, seed: int = 0):
        self.lexicon = lexicon
        self.C = C
        self.inner_folds = inner_folds
        self.seed = seed

    def _design(self, texts, vectorizer):
        import scipy.sparse as sp

        hits = indicator(label_themes(texts, lexicon=self.lexicon))
        return sp.hstack([vectorizer.transform(texts), sp.csr_matrix(hits.astype(np.float64))]).tocsr(), hits

    def _fit_models(self, texts, y):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit(texts)
        X, _ = self._design(texts, vectorizer)
        models = [LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000,
                                     random_state=self.seed).fit(X, y[:, j]) for j in range(len(THEMES))]
        return vectorizer, models

    def _probabilities(self, vectorizer, models, texts) -> tuple[np.ndarray, np.ndarray]:
        X, hits = self._design(texts, vectorizer)
        return np.column_stack([model.predict_proba(X)[:, 1] for model in models]), hits

    def fit(self, texts, y, groups):
        from sklearn.model_selection import GroupKFold

        texts, y, groups = list(texts), np.asarray(y, dtype=bool), np.asarray(groups)
        inner = np.zeros(y.shape)
        hits = np.zeros(y.shape, dtype=bool)
        for train, test in GroupKFold(n_splits=self.inner_folds).split(texts, groups=groups):
            fitted = self._fit_models([texts[i] for i in train], y[train])
            inner[test], hits[test] = self._probabilities(*fitted, [texts[i] for i in test])
        # the highest F1 of the combined label; the lowest threshold on ties
        self.thresholds_ = np.array([max(THRESHOLDS, key=lambda t: (f1(y[:, j], hits[:, j] | (inner[:, j] >= t)), -t))
                                     for j in range(len(THEMES))])
        self.vectorizer_, self.models_ = self._fit_models(texts, y)
        return self

    def predict(self, texts) -> np.ndarray:
        probabilities, hits = self._probabilities(self.vectorizer_, self.models_, list(texts))
        return hits | (probabilities >= self.thresholds_)


def learning_curve(gold: pd.DataFrame, lexicon, theme_name: str, *, fractions=(0.25, 0.5, 0.75, 1.0), n_folds: int = 5,
                   seed: int = 0) -> pd.DataFrame:
    """One theme's F1 of a logistic regression alone, trained on a fraction of each training fold.

    Folds of whole debates; features as the hybrid's (TF-IDF word 1-2-grams and the lexicon's hit). The F1 is the
    best over :data:`THRESHOLDS` of the pooled out-of-fold probabilities, an optimistic figure on purpose: if even
    the best threshold does not rise with more data, more labels of the same kind will not help.
    """
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    if theme_name not in THEMES:
        raise SystemExit(f"--learning-curve: no theme {theme_name!r} in the lexicon (themes: {', '.join(THEMES)})")
    theme = THEMES.index(theme_name)
    texts = np.array(gold["text"].tolist(), dtype=object)
    truth = indicator(gold["themes"])[:, theme]
    hits = indicator(label_themes(list(texts), lexicon=lexicon))[:, theme]
    groups = gold["debate"].to_numpy()
    rng = np.random.default_rng(seed)
    rows = []
    for fraction in fractions:
        probability = np.zeros(len(truth))
        for train, test in GroupKFold(n_splits=n_folds).split(texts, groups=groups):
            train = train[rng.random(len(train)) < fraction]
            vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit(texts[train])

            def design(rows_):
                return sp.hstack([vectorizer.transform(texts[rows_]),
                                  sp.csr_matrix(hits[rows_, None].astype(np.float64))]).tocsr()

            model = LogisticRegression(class_weight="balanced", max_iter=3000, random_state=seed)
            probability[test] = model.fit(design(train), truth[train]).predict_proba(design(test))[:, 1]
        best = max(THRESHOLDS, key=lambda t: (f1(truth, probability >= t), -t))
        rows.append((fraction, f1(truth, probability >= best), best, f1(truth, hits)))
    return pd.DataFrame(rows, columns=["fraction", "model_f1_best_threshold", "threshold", "lexicon_f1"])


def f1(truth: np.ndarray, guess: np.ndarray, *, empty: float = 0.0) -> float:
    """F1 of boolean arrays (scikit-learn's); ``empty`` when there is nothing in either."""
    return float(f1_score(truth, guess, zero_division=empty))


# --------------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------------


def score(gold: pd.DataFrame, methods: dict[str, list[str]]) -> pd.DataFrame:
    """Per-theme, micro and macro scores of each method's labels (aligned with ``gold``)."""
    tables = []
    for method, labels in methods.items():
        table = evaluate_themes(gold["themes"].tolist(), labels)
        table.insert(0, "method", method)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def by_part(gold: pd.DataFrame, methods: dict[str, list[str]]) -> pd.DataFrame:
    """:func:`score` on each part of ``gold`` (column ``part``) and on the whole, each in both strata."""
    results = []
    parts = sorted(gold["part"].unique(), reverse=True)
    for part in parts + (["all"] if len(parts) > 1 else []):
        rows = np.ones(len(gold), dtype=bool) if part == "all" else (gold["part"] == part).to_numpy()
        for stratum in ("all", "random"):
            keep = rows & ((gold["sampling"] == "random").to_numpy() if stratum == "random" else True)
            subset = {name: [label for label, on in zip(labels, keep) if on] for name, labels in methods.items()}
            table = score(gold[keep], subset)
            table.insert(0, "sentences", int(keep.sum()))
            table.insert(0, "sampling", stratum)
            table.insert(0, "part", part)
            results.append(table)
    return pd.concat(results, ignore_index=True)


def cross_validate(gold: pd.DataFrame, methods: dict[str, list[str]], *, hybrid_lexicons=(),
                   n_folds: int = N_FOLDS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Out-of-fold labels of every method over folds of whole debates; pooled scores and the per-fold spread."""
    from sklearn.model_selection import GroupKFold

    texts = gold["text"].tolist()
    truth = indicator(gold["themes"])
    groups = gold["debate"].to_numpy()
    folds = list(GroupKFold(n_splits=n_folds).split(texts, groups=groups))
    labels = {name: indicator(values) for name, values in methods.items()}
    for lexicon in hybrid_lexicons:
        predicted = np.zeros(truth.shape, dtype=bool)
        for k, (train, test) in enumerate(folds):
            model = LexiconOrClassifier(lexicon).fit([texts[i] for i in train], truth[train], groups[train])
            predicted[test] = model.predict([texts[i] for i in test])
            print(f"  hybrid v{lexicon.version}, fold {k + 1}/{n_folds}: thresholds {model.thresholds_.tolist()}",
                  file=sys.stderr)
        labels[f"hybrid_v{lexicon.version}"] = predicted
    pooled = score(gold, {name: join_labels(value, THEMES) for name, value in labels.items()})
    spread = []
    for name, value in labels.items():
        # A fold where a theme is neither in the gold nor predicted says nothing about that theme: NaN, skipped.
        per_fold = np.array([[f1(truth[test].ravel(), value[test].ravel(), empty=np.nan)]
                             + [f1(truth[test, j], value[test, j], empty=np.nan) for j in range(len(THEMES))]
                             for _, test in folds])
        spread.append((name, *np.nanmean(per_fold, axis=0), *np.nanstd(per_fold, axis=0)))
    columns = ["micro", *THEMES]
    spread_table = pd.DataFrame(spread, columns=["method", *[f"{c}_mean" for c in columns],
                                                 *[f"{c}_sd" for c in columns]])
    return pooled, spread_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blind", action="store_true", help="score gold_blind_v1.csv instead of gold_train")
    parser.add_argument("--themes", type=Path, action="append", default=None,
                        help="theme lexicon (default config/themes.yml); repeat to compare several")
    parser.add_argument("--heldout", action="store_true",
                        help="score gold_heldout_v1.csv (theme-dense speeches) instead of gold_train")
    parser.add_argument("--dense", action="store_true",
                        help="score gold_dense_v1.csv (theme-dense training sentences) instead of gold_train")
    parser.add_argument("--cv", action="store_true", help="cross-validation by debate over gold_train")
    parser.add_argument("--hybrid", action="store_true",
                        help="also the lexicon-or-classifier hybrid (with --cv or --blind)")
    parser.add_argument("--learning-curve", metavar="THEME", default=None,
                        help="with --cv: this theme's F1 of a model alone trained on 25-100%% of each fold")
    parser.add_argument("--errors", choices=["tune", "dev", "blind", "seen_debate", "new_debate"], default=None,
                        help="also print the misclassified sentences of this part (last lexicon)")
    args = parser.parse_args(argv)
    if args.cv and (args.blind or args.heldout):
        parser.error("--cv is for the training files; --blind and --heldout score their file with the lexicons "
                     "as they are")
    if args.blind + args.heldout + args.dense > 1:
        parser.error("--blind, --heldout and --dense are three files: score one at a time")
    global THEMES
    lexicons = [load_lexicon(path) for path in (args.themes or [None])]
    THEMES = lexicons[-1].names
    names = [f"lexicon_v{lexicon.version}" for lexicon in lexicons]
    if len(set(names)) < len(names):
        names = [f"{name} ({Path(lexicon.source).name})" for name, lexicon in zip(names, lexicons)]
    if args.cv and args.dense:
        gold = training_gold()
    else:
        gold = read_gold(GOLD_BLIND if args.blind else GOLD_HELDOUT if args.heldout else
                         GOLD_DENSE if args.dense else GOLD_TRAIN)
    if args.heldout:
        gold["part"] = gold["debate_in_train"].map({"yes": "seen_debate", "no": "new_debate"})
    else:
        gold["part"] = "blind" if args.blind else gold["debate"].map(part_of)
    methods = {"keyword_regex": keyword_baseline(gold["text"], lexicon=lexicons[-1])}
    for name, lexicon in zip(names, lexicons):
        methods[name] = label_themes(gold["text"], lexicon=lexicon)
    pd.set_option("display.width", 200)
    for lexicon in lexicons:
        print(f"lexicon {lexicon.source} version {lexicon.version} sha256 {lexicon.sha256[:12]}")
    floats = lambda v: f"{v:.3f}"  # noqa: E731
    if args.cv:
        pooled, spread = cross_validate(gold, methods, hybrid_lexicons=lexicons[-1:] if args.hybrid else ())
        over = f"{GOLD_TRAIN.name} and {GOLD_DENSE.name}" if args.dense else GOLD_TRAIN.name
        print(f"\n{N_FOLDS}-fold cross-validation by debate over {over}: out-of-fold labels pooled")
        print(pooled.to_string(index=False, float_format=floats))
        print("\nF1 per fold: mean and standard deviation over the folds (a fold without the theme in gold or "
              "prediction left out)")
        print(spread.to_string(index=False, float_format=floats))
        if args.learning_curve:
            print(f"\nLearning curve, {args.learning_curve}: logistic regression alone on a fraction of each "
                  "training fold "
                  "(5 folds by debate; F1 at the best threshold, optimistic)")
            curve = learning_curve(gold, lexicons[-1], args.learning_curve)
            print(curve.to_string(index=False, float_format=floats))
        return 0
    if args.hybrid:
        if not (args.blind or args.heldout):
            parser.error("--hybrid needs --cv, --blind or --heldout "
                         "(a model scored on its own training sentences says nothing)")
        train = training_gold()
        model = LexiconOrClassifier(lexicons[-1]).fit(train["text"].tolist(), indicator(train["themes"]),
                                                       train["debate"].to_numpy())
        methods[f"hybrid_v{lexicons[-1].version}"] = join_labels(model.predict(gold["text"].tolist()), THEMES)
    print(by_part(gold, methods).to_string(index=False, float_format=floats))
    if args.errors:
        rows = gold[gold["part"] == args.errors]
        predicted = label_themes(rows["text"], lexicon=lexicons[-1])
        for (_, row), guess in zip(rows.iterrows(), predicted):
            if guess != row["themes"]:
                print(f"{row['id']}\tgold={row['themes'] or '-'}\tpred={guess or '-'}\t{row['text']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
