"""Krippendorff's unitizing family |uα, uα, cuα, Cuα: coincidences of coded lengths.

Krippendorff, Mathet, Bouvry & Widlöcher (2016) replaced the positional
distances of the 2004 uα (:mod:`~plcase.agreement.unitizing.positional`),
which behaved unexpectedly with more than two coders, by coincidences of
lengths, and built a family of coefficients on them. In plcase's terms:

segmentation
    Each coder's text is cut into *units* (the merged stretches the coder
    coded with one code, valued by that code) and *gaps* (uncoded matter,
    value ∅). Documents are laid end to end; units never cross them.
observed coincidences
    l[c, k] = sum over ordered pairs of coders i != j of the number of
    characters i gave value c and j gave value k, divided by m - 1
    (m coders). Its total is m L for a continuum of L characters.
expected coincidences
    e[c, k] = (l[c] l[k] - [c = k] S[c]) / (l.. - S / l..), where l[c] is the
    marginal of c and S[c] removes the pairings of a segment with itself: a
    unit of length l cannot pair with itself (l² pairs), while a gap is l
    separate characters of uncoded matter (l pairs). Equivalently: every
    pair of coded characters, of any coders and documents, that does not lie
    in one segment, rescaled to the total l.. (tested that way).
alpha
    1 - sum of l[c, k] over c != k / sum of e[c, k] over c != k (nominal).

The four coefficients differ in the values they give the characters:

|uα (``binary_unitizing``)
    Relevant (coded with any of the codes) versus irrelevant matter; which
    code does not matter. Units are the merged stretches of all the codes.
uα (``unitizing``)
    Every code is a value, ∅ another: agreement on where units are and on
    their codes at once. Needs mutually exclusive codes (a variable such as
    glow / grow): where one coder's codings of two of the codes overlap, a
    character has no single value, and the row says so instead of a value.
cuα (``coding_of_units``)
    Only the characters both coders of a pair coded, and only their codes:
    given that coders agree that something is a unit, do they agree on its
    code? The matrices are l and e restricted to the codes, with each unit
    counted by the length it shares with the other coders' units (its share
    of the restricted marginals) in S. Needs mutually exclusive codes.
Cuα (``unitizing_of_code``), one row per code
    |uα of the continuum as seen by one code: that code's units versus all
    other matter. It answers "do coders find the same stretches of *this*
    code?" and, unlike uα and cuα, is defined for codes that overlap.

Where the paper's own text was not available to the implementer, the
definitions above follow Krippendorff's (2019, section 12.6) presentation of
the family as read from the quallmer R package's documentation; the tests
check this module against a character-by-character enumeration of these
definitions and against degenerate cases, not against published numbers
(see the note in ``tests/test_agreement_unitizing_family.py``).

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
          "unitizing_of_code": "Cuα"}

_RELEVANT = "(relevant)"


def unitizing_alpha_family(codings, *, coders: Sequence[str] | None = None,
                           code: str | Sequence[str] | None = None,
                           lengths: Mapping[str, int] | None = None) -> pd.DataFrame:
    """Krippendorff's (2016) unitizing family: |uα, uα, cuα pooled and Cuα per code.

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
        (Cuα) row per code. ``observed`` and ``expected`` are the
        disagreeing coincidences as shares of all coincidences compared
        (D_o and D_e), ``n_documents`` and ``n_characters`` the documents
        every coder coded and their length, ``n_segments`` the units
        compared, ``reason`` why ``value`` is NaN.

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
    >>> family[["symbol", "code", "value"]].round(3).values.tolist()
    [['|uα', '(overall)', 0.813], ['uα', '(overall)', 0.417], ['cuα', '(overall)', -0.028], \
['Cuα', 'glow', 0.261], ['Cuα', 'grow', -0.125]]
    """
    found = continuum(codings, coders=coders, code=code, lengths=lengths)
    m, docs, label = len(found.coders), found.documents, found.label
    by_doc_coder = {key: frame for key, frame in found.codings.groupby(["doc_id", "coder"])}
    empty = found.codings.iloc[:0]

    def units_of(value_of):
        """Per document, each coder's sorted units (start, end, value)."""
        out = {}
        for d in docs:
            for c in found.coders:
                mine = by_doc_coder.get((d, c), empty)
                units = []
                for value, rows in mine.groupby(mine["code"].map(value_of), sort=False):
                    units += [(s, e, value) for s, e in stretches(rows, found.lengths[d])]
                out[d, c] = sorted(units)
        return out

    def row(coefficient, name, units, result, reason):
        n_units = sum(len(u) for u in units.values()) if units else 0
        value, observed, expected = result if reason is None else (np.nan,) * 3
        return (label, name, coefficient, FAMILY[coefficient], value, observed, expected,
                len(docs), found.n_characters, n_units, m, np.nan if reason is None else reason)

    def compare(units, restricted=False):
        if m < 2:
            return None, f"only {m} coder; agreement needs two or more"
        if not docs:
            return None, "no document was coded by every coder"
        if not any(units.values()):
            return None, "no coder applied the code(s) in the documents every coder coded"
        observed, selves, shares = _coincidences(units, found, restricted)
        if restricted and observed.sum() == 0:
            return None, "no two coders' units overlap; there is no shared unit to code"
        return _alpha(observed, selves, restricted)

    rows = []
    relevant = units_of(lambda _: _RELEVANT)
    rows.append(row("binary_unitizing", OVERALL, relevant, *compare(relevant)))
    valued = units_of(lambda name: name)
    clash = _first_overlap(valued)
    for coefficient, restricted in (("unitizing", False), ("coding_of_units", True)):
        if clash is not None and m >= 2:
            rows.append(row(coefficient, OVERALL, valued, None, clash))
        else:
            rows.append(row(coefficient, OVERALL, valued, *compare(valued, restricted)))
    for name in found.codes:
        alone = units_of(lambda other, name=name: _RELEVANT if other == name else None)
        alone = {key: [u for u in units if u[2] is not None] for key, units in alone.items()}
        rows.append(row("unitizing_of_code", name, alone, *compare(alone)))
    return pd.DataFrame(rows, columns=FAMILY_COLUMNS)


def _first_overlap(units) -> str | None:
    """Why uα and cuα are undefined, when one coder's units of two codes overlap."""
    for (doc, coder), mine in units.items():
        for (s1, e1, v1), (s2, e2, v2) in zip(mine, mine[1:]):
            if s2 < e1:
                return (f"{coder!r} coded {doc!r} [{s2}, {min(e1, e2)}) with both {v1!r} and "
                        f"{v2!r}; uα and cuα need mutually exclusive codes (pass them as code=)")
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
                # A unit counts by its share of the restricted marginal: the
                # length it shares with each other coder's units, over m - 1.
                share = np.zeros(len(mine))
                for j in found.coders:
                    if j != i:
                        for (p, _), overlap in _overlaps(mine, units[d, j]).items():
                            share[p] += overlap / (m - 1)
                for p, (_, _, v) in enumerate(mine):
                    selves[index[v]] += share[p] ** 2
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
