"""Agreement per code: a point per coefficient value, bootstrap bars, reliability thresholds."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from plcase.errors import PlcaseError
from plcase.figures._style import COLUMN_WIDTH, OKABE_ITO, RC_PARAMS, _ax
from plcase.schema import require_columns

__all__ = ["plot_agreement", "TENTATIVE", "RELIABLE", "COEFFICIENT_LABELS"]

#: Krippendorff's (2004, p. 241) thresholds: alpha >= .800 to rely on the data,
#: .667 <= alpha < .800 for tentative conclusions only.
TENTATIVE = 0.667
RELIABLE = 0.800

#: Axis labels of the coefficients of :mod:`plcase.agreement`.
COEFFICIENT_LABELS = {
    "percent_agreement": "Percent agreement",
    "percent_agreement_coded": "Percent agreement (coded units only)",
    "cohen_kappa": "Cohen's κ",
    "fleiss_kappa": "Fleiss' κ",
    "krippendorff_alpha": "Krippendorff's α (nominal)",
    "brennan_prediger": "Brennan–Prediger κ",
    "gwet_ac1": "Gwet's AC1",
    "weighted_kappa_linear": "Weighted κ (linear)",
    "weighted_kappa_quadratic": "Weighted κ (quadratic)",
    "gwet_ac2_linear": "Gwet's AC2 (linear)",
    "gwet_ac2_quadratic": "Gwet's AC2 (quadratic)",
}

# Hue order of coder comparisons: strong, colour-blind-safe contrasts first.
_HUES = [OKABE_ITO[c] for c in ("blue", "vermillion", "bluish_green", "orange",
                                "reddish_purple", "sky_blue", "grey")]


def plot_agreement(frame: pd.DataFrame, *, coefficient: str | None = None, ax=None,
                   **kwargs):
    """Plot one agreement coefficient per code, one colour per coder comparison.

    Points are the estimates, horizontal bars the bootstrap interval
    (``ci_low``-``ci_high``, where computed); dashed and solid vertical lines
    mark Krippendorff's thresholds for tentative (0.667) and reliable (0.800)
    data. Codes whose value is undefined are marked "n/a" (the table's
    ``reason`` column says why).

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`plcase.agreement.agreement` or of one coefficient
        function: ``coders, code, coefficient, value, ci_low, ci_high``.
    coefficient : str, optional
        Which coefficient to draw. Default: the only one in ``frame``, or
        ``"krippendorff_alpha"`` when there are several (the thresholds are
        Krippendorff's).
    ax : matplotlib Axes, optional
        Where to draw; default a new single-column figure.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.errorbar` (for example
        ``markersize``, ``capsize``).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from plcase.agreement import agreement
    >>> frame = pd.DataFrame({"unit_id": [1, 1, 2, 2, 3, 3, 4, 4],
    ...                       "coder": ["a", "b"] * 4, "code": "glow",
    ...                       "value": [1, 1, 0, 0, 1, 0, 0, 0]})
    >>> ax = plot_agreement(agreement(frame), coefficient="cohen_kappa")
    >>> ax.get_xlabel()
    "Cohen's κ"
    """
    require_columns(frame, ["coders", "code", "coefficient", "value"], "agreement frame")
    available = list(pd.unique(frame["coefficient"]))
    if coefficient is None:
        if len(available) == 1:
            coefficient = available[0]
        elif "krippendorff_alpha" in available:
            coefficient = "krippendorff_alpha"
        else:
            raise PlcaseError(f"the frame holds several coefficients ({', '.join(available)}); "
                              f"choose one with coefficient=")
    if coefficient not in available:
        raise PlcaseError(f"coefficient {coefficient!r} is not in the frame; it has "
                          f"{', '.join(available) or 'none'}")
    data = frame[frame["coefficient"] == coefficient]
    if ax is None:
        # Made outside rc_context (see plcase.figures._style.figure).
        groups = max(1.0, data["coders"].nunique() / 2)
        ax = _ax(None, COLUMN_WIDTH, 1.3 + 0.22 * data["code"].nunique() * groups)
    with plt.rc_context(RC_PARAMS):
        return _draw(data, coefficient, ax, kwargs)


def _draw(data, coefficient, ax, kwargs):
    codes = list(pd.unique(data["code"]))
    groups = list(pd.unique(data["coders"]))
    position = {code: i for i, code in enumerate(codes)}
    spread = 0.6 / max(len(groups), 1)
    missing = pd.Series(np.nan, index=data.index)
    lows = pd.to_numeric(data["ci_low"]) if "ci_low" in data else missing
    highs = pd.to_numeric(data["ci_high"]) if "ci_high" in data else missing
    left = float(np.nanmin(np.r_[0.0, data["value"].to_numpy(dtype=float), lows.to_numpy()]))
    left = min(left, 0.0) - 0.05
    style = {"fmt": "o", "markersize": 4, "capsize": 2, "elinewidth": 1} | kwargs
    for g, group in enumerate(groups):
        rows = data[data["coders"] == group]
        y = rows["code"].map(position).to_numpy(dtype=float) + (g - (len(groups) - 1) / 2) * spread
        value = rows["value"].to_numpy(dtype=float)
        low, high = lows[rows.index].to_numpy(), highs[rows.index].to_numpy()
        error = np.vstack([value - low, high - value])
        error = np.where(np.isfinite(error), np.maximum(error, 0.0), 0.0)
        colour = _HUES[g % len(_HUES)]
        ax.errorbar(value, y, xerr=error, color=colour, label=str(group), **style)
        for y_missing in y[~np.isfinite(value)]:
            ax.text(left + 0.01, y_missing, "n/a", color=colour, va="center", ha="left",
                    fontsize="x-small")

    ax.axvline(TENTATIVE, color=OKABE_ITO["grey"], linestyle="--", linewidth=0.8, zorder=0,
               label=f"{TENTATIVE:.3f} tentative")
    ax.axvline(RELIABLE, color=OKABE_ITO["black"], linestyle="-", linewidth=0.8, zorder=0,
               label=f"{RELIABLE:.3f} reliable")
    ax.set_yticks(range(len(codes)), codes)
    ax.set_ylim(len(codes) - 0.5, -0.5)
    ax.set_xlim(left, 1.05)
    ax.set_xlabel(COEFFICIENT_LABELS.get(coefficient, coefficient))
    ax.set_ylabel("")
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    # Below the axes, so the legend never hides a point.
    handles, labels = ax.get_legend_handles_labels()
    # Coder comparisons first, then the two thresholds.
    order = sorted(range(len(labels)), key=lambda i: labels[i] not in groups)
    ax.legend([handles[i] for i in order], [labels[i] for i in order],
              loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False,
              fontsize="x-small")
    return ax
