"""Tests for analysis/download/unsc.py: the UNSC metadata.csv rows from file names and the two tables."""
from __future__ import annotations

import pandas as pd
import pytest
from download_samples import META_TSV, SPEAKER_TSV, SPEECHES, TOPIC

from analysis import download as dl


def test_unsc_metadata_maps_the_documented_columns_and_keeps_the_rest(tmp_path):
    (tmp_path / "speaker.tsv").write_text(SPEAKER_TSV)
    (tmp_path / "meta.tsv").write_text(META_TSV)
    speeches, meetings = dl.read_table(tmp_path / "speaker.tsv"), dl.read_table(tmp_path / "meta.tsv")
    stems = [name[:-4] for name in SPEECHES]
    frame, notes = dl.unsc_metadata(stems, speeches, meetings)
    assert list(frame.columns[:9]) == dl.UNSC_OUTPUT
    first = frame.iloc[0].to_dict()
    assert {k: first[k] for k in dl.UNSC_OUTPUT} == {
        "doc_id": "UNSC_2014_SPV.7138_spch002", "body": "UNSC", "country": "Russian Federation",
        "speaker": "Mr. Churkin", "speaker_role": "Mentioned", "year": "2014", "date": "2014-03-15",
        "meeting": "S/PV.7138", "topic": TOPIC}
    assert frame["speaker_role"].tolist() == ["Mentioned", "The President", "Guest"]
    # Kept as they are: the speech table's other columns, and the meeting table's (topic, date collide).
    for column in ("speech", "role_in_un", "basename", "tokens", "month", "num_speeches", "pressrelease",
                   "outcome", "meeting_topic"):
        assert column in frame.columns, column
    assert "meeting_date" not in frame.columns  # same values as date: not repeated
    assert frame["meeting_topic"].unique().tolist() == ["Items relating to Ukraine"]
    assert "mapped: participanttype->speaker_role, spv->meeting" in notes
    assert any(n.startswith("speech table: 3 of 3 speeches matched; 1 rows name no unpacked speech") for n in notes)


def test_unsc_metadata_tolerates_missing_and_unknown_columns():
    speeches = pd.DataFrame({"filename": ["UNSC_2003_SPV.4726Resumption1_spch005.txt"], "nation": ["Chile"]})
    frame, notes = dl.unsc_metadata(["UNSC_2003_SPV.4726Resumption1_spch005", "UNSC_2020_SPV.2020_254_spch001"],
                                    speeches)
    assert frame["meeting"].tolist() == ["S/PV.4726 (Resumption 1)", "S/2020/254"]
    assert frame["year"].tolist() == ["2003", "2020"]
    assert frame["nation"].tolist() == ["Chile", ""] and frame["country"].tolist() == ["", ""]
    assert any(n.startswith("no source column for: country, speaker, speaker_role, date, topic") for n in notes)
    assert "kept as they are (1): nation" in notes


@pytest.mark.parametrize("value, parts, expected", [
    ("15 March 2014", {}, "2014-03-15"), ("2014-03-15", {}, "2014-03-15"), ("2014-03-15 00:00:00", {}, "2014-03-15"),
    ("March 5, 2003", {}, "2003-03-05"), ("", {"year": "2014", "month": "3", "day": "15"}, "2014-03-15"),
    ("sometime", {}, "sometime"),
])
def test_iso_date(value, parts, expected):
    assert dl.iso_date(value, **parts) == expected
