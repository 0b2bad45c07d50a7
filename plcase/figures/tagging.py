"""Figures of the machine coders: how well rules and models agree with a human."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from plcase.figures._style import OKABE_ITO, PAGE_WIDTH, RC_PARAMS, _ax
from plcase.figures.agreement import coder_role, thresholds_for
from plcase.schema import require_columns

__all__ = ["plot_tagger_scores"]

#: One colour per kind of coder: a human, the rules, the model.
_CODER_COLOURS = [OKABE_ITO["black"], OKABE_ITO["orange"], OKABE_ITO["blue"],
                  OKABE_ITO["bluish_green"], OKABE_ITO["reddish_purple"]]


def plot_tagger_scores(scores: pd.DataFrame, *, metric: str = "kappa", ax=None,
                       codes=None, coder_roles=None, labels=None, **kwargs):
    """Grouped bars: one group per code, one bar per coder, scored against a reference.

    Parameters
    ----------
    scores : DataFrame
        Rows of :func:`plcase.evaluate.evaluate_tagger` and
        :func:`plcase.evaluate.human_agreement`, concatenated: columns
        ``coder, code`` and ``metric``.
    metric : str, default "kappa"
        Column to plot (``kappa``, ``f1``, ``precision`` or ``recall``).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.
    codes : list of str, optional
        Codes (groups) in order; default all codes in ``scores`` except
        ``micro``, with ``macro`` last when present.
    coder_roles : dict, optional
        Coder name -> role for the legend (default ``auto:*`` by kind, else
        ``human``); the legend reads ``model (auto:model)``.
    labels : dict, optional
        Code -> printed label (:func:`plcase.matrix.code_labels`).

    For ``kappa`` the bands of Landis & Koch (1977) are drawn as dotted lines.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.bar`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> scores = pd.DataFrame({"coder": ["coder_b", "auto:model"] * 2,
    ...                        "code": ["embedded_pd"] * 2 + ["macro"] * 2,
    ...                        "kappa": [0.87, 0.7, 0.8, 0.65]})
    >>> ax = plot_tagger_scores(scores)
    >>> [t.get_text() for t in ax.get_legend().get_texts()][:2]
    ['human (coder_b)', 'model (auto:model)']
    """
    require_columns(scores, ["coder", "code", metric], "scores")
    if codes is None:
        codes = [c for c in dict.fromkeys(scores["code"]) if c not in ("micro", "macro")]
        if (scores["code"] == "macro").any():
            codes.append("macro")
    coders = list(dict.fromkeys(scores["coder"]))
    table = scores.pivot_table(index="code", columns="coder", values=metric,
                               aggfunc="first").reindex(index=codes, columns=coders)
    ax = _ax(ax, PAGE_WIDTH, 2.8)
    with plt.rc_context(RC_PARAMS):
        _draw_bars(ax, table, scores, codes, coders, metric, kwargs, coder_roles, labels or {})
    return ax


def _draw_bars(ax, table, scores, codes, coders, metric, kwargs, coder_roles, labels):
    width = 0.8 / max(len(coders), 1)
    x = np.arange(len(codes))
    for i, coder in enumerate(coders):
        bars = ax.bar(x + (i - (len(coders) - 1) / 2) * width, table[coder].to_numpy(),
                      width=width, label=f"{coder_role(coder, coder_roles)} ({coder})",
                      color=_CODER_COLOURS[i % len(_CODER_COLOURS)], **kwargs)
        ax.bar_label(bars, fmt="%.2f", fontsize=6, padding=1)
    ax.set_xticks(x, [labels.get(c, c.replace("_", " ")) for c in codes])
    ax.set_ylabel("Cohen's kappa" if metric == "kappa" else metric)
    ax.set_ylim(min(0.0, float(np.nanmin(table.to_numpy(dtype=float), initial=0.0))), 1.05)
    ax.axhline(0, color=OKABE_ITO["grey"], linewidth=0.5)
    if metric == "kappa":
        for value, name in thresholds_for("cohen_kappa"):
            ax.axhline(value, color=OKABE_ITO["grey"], linestyle=":", linewidth=0.6, zorder=0)
            ax.annotate(name.split(" ", 1)[1], xy=(1.0, value), xycoords=("axes fraction", "data"),
                        xytext=(2, 0), textcoords="offset points", va="center", ha="left",
                        fontsize=5.5, color=OKABE_ITO["grey"], annotation_clip=False)
    reference = scores["reference"].iloc[0] if "reference" in scores.columns else None
    if reference is not None:
        ax.set_title(f"Passage-level agreement with the {coder_role(reference, coder_roles)} "
                     f"coder ({reference})")
    ax.legend(frameon=False, ncols=len(coders), loc="upper left")
