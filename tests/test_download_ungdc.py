"""Tests for analysis/download/ungdc.py: the UNGDC metadata.csv rows from file names and the speakers table."""
from __future__ import annotations

import pandas as pd

from analysis import download as dl


def test_ungdc_metadata_from_file_names_and_a_speakers_table():
    speakers = pd.DataFrame({"Year": [2014, 1946], "Session": [69, 1], "ISO Code": ["KAZ", "USA"],
                             "Country": ["Kazakhstan", "United States"],
                             "Name of Person Speaking": ["Erlan Idrissov", "Warren Austin"],
                             "Post": ["Minister for Foreign Affairs", None]})
    frame, notes = dl.ungdc_metadata(["USA_01_1946", "KAZ_69_2014", "README"], speakers)
    assert frame.to_dict("records") == [
        {"doc_id": "UNGA_KAZ_69_2014", "source_file": "KAZ_69_2014.txt", "body": "UNGA", "country": "Kazakhstan",
         "country_iso3": "KAZ", "speaker": "Erlan Idrissov", "speaker_role": "Minister for Foreign Affairs",
         "year": "2014", "session": "69", "topic": "General Debate, UNGA session 69 (2014)"},
        {"doc_id": "UNGA_USA_01_1946", "source_file": "USA_01_1946.txt", "body": "UNGA", "country": "United States",
         "country_iso3": "USA", "speaker": "Warren Austin", "speaker_role": "", "year": "1946", "session": "1",
         "topic": "General Debate, UNGA session 1 (1946)"}]
    assert notes == ["speakers table: 2 of 2 speeches matched on ISO code and year"]
