"""Plain-text transcripts with YAML front matter and inline codes.

The format (documented in README.md and interviews/README.md)::

    ---
    id: GO-T1
    school: Grand Oak Elementary
    source: interview
    role: teacher
    participant: Ms. Dana Whitfield
    date: 2017-03-14
    interviewer: R. Okafor
    coder: coder_a
    synthetic: true
    ---
    [00:00:04] INTERVIEWER: How long have you been at Grand Oak?
    [00:00:09] WHITFIELD: Six years. {#embedded_pd}{#glow}Our Wednesday
    sessions changed how I plan.{/#glow}{/#embedded_pd}

Speaker turns start with an upper-case label and a colon; lines without a
label continue the turn.  Documents without any label (site-visit notes) are
split into blank-line paragraphs.  ``{#code}…{/#code}`` marks a coding by the
front matter's ``coder``; tags may nest and overlap.  The document text is the
body after the front matter with the tags removed; every offset indexes it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from plcase.errors import PlcaseInputError
from plcase.io._text import decode_text
from plcase.io._yaml import load_yaml
from plcase.io.metadata import check_metadata
from plcase.schema import PASSAGE_COLUMNS, coding_frame
from plcase.segment import word_count

__all__ = ["parse_transcript", "read_transcript", "split_passages", "REQUIRED_FIELDS",
           "Transcript"]

#: Front-matter fields every transcript must have.
REQUIRED_FIELDS = ("id", "school", "source", "role", "participant")

_TAG = re.compile(r"\{(/?)#([^{}\s]*)\}")
_TAG_START = re.compile(r"\{/?#")
_CODE_NAME = re.compile(r"[A-Za-z0-9_:.\-]+")
_TIMESTAMP = r"\[(?P<ts>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)\][ \t]*"
_TURN = re.compile(rf"^(?:{_TIMESTAMP})?(?P<label>[A-Z][A-Z0-9 .'’\-]{{0,40}}?):[ \t]+", re.M)
_TS_ONLY = re.compile(rf"^{_TIMESTAMP}")


@dataclass
class Transcript:
    """A transcript parsed from its file: metadata, clean text, passages, codings."""

    meta: dict
    text: str
    passages: pd.DataFrame
    codings: pd.DataFrame
    path: Path


def read_transcript(path: str | Path, codebook: pd.DataFrame | None = None,
                    root: str | Path | None = None) -> Transcript:
    """Read one transcript file.

    Parameters
    ----------
    path : str or Path
        A UTF-8 text file with YAML front matter (cp1252 is read with a warning).
    codebook : DataFrame, optional
        Inline codes must be in its ``code`` column; ``None`` accepts any code.
    root : str or Path, optional
        Folder that ``meta['path']`` is made relative to.

    Returns
    -------
    Transcript

    Examples
    --------
    >>> from plcase import config
    >>> t = read_transcript(config.SAMPLE_DIR / "GO-T1.txt")
    >>> t.meta["school"]
    'Grand Oak Elementary'
    """
    path = Path(path)
    data = path.read_bytes()
    text = decode_text(data, path)
    shown = path if root is None else path.relative_to(root) if path.is_relative_to(root) else path
    transcript = parse_transcript(text, path=shown,
                                  codes=None if codebook is None else set(codebook["code"]))
    transcript.path = path
    return transcript


def parse_transcript(raw: str, path: str | Path = "<text>",
                     codes: Collection[str] | None = None) -> Transcript:
    """Parse a transcript's text (already decoded, LF line ends).

    Parameters
    ----------
    raw : str
        The whole file content.
    path : str or Path
        Shown in error messages and stored as ``meta['path']``.
    codes : collection of str, optional
        Allowed inline codes; ``None`` accepts any.

    Examples
    --------
    >>> raw = ("---\\nid: d1\\nschool: X\\nsource: interview\\nrole: teacher\\n"
    ...        "participant: P\\ncoder: c\\n---\\nQ: Why?\\nA: {#glow}It works.{/#glow}\\n")
    >>> t = parse_transcript(raw)
    >>> t.passages[["speaker", "text"]].values.tolist()
    [['Q', 'Why?'], ['A', 'It works.']]
    >>> t.codings[["code", "coder", "start", "end"]].values.tolist()
    [['glow', 'c', 11, 20]]
    """
    if not raw.strip():
        raise PlcaseInputError("the file is empty", path=path, line=1,
                               hint="delete it or fill in front matter and text")
    meta, body, body_line = _split_front_matter(raw, path)
    text, spans = _strip_tags(body, body_line, path, codes)
    if spans and not meta.get("coder"):
        raise PlcaseInputError("the transcript has inline codes but no 'coder' in its front matter",
                               path=path, line=1, hint="add e.g. 'coder: coder_a' between the --- lines")
    doc_id = meta["doc_id"]
    passages = split_passages(text, doc_id)
    codings = coding_frame([
        {"doc_id": doc_id, "start": s, "end": e, "code": code, "coder": meta.get("coder"),
         "memo": None, "line": line}
        for code, s, e, line in spans
    ])
    meta["n_words"] = int(sum(word_count(t) for t in passages["text"]))
    meta["path"] = Path(path).as_posix()
    return Transcript(meta=meta, text=text, passages=passages, codings=codings, path=Path(path))


def _split_front_matter(raw: str, path) -> tuple[dict, str, int]:
    lines = raw.split("\n")
    if lines[0].strip() != "---":
        raise PlcaseInputError("no YAML front matter: the first line must be '---'", path=path, line=1,
                               hint="start the file with ---, the metadata lines (id, school, source, "
                                    "role, participant), and --- again")
    try:
        close = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise PlcaseInputError("the front matter is never closed", path=path, line=1,
                               hint="add a line '---' after the metadata") from None
    data = load_yaml("\n".join(lines[1:close]), path, first_line=2, what="front matter")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PlcaseInputError("malformed front matter: expected 'field: value' lines", path=path,
                               line=2, hint="write one 'field: value' per line between the --- lines")
    meta = check_metadata(data, path, required=REQUIRED_FIELDS, missing_line=close + 1)
    meta = {("doc_id" if k == "id" else k): v for k, v in meta.items()}
    meta.setdefault("synthetic", False)
    body_start = sum(len(line) + 1 for line in lines[: close + 1])
    return meta, raw[body_start:], close + 2


def _strip_tags(body: str, first_line: int, path, codes):
    """Remove code tags; return the clean text and (code, start, end, line) spans."""
    out: list[str] = []
    spans: list[tuple[str, int, int, int]] = []
    open_tags: dict[str, tuple[int, int]] = {}
    pos = 0
    length = 0
    line = first_line
    for match in _TAG.finditer(body):
        chunk = body[pos:match.start()]
        _check_stray(chunk, line, path)
        out.append(chunk)
        length += len(chunk)
        line += chunk.count("\n")
        closing, code = match.group(1) == "/", match.group(2)
        tag = match.group(0)
        if not _CODE_NAME.fullmatch(code):
            raise PlcaseInputError(f"malformed code tag {tag!r}", path=path, line=line,
                                   hint="write {#code} to open and {/#code} to close, code in "
                                        "letters, digits and underscores")
        if codes is not None and code not in codes:
            close = difflib.get_close_matches(code, sorted(codes), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise PlcaseInputError(f"code {code!r} in tag {tag!r} is not in the codebook", path=path,
                                   line=line, hint=hint + "add it to codebook.yml or fix the tag")
        if closing:
            if code not in open_tags:
                raise PlcaseInputError(f"closing tag {tag!r} has no opening {{#{code}}}", path=path,
                                       line=line, hint=f"add {{#{code}}} where the coded text begins "
                                                       "or delete the closing tag")
            start, opened = open_tags.pop(code)
            if length == start:
                raise PlcaseInputError(f"code {code!r} encloses no text", path=path, line=line,
                                       hint="delete the empty pair of tags")
            spans.append((code, start, length, opened))
        else:
            if code in open_tags:
                raise PlcaseInputError(f"{{#{code}}} opened again before the one on line "
                                       f"{open_tags[code][1]} was closed", path=path, line=line,
                                       hint=f"close it with {{/#{code}}} first")
            open_tags[code] = (length, line)
        pos = match.end()
    tail = body[pos:]
    _check_stray(tail, line, path)
    out.append(tail)
    if open_tags:
        code, (_, opened) = min(open_tags.items(), key=lambda item: item[1][1])
        raise PlcaseInputError(f"tag {{#{code}}} is never closed", path=path, line=opened,
                               hint=f"add {{/#{code}}} where the coded text ends")
    spans.sort(key=lambda s: (s[1], s[2], s[0]))
    return "".join(out), spans


def _check_stray(chunk: str, line: int, path) -> None:
    stray = _TAG_START.search(chunk)
    if stray:
        bad_line = line + chunk.count("\n", 0, stray.start())
        snippet = chunk[stray.start(): stray.start() + 20].split("\n")[0]
        raise PlcaseInputError(f"malformed code tag starting {snippet!r}", path=path, line=bad_line,
                               hint="write {#code} to open and {/#code} to close")


def split_passages(text: str, doc_id: str) -> pd.DataFrame:
    """Split a document's text into passages.

    Speaker turns where the text has any ``LABEL: `` lines (upper-case label,
    optional ``[hh:mm:ss]`` timestamp before it); otherwise paragraphs
    separated by blank lines.  Labels and timestamps are kept out of the
    passage text; the timestamp goes to its own column.

    Parameters
    ----------
    text : str
        Document text (markup removed).
    doc_id : str
        Used to build ``passage_id`` as ``"<doc_id>:<n>"`` (1-based, 3 digits).

    Returns
    -------
    DataFrame
        ``passage_id, doc_id, speaker, start, end, text, timestamp``.

    Examples
    --------
    >>> split_passages("First note.\\n\\nSecond note\\ngoes on.\\n", "v1")[["passage_id", "text"]].values.tolist()
    [['v1:001', 'First note.'], ['v1:002', 'Second note\\ngoes on.']]
    """
    turns = list(_TURN.finditer(text))
    pieces: list[tuple[str | None, str | None, int, int]] = []
    if turns:
        if text[: turns[0].start()].strip():
            pieces.extend(_paragraphs(text, 0, turns[0].start()))
        for k, match in enumerate(turns):
            end = turns[k + 1].start() if k + 1 < len(turns) else len(text)
            pieces.append((match.group("label").strip(), match.group("ts"), match.end(), end))
    else:
        pieces.extend(_paragraphs(text, 0, len(text)))
    rows = []
    for speaker, ts, start, end in pieces:
        start, end = _trim(text, start, end)
        if start >= end:
            continue
        rows.append([None, doc_id, speaker, start, end, text[start:end], ts])
    for n, row in enumerate(rows, start=1):
        row[0] = f"{doc_id}:{n:03d}"
    frame = pd.DataFrame(rows, columns=PASSAGE_COLUMNS)
    frame["start"] = frame["start"].astype("int64")
    frame["end"] = frame["end"].astype("int64")
    return frame


def _paragraphs(text: str, lo: int, hi: int):
    for match in re.finditer(r"\S(?:.|\n(?![ \t]*\n))*", text[lo:hi]):
        start, end = lo + match.start(), lo + match.end()
        ts = _TS_ONLY.match(text, start)
        stamp = None
        if ts:
            stamp, start = ts.group("ts"), ts.end()
        yield None, stamp, start, end


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
