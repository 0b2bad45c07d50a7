"""Cross-case matrices: which themes appear where, voiced by whom, from which sources.

Every function here starts from one tidy frame, :func:`coded_passages`, which
rolls a coder's codings up to passages:

* a coding counts in every passage it **overlaps** (half-open character
  ranges ``[start, end)``), so a coding that spans two speaker turns counts in
  both; nothing is dropped;
* several codings of the same code in one passage count **once**: the unit of
  every count is the (passage, code) pair.

The matrices are wide frames built from that long frame at the boundary
(``theme_matrix``, ``cooccurrence``); :func:`to_long` turns a matrix back into
a tidy frame.  Group rows are every value of the grouping column(s) present in
``study.documents``, so a school or role that never voiced a theme shows a
zero, not a missing row.

Examples
--------
>>> import plcase
>>> from plcase.matrix import theme_matrix
>>> study = plcase.read_sample()
>>> theme_matrix(study).columns.tolist()
['shared_culture', 'embedded_pd', 'student_driven', 'whole_child_sel']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from plcase import config
from plcase.errors import PlcaseError
from plcase.hierarchy import rolled_study
from plcase.roles import keep_roles, roles_note
from plcase.schema import ROLES, SOURCES
from plcase.segment import word_count

__all__ = ["MEASURES", "code_labels", "row_counts", "context_label",
           "coded_passages", "theme_matrix", "to_long", "framework_matrix", "framework_wide", "cooccurrence", "glow_grow", "new_codes",
           "saturation_runs", "saturation", "trim_quote"]

#: The measures :func:`theme_matrix` can fill its cells with.
MEASURES = ("passages", "share", "informants", "sources", "per_1000_words")

#: Document columns copied onto every coded passage.
_DOC_COLUMNS = ("school", "source", "role", "participant", "date")

#: Printable length of a quote in a framework matrix, in characters.
QUOTE_CHARS = 280


#: How context documents (``documents.context`` True) enter a matrix.
CONTEXT_CHOICES = ("rows", "exclude", "include")


# --------------------------------------------------------------------------- checks

def code_labels(study) -> dict[str, str]:
    """Code -> the codebook's ``label`` (codes without one are left out), for figures.

    Examples
    --------
    >>> import plcase
    >>> code_labels(plcase.read_sample())["embedded_pd"]
    'Embedded professional learning'
    """
    book = study.codebook
    return {c: str(lab) for c, lab in zip(book["code"], book["label"])
            if isinstance(lab, str) and lab.strip()}


def _check_coder(study, coder: str | None) -> str:
    coder = study.primary_coder if coder is None else coder
    coders = study.coders
    # A study with no codings at all has no coders to check against; its matrices are zeros.
    if coders and coder not in coders:
        raise PlcaseError(f"unknown coder {coder!r}; the study's coders are "
                          f"{', '.join(repr(c) for c in coders)}")
    return coder


def _check_codes(study, codes: Iterable[str] | str | None,
                 default: Sequence[str] | None | str = "themes") -> list[str]:
    if codes is None:
        if isinstance(default, str):
            default = study.theme_codes
        codes = [c for c in default if c in set(study.codes)] if default is not None else study.codes
    elif isinstance(codes, str):
        codes = [codes]
    codes = list(dict.fromkeys(codes))
    unknown = [c for c in codes if c not in set(study.codes)]
    if unknown:
        raise PlcaseError(f"unknown code(s) {', '.join(repr(c) for c in unknown)}; the codebook "
                          f"has {', '.join(repr(c) for c in study.codes)}")
    return codes


def _check_valence(study) -> list[str]:
    valence = list(study.valence_codes)
    if len(valence) != 2:
        raise PlcaseError(f"glows and grows need two valence codes, a positive and a negative one; "
                          f"this study has {valence or 'none'} (add two codes of kind: valence to "
                          f"the codebook, or name them in study.yml as valence: [positive, negative])")
    return valence


def _check_by(study, by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    columns = [by] if isinstance(by, str) else list(by)
    valid = [c for c in study.documents.columns if c not in ("path",)]
    unknown = [c for c in columns if c not in valid]
    if unknown:
        raise PlcaseError(f"unknown grouping column(s) {', '.join(repr(c) for c in unknown)}; "
                          f"group by a document column: {', '.join(repr(c) for c in valid)}")
    if len(set(columns)) != len(columns):
        raise PlcaseError(f"grouping columns repeat: {columns}")
    return columns


def _order_key(column: str):
    """Sort key for group labels: schema order for source and role, else natural order."""
    known = {"source": SOURCES, "role": ROLES}.get(column)

    def key(value):
        if isinstance(value, str) and value.startswith(context_label("")):
            return (3, 0, value)  # context rows after the cases
        if pd.isna(value):
            return (2, 0, "")
        if known is not None and value in known:
            return (0, known.index(value), "")
        return (1, 0, str(value))
    return key


def _group_index(documents: pd.DataFrame, by: list[str]) -> pd.Index:
    """Every group present in the documents, in a stable order."""
    combos = documents[by].drop_duplicates()
    keys = [_order_key(c) for c in by]
    tuples = sorted((tuple(row) for row in combos.itertuples(index=False)),
                    key=lambda t: tuple(k(v) for k, v in zip(keys, t)))
    if len(by) == 1:
        return pd.Index([t[0] for t in tuples], name=by[0])
    return pd.MultiIndex.from_tuples(tuples, names=by)


def _is_context(documents: pd.DataFrame) -> pd.Series:
    """True for documents that inform the study but are not cases (``documents.context``)."""
    if "context" not in documents.columns:
        return pd.Series(False, index=documents.index)
    return documents["context"].map(lambda v: bool(v) if pd.notna(v) else False).astype(bool)


def context_label(doc_id: str) -> str:
    """The row label of a context document in a matrix: ``"context: <doc_id>"``."""
    return f"context: {doc_id}"


def _grouping(study, by_cols: list[str], context: str):
    """Documents with their row keys, the rows in order, and the context documents.

    Case documents keep their ``by`` values; with ``context="rows"`` each context
    document becomes its own row labelled ``context: <doc_id>`` (after the case
    rows), with ``"exclude"`` it is left out, with ``"include"`` it is grouped
    like a case.
    """
    if context not in CONTEXT_CHOICES:
        raise PlcaseError(f"context must be one of {', '.join(map(repr, CONTEXT_CHOICES))}, "
                          f"not {context!r}")
    documents = study.documents.copy()
    is_context = _is_context(documents)
    context_docs = documents.loc[is_context, "doc_id"].tolist()
    if context == "include" or not context_docs:
        return documents, _group_index(documents, by_cols), []
    cases = documents[~is_context]
    rows = _group_index(cases, by_cols)
    if context == "exclude":
        return cases, rows, context_docs
    extra = documents[is_context].copy()
    extra[by_cols[0]] = [context_label(d) for d in extra["doc_id"]]
    for col in by_cols[1:]:
        extra[col] = ""
    labels = [tuple(r) if len(by_cols) > 1 else r[0]
              for r in extra[by_cols].itertuples(index=False)]
    if len(by_cols) == 1:
        rows = pd.Index(list(rows) + labels, name=by_cols[0])
    else:
        rows = pd.MultiIndex.from_tuples(list(rows) + labels, names=by_cols)
    return pd.concat([cases, extra]), rows, context_docs


def _context_note(context_docs: list[str], context: str) -> str:
    if not context_docs:
        return ""
    names = ", ".join(context_docs)
    if context == "rows":
        return f"context documents ({names}) shown as their own rows, not as cases"
    if context == "exclude":
        return f"context documents ({names}) left out"
    return f"context documents ({names}) grouped like cases"


def _kept_passages(study, documents: pd.DataFrame, by_cols: list[str], roles) -> pd.DataFrame:
    """The passages of ``documents`` spoken in ``roles``, with their row keys and informant.

    Only the passage columns the counts need travel (not every passage column
    of a district survey's 300,000 rows).
    """
    passages = study.passages
    passages = passages.loc[passages["speaker_role"].isin(roles),
                            ["passage_id", "doc_id", "speaker", "text"]]
    docs = documents[["doc_id", *dict.fromkeys([*by_cols, "source", "participant"])]]
    kept = passages.merge(docs, on="doc_id", how="inner")
    kept["informant"] = _informant(kept) if len(kept) else pd.Series(dtype=object)
    return kept


def _row_counts(documents: pd.DataFrame, rows: pd.Index, kept: pd.DataFrame,
                by_cols: list[str]) -> pd.DataFrame:
    """Documents, passages and informants per row, from the grouping and the kept passages."""
    kept_groups = kept.groupby(by_cols, dropna=False, observed=True)
    return pd.DataFrame({
        "n_documents": _align(documents.groupby(by_cols, dropna=False, observed=True)["doc_id"].nunique(), rows),
        "n_passages": _align(kept_groups["passage_id"].nunique(), rows),
        "n_informants": _align(kept_groups["informant"].nunique(), rows),
    }, index=rows).astype("int64")


def row_counts(study, by: str | Sequence[str] | None = None,
               include_roles: Iterable[str] | str | None = None,
               context: str = "rows") -> pd.DataFrame:
    """The n behind each row of a matrix: documents, passages and informants per group.

    Passages and informants count only the speaker roles counted by the
    matrices (by default participants: interviewer and facilitator turns are
    left out).

    Parameters
    ----------
    study : Study
    by : str or list of str, optional
        Default the study's case column.
    include_roles : list of str or "all", optional
        Speaker roles to count (default participants only).
    context : {"rows", "exclude", "include"}, default "rows"
        Context documents as their own rows, left out, or grouped like cases.

    Returns
    -------
    DataFrame
        Indexed like the matrix rows: ``n_documents, n_passages, n_informants``.

    Examples
    --------
    >>> import plcase
    >>> counts = row_counts(plcase.read_sample())
    >>> counts.columns.tolist()
    ['n_documents', 'n_passages', 'n_informants']
    """
    by_cols = _check_by(study, study.case_column if by is None else by)
    roles = keep_roles(include_roles)
    documents, rows, context_docs = _grouping(study, by_cols, context)
    kept = _kept_passages(study, documents, by_cols, roles)
    frame = _row_counts(documents, rows, kept, by_cols)
    frame.attrs = {"roles": list(roles), "note": _join_notes(roles_note(roles),
                                                             _context_note(context_docs, context))}
    return frame


def _join_notes(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def _attach_counts(matrix: pd.DataFrame, counts: pd.DataFrame) -> None:
    """Record the n per row in ``matrix.attrs`` (plain dicts, so attrs compare and copy)."""
    for col in ("n_documents", "n_passages", "n_informants"):
        matrix.attrs[col] = {k: int(v) for k, v in counts[col].items()}


# --------------------------------------------------------------------------- the long form

def _overlaps(study, coder: str) -> tuple[np.ndarray, np.ndarray]:
    """Every (coding of ``coder``, passage it overlaps), as row positions in
    ``study.codings`` and ``study.passages``: codings in their order, each with its
    document's passages in theirs (what an inner merge on ``doc_id`` gives, on
    positions instead of hashed strings).

    Overlap is half-open; a zero-length coding belongs to the passage its
    position falls in. A coding that overlaps no passage is an error: it could
    not be counted.
    """
    codings, passages = study.codings, study.passages
    mine = np.flatnonzero((codings["coder"] == coder).to_numpy())
    documents = pd.Index(study.documents["doc_id"])
    c_doc = _positions(documents, codings["doc_id"])[mine]
    p_doc = documents.get_indexer(passages["doc_id"].to_numpy(dtype=object))
    by_document = np.argsort(p_doc, kind="stable")
    per_doc = np.bincount(p_doc[p_doc >= 0], minlength=len(documents) + 1)
    per_doc[-1] = 0  # codings of an unknown document (index -1) overlap nothing
    first = np.cumsum(per_doc) - per_doc + np.count_nonzero(p_doc < 0)
    n_pairs = per_doc[c_doc]
    which = np.repeat(np.arange(len(mine)), n_pairs)
    within = np.arange(len(which)) - np.repeat(np.cumsum(n_pairs) - n_pairs, n_pairs)
    passage = by_document[first[c_doc][which] + within]
    c_start = codings["start"].to_numpy(dtype=np.int64)[mine][which]
    c_end = codings["end"].to_numpy(dtype=np.int64)[mine][which]
    p_start = passages["start"].to_numpy(dtype=np.int64)[passage]
    p_end = passages["end"].to_numpy(dtype=np.int64)[passage]
    empty = c_start == c_end
    overlap = ((p_start < c_end) | (empty & (p_start <= c_start))) & (c_start < p_end)
    found = np.zeros(len(mine), dtype=bool)
    found[which[overlap]] = True
    if not found.all():
        row = codings.iloc[mine[np.flatnonzero(~found)[0]]]
        raise PlcaseError(f"{int((~found).sum())} coding(s) of {coder!r} overlap no passage, "
                          f"first {row['code']!r} at [{row['start']}, {row['end']}) in "
                          f"{row['doc_id']!r}; every coding must fall inside a passage to be "
                          f"counted")
    return mine[which[overlap]], passage[overlap]


def _positions(index: pd.Index, values: pd.Series) -> np.ndarray:
    """``index.get_indexer(values)``; for categories, each category is looked up once."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        found = np.append(index.get_indexer(values.cat.categories.to_numpy(dtype=object)), -1)
        return found[values.cat.codes.to_numpy()]  # code -1 (missing) takes the appended -1
    return index.get_indexer(values.to_numpy(dtype=object))


