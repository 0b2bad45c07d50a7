"""`make report` is repeatable: running the notebooks twice changes no figure, table or notebook."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from plcase import config
from plcase.report import ReportError, notebook_paths, run_report


def _digest(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_report_twice_is_byte_identical(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name in ("00-context.ipynb", "04-cross-school.ipynb"):
        shutil.copy(config.NOTEBOOKS_DIR / name, notebooks / name)
    # The kernel inherits these, so plcase.config inside the notebooks writes here.
    monkeypatch.setenv("PLCASE_FIGURES", str(tmp_path / "figures"))
    monkeypatch.setenv("PLCASE_TABLES", str(tmp_path / "tables"))
    run_report(notebooks, html_dir=tmp_path / "reports")
    first = {name: _digest(tmp_path / name) for name in ("figures", "tables", "notebooks")}
    assert first["figures"] and first["tables"]
    run_report(notebooks, html_dir=tmp_path / "reports")
    second = {name: _digest(tmp_path / name) for name in ("figures", "tables", "notebooks")}
    assert first == second
    assert sorted((tmp_path / "reports").glob("*.html"))


def test_report_order_and_failure_names_notebook_and_cell(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"),
                                         nbformat.v4.new_code_cell("1 / 0")])
    nbformat.write(nb, tmp_path / "01-broken.ipynb")
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "00-empty.ipynb")
    assert [p.name for p in notebook_paths(tmp_path)] == ["00-empty.ipynb", "01-broken.ipynb"]
    with pytest.raises(ReportError, match=r"01-broken.ipynb: cell 2 failed: .*ZeroDivisionError"):
        run_report(tmp_path, html_dir=tmp_path / "html")
