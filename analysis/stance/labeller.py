"""The ready-to-use stance labeller: rules, model or auto, trained from the gold set, the model cached
(:mod:`analysis.cache`) by what it depends on."""
from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from .. import __version__, cache, paths
from ..errors import InputError
from ..gold import debate_of, read_gold
from ..io import file_sha256
from ..validation import as_texts
from .codebook import Codebook, Method, METHODS
from .cuefile import get_codebook
from .evaluate import select_method
from .model import fit_stance_model
from .rules import RuleStanceClassifier, evidence, resolve_texts

@dataclasses.dataclass
class StanceLabeller:
    """A ready-to-use stance labeller (see :func:`train_stance_labeller`).

    Attributes
    ----------
    method : {"rules", "model"}
        What labels sentences (``auto`` resolved to one of them).
    requested : str
        The method asked for.
    codebook : Codebook
    rules : RuleStanceClassifier
        Fitted on the gold set when there is one (calibrated rule scores), else without labels.
    model : Pipeline or None
    selection : dict
        How ``auto`` chose: cross-validated macro-F1 of each method on the gold set.
    gold_sha256 : str
        Hash of the gold file used ("" when none).
    """

    method: str
    requested: str
    codebook: Codebook
    rules: RuleStanceClassifier
    model: object = None
    selection: dict = dataclasses.field(default_factory=dict)
    gold_sha256: str = ""

    def label(self, texts: Sequence[str] | pd.Series) -> pd.DataFrame:
        """``stance``, ``cue`` (evidence) and ``score`` (calibrated probability of ``stance``) per sentence."""
        texts = as_texts(texts)
        if self.method == "rules":
            return self.rules.explain(texts)
        proba = self.model.predict_proba(texts) if texts else np.zeros((0, len(self.model.classes_)))
        classes = np.asarray(self.model.classes_, dtype=object)
        stance = classes[proba.argmax(axis=1)] if len(texts) else np.zeros(0, dtype=object)
        resolution = resolve_texts(texts, self.codebook)
        rank_of = {label: index for index, label in enumerate(self.codebook.precedence)}
        rank = np.array([rank_of[label] for label in stance], dtype=np.int64)
        return pd.DataFrame({"stance": stance, "cue": evidence(resolution, self.codebook, rank),
                             "score": proba.max(axis=1) if len(texts) else np.zeros(0)})

    def default_scores(self, texts: Sequence[str] | pd.Series) -> np.ndarray:
        """The calibrated probability that each sentence has the codebook's default label (``neutral``; NaN when
        the labeller has no calibration), for sentences a rule outside the labeller sets to the default
        (procedural sentences)."""
        texts = as_texts(texts)
        if self.method == "rules" and self.rules.calibrator_ is None:
            return np.full(len(texts), np.nan)
        estimator = self.rules if self.method == "rules" else self.model
        if not texts:
            return np.zeros(0)
        proba = estimator.predict_proba(texts)
        classes = list(estimator.classes_)
        if self.codebook.default not in classes:  # the gold set never uses the default label
            return np.zeros(len(texts))
        return proba[:, classes.index(self.codebook.default)]


def _package_versions() -> dict[str, str]:
    import platform

    import scipy
    import sklearn

    return {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
            "pandas": pd.__version__, "scikit-learn": sklearn.__version__, "analysis": __version__}


