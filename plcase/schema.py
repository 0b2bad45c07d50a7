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

import numpy as np
import pandas as pd

from plcase.errors import PlcaseError

SOURCES = ("interview", "focus_group", "site_visit", "document", "survey")
ROLES = ("administrator", "teacher", "student", "coach", "district", "observer")
#: The document column holding each document's case when study.yml declares none: the
#: plcase transcript format's required ``school`` field.
DEFAULT_CASE_COLUMN = "school"
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
    for col in ("start", "end"):  # compact int32 offsets (compact_codings) stay compact
        if frame[col].dtype != np.int32:
            frame[col] = frame[col].astype("int64")
    frame["score"] = frame["score"].astype("float64")
    return frame.reset_index(drop=True)


#: The codings columns :func:`compact_codings` holds as categories.
COMPACT_COLUMNS = ("doc_id", "code", "coder")

#: From this many rows on, :func:`plcase.to_codings` returns compact codings by default.
COMPACT_MIN_ROWS = 20_000


def is_compact(codings: pd.DataFrame) -> bool:
    """True when any of ``doc_id``, ``code``, ``coder`` is held as categories."""
    return any(isinstance(codings[c].dtype, pd.CategoricalDtype)
               for c in COMPACT_COLUMNS if c in codings.columns)


def compact_codings(codings: pd.DataFrame) -> pd.DataFrame:
    """The same codings in less memory: categories for ``doc_id``, ``code`` and
    ``coder``, 32-bit offsets.

    A district survey's codings repeat a handful of codes and coder names, and
    each student's id, on hundreds of thousands of rows; as categories each row
    holds a small integer instead of a pointer to a Python string (and, for
    ``memory_usage(deep=True)``, no string of its own). The values, their
    order and every plcase function's result stay the same: the categories are
    sorted, so codings sort as they do with strings, and every plcase function
    that takes codings accepts both forms. :func:`plcase.to_codings` returns
    compact codings from :data:`COMPACT_MIN_ROWS` rows on, and
    :meth:`plcase.Study.with_codings` keeps a study's codings compact once
    either side is. Offsets become ``int32`` where they fit (documents
    shorter than 2,147,483,647 characters).

    Examples
    --------
    >>> import plcase
    >>> codings = plcase.read_sample().codings
    >>> compact = compact_codings(codings)
    >>> compact["coder"].dtype.name, compact["start"].dtype.name
    ('category', 'int32')
    >>> import pandas as pd                            # the same values, row by row:
    >>> pd.testing.assert_frame_equal(compact, codings, check_dtype=False,
    ...                               check_categorical=False)
    """
    out = codings.copy()
    for col in COMPACT_COLUMNS:
        if col not in out.columns:
            continue
        values = out[col]
        if isinstance(values.dtype, pd.CategoricalDtype):
            categories = values.cat.categories
            if not categories.is_monotonic_increasing:
                out[col] = values.cat.reorder_categories(_sorted(categories))
            continue
        out[col] = pd.Categorical(values.to_numpy(dtype=object),
                                  categories=_sorted(values.dropna().unique()))
    for col in ("start", "end"):
        if col in out.columns and len(out) and out[col].dtype.kind in "iu" \
                and out[col].min() >= np.iinfo(np.int32).min \
                and out[col].max() <= np.iinfo(np.int32).max:
            out[col] = out[col].astype(np.int32)
        elif col in out.columns and not len(out):
            out[col] = out[col].astype(np.int32)
    return out


def _sorted(values) -> list:
    """Category values in the order strings sort (mixed types: as strings)."""
    values = list(values)
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=str)


def concat_codings(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Stack codings frames; compact (:func:`compact_codings`) when any of them is.

    ``pd.concat`` turns categories with different category sets into plain
    strings, so compact frames are first given the union of the categories.

    Examples
    --------
    >>> a = compact_codings(coding_frame([{"doc_id": "d1", "start": 0, "end": 4,
    ...                                    "code": "glow", "coder": "ana"}]))
    >>> b = coding_frame([{"doc_id": "d2", "start": 1, "end": 3, "code": "grow",
    ...                    "coder": "ben"}])
    >>> both = concat_codings([a, b])
    >>> both["coder"].dtype.name, both["coder"].tolist()
    ('category', ['ana', 'ben'])
    """
    frames = list(frames)
    if not any(is_compact(f) for f in frames):
        return pd.concat(frames, ignore_index=True)
    frames = [compact_codings(f) for f in frames]
    for col in COMPACT_COLUMNS:
        if not all(col in f.columns for f in frames):
            continue
        categories = _sorted(set().union(*(f[col].cat.categories for f in frames)))
        frames = [f.assign(**{col: f[col].cat.set_categories(categories)}) for f in frames]
    return pd.concat(frames, ignore_index=True)


def sort_codings(codings: pd.DataFrame) -> pd.DataFrame:
    """Sort codings in the one canonical order: document, start, end, coder, code."""
    return codings.sort_values(["doc_id", "start", "end", "coder", "code"],
                               kind="mergesort").reset_index(drop=True)
