"""Word transcripts (``.docx``): paragraphs become speaker turns or paragraphs.

A transcript typed or exported in Word is read paragraph by paragraph:

* a paragraph that starts with ``NAME:`` (optionally ``[00:01:02] NAME:``)
  starts a speaker turn; following paragraphs without a name continue it;
* documents with no ``NAME:`` paragraphs (field notes, memos) give one passage
  per paragraph.

Metadata (``id``, ``school``, ``role``, ``participant``, ``date``…) comes from
a first table of two columns, field and value, and/or from a sidecar YAML
file ``<name>.yml`` beside the document; the sidecar wins where both give a
field.  Tables are not part of the text.  Comments and highlights are not
read (code the text in plcase, or exchange it through REFI-QDA).

The archive is vetted by :mod:`plcase.io._safe` (zip bomb, path traversal)
and its XML parts parsed once with defusedxml before python-docx sees them.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pandas as pd

from plcase.errors import PlcaseInputError
from plcase.io import ParsedDocument
from plcase.io._safe import open_archive, parse_xml
from plcase.io._text import decode_text
from plcase.io._yaml import load_yaml
from plcase.io.metadata import check_metadata
from plcase.schema import PASSAGE_COLUMNS

__all__ = ["read_docx", "read_sidecar", "turns_frame"]

_TIMESTAMP = r"\[(?P<ts>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)\][ \t]*"
#: A speaker label: starts with a letter, at most five words, then a colon and a space.
_LABEL = re.compile(rf"^(?:{_TIMESTAMP})?"
                    r"(?P<label>[^\W\d_][\w.'’\-]*(?: [\w.'’\-]+){0,4}):[ \t]+")
_TS_ONLY = re.compile(rf"^{_TIMESTAMP}")


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
        ``text`` (the paragraphs, one per line), ``passages`` and no codings.

    Examples
    --------
    >>> from plcase import config
    >>> doc = read_docx(config.PROJECT_ROOT / "tests" / "data" / "byod" / "NE-T9.docx")
    >>> doc.meta["school"], doc.passages["speaker"].iloc[0]
    ('Newell Elementary', 'Interviewer')
    """
    path = Path(path)
    try:
        table_meta, paragraphs = _load(path)
    except (AttributeError, TypeError, KeyError, IndexError) as exc:
        # python-docx walks the XML it was given; a damaged part breaks its assumptions.
        raise PlcaseInputError(f"not a readable Word document ({type(exc).__name__}: {exc})",
                               path=path, hint="open it in Word and save it again as .docx"
                               ) from None
    meta = {**table_meta, **read_sidecar(path)}
    text = "\n".join(paragraphs)
    doc_id = str(meta.pop("id", None) or meta.pop("doc_id", None) or path.stem)
    passages = turns_frame(text, doc_id)
    return ParsedDocument.uncoded({"doc_id": doc_id, **meta}, text, passages, path)


def _load(path: Path) -> tuple[dict, list[str]]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    with open_archive(path, what="Word document") as archive:
        for name in archive.names():
            if name.lower().endswith((".xml", ".rels")):
                parse_xml(archive.read(name), f"{path}:{name}", what="Word XML")
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
        raise PlcaseInputError(f"not a readable Word document: {exc}", path=path,
                               hint="open it in Word and save it again as .docx") from None
    except Exception as exc:  # lxml's XMLSyntaxError and friends from a damaged part
        if type(exc).__module__.startswith(("lxml", "docx")):
            raise PlcaseInputError(f"not a readable Word document: {exc}", path=path,
                                   hint="open it in Word and save it again as .docx") from None
        raise
    meta = {}
    if document.tables:
        meta = _table_meta(document.tables[0], path)
    paragraphs = [p.text.replace("\r", "").replace("\v", "\n").rstrip()
                  for p in document.paragraphs]
    return meta, [p for p in paragraphs if p.strip()]


def _table_meta(table, path: Path) -> dict:
    rows = [[cell.text.strip() for cell in row.cells] for row in table.rows]
    if not rows or any(len(row) != 2 for row in rows):
        return {}  # not a field/value table: some other table in the transcript
    if [c.casefold() for c in rows[0]] in (["field", "value"], ["key", "value"]):
        rows = rows[1:]
    meta = {}
    for key, value in rows:
        if key:
            meta[_field(key)] = value or None
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


def turns_frame(text: str, doc_id: str) -> pd.DataFrame:
    """Split a text (one paragraph per line) into speaker turns or paragraphs.

    Unlike the plain-text transcript format, labels may be in mixed case
    (``Interviewer:``, ``Ms. Ortiz:``), as Word and transcription services
    write them.  Labels and ``[hh:mm:ss]`` stamps stay out of the passage text.

    Examples
    --------
    >>> turns_frame("Interviewer: Why?\\nMs. Ortiz: It works.\\nMostly.", "d")[
    ...     ["speaker", "text"]].values.tolist()
    [['Interviewer', 'Why?'], ['Ms. Ortiz', 'It works.\\nMostly.']]
    """
    lines, pos = [], 0
    for line in text.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    labelled = any(_LABEL.match(line) for _, line in lines)
    pieces: list[list] = []  # speaker, timestamp, start, end
    for start, line in lines:
        match = _LABEL.match(line)
        end = start + len(line)
        if match:
            pieces.append([match.group("label"), match.group("ts"), start + match.end(), end])
        elif labelled and pieces:
            pieces[-1][3] = end  # a paragraph without a label continues the turn
        else:
            ts = _TS_ONLY.match(line)
            pieces.append([None, ts.group("ts") if ts else None,
                           start + (ts.end() if ts else 0), end])
    rows = []
    for speaker, ts, start, end in pieces:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            rows.append([f"{doc_id}:{len(rows) + 1:03d}", doc_id, speaker, start, end,
                         text[start:end], ts])
    frame = pd.DataFrame(rows, columns=PASSAGE_COLUMNS)
    frame["start"] = frame["start"].astype("int64")
    frame["end"] = frame["end"].astype("int64")
    return frame
