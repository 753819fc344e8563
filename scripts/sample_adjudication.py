"""Draw the sentences for the third, adjudicating theme annotation, reproducibly.

Usage::

    python scripts/sample_adjudication.py             # the gold set: first pass vs theme pass
    python scripts/sample_adjudication.py --set heldout_v1   # a set of sample_heldout.py: annotator a vs b
    python scripts/sample_adjudication.py --set coop_v2 --label cooperation  # a re-read in batches: pass a vs b
    python scripts/sample_adjudication.py --set criticism_v1 --label stance --label themes

The first pass (``labels/batch_{1,2,3,4}.csv``) and the theme pass (``theme_pass/themes_{a,b}.csv``) disagree on
at least one theme for some sentences (mostly ``cooperation``: κ 0.77). A third annotator labels the themes of
every such sentence, blind to both earlier labels, and ``build_gold.py`` takes the majority of the three.

So that the third annotator cannot tell a disputed sentence from an easy one, and so that the third pass can be
checked against the two others where they agree, the disputed sentences are mixed with as many sentences on
which both passes agree (drawn at random, fixed seed), and the whole list is shuffled (fixed seed). The choice
depends only on the two earlier passes, never on a labeller's output.

Output: ``data/annotations/adjudication/input.csv`` (``--set NAME``: ``NAME/input_c.csv``) with columns
``id, context_before, text``.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from analysis import paths

SEED = 20261128


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def theme_sets(labels: pd.Series) -> pd.Series:
    return labels.map(lambda value: frozenset(part for part in value.split(";") if part))


def disputed(first: pd.DataFrame, second: pd.DataFrame, labels: tuple[str, ...] = ("themes",)) -> pd.DataFrame:
    """The two passes side by side, with a ``disputed`` flag: they differ on at least one of ``labels``
    (``themes`` compared as sets of themes, any other column as a value)."""
    both = first[["id", *labels]].merge(second[["id", *labels]], on="id", suffixes=("_first", "_second"),
                                        validate="one_to_one")
    both["disputed"] = False
    for label in labels:
        one, two = both[f"{label}_first"], both[f"{label}_second"]
        if label == "themes":
            one, two = theme_sets(one), theme_sets(two)
        both["disputed"] |= one != two
    return both


def batches(folder: Path, prefix: str, numbers: list[int] | None = None) -> pd.DataFrame:
    """The batch files ``prefix_1.csv``, ``prefix_2.csv``, … of a folder (those in ``numbers``, default all),
    in order, as one table."""
    files = sorted(folder.glob(f"{prefix}_[0-9]*.csv"), key=lambda path: int(path.stem.rsplit("_", 1)[1]))
    if numbers:
        files = [path for path in files if int(path.stem.rsplit("_", 1)[1]) in numbers]
    if not files:
        raise SystemExit(f"no {prefix}_N.csv files in {folder}")
    return pd.concat([read(path) for path in files], ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="name", default=None,
                        help="a set of sample_heldout.py (heldout_v1, dense_v1): its annotators a and b; or a set "
                             "labelled in batches (coop_v2, criticism_v1): passes a and b")
    parser.add_argument("--label", action="append", default=None,
                        help="the label columns compared (default: themes); repeat for several")
    parser.add_argument("--labels-dir", type=Path, default=None,
                        help="where the batch label files are, if not in the set's folder")
    parser.add_argument("--batches", type=int, nargs="+", default=None,
                        help="only these batches of a set labelled in batches (a later stage)")
    parser.add_argument("--target", default="input_c.csv", help="file name of the adjudication input")
    args = parser.parse_args(argv)
    labels = tuple(args.label or ["themes"])
    folder = paths.ANNOTATIONS_DIR
    if args.name and (folder / args.name / "input_1.csv").is_file():  # a set labelled in batches
        where = args.labels_dir or folder / args.name
        prefix = {("cooperation",): "coop"}.get(labels, "labels")
        first, second = (batches(where, f"{prefix}_{name}", args.batches) for name in "ab")
        inputs = batches(folder / args.name, "input", args.batches)
        target = folder / args.name / args.target
    elif args.name:
        first, second = (read(folder / args.name / f"themes_{name}.csv") for name in "ab")
        inputs = read(folder / args.name / "input.csv")
        target = folder / args.name / "input_c.csv"
    else:
        first = pd.concat([read(folder / "labels" / f"batch_{n}.csv") for n in "1234"], ignore_index=True)
        second = pd.concat([read(folder / "theme_pass" / f"themes_{part}.csv") for part in "ab"],
                           ignore_index=True)
        inputs = pd.concat([read(folder / "theme_pass" / f"input_{part}.csv") for part in "ab"],
                           ignore_index=True)
        target = folder / "adjudication" / "input.csv"
    both = disputed(first, second, labels)
    hard = both[both["disputed"]]
    easy = both[~both["disputed"]].sample(n=min(len(hard), int((~both["disputed"]).sum())), random_state=SEED)
    chosen = pd.concat([hard, easy]).sample(frac=1.0, random_state=SEED)["id"]
    out = inputs.set_index("id").loc[chosen].reset_index()[["id", "context_before", "text"]]
    target.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(target, index=False, lineterminator="\n")
    print(f"{len(hard)} disputed + {len(easy)} agreed sentences -> {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
