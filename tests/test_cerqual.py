"""GRADE-CERQual confidence: each component moves the grade on its own, and the sample varies."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

import plcase
from plcase.errors import PlcaseError
from plcase.recommend import (COMPONENTS, CONCERNS, CONFIDENCE, CONFIDENCE_RULE, cerqual,
                              describe_rule, evidence_table_markdown, recommendations,
                              recommendations_markdown)

from tests.handmade import build_study

# ---------------------------------------------------------------- a small study that earns "high"
#
# Two cases (North, South), each with one teacher interview and one student focus group of three.
# Every teacher and every student says one thing about learning from colleagues (embedded_pd) and
# one thing about lunch (uncoded): 8 evidence passages from 8 informants. coder_b coded every
# document exactly as coder_a did, so kappa is 1 and all evidence is double-coded.

PD = {"N-T1": ["Our coach visits every week and it helps me plan."],
      "N-S1": ["Our teacher learns from the coach and it shows.",
               "Teachers watch each other teach and they like it.",
               "Our teacher plans with the others and it is better."],
      "S-T1": ["I learn the most when I watch my colleagues teach."],
      "S-S1": ["Our teacher goes to sessions with the coach and it helps.",
               "The teachers plan together and lessons are better.",
               "Our teacher visits other classes and comes back excited."]}
LUNCH = "Lunch is at noon in the big hall."
SPEAKERS = {"N-T1": ["ADAMS"], "S-T1": ["BAKER"], "N-S1": ["KIM", "LEO", "MAY"],
            "S-S1": ["NED", "OLA", "PIA"]}


def small_docs():
    docs = []
    for doc_id, said in PD.items():
        case = "North" if doc_id.startswith("N") else "South"
        student = doc_id.endswith("S1")
        turns = [("INTERVIEWER", "Tell me how teachers learn here.")]
        for speaker, text in zip(SPEAKERS[doc_id], said):
            turns += [(speaker, text), (speaker, LUNCH)]
        docs.append(dict(doc_id=doc_id, school=case, source="focus_group" if student else "interview",
                         role="student" if student else "teacher",
                         participant=f"{case} focus group" if student else SPEAKERS[doc_id][0].title(),
                         date="2017-01-10", turns=turns))
    return docs


def small_codings(coders=("coder_a", "coder_b"), valence=None, keep=None):
    """coder_a's (and coder_b's) codings: embedded_pd and a glow on every PD sentence."""
    rows = []
    for doc_id, said in PD.items():
        for k, text in enumerate(said):
            if keep is not None and k >= keep:
                continue
            for coder in coders:
                rows.append((doc_id, text, "embedded_pd", coder))
                rows.append((doc_id, text, (valence or {}).get(doc_id, "glow"), coder))
    return rows


MAPPING = pd.DataFrame({"id": [1], "short": ["Invest in people"],
                        "recommendation": ["Invest in people."], "codes": [("embedded_pd",)],
                        "rationale": ["r"], "about": [{"roles": ("teacher", "student")}]})
# Cut points sized for eight passages (the defaults are sized for a whole case study).
RULE = {"adequacy": {"passages": (8, 6, 2), "informants": (8, 6, 2), "words": (40, 20, 5)}}


def judge(codings=None, mapping=MAPPING, rule=RULE, **kwargs):
    study = build_study(small_docs(), small_codings() if codings is None else codings)
    return cerqual(study, mapping, coder="coder_a", rule=rule, **kwargs).iloc[0]


def rated_units(study, code):
    """Passages the agreement module rates (it may leave interviewer turns out): kappa's units."""
    frame = plcase.units(study, coders=["coder_a", "coder_b"], codes=[code])
    rated = frame.groupby("unit_id")["value"].apply(lambda v: v.notna().all())
    return set(rated[rated].index)


def changed(row, base):
    return [c for c in COMPONENTS if row[c] != base[c]]


@pytest.fixture(scope="module")
def base():
    return judge()


def test_the_small_study_earns_high_confidence(base):
    assert [base[c] for c in COMPONENTS] == ["no concerns"] * 4
    assert base["confidence"] == "high"
    assert (base["n_passages"], base["n_informants"], base["n_cases"], base["n_roles"]) == (8, 8, 2, 2)
    assert base["double_coded"] == 1.0 and base["kappa"] == 1.0
    assert (base["glow"], base["grow"]) == (8, 0)
    assert base["explanation"] == "High confidence: no concerns about any component."


