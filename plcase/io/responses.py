"""Open-ended survey responses (CSV or Excel) as a study.

A district-wide survey — one row per student or teacher, a few open-ended
questions — can be tagged, counted and matrixed like the interviews.  Two
layouts, chosen with ``per``:

``per="respondent"`` (default)
    One document per respondent (row), ``doc_id`` from the ``id`` column;
    one passage per answered question, with the question in a ``question``
    column.  The ``meta`` columns (school, grade, role…) become document
    columns, so matrices group respondents like interviewees.
``per="question"``
    One document per question (text column), ``doc_id`` = the column name;
    one passage per respondent's answer, with ``respondent`` and the ``meta``
    columns as passage columns.  Use it to read all answers to one prompt as
    one text.

A document's text is its answers joined by a blank line; each answer is
stripped of surrounding white space and its line ends made LF.  Blank answers
are left out.

**Reading rules** (every departure is a :class:`~plcase.errors.PlcaseInputError`
naming the file and line, never a silent guess):

* CSV files are read as UTF-8 (with or without BOM) or UTF-16 (Notepad's
  "Unicode", with or without BOM); a file that is not UTF-8 is read as
  Windows-1252 (Excel's "CSV" on Windows) with a
  :class:`~plcase.errors.PlcaseWarning`.  A NUL character is an error.  Cells such as ``NA`` or ``None``
  are answers, not missing values; only empty cells are missing.
* Every row must have as many fields as the header: an answer with an
  unquoted comma would otherwise shift the answers under the wrong
  questions.  Blank lines are skipped.  Column names must be unique.
* Every value is text (``Age`` is ``'24'`` from a CSV and from Excel alike);
  give ``dtype={"Age": "Int64"}`` to convert a column, checked row by row.
* Excel: a workbook with one sheet holding data is read; with several, pass
  ``sheet=`` (a name or 0-based position), or ``sheet="all"`` to read every
  sheet into one table with a ``sheet`` column.  Merged cells fill their whole
  range.  A formula cell without a saved value is an error naming the cell.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re
import warnings
from collections.abc import Mapping
from operator import itemgetter
from pathlib import Path

import numpy as np
import pandas as pd
import regex

from plcase.errors import PlcaseError, PlcaseInputError, PlcaseWarning
from plcase.io._safe import open_archive
from plcase.schema import CODEBOOK_COLUMNS, empty_frame
from plcase.segment import WORD_TOKENIZER
from plcase.study import Study

__all__ = ["read_responses", "read_table"]

#: The column added by ``sheet="all"``.
SHEET_COLUMN = "sheet"


def read_responses(path: str | Path, text: str | list[str], id: str | None = None,
                   meta: list[str] | None = None, per: str = "respondent",
                   codebook: pd.DataFrame | str | Path | None = None, *,
                   sheet: str | int | None = None, dtype: Mapping[str, str] | None = None,
                   name: str | None = None) -> Study:
    """Read open-ended survey responses from a CSV or Excel file.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` (or ``.tsv``) or ``.xlsx`` file, one row per respondent.
    text : str or list of str
        The column(s) holding open-ended answers.
    id : str, optional
        The respondent id column; by default respondents are numbered
        ``R001, R002, …`` in file order.
    meta : list of str, optional
        Columns to keep as metadata (school, grade, role…), as text.
    per : {"respondent", "question"}
        One document per respondent, or one per question (see the module notes).
    codebook : DataFrame or path, optional
        A codebook frame, a ``codebook.yml`` or a REFI-QDA ``.qdc``; by
        default an empty codebook (tag with a codebook later).
    sheet : str, int or "all", optional
        The Excel sheet (name or 0-based position); ``"all"`` reads every
        sheet with a ``sheet`` column (then ``"sheet"`` may be a meta column).
        Required when a workbook has more than one sheet with data.
    dtype : mapping, optional
        Meta column → pandas dtype (``"Int64"``, ``"Float64"``, ``"boolean"``);
        other meta columns are text.
    name : str, optional
        The study name (default: the file name without suffix).

    Returns
    -------
    Study

    Raises
    ------
    PlcaseInputError
        For a ragged row, a duplicate column, a damaged file, an ambiguous
        workbook, naming the file and line (or cell).

    Examples
    --------
    >>> from plcase import config
    >>> survey = config.PROJECT_ROOT / "tests" / "data" / "survey" / "student_survey.csv"
    >>> study = read_responses(survey, text=["q_like", "q_change"], id="student_id",
    ...                        meta=["school", "grade"])
    >>> study.documents[["doc_id", "school", "grade"]].iloc[0].tolist()
    ['S-0101', 'Grand Oak Elementary', '5']
    >>> study.passages["question"].iloc[0]
    'q_like'
    """
    path = Path(path)
    if per not in ("respondent", "question"):
        raise PlcaseError(f"per must be 'respondent' or 'question', not {per!r}")
    questions = [text] if isinstance(text, str) else list(text)
    meta = list(meta or [])
    if not questions:
        raise PlcaseError("give at least one text column in text=")
    wanted = list(dict.fromkeys(questions + meta + ([id] if id is not None else [])))
    frame, lines, where = read_table(path, sheet=sheet, columns=wanted)
    ids = _respondent_ids(frame, id, lines, where)
    metadata = _meta_columns(frame, meta, dtype or {}, lines, where)
    codebook = _codebook(codebook)
    answers = np.column_stack([_answers(frame[q]) for q in questions]) if len(frame) else \
        np.empty((0, len(questions)), dtype=object)
    if per == "respondent":
        documents, passages, texts = _per_respondent(answers, ids, questions, metadata, path)
    else:
        documents, passages, texts = _per_question(answers, ids, questions, metadata, path)
    return Study(documents=documents, passages=passages,
                 codings=empty_frame(["doc_id", "start", "end", "code", "coder"]),
                 codebook=codebook, texts=texts, name=name or path.stem)


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


# --------------------------------------------------------------------------- building

def _respondent_ids(frame: pd.DataFrame, id, lines, where) -> np.ndarray:
    if id is None:
        width = max(3, len(str(len(frame))))
        return np.array([f"R{n:0{width}d}" for n in range(1, len(frame) + 1)], dtype=object)
    values = frame[id].map(lambda v: None if v is None else str(v).strip(), na_action="ignore")
    blank = values.isna() | (values == "")
    if blank.any():
        raise PlcaseInputError(f"empty respondent id in column {id!r}", path=where,
                               line=int(lines[np.argmax(blank.to_numpy())]),
                               hint="give every row an id, or leave id=None to number rows")
    repeated = values.duplicated(keep=False)
    if repeated.any():
        first = int(np.argmax(repeated.to_numpy()))
        again = values[values == values.iloc[first]].index[1]
        raise PlcaseInputError(f"respondent id {values.iloc[first]!r} appears twice (first on "
                               f"line {lines[first]})", path=where, line=int(lines[again]),
                               hint="ids must be unique; is this a long-format export?")
    return values.to_numpy(dtype=object)


def _meta_columns(frame, meta, dtype, lines, where) -> dict[str, pd.Series]:
    out = {}
    for column in meta:
        values = frame[column].reset_index(drop=True).astype(object)
        if column in dtype:
            try:
                converted = values.astype(dtype[column])
            except (TypeError, ValueError) as exc:
                bad = next((i for i, v in enumerate(values) if v is not None and
                            _fails(v, dtype[column])), 0)
                raise PlcaseInputError(f"column {column!r} cannot be read as {dtype[column]}: "
                                       f"{values.iloc[bad]!r} ({exc})", path=where,
                                       line=int(lines[bad]) if len(lines) else 1,
                                       hint="fix the value or leave the column as text") from None
            out[column] = converted
        else:
            out[column] = values.where(values.notna(), None)
    return out


def _fails(value, dtype) -> bool:
    try:
        pd.Series([value], dtype=object).astype(dtype)
    except (TypeError, ValueError):
        return True
    return False


def _answers(column: pd.Series) -> np.ndarray:
    """Answers as stripped LF text, ``None`` where blank."""
    values = column.to_numpy(dtype=object)
    out = np.empty(len(values), dtype=object)
    out[:] = [_answer(v) for v in values]
    return out


def _answer(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = value if isinstance(value, str) else str(value)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip() or None


# One character of plcase.segment.word_count's word pattern, with the `regex`
# engine NLTK compiles it with (its \w also takes combining marks, unlike `re`).
_WORD_CHAR = regex.compile(r"\w", WORD_TOKENIZER._flags)
_WORD = regex.compile(WORD_TOKENIZER._pattern, WORD_TOKENIZER._flags)
_JOINERS = np.array([ord("'"), ord("\u2019"), ord("-")], dtype=np.uint32)
_ASCII_WORD = np.array([bool(_WORD_CHAR.fullmatch(chr(c))) for c in range(128)] + [False])


def _word_counts(texts: np.ndarray) -> np.ndarray:
    """``plcase.segment.word_count`` of every text, vectorised over code points.

    The word pattern ``\w+(?:['’-]\w+)*`` matches maximal runs of word
    characters, two runs joined by one apostrophe or hyphen being one word.  So
    a text's count is its runs of word characters minus its joiners that sit
    between two word characters.  Texts are joined by NUL (never a word
    character) and counted with cumulative sums, with no Python loop per text.

    Examples
    --------
    >>> _word_counts(np.array(["It's student-driven, mostly.", "", "a--b 3.5"])).tolist()
    [3, 0, 4]
    """
    if not len(texts):
        return np.zeros(0, dtype=np.int64)
    corpus = "\x00".join(texts)
    if corpus.count("\x00") != len(texts) - 1:  # a text holds NUL itself: count one by one
        return np.fromiter((len(_WORD.findall(t)) for t in texts), dtype=np.int64,
                           count=len(texts))
    if corpus.isascii():  # one byte per character: a quarter of the memory
        points = np.frombuffer(corpus.encode("ascii"), dtype=np.uint8)
        is_word = _ASCII_WORD[points]
    else:
        points = np.frombuffer(corpus.encode("utf-32-le", errors="surrogatepass"),
                               dtype=np.uint32)
        is_word = _ASCII_WORD[np.minimum(points, 128)]
        high = points > 127
        unique = np.unique(points[high])
        unique_word = np.array([bool(_WORD_CHAR.fullmatch(chr(c))) for c in unique.tolist()],
                               dtype=bool)
        is_word[high] = unique_word[np.searchsorted(unique, points[high])]
    run_starts = np.flatnonzero(is_word[1:] & ~is_word[:-1]) + 1
    if len(is_word) and is_word[0]:
        run_starts = np.append(0, run_starts)
    middle = is_word[:-2] & is_word[2:]  # characters 1 … n-2 between two word characters
    joiner = (points[1:-1] == _JOINERS[0]) | (points[1:-1] == _JOINERS[2])
    if points.dtype == np.uint32:
        joiner |= points[1:-1] == _JOINERS[1]
    joins = np.flatnonzero(joiner & middle) + 1
    separators = np.flatnonzero(points == 0)
    n = len(texts)
    return (np.bincount(np.searchsorted(separators, run_starts), minlength=n) -
            np.bincount(np.searchsorted(separators, joins), minlength=n)).astype(np.int64)


def _long(answers: np.ndarray, group: np.ndarray):
    """Kept answers in group order, with their start offsets inside their group's text.

    ``group`` gives each kept answer's group; groups must be contiguous.
    Offsets are cumulative sums of (length + 2), the 2 being the blank line
    between answers, restarted at each group.
    """
    lengths = np.fromiter((len(a) for a in answers), dtype=np.int64, count=len(answers))
    step = lengths + 2
    before = np.cumsum(step) - step
    first = np.ones(len(answers), dtype=bool)
    first[1:] = group[1:] != group[:-1]
    first_index = np.flatnonzero(first)
    run = np.cumsum(first) - 1
    start = before - before[first_index][run]
    number = np.arange(len(answers)) - first_index[run] + 1
    return lengths, start, number, first_index


def _numbered(prefix: np.ndarray, number: np.ndarray) -> np.ndarray:
    out = np.empty(len(prefix), dtype=object)
    out[:] = [f"{p}:{n:03d}" for p, n in zip(prefix.tolist(), number.tolist())]
    return out


def _per_respondent(answers, ids, questions, metadata, path):
    n, k = answers.shape
    flat = answers.reshape(-1)
    kept = np.flatnonzero(pd.notna(flat))
    row = kept // k
    texts_flat = flat[kept]
    lengths, start, number, first_index = _long(texts_flat, row)
    doc = ids[row]
    question = np.asarray(questions, dtype=object)[kept % k]
    passages = pd.DataFrame({
        "passage_id": _numbered(doc, number), "doc_id": doc, "speaker": doc,
        "start": start, "end": start + lengths, "text": texts_flat,
        "timestamp": np.full(len(kept), None, dtype=object), "question": question})
    rows_kept = row[first_index]
    words = np.add.reduceat(_word_counts(texts_flat), first_index) if len(kept) else \
        np.zeros(0, dtype=np.int64)
    # Every document's text is a slice of all answers joined by blank lines.
    corpus = "\n\n".join(texts_flat.tolist())
    global_start = np.cumsum(lengths + 2) - (lengths + 2)
    last_index = np.append(first_index[1:], len(kept)) - 1 if len(kept) else first_index
    texts = dict(zip(ids[rows_kept].tolist(),
                     map(corpus.__getitem__, map(slice, global_start[first_index].tolist(),
                                                 (global_start[last_index] +
                                                  lengths[last_index]).tolist()))))
    documents = pd.DataFrame({
        "doc_id": ids[rows_kept], "source": "survey", "participant": ids[rows_kept],
        **{m: values.iloc[rows_kept].reset_index(drop=True) for m, values in metadata.items()},
        "n_words": words, "synthetic": False, "path": Path(path).name})
    return documents, passages, texts


def _per_question(answers, ids, questions, metadata, path):
    documents, passages, texts = [], [], {}
    for column, question in enumerate(questions):
        values = answers[:, column]
        kept = np.flatnonzero(pd.notna(values))
        answer_texts = values[kept]
        lengths, start, number, _ = _long(answer_texts, np.zeros(len(kept), dtype=np.int64))
        doc = np.full(len(kept), question, dtype=object)
        frame = pd.DataFrame({
            "passage_id": _numbered(doc, number), "doc_id": doc, "speaker": ids[kept],
            "start": start, "end": start + lengths, "text": answer_texts,
            "timestamp": np.full(len(kept), None, dtype=object), "respondent": ids[kept],
            **{m: v.iloc[kept].reset_index(drop=True) for m, v in metadata.items()}})
        passages.append(frame)
        texts[question] = "\n\n".join(answer_texts)
        documents.append({"doc_id": question, "source": "survey", "question": question,
                          "n_respondents": len(kept),
                          "n_words": int(_word_counts(answer_texts).sum()),
                          "synthetic": False, "path": Path(path).name})
    return pd.DataFrame(documents), pd.concat(passages, ignore_index=True), texts


def _codebook(codebook) -> pd.DataFrame:
    if codebook is None:
        return empty_frame(CODEBOOK_COLUMNS)
    if isinstance(codebook, pd.DataFrame):
        return codebook
    path = Path(codebook)
    if path.suffix.lower() == ".qdc":
        from plcase.io.qdpx import read_qdc
        return read_qdc(path)
    from plcase.codebook import read_codebook
    return read_codebook(path)
