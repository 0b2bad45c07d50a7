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

Blank answers are left out.  Files are read as UTF-8 (with or without BOM);
a file that is not UTF-8 is read as Windows-1252 (Excel's "CSV" on Windows)
with a :class:`~plcase.errors.PlcaseWarning`.  Cells such as ``NA`` or
``None`` are answers, not missing values; only empty cells are missing.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pandas as pd

from plcase.errors import PlcaseError, PlcaseInputError, PlcaseWarning
from plcase.io._safe import open_archive
from plcase.io._text import decode_text, utf16_byte_order
from plcase.schema import CODEBOOK_COLUMNS, empty_frame
from plcase.segment import word_count
from plcase.study import Study

__all__ = ["read_responses"]


def read_responses(path: str | Path, text: str | list[str], id: str | None = None,
                   meta: list[str] | None = None, per: str = "respondent",
                   codebook: pd.DataFrame | str | Path | None = None, *,
                   sheet: str | int = 0, name: str | None = None) -> Study:
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
        Columns to keep as metadata (school, grade, role…).
    per : {"respondent", "question"}
        One document per respondent, or one per question (see the module notes).
    codebook : DataFrame or path, optional
        A codebook frame, a ``codebook.yml`` or a REFI-QDA ``.qdc``; by
        default an empty codebook (tag with a codebook later).
    sheet : str or int
        The Excel sheet.
    name : str, optional
        The study name (default: the file name without suffix).

    Returns
    -------
    Study

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
    frame = _load(path, sheet)
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    wanted = questions + meta + ([id] if id is not None else [])
    missing = [c for c in wanted if c not in columns]
    if missing:
        raise PlcaseInputError(f"no column(s) {', '.join(repr(c) for c in missing)}", path=path,
                               line=1,
                               hint=f"the columns are {', '.join(repr(c) for c in columns)}")
    ids = _respondent_ids(frame, id, path)
    codebook = _codebook(codebook)
    if per == "respondent":
        documents, passages, texts = _per_respondent(frame, ids, questions, meta, path)
    else:
        documents, passages, texts = _per_question(frame, ids, questions, meta, path)
    return Study(documents=documents, passages=passages,
                 codings=empty_frame(["doc_id", "start", "end", "code", "coder"]),
                 codebook=codebook, texts=texts, name=name or path.stem)


def _load(path: Path, sheet) -> pd.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            with open_archive(path, what="Excel workbook"):
                pass  # vetted for zip bombs and unsafe paths before openpyxl opens it
            frame = pd.read_excel(path, sheet_name=sheet, dtype=object, keep_default_na=False,
                                  na_values=[""])
            return frame.map(lambda v: None if v is None or (isinstance(v, float) and v != v)
                             else v)
        data = path.read_bytes()
    except PlcaseError:
        raise
    except (OSError, ValueError, KeyError, IndexError) as exc:
        raise PlcaseInputError(f"cannot read the responses: {exc}", path=path,
                               hint="save the sheet as .xlsx or UTF-8 .csv") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16_byte_order(data):
        data = decode_text(data, path).encode("utf-8")  # a CSV saved as UTF-16
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        decoded = data.decode("cp1252", errors="replace")
        warnings.warn(f"{path}:{line}: not UTF-8; read as Windows-1252 (cp1252). Save the file "
                      "as 'CSV UTF-8' to silence this warning.", PlcaseWarning, stacklevel=3)
    sep = "\t" if suffix == ".tsv" else ","
    try:
        # Only empty cells are missing: "NA" or "None" is what a respondent wrote.
        return pd.read_csv(io.StringIO(decoded), sep=sep, dtype=str, keep_default_na=False,
                           na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise PlcaseInputError(f"malformed CSV: {exc}", path=path,
                               hint="check quoting: answers with commas need double quotes"
                               ) from None


def _respondent_ids(frame: pd.DataFrame, id, path) -> list[str]:
    width = max(3, len(str(len(frame))))
    if id is None:
        return [f"R{n:0{width}d}" for n in range(1, len(frame) + 1)]
    ids = []
    seen: dict[str, int] = {}
    for row, value in enumerate(frame[id], start=2):  # line 1 is the header
        if value is None or pd.isna(value) or not str(value).strip():
            raise PlcaseInputError(f"empty respondent id in column {id!r}", path=path, line=row,
                                   hint="give every row an id, or leave id=None to number rows")
        value = str(value).strip()
        if value in seen:
            raise PlcaseInputError(f"respondent id {value!r} appears twice (first on line "
                                   f"{seen[value]})", path=path, line=row,
                                   hint="ids must be unique; is this a long-format export?")
        seen[value] = row
        ids.append(value)
    return ids


def _answer(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None


def _cell(value):
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def _per_respondent(frame, ids, questions, meta, path):
    documents, passages, texts = [], [], {}
    for (_, row), doc_id in zip(frame.iterrows(), ids):
        answers = [(q, _answer(row[q])) for q in questions]
        answers = [(q, a) for q, a in answers if a is not None]
        if not answers:
            continue
        parts, pos = [], 0
        for n, (question, answer) in enumerate(answers, start=1):
            passages.append({"passage_id": f"{doc_id}:{n:03d}", "doc_id": doc_id, "speaker": doc_id,
                             "start": pos, "end": pos + len(answer), "text": answer,
                             "timestamp": None, "question": question})
            parts.append(answer)
            pos += len(answer) + 2
        texts[doc_id] = "\n\n".join(parts)
        documents.append({"doc_id": doc_id, "source": "survey", "participant": doc_id,
                          **{m: _cell(row[m]) for m in meta},
                          "n_words": sum(word_count(a) for _, a in answers),
                          "synthetic": False, "path": Path(path).name})
    return _frames(documents, passages, texts, ["question"])


def _per_question(frame, ids, questions, meta, path):
    documents, passages, texts = [], [], {}
    for question in questions:
        parts, pos, n = [], 0, 0
        for (_, row), respondent in zip(frame.iterrows(), ids):
            answer = _answer(row[question])
            if answer is None:
                continue
            n += 1
            passages.append({"passage_id": f"{question}:{n:03d}", "doc_id": question,
                             "speaker": respondent, "start": pos, "end": pos + len(answer),
                             "text": answer, "timestamp": None, "respondent": respondent,
                             **{m: _cell(row[m]) for m in meta}})
            parts.append(answer)
            pos += len(answer) + 2
        texts[question] = "\n\n".join(parts)
        documents.append({"doc_id": question, "source": "survey", "question": question,
                          "n_respondents": n, "n_words": sum(word_count(p) for p in parts),
                          "synthetic": False, "path": Path(path).name})
    return _frames(documents, passages, texts, ["respondent", *meta])


def _frames(documents, passages, texts, extra):
    documents = pd.DataFrame(documents) if documents else empty_frame(["doc_id"])
    passages = (pd.DataFrame(passages) if passages else
                empty_frame(["passage_id", "doc_id", "speaker", "start", "end", "text",
                             "timestamp", *extra]))
    return documents, passages, texts


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
