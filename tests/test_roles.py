"""Speaker roles: who counts as a voice in denominators and suggestions."""

from __future__ import annotations

import pandas as pd
import pytest

import plcase
from plcase.errors import PlcaseError, PlcaseInputError
from plcase.evaluate import suggest
from plcase.matrix import glow_grow, row_counts, theme_matrix
from plcase.roles import keep_roles, role_labels, speaker_roles
from plcase.settings import read_settings
from plcase.taggers import RuleTagger

from tests.handmade import build_study


def test_default_labels():
    labels = ["INTERVIEWER", "Interviewer", "Researcher 1", "researcher", "FACILITATOR",
              "Moderator 2", "ARRINGTON", "Nia", None, "  "]
    roles = speaker_roles(pd.DataFrame({"speaker": labels}))["speaker_role"].tolist()
    assert roles == ["interviewer"] * 4 + ["facilitator"] * 2 + ["participant"] * 4


def test_configured_labels_win_and_conflicts_are_refused():
    frame = pd.DataFrame({"speaker": ["RO", "Ana", "Moderator"]})
    roles = speaker_roles(frame, interviewer="ro", facilitator=["Ana"])["speaker_role"]
    assert roles.tolist() == ["interviewer", "facilitator", "facilitator"]
    with pytest.raises(PlcaseInputError, match="both interviewer and facilitator"):
        speaker_roles(frame, interviewer=["RO"], facilitator=["ro"])


def test_read_study_applies_study_yml(write_doc):
    folder = write_doc("INTERVIEWER: How is it going?\nDANA: Fine.\nRO: And the coach?\n"
                       "DANA: Weekly.\n")
    assert plcase.read_study(folder).passages["speaker_role"].tolist() == \
        ["interviewer", "participant", "participant", "participant"]
    (folder / "study.yml").write_text("speaker_roles:\n  interviewer: [RO]\n", encoding="utf-8")
    assert role_labels(read_settings(folder)) == {"interviewer": ["RO"]}
    assert plcase.read_study(folder).passages["speaker_role"].tolist() == \
        ["interviewer", "participant", "interviewer", "participant"]
    (folder / "study.yml").write_text("speaker_roles: [RO]\n", encoding="utf-8")
    with pytest.raises(PlcaseInputError, match="speaker_roles"):
        plcase.read_study(folder)
    (folder / "study.yml").write_text("speaker_roles:\n  moderator: [RO]\n", encoding="utf-8")
    with pytest.raises(PlcaseInputError, match=r"study\.yml:1: 'speaker_roles' has unknown entry "
                                               r"'moderator'"):
        plcase.read_study(folder)


def test_sample_interviewer_turns_are_marked(sample):
    roles = sample.passages.merge(sample.documents[["doc_id", "source"]], on="doc_id")
    interviewer = roles[roles.speaker_role == "interviewer"]
    assert set(interviewer["speaker"]) == {"INTERVIEWER"}
    assert len(interviewer) == (sample.passages["speaker"] == "INTERVIEWER").sum()
    # observers' field notes have no interviewer
    assert not (interviewer["source"] == "site_visit").any()


def test_share_leaves_interviewer_turns_out_by_default():
    study = build_study()
    share = theme_matrix(study, measure="share")
    # Grand Oak: 6 passages, 2 of them interviewer turns -> 4 participant passages;
    # Ridge Road: 4 passages, 1 interviewer turn -> 3.
    assert share.loc["Grand Oak", "embedded_pd"] == pytest.approx(1 / 4)
    assert share.loc["Grand Oak", "student_driven"] == pytest.approx(4 / 4)
    assert share.loc["Ridge Road"].tolist() == pytest.approx([1 / 3, 0.0, 1 / 3, 1 / 3])
    assert share.attrs["roles"] == ["participant"]
    assert "interviewer" in share.attrs["note"]
    everyone = theme_matrix(study, measure="share", include_roles="all")
    assert everyone.loc["Grand Oak", "embedded_pd"] == pytest.approx(1 / 6)
    assert everyone.attrs["roles"] == ["interviewer", "facilitator", "participant"]


def test_interviewer_codings_do_not_count_unless_asked():
    study = build_study(codings=[("GO-T1", "How do teachers learn here?", "embedded_pd", "coder_a"),
                                 ("GO-T1", "Our coach meets us", "embedded_pd", "coder_a")])
    assert theme_matrix(study).loc["Grand Oak", "embedded_pd"] == 1
    assert theme_matrix(study, include_roles="all").loc["Grand Oak", "embedded_pd"] == 2
    assert glow_grow(study).set_index(["school", "code"]).loc[("Grand Oak", "embedded_pd"),
                                                              "n_passages"] == 1


def test_row_counts_by_hand():
    counts = row_counts(build_study())
    # Grand Oak: 4 participant passages from Ms. Avery, KAI and LEE; Ridge Road: 3 from
    # Dr. Bell and the site visit's notes (voiced by the observer).
    assert counts.loc["Grand Oak"].tolist() == [2, 4, 3]
    assert counts.loc["Ridge Road"].tolist() == [2, 3, 2]
    assert row_counts(build_study(), include_roles="all").loc["Grand Oak", "n_passages"] == 6


def test_keep_roles_rejects_unknown():
    with pytest.raises(PlcaseError, match="unknown speaker role"):
        keep_roles(["moderator"])


def test_suggest_leaves_interviewer_turns_out(sample):
    rules = RuleTagger(sample.codebook).fit()
    picked = suggest(rules, sample, n=400, coder="coder_b")
    assert len(picked) and set(picked["speaker_role"]) == {"participant"}
    assert "interviewer" in picked.attrs["note"]
    everyone = suggest(rules, sample, n=400, coder="coder_b", include_roles="all")
    assert "interviewer" in set(everyone["speaker_role"])
