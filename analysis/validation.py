"""Input checks shared by every module: one way to say a value or a column is wrong.

Each check raises with a message that names the bad value and the valid ones, in the same words everywhere
(textacy's ``errors.value_invalid_msg``; scikit-learn's one validation path). Library callers get ``TypeError``
for a wrong kind of object, ``ValueError`` for a wrong value and ``KeyError``-free messages for missing
columns (a :class:`ValueError`, since the object is of the right kind and lacks something).
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = ["as_texts", "invalid_value", "require_columns", "require_frame"]


def invalid_value(name: str, value: object, valid: Iterable[object]) -> str:
    """The message for a value outside its valid set.

    >>> invalid_value("sort", "size", ["count", "value"])
    "sort must be one of 'count', 'value'; got 'size'"
    """
    return f"{name} must be one of {', '.join(map(repr, valid))}; got {value!r}"


def require_frame(data: object, what: str) -> pd.DataFrame:
    """``data`` itself when it is a DataFrame, else a :class:`TypeError` naming ``what`` expected it."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{what} expects a DataFrame, got {type(data).__name__}")
    return data


def require_columns(data: pd.DataFrame, columns: Sequence[str], what: str) -> pd.DataFrame:
    """``data`` when it is a DataFrame holding ``columns``; else an error naming the missing ones and the
    columns there are.

    >>> require_columns(pd.DataFrame({"a": [1]}), ["a", "b"], "chart")
    Traceback (most recent call last):
    ...
    ValueError: chart: no column 'b' in the data; columns are: a
    """
    require_frame(data, what)
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"{what}: no column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} "
                         f"in the data; columns are: {', '.join(map(str, data.columns))}")
    return data


def as_texts(texts: object, what: str = "texts") -> list[str]:
    """A list of str from a list, tuple, array or Series of texts (a DataFrame: its ``text`` column).

    The same answer everywhere: a bare ``str`` is refused (a common slip: it would be read letter by letter);
    ``None`` and NaN entries are empty texts; numbers are refused (a column of ids passed by mistake), as is a
    DataFrame without a ``text`` column (iterating it would give its column names).

    >>> as_texts(["We condemn terrorism.", None])
    ['We condemn terrorism.', '']
    """
    if isinstance(texts, (str, bytes)):
        raise TypeError(f"expected a sequence of {what}, got a single {type(texts).__name__}; wrap it in a list")
    if isinstance(texts, pd.DataFrame):
        if "text" not in texts.columns:
            raise TypeError(f"expected a sequence of {what} or a DataFrame with a 'text' column; got a DataFrame "
                            f"with columns {', '.join(map(str, texts.columns[:8]))}")
        texts = texts["text"]
    if texts is None or not hasattr(texts, "__iter__"):
        raise TypeError(f"expected a sequence of {what}, got {type(texts).__name__}")
    # The common cases without a look at each value in Python: a column of strings, a list of str.
    if isinstance(texts, pd.Series) and isinstance(texts.dtype, pd.StringDtype):
        return texts.fillna("").tolist()
    if type(texts) is list and all(type(value) is str for value in texts):
        return list(texts)
    found = []
    for position, value in enumerate(texts):
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            found.append("")
        elif isinstance(value, str):
            found.append(value)
        else:
            raise TypeError(f"{what}[{position}] is a {type(value).__name__} ({value!r:.40}), not a text")
    return found
