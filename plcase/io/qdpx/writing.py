"""Writing a study as a REFI-QDA project (``.qdpx``)."""

from __future__ import annotations

import zipfile
from collections import defaultdict
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd

from plcase.errors import PlcaseError
from plcase.io.qdpx._common import (_CREATOR, _FIXED_TIME, _GUID_TEXT, _NOT_VARIABLES, _ORIGIN,
                                    _ZIP_TIME, PROJECT_NS, _guid, _missing, _norm_guid, _q,
                                    _serialise, _xml_safe)
from plcase.io.qdpx.codebook import _code_set_members, _write_code_tree
from plcase.io.qdpx.offsets import OFFSET_UNITS, utf16_offsets
from plcase.memos import memo_frame
from plcase.study import Study

#: Appended to ``Project@origin`` when offsets are written in UTF-16 code units.
_UTF16_ORIGIN = "; offsets in UTF-16 code units"

__all__ = ["write_qdpx"]


def write_qdpx(study: Study, path: str | Path, *, offset_unit: str = "codepoint") -> Path:
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
    offset_unit : {"codepoint", "utf16"}
        What ``startPosition``/``endPosition`` count.  REFI-QDA counts
        characters, which plcase writes as code points (the default; qc,
        QualCoder and Taguette count them so).  ``"utf16"`` writes UTF-16 code
        units, as NVivo counts them, for a project meant for NVivo: only
        spans after a character outside the Basic Multilingual Plane (an
        emoji) differ.  The unit is recorded in ``Project@origin``, so
        :func:`~plcase.io.qdpx.read_qdpx` reads either back exactly.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import plcase
    >>> study = plcase.read_sample()
    >>> out = write_qdpx(study, pathlib.Path(tempfile.mkdtemp()) / "cms.qdpx")
    >>> from plcase.io.qdpx import read_qdpx
    >>> again = read_qdpx(out)
    >>> len(again.codings) == len(study.codings)
    True
    """
    path = Path(path)
    if offset_unit not in OFFSET_UNITS:
        raise PlcaseError(f"offset_unit must be 'codepoint' or 'utf16', not {offset_unit!r}")
    ns = PROJECT_NS
    documents = study.documents
    doc_time = {d: _timestamp(v) for d, v in zip(documents["doc_id"], documents["date"])}
    times = sorted(t for t in doc_time.values() if t != _FIXED_TIME)
    project_time = times[0] if times else _FIXED_TIME

    memos = memo_frame(study.memos)
    authors = {str(a) for a in memos["author"] if not _missing(a) and str(a).strip()}
    coders = sorted(set(study.codings["coder"].astype(str)) | authors | {_CREATOR})
    user_guid = {coder: _guid("user", coder) for coder in coders}
    root = ET.Element(_q(ns, "Project"), {
        "name": _xml_safe(study.name) or "study", "origin": _ORIGIN + (_UTF16_ORIGIN if offset_unit == "utf16" else ""),
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
    notes = _notes(memos, user_guid, set(documents["doc_id"]), set(code_guid))

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
    by_doc = {d: g for d, g in codings.groupby("doc_id", sort=False, observed=True)}
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
            _write_selections(source_el, group, text, doc_id, when, user_guid, code_guid, ns,
                              to_unit=utf16_offsets(text) if offset_unit == "utf16" else int)
        to_unit = utf16_offsets(text) if offset_unit == "utf16" else int
        for note in notes:
            if note["doc_id"] == doc_id and note["start"] is not None:
                # A memo on a stretch of text: an uncoded selection that carries the note.
                sel = ET.SubElement(source_el, _q(ns, "PlainTextSelection"), {
                    "guid": _guid("memo-selection", note["guid"]),
                    "startPosition": str(to_unit(note["start"])),
                    "endPosition": str(to_unit(note["end"])),
                    "creatingUser": note["user"], "creationDateTime": note["when"]})
                ET.SubElement(sel, _q(ns, "NoteRef"), {"targetGUID": note["guid"]})
        for note in notes:
            if note["doc_id"] == doc_id and note["start"] is None:
                ET.SubElement(source_el, _q(ns, "NoteRef"), {"targetGUID": note["guid"]})
        for column, kind in variables:
            value = doc[column]
            if _missing(value):
                continue
            vv = ET.SubElement(source_el, _q(ns, "VariableValue"))
            ET.SubElement(vv, _q(ns, "VariableRef"), {"targetGUID": _guid("variable", column)})
            ET.SubElement(vv, _q(ns, f"{kind}Value")).text = _variable_text(value, kind)

    if notes:
        notes_el = ET.SubElement(root, _q(ns, "Notes"))
        for note in notes:
            note_el = ET.SubElement(notes_el, _q(ns, "Note"), {
                "guid": note["guid"], "name": note["name"], "creatingUser": note["user"],
                "creationDateTime": note["when"]})
            if note["description"]:
                ET.SubElement(note_el, _q(ns, "Description")).text = note["description"]
            ET.SubElement(note_el, _q(ns, "PlainTextContent")).text = note["text"]
        _attach_code_notes(root, ns, notes, code_guid)

    members = defaultdict(lambda: ([], []))  # set name -> (code GUIDs, source GUIDs)
    for name, codes in _code_set_members(study.codebook).items():
        members[name][0].extend(code_guid[code] for code in codes)
    if "sets" in documents.columns:
        for doc_id, cell in zip(documents["doc_id"], documents["sets"]):
            for name in _split_names(cell):
                members[name][1].append(source_guid[doc_id])
    if members:
        sets_el = ET.SubElement(root, _q(ns, "Sets"))
        for name in sorted(members):
            set_el = ET.SubElement(sets_el, _q(ns, "Set"), {
                "guid": _guid("set", name), "name": _xml_safe(name)})
            codes, sources = members[name]
            for guid in codes:  # the schema wants member codes before member sources
                ET.SubElement(set_el, _q(ns, "MemberCode"), {"targetGUID": guid})
            for guid in sources:
                ET.SubElement(set_el, _q(ns, "MemberSource"), {"targetGUID": guid})

    for note in notes:
        if note["project"]:  # the schema puts the project's own NoteRefs last
            ET.SubElement(root, _q(ns, "NoteRef"), {"targetGUID": note["guid"]})

    files["project.qde"] = _serialise(root, ns)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # the same bytes on every platform
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name])
    return path


def _write_selections(source_el, group, text, doc_id, when, user_guid, code_guid, ns, to_unit=int):
    group = group.sort_values(["start", "end", "coder", "code"], kind="mergesort")
    for (start, end, coder), spans in group.groupby(["start", "end", "coder"], sort=False, observed=True):
        coder = str(coder)
        key = (doc_id, int(start), int(end), coder)
        snippet = _xml_safe(" ".join(text[int(start):int(end)].split())[:60])
        sel = ET.SubElement(source_el, _q(ns, "PlainTextSelection"), {
            "guid": _guid("selection", *map(str, key)), "name": snippet,
            "startPosition": str(to_unit(int(start))), "endPosition": str(to_unit(int(end))),
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


def _notes(memos: pd.DataFrame, user_guid: dict, doc_ids: set, codes: set) -> list[dict]:
    """Each memo as a REFI-QDA note: its GUID, text, author, time and what refers to it.

    Memos on the study (and QualCoder journals) hang on the project; memos on
    a document on its ``TextSource``, on a stretch of it on a selection, on a
    code on its ``Code``.  REFI-QDA cases take no notes, so a case memo hangs
    on the project and its ``Description`` names the case.
    """
    notes = []
    for number, row in enumerate(memos.to_dict("records")):
        kind = str(row.get("kind") or "study")
        author = str(row["author"]) if not _missing(row["author"]) and str(row["author"]).strip() \
            else _CREATOR
        text = "" if _missing(row["memo"]) else str(row["memo"])
        title = None if _missing(row["title"]) else str(row["title"])
        doc_id = None if _missing(row["doc_id"]) else row["doc_id"]
        code = None if _missing(row.get("code")) else str(row["code"])
        start = None if _missing(row["start"]) else int(row["start"])
        end = None if _missing(row["end"]) else int(row["end"])
        on_document = kind in ("document", "annotation") and doc_id in doc_ids
        on_code = kind == "code" and code in codes
        description = f"plcase-target: case {title}" if kind == "case" and title else None
        notes.append({
            "guid": _guid("note", str(number), kind, str(doc_id), str(code), text),
            "name": _xml_safe(title or (code if on_code else str(doc_id) if on_document else kind)),
            "user": user_guid[author], "when": _timestamp(row["date"]),
            "text": _xml_safe(text), "description": None if description is None else _xml_safe(description),
            "doc_id": doc_id if on_document else None,
            "start": start if on_document and kind == "annotation" and start is not None else None,
            "end": end, "code": code if on_code else None,
            "project": not on_document and not on_code})
    return notes


def _attach_code_notes(root, ns: str, notes: list[dict], code_guid: dict[str, str]) -> None:
    """Add each code's ``NoteRef`` after its ``Description`` and before its sub-codes (schema order)."""
    by_guid = {guid: code for code, guid in code_guid.items()}
    wanted = defaultdict(list)
    for note in notes:
        if note["code"] is not None:
            wanted[note["code"]].append(note["guid"])
    if not wanted:
        return
    for element in root.iter(_q(ns, "Code")):
        code = by_guid.get(element.get("guid"))
        if code not in wanted:
            continue
        position = sum(1 for child in element if child.tag == _q(ns, "Description"))
        for offset, guid in enumerate(wanted[code]):
            ref = ET.Element(_q(ns, "NoteRef"), {"targetGUID": guid})
            element.insert(position + offset, ref)


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


