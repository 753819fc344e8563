"""Draw the sentences to re-read for ``cooperation`` under codebook version 2, reproducibly.

Usage::

    python scripts/sample_coop_v2.py

Codebook version 2 (``../shared/stance_codebook.md``) defines ``cooperation`` by the kinds of sentences it covers
and the ones it does not. The version-1 gold labels of ``cooperation`` must be re-read before they score a
version-2 labeller; ``terrorism``, ``trafficking`` and the stance labels did not change.

Which sentences are re-read (all four gold files: train, dense, held-out, blind):

* every sentence whose version-1 label could change: it carries ``cooperation`` now (it may lose it: courtesy,
  an organisation named only as place or source, the UN's own work, a state's own measures), or its text names
  any of the families in :data:`COULD_CHANGE` (cooperation and joint-action words, organisations and acronyms,
  agreements and instruments, aid and support words, meetings and consultation);
* and a uniform random sample of a quarter of the other sentences of each file (fixed seed), to estimate how
  often a label changes where no such word occurs.

The selection reads the version-1 labels and the text only, never a lexicon's or labeller's output. The
sentences of all four files are mixed and shuffled (fixed seed) and numbered ``c0000``...; the annotators see
only ``id, context_before, text`` (``input_N.csv``, four batches), never the file, the selection reason or any
earlier label. ``pool.csv`` keeps the key (id → gold file, gold id, selection).

Stage 2: in the random quarter of the other sentences, 15 of 232 labels changed (6.5 %, all gains: the 2030
Agenda, relief supplies, "if fully implemented"), too many to leave the rest unread. So every remaining sentence
was re-read too, in the same way (``selected`` = ``rest``, ids after stage 1's, batches 5 and 6).
"""
from __future__ import annotations

import argparse
import io
import re
import subprocess

import numpy as np
import pandas as pd

from analysis import paths

SEED = 20261202
RANDOM_SHARE = 0.25
N_BATCHES = 4
GOLD_FILES = {"train": "gold_train_v1.csv", "dense": "gold_dense_v1.csv", "heldout": "gold_heldout_v1.csv",
              "blind": "gold_blind_v1.csv"}
#: Where each gold file's annotators read the previous sentence (``id, context_before, text``).
CONTEXT_FILES = ("theme_pass/input_a.csv", "theme_pass/input_b.csv", "heldout_v1/input.csv",
                 "dense_v1/input.csv")

#: Word families that make a version-1 ``cooperation`` label open to change under version 2 (case-insensitive),
#: plus acronyms of two or more capitals (organisations: UNODC, OSCE, ECOWAS), matched case-sensitively.
COULD_CHANGE = re.compile(
    r"cooperat|co-operat|collaborat|coordinat|partner|joint|together|collective|common|shar(?:e|ing)|exchange|"
    r"mutual|multilateral|bilateral|regional|international community|all states|member states|alone|neighbo|"
    r"united nations|organi[sz]ation|union|office|agency|mission|fund|programme|program|bank|court|secretariat|"
    r"committee|commission|council|convention|treaty|agreement|protocol|accord|resolution|plan of action|"
    r"strategy|framework|charter|instrument|mechanism|initiative|declaration|compact|pact|\baid|assist|support|"
    r"help|donor|contribut|capacity|training|provid|resource|financ|grant|pledg|invest|equip|meeting|conference|"
    r"summit|forum|dialogue|consult|negotiat|talks|platform|alliance|communit",
    re.IGNORECASE)
ACRONYM = re.compile(r"\b[A-Z]{2,}\b")


#: The commit whose gold files hold the version-1 labels the draw reads (build_gold.py has since applied version 2).
V1_COMMIT = "fed38b9"


def read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def read_v1(path) -> pd.DataFrame:
    """A gold file with its version-1 labels: the file itself while it has them, else its version at
    :data:`V1_COMMIT` (the draw must not depend on the labels it produced)."""
    frame = read(path)
    if "themes_codebook" not in frame.columns:
        return frame
    relative = path.relative_to(paths.PROJECT_ROOT).as_posix()
    shown = subprocess.run(["git", "show", f"{V1_COMMIT}:{relative}"], cwd=paths.PROJECT_ROOT, check=True,
                           capture_output=True, text=True).stdout
    return pd.read_csv(io.StringIO(shown), dtype=str, keep_default_na=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    folder = paths.ANNOTATIONS_DIR
    context = pd.concat([read(folder / name) for name in CONTEXT_FILES]).drop_duplicates("id")
    context = context.set_index("id")["context_before"]
    rng = np.random.default_rng(args.seed)
    parts = []
    for name, file_name in GOLD_FILES.items():
        gold = read_v1(folder / file_name)
        could_change = (gold["themes"].str.contains("cooperation") | gold["text"].str.contains(COULD_CHANGE)
                        | gold["text"].str.contains(ACRONYM))
        rest = np.flatnonzero(~could_change.to_numpy())
        sampled = np.zeros(len(gold), dtype=bool)
        sampled[rng.choice(rest, int(round(RANDOM_SHARE * len(rest))), replace=False)] = True
        chosen = gold[could_change.to_numpy() | sampled].copy()
        chosen["selected"] = np.where(could_change[chosen.index], "could_change", "random")
        chosen["gold_file"] = file_name
        chosen["n_in_file"] = len(gold)
        chosen["n_rest_in_file"] = len(rest)
        parts.append(chosen.rename(columns={"id": "gold_id"}))
        print(f"{file_name}: {int(could_change.sum())} could change, {int(sampled.sum())} of the other "
              f"{len(rest)} sampled")
    pool = pd.concat(parts, ignore_index=True)
    order = rng.permutation(len(pool))
    pool["id"] = [f"c{rank:04d}" for rank in np.argsort(order)]
    pool = pool.sort_values("id").reset_index(drop=True)
    # Stage 2: every sentence stage 1 left, shuffled after it.
    rest = []
    for name, file_name in GOLD_FILES.items():
        gold = read_v1(folder / file_name).rename(columns={"id": "gold_id"})
        left = gold[~gold["gold_id"].isin(set(pool.loc[pool["gold_file"] == file_name, "gold_id"]))]
        rest.append(left.assign(selected="rest", gold_file=file_name, n_in_file=len(gold),
                                n_rest_in_file=len(left)))
    rest = pd.concat(rest, ignore_index=True)
    order = rng.permutation(len(rest))
    rest["id"] = [f"c{len(pool) + rank:04d}" for rank in np.argsort(order)]
    stage_1 = len(pool)
    pool = pd.concat([pool, rest.sort_values("id")], ignore_index=True)
    missing = sorted(set(pool["gold_id"]) - set(context.index))
    if missing:
        raise SystemExit(f"no context_before for {len(missing)} sentences, e.g. {missing[:3]}")
    pool["context_before"] = pool["gold_id"].map(context)
    out = folder / "coop_v2"
    out.mkdir(exist_ok=True)
    pool[["id", "gold_file", "gold_id", "selected", "n_in_file", "n_rest_in_file", "doc_id", "text"]].to_csv(
        out / "pool.csv", index=False, lineterminator="\n")
    stages = [np.array_split(np.arange(stage_1), N_BATCHES), np.array_split(np.arange(stage_1, len(pool)), 2)]
    for batch, rows in enumerate([rows for stage in stages for rows in stage], start=1):
        pool.iloc[rows][["id", "context_before", "text"]].to_csv(out / f"input_{batch}.csv", index=False,
                                                                lineterminator="\n")
    print(f"{stage_1} + {len(pool) - stage_1} sentences in {N_BATCHES} + 2 batches -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
