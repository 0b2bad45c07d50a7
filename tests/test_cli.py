"""The command line on the sample study and on a copy of it with one broken file."""

from __future__ import annotations

import pandas as pd
import pytest

from pathlib import Path

from plcase import config
from plcase.cli import build_parser, main

ANA = Path(__file__).resolve().parent / "data" / "study_ana"


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
    assert set(sub.choices) == {"init", "validate", "import", "tag", "matrix", "retrieve",
                                "codebook", "report"}
    for name, p in sub.choices.items():
        assert len(p.format_help()) > 300, name


def _entry_point(*args, cwd=None):
    """Run the installed `plcase` console script, as a researcher would."""
    import subprocess
    import sys

    script = Path(sys.executable).with_name("plcase")
    return subprocess.run([str(script), *args], capture_output=True, text=True, cwd=cwd)


def test_version_through_the_entry_point():
    import plcase

    done = _entry_point("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"plcase {plcase.__version__}"


def test_matrix_and_tag_default_to_the_studys_coder_and_codes(tmp_path):
    out = tmp_path / "m.csv"
    assert main(["matrix", str(ANA), "-o", str(out)]) == 0
    matrix = pd.read_csv(out, index_col=0)
    assert matrix.columns.tolist() == ["belonging", "feedback", "workload"]
    assert matrix.to_numpy().sum() > 0
    assert main(["matrix", str(ANA), "--codes", "feedback", "--measure", "passages",
                 "-o", str(out)]) == 0
    assert pd.read_csv(out, index_col=0).columns.tolist() == ["feedback"]
    tags = tmp_path / "t.csv"
    assert main(["tag", str(ANA), "--codes", "workload,feedback", "-o", str(tags)]) == 0
    assert set(pd.read_csv(tags)["code"]) <= {"workload", "feedback"}


def test_matrix_with_no_applied_codes_errors_and_writes_nothing(study_dir, tmp_path, capsys):
    out = tmp_path / "m.csv"
    assert main(["matrix", str(study_dir), "--codes", "glow", "--coder", "coder_b",
                 "-o", str(out)]) == 0
    # A theme list the coder never applied gives an error, not an empty file.
    (study_dir / "codebook.yml").open("a").write("  - code: unused_code\n    kind: theme\n")
    (study_dir / "study.yml").write_text("themes: [unused_code]\n", encoding="utf-8")
    out.unlink()
    assert main(["matrix", str(study_dir), "-o", str(out)]) == 1
    _, err = capsys.readouterr()
    assert "applied none of the codes ['unused_code']" in err and "--codes" in err
    assert not out.exists()


def test_report_on_missing_notebooks_fails(tmp_path, capsys):
    assert main(["report", "--notebooks", str(tmp_path / "nonexistent")]) == 1
    _, err = capsys.readouterr()
    assert "no such folder of notebooks" in err
    (tmp_path / "empty").mkdir()
    assert main(["report", "--notebooks", str(tmp_path / "empty")]) == 1


def test_unwritable_output_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = _entry_point("matrix", str(ANA), "-o", str(blocker / "m.csv"))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "cannot write" in done.stderr
    done = _entry_point("report", str(ANA), "--output", str(blocker / "out"))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "cannot write the report" in done.stderr
    assert "\x1b[" not in done.stderr


def test_validate_a_file_asks_for_the_folder(capsys):
    readme = config.SAMPLE_DIR / "README.md"
    assert main(["validate", str(readme)]) == 1
    out, _ = capsys.readouterr()
    assert "this is a file; validate wants the study folder" in out
    assert "no such study folder" not in out


def test_init_then_validate_through_the_entry_point(tmp_path):
    done = _entry_point("init", "study", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "study" / "study.yml").is_file()
    assert "plcase report study" in done.stderr
    again = _entry_point("init", "study", cwd=tmp_path)
    assert again.returncode == 1 and "never overwrites" in again.stderr
