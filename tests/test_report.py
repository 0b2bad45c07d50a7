"""`plcase report` is repeatable and never edits the notebooks it runs or the repository."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from plcase import config
from plcase.report import ReportError, notebook_paths, run_report

ROOT = Path(__file__).resolve().parents[1]


def _digest(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _git_status() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout


def test_report_twice_is_byte_identical_and_leaves_templates_alone(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name in ("00-context.ipynb", "04-cross-school.ipynb"):
        shutil.copy(config.NOTEBOOKS_DIR / name, notebooks / name)
    templates = _digest(notebooks)
    before = _git_status()
    out = tmp_path / "out"
    run_report(config.SAMPLE_DIR, notebooks=notebooks, output=out)
    first = _digest(out)
    assert any(name.startswith("figures/") for name in first)
    assert any(name.startswith("tables/") for name in first)
    assert {"00-context.ipynb", "00-context.html", "04-cross-school.ipynb"} <= set(first)
    run_report(config.SAMPLE_DIR, notebooks=notebooks, output=out)
    assert _digest(out) == first
    assert _digest(notebooks) == templates
    assert _git_status() == before


def test_report_order_and_failure_names_notebook_and_cell(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"),
                                         nbformat.v4.new_code_cell("1 / 0")])
    nbformat.write(nb, tmp_path / "01-broken.ipynb")
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "00-empty.ipynb")
    assert [p.name for p in notebook_paths(tmp_path)] == ["00-empty.ipynb", "01-broken.ipynb"]
    with pytest.raises(ReportError, match=r"01-broken.ipynb: cell 2 failed: .*ZeroDivisionError") as err:
        run_report(config.SAMPLE_DIR, notebooks=tmp_path, output=tmp_path / "html")
    assert "\x1b[" not in str(err.value)


def test_a_section_the_study_lacks_is_skipped_with_one_sentence(tmp_path):
    import nbformat

    cells = [nbformat.v4.new_code_cell(src) for src in (
        "import plcase\nstudy = plcase.read_study(plcase.config.INTERVIEWS_DIR)",
        'plcase.report.requires(study, "valence")',
        "plcase.glow_grow(study)",              # would fail: the study has no valence codes
        "plcase.report.requires(study)",
        "len(study.documents)")]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), tmp_path / "00-sections.ipynb")
    study = ROOT / "tests" / "data" / "study_ana"
    (done,) = run_report(study, notebooks=tmp_path, output=tmp_path / "out")
    outputs = [c.get("outputs", []) for c in nbformat.read(done, as_version=4).cells]
    assert "no valence codes" in outputs[1][0]["data"]["text/plain"]
    assert outputs[2] == [] and outputs[4][0]["data"]["text/plain"] == "6"
