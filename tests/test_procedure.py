"""The presiding officer's procedural turns and procedural sentences (analysis/procedure.py)."""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import procedure
from analysis.corpus import read_corpus

# Each kind of procedural sentence with sentences of the records it must find, and delegates' sentences that
# share its words but are not procedure.
EXAMPLES = {
    "gives the floor": (
        ["I now give the floor to the representative of Kazakhstan.",
         "I give the floor to His Excellency Mr. Laurent Fabius, Minister for Foreign Affairs of France.",
         "I call on the representative of Iraq.",
         "The representative of the Syrian Arab Republic has asked for the floor to make a further statement."],
        ["I thank the President for giving me the floor.",
         "I call on Council members to show unity and responsibility.",
         "I call on the Special Envoy of the Secretary-General to work to establish a lasting ceasefire."]),
    "invites to the table": (
        ["In accordance with rule 37 of the Council's provisional rules of procedure, I invite the "
         "representatives of Albania and Austria to participate in this meeting.",
         "There being no objection, it is so decided.",
         "I propose to invite Mr. Feltman to take a seat at the Council table."],
        ["I invite her to come and visit Crimea to see how people live.",
         "The United Kingdom would like to raise an objection to the briefer proposed under rule 39 of the "
         "Council's provisional rules of procedure."]),
    "announces letters": (
        ["I should like to inform the Council that I have received letters from the representatives of Jordan "
         "and Sri Lanka.",
         "Members of the Council have before them document S/2016/235, which contains the text of a draft "
         "resolution."],
        ["I would like to draw the attention of members of the Security Council to the fact that Russia "
         "continues to redeploy new forces."]),
    "opens or closes the meeting": (
        ["The Security Council will now begin its consideration of the item on its agenda.",
         "I shall now make a statement in my capacity as the representative of Nigeria.",
         "The meeting rose at 12.15 p.m."],
        ["The meeting of the Council last week achieved little."]),
    "speakers and time": (
        ["I wish to remind all speakers to limit their statements to no more than five minutes.",
         "There are no more names inscribed on the list of speakers."],
        ["A Christian family had five minutes' notice to flee their home.",
         "The list of speakers, from yesterday to today, is a testament to how important this topic is."]),
    "votes": (
        ["The Council is ready to proceed to the vote on the draft resolution before it.",
         "The draft resolution has been adopted unanimously as resolution 2178 (2014).",
         "The draft resolution received 15 votes in favour."],
        ["We voted against the draft resolution because it ignores the root causes."]),
    "covering letter": (
        ["I have the honour to enclose herewith a copy of the briefing by the Special Envoy.",
         "These briefings and statements will be issued as an official document of the Security Council."],
        ["We have the honour to welcome the new members of the Council."]),
}


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_each_kind_finds_its_examples_and_not_its_counterexamples(kind):
    examples, counterexamples = EXAMPLES[kind]
    found = procedure.procedural_spans(examples)
    assert [span and span[0] for span in found] == [kind] * len(examples)
    assert not procedure.procedural_sentences(counterexamples).any()


def test_the_span_points_at_the_procedural_phrase():
    text = "At the outset, I now give the floor to the representative of Chile."
    kind, start, end = procedure.procedural_spans([text])[0]
    assert kind == "gives the floor" and text[start:end].startswith("I now give the floor")


def test_every_kind_has_examples():
    assert set(EXAMPLES) == set(procedure.PROCEDURAL_PATTERNS)


@pytest.mark.parametrize("speaker, role, expected", [
    ("The President", "", True), ("The Acting President", "", True), ("Mr. Smith", "The President", True),
    ("President Obama", "", False), ("Mr. Smith", "President", False),  # the General Debate's head of state
    ("The Secretary-General", "", False), ("", "Guest", False),
])
def test_who_presides(speaker, role, expected):
    assert procedure.is_presiding(speaker, role) is expected


CHAIRING = ["The Security Council will now begin its consideration of the item on its agenda.",
            "I give the floor to the representative of Iraq."]
STATEMENT = ["I shall now make a statement in my capacity as the representative of Rwanda.",
             "Rwanda condemns the attack in the strongest terms.", "We call for an investigation."]


@pytest.mark.parametrize("sentences, from_header, role, expected", [
    (CHAIRING, True, "", True),
    (STATEMENT, True, "", False),  # the President speaking for their own country
    (["It is my pleasure to welcome the Ministers present in the Chamber."], True, "", True),  # header decides
    (CHAIRING, False, "The President", True),
    (["We note that the ceasefire has held.", "We call on all parties to respect it."], False, "The President",
     False),  # the presidency's national statement in a written procedure: the role alone does not decide
    (["I have the honour to enclose herewith copies of the briefings.", "We thank the briefers.",
      "Their statements follow.", "They are attached."], False, "The President", True),  # a covering letter
    (CHAIRING, False, "", False),  # not the presiding officer
])
def test_procedural_turns(sentences, from_header, role, expected):
    text = " ".join(sentences)
    assert procedure.is_procedural_turn(speaker="The President" if from_header else "Mr. X", speaker_role=role,
                                        text=text, sentences=sentences, from_header=from_header) is expected


def test_a_third_person_capacity_does_not_make_a_statement():
    text = ("In accordance with rule 39, I invite Mr. Costa Filho, Permanent Representative of Brazil, in his "
            "capacity as Chair of the Guinea-Bissau configuration.")
    assert procedure.is_procedural_turn(speaker="The President", text=text, sentences=[text], from_header=True)


def test_the_reader_flags_procedural_turns_and_metadata_may_say_so(tmp_path):
    (tmp_path / "a.txt").write_text("The President: I give the floor to the representative of Chile.\n")
    (tmp_path / "b.txt").write_text("Mr. X (Chile): We condemn terrorism.\n")
    (tmp_path / "c.txt").write_text("Mr. Y (Peru): We condemn terrorism.\n")
    (tmp_path / "metadata.csv").write_text("doc_id,procedural\nc,yes\n")
    documents = read_corpus(tmp_path).documents.set_index("doc_id")
    assert documents["procedural"].to_dict() == {"a": True, "b": False, "c": True}


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("name, turns, presiding", [("unsc_umuc", 171, 180), ("unsc_2020", 527, 617)])
def test_procedural_turns_of_the_real_council_records(corpora, name, turns, presiding):
    """Counted by reading: unsc_umuc has 180 turns of the President; 9 are statements in a national capacity.
    unsc_2020 has 616 turns with the role ``The President`` and one more whose speaker line says so; 45 of the
    header turns are national statements, and of the 112 turns known only from the role, 67 are covering
    letters of written procedures and 45 the presidency's own statements."""
    documents = read_corpus(corpora / name).documents
    role = documents["speaker_role"].eq("The President") | documents["speaker"].eq("The President")
    assert int(documents["procedural"].sum()) == turns
    assert not documents.loc[~role & documents["procedural"], "speaker_role"].eq("Guest").any()
    assert int((role | documents["procedural"]).sum()) == presiding
    statements = documents[role & ~documents["procedural"]]
    assert statements["text"].str.len().median() > 1000  # what is kept reads as speeches, not chairing


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aeFLOORfloorS/1 VOTEcalln\n\tCALL-", max_size=40))
def test_the_lower_case_hint_answers_as_the_case_insensitive_one_on_ascii_text(text):
    from analysis import procedure

    assert (procedure._HINT_LOWER.search(text.lower()) is None) == (procedure._HINT.search(text) is None)
