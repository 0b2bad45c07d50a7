"""A real published study end to end: the Mannheimer (2023) QualCoder project through the report.

The project lives in ``../shared/real-exports/native/`` (never copied into plcase). A study folder
beside it says, in ``study.yml``, what the project cannot: the three participant groups (by name
pattern), the interviewer, and the level of the code tree the analyses work at. The whole report
then runs on it, and its group × category matrix is checked against a count made here from the
SQLite tables alone.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

import plcase

ROOT = Path(__file__).resolve().parents[1]
PROJECT = (ROOT.parent / "shared" / "real-exports" / "native"
           / "qualcoder-3.6_mannheimer_refi_qda_project_recoded.qda")

pytestmark = pytest.mark.skipif(not PROJECT.exists(),
                                reason=f"{PROJECT} is absent (CI has ../shared beside the clone)")

STUDY_YML = """\
name: Mannheimer 2023, data sharing and reuse (QDR)
project: {project}
case_column: group
cases: {{pattern: '^(?P<case>BSR|DC|QR)\\d'}}
speaker_roles: {{interviewer: [Sara Mannheimer]}}
code_level: 2                   # the 230 codes rolled up to the categories below the root
themes:                         # the six categories the write-up compares the groups on
  - privacy - deidentification (category)
  - consent - IRB
  - strategies for responsible practice - risk-benefit analysis (category)
  - quality - description, metadata, documentation support data quality (category)
  - privacy - restricted access (category)
  - curation - value of bsr and qual data sharing
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mannheimer")
    (folder / "study.yml").write_text(STUDY_YML.format(project=PROJECT.as_posix()), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def study(folder):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", plcase.PlcaseWarning)  # the two placeholder sources
        return plcase.read_study(folder)


def _sqlite_group_counts() -> dict[str, int]:
    """Codings per participant group, counted from the SQLite tables directly."""
    con = sqlite3.connect(f"file:{PROJECT / 'data.qda'}?mode=ro", uri=True)
    rows = con.execute("SELECT s.name FROM code_text c JOIN source s ON s.id = c.fid").fetchall()
    con.close()
    counts: dict[str, int] = {}
    for (name,) in rows:
        group = next(g for g in ("BSR", "DC", "QR") if name.startswith(g))
        counts[group] = counts.get(group, 0) + 1
    return counts


def test_study_yml_declares_groups_interviewer_and_level(study):
    assert sorted(study.documents["group"].unique()) == ["BSR", "DC", "QR"]
    assert study.case_column == "group" and study.cases == ["BSR", "DC", "QR"]
    # Every coding kept through the roll-up, each still on the words QualCoder stored.
    assert len(study.codings) == 753
    assert study.codings.groupby(study.codings["doc_id"].map(
        study.documents.set_index("doc_id")["group"])).size().to_dict() == _sqlite_group_counts()
    assert (study.codings["original_code"].notna()).all()
    interviewer = study.passages[study.passages["speaker_role"] == "interviewer"]
    assert set(interviewer["speaker"]) == {"Sara Mannheimer"}
    assert len(study.theme_codes) == 6 and set(study.theme_codes) <= set(study.codings["code"])
    assert (study.codebook["kind"] == "theme").sum() == 6


def test_validate_reads_the_declared_project(folder, tmp_path):
    from plcase.validate import lint_study

    assert (lint_study(folder)["severity"] == "error").sum() == 0
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "study.yml").write_text("project: nowhere.qda\n", encoding="utf-8")
    problems = lint_study(broken)
    assert problems["message"].str.contains("'nowhere.qda' is not a QualCoder").any()


