"""Offsets of REFI-QDA selections: line ends and the unit (code points or UTF-16 code units).

REFI-QDA says ``startPosition``/``endPosition`` count Unicode characters.
Tools do not agree on what a character is: NVivo (Windows and Mac) counts
UTF-16 code units, so every character outside the Basic Multilingual Plane
(emoji, some CJK) counts twice; qc, QualCoder, Taguette and plcase count code
points.  The two readings differ only after such a character, and there a
wrong reading moves every later selection off its words, silently.

plcase therefore decides the unit per project, from two witnesses:

* the ``origin`` attribute: NVivo counts UTF-16 units, every other tool code
  points (:func:`unit_from_origin`);
* the file itself (:func:`weigh_evidence`): a position past the code-point
  length, or one that falls inside a surrogate pair, rules a reading out;
  otherwise the reading whose selections cut fewer words in two (a start or
  end between two letters or digits) wins when it is clearly better.

When the evidence contradicts the origin, the evidence wins and a
:class:`~plcase.errors.PlcaseWarning` says so; ``read_qdpx(offset_unit=...)``
overrides both.  Internally plcase counts code points (Python string indices).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

__all__ = ["OFFSET_UNITS", "unit_from_origin", "SourceOffsets", "weigh_evidence", "Evidence"]

#: The offset units plcase reads and writes.
OFFSET_UNITS = ("codepoint", "utf16")


def unit_from_origin(origin: str) -> str:
    """The offset unit the tool named by ``Project@origin`` counts in.

    Examples
    --------
    >>> unit_from_origin("NVivo for Windows 12.6"), unit_from_origin("qc 1.3.2")
    ('utf16', 'codepoint')
    >>> unit_from_origin("plcase; offsets in UTF-16 code units")
    'utf16'
    """
    folded = origin.casefold()
    if "nvivo" in folded or "utf-16" in folded or "utf16" in folded:
        return "utf16"
    return "codepoint"


def _normalise_line_ends(raw: str, crlf_width: int):
    """Return (text with LF line ends, REFI offset → plcase offset, REFI length).

    ``crlf_width`` 2: the project counts CRLF as two code points (NVivo,
    MAXQDA, QualCoder); an offset is moved back by the CRLFs before it.  An
    offset between CR and LF lands on the LF.  ``crlf_width`` 1: the project
    already counts CRLF as one (ATLAS.ti), which is the LF text.  ``0``: plcase's
    own files, read verbatim.
    """
    if crlf_width == 0:
        return raw, int, len(raw)
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if crlf_width == 1:
        return text, int, len(text)
    carriage = [m.start() for m in re.finditer("\r\n", raw)]
    if not carriage:
        return text, int, len(raw)

    def to_plcase(offset: int) -> int:
        return offset - bisect.bisect_left(carriage, offset)

    return text, to_plcase, len(raw)


class InsideSurrogatePair(ValueError):
    """A UTF-16 offset between the two code units of one character."""


@dataclass
class SourceOffsets:
    """One source's text and the maps from the tool's offsets to plcase's.

    ``indexed`` is the text the tool's offsets count in (the raw text, or its
    LF form for tools that count a CRLF once); ``text`` is plcase's text.

    Examples
    --------
    >>> offsets = SourceOffsets.of("a👍b\\r\\nc", crlf_width=2)
    >>> offsets.text, offsets.length("codepoint"), offsets.length("utf16")
    ('a👍b\\nc', 6, 7)
    >>> offsets.to_plcase(6, "utf16"), offsets.to_plcase(5, "codepoint")  # the "c"
    (4, 4)
    >>> offsets.to_plcase(2, "utf16")
    Traceback (most recent call last):
    ...
    plcase.io.qdpx.offsets.InsideSurrogatePair: 2
    """

    indexed: str
    text: str
    crlf_to_plcase: object
    astral_utf16: list  # UTF-16 offsets of the characters that take two units

    @classmethod
    def of(cls, raw: str, crlf_width: int) -> "SourceOffsets":
        text, crlf_to_plcase, _ = _normalise_line_ends(raw, crlf_width)
        indexed = text if crlf_width == 1 else raw
        astral, extra = [], 0
        for match in re.finditer("[\U00010000-\U0010ffff]", indexed):
            astral.append(match.start() + extra)
            extra += 1
        return cls(indexed=indexed, text=text, crlf_to_plcase=crlf_to_plcase, astral_utf16=astral)

    def length(self, unit: str) -> int:
        """The text's length in ``unit``."""
        return len(self.indexed) + (len(self.astral_utf16) if unit == "utf16" else 0)

    def to_indexed(self, offset: int, unit: str) -> int:
        """A tool offset in ``unit`` as a code-point index of :attr:`indexed`."""
        if unit == "codepoint" or not self.astral_utf16:
            return offset
        before = bisect.bisect_left(self.astral_utf16, offset)
        if before and self.astral_utf16[before - 1] + 1 == offset:
            raise InsideSurrogatePair(offset)
        return offset - before

    def to_plcase(self, offset: int, unit: str) -> int:
        """A tool offset in ``unit`` as an index of plcase's :attr:`text`."""
        return self.crlf_to_plcase(self.to_indexed(offset, unit))

    def fits(self, start: int, end: int, unit: str) -> bool:
        """Whether ``[start, end)`` can be read in ``unit``: inside the text, not inside a pair."""
        if not 0 <= start <= end <= self.length(unit):
            return False
        try:
            self.to_indexed(start, unit)
            self.to_indexed(end, unit)
        except InsideSurrogatePair:
            return False
        return True

    def cuts(self, start: int, end: int, unit: str) -> int:
        """How many of the span's two ends fall between two letters or digits."""
        text = self.indexed
        count = 0
        for offset in (self.to_indexed(start, unit), self.to_indexed(end, unit)):
            if 0 < offset < len(text) and text[offset - 1].isalnum() and text[offset].isalnum():
                count += 1
        return count


