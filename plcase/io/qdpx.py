"""REFI-QDA project (``.qdpx``) and codebook (``.qdc``) exchange.

REFI-QDA is the exchange standard of the desktop QDA tools (NVivo, ATLAS.ti,
MAXQDA, QualCoder, Quirkos, f4analyse…).  A ``.qdpx`` file is a zip archive
holding ``project.qde`` — XML in the ``urn:QDA-XML:project:1.0`` namespace —
and a flat ``sources/`` folder with the source files; a ``.qdc`` file is the
codebook alone (``urn:QDA-XML:codebook:1.0``).

How plcase maps a project onto a :class:`~plcase.study.Study`:

==========================================  =====================================
REFI-QDA                                    plcase
==========================================  =====================================
``TextSource``                              a document (``doc_id`` = source name)
``PlainTextSelection`` + ``Coding/CodeRef``  one coding per code; the coder is the
                                            ``User`` named by ``creatingUser``
``Coding`` directly on a ``TextSource``      a coding of the whole document
``CodeBook/Codes/Code`` (nested)            the codebook, hierarchy in ``parent``;
                                            ``isCodable="false"`` → kind ``category``
``Variables`` + ``VariableValue``           document columns (``School`` → ``school``)
``Cases``                                   the case's variables go to its sources;
                                            named cases fill a ``case`` column
``Sets`` of sources                         a ``sets`` column, ``"Set A; Set B"``
PDF, picture, audio and video sources       skipped with a :class:`PlcaseWarning`
==========================================  =====================================

Offsets.  ``startPosition``/``endPosition`` are 0-based Unicode code points,
half-open, exactly plcase's unit.  A UTF-8 byte-order mark is removed before
counting.  Line ends are normalised to LF, and offsets are mapped with them:
ATLAS.ti counts a CRLF as one character, the other tools count it as two, so
plcase reads ``Project@origin`` — an origin naming ATLAS.ti counts CRLF as 1,
any other as 2 (override with ``crlf_width``).  Projects written by plcase
itself are read verbatim (their offsets index the exact text written).

Writing.  :func:`write_qdpx` writes the whole study, machine coders included
as their own ``User`` (``auto:model``), so plcase's work opens in a desktop
tool.  The output is deterministic: GUIDs are uuid5 of the content, times come
from the document dates, zip entries are sorted with a fixed timestamp, so the
same study gives the same bytes.  REFI-QDA has no place for a code's label,
kind, include/exclude rules or keywords, so plcase writes them as labelled
lines of the code's ``Description`` and reads them back from there.
"""

from __future__ import annotations

import bisect
import math
import re
import uuid
import warnings
import zipfile
from collections import defaultdict
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd

from plcase.codebook import codebook_frame
from plcase.errors import PlcaseError, PlcaseInputError, PlcaseWarning
from plcase.io._safe import MAX_MEMBER_BYTES, open_archive, parse_xml
from plcase.io.transcript import split_passages
from plcase.schema import CODEBOOK_COLUMNS, empty_frame
from plcase.segment import word_count
from plcase.study import Study

__all__ = ["read_qdpx", "write_qdpx", "read_qdc", "write_qdc", "PROJECT_NS", "CODEBOOK_NS"]

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"

#: Namespace of plcase's uuid5 GUIDs (itself uuid5 of the URL namespace and "plcase").
_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://plcase/refi-qda")
#: Used where a study has no dates: a fixed time keeps the output reproducible.
_FIXED_TIME = "2000-01-01T00:00:00Z"
#: The earliest time a zip entry can carry; fixed so the archive bytes never vary.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_ORIGIN = "plcase"
_CREATOR = "plcase"
_SEP = "\x1f"  # joins the parts hashed into a GUID; cannot occur in a name

_GUID_TEXT = re.compile(r"^\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-"
                        r"[0-9A-Fa-f]{12})\}?$")
_RGB = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DESCRIPTION_FIELDS = ("label", "kind", "include", "exclude", "example", "keywords", "phrases")
_FIELD_LINE = re.compile(r"^(Label|Kind|Include|Exclude|Example|Keywords|Phrases): ?(.*)$", re.M)
#: Document columns that are not variables: written elsewhere or recomputed.
_NOT_VARIABLES = ("doc_id", "n_words", "path", "guid", "sets", "case")
#: Okabe-Ito colours, for codes that have none.
_PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
            "#999999")
_NON_TEXT_SOURCES = {"PDFSource": "PDF", "PictureSource": "picture", "AudioSource": "audio",
                     "VideoSource": "video"}


# --------------------------------------------------------------------------- reading

