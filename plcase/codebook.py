"""The codebook: one row per code, read from ``codebook.yml``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from plcase.errors import PlcaseInputError
from plcase.io._text import read_text
from plcase.schema import CODEBOOK_COLUMNS

__all__ = ["read_codebook", "codebook_frame", "CODE_KINDS", "themes"]

#: Kinds of code: the four themes, cornerstone sub-codes, the glow/grow valence pair,
#: plain codes (imported projects) and categories (not codable, hold other codes).
CODE_KINDS = ("theme", "subcode", "valence", "code", "category")

_TEXT_FIELDS = ("label", "parent", "kind", "definition", "include", "exclude", "example")


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that remembers the line of every mapping."""


def _construct_mapping(loader, node, deep=False):
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=deep)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


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
    text = read_text(path)
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PlcaseInputError(f"the codebook is not valid YAML: {getattr(exc, 'problem', exc)}",
                               path=path, line=None if mark is None else mark.line + 1,
                               hint="check indentation and quoting") from None
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
        line = entry.get("__line__") if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or not entry.get("code"):
            raise PlcaseInputError(f"codebook entry {number} has no 'code'", path=path, line=line,
                                   hint="give every entry a 'code: short_name'")
        code = str(entry["code"])
        if code in seen:
            raise PlcaseInputError(f"code {code!r} is defined twice (first at line {seen[code]})",
                                   path=path, line=line, hint="merge or rename one of them")
        seen[code] = line
        kind = str(entry.get("kind") or "code")
        if kind not in CODE_KINDS:
            raise PlcaseInputError(f"code {code!r} has unknown kind {kind!r}", path=path, line=line,
                                   hint=f"use one of {', '.join(CODE_KINDS)}")
        row = {field: (None if entry.get(field) is None else str(entry[field]).strip())
               for field in _TEXT_FIELDS}
        row["kind"] = kind
        row["code"] = code
        for field in ("keywords", "phrases"):
            value = entry.get(field) or []
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list):
                raise PlcaseInputError(f"'{field}' of code {code!r} must be a list", path=path,
                                       line=line, hint=f"write {field}: [word, other word]")
            row[field] = [str(v) for v in value]
        row["_line"] = line
        rows.append(row)
    frame = pd.DataFrame(rows, columns=CODEBOOK_COLUMNS + ["_line"])
    for code, parent, line in zip(frame["code"], frame["parent"], frame["_line"]):
        # pandas 3 stores a missing text as NaN, pandas 2 as None: test for a name.
        if isinstance(parent, str) and parent not in seen:
            raise PlcaseInputError(f"code {code!r} has parent {parent!r}, which is not in the codebook",
                                   path=path, line=line, hint="define the parent code or fix the name")
    return frame.drop(columns="_line")


def themes(codebook: pd.DataFrame) -> list[str]:
    """The codes of kind ``theme``, in codebook order (all codable codes if there are none)."""
    chosen = codebook.loc[codebook["kind"] == "theme", "code"].tolist()
    if not chosen:
        chosen = codebook.loc[codebook["kind"] != "category", "code"].tolist()
    return chosen
