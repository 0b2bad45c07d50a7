"""Taguette projects (SQLite database), read as they are.

A Taguette database (the single-user app's ``taguette.sqlite3``, or a server's
database copied to a file) holds one or more projects.  plcase opens it
read-only (``mode=ro``) and maps one project onto a :class:`~plcase.study.Study`:

===============================  ==============================================
Taguette                         plcase
===============================  ==============================================
``documents`` (HTML contents)    a document: ``doc_id`` = name; the text is
                                 the HTML's text (see below); ``description``,
                                 ``filename``, ``date`` columns
``tags`` (``path``,              the codebook: ``definition`` = description;
``description``)                 ``"deductive: autonomy"`` lies under a
                                 category ``deductive`` (``separator=``)
``highlights`` × ``highlight_tags``  codings, one per highlight × tag; the
                                 coder is the user who added the highlight
                                 (from ``commands``), else the project's member
===============================  ==============================================

Offsets.  Taguette counts a highlight's ``start_offset``/``end_offset`` in
**bytes of the UTF-8 encoding of the document's text**, where the text is
every text node of the HTML in order, tags skipped and character references
decoded (Taguette's ``ARCHITECTURE.md`` and ``taguette/extract.py``; the
browser side counts the same way).  plcase takes that same text as the
document text (line ends normalised as an HTML parser does, whitespace before
the first element dropped) and converts the byte offsets to code points; an
offset inside a multi-byte character moves to the character's end, as
Taguette's own ``extract`` does.  Every highlight is then checked against the
``snippet`` Taguette stored with it (the HTML of the highlighted words): a
highlight whose snippet's text differs from the document text at its offsets
is an error naming the highlight.

Passages.  The text is split at block elements (``<p>``, ``<li>``,
``<h1>``…, ``<br>``) and line ends, and these units become speaker turns or
paragraphs by the rule of :mod:`plcase.io._passages`.
"""

from __future__ import annotations

import json
import re
import warnings
from bisect import bisect_left
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from plcase.codebook import codebook_frame
from plcase.errors import PlcaseInputError, PlcaseWarning
from plcase.io._passages import split_units
from plcase.io._sqlite import open_readonly, table_columns
from plcase.schema import CODEBOOK_COLUMNS, empty_frame
from plcase.segment import word_count
from plcase.study import Study

__all__ = ["read_taguette", "html_text", "is_taguette_database", "taguette_projects"]

_REQUIRED = {
    "projects": {"id", "name"},
    "documents": {"id", "name", "project_id", "contents"},
    "tags": {"id", "project_id", "path", "description"},
    "highlights": {"id", "document_id", "start_offset", "end_offset", "snippet"},
    "highlight_tags": {"highlight_id", "tag_id"},
}
_BLOCKS = {"p", "br", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul",
           "ol", "dl", "dt", "dd", "table", "thead", "tbody", "tr", "th", "td", "caption",
           "div", "hr"}
#: HTML's whitespace: what the parser skips before the first element.
_HTML_SPACE = " \t\n\f\r"


class _TextCollector(HTMLParser):
    """The text nodes of an HTML document in order, and where blocks begin and end."""

    def __init__(self, document: bool):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.length = 0
        self.boundaries: set[int] = {0}
        self.started = not document  # before the first element, whitespace is not text
        self.drop_newline = False

    def handle_starttag(self, tag, attrs):
        self.started = True
        if tag in _BLOCKS:
            self.boundaries.add(self.length)
        # HTML drops one newline right after <pre>, <listing> and <textarea>.
        self.drop_newline = tag in ("pre", "listing", "textarea")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.drop_newline = False

    def handle_endtag(self, tag):
        self.started = True
        self.drop_newline = False
        if tag in _BLOCKS:
            self.boundaries.add(self.length)

    def handle_data(self, data):
        if not self.started:
            data = data.lstrip(_HTML_SPACE)
            if not data:
                return
            self.started = True
        if self.drop_newline and data.startswith("\n"):
            data = data[1:]
        self.drop_newline = False
        self.chunks.append(data)
        self.length += len(data)


def _collect(html: str, document: bool) -> _TextCollector:
    collector = _TextCollector(document)
    # HTML parsers turn CRLF and CR into LF before anything else.
    collector.feed(html.replace("\r\n", "\n").replace("\r", "\n"))
    collector.close()
    return collector


def html_text(html: str) -> str:
    """The text of an HTML document as Taguette counts it: text nodes in order, tags skipped.

    Examples
    --------
    >>> html_text("<p><u>Hello</u> there <i>World</i></p>\\n<p>caf&eacute;</p>")
    'Hello there World\\ncafé'
    """
    return "".join(_collect(html, document=True).chunks)


