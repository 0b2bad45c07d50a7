"""Word transcripts (``.docx``): paragraphs and tables become speaker turns or paragraphs.

A transcript typed or exported in Word is read block by block, body
paragraphs and tables in document order:

* a paragraph that starts with a speaker label (``Name:``, optionally
  ``[00:01:02] Name:``) starts a turn; following paragraphs without a label
  continue it.  Which labels are speakers is decided by one rule for every
  reader (:mod:`plcase.io._speakers`): labels in capitals, labels that
  repeat in a conversation, names from the metadata.  Documents without
  speaker labels (field notes, memos) give one passage per paragraph;
* a table laid out ``speaker | text`` or ``time | speaker | text`` (as
  transcription services write them; a header row such as ``Speaker | Text``
  or ``Time | Speaker | Text`` is recognised and skipped) gives one turn per
  row, with its time; a row whose speaker cell is empty continues the turn
  before it, a row merged across the table is a paragraph;
* a table of one column gives one paragraph per row;
* a two-column table headed ``Field | Value`` (or ``Key | Value``), or whose
  first column holds known metadata fields (``id``, ``school``, ``role``…)
  without repeats, is metadata, not text;
* any other table (four columns, three without a time column) is an error
  naming the table and row: plcase never drops text silently.

Metadata (``id``, ``school``, ``role``, ``participant``, ``date``…) comes from
that field/value table and/or from a sidecar YAML file ``<name>.yml`` beside
the document; the sidecar wins where both give a field.  Comments and
highlights are not read (code the text in plcase, or exchange it through
REFI-QDA).

The archive is vetted by :mod:`plcase.io._safe` (zip bomb, path traversal)
and its XML parts parsed once with defusedxml before python-docx sees them;
a damaged file (not a zip, no ``word/document.xml``, malformed XML) is a
:class:`~plcase.errors.PlcaseInputError`.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Collection
from pathlib import Path

import pandas as pd

from plcase.errors import PlcaseInputError
from plcase.io import ParsedDocument
from plcase.io._safe import open_archive, parse_xml
from plcase.io._speakers import is_notes, line_label, speaker_labels, speaker_names
from plcase._files.text import decode_text
from plcase._files.strict_yaml import load_yaml
from plcase.io.metadata import check_metadata
from plcase.schema import DOCUMENT_COLUMNS, PASSAGE_COLUMNS

__all__ = ["read_docx", "read_sidecar", "turns_frame"]

_TIMESTAMP = r"\[(?P<ts>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)\][ \t]*"
_TS_ONLY = re.compile(rf"^{_TIMESTAMP}")
#: A time cell of a transcript table: ``00:01:02``, ``1:02``, ``[00:01:02]``, ``00:01:02.5``,
#: ``00:01:02,500``, or a range ``00:01:02 - 00:01:09``.
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_TIME_CELL = re.compile(rf"^\[?({_CLOCK})\]?(?:\s*(?:-|–|-->|to)\s*\[?{_CLOCK}\]?)?$")
_HEADERS = {
    "time": {"time", "timestamp", "time stamp", "timecode", "start", "start time", "in", "tc"},
    "speaker": {"speaker", "speaker name", "name", "who", "person", "participant", "voice"},
    "text": {"text", "transcript", "transcription", "utterance", "what was said", "content",
             "dialogue", "dialog", "speech", "said", "words", "turn"},
}
_META_HEADERS = (["field", "value"], ["key", "value"])
#: Fields recognised in a headerless field/value table.
_META_FIELDS = set(DOCUMENT_COLUMNS) | {"id", "interviewer", "coder", "facilitator", "case",
                                        "grade", "site", "speakers", "language", "title"}


def read_docx(path: str | Path, codebook: pd.DataFrame | None = None) -> ParsedDocument:
    """Read a Word transcript.

    Parameters
    ----------
    path : str or Path
        A ``.docx`` file.
    codebook : DataFrame, optional
        Not used (Word comments are not read); accepted for the reader
        signature of :data:`plcase.io.READERS`.

    Returns
    -------
    ParsedDocument
        ``meta`` (``doc_id`` from the metadata's ``id`` or the file name),
        ``text`` (the paragraphs and table turns, one per line), ``passages``
        and no codings.

    Raises
    ------
    PlcaseInputError
        For a damaged file, or a table whose layout would lose text.

    Examples
    --------
    >>> from plcase import config
    >>> doc = read_docx(config.PROJECT_ROOT / "tests" / "data" / "byod" / "NE-T9.docx")
    >>> doc.meta["school"], doc.passages["speaker"].iloc[0]
    ('Newell Elementary', 'Interviewer')
    """
    path = Path(path)
    try:
        table_meta, blocks = _load(path)
    except (AttributeError, TypeError, KeyError, IndexError) as exc:
        # python-docx walks the XML it was given; a damaged part breaks its assumptions.
        raise PlcaseInputError(f"not a readable Word document ({type(exc).__name__}: {exc})",
                               path=path, hint="open it in Word and save it again as .docx"
                               ) from None
    meta = {**table_meta, **read_sidecar(path)}
    doc_id = str(meta.pop("id", None) or meta.pop("doc_id", None) or path.stem)
    text, passages = _passages(blocks, doc_id, names=speaker_names(meta), notes=is_notes(meta))
    return ParsedDocument.uncoded({"doc_id": doc_id, **meta}, text, passages, path)


def _load(path: Path) -> tuple[dict, list[tuple]]:
    """Metadata and the document's blocks: ``(line,)`` paragraphs, ``(line, speaker, ts)`` turns."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    with open_archive(path, what="Word document") as archive:
        if archive.find("word/document.xml") is None:
            raise PlcaseInputError("not a Word document: the archive has no word/document.xml",
                                   path=path, hint="open it in Word and save it again as .docx")
        for name in archive.names():
            if name.lower().endswith((".xml", ".rels")):
                parse_xml(archive.read(name), f"{path}:{name}", what="Word XML")
    try:
        document = docx.Document(str(path))
        body = document.element.body
        if body is None:
            raise PlcaseInputError("the Word document has no body", path=path,
                                   hint="open it in Word and save it again as .docx")
        return _blocks(body, document, path)
    except PlcaseInputError:
        raise
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, OSError,
            AttributeError, TypeError, IndexError) as exc:
        raise PlcaseInputError(f"not a readable Word document: {exc}", path=path,
                               hint="open it in Word and save it again as .docx") from None
    except Exception as exc:  # lxml's XMLSyntaxError and friends from a damaged part
        if type(exc).__module__.startswith(("lxml", "docx")):
            raise PlcaseInputError(f"not a readable Word document: {exc}", path=path,
                                   hint="open it in Word and save it again as .docx") from None
        raise


