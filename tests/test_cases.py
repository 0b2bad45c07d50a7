"""Declaring cases, rolling codes up the tree, and the Mannheimer study end to end.

The group × category matrix is checked against a count made here from the
QualCoder tables with ``sqlite3`` and the passage rule re-implemented from
its documentation, not with plcase code.
"""

from __future__ import annotations

import re
import sqlite3
import warnings
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

import plcase
from plcase.errors import PlcaseError, PlcaseInputError

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PROJECT = SHARED / "real-exports" / "native" / "qualcoder-3.6_mannheimer_refi_qda_project_recoded.qda"
GROUPS = r"^(?P<case>BSR|DC|QR)\d"
CODER = "saramannheimer"

DOCS = pd.DataFrame({"doc_id": ["BSR01_x", "DC04_x", "QR10_x", "notes"]})


# ----------------------------------------------------------------------------- assign_cases

def test_pattern_assigns_cases_and_extra_groups():
    found = plcase.assign_cases(DOCS.iloc[:3], pattern=r"^(?P<case>[A-Z]+)(?P<number>\d+)")
    assert found["case"].tolist() == ["BSR", "DC", "QR"]
    assert found["number"].tolist() == ["01", "04", "10"]


def test_documents_matching_no_case_are_named():
    with pytest.raises(PlcaseInputError, match=r"1 document\(s\) match no case: 'notes'"):
        plcase.assign_cases(DOCS, pattern=r"^(?P<case>[A-Z]+)\d+")
    kept = plcase.assign_cases(DOCS.assign(case=[None, None, None, "context"]),
                               pattern=r"^(?P<case>[A-Z]+)\d+", unassigned="keep")
    assert kept["case"].tolist() == ["BSR", "DC", "QR", "context"]


def test_table_from_a_csv_with_attributes(tmp_path):
    table = tmp_path / "cases.csv"
    table.write_text("\ufeffdoc_id,school,level\nBSR01_x,Grand Oak,elementary\nDC04_x,Ridge Road,middle\n"
                     "QR10_x,Newell,elementary\nnotes,District office,\n", encoding="utf-8")
    found = plcase.assign_cases(DOCS, table=table, column="school")
    assert found["school"].tolist() == ["Grand Oak", "Ridge Road", "Newell", "District office"]
    assert found["level"].tolist()[:3] == ["elementary", "middle", "elementary"]
    assert pd.isna(found["level"].iloc[3])


def test_table_problems_are_errors(tmp_path):
    with pytest.raises(PlcaseInputError, match="match no case: 'QR10_x', 'notes'"):
        plcase.assign_cases(DOCS, table=pd.DataFrame({"doc_id": ["BSR01_x", "DC04_x"],
                                                      "case": ["a", "b"]}))
    with pytest.raises(PlcaseInputError, match="does not have: 'XX'"):
        plcase.assign_cases(DOCS, table=pd.DataFrame({"doc_id": ["XX"], "case": ["a"]}))
    with pytest.raises(PlcaseInputError, match="listed twice"):
        plcase.assign_cases(DOCS, table=pd.DataFrame({"doc_id": ["notes", "notes"],
                                                      "case": ["a", "b"]}))
    with pytest.raises(PlcaseInputError, match="lacks column"):
        plcase.assign_cases(DOCS, table=pd.DataFrame({"doc_id": ["notes"], "group": ["a"]}))
    with pytest.raises(PlcaseInputError, match="no named group 'case'"):
        plcase.assign_cases(DOCS, pattern=r"^[A-Z]+")
    with pytest.raises(PlcaseError, match="exactly one"):
        plcase.assign_cases(DOCS)


# ----------------------------------------------------------------------------- rollup

CODEBOOK = pd.DataFrame({"code": ["root", "privacy", "consent", "deletion", "quality", "bots"],
                         "parent": [None, "root", "privacy", "privacy", "root", "quality"]})
CODINGS = pd.DataFrame({"doc_id": ["d1", "d1", "d2", "d2"], "start": [0, 5, 0, 3],
                        "end": [4, 9, 2, 8], "code": ["consent", "deletion", "bots", "privacy"]})


