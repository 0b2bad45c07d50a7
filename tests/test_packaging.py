"""The project's set-up: pyproject, environment.yml and the lock agree."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_mirrors_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    wanted |= {_name(r) for r in project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    assert conda == wanted
    pip_lists = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    pip = {_name(d) for d in sum(pip_lists, [])} - {"-e"}
    assert pip == {_name(r) for r in project["optional-dependencies"]["semantic"]}


def test_lock_pins_what_outputs_depend_on():
    lock = {}
    for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines():
        if "==" in line:
            name, version = line.split("==")
            lock[name.lower()] = version
    for name in ("pandas", "numpy", "scikit-learn", "matplotlib", "nltk", "jupyterlab", "nbval"):
        assert re.fullmatch(r"\d+(\.\d+)+", lock[name]), name
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    for requirement in project["dependencies"] + extras["test"] + extras["semantic"]:
        assert _name(requirement) in lock, f"{requirement} is not pinned in requirements/lock.txt"


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make report" in readme


def test_make_lab_passes_lab_args_to_jupyter():
    import subprocess

    done = subprocess.run(["make", "-n", "lab", "LAB_ARGS=--allow-root --no-browser --port 8899"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    lab = [line for line in done.stdout.splitlines() if "jupyter lab" in line]
    assert lab and lab[-1].endswith("--allow-root --no-browser --port 8899")


def test_wheel_maps_the_sample_and_notebooks_without_a_second_copy():
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]
    mapped = build["targets"]["wheel"]["force-include"]
    assert mapped == {"interviews": "plcase/_bundled/interviews",
                      "notebooks": "plcase/_bundled/notebooks"}
    assert not (ROOT / "plcase" / "_bundled").exists()
