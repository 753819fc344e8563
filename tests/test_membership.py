"""Tests of analysis/membership.py: name keys, matching, the year rules, Council status, table validation.

Expected codes are ISO 3166 codes (and the member table's ``EU``, ``SUN``, ``YUG``, ``DDR``, ``YMD``); Council
facts are published UN facts (Kazakhstan sat on the Council in 2017-2018, Estonia in 2020-2021, the German
Democratic Republic in 1980-1981; the Council had 11 members to 1965 and 15 from 1966), not values read from
the module's output.
"""
from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import membership, paths
from analysis.errors import ConfigError, InputError
from analysis.membership import load_member_tables, match_countries, normalize_country_name, un_metadata


def one(name: str) -> str:
    return match_countries([name]).iloc[0]


def metadata(**columns) -> pd.DataFrame:
    return un_metadata(pd.DataFrame(columns)).columns


# ------------------------------------------------------------------------------------------- name keys


@pytest.mark.parametrize("rule, a, b", [
    ("case", "FRANCE", "France"),
    ("case", "viet nam", "Viet Nam"),
    ("diacritics", "Türkiye", "Turkiye"),
    ("diacritics", "Côte d'Ivoire", "Cote d'Ivoire"),
    ("diacritics", "São Tomé and Príncipe", "Sao Tome and Principe"),
    ("whitespace", "  United   Kingdom ", "United Kingdom"),
    ("line break", "United Kingdom of Great Britain\nand Northern Ireland",
     "United Kingdom of Great Britain and Northern Ireland"),
    ("missing space", "Republic ofKorea", "Republic of Korea"),
    ("leading the", "the Russian Federation", "Russian Federation"),
    ("leading the", "The Gambia", "Gambia"),
    ("trailing the", "Bahamas, The", "Bahamas"),
    ("inner the", "Saint Vincent and Grenadines", "Saint Vincent and the Grenadines"),
    ("punctuation", "El] Salvador", "El Salvador"),
    ("punctuation", "U.S.A.", "USA"),
    ("curly apostrophe", "Côte d’Ivoire", "Côte d'Ivoire"),
    ("soft hyphen", "Lao People's Democratic Re\u00adpublic", "Lao People's Democratic Republic"),
    ("ampersand", "Antigua & Barbuda", "Antigua and Barbuda"),
    ("ampersand", "Trinidad&Tobago", "Trinidad and Tobago"),
    ("saint", "St. Kitts and Nevis", "Saint Kitts and Nevis"),
    ("saint", "St Lucia", "Saint Lucia"),
    ("inverted, brackets", "Iran (Islamic Republic of)", "Islamic Republic of Iran"),
    ("inverted, brackets", "Venezuela (Bolivarian Republic of)", "Bolivarian Republic of Venezuela"),
    ("inverted, brackets", "Congo (the Democratic Republic of the)", "Democratic Republic of the Congo"),
    ("inverted, comma", "Korea, Republic of", "Republic of Korea"),
    ("inverted, comma", "Tanzania, the United Republic of", "United Republic of Tanzania"),
    ("qualifier", "France (spoke in French)", "France"),
    ("qualifier", "Finland (on behalf of the European Union)", "Finland"),
    ("qualifier", "Egypt [interpretation from Arabic]", "Egypt"),
])
def test_forms_share_a_key(rule, a, b):
    assert normalize_country_name(a) == normalize_country_name(b)


@pytest.mark.parametrize("a, b", [
    ("Niger", "Nigeria"),
    ("Guinea", "Guinea-Bissau"),
    ("Dominica", "Dominican Republic"),
    ("Congo", "Democratic Republic of the Congo"),
    ("Republic of Korea", "Democratic People's Republic of Korea"),
    ("Sudan", "South Sudan"),
    ("Iran (Islamic Republic of)", "Iran (Islamic Republic)"),  # only forms ending in "of" are turned round
])
def test_different_states_keep_different_keys(a, b):
    assert normalize_country_name(a) != normalize_country_name(b)


@pytest.mark.parametrize("value", ["", "   ", "()", "—", None, float("nan"), 7])
def test_no_letters_no_key(value):
    assert normalize_country_name(value) == ""


def test_every_name_form_of_the_tables_survives_case_spacing_and_a_leading_the():
    tables = load_member_tables()
    forms = pd.read_csv(paths.UN_MEMBER_STATES_FILE, dtype=str, keep_default_na=False)
    expected, names = [], []
    for row in forms.itertuples():
        for form in row.aliases.split(";"):
            variants = [form, form.upper(), "  " + form.replace(" ", "\n ") + " ", "The " + form]
            names += variants
            expected += [row.iso3] * len(variants)
    assert match_countries(names, tables=tables).tolist() == expected


# ------------------------------------------------------------------------------------------- matching