def read_qdpx(path: str | Path, *, crlf_width: int | None = None) -> Study:
    """Read a REFI-QDA project (``.qdpx``) exported by NVivo, ATLAS.ti, MAXQDA…

    Parameters
    ----------
    path : str or Path
        The ``.qdpx`` file.
    crlf_width : {None, 1, 2}, optional
        How many code points a CRLF line end counts for in the project's
        offsets.  ``None`` (default) decides from ``Project@origin``: 1 for
        ATLAS.ti, 2 for every other tool.

    Returns
    -------
    Study
        Text sources as documents (split into passages: speaker turns or
        paragraphs), selections as codings by their users, the code tree as
        the codebook.

    Raises
    ------
    PlcaseInputError
        For a damaged or hostile archive, malformed XML, a selection outside
        its source, a code referenced but not defined, a duplicate GUID.

    Warns
    -----
    PlcaseWarning
        For sources that are not text (PDF, pictures, audio, video) or whose
        text is not in the archive; they are skipped.

    Examples
    --------
    >>> from plcase import config
    >>> study = read_qdpx(config.PROJECT_ROOT / "tests" / "data" / "refi" /
    ...                   "refi_large_codebook.qdpx")
    >>> len(study.codebook), int((study.codebook["kind"] == "category").sum())
    (312, 12)
    >>> study.documents[["doc_id", "sets"]].iloc[0].tolist()
    ['Document 01', 'Group 1']
    """
    path = Path(path)
    if crlf_width not in (None, 1, 2):
        raise PlcaseError(f"crlf_width must be None, 1 or 2, not {crlf_width!r}")
    with open_archive(path, what="REFI-QDA project") as archive:
        qde = _find_qde(archive)
        root = parse_xml(archive.read(qde), f"{path}:{qde}", what="REFI-QDA project XML")
        return _ProjectReader(root, archive, path, crlf_width).study()


def _find_qde(archive) -> str:
    names = archive.names()
    exact = archive.find("project.qde")
    if exact is not None:
        return exact
    top = [n for n in names if n.lower().endswith(".qde") and "/" not in n.replace("\\", "/")]
    if len(top) == 1:
        return top[0]
    raise PlcaseInputError("no project.qde in the archive" if not top else
                           f"several .qde files in the archive: {sorted(top)}",
                           path=archive.path, hint="is this a REFI-QDA project export (.qdpx)?")


def _local(name) -> str:
    if not isinstance(name, str):
        return ""
    return name.rsplit("}", 1)[-1] if name.startswith("{") else name


def _attrs(element) -> dict[str, str]:
    # Some tools qualify attributes with the namespace; compare local names only.
    return {_local(k): v for k, v in element.attrib.items()}


def _children(element, name: str) -> list:
    return [child for child in element if _local(child.tag) == name]


def _child(element, name: str):
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _text_of(element) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text


def _norm_guid(value: str | None) -> str | None:
    """GUIDs compared case-insensitively and without braces (MAXQDA writes upper case)."""
    if value is None:
        return None
    value = value.strip()
    match = _GUID_TEXT.match(value)
    return (match.group(1) if match else value).lower() or None


