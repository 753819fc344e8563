"""The explorer: its concordance finds what keyword-in-context finds, pages and filters honestly, its views
compute what the package computes, and its widgets (driven from Python) search, link, label and export."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis import explore, paths
from analysis.errors import InputError
from analysis.explore.summary import static_summary
from analysis.explore.widgets import Explorer
from analysis.patterns import parse_pattern, pattern_regex
from analysis.terms import compare_all_groups, keyword_in_context

PATTERNS = ["terror*", "organi?ed crime", "united nations", "state", "*tion", "exchange of information", "it's",
            "co-operation", "self-determination", "peace*keep*", "1945", "country's", "a*"]


@pytest.fixture(scope="module")
def data():
    return explore.open_corpus(paths.EXAMPLE_CORPUS)


@pytest.fixture(scope="module")
def documents(data):
    return pd.DataFrame({"doc_id": data.documents["doc_id"], "text": data.texts}).head(150)


def test_module_doctests():
    import doctest

    from analysis.explore import concordance, widgets

    for module in (concordance, widgets):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__


@pytest.mark.parametrize("pattern", PATTERNS)
def test_pattern_regex_finds_what_keyword_in_context_finds(documents, pattern):
    wanted = keyword_in_context(documents, pattern, window=0)
    regex = pattern_regex(parse_pattern(pattern, bare_wildcards=True))
    found = {(doc, m.start(), m.end()) for doc, text in zip(documents["doc_id"], documents["text"])
             for m in regex.finditer(text)}
    assert found == set(zip(wanted["doc_id"], wanted["start"], wanted["end"]))
    assert found, f"{pattern!r} should occur in the sample"


@pytest.mark.parametrize("pattern, text", [("peace * security", "peace. Security and peace and security"),
                                           ("peace ? security", "peace; security"),
                                           ("state's", "The State's and the states' duty")])
def test_pattern_regex_agrees_with_keyword_in_context_on_edge_cases(pattern, text):
    wanted = keyword_in_context(pd.DataFrame({"doc_id": ["d"], "text": [text]}), pattern, window=0)
    found = [m.span() for m in pattern_regex(parse_pattern(pattern, bare_wildcards=True)).finditer(text)]
    assert found == list(zip(wanted["start"], wanted["end"]))


def test_pattern_regex_respects_token_boundaries():
    regex = pattern_regex(parse_pattern("crime"))
    assert [m.group() for m in regex.finditer("crime, crimes, cyber-crime, Crime's and -crime")] == \
        ["crime", "Crime's", "crime"]


def test_pages_follow_each_other_and_the_total_is_every_hit(data):
    query = explore.Query("cooperat*")
    every = explore.all_hits(data, query)
    first, second = (explore.search(data, query, page=p, page_size=7) for p in (0, 1))
    assert first.total is None  # only as much was read as the page needs
    assert pd.concat([first.hits, second.hits], ignore_index=True).equals(every.head(14))
    assert explore.search(data, query, count=True).total == len(every) > 14


def test_filters_keep_only_what_they_say(data):
    query = explore.Query("terror*", where={"un_group": "African"}, years=(1990, 2010), theme=data.themes[0],
                          stance="condemn")
    hits = explore.all_hits(data, query)
    assert len(hits)
    documents = data.documents.set_index("doc_id").loc[hits["doc_id"]]
    assert set(documents["un_group"]) == {"African"}
    assert pd.to_numeric(documents["year"]).between(1990, 2010).all()
    assert hits["themes"].str.split(";").map(lambda t: data.themes[0] in t).all()
    assert set(hits["stance"]) == {"condemn"}
    unfiltered = explore.all_hits(data, explore.Query("terror*"))
    assert len(unfiltered) > len(hits)


def test_hits_point_at_their_sentence(data):
    hits = explore.all_hits(data, explore.Query("organi?ed crime"))
    for hit in hits.itertuples():
        sentence = data.sentence_text(hit.row)
        assert sentence[hit.match_start:hit.match_end] == hit.match
        assert hit.match.lower().replace("s", "z").startswith("organiz")


def test_sort_by_score_orders_every_hit(data):
    page = explore.search(data, explore.Query("peace", sort="score (high first)"), page_size=50)
    assert page.total is not None and page.hits["score"].is_monotonic_decreasing


def test_bad_queries_are_refused_with_the_reason(data):
    with pytest.raises(InputError, match="invalid pattern"):
        explore.search(data, explore.Query("a ++ b"))
    with pytest.raises(InputError, match="unknown theme"):
        explore.search(data, explore.Query("peace", theme="not-a-theme"))
    with pytest.raises(InputError, match="unknown field"):
        explore.search(data, explore.Query("peace", where={"planet": "Mars"}))


def test_highlight_marks_matches_and_cues_and_escapes():
    marked = explore.highlight("<b> & we condemn it", [(9, 16)], [(6, 16)])
    assert marked.startswith("&lt;b&gt; &amp; ")
    assert marked.count('class="unspeech-cue"') == 2 and marked.count('class="unspeech-match"') == 1


def test_group_keyness_on_cached_counts_equals_counting_again(data):
    documents = data.documents.assign(text=data.texts)
    fresh = compare_all_groups(documents, by="un_group", min_count=5)
    cached = explore.group_keyness(data, "un_group", ["African", "Asia-Pacific"])
    expected = fresh.table[fresh.table["group"].isin(["African", "Asia-Pacific"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(cached.table.reset_index(drop=True), expected)
    with pytest.raises(InputError, match="no speech has un_group"):
        explore.group_keyness(data, "un_group", ["Atlantis"])


def test_keyness_chart_draws_every_term_once(data):
    from matplotlib.figure import Figure

    result = explore.group_keyness(data, "un_group", ["African"])
    figure = explore.keyness_chart(data, result, "African")
    assert isinstance(figure, Figure) and figure.get_label() == "threshold"
    drawn = sum(len(collection.get_offsets()) for collection in figure.axes[0].collections)
    assert drawn == len(result.table)
    speeches = int((data.field("un_group") == "African").sum())
    assert f"{speeches} speeches" in figure.axes[0].get_title(loc="left").replace("\n", " ")


def test_sentences_in_any_order_are_put_in_speech_order(data):
    from analysis.explore.data import ExploreData

    shuffled = data.sentences.sample(frac=1.0, random_state=0)
    again = ExploreData(documents=data.documents, texts=data.texts, sentences=shuffled, themes=data.themes,
                        stance_labels=data.stance_labels, manifest=data.manifest, source=data.source)
    pd.testing.assert_frame_equal(again.sentences, data.sentences)
    assert (again.sentence_doc == data.sentence_doc).all()
    stranger = data.sentences.head(3).assign(doc_id="not-a-speech")
    with pytest.raises(InputError, match="not in the documents table"):
        ExploreData(documents=data.documents, texts=data.texts, sentences=stranger, themes=data.themes,
                    stance_labels=data.stance_labels, manifest=data.manifest, source=data.source)


def test_paging_follows_the_query_searched_not_the_widgets_edited_since(data):
    explorer = Explorer(data, page_size=5)
    explorer.query.value = "terror*"
    first = explorer.page.hits["row"].tolist()
    explorer.stance.value = "condemn"  # edited, not searched
    explorer.turn_page(1)
    wanted = explore.search(data, explore.Query("terror*"), page=1, page_size=5).hits["row"].tolist()
    assert explorer.page.hits["row"].tolist() == wanted and explorer.page.number == 1
    explorer.turn_page(-1)
    assert explorer.page.hits["row"].tolist() == first
    explorer.query.value = "zyzzyva"
    assert explorer.current is None and explorer.page_info.value == "no hit"


def test_a_speech_without_sentences_and_odd_filters(data):
    from analysis.explore.data import ExploreData

    documents = pd.concat([data.documents.head(2), data.documents.head(1).assign(doc_id="empty")],
                          ignore_index=True)
    texts = [*data.texts[:2], "Terrorism is a threat."]
    sentences = data.sentences[data.sentences["doc_id"].isin(documents["doc_id"])]
    small = ExploreData(documents=documents, texts=texts, sentences=sentences, themes=data.themes,
                        stance_labels=data.stance_labels, manifest=data.manifest, source="small")
    counted = explore.search(small, explore.Query("terror*"), count=True)
    assert counted.total == len(explore.all_hits(small, explore.Query("terror*")))
    assert "empty" not in set(counted.hits["doc_id"])
    year = data.documents["year"].iloc[0]
    assert explore.search(data, explore.Query("peace", where={"year": int(year)}), count=True).total == \
        explore.search(data, explore.Query("peace", where={"year": [str(year)]}), count=True).total > 0
    assert explore.search(data, explore.Query("peace", where={"year": []}), count=True).total == \
        explore.search(data, explore.Query("peace"), count=True).total


def test_labels_follow_the_run_lexicon(tmp_path):
    lexicon = paths.PROJECT_ROOT / "tests" / "fixtures" / "lexicons" / "climate_migration_terrorism.yml"
    own = explore.open_corpus(paths.DEFAULT_CORPUS, themes=lexicon)
    explorer = Explorer(own, gold_file=tmp_path / "gold.csv")
    assert [box.description for box in explorer.label_themes] == own.themes
    explorer.query.value = "terrorism"
    explorer.label_themes[0].value = True
    row = explorer.save_label()
    assert row is not None and row["themes"] == own.themes[0] and row["stance"] == ""


def test_open_run_gives_the_tables_of_the_corpus(tmp_path, data):
    from analysis.pipeline import run

    sample = paths.DEFAULT_CORPUS
    for fmt in ("csv", "parquet"):
        run(sample, tmp_path / fmt, format=fmt)
        from_run = explore.open_run(tmp_path / fmt)
        direct = explore.open_corpus(sample)
        columns = ["doc_id", "sentence_id", "start", "end", "stance", "themes", "cue"]
        assert from_run.sentences[columns].astype(str).values.tolist() == \
            direct.sentences[columns].astype(str).values.tolist()
        for index in range(len(direct.sentences)):
            assert from_run.sentence_text(index) == direct.sentence_text(index)


def test_widgets_search_link_label_and_export(tmp_path, data):
    gold = tmp_path / "gold.csv"
    explorer = Explorer(data, gold_file=gold, annotator="tester")
    explorer.query.value = "organi?ed crime"  # typing searches
    assert 'class="unspeech-match"' in explorer.hits.value
    assert explorer.page_info.value.startswith("hits 1–20 of")
    explorer.hit_number.value = 3
    row = int(explorer.page.hits["row"].iloc[2])
    assert explorer.current == row
    assert explorer.label_stance.value == "(no stance)" and not any(box.value for box in explorer.label_themes)
    explorer.label_stance.value = "condemn"
    for box in explorer.label_themes:
        box.value = box.description == data.themes[1]
    saved = explorer.save_label()
    written = pd.read_csv(gold, dtype=str, keep_default_na=False)
    assert written[["doc_id", "sentence_id", "stance", "themes", "annotator"]].values.tolist() == [
        [data.sentences.at[row, "doc_id"], str(data.sentences.at[row, "sentence_id"]), "condemn", data.themes[1],
         "tester"]]
    assert saved["text"] == data.sentence_text(row)
    explorer.open_speech()
    assert explorer.tabs.selected_index == 2 and "outline" in explorer.speech.value
    explorer.keyness_field.value = "un_group"
    explorer.keyness_targets.value = ("African",)
    explorer.compute_keyness()
    assert explorer.term.options and len(explorer.keyness_chart.children) == 1
    assert "African: " in explorer.keyness_table.value and " speeches against " in explorer.keyness_table.value
    explorer.keyness_sort.value = "term"
    rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td>", explorer.keyness_table.value)
    assert rows and [term for _, term in rows] == sorted(term for _, term in rows)
    explorer.term.value = explorer.term.options[0]
    explorer.term_to_concordance()
    assert explorer.tabs.selected_index == 0 and explorer.query.value == explorer.term.options[0]
    assert 'class="unspeech-match"' in explorer.hits.value
    path = explorer.export(tmp_path / "hits.csv")
    exported = pd.read_csv(path, dtype=str, keep_default_na=False)
    expected = explore.all_hits(data, explorer.shown).drop(columns="row")
    assert list(exported.columns) == explore.HIT_COLUMNS
    assert exported[["doc_id", "sentence_id", "match"]].values.tolist() == \
        expected[["doc_id", "sentence_id", "match"]].astype(str).values.tolist()
    assert explorer.export(gold) is None and "gold file" in explorer.page_info.value  # labels never overwritten
    shares = explorer.draw_groups()
    assert set(shares["label"]) == set(data.themes) and len(explorer.groups_chart.children) == 1
    explorer.filter_field.value = "un_group"
    explorer.filter_value.value = "African; Asia-Pacific"
    explorer.query.value = "peace"
    groups = data.documents.set_index("doc_id").loc[explorer.page.hits["doc_id"], "un_group"]
    assert set(groups) <= {"African", "Asia-Pacific"} and len(groups)
    explorer.query.value = "a ++ b"
    assert "Cannot search" in explorer.hits.value and "invalid pattern" in explorer.hits.value


def test_widgets_without_a_gold_file_say_labels_cannot_be_saved(data):
    explorer = Explorer(data)
    assert explorer.save_button.disabled and "no gold file" in explorer.status.value
    assert explorer.save_label() is None


def test_static_summary_is_deterministic_and_works_on_one_speech(data):
    first, second = static_summary(data), static_summary(data)
    assert first.field == "un_group" and first.query == first.keyness["term"].iloc[0]
    for name in ("keyness", "concordance", "shares", "speech"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(second, name))
    one = static_summary(explore.open_corpus(paths.DEFAULT_CORPUS))
    assert one.field is None and one.query and len(one.concordance) and len(one.speech)
