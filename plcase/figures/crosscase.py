"""Cross-case figures: theme matrices, co-occurrence, glows and grows, saturation, evidence.

Every function takes a frame computed by :mod:`plcase.matrix` or
:mod:`plcase.recommend` and ``ax=None``, draws with the shared plcase look
(:mod:`plcase.figures._style`: Okabe-Ito colours, the cividis map, type sized
for a journal column) and returns the Axes.  Nothing is shown or saved here;
use :func:`plcase.figures.export.save_figure`.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import plcase
>>> from plcase.matrix import theme_matrix
>>> ax = plot_theme_matrix(theme_matrix(plcase.read_sample(), measure="share"))
>>> ax.get_xlabel()
'Theme'
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb

from plcase.errors import PlcaseError
from plcase.figures._style import (COLUMN_WIDTH, GLOW_COLOUR, GROW_COLOUR, OKABE_ITO, PAGE_WIDTH,
                                   RC_PARAMS, SEQUENTIAL_CMAP, _ax, figure, theme_colour)

__all__ = ["figure", "plot_theme_matrix", "plot_grouped_bars", "plot_cooccurrence",
           "plot_glow_grow", "plot_saturation", "plot_recommendation_evidence"]

_MEASURE_LABELS = {
    "passages": "Coded passages",
    "share": "Share of passages",
    "informants": "Informants voicing the theme",
    "sources": "Source types (triangulation)",
    "per_1000_words": "Coded passages per 1,000 words",
    "count": "Passages with both codes",
    "jaccard": "Jaccard similarity",
    "conditional": "Share of the row code's passages\nthat also carry the column code",
    "per_passages": "Passages per 100 of the group's passages",
}
_LINESTYLES = ("-", "--", ":", "-.")
_MARKERS = ("o", "s", "^", "D", "v", "P")


def label(code, labels=None) -> str:
    """A code or group as printed on a figure: its codebook label, else underscores as spaces.

    Examples
    --------
    >>> label("whole_child_sel"), label("glow", {"glow": "Glow (working)"})
    ('whole child sel', 'Glow (working)')
    """
    if isinstance(code, tuple):
        return " · ".join(label(c, labels) for c in code if c != "")
    if labels and code in labels and isinstance(labels[code], str) and labels[code]:
        return labels[code]
    return str(code).replace("_", " ")


def _labels_of(frame: pd.DataFrame, labels) -> dict:
    """Code labels: the ``labels`` argument, else the frame's ``attrs['labels']`` (codebook)."""
    return dict(frame.attrs.get("labels") or {}) | dict(labels or {})


def _row_n(matrix: pd.DataFrame, row) -> str:
    """``n = 142 passages · 10 informants`` for a matrix row, from its ``attrs``."""
    passages = (matrix.attrs.get("n_passages") or {}).get(row)
    informants = (matrix.attrs.get("n_informants") or {}).get(row)
    if passages is None:
        return ""
    text = f"n = {passages} passages"
    return text + (f" · {informants} informants" if informants is not None else "")


def _row_label(matrix: pd.DataFrame, row, labels=None) -> str:
    n = _row_n(matrix, row)
    return label(row, labels) + (f"\n{n}" if n else "")


def _mark_context_rows(ax, matrix: pd.DataFrame) -> None:
    """A rule above the first context row, so context reads apart from the cases."""
    context = set(matrix.attrs.get("context") or [])
    firsts = [i for i, r in enumerate(matrix.index)
              if (r[0] if isinstance(r, tuple) else r) in context]
    if firsts:
        ax.axhline(firsts[0] - 0.5, color="white", linewidth=3)


def _wrap(text: str, width: int = 14) -> str:
    words, lines, line = str(text).split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)


def _format(measure: str | None):
    if measure == "share":
        return "{:.0%}".format
    if measure == "conditional":
        return "{:.0%}".format
    if measure in ("per_1000_words", "jaccard"):
        return "{:.2f}".format
    return lambda v: f"{v:.0f}"


