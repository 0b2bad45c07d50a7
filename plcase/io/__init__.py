"""Reading studies: a folder of transcripts (any mix of formats), a codebook and standoff codings.

Per-document readers are registered by file suffix in :data:`READERS`; each
has the signature ``reader(path, codebook) -> ParsedDocument``.  Readers of
other formats live in their own modules and are imported only when a file of
their kind is met, so a missing optional dependency never breaks the rest.
"""

from __future__ import annotations

import importlib
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from plcase import config
from plcase.cases import assign_cases
from plcase.codebook import read_codebook
from plcase.errors import PlcaseInputError, PlcaseWarning
from plcase.hierarchy import rolled_study
from plcase.io.qdpx import read_qdc, read_qdpx
from plcase.io.qualcoder import is_qualcoder_project, read_qualcoder
from plcase.io.standoff import read_codings_csv
from plcase.io.taguette import is_taguette_database, read_taguette
from plcase.io.transcript import read_transcript
from plcase.memos import MEMO_FOLDER, read_memos
from plcase.progress import progress_items
from plcase.roles import role_labels, speaker_roles
from plcase.schema import coding_frame
from plcase.segment import word_count
from plcase.settings import freeze, read_settings
from plcase.study import Study


__all__ = ["ParsedDocument", "READERS", "read_study", "read_sample", "reader_for",
           "reader_for_project"]


@dataclass
class ParsedDocument:
    """One document as a reader returns it.

    Attributes
    ----------
    meta : dict
        Document metadata: ``doc_id`` and the columns of ``study.documents``.
    text : str
        The document text; all offsets index it.
    passages : DataFrame
        Passages in the passages schema.
    codings : DataFrame
        Codings in the codings schema (may be empty).
    path : Path
        The file it came from.
    """

    meta: dict
    text: str
    passages: pd.DataFrame
    codings: pd.DataFrame
    path: Path

    @classmethod
    def uncoded(cls, meta: dict, text: str, passages: pd.DataFrame, path: Path) -> "ParsedDocument":
        """A document without codes (Word, captions): fills ``n_words``, ``path``, ``synthetic``.

        ``meta['doc_id']`` must be set; the passages' word counts give ``n_words``.
        """

        meta = dict(meta)
        meta.setdefault("synthetic", False)
        meta["n_words"] = int(sum(word_count(t) for t in passages["text"]))
        meta["path"] = Path(path).as_posix()
        return cls(meta=meta, text=text, passages=passages, codings=coding_frame([]), path=path)


def _read_txt(path: Path, codebook: pd.DataFrame) -> ParsedDocument:

    t = read_transcript(path, codebook)
    return ParsedDocument(t.meta, t.text, t.passages, t.codings, t.path)


#: Per-document readers by suffix: a callable or "module:function" imported on first use.
READERS: dict[str, object] = {
    ".txt": _read_txt,
    ".md": _read_txt,
    ".docx": "plcase.io.docx:read_docx",
    ".vtt": "plcase.io.captions:read_vtt",
    ".srt": "plcase.io.captions:read_srt",
}

#: Files in a study folder that are not documents.
NOT_DOCUMENTS = {"readme.md", "readme.txt", "codings.csv", "codebook.yml", "codebook.yaml",
                 "recommendations.yml", "recommendations.yaml", "study.yml"}

#: Folders at the top of a study folder that hold what plcase writes (or its notebooks), not data.
NOT_DOCUMENT_FOLDERS = {"notebooks", "reports", "figures", "tables"}


def reader_for(path: str | Path):
    """The per-document reader for ``path``'s suffix, or ``None``."""
    entry = READERS.get(Path(path).suffix.lower())
    if isinstance(entry, str):
        module, name = entry.split(":")
        entry = getattr(importlib.import_module(module), name)
    return entry


