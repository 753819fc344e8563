"""Themes: a versioned lexicon, TF-IDF theme scores per document, paragraph and sentence, and topic discovery.

Three layers:

* the **lexicon** (:func:`load_lexicon`): ``config/themes.yml``, each theme with its terms (wildcards such as
  ``terror*``, phrases such as ``organized crime``), exclusions and example sentences; a bad file is refused
  with its path, line and reason (:class:`analysis.errors.ConfigError`);
* the **scorer** (:class:`ThemeScorer`), a scikit-learn estimator around
  :class:`~sklearn.feature_extraction.text.TfidfVectorizer` whose analyzer is the project tokeniser with lexicon
  phrases merged into single terms (longest match first, so ``organized crime`` is never also counted as
  ``crime``). A theme's score in a text is the TF-IDF mass of the theme's terms divided by the text's whole
  TF-IDF mass (``norm="l1"``, a share in [0, 1] that compares speeches of any length);
* **pure functions** returning DataFrames: :func:`score_themes` (any level), :func:`score_corpus` (what
  ``run`` writes), :func:`label_themes`, :func:`suggest_terms`, :func:`discover_topics`,
  :func:`evaluate_themes` and the :func:`keyword_baseline` the lexicon is measured against.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from pathlib import Path
from typing import Iterable, Literal, Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from . import paths
from .errors import ConfigError
from .io import read_yaml, yaml_key_lines
from .text import content_tokens, find_tokens, load_stopwords, normalize_token
from .text import LearningDict as _LearningDict

__all__ = [
    "BASELINE_PATTERNS",
    "THEMES",
    "Lexicon",
    "Theme",
    "ThemeScorer",
    "check_lexicon",
    "discover_topics",
    "evaluate_themes",
    "join_labels",
    "keyword_baseline",
    "label_themes",
    "load_lexicon",
    "parse_lexicon",
    "score_corpus",
    "score_themes",
    "suggest_terms",
    "topic_coherence",
]

#: The codebook's three themes (version 1), in the order of the output columns.
THEMES = ("terrorism", "trafficking", "cooperation")

#: The plain keyword regexes every lexicon score is shown beside (case-insensitive, any match labels).
BASELINE_PATTERNS = {
    "terrorism": r"\bterror\w*|counter-?terror\w*",
    "trafficking": r"traffick\w*|organi[sz]ed crim\w*|transnational crim\w*|cross-border crim\w*|narcotic\w*"
                   r"|\bdrugs?\b",
    "cooperation": r"cooperat\w*|co-operat\w*|collaborat\w*",
}

# --------------------------------------------------------------------------------------------------
# Lexicon
# --------------------------------------------------------------------------------------------------

_TOP_KEYS = ("version", "description", "themes")
_THEME_KEYS = ("description", "terms", "exclude", "examples")
_EXAMPLE_KEYS = ("match", "no_match")
_THEME_NAME = re.compile(r"[a-z][a-z0-9_]*")
# One word of a pattern: letters or digits, with internal hyphens/apostrophes, and * wildcards.
_PATTERN_WORD = re.compile(r"[\w'’*-]+")


@dataclasses.dataclass(frozen=True)
class Theme:
    """One theme of a :class:`Lexicon`.

    ``terms`` and ``exclude`` are patterns as written in the file (see :func:`parse_lexicon`);
    ``match`` and ``no_match`` are the example sentences that must and must not carry the theme.
    """

    name: str
    terms: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    match: tuple[str, ...] = ()
    no_match: tuple[str, ...] = ()
    description: str = ""


@dataclasses.dataclass(frozen=True)
class Lexicon:
    """A versioned theme lexicon: the themes in file order, where it came from and its content hash."""

    version: str
    themes: tuple[Theme, ...]
    source: str = ""
    sha256: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(theme.name for theme in self.themes)

    @property
    def phrases(self) -> tuple[str, ...]:
        """The multi-word terms of every theme, sorted: what term counting should treat as units."""
        return tuple(sorted({term for theme in self.themes for term in theme.terms if len(term.split()) > 1}))

    def __getitem__(self, name: str) -> Theme:
        for theme in self.themes:
            if theme.name == name:
                return theme
        raise KeyError(f"no theme {name!r} in lexicon version {self.version} (themes: {', '.join(self.names)})")


def _pattern_words(pattern: str) -> tuple[str, ...]:
    """Normalised words of a pattern, or ValueError saying why it is not a valid pattern."""
    if not isinstance(pattern, str):
        raise ValueError(f"pattern must be a string, got {type(pattern).__name__} {pattern!r}")
    words = pattern.split()
    if not words:
        raise ValueError("empty pattern")
    normalised = []
    for word in words:
        if not _PATTERN_WORD.fullmatch(word):
            bad = sorted(set(re.sub(r"[\w'’*-]", "", word)))
            raise ValueError(f"invalid pattern {pattern!r}: character {''.join(bad)!r} in {word!r}; patterns are "
                             "words with * wildcards, hyphens and apostrophes, separated by spaces")
        if not re.search(r"[^\W_]", word):
            raise ValueError(f"invalid pattern {pattern!r}: {word!r} has no letter or digit and would match "
                             "any word")
        normalised.append(normalize_token(word.replace("*", "\0")).replace("\0", "*"))
    return tuple(normalised)


def _word_regex(word: str) -> str:
    return ".*".join(re.escape(part) for part in word.split("*"))


def parse_lexicon(data: Mapping, *, path: str | Path | None = None,
                  lines: Mapping[tuple[str, ...], int] | None = None, check_examples: bool = True) -> Lexicon:
    """Validate a lexicon mapping (as read from YAML) and build a :class:`Lexicon`.

    The mapping has ``version``, optionally ``description``, and ``themes``: theme name → ``terms`` (a non-empty
    list of patterns), optional ``exclude`` (patterns), ``examples`` with ``match`` (at least one sentence) and
    ``no_match``, and an optional ``description``.

    A pattern is one word or a phrase of words separated by spaces. Words are matched, case-insensitively, on
    the project tokeniser's tokens (hyphenated words and ``Da'esh`` are one token); ``*`` in a word stands for
    any run of characters of that token (``terror*``, ``*terror*``, ``organi*ed``).

    Parameters
    ----------
    data : mapping
        The parsed file.
    path : str or Path, optional
        Named in error messages.
    lines : mapping, optional
        Key path → line (:func:`analysis.io.yaml_key_lines`), so errors name the line.
    check_examples : bool
        Refuse a lexicon whose ``match`` example lacks its theme or whose ``no_match`` example has it.

    Raises
    ------
    ConfigError
        Naming the file, the line and what is wrong.
    """
    lines = lines or {}

    def fail(message: str, *key: str | int) -> ConfigError:
        key_path = tuple(str(k) for k in key)
        line = None
        while key_path and line is None:
            line = lines.get(key_path)
            key_path = key_path[:-1]
        return ConfigError(message, path=path, line=line if line is not None else (1 if lines else None))

    if not isinstance(data, Mapping):
        raise fail("expected a mapping with 'version' and 'themes'")
    for key in data:
        if key not in _TOP_KEYS:
            raise fail(f"unknown key {key!r}; valid keys: {', '.join(_TOP_KEYS)}", key)
    version = data.get("version")
    if version is None or isinstance(version, (dict, list, bool)) or not str(version).strip():
        raise fail("missing 'version' (e.g. version: \"1\")", "version")
    raw_themes = data.get("themes")
    if not isinstance(raw_themes, Mapping) or not raw_themes:
        raise fail("'themes' must be a mapping of theme names to their terms", "themes")
    themes = []
    for name, spec in raw_themes.items():
        where = ("themes", str(name))
        if not isinstance(name, str) or not _THEME_NAME.fullmatch(name):
            raise fail(f"invalid theme name {name!r}: use lower-case letters, digits and _ (it becomes the "
                       f"column theme_<name>)", *where)
        if not isinstance(spec, Mapping):
            raise fail(f"theme {name!r} must be a mapping with 'terms' and 'examples'", *where)
        for key in spec:
            if key not in _THEME_KEYS:
                raise fail(f"unknown key {key!r} in theme {name!r}; valid keys: {', '.join(_THEME_KEYS)}",
                           *where, key)
        patterns = {}
        for field in ("terms", "exclude"):
            items = spec.get(field)
            if items is None:
                items = []
            if not isinstance(items, list):
                raise fail(f"{field!r} of theme {name!r} must be a list of patterns", *where, field)
            for index, item in enumerate(items):
                try:
                    _pattern_words(item)
                except ValueError as exc:
                    raise fail(f"theme {name!r}: {exc}", *where, field, index) from None
            patterns[field] = tuple(str(item) for item in items)
        if not patterns["terms"]:
            raise fail(f"theme {name!r} has no terms", *where, "terms")
        examples = spec.get("examples")
        if not isinstance(examples, Mapping):
            raise fail(f"theme {name!r} needs 'examples' with 'match' (and 'no_match') sentences", *where)
        for key in examples:
            if key not in _EXAMPLE_KEYS:
                raise fail(f"unknown key {key!r} in examples of theme {name!r}; valid keys: "
                           f"{', '.join(_EXAMPLE_KEYS)}", *where, "examples", key)
        sentences = {}
        for kind in _EXAMPLE_KEYS:
            items = examples.get(kind) or []
            if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
                raise fail(f"examples.{kind} of theme {name!r} must be a list of sentences", *where, "examples",
                           kind)
            sentences[kind] = tuple(items)
        if not sentences["match"]:
            raise fail(f"theme {name!r} needs at least one examples.match sentence", *where, "examples")
        description = spec.get("description") or ""
        themes.append(Theme(name=name, terms=patterns["terms"], exclude=patterns["exclude"],
                            match=sentences["match"], no_match=sentences["no_match"],
                            description=" ".join(str(description).split())))
    lexicon = Lexicon(version=str(version).strip(), themes=tuple(themes), source="" if path is None else str(path))
    if check_examples:
        for row in check_lexicon(lexicon, coverage=False).itertuples():
            raise fail(f"theme {row.theme!r}: {row.problem}: {row.item!r}", "themes", row.theme, "examples",
                       row.kind, row.index)
    return lexicon


def load_lexicon(path: str | Path | None = None, *, check_examples: bool = True) -> Lexicon:
    """Read and validate a theme lexicon YAML file (default: ``config/themes.yml``).

    The result is cached until the file changes (a :class:`Lexicon` is immutable).

    Raises
    ------
    ConfigError
        For a missing file, a YAML syntax error, unknown keys, a theme without terms, an invalid pattern or an
        example that does not behave as stated: one line naming the file, the line and the reason.
    """
    path = Path(paths.THEMES_FILE if path is None else path)
    try:
        stat = path.stat()
    except OSError:
        raise ConfigError("file not found", path=path) from None
    return _load_lexicon_cached(str(path), stat.st_mtime_ns, stat.st_size, check_examples)


@functools.lru_cache(maxsize=16)
def _load_lexicon_cached(path: str, mtime_ns: int, size: int, check_examples: bool) -> Lexicon:
    data = read_yaml(path)
    lexicon = parse_lexicon(data, path=path, lines=yaml_key_lines(path), check_examples=check_examples)
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return dataclasses.replace(lexicon, sha256=digest)


def _resolve_lexicon(lexicon: Lexicon | str | Path | None) -> Lexicon:
    if isinstance(lexicon, Lexicon):
        return lexicon
    if lexicon is None or isinstance(lexicon, (str, Path)):
        return load_lexicon(lexicon)
    raise TypeError(f"lexicon must be a Lexicon, a path or None, got {type(lexicon).__name__}")


# --------------------------------------------------------------------------------------------------
# Matching: the analyzer that merges lexicon phrases, and the term → theme map
# --------------------------------------------------------------------------------------------------


#: The project tokeniser's pattern compiled with the standard library (the same tokens as
#: :func:`analysis.text.tokenize`, which goes through NLTK's slower ``regex`` wrapper; checked by a test).
_TOKENS = find_tokens


class _Matcher:
    """A compiled lexicon.

    ``analyze(text)`` returns the terms of a text: content words (as :func:`analysis.text.content_tokens`
    keeps them) with every lexicon phrase (term or exclusion) merged into one space-joined term, longest match
    first. ``feature_themes(terms)`` says which themes each term belongs to. Word matching is cached per token
    type, so the cost per token is a dictionary lookup.
    """

    def __init__(self, lexicon: Lexicon, stopwords: frozenset[str] | None = None):
        self.themes = lexicon.names
        self.stopwords = load_stopwords() if stopwords is None else stopwords
        words: dict[str, int] = {}
        entries = []  # (theme index, is_exclusion, word ids)
        for t, theme in enumerate(lexicon.themes):
            for excluded, patterns in ((False, theme.terms), (True, theme.exclude)):
                for pattern in patterns:
                    ids = tuple(words.setdefault(word, len(words)) for word in _pattern_words(pattern))
                    entries.append((t, excluded, ids))
        n_themes = len(self.themes)
        self.single_terms = [set() for _ in range(n_themes)]
        self.single_excluded = [set() for _ in range(n_themes)]
        phrases: dict[tuple[int, ...], list[set]] = {}
        for t, excluded, ids in entries:
            if len(ids) == 1:
                (self.single_excluded if excluded else self.single_terms)[t].add(ids[0])
            else:
                phrases.setdefault(ids, [set(), set()])[int(excluded)].add(t)
        self.phrases = sorted(phrases, key=lambda ids: (-len(ids), ids))
        self._phrases_by_head: dict[int, list[int]] = {}
        for p, ids in enumerate(self.phrases):  # sorted longest first, so the first match is the longest
            self._phrases_by_head.setdefault(ids[0], []).append(p)
        self.phrase_themes = [phrases[ids][0] for ids in self.phrases]
        self.phrase_excluded = [phrases[ids][1] for ids in self.phrases]
        self.single_ids = set().union(*self.single_terms) if self.single_terms else set()
        # Literal words are a dictionary lookup, "prefix*" words a str.startswith, the rest regexes.
        self._literal: dict[str, list[int]] = {}
        self._prefix: list[tuple[str, int]] = []
        self._general: list[tuple[re.Pattern, int]] = []
        for word, word_id in words.items():
            if "*" not in word:
                self._literal.setdefault(word, []).append(word_id)
            elif word.endswith("*") and word.count("*") == 1:
                self._prefix.append((word[:-1], word_id))
            else:
                self._general.append((re.compile(_word_regex(word)), word_id))
        self._prefixes = tuple(prefix for prefix, _ in self._prefix)
        self._any_general = re.compile("|".join(f"(?:{r.pattern})" for r, _ in self._general)) \
            if self._general else None
        self._reset_caches()

    def _reset_caches(self) -> None:
        # Per token type (as written in the text): its term, and (norm, word ids, phrase heads) for phrases.
        self._features = _LearningDict(self._learn)
        self._info: dict[str, tuple] = {}
        self._heads: set[str] = set()
        self._word_cache: dict[str, frozenset[int]] = {}
        self._term_themes: dict[str, frozenset[int]] = {}
        # For count_token_lists: term → id, and token type → (id of its term + 1) * 2 + (1 if a phrase head).
        self._term_ids = _LearningDict(lambda term: len(self._term_ids))
        self._codes = _LearningDict(self._code)

    def __getstate__(self):
        state = self.__dict__.copy()
        for name in ("_features", "_info", "_heads", "_word_cache", "_term_themes", "_term_ids", "_codes"):
            del state[name]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._reset_caches()

    def word_ids(self, norm: str) -> frozenset[int]:
        """Ids of the pattern words that match one normalised token."""
        ids = self._word_cache.get(norm)
        if ids is None:
            found = list(self._literal.get(norm, ()))
            if self._prefixes and norm.startswith(self._prefixes):
                found.extend(word_id for prefix, word_id in self._prefix if norm.startswith(prefix))
            if self._any_general is not None and self._any_general.fullmatch(norm):
                found.extend(word_id for regex, word_id in self._general if regex.fullmatch(norm))
            ids = self._word_cache[norm] = frozenset(found)
        return ids

    def _learn(self, raw: str) -> str | None:
        """Classify a token type seen for the first time; returns its term (``None``: not counted)."""
        norm = normalize_token(raw)
        ids = self.word_ids(norm)
        feature = content_tokens([raw], self.stopwords)[0]
        if feature is None and ids & self.single_ids:
            feature = norm  # a lexicon word that the stopword list would drop still counts
        heads = tuple(sorted(p for word_id in ids for p in self._phrases_by_head.get(word_id, ())))
        if heads:
            self._heads.add(raw)
        self._info[raw] = (norm, ids, heads)
        return feature

    def analyze(self, text: str) -> list[str]:
        """Terms of one text (see the class docstring)."""
        return self.analyze_tokens(_TOKENS(text))

    def analyze_tokens(self, tokens: list[str]) -> list[str]:
        """Terms of one text given as its tokens (:func:`analysis.text.find_tokens`)."""
        features = list(map(self._features.__getitem__, tokens))  # unseen types go through _learn
        if self._heads.isdisjoint(tokens):  # the common case: no phrase can start here
            return list(filter(None, features))
        info, phrases, heads = self._info, self.phrases, self._heads
        n = len(tokens)
        terms: list[str] = []
        done = 0  # tokens before this index are in the output already
        for i in [i for i, token in enumerate(tokens) if token in heads]:
            if i < done:
                continue  # inside a phrase matched already
            for p in info[tokens[i]][2]:
                words = phrases[p]
                size = len(words)
                if i + size <= n and all(words[k] in info[tokens[i + k]][1] for k in range(1, size)):
                    terms.extend(filter(None, features[done:i]))
                    terms.append(" ".join(info[tokens[i + k]][0] for k in range(size)))
                    done = i + size
                    break
        terms.extend(filter(None, features[done:]))
        return terms

    def _code(self, raw: str) -> int:
        feature = self._features[raw]
        term_id = -1 if feature is None else self._term_ids[feature]
        return (term_id + 1) * 2 + (raw in self._heads)

    def count_token_lists(self, token_lists: Sequence[list[str]]) -> tuple[sp.csr_matrix, np.ndarray]:
        """``count_analyzed(token_lists, self.analyze_tokens)``, computed over all texts at once.

        The term of every token comes from one dictionary lookup over the tokens of all texts together; only
        the tokens that can start a phrase are looked at one by one (the phrase logic of
        :meth:`analyze_tokens`, a phrase never running past the end of its text).
        """
        lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
        flat = [token for tokens in token_lists for token in tokens]
        codes = np.fromiter(map(self._codes.__getitem__, flat), dtype=np.int64, count=len(flat))
        ids = (codes >> 1) - 1
        text_of = np.repeat(np.arange(len(token_lists), dtype=np.int64), lengths)
        ends = np.cumsum(lengths)
        keep = ids >= 0
        extra_rows: list[int] = []
        extra_ids: list[int] = []
        heads = np.flatnonzero(codes & 1)
        if len(heads):
            info, phrases, term_ids = self._info, self.phrases, self._term_ids
            done = 0  # tokens before this index are counted already (or inside a phrase)
            for i in heads.tolist():
                if i < done:
                    continue
                end = int(ends[text_of[i]])
                for p in info[flat[i]][2]:
                    words = phrases[p]
                    size = len(words)
                    if i + size <= end and all(words[k] in info[flat[i + k]][1] for k in range(1, size)):
                        keep[i:i + size] = False
                        extra_rows.append(int(text_of[i]))
                        extra_ids.append(term_ids[" ".join(info[flat[i + k]][0] for k in range(size))])
                        done = i + size
                        break
        rows = np.concatenate([text_of[keep], np.asarray(extra_rows, dtype=np.int64)])
        columns = np.concatenate([ids[keep], np.asarray(extra_ids, dtype=np.int64)])
        used, columns = np.unique(columns, return_inverse=True)
        terms = np.array(list(self._term_ids), dtype=object)[used] if len(used) else np.array([], dtype=object)
        if not len(terms):
            return sp.csr_matrix((len(token_lists), 0), dtype=np.int64), terms
        order = np.argsort(terms, kind="stable")
        position = np.empty(len(order), dtype=np.int64)
        position[order] = np.arange(len(order), dtype=np.int64)
        matrix = sp.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, position[columns.ravel()])),
                               shape=(len(token_lists), len(terms)), dtype=np.int64)
        matrix.sum_duplicates()
        return matrix, terms[order]

    def term_themes(self, term: str) -> set[int]:
        """Indices of the themes a term (a token or space-joined words) belongs to.

        A term of several words (a lexicon phrase, or an n-gram of :class:`analysis.terms.TermAnalyzer` that
        may hold one, such as ``transnational organized crime``) has the themes of its words and of every
        lexicon phrase inside it, minus those of the exclusions inside it. Cached per term.
        """
        found = self._term_themes.get(term)
        if found is None:
            found = self._term_themes[term] = frozenset(self._find_term_themes(term))
        return set(found)

    def _find_term_themes(self, term: str) -> set[int]:
        words = term.split(" ")
        ids = [self.word_ids(word) for word in words]
        themes, excluded = set(), set()
        for t in range(len(self.themes)):
            for word_ids in ids:
                if word_ids & self.single_terms[t]:
                    themes.add(t)
                if word_ids & self.single_excluded[t]:
                    excluded.add(t)
        n = len(words)
        if n > 1:
            for p, phrase in enumerate(self.phrases):
                size = len(phrase)
                if size <= n and any(all(w in word_ids for w, word_ids in zip(phrase, ids[start:start + size]))
                                     for start in range(n - size + 1)):
                    themes |= self.phrase_themes[p]
                    excluded |= self.phrase_excluded[p]
        return themes - excluded

    def feature_themes(self, terms: Iterable[str]) -> sp.csr_matrix:
        """Binary ``(n_terms, n_themes)`` matrix: 1 where a term belongs to a theme."""
        rows, cols = [], []
        terms = list(terms)
        cache = self._term_themes
        for row, term in enumerate(terms):
            found = cache.get(term)
            if found is None:
                self.term_themes(term)
                found = cache[term]
            for t in found:
                rows.append(row)
                cols.append(t)
        data = np.ones(len(rows), dtype=np.float64)
        return sp.csr_matrix((data, (rows, cols)), shape=(len(terms), len(self.themes)))


@functools.lru_cache(maxsize=8)
def _matcher_for(lexicon: Lexicon) -> _Matcher:
    """One compiled matcher per lexicon, so that its token caches serve every call."""
    return _Matcher(lexicon)


def _check_texts(texts, what: str) -> list[str]:
    if isinstance(texts, (str, bytes)):
        raise TypeError(f"{what} expects a sequence of texts, not a single {type(texts).__name__}; "
                        "wrap it in a list")
    texts = list(texts)
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"{what}: text {index} is {type(text).__name__}, not str")
    return texts


def _count(matcher: _Matcher, texts: Sequence[str]) -> tuple[sp.csr_matrix, np.ndarray]:
    """Term counts of ``texts`` (rows) with the matcher's analyzer, and the sorted vocabulary.

    The counts of ``CountVectorizer(analyzer=matcher.analyze)``, from :meth:`_Matcher.count_token_lists`
    (several times faster, and with each row's terms in sorted order, so TF-IDF sums over a row do not depend
    on which sentence of the corpus a term was first seen in).
    """
    return matcher.count_token_lists(list(map(_TOKENS, texts)))


def label_themes(texts: Sequence[str] | pd.Series, *, lexicon: Lexicon | str | Path | None = None) -> list[str]:
    """Theme labels of each text by the lexicon alone: every theme with at least one term, ``;``-joined, sorted.

    This is what :class:`ThemeScorer` predicts with ``min_share=0`` (any share above zero); it needs no fitting.

    >>> lex = parse_lexicon({"version": 1, "themes": {
    ...     "crime": {"terms": ["organized crime"], "examples": {"match": ["organized crime"]}},
    ...     "peace": {"terms": ["peace*"], "examples": {"match": ["peace"]}}}})
    >>> label_themes(["Organized crime threatens peace.", "Hello."], lexicon=lex)
    ['crime;peace', '']
    """
    texts = _check_texts(texts, "label_themes")
    lexicon = _resolve_lexicon(lexicon)
    matcher = _matcher_for(lexicon)
    counts, terms = _count(matcher, texts)
    hits = (counts @ matcher.feature_themes(terms)) > 0 if terms.size else np.zeros((len(texts), len(lexicon.names)))
    return join_labels(np.asarray(hits.todense() if sp.issparse(hits) else hits), lexicon.names)


def join_labels(indicator: np.ndarray, themes: Sequence[str]) -> list[str]:
    """``;``-joined, sorted theme names of each row of a boolean ``(n, n_themes)`` indicator.

    >>> join_labels(np.array([[True, False, True], [False, False, False]]), ("b", "c", "a"))
    ['a;b', '']
    """
    indicator = np.asarray(indicator, dtype=bool).reshape(-1, len(themes))
    if len(themes) > 20:
        return [";".join(sorted(t for t, on in zip(themes, row) if on)) for row in indicator.tolist()]
    # Each row's set of themes as a bit code; one string per code that occurs.
    codes = indicator.astype(np.int64) @ (1 << np.arange(len(themes), dtype=np.int64))
    strings = {code: ";".join(sorted(t for i, t in enumerate(themes) if code >> i & 1))
               for code in np.unique(codes).tolist()}
    return [strings[code] for code in codes.tolist()]


def check_lexicon(lexicon: Lexicon, *, coverage: bool = True) -> pd.DataFrame:
    """Every way a lexicon's examples disagree with its patterns, one row each (empty when all is well).

    Columns ``theme, kind, index, item, problem``. Problems: a ``match`` example without its theme, a
    ``no_match`` example with it, and (``coverage=True``) a term or exclusion that no example of its theme
    exercises: a term must match a ``match`` sentence, an exclusion must change a ``no_match`` sentence
    (take it away, and the sentence would carry the theme).
    """
    matcher = _matcher_for(lexicon)
    rows = []
    examples = [(t, kind, index, text) for t, theme in enumerate(lexicon.themes)
                for kind in _EXAMPLE_KEYS for index, text in enumerate(getattr(theme, kind))]
    counts, terms = _count(matcher, [text for *_, text in examples])
    hits = (counts @ matcher.feature_themes(terms)).toarray() > 0 if terms.size else \
        np.zeros((len(examples), len(lexicon.names)), dtype=bool)
    for (t, kind, index, text), row in zip(examples, hits):
        if kind == "match" and not row[t]:
            rows.append((lexicon.themes[t].name, kind, index, text, "match example does not match"))
        if kind == "no_match" and row[t]:
            rows.append((lexicon.themes[t].name, kind, index, text, "no_match example matches"))
    if coverage:
        for t, theme in enumerate(lexicon.themes):
            match_text = [text for tt, kind, _, text in examples if tt == t and kind == "match"]
            no_match_text = [text for tt, kind, _, text in examples if tt == t and kind == "no_match"]
            for index, term in enumerate(theme.terms):
                single = parse_lexicon({"version": 0, "themes": {"x": {
                    "terms": [term], "examples": {"match": ["-"]}}}}, check_examples=False)
                if not any(label_themes(match_text, lexicon=single)):
                    rows.append((theme.name, "terms", index, term, "term matches no match example"))
            for index, pattern in enumerate(theme.exclude):
                others = tuple(p for p in theme.exclude if p != pattern)
                reduced = dataclasses.replace(lexicon, themes=tuple(
                    dataclasses.replace(th, exclude=others) if th.name == theme.name else th
                    for th in lexicon.themes))
                with_exclusion = label_themes(no_match_text, lexicon=lexicon)
                without = label_themes(no_match_text, lexicon=reduced)
                if with_exclusion == without:
                    rows.append((theme.name, "exclude", index, pattern, "exclusion changes no no_match example"))
    return pd.DataFrame(rows, columns=["theme", "kind", "index", "item", "problem"])


# --------------------------------------------------------------------------------------------------
# The estimator
# --------------------------------------------------------------------------------------------------


class ThemeScorer(TransformerMixin, BaseEstimator):
    """TF-IDF theme scores: the share of a text's TF-IDF mass carried by each theme's terms.

    Terms are the project tokeniser's content words with the lexicon's phrases merged into one term (longest
    match first), so an overlapping phrase is counted once: in "organized crime" the theme term is
    ``organized crime`` and ``crime`` is not counted again. With ``X`` the un-normalised TF-IDF row of a text
    (count × idf, idf learned by :meth:`fit`) and ``T`` the term → theme indicator::

        score[theme] = (X @ T)[theme] / ||X||     (||.|| the l1 or l2 norm of X)

    With ``norm="l1"`` a score is the share of the text's TF-IDF mass (0 to 1), comparable between texts of
    any length, and the scores of a text sum to at most 1 (more only if one term belongs to two themes).

    Parameters
    ----------
    lexicon : Lexicon, str, Path or None
        The theme lexicon, or the path of a YAML file; ``None`` is ``config/themes.yml``.
    norm : {"l1", "l2"}
        Denominator of the score (see above).
    smooth_idf : bool
        As in :class:`~sklearn.feature_extraction.text.TfidfVectorizer`.
    min_share : float or mapping of theme → float
        :meth:`predict` labels a theme when its score is strictly above this (0: any term of the theme).

    Attributes
    ----------
    lexicon_ : Lexicon
    vectorizer_ : TfidfVectorizer
        Fitted, ``norm=None``; its analyzer merges the lexicon's phrases.
    theme_matrix_ : scipy.sparse.csr_matrix of shape (n_terms, n_themes)
        1 where a vocabulary term belongs to a theme.
    unseen_idf_ : float
        The idf given to a term :meth:`fit` did not see (that of a term in no fitted document).
    themes_ : tuple of str

    Examples
    --------
    >>> scorer = ThemeScorer().fit(["We condemn terrorism.", "Cooperation between States is vital."])
    >>> scorer.themes_
    ('terrorism', 'trafficking', 'cooperation')
    >>> scorer.label(["Terrorism and drug trafficking are linked."])
    ['terrorism;trafficking']
    """

    def __init__(self, lexicon: Lexicon | str | Path | None = None, *, norm: Literal["l1", "l2"] = "l1",
                 smooth_idf: bool = True, min_share: float | Mapping[str, float] = 0.0):
        self.lexicon = lexicon
        self.norm = norm
        self.smooth_idf = smooth_idf
        self.min_share = min_share

    def fit(self, X, y=None, *, groups: Sequence | None = None):
        """Learn the vocabulary and the idf.

        Parameters
        ----------
        X : sequence of str
            Texts.
        y : ignored
        groups : sequence, optional
            The document of each text. The idf then counts a term once per group, so sentences can be passed
            and the idf is still over documents (same vocabulary and idf as fitting on the joined documents).
        """
        self._fit_tfidf(X, groups)
        return self

    def _fit_tfidf(self, X, groups) -> sp.csr_matrix:
        """Fit, and return the un-normalised TF-IDF of ``X`` (one tokenising pass)."""
        texts = _check_texts(X, "ThemeScorer.fit")
        if self.norm not in ("l1", "l2"):
            raise ValueError(f"norm must be 'l1' or 'l2', got {self.norm!r}")
        lexicon = _resolve_lexicon(self.lexicon)
        thresholds = self._thresholds(lexicon.names)
        matcher = _matcher_for(lexicon)
        counts, terms = _count(matcher, texts)
        if not terms.size:
            raise ValueError("no terms in the texts given to fit (empty or only stopwords); fit on speeches")
        if groups is None:
            group_counts = counts
        else:
            groups = list(groups)
            if len(groups) != len(texts):
                raise ValueError(f"groups has {len(groups)} entries for {len(texts)} texts")
            group_counts = _group_sum(counts, groups)[1]
        vocabulary = {term: index for index, term in enumerate(terms)}
        vectorizer = TfidfVectorizer(analyzer=matcher.analyze, vocabulary=vocabulary, norm=None,
                                     smooth_idf=self.smooth_idf)
        vectorizer.idf_ = TfidfTransformer(norm=None, smooth_idf=self.smooth_idf).fit(group_counts).idf_
        self.lexicon_ = lexicon
        self.matcher_ = matcher
        self.vectorizer_ = vectorizer
        self.theme_matrix_ = matcher.feature_themes(terms)
        n_groups = group_counts.shape[0]
        self.unseen_idf_ = float(np.log((1 + n_groups) / 1) + 1 if self.smooth_idf else np.log(n_groups) + 1)
        self.themes_ = lexicon.names
        self.thresholds_ = thresholds
        return (counts @ sp.diags(vectorizer.idf_)).tocsr()

    def _thresholds(self, names: Sequence[str]) -> np.ndarray:
        if isinstance(self.min_share, Mapping):
            unknown = sorted(set(self.min_share) - set(names))
            if unknown:
                raise ValueError(f"min_share names unknown themes {unknown}; themes: {', '.join(names)}")
            return np.array([float(self.min_share.get(name, 0.0)) for name in names])
        return np.full(len(names), float(self.min_share))

    def weigh(self, X) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Un-normalised TF-IDF rows (count × idf) of ``X``, and the term → theme matrix of their columns.

        The columns are the terms of ``X`` (sorted). Unlike ``TfidfVectorizer.transform``, a term that
        :meth:`fit` never saw is not dropped: it gets the idf of a term in none of the fitted documents, so a
        theme term in a new text always counts. Rows can be summed into paragraphs or documents.
        """
        check_is_fitted(self, "vectorizer_")
        counts, terms = _count(self.matcher_, _check_texts(X, "ThemeScorer.weigh"))
        vocabulary = self.vectorizer_.vocabulary_
        known = np.array([vocabulary.get(term, -1) for term in terms], dtype=np.int64)
        seen = known >= 0
        idf = np.full(len(terms), self.unseen_idf_)
        idf[seen] = self.vectorizer_.idf_[known[seen]]
        theme_matrix = sp.lil_matrix((len(terms), len(self.themes_)))
        if seen.any():
            theme_matrix[np.flatnonzero(seen)] = self.theme_matrix_[known[seen]]
        if (~seen).any():
            theme_matrix[np.flatnonzero(~seen)] = self.matcher_.feature_themes(terms[~seen])
        return (counts @ sp.diags(idf)).tocsr(), theme_matrix.tocsr()

    def shares(self, tfidf: sp.spmatrix, theme_matrix: sp.spmatrix | None = None) -> np.ndarray:
        """Theme scores of un-normalised TF-IDF rows (see the class docstring); columns as :meth:`weigh` gives."""
        check_is_fitted(self, "theme_matrix_")
        return _theme_shares(tfidf, self.theme_matrix_ if theme_matrix is None else theme_matrix, self.norm)

    def transform(self, X) -> np.ndarray:
        """Theme scores, shape ``(n_texts, n_themes)``, columns in :attr:`themes_` order."""
        return self.shares(*self.weigh(X))

    def predict(self, X) -> np.ndarray:
        """Boolean theme labels ``(n_texts, n_themes)``: score above ``min_share``."""
        return self.transform(X) > self.thresholds_

    def label(self, X) -> list[str]:
        """``;``-joined, sorted theme labels of each text (empty when none)."""
        return join_labels(self.predict(X), self.themes_)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "themes_")
        return np.array([f"theme_{name}" for name in self.themes_], dtype=object)