@pytest.mark.parametrize("name, iso3", [
    ("Bolivarian Republic of Venezuela", "VEN"),
    ("Venezuela (Bolivarian Republic of)", "VEN"),
    ("Iran (Islamic Republic of)", "IRN"),
    ("Islamic Republic of Iran", "IRN"),
    ("United States of America", "USA"),
    ("Russian Federation", "RUS"),
    ("Türkiye", "TUR"),
    ("Turkey", "TUR"),
    ("Côte d'Ivoire", "CIV"),
    ("Cote d'Ivoire", "CIV"),
    ("Democratic People's Republic of Korea", "PRK"),
    ("Democratic People’s Republic of Korea", "PRK"),
    ("Republic of Korea", "KOR"),
    ("United Kingdom of Great Britain and Northern Ireland", "GBR"),
    ("United Kingdom", "GBR"),
    ("Holy See", "VAT"),
    ("State of Palestine", "PSE"),
    ("Palestine", "PSE"),
    ("European Union", "EU"),
    ("EU", "EU"),
    ("Plurinational State of Bolivia", "BOL"),
    ("Kyrgyz Republic", "KGZ"),
    ("Lao People's Democratic Republic", "LAO"),
    ("Libyan Arab Jamahiriya", "LBY"),
    ("The former Yugoslav Republic of Macedonia", "MKD"),
    ("Netherlands (Kingdom of the)", "NLD"),
    ("Congo", "COG"),
    ("Democratic Republic of the Congo", "COD"),
    ("Congo, Leopoldville", "COD"),  # reads as the table's "Congo (Leopoldville)"
    ("Union of Soviet Socialist Republics", "SUN"),
    ("USSR", "SUN"),
    ("Yugoslavia", "YUG"),
    ("German Democratic Republic", "DDR"),
    ("Czechoslovakia", "CSK"),
    ("Democratic Yemen", "YMD"),
    ("Zaire", "COD"),
    ("Upper Volta", "BFA"),
])
def test_un_record_forms(name, iso3):
    assert one(name) == iso3


@pytest.mark.parametrize("name, iso3", [
    ("Upper Volta/Burkina Faso", "BFA"),
    ("Holy See/ Vatican", "VAT"),
    ("Myanmar / Burma", "MMR"),
    ("Ceylon (Sri Lanka)", "LKA"),
    ("Benin (Dahomey)", "BEN"),
    ("Belarus, Byelorussian Soviet Socialist Republic", "BLR"),
    ("Congo, the Democratic Republic of the/Zaire", "COD"),
])
def test_alternatives_naming_one_state_match(name, iso3):
    assert one(name) == iso3


@pytest.mark.parametrize("name", [
    "Russian Federation (USSR)",  # two states
    "Congo (Democratic Republic)",  # a state and an unknown form: no guess at which Congo
    "Central African Empire/CARR",
])
def test_alternatives_that_disagree_or_are_unknown_stay_unmatched(name):
    assert one(name) == ""


@pytest.mark.parametrize("name, why", [
    ("UN", "UN official"),
    ("African Union", "regional organisation"),
    ("League of Arab States", "regional organisation"),
    ("International Committee of the Red Cross", "organisation"),
    ("Nordic Countries", "group of states"),
    ("Kosovo", "not in the member table"),
    ("Korea", "ambiguous"),
    ("spoke in French", "a parsing error, not a name"),
    ("", "empty"),
    ("Afganistan", "misspelt: no fuzzy matching"),
    ("Untied States", "misspelt: no fuzzy matching"),
    ("Nigerr", "misspelt: no fuzzy matching"),
    ("Republic of Co", "truncated"),
])
def test_non_states_and_unknown_forms_stay_unmatched(name, why):
    assert one(name) == "", why


def test_match_countries_keeps_the_index_and_reads_missing_values_as_unmatched():
    names = pd.Series(["France", None, np.nan, "France", "UN"], index=[10, 3, 7, 1, 0])
    result = match_countries(names)
    assert result.index.tolist() == [10, 3, 7, 1, 0]
    assert result.tolist() == ["FRA", "", "", "FRA", ""]
    assert match_countries([]).tolist() == []


def test_match_countries_refuses_one_string():
    with pytest.raises(TypeError, match="not one string"):
        match_countries("France")


def test_every_extra_name_form_matches_its_state():
    extra = pd.read_csv(paths.UN_ALIASES_EXTRA_FILE, dtype=str, keep_default_na=False)
    assert len(extra) > 0 and extra["source"].str.strip().ne("").all()
    assert match_countries(extra["alias"]).tolist() == extra["iso3"].tolist()


def test_hostile_names_take_linear_time(finishes_within):
    names = [" " * 200_000 + "x", "a, " + " " * 200_000, "a (" + "of " * 70_000, "(" * 200_000,
             "(spoke in " * 20_000, "a/b(" * 50_000, "x, of" + " " * 200_000 + "y"]
    with finishes_within(20):
        assert match_countries(names).tolist() == [""] * len(names)


