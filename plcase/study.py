"""The :class:`Study`: documents, passages, codings and codebook as tidy frames."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

from plcase.errors import PlcaseError
from plcase.roles import speaker_roles
from plcase.schema import (CODEBOOK_COLUMNS, DEFAULT_CASE_COLUMN, DOCUMENT_COLUMNS,
                           PASSAGE_COLUMNS, coding_frame, compact_codings, concat_codings,
                           is_compact, require_columns, sort_codings)
from plcase.settings import freeze

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
    settings : mapping, optional
        What the study says about itself (the parsed ``study.yml``, see
        :mod:`plcase.settings`); every entry is optional and the properties
        below infer what it leaves out from the data.
    folder : Path, optional
        The study folder it was read from (None for a study built from frames).

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
    settings: Mapping = field(default_factory=dict, repr=False)
    folder: Path | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        require_columns(self.documents, ["doc_id"], "documents")
        require_columns(self.passages, ["passage_id", "doc_id", "start", "end"], "passages")
        require_columns(self.codebook, ["code"], "codebook")
        documents = _complete(self.documents, DOCUMENT_COLUMNS)
        passages = _complete(self.passages, PASSAGE_COLUMNS)
        if "speaker_role" not in passages.columns or passages["speaker_role"].isna().all():
            # Studies built from frames (tests, REFI-QDA projects) get the default labels.
            passages = speaker_roles(passages)
        codebook = _complete(self.codebook, CODEBOOK_COLUMNS)
        codings = coding_frame(self.codings)
        _check(documents, passages, codings, codebook, self.texts)
        codings = _located(codings, passages, self.texts)
        object.__setattr__(self, "documents", documents.reset_index(drop=True))
        object.__setattr__(self, "passages", passages.reset_index(drop=True))
        object.__setattr__(self, "codebook", codebook.reset_index(drop=True))
        object.__setattr__(self, "codings", sort_codings(codings))
        object.__setattr__(self, "texts", dict(self.texts))
        object.__setattr__(self, "settings", freeze(self.settings or {}))

    # ------------------------------------------------------------------ what the study needs
    @property
    def machine_coders(self) -> list[str]:
        """Coders that are not people: declared in ``machine_coders``, else coders with a score.

        Examples
        --------
        >>> import plcase
        >>> plcase.read_sample().machine_coders
        []
        """
        declared = self.settings.get("machine_coders")
        if declared is not None:
            return list(declared)
        scored = self.codings.loc[self.codings["score"].notna(), "coder"]
        named = [c for c in self.coders if str(c).startswith("auto:")]
        return sorted(set(scored) | set(named))

    @property
    def human_coders(self) -> list[str]:
        """Coders that are people, sorted (every coder not in :attr:`machine_coders`)."""
        machines = set(self.machine_coders)
        return [c for c in self.coders if c not in machines]

    @property
    def primary_coder(self) -> str | None:
        """The coder whose codes the analyses count: ``primary_coder`` of study.yml,
        else the human coder with the most codings (None when nothing is coded).

        Examples
        --------
        >>> import plcase
        >>> plcase.read_sample().primary_coder
        'coder_a'
        """
        declared = self.settings.get("primary_coder")
        if declared:
            return str(declared)
        humans = self.human_coders or self.coders
        if not humans:
            return None
        counts = self.codings["coder"].value_counts()
        # Most codings first; ties go to the first name alphabetically, so the choice is stable.
        return sorted(humans, key=lambda c: (-int(counts.get(c, 0)), c))[0]

    @property
    def reliability_coders(self) -> list[tuple[str, str]]:
        """Pairs of human coders to compare: ``reliability_coders`` of study.yml, else every
        pair of human coders who coded at least one document in common (primary coder first).

        Examples
        --------
        >>> import plcase
        >>> plcase.read_sample().reliability_coders
        [('coder_a', 'coder_b')]
        """
        declared = self.settings.get("reliability_coders")
        if declared is not None:
            return [tuple(p) for p in declared]
        primary = self.primary_coder
        docs = {c: set(g) for c, g in self.codings.groupby("coder", observed=True)["doc_id"]}
        humans = sorted(self.human_coders, key=lambda c: (c != primary, c))
        return [(a, b) for a, b in combinations(humans, 2) if docs.get(a, set()) & docs.get(b, set())]

    @property
    def theme_codes(self) -> list[str]:
        """The codes matrices and taggers work on: ``themes`` of study.yml, else the
        codebook's ``kind: theme`` codes, else every plain code (not category, valence
        or sub-code).

        Examples
        --------
        >>> import plcase
        >>> plcase.read_sample().theme_codes
        ['shared_culture', 'embedded_pd', 'student_driven', 'whole_child_sel']
        """
        declared = self.settings.get("themes")
        if declared is not None:
            return list(declared)
        kinds = self.codebook["kind"]
        chosen = self.codebook.loc[kinds == "theme", "code"].tolist()
        if not chosen:
            chosen = self.codebook.loc[~kinds.isin(["category", "valence", "subcode"]), "code"].tolist()
        return chosen

    @property
    def valence_codes(self) -> list[str]:
        """``valence`` of study.yml, else the codebook's ``kind: valence`` codes (maybe none).

        Examples
        --------
        >>> import plcase
        >>> plcase.read_sample().valence_codes
        ['glow', 'grow']
        """
        declared = self.settings.get("valence")
        if declared is not None:
            return list(declared)
        return self.codebook.loc[self.codebook["kind"] == "valence", "code"].tolist()

    @property
    def case_column(self) -> str:
        """The document column that holds each document's case: ``case_column`` of study.yml,
        else the transcript format's case field (:data:`plcase.schema.DEFAULT_CASE_COLUMN`),
        else ``case`` where only that column exists (imported projects,
        :func:`plcase.assign_cases`)."""
        declared = self.settings.get("case_column")
        if declared:
            return str(declared)
        columns = self.documents.columns
        if DEFAULT_CASE_COLUMN not in columns and "case" in columns:
            return "case"
        return DEFAULT_CASE_COLUMN

    @property
    def cases(self) -> list[str]:
        """The study's cases, sorted: values of :attr:`case_column`, context documents left out.

        Examples
        --------
        >>> import plcase
        >>> plcase.read_sample().cases
        ['Grand Oak Elementary', 'Newell Elementary', 'Ridge Road Middle']
        """
        if self.case_column not in self.documents.columns:
            return []
        docs = self.case_documents()
        return sorted(docs[self.case_column].astype(str).unique().tolist())

    def case_documents(self, case_column: str | None = None) -> pd.DataFrame:
        """The documents that belong to a case: a value in ``case_column`` (default
        :attr:`case_column`), context documents (``context:`` in study.yml) left out.

        Examples
        --------
        >>> import plcase
        >>> len(plcase.read_sample().case_documents())   # the district interview is context
        18
        """
        case_column = self.case_column if case_column is None else case_column
        docs = self.documents
        if case_column not in docs.columns:
            raise PlcaseError(f"the documents have no case column {case_column!r}; declare "
                              "case_column in study.yml or pass case_column=")
        keep = docs[case_column].notna()
        if "context" in docs.columns:
            keep &= ~docs["context"].fillna(False).astype(bool)
        return docs.loc[keep]

    @property
    def recommendations_path(self) -> Path | None:
        """The study's recommendations file (``recommendations`` of study.yml, else
        ``recommendations.yml`` in the folder), or None when it has none."""
        if self.folder is None:
            return None
        declared = self.settings.get("recommendations")
        path = Path(self.folder) / (declared or "recommendations.yml")
        return path if path.is_file() else None

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
        >>> extra = study.codings[study.codings.coder == study.primary_coder].assign(coder="copy")
        >>> len(study.with_codings(extra).codings) == len(study.codings) + len(extra)
        True
        """
        # Only the new rows are checked and located: the study's own codings were
        # validated when it was built, and re-checking them made every call cost
        # as much as building the study (minutes at district scale).
        codings = coding_frame(codings)
        _check_rows("codings", codings, set(self.documents["doc_id"]), self.texts)
        _check_codes(codings, self.codebook)
        codings = _located(codings, self.passages, self.texts)
        base = self.codings
        if replace_coder:
            base = base[~base["coder"].isin(codings["coder"].unique())]
        # Compact codings (district scale, plcase.compact_codings) stay compact.
        combined = sort_codings(concat_codings([base, codings])) if len(base) \
            else sort_codings(compact_codings(codings) if is_compact(base) else codings)
        study = copy.copy(self)
        object.__setattr__(study, "codings", combined)
        return study

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
    _check_rows("passages", passages, known, texts)
    _check_rows("codings", codings, known, texts)
    _check_codes(codings, codebook)


