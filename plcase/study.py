"""The :class:`Study`: documents, passages, codings and codebook as tidy frames."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from plcase.errors import PlcaseError
from plcase.schema import (CODEBOOK_COLUMNS, CODING_COLUMNS, DOCUMENT_COLUMNS,
                           PASSAGE_COLUMNS, coding_frame, require_columns, sort_codings)

__all__ = ["Study", "locate_passages"]


@dataclass(frozen=True, eq=False)
class Study:
    """A qualitative study held as four tidy frames plus the document texts.

    Build one with :func:`plcase.read_study` or :func:`plcase.read_sample`, or
    directly from frames (handy in tests); the constructor validates the frames
    and fills ``passage_id`` and ``text`` of the codings.

    Parameters
    ----------
    documents : DataFrame
        One row per document (see :mod:`plcase.schema`).
    passages : DataFrame
        One row per passage.
    codings : DataFrame
        One row per coded segment × coder × code.
    codebook : DataFrame
        One row per code.
    texts : mapping of str to str
        Document text (markup removed) by ``doc_id``; offsets index into it.
    name : str
        A short name for the study, used in exports.
    memos : DataFrame, optional
        Memos that belong to no single coding: files in the study folder's
        ``memos/``, QualCoder journals and annotations, REFI-QDA notes:
        ``kind, doc_id, start, end, title, memo, author, date, code`` (see
        :mod:`plcase.memos`; :func:`plcase.memos` lists them by target);
        ``None`` when the source has none.

    Examples
    --------
    >>> import plcase
    >>> study = plcase.read_sample()
    >>> study.documents.columns[:4].tolist()
    ['doc_id', 'school', 'source', 'role']
    >>> row = study.codings.iloc[0]
    >>> study.texts[row.doc_id][row.start:row.end] == row.text
    True
    """

    documents: pd.DataFrame
    passages: pd.DataFrame
    codings: pd.DataFrame
    codebook: pd.DataFrame
    texts: Mapping[str, str] = field(repr=False)
    name: str = "study"
    memos: pd.DataFrame | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        require_columns(self.documents, ["doc_id"], "documents")
        require_columns(self.passages, ["passage_id", "doc_id", "start", "end"], "passages")
        require_columns(self.codebook, ["code"], "codebook")
        documents = _complete(self.documents, DOCUMENT_COLUMNS)
        passages = _complete(self.passages, PASSAGE_COLUMNS)
        codebook = _complete(self.codebook, CODEBOOK_COLUMNS)
        codings = coding_frame(self.codings)
        _check(documents, passages, codings, codebook, self.texts)
        codings = locate_passages(codings, passages)
        codings["text"] = [self.texts[d][s:e] for d, s, e in
                           zip(codings["doc_id"], codings["start"], codings["end"])]
        object.__setattr__(self, "documents", documents.reset_index(drop=True))
        object.__setattr__(self, "passages", passages.reset_index(drop=True))
        object.__setattr__(self, "codebook", codebook.reset_index(drop=True))
        object.__setattr__(self, "codings", sort_codings(codings))
        object.__setattr__(self, "texts", dict(self.texts))

    @property
    def coders(self) -> list[str]:
        """The coders present in ``codings``, sorted."""
        return sorted(self.codings["coder"].unique().tolist())

    @property
    def codes(self) -> list[str]:
        """The codes of the codebook, in codebook order."""
        return self.codebook["code"].tolist()

    def with_codings(self, codings: pd.DataFrame, *, replace_coder: bool = True) -> "Study":
        """Return a new study with ``codings`` added (for example a machine coder's).

        Parameters
        ----------
        codings : DataFrame
            Rows in the codings schema.
        replace_coder : bool, default True
            Drop existing rows of the coders present in ``codings`` first, so
            re-tagging does not duplicate a machine coder.

        Examples
        --------
        >>> import plcase
        >>> study = plcase.read_sample()
        >>> extra = study.codings[study.codings.coder == "coder_a"].assign(coder="copy")
        >>> len(study.with_codings(extra).codings) == len(study.codings) + len(extra)
        True
        """
        codings = coding_frame(codings)
        base = self.codings
        if replace_coder:
            base = base[~base["coder"].isin(codings["coder"].unique())]
        return replace(self, codings=pd.concat([base, codings], ignore_index=True))

    def subset(self, doc_ids) -> "Study":
        """Return the study restricted to the given documents."""
        keep = set(doc_ids)
        return replace(
            self,
            documents=self.documents[self.documents["doc_id"].isin(keep)],
            passages=self.passages[self.passages["doc_id"].isin(keep)],
            codings=self.codings[self.codings["doc_id"].isin(keep)],
            texts={k: v for k, v in self.texts.items() if k in keep},
            # Memos on the documents left out go with them; the others stay.
            memos=None if self.memos is None else
            self.memos[self.memos["doc_id"].isna() | self.memos["doc_id"].isin(keep)],
        )

    def __repr__(self) -> str:
        return (f"Study({self.name!r}: {len(self.documents)} documents, "
                f"{len(self.passages)} passages, {len(self.codings)} codings by "
                f"{len(self.coders)} coders, {len(self.codebook)} codes)")


def _complete(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    frame = frame.copy()
    for col in columns:
        if col not in frame.columns:
            frame[col] = None
    return frame[columns + [c for c in frame.columns if c not in columns]]


def _check(documents, passages, codings, codebook, texts) -> None:
    dup = documents["doc_id"][documents["doc_id"].duplicated()]
    if len(dup):
        raise PlcaseError(f"duplicate doc_id {dup.iloc[0]!r} in documents; every document needs its own id")
    dup = codebook["code"][codebook["code"].duplicated()]
    if len(dup):
        raise PlcaseError(f"duplicate code {dup.iloc[0]!r} in codebook")
    dup = passages["passage_id"][passages["passage_id"].duplicated()]
    if len(dup):
        raise PlcaseError(f"duplicate passage_id {dup.iloc[0]!r} in passages")
    known = set(documents["doc_id"])
    missing_text = known - set(texts)
    if missing_text:
        raise PlcaseError(f"no text for document(s) {sorted(missing_text)}")
    for what, frame in (("passages", passages), ("codings", codings)):
        stray = frame.loc[~frame["doc_id"].isin(known), "doc_id"]
        if len(stray):
            raise PlcaseError(f"{what} refer to unknown document {stray.iloc[0]!r}; "
                              f"add it to documents or fix the doc_id")
    unknown = codings.loc[~codings["code"].isin(set(codebook["code"])), "code"]
    if len(unknown):
        raise PlcaseError(f"code {unknown.iloc[0]!r} is used in codings but not defined "
                          f"in the codebook; add it to the codebook or correct the code")
    for what, frame in (("passages", passages), ("codings", codings)):
        if frame.empty:
            continue
        lengths = frame["doc_id"].map({k: len(v) for k, v in texts.items()})
        bad = (frame["start"] < 0) | (frame["end"] < frame["start"]) | (frame["end"] > lengths)
        if bad.any():
            row = frame[bad].iloc[0]
            raise PlcaseError(f"{what} row for {row['doc_id']!r} has offsets "
                              f"[{row['start']}, {row['end']}) outside the document "
                              f"(length {lengths[bad].iloc[0]})")


def locate_passages(codings: pd.DataFrame, passages: pd.DataFrame) -> pd.DataFrame:
    """Fill ``passage_id`` with the passage that wholly contains each coding.

    A coding that spans more than one passage keeps ``passage_id`` missing; it
    is still a coding (nothing is dropped), and unit-based functions such as
    :func:`plcase.units` count it in every passage it overlaps.

    Examples
    --------
    >>> passages = pd.DataFrame({"passage_id": ["d:1", "d:2"], "doc_id": ["d", "d"],
    ...                          "start": [0, 10], "end": [9, 20]})
    >>> codings = pd.DataFrame({"doc_id": ["d", "d"], "start": [2, 5], "end": [8, 15]})
    >>> locate_passages(codings, passages)["passage_id"].tolist()
    ['d:1', None]
    """
    codings = codings.copy()
    ids = np.full(len(codings), None, dtype=object)
    by_doc = {d: g.sort_values("start") for d, g in passages.groupby("doc_id", sort=False)}
    for i, (doc, start, end) in enumerate(zip(codings["doc_id"], codings["start"], codings["end"])):
        group = by_doc.get(doc)
        if group is None:
            continue
        starts = group["start"].to_numpy()
        k = np.searchsorted(starts, start, side="right") - 1
        # A zero-length or whitespace-edged coding may start just before its passage.
        if k < 0:
            k = 0
        if group["start"].iloc[k] <= start and end <= group["end"].iloc[k]:
            ids[i] = group["passage_id"].iloc[k]
    codings["passage_id"] = ids
    return codings
