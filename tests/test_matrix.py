"""Cross-case matrices on a hand-built study (exact counts worked out by hand) and on the sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from plcase.errors import PlcaseError
from plcase.matrix import (coded_passages, cooccurrence, framework_matrix, framework_wide,
                           glow_grow, new_codes, theme_matrix, to_long, trim_quote)
from plcase.schema import THEMES
from plcase.study import Study

from tests.handmade import CODEBOOK, DOCS, build_study


@pytest.fixture(scope="module")
def study():
    return build_study()


def overlapped_passages(study, coder):
    """Brute force: for each coding, the passages it overlaps (independent of plcase.matrix)."""
    out = []
    for c in study.codings[study.codings.coder == coder].itertuples():
        hits = [p.passage_id for p in study.passages[study.passages.doc_id == c.doc_id].itertuples()
                if p.start < c.end and c.start < p.end]
        out.append((c.code, hits))
    return out


# ---------------------------------------------------------------- conservation

def test_long_form_counts_every_coding_once_per_passage_it_overlaps(study):
    long = coded_passages(study)
    brute = overlapped_passages(study, "coder_a")
    assert all(hits for _, hits in brute), "every coding lies in some passage"
    assert long["n_codings"].sum() == sum(len(hits) for _, hits in brute) == 15 + 1  # 15 coder_a codings, one spans two passages
    pairs = {(p, code) for code, hits in brute for p in hits}
    assert set(zip(long.passage_id, long.code)) == pairs
    assert not long.duplicated(["passage_id", "code"]).any()


def test_spanning_coding_counts_in_both_passages(study):
    long = coded_passages(study, codes=["student_driven"])
    assert set(long.loc[long.doc_id == "GO-T1", "passage_id"]) == {"GO-T1:001", "GO-T1:002"}


def test_matrix_totals_agree_with_long_form(study):
    long = coded_passages(study)
    m = theme_matrix(study, codes=list(CODEBOOK.code))
    assert m.to_numpy().sum() == len(long)
    assert (m.sum(axis=0) == long.groupby("code").size().reindex(m.columns, fill_value=0)).all()
    by_role = theme_matrix(study, by="role", codes=list(CODEBOOK.code))
    assert by_role.to_numpy().sum() == len(long)


def test_passages_matrix_hand_counts(study):
    m = theme_matrix(study)
    assert m.columns.tolist() == list(THEMES)
    assert m.index.tolist() == ["Grand Oak", "Ridge Road"]
    assert m.loc["Grand Oak"].tolist() == [0, 1, 4, 0]
    assert m.loc["Ridge Road"].tolist() == [1, 0, 1, 1]
    assert m.dtypes.eq("int64").all()


def test_share_informants_sources(study):
    share = theme_matrix(study, measure="share", include_roles="all")
    # Grand Oak has 6 passages (two interviewer turns), Ridge Road 4
    assert share.loc["Grand Oak", "embedded_pd"] == pytest.approx(1 / 6)
    assert share.loc["Grand Oak", "student_driven"] == pytest.approx(4 / 6)
    assert share.loc["Ridge Road"].tolist() == pytest.approx([1 / 4, 0.0, 1 / 4, 1 / 4])
    informants = theme_matrix(study, measure="informants")
    # Ms. Avery plus two focus-group speakers
    assert informants.loc["Grand Oak", "student_driven"] == 3
    sources = theme_matrix(study, measure="sources")
    assert sources.loc["Grand Oak", "student_driven"] == 2
    assert sources.loc["Ridge Road", "embedded_pd"] == 0


def test_per_1000_words(study):
    m = theme_matrix(study, measure="per_1000_words")
    # words of the participants' turns only (interviewer questions left out)
    said = study.passages[study.passages.speaker != "INTERVIEWER"].merge(study.documents, on="doc_id")
    words = said.groupby("school")["text"].agg(lambda t: sum(len(x.split()) for x in t))
    assert m.loc["Grand Oak", "student_driven"] == pytest.approx(4 * 1000 / words["Grand Oak"])


def test_two_grouping_columns_give_multiindex_with_zero_rows(study):
    m = theme_matrix(study, by=["school", "role"])
    assert m.index.names == ["school", "role"]
    # the uncoded site visit still has its row, all zeros
    assert m.loc[("Ridge Road", "observer")].tolist() == [0, 0, 0, 0]
    assert m.loc[("Grand Oak", "student")].tolist() == [0, 0, 2, 0]
    long = to_long(m)
    assert long.columns.tolist() == ["school", "role", "code", "passages"]
    assert len(long) == len(m) * 4
    assert long["passages"].sum() == m.to_numpy().sum()


def test_role_rows_follow_schema_order(study):
    assert theme_matrix(study, by="role").index.tolist() == ["administrator", "teacher",
                                                             "student", "observer"]


def test_second_coder(study):
    m = theme_matrix(study, coder="coder_b")
    assert m.to_numpy().sum() == 1 and m.loc["Grand Oak", "embedded_pd"] == 1


def test_clear_errors(study):
    with pytest.raises(PlcaseError, match=r"'campus'.*'school'"):
        theme_matrix(study, by="campus")
    with pytest.raises(PlcaseError, match=r"'grwo'.*'grow'"):
        theme_matrix(study, codes=["grwo"])
    with pytest.raises(PlcaseError, match="'ratio'"):
        theme_matrix(study, measure="ratio")
    with pytest.raises(PlcaseError, match=r"'coder_z'.*'coder_a'"):
        theme_matrix(study, coder="coder_z")
    with pytest.raises(PlcaseError, match="'campus'"):
        glow_grow(study, by="campus")


def test_coding_outside_every_passage_is_an_error_not_a_silent_loss():
    docs = [dict(DOCS[3], turns=[(None, "Visited the media center.")])]
    study = build_study(docs, [])
    texts = dict(study.texts)
    texts["RR-V1"] = texts["RR-V1"] + "\n\nLate note."
    bad = Study(documents=study.documents, passages=study.passages,
                codings=pd.DataFrame([dict(doc_id="RR-V1", start=len(texts["RR-V1"]) - 5,
                                           end=len(texts["RR-V1"]), code="glow", coder="coder_a")]),
                codebook=CODEBOOK, texts=texts)
    with pytest.raises(PlcaseError, match="overlap no passage"):
        theme_matrix(bad)


# ---------------------------------------------------------------- co-occurrence

def test_cooccurrence_counts_and_jaccard(study):
    m = cooccurrence(study)
    assert (m.to_numpy() == m.to_numpy().T).all()
    assert m.loc["student_driven", "student_driven"] == 5
    # passage level: GO-T1:001 (via the spanning coding), GO-S1:001, and RR-A1:002 where the
    # glow belongs to whole_child_sel; glow_grow (below) matches valence on the text instead
    assert m.loc["student_driven", "glow"] == 3
    assert m.loc["student_driven", "grow"] == 2
    assert m.loc["embedded_pd", "shared_culture"] == 0
    j = cooccurrence(study, measure="jaccard", codes=["student_driven", "grow", "shared_culture"])
    # |sd ∩ grow| = 2, |sd ∪ grow| = 5 + 2 - 2
    assert j.loc["student_driven", "grow"] == pytest.approx(2 / 5)
    assert np.diag(j.to_numpy()).tolist() == [1.0, 1.0, 1.0]


# ---------------------------------------------------------------- glow and grow

def test_glow_grow_matches_valence_to_its_theme_within_a_passage(study):
    gg = glow_grow(study).set_index(["school", "code"])
    assert len(gg) == 2 * 4
    assert gg.loc[("Ridge Road", "student_driven"), ["glow", "grow"]].tolist() == [0, 1]
    assert gg.loc[("Ridge Road", "whole_child_sel"), ["glow", "grow"]].tolist() == [1, 0]
    assert gg.loc[("Grand Oak", "student_driven"), ["glow", "grow"]].tolist() == [2, 1]
    assert gg.loc[("Grand Oak", "student_driven"), "balance"] == pytest.approx(1 / 3)
    assert gg.loc[("Ridge Road", "student_driven"), "balance"] == -1
    assert np.isnan(gg.loc[("Ridge Road", "embedded_pd"), "balance"])
    assert gg.loc[("Ridge Road", "embedded_pd"), ["n_passages", "glow", "grow"]].tolist() == [0, 0, 0]


# ---------------------------------------------------------------- saturation

def test_new_codes_curves(study):
    sat = new_codes(study)
    go = sat[sat.group == "Grand Oak"]
    assert go.doc_id.tolist() == ["GO-T1", "GO-S1"]
    assert go.n_codes.tolist() == [2, 3]
    assert go.new_codes.tolist() == ["embedded_pd, student_driven", "student_ownership"]
    rr = sat[sat.group == "Ridge Road"]
    assert rr.n_codes.tolist() == [3, 3] and rr.n_new.tolist() == [3, 0]
    pooled = new_codes(study, by=[])
    assert pooled.step.tolist() == [1, 2, 3, 4] and pooled.n_codes.iloc[-1] == 5


# ---------------------------------------------------------------- framework matrix

def test_framework_matrix_quotes_and_attribution(study):
    fw = framework_matrix(study, n_quotes=2)
    cell = fw[(fw.school == "Grand Oak") & (fw.code == "student_driven")]
    assert cell["rank"].tolist() == [1, 2]
    assert cell["n_passages"].iloc[0] == 4
    # two different voices when the cell offers them
    assert cell["attribution"].nunique() == 2
    attributions = set(fw["attribution"])
    assert "— Ms. Avery, teacher" in attributions or "— Kai, student" in attributions
    assert "— Dr. Bell, administrator" in attributions
    for quote, pid in zip(fw.quote, fw.passage_id):
        passage = study.passages.set_index("passage_id").loc[pid, "text"]
        assert quote.rstrip("…") in passage.replace("\n", " ")
    # empty cells have no rows, and deterministic output
    assert fw[(fw.school == "Ridge Road") & (fw.code == "embedded_pd")].empty
    pd.testing.assert_frame_equal(fw, framework_matrix(study, n_quotes=2))


def test_framework_wide_has_every_cell(study):
    wide = framework_wide(framework_matrix(study, n_quotes=1), codes=THEMES)
    assert wide.shape == (2, 4)
    assert wide.loc["Ridge Road", "embedded_pd"] == ""
    assert wide.loc["Ridge Road", "shared_culture"].startswith("“We share our flops")
    assert wide.loc["Ridge Road", "shared_culture"].endswith("— Dr. Bell, administrator")


def test_trim_quote_cuts_at_a_word_boundary():
    text = "If a lesson flops we talk about it Monday morning and nobody gets in trouble."
    short = trim_quote(text, 30)
    assert short.endswith("…") and len(short) <= 31
    assert text.startswith(short[:-1]) and text[len(short) - 1] == " "
    assert trim_quote("short enough", 30) == "short enough"


# ---------------------------------------------------------------- the sample

# `sample` is the session fixture of tests/conftest.py.


def test_sample_conservation(sample):
    for coder in sample.coders:
        long = coded_passages(sample, coder=coder)
        brute = overlapped_passages(sample, coder)
        assert all(hits for _, hits in brute)
        assert long["n_codings"].sum() == sum(len(h) for _, h in brute)
        assert set(zip(long.passage_id, long.code)) == {(p, c) for c, hits in brute for p in hits}
        m = theme_matrix(sample, codes=sample.codes, coder=coder)
        assert m.to_numpy().sum() == len(long)
        assert (m.sum() == long.groupby("code").size().reindex(m.columns, fill_value=0)).all()


def test_sample_school_profiles(sample):
    """The profiles the README describes are visible in the matrix."""
    schools = ["Grand Oak Elementary", "Newell Elementary", "Ridge Road Middle"]
    # of the three schools (the sample also holds a district-office interview)
    share = theme_matrix(sample, measure="share").loc[schools]
    assert share["embedded_pd"].idxmax() == "Grand Oak Elementary"
    assert share["shared_culture"].idxmax() == "Ridge Road Middle"
    assert share["whole_child_sel"].idxmax() == "Newell Elementary"
    gg = glow_grow(sample).set_index(["school", "code"])
    ridge = gg.loc[("Ridge Road Middle", "student_driven")]
    assert ridge["grow"] > ridge["glow"]
    for school in ("Grand Oak Elementary", "Newell Elementary"):
        other = gg.loc[(school, "student_driven")]
        assert other["glow"] > other["grow"]


def test_cooccurrence_defaults_to_the_codes_applied():
    import dataclasses

    import plcase
    from plcase.matrix import cooccurrence

    study = plcase.read_sample()
    one = study.codings[(study.codings["coder"] == study.primary_coder)
                        & (study.codings["code"] != "glow")]
    fewer = dataclasses.replace(study, codings=one.reset_index(drop=True))  # glow never applied
    matrix = cooccurrence(fewer)
    assert "glow" not in matrix.index and "grow" in matrix.index
    assert list(cooccurrence(study).index) == study.codes  # every code applied: all, in order
