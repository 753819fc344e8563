"""Tests for the analysis.corpus package as a whole: its public names, its doctests and its module layout.

The behaviour of each module is tested beside it: ``test_corpus_decode.py``, ``test_corpus_names.py``,
``test_corpus_clean.py``, ``test_corpus_segment.py`` and ``test_corpus_read.py`` (reading: formats, documents,
folders).
"""
from __future__ import annotations

import ast
import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import analysis.corpus as corpus

SUBMODULES = [importlib.import_module(f"analysis.corpus.{info.name}") for info in pkgutil.iter_modules(corpus.__path__)]


def test_the_package_re_exports_every_public_name_of_its_modules():
    for module in SUBMODULES:
        for name in module.__all__:
            assert getattr(corpus, name) is getattr(module, name), f"{module.__name__}.{name}"
            assert name in corpus.__all__, f"{module.__name__}.{name}"
    assert len(corpus.__all__) == len(set(corpus.__all__))


@pytest.mark.parametrize("module", SUBMODULES, ids=lambda module: module.__name__)
def test_module_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, module.__name__


def test_the_doctests_are_found():
    attempted = sum(doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE).attempted
                    for module in SUBMODULES)
    assert attempted >= 8  # parse_file_name (2), parse_header (2), clean_speech, split_sentences (2), metadata_value


@pytest.mark.parametrize("module", SUBMODULES, ids=lambda module: module.__name__)
def test_no_module_imports_a_private_name_of_another(module):
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    private = [f"{node.module}.{alias.name}" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
               for alias in node.names if alias.name.startswith("_")]
    assert private == []