def _theme_shares(tfidf: sp.spmatrix, theme_matrix: sp.spmatrix, norm: str) -> np.ndarray:
    tfidf = sp.csr_matrix(tfidf)
    mass = np.asarray((tfidf @ theme_matrix).todense(), dtype=np.float64)
    if norm == "l1":
        total = np.asarray(tfidf.sum(axis=1), dtype=np.float64).ravel()
    else:
        total = np.sqrt(np.asarray(tfidf.multiply(tfidf).sum(axis=1), dtype=np.float64).ravel())
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(total[:, None] > 0, mass / total[:, None], 0.0)
    return shares


def _group_sum(matrix: sp.spmatrix, groups: Sequence) -> tuple[np.ndarray, sp.csr_matrix]:
    """Sum the rows of ``matrix`` by group; groups in order of first appearance."""
    codes, uniques = pd.factorize(pd.Series(list(groups), dtype=object), sort=False)
    indicator = sp.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))),
                              shape=(len(uniques), len(codes)))
    return np.asarray(uniques, dtype=object), (indicator @ matrix).tocsr()


def _dominant(shares: np.ndarray, themes: Sequence[str]) -> list[str]:
    """The theme with the highest score (first in lexicon order on ties), empty when every score is 0."""
    if shares.shape[1] == 0:
        return [""] * shares.shape[0]
    best = shares.argmax(axis=1)
    top = shares[np.arange(len(best)), best]
    return [themes[b] if value > 0 else "" for b, value in zip(best.tolist(), top.tolist())]


