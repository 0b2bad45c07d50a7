"""One check of document metadata for every reader (front matter and sidecars alike).

Metadata values are text.  A few fields have a declared type, checked here so
that a transcript's front matter and a Word or caption file's sidecar
``<name>.yml`` obey the same rules:

``date``
    an ISO date ``YYYY-MM-DD`` that exists in the calendar (``2017-02-30`` is
    an error); kept as that text.
``synthetic``
    ``true`` or ``false`` (nothing else: ``'no'`` or ``yes`` is an error, not
    a silent ``True``); becomes a bool.
``source``, ``role``
    one of :data:`plcase.schema.SOURCES` / :data:`plcase.schema.ROLES`.

Every other field is one value (not a list or mapping) and stays text exactly
as written: ``id: 0123`` is ``'0123'``.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from pathlib import Path

from plcase.errors import PlcaseInputError
from plcase.schema import ROLES, SOURCES

__all__ = ["ALLOWED_VALUES", "check_metadata"]

#: Fields whose value must be one of a list.
ALLOWED_VALUES = {"source": SOURCES, "role": ROLES}

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TRUE = ("true", "True", "TRUE")
_FALSE = ("false", "False", "FALSE")


def check_metadata(meta: Mapping, path: str | Path, *, required: tuple[str, ...] = (),
                   line_of=None, missing_line: int | None = None) -> dict:
    """Check one document's metadata and return it with declared types applied.

    Parameters
    ----------
    meta : mapping
        Field → value, as :func:`plcase._files.strict_yaml.load_yaml` read it (values are
        strings, ``None``, or lists/mappings, which are refused).
    path : str or Path
        The file, for messages.
    required : tuple of str
        Fields that must be present and non-empty.
    line_of : callable, optional
        ``line_of(field)`` gives the line of a field; by default
        ``meta.line_of`` when ``meta`` is a :class:`~plcase._files.strict_yaml.YamlMapping`.
    missing_line : int, optional
        The line reported for a missing required field.

    Returns
    -------
    dict
        Field names as text, values as text except ``synthetic`` (bool) and
        empty values (``None``).

    Raises
    ------
    PlcaseInputError
        Naming the file, the line of the field and the allowed values.

    Examples
    --------
    >>> check_metadata({"id": "0123", "date": "2017-03-14", "synthetic": "true"}, "a.yml")
    {'id': '0123', 'date': '2017-03-14', 'synthetic': True}
    >>> check_metadata({"date": "2017-02-30"}, "a.yml")
    Traceback (most recent call last):
    ...
    plcase.errors.PlcaseInputError: a.yml: 'date' is '2017-02-30', which is not a date ...
    """
    if line_of is None:
        line_of = getattr(meta, "line_of", lambda key: None)
    out: dict = {}
    for key, value in meta.items():
        if not isinstance(key, str):
            raise PlcaseInputError(f"field name {key!r} is not text", path=path,
                                   line=line_of(key), hint="write 'field: value' lines")
        line = line_of(key)
        if isinstance(value, (list, dict)):
            raise PlcaseInputError(f"'{key}' holds a {'list' if isinstance(value, list) else 'mapping'}, not one value",
                                   path=path, line=line,
                                   hint=f"write '{key}: value' with a single value")
        if value is not None and not isinstance(value, str):
            value = str(value)  # bool/int from a caller's dict: text like the YAML would be
        if value is not None and value.strip() == "":
            value = None
        if value is None:
            out[key] = None
            continue
        if key == "synthetic":
            if value in _TRUE:
                out[key] = True
            elif value in _FALSE:
                out[key] = False
            else:
                raise PlcaseInputError(f"'synthetic' is {value!r}; it must be true or false",
                                       path=path, line=line,
                                       hint="write 'synthetic: true' or 'synthetic: false'")
            continue
        if key == "date":
            out[key] = _check_date(value, path, line)
            continue
        if key in ALLOWED_VALUES and value not in ALLOWED_VALUES[key]:
            raise PlcaseInputError(f"unknown {key} {value!r}", path=path, line=line,
                                   hint=f"use one of {', '.join(ALLOWED_VALUES[key])}")
        out[key] = value
    for key in required:
        if out.get(key) is None:
            raise PlcaseInputError(f"missing required field '{key}'", path=path,
                                   line=missing_line,
                                   hint=f"add '{key}: …' (required: {', '.join(required)})")
    return out


def _check_date(value: str, path, line) -> str:
    value = value.strip()
    problem = None
    if not _ISO_DATE.fullmatch(value):
        problem = "which is not an ISO date YYYY-MM-DD"
    else:
        try:
            _dt.date.fromisoformat(value)
        except ValueError:
            problem = "which is not a date in the calendar"
    if problem:
        raise PlcaseInputError(f"'date' is {value!r}, {problem}", path=path, line=line,
                               hint="write the date as YYYY-MM-DD, e.g. 2017-03-14")
    return value