# ------------------------------------------------------------------------------------------- un_metadata


@pytest.mark.parametrize("country, year, iso3, group, status", [
    ("Kazakhstan", 2017, "KAZ", "Asia-Pacific", "elected"),
    ("Kazakhstan", 2018, "KAZ", "Asia-Pacific", "elected"),
    ("Kazakhstan", 2014, "KAZ", "Asia-Pacific", "non-member"),
    ("Kazakhstan", 2019, "KAZ", "Asia-Pacific", "non-member"),
    ("Russian Federation", 2014, "RUS", "Eastern European", "P5"),
    ("Union of Soviet Socialist Republics", 1980, "SUN", "Eastern European", "P5"),
    ("Estonia", 2020, "EST", "Eastern European", "elected"),
    ("Estonia", 2019, "EST", "Eastern European", "non-member"),
    ("German Democratic Republic", 1980, "DDR", "Eastern European", "elected"),
    ("China", 1960, "CHN", "Asia-Pacific", "P5"),
    ("United States of America", 2024, "USA", "Western European and Others", "P5"),
    ("Brazil", 2022, "BRA", "Latin American and Caribbean", "elected"),
    ("European Union", 2020, "EU", "", "non-member"),
    ("Holy See", 2020, "VAT", "", "non-member"),
    ("Kiribati", 2020, "KIR", "", "non-member"),  # no regional group: see data/reference/README.md
])
def test_group_and_council_status_for_known_facts(country, year, iso3, group, status):
    columns = metadata(country=[country], year=[year])
    assert columns.iloc[0].tolist() == [iso3, group, status]


@pytest.mark.parametrize("year, status", [
    (1946, "P5"), (2026, "P5"),  # the first and last years of the Council table
    (1945, ""), (2027, ""), (None, ""), ("", ""), ("unknown", ""), (2014.5, ""),
    ("2014", "P5"), (" 2014 ", "P5"), (2014.0, "P5"), ("2014.0", "P5"),
])
def test_council_status_needs_a_year_of_the_table(year, status):
    columns = metadata(country=["France"], year=pd.Series([year], dtype=object))
    assert columns["iso3"].iloc[0] == "FRA"
    assert columns["council_status"].iloc[0] == status


@pytest.mark.parametrize("country, code, year, iso3, status", [
    # the UN General Debate Corpus codes the USSR's speeches RUS ...
    ("Union of Soviet Socialist Republics", "RUS", 1980, "SUN", "P5"),
    ("USSR", "RUS", 1991, "SUN", "P5"),
    ("Russian Federation", "RUS", 1992, "RUS", "P5"),
    # ... and Serbia and Montenegro YUG (2001-2005), where the table's YUG row ends in 1992
    ("Serbia and Montenegro", "YUG", 2003, "SRB", "non-member"),
    ("Yugoslavia", "YUG", 2001, "SRB", "non-member"),
    ("Yugoslavia", "YUG", 1985, "YUG", "non-member"),
    ("Yugoslavia", "YUG", 1988, "YUG", "elected"),
    # the Yemen Arab Republic is YEM, which holds that name form
    ("Yemen Arab Republic", "YEM", 1980, "YEM", "non-member"),
    ("", "YMD", 1980, "YMD", "non-member"),  # UNGDC names no country for Democratic Yemen
    ("European Union", "EU", 2015, "EU", "non-member"),
    ("Germany", "deu ", 2020, "DEU", "elected"),  # case and spaces of a code do not matter
])
def test_codes_of_the_un_general_debate_corpus(country, code, year, iso3, status):
    result = un_metadata(pd.DataFrame({"country": [country], "country_iso3": [code], "year": [year]}))
    assert result.columns[["iso3", "council_status"]].iloc[0].tolist() == [iso3, status]
    assert result.conflicts.empty and result.unmatched.empty


@pytest.mark.parametrize("country, year, iso3", [
    ("Russia", 1982, "SUN"),  # the same year rules for names
    ("Russian Federation", 1991, "SUN"),
    ("Yugoslavia", 2002, "SRB"),
    ("Yugoslavia", 1992, "YUG"),
    ("Russia", None, "RUS"),  # no year: the code as named
])
def test_year_rules_apply_to_names(country, year, iso3):
    assert metadata(country=[country], year=pd.Series([year], dtype=object))["iso3"].iloc[0] == iso3


