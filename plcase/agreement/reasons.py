"""Why a coefficient is undefined: a reason that is true of the data it rests on.

Fleiss' kappa, Brennan-Prediger and Gwet's AC1/AC2 take the category shares
from every rated unit (irrCAC's formulas), Krippendorff's alpha rests on the
pairable units, Cohen's kappa on the units both coders rated: each reason
names the data that lacks variation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["reasons", "coders_rating"]


def coders_rating(values, used):
    """Number of coders with a rating on a pairable unit, per code and pooled."""
    rated = ~np.isnan(values)                                      # u × coder × code
    pairable = rated.sum(axis=1) >= 2                              # u × code
    per_code = (rated & pairable[:, None, :]).any(axis=0)          # coder × code
    pooled = per_code[:, used].any(axis=1).sum() if used.any() else 0
    return np.append(per_code.sum(axis=0), pooled).astype(np.int64)


def reasons(values, point, scale, used, coefficients):
    """Why a coefficient is undefined, per group (NaN where it is defined).

    Each reason is true of the data the coefficient rests on: every rated
    unit for Fleiss, Brennan-Prediger and Gwet (as irrCAC computes the
    category shares), the pairable units for Krippendorff's alpha, the units
    both coders rated for Cohen's kappa.
    """
    n_codes = values.shape[2]
    n_coders = values.shape[1]
    groups = n_codes + 1
    rating = coders_rating(values, used)
    common = np.full(groups, np.nan, dtype=object)
    for g in range(groups):
        if g == n_codes and not used.any():
            common[g] = "no coder applied any code"
        elif n_coders < 2:
            common[g] = f"only {n_coders} coder; agreement needs two or more"
        elif point["pair"][0][g] == 0:
            common[g] = "no unit was rated by two or more coders (they share no document)"
        elif rating[g] < 2:
            common[g] = "fewer than two coders rated this code"
    everywhere = point["share"][0]                                 # groups × k, rated units

    def no_variation(g, seen, where):
        if pd.notna(common[g]) or (seen[g] > 0).sum() >= 2:
            return common[g]
        if (everywhere[g] > 0).sum() < 2:
            return _no_variation(scale, np.argmax(everywhere[g]))
        return _no_variation(scale, np.argmax(seen[g]), where)

    variation = np.array([no_variation(g, everywhere, "") for g in range(groups)], dtype=object)
    pairable = np.array([no_variation(g, point["n_k"][0], "units two or more coders rated")
                         for g in range(groups)], dtype=object)
    reasons = {}
    for name in coefficients:
        if name == "percent_agreement":
            reasons[name] = common
        elif name == "percent_agreement_coded":
            coded = common.copy()
            for g in range(groups):
                if pd.isna(coded[g]) and point["pair_coded"][0][g] == 0:
                    coded[g] = "no coder applied the code to a unit two or more coders rated"
            reasons[name] = coded
        elif name in ("cohen_kappa", "weighted_kappa"):
            cohen = np.full(groups, np.nan, dtype=object)
            if n_coders != 2:
                cohen[:] = (f"{'Cohen' if name == 'cohen_kappa' else 'weighted'} kappa needs "
                            f"exactly two coders, not {n_coders} (pass coders=(a, b) or use "
                            f"pairs=True)")
            else:
                seen = point["row"][0] + point["col"][0]
                for g in range(groups):
                    if g == n_codes and not used.any():
                        cohen[g] = common[g]
                    elif point["both"][0][g] == 0:
                        cohen[g] = "no unit was rated by both coders (they share no document)"
                    else:
                        cohen[g] = no_variation(g, seen, "units both coders rated")
            reasons[name] = cohen
        elif name == "krippendorff_alpha":
            reasons[name] = pairable
        else:
            reasons[name] = variation
    return reasons


def _no_variation(scale, index, where: str = "") -> str:
    category = scale.label(index)
    none_applied = index == scale.absent
    if not where:
        if none_applied:
            what = "code" if category == 0 else "variable's codes"
            return f"no variation: every rating is {_show(category)} (no coder applied the {what})"
        if category == 1:
            return "no variation: every rating is 1 (the code is on every unit)"
        return f"no variation: every rating is {_show(category)}"
    text = f"no variation on {where}: every rating there is {_show(category)}"
    if none_applied:
        return text + " (no coder applied the code there)"
    return text


def _show(category) -> str:
    return f"{category:g}" if isinstance(category, float) else repr(category)