def _blocks(body, document, path: Path) -> tuple[dict, list[tuple]]:
    from docx.oxml.ns import qn
    from docx.table import Table

    meta: dict = {}
    blocks: list[tuple] = []
    tables = 0

    def walk(parent) -> None:
        nonlocal tables, meta
        for child in parent.iterchildren():
            if child.tag == qn("w:p"):
                blocks.append((_clean(_paragraph_text(child)),))
            elif child.tag == qn("w:tbl"):
                tables += 1
                kind, content = _table(Table(child, document), tables, path,
                                       first=not meta and not any(b[0].strip() for b in blocks))
                if kind == "meta":
                    meta = content
                else:
                    blocks.extend(content)
            elif child.tag == qn("w:sdt"):  # a content control: its paragraphs are text too
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    walk(content)

    walk(body)
    return meta, [b for b in blocks if b[0].strip()]


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
#: Elements whose text is not the document's current text (deleted, moved away, an
#: alternative rendering of content already read, field instructions).
_SKIPPED = {f"{_W}del", f"{_W}moveFrom", _MC_FALLBACK, f"{_W}instrText", f"{_W}delText",
            f"{_W}rPr", f"{_W}pPr", f"{_W}sdtPr"}


def _paragraph_text(paragraph) -> str:
    """A paragraph's text with every run, also those python-docx's ``Paragraph.text`` skips.

    Runs inside inline content controls (``w:sdt``: Google Docs wraps single
    words in them), tracked insertions (``w:ins``), smart tags and fields are
    text; deleted runs are not.  Text boxes anchored in the paragraph follow
    on their own lines.
    """
    parts: list[str] = []

    def walk(element) -> None:
        for child in element:
            tag = child.tag
            if tag in _SKIPPED or not isinstance(tag, str):
                continue
            if tag == f"{_W}t":
                parts.append(child.text or "")
            elif tag == f"{_W}tab":
                parts.append("\t")
            elif tag in (f"{_W}br", f"{_W}cr"):
                parts.append("\n")
            elif tag == f"{_W}noBreakHyphen":
                parts.append("-")
            elif tag == f"{_W}p":  # a paragraph of a text box
                parts.append("\n")
                walk(child)
            else:
                walk(child)

    walk(paragraph)
    return "".join(parts)


def _cell_text(element) -> str:
    """The text of a table cell (or content control, or nested table), paragraphs on lines."""
    lines = []
    for child in element:
        if child.tag == f"{_W}p":
            lines.append(_paragraph_text(child))
        elif child.tag in (f"{_W}tbl", f"{_W}tr", f"{_W}tc", f"{_W}sdt", f"{_W}sdtContent",
                           f"{_W}customXml"):
            lines.append(_cell_text(child))
    return "\n".join(line for line in lines if line)


def _clean(text: str) -> str:
    return text.replace("\r", "").replace("\v", "\n").rstrip()