def _check_rows(what: str, frame: pd.DataFrame, known: set, texts) -> None:
    """Every row names a known document and has offsets inside its text."""
    stray = frame.loc[~frame["doc_id"].isin(known), "doc_id"]
    if len(stray):
        raise PlcaseError(f"{what} refer to unknown document {stray.iloc[0]!r}; "
                          f"add it to documents or fix the doc_id")
    if frame.empty:
        return
    # As plain values: mapping a categorical column would give categories, not numbers.
    lengths = frame["doc_id"].astype(object).map({k: len(v) for k, v in texts.items()})
    bad = (frame["start"] < 0) | (frame["end"] < frame["start"]) | (frame["end"] > lengths)
    if bad.any():
        row = frame[bad].iloc[0]
        raise PlcaseError(f"{what} row for {row['doc_id']!r} has offsets "
                          f"[{row['start']}, {row['end']}) outside the document "
                          f"(length {lengths[bad].iloc[0]})")


def _check_codes(codings: pd.DataFrame, codebook: pd.DataFrame) -> None:
    unknown = codings.loc[~codings["code"].isin(set(codebook["code"])), "code"]
    if len(unknown):
        raise PlcaseError(f"code {unknown.iloc[0]!r} is used in codings but not defined "
                          f"in the codebook; add it to the codebook or correct the code")


