"""QualCoder projects: the real Mannheimer (2023) project and small hand-made ones.

Expected values come from the project's own SQLite tables, read here with
``sqlite3`` directly, and from the counts in ``../shared/real-exports/README.md``.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import warnings
from pathlib import Path

import pandas as pd
import pytest

import plcase
from plcase.cli import main
from plcase.errors import PlcaseInputError, PlcaseWarning

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PROJECT = SHARED / "real-exports" / "native" / "qualcoder-3.6_mannheimer_refi_qda_project_recoded.qda"
DATABASE = PROJECT / "data.qda"


def query(sql: str, database: Path = DATABASE) -> list[tuple]:
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


@pytest.fixture(scope="module")
def mannheimer():
    return plcase.read_qualcoder(PROJECT)


# ----------------------------------------------------------------------------- the real project

def test_counts_match_the_readme(mannheimer):
    study = mannheimer
    assert len(study.documents) == 30
    assert (study.codebook["kind"] == "code").sum() == 230
    assert (study.codebook["kind"] == "category").sum() == 55
    assert len(study.codings) == 753
    assert study.coders == ["saramannheimer"]
    assert study.codings["code"].nunique() == 221


def test_every_coding_is_on_the_words_qualcoder_stored(mannheimer):
    stored = query("SELECT s.name, t.pos0, t.pos1, c.name, t.seltext FROM code_text t "
                   "JOIN source s ON s.id = t.fid JOIN code_name c ON c.cid = t.cid")
    ours = {(r.doc_id, r.start, r.end, r.code): r.text for r in mannheimer.codings.itertuples()}
    assert len(ours) == len(stored) == 753
    for name, pos0, pos1, code, seltext in stored:
        assert ours[(name, pos0, pos1, code)] == seltext


def test_reading_leaves_the_project_untouched(tmp_path):
    copy = tmp_path / "copy.qda"
    shutil.copytree(PROJECT, copy)
    os.chmod(copy / "data.qda", 0o644)  # writable: mode=ro, not the file system, must protect it
    past = 1_600_000_000
    os.utime(copy / "data.qda", (past, past))
    before = hashlib.sha256((copy / "data.qda").read_bytes()).hexdigest()
    plcase.read_qualcoder(copy)
    plcase.read_study(copy / "data.qda")
    assert hashlib.sha256((copy / "data.qda").read_bytes()).hexdigest() == before
    assert (copy / "data.qda").stat().st_mtime == past
    assert sorted(p.name for p in copy.iterdir()) == ["data.qda"]  # no journal or WAL left behind


def test_categories_nest_as_in_code_cat(mannheimer):
    parents = dict(zip(mannheimer.codebook["code"], mannheimer.codebook["parent"]))
    names = {catid: name for catid, name, _ in query("SELECT catid, name, supercatid FROM code_cat")}
    code_names = {name for (name,) in query("SELECT name FROM code_name")}

    def category(name):
        return f"{name} (category)" if name in code_names else name

    for catid, name, supercatid in query("SELECT catid, name, supercatid FROM code_cat"):
        expected = None if supercatid is None else category(names[supercatid])
        assert parents[category(name)] == expected
    for name, catid in query("SELECT name, catid FROM code_name"):
        assert parents[name] == (None if catid is None else category(names[catid]))


def test_colours_and_dates_are_kept(mannheimer):
    colours = dict(zip(mannheimer.codebook["code"], mannheimer.codebook["color"]))
    for name, color in query("SELECT name, color FROM code_name"):
        assert colours[name] == color
    dates = dict(zip(mannheimer.documents["doc_id"], mannheimer.documents["date"]))
    for name, date in query("SELECT name, date FROM source"):
        assert dates[name] == date


def test_otter_headings_open_speaker_turns(mannheimer):
    (text,) = query("SELECT fulltext FROM source WHERE name = 'QR02_transcript_deidentified'")[0]
    headings = re.findall(r"^(.+?)  (\d\d:\d\d)$", text, flags=re.M)
    turns = mannheimer.passages[(mannheimer.passages["doc_id"] == "QR02_transcript_deidentified")
                                & mannheimer.passages["speaker"].notna()]
    assert len(turns) == len(headings)
    assert turns[["speaker", "timestamp"]].apply(tuple, axis=1).tolist() == headings
    assert set(turns["speaker"]) == {"Sara Mannheimer", "QR02"}
    assert not turns["text"].str.contains(r"\d\d:\d\d$", regex=True).any()


def test_read_study_validate_and_import_recognise_the_project(tmp_path, capsys):
    assert len(plcase.read_study(PROJECT).codings) == 753
    assert plcase.lint_study(PROJECT).query("severity == 'error'").empty
    assert main(["validate", str(PROJECT)]) == 0
    out = tmp_path / "codings.csv"
    assert main(["import", str(PROJECT), "-o", str(out)]) == 0
    assert len(pd.read_csv(out)) == 753
    project = tmp_path / "groups.qdpx"
    assert main(["import", str(PROJECT), "-o", str(project),
                 "--cases-pattern", r"^(?P<case>BSR|DC|QR)\d"]) == 0
    assert plcase.read_qdpx(project).documents["case"].value_counts().to_dict() == \
        {"BSR": 10, "DC": 10, "QR": 10}
    assert main(["import", str(PROJECT), "-o", str(tmp_path / "bad.txt")]) == 1
    assert not (tmp_path / "bad.txt").exists()


# ----------------------------------------------------------------------------- hand-made projects

SCHEMA = """
CREATE TABLE project (databaseversion text, date text, memo text, about text, bookmarkfile integer,
                      bookmarkpos integer, codername text);