#: A speech's dominant theme is carried by at least this share of its sentences ...
DOMINANT_MIN_SHARE = 0.25
#: ... and by at least this many times the share of the next theme; else it is ``"mixed"``.
DOMINANT_LEAD = 1.5


def dominant_themes(carrying: np.ndarray, n_sentences: np.ndarray, themes: Sequence[str], *,
                    min_share: float = DOMINANT_MIN_SHARE, lead: float = DOMINANT_LEAD) -> list[str]:
    """The dominant theme of each text, from how many of its sentences carry each theme.

    A theme dominates when it is carried by at least ``min_share`` of the text's sentences and by at least
    ``lead`` times as many as any other theme. When a theme reaches ``min_share`` but none leads by that much,
    the text is ``"mixed"``; when none reaches it, ``""`` (no dominant theme). Readers see a share of sentences,
    which means the same in a short speech and a long one, unlike a TF-IDF score.

    Parameters
    ----------
    carrying : ndarray of shape (n_texts, n_themes)
        Sentences of each text that carry each theme.
    n_sentences : ndarray of shape (n_texts,)
        Sentences of each text.

    >>> dominant_themes(np.array([[6, 1], [3, 3], [1, 0], [0, 0]]), np.array([10, 10, 10, 0]), ["a", "b"])
    ['a', 'mixed', '', '']
    """
    carrying = np.asarray(carrying, dtype=np.float64).reshape(len(n_sentences), len(themes))
    n = np.asarray(n_sentences, dtype=np.float64)
    if carrying.shape[1] == 0:
        return [""] * len(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(n[:, None] > 0, carrying / np.maximum(n[:, None], 1.0), 0.0)
    best = shares.argmax(axis=1)
    top = shares[np.arange(len(best)), best]
    ordered = np.sort(shares, axis=1)
    second = ordered[:, -2] if shares.shape[1] > 1 else np.zeros(len(n))
    return ["" if value < min_share or value <= 0 else themes[b] if value >= lead * other else "mixed"
            for b, value, other in zip(best.tolist(), top.tolist(), second.tolist())]


def _score_frame(keys: pd.DataFrame, shares: np.ndarray, themes: Sequence[str], *,
                 carrying: np.ndarray | None = None, n_sentences: np.ndarray | None = None) -> pd.DataFrame:
    """``keys`` with a ``theme_<name>`` score per theme and, when the sentence counts are given,
    ``dominant_theme`` (:func:`dominant_themes`)."""
    frame = keys.reset_index(drop=True).copy()
    for index, name in enumerate(themes):
        frame[f"theme_{name}"] = shares[:, index] if len(frame) else np.array([], dtype=np.float64)
    if carrying is not None:
        frame["dominant_theme"] = dominant_themes(carrying, n_sentences, themes)
    return frame


@dataclasses.dataclass
class _Weighted:
    """Sentences with their un-normalised TF-IDF rows and what is needed to turn rows into scores."""

    sentences: pd.DataFrame
    tfidf: sp.csr_matrix
    theme_matrix: sp.csr_matrix
    themes: tuple[str, ...]
    thresholds: np.ndarray
    norm: str

    def shares(self, rows: sp.spmatrix | None = None) -> np.ndarray:
        return _theme_shares(self.tfidf if rows is None else rows, self.theme_matrix, self.norm)

    def carried(self) -> np.ndarray:
        """0/1 per sentence and theme: the sentence carries the theme."""
        return (self.shares() > self.thresholds).astype(np.int64)

    def sentence_counts(self, groups: Sequence) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per group (in order of first appearance): the group, its sentences carrying each theme, and its
        number of sentences."""
        uniques, summed = _group_sum(sp.csr_matrix(np.hstack([self.carried(), np.ones((len(self.sentences), 1),
                                                                                       dtype=np.int64)])), groups)
        dense = summed.toarray()
        return uniques, dense[:, :-1], dense[:, -1]


def _weigh_sentences(documents: pd.DataFrame, sentences: pd.DataFrame | None, scorer: ThemeScorer | None,
                     lexicon) -> _Weighted:
    """Sentences of the documents and their TF-IDF: with a fitted scorer's idf, or fitting one (idf over
    documents) in the same tokenising pass."""
    from .corpus import segment_sentences

    if sentences is None:
        sentences = segment_sentences(documents)
    sentences = sentences.reset_index(drop=True)
    texts = sentences["text"].astype(str).tolist()
    scorer = ThemeScorer(lexicon) if scorer is None else scorer
    if hasattr(scorer, "vectorizer_"):
        tfidf, theme_matrix = scorer.weigh(texts)
        return _Weighted(sentences, tfidf, theme_matrix, scorer.themes_, scorer.thresholds_, scorer.norm)
    try:
        tfidf = scorer._fit_tfidf(texts, sentences["doc_id"].tolist())
    except ValueError as exc:
        if "no terms" not in str(exc):
            raise
        names = _resolve_lexicon(scorer.lexicon).names  # nothing to score: every score is 0
        return _Weighted(sentences, sp.csr_matrix((len(texts), 0)), sp.csr_matrix((0, len(names))), names,
                         scorer._thresholds(names), scorer.norm)
    return _Weighted(sentences, tfidf, scorer.theme_matrix_, scorer.themes_, scorer.thresholds_, scorer.norm)


def score_themes(
    documents: pd.DataFrame,
    *,
    level: Literal["document", "paragraph", "sentence"] = "document",
    lexicon: Lexicon | str | Path | None = None,
    scorer: ThemeScorer | None = None,
    sentences: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Theme scores of every document, paragraph or sentence.

    The idf is over documents; paragraphs and documents sum the un-normalised TF-IDF of their sentences, then
    normalise (see :class:`ThemeScorer`), so every level uses the same terms and weights.

    Parameters
    ----------
    documents : DataFrame
        ``doc_id`` and cleaned ``text`` (as :func:`analysis.corpus.read_corpus` gives).
    level : {"document", "paragraph", "sentence"}
        The unit of the rows.
    lexicon : Lexicon, str, Path or None
        Used when ``scorer`` is not given (default ``config/themes.yml``).
    scorer : ThemeScorer, optional
        Fitted: its idf is used (e.g. learned on a larger reference corpus); unfitted: fitted here.
    sentences : DataFrame, optional
        :func:`analysis.corpus.segment_sentences` of ``documents`` when already computed.

    Returns
    -------
    DataFrame
        Key columns (``doc_id``; ``paragraph_id``; or ``sentence_id, paragraph_id, start, end``), one
        ``theme_<name>`` column per theme, ``dominant_theme`` and, for sentences, ``themes`` (the labels).
    """
    if level not in ("document", "paragraph", "sentence"):
        raise ValueError(f"level must be 'document', 'paragraph' or 'sentence', got {level!r}")
    weighted = _weigh_sentences(documents, sentences, scorer, lexicon)
    sentences, themes = weighted.sentences, weighted.themes
    if level == "sentence":
        keys = [c for c in ("doc_id", "sentence_id", "paragraph_id", "start", "end") if c in sentences.columns]
        carried = weighted.carried()
        frame = _score_frame(sentences[keys], weighted.shares(), themes, carrying=carried,
                             n_sentences=np.ones(len(carried), dtype=np.int64))
        frame["themes"] = join_labels(carried > 0, themes)
        return frame
    if level == "paragraph":
        if "paragraph_id" not in sentences.columns:
            raise ValueError("sentences need a 'paragraph_id' column for level='paragraph'")
        groups = list(zip(sentences["doc_id"], sentences["paragraph_id"]))
        uniques, summed = _group_sum(weighted.tfidf, groups)
        _, carrying, n_sentences = weighted.sentence_counts(groups)
        keys = pd.DataFrame({"doc_id": pd.Series([key[0] for key in uniques], dtype=object),
                             "paragraph_id": pd.Series([key[1] for key in uniques], dtype="int64")})
        return _score_frame(keys, weighted.shares(summed), themes, carrying=carrying, n_sentences=n_sentences)
    return _document_frame(documents, weighted)


