"""Tests of plcase.agreement: reliability units, coefficients, disagreements, the plot.

Reference values come from published examples (source in a comment by each);
cross-checks compare plcase against scikit-learn, statsmodels and the
``krippendorff`` package on random data. nltk.metrics.agreement is not used as
an oracle (it has known bugs).
"""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import krippendorff  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from sklearn.metrics import cohen_kappa_score  # noqa: E402
from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss  # noqa: E402

from plcase.agreement import (OVERALL, RESULT_COLUMNS, UNIT_COLUMNS, agreement,  # noqa: E402
                              brennan_prediger, brennan_prediger_table, cohen_kappa,
                              cohen_kappa_table, confusion, disagreements,
                              fleiss_kappa, fleiss_kappa_counts, gwet_ac1, gwet_ac1_table,
                              krippendorff_alpha, krippendorff_alpha_matrix,
                              percent_agreement, percent_agreement_table, units)
from plcase.errors import PlcaseError  # noqa: E402
from plcase.figures.agreement import RELIABLE, TENTATIVE, plot_agreement  # noqa: E402
from plcase.study import Study  # noqa: E402

nan = np.nan

# --------------------------------------------------------------------------- published data

# Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability, section C
# ("nominal data, any number of observers, missing data"): 4 observers × 12 units.
# Published: nominal .743, ordinal .815, interval .849, ratio .797.
KRIPPENDORFF_2011 = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
])

