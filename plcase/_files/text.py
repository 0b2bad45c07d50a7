"""Decoding researchers' text files: UTF-8, UTF-16 (with or without BOM), cp1252 fallback.

Every text reader (transcripts, captions, ``codings.csv``, codebooks,
sidecars) decodes through :func:`decode_text`, so all of them accept the same
encodings and clean the text the same way before any offset is computed.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from plcase.errors import PlcaseInputError, PlcaseWarning

__all__ = ["decode_text", "read_text", "utf16_byte_order"]

_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
#: Bytes looked at to recognise UTF-16 without a byte-order mark.
_SNIFF_BYTES = 4096


def utf16_byte_order(data: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when ``data`` looks like UTF-16 without a BOM, else None.

    Text in Latin, Greek or Cyrillic script saved as UTF-16 has a NUL byte in
    every other position (the high byte of each character); UTF-8 and cp1252
    text has none.  At least 40 % of the characters must show it.

    Examples
    --------
    >>> utf16_byte_order("Interviewer: hi".encode("utf-16-le"))
    'utf-16-le'
    >>> utf16_byte_order(b"plain ASCII") is None
    True
    """
    sample = data[:_SNIFF_BYTES]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0:pairs * 2:2].count(0)
    odd = sample[1:pairs * 2:2].count(0)
    if odd >= 0.4 * pairs and even <= 0.05 * pairs:
        return "utf-16-le"
    if even >= 0.4 * pairs and odd <= 0.05 * pairs:
        return "utf-16-be"
    return None


def decode_text(data: bytes, path: str | Path) -> str:
    """Decode a file's bytes to text with LF line endings.

    * A byte-order mark picks the encoding (UTF-8, UTF-16 or UTF-32, either
      byte order) and is removed: it is not part of the text, so it must not
      shift offsets.
    * Without one, UTF-16 is recognised by its NUL bytes at alternating
      positions (Windows Notepad's "Unicode"); otherwise UTF-8 is expected.
    * A file that is not valid UTF-8 is decoded as Windows-1252, the encoding
      Word uses for "Plain text" exports on Windows, with a
      :class:`~plcase.errors.PlcaseWarning` naming the first line that is not
      UTF-8.
    * NUL characters (left by a damaged copy or a wrongly saved file) are
      removed with a warning naming the lines, before any offset is computed,
      so codings stay on their words.
    * CRLF and CR line ends become LF, so offsets do not depend on the
      platform that wrote the file.

    Parameters
    ----------
    data : bytes
        The raw file content.
    path : str or Path
        Used in messages only.

    Examples
    --------
    >>> decode_text(b"\\xef\\xbb\\xbfcaf\\xc3\\xa9\\r\\n", "a.txt")
    'café\\n'
    >>> decode_text("Ana: olá\\r\\n".encode("utf-16"), "b.txt")
    'Ana: olá\\n'
    """
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is not None:
        bom_length = next(len(bom) for bom, name in _BOMS if name == encoding)
        text = _decode_strict(data[bom_length:], encoding, path, offset=bom_length)
    elif (encoding := utf16_byte_order(data)) is not None:
        text = _decode_strict(data, encoding, path, offset=0)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as exc2:
                bad_line = data.count(b"\n", 0, exc2.start) + 1
                raise PlcaseInputError(
                    "the file is neither UTF-8 nor Windows-1252 text", path=path, line=bad_line,
                    hint="open it in a text editor and save it as UTF-8") from None
            warnings.warn(
                f"{path}:{line}: not UTF-8; read as Windows-1252 (cp1252). "
                "Save the file as UTF-8 to silence this warning.",
                PlcaseWarning, stacklevel=3)
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = _remove_nul(text, path)
    return text


def _decode_strict(data: bytes, encoding: str, path, offset: int) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        # Line numbers of a UTF-16 file: count its encoded newlines.
        newline = "\n".encode(encoding)
        line = _count_units(data[: exc.start], newline) + 1
        raise PlcaseInputError(
            f"this file is {encoding.upper().replace('-LE', '').replace('-BE', '')} text "
            f"({encoding}) but is damaged: {exc.reason}", path=path, line=line,
            hint="open it in a text editor and save it again as UTF-8") from None


def _count_units(data: bytes, unit: bytes) -> int:
    width = len(unit)
    return sum(1 for i in range(0, len(data) - width + 1, width) if data[i:i + width] == unit)


def _remove_nul(text: str, path) -> str:
    lines = [n for n, line in enumerate(text.split("\n"), start=1) if "\x00" in line]
    shown = ", ".join(str(n) for n in lines[:5]) + (" …" if len(lines) > 5 else "")
    warnings.warn(
        f"{path}:{lines[0]}: {text.count(chr(0))} NUL character(s) removed "
        f"(line{'s' if len(lines) > 1 else ''} {shown}); offsets count the text without them. "
        "Save the file again as UTF-8 to silence this warning.",
        PlcaseWarning, stacklevel=4)
    return text.replace("\x00", "")


def read_text(path: str | Path) -> str:
    """Read and decode a text file (see :func:`decode_text`)."""
    path = Path(path)
    return decode_text(path.read_bytes(), path)