def _model_key(gold_sha256: str, codebook: Codebook, *, method: str, seed: int, n_splits: int,
               model_params: Mapping | None) -> str:
    """Cache key: what the fitted model depends on (gold file, cue file, parameters, package versions)."""
    import json

    payload = json.dumps({"gold": gold_sha256, "codebook": codebook.sha256 or repr(codebook.cues), "method": method,
                          "seed": seed, "n_splits": n_splits, "params": dict(sorted((model_params or {}).items())),
                          "versions": _package_versions()}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def gold_files_sha256(files: Sequence[str | Path]) -> str:
    """One fingerprint of the gold files a labeller learns from (of the one file's bytes when there is one)."""
    hashes = [file_sha256(path) for path in files]
    return hashes[0] if len(hashes) == 1 else hashlib.sha256("\0".join(hashes).encode("ascii")).hexdigest()


def train_stance_labeller(
    *,
    method: Method = "auto",
    gold: str | Path | pd.DataFrame | None = None,
    codebook: Codebook | str | Path | None = None,
    seed: int = 0,
    n_splits: int = 5,
    model_params: Mapping | None = None,
    cache_dir: str | Path | None = paths.MODELS_DIR,
) -> StanceLabeller:
    """A stance labeller trained from the gold set, fitted once and cached.

    Parameters
    ----------
    method : {"rules", "model", "auto"}
        ``auto`` cross-validates rules and model on the gold set (grouped by debate, ``n_splits`` folds,
        fixed ``seed``) and keeps the one with the higher macro-F1.
    gold : path, sequence of paths or DataFrame, optional
        Training sentences (default :data:`analysis.paths.GOLD_STANCE_TRAIN_FILES`: ``gold_train_v1.csv`` and
        ``gold_criticism_v1.csv``). Without a gold file, ``rules``
        and ``auto`` fall back to uncalibrated rules (empty ``score``) and ``model`` is an error.
    cache_dir : path or None
        Fitted models are stored here (``stance-<key>.joblib``), keyed by the gold file's hash, the cue
        file's hash, the parameters and the package versions; ``None`` disables the cache. Nothing is ever
        downloaded.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r} (valid: {', '.join(METHODS)})")
    codebook = get_codebook(codebook)
    if gold is None:
        gold = paths.GOLD_STANCE_TRAIN_FILES
    files = [Path(gold)] if isinstance(gold, (str, Path)) else None if isinstance(gold, pd.DataFrame) \
        else [Path(part) for part in gold]
    if isinstance(gold, pd.DataFrame):
        frame = gold
        gold_sha256 = hashlib.sha256(pd.util.hash_pandas_object(frame[["text", "stance"]], index=False)
                                     .to_numpy().tobytes()).hexdigest()
    elif all(path.is_file() for path in files):
        frame = read_gold(files[0] if len(files) == 1 else files, labels=codebook.labels)
        gold_sha256 = gold_files_sha256(files)
    else:
        if method == "model":
            raise InputError("gold set not found: the model is trained from it (use --method rules)", path=gold)
        rules = RuleStanceClassifier(codebook=codebook).fit([])
        return StanceLabeller(method="rules", requested=method, codebook=codebook, rules=rules,
                              selection={"note": f"no gold set at {gold}: rules, uncalibrated"})
    texts, y = frame["text"].tolist(), frame["stance"].to_numpy(dtype=object)
    rules = RuleStanceClassifier(codebook=codebook).fit(texts, y)
    if method == "rules":
        return StanceLabeller(method="rules", requested=method, codebook=codebook, rules=rules,
                              gold_sha256=gold_sha256)
    key = _model_key(gold_sha256, codebook, method=method, seed=seed, n_splits=n_splits, model_params=model_params)
    cached = cache.load_object("stance", key, cache_dir=cache_dir)
    if cached is None:
        model = fit_stance_model(texts, y, codebook=codebook, seed=seed, model_params=model_params)
        selection = {}
        if method == "auto":
            selection = select_method(texts, y, groups=debate_of(frame), n_splits=n_splits, seed=seed,
                                      codebook=codebook, model_params=model_params)
        cached = {"model": model, "selection": selection}
        cache.store_object("stance", key, cached, cache_dir=cache_dir)
    chosen = cached["selection"].get("chosen", "model") if method == "auto" else "model"
    return StanceLabeller(method=chosen, requested=method, codebook=codebook, rules=rules, model=cached["model"],
                          selection=dict(cached["selection"]), gold_sha256=gold_sha256)


def label_sentences(
    frame: pd.DataFrame,
    *,
    labeller: StanceLabeller | None = None,
    method: Method = "auto",
    themes: Callable[[list[str]], Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Add ``themes``, ``stance``, ``cue`` and ``score`` to a table with a ``text`` column (others kept).

    Parameters
    ----------
    labeller : StanceLabeller, optional
        Default: :func:`train_stance_labeller` with ``method``.
    themes : callable, optional
        Theme labels of a list of texts (``;``-joined, sorted); ``None`` leaves ``themes`` empty. This is
        the seam where :func:`analysis.themes.label_themes` plugs in.
    """
    if "text" not in frame:
        raise InputError("the table has no 'text' column")
    if labeller is None:
        labeller = train_stance_labeller(method=method)
    texts = as_texts(frame["text"])
    labelled = frame.copy()
    labelled["themes"] = list(themes(texts)) if themes is not None else ""
    stance = labeller.label(texts)
    for column in ("stance", "cue", "score"):
        labelled[column] = stance[column].to_numpy()
    return labelled


