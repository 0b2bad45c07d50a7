"""Krippendorff's unitizing family |uα, uα, cuα, (k)uα: coincidences of coded lengths.

Krippendorff, Mathet, Bouvry & Widlöcher (2016) replaced the positional
distances of the 2004 uα (:mod:`~plcase.agreement.unitizing.positional`),
which behaved unexpectedly with more than two coders, by coincidences of
lengths, and built a family of coefficients on them. In plcase's terms:

segmentation
    Each coder's text is cut into *units* (the merged stretches the coder
    coded with one code, valued by that code) and *gaps* (uncoded matter,
    value ∅). Documents are laid end to end; units never cross them.
observed coincidences (eq. 1)
    l[c, k] = sum over ordered pairs of coders i != j of the number of
    characters i gave value c and j gave value k, divided by m - 1
    (m coders). Its total is m L for a continuum of L characters.
expected coincidences (eq. 4)
    e[c, k] = (l[c] l[k] - [c = k] S[c]) / (l.. - S / l..), where l[c] is the
    marginal of c and S[c] removes the pairings of a segment with itself: a
    unit of length l cannot pair with itself (l² pairs), while a gap is l
    separate characters of uncoded matter (l pairs). Equivalently: every
    pair of characters, of any coders and documents, that does not lie in
    one segment, rescaled to the total l.. (the tests enumerate it so).
alpha
    1 - D_o / D_e, D_o and D_e the disagreeing (off-diagonal) parts of l and
    e (nominal: codes are unordered).

The members differ in the values they compare:

|uα (``binary_unitizing``, eq. 6)
    Relevant (coded with any of the codes) versus irrelevant matter; which
    code does not matter (the ∅ row of l and e against the rest). Where one
    coder's codings of different codes overlap, they form one relevant unit.
uα (``unitizing``, eq. 5)
    Every code is a value, ∅ another: where units are and which code they
    carry, at once.
cuα (``coding_of_units``, eqs. 10-11)
    Only the characters both coders of a pair coded, and only their codes:
    given that coders agree that something is a unit, do they agree on its
    code? l is restricted to the codes; in S, the part of i's unit that
    meets j's units counts once per ordered pair (i, j), over m - 1.
(k)uα (``coding_of_code``, eq. 13), one row per code
    cuα for one code k against the others: 1 - (e[k] / l[k]) (l[k] - l[k, k])
    / (e[k] - e[k, k]) on the restricted matrices.
Cuα (``unitizing_of_code``), one row per code
    uα of code k alone: k's units against all other matter. It answers "do
    coders find the same stretches of *this* code?", and unlike uα, cuα and
    (k)uα it is defined when codes overlap (themes). With one code, uα,
    |uα and Cuα coincide. (Issue 13's name; the paper's per-code member is
    (k)uα, which is conditional on the units.)

uα, cuα and (k)uα need mutually exclusive codes (a variable such as
glow / grow): where one coder's codings of two of the codes overlap, a
character has no single value, and those rows give the reason instead of a
value.

The equation numbers are the paper's as an independent implementation cites
them (the paper itself was not available to the implementer; the
definitions agree with Krippendorff's 2019 presentation, section 12.6, as
the quallmer R package documents it). No published worked example with
numbers was found, so the tests check this module against a
character-by-character enumeration of the definitions above on random small
cases and against cases whose value the definitions fix (see
``tests/test_agreement_unitizing_family.py``).

References
----------
Krippendorff, K., Mathet, Y., Bouvry, S. & Widlöcher, A. (2016). On the
reliability of unitizing textual continua: Further developments. Quality &
Quantity 50, 2347-2364.
Krippendorff, K. (2019). Content Analysis: An Introduction to Its
Methodology (4th ed.), section 12.6. Sage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import permutations

import numpy as np
import pandas as pd

from plcase.agreement.coefficients import OVERALL
from plcase.agreement.unitizing.continuum import continuum, stretches

__all__ = ["FAMILY_COLUMNS", "FAMILY", "unitizing_alpha_family"]

#: Columns of the frame :func:`unitizing_alpha_family` returns.
FAMILY_COLUMNS = ["coders", "code", "coefficient", "symbol", "value", "observed", "expected",
                  "n_documents", "n_characters", "n_segments", "n_coders", "reason"]

#: The family's coefficients, by the name in the ``coefficient`` column, with their symbols.
FAMILY = {"binary_unitizing": "|uα", "unitizing": "uα", "coding_of_units": "cuα",
          "unitizing_of_code": "Cuα", "coding_of_code": "(k)uα"}

_RELEVANT = "(relevant)"


def unitizing_alpha_family(codings, *, coders: Sequence[str] | None = None,
                           code: str | Sequence[str] | None = None,
                           lengths: Mapping[str, int] | None = None) -> pd.DataFrame:
    """Krippendorff's (2016) unitizing family: |uα, uα, cuα pooled; Cuα and (k)uα per code.

    Parameters
    ----------
    codings : DataFrame or Study
        A codings frame (``doc_id, start, end, code, coder``) or a Study (its
        codings, and its texts' lengths as ``lengths``).
    coders : sequence of str, optional
        The coders compared; default every coder of the codings frame (of a
        Study: :func:`plcase.agreement.default_coders`).
    code : str or sequence of str, optional
        The codes; default every code in the codings. For uα and cuα they
        should be mutually exclusive (one nominal variable, e.g. the valence
        codes); Cuα is defined for any codes.
    lengths : mapping of doc_id to int, optional
        Each document's length in characters; a Study supplies it.

    Returns
    -------
    DataFrame
        :data:`FAMILY_COLUMNS`: rows ``binary_unitizing`` (|uα),
        ``unitizing`` (uα) and ``coding_of_units`` (cuα) with ``code``
        :data:`~plcase.agreement.OVERALL`, then one ``unitizing_of_code``
        (Cuα) row per code, then one ``coding_of_code`` ((k)uα) row per code
        (definitions in :mod:`plcase.agreement.unitizing.coincidence`).
        ``observed`` and ``expected`` are the disagreeing coincidences as
        shares of all coincidences compared (D_o and D_e), ``n_documents``
        and ``n_characters`` the documents every coder coded and their
        length, ``n_segments`` the units compared, ``reason`` why ``value``
        is NaN.

    Examples
    --------
    Two coders mark glow and grow in a 20-character answer. They nearly agree
    on where the units are (|uα), but not on the second unit's code, so
    coding the units they share (cuα) is at chance level.

    >>> import pandas as pd
    >>> codings = pd.DataFrame({
    ...     "doc_id": "d", "coder": ["a", "a", "b", "b"],
    ...     "code": ["glow", "grow", "glow", "glow"],
    ...     "start": [0, 10, 0, 10], "end": [5, 16, 5, 18]})
    >>> family = unitizing_alpha_family(codings, lengths={"d": 20})
    >>> family[["symbol", "code", "value"]].round(3).values.tolist()[:5]
    [['|uα', '(overall)', 0.813], ['uα', '(overall)', 0.417], ['cuα', '(overall)', -0.028], \
['Cuα', 'glow', 0.261], ['Cuα', 'grow', -0.125]]

    Codes that overlap (themes) have no uα or cuα, and say why:

    >>> themes = codings.assign(code=["a", "b", "a", "b"], end=[12, 16, 5, 18])
    >>> unitizing_alpha_family(themes, lengths={"d": 20})["reason"].iloc[1]
    "'a' coded 'd' [10, 12) with both 'a' and 'b'; uα, cuα and (k)uα need mutually exclusive \
codes (pass them as code=)"

    """
    found = continuum(codings, coders=coders, code=code, lengths=lengths)
    m, docs, label = len(found.coders), found.documents, found.label
    by_doc_coder = {key: frame for key, frame
                    in found.codings.groupby(["doc_id", "coder"], observed=True)}
    empty = found.codings.iloc[:0]

    def units_of(value_of):
        """Per document, each coder's sorted units (start, end, value)."""
        out = {}
        for d in docs:
            for c in found.coders:
                mine = by_doc_coder.get((d, c), empty)
                units = []
                for value, rows in mine.groupby(mine["code"].map(value_of), sort=False,
                                                observed=True):
                    units += [(s, e, value) for s, e in stretches(rows, found.lengths[d])]
                out[d, c] = sorted(units)
        return out

    def row(coefficient, name, units, result, reason):
        n_units = sum(len(u) for u in units.values()) if units else 0
        value, observed, expected = result if reason is None else (np.nan,) * 3
        return (label, name, coefficient, FAMILY[coefficient], value, observed, expected,
                len(docs), found.n_characters, n_units, m, np.nan if reason is None else reason)

    def compare(units, restricted=False, value=None):
        if m < 2:
            return None, f"only {m} coder; agreement needs two or more"
        if not docs:
            return None, "no document was coded by every coder"
        if not any(units.values()):
            return None, "no coder applied the code(s) in the documents every coder coded"
        observed, selves, values = _coincidences(units, found, restricted)
        if restricted and observed.sum() == 0:
            return None, "no two coders' units overlap; there is no shared unit to code"
        if value is None:
            return _alpha(observed, selves, restricted)
        if value not in values or observed[values.index(value)].sum() == 0:
            return None, f"no unit coded {value!r} overlaps another coder's unit"
        return _alpha_of_value(observed, selves, values.index(value))

    rows = []
    valued = units_of(lambda name: name)
    clash = _first_overlap(valued)
    # |uα: the same units with their codes dropped; where codes overlap (no
    # single value per character), the overlapping units are one relevant unit.
    relevant = {key: _merge_overlapping([(s, e, _RELEVANT) for s, e, _ in units])
                for key, units in valued.items()}
    rows.append(row("binary_unitizing", OVERALL, relevant, *compare(relevant)))
    for coefficient, restricted in (("unitizing", False), ("coding_of_units", True)):
        if clash is not None and m >= 2:
            rows.append(row(coefficient, OVERALL, valued, None, clash))
        else:
            rows.append(row(coefficient, OVERALL, valued, *compare(valued, restricted)))
    for name in found.codes:
        alone = {key: [u for u in units if u[2] == name] for key, units in valued.items()}
        rows.append(row("unitizing_of_code", name, alone, *compare(alone)))
    for name in found.codes:
        alone = {key: [u for u in units if u[2] == name] for key, units in valued.items()}
        if clash is not None and m >= 2:
            rows.append(row("coding_of_code", name, alone, None, clash))
            continue
        result, reason = compare(valued, restricted=True, value=name)
        rows.append(row("coding_of_code", name, alone, result, reason))
    return pd.DataFrame(rows, columns=FAMILY_COLUMNS)


def _merge_overlapping(units):
    """Units of one value, overlapping ones merged; touching ones stay apart."""
    merged: list[list] = []
    for start, end, value in sorted(units):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end, value])
    return [tuple(u) for u in merged]