def test_rollup_to_a_level_keeps_every_row():
    level2 = plcase.rollup(CODINGS, CODEBOOK, level=2)
    assert level2["code"].tolist() == ["privacy", "privacy", "quality", "privacy"]
    assert level2["original_code"].tolist() == CODINGS["code"].tolist()
    assert level2[["doc_id", "start", "end"]].equals(CODINGS[["doc_id", "start", "end"]])
    assert plcase.rollup(CODINGS, CODEBOOK, level=1)["code"].eq("root").all()
    assert plcase.rollup(CODINGS, CODEBOOK, level=9)["code"].tolist() == CODINGS["code"].tolist()
    assert plcase.code_depth(CODEBOOK).to_dict() == {"root": 1, "privacy": 2, "consent": 3,
                                                     "deletion": 3, "quality": 2, "bots": 3}


def test_rollup_to_named_codes_or_groups():
    listed = plcase.rollup(CODINGS, CODEBOOK, to=["privacy", "consent", "root"])
    assert listed["code"].tolist() == ["consent", "privacy", "root", "privacy"]
    grouped = plcase.rollup(CODINGS, CODEBOOK, to={"privacy": "ethics", "quality": "data"})
    assert grouped["code"].tolist() == ["ethics", "ethics", "data", "ethics"]
    with pytest.raises(PlcaseError, match="no group in to=: 'bots'"):
        plcase.rollup(CODINGS, CODEBOOK, to=["privacy"])
    with pytest.raises(PlcaseError, match="level must be"):
        plcase.rollup(CODINGS, CODEBOOK, level=0)
    loop = pd.DataFrame({"code": ["a", "b"], "parent": ["b", "a"]})
    with pytest.raises(PlcaseError, match="loop"):
        plcase.rollup(CODINGS.iloc[:0], loop)


# ----------------------------------------------------------------------------- the real study

@pytest.fixture(scope="module")
def mannheimer():
    return plcase.assign_cases(plcase.read_study(PROJECT), pattern=GROUPS)


def independent_passages(text: str) -> list[tuple[int, int]]:
    """The documented rule, written again: 'Name  mm:ss' lines open turns, else one passage a line."""
    lines, pos = [], 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line), line))
        pos += len(line) + 1
    heading = re.compile(r"^\S.{0,60}?(?: {2,}|\t)\s*\d{1,2}:\d{2}(?::\d{2})?\s*$")
    is_heading = [bool(line.strip()) and bool(heading.match(line.strip())) for _, _, line in lines]
    spans: list[list[int]] = []
    in_turn = False
    for (start, end, line), head in zip(lines, is_heading):
        if head:
            spans.append([None, None])
            in_turn = True
            continue
        if not line.strip():
            continue
        lo = start + len(line) - len(line.lstrip())
        hi = start + len(line.rstrip())
        if in_turn and any(is_heading):
            if spans[-1][0] is None:
                spans[-1][0] = lo
            spans[-1][1] = hi
        else:
            spans.append([lo, hi])
    return [(a, b) for a, b in spans if a is not None]


def independent_matrix(depth: int) -> pd.DataFrame:
    db = sqlite3.connect(f"file:{PROJECT / 'data.qda'}?mode=ro", uri=True)
    try:
        texts = dict(db.execute("SELECT id, fulltext FROM source"))
        names = dict(db.execute("SELECT id, name FROM source"))
        categories = {c: (n, s) for c, n, s in db.execute("SELECT catid, name, supercatid FROM code_cat")}
        codes = {c: (n, k) for c, n, k in db.execute("SELECT cid, name, catid FROM code_name")}
        codings = db.execute("SELECT cid, fid, pos0, pos1 FROM code_text").fetchall()
    finally:
        db.close()
    code_names = {n for n, _ in codes.values()}

    def ancestor(cid):
        name, catid = codes[cid]
        path = [name]
        while catid is not None:
            cat_name, catid = categories[catid]
            path.append(f"{cat_name} (category)" if cat_name in code_names else cat_name)
        path.reverse()
        return path[min(depth, len(path)) - 1]

    passages = {fid: independent_passages(text) for fid, text in texts.items()}
    cells = defaultdict(set)
    for cid, fid, pos0, pos1 in codings:
        spans = passages[fid]
        group = re.match(r"[A-Z]+", names[fid]).group(0)
        for number, (a, b) in enumerate(spans):
            if a < pos1 and pos0 < b:
                cells[(group, ancestor(cid))].add((fid, number))
    counts = pd.Series({key: len(value) for key, value in cells.items()})
    return counts.unstack(fill_value=0)


