"""Krippendorff's unitizing alpha: do coders mark the same stretches of text?

Coders of text choose codes and also where a coded segment starts and ends.
The coefficients of :mod:`plcase.agreement.coefficients` compare codes on
given units; unitizing alpha compares the segments themselves, on character
offsets, without cutting the text into units first.

For one code c, each coder's text is a sequence of segments: the stretches
the coder coded with c (units, their union when the coder's codings of c
overlap) and the gaps between them. With m coders, a text of L characters
(documents laid end to end, each starting a new segment) and segments g of
coder i, h of coder j, each with begin b, end e and length l:

delta^2(g, h)
    (b_g - b_h)^2 + (e_g - e_h)^2 when both are units and overlap;
    l_g^2 when unit g lies inside gap h (and vice versa); 0 otherwise.
observed disagreement
    D_o = sum over ordered coder pairs i != j and their segments of
    delta^2(g, h), divided by m (m - 1) L^2.
expected disagreement
    D_e = (2 / L) sum over units g of every coder of
    [ (N - 1)/3 (2 l_g^3 - 3 l_g^2 + l_g) + l_g^2 sum over gaps h of every
    coder with l_h >= l_g of (l_h - l_g + 1) ] divided by
    m L (m L - 1) - sum over units l_g (l_g - 1); N is the number of units.
alpha
    1 - D_o / D_e per code; the pooled row is 1 - sum D_o / sum D_e over the
    codes some coder applied (Krippendorff's uα over all categories).

This is the uα of Krippendorff (2004, section 12.4), reproducing the worked
example on p. 254 (tested), with the normalisation of the DKPro Statistics
implementation (Meyer et al. 2014), which reproduces the same example. The
later family |uα, cuα, Cuα (Krippendorff, Mathet, Bouvry & Widlöcher 2016)
is not implemented.

References
----------
Krippendorff, K. (1995). On the reliability of unitizing contiguous data.
Sociological Methodology 25, 47-76.
Krippendorff, K. (2004). Content Analysis: An Introduction to Its
Methodology (2nd ed.), pp. 251-256. Sage.
Krippendorff, K., Mathet, Y., Bouvry, S. & Widlöcher, A. (2016). On the
reliability of unitizing textual continua: Further developments. Quality &
Quantity 50, 2347-2364.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import permutations

import numpy as np
import pandas as pd

from plcase.agreement.coefficients import OVERALL
from plcase.agreement.units import _require_known, default_coders
from plcase.errors import PlcaseError
from plcase.schema import require_columns

__all__ = ["UNITIZING_COLUMNS", "unitizing_alpha", "segments", "unitizing_distance"]

#: Columns of the frame :func:`unitizing_alpha` returns.
UNITIZING_COLUMNS = ["coders", "code", "coefficient", "value", "observed", "expected",
                     "n_documents", "n_characters", "n_segments", "n_coders", "reason"]


def unitizing_alpha(codings, *, coders: Sequence[str] | None = None,
                    code: str | Sequence[str] | None = None,
                    lengths: Mapping[str, int] | None = None) -> pd.DataFrame:
    """Krippendorff's unitizing alpha (uα) per code and pooled, on character offsets.

    Parameters
    ----------
    codings : DataFrame or Study
        A codings frame (``doc_id, start, end, code, coder``) or a Study (its
        codings, and its texts' lengths as ``lengths``).
    coders : sequence of str, optional
        The coders compared; default every coder of the codings frame (of a
        Study: :func:`plcase.agreement.default_coders`).
    code : str or sequence of str, optional
        The codes; default every code in the codings.
    lengths : mapping of doc_id to int, optional
        The length of each document's text in characters (the continuum).
        Required for a codings frame; a Study supplies it.

    Returns
    -------
    DataFrame
        :data:`UNITIZING_COLUMNS`, one row per code then :data:`OVERALL`:
        ``observed`` and ``expected`` are D_o and D_e, ``n_documents`` and
        ``n_characters`` the documents every coder coded (only those are
        compared) and their length, ``n_segments`` the coded segments
        (after merging a coder's overlapping codings of one code), ``reason``
        why ``value`` is NaN.

    Examples
    --------
    Krippendorff's (2004, p. 254) example: one continuum from 150 to 450.

    >>> import pandas as pd
    >>> codings = pd.DataFrame({
    ...     "doc_id": "d", "coder": ["i", "i", "j", "j", "j", "i", "i", "j", "j"],
    ...     "code": ["c"] * 5 + ["k"] * 4,
    ...     "start": [75, 220, 70, 205, 250, 30, 150, 30, 150],
    ...     "end": [145, 250, 150, 225, 270, 90, 200, 90, 200]})
    >>> alpha = unitizing_alpha(codings, lengths={"d": 300})
    >>> alpha[["code", "value"]].round(4).values.tolist()
    [['c', 0.7286], ['k', 1.0], ['(overall)', 0.8587]]
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
    label = " vs ".join(map(str, coders))
    codings = codings[codings["coder"].isin(coders)]
    # Only documents every coder unitized can be compared.
    per_doc = codings.groupby("doc_id", observed=True)["coder"].nunique()
    docs = sorted(per_doc.index[per_doc == len(coders)])
    unknown = [d for d in docs if d not in lengths]
    if unknown:
        raise PlcaseError(f"no length for document(s) {', '.join(map(repr, unknown))}; "
                          f"lengths= needs every coded document")
    m = len(coders)
    total = int(sum(lengths[d] for d in docs))
    rows = []
    sums = [0.0, 0.0]
    for name in codes:
        mine = codings[(codings["code"] == name) & codings["doc_id"].isin(docs)]
        segs = {(d, c): segments(mine[(mine["doc_id"] == d) & (mine["coder"] == c)],
                                 lengths[d]) for d in docs for c in coders}
        n_units = sum(int(s["unit"].sum()) for s in segs.values())
        reason = np.nan
        observed = expected = value = np.nan
        if m < 2:
            reason = f"only {m} coder; agreement needs two or more"
        elif not docs:
            reason = "no document was coded by every coder"
        elif n_units == 0:
            reason = "no coder applied the code in the documents every coder coded"
        else:
            observed = _observed(segs, docs, coders) / (m * (m - 1) * total ** 2)
            expected = _expected(list(segs.values()), m, total)
            value = 1 - observed / expected if expected > 0 else np.nan
            if not expected > 0:
                reason = "undefined: expected disagreement is 0"
            sums[0] += observed
            sums[1] += expected
        rows.append((label, name, "unitizing_alpha", value, observed, expected, len(docs), total,
                     n_units, m, reason))
    defined = [r for r in rows if pd.isna(r[-1])]
    pooled_reason = np.nan if defined else "no code could be compared"
    pooled = 1 - sums[0] / sums[1] if defined and sums[1] > 0 else np.nan
    rows.append((label, OVERALL, "unitizing_alpha", pooled,
                 sums[0] if defined else np.nan, sums[1] if defined else np.nan, len(docs),
                 total, sum(r[8] for r in rows), m, pooled_reason))
    return pd.DataFrame(rows, columns=UNITIZING_COLUMNS)


def segments(codings: pd.DataFrame, length: int) -> pd.DataFrame:
    """One coder's units and gaps of one code in one document of ``length`` characters.

    Overlapping or touching codings are merged into one unit (their union):
    unitizing compares stretches of text, and a stretch coded twice is one
    stretch. Codings are clipped to ``[0, length)``.

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
    spans = sorted((max(0, int(s)), min(length, int(e)))
                   for s, e in zip(codings["start"], codings["end"]) if min(length, e) > max(0, s))
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    rows, at = [], 0
    for start, end in merged:
        if start > at:
            rows.append((at, start, False))
        rows.append((start, end, True))
        at = end
    if at < length:
        rows.append((at, length, False))
    return pd.DataFrame(rows, columns=["start", "end", "unit"])


def unitizing_distance(first, second) -> float:
    """delta^2 between two segments ``(start, end, is_unit)`` of two coders.

    Examples
    --------
    Krippendorff (2004, p. 254): units [225, 295) and [220, 300) differ by 50;
    a unit [400, 420) inside a gap [400, 450) by 400.

    >>> unitizing_distance((225, 295, True), (220, 300, True))
    50.0
    >>> unitizing_distance((400, 450, False), (400, 420, True))
    400.0
    """
    (b1, e1, u1), (b2, e2, u2) = first, second
    if u1 and u2 and b1 < e2 and b2 < e1:
        return float((b1 - b2) ** 2 + (e1 - e2) ** 2)
    if u1 and not u2 and b2 <= b1 and e1 <= e2:
        return float((e1 - b1) ** 2)
    if u2 and not u1 and b1 <= b2 and e2 <= e1:
        return float((e2 - b2) ** 2)
    return 0.0


def _observed(segs, docs, coders) -> float:
    """Sum of delta^2 over ordered coder pairs and every pair of their segments."""
    total = 0.0
    for d in docs:
        for first, second in permutations(coders, 2):
            a, b = segs[d, first], segs[d, second]
            b1, e1, u1 = (a[c].to_numpy()[:, None] for c in ("start", "end", "unit"))
            b2, e2, u2 = (b[c].to_numpy()[None, :] for c in ("start", "end", "unit"))
            both = u1 & u2 & (b1 < e2) & (b2 < e1)
            inside = u1 & ~u2 & (b2 <= b1) & (e1 <= e2)
            around = ~u1 & u2 & (b1 <= b2) & (e2 <= e1)
            distance = np.where(both, (b1 - b2) ** 2 + (e1 - e2) ** 2, 0) \
                + np.where(inside, (e1 - b1) ** 2, 0) + np.where(around, (e2 - b2) ** 2, 0)
            total += float(distance.sum())
    return total


def _expected(all_segments, m, total) -> float:
    """D_e from every coder's units and gaps (Krippendorff 2004, DKPro's normalisation)."""
    frame = pd.concat(all_segments, ignore_index=True)
    length = (frame["end"] - frame["start"]).to_numpy(dtype=float)
    unit = frame["unit"].to_numpy(dtype=bool)
    units, gaps = length[unit], np.sort(length[~unit])
    n = len(units)
    within = (n - 1) / 3 * (2 * units ** 3 - 3 * units ** 2 + units)
    # For each unit: sum over gaps at least as long of (gap - unit + 1).
    first = np.searchsorted(gaps, units, side="left")
    tail_sum = np.concatenate([np.cumsum(gaps[::-1])[::-1], [0.0]])[first]
    tail_count = len(gaps) - first
    fits = units ** 2 * (tail_sum - (units - 1) * tail_count)
    numerator = (2 / total) * (within + fits).sum()
    denominator = m * total * (m * total - 1) - (units * (units - 1)).sum()
    return float(numerator / denominator)