def _document_frame(documents: pd.DataFrame, weighted: _Weighted) -> pd.DataFrame:
    groups = weighted.sentences["doc_id"].tolist()
    uniques, summed = _group_sum(weighted.tfidf, groups)
    _, found_carrying, found_n = weighted.sentence_counts(groups)
    row_of = {doc_id: index for index, doc_id in enumerate(uniques)}
    rows = np.array([row_of.get(doc_id, -1) for doc_id in documents["doc_id"]], dtype=np.int64)
    found = weighted.shares(summed)
    shares = np.zeros((len(rows), len(weighted.themes)))
    carrying = np.zeros((len(rows), len(weighted.themes)), dtype=np.int64)
    n_sentences = np.zeros(len(rows), dtype=np.int64)
    at = rows >= 0  # a document without sentences scores 0
    shares[at], carrying[at], n_sentences[at] = found[rows[at]], found_carrying[rows[at]], found_n[rows[at]]
    keys = pd.DataFrame({"doc_id": pd.Series(documents["doc_id"].tolist(), dtype=object)})
    return _score_frame(keys, shares, weighted.themes, carrying=carrying, n_sentences=n_sentences)


def score_corpus(
    documents: pd.DataFrame,
    sentences: pd.DataFrame,
    *,
    lexicon: Lexicon | str | Path | None = None,
    scorer: ThemeScorer | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Document scores and sentence labels from one tokenising pass (what ``run`` writes).

    Returns
    -------
    (DataFrame, DataFrame)
        ``doc_id, theme_<name>..., dominant_theme`` per document (in ``documents`` order), and per sentence
        (in ``sentences`` order) ``theme_<name>..., dominant_theme, themes``.
    """
    weighted = _weigh_sentences(documents, sentences, scorer, lexicon)
    carried = weighted.carried()
    sentence_frame = _score_frame(pd.DataFrame(index=range(len(carried))), weighted.shares(), weighted.themes,
                                  carrying=carried, n_sentences=np.ones(len(carried), dtype=np.int64))
    sentence_frame["themes"] = join_labels(carried > 0, weighted.themes)
    return _document_frame(documents, weighted), sentence_frame


# --------------------------------------------------------------------------------------------------
# The same scores in chunks: the pipeline's map, reduce and finish
# --------------------------------------------------------------------------------------------------
# score_corpus needs the idf over the whole corpus before any sentence can be scored. Split in three so that
# chunks of speeches can be counted anywhere: count (map, per chunk: count_theme_terms), add up document
# frequencies (reduce: ThemeFrequencies) and score (per chunk again: ThemeFrequencies.score). A chunk's
# vocabulary is a sorted subset of the corpus vocabulary, so every row sum runs over the same terms in the same
# order as in one pass over the corpus: the scores are identical to score_corpus's, bit for bit (a test checks).


@dataclasses.dataclass
class ThemeCounts:
    """Map step: theme-analyzer term counts of a chunk of sentences.

    Attributes
    ----------
    counts : csr_matrix of int64, shape (n_sentences, n_terms)
        Sorted columns and row indices (as :func:`analysis.terms.count_analyzed` gives them).
    terms : ndarray of str, sorted
    theme_matrix : csr_matrix of shape (n_terms, n_themes)
        1 where a term belongs to a theme.
    """

    counts: sp.csr_matrix
    terms: np.ndarray
    theme_matrix: sp.csr_matrix


def count_theme_terms(texts: Sequence[str], lexicon: Lexicon, *,
                      tokens: Sequence[list[str]] | None = None) -> ThemeCounts:
    """Map step: count the lexicon analyzer's terms in each sentence of a chunk.

    ``tokens``, when given, are the :func:`analysis.text.find_tokens` of each text, already computed.
    """
    matcher = _matcher_for(lexicon)
    texts = _check_texts(texts, "count_theme_terms")
    counts, terms = matcher.count_token_lists(list(map(_TOKENS, texts)) if tokens is None else tokens)
    return ThemeCounts(counts=counts, terms=terms, theme_matrix=matcher.feature_themes(terms))


def smoothed_idf(df: np.ndarray, n_documents: int, *, smooth_idf: bool = True) -> np.ndarray:
    """The idf ``TfidfTransformer(smooth_idf=...)`` learns from ``n_documents`` rows whose column ``j`` is
    non-zero in ``df[j]`` rows: ``log((n + 1) / (df + 1)) + 1``, by the same floating-point operations."""
    df = np.asarray(df).astype(np.float64)
    df += float(smooth_idf)
    idf = np.full_like(df, fill_value=n_documents + int(smooth_idf), dtype=np.float64)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    return idf


class ThemeFrequencies:
    """Reduce step: document frequencies of theme terms over chunks, then the scores of each chunk.

    :meth:`add` each chunk's per-document counts (documents of different chunks are different documents),
    then :meth:`score` each chunk. ``norm``, ``smooth_idf`` and ``min_share`` as :class:`ThemeScorer`.
    """

    def __init__(self, lexicon: Lexicon, *, norm: Literal["l1", "l2"] = "l1", smooth_idf: bool = True,
                 min_share: float | Mapping[str, float] = 0.0):
        self.lexicon = lexicon
        self.norm = norm
        self.smooth_idf = smooth_idf
        self.thresholds = ThemeScorer(lexicon, min_share=min_share)._thresholds(lexicon.names)
        self.n_documents = 0
        self._parts: list[pd.Series] = []
        self._idf: pd.Series | None = None

    def add(self, counted: ThemeCounts, positions: np.ndarray, kept: np.ndarray) -> None:
        """Add the documents of a chunk: ``positions[i]`` is the document of sentence ``i``, and only the
        documents where ``kept`` is true count (as in :func:`score_corpus`, documents without sentences don't)."""
        positions = np.asarray(positions, dtype=np.int64)
        self.n_documents += len(np.unique(positions[kept[positions]]))
        counts = counted.counts
        n_terms = len(counted.terms)
        # The distinct (document, term) pairs of the kept documents: a term's document frequency is its count.
        document = positions[np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))]
        use = kept[document]
        pairs = pd.unique(document[use] * max(n_terms, 1) + counts.indices[use])
        df = np.bincount(pairs % max(n_terms, 1), minlength=n_terms)
        seen = df > 0
        self._parts.append(pd.Series(df[seen], index=pd.Index(counted.terms[seen], dtype=object)))
        self._idf = None

    def idf(self) -> pd.Series:
        """Idf of each term (sorted) over the documents added so far."""
        if self._idf is None:
            if self._parts:
                df = pd.concat(self._parts).groupby(level=0, sort=True).sum()
                values = smoothed_idf(df.to_numpy(), self.n_documents, smooth_idf=self.smooth_idf)
                self._idf = pd.Series(values, index=pd.Index(df.index.to_numpy(dtype=object), dtype=object))
            else:
                self._idf = pd.Series(dtype=np.float64)
        return self._idf

    def score(self, counted: ThemeCounts, positions: np.ndarray, n_documents: int) -> ChunkScores:
        """Scores of a chunk (:class:`ChunkScores`); ``positions[i]`` is the document of sentence ``i``, and a
        document without sentences scores 0."""
        idf_of = self.idf()
        found = idf_of.index.get_indexer(pd.Index(counted.terms, dtype=object))
        # A term of no counted document (only in one that was left out) weighs nothing; its rows are dropped.
        idf = np.where(found >= 0, idf_of.to_numpy()[np.maximum(found, 0)] if len(idf_of) else 0.0, 0.0)
        tfidf = (counted.counts @ sp.diags(idf)).tocsr()
        shares = _theme_shares(tfidf, counted.theme_matrix, self.norm)
        carried = shares > self.thresholds
        indicator = sp.csr_matrix((np.ones(len(positions)), (positions, np.arange(len(positions)))),
                                  shape=(n_documents, len(positions)))
        mentions = (counted.counts @ counted.theme_matrix).astype(np.int64)
        return ChunkScores(
            labels=join_labels(carried, self.lexicon.names),
            documents=_theme_shares((indicator @ tfidf).tocsr(), counted.theme_matrix, self.norm),
            carrying=np.asarray((indicator @ sp.csr_matrix(carried.astype(np.int64))).todense(), dtype=np.int64),
            mentions=np.asarray((indicator @ mentions).todense(), dtype=np.int64))

    def frame(self, keys: pd.DataFrame, scores: ChunkScores, n_sentences: np.ndarray) -> pd.DataFrame:
        """``keys`` with, per theme, ``theme_<name>`` (the TF-IDF score), ``n_sentences_<name>`` (sentences
        carrying it) and ``n_mentions_<name>`` (occurrences of its terms), and ``dominant_theme``."""
        names = self.lexicon.names
        frame = _score_frame(keys, scores.documents, names, carrying=scores.carrying, n_sentences=n_sentences)
        for index, name in enumerate(names):
            frame[f"n_sentences_{name}"] = scores.carrying[:, index]
            frame[f"n_mentions_{name}"] = scores.mentions[:, index]
        return frame


