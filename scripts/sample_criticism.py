"""Draw sentences for the stance labels' weak spot, implicit criticism, from debates no gold set uses.

Usage::

    python scripts/sample_criticism.py

Why: on the blind split's ``random`` stratum, ``oppose`` F1 is 0.27. Criticism without a named actor or a
criticism cue ("the pace of implementation remains inadequate", "this approach has failed", rhetorical
questions, concessive "while …, …" constructions) is what both labellers miss. The gold set needs more such
sentences, from debates the labellers have not seen.

Design:

* speeches of debates that no sentence of any gold file comes from (Security Council meetings of
  ``unsc_2020`` outside every gold file; General Assembly sessions 1-64, which the text corpora do not hold and
  no gold file uses), never a blind debate; at least 300 words; not the presiding officer's procedural turns
  (:func:`analysis.procedure.is_procedural_turn`);
* up to 130 Security Council speeches (at most 8 per meeting) and 80 General Assembly speeches (at most 3 per
  session) drawn at random (fixed seed);
* from each speech, sentences of 6-90 words drawn among those holding a marker of contrast, concession or
  negative evaluation (two from a Council speech, one from a General Assembly speech) (:data:`MARKERS`: *while*, *although*, *however*, *yet*, *remains*, *insufficient*,
  *failed*, a question mark …; deliberately broad, and not the rule labeller's cue list), stratum
  ``criticism``, and one drawn uniformly among the others, stratum ``random``;
* ids ``k000`` … in a shuffled order.

Output: ``data/annotations/criticism_v1/pool.csv`` and ``input_1.csv``, ``input_2.csv`` (``id, context_before,
text``, two batches). No
labeller, lexicon or model output takes part in the draw.
"""
from __future__ import annotations

import argparse
import re

import numpy as np
import pandas as pd

from analysis import paths
from analysis.gold import debate_of
from analysis.corpus import clean_speech, parse_header, read_text_file, segment_sentences
from analysis.procedure import PRESIDING_SPEAKER, is_procedural_turn

SEED = 20261203
N_UNSC, N_UNGA = 130, 80
N_BATCHES = 2
#: (speeches per debate, marked sentences per speech) for each body: the free Council meetings are few.
LIMITS = {"UNSC": (8, 2), "UNGA": (3, 1)}
GOLD_FILES = ("gold_train_v1.csv", "gold_blind_v1.csv", "gold_heldout_v1.csv", "gold_dense_v1.csv")
MARKERS = re.compile(
    r"\b(?:while|whilst|although|though|however|but|yet|despite|nevertheless|nonetheless|regrettabl\w*|"
    r"unfortunate\w*|insufficient\w*|inadequa\w*|fail\w*|lack\w*|shortfall\w*|short|far\s+from|remain\w*|still|"
    r"slow\w*|stall\w*|ineffective\w*|selectiv\w*|double\s+standards?|not\s+enough|no\s+longer|neglect\w*|"
    r"ignor\w*|disappoint\w*|concern\w*|unacceptabl\w*|undermin\w*|too\s+little|too\s+late|instead)\b|\?",
    re.IGNORECASE)


def read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def eligible_sentences(doc_id: str, raw: str) -> pd.DataFrame | None:
    """The speech's sentences of 6-90 words with the one before each, or None for a procedural turn."""
    header = parse_header(raw)
    cleaned = clean_speech(raw)
    sentences = segment_sentences(pd.DataFrame({"doc_id": [doc_id], "text": [cleaned.text]}))
    from_header = header is not None and bool(PRESIDING_SPEAKER.match(header.speaker))
    if is_procedural_turn(speaker=cleaned.speaker, text=cleaned.text, sentences=sentences["text"].tolist(),
                          from_header=from_header):
        return None
    sentences["context_before"] = sentences["text"].shift(1).fillna("")
    n_words = sentences["text"].str.count(r"\b\w[\w'-]*\b")
    return sentences[n_words.between(6, 90)]


def draw(speeches: pd.DataFrame, texts, n: int, rng: np.random.Generator, *, per_debate_max: int,
         marked_per_speech: int) -> list[pd.DataFrame]:
    chosen, per_debate = [], {}
    for index in rng.permutation(len(speeches)):
        row = speeches.iloc[index]
        if per_debate.get(row["debate"], 0) >= per_debate_max:
            continue
        sentences = eligible_sentences(row["doc_id"], texts(row))
        if sentences is None or len(sentences) < 4:
            continue
        marked = sentences["text"].str.contains(MARKERS)
        if marked.sum() < marked_per_speech or marked.all():
            continue
        picks = []
        for stratum, pool, k in (("criticism", sentences[marked], marked_per_speech), ("random", sentences[~marked], 1)):
            picks.append(pool.iloc[np.sort(rng.choice(len(pool), k, replace=False))].assign(sampling=stratum))
        chosen.append(pd.concat(picks).assign(**{k: row[k] for k in ("corpus", "body", "year", "meeting", "session",
                                                                       "country", "topic", "debate")}))
        per_debate[row["debate"]] = per_debate.get(row["debate"], 0) + 1
        if len(chosen) == n:
            break
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    gold = pd.concat([read(paths.ANNOTATIONS_DIR / name) for name in GOLD_FILES])
    used = set(debate_of(gold))
    metadata = read(paths.SHARED_CORPORA / "all_metadata.csv")
    metadata["debate"] = debate_of(metadata)
    unsc = metadata[(metadata["body"] == "UNSC") & ~metadata["debate"].isin(used)
                    & (metadata["n_words"].astype(int) >= 300)].sort_values("doc_id")
    table = pd.read_parquet(paths.SHARED_CORPORA / "ungdc" / "ungdc_1946_2024.parquet")
    table = table.astype({column: str for column in table.columns if column != "text"})
    table["debate"] = debate_of(table.assign(body="UNGA", meeting=""))
    unga = table[~table["debate"].isin(used) & (table["n_words"].astype(int) >= 300)]
    unga = unga.sort_values("doc_id").assign(corpus="ungdc")
    texts = dict(zip(unga["doc_id"], unga["text"]))
    parts = draw(unsc, lambda row: read_text_file(paths.SHARED_CORPORA / row["source_file"])[0], N_UNSC, rng,
                 per_debate_max=LIMITS["UNSC"][0], marked_per_speech=LIMITS["UNSC"][1])
    parts += draw(unga, lambda row: texts[row["doc_id"]], N_UNGA, rng, per_debate_max=LIMITS["UNGA"][0],
                  marked_per_speech=LIMITS["UNGA"][1])
    pool = pd.concat(parts, ignore_index=True)
    order = rng.permutation(len(pool))
    pool["id"] = [f"k{rank:03d}" for rank in np.argsort(order)]
    pool = pool.sort_values("id").reset_index(drop=True)
    folder = paths.ANNOTATIONS_DIR / "criticism_v1"
    folder.mkdir(exist_ok=True)
    columns = ["id", "sampling", "corpus", "body", "year", "meeting", "session", "country", "topic", "debate",
               "doc_id", "sentence_id", "start", "end", "text"]
    pool[columns].to_csv(folder / "pool.csv", index=False, lineterminator="\n")
    for batch, rows in enumerate(np.array_split(np.arange(len(pool)), N_BATCHES), start=1):
        pool.iloc[rows][["id", "context_before", "text"]].to_csv(folder / f"input_{batch}.csv", index=False,
                                                                lineterminator="\n")
    print(f"{len(pool)} sentences from {pool['doc_id'].nunique()} speeches of {pool['debate'].nunique()} debates "
          f"-> {folder}")
    print(pool.groupby(["body", "sampling"]).size().to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
