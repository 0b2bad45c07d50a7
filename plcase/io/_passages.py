"""Passages of imported project texts: speaker turns over lines or HTML blocks.

QualCoder and Taguette keep a document's text as the tool shows it, with no
passage structure of their own.  plcase splits it by one rule, applied to the
text's *units* (the lines of a QualCoder text; the block elements and line
breaks of a Taguette HTML document):

1. A unit that holds only a speaker and a time stamp, such as
   ``Sara Mannheimer  00:12`` (Otter.ai, Zoom and Trint exports: a name, two or
   more spaces or a tab, ``m:ss``, ``mm:ss`` or ``h:mm:ss``), opens a speaker
   turn; the units up to the next such heading are the turn's text.
2. Otherwise, a unit that starts with a short label and a colon
   (``Interviewer: ``, ``Ms. Ortiz: ``, ``[00:01:02] ANA: ``) opens a turn that
   runs until the next labelled unit.
3. Otherwise every non-blank unit is a passage of its own (a paragraph).

Units before the first turn (a title, a keyword list) are passages of their
own.  Labels and time stamps stay out of the passage text; the speaker goes to
``speaker`` and the time to ``timestamp``.  Passage offsets index the text
unchanged, so nothing needs re-mapping.
"""

from __future__ import annotations

import re

import pandas as pd

from plcase.schema import PASSAGE_COLUMNS

__all__ = ["line_units", "split_units"]

_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?"
#: A heading line: a name (at most six words), two or more spaces or a tab, a clock time.
_HEADING = re.compile(rf"^(?P<label>[^\W\d_][^\n]{{0,60}}?)(?:[ \u00a0]{{2,}}|\t)[ \u00a0\t]*"
                      rf"(?P<ts>{_CLOCK})[ \u00a0\t]*$")
_STAMP = rf"\[(?P<ts>{_CLOCK}(?:[.,]\d{{1,3}})?)\][ \t]*"
#: A labelled unit: starts with a letter, at most five words, then a colon and a space.
_LABEL = re.compile(rf"^(?:{_STAMP})?(?P<label>[^\W\d_][\w.'’\-]*(?: [\w.'’\-]+){{0,4}}):[ \t]+")


def line_units(text: str) -> list[tuple[int, int]]:
    """The lines of ``text`` as ``(start, end)`` spans (line ends excluded).

    Examples
    --------
    >>> line_units("ab\\ncd\\n")
    [(0, 2), (3, 5), (6, 6)]
    """
    units, pos = [], 0
    for line in text.split("\n"):
        units.append((pos, pos + len(line)))
        pos += len(line) + 1
    return units


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_units(text: str, units: list[tuple[int, int]], doc_id: str) -> pd.DataFrame:
    """Passages of ``text`` from its units by the module's rule.

    Parameters
    ----------
    text : str
        The document text; every offset indexes it.
    units : list of (start, end)
        Lines or blocks in text order, not overlapping.
    doc_id : str
        Builds ``passage_id`` as ``"<doc_id>:<n>"`` (1-based, 3 digits).

    Returns
    -------
    DataFrame
        ``passage_id, doc_id, speaker, start, end, text, timestamp``.

    Examples
    --------
    >>> text = "Title\\n\\nAna Diaz  00:12\\nHello.\\nStill me.\\n\\nQR02  00:18\\nYes."
    >>> split_units(text, line_units(text), "d")[["speaker", "text", "timestamp"]].values.tolist()
    [[None, 'Title', None], ['Ana Diaz', 'Hello.\\nStill me.', '00:12'], ['QR02', 'Yes.', '00:18']]
    """
    trimmed = [_trim(text, s, e) for s, e in units]
    trimmed = [(s, e) for s, e in trimmed if s < e]
    headings = [_HEADING.match(text[s:e]) for s, e in trimmed]
    pieces: list[list] = []  # speaker, timestamp, start, end
    if any(headings):
        for (start, end), heading in zip(trimmed, headings):
            if heading:
                pieces.append([heading.group("label").strip(), heading.group("ts"), end, end])
            elif pieces and pieces[-1][0] is not None:
                if pieces[-1][2] == pieces[-1][3]:
                    pieces[-1][2] = start
                pieces[-1][3] = end
            else:
                pieces.append([None, None, start, end])
    else:
        labels = [_LABEL.match(text[s:e]) for s, e in trimmed]
        labelled = any(labels)
        for (start, end), label in zip(trimmed, labels):
            if label:
                pieces.append([label.group("label"), label.group("ts"), start + label.end(), end])
            elif labelled and pieces and pieces[-1][0] is not None:
                pieces[-1][3] = end  # an unlabelled unit continues the turn
            else:
                pieces.append([None, None, start, end])
    rows = []
    for speaker, stamp, start, end in pieces:
        start, end = _trim(text, start, end)
        if start < end:
            rows.append([f"{doc_id}:{len(rows) + 1:03d}", doc_id, speaker, start, end,
                         text[start:end], stamp])
    frame = pd.DataFrame(rows, columns=PASSAGE_COLUMNS, dtype=object)  # None stays None (pandas 3)
    frame["start"] = frame["start"].astype("int64")
    frame["end"] = frame["end"].astype("int64")
    return frame
