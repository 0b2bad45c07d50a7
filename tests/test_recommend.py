"""Evidence-graded recommendations: the file reader, the grading rule, counts and write-up."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from plcase import config
from plcase.errors import PlcaseError, PlcaseInputError
from plcase.recommend import (GRADES, grade_evidence, informant_roles, read_recommendations,
                              recommendations, recommendations_markdown)

from tests.handmade import CODEBOOK, build_study



@pytest.fixture(scope="module")
def study():
    return build_study()


MAPPING = pd.DataFrame({
    "id": [1, 2, 3],
    "short": ["PD", "Student-driven", "Culture and SEL"],
    "recommendation": ["Invest in people.", "Put students in charge.", "Lead with culture."],
    "codes": [("embedded_pd",), ("student_driven",), ("shared_culture", "whole_child_sel")],
    "rationale": ["r1", "r2", "r3"],
})

SAMPLE_FILE = config.SAMPLE_DIR / "recommendations.yml"
CODES = list(CODEBOOK.code) + ["mastery_learning", "paces_playlists_pathways"]


# ---------------------------------------------------------------- the file

def test_bundled_file_maps_the_five_recommendations():
    recs = read_recommendations(SAMPLE_FILE)
    assert recs["id"].tolist() == [1, 2, 3, 4, 5]
    assert recs.loc[0, "recommendation"].startswith("Provide purposeful leadership")
    assert recs.loc[4, "recommendation"] == "Ensure learning is at the core."
    assert recs.loc[2, "codes"] == ("embedded_pd",)
    assert all(len(c) >= 1 for c in recs["codes"])
    # one sentence of rationale each
    assert all(r.count(". ") == 0 and r.endswith(".") for r in recs["rationale"])


def write(tmp_path, text):
    path = tmp_path / "recommendations.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_code_names_file_entry_line_and_code(tmp_path):
    path = write(tmp_path, """recommendations:
  - id: 1
    recommendation: Invest in human capacity.
    codes: [embedded_pd]
    rationale: Coaching.
  - id: 2
    recommendation: Lead with culture.
    codes: [shared_culture, trust]
    rationale: Culture.
""")
    with pytest.raises(PlcaseInputError) as err:
        read_recommendations(path, codes=CODES)
    message = str(err.value)
    assert str(path) in message and ":6:" in message
    assert "entry 2 ('Lead with culture.')" in message and "'trust'" in message
    assert "shared_culture" in message  # the hint lists the valid codes


def test_missing_field_and_repeated_id(tmp_path):
    path = write(tmp_path, """recommendations:
  - id: 1
    recommendation: Invest in human capacity.
    codes: [embedded_pd]
""")
    with pytest.raises(PlcaseInputError, match=r"entry 1 .* lacks 'rationale'"):
        read_recommendations(path, codes=CODES)
    path = write(tmp_path, """recommendations:
  - {id: 1, recommendation: A., codes: [glow], rationale: x.}
  - {id: 1, recommendation: B., codes: [grow], rationale: y.}
""")
    with pytest.raises(PlcaseInputError, match="repeats id 1"):
        read_recommendations(path, codes=CODES)


def test_malformed_files(tmp_path):
    with pytest.raises(PlcaseInputError, match="top-level list 'recommendations:'"):
        read_recommendations(write(tmp_path, "- id: 1\n"), codes=CODES)
    with pytest.raises(PlcaseInputError, match="not valid YAML"):
        read_recommendations(write(tmp_path, "recommendations: [\n  - {id: 1\n"), codes=CODES)
    with pytest.raises(PlcaseInputError, match="no such"):
        read_recommendations(tmp_path / "missing.yml", codes=CODES)


def test_about_declares_roles_and_sources(tmp_path):
    path = write(tmp_path, """recommendations:
  - id: 1
    recommendation: Invest in human capacity.
    codes: [embedded_pd]
    about: {roles: [teacher], sources: interview}
    rationale: Coaching.
  - {id: 2, recommendation: B., codes: [glow], rationale: y.}
""")
    recs = read_recommendations(path, codes=CODES)
    assert recs["about"].tolist() == [{"roles": ("teacher",), "sources": ("interview",)},
                                      {"roles": (), "sources": ()}]
    bundled = read_recommendations(SAMPLE_FILE)
    assert bundled.loc[0, "codes"] == ("district_support",)
    assert all(a["roles"] for a in bundled["about"])


@pytest.mark.parametrize("about, message", [
    ("[teacher]", "'about' must be a mapping"),
    ("{people: [teacher]}", "unknown key\\(s\\) 'people'"),
    ("{roles: [[teacher], student]}", "'about: roles' must be a list of names"),
])
def test_bad_about_names_the_entry_and_line(tmp_path, about, message):
    path = write(tmp_path, f"""recommendations:
  - id: 1
    recommendation: Invest.
    codes: [embedded_pd]
    about: {about}
    rationale: x.
