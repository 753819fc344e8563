"""UN membership: which member state a speech speaks for, its UN regional group, and its Security Council seat.

Two layers:

* the **tables** (:func:`load_member_tables`): ``data/reference/un_member_states.csv`` (states, observers and
  historic members with their name forms and regional group), ``data/reference/unsc_membership.csv`` (every
  Security Council member of every year, ``P5`` or ``elected``) and the project's own supplement of name forms,
  ``data/reference/aliases_extra.csv``. They are validated on loading (a malformed file is a
  :class:`~analysis.errors.ConfigError` naming the file and the line) and cached until a file changes;
* **pure functions**: :func:`normalize_country_name` (the comparison key of a name),
  :func:`match_countries` (names → ISO3 codes) and :func:`un_metadata` (a documents table → ``iso3``,
  ``un_group`` and ``council_status`` per row, with the names it could not place and the rows whose code and
  name disagree).

Names are matched only when their key equals the key of a known name form: there is no fuzzy matching, so a
misspelt or unknown name stays unmatched and is reported rather than guessed. Non-state speakers (UN officials,
regional organisations, NGOs, briefers) are meant to stay unmatched.

>>> match_countries(["Iran (Islamic Republic of)", "the Russian Federation", "African Union"]).tolist()
['IRN', 'RUS', '']
"""
from __future__ import annotations

import csv
import dataclasses
import functools
import re
import unicodedata
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd

from . import paths
from .errors import ConfigError, InputError
from .io import file_sha256, read_config_text

__all__ = [
    "COUNCIL_STATUSES",
    "UN_GROUPS",
    "YEAR_DEPENDENT_CODES",
    "MemberTables",
    "UNMetadata",
    "load_member_tables",
    "match_countries",
    "normalize_country_name",
    "un_metadata",
    "with_un_metadata",
]

#: The five UN regional groups, as the member table spells them (an empty group is allowed: observers, Kiribati).
UN_GROUPS = (
    "African",
    "Asia-Pacific",
    "Eastern European",
    "Latin American and Caribbean",
    "Western European and Others",
)
#: Values of ``council_status``: a permanent member, an elected member, or not on the Council that year.
COUNCIL_STATUSES = ("P5", "elected", "non-member")

#: Codes whose state depends on the year: ``(code, first year, last year, state in the member table)``, either
#: year ``None`` for open. The UN General Debate Corpus codes the USSR's speeches ``RUS`` and those of the
#: Federal Republic of Yugoslavia / Serbia and Montenegro (2001-2005) ``YUG``, whose row in the member table
#: is the Socialist Federal Republic (to 1992). The same holds for names: before 1992 "Russia" at the UN can
#: only be the USSR, and after 1992 "Yugoslavia" is the Federal Republic (today ``SRB``).
YEAR_DEPENDENT_CODES = (
    ("RUS", None, 1991, "SUN"),
    ("YUG", 1993, None, "SRB"),
)

_STATE_COLUMNS = ("iso3", "name", "aliases", "un_regional_group", "member_since", "member_until")
_COUNCIL_COLUMNS = ("year", "iso3", "name", "status")
_EXTRA_COLUMNS = ("iso3", "alias", "source")
_CODE = re.compile(r"[A-Z]{3}|EU")
_YEAR = re.compile(r"[12]\d{3}")


# --------------------------------------------------------------------------------------------------
# Name keys
# --------------------------------------------------------------------------------------------------

# A note in brackets that says how someone spoke, not whom they speak for: "(spoke in French)",
# "(on behalf of the European Union)", "(interpretation from Arabic)".
_QUALIFIER = re.compile(
    r"[(\[]\s*(?:(?:spoke|speaking|speaks)\s+in\b|interpretation\s+from\b|(?:speaking\s+)?on\s+behalf\s+of\b)"
    r"[^)\]]*(?:[)\]]|$)"
)
# The inverted official forms of UN and ISO lists: "Iran (Islamic Republic of)", "Korea, Republic of",
# "Congo (the Democratic Republic of the)" -> "Islamic Republic of Iran" and so on.
# The name holds no comma or bracket, so where it ends is fixed and the match takes linear time.
_INVERTED = re.compile(r"(?P<name>[^,()]*)(?:,(?P<comma>[^,()]*\bof(?:\s+the)?)|\((?P<paren>[^()]*\bof(?:\s+the)?)\s*\))\s*")
_WORD = re.compile(r"[^\W_]+")
# Separators of alternative names, tried in this order: "Upper Volta/Burkina Faso", "Ceylon (Sri Lanka)".
_ALTERNATIVES = (re.compile(r"/"), re.compile(r"[(),\[\]]"))


