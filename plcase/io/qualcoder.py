"""QualCoder projects (``.qda`` folder, SQLite ``data.qda``), read as they are.

QualCoder keeps a whole project in one SQLite file, ``data.qda``, inside the
project folder ``<name>.qda``.  plcase reads it directly (nothing is lost
through an exchange format) and read-only (``mode=ro``: the project is never
changed).  How the tables map onto a :class:`~plcase.study.Study`:

==============================  ===============================================
QualCoder                       plcase
==============================  ===============================================
``source`` with a fulltext      a document: ``doc_id`` = name; ``memo``,
                                ``owner``, ``date``, ``mediapath`` columns
``code_cat`` (``supercatid``)   codebook rows of kind ``category``, nested
``code_name``                   codebook rows of kind ``code`` under their
                                category (or their parent code, ``supercid``,
                                QualCoder 3.8+); memo → ``definition``,
                                ``color`` kept
``code_text``                   codings: ``pos0``/``pos1`` → ``start``/``end``,
                                owner → ``coder``, ``memo``, ``important``
``cases`` + ``case_text``       the ``case`` column (``"A; B"`` when several)
``attribute`` (file or case)    document columns (``Age group`` → ``age_group``)
``journal``, ``annotation``     ``study.memos`` (kind ``journal``/``annotation``;
                                case memos as kind ``case``)
``code_image``, ``code_av``     counted and named in a :class:`PlcaseWarning`:
                                plcase codes text only
==============================  ===============================================

Offsets.  QualCoder's ``pos0``/``pos1`` are code point positions in the
source's ``fulltext``, plcase's own unit.  Every coding's ``seltext`` (the
words QualCoder stored when the coding was made) is compared with
``fulltext[pos0:pos1]``; where they differ (the text was edited after coding)
the coding keeps QualCoder's positions, which is what QualCoder highlights,
and a warning names each such coding and why it differs (``strict=True``
makes it an error).  Codings made in Qt's text view may count positions in
UTF-16 units (an emoji counts twice); in a text with such characters a
coding whose words match only when read that way is read that way, and a
warning says in which documents.

Passages.  A QualCoder text has no passages of its own; plcase splits it by
lines (see :mod:`plcase.io._passages`): ``Name  00:12`` heading lines or
``Name:`` labels open speaker turns, other lines are paragraphs.
"""

from __future__ import annotations

import bisect
import re
import warnings
from collections import defaultdict
from pathlib import Path

import pandas as pd

from plcase.codebook import codebook_frame
from plcase.errors import PlcaseInputError, PlcaseWarning
from plcase.io._passages import line_units, split_units
from plcase.io._sqlite import open_readonly, table_columns
from plcase.io.qdpx.offsets import _normalise_line_ends
from plcase.io.qdpx.reading import _column_name
from plcase.schema import CODEBOOK_COLUMNS, empty_frame
from plcase.segment import word_count
from plcase.study import Study

__all__ = ["read_qualcoder", "is_qualcoder_project", "KNOWN_VERSIONS", "MEMO_COLUMNS"]

#: ``project.databaseversion`` values QualCoder has written so far (v8 is QualCoder 3.6, the
#: version of the real project in plcase's tests; v16 added sub-codes, ``code_name.supercid``).
#: Any of them is read when its tables hold what plcase reads; a later one too, with a warning.
KNOWN_VERSIONS = tuple(f"v{n}" for n in range(1, 18))
#: Columns of ``study.memos``.
MEMO_COLUMNS = ["kind", "doc_id", "start", "end", "title", "memo", "author", "date"]

#: The tables and columns plcase reads; a database of another version is read
#: when it has all of them, refused otherwise.
_REQUIRED = {
    "project": {"databaseversion"},
    "source": {"id", "name", "fulltext", "memo", "owner", "date"},
    "code_cat": {"catid", "name", "memo", "supercatid"},
    "code_name": {"cid", "name", "memo", "catid", "color"},
    "code_text": {"ctid", "cid", "fid", "seltext", "pos0", "pos1", "owner", "memo"},
}
#: Read when present (older or newer databases may lack them).
_OPTIONAL = {
    "cases": {"caseid", "name", "memo", "owner", "date"},
    "case_text": {"caseid", "fid", "pos0", "pos1"},
    "attribute": {"name", "attr_type", "value", "id"},
    "attribute_type": {"name", "valuetype"},
    "journal": {"name", "jentry", "date", "owner"},
    "annotation": {"fid", "pos0", "pos1", "memo", "owner", "date"},
    "code_image": {"cid"},
    "code_av": {"cid"},
}


