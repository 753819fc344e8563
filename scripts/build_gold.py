"""Assemble the gold set from the annotation pool and the annotators' label files.

Usage::

    python scripts/build_gold.py

Inputs (data/annotations/): ``pool_v1.csv`` (the sampled sentences, see sample_annotation_pool.py),
``labels/batch_{1,2,3,4}.csv`` (first pass: stance and themes), ``labels/batch_overlap.csv`` (a second,
independent first-pass annotation of 160 of the same sentences) and ``theme_pass/themes_{a,b}.csv`` (a second,
themes-only pass over every sentence with a written guideline that spells out the codebook's theme rules) and
``adjudication/themes.csv`` (a third theme annotation, from the codebook alone, of every sentence on which the
first two disagree, mixed with as many on which they agree; see sample_adjudication.py).
Outputs: ``gold_train_v1.csv``, ``gold_blind_v1.csv`` (stance from the first pass; themes from the theme pass,
and where the first pass disagrees with it, the majority of the three passes, theme by theme),
``agreement_v1.csv`` (both first-pass annotations of the overlap), ``gold_heldout_v1.csv`` and
``gold_dense_v1.csv`` (themes only, from ``heldout_v1/`` and ``dense_v1/``: two annotators and a third where they
disagree, see sample_heldout.py), and the agreement figures on stdout.

Codebook version 2 (``cooperation`` defined by what it covers and what it does not) is applied last: the
``cooperation`` label of every sentence re-read in ``coop_v2/`` (two passes, a third where they disagree; see
sample_coop_v2.py) replaces the version-1 label, and every gold file records the version its labels follow
(``themes_codebook`` 2; ``stance_codebook`` 1, or 2 for the criticism set)
(``agreement_coop_v2.csv`` keeps both passes, the adjudication and the version-1 label). ``criticism_v1/``
(stance and themes of sentences from unused debates, sample_criticism.py) becomes ``gold_criticism_v1.csv``,
with ``agreement_criticism_v1.csv``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis import paths
from analysis.annotate import cohen_kappa
from analysis.corpus import clean_speech, read_text_file
from analysis.stance import load_codebook
from analysis.themes import load_lexicon

#: Codebook versions the labels follow: every theme label follows version 2 (cooperation was re-read, the other
#: themes did not change); the stance labels of the first pool were made under version 1, those of the
#: criticism set under version 2 (whose stance decision rules 9-11 spell out readings version 1 left open).
THEMES_CODEBOOK = "2"

#: The codebook's themes and stance labels, as the shipped lexicon and cue file define them.
THEMES = load_lexicon(paths.THEMES_FILE).names
STANCES = load_codebook(paths.STANCE_FILE).labels
COLUMNS = ["id", "split", "sampling", "corpus", "body", "year", "meeting", "session", "country", "topic",
           "doc_id", "sentence_id", "start", "end", "text", "themes", "stance", "note"]


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def cleaned_texts(doc_ids: set[str]) -> dict[str, str]:
    """Cleaned text of each gold document, read the way ``read_corpus`` reads it (General Debate speeches
    before 2010, which have no text file, from the corpus's Parquet table)."""
    metadata = read(paths.SHARED_CORPORA / "all_metadata.csv").set_index("doc_id")["source_file"]
    table = None
    texts = {}
    for doc_id in sorted(doc_ids):
        if doc_id in metadata:
            raw = read_text_file(paths.SHARED_CORPORA / metadata[doc_id])[0]
        elif doc_id.startswith("UNGA_"):
            if table is None:
                table = pd.read_parquet(paths.SHARED_CORPORA / "ungdc" / "ungdc_1946_2024.parquet",
                                        columns=["doc_id", "text"]).set_index("doc_id")["text"]
            raw = table[doc_id]
        else:
            raw = read_text_file(paths.RAW_DIR / "sample_speech.txt")[0]
        texts[doc_id] = clean_speech(raw).text
    return texts


def realign(gold: pd.DataFrame) -> pd.DataFrame:
    """Move offsets to where each sentence now is, after a change to the cleaning; fail if one is gone."""
    texts = cleaned_texts(set(gold["doc_id"]))
    starts, ends, sentences, moved = [], [], [], 0
    for row in gold.itertuples():
        text, start, sentence = texts[row.doc_id], int(row.start), row.text
        if text[start:int(row.end)] != sentence:
            # The cleaning may also have changed the sentence itself (e.g. markup removed): clean it the same way.
            for sentence in (row.text, clean_speech(row.text).text):
                candidates = [i for i in range(len(text)) if text.startswith(sentence, i)]
                if candidates:
                    break
            else:
                raise SystemExit(f"{row.id}: sentence no longer in the cleaned text of {row.doc_id}")
            start = min(candidates, key=lambda i: abs(i - start))
            moved += 1
        starts.append(str(start))
        ends.append(str(start + len(sentence)))
        sentences.append(sentence)
    print(f"offsets realigned: {moved}")
    return gold.assign(start=starts, end=ends, text=sentences)


def report_theme_passes(first: pd.DataFrame, second: pd.DataFrame) -> None:
    """Agreement of the first-pass themes with the theme pass, per theme."""
    both = first.merge(second, on="id", suffixes=("_first", "_theme_pass"))
    for theme in THEMES:
        a = both["themes_first"].str.contains(theme)
        b = both["themes_theme_pass"].str.contains(theme)
        print(f"theme pass vs first pass, {theme}: agreement {(a == b).mean():.3f}, kappa "
              f"{cohen_kappa(a, b):.3f} ({a.sum()} vs {b.sum()} positive)")


def kappa(a: pd.Series, b: pd.Series) -> str:
    """Cohen's kappa to three decimals, or "undefined" when both raters gave one label only."""
    value = cohen_kappa(a, b)
    return "undefined" if np.isnan(value) else f"{value:.3f}"


def adjudicate(first: pd.DataFrame, second: pd.DataFrame, third: pd.DataFrame, *,
               name: str = "adjudication", second_name: str = "the theme pass") -> pd.DataFrame:
    """Themes of ``second`` where it agrees with ``first``; elsewhere the majority of the three, theme by theme.

    Every sentence on which ``first`` and ``second`` disagree must have a ``third`` label. Prints how the third
    pass agrees with the two others on the sentences where those agree (its calibration), and how often it
    sided with each on the disputed ones.
    """
    both = first[["id", "themes"]].merge(second[["id", "themes"]], on="id", suffixes=("_1", "_2"),
                                         validate="one_to_one")
    both = both.merge(third[["id", "themes"]].rename(columns={"themes": "themes_3"}), on="id", how="left",
                      validate="one_to_one")
    sets = {k: both[f"themes_{k}"].fillna("").map(lambda v: {p for p in v.split(";") if p}) for k in "123"}
    disputed = sets["1"] != sets["2"]
    missing = both.loc[disputed & both["themes_3"].isna(), "id"]
    assert missing.empty, f"adjudication: no third label for {', '.join(missing)}"
    checked = ~disputed & both["themes_3"].notna()
    for theme in THEMES:
        one, two, three = (sets[k].map(lambda labels: theme in labels) for k in "123")
        split = disputed & (one != two)
        print(f"{name}, {theme}: third pass agrees with the two others on {(three == two)[checked].sum()} "
              f"of {checked.sum()} agreed sentences (kappa {kappa(two[checked], three[checked])}); "
              f"on {split.sum()} disputed it sides with {second_name} {(three == two)[split].sum()} times")
    majority = [sorted(theme for theme in THEMES if sum(theme in sets[k][i] for k in "123") >= 2)
                if disputed[i] else sorted(sets["2"][i]) for i in range(len(both))]
    out = second.set_index("id").loc[both["id"]].reset_index()
    out["themes"] = [";".join(labels) for labels in majority]
    changed = (out["themes"] != second.set_index("id").loc[both["id"], "themes"].to_numpy()).sum()
    print(f"{name}: {disputed.sum()} disputed sentences, {changed} take themes other than {second_name}'s")
    return out


def build_dense(folder: Path, name: str) -> pd.DataFrame:
    """``gold_NAME.csv`` from ``NAME/`` (``heldout_v1``, ``dense_v1``): two independent theme annotations of every
    sentence, and a third where they disagree (see sample_heldout.py); gold themes: the majority, theme by theme."""
    part = folder / name
    short = name.split("_")[0]
    pool = read(part / "pool.csv")
    first, second, third = (read(part / f"themes_{annotator}.csv") for annotator in "abc")
    for annotator, labels in (("a", first), ("b", second)):
        assert list(labels["id"]) == list(pool["id"]), f"{short} themes_{annotator}: ids differ from the pool"
    both = first[["id", "themes"]].merge(second[["id", "themes"]], on="id", suffixes=("_a", "_b"))
    for theme in THEMES:
        a, b = (both[f"themes_{k}"].str.split(";").map(lambda labels: theme in labels) for k in "ab")
        print(f"{short}, {theme}: annotators agree on {(a == b).mean():.3f} of {len(both)} sentences, kappa "
              f"{cohen_kappa(a, b):.3f} ({a.sum()} vs {b.sum()} positive)")
    both["themes"] = adjudicate(first, second, third, name=f"{short} adjudication",
                                second_name="annotator b")["themes"].to_numpy()
    gold = pool.merge(both[["id", "themes"]], on="id", validate="one_to_one")
    gold["split"], gold["sampling"] = short, "random"
    columns = ["id", "split", "sampling", "corpus", "body", "year", "meeting", "session", "country", "topic",
               "debate_in_train", "doc_id", "sentence_id", "start", "end", "text", "themes"]
    gold = realign(gold)[columns]
    counts = {theme: int(gold["themes"].str.contains(theme).sum()) for theme in THEMES}
    print(f"{short}: {len(gold)} sentences; themes (codebook 1) {counts}")
    return gold


def decide(a: pd.Series, b: pd.Series, c: pd.Series) -> pd.Series:
    """One label from two passes and an adjudication: the passes' label where they agree, else the third's."""
    if (a != b).any() and c[a != b].isna().any():
        raise SystemExit(f"no adjudication for {', '.join(c[(a != b) & c.isna()].index[:5])}")
    return a.where(a == b, c)


def batches(folder: Path, prefix: str) -> pd.DataFrame:
    files = sorted(folder.glob(f"{prefix}_[0-9]*.csv"), key=lambda path: int(path.stem.rsplit("_", 1)[1]))
    return pd.concat([read(path) for path in files], ignore_index=True)


def reread_cooperation(folder: Path, golds: dict[str, pd.DataFrame]) -> None:
    """Replace the version-1 ``cooperation`` label of every sentence re-read under codebook version 2."""
    part = folder / "coop_v2"
    pool = read(part / "pool.csv").set_index("id")
    a, b = (batches(part, f"coop_{name}").set_index("id")["cooperation"] for name in "ab")
    c = pd.concat([read(path) for path in sorted(part.glob("coop_c*.csv"))]).set_index("id")["cooperation"]
    c = c.reindex(a.index)
    assert list(a.index) == list(b.index) == list(pool.index), "coop_v2: passes a and b must cover the pool"
    kappa_ab = cohen_kappa(a, b)
    v2 = decide(a, b, c)
    old = pd.Series({cid: "yes" if "cooperation" in golds[row.gold_file].set_index("id").at[row.gold_id, "themes"]
                     else "no" for cid, row in pool.iterrows()})
    agreement = pd.DataFrame({"id": pool.index, "gold_file": pool["gold_file"], "gold_id": pool["gold_id"],
                              "selected": pool["selected"], "cooperation_a": a, "cooperation_b": b,
                              "cooperation_c": c.fillna(""), "cooperation_v1": old, "cooperation_v2": v2})
    agreement.sort_values("id").to_csv(folder / "agreement_coop_v2.csv", index=False, lineterminator="\n")
    checked = (a == b) & c.notna()
    print(f"coop_v2: {len(pool)} sentences re-read; passes a and b agree on {(a == b).mean():.3f}, kappa "
          f"{kappa_ab:.3f} ({(a == 'yes').sum()} vs {(b == 'yes').sum()} yes); {(a != b).sum()} disputed, "
          f"adjudicated; on {checked.sum()} agreed sentences the third agrees {(c[checked] == a[checked]).mean():.3f}")
    for selected in ("could_change", "random", "rest"):
        rows = pool["selected"] == selected
        changed = (old[rows] != v2[rows])
        print(f"  {selected}: {rows.sum()} sentences, {changed.sum()} change ({changed.mean():.1%}): "
              f"{((old[rows] == 'no') & (v2[rows] == 'yes')).sum()} gain cooperation, "
              f"{((old[rows] == 'yes') & (v2[rows] == 'no')).sum()} lose it")
    for name, gold in golds.items():
        rows = pool[pool["gold_file"] == name]
        label = v2[rows.index].set_axis(rows["gold_id"])
        where = gold["id"].isin(label.index)
        sets = gold["themes"].map(lambda value: {theme for theme in value.split(";") if theme})
        for i in np.flatnonzero(where.to_numpy()):
            found = sets.iat[i] - {"cooperation"}
            if label[gold["id"].iat[i]] == "yes":
                found.add("cooperation")
            sets.iat[i] = found
        gold["themes"] = sets.map(lambda found: ";".join(sorted(found)))
        gold["themes_codebook"] = THEMES_CODEBOOK
        if "stance" in gold.columns:
            gold["stance_codebook"] = "1"
        print(f"  {name}: {where.sum()} of {len(gold)} re-read; cooperation "
              f"{int(gold['themes'].str.contains('cooperation').sum())} sentences")


def build_criticism(folder: Path) -> None:
    """``gold_criticism_v1.csv`` from ``criticism_v1/``: stance and themes, two passes and a third on disputes."""
    part = folder / "criticism_v1"
    pool = read(part / "pool.csv").set_index("id")
    a, b = (batches(part, f"labels_{name}").set_index("id") for name in "ab")
    c = read(part / "labels_c.csv").set_index("id").reindex(a.index)
    assert list(a.index) == list(b.index) == list(pool.index), "criticism_v1: passes must cover the pool"
    stance = decide(a["stance"], b["stance"], c["stance"])
    print(f"criticism: stance agreement {(a.stance == b.stance).mean():.3f}, kappa "
          f"{cohen_kappa(a.stance, b.stance):.3f}; {(a.stance != b.stance).sum()} disputed")
    themes = []
    sets = {k: frame["themes"].fillna("").map(lambda v: {t for t in v.split(";") if t}) for k, frame in
            (("a", a), ("b", b), ("c", c))}
    for theme in THEMES:
        x, y = (sets[k].map(lambda found: theme in found) for k in "ab")
        print(f"  {theme}: agreement {(x == y).mean():.3f}, kappa {cohen_kappa(x, y):.3f} "
              f"({x.sum()} vs {y.sum()} positive)")
    for cid in pool.index:
        if sets["a"][cid] == sets["b"][cid]:
            themes.append(";".join(sorted(sets["a"][cid])))
        else:
            themes.append(";".join(sorted(t for t in THEMES if sum(t in sets[k][cid] for k in "abc") >= 2)))
    notes = [" | ".join(n for n in parts if isinstance(n, str) and n) for parts in zip(a["note"], b["note"], c["note"])]
    gold = pool.reset_index().assign(split="train", themes=themes, stance=stance.to_numpy(), note=notes,
                                     themes_codebook=THEMES_CODEBOOK, stance_codebook="2")
    gold = realign(gold)[COLUMNS + ["themes_codebook", "stance_codebook"]]
    gold.to_csv(folder / "gold_criticism_v1.csv", index=False, lineterminator="\n")
    agreement = pd.DataFrame({"id": pool.index, "sampling": pool["sampling"], "stance_a": a["stance"],
                              "stance_b": b["stance"], "stance_c": c["stance"].fillna(""), "themes_a": a["themes"],
                              "themes_b": b["themes"], "themes_c": c["themes"].fillna("")})
    agreement.to_csv(folder / "agreement_criticism_v1.csv", index=False, lineterminator="\n")
    print(f"criticism: {len(gold)} sentences; stance {gold['stance'].value_counts().to_dict()}")


def main() -> int:
    folder = paths.ANNOTATIONS_DIR
    pool = read(folder / "pool_v1.csv")
    primary = pd.concat([read(folder / "labels" / f"batch_{n}.csv") for n in "1234"], ignore_index=True)
    second = read(folder / "labels" / "batch_overlap.csv")
    for name, labels in (("primary", primary), ("second", second)):
        assert labels["id"].is_unique, f"{name}: duplicate ids"
        assert labels["stance"].isin(STANCES).all(), f"{name}: unknown stance"
        themes = labels["themes"].str.split(";").explode()
        assert themes[themes != ""].isin(THEMES).all(), f"{name}: unknown theme"
    assert set(primary["id"]) == set(pool["id"]), "primary labels must cover the pool exactly"
    theme_pass = pd.concat([read(folder / "theme_pass" / f"themes_{part}.csv") for part in "ab"], ignore_index=True)
    assert set(theme_pass["id"]) == set(pool["id"]) and theme_pass["id"].is_unique, "theme pass must cover the pool"
    report_theme_passes(primary, theme_pass)
    theme_pass = adjudicate(primary, theme_pass, read(folder / "adjudication" / "themes.csv"))
    labels = primary.drop(columns=["themes", "note"]).merge(theme_pass, on="id", validate="one_to_one")
    labels["note"] = [" | ".join(part for part in parts if part) for parts in
                      zip(labels["note"], labels["id"].map(primary.set_index("id")["note"]))]
    gold = realign(pool.merge(labels, on="id", how="left", validate="one_to_one")[COLUMNS])
    golds = {}
    for split in ("train", "blind"):
        golds[f"gold_{split}_v1.csv"] = gold[gold["split"] == split].sort_values("id").reset_index(drop=True)
        print(f"{split}: {len(golds[f'gold_{split}_v1.csv'])} sentences")
    for name in ("heldout_v1", "dense_v1"):
        golds[f"gold_{name}.csv"] = build_dense(folder, name)
    reread_cooperation(folder, golds)
    for name, part in golds.items():
        part.to_csv(folder / name, index=False, lineterminator="\n")
    build_criticism(folder)
    both = second.merge(primary, on="id", suffixes=("_b", "_a"), validate="one_to_one")
    both = both[["id", "stance_a", "stance_b", "themes_a", "themes_b"]].sort_values("id")
    both.to_csv(folder / "agreement_v1.csv", index=False, lineterminator="\n")
    kappa = cohen_kappa(both["stance_a"], both["stance_b"])
    print(f"overlap: {len(both)} sentences; stance agreement {(both.stance_a == both.stance_b).mean():.3f}, "
          f"Cohen's kappa {kappa:.3f}")
    for theme in THEMES:
        a = both["themes_a"].str.contains(theme)
        b = both["themes_b"].str.contains(theme)
        print(f"  {theme}: agreement {(a == b).mean():.3f} ({a.sum()} vs {b.sum()} positive)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
