"""A table of bad inputs: each is refused with the real cause, file and line, or recovered exactly.

Every row of :data:`REFUSED` writes a few files, calls one reader and expects
a :class:`~plcase.errors.PlcaseInputError` whose file, line and message are
checked.  Every test of the "recovered" part asserts the exact data read back.
"""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from plcase.cli import main
from plcase.codebook import codebook_frame, read_codebook
from plcase.errors import PlcaseInputError, PlcaseWarning
from plcase._files.strict_yaml import load_yaml
from plcase.io.captions import read_vtt
from plcase.io.responses import read_responses
from plcase.io.standoff import read_codings_csv
from plcase.io.transcript import read_transcript
from plcase.recommend import read_recommendations

GOOD_FRONT = {"id": "T1", "school": "Test School", "source": "interview", "role": "teacher",
              "participant": "Ms. Test", "date": "2017-03-01", "coder": "coder_a",
              "synthetic": "true"}
BODY = "INTERVIEWER: Why?\nTEST: {#glow}It works.{/#glow}\n"
CODEBOOK = "codes:\n  - code: glow\n    kind: valence\n  - code: grow\n    kind: valence\n"
VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Ana>Hello there.\n"
SIDECAR = ("id: Z1\nschool: Test School\nsource: interview\nrole: teacher\n"
           "participant: Ana\ndate: 2020-10-05\n")
SURVEY = "id,school,q1,q2\nA1,North,Fine,More time\nA2,South,Good,\n"
DOC_TEXT = "Hello world. More text here."
BOMB = ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
        "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
        "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n")


def front(*, drop=(), body=BODY, extra="", **fields) -> str:
    """A transcript with the good front matter, some fields replaced (raw YAML text)."""
    values = {**GOOD_FRONT, **fields}
    lines = [f"{k}: {v}" for k, v in values.items() if k not in drop]
    return "---\n" + "\n".join(lines) + "\n" + extra + "---\n" + body


def codebook(*entries: str) -> str:
    return "codes:\n" + "".join(entries)


# --------------------------------------------------------------------------- the table

@dataclass
class Bad:
    """One kind of bad input: files to write, the reader to call, what the error says."""

    files: dict
    call: str
    file: str
    line: int | None
    match: str


