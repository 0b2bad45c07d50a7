"""Krippendorff's unitizing family |uα, uα, cuα, (k)uα and Cuα (issue 13, point 7).

No published worked example with numbers for this family was found. Searched
(with the search tool's docs, code, pages and issues corpora): Krippendorff,
Mathet, Bouvry & Widlöcher (2016), Quality & Quantity 50:2347-2364 (only its
abstract is stored); Krippendorff (2019), Content Analysis 4th ed., section
12.6; Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability"
(no unitizing example); DKPro Statistics (implements only the 2004 uα, tested
in test_agreement_unitizing.py); the K-Alpha Calculator (nothing stored); the
quallmer R package (``reliability_alpha_u``, no unitizing numbers in its
tests); the Python implementations zeljkobekcic/KrippendorffUnitizedAlpha and
lindanna/unitized_alpha, whose README values (0.567; 0.474 / 0.433 / 0.779)
come from segments with inclusive ends whose lengths are taken as end - start
(one character lost per segment) and so cannot serve as references, although
their expected-coincidence formula (eq. 4: l² per unit, l per gap) is the one
used here.

So the module is checked against what can be checked without plcase's own
output:

- a slow, literal enumeration of the definitions, character by character:
  observed coincidences are the characters two coders gave values c and k at
  the same place; expected coincidences (uα, |uα, Cuα) are all pairs of
  characters (any coders, any documents) that do not lie in one segment,
  rescaled to the same total; for cuα and (k)uα the restricted marginals and
  self-pairings are counted character by character (``brute_force`` below),
  on random small cases with 2 to 4 coders, 1 to 3 codes, touching and
  overlapping codings and one or two documents;
- cases whose value the definitions fix: identical coding is 1 on every
  member, independent coders are near 0, boundaries that differ while codes
  agree give cuα = 1 but uα < 1, one code makes uα = |uα = Cuα;
- every NaN carries its reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import plcase
from plcase.agreement import FAMILY_COLUMNS, OVERALL, unitizing_alpha_family


def character_values(codings, coders, lengths, value_of, unit_of=None):
    """{(doc, coder): [(value, segment id) per character]}, the definitions' segmentation.

    A character gets the value of the code covering it (``value_of(code)``,
    None to ignore the code) or None (a gap). A unit is a maximal run of
    characters of one code (``unit_of(code)``, default its value):
    overlapping or touching codings of one code merge, every gap character
    is a segment of its own.
    """
    unit_of = unit_of or value_of
    out, segment = {}, 0
    for doc, length in lengths.items():
        for coder in coders:
            values, runs = [None] * length, [None] * length
            mine = codings[(codings.doc_id == doc) & (codings.coder == coder)]
            for code, start, end in zip(mine.code, mine.start, mine.end):
                if value_of(code) is None:
                    continue
                for x in range(max(0, start), min(length, end)):
                    assert runs[x] in (None, unit_of(code)), "cases keep codes exclusive"
                    values[x], runs[x] = value_of(code), unit_of(code)
            ids = []
            for x in range(length):
                if runs[x] is None or x == 0 or runs[x] != runs[x - 1]:
                    segment += 1
                ids.append(segment)
            out[doc, coder] = list(zip(values, ids))
    return out


def brute_force(codings, coders, lengths, value_of, unit_of=None, restricted=False,
                value=None):
    """alpha from the definitions, by enumerating characters (and, unrestricted, their pairs)."""
    chars = character_values(codings, coders, lengths, value_of, unit_of)
    m = len(coders)
    observed = {}
    for doc, length in lengths.items():
        for x in range(length):
            for i in coders:
                for j in coders:
                    vi, vj = chars[doc, i][x][0], chars[doc, j][x][0]
                    if i != j and not (restricted and (vi is None or vj is None)):
                        observed[vi, vj] = observed.get((vi, vj), 0) + 1 / (m - 1)
    expected = {}
    if not restricted:
        # Every pair of coded characters (any coders, documents) not in one segment.
        cells = [(chars[d, i][x], i) for d, n in lengths.items() for i in coders
                 for x in range(n)]
        for (vi, si), i in cells:
            for (vj, sj), j in cells:
                if (i, si) != (j, sj):
                    expected[vi, vj] = expected.get((vi, vj), 0) + 1
        total = len(cells)
        scale = total / sum(expected.values())
        expected = {key: n * scale for key, n in expected.items()}
    else:
        # 2016, eq. 10: per ordered pair (i, j), the characters of each unit of
        # i that meet j's units pair with the others but not among themselves.
        marginal, selves = {}, {}
        for (c, _), n in observed.items():
            marginal[c] = marginal.get(c, 0) + n
        for doc, length in lengths.items():
            for i in coders:
                for j in coders:
                    if i == j:
                        continue
                    met = {}
                    for x in range(length):
                        (vi, si), vj = chars[doc, i][x], chars[doc, j][x][0]
                        if vi is not None and vj is not None:
                            met[vi, si] = met.get((vi, si), 0) + 1
                    for (vi, _), n in met.items():
                        selves[vi] = selves.get(vi, 0) + n * n / (m - 1)
        total = sum(marginal.values())
        if total == 0:
            return np.nan
        denominator = total - sum(selves.values()) / total
        expected = {(c, k): (marginal[c] * marginal[k] - (selves[c] if c == k else 0))
                    / denominator for c in marginal for k in marginal}
    if value is not None:  # (k)uα, nominal (2016, eq. 13)
        l_k = sum(n for (c, _), n in observed.items() if c == value)
        e_k = sum(n for (c, _), n in expected.items() if c == value)
        if l_k == 0:
            return np.nan
        d_o = l_k - observed.get((value, value), 0)
        d_e = e_k - expected.get((value, value), 0)
        return 1 - (e_k / l_k) * d_o / d_e if d_e > 0 else np.nan
    d_o = sum(n for (c, k), n in observed.items() if c != k)
    d_e = sum(n for (c, k), n in expected.items() if c != k)
    return 1 - d_o / d_e if d_e > 0 else np.nan


def random_case(rng, n_coders, n_codes, n_docs, exclusive):
    coders = [f"c{i}" for i in range(n_coders)]
    codes = [f"k{i}" for i in range(n_codes)]
    lengths = {f"d{i}": int(rng.integers(8, 16)) for i in range(n_docs)}
    rows = []
    for doc, length in lengths.items():
        for coder in coders:
            rows.append((doc, coder, "other", 0, 0))  # the coder coded the document
            at = 0
            while at < length - 1:
                start = int(rng.integers(at, length))
                end = int(rng.integers(start + 1, length + 1))
                code = codes[int(rng.integers(n_codes))]
                rows.append((doc, coder, code, start, end))
                if not exclusive and rng.random() < 0.5:
                    rows.append((doc, coder, codes[int(rng.integers(n_codes))],
                                 int(rng.integers(0, start + 1)), end))
                at = end + int(rng.integers(0, 4)) if exclusive else end
            if rng.random() < 0.3:  # overlapping codings of one code merge
                rows.append((doc, coder, codes[0], 0, 2))
    codings = pd.DataFrame(rows, columns=["doc_id", "coder", "code", "start", "end"])
    if exclusive:
        codings = _make_exclusive(codings)
    applied = [c for c in codes if c in set(codings.code)]
    return codings, coders, applied, lengths


def _make_exclusive(codings):
    """Give every overlapping cluster of one coder's codings the first coding's code."""
    out = []
    for _, mine in codings.groupby(["doc_id", "coder"]):
        mine = mine.sort_values(["start", "end"])
        code, reach = None, -1
        for row in mine.itertuples(index=False):
            if row.code == "other":
                out.append(row)
                continue
            if row.start >= reach:
                code = row.code
            out.append(row._replace(code=code))
            reach = max(reach, row.end)
    return pd.DataFrame(out, columns=codings.columns)


@pytest.mark.parametrize("seed", range(40))
def test_every_member_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    codings, coders, codes, lengths = random_case(
        rng, n_coders=int(rng.integers(2, 5)), n_codes=int(rng.integers(1, 4)),
        n_docs=int(rng.integers(1, 3)), exclusive=True)
    got = unitizing_alpha_family(codings, code=codes, lengths=lengths)
    got = got.set_index(["coefficient", "code"])["value"]
    mine = lambda c: c if c in codes else None  # noqa: E731
    expected = {
        ("binary_unitizing", OVERALL): brute_force(
            codings, coders, lengths, lambda c: "u" if c in codes else None, unit_of=mine),
        ("unitizing", OVERALL): brute_force(codings, coders, lengths, mine),
        ("coding_of_units", OVERALL): brute_force(codings, coders, lengths, mine,
                                                  restricted=True),
    }
    for code in codes:
        expected["unitizing_of_code", code] = brute_force(
            codings, coders, lengths, lambda c, code=code: "u" if c == code else None)
        expected["coding_of_code", code] = brute_force(codings, coders, lengths, mine,
                                                       restricted=True, value=code)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=1e-12, nan_ok=True), key


@pytest.mark.parametrize("seed", range(15))
def test_cu_alpha_per_code_matches_brute_force_when_codes_overlap(seed):
    rng = np.random.default_rng(100 + seed)
    codings, coders, codes, lengths = random_case(rng, 2 + seed % 2, 3, 2, exclusive=False)
    got = unitizing_alpha_family(codings, code=codes, lengths=lengths).set_index(
        ["coefficient", "code"])
    for code in codes:
        expected = brute_force(codings, coders, lengths,
                               lambda c, code=code: "u" if c == code else None)
        assert got.loc[("unitizing_of_code", code), "value"] == pytest.approx(
            expected, abs=1e-12, nan_ok=True)


def test_brute_force_enumerates_segments_not_characters():
    # One unit of 4 characters per coder, identical: the expected pairs leave
    # out the 16 pairs inside each unit and the single pairs of gap characters.
    codings = pd.DataFrame({"doc_id": "d", "coder": ["a", "b"], "code": "x",
                            "start": 2, "end": 6})
    assert brute_force(codings, ["a", "b"], {"d": 10}, lambda c: c) == 1.0
    # Disjoint units: the coders never agree on a coded character.
    codings = pd.DataFrame({"doc_id": "d", "coder": ["a", "b"], "code": "x",
                            "start": [0, 5], "end": [5, 10]})
    observed_all_disagree = brute_force(codings, ["a", "b"], {"d": 10}, lambda c: c)
    assert observed_all_disagree < -0.5


def test_identical_coding_is_perfect_on_every_member():
    codings = pd.DataFrame({"doc_id": ["d", "d", "d", "d", "e", "e"],
                            "coder": ["a", "a", "b", "b", "a", "b"],
                            "code": ["glow", "grow", "glow", "grow", "grow", "grow"],
                            "start": [0, 12, 0, 12, 3, 3], "end": [7, 20, 7, 20, 9, 9]})
    result = unitizing_alpha_family(codings, lengths={"d": 30, "e": 10})
    assert list(result.columns) == FAMILY_COLUMNS
    assert (result["value"] == 1.0).all() and result["reason"].isna().all()
    assert result.set_index("symbol").loc["uα", "n_segments"] == 6
    assert result["n_documents"].eq(2).all() and result["n_characters"].eq(40).all()


def test_boundaries_off_but_codes_agree_gives_perfect_cu_alpha_only():
    codings = pd.DataFrame({"doc_id": "d", "coder": ["a", "a", "b", "b"],
                            "code": ["glow", "grow", "glow", "grow"],
                            "start": [0, 12, 2, 10], "end": [7, 20, 8, 18]})
    result = unitizing_alpha_family(codings, lengths={"d": 30}).set_index("symbol")
    assert result.loc["cuα", "value"] == 1.0
    assert 0 < result.loc["uα", "value"] < 1 and 0 < result.loc["|uα", "value"] < 1


def test_one_code_binary_equals_per_code():
    rng = np.random.default_rng(7)
    codings, coders, codes, lengths = random_case(rng, 3, 1, 2, exclusive=True)
    result = unitizing_alpha_family(codings, code=codes, lengths=lengths).set_index("symbol")
    assert result.loc["|uα", "value"] == pytest.approx(result.loc["Cuα", "value"], abs=1e-12)
    assert result.loc["|uα", "value"] == pytest.approx(result.loc["uα", "value"], abs=1e-12)


def test_independent_coders_are_near_zero():
    # Coders who place units at random, independently, agree at chance level.
    rng = np.random.default_rng(3)
    rows = []
    for doc in range(200):
        for coder in ("a", "b"):
            for start in rng.choice(np.arange(0, 100, 10), size=3, replace=False):
                rows.append((f"d{doc}", coder, str(rng.choice(["p", "q"])), start, start + 10))
    codings = pd.DataFrame(rows, columns=["doc_id", "coder", "code", "start", "end"])
    result = unitizing_alpha_family(codings, lengths={f"d{d}": 100 for d in range(200)})
    assert result["value"].abs().max() < 0.06


def test_overlapping_codes_leave_u_and_cu_alpha_undefined_with_a_reason():
    codings = pd.DataFrame({"doc_id": "d", "coder": ["a", "a", "b"],
                            "code": ["theme", "glow", "glow"],
                            "start": [0, 5, 5], "end": [10, 8, 8]})
    result = unitizing_alpha_family(codings, lengths={"d": 20}).set_index("symbol")
    for symbol in ("uα", "cuα"):
        assert np.isnan(result.loc[symbol, "value"])
        assert result.loc[symbol, "reason"] == (
            "'a' coded 'd' [5, 8) with both 'theme' and 'glow'; uα, cuα and (k)uα need "
            "mutually exclusive codes (pass them as code=)")
    assert not np.isnan(result.loc["|uα", "value"])
    per_code = result.loc["Cuα"].set_index("code")["value"]
    assert per_code["glow"] == 1.0 and per_code["theme"] < 0


def test_reasons_for_undefined_rows():
    codings = pd.DataFrame({"doc_id": ["d", "d", "e"], "coder": ["a", "b", "a"],
                            "code": ["x", "y", "x"], "start": [0, 5, 0], "end": [4, 9, 3]})
    result = unitizing_alpha_family(codings, lengths={"d": 10, "e": 10}).set_index(
        ["symbol", "code"])
    assert result.loc[("cuα", OVERALL), "reason"] == (
        "no two coders' units overlap; there is no shared unit to code")
    lonely = unitizing_alpha_family(codings, coders=["a"], lengths={"d": 10, "e": 10})
    assert (lonely["reason"] == "only 1 coder; agreement needs two or more").all()
    nobody = unitizing_alpha_family(codings, code="x", coders=["b", "a"],
                                    lengths={"d": 10, "e": 10}).set_index("symbol")
    assert nobody.loc["cuα", "reason"] == (
        "no two coders' units overlap; there is no shared unit to code")
    same = pd.DataFrame({"doc_id": "d", "coder": ["a", "b"], "code": "x",
                         "start": 0, "end": 10})
    whole = unitizing_alpha_family(same, lengths={"d": 10}).set_index("symbol")
    assert whole.loc["|uα", "reason"] == (
        "undefined: expected disagreement is 0 (only one kind of matter was found)")
    assert whole.loc["cuα", "reason"] == (
        "undefined: expected disagreement is 0 (only one code was applied where units overlap)")


def test_family_on_a_study(sample):
    humans = ["coder_a", "coder_b"]
    result = plcase.unitizing_alpha_family(sample, coders=humans, code=["glow", "grow"])
    assert result["symbol"].tolist() == ["|uα", "uα", "cuα", "Cuα", "Cuα", "(k)uα", "(k)uα"]
    shared = sample.codings[sample.codings.coder.isin(humans)].groupby("doc_id")["coder"]
    both = shared.nunique().index[shared.nunique() == 2]
    assert result["n_characters"].iloc[0] == sum(len(sample.texts[d]) for d in both)
    assert result["value"].between(-1, 1).all()
