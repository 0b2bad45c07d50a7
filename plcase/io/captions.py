"""Automatic transcripts: WebVTT (``.vtt``) and SubRip (``.srt``) captions.

Zoom, Teams and Otter export captions as WebVTT; most transcription services
also offer SubRip.  plcase reads the cues, finds the speaker in a WebVTT voice
tag (``<v Dana Whitfield>…</v>``) or a ``Speaker: `` prefix (Zoom writes
``Dana Whitfield: …``), and merges consecutive cues of the same speaker into
one turn.  Cues without a speaker are merged into paragraphs that end at a
sentence end after about 60 words.

The document text has one line per turn, ``[hh:mm:ss] Speaker: text``, like
the plain-text transcripts; each passage covers the spoken text only, with
``timestamp`` (start of its first cue) and ``end_timestamp`` (end of its last
cue) as ``hh:mm:ss``.  Styling tags (``<i>``, ``<c.yellow>``, ``{\\an8}``) and
inline cue times are removed.  Metadata comes from a sidecar ``<name>.yml``.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from plcase.errors import PlcaseInputError
from plcase.io import ParsedDocument
from plcase.io._text import decode_text
from plcase.io.docx import read_sidecar
from plcase.schema import PASSAGE_COLUMNS

__all__ = ["read_vtt", "read_srt", "parse_captions"]

_TIME = r"(?:(\d+):)?([0-5]?\d):([0-5]\d)[.,](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s+.*)?$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+?)\s*>", re.I)
_TAGS = re.compile(r"<[^>]*>")
_ASS = re.compile(r"\{\\[^}]*\}")
_PREFIX = re.compile(r"^(?P<label>[^\W\d_][\w.'’\-]*(?: [\w.'’\-]+){0,4}):\s+(?P<rest>.*)$")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)]*$")
_PARAGRAPH_WORDS = 60


def read_vtt(path: str | Path, codebook: pd.DataFrame | None = None) -> ParsedDocument:
    """Read a WebVTT caption file (Zoom, Teams, Otter).

    Parameters
    ----------
    path : str or Path
        A ``.vtt`` file (UTF-8; cp1252 is read with a warning).
    codebook : DataFrame, optional
        Not used; accepted for the reader signature of :data:`plcase.io.READERS`.

    Returns
    -------
    ParsedDocument

    Examples
    --------
    >>> from plcase import config
    >>> doc = read_vtt(config.PROJECT_ROOT / "tests" / "data" / "byod" / "GO-Z1.vtt")
    >>> doc.passages[["speaker", "timestamp"]].iloc[0].tolist()
    ['Rosa Okafor', '00:00:01']
    """
    return _read(Path(path), "vtt")


def read_srt(path: str | Path, codebook: pd.DataFrame | None = None) -> ParsedDocument:
    """Read a SubRip caption file.

    Examples
    --------
    >>> from plcase import config
    >>> doc = read_srt(config.PROJECT_ROOT / "tests" / "data" / "byod" / "RR-Z2.srt")
    >>> doc.passages["speaker"].tolist()[:2]
    ['INTERVIEWER', 'PETTAWAY']
    """
    return _read(Path(path), "srt")


def _read(path: Path, kind: str) -> ParsedDocument:
    raw = decode_text(path.read_bytes(), path)
    meta = read_sidecar(path)
    doc_id = str(meta.pop("id", None) or meta.pop("doc_id", None) or path.stem)
    text, passages = parse_captions(raw, doc_id, kind=kind, path=path)
    return ParsedDocument.uncoded({"doc_id": doc_id, **meta}, text, passages, path)


def parse_captions(raw: str, doc_id: str, *, kind: str = "vtt",
                   path: str | Path = "<captions>") -> tuple[str, pd.DataFrame]:
    """Turn caption text into a document text and its passages.

    Parameters
    ----------
    raw : str
        The caption file's content (LF line ends).
    doc_id : str
    kind : {"vtt", "srt"}
    path : str or Path
        For messages.

    Returns
    -------
    text : str
    passages : DataFrame
        The passage columns plus ``end_timestamp``.

    Examples
    --------
    >>> raw = ("WEBVTT\\n\\n00:00:01.000 --> 00:00:03.000\\n<v Ana>Hello there.\\n\\n"
    ...        "00:00:03.500 --> 00:00:05.000\\n<v Ana>How are you?\\n")
    >>> text, passages = parse_captions(raw, "z1")
    >>> text
    '[00:00:01] Ana: Hello there. How are you?'
    >>> passages[["speaker", "text", "end_timestamp"]].values.tolist()
    [['Ana', 'Hello there. How are you?', '00:00:05']]
    """
    segments = _cues(raw, kind, path)
    turns = _merge(segments)
    lines, rows, pos = [], [], 0
    for speaker, start, end, words in turns:
        prefix = f"[{_clock(start)}] " + (f"{speaker}: " if speaker else "")
        body = " ".join(words)
        line = prefix + body
        rows.append([f"{doc_id}:{len(rows) + 1:03d}", doc_id, speaker, pos + len(prefix),
                     pos + len(line), body, _clock(start), _clock(end)])
        lines.append(line)
        pos += len(line) + 1
    frame = pd.DataFrame(rows, columns=PASSAGE_COLUMNS + ["end_timestamp"])
    frame["start"] = frame["start"].astype("int64")
    frame["end"] = frame["end"].astype("int64")
    return "\n".join(lines), frame


def _cues(raw: str, kind: str, path) -> list[tuple[str | None, float, float, str]]:
    """(speaker, start s, end s, text) for every spoken line of every cue."""
    lines = raw.split("\n")
    if kind == "vtt" and not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
        raise PlcaseInputError("not a WebVTT file: the first line must be 'WEBVTT'", path=path,
                               line=1, hint="export the transcript again as .vtt, or rename an "
                                            "SRT file to .srt")
    blocks, block, first = [], [], 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not block:
                first = number
            block.append(line)
        elif block:
            blocks.append((first, block))
            block = []
    if block:
        blocks.append((first, block))
    if kind == "vtt":
        blocks = blocks[1:]  # the header block: WEBVTT and its optional lines
    segments = []
    for first, block in blocks:
        head = block[0].strip()
        if kind == "vtt" and head.split(" ")[0] in ("NOTE", "STYLE", "REGION"):
            continue
        timing = next((i for i, line in enumerate(block[:3]) if "-->" in line), None)
        if timing is None:
            raise PlcaseInputError("a caption without a 'start --> end' time line", path=path,
                                   line=first, hint="each cue needs a line such as "
                                                    "'00:00:01.000 --> 00:00:04.000'")
        match = _TIMING.match(block[timing])
        if not match:
            raise PlcaseInputError(f"malformed cue time {block[timing].strip()!r}", path=path,
                                   line=first + timing,
                                   hint="write times as hh:mm:ss.mmm (WebVTT) or "
                                        "hh:mm:ss,mmm (SRT)")
        start, end = _seconds(match.groups()[:4]), _seconds(match.groups()[4:])
        speaker = None
        for line in block[timing + 1:]:
            voice = _VOICE.search(line)
            if voice:
                speaker = html.unescape(voice.group(1)).strip() or None
            clean = html.unescape(_ASS.sub("", _TAGS.sub("", line))).replace("\xa0", " ")
            clean = " ".join(clean.split())
            if not voice:
                prefix = _PREFIX.match(clean)
                if prefix:
                    speaker, clean = prefix.group("label"), prefix.group("rest")
            if clean:
                segments.append((speaker, start, end, clean))
    return segments


def _merge(segments):
    turns: list[list] = []  # speaker, start, end, [texts]
    for speaker, start, end, text in segments:
        if turns and turns[-1][0] == speaker and not _paragraph_full(turns[-1], speaker):
            turns[-1][2] = max(turns[-1][2], end)
            turns[-1][3].append(text)
        else:
            turns.append([speaker, start, end, [text]])
    return turns


def _paragraph_full(turn, speaker) -> bool:
    # Named speakers keep one turn however long; unnamed captions are cut into
    # paragraphs at a sentence end, or one passage would swallow the meeting.
    if speaker is not None:
        return False
    words = sum(len(t.split()) for t in turn[3])
    return words >= _PARAGRAPH_WORDS and bool(_SENTENCE_END.search(turn[3][-1]))


def _seconds(parts) -> float:
    hours, minutes, seconds, millis = parts
    return (int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
            + int(millis.ljust(3, "0")) / 1000)


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