def _xlsx_bytes(build) -> bytes:
    book = openpyxl.Workbook()
    build(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _two_sheets(book):
    book.active.title = "North"
    book.active.append(["id", "q1"])
    book.active.append(["A1", "Fine"])
    other = book.create_sheet("South")
    other.append(["id", "q1"])
    other.append(["B1", "Good"])


def _formula(book):
    sheet = book.active
    sheet.append(["id", "q1"])
    sheet.append(["A1", "=B3&\"!\""])
    sheet.append(["A2", "Good"])


def _rewritten(data: bytes, member: str, change) -> bytes:
    """The .xlsx ``data`` with one part (``member``) passed through ``change``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    assert member in source.namelist()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info, change(content) if info.filename == member else content)
    return out.getvalue()


def _replaced(old: bytes, new: bytes):
    def change(content: bytes) -> bytes:
        assert old in content
        return content.replace(old, new)
    return change


def _patched_sheet(old: bytes, new: bytes) -> bytes:
    data = _xlsx_bytes(lambda book: (book.active.append(["id", "q1"]),
                                     book.active.append(["A1", "x"])))
    return _rewritten(data, "xl/worksheets/sheet1.xml", _replaced(old, new))


def _sheetless_xlsx() -> bytes:
    """A workbook whose relationship namespace is broken, so no sheet is reachable
    (found by the fuzz test: it once ended in an IndexError)."""
    relationships = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    return _rewritten(_xlsx_bytes(lambda book: book.active.append(["id", "q1"])),
                      "xl/workbook.xml",
                      _replaced(relationships, b"ittp://schemas.openxmlformats.org/x"))


def _damaged_xlsx() -> bytes:
    # cut in the middle of the sheet's XML
    return _rewritten(_xlsx_bytes(lambda book: book.active.append(["id", "q1"])),
                      "xl/worksheets/sheet1.xml", lambda content: content[: len(content) // 2])


REFUSED = {
    # --- transcript front matter (21.1, 21.2): line 1 is '---', fields from line 2
    "fm-synthetic-quoted-no": Bad({"T1.txt": front(synthetic="'no'")}, "txt", "T1.txt", 9,
                                  r"'synthetic' is 'no'; it must be true or false"),
    "fm-synthetic-yes": Bad({"T1.txt": front(synthetic="yes")}, "txt", "T1.txt", 9,
                            r"'synthetic' is 'yes'"),
    "fm-synthetic-1": Bad({"T1.txt": front(synthetic="1")}, "txt", "T1.txt", 9,
                          r"'synthetic' is '1'"),
    "fm-id-list": Bad({"T1.txt": front(id="[a, b]")}, "txt", "T1.txt", 2,
                      r"'id' holds a list, not one value"),
    "fm-school-mapping": Bad({"T1.txt": front(school="{a: b}")}, "txt", "T1.txt", 3,
                             r"'school' holds a mapping"),
    "fm-date-feb-30": Bad({"T1.txt": front(date="2017-02-30")}, "txt", "T1.txt", 7,
                          r"'date' is '2017-02-30', which is not a date in the calendar"),
    "fm-date-us-style": Bad({"T1.txt": front(date="03/14/2017")}, "txt", "T1.txt", 7,
                            r"not an ISO date"),
    "fm-date-month-13": Bad({"T1.txt": front(date="2017-13-01")}, "txt", "T1.txt", 7,
                            r"not a date in the calendar"),
    "fm-duplicate-key": Bad({"T1.txt": front(extra="id: T2\n")}, "txt", "T1.txt", 10,
                            r"duplicate key 'id' \(first on line 2\)"),
    "fm-alias-bomb": Bad({"T1.txt": "---\n" + BOMB + "---\nA: b\n"}, "txt", "T1.txt", 2,
                         r"anchor &a is not allowed"),
    "fm-alias": Bad({"T1.txt": front(extra="other: *x\n")}, "txt", "T1.txt", 10,
                    r"alias \*x is not allowed"),
    "fm-unknown-role": Bad({"T1.txt": front(role="wizard")}, "txt", "T1.txt", 5,
                           r"unknown role 'wizard'"),
    "fm-unknown-source": Bad({"T1.txt": front(source="podcast")}, "txt", "T1.txt", 4,
                             r"unknown source 'podcast'"),
    "fm-role-true": Bad({"T1.txt": front(role="yes")}, "txt", "T1.txt", 5, r"unknown role 'yes'"),
    "fm-missing-participant": Bad({"T1.txt": front(drop=("participant",))}, "txt", "T1.txt", 9,
                                  r"missing required field 'participant'"),
    "fm-empty-id": Bad({"T1.txt": front(id="''")}, "txt", "T1.txt", 10,
                       r"missing required field 'id'"),
    "fm-never-closed": Bad({"T1.txt": "---\nid: T1\nA: hello\n"}, "txt", "T1.txt", 1,
                           r"front matter is never closed"),
    "fm-none": Bad({"T1.txt": "A: hello\n"}, "txt", "T1.txt", 1, r"no YAML front matter"),
    "fm-list": Bad({"T1.txt": "---\n- id\n- school\n---\nA: b\n"}, "txt", "T1.txt", 2,
                   r"expected 'field: value' lines"),
    "fm-bad-indent": Bad({"T1.txt": "---\nid: T1\n  school: X\n---\nA: b\n"}, "txt", "T1.txt", 3,
                         r"malformed front matter"),
    "fm-unclosed-quote": Bad({"T1.txt": front(participant='"Ms. Test')}, "txt", "T1.txt", 6,
                             r"malformed front matter"),
    "fm-key-list": Bad({"T1.txt": front(extra="[a, b]: c\n")}, "txt", "T1.txt", 10,
                       r"a key must be a plain value"),
    "fm-nested-deep": Bad({"T1.txt": front(extra="deep: " + "[" * 200 + "]" * 200 + "\n")},
                          "txt", "T1.txt", 10, r"nested more than \d+ levels deep"),
    "fm-empty-file": Bad({"T1.txt": ""}, "txt", "T1.txt", 1, r"the file is empty"),
    # --- transcript body
    "body-unknown-code": Bad({"T1.txt": front(body="A: {#grwo}x{/#grwo}\n")}, "txt", "T1.txt", 11,
                             r"'grwo'"),
    "body-unclosed-tag": Bad({"T1.txt": front(body="A: {#glow}x\nB: y\n")}, "txt", "T1.txt", 11,
                             r"never closed"),
    "body-malformed-tag": Bad({"T1.txt": front(body="A: {#glow x}y\n")}, "txt", "T1.txt", 11,
                              r"malformed code tag|stray"),
    "body-codes-without-coder": Bad({"T1.txt": front(drop=("coder",))}, "txt", "T1.txt", 1,
                                    r"no 'coder'"),
    # --- codebook (21.1-21.3, issue 12)
    "cb-self-parent": Bad({"codebook.yml": codebook("  - code: a\n    parent: a\n")}, "cb",
                          "codebook.yml", 2, r"code 'a' is its own parent"),
    "cb-two-cycle": Bad({"codebook.yml": codebook("  - code: a\n    parent: b\n",
                                                  "  - code: b\n    parent: a\n")}, "cb",
                        "codebook.yml", 2, r"cycle a -> b -> a"),
    "cb-three-cycle": Bad({"codebook.yml": codebook("  - code: root\n",
                                                    "  - code: a\n    parent: c\n",
                                                    "  - code: b\n    parent: a\n",
                                                    "  - code: c\n    parent: b\n")}, "cb",
                          "codebook.yml", 3, r"cycle a -> c -> b -> a"),
    "cb-unknown-parent": Bad({"codebook.yml": codebook("  - code: a\n    parent: nope\n")}, "cb",
                             "codebook.yml", 2, r"parent 'nope', which is not in the codebook"),
    "cb-duplicate-code": Bad({"codebook.yml": codebook("  - code: a\n", "  - code: a\n")}, "cb",
                             "codebook.yml", 3, r"code 'a' is defined twice \(first at line 2\)"),
    "cb-duplicate-key": Bad({"codebook.yml": codebook("  - code: a\n    kind: theme\n"
                                                      "    kind: code\n")}, "cb",
                            "codebook.yml", 4, r"duplicate key 'kind'"),
    "cb-alias-bomb": Bad({"codebook.yml": BOMB + "codes: []\n"}, "cb", "codebook.yml", 1,
                         r"anchor &a is not allowed"),
    "cb-no-codes": Bad({"codebook.yml": "themes:\n  - a\n"}, "cb", "codebook.yml", 1,
                       r"needs a top-level list 'codes:'"),
    "cb-entry-without-code": Bad({"codebook.yml": codebook("  - label: A\n")}, "cb",
                                 "codebook.yml", 2, r"entry 1 has no 'code'"),
    "cb-unknown-kind": Bad({"codebook.yml": codebook("  - code: a\n    kind: thema\n")}, "cb",
                           "codebook.yml", 2, r"unknown kind 'thema'"),
    "cb-keywords-mapping": Bad({"codebook.yml": codebook("  - code: a\n    keywords: {x: y}\n")},
                               "cb", "codebook.yml", 2, r"'keywords' of code 'a' must be a list"),
    "cb-definition-list": Bad({"codebook.yml": codebook("  - code: a\n    definition: [x]\n")},
                              "cb", "codebook.yml", 2, r"'definition' of code 'a' must be text"),
    "cb-code-list": Bad({"codebook.yml": codebook("  - code: [a, b]\n")}, "cb", "codebook.yml", 2,
                        r"has a list as its code"),
    "cb-tab": Bad({"codebook.yml": "codes:\n\t- code: a\n"}, "cb", "codebook.yml", 2,
                  r"malformed codebook"),
    # --- sidecar metadata beside captions (same check as front matter, 19.4)
    "sc-unknown-role": Bad({"Z1.vtt": VTT, "Z1.yml": SIDECAR.replace("teacher", "pilot")}, "vtt",
                           "Z1.yml", 4, r"unknown role 'pilot'"),
    "sc-date": Bad({"Z1.vtt": VTT, "Z1.yml": SIDECAR.replace("2020-10-05", "2020-02-31")}, "vtt",
                   "Z1.yml", 6, r"not a date in the calendar"),
    "sc-duplicate-key": Bad({"Z1.vtt": VTT, "Z1.yml": SIDECAR + "school: Other\n"}, "vtt",
                            "Z1.yml", 7, r"duplicate key 'school'"),
    "sc-same-field-two-spellings": Bad({"Z1.vtt": VTT, "Z1.yml": SIDECAR + "Role: student\n"},
                                       "vtt", "Z1.yml", 7, r"field 'role' is given twice"),
    "sc-synthetic-no": Bad({"Z1.vtt": VTT, "Z1.yml": SIDECAR + "synthetic: 'no'\n"}, "vtt",
                           "Z1.yml", 7, r"'synthetic' is 'no'"),
    "sc-id-list": Bad({"Z1.vtt": VTT, "Z1.yml": SIDECAR.replace("id: Z1", "id: [a, b]")}, "vtt",
                      "Z1.yml", 1, r"'id' holds a list"),
    "sc-alias": Bad({"Z1.vtt": VTT, "Z1.yml": "id: &i Z1\nparticipant: *i\n"}, "vtt", "Z1.yml", 1,
                    r"anchor &i is not allowed"),
    # --- survey CSV (21.6)
    "csv-unquoted-comma": Bad({"s.csv": SURVEY.replace("More time", "More time, less noise")},
                              "csv", "s.csv", 2, r"5 fields, but the header has 4"),
    "csv-short-row": Bad({"s.csv": SURVEY + "A3,North\n"}, "csv", "s.csv", 4,
                         r"2 fields, but the header has 4"),
    "csv-ragged-after-multiline": Bad({"s.csv": 'id,school,q1,q2\nA1,N,"one\ntwo\nthree",x\n'
                                                "A2,S,a,b,c\n"}, "csv", "s.csv", 5,
                                      r"5 fields, but the header has 4"),
    "csv-duplicate-column": Bad({"s.csv": "id,school,q1,q1\nA1,N,a,b\n"}, "csv", "s.csv", 1,
                                r"column name 'q1' appears twice \(columns 3 and 4\)"),
    "csv-unclosed-quote": Bad({"s.csv": 'id,school,q1,q2\nA1,N,"never closed,x\n'}, "csv",
                              "s.csv", 2, r"malformed CSV"),
    "csv-quote-then-text": Bad({"s.csv": 'id,school,q1,q2\nA1,N,"quoted"tail,x\n'}, "csv",
                               "s.csv", 2, r"malformed CSV"),
    "csv-empty": Bad({"s.csv": ""}, "csv", "s.csv", 1, r"the file is empty"),
    "csv-nul": Bad({"s.csv": SURVEY.replace("Good", "Go\x00od")}, "csv", "s.csv", 3,
                   r"NUL character"),
    "csv-duplicate-id": Bad({"s.csv": SURVEY + "A1,East,x,y\n"}, "csv", "s.csv", 4,
                            r"respondent id 'A1' appears twice \(first on line 2\)"),
    "csv-empty-id": Bad({"s.csv": SURVEY + " ,East,x,y\n"}, "csv", "s.csv", 4,
                        r"empty respondent id"),
    "csv-missing-column": Bad({"s.csv": "id,school,q1\nA1,N,x\n"}, "csv", "s.csv", 1,
                              r"no column\(s\) 'q2'"),
    "csv-header-only-commas": Bad({"s.csv": "id,school,q1,q2,,\nA1,N,x,y,z\n"}, "csv", "s.csv", 2,
                                  r"5 fields, but the header has 6"),
    # --- survey Excel (21.6)
    "xlsx-two-sheets": Bad({"s.xlsx": _xlsx_bytes(_two_sheets)}, "xlsx1", "s.xlsx", None,
                           r"2 sheets with data \('North', 'South'\).*sheet="),
    "xlsx-formula-no-value": Bad({"s.xlsx": _xlsx_bytes(_formula)}, "xlsx1", "s.xlsx[Sheet]", 2,
                                 r"cell B2 holds a formula .* with no saved value"),
    "xlsx-damaged-xml": Bad({"s.xlsx": _damaged_xlsx()}, "xlsx1", "s.xlsx", None,
                            r"not a readable Excel workbook"),
    "xlsx-no-sheet": Bad({"s.xlsx": _sheetless_xlsx()}, "xlsx1", "s.xlsx", None,
                         r"no readable sheet"),
    "xlsx-not-zip": Bad({"s.xlsx": b"id,q1\nA1,x\n"}, "xlsx1", "s.xlsx", None,
                        r"not a readable Excel workbook"),
    "xlsx-truncated": Bad({"s.xlsx": _xlsx_bytes(_two_sheets)[:900]}, "xlsx1", "s.xlsx", None,
                          r"not a readable Excel workbook"),
    "xlsx-merge-bomb": Bad({"s.xlsx": _patched_sheet(
        b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/>'
                         b"</mergeCells>")}, "xlsx1", "s.xlsx", None,
        r"merged cells of xl/worksheets/sheet1.xml cover more than"),
    "xlsx-stray-far-cell": Bad({"s.xlsx": _patched_sheet(
        b"</row></sheetData>", b'</row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x'
                               b"</t></is></c></row></sheetData>")}, "xlsx1", "s.xlsx", None,
        r"spans 1,048,576 rows"),
    "xlsx-no-such-sheet": Bad({"s.xlsx": _xlsx_bytes(_two_sheets)}, "xlsx-east", "s.xlsx", None,
                              r"no sheet 'East'.*'North', 'South'"),
    # --- codings.csv
    "codings-outside": Bad({"codings.csv": "doc_id,start,end,code,coder\nd1,5,99,glow,b\n"},
                           "codings", "codings.csv", 2, r"outside document 'd1'"),
    "codings-unknown-doc": Bad({"codings.csv": "doc_id,start,end,code,coder\nd9,0,5,glow,b\n"},
                               "codings", "codings.csv", 2, r"unknown doc_id 'd9'"),
    "codings-not-int": Bad({"codings.csv": "doc_id,start,end,code,coder\nd1,0,5.5,glow,b\n"},
                           "codings", "codings.csv", 2, r"whole numbers"),
    "codings-comma": Bad({"codings.csv": "doc_id,start,end,code,coder,memo\n"
                                         "d1,0,5,glow,b,a, b\n"}, "codings", "codings.csv", 2,
                         r"expected 6 fields, found 7"),
    "codings-duplicate": Bad({"codings.csv": "doc_id,start,end,code,coder\nd1,0,5,glow,b\n"
                                             "d1,0,5,glow,b\n"}, "codings", "codings.csv", 3,
                             r"duplicate of the coding on line 2"),
    "codings-unknown-code": Bad({"codings.csv": "doc_id,start,end,code,coder\nd1,0,5,glo,b\n"},
                                "codings", "codings.csv", 2, r"code 'glo' is not in the codebook"),
    # --- recommendations.yml
    "rec-duplicate-key": Bad({"recommendations.yml": "recommendations:\n  - id: 1\n    id: 2\n"},
                             "rec", "recommendations.yml", 3, r"duplicate key 'id'"),
    "rec-alias": Bad({"recommendations.yml": "recommendations:\n  - &r {id: 1}\n  - *r\n"}, "rec",
                     "recommendations.yml", 2, r"anchor &r is not allowed"),
}


def _call(kind: str, folder: Path):
    if kind == "txt":
        return read_transcript(folder / "T1.txt", codebook_frame([{"code": "glow"}]))
    if kind == "cb":
        return read_codebook(folder / "codebook.yml")
    if kind == "vtt":
        return read_vtt(folder / "Z1.vtt")
    if kind == "csv":
        return read_responses(folder / "s.csv", text=["q1", "q2"], id="id", meta=["school"])
    if kind == "xlsx1":
        return read_responses(folder / "s.xlsx", text=["q1"], id="id")
    if kind == "xlsx-east":
        return read_responses(folder / "s.xlsx", text=["q1"], id="id", sheet="East")
    if kind == "codings":
        return read_codings_csv(folder / "codings.csv", {"d1": DOC_TEXT}, {"glow", "grow"})
    if kind == "rec":
        return read_recommendations(folder / "recommendations.yml", codes=["glow"])
    raise AssertionError(kind)


def _write(folder: Path, files: dict) -> None:
    for name, content in files.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (folder / name).write_bytes(data)


def test_the_table_is_large_enough():
    assert len(REFUSED) >= 60


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_bad_input_is_refused_with_file_line_and_cause(kind, tmp_path):
    bad = REFUSED[kind]
    _write(tmp_path, bad.files)
    started = time.perf_counter()
    with pytest.raises(PlcaseInputError) as info:
        _call(bad.call, tmp_path)
    assert time.perf_counter() - started < 5, "a bad file must fail fast"
    err = info.value
    assert err.path is not None and Path(err.path).name == bad.file, str(err)
    assert err.line == bad.line, str(err)
    assert re.search(bad.match, str(err)), str(err)


# --------------------------------------------------------------------------- exact recoveries

@pytest.mark.parametrize("raw, expected", [
    ("0123", "0123"),        # YAML 1.1: octal 83
    ("1:30", "1:30"),        # YAML 1.1: base 60, 90
    ("yes", "yes"),          # YAML 1.1: True
    ("NO", "NO"),
    ("1e3", "1e3"),          # float 1000.0
    ("2017-03-14", "2017-03-14"),
    ("0x1F", "0x1F"),
    (".inf", ".inf"),
    ("null", None),
    ("~", None),
])
def test_metadata_values_are_text_as_written(raw, expected):
    assert load_yaml(f"value: {raw}\n", "a.yml")["value"] == expected


@pytest.mark.parametrize("field, raw", [("id", "0123"), ("id", "1:30"), ("id", "yes"),
                                        ("school", "NO"), ("participant", "on"),
                                        ("interviewer", "3.10")])
def test_front_matter_keeps_ids_and_fields_as_written(field, raw, tmp_path):
    (tmp_path / "T1.txt").write_text(front(**{field: raw}), encoding="utf-8")
    meta = read_transcript(tmp_path / "T1.txt").meta
    assert meta["doc_id" if field == "id" else field] == raw


@pytest.mark.parametrize("raw, expected", [("true", True), ("false", False), ("True", True),
                                           ("FALSE", False)])
def test_synthetic_accepts_true_and_false_only(raw, expected, tmp_path):
    (tmp_path / "T1.txt").write_text(front(synthetic=raw), encoding="utf-8")
    assert read_transcript(tmp_path / "T1.txt").meta["synthetic"] is expected


def test_sidecar_id_kept_as_written(tmp_path):
    _write(tmp_path, {"Z1.vtt": VTT, "Z1.yml": SIDECAR.replace("id: Z1", "id: 0123")})
    doc = read_vtt(tmp_path / "Z1.vtt")
    assert doc.meta["doc_id"] == "0123" and doc.meta["date"] == "2020-10-05"


def test_codebook_codes_kept_as_written(tmp_path):
    (tmp_path / "codebook.yml").write_text(codebook("  - code: 0123\n", "  - code: yes\n"
                                                    "    parent: 0123\n"), encoding="utf-8")
    frame = read_codebook(tmp_path / "codebook.yml")
    assert frame["code"].tolist() == ["0123", "yes"]
    assert frame["parent"].tolist() == [None, "0123"]


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA, float("nan"), ""])
def test_codebook_missing_parent_from_a_frame(missing):
    # Issue 12 under pandas 3 / numpy 2: a codebook frame's empty parent is NaN or NA, not None.
    source = pd.DataFrame({"code": ["shared_culture", "sub"],
                           "parent": [missing, "shared_culture"]})
    frame = codebook_frame(source.to_dict("records"))
    assert frame["parent"].tolist() == [None, "shared_culture"]


def test_nul_in_front_matter_is_removed_with_a_warning_naming_the_line(tmp_path):
    # NUL characters are a documented recovery (removed before offsets are counted), not a refusal.
    (tmp_path / "T1.txt").write_text(front(participant="Ms.\x00Test"), encoding="utf-8")
    with pytest.warns(PlcaseWarning, match=r"T1\.txt:6: 1 NUL character\(s\) removed"):
        doc = _call("txt", tmp_path)
    assert doc.meta["participant"] == "Ms.Test"


def test_alias_bomb_fails_fast():
    started = time.perf_counter()
    with pytest.raises(PlcaseInputError, match="anchor"):
        load_yaml(BOMB * 1, "bomb.yml")
    assert time.perf_counter() - started < 1


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [row for row in csv.reader(handle) if row]


def test_survey_blank_lines_na_and_quotes_recovered_exactly(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text('id,school,q1,q2\n\nA1,North,"Yes, and ""no""",NA\n\n'
                    'A2,South,"line one\r\nline two",None\n', encoding="utf-8")
    study = read_responses(path, text=["q1", "q2"], id="id", meta=["school"])
    assert study.passages["text"].tolist() == ['Yes, and "no"', "NA", "line one\nline two", "None"]
    assert study.texts == {"A1": 'Yes, and "no"\n\nNA', "A2": "line one\nline two\n\nNone"}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_survey_utf16_is_read(tmp_path, encoding):
    path = tmp_path / "s.csv"
    path.write_bytes(SURVEY.encode(encoding))
    study = read_responses(path, text=["q1", "q2"], id="id", meta=["school"])
    assert study.passages["text"].tolist() == ["Fine", "More time", "Good"]


