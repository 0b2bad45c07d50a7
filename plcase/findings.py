"""Sentences that state a finding, computed from the frames (never typed into a notebook).

Each function takes a computed frame and returns a :class:`Finding`: a string
that a notebook shows as plain text (and as Markdown in JupyterLab), so the
report's prose follows the data of whatever study it runs on.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["Finding", "coders_summary", "largest_shares", "valence_contrast",
           "agreement_summary", "recommendation_summary"]


class Finding(str):
    """A sentence about the data, shown without quotes."""

    def __repr__(self) -> str:
        return str(self)

    def _repr_markdown_(self) -> str:
        return str(self)


def _label(value) -> str:
    return " / ".join(map(str, value)) if isinstance(value, tuple) else str(value)


def coders_summary(study) -> Finding:
    """Who coded how many documents, and which coder the analyses count.

    Examples
    --------
    >>> import plcase
    >>> print(coders_summary(plcase.read_sample()))  # doctest: +NORMALIZE_WHITESPACE
    coder_a coded 19 of 19 documents (the primary coder, whose codes the analyses count);
    coder_b coded 10 of 19 documents; agreement is measured between coder_a and coder_b.
    """
    docs = study.codings.groupby("coder")["doc_id"].nunique()
    if docs.empty:
        return Finding("No document is coded yet.")
    primary = study.primary_coder
    order = sorted(docs.index, key=lambda c: (c != primary, c))
    parts = []
    for coder in order:
        role = " (the primary coder, whose codes the analyses count)" if coder == primary else ""
        parts.append(f"{coder} coded {int(docs[coder])} of {len(study.documents)} documents{role}")
    pairs = study.reliability_coders
    tail = (f"; agreement is measured between {', '.join(' and '.join(p) for p in pairs)}."
            if pairs else "; no second human coder, so agreement cannot be measured.")
    return Finding("; ".join(parts) + tail)


def largest_shares(share: pd.DataFrame, rows=None) -> Finding:
    """For each row of a share matrix, the code with the largest share.

    Parameters
    ----------
    share : DataFrame
        ``theme_matrix(..., measure="share")``.
    rows : list, optional
        Only these rows (for example ``study.cases``, leaving context rows out).

    Examples
    --------
    >>> share = pd.DataFrame({"a": [0.2, 0.1], "b": [0.1, 0.3]}, index=["X", "Y"])
    >>> print(largest_shares(share))
    X gives the largest share of its passages to a (20.0%); Y to b (30.0%).
    """
    if rows is not None:
        share = share.loc[[r for r in share.index if r in set(rows)]]
    parts = []
    for row, values in share.iterrows():
        if values.max() <= 0:
            parts.append(f"{_label(row)} has no coded passage")
            continue
        parts.append(f"{_label(row)} {'gives the largest share of its passages to' if not parts else 'to'} "
                     f"{values.idxmax()} ({values.max():.1%})")
    if not parts:
        return Finding("No coded passages to compare.")
    return Finding("; ".join(parts) + ".")


def valence_contrast(glow_grow: pd.DataFrame, cases=None) -> Finding:
    """Where a code is voiced more as a challenge (grow) than as a success (glow).

    Parameters
    ----------
    glow_grow : DataFrame
        From :func:`plcase.glow_grow`.
    cases : list, optional
        Only rows whose first grouping column is one of these (for example
        ``study.cases``, leaving context documents out).

    Examples
    --------
    >>> gg = pd.DataFrame({"school": ["X", "X"], "code": ["a", "b"], "n_passages": [4, 3],
    ...                    "glow": [3, 1], "grow": [1, 2], "balance": [0.5, -1 / 3]})
    >>> print(valence_contrast(gg))
    More grow than glow: b at X (1 glow, 2 grow). Every other code with a glow or grow leans to glow.
    """
    keys = [c for c in glow_grow.columns if c not in ("code", "n_passages", "glow", "grow", "balance")]
    if cases is not None and keys:
        glow_grow = glow_grow[glow_grow[keys[0]].isin(list(cases))]
    negative = glow_grow[glow_grow["balance"] < 0]
    if glow_grow[["glow", "grow"]].to_numpy().sum() == 0:
        return Finding("No passage carries a glow or a grow together with a theme.")
    if negative.empty:
        return Finding("Every code with a glow or grow leans to glow (or is balanced): none is "
                       "voiced more as a challenge than as a success.")
    parts = [f"{r.code} at {_label(tuple(getattr(r, k) for k in keys)) if keys else 'all'} "
             f"({r.glow} glow, {r.grow} grow)" for r in negative.itertuples(index=False)]
    return Finding("More grow than glow: " + "; ".join(parts) +
                   ". Every other code with a glow or grow leans to glow.")


def agreement_summary(results: pd.DataFrame, coefficient: str = "cohen_kappa") -> Finding:
    """The pooled (overall) value of a coefficient for each pair of coders compared.

    Examples
    --------
    >>> results = pd.DataFrame({"coders": ["a vs b", "a vs m"], "code": ["(overall)"] * 2,
    ...                         "coefficient": ["cohen_kappa"] * 2, "value": [0.81, 0.62]})
    >>> print(agreement_summary(results))
    cohen_kappa over all codes: a vs b 0.810, a vs m 0.620.
    """
    rows = results[(results["coefficient"] == coefficient) & (results["code"] == "(overall)")]
    if rows.empty:
        return Finding(f"No {coefficient} to report.")
    parts = [f"{r.coders} {r.value:.3f}" if pd.notna(r.value) else f"{r.coders} undefined"
             for r in rows.itertuples(index=False)]
    return Finding(f"{coefficient} over all codes: " + ", ".join(parts) + ".")


def recommendation_summary(graded: pd.DataFrame) -> Finding:
    """The grades, and which recommendation carries the most grows and the most glows.

    Examples
    --------
    >>> graded = pd.DataFrame({"short": ["A", "B"], "grade": ["strong", "moderate"],
    ...                        "glow": [5, 1], "grow": [1, 4]})
    >>> print(recommendation_summary(graded))
    1 strong, 1 moderate. "B" carries the most grow passages (4); "A" the most glow passages (5).
    """
    if graded.empty:
        return Finding("No recommendations to grade.")
    counts = graded["grade"].astype(str).value_counts()
    grades = ", ".join(f"{int(counts[g])} {g}" for g in ("strong", "moderate", "emerging") if g in counts)
    text = grades + "."
    if graded["grow"].max() > 0 or graded["glow"].max() > 0:
        most_grow = graded.loc[graded["grow"].idxmax()]
        most_glow = graded.loc[graded["glow"].idxmax()]
        text += (f' "{most_grow["short"]}" carries the most grow passages ({int(most_grow["grow"])});'
                 f' "{most_glow["short"]}" the most glow passages ({int(most_glow["glow"])}).')
    return Finding(text)