@dataclass
class Evidence:
    """What a project's selections say about its offset unit."""

    unit: str | None        # the unit the evidence points to, None where it is silent
    reason: str             # in words, for the warning
    differing: int          # selections whose two readings differ


def weigh_evidence(spans) -> Evidence:
    """Weigh the selections of a project for code points against UTF-16 units.

    Parameters
    ----------
    spans : iterable of (SourceOffsets, start, end)
        Every selection of the project, in the tool's offsets.

    Returns
    -------
    Evidence
        ``unit`` is ``"utf16"`` or ``"codepoint"`` when one reading is
        impossible (past the code-point length, inside a surrogate pair) or
        when its selections cut at least twice as many words (and at least
        three more) than the other reading's; else ``None``.

    Examples
    --------
    >>> offsets = SourceOffsets.of("👍 one two three four", crlf_width=2)
    >>> weigh_evidence([(offsets, 3, 6), (offsets, 7, 10), (offsets, 11, 16)]).unit
    'utf16'
    >>> weigh_evidence([(offsets, 2, 5), (offsets, 6, 9), (offsets, 10, 15)]).unit
    'codepoint'
    """
    fits = {"codepoint": 0, "utf16": 0}
    cuts = {"codepoint": 0, "utf16": 0}
    total = differing = 0
    for offsets, start, end in spans:
        total += 1
        if not offsets.astral_utf16:
            fits["codepoint"] += 1
            fits["utf16"] += 1
            continue
        both = True
        for unit in OFFSET_UNITS:
            if offsets.fits(start, end, unit):
                fits[unit] += 1
            else:
                both = False
        if both and (offsets.to_indexed(start, "codepoint") != offsets.to_indexed(start, "utf16")
                     or offsets.to_indexed(end, "codepoint") != offsets.to_indexed(end, "utf16")):
            differing += 1
            for unit in OFFSET_UNITS:
                cuts[unit] += offsets.cuts(start, end, unit)
    for unit, other in (("utf16", "codepoint"), ("codepoint", "utf16")):
        if fits[unit] == total and fits[other] < total:
            why = ("past the text's length in code points" if unit == "utf16"
                   else "inside a surrogate pair or past the text's length in UTF-16 units")
            return Evidence(unit, f"{total - fits[other]} selection(s) would fall {why} if "
                                  f"read in {_NAMES[other]}", differing)
    for unit, other in (("utf16", "codepoint"), ("codepoint", "utf16")):
        if cuts[other] >= 2 * cuts[unit] + 3:
            return Evidence(unit, f"read in {_NAMES[other]}, {cuts[other]} ends of the "
                                  f"{differing} selections that the two readings place "
                                  f"differently cut a word in two; read in {_NAMES[unit]}, "
                                  f"{cuts[unit]} do", differing)
    return Evidence(None, "", differing)


_NAMES = {"codepoint": "code points", "utf16": "UTF-16 code units"}


def utf16_offsets(text: str):
    """A function mapping code-point offsets of ``text`` to UTF-16 code-unit offsets.

    Examples
    --------
    >>> to_utf16 = utf16_offsets("a👍b")
    >>> [to_utf16(k) for k in range(4)]
    [0, 1, 3, 4]
    """
    astral = [m.start() for m in re.finditer("[\U00010000-\U0010ffff]", text)]
    if not astral:
        return int
    return lambda offset: offset + bisect.bisect_left(astral, offset)