# The example of the `krippendorff` Python package (README and alpha() docstring),
# 3 coders × 15 units with missing data: nominal alpha 0.691358.
KRIPPENDORFF_PACKAGE = np.array([
    [nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
    [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
    [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4],
])

# Wikipedia, "Fleiss' kappa", worked example: 10 subjects × 14 raters × 5
# categories (counts per subject and category); kappa = 0.210.
FLEISS_WIKIPEDIA = np.array([
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
])

# Fleiss (1971), 30 patients × 6 psychiatrists × 5 diagnoses, as reconstructed
# in statsmodels/stats/tests/test_inter_rater.py (`diagnoses`, from R irr's
# data set of the same name); kappam.fleiss gives 0.4302445.
FLEISS_1971 = np.array([
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
])

# Textbook Cohen's kappa example, 50 units, two raters yes/no: p_o = .70,
# p_e = .50, kappa = 0.40 (Wikipedia, "Cohen's kappa", simple example).
COHEN_2X2 = [[20, 5], [10, 15]]

# Gwet, irrCAC (R package) documentation: the `cont3x3abstractors` table
# (distribution of 100 pregnant women by type of pregnancy, two abstractors).
# kappa2.table 0.7964094, gwet.ac1.table 0.8493305, bp2.table 0.835.
IRRCAC_3X3 = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]


def frame_from_matrix(matrix, code="x"):
    """Coders × units ratings (NaN missing) as a long units frame."""
    matrix = np.asarray(matrix, dtype=float)
    n_coders, n_units = matrix.shape
    return pd.DataFrame({"unit_id": np.tile(np.arange(n_units), n_coders),
                         "coder": np.repeat([f"r{i}" for i in range(n_coders)], n_units),
                         "code": code, "value": matrix.ravel()})


def frame_from_counts(counts):
    """Units × categories counts as a units frame; rater identity is arbitrary
    (Fleiss' kappa does not depend on it), so raters are filled in category order."""
    rows = [np.repeat(np.arange(len(row)), row) for row in np.asarray(counts)]
    return frame_from_matrix(np.array(rows).T)


def frame_from_table(table):
    """A two-coder contingency table as a units frame (one unit per counted case)."""
    first, second = [], []
    for (i, j), n in np.ndenumerate(np.asarray(table)):
        first += [i] * n
        second += [j] * n
    return frame_from_matrix(np.array([first, second]))


def value_of(result, code=OVERALL, coefficient=None, coders=None):
    rows = result[result["code"] == code]
    if coefficient is not None:
        rows = rows[rows["coefficient"] == coefficient]
    if coders is not None:
        rows = rows[rows["coders"] == coders]
    assert len(rows) == 1, rows
    return rows["value"].iloc[0]


# --------------------------------------------------------------------------- hand-built study

CODES = ["shared_culture", "embedded_pd", "student_driven", "student_ownership", "glow"]


def make_study(extra_codings=()):
    """Two documents; coder_a codes both, coder_b only d1.

    d1 has three passages. coder_a's shared_culture spans passages 1 and 2;
    student_ownership is nested inside student_driven in passage 3, where
    coder_b applied embedded_pd instead.
    """
    d1 = ("We fail often. We try again.  "      # passage 1: [0, 30)
          "|"                                   # 30: outside every passage
          "Failure is normal here at GO."       # passage 2: [31, 60)
          "|"                                   # 60
          "Kids pick their playlist today.")    # passage 3: [61, 92)
    d2 = ("Our coach visits every Wednesday. "  # passage 1: [0, 34)
          "|"
          "The bell rang and we went home.")    # passage 2: [35, 66)
    passages = pd.DataFrame({
        "passage_id": ["d1:001", "d1:002", "d1:003", "d2:001", "d2:002"],
        "doc_id": ["d1", "d1", "d1", "d2", "d2"],
        "start": [0, 31, 61, 0, 35], "end": [30, 60, 92, 34, 66]})
    codings = pd.DataFrame([
        ("d1", 5, 45, "shared_culture", "coder_a"),
        ("d1", 61, 92, "student_driven", "coder_a"),
        ("d1", 66, 80, "student_ownership", "coder_a"),
        ("d2", 0, 34, "embedded_pd", "coder_a"),
        ("d1", 0, 30, "shared_culture", "coder_b"),
        ("d1", 61, 92, "embedded_pd", "coder_b"),
        *extra_codings,
    ], columns=["doc_id", "start", "end", "code", "coder"])
    return Study(documents=pd.DataFrame({"doc_id": ["d1", "d2"]}), passages=passages,
                 codings=codings, codebook=pd.DataFrame({"code": CODES}),
                 texts={"d1": d1, "d2": d2})


MACHINE = [("d1", 0, 30, "shared_culture", "auto:rules"),
           ("d1", 61, 92, "student_driven", "auto:rules"),
           ("d2", 0, 34, "embedded_pd", "auto:rules")]


def cell(frame, unit_id, coder, code):
    rows = frame[(frame.unit_id == unit_id) & (frame.coder == coder) & (frame.code == code)]
    assert len(rows) == 1
    return rows["value"].iloc[0]


# --------------------------------------------------------------------------- units

def test_passage_units_spanning_nested_and_skipped_document():
    frame = units(make_study(), unit="passage")
    assert frame.columns.tolist() == UNIT_COLUMNS
    assert len(frame) == 5 * 2 * len(CODES)
    # A coding spanning two passages counts in both.
    assert cell(frame, "d1:001", "coder_a", "shared_culture") == 1
    assert cell(frame, "d1:002", "coder_a", "shared_culture") == 1
    assert cell(frame, "d1:003", "coder_a", "shared_culture") == 0
    # Nested codings: both the theme and the sub-code are on passage 3.
    assert cell(frame, "d1:003", "coder_a", "student_driven") == 1
    assert cell(frame, "d1:003", "coder_a", "student_ownership") == 1
    assert cell(frame, "d1:002", "coder_b", "shared_culture") == 0
    # coder_b never coded d2: missing, not 0.
    d2_b = frame[(frame.doc_id == "d2") & (frame.coder == "coder_b")]
    assert len(d2_b) == 2 * len(CODES) and d2_b["value"].isna().all()
    assert cell(frame, "d2:002", "coder_a", "embedded_pd") == 0
    assert (frame["weight"] == 1).all() and (frame["unit"] == "passage").all()


def test_document_units_and_coding_outside_passages():
    # coder_b's coding covers only the "|" at 30, between two passages.
    study = make_study([("d2", 0, 5, "glow", "coder_b"), ("d1", 30, 31, "glow", "coder_b")])
    by_passage = units(study, unit="passage", codes=["glow"])
    assert by_passage.loc[(by_passage.doc_id == "d1") & (by_passage.coder == "coder_b"),
                          "value"].tolist() == [0, 0, 0]
    by_document = units(study, unit="document", codes=["glow"])
    assert by_document[["unit_id", "coder", "value"]].values.tolist() == [
        ["d1", "coder_a", 0], ["d1", "coder_b", 1], ["d2", "coder_a", 0], ["d2", "coder_b", 1]]


def test_sentence_units_split_a_passage():
    frame = units(make_study([("d1", 15, 28, "glow", "coder_b")]), unit="sentence",
                  codes=["glow"])
    first = frame[frame.doc_id == "d1"].drop_duplicates("unit_id")
    assert first["unit_id"].tolist()[:2] == ["d1:001.1", "d1:001.2"]
    assert cell(frame, "d1:001.1", "coder_b", "glow") == 0
    assert cell(frame, "d1:001.2", "coder_b", "glow") == 1


def naive_character_values(study, coders, codes):
    """Per-character 0/1/NaN arrays built one character at a time (the oracle)."""
    out = {}
    for doc, text in study.texts.items():
        doc_codings = study.codings[study.codings.doc_id == doc]
        for coder in coders:
            mine = doc_codings[doc_codings.coder == coder]
            for code in codes:
                values = []
                for i in range(len(text)):
                    if mine.empty:
                        values.append(nan)
                    else:
                        hit = any(s <= i < e for s, e, c in zip(mine.start, mine.end, mine.code)
                                  if c == code)
                        values.append(1.0 if hit else 0.0)
                out[doc, coder, code] = np.array(values)
    return out


def test_character_units_are_runs_equal_to_characters():
    study = make_study(MACHINE)
    coders = ["coder_a", "coder_b", "auto:rules"]
    frame = units(study, unit="character", coders=coders)
    oracle = naive_character_values(study, coders, CODES)
    for (doc, coder, code), expected in oracle.items():
        rows = frame[(frame.doc_id == doc) & (frame.coder == coder) & (frame.code == code)]
        expanded = np.repeat(rows["value"].to_numpy(), rows["weight"].to_numpy())
        np.testing.assert_array_equal(expanded, expected)
    # Runs cover each document exactly once.
    runs = frame.drop_duplicates("unit_id")
    assert runs.groupby("doc_id")["weight"].sum().to_dict() == {
        d: len(t) for d, t in study.texts.items()}


def test_weighted_runs_give_the_same_coefficients_as_single_characters():
    study = make_study(MACHINE)
    runs = units(study, unit="character")
    single = runs.loc[runs.index.repeat(runs["weight"])].copy()
    single["unit_id"] = single["unit_id"] + ":" + single.groupby(
        ["unit_id", "coder", "code"]).cumcount().astype(str)
    single["weight"] = 1
    expected = agreement(single, pairs=True)
    got = agreement(runs, pairs=True)
    pd.testing.assert_frame_equal(got, expected)


def test_units_reject_unknown_unit_coder_and_code():
    study = make_study()
    with pytest.raises(PlcaseError, match="unknown unit 'paragraph'"):
        units(study, unit="paragraph")
    with pytest.raises(PlcaseError, match="unknown coder"):
        units(study, coders=["coder_z"])
    with pytest.raises(PlcaseError, match="unknown code"):
        units(study, codes=["grwo"])


# --------------------------------------------------------------------------- reference values

@pytest.mark.parametrize("level, published", [
    ("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)])
def test_krippendorff_2011_published_values_by_level(level, published):
    assert krippendorff_alpha_matrix(KRIPPENDORFF_2011, level) == pytest.approx(published, abs=5e-4)


def test_krippendorff_2011_through_the_units_frame():
    frame = frame_from_matrix(KRIPPENDORFF_2011)
    assert value_of(krippendorff_alpha(frame)) == pytest.approx(0.743, abs=5e-4)
    ordinal = krippendorff_alpha(frame, level="ordinal")
    assert ordinal["coefficient"].unique().tolist() == ["krippendorff_alpha_ordinal"]
    assert value_of(ordinal) == pytest.approx(0.815, abs=5e-4)
    assert value_of(krippendorff_alpha(frame, level="ratio")) == pytest.approx(0.797, abs=5e-4)
    # Unit 12 has a single rating, so 11 of the 12 units are pairable.
    assert krippendorff_alpha(frame)["n_units"].tolist() == [11, 11]


def test_krippendorff_package_example():
    assert krippendorff_alpha_matrix(KRIPPENDORFF_PACKAGE) == pytest.approx(0.691358, abs=1e-6)
    result = krippendorff_alpha(frame_from_matrix(KRIPPENDORFF_PACKAGE))
    assert value_of(result, "x") == pytest.approx(0.691358, abs=1e-6)
    assert result["n_coders"].tolist() == [3, 3]


def test_fleiss_wikipedia_example():
    assert fleiss_kappa_counts(FLEISS_WIKIPEDIA) == pytest.approx(0.210, abs=5e-4)
    result = fleiss_kappa(frame_from_counts(FLEISS_WIKIPEDIA))
    assert value_of(result) == pytest.approx(0.210, abs=5e-4)
    assert result[["n_units", "n_coders"]].iloc[0].tolist() == [10, 14]


def test_fleiss_1971_diagnoses():
    frame = frame_from_matrix(FLEISS_1971.T)
    assert value_of(fleiss_kappa(frame)) == pytest.approx(0.4302445, abs=1e-7)
    counts = np.stack([(FLEISS_1971 == k).sum(1) for k in range(1, 6)], axis=1)
    assert fleiss_kappa_counts(counts) == pytest.approx(0.4302445, abs=1e-7)


def test_cohen_textbook_2x2():
    assert cohen_kappa_table(COHEN_2X2) == pytest.approx(0.40)
    assert percent_agreement_table(COHEN_2X2) == pytest.approx(0.70)
    result = cohen_kappa(frame_from_table(COHEN_2X2))
    assert value_of(result) == pytest.approx(0.40)
    assert result["n_units"].tolist() == [50, 50]


def test_irrcac_3x3_table():
    assert cohen_kappa_table(IRRCAC_3X3) == pytest.approx(0.7964094, abs=1e-7)
    assert gwet_ac1_table(IRRCAC_3X3) == pytest.approx(0.8493305, abs=1e-7)
    assert brennan_prediger_table(IRRCAC_3X3) == pytest.approx(0.835, abs=1e-9)
    frame = frame_from_table(IRRCAC_3X3)
    assert value_of(cohen_kappa(frame)) == pytest.approx(0.7964094, abs=1e-7)
    assert value_of(gwet_ac1(frame)) == pytest.approx(0.8493305, abs=1e-7)
    assert value_of(brennan_prediger(frame)) == pytest.approx(0.835, abs=1e-9)
    assert value_of(percent_agreement(frame)) == pytest.approx(0.89)


# --------------------------------------------------------------------------- library cross-checks

ratings = st.lists(st.lists(st.sampled_from([0.0, 1.0, 2.0, nan]), min_size=3, max_size=3),
                   min_size=4, max_size=30)


@settings(max_examples=60, deadline=None)
@given(ratings)
def test_alpha_matches_krippendorff_package(rows):
    matrix = np.array(rows).T                                      # 3 coders × units
    pairable = (~np.isnan(matrix)).sum(0) >= 2
    values = matrix[:, pairable]
    ours = value_of(krippendorff_alpha(frame_from_matrix(matrix)))
    if len(np.unique(values[~np.isnan(values)])) < 2:
        assert np.isnan(ours)
    else:
        expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
        assert ours == pytest.approx(expected, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0, 1, 2]), st.sampled_from([0, 1, 2])),
                min_size=3, max_size=30))
