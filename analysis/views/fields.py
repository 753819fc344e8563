"""Metadata fields as every view reads them: :func:`field_values` gives a column as stripped strings, with
missing values as ``""``.
"""
from __future__ import annotations

import pandas as pd

__all__ = ["field_values"]


def field_values(frame: pd.DataFrame, column: str) -> pd.Series:
    """A metadata column as stripped strings, missing values as ``""``.

    Parameters
    ----------
    frame : DataFrame
        A documents table.
    column : str
        One of its columns.

    Returns
    -------
    Series
        Aligned with ``frame``.

    >>> field_values(pd.DataFrame({"country": [" France ", None]}), "country").tolist()
    ['France', '']
    """
    return frame[column].astype(object).where(frame[column].notna(), "").map(lambda v: str(v).strip())