def _fold(name: str) -> str:
    """Case-folded, without diacritics (``"Côte"`` → ``"cote"``), compatibility characters decomposed."""
    text = unicodedata.normalize("NFKD", name)
    return "".join(char for char in text if not unicodedata.combining(char)).casefold()


def normalize_country_name(name: object) -> str:
    """The key two forms of a country name share when they name the same state.

    In order: compatibility decomposition, diacritics removed and case folded (``Türkiye`` = ``Turkiye``);
    ``&`` read as ``and``; bracketed notes on how someone spoke removed (``(spoke in French)``,
    ``(on behalf of …)``, ``(interpretation from …)``); inverted official forms turned round
    (``Iran (Islamic Republic of)`` and ``Korea, Republic of`` → ``Islamic Republic of Iran``, ``Republic of
    Korea``); then the words (runs of letters and digits) without every ``the``, with ``st`` read as
    ``saint``, joined without spaces, so that punctuation, apostrophes, line breaks and a missing or doubled
    space make no difference (``Republic ofKorea``, ``Côte d’Ivoire``, ``El] Salvador``).

    Parameters
    ----------
    name : str
        A country name as a corpus gives it; anything else (``None``, NaN) gives ``""``.

    Returns
    -------
    str
        The key; ``""`` when the name has no letters or digits.

    >>> normalize_country_name("Iran (Islamic Republic of)") == normalize_country_name("Islamic Republic of Iran")
    True
    >>> normalize_country_name("  The Gambia\\n")
    'gambia'
    """
    if not isinstance(name, str):
        return ""
    text = _fold(name).replace("&", " and ")
    text = _QUALIFIER.sub(" ", text)
    inverted = _INVERTED.fullmatch(text)
    if inverted and inverted["name"].strip():
        text = f"{inverted['comma'] or inverted['paren']} {inverted['name']}"
    words = ("saint" if word == "st" else word for word in _WORD.findall(text) if word != "the")
    return "".join(words)


def _resolve(name: str, aliases: Mapping[str, str], level: int = 0) -> str:
    """The code of ``name``, or ``""``: its key, else alternatives that all name the same state."""
    key = normalize_country_name(name)
    if not key:
        return ""
    found = aliases.get(key)
    if found is not None:
        return found
    for position in range(level, len(_ALTERNATIVES)):
        parts = [part for part in _ALTERNATIVES[position].split(name) if normalize_country_name(part)]
        if len(parts) > 1:
            codes = {_resolve(part, aliases, position + 1) for part in parts}
            return codes.pop() if len(codes) == 1 else ""
    return ""


# --------------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class MemberTables:
    """The member table, the Security Council table and the name forms, validated.

    Attributes
    ----------
    states : DataFrame
        One row per state or entity: ``iso3, name, un_group, member_since, member_until`` (years as nullable
        integers; ``un_group`` empty for observers, the European Union and Kiribati), sorted by ``iso3``.
    council : DataFrame
        ``year, iso3, status`` for every Council seat of every year, sorted.
    aliases : Mapping[str, str]
        :func:`normalize_country_name` key → ``iso3``, for every name form of both files.
    first_year, last_year : int
        The years the Council table covers; ``council_status`` is empty outside them.
    sources : tuple of (str, str)
        ``(path, sha256)`` of each file read, for provenance records.
    """

    states: pd.DataFrame
    council: pd.DataFrame
    aliases: Mapping[str, str]
    first_year: int
    last_year: int
    sources: tuple[tuple[str, str], ...] = ()

    @functools.cached_property
    def groups(self) -> Mapping[str, str]:
        """``iso3`` → UN regional group (``""`` when none)."""
        return MappingProxyType(dict(zip(self.states["iso3"], self.states["un_group"])))

    @functools.cached_property
    def seats(self) -> pd.Series:
        """``status`` indexed by ``(year, iso3)``."""
        return self.council.set_index(["year", "iso3"])["status"]


