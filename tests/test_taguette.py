"""Taguette databases: the real lesson project and small hand-made ones.

Offsets are checked independently of plcase: the document's text is taken
with lxml (libxml2's HTML parser, every text node kept) and sliced by
Taguette's stored UTF-8 byte offsets, as Taguette's ARCHITECTURE.md defines
them.  (BeautifulSoup's ``html.parser`` builder is no oracle here: it folds
whitespace-only text between blocks to one newline, which Taguette counts.)
"""

from __future__ import annotations

import hashlib
import os
import shutil
import json
import sqlite3
from pathlib import Path

import pytest
import lxml.html

import plcase
from plcase.cli import main
from plcase.errors import PlcaseInputError, PlcaseWarning
from plcase.io import reader_for_project
from plcase.io.taguette import taguette_projects

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATABASE = SHARED / "real-exports" / "native" / "taguette_sample-project.sqlite3"


def query(sql: str, database: Path = DATABASE, args=()) -> list[tuple]:
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def text_of(html: str) -> str:
    parser = lxml.html.HTMLParser(remove_blank_text=False)
    root = lxml.html.document_fromstring(f"<div>{html}</div>", parser=parser)
    return "".join(root.body.itertext())


@pytest.fixture(scope="module")
def lesson():
    return plcase.read_taguette(DATABASE)


def test_counts_match_the_readme(lesson):
    assert len(lesson.documents) == 10
    assert (lesson.codebook["kind"] == "code").sum() == 6
    assert len(lesson.codings) == 24
    assert lesson.codings["highlight_id"].nunique() == 18
    assert lesson.coders == ["admin"]


def test_every_coding_is_on_the_highlighted_words(lesson):
    rows = query("SELECT h.id, d.name, d.contents, h.start_offset, h.end_offset, h.snippet, t.path "
                 "FROM highlights h JOIN documents d ON d.id = h.document_id "
                 "JOIN highlight_tags ht ON ht.highlight_id = h.id JOIN tags t ON t.id = ht.tag_id")
    assert len(rows) == 24
    ours = {(r.highlight_id, r.code): r for r in lesson.codings.itertuples()}
    for hid, name, contents, first, last, snippet, path in rows:
        coding = ours[(hid, path)]
        expected = text_of(contents).encode("utf-8")[first:last].decode("utf-8")
        assert coding.doc_id == name
        assert coding.text == expected == text_of(snippet)
        assert lesson.texts[name] == text_of(contents)


def test_multibyte_characters_shift_offsets(lesson):
    # Before highlight 6 the document holds characters of 2-3 UTF-8 bytes, so the
    # code point offset is smaller than Taguette's byte offset.
    (first,) = query("SELECT start_offset FROM highlights WHERE id = 6")[0]
    coding = lesson.codings[lesson.codings["highlight_id"] == 6].iloc[0]
    prefix = lesson.texts[coding.doc_id][:coding.start]
    assert len(prefix.encode("utf-8")) == first > coding.start


def test_tags_become_a_codebook_with_categories(lesson):
    cb = lesson.codebook.set_index("code")
    for path, description in query("SELECT path, description FROM tags"):
        assert cb.loc[path, "definition"] == (description or None)
    assert cb.loc["deductive: autonomy", "parent"] == "deductive"
    assert cb.loc["deductive: autonomy", "label"] == "autonomy"
    assert cb.loc["deductive", "kind"] == "category"
    assert cb.loc["interesting", "parent"] is None
    flat = plcase.read_taguette(DATABASE, separator=None)
    assert len(flat.codebook) == 6 and flat.codebook["parent"].isna().all()


def test_speaker_turns_from_html_blocks(lesson):
    turns = lesson.passages[lesson.passages["doc_id"] == "BSR_01"]
    assert turns["speaker"].iloc[4:6].tolist() == ["BSR01", "Sara Mannheimer"]
    assert turns["timestamp"].iloc[4:6].tolist() == ["00:00", "00:13"]
    assert turns["text"].iloc[4].startswith("I haven't looked at the questions")