@dataclasses.dataclass
class ChunkScores:
    """:meth:`ThemeFrequencies.score` of a chunk.

    Attributes
    ----------
    labels : list of str
        Each sentence's themes, ``;``-joined.
    documents : ndarray of shape (n_documents, n_themes)
        TF-IDF theme scores of the documents.
    carrying : ndarray of int, shape (n_documents, n_themes)
        Sentences of each document carrying each theme.
    mentions : ndarray of int, shape (n_documents, n_themes)
        Occurrences of each theme's terms in each document.
    """

    labels: list[str]
    documents: np.ndarray
    carrying: np.ndarray
    mentions: np.ndarray


# --------------------------------------------------------------------------------------------------
# Beyond the named themes: new terms and discovered topics
# --------------------------------------------------------------------------------------------------


def _project_counts(texts: Sequence[str], ngram_range: tuple[int, int], lexicon: Lexicon, *, min_df: int = 1,
                    max_df: float = 1.0, max_features: int | None = None) -> tuple[sp.csr_matrix, np.ndarray]:
    """Counts of the project's frequency terms (:class:`analysis.terms.TermAnalyzer`), the lexicon's phrases
    counted as units."""
    from .terms import TermAnalyzer

    phrases = sorted({pattern for theme in lexicon.themes for pattern in theme.terms + theme.exclude
                      if len(pattern.split()) > 1})
    vectorizer = CountVectorizer(analyzer=TermAnalyzer(ngram_range=ngram_range, phrases=phrases),
                                 min_df=min_df, max_df=max_df, max_features=max_features)
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError:
        raise ValueError(f"no terms remain in {len(texts)} texts; try a lower min_df ({min_df}) or more texts") \
            from None
    return counts.tocsr(), vectorizer.get_feature_names_out()