def load_member_tables(*, states: str | Path | None = None, council: str | Path | None = None,
                       extra_aliases: str | Path | None = None) -> MemberTables:
    """Read and validate the member table, the Security Council table and the supplement of name forms.

    The result is cached until one of the files changes; treat it as read-only.

    Parameters
    ----------
    states, council, extra_aliases : str or Path, optional
        Other files in the formats of ``paths.UN_MEMBER_STATES_FILE``, ``paths.UNSC_MEMBERSHIP_FILE`` and
        ``paths.UN_ALIASES_EXTRA_FILE`` (the defaults).

    Raises
    ------
    ConfigError
        For a missing or non-UTF-8 file, a missing column, or a bad row (a code other than three capitals or
        ``EU``, a repeated code, an unknown regional group, a year that is not a year, a Council seat of an
        unknown state or with a status other than ``P5``/``elected``, a repeated seat, a gap in the Council's
        years, a name form that would match two states, an extra name form without its source): one line
        naming the file and the line.
    """
    files = [Path(path) for path in (
        paths.UN_MEMBER_STATES_FILE if states is None else states,
        paths.UNSC_MEMBERSHIP_FILE if council is None else council,
        paths.UN_ALIASES_EXTRA_FILE if extra_aliases is None else extra_aliases,
    )]
    stamps = []
    for path in files:
        try:
            stat = path.stat()
        except OSError:
            raise ConfigError("file not found", path=path) from None
        stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
    return _load_cached(*stamps)


@functools.lru_cache(maxsize=8)
def _load_cached(states: tuple, council: tuple, extra: tuple) -> MemberTables:
    states_path, council_path, extra_path = (Path(stamp[0]) for stamp in (states, council, extra))
    aliases: dict[str, tuple[str, Path, int]] = {}  # key -> (iso3, file, line) of the form that set it

    def add_alias(form: str, iso3: str, path: Path, line: int) -> None:
        key = normalize_country_name(form)
        if not key:
            raise ConfigError(f"name form {form!r} of {iso3} has no letters or digits", path=path, line=line)
        previous = aliases.setdefault(key, (iso3, path, line))
        if previous[0] != iso3:
            raise ConfigError(
                f"name form {form!r} of {iso3} reads the same as a name form of {previous[0]} "
                f"({previous[1].name}, line {previous[2]}); remove one of them", path=path, line=line)

    rows = []
    seen_codes: set[str] = set()
    for line, row in _read_rows(states_path, _STATE_COLUMNS):
        iso3 = _check_code(row["iso3"], "iso3", states_path, line)
        if iso3 in seen_codes:
            raise ConfigError(f"code {iso3} appears twice", path=states_path, line=line)
        if not row["name"].strip():
            raise ConfigError(f"empty name for {iso3}", path=states_path, line=line)
        group = row["un_regional_group"].strip()
        if group and group not in UN_GROUPS:
            raise ConfigError(f"unknown un_regional_group {group!r} for {iso3}; valid: {', '.join(UN_GROUPS)} "
                              "or empty", path=states_path, line=line)
        since = _check_year(row["member_since"], "member_since", states_path, line, required=False)
        until = _check_year(row["member_until"], "member_until", states_path, line, required=False)
        if since is not None and until is not None and until < since:
            raise ConfigError(f"member_until {until} is before member_since {since} for {iso3}",
                              path=states_path, line=line)
        for form in [row["name"], *row["aliases"].split(";")]:
            if form.strip():
                add_alias(form, iso3, states_path, line)
        seen_codes.add(iso3)
        rows.append({"iso3": iso3, "name": row["name"].strip(), "un_group": group,
                     "member_since": since, "member_until": until})
    if not rows:
        raise ConfigError("no states in the file", path=states_path, line=1)
    known = {row["iso3"] for row in rows}

    for line, row in _read_rows(extra_path, _EXTRA_COLUMNS):
        iso3 = _check_code(row["iso3"], "iso3", extra_path, line)
        if iso3 not in known:
            raise ConfigError(f"unknown state {iso3}: not in {states_path.name}", path=extra_path, line=line)
        if not row["source"].strip():
            raise ConfigError(f"name form {row['alias']!r} has no source; say where it is attested",
                              path=extra_path, line=line)
        add_alias(row["alias"], iso3, extra_path, line)

    seats = []
    seen_seats = set()
    for line, row in _read_rows(council_path, _COUNCIL_COLUMNS):
        year = _check_year(row["year"], "year", council_path, line, required=True)
        iso3 = _check_code(row["iso3"], "iso3", council_path, line)
        if iso3 not in known:
            raise ConfigError(f"unknown state {iso3}: not in {states_path.name}", path=council_path, line=line)
        status = row["status"].strip()
        if status not in COUNCIL_STATUSES[:2]:  # a seat is P5 or elected; non-member is no seat
            raise ConfigError(f"status {status!r} for {iso3} in {year}; valid: P5, elected",
                              path=council_path, line=line)
        if (year, iso3) in seen_seats:
            raise ConfigError(f"{iso3} appears twice in {year}", path=council_path, line=line)
        seen_seats.add((year, iso3))
        seats.append({"year": year, "iso3": iso3, "status": status})
    if not seats:
        raise ConfigError("no Security Council seats in the file", path=council_path, line=1)
    years = sorted({seat["year"] for seat in seats})
    missing = sorted(set(range(years[0], years[-1] + 1)) - set(years))
    if missing:
        raise ConfigError(f"no seats for {', '.join(map(str, missing))}: the years must follow each other",
                          path=council_path)

    table = pd.DataFrame(rows).sort_values("iso3", ignore_index=True)
    for column in ("member_since", "member_until"):
        table[column] = table[column].astype("Int64")
    council_table = pd.DataFrame(seats).sort_values(["year", "iso3"], ignore_index=True)
    return MemberTables(
        states=table,
        council=council_table,
        aliases=MappingProxyType({key: value[0] for key, value in sorted(aliases.items())}),
        first_year=years[0],
        last_year=years[-1],
        sources=tuple((str(path), file_sha256(path))
                      for path in (states_path, council_path, extra_path)),
    )