def test_cohen_matches_sklearn(pairs):
    matrix = np.array(pairs, dtype=float).T
    ours = value_of(cohen_kappa(frame_from_matrix(matrix)))
    if len(np.unique(matrix)) < 2:
        assert np.isnan(ours)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = cohen_kappa_score(matrix[0], matrix[1])
        assert ours == pytest.approx(expected, abs=1e-9) or (np.isnan(ours) and np.isnan(expected))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from([0, 1, 2]), min_size=4, max_size=4),
                min_size=3, max_size=25))
def test_fleiss_and_brennan_prediger_match_statsmodels(rows):
    matrix = np.array(rows, dtype=float).T                          # 4 coders × units
    counts = np.stack([(matrix == k).sum(0) for k in np.unique(matrix)], axis=1)
    frame = frame_from_matrix(matrix)
    fleiss, bp = value_of(fleiss_kappa(frame)), value_of(brennan_prediger(frame))
    if counts.shape[1] < 2:
        assert np.isnan(fleiss) and np.isnan(bp)
    else:
        assert fleiss == pytest.approx(statsmodels_fleiss(counts), abs=1e-9)
        assert bp == pytest.approx(statsmodels_fleiss(counts, method="randolph"), abs=1e-9)


def test_weights_equal_replicated_units():
    rng = np.random.default_rng(5)
    matrix = rng.integers(0, 2, size=(3, 12)).astype(float)
    matrix[0, :3] = nan
    weight = rng.integers(1, 5, size=12)
    weighted = frame_from_matrix(matrix).assign(weight=np.tile(weight, 3))
    replicated = frame_from_matrix(np.repeat(matrix, weight, axis=1))
    assert np.allclose(agreement(weighted)["value"], agreement(replicated)["value"],
                       equal_nan=True)


