"""Agreement per code: a point per coefficient value, bootstrap bars, reliability thresholds."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from plcase.errors import PlcaseError
from plcase.figures._style import COLUMN_WIDTH, OKABE_ITO, RC_PARAMS, _ax
from plcase.schema import require_columns

__all__ = ["plot_agreement", "TENTATIVE", "RELIABLE", "LANDIS_KOCH", "COEFFICIENT_LABELS",
           "thresholds_for", "coder_role", "comparison_label"]

#: Krippendorff's (2004, p. 241) thresholds: alpha >= .800 to rely on the data,
#: .667 <= alpha < .800 for tentative conclusions only.
TENTATIVE = 0.667
RELIABLE = 0.800

#: Landis & Koch's (1977, p. 165) benchmarks for kappa: the lower edge of each band.
LANDIS_KOCH = ((0.0, "slight"), (0.21, "fair"), (0.41, "moderate"), (0.61, "substantial"),
               (0.81, "almost perfect"))

_KAPPA_LIKE = ("cohen_kappa", "fleiss_kappa", "brennan_prediger", "gwet_ac1", "kappa")


def thresholds_for(coefficient: str) -> list[tuple[float, str]]:
    """The benchmark lines that belong to a coefficient: (value, label) pairs.

    Krippendorff's 0.667 / 0.800 for alpha; Landis & Koch's bands for the
    kappa family (Cohen, Fleiss, Brennan–Prediger, Gwet's AC1); none for
    percent agreement, which has no chance correction to benchmark.

    Examples
    --------
    >>> thresholds_for("krippendorff_alpha")
    [(0.667, '0.667 tentative'), (0.8, '0.800 reliable')]
    >>> [v for v, _ in thresholds_for("cohen_kappa")]
    [0.21, 0.41, 0.61, 0.81]
    >>> thresholds_for("percent_agreement")
    []
    """
    if coefficient == "krippendorff_alpha":
        return [(TENTATIVE, f"{TENTATIVE:.3f} tentative"), (RELIABLE, f"{RELIABLE:.3f} reliable")]
    if coefficient in _KAPPA_LIKE:
        return [(value, f"{value:.2f} {name}") for value, name in LANDIS_KOCH if value > 0]
    return []


def coder_role(coder: str, roles=None) -> str:
    """What kind of coder a name is: ``roles[coder]``, else ``model``/``rules`` for
    ``auto:model``/``auto:rules``, else ``human``.

    Examples
    --------
    >>> coder_role("auto:model"), coder_role("ana"), coder_role("ana", {"ana": "PI"})
    ('model', 'human', 'PI')
    """
    if roles and coder in roles:
        return roles[coder]
    if isinstance(coder, str) and coder.startswith("auto:"):
        return coder.split(":", 1)[1]
    return "human"


def comparison_label(coders: str, roles=None) -> str:
    """A coder comparison named by role: ``"ana vs auto:model"`` -> ``"human vs model"``.

    Two coders of the same role are numbered (``human 1 vs human 2``); the
    names follow in brackets so nothing is hidden.

    Examples
    --------
    >>> comparison_label("ana vs auto:model")
    'human vs model (ana, auto:model)'
    >>> comparison_label("ana vs ben")
    'human 1 vs human 2 (ana, ben)'
    """
    names = [c.strip() for c in str(coders).split(" vs ")]
    if len(names) < 2:
        return str(coders)
    kinds = [coder_role(n, roles) for n in names]
    if len(set(kinds)) < len(kinds):
        kinds = [f"{k} {i + 1}" if kinds.count(k) > 1 else k for i, k in enumerate(kinds)]
    return " vs ".join(kinds) + f" ({', '.join(names)})"

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
                   coder_roles=None, labels=None, **kwargs):
    """Plot one agreement coefficient per code, one colour per coder comparison.

    Points are the estimates, horizontal bars the bootstrap interval
    (``ci_low``-``ci_high``, where computed); vertical lines mark the
    benchmarks of the coefficient drawn (:func:`thresholds_for`):
    Krippendorff's 0.667 / 0.800 for alpha, Landis & Koch's bands for kappa.
    Comparisons are named by the coders' roles (``human vs model``). Codes
    whose value is undefined are marked "n/a" (the table's ``reason`` column
    says why).

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
    coder_roles : dict, optional
        Coder name -> role shown in the legend (default: ``auto:*`` coders
        by their kind, others ``human``).
    labels : dict, optional
        Code -> printed label (for example :func:`plcase.matrix.code_labels`).
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
        return _draw(data, coefficient, ax, kwargs, coder_roles, labels or {})


def _draw(data, coefficient, ax, kwargs, coder_roles, labels):
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
        ax.errorbar(value, y, xerr=error, color=colour,
                    label=comparison_label(group, coder_roles), **style)
        for y_missing in y[~np.isfinite(value)]:
            ax.text(left + 0.01, y_missing, "n/a", color=colour, va="center", ha="left",
                    fontsize="x-small")

    lines = thresholds_for(coefficient)
    styles = ["--", "-"] if len(lines) == 2 else [":", "-.", "--", "-"]
    for (value, name), style_ in zip(lines, styles[-len(lines):] if lines else []):
        ax.axvline(value, color=OKABE_ITO["black"] if style_ == "-" else OKABE_ITO["grey"],
                   linestyle=style_, linewidth=0.8, zorder=0, label=name)
    ax.set_yticks(range(len(codes)), [labels.get(c, str(c)) for c in codes])
    ax.set_ylim(len(codes) - 0.5, -0.5)
    ax.set_xlim(left, 1.05)
    ax.set_xlabel(COEFFICIENT_LABELS.get(coefficient, coefficient))
    ax.set_ylabel("")
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    # Below the axes, so the legend never hides a point.
    handles, names = ax.get_legend_handles_labels()
    # Coder comparisons first, then the two thresholds.
    threshold_names = {name for _, name in lines}
    order = sorted(range(len(names)), key=lambda i: names[i] in threshold_names)
    ax.legend([handles[i] for i in order], [names[i] for i in order],
              loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False,
              fontsize="x-small")
    return ax