def is_qualcoder_project(path: str | Path) -> bool:
    """True for a QualCoder project folder (``*.qda`` holding ``data.qda``) or its ``data.qda``.

    Examples
    --------
    >>> is_qualcoder_project("interviews")
    False
    """
    path = Path(path)
    return (path.is_dir() and (path / "data.qda").is_file()) or \
        (path.is_file() and path.suffix.lower() == ".qda")


def _database(path: Path) -> Path:
    if path.is_dir():
        if not (path / "data.qda").is_file():
            raise PlcaseInputError("no data.qda in this folder", path=path,
                                   hint="give a QualCoder project folder (<name>.qda) or its data.qda")
        return path / "data.qda"
    return path


def read_qualcoder(path: str | Path, *, strict: bool = False) -> Study:
    """Read a QualCoder project without changing it.

    Parameters
    ----------
    path : str or Path
        The project folder (``<name>.qda``) or its ``data.qda`` file.
    strict : bool, default False
        Make a coding whose stored ``seltext`` differs from the text at its
        positions an error instead of a warning.

    Returns
    -------
    Study
        Text sources as documents, the category tree and codes as the
        codebook, text codings by their owners, journals and annotations in
        ``study.memos``.

    Raises
    ------
    PlcaseInputError
        For a file that is not a QualCoder database, a database version
        whose tables plcase does not know, a coding outside its text or of
        an unknown code or source, a loop in the category tree.

    Warns
    -----
    PlcaseWarning
        Naming image and audio/video codings (counted, not read), sources
        without text, codings whose ``seltext`` differs, and cases that cover
        only part of a document.

    Examples
    --------
    >>> import sqlite3, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "demo.qda"
    >>> folder.mkdir()
    >>> db = sqlite3.connect(folder / "data.qda")
    >>> _ = db.executescript('''
    ...   CREATE TABLE project (databaseversion text);
    ...   INSERT INTO project VALUES ('v8');
    ...   CREATE TABLE source (id integer, name text, fulltext text, memo text, owner text,
    ...                        date text);
    ...   INSERT INTO source VALUES (1, 'T1', 'Ana  00:01' || char(10) || 'We share plans.',
    ...                              '', 'me', '2024-01-02');
    ...   CREATE TABLE code_cat (catid integer, name text, memo text, supercatid integer);
    ...   INSERT INTO code_cat VALUES (1, 'culture', 'How staff work together', NULL);
    ...   CREATE TABLE code_name (cid integer, name text, memo text, catid integer, color text);
    ...   INSERT INTO code_name VALUES (1, 'sharing', '', 1, '#F0D1D1');
    ...   CREATE TABLE code_text (ctid integer, cid integer, fid integer, seltext text,
    ...                           pos0 integer, pos1 integer, owner text, memo text);
    ...   INSERT INTO code_text VALUES (1, 1, 1, 'share plans', 14, 25, 'me', '');''')
    >>> db.commit(); db.close()
    >>> study = read_qualcoder(folder)
    >>> study.codings[["doc_id", "code", "coder", "text", "passage_id"]].values.tolist()
    [['T1', 'sharing', 'me', 'share plans', 'T1:001']]
    >>> study.codebook[["code", "parent", "kind"]].values.tolist()
    [['culture', None, 'category'], ['sharing', 'culture', 'code']]
    >>> study.passages[["speaker", "timestamp", "text"]].values.tolist()
    [['Ana', '00:01', 'We share plans.']]
    """
    path = Path(path)
    database = _database(path)
    with open_readonly(database, "QualCoder project") as db:
        return _Reader(db, database, path, strict).study()


