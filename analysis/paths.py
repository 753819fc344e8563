"""Every path the project uses, defined once.

Nothing else in the package builds ``"../data/..."`` strings: modules and notebooks import these names.
The real corpora live outside the project (``../shared/corpora`` beside the checkout); set
``UNSPEECH_CORPORA`` to point elsewhere.
"""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

CONFIG_DIR = PROJECT_ROOT / "config"
THEMES_FILE = CONFIG_DIR / "themes.yml"
STANCE_FILE = CONFIG_DIR / "stance.yml"
STOPWORDS_FILE = CONFIG_DIR / "stopwords.txt"
STANCE_WORDS_FILE = CONFIG_DIR / "stance_words.txt"
DISPLAY_STOPWORDS_FILE = CONFIG_DIR / "display_stopwords.txt"

DATA_DIR = PROJECT_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
ANNOTATIONS_DIR = DATA_DIR / "annotations"
#: Hand-labelled sentences (stance codebook v1): the training part, and the blind part scored once per release.
GOLD_TRAIN_FILE = ANNOTATIONS_DIR / "gold_train_v1.csv"
GOLD_BLIND_FILE = ANNOTATIONS_DIR / "gold_blind_v1.csv"
PROCESSED_DIR = DATA_DIR / "processed"
#: Parsed corpora and finished tables of ``run`` (see :mod:`analysis.cache`); ``UNSPEECH_CACHE_DIR`` moves it.
CACHE_DIR = Path(os.environ.get("UNSPEECH_CACHE_DIR") or PROCESSED_DIR / "cache")
MODELS_DIR = PROCESSED_DIR / "models"

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
FIGURES_DIR = PROJECT_ROOT / "figures"
REPORTS_DIR = PROJECT_ROOT / "reports"

#: The default corpus: the embedded sample speech (Kazakhstan, S/PV.7316, 2014).
DEFAULT_CORPUS = RAW_DIR

#: The shared real corpora (read-only); may be absent.
SHARED_CORPORA = Path(os.environ.get("UNSPEECH_CORPORA", PROJECT_ROOT.parent / "shared" / "corpora"))
