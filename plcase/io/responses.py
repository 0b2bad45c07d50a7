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

* CSV files are read as UTF-8 (with or without BOM); a file that is not UTF-8
  is read as Windows-1252 (Excel's "CSV" on Windows) with a
  :class:`~plcase.errors.PlcaseWarning`.  Cells such as ``NA`` or ``None``
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
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

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
    frame, lines, where = read_table(path, sheet=sheet)
    columns = list(frame.columns)
    wanted = questions + meta + ([id] if id is not None else [])
    missing = [c for c in wanted if c not in columns]
    if missing:
        raise PlcaseInputError(f"no column(s) {', '.join(repr(c) for c in missing)}", path=where,
                               line=1,
                               hint=f"the columns are {', '.join(repr(c) for c in columns)}")
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


def read_table(path: str | Path, *, sheet: str | int | None = None
               ) -> tuple[pd.DataFrame, np.ndarray, str]:
    """Read a survey table as text, strictly (see the module notes).

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
        return _read_workbook(path, sheet)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PlcaseInputError(f"cannot read the responses: {exc.strerror or exc}", path=path,
                               hint="check the path") from None
    return _read_csv(data, path, sep="\t" if suffix == ".tsv" else ",")


# --------------------------------------------------------------------------- CSV

def _decode(data: bytes, path: Path) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise PlcaseInputError("the file starts like UTF-16 text but is not", path=path,
                                   line=1, hint="save it again as 'CSV UTF-8'") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        decoded = data.decode("cp1252", errors="replace")
        warnings.warn(f"{path}:{line}: not UTF-8; read as Windows-1252 (cp1252). Save the file "
                      "as 'CSV UTF-8' to silence this warning.", PlcaseWarning, stacklevel=4)
        return decoded


def _read_csv(data: bytes, path: Path, sep: str) -> tuple[pd.DataFrame, np.ndarray, str]:
    decoded = _decode(data, path)
    if "\x00" in decoded:
        line = decoded.count("\n", 0, decoded.index("\x00")) + 1
        raise PlcaseInputError("the file holds a NUL character (not a text table)", path=path,
                               line=line, hint="save the sheet again as 'CSV UTF-8'")
    if not decoded.strip():
        raise PlcaseInputError("the file is empty", path=path, line=1,
                               hint="export the survey again with a header row")
    reader = csv.reader(io.StringIO(decoded, newline=""), delimiter=sep, strict=True)
    records: list[list[str]] = []
    lines: list[int] = []
    header: list[str] | None = None
    previous = 0
    try:
        for record in reader:
            first = previous + 1
            previous = reader.line_num
            if not record or (len(record) == 1 and not record[0].strip() and header is not None):
                continue  # a blank line
            if header is None:
                header = _header(record, path, first)
                continue
            if len(record) != len(header):
                raise PlcaseInputError(
                    f"{len(record)} fields, but the header has {len(header)}", path=path,
                    line=first, hint="an answer with a comma (or tab) must be in double quotes; "
                                     "every row needs one field per column")
            records.append(record)
            lines.append(first)
    except csv.Error as exc:
        raise PlcaseInputError(f"malformed CSV: {exc}", path=path, line=previous + 1,
                               hint="check quoting: a field in double quotes must end with a "
                                    "double quote, and quotes inside it are doubled") from None
    if header is None:
        raise PlcaseInputError("the file has no header row", path=path, line=1,
                               hint="export the survey again with a header row")
    if records:
        columns = list(zip(*records))
    else:
        columns = [() for _ in header]
    frame = pd.DataFrame({name: pd.Series(np.array(values, dtype=object), dtype=object)
                          for name, values in zip(header, columns)}, columns=header)
    frame = frame.where(frame != "", None) if len(frame) else frame
    return frame, np.asarray(lines, dtype=np.int64), str(path)


def _header(record: list, where, line: int) -> list[str]:
    names = [(str(cell).strip() if cell is not None else "") for cell in record]
    names = [name or f"column_{n}" for n, name in enumerate(names, start=1)]
    seen: dict[str, int] = {}
    for n, name in enumerate(names, start=1):
        if name in seen:
            raise PlcaseInputError(f"column name {name!r} appears twice (columns {seen[name]} and "
                                   f"{n})", path=where, line=line,
                                   hint="rename one of them: each column must have its own name")
        seen[name] = n
    return names


# --------------------------------------------------------------------------- Excel

def _read_workbook(path: Path, sheet) -> tuple[pd.DataFrame, np.ndarray, str]:
    with open_archive(path, what="Excel workbook"):
        pass  # vetted for zip bombs and unsafe paths before openpyxl opens it
    values_book = _open_workbook(path, data_only=True)
    formula_book = _open_workbook(path, data_only=False)
    try:
        names = values_book.sheetnames
        filled = [n for n in names if _has_data(values_book[n]) or _has_data(formula_book[n])]
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


def _has_data(sheet) -> bool:
    return any(cell is not None and cell != "" for row in sheet.iter_rows(values_only=True)
               for cell in row)


def _sheet_table(values, formulas, where: str) -> tuple[pd.DataFrame, np.ndarray, str]:
    grid = [list(row) for row in values.iter_rows(values_only=True)]
    for merged in values.merged_cells.ranges:
        top = grid[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(grid) else None
        for r in range(merged.min_row, min(merged.max_row, len(grid)) + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                if c - 1 < len(grid[r - 1]):
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
    values = column.astype(object)
    present = values.notna().to_numpy()
    out = np.full(len(values), None, dtype=object)
    if present.any():
        text = pd.Series(values.to_numpy()[present], dtype=object).astype(str)
        text = text.str.replace("\r\n", "\n", regex=False).str.replace("\r", "\n", regex=False)
        text = text.str.strip()
        cleaned = text.to_numpy(dtype=object)
        cleaned[text.to_numpy() == ""] = None
        out[present] = cleaned
    return out


def _word_counts(texts: np.ndarray) -> np.ndarray:
    if not len(texts):
        return np.zeros(0, dtype=np.int64)
    return pd.Series(texts, dtype=object).str.count(WORD_TOKENIZER._pattern).to_numpy(np.int64)


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
    return (pd.Series(prefix, dtype=object) + ":" +
            pd.Series(number).astype(str).str.zfill(3)).to_numpy(dtype=object)


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
    bounds = np.append(first_index, len(kept))
    texts = {ids[r]: "\n\n".join(texts_flat[a:b]) for r, a, b in
             zip(rows_kept, bounds[:-1], bounds[1:])}
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