def _pieces(study, coder: str, sort: bool = True) -> pd.DataFrame:
    """One row per coding × passage it overlaps, with the overlap clipped to the passage.

    ``coding_id`` is the row position of the coding in ``study.codings``; with
    ``sort=False`` the rows come in no promised order (for counts, which do not
    need one: sorting 150,000 string keys costs more than the counting).
    """
    coding, passage = _overlaps(study, coder)
    codings, passages = study.codings, study.passages
    pairs = pd.DataFrame({
        "coding_id": coding,
        "doc_id": codings["doc_id"].to_numpy()[coding],
        "passage_id": passages["passage_id"].to_numpy()[passage],
        "speaker": passages["speaker"].to_numpy()[passage],
        "speaker_role": passages["speaker_role"].to_numpy()[passage],
        "code": codings["code"].to_numpy()[coding],
        "start": np.maximum(codings["start"].to_numpy(dtype=np.int64)[coding],
                            passages["start"].to_numpy(dtype=np.int64)[passage]),
        "end": np.minimum(codings["end"].to_numpy(dtype=np.int64)[coding],
                          passages["end"].to_numpy(dtype=np.int64)[passage])})
    if sort:
        pairs = pairs.sort_values(["doc_id", "passage_id", "code", "start", "coding_id"],
                                  kind="mergesort")
    return pairs.reset_index(drop=True)


