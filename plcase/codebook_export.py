"""The codebook as a readable document (HTML or Word) to send to co-coders or put in an appendix.

:func:`codebook_outline` orders the codebook as its tree (each code followed by
its sub-codes, depth-first, in codebook order) and is the one place the order
is decided; :func:`codebook_html` and :func:`write_codebook_docx` only render it.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from plcase.errors import PlcaseError
from plcase.hierarchy import ancestors

__all__ = ["codebook_outline", "codebook_html", "write_codebook_html", "write_codebook_docx",
           "write_codebook", "FIELDS"]

#: The codebook columns shown for every code, with the heading a reader sees.
FIELDS = (("definition", "Definition"), ("include", "When to use"),
          ("exclude", "When not to use"), ("example", "Example"))


def codebook_outline(codebook: pd.DataFrame) -> pd.DataFrame:
    """The codebook in tree order, with each code's ``depth`` (1 = top) and ``path``.

    Parameters
    ----------
    codebook : DataFrame
        A codebook frame (``study.codebook``).

    Returns
    -------
    DataFrame
        The codebook's rows, each parent followed by its sub-codes
        (depth-first, siblings in codebook order), plus ``depth`` and
        ``path`` (labels from the top down, joined with `` › ``).

    Examples
    --------
    >>> cb = pd.DataFrame({"code": ["b1", "a", "b"], "label": ["B one", "A", "B"],
    ...                    "parent": ["b", None, None]})
    >>> codebook_outline(cb)[["code", "depth"]].values.tolist()
    [['a', 1], ['b', 1], ['b1', 2]]
    """
    paths = ancestors(codebook)  # raises on a loop
    children: dict[object, list[str]] = {}
    known = set(codebook["code"])
    for code, parent in zip(codebook["code"], codebook["parent"]):
        parent = parent if isinstance(parent, str) and parent in known else None
        children.setdefault(parent, []).append(code)
    order: list[str] = []

    def visit(code: str) -> None:
        order.append(code)
        for child in children.get(code, []):
            visit(child)

    for top in children.get(None, []):
        visit(top)
    labels = {c: (lab if isinstance(lab, str) and lab.strip() else c)
              for c, lab in zip(codebook["code"], codebook.get("label", codebook["code"]))}
    out = codebook.set_index("code").loc[order].reset_index()
    out["depth"] = [len(paths[c]) for c in order]
    out["path"] = [" › ".join(labels[p] for p in paths[c]) for c in order]
    return out


def _label(row) -> str:
    label = row.get("label")
    return label if isinstance(label, str) and label.strip() else str(row["code"])


def _value(row, field: str) -> str | None:
    value = row.get(field)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    value = str(value).strip()
    return value or None


def codebook_html(codebook: pd.DataFrame, title: str = "Codebook") -> str:
    """The codebook as a standalone HTML page: contents as a nested list, then one section per code.

    Each code's section has its label and code name, its place in the tree,
    and its definition, when to use, when not to use and example.

    Examples
    --------
    >>> import plcase
    >>> page = codebook_html(plcase.read_sample().codebook, title="CMS codebook")
    >>> "<h1>CMS codebook</h1>" in page and "When not to use" in page
    True
    """
    outline = codebook_outline(codebook)
    esc = html.escape
    lines = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             f"<title>{esc(title)}</title>",
             "<style>body{font-family:sans-serif;max-width:50em;margin:auto;line-height:1.4}"
             "dt{font-weight:bold}section{margin-left:calc((var(--depth) - 1) * 1.5em)}"
             ".code{color:#555;font-family:monospace}</style>",
             "</head>", "<body>", f"<h1>{esc(title)}</h1>", '<nav><h2>Contents</h2>']
    depth = 0
    for row in outline.to_dict("records"):
        # Depth-first order: a deeper code opens a list inside its parent's open item.
        if row["depth"] > depth:
            lines.extend(["<ul>"] * (row["depth"] - depth))
        else:
            lines.append("</li>")
            lines.extend(["</ul></li>"] * (depth - row["depth"]))
        depth = row["depth"]
        lines.append(f'<li><a href="#code-{esc(str(row["code"]))}">{esc(_label(row))}</a>')
    if depth:
        lines.append("</li>")
        lines.extend(["</ul></li>"] * (depth - 1) + ["</ul>"])
    lines.append("</nav>")
    for row in outline.to_dict("records"):
        level = min(row["depth"] + 1, 6)
        lines.append(f'<section id="code-{esc(str(row["code"]))}" class="code-entry" '
                     f'data-depth="{row["depth"]}" style="--depth:{row["depth"]}">')
        lines.append(f'<h{level}>{esc(_label(row))} <span class="code">({esc(str(row["code"]))})'
                     f'</span></h{level}>')
        if row["depth"] > 1:
            lines.append(f"<p><em>{esc(row['path'])}</em></p>")
        lines.append("<dl>")
        for field, heading in FIELDS:
            value = _value(row, field)
            if value is not None:
                lines.append(f"<dt>{esc(heading)}</dt><dd>{esc(value)}</dd>")
        lines.append("</dl>")
        lines.append("</section>")
    lines.extend(["</body>", "</html>", ""])
    return "\n".join(lines)


def write_codebook_html(codebook: pd.DataFrame, path: str | Path, title: str = "Codebook") -> Path:
    """Write :func:`codebook_html` to ``path`` (UTF-8) and return the path."""
    path = Path(path)
    path.write_text(codebook_html(codebook, title=title), encoding="utf-8")
    return path


def write_codebook_docx(codebook: pd.DataFrame, path: str | Path, title: str = "Codebook") -> Path:
    """Write the codebook as a Word document: a heading per code, its level the code's depth.

    Parent codes come before their sub-codes, so Word's navigation pane shows
    the tree; every code has its definition, when to use, when not to use and
    example as labelled paragraphs.

    Examples
    --------
    >>> import tempfile, pathlib, plcase, docx
    >>> out = write_codebook_docx(plcase.read_sample().codebook,
    ...                           pathlib.Path(tempfile.mkdtemp()) / "codebook.docx")
    >>> docx.Document(out).paragraphs[0].text
    'Codebook'
    """
    import docx  # python-docx; a dependency of plcase

    path = Path(path)
    outline = codebook_outline(codebook)
    document = docx.Document()
    document.add_heading(title, level=0)
    for row in outline.to_dict("records"):
        document.add_heading(f"{_label(row)} ({row['code']})", level=min(int(row["depth"]), 9))
        if row["depth"] > 1:
            document.add_paragraph(row["path"]).runs[0].italic = True
        for field, heading in FIELDS:
            value = _value(row, field)
            if value is None:
                continue
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{heading}: ").bold = True
            paragraph.add_run(value)
    document.save(path)
    return path


def write_codebook(codebook: pd.DataFrame, path: str | Path, title: str = "Codebook") -> Path:
    """Write the codebook as HTML (``.html``/``.htm``) or Word (``.docx``), chosen by the suffix."""
    suffix = Path(path).suffix.lower()
    if suffix in (".html", ".htm"):
        return write_codebook_html(codebook, path, title=title)
    if suffix == ".docx":
        return write_codebook_docx(codebook, path, title=title)
    raise PlcaseError(f"cannot write a codebook as {Path(path).name!r}: give a file ending in "
                      ".docx (Word) or .html")
