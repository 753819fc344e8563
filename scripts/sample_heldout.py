"""Draw a second held-out theme set: sentences of speeches about terrorism, crime and cooperation, reproducibly.

Usage::

    python scripts/sample_heldout.py                          # heldout_v1: the test set (seed 7316)
    python scripts/sample_heldout.py --name dense_v1 --seed 2014 --speeches 120 --min-density 8
                                                              # dense_v1: more training sentences

Why: the first gold set (``pool_v1.csv``) samples speeches of every kind, so most of its sentences touch none of
the three themes and its ``cooperation`` sentences are mostly general diplomacy. The debates the project is
built for (the sample speech's, S/PV.7316, on terrorism and cross-border crime) are dense in all three themes.
This set measures the theme labeller where the themes are: speeches whose counts of the corpus README's theme
keywords (``n_terror + n_traffick + n_orgcrime + n_drugs + n_cooperation``) reach 10 per 1,000 words.

Design:

* speeches of the shared corpora that no sentence of ``pool_v1.csv`` or of an earlier set of this kind
  (``DRAWN_BEFORE``) comes from, at least 300 words, not the President's (procedural) turns; the keyword density
  picks *speeches*, never sentences;
* 60 speeches drawn at random among those (fixed seed), at most 4 from one debate;
* 4 sentences per speech drawn uniformly among its sentences of 6-90 words (the first pool's rule), so the
  sentences themselves are not chosen by any keyword;
* ids ``h000``-``h239`` in a shuffled order; ``debate_in_train`` says whether the speech's debate (UNSC
  meeting or UNGA session) also has sentences in ``gold_train_v1.csv``.

Output: ``data/annotations/NAME/pool.csv`` and ``input.csv`` (``id, context_before, text`` for the
annotators). No lexicon, labeller or model output is involved in the draw. ``dense_v1`` (drawn after
``heldout_v1`` was labelled, from the speeches left) is a training set for the lexicon: read for tuning, never
for scoring a release.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import paths
from analysis.gold import debate_of
from analysis.corpus import clean_speech, read_text_file, segment_sentences

SEED = 7316
N_SPEECHES = 60
PER_SPEECH = 4
PER_DEBATE = 4
MIN_DENSITY = 10.0  # theme keywords per 1,000 words
DRAWN_BEFORE = {"dense_v1": ("heldout_v1",)}  # sets whose speeches a later set must not reuse
KEYWORDS = ["n_terror", "n_traffick", "n_orgcrime", "n_drugs", "n_cooperation"]


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="heldout_v1", help="folder under data/annotations (default heldout_v1)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--speeches", type=int, default=N_SPEECHES)
    parser.add_argument("--min-density", type=float, default=MIN_DENSITY)
    args = parser.parse_args(argv)
    prefix = {"heldout_v1": "h"}.get(args.name, args.name[0])
    metadata = read(paths.SHARED_CORPORA / "all_metadata.csv")
    pool = read(paths.ANNOTATIONS_DIR / "pool_v1.csv")
    train = read(paths.ANNOTATIONS_DIR / "gold_train_v1.csv")
    counts = metadata[KEYWORDS + ["n_words"]].astype(int)
    metadata["density"] = counts[KEYWORDS].sum(axis=1) / counts["n_words"].clip(lower=1) * 1000
    metadata["debate"] = debate_of(metadata)
    taken = set(pool["doc_id"])
    for other in DRAWN_BEFORE.get(args.name, ()):
        taken |= set(read(paths.ANNOTATIONS_DIR / other / "pool.csv")["doc_id"])
    candidates = metadata[~metadata["doc_id"].isin(taken)
                          & (counts["n_words"] >= 300)
                          & ~metadata["speaker"].str.contains("President", case=False)
                          & (metadata["density"] >= args.min_density)].sort_values("doc_id")
    rng = np.random.default_rng(args.seed)
    chosen, per_debate = [], {}
    for index in rng.permutation(len(candidates)):
        row = candidates.iloc[index]
        if per_debate.get(row["debate"], 0) < PER_DEBATE:
            chosen.append(row)
            per_debate[row["debate"]] = per_debate.get(row["debate"], 0) + 1
        if len(chosen) == args.speeches:
            break
    speeches = pd.DataFrame(chosen).sort_values("doc_id")
    documents = []
    for row in speeches.itertuples():
        text = clean_speech(read_text_file(paths.SHARED_CORPORA / row.source_file)[0]).text
        documents.append({"doc_id": row.doc_id, "text": text})
    sentences = segment_sentences(pd.DataFrame(documents))
    sentences["context_before"] = sentences.groupby("doc_id")["text"].shift(1).fillna("")
    n_words = sentences["text"].str.count(r"\b\w[\w'-]*\b")
    sentences = sentences[n_words.between(6, 90)]
    rows = []
    for doc_id, group in sentences.groupby("doc_id", sort=True):
        take = min(PER_SPEECH, len(group))
        rows.append(group.iloc[np.sort(rng.choice(len(group), take, replace=False))])
    drawn = pd.concat(rows, ignore_index=True)
    meta = speeches.set_index("doc_id")[["corpus", "body", "year", "meeting", "session", "country", "topic",
                                         "debate", "density"]]
    drawn = drawn.join(meta, on="doc_id")
    drawn["debate_in_train"] = drawn["debate"].isin(set(debate_of(train)) | set(train["meeting"])).map(
        {True: "yes", False: "no"})
    drawn["density"] = drawn["density"].map(lambda value: f"{value:.1f}")
    order = rng.permutation(len(drawn))
    drawn["id"] = [f"{prefix}{rank:03d}" for rank in np.argsort(order)]
    drawn = drawn.sort_values("id").reset_index(drop=True)
    folder = paths.ANNOTATIONS_DIR / args.name
    folder.mkdir(parents=True, exist_ok=True)
    columns = ["id", "corpus", "body", "year", "meeting", "session", "country", "topic", "debate",
               "debate_in_train", "density", "doc_id", "sentence_id", "start", "end", "text"]
    drawn[columns].to_csv(folder / "pool.csv", index=False, lineterminator="\n")
    drawn[["id", "context_before", "text"]].to_csv(folder / "input.csv", index=False, lineterminator="\n")
    print(f"{len(speeches)} speeches from {speeches['debate'].nunique()} debates, {len(drawn)} sentences "
          f"({(drawn['debate_in_train'] == 'no').sum()} from debates without training sentences) -> {folder}")
    print(speeches.groupby("corpus").size().to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
