"""Reading a REFI-QDA project (``.qdpx``): the archive, its sources, selections and codings."""

from __future__ import annotations

import math
import re
import warnings
from collections import defaultdict
from pathlib import Path

import pandas as pd

from plcase.errors import PlcaseError, PlcaseInputError, PlcaseWarning
from plcase.io._safe import open_archive, parse_xml
from plcase.io.qdpx._common import (_NON_TEXT_SOURCES, _NOT_VARIABLES, _ORIGIN, _attrs, _child,
                                    _children, _local, _norm_guid, _text_of)
from plcase.io.qdpx.codebook import (_codebook_from_entries, _read_code_tree, code_set_column,
                                     read_code_sets)
from plcase.io.qdpx.offsets import (OFFSET_UNITS, InsideSurrogatePair, SourceOffsets,
                                    unit_from_origin, weigh_evidence)
from plcase.io.transcript import split_passages
from plcase.memos import memo_frame
from plcase.schema import empty_frame
from plcase.segment import word_count
from plcase.study import Study

__all__ = ["read_qdpx"]


def read_qdpx(path: str | Path, *, offset_unit: str | None = None,
              crlf_width: int | None = None) -> Study:
    """Read a REFI-QDA project (``.qdpx``) exported by NVivo, ATLAS.ti, MAXQDA…

    Parameters
    ----------
    path : str or Path
        The ``.qdpx`` file.
    offset_unit : {None, "codepoint", "utf16"}, optional
        What the project's ``startPosition``/``endPosition`` count.  ``None``
        (default) decides per project from ``Project@origin`` (NVivo counts
        UTF-16 code units, other tools code points) and from the selections
        themselves (see :mod:`plcase.io.qdpx.offsets`); the evidence wins,
        with a warning, where it contradicts the origin.  Offsets are
        converted to plcase's code points either way.
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
        its source or (read in UTF-16 units) inside a surrogate pair, a code
        referenced but not defined, a duplicate GUID.

    Warns
    -----
    PlcaseWarning
        For sources that are not text (PDF, pictures, audio, video) or whose
        text is not in the archive (they are skipped, and their codings are
        counted in the warning), and when the selections contradict the
        offset unit of the project's ``origin``.

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
    if offset_unit not in (None, *OFFSET_UNITS):
        raise PlcaseError(f"offset_unit must be None, 'codepoint' or 'utf16', not {offset_unit!r}")
    with open_archive(path, what="REFI-QDA project") as archive:
        qde = _find_qde(archive)
        root = parse_xml(archive.read(qde), f"{path}:{qde}", what="REFI-QDA project XML")
        return _ProjectReader(root, archive, path, crlf_width, offset_unit).study()


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


class _ProjectReader:
    """One pass over project.qde, collecting what a Study needs."""

    def __init__(self, root, archive, path: Path, crlf_width: int | None,
                 offset_unit: str | None = None):
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
        self.offset_unit = offset_unit
        self.seen_guids: dict[str, set[str]] = defaultdict(set)
        # (note GUID, doc_id, start, end) of each NoteRef on a selection, in plcase offsets.
        self.span_notes: list[tuple[str, str, int, int]] = []

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

        case_names, case_values, source_cases, source_values = self.cases(variables)

        loaded, skipped, lost = self._load_sources()
        unit = self._decide_unit([(offsets, start, end) for *_, offsets, spans in loaded
                                  for _, start, end, _ in spans])

        documents, texts, codings = [], {}, []
        doc_ids: set[str] = set()
        doc_of_guid: dict[str, str] = {}
        for source, attrs, label, guid, offsets, spans in loaded:
            text = offsets.text
            doc_id = attrs.get("name") or _name_from_path(attrs.get("plainTextPath")) or guid \
                or f"source-{len(documents) + 1}"
            if doc_id in doc_ids:
                doc_id = f"{doc_id} [{(guid or str(len(documents)))[:8]}]"
            doc_ids.add(doc_id)
            if guid is not None:
                doc_of_guid[guid] = doc_id
            texts[doc_id] = text
            cases = list(source_cases.get(guid, []))
            row = {"doc_id": doc_id, **source_values.get(guid, {}),
                   **self.values(source, variables)}
            codings.extend(self._codings(source, label, doc_id, offsets, spans, unit, users,
                                         code_ids, case_names, case_values, cases, row))
            row["case"] = "; ".join(dict.fromkeys(cases)) if cases else None
            row["guid"] = guid
            row["n_words"] = word_count(text)
            row["path"] = self.path.name
            row.setdefault("synthetic", False)
            documents.append(row)

        if skipped:
            held = f"; {lost} coding(s) on them are not read" if lost else ""
            warnings.warn(f"{self.path}: skipped {len(skipped)} source(s) that plcase cannot code "
                          f"as text: {', '.join(skipped)}{held}", PlcaseWarning, stacklevel=3)
        self._sets(documents)
        memos = self.notes(users, doc_of_guid, code_ids, case_names)
        return self._build(documents, texts, codings, codes, memos)

    def cases(self, variables):
        """Case names and variables by case GUID, and each source's cases and case variables."""
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
        return case_names, case_values, source_cases, source_values

    def _load_sources(self):
        """Every text source with its text and selections in the tool's offsets.

        Loaded before any offset is converted, so that the offset unit is
        decided once for the whole project.  Returns the loaded sources, the
        skipped ones (named) and the number of codings on skipped sources.
        """
        loaded, skipped, lost = [], [], 0
        sources = _child(self.root, "Sources")
        for source in ([] if sources is None else list(sources)):
            tag = _local(source.tag)
            attrs = _attrs(source)
            label = attrs.get("name") or attrs.get("guid") or "(unnamed)"
            if tag != "TextSource":
                if tag:
                    skipped.append(f"{_NON_TEXT_SOURCES.get(tag, tag)} {label!r}")
                    lost += _count_codings(source)
                continue
            guid = _norm_guid(attrs.get("guid"))
            self._unique("Source", guid, f"<TextSource name={label!r}>")
            raw = self._source_text(source, attrs, label)
            if raw is None:
                skipped.append(f"text {label!r} (its plain text is not in the archive)")
                lost += _count_codings(source)
                continue
            offsets = SourceOffsets.of(raw, self.crlf_width)
            loaded.append((source, attrs, label, guid, offsets, self._selections(source, label)))
        return loaded, skipped, lost

    def _decide_unit(self, spans) -> str:
        """The project's offset unit: the caller's, else the origin's unless the file disagrees."""
        if self.offset_unit is not None:
            return self.offset_unit
        by_origin = unit_from_origin(self.origin)
        if self.origin.casefold().startswith(_ORIGIN):
            return by_origin  # plcase knows what it wrote
        evidence = weigh_evidence(spans)
        if evidence.unit is None or evidence.unit == by_origin:
            return by_origin
        named = f"origin {self.origin!r}" if self.origin else "no origin"
        warnings.warn(f"{self.path}: the project's {named} suggests offsets in "
                      f"{_UNIT_NAMES[by_origin]}, but {evidence.reason}; reading them as "
                      f"{_UNIT_NAMES[evidence.unit]} (pass offset_unit={by_origin!r} to "
                      f"override)", PlcaseWarning, stacklevel=4)
        return evidence.unit

    def _source_text(self, source, attrs, label):
        """The source's raw text (BOM removed, line ends as stored), or None if absent."""
        inline = _child(source, "PlainTextContent")
        if inline is not None:
            return inline.text or ""
        target = attrs.get("plainTextPath")
        if not target:
            return None
        scheme, _, name = target.partition("://")
        if not _:
            scheme, name = "internal", target  # qc writes a bare file name
        if scheme.casefold() != "internal":
            return None  # relative:// and absolute:// point outside the archive: never read
        if not name or "/" in name.replace("\\", "/") or ".." in name:
            raise PlcaseInputError(f"<TextSource name={label!r}> has an unsafe plainTextPath "
                                   f"{target!r}", path=self.path,
                                   hint="internal:// names a file in the sources/ folder")
        # Member names are matched without regard to case (NVivo writes Sources/).
        member = self.archive.find(f"sources/{name}") or self.archive.find(name)
        if member is None:
            raise PlcaseInputError(f"<TextSource name={label!r}>: {target} is not in the "
                                   f"archive (looked for sources/{name})", path=self.path,
                                   hint="the export is incomplete; export the project again")
        # One byte-order mark is removed in decoding; it is not text, so it
        # never shifts an offset.
        return _decode(self.archive.read(member), f"{self.path}:{member}")

    def _selections(self, source, label) -> list:
        """(element, start, end, where) of each selection, offsets as the tool wrote them."""
        out = []
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
            out.append((selection, start, end, where))
        return out

    def _codings(self, source, label, doc_id, offsets, spans, unit, users, code_ids,
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
            # The Coding's user applied the code; the selection's user (NVivo for
            # Windows: whoever first marked the span) only stands in for it.
            user = _norm_guid(_attrs(coding).get("creatingUser")) or selection_user or source_user
            coder = "unknown" if user is None else users.get(user, user)
            out.append({"doc_id": doc_id, "start": start, "end": end, "code": code_ids[target],
                        "coder": coder, "memo": memo})

        length = offsets.length(unit)
        for selection, start, end, where in spans:
            if not 0 <= start <= end <= length:
                raise PlcaseInputError(f"{where} has offsets [{start}, {end}) outside its source "
                                       f"(length {length}), counting {_UNIT_NAMES[unit]}", path=self.path,
                                       hint="the source text and project.qde do not match; "
                                            "export the project again, or pass offset_unit or "
                                            "crlf_width")
            try:
                first, last = offsets.to_plcase(start, unit), offsets.to_plcase(end, unit)
            except InsideSurrogatePair as exc:
                raise PlcaseInputError(f"{where}: offset {exc.args[0]} falls inside a surrogate "
                                       f"pair (between the two UTF-16 code units of one "
                                       f"character)", path=self.path,
                                       hint="the tool counts code points: pass "
                                            "offset_unit='codepoint'") from None
            attrs = _attrs(selection)
            memo = _text_of(_child(selection, "Description"))
            memo = memo.strip() or None if memo else None
            for coding in _children(selection, "Coding"):
                add(coding, first, last, _norm_guid(attrs.get("creatingUser")), memo, where)
            for ref in _children(selection, "NoteRef"):
                note = _norm_guid(_attrs(ref).get("targetGUID"))
                if note is not None:
                    self.span_notes.append((note, doc_id, first, last))
        for coding in _children(source, "Coding"):
            add(coding, 0, len(offsets.text), None, None, f"<TextSource name={label!r}>")
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

    def _note_text(self, note, label) -> str:
        inline = _child(note, "PlainTextContent")
        if inline is not None or not _attrs(note).get("plainTextPath"):
            return (inline.text or "") if inline is not None else ""
        raw = self._source_text(note, _attrs(note), label)
        return "" if raw is None else raw.replace("\r\n", "\n").replace("\r", "\n")

    def notes(self, users, doc_of_guid, code_ids, case_names) -> list[dict]:
        """``study.memos`` rows from ``<Notes>``: one per target a ``<NoteRef>`` names.

        A note referenced by the project (or by nothing) is a memo on the
        study, by a source a memo on that document, by a selection a memo on
        that stretch of it, by a code a memo on the code.  REFI-QDA's cases
        take no notes; plcase writes a case memo as a project note whose
        ``Description`` reads ``plcase-target: case NAME`` and reads it back so.
        """
        block = _child(self.root, "Notes")
        found: dict[str, dict] = {}
        for note in ([] if block is None else _children(block, "Note")):
            attrs = _attrs(note)
            guid = _norm_guid(attrs.get("guid"))
            label = attrs.get("name") or attrs.get("guid") or "(unnamed note)"
            self._unique("Note", guid, f"<Note name={label!r}>")
            user = _norm_guid(attrs.get("creatingUser"))
            found[guid or f"note-{len(found)}"] = {
                "title": attrs.get("name") or None, "memo": self._note_text(note, label),
                "author": None if user is None else users.get(user, user),
                "date": attrs.get("creationDateTime") or None,
                "description": (_text_of(_child(note, "Description")) or "").strip()}
        if not found:
            return []
        targets: dict[str, list[dict]] = defaultdict(list)

        def refs(element):
            return [_norm_guid(_attrs(ref).get("targetGUID")) for ref in _children(element, "NoteRef")]

        for guid in refs(self.root):
            targets[guid].append({"kind": "study"})
        sources = _child(self.root, "Sources")
        for source in ([] if sources is None else list(sources)):
            doc_id = doc_of_guid.get(_norm_guid(_attrs(source).get("guid")))
            if doc_id is None:
                continue
            for guid in refs(source):
                targets[guid].append({"kind": "document", "doc_id": doc_id})
        for guid, doc_id, start, end in self.span_notes:
            targets[guid].append({"kind": "annotation", "doc_id": doc_id, "start": start, "end": end})
        codebook = _child(self.root, "CodeBook")
        for code in ([] if codebook is None else codebook.iter()):
            if _local(code.tag) != "Code":
                continue
            name = code_ids.get(_norm_guid(_attrs(code).get("guid")))
            if name is None:
                continue
            for guid in refs(code):
                targets[guid].append({"kind": "code", "code": name})
        rows = []
        for guid, note in found.items():
            description = note.pop("description")
            for target in targets.get(guid) or [{"kind": "study"}]:
                row = {**note, **target}
                if row["title"] in (row["kind"], row.get("doc_id"), row.get("code")):
                    row["title"] = None  # the name plcase gives an untitled memo's note
                marker = re.match(r"plcase-target:\s*case\s+(.+)", description)
                if row["kind"] == "study" and marker:
                    row.update(kind="case", title=marker.group(1).strip())
                rows.append(row)
        return rows

    def _build(self, documents, texts, codings, codes, memos=None) -> Study:
        codebook = _codebook_from_entries(list(codes.values()), self.path)
        codebook["sets"] = code_set_column(codebook, read_code_sets(self.root, "targetGUID"))
        frame = pd.DataFrame(documents)
        if frame.empty:
            frame = empty_frame(["doc_id", "case", "guid", "n_words", "path", "synthetic",
                                 "sets"])
        passages = [split_passages(texts[d], d) for d in frame["doc_id"]]
        passages = (pd.concat(passages, ignore_index=True) if passages
                    else empty_frame(["passage_id", "doc_id", "start", "end"]))
        coding_rows = pd.DataFrame(codings) if codings else empty_frame(
            ["doc_id", "start", "end", "code", "coder"])
        key = ["doc_id", "start", "end", "code", "coder"]
        repeated = int(coding_rows.duplicated(key).sum())
        if repeated:
            warnings.warn(f"{self.path}: {repeated} coding(s) repeat another coding exactly (same "
                          f"source, span, code and coder); each such group is read as one "
                          f"coding", PlcaseWarning, stacklevel=4)
            coding_rows = coding_rows.drop_duplicates(key)
        return Study(documents=frame, passages=passages, codings=coding_rows, codebook=codebook,
                     texts=texts, name=self.name, memos=memo_frame(memos) if memos else None)


_UNIT_NAMES = {"codepoint": "code points", "utf16": "UTF-16 code units"}


def _count_codings(source) -> int:
    """Codings inside a source element (on its selections and on the whole source)."""
    return sum(1 for element in source.iter() if _local(element.tag) == "Coding")


def _name_from_path(target: str | None) -> str | None:
    """A document name from a plainTextPath (qc leaves sources unnamed): the file's stem."""
    if not target:
        return None
    name = target.partition("://")[2] or target
    stem = Path(name.replace("\\", "/")).stem
    return stem or None


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