def _read_rows(path: Path, columns: Sequence[str]) -> Iterable[tuple[int, dict[str, str]]]:
    """``(line, row)`` of a UTF-8 CSV file whose header holds ``columns`` (others are ignored)."""
    text = read_config_text(path, encoding="utf-8-sig")
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise ConfigError(f"empty file; expected the header {','.join(columns)}", path=path, line=1)
        header = [name.strip() for name in header]
        absent = [name for name in columns if name not in header]
        if absent:
            raise ConfigError(f"missing column(s) {', '.join(absent)}; the header must hold {','.join(columns)}",
                              path=path, line=1)
        where = {name: header.index(name) for name in columns}
        start = reader.line_num + 1
        for fields in reader:
            line = start
            start = reader.line_num + 1
            if not any(field.strip() for field in fields):
                continue
            if len(fields) != len(header):
                raise ConfigError(f"{len(fields)} fields where the header has {len(header)}", path=path, line=line)
            yield line, {name: fields[index] for name, index in where.items()}
    except csv.Error as exc:
        raise ConfigError(f"CSV syntax error: {exc}", path=path, line=reader.line_num) from None


def _check_code(value: str, column: str, path: Path, line: int) -> str:
    code = value.strip()
    if not _CODE.fullmatch(code):
        raise ConfigError(f"{column} {value!r} is not a code of three capital letters (or EU)", path=path, line=line)
    return code


def _check_year(value: str, column: str, path: Path, line: int, *, required: bool) -> int | None:
    text = value.strip()
    if not text and not required:
        return None
    if not _YEAR.fullmatch(text):
        raise ConfigError(f"{column} {value!r} is not a year such as 1945" + ("" if required else " (or empty)"),
                          path=path, line=line)
    return int(text)


def _tables(tables: MemberTables | None) -> MemberTables:
    if tables is None:
        return load_member_tables()
    if not isinstance(tables, MemberTables):
        raise TypeError(f"tables must be MemberTables (from load_member_tables) or None, "
                        f"got {type(tables).__name__}")
    return tables


# --------------------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------------------