def suggest_terms(
    texts: Sequence[str] | pd.Series,
    *,
    theme: str,
    lexicon: Lexicon | str | Path | None = None,
    method: Literal["keyness", "centroid"] = "keyness",
    top_n: int = 20,
    min_count: int = 3,
    ngram_range: tuple[int, int] = (1, 2),
    labels: Sequence[str] | pd.Series | None = None,
) -> pd.DataFrame:
    """Terms the lexicon lacks that are most associated with a theme's texts (usually sentences).

    The texts labelled with ``theme`` form the target, the others the reference: by default the lexicon's own
    labels (terms that travel with the theme's terms), or ``labels`` (``;``-joined, e.g. hand labels: terms the
    annotators' theme has and the lexicon misses). Candidates are the project analyzer's n-grams that the theme
    does not already cover, seen at least ``min_count`` times.

    Parameters
    ----------
    method : {"keyness", "centroid"}
        ``"keyness"``: Dunning's log-likelihood G² of the term in the target against the reference
        (:func:`analysis.terms.keyness_scores`), terms more frequent in the target only.
        ``"centroid"``: the mean l2-normalised TF-IDF row of the target minus that of the reference
        (smooth idf over all texts).

    Returns
    -------
    DataFrame
        ``term, score, count_theme, count_rest, texts_theme`` (``texts_theme``: target texts containing the
        term), at most ``top_n`` rows, by score descending then term.
    """
    texts = _check_texts(texts, "suggest_terms")
    if method not in ("keyness", "centroid"):
        raise ValueError(f"method must be 'keyness' or 'centroid', got {method!r}")
    lexicon = _resolve_lexicon(lexicon)
    if theme not in lexicon.names:
        raise ValueError(f"unknown theme {theme!r}; themes: {', '.join(lexicon.names)}")
    t = lexicon.names.index(theme)
    if labels is None:
        labels = label_themes(texts, lexicon=lexicon)
    labels = ["" if label is None else str(label) for label in labels]
    if len(labels) != len(texts):
        raise ValueError(f"labels has {len(labels)} entries for {len(texts)} texts")
    in_theme = np.array([theme in label.split(";") for label in labels], dtype=bool)
    columns = {"term": pd.Series(dtype=object), "score": pd.Series(dtype="float64"),
               "count_theme": pd.Series(dtype="int64"), "count_rest": pd.Series(dtype="int64"),
               "texts_theme": pd.Series(dtype="int64")}
    if not in_theme.any() or in_theme.all():
        return pd.DataFrame(columns)
    counts, terms = _project_counts(texts, ngram_range, lexicon)
    covered = np.asarray(_matcher_for(lexicon).feature_themes(terms)[:, t].todense()).ravel() > 0
    count_theme = np.asarray(counts[in_theme].sum(axis=0)).ravel()
    count_rest = np.asarray(counts[~in_theme].sum(axis=0)).ravel()
    texts_theme = np.asarray((counts[in_theme] > 0).sum(axis=0)).ravel()
    if method == "keyness":
        from .terms import keyness_scores

        score = keyness_scores(count_theme, count_rest, max(int(count_theme.sum()), 1),
                               max(int(count_rest.sum()), 1))["g2"].to_numpy()
        keep = score > 0
    else:
        tfidf = TfidfTransformer(norm="l2").fit_transform(counts)
        score = np.asarray(tfidf[in_theme].mean(axis=0)).ravel() - np.asarray(tfidf[~in_theme].mean(axis=0)).ravel()
        keep = score > 0
    keep &= ~covered & (count_theme + count_rest >= min_count)
    table = pd.DataFrame({"term": pd.Series(terms[keep], dtype=object), "score": score[keep],
                          "count_theme": count_theme[keep].astype("int64"),
                          "count_rest": count_rest[keep].astype("int64"),
                          "texts_theme": texts_theme[keep].astype("int64")})
    table = table.sort_values(["score", "term"], ascending=[False, True], kind="stable")
    return table.head(top_n).reset_index(drop=True)


