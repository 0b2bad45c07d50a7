"""``plcase init``: start a study folder from the templates shipped with plcase."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from plcase import config
from plcase.errors import PlcaseError
from plcase.report import copy_notebooks, notebook_paths

__all__ = ["init_study"]


def init_study(folder: str | Path, *, from_sample: bool = False) -> Path:
    """Create a study folder: ``study.yml``, ``codebook.yml``, ``README.md`` and ``notebooks/``.

    Parameters
    ----------
    folder : str or Path
        The new study folder (created; it may exist but must not hold these files).
    from_sample : bool, default False
        Start from the sample study's codebook (and recommendations) instead of
        the blank template with one worked example code.

    Returns
    -------
    Path
        The folder.

    Raises
    ------
    PlcaseError
        If one of the files already exists (nothing is overwritten).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = init_study(pathlib.Path(tempfile.mkdtemp()) / "my-study")
    >>> sorted(p.name for p in folder.iterdir())
    ['README.md', 'codebook.yml', 'notebooks', 'study.yml']
    """
    folder = Path(folder)
    if folder.is_file():
        raise PlcaseError(f"{folder} is a file; give a folder name for the new study")
    planned = ["study.yml", "codebook.yml", "README.md"]
    planned += [f"notebooks/{p.name}" for p in notebook_paths(config.NOTEBOOKS_DIR)]
    if from_sample:
        planned.append("recommendations.yml")
    existing = [name for name in planned if (folder / name).exists()]
    if existing:
        raise PlcaseError(f"{folder} already holds {', '.join(existing)}; plcase init never "
                          f"overwrites files: choose a new folder or move them away")
    folder.mkdir(parents=True, exist_ok=True)
    name = folder.resolve().name
    templates = resources.files("plcase.templates")
    (folder / "study.yml").write_text(
        templates.joinpath("study.yml").read_text(encoding="utf-8").replace("{name}", name),
        encoding="utf-8")
    (folder / "README.md").write_text(
        templates.joinpath("README.md").read_text(encoding="utf-8").replace("{name}", name),
        encoding="utf-8")
    if from_sample:
        shutil.copyfile(config.SAMPLE_DIR / "codebook.yml", folder / "codebook.yml")
        shutil.copyfile(config.SAMPLE_DIR / "recommendations.yml", folder / "recommendations.yml")
    else:
        (folder / "codebook.yml").write_text(
            templates.joinpath("codebook.yml").read_text(encoding="utf-8"), encoding="utf-8")
    copy_notebooks(folder / "notebooks")
    return folder