def match_countries(names: Iterable[object], *, tables: MemberTables | None = None) -> pd.Series:
    """The ISO3 code of each name (``""`` where none), by exact match of :func:`normalize_country_name` keys.

    A name whose key is not the key of a known name form may still match as alternatives that all name the same
    state: ``Upper Volta/Burkina Faso``, ``Ceylon (Sri Lanka)``, ``Belarus, Byelorussian Soviet Socialist
    Republic``. Alternatives naming two states (``Russian Federation (USSR)``) or one state and an unknown name
    (``Congo (Democratic Republic)``) stay unmatched: nothing is guessed. Each distinct name is resolved once.

    Parameters
    ----------
    names : sequence of str
        Country names; a Series keeps its index. Missing values give ``""``.
    tables : MemberTables, optional
        From :func:`load_member_tables` (default: the project's tables).

    Returns
    -------
    Series of str
        Codes of the member table (``EU``, ``VAT``, ``PSE`` and historic codes such as ``SUN`` included), aligned
        with ``names``. The code of a name does not depend on the year: see :func:`un_metadata` for that.

    >>> match_countries(["Türkiye", "Cote d'Ivoire", "UN"]).tolist()
    ['TUR', 'CIV', '']
    """
    if isinstance(names, (str, bytes)):
        raise TypeError("names must be a sequence of names, not one string; wrap it in a list")
    tables = _tables(tables)
    series = names if isinstance(names, pd.Series) else pd.Series(list(names), dtype=object)
    codes, uniques = pd.factorize(series.astype(object).where(series.notna(), ""), use_na_sentinel=False)
    resolved = np.array([_resolve(name, tables.aliases) if isinstance(name, str) else "" for name in uniques],
                        dtype=object)
    return pd.Series(resolved[codes] if len(codes) else np.array([], dtype=object), index=series.index,
                     dtype=object, name="iso3")


class UNMetadata(NamedTuple):
    """:func:`un_metadata`'s result."""

    #: ``iso3, un_group, council_status`` for each input row (same index), ``""`` where unknown.
    columns: pd.DataFrame
    #: ``country, code, n_documents``: every country name (with the code given beside it, if any) that gave
    #: no ``iso3``, most frequent first. Empty names are listed as ``""``.
    unmatched: pd.DataFrame
    #: ``country, code, iso3_by_code, iso3_by_name, n_documents``: rows whose code (which wins) and name
    #: name different states, after the year rules; ``iso3_by_code`` is ``""`` for a code the table lacks.
    conflicts: pd.DataFrame


def un_metadata(documents: pd.DataFrame, *, tables: MemberTables | None = None,
                country_column: str = "country", year_column: str = "year",
                code_columns: Sequence[str] = ("country_iso3", "country_code", "iso3")) -> UNMetadata:
    """UN member state, regional group and Security Council status of each speech.

    ``iso3`` comes from the row's code (the first non-empty value among ``code_columns``; the UN General Debate
    Corpus has ``country_iso3``, the project's corpus reader ``country_code``) when the member table knows that
    code, else from :func:`match_countries` on the country name. Then the
    :data:`YEAR_DEPENDENT_CODES` rules apply: ``RUS`` before 1992 is the USSR (``SUN``), ``YUG`` after 1992 is
    Serbia (``SRB``: the Federal Republic of Yugoslavia, Serbia and Montenegro). ``un_group`` is the state's
    UN regional group (empty for observers, the European Union and Kiribati). ``council_status`` is ``P5`` or
    ``elected`` if the state sat on the Security Council in the speech's year, else ``non-member``; it is empty
    when ``iso3`` is, or the year is missing or outside the Council table (1946-2026).

    Parameters
    ----------
    documents : DataFrame
        One row per speech, with ``country_column`` and ``year_column`` (years as integers or strings;
        anything else counts as missing).
    tables : MemberTables, optional
        From :func:`load_member_tables` (default: the project's tables).
    country_column, year_column : str
        Column names.
    code_columns : sequence of str
        Columns that may hold a country code, in order of preference; absent ones are ignored.

    Returns
    -------
    UNMetadata
        ``columns`` (aligned with ``documents``), ``unmatched`` and ``conflicts`` tables.

    Raises
    ------
    InputError
        If ``country_column`` or ``year_column`` is missing.

    >>> docs = pd.DataFrame({"country": ["Kazakhstan", "USSR", "UN"], "year": [2017, 1980, 2020]})
    >>> un_metadata(docs).columns.values.tolist()
    [['KAZ', 'Asia-Pacific', 'elected'], ['SUN', 'Eastern European', 'P5'], ['', '', '']]
    """
    if not isinstance(documents, pd.DataFrame):
        raise TypeError(f"documents must be a DataFrame, got {type(documents).__name__}")
    if isinstance(code_columns, str):
        raise TypeError("code_columns must be a sequence of column names, not one string; wrap it in a list")
    absent = [name for name in (country_column, year_column) if name not in documents.columns]
    if absent:
        raise InputError(f"the documents have no column {' or '.join(map(repr, absent))}; "
                         f"columns: {', '.join(map(str, documents.columns))}")
    tables = _tables(tables)
    index = documents.index
    countries = _strings(documents[country_column])
    years = _years(documents[year_column])
    given = pd.Series("", index=index, dtype=object)
    for column in code_columns:
        if column in documents.columns:
            given = given.where(given != "", _strings(documents[column]).str.strip().str.upper())

    by_name = _apply_year_rules(match_countries(countries, tables=tables), years)
    known = given.isin(tables.groups.keys())
    by_code = _apply_year_rules(given.where(known, ""), years)
    iso3 = by_code.where(known, by_name)

    group = iso3.map(tables.groups).fillna("").astype(object)
    status = _council_status(iso3, years, tables)
    columns = pd.DataFrame({"iso3": iso3, "un_group": group, "council_status": status}, index=index)

    missing = iso3 == ""
    unmatched = _count(pd.DataFrame({"country": countries[missing], "code": given[missing]}))
    differs = (given != "") & (by_name != "") & (by_code != by_name)
    conflicts = _count(pd.DataFrame({"country": countries[differs], "code": given[differs],
                                     "iso3_by_code": by_code[differs], "iso3_by_name": by_name[differs]}))
    return UNMetadata(columns=columns, unmatched=unmatched, conflicts=conflicts)