class _ProjectReader:
    """One pass over project.qde, collecting what a Study needs."""

    def __init__(self, root, archive, path: Path, crlf_width: int | None):
        self.root = root
        self.archive = archive
        self.path = path
        if _local(root.tag) != "Project":
            raise PlcaseInputError(f"the root element is <{_local(root.tag)}>, not <Project>",
                                   path=path, hint="is this a REFI-QDA project export (.qdpx)?")
        attrs = _attrs(root)
        self.name = attrs.get("name") or path.stem
        self.origin = attrs.get("origin") or ""
        if crlf_width is None:
            origin = self.origin.casefold()
            crlf_width = 0 if origin.startswith(_ORIGIN) else 1 if "atlas" in origin else 2
        self.crlf_width = crlf_width
        self.seen_guids: dict[str, set[str]] = defaultdict(set)

    def _unique(self, kind: str, guid: str | None, where: str) -> None:
        # GUIDs must be unique within a kind; NVivo reuses a case's GUID for its
        # case node in the codebook, so uniqueness across kinds is not required.
        if guid is None:
            return
        if guid in self.seen_guids[kind]:
            raise PlcaseInputError(f"duplicate GUID {guid} on {where}", path=self.path,
                                   hint="every element of a REFI-QDA project needs its own GUID; "
                                        "export the project again")
        self.seen_guids[kind].add(guid)

    # -- parts --------------------------------------------------------------
    def users(self) -> dict[str, str]:
        users = {}
        block = _child(self.root, "Users")
        for user in ([] if block is None else _children(block, "User")):
            attrs = _attrs(user)
            guid = _norm_guid(attrs.get("guid"))
            if guid is None:
                continue
            self._unique("User", guid, f"<User name={attrs.get('name')!r}>")
            users[guid] = attrs.get("name") or attrs.get("id") or guid
        return users

    def variables(self) -> dict[str, tuple[str, str]]:
        found = {}
        block = _child(self.root, "Variables")
        for var in ([] if block is None else _children(block, "Variable")):
            attrs = _attrs(var)
            guid = _norm_guid(attrs.get("guid"))
            if guid is None:
                continue
            self._unique("Variable", guid, f"<Variable name={attrs.get('name')!r}>")
            found[guid] = (_column_name(attrs.get("name") or guid),
                           attrs.get("typeOfVariable") or "Text")
        return found

    def values(self, element, variables) -> dict[str, object]:
        values = {}
        for vv in _children(element, "VariableValue"):
            ref = _child(vv, "VariableRef")
            guid = None if ref is None else _norm_guid(_attrs(ref).get("targetGUID"))
            if guid not in variables:
                continue  # a value of an undeclared variable has no name to go under
            column, kind = variables[guid]
            for child in vv:
                tag = _local(child.tag)
                if tag.endswith("Value") and tag != "VariableRef":
                    values[column] = _typed_value(tag, child.text)
                    break
        return values

    def study(self) -> Study:
        users = self.users()
        codes = _read_code_tree(_child(self.root, "CodeBook"), self.path, self._unique)
        variables = self.variables()
        code_ids = {guid: entry["code"] for guid, entry in codes.items()}

        case_names: dict[str, str | None] = {}
        case_values: dict[str, dict] = {}
        source_cases: dict[str, list[str]] = defaultdict(list)
        source_values: dict[str, dict] = defaultdict(dict)
        cases_block = _child(self.root, "Cases")
        for case in ([] if cases_block is None else _children(cases_block, "Case")):
            attrs = _attrs(case)
            guid = _norm_guid(attrs.get("guid"))
            self._unique("Case", guid, f"<Case name={attrs.get('name')!r}>")
            values = self.values(case, variables)
            if guid is not None:
                case_names[guid] = attrs.get("name")
                case_values[guid] = values
            for ref in _children(case, "SourceRef"):
                target = _norm_guid(_attrs(ref).get("targetGUID"))
                if target is None:
                    continue
                source_values[target].update(values)
                if attrs.get("name"):
                    source_cases[target].append(attrs["name"])

        documents, texts, codings, skipped = [], {}, [], []
        doc_ids: set[str] = set()
        sources = _child(self.root, "Sources")
        for source in ([] if sources is None else list(sources)):
            tag = _local(source.tag)
            attrs = _attrs(source)
            label = attrs.get("name") or attrs.get("guid") or "(unnamed)"
            if tag != "TextSource":
                if tag:
                    skipped.append(f"{_NON_TEXT_SOURCES.get(tag, tag)} {label!r}")
                continue
            guid = _norm_guid(attrs.get("guid"))
            self._unique("Source", guid, f"<TextSource name={label!r}>")
            loaded = self._source_text(source, attrs, label)
            if loaded is None:
                skipped.append(f"text {label!r} (its plain text is not in the archive)")
                continue
            text, to_plcase, raw_length = loaded
            doc_id = attrs.get("name") or guid or f"source-{len(documents) + 1}"
            if doc_id in doc_ids:
                doc_id = f"{doc_id} [{(guid or str(len(documents)))[:8]}]"
            doc_ids.add(doc_id)
            texts[doc_id] = text
            cases = list(source_cases.get(guid, []))
            row = {"doc_id": doc_id, **source_values.get(guid, {}),
                   **self.values(source, variables)}
            codings.extend(self._codings(source, label, doc_id, text, to_plcase, raw_length,
                                         users, code_ids, case_names, case_values, cases, row))
            row["case"] = "; ".join(dict.fromkeys(cases)) if cases else None
            row["guid"] = guid
            row["n_words"] = word_count(text)
            row["path"] = self.path.name
            row.setdefault("synthetic", False)
            documents.append(row)

        if skipped:
            warnings.warn(f"{self.path}: skipped {len(skipped)} source(s) that plcase cannot code "
                          f"as text: {', '.join(skipped)}", PlcaseWarning, stacklevel=3)
        self._sets(documents)
        return self._build(documents, texts, codings, codes)

    def _source_text(self, source, attrs, label):
        """The source's text in plcase form, a map from REFI offsets, and the REFI length."""
        inline = _child(source, "PlainTextContent")
        if inline is not None:
            raw = inline.text or ""
        else:
            target = attrs.get("plainTextPath")
            if not target:
                return None
            if not target.lower().startswith("internal://"):
                return None  # relative:// and absolute:// point outside the archive: never read
            name = target[len("internal://"):]
            if not name or "/" in name.replace("\\", "/") or ".." in name:
                raise PlcaseInputError(f"<TextSource name={label!r}> has an unsafe plainTextPath "
                                       f"{target!r}", path=self.path,
                                       hint="internal:// names a file in the sources/ folder")
            member = self.archive.find(f"sources/{name}") or self.archive.find(name)
            if member is None:
                raise PlcaseInputError(f"<TextSource name={label!r}>: {target} is not in the "
                                       f"archive (looked for sources/{name})", path=self.path,
                                       hint="the export is incomplete; export the project again")
            # One byte-order mark is removed in decoding; it is not text, so it
            # never shifts an offset.
            raw = _decode(self.archive.read(member), f"{self.path}:{member}")
        return _normalise_line_ends(raw, self.crlf_width)

    def _codings(self, source, label, doc_id, text, to_plcase, raw_length, users, code_ids,
                 case_names, case_values, cases, row):
        source_user = _norm_guid(_attrs(source).get("creatingUser"))
        out = []

        def add(coding, start, end, selection_user, memo, where):
            ref = _child(coding, "CodeRef")
            target = None if ref is None else _norm_guid(_attrs(ref).get("targetGUID"))
            if target is None:
                raise PlcaseInputError(f"a <Coding> in {where} has no <CodeRef targetGUID>",
                                       path=self.path, hint="export the project again")
            if target not in code_ids:
                if target in case_names:
                    # NVivo marks case membership by coding a source at the case's node.
                    if case_names[target]:
                        cases.append(case_names[target])
                    for key, value in case_values[target].items():
                        row.setdefault(key, value)
                    return
                raise PlcaseInputError(f"code {target} is referenced in {where} but not defined in "
                                       f"the CodeBook", path=self.path,
                                       hint="export the project again with its codebook")
            user = _norm_guid(_attrs(coding).get("creatingUser")) or selection_user or source_user
            coder = "unknown" if user is None else users.get(user, user)
            out.append({"doc_id": doc_id, "start": start, "end": end, "code": code_ids[target],
                        "coder": coder, "memo": memo})

        for selection in _children(source, "PlainTextSelection"):
            attrs = _attrs(selection)
            guid = _norm_guid(attrs.get("guid"))
            where = f"<PlainTextSelection guid={attrs.get('guid')!r}> of source {label!r}"
            self._unique("Selection", guid, where)
            try:
                start, end = int(attrs["startPosition"]), int(attrs["endPosition"])
            except (KeyError, ValueError, TypeError):
                raise PlcaseInputError(f"{where} lacks integer startPosition/endPosition",
                                       path=self.path, hint="export the project again") from None
            if not 0 <= start <= end <= raw_length:
                raise PlcaseInputError(f"{where} has offsets [{start}, {end}) outside its source "
                                       f"(length {raw_length})", path=self.path,
                                       hint="the source text and project.qde do not match; "
                                            "export the project again, or pass crlf_width")
            memo = _text_of(_child(selection, "Description"))
            memo = memo.strip() or None if memo else None
            for coding in _children(selection, "Coding"):
                add(coding, to_plcase(start), to_plcase(end),
                    _norm_guid(attrs.get("creatingUser")), memo, where)
        for coding in _children(source, "Coding"):
            add(coding, 0, len(text), None, None, f"<TextSource name={label!r}>")
        return out

    def _sets(self, documents) -> None:
        by_guid = {row["guid"]: row for row in documents if row.get("guid")}
        block = _child(self.root, "Sets")
        for group in ([] if block is None else _children(block, "Set")):
            attrs = _attrs(group)
            self._unique("Set", _norm_guid(attrs.get("guid")), f"<Set name={attrs.get('name')!r}>")
            name = attrs.get("name") or attrs.get("guid") or "set"
            for member in _children(group, "MemberSource"):
                row = by_guid.get(_norm_guid(_attrs(member).get("targetGUID")))
                if row is not None:
                    row.setdefault("_sets", []).append(name)
        for row in documents:
            names = row.pop("_sets", None)
            row["sets"] = "; ".join(sorted(set(names))) if names else None

    def _build(self, documents, texts, codings, codes) -> Study:
        codebook = _codebook_from_entries(list(codes.values()), self.path)
        frame = pd.DataFrame(documents)
        if frame.empty:
            frame = empty_frame(["doc_id"])
        passages = [split_passages(texts[d], d) for d in frame["doc_id"]]
        passages = (pd.concat(passages, ignore_index=True) if passages
                    else empty_frame(["passage_id", "doc_id", "start", "end"]))
        coding_rows = pd.DataFrame(codings) if codings else empty_frame(
            ["doc_id", "start", "end", "code", "coder"])
        coding_rows = coding_rows.drop_duplicates(["doc_id", "start", "end", "code", "coder"])
        return Study(documents=frame, passages=passages, codings=coding_rows, codebook=codebook,
                     texts=texts, name=self.name)


