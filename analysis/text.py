"""Tokenising and normalising speech text, offline.

The tokeniser is NLTK's :class:`~nltk.tokenize.RegexpTokenizer` (no downloaded data needed) with one pattern
that keeps hyphenated words (``counter-terrorism``, ``cross-border``) and internal apostrophes (``Da'esh``)
whole. Sentence punctuation is kept as a *barrier* token so that n-grams never span two sentences.

The stopword policy: three versioned word lists in ``config/``, each with one role, and no word in two of
the first two (:func:`load_stopwords`):

* ``stopwords.txt`` (``"function"``): closed-class function words, dropped before any counting or feature
  extraction. It deliberately does not list negations and stance words;
* ``stance_words.txt`` (``"stance"``): negations, deontic modals and ``against`` (``not``, ``no``,
  ``cannot``, ``must``, ``should``). :func:`analyze` keeps them, so stance features see "do not support";
  frequency tables leave them out by default, because a reader counts them as stopwords
  (``"frequency"`` = function + stance words);
* ``display_stopwords.txt`` (``"display"``): UN boilerplate (``president``, ``delegation``, ``thank``)
  that charts may drop; never used for counting.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Iterable, Iterator, Literal, Sequence

from . import paths
from .errors import ConfigError

__all__ = [
    "TOKEN_PATTERN",
    "StopwordList",
    "analyze",
    "content_tokens",
    "find_tokens",
    "load_stopwords",
    "ngrams",
    "normalize_token",
    "tokenize",
    "token_spans",
]

#: Words (letters, with internal hyphens or apostrophes), numbers (with internal separators), and the
#: sentence punctuation that serves as an n-gram barrier.
TOKEN_PATTERN = r"[^\W_]+(?:['’\-][^\W_]+)*|[.!?;:]"


_TOKEN_RE = re.compile(TOKEN_PATTERN)

#: The tokens of :func:`tokenize`, by the standard library's regex engine directly: the same list (tests
#: check it), without NLTK's wrapper around each call. The counting code uses this.
find_tokens = _TOKEN_RE.findall


@functools.lru_cache(maxsize=1)
def _tokenizer():
    # Imported on first use: importing NLTK takes seconds, which the pipeline's counting workers (they
    # use the same pattern through re directly, see analysis.terms.count_tokens) need not pay.
    from nltk.tokenize import RegexpTokenizer

    tokenizer = RegexpTokenizer(TOKEN_PATTERN)
    # Recent NLTK (3.10 here) compiles the pattern lazily with the third-party `regex` engine (under a timeout), whose
    # \w also takes combining marks and leaves out digits such as "₂": the same text would then give other
    # tokens than find_tokens, and other tokens under another NLTK version. Handing it the standard
    # library's compiled pattern (which older NLTK versions compile themselves) keeps them identical.
    tokenizer._regexp = _TOKEN_RE
    return tokenizer


class LearningDict(dict):
    """A dict that computes a missing value once with ``learn(key)``, so that ``map(d.__getitem__, keys)``
    looks up known keys at C speed (the caches of token types in :mod:`analysis.terms` and
    :mod:`analysis.themes`). Pickled empty: a cache is rebuilt where it is used."""

    def __init__(self, learn):
        super().__init__()
        self.learn = learn

    def __missing__(self, key):
        value = self[key] = self.learn(key)
        return value

    def __reduce__(self):
        return (dict, ())


_BARRIERS = frozenset(".!?;:")
_HAS_LETTER = re.compile(r"[^\W\d_]")


def tokenize(text: str) -> list[str]:
    """Raw tokens of ``text``, including barrier punctuation.

    >>> tokenize("Counter-terrorism isn't Da'esh's aim; U.N. 2014.")
    ['Counter-terrorism', "isn't", "Da'esh's", 'aim', ';', 'U', '.', 'N', '.', '2014', '.']
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize expects a str, got {type(text).__name__}")
    return _tokenizer().tokenize(text)


def token_spans(text: str) -> Iterator[tuple[int, int]]:
    """Character spans of :func:`tokenize`'s tokens, so that ``text[a:b]`` is the token."""
    return _tokenizer().span_tokenize(text)


def normalize_token(token: str) -> str:
    """Lower-case a token, unify apostrophes and drop a possessive ``'s``.

    >>> normalize_token("Kazakhstan’s")
    'kazakhstan'
    """
    token = token.lower().replace("’", "'")
    if token.endswith("'s"):
        token = token[:-2]
    return token.strip("'-")


class StopwordList(frozenset):
    """A frozenset of stopwords that remembers the file and version it came from."""

    version: str = ""
    source: str = ""

    def __new__(cls, words: Iterable[str], *, version: str = "", source: str = ""):
        instance = super().__new__(cls, words)
        instance.version = version
        instance.source = source
        return instance

    def __reduce__(self):
        return (_rebuild_stopwords, (sorted(self), self.version, self.source))


