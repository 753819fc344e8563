"""Tests for analysis.stance: the codebook file, the cue matcher, the rule labeller."""
from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from analysis import paths
from analysis.errors import ConfigError
from analysis.stance import (
    CueMatcher,
    check_codebook,
    label_rules,
    load_codebook,
)

CODEBOOK = load_codebook()


# --------------------------------------------------------------------------------------------------
# The codebook file
# --------------------------------------------------------------------------------------------------

def _single(cue) -> CueMatcher:
    return CueMatcher(dataclasses.replace(CODEBOOK, cues=(cue,), checks=()))


@pytest.mark.parametrize("cue", CODEBOOK.cues, ids=lambda cue: f"{cue.label}:{cue.name}")
def test_every_cue_matches_its_examples_and_not_its_counterexamples(cue):
    matcher = _single(cue)
    assert cue.examples, "every cue needs examples"
    for example in cue.examples:
        assert len(matcher.match([example])), f"{cue.name!r} misses {example!r}"
    for example in cue.counterexamples:
        assert not len(matcher.match([example])), f"{cue.name!r} matches counterexample {example!r}"


@pytest.mark.parametrize("text, stance", CODEBOOK.checks, ids=[text[:40] for text, _ in CODEBOOK.checks])
def test_codebook_checks_get_their_stance(text, stance):
    assert label_rules([text], codebook=CODEBOOK)["stance"].tolist() == [stance]


def test_check_codebook_reports_nothing_for_the_shipped_file():
    assert check_codebook(CODEBOOK) == []


def test_codebook_follows_codebook_version_2():
    assert CODEBOOK.codebook_version == "2"
    assert CODEBOOK.precedence == ("oppose", "support", "condemn", "neutral")
    assert CODEBOOK.default == "neutral"
    assert CODEBOOK.labels == ("support", "oppose", "condemn", "neutral")
    assert set(CODEBOOK.precedence) == set(CODEBOOK.labels)
    assert {cue.label for cue in CODEBOOK.cues} == set(CODEBOOK.labels)
    assert CODEBOOK.favor == ("support",) and CODEBOOK.against == ("oppose", "condemn")


# --------------------------------------------------------------------------------------------------
# A broken cue file is refused with its line and the reason
# --------------------------------------------------------------------------------------------------

GOOD_YAML = """\
version: 1
codebook: 1
precedence: [oppose, support, condemn, neutral]
default: neutral
labels: [support, oppose, condemn, neutral]
lexicons:
  neg: "(?:not|never)"
cues:
  support:
    - name: calls upon
      pattern: "call(?:s|ed)? upon"
      examples: ["We call upon all States."]
  oppose:
    - name: not support
      pattern: "support"
      after: "{neg}"
      examples: ["We do not support it."]
      counterexamples: ["We support it."]
"""


def _write(tmp_path, text):
    path = tmp_path / "stance.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_small_cue_file_loads(tmp_path):
    codebook = load_codebook(_write(tmp_path, GOOD_YAML))
    assert [cue.name for cue in codebook.cues] == ["calls upon", "not support"]
    assert label_rules(["We do not support it.", "We call upon you."], codebook=codebook)["stance"].tolist() == \
        ["oppose", "support"]


def test_a_cue_file_is_read_once_until_it_changes(tmp_path):
    path = _write(tmp_path, GOOD_YAML)
    first = load_codebook(path)
    assert load_codebook(path) is first
    path.write_text(GOOD_YAML.replace("version: 1\n", "version: 12\n"), encoding="utf-8")  # a new size: even a
    # change within the same clock tick of the modification time is seen
    changed = load_codebook(path)
    assert changed.version == "12" and changed.sha256 != first.sha256


