"""The source datasets' tables: reading them as strings, and the names by which their rows meet the files.

pandas is imported only when a table is read, so that the command line starts fast.
"""
from __future__ import annotations

import io
import re
from pathlib import Path, PurePosixPath

from ..errors import InputError

__all__ = ["excel_engine", "file_stem", "normalise_name", "read_table"]


def normalise_name(name: str) -> str:
    """A column name in lower case with every run of other characters than letters and digits as one ``_``.

    >>> normalise_name("Name of Person Speaking")
    'name_of_person_speaking'
    """
    return re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_")


def file_stem(value: str) -> str:
    """The file name in ``value`` (a path with ``/`` or ``\\``), without a ``.txt`` extension.

    >>> file_stem("speeches/UNSC_2014_SPV.7138_spch002.txt")
    'UNSC_2014_SPV.7138_spch002'
    """
    name = PurePosixPath(str(value).replace("\\", "/")).name
    return name[:-4] if name.lower().endswith(".txt") else name


def excel_engine() -> str | None:
    """An Excel reader pandas can use, if one is installed (the project does not depend on one)."""
    import importlib.util

    for module, engine in (("python_calamine", "calamine"), ("openpyxl", "openpyxl")):
        if importlib.util.find_spec(module) is not None:
            return engine
    return None


def read_table(path: str | Path):
    """Read a TSV (``.tsv``, ``.tab``) or CSV table of the source datasets as strings.

    Tolerates what the UN Security Council Debates tables are known to hold: no quoting (fields carry
    unescaped quotation marks), ``NA`` for missing values, a header without the row-name column that R writes,
    and a line break inside a field (S/PV.5225), which splits a row over two lines: lines are joined until
    the row has as many fields as the header. Rows with too many fields are left out and counted in
    ``frame.attrs["broken_rows"]``.
    """
    import pandas as pd

    from ..corpus import SkipFile, decode_bytes

    path = Path(path)
    try:
        text, _ = decode_bytes(path.read_bytes())
    except SkipFile as reason:
        raise InputError(f"cannot read table: {reason}", path=path) from None
    separator = "," if path.suffix.lower() == ".csv" else "\t"
    if separator == ",":
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=["NA"]).fillna("")
        frame.attrs["broken_rows"] = 0
        return frame
    lines = [line.rstrip("\r") for line in text.split("\n")]
    header = [field.strip().strip('"') for field in lines[0].split("\t")] if lines else []
    body = [line for line in lines[1:] if line.strip()]
    if body and len(body[0].split("\t")) == len(header) + 1:
        header = ["row_id"] + header  # R's write.table leaves the row-name column unnamed
    header = [name or ("row_id" if i == 0 else f"column_{i + 1}") for i, name in enumerate(header)]
    rows, pending, broken = [], "", 0
    for line in body:
        pending = line if not pending else f"{pending} {line}"
        fields = pending.split("\t")
        if len(fields) < len(header):
            continue
        if len(fields) == len(header):
            rows.append(["" if value == "NA" else value.strip() for value in fields])
        else:
            broken += 1
        pending = ""
    broken += bool(pending)
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame.attrs["broken_rows"] = broken
    return frame

