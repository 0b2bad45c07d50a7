"""A real published study: the Mannheimer (2023) QualCoder project read as a study folder.

The project lives in ``../shared/real-exports/native/`` (never copied into plcase). A study folder
beside it says, in ``study.yml``, what the project cannot: the three participant groups (by name
pattern), the interviewer, and the level of the code tree the analyses work at.
"""

from __future__ import annotations

import sqlite3
import warnings
from pathlib import Path

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
