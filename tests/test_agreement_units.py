"""Reliability units of issue 13: coded scope, speaker roles, default coders, nominal variables.

Expected values are counted by hand from the hand-made study below (the
arithmetic is in the comments) or computed by the ``krippendorff`` package.
"""

from __future__ import annotations

from dataclasses import replace

import krippendorff
import numpy as np
import pandas as pd
import pytest

import plcase
from plcase.agreement import NO_CODE, UNIT_COLUMNS, agreement, default_coders, units
from plcase.errors import PlcaseError
from plcase.study import Study

TEXT = ("Q: How do you start the day?|"      # 0-28  interviewer
        "A: We plan together.|"               # 29-49 participant
        "Q: And then?|"                       # 50-62 interviewer
        "A: The kids choose a playlist.|"     # 63-93 participant
        "A: Some days it fails.")             # 94-116 participant
PASSAGES = pd.DataFrame({
    "passage_id": ["d:1", "d:2", "d:3", "d:4", "d:5"], "doc_id": "d",
    "start": [0, 29, 50, 63, 94], "end": [28, 49, 62, 93, 116],
    "speaker_role": ["interviewer", "participant", "interviewer", "participant", "participant"]})


def role_study(codings, passages=PASSAGES, codes=("glow", "grow", "culture")):
    return Study(documents=pd.DataFrame({"doc_id": ["d"]}), passages=passages,
                 codings=pd.DataFrame(codings, columns=["doc_id", "start", "end", "code",
                                                        "coder"]),
                 codebook=pd.DataFrame({"code": list(codes)}), texts={"d": TEXT})


CODINGS = [("d", 29, 49, "glow", "ana"), ("d", 63, 93, "glow", "ana"),
           ("d", 94, 116, "grow", "ana"), ("d", 0, 28, "culture", "ana"),
           ("d", 29, 49, "glow", "ben"), ("d", 63, 93, "grow", "ben"),
           ("d", 94, 116, "grow", "ben"), ("d", 0, 28, "culture", "ben")]


def test_interviewer_turns_are_left_out_by_default_and_the_output_says_so():
    study = role_study(CODINGS)
    frame = units(study, codes=["culture"])
    assert frame.columns.tolist() == UNIT_COLUMNS
    assert frame["unit_id"].unique().tolist() == ["d:2", "d:4", "d:5"]
    assert frame["roles_left_out"].unique().tolist() == ["interviewer, facilitator"]
    result = agreement(frame, coefficients=["percent_agreement"])
    assert result["roles_left_out"].unique().tolist() == ["interviewer, facilitator"]
    every_turn = units(study, codes=["culture"], exclude_roles=())
    assert every_turn["unit_id"].nunique() == 5
    assert every_turn["roles_left_out"].iloc[0] == "none"


def test_character_units_leave_interviewer_characters_out():
    study = role_study(CODINGS)
    runs = units(study, unit="character", codes=["glow"]).drop_duplicates("unit_id")
    # 117 characters minus the two interviewer turns (28 + 12 characters).
    assert runs["weight"].sum() == len(TEXT) - 28 - 12
    spans = list(zip(runs["start"], runs["end"]))
    assert not [(s, e) for s, e in spans if s < 28 or 50 <= s < 62]
    assert (28, 29) in spans and (49, 50) in spans   # the separators next to them remain


def test_passages_without_roles_or_speakers_are_participants_and_all_count():
    # A study built from passages without speaker_role gets roles from the speaker labels;
    # passages with no speaker are participants' (notes, paragraphs), so every turn counts.
    study = role_study(CODINGS, passages=PASSAGES.drop(columns="speaker_role"))
    assert study.passages["speaker_role"].eq("participant").all()
    frame = units(study, codes=["glow"])
    assert frame["unit_id"].nunique() == 5
    assert frame["roles_left_out"].iloc[0] == "interviewer, facilitator"


def test_coded_scope_keeps_only_coded_units():
    study = role_study(CODINGS + [("d", 29, 49, "glow", "cy")])
    both = units(study, coders=["ana", "ben"], codes=["glow"], exclude_roles=())
    coded = units(study, coders=["ana", "ben"], codes=["glow"], scope="coded", exclude_roles=())
    # glow: ana on passages 2 and 4, ben on 2 only; passages 1, 3 and 5 carry no glow.
    assert coded["unit_id"].unique().tolist() == ["d:2", "d:4"]
    assert coded["scope"].unique().tolist() == ["coded"]
    assert both["scope"].unique().tolist() == ["all"]
    all_rows = agreement(both, coefficients=["percent_agreement"]).iloc[0]
    coded_rows = agreement(coded, coefficients=["percent_agreement"]).iloc[0]
    assert all_rows["value"] == pytest.approx(4 / 5)      # 4 of 5 passages agree
    assert coded_rows["value"] == pytest.approx(1 / 2)    # 1 of the 2 coded passages
    assert (coded_rows["n_units"], coded_rows["scope"]) == (2, "coded")