CREATE TABLE source (id integer primary key, name text, fulltext text, mediapath text, memo text,
                     owner text, date text, av_text_id integer, risid integer);
CREATE TABLE code_image (imid integer primary key, id integer, x1 integer, y1 integer,
                         width integer, height integer, cid integer, memo text, date text,
                         owner text, important integer);
CREATE TABLE code_av (avid integer primary key, id integer, pos0 integer, pos1 integer,
                      cid integer, memo text, date text, owner text, important integer);
CREATE TABLE annotation (anid integer primary key, fid integer, pos0 integer, pos1 integer,
                         memo text, owner text, date text);
CREATE TABLE attribute_type (name text primary key, date text, owner text, memo text,
                             caseOrFile text, valuetype text);
CREATE TABLE attribute (attrid integer primary key, name text, attr_type text, value text,
                        id integer, date text, owner text);
CREATE TABLE case_text (id integer primary key, caseid integer, fid integer, pos0 integer,
                        pos1 integer, owner text, date text, memo text);
CREATE TABLE cases (caseid integer primary key, name text, memo text, owner text, date text);
CREATE TABLE code_cat (catid integer primary key, name text, owner text, date text, memo text,
                       supercatid integer);
CREATE TABLE code_text (ctid integer primary key, cid integer, fid integer, seltext text,
                        pos0 integer, pos1 integer, owner text, date text, memo text,
                        avid integer, important integer);
CREATE TABLE code_name (cid integer primary key, name text, memo text, catid integer,
                        owner text, date text, color text);