def _readable_on(rgba) -> str:
    """Black or white, whichever reads better on a cell of this colour."""
    r, g, b = to_rgb(rgba)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def _heatmap(values: np.ndarray, rows, columns, ax, *, measure, annotate, cmap, colorbar,
             fmt, labels=None, row_labels=None, **kwargs):
    masked = np.ma.masked_invalid(values)
    finite = values[np.isfinite(values)]
    vmax = kwargs.pop("vmax", finite.max() if finite.size and finite.max() > 0 else 1)
    vmin = kwargs.pop("vmin", 0)
    image = ax.imshow(masked, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto", **kwargs)
    # Slanted labels: theme names are wider than a cell at column width.
    ax.set_xticks(range(len(columns)), [_wrap(label(c, labels), 22) for c in columns],
                  rotation=30, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(len(rows)), row_labels or [label(r) for r in rows])
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    if annotate:
        fmt = fmt or _format(measure)
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                if np.isfinite(values[i, j]):
                    ax.text(j, i, fmt(values[i, j]), ha="center", va="center",
                            color=_readable_on(image.cmap(image.norm(values[i, j]))))
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax, shrink=0.85, pad=0.02)
        bar.set_label(_MEASURE_LABELS.get(measure, measure or ""))
        bar.outline.set_visible(False)
        if measure in ("share", "conditional"):
            bar.ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
        elif measure in (None, "passages", "informants", "sources", "count"):
            bar.ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    return image


def plot_theme_matrix(matrix: pd.DataFrame, *, ax=None, annotate: bool = True,
                      cmap: str = SEQUENTIAL_CMAP, colorbar: bool = True, fmt=None,
                      labels=None, **kwargs):
    """Annotated heatmap of a groups × codes matrix from :func:`plcase.matrix.theme_matrix`.

    Columns are named by the codebook's labels (``attrs['labels']`` or
    ``labels``); each row says its n (passages and informants, from
    ``attrs``); context rows (``attrs['context']``) sit below a rule, apart
    from the cases.

    Parameters
    ----------
    matrix : DataFrame
        Rows are groups, columns codes; ``attrs["measure"]`` picks the number format.
    labels : dict, optional
        Code -> printed label, over the matrix's own ``attrs['labels']``.
    ax : matplotlib Axes, optional
    annotate : bool, default True
        Write each cell's value on it, in black or white for contrast.
    cmap : str, default cividis (colour-blind safe, greyscale-monotone)
    colorbar : bool, default True
    fmt : callable, optional
        Formats a cell value; default from the measure (``share`` as percent).
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.imshow`.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame([[1, 2], [3, 0]], index=["A", "B"], columns=["glow", "grow"])
    >>> plot_theme_matrix(m).get_ylabel()
    ''
    """
    labels = _labels_of(matrix, labels)
    row_labels = [_row_label(matrix, r) for r in matrix.index]
    longest = max((len(line) for r in row_labels for line in r.split("\n")), default=0)
    # Long row labels (school · role) would squeeze the cells at column width.
    width = COLUMN_WIDTH if longest <= 22 else 1.5 * COLUMN_WIDTH
    per_row = 0.45 if any("\n" in r for r in row_labels) else 0.3
    ax = _ax(ax, width=width, height=0.45 + per_row * len(matrix) + 0.9)
    with mpl.rc_context(RC_PARAMS):
        measure = matrix.attrs.get("measure")
        _heatmap(matrix.to_numpy(dtype=float), list(matrix.index), list(matrix.columns), ax,
                 measure=measure, annotate=annotate, cmap=cmap, colorbar=colorbar, fmt=fmt,
                 labels=labels, row_labels=row_labels, **kwargs)
        _mark_context_rows(ax, matrix)
        ax.set_xlabel("Theme" if matrix.columns.name in (None, "code") else label(matrix.columns.name))
        ax.set_ylabel("" if matrix.index.nlevels == 1 and matrix.index.name in (None, "school")
                      else " · ".join(label(n) for n in matrix.index.names if n))
    return ax