def _rows(table) -> list[list[str]]:
    """Cell texts of each row, a cell merged across columns counted once."""
    rows = []
    for row in table.rows:
        cells, seen = [], []
        for cell in row.cells:
            if any(cell._tc is other for other in seen):
                continue
            seen.append(cell._tc)
            cells.append(_clean(_cell_text(cell._tc)).strip())
        rows.append(cells)
    return rows


def _table(table, number: int, path: Path, *, first: bool) -> tuple[str, object]:
    rows = _rows(table)
    if not any(any(rows_cell for rows_cell in row) for row in rows):
        return "blocks", []
    width = max(len(row) for row in rows)
    header = [c.casefold().strip(" :") for c in rows[0]]
    if width == 2 and all(len(row) == 2 for row in rows):
        if header in _META_HEADERS:
            return "meta", _table_meta(rows[1:], number, path, first_row=2)
        keys = [_field(row[0]) for row in rows if row[0]]
        if (first and keys and len(set(keys)) == len(keys)
                and all(re.fullmatch(r"[^\W\d]\w*", key) for key in keys)
                and sum(k in _META_FIELDS for k in keys) * 2 >= len(keys)):
            return "meta", _table_meta(rows, number, path, first_row=1)
    if width == 1:
        return "blocks", [(row[0],) for row in rows if row and row[0]]
    columns = _header_columns(header)
    body = rows[1:] if columns else rows
    first_row = 2 if columns else 1
    if columns is None:
        columns = _guess_columns(body, width)
    if columns is None:
        raise PlcaseInputError(
            f"table {number} has {width} columns that are not a transcript layout; its text "
            "would be lost", path=path, line=None,
            hint="lay transcript tables out as 'speaker | text' or 'time | speaker | text' "
                 "(a header row may name them), or copy the text out of the table")
    blocks: list[tuple] = []
    for offset, row in enumerate(body):
        where = f"table {number}, row {first_row + offset}"
        if not any(row):
            continue
        if len(row) == 1:  # merged across the table: a heading or a note between turns
            blocks.append((row[0],))
            continue
        if len(row) != width:
            raise PlcaseInputError(f"{where} has {len(row)} cells where the table has {width}; "
                                   "its text would be misplaced", path=path,
                                   hint="split or unmerge the cells so each row has "
                                        "speaker and text")
        used = {columns[k] for k in ("time", "speaker", "text") if k in columns}
        extra = [row[i] for i in range(width) if i not in used and row[i]]
        if extra:
            raise PlcaseInputError(f"{where}: text in a column that is not time, speaker or "
                                   f"text ({extra[0][:40]!r}) would be lost", path=path,
                                   hint="move it into the text column")
        speaker = row[columns["speaker"]] or None
        spoken = row[columns["text"]]
        stamp = row[columns["time"]] if "time" in columns else ""
        if stamp and not _TIME_CELL.match(stamp):
            raise PlcaseInputError(f"{where}: {stamp[:40]!r} in the time column is not a time",
                                   path=path, hint="write times as hh:mm:ss")
        time = _TIME_CELL.match(stamp).group(1) if stamp else None
        if not spoken:
            if speaker and not time:
                raise PlcaseInputError(f"{where}: speaker {speaker!r} without text", path=path,
                                       hint="delete the row or add what was said")
            continue
        if speaker is None and blocks and len(blocks[-1]) == 3:
            line, last_speaker, last_time = blocks[-1]
            blocks[-1] = (line + "\n" + spoken, last_speaker, last_time)
            continue
        blocks.append((spoken, speaker, time))
    return "blocks", blocks


def _header_columns(header: list[str]) -> dict | None:
    columns = {}
    for i, cell in enumerate(header):
        for role, words in _HEADERS.items():
            if cell in words and role not in columns:
                columns[role] = i
    if "speaker" in columns and "text" in columns:
        return columns
    return None


def _guess_columns(rows: list[list[str]], width: int) -> dict | None:
    full = [row for row in rows if len(row) == width]
    if width == 2:
        return {"speaker": 0, "text": 1}
    if width == 3:
        times = [i for i in range(3)
                 if any(row[i] for row in full)
                 and all(_TIME_CELL.match(row[i]) for row in full if row[i])]
        if len(times) == 1:
            rest = [i for i in range(3) if i != times[0]]
            return {"time": times[0], "speaker": rest[0], "text": rest[1]}
    return None


def _table_meta(rows: list[list[str]], number: int, path: Path, *, first_row: int) -> dict:
    meta: dict = {}
    for offset, (key, value) in enumerate(rows):
        if not key:
            if value:
                raise PlcaseInputError(f"table {number}, row {first_row + offset}: a value "
                                       f"({value[:40]!r}) without a field name", path=path,
                                       hint="write the field name in the first column")
            continue
        field = _field(key)
        if field in meta:
            raise PlcaseInputError(f"table {number}, row {first_row + offset}: field {key!r} "
                                   "given twice", path=path, hint="keep one row per field")
        meta[field] = value or None
    return meta


