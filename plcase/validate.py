"""Lint a study folder: every problem in every file, not just the first."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from plcase._files.strict_yaml import load_yaml
from plcase._files.text import read_text
from plcase.codebook import read_codebook
from plcase.errors import PlcaseError, PlcaseInputError
from plcase.io import (NOT_DOCUMENTS, READERS, _find_codebook, _skipped, read_study, reader_for,
                       reader_for_project)
from plcase.io.qdpx import read_qdc
from plcase.io.standoff import read_codings_csv
from plcase.memos import MEMO_FOLDER, read_memo_file
from plcase.settings import read_settings

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

    root = Path(path)
    problems: list[dict] = []

    def record(exc: Exception, file: Path) -> None:
        if isinstance(exc, PlcaseInputError):
            for err in (exc, *exc.more):   # every problem the reader found in the file
                problems.append({"path": err.path or str(file), "line": err.line,
                                 "severity": "error", "message": err.message, "hint": err.hint})
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
            except RecursionError:
                record(PlcaseInputError("nested too deeply to read", path=file,
                                        hint="the file is damaged or crafted"), file)
                return None
            except Exception as exc:  # noqa: BLE001 - a linter reports, it never crashes
                record(PlcaseInputError(f"cannot be read ({type(exc).__name__}: {exc})",
                                        path=file, hint="this is a plcase bug or a damaged "
                                                        "file; please report it"), file)
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
    if root.is_file():
        return pd.DataFrame([{"path": str(root), "line": None, "severity": "error",
                              "message": "this is a file; validate wants the study folder that holds "
                                         "the transcripts and codebook.yml",
                              "hint": f"give the folder, e.g. {root.parent.as_posix()}"}],
                            columns=_COLUMNS)
    if not root.is_dir():
        return pd.DataFrame([{"path": str(root), "line": None, "severity": "error",
                              "message": "no such study folder", "hint": None}], columns=_COLUMNS)
    settings_file = root / "study.yml"
    if settings_file.is_file():

        settings = run(settings_file, read_settings, root)
        if settings is not None and settings.get("project"):
            # The data is a project beside the folder: reading the study reads it whole and
            # applies the folder's settings (cases, context, roles, code level).

            run(settings_file, read_study, root)
            frame = pd.DataFrame(problems, columns=_COLUMNS)
            frame["line"] = frame["line"].astype("Int64")
            return frame
    codebook_path = run(root, _find_codebook, root)
    codebook = None
    if codebook_path is not None:
        if codebook_path.suffix.lower() == ".qdc":
            codebook = run(codebook_path, read_qdc, codebook_path)
        else:
            codebook = run(codebook_path, read_codebook, codebook_path)
    texts: dict[str, str] = {}
    origin: dict[str, Path] = {}
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = file.relative_to(root)
        if any(part.startswith((".", "_")) for part in rel.parts) or \
                file.name.lower() in NOT_DOCUMENTS:
            continue
        if file.suffix.lower() == ".qdpx":
            run(file, _skipped, file, root)  # its warning: not merged into the folder's study
            continue
        reader = reader_for(file)
        if reader is None:
            if file.suffix.lower() in (".yml", ".yaml"):
                _check_yaml_file(file, root, problems, run)
            else:
                problems.append({"path": str(file), "line": None, "severity": "warning",
                                 "message": "not read: plcase has no reader for "
                                            f"{file.suffix or 'files without a suffix'}",
                                 "hint": "convert it to .txt, .docx, .vtt or .srt, or move it "
                                         "out of the study folder"})
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
    for name in ("study.yml", "study.yaml", "recommendations.yml", "recommendations.yaml"):
        if (root / name).is_file():
            run(root / name, _load_yaml_file, root / name)
    memo_folder = root / MEMO_FOLDER
    if memo_folder.is_dir():
        codes = None if codebook is None else set(codebook["code"])
        for file in sorted(p for p in memo_folder.rglob("*")
                           if p.is_file() and p.suffix.lower() in (".md", ".txt")):
            run(file, read_memo_file, file, set(texts), codes)
    frame = pd.DataFrame(problems, columns=_COLUMNS)
    frame["line"] = frame["line"].astype("Int64")
    return frame


def _load_yaml_file(path: Path):

    return load_yaml(read_text(path), path)


def _check_yaml_file(file: Path, root: Path, problems: list, run) -> None:
    """A ``.yml`` in the folder: a sidecar needs its document; it must parse."""

    if file.parent == root and file.name.lower() in ("study.yml", "study.yaml",
                                                     "recommendations.yml",
                                                     "recommendations.yaml",
                                                     "codebook.yml", "codebook.yaml"):
        return
    if not any(file.with_suffix(suffix).is_file() for suffix in READERS if suffix not in
               (".txt", ".md")):
        problems.append({"path": str(file), "line": None, "severity": "warning",
                         "message": "metadata file without a document beside it (not read)",
                         "hint": f"name it after its .docx/.vtt/.srt ({file.stem}.docx …)"})
        run(file, _load_yaml_file, file)