def _units(text: str, boundaries: set[int]) -> list[tuple[int, int]]:
    cuts = sorted(boundaries | {len(text)} | {m.start() for m in re.finditer("\n", text)}
                  | {m.end() for m in re.finditer("\n", text)})
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if a < b]


class _ByteIndex:
    """UTF-8 byte offsets of a text → code point offsets (rounding into a character up)."""

    def __init__(self, text: str):
        self.ascii = text.isascii()
        self.length = len(text)
        if not self.ascii:
            starts, pos = [], 0
            for char in text:
                starts.append(pos)
                pos += len(char.encode("utf-8"))
            starts.append(pos)
            self.starts = starts
        self.n_bytes = len(text) if self.ascii else self.starts[-1]

    def __call__(self, offset: int) -> int:
        if self.ascii:
            return offset
        return bisect_left(self.starts, offset)


def is_taguette_database(path: str | Path) -> bool:
    """True for an SQLite file that holds Taguette's tables.

    Examples
    --------
    >>> is_taguette_database("README.md")
    False
    """
    path = Path(path)
    if not path.is_file():
        return False
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            return False
    with open_readonly(path, "Taguette database") as db:
        tables = table_columns(db)
    return all(table in tables for table in ("projects", "documents", "highlights", "tags"))


def taguette_projects(path: str | Path) -> pd.DataFrame:
    """The projects of a Taguette database: ``project_id, name, description, n_documents``."""
    with open_readonly(Path(path), "Taguette database") as db:
        _check_tables(db, Path(path))
        rows = db.execute("SELECT p.id, p.name, COUNT(d.id) FROM projects p LEFT JOIN documents d "
                          "ON d.project_id = p.id GROUP BY p.id ORDER BY p.id").fetchall()
        described = dict(db.execute("SELECT id, description FROM projects").fetchall()) \
            if "description" in table_columns(db)["projects"] else {}
    return pd.DataFrame([{"project_id": i, "name": n, "description": described.get(i),
                          "n_documents": k} for i, n, k in rows],
                        columns=["project_id", "name", "description", "n_documents"])


def _check_tables(db, path: Path) -> dict[str, set[str]]:
    columns = table_columns(db)
    missing = [f"{table}.{column}" for table, needed in _REQUIRED.items()
               for column in sorted(needed - columns.get(table, set()))]
    if missing:
        version = None
        if "alembic_version" in columns:
            found = db.execute("SELECT version_num FROM alembic_version").fetchone()
            version = found[0] if found else None
        raise PlcaseInputError(
            f"not a Taguette database plcase can read (schema revision {version or 'unknown'}): "
            f"it lacks {', '.join(missing[:6])}", path=path,
            hint="give the .sqlite3 file of Taguette 1.x; open it in Taguette once to upgrade it")
    return columns


def read_taguette(path: str | Path, project: str | int | None = None, *,
                  separator: str | None = ":") -> Study:
    """Read a project of a Taguette database without changing it.

    Parameters
    ----------
    path : str or Path
        The SQLite database (``taguette.sqlite3`` or a copy).
    project : str or int, optional
        The project's name or id; needed when the database holds several.
    separator : str or None, default ":"
        Tag paths such as ``"deductive: autonomy"`` are placed under a parent
        named by the part before the last separator (a tag of that name, or
        else a new ``category``); ``None`` keeps the tags flat.

    Returns
    -------
    Study
        Documents, the tags as codebook, one coding per highlight × tag.

    Raises
    ------
    PlcaseInputError
        For a file that is not a Taguette database, a project that is not
        there (or not chosen among several; the message lists them), a
        highlight outside its document or whose stored snippet differs from
        the text at its offsets.

    Warns
    -----
    PlcaseWarning
        Naming highlights that carry no tag (they are no codings).

    Examples
    --------
    >>> import sqlite3, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "taguette.sqlite3"
    >>> db = sqlite3.connect(path)
    >>> _ = db.executescript('''
    ...   CREATE TABLE projects (id integer, name text, description text);
    ...   INSERT INTO projects VALUES (1, 'Pilot', '');
    ...   CREATE TABLE documents (id integer, name text, description text, project_id integer,
    ...                           contents text);
    ...   INSERT INTO documents VALUES (1, 'T1', '', 1, '<p>Caf&eacute; talk.</p><p>We share plans.</p>');
    ...   CREATE TABLE tags (id integer, project_id integer, path text, description text);
    ...   INSERT INTO tags VALUES (1, 1, 'deductive: sharing', 'Staff share their work');
    ...   CREATE TABLE highlights (id integer, document_id integer, start_offset integer,
    ...                            end_offset integer, snippet text);
    ...   INSERT INTO highlights VALUES (1, 1, 14, 25, '<p>share plans</p>');
    ...   CREATE TABLE highlight_tags (highlight_id integer, tag_id integer);
    ...   INSERT INTO highlight_tags VALUES (1, 1);''')
    >>> db.commit(); db.close()
    >>> study = read_taguette(path)
    >>> study.texts["T1"]
    'Café talk.We share plans.'
    >>> study.codings[["code", "start", "end", "text", "passage_id"]].values.tolist()
    [['deductive: sharing', 13, 24, 'share plans', 'T1:002']]
    >>> study.codebook[["code", "label", "parent", "kind"]].values.tolist()
    [['deductive', 'deductive', None, 'category'], ['deductive: sharing', 'sharing', 'deductive', 'code']]
    """
    path = Path(path)
    with open_readonly(path, "Taguette database") as db:
        columns = _check_tables(db, path)
        return _TaguetteReader(db, path, columns, separator).study(project)


