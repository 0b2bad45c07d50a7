"""Decoding researchers' text files: UTF-8 (with or without BOM), cp1252 fallback."""

from __future__ import annotations

import warnings
from pathlib import Path

from plcase.errors import PlcaseInputError, PlcaseWarning

__all__ = ["decode_text", "read_text"]


def decode_text(data: bytes, path: str | Path) -> str:
    """Decode a file's bytes to text with LF line endings.

    UTF-8 is expected.  A UTF-8 byte-order mark is removed (it is not part of
    the text, so it must not shift offsets).  A file that is not valid UTF-8
    is decoded as Windows-1252, the encoding Word uses for "Plain text"
    exports on Windows, with a :class:`~plcase.errors.PlcaseWarning` naming
    the first line that is not UTF-8.  CRLF and CR line ends become LF, so
    offsets do not depend on the platform that wrote the file.

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
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
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
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: str | Path) -> str:
    """Read and decode a text file (see :func:`decode_text`)."""
    path = Path(path)
    return decode_text(path.read_bytes(), path)