def test_reading_leaves_the_database_untouched_and_is_recognised(tmp_path):
    copy = tmp_path / "taguette.sqlite3"
    shutil.copy(DATABASE, copy)
    os.chmod(copy, 0o644)
    os.utime(copy, (1_600_000_000, 1_600_000_000))
    before = hashlib.sha256(copy.read_bytes()).hexdigest()
    assert len(plcase.read_study(copy).codings) == 24
    assert plcase.lint_study(copy).empty
    assert main(["validate", str(copy)]) == 0
    assert main(["import", str(copy), "-o", str(tmp_path / "lesson.qdpx")]) == 0
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == before
    assert copy.stat().st_mtime == 1_600_000_000
    back = plcase.read_qdpx(tmp_path / "lesson.qdpx")
    assert sorted(back.codings["text"]) == sorted(plcase.read_taguette(copy).codings["text"])


def writable_copy(tmp_path) -> Path:
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(DATABASE, copy)
    os.chmod(copy, 0o644)
    return copy


def test_a_snippet_that_differs_is_an_error_naming_the_highlight(tmp_path):
    copy = writable_copy(tmp_path)
    db = sqlite3.connect(copy)
    db.execute("UPDATE highlights SET snippet = '<p>disclosure</p>' WHERE id = 2")
    db.commit()
    db.close()
    with pytest.raises(PlcaseInputError, match=r"highlight 2 in document 'BSR_05'.*'disclosed'.*"
                                               r"'disclosure'"):
        plcase.read_taguette(copy)
    assert plcase.lint_study(copy)["message"].str.contains("highlight 2").any()
    assert main(["validate", str(copy)]) == 1


def test_several_projects_must_be_chosen(tmp_path):
    copy = writable_copy(tmp_path)
    db = sqlite3.connect(copy)
    db.execute("INSERT INTO projects (id, name, description, created) "
               "VALUES (2, 'Second project', '', '2024-08-01 00:00:00')")
    db.execute("INSERT INTO documents (name, description, filename, created, project_id, "
               "text_direction, contents) VALUES ('Other', '', 'o.txt', '2024-08-01', 2, "
               "'LEFT_TO_RIGHT', '<p>Nothing here.</p>')")
    db.commit()
    db.close()
    with pytest.raises(PlcaseInputError, match=r"2 projects \(1: 'Social media privacy project'; "
                                               r"2: 'Second project'\)"):
        plcase.read_taguette(copy)
    assert len(plcase.read_taguette(copy, project="Social media privacy project").codings) == 24
    other = plcase.read_taguette(copy, project=2)
    assert other.documents["doc_id"].tolist() == ["Other"] and other.codings.empty
    with pytest.raises(PlcaseInputError, match="no project 'Third'"):
        plcase.read_taguette(copy, project="Third")
    assert taguette_projects(copy)["n_documents"].tolist() == [10, 1]