class _TaguetteReader:
    def __init__(self, db, path: Path, columns, separator):
        self.db, self.path, self.columns, self.separator = db, path, columns, separator

    def rows(self, sql: str, *args) -> list[dict]:
        cursor = self.db.execute(sql, args)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def choose(self, project) -> dict:
        projects = self.rows("SELECT * FROM projects ORDER BY id")
        listing = "; ".join(f"{p['id']}: {p['name']!r}" for p in projects) or "none"
        if project is None:
            if len(projects) == 1:
                return projects[0]
            raise PlcaseInputError(
                f"the database holds {len(projects)} projects ({listing})" if projects
                else "the database holds no project", path=self.path,
                hint="choose one with project=<name or id>" if projects else None)
        chosen = [p for p in projects if str(p["id"]) == str(project) or p["name"] == project]
        if not chosen:
            raise PlcaseInputError(f"no project {project!r} in the database; it holds {listing}",
                                   path=self.path, hint="pass one of these names or ids as project=")
        return chosen[0]

    def coders(self, project_id) -> dict[int, str]:
        """Who added each highlight, from Taguette's command log (the last highlight_add wins)."""
        found: dict[int, str] = {}
        if {"payload", "user_login", "project_id"} <= self.columns.get("commands", set()):
            for row in self.rows("SELECT user_login, payload FROM commands WHERE project_id = ? "
                                 "ORDER BY id", project_id):
                try:
                    payload = json.loads(row["payload"])
                except (TypeError, ValueError):
                    continue
                if isinstance(payload, dict) and payload.get("type") == "highlight_add" \
                        and isinstance(payload.get("highlight_id"), int):
                    found[payload["highlight_id"]] = str(row["user_login"])
        return found

    def default_coder(self, project_id) -> str:
        if {"project_id", "user_login"} <= self.columns.get("project_members", set()):
            members = [r["user_login"] for r in self.rows(
                "SELECT user_login FROM project_members WHERE project_id = ? ORDER BY user_login",
                project_id)]
            if len(members) == 1:
                return str(members[0])
        return "taguette"

    def codebook(self, tags: list[dict]) -> pd.DataFrame:
        paths = {str(t["path"]) for t in tags}
        entries: dict[str, dict] = {}

        def add_parents(path: str) -> str | None:
            if not self.separator or self.separator not in path:
                return None
            parent = path.rsplit(self.separator, 1)[0].strip()
            if not parent:
                return None
            if parent not in paths and parent not in entries:
                entries[parent] = {"code": parent, "label": _leaf(parent, self.separator),
                                   "kind": "category", "parent": add_parents(parent),
                                   "definition": None}
            return parent

        rows = []
        for tag in tags:
            path = str(tag["path"])
            parent = add_parents(path)
            rows.append({"code": path, "label": _leaf(path, self.separator) if parent else path,
                         "kind": "code", "parent": parent,
                         "definition": (tag.get("description") or "").strip() or None})
        ordered = sorted(entries.values(), key=lambda e: e["code"]) + rows
        if not ordered:
            return empty_frame(CODEBOOK_COLUMNS)
        return codebook_frame(ordered, path=self.path)

    def study(self, project) -> Study:
        chosen = self.choose(project)
        pid = chosen["id"]
        documents, texts, passages, indexes, doc_ids = [], {}, [], {}, {}
        for row in self.rows("SELECT * FROM documents WHERE project_id = ? ORDER BY id", pid):
            name = str(row["name"]).strip() or f"document {row['id']}"
            if name in texts:
                name = f"{name} [{row['id']}]"
            collector = _collect(str(row["contents"]), document=True)
            text = "".join(collector.chunks)
            texts[name], doc_ids[row["id"]], indexes[row["id"]] = text, name, _ByteIndex(text)
            passages.append(split_units(text, _units(text, collector.boundaries), name))
            documents.append({"doc_id": name, "date": _text(row.get("created")),
                              "description": _text(row.get("description")),
                              "filename": _text(row.get("filename")), "taguette_id": row["id"],
                              "n_words": word_count(text), "synthetic": False,
                              "path": self.path.name})
        tags = self.rows("SELECT * FROM tags WHERE project_id = ? ORDER BY id", pid)
        tag_paths = {t["id"]: str(t["path"]) for t in tags}
        codebook = self.codebook(tags)
        by_highlight = defaultdict(list)
        for link in self.rows("SELECT highlight_id, tag_id FROM highlight_tags "
                              "ORDER BY highlight_id, tag_id"):
            by_highlight[link["highlight_id"]].append(link["tag_id"])
        coders, fallback = self.coders(pid), self.default_coder(pid)
        codings, untagged = [], []
        for hl in self.rows("SELECT * FROM highlights ORDER BY id"):
            if hl["document_id"] not in doc_ids:
                continue  # a highlight of another project's document
            doc_id, index = doc_ids[hl["document_id"]], indexes[hl["document_id"]]
            where = f"highlight {hl['id']} in document {doc_id!r}"
            first, last = hl["start_offset"], hl["end_offset"]
            if not (isinstance(first, int) and isinstance(last, int)
                    and 0 <= first <= last <= index.n_bytes):
                raise PlcaseInputError(f"{where} has offsets [{first}, {last}) outside the "
                                       f"document's text ({index.n_bytes} UTF-8 bytes)",
                                       path=self.path, hint="the document was changed after "
                                       "highlighting; check the highlight in Taguette")
            start, end = index(first), index(last)
            marked = html_text_fragment(str(hl["snippet"] or ""))
            found = texts[doc_id][start:end]
            if marked != found:
                raise PlcaseInputError(
                    f"{where}: the text at its offsets [{first}, {last}) is {_short(found)!r}, but "
                    f"Taguette stored the snippet {_short(marked)!r}", path=self.path,
                    hint="the document and its highlights disagree; open the highlight in Taguette "
                         "and save it again")
            if not by_highlight.get(hl["id"]):
                untagged.append(f"{hl['id']} ({doc_id!r})")
            for tag_id in by_highlight.get(hl["id"], []):
                if tag_id not in tag_paths:
                    raise PlcaseInputError(f"{where} carries tag id {tag_id}, which is not a tag of "
                                           "the project", path=self.path,
                                           hint="the database is damaged; re-tag the highlight")
                codings.append({"doc_id": doc_id, "start": start, "end": end,
                                "code": tag_paths[tag_id], "coder": coders.get(hl["id"], fallback),
                                "highlight_id": hl["id"]})
        if untagged:
            warnings.warn(f"{self.path}: {len(untagged)} highlight(s) carry no tag, so they are "
                          f"no codings: {', '.join(untagged)}", PlcaseWarning, stacklevel=4)
        frame = pd.DataFrame(documents) if documents else empty_frame(["doc_id"])
        passages = (pd.concat(passages, ignore_index=True) if passages
                    else empty_frame(["passage_id", "doc_id", "start", "end"]))
        coding_rows = pd.DataFrame(codings) if codings else empty_frame(
            ["doc_id", "start", "end", "code", "coder"])
        return Study(documents=frame, passages=passages, codings=coding_rows, codebook=codebook,
                     texts=texts, name=str(chosen["name"]))


def html_text_fragment(html: str) -> str:
    """The text of an HTML fragment (a stored snippet): every text node, whitespace kept.

    Examples
    --------
    >>> html_text_fragment("<p> We did not.</p>\\n<p>&quot;Yes&quot;</p>")
    ' We did not.\\n"Yes"'
    """
    return "".join(_collect(html, document=False).chunks)


def _leaf(path: str, separator: str | None) -> str:
    return path.rsplit(separator, 1)[-1].strip() if separator and separator in path else path


def _text(value):
    if value is None:
        return None
    value = str(value)
    return value if value.strip() else None


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