def test_three_groups_are_declared(mannheimer):
    assert mannheimer.documents["case"].value_counts().to_dict() == {"BSR": 10, "DC": 10, "QR": 10}


def test_group_by_category_matrix_matches_an_independent_count(mannheimer):
    matrix = plcase.theme_matrix(mannheimer, by="case", coder=CODER, level=2, measure="passages")
    expected = independent_matrix(depth=2)
    # 753 codings, some spanning speaker turns: each (passage, category) counts once.
    assert expected.to_numpy().sum() > 753 and expected.shape == (3, 105)
    assert set(expected.columns) <= set(matrix.columns)
    assert "Mannheimer" not in matrix.columns  # the empty root category is no column at level 2
    expected = expected.reindex(index=matrix.index, columns=matrix.columns, fill_value=0)
    pd.testing.assert_frame_equal(matrix, expected, check_names=False, check_dtype=False)
    top = plcase.theme_matrix(mannheimer, by="case", coder=CODER, level=1)
    assert top.columns.tolist() == ["Mannheimer"]
    pd.testing.assert_series_equal(top["Mannheimer"], independent_matrix(depth=1)["Mannheimer"]
                                   .reindex(top.index), check_names=False, check_dtype=False)


def test_qdpx_round_trip_keeps_every_coding_on_its_words(mannheimer, tmp_path):
    path = plcase.write_qdpx(mannheimer, tmp_path / "mannheimer.qdpx")
    back = plcase.read_qdpx(path)
    assert len(back.codings) == 753
    key = ["doc_id", "start", "end", "code", "coder", "text"]
    before = mannheimer.codings[key].sort_values(key).reset_index(drop=True)
    after = back.codings[key].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(before, after)
    assert back.documents.set_index("doc_id")["case"].to_dict() == \
        mannheimer.documents.set_index("doc_id")["case"].to_dict()


def test_one_coder_study_with_its_own_codes_runs_the_analyses(mannheimer):
    codes = ["comparability - documentation and metadata", "consent - consent language and procedures"]
    matrix = plcase.theme_matrix(mannheimer, by="case", coder=CODER, codes=codes, measure="share")
    assert matrix.shape == (3, 2) and (matrix.to_numpy() > 0).any()
    co = plcase.cooccurrence(mannheimer, coder=CODER, level=2)
    assert (co.to_numpy() == co.to_numpy().T).all() and co.shape[0] == co.shape[1] > 50
    curves = plcase.new_codes(mannheimer, by="case", coder=CODER, level=2)
    per_case = curves[curves["group"] != "all cases"]
    assert per_case.groupby("group")["step"].max().to_dict() == {"BSR": 10, "DC": 10, "QR": 10}
    assert per_case.groupby("group")["n_codes"].is_monotonic_increasing.all()
    sat = plcase.saturation(mannheimer, by="case", coder=CODER, level=2)
    assert sat["group"].tolist() == ["BSR", "DC", "QR", "all cases"]
    assert sat["n_documents"].tolist() == [10, 10, 10, 30]
    rolled = plcase.rollup(mannheimer, level=2)
    top = plcase.theme_matrix(mannheimer, by="case", coder=CODER, level=2).sum().idxmax()
    quotes = plcase.framework_matrix(rolled, by="case", coder=CODER, codes=[top])
    assert set(quotes["case"]) == {"BSR", "DC", "QR"} and (quotes["code"] == top).all()
    # The study has no valence codes: glow/grow says so instead of counting nothing.
    with pytest.raises(plcase.PlcaseError, match="two valence codes"):
        plcase.glow_grow(rolled, by="case", coder=CODER, codes=[top])
    mapping = pd.DataFrame({"id": [1], "short": ["consent"], "codes": [codes]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing should need the sample's names
        graded = plcase.recommendations(mannheimer, mapping=mapping, coder=CODER)
    assert graded.loc[0, "n_passages"] > 0


def test_codes_below_the_level_are_refused(mannheimer):
    db = sqlite3.connect(f"file:{PROJECT / 'data.qda'}?mode=ro", uri=True)
    (deep,) = db.execute("SELECT c.name FROM code_name c JOIN code_cat k ON k.catid = c.catid "
                         "WHERE k.supercatid IS NOT NULL ORDER BY c.cid LIMIT 1").fetchone()
    db.close()
    with pytest.raises(PlcaseError, match="lie below level 2"):
        plcase.theme_matrix(mannheimer, by="case", coder=CODER, level=2, codes=[deep])