def _decode(data: bytes, where: str) -> str:
    """Decode a source file: UTF-8 (BOM removed), UTF-16 with BOM, else cp1252 with a warning."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        warnings.warn(f"{where}: not UTF-8; read as Windows-1252 (cp1252)", PlcaseWarning,
                      stacklevel=4)
        return data.decode("cp1252", errors="replace")


def _normalise_line_ends(raw: str, crlf_width: int):
    """Return (text with LF line ends, REFI offset → plcase offset, REFI length).

    ``crlf_width`` 2: the project counts CRLF as two code points (NVivo,
    MAXQDA, QualCoder); an offset is moved back by the CRLFs before it.  An
    offset between CR and LF lands on the LF.  ``crlf_width`` 1: the project
    already counts CRLF as one (ATLAS.ti), which is the LF text.  ``0``: plcase's
    own files, read verbatim.
    """
    if crlf_width == 0:
        return raw, int, len(raw)
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if crlf_width == 1:
        return text, int, len(text)
    carriage = [m.start() for m in re.finditer("\r\n", raw)]
    if not carriage:
        return text, int, len(raw)

    def to_plcase(offset: int) -> int:
        return offset - bisect.bisect_left(carriage, offset)

    return text, to_plcase, len(raw)


def _column_name(name: str) -> str:
    """A variable name as a snake_case column name ("Age group" → "age_group")."""
    column = re.sub(r"\W+", "_", str(name).strip().casefold()).strip("_") or "variable"
    if column in _NOT_VARIABLES or column in ("text", "start", "end"):
        column = f"var_{column}"
    return column


def _typed_value(tag: str, text: str | None):
    if text is None:
        return None
    text = text.strip()
    try:
        if tag == "IntegerValue":
            return int(text)
        if tag == "FloatValue":
            value = float(text)
            return value if math.isfinite(value) else text
        if tag == "BooleanValue":
            if text.casefold() in ("true", "1"):
                return True
            if text.casefold() in ("false", "0"):
                return False
    except ValueError:
        pass
    return text


def _read_code_tree(codebook_el, path: Path, unique) -> dict[str, dict]:
    """Codes (depth first, document order) keyed by GUID, with unique plcase code ids."""
    codes_el = None if codebook_el is None else _child(codebook_el, "Codes")
    if codes_el is None:
        return {}
    entries: dict[str, dict] = {}
    stack = [(code, None) for code in reversed(_children(codes_el, "Code"))]
    while stack:  # iterative: a crafted, deeply nested tree cannot exhaust the stack
        element, parent_guid = stack.pop()
        attrs = _attrs(element)
        guid = _norm_guid(attrs.get("guid"))
        name = attrs.get("name")
        where = f"<Code name={name!r}>"
        if guid is None:
            raise PlcaseInputError(f"{where} has no guid", path=path,
                                   hint="every REFI-QDA code needs a GUID; export the codebook "
                                        "again")
        unique("Code", guid, where)
        codable = (attrs.get("isCodable") or "true").strip().casefold() not in ("false", "0")
        entry = {"guid": guid, "name": (name or "").strip() or f"code {guid[:8]}",
                 "parent_guid": parent_guid, "codable": codable,
                 "color": attrs.get("color") if _RGB.match(attrs.get("color") or "") else None}
        entry.update(_parse_description(_text_of(_child(element, "Description"))))
        entries[guid] = entry
        stack.extend((child, guid) for child in reversed(_children(element, "Code")))
    # Code ids: the name where it is unique, else the path from the top ("Parent/Child").
    counts = defaultdict(int)
    for entry in entries.values():
        counts[entry["name"]] += 1
    taken: set[str] = set()
    for entry in entries.values():
        code = entry["name"]
        if counts[code] > 1:
            parts, cursor = [], entry
            while cursor is not None:
                parts.append(cursor["name"])
                cursor = entries.get(cursor["parent_guid"])
            code = "/".join(reversed(parts))
        base, n = code, 2
        while code in taken:
            code, n = f"{base} ({n})", n + 1
        taken.add(code)
        entry["code"] = code
    return entries


def _parse_description(description: str | None) -> dict:
    """Split plcase's labelled lines (Include:, Keywords:…) off a code description."""
    if not description or not description.strip():
        return {"definition": None}
    fields = {}
    first = None
    for match in _FIELD_LINE.finditer(description):
        first = match.start() if first is None else first
        key, value = match.group(1).lower(), match.group(2).strip()
        if key in ("keywords", "phrases"):
            fields[key] = [v.strip() for v in value.split(";") if v.strip()]
        else:
            fields[key] = value or None
    definition = (description if first is None else description[:first]).strip()
    fields["definition"] = definition or None
    return fields