CREATE TABLE journal (jid integer primary key, name text, jentry text, date text, owner text);
INSERT INTO project VALUES ('v8', '2024-01-01', '', 'QualCoder 3.6', 0, 0, 'ana');
"""

TEXT_A = "Interviewer: How is it going?\r\nAna: We share lesson plans. Café talk 🙂 helps.\r\nIt works."
TEXT_B = "Field note one.\nField note two."


def make_project(folder: Path, extra: str = "") -> Path:
    project = folder / "pilot.qda"
    project.mkdir()
    db = sqlite3.connect(project / "data.qda")
    db.executescript(SCHEMA)
    db.executemany("INSERT INTO source (id, name, fulltext, memo, owner, date) VALUES (?,?,?,?,?,?)",
                   [(1, "GO-T1", TEXT_A, "first visit", "ana", "2024-02-01 10:00:00"),
                    (2, "GO-N1", TEXT_B, "", "ben", "2024-02-02 10:00:00"),
                    (3, "photo", None, "", "ana", "2024-02-02 11:00:00")])
    db.executescript("""
        INSERT INTO code_cat VALUES (1, 'culture', 'ana', '', 'How staff work together', NULL);
        INSERT INTO code_cat VALUES (2, 'sharing', 'ana', '', '', 1);
        INSERT INTO code_name VALUES (1, 'lesson plans', 'Plans shared', 2, 'ana', '', '#FF0000');
        INSERT INTO code_name VALUES (2, 'talk', '', 1, 'ana', '', '#00FF00');
        INSERT INTO code_name VALUES (3, 'notes', '', NULL, 'ben', '', '#0000FF');
        INSERT INTO code_image VALUES (1, 3, 0, 0, 5, 5, 2, '', '', 'ana', 0);
        INSERT INTO code_av VALUES (1, 3, 0, 10, 2, '', '', 'ana', 0);
        INSERT INTO code_av VALUES (2, 3, 10, 20, 3, '', '', 'ana', 0);
        INSERT INTO cases VALUES (1, 'Grand Oak', 'A K-5 school', 'ana', '');
        INSERT INTO case_text VALUES (1, 1, 1, 0, (SELECT length(fulltext) FROM source WHERE id = 1),
                                      'ana', '', '');
        INSERT INTO case_text VALUES (2, 1, 2, 0, (SELECT length(fulltext) FROM source WHERE id = 2),
                                      'ana', '', '');
        INSERT INTO attribute_type VALUES ('Years teaching', '', 'ana', '', 'file', 'numeric');
        INSERT INTO attribute_type VALUES ('Region', '', 'ana', '', 'case', 'character');
        INSERT INTO attribute VALUES (1, 'Years teaching', 'file', '12', 1, '', 'ana');
        INSERT INTO attribute VALUES (2, 'Region', 'case', 'North', 1, '', 'ana');
        INSERT INTO journal VALUES (1, 'Day 1', 'Schools were welcoming.', '2024-02-01', 'ana');
        INSERT INTO annotation VALUES (1, 1, 42, 51, 'ask about this', 'ana', '2024-02-03');
    """)
    # Positions count CRLF as two, as QualCoder does: "We share lesson plans." after one CRLF.
    start = TEXT_A.index("lesson plans")
    db.executemany("INSERT INTO code_text (ctid, cid, fid, seltext, pos0, pos1, owner, memo, "
                   "important) VALUES (?,?,?,?,?,?,?,?,?)",
                   [(1, 1, 1, "lesson plans", start, start + 12, "ana", "key quote", 1),
                    (2, 2, 1, "Café talk 🙂", TEXT_A.index("Café"), TEXT_A.index("Café") + 11,
                     "ana", "", None),
                    (3, 3, 2, "Field note two.", 16, 31, "ben", "", 0)])
    db.executescript(extra)
    db.commit()
    db.close()
    return project


def read_recording(path, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        study = plcase.read_qualcoder(path, **kwargs)
    return study, [str(w.message) for w in caught if issubclass(w.category, PlcaseWarning)]


def test_hand_made_project_maps_every_table(tmp_path):
    study, messages = read_recording(make_project(tmp_path))
    docs = study.documents.set_index("doc_id")
    assert list(docs.index) == ["GO-T1", "GO-N1"]
    assert docs.loc["GO-T1", "memo"] == "first visit" and pd.isna(docs.loc["GO-N1", "memo"])
    assert docs.loc["GO-T1", "owner"] == "ana"
    assert docs["case"].tolist() == ["Grand Oak", "Grand Oak"]
    assert docs.loc["GO-T1", "years_teaching"] == 12
    assert docs["region"].tolist() == ["North", "North"]
    codings = study.codings.set_index("code")
    assert codings.loc["lesson plans", "text"] == "lesson plans"
    assert codings.loc["talk", "text"] == "Café talk 🙂"
    assert codings.loc["lesson plans", "memo"] == "key quote"
    assert codings["important"].to_dict() == {"lesson plans": True, "talk": False, "notes": False}
    assert codings.loc["notes", "coder"] == "ben"
    assert "\r" not in study.texts["GO-T1"]
    cb = study.codebook.set_index("code")
    assert cb.loc["sharing", "parent"] == "culture" and cb.loc["sharing", "kind"] == "category"
    assert cb.loc["lesson plans", "definition"] == "Plans shared"
    assert cb.loc["notes", "parent"] is None
    memos = study.memos.set_index("kind")
    assert memos.loc["journal", "memo"] == "Schools were welcoming."
    assert memos.loc["case", "title"] == "Grand Oak"
    note = memos.loc["annotation"]
    assert note["doc_id"] == "GO-T1"
    # One CRLF (two positions in QualCoder) lies before position 42: plcase's offsets are one less.
    assert (note["start"], note["end"]) == (41, 50)
    assert study.texts["GO-T1"][41:50] == TEXT_A[42:51]
    media = [m for m in messages if "not read" in m]
    assert len(media) == 1 and "1 image coding(s)" in media[0] and "2 audio/video coding(s)" in media[0]
    assert "'talk' ×1" in media[0] and "'notes' ×1" in media[0]
    assert any("'photo'" in m for m in messages)


def test_speaker_turns_in_a_labelled_text(tmp_path):
    study, _ = read_recording(make_project(tmp_path))
    turns = study.passages[study.passages["doc_id"] == "GO-T1"]
    assert turns["speaker"].tolist() == ["Interviewer", "Ana"]
    assert turns["text"].tolist()[1] == "We share lesson plans. Café talk 🙂 helps.\nIt works."
    notes = study.passages[study.passages["doc_id"] == "GO-N1"]
    assert notes["text"].tolist() == ["Field note one.", "Field note two."]


def test_a_coding_whose_seltext_differs_is_named(tmp_path):
    project = make_project(tmp_path, "UPDATE code_text SET seltext = 'Field note one.' WHERE ctid = 3;"
                                     "UPDATE code_text SET seltext = 'lesson  plans' WHERE ctid = 1;")
    study, messages = read_recording(project)
    assert len(study.codings) == 3  # kept, on QualCoder's positions
    (message,) = [m for m in messages if "differ from the words" in m]
    assert "2 coding(s)" in message
    assert "ctid=3" in message and "-16 characters away" in message
    assert "ctid=1" in message and "only spaces or line ends differ" in message
    with pytest.raises(PlcaseInputError, match="ctid=3"):
        plcase.read_qualcoder(project, strict=True)


def test_positions_past_the_text_are_an_error(tmp_path):
    project = make_project(tmp_path, "UPDATE code_text SET pos1 = 500 WHERE ctid = 3;")
    with pytest.raises(PlcaseInputError, match=r"ctid=3 in 'GO-N1' has positions \[16, 500\)"):
        plcase.read_qualcoder(project / "data.qda")


def test_unknown_version_with_other_tables_is_refused_by_name(tmp_path):
    project = make_project(tmp_path, "UPDATE project SET databaseversion = 'v99';"
                                     "ALTER TABLE code_text DROP COLUMN seltext;")
    with pytest.raises(PlcaseInputError, match=r"version v99 .*code_text\.seltext"):
        plcase.read_qualcoder(project)


def test_later_versions_with_matching_tables_are_read(tmp_path):
    # v16 (QualCoder 3.8) added sub-codes: code_name.supercid, with catid empty.
    project = make_project(tmp_path, "UPDATE project SET databaseversion = 'v16';"
                                     "ALTER TABLE code_name ADD supercid integer;"
                                     "UPDATE code_name SET supercid = 1, catid = NULL WHERE cid = 2;")
    study, messages = read_recording(project)
    assert len(study.codings) == 3
    assert not any("newer than plcase knows" in m for m in messages)
    assert study.codebook.set_index("code").loc["talk", "parent"] == "lesson plans"
    (tmp_path / "next").mkdir()
    future = make_project(tmp_path / "next", "UPDATE project SET databaseversion = 'v30';")
    study, messages = read_recording(future)
    assert len(study.codings) == 3
    assert any("version v30 is newer than plcase knows" in m for m in messages)


def test_not_a_qualcoder_database(tmp_path):
    bogus = tmp_path / "data.qda"
    bogus.write_text("not sqlite", encoding="utf-8")
    with pytest.raises(PlcaseInputError, match="not an SQLite database"):
        plcase.read_qualcoder(bogus)
    other = tmp_path / "other.qda"
    sqlite3.connect(other).executescript("CREATE TABLE t (a int);")
    with pytest.raises(PlcaseInputError, match="no project table"):
        plcase.read_qualcoder(other)


def test_category_loop_is_an_error(tmp_path):
    project = make_project(tmp_path, "UPDATE code_cat SET supercatid = 2 WHERE catid = 1;")
    with pytest.raises(PlcaseInputError, match="own ancestor"):
        plcase.read_qualcoder(project)


def test_a_new_empty_project_reads(tmp_path):
    project = tmp_path / "new.qda"
    project.mkdir()
    sqlite3.connect(project / "data.qda").executescript(SCHEMA)
    study = plcase.read_qualcoder(project)
    assert study.documents.empty and study.codings.empty and study.codebook.empty
    assert study.name == "new"


def test_positions_counted_in_utf16_units_are_recognised(tmp_path):
    # Qt counts the emoji before "helps." as two units, so QualCoder stores position + 1.
    start = TEXT_A.index("helps.") + 1
    project = make_project(tmp_path, "INSERT INTO code_text (ctid, cid, fid, seltext, pos0, pos1, "
                                     f"owner) VALUES (4, 2, 1, 'helps.', {start}, {start + 6}, 'ana');")
    study, messages = read_recording(project)
    assert "helps." in study.codings["text"].tolist()
    assert any("'GO-T1' (1) count positions in UTF-16 units" in m for m in messages)
    assert not any("differ from the words" in m for m in messages)


def test_damaged_or_crafted_databases_are_refused(tmp_path):
    damaged = tmp_path / "damaged.qda"
    damaged.write_bytes(DATABASE.read_bytes()[:8192])
    with pytest.raises(PlcaseInputError, match="damaged"):
        plcase.read_qualcoder(damaged)
    crafted = tmp_path / "crafted.qda"
    db = sqlite3.connect(crafted)
    db.executescript(SCHEMA.replace("CREATE TABLE source (", "CREATE TABLE real_source (")
                     + "CREATE VIEW source AS SELECT * FROM real_source;")
    db.close()
    with pytest.raises(PlcaseInputError, match=r"lacks source\.date, source\.fulltext"):
        plcase.read_qualcoder(crafted)


def test_validate_lists_the_warnings_of_a_project(tmp_path):
    problems = plcase.lint_study(make_project(tmp_path))
    assert set(problems["severity"]) == {"warning"}
    assert problems["message"].str.contains("'photo'").any()
    assert problems["message"].str.contains("2 audio/video coding").any()


# ----------------------------------------------------------------------------- QualCoder 3.8's own schema

#: The CREATE statements of a new project in QualCoder 3.8 (database v17), verbatim from
#: ``src/qualcoder/__main__.py`` (ccbogel/QualCoder, ``new_project``): the unique constraints
#: and the v16/v17 columns (``code_name.supercid``, ``code_image.pdf_page``) included.
QUALCODER_V17_SCHEMA = """
CREATE TABLE project (databaseversion text, date text, memo text,about text, bookmarkfile integer, bookmarkpos integer, codername text, recently_used_codes text, avbookmarkfile integer, avbookmarkmsec integer, avbookmarktextpos integer);
CREATE TABLE source (id integer primary key, name text, fulltext text, mediapath text, memo text, owner text, date text, av_text_id integer, risid integer, unique(name));
CREATE TABLE code_image (imid integer primary key,id integer,x1 integer, y1 integer, width integer, height integer, cid integer, memo text, date text, owner text, important integer, pdf_page integer);
CREATE TABLE code_av (avid integer primary key,id integer,pos0 integer, pos1 integer, cid integer, memo text, date text, owner text, important integer);
CREATE TABLE annotation (anid integer primary key, fid integer,pos0 integer, pos1 integer, memo text, owner text, date text, unique(fid,pos0,pos1,owner));
CREATE TABLE attribute_type (name text primary key, date text, owner text, memo text, caseOrFile text, valuetype text);
CREATE TABLE attribute (attrid integer primary key, name text, attr_type text, value text, id integer, date text, owner text, unique(name,attr_type,id));
CREATE TABLE case_text (id integer primary key, caseid integer, fid integer, pos0 integer, pos1 integer, owner text, date text, memo text);
CREATE TABLE cases (caseid integer primary key, name text, memo text, owner text,date text, constraint ucm unique(name));
CREATE TABLE code_cat (catid integer primary key, name text, owner text, date text, memo text, supercatid integer, unique(name));
CREATE TABLE code_text (ctid integer primary key, cid integer, fid integer,seltext text, pos0 integer, pos1 integer, owner text, date text, memo text, avid integer, important integer, unique(cid,fid,pos0,pos1, owner));
CREATE TABLE code_name (cid integer primary key, name text, memo text, catid integer, owner text,date text, color text, supercid integer, unique(name));
CREATE TABLE journal (jid integer primary key, name text, jentry text, date text, owner text, unique(name));
CREATE TABLE stored_sql (title text, description text, grouper text, ssql text, unique(title));
INSERT INTO project VALUES ('v17', '2025-05-01 10:00:00', '', 'QualCoder 3.8', 0, 0, 'ana', '',
                            NULL, NULL, NULL);
