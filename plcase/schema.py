"""Column names, allowed values and validation of the four frames of a study.

plcase keeps a study as tidy frames (see :class:`plcase.Study`):

``documents``
    one row per document: ``doc_id, school, source, role, participant, date,
    n_words, synthetic, path`` plus any further metadata columns.
``passages``
    one row per passage (a speaker turn or a paragraph): ``passage_id, doc_id,
    speaker, start, end, text`` and ``timestamp`` (``None`` where absent).
``codings``
    the spine: one row per coded segment × coder × code: ``doc_id, start, end,
    code, coder, passage_id, text, memo, score``.
``codebook``
    one row per code: ``code, label, parent, kind, definition, include,
    exclude, example, keywords, phrases``.

Offsets (``start``, ``end``) are Python string indices into the document text
with markup removed: the half-open slice ``text[start:end]``, counted in Unicode
code points, exactly the unit REFI-QDA uses.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from plcase.errors import PlcaseError

SOURCES = ("interview", "focus_group", "site_visit", "document", "survey")
ROLES = ("administrator", "teacher", "student", "coach", "district", "observer")
#: Document roles that record the researcher, not an informant (a site visit's observer).
RESEARCHER_ROLES = ("observer",)

DOCUMENT_COLUMNS = ["doc_id", "school", "source", "role", "participant", "date",
                    "n_words", "synthetic", "path"]
PASSAGE_COLUMNS = ["passage_id", "doc_id", "speaker", "start", "end", "text", "timestamp"]
CODING_COLUMNS = ["doc_id", "start", "end", "code", "coder", "passage_id", "text",
                  "memo", "score"]
CODEBOOK_COLUMNS = ["code", "label", "parent", "kind", "definition", "include",
                    "exclude", "example", "keywords", "phrases"]

#: The four themes of the CMS case study, in the order the write-up uses.
THEMES = ("shared_culture", "embedded_pd", "student_driven", "whole_child_sel")
#: The valence pair from the CMS quarterly reviews.
VALENCE = ("glow", "grow")


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise a :class:`PlcaseError` naming every column ``frame`` lacks.

    Examples
    --------
    >>> require_columns(pd.DataFrame({"code": []}), ["code"], "codebook")
    >>> require_columns(pd.DataFrame({"code": []}), ["code", "label"], "codebook")
    Traceback (most recent call last):
    ...
    plcase.errors.PlcaseError: codebook lacks column(s) 'label'; it has 'code'
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        have = ", ".join(repr(c) for c in frame.columns) or "no columns"
        raise PlcaseError(f"{what} lacks column(s) {', '.join(repr(c) for c in missing)}; it has {have}")


def empty_frame(columns: list[str]) -> pd.DataFrame:
    """An empty frame with the given columns (object dtype)."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def coding_frame(rows: list[dict] | pd.DataFrame) -> pd.DataFrame:
    """Build a codings frame with the canonical columns, order and dtypes.

    Missing optional columns (``passage_id``, ``text``, ``memo``, ``score``)
    are filled with missing values.

    Examples
    --------
    >>> coding_frame([{"doc_id": "d1", "start": 0, "end": 4, "code": "glow",
    ...                "coder": "coder_a"}]).columns.tolist()
    ['doc_id', 'start', 'end', 'code', 'coder', 'passage_id', 'text', 'memo', 'score']
    """
    frame = pd.DataFrame(rows)
    if frame.empty:
        frame = empty_frame(CODING_COLUMNS)
    require_columns(frame, ["doc_id", "start", "end", "code", "coder"], "codings")
    for col in ("passage_id", "text", "memo"):
        if col not in frame.columns:
            frame[col] = None
    if "score" not in frame.columns:
        frame["score"] = float("nan")
    frame = frame[CODING_COLUMNS + [c for c in frame.columns if c not in CODING_COLUMNS]]
    frame["start"] = frame["start"].astype("int64")
    frame["end"] = frame["end"].astype("int64")
    frame["score"] = frame["score"].astype("float64")
    return frame.reset_index(drop=True)


def sort_codings(codings: pd.DataFrame) -> pd.DataFrame:
    """Sort codings in the one canonical order: document, start, end, coder, code."""
    return codings.sort_values(["doc_id", "start", "end", "coder", "code"],
                               kind="mergesort").reset_index(drop=True)
