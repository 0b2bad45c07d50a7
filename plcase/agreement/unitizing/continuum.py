"""The continuum both unitizing coefficients read: documents, coders, codes and coded stretches.

Every unitizing coefficient compares the same thing: the stretches of text
(character offsets, Python string indices) each coder coded, in the
documents every compared coder coded, laid end to end. This module turns a
codings frame or a Study into that continuum, so that the positional uα of
:mod:`~plcase.agreement.unitizing.positional` and the family of
:mod:`~plcase.agreement.unitizing.coincidence` agree on which documents,
coders and codes they compare.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from plcase.agreement.units import _require_known, default_coders
from plcase.errors import PlcaseError
from plcase.schema import require_columns

__all__ = ["Continuum", "continuum", "stretches", "segments"]


@dataclass(frozen=True)
class Continuum:
    """What a unitizing coefficient compares.

    ``codings`` holds only the compared coders' codings of the compared codes
    in the compared documents; ``lengths`` maps each compared document to its
    length in characters.
    """

    codings: pd.DataFrame
    coders: list
    codes: list
    documents: list
    lengths: dict
    label: str

    @property
    def n_characters(self) -> int:
        """Length of the continuum: the compared documents laid end to end."""
        return int(sum(self.lengths[d] for d in self.documents))


def continuum(codings, *, coders: Sequence[str] | None = None,
              code: str | Sequence[str] | None = None,
              lengths: Mapping[str, int] | None = None) -> Continuum:
    """The continuum of a codings frame or Study, as the unitizing functions document it.

    Only documents every compared coder coded (with any code) are compared: a
    coder who coded a document but applied none of ``code`` there found no
    unit of those codes in it, while a coder who never opened the document
    says nothing about it.

    Examples
    --------
    >>> import pandas as pd
    >>> codings = pd.DataFrame({"doc_id": ["d", "d", "e"], "coder": ["a", "b", "a"],
    ...                         "code": "x", "start": [0, 1, 0], "end": [4, 4, 3]})
    >>> found = continuum(codings, lengths={"d": 10, "e": 8})
    >>> found.documents, found.n_characters, found.label
    (['d'], 10, 'a vs b')
    """
    if hasattr(codings, "codings") and hasattr(codings, "texts"):
        study = codings
        codings = study.codings
        lengths = {d: len(t) for d, t in study.texts.items()} if lengths is None else lengths
        coders = default_coders(study) if coders is None else coders
    require_columns(codings, ["doc_id", "start", "end", "code", "coder"], "codings")
    if lengths is None:
        raise PlcaseError("unitizing alpha needs each document's length: pass "
                          "lengths={doc_id: len(text)} or a Study")
    present = sorted(codings["coder"].unique().tolist())
    coders = present if coders is None else list(coders)
    _require_known(coders, present, "coder", "coders of the codings")
    all_codes = list(pd.unique(codings["code"]))
    codes = all_codes if code is None else ([code] if isinstance(code, str) else list(code))
    _require_known(codes, all_codes, "code", "codes of the codings")
    mine = codings[codings["coder"].isin(coders)]
    per_doc = mine.groupby("doc_id", observed=True)["coder"].nunique()
    docs = sorted(per_doc.index[per_doc == len(coders)])
    unknown = [d for d in docs if d not in lengths]
    if unknown:
        raise PlcaseError(f"no length for document(s) {', '.join(map(repr, unknown))}; "
                          f"lengths= needs every coded document")
    mine = mine[mine["doc_id"].isin(docs) & mine["code"].isin(codes)]
    return Continuum(codings=mine, coders=coders, codes=codes, documents=docs,
                     lengths={d: int(lengths[d]) for d in docs},
                     label=" vs ".join(map(str, coders)))


def stretches(codings: pd.DataFrame, length: int) -> list[tuple[int, int]]:
    """The stretches ``codings`` cover in a document of ``length`` characters, merged.

    Overlapping or touching codings become one stretch (their union): a
    stretch of text coded twice is one stretch. Codings are clipped to
    ``[0, length)``; empty ones cover nothing.

    Examples
    --------
    >>> import pandas as pd
    >>> stretches(pd.DataFrame({"start": [6, 2, 4, 9], "end": [7, 5, 6, 30]}), 12)
    [(2, 7), (9, 12)]
    """
    spans = sorted((max(0, int(s)), min(length, int(e)))
                   for s, e in zip(codings["start"], codings["end"]) if min(length, e) > max(0, s))
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def segments(codings: pd.DataFrame, length: int) -> pd.DataFrame:
    """One coder's units and gaps of one code in one document of ``length`` characters.

    The units are the :func:`stretches` of the codings; the gaps are the rest.

    Returns
    -------
    DataFrame
        ``start, end, unit`` (bool), in order, covering ``[0, length)``.

    Examples
    --------
    >>> import pandas as pd
    >>> codings = pd.DataFrame({"start": [2, 4], "end": [5, 7]})
    >>> segments(codings, 10).values.tolist()
    [[0, 2, False], [2, 7, True], [7, 10, False]]
    """
    rows, at = [], 0
    for start, end in stretches(codings, length):
        if start > at:
            rows.append((at, start, False))
        rows.append((start, end, True))
        at = end
    if at < length:
        rows.append((at, length, False))
    return pd.DataFrame(rows, columns=["start", "end", "unit"])
