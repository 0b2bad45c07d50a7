"""Coefficients of raw tables: two-coder contingency tables, count tables, coder matrices.

Thin, tested wrappers around scikit-learn, statsmodels and the ``krippendorff``
package (plus the two one-line coefficients no maintained Python library
offers), for data a researcher already holds as a table rather than as
codings.
"""

from __future__ import annotations

import numpy as np

from plcase.errors import PlcaseError

__all__ = ["LEVELS", "percent_agreement_table", "cohen_kappa_table", "weighted_kappa_table",
           "gwet_ac1_table", "brennan_prediger_table", "fleiss_kappa_counts",
           "krippendorff_alpha_matrix", "agreement_weights", "WEIGHTS"]

#: Levels of measurement of Krippendorff's alpha.
LEVELS = ("nominal", "ordinal", "interval", "ratio")
#: Agreement weights of the weighted coefficients (see :func:`agreement_weights`).
WEIGHTS = ("identity", "linear", "quadratic")


def _contingency(table) -> np.ndarray:
    table = np.asarray(table, dtype=float)
    if table.ndim != 2 or table.shape[0] != table.shape[1] or table.shape[0] < 2:
        raise PlcaseError(f"a contingency table must be square with at least two categories "
                          f"(coder 1 in rows, coder 2 in columns); got shape {table.shape}")
    if (table < 0).any() or not np.isfinite(table).all():
        raise PlcaseError("a contingency table holds counts: finite and non-negative")
    return table


def percent_agreement_table(table) -> float:
    """Share of units on the diagonal of a two-coder contingency table.

    Examples
    --------
    >>> percent_agreement_table([[20, 5], [10, 15]])
    0.7
    """
    table = _contingency(table)
    total = table.sum()
    return float(np.trace(table) / total) if total else float("nan")


def cohen_kappa_table(table) -> float:
    """Cohen's kappa of a two-coder contingency table, via scikit-learn.

    Parameters
    ----------
    table : array-like, k × k
        Counts of units: coder 1's category in rows, coder 2's in columns.

    Returns
    -------
    float
        Kappa, or NaN when it is undefined (chance agreement 1: both coders
        used one and the same category throughout).

    Examples
    --------
    >>> round(cohen_kappa_table([[20, 5], [10, 15]]), 2)
    0.4
    """
    from sklearn.metrics import cohen_kappa_score

    table = _contingency(table)
    total = table.sum()
    if total == 0:
        return float("nan")
    p_e = (table.sum(1) * table.sum(0)).sum() / total ** 2
    if np.isclose(p_e, 1.0):
        return float("nan")
    first, second = np.indices(table.shape)
    cells = table.ravel() > 0
    return float(cohen_kappa_score(first.ravel()[cells], second.ravel()[cells],
                                   labels=list(range(table.shape[0])),
                                   sample_weight=table.ravel()[cells]))


def weighted_kappa_table(table, weights: str = "quadratic", scores=None) -> float:
    """Weighted kappa of a two-coder contingency table of ordered categories.

    kappa_w = (p_o - p_e) / (1 - p_e) with p_o = sum_kl w_kl p_kl and
    p_e = sum_kl w_kl p_k. p_.l (Cohen 1968; irrCAC ``kappa2.table`` with
    ``weights``). Agreement weights w_kl = 1 - |x_k - x_l| / (max - min)
    (linear) or 1 - (x_k - x_l)^2 / (max - min)^2 (quadratic), with x the
    category scores (default 1, 2, ..., k), as irrCAC defines them.

    Examples
    --------
    >>> round(weighted_kappa_table([[13, 0, 0], [0, 20, 7], [0, 4, 56]], "linear"), 4)
    0.8429
    """
    table = _contingency(table)
    total = table.sum()
    if total == 0:
        return float("nan")
    w = agreement_weights(np.arange(1, len(table) + 1) if scores is None else scores, weights)
    p = table / total
    p_o = (w * p).sum()
    p_e = (w * np.outer(p.sum(1), p.sum(0))).sum()
    return float((p_o - p_e) / (1 - p_e)) if not np.isclose(p_e, 1.0) else float("nan")


def agreement_weights(scores, weights: str = "quadratic") -> np.ndarray:
    """Agreement weights between ordered categories, as irrCAC defines them.

    Parameters
    ----------
    scores : array-like
        The categories' numeric values (or their ranks), in order.
    weights : {"identity", "linear", "quadratic"}

    Examples
    --------
    >>> agreement_weights([1, 2, 3], "linear").tolist()
    [[1.0, 0.5, 0.0], [0.5, 1.0, 0.5], [0.0, 0.5, 1.0]]
    """
    scores = np.asarray(scores, dtype=float)
    if weights not in WEIGHTS:
        raise PlcaseError(f"unknown weights {weights!r}; choose one of {', '.join(WEIGHTS)}")
    distance = np.abs(scores[:, None] - scores[None, :])
    span = scores.max() - scores.min() if len(scores) > 1 else 0.0
    if weights == "identity" or span == 0:
        return np.eye(len(scores))
    if weights == "linear":
        return 1 - distance / span
    return 1 - (distance / span) ** 2