#: Largest co-occurrence matrix whose cells :func:`plot_cooccurrence` writes numbers in
#: (beyond it the numbers could not be read, and drawing them takes minutes).
ANNOTATE_MAX_CODES = 30
#: Largest side of a co-occurrence heatmap, in inches: cells shrink beyond it.
MAX_HEATMAP_INCHES = 16.0


def plot_cooccurrence(matrix: pd.DataFrame, *, ax=None, annotate: bool | None = None,
                      lower: bool = True, diagonal: str = "apart", cmap: str = SEQUENTIAL_CMAP,
                      colorbar: bool = True, labels=None, **kwargs):
    """Heatmap of a code co-occurrence matrix from :func:`plcase.matrix.cooccurrence`.

    The diagonal (passages with the code at all) dwarfs every pair, so by
    default it is drawn apart: grey cells with their counts, outside the
    colour scale, which then spans the pairs only.  For a scale that is
    comparable across codes use ``cooccurrence(..., measure="jaccard")`` or
    ``"conditional"``.

    Parameters
    ----------
    matrix : DataFrame
        Codes × codes.
    annotate : bool, optional
        Write each cell's value in it; default when the matrix has at most
        ``ANNOTATE_MAX_CODES`` codes (the title then says the numbers are left
        out; the table holds them).
    lower : bool, default True
        Draw only the lower triangle and diagonal (the upper one repeats it);
        ignored for the asymmetric ``conditional`` measure.
    diagonal : {"apart", "scale", "hide"}, default "apart"
        Grey cells with their values, coloured like the pairs, or blank.
    labels : dict, optional
        Code -> printed label, over ``attrs['labels']``.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame([[40, 1], [1, 3]], index=["glow", "grow"], columns=["glow", "grow"])
    >>> [t.get_text() for t in plot_cooccurrence(m).texts]
    ['40', '1', '3']
    """
    if diagonal not in ("apart", "scale", "hide"):
        raise PlcaseError(f"diagonal must be 'apart', 'scale' or 'hide', not {diagonal!r}")
    labels = _labels_of(matrix, labels)
    measure = matrix.attrs.get("measure", "count")
    values = matrix.to_numpy(dtype=float).copy()
    if lower and measure != "conditional":
        values[np.triu_indices_from(values, k=1)] = np.nan
    diag = np.diag(matrix.to_numpy(dtype=float)).copy()
    if diagonal != "scale":
        np.fill_diagonal(values, np.nan)
    left_out = annotate is None and len(matrix) > ANNOTATE_MAX_CODES
    if annotate is None:
        annotate = not left_out
    size = 1.2 + min(0.42, (MAX_HEATMAP_INCHES - 1.2) / max(len(matrix), 1)) * len(matrix)
    ax = _ax(ax, width=max(COLUMN_WIDTH, size + 1.0), height=size)
    with mpl.rc_context(RC_PARAMS):
        _heatmap(values, list(matrix.index), list(matrix.columns), ax,
                 measure=measure, annotate=False, cmap=cmap, colorbar=colorbar, fmt=None,
                 labels=labels, row_labels=[label(r, labels) for r in matrix.index], **kwargs)
        fmt = _format(measure)
        image = ax.images[0]
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                if i == j and diagonal == "apart":
                    ax.add_patch(mpl.patches.Rectangle((j - 0.5, i - 0.5), 1, 1,
                                                       color=OKABE_ITO["grey"], alpha=0.35,
                                                       linewidth=0))
                    if annotate:
                        ax.text(j, i, fmt(diag[i]), ha="center", va="center", color="black",
                                fontstyle="italic")
                elif annotate and np.isfinite(values[i, j]):
                    ax.text(j, i, fmt(values[i, j]), ha="center", va="center",
                            color=_readable_on(image.cmap(image.norm(values[i, j]))))
        # One line per label: wrapped labels at 45 degrees run into their neighbours.
        ax.set_xticks(range(len(matrix.columns)), [label(c, labels) for c in matrix.columns],
                      rotation=45, ha="right", rotation_mode="anchor")
        title = []
        if diagonal == "apart":
            what = "the code itself" if measure == "conditional" else "passages with the code"
            title.append(f"diagonal (grey): {what}")
        if left_out:
            title.append(f"{len(matrix)} codes: values in the table, not the cells "
                         f"(more than {ANNOTATE_MAX_CODES})")
        if title:
            ax.set_title("; ".join(title), fontsize="small")
    return ax


