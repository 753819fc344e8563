"""Draw the pool of sentences for hand annotation (stance codebook v1), reproducibly.

Usage::

    python scripts/sample_annotation_pool.py --out data/annotations/pool_v1.csv

Design (see data/annotations/README.md):

* sources: the sample speech (all sentences), unsc_umuc, unsc_ucunsc and unsc_2020 (Security Council), and
  ungdc (General Assembly, 2010-2024);
* a *blind* split made of whole debates (UNSC meetings, UNGA sessions) that no training sentence comes from,
  so the blind score measures transfer to debates the labellers have never seen;
* per document at most a few sentences, so no single speech dominates;
* two sampling strata, recorded in the ``sampling`` column: ``random`` (uniform over eligible sentences of the
  chosen documents) and ``enriched`` (sentences containing broad evaluative or threat vocabulary, drawn so that
  ``oppose`` and ``condemn`` are well represented). Scores can be reported on the ``random`` stratum alone.

The enrichment vocabulary is deliberately broad and is not the rule labeller's cue list.
"""
from __future__ import annotations

import argparse
import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import paths
from analysis.corpus import read_corpus, segment_sentences

ENRICH = re.compile(
    r"\b(?:condemn\w*|terror\w*|violat\w*|reject\w*|regret\w*|aggress\w*|attack\w*|threat\w*|oppos\w*|against|"
    r"illegal\w*|deplor\w*|concern\w*|unacceptabl\w*|accus\w*|blame\w*|lie|lies|false\w*|hypocri\w*|"
    r"double standards?|politiciz\w*|crime\w*|criminal\w*|traffick\w*|scourge|extremis\w*|kill\w*|"
    r"occupation|annex\w*|sanction\w*|veto\w*|fail\w*|cannot|not|never)\b",
    re.IGNORECASE,
)

# Debates held out whole for the blind split (meeting symbol or UNGA session).
BLIND_MEETINGS = {
    "S/PV.4726 (Resumption 1)",  # Iraq 2003, resumed debate
    "S/PV.7219",                 # Ukraine 2014
    "S/PV.7643",                 # Women and peace and security 2016
    "S/PV.7311", "S/PV.7887",    # Ukraine 2014, 2017 (unsc_ucunsc)
    "S/PV.8698",                 # West Africa, terrorism 2020
    "S/PV.8724",                 # Guinea-Bissau, drug trafficking 2020
    "S/PV.8726",                 # Ukraine 2020
    "S/PV.8733",                 # Non-proliferation 2020
    "S/2020/594",                # Children and armed conflict 2020
    "S/PV.8755",                 # Somalia 2020
}
BLIND_SESSIONS = {"67", "72", "78"}  # UNGA 2012, 2017, 2023


def stable_seed(*parts: str) -> int:
    return int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:8], 16)


def eligible(sentences: pd.DataFrame) -> pd.DataFrame:
    n_words = sentences["text"].str.count(r"\b\w[\w'-]*\b")
    keep = n_words.between(6, 90) & ~sentences["text"].str.contains(r"I now give the floor|I call on|"
                                                                     r"The meeting (?:rose|was)", regex=True)
    return sentences[keep]


def draw(corpus_dir: Path, *, per_doc: int, n_docs: int | None, seed: int, docs_filter=None) -> pd.DataFrame:
    corpus = read_corpus(corpus_dir)
    documents = corpus.documents
    if docs_filter is not None:
        documents = documents[docs_filter(documents)]
    rng = np.random.default_rng(seed)
    if n_docs is not None and len(documents) > n_docs:
        documents = documents.iloc[np.sort(rng.choice(len(documents), n_docs, replace=False))]
    sentences = eligible(segment_sentences(documents))
    rows = []
    for doc_id, group in sentences.groupby("doc_id", sort=True):
        local = np.random.default_rng(stable_seed(str(seed), doc_id))
        enriched = group[group["text"].str.contains(ENRICH)]
        plain = group.drop(enriched.index)
        take_enriched = min(len(enriched), (per_doc + 1) // 2)
        chosen = []
        if take_enriched:
            chosen.append(enriched.iloc[np.sort(local.choice(len(enriched), take_enriched, replace=False))]
                          .assign(sampling="enriched"))
        rest = group.drop(chosen[0].index) if chosen else group
        take_random = min(len(rest), per_doc - take_enriched)
        if take_random:
            chosen.append(rest.iloc[np.sort(local.choice(len(rest), take_random, replace=False))]
                          .assign(sampling="random"))
        del plain
        rows.extend(chosen)
    pool = pd.concat(rows, ignore_index=True)
    meta = documents.set_index("doc_id")[["body", "year", "meeting", "session", "country", "topic"]]
    return pool.join(meta, on="doc_id")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=paths.ANNOTATIONS_DIR / "pool_v1.csv")
    parser.add_argument("--seed", type=int, default=20141119)
    args = parser.parse_args()
    corpora = paths.SHARED_CORPORA
    parts = []
    sample = read_corpus(paths.RAW_DIR)
    s = segment_sentences(sample.documents).assign(sampling="all")
    parts.append(s.join(sample.documents.set_index("doc_id")[["body", "year", "meeting", "session", "country",
                                                              "topic"]], on="doc_id").assign(corpus="sample"))
    parts.append(draw(corpora / "unsc_umuc", per_doc=3, n_docs=230, seed=args.seed).assign(corpus="unsc_umuc"))
    parts.append(draw(corpora / "unsc_ucunsc", per_doc=3, n_docs=70, seed=args.seed).assign(corpus="unsc_ucunsc"))
    parts.append(draw(corpora / "unsc_2020", per_doc=2, n_docs=220, seed=args.seed,
                      docs_filter=lambda d: d["speaker"].ne("The President") | d["meeting"].isin(BLIND_MEETINGS))
                 .assign(corpus="unsc_2020"))
    parts.append(draw(corpora / "ungdc", per_doc=2, n_docs=170, seed=args.seed).assign(corpus="ungdc"))
    pool = pd.concat(parts, ignore_index=True)
    blind = pool["meeting"].isin(BLIND_MEETINGS) | (pool["body"].eq("UNGA") & pool["session"].isin(BLIND_SESSIONS))
    pool["split"] = np.where(blind, "blind", "train")
    pool = pool.sort_values(["split", "corpus", "doc_id", "start"]).reset_index(drop=True)
    order = np.random.default_rng(args.seed).permutation(len(pool))
    pool["id"] = [f"s{index:04d}" for index in np.argsort(order)]
    pool = pool.sort_values("id").reset_index(drop=True)
    columns = ["id", "split", "sampling", "corpus", "body", "year", "meeting", "session", "country", "topic",
               "doc_id", "sentence_id", "start", "end", "text"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    pool[columns].to_csv(args.out, index=False, lineterminator="\n")
    print(pool.groupby(["split", "corpus"]).size().to_string())
    print(pool.groupby(["split", "sampling"]).size().to_string())
    print(f"{len(pool)} sentences -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