# --------------------------------------------------------------------------- the study frame

def test_coefficients_on_hand_built_study():
    result = agreement(units(make_study()))
    assert result.columns.tolist() == RESULT_COLUMNS
    assert result["coders"].unique().tolist() == ["coder_a vs coder_b"]
    # Only the three passages of d1 are rated by both coders.
    rows = result[result.code == "shared_culture"].set_index("coefficient")["n_units"]
    assert set(rows.drop("percent_agreement_coded")) == {3}
    # The coded-only figure rests on the 2 passages some coder gave shared_culture (issue 5b).
    assert rows["percent_agreement_coded"] == 2
    # shared_culture: a = 1, 1, 0; b = 1, 0, 0 -> p_o 2/3, p_e 4/9, kappa 0.4.
    assert value_of(result, "shared_culture", "percent_agreement") == pytest.approx(2 / 3)
    assert value_of(result, "shared_culture", "percent_agreement_coded") == pytest.approx(1 / 2)
    assert value_of(result, "shared_culture", "cohen_kappa") == pytest.approx(0.4)
    # One coder constant: kappa is 0, not undefined.
    assert value_of(result, "embedded_pd", "cohen_kappa") == pytest.approx(0.0)
    # Overall pools the 4 used codes (glow left out): 12 items, 8 agree,
    # marginals 4/12 and 2/12 ones -> kappa (96 - 88) / (144 - 88) = 1/7.
    overall = result[result.code == OVERALL].set_index("coefficient")
    assert overall.loc["cohen_kappa", "value"] == pytest.approx(1 / 7)
    assert overall.loc["percent_agreement", "value"] == pytest.approx(8 / 12)
    assert overall.loc["cohen_kappa", ["n_units", "n_codes"]].tolist() == [3, 4]