def plot_grouped_bars(matrix: pd.DataFrame, *, ax=None, legend: bool = True, labels=None,
                      **kwargs):
    """Grouped bars: one group of bars per row (e.g. per role), one bar per code.

    Bars take each theme's fixed colour, so a theme looks the same in every
    figure; the legend names codes by their codebook label and each group
    says its n (from the matrix's ``attrs``).

    Parameters
    ----------
    matrix : DataFrame
        From :func:`plcase.matrix.theme_matrix` (for example ``by="role"``).
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.bar`.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame([[1, 2], [3, 0]], index=["teacher", "student"],
    ...                  columns=["embedded_pd", "student_driven"])
    >>> len(plot_grouped_bars(m).patches)
    4
    """
    names = _labels_of(matrix, labels)
    # Page-wide: each group's two-line label (name and n) and the legend above need the room.
    ax = _ax(ax, width=PAGE_WIDTH, height=3.4)
    with mpl.rc_context(RC_PARAMS):
        n_rows, n_codes = matrix.shape
        width = 0.8 / max(n_codes, 1)
        x = np.arange(n_rows)
        for k, code in enumerate(matrix.columns):
            ax.bar(x - 0.4 + width * (k + 0.5), matrix[code].to_numpy(dtype=float), width,
                   label=label(code, names), color=theme_colour(code), edgecolor="white",
                   linewidth=0.4, **kwargs)
        ticks = [_wrap(label(r), 12) + (f"\n{n}" if (n := _row_n(matrix, r).replace(
            " passages · ", " pass. · ").replace(" informants", " inf.")) else "")
                 for r in matrix.index]
        crowded = n_rows * max(len(line) for t in ticks for line in t.split("\n")) > 55
        ax.set_xticks(x, ticks, rotation=30 if crowded else 0, ha="right" if crowded else "center",
                      rotation_mode="anchor")
        measure = matrix.attrs.get("measure")
        ax.set_ylabel(_MEASURE_LABELS.get(measure, measure or ""))
        if measure == "share":
            ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
        ax.spines[["top", "right"]].set_visible(False)
        if legend:
            ax.legend(frameon=False, ncols=2, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    return ax


def _group_columns(frame: pd.DataFrame, exclude) -> list[str]:
    return [c for c in frame.columns if c not in exclude]


def _diverging_bars(ax, y, glow, grow, labels, *, names, height, headroom, **kwargs) -> float:
    """Glow bars to the right and grow bars to the left of zero; returns the x limit."""
    ax.barh(y, glow, color=GLOW_COLOUR, label=names[0], height=height, **kwargs)
    ax.barh(y, -grow, color=GROW_COLOUR, label=names[1], height=height, **kwargs)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.axvline(0, color=OKABE_ITO["black"], linewidth=0.6)
    limit = max(glow.max(), grow.max(), 1) * headroom
    ax.set_xlim(-limit, limit)
    ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{abs(v):.0f}"))
    ax.set_xlabel("Passages (grow ← → glow)")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2)
    return limit