def test_methodological_limitations_alone_move_the_grade(base):
    single = judge(small_codings(coders=("coder_a",)))
    assert changed(single, base) == ["methodological_limitations"]
    assert single["methodological_limitations"] == "moderate concerns"
    assert single["confidence"] == "moderate"
    assert "Only 'coder_a' coded its evidence" in single["methodological_limitations_why"]

    machine = judge(machine_coders=["coder_a"])
    assert changed(machine, base) == ["methodological_limitations"]
    assert machine["methodological_limitations"] == "serious concerns"
    assert machine["confidence"] == "low"


def test_low_kappa_is_a_limitation_and_matches_sklearn(base):
    # coder_b misses the South teacher and two South students, and codes lunch in North instead
    rows = [r for r in small_codings() if not (r[3] == "coder_b" and r[0].startswith("S")
                                                and r[1] != PD["S-S1"][2])]
    rows += [("N-T1", LUNCH, "embedded_pd", "coder_b"), ("N-S1", LUNCH, "embedded_pd", "coder_b")]
    row = judge(rows)
    assert changed(row, base) == ["methodological_limitations"]
    # Cohen's kappa on the passages of documents both coded (coder_b never opened S-T1),
    # computed independently by scikit-learn
    study = build_study(small_docs(), rows)
    passages = study.passages[study.passages.doc_id != "S-T1"]
    passages = passages[passages.passage_id.isin(rated_units(study, "embedded_pd"))]
    vectors = {}
    for coder in ("coder_a", "coder_b"):
        mine = study.codings[(study.codings.coder == coder) & (study.codings.code == "embedded_pd")]
        vectors[coder] = [int(any((mine.doc_id == p.doc_id) & (mine.start < p.end) & (p.start < mine.end)))
                          for p in passages.itertuples()]
    expected = cohen_kappa_score(vectors["coder_a"], vectors["coder_b"])
    assert row["kappa"] == pytest.approx(expected)
    assert 0.4 <= expected < 0.6 and row["methodological_limitations"] == "moderate concerns"
    assert row["confidence"] == "moderate"
    worse = judge(rows + [("N-S1", "Tell me how teachers learn here.", "embedded_pd", "coder_b"),
                          ("S-S1", LUNCH, "embedded_pd", "coder_b")])
    assert worse["kappa"] < 0.4 and worse["methodological_limitations"] == "serious concerns"
    assert worse["confidence"] == "low"
    assert f"{expected:.2f}" in row["methodological_limitations_why"]


def test_little_double_coding_is_a_limitation(base):
    rows = [r for r in small_codings() if r[3] == "coder_a" or r[0] == "N-T1"]
    row = judge(rows)
    assert row["double_coded"] == pytest.approx(1 / 8)
    assert changed(row, base) == ["methodological_limitations"]
    assert row["methodological_limitations"] == "moderate concerns"
    assert "12% of its passages were double-coded" in row["methodological_limitations_why"]


def test_coherence_alone_moves_the_grade(base):
    # South speaks of the same practices as a struggle: the cases contradict each other
    row = judge(small_codings(valence={"S-T1": "grow", "S-S1": "grow"}))
    assert changed(row, base) == ["coherence"]
    assert (row["glow"], row["grow"]) == (4, 4)
    assert row["contradicting"] == "South (case)" and row["agreeing"] == 0.5
    assert row["coherence"] == "moderate concerns" and row["confidence"] == "moderate"
    assert "South (case) leans grow" in row["coherence_why"]


def test_a_lesson_drawn_from_what_was_hard_is_coherent_when_all_say_so(base):
    everywhere = {d: "grow" for d in PD}
    row = judge(small_codings(valence=everywhere))
    assert row["coherence"] == "no concerns" and row["confidence"] == "high"


def test_adequacy_alone_moves_the_grade(base):
    # one student per focus group speaks to it: 4 passages from 4 informants, still both cases
    # and both roles
    row = judge(small_codings(keep=1))
    assert changed(row, base) == ["adequacy"]
    assert (row["n_passages"], row["n_informants"], row["n_cases"]) == (4, 4, 2)
    assert row["adequacy"] == "moderate concerns" and row["confidence"] == "moderate"
    assert "4 passages, 4 informants" in row["adequacy_why"]


def test_relevance_alone_moves_the_grade(base):
    about_teachers = MAPPING.assign(about=[{"roles": ("teacher",)}])
    row = judge(mapping=about_teachers)
    assert changed(row, base) == ["relevance"]
    assert row["relevant"] == pytest.approx(2 / 8)
    assert row["relevance"] == "moderate concerns" and row["confidence"] == "moderate"
    assert "25% of its passages come from the roles it is about (teacher)" in row["relevance_why"]


