"""Which ``Label: `` at the start of a line names a speaker: one rule for every reader.

Transcripts (``.txt``, ``.docx``) and captions (Zoom's ``Name: text``) mark a
speaker by a label and a colon at the start of a line.  Ordinary sentences
start the same way (``Règle numéro un: …``, ``And here is an ellipsis: …``,
``ORCiD ID: …``, a note heading ``ELA BLOCK: …``), so a label alone is not
enough.  A label at the start of a line (after an optional ``[hh:mm:ss]``)
is a speaker when

1. it is a name from the document's metadata (``participant``,
   ``interviewer``, ``speakers``), whole or its first or last words; or
2. it starts lines at least twice and another label does too (a
   conversation has at least two voices: ``Researcher 1:`` / ``Ana:``), the
   labels take turns (the label changes on at least half of the labelled
   lines that follow one another) and at least a tenth of the lines are
   labelled; or
3. the document is labelled throughout: at least half of its lines start
   with a label, and at least two do (then every label counts, so a Zoom
   participant who spoke once is still a speaker); or
4. it is written in capitals (``INTERVIEWER:``, ``NÚÑEZ-PEÑA:``, ``MS. ORTIZ:``).

In notes (``source`` is ``site_visit`` or ``document``) only rules 1 and 2
apply: a heading in capitals that occurs once is part of the notes.
A label has at most five words, starts with a letter and is followed by a
colon and a space or tab.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

__all__ = ["LABEL", "NOTES_SOURCES", "is_capitals", "is_notes", "line_label", "speaker_names",
           "speaker_labels"]

_TIMESTAMP = r"\[(?P<ts>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)\][ \t]*"
#: A candidate label at the start of a line: optional ``[hh:mm:ss]``, at most
#: five words starting with a letter, a colon and a space or tab.
LABEL = re.compile(rf"^(?:{_TIMESTAMP})?"
                   r"(?P<label>[^\W\d_][\w.'’\-]*(?: [\w.'’\-]+){0,4}):[ \t]+")
#: A label in capitals may be longer (``PRINCIPAL OF GRAND OAK ELEMENTARY:``).
_CAPITALS_LABEL = re.compile(rf"^(?:{_TIMESTAMP})?(?P<label>[^\W\d_][\w .'’\-]{{0,40}}?):[ \t]+")
#: Document sources whose labels are headings unless they repeat.
NOTES_SOURCES = frozenset({"site_visit", "document"})
#: Metadata fields that name the people speaking in a document.
NAME_FIELDS = ("participant", "interviewer", "speakers", "facilitator")


def is_capitals(label: str) -> bool:
    """True when every cased letter of ``label`` is a capital (and it has one).

    Examples
    --------
    >>> [is_capitals(x) for x in ("NÚÑEZ-PEÑA", "MS. ORTIZ", "STUDENT 2", "Ana", "J'ai dit")]
    [True, True, True, False, False]
    """
    return label != label.lower() and label == label.upper()


def speaker_names(meta: Mapping | None) -> list[str]:
    """Names of the people in a document's metadata (participant, interviewer, …).

    Examples
    --------
    >>> speaker_names({"participant": "Ms. Dana Whitfield", "interviewer": "R. Okafor",
    ...                "speakers": ["Ana", "Ben"], "school": "X"})
    ['Ms. Dana Whitfield', 'R. Okafor', 'Ana', 'Ben']
    """
    names: list[str] = []
    for field in NAME_FIELDS:
        value = (meta or {}).get(field)
        values = value if isinstance(value, (list, tuple)) else [value]
        names.extend(str(v).strip() for v in values if v is not None and str(v).strip())
    return names


def line_label(line: str) -> re.Match | None:
    """The candidate label at the start of ``line`` (groups ``ts`` and ``label``), or None.

    Examples
    --------
    >>> line_label("[00:00:04] NÚÑEZ-PEÑA: Sí.").group("ts", "label")
    ('00:00:04', 'NÚÑEZ-PEÑA')
    >>> line_label("No label here") is None
    True
    """
    match = LABEL.match(line)
    if match is None:
        match = _CAPITALS_LABEL.match(line)
        if match is not None and not is_capitals(match.group("label")):
            match = None
    return match


def _known(label: str, names: Iterable[str]) -> bool:
    wanted = label.casefold().split()
    for name in names:
        words = name.casefold().split()
        if words and (words == wanted or words[-len(wanted):] == wanted
                      or words[:len(wanted)] == wanted):
            return True
    return False


def speaker_labels(labels: Iterable[str | None], *, names: Iterable[str] = (),
                   notes: bool = False) -> set[str]:
    """The labels that name speakers, by the rule in the module docstring.

    Parameters
    ----------
    labels : iterable of str or None
        The candidate label at the start of each line of the document, in
        order; ``None`` for a line without one.  Blank lines are left out.
    names : iterable of str
        Names from the document's metadata (see :func:`speaker_names`).
    notes : bool
        The document is notes (site visit, document): capitals alone and a
        labelled-throughout shape do not make speakers.

    Examples
    --------
    >>> sorted(speaker_labels(["Researcher 1", "Ana", None, "Researcher 1", "Ana"]))
    ['Ana', 'Researcher 1']
    >>> speaker_labels([None, "And here is an ellipsis", None, None])
    set()
    >>> speaker_labels([None, "ELA BLOCK", None, None], notes=True)
    set()
    >>> speaker_labels([None, "ELA BLOCK", None, None])
    {'ELA BLOCK'}
    """
    labels = list(labels)
    found = [label for label in labels if label is not None]
    counts = Counter(found)
    names = list(names)
    repeated = [label for label, n in counts.items() if n >= 2]
    accepted = {label for label in counts if _known(label, names)}
    if len(repeated) >= 2 and _conversation(found, len(labels)):
        accepted.update(repeated)
    if not notes:
        if len(found) >= 2 and 2 * len(found) >= len(labels):
            accepted.update(counts)
        accepted.update(label for label in counts if is_capitals(label))
    return accepted


def _conversation(found: list[str], lines: int) -> bool:
    # Speakers take turns and their labels are a visible share of the lines; titles
    # repeated down a table export ("Koronavírus: …" ten times in a row) or a heading
    # used twice in a long paper ("Model 1: …") are neither.
    changes = sum(a != b for a, b in zip(found, found[1:]))
    return 2 * changes >= len(found) - 1 and 10 * len(found) >= lines


def is_notes(meta: Mapping | None) -> bool:
    """True for documents whose ``source`` is notes (site visit, document)."""
    return str((meta or {}).get("source") or "").strip() in NOTES_SOURCES
