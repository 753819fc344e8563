"""Score the theme lexicon against the hand-labelled gold set, beside the plain keyword regex baseline.

Usage::

    python scripts/evaluate_themes.py                 # gold_train: the tuning part and the held-out dev part
    python scripts/evaluate_themes.py --blind         # gold_blind (score once per lexicon release)
    python scripts/evaluate_themes.py --themes FILE   # another lexicon

The theme lexicon is tuned by reading the errors on the *tune* part of ``gold_train_v1.csv`` only. The *dev*
part holds out whole debates of the training file (a quarter of them, chosen by a hash of the debate's name),
the way the blind file holds out debates, so its score says how the lexicon transfers to debates it was not
tuned on. The labels scored are those ``run`` writes to ``sentences.csv`` (a theme when any of its terms
occurs in the sentence).
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import paths  # noqa: E402
from analysis.themes import evaluate_themes, keyword_baseline, label_themes, load_lexicon  # noqa: E402

GOLD_TRAIN = paths.ANNOTATIONS_DIR / "gold_train_v1.csv"
GOLD_BLIND = paths.ANNOTATIONS_DIR / "gold_blind_v1.csv"


def debate(row: pd.Series) -> str:
    """The debate a gold sentence comes from: a Security Council meeting or a General Assembly session."""
    if row["meeting"]:
        return row["meeting"]
    if row["session"]:
        return f"UNGA session {row['session']}"
    return row["doc_id"]


def part_of(name: str) -> str:
    """``dev`` for about a quarter of the debates (fixed by a hash of the name), else ``tune``."""
    return "dev" if int(hashlib.sha256(name.encode("utf-8")).hexdigest(), 16) % 4 == 0 else "tune"


def score(gold: pd.DataFrame, lexicon) -> pd.DataFrame:
    tables = []
    for method, labels in (("keyword_regex", keyword_baseline(gold["text"])),
                           (f"lexicon_v{lexicon.version}", label_themes(gold["text"], lexicon=lexicon))):
        table = evaluate_themes(gold["themes"].tolist(), labels)
        table.insert(0, "method", method)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blind", action="store_true", help="score gold_blind_v1.csv instead of gold_train")
    parser.add_argument("--themes", type=Path, default=None, help="theme lexicon (default config/themes.yml)")
    parser.add_argument("--errors", choices=["tune", "dev", "blind"], default=None,
                        help="also print the misclassified sentences of this part")
    args = parser.parse_args(argv)
    lexicon = load_lexicon(args.themes)
    gold = pd.read_csv(GOLD_BLIND if args.blind else GOLD_TRAIN, dtype=str, keep_default_na=False)
    if args.blind:
        gold["part"] = "blind"
    else:
        gold["part"] = gold.apply(debate, axis=1).map(part_of)
    results = []
    for part in sorted(gold["part"].unique(), reverse=True) + ([] if args.blind else ["all"]):
        subset = gold if part == "all" else gold[gold["part"] == part]
        for stratum in ("all", "random"):
            rows = subset if stratum == "all" else subset[subset["sampling"] == "random"]
            table = score(rows, lexicon)
            table.insert(0, "sentences", len(rows))
            table.insert(0, "sampling", stratum)
            table.insert(0, "part", part)
            results.append(table)
    frame = pd.concat(results, ignore_index=True)
    pd.set_option("display.width", 200)
    print(f"lexicon {lexicon.source} version {lexicon.version}")
    print(frame.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if args.errors:
        rows = gold[gold["part"] == args.errors]
        predicted = label_themes(rows["text"], lexicon=lexicon)
        for (_, row), guess in zip(rows.iterrows(), predicted):
            if guess != row["themes"]:
                print(f"{row['id']}\tgold={row['themes'] or '-'}\tpred={guess or '-'}\t{row['text']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