def test_writing_qdpx_and_reading_back_keeps_every_coding_on_its_words(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", plcase.PlcaseWarning)  # the two placeholder sources
        project = plcase.read_qualcoder(PROJECT)
    back = plcase.read_qdpx(plcase.write_qdpx(project, tmp_path / "mannheimer.qdpx"))
    stored = {(name, pos0, pos1, code): seltext for name, pos0, pos1, code, seltext in
              _query("SELECT s.name, t.pos0, t.pos1, c.name, t.seltext FROM code_text t "
                     "JOIN source s ON s.id = t.fid JOIN code_name c ON c.cid = t.cid")}
    read_back = {(r.doc_id, r.start, r.end, r.code): r.text for r in back.codings.itertuples()}
    assert len(back.codings) == len(stored) == 753
    assert read_back == stored


# ----------------------------------------------------------------------------- the whole report

def _query(sql: str) -> list[tuple]:
    con = sqlite3.connect(f"file:{PROJECT / 'data.qda'}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


#: An Otter.ai turn heading in the transcripts: "BSR01  00:00" (two spaces, then the time).
_TURN = re.compile(r"^(?P<speaker>\S[^\n]*?) {2}\d{1,2}:\d{2}(?::\d{2})?$", re.M)


def _sqlite_group_by_category_passages(level: int) -> pd.DataFrame:
    """Participant turns coded with each category, per group, from the SQLite tables only.

    Each code is rolled up the ``code_cat`` tree (``catid``, ``supercatid``) to its ancestor at
    ``level`` (the root category is level 1, a code sits one below its category); each coding
    counts in every turn it overlaps; the interviewer's turns are left out; a turn coded twice
    with one category counts once.
    """
    categories = {catid: (name, parent) for catid, name, parent in
                  _query("SELECT catid, name, supercatid FROM code_cat")}
    code_names = {name for (name,) in _query("SELECT name FROM code_name")}
    codes = {cid: (name, catid) for cid, name, catid in _query("SELECT cid, name, catid FROM code_name")}
    sources = {fid: (name, text) for fid, name, text in _query("SELECT id, name, fulltext FROM source")}

    def node_name(catid):  # plcase names a category that shares a code's name "<name> (category)"
        name = categories[catid][0]
        return f"{name} (category)" if name in code_names else name

    def ancestor(cid):
        name, catid = codes[cid]
        chain = [name]
        while catid is not None:
            chain.append(node_name(catid))
            catid = categories[catid][1]
        chain.reverse()  # root first
        return chain[level - 1] if len(chain) >= level else chain[-1]

    turns: dict[tuple[str, str], set] = {}
    for cid, fid, pos0, pos1 in _query("SELECT cid, fid, pos0, pos1 FROM code_text"):
        name, text = sources[fid]
        group = re.match(r"BSR|DC|QR", name).group()
        heads = [(m.start(), m.group("speaker")) for m in _TURN.finditer(text)]
        for i, (start, speaker) in enumerate(heads):
            end = heads[i + 1][0] if i + 1 < len(heads) else len(text)
            if start < pos1 and pos0 < end and speaker != "Sara Mannheimer":
                turns.setdefault((group, ancestor(cid)), set()).add((fid, start))
    counts = pd.Series({key: len(found) for key, found in turns.items()})
    return counts.unstack(fill_value=0)


def test_the_whole_report_runs_on_the_real_study(folder, tmp_path):
    out = tmp_path / "report"
    done = subprocess.run([sys.executable, "-c", "import sys, plcase.cli; sys.exit(plcase.cli.main())",
                           "report", str(folder), "-o", str(out)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=3600)
    assert done.returncode == 0, done.stdout + done.stderr
    executed = sorted(p.name for p in out.glob("*.ipynb"))
    assert executed == sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    assert sorted(p.stem for p in out.glob("*.html")) == sorted(p[:-6] for p in executed)
    assert list((out / "figures").glob("*.png")) and list((out / "tables").glob("*.csv"))
    for name in executed:  # every code cell ran without an error
        cells = json.loads((out / name).read_text(encoding="utf-8"))["cells"]
        assert not [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])
                    if o.get("output_type") == "error"], name

    # The group × category matrix the report wrote, against the SQLite tables counted here.
    written = pd.read_csv(out / "tables" / "crosscase-theme-passages.csv", index_col=0)
    expected = _sqlite_group_by_category_passages(level=2)
    assert sorted(written.index) == ["BSR", "DC", "QR"]
    assert len(written.columns) == 6
    expected = expected.reindex(index=written.index, columns=written.columns, fill_value=0)
    assert written.astype(int).equals(expected.astype(int)), (written, expected)
    assert written.to_numpy().sum() > 0

    # One coder: the reliability notebook says so in a sentence and goes on.
    cells = json.loads((out / "03-reliability.ipynb").read_text(encoding="utf-8"))["cells"]
    text = "".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                   for c in cells if c["cell_type"] == "code" for o in c.get("outputs", []))
    assert "one human coder (saramannheimer), so there is no agreement to measure" in text