@pytest.mark.parametrize("old, new, message, line", [
    ('"call(?:s|ed)? upon"', '"call(s|ed)? upon"', "capturing group", 11),
    ('"call(?:s|ed)? upon"', '"call(?:s|ed upon"', "invalid regular expression", 11),
    ('"call(?:s|ed)? upon"', '"\\\\w+ upon"', "cannot start a cue", 11),
    ('"call(?:s|ed)? upon"', '"call {nope} upon"', r"unknown lexicon \{nope\}", 11),
    ("  support:\n", "  supprt:\n", "unknown stance label 'supprt'", 9),
    ('["We call upon all States."]', '["We summon all States."]', "does not match its example 1", 12),
    ('["We support it."]', '["We do not support it either."]', "matches its counterexample 1", 18),
    ("precedence: [oppose, support, condemn, neutral]", "precedence: [oppose, support, neutral]",
     "each of support, oppose, condemn, neutral exactly once", 3),
    ("      after: \"{neg}\"\n", "      after: \"{neg}\"\n      within: 99\n", "'within' must be a number", 17),
    ("    - name: not support\n", "    - name: calls upon\n", "duplicate cue name 'calls upon'", 14),
    ("version: 1\n", "version: 1\nfoo: 2\n", "unknown top-level key 'foo'", 2),
    ("examples: [\"We call upon all States.\"]", "examples: [\"We call upon all States.\"", "YAML syntax error", None),
])
def test_a_broken_cue_file_is_refused_with_its_line(tmp_path, old, new, message, line):
    assert old in GOOD_YAML
    path = _write(tmp_path, GOOD_YAML.replace(old, new))
    with pytest.raises(ConfigError, match=message) as info:
        load_codebook(path)
    if line is not None:
        assert str(info.value).startswith(f"{path}:{line}: ")
    assert "\n" not in str(info.value)


def test_missing_cue_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_codebook(tmp_path / "nope.yml")


# --------------------------------------------------------------------------------------------------
# The rule labeller
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, stance, cue", [
    ("We do not support the draft resolution.", "oppose", "oppose:not support@6-17"),
    ("We don’t support the draft resolution.", "oppose", "oppose:not support@3-16"),
    ("We cannot accept double standards in counter-terrorism.", "oppose", "oppose:not support@3-16"),
    ("We will never accept terrorism.", "condemn", "condemn:never accept terrorism@8-30"),
    ("We call upon all States to ratify the Convention.", "support", "support:calls upon@3-12"),
    ("I now call on the representative of Chile.", "neutral", "neutral:procedure@0-32"),
    ("Kazakhstan is a party to all the conventions against terrorism.", "support", "support:party to@0-21"),
    ("Terrorism remains a serious threat to peace.", "condemn", "condemn:serious threat@10-34"),
    ("All these threats demand coordinated action.", "support", "support:calls upon@18-36"),
    ("The report notes an alarming rise in attacks.", "neutral", "neutral:reported speech@0-16"),
    ("As the report notes, an alarming rise in attacks is under way.", "condemn", "condemn:serious threat@24-32"),
    ("How can the Council stay silent?", "oppose", "oppose:rhetorical question@0-32"),
    ("The Committee held four meetings.", "neutral", "neutral:procedure@14-32"),
    ("In 2019, 120 attacks were recorded.", "neutral", ""),
])
def test_label_rules_table(text, stance, cue):
    labelled = label_rules([text])
    assert labelled["stance"].tolist() == [stance]
    assert labelled["cue"].iat[0].split(";")[0] == cue


def test_evidence_points_at_the_cue_in_the_sentence(sample_speech_path):
    from analysis.corpus import read_corpus, segment_sentences

    sentences = segment_sentences(read_corpus(paths.RAW_DIR).documents)
    labelled = label_rules(sentences["text"])
    assert len(labelled) == len(sentences) >= 20
    for text, stance, cue in zip(sentences["text"], labelled["stance"], labelled["cue"]):
        if not cue:
            assert stance == "neutral"
            continue
        for item in cue.split(";"):
            match = re.fullmatch(r"(\w+):([^:@;]+)@(\d+)-(\d+)", item)
            assert match, item
            label, _, start, end = match.groups()
            assert label == stance
            assert 0 <= int(start) < int(end) <= len(text)
            assert int(start) == 0 or not text[int(start) - 1].isalnum()