def _codebook_from_entries(entries: list[dict], path) -> pd.DataFrame:
    by_guid = {entry["guid"]: entry for entry in entries}
    rows = []
    for entry in entries:
        parent = by_guid.get(entry["parent_guid"])
        if not entry["codable"]:
            kind = "category"
        else:
            kind = entry.get("kind") or "code"
        rows.append({"code": entry["code"], "label": entry.get("label") or entry["name"],
                     "parent": None if parent is None else parent["code"],
                     "kind": kind if kind in ("theme", "subcode", "valence", "code", "category")
                     else "code",
                     "definition": entry.get("definition"), "include": entry.get("include"),
                     "exclude": entry.get("exclude"), "example": entry.get("example"),
                     "keywords": entry.get("keywords") or [],
                     "phrases": entry.get("phrases") or []})
    if not rows:
        frame = empty_frame(CODEBOOK_COLUMNS)
        frame["guid"] = pd.Series(dtype="object")
        frame["color"] = pd.Series(dtype="object")
        return frame
    frame = codebook_frame(rows, path=path)
    frame["guid"] = [entry["guid"] for entry in entries]
    frame["color"] = [entry["color"] for entry in entries]
    return frame


# --------------------------------------------------------------------------- codebook (.qdc)

def read_qdc(path: str | Path) -> pd.DataFrame:
    """Read a REFI-QDA codebook (``.qdc``) into a codebook frame.

    Returns
    -------
    DataFrame
        The codebook columns (see :mod:`plcase.schema`) plus ``guid`` and
        ``color``; nested codes keep their parent in ``parent``; codes with
        ``isCodable="false"`` have kind ``category``.

    Examples
    --------
    >>> from plcase import config
    >>> codebook = read_qdc(config.PROJECT_ROOT / "tests" / "data" / "refi" / "refi_codebook.qdc")
    >>> codebook.loc[codebook.kind == "category", "code"].tolist()
    ['Themes']
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_MEMBER_BYTES:
            raise PlcaseInputError(f"the codebook is {size} bytes, more than the limit of "
                                   f"{MAX_MEMBER_BYTES}", path=path)
        data = path.read_bytes()
    except OSError as exc:
        raise PlcaseInputError(f"cannot read the codebook: {exc.strerror or exc}",
                               path=path) from None
    root = parse_xml(data, path, what="REFI-QDA codebook XML")
    if _local(root.tag) != "CodeBook":
        raise PlcaseInputError(f"the root element is <{_local(root.tag)}>, not <CodeBook>",
                               path=path, hint="is this a REFI-QDA codebook export (.qdc)?")
    seen: dict[str, set[str]] = defaultdict(set)

    def unique(kind, guid, where):
        if guid in seen[kind]:
            raise PlcaseInputError(f"duplicate GUID {guid} on {where}", path=path,
                                   hint="every code needs its own GUID; export the codebook again")
        seen[kind].add(guid)

    entries = _read_code_tree(root, path, unique)
    return _codebook_from_entries(list(entries.values()), path)


def write_qdc(codebook: pd.DataFrame, path: str | Path) -> Path:
    """Write a codebook frame as a REFI-QDA codebook (``.qdc``).

    Parameters
    ----------
    codebook : DataFrame
        A codebook frame (``study.codebook`` or :func:`plcase.codebook.read_codebook`).
    path : str or Path
        The file to write.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from plcase import config
    >>> from plcase.codebook import read_codebook
    >>> codebook = read_codebook(config.SAMPLE_DIR / "codebook.yml")
    >>> out = write_qdc(codebook, pathlib.Path(tempfile.mkdtemp()) / "cms.qdc")
    >>> read_qdc(out)["code"].tolist() == codebook["code"].tolist()
    True
    """
    path = Path(path)
    root = ET.Element(_q(CODEBOOK_NS, "CodeBook"), {"origin": _ORIGIN})
    codes_el = ET.SubElement(root, _q(CODEBOOK_NS, "Codes"))
    _write_code_tree(codes_el, codebook, CODEBOOK_NS)
    path.write_bytes(_serialise(root, CODEBOOK_NS))
    return path


# --------------------------------------------------------------------------- writing

def write_qdpx(study: Study, path: str | Path) -> Path:
    """Write a study as a REFI-QDA project (``.qdpx``) for NVivo, ATLAS.ti, MAXQDA…

    Every document becomes a ``TextSource`` (its text in ``sources/``), every
    coder a ``User`` (machine coders such as ``auto:model`` too), every group
    of codings with the same span and coder a ``PlainTextSelection``, every
    document column a ``Variable`` (except ``sets`` → ``Sets`` and ``case`` →
    ``Cases``).  The bytes depend on the study only.

    Parameters
    ----------
    study : Study
    path : str or Path
        The ``.qdpx`` file to write.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import plcase
    >>> study = plcase.read_sample()
    >>> out = write_qdpx(study, pathlib.Path(tempfile.mkdtemp()) / "cms.qdpx")
    >>> again = read_qdpx(out)
    >>> len(again.codings) == len(study.codings)
    True
    """
    path = Path(path)
    ns = PROJECT_NS
    documents = study.documents
    doc_time = {d: _timestamp(v) for d, v in zip(documents["doc_id"], documents["date"])}
    times = sorted(t for t in doc_time.values() if t != _FIXED_TIME)
    project_time = times[0] if times else _FIXED_TIME

    coders = sorted(set(study.codings["coder"].astype(str)) | {_CREATOR})
    user_guid = {coder: _guid("user", coder) for coder in coders}
    root = ET.Element(_q(ns, "Project"), {
        "name": _xml_safe(study.name) or "study", "origin": _ORIGIN,
        "creatingUserGUID": user_guid[_CREATOR], "creationDateTime": project_time})
    users_el = ET.SubElement(root, _q(ns, "Users"))
    for coder in coders:
        ET.SubElement(users_el, _q(ns, "User"),
                      {"guid": user_guid[coder], "name": _xml_safe(coder)})

    if len(study.codebook):
        codes_el = ET.SubElement(ET.SubElement(root, _q(ns, "CodeBook")), _q(ns, "Codes"))
        code_guid = _write_code_tree(codes_el, study.codebook, ns)
    else:
        code_guid = {}

    variables = _variable_columns(documents)
    if variables:
        vars_el = ET.SubElement(root, _q(ns, "Variables"))
        for column, kind in variables:
            ET.SubElement(vars_el, _q(ns, "Variable"), {
                "guid": _guid("variable", column), "name": _xml_safe(column),
                "typeOfVariable": kind})

    source_guid = _source_guids(documents)
    if "case" in documents.columns:
        members = defaultdict(list)
        for doc_id, cell in zip(documents["doc_id"], documents["case"]):
            for name in _split_names(cell):
                members[name].append(doc_id)
        if members:
            cases_el = ET.SubElement(root, _q(ns, "Cases"))
            for name in sorted(members):
                case_el = ET.SubElement(cases_el, _q(ns, "Case"), {
                    "guid": _guid("case", name), "name": _xml_safe(name)})
                for doc_id in members[name]:
                    ET.SubElement(case_el, _q(ns, "SourceRef"), {"targetGUID": source_guid[doc_id]})

    files: dict[str, bytes] = {}
    codings = study.codings.drop_duplicates(["doc_id", "start", "end", "coder", "code"])
    by_doc = {d: g for d, g in codings.groupby("doc_id", sort=False)}
    if len(documents):
        sources_el = ET.SubElement(root, _q(ns, "Sources"))
    for _, doc in documents.iterrows():
        doc_id = doc["doc_id"]
        guid = source_guid[doc_id]
        text = study.texts[doc_id]
        when = doc_time[doc_id]
        source_el = ET.SubElement(sources_el, _q(ns, "TextSource"), {
            "guid": guid, "name": _xml_safe(str(doc_id)), "plainTextPath": f"internal://{guid}.txt",
            "creatingUser": user_guid[_CREATOR], "creationDateTime": when})
        data = text.encode("utf-8", errors="surrogatepass")
        if text.startswith("\ufeff"):
            data = b"\xef\xbb\xbf" + data  # readers drop one BOM; keep the text's own
        files[f"sources/{guid}.txt"] = data
        group = by_doc.get(doc_id)
        if group is not None:
            _write_selections(source_el, group, text, doc_id, when, user_guid, code_guid, ns)
        for column, kind in variables:
            value = doc[column]
            if _missing(value):
                continue
            vv = ET.SubElement(source_el, _q(ns, "VariableValue"))
            ET.SubElement(vv, _q(ns, "VariableRef"), {"targetGUID": _guid("variable", column)})
            ET.SubElement(vv, _q(ns, f"{kind}Value")).text = _variable_text(value, kind)

    if "sets" in documents.columns:
        members = defaultdict(list)
        for doc_id, cell in zip(documents["doc_id"], documents["sets"]):
            for name in _split_names(cell):
                members[name].append(doc_id)
        if members:
            sets_el = ET.SubElement(root, _q(ns, "Sets"))
            for name in sorted(members):
                set_el = ET.SubElement(sets_el, _q(ns, "Set"), {
                    "guid": _guid("set", name), "name": _xml_safe(name)})
                for doc_id in members[name]:
                    ET.SubElement(set_el, _q(ns, "MemberSource"),
                                  {"targetGUID": source_guid[doc_id]})

    files["project.qde"] = _serialise(root, ns)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # the same bytes on every platform
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name])
    return path


def _write_selections(source_el, group, text, doc_id, when, user_guid, code_guid, ns):
    group = group.sort_values(["start", "end", "coder", "code"], kind="mergesort")
    for (start, end, coder), spans in group.groupby(["start", "end", "coder"], sort=False):
        coder = str(coder)
        key = (doc_id, int(start), int(end), coder)
        snippet = _xml_safe(" ".join(text[int(start):int(end)].split())[:60])
        sel = ET.SubElement(source_el, _q(ns, "PlainTextSelection"), {
            "guid": _guid("selection", *map(str, key)), "name": snippet,
            "startPosition": str(int(start)), "endPosition": str(int(end)),
            "creatingUser": user_guid[coder], "creationDateTime": when})
        memos = [m for m in spans["memo"] if not _missing(m) and str(m).strip()]
        if memos:
            ET.SubElement(sel, _q(ns, "Description")).text = _xml_safe(
                "\n".join(dict.fromkeys(str(m) for m in memos)))
        for code in spans["code"]:
            coding = ET.SubElement(sel, _q(ns, "Coding"), {
                "guid": _guid("coding", *map(str, key), str(code)),
                "creatingUser": user_guid[coder], "creationDateTime": when})
            ET.SubElement(coding, _q(ns, "CodeRef"), {"targetGUID": code_guid[code]})


def _write_code_tree(codes_el, codebook: pd.DataFrame, ns: str) -> dict[str, str]:
    rows = {str(row["code"]): row for _, row in codebook.iterrows()}
    order = list(rows)
    parent_of = {}
    for code in order:
        parent = rows[code].get("parent")
        parent_of[code] = None if _missing(parent) or str(parent) not in rows else str(parent)
    # A parent chain that loops back cannot be nested; such codes go to the top level.
    for code in order:
        seen, cursor = {code}, parent_of[code]
        while cursor is not None:
            if cursor in seen:
                parent_of[code] = None
                break
            seen.add(cursor)
            cursor = parent_of[cursor]
    children = defaultdict(list)
    for code in order:
        children[parent_of[code]].append(code)
    guids = {}
    for code in order:
        given = rows[code].get("guid") if "guid" in codebook.columns else None
        guids[code] = _norm_guid(given) if isinstance(given, str) and _GUID_TEXT.match(given) \
            else _guid("code", code)
    if len(set(guids.values())) < len(guids):
        guids = {code: _guid("code", code) for code in order}

    def emit(parent_el, code, position):
        row = rows[code]
        color = row.get("color") if "color" in codebook.columns else None
        if not isinstance(color, str) or not _RGB.match(color):
            color = _PALETTE[position % len(_PALETTE)]
        el = ET.SubElement(parent_el, _q(ns, "Code"), {
            "guid": guids[code], "name": _xml_safe(code),
            "isCodable": "false" if row.get("kind") == "category" else "true", "color": color})
        description = _compose_description(row, code)
        if description:
            ET.SubElement(el, _q(ns, "Description")).text = _xml_safe(description)
        return el

    # Iterative depth-first emission keeps codebook order among siblings.
    stack = [(codes_el, code) for code in reversed(children[None])]
    position = 0
    while stack:
        parent_el, code = stack.pop()
        el = emit(parent_el, code, position)
        position += 1
        stack.extend((el, child) for child in reversed(children[code]))
    return guids


def _compose_description(row, code: str) -> str:
    lines = []
    definition = row.get("definition")
    if not _missing(definition) and str(definition).strip():
        lines.append(str(definition).strip())
    fields = []
    label = row.get("label")
    if not _missing(label) and str(label) != code:
        fields.append(f"Label: {_one_line(label)}")
    kind = row.get("kind")
    if not _missing(kind) and kind not in ("code", "category"):
        fields.append(f"Kind: {kind}")
    for key in ("include", "exclude", "example"):
        value = row.get(key)
        if not _missing(value) and str(value).strip():
            fields.append(f"{key.capitalize()}: {_one_line(value)}")
    for key in ("keywords", "phrases"):
        value = row.get(key)
        if isinstance(value, (list, tuple, np.ndarray)) and len(value):
            fields.append(f"{key.capitalize()}: {'; '.join(_one_line(v) for v in value)}")
    if fields:
        lines.append(("\n" if lines else "") + "\n".join(fields))
    return "\n".join(lines)


def _one_line(value) -> str:
    # Labelled fields are one line each; line breaks inside a value become spaces.
    return re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", str(value)).strip()


def _variable_columns(documents: pd.DataFrame) -> list[tuple[str, str]]:
    out = []
    for column in documents.columns:
        if column in _NOT_VARIABLES or str(column).startswith("_"):
            continue
        values = [v for v in documents[column] if not _missing(v)]
        if not values:
            continue
        if all(isinstance(v, (bool, np.bool_)) for v in values):
            kind = "Boolean"
        elif all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
                 for v in values):
            kind = "Integer"
        elif all(isinstance(v, (int, float, np.integer, np.floating))
                 and not isinstance(v, (bool, np.bool_)) for v in values):
            kind = "Float"
        else:
            kind = "Text"
        out.append((str(column), kind))
    return out


def _variable_text(value, kind: str) -> str:
    if kind == "Boolean":
        return "true" if bool(value) else "false"
    if kind == "Integer":
        return str(int(value))
    if kind == "Float":
        return repr(float(value))
    return _xml_safe(str(value))


def _source_guids(documents: pd.DataFrame) -> dict[str, str]:
    guids = {}
    given = documents["guid"] if "guid" in documents.columns else [None] * len(documents)
    for doc_id, guid in zip(documents["doc_id"], given):
        keep = isinstance(guid, str) and _GUID_TEXT.match(guid)
        guids[doc_id] = _norm_guid(guid) if keep else _guid("source", str(doc_id))
    if len(set(guids.values())) < len(guids):  # reused GUIDs clash: derive them all afresh
        guids = {d: _guid("source", str(d)) for d in documents["doc_id"]}
    return guids


def _split_names(cell) -> list[str]:
    if _missing(cell):
        return []
    if isinstance(cell, (list, tuple, np.ndarray)):
        return [str(v) for v in cell if str(v).strip()]
    return [part.strip() for part in str(cell).split(";") if part.strip()]


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(_GUID_NAMESPACE, _SEP.join(parts)))


def _q(ns: str, tag: str) -> str:
    # Tags are written unqualified under a default xmlns on the root (see _serialise).
    return tag


def _missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, (list, tuple, np.ndarray)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (control characters)."""
    return _NOT_XML.sub("", str(text))


def _timestamp(value) -> str:
    if _missing(value):
        return _FIXED_TIME
    try:
        stamp = pd.Timestamp(str(value))
    except (ValueError, TypeError, OverflowError):
        return _FIXED_TIME
    if pd.isna(stamp) or not 1 <= stamp.year <= 9999:
        return _FIXED_TIME
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def _serialise(root, ns: str) -> bytes:
    root.attrib = {"xmlns": ns, **root.attrib}
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")
