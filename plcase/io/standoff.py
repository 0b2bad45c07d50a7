"""Standoff codings: ``codings.csv`` beside the transcripts (a second coder's codes)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection, Mapping
from pathlib import Path

import pandas as pd

from plcase.errors import PlcaseInputError
from plcase._files.text import read_text
from plcase.schema import coding_frame

__all__ = ["read_codings_csv", "STANDOFF_COLUMNS"]

STANDOFF_COLUMNS = ("doc_id", "start", "end", "code", "coder", "memo")
# Header spellings seen in exports from spreadsheets and other tools.
_ALIASES = {"document": "doc_id", "doc": "doc_id", "id": "doc_id", "document_id": "doc_id",
            "tag": "code", "user": "coder", "annotator": "coder", "note": "memo",
            "comment": "memo", "begin": "start", "stop": "end"}


def read_codings_csv(path: str | Path, texts: Mapping[str, str],
                     codes: Collection[str] | None = None,
                     on_error: Callable[[PlcaseInputError], None] | None = None) -> pd.DataFrame:
    """Read a standoff codings file and check every row against the documents.

    Columns ``doc_id, start, end, code, coder`` are required and ``memo`` is
    optional (header case and common aliases such as ``document`` or ``tag``
    are tolerated).  Offsets are Python string indices into the document text
    with markup removed, half-open ``[start, end)``.  Every row becomes one
    coding; nothing is dropped: a row that cannot be used is an error naming
    the file and line.

    Parameters
    ----------
    path : str or Path
        The CSV file.
    texts : mapping of str to str
        Document texts by ``doc_id`` (to check ids and offsets).
    codes : collection of str, optional
        Allowed codes.
    on_error : callable, optional
        Called with each row's error instead of raising it, and the row is
        left out (for linting: :func:`plcase.validate.lint_study`).  By
        default the first bad row raises.

    Returns
    -------
    DataFrame
        Codings, with a ``line`` column giving each row's line in the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "codings.csv"
    >>> _ = f.write_text("doc_id,start,end,code,coder\\nd1,0,5,glow,coder_b\\n")
    >>> read_codings_csv(f, {"d1": "Great day."})[["code", "start", "end"]].values.tolist()
    [['glow', 0, 5]]
    """
    path = Path(path)
    text = read_text(path)
    if not text.strip():
        raise PlcaseInputError("the codings file is empty", path=path, line=1,
                               hint="add the header 'doc_id,start,end,code,coder,memo' or delete the file")
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower().replace(" ", "_") for h in next(reader)]
    header = [_ALIASES.get(h, h) for h in header]
    missing = [c for c in STANDOFF_COLUMNS[:5] if c not in header]
    if missing:
        raise PlcaseInputError(f"missing column(s) {', '.join(missing)} in the header", path=path,
                               line=1, hint="the header must be doc_id,start,end,code,coder[,memo]")
    rows = []
    seen: dict[tuple, int] = {}
    for record in reader:
        line = reader.line_num
        try:
            row = _check_row(record, header, line, path, texts, codes, seen)
        except PlcaseInputError as exc:
            if on_error is None:
                raise
            on_error(exc)
            continue
        if row is not None:
            rows.append(row)
    return coding_frame(rows)


def _check_row(record, header, line, path, texts, codes, seen) -> dict | None:
    """One CSV record as a coding dict (None for a blank line), or a located error."""
    if not any(cell.strip() for cell in record):
        return None
    if len(record) != len(header):
        raise PlcaseInputError(f"expected {len(header)} fields, found {len(record)}", path=path,
                               line=line, hint="quote fields that contain commas")
    row = dict(zip(header, (cell.strip() for cell in record)))
    doc = row["doc_id"]
    if doc not in texts:
        raise PlcaseInputError(f"unknown doc_id {doc!r}", path=path, line=line,
                               hint="use the 'id' of a transcript in this folder")
    try:
        start, end = int(row["start"]), int(row["end"])
    except ValueError:
        raise PlcaseInputError(f"start/end must be whole numbers, got {row['start']!r}, "
                               f"{row['end']!r}", path=path, line=line,
                               hint="offsets are character positions in the document") from None
    size = len(texts[doc])
    if not 0 <= start < end <= size:
        raise PlcaseInputError(f"offsets [{start}, {end}) are outside document {doc!r} "
                               f"(length {size}) or empty", path=path, line=line,
                               hint="offsets count characters of the text without code tags; "
                                    "start < end <= length")
    if codes is not None and row["code"] not in codes:
        raise PlcaseInputError(f"code {row['code']!r} is not in the codebook", path=path,
                               line=line, hint="add it to codebook.yml or fix the code")
    if not row["coder"]:
        raise PlcaseInputError("the coder is empty", path=path, line=line,
                               hint="name the coder who applied this code")
    key = (doc, start, end, row["code"], row["coder"])
    if key in seen:
        raise PlcaseInputError(f"duplicate of the coding on line {seen[key]}", path=path,
                               line=line, hint="delete one of the two rows")
    seen[key] = line
    return {"doc_id": doc, "start": start, "end": end, "code": row["code"],
            "coder": row["coder"], "memo": row.get("memo") or None, "line": line}
