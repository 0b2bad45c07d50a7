"""Declaring cases when the documents do not carry them.

Projects from QualCoder, Taguette or a folder of Word files often know their
cases only by the document names (``BSR01``, ``DC04``, ``QR10``…) or by a
list kept beside the data.  :func:`assign_cases` writes each document's case
into a column of the documents frame, from a small table or a name pattern,
and refuses to leave a document without one silently.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pandas as pd

from plcase.errors import PlcaseError, PlcaseInputError
from plcase.study import Study

__all__ = ["assign_cases"]


def assign_cases(documents: pd.DataFrame, table: pd.DataFrame | str | Path | None = None,
                 pattern: str | re.Pattern | None = None, column: str = "case",
                 unassigned: str = "error") -> pd.DataFrame:
    """Write each document's case into ``column``, from a table or a name pattern.

    Parameters
    ----------
    documents : DataFrame or Study
        The documents frame (``doc_id`` required); given a study, returns
        the study with its documents so completed.
    table : DataFrame or path of a CSV file, optional
        Columns ``doc_id`` and ``case`` (the case column may also be named
        like ``column``); any further column (``group``, ``site``…) becomes
        a document column too.
    pattern : str or compiled regex, optional
        Searched in each ``doc_id``; its named group ``case`` is the case,
        and any other named group becomes a document column, e.g.
        ``r"^(?P<case>BSR|DC|QR)\\d+"``.
    column : str, default "case"
        The document column to write (the study's case column, for example
        ``school``).
    unassigned : {"error", "keep"}, default "error"
        What to do with documents that no table row or pattern match:
        ``"error"`` names them in a :class:`PlcaseInputError`; ``"keep"``
        keeps their existing value in ``column`` (context documents, for
        example), raising only if they have none.

    Returns
    -------
    DataFrame or Study
        A copy of ``documents`` with ``column`` (and the table's or
        pattern's other columns) filled.

    Raises
    ------
    PlcaseInputError
        For documents with no case (named), a table row of an unknown
        document or a document listed twice, a pattern without a ``case``
        group, neither or both of ``table`` and ``pattern``.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["BSR01_transcript", "DC04_transcript", "QR10_transcript"]})
    >>> assign_cases(docs, pattern=r"^(?P<case>[A-Z]+)\\d+")["case"].tolist()
    ['BSR', 'DC', 'QR']
    >>> table = pd.DataFrame({"doc_id": ["BSR01_transcript", "DC04_transcript"],
    ...                       "case": ["big social research", "curation"]})
    >>> assign_cases(docs, table=table)
    Traceback (most recent call last):
    ...
    plcase.errors.PlcaseInputError: 1 document(s) match no case: 'QR10_transcript' (add them to the table, or pass unassigned='keep' for documents that are not cases)
    """
    if isinstance(documents, Study):
        return replace(documents, documents=assign_cases(documents.documents, table, pattern,
                                                         column, unassigned))
    if (table is None) == (pattern is None):
        raise PlcaseError("give exactly one of table= (doc_id → case) or pattern= (a regex on "
                          "doc_id with a named group 'case')")
    if unassigned not in ("error", "keep"):
        raise PlcaseError(f"unassigned must be 'error' or 'keep', not {unassigned!r}")
    if "doc_id" not in documents.columns:
        raise PlcaseError("documents lacks column 'doc_id'")
    documents = documents.copy()
    where = None
    if table is not None:
        where, found = _from_table(documents, table, column)
        how = "add them to the table"
    else:
        found = _from_pattern(documents, pattern)
        how = "change the pattern"
    values = found.pop("case")
    matched = values.notna()
    if column in documents.columns and unassigned == "keep":
        values = values.where(matched, documents[column])
    else:
        values = values.where(matched, None)
    missing = documents.loc[values.isna(), "doc_id"].tolist()
    if missing:
        names = ", ".join(repr(d) for d in missing[:10]) + (" …" if len(missing) > 10 else "")
        raise PlcaseInputError(f"{len(missing)} document(s) match no case: {names}", path=where,
                               hint=f"{how}, or pass unassigned='keep' for documents that are "
                                    "not cases")
    documents[column] = values.astype(object)
    for extra, series in found.items():
        if extra in ("doc_id", column):
            continue
        documents[extra] = series.where(matched, documents[extra]) \
            if extra in documents.columns else series
    return documents


def _from_table(documents: pd.DataFrame, table, column: str):
    where = None
    if not isinstance(table, pd.DataFrame):
        where = Path(table)
        if not where.is_file():
            raise PlcaseInputError("no such cases table", path=where,
                                   hint="give a CSV file with columns doc_id,case")
        table = pd.read_csv(where, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        table = table.replace({"": None})
    table = table.copy()
    if "case" not in table.columns and column in table.columns:
        table = table.rename(columns={column: "case"})
    missing = [c for c in ("doc_id", "case") if c not in table.columns]
    if missing:
        raise PlcaseInputError(f"the cases table lacks column(s) {', '.join(missing)}; it has "
                               f"{', '.join(map(str, table.columns))}", path=where,
                               hint="name the columns doc_id and case")
    table["doc_id"] = table["doc_id"].astype(str).str.strip()
    twice = table.loc[table["doc_id"].duplicated(), "doc_id"].tolist()
    if twice:
        raise PlcaseInputError(f"document(s) listed twice in the cases table: "
                               f"{', '.join(repr(d) for d in twice)}", path=where,
                               hint="give every document one row")
    unknown = sorted(set(table["doc_id"]) - set(documents["doc_id"].astype(str)))
    if unknown:
        raise PlcaseInputError(f"the cases table names document(s) the study does not have: "
                               f"{', '.join(repr(d) for d in unknown[:10])}", path=where,
                               hint="check the doc_id spelling against study.documents")
    merged = documents[["doc_id"]].astype(str).merge(table, on="doc_id", how="left")
    merged.index = documents.index
    return where, {c: merged[c] for c in merged.columns if c != "doc_id"}


def _from_pattern(documents: pd.DataFrame, pattern) -> dict[str, pd.Series]:
    try:
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
    except re.error as exc:
        raise PlcaseInputError(f"the case pattern {pattern!r} is not a regular expression: {exc}",
                               hint="write it as in Python's re module") from None
    if "case" not in regex.groupindex:
        raise PlcaseInputError(f"the case pattern {regex.pattern!r} has no named group 'case'",
                               hint=r"mark the case part as (?P<case>...), e.g. ^(?P<case>[A-Z]+)\d+")
    matches = [regex.search(str(d)) for d in documents["doc_id"]]
    return {name: pd.Series([m.group(name) if m else None for m in matches], index=documents.index,
                            dtype=object)
            for name in regex.groupindex}
