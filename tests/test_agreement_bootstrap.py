"""The bootstrap of plcase.agreement: documents resampled, weights as units, undefined replicates.

Issue 13, points 1-3. The checks compare plcase's intervals with a bootstrap
written out here row by row (the oracle), never with numbers plcase printed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from plcase.agreement import agreement, cohen_kappa
from plcase.agreement.bootstrap import percentile_interval


def documents_frame(seed=0, n_docs=20, per_doc=30):
    """Two coders; in half of the documents coder b misreads most passages.

    Passages of one document are alike, so a unit bootstrap understates the
    spread between documents.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(n_docs):
        misreads = 0.6 if d % 2 else 0.02
        for p in range(per_doc):
            a = float(rng.random() < 0.4)
            b = 1 - a if rng.random() < misreads else a
            rows += [(f"D{d:02d}", f"D{d:02d}:{p:03d}", "a", a), (f"D{d:02d}", f"D{d:02d}:{p:03d}",
                                                                 "b", b)]
    return pd.DataFrame(rows, columns=["doc_id", "unit_id", "coder", "value"]).assign(
        code="x", weight=1)


def kappa_row(result):
    return result[(result.code == "x") & (result.coefficient == "cohen_kappa")].iloc[0]


def test_documents_are_resampled_by_default_and_give_wider_intervals():
    frame = documents_frame()
    by_document = kappa_row(cohen_kappa(frame, ci=0.95, n_boot=1000))
    by_unit = kappa_row(cohen_kappa(frame, ci=0.95, n_boot=1000, cluster=None))
    assert by_document["resampled"] == "documents"
    assert by_unit["resampled"] == "units"
    assert by_document["value"] == by_unit["value"]
    assert (by_document["ci_high"] - by_document["ci_low"]) > 1.5 * (
        by_unit["ci_high"] - by_unit["ci_low"])


def naive_cluster_interval(frame, n_boot, seed):
    """Resample documents, rebuild the rows, recompute kappa: the textbook cluster bootstrap."""
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(seed)
    docs = frame["doc_id"].unique()
    wide = frame.pivot(index="unit_id", columns="coder", values="value").join(
        frame.drop_duplicates("unit_id").set_index("unit_id")["doc_id"])
    by_doc = {d: wide[wide.doc_id == d] for d in docs}
    values = []
    for _ in range(n_boot):
        rows = pd.concat([by_doc[d] for d in rng.choice(docs, len(docs))])
        values.append(cohen_kappa_score(rows["a"], rows["b"]))
    return np.quantile(values, [0.025, 0.975])


def test_document_interval_agrees_with_a_row_by_row_cluster_bootstrap():
    frame = documents_frame(seed=3)
    ours = kappa_row(cohen_kappa(frame, ci=0.95, n_boot=2000, random_state=1))
    low, high = naive_cluster_interval(frame, 2000, seed=2)
    # Two independent Monte Carlo runs of the same bootstrap: endpoints within 0.04.
    assert ours["ci_low"] == pytest.approx(low, abs=0.04)
    assert ours["ci_high"] == pytest.approx(high, abs=0.04)


def runs_and_characters():
    """Issue 13's repro: 8 character runs of two coders, weighted and expanded."""
    runs = pd.DataFrame({
        "doc_id": ["d1"] * 4 + ["d2"] * 4,
        "a": [1, 0, 1, 0, 0, 1, 1, 0], "b": [1, 0, 0, 0, 1, 1, 1, 0],
        "weight": [60, 90, 8, 40, 6, 70, 44, 60]})
    assert runs["weight"].sum() == 378
    runs["unit_id"] = [f"r{i}" for i in range(len(runs))]
    weighted = runs.melt(id_vars=["doc_id", "unit_id", "weight"], value_vars=["a", "b"],
                         var_name="coder", value_name="value").assign(code="x")
    expanded = weighted.loc[weighted.index.repeat(weighted["weight"])].copy()
    expanded["unit_id"] = expanded["unit_id"] + ":" + expanded.groupby(
        ["unit_id", "coder"]).cumcount().astype(str)
    return weighted, expanded.assign(weight=1)


@pytest.mark.parametrize("cluster", [None, "doc_id"])
def test_weighted_runs_bootstrap_like_the_characters_they_stand_for(cluster):
    weighted, expanded = runs_and_characters()
    options = dict(ci=0.95, n_boot=2000, random_state=4, cluster=cluster)
    got = kappa_row(cohen_kappa(weighted, **options))
    expected = kappa_row(cohen_kappa(expanded, **options))
    assert got["value"] == pytest.approx(expected["value"])
    assert got["ci_low"] == pytest.approx(expected["ci_low"], abs=0.02)
    assert got["ci_high"] == pytest.approx(expected["ci_high"], abs=0.02)
    if cluster is None:
        # Character-level intervals: a few characters more or less cannot swing kappa to 0.
        assert got["ci_low"] > 0.8


def test_undefined_replicates_are_counted_and_void_the_interval():
    # A code present on 2 of 200 units: about e^-2 = 13.5 % of replicates draw neither.
    value = np.zeros((2, 200))
    value[:, [10, 150]] = 1
    frame = pd.DataFrame({"unit_id": np.tile(np.arange(200), 2),
                          "coder": np.repeat(["a", "b"], 200), "code": "rare",
                          "value": value.ravel()})
    row = kappa_row(cohen_kappa(frame.assign(code="x"), ci=0.95, n_boot=2000, cluster=None))
    assert row["value"] == 1.0
    assert 1600 < row["n_boot_valid"] < 1900
    assert np.isnan(row["ci_low"]) and np.isnan(row["ci_high"])
    assert row["ci_reason"].startswith(f"{2000 - row['n_boot_valid']} of 2000 bootstrap "
                                       f"replicates undefined")
    # Raw agreement is defined on every replicate and keeps its interval.
    raw = agreement(frame, coefficients=["percent_agreement"], ci=0.95, n_boot=500,
                    cluster=None).iloc[0]
    assert raw["n_boot_valid"] == 500 and pd.isna(raw["ci_reason"]) and raw["ci_low"] == 1.0


def test_one_document_gives_no_interval_and_says_why():
    frame = documents_frame(n_docs=1)
    row = kappa_row(cohen_kappa(frame, ci=0.95, n_boot=100))
    assert np.isnan(row["ci_low"])
    assert row["ci_reason"] == "only one document to resample; no interval"


def test_percentile_interval_counts_valid_replicates():
    replicates = np.array([[0.1, 0.5], [0.2, np.nan], [0.3, 0.6], [0.4, 0.7]] * 10)
    low, high, n_valid, reason = percentile_interval(replicates, 0.9)
    assert n_valid.tolist() == [40, 30]
    assert low[0] == pytest.approx(np.quantile(replicates[:, 0], 0.05))
    assert np.isnan(low[1]) and reason[1].startswith("10 of 40")
    assert pd.isna(reason[0])
