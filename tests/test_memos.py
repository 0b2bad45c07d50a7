"""Memos: files in memos/, plcase.memos, validation, and REFI-QDA Notes both ways."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

import plcase
from plcase.cli import main
from plcase.errors import PlcaseInputError
from plcase.memos import memo_frame, read_memos, write_memos

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PROJECT_XSD = SHARED / "real-exports" / "schemas" / "Project-mrt2019.xsd"
REFI = SHARED / "real-exports" / "refi"

MEMOS = {
    "code-embedded.md": "---\ntarget: code embedded_pd\nauthor: ana\ndate: 2026-03-02\n"
                        "title: Where coaching ends\n---\nCoaching talk about trust goes to "
                        "shared_culture.\n\nSecond paragraph: ask ben.\n",
    "study.md": "---\ntarget: study\nauthor: ben\ndate: 2026-03-01\n---\nWe start with teachers.\n",
    "notes/newell-students.md": "---\ntarget: document NE-S1\nauthor: ana\ndate: 2026-03-03\n---\n"
                                "Loud room; two students talk over each other.\n",
    "case.txt": "---\ntarget: case Newell Elementary\nauthor: ana\ndate: 2026-03-04\n---\n"
                "Newell leans on circles.\n",
}
# What the four files say, by hand: (target_kind, target, author, created, text).
EXPECTED = [
    ("code", "embedded_pd", "ana", "2026-03-02",
     "Coaching talk about trust goes to shared_culture.\n\nSecond paragraph: ask ben."),
    ("case", "Newell Elementary", "ana", "2026-03-04", "Newell leans on circles."),
    ("document", "NE-S1", "ana", "2026-03-03", "Loud room; two students talk over each other."),
    ("study", "STUDY", "ben", "2026-03-01", "We start with teachers."),  # the study's name
]


def _with_memos(study_dir):
    for name, text in MEMOS.items():
        path = study_dir / "memos" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return study_dir


def _rows(frame):
    return sorted(tuple(row) for row in
                  frame[["target_kind", "target", "author", "created", "text"]].itertuples(index=False))


def test_memos_from_the_study_folder(study_dir):
    study = plcase.read_study(_with_memos(study_dir))
    expected = [row if row[1] != "STUDY" else (row[0], study.name, *row[2:]) for row in EXPECTED]
    assert _rows(plcase.memos(study)) == sorted(expected)
    # The memo files are not read as transcripts.
    assert len(study.documents) == len(plcase.read_sample().documents)
    assert plcase.memos(study, kind="code")["title"].tolist() == ["Where coaching ends"]


def test_a_study_without_memos_lists_none(sample):
    frame = plcase.memos(sample)
    assert frame.empty
    assert frame.columns[:5].tolist() == ["target_kind", "target", "author", "created", "text"]


@pytest.mark.parametrize("text, words, line", [
    ("target: code nope\nauthor: ana\ndate: 2026-01-01", "code 'nope', which is not in the codebook", 2),
    ("target: document XX-1\nauthor: ana\ndate: 2026-01-01", "document 'XX-1', which is not", 2),
    ("target: coding 3\nauthor: ana\ndate: 2026-01-01", "unknown memo target 'coding 3'", 2),
    ("target: study\ndate: 2026-01-01", "the memo has no 'author'", 4),
    ("target: study\nauthor: ana", "the memo has no 'date'", 4),
    ("target: code\nauthor: ana\ndate: 2026-01-01", "names no code", 2),
])
def test_bad_memo_names_file_and_line(study_dir, text, words, line):
    path = study_dir / "memos" / "bad.md"
    path.parent.mkdir()
    path.write_text(f"---\n{text}\n---\nSome thought.\n", encoding="utf-8")
    with pytest.raises(PlcaseInputError, match=words) as caught:
        plcase.read_study(study_dir)
    assert Path(caught.value.path) == path and caught.value.line == line


def test_memo_without_front_matter_is_an_error_validate_reports(study_dir, capsys):
    path = study_dir / "memos" / "loose.md"
    path.parent.mkdir()
    path.write_text("Just a thought.\n", encoding="utf-8")
    assert main(["validate", str(study_dir)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:1: error: a memo needs YAML front matter" in out


def test_write_memos_reads_back_the_same(tmp_path, study_dir):
    study = plcase.read_study(_with_memos(study_dir))
    written = write_memos(study.memos, tmp_path / "memos")
    assert len(written) == 4 and all(p.suffix == ".md" for p in written)
    again = read_memos(tmp_path / "memos", study.texts, study.codes)
    columns = ["kind", "doc_id", "code", "title", "memo", "author", "date"]
    key = ["kind", "memo"]
    assert (again[columns].sort_values(key).fillna("").values.tolist()
            == study.memos[columns].sort_values(key).fillna("").values.tolist())


def test_memos_through_qdpx_both_ways_and_schema_valid(tmp_path, study_dir):
    study = plcase.read_study(_with_memos(study_dir))
    # One more memo on a stretch of a document, as QualCoder's annotations are.
    row = study.codings.iloc[0]
    extra = {"kind": "annotation", "doc_id": row.doc_id, "start": row.start, "end": row.end,
             "memo": "Is this really about culture?", "author": "ben", "date": "2026-03-05"}
    study = replace(study, memos=memo_frame(study.memos.to_dict("records") + [extra]))
    out = plcase.write_qdpx(study, tmp_path / "memos.qdpx")

    with zipfile.ZipFile(out) as zf:
        document = etree.fromstring(zf.read("project.qde"))
    schema = etree.XMLSchema(etree.parse(str(PROJECT_XSD)))
    assert schema.validate(document), schema.error_log.last_error
    ns = {"q": "urn:QDA-XML:project:1.0"}
    assert len(document.findall("q:Notes/q:Note", ns)) == 5
    assert len(document.findall("q:NoteRef", ns)) == 2  # the study memo and the case memo
    assert len(document.findall(".//q:Code/q:NoteRef", ns)) == 1
    assert len(document.findall("q:Sources/q:TextSource/q:NoteRef", ns)) == 1
    assert len(document.findall("q:Sources/q:TextSource/q:PlainTextSelection/q:NoteRef", ns)) == 1

    again = plcase.read_qdpx(out)
    listed = plcase.memos(again)
    whole = listed[listed["start"].isna()]
    got = sorted((r.target_kind, r.target, r.author, r.created[:10], r.text)
                 for r in whole.itertuples())
    assert got == sorted((k, again.name if k == "study" else t, a, c, x)
                         for k, t, a, c, x in EXPECTED)
    assert sorted(whole["title"].dropna()) == ["Newell Elementary", "Where coaching ends"]
    span = listed[listed["start"].notna()]
    assert span[["target", "author", "text"]].values.tolist() == [
        [row.doc_id, "ben", "Is this really about culture?"]]
    assert (int(span["start"].iloc[0]), int(span["end"].iloc[0])) == (row.start, row.end)
    # Codings are unchanged by the notes (the memo's selection carries no coding).
    assert len(again.codings) == len(study.codings)


def test_memos_travel_in_utf16_projects_too(tmp_path):
    import pandas as pd

    text = "I said \U0001F642 then: circle helps."
    start, end = text.index("circle"), len(text)
    study = plcase.Study(
        documents=pd.DataFrame({"doc_id": ["d"]}),
        passages=pd.DataFrame({"passage_id": ["d:1"], "doc_id": ["d"], "start": [0],
                               "end": [len(text)]}),
        codings=pd.DataFrame(columns=["doc_id", "start", "end", "code", "coder"]),
        codebook=pd.DataFrame({"code": ["sel"]}), texts={"d": text}, name="emoji",
        memos=memo_frame([{"kind": "annotation", "doc_id": "d", "start": start, "end": end,
                           "memo": "after the emoji", "author": "ana", "date": "2026-01-02"}]))
    out = plcase.write_qdpx(study, tmp_path / "u16.qdpx", offset_unit="utf16")
    with zipfile.ZipFile(out) as zf:
        qde = zf.read("project.qde").decode("utf-8")
    # The emoji is two UTF-16 code units: NVivo's offsets are one more than plcase's.
    assert f'startPosition="{start + 1}"' in qde and f'endPosition="{end + 1}"' in qde
    span = plcase.memos(plcase.read_qdpx(out))
    assert (int(span["start"].iloc[0]), int(span["end"].iloc[0])) == (start, end)
    assert text[start:end] == "circle helps."


def test_real_exports_without_notes_give_no_memos():
    # None of the real exports in ../shared holds <Notes> (checked by grep); reading them
    # must still work and list no memos rather than invent some.
    for path in sorted(REFI.glob("*.qdpx")):
        with zipfile.ZipFile(path) as zf:
            qde = next(n for n in zf.namelist() if n.lower().endswith(".qde"))
            has_notes = b"<Note" in zf.read(qde)
        if has_notes:
            continue
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            study = plcase.read_qdpx(path)
        assert plcase.memos(study).empty, path.name


def test_qualcoder_journal_annotation_and_case_memo_survive_qdpx(tmp_path):
    import warnings

    from tests.test_qualcoder import make_project

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the hand-made project's picture source
        study = plcase.read_qualcoder(make_project(tmp_path))
    out = plcase.write_qdpx(study, tmp_path / "pilot.qdpx")
    with zipfile.ZipFile(out) as zf:
        document = etree.fromstring(zf.read("project.qde"))
    schema = etree.XMLSchema(etree.parse(str(PROJECT_XSD)))
    assert schema.validate(document), schema.error_log.last_error
    listed = plcase.memos(plcase.read_qdpx(out)).set_index("target_kind")
    # The journal is a memo on the study; the annotation keeps its stretch of GO-T1
    # ([41, 50) in plcase's offsets, see test_qualcoder); the case memo keeps its case.
    assert listed.loc["study", "text"] == "Schools were welcoming."
    assert listed.loc["study", "title"] == "Day 1"
    assert listed.loc["study", "author"] == "ana"
    assert listed.loc["document", "target"] == "GO-T1"
    assert (listed.loc["document", "start"], listed.loc["document", "end"]) == (41, 50)
    assert listed.loc["document", "text"] == "ask about this"
    assert listed.loc["case", ["target", "text"]].tolist() == ["Grand Oak", "A K-5 school"]


def test_subset_keeps_memos_on_the_documents_kept(study_dir):
    study = plcase.read_study(_with_memos(study_dir))
    others = [d for d in study.documents["doc_id"] if d != "NE-S1"]
    assert sorted(plcase.memos(study.subset(others))["target_kind"]) == ["case", "code", "study"]
    assert len(plcase.memos(study.subset(["NE-S1"]))) == 4
