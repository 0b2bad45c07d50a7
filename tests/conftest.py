"""Shared fixtures: the sample study (read once) and a writer of small transcript folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

import plcase  # noqa: E402
from plcase import config  # noqa: E402

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def sample():
    """The bundled sample study."""
    return plcase.read_sample()


@pytest.fixture
def study_dir(tmp_path):
    """A copy of the sample study that a test may break."""
    target = tmp_path / "interviews"
    shutil.copytree(config.SAMPLE_DIR, target)
    return target


FRONT = """---
id: {id}
school: Test School
source: interview
role: teacher
participant: Ms. Test
date: 2017-03-01
coder: coder_a
synthetic: true
---
"""


@pytest.fixture
def write_doc(tmp_path):
    """Write a transcript (front matter + body) into a fresh study folder; return the folder."""
    folder = tmp_path / "study"
    folder.mkdir()
    shutil.copy(config.SAMPLE_DIR / "codebook.yml", folder / "codebook.yml")

    def write(body: str, doc_id: str = "T1", front: str | None = None, encoding="utf-8",
              raw: bytes | None = None) -> Path:
        path = folder / f"{doc_id}.txt"
        if raw is not None:
            path.write_bytes(raw)
        else:
            path.write_text((FRONT.format(id=doc_id) if front is None else front) + body,
                            encoding=encoding)
        return folder

    return write