def test_code_nobody_used_is_nan_with_reason_and_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = agreement(units(make_study()), ci=0.95, n_boot=50)
    glow = result[result.code == "glow"].set_index("coefficient")
    for name in ["cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "brennan_prediger",
                 "gwet_ac1"]:
        assert np.isnan(glow.loc[name, "value"])
        assert glow.loc[name, "reason"] == (
            "no variation: every rating is 0 (no coder applied the code)")
        assert np.isnan(glow.loc[name, "ci_low"])
    # Raw agreement on an unused code is trivially perfect; the coded-only figure is undefined.
    assert glow.loc["percent_agreement", "value"] == 1.0
    assert pd.isna(glow.loc["percent_agreement", "reason"])
    assert np.isnan(glow.loc["percent_agreement_coded", "value"])
    assert isinstance(glow.loc["percent_agreement_coded", "reason"], str)
    # Defined values carry no reason.
    assert result.loc[result["value"].notna(), "reason"].isna().all()
    assert result.loc[result["value"].isna(), "reason"].map(type).eq(str).all()


def test_one_coder_gives_nan_with_reason():
    result = agreement(units(make_study(), coders=["coder_a"]))
    assert result["value"].isna().all()
    assert result["reason"].str.contains("coder").all()


def test_no_overlapping_documents():
    study = make_study([("d2", 0, 10, "glow", "coder_c")]).subset(["d1", "d2"])
    frame = units(study, coders=["coder_b", "coder_c"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = agreement(frame)
    assert result["value"].isna().all()
    assert result["reason"].str.contains("share no document").any()


def test_all_units_identical():
    frame = frame_from_matrix(np.ones((2, 6)))
    result = agreement(frame)
    chance = result[~result.coefficient.str.startswith("percent")]
    assert chance["value"].isna().all()
    assert chance["reason"].eq("no variation: every rating is 1 (the code is on every unit)").all()
    assert value_of(result, coefficient="percent_agreement") == 1.0


def test_cohen_with_three_coders_says_so():
    study = make_study(MACHINE)
    result = cohen_kappa(units(study, coders=study.coders))  # all three, machine included
    assert result["value"].isna().all()
    assert result["reason"].str.contains("exactly two coders").all()


def test_duplicate_rows_and_bad_arguments_are_reported():
    frame = frame_from_matrix(KRIPPENDORFF_PACKAGE)
    with pytest.raises(PlcaseError, match="more than one value"):
        agreement(pd.concat([frame, frame.iloc[:1]]))
    with pytest.raises(PlcaseError, match="unknown coefficient"):
        agreement(frame, coefficients=["scotts_pi"])
    with pytest.raises(PlcaseError, match="ci must be"):
        agreement(frame, ci=95)
    with pytest.raises(PlcaseError, match="lacks column"):
        agreement(frame.drop(columns="value"))


def test_bootstrap_is_deterministic_and_brackets_the_estimate():
    frame = frame_from_matrix(KRIPPENDORFF_2011)
    first = agreement(frame, ci=0.95, n_boot=400, random_state=1)
    again = agreement(frame, ci=0.95, n_boot=400, random_state=1)
    other = agreement(frame, ci=0.95, n_boot=400, random_state=2)
    pd.testing.assert_frame_equal(first, again)
    defined = first[first["value"].notna()]
    assert (defined["ci_low"] <= defined["value"] + 1e-12).all()
    assert (defined["value"] <= defined["ci_high"] + 1e-12).all()
    assert (defined["ci_low"] < defined["ci_high"]).all()
    assert not np.allclose(first["ci_low"].dropna(), other["ci_low"].dropna())
    # Without ci no interval.
    assert agreement(frame)["ci_low"].isna().all()


def test_bootstrap_on_character_runs_and_levels():
    study = make_study(MACHINE)
    frame = units(study, unit="character", coders=study.coders)
    result = agreement(frame, pairs=True, ci=0.9, n_boot=100)
    assert result["ci_low"].notna().any()
    ordinal = krippendorff_alpha(frame_from_matrix(KRIPPENDORFF_2011), level="ordinal",
                                 ci=0.9, n_boot=30)
    assert ordinal["ci_low"].notna().all()


# --------------------------------------------------------------------------- machine as coder

def test_machine_coder_next_to_human_pair():
    study = make_study(MACHINE)
    frame = units(study, coders=study.coders)  # the default is the human pair only
    result = agreement(frame, coefficients=["cohen_kappa"],
                       pairs=[("coder_a", "coder_b"), ("coder_a", "auto:rules")])
    human = result[result.coders == "coder_a vs coder_b"].set_index("code")["value"]
    machine = result[result.coders == "coder_a vs auto:rules"].set_index("code")["value"]
    assert human["shared_culture"] == pytest.approx(0.4)
    # Machine vs coder_a on all five passages: a = 1,1,0,0,0; machine = 1,0,0,0,0
    # -> p_o 4/5, p_e 14/25, kappa 6/11.
    assert machine["shared_culture"] == pytest.approx(6 / 11)
    assert machine["embedded_pd"] == pytest.approx(1.0)
    assert machine["student_driven"] == pytest.approx(1.0)
    assert machine["student_ownership"] == pytest.approx(0.0)
    assert np.isnan(machine["glow"])
    assert result.loc[result.coders == "coder_a vs auto:rules", "n_units"].iloc[0] == 5
    every_pair = agreement(frame, coefficients=["cohen_kappa"], pairs=True)
    assert every_pair["coders"].unique().tolist() == [
        "auto:rules vs coder_a", "auto:rules vs coder_b", "coder_a vs coder_b"]


# --------------------------------------------------------------------------- disagreements

def test_disagreements_for_reconciliation():
    table = disagreements(make_study(), coders=("coder_a", "coder_b"))
    assert table.columns.tolist() == ["doc_id", "unit_id", "start", "end", "code", "applied_by",
                                      "omitted_by", "coder_a", "coder_b", "text"]
    assert table[["unit_id", "code", "applied_by", "omitted_by"]].values.tolist() == [
        ["d1:002", "shared_culture", "coder_a", "coder_b"],
        ["d1:003", "embedded_pd", "coder_b", "coder_a"],
        ["d1:003", "student_driven", "coder_a", "coder_b"],
        ["d1:003", "student_ownership", "coder_a", "coder_b"],
    ]
    third = table.iloc[1]
    assert third["coder_a"] == "student_driven, student_ownership"
    assert third["coder_b"] == "embedded_pd"
    assert third["text"] == "Kids pick their playlist today."
    assert pd.isna(table.iloc[0]["coder_b"])
    only = disagreements(make_study(), coders=("coder_a", "coder_b"), code="shared_culture")
    assert only["unit_id"].tolist() == ["d1:002"]
    with pytest.raises(PlcaseError, match="exactly two different coders"):
        disagreements(make_study(), coders=("coder_a", "coder_a"))


def test_confusion_pairs_of_codes():
    table = confusion(make_study(), coders=("coder_a", "coder_b"))
    assert table.values.tolist() == [
        ["coder_a", "student_driven", "coder_b", "embedded_pd", 1],
        ["coder_a", "student_ownership", "coder_b", "embedded_pd", 1],
    ]
    themes = confusion(make_study(), coders=("coder_a", "coder_b"),
                       codes=["shared_culture", "embedded_pd", "student_driven"])
    assert themes["first_code"].tolist() == ["student_driven"]
    # In characters: passage 3 is 31 characters long.
    assert confusion(make_study(), coders=("coder_a", "coder_b"),
                     unit="character")["n_units"].tolist() == [31, 14]


# --------------------------------------------------------------------------- the plot

def test_plot_agreement_draws_points_intervals_and_thresholds():
    study = make_study(MACHINE)
    frame = units(study, coders=study.coders)
    # The human pair shares one document and three passages, so only a unit bootstrap at a
    # low level (few replicates without variation) gives intervals here.
    result = agreement(frame, coefficients=["cohen_kappa"], ci=0.5, n_boot=50, cluster=None,
                       pairs=[("coder_a", "coder_b"), ("coder_a", "auto:rules")])
    ax = plot_agreement(result)
    assert ax.get_xlabel() == "Cohen's κ"
    assert [t.get_text() for t in ax.get_yticklabels()] == CODES + [OVERALL]
    # threshold lines span the axes (x in data, y in axes coordinates)
    vertical = sorted(line.get_xdata()[0] for line in ax.lines
                      if line.get_transform() == ax.get_xaxis_transform())
    # Kappa gets Landis & Koch's (1977) band edges, not Krippendorff's alpha thresholds.
    assert vertical == [0.21, 0.41, 0.61, 0.81]
    assert TENTATIVE not in vertical and RELIABLE not in vertical
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "human 1 vs human 2 (coder_a, coder_b)", "human vs rules (coder_a, auto:rules)",
        "0.21 fair", "0.41 moderate", "0.61 substantial", "0.81 almost perfect"]
    # glow is undefined (nobody applied it) for both pairs: marked, not plotted as a number.
    assert [t.get_text() for t in ax.texts] == ["n/a", "n/a"]
    # Interval bars span ci_low..ci_high of the first pair's shared_culture row.
    row = result[(result.coders == "coder_a vs coder_b") & (result.code == "shared_culture")]
    bars = ax.containers[0].lines[2][0].get_segments()[0]
    assert bars[0][0] == pytest.approx(row["ci_low"].iloc[0])
    assert bars[1][0] == pytest.approx(row["ci_high"].iloc[0])
    plt.close(ax.figure)


def test_plot_agreement_needs_a_coefficient_it_can_find():
    result = agreement(frame_from_matrix(KRIPPENDORFF_PACKAGE),
                       coefficients=["fleiss_kappa", "gwet_ac1"])
    with pytest.raises(PlcaseError, match="several coefficients"):
        plot_agreement(result)
    fig, ax = plt.subplots()
    assert plot_agreement(result, coefficient="gwet_ac1", ax=ax) is ax
    plt.close(fig)


def test_plot_agreement_alpha_gets_krippendorff_thresholds():
    result = agreement(frame_from_matrix(KRIPPENDORFF_PACKAGE), coefficients=["krippendorff_alpha"])
    ax = plot_agreement(result)
    # threshold lines span the axes (x in data, y in axes coordinates)
    vertical = sorted(line.get_xdata()[0] for line in ax.lines
                      if line.get_transform() == ax.get_xaxis_transform())
    assert vertical == [TENTATIVE, RELIABLE] == [0.667, 0.8]
    plt.close(ax.figure)