def with_un_metadata(documents: pd.DataFrame) -> pd.DataFrame:
    """``documents`` with the :func:`un_metadata` columns (``iso3``, ``un_group``, ``council_status``) it lacks,
    so a corpus read directly can be grouped as ``run``'s ``documents.csv`` is; unchanged when it has them all
    or has no ``country`` and ``year`` to match.

    >>> with_un_metadata(pd.DataFrame({"country": ["France"], "year": [2014]}))["council_status"].tolist()
    ['P5']
    """
    missing = [column for column in ("iso3", "un_group", "council_status") if column not in documents.columns]
    if not missing or not {"country", "year"} <= set(documents.columns):
        return documents
    return documents.join(un_metadata(documents).columns[missing])


def _strings(column: pd.Series) -> pd.Series:
    """Values as ``str``, missing ones as ``""``."""
    return column.astype(object).where(column.notna(), "").map(str).astype(object)


def _years(column: pd.Series) -> pd.Series:
    """Whole years as floats (NaN where missing or not a whole number)."""
    numbers = pd.to_numeric(column.astype(object).where(column.notna(), np.nan).map(
        lambda value: value.strip() if isinstance(value, str) else value), errors="coerce").astype(float)
    return numbers.where(np.isfinite(numbers) & (numbers == np.floor(numbers)))


def _apply_year_rules(iso3: pd.Series, years: pd.Series) -> pd.Series:
    result = iso3.copy()
    for code, first, last, state in YEAR_DEPENDENT_CODES:
        applies = (iso3 == code) & years.notna()
        if first is not None:
            applies &= years >= first
        if last is not None:
            applies &= years <= last
        result = result.mask(applies, state)
    return result


def _council_status(iso3: pd.Series, years: pd.Series, tables: MemberTables) -> pd.Series:
    known = (iso3 != "") & years.between(tables.first_year, tables.last_year)
    status = pd.Series("", index=iso3.index, dtype=object)
    if known.any():
        pairs = pd.MultiIndex.from_arrays([years[known].astype(int).to_numpy(), iso3[known].to_numpy()])
        found = tables.seats.reindex(pairs).to_numpy(dtype=object)
        status[known] = np.where(pd.isna(found), "non-member", found)
    return status


def _count(rows: pd.DataFrame) -> pd.DataFrame:
    """Distinct rows with their number, most frequent first, then in column order."""
    keys = list(rows.columns)
    if rows.empty:
        return pd.DataFrame({**{key: pd.Series(dtype=object) for key in keys},
                             "n_documents": pd.Series(dtype="int64")})
    counted = rows.groupby(keys, sort=False, dropna=False).size().rename("n_documents").reset_index()
    counted = counted.sort_values(["n_documents", *keys], ascending=[False, *[True] * len(keys)],
                                  kind="stable", ignore_index=True)
    return counted[[*keys, "n_documents"]]
