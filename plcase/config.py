"""Project paths and fixed settings, in one place (cookiecutter-data-science style).

Every notebook and script takes its paths from here, so pointing the whole
analysis at another study is one setting: the ``PLCASE_INTERVIEWS`` environment
variable (a folder of transcripts, ``codebook.yml`` and optional ``codings.csv``).

Examples
--------
>>> from plcase import config
>>> config.PROJECT_ROOT.joinpath("plcase").is_dir()
True
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

#: The bundled synthetic sample study.
SAMPLE_DIR = PROJECT_ROOT / "interviews"

#: The study the notebooks analyse: the sample unless PLCASE_INTERVIEWS says otherwise.
INTERVIEWS_DIR = Path(os.environ.get("PLCASE_INTERVIEWS", SAMPLE_DIR)).resolve()

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
FIGURES_DIR = Path(os.environ.get("PLCASE_FIGURES", PROJECT_ROOT / "figures"))
TABLES_DIR = Path(os.environ.get("PLCASE_TABLES", PROJECT_ROOT / "tables"))
REPORTS_DIR = Path(os.environ.get("PLCASE_REPORTS", PROJECT_ROOT / "reports"))

#: One seed for every random step (cross-validation folds, bootstrap, models).
RANDOM_STATE = 2017

#: The human coder whose codes train the models and anchor machine-human agreement.
PRIMARY_CODER = "coder_a"
#: The second human coder of the double-coded documents.
SECOND_CODER = "coder_b"

#: Where :func:`plcase.embedding.encode` keeps sentence embeddings (one small file
#: per model and text; safe to delete): ``PLCASE_CACHE`` if set, else
#: ``$XDG_CACHE_HOME/plcase`` or ``~/.cache/plcase``, always in an ``embeddings`` folder.
EMBEDDING_CACHE_DIR = Path(
    os.environ.get("PLCASE_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "plcase"
).expanduser() / "embeddings"
