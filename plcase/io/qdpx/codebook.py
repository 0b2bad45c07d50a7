"""The codebook in REFI-QDA: the ``<CodeBook>`` tree of a project and the ``.qdc`` file."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd

from plcase.codebook import codebook_frame
from plcase.errors import PlcaseInputError
from plcase.io._safe import MAX_MEMBER_BYTES, parse_xml
from plcase.io.qdpx._common import (_FIELD_LINE, _GUID_TEXT, _ORIGIN, _PALETTE, _RGB,
                                    CODEBOOK_NS, _attrs, _child, _children, _guid, _local,
                                    _missing, _norm_guid, _q, _serialise, _text_of, _xml_safe)
from plcase.schema import CODEBOOK_COLUMNS, empty_frame

__all__ = ["read_qdc", "write_qdc"]


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
        The codebook columns (see :mod:`plcase.schema`) plus ``guid``,
        ``color`` and ``sets`` (the code sets, ``<Set>`` with ``<MemberCode>``,
        that list the code, as ``"Set A; Set B"``); nested codes keep their parent in ``parent``; codes with
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
    book = _codebook_from_entries(list(entries.values()), path)
    book["sets"] = code_set_column(book, read_code_sets(root, "guid"))
    return book


def read_code_sets(block_parent, member_attribute: str) -> dict[str, list[str]]:
    """Code GUID → names of the ``<Set>`` elements that list it as ``<MemberCode>``.

    A codebook (``.qdc``) names members by ``guid``, a project by ``targetGUID``;
    both are accepted.
    """
    members: dict[str, list[str]] = defaultdict(list)
    block = _child(block_parent, "Sets")
    for group in ([] if block is None else _children(block, "Set")):
        attrs = _attrs(group)
        name = attrs.get("name") or attrs.get("guid") or "set"
        for member in _children(group, "MemberCode"):
            member_attrs = _attrs(member)
            guid = _norm_guid(member_attrs.get(member_attribute)
                              or member_attrs.get("targetGUID") or member_attrs.get("guid"))
            if guid is not None:
                members[guid].append(name)
    return members


def code_set_column(book: pd.DataFrame, members: dict[str, list[str]]) -> pd.Series:
    """The ``sets`` column of a codebook: ``"Set A; Set B"`` per code, None outside any set."""
    # object dtype: None stays None under pandas 3 (whose text dtype would make it NaN)
    return pd.Series(["; ".join(sorted(set(members[guid]))) if members.get(guid) else None
                      for guid in book["guid"]], index=book.index, dtype=object)


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
    guids = _write_code_tree(codes_el, codebook, CODEBOOK_NS)
    code_sets = _code_set_members(codebook)
    if code_sets:
        sets_el = ET.SubElement(root, _q(CODEBOOK_NS, "Sets"))
        for name in sorted(code_sets):
            set_el = ET.SubElement(sets_el, _q(CODEBOOK_NS, "Set"),
                                   {"guid": _guid("set", name), "name": _xml_safe(name)})
            for code in code_sets[name]:
                ET.SubElement(set_el, _q(CODEBOOK_NS, "MemberCode"), {"guid": guids[code]})
    path.write_bytes(_serialise(root, CODEBOOK_NS))
    return path



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


def _code_set_members(codebook: pd.DataFrame) -> dict[str, list[str]]:
    """Set name → codes in it, from a codebook's ``sets`` column ("A; B")."""
    members: dict[str, list[str]] = defaultdict(list)
    if "sets" not in codebook.columns:
        return members
    for code, cell in zip(codebook["code"], codebook["sets"]):
        if isinstance(cell, str):
            for name in (part.strip() for part in cell.split(";")):
                if name:
                    members[name].append(str(code))
    return members


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


