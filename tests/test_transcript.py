"""The transcript format: passages, inline codes, offsets, and every kind of bad input."""

from __future__ import annotations

import re
import warnings

import pytest

import plcase
from plcase.errors import PlcaseInputError, PlcaseWarning
from plcase.io.transcript import parse_transcript, split_passages
from tests.conftest import FRONT

BODY = """[00:00:04] INTERVIEWER: How is the year going?
[00:00:09] MS. REYES: {#embedded_pd}{#glow}Our Wednesday sessions with Dana changed
how I plan.{/#glow}{/#embedded_pd} Honestly.
[00:01:10] INTERVIEWER: And the kids?
[00:01:15] MS. REYES: {#student_driven}They pick the order of {#grow}stations, but it's loud{/#student_driven}
and I lose track.{/#grow}
"""


def test_turns_codes_and_offsets():
    t = parse_transcript(FRONT.format(id="T1") + BODY)
    assert t.passages["speaker"].tolist() == ["INTERVIEWER", "MS. REYES", "INTERVIEWER", "MS. REYES"]
    assert t.passages["timestamp"].tolist() == ["00:00:04", "00:00:09", "00:01:10", "00:01:15"]
    # Continuation lines belong to the turn; labels and timestamps stay out of the passage text.
    assert t.passages["text"].iloc[1] == ("Our Wednesday sessions with Dana changed\n"
                                          "how I plan. Honestly.")
    for row in t.passages.itertuples():
        assert t.text[row.start:row.end] == row.text
    assert "{#" not in t.text and "{/#" not in t.text
    coded = {(r.code, t.text[r.start:r.end]) for r in t.codings.itertuples()}
    assert coded == {
        ("embedded_pd", "Our Wednesday sessions with Dana changed\nhow I plan."),
        ("glow", "Our Wednesday sessions with Dana changed\nhow I plan."),
        # Overlapping (crossing) tags: student_driven closes before grow does.
        ("student_driven", "They pick the order of stations, but it's loud"),
        ("grow", "stations, but it's loud\nand I lose track."),
    }
    assert set(t.codings["coder"]) == {"coder_a"}


def test_paragraph_documents_split_on_blank_lines():
    text = "9:05 a.m. Arrived; Ms. Lin's room.\n\nStudents at three tables\nmoving freely.\n\n\nEnd.\n"
    p = split_passages(text, "V1")
    assert p["text"].tolist() == ["9:05 a.m. Arrived; Ms. Lin's room.",
                                  "Students at three tables\nmoving freely.", "End."]
    assert p["passage_id"].tolist() == ["V1:001", "V1:002", "V1:003"]
    assert p["speaker"].isna().all()


def test_sample_counts_in_equal_counts_out(sample):
    """Every inline tag and every codings.csv row is one coding in the study."""
    tags = 0
    for path in sorted(plcase.config.SAMPLE_DIR.glob("*.txt")):
        tags += len(re.findall(r"\{#[^}]+\}", path.read_text(encoding="utf-8")))
    csv_rows = len((plcase.config.SAMPLE_DIR / "codings.csv").read_text(encoding="utf-8")
                   .strip().splitlines()) - 1
    assert (sample.codings["coder"] == "coder_a").sum() == tags
    assert (sample.codings["coder"] != "coder_a").sum() == csv_rows
    assert len(sample.codings) == tags + csv_rows


def test_every_offset_round_trips(sample):
    for row in sample.codings.itertuples():
        assert sample.texts[row.doc_id][row.start:row.end] == row.text
    for row in sample.passages.itertuples():
        assert sample.texts[row.doc_id][row.start:row.end] == row.text


# --- bad input: each gets file, line and a fix ---------------------------------------------

def _error(folder) -> PlcaseInputError:
    with pytest.raises(PlcaseInputError) as info:
        plcase.read_study(folder)
    return info.value


def test_missing_front_matter(write_doc):
    err = _error(write_doc("", front="INTERVIEWER: hello\n"))
    assert err.path.endswith("T1.txt") and err.line == 1 and "front matter" in err.message
    assert "---" in err.hint