def _informant(frame: pd.DataFrame) -> pd.Series:
    """Who voiced a passage: the pseudonym, or the speaker label within a focus group
    (``<doc_id>/<speaker>``), or, without a pseudonym, ``<doc_id>/<speaker>`` too.

    The labels are joined only for the rows that need them: a district survey's
    300,000 answers all carry a pseudonym.
    """
    participant = frame["participant"]
    speaker = frame["speaker"]
    in_group = (frame["source"].eq("focus_group") & speaker.notna()).to_numpy()
    anonymous = participant.isna().to_numpy()
    out = participant.to_numpy(dtype=object, copy=True)
    for rows, fill in ((anonymous & ~in_group, ""), (in_group, None)):
        if rows.any():
            who = speaker[rows]
            who = who.fillna(fill) if fill is not None else who
            out[rows] = (frame["doc_id"][rows].astype(str) + "/" + who.astype(str)).to_numpy()
    return pd.Series(out, index=frame.index, dtype=object)


def coded_passages(study, coder: str | None = None, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Roll one coder's codings up to passages: one row per (passage, code).

    A coding counts in every passage it overlaps, so a coding spanning two
    passages appears under both; several codings of one code inside a passage
    count once (``n_codings`` says how many were rolled together).

    Parameters
    ----------
    study : Study
    coder : str, optional
        Defaults to the study's primary coder (``study.primary_coder``).
    codes : list of str, optional
        Keep only these codes (default: every code the coder applied).

    Returns
    -------
    DataFrame
        ``passage_id, doc_id, code, n_codings, start, end, speaker,
        speaker_role, school, source, role, participant, date, informant``,
        then the documents' other columns (``case``…); ``start``/``end`` span
        the code's codings within the passage.

    Examples
    --------
    >>> import plcase
    >>> study = plcase.read_sample()
    >>> long = coded_passages(study)
    >>> long.duplicated(["passage_id", "code"]).any()
    np.False_
    """
    coder = _check_coder(study, coder)
    pieces = _pieces(study, coder)
    if codes is not None:
        pieces = pieces[pieces["code"].isin(_check_codes(study, codes))]
    rolled = (pieces.groupby(["passage_id", "code"], sort=False, observed=True)
              .agg(doc_id=("doc_id", "first"), speaker=("speaker", "first"),
                   speaker_role=("speaker_role", "first"), n_codings=("coding_id", "nunique"), start=("start", "min"), end=("end", "max"))
              .reset_index())
    # Every other document column (a declared ``case``, imported attributes) comes along at
    # the end, so any of them can group a matrix.
    fixed = ["passage_id", "doc_id", "code", "n_codings", "start", "end", "speaker",
             "speaker_role", *_DOC_COLUMNS, "informant"]
    extra = [c for c in study.documents.columns if c not in (*fixed, "path")]
    docs = study.documents[["doc_id", *_DOC_COLUMNS, *extra]]
    rolled = rolled.merge(docs, on="doc_id", how="left")
    rolled["informant"] = _informant(rolled) if len(rolled) else pd.Series(dtype=object)
    rolled = rolled[[*fixed, *extra]]
    return rolled.sort_values(["doc_id", "start", "passage_id", "code"], kind="mergesort") \
        .reset_index(drop=True)


# --------------------------------------------------------------------------- theme matrix

def theme_matrix(study, by: str | Sequence[str] | None = None, measure: str = "passages",
                 coder: str | None = None, codes: Iterable[str] | None = None,
                 include_roles: Iterable[str] | str | None = None,
                 context: str = "rows", level: int | None = None) -> pd.DataFrame:
    """Groups × codes matrix of how much each theme was voiced.

    Codings are first rolled to passages (:func:`coded_passages`): a coding
    counts in every passage it overlaps, so one spanning two passages counts
    in both, and each (passage, code) counts once however many codings it holds.
    Only passages spoken in ``include_roles`` count, in numerators and
    denominators alike: by default interviewer and facilitator turns are left
    out, so a share is a share of what participants said.

    Parameters
    ----------
    study : Study
    by : str or list of str, optional
        Default the study's case column (``study.case_column``, ``school`` unless study.yml says otherwise).
        A document column (``school``, ``role``, ``source``, ...) or a list of
        columns (``["school", "role"]`` gives MultiIndex rows).  Default the
        study's case column.
    measure : {"passages", "share", "informants", "sources", "per_1000_words"}
        ``passages``: passages coded with the code.
        ``share``: those passages as a share of all the row's counted passages.
        ``informants``: distinct people who voiced the code (the pseudonym;
        in a focus group each speaker label counts as a person).
        ``sources``: distinct source types (interview, focus group, site
        visit, document) where the code appears: triangulation.
        ``per_1000_words``: coded passages per 1,000 words of the row's
        counted passages.
    coder : str, optional
        Defaults to the study's primary coder.
    codes : list of str, optional
        Columns; default the study's themes.
    include_roles : list of str or "all", optional
        Speaker roles counted; default participants only (``"all"`` keeps
        interviewer and facilitator turns).
    context : {"rows", "exclude", "include"}, default "rows"
        Documents marked ``context`` (informing the study, not cases) appear
        as their own rows labelled ``context: <doc_id>`` after the cases; or
        are left out; or are grouped like cases.
    level : int, optional
        Roll codes up the code tree first (:func:`plcase.rollup`): 1 = top
        level; the codes default to the codes of that level.

    Returns
    -------
    DataFrame
        Rows = groups, columns = codes (named ``code``); empty cells are 0.
        ``attrs`` records ``measure``, ``coder``, ``roles`` (the speaker
        roles counted), ``note`` (that choice and the context documents in
        words) and the n per row: ``n_documents``, ``n_passages`` and
        ``n_informants`` (dicts keyed by row); :func:`row_counts` gives the
        same as a frame.

    Examples
    --------
    >>> import plcase
    >>> study = plcase.read_sample()
    >>> m = theme_matrix(study, by="school", measure="share")
    >>> m.index.name, m.attrs["measure"], m.attrs["roles"]
    ('school', 'share', ['participant'])
    """
    if measure not in MEASURES:
        raise PlcaseError(f"unknown measure {measure!r}; choose one of "
                          f"{', '.join(repr(m) for m in MEASURES)}")
    if level is not None:
        study, codes = rolled_study(study, level, codes)
    by_cols = _check_by(study, study.case_column if by is None else by)
    if not by_cols:
        raise PlcaseError("theme_matrix needs at least one grouping column")
    codes = _check_codes(study, codes)
    coder = _check_coder(study, coder)
    roles = keep_roles(include_roles)
    documents, rows, context_docs = _grouping(study, by_cols, context)
    # Counted on positions, not strings: a district survey has 300,000 passages,
    # and hashing their ids and labels in merges cost more than the counting.
    doc_pos = _passage_documents(study, documents)
    passage_row = _passage_rows(study, documents, rows, by_cols, roles, doc_pos)
    piece_passage, piece_code = _piece_positions(study, coder, codes)
    kept = passage_row[piece_passage] >= 0
    piece_passage, piece_code = piece_passage[kept], piece_code[kept]
    # One count per (passage, code): several codings of a code in a passage count once.
    if measure == "informants":
        label = _informant_codes(study, study.documents,
                                 _passage_documents(study, study.documents))[piece_passage]
    elif measure == "sources":
        label = _source_codes(documents, doc_pos)[piece_passage]
    else:
        label = piece_passage
    present = label >= 0  # a missing label is not counted (as nunique leaves it out)
    n_labels = int(label.max()) + 1 if len(label) else 1
    cell = passage_row[piece_passage][present] * len(codes) + piece_code[present]
    distinct = np.unique(cell * n_labels + label[present]) // n_labels
    counts = np.bincount(distinct, minlength=len(rows) * len(codes)).reshape(len(rows),
                                                                              len(codes))
    matrix = pd.DataFrame(counts, index=rows, columns=pd.Index(codes))
    counted = passage_row >= 0
    n_passages = pd.Series(np.bincount(passage_row[counted], minlength=len(rows)), index=rows)

    if measure == "share":
        matrix = matrix.astype(float).div(n_passages.where(n_passages > 0), axis=0).fillna(0.0)
    elif measure == "per_1000_words":
        texts = study.passages["text"].to_numpy(dtype=object)[counted]
        n_words = np.array([word_count(t) if isinstance(t, str) else 0 for t in texts],
                           dtype=np.int64)
        words = pd.Series(np.bincount(passage_row[counted], weights=n_words,
                                      minlength=len(rows)), index=rows)
        matrix = matrix.astype(float).mul(1000).div(words.where(words > 0), axis=0).fillna(0.0)
    else:
        matrix = matrix.astype("int64")
    matrix.columns.name = "code"
    matrix.attrs = {"measure": measure, "coder": coder, "roles": list(roles),
                    "labels": code_labels(study),
                    "note": _join_notes(roles_note(roles), _context_note(context_docs, context)),
                    "context": [context_label(d) for d in context_docs] if context == "rows"
                    else []}
    _attach_counts(matrix, _fast_row_counts(study, documents, rows, by_cols, passage_row,
                                            n_passages, doc_pos))
    return matrix


def _document_rows(documents: pd.DataFrame, rows: pd.Index, by_cols: list[str]) -> np.ndarray:
    """Position in ``rows`` of each document's row key, in ``documents`` order (-1: none)."""
    keys = rows.to_frame(index=False)
    keys.columns = by_cols
    keys["_row"] = np.arange(len(keys))
    found = documents[by_cols].merge(keys, on=by_cols, how="left")
    return found["_row"].fillna(-1).to_numpy(dtype=np.int64)


def _passage_documents(study, documents: pd.DataFrame) -> np.ndarray:
    """Position in ``documents`` of each passage's document (-1: not there)."""
    return pd.Index(documents["doc_id"]).get_indexer(
        study.passages["doc_id"].to_numpy(dtype=object))


def _passage_rows(study, documents: pd.DataFrame, rows: pd.Index, by_cols: list[str],
                  roles, doc_pos: np.ndarray) -> np.ndarray:
    """Row position of each passage of ``study.passages``; -1 where it is not counted
    (its document is not among ``documents`` or its speaker role is not counted)."""
    passages = study.passages
    doc_row = np.append(_document_rows(documents, rows, by_cols), -1)
    row = doc_row[doc_pos]  # doc_pos -1 takes the appended -1
    row[~passages["speaker_role"].isin(roles).to_numpy()] = -1
    return row


def _piece_positions(study, coder: str, codes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Passage and code positions of every (coding, passage it overlaps) of ``coder``
    whose code is in ``codes`` (as :func:`_pieces`, on positions)."""
    coding, passage = _overlaps(study, coder)
    code = _positions(pd.Index(codes), study.codings["code"])[coding]
    keep = code >= 0
    return passage[keep].astype(np.int64), code[keep].astype(np.int64)


def _informant_codes(study, documents: pd.DataFrame, doc_pos: np.ndarray) -> np.ndarray:
    """An integer per distinct informant of each passage (-1 where unknown)."""
    passages = study.passages
    frame = pd.DataFrame({
        "doc_id": passages["doc_id"].to_numpy(dtype=object),
        "speaker": passages["speaker"].to_numpy(dtype=object),
        "source": _taken(documents["source"], doc_pos),
        "participant": _taken(documents["participant"], doc_pos)})
    return pd.factorize(_informant(frame).to_numpy())[0].astype(np.int64) if len(frame) else \
        np.zeros(0, dtype=np.int64)


def _source_codes(documents: pd.DataFrame, doc_pos: np.ndarray) -> np.ndarray:
    """An integer per source type of each passage's document (-1 where missing)."""
    return pd.factorize(_taken(documents["source"], doc_pos))[0].astype(np.int64)


def _taken(values: pd.Series, positions: np.ndarray) -> np.ndarray:
    """``values`` at ``positions`` as objects, None where the position is -1."""
    out = np.append(values.to_numpy(dtype=object), None)
    return out[positions]


def _fast_row_counts(study, documents: pd.DataFrame, rows: pd.Index, by_cols: list[str],
                     passage_row: np.ndarray, n_passages: pd.Series,
                     doc_pos: np.ndarray) -> pd.DataFrame:
    """:func:`row_counts` from row positions (doc_ids and passage_ids are unique)."""
    doc_row = _document_rows(documents, rows, by_cols)
    n_documents = np.bincount(doc_row[doc_row >= 0], minlength=len(rows))
    counted = passage_row >= 0
    who = _informant_codes(study, documents, doc_pos)[counted]
    known = who >= 0
    n_who = int(who.max()) + 1 if len(who) else 1
    distinct = np.unique(passage_row[counted][known] * n_who + who[known]) // n_who
    n_informants = np.bincount(distinct, minlength=len(rows))
    return pd.DataFrame({"n_documents": n_documents, "n_passages": n_passages.to_numpy(),
                         "n_informants": n_informants}, index=rows).astype("int64")


def _align(series: pd.Series, rows: pd.Index) -> pd.Series:
    series = series.copy()
    if isinstance(rows, pd.MultiIndex):
        series.index = pd.MultiIndex.from_tuples(list(series.index), names=rows.names)
    return series.reindex(rows).fillna(0)


def to_long(matrix: pd.DataFrame, value: str | None = None) -> pd.DataFrame:
    """Turn a wide matrix back into a tidy frame: one row per group × code.

    Parameters
    ----------
    matrix : DataFrame
        From :func:`theme_matrix` or :func:`cooccurrence`.
    value : str, optional
        Name of the value column; default the matrix's ``attrs["measure"]``
        (``"value"`` if it has none).

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame([[1, 0]], index=pd.Index(["Newell"], name="school"),
    ...                  columns=pd.Index(["glow", "grow"], name="code"))
    >>> to_long(m, "passages").values.tolist()
    [['Newell', 'glow', 1], ['Newell', 'grow', 0]]
    """
    value = value or matrix.attrs.get("measure", "value")
    column_name = matrix.columns.name or "code"
    frame = matrix.copy()
    frame.columns.name = column_name
    long = frame.stack(future_stack=True).rename(value).reset_index()
    long.attrs = {}
    return long


# --------------------------------------------------------------------------- quotes

def _excerpt_text(study, doc_id: str, start: int, end: int) -> str:
    return re.sub(r"\s+", " ", study.texts[doc_id][start:end]).strip()


def trim_quote(text: str, max_chars: int = QUOTE_CHARS) -> str:
    """Shorten ``text`` to at most ``max_chars`` characters at a word boundary, with an ellipsis.

    Examples
    --------
    >>> trim_quote("Every other Tuesday we have Swap Shop.", 20)
    'Every other Tuesday…'
    """
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    space = cut.rfind(" ")
    if space > max_chars // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-—") + "…"


def _attribution(row) -> str:
    speaker = row["speaker"]
    if row["source"] == "focus_group" and isinstance(speaker, str) and speaker:
        label = speaker.title() if speaker.isupper() else speaker
        return f"— {label}, student"
    who = row["participant"] if isinstance(row["participant"], str) else "unnamed"
    role = row["role"] if isinstance(row["role"], str) else "participant"
    if row["source"] == "site_visit":
        return f"— site-visit notes, {who} ({role})"
    if row["source"] == "document":
        return f"— document, {who}"
    return f"— {who}, {role}"


def _centrality(study, texts: list[str]) -> np.ndarray:
    """Cosine similarity of each text's TF-IDF vector to the centroid of the texts.

    The vocabulary and IDF come from every passage of the study, so a cell's
    scores do not depend on which other cells exist.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    if len(texts) == 1:
        return np.ones(1)
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    vectorizer.fit(study.passages["text"].fillna("").tolist() + list(texts))
    matrix = vectorizer.transform(texts)
    centroid = np.asarray(matrix.mean(axis=0)).ravel()
    norm = np.linalg.norm(centroid)
    if norm == 0:
        return np.zeros(len(texts))
    # Rows of a TfidfVectorizer output are already unit length (or all zero).
    scores = matrix @ (centroid / norm)
    return np.round(np.asarray(scores).ravel(), 12)


def _rank_quotes(study, cell: pd.DataFrame, n_quotes: int, max_chars: int,
                 spread: str | None = None) -> pd.DataFrame:
    """Pick the ``n_quotes`` most central passages of a cell, preferring distinct voices.

    Candidates are ranked by centrality (ties by passage_id); the greedy pass
    takes a passage only if its informant (and ``spread`` value, e.g. school)
    is new, and a second pass fills any remaining places in rank order.
    """
    cell = cell.copy()
    cell["excerpt"] = [_excerpt_text(study, d, s, e)
                       for d, s, e in zip(cell["doc_id"], cell["start"], cell["end"])]
    cell["centrality"] = _centrality(study, cell["excerpt"].tolist())
    cell = cell.sort_values(["centrality", "passage_id"], ascending=[False, True], kind="mergesort")
    records = cell.to_dict("records")
    chosen, voices, spreads = [], set(), set()
    for pos, row in enumerate(records):
        if len(chosen) == n_quotes:
            break
        if row["informant"] in voices or (spread and row[spread] in spreads):
            continue
        chosen.append(pos)
        voices.add(row["informant"])
        if spread:
            spreads.add(row[spread])
    for pos in range(len(records)):
        if len(chosen) >= n_quotes:
            break
        if pos not in chosen:
            chosen.append(pos)
    picked = cell.iloc[chosen].copy()
    picked["rank"] = range(1, len(picked) + 1)
    picked["quote"] = [trim_quote(t, max_chars) for t in picked["excerpt"]]
    picked["attribution"] = [_attribution(r) for _, r in picked.iterrows()]
    return picked


def framework_matrix(study, by: str | Sequence[str] | None = None, n_quotes: int = 2,
                     coder: str | None = None, codes: Iterable[str] | None = None,
                     max_chars: int = QUOTE_CHARS, context: str = "rows") -> pd.DataFrame:
    """Framework matrix: the most representative quotes per group and theme, tidy.

    For each group × code cell the candidate quotes are that cell's coded
    passages; the quoted text is the coded stretch of the passage (from the
    first to the last character coded with the code).  Quotes are ranked by
    centrality, the cosine similarity of their TF-IDF vector to the centroid
    of the cell (vocabulary from every passage of the study), ties broken by
    ``passage_id``; where possible the quotes of a cell come from different
    informants.  Quotes are trimmed to ``max_chars`` at a word boundary with
    an ellipsis and attributed by pseudonym and role (``— Ms. X, teacher``),
    by speaker label in a focus group (``— Jaylen, student``).

    Parameters
    ----------
    study : Study
    by : str or list of str, optional
        Default the study's case column (``study.case_column``, ``school`` unless study.yml says otherwise).
    n_quotes : int, default 2
    coder : str, optional
    codes : list of str, optional
        Default the four themes.
    max_chars : int, default 280
    context : {"rows", "exclude", "include"}, default "rows"
        Context documents' quotes under their own ``context: <doc_id>`` rows
        (as in :func:`theme_matrix`), left out, or grouped like cases.

    Returns
    -------
    DataFrame
        One row per group × code × quote rank: the ``by`` columns, ``code,
        rank, quote, attribution, passage_id, doc_id, centrality,
        n_passages`` (passages in the cell).  Empty cells have no rows; see
        :func:`framework_wide` for the printable view.

    Examples
    --------
    >>> import plcase
    >>> study = plcase.read_sample()
    >>> fw = framework_matrix(study, n_quotes=1)
    >>> fw[["school", "code", "rank"]].duplicated().any()
    np.False_
    """
    if n_quotes < 1:
        raise PlcaseError(f"n_quotes must be at least 1, got {n_quotes}")
    by_cols = _check_by(study, study.case_column if by is None else by)
    codes = _check_codes(study, codes)
    long = coded_passages(study, coder=coder, codes=codes)
    columns = [*by_cols, "code", "rank", "quote", "attribution", "passage_id", "doc_id",
               "centrality", "n_passages"]
    cells = []
    rows = [()]
    if by_cols:
        documents, index, _ = _grouping(study, by_cols, context)
        long = long.drop(columns=[c for c in by_cols if c in long.columns]).merge(
            documents[["doc_id", *by_cols]], on="doc_id", how="inner")
        rows = list(index)
    for group in rows:
        key = group if isinstance(group, tuple) else (group,)
        mask = np.ones(len(long), dtype=bool)
        for col, value in zip(by_cols, key):
            mask &= (long[col].isna() if pd.isna(value) else long[col].eq(value)).to_numpy()
        for code in codes:
            cell = long[mask & long["code"].eq(code).to_numpy()]
            if cell.empty:
                continue
            picked = _rank_quotes(study, cell, n_quotes, max_chars)
            picked["n_passages"] = len(cell)
            cells.append(picked[columns])
    if not cells:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.concat(cells, ignore_index=True)


def framework_wide(framework: pd.DataFrame, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Printable groups × codes view of a framework matrix: quotes with attributions.

    Each cell holds the cell's quotes as ``“quote” — attribution`` lines,
    in rank order; cells without quotes hold an empty string.

    Examples
    --------
    >>> import plcase
    >>> from plcase.matrix import framework_matrix
    >>> wide = framework_wide(framework_matrix(plcase.read_sample(), n_quotes=1))
    >>> wide.index.name
    'school'
    """
    by_cols = [c for c in framework.columns
               if c not in ("code", "rank", "quote", "attribution", "passage_id", "doc_id",
                            "centrality", "n_passages")]
    codes = list(codes) if codes is not None else list(dict.fromkeys(framework["code"]))
    lines = framework.sort_values([*by_cols, "code", "rank"], kind="mergesort").assign(
        line=lambda f: "“" + f["quote"] + "” " + f["attribution"])
    if not by_cols:
        lines = lines.assign(group="all")
        by_cols = ["group"]
    joined = lines.groupby([*by_cols, "code"], sort=False, observed=True)["line"].agg("\n".join)
    wide = joined.unstack("code")
    order = sorted(wide.index, key=lambda v: tuple(_order_key(c)(x) for c, x in
                                                   zip(by_cols, v if isinstance(v, tuple) else (v,))))
    wide = wide.reindex(index=order, columns=codes).fillna("")
    wide.columns.name = "code"
    return wide


# --------------------------------------------------------------------------- co-occurrence

def cooccurrence(study, measure: str = "count", coder: str | None = None,
                 codes: Iterable[str] | None = None,
                 include_roles: Iterable[str] | str | None = None,
                 level: int | None = None) -> pd.DataFrame:
    """Codes × codes matrix of codes applied to the same passage.

    Parameters
    ----------
    study : Study
    measure : {"count", "jaccard", "conditional"}
        ``count``: passages carrying both codes (the diagonal is the number
        of passages with the code).  ``jaccard``: that count divided by the
        passages carrying either code (diagonal 1; 0 where neither code occurs).
        ``conditional``: the share of the row code's passages that also carry
        the column code, P(column | row) (not symmetric; diagonal 1).
    include_roles : list of str or "all", optional
        Speaker roles counted; default participants only.
    coder : str, optional
    codes : list of str, optional
        Default every code of the codebook the coder applied, in codebook order
        (every code when the study has no codings yet).
    level : int, optional
        Roll codes up the code tree first (:func:`plcase.rollup`).

    Returns
    -------
    DataFrame
        Index named ``code``, columns ``code_2``; symmetric except for
        ``conditional``.  ``attrs`` has ``measure``, ``coder``, ``labels``
        (codebook labels) and ``note``.

    Examples
    --------
    >>> import plcase
    >>> m = cooccurrence(plcase.read_sample(), codes=["student_driven", "grow"])
    >>> bool((m.values == m.values.T).all())
    True
    """
    if measure not in ("count", "jaccard", "conditional"):
        raise PlcaseError(f"unknown measure {measure!r}; choose 'count', 'jaccard' or "
                          "'conditional'")
    if level is not None:
        study, codes = rolled_study(study, level, codes)
    if codes is None:  # the codes the coder applied: a code never used co-occurs with nothing
        applied = set(study.codings.loc[study.codings["coder"] == _check_coder(study, coder), "code"])
        codes = [c for c in study.codes if c in applied] if applied else None
    codes = _check_codes(study, codes, default=None)
    roles = keep_roles(include_roles)
    long = coded_passages(study, coder=coder, codes=codes)
    long = long[long["speaker_role"].isin(roles)]
    binary = pd.crosstab(long["passage_id"], long["code"]).clip(upper=1)
    binary = binary.reindex(columns=codes, fill_value=0)
    counts = binary.T.to_numpy() @ binary.to_numpy()
    if measure == "count":
        values = counts.astype("int64")
    elif measure == "conditional":
        totals = np.diag(counts).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.where(totals[:, None] > 0, counts / np.where(totals > 0, totals, 1)[:, None],
                              0.0)
    else:
        totals = np.diag(counts)
        union = totals[:, None] + totals[None, :] - counts
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.where(union > 0, counts / np.where(union > 0, union, 1), 0.0)
    matrix = pd.DataFrame(values, index=pd.Index(codes, name="code"),
                          columns=pd.Index(codes, name="code_2"))
    matrix.attrs = {"measure": measure, "coder": _check_coder(study, coder),
                    "labels": code_labels(study), "roles": list(roles), "note": roles_note(roles)}
    return matrix


# --------------------------------------------------------------------------- glow / grow

def _valenced(study, coder: str, codes: list[str]) -> pd.DataFrame:
    """Distinct (passage, code, valence) where a valence coding overlaps the code's coding.

    Valence is matched on the text, not merely the passage: a passage with a
    glowing stretch about one theme and a grow about another does not give
    each theme both.
    """
    pieces = _pieces(study, coder)
    themes = pieces[pieces["code"].isin(codes)]
    valence = pieces[pieces["code"].isin(study.valence_codes)][["passage_id", "code", "start", "end"]]
    pairs = themes.merge(valence, on="passage_id", suffixes=("", "_v"))
    overlap = (pairs["start"] < pairs["end_v"]) & (pairs["start_v"] < pairs["end"])
    # A zero-length stretch overlaps what contains it.
    overlap |= (pairs["start"] == pairs["end"]) & (pairs["start_v"] <= pairs["start"]) \
        & (pairs["start"] <= pairs["end_v"])
    pairs = pairs[overlap]
    return pairs[["passage_id", "doc_id", "speaker_role", "code", "code_v"]].rename(
        columns={"code_v": "valence"}).drop_duplicates().reset_index(drop=True)


def glow_grow(study, by: str | Sequence[str] | None = None, coder: str | None = None,
              codes: Iterable[str] | None = None,
              include_roles: Iterable[str] | str | None = None,
              context: str = "rows") -> pd.DataFrame:
    """Glows and grows per group and theme, with a balance and the group's n, tidy.

    A passage counts as a glow of a theme when a ``glow`` coding overlaps
    that theme's coding within the passage (likewise ``grow``); a passage
    with both counts in both.  Groups differ in how much was said, so
    ``group_passages`` (the group's counted passages) lets glows and grows be
    compared per 100 passages (``plot_glow_grow(..., per=100)``).

    Parameters
    ----------
    study : Study
    by : str or list of str, optional
        Default the study's case column (``study.case_column``, ``school`` unless study.yml says otherwise).
    coder : str, optional
        Default the study's primary coder.
    codes : list of str, optional
        Default the study's themes.
    include_roles : list of str or "all", optional
        Speaker roles counted; default participants only.
    context : {"rows", "exclude", "include"}, default "rows"
        As in :func:`theme_matrix`.

    Returns
    -------
    DataFrame
        The study's two valence codes (``study.valence_codes``: the positive
        one first) fill the columns ``glow`` and ``grow``.
        One row per group × code: the ``by`` columns, ``code, n_passages``
        (passages with the code), ``glow, grow`` (passages), ``balance``
        = (glow − grow) / (glow + grow), from −1 (all grow) to 1 (all glow),
        NaN where there is neither, ``group_passages`` and ``group_informants``
        (the n of the group).  ``attrs['note']`` says what was counted.

    Examples
    --------
    >>> import plcase
    >>> gg = glow_grow(plcase.read_sample())
    >>> gg.columns.tolist()
    ['school', 'code', 'n_passages', 'glow', 'grow', 'balance', 'group_passages', 'group_informants']
    """
    by_cols = _check_by(study, study.case_column if by is None else by)
    codes = _check_codes(study, codes)
    coder = _check_coder(study, coder)
    roles = keep_roles(include_roles)
    valence = _check_valence(study)
    if by_cols:
        documents, rows, context_docs = _grouping(study, by_cols, context)
    else:
        documents = study.documents.assign(_all="all")
        rows, context_docs = pd.Index(["all"], name="_all"), []
        if context != "include":
            context_docs = documents.loc[_is_context(documents), "doc_id"].tolist()
            documents = documents[~_is_context(documents)]
    keys = by_cols or ["_all"]
    docs = documents[["doc_id", *keys]]
    valenced = _valenced(study, coder, codes)
    valenced = valenced[valenced["speaker_role"].isin(roles)].merge(docs, on="doc_id")
    # The study's positive and negative valence codes fill the glow and grow columns.
    valenced["valence"] = valenced["valence"].map(dict(zip(valence, ("glow", "grow"))))
    counts = (valenced.groupby([*keys, "code", "valence"], dropna=False, observed=True)["passage_id"]
              .nunique().unstack("valence").reindex(columns=["glow", "grow"]).fillna(0))
    coded = coded_passages(study, coder=coder, codes=codes)
    coded = coded[coded["speaker_role"].isin(roles)]
    coded = coded.drop(columns=[c for c in keys if c in coded.columns]).merge(docs, on="doc_id")
    n_passages = coded.groupby([*keys, "code"], dropna=False, observed=True)["passage_id"].nunique()
    full = pd.MultiIndex.from_tuples(
        [(*(g if isinstance(g, tuple) else (g,)), c) for g in rows for c in codes],
        names=[*rows.names, "code"])
    frame = pd.DataFrame({
        "n_passages": _reindex(n_passages, full),
        "glow": _reindex(counts["glow"], full) if len(counts) else 0,
        "grow": _reindex(counts["grow"], full) if len(counts) else 0,
    }, index=full).astype("int64")
    total = frame["glow"] + frame["grow"]
    frame["balance"] = ((frame["glow"] - frame["grow"]) / total.where(total > 0)).astype(float)
    kept = _kept_passages(study, documents, keys, roles)
    group_n = kept.groupby(keys, dropna=False, observed=True).agg(group_passages=("passage_id", "nunique"),
                                                  group_informants=("informant", "nunique"))
    frame = frame.reset_index()
    group_n = group_n.reset_index()
    frame = frame.merge(group_n, on=keys, how="left")
    frame[["group_passages", "group_informants"]] = \
        frame[["group_passages", "group_informants"]].fillna(0).astype("int64")
    frame.attrs = {"roles": list(roles), "labels": code_labels(study),
                   "note": _join_notes(roles_note(roles), _context_note(context_docs, context))}
    return frame.drop(columns=["_all"]) if not by_cols else frame


def _reindex(series: pd.Series, full: pd.MultiIndex) -> pd.Series:
    series = series.copy()
    if len(series):
        series.index = pd.MultiIndex.from_tuples(list(series.index), names=full.names)
    return series.reindex(full).fillna(0)


# --------------------------------------------------------------------------- saturation
#
# Guest, Namey & Chen (2020), "A simple method to assess and report thematic
# saturation in qualitative research", PLOS ONE 15(5): e0232076.  Their terms:
# base size (the first N interviews; its number of unique codes is the
# denominator), run length (the next M interviews), new-information threshold
# (new codes in the run / codes in the base, e.g. <= 5 %).  The run slides one
# interview at a time while the base's denominator stays fixed; a code is new
# in a run when no earlier interview (base or later) had it.

#: Label of the pooled group in :func:`new_codes` and :func:`saturation`.
ALL_CASES = "all cases"


def _saturation_codes(study, codes) -> list[str]:
    if codes is None:
        kinds = study.codebook.set_index("code")["kind"]
        codes = [c for c in study.codes if kinds.get(c) != "valence"]
    return _check_codes(study, codes)


def _document_codes(study, coder, codes, roles) -> dict[str, set]:
    long = coded_passages(study, coder=coder, codes=codes)
    long = long[long["speaker_role"].isin(roles)]
    return long.groupby("doc_id", observed=True)["code"].agg(set).to_dict()


def _ordered_groups(study, by, order, include_context):
    """(group label, documents in collection order) per case and for all cases pooled."""
    by_cols = _check_by(study, study.case_column if by is None else by)
    if order not in study.documents.columns:
        raise PlcaseError(f"unknown order column {order!r}; order by a document column: "
                          f"{', '.join(repr(c) for c in study.documents.columns)}")
    documents = study.documents.copy()
    context_docs = [] if include_context else documents.loc[_is_context(documents), "doc_id"].tolist()
    documents = documents[~documents["doc_id"].isin(context_docs)]
    documents["_order"] = documents[order].astype(str).where(documents[order].notna(), "")
    documents = documents.sort_values(["_order", "doc_id"], kind="mergesort")
    groups = []
    if by_cols:
        for key in _group_index(documents, by_cols):
            values = key if isinstance(key, tuple) else (key,)
            mask = np.ones(len(documents), dtype=bool)
            for col, value in zip(by_cols, values):
                mask &= (documents[col].isna() if pd.isna(value) else documents[col].eq(value)).to_numpy()
            groups.append((label_of(key), documents[mask]))
    groups.append((ALL_CASES, documents))
    return groups, context_docs


def _saturation_attrs(order, roles, n_permutations, context_docs) -> dict:
    """What :func:`new_codes` and :func:`saturation` say they counted (``frame.attrs``)."""
    return {"order": order, "roles": list(roles), "n_permutations": n_permutations,
            "note": _join_notes(roles_note(roles),
                                f"context documents ({', '.join(context_docs)}) left out"
                                if context_docs else "")}


def label_of(key) -> str:
    """A group key as one printable label (``"A · teacher"`` for a tuple)."""
    return " · ".join(str(k) for k in key) if isinstance(key, tuple) else str(key)


def new_codes(study, by: str | Sequence[str] | None = None, order: str = "date",
              coder: str | None = None, codes: Iterable[str] | None = None,
              include_roles: Iterable[str] | str | None = None, include_context: bool = False,
              n_permutations: int = 0, random_state: int | None = None,
              level: int | None = None) -> pd.DataFrame:
    """New codes per successive document, per case and for all cases pooled.

    Documents are taken in ``order`` (collection order: the date, ties by
    ``doc_id``).  A code is new in a document when no earlier document of the
    group had it.  Sub-codes (codes with a ``parent`` in the codebook) are
    counted apart from top-level codes.  With ``n_permutations`` the
    cumulative count is also computed over random document orders, giving a
    band (5th–95th percentile) that shows how much the curve owes to the
    order the interviews happened to be done in.

    Parameters
    ----------
    study : Study
    by : str or list of str, optional
        Default the study's case column; ``[]`` gives the pooled curve only.
    order : str, default "date"
    coder : str, optional
    codes : list of str, optional
        Default every code of the codebook but the valence codes.
    include_roles : list of str or "all", optional
        Speaker roles whose passages count; default participants only.
    include_context : bool, default False
        Context documents are not cases and are left out unless True.
    n_permutations : int, default 0
    random_state : int, optional
        Seed of the permutations; default :data:`plcase.config.RANDOM_STATE`.
    level : int, optional
        Roll codes up the code tree first (:func:`plcase.rollup`): 1 = top
        level; the codes default to the codes of that level.

    Returns
    -------
    DataFrame
        One row per group × document: ``group, step, doc_id``, the ``order``
        column, ``n_new, new_codes, n_new_subcodes, new_subcodes`` (codes and
        sub-codes first seen here, comma-separated), ``n_codes`` (distinct
        codes so far) and, with permutations, ``n_codes_low, n_codes_median,
        n_codes_high``.  ``attrs['note']`` names what was left out.

    Examples
    --------
    >>> import plcase
    >>> curves = new_codes(plcase.read_sample())
    >>> bool(curves.groupby("group")["n_codes"].is_monotonic_increasing.all())
    True
    """
    if level is not None:
        study, codes = rolled_study(study, level, codes)
    codes = _saturation_codes(study, codes)
    roles = keep_roles(include_roles)
    found = _document_codes(study, coder, codes, roles)
    parents = study.codebook.set_index("code")["parent"]
    is_sub = {c: isinstance(parents.get(c), str) and bool(parents.get(c)) for c in codes}
    groups, context_docs = _ordered_groups(study, by, order, include_context)
    rng = np.random.default_rng(config.RANDOM_STATE if random_state is None else random_state)
    rows = []
    for group, docs in groups:
        sets = [found.get(d, set()) for d in docs["doc_id"]]
        band = _permutation_band(sets, n_permutations, rng) if n_permutations else None
        seen: set = set()
        for step, (doc, doc_codes) in enumerate(zip(docs.itertuples(index=False), sets), start=1):
            new = [c for c in codes if c in doc_codes and c not in seen]
            seen |= doc_codes
            row = {"group": group, "step": step, "doc_id": doc.doc_id,
                   **({order: getattr(doc, order)} if order != "doc_id" else {}),
                   "n_new": sum(not is_sub[c] for c in new),
                   "new_codes": ", ".join(c for c in new if not is_sub[c]),
                   "n_new_subcodes": sum(is_sub[c] for c in new),
                   "new_subcodes": ", ".join(c for c in new if is_sub[c]),
                   "n_codes": len(seen)}
            if band is not None:
                row.update(n_codes_low=band[0][step - 1], n_codes_median=band[1][step - 1],
                           n_codes_high=band[2][step - 1])
            rows.append(row)
    frame = pd.DataFrame(rows)
    frame.attrs = _saturation_attrs(order, roles, n_permutations, context_docs)
    return frame


def _permutation_band(sets: list[set], n: int, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    curves = np.empty((n, len(sets)))
    for p in range(n):
        seen: set = set()
        for step, k in enumerate(rng.permutation(len(sets))):
            seen |= sets[k]
            curves[p, step] = len(seen)
    low, median, high = np.percentile(curves, [5, 50, 95], axis=0)
    return low, median, high


def _runs(sets: list[set], base: int, run: int, threshold: float) -> list[dict]:
    """Guest et al.'s runs over one ordered list of documents' code sets."""
    base_codes = set().union(*sets[:base]) if sets[:base] else set()
    rows = []
    for first in range(base, len(sets) - run + 1):
        before = set().union(*sets[:first]) if first else set()
        in_run = set().union(*sets[first:first + run])
        new = sorted(in_run - before)
        ratio = len(new) / len(base_codes) if base_codes else np.nan
        rows.append({"run_first": first + 1, "run_last": first + run,
                     "base_codes": len(base_codes), "n_new": len(new), "new_codes": ", ".join(new),
                     "ratio": ratio, "saturated": bool(ratio <= threshold)})
    return rows


def _check_saturation_args(base: int, run: int, threshold: float) -> None:
    if base < 1 or run < 1:
        raise PlcaseError(f"base size and run length must be at least 1 document, got "
                          f"base={base}, run={run}")
    if not 0 <= threshold < 1:
        raise PlcaseError(f"the new-information threshold is a proportion in [0, 1), got {threshold}")


def saturation_runs(study, by: str | Sequence[str] | None = None, order: str = "date",
                    base: int = 4, run: int = 2, threshold: float = 0.05,
                    coder: str | None = None, codes: Iterable[str] | None = None,
                    include_roles: Iterable[str] | str | None = None,
                    include_context: bool = False, level: int | None = None) -> pd.DataFrame:
    """Every run of Guest, Namey & Chen's (2020) saturation assessment, per case and pooled.

    The base is the first ``base`` documents in collection order; its number
    of distinct codes is the denominator.  Each run is the next ``run``
    documents, sliding one document at a time; its new information is the
    number of codes no earlier document had, divided by the base's codes.
    A run at or below ``threshold`` marks saturation.

    Returns
    -------
    DataFrame
        One row per group × run: ``group, run_first, run_last`` (positions of
        the run's documents, 1-based), ``base_codes, n_new, new_codes,
        ratio, saturated``.  A group with fewer than ``base + run``
        documents has no rows.

    Examples
    --------
    >>> import plcase
    >>> runs = saturation_runs(plcase.read_sample(), base=2, run=1)
    >>> runs.columns.tolist()[:4]
    ['group', 'run_first', 'run_last', 'base_codes']
    """
    if level is not None:
        study, codes = rolled_study(study, level, codes)
    _check_saturation_args(base, run, threshold)
    codes = _saturation_codes(study, codes)
    roles = keep_roles(include_roles)
    found = _document_codes(study, coder, codes, roles)
    groups, _ = _ordered_groups(study, by, order, include_context)
    rows = [{"group": group, **r}
            for group, docs in groups
            for r in _runs([found.get(d, set()) for d in docs["doc_id"]], base, run, threshold)]
    columns = ["group", "run_first", "run_last", "base_codes", "n_new", "new_codes", "ratio",
               "saturated"]
    return pd.DataFrame(rows, columns=columns)


def _saturation_point(sets, base, run, threshold) -> float:
    for r in _runs(sets, base, run, threshold):
        if r["saturated"]:
            return float(r["run_first"] - 1)
    return np.nan


def saturation(study, by: str | Sequence[str] | None = None, order: str = "date",
               base: int = 4, run: int = 2, threshold: float = 0.05,
               coder: str | None = None, codes: Iterable[str] | None = None,
               include_roles: Iterable[str] | str | None = None, include_context: bool = False,
               n_permutations: int = 0, random_state: int | None = None,
               level: int | None = None) -> pd.DataFrame:
    """Thematic saturation after Guest, Namey & Chen (2020), per case and for all cases.

    Saturation is reached after *k* documents when the ``run`` documents
    that follow them add no more than ``threshold`` new codes, as a
    proportion of the distinct codes in the first ``base`` documents (the
    base size).  The paper's defaults are a base of 4 interviews, a run of 2
    and a threshold of 5 %.  Documents are taken in collection order
    (``order``, default the date); with ``n_permutations`` the assessment is
    repeated over random orders (seeded), since the point depends on which
    interviews happened to come first.

    Parameters
    ----------
    study : Study
    by : str or list of str, optional
        Default the study's case column; ``[]`` assesses the pooled study only.
    order : str, default "date"
    base, run : int, default 4 and 2
        Base size and run length, in documents.
    threshold : float, default 0.05
        New-information threshold (0 asks for no new code at all).
    coder, codes, include_roles, include_context
        As in :func:`new_codes`.
    n_permutations : int, default 0
    random_state : int, optional
        Default :data:`plcase.config.RANDOM_STATE`.

    Returns
    -------
    DataFrame
        One row per group (each case, then ``"all cases"``): ``group,
        n_documents, base, run, threshold, base_codes, n_codes`` (distinct
        codes in all the group's documents), ``saturation_at`` (documents
        after which saturation was reached in collection order; NaN if
        never or too few documents), ``confirmed_by`` (``saturation_at +
        run``: the documents the claim rests on) and, with permutations,
        ``share_saturated`` (share of random orders that reach saturation)
        and ``saturation_at_median, saturation_at_low, saturation_at_high``
        (5th–95th percentile over the orders that reach it).

    Examples
    --------
    >>> import plcase
    >>> sat = saturation(plcase.read_sample())
    >>> sat["group"].iloc[-1]
    'all cases'
    """
    if level is not None:
        study, codes = rolled_study(study, level, codes)
    _check_saturation_args(base, run, threshold)
    codes = _saturation_codes(study, codes)
    roles = keep_roles(include_roles)
    found = _document_codes(study, coder, codes, roles)
    groups, context_docs = _ordered_groups(study, by, order, include_context)
    rng = np.random.default_rng(config.RANDOM_STATE if random_state is None else random_state)
    rows = []
    for group, docs in groups:
        sets = [found.get(d, set()) for d in docs["doc_id"]]
        point = _saturation_point(sets, base, run, threshold)
        row = {"group": group, "n_documents": len(sets), "base": base, "run": run,
               "threshold": threshold,
               "base_codes": len(set().union(*sets[:base])) if sets else 0,
               "n_codes": len(set().union(*sets)) if sets else 0,
               "saturation_at": point, "confirmed_by": point + run}
        if n_permutations:
            points = np.array([_saturation_point([sets[k] for k in rng.permutation(len(sets))],
                                                 base, run, threshold)
                               for _ in range(n_permutations)])
            reached = points[np.isfinite(points)]
            row["share_saturated"] = len(reached) / n_permutations
            low, median, high = (np.percentile(reached, [5, 50, 95]) if len(reached)
                                 else (np.nan,) * 3)
            row.update(saturation_at_median=median, saturation_at_low=low,
                       saturation_at_high=high)
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame.attrs = _saturation_attrs(order, roles, n_permutations, context_docs)
    return frame
