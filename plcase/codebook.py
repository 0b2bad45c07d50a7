"""The codebook: one row per code, read from ``codebook.yml``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from plcase.errors import PlcaseInputError
from plcase._files.text import read_text
from plcase._files.strict_yaml import load_yaml
from plcase.schema import CODEBOOK_COLUMNS

__all__ = ["read_codebook", "codebook_frame", "CODE_KINDS", "themes"]

#: Kinds of code: the four themes, cornerstone sub-codes, the glow/grow valence pair,
#: plain codes (imported projects) and categories (not codable, hold other codes).
CODE_KINDS = ("theme", "subcode", "valence", "code", "category")

_TEXT_FIELDS = ("label", "parent", "kind", "definition", "include", "exclude", "example")


def read_codebook(path: str | Path) -> pd.DataFrame:
    """Read a YAML codebook into a frame, one row per code.

    The file holds a list ``codes:`` of entries with ``code`` (required),
    ``label``, ``kind`` (theme, subcode, valence, code or category),
    ``parent``, ``definition``, ``include``, ``exclude``, ``example``,
    ``keywords`` and ``phrases`` (lists).  Problems are reported with the file
    and line of the entry.

    Parameters
    ----------
    path : str or Path
        A ``codebook.yml`` file.

    Returns
    -------
    DataFrame
        Columns ``code, label, parent, kind, definition, include, exclude,
        example, keywords, phrases``.

    Examples
    --------
    >>> from plcase import config
    >>> codebook = read_codebook(config.SAMPLE_DIR / "codebook.yml")
    >>> codebook.loc[codebook.kind == "theme", "code"].tolist()
    ['shared_culture', 'embedded_pd', 'student_driven', 'whole_child_sel']
    """
    path = Path(path)
    data = load_yaml(read_text(path), path, what="codebook")
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise PlcaseInputError("the codebook needs a top-level list 'codes:'", path=path, line=1,
                               hint="see interviews/codebook.yml for the layout")
    return codebook_frame(data["codes"], path=path)


def codebook_frame(entries: list[dict], path: str | Path | None = None) -> pd.DataFrame:
    """Validate codebook entries (dicts) and return the codebook frame.

    Examples
    --------
    >>> codebook_frame([{"code": "glow", "kind": "valence", "keywords": ["works"]}]).loc[0, "keywords"]
    ['works']
    """
    rows = []
    seen: dict[str, int | None] = {}
    for number, entry in enumerate(entries, start=1):
        line = _line(entry)
        if not isinstance(entry, dict) or _blank(entry.get("code")):
            raise PlcaseInputError(f"codebook entry {number} has no 'code'", path=path, line=line,
                                   hint="give every entry a 'code: short_name'")
        if isinstance(entry["code"], (list, dict)):
            raise PlcaseInputError(f"codebook entry {number} has a {type(entry['code']).__name__} "
                                   "as its code", path=path, line=line,
                                   hint="give every entry a 'code: short_name'")
        code = str(entry["code"])  # as written: REFI-QDA code names may carry spaces
        if code in seen:
            raise PlcaseInputError(f"code {code!r} is defined twice (first at line {seen[code]})",
                                   path=path, line=line, hint="merge or rename one of them")
        seen[code] = line
        for field in _TEXT_FIELDS:
            if isinstance(entry.get(field), (list, dict)):
                raise PlcaseInputError(f"'{field}' of code {code!r} must be text, not a "
                                       f"{type(entry[field]).__name__}", path=path, line=line,
                                       hint=f"write {field}: some text")
        row = {field: (None if _blank(entry.get(field)) else str(entry[field]).strip())
               for field in _TEXT_FIELDS}
        kind = row["kind"] or "code"
        if kind not in CODE_KINDS:
            raise PlcaseInputError(f"code {code!r} has unknown kind {kind!r}", path=path, line=line,
                                   hint=f"use one of {', '.join(CODE_KINDS)}")
        row["kind"] = kind
        row["code"] = code
        for field in ("keywords", "phrases"):
            value = entry.get(field)
            value = [] if _blank(value) else value
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or any(isinstance(v, (list, dict)) for v in value):
                raise PlcaseInputError(f"'{field}' of code {code!r} must be a list of words",
                                       path=path, line=line,
                                       hint=f"write {field}: [word, other word]")
            row[field] = [str(v) for v in value if not _blank(v)]
        rows.append((row, line))
    _check_parents(rows, seen, path)
    # object dtype: a missing parent stays None under pandas 3 (whose str dtype makes it NaN)
    return pd.DataFrame([row for row, _ in rows], columns=CODEBOOK_COLUMNS, dtype=object)


def _line(entry) -> int | None:
    if not isinstance(entry, dict):
        return None
    return getattr(entry, "line", None) or entry.get("__line__")


def _blank(value) -> bool:
    """True for a missing value: None, NaN/NA (pandas 3 and numpy 2 alike) or empty text."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, dict, tuple)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _check_parents(rows, seen, path) -> None:
    """Every parent exists; no code is its own ancestor (a cycle), naming file and line."""
    parent_of = {row["code"]: row["parent"] for row, _ in rows}
    for row, line in rows:
        code, parent = row["code"], row["parent"]
        if parent is None:
            continue
        if parent not in seen:
            raise PlcaseInputError(f"code {code!r} has parent {parent!r}, which is not in the "
                                   "codebook", path=path, line=line,
                                   hint="define the parent code or fix the name")
        if parent == code:
            raise PlcaseInputError(f"code {code!r} is its own parent", path=path, line=line,
                                   hint="remove the 'parent' or name another code")
        chain, current = [code], parent
        while current is not None:
            if current == code:
                raise PlcaseInputError(f"code {code!r} is its own ancestor: the parents form a "
                                       f"cycle {' -> '.join(chain + [code])}", path=path,
                                       line=line, hint="one code of the cycle must have no parent "
                                                       "or a parent outside it")
            if current in chain:
                break  # a cycle further up, reported at its own codes
            chain.append(current)
            current = parent_of.get(current)


def themes(codebook: pd.DataFrame) -> list[str]:
    """The codes of kind ``theme``, in codebook order (all codable codes if there are none)."""
    chosen = codebook.loc[codebook["kind"] == "theme", "code"].tolist()
    if not chosen:
        chosen = codebook.loc[codebook["kind"] != "category", "code"].tolist()
    return chosen