def test_coded_scope_on_characters_counts_coded_characters():
    study = role_study(CODINGS)
    frame = units(study, unit="character", codes=["glow", "grow"], scope="coded")
    runs = frame.drop_duplicates("unit_id")
    # Coded with glow or grow by ana or ben: passages 2, 4 and 5 (20 + 30 + 22 characters).
    assert runs["weight"].sum() == 72


def test_default_coders_come_from_the_study():
    study = role_study(CODINGS + [("d", 0, 5, "glow", "auto:rules")])
    # The study's reliability pairs are its human coders; the machine is compared only by name.
    assert default_coders(study) == ["ana", "ben"]
    study = replace(study, settings={"reliability_coders": [("ben", "ana")]})  # as study.yml says
    assert default_coders(study) == ["ben", "ana"]
    assert units(study)["coder"].unique().tolist() == ["ben", "ana"]


def test_variable_is_one_nominal_variable_with_text_categories():
    study = role_study(CODINGS + [("d", 63, 93, "grow", "ana")])
    frame = units(study, variable={"valence": ["glow", "grow"]})
    assert frame["code"].unique().tolist() == ["valence"]
    labels = frame.pivot(index="unit_id", columns="coder", values="value")
    assert labels.loc["d:2"].tolist() == ["glow", "glow"]
    # ana applied both codes to passage 4: kept visible, not silently resolved.
    assert labels.loc["d:4"].tolist() == ["glow+grow", "grow"]
    assert labels.loc["d:5"].tolist() == ["grow", "grow"]
    study_none = role_study(CODINGS[:2] + CODINGS[4:6])
    assert units(study_none, variable=["glow", "grow"])["value"].tolist()[-2:] == [NO_CODE] * 2
    with pytest.raises(PlcaseError, match="not both"):
        units(study, codes=["glow"], variable=["glow", "grow"])


def test_text_categories_give_the_krippendorff_package_value():
    rng = np.random.default_rng(2)
    labels = np.array(["glow", "grow", NO_CODE], dtype=object)
    index = rng.integers(0, 3, size=(3, 40))
    matrix = labels[index].astype(object)
    matrix[0, :5] = None
    frame = pd.DataFrame({"unit_id": np.tile(np.arange(40), 3),
                          "coder": np.repeat(["a", "b", "c"], 40), "code": "valence",
                          "value": matrix.ravel()})
    numeric = index.astype(float)
    numeric[0, :5] = np.nan
    expected = krippendorff.alpha(reliability_data=numeric, level_of_measurement="nominal")
    result = agreement(frame, coefficients=["krippendorff_alpha", "percent_agreement_coded"])
    assert result["value"].iloc[0] == pytest.approx(expected, abs=1e-12)
    # Coded-only agreement leaves out units every coder rated "(none)".
    both_none = ((matrix == NO_CODE) | pd.isna(matrix)).all(axis=0)
    coded = result[result.coefficient == "percent_agreement_coded"].iloc[0]
    assert coded["n_units"] == 40 - both_none.sum()


def test_sample_valence_variable(sample):
    frame = units(sample, variable=["glow", "grow"])
    assert set(frame["value"].dropna()) <= {"glow", "grow", "glow+grow", NO_CODE}
    result = agreement(frame, coefficients=["cohen_kappa"], ci=0.95, n_boot=200)
    row = result.iloc[0]
    assert row["code"] == "glow/grow" and row["resampled"] == "documents"
    # Both human coders rated the documents coder_b double-coded.
    shared = sample.codings.groupby("doc_id")["coder"].nunique()
    # Interviewer turns are left out by default, so the units are the participants' passages.
    participant = sample.passages["speaker_role"].eq("participant")
    assert frame.dropna(subset=["value"]).groupby("unit_id")["coder"].nunique().eq(2).sum() == (
        sample.passages["doc_id"].isin(shared.index[shared == 2]) & participant).sum()
    assert plcase.units is units


def test_a_machine_coder_that_tagged_nothing_rated_every_passage_as_not_coded():
    # Keyword rules may find none of a codebook's words (a project whose codes carry no
    # keywords): the rule coder then has no rows, yet it said "no" to every passage.
    from plcase.agreement import disagreements

    study = plcase.read_sample()
    human = study.primary_coder
    coded = study.codings[(study.codings["coder"] == human)
                          & study.codings["code"].isin(study.theme_codes)]
    found = units(study, coders=[human, "auto:rules"], codes=study.theme_codes)
    machine = found[found["coder"] == "auto:rules"]
    assert len(machine) > 0 and (machine["value"] == 0).all()
    missed = disagreements(study, coders=(human, "auto:rules"), code=study.theme_codes)
    assert set(missed["omitted_by"]) == {"auto:rules"}
    human_units = found[(found["coder"] == human) & (found["value"] == 1)]
    assert len(missed) == len(human_units) and len(coded) > 0
    with pytest.raises(PlcaseError, match="unknown coder"):
        units(study, coders=[human, "nobody"])