def _rebuild_stopwords(words, version, source):
    return StopwordList(words, version=version, source=source)


def _read_word_list(path: Path) -> StopwordList:
    version = ""
    words = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ConfigError("stopword file not found", path=path) from None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            match = re.match(r"#\s*version\s*:\s*(\S+)", stripped, re.IGNORECASE)
            if match:
                version = match.group(1)
            continue
        word = stripped.split("#", 1)[0].strip().lower()
        if not word:
            continue
        if re.search(r"\s", word) and not re.fullmatch(r"[^\W_]+(?: [^\W_]+)+", word):
            raise ConfigError(f"bad stopword entry {stripped!r}: one word or phrase per line", path=path,
                              line=number)
        words.append(word)
    if not version:
        raise ConfigError("missing '# version: N' header line", path=path, line=1)
    return StopwordList(words, version=version, source=str(path))


@functools.lru_cache(maxsize=8)
def _load_cached(path: str, mtime: float) -> StopwordList:
    return _read_word_list(Path(path))


_STOPWORD_FILES = {
    "function": "STOPWORDS_FILE",
    "stance": "STANCE_WORDS_FILE",
    "display": "DISPLAY_STOPWORDS_FILE",
}


def load_stopwords(kind: Literal["function", "stance", "frequency", "display"] = "function", *,
                   path: str | Path | None = None) -> StopwordList:
    """Load a stopword list.

    Parameters
    ----------
    kind : {"function", "stance", "frequency", "display"}
        ``"function"``: words dropped before counting and feature extraction (keeps negations and stance
        words); ``"stance"``: negations and modals that stance work needs, left out of frequency tables;
        ``"frequency"``: the union of both, the default of every frequency table (version ``"F+S"`` from
        the two files' versions); ``"display"``: UN boilerplate for charts only (words and phrases).
    path : str or Path, optional
        Another file in the same format (``# version: N`` then one entry per line); not with ``"frequency"``.

    >>> "not" in load_stopwords("function"), "not" in load_stopwords("frequency")
    (False, True)
    """
    if kind == "frequency":
        if path is not None:
            raise ValueError("kind='frequency' combines two files; load them separately to use other paths")
        function, stance = load_stopwords("function"), load_stopwords("stance")
        return StopwordList(function | stance, version=f"{function.version}+{stance.version}",
                            source=f"{function.source}+{stance.source}")
    if path is None:
        if kind not in _STOPWORD_FILES:
            raise ValueError(f"kind must be one of 'function', 'stance', 'frequency', 'display', got {kind!r}")
        path = getattr(paths, _STOPWORD_FILES[kind])
    path = Path(path)
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        raise ConfigError("stopword file not found", path=path) from None
    return _load_cached(str(path), mtime)


def content_tokens(tokens: Sequence[str], stopwords: frozenset[str] | None = None) -> list[str | None]:
    """Normalise tokens; stopwords, numbers and punctuation become ``None`` (kept as n-gram barriers)."""
    if stopwords is None:
        stopwords = load_stopwords()
    result: list[str | None] = []
    for token in tokens:
        if token in _BARRIERS:
            result.append(None)
            continue
        norm = normalize_token(token)
        if not norm or norm in stopwords or not _HAS_LETTER.search(norm) or len(norm) < 2:
            result.append(None)
        else:
            result.append(norm)
    return result


def ngrams(items: Sequence[str | None], n: int) -> list[str]:
    """Space-joined n-grams of consecutive non-``None`` items (``None`` breaks a run).

    >>> ngrams(["organized", "crime", None, "member", "states"], 2)
    ['organized crime', 'member states']
    """
    if n == 1:
        return [item for item in items if item is not None]
    grams = []
    for index in range(len(items) - n + 1):
        window = items[index:index + n]
        if all(item is not None for item in window):
            grams.append(" ".join(window))  # type: ignore[arg-type]
    return grams


def analyze(text: str, *, ngram_range: tuple[int, int] = (1, 1), stopwords: frozenset[str] | None = None) -> list[str]:
    """Terms of ``text`` for counting: normalised content tokens and their n-grams.

    This is the project's analyzer; pass it to scikit-learn as ``CountVectorizer(analyzer=...)``.

    >>> analyze("We condemn terrorism and organized crime.", ngram_range=(1, 2))
    ['condemn', 'terrorism', 'organized', 'crime', 'condemn terrorism', 'organized crime']
    """
    items = content_tokens(tokenize(text), stopwords)
    low, high = ngram_range
    if low < 1 or high < low:
        raise ValueError(f"ngram_range must satisfy 1 <= low <= high, got {ngram_range}")
    terms: list[str] = []
    for n in range(low, high + 1):
        terms.extend(ngrams(items, n))
    return terms
