"""Project-level checks: packaging files agree, the Makefile and CI keep their contract, the README matches."""
from __future__ import annotations

import re
import tomllib

import yaml

from analysis import paths

ROOT = paths.PROJECT_ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _bound(requirement: str) -> str:
    match = re.search(r">=\s*([\w.]+)", requirement)
    return match.group(1) if match else ""


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements.extend(extra)
    return {_name(r): _bound(r) for r in requirements}


def _conda_requirements() -> dict[str, str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    requirements = {}
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):  # a pip: section
            for r in entry.get("pip", []):
                requirements[_name(r)] = _bound(r)
        elif _name(entry) not in {"python", "pip"}:
            requirements[_name(entry)] = _bound(entry)
    return requirements


def test_environment_yml_lists_the_same_packages_and_bounds_as_pyproject():
    assert _conda_requirements() == _pyproject_requirements()


def test_declared_stack_is_present():
    declared = _pyproject_requirements()
    for package in ("jupyterlab", "scikit-learn", "pandas", "matplotlib", "nltk", "pytest", "nbval"):
        assert package in declared, package
        assert declared[package], f"{package} has no lower bound"


def test_makefile_targets_are_self_documenting():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("help", "setup", "setup-browser", "figures", "test", "lab", "explore"):
        assert re.search(rf"^{target}:.*## ", makefile, re.MULTILINE), target
    assert re.search(r"^figures: \$\(STAMP\)", makefile, re.MULTILINE)
    assert re.search(r"^test: \$\(STAMP\)", makefile, re.MULTILINE)


def test_make_explore_serves_live_widgets_on_the_loopback_only():
    from analysis.explore.widgets import MODE_VARIABLE

    recipe = re.search(r"^explore:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.MULTILINE).group(1)
    assert f"{MODE_VARIABLE}=live" in recipe and "--Voila.ip=127.0.0.1" in recipe and "--no-browser" in recipe


def test_ci_runs_the_readme_test_command_with_corpora_required():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
    assert "UNSPEECH_REQUIRE_CORPORA=1" in ci
    # The explorer's browser tests cannot be skipped in CI either (tests/test_explore_browser.py).
    assert "UNSPEECH_REQUIRE_BROWSER=1" in ci and ci.index("UNSPEECH_REQUIRE_BROWSER=1") < ci.index("make test")
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make figures" in readme


def test_sample_speech_and_metadata_are_embedded():
    assert (paths.RAW_DIR / "sample_speech.txt").read_text().startswith("Mr. Abdrakhmanov (Kazakhstan):")
    metadata = (paths.RAW_DIR / "metadata.csv").read_text()
    assert "S/PV.7316" in metadata and "2014-11-19" in metadata


def test_readme_documents_every_sub_command():
    from analysis.cli import build_parser

    readme = (ROOT / "README.md").read_text()
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    for command in subparsers.choices:
        assert f"python -m analysis {command}" in readme, command