def plot_glow_grow(frame: pd.DataFrame, *, ax=None, per: int | None = None, labels=None,
                   **kwargs):
    """Diverging bars of glows (right) and grows (left) per theme and group.

    Parameters
    ----------
    frame : DataFrame
        From :func:`plcase.matrix.glow_grow`.
    per : int, optional
        Normalise per group: glows and grows per ``per`` of the group's
        passages (``group_passages``), so a group that said more does not
        look more positive or negative for it.  Default raw counts.
    labels : dict, optional
        Code -> printed label, over ``attrs['labels']``.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> gg = pd.DataFrame({"school": ["A", "A"], "code": ["embedded_pd", "student_driven"],
    ...                    "n_passages": [3, 4], "glow": [2, 1], "grow": [1, 3]})
    >>> len(plot_glow_grow(gg).patches)
    4
    """
    groups = _group_columns(frame, ("code", "n_passages", "glow", "grow", "balance",
                                    "group_passages", "group_informants"))
    names = _labels_of(frame, labels)
    codes = list(dict.fromkeys(frame["code"]))
    ordered = frame.assign(_code=frame["code"].map({c: i for i, c in enumerate(codes)})) \
        .sort_values("_code", kind="mergesort").reset_index(drop=True)
    n_groups = len(ordered) // max(len(codes), 1) or 1
    # Leave a blank row between themes so each theme reads as a block.
    y = ordered["_code"] * (n_groups + 1) + ordered.groupby("_code", observed=True).cumcount()
    # Group labels and theme headings fill the label column: a page-wide figure keeps the bars
    # readable beside them.
    ax = _ax(ax, width=PAGE_WIDTH if groups else COLUMN_WIDTH,
             height=0.8 + 0.16 * (len(ordered) + len(codes)))
    ticks = [label(tuple(r)) if len(groups) > 1 else label(r[0])
             for r in ordered[groups].itertuples(index=False)] if groups else \
        [label(c, names) for c in ordered["code"]]
    if groups and "group_passages" in ordered.columns:
        ticks = [f"{t} (n = {n})" for t, n in zip(ticks, ordered["group_passages"])]
    glow, grow = ordered["glow"].astype(float), ordered["grow"].astype(float)
    if per is not None:
        if "group_passages" not in ordered.columns:
            raise PlcaseError("per= needs the group_passages column of plcase.matrix.glow_grow")
        base = ordered["group_passages"].where(ordered["group_passages"] > 0)
        glow, grow = (glow * per / base).fillna(0.0), (grow * per / base).fillna(0.0)
    with mpl.rc_context(RC_PARAMS):
        limit = _diverging_bars(ax, y, glow, grow, ticks,
                                names=("glow (working)", "grow (challenge)"), height=0.8,
                                headroom=1.15, **kwargs)
        if per is not None:
            ax.set_xlabel(f"Passages per {per} of the group's passages (grow ← → glow)")
        if groups:
            # Each theme's heading sits in the label column above its block, clear of the bars.
            for i, code in enumerate(codes):
                ax.annotate(label(code, names), xy=(0, i * (n_groups + 1) - 0.9),
                            xycoords=ax.get_yaxis_transform(), xytext=(-4, 0),
                            textcoords="offset points", ha="right", va="center",
                            fontweight="bold", color=theme_colour(code),
                            fontsize=RC_PARAMS["xtick.labelsize"])
    return ax


