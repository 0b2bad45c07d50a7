"""Bring your own data: Word transcripts, captions, survey responses, mixed folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from plcase.errors import PlcaseError, PlcaseInputError, PlcaseWarning
from plcase.io import read_study
from plcase.io.captions import parse_captions, read_srt, read_vtt
from plcase.io.docx import read_docx, turns_frame
from plcase.io.responses import read_responses

DATA = Path(__file__).parent / "data"
BYOD = DATA / "byod"
SURVEY = DATA / "survey"


def _offsets_hold(doc):
    for row in doc.passages.itertuples():
        assert doc.text[row.start:row.end] == row.text


# --------------------------------------------------------------------------- Word

def test_docx_turns_and_table_metadata():
    doc = read_docx(BYOD / "NE-T9.docx")
    assert doc.meta["doc_id"] == "NE-T9"
    assert (doc.meta["school"], doc.meta["role"], doc.meta["participant"]) == (
        "Newell Elementary", "teacher", "Ms. Inés Ortiz")
    assert doc.passages["speaker"].tolist() == ["Interviewer", "Ms. Ortiz", "Interviewer",
                                                "Ms. Ortiz"]
    # A paragraph without a label continues the turn before it.
    assert doc.passages["text"].iloc[1].endswith("Then they choose a station. It is their choice, "
                                                 "not mine.")
    assert "Field" not in doc.text  # the metadata table is not transcript text
    _offsets_hold(doc)


def test_docx_paragraphs_and_sidecar_metadata():
    doc = read_docx(BYOD / "NE-V9.docx")
    assert doc.meta["source"] == "site_visit" and doc.meta["date"] == "2017-03-23"
    assert doc.passages["speaker"].isna().all() and len(doc.passages) == 2
    _offsets_hold(doc)


def test_sidecar_overrides_the_table(tmp_path):
    shutil.copy(BYOD / "NE-T9.docx", tmp_path / "NE-T9.docx")
    (tmp_path / "NE-T9.yml").write_text("role: coach\n")
    assert read_docx(tmp_path / "NE-T9.docx").meta["role"] == "coach"
    (tmp_path / "NE-T9.yml").write_text("role: [coach\n")
    with pytest.raises(PlcaseInputError, match="NE-T9.yml.*malformed metadata"):
        read_docx(tmp_path / "NE-T9.docx")


def test_turns_frame_keeps_labels_out_of_passages():
    passages = turns_frame("[00:01:02] Speaker 1: Hi.\nSpeaker 2: Hello.", "d")
    # A missing timestamp is None under pandas 2 and NaN under pandas 3: both are missing.
    assert passages[["speaker", "text", "timestamp"]].fillna("(none)").values.tolist() == [
        ["Speaker 1", "Hi.", "00:01:02"], ["Speaker 2", "Hello.", "(none)"]]


# --------------------------------------------------------------------------- captions

def test_vtt_voices_prefixes_merging_and_timestamps():
    doc = read_vtt(BYOD / "GO-Z1.vtt")
    assert doc.meta["participant"] == "Ms. Dana Whitfield"
    assert doc.passages[["speaker", "timestamp", "end_timestamp"]].values.tolist() == [
        ["Rosa Okafor", "00:00:01", "00:00:06"], ["Dana Whitfield", "00:00:06", "00:00:15"],
        ["Rosa Okafor", "00:00:16", "00:00:18"], ["Dana Whitfield", "00:00:18", "00:01:05"]]
    # Styling tags, entities and inline cue times are gone; cues of one speaker are one turn.
    assert doc.passages["text"].iloc[1] == ("I teach fourth grade, mostly reading & math. Our coach "
                                            "comes every Wednesday.")
    assert doc.passages["text"].iloc[3].endswith("It took a year.")
    assert doc.text.splitlines()[0] == ("[00:00:01] Rosa Okafor: Thanks for joining. Can you hear "
                                        "me? Let's start with your role.")
    _offsets_hold(doc)


def test_srt_speaker_prefixes():
    doc = read_srt(BYOD / "RR-Z2.srt")
    assert doc.passages["speaker"].tolist() == ["INTERVIEWER", "PETTAWAY", "INTERVIEWER"]
    assert doc.passages["text"].iloc[1] == ("Better than last year. We cap the spread at three "
                                            "lessons now, so nobody is left alone.")
    _offsets_hold(doc)


def test_unnamed_captions_become_paragraphs():
    sentence = "We talked about goals and how the students track them every week. "
    cues = "".join(f"{k}\n00:00:{k:02d},000 --> 00:00:{k + 1:02d},000\n{sentence}\n\n"
                   for k in range(1, 13))
    text, passages = parse_captions(cues, "d", kind="srt")
    assert passages["speaker"].isna().all()
    assert 1 < len(passages) < 12  # merged, but not into one passage


def test_malformed_captions_name_the_line():
    with pytest.raises(PlcaseInputError, match="first line must be 'WEBVTT'"):
        parse_captions("1\n00:00:01.000 --> 00:00:02.000\nhi\n", "d", kind="vtt")
    with pytest.raises(PlcaseInputError, match=r"<captions>:4: malformed cue time"):
        parse_captions("WEBVTT\n\n1\n00:00:01 --> 00:00:02\nhi\n", "d", kind="vtt")


# --------------------------------------------------------------------------- survey

def test_responses_per_respondent():
    study = read_responses(SURVEY / "student_survey.csv", text=["q_like", "q_change"],
                           id="student_id", meta=["school", "grade"])
    # S-0104 answered nothing, so has no document; "None" and "NA" are answers.
    assert study.documents["doc_id"].tolist() == ["S-0101", "S-0102", "S-0103", "S-0105", "S-0106"]
    assert study.documents.set_index("doc_id").loc["S-0103", "school"] == "Newell Elementary"
    answers = study.passages.set_index("passage_id")
    assert answers.loc["S-0103:002", ["question", "text"]].tolist() == ["q_change", "None"]
    assert answers.loc["S-0105:002", "text"] == "Less waiting when everyone is on\ndifferent lessons."
    for row in study.passages.itertuples():
        assert study.texts[row.doc_id][row.start:row.end] == row.text


def test_responses_per_question_from_excel():
    study = read_responses(SURVEY / "student_survey.xlsx", text=["q_like", "q_change"],
                           id="student_id", meta=["school"], per="question")
    assert study.documents[["doc_id", "n_respondents"]].values.tolist() == [["q_like", 5],
                                                                         ["q_change", 4]]
    change = study.passages[study.passages["doc_id"] == "q_change"]
    assert change["respondent"].tolist() == ["S-0101", "S-0103", "S-0105", "S-0106"]
    assert change["school"].iloc[0] == "Grand Oak Elementary"


def test_responses_cp1252_fallback_warns():
    with pytest.warns(PlcaseWarning, match="student_survey_cp1252.csv:4: not UTF-8"):
        study = read_responses(SURVEY / "student_survey_cp1252.csv", text="q_like")
    assert "Peña" in study.texts["R003"] and study.documents["doc_id"].iloc[0] == "R001"


def test_responses_problems_are_named(tmp_path):
    with pytest.raises(PlcaseInputError, match="no column\\(s\\) 'q_missing'.*the columns are"):
        read_responses(SURVEY / "student_survey.csv", text="q_missing")
    path = tmp_path / "dup.csv"
    path.write_text("id,q\n1,yes\n2,no\n1,maybe\n")
    with pytest.raises(PlcaseInputError, match="dup.csv:4: respondent id '1' appears twice"):
        read_responses(path, text="q", id="id")
    with pytest.raises(PlcaseError, match="per must be"):
        read_responses(path, text="q", per="row")


def test_responses_with_a_codebook():
    study = read_responses(SURVEY / "student_survey.csv", text="q_like",
                           codebook=BYOD / "codebook.yml")
    assert study.codes == ["embedded_pd", "student_driven"]


# --------------------------------------------------------------------------- dispatch

def test_a_folder_can_mix_formats():
    study = read_study(BYOD)
    assert study.documents["doc_id"].tolist() == ["GO-Z1", "NE-T9", "NE-V9", "RR-Z2"]
    assert set(study.documents["school"]) == {"Grand Oak Elementary", "Newell Elementary",
                                              "Ridge Road Middle"}
    for row in study.passages.itertuples():
        assert study.texts[row.doc_id][row.start:row.end] == row.text


def test_read_study_reads_a_qdpx_whole():
    with pytest.warns(PlcaseWarning, match="skipped 2 source"):
        study = read_study(DATA / "refi" / "refi_project.qdpx")
    assert len(study.documents) == 3 and isinstance(study.codings, pd.DataFrame)
