"""Memos: notes on the study, a document, a code or a case, kept as plain text.

A memo is written by someone at some time about something.  In a study folder
memos live in ``memos/``, one Markdown file per memo, with YAML front matter
saying what the memo is about, who wrote it and when::

    memos/embedded-pd-boundary.md
    ---
    target: code embedded_pd        # or: study | document NE-T1 | case Newell Elementary
    author: ana
    date: 2026-03-02
    title: Where coaching ends      # optional
    ---
    Coaching talk that is about trust between teachers goes to shared_culture…

Any text editor can write one; file names are free (the ``.md`` and ``.txt``
files of ``memos/`` and its sub-folders are read, in sorted order; they are
never read as transcripts).  Imported projects bring their memos too:
QualCoder journals and annotations, REFI-QDA ``<Notes>``.  All of them end up
in ``study.memos`` (columns :data:`MEMO_COLUMNS`) and :func:`memos` lists them
in one shape: ``target_kind, target, author, created, text``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import yaml

from plcase._files.text import read_text
from plcase.errors import PlcaseError, PlcaseInputError

__all__ = ["memos", "read_memos", "read_memo_file", "write_memos", "memo_frame",
           "MEMO_COLUMNS", "MEMO_KINDS", "MEMO_FOLDER"]

#: The folder of a study that holds memos, not documents.
MEMO_FOLDER = "memos"

#: Columns of ``study.memos`` (QualCoder's reader fills the first eight; ``code`` names
#: the code of a memo on a code).
MEMO_COLUMNS = ["kind", "doc_id", "start", "end", "title", "memo", "author", "date", "code"]
#: What a memo in a study folder can be about.
MEMO_KINDS = ("study", "document", "code", "case")

#: How each ``kind`` of ``study.memos`` is listed by :func:`memos`: QualCoder's
#: journal is a memo on the study, its annotation a memo on a stretch of a document.
_TARGET_KIND = {"study": "study", "journal": "study", "document": "document",
                "annotation": "document", "code": "code", "case": "case"}

_FILE_SUFFIXES = (".md", ".txt")


def memo_frame(rows: list[dict] | pd.DataFrame | None = None) -> pd.DataFrame:
    """A ``study.memos`` frame with the columns :data:`MEMO_COLUMNS` (extra columns kept).

    Examples
    --------
    >>> memo_frame([{"kind": "study", "memo": "First thoughts", "author": "ana"}]).columns.tolist()
    ['kind', 'doc_id', 'start', 'end', 'title', 'memo', 'author', 'date', 'code']
    """
    frame = pd.DataFrame(rows if rows is not None else [])
    for column in MEMO_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    frame = frame[MEMO_COLUMNS + [c for c in frame.columns if c not in MEMO_COLUMNS]]
    for column in ("start", "end"):
        frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    return frame.reset_index(drop=True)


def memos(study, kind: str | None = None) -> pd.DataFrame:
    """Every memo of the study, one row each: what it is about, who wrote it, when, and its text.

    Parameters
    ----------
    study : Study
    kind : {None, "study", "document", "code", "case"}
        Keep only memos on this kind of target.

    Returns
    -------
    DataFrame
        Columns ``target_kind`` (study, document, code or case), ``target``
        (the study's name, the ``doc_id``, the code or the case), ``author``,
        ``created`` (as the source wrote it), ``text``, ``title``, and
        ``start``/``end`` for a memo on a stretch of a document (else missing).
        Memos on a single coding stay in ``study.codings["memo"]``.

    Examples
    --------
    >>> import plcase
    >>> memos(plcase.read_sample()).columns.tolist()[:5]
    ['target_kind', 'target', 'author', 'created', 'text']
    """
    frame = memo_frame(study.memos)
    # Kinds from other tools are listed under their own name.
    target_kind = frame["kind"].map(_TARGET_KIND).fillna(frame["kind"])
    target = []
    for row, tk in zip(frame.to_dict("records"), target_kind):
        if tk == "study":
            target.append(study.name)
        elif tk == "document":
            target.append(row["doc_id"])
        elif tk == "code":
            target.append(row["code"])
        elif tk == "case":
            target.append(row["title"])
        else:
            target.append(row["doc_id"] or row["code"] or row["title"])
    out = pd.DataFrame({"target_kind": target_kind.astype(object), "target": target,
                        "author": frame["author"], "created": frame["date"],
                        "text": frame["memo"], "title": frame["title"],
                        "start": frame["start"], "end": frame["end"]})
    if kind is not None:
        if kind not in MEMO_KINDS:
            raise PlcaseError(f"unknown memo kind {kind!r}; use one of {', '.join(MEMO_KINDS)}")
        out = out[out["target_kind"] == kind]
    return out.reset_index(drop=True)


def _blank(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    value = str(value).strip()
    return value or None


def read_memo_file(path: str | Path, doc_ids=None, codes=None) -> dict:
    """Read one memo file (see the module docstring); returns a ``study.memos`` row.

    Parameters
    ----------
    path : str or Path
    doc_ids, codes : collections of str, optional
        The study's documents and codes; a memo about one it does not have is
        an error (checked only when given).

    Raises
    ------
    PlcaseInputError
        Naming the file and line: no front matter, no ``target``/``author``/
        ``date``, an unknown kind of target, a document or code not in the study.
    """
    path = Path(path)
    raw = read_text(path)
    lines = raw.split("\n")
    layout = ("start the file with ---, then 'target: code my_code' (or study, document ID, "
              "case NAME), 'author: name', 'date: 2026-03-02', then --- and the memo's text")
    if not lines or lines[0].strip() != "---":
        raise PlcaseInputError("a memo needs YAML front matter: the first line must be '---'",
                               path=path, line=1, hint=layout)
    close = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if close is None:
        raise PlcaseInputError("the memo's front matter is never closed", path=path, line=1,
                               hint="add a line '---' after the author and date")
    try:
        meta = yaml.safe_load("\n".join(lines[1:close])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PlcaseInputError(f"malformed front matter: {getattr(exc, 'problem', None) or exc}",
                               path=path, line=2 + (mark.line if mark is not None else 0),
                               hint="each line must be 'field: value'; quote values containing ':'"
                               ) from None
    if not isinstance(meta, dict):
        raise PlcaseInputError("malformed front matter: expected 'field: value' lines", path=path,
                               line=2, hint=layout)

    def line_of(name: str) -> int:
        for i in range(1, close):
            if re.match(rf"\s*{re.escape(name)}\s*:", lines[i]):
                return i + 1
        return close + 1

    for name in ("target", "author", "date"):
        if _blank(meta.get(name)) is None:
            raise PlcaseInputError(f"the memo has no '{name}'", path=path, line=line_of(name),
                                   hint=layout)
    kind, _, name = str(meta["target"]).strip().partition(" ")
    kind, name = kind.strip().lower(), name.strip()
    if kind not in MEMO_KINDS:
        raise PlcaseInputError(f"unknown memo target {meta['target']!r}", path=path,
                               line=line_of("target"),
                               hint="write 'target: study', 'target: document DOC_ID', "
                                    "'target: code CODE' or 'target: case NAME'")
    if kind != "study" and not name:
        raise PlcaseInputError(f"the memo's target '{kind}' names no {kind}", path=path,
                               line=line_of("target"), hint=f"write 'target: {kind} NAME'")
    if kind == "document" and doc_ids is not None and name not in set(doc_ids):
        raise PlcaseInputError(f"the memo is about document {name!r}, which is not in the study",
                               path=path, line=line_of("target"),
                               hint="use a doc_id of the study (the 'id' of a transcript)")
    if kind == "code" and codes is not None and name not in set(codes):
        raise PlcaseInputError(f"the memo is about code {name!r}, which is not in the codebook",
                               path=path, line=line_of("target"),
                               hint="use a code of codebook.yml or add the code")
    body = "\n".join(lines[close + 1:]).strip("\n")
    return {"kind": kind, "doc_id": name if kind == "document" else None, "start": None,
            "end": None, "title": _blank(meta.get("title")) or (name if kind == "case" else None),
            "memo": body, "author": str(meta["author"]).strip(), "date": str(meta["date"]).strip(),
            "code": name if kind == "code" else None}


def read_memos(folder: str | Path, doc_ids=None, codes=None) -> pd.DataFrame:
    """Read every memo file of a ``memos/`` folder (sorted by file name) into a ``study.memos`` frame.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "why.md").write_text("---\\ntarget: study\\nauthor: ana\\ndate: 2026-03-02\\n"
    ...                                    "---\\nWe start with the teachers.\\n", encoding="utf-8")
    >>> read_memos(folder)[["kind", "author", "memo"]].values.tolist()
    [['study', 'ana', 'We start with the teachers.']]
    """
    folder = Path(folder)
    files = sorted(p for p in folder.rglob("*") if p.is_file()
                   and p.suffix.lower() in _FILE_SUFFIXES
                   and not any(part.startswith((".", "_")) for part in p.relative_to(folder).parts))
    return memo_frame([read_memo_file(p, doc_ids, codes) for p in files])


def _slug(text: str) -> str:
    slug = re.sub(r"[^\w.-]+", "-", str(text), flags=re.UNICODE).strip("-.")
    return slug[:60] or "memo"


def write_memos(study_memos: pd.DataFrame, folder: str | Path) -> list[Path]:
    """Write memos as files :func:`read_memos` reads back (one ``.md`` per memo).

    Memos on the study, a document, a code or a case are written; a memo on a
    stretch of a document (QualCoder annotation) is written as a memo on the
    document, its span noted in the title.  Existing files are never
    overwritten: a number is added to the name.

    Parameters
    ----------
    study_memos : DataFrame
        ``study.memos``.
    folder : str or Path
        Usually ``<study>/memos``; created if needed.

    Returns
    -------
    list of Path
        The files written, in the frame's order.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for row in memo_frame(study_memos).to_dict("records"):
        kind = _TARGET_KIND.get(row["kind"], "study")
        title = _blank(row["title"])
        if kind == "document":
            name = row["doc_id"]
            if not pd.isna(row["start"]):
                title = f"{title + ' ' if title else ''}[{row['start']}, {row['end']})"
        elif kind == "code":
            name = row["code"]
        elif kind == "case":
            name = title
        else:
            name = None
        meta = {"target": kind if name is None else f"{kind} {name}",
                "author": _blank(row["author"]) or "unknown",
                "date": _blank(row["date"]) or "unknown"}
        if title and not (kind == "case" and title == name):
            meta["title"] = title
        text = "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" \
            + (row["memo"] or "") + "\n"
        stem = _slug(f"{kind}-{name}" if name else kind)
        target = folder / f"{stem}.md"
        n = 2
        while target.exists():
            target = folder / f"{stem}-{n}.md"
            n += 1
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written
