"""Errors that reach the user as one line: the file, the line, and what is wrong."""
from __future__ import annotations

import re
from pathlib import Path


class AnalysisError(Exception):
    """A problem with the user's input, arguments or configuration.

    The command line prints ``str(error)`` on one line and exits with code 2; no traceback unless ``--debug``.

    Parameters
    ----------
    message : str
        What is wrong, and where possible what to do about it.
    path : str or Path, optional
        The file at fault.
    line : int, optional
        1-based line number in ``path``.
    """

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None):
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
            where += ": "
        # One line whatever the message holds (a parser's multi-line message, a value with a line break).
        return re.sub(r"\s*\n\s*", " ", f"{where}{self.message}")


class ConfigError(AnalysisError):
    """A configuration file (theme lexicon, stance codebook, stopword list) is malformed."""


class InputError(AnalysisError):
    """A corpus, table or annotation file cannot be used as given."""


class OutputError(AnalysisError):
    """An output file or folder cannot be written (it is a file, read-only, or the disk is full)."""
