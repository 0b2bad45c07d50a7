"""The per-unit statistics every agreement coefficient is a weighted sum of, and the formulas.

:func:`features` turns ratings (units × coders × codes of category
positions) into per-unit arrays; :func:`flatten` stacks them into one
units × columns matrix, so the point estimate and every bootstrap replicate
are one product of unit (or document) counts with that matrix;
:func:`coefficients` turns the sums into coefficients. Definitions and
references are in :mod:`plcase.agreement.coefficients`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["features", "flatten", "unflatten", "coefficients", "alpha_by_level"]


def features(values, k, used, absent, w_matrix, coefficients):
    """Per-unit quantities every coefficient is a weighted sum of.

    Each array has units first and groups (codes, then the pooled row) second,
    so a weighted sum over units gives the aggregates for every group at once,
    for the point estimate and for every bootstrap replicate alike.
    """
    n_units, n_coders, n_codes = values.shape
    onehot = values[..., None] == np.arange(k)                     # u × coder × code × k
    counts = onehot.sum(axis=1).astype(float)                      # u × code × k
    m = counts.sum(-1)                                             # ratings per unit and code
    pair = m >= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        same = (counts * (counts - 1)).sum(-1)
        agreeing = np.where(pair, same / (m * (m - 1)), 0.0)       # share of agreeing pairs
        coincident = np.where(pair, same / (m - 1), 0.0)           # diagonal of o_ck
        share = np.where(m[..., None] >= 1, counts / m[..., None], 0.0)
    coded = (m - counts[..., absent]) > 0 if absent is not None else m > 0
    features = {
        "pair": pair * 1.0, "agreeing": agreeing,
        "pair_coded": (pair & coded) * 1.0, "agreeing_coded": agreeing * coded,
        "rated": (m >= 1) * 1.0, "share": share,
        "n": pair * m, "n_k": pair[..., None] * counts, "coincident": coincident,
    }
    if "gwet_ac2" in coefficients:
        weighted = counts @ w_matrix                               # r*_ik
        with np.errstate(divide="ignore", invalid="ignore"):
            features["agreeing_w"] = np.where(
                pair, (counts * (weighted - 1)).sum(-1) / (m * (m - 1)), 0.0)
    if n_coders == 2:
        both = ~np.isnan(values[:, 0, :]) & ~np.isnan(values[:, 1, :])
        features.update({
            "both": both * 1.0,
            "agree": (both & (values[:, 0, :] == values[:, 1, :])) * 1.0,
            "row": (both[..., None] & onehot[:, 0]) * 1.0,
            "col": (both[..., None] & onehot[:, 1]) * 1.0,
        })
        if "weighted_kappa" in coefficients:
            features["joint"] = (both[..., None, None] & onehot[:, 0][..., :, None]
                                 & onehot[:, 1][..., None, :]) * 1.0
    pooled = {name: _Pooled(array, used) for name, array in features.items()}
    pooled["pair_any"] = pair[:, used].any(axis=1) * 1.0
    pooled["pair_coded_any"] = (pair & coded)[:, used].any(axis=1) * 1.0
    if n_coders == 2:
        pooled["both_any"] = features["both"][:, used].any(axis=1) * 1.0
    return pooled, counts


class _Pooled:
    """A per-code feature (units × codes × ...) whose pooled column is added on flattening."""

    def __init__(self, array, used):
        self.array, self.used = array, used
        self.shape = (array.shape[0], array.shape[1] + 1) + array.shape[2:]


def flatten(features):
    """Write every feature into one units × columns matrix (one product per replicate set).

    The matrix is allocated once and filled in place: at 147,000 units it is
    the largest array of the computation.
    """
    names = list(features)
    shapes = [features[n].shape[1:] for n in names]
    n_units = features[names[0]].shape[0]
    sizes = [int(np.prod(shape)) for shape in shapes]
    flat = np.empty((n_units, sum(sizes)))
    at = 0
    for name, shape, size in zip(names, shapes, sizes):
        feature = features[name]
        block = flat[:, at:at + size].reshape((n_units,) + shape)
        assert np.shares_memory(block, flat)  # splitting a contiguous axis is always a view
        if isinstance(feature, _Pooled):
            block[:, :-1] = feature.array
            np.sum(feature.array[:, feature.used], axis=1, out=block[:, -1])
        else:
            block[...] = feature
        at += size
    return names, shapes, flat


def unflatten(summed, names, shapes):
    """Replicates × columns sums back into named arrays: replicates × groups (× categories)."""
    out, at = {}, 0
    for name, shape in zip(names, shapes):
        size = int(np.prod(shape))
        out[name] = summed[:, at:at + size].reshape((len(summed),) + shape)
        at += size
    return out


def coefficients(agg, q, coefficients, w_matrix):
    """Coefficients from aggregates; every array is replicates × groups."""
    out = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        p_o = agg["agreeing"] / agg["pair"]
        pi = agg["share"] / agg["rated"][..., None]
        q = np.asarray(q, dtype=float)
        if "percent_agreement" in coefficients:
            out["percent_agreement"] = p_o
        if "percent_agreement_coded" in coefficients:
            out["percent_agreement_coded"] = agg["agreeing_coded"] / agg["pair_coded"]
        if "fleiss_kappa" in coefficients:
            p_e = (pi ** 2).sum(-1)
            out["fleiss_kappa"] = (p_o - p_e) / (1 - p_e)
        if "brennan_prediger" in coefficients:
            out["brennan_prediger"] = (p_o - 1 / q) / (1 - 1 / q)
        chance = (pi * (1 - pi)).sum(-1)
        if "gwet_ac1" in coefficients:
            p_e = chance / (q - 1)
            out["gwet_ac1"] = (p_o - p_e) / (1 - p_e)
        if "gwet_ac2" in coefficients:
            p_a = agg["agreeing_w"] / agg["pair"]
            p_e = w_matrix.sum() * chance / (q * (q - 1))
            out["gwet_ac2"] = (p_a - p_e) / (1 - p_e)
        if "krippendorff_alpha" in coefficients:
            n = agg["n"]
            # Nominal alpha = 1 - (n - 1)(n - sum_c o_cc) / (n^2 - sum_c n_c^2).
            out["krippendorff_alpha"] = 1 - (n - 1) * (n - agg["coincident"]) / (
                n ** 2 - (agg["n_k"] ** 2).sum(-1))
        for name in ("cohen_kappa", "weighted_kappa"):
            if name not in coefficients:
                continue
            if "both" not in agg:
                out[name] = np.full_like(p_o, np.nan)
                continue
            total = agg["both"]
            if name == "cohen_kappa":
                p_e = (agg["row"] * agg["col"]).sum(-1) / total ** 2
                out[name] = (agg["agree"] / total - p_e) / (1 - p_e)
            else:
                p_w = (agg["joint"] * w_matrix).sum(axis=(-2, -1)) / total
                expected = agg["row"][..., :, None] * agg["col"][..., None, :]
                p_e = (expected * w_matrix).sum(axis=(-2, -1)) / total ** 2
                out[name] = (p_w - p_e) / (1 - p_e)
    return {name: out[name] for name in coefficients}


def alpha_by_level(counts, scores, used, weights, level):
    """Non-nominal alpha from the ``krippendorff`` package: replicates × groups."""
    import krippendorff

    n_codes = counts.shape[1]
    stacked = [counts[:, k] for k in range(n_codes)]
    out = np.full((len(weights), n_codes + 1), np.nan)
    for r, w in enumerate(weights):
        for g in range(n_codes + 1):
            if g < n_codes:
                table, times = stacked[g], w
            else:
                if not used.any():
                    continue
                table = np.concatenate([stacked[k] for k in np.flatnonzero(used)])
                times = np.tile(w, int(used.sum()))
            keep = (table.sum(-1) >= 2) & (times > 0)
            table = np.repeat(table[keep], np.rint(times[keep]).astype(np.int64), axis=0)
            if len(table) == 0 or (table.sum(0) > 0).sum() < 2:
                continue
            out[r, g] = krippendorff.alpha(value_counts=table, value_domain=scores,
                                           level_of_measurement=level)
    return out
