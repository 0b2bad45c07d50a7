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

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import regex

from plcase.codebook import read_codebook
from plcase.errors import PlcaseError, PlcaseInputError
from plcase.io.qdpx import read_qdc
from plcase.io.tables import read_table
from plcase.schema import CODEBOOK_COLUMNS, empty_frame
from plcase.segment import WORD_TOKENIZER
from plcase.study import Study

__all__ = ["read_responses", "read_table"]  # read_table lives in plcase.io.tables

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
    r"""``plcase.segment.word_count`` of every text, vectorised over code points.

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
        return read_qdc(path)
    return read_codebook(path)