def plot_saturation(frame: pd.DataFrame, *, ax=None, y: str = "n_codes", saturation=None,
                    **kwargs):
    """Distinct codes as documents are added in collection order, one line per group.

    With the permutation columns of :func:`plcase.matrix.new_codes`
    (``n_codes_low``, ``n_codes_high``) a band shows the 5th–95th percentile
    over random document orders; with ``saturation`` (from
    :func:`plcase.matrix.saturation`) a marker shows where each group reached
    saturation by Guest, Namey & Chen's (2020) criterion.

    Parameters
    ----------
    frame : DataFrame
        From :func:`plcase.matrix.new_codes`: ``group, step`` and ``y``.
    y : str, default "n_codes"
    saturation : DataFrame, optional
        From :func:`plcase.matrix.saturation`, to mark ``saturation_at``.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.step`.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> curves = pd.DataFrame({"group": ["A", "A"], "step": [1, 2], "n_codes": [2, 3]})
    >>> len(plot_saturation(curves).lines)  # the step line and its markers
    2
    """
    if y not in frame.columns:
        raise PlcaseError(f"unknown column {y!r}; the frame has "
                          f"{', '.join(repr(c) for c in frame.columns)}")
    if "group" in frame.columns:
        groups = ["group"]
    else:
        groups = list(frame.attrs.get("by") or _group_columns(
            frame, ("step", "doc_id", "n_new", "new_codes", "n_new_subcodes", "new_subcodes",
                    "n_codes", "n_code_roles", "date", "n_codes_low", "n_codes_median",
                    "n_codes_high")))
    points = {}
    if saturation is not None and "saturation_at" in saturation.columns:
        points = dict(zip(saturation["group"], saturation["saturation_at"]))
    palette = [OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "reddish_purple",
                                      "vermillion", "sky_blue", "black")]
    ax = _ax(ax)
    with mpl.rc_context(RC_PARAMS):
        parts = frame.groupby(groups, sort=False, observed=True) if groups else [("all", frame)]
        for k, (key, part) in enumerate(parts):
            key = key[0] if isinstance(key, tuple) and len(key) == 1 else key
            colour = palette[k % len(palette)]
            if {"n_codes_low", "n_codes_high"} <= set(part.columns) and y == "n_codes":
                ax.fill_between(part["step"], part["n_codes_low"], part["n_codes_high"],
                                step="post", color=colour, alpha=0.15, linewidth=0)
            ax.step(part["step"], part[y], where="post", color=colour,
                    linestyle=_LINESTYLES[k % len(_LINESTYLES)],
                    label=f"{label(key)} (n = {len(part)})", **kwargs)
            ax.plot(part["step"], part[y], linestyle="none", color=colour,
                    marker=_MARKERS[k % len(_MARKERS)], markersize=3)
            at = points.get(key)
            if at is not None and np.isfinite(at):
                value = part.loc[part["step"] == at, y]
                if len(value):
                    ax.plot([at], [value.iloc[0]], marker="*", markersize=9, color=colour,
                            markeredgecolor="black", markeredgewidth=0.5, linestyle="none")
        ax.set_xlabel("Documents added (in collection order)")
        ax.set_ylabel("Distinct codes" if y == "n_codes" else label(y))
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        ax.set_ylim(0, None)
        ax.spines[["top", "right"]].set_visible(False)
        if groups:
            ax.legend(frameon=False, loc="lower right")
    return ax


def plot_recommendation_evidence(graded: pd.DataFrame, *, ax=None, **kwargs):
    """Evidence behind each recommendation: glow and grow passages, with the grade.

    Bars diverge from zero (glow passages right, grow passages left); the
    right margin prints the grade and its inputs (cases, roles, source types).

    Parameters
    ----------
    graded : DataFrame
        From :func:`plcase.recommend.recommendations`.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> g = pd.DataFrame({"id": [1], "short": ["Invest"], "glow": [5], "grow": [2],
    ...                   "n_passages": [7], "n_cases": [3], "n_roles": [3],
    ...                   "n_sources": [2], "grade": ["strong"]})
    >>> len(plot_recommendation_evidence(g).patches)
    2
    """
    graded = graded.reset_index(drop=True)
    y = np.arange(len(graded))
    names = graded["short"] if "short" in graded.columns else graded["id"].astype(str)
    ax = _ax(ax, height=0.9 + 0.38 * len(graded))
    with mpl.rc_context(RC_PARAMS):
        _diverging_bars(ax, y, graded["glow"], graded["grow"],
                        [_wrap(f"{i}. {n}", 22) for i, n in zip(graded["id"], names)],
                        names=("glow", "grow"), height=0.6, headroom=1.1, **kwargs)
        for yi, row in zip(y, graded.itertuples(index=False)):
            ax.annotate(f"{row.grade}\n{row.n_cases} cases · {row.n_roles} roles · "
                        f"{row.n_sources} src", xy=(1.02, yi), xycoords=("axes fraction", "data"),
                        va="center", ha="left", fontsize=RC_PARAMS["legend.fontsize"] - 1,
                        annotation_clip=False)
    return ax