class _Reader:
    def __init__(self, db, database: Path, path: Path, strict: bool):
        self.db = db
        self.database = database
        self.path = path
        self.strict = strict
        self.columns = table_columns(db)
        self._case_members: dict[int, list[int]] = {}
        self.utf16: dict[int, tuple | None] = {}
        self.version = self._check_version()

    def rows(self, sql: str) -> list[dict]:
        cursor = self.db.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def has(self, table: str) -> bool:
        return _OPTIONAL[table] <= self.columns.get(table, set())

    def _check_version(self) -> str:
        if "project" not in self.columns or "databaseversion" not in self.columns["project"]:
            raise PlcaseInputError("not a QualCoder project: the database has no project table "
                                   "with a databaseversion", path=self.database,
                                   hint="give the data.qda of a QualCoder project")
        found = self.db.execute("SELECT databaseversion FROM project").fetchone()
        version = str(found[0]) if found and found[0] is not None else "(none)"
        missing = [f"{table}.{column}" for table, needed in _REQUIRED.items()
                   for column in sorted(needed - self.columns.get(table, set()))]
        if missing:
            raise PlcaseInputError(
                f"QualCoder database version {version} is not one plcase can read: it lacks "
                f"{', '.join(missing[:6])}{' …' if len(missing) > 6 else ''}", path=self.database,
                hint="plcase reads QualCoder databases whose tables hold these columns (QualCoder "
                     "2.x and 3.x); open the project in a current QualCoder to upgrade it")
        if version not in KNOWN_VERSIONS:
            warnings.warn(f"{self.database}: QualCoder database version {version} is newer than "
                          f"plcase knows (up to {KNOWN_VERSIONS[-1]}); its tables hold what plcase "
                          "reads, so it is read", PlcaseWarning, stacklevel=4)
        return version

    # ------------------------------------------------------------------ parts
    def sources(self):
        documents, texts, maps, lengths, names, skipped = [], {}, {}, {}, {}, []
        for row in self.rows("SELECT * FROM source ORDER BY id"):
            name = str(row["name"]) if row["name"] is not None else f"source {row['id']}"
            names[row["id"]] = name
            if row["fulltext"] is None:
                skipped.append(name)
                continue
            raw = str(row["fulltext"])
            # QualCoder counts a CRLF as two positions; plcase keeps LF text and maps offsets.
            text, to_plcase, raw_length = _normalise_line_ends(raw, 2)
            texts[name], maps[row["id"]], lengths[row["id"]] = text, to_plcase, raw_length
            self.utf16[row["id"]] = _utf16_positions(raw)
            documents.append({"doc_id": name, "date": _blank(row.get("date")),
                              "memo": _blank(row.get("memo")), "owner": _blank(row.get("owner")),
                              "mediapath": _blank(row.get("mediapath")), "qualcoder_id": row["id"],
                              "n_words": word_count(text), "synthetic": False,
                              "path": self.path.name})
        if skipped:
            warnings.warn(f"{self.database}: {len(skipped)} source(s) have no text and are not "
                          f"documents (pictures, audio or video): {', '.join(map(repr, skipped))}",
                          PlcaseWarning, stacklevel=4)
        return documents, texts, maps, lengths, names

    def codebook(self) -> tuple[pd.DataFrame, dict[int, str]]:
        categories = {r["catid"]: r for r in self.rows("SELECT * FROM code_cat ORDER BY catid")}
        codes = self.rows("SELECT * FROM code_name ORDER BY cid")
        code_names = {str(r["name"]) for r in codes}
        cat_ids = {}
        for catid, row in categories.items():
            name = str(row["name"])
            cat_ids[catid] = f"{name} (category)" if name in code_names else name
        for catid, row in categories.items():  # a loop would hang every hierarchy walk
            seen, cursor = {catid}, row.get("supercatid")
            while cursor is not None and cursor in categories:
                if cursor in seen:
                    raise PlcaseInputError(f"the category {row['name']!r} is its own ancestor "
                                           f"(code_cat.supercatid loops)", path=self.database,
                                           hint="move the category in QualCoder's code tree")
                seen.add(cursor)
                cursor = categories[cursor].get("supercatid")
        entries, colors = [], []
        for catid, row in _depth_first(categories):
            parent = row.get("supercatid")
            entries.append({"code": cat_ids[catid], "label": str(row["name"]), "kind": "category",
                            "parent": cat_ids.get(parent), "definition": _blank(row.get("memo"))})
            colors.append(None)
        by_cid = {r["cid"]: r for r in codes}
        for row in codes:
            # QualCoder 3.8+ (v16) nests codes under codes through supercid, catid then empty.
            seen, cursor = {row["cid"]}, row.get("supercid")
            while cursor is not None and cursor in by_cid:
                if cursor in seen:
                    raise PlcaseInputError(f"the code {row['name']!r} is its own ancestor "
                                           "(code_name.supercid loops)", path=self.database,
                                           hint="move the code in QualCoder's code tree")
                seen.add(cursor)
                cursor = by_cid[cursor].get("supercid")
            supercode = by_cid.get(row.get("supercid"))
            parent = str(supercode["name"]) if supercode is not None \
                else cat_ids.get(row.get("catid"))
            entries.append({"code": str(row["name"]), "label": str(row["name"]), "kind": "code",
                            "parent": parent, "definition": _blank(row.get("memo"))})
            colors.append(_blank(row.get("color")))
        if not entries:
            frame = empty_frame(CODEBOOK_COLUMNS)
            frame["color"] = pd.Series(dtype="object")
            return frame, {}
        frame = codebook_frame(entries, path=self.database)
        frame["color"] = colors
        return frame, {r["cid"]: str(r["name"]) for r in codes}

    def codings(self, texts, maps, lengths, names, code_ids) -> list[dict]:
        rows, differing, counted_in_utf16 = [], [], {}
        for row in self.rows("SELECT * FROM code_text ORDER BY ctid"):
            where = f"code_text ctid={row['ctid']}"
            if row["fid"] not in maps:
                source = names.get(row["fid"])
                raise PlcaseInputError(f"{where} codes " + (f"source {source!r}, which has no text"
                                       if source else f"source id {row['fid']}, which does not exist"),
                                       path=self.database, hint="remove the coding in QualCoder")
            if row["cid"] not in code_ids:
                raise PlcaseInputError(f"{where} uses code id {row['cid']}, which is not in "
                                       "code_name", path=self.database,
                                       hint="the project is damaged; recode the segment in QualCoder")
            doc_id, to_plcase = names[row["fid"]], maps[row["fid"]]
            pos0, pos1 = row["pos0"], row["pos1"]
            utf16 = self.utf16[row["fid"]]
            longest = max(lengths[row["fid"]], utf16[1] if utf16 else 0)
            if not (isinstance(pos0, int) and isinstance(pos1, int) and 0 <= pos0 <= pos1 <= longest):
                raise PlcaseInputError(f"{where} in {doc_id!r} has positions [{pos0}, {pos1}) outside "
                                       f"its text (length {lengths[row['fid']]})", path=self.database,
                                       hint="the text was shortened after coding; recode the segment "
                                            "in QualCoder")
            text = texts[doc_id]
            stored = row["seltext"]
            if stored is not None:
                stored = str(stored).replace("\r\n", "\n").replace("\r", "\n")
            start, end = to_plcase(min(pos0, lengths[row["fid"]])), \
                to_plcase(min(pos1, lengths[row["fid"]]))
            read_as_utf16 = False
            if utf16 and stored is not None and stored != text[start:end]:
                # Qt's text widgets count UTF-16 units: an emoji before the coding counts twice.
                to_code_points = utf16[0]
                start16, end16 = to_plcase(to_code_points(pos0)), to_plcase(to_code_points(pos1))
                if stored == text[start16:end16]:
                    start, end, read_as_utf16 = start16, end16, True
                    counted_in_utf16.setdefault(doc_id, 0)
                    counted_in_utf16[doc_id] += 1
            if pos1 > lengths[row["fid"]] and not read_as_utf16:
                raise PlcaseInputError(f"{where} in {doc_id!r} has positions [{pos0}, {pos1}) past "
                                       f"the end of its text (length {lengths[row['fid']]})",
                                       path=self.database, hint="the text was shortened after "
                                       "coding; recode the segment in QualCoder")
            if stored is not None:
                if stored != text[start:end]:
                    differing.append(f"{where} ({doc_id!r}, code {code_ids[row['cid']]!r}, "
                                     f"[{pos0}, {pos1})): {_why(stored, text, start, end)}")
            rows.append({"doc_id": doc_id, "start": start, "end": end,
                         "code": code_ids[row["cid"]], "coder": _blank(row.get("owner")) or "unknown",
                         "memo": _blank(row.get("memo")), "important": bool(row.get("important"))})
        if counted_in_utf16:
            found = ", ".join(f"{d!r} ({n})" for d, n in counted_in_utf16.items())
            warnings.warn(f"{self.database}: codings in {found} count positions in UTF-16 units, as "
                          "Qt's text view does (a character beyond U+FFFF, such as an emoji, counts "
                          "twice); they were read so, and their words equal the stored seltext",
                          PlcaseWarning, stacklevel=4)
        if differing:
            message = (f"{len(differing)} coding(s) differ from the words QualCoder stored with "
                       f"them (seltext); they keep QualCoder's positions: " + "; ".join(differing))
            if self.strict:
                raise PlcaseInputError(message, path=self.database,
                                       hint="check these codings in QualCoder and recode them")
            warnings.warn(f"{self.database}: {message}", PlcaseWarning, stacklevel=4)
        return rows

    def media_codings(self, code_ids) -> None:
        counts = {}
        for table, what in (("code_image", "image"), ("code_av", "audio/video")):
            if table in self.columns and "cid" in self.columns[table]:
                found = self.rows(f"SELECT cid, COUNT(*) AS n FROM {table} GROUP BY cid")
                if found:
                    counts[what] = found
        if counts:
            parts = []
            for what, found in counts.items():
                total = sum(r["n"] for r in found)
                codes = ", ".join(f"{code_ids.get(r['cid'], r['cid'])!r} ×{r['n']}" for r in found)
                parts.append(f"{total} {what} coding(s) ({codes})")
            warnings.warn(f"{self.database}: {' and '.join(parts)} are not read: plcase codes "
                          "text only; they stay in the QualCoder project", PlcaseWarning,
                          stacklevel=4)

    def cases(self, documents, names, maps, lengths, memos) -> None:
        by_doc = {row["qualcoder_id"]: row for row in documents}
        if not (self.has("cases") and self.has("case_text")):
            for row in documents:
                row["case"] = None
            return
        cases = {r["caseid"]: r for r in self.rows("SELECT * FROM cases ORDER BY caseid")}
        members: dict[int, list[str]] = defaultdict(list)
        partial = []
        for link in self.rows("SELECT * FROM case_text ORDER BY caseid, fid"):
            case = cases.get(link["caseid"])
            if case is None or link["fid"] not in by_doc:
                continue
            members[link["fid"]].append(str(case["name"]))
            whole = (link.get("pos0") in (None, 0)) and \
                    (link.get("pos1") is None or link["pos1"] >= lengths[link["fid"]])
            if not whole:
                partial.append(f"{case['name']!r} in {names[link['fid']]!r} "
                               f"[{link.get('pos0')}, {link.get('pos1')})")
        if partial:
            warnings.warn(f"{self.database}: {len(partial)} case link(s) cover part of a document; "
                          f"plcase assigns cases to whole documents: {', '.join(partial)}",
                          PlcaseWarning, stacklevel=4)
        for fid, row in by_doc.items():
            found = list(dict.fromkeys(members.get(fid, [])))
            row["case"] = "; ".join(found) if found else None
        for case in cases.values():
            if _blank(case.get("memo")):
                memos.append({"kind": "case", "doc_id": None, "start": None, "end": None,
                              "title": str(case["name"]), "memo": case["memo"],
                              "author": _blank(case.get("owner")), "date": _blank(case.get("date"))})
        self._case_members = {caseid: [fid for fid in by_doc
                                       if str(cases[caseid]["name"]) in members.get(fid, [])]
                              for caseid in cases}

    def attributes(self, documents) -> None:
        if not self.has("attribute"):
            return
        numeric = {}
        if self.has("attribute_type"):
            numeric = {r["name"]: str(r.get("valuetype") or "").casefold() == "numeric"
                       for r in self.rows("SELECT * FROM attribute_type")}
        by_doc = {row["qualcoder_id"]: row for row in documents}
        members = self._case_members
        case_values: dict[int, dict] = defaultdict(dict)
        for attr in self.rows("SELECT * FROM attribute ORDER BY name"):
            column = _column_name(str(attr["name"]))
            if column in ("case", "memo", "owner", "date", "mediapath", "qualcoder_id"):
                column = f"attr_{column}"
            value = _typed(attr.get("value"), numeric.get(attr["name"], False))
            if attr.get("attr_type") == "file" and attr["id"] in by_doc:
                by_doc[attr["id"]][column] = value
            elif attr.get("attr_type") == "case":
                for fid in members.get(attr["id"], []):
                    case_values[fid].setdefault(column, []).append(value)
        for fid, values in case_values.items():
            for column, found in values.items():
                distinct = list(dict.fromkeys(v for v in found if v is not None))
                value = distinct[0] if len(distinct) == 1 else \
                    "; ".join(str(v) for v in distinct) if distinct else None
                by_doc[fid].setdefault(column, value)

    def memos(self, names, maps, memos) -> None:
        if self.has("journal"):
            for row in self.rows("SELECT * FROM journal ORDER BY date, name"):
                memos.append({"kind": "journal", "doc_id": None, "start": None, "end": None,
                              "title": _blank(row.get("name")), "memo": row.get("jentry"),
                              "author": _blank(row.get("owner")), "date": _blank(row.get("date"))})
        if self.has("annotation"):
            for row in self.rows("SELECT * FROM annotation ORDER BY fid, pos0, pos1"):
                if row["fid"] not in maps:
                    continue
                to_plcase = maps[row["fid"]]
                memos.append({"kind": "annotation", "doc_id": names[row["fid"]],
                              "start": to_plcase(int(row["pos0"] or 0)),
                              "end": to_plcase(int(row["pos1"] or 0)), "title": None,
                              "memo": row.get("memo"), "author": _blank(row.get("owner")),
                              "date": _blank(row.get("date"))})

    def study(self) -> Study:
        documents, texts, maps, lengths, names = self.sources()
        codebook, code_ids = self.codebook()
        codings = self.codings(texts, maps, lengths, names, code_ids)
        self.media_codings(code_ids)
        memos: list[dict] = []
        self.cases(documents, names, maps, lengths, memos)
        self.attributes(documents)
        self.memos(names, maps, memos)
        frame = pd.DataFrame(documents) if documents else empty_frame(["doc_id"])
        passages = [split_units(texts[d], line_units(texts[d]), d) for d in frame["doc_id"]]
        passages = (pd.concat(passages, ignore_index=True) if passages
                    else empty_frame(["passage_id", "doc_id", "start", "end"]))
        coding_rows = pd.DataFrame(codings) if codings else empty_frame(
            ["doc_id", "start", "end", "code", "coder"])
        memo_frame = pd.DataFrame(memos, columns=MEMO_COLUMNS)
        for column in ("start", "end"):
            memo_frame[column] = memo_frame[column].astype("Int64")
        name = self.path.name[:-4] if self.path.name.lower().endswith(".qda") else self.path.stem
        if self.path.name == "data.qda":
            name = self.path.parent.name.removesuffix(".qda") or "qualcoder"
        return Study(documents=frame, passages=passages, codings=coding_rows, codebook=codebook,
                     texts=texts, name=name, memos=memo_frame)