def test_unclosed_front_matter(write_doc):
    err = _error(write_doc("", front="---\nid: T1\nschool: X\n"))
    assert "never closed" in err.message and err.line == 1


def test_malformed_front_matter(write_doc):
    err = _error(write_doc("A: hi\n", front="---\nid: T1\nschool: [unclosed\nsource: x\n---\n"))
    assert "malformed front matter" in err.message and err.line >= 2


def test_missing_required_field(write_doc):
    front = FRONT.format(id="T1").replace("participant: Ms. Test\n", "")
    err = _error(write_doc("A: hi\n", front=front))
    assert "participant" in err.message and err.line == 9


@pytest.mark.parametrize("field,value,line,allowed", [("source", "podcast", 4, "focus_group"),
                                                      ("role", "parent", 5, "administrator")])
def test_unknown_source_or_role(write_doc, field, value, line, allowed):
    front = re.sub(rf"{field}: \w+", f"{field}: {value}", FRONT.format(id="T1"))
    err = _error(write_doc("A: hi\n", front=front))
    assert value in err.message and err.line == line and allowed in err.hint


def test_unclosed_tag_names_opening_line(write_doc):
    err = _error(write_doc("A: hi\nB: {#glow}it works\nA: ok\n"))
    assert "never closed" in err.message and err.line == 12 and "{/#glow}" in err.hint


def test_closing_tag_without_opening(write_doc):
    err = _error(write_doc("A: hi\nB: it works{/#glow}\n"))
    assert "no opening" in err.message and err.line == 12


def test_tag_opened_twice(write_doc):
    err = _error(write_doc("A: {#glow}one {#glow}two{/#glow}\n"))
    assert "opened again" in err.message and err.line == 11


def test_unknown_code_suggests_the_near_one(write_doc):
    err = _error(write_doc("A: hi\nB: {#embeded_pd}coaching{/#embeded_pd}\n"))
    assert "embeded_pd" in err.message and err.line == 12 and "embedded_pd" in err.hint


def test_malformed_tag(write_doc):
    err = _error(write_doc("A: {#glow it works\n"))
    assert "malformed code tag" in err.message and err.line == 11


def test_every_tag_problem_of_a_file_is_found_in_one_pass(write_doc):
    folder = write_doc("A: {#embeded_pd}coaching{/#embedded_pd}\n"      # line 11: two problems
                       "B: fine {#glow}words{/#glow}\n"                   # line 12: good
                       "A: {glow}no hash\n"                               # line 13: opening, no '#'
                       "B: {#grow}never closed\n")                        # line 14
    err = _error(folder)
    found = [(e.line, e.message) for e in (err, *err.more)]
    assert [line for line, _ in found] == [11, 11, 13, 14]
    assert "'embeded_pd'" in found[0][1] and "no opening" in found[1][1]
    assert "lacks its '#'" in found[2][1] and "never closed" in found[3][1]
    assert str(err).endswith("3 more problems in this file, on lines 11, 13, 14")
    listed = plcase.lint_study(folder)
    listed = listed[listed["severity"] == "error"]
    assert listed["line"].tolist() == [11, 11, 13, 14]
    assert listed["path"].str.endswith("T1.txt").all()


def test_empty_file(write_doc):
    err = _error(write_doc("", raw=b""))
    assert "empty" in err.message and err.path.endswith("T1.txt")


def test_cp1252_is_read_with_a_warning(write_doc):
    folder = write_doc("A: We said \u201cfail forward\u201d \u2013 often.\n", encoding="cp1252")
    with pytest.warns(PlcaseWarning, match=r"T1.txt:11: not UTF-8; read as Windows-1252"):
        study = plcase.read_study(folder)
    assert study.passages["text"].iloc[0] == "We said \u201cfail forward\u201d \u2013 often."


