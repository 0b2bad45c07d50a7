"""Errors and warnings raised by plcase.

Every problem with a researcher's files is reported as a :class:`PlcaseInputError`
that names the file, the line (where there is one) and what to do about it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PlcaseError", "PlcaseInputError", "PlcaseWarning"]


class PlcaseError(ValueError):
    """Base class of every error plcase raises on purpose."""


class PlcaseInputError(PlcaseError):
    """A problem in an input file, located and explained.

    Parameters
    ----------
    message : str
        What is wrong, in plain words.
    path : str or Path, optional
        The file that holds the problem.
    line : int, optional
        1-based line number in that file.
    hint : str, optional
        What the researcher can do to fix it.

    Examples
    --------
    >>> err = PlcaseInputError("unknown code 'grwo'", path="GO-T1.txt", line=12,
    ...                        hint="use a code from codebook.yml")
    >>> str(err)
    "GO-T1.txt:12: unknown code 'grwo' (use a code from codebook.yml)"
    """

    def __init__(self, message: str, path: str | Path | None = None,
                 line: int | None = None, hint: str | None = None):
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line
        self.hint = hint
        super().__init__(self._format())

    def _format(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
            where += ": "
        text = where + self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class PlcaseWarning(UserWarning):
    """A recoverable problem in an input file (for example a cp1252 file)."""