def read_study(path: str | Path, codebook: str | Path | pd.DataFrame | None = None,
               name: str | None = None, *, progress: bool | None = None):
    """Read a study: a folder of documents plus ``codebook.yml`` and ``codings.csv``.

    A folder may mix formats (``.txt`` transcripts with front matter, ``.docx``,
    ``.vtt``, ``.srt``); a ``.qdpx`` file (REFI-QDA project), a QualCoder
    project and a Taguette database are read whole.
    Files are read in sorted order, so the result does not depend on the file
    system.  Memos in ``memos/`` (see :mod:`plcase.memos`) become
    ``study.memos``.  Sidecar metadata files (``<name>.yml`` next to a ``.docx``/``.vtt``)
    and the README are not documents.

    Parameters
    ----------
    path : str or Path
        A study folder, a ``.qdpx`` file, a QualCoder project (``.qda``
        folder or its ``data.qda``) or a Taguette database (``.sqlite3``).
    codebook : path or DataFrame, optional
        The codebook; by default ``codebook.yml`` (or ``codebook.qdc``) in the folder.
    name : str, optional
        Name of the study (default: the folder name).
    progress : bool, optional
        Show a progress bar over the files of a large folder (default: only
        in a terminal; see :mod:`plcase.progress`).

    Returns
    -------
    Study

    Raises
    ------
    PlcaseInputError
        For any problem in any file, naming the file, line and fix.

    Examples
    --------
    >>> from plcase import config
    >>> study = read_study(config.SAMPLE_DIR)
    >>> sorted(study.documents["source"].unique())
    ['focus_group', 'interview', 'site_visit']
    """

    path = Path(path)
    project_reader = reader_for_project(path)
    if project_reader is not None:
        return project_reader(path)
    if path.is_file():
        raise PlcaseInputError("this is a file; plcase wants the study folder that holds it",
                               path=path, hint=f"give the folder, e.g. {path.parent.as_posix() or '.'}")
    if not path.is_dir():
        raise PlcaseInputError("no such study folder", path=path,
                               hint="give the folder that holds the transcripts and codebook.yml")
    settings = read_settings(path)
    if settings.get("project"):
        return _rolled_up(_read_declared_project(path, settings, name), settings)
    if codebook is None:
        codebook = _find_codebook(path)
    if not isinstance(codebook, pd.DataFrame):
        codebook_path = Path(codebook)
        if codebook_path.suffix.lower() == ".qdc":
            codebook = read_qdc(codebook_path)
        else:
            codebook = read_codebook(codebook_path)
    files = sorted(p for p in path.rglob("*") if p.is_file() and not _skipped(p, path))
    documents, passages, codings, texts = [], [], [], {}
    origin: dict[str, Path] = {}
    for file in progress_items(files, f"reading {path.name}", progress):
        reader = reader_for(file)
        if reader is None:
            continue
        doc = reader(file, codebook)
        doc_id = doc.meta["doc_id"]
        if doc_id in origin:
            raise PlcaseInputError(f"duplicate document id {doc_id!r}, already used by {origin[doc_id]}",
                                   path=file, line=1, hint="give every document its own 'id'")
        origin[doc_id] = file
        meta = dict(doc.meta)
        meta["path"] = file.relative_to(path).as_posix()
        documents.append(meta)
        passages.append(doc.passages)
        codings.append(doc.codings)
        texts[doc_id] = doc.text
    if not documents:
        raise PlcaseInputError("no documents found in the folder", path=path,
                               hint="add .txt transcripts with front matter (see README)")
    standoff = path / "codings.csv"
    if standoff.exists():
        codings.append(read_codings_csv(standoff, texts, set(codebook["code"])))
    documents = _declared_cases(pd.DataFrame(documents), settings, path)
    documents = _mark_context(documents, settings, path)
    memos = None
    if (path / MEMO_FOLDER).is_dir():
        memos = read_memos(path / MEMO_FOLDER, texts, set(codebook["code"]))
    return _rolled_up(Study(
        documents=documents,
        passages=speaker_roles(pd.concat(passages, ignore_index=True), **role_labels(settings)),
        codings=pd.concat([c for c in codings if len(c)], ignore_index=True) if any(len(c) for c in codings)
        else codings[0],
        codebook=codebook,
        texts=texts,
        name=name or settings.get("name") or path.name,
        settings=settings,
        folder=path.resolve(),
        memos=memos,
    ), settings)


def _rolled_up(study, settings):
    """The study rolled up to study.yml's ``code_level`` and its declared themes marked.

    The codes at that level become the study's themes; themes declared in study.yml (or
    chosen by the level) are the codebook's ``kind: theme`` codes, so every tagger built from
    the codebook codes what the analyses count.
    """
    from dataclasses import replace


    level = settings.get("code_level")
    if level:
        study, codes = rolled_study(study, level, settings.get("themes"))
        settings = freeze({**settings, "themes": codes})
        study = replace(study, settings=settings)
    themes = settings.get("themes")
    if not themes:
        return study
    book = study.codebook.copy()
    was_theme = book["kind"].eq("theme")
    book["kind"] = book["kind"].where(~was_theme, "code")
    book.loc[book["code"].isin(list(themes)), "kind"] = "theme"
    return replace(study, codebook=book)