""")
    with pytest.raises(PlcaseInputError, match=message) as err:
        read_recommendations(path, codes=CODES)
    assert ":2:" in str(err.value) and "entry 1" in str(err.value)


def test_codes_default_to_the_codebook_beside_the_file(tmp_path):
    (tmp_path / "codebook.yml").write_text(
        "codes:\n  - code: embedded_pd\n    kind: theme\n", encoding="utf-8")
    path = write(tmp_path, "recommendations:\n  - {id: 1, recommendation: A., "
                           "codes: [shared_culture], rationale: x.}\n")
    with pytest.raises(PlcaseInputError, match="'shared_culture'"):
        read_recommendations(path)


# ---------------------------------------------------------------- the rule

@pytest.mark.parametrize("args, grade", [
    ((3, 3, 2, 10), "strong"),       # the floor of every strong criterion
    ((3, 3, 1, 50), "moderate"),     # one source type only: not triangulated
    ((2, 3, 3, 50), "moderate"),     # missing a school
    ((3, 2, 3, 50), "moderate"),     # missing a voice
    ((3, 3, 3, 9), "moderate"),      # too few passages for strong
    ((2, 2, 1, 5), "moderate"),
    ((1, 3, 3, 50), "emerging"),     # one school only
    ((2, 1, 2, 20), "emerging"),     # one voice only
    ((2, 2, 2, 4), "emerging"),
    ((0, 0, 0, 0), "emerging"),
])
def test_grading_rule(args, grade):
    got, rule = grade_evidence(*args, n_cases_total=3, n_roles_total=3)
    assert got == grade and rule


@pytest.mark.parametrize("args, n_roles_total, grade", [
    ((3, 0, 2, 10), 0, "strong"),     # a study that names no informant roles
    ((2, 0, 2, 5), 0, "moderate"),
    ((3, 1, 2, 10), 1, "strong"),     # one role in the whole study: every role voiced
    ((2, 1, 1, 5), 1, "moderate"),    # two roles are not needed where only one exists
    ((3, 3, 2, 10), 4, "moderate"),   # four roles, one silent
])
def test_grading_rule_follows_the_roles_the_study_has(args, n_roles_total, grade):
    assert grade_evidence(*args, n_cases_total=3, n_roles_total=n_roles_total)[0] == grade


def test_informant_roles_are_the_case_documents_roles(study, sample):
    # the hand-built study's site visit is the researcher's (observer), not a voice
    assert informant_roles(study) == ["administrator", "student", "teacher"]
    # the sample's district interview is context (study.yml), so "district" is no voice
    assert informant_roles(sample) == ["administrator", "student", "teacher"]
    assert "district" in set(sample.documents["role"])


# ---------------------------------------------------------------- counts on the hand-built study

def test_recommendation_evidence_hand_counts(study):
    graded = recommendations(study, MAPPING).set_index("id")
    assert graded.attrs["n_cases_total"] == 2   # Grand Oak and Ridge Road
    assert graded.attrs["case_column"] == "school"
    cols = ["n_cases", "n_roles", "n_sources", "n_passages", "glow", "grow"]
    # embedded_pd: one teacher passage with a glow
    assert graded.loc[1, cols].tolist() == [1, 1, 1, 1, 1, 0]
    # student_driven: 5 passages (the spanning coding counts in two), 2 schools,
    # administrator + teacher + students, interview + focus group
    assert graded.loc[2, cols].tolist() == [2, 3, 2, 5, 2, 2]
    # culture and SEL: two administrator passages; the grow in RR-A1:002 belongs to
    # student_driven, not to whole_child_sel
    assert graded.loc[3, cols].tolist() == [1, 1, 1, 2, 2, 0]
    assert graded["grade"].tolist() == ["emerging", "moderate", "emerging"]
    assert graded.loc[2, "balance"] == 0
    assert list(graded["grade"].cat.categories) == list(GRADES)
    assert graded.loc[2, "roles"] == "administrator, student, teacher"


def test_unknown_code_in_mapping_frame(study):
    bad = MAPPING.assign(codes=[("embedded_pd",), ("agency",), ("glow",)])
    with pytest.raises(PlcaseError, match="recommendation 2 .*'agency'"):
        recommendations(study, bad)


def test_markdown_is_ready_to_paste_and_deterministic(study):
    graded = recommendations(study, MAPPING)
    text = recommendations_markdown(study, graded, n_quotes=2)
    assert text == recommendations_markdown(study, graded, n_quotes=2)
    assert text.count("\n### ") == 3
    assert "### 2. Put students in charge." in text
    assert "**Evidence: moderate**" in text
    assert "> — Dr. Bell, administrator, Ridge Road" in text
    # quotes for recommendation 2 come from both schools
    section = text.split("### 2.")[1].split("### 3.")[0]
    assert "Grand Oak" in section and "Ridge Road" in section
    assert "np.float" not in text and "nan" not in text


# ---------------------------------------------------------------- the sample

# `sample` is the session fixture of tests/conftest.py.


def test_sample_recommendations(sample):
    graded = recommendations(sample)
    assert graded["id"].tolist() == [1, 2, 3, 4, 5]
    assert graded.attrs["n_cases_total"] == 3   # the district office is context, not a case
    assert (graded["n_cases"] <= 3).all() and (graded["n_roles"] <= 3).all()
    for row in graded.itertuples():
        assert (row.grade, row.rule) == grade_evidence(row.n_cases, row.n_roles, row.n_sources,
                                                       row.n_passages, n_cases_total=3,
                                                       n_roles_total=3)
    text = recommendations_markdown(sample, graded, n_quotes=2)
    assert text.count("\n### ") == 5 and text.count("\n> —") == 10
    pseudonyms = set(sample.documents["participant"])
    assert any(p in text for p in pseudonyms)
