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

    Attributes
    ----------
    more : list of PlcaseInputError
        Further problems found in the same file in the same pass (a reader
        that can go on past a problem collects them all), so that
        ``plcase validate`` lists every one; empty by default.

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
        self.more: list[PlcaseInputError] = []
        super().__init__(self._format())

    def with_more(self, more) -> PlcaseInputError:
        """This error, carrying the file's further problems (``more``), said in its message.

        Examples
        --------
        >>> first = PlcaseInputError("unknown code 'grwo'", path="GO-T1.txt", line=12)
        >>> err = first.with_more([PlcaseInputError("tag {#glow} is never closed",
        ...                                         path="GO-T1.txt", line=30)])
        >>> str(err)
        "GO-T1.txt:12: unknown code 'grwo'; 1 more problem in this file, on line 30"
        >>> [str(e) for e in err.more]
        ['GO-T1.txt:30: tag {#glow} is never closed']
        """
        self.more = list(more)
        if self.more:
            lines = sorted({e.line for e in self.more if e.line is not None})
            on = (f", on line{'s' if len(lines) > 1 else ''} " + ", ".join(map(str, lines))
                  if lines else "")
            n = len(self.more)
            self.args = (self._format() + f"; {n} more problem{'s' if n > 1 else ''} in this "
                         f"file{on}",)
        return self

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
