"""Automatic transcripts: WebVTT (``.vtt``) and SubRip (``.srt``) captions.

Zoom, Teams and Otter export captions as WebVTT; most transcription services
also offer SubRip.  plcase reads the cues, finds the speaker in a WebVTT voice
tag (``<v Dana Whitfield>…</v>``, Teams' ``<v Last, First (Role)>`` as
written) or a ``Speaker: `` prefix (Zoom writes ``Dana Whitfield: …``; which
prefixes are speakers is decided by :mod:`plcase.io._speakers`, so subtitle
lines such as ``J'ai dit: …`` stay text), and merges consecutive cues of the
same speaker into one turn.  Cues without a speaker are merged into
paragraphs that end at a sentence end after about 60 words.

Cues are found as the WebVTT parsing rules say: a line containing ``-->``
starts a new cue, also right after the ``WEBVTT`` line or after cue text
without a blank line (youtube-dl auto captions); in SubRip a line of digits
right before a time line is the next cue's number.  The parser is plcase's
own rather than ``webvtt-py``'s because every error and warning names a line.

The document text has one line per turn, ``[hh:mm:ss] Speaker: text``, like
the plain-text transcripts; each passage covers the spoken text only, with
``timestamp`` (start of its first cue) and ``end_timestamp`` (end of its last
cue) as ``hh:mm:ss``.  Styling tags (``<i>``, ``<c.yellow>``, ``{\\an8}``) and
inline cue times are removed.  Metadata comes from a sidecar ``<name>.yml``.
"""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from plcase.errors import PlcaseInputError, PlcaseWarning
from plcase.io import ParsedDocument
from plcase.io._speakers import is_notes, speaker_labels, speaker_names
from plcase._files.text import decode_text
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
    text, passages = parse_captions(raw, doc_id, kind=kind, path=path, names=speaker_names(meta),
                                    notes=is_notes(meta))
    return ParsedDocument.uncoded({"doc_id": doc_id, **meta}, text, passages, path)


