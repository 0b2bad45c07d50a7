"""Guards for archives and XML from outside: zip bombs, path traversal, XML entities.

Researchers' project files (``.qdpx``, ``.docx``, ``.xlsx``) are zip archives
whose contents plcase did not write, so every one is opened through
:func:`open_archive`, which refuses before anything is decompressed:

* members with absolute paths, drive letters or ``..`` components;
* more than :data:`MAX_MEMBERS` members;
* a declared total uncompressed size over :data:`MAX_TOTAL_BYTES`, or one
  member over :data:`MAX_MEMBER_BYTES`;
* a member whose compression ratio exceeds :data:`MAX_RATIO` (a zip bomb).

Declared sizes can lie, so :meth:`SafeArchive.read` also reads through a
bounded reader that stops one byte past the declared size.

XML is parsed with :mod:`defusedxml` and a DTD is refused outright: no entity
expansion ("billion laughs"), no external entities, no network access.

Every refusal is a :class:`~plcase.errors.PlcaseInputError` naming the file
and the member.
"""

from __future__ import annotations

import lzma
import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as _defused_fromstring

from plcase.errors import PlcaseInputError

__all__ = ["MAX_MEMBERS", "MAX_TOTAL_BYTES", "MAX_MEMBER_BYTES", "MAX_RATIO",
           "SafeArchive", "open_archive", "parse_xml"]

#: Most members an archive may hold (a large NVivo export has a few thousand sources).
MAX_MEMBERS = 20_000
#: Largest total uncompressed size of an archive, in bytes (2 GiB).
MAX_TOTAL_BYTES = 2 * 1024**3
#: Largest single member, in bytes (512 MiB).
MAX_MEMBER_BYTES = 512 * 1024**2
#: Largest compression ratio of a member.  Text and XML compress 3-20 times;
#: zip bombs compress hundreds to millions of times.
MAX_RATIO = 200
#: Members smaller than this are exempt from the ratio check: a tiny file of
#: repeated characters compresses well and can do no harm.
_RATIO_FLOOR = 1024**2

_DRIVE = re.compile(r"^[A-Za-z]:")


class SafeArchive:
    """A zip archive whose member names and sizes have been checked.

    Use :func:`open_archive` to make one; as a context manager it closes the
    underlying :class:`zipfile.ZipFile`.
    """

    def __init__(self, zf: zipfile.ZipFile, path: Path):
        self._zf = zf
        self.path = path
        self._infos = {info.filename: info for info in zf.infolist() if not info.is_dir()}

    def names(self) -> list[str]:
        """Member file names (folders left out), in archive order."""
        return list(self._infos)

    def find(self, name: str) -> str | None:
        """The member called ``name``, matched without regard to case, or None."""
        if name in self._infos:
            return name
        lowered = name.casefold()
        for candidate in self._infos:
            if candidate.casefold() == lowered:
                return candidate
        return None

    def read(self, name: str) -> bytes:
        """Read one member, never more than its declared (and checked) size."""
        info = self._infos[name]
        limit = info.file_size
        try:
            with self._zf.open(info) as stream:
                data = stream.read(limit + 1)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError,
                EOFError, RuntimeError, ValueError, zlib.error, lzma.LZMAError) as exc:
            raise PlcaseInputError(f"member {name!r} cannot be read: {exc}", path=self.path,
                                   hint="the archive is damaged; export it again") from None
        if len(data) > limit:
            raise PlcaseInputError(f"member {name!r} is larger than its header says",
                                   path=self.path,
                                   hint="the archive is damaged or crafted; refusing to read it")
        return data

    def close(self) -> None:
        self._zf.close()

    def __enter__(self) -> "SafeArchive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_archive(path: str | Path, *, what: str = "archive") -> SafeArchive:
    """Open a zip archive after checking its directory for hostile content.

    Parameters
    ----------
    path : str or Path
        The archive.
    what : str
        What the file is meant to be ("REFI-QDA project", "Word document"),
        used in messages.

    Raises
    ------
    PlcaseInputError
        If the file is no zip archive, or a member's path, the member count,
        a size or a compression ratio is over its limit.

    Examples
    --------
    >>> import io, zipfile, tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.zip"
    >>> with zipfile.ZipFile(target, "w") as zf:
    ...     zf.writestr("../evil.txt", "boo")
    >>> open_archive(target)
    Traceback (most recent call last):
    ...
    plcase.errors.PlcaseInputError: ...x.zip: member '../evil.txt' has an unsafe path ...
    """
    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            NotImplementedError, UnicodeDecodeError, IndexError, KeyError, OverflowError) as exc:
        raise PlcaseInputError(f"not a readable {what} (zip archive): {exc}", path=path,
                               hint="export the file again from its program") from None
    try:
        _check_directory(zf, path)
    except BaseException:
        zf.close()
        raise
    return SafeArchive(zf, path)