def _reference_matches(texts, codebook):
    """Every cue alternative tried at every word start, without the prefix scan (slow, obviously right)."""
    from analysis.stance.matcher import _compile_cues, _match_buffer

    compiled = _compile_cues(codebook)
    buffer, offsets = _match_buffer(texts)
    found = set()
    for position in [i + 1 for i, char in enumerate(buffer) if char == " "]:
        for number, regex in enumerate(compiled.alternatives):
            cue = compiled.alternative_cue[number]
            match = regex.match(buffer, position)
            if match is None:
                continue
            span = (position, match.end())
            if compiled.contexts[cue]:
                span = CueMatcher._check_contexts(buffer, compiled.contexts[cue], span)
                if span is None:
                    continue
            row = int(np.searchsorted(offsets, position, side="right")) - 1
            found.add((row, cue, span[0] - offsets[row]))
    return found


def test_prefix_scan_finds_the_same_cues_as_trying_every_alternative_everywhere(fixtures_dir):
    gold = pd.read_csv(fixtures_dir / "stance_gold.csv", dtype=str, keep_default_na=False)
    texts = gold["text"].tolist() + [text for cue in CODEBOOK.cues for text in cue.examples]
    matches = CueMatcher(CODEBOOK).match(texts)
    fast = {(int(r), int(c), int(s)) for r, c, s in zip(matches.row, matches.cue, matches.start)}
    assert fast == _reference_matches(texts, CODEBOOK)
    assert len(fast) > 100


def test_matcher_keeps_offsets_with_odd_characters():
    texts = ["İstanbul hosted us; we do not support it.", "", "We\tdo not\nsupport it.", "x" * 10]
    matches = CueMatcher(CODEBOOK).match(texts)
    names = [CODEBOOK.cues[c].name for c in matches.cue]
    assert "not support" in names
    for row, start, end in zip(matches.row, matches.start, matches.end):
        assert texts[row][start:end].lower().replace("\t", " ").replace("\n", " ").endswith("support")


@pytest.mark.parametrize("bad", ["We support it.", b"bytes"])
def test_label_rules_refuses_a_single_string(bad):
    if isinstance(bad, str):
        with pytest.raises(TypeError, match="single str"):
            label_rules(bad)


def test_label_rules_handles_empty_and_missing_texts():
    labelled = label_rules(["", None, float("nan")])
    assert labelled["stance"].tolist() == ["neutral"] * 3
    assert labelled["cue"].tolist() == [""] * 3
    assert label_rules([]).empty


def test_label_rules_is_deterministic_and_order_independent(fixtures_dir):
    texts = pd.read_csv(fixtures_dir / "stance_gold.csv")["text"].tolist()
    forward = label_rules(texts)
    backward = label_rules(texts[::-1]).iloc[::-1].reset_index(drop=True)
    pd.testing.assert_frame_equal(forward, backward)


# --------------------------------------------------------------------------------------------------
# Gold files
# --------------------------------------------------------------------------------------------------

from analysis.errors import InputError  # noqa: E402
from analysis.stance import (  # noqa: E402
    CueFeatures,
    RuleStanceClassifier,
    evaluate_stance,
    expected_calibration_error,
    format_evaluation,
    majority_label,
    read_gold,
    stance_scores,
    train_stance_labeller,
)


@pytest.fixture(scope="module")
def gold_path(fixtures_dir):
    return fixtures_dir / "stance_gold.csv"


@pytest.fixture(scope="module")
def gold(gold_path):
    return read_gold(gold_path)


def test_read_gold_reads_the_fixture(gold):
    assert len(gold) == 60
    assert gold["stance"].value_counts().to_dict() == {"support": 15, "oppose": 15, "condemn": 15, "neutral": 15}
    assert gold["line"].tolist() == list(range(2, 62))


def _broken_gold(tmp_path, gold_path, line_number, column, value):
    frame = pd.read_csv(gold_path, dtype=str, keep_default_na=False)
    frame.loc[line_number - 2, column] = value
    path = tmp_path / "gold.csv"
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