def make_database(path: Path, contents: str, highlights: list[tuple[int, int, str]]) -> Path:
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE projects (id integer, name text, description text);
        INSERT INTO projects VALUES (1, 'Pilot', '');
        CREATE TABLE project_members (project_id integer, user_login text, privileges text);
        INSERT INTO project_members VALUES (1, 'ana', 'ADMIN');
        CREATE TABLE documents (id integer, name text, description text, project_id integer,
                                contents text);
        CREATE TABLE tags (id integer, project_id integer, path text, description text);
        INSERT INTO tags VALUES (1, 1, 'emotion', '');
        CREATE TABLE highlights (id integer, document_id integer, start_offset integer,
                                 end_offset integer, snippet text);
        CREATE TABLE highlight_tags (highlight_id integer, tag_id integer);""")
    db.execute("INSERT INTO documents VALUES (1, 'D1', '', 1, ?)", (contents,))
    for n, (start, end, snippet) in enumerate(highlights, start=1):
        db.execute("INSERT INTO highlights VALUES (?, 1, ?, ?, ?)", (n, start, end, snippet))
        db.execute("INSERT INTO highlight_tags VALUES (?, 1)", (n,))
    db.commit()
    db.close()
    return path


def test_entities_emoji_and_line_ends_count_as_taguette_counts(tmp_path):
    html = "\r\n<p>Caf&eacute; &amp; 家族 🙂</p>\r\n<p>Line<br>two &lt;ok&gt;</p>"
    text = "Café & 家族 🙂\nLinetwo <ok>"
    raw = text.encode("utf-8")

    def offsets(words):
        start = raw.index(words.encode("utf-8"))
        return start, start + len(words.encode("utf-8"))

    highlights = [(*offsets("家族 🙂"), "<p>家族 🙂</p>"),
                  (*offsets("🙂\nLine"), "<p>🙂</p>\n<p>Line</p>"),
                  (*offsets("<ok>"), "<p>&lt;ok&gt;</p>")]
    study = plcase.read_taguette(make_database(tmp_path / "t.sqlite3", html, highlights))
    assert study.texts["D1"] == text
    assert study.codings["text"].tolist() == ["家族 🙂", "🙂\nLine", "<ok>"]
    assert study.coders == ["ana"]  # no command log: the project's only member
    assert study.passages["text"].tolist() == ["Café & 家族 🙂", "Line", "two <ok>"]


def test_offsets_past_the_document_are_an_error(tmp_path):
    path = make_database(tmp_path / "t.sqlite3", "<p>Short.</p>", [(0, 99, "<p>Short.</p>")])
    with pytest.raises(PlcaseInputError, match=r"highlight 1 in document 'D1' has offsets \[0, 99\)"):
        plcase.read_taguette(path)


def test_not_a_taguette_database(tmp_path):
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).executescript("CREATE TABLE projects (id int);")
    with pytest.raises(PlcaseInputError, match="not a Taguette database"):
        plcase.read_taguette(other)
    assert reader_for_project(other) is None


def test_untagged_highlights_are_named_and_an_empty_project_reads(tmp_path):
    path = make_database(tmp_path / "t.sqlite3", "<p>Short text.</p>", [(0, 5, "<p>Short</p>")])
    db = sqlite3.connect(path)
    db.execute("INSERT INTO highlights VALUES (2, 1, 6, 10, '<p>text</p>')")
    db.execute("INSERT INTO projects VALUES (2, 'Empty', '')")
    db.commit()
    db.close()
    with pytest.warns(PlcaseWarning, match=r"1 highlight\(s\) carry no tag.*2 \('D1'\)"):
        study = plcase.read_taguette(path, project="Pilot")
    assert study.codings["text"].tolist() == ["Short"]
    empty = plcase.read_taguette(path, project="Empty")
    assert empty.documents.empty and empty.codings.empty


def test_two_coders_and_a_highlight_with_two_tags(tmp_path):
    # Taguette's command log says who added each highlight (Command.highlight_add in
    # taguette/database/models.py); a highlight carrying two tags is two codings on one span.
    path = make_database(tmp_path / "t.sqlite3", "<p>We trust the coach. Time is short.</p>",
                         [(0, 19, "<p>We trust the coach.</p>"), (20, 34, "<p>Time is short.</p>")])
    db = sqlite3.connect(path)
    db.executescript("""
        INSERT INTO project_members VALUES (1, 'ben', 'TAG');
        INSERT INTO tags VALUES (2, 1, 'trust', 'Relying on colleagues');
        INSERT INTO highlight_tags VALUES (1, 2);
        CREATE TABLE commands (id integer, date text, user_login text, project_id integer,
                               document_id integer, payload text);""")
    db.executemany("INSERT INTO commands VALUES (?, '', ?, 1, 1, ?)",
                   [(1, "ana", json.dumps({"type": "highlight_add", "highlight_id": 1,
                                           "start_offset": 0, "end_offset": 19,
                                           "tags": [1, 2]})),
                    (2, "ben", json.dumps({"type": "highlight_add", "highlight_id": 2,
                                           "start_offset": 20, "end_offset": 34, "tags": [1]}))])
    db.commit()
    db.close()
    study = plcase.read_taguette(path)
    rows = study.codings.sort_values(["start", "code"])[["text", "code", "coder"]].values.tolist()
    assert rows == [["We trust the coach.", "emotion", "ana"], ["We trust the coach.", "trust", "ana"],
                    ["Time is short.", "emotion", "ben"]]
    assert sorted(study.coders) == ["ana", "ben"]
    assert study.codebook.set_index("code").loc["trust", "definition"] == "Relying on colleagues"
