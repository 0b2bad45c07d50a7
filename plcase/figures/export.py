"""Write figures and tables for publication, byte-identical from run to run.

:func:`save_figure` strips what would make two exports of the same figure
differ (creation dates, the software string, random SVG ids), so figures can
live in version control and a changed file means a changed figure.
:func:`save_table` writes a frame as CSV (for re-analysis), Markdown (for
notes and READMEs) and LaTeX (for the paper).

Examples
--------
>>> import tempfile
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots()
>>> with tempfile.TemporaryDirectory() as tmp:
...     [p.name for p in save_figure(fig, "demo", formats=("png",), directory=tmp)]
['demo.png']
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd

from plcase import config
from plcase.errors import PlcaseError
from plcase.figures._style import RC_PARAMS

__all__ = ["FIGURE_FORMATS", "save_figure", "save_table", "markdown_table"]

FIGURE_FORMATS = ("png", "svg", "pdf")

# Keys set to None are left out of the file: dates and versions would make every
# export differ from the last one.
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}


def _check_name(name: str) -> str:
    if not name or Path(name).name != name or name in (".", ".."):
        raise PlcaseError(f"figure or table name {name!r} must be a plain file name without "
                          "folders; pass directory= to choose where it goes")
    return name


def save_figure(fig, name: str, formats=FIGURE_FORMATS, dpi: int = 300,
                directory: str | Path | None = None, table: pd.DataFrame | None = None) -> list[Path]:
    """Save a figure as PNG, SVG and PDF, byte-identical for the same figure.

    With ``table`` (the frame the figure draws) the same numbers are written
    beside the figure, as ``name.csv``, ``name.md`` and ``name.tex`` in the
    same folder (:func:`save_table`), so a reader can check every bar and cell.

    Parameters
    ----------
    fig : matplotlib Figure
    name : str
        File name without extension (``"theme-matrix"``).
    formats : sequence of {"png", "svg", "pdf"}
    dpi : int, default 300
        Resolution of the PNG.
    directory : str or Path, optional
        Defaults to :data:`plcase.config.FIGURES_DIR`; created if missing.
    table : DataFrame, optional
        The figure's numbers, written beside it.

    Returns
    -------
    list of Path
        The files written, in ``formats`` order, then the table's files.

    Examples
    --------
    >>> import tempfile
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     len(save_figure(fig, "empty", directory=tmp))
    3
    """
    _check_name(name)
    formats = (formats,) if isinstance(formats, str) else tuple(formats)
    unknown = [f for f in formats if f not in FIGURE_FORMATS]
    if unknown:
        raise PlcaseError(f"unknown figure format(s) {', '.join(repr(f) for f in unknown)}; "
                          f"choose from {', '.join(repr(f) for f in FIGURE_FORMATS)}")
    folder = Path(config.FIGURES_DIR if directory is None else directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    # A fixed hash salt gives the same SVG element ids every time.
    fixed = {k: RC_PARAMS[k] for k in ("svg.hashsalt", "svg.fonttype", "pdf.fonttype")}
    with mpl.rc_context(fixed):
        for fmt in formats:
            path = folder / f"{name}.{fmt}"
            fig.savefig(path, format=fmt, dpi=dpi, metadata=_METADATA[fmt],
                        bbox_inches="tight", pad_inches=0.03)
            written.append(path)
    if table is not None:
        written += save_table(table, name, directory=folder)
    return written


# --------------------------------------------------------------------------- tables

def _index_matters(frame: pd.DataFrame) -> bool:
    """Write the index when it carries labels (a matrix), not for a plain 0..n-1 range."""
    return not (isinstance(frame.index, pd.RangeIndex) and frame.index.name is None)


def _column_label(column) -> str:
    return " / ".join(str(c) for c in column) if isinstance(column, tuple) else str(column)


def _cell(value, digits: int) -> str:
    if isinstance(value, (float, np.floating)):
        return "" if np.isnan(value) else f"{value:.{digits}f}"
    if value is None or (not isinstance(value, (str, tuple, list)) and pd.isna(value)):
        return ""
    return str(value)


def markdown_table(frame: pd.DataFrame, digits: int = 3) -> str:
    """A GitHub-flavoured Markdown pipe table, without the ``tabulate`` dependency.

    Numbers are right-aligned, floats shown with ``digits`` decimals, NaN as
    an empty cell; ``|`` is escaped and line breaks become ``<br>``.

    Examples
    --------
    >>> print(markdown_table(pd.DataFrame({"code": ["glow"], "n": [3]})))
    | code | n |
    | :--- | ---: |
    | glow | 3 |
    """
    frame = frame.reset_index() if _index_matters(frame) else frame
    headers = [_column_label(c) for c in frame.columns]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
               for c in frame.columns]

    def clean(text: str) -> str:
        return text.replace("|", r"\|").replace("\r\n", "\n").replace("\n", "<br>")

    lines = ["| " + " | ".join(clean(h) for h in headers) + " |",
             "| " + " | ".join("---:" if n else ":---" for n in numeric) + " |"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(clean(_cell(v, digits)) for v in row) + " |")
    return "\n".join(lines)


def save_table(df: pd.DataFrame, name: str, directory: str | Path | None = None,
               digits: int = 3) -> list[Path]:
    """Write a table as CSV, Markdown and LaTeX.

    The index is written when it carries labels (a matrix's groups) and
    left out when it is a plain row number.  CSV keeps full precision; the
    Markdown and LaTeX tables show floats with ``digits`` decimals and NaN as
    an empty cell.  LaTeX special characters (``_``, ``%``, ``&``) are escaped.

    Parameters
    ----------
    df : DataFrame
    name : str
        File name without extension.
    directory : str or Path, optional
        Defaults to :data:`plcase.config.TABLES_DIR`; created if missing.
    digits : int, default 3

    Returns
    -------
    list of Path
        ``name.csv``, ``name.md``, ``name.tex``.

    Examples
    --------
    >>> import tempfile
    >>> frame = pd.DataFrame({"code": ["embedded_pd"], "share": [0.4]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = save_table(frame, "shares", directory=tmp)
    ...     "embedded\\\\_pd" in paths[2].read_text()
    True
    """
    _check_name(name)
    folder = Path(config.TABLES_DIR if directory is None else directory)
    folder.mkdir(parents=True, exist_ok=True)
    keep_index = _index_matters(df)
    csv, md, tex = (folder / f"{name}.{ext}" for ext in ("csv", "md", "tex"))
    df.to_csv(csv, index=keep_index, lineterminator="\n")
    md.write_text(markdown_table(df, digits=digits) + "\n", encoding="utf-8", newline="\n")
    printable = df.copy()
    for col in printable.columns:
        if printable[col].dtype == object:
            printable[col] = printable[col].map(lambda v: v.replace("\n", " ")
                                                if isinstance(v, str) else v)
    latex = printable.to_latex(index=keep_index, escape=True, na_rep="",
                               float_format=lambda v: f"{v:.{digits}f}")
    tex.write_text(latex, encoding="utf-8", newline="\n")
    return [csv, md, tex]
