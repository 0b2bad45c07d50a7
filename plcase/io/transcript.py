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

Speaker turns start with a speaker label and a colon (labels in capitals,
labels that repeat in a conversation, or names from the front matter: see
:mod:`plcase.io._speakers`); lines without a label continue the turn.  Documents without any label (site-visit notes) are
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
from plcase.io._speakers import is_notes, line_label, speaker_labels, speaker_names
from plcase._files.text import decode_text
from plcase._files.strict_yaml import load_yaml
from plcase.io.metadata import check_metadata
from plcase.schema import PASSAGE_COLUMNS, coding_frame
from plcase.segment import word_count

__all__ = ["parse_transcript", "read_transcript", "split_passages", "REQUIRED_FIELDS",
           "Transcript"]

#: Front-matter fields every transcript must have.
REQUIRED_FIELDS = ("id", "school", "source", "role", "participant")

_TAG = re.compile(r"\{(/?)#([^{}\s]*)\}")
_TAG_START = re.compile(r"\{/?#")
#: A tag written without its ``#`` (``{/collaboration}``, or ``{collaboration}`` for a code).
_TAG_WITHOUT_HASH = re.compile(r"\{(/?)[ \t]*([A-Za-z0-9_:.\-]+)[ \t]*\}")
_CODE_NAME = re.compile(r"[A-Za-z0-9_:.\-]+")
_TIMESTAMP = r"\[(?P<ts>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)\][ \t]*"
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
    passages = split_passages(text, doc_id, names=speaker_names(meta), notes=is_notes(meta))
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
    """Remove code tags; return the clean text and (code, start, end, line) spans.

    Every tag problem in the file is found in one pass (a bad tag is left
    out and reading goes on), so a researcher fixes them all at once: the
    first is raised, the others ride along in its ``more``.
    """
    out: list[str] = []
    spans: list[tuple[str, int, int, int]] = []
    problems: list[PlcaseInputError] = []
    open_tags: dict[str, tuple[int, int]] = {}
    pos = 0
    length = 0
    line = first_line
    for match in _TAG.finditer(body):
        chunk = body[pos:match.start()]
        problems += _stray_tags(chunk, line, path, codes)
        out.append(chunk)
        length += len(chunk)
        line += chunk.count("\n")
        pos = match.end()
        closing, code = match.group(1) == "/", match.group(2)
        tag = match.group(0)
        if not _CODE_NAME.fullmatch(code):
            problems.append(PlcaseInputError(
                f"malformed code tag {tag!r}", path=path, line=line,
                hint="write {#code} to open and {/#code} to close, code in letters, digits and "
                     "underscores"))
            continue
        if codes is not None and code not in codes:
            close = difflib.get_close_matches(code, sorted(codes), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(PlcaseInputError(
                f"code {code!r} in tag {tag!r} is not in the codebook", path=path, line=line,
                hint=hint + "add it to codebook.yml or fix the tag"))
            continue
        if closing:
            if code not in open_tags:
                problems.append(PlcaseInputError(
                    f"closing tag {tag!r} has no opening {{#{code}}}", path=path, line=line,
                    hint=f"add {{#{code}}} where the coded text begins or delete the closing tag"))
                continue
            start, opened = open_tags.pop(code)
            if length == start:
                problems.append(PlcaseInputError(f"code {code!r} encloses no text", path=path,
                                                 line=line, hint="delete the empty pair of tags"))
                continue
            spans.append((code, start, length, opened))
        elif code in open_tags:
            problems.append(PlcaseInputError(
                f"{{#{code}}} opened again before the one on line {open_tags[code][1]} was closed",
                path=path, line=line, hint=f"close it with {{/#{code}}} first"))
        else:
            open_tags[code] = (length, line)
    tail = body[pos:]
    problems += _stray_tags(tail, line, path, codes)
    out.append(tail)
    # A tag left open because its closing tag lacks the '#' has one cause, said once.
    unhashed = {m.group(2) for m in _TAG_WITHOUT_HASH.finditer(body) if m.group(1) == "/"}
    for code, (_, opened) in open_tags.items():
        if code in unhashed:
            continue
        problems.append(PlcaseInputError(f"tag {{#{code}}} is never closed", path=path,
                                         line=opened,
                                         hint=f"add {{/#{code}}} where the coded text ends"))
    if problems:
        problems.sort(key=lambda err: err.line or 0)
        raise problems[0].with_more(problems[1:])
    spans.sort(key=lambda s: (s[1], s[2], s[0]))
    return "".join(out), spans


def _stray_tags(chunk: str, line: int, path, codes=None) -> list[PlcaseInputError]:
    """Tag-like text between real tags that is a broken tag, not words."""
    problems = []
    for bad in _TAG_WITHOUT_HASH.finditer(chunk):
        closing, name = bad.group(1) == "/", bad.group(2)
        # A closing tag without '#' is never text; an opening one only when it names a code.
        if closing or (codes is not None and name in codes):
            bad_line = line + chunk.count("\n", 0, bad.start())
            fixed = "{/#" + name + "}" if closing else "{#" + name + "}"
            problems.append(PlcaseInputError(f"code tag {bad.group(0)!r} lacks its '#'",
                                             path=path, line=bad_line, hint=f"write {fixed}"))
    for stray in _TAG_START.finditer(chunk):
        bad_line = line + chunk.count("\n", 0, stray.start())
        snippet = chunk[stray.start(): stray.start() + 20].split("\n")[0]
        problems.append(PlcaseInputError(f"malformed code tag starting {snippet!r}", path=path,
                                         line=bad_line,
                                         hint="write {#code} to open and {/#code} to close"))
    return problems


def split_passages(text: str, doc_id: str, *, names: Collection[str] = (),
                   notes: bool = False) -> pd.DataFrame:
    """Split a document's text into passages.

    Speaker turns where lines start with speaker labels (``LABEL: ``, with an
    optional ``[hh:mm:ss]`` timestamp before it; which labels are speakers is
    decided by :func:`plcase.io._speakers.speaker_labels`: labels in capitals,
    labels that repeat in a conversation, names from the metadata); a turn
    runs to the next speaker's line.  Otherwise paragraphs separated by blank
    lines.  A block of lines without a blank line between them (or a speaker
    turn's lines) is one passage when it is wrapped prose (lines of at most
    100 characters, filled to a common width); otherwise, as in texts exported
    from NVivo or Word, each line is a paragraph and its own passage (lines of
    a turn keep the turn's speaker).  Labels and timestamps are kept out of
    the passage text; the timestamp goes to its own column.

    Parameters
    ----------
    text : str
        Document text (markup removed).
    doc_id : str
        Used to build ``passage_id`` as ``"<doc_id>:<n>"`` (1-based, 3 digits).
    names : collection of str, optional
        Speaker names from the metadata (participant, interviewer).
    notes : bool, optional
        The text is notes (site visit, document): a label in capitals that
        occurs once is a heading, not a speaker.

    Returns
    -------
    DataFrame
        ``passage_id, doc_id, speaker, start, end, text, timestamp``.

    Examples
    --------
    >>> split_passages("First note.\\n\\nSecond note\\ngoes on.\\n", "v1")[["passage_id", "text"]].values.tolist()
    [['v1:001', 'First note.'], ['v1:002', 'Second note\\ngoes on.']]
    >>> split_passages("JOSÉ: Hola.\\nMÜLLER: Guten Tag.", "v2")["speaker"].tolist()
    ['JOSÉ', 'MÜLLER']
    """
    candidates = []  # (line start offset, match) of every non-blank line
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            candidates.append((pos, line_label(line)))
        pos += len(line) + 1
    speakers = speaker_labels([m.group("label") if m else None for _, m in candidates],
                              names=names, notes=notes)
    turns = [(start, m) for start, m in candidates if m and m.group("label") in speakers]
    pieces: list[tuple[str | None, str | None, int, int]] = []
    if turns:
        if text[: turns[0][0]].strip():
            pieces.extend(_paragraphs(text, 0, turns[0][0]))
        for k, (line_start, match) in enumerate(turns):
            end = turns[k + 1][0] if k + 1 < len(turns) else len(text)
            label, stamp = match.group("label").strip(), match.group("ts")
            for n, (start, stop) in enumerate(_turn_paragraphs(text, line_start, line_start + match.end(), end)):
                pieces.append((label, stamp if n == 0 else None, start, stop))
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
    frame = pd.DataFrame(rows, columns=PASSAGE_COLUMNS, dtype=object)  # None stays None (pandas 3)
    frame["start"] = frame["start"].astype("int64")
    frame["end"] = frame["end"].astype("int64")
    return frame


#: Wrapped prose never has lines longer than this (editors wrap at 70-80 columns).
_WRAP_WIDTH = 100


def _paragraphs(text: str, lo: int, hi: int):
    for match in re.finditer(r"\S(?:.|\n(?![ \t]*\n))*", text[lo:hi]):
        for start, end in _block_paragraphs(text, lo + match.start(), lo + match.end()):
            ts = _TS_ONLY.match(text, start)
            stamp = None
            if ts:
                stamp, start = ts.group("ts"), ts.end()
            yield None, stamp, start, end


def _turn_paragraphs(text: str, line_start: int, lo: int, hi: int) -> list[tuple[int, int]]:
    """The paragraphs of one speaker turn: its blank-line separated blocks, each whole or
    one per line by :func:`_block_paragraphs` (the first block measured with its label)."""
    spans = []
    for k, match in enumerate(re.finditer(r"\S(?:.|\n(?![ \t]*\n))*", text[lo:hi])):
        first = line_start if k == 0 else None
        spans.extend(_block_paragraphs(text, lo + match.start(), lo + match.end(),
                                       line_start=first))
    return spans


def _block_paragraphs(text: str, lo: int, hi: int, *,
                      line_start: int | None = None) -> list[tuple[int, int]]:
    """A block of lines (or a speaker turn) as one span, or one span per line where its lines
    are paragraphs (NVivo, MAXQDA and Word texts).

    ``line_start`` is where the block's first line starts when ``lo`` is past a speaker
    label: the label takes up columns of that line, so wrapping is judged on whole lines."""
    lines = text[lo:hi].split("\n")
    whole = lines if line_start is None else text[line_start:hi].split("\n")
    if _hard_wrapped(whole):
        return [(lo, hi)]
    spans, at = [], lo
    for line in lines:
        if line.strip():
            spans.append((at, at + len(line)))
        at += len(line) + 1
    return spans


def _hard_wrapped(lines: list[str]) -> bool:
    """Whether a block of lines (no blank line between them) is one wrapped paragraph.

    Wrapped prose fills its lines: no line is longer than ``_WRAP_WIDTH``
    characters, and in at least 80 % of the line breaks the next line's first
    word would not have fitted on the line before (the longest line but the
    last sets the width).  Blocks that fail this (long lines, lists, chat or
    comment logs) are texts with one paragraph per line.

    Examples
    --------
    >>> _hard_wrapped(["Second note", "goes on."])
    True
    >>> _hard_wrapped(["@anna", "I agree with every word of this.", "12 likes"])
    False
    """
    lines = [line.rstrip() for line in lines if line.strip()]
    if len(lines) < 2:
        return True
    if max(len(line) for line in lines) > _WRAP_WIDTH:
        return False
    width = max(len(line) for line in lines[:-1])
    full = sum(len(line) + 1 + len((after.split() or [""])[0]) > width
               for line, after in zip(lines, lines[1:]))
    return full >= 0.8 * (len(lines) - 1)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