def _located(codings: pd.DataFrame, passages: pd.DataFrame, texts) -> pd.DataFrame:
    """``codings`` with ``passage_id`` located and ``text`` sliced from the documents."""
    codings = locate_passages(codings, passages)
    codings["text"] = [texts[d][s:e] for d, s, e in
                       zip(codings["doc_id"], codings["start"], codings["end"])]
    return codings


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
    if len(codings) and len(passages):
        # One as-of merge finds, for every coding, the passage of its document
        # with the greatest start at or before the coding's start (ties: the
        # later passage in start order); it contains the coding if it also ends
        # at or after the coding's end.
        left = pd.DataFrame({"doc_id": np.asarray(codings["doc_id"], dtype=object),
                             "start": np.asarray(codings["start"], dtype=np.int64),
                             "end": np.asarray(codings["end"], dtype=np.int64),
                             "_row": np.arange(len(codings))})
        right = pd.DataFrame({"doc_id": np.asarray(passages["doc_id"], dtype=object),
                              "start": np.asarray(passages["start"], dtype=np.int64),
                              "_passage_end": np.asarray(passages["end"], dtype=np.int64),
                              "_passage_id": np.asarray(passages["passage_id"], dtype=object)})
        found = pd.merge_asof(left.sort_values("start", kind="mergesort"),
                              right.sort_values("start", kind="mergesort"),
                              on="start", by="doc_id", direction="backward")
        inside = (found["end"] <= found["_passage_end"]).to_numpy()
        ids[found["_row"].to_numpy()[inside]] = found["_passage_id"].to_numpy()[inside]
    # An object Series keeps None for "no single passage" under pandas 2 and 3 alike.
    codings["passage_id"] = pd.Series(ids, index=codings.index, dtype=object)
    return codings
