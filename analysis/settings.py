"""What a run is configured with: the theme lexicon, the stopwords, the stance labeller and its cue file, the
n-gram range and whether procedural turns are kept; picklable, so it travels to worker processes and Dask
workers once per run."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths
from .io import file_sha256
from .stance import Codebook, Method, StanceLabeller, gold_files_sha256, load_codebook, train_stance_labeller
from .text import load_stopwords
from .themes import Lexicon, load_lexicon

__all__ = ["Settings"]


@dataclasses.dataclass(frozen=True)
class Settings:
    """What the map needs besides the speeches (picklable, so it travels to worker processes)."""

    lexicon: Lexicon
    stopwords: frozenset
    stance: StanceLabeller | None = None  # trained by :meth:`trained` (a second or so), when needed
    stance_method: str = "rules"
    codebook: Codebook | None = None
    ngram_range: tuple[int, int] = (1, 2)
    include_procedural: bool = False  # the presiding officer's procedural turns (left out by default)

    @classmethod
    def default(cls, *, themes_file: str | Path | None = None, stance_method: Method = "rules",
                include_procedural: bool = False, check_codebook: bool = True) -> Settings:
        """The theme lexicon (``config/themes.yml`` or ``themes_file``), the stance cue file and the frequency
        stopwords: loading them refuses a broken file before any speech is read.

        ``check_codebook=False`` leaves the cue file unread (its SHA-256 still keys the cache): checking its
        examples compiles about 1,500 regexes, which a run answered from the cache does not need;
        :meth:`checked` reads it when speeches are to be labelled."""
        return cls(lexicon=load_lexicon(themes_file), stopwords=load_stopwords("frequency"),
                   stance_method=stance_method, codebook=load_codebook() if check_codebook else None,
                   include_procedural=include_procedural)

    def checked(self) -> Settings:
        """These settings with the stance cue file read and checked (see :meth:`default`)."""
        return self if self.codebook is not None else dataclasses.replace(self, codebook=load_codebook())

    def analysed(self, documents: pd.DataFrame) -> np.ndarray:
        """Which documents the tables hold: all, or all but the procedural turns (see
        :mod:`analysis.procedure`)."""
        if self.include_procedural or "procedural" not in documents:
            return np.ones(len(documents), dtype=bool)
        return ~documents["procedural"].to_numpy(dtype=bool)

    def trained(self) -> Settings:
        """These settings with the stance labeller trained (:func:`analysis.stance.train_stance_labeller`)."""
        if self.stance is not None:
            return self
        return dataclasses.replace(self, stance=train_stance_labeller(method=self.stance_method,
                                                                      codebook=self.codebook))

    def stance_key(self) -> dict:
        """What the stance labels depend on, for the cache key (without training the labeller)."""
        files = paths.GOLD_STANCE_TRAIN_FILES
        cues = self.codebook.sha256 if self.codebook else file_sha256(paths.STANCE_FILE)
        return {"method": self.stance_method, "cues": cues,
                "gold": gold_files_sha256(files) if all(path.is_file() for path in files) else ""}