def _field(key: str) -> str:
    return re.sub(r"\W+", "_", key.strip().casefold()).strip("_")


def read_sidecar(path: str | Path) -> dict:
    """Metadata from ``<name>.yml`` (or ``.yaml``) beside ``path``; ``{}`` if there is none.

    Examples
    --------
    >>> read_sidecar("no-such-file.vtt")
    {}
    """
    path = Path(path)
    for suffix in (".yml", ".yaml"):
        sidecar = path.with_suffix(suffix)
        if sidecar.is_file():
            break
    else:
        return {}
    data = load_yaml(decode_text(sidecar.read_bytes(), sidecar), sidecar, what="metadata")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PlcaseInputError("metadata must be 'field: value' lines", path=sidecar, line=1,
                               hint="write one 'field: value' per line")
    fields = {}
    for key in data:
        name = _field(str(key))
        if name in fields:
            raise PlcaseInputError(f"field {name!r} is given twice (as {fields[name]!r} and "
                                   f"{key!r})", path=sidecar, line=data.line_of(key),
                                   hint="give each field once")
        fields[name] = key
    return check_metadata({name: data[key] for name, key in fields.items()}, sidecar,
                          line_of=lambda name: data.line_of(fields[name]))


def turns_frame(text: str, doc_id: str, *, names: Collection[str] = (),
                notes: bool = False) -> pd.DataFrame:
    """Split a text (one paragraph per line) into speaker turns or paragraphs.

    Unlike the plain-text transcript format, labels are commonly in mixed
    case (``Interviewer:``, ``Ms. Ortiz:``), as Word and transcription
    services write them; whether a label names a speaker is decided by
    :func:`plcase.io._speakers.speaker_labels`.  Labels and ``[hh:mm:ss]``
    stamps stay out of the passage text.

    Parameters
    ----------
    text : str
    doc_id : str
    names : collection of str, optional
        Speaker names from the metadata (participant, interviewer).
    notes : bool, optional
        The text is notes: labels are speakers only when they repeat.

    Examples
    --------
    >>> turns_frame("Interviewer: Why?\\nMs. Ortiz: It works.\\nMostly.", "d")[
    ...     ["speaker", "text"]].values.tolist()
    [['Interviewer', 'Why?'], ['Ms. Ortiz', 'It works.\\nMostly.']]
    >>> turns_frame("Intro.\\nAnd here is an ellipsis: …\\nEnd.", "d")["speaker"].tolist()
    [None, None, None]
    """
    return _passages([(line,) for line in text.split("\n")], doc_id, names=names,
                     notes=notes)[1]


def _passages(blocks: list[tuple], doc_id: str, *, names: Collection[str] = (),
              notes: bool = False) -> tuple[str, pd.DataFrame]:
    """Document text and passages from paragraphs ``(line,)`` and turns ``(line, speaker, ts)``."""
    lines, pieces = [], []  # pieces: [speaker, timestamp, start, end, continues]
    matches = [line_label(b[0]) if len(b) == 1 and b[0].strip() else None for b in blocks]
    speakers = speaker_labels([m.group("label") if m else None
                               for b, m in zip(blocks, matches) if len(b) == 1 and b[0].strip()],
                              names=names, notes=notes)
    pos = 0
    for block, match in zip(blocks, matches):
        if len(block) == 3:  # a table turn: written as "[ts] Speaker: text"
            spoken, speaker, ts = block
            prefix = (f"[{ts}] " if ts else "") + (f"{speaker}: " if speaker else "")
            line = prefix + spoken
            pieces.append([speaker, ts, pos + len(prefix), pos + len(line), False])
        else:
            line = block[0]
            if match and match.group("label") in speakers:
                pieces.append([match.group("label"), match.group("ts"), pos + match.end(),
                               pos + len(line), True])
            elif pieces and pieces[-1][4] and line.strip():
                pieces[-1][3] = pos + len(line)  # a paragraph without a label continues the turn
            else:
                ts = _TS_ONLY.match(line)
                pieces.append([None, ts.group("ts") if ts else None,
                               pos + (ts.end() if ts else 0), pos + len(line), False])
        lines.append(line)
        pos += len(line) + 1
    text = "\n".join(lines)
    rows = []
    for speaker, ts, start, end, _ in pieces:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            rows.append([f"{doc_id}:{len(rows) + 1:03d}", doc_id, speaker, start, end,
                         text[start:end], ts])
    frame = pd.DataFrame(rows, columns=PASSAGE_COLUMNS, dtype=object)  # None stays None (pandas 3)
    frame["start"] = frame["start"].astype("int64")
    frame["end"] = frame["end"].astype("int64")
    return text, frame