def test_the_code_wins_over_the_name_and_the_disagreement_is_reported():
    # UNGDC has the Australian speech of 1960 under the name "Austria" (the text names Australia).
    documents = pd.DataFrame({"country": ["Austria", "Austria", "Austria"], "country_iso3": ["AUS", "AUS", "AUT"],
                              "year": [1960, 1960, 1960]})
    result = un_metadata(documents)
    assert result.columns["iso3"].tolist() == ["AUS", "AUS", "AUT"]
    assert result.conflicts.to_dict("records") == [
        {"country": "Austria", "code": "AUS", "iso3_by_code": "AUS", "iso3_by_name": "AUT", "n_documents": 2}]


def test_an_unknown_code_falls_back_on_the_name():
    documents = pd.DataFrame({"country": ["United Kingdom", "Kosovo"], "country_code": ["UK", "XKX"],
                              "year": ["2014", "2020"]})
    result = un_metadata(documents)
    assert result.columns["iso3"].tolist() == ["GBR", ""]
    assert result.conflicts.to_dict("records") == [
        {"country": "United Kingdom", "code": "UK", "iso3_by_code": "", "iso3_by_name": "GBR", "n_documents": 1}]
    assert result.unmatched.to_dict("records") == [{"country": "Kosovo", "code": "XKX", "n_documents": 1}]


def test_code_columns_in_order_of_preference():
    documents = pd.DataFrame({"country": ["", "", ""], "year": [2020] * 3,
                              "country_iso3": ["FRA", "", None], "country_code": ["DEU", "DEU", ""],
                              "iso3": ["BEL", "BEL", "BEL"]})
    assert un_metadata(documents).columns["iso3"].tolist() == ["FRA", "DEU", "BEL"]
    assert un_metadata(documents, code_columns=["iso3"]).columns["iso3"].tolist() == ["BEL"] * 3
    assert un_metadata(documents, code_columns=[]).columns["iso3"].tolist() == [""] * 3


def test_unmatched_names_are_counted_and_kept_aligned():
    documents = pd.DataFrame({
        "country": ["UN", "France", "", "UN", None, "African Union", "UN"],
        "year": [2020, 2020, 2020, 2019, 2020, 2020, None],
    }, index=[7, 6, 5, 4, 3, 2, 1])
    result = un_metadata(documents)
    assert result.columns.index.tolist() == [7, 6, 5, 4, 3, 2, 1]
    assert result.columns["iso3"].tolist() == ["", "FRA", "", "", "", "", ""]
    assert result.columns["council_status"].tolist() == ["", "P5", "", "", "", "", ""]
    assert result.unmatched.to_dict("records") == [
        {"country": "UN", "code": "", "n_documents": 3},
        {"country": "", "code": "", "n_documents": 2},
        {"country": "African Union", "code": "", "n_documents": 1},
    ]
    assert list(result.conflicts.columns) == ["country", "code", "iso3_by_code", "iso3_by_name", "n_documents"]
    assert result.conflicts.empty


def test_no_rows():
    result = un_metadata(pd.DataFrame({"country": [], "year": []}))
    assert list(result.columns.columns) == ["iso3", "un_group", "council_status"] and result.columns.empty
    assert list(result.unmatched.columns) == ["country", "code", "n_documents"] and result.unmatched.empty


def test_un_metadata_names_a_missing_column():
    with pytest.raises(InputError, match=r"no column 'year'; columns: country, speaker"):
        un_metadata(pd.DataFrame({"country": ["France"], "speaker": ["x"]}))
    with pytest.raises(TypeError, match="DataFrame"):
        un_metadata([{"country": "France", "year": 2020}])
    with pytest.raises(TypeError, match="not one string"):
        un_metadata(pd.DataFrame({"country": ["France"], "year": [2020]}), code_columns="iso3")


def test_each_distinct_name_is_resolved_once(monkeypatch):
    calls = []
    resolve = membership._resolve
    monkeypatch.setattr(membership, "_resolve", lambda name, aliases, level=0: calls.append(name)
                        or resolve(name, aliases, level))
    documents = pd.DataFrame({"country": ["France", "UN", "France"] * 1000, "year": [2020] * 3000})
    assert (un_metadata(documents).columns["iso3"] == "").sum() == 1000
    assert sorted(calls) == ["France", "UN"]


# ------------------------------------------------------------------------------------------- tables


def test_tables_hold_the_published_group_sizes_and_council_sizes():
    tables = load_member_tables()
    states = tables.states
    current = states[states["member_since"].notna() & states["member_until"].isna()]
    assert len(current) == 193  # UN member states today
    # UN regional groups (UN DGACM): African 54, Asia-Pacific 53 (+ Kiribati in the UN's current list),
    # Eastern European 23, Latin American and Caribbean 33, Western European and Others 28 + the United States.
    assert current["un_group"].value_counts().to_dict() == {
        "African": 54, "Asia-Pacific": 53, "Latin American and Caribbean": 33,
        "Western European and Others": 29, "Eastern European": 23, "": 1}
    per_year = tables.council.groupby("year")["iso3"].size()
    assert (tables.first_year, tables.last_year) == (1946, 2026)
    assert (per_year.loc[:1965] == 11).all() and (per_year.loc[1966:] == 15).all()
    assert (tables.council[tables.council["status"] == "P5"].groupby("year").size() == 5).all()
    assert set(tables.council.loc[tables.council["status"] == "P5", "iso3"]) == {"CHN", "FRA", "GBR", "RUS",
                                                                                "SUN", "USA"}


