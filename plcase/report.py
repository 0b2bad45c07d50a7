"""The report: the notebooks executed on a study, written to an output folder.

The notebooks shipped with plcase are templates (papermill style): executing
them never edits them.  :func:`run_report` copies each into the output folder
(``reports/`` by default), runs it there on the chosen study and writes the
executed notebook and its HTML rendering, with ``figures/`` and ``tables/``
beside them.  ``in_place=True`` is the developer's command that refreshes the
committed sample notebooks (``make notebooks``).

Notebooks stay thin on any study: a section that needs what the study lacks
starts with :func:`requires`, which shows one sentence saying what is missing
and how to add it, and the section's cells are passed over.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from plcase import config
from plcase.errors import PlcaseError
from plcase.hierarchy import code_depth

__all__ = ["notebook_paths", "run_notebook", "run_report", "ReportError", "requires",
           "missing", "NEEDS", "study_folder"]


class ReportError(PlcaseError):
    """A notebook failed; the message names the notebook and the cell."""


# --------------------------------------------------------------------------- what a section needs

def _second_coder(study) -> str | None:
    if study.reliability_coders:
        return None
    who = study.primary_coder or "one coder"
    return (f"This study has one human coder ({who}), so there is no agreement to measure. "
            f"To add it, have a second coder code some of the same documents and put those codes "
            f"in codings.csv (columns doc_id,start,end,code,coder), or name the pair in study.yml "
            f"as reliability_coders: [{who}, second_coder].")


def _valence(study) -> str | None:
    if len(study.valence_codes) == 2:
        return None
    return ("This study has no valence codes, so there are no glows and grows to count. To add "
            "them, define two codes of kind: valence in codebook.yml (what works, then what is "
            "a challenge) and apply them together with a theme, or name them in study.yml as "
            "valence: [glow, grow].")


def _recommendations(study) -> str | None:
    if study.recommendations_path is not None:
        return None
    return ("This study has no recommendations file, so there is nothing to grade. To add one, "
            "write recommendations.yml in the study folder (each recommendation with an id, its "
            "wording and the codes that bear on it; see the sample study's).")


def _two_cases(study) -> str | None:
    if len(study.cases) >= 2:
        return None
    return (f"This study has {len(study.cases)} case(s) in the column {study.case_column!r}, so "
            f"there is nothing to compare across cases. To add one, give documents of another case "
            f"their own {study.case_column!r} value in the front matter (or set case_column in "
            f"study.yml to the column that names the cases).")


def _codings(study) -> str | None:
    primary = study.primary_coder
    coded = study.codings[study.codings["coder"] == primary] if primary else study.codings.iloc[:0]
    if coded["code"].isin(study.theme_codes).any() and coded["doc_id"].nunique() >= 2:
        return None
    return ("This study has fewer than two documents coded with its themes, so there is nothing "
            "to learn from yet. To add codes, tag passages inline ({#code}...{/#code}) or list "
            "them in codings.csv, then run the report again.")


def _cms_context(study) -> str | None:
    if study.settings.get("context_dataset") == "cms":
        return None
    return ("No background data set is declared for this study (the CMS roll-out belongs to the "
            "sample study only); describe your study's setting in your write-up, or set "
            "context_dataset: cms in study.yml to show the bundled CMS context.")


def _labelled_passages(study) -> str | None:
    if study.settings.get("context_dataset") == "cms" and config.UNSEEN_PASSAGES is not None:
        return None
    return ("No hand-labelled test passages come with this study (the bundled ones are written "
            "for the sample's codes, in a clone of the repository); score a tagger on your own "
            "labelled passages with plcase.score_labelled_texts(tagger, frame).")


def _code_tree(study) -> str | None:
    depth = code_depth(study.codebook)
    if not depth.empty and depth.max() >= 3:
        return None
    return (f"This study's code tree is {int(depth.max()) if not depth.empty else 0} level(s) deep, "
            f"so its categories are its codes and there is nothing to roll up. A codebook with "
            f"categories, codes and sub-codes (parent: in codebook.yml, or a nested code tree "
            f"from NVivo, ATLAS.ti or MAXQDA) gets a matrix of its second level here.")


#: What a section may need, and the function that says (in one sentence) what is missing.
NEEDS: dict[str, Callable] = {
    "codings": _codings,
    "second_coder": _second_coder,
    "valence": _valence,
    "recommendations": _recommendations,
    "two_cases": _two_cases,
    "cms_context": _cms_context,
    "labelled_passages": _labelled_passages,
    "code_tree": _code_tree,
}


def missing(study, *needs: str) -> list[str]:
    """One sentence for each of ``needs`` the study lacks (empty when it has them all).

    Examples
    --------
    >>> import plcase
    >>> missing(plcase.read_sample(), "second_coder", "valence", "recommendations", "two_cases")
    []
    """
    unknown = [n for n in needs if n not in NEEDS]
    if unknown:
        raise PlcaseError(f"unknown need(s) {unknown}; choose from {sorted(NEEDS)}")
    return [sentence for need in needs if (sentence := NEEDS[need](study))]


class Missing(str):
    """What a section lacks, shown as plain text (no quotes) in a notebook."""

    def __repr__(self) -> str:
        return str(self)

    def _repr_markdown_(self) -> str:
        return f"**Skipped.** {self}"


_SKIP = {"active": False}


def requires(study, *needs: str) -> Missing | None:
    """Start a notebook section that needs ``needs``; say what is missing, if anything.

    Returns None when the study has everything (the notebook shows nothing).
    Otherwise returns one sentence per missing need and, inside a notebook,
    passes over the section's cells: every following code cell is left
    unexecuted until the next cell that calls ``requires`` (which every
    section of the shipped notebooks starts with).  The notebook runs to the end.

    Examples
    --------
    >>> import plcase
    >>> requires(plcase.read_sample(), "second_coder") is None
    True
    """
    sentences = missing(study, *needs)
    _SKIP["active"] = bool(sentences)
    _install_skipper()
    return Missing(" ".join(sentences)) if sentences else None


def _skip_cell(lines: list[str]) -> list[str]:
    """IPython input transformer: an empty cell while a section is being passed over."""
    if _SKIP["active"] and not any("requires(" in line for line in lines):
        return []
    return lines


def _install_skipper() -> None:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return
    shell = get_ipython()
    if shell is not None and _skip_cell not in shell.input_transformers_post:
        shell.input_transformers_post.append(_skip_cell)


# --------------------------------------------------------------------------- running notebooks

def notebook_paths(directory: str | Path | None = None) -> list[Path]:
    """The report's notebooks, in execution order (by file name: 00-…, 01-…).

    Raises
    ------
    ReportError
        If the folder does not exist or holds no numbered notebook.
    """
    directory = Path(directory or config.NOTEBOOKS_DIR)
    if not directory.is_dir():
        raise ReportError(f"{directory}: no such folder of notebooks")
    paths = sorted(p for p in directory.glob("[0-9][0-9]-*.ipynb"))
    if not paths:
        raise ReportError(f"{directory}: no notebooks named like 00-name.ipynb to run")
    return paths


@contextlib.contextmanager
def _environment(**values: str | Path):
    """Set environment variables for the kernels started inside the block."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update({k: str(v) for k, v in values.items()})
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