def gwet_ac1_table(table) -> float:
    """Gwet's AC1 of a two-coder contingency table.

    p_e = sum_k pi_k (1 - pi_k) / (q - 1) with pi_k the mean of the two
    coders' shares of category k (Gwet 2008; irrCAC ``gwet.ac1.table``).
    Hand-written: no maintained Python library implements AC1.

    Examples
    --------
    >>> round(gwet_ac1_table([[13, 0, 0], [0, 20, 7], [0, 4, 56]]), 7)
    0.8493305
    """
    table = _contingency(table)
    total = table.sum()
    if total == 0:
        return float("nan")
    q = table.shape[0]
    pi = (table.sum(0) + table.sum(1)) / (2 * total)
    p_e = (pi * (1 - pi)).sum() / (q - 1)
    p_o = np.trace(table) / total
    return float((p_o - p_e) / (1 - p_e)) if not np.isclose(p_e, 1.0) else float("nan")


def brennan_prediger_table(table) -> float:
    """Brennan and Prediger's kappa of a two-coder contingency table (p_e = 1/q).

    Hand-written (one line): statsmodels' ``method="randolph"`` computes the
    same coefficient but only from per-unit count tables.

    Examples
    --------
    >>> round(brennan_prediger_table([[13, 0, 0], [0, 20, 7], [0, 4, 56]]), 3)
    0.835
    """
    table = _contingency(table)
    q = table.shape[0]
    return float((percent_agreement_table(table) - 1 / q) / (1 - 1 / q))


def fleiss_kappa_counts(counts, method: str = "fleiss") -> float:
    """Fleiss' kappa of a units × categories count table, via statsmodels.

    Parameters
    ----------
    counts : array-like, units × categories
        How many coders put each unit in each category; every unit needs the
        same number of ratings (use :func:`fleiss_kappa` on a units frame when
        ratings are missing).
    method : {"fleiss", "randolph"}, default "fleiss"
        "randolph" gives the free-marginal (Brennan-Prediger) kappa.

    Examples
    --------
    >>> round(fleiss_kappa_counts([[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6],
    ...                            [0, 3, 9, 2, 0], [2, 2, 8, 1, 1], [7, 7, 0, 0, 0],
    ...                            [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0],
    ...                            [0, 2, 2, 3, 7]]), 3)
    0.21
    """
    from statsmodels.stats.inter_rater import fleiss_kappa as _statsmodels_fleiss

    counts = np.asarray(counts, dtype=float)
    if counts.ndim != 2 or len(counts) == 0:
        raise PlcaseError(f"counts must be a units × categories table; got shape {counts.shape}")
    per_unit = counts.sum(1)
    if not np.all(per_unit == per_unit[0]):
        raise PlcaseError("every unit needs the same number of ratings for this Fleiss' kappa; "
                          "use plcase.agreement.fleiss_kappa on a units frame for missing ratings")
    if per_unit[0] < 2:
        return float("nan")
    shares = counts.sum(0) / counts.sum()
    if method == "fleiss" and np.isclose((shares ** 2).sum(), 1.0):
        return float("nan")
    return float(_statsmodels_fleiss(counts, method=method))


def krippendorff_alpha_matrix(data, level: str = "nominal") -> float:
    """Krippendorff's alpha of a coders × units matrix, via the ``krippendorff`` package.

    Parameters
    ----------
    data : array-like, coders × units
        Ratings, NaN where a coder did not rate a unit.
    level : {"nominal", "ordinal", "interval", "ratio"}, default "nominal"

    Returns
    -------
    float
        Alpha, or NaN when fewer than two distinct values occur in pairable
        units (alpha is then undefined).

    Examples
    --------
    >>> nan = float("nan")
    >>> data = [[nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
    ...         [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
    ...         [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4]]
    >>> round(krippendorff_alpha_matrix(data), 6)
    0.691358
    """
    import krippendorff

    if level not in LEVELS:
        raise PlcaseError(f"unknown level {level!r}; choose one of {', '.join(LEVELS)}")
    data = np.asarray(data, dtype=float)
    if data.ndim != 2:
        raise PlcaseError(f"data must be a coders × units matrix; got shape {data.shape}")
    pairable = (~np.isnan(data)).sum(0) >= 2
    if len(np.unique(data[:, pairable][~np.isnan(data[:, pairable])])) < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))
