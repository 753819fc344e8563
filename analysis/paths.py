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
#: Hand-labelled sentences: the training part, and the blind part scored once per release.
GOLD_TRAIN_FILE = ANNOTATIONS_DIR / "gold_train_v1.csv"
GOLD_BLIND_FILE = ANNOTATIONS_DIR / "gold_blind_v1.csv"
#: Stance and themes of sentences sampled for implicit criticism, from debates no other gold file uses (training).
GOLD_CRITICISM_FILE = ANNOTATIONS_DIR / "gold_criticism_v1.csv"
#: What the stance labellers learn from: the training part and the criticism set.
GOLD_STANCE_TRAIN_FILES = (GOLD_TRAIN_FILE, GOLD_CRITICISM_FILE)
#: UN member states and Security Council seats, copied unchanged from the project's checked reference set
#: (see ``data/reference/README.md``); ``aliases_extra.csv`` holds the project's own additional name forms.
REFERENCE_DIR = DATA_DIR / "reference"
UN_MEMBER_STATES_FILE = REFERENCE_DIR / "un_member_states.csv"
UNSC_MEMBERSHIP_FILE = REFERENCE_DIR / "unsc_membership.csv"
UN_ALIAS_PROVENANCE_FILE = REFERENCE_DIR / "un_member_states_alias_provenance.csv"
UN_ALIASES_EXTRA_FILE = REFERENCE_DIR / "aliases_extra.csv"
#: Where the explorer writes an analyst's labels by default (gold CSVs, kept: ``make clean`` does not touch it).
LABELS_DIR = DATA_DIR / "labels"
LABELS_FILE = LABELS_DIR / "analyst.csv"
PROCESSED_DIR = DATA_DIR / "processed"
#: Full public corpora fetched by ``python -m analysis download NAME`` (default: ``EXTERNAL_DIR / NAME``); not committed.
EXTERNAL_DIR = DATA_DIR / "external"
#: Parsed corpora and finished tables of ``run`` (see :mod:`analysis.cache`); ``UNSPEECH_CACHE_DIR`` moves it.
CACHE_DIR = Path(os.environ.get("UNSPEECH_CACHE_DIR") or PROCESSED_DIR / "cache")
MODELS_DIR = PROCESSED_DIR / "models"

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
FIGURES_DIR = PROJECT_ROOT / "figures"
REPORTS_DIR = PROJECT_ROOT / "reports"

#: The default corpus of ``run``: the embedded sample speech (Kazakhstan, S/PV.7316, 2014).
DEFAULT_CORPUS = RAW_DIR
#: The sample speech's folder (notebook 00 follows it by default).
SAMPLE_CORPUS = RAW_DIR
#: The corpus the corpus-level notebooks read by default: six sessions of the UN General Debate, ten years
#: apart (CC0; ``data/corpora/README.md``).
CORPORA_DIR = DATA_DIR / "corpora"
EXAMPLE_CORPUS = CORPORA_DIR / "ungdc_1974-2024_decades.parquet"

#: The shared real corpora (read-only); may be absent.
SHARED_CORPORA = Path(os.environ.get("UNSPEECH_CORPORA", PROJECT_ROOT.parent / "shared" / "corpora"))

#: Shared reference data for validating estimators against published results (read-only); may be absent.
#: ``scaling/`` holds the word-count matrices of austin's Wordscores and Wordfish examples.
SHARED_VALIDATION = Path(os.environ.get("UNSPEECH_VALIDATION", SHARED_CORPORA.parent / "validation"))

def resolve_input(path: str | Path) -> Path:
    """A path the user gave, found wherever the code runs: as given when it exists (relative to the working
    folder), else relative to the project root (so ``"data/raw"`` works from ``notebooks/`` too).

    >>> resolve_input("data/raw") == RAW_DIR or Path("data/raw").exists()
    True
    """
    path = Path(path).expanduser()
    if path.exists() or path.is_absolute():
        return path
    rooted = PROJECT_ROOT / path
    return rooted if rooted.exists() else path


def default_output_dir(corpus: str | Path) -> Path:
    """Where ``run`` writes when no ``--out`` is given: ``data/processed/<corpus name>/`` (a table's name
    without its suffix).

    >>> default_output_dir("/x/corpora/unsc_umuc") == PROCESSED_DIR / "unsc_umuc"
    True
    """
    path = Path(corpus)
    name = path.stem if path.suffix.lower() in {".csv", ".parquet", ".txt"} else path.name
    return PROCESSED_DIR / (name or "corpus")