def _first_overlap(units) -> str | None:
    """Why uα and cuα are undefined, when one coder's units of two codes overlap."""
    for (doc, coder), mine in units.items():
        for (s1, e1, v1), (s2, e2, v2) in zip(mine, mine[1:]):
            if s2 < e1:
                return (f"{coder!r} coded {doc!r} [{s2}, {min(e1, e2)}) with both {v1!r} and "
                        f"{v2!r}; uα, cuα and (k)uα need mutually exclusive codes "
                        f"(pass them as code=)")
    return None


def _coincidences(units, found, restricted):
    """Observed coincidences, self-pairings per value, and the value index.

    Returns ``(observed, selves, values)``: ``observed[c, k]`` as in the
    module docstring (index 0 is ∅ unless ``restricted``), ``selves[c]`` the
    sum S[c] of self-pairings.
    """
    values = sorted({u[2] for mine in units.values() for u in mine}, key=str)
    index = {v: i + 1 for i, v in enumerate(values)}
    size = len(values) + 1
    observed = np.zeros((size, size))
    selves = np.zeros(size)
    m = len(found.coders)
    for d in found.documents:
        length = found.lengths[d]
        for i, j in permutations(found.coders, 2):
            a, b = units[d, i], units[d, j]
            shared = _overlaps(a, b)
            for (p, q), overlap in shared.items():
                observed[index[a[p][2]], index[b[q][2]]] += overlap
            if not restricted:
                # i's units outside j's units meet j's gaps; j's units outside
                # i's are counted when (j, i) is the ordered pair.
                covered_a = np.zeros(len(a))
                for (p, _), overlap in shared.items():
                    covered_a[p] += overlap
                for p, (s, e, v) in enumerate(a):
                    observed[index[v], 0] += e - s - covered_a[p]
                in_a = sum(e - s for s, e, _ in a)
                in_b = sum(e - s for s, e, _ in b)
                observed[0, 0] += length - in_a - in_b + sum(shared.values())
        for i in found.coders:
            mine = units[d, i]
            if restricted:
                # Within each ordered pair (i, j), the part of i's unit that
                # meets j's units cannot pair with itself (2016, eq. 10).
                for j in found.coders:
                    if j != i:
                        shared = np.zeros(len(mine))
                        for (p, _), overlap in _overlaps(mine, units[d, j]).items():
                            shared[p] += overlap
                        for p, (_, _, v) in enumerate(mine):
                            selves[index[v]] += shared[p] ** 2 / (m - 1)
            else:
                for s, e, v in mine:
                    selves[index[v]] += (e - s) ** 2
                selves[0] += length - sum(e - s for s, e, _ in mine)
    observed /= m - 1
    if restricted:
        observed, selves = observed[1:, 1:], selves[1:]
    else:
        # The unit-gap cells were filled from one side only; coincidences are symmetric.
        observed[0, 1:] = observed[1:, 0]
    return observed, selves, values