def _check_directory(zf: zipfile.ZipFile, path: Path) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise PlcaseInputError(f"the archive has {len(infos)} members, more than the limit of "
                               f"{MAX_MEMBERS}", path=path,
                               hint="split the project or raise plcase.io._safe.MAX_MEMBERS")
    total = 0
    for info in infos:
        name = info.filename
        _check_member_name(name, path)
        if info.file_size > MAX_MEMBER_BYTES:
            raise PlcaseInputError(f"member {name!r} would unpack to {info.file_size} bytes, more "
                                   f"than the limit of {MAX_MEMBER_BYTES}", path=path,
                                   hint="refusing a possible zip bomb")
        if info.file_size > _RATIO_FLOOR:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_RATIO:
                raise PlcaseInputError(f"member {name!r} has a compression ratio of {ratio:.0f}:1, "
                                       f"more than the limit of {MAX_RATIO}:1", path=path,
                                       hint="refusing a possible zip bomb")
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise PlcaseInputError(f"the archive would unpack to more than {MAX_TOTAL_BYTES} bytes",
                                   path=path, hint="refusing a possible zip bomb")


def _check_member_name(name: str, path: Path) -> None:
    unified = name.replace("\\", "/")
    parts = PurePosixPath(unified).parts
    if (unified.startswith("/") or _DRIVE.match(unified) or ".." in parts or "\x00" in name):
        raise PlcaseInputError(f"member {name!r} has an unsafe path (absolute or with '..')",
                               path=path, hint="the archive is crafted or damaged; refusing it")


def parse_xml(data: bytes | str, path: str | Path, *, what: str = "XML") -> Element:
    """Parse untrusted XML safely (no DTD, no entities) into an Element.

    Parameters
    ----------
    data : bytes or str
        The document.
    path : str or Path
        Where it came from (for messages), e.g. ``"study.qdpx:project.qde"``.
    what : str
        What the document is meant to be.

    Raises
    ------
    PlcaseInputError
        If the XML is malformed or uses a DTD or entities.

    Examples
    --------
    >>> parse_xml(b"<a><b/></a>", "x.xml")[0].tag
    'b'
    >>> parse_xml(b'<!DOCTYPE a [<!ENTITY e "boom">]><a>&e;</a>', "x.xml")
    Traceback (most recent call last):
    ...
    plcase.errors.PlcaseInputError: x.xml: XML with a DTD or entities is refused ...
    """
    try:
        return _defused_fromstring(data, forbid_dtd=True, forbid_entities=True,
                                   forbid_external=True)
    except DefusedXmlException as exc:
        raise PlcaseInputError(f"XML with a DTD or entities is refused ({type(exc).__name__})",
                               path=path, hint="desktop QDA tools never write these; the file "
                                               "may be crafted") from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise PlcaseInputError(f"malformed {what}: {exc}", path=path, line=line,
                               hint="export the file again from its program") from None
    except (ValueError, TypeError, LookupError, RecursionError) as exc:  # bad encoding= too
        raise PlcaseInputError(f"malformed {what}: {exc}", path=path,
                               hint="export the file again from its program") from None
