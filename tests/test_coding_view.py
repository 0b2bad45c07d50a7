"""The coding widget's Python side: state -> codings, the log, offsets, two coders, bad actions."""

import csv
import json
import shutil

import pandas as pd
import pytest

import plcase
from plcase import config
from plcase.coding import CodingActionError, CodingSession, CodingView, store
from plcase.coding.offsets import from_utf16, to_utf16

TRANSCRIPT = """---
id: T1
school: Test School
source: interview
role: teacher
participant: Ms. Test
synthetic: true
---
INTERVIEWER: How did the first week go? 😀 Tell me.
TEACHER: 😀 Honestly great, the kids 👩‍🏫 chose their own projects.
INTERVIEWER: And the staff?
TEACHER: We trust each other now.
"""
SECOND = """---
id: T2
school: Test School
source: interview
role: student
participant: Student A
synthetic: true
---
INTERVIEWER: What do you like?
STUDENT: Picking my own book.
"""


@pytest.fixture
def folder(tmp_path):
    study = tmp_path / "study"
    study.mkdir()
    shutil.copy(config.SAMPLE_DIR / "codebook.yml", study / "codebook.yml")
    (study / "T1.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (study / "T2.txt").write_text(SECOND, encoding="utf-8")
    return study


def _passage(session, doc_id, contains):
    for p in session.study.passages[session.study.passages.doc_id == doc_id].itertuples():
        text = session.study.texts[doc_id][p.start:p.end]
        if contains in text:
            return p, text
    raise AssertionError(contains)


def _utf16(text, phrase):
    """Offsets of ``phrase`` as the browser counts them (UTF-16 code units), computed
    independently of plcase: through the UTF-16 encoding of the prefix."""
    before = text[:text.index(phrase)]
    start = len(before.encode("utf-16-le")) // 2
    return start, start + len(phrase.encode("utf-16-le")) // 2


def _csv_rows(folder):
    with open(folder / "codings.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_offsets_round_trip_through_astral_characters():
    text = "😀 great 👩‍🏫 day"
    assert from_utf16(text, 3) == 2 and text[2:7] == "great"
    assert to_utf16(text, text.index("day")) == len("😀 great 👩‍🏫 ".encode("utf-16-le")) // 2
    with pytest.raises(ValueError, match="inside"):
        from_utf16(text, 1)  # half of the emoji


def test_selection_after_emoji_is_saved_at_the_right_code_points(folder):
    session = CodingSession(folder, coder="ana")
    p, text = _passage(session, "T1", "chose their own")
    start16, end16 = _utf16(text, "chose their own projects")
    assert start16 != text.index("chose")  # the emoji shifts UTF-16 offsets
    session.add("T1", p.passage_id, start16, end16, "chose their own projects", "student_driven")
    study = plcase.read_study(folder)
    mine = study.codings[study.codings.coder == "ana"]
    assert mine["text"].tolist() == ["chose their own projects"]
    assert mine["start"].tolist() == [study.texts["T1"].index("chose their own")]
    assert _csv_rows(folder) == [{"doc_id": "T1", "start": str(mine.start.iloc[0]),
                                  "end": str(mine.end.iloc[0]), "code": "student_driven",
                                  "coder": "ana", "memo": ""}]


def test_surrounding_spaces_of_a_selection_are_left_out(folder):
    session = CodingSession(folder, coder="ana")
    p, text = _passage(session, "T1", "We trust")
    start16, end16 = _utf16(text, " trust each other ")
    row = session.add("T1", p.passage_id, start16, end16, " trust each other ", "shared_culture")
    assert session.study.texts["T1"][row["start"]:row["end"]] == "trust each other"


def test_every_action_is_logged_and_reread_equals_the_screen(folder):
    session = CodingSession(folder, coder="ana")
    p, text = _passage(session, "T1", "chose their own")
    s, e = _utf16(text, "chose their own projects")
    session.add("T1", p.passage_id, s, e, "chose their own projects", "student_driven")
    # Nested inside the first coding, and an overlapping one.
    s2, e2 = _utf16(text, "their own")
    session.add("T1", p.passage_id, s2, e2, "their own", "glow")
    s3, e3 = _utf16(text, "great, the kids")
    session.add("T1", p.passage_id, s3, e3, "great, the kids", "glow")
    first = session.codings[0]
    session.memo("T1", first["start"], first["end"], "student_driven", "choice of project")
    last = session.codings[2]
    session.remove("T1", last["start"], last["end"], "glow")

    actions = [(e["action"], e["code"], e["coder"]) for e in store.read_log(folder)]
    assert actions == [("added", "student_driven", "ana"), ("added", "glow", "ana"),
                       ("added", "glow", "ana"), ("memo", "student_driven", "ana"),
                       ("removed", "glow", "ana")]
    assert all("time" in e for e in store.read_log(folder))
    study = plcase.read_study(folder)
    reread = study.codings[study.codings.coder == "ana"][["doc_id", "start", "end", "code", "memo"]]
    shown = session.codings_frame()[["doc_id", "start", "end", "code", "memo"]]
    pd.testing.assert_frame_equal(reread.reset_index(drop=True), shown.reset_index(drop=True))
    assert sorted(study.codings[study.codings.coder == "ana"]["text"]) == \
        ["chose their own projects", "their own"]
    assert reread["memo"].tolist().count("choice of project") == 1


def test_two_coders_in_one_folder_do_not_overwrite_each_other(folder):
    (folder / "codings.csv").write_text("doc_id,start,end,code,coder,memo\n"
                                        "T2,0,12,glow,zoe,\"kept, as is\"\n", encoding="utf-8")
    ana = CodingSession(folder, coder="ana")
    ben = CodingSession(folder, coder="ben")  # opened before ana saves anything
    p, text = _passage(ana, "T2", "Picking")
    s, e = _utf16(text, "Picking my own book")
    ana.add("T2", p.passage_id, s, e, "Picking my own book", "student_driven")
    ben.add("T2", p.passage_id, s, e, "Picking my own book", "glow")
    ana.remove("T2", *(ana.codings[0][k] for k in ("start", "end", "code")))
    ana.add("T2", p.passage_id, s, s + 7, "Picking", "student_driven")
    rows = _csv_rows(folder)
    assert sorted((r["coder"], r["code"], r["memo"]) for r in rows) == \
        [("ana", "student_driven", ""), ("ben", "glow", ""), ("zoe", "glow", "kept, as is")]
    study = plcase.read_study(folder)
    assert sorted(study.codings["coder"]) == ["ana", "ben", "zoe"]


@pytest.mark.parametrize("action, message", [
    (lambda s, p, t: s.add("T1", p.passage_id, 0, 5, t[:5], "not_a_code"), "not in the codebook"),
    (lambda s, p, t: s.add("T1", p.passage_id, 0, 5, t[:5], "glow", end_passage_id="other"),
     "across two passages"),
    (lambda s, p, t: s.add("T1", p.passage_id, 0, 5, t[:5], "glow", end_doc_id="T2"),
     "across two documents"),
    (lambda s, p, t: s.add("T1", p.passage_id, 0, 5, "wrong", "glow"), "do not match"),
    (lambda s, p, t: s.add("T1", p.passage_id, 2, 2, "", "glow"), "nothing is selected"),
    (lambda s, p, t: s.remove("T1", 0, 3, "glow"), "has no coding"),
])
def test_bad_actions_change_nothing(folder, action, message):
    session = CodingSession(folder, coder="ana")
    p, text = _passage(session, "T1", "first week")
    with pytest.raises(CodingActionError, match=message):
        action(session, p, text)
    assert session.codings == []
    assert not (folder / "codings.csv").exists() and store.read_log(folder) == []


@pytest.mark.parametrize("coder", ["", "   ", " ana"])
def test_an_empty_or_padded_coder_name_is_refused(folder, coder):
    with pytest.raises(CodingActionError, match="coder name"):
        CodingSession(folder, coder=coder)


def test_a_read_only_folder_changes_nothing(folder, monkeypatch):
    session = CodingSession(folder, coder="ana")
    p, text = _passage(session, "T2", "Picking")
    s, e = _utf16(text, "Picking")
    session.add("T2", p.passage_id, s, e, "Picking", "glow")
    before = (folder / "codings.csv").read_bytes(), (folder / "codings-log.jsonl").read_bytes()
    # Root ignores file permissions, so the test makes the folder refuse writes the way
    # the operating system does for a read-only folder: creating the file fails.
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(store.tempfile, "mkstemp", refuse)
    with pytest.raises(CodingActionError, match="read-only"):
        session.add("T2", p.passage_id, s, e + 3, "Picking my", "glow")
    assert [c["end"] for c in session.codings] == [session.codings[0]["end"]]
    assert ((folder / "codings.csv").read_bytes(), (folder / "codings-log.jsonl").read_bytes()) == before


def test_suggestions_are_accepted_or_rejected_and_decisions_kept(folder):
    study = plcase.read_study(folder)
    passages = study.passages[study.passages.doc_id == "T1"].reset_index(drop=True)
    machine = pd.DataFrame({"doc_id": "T1", "start": passages.start[:2], "end": passages.end[:2],
                            "code": ["shared_culture", "student_driven"], "coder": "auto:model",
                            "score": [0.9, 0.4]})
    session = CodingSession(folder, coder="ana", suggestions=machine)
    session.accept("s0")
    session.reject("s1")
    with pytest.raises(CodingActionError, match="already rejected"):
        session.reject("s1")
    reread = plcase.read_study(folder).codings
    ana = reread[reread.coder == "ana"]
    assert ana[["start", "end", "code"]].values.tolist() == [[passages.start[0], passages.end[0],
                                                               "shared_culture"]]
    log = store.read_log(folder)
    assert [(e["action"], e["suggested_by"], e["score"]) for e in log] == \
        [("accepted", "auto:model", 0.9), ("rejected", "auto:model", 0.4)]
    again = CodingSession(folder, coder="ana", suggestions=machine)
    assert again.decisions_frame()["decision"].tolist() == ["accepted", "rejected"]
    other = CodingSession(folder, coder="ben", suggestions=machine)
    assert other.decisions_frame()["decision"].tolist() == ["open", "open"]


def test_suggest_output_is_shown_on_whole_passages(folder):
    study = plcase.read_study(folder)
    p = study.passages.iloc[1]
    suggested = pd.DataFrame({"passage_id": [p.passage_id], "doc_id": [p.doc_id],
                              "code": ["glow"], "probability": [0.7]})
    session = CodingSession(folder, coder="ana", suggestions=suggested)
    row = session.decisions_frame().iloc[0]
    assert (row.start, row.end, row.score) == (p.start, p.end, 0.7)


def test_the_view_sends_utf16_offsets_and_colour_blind_safe_colours(folder):
    session = CodingSession(folder, coder="ana")
    p, text = _passage(session, "T1", "chose their own")
    s, e = _utf16(text, "chose")
    session.add("T1", p.passage_id, s, e, "chose", "glow")
    view = session.view("T1")
    shown = next(q for q in view["passages"] if q["passage_id"] == p.passage_id)
    assert [(m["from"], m["to"], m["code"]) for m in shown["marks"]] == [(s, e, "glow")]
    assert {c["colour"] for c in view["palette"]} <= set(plcase.coding.OKABE_ITO)
    assert view["palette"][0]["definition"]


def test_widget_reports_bad_actions_and_moves_between_uncoded_documents(folder):
    view = CodingView(folder, coder="ana")
    view.handle({"action": "add", "doc_id": "T1", "passage_id": "nope", "start": 0,
                            "end": 1, "text": "x", "code": "glow"})
    assert view.level == "error" and "unknown passage" in view.message
    p = view.session.study.passages[view.session.study.passages.doc_id == "T2"].iloc[1]
    text = view.session.study.texts["T2"][p.start:p.end]
    view.handle({"action": "add", "doc_id": "T2", "passage_id": p.passage_id,
                            "start": 0, "end": 7, "text": text[:7], "code": "glow"})
    assert view.level == "saved", view.message
    assert view.view["progress"]["documents_left"] == 1
    view.handle({"action": "filter", "only_uncoded": True})
    view.handle({"action": "next"})
    assert view.doc_id == "T1" and view.level == "error"  # T2 is coded: nowhere to go


def test_a_study_needs_its_folder(folder):
    with pytest.raises(plcase.PlcaseError, match="folder="):
        CodingView(plcase.read_study(folder), coder="ana")
    assert CodingView(plcase.read_study(folder), coder="ana", folder=folder).doc_id == "T1"


def _code_many(folder, coder):
    """Code every prefix of an ASCII passage that ends at a word with every code."""
    session = CodingSession(folder, coder=coder)
    p, text = _passage(session, "T1", "We trust")
    ends = [i for i in range(1, len(text) + 1) if i == len(text) or text[i] == " "]
    for end in ends:
        for code in session.codes:
            session.add("T1", p.passage_id, 0, end, text[:end], code)


def test_two_coders_saving_at_the_same_time_keep_every_row(folder):
    import multiprocessing

    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_code_many, args=(folder, coder)) for coder in ("ana", "ben")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    session = CodingSession(folder, coder="ana")
    _, text = _passage(session, "T1", "We trust")
    expected = len(text.split()) * len(session.codes)
    rows = _csv_rows(folder)
    assert sorted(r["coder"] for r in rows) == ["ana"] * expected + ["ben"] * expected
    assert len(store.read_log(folder)) == 2 * expected