def test_survey_meta_one_dtype_for_csv_and_excel(tmp_path):
    rows = [["case", "Age", "qual"], ["ID4", 24, "a"], ["ID5", 33.0, "b"], ["ID6", None, "c"]]
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / "s.xlsx")
    (tmp_path / "s.csv").write_text("case,Age,qual\nID4,24,a\nID5,33,b\nID6,,c\n",
                                    encoding="utf-8")
    from_excel = read_responses(tmp_path / "s.xlsx", text="qual", id="case", meta=["Age"])
    from_csv = read_responses(tmp_path / "s.csv", text="qual", id="case", meta=["Age"])
    assert from_excel.documents["Age"].tolist() == ["24", "33", None]
    assert from_csv.documents["Age"].tolist() == ["24", "33", None]
    typed = read_responses(tmp_path / "s.csv", text="qual", id="case", meta=["Age"],
                           dtype={"Age": "Int64"})
    assert str(typed.documents["Age"].dtype) == "Int64"
    assert typed.documents["Age"].tolist()[:2] == [24, 33]


def test_survey_declared_dtype_error_names_the_line(tmp_path):
    (tmp_path / "s.csv").write_text("case,Age,qual\nID4,24,a\nID5,old,b\n", encoding="utf-8")
    with pytest.raises(PlcaseInputError) as info:
        read_responses(tmp_path / "s.csv", text="qual", id="case", meta=["Age"],
                       dtype={"Age": "Int64"})
    assert info.value.line == 3 and "'old'" in info.value.message