def topic_coherence(top_terms: Sequence[Sequence[str]], presence: sp.spmatrix,
                    vocabulary: Sequence[str]) -> np.ndarray:
    """Mean NPMI of the term pairs of each topic, from co-occurrence in the texts of ``presence``.

    ``presence`` is a texts × terms matrix (non-zero = the term occurs). With ``P`` the share of texts::

        NPMI(a, b) = ln(P(a, b) / (P(a) P(b))) / -ln P(a, b)

    which is -1 for terms never seen together, 0 for independent terms and 1 for terms always seen together.
    A topic's coherence is the mean over its pairs of top terms (NaN with fewer than two terms).
    """
    binary = (sp.csr_matrix(presence) > 0).astype(np.float64).tocsc()
    n_texts = binary.shape[0]
    index = {term: i for i, term in enumerate(vocabulary)}
    result = []
    for terms in top_terms:
        ids = [index[term] for term in terms]
        if len(ids) < 2 or n_texts == 0:
            result.append(np.nan)
            continue
        sub = binary[:, ids]
        joint = np.asarray((sub.T @ sub).todense()) / n_texts
        single = np.diag(joint).copy()
        upper = np.triu_indices(len(ids), k=1)
        p_ab = joint[upper]
        p_a, p_b = single[upper[0]], single[upper[1]]
        with np.errstate(divide="ignore", invalid="ignore"):
            npmi = np.where(p_ab <= 0, -1.0,
                            np.where(p_ab >= 1, 1.0, np.log(p_ab / (p_a * p_b)) / -np.log(p_ab)))
        result.append(float(npmi.mean()))
    return np.array(result, dtype=np.float64)


def discover_topics(
    texts: Sequence[str] | pd.Series,
    *,
    n_topics: int = 8,
    seed: int = 0,
    n_runs: int = 3,
    top_n: int = 10,
    min_df: int = 2,
    max_df: float = 0.5,
    max_features: int | None = 20_000,
    ngram_range: tuple[int, int] = (1, 1),
    lexicon: Lexicon | str | Path | None = None,
    min_overlap: float = 0.01,
    max_iter: int = 400,
) -> pd.DataFrame:
    """Topics nobody named: NMF over TF-IDF, with coherence, stability and overlap with the named themes.

    NMF (random initialisation seeded with ``seed``) factorises the l2-normalised TF-IDF of the texts (the
    project's frequency terms, :class:`analysis.terms.TermAnalyzer`, with the lexicon's phrases as units;
    ``min_df``/``max_df`` as in scikit-learn).

    * ``coherence_npmi``: :func:`topic_coherence` of the top terms, co-occurrence counted in the same texts
      (pass paragraphs or sentences for a finer window);
    * ``stability``: NMF is refitted with seeds ``seed + 1 … seed + n_runs - 1``; each run's topics are matched
      one-to-one to these (Hungarian assignment on the cosine of the term weights) and the stability is the
      mean Jaccard overlap of the matched top-term sets (1: same top terms every run; NaN when ``n_runs=1``);
    * ``overlap_<theme>``: share of the topic's term weight on terms of that named theme, ``closest_theme``
      the largest (empty when none reaches ``min_overlap``: such a topic is one nobody named).

    Returns
    -------
    DataFrame
        ``topic, top_terms`` (``;``-joined, by weight), ``weight`` (share of all document-topic weight),
        ``n_texts`` (texts whose strongest topic it is), ``coherence_npmi, stability``, ``overlap_<theme>`` per theme, ``closest_theme``; one row per topic,
        ordered by weight.
    """
    from scipy.optimize import linear_sum_assignment
    from sklearn.decomposition import NMF

    texts = _check_texts(texts, "discover_topics")
    if n_topics < 1 or n_runs < 1 or top_n < 1:
        raise ValueError("n_topics, n_runs and top_n must be at least 1")
    lexicon = _resolve_lexicon(lexicon)
    counts, terms = _project_counts(texts, ngram_range, lexicon, min_df=min_df, max_df=max_df,
                                    max_features=max_features)
    if counts.shape[1] < n_topics or counts.shape[0] < n_topics:
        raise ValueError(f"{counts.shape[0]} texts and {counts.shape[1]} terms are too few for {n_topics} "
                         "topics; try fewer topics, a lower min_df or more texts")
    tfidf = TfidfTransformer(norm="l2").fit_transform(counts)

    def factorise(run_seed: int) -> tuple[np.ndarray, np.ndarray]:
        model = NMF(n_components=n_topics, init="random", random_state=run_seed, max_iter=max_iter)
        weights = model.fit_transform(tfidf)
        return weights, model.components_

    weights, components = factorise(seed)
    top_ids = [tuple(np.argsort(-row, kind="stable")[:top_n]) for row in components]
    top_terms = [[terms[i] for i in ids] for ids in top_ids]
    stability = np.full(n_topics, np.nan)
    if n_runs > 1:
        scores = np.zeros(n_topics)
        unit = components / np.maximum(np.linalg.norm(components, axis=1, keepdims=True), 1e-12)
        for run in range(1, n_runs):
            _, other = factorise(seed + run)
            other_unit = other / np.maximum(np.linalg.norm(other, axis=1, keepdims=True), 1e-12)
            rows, cols = linear_sum_assignment(-(unit @ other_unit.T))
            for row, col in zip(rows, cols):
                other_top = set(np.argsort(-other[col], kind="stable")[:top_n])
                mine = set(top_ids[row])
                scores[row] += len(mine & other_top) / len(mine | other_top)
        stability = scores / (n_runs - 1)
    theme_matrix = _matcher_for(lexicon).feature_themes(terms).toarray()
    totals = components.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        overlap = np.where(totals[:, None] > 0, (components @ theme_matrix) / totals[:, None], 0.0)
    share = weights.sum(axis=0) / max(weights.sum(), 1e-12)
    strongest = np.where(weights.max(axis=1) > 0, weights.argmax(axis=1), -1)
    frame = pd.DataFrame({
        "topic": np.arange(n_topics, dtype="int64"),
        "top_terms": [";".join(words) for words in top_terms],
        "weight": share,
        "n_texts": np.bincount(strongest[strongest >= 0], minlength=n_topics).astype("int64"),
        "coherence_npmi": topic_coherence(top_terms, counts, terms),
        "stability": stability,
    })
    for index, name in enumerate(lexicon.names):
        frame[f"overlap_{name}"] = overlap[:, index]
    frame["closest_theme"] = _dominant(np.where(overlap >= min_overlap, overlap, 0.0), lexicon.names)
    frame = frame.sort_values(["weight", "topic"], ascending=[False, True], kind="stable").reset_index(drop=True)
    frame["topic"] = np.arange(n_topics, dtype="int64")
    return frame


