"""Krippendorff's unitizing alpha (issue 13, point 7).

Reference: Krippendorff (2004), Content Analysis (2nd ed.), p. 254: two
observers unitize a continuum from 150 to 450 with categories c and k;
published D_o = .0144, D_e = .0532 and alpha = .7286 for c, alpha = 1 for k
(the same figures the DKPro Statistics test suite reproduces,
Krippendorff2004Test). Small cases are checked against a brute-force
enumeration of every pair of segments and every placement of a unit.
"""

from __future__ import annotations

from itertools import permutations

import numpy as np
import pandas as pd
import pytest

import plcase
from plcase.agreement import OVERALL, unitizing_alpha
from plcase.agreement.unitizing import segments, unitizing_distance
from plcase.errors import PlcaseError

# The book's continuum starts at 150; offsets here start at 0 (subtract 150).
BOOK = pd.DataFrame([
    ("i", "c", 225, 295), ("i", "c", 370, 400), ("j", "c", 220, 300), ("j", "c", 355, 375),
    ("j", "c", 400, 420), ("i", "k", 180, 240), ("i", "k", 300, 350), ("j", "k", 180, 240),
    ("j", "k", 300, 350)], columns=["coder", "code", "start", "end"]).assign(doc_id="d")
BOOK[["start", "end"]] -= 150


def test_krippendorff_2004_worked_example():
    result = unitizing_alpha(BOOK, lengths={"d": 300}).set_index("code")
    assert result.loc["c", "observed"] == pytest.approx(0.0144, abs=5e-5)
    assert result.loc["c", "expected"] == pytest.approx(0.0532, abs=5e-5)
    assert result.loc["c", "value"] == pytest.approx(0.7286, abs=5e-5)
    assert result.loc["k", "observed"] == 0
    assert result.loc["k", "expected"] == pytest.approx(0.0490, abs=5e-5)
    assert result.loc["k", "value"] == 1.0
    # Pooled over both categories (DKPro reports .8591 with tolerance .0005).
    assert result.loc[OVERALL, "value"] == pytest.approx(0.8591, abs=5e-4)
    assert result.loc["c", "n_segments"] == 5 and result.loc[OVERALL, "n_characters"] == 300


def test_krippendorff_2004_distances():
    # The book's (and DKPro's) distances: 50, 850 and 400.
    assert unitizing_distance((225, 295, True), (220, 300, True)) == 50
    assert unitizing_distance((370, 400, True), (355, 375, True)) == 850
    assert unitizing_distance((400, 450, False), (400, 420, True)) == 400
    # A unit only partly inside a gap adds nothing: its overlap with the other
    # coder's unit carries the disagreement.
    assert unitizing_distance((370, 400, True), (375, 400, False)) == 0


def brute_force(codings, length, coders):
    """uα of one code in one document, from the definitions, by plain loops."""
    segs = {c: [tuple(r) for r in segments(codings[codings.coder == c], length).values]
            for c in coders}
    m = len(coders)
    observed = 0
    for first, second in permutations(coders, 2):
        for g in segs[first]:
            for h in segs[second]:
                # Overlap tested character by character.
                if not set(range(g[0], g[1])) & set(range(h[0], h[1])):
                    continue
                if g[2] and h[2]:
                    observed += (g[0] - h[0]) ** 2 + (g[1] - h[1]) ** 2
                elif g[2] and set(range(g[0], g[1])) <= set(range(h[0], h[1])):
                    observed += (g[1] - g[0]) ** 2
                elif h[2] and set(range(h[0], h[1])) <= set(range(g[0], g[1])):
                    observed += (h[1] - h[0]) ** 2
    every = [s for c in coders for s in segs[c]]
    units = [e - s for s, e, u in every if u]
    gaps = [e - s for s, e, u in every if not u]
    total = 0
    for unit in units:
        # Unit against the other units: (N - 1) times twice the sum of squared shifts.
        total += 2 * (len(units) - 1) * sum(d * d for d in range(unit))
        # Unit inside every gap at every position where it fits.
        total += sum(unit ** 2 for gap in gaps for _ in range(gap - unit + 1))
    expected = (2 / length) * total / (m * length * (m * length - 1)
                                      - sum(u * (u - 1) for u in units))
    return 1 - (observed / (m * (m - 1) * length ** 2)) / expected


@pytest.mark.parametrize("seed", range(12))
def test_small_cases_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    length = int(rng.integers(8, 20))
    coders = ["a", "b", "c"][: int(rng.integers(2, 4))]
    rows = []
    for coder in coders:
        for _ in range(int(rng.integers(1, 4))):
            start = int(rng.integers(0, length - 1))
            rows.append(("d", coder, "x", start, int(rng.integers(start + 1, length + 1))))
    codings = pd.DataFrame(rows, columns=["doc_id", "coder", "code", "start", "end"])
    got = unitizing_alpha(codings, lengths={"d": length}).iloc[0]["value"]
    expected = brute_force(codings, length, coders)
    assert got == pytest.approx(expected, abs=1e-12) or (np.isnan(got) and np.isnan(expected))


def test_identical_unitizing_is_perfect_and_overlaps_merge():
    codings = pd.DataFrame({"doc_id": "d", "coder": ["a", "a", "b"], "code": "x",
                            "start": [2, 5, 2], "end": [6, 9, 9]})
    assert segments(codings[codings.coder == "a"], 12).values.tolist() == [
        [0, 2, False], [2, 9, True], [9, 12, False]]
    assert unitizing_alpha(codings, lengths={"d": 12})["value"].iloc[0] == 1.0


def test_only_documents_every_coder_coded_and_reasons():
    codings = pd.DataFrame({"doc_id": ["d", "d", "e"], "coder": ["a", "b", "a"], "code": "x",
                            "start": [0, 1, 0], "end": [4, 4, 3]})
    result = unitizing_alpha(codings, lengths={"d": 10, "e": 10})
    assert result["n_documents"].iloc[0] == 1 and result["n_characters"].iloc[0] == 10
    lonely = unitizing_alpha(codings, coders=["a"], lengths={"d": 10, "e": 10})
    assert lonely["reason"].iloc[0] == "only 1 coder; agreement needs two or more"
    with pytest.raises(PlcaseError, match="length"):
        unitizing_alpha(codings)


def test_unitizing_alpha_on_a_study(sample):
    result = plcase.unitizing_alpha(sample, coders=["coder_a", "coder_b"], code=["glow", "grow"])
    shared = sample.codings.groupby("doc_id")["coder"].nunique()
    both = shared.index[shared == 2]
    assert result["n_documents"].iloc[0] == len(both)
    assert result["n_characters"].iloc[0] == sum(len(sample.texts[d]) for d in both)
    assert result["value"].between(-1, 1).all()
