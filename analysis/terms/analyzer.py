"""Multi-word expressions: the project's analyzer with phrases merged (:class:`TermAnalyzer`)."""
from __future__ import annotations

from typing import Iterable, Sequence


from ..patterns import PhraseFinder, parse_pattern
from ..text import (
    analyze,
    content_tokens,
    load_stopwords,
    ngrams,
    normalize_token,
    tokenize,
)




# --------------------------------------------------------------------------------------------------
# Multi-word expressions and patterns over normalised tokens
# --------------------------------------------------------------------------------------------------

def _parse_all(patterns: Iterable[str], *, bare_wildcards: bool = False) -> list[tuple[str, ...]]:
    """Each pattern parsed by :func:`analysis.patterns.parse_pattern`, a bad one refused with its reason."""
    parsed = []
    for pattern in patterns:
        if not isinstance(pattern, str):
            raise TypeError(f"patterns must be strings, got {type(pattern).__name__}: {pattern!r}")
        parsed.append(parse_pattern(pattern, bare_wildcards=bare_wildcards))
    return parsed


class TermAnalyzer:
    """The project's analyzer with multi-word expressions: text → list of terms.

    Without ``phrases`` it returns exactly :func:`analysis.text.analyze`. With ``phrases``, each occurrence
    of a phrase (longest first, left to right) becomes one token before stopwords and n-grams are applied,
    so ``"foreign terrorist fighters"`` is counted as one term and its words are not counted again on
    their own (as quanteda's ``tokens_compound``). A phrase may contain stopwords (``"exchange of
    information"``) and glob wildcards (``"organi?ed crime"``); the unit is the matched normalised words.

    Instances are picklable, so they can be passed to scikit-learn (``CountVectorizer(analyzer=...)``) and
    to worker processes.

    Parameters
    ----------
    ngram_range : (int, int)
        Smallest and largest n-gram length, counted in units (a phrase is one unit).
    stopwords : frozenset, optional
        Words dropped (as n-gram barriers); default ``load_stopwords("frequency")``.
    phrases : iterable of str, optional
        Multi-word expressions to count as units (from :func:`collocation_phrases` or a theme lexicon);
        single words are ignored.

    >>> TermAnalyzer(ngram_range=(1, 2), phrases=["organized crime"])("Transnational organized crime grows.")
    ['transnational', 'organized crime', 'grows', 'transnational organized crime', 'organized crime grows']
    """

    def __init__(self, *, ngram_range: tuple[int, int] = (1, 1), stopwords: frozenset[str] | None = None,
                 phrases: Iterable[str] | None = None):
        low, high = ngram_range
        if low < 1 or high < low:
            raise ValueError(f"ngram_range must satisfy 1 <= low <= high, got {ngram_range}")
        self.ngram_range = (int(low), int(high))
        self.stopwords = load_stopwords("frequency") if stopwords is None else stopwords
        if phrases is None:
            phrases = ()
        elif isinstance(phrases, str):
            phrases = (phrases,)
        self.phrases = tuple(sorted(set(phrases)))
        multi = [words for words in _parse_all(self.phrases) if len(words) > 1]
        self._finder = PhraseFinder(multi) if multi else None

    def __repr__(self) -> str:
        return (f"TermAnalyzer(ngram_range={self.ngram_range}, stopwords=<{len(self.stopwords)} words>, "
                f"phrases=<{len(self.phrases)}>)")

    def merge_phrases(self, tokens: Sequence[str]) -> list[str]:
        """Tokens with every phrase occurrence replaced by one token (its normalised words, space-joined)."""
        if self._finder is None:
            return list(tokens)
        norm = [normalize_token(token) for token in tokens]
        ranges = self._finder.find(norm)
        if not ranges:
            return list(tokens)
        merged: list[str] = []
        cursor = 0
        for first, stop, _ in ranges:
            merged.extend(tokens[cursor:first])
            merged.append(" ".join(norm[first:stop]))
            cursor = stop
        merged.extend(tokens[cursor:])
        return merged

    def __call__(self, text: str) -> list[str]:
        if self._finder is None:
            return analyze(text, ngram_range=self.ngram_range, stopwords=self.stopwords)
        items = content_tokens(self.merge_phrases(tokenize(text)), self.stopwords)
        low, high = self.ngram_range
        return [term for n in range(low, high + 1) for term in ngrams(items, n)]


