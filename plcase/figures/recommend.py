"""Confidence in the recommendations: the four GRADE-CERQual components side by side."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd

from plcase.errors import PlcaseError
from plcase.figures._style import OKABE_ITO, PAGE_WIDTH, RC_PARAMS, _ax
from plcase.figures.crosscase import _wrap

__all__ = ["plot_confidence"]

_COMPONENTS = ("methodological_limitations", "coherence", "adequacy", "relevance")
_CONCERNS = ("no concerns", "minor concerns", "moderate concerns", "serious concerns")
_CONFIDENCE = ("high", "moderate", "low", "very low")
# One colour per step of concern, the same for components and for confidence (high = no concern),
# Okabe-Ito so the steps survive colour-blindness and greyscale print (light to dark).
_STEP_COLOURS = (OKABE_ITO["sky_blue"], OKABE_ITO["yellow"], OKABE_ITO["orange"],
                 OKABE_ITO["vermillion"])
_HEADERS = ("Methodological\nlimitations", "Coherence", "Adequacy", "Relevance", "Confidence")


def plot_confidence(confidence: pd.DataFrame, *, ax=None, **kwargs):
    """The CERQual components and overall confidence of each recommendation, as a grid.

    One row per recommendation, one column per component (methodological
    limitations, coherence, adequacy, relevance) and a last column for the
    overall confidence; each cell is coloured by its step (no concerns /
    high lightest, serious concerns / very low darkest) and names it.

    Parameters
    ----------
    confidence : DataFrame
        From :func:`plcase.recommend.cerqual`: ``id``, the four component
        columns, ``confidence`` and optionally ``short``.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.add_patch` rectangles
        (e.g. ``edgecolor``).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"id": [1, 2], "short": ["A", "B"],
    ...                   "methodological_limitations": ["no concerns", "minor concerns"],
    ...                   "coherence": ["no concerns", "serious concerns"],
    ...                   "adequacy": ["no concerns", "no concerns"],
    ...                   "relevance": ["minor concerns", "no concerns"],
    ...                   "confidence": ["high", "low"]})
    >>> ax = plot_confidence(t)
    >>> [t.get_text() for t in ax.texts][:5]
    ['no', 'no', 'no', 'minor', 'high']
    """
    missing = [c for c in ("id", *_COMPONENTS, "confidence") if c not in confidence.columns]
    if missing:
        raise PlcaseError(f"the confidence table lacks {', '.join(map(repr, missing))}; "
                          "compute it with plcase.recommend.cerqual()")
    table = confidence.reset_index(drop=True)
    names = table["short"] if "short" in table.columns else table["id"].astype(str)
    ax = _ax(ax, width=PAGE_WIDTH * 0.8, height=0.7 + 0.36 * len(table))
    kwargs.setdefault("edgecolor", "white")
    kwargs.setdefault("linewidth", 1.5)
    with mpl.rc_context(RC_PARAMS):
        for y, row in table.iterrows():
            steps = [(_CONCERNS.index(str(row[c])), str(row[c]).replace(" concerns", ""))
                     for c in _COMPONENTS]
            steps.append((_CONFIDENCE.index(str(row["confidence"])), str(row["confidence"])))
            for x, (step, text) in enumerate(steps):
                ax.add_patch(mpl.patches.Rectangle((x - 0.5, y - 0.5), 1, 1,
                                                   facecolor=_STEP_COLOURS[step], **kwargs))
                ax.text(x, y, text, ha="center", va="center",
                        color="white" if step == 3 else "black",
                        fontweight="bold" if x == len(_COMPONENTS) else "normal",
                        fontsize=RC_PARAMS["xtick.labelsize"])
        ax.set_xlim(-0.5, len(_HEADERS) - 0.5)
        ax.set_ylim(len(table) - 0.5, -0.5)
        ax.set_xticks(np.arange(len(_HEADERS)), _HEADERS)
        ax.xaxis.tick_top()
        ax.set_yticks(np.arange(len(table)),
                      [_wrap(f"{i}. {n}", 28) for i, n in zip(table["id"], names)])
        ax.tick_params(length=0)
        for side in ax.spines.values():
            side.set_visible(False)
        ax.axvline(len(_COMPONENTS) - 0.5, color="black", linewidth=0.8)
    return ax
