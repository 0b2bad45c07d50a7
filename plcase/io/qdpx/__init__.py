"""REFI-QDA project (``.qdpx``) and codebook (``.qdc``) exchange.

REFI-QDA is the exchange standard of the desktop QDA tools (NVivo, ATLAS.ti,
MAXQDA, QualCoder, Quirkos, f4analyse…).  A ``.qdpx`` file is a zip archive
holding ``project.qde`` — XML in the ``urn:QDA-XML:project:1.0`` namespace —
and a flat ``sources/`` folder with the source files; a ``.qdc`` file is the
codebook alone (``urn:QDA-XML:codebook:1.0``).

How plcase maps a project onto a :class:`~plcase.study.Study`:

==========================================  =====================================
REFI-QDA                                    plcase
==========================================  =====================================
``TextSource``                              a document (``doc_id`` = source name; an
                                            unnamed source: its file's stem, else GUID)
``PlainTextSelection`` + ``Coding/CodeRef``  one coding per code; the coder is the
                                            ``User`` named by the ``Coding``'s
                                            ``creatingUser`` (else the selection's)
``Coding`` directly on a ``TextSource``      a coding of the whole document
``CodeBook/Codes/Code`` (nested)            the codebook, hierarchy in ``parent``;
                                            ``isCodable="false"`` → kind ``category``
``Variables`` + ``VariableValue``           document columns (``School`` → ``school``)
``Cases``                                   the case's variables go to its sources;
                                            named cases fill a ``case`` column
``Sets`` of sources / of codes              a ``sets`` column of the documents / of
                                            the codebook, ``"Set A; Set B"``
PDF, picture, audio and video sources       skipped with a :class:`PlcaseWarning`
                                            that counts the codings on them
==========================================  =====================================

Sources.  ``plainTextPath="internal://x.txt"`` names ``sources/x.txt`` in the
archive; a bare ``x.txt`` (qc) is read the same way; member names are matched
without regard to case (NVivo for Windows writes ``Sources/``).
``relative://`` and ``absolute://`` paths point outside the archive and are
never read.

Offsets.  ``startPosition``/``endPosition`` are 0-based and half-open.
NVivo counts them in UTF-16 code units, the other tools in code points;
plcase decides the unit per project from ``Project@origin`` and from the
selections themselves, and converts them exactly to its own code points (see
:mod:`~plcase.io.qdpx.offsets`; override with ``offset_unit``).  A UTF-8
byte-order mark is removed before counting.  Line ends are normalised to LF,
and offsets are mapped with them: ATLAS.ti counts a CRLF as one character,
the other tools count it as two, so an origin naming ATLAS.ti counts CRLF as
1, any other as 2 (override with ``crlf_width``).  Projects written by plcase
itself are read verbatim (their offsets index the exact text written).

Writing.  :func:`write_qdpx` writes the whole study, machine coders included
as their own ``User`` (``auto:model``), so plcase's work opens in a desktop
tool.  The output is deterministic: GUIDs are uuid5 of the content, times come
from the document dates, zip entries are sorted with a fixed timestamp, so the
same study gives the same bytes.  Offsets are written in code points, the
REFI-QDA unit; ``write_qdpx(study, path, offset_unit="utf16")`` writes UTF-16
code units for NVivo (and says so in ``Project@origin``).  REFI-QDA has no place for a code's label,
kind, include/exclude rules or keywords, so plcase writes them as labelled
lines of the code's ``Description`` and reads them back from there.

The package is split along the concepts: :mod:`~plcase.io.qdpx.reading`
(archive, sources, selections), :mod:`~plcase.io.qdpx.offsets` (line ends and
offset units), :mod:`~plcase.io.qdpx.codebook` (the code tree and ``.qdc``)
and :mod:`~plcase.io.qdpx.writing`.
"""

from plcase.io.qdpx._common import CODEBOOK_NS, PROJECT_NS
from plcase.io.qdpx.codebook import read_qdc, write_qdc
from plcase.io.qdpx.reading import read_qdpx
from plcase.io.qdpx.writing import write_qdpx

__all__ = ["read_qdpx", "write_qdpx", "read_qdc", "write_qdc", "PROJECT_NS", "CODEBOOK_NS"]
