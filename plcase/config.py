"""Project paths and fixed settings, in one place (cookiecutter-data-science style).

Every notebook and script takes its paths from here, so pointing the whole
analysis at another study is one setting.  Nothing here assumes a clone of the
repository: an installed wheel carries the sample study and the report
notebooks as package data, and a researcher's own study folder is found from
the environment or the working directory.

* ``INTERVIEWS_DIR``, the study the notebooks analyse: the ``PLCASE_INTERVIEWS``
  environment variable, else the study folder the working directory belongs to
  (a folder holding ``study.yml``: the working directory or its parent, which is
  where a notebook of ``plcase init FOLDER`` runs), else the bundled sample.
* ``FIGURES_DIR``, ``TABLES_DIR``: ``PLCASE_FIGURES`` / ``PLCASE_TABLES``, else
  ``figures/`` and ``tables/`` of the study folder found above, else of the
  repository (a clone), else of the working directory.

Examples
--------
>>> from plcase import config
>>> (config.SAMPLE_DIR / "codebook.yml").is_file()
True
>>> sorted(p.name for p in config.NOTEBOOKS_DIR.glob("0*.ipynb"))[0]
'00-context.ipynb'
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent

#: The repository root when plcase runs from a clone (editable install), else None.
PROJECT_ROOT: Path | None = _PACKAGE.parent if (_PACKAGE.parent / "pyproject.toml").is_file() \
    and (_PACKAGE.parent / "interviews").is_dir() else None


def _bundled(name: str) -> Path:
    """A folder shipped with plcase: the repository's in a clone, the wheel's copy otherwise."""
    if PROJECT_ROOT is not None:
        return PROJECT_ROOT / name
    return _PACKAGE / "_bundled" / name


def find_study_folder(start: str | Path | None = None) -> Path | None:
    """The study folder ``start`` (default: the working directory) belongs to, if any.

    A study folder holds ``study.yml``; a notebook of ``plcase init FOLDER`` runs in
    ``FOLDER/notebooks``, so the parent is looked at too.
    """
    start = Path.cwd() if start is None else Path(start)
    for folder in (start, start.parent):
        if (folder / "study.yml").is_file() and not _is_bundled(folder):
            return folder.resolve()
    return None


def _is_bundled(folder: Path) -> bool:
    return folder.resolve() == _bundled("interviews").resolve()


#: The bundled synthetic sample study.
SAMPLE_DIR = _bundled("interviews")

#: The report notebooks shipped with plcase (templates: they run on any study).
NOTEBOOKS_DIR = _bundled("notebooks")

_OWN_STUDY = find_study_folder()

#: The study the notebooks analyse: PLCASE_INTERVIEWS, the study folder of the working
#: directory, or the sample.
INTERVIEWS_DIR = Path(os.environ.get("PLCASE_INTERVIEWS") or _OWN_STUDY or SAMPLE_DIR).resolve()

#: Where outputs go when nothing else is said: the own study folder, the clone, or the cwd.
OUTPUT_ROOT = _OWN_STUDY or PROJECT_ROOT or Path.cwd()

FIGURES_DIR = Path(os.environ.get("PLCASE_FIGURES") or OUTPUT_ROOT / "figures")
TABLES_DIR = Path(os.environ.get("PLCASE_TABLES") or OUTPUT_ROOT / "tables")
REPORTS_DIR = Path(os.environ.get("PLCASE_REPORTS") or OUTPUT_ROOT / "reports")

#: One seed for every random step (cross-validation folds, bootstrap, models).
RANDOM_STATE = 2017

#: Hand-labelled passages in fresh wording for the sample's themes (a clone only: test data).
UNSEEN_PASSAGES: Path | None = (PROJECT_ROOT / "tests" / "data" / "unseen_passages.csv"
                                if PROJECT_ROOT is not None else None)

#: Where :func:`plcase.embedding.encode` keeps sentence embeddings (one small file
#: per model and text; safe to delete): ``PLCASE_CACHE`` if set, else
#: ``$XDG_CACHE_HOME/plcase`` or ``~/.cache/plcase``, always in an ``embeddings`` folder.
EMBEDDING_CACHE_DIR = Path(
    os.environ.get("PLCASE_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "plcase"
).expanduser() / "embeddings"
