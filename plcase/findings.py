"""Sentences that state a finding, computed from the frames (never typed into a notebook).

Each function takes a computed frame and returns a :class:`Finding`: a string
that a notebook shows as plain text (and as Markdown in JupyterLab), so the
report's prose follows the data of whatever study it runs on.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["Finding", "coders_summary", "largest_shares", "valence_contrast",
           "agreement_summary", "recommendation_summary", "tagger_comparison", "masking_summary",
           "saturation_summary", "confidence_summary", "unitizing_summary"]


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
    docs = study.codings.groupby("coder", observed=True)["doc_id"].nunique()
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


def tagger_comparison(side_by_side: pd.DataFrame, human: str = "human") -> Finding:
    """Machine coders ranked by macro kappa, next to the human-human kappa if there is one.

    Parameters
    ----------
    side_by_side : DataFrame
        From :func:`plcase.compare_taggers` (``tagger, code, kappa``; rows ``micro``
        and ``macro`` pooled).
    human : str, default "human"
        The ``tagger`` name of the human-human block.

    Examples
    --------
    >>> table = pd.DataFrame({"tagger": ["rules", "rules", "model", "model", "human", "human"],
    ...                       "code": ["a", "macro"] * 3, "kappa": [0.2, 0.2, 0.6, 0.6, 0.8, 0.8]})
    >>> print(tagger_comparison(table))
    Macro kappa on held-out documents: model 0.60, rules 0.20; the two human coders 0.80. The best machine coder, model, reaches 75% of the human agreement and has the highest kappa on 1 of 1 codes.
    """
    macro = side_by_side[side_by_side["code"] == "macro"].set_index("tagger")["kappa"]
    machines = macro.drop(human, errors="ignore").dropna().sort_values(ascending=False, kind="stable")
    if machines.empty:
        return Finding("No machine coder could be scored on held-out documents.")
    text = "Macro kappa on held-out documents: " + ", ".join(
        f"{name} {value:.2f}" for name, value in machines.items())
    best = machines.index[0]
    has_human = human in macro.index and pd.notna(macro[human]) and macro[human] > 0
    text += f"; the two human coders {macro[human]:.2f}." if has_human else \
        " (no second human coder to compare with)."
    per_code = side_by_side[~side_by_side["code"].isin(["micro", "macro"])
                            & (side_by_side["tagger"] != human)].dropna(subset=["kappa"])
    wins = per_code.loc[per_code.groupby("code", sort=False, observed=True)["kappa"].idxmax(), "tagger"]
    share = f"reaches {machines[best] / macro[human]:.0%} of the human agreement and " if has_human else ""
    text += (f" The best machine coder, {best}, {share}has the highest kappa on "
             f"{int((wins == best).sum())} of {len(wins)} codes.")
    return Finding(text)


def masking_summary(effect: pd.DataFrame) -> Finding:
    """What masking names does to a tagger's macro kappa, per split.

    Parameters
    ----------
    effect : DataFrame
        From :func:`plcase.evaluate.masking_effect`.

    Examples
    --------
    >>> effect = pd.DataFrame({"split": ["held-out documents"] * 2, "mask_names": [True, False],
    ...                        "macro_kappa": [0.60, 0.63]})
    >>> print(masking_summary(effect))
    Macro kappa with names masked vs. not: held-out documents 0.600 vs. 0.630 (masking costs 0.030).
    """
    parts = []
    for split, rows in effect.groupby("split", sort=False, observed=True):
        masked = rows.loc[rows["mask_names"], "macro_kappa"]
        plain = rows.loc[~rows["mask_names"].astype(bool), "macro_kappa"]
        if masked.empty or plain.empty or masked.isna().all() or plain.isna().all():
            parts.append(f"{split} undefined")
            continue
        difference = float(plain.iloc[0] - masked.iloc[0])
        verdict = (f"masking costs {difference:.3f}" if difference > 0 else
                   f"masking gains {-difference:.3f}" if difference < 0 else "no difference")
        parts.append(f"{split} {masked.iloc[0]:.3f} vs. {plain.iloc[0]:.3f} ({verdict})")
    if not parts:
        return Finding("No masking comparison to report.")
    return Finding("Macro kappa with names masked vs. not: " + "; ".join(parts) + ".")


def saturation_summary(table: pd.DataFrame) -> Finding:
    """Which groups reach saturation by Guest et al.'s rule, and after how many documents.

    Parameters
    ----------
    table : DataFrame
        From :func:`plcase.matrix.saturation` (``group, n_documents, base, run,
        threshold, n_codes, saturation_at``; with ``share_saturated``, the share of
        random document orders that saturate, when it was run with permutations).

    Examples
    --------
    >>> table = pd.DataFrame({"group": ["A", "B", "C"], "n_documents": [6, 8, 3], "base": [4] * 3,
    ...                       "run": [2] * 3, "threshold": [0.05] * 3, "n_codes": [8, 7, 3],
    ...                       "saturation_at": [4.0, float("nan"), float("nan")]})
    >>> print(saturation_summary(table))  # doctest: +NORMALIZE_WHITESPACE
    With a base of 4 documents, runs of 2 and at most 5% new codes: A saturates at 4 of 6 documents
    (8 codes); B does not saturate within its 8 documents; C has 3 documents, too few for a base
    and one run.
    """
    if table.empty:
        return Finding("No group has documents to measure saturation on.")
    first = table.iloc[0]
    parts = []
    for row in table.itertuples(index=False):
        share = getattr(row, "share_saturated", float("nan"))
        orders = f"; {share:.0%} of random orders saturate" if pd.notna(share) else ""
        if pd.notna(row.saturation_at):
            parts.append(f"{_label(row.group)} saturates at {int(row.saturation_at)} of "
                         f"{int(row.n_documents)} documents ({int(row.n_codes)} codes{orders})")
        elif row.n_documents < row.base + row.run:
            parts.append(f"{_label(row.group)} has {int(row.n_documents)} documents, too few for "
                         f"a base and one run")
        else:
            tail = f" ({orders.lstrip('; ')})" if orders else ""
            parts.append(f"{_label(row.group)} does not saturate within its "
                         f"{int(row.n_documents)} documents{tail}")
    return Finding(f"With a base of {int(first['base'])} documents, runs of {int(first['run'])} "
                   f"and at most {first['threshold']:.0%} new codes: " + "; ".join(parts) + ".")


def confidence_summary(confidence: pd.DataFrame) -> Finding:
    """Which recommendations get which GRADE-CERQual confidence, and the concerns behind it.

    Parameters
    ----------
    confidence : DataFrame
        From :func:`plcase.cerqual` (``short``, ``confidence``, the four component columns).

    Examples
    --------
    >>> confidence = pd.DataFrame({"short": ["A", "B"], "confidence": ["high", "moderate"],
    ...     "methodological_limitations": ["no concerns", "minor concerns"],
    ...     "coherence": ["no concerns"] * 2, "adequacy": ["no concerns", "minor concerns"],
    ...     "relevance": ["no concerns"] * 2})
    >>> print(confidence_summary(confidence))
    High confidence: "A". Moderate confidence: "B" (concerns: methodological limitations (minor), adequacy (minor)).
    """
    if confidence.empty:
        return Finding("No recommendations to judge.")
    components = ["methodological_limitations", "coherence", "adequacy", "relevance"]
    parts = []
    for level in ("high", "moderate", "low", "very low"):
        rows = confidence[confidence["confidence"].astype(str) == level]
        if rows.empty:
            continue
        items = []
        for row in rows.to_dict("records"):
            concerns = [f"{c.replace('_', ' ')} ({str(row[c]).replace(' concerns', '')})"
                        for c in components if str(row[c]) != "no concerns"]
            reason = f" (concerns: {', '.join(concerns)})" if concerns and level != "high" else ""
            items.append(f'"{row["short"]}"{reason}')
        parts.append(f"{level.capitalize()} confidence: " + "; ".join(items) + ".")
    return Finding(" ".join(parts))



def unitizing_summary(family: pd.DataFrame) -> Finding:
    """What the unitizing family says: boundaries or codes, and which code's stretches agree least.

    ``family`` is a frame of :func:`plcase.agreement.unitizing_alpha_family`.
    Where uα and cuα are both defined, the sentence says whether the coders
    differ more on where units lie (cuα above uα) or on the codes they carry;
    then it names the codes whose stretches agree least and most (Cuα).

    Examples
    --------
    >>> family = pd.DataFrame({
    ...     "symbol": ["uα", "cuα", "Cuα", "Cuα"],
    ...     "code": ["(overall)", "(overall)", "glow", "grow"],
    ...     "value": [0.82, 1.0, 0.82, 0.90]})
    >>> print(unitizing_summary(family))  # doctest: +NORMALIZE_WHITESPACE
    Where both coders marked a unit they agree on its code (cuα = 1.00) more than on where units lie
    (uα = 0.82): the disagreements are mostly about boundaries. Stretches of glow agree least
    (Cuα = 0.82), of grow most (0.90).
    """
    by = family.set_index(["symbol", "code"])["value"]
    parts = []
    u, cu = by.get(("uα", "(overall)")), by.get(("cuα", "(overall)"))
    if u is not None and cu is not None and pd.notna(u) and pd.notna(cu):
        if cu >= u:
            parts.append(f"Where both coders marked a unit they agree on its code (cuα = {cu:.2f}) "
                         f"more than on where units lie (uα = {u:.2f}): the disagreements are "
                         "mostly about boundaries.")
        else:
            parts.append(f"Where both coders marked a unit they agree less on its code (cuα = "
                         f"{cu:.2f}) than overall (uα = {u:.2f}): the disagreements are mostly "
                         "about which code a unit carries.")
    elif u is not None:
        parts.append("uα and cuα are undefined here (the codes overlap, so a character has no "
                     "single value); per-code Cuα still applies.")
    per_code = family.loc[(family["symbol"] == "Cuα") & family["value"].notna()] \
        .set_index("code")["value"]
    if len(per_code) >= 2:
        low, high = per_code.idxmin(), per_code.idxmax()
        parts.append(f"Stretches of {low} agree least (Cuα = {per_code[low]:.2f}), of {high} most "
                     f"({per_code[high]:.2f}).")
    elif len(per_code) == 1:
        parts.append(f"Stretches of {per_code.index[0]}: Cuα = {per_code.iloc[0]:.2f}.")
    return Finding(" ".join(parts) if parts else "No unitizing coefficient is defined here.")