@pytest.mark.parametrize("line, column, value, message", [
    (5, "stance", "opose", "unknown stance label 'opose' \\(valid: condemn, neutral, oppose, support\\)"),
    (7, "stance", "", "unknown stance label ''"),
    (9, "end", "3", "offsets outside the text: 0-3 spans 3 characters"),
    (11, "start", "-4", "offsets outside the text: start=-4"),
    (12, "end", "ten", "offsets must be whole numbers"),
    (14, "themes", "terrorism;piracy", "theme 'piracy' is not in the lexicon"),
    (16, "id", "f000", "duplicate id 'f000' \\(first on line 2\\)"),
    (18, "text", " ", "empty text"),
    (20, "split", "test", "split must be one of 'train', 'dense', 'heldout', 'blind'; got 'test'"),
])
def test_read_gold_refuses_bad_rows_with_file_and_line(tmp_path, gold_path, line, column, value, message):
    from analysis.themes import load_lexicon

    path = _broken_gold(tmp_path, gold_path, line, column, value)
    with pytest.raises(InputError, match=message) as info:
        read_gold(path, lexicon=load_lexicon())
    assert str(info.value).startswith(f"{path}:{line}: ")


def test_read_gold_refuses_a_missing_column_on_line_1(tmp_path, gold_path):
    path = tmp_path / "gold.csv"
    pd.read_csv(gold_path).drop(columns="stance").to_csv(path, index=False)
    with pytest.raises(InputError, match=f"^{re.escape(str(path))}:1: missing column 'stance'"):
        read_gold(path)


def test_read_gold_checks_offsets_against_the_speeches(gold_path, gold):
    documents = {doc_id: "Opening words. " + text for doc_id, text in zip(gold["doc_id"], gold["text"])}
    with pytest.raises(InputError, match=r":2: text is not FIX_f000\[0:"):
        read_gold(gold_path, documents=documents)
    documents = {doc_id: text for doc_id, text in zip(gold["doc_id"], gold["text"])}
    assert len(read_gold(gold_path, documents=documents)) == 60
    documents.pop("FIX_f000")
    with pytest.raises(InputError, match=":2: unknown doc_id .FIX_f000."):
        read_gold(gold_path, documents=documents)


def test_read_gold_missing_file(tmp_path):
    with pytest.raises(InputError, match="gold file not found"):
        read_gold(tmp_path / "none.csv")


def test_debate_of_uses_meeting_then_session():
    from analysis.gold import debate_of

    frame = pd.DataFrame({"body": ["UNSC", "UNSC", "UNGA", "UNGA"], "meeting": ["S/PV.1", "S/PV.1 (Resumption 1)", "", ""],
                          "session": ["", "", "67", "70"], "doc_id": ["a", "b", "c", "d"]})
    assert list(debate_of(frame)) == ["S/PV.1", "S/PV.1", "UNGA session 67", "UNGA session 70"]


# --------------------------------------------------------------------------------------------------
# Scores and aggregation (hand-computed)
# --------------------------------------------------------------------------------------------------

def test_stance_scores_by_hand():
    gold = ["support", "support", "oppose", "condemn", "neutral", "neutral"]
    pred = ["support", "neutral", "condemn", "condemn", "neutral", "support"]
    per_label, summary = stance_scores(gold, pred)
    f1 = per_label.set_index("label")["f1"]
    assert f1["support"] == pytest.approx(0.5)          # P 1/2, R 1/2
    assert f1["oppose"] == 0.0
    assert f1["condemn"] == pytest.approx(2 / 3)        # P 1/2, R 1
    assert f1["neutral"] == pytest.approx(0.5)
    assert summary["macro_f1"] == pytest.approx((0.5 + 0 + 2 / 3 + 0.5) / 4)
    # AGAINST = oppose or condemn: gold {2, 3}, predicted {2, 3} -> F1 1; FAVOR as support above.
    assert summary["f_against"] == pytest.approx(1.0)
    assert summary["f_avg"] == pytest.approx((0.5 + 1.0) / 2)
    assert per_label["support"].tolist() == [2, 1, 1, 2] and per_label["predicted"].tolist() == [2, 0, 2, 2]


