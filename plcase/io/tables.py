"""Survey tables (CSV, TSV, Excel) read strictly: every cell as text, every problem located.

:func:`read_table` is the boundary between a researcher's spreadsheet and plcase: it
either returns every row and column exactly as the file holds them (cells as text,
``None`` for empty cells) or raises a :class:`~plcase.errors.PlcaseInputError` naming
the file and line (or cell).  :func:`plcase.read_responses` builds a study from it;
the rules are listed in :mod:`plcase.io.responses`.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re
import warnings
from operator import itemgetter
from pathlib import Path

import numpy as np
import pandas as pd

from plcase.errors import PlcaseError, PlcaseInputError, PlcaseWarning
from plcase.io._safe import open_archive

__all__ = ["read_table", "SHEET_COLUMN"]

#: The column added by ``sheet="all"``.
SHEET_COLUMN = "sheet"


def read_table(path: str | Path, *, sheet: str | int | None = None,
               columns: list[str] | None = None) -> tuple[pd.DataFrame, np.ndarray, str]:
    """Read a survey table as text, strictly (see the module notes).

    Parameters
    ----------
    path : str or Path
        A ``.csv``, ``.tsv`` or ``.xlsx`` file.
    sheet : str, int or "all", optional
        See :func:`read_responses`.
    columns : list of str, optional
        Keep only these columns (an error names any that is missing).

    Returns
    -------
    frame : DataFrame
        Every cell as ``str`` or ``None`` (empty), columns as in the header.
    lines : ndarray of int
        Each row's line in the file (CSV) or row number in the sheet (Excel).
    where : str
        How to name the file in messages (``survey.xlsx[Sheet1]`` for a sheet).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
    >>> _ = f.write_text("id,answer\\nA1,Fine\\nA2,More time, less noise\\n")
    >>> read_table(f)
    Traceback (most recent call last):
    ...
    plcase.errors.PlcaseInputError: ...s.csv:3: 3 fields, but the header has 2 ...
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        frame, lines, where = _read_workbook(path, sheet)
        _check_columns(list(frame.columns), columns, where)
        return (frame if columns is None else frame[columns]), lines, where
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PlcaseInputError(f"cannot read the responses: {exc.strerror or exc}", path=path,
                               hint="check the path") from None
    return _read_csv(data, path, sep="\t" if suffix == ".tsv" else ",", columns=columns)


def _check_columns(header: list[str], columns: list[str] | None, where) -> None:
    missing = [c for c in columns or [] if c not in header]
    if missing:
        raise PlcaseInputError(f"no column(s) {', '.join(repr(c) for c in missing)}", path=where,
                               line=1,
                               hint=f"the columns are {', '.join(repr(c) for c in header)}")


# --------------------------------------------------------------------------- CSV

def _decode(data: bytes, path: Path) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise PlcaseInputError("the file starts like UTF-16 text but is not", path=path,
                                   line=1, hint="save it again as 'CSV UTF-8'") from None
    sample = data[:4096]
    if len(sample) >= 4 and b"\x00" in sample:
        # UTF-16 without a byte-order mark (Notepad's "Unicode"): every other byte of
        # ASCII text is zero.  Read it as such rather than refuse a NUL character.
        for encoding, zeros in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
            if zeros.count(0) >= 0.9 * len(zeros):
                try:
                    return data.decode(encoding)
                except UnicodeDecodeError:
                    raise PlcaseInputError(f"the file looks like {encoding.upper()} text but "
                                           "is not", path=path, line=1,
                                           hint="save it again as 'CSV UTF-8'") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        decoded = data.decode("cp1252", errors="replace")
        warnings.warn(f"{path}:{line}: not UTF-8; read as Windows-1252 (cp1252). Save the file "
                      "as 'CSV UTF-8' to silence this warning.", PlcaseWarning, stacklevel=4)
        return decoded


def _read_csv(data: bytes, path: Path, sep: str, columns: list[str] | None = None
              ) -> tuple[pd.DataFrame, np.ndarray, str]:
    decoded = _decode(data, path)
    if "\x00" in decoded:
        line = decoded.count("\n", 0, decoded.index("\x00")) + 1
        raise PlcaseInputError("the file holds a NUL character (not a text table)", path=path,
                               line=line, hint="save the sheet again as 'CSV UTF-8'")
    if not decoded.strip():
        raise PlcaseInputError("the file is empty", path=path, line=1,
                               hint="export the survey again with a header row")
    # Fast path: parse every record in C, then check; line numbers (needed only to
    # report a problem) come from a second, line-counting parse.
    lines = _RecordLines(decoded, sep)
    try:
        records = list(csv.reader(io.StringIO(decoded, newline=""), delimiter=sep, strict=True))
    except csv.Error as exc:
        raise PlcaseInputError(f"malformed CSV: {exc}", path=path, line=lines.failing(),
                               hint="check quoting: a field in double quotes must end with a "
                                    "double quote, and quotes inside it are doubled") from None
    records = [r for r in records if r and not (len(r) == 1 and not r[0].strip())]
    if not records:
        raise PlcaseInputError("the file has no header row", path=path, line=1,
                               hint="export the survey again with a header row")
    header = _header(records[0], path, lambda: lines[0])
    body = records[1:]
    width = len(header)
    ragged = [i for i, record in enumerate(body) if len(record) != width][:1]
    if ragged:
        i = ragged[0]
        raise PlcaseInputError(
            f"{len(body[i])} fields, but the header has {width}", path=path, line=lines[i + 1],
            hint="an answer with a comma (or tab) must be in double quotes; every row needs "
                 "one field per column")
    _check_columns(header, columns, path)
    data = {}
    for name in (header if columns is None else columns):
        values = np.empty(len(body), dtype=object)
        values[:] = list(map(itemgetter(header.index(name)), body))
        values[values == ""] = None  # only empty cells are missing
        data[name] = values
    frame = pd.DataFrame(data, columns=list(data), dtype=object)
    return frame, lines.skip_header(), str(path)