#: Seconds one cell may run before the report stops with an error (a hang, not a slow step):
#: ``PLCASE_CELL_TIMEOUT`` if set.  The tagger comparisons of a study of a few thousand
#: passages take minutes per cell on a busy two-core machine.
CELL_TIMEOUT = int(os.environ.get("PLCASE_CELL_TIMEOUT") or 1800)


def run_notebook(path: str | Path, *, timeout: int | None = None,
                 html_dir: str | Path | None = None, output: str | Path | None = None) -> Path:
    """Execute one notebook, write it executed (to ``output``, default in place), maybe to HTML.

    ``timeout`` is the most seconds one cell may take (default ``CELL_TIMEOUT``).

    Execution is made repeatable: no timing metadata is recorded and the
    notebook is written with sorted keys, so running twice gives the same bytes.
    The kernel runs in the folder the notebook is written to.

    Raises
    ------
    ReportError
        Naming the notebook, the cell number and the error, if a cell fails.
    """
    path = Path(path)
    target = Path(output) if output is not None else path
    nb = nbformat.read(path, as_version=4)
    # The kernel's start-up chatter (a TCP notice) would bury the progress lines.
    client = NotebookClient(nb, timeout=timeout or CELL_TIMEOUT, kernel_name="python3",
                            record_timing=False,
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(target.parent)}})
    try:
        client.execute()
    except CellExecutionError as exc:
        index = next((i for i, c in enumerate(nb.cells) if c.get("cell_type") == "code"
                      and any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        where = f"cell {index + 1}" if index is not None else "a cell"
        first = [line for line in _plain(str(exc)).strip().splitlines() if line.strip()]
        raise ReportError(f"{path.name}: {where} failed: {first[-1] if first else exc}") from None
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
    nbformat.write(nb, target)
    if html_dir is not None:
        from nbconvert import HTMLExporter

        html_dir = Path(html_dir)
        html_dir.mkdir(parents=True, exist_ok=True)
        body, _ = HTMLExporter().from_notebook_node(nb)
        (html_dir / target.with_suffix(".html").name).write_text(body, encoding="utf-8")
    return target


def _plain(text: str) -> str:
    """Text without terminal colour codes (IPython colours its tracebacks)."""
    import re

    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def study_folder(folder: str | Path | None = None) -> Path:
    """The study a report runs on: ``folder``, else the one the working directory belongs to
    (it holds ``study.yml``), else ``config.INTERVIEWS_DIR`` (the sample unless
    ``PLCASE_INTERVIEWS`` says otherwise)."""
    if folder is not None:
        path = Path(folder)
        if path.is_file():
            raise ReportError(f"{path}: this is a file; give the study folder that holds it")
        if not path.is_dir():
            raise ReportError(f"{path}: no such study folder")
        return path.resolve()
    return config.find_study_folder() or config.INTERVIEWS_DIR


def _writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".plcase-write-test"
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        raise ReportError(f"cannot write the report to {folder}: {exc.strerror or exc}; "
                          f"give a folder you can write to with --output") from None


def run_report(study: str | Path | None = None, *, output: str | Path | None = None,
               notebooks: str | Path | None = None, in_place: bool = False,
               progress: Callable[[str], None] | None = None) -> list[Path]:
    """Execute every report notebook in order on a study; return the executed notebooks.

    Parameters
    ----------
    study : path, optional
        The study folder (see :func:`study_folder`).
    output : path, optional
        Where the executed notebooks, their HTML and ``figures/``, ``tables/``
        go. Default ``reports/`` in the study's own folder, or
        ``config.REPORTS_DIR`` for the bundled sample.
    notebooks : path, optional
        Folder of notebooks: default the study's ``notebooks/`` if it has one
        (``plcase init`` puts them there), else the ones shipped with plcase.
    in_place : bool, default False
        Developer command: execute the notebooks where they are (storing their
        outputs) and write figures and tables to ``config.FIGURES_DIR`` and
        ``config.TABLES_DIR``; this is how the committed sample notebooks are
        refreshed.
    progress : callable, optional
        Called with one line per notebook (the CLI prints them).
    """
    folder = study_folder(study)
    if notebooks is None:
        own = folder / "notebooks"
        notebooks = own if own.is_dir() and any(own.glob("[0-9][0-9]-*.ipynb")) else config.NOTEBOOKS_DIR
    paths = notebook_paths(notebooks)
    if in_place:
        figures, tables, html_dir = config.FIGURES_DIR, config.TABLES_DIR, None
    else:
        if output is None:
            own_study = folder != Path(config.SAMPLE_DIR).resolve()
            output = folder / "reports" if own_study else config.REPORTS_DIR
        output = Path(output).resolve()
        _writable(output)
        figures, tables, html_dir = output / "figures", output / "tables", output
    done = []
    with _environment(PLCASE_INTERVIEWS=folder, PLCASE_FIGURES=figures, PLCASE_TABLES=tables):
        for number, path in enumerate(paths, start=1):
            if progress:
                progress(f"[{number}/{len(paths)}] {path.name}")
            target = None if in_place else output / path.name
            done.append(run_notebook(path, html_dir=html_dir, output=target))
    return done


def copy_notebooks(target: str | Path) -> list[Path]:
    """Copy the shipped report notebooks into ``target`` (used by ``plcase init``)."""
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for path in notebook_paths(config.NOTEBOOKS_DIR):
        shutil.copyfile(path, target / path.name)
        copied.append(target / path.name)
    return copied


if __name__ == "__main__":  # pragma: no cover
    run_report(progress=lambda line: print(line, file=sys.stderr))