# --------------------------------------------------------------------------------------------------
# Evaluation against hand labels
# --------------------------------------------------------------------------------------------------


def keyword_baseline(texts: Sequence[str] | pd.Series, *,
                     patterns: Mapping[str, str] = BASELINE_PATTERNS) -> list[str]:
    """Theme labels from plain keyword regexes (:data:`BASELINE_PATTERNS`), ``;``-joined and sorted.

    The baseline every lexicon score is reported beside: a theme is labelled when its regex matches anywhere
    in the text, case-insensitively.
    """
    texts = pd.Series(_check_texts(texts, "keyword_baseline"), dtype=object)
    names = list(patterns)
    indicator = np.column_stack([texts.str.contains(patterns[name], case=False, regex=True).to_numpy(dtype=bool)
                                 for name in names]) if len(texts) else np.zeros((0, len(names)), dtype=bool)
    return join_labels(indicator, names)


def _label_matrix(labels: Sequence[str], themes: Sequence[str], what: str) -> np.ndarray:
    rows = []
    known = set(themes)
    for index, value in enumerate(labels):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            value = ""
        parts = {part.strip() for part in str(value).split(";") if part.strip()}
        unknown = sorted(parts - known)
        if unknown:
            raise ValueError(f"{what} row {index}: unknown theme {unknown[0]!r}; themes: {', '.join(themes)}")
        rows.append([name in parts for name in themes])
    return np.array(rows, dtype=bool).reshape(len(rows), len(themes))


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def evaluate_themes(gold: Sequence[str] | pd.Series | pd.DataFrame,
                    predicted: Sequence[str] | pd.Series | pd.DataFrame,
                    *, themes: Sequence[str] = THEMES) -> pd.DataFrame:
    """Per-theme precision, recall and F1 of multi-label sentence themes, with micro and macro averages.

    Parameters
    ----------
    gold, predicted : sequences of ``;``-joined labels (aligned), or DataFrames with ``id`` and ``themes``
        (joined on ``id``; every gold id must be predicted).
    themes : sequence of str
        The themes scored; a label outside them is an error.

    Returns
    -------
    DataFrame
        One row per theme, then ``micro`` (pooled counts) and ``macro`` (mean of the per-theme scores):
        ``theme, support, predicted, tp, fp, fn, precision, recall, f1``. A score whose denominator is 0 is 0.
    """
    if isinstance(gold, pd.DataFrame) or isinstance(predicted, pd.DataFrame):
        if not (isinstance(gold, pd.DataFrame) and isinstance(predicted, pd.DataFrame)):
            raise TypeError("pass gold and predicted both as DataFrames (id, themes) or both as sequences")
        for name, frame in (("gold", gold), ("predicted", predicted)):
            missing = {"id", "themes"} - set(frame.columns)
            if missing:
                raise ValueError(f"{name} lacks column(s) {', '.join(sorted(missing))}")
        lost = ~gold["id"].isin(predicted["id"])
        if lost.any():
            raise ValueError(f"{int(lost.sum())} gold ids have no prediction, e.g. {gold.loc[lost, 'id'].iloc[0]!r}")
        merged = gold[["id", "themes"]].merge(predicted[["id", "themes"]], on="id", how="left",
                                              suffixes=("_gold", "_pred"), validate="one_to_one")
        gold, predicted = merged["themes_gold"].fillna("").tolist(), merged["themes_pred"].fillna("").tolist()
    gold, predicted = list(gold), list(predicted)
    if len(gold) != len(predicted):
        raise ValueError(f"gold has {len(gold)} rows, predicted {len(predicted)}")
    themes = list(themes)
    truth = _label_matrix(gold, themes, "gold")
    guess = _label_matrix(predicted, themes, "predicted")
    tp = (truth & guess).sum(axis=0).astype(int)
    fp = (~truth & guess).sum(axis=0).astype(int)
    fn = (truth & ~guess).sum(axis=0).astype(int)
    rows = [(name, int(tp[i] + fn[i]), int(tp[i] + fp[i]), int(tp[i]), int(fp[i]), int(fn[i]),
             *_prf(int(tp[i]), int(fp[i]), int(fn[i]))) for i, name in enumerate(themes)]
    totals = (int((tp + fn).sum()), int((tp + fp).sum()), int(tp.sum()), int(fp.sum()), int(fn.sum()))
    rows.append(("micro", *totals, *_prf(totals[2], totals[3], totals[4])))
    per_theme = np.array([row[6:] for row in rows[:-1]], dtype=np.float64).reshape(len(themes), 3)
    rows.append(("macro", *totals, *(per_theme.mean(axis=0) if themes else (0.0, 0.0, 0.0))))
    return pd.DataFrame(rows, columns=["theme", "support", "predicted", "tp", "fp", "fn", "precision", "recall",
                                       "f1"])


def evaluate_lexicon(gold: pd.DataFrame, *, lexicon: Lexicon | str | Path | None = None,
                     n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """The lexicon's theme labels scored against hand-labelled sentences, beside the keyword baseline.

    Parameters
    ----------
    gold : DataFrame
        Gold sentences with ``text`` and ``themes`` (``;``-joined, from the lexicon's themes), as
        :func:`analysis.gold.read_gold` returns them; ``meeting``/``session``/``doc_id`` when present group the
        bootstrap by debate.
    lexicon : Lexicon, path or None
        Default ``config/themes.yml``.
    n_boot, seed
        Bootstrap replicates of the F1 intervals, which resample debates (:func:`analysis.gold.debate_of`).

    Returns
    -------
    DataFrame
        ``method`` (``lexicon``, ``keyword baseline``), ``theme`` (each of the lexicon's, then ``micro`` and
        ``macro``), ``support, predicted, tp, fp, fn, precision, recall, f1`` (:func:`evaluate_themes`) and
        ``f1_lower, f1_upper``.
    """
    from .aggregate import f1_intervals
    from .gold import debate_of
    from .validation import as_texts, require_columns

    lexicon = _resolve_lexicon(lexicon)
    require_columns(gold, ["text", "themes"], "evaluate_lexicon")
    texts = as_texts(gold["text"])
    names = list(lexicon.names)
    truth = _label_matrix(gold["themes"].tolist(), names, "gold")
    groups = debate_of(gold)
    frames = []
    for method, predicted in (("lexicon", label_themes(texts, lexicon=lexicon)),
                              ("keyword baseline", keyword_baseline(texts))):
        scores = evaluate_themes(gold["themes"].tolist(), predicted, themes=names)
        intervals = f1_intervals(truth, _label_matrix(predicted, names, "predicted"), names=names, groups=groups,
                                 micro=True, n_boot=n_boot, seed=seed)
        scores = scores.assign(f1_lower=intervals["lower"].to_numpy(), f1_upper=intervals["upper"].to_numpy())
        frames.append(scores.assign(method=method))
    table = pd.concat(frames, ignore_index=True)
    return table[["method", *[c for c in table.columns if c != "method"]]]


def format_lexicon_evaluation(scores: pd.DataFrame, *, lexicon: Lexicon, gold: pd.DataFrame) -> str:
    """:func:`evaluate_lexicon`'s table as a Markdown section of the evaluation report."""
    files = sorted(set(gold["source"])) if "source" in gold else []
    lines = [f"## Themes (lexicon {lexicon.version}: {', '.join(lexicon.names)})", "",
             f"{len(gold):,} gold sentences{' from ' + ', '.join(files) if files else ''}; F1 with a 95 % "
             "bootstrap interval over debates. A lexicon tuned on these sentences scores optimistically on them.",
             "", "| method | theme | support | predicted | precision | recall | F1 | 95 % interval |",
             "|---|---|---:|---:|---:|---:|---:|---|"]
    for row in scores.itertuples(index=False):
        lines.append(f"| {row.method} | {row.theme} | {row.support} | {row.predicted} | {row.precision:.3f} | "
                     f"{row.recall:.3f} | {row.f1:.3f} | {row.f1_lower:.3f}-{row.f1_upper:.3f} |")
    return "\n".join(lines)
