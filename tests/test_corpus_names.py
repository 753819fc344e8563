"""Tests for analysis.corpus.names: UN file names and speaker headers."""
from __future__ import annotations

import pytest

from analysis.corpus.clean import clean_speech
from analysis.corpus.names import parse_file_name, parse_header


# ----------------------------------------------------------------------------------------- file names


@pytest.mark.parametrize("name, expected", [
    ("UNSC_2014_SPV.7316_spch012.txt",
     {"body": "UNSC", "year": "2014", "meeting": "S/PV.7316", "speech_number": "12", "country_code": ""}),
    ("UNSC_2003_SPV.4726Resumption1_spch001",
     {"body": "UNSC", "year": "2003", "meeting": "S/PV.4726 (Resumption 1)", "speech_number": "1",
      "country_code": ""}),
    ("UNSC_2020_SPV.2020_254_spch003.txt",
     {"body": "UNSC", "year": "2020", "meeting": "S/2020/254", "speech_number": "3", "country_code": ""}),
    ("UNSC_2014_SPV.7167_spch004_RF_neg.txt",
     {"body": "UNSC", "year": "2014", "meeting": "S/PV.7167", "speech_number": "4", "country_code": "RF"}),
    ("KAZ_69_2014.txt", {"body": "UNGA", "year": "2014", "session": "69", "country_code": "KAZ"}),
    ("UNGA_EU_79_2024", {"body": "UNGA", "year": "2024", "session": "79", "country_code": "EU"}),
    ("my_speech.txt", {}),
])
def test_parse_file_name(name, expected):
    assert parse_file_name(name) == expected


# -------------------------------------------------------------------------------------------- headers


@pytest.mark.parametrize("raw, speaker, country, language", [
    ("Mr. Abdrakhmanov (Kazakhstan): Both terrorism", "Mr. Abdrakhmanov", "Kazakhstan", ""),
    ("The President (spoke in French): I now give the floor", "The President", "", "French"),
    ("The President: I now give the floor", "The President", "", ""),
    ("Sir Jeremy Greenstock (United Kingdom): We", "Sir Jeremy Greenstock", "United Kingdom", ""),
    ("Dame Karen Pierce (United Kingdom): We", "Dame Karen Pierce", "United Kingdom", ""),
    ("Sheikh Al-Thani (Qatar) (spoke in Arabic): At", "Sheikh Al-Thani", "Qatar", "Arabic"),
    ("Mrs. Mulamula (United Republic of Tanzania):\nWe thank", "Mrs. Mulamula", "United Republic of Tanzania", ""),
    ("Ms. Norman-Chalet (United States of America): Mr.", "Ms. Norman-Chalet", "United States of America", ""),
    ("Mr. Pecsteen de Buytswerve (Belgium) (spoke in French): We", "Mr. Pecsteen de Buytswerve", "Belgium",
     "French"),
    ("King Philippe (spoke in French): I thank", "King Philippe", "", "French"),
    ("The Secretary-General: The", "The Secretary-General", "", ""),
    ("Sir Jeremy Hartwell (United\nKingdom): I thank", "Sir Jeremy Hartwell", "United Kingdom", ""),
    ("Mr. Liu Jieyi (China) (spoke in Chinese): I", "Mr. Liu Jieyi", "China", "Chinese"),
    ("Mr. Michon (spoke in French) (France): I thank", "Mr. Michon", "France", "French"),
])
def test_parse_header(raw, speaker, country, language):
    header = parse_header(raw)
    assert header is not None
    assert (header.speaker, header.country, header.language) == (speaker, country, language)
    assert not raw[header.end:].startswith((" ", ":"))


@pytest.mark.parametrize("raw", [
    "The United Kingdom is grateful to Under-Secretary-General Lowcock: his briefing was stark.",
    "Mr. President, I thank you for convening this meeting.",
    "At the outset, let me thank Special Envoy Huang Xia for his briefing.",
    "The Russian delegation called for today's meeting. The reasons are these: first, the shelling.",
])
def test_parse_header_leaves_speech_openings_alone(raw):
    assert parse_header(raw) is None


def test_stage_note_that_swallowed_a_sentence_gives_it_back():
    cleaned = clean_speech("The President (spoke I thank Ms. Ruiz for her briefing. in French): "
                           "I now give the floor to the representative of Belgium.")
    assert cleaned.speaker == "The President"
    assert cleaned.language == "French"
    assert cleaned.text == ("I thank Ms. Ruiz for her briefing. "
                            "I now give the floor to the representative of Belgium.")
