"""Draw the sentences for the third, adjudicating theme annotation, reproducibly.

Usage::

    python scripts/sample_adjudication.py             # the gold set: first pass vs theme pass
    python scripts/sample_adjudication.py --set heldout_v1   # a set of sample_heldout.py: annotator a vs b

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
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import paths  # noqa: E402

SEED = 20261128
THEMES = ("terrorism", "trafficking", "cooperation")


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def theme_sets(labels: pd.Series) -> pd.Series:
    return labels.map(lambda value: frozenset(part for part in value.split(";") if part))


def disputed(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """The two passes side by side, with a ``disputed`` flag: they differ on at least one theme."""
    both = first[["id", "themes"]].merge(second[["id", "themes"]], on="id", suffixes=("_first", "_theme_pass"),
                                         validate="one_to_one")
    both["disputed"] = theme_sets(both["themes_first"]) != theme_sets(both["themes_theme_pass"])
    return both


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="name", default=None,
                        help="a set of sample_heldout.py (heldout_v1, dense_v1): its annotators a and b")
    args = parser.parse_args(argv)
    folder = paths.ANNOTATIONS_DIR
    if args.name:
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
    both = disputed(first, second)
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
