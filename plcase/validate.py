"""Lint a study folder: every problem in every file, not just the first."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from plcase.errors import PlcaseError, PlcaseInputError

__all__ = ["lint_study"]

_COLUMNS = ["path", "line", "severity", "message", "hint"]


def lint_study(path: str | Path) -> pd.DataFrame:
    """Check a study folder file by file and list every problem found.

    Unlike :func:`plcase.read_study`, which stops at the first error, this
    reads every document on its own, then the standoff codings against the
    documents that could be read, so one broken file does not hide the others.

    Parameters
    ----------
    path : str or Path
        A study folder, or a project read whole (``.qdpx``, a QualCoder
        ``.qda`` project, a Taguette database): its problems and warnings.

    Returns
    -------
    DataFrame
        One row per problem: ``path, line, severity`` (``error`` or
        ``warning``), ``message``, ``hint``.  Empty when the study is clean.

    Examples
    --------
    >>> from plcase import config
    >>> lint_study(config.SAMPLE_DIR).empty
    True
    """
    from plcase.codebook import read_codebook
    from plcase.io import _find_codebook, _skipped, reader_for, reader_for_project
    from plcase.io.standoff import read_codings_csv
    from plcase.memos import MEMO_FOLDER, read_memo_file

    root = Path(path)
    problems: list[dict] = []

    def record(exc: Exception, file: Path) -> None:
        if isinstance(exc, PlcaseInputError):
            problems.append({"path": exc.path or str(file), "line": exc.line, "severity": "error",
                             "message": exc.message, "hint": exc.hint})
        else:
            problems.append({"path": str(file), "line": None, "severity": "error",
                             "message": str(exc), "hint": None})

    def run(file: Path, func, *args):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                return func(*args)
            except PlcaseError as exc:
                record(exc, file)
                return None
            finally:
                for w in caught:
                    problems.append({"path": str(file), "line": None, "severity": "warning",
                                     "message": str(w.message), "hint": None})

    project_reader = reader_for_project(root)
    if project_reader is not None:
        # A whole project (REFI-QDA, QualCoder, Taguette) is one file: read it, report its problems.
        run(root, project_reader, root)
        frame = pd.DataFrame(problems, columns=_COLUMNS)
        frame["line"] = frame["line"].astype("Int64")
        return frame
    if not root.is_dir():
        return pd.DataFrame([{"path": str(root), "line": None, "severity": "error",
                              "message": "no such study folder", "hint": None}], columns=_COLUMNS)
    codebook_path = run(root, _find_codebook, root)
    codebook = run(codebook_path, read_codebook, codebook_path) if codebook_path else None
    texts: dict[str, str] = {}
    origin: dict[str, Path] = {}
    for file in sorted(p for p in root.rglob("*") if p.is_file() and not _skipped(p, root)):
        reader = reader_for(file)
        if reader is None:
            continue
        doc = run(file, reader, file, codebook)
        if doc is None:
            continue
        doc_id = doc.meta["doc_id"]
        if doc_id in origin:
            record(PlcaseInputError(f"duplicate document id {doc_id!r}, already used by "
                                    f"{origin[doc_id]}", path=file, line=1,
                                    hint="give every document its own 'id'"), file)
            continue
        origin[doc_id], texts[doc_id] = file, doc.text
    standoff = root / "codings.csv"
    if standoff.exists():
        codes = None if codebook is None else set(codebook["code"])
        run(standoff, read_codings_csv, standoff, texts, codes,
            lambda exc: record(exc, standoff))
    memo_folder = root / MEMO_FOLDER
    if memo_folder.is_dir():
        codes = None if codebook is None else set(codebook["code"])
        for file in sorted(p for p in memo_folder.rglob("*")
                           if p.is_file() and p.suffix.lower() in (".md", ".txt")):
            run(file, read_memo_file, file, set(texts), codes)
    frame = pd.DataFrame(problems, columns=_COLUMNS)
    frame["line"] = frame["line"].astype("Int64")
    return frame
