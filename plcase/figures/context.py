"""Context figures: the CMS Personalized Learning roll-out."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from plcase.figures._style import COLUMN_WIDTH, OKABE_ITO, RC_PARAMS, _ax

__all__ = ["plot_rollout"]


def plot_rollout(table: pd.DataFrame, *, district_schools: int | None = None, ax=None, **kwargs):
    """Schools added per cohort (bars) and Personalized Learning schools in all (line).

    Parameters
    ----------
    table : DataFrame
        Output of :func:`plcase.context.rollout_table` (``school_year``,
        ``schools_added``, ``pl_schools``).
    district_schools : int, optional
        Draw the district's size as a reference line.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``ax.bar``.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from plcase.context import read_dataset, rollout_table
    >>> ax = plot_rollout(rollout_table(read_dataset("cms_rollout")))
    >>> ax.get_ylabel()
    'Schools'
    """
    ax = _ax(ax, COLUMN_WIDTH, 2.4)
    with plt.rc_context(RC_PARAMS):
        x = range(len(table))
        bars = ax.bar(x, table["schools_added"], color=OKABE_ITO["sky_blue"],
                      label="Schools added", **kwargs)
        # Inside the bars, so they never collide with the cumulative line's labels.
        ax.bar_label(bars, label_type="center", fontsize=RC_PARAMS["xtick.labelsize"])
        ax.plot(x, table["pl_schools"], marker="o", color=OKABE_ITO["blue"],
                label="PL schools in all")
        for xi, total in zip(x, table["pl_schools"]):
            ax.annotate(str(total), (xi, total), textcoords="offset points", xytext=(0, 4),
                        ha="center", fontsize=RC_PARAMS["xtick.labelsize"], color=OKABE_ITO["blue"])
        if district_schools:
            ax.axhline(district_schools, color=OKABE_ITO["grey"], linestyle="--", linewidth=0.8)
            ax.text(len(table) - 0.5, district_schools, f"{district_schools} district schools",
                    ha="right", va="bottom", fontsize=RC_PARAMS["xtick.labelsize"],
                    color=OKABE_ITO["grey"])
            ax.set_ylim(0, district_schools * 1.12)
        else:
            ax.set_ylim(0, table["pl_schools"].max() * 1.2)
        ax.set_xticks(list(x), table["school_year"].tolist())
        ax.set_xlabel("School year")
        ax.set_ylabel("Schools")
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(frameon=False, loc="center left", bbox_to_anchor=(0, 0.62))
    return ax