class _RecordLines:
    """Each non-blank CSV record's first line, computed only when a message needs one."""

    def __init__(self, text: str, sep: str, offset: int = 0):
        self._text, self._sep, self._offset = text, sep, offset
        self._lines: list[int] | None = None

    def _parse(self) -> list[int]:
        if self._lines is None:
            reader = csv.reader(io.StringIO(self._text, newline=""), delimiter=self._sep)
            lines, previous = [], 0
            for record in reader:
                first, previous = previous + 1, reader.line_num
                if record and not (len(record) == 1 and not record[0].strip()):
                    lines.append(first)
            self._lines = lines
        return self._lines

    def failing(self) -> int:
        """The line where a strict parse fails."""
        reader = csv.reader(io.StringIO(self._text, newline=""), delimiter=self._sep,
                            strict=True)
        previous = 0
        try:
            for _ in reader:
                previous = reader.line_num
        except csv.Error:
            return previous + 1
        return previous or 1

    def skip_header(self) -> "_RecordLines":
        lines = _RecordLines(self._text, self._sep, self._offset + 1)
        lines._lines = self._lines
        return lines

    def __getitem__(self, index: int) -> int:
        return self._parse()[index + self._offset]

    def __len__(self) -> int:
        return len(self._parse()) - self._offset


def _header(record: list, where, line) -> list[str]:
    """Column names, blank ones named ``column_N``; a repeated name is an error.

    ``line`` is the header's line, or a callable giving it (computed only for a message).
    """
    names = [(str(cell).strip() if cell is not None else "") for cell in record]
    names = [name or f"column_{n}" for n, name in enumerate(names, start=1)]
    seen: dict[str, int] = {}
    for n, name in enumerate(names, start=1):
        if name in seen:
            raise PlcaseInputError(f"column name {name!r} appears twice (columns {seen[name]} and "
                                   f"{n})", path=where, line=line() if callable(line) else line,
                                   hint="rename one of them: each column must have its own name")
        seen[name] = n
    return names


# --------------------------------------------------------------------------- Excel

def _read_workbook(path: Path, sheet) -> tuple[pd.DataFrame, np.ndarray, str]:
    # Vetted for zip bombs and unsafe paths before openpyxl opens it; merged ranges are
    # checked too, as openpyxl makes one object per merged cell (A1:XFD1048576 is 17e9).
    with open_archive(path, what="Excel workbook") as archive:
        for member in archive.names():
            if member.lower().startswith("xl/worksheets/") and member.lower().endswith(".xml"):
                _check_merged(archive.read(member), path, member)
    values_book = _open_workbook(path, data_only=True)
    formula_book = _open_workbook(path, data_only=False)
    try:
        names = values_book.sheetnames
        if not names:  # e.g. a workbook whose parts no longer point at its sheets
            raise PlcaseInputError("the workbook has no readable sheet", path=path,
                                   hint="open it in Excel and save it again")
        filled = [n for n in names
                  if _has_data(values_book[n], path) or _has_data(formula_book[n], path)]
        if sheet is None:
            if len(filled) > 1:
                raise PlcaseInputError(
                    f"the workbook has {len(filled)} sheets with data "
                    f"({', '.join(repr(n) for n in filled)})", path=path,
                    hint="pass sheet='name' to read one, or sheet='all' to read every sheet "
                         "with a 'sheet' column")
            chosen = filled[:1] or names[:1]
        elif isinstance(sheet, str) and sheet == "all":
            chosen = filled or names[:1]
        elif isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(names):
                raise PlcaseInputError(f"no sheet number {sheet}: the workbook has "
                                       f"{len(names)} sheet(s)", path=path,
                                       hint=f"the sheets are {', '.join(map(repr, names))}")
            chosen = [names[sheet]]
        elif sheet in names:
            chosen = [sheet]
        else:
            raise PlcaseInputError(f"no sheet {sheet!r} in the workbook", path=path,
                                   hint=f"the sheets are {', '.join(map(repr, names))}")
        parts = [_sheet_table(values_book[n], formula_book[n], f"{path}[{n}]") for n in chosen]
    except PlcaseError:
        raise
    except Exception as exc:  # openpyxl on a damaged part: any error is "damaged"
        raise PlcaseInputError(f"not a readable Excel workbook ({type(exc).__name__}: {exc})",
                               path=path, hint="open it in Excel and save it again") from None
    finally:
        values_book.close()
        formula_book.close()
    if not (isinstance(sheet, str) and sheet == "all"):
        return parts[0]
    frames = []
    for n, (frame, lines, where) in zip(chosen, parts):
        if SHEET_COLUMN in frame.columns:
            raise PlcaseInputError(f"sheet {n!r} has a column {SHEET_COLUMN!r} already",
                                   path=where, line=1,
                                   hint="rename it, or read the sheets one by one with sheet=")
        frames.append(frame.assign(**{SHEET_COLUMN: n}))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    frame = frame.astype(object).where(frame.notna(), None)
    return frame, np.concatenate([lines for _, lines, _ in parts]), str(path)