"""

SURVEY = "R1: I like the coaching.\nR2: Coaching takes time.\nR3: No comment."


def make_v17_project(folder: Path) -> Path:
    """Two coders on one interview, a sub-code, a PDF with an area coded, an audio file with
    its transcript, and a survey answer text whose respondents are cases covering parts of it."""
    project = folder / "team.qda"
    project.mkdir()
    db = sqlite3.connect(project / "data.qda")
    db.executescript(QUALCODER_V17_SCHEMA)
    interview = "Interviewer: What helps?\nAna: Coaching helps. Planning time helps too."
    db.executemany("INSERT INTO source (id, name, fulltext, mediapath, memo, owner, date, av_text_id) "
                   "VALUES (?,?,?,?,?,?,?,?)",
                   [(1, "T1", interview, None, "", "ana", "2025-05-01 10:00:00", None),
                    (2, "report.pdf", "Page one text.", "docs:/home/ana/report.pdf", "", "ana",
                     "2025-05-01 10:00:00", None),
                    (3, "talk.mp3", None, "/audio/talk.mp3", "", "ana", "2025-05-01 10:00:00", 4),
                    (4, "talk.mp3.txt", "[00:00:01] Ana: We plan together.", None, "", "ana",
                     "2025-05-01 10:00:00", None),
                    (5, "survey_Q1", SURVEY, None, "", "ana", "2025-05-01 10:00:00", None)])
    helps, planning = interview.index("Coaching helps."), interview.index("Planning time")
    db.executescript(f"""
        INSERT INTO code_cat VALUES (1, 'support', 'ana', '', 'What staff find helpful', NULL);
        INSERT INTO code_name VALUES (1, 'coaching', 'Coaching by a colleague', 1, 'ana', '',
                                      '#F0D1D1', NULL);
        INSERT INTO code_name VALUES (2, 'peer coaching', 'A sub-code', NULL, 'ana', '',
                                      '#F0D1D2', 1);
        INSERT INTO code_name VALUES (3, 'time', '', 1, 'ana', '', '#F0D1D3', NULL);
        INSERT INTO code_text (ctid, cid, fid, seltext, pos0, pos1, owner, date, memo, important)
            VALUES (1, 1, 1, 'Coaching helps.', {helps}, {helps + 15}, 'ana', '', '', NULL),
                   (2, 1, 1, 'Coaching helps.', {helps}, {helps + 15}, 'ben', '', '', NULL),
                   (3, 3, 1, 'Planning time', {planning}, {planning + 13}, 'ben', '', '', 1),
                   (4, 2, 4, 'We plan together.', 16, 33, 'ana', '', '', NULL),
                   (5, 1, 5, 'I like the coaching.', 4, 24, 'ana', '', '', NULL);
        INSERT INTO code_image VALUES (1, 2, 10, 10, 50, 20, 3, '', '', 'ana', 0, 1);
        INSERT INTO code_av VALUES (1, 3, 1000, 2500, 1, '', '', 'ben', 0);
        INSERT INTO cases VALUES (1, 'R1', '', 'ana', ''), (2, 'R2', '', 'ana', '');
        INSERT INTO case_text (caseid, fid, pos0, pos1, owner, date, memo)
            VALUES (1, 5, 0, 24, 'ana', '', ''), (2, 5, 25, 49, 'ana', '', '');
        INSERT INTO attribute_type VALUES ('Years teaching', '', 'ana', '', 'case', 'numeric');
        INSERT INTO attribute VALUES (1, 'Years teaching', 'case', '3', 1, '', 'ana');
        INSERT INTO attribute VALUES (2, 'Years teaching', 'case', '12', 2, '', 'ana');
        INSERT INTO journal VALUES (1, 'Plan', 'Code the survey next.', '2025-05-02', 'ben');
    """)
    db.commit()
    db.close()
    return project


def test_a_project_made_by_qualcoder_3_8s_own_schema(tmp_path):
    study, messages = read_recording(make_v17_project(tmp_path))
    # Text sources (a linked PDF's extracted text and an audio transcript too) are documents.
    assert study.documents["doc_id"].tolist() == ["T1", "report.pdf", "talk.mp3.txt", "survey_Q1"]
    assert any("'talk.mp3'" in m and "no text" in m for m in messages)
    # Both coders' codings are kept, the same span too, each on its words.
    codings = study.codings.sort_values(["doc_id", "start", "coder"])
    assert len(codings) == 5
    assert sorted(study.coders) == ["ana", "ben"]
    same = codings[(codings["doc_id"] == "T1") & (codings["code"] == "coaching")]
    assert same["coder"].tolist() == ["ana", "ben"] and set(same["text"]) == {"Coaching helps."}
    assert set(map(tuple, study.reliability_coders)) == {("ana", "ben")}
    assert codings.set_index("code").loc["peer coaching", "text"] == "We plan together."
    cb = study.codebook.set_index("code")
    assert cb.loc["peer coaching", "parent"] == "coaching" and cb.loc["coaching", "parent"] == "support"
    # The PDF area and the audio segment are counted and named, not read.
    (media,) = [m for m in messages if "not read" in m]
    assert "1 image coding(s) ('time' ×1)" in media and "1 audio/video coding(s) ('coaching' ×1)" in media
    # Respondents as cases covering parts of one answer text: said in a warning, all kept.
    (partial,) = [m for m in messages if "cover part of a document" in m]
    assert "2 case link(s)" in partial and "'R1' in 'survey_Q1' [0, 24)" in partial
    docs = study.documents.set_index("doc_id")
    assert docs.loc["survey_Q1", "case"] == "R1; R2"
    assert docs.loc["survey_Q1", "years_teaching"] == "3; 12"
    assert study.memos.set_index("kind").loc["journal", "author"] == "ben"
