"""The command line on the sample study and on a copy of it with one broken file."""

from __future__ import annotations

import pandas as pd
import pytest

from plcase import config
from plcase.cli import build_parser, main


def _break(study_dir):
    path = study_dir / "RR-T2.txt"
    text = path.read_text(encoding="utf-8")
    # Remove the first closing tag: the file now has a tag that is never closed.
    first_close = text.index("{/#")
    end = text.index("}", first_close) + 1
    path.write_text(text[:first_close] + text[end:], encoding="utf-8")
    return path


def test_validate_clean_sample(capsys):
    assert main(["validate", str(config.SAMPLE_DIR)]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "0 error(s)" in err


def test_validate_reports_file_line_and_keeps_checking(study_dir, capsys):
    _break(study_dir)
    (study_dir / "codings.csv").open("a").write("GO-T1,5,2,glow,coder_b,\n")
    assert main(["validate", str(study_dir)]) == 1
    out, _ = capsys.readouterr()
    lines = out.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{study_dir / 'RR-T2.txt'}:") and "never closed" in lines[0]
    assert lines[1].startswith(f"{study_dir / 'codings.csv'}:") and "outside document" in lines[1]


def test_matrix_writes_share_matrix(tmp_path):
    out = tmp_path / "matrix.csv"
    assert main(["matrix", str(config.SAMPLE_DIR), "--by", "school", "--measure", "share",
                 "-o", str(out)]) == 0
    matrix = pd.read_csv(out, index_col=0)
    assert "Grand Oak Elementary" in matrix.index and "embedded_pd" in matrix.columns
    assert ((matrix >= 0) & (matrix <= 1)).all().all()


@pytest.mark.parametrize("method", ["rules", "model"])
def test_tag_writes_machine_codings(tmp_path, method):
    out = tmp_path / "tags.csv"
    assert main(["tag", str(config.SAMPLE_DIR), "--method", method, "-o", str(out)]) == 0
    tags = pd.read_csv(out)
    assert set(tags["coder"]) == {f"auto:{method}"}
    assert len(tags) > 50 and (tags["end"] > tags["start"]).all()


@pytest.mark.parametrize("command", [["tag", "--method", "rules"], ["matrix"]])
def test_broken_file_gives_clear_error_and_writes_nothing(study_dir, tmp_path, capsys, command):
    _break(study_dir)
    out = tmp_path / "out.csv"
    assert main([command[0], str(study_dir), *command[1:], "-o", str(out)]) == 1
    _, err = capsys.readouterr()
    assert "RR-T2.txt:" in err and "never closed" in err
    assert not out.exists() and list(tmp_path.glob(".out.csv*")) == []


def test_every_command_has_help():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == {"validate", "import", "tag", "matrix", "retrieve", "codebook",
                                "report"}
    for name, p in sub.choices.items():
        assert len(p.format_help()) > 300, name
