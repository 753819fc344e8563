"""The gold set is well formed, its blind split is made of unseen debates, and its offsets still match."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis import paths
from analysis.corpus import clean_speech, read_corpus, read_text_file

THEMES = {"terrorism", "trafficking", "cooperation"}
STANCES = {"support", "oppose", "condemn", "neutral"}


@pytest.fixture(scope="module")
def gold():
    parts = [pd.read_csv(paths.ANNOTATIONS_DIR / f"gold_{split}_v1.csv", dtype=str, keep_default_na=False)
             for split in ("train", "blind")]
    return pd.concat(parts, ignore_index=True)


def test_gold_is_large_and_well_formed(gold):
    assert len(gold) >= 500
    assert gold["id"].is_unique
    assert set(gold["stance"]) == STANCES
    for themes in gold["themes"]:
        labels = themes.split(";") if themes else []
        assert labels == sorted(set(labels)) and set(labels) <= THEMES
    assert (gold["start"].astype(int) < gold["end"].astype(int)).all()


def test_oppose_and_condemn_are_well_represented(gold):
    shares = gold["stance"].value_counts(normalize=True)
    assert shares["oppose"] > 0.12 and shares["condemn"] > 0.08


def test_blind_split_shares_no_debate_with_train(gold):
    debate = gold["meeting"].where(gold["body"] == "UNSC", "UNGA " + gold["session"])
    train, blind = set(debate[gold["split"] == "train"]), set(debate[gold["split"] == "blind"])
    assert blind and not train & blind
    assert set(gold.loc[gold["split"] == "blind", "body"]) == {"UNSC", "UNGA"}


def test_sample_speech_sentences_are_labelled_as_in_the_codebook(gold):
    sample = gold[gold["corpus"] == "sample"].set_index("text")
    first = "Both terrorism and cross-border crime continue to constitute a serious threat to international peace and stability."
    assert sample.loc[first, ["themes", "stance"]].tolist() == ["terrorism;trafficking", "condemn"]
    assert sample.loc["An important role should be played by regional and subregional organizations.",
                      "stance"] == "support"


def test_sample_speech_offsets_point_into_the_cleaned_speech(gold):
    text = read_corpus(paths.RAW_DIR).documents.iloc[0]["text"]
    rows = gold[gold["corpus"] == "sample"]
    assert len(rows) == 24
    for row in rows.itertuples():
        assert text[int(row.start):int(row.end)] == row.text, row.id


@pytest.mark.corpus
def test_gold_offsets_point_into_the_cleaned_speeches(gold, corpora):
    """If cleaning changes, rerun scripts/build_gold.py (it realigns offsets) rather than editing by hand."""
    source = pd.read_csv(corpora / "all_metadata.csv", dtype=str, keep_default_na=False).set_index("doc_id")
    rows = gold[gold["corpus"] != "sample"]
    for doc_id, group in rows.groupby("doc_id"):
        text = clean_speech(read_text_file(corpora / source.loc[doc_id, "source_file"])[0]).text
        for row in group.itertuples():
            assert text[int(row.start):int(row.end)] == row.text, row.id


@pytest.fixture(scope="module")
def heldout():
    return pd.read_csv(paths.ANNOTATIONS_DIR / "gold_heldout_v1.csv", dtype=str, keep_default_na=False)


def test_heldout_set_is_well_formed_and_shares_no_speech_with_the_gold_set(heldout, gold):
    assert len(heldout) == 240 and heldout["id"].is_unique
    for themes in heldout["themes"]:
        labels = themes.split(";") if themes else []
        assert labels == sorted(set(labels)) and set(labels) <= THEMES
    assert not set(heldout["doc_id"]) & set(gold["doc_id"])
    assert set(heldout["debate_in_train"]) == {"yes", "no"}


def test_every_disputed_heldout_sentence_has_a_third_label():
    folder = paths.ANNOTATIONS_DIR / "heldout_v1"
    a, b, c = (pd.read_csv(folder / f"themes_{name}.csv", dtype=str, keep_default_na=False).set_index("id")
               for name in "abc")
    disputed = a.index[a["themes"] != b["themes"]]
    assert len(disputed) and set(disputed) <= set(c.index)


@pytest.mark.corpus
def test_heldout_offsets_point_into_the_cleaned_speeches(heldout, corpora):
    source = pd.read_csv(corpora / "all_metadata.csv", dtype=str, keep_default_na=False).set_index("doc_id")
    for doc_id, group in heldout.groupby("doc_id"):
        text = clean_speech(read_text_file(corpora / source.loc[doc_id, "source_file"])[0]).text
        for row in group.itertuples():
            assert text[int(row.start):int(row.end)] == row.text, row.id