def test_excel_all_sheets_with_a_sheet_column(tmp_path):
    (tmp_path / "s.xlsx").write_bytes(_xlsx_bytes(_two_sheets))
    study = read_responses(tmp_path / "s.xlsx", text="q1", id="id", meta=["sheet"], sheet="all")
    assert study.documents[["doc_id", "sheet"]].values.tolist() == [["A1", "North"],
                                                                    ["B1", "South"]]
    one = read_responses(tmp_path / "s.xlsx", text="q1", id="id", sheet="South")
    assert one.passages["text"].tolist() == ["Good"]


def test_excel_merged_cells_fill_their_range(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [["id", "school", "q1"], ["A1", "North", "x"], ["A2", None, "y"],
                ["A3", None, "z"]]:
        sheet.append(row)
    sheet.merge_cells("B2:B4")
    book.save(tmp_path / "s.xlsx")
    study = read_responses(tmp_path / "s.xlsx", text="q1", id="id", meta=["school"])
    assert study.documents["school"].tolist() == ["North", "North", "North"]


def test_excel_formula_with_cached_value_is_read(tmp_path):
    # A workbook saved by Excel keeps each formula's value; write one the same way.
    book = openpyxl.Workbook()
    book.active.append(["id", "q1"])
    book.active.append(["A1", "=\"Fine\""])
    book.save(tmp_path / "s.xlsx")
    with zipfile.ZipFile(tmp_path / "s.xlsx") as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace('<c r="B2"><f>"Fine"</f><v></v></c>',
                          '<c r="B2" t="str"><f>"Fine"</f><v>Fine</v></c>')
    assert "<v>Fine</v>" in sheet, sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(tmp_path / "s.xlsx", "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    study = read_responses(tmp_path / "s.xlsx", text="q1", id="id")
    assert study.passages["text"].tolist() == ["Fine"]


# --------------------------------------------------------------------------- real survey files

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "real-exports" / "survey"


@pytest.mark.parametrize("name, text, id_column", [
    ("QualCoder_survey.csv", ["interest", "qual"], "case"),
    ("QualCoder_survey456.csv", None, None),
    ("QualCoder_rtweet_judo_tweets_data.csv", ["full_text", "description"], "id"),
])
def test_real_survey_csv_counts_match_an_independent_parse(name, text, id_column):
    path = SHARED / name
    rows = _csv_rows(path)
    header, body = rows[0], rows[1:]
    if text is None:  # the last column holds the open answer
        text, id_column = [header[-1]], header[0]
    study = read_responses(path, text=text, id=id_column)
    expected = [(row[header.index(id_column)], q, row[header.index(q)].replace("\r\n", "\n")
                 .replace("\r", "\n").strip()) for row in body for q in text]
    expected = [e for e in expected if e[2]]
    got = list(zip(study.passages["doc_id"], study.passages["question"], study.passages["text"]))
    assert got == expected
    assert len(study.documents) == len({e[0] for e in expected})
    for row in study.passages.itertuples():
        assert study.texts[row.doc_id][row.start:row.end] == row.text


def test_real_survey_xlsx_counts_match_openpyxl():
    path = SHARED / "QualCoder_survey789.xlsx"
    book = openpyxl.load_workbook(path, data_only=True)
    filled = [ws for ws in book.worksheets
              if any(v is not None for row in ws.iter_rows(values_only=True) for v in row)]
    assert len(filled) == 1
    values = [list(row) for row in filled[0].iter_rows(values_only=True)]
    header = [str(h) for h in values[0]]
    body = [row for row in values[1:] if any(v is not None for v in row)]
    text_columns = [h for h, col in zip(header, zip(*body))
                    if any(isinstance(v, str) and len(v) > 40 for v in col)]
    assert len(text_columns) == 2  # the README: two open questions
    study = read_responses(path, text=text_columns, id=header[0])
    expected = sum(1 for row in body for q in text_columns
                   if isinstance(row[header.index(q)], str) and row[header.index(q)].strip())
    assert len(study.passages) == expected
    for row in study.passages.itertuples():
        assert study.texts[row.doc_id][row.start:row.end] == row.text


# --------------------------------------------------------------------------- validate (21.9)

def test_validate_reports_every_bad_file_with_file_and_line(tmp_path, capsys):
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "codebook.yml").write_text(CODEBOOK, encoding="utf-8")
    bad = {"A1.txt": front(id="A1", synthetic="'no'"),
           "A2.txt": front(id="A2", date="2017-02-30"),
           "A3.txt": "---\n" + BOMB + "---\nA: b\n",
           "A4.txt": front(id="A4", extra="id: again\n"),
           "A5.txt": front(id="A5", role="wizard"),
           "Z1.vtt": VTT, "Z1.yml": SIDECAR.replace("teacher", "pilot"),
           "notes.rtf": "{\\rtf1 lost}",
           "G1.txt": front(id="G1")}
    _write(folder, bad)
    (folder / "codings.csv").write_text("doc_id,start,end,code,coder\nG1,0,99,glow,b\n"
                                        "G1,0,3,nope,b\n", encoding="utf-8")
    started = time.perf_counter()
    status = main(["validate", str(folder)])
    assert time.perf_counter() - started < 30
    out, err = capsys.readouterr()
    assert status == 1
    assert "Traceback" not in out + err
    lines = out.strip().splitlines()
    expected = {("A1.txt", 9), ("A2.txt", 7), ("A3.txt", 2), ("A4.txt", 10), ("A5.txt", 5),
                ("Z1.yml", 4), ("codings.csv", 2), ("codings.csv", 3)}
    found = set()
    for line in lines:
        where = line.split(": ", 1)[0]
        file, _, number = where.rpartition(":")
        if number.isdigit():
            found.add((Path(file).name, int(number)))
    assert expected <= found, out
    assert any("notes.rtf" in line and "not read" in line for line in lines), out


def test_validate_never_prints_a_traceback_on_garbage(tmp_path, capsys):
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "codebook.yml").write_bytes(b"\xff\xfe\x00c\x00o")
    (folder / "T1.txt").write_bytes(bytes(range(256)))
    (folder / "T2.docx").write_bytes(b"PK\x03\x04garbage")
    (folder / "T3.srt").write_bytes(b"\x00\x01\x02")
    status = main(["validate", str(folder)])
    out, err = capsys.readouterr()
    assert status == 1 and "Traceback" not in out + err
    assert any(line.startswith(str(folder / "codebook.yml")) for line in out.splitlines())
