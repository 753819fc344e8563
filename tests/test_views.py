"""Tests for analysis/views/: which speech, periods, groups and texts a notebook shows."""
from __future__ import annotations

import ast
import doctest
import importlib
import pkgutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import paths, views
from analysis.schema import DOCUMENTS_HEAD, SENTENCES_COLUMNS


#: The package and its modules, and the doctests each holds at least.
MODULES = [views, *(importlib.import_module(f"analysis.views.{info.name}")
                  for info in pkgutil.iter_modules(views.__path__))]
DOCTESTS = {"analysis.views.tables": 2, "analysis.views.speech": 5, "analysis.views.timeline": 1,
            "analysis.views.compare": 1, "analysis.views.summaries": 2, "analysis.views.fields": 1}


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.__name__)
def test_module_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= DOCTESTS.get(module.__name__, 0) and result.failed == 0


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.__name__)
def test_modules_import_no_private_names(module):
    """What two modules share is public in a third: no module imports another's ``_name``."""
    for node in ast.walk(ast.parse(Path(module.__file__).read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            private = [alias.name for alias in node.names if alias.name.startswith("_")]
            assert not private, f"{module.__name__} imports {private} from {node.module}"


def test_corpus_tables_are_the_run_tables_with_texts_and_paragraphs():
    tables = views.corpus_tables(paths.RAW_DIR)
    assert list(tables.documents.columns[:len(DOCUMENTS_HEAD)]) == DOCUMENTS_HEAD
    assert [c for c in tables.documents.columns if c.startswith("theme_")] == [
        f"theme_{name}" for name in tables.manifest["themes"]]
    assert [c for c in tables.documents.columns if c.startswith("stance_")] == [
        f"stance_{label}" for label in tables.manifest["stance_labels"]]
    assert tables.documents.columns[-1] == "text"
    expected = SENTENCES_COLUMNS[:2] + ["paragraph_id"] + SENTENCES_COLUMNS[2:]
    assert list(tables.sentences.columns) == expected
    text = tables.documents["text"].iloc[0]
    assert all(text[row.start:row.end] == row.text for row in tables.sentences.itertuples())
    assert tables.sentences["paragraph_id"].is_monotonic_increasing
    assert tables.sentences["paragraph_id"].iloc[0] == 0 and tables.sentences["paragraph_id"].nunique() > 1
    assert tables.skipped.empty and tables.manifest["n_documents"] == 1


@pytest.fixture
def documents() -> pd.DataFrame:
    return pd.DataFrame({
        "doc_id": ["d1", "d2", "d3", "d4", "d5"],
        "country": ["France", "China", "France", "", None],
        "year": ["2014", "2003", "2014", "2019", "2003"],
        "meeting": ["S/PV.7271", "S/PV.4726", "S/PV.7271", "S/PV.8676", "S/PV.4726"],
        "n_sentences": [12, 3, 40, 15, 11],
        "n_tokens": [300, 50, 900, 400, 250],
        "text": ["isil terrorism", "iraq war", "isil fighters", "iraq protests", "iraq inspections"],
    })


def test_pick_speech(documents):
    assert views.pick_speech(documents, doc_id="d2") == "d2"
    assert views.pick_speech(documents.head(1)) == "d1"
    # speeches with >= 10 sentences: d1 (300), d3 (900), d4 (400), d5 (250): lower median is d1 (300)
    assert views.pick_speech(documents) == "d1"
    assert views.pick_speech(documents, min_sentences=100) == "d1"  # none qualifies: all five, median 300
    with pytest.raises(KeyError, match="no speech with doc_id 'd9'"):
        views.pick_speech(documents, doc_id="d9")
    with pytest.raises(ValueError, match="no speeches"):
        views.pick_speech(documents.iloc[0:0])


@pytest.mark.parametrize("row, expected", [
    ({"country": "Kazakhstan", "speaker": "", "body": "UNSC", "meeting": "S/PV.7316", "year": "2014"},
     "Kazakhstan, S/PV.7316, 2014"),
    ({"country": "Afghanistan", "speaker": "Mr. Ghani", "body": "UNGA", "meeting": "", "year": "2015"},
     "Afghanistan (Mr. Ghani), UNGA, 2015"),
    ({"country": None, "speaker": "The President", "meeting": "S/PV.4644"}, "The President, S/PV.4644"),
    ({"country": ""}, "d1"),
])
def test_describe_speech(row, expected):
    assert views.describe_speech(pd.DataFrame([{"doc_id": "d1", **row}]), "d1") == expected


def test_describe_speech_unknown(documents):
    with pytest.raises(KeyError, match="no speech with doc_id 'x'"):
        views.describe_speech(documents, "x")


@pytest.mark.parametrize("text, cue, expected", [
    ("We condemn this scourge.", "condemn:scourge@16-23", 'scourge: "scourge"'),
    ("Kazakhstan is a party to all the\nconventions.", "support:party to@0-24;support:own action@0-10",
     'party to: "Kazakhstan is a party to"; own action: "Kazakhstan"'),
    ("Thanks.", "", ""),
    ("Short.", "support:must@0-99", "support:must@0-99"),  # a span beyond the sentence is shown as it is
    ("Odd.", "free-form evidence", "free-form evidence"),
])
def test_quote_cues(text, cue, expected):
    assert views.quote_cues(pd.DataFrame({"text": [text], "cue": [cue]})).tolist() == [expected]


def test_quote_cues_on_the_labelled_sample_speech():
    tables = views.corpus_tables(paths.RAW_DIR)
    quotes = views.quote_cues(tables.sentences)
    labelled = tables.sentences["cue"] != ""
    assert (quotes[labelled] != "").all() and (quotes[~labelled] == "").all()
    assert not quotes.str.contains("@").any(), "every cue of the labeller has the documented form"


@pytest.mark.parametrize("columns, expected", [
    ({"year": ["2014", "2003", "2014"], "date": ["", "", ""]}, "year"),
    ({"year": ["2020", "2020"], "date": ["2020-01-08", "2020-03-02"]}, "month"),
    ({"year": ["2020", "2020"], "date": ["2020-01-08", "2020-01-30"]}, "tenth"),
    ({"year": ["2014"], "date": ["2014-11-19"]}, "paragraph"),
    ({"doc_id": ["a", "b"]}, "tenth"),
])
def test_timeline_unit(columns, expected):
    assert views.timeline_unit(pd.DataFrame(columns)) == expected


def test_timeline_units_by_year_and_month_leave_out_undated_speeches():
    documents = pd.DataFrame({"doc_id": ["a", "b", "c"], "text": ["x", "y", "z"], "year": ["2014", "2003", ""],
                              "date": ["2014-11-19", "", "2020-01-08"]})
    assert views.timeline_units(documents, None, "year").to_dict("list") == {
        "period": ["2003", "2014"], "doc_id": ["b", "a"], "text": ["y", "x"]}
    assert views.timeline_units(documents, None, "month")["period"].tolist() == ["2014-11", "2020-01"]


def test_timeline_units_within_speeches():
    sentences = pd.DataFrame({"doc_id": ["a"] * 4 + ["b"] * 2, "sentence_id": [0, 1, 2, 3, 0, 1],
                              "paragraph_id": [0, 0, 1, 11, 0, 1], "text": list("pqrstu")})
    by_paragraph = views.timeline_units(None, sentences, "paragraph")
    assert by_paragraph["period"].tolist() == ["00", "00", "00", "01", "01", "11"]
    assert by_paragraph.set_index("text")["period"].to_dict() == {
        "p": "00", "q": "00", "r": "01", "s": "11", "t": "00", "u": "01"}
    by_tenth = views.timeline_units(None, sentences, "tenth").set_index("text")["period"].to_dict()
    assert by_tenth == {"p": "01", "q": "03", "r": "06", "s": "08", "t": "01", "u": "06"}
    with pytest.raises(ValueError, match="unit must be one of year, month, paragraph, tenth"):
        views.timeline_units(None, sentences, "decade")


def test_sentence_periods_follow_the_speech_or_its_date(documents):
    sentences = pd.DataFrame({"doc_id": ["d2", "d1", "d9"], "sentence_id": [0, 0, 0], "paragraph_id": [0, 0, 0]})
    assert views.sentence_periods(documents, sentences, "year").tolist() == ["2003", "2014", ""]


@pytest.mark.parametrize("by, target, expected_by, expected_target, n_target", [
    (None, None, "meeting", "S/PV.4726", 2),  # the largest meeting; ties broken by value
    ("meeting", "S/PV.7271", "meeting", "S/PV.7271", 2),
    ("country", None, "country", "France", 2),
    ("year", "2019", "year", "2019", 1),
])
def test_compare_groups_by_a_field(documents, by, target, expected_by, expected_target, n_target):
    comparison = views.compare_groups(documents, by=by, target=target)
    assert (comparison.by, comparison.target) == (expected_by, expected_target)
    units = comparison.units
    assert list(units.columns) == ["doc_id", expected_by, "text"]
    assert int((units[expected_by] == expected_target).sum()) == n_target
    assert comparison.description == (f"speeches with {expected_by} = {expected_target} ({n_target}) against "
                                      f"the other {5 - n_target} speeches")
    assert (comparison.target_label, comparison.reference_label) == (f"{expected_by} {expected_target}",
                                                                     "the other speeches")


def test_compare_groups_refuses_what_cannot_be_compared(documents):
    with pytest.raises(KeyError, match="no speech has meeting = 'S/PV.7272'; did you mean 'S/PV.7271'"):
        views.compare_groups(documents, by="meeting", target="S/PV.7272")
    with pytest.raises(KeyError, match="no field 'session' to compare by"):
        views.compare_groups(documents, by="session")
    with pytest.raises(ValueError, match="needs a field"):
        views.compare_groups(documents, target="S/PV.7271")
    same = documents.assign(body="UNSC")
    with pytest.raises(ValueError, match="every speech has body = 'UNSC'"):
        views.compare_groups(same, by="body")


def test_one_speech_compares_the_sentences_about_its_main_theme():
    speech = pd.DataFrame({"doc_id": ["k"], "text": ["..."], "year": ["2014"], "meeting": ["S/PV.7316"]})
    sentences = pd.DataFrame({"doc_id": ["k"] * 4, "text": ["a", "b", "c", "d"],
                              "themes": ["terrorism;trafficking", "trafficking", "", "trafficking;cooperation"]})
    comparison = views.compare_groups(speech, sentences)
    assert (comparison.by, comparison.target) == ("sentences", "about trafficking")
    assert comparison.units["sentences"].tolist() == ["about trafficking", "about trafficking",
                                                      "not about trafficking", "about trafficking"]
    assert comparison.description == "sentences about trafficking (3) against the other 1 sentences"
    assert comparison.target_label == "sentences about trafficking"


def test_one_speech_without_a_splitting_theme_compares_its_halves():
    speech = pd.DataFrame({"doc_id": ["k"], "text": ["..."]})
    sentences = pd.DataFrame({"doc_id": ["k"] * 3, "text": ["a", "b", "c"], "themes": ["terrorism"] * 3})
    comparison = views.compare_groups(speech, sentences)
    assert comparison.target == "first half"
    assert comparison.units["sentences"].tolist() == ["first half", "first half", "second half"]
    with pytest.raises(ValueError, match="pass its sentences"):
        views.compare_groups(speech)


def test_topic_texts_are_speeches_when_there_are_enough(documents):
    sentences = pd.DataFrame({"text": ["s1", "s2", "s3", "s4", "s5", "s6"]})
    texts, unit = views.topic_texts(documents, sentences, min_documents=5)
    assert unit == "speeches" and texts.tolist() == documents["text"].tolist()
    texts, unit = views.topic_texts(documents, sentences, min_documents=6)
    assert unit == "sentences" and len(texts) == 6
