"""Execute the notebooks in order: the reproducible report behind ``make report``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from plcase import config
from plcase.errors import PlcaseError

__all__ = ["notebook_paths", "run_notebook", "run_report", "ReportError"]


class ReportError(PlcaseError):
    """A notebook failed; the message names the notebook and the cell."""


def notebook_paths(directory: str | Path | None = None) -> list[Path]:
    """The report's notebooks, in execution order (by file name: 00-…, 01-…)."""
    directory = Path(directory or config.NOTEBOOKS_DIR)
    return sorted(p for p in directory.glob("[0-9][0-9]-*.ipynb"))


def run_notebook(path: str | Path, *, timeout: int = 600, html_dir: str | Path | None = None) -> Path:
    """Execute one notebook in place (outputs stored), optionally render it to HTML.

    Execution is made repeatable: no timing metadata is recorded and the
    notebook is written with sorted keys, so running twice gives the same bytes.

    Raises
    ------
    ReportError
        Naming the notebook, the cell number and the error, if a cell fails.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    # The kernel's start-up chatter (a TCP notice) would bury the progress lines.
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as exc:
        index = next((i for i, c in enumerate(nb.cells) if c.get("cell_type") == "code"
                      and any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        where = f"cell {index + 1}" if index is not None else "a cell"
        first = str(exc).strip().splitlines()
        raise ReportError(f"{path.name}: {where} failed: {first[-1] if first else exc}") from None
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
    nbformat.write(nb, path)
    if html_dir is not None:
        from nbconvert import HTMLExporter

        html_dir = Path(html_dir)
        html_dir.mkdir(parents=True, exist_ok=True)
        body, _ = HTMLExporter().from_notebook_node(nb)
        (html_dir / path.with_suffix(".html").name).write_text(body, encoding="utf-8")
    return path


def run_report(directory: str | Path | None = None, *, html_dir: str | Path | None = None,
               progress: Callable[[str], None] | None = None) -> list[Path]:
    """Execute every report notebook in order, writing HTML to ``reports/``.

    Parameters
    ----------
    directory : path, optional
        Folder of notebooks (default ``config.NOTEBOOKS_DIR``).
    html_dir : path, optional
        Where HTML renderings go (default ``config.REPORTS_DIR``).
    progress : callable, optional
        Called with one line per notebook (the CLI prints them).
    """
    paths = notebook_paths(directory)
    html_dir = Path(html_dir or config.REPORTS_DIR)
    for number, path in enumerate(paths, start=1):
        if progress:
            progress(f"[{number}/{len(paths)}] {path.name}")
        run_notebook(path, html_dir=html_dir)
    return paths


if __name__ == "__main__":  # pragma: no cover
    run_report(progress=lambda line: print(line, file=sys.stderr))
