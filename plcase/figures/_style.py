"""Shared look of every plcase figure: a colour-blind-safe palette and sizes.

The palette is Okabe & Ito (2008), distinguishable under the common forms of
colour-vision deficiency and in greyscale print.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt

#: Okabe-Ito colours by name.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}

#: One colour per theme, the same in every figure.
THEME_COLOURS = {
    "shared_culture": OKABE_ITO["orange"],
    "embedded_pd": OKABE_ITO["blue"],
    "student_driven": OKABE_ITO["bluish_green"],
    "whole_child_sel": OKABE_ITO["reddish_purple"],
    "student_ownership": OKABE_ITO["sky_blue"],
    "mastery_learning": OKABE_ITO["yellow"],
    "paces_playlists_pathways": OKABE_ITO["grey"],
}
GLOW_COLOUR = OKABE_ITO["bluish_green"]
GROW_COLOUR = OKABE_ITO["vermillion"]
#: Sequential colour map for heatmaps (perceptually uniform, colour-blind safe).
SEQUENTIAL_CMAP = "cividis"

#: Journal single-column and double-column widths in inches.
COLUMN_WIDTH = 3.5
PAGE_WIDTH = 7.0

#: rcParams every figure is drawn with (readable at column width).
RC_PARAMS = {
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "font.family": "DejaVu Sans",
    "svg.hashsalt": "plcase",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
}


def theme_colour(code: str) -> str:
    """Colour of a code; codes outside the palette get grey."""
    return THEME_COLOURS.get(code, OKABE_ITO["grey"])


def figure(width: float = COLUMN_WIDTH, height: float | None = None, **kwargs):
    """A new (figure, axes) pair drawn with plcase's rcParams, a journal column wide.

    Examples
    --------
    >>> fig, ax = figure()
    >>> float(fig.get_figwidth())
    3.5
    """
    # The figure is made outside rc_context: the first pyplot figure of a Jupyter session
    # switches on the inline backend's interactive mode, which rc_context would undo on
    # exit, and later figures would then not be shown.
    fig = plt.figure(figsize=(width, height or width * 0.75), layout="constrained")
    with mpl.rc_context(RC_PARAMS):
        ax = fig.subplots(**kwargs)
    return fig, ax


def _ax(ax, width: float = COLUMN_WIDTH, height: float | None = None):
    """The given Axes, or a new one; call it outside rc_context (see :func:`figure`)."""
    return figure(width, height)[1] if ax is None else ax
