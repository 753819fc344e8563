"""Matching a lexicon in text: the analyzer that merges lexicon phrases, the term → theme map, and labels."""
from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..text import content_tokens, find_tokens, load_stopwords, normalize_token
from ..text import LearningDict as _LearningDict

from ..patterns import WordMatcher, parse_pattern
from ..validation import as_texts
from .lexicon import _EXAMPLE_KEYS, Lexicon, _resolve_lexicon, parse_lexicon

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
                    ids = tuple(words.setdefault(word, len(words)) for word in parse_pattern(pattern))
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
        self._words = WordMatcher(list(words))  # pattern word ids are positions in `words`
        self._reset_caches()

    def _reset_caches(self) -> None:
        # Per token type (as written in the text): its term, and (norm, word ids, phrase heads) for phrases.
        self._features = _LearningDict(self._learn)
        self._info: dict[str, tuple] = {}
        self._heads: set[str] = set()
        self._term_themes: dict[str, frozenset[int]] = {}
        # For count_token_lists: term → id, and token type → (id of its term + 1) * 2 + (1 if a phrase head).
        self._term_ids = _LearningDict(lambda term: len(self._term_ids))
        self._codes = _LearningDict(self._code)

    def __getstate__(self):
        state = self.__dict__.copy()
        for name in ("_features", "_info", "_heads", "_term_themes", "_term_ids", "_codes"):
            del state[name]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._reset_caches()

    def word_ids(self, norm: str) -> frozenset[int]:
        """Ids of the pattern words that match one normalised token."""
        return self._words.ids(norm)

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
    texts = as_texts(texts, "texts")
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
            with_exclusion = label_themes(no_match_text, lexicon=lexicon)
            for index, pattern in enumerate(theme.exclude):
                others = tuple(p for p in theme.exclude if p != pattern)
                reduced = dataclasses.replace(lexicon, themes=tuple(
                    dataclasses.replace(th, exclude=others) if th.name == theme.name else th
                    for th in lexicon.themes))
                without = label_themes(no_match_text, lexicon=reduced)
                if with_exclusion == without:
                    rows.append((theme.name, "exclude", index, pattern, "exclusion changes no no_match example"))
    return pd.DataFrame(rows, columns=["theme", "kind", "index", "item", "problem"])


