"""A researcher's own lexicon, end to end: `run`, `label`, `evaluate` and `figures` name exactly its themes.

The corpus is real: the 2024 session of the default corpus (the UN General Debate Corpus, CC0, shipped in
``data/corpora``). The lexicons are ``tests/fixtures/lexicons/``: climate, migration and terrorism (one theme
shared with the shipped lexicon), and climate and migration (none shared). The gold file for them,
``tests/fixtures/gold_climate.csv``, is described in ``tests/fixtures/README.md``.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis import paths
from analysis.cli import main
from analysis.themes import load_lexicon

FIXTURES = Path(__file__).parent / "fixtures"
LEXICONS = {
    "three": FIXTURES / "lexicons" / "climate_migration_terrorism.yml",
    "two": FIXTURES / "lexicons" / "climate_migration.yml",
}
GOLD = FIXTURES / "gold_climate.csv"
#: Themes of the shipped lexicon that neither test lexicon has.
FOREIGN = sorted(set(load_lexicon().names) - set(load_lexicon(LEXICONS["three"]).names))

pytestmark = pytest.mark.slow


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The 2024 General Debate of the default corpus: 192 real speeches."""
    table = pd.read_parquet(paths.EXAMPLE_CORPUS)
    path = tmp_path_factory.mktemp("corpus") / "ungdc_2024.parquet"
    table[table["year"].astype(str) == "2024"].to_parquet(path, index=False)
    return path


@pytest.fixture(scope="module", params=sorted(LEXICONS))
def own(request, corpus, tmp_path_factory):
    """One lexicon's `run` and `figures`, shared by the tests of that lexicon."""
    lexicon = LEXICONS[request.param]
    out = tmp_path_factory.mktemp(f"own-{request.param}")
    assert main(["run", "--corpus", str(corpus), "--themes", str(lexicon), "--out", str(out / "run"),
                 "--no-progress", "--no-cache"]) == 0
    assert main(["figures", "--corpus", str(corpus), "--themes", str(lexicon), "--out", str(out)]) == 0
    return request.param, load_lexicon(lexicon).names, out


def test_run_writes_the_lexicons_themes_and_no_other(own):
    name, themes, out = own
    documents = _read(out / "run" / "documents.csv")
    assert [c for c in documents.columns if c.startswith("theme_")] == [f"theme_{t}" for t in themes]
    assert [c for c in documents.columns if c.startswith("n_sentences_")] == [f"n_sentences_{t}" for t in themes]
    assert set(documents["dominant_theme"]) <= {*themes, "mixed", ""}
    # the corpus speaks of them (a dominant theme needs a quarter of a speech's theme mass, which few reach)
    assert all(documents[f"n_sentences_{t}"].astype(int).sum() > 0 for t in themes)
    sentences = _read(out / "run" / "sentences.csv")
    used = {theme for value in sentences["themes"] for theme in value.split(";") if theme}
    assert used == set(themes)
    manifest = json.loads((out / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["themes"] == list(themes)
    assert manifest["themes_file"] == str(LEXICONS[name])


def test_every_figure_table_and_report_names_exactly_the_lexicons_themes(own):
    _, themes, out = own
    allowed = {*themes, "mixed", "(none)", "(no theme)", ""}
    figures = out / "figures"
    assert _read(figures / "00-theme-counts.csv")["theme"].tolist() == list(themes)
    strip = _read(figures / "00-sentence-map.csv").columns.tolist()
    assert strip[strip.index("sentence_id") + 1:strip.index("stance")] == list(themes)
    for chart in ("03-theme-shares", "03-theme-rates"):
        assert _read(figures / f"{chart}.csv")["label"].tolist() == list(themes)
    checked = 0
    for path in sorted(figures.glob("*.csv")):
        table = _read(path)
        assert not set(FOREIGN) & set(table.columns), path.name
        for column in ("theme", "themes", "dominant_theme"):
            if column in table:
                values = {v for value in table[column] for v in value.split(";")}
                assert values <= allowed, (path.name, values - allowed)
                checked += 1
        if path.name.startswith(("03-theme", "03-themes")):
            assert set(table["label"]) <= set(themes), path.name
            checked += 1
    assert checked >= 6  # the theme charts of notebooks 00, 03 and 04 (the 2024 slice has no time axis)
    for report in sorted((out / "reports").glob("*.html")):
        html = report.read_text(encoding="utf-8")
        named = set(re.findall(r"\b(?:theme|n_sentences|n_mentions|overlap)_([a-z][a-z0-9_]*)\b", html))
        assert named <= set(themes), (report.name, named - set(themes))


def test_label_gives_the_lexicons_themes(own, tmp_path):
    _, themes, _ = own
    name = own[0]
    sentences = _read(GOLD)[["id", "text"]]
    sentences.to_csv(tmp_path / "in.csv", index=False)
    assert main(["label", str(tmp_path / "in.csv"), "-o", str(tmp_path / "out.csv"), "--method", "rules",
                 "--themes", str(LEXICONS[name])]) == 0
    labelled = _read(tmp_path / "out.csv")
    used = {theme for value in labelled["themes"] for theme in value.split(";") if theme}
    assert used == set(themes)


def test_evaluate_scores_the_lexicons_themes_against_their_gold(tmp_path, capsys):
    lexicon = LEXICONS["three"]
    assert main(["evaluate", "--themes", str(lexicon), "--theme-gold", str(GOLD), "--methods", "rules",
                 "--no-blind", "--folds", "2", "--out", str(tmp_path)]) == 0
    themes = list(load_lexicon(lexicon).names)
    table = _read(tmp_path / "theme_evaluation.csv")
    assert sorted(set(table["theme"]) - {"micro", "macro"}) == sorted(themes)
    assert set(table["method"]) == {"lexicon", "keyword baseline"}
    report = (tmp_path / "stance_evaluation.md").read_text(encoding="utf-8")
    assert "## Themes" in report and all(f"| {theme} |" in report for theme in themes)
    assert not any(f"| {theme} |" in report for theme in FOREIGN)


def test_evaluate_without_gold_for_the_themes_skips_only_the_theme_evaluation(tmp_path, capsys):
    assert main(["evaluate", "--themes", str(LEXICONS["two"]), "--methods", "rules", "--no-blind", "--folds", "2",
                 "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "theme evaluation skipped" in err and "climate, migration" in err
    assert (tmp_path / "stance_summary.csv").is_file() and not (tmp_path / "theme_evaluation.csv").exists()


def test_a_gold_theme_the_lexicon_lacks_is_a_one_line_error(tmp_path, capsys):
    assert main(["evaluate", "--themes", str(LEXICONS["two"]), "--theme-gold", str(GOLD), "--methods", "rules",
                 "--no-blind", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    line = _read(GOLD)["themes"].tolist().index("terrorism") + 2
    assert err.count("\n") == 0
    assert err.startswith(f"error: {GOLD}:{line}: theme 'terrorism' is not in the lexicon")