def test_majority_label_breaks_ties_by_label_order():
    assert majority_label(["neutral", "oppose", "oppose", "neutral"]) == "oppose"
    assert majority_label(["condemn", "support", "condemn"]) == "condemn"


def test_expected_calibration_error_by_hand():
    correct = np.array([1, 0, 1, 1])
    score = np.array([0.95, 0.95, 0.55, 0.55])
    # bins: 0.9-1.0 holds two (accuracy 0.5, confidence 0.95), 0.5-0.6 two (accuracy 1, confidence 0.55)
    assert expected_calibration_error(correct, score) == pytest.approx((2 * 0.45 + 2 * 0.45) / 4)
    assert np.isnan(expected_calibration_error(correct, np.full(4, np.nan)))


# --------------------------------------------------------------------------------------------------
# Estimators, the labeller and evaluation
# --------------------------------------------------------------------------------------------------

def test_rule_classifier_needs_fit_and_calibrates_with_labels(gold):
    from sklearn.exceptions import NotFittedError

    texts, y = gold["text"].tolist(), gold["stance"].tolist()
    with pytest.raises(NotFittedError):
        RuleStanceClassifier().predict(texts)
    plain = RuleStanceClassifier().fit(texts)
    assert plain.explain(texts)["score"].isna().all()
    with pytest.raises(ValueError, match="without labels"):
        plain.predict_proba(texts)
    fitted = RuleStanceClassifier().fit(texts, y)
    proba = fitted.predict_proba(texts)
    assert proba.shape == (60, 4) and np.allclose(proba.sum(axis=1), 1.0)
    assert fitted.predict(texts).tolist() == label_rules(texts)["stance"].tolist()
    # the score is the calibrated probability of the rules' own label, and it varies with the evidence
    explained = fitted.explain(texts)
    column = {label: i for i, label in enumerate(fitted.classes_)}
    expected = proba[np.arange(len(texts)), [column[label] for label in explained["stance"]]]
    np.testing.assert_allclose(explained["score"].to_numpy(), expected)
    assert explained.groupby("stance")["score"].nunique().max() > 1  # not one constant per label


def test_cue_features_are_binary_and_named(gold):
    features = CueFeatures().fit(gold["text"])
    matrix = features.transform(gold["text"])
    names = features.get_feature_names_out()
    assert matrix.shape == (60, len(CODEBOOK.cues) + 4) == (60, len(names))
    assert set(np.unique(matrix.data)) <= {1.0}
    assert np.allclose(matrix[:, -4:].sum(axis=1), 1)            # exactly one rule label per sentence
    assert names[-4:].tolist() == [f"rules={label}" for label in CODEBOOK.precedence]


def test_train_stance_labeller_caches_the_model(tmp_path, gold_path, gold):
    first = train_stance_labeller(method="model", gold=gold_path, cache_dir=tmp_path)
    cached = list(tmp_path.glob("stance-*.joblib"))
    assert len(cached) == 1
    second = train_stance_labeller(method="model", gold=gold_path, cache_dir=tmp_path)
    labelled = first.label(gold["text"])
    pd.testing.assert_frame_equal(labelled, second.label(gold["text"]))
    assert labelled["score"].between(0, 1).all()
    assert set(labelled["stance"]) <= set(CODEBOOK.labels)
    cached[0].write_bytes(b"not a model")          # a damaged cache is refitted, not trusted
    third = train_stance_labeller(method="model", gold=gold_path, cache_dir=tmp_path)
    pd.testing.assert_frame_equal(labelled, third.label(gold["text"]))


def test_train_stance_labeller_without_gold(tmp_path):
    rules = train_stance_labeller(method="auto", gold=tmp_path / "none.csv", cache_dir=None)
    assert rules.method == "rules" and "no gold set" in rules.selection["note"]
    assert rules.label(["We condemn terrorism."])["score"].isna().all()
    with pytest.raises(InputError, match="gold set not found"):
        train_stance_labeller(method="model", gold=tmp_path / "none.csv", cache_dir=None)


