"""The annotation loop: an analyst's labels written to a gold file, and how far two annotators agree.

:class:`GoldFile` is what the explorer calls when the analyst labels a sentence: the label is checked against
the cue file (stance) and the lexicon (themes), then the whole file is rewritten atomically with every earlier
row kept, so an interrupted write leaves the previous file and no label is ever lost. The file is a gold file
as :func:`analysis.gold.read_gold` reads it, so ``python -m analysis evaluate --blind FILE`` scores the
labellers against it and ``python -m analysis agree A.csv B.csv`` compares two annotators' files
(:func:`agreement`: raw agreement and Cohen's kappa per label).

The file, one row per sentence (columns in this order when it is new; an existing file keeps its own columns and
order, and gains those it lacks at the end): ``id`` (``doc_id#sentence_id``: the same sentence has the same id in
every annotator's file), the metadata columns (:data:`METADATA_COLUMNS`, empty when not given), ``doc_id,
sentence_id, start, end, text`` (as in ``sentences.csv``), ``themes`` (``;``-joined, sorted; empty: none of the
lexicon's themes), ``stance`` (empty: not labelled for stance), ``annotator``, ``themes_codebook`` and
``stance_codebook`` (the versions the labels follow). Rows stay in the order they were first labelled;
labelling a sentence again replaces its row in place (the latest label wins).
"""
from __future__ import annotations

import contextlib
import math
import numbers
import os
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from . import paths
from .errors import InputError, OutputError
from .gold import read_gold, theme_sets
from .io import write_csv

__all__ = ["METADATA_COLUMNS", "GoldFile", "agreement", "cohen_kappa", "format_agreement", "read_labels"]

#: Metadata of a sentence's speech copied into the gold file (empty when the sentence does not give them).
METADATA_COLUMNS = ("corpus", "body", "year", "meeting", "session", "country", "speaker", "topic", "date")
#: What locates a sentence in its cleaned speech: ``text == speech[start:end]``.
SENTENCE_COLUMNS = ("doc_id", "sentence_id", "start", "end", "text")
LABEL_COLUMNS = ("themes", "stance")
PROVENANCE_COLUMNS = ("annotator", "themes_codebook", "stance_codebook")


def _codebook(codebook):
    from .stance import get_codebook

    return get_codebook(codebook)


def _lexicon(lexicon):
    from .themes import Lexicon, load_lexicon

    return lexicon if isinstance(lexicon, Lexicon) else load_lexicon(lexicon)


def read_labels(path: str | Path, *, codebook=None, lexicon=None) -> pd.DataFrame:
    """A gold file's rows as :func:`analysis.gold.read_gold` reads them (strings, plus ``line``), its themes
    checked against the lexicon and its stance labels against the cue file, where an empty stance is allowed
    (a sentence not labelled for stance).

    Raises
    ------
    InputError
        Naming the file, the line and the problem (see :func:`analysis.gold.read_gold`).
    """
    labels = _codebook(codebook).labels
    gold = read_gold(path, themes=_lexicon(lexicon).names, require=())
    if "stance" in gold:
        bad = gold[(gold["stance"] != "") & ~gold["stance"].isin(labels)]
        if len(bad):
            raise InputError(f"unknown stance label {bad['stance'].iat[0]!r} (valid: {', '.join(sorted(labels))})",
                             path=path, line=int(bad["line"].iat[0]))
    return gold


def _cell(value: object) -> str:
    """A value as the gold file holds it: missing values empty, whole floats (a year read as 2014.0) whole."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _offset(value: object, name: str) -> int:
    text = _cell(value)
    try:
        return int(text)
    except ValueError:
        raise InputError(f"the sentence's {name} must be a whole number, got {value!r}") from None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``.<name>.lock`` beside ``path``, so that two writers (two explorers, two
    processes) take turns reading and rewriting the file instead of one overwriting the other's label."""
    try:
        import fcntl
    except ImportError:  # no file locks here: the re-read before each write still keeps sequential writers safe
        yield
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path.parent / f".{path.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(f"cannot write here: {exc.strerror or exc}", path=path) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