def _overlaps(first, second) -> dict:
    """{(index in first, index in second): overlap} for two sorted lists of units."""
    out, q = {}, 0
    for p, (s1, e1, _) in enumerate(first):
        while q < len(second) and second[q][1] <= s1:
            q += 1
        r = q
        while r < len(second) and second[r][0] < e1:
            overlap = min(e1, second[r][1]) - max(s1, second[r][0])
            if overlap > 0:
                out[p, r] = overlap
            r += 1
    return out


def _alpha(observed, selves, restricted):
    """(value, D_o, D_e) and a reason when undefined, from the coincidences."""
    total = observed.sum()
    marginal = observed.sum(axis=1)
    expected = (np.outer(marginal, marginal) - np.diag(selves)) / (total - selves.sum() / total)
    disagree_o = (total - np.trace(observed)) / total
    disagree_e = (expected.sum() - np.trace(expected)) / total
    if not disagree_e > 0:
        what = "code was applied where units overlap" if restricted else "kind of matter was found"
        return None, f"undefined: expected disagreement is 0 (only one {what})"
    return (1 - disagree_o / disagree_e, disagree_o, disagree_e), None


def _alpha_of_value(observed, selves, k):
    """(k)uα of value ``k`` from the restricted coincidences (2016, eq. 13, nominal)."""
    total = observed.sum()
    marginal = observed.sum(axis=1)
    expected = (np.outer(marginal, marginal) - np.diag(selves)) / (total - selves.sum() / total)
    observed_k, expected_k = marginal[k], expected[k].sum()
    disagree_o = (observed_k - observed[k, k]) / total
    disagree_e = (expected_k - expected[k, k]) / total
    if not disagree_e > 0:
        return None, ("undefined: expected disagreement is 0 (only one code was applied "
                      "where units overlap)")
    # The ratio of marginals corrects for expected and observed marginals of
    # k differing once self-pairings are left out.
    return (1 - (expected_k / observed_k) * disagree_o / disagree_e, disagree_o, disagree_e), None