def _utf16_positions(raw: str):
    """(UTF-16 position → code point position, UTF-16 length) for a text with astral characters.

    ``None`` when every character is in the Basic Multilingual Plane: there the
    two units agree.  A position inside a surrogate pair moves to the
    character's end.
    """
    astral = [i for i, char in enumerate(raw) if ord(char) > 0xFFFF]
    if not astral:
        return None
    # Where each astral character starts in UTF-16 units: every earlier one added a unit.
    starts = [i + k for k, i in enumerate(astral)]

    def to_code_points(position: int) -> int:
        # Characters that end by ``position`` each took one unit more; inside a pair the
        # count leaves the pair out, which lands on the character's end.
        return position - bisect.bisect_right(starts, position - 2)

    return to_code_points, len(raw) + len(astral)


def _depth_first(categories: dict) -> list:
    """Categories parents first (each after its super-category), otherwise in id order."""
    children = defaultdict(list)
    for catid, row in categories.items():
        parent = row.get("supercatid")
        children[parent if parent in categories else None].append(catid)
    order, stack = [], list(reversed(children[None]))
    while stack:
        catid = stack.pop()
        order.append((catid, categories[catid]))
        stack.extend(reversed(children[catid]))
    return order


def _blank(value):
    """QualCoder stores absent text as '' or NULL; plcase uses None."""
    if value is None:
        return None
    value = str(value)
    return value if value.strip() else None


def _typed(value, numeric: bool):
    value = _blank(value)
    if value is None or not numeric:
        return value
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() else number


def _why(stored: str, text: str, start: int, end: int) -> str:
    """Why a coding's stored seltext differs from the text at its positions."""
    here = text[start:end]
    if " ".join(stored.split()) == " ".join(here.split()):
        return "only spaces or line ends differ"
    found = [m.start() for m in re.finditer(re.escape(stored), text)] if stored else []
    if found:
        nearest = min(found, key=lambda p: abs(p - start))
        return (f"the text was edited after coding: the stored words are at "
                f"[{nearest}, {nearest + len(stored)}), {nearest - start:+d} characters away")
    return "the stored words are not in the text any more (it was edited after coding)"