def _read_declared_project(folder: Path, settings, name: str | None):
    """The project that study.yml names under ``project``, with the study's settings applied.

    A QualCoder, Taguette or REFI-QDA project keeps its own documents, codes and codings;
    the study folder beside it says what the project cannot: its cases, its context
    documents, who the interviewers are, the study's name.
    """
    from dataclasses import replace

    project = (folder / settings["project"]).resolve()
    reader = reader_for_project(project)
    if reader is None:
        raise PlcaseInputError(f"project {settings['project']!r} is not a QualCoder, Taguette or "
                               "REFI-QDA project", path=folder / "study.yml",
                               hint="name a .qda folder (or its data.qda), a Taguette .sqlite3 or "
                                    "a .qdpx file, relative to the study folder")
    study = reader(project)
    passages = study.passages.drop(columns="speaker_role", errors="ignore")
    documents = _mark_context(_declared_cases(study.documents, settings, folder), settings, folder)
    return replace(study, documents=documents,
                   passages=speaker_roles(passages, **role_labels(settings)),
                   name=name or settings.get("name") or folder.name,
                   settings=settings, folder=folder.resolve())


def _declared_cases(documents: pd.DataFrame, settings, folder: Path) -> pd.DataFrame:
    """The case column filled from study.yml's ``cases`` (a table or a name pattern)."""

    cases = settings.get("cases")
    if not cases:
        return documents
    column = cases.get("column") or settings.get("case_column") or "case"
    table = folder / cases["table"] if cases.get("table") else None
    context = set(settings.get("context") or ())
    # Context documents inform the study without being a case: they need none.
    documents = documents.assign(_context=documents["doc_id"].isin(context),
                                 _order=range(len(documents)))
    assigned = assign_cases(documents[~documents["_context"]], table=table,
                            pattern=cases.get("pattern"), column=column)
    together = pd.concat([assigned, documents[documents["_context"]]], ignore_index=True)
    return (together.sort_values("_order", kind="mergesort").drop(columns=["_context", "_order"])
            .reset_index(drop=True))


def _mark_context(documents: pd.DataFrame, settings, folder: Path) -> pd.DataFrame:
    """Column ``context``: True for the documents study.yml lists under ``context``."""
    context = [str(d) for d in settings.get("context") or ()]
    unknown = sorted(set(context) - set(documents["doc_id"]))
    if unknown:
        raise PlcaseInputError(f"context lists unknown document(s) {unknown}", path=folder / "study.yml",
                               hint=f"use document ids such as {documents['doc_id'].iloc[0]!r}")
    documents["context"] = documents["doc_id"].isin(context)
    return documents


def read_sample():
    """Read the bundled synthetic CMS sample study (``interviews/``).

    Examples
    --------
    >>> study = read_sample()
    >>> sorted(study.documents["school"].unique())[:3]
    ['District office', 'Grand Oak Elementary', 'Newell Elementary']
    """

    return read_study(config.SAMPLE_DIR)


def reader_for_qdpx():

    return read_qdpx


def reader_for_project(path: str | Path):
    """The reader of a whole-project file or folder, or ``None`` for a study folder.

    A REFI-QDA ``.qdpx``, a QualCoder project (``<name>.qda`` folder or its
    ``data.qda``) and a Taguette database (an SQLite file with Taguette's
    tables) are each read whole by their own reader.
    """

    path = Path(path)
    if path.is_file() and path.suffix.lower() == ".qdpx":
        return reader_for_qdpx()
    if is_qualcoder_project(path):
        return read_qualcoder
    if path.is_file() and is_taguette_database(path):
        return read_taguette
    return None


def _find_codebook(folder: Path) -> Path:
    for name in ("codebook.yml", "codebook.yaml", "codebook.qdc"):
        if (folder / name).exists():
            return folder / name
    raise PlcaseInputError("no codebook in the study folder", path=folder,
                           hint="add codebook.yml (see interviews/codebook.yml) or pass codebook=")


def _skipped(file: Path, root: Path) -> bool:
    rel = file.relative_to(root)
    if any(part.startswith((".", "_")) for part in rel.parts):
        return True
    if len(rel.parts) > 1 and rel.parts[0] in NOT_DOCUMENT_FOLDERS:
        return True
    if len(rel.parts) > 1 and rel.parts[0] == MEMO_FOLDER and file.suffix.lower() in (".md", ".txt"):
        return True  # a memo (plcase.memos), not a transcript
    if file.name.lower() in NOT_DOCUMENTS:
        return True
    # Sidecar metadata (<name>.yml beside <name>.docx/.vtt/.srt) is read by that document's reader.
    if file.suffix.lower() in (".yml", ".yaml"):
        return True
    if file.suffix.lower() in (".qdpx", ".qda"):
        warnings.warn(f"{file}: a {file.suffix} project inside a study folder is not merged; "
                      "read it on its own with plcase.read_study", PlcaseWarning, stacklevel=3)
        return True
    return False