def test_tables_are_cached_until_a_file_changes(tmp_path):
    states, council, extra = (tmp_path / name for name in ("states.csv", "council.csv", "extra.csv"))
    states.write_bytes(paths.UN_MEMBER_STATES_FILE.read_bytes())
    council.write_bytes(paths.UNSC_MEMBERSHIP_FILE.read_bytes())
    extra.write_text("iso3,alias,source\n", encoding="utf-8")
    first = load_member_tables(states=states, council=council, extra_aliases=extra)
    assert load_member_tables(states=states, council=council, extra_aliases=extra) is first
    assert one("Grand Fenwick") == ""
    extra.write_text("iso3,alias,source\nFRA,Grand Fenwick,a test\n", encoding="utf-8")
    second = load_member_tables(states=states, council=council, extra_aliases=extra)
    assert second is not first
    assert match_countries(["Grand Fenwick"], tables=second).tolist() == ["FRA"]
    assert [Path(path).name for path, _ in second.sources] == ["states.csv", "council.csv", "extra.csv"]
    assert second.sources[0][1] == hashlib.sha256(states.read_bytes()).hexdigest()


def _write_tables(folder: Path, *, states=None, council=None, extra=None):
    """A small valid set of tables, with one file replaced if given."""
    files = {
        "states.csv": states if states is not None else (
            "iso3,name,aliases,un_regional_group,member_since,member_until\n"
            "FRA,France,France;French Republic,Western European and Others,1945,\n"
            "KAZ,Kazakhstan,Kazakhstan,Asia-Pacific,1992,\n"
            "SUN,USSR,USSR;Soviet Union,Eastern European,1945,1991\n"),
        "council.csv": council if council is not None else "year,iso3,name,status\n2017,FRA,France,P5\n2017,KAZ,Kazakhstan,elected\n",
        "extra.csv": extra if extra is not None else "iso3,alias,source\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return dict(states=folder / "states.csv", council=folder / "council.csv", extra_aliases=folder / "extra.csv")


def test_a_small_valid_set_of_tables(tmp_path):
    tables = load_member_tables(**_write_tables(tmp_path))
    documents = pd.DataFrame({"country": ["French Republic", "Kazakhstan", "Soviet Union"], "year": [2017] * 3})
    assert un_metadata(documents, tables=tables).columns.values.tolist() == [
        ["FRA", "Western European and Others", "P5"], ["KAZ", "Asia-Pacific", "elected"],
        ["SUN", "Eastern European", "non-member"]]
    assert un_metadata(documents.assign(year=2018), tables=tables).columns["council_status"].tolist() == [""] * 3


HEADER = "iso3,name,aliases,un_regional_group,member_since,member_until\n"


@pytest.mark.parametrize("file, text, line, message", [
    ("states", HEADER + "FR,France,France,,1945,\n", 2, "iso3 'FR' is not a code of three capital letters"),
    ("states", HEADER + "FRA,France,France,,1945,\nFRA,France,France,,1945,\n", 3, "code FRA appears twice"),
    ("states", HEADER + "FRA,France,France,Europe,1945,\n", 2, "unknown un_regional_group 'Europe' for FRA; valid: African"),
    ("states", HEADER + "FRA,France,France,,45,\n", 2, "member_since '45' is not a year such as 1945 (or empty)"),
    ("states", HEADER + "FRA,France,France,,1945,1940\n", 2, "member_until 1940 is before member_since 1945"),
    ("states", HEADER + "FRA,,France,,1945,\n", 2, "empty name for FRA"),
    ("states", HEADER + "FRA,France,France,,1945\n", 2, "5 fields where the header has 6"),
    ("states", HEADER + "FRA,France,France;the Niger,,1945,\nNER,Niger,Niger,,1960,\n", 3,
     "name form 'Niger' of NER reads the same as a name form of FRA (states.csv, line 2)"),
    ("states", HEADER + "FRA,France,France;..,,1945,\n", 2, "name form '..' of FRA has no letters or digits"),
    ("states", "iso3,name,aliases\nFRA,France,France\n", 1, "missing column(s) un_regional_group, member_since"),
    ("states", "", 1, "empty file"),
    ("council", "year,iso3,name,status\n2017,FRA,France,permanent\n", 2, "status 'permanent' for FRA in 2017; valid: P5, elected"),
    ("council", "year,iso3,name,status\n2017,DEU,Germany,elected\n", 2, "unknown state DEU: not in states.csv"),
    ("council", "year,iso3,name,status\n2017,FRA,France,P5\n2017,FRA,France,P5\n", 3, "FRA appears twice in 2017"),
    ("council", "year,iso3,name,status\n17,FRA,France,P5\n", 2, "year '17' is not a year such as 1945"),
    ("council", "year,iso3,name,status\n2017,FRA,France,P5\n2019,FRA,France,P5\n", None,
     "no seats for 2018: the years must follow each other"),
    ("council", "year,iso3,name,status\n", 1, "no Security Council seats in the file"),
    ("extra", "iso3,alias,source\nFRA,Gaul,\n", 2, "name form 'Gaul' has no source"),
    ("extra", "iso3,alias,source\nXYZ,Gaul,Asterix\n", 2, "unknown state XYZ: not in states.csv"),
    ("extra", "iso3,alias,source\nKAZ,Soviet Union,a mistake\n", 2,
     "name form 'Soviet Union' of KAZ reads the same as a name form of SUN (states.csv, line 4)"),
    ("extra", "iso3,alias\nFRA,Gaul\n", 1, "missing column(s) source"),
    ("extra", 'iso3,alias,source\nFRA,"Gaul,x\n', 2, "CSV syntax error: unexpected end of data"),
    ("extra", "iso3,alias,source\nFRA,Gaul\n", 2, "2 fields where the header has 3"),
])
def test_a_malformed_table_is_refused_with_its_file_and_line(tmp_path, file, text, line, message):
    files = _write_tables(tmp_path, **{file: text})
    path = files["extra_aliases" if file == "extra" else file]
    where = f"{path}:{line}: " if line else f"{path}: "
    with pytest.raises(ConfigError, match="^" + re.escape(where + message)):
        load_member_tables(**files)


def test_unreadable_tables_are_refused(tmp_path):
    files = _write_tables(tmp_path)
    files["council"].write_bytes(b"year,iso3,name,status\n2017,FRA,Fran\xe7e,P5\n")
    with pytest.raises(ConfigError, match=r"council.csv: not UTF-8 text"):
        load_member_tables(**files)
    with pytest.raises(ConfigError, match=r"missing.csv: file not found"):
        load_member_tables(**{**files, "states": tmp_path / "missing.csv"})


def test_tables_argument_is_checked():
    with pytest.raises(TypeError, match="MemberTables"):
        match_countries(["France"], tables={"FRA": "France"})


def test_copied_tables_match_the_checksums_in_their_readme():
    readme = (paths.REFERENCE_DIR / "README.md").read_text(encoding="utf-8")
    listed = dict((name, digest) for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", readme, re.MULTILINE))
    assert set(listed) == {paths.UN_MEMBER_STATES_FILE.name, paths.UNSC_MEMBERSHIP_FILE.name,
                           paths.UN_ALIAS_PROVENANCE_FILE.name}
    for name, digest in listed.items():
        assert hashlib.sha256((paths.REFERENCE_DIR / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.corpus
def test_copied_tables_are_the_shared_reference_set_unchanged(corpora):
    shared = corpora.parent / "reference"
    if not shared.is_dir():
        pytest.skip(f"the shared reference set is not at {shared}")
    for path in (paths.UN_MEMBER_STATES_FILE, paths.UNSC_MEMBERSHIP_FILE, paths.UN_ALIAS_PROVENANCE_FILE):
        assert path.read_bytes() == (shared / path.name).read_bytes(), path.name


# ------------------------------------------------------------------------------------------- real corpora

#: Every unmatched country of the UNSC corpora, each looked up by hand: organisations, groups, officials,
#: briefers, and two errors of the source metadata. A state appearing here would be a matching failure.
NOT_A_MEMBER_STATE = {
    "": "no country in the source: the Council President's turns, briefers (unsc_umuc)",
    "UN": "UN officials",
    "African Union": "regional organisation",
    "ASEAN": "regional organisation",
    "League of Arab States": "regional organisation",
    "League of the Arab States": "regional organisation",
    "NATO": "regional organisation",
    "OSCE": "regional organisation",
    "Group of Arab States": "group of states",
    "Nordic Countries": "group of states",
    "Movement of Non-Aligned Countries": "group of states",
    "Group of Friends of Children and Armed Conflict": "group of states",
    "Committee on the Exercise of the Inalienable Rights of the Palestinian People": "UN body",
    "ICC": "international court",
    "International Criminal Court": "international court",
    "International Committee of the Red Cross": "organisation",
    "Kosovo": "not a UN member state; its representative speaks under rule 39",
    "Individual": "briefers speaking for themselves",
    "spoke in French": "source metadata error: the header reads 'Mr. Michon (spoke in French) (France):'",
    "Afghanistan Independent Human Rights Commmission": "national human rights institution",
    "Arab Human Rights Foundation": "NGO",
    "Columbia University": "university",
    "Commission for the Clarification of Truth, Coexistence and Non-Repetition of Colombia": "national commission",
    "Community Empowerment for Progress Organization": "NGO",
    "Fondasyon Je Klere (FJKL)": "NGO",
    "Foundation for Human Rights in South Africa": "NGO",
    "Global Coalition to Protect Education from Attacks": "NGO",
    "Haitian Bars Federation": "professional body",
    "Municipal Association of Women": "NGO",
    "Médecins du Monde": "NGO",
    "Norwegian Refugee Council": "NGO",
    "Physicians for Human Rights": "NGO",
    "Save Act Mine": "NGO",
    "Stockholm International Peace Research Institute": "research institute",
    "Watchlist on Children and Armed Conflict": "NGO",
    "Women's Monthly Forum on Peace and Political Processes in South Sudan": "NGO",
    "World Wildlife Fund": "NGO",
    "Youth Initiative for Human Rights": "NGO",
    "Youth Parliament of the Niger": "youth organisation",
}


@pytest.fixture(scope="module")
def all_metadata(corpora):
    documents = pd.read_csv(corpora / "all_metadata.csv", dtype=str, keep_default_na=False)
    assert len(documents) == 6023
    started = time.perf_counter()
    result = un_metadata(documents)
    elapsed = time.perf_counter() - started
    print(f"\nun_metadata on {len(documents):,} speeches: {elapsed:.3f} s (benchmarks/bench_membership.py times it)")
    return documents, result


@pytest.mark.corpus
def test_match_rate_per_corpus(all_metadata):
    documents, result = all_metadata
    matched = result.columns["iso3"].ne("").groupby(documents["corpus"]).agg(["sum", "size", "mean"])
    print("\n" + matched.to_string())
    assert matched.loc["ungdc", "mean"] == 1.0  # every General Debate speech is a state's (or the EU's)
    assert matched.loc["unsc_ucunsc", "mean"] == 1.0  # selected speeches of states on Ukraine
    for corpus in ("unsc_2020", "unsc_umuc"):
        rows = documents["corpus"] == corpus
        unmatched = documents.loc[rows & result.columns["iso3"].eq(""), "country"]
        assert set(unmatched) <= set(NOT_A_MEMBER_STATE), sorted(set(unmatched) - set(NOT_A_MEMBER_STATE))
        assert matched.loc[corpus, "sum"] == rows.sum() - len(unmatched)


@pytest.mark.corpus
def test_unsc_unmatched_names_are_not_member_states(all_metadata):
    documents, result = all_metadata
    unsc = documents["body"] == "UNSC"
    table = un_metadata(documents[unsc]).unmatched
    print("\n" + table.to_string())
    assert set(table["country"]) <= set(NOT_A_MEMBER_STATE), sorted(set(table["country"]) - set(NOT_A_MEMBER_STATE))
    assert table["n_documents"].sum() == result.columns.loc[unsc, "iso3"].eq("").sum()


@pytest.mark.corpus
def test_ungdc_names_agree_with_its_codes(all_metadata):
    documents, result = all_metadata
    ungdc = documents[documents["corpus"] == "ungdc"]
    tables = load_member_tables()
    assert ungdc["country_iso3"].isin(tables.groups.keys()).all()
    assert (result.columns.loc[ungdc.index, "iso3"] == ungdc["country_iso3"]).all()  # no year rule after 2010
    by_name = match_countries(ungdc["country"])
    named = by_name != ""
    print(f"\nUNGDC 2010-2024 by name alone: {named.sum()} of {len(ungdc)} ({named.mean():.2%}); "
          f"unmatched names: {sorted(set(ungdc.loc[~named, 'country']))}")
    assert (by_name[named] == ungdc.loc[named, "country_iso3"]).all()
    assert result.conflicts.empty


@pytest.mark.corpus
def test_unsc_names_agree_with_the_speech_headers(all_metadata, corpora):
    """The speaker line of the text ("Mr. X (Country):") is a second, independent record of the country in
    unsc_2020 (whose country comes from the source's metadata) and unsc_ucunsc (from the file-name code)."""
    from analysis.corpus import parse_header, read_text_file

    documents, result = all_metadata
    rows = documents.index[documents["corpus"].isin(["unsc_2020", "unsc_ucunsc"])]
    headers = []
    for row in rows:
        header = parse_header(read_text_file(corpora / documents.at[row, "source_file"])[0])
        headers.append(header.country if header else "")
    from_header = match_countries(pd.Series(headers, index=rows))
    from_metadata = result.columns.loc[rows, "iso3"]
    both = (from_header != "") & (from_metadata != "")
    print(f"\nheaders naming a state: {(from_header != '').sum()}, also matched by metadata: {both.sum()}")
    assert both.sum() > 900
    assert (from_header[both] == from_metadata[both]).all()


@pytest.mark.corpus
def test_council_presidents_sit_on_the_council(all_metadata):
    """The presidency rotates among the Council's members: every matched President of 2020 is P5 or elected."""
    documents, result = all_metadata
    presidents = (documents["corpus"] == "unsc_2020") & (documents["speaker_role"] == "The President")
    status = result.columns.loc[presidents, "council_status"]
    assert presidents.sum() > 500
    assert status[status != ""].isin(["P5", "elected"]).all()
    assert (status == "").sum() <= 1  # one President with country "UN" in the source metadata


@pytest.mark.corpus
def test_ungdc_1946_2024_historic_names_and_codes(corpora):
    frame = pd.read_parquet(corpora / "ungdc" / "ungdc_1946_2024.parquet",
                            columns=["doc_id", "country", "country_iso3", "year", "text"])
    assert len(frame) == 10952
    result = un_metadata(frame)
    columns = result.columns
    assert (columns["iso3"] != "").all() and (columns["council_status"] != "").all()
    assert result.unmatched.empty

    # the year rules: RUS before 1992 is the USSR, a permanent member; YUG after 1992 is Serbia
    rus = frame["country_iso3"] == "RUS"
    assert (columns.loc[rus & (frame["year"] <= 1991), "iso3"] == "SUN").all()
    assert (columns.loc[rus & (frame["year"] <= 1991), "council_status"] == "P5").all()
    assert (columns.loc[rus & (frame["year"] >= 1992), "iso3"] == "RUS").all()
    yug = frame["country_iso3"] == "YUG"
    assert set(columns.loc[yug & (frame["year"] >= 2001), "iso3"]) == {"SRB"}
    assert set(columns.loc[yug & (frame["year"] <= 1991), "iso3"]) == {"YUG"}
    for code in ("CSK", "DDR", "YMD"):  # historic members keep their codes
        assert (columns.loc[frame["country_iso3"] == code, "iso3"] == code).all()

    # historic names place a speech where its code does
    by_name = _apply_year_rules(match_countries(frame["country"]), frame["year"])
    assert set(by_name[frame["country"] == "Yugoslavia"]) == {"YUG", "SRB"}
    assert (by_name[frame["country"] == "Yugoslavia"] == columns.loc[frame["country"] == "Yugoslavia", "iso3"]).all()
    for name, code in [("Upper Volta", "BFA"), ("Dahomey", "BEN"), ("Zaire", "COD"), ("Ceylon", "LKA"),
                       ("Burma", "MMR"), ("Swaziland", "SWZ"), ("Democratic Kampuchea", "KHM"),
                       ("Byelorussian Soviet Socialist Republic", "BLR"), ("United Arab Republic", "EGY"),
                       ("Union of South Africa", "ZAF"), ("Federation of Malaya", "MYS"),
                       ("Czechoslovakia", "CSK"), ("German Democratic Republic", "DDR"),
                       ("Union of Soviet Socialist Republics", "SUN"), ("Serbia and Montenegro", "SRB")]:
        rows = (frame["country"] == name) & (frame["country_iso3"] != "SWE")  # one Swedish speech is "Swaziland"
        assert rows.any(), name
        assert (by_name[rows] == code).all() and (columns.loc[rows, "iso3"] == code).all(), name

    named = by_name != ""
    print(f"\nUNGDC 1946-2024 by name alone: {named.sum()} of {len(frame)} ({named.mean():.2%})")
    print(result.conflicts.to_string())
    # Where name and code disagree, the code is right: the speech names the code's state more often.
    forms = pd.read_csv(paths.UN_MEMBER_STATES_FILE, dtype=str, keep_default_na=False).set_index("iso3")["aliases"]
    for row in result.conflicts.itertuples():
        text = frame.loc[(frame["country"] == row.country) & (frame["country_iso3"] == row.code), "text"].iloc[0]
        by_code, by_name_ = (len(re.findall(r"\b(?:" + "|".join(map(re.escape, forms[code].split(";"))) + r")\b", text))
                             for code in (row.iso3_by_code, row.iso3_by_name))
        assert by_code > by_name_, (row.country, row.code, by_code, by_name_)
    assert len(result.conflicts) <= 5


def _apply_year_rules(iso3: pd.Series, years: pd.Series) -> pd.Series:
    """Codes of names with the year rules applied (through un_metadata, the codes given as a code column)."""
    documents = pd.DataFrame({"country": "", "iso3": iso3.to_numpy(), "year": years.to_numpy()}, index=iso3.index)
    return un_metadata(documents, code_columns=["iso3"]).columns["iso3"]