#: Most cells all merged ranges of one sheet may cover.
MAX_MERGED_CELLS = 1_000_000
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Za-z]{1,3})(\d{1,7}):([A-Za-z]{1,3})(\d{1,7})"')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _check_merged(xml: bytes, path: Path, member: str) -> None:
    total = 0
    for first_col, first_row, last_col, last_row in _MERGE.findall(xml):
        rows = abs(int(last_row) - int(first_row)) + 1
        columns = abs(_column_number(last_col) - _column_number(first_col)) + 1
        total += rows * columns
        if total > MAX_MERGED_CELLS:
            raise PlcaseInputError(f"merged cells of {member} cover more than "
                                   f"{MAX_MERGED_CELLS:,} cells", path=path,
                                   hint="unmerge the cells in Excel and save again")


def _open_workbook(path: Path, data_only: bool):
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's style and extension chatter
            return openpyxl.load_workbook(path, data_only=data_only, read_only=False)
    except Exception as exc:  # BadZipFile, ParseError, zlib.error, KeyError, TypeError…
        raise PlcaseInputError(f"not a readable Excel workbook ({type(exc).__name__}: {exc})",
                               path=path, hint="open it in Excel and save it again as .xlsx"
                               ) from None


#: Largest sheet rectangle (rows × columns) read: a lone cell at XFD1048576 would make 17e9.
MAX_SHEET_CELLS = 50_000_000


def _has_data(sheet, path) -> bool:
    if sheet.max_row * sheet.max_column > MAX_SHEET_CELLS:
        raise PlcaseInputError(f"sheet {sheet.title!r} spans {sheet.max_row:,} rows × "
                               f"{sheet.max_column:,} columns, more than {MAX_SHEET_CELLS:,} "
                               "cells", path=path,
                               hint="delete the stray cells far from the table and save again")
    return any(cell is not None and cell != "" for row in sheet.iter_rows(values_only=True)
               for cell in row)


def _sheet_table(values, formulas, where: str) -> tuple[pd.DataFrame, np.ndarray, str]:
    grid = [list(row) for row in values.iter_rows(values_only=True)]
    for merged in values.merged_cells.ranges:
        top = grid[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(grid) else None
        for r in range(merged.min_row, min(merged.max_row, len(grid)) + 1):
            for c in range(merged.min_col, min(merged.max_col, len(grid[r - 1])) + 1):
                grid[r - 1][c - 1] = top
    for row in formulas.iter_rows():
        for cell in row:
            if getattr(cell, "data_type", None) == "f" and \
                    grid[cell.row - 1][cell.column - 1] is None:
                raise PlcaseInputError(
                    f"cell {cell.coordinate} holds a formula ({cell.value}) with no saved value",
                    path=where, line=cell.row,
                    hint="open the workbook in Excel and save it, or paste the values")
    rows = [(n, [_cell_text(v) for v in row]) for n, row in enumerate(grid, start=1)]
    rows = [(n, row) for n, row in rows if any(v is not None for v in row)]
    if not rows:
        raise PlcaseInputError("the sheet is empty", path=where, line=1,
                               hint="choose the sheet with the answers (sheet=)")
    header_line, header_cells = rows[0]
    width = max(len(row) for _, row in rows)
    # Trailing columns without a header and without data are formatting, not data.
    while width and header_cells[width - 1:width] in ([None], []) and \
            all(len(row) < width or row[width - 1] is None for _, row in rows[1:]):
        width -= 1
    header = _header([(header_cells[i] if i < len(header_cells) else None) or ""
                      for i in range(width)], where, header_line)
    body = [row + [None] * (width - len(row)) for _, row in rows[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    frame = frame.astype(object).where(frame.notna(), None)
    return frame, np.asarray([n for n, _ in rows[1:]], dtype=np.int64), where


def _cell_text(value) -> str | None:
    """A cell as the text a spreadsheet shows: 33.0 → '33', dates ISO, empty → None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value:
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, _dt.datetime):
        return (value.date().isoformat() if value.time() == _dt.time() else
                value.isoformat(sep=" "))
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    text = str(value)
    return text if text != "" else None