@pytest.mark.slow
def test_evaluate_stance_reports_cv_and_blind_beside_the_baseline(gold):
    train, blind = gold.iloc[::2].reset_index(drop=True), gold.iloc[1::2].reset_index(drop=True)
    fast = {"char_ngram_range": None}  # word n-grams and cues only: the same code paths, quicker
    evaluation = evaluate_stance(train, blind, methods=("rules", "model", "auto"), n_splits=2, seed=0,
                                 model_params=fast)
    summary = evaluation.summary
    assert set(zip(summary["split"], summary["method"])) == {(s, m) for s in ("cv", "blind")
                                                               for m in ("rules", "model", "auto")}
    rules_blind = summary[(summary["split"] == "blind") & (summary["method"] == "rules")
                          & (summary["subset"] == "all")].iloc[0]
    expected = stance_scores(blind["stance"], label_rules(blind["text"])["stance"])[1]["macro_f1"]
    assert rules_blind["macro_f1"] == pytest.approx(expected)
    assert rules_blind["majority_macro_f1"] == pytest.approx(
        stance_scores(blind["stance"], [majority_label(train["stance"])] * len(blind))[1]["macro_f1"])
    confusion = evaluation.confusion[(evaluation.confusion["split"] == "blind") & (evaluation.confusion["subset"] == "all")]
    assert confusion.groupby("method")["count"].sum().tolist() == [30, 30, 30]
    report = format_evaluation(evaluation)
    assert "| blind | all | rules |" in report and "## How auto chose" in report
    again = evaluate_stance(train, blind, methods=("rules", "model", "auto"), n_splits=2, seed=0, model_params=fast)
    assert format_evaluation(again) == report


def test_label_sentences_keeps_columns_and_adds_four(gold):
    from analysis.stance import label_sentences

    frame = gold[["id", "text", "corpus"]].head(5)
    labeller = train_stance_labeller(method="rules", gold=None, cache_dir=None)
    labelled = label_sentences(frame, labeller=labeller, themes=lambda texts: ["terrorism"] * len(texts))
    assert labelled.columns.tolist() == ["id", "text", "corpus", "themes", "stance", "cue", "score"]
    assert (labelled["themes"] == "terrorism").all()
    assert labelled["id"].tolist() == frame["id"].tolist()
    unthemed = label_sentences(frame, labeller=labeller)
    assert (unthemed["themes"] == "").all()


def test_an_unwritable_model_cache_does_not_stop_the_labelling(tmp_path, gold_path):
    """The cache only saves time: when its folder cannot be written (here a file stands in its way), the
    labeller is still trained and used (regression: this raised OutputError and failed `label --method model`)."""
    blocked = tmp_path / "models"
    blocked.write_text("not a folder")
    labeller = train_stance_labeller(method="model", gold=gold_path, cache_dir=blocked)
    assert labeller.method == "model"
    assert len(labeller.label(["We do not support the draft resolution."])) == 1
    assert blocked.read_text() == "not a folder"


# ------------------------------------------------------------------------------ the matching buffer, faster

from hypothesis import given as _given, settings as _settings, strategies as _st  # noqa: E402

from analysis.stance import matcher as _stance  # noqa: E402

_BUFFER_CHARS = "ab I\n\r\t()[]{}\"/’‘ʼ–—‑‐\u00a0\u2028\u2029\u0130\x00«»“”é"


@_settings(max_examples=300, deadline=None)
@_given(_st.lists(_st.text(alphabet=_BUFFER_CHARS, max_size=12), max_size=6))
def test_normalised_buffer_equals_translating_each_sentence(texts):
    expected = _stance._SEPARATOR + _stance._SEPARATOR.join(text.translate(_stance.MATCH_TABLE) for text in texts)
    assert _stance._normalised_buffer(texts) == expected
