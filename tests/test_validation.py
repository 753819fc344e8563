"""as_texts: the fast paths (a column of strings, a list of str) give what the value-by-value loop gives."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.validation import as_texts


class _Text(str):
    """A str subclass: kept as it is (the loop's answer), not copied as a plain str."""


@pytest.mark.parametrize("texts, expected", [
    (pd.Series(["a", None, "b"], dtype="str"), ["a", "", "b"]),
    (pd.Series(["a", pd.NA, None], dtype="string"), ["a", "", ""]),
    (pd.Series([], dtype="str"), []),
    (pd.Series(["a", None, np.nan], dtype=object), ["a", "", ""]),
    (["x", "y"], ["x", "y"]),
    (["x", None], ["x", ""]),
    ([], []),
    (("x", "y"), ["x", "y"]),
])
def test_as_texts(texts, expected):
    found = as_texts(texts)
    assert found == expected and all(type(value) is str for value in found)


def test_as_texts_returns_a_new_list_and_keeps_str_subclasses():
    texts = ["a", "b"]
    assert as_texts(texts) is not texts
    assert type(as_texts(["a", _Text("b")])[1]) is _Text


@pytest.mark.parametrize("texts, message", [("one text", "single str"), ([1, "a"], r"texts\[0\] is a int"),
                                            (pd.Series([1, 2]), r"texts\[0\] is a int")])
def test_as_texts_refuses(texts, message):
    with pytest.raises(TypeError, match=message):
        as_texts(texts)