def parse_captions(raw: str, doc_id: str, *, kind: str = "vtt",
                   path: str | Path = "<captions>", names: Collection[str] = (),
                   notes: bool = False) -> tuple[str, pd.DataFrame]:
    """Turn caption text into a document text and its passages.

    Parameters
    ----------
    raw : str
        The caption file's content (LF line ends).
    doc_id : str
    kind : {"vtt", "srt"}
    path : str or Path
        For messages.
    names : collection of str, optional
        Speaker names from the metadata: a ``Name: `` prefix that is one of
        them is a speaker even if it occurs once.
    notes : bool, optional
        Captions of notes: prefixes are speakers only when they repeat.

    Returns
    -------
    text : str
    passages : DataFrame
        The passage columns plus ``end_timestamp``.

    Raises
    ------
    PlcaseInputError
        For a file without cues, a cue without a time line, or a malformed time.

    Warns
    -----
    PlcaseWarning
        For cues that end before they start, or start before the cue before
        them has ended, naming their lines.

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
    cues = _cues(raw, kind, path)
    _check_times(cues, path)
    segments = _spoken(cues, names=names, notes=notes)
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
    frame = pd.DataFrame(rows, columns=PASSAGE_COLUMNS + ["end_timestamp"], dtype=object)
    frame["start"] = frame["start"].astype("int64")
    frame["end"] = frame["end"].astype("int64")
    return "\n".join(lines), frame


@dataclass
class _Cue:
    line: int  # 1-based line of the time line
    start: float
    end: float
    lines: list[str] = field(default_factory=list)  # the cue's text lines, as written


def _cues(raw: str, kind: str, path) -> list[_Cue]:
    """Every cue of a WebVTT or SubRip text, with the line of its time line.

    Follows the WebVTT parsing rules where they settle a question: a line
    containing ``-->`` always starts a new cue, even right after the
    ``WEBVTT`` line or after cue text without a blank line (youtube-dl and
    yt-dlp auto captions); an identifier is the line before the time line
    when it begins a block.  In SubRip, a line of digits directly before a
    time line is that cue's number, even without a blank line before it.
    """
    if not raw.strip():
        raise PlcaseInputError("the caption file is empty", path=path, line=1,
                               hint="export the captions again, or remove the file")
    lines = raw.split("\n")
    number = 0
    if kind == "vtt":
        first = lines[0].lstrip("\ufeff")
        if not (first.startswith("WEBVTT") and first[6:7] in ("", " ", "\t")):
            raise PlcaseInputError("not a WebVTT file: the first line must be 'WEBVTT'",
                                   path=path, line=1,
                                   hint="export the transcript again as .vtt, or rename an "
                                        "SRT file to .srt")
        number = 1
        # The header runs to the first blank line, or to a time line right after it.
        while number < len(lines) and lines[number].strip() and "-->" not in lines[number]:
            number += 1
    cues: list[_Cue] = []
    block_start = True  # the next non-blank line begins a block
    pending: tuple[int, str] | None = None  # a block's first line, not yet known to be text
    skipping = False  # inside a NOTE, STYLE or REGION block
    current: _Cue | None = None
    while number < len(lines):
        line = lines[number]
        number += 1
        if not line.strip():
            if pending is not None:
                _no_time_line(pending[0], path)
            block_start, skipping, current = True, False, None
            continue
        if skipping:
            continue
        if "-->" in line:
            if pending is not None and current is None and not (
                    kind == "srt" and not pending[1].strip().isdigit()):
                pass  # an identifier (WebVTT) or a cue number (SubRip)
            elif pending is not None:
                _no_time_line(pending[0], path)
            if (kind == "srt" and current is not None and current.lines
                    and current.lines[-1].strip().isdigit()):
                current.lines.pop()  # the next cue's number, written without a blank line
            current = _Cue(number, *_times(line, number, path))
            cues.append(current)
            block_start, pending = False, None
            continue
        if block_start:
            head = line.strip()
            if kind == "vtt" and head.split(" ")[0].split("\t")[0] in ("NOTE", "STYLE", "REGION"):
                skipping = True
                continue
            block_start, pending = False, (number, line)
            continue
        if pending is not None:
            _no_time_line(pending[0], path)
        current.lines.append(line)
    if pending is not None:
        _no_time_line(pending[0], path)
    if not cues:
        raise PlcaseInputError("no captions found: no line has a 'start --> end' time",
                               path=path, line=1,
                               hint="each cue needs a line such as '00:00:01.000 --> 00:00:04.000'")
    return cues


def _no_time_line(line: int, path) -> None:
    raise PlcaseInputError("a caption without a 'start --> end' time line", path=path,
                           line=line, hint="each cue needs a line such as "
                                           "'00:00:01.000 --> 00:00:04.000'")


def _times(line: str, number: int, path) -> tuple[float, float]:
    match = _TIMING.match(line)
    if not match:
        raise PlcaseInputError(f"malformed cue time {line.strip()!r}", path=path, line=number,
                               hint="write times as hh:mm:ss.mmm (WebVTT) or "
                                    "hh:mm:ss,mmm (SRT)")
    return _seconds(match.groups()[:4]), _seconds(match.groups()[4:])


def _check_times(cues: list[_Cue], path) -> None:
    backwards = [cue.line for cue in cues if cue.end < cue.start]
    overlapping = [cue.line for before, cue in zip(cues, cues[1:]) if cue.start < before.end]
    for lines, what in ((backwards, "end before they start"),
                        (overlapping, "start before the cue before them has ended")):
        if lines:
            shown = ", ".join(str(n) for n in lines[:5]) + (" …" if len(lines) > 5 else "")
            warnings.warn(f"{path}:{lines[0]}: {len(lines)} cue(s) {what} (line"
                          f"{'s' if len(lines) > 1 else ''} {shown}); read in file order",
                          PlcaseWarning, stacklevel=4)


def _spoken(cues: list[_Cue], *, names, notes) -> list[tuple[str | None, float, float, str]]:
    """(speaker, start s, end s, text) for every spoken line of every cue."""
    cleaned = []  # (cue, voice or None, text, prefix match or None)
    for cue in cues:
        voice_name = None
        for line in cue.lines:
            voice = _VOICE.search(line)
            if voice:
                voice_name = html.unescape(voice.group(1)).strip() or None
            clean = html.unescape(_ASS.sub("", _TAGS.sub("", line))).replace("\xa0", " ")
            clean = " ".join(clean.split())
            if clean:
                prefix = None if voice else _PREFIX.match(clean)
                cleaned.append((cue, voice_name, clean, prefix))
    # Names given by voice tags are speakers' names in the rest of the file too.
    voices = {voice for _, voice, _, _ in cleaned if voice}
    speakers = speaker_labels([p.group("label") if p else voice for _, voice, _, p in cleaned],
                              names=[*names, *voices], notes=notes)
    segments = []
    speaker, last_cue = None, None
    for cue, voice_name, clean, prefix in cleaned:
        if cue is not last_cue or voice_name is not None:
            speaker = voice_name  # a line without a label continues its cue's speaker
        last_cue = cue
        if prefix and prefix.group("label") in speakers:
            speaker, clean = prefix.group("label"), prefix.group("rest")
        segments.append((speaker, cue.start, cue.end, clean))
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