def test_a_declared_role_with_no_evidence_is_a_relevance_concern(base):
    teachers_only = [r for r in small_codings() if r[0].endswith("T1")]
    row = judge(teachers_only)
    assert row["relevant"] == 1.0          # every passage is from a declared role ...
    assert row["relevance"] == "minor concerns"   # ... but the students were not heard
    assert "no evidence from student" in row["relevance_why"]
    with pytest.raises(PlcaseError, match="'principal'"):
        judge(mapping=MAPPING.assign(about=[{"roles": ("principal",)}]))


def test_the_rule_is_configurable_and_minor_concerns_add_up(base):
    # two minor concerns cost one level by default; a rule may make them free
    rows = small_codings(keep=2)        # 6 passages, 6 informants: adequacy minor
    two_minor = judge(rows, mapping=MAPPING.assign(about=[{"roles": ("teacher", "student"),
                                                            "sources": ("focus_group",)}]))
    assert sorted(two_minor[c] for c in COMPONENTS).count("minor concerns") == 2
    assert two_minor["confidence"] == "moderate"
    lenient = dict(RULE, overall={"minor_per_step": 0})
    again = judge(rows, rule=lenient, mapping=MAPPING.assign(
        about=[{"roles": ("teacher", "student"), "sources": ("focus_group",)}]))
    assert again["confidence"] == "high"
    assert "every" not in describe_rule(lenient).split(". ")[0]
    with pytest.raises(PlcaseError, match="unknown entry 'kapa'"):
        judge(rule={"methodological_limitations": {"kapa": (1, 1, 1)}})
    with pytest.raises(PlcaseError, match="unknown rule part 'overal'"):
        judge(rule={"overal": {}})


def test_describe_rule_states_the_cut_points():
    text = describe_rule()
    kappa = CONFIDENCE_RULE["methodological_limitations"]["kappa"]
    assert f"Cohen's kappa of its codes {kappa[0]:g}/{kappa[1]:g}/{kappa[2]:g}" in text
    assert "never below very low" in text
    assert "Cohen's kappa of its codes 0.7/0.5/0.3" in describe_rule(
        {"methodological_limitations": {"kappa": (0.7, 0.5, 0.3)}})


# ---------------------------------------------------------------- the sample


@pytest.fixture(scope="module")
def sample_with_context(sample):
    # the district office informs the study but is not one of its cases
    docs = sample.documents.assign(context=sample.documents["role"].eq("district"))
    return dataclasses.replace(sample, documents=docs)


@pytest.fixture(scope="module")
def sample_table(sample_with_context):
    return cerqual(sample_with_context, coder="coder_a", case_column="school")


def test_sample_grades_differ_and_each_is_explained(sample_table):
    assert sample_table["id"].tolist() == [1, 2, 3, 4, 5]
    assert sample_table["confidence"].nunique() > 1
    steps = CONFIDENCE_RULE["overall"]["steps"]
    for row in sample_table.itertuples(index=False):
        concerns = [getattr(row, c) for c in COMPONENTS]
        down = sum(steps[c] for c in concerns) + concerns.count("minor concerns") // 2
        assert row.confidence == CONFIDENCE[max(3 - down, 0)]
        for c in COMPONENTS:
            assert getattr(row, f"{c}_why").endswith(".")
            if getattr(row, c) != "no concerns":
                assert c.replace("_", " ") in row.explanation
    assert (sample_table["cases_total"] == 3).all()   # the district office is context


def test_recommendation_one_rests_on_district_support(sample_with_context, sample_table):
    recs = plcase.read_recommendations(plcase.config.SAMPLE_DIR / "recommendations.yml")
    assert recs.loc[0, "codes"] == ("district_support",)
    assert recs.loc[0, "about"] == {"roles": ("district", "administrator"), "sources": ()}
    one = sample_table.iloc[0]
    codings = sample_with_context.codings
    ours = codings[(codings.code == "district_support") & (codings.coder == "coder_a")]
    # the district leader and a leader of every school speak to it
    assert {"CMS-D1", "GO-A1", "NE-A1", "RR-A1"} <= set(ours["doc_id"])
    assert one["n_cases"] == 3 and one["n_roles"] == 2
    assert one["n_passages"] == ours["passage_id"].nunique()


