"""Offsets between the browser (UTF-16 code units) and plcase (code points).

JavaScript strings, DOM ranges and selections count UTF-16 code units; an
emoji or any other character outside the Basic Multilingual Plane counts as
two.  plcase counts code points (Python string indices).  Every offset that
crosses the boundary goes through these two functions, on the Python side.
"""

from __future__ import annotations

__all__ = ["utf16_length", "to_utf16", "from_utf16"]


def utf16_length(text: str) -> int:
    """Length of ``text`` in UTF-16 code units.

    Examples
    --------
    >>> utf16_length("a😀b")
    4
    """
    return len(text.encode("utf-16-le")) // 2


def to_utf16(text: str, index: int) -> int:
    """The UTF-16 offset of code point ``index`` in ``text``.

    Examples
    --------
    >>> to_utf16("😀 good", 2)
    3
    """
    return utf16_length(text[:index])


def from_utf16(text: str, offset: int) -> int:
    """The code point index of UTF-16 ``offset`` in ``text``.

    Raises ``ValueError`` when the offset is outside the text or splits a
    surrogate pair (half an emoji).

    Examples
    --------
    >>> from_utf16("😀 good", 3)
    2
    """
    if not 0 <= offset <= utf16_length(text):
        raise ValueError(f"offset {offset} is outside a text of {utf16_length(text)} UTF-16 units")
    units = 0
    for index, char in enumerate(text):
        if units == offset:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
        if units > offset:
            raise ValueError(f"offset {offset} falls inside the character {char!r}")
    return len(text)
