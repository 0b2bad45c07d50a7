"""Agreement coefficients over reliability data: per code, pooled, with intervals.

Every coefficient is a function of weighted per-unit sums (pairs of ratings
that agree, category counts, ...), computed for all codes at once in one
vectorised pass; :mod:`plcase.agreement.bootstrap` reuses the same sums for
its replicates. The tests check this computation against scikit-learn,
statsmodels, the ``krippendorff`` package and published values (irrCAC,
Krippendorff 2011, Fleiss 1971).

Definitions
-----------
categories
    Ratings are nominal categories: numbers (0/1 for codes of a study) or
    text labels (the categories of a nominal variable from
    ``units(study, variable=[...])``). Weighted coefficients order them by
    value (numbers) or by ``categories=`` / sorted order (text).
pairable unit
    A unit rated by at least two coders (for a given code). Agreement is
    measured on pairable units only; ``n_units`` counts them (in characters for
    character units), or the coded pairable units for
    ``percent_agreement_coded``.
overall row
    The coefficient on the unit × code items pooled over every code that at
    least one coder applied (``n_codes`` of them); a code nobody applied stays
    out, so adding an unused code to the codebook does not change the figure.
chance agreement
    As in irrCAC (Gwet 2014): Fleiss' kappa, Gwet's AC1/AC2 and
    Brennan-Prediger take p_o from the pairable units and the category shares
    pi_k from every rated unit; q is the number of categories observed.
    Krippendorff's alpha uses pairable units only; Cohen's kappa the units
    both coders rated.

References
----------
Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
Annenberg School for Communication Departmental Papers 43.
Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
Psychological Bulletin 76(5), 378-382.
Cohen, J. (1968). Weighted kappa. Psychological Bulletin 70(4), 213-220.
Gwet, K. L. (2014). Handbook of Inter-Rater Reliability (4th ed.), ch. 2-4
(the multiple-rater formulas with missing ratings implemented by irrCAC).
Brennan, R. L. & Prediger, D. J. (1981). Coefficient kappa: some uses, misuses
and alternatives. Educational and Psychological Measurement 41, 687-699.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd

from plcase.agreement.bootstrap import percentile_interval, replicate_sums
from plcase.agreement.reasons import coders_rating
from plcase.agreement.reasons import reasons as reasons_for
from plcase.agreement.statistics import alpha_by_level, flatten, unflatten
from plcase.agreement.statistics import coefficients as coefficients_from
from plcase.agreement.statistics import features
from plcase.agreement.tables import LEVELS, WEIGHTS, agreement_weights
from plcase.agreement.units import NO_CODE, _require_known
from plcase.config import RANDOM_STATE
from plcase.errors import PlcaseError
from plcase.schema import require_columns

__all__ = ["OVERALL", "COEFFICIENTS", "WEIGHTED_COEFFICIENTS", "RESULT_COLUMNS", "agreement",
           "percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha",
           "brennan_prediger", "gwet_ac1", "weighted_kappa", "gwet_ac2"]

#: Label of the row pooled over codes.
OVERALL = "(overall)"
#: Coefficient names, in the order :func:`agreement` reports them by default.
COEFFICIENTS = ("percent_agreement", "percent_agreement_coded", "cohen_kappa",
                "fleiss_kappa", "krippendorff_alpha", "brennan_prediger", "gwet_ac1")
#: Coefficients for ordered categories, computed on request with ``weights=``.
WEIGHTED_COEFFICIENTS = ("weighted_kappa", "gwet_ac2")
#: Columns of every coefficient frame.
RESULT_COLUMNS = ["unit", "scope", "roles_left_out", "coders", "code", "coefficient", "value",
                  "ci_low", "ci_high", "n_units", "n_coders", "n_codes", "reason", "resampled",
                  "n_boot_valid", "ci_reason"]


def agreement(units: pd.DataFrame, *, coefficients: Sequence[str] | None = None,
              coders: Sequence[str] | None = None,
              pairs: bool | Sequence[tuple[str, str]] = False, level: str = "nominal",
              weights: str = "quadratic", categories: Sequence | None = None,
              ci: float | None = None, n_boot: int = 1000,
              random_state: int | None = RANDOM_STATE,
              cluster: str | None = "doc_id") -> pd.DataFrame:
    """Every agreement coefficient, per code and overall, in one long frame.

    Parameters
    ----------
    units : DataFrame
        Reliability data as returned by :func:`plcase.agreement.units`: at
        least ``unit_id, coder, code, value`` (``weight`` defaults to 1;
        ``unit``, ``scope`` and ``roles_left_out`` are carried into the result
        when present). ``value`` holds numbers or text category labels, NaN
        where a coder did not rate a unit.
    coefficients : sequence of str, optional
        Names from :data:`COEFFICIENTS` and :data:`WEIGHTED_COEFFICIENTS`;
        default :data:`COEFFICIENTS`.
    coders : sequence of str, optional
        Restrict to these coders (default every coder in ``units``).
    pairs : bool or sequence of (str, str), default False
        False: one comparison among all coders. True: every pair of coders
        separately. A sequence of pairs: exactly those pairs, for example
        ``[("ana", "ben"), ("ana", "auto:rules")]`` to put machine-human
        agreement next to human-human agreement.
    level : {"nominal", "ordinal", "interval", "ratio"}, default "nominal"
        Level of measurement for Krippendorff's alpha (the other unweighted
        coefficients are nominal). Binary codes give the same alpha at every
        level.
    weights : {"quadratic", "linear", "identity"}, default "quadratic"
        Agreement weights of ``weighted_kappa`` and ``gwet_ac2`` (irrCAC's
        definitions; "identity" gives Cohen's kappa and AC1).
    categories : sequence, optional
        The categories in order, for weights and for q (the number of
        categories of AC1/AC2 and Brennan-Prediger). Default: the categories
        observed, sorted.
    ci : float, optional
        Confidence level of percentile bootstrap intervals (for example 0.95);
        default no interval (``ci_low``/``ci_high`` NaN).
    n_boot : int, default 1000
        Number of bootstrap replicates.
    random_state : int, optional
        Seed of the bootstrap, so intervals are reproducible.
    cluster : str or None, default "doc_id"
        Column whose groups the bootstrap resamples (a cluster bootstrap):
        by default whole documents, because passages of one interview are not
        independent. None resamples units. When the default column is absent
        (hand-built frames), units are resampled. ``resampled`` says which.

    Returns
    -------
    DataFrame
        One row per comparison × coefficient × code (codes in ``units``
        order, then :data:`OVERALL`) with columns :data:`RESULT_COLUMNS`.
        ``n_units`` counts pairable units (characters for character units),
        ``n_coders`` the coders with a rating on them, ``n_codes`` the codes
        pooled. ``value`` is NaN exactly where ``reason`` says why.
        ``resampled`` is "documents" (or the ``cluster`` column's groups) or
        "units"; ``n_boot_valid`` counts the replicates on which the
        coefficient was defined; ``ci_reason`` says why an interval is
        missing though ``value`` is defined.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"unit_id": [1, 1, 2, 2, 3, 3, 4, 4],
    ...                       "coder": ["a", "b"] * 4, "code": "glow",
    ...                       "value": [1, 1, 0, 0, 1, 0, 0, 0]})
    >>> table = agreement(frame, coefficients=["percent_agreement", "cohen_kappa"])
    >>> table[["code", "coefficient", "value"]].round(3).values.tolist()
    [['glow', 'percent_agreement', 0.75], ['(overall)', 'percent_agreement', 0.75], \
['glow', 'cohen_kappa', 0.5], ['(overall)', 'cohen_kappa', 0.5]]
    """
    coefficients = list(COEFFICIENTS if coefficients is None else coefficients)
    known = COEFFICIENTS + WEIGHTED_COEFFICIENTS
    unknown = [c for c in coefficients if c not in known]
    if unknown:
        raise PlcaseError(f"unknown coefficient(s) {', '.join(map(repr, unknown))}; "
                          f"choose from {', '.join(known)}")
    if level not in LEVELS:
        raise PlcaseError(f"unknown level {level!r}; choose one of {', '.join(LEVELS)}")
    if weights not in WEIGHTS:
        raise PlcaseError(f"unknown weights {weights!r}; choose one of {', '.join(WEIGHTS)}")
    if ci is not None and not 0 < ci < 1:
        raise PlcaseError(f"ci must be between 0 and 1 (for example 0.95), not {ci!r}")
    if int(n_boot) < 1:
        raise PlcaseError(f"n_boot must be a positive number of replicates, not {n_boot!r}")
    require_columns(units, ["unit_id", "coder", "code", "value"], "units")
    if cluster is not None and cluster not in units.columns:
        if cluster != "doc_id":
            raise PlcaseError(f"cluster={cluster!r} is not a column of the units frame; "
                              f"its columns are {', '.join(map(repr, units.columns))}")
        cluster = None
    present = list(pd.unique(units["coder"]))
    chosen = present if coders is None else list(coders)
    _require_known(chosen, present, "coder", "coders in the units frame")

    if pairs is True:
        groups = [list(p) for p in combinations(chosen, 2)]
    elif pairs is False or pairs is None:
        groups = [chosen]
    else:
        groups = [list(p) for p in pairs]
        for group in groups:
            _require_known(group, present, "coder", "coders in the units frame")
    if not groups:
        groups = [chosen]
    options = dict(coefficients=coefficients, level=level, weights=weights,
                   categories=categories, ci=ci, n_boot=int(n_boot),
                   random_state=random_state, cluster=cluster)
    frames = [_agreement_one(units, group, **options) for group in groups]
    return pd.concat(frames, ignore_index=True)[RESULT_COLUMNS]


def percent_agreement(units: pd.DataFrame, *, coded_only: bool = False,
                      coders: Sequence[str] | None = None, ci: float | None = None,
                      n_boot: int = 1000, random_state: int | None = RANDOM_STATE,
                cluster: str | None = "doc_id") -> pd.DataFrame:
    """Proportion of agreeing coder pairs per unit, averaged over units.

    With two coders this is the share of units on which they agree. With more,
    each unit contributes the share of its coder pairs that agree (Fleiss'
    observed agreement).

    Parameters
    ----------
    units : DataFrame
        Reliability data (see :func:`units`).
    coded_only : bool, default False
        Leave out units to which no coder applied the code (every rating 0).
        Uncoded text agrees trivially; comparing the two figures shows how
        much of the raw agreement it supplies. The coefficient is then named
        ``"percent_agreement_coded"``.
    coders, ci, n_boot, random_state, cluster
        As in :func:`agreement`.

    Returns
    -------
    DataFrame
        Columns :data:`RESULT_COLUMNS`, one row per code plus :data:`OVERALL`.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"unit_id": [1, 1, 2, 2, 3, 3, 4, 4],
    ...                       "coder": ["a", "b"] * 4, "code": "glow",
    ...                       "value": [1, 1, 0, 0, 1, 0, 0, 0]})
    >>> percent_agreement(frame)["value"].tolist()
    [0.75, 0.75]
    >>> percent_agreement(frame, coded_only=True)["value"].tolist()
    [0.5, 0.5]
    """
    name = "percent_agreement_coded" if coded_only else "percent_agreement"
    return agreement(units, coefficients=[name], coders=coders, ci=ci, n_boot=n_boot,
                     random_state=random_state, cluster=cluster)


def cohen_kappa(units: pd.DataFrame, *, coders: Sequence[str] | None = None,
                ci: float | None = None, n_boot: int = 1000,
                random_state: int | None = RANDOM_STATE,
                cluster: str | None = "doc_id") -> pd.DataFrame:
    """Cohen's kappa between exactly two coders, per code and overall.

    kappa = (p_o - p_e) / (1 - p_e), with p_e from each coder's own marginal
    distribution, on the units both coders rated. Agrees with
    :func:`sklearn.metrics.cohen_kappa_score` (tested); computed here from
    weighted counts so character runs and the bootstrap stay fast.

    Parameters
    ----------
    units : DataFrame
        Reliability data (see :func:`units`).
    coders : (str, str), optional
        The two coders; required when ``units`` holds more than two. With any
        other number of coders the value is NaN and ``reason`` says so.
    ci, n_boot, random_state, cluster
        As in :func:`agreement`.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"unit_id": [1, 1, 2, 2, 3, 3, 4, 4],
    ...                       "coder": ["a", "b"] * 4, "code": "glow",
    ...                       "value": [1, 1, 0, 0, 1, 0, 0, 0]})
    >>> cohen_kappa(frame)["value"].tolist()
    [0.5, 0.5]
    """
    return agreement(units, coefficients=["cohen_kappa"], coders=coders, ci=ci,
                     n_boot=n_boot, random_state=random_state, cluster=cluster)


def fleiss_kappa(units: pd.DataFrame, *, coders: Sequence[str] | None = None,
                 ci: float | None = None, n_boot: int = 1000,
                 random_state: int | None = RANDOM_STATE,
                cluster: str | None = "doc_id") -> pd.DataFrame:
    """Fleiss' kappa for any number of coders, missing ratings allowed.

    p_o is the mean share of agreeing coder pairs over units rated by two or
    more coders; p_e = sum_k pi_k^2 with pi_k the mean share of ratings in
    category k over rated units (Gwet 2014, the irrCAC ``fleiss.kappa.raw``
    formulas). With complete data this is Fleiss (1971) and equals
    :func:`statsmodels.stats.inter_rater.fleiss_kappa` (tested); statsmodels
    itself needs the same number of ratings on every unit, which a coder who
    skipped a document breaks.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"unit_id": [1, 1, 2, 2, 3, 3, 4, 4],
    ...                       "coder": ["a", "b"] * 4, "code": "glow",
    ...                       "value": [1, 1, 0, 0, 1, 0, 0, 0]})
    >>> fleiss_kappa(frame)["value"].round(4).tolist()
    [0.4667, 0.4667]
    """
    return agreement(units, coefficients=["fleiss_kappa"], coders=coders, ci=ci,
                     n_boot=n_boot, random_state=random_state, cluster=cluster)


def krippendorff_alpha(units: pd.DataFrame, *, level: str = "nominal",
                       coders: Sequence[str] | None = None, ci: float | None = None,
                       n_boot: int = 1000,
                       random_state: int | None = RANDOM_STATE,
                cluster: str | None = "doc_id") -> pd.DataFrame:
    """Krippendorff's alpha for any number of coders with missing ratings.

    alpha = 1 - D_o / D_e from the coincidence matrix of the pairable units
    (Krippendorff 2011). The nominal alpha is computed from weighted counts
    and equals :func:`krippendorff.alpha` (tested); other levels are passed to
    the ``krippendorff`` package. A non-nominal coefficient is named
    ``"krippendorff_alpha_<level>"``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"unit_id": [1, 1, 2, 2, 3, 3, 4, 4],
    ...                       "coder": ["a", "b"] * 4, "code": "glow",
    ...                       "value": [1, 1, 0, 0, 1, 0, 0, 0]})
    >>> krippendorff_alpha(frame)["value"].round(4).tolist()
    [0.5333, 0.5333]
    """
    return agreement(units, coefficients=["krippendorff_alpha"], coders=coders, level=level,
                     ci=ci, n_boot=n_boot, random_state=random_state, cluster=cluster)


def brennan_prediger(units: pd.DataFrame, *, coders: Sequence[str] | None = None,
                     ci: float | None = None, n_boot: int = 1000,
                     random_state: int | None = RANDOM_STATE,
                cluster: str | None = "doc_id") -> pd.DataFrame:
    """Brennan and Prediger's (1981) free-marginal kappa, any number of coders.

    p_e = 1/q with q the number of categories; p_o as in :func:`fleiss_kappa`.
    With complete data this equals statsmodels' ``fleiss_kappa(...,
    method="randolph")`` (tested). Written here because no library accepts
    missing ratings or unit weights for it.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"unit_id": [1, 1, 2, 2, 3, 3, 4, 4],
    ...                       "coder": ["a", "b"] * 4, "code": "glow",
    ...                       "value": [1, 1, 0, 0, 1, 0, 0, 0]})
    >>> brennan_prediger(frame)["value"].tolist()
    [0.5, 0.5]
    """
    return agreement(units, coefficients=["brennan_prediger"], coders=coders, ci=ci,
                     n_boot=n_boot, random_state=random_state, cluster=cluster)


def gwet_ac1(units: pd.DataFrame, *, coders: Sequence[str] | None = None,
             ci: float | None = None, n_boot: int = 1000,
             random_state: int | None = RANDOM_STATE,
                cluster: str | None = "doc_id") -> pd.DataFrame:
    """Gwet's AC1, any number of coders, missing ratings allowed.

    p_e = sum_k pi_k (1 - pi_k) / (q - 1), pi_k as in :func:`fleiss_kappa`
    (Gwet 2014; irrCAC ``gwet.ac1.raw``). Hand-written because no maintained
    Python library implements AC1; tested against irrCAC's published values.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"unit_id": [1, 1, 2, 2, 3, 3, 4, 4],
    ...                       "coder": ["a", "b"] * 4, "code": "glow",
    ...                       "value": [1, 1, 0, 0, 1, 0, 0, 0]})
    >>> gwet_ac1(frame)["value"].round(4).tolist()
    [0.5294, 0.5294]
    """
    return agreement(units, coefficients=["gwet_ac1"], coders=coders, ci=ci,
                     n_boot=n_boot, random_state=random_state, cluster=cluster)


def weighted_kappa(units: pd.DataFrame, *, weights: str = "quadratic",
                   categories: Sequence | None = None, coders: Sequence[str] | None = None,
                   ci: float | None = None, n_boot: int = 1000,
                   random_state: int | None = RANDOM_STATE,
                   cluster: str | None = "doc_id") -> pd.DataFrame:
    """Cohen's weighted kappa between two coders, for ordered categories.

    kappa_w = (p_o - p_e) / (1 - p_e), p_o = sum_kl w_kl p_kl and
    p_e = sum_kl w_kl p_k. p_.l on the units both coders rated (Cohen 1968;
    irrCAC's weights, see :func:`plcase.agreement.agreement_weights`). The
    coefficient is named ``"weighted_kappa_<weights>"``.

    Parameters
    ----------
    weights : {"quadratic", "linear", "identity"}, default "quadratic"
    categories : sequence, optional
        The categories in order (needed for text labels whose sorted order is
        not their order).
    coders, ci, n_boot, random_state, cluster
        As in :func:`agreement`.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"unit_id": [1, 1, 2, 2, 3, 3], "coder": ["a", "b"] * 3,
    ...                       "code": "grade", "value": ["low", "mid", "mid", "mid", "high",
    ...                                                  "high"]})
    >>> weighted_kappa(frame, weights="linear", categories=["low", "mid", "high"]
    ...                )["value"].round(4).tolist()
    [0.5714, 0.5714]
    """
    return agreement(units, coefficients=["weighted_kappa"], weights=weights,
                     categories=categories, coders=coders, ci=ci, n_boot=n_boot,
                     random_state=random_state, cluster=cluster)


def gwet_ac2(units: pd.DataFrame, *, weights: str = "quadratic",
             categories: Sequence | None = None, coders: Sequence[str] | None = None,
             ci: float | None = None, n_boot: int = 1000,
             random_state: int | None = RANDOM_STATE,
             cluster: str | None = "doc_id") -> pd.DataFrame:
    """Gwet's AC2 for ordered categories, any number of coders, missing ratings allowed.

    p_o = mean over pairable units of sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1)),
    r*_ik = sum_l w_kl r_il; p_e = sum(w) sum_k pi_k (1 - pi_k) / (q (q - 1))
    (Gwet 2014; irrCAC ``gwet.ac1.raw`` with ``weights``). Tested against
    irrCAC's values. The coefficient is named ``"gwet_ac2_<weights>"``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"unit_id": [1, 1, 2, 2, 3, 3], "coder": ["a", "b"] * 3,
    ...                       "code": "grade", "value": [1, 2, 2, 2, 3, 3]})
    >>> gwet_ac2(frame, weights="linear")["value"].round(4).tolist()
    [0.6604, 0.6604]
    """
    return agreement(units, coefficients=["gwet_ac2"], weights=weights, categories=categories,
                     coders=coders, ci=ci, n_boot=n_boot, random_state=random_state,
                     cluster=cluster)


# --------------------------------------------------------------------------- computation

def _agreement_one(frame, coders, *, coefficients, level, weights, categories, ci, n_boot,
                   random_state, cluster):
    """All requested coefficients for one set of coders."""
    frame = frame[frame["coder"].isin(coders)]
    unit_index, _ = pd.factorize(frame["unit_id"])
    code_index, code_names = pd.factorize(frame["code"])
    coder_pos = {c: i for i, c in enumerate(coders)}
    coder_index = frame["coder"].map(coder_pos).to_numpy(dtype=np.int64)
    n_units, n_coders, n_codes = int(unit_index.max(initial=-1)) + 1, len(coders), len(code_names)
    key = (unit_index.astype(np.int64) * n_coders + coder_index) * max(n_codes, 1) + code_index
    duplicated = pd.Series(key).duplicated().to_numpy()
    if duplicated.any():
        dup = frame[duplicated].iloc[0]
        raise PlcaseError(f"units frame has more than one value for unit {dup['unit_id']!r}, "
                          f"coder {dup['coder']!r}, code {dup['code']!r}; keep one row per "
                          f"unit × coder × code")
    scale = _Scale.of(frame["value"], categories)
    values = np.full((n_units, n_coders, n_codes), np.nan)
    values[unit_index, coder_index, code_index] = scale.ratings
    weight = np.ones(n_units)
    if "weight" in frame.columns:
        weight[unit_index] = frame["weight"].to_numpy(dtype=float)
    groups = None
    if cluster is not None:
        cluster_codes, _ = pd.factorize(frame[cluster])
        groups = np.zeros(n_units, dtype=np.int64)
        groups[unit_index] = cluster_codes
        if (groups[unit_index] != cluster_codes).any():
            raise PlcaseError(f"a unit lies in more than one {cluster!r}; the bootstrap "
                              f"resamples whole groups of {cluster!r}, so each unit needs one")

    result = _evaluate(values, scale, weight, groups, coefficients, level, weights, ci, n_boot,
                       random_state)
    result.insert(0, "code", np.tile(list(code_names) + [OVERALL], len(coefficients)))
    result.insert(0, "coders", " vs ".join(map(str, coders)))
    for column in ("roles_left_out", "scope", "unit"):
        label = np.nan
        if column in frame.columns and frame[column].nunique() == 1:
            label = frame[column].iloc[0]
        result.insert(0, column, label)
    if ci is not None:
        result["resampled"] = ("units" if cluster is None else "documents" if cluster == "doc_id"
                               else f"groups of {cluster}")
    return result


class _Scale:
    """The categories of the ratings: labels, numeric scores, and the 'not coded' one."""

    def __init__(self, labels, scores, ratings, absent, fixed):
        self.labels, self.scores, self.ratings = labels, scores, ratings
        self.absent, self.fixed = absent, fixed

    @classmethod
    def of(cls, series: pd.Series, categories) -> "_Scale":
        present = series.notna().to_numpy()
        numeric = pd.to_numeric(series, errors="coerce")
        is_numeric = bool((numeric.notna().to_numpy() == present).all())
        if is_numeric:
            raw = numeric.to_numpy(dtype=float)
            observed = np.sort(pd.unique(raw[present]))
            labels = np.array(sorted(categories), dtype=float) if categories is not None \
                else observed
        else:
            raw = series.astype(object).where(series.notna(), None).to_numpy()
            observed = sorted(pd.unique(series[present].astype(str)))
            labels = np.array(list(categories) if categories is not None else observed,
                              dtype=object)
        missing = [c for c in observed if c not in set(labels.tolist())]
        if missing:
            raise PlcaseError(f"value(s) {', '.join(map(repr, missing))} are not among the "
                              f"categories {list(labels)!r}; list every category")
        position = {c: i for i, c in enumerate(labels.tolist())}
        if is_numeric:
            ratings = np.where(present, np.searchsorted(labels, np.where(present, raw, labels[0]
                                                                         if len(labels) else 0)),
                               np.nan)
        else:
            codes = pd.Categorical(series.astype(object).where(series.notna(), None)
                                   .map(lambda v: v if v is None else str(v)),
                                   categories=[str(c) for c in labels]).codes
            ratings = np.where(codes >= 0, codes, np.nan).astype(float)
        scores = labels.astype(float) if is_numeric else np.arange(len(labels), dtype=float)
        absent = position.get(0.0 if is_numeric else NO_CODE)
        return cls(labels, scores, ratings, absent, categories is not None)

    def label(self, index):
        value = self.labels[index]
        return float(value) if isinstance(value, (np.floating, float)) else value


def _evaluate(values, scale, weight, groups, coefficients, level, weights, ci, n_boot,
              random_state):
    """Point estimates, bootstrap intervals and reasons for every code and overall.

    ``values`` is units × coders × codes of category positions (NaN missing).
    """
    n_units, n_coders, n_codes = values.shape
    k = len(scale.labels)
    rated_value = ~np.isnan(values)
    not_absent = rated_value & (values != (scale.absent if scale.absent is not None else -1))
    # Codes nobody applied stay out of the pooled row (see the module docstring).
    used = not_absent.any(axis=(0, 1))
    w_matrix = agreement_weights(scale.scores, weights) if k else np.zeros((0, 0))
    per_unit, counts = features(values, k, used, scale.absent, w_matrix, coefficients)

    names, shapes, stats = flatten(per_unit)
    point = unflatten(weight[None, :] @ stats, names, shapes)
    q = np.full(n_codes + 1, k) if scale.fixed else (point["share"][0] > 0).sum(-1)
    estimates = coefficients_from(point, q, coefficients, w_matrix)
    if level != "nominal" and "krippendorff_alpha" in coefficients:
        estimates["krippendorff_alpha"] = alpha_by_level(counts, scale.scores, used,
                                                          weight[None, :], level)
    reasons = reasons_for(values, point, scale, used, coefficients)

    n_groups = n_codes + 1
    low = {c: np.full(n_groups, np.nan) for c in coefficients}
    high = {c: np.full(n_groups, np.nan) for c in coefficients}
    n_valid = {c: np.zeros(n_groups, dtype=np.int64) for c in coefficients}
    ci_reason = {c: np.full(n_groups, np.nan, dtype=object) for c in coefficients}
    if ci is not None and n_units:
        rated = rated_value.any(axis=(1, 2))
        cluster = None
        if groups is not None:
            cluster = pd.factorize(groups[rated])[0]
        if cluster is not None and cluster.max(initial=-1) < 1:
            for name in coefficients:
                ci_reason[name][:] = "only one document to resample; no interval"
        else:
            replicates = _bootstrap(stats[rated], weight[rated], cluster, counts[rated], names,
                                    shapes, q, w_matrix, scale, used, coefficients, level,
                                    n_boot, random_state,
                                    _patterns(values[rated]) if cluster is None else None)
            for name in coefficients:
                low[name], high[name], n_valid[name], ci_reason[name] = percentile_interval(
                    replicates[name], ci)

    n_units_col = np.append(point["pair"][0][:n_codes], point["pair_any"][0])
    n_units_coded = np.append(point["pair_coded"][0][:n_codes], point["pair_coded_any"][0])
    n_units_both = np.append(point["both"][0][:n_codes], point["both_any"][0]) \
        if "both" in point else np.zeros(n_groups)
    rating = coders_rating(values, used)
    rows = []
    for name in coefficients:
        value = estimates[name][0]
        reason = reasons[name]
        value = np.where(pd.isna(reason), value, np.nan)
        undefined = ~np.isfinite(value) & pd.isna(reason)
        reason = np.where(undefined, "undefined: expected agreement is 1", reason)
        two_coder = name in ("cohen_kappa", "weighted_kappa")
        n = n_units_both if two_coder else n_units_coded if name == "percent_agreement_coded" \
            else n_units_col
        defined = np.isfinite(value)
        rows.append(pd.DataFrame({
            "coefficient": _coefficient_label(name, level, weights),
            "value": value,
            "ci_low": np.where(defined, low[name], np.nan),
            "ci_high": np.where(defined, high[name], np.nan),
            "n_units": np.rint(n).astype(np.int64),
            "n_coders": np.full(n_groups, n_coders) if two_coder else rating,
            "n_codes": np.append(np.ones(n_codes, dtype=np.int64), used.sum()),
            "reason": pd.Series(reason, dtype=object).where(pd.notna(reason), np.nan),
            "resampled": np.nan,
            "n_boot_valid": pd.array([int(v) if d and ci is not None else pd.NA
                                      for v, d in zip(n_valid[name], defined)], dtype="Int64"),
            "ci_reason": pd.Series(np.where(defined, ci_reason[name], np.nan), dtype=object)
            .where(lambda s: s.map(lambda v: isinstance(v, str)), np.nan),
        }))
    return pd.concat(rows, ignore_index=True)


def _coefficient_label(name, level, weights):
    if name == "krippendorff_alpha" and level != "nominal":
        return f"krippendorff_alpha_{level}"
    if name in WEIGHTED_COEFFICIENTS:
        return f"{name}_{weights}"
    return name


def _patterns(values):
    """One integer per unit, equal for units whose ratings are identical."""
    flat = np.nan_to_num(values.reshape(len(values), -1), nan=-1.0).astype(np.int64)
    return np.unique(flat, axis=0, return_inverse=True)[1].ravel()


def _bootstrap(stats, weight, cluster, counts, names, shapes, q, w_matrix, scale, used,
               coefficients, level, n_boot, random_state, pattern=None):
    """Coefficients on ``n_boot`` resamples of the rated units (replicates × groups)."""
    rng = np.random.default_rng(random_state)
    by_level = level != "nominal" and "krippendorff_alpha" in coefficients
    chunks = {name: [] for name in coefficients}
    for sums, unit_weights, rows in replicate_sums(stats, weight, cluster, n_boot, rng,
                                                   unit_weights=by_level, pattern=pattern):
        values = coefficients_from(unflatten(sums, names, shapes), q, coefficients, w_matrix)
        if by_level:
            values["krippendorff_alpha"] = alpha_by_level(
                counts if rows is None else counts[rows], scale.scores, used, unit_weights,
                level)
        for name in coefficients:
            chunks[name].append(values[name])
    return {name: np.concatenate(parts) for name, parts in chunks.items()}


