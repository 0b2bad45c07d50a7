"""Descriptive tables of a study's corpus: what was collected, from whom, how much was coded."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from plcase.errors import PlcaseError
from plcase.matrix import coded_passages

__all__ = ["corpus_table", "coding_counts"]


def corpus_table(study, by: str | Sequence[str] = ("school", "role")) -> pd.DataFrame:
    """Documents, passages and words per group of documents.

    Parameters
    ----------
    study : Study
    by : str or sequence of str
        Document columns to group by.

    Returns
    -------
    DataFrame
        One row per group: ``documents``, ``passages``, ``words``, and
        ``coded_passages`` (passages with at least one coding by any coder).

    Examples
    --------
    >>> import plcase
    >>> table = corpus_table(plcase.read_sample(), by="source")
    >>> int(table.loc["site_visit", "documents"])
    3
    """
    by = [by] if isinstance(by, str) else list(by)
    unknown = [c for c in by if c not in study.documents.columns]
    if unknown:
        raise PlcaseError(f"unknown document column(s) {unknown}; choose from "
                          f"{sorted(study.documents.columns)}")
    docs = study.documents[["doc_id", "n_words", *by]]
    coded = _coded_passages(study)
    passages = study.passages[["passage_id", "doc_id"]].assign(
        coded=lambda p: p["passage_id"].isin(coded)).merge(docs[["doc_id", *by]], on="doc_id")
    table = docs.groupby(by, observed=True).agg(documents=("doc_id", "nunique"), words=("n_words", "sum"))
    table = table.join(passages.groupby(by, observed=True).agg(passages=("passage_id", "size"),
                                                coded_passages=("coded", "sum")))
    return table[["documents", "passages", "coded_passages", "words"]].fillna(0).astype("int64")


def coding_counts(study, *, by: str = "coder") -> pd.DataFrame:
    """Number of codings per code (rows, codebook order) and coder (columns).

    Examples
    --------
    >>> import plcase
    >>> counts = coding_counts(plcase.read_sample())
    >>> int(counts.loc["embedded_pd", "coder_a"]) > 0
    True
    """
    if by not in study.codings.columns:
        raise PlcaseError(f"unknown codings column {by!r}; choose from {list(study.codings.columns)}")
    table = pd.crosstab(study.codings["code"], study.codings[by])
    table = table.reindex(study.codes, fill_value=0)
    table.index.name, table.columns.name = "code", by
    return table


def _coded_passages(study) -> set[str]:
    """Passages overlapped by any coder's codings (codings across turns count in each)."""
    return {pid for coder in study.coders
            for pid in coded_passages(study, coder=coder)["passage_id"]}