def test_utf8_bom_does_not_shift_offsets(write_doc):
    body = "A: {#glow}Café works{/#glow}\n"
    plain = plcase.read_study(write_doc(body))
    with_bom = plcase.read_study(write_doc(body, raw=b"\xef\xbb\xbf" + (FRONT.format(id="T1") + body)
                                           .encode("utf-8")))
    cols = ["start", "end", "text"]
    assert with_bom.codings[cols].equals(plain.codings[cols])
    assert with_bom.codings["text"].iloc[0] == "Café works"


def test_crlf_line_ends_give_the_same_offsets(write_doc):
    body = "A: one\nB: {#glow}two\nlines{/#glow}\n"
    lf = plcase.read_study(write_doc(body))
    crlf = plcase.read_study(write_doc("", raw=(FRONT.format(id="T1") + body)
                                       .replace("\n", "\r\n").encode()))
    assert crlf.codings[["start", "end"]].equals(lf.codings[["start", "end"]])


def test_duplicate_document_id(write_doc):
    write_doc("A: hi\n", doc_id="T1")
    folder = write_doc("A: hi\n", doc_id="T2", front=FRONT.format(id="T1"))
    err = _error(folder)
    assert "duplicate document id 'T1'" in err.message and err.path.endswith("T2.txt")


def test_standoff_offset_past_the_end(study_dir):
    with open(study_dir / "codings.csv", "a", encoding="utf-8") as f:
        f.write("GO-T1,10,999999,glow,coder_b,\n")
    err = _error(study_dir)
    lines = (study_dir / "codings.csv").read_text().strip().splitlines()
    assert err.path.endswith("codings.csv") and err.line == len(lines)
    assert "outside document 'GO-T1'" in err.message


@pytest.mark.parametrize("row,message", [
    ("NOPE-1,0,5,glow,coder_b,", "unknown doc_id"),
    ("GO-T1,0,5,sparkle,coder_b,", "not in the codebook"),
    ("GO-T1,zero,5,glow,coder_b,", "whole numbers"),
    ("GO-T1,0,5,glow,,", "coder is empty"),
])
def test_standoff_bad_rows(study_dir, row, message):
    with open(study_dir / "codings.csv", "a", encoding="utf-8") as f:
        f.write(row + "\n")
    err = _error(study_dir)
    assert message in err.message and err.line is not None


def test_standoff_duplicate_row_is_an_error_not_a_silent_drop(study_dir):
    path = study_dir / "codings.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines + [lines[1]]) + "\n", encoding="utf-8")
    err = _error(study_dir)
    assert "duplicate of the coding on line 2" in err.message


def test_code_spanning_two_turns_is_kept(write_doc):
    study = plcase.read_study(write_doc("A: {#glow}one\nB: two{/#glow}\n"))
    assert len(study.codings) == 1 and study.codings["passage_id"].isna().all()


def test_warnings_are_not_raised_for_clean_sample():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plcase.read_sample()


def test_lines_are_paragraphs_unless_the_block_is_wrapped_prose():
    wrapped = ("The principal opened the staff meeting with a flop share: a teacher described\n"
               "a lesson that failed and what she changed, and the others asked questions\n"
               "about it.\n")
    assert split_passages(wrapped, "w")["text"].tolist() == [wrapped.strip()]
    # NVivo and Word texts: a paragraph per line, no blank lines, lines of any length.
    long_line = "Honestly the coaching cycle changed how I plan every lesson this year, " * 2
    nvivo = f"@anna\n{long_line.strip()}\n12\n2021-11-15\n"
    assert split_passages(nvivo, "n")["text"].tolist() == [
        "@anna", long_line.strip(), "12", "2021-11-15"]
    # Lines of a turn that are paragraphs become passages of the same speaker.
    turn = f"ANA: {long_line.strip()}\nAnd then the second paragraph of her answer.\n"
    passages = split_passages(turn, "t")
    assert passages["speaker"].tolist() == ["ANA", "ANA"]
    assert passages["text"].tolist() == [long_line.strip(),
                                         "And then the second paragraph of her answer."]
