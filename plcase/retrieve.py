"""Finding quotes: the coded segments that match a code, a case, a role or some words.

"Every student quote on SEL at Newell" is a join of three frames and a
four-way filter; :func:`retrieve` does it in one call and returns one row per
quoted stretch of text, with the document's metadata, the speaker and, on
request, the passages around it.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from plcase.errors import PlcaseError
from plcase.hierarchy import ancestors
from plcase.study import Study

__all__ = ["retrieve", "quotes_markdown", "busiest_cell", "ALL_CODERS"]

#: Pass as ``coder=`` to :func:`retrieve` to search the codings of every coder.
ALL_CODERS = "*"

#: Document columns that describe the file rather than the case; left out of quotes.
_FILE_COLUMNS = ("n_words", "synthetic", "path", "guid")


def busiest_cell(study: Study, coder: str | None = None) -> dict:
    """The case, theme and role with the most coded segments: a starting point for reading quotes.

    Counts the segments of ``coder`` (default the study's primary coder) coded
    with one of the study's themes in documents that are cases (context
    documents left out), per case × theme × document role, and returns the
    largest cell as keyword arguments for :func:`retrieve` (ties go to the
    first in sorted order, so the choice is repeatable). ``role`` is None
    when the documents have no roles, ``case`` None when there is no case column.

    Examples
    --------
    >>> import plcase
    >>> cell = busiest_cell(plcase.read_sample())
    >>> sorted(cell)
    ['case', 'code', 'role']
    >>> len(retrieve(plcase.read_sample(), **cell)) > 0
    True
    """
    coder = coder or study.primary_coder
    codings = study.codings[(study.codings["coder"] == coder)
                            & study.codings["code"].isin(list(study.theme_codes))]
    if codings.empty:
        raise PlcaseError(f"no theme codings of coder {coder!r} to choose quotes from; code "
                          f"some passages with the study's themes first")
    documents = study.documents
    if "context" in documents.columns:
        documents = documents[~documents["context"].fillna(False).astype(bool)]
    case_column = study.case_column if study.case_column in documents.columns else None
    columns = [c for c in (case_column, "role") if c is not None and c in documents.columns]
    segments = codings.drop_duplicates(["doc_id", "start", "end", "code"]).merge(
        documents[["doc_id", *columns]], on="doc_id")
    segments = segments.assign(**{c: segments[c].astype("string").fillna("") for c in columns})
    counts = segments.groupby(["code", *columns], observed=True).size().reset_index(name="n")
    best = counts.sort_values(["n", "code", *columns], ascending=[False] + [True] * (1 + len(columns)),
                              kind="stable").iloc[0]
    value = {c: (str(best[c]) if c in columns and best[c] != "" else None) for c in columns}
    return {"code": str(best["code"]), "case": value.get(case_column) if case_column else None,
            "role": value.get("role")}


def _codes_with_subcodes(codebook: pd.DataFrame, codes: list[str]) -> list[str]:
    paths = ancestors(codebook)
    wanted = set(codes)
    return [code for code, path in paths.items() if wanted & set(path)]


def _as_list(value) -> list | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return list(value)


def retrieve(study: Study, code: str | Iterable[str] | None = None, *,
             case: str | Iterable[str] | None = None, role: str | Iterable[str] | None = None,
             coder: str | Iterable[str] | None = None, text: str | None = None,
             speaker: str | Iterable[str] | None = None, context: int = 0,
             include_subcodes: bool = True, case_column: str | None = None) -> pd.DataFrame:
    """The coded segments that match every filter given, one row per stretch of text.

    Parameters
    ----------
    study : Study
    code : str or list of str, optional
        Code(s) to look for; with ``include_subcodes`` their sub-codes (at any
        depth) count too.  Default: every code.
    case : str or list of str, optional
        Keep documents whose case column (see ``case_column``) holds one of these.
    role : str or list of str, optional
        Keep documents of these roles (the documents' ``role`` column, e.g. ``student``).
    coder : str, list of str or ``"*"``, optional
        Whose codings to search.  Default: the study's primary coder (see
        ``study.primary_coder``), so the same passage coded by two coders is
        not listed twice.  With several coders (or ``"*"`` for all), a
        stretch coded by more than one of them is still one row, and
        ``coder`` lists who coded it.
    text : str, optional
        Keep segments whose text contains these words (case-insensitive, literal).
    speaker : str or list of str, optional
        Keep segments spoken by these speakers (the passage's ``speaker``).
    context : int, default 0
        How many passages before and after to return in ``before`` and
        ``after`` (0: no such columns).
    include_subcodes : bool, default True
        Whether a code's sub-codes count as the code.
    case_column : str, optional
        The documents' column that names the case; default the study's
        (``study.case_column``), else ``case`` when filled, else ``school``.

    Returns
    -------
    DataFrame
        One row per distinct ``(doc_id, start, end)``: ``doc_id``, the
        document's metadata columns, ``speaker``, ``start``, ``end``,
        ``code`` (the matching codes, ``"; "``-joined), ``coder`` (likewise),
        ``text``, ``memo``, and ``before``/``after`` when ``context > 0``.
        Sorted by document and position.

    Raises
    ------
    PlcaseError
        For a code, coder, case or role the study does not have.

    Examples
    --------
    >>> import plcase
    >>> study = plcase.read_sample()
    >>> quotes = retrieve(study, code="whole_child_sel", role="student")
    >>> set(quotes["role"]) == {"student"}
    True
    >>> bool((quotes["coder"] == study.primary_coder).all())
    True
    >>> row = quotes.iloc[0]
    >>> study.texts[row.doc_id][row.start:row.end] == row.text
    True
    """
    if not isinstance(context, (int, np.integer)) or isinstance(context, bool) or context < 0:
        raise PlcaseError(f"context must be a whole number of passages (0 or more), not {context!r}")
    codings = study.codings
    documents = study.documents

    codes = _as_list(code)
    if codes is not None:
        unknown = [c for c in codes if c not in set(study.codes)]
        if unknown:
            raise PlcaseError(f"unknown code(s) {', '.join(map(repr, unknown))}; the codebook has "
                              f"{', '.join(map(repr, study.codes))}")
        if include_subcodes:
            codes = _codes_with_subcodes(study.codebook, codes)
        codings = codings[codings["code"].isin(codes)]

    if coder is None:
        chosen = study.primary_coder
        coders = [] if chosen is None else [chosen]
    elif coder == ALL_CODERS:
        coders = study.coders
    else:
        coders = _as_list(coder)
    unknown = [c for c in coders if c not in set(study.coders)]
    if unknown and len(study.codings):
        raise PlcaseError(f"unknown coder(s) {', '.join(map(repr, unknown))}; the study's coders "
                          f"are {', '.join(map(repr, study.coders))} (or '*' for all)")
    codings = codings[codings["coder"].isin(coders)]

    case_column = study.case_column if case_column is None else case_column
    keep = pd.Series(True, index=documents.index)
    for column, wanted in ((case_column, case), ("role", role)):
        wanted = _as_list(wanted)
        if wanted is None:
            continue
        if column not in documents.columns:
            raise PlcaseError(f"the documents have no {column!r} column to filter on; they have "
                              f"{', '.join(map(repr, documents.columns))}")
        present = set(documents[column].dropna().astype(str))
        missing = [w for w in wanted if w not in present]
        if missing:
            raise PlcaseError(f"no document has {column} {', '.join(map(repr, missing))}; "
                              f"the study has {', '.join(map(repr, sorted(present)))}")
        keep &= documents[column].astype(str).isin(wanted)
    codings = codings[codings["doc_id"].isin(documents.loc[keep, "doc_id"])]

    if text is not None:
        codings = codings[codings["text"].str.contains(text, case=False, regex=False, na=False)]

    codings = codings.assign(speaker=_speakers(study, codings))
    speakers = _as_list(speaker)
    if speakers is not None:
        codings = codings[codings["speaker"].isin(speakers)]

    segments = _one_row_per_segment(codings)
    # A document column named like a segment column (a transcript's ``coder``) describes
    # the file, not the quote: the segment's own value wins.
    meta = documents[[c for c in documents.columns
                      if c == "doc_id" or (c not in _FILE_COLUMNS and c not in segments.columns)]]
    out = segments.merge(meta, on="doc_id", how="left")
    columns = (["doc_id"] + [c for c in meta.columns if c != "doc_id"]
               + ["speaker", "start", "end", "code", "coder", "text", "memo"])
    out = out[columns]
    if context:
        before, after = _context(study, out, context)
        out = out.assign(before=before, after=after)
    out = out.reset_index(drop=True)
    out.attrs["case_column"] = case_column   # what quotes_markdown shows under a heading
    return out


def _speakers(study: Study, codings: pd.DataFrame) -> list:
    """The speaker of the passage each coding starts in (``None`` without one)."""
    found = []
    by_doc = {d: g.sort_values("start") for d, g in study.passages.groupby("doc_id", sort=False, observed=True)}
    for doc, start in zip(codings["doc_id"], codings["start"]):
        group = by_doc.get(doc)
        if group is None or group.empty:
            found.append(None)
            continue
        k = max(int(np.searchsorted(group["start"].to_numpy(), start, side="right")) - 1, 0)
        value = group["speaker"].iloc[k]
        found.append(None if pd.isna(value) else value)
    return found


def _join(values) -> str | None:
    names = [str(v) for v in dict.fromkeys(values) if not pd.isna(v) and str(v).strip()]
    return "; ".join(names) if names else None


def _one_row_per_segment(codings: pd.DataFrame) -> pd.DataFrame:
    # One stretch of text coded with a theme and its sub-code, or by two coders,
    # is one quote: collapse on the span, keep who coded it with what.
    key = ["doc_id", "start", "end"]
    if codings.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in
                             key + ["speaker", "code", "coder", "text", "memo"]})
    grouped = codings.sort_values(key + ["code", "coder"], kind="mergesort").groupby(key, sort=True, observed=True)
    return grouped.agg(speaker=("speaker", "first"), code=("code", _join),
                       coder=("coder", _join), text=("text", "first"),
                       memo=("memo", _join)).reset_index()


def _context(study: Study, segments: pd.DataFrame, n: int) -> tuple[list, list]:
    before, after = [], []
    by_doc = {d: g.sort_values("start").reset_index(drop=True)
              for d, g in study.passages.groupby("doc_id", sort=False, observed=True)}
    for doc, start, end in zip(segments["doc_id"], segments["start"], segments["end"]):
        group = by_doc.get(doc)
        if group is None or group.empty:
            before.append(None)
            after.append(None)
            continue
        overlapping = group.index[(group["start"] < max(end, start + 1)) & (group["end"] > start)]
        first = overlapping.min() if len(overlapping) else 0
        last = overlapping.max() if len(overlapping) else -1
        before.append(_passages_text(group.iloc[max(first - n, 0):first]))
        after.append(_passages_text(group.iloc[last + 1:last + 1 + n]))
    return before, after


def _passages_text(rows: pd.DataFrame) -> str | None:
    if rows.empty:
        return None
    parts = []
    for speaker, text in zip(rows["speaker"], rows["text"]):
        parts.append(f"{speaker}: {text}" if isinstance(speaker, str) and speaker else str(text))
    return "\n".join(parts)


def quotes_markdown(quotes: pd.DataFrame, columns: Iterable[str] | None = None) -> str:
    """Render :func:`retrieve`'s rows as Markdown: a heading per document, a block quote per segment.

    Parameters
    ----------
    quotes : DataFrame
        The output of :func:`retrieve`.
    columns : list of str, optional
        Document columns shown under each document's heading (those present);
        default the study's case column (``quotes.attrs['case_column']``, set by
        :func:`retrieve`), ``role`` and ``participant``.

    Examples
    --------
    >>> import plcase
    >>> text = quotes_markdown(retrieve(plcase.read_sample(), code="glow", text="breakfast"))
    >>> text.startswith("## ")
    True
    """
    if columns is None:
        columns = [c for c in (quotes.attrs.get("case_column"), "role", "participant") if c]
    lines: list[str] = []
    for doc_id, group in quotes.groupby("doc_id", sort=False, observed=True):
        first = group.iloc[0]
        lines.append(f"## {doc_id}")
        about = [f"{c}: {first[c]}" for c in columns if c in group.columns and not pd.isna(first[c])]
        if about:
            lines.append("")
            lines.append("; ".join(about))
        for row in group.to_dict("records"):
            lines.append("")
            if row.get("before"):
                lines.extend(f"> *{line}*" for line in str(row["before"]).split("\n"))
                lines.append(">")
            who = f"**{row['speaker']}:** " if isinstance(row.get("speaker"), str) else ""
            body = str(row["text"]).split("\n")
            lines.append(f"> {who}{body[0]}")
            lines.extend(f"> {line}" for line in body[1:])
            if row.get("after"):
                lines.append(">")
                lines.extend(f"> *{line}*" for line in str(row["after"]).split("\n"))
            lines.append("")
            lines.append(f"({row['code']}; {row['coder']}; characters {row['start']}–{row['end']})")
        lines.append("")
    return "\n".join(lines)
