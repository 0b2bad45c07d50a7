"""Weighted coefficients and irrCAC's edge cases (issue 13, points 5 and 6).

Reference values: Gwet's irrCAC (the Python port, version 0.4.4, of the R
package whose vignettes publish them) on its bundled data sets
``raw_4raters`` (Gwet 2014, table 2.16), ``raw_5observers`` and
``table_cont3x3abstractors``; scikit-learn's weighted ``cohen_kappa_score``
on random data.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from plcase.agreement import (OVERALL, agreement, gwet_ac2, weighted_kappa,
                              weighted_kappa_table)

nan = np.nan

# irrCAC raw_4raters: 4 raters × 12 units, categories 1-5, missing ratings.
RAW_4RATERS = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, nan],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
])
# irrCAC raw_5observers: 5 observers × 15 units, categories 0-3.
RAW_5OBSERVERS = np.array([
    [1, 1, 2, nan, 0, 0, 1, 1, 2, 2, nan, 0, 1, 3, 1],
    [1, 1, 3, 0, 0, 0, 0, nan, 2, 1, 1, 0, 2, 3, 1],
    [2, 0, 3, 0, 0, 0, 2, 2, 2, 1, 0, 0, 2, 2, 1],
    [nan, 1, 3, nan, nan, nan, nan, 0, nan, 1, 0, 0, 2, 2, nan],
    [2, nan, nan, 0, 0, 0, 1, nan, 2, nan, nan, nan, nan, 3, 1],
])
# irrCAC table_cont3x3abstractors (also in test_agreement.py).
CONT3X3 = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]


def frame_from_matrix(matrix, code="x"):
    matrix = np.asarray(matrix, dtype=float)
    n_coders, n_units = matrix.shape
    return pd.DataFrame({"unit_id": np.tile(np.arange(n_units), n_coders),
                         "coder": np.repeat([f"r{i}" for i in range(n_coders)], n_units),
                         "code": code, "value": matrix.ravel()})


def frame_from_table(table):
    first, second = [], []
    for (i, j), n in np.ndenumerate(np.asarray(table)):
        first += [i + 1] * n
        second += [j + 1] * n
    return frame_from_matrix(np.array([first, second]))


def value_of(result, code=OVERALL):
    return result.loc[result["code"] == code, "value"].iloc[0]


@pytest.mark.parametrize("weights, published", [
    ("identity", 0.7754440681), ("linear", 0.8587391364), ("quadratic", 0.9140007236)])
def test_gwet_ac2_raw_4raters(weights, published):
    result = gwet_ac2(frame_from_matrix(RAW_4RATERS), weights=weights)
    assert result["coefficient"].iloc[0] == f"gwet_ac2_{weights}"
    assert value_of(result) == pytest.approx(published, abs=1e-9)


@pytest.mark.parametrize("weights, published", [
    ("identity", 0.4966220549), ("linear", 0.6896394229), ("quadratic", 0.8304335727)])
def test_gwet_ac2_raw_5observers(weights, published):
    assert value_of(gwet_ac2(frame_from_matrix(RAW_5OBSERVERS), weights=weights)) == \
        pytest.approx(published, abs=1e-9)


@pytest.mark.parametrize("weights, published", [("linear", 0.842902028),
                                                ("quadratic", 0.8921568627)])
def test_weighted_kappa_cont3x3(weights, published):
    assert weighted_kappa_table(CONT3X3, weights) == pytest.approx(published, abs=1e-9)
    result = weighted_kappa(frame_from_table(CONT3X3), weights=weights)
    assert value_of(result) == pytest.approx(published, abs=1e-9)
    assert result["n_units"].iloc[0] == 100


def test_weighted_kappa_on_text_labels_follows_the_given_order():
    numeric = frame_from_table(CONT3X3)
    names = {1.0: "ectopic", 2.0: "abdominal", 3.0: "intrauterine"}
    text = numeric.assign(value=numeric["value"].map(names))
    order = ["ectopic", "abdominal", "intrauterine"]
    got = value_of(weighted_kappa(text, weights="linear", categories=order))
    assert got == pytest.approx(0.842902028, abs=1e-9)
    # Every unweighted coefficient accepts the same text labels.
    assert agreement(text)["value"].tolist() == pytest.approx(agreement(numeric)["value"].tolist())


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=4, max_size=30),
       st.sampled_from(["linear", "quadratic"]))
def test_weighted_kappa_matches_sklearn(pairs, weights):
    matrix = np.array(pairs, dtype=float).T
    # scikit-learn weighs by label rank; give every category 0-3 so ranks equal values.
    ours = value_of(weighted_kappa(frame_from_matrix(matrix), weights=weights,
                                   categories=[0, 1, 2, 3]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = cohen_kappa_score(matrix[0], matrix[1], weights=weights, labels=[0, 1, 2, 3])
    if np.isnan(expected) or len(np.unique(matrix)) < 2:
        assert np.isnan(ours)
    else:
        assert ours == pytest.approx(expected, abs=1e-9)


# --------------------------------------------------------------------------- edge cases (5)

def test_edge_case_a_follows_irrcac_formulas():
    # a = [0, 0, 0, 1, NaN], b = [0, 0, 0, NaN, 1]. irrCAC: p_o = 1 on the three
    # pairable units; pi = (3/5, 2/5) over the five rated units, so
    # Fleiss p_e = .36 + .16 = .52, AC1 p_e = 2 (.6)(.4) / 1 = .48, BP p_e = 1/2,
    # and all three are (1 - p_e) / (1 - p_e) = 1.
    frame = frame_from_matrix([[0, 0, 0, 1, nan], [0, 0, 0, nan, 1]])
    result = agreement(frame).set_index(["code", "coefficient"])["value"]
    for name in ["fleiss_kappa", "gwet_ac1", "brennan_prediger", "percent_agreement"]:
        assert result["x", name] == 1.0
    reasons = agreement(frame).set_index("coefficient")
    # Alpha rests on pairable units, Cohen on units both rated: all 0 there, and the
    # reason says exactly that (both coders did apply the code elsewhere).
    assert np.isnan(reasons.loc["krippendorff_alpha", "value"].iloc[0])
    assert reasons.loc["krippendorff_alpha", "reason"].iloc[0] == (
        "no variation on units two or more coders rated: every rating there is 0 "
        "(no coder applied the code there)")
    assert reasons.loc["cohen_kappa", "reason"].iloc[0] == (
        "no variation on units both coders rated: every rating there is 0 "
        "(no coder applied the code there)")


def test_edge_case_b_coded_agreement_counts_the_coded_units():
    frame = frame_from_matrix([[1, 1, 0, 0, 0, 0], [1, 0, 1, 0, 0, 0]])
    row = agreement(frame, coefficients=["percent_agreement_coded"]).iloc[0]
    # Three units carry the code from some coder; the coders agree on one.
    assert (row["value"], row["n_units"]) == (pytest.approx(1 / 3), 3)
