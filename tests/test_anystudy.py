"""A kit for any study: study.yml, defaults from the study, templates, an installable wheel.

``tests/data/study_ana`` is a second study shaped unlike the sample: two adult-education
centres, three codes of its own (no ``kind: theme``), one coder ``ana``, no second coder, no
valence, no recommendations, CRLF line ends and an emoji before a coded span.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import plcase
from plcase import config
from plcase.errors import PlcaseError, PlcaseInputError
from plcase.study import Study

ROOT = Path(__file__).resolve().parents[1]
ANA = ROOT / "tests" / "data" / "study_ana"


def _git_status() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def ana():
    return plcase.read_study(ANA)


# --------------------------------------------------------------------------- study.yml and Study

def test_sample_study_yml_is_what_study_exposes(sample):
    assert sample.primary_coder == "coder_a"
    assert sample.reliability_coders == [("coder_a", "coder_b")]
    assert sample.case_column == "school"
    assert sample.valence_codes == ["glow", "grow"]
    assert sample.documents.loc[sample.documents["context"], "doc_id"].tolist() == ["CMS-D1"]
    assert "District office" not in sample.cases and len(sample.cases) == 3
    assert sample.recommendations_path.name == "recommendations.yml"


def test_second_study_defaults_are_inferred_from_its_data(ana):
    assert not (ANA / "study.yml").exists()
    assert ana.primary_coder == "ana"
    assert ana.reliability_coders == []
    assert ana.theme_codes == ["belonging", "feedback", "workload"]
    assert ana.valence_codes == []
    assert ana.cases == ["Harbour Adult Centre", "Riverside Learning Hub"]
    assert ana.recommendations_path is None


def test_second_study_keeps_every_coding_and_its_words(ana):
    raw = "".join((ANA / f).read_bytes().decode("utf-8") for f in sorted(os.listdir(ANA))
                  if f.endswith(".txt"))
    assert "\r\n" in raw
    # Every opening tag is one coding, and each coding's text is the words between its tags.
    assert len(ana.codings) == raw.count("{#")
    for row in ana.codings.itertuples():
        assert f"{{#{row.code}}}{row.text}{{/#{row.code}}}" in raw.replace("\r\n", "\n")
    first = ana.codings[ana.codings["doc_id"] == "HB-01"].iloc[0]
    assert ana.texts["HB-01"][first.start - 2:first.start] == "🙂 "
    assert first.text.startswith("The first evening")


def _two_coder_study(settings=None):
    docs = pd.DataFrame({"doc_id": ["d1", "d2", "d3"], "school": ["X", "X", "Y"]})
    texts = {d: "alpha beta gamma delta" for d in docs["doc_id"]}
    passages = pd.DataFrame({"passage_id": [f"{d}:1" for d in texts], "doc_id": list(texts),
                             "start": 0, "end": 22})
    codebook = pd.DataFrame({"code": ["a", "b"], "kind": ["theme", "theme"]})
    codings = pd.DataFrame({"doc_id": ["d1", "d2", "d3", "d1", "d1"], "start": 0, "end": 5,
                            "code": ["a", "a", "b", "b", "a"],
                            "coder": ["zoe", "zoe", "zoe", "yan", "auto:rules"],
                            "score": [None, None, None, None, 0.9]})
    return Study(documents=docs, passages=passages, codings=codings, codebook=codebook,
                 texts=texts, settings=settings or {})


def test_primary_coder_is_the_human_with_most_codings_and_pairs_share_documents():
    study = _two_coder_study()
    assert study.machine_coders == ["auto:rules"]
    assert study.primary_coder == "zoe"
    assert study.reliability_coders == [("zoe", "yan")]
    declared = _two_coder_study({"primary_coder": "yan", "reliability_coders": [("yan", "zoe")]})
    assert declared.primary_coder == "yan"
    assert plcase.theme_matrix(declared).attrs["coder"] == "yan"


def test_functions_default_to_the_studys_coder_and_codes(ana):
    matrix = plcase.theme_matrix(ana)
    assert matrix.attrs["coder"] == "ana"
    assert matrix.columns.tolist() == ["belonging", "feedback", "workload"]
    assert matrix.index.tolist() == ana.cases
    # Counted independently of plcase.matrix: coded passages per school and code.
    coded = ana.codings.merge(ana.documents[["doc_id", "school"]], on="doc_id")
    expected = coded.groupby(["school", "code"])["passage_id"].nunique().unstack(fill_value=0)
    assert (matrix.to_numpy() == expected.loc[matrix.index, matrix.columns].to_numpy()).all()
    X, y, classes = plcase.training_set(ana)
    assert classes == ana.theme_codes and int(y.sum()) == len(ana.codings)


def test_what_the_study_lacks_is_said_in_one_sentence(ana):
    with pytest.raises(PlcaseError, match="no second human coder"):
        plcase.human_agreement(ana)
    with pytest.raises(PlcaseError, match="two valence codes"):
        plcase.glow_grow(ana)
    with pytest.raises(PlcaseError, match="no recommendations file"):
        plcase.recommendations(ana)
    sentences = plcase.report.missing(ana, "second_coder", "valence", "recommendations")
    assert len(sentences) == 3
    assert all(s.count(". ") <= 2 and "add" in s.lower() for s in sentences)
    assert plcase.report.missing(ana, "two_cases", "codings") == []


def test_study_yml_errors_name_file_and_line(tmp_path):
    (tmp_path / "study.yml").write_text("name: x\nprimary_codr: ana\n", encoding="utf-8")
    with pytest.raises(PlcaseInputError, match=r"study.yml:2: unknown entry 'primary_codr'"):
        plcase.settings.read_settings(tmp_path)
    (tmp_path / "study.yml").write_text("reliability_coders: [ana]\n", encoding="utf-8")
    with pytest.raises(PlcaseInputError, match=r"study.yml:1: reliability_coders needs two coders"):
        plcase.settings.read_settings(tmp_path)


def test_context_must_name_known_documents(tmp_path):
    import shutil

    shutil.copytree(ANA, tmp_path / "s")
    (tmp_path / "s" / "study.yml").write_text("context: [NOPE-1]\n", encoding="utf-8")
    with pytest.raises(PlcaseInputError, match="context lists unknown document"):
        plcase.read_study(tmp_path / "s")


# --------------------------------------------------------------------------- findings from data

def test_findings_follow_the_data(sample):
    share = plcase.theme_matrix(sample, measure="share")
    sentence = plcase.findings.largest_shares(share, rows=sample.cases)
    for case in sample.cases:
        assert f"{case} " in sentence and f"{share.loc[case].idxmax()} (" in sentence
    assert "District office" not in sentence


# --------------------------------------------------------------------------- init, wheel, report

def test_init_makes_a_study_folder_and_refuses_to_overwrite(tmp_path):
    folder = plcase.scaffold.init_study(tmp_path / "new")
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "codebook.yml", "notebooks",
                                                        "study.yml"]
    assert [p.name for p in (folder / "notebooks").glob("*.ipynb")]
    codebook = plcase.read_codebook(folder / "codebook.yml")
    assert codebook["code"].tolist() == ["example_theme"]
    assert plcase.settings.read_settings(folder)["name"] == "new"
    with pytest.raises(PlcaseError, match="never overwrites"):
        plcase.scaffold.init_study(folder)
    sample_based = plcase.scaffold.init_study(tmp_path / "cms", from_sample=True)
    assert len(plcase.read_codebook(sample_based / "codebook.yml")) == len(config.SAMPLE_DIR.joinpath(
        "codebook.yml").read_text().split("- code:")) - 1


def test_installed_wheel_runs_init_and_the_whole_report_on_a_second_study(tmp_path):
    """Build the wheel, install it into a folder, and from elsewhere: read the sample, start a
    study with `plcase init`, add the second study's files and run the full report on it."""
    before = _git_status()
    wheels, target, work = tmp_path / "wheels", tmp_path / "site", tmp_path / "work"
    work.mkdir()
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(wheels), str(ROOT)], check=True, capture_output=True)
    wheel = next(wheels.glob("plcase-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(target)}
    for key in ("PLCASE_INTERVIEWS", "PLCASE_FIGURES", "PLCASE_TABLES", "PLCASE_REPORTS"):
        env.pop(key, None)

    def run(*args):
        return subprocess.run([sys.executable, *args], cwd=work, env=env, capture_output=True,
                              text=True)

    probe = run("-c", "import plcase; s = plcase.read_sample(); "
                      "print(plcase.__file__); print(s.folder); print(len(s.documents)); "
                      "print(plcase.config.PROJECT_ROOT)")
    assert probe.returncode == 0, probe.stderr
    module, folder, n_docs, project_root = probe.stdout.split()
    assert module.startswith(str(target)) and folder.startswith(str(target))
    assert int(n_docs) == 19 and project_root == "None"

    cli = ("-c", "import sys, plcase.cli; sys.exit(plcase.cli.main())")
    made = run(*cli, "init", "my-study")
    assert made.returncode == 0, made.stderr
    study = work / "my-study"
    for file in ANA.iterdir():
        (study / file.name).write_bytes(file.read_bytes())
    report = run(*cli, "report", "my-study")
    assert report.returncode == 0, report.stdout + report.stderr
    out = study / "reports"
    notebooks = sorted(p.name for p in (study / "notebooks").glob("*.ipynb"))
    # plcase init copies every report notebook of the package; the report executes each.
    assert notebooks == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert sorted(p.name for p in out.glob("*.ipynb")) == notebooks
    assert len(list(out.glob("*.html"))) == len(notebooks)
    assert {p.stem for p in (out / "figures").glob("*.png")} >= {
        "crosscase-theme-share", "crosscase-role-bars", "crosscase-cooccurrence", "crosscase-saturation"}
    assert {p.stem for p in (out / "tables").glob("*.csv")} >= {
        "crosscase-theme-share", "crosscase-theme-passages", "crosscase-framework"}
    # The sample's CMS figures and the sections this study lacks are skipped, with the reason.
    assert not (out / "figures" / "00-rollout.png").exists()
    text = "".join(p.read_text(encoding="utf-8") for p in out.glob("*.ipynb"))
    assert "one human coder (ana)" in text and "no valence codes" in text
    assert "no recommendations file" in text and "Harbour Adult Centre" in text
    # The study's templates are untouched and the repository is unchanged.
    for name in notebooks:
        shipped = target / "plcase" / "_bundled" / "notebooks" / name
        assert (study / "notebooks" / name).read_bytes() == shipped.read_bytes()
    assert _git_status() == before
