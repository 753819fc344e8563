"""Tests for analysis.corpus.segment: paragraphs and sentences as offsets."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis.corpus.clean import clean_speech
from analysis.corpus.segment import iter_sentences, segment_sentences, split_paragraphs, split_sentences


# --------------------------------------------------------------------------------------- segmentation


@pytest.mark.parametrize("text, expected", [
    ("Mr. Laborde spoke. We agree.", ["Mr. Laborde spoke.", "We agree."]),
    ("Ms. Ruiz and Dr. Wu spoke. Mrs. Ali agreed.", ["Ms. Ruiz and Dr. Wu spoke.", "Mrs. Ali agreed."]),
    ("See paragraph No. 5 of the plan. It is clear.", ["See paragraph No. 5 of the plan.", "It is clear."]),
    ("He said no. We left.", ["He said no.", "We left."]),
    ("The U.N. Office helped. We met the U.N. It agreed.", ["The U.N. Office helped.", "We met the U.N.", "It agreed."]),
    ("It met in S/PV.7316 today. Then it rose.", ["It met in S/PV.7316 today.", "Then it rose."]),
    ("We recall resolution 2178 (2014). It binds all.", ["We recall resolution 2178 (2014).", "It binds all."]),
    ("Mr. J. R. Smith spoke. We agree.", ["Mr. J. R. Smith spoke.", "We agree."]),
    ("Growth was 3.5 per cent. It rose.", ["Growth was 3.5 per cent.", "It rose."]),
    ("In 2013. In 2014 we acted.", ["In 2013.", "In 2014 we acted."]),
    ("Is that fair? No! We object.", ["Is that fair?", "No!", "We object."]),
    ('He said "stop." Then he left.', ['He said "stop."', "Then he left."]),
    ("We act (see S/2020/3). Then we vote.", ["We act (see S/2020/3).", "Then we vote."]),
    ("e.g. the plan, i.e. the draft. Next.", ["e.g. the plan, i.e. the draft.", "Next."]),
    ("It ended at 1 p.m. The next day we met.", ["It ended at 1 p.m.", "The next day we met."]),
    ("No terminal mark", ["No terminal mark"]),
    ("2. We hope. 3. They act.", ["2. We hope.", "3. They act."]),
    ("(iv). Next step. It was 2014. 2015 was worse.", ["(iv). Next step.", "It was 2014.", "2015 was worse."]),
])
def test_split_sentences(text, expected):
    assert [text[a:b] for a, b in split_sentences(text)] == expected


@pytest.mark.parametrize("text, n_sentences", [
    ("." * 60_000 + " next. Then", 2),
    ("No. 5 " * 30_000, 1),
    ("Mr. " * 15_000, 1),
    ("We act. " + " " * 60_000 + "No. 1 " * 5_000, 2),
], ids=["run-of-dots", "numbered", "titles", "blanks-then-markers"])
def test_split_sentences_time_grows_linearly_on_pathological_input(text, n_sentences, finishes_within):
    with finishes_within(30):
        assert len(split_sentences(text)) == n_sentences


def test_split_sentences_respects_start_and_end():
    text = "Skip this. Take this. And this. Not this."
    spans = split_sentences(text, 11, 31)
    assert [text[a:b] for a, b in spans] == ["Take this.", "And this."]


def test_split_paragraphs_offsets():
    text = "One. Two.\n\nThree.\n\n\nFour."
    assert [text[a:b] for a, b in split_paragraphs(text)] == ["One. Two.", "Three.", "Four."]


def test_sentences_never_cross_paragraphs():
    text = clean_speech("We act\nnow.\n\nThen\nwe vote").text
    assert [(p, text[a:b]) for p, a, b in iter_sentences(text)] == [(0, "We act now."), (1, "Then we vote")]


def _all_fixture_texts(fixtures_dir):
    return [clean_speech(path.read_text(encoding="utf-8")).text
            for path in sorted((fixtures_dir / "corpus").rglob("*.txt"))]


def test_offset_invariant_on_every_sentence(fixtures_dir, sample_speech_path):
    texts = _all_fixture_texts(fixtures_dir) + [clean_speech(sample_speech_path.read_text()).text]
    documents = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    sentences = segment_sentences(documents)
    assert len(sentences) > 30
    lookup = dict(zip(documents["doc_id"], documents["text"]))
    for row in sentences.itertuples():
        assert lookup[row.doc_id][row.start:row.end] == row.text
        assert row.text == row.text.strip() and row.text
    assert (sentences.groupby("doc_id")["sentence_id"].apply(lambda s: list(s) == list(range(len(s))))).all()


def test_segment_sentences_of_empty_frame_has_columns():
    sentences = segment_sentences(pd.DataFrame({"doc_id": [], "text": []}))
    assert list(sentences.columns) == ["doc_id", "sentence_id", "paragraph_id", "start", "end", "text"]
    assert sentences.empty