class GoldFile:
    """An analyst's hand labels, kept in a gold CSV that every label rewrites atomically.

    Parameters
    ----------
    path : str or Path
        The gold file; created by the first label. An existing file must be a valid gold file (it is read and
        checked now, and refused with its file and line rather than overwritten).
    annotator : str
        Who labels; written in the ``annotator`` column of each row they label.
    codebook : Codebook, str or Path, optional
        The cue file whose stance labels are valid (default: ``config/stance.yml``).
    lexicon : Lexicon, str or Path, optional
        The lexicon whose themes are valid (default: ``config/themes.yml``).
    metadata : sequence of str
        Metadata columns copied from each labelled sentence (default: :data:`METADATA_COLUMNS`).

    Examples
    --------
    >>> import tempfile
    >>> gold = GoldFile(Path(tempfile.mkdtemp()) / "gold.csv", annotator="a")
    >>> gold.label({"doc_id": "d1", "sentence_id": 0, "start": 0, "end": 20, "text": "We condemn terrorism"},
    ...            stance="condemn", themes=["terrorism"])["id"]
    'd1#0'
    >>> gold.labels()[["id", "themes", "stance", "annotator"]].values.tolist()
    [['d1#0', 'terrorism', 'condemn', 'a']]
    """

    def __init__(self, path: str | Path, annotator: str = "", *, codebook=None, lexicon=None,
                 metadata: Sequence[str] = METADATA_COLUMNS):
        self.path = Path(path)
        self.annotator = _cell(annotator)
        self.codebook = _codebook(codebook)
        self.lexicon = _lexicon(lexicon)
        self.metadata = tuple(metadata)
        if self.path.is_dir():
            raise InputError("a gold file must be a CSV file, not a folder", path=self.path)
        self._read()  # a broken file is refused now, before the analyst labels anything

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns of a new file, in order."""
        return ("id", *self.metadata, *SENTENCE_COLUMNS, *LABEL_COLUMNS, *PROVENANCE_COLUMNS)

    def _read(self) -> pd.DataFrame:
        if not self.path.exists():
            return pd.DataFrame(columns=[*self.columns, "line"], dtype=object)
        gold = read_labels(self.path, codebook=self.codebook, lexicon=self.lexicon)
        for column in ("doc_id", "sentence_id"):
            if column not in gold:
                raise InputError(f"missing column {column!r}: the labels of a sentence are found by its doc_id and "
                                 "sentence_id", path=self.path, line=1)
        key = gold["doc_id"] + "#" + gold["sentence_id"]
        repeated = key.duplicated()
        if repeated.any():
            first = gold["line"][key == key[repeated].iat[0]].iat[0]
            raise InputError(f"sentence {key[repeated].iat[0]} is labelled twice (first on line {first})",
                             path=self.path, line=int(gold["line"][repeated].iat[0]))
        return gold

    def labels(self) -> pd.DataFrame:
        """Every row of the file as it is now on disk (all columns as strings); empty before the first label."""
        return self._read().drop(columns="line").reset_index(drop=True)

    def label(self, sentence: Mapping | pd.Series, stance: str | None = None,
              themes: Iterable[str] | str = ()) -> dict[str, str]:
        """Record the analyst's labels of one sentence and rewrite the file atomically.

        Parameters
        ----------
        sentence : mapping or Series
            ``doc_id, sentence_id, start, end, text`` (a row of ``sentences.csv``) and any metadata columns.
        stance : str or None
            One of the cue file's labels; ``None``: not labelled for stance.
        themes : iterable of str, or one ``;``-joined str
            The lexicon's themes the sentence carries (empty or None: none of them).

        Returns
        -------
        dict
            The row written. A sentence labelled before (same ``doc_id`` and ``sentence_id``) keeps its id and
            its place; its labels are replaced.

        Raises
        ------
        InputError
            An unknown stance label or theme (named, with the valid ones), a sentence without its offsets or
            whose offsets do not span its text, or an existing file that is not a valid gold file.
        OutputError
            The file cannot be written; the previous file is then unchanged.
        """
        row = self._row(sentence, stance, themes)
        with _locked(self.path):
            gold = self._read().drop(columns="line")  # another GoldFile may have written since this one did
            header = [*gold.columns, *(column for column in self.columns if column not in gold.columns)]
            gold = gold.reindex(columns=header, fill_value="").reset_index(drop=True)
            same = np.flatnonzero((gold["doc_id"] == row["doc_id"]) & (gold["sentence_id"] == row["sentence_id"]))
            if len(same):
                row["id"] = gold.at[same[0], "id"]
                gold.loc[same[0], list(row)] = list(row.values())
            elif (gold["id"] == row["id"]).any():
                raise InputError(f"id {row['id']!r} is already used by another sentence", path=self.path)
            else:
                same = [len(gold)]
                gold = pd.concat([gold, pd.DataFrame([row], dtype=object).reindex(columns=header, fill_value="")],
                                 ignore_index=True)
            # neutralise=False: the file is read back as input, and a quote added to a text would break its offsets
            write_csv(gold.astype(str), self.path, neutralise=False)
        return gold.loc[same[0]].to_dict()

    def _row(self, sentence: Mapping | pd.Series, stance: str | None, themes: Iterable[str] | str) -> dict[str, str]:
        if isinstance(sentence, pd.Series):
            sentence = sentence.to_dict()
        if not isinstance(sentence, Mapping):
            raise TypeError(f"sentence must be a mapping or a Series, got {type(sentence).__name__}")
        missing = [column for column in SENTENCE_COLUMNS if _cell(sentence.get(column)) == ""]
        if missing:
            raise InputError(f"the sentence has no {missing[0]!r}; a labelled sentence needs "
                             f"{', '.join(SENTENCE_COLUMNS)} (a row of sentences.csv)")
        start, end = _offset(sentence["start"], "start"), _offset(sentence["end"], "end")
        text = str(sentence["text"])
        if not 0 <= start < end or end - start != len(text):
            raise InputError(f"the sentence's offsets {start}-{end} do not span its text ({len(text)} characters)")
        if stance is not None and stance not in self.codebook.labels:
            raise InputError(f"unknown stance label {stance!r} (valid: {', '.join(sorted(self.codebook.labels))})")
        found = theme_sets([themes])[0] if isinstance(themes, str) or themes is None else frozenset(themes)
        unknown = sorted(theme for theme in found if theme not in self.lexicon.names)
        if unknown:
            raise InputError(f"theme {unknown[0]!r} is not in the lexicon (its themes: "
                             f"{', '.join(self.lexicon.names)})")
        doc_id, sentence_id = _cell(sentence["doc_id"]), _cell(sentence["sentence_id"])
        row = {"id": f"{doc_id}#{sentence_id}", **{column: _cell(sentence.get(column)) for column in self.metadata},
               "doc_id": doc_id, "sentence_id": sentence_id, "start": str(start), "end": str(end), "text": text,
               "themes": ";".join(sorted(found)), "stance": stance or "", "annotator": self.annotator,
               "themes_codebook": self._themes_version(), "stance_codebook": self.codebook.codebook_version}
        for column, value in row.items():
            if "\r" in value:  # written unquoted with \n line ends, it would split the row when read back
                raise InputError(f"the sentence's {column} holds a carriage return; give the cleaned text (the "
                                 "sentences run writes never hold one)")
        return row

    def _themes_version(self) -> str:
        """The codebook's version for the shipped lexicon (its themes are the codebook's); for another lexicon,
        its file name and version, since the codebook does not define its themes."""
        source = Path(self.lexicon.source) if self.lexicon.source else None
        if source is not None and source.resolve() == paths.THEMES_FILE.resolve():
            return self.codebook.codebook_version
        return f"{source.name if source else 'lexicon'} {self.lexicon.version}"

    def __repr__(self) -> str:
        return f"GoldFile({str(self.path)!r}, annotator={self.annotator!r})"


# ------------------------------------------------------------------------------------------------ agreement

def cohen_kappa(a: Sequence, b: Sequence) -> float:
    """Cohen's kappa of two annotators' labels of the same items (scikit-learn's ``cohen_kappa_score``):
    ``(p_o - p_e) / (1 - p_e)``, with ``p_o`` the share of items they label alike and ``p_e`` the share expected
    by chance from each annotator's label frequencies. NaN when only one label occurs (``p_e = 1``: undefined).

    >>> round(cohen_kappa(["yes", "yes", "no", "no"], ["yes", "no", "no", "no"]), 3)
    0.5
    >>> cohen_kappa(["no", "no"], ["no", "no"])
    nan
    """
    from sklearn.metrics import cohen_kappa_score

    a, b = np.asarray(list(a)), np.asarray(list(b))  # their own dtype: scikit-learn refuses booleans as objects
    if len(a) != len(b):
        raise ValueError(f"the two annotators label different numbers of items ({len(a)} and {len(b)})")
    if len(set(a) | set(b)) < 2:
        return float("nan")
    return float(cohen_kappa_score(a, b))


def _keyed(gold: pd.DataFrame, path: str | Path, by: Sequence[str]) -> pd.DataFrame:
    key = gold[list(by)].agg("#".join, axis=1) if len(by) > 1 else gold[by[0]]
    repeated = key.duplicated()
    if repeated.any():
        raise InputError(f"sentence {key[repeated].iat[0]!r} appears twice; agreement needs one label per sentence",
                         path=path, line=int(gold["line"][repeated].iat[0]))
    return gold.set_axis(key.to_numpy(), axis=0)


def agreement(file_a: str | Path, file_b: str | Path, *, codebook=None, lexicon=None) -> pd.DataFrame:
    """How far two annotators' gold files agree, label by label.

    Sentences are matched on ``doc_id`` and ``sentence_id`` when every row of both files has them, else on their
    text.
    Stance is one multi-class label, scored on the sentences both labelled for stance; each of the lexicon's
    themes is a yes/no label, scored on every sentence in both files.

    Parameters
    ----------
    file_a, file_b : str or Path
        Gold files (as :class:`GoldFile` writes them, or the shipped ones).
    codebook : Codebook, str or Path, optional
        Cue file whose stance labels are valid (default: ``config/stance.yml``).
    lexicon : Lexicon, str or Path, optional
        Lexicon whose themes are scored (default: ``config/themes.yml``).

    Returns
    -------
    DataFrame
        One row for ``stance`` then one per theme: ``kind`` (stance or theme), ``label``, ``n`` (sentences
        compared), ``agreement`` (share labelled alike), ``kappa`` (:func:`cohen_kappa`; NaN when undefined) and
        ``note`` (why a value is missing); ``attrs["n_both"]``: the sentences in both files.
    """
    codebook, lexicon = _codebook(codebook), _lexicon(lexicon)
    a, b = (read_labels(path, codebook=codebook, lexicon=lexicon) for path in (file_a, file_b))
    located = all(column in frame and (frame[column] != "").all() for frame in (a, b)
                  for column in ("doc_id", "sentence_id"))
    by = ["doc_id", "sentence_id"] if located else ["text"]
    a, b = _keyed(a, file_a, by), _keyed(b, file_b, by)
    both = a.index.intersection(b.index, sort=False)
    a, b = a.loc[both], b.loc[both]
    rows = []

    def score(kind: str, label: str, x: np.ndarray, y: np.ndarray, missing: str) -> None:
        note = "" if len(x) else missing if len(both) else "no sentence is in both files"
        kappa = cohen_kappa(x, y)
        if len(x) and math.isnan(kappa):
            note = f"kappa undefined: both annotators gave one label only ({x[0]})"
        rows.append({"kind": kind, "label": label, "n": len(x),
                     "agreement": float((x == y).mean()) if len(x) else float("nan"), "kappa": kappa, "note": note})

    has_stance = "stance" in a and "stance" in b
    labelled = (a["stance"] != "").to_numpy() & (b["stance"] != "").to_numpy() if has_stance else np.zeros(0, bool)
    score("stance", "stance", a["stance"].to_numpy(dtype=object)[labelled] if has_stance else labelled,
          b["stance"].to_numpy(dtype=object)[labelled] if has_stance else labelled,
          "no sentence labelled for stance in both files")
    has_themes = "themes" in a and "themes" in b
    sets_a, sets_b = (theme_sets(frame["themes"]) if has_themes else [] for frame in (a, b))
    for theme in lexicon.names:
        x, y = (np.array(["yes" if theme in found else "no" for found in sets], dtype=object)
                for sets in (sets_a, sets_b))
        score("theme", theme, x, y, "no sentence labelled for themes in both files")
    table = pd.DataFrame(rows, columns=["kind", "label", "n", "agreement", "kappa", "note"])
    table.attrs["n_both"] = len(both)
    return table


def format_agreement(table: pd.DataFrame) -> str:
    """The table of :func:`agreement` as fixed-width text (three decimals; ``-`` where a value is undefined).

    >>> print(format_agreement(pd.DataFrame([{"kind": "theme", "label": "peace", "n": 4, "agreement": 0.75,
    ...                                       "kappa": 0.5, "note": ""}])))
    kind   label      n  agreement  kappa  note
    theme  peace      4      0.750  0.500
    """
    def number(value: float) -> str:
        return "-" if math.isnan(value) else f"{value:.3f}"

    width = max([len("label"), *map(len, table["label"])])
    lines = [f"{'kind':<6} {'label':<{width}} {'n':>6}  agreement  kappa  note"]
    for row in table.itertuples(index=False):
        lines.append(f"{row.kind:<6} {row.label:<{width}} {row.n:>6}  {number(row.agreement):>9}  "
                     f"{number(row.kappa):>5}  {row.note}".rstrip())
    return "\n".join(lines)