def test_sample_kappa_of_district_support_matches_sklearn(sample_with_context, sample_table):
    study = sample_with_context
    both = (set(study.codings.loc[study.codings.coder == "coder_a", "doc_id"])
            & set(study.codings.loc[study.codings.coder == "coder_b", "doc_id"]))
    passages = study.passages[study.passages.doc_id.isin(both)]
    passages = passages[passages.passage_id.isin(rated_units(study, "district_support"))]
    vectors = {}
    for coder in ("coder_a", "coder_b"):
        mine = study.codings[(study.codings.coder == coder)
                             & (study.codings.code == "district_support")]
        by_doc = {d: g for d, g in mine.groupby("doc_id")}
        vectors[coder] = [int(p.doc_id in by_doc and bool(((by_doc[p.doc_id].start < p.end)
                                                          & (p.start < by_doc[p.doc_id].end)).any()))
                          for p in passages.itertuples()]
    expected = cohen_kappa_score(vectors["coder_a"], vectors["coder_b"])
    assert sample_table.iloc[0]["kappa"] == pytest.approx(expected)
    assert 0.4 < expected < 0.9      # two coders who mostly, not always, agree


def test_district_support_is_not_a_theme(sample):
    codebook = sample.codebook.set_index("code")
    assert codebook.loc["district_support", "kind"] == "code"
    assert plcase.theme_matrix(sample).shape[1] == 4


def test_markdown_carries_the_evidence_table(sample_with_context, sample_table):
    table = evidence_table_markdown(sample_table)
    lines = table.splitlines()
    assert lines[0] == ("| # | Recommendation | Methodological limitations | Coherence | Adequacy | "
                        "Relevance | Confidence | Explanation |")
    assert len(lines) == 2 + 5
    assert lines[2].startswith("| 1 | District leadership and support | ")
    graded = recommendations(sample_with_context, coder="coder_a")
    text = recommendations_markdown(sample_with_context, graded, n_quotes=1,
                                    confidence=sample_table)
    assert table in text and "GRADE-CERQual" in text and "doi:10.1186/s13012-017-0688-3" in text
    assert text.count("**Confidence: ") == 5
    section = text.split("### 1.")[1].split("### 2.")[0]
    assert f"**Confidence: {sample_table.iloc[0]['confidence']}**" in section
    assert sample_table.iloc[0]["adequacy_why"] in section


def test_confidence_figure_shows_every_judgement(sample_table):
    ax = plcase.figures.plot_confidence(sample_table)
    labels = [t.get_text() for t in ax.texts]
    assert len(labels) == 5 * 5
    assert labels[4::5] == [str(c) for c in sample_table["confidence"]]
    assert labels[0::5] == [str(c).replace(" concerns", "")
                            for c in sample_table["methodological_limitations"]]
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "Confidence"
    assert set(np.unique([str(c) for c in sample_table[list(COMPONENTS)].to_numpy().ravel()])) \
        <= set(CONCERNS)


# ---------------------------------------------------------------- a real study with its own names

SHARED = __import__("pathlib").Path(__file__).resolve().parents[1].parent / "shared"
QUALCODER = SHARED / "real-exports" / "native" / "qualcoder-3.6_mannheimer_refi_qda_project_recoded.qda"


def test_a_real_one_coder_study_with_its_own_codes_and_cases():
    study = plcase.assign_cases(plcase.read_study(QUALCODER), pattern=r"^(?P<case>BSR|DC|QR)\d")
    codes = ["comparability - documentation and metadata", "consent - consent language and procedures"]
    mapping = pd.DataFrame({"id": [1, 2], "short": ["metadata", "consent"],
                            "codes": [codes[:1], codes[1:]]})
    table = cerqual(study, mapping, coder="saramannheimer", case_column="case")
    # one coder: no second coder checked the codes, whatever the study's coder is called
    assert (table["methodological_limitations"] == "moderate concerns").all()
    assert table["methodological_limitations_why"].str.contains("Only 'saramannheimer'").all()
    assert (table["cases_total"] == 3).all()
    # no glow/grow in this codebook: nothing can lean, so nothing contradicts
    assert (table["coherence"] == "no concerns").all() and (table["glow"] + table["grow"] == 0).all()
    # counted from the real codings: passages carrying the code
    long = plcase.matrix.coded_passages(study, coder="saramannheimer", codes=codes)
    assert table["n_passages"].tolist() == [long.loc[long.code == c, "passage_id"].nunique()
                                            for c in codes]


def test_a_recommendation_without_evidence_gets_very_low_confidence():
    row = judge(mapping=MAPPING.assign(codes=[("whole_child_sel",)]))
    assert row["n_passages"] == 0 and row["adequacy"] == "serious concerns"
    assert row["relevance"] == "serious concerns" and row["confidence"] == "very low"
    assert "cannot be computed" in row["methodological_limitations_why"]
