"""Figures of the machine coders: how well rules and models agree with a human."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from plcase.figures._style import OKABE_ITO, PAGE_WIDTH, RC_PARAMS, _ax
from plcase.schema import require_columns

__all__ = ["plot_tagger_scores"]

#: One colour per kind of coder: a human, the rules, the model.
_CODER_COLOURS = [OKABE_ITO["black"], OKABE_ITO["orange"], OKABE_ITO["blue"],
                  OKABE_ITO["bluish_green"], OKABE_ITO["reddish_purple"]]


def plot_tagger_scores(scores: pd.DataFrame, *, metric: str = "kappa", ax=None,
                       codes=None, **kwargs):
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
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['coder_b', 'auto:model']
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
        _draw_bars(ax, table, scores, codes, coders, metric, kwargs)
    return ax


def _draw_bars(ax, table, scores, codes, coders, metric, kwargs):
    width = 0.8 / max(len(coders), 1)
    x = np.arange(len(codes))
    for i, coder in enumerate(coders):
        bars = ax.bar(x + (i - (len(coders) - 1) / 2) * width, table[coder].to_numpy(),
                      width=width, label=coder,
                      color=_CODER_COLOURS[i % len(_CODER_COLOURS)], **kwargs)
        ax.bar_label(bars, fmt="%.2f", fontsize=6, padding=1)
    ax.set_xticks(x, [c.replace("_", " ") for c in codes])
    ax.set_ylabel("Cohen's kappa" if metric == "kappa" else metric)
    ax.set_ylim(min(0.0, float(np.nanmin(table.to_numpy(dtype=float), initial=0.0))), 1.05)
    ax.axhline(0, color=OKABE_ITO["grey"], linewidth=0.5)
    reference = scores["reference"].iloc[0] if "reference" in scores.columns else None
    if reference is not None:
        ax.set_title(f"Passage-level agreement with {reference}")
    ax.legend(frameon=False, ncols=len(coders), loc="upper left")
