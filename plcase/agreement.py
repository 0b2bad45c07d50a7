"""Inter-coder agreement: reliability units, every common coefficient, disagreements.

The workflow has three steps, each a function over a tidy frame:

1. :func:`units` turns a study's codings into *reliability data*: one row per
   unit × coder × code, ``value`` 1 where a coding of that coder overlaps the
   unit, 0 where the coder coded the document but not that unit, and missing
   (NaN) where the coder never coded the document. The researcher chooses the
   unit: ``"passage"`` (speaker turn), ``"sentence"``, ``"document"`` or
   ``"character"``.
2. A coefficient function (:func:`percent_agreement`, :func:`cohen_kappa`,
   :func:`fleiss_kappa`, :func:`krippendorff_alpha`, :func:`brennan_prediger`,
   :func:`gwet_ac1`, or all of them at once with :func:`agreement`) turns that
   frame into one row per code plus an ``"(overall)"`` row, with ``n_units``,
   ``n_coders``, the value, an optional bootstrap confidence interval and a
   ``reason`` wherever the value is NaN.
3. :func:`disagreements` and :func:`confusion` list what two coders should talk
   about in a reconciliation meeting.

Machine coders (``"auto:rules"``, ``"auto:model"``) are coders like any other,
so the same calls give machine-human agreement next to human-human agreement.

Definitions
-----------
unit weight
    Character units are run-length encoded: the document is cut at every
    coding boundary, and each run of characters that no boundary splits is one
    row with ``weight`` = its length in characters. Every coefficient treats a
    run of weight *w* exactly as *w* identical one-character units, so the
    result equals the character-by-character computation at a fraction of the
    cost. Other units have ``weight`` 1.
pairable unit
    A unit rated by at least two coders (for a given code). Agreement is
    measured on pairable units only; ``n_units`` counts them (in characters for
    character units).
overall row
    The coefficient computed on the unit × code items *pooled* over every code
    that at least one coder applied (a code nobody applied is left out, so
    adding an unused code to the codebook does not change the overall figure).
    Bootstrap replicates resample whole units, keeping all codes of a unit
    together. ``n_codes`` says how many codes were pooled.
categories
    Ratings are nominal categories; reliability data from a study are binary
    (0 absent, 1 present), but hand-built frames may hold any numbers (for
    example the published reliability data in the tests). Gwet's AC1 and
    Brennan-Prediger use *q* = the number of categories observed in the
    ratings, as irrCAC does.

Implementation
--------------
The raw-table functions (:func:`cohen_kappa_table`, :func:`fleiss_kappa_counts`,
:func:`krippendorff_alpha_matrix`) call scikit-learn, statsmodels and the
``krippendorff`` package. The frame functions compute every coefficient from
weighted per-unit category counts in one vectorised pass, because none of
those libraries accepts unit weights (character runs) together with missing
ratings and a fast bootstrap; the tests check this computation against the
libraries on random data and against published values. Non-nominal
Krippendorff's alpha (``level="ordinal"`` and so on) is delegated to the
``krippendorff`` package.

References
----------
Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
Annenberg School for Communication Departmental Papers 43.
Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
Psychological Bulletin 76(5), 378-382.
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

from plcase.config import RANDOM_STATE
from plcase.errors import PlcaseError
from plcase.schema import require_columns

__all__ = [
    "OVERALL", "UNITS", "COEFFICIENTS", "UNIT_COLUMNS", "RESULT_COLUMNS",
    "units", "agreement", "percent_agreement", "cohen_kappa", "fleiss_kappa",
    "krippendorff_alpha", "brennan_prediger", "gwet_ac1",
    "cohen_kappa_table", "gwet_ac1_table", "brennan_prediger_table",
    "percent_agreement_table", "fleiss_kappa_counts", "krippendorff_alpha_matrix",
    "disagreements", "confusion",
]

#: Label of the row pooled over codes.
OVERALL = "(overall)"
#: The units :func:`units` can build.
UNITS = ("passage", "sentence", "document", "character")
#: Coefficient names, in the order :func:`agreement` reports them.
COEFFICIENTS = ("percent_agreement", "percent_agreement_coded", "cohen_kappa",
                "fleiss_kappa", "krippendorff_alpha", "brennan_prediger", "gwet_ac1")
#: Columns of the reliability-data frame :func:`units` returns.
UNIT_COLUMNS = ["unit", "doc_id", "unit_id", "start", "end", "coder", "code", "value", "weight"]
#: Columns of every coefficient frame.
RESULT_COLUMNS = ["unit", "coders", "code", "coefficient", "value", "ci_low", "ci_high",
                  "n_units", "n_coders", "n_codes", "reason"]
_LEVELS = ("nominal", "ordinal", "interval", "ratio")
# Replicates are drawn in chunks so the bootstrap weight matrix stays small.
_BOOT_CHUNK = 250


# --------------------------------------------------------------------------- units

def units(study, unit: str = "passage", coders: Sequence[str] | None = None,
          codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Reliability data: one row per unit × coder × code.

    Parameters
    ----------
    study : Study
        The study whose codings are compared.
    unit : {"passage", "sentence", "document", "character"}, default "passage"
        What counts as one unit. ``"passage"`` uses ``study.passages`` (speaker
        turns); ``"sentence"`` splits each passage with
        :func:`plcase.segment.sentence_frame` (so a sentence never crosses a
        speaker turn); ``"document"`` makes each document one unit;
        ``"character"`` makes each character one unit, stored as runs (see
        ``weight``).
    coders : sequence of str, optional
        The coders to compare, in the order given; default every coder of the
        study (sorted).
    codes : sequence of str, optional
        The codes to include; default every code of the codebook, in codebook
        order (unused codes included, so the coefficients can say so).

    Returns
    -------
    DataFrame
        ``unit, doc_id, unit_id, start, end, coder, code, value, weight``.
        ``value`` is 1.0 where a coding of ``coder`` with ``code`` overlaps the
        unit (by at least one character; a zero-length coding counts in the
        unit that contains its position, except for character units), 0.0
        where the coder coded the document (has at least one coding of any
        code in it) but not this unit with this code, and NaN where the coder
        has no coding in the document. ``weight`` is the number of characters
        of a character run, else 1. Rows are sorted by document, position,
        coder (in ``coders`` order) and code (in ``codes`` order).

    Notes
    -----
    Codings outside every passage (for example in a transcript header) count
    for "document" and "character" units only. Character units cover the
    whole document text, interviewer turns included: this is the unit that
    inflates raw agreement most, which :func:`percent_agreement` with
    ``coded_only=True`` makes visible.

    Examples
    --------
    >>> import pandas as pd
    >>> from plcase.study import Study
    >>> text = "We fail. We try again."
    >>> study = Study(
    ...     documents=pd.DataFrame({"doc_id": ["d"]}),
    ...     passages=pd.DataFrame({"passage_id": ["d:1", "d:2"], "doc_id": ["d", "d"],
    ...                            "start": [0, 9], "end": [8, 22]}),
    ...     codings=pd.DataFrame({"doc_id": ["d", "d"], "start": [0, 0], "end": [8, 22],
    ...                           "code": ["glow", "glow"], "coder": ["a", "b"]}),
    ...     codebook=pd.DataFrame({"code": ["glow"]}), texts={"d": text})
    >>> units(study)[["unit_id", "coder", "value"]].values.tolist()
    [['d:1', 'a', 1.0], ['d:1', 'b', 1.0], ['d:2', 'a', 0.0], ['d:2', 'b', 1.0]]
    """
    if unit not in UNITS:
        raise PlcaseError(f"unknown unit {unit!r}; choose one of {', '.join(map(repr, UNITS))}")
    coders = list(study.coders if coders is None else coders)
    codes = list(study.codes if codes is None else codes)
    _require_known(coders, study.coders, "coder", "coders of the study")
    _require_known(codes, study.codes, "code", "codes of the codebook")

    doc_ids = sorted(study.documents["doc_id"])
    doc_rank = {d: i for i, d in enumerate(doc_ids)}
    # One global, sorted coordinate: document rank × (longest text + 2) + offset,
    # so a single searchsorted places every coding among every unit.
    stride = max([len(t) for t in study.texts.values()] + [0]) + 2

    codings = study.codings[study.codings["coder"].isin(coders)]
    c_doc = codings["doc_id"].map(doc_rank).to_numpy(dtype=np.int64)
    c_start = codings["start"].to_numpy(dtype=np.int64)
    c_end = codings["end"].to_numpy(dtype=np.int64)

    spans = _unit_spans(study, unit, doc_ids, doc_rank, stride, c_doc, c_start, c_end,
                        codings["code"].isin(codes).to_numpy())
    n_units, n_coders, n_codes = len(spans), len(coders), len(codes)
    u_doc = spans["rank"].to_numpy(dtype=np.int64)
    u_start = spans["start"].to_numpy(dtype=np.int64)
    u_end = spans["end"].to_numpy(dtype=np.int64)

    # Which coder coded which document decides 0 versus missing.
    coder_index = {c: i for i, c in enumerate(coders)}
    c_coder = codings["coder"].map(coder_index).to_numpy(dtype=np.int64)
    coded_doc = np.zeros((len(doc_ids), n_coders), dtype=bool)
    coded_doc[c_doc, c_coder] = True
    values = np.where(coded_doc[u_doc][:, :, None], 0.0, np.nan)
    values = np.broadcast_to(values, (n_units, n_coders, n_codes)).copy()

    code_index = {c: i for i, c in enumerate(codes)}
    keep = codings["code"].isin(code_index).to_numpy()
    if n_units and keep.any():
        key_start = c_doc[keep] * stride + c_start[keep]
        end_eff = c_end[keep] if unit == "character" else np.maximum(c_end[keep], c_start[keep] + 1)
        key_end = c_doc[keep] * stride + end_eff
        first = np.searchsorted(u_doc * stride + u_end, key_start, side="right")
        last = np.searchsorted(u_doc * stride + u_start, key_end, side="left") - 1
        length = np.maximum(last - first + 1, 0)
        covered = np.repeat(first, length) + _ramp(length)
        c_code = codings["code"].map(code_index).to_numpy()[keep].astype(np.int64)
        values[covered, np.repeat(c_coder[keep], length), np.repeat(c_code, length)] = 1.0

    per_unit = n_coders * n_codes
    weight = (u_end - u_start) if unit == "character" else np.ones(n_units, dtype=np.int64)
    frame = pd.DataFrame({
        "unit": unit,
        "doc_id": np.repeat(spans["doc_id"].to_numpy(dtype=object), per_unit),
        "unit_id": np.repeat(spans["unit_id"].to_numpy(dtype=object), per_unit),
        "start": np.repeat(u_start, per_unit),
        "end": np.repeat(u_end, per_unit),
        "coder": np.tile(np.repeat(np.array(coders, dtype=object), n_codes), n_units),
        "code": np.tile(np.array(codes, dtype=object), n_units * n_coders),
        "value": values.reshape(-1),
        "weight": np.repeat(weight, per_unit),
    })
    return frame[UNIT_COLUMNS]


def _ramp(length: np.ndarray) -> np.ndarray:
    """0, 1, ..., n-1 for each n in ``length``, concatenated (vectorised)."""
    total = int(length.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(np.cumsum(length) - length, length)
    return np.arange(total, dtype=np.int64) - offsets


def _unit_spans(study, unit, doc_ids, doc_rank, stride, c_doc, c_start, c_end, c_keep):
    """Spans of the units, sorted by document and start: doc_id, rank, unit_id, start, end."""
    if unit == "passage":
        spans = study.passages[["doc_id", "passage_id", "start", "end"]].rename(
            columns={"passage_id": "unit_id"})
    elif unit == "sentence":
        from plcase.segment import sentence_frame
        # Passage text is re-read from the document so hand-built passages need no text.
        passages = study.passages.assign(text=[study.texts[d][s:e] for d, s, e in zip(
            study.passages["doc_id"], study.passages["start"], study.passages["end"])])
        spans = sentence_frame(passages)[["doc_id", "sentence_id", "start", "end"]].rename(
            columns={"sentence_id": "unit_id"})
    elif unit == "document":
        spans = pd.DataFrame({"doc_id": doc_ids, "unit_id": doc_ids, "start": 0,
                              "end": [len(study.texts[d]) for d in doc_ids]})
    else:
        # Cut each document at every boundary of a coding that matters; each run
        # between two consecutive cuts is uniform for every coder and code.
        lengths = np.array([len(study.texts[d]) for d in doc_ids], dtype=np.int64)
        ranks = np.arange(len(doc_ids), dtype=np.int64)
        cuts = np.unique(np.concatenate([
            ranks * stride, ranks * stride + lengths,
            c_doc[c_keep] * stride + c_start[c_keep], c_doc[c_keep] * stride + c_end[c_keep]]))
        left, right = cuts[:-1], cuts[1:]
        same_doc = (left // stride) == (right // stride)
        left, right = left[same_doc], right[same_doc]
        rank = left // stride
        start, end = left - rank * stride, right - rank * stride
        docs = np.array(doc_ids, dtype=object)[rank]
        spans = pd.DataFrame({"doc_id": docs,
                              "unit_id": [f"{d}:{s}-{e}" for d, s, e in zip(docs, start, end)],
                              "start": start, "end": end})
    spans = spans[spans["doc_id"].isin(doc_rank)].copy()
    spans["rank"] = spans["doc_id"].map(doc_rank)
    return spans.sort_values(["rank", "start", "end"], kind="mergesort").reset_index(drop=True)


def _require_known(wanted, known, what, where):
    unknown = [w for w in wanted if w not in set(known)]
    if unknown:
        raise PlcaseError(f"unknown {what}(s) {', '.join(map(repr, unknown))}; the {where} are "
                          f"{', '.join(map(repr, known)) or 'none'}")


# --------------------------------------------------------------------------- coefficients

def agreement(units: pd.DataFrame, *, coefficients: Sequence[str] | None = None,
              coders: Sequence[str] | None = None,
              pairs: bool | Sequence[tuple[str, str]] = False, level: str = "nominal",
              ci: float | None = None, n_boot: int = 1000,
              random_state: int | None = RANDOM_STATE) -> pd.DataFrame:
    """Every agreement coefficient, per code and overall, in one long frame.

    Parameters
    ----------
    units : DataFrame
        Reliability data as returned by :func:`units`: at least ``unit_id,
        coder, code, value`` (``weight`` defaults to 1, ``unit`` is carried
        into the result when present).
    coefficients : sequence of str, optional
        Names from :data:`COEFFICIENTS`; default all of them.
    coders : sequence of str, optional
        Restrict to these coders (default every coder in ``units``).
    pairs : bool or sequence of (str, str), default False
        False: one comparison among all coders. True: every pair of coders
        separately. A sequence of pairs: exactly those pairs, for example
        ``[("coder_a", "coder_b"), ("coder_a", "auto:rules")]`` to put
        machine-human agreement next to human-human agreement.
    level : {"nominal", "ordinal", "interval", "ratio"}, default "nominal"
        Level of measurement for Krippendorff's alpha (the other coefficients
        are nominal). Reliability data from a study are binary, for which
        every level gives the same alpha.
    ci : float, optional
        Confidence level of percentile bootstrap intervals over units (for
        example 0.95); default no interval (``ci_low``/``ci_high`` NaN).
    n_boot : int, default 1000
        Number of bootstrap replicates.
    random_state : int, optional
        Seed of the bootstrap, so intervals are reproducible.

    Returns
    -------
    DataFrame
        One row per comparison × coefficient × code (codes in ``units``
        order, then :data:`OVERALL`) with columns :data:`RESULT_COLUMNS`.
        The :data:`OVERALL` row pools the unit × code items of every code at
        least one coder applied (``n_codes`` of them); ``n_units`` counts
        pairable units (characters for character units), ``n_coders`` the
        coders with a rating on them.
        ``coders`` names the coders compared ("coder_a vs coder_b").
        ``value`` is NaN exactly where ``reason`` says why.

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
    unknown = [c for c in coefficients if c not in COEFFICIENTS]
    if unknown:
        raise PlcaseError(f"unknown coefficient(s) {', '.join(map(repr, unknown))}; "
                          f"choose from {', '.join(COEFFICIENTS)}")
    if level not in _LEVELS:
        raise PlcaseError(f"unknown level {level!r}; choose one of {', '.join(_LEVELS)}")
    if ci is not None and not 0 < ci < 1:
        raise PlcaseError(f"ci must be between 0 and 1 (for example 0.95), not {ci!r}")
    if int(n_boot) < 1:
        raise PlcaseError(f"n_boot must be a positive number of replicates, not {n_boot!r}")
    require_columns(units, ["unit_id", "coder", "code", "value"], "units")
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
    frames = [_agreement_one(units, group, coefficients, level, ci, int(n_boot), random_state)
              for group in groups]
    return pd.concat(frames, ignore_index=True)[RESULT_COLUMNS]


def percent_agreement(units: pd.DataFrame, *, coded_only: bool = False,
                      coders: Sequence[str] | None = None, ci: float | None = None,
                      n_boot: int = 1000, random_state: int | None = RANDOM_STATE) -> pd.DataFrame:
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
    coders, ci, n_boot, random_state
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
                     random_state=random_state)


def cohen_kappa(units: pd.DataFrame, *, coders: Sequence[str] | None = None,
                ci: float | None = None, n_boot: int = 1000,
                random_state: int | None = RANDOM_STATE) -> pd.DataFrame:
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
    ci, n_boot, random_state
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
                     n_boot=n_boot, random_state=random_state)


def fleiss_kappa(units: pd.DataFrame, *, coders: Sequence[str] | None = None,
                 ci: float | None = None, n_boot: int = 1000,
                 random_state: int | None = RANDOM_STATE) -> pd.DataFrame:
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
                     n_boot=n_boot, random_state=random_state)


def krippendorff_alpha(units: pd.DataFrame, *, level: str = "nominal",
                       coders: Sequence[str] | None = None, ci: float | None = None,
                       n_boot: int = 1000,
                       random_state: int | None = RANDOM_STATE) -> pd.DataFrame:
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
                     ci=ci, n_boot=n_boot, random_state=random_state)


def brennan_prediger(units: pd.DataFrame, *, coders: Sequence[str] | None = None,
                     ci: float | None = None, n_boot: int = 1000,
                     random_state: int | None = RANDOM_STATE) -> pd.DataFrame:
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
                     n_boot=n_boot, random_state=random_state)


def gwet_ac1(units: pd.DataFrame, *, coders: Sequence[str] | None = None,
             ci: float | None = None, n_boot: int = 1000,
             random_state: int | None = RANDOM_STATE) -> pd.DataFrame:
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
                     n_boot=n_boot, random_state=random_state)


def _agreement_one(frame, coders, coefficients, level, ci, n_boot, random_state):
    """All requested coefficients for one set of coders."""
    frame = frame[frame["coder"].isin(coders)]
    unit_index, _ = pd.factorize(frame["unit_id"])
    code_index, code_names = pd.factorize(frame["code"])
    coder_pos = {c: i for i, c in enumerate(coders)}
    coder_index = frame["coder"].map(coder_pos).to_numpy(dtype=np.int64)
    n_units, n_coders, n_codes = int(unit_index.max(initial=-1)) + 1, len(coders), len(code_names)
    key = (unit_index.astype(np.int64) * n_coders + coder_index) * max(n_codes, 1) + code_index
    if len(key) != len(np.unique(key)):
        dup = frame[pd.Series(key).duplicated().to_numpy()].iloc[0]
        raise PlcaseError(f"units frame has more than one value for unit {dup['unit_id']!r}, "
                          f"coder {dup['coder']!r}, code {dup['code']!r}; keep one row per "
                          f"unit × coder × code")
    try:
        ratings = pd.to_numeric(frame["value"]).to_numpy(dtype=float)
    except (TypeError, ValueError) as err:
        raise PlcaseError("units frame column 'value' must hold numbers (NaN for missing)") from err
    values = np.full((n_units, n_coders, n_codes), np.nan)
    values[unit_index, coder_index, code_index] = ratings
    weight = np.ones(n_units)
    if "weight" in frame.columns:
        weight[unit_index] = frame["weight"].to_numpy(dtype=float)
    unit_label = np.nan
    if "unit" in frame.columns and frame["unit"].nunique() == 1:
        unit_label = frame["unit"].iloc[0]

    result = _evaluate(values, weight, coefficients, level, ci, n_boot, random_state)
    result.insert(0, "code", np.tile(list(code_names) + [OVERALL], len(coefficients)))
    result.insert(0, "coders", " vs ".join(map(str, coders)))
    result.insert(0, "unit", unit_label)
    return result


def _evaluate(values, weight, coefficients, level, ci, n_boot, random_state):
    """Point estimates, bootstrap intervals and reasons for every code and overall.

    ``values`` is units × coders × codes (NaN missing), ``weight`` per unit.
    """
    n_units, n_coders, n_codes = values.shape
    observed = values[~np.isnan(values)]
    categories = np.unique(observed)
    # Codes nobody applied stay out of the pooled row (see the module docstring).
    used = np.array([np.any(values[:, :, k][~np.isnan(values[:, :, k])] != 0)
                     for k in range(n_codes)], dtype=bool)
    features, onehot_counts = _features(values, categories, used)

    point = _aggregate(features, weight[None, :])
    q = (point["share"][0] > 0).sum(-1)                       # categories observed, per group
    estimates = _coefficients(point, q, coefficients)
    if level != "nominal" and "krippendorff_alpha" in coefficients:
        estimates["krippendorff_alpha"] = _alpha_by_level(onehot_counts, categories, used,
                                                          weight[None, :], level)
    reasons = _reasons(values, point, categories, used, coefficients)

    n_groups = n_codes + 1
    low = {c: np.full(n_groups, np.nan) for c in coefficients}
    high = {c: np.full(n_groups, np.nan) for c in coefficients}
    if ci is not None and n_units:
        replicates = _bootstrap(features, onehot_counts, categories, used, weight, q,
                                coefficients, level, n_boot, random_state)
        for name in coefficients:
            low[name], high[name] = _percentile_interval(replicates[name], ci)

    pair_weight = point["pair"][0]
    n_units_col = np.append(pair_weight[:n_codes], point["pair_any"][0])
    n_units_both = np.append(point["both"][0][:n_codes], point["both_any"][0]) \
        if "both" in point else np.zeros(n_groups)
    coders_rating = _coders_rating(values, used)
    rows = []
    for name in coefficients:
        value = estimates[name][0]
        reason = reasons[name]
        value = np.where(pd.isna(reason), value, np.nan)
        undefined = ~np.isfinite(value) & pd.isna(reason)
        reason = np.where(undefined, "undefined: expected agreement is 1", reason)
        is_cohen = name == "cohen_kappa"
        rows.append(pd.DataFrame({
            "coefficient": name if name != "krippendorff_alpha" or level == "nominal"
            else f"krippendorff_alpha_{level}",
            "value": value,
            "ci_low": np.where(np.isfinite(value), low[name], np.nan),
            "ci_high": np.where(np.isfinite(value), high[name], np.nan),
            "n_units": np.rint(n_units_both if is_cohen else n_units_col).astype(np.int64),
            "n_coders": np.full(n_groups, n_coders) if is_cohen else coders_rating,
            "n_codes": np.append(np.ones(n_codes, dtype=np.int64), used.sum()),
            "reason": pd.Series(reason, dtype=object).where(pd.notna(reason), np.nan),
        }))
    return pd.concat(rows, ignore_index=True)


def _features(values, categories, used):
    """Per-unit quantities every coefficient is a weighted sum of.

    Each array has units first and groups (codes, then the pooled row) second,
    so a weighted sum over units gives the aggregates for every group at once,
    for the point estimate and for every bootstrap replicate alike.
    """
    n_units, n_coders, n_codes = values.shape
    onehot = values[..., None] == categories                      # u × coder × code × k
    counts = onehot.sum(axis=1).astype(float)                      # u × code × k
    m = counts.sum(-1)                                             # ratings per unit and code
    pair = m >= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        same = (counts * (counts - 1)).sum(-1)
        agreeing = np.where(pair, same / (m * (m - 1)), 0.0)       # share of agreeing pairs
        coincident = np.where(pair, same / (m - 1), 0.0)           # diagonal of o_ck
        share = np.where(m[..., None] >= 1, counts / m[..., None], 0.0)
    zero = np.flatnonzero(categories == 0)
    coded = (m - counts[..., zero[0]]) > 0 if len(zero) else m > 0
    features = {
        "pair": pair * 1.0, "agreeing": agreeing,
        "pair_coded": (pair & coded) * 1.0, "agreeing_coded": agreeing * coded,
        "rated": (m >= 1) * 1.0, "share": share,
        "n": pair * m, "n_k": pair[..., None] * counts, "coincident": coincident,
    }
    if n_coders == 2:
        both = ~np.isnan(values[:, 0, :]) & ~np.isnan(values[:, 1, :])
        features.update({
            "both": both * 1.0,
            "agree": (both & (values[:, 0, :] == values[:, 1, :])) * 1.0,
            "row": (both[..., None] & onehot[:, 0]) * 1.0,
            "col": (both[..., None] & onehot[:, 1]) * 1.0,
        })
    pooled = {}
    for name, array in features.items():
        pooled[name] = np.concatenate(
            [array, array[:, used].sum(axis=1, keepdims=True)], axis=1)
    pooled["pair_any"] = (pair[:, used].any(axis=1) * 1.0)
    if n_coders == 2:
        pooled["both_any"] = features["both"][:, used].any(axis=1) * 1.0
    return pooled, counts


def _aggregate(features, weights):
    """Weighted sums over units: replicates × groups (× categories).

    All features are stacked into one units × columns matrix so the sums for
    every replicate come from a single matrix product.
    """
    names = list(features)
    shapes = [features[n].shape[1:] for n in names]
    flat = np.concatenate([features[n].reshape(len(features[n]), -1) for n in names], axis=1)
    summed = np.asarray(weights, dtype=float) @ flat
    out, at = {}, 0
    for name, shape in zip(names, shapes):
        size = int(np.prod(shape))
        out[name] = summed[:, at:at + size].reshape((len(summed),) + shape)
        at += size
    return out


def _coefficients(agg, q, coefficients):
    """Coefficients from aggregates; every array is replicates × groups."""
    out = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        p_o = agg["agreeing"] / agg["pair"]
        pi = agg["share"] / agg["rated"][..., None]
        q = q.astype(float)
        out["percent_agreement"] = p_o
        out["percent_agreement_coded"] = agg["agreeing_coded"] / agg["pair_coded"]
        p_e = (pi ** 2).sum(-1)
        out["fleiss_kappa"] = (p_o - p_e) / (1 - p_e)
        out["brennan_prediger"] = (p_o - 1 / q) / (1 - 1 / q)
        p_e = (pi * (1 - pi)).sum(-1) / (q - 1)
        out["gwet_ac1"] = (p_o - p_e) / (1 - p_e)
        n = agg["n"]
        # Nominal alpha = 1 - (n - 1)(n - sum_c o_cc) / (n^2 - sum_c n_c^2).
        out["krippendorff_alpha"] = 1 - (n - 1) * (n - agg["coincident"]) / (
            n ** 2 - (agg["n_k"] ** 2).sum(-1))
        if "both" in agg:
            total = agg["both"]
            p_e = (agg["row"] * agg["col"]).sum(-1) / total ** 2
            out["cohen_kappa"] = (agg["agree"] / total - p_e) / (1 - p_e)
        else:
            out["cohen_kappa"] = np.full_like(p_o, np.nan)
    return {name: out[name] for name in coefficients}


def _alpha_by_level(counts, categories, used, weights, level):
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
            out[r, g] = krippendorff.alpha(value_counts=table, value_domain=categories,
                                           level_of_measurement=level)
    return out


def _bootstrap(features, counts, categories, used, weight, q, coefficients, level,
               n_boot, random_state):
    """Coefficients on ``n_boot`` resamples of the rated units (replicates × groups)."""
    rng = np.random.default_rng(random_state)
    rated_units = np.flatnonzero(features["rated"].any(axis=1))
    n = len(rated_units)
    chunks = {name: [] for name in coefficients}
    done = 0
    while done < n_boot:
        size = min(_BOOT_CHUNK, n_boot - done)
        draws = rng.integers(0, n, size=(size, n))
        flat = (np.arange(size)[:, None] * n + draws).ravel()
        multiplicity = np.bincount(flat, minlength=size * n).reshape(size, n)
        weights = np.zeros((size, len(weight)))
        weights[:, rated_units] = multiplicity * weight[rated_units]
        values = _coefficients(_aggregate(features, weights), q, coefficients)
        if level != "nominal" and "krippendorff_alpha" in coefficients:
            values["krippendorff_alpha"] = _alpha_by_level(counts, categories, used, weights, level)
        for name in coefficients:
            chunks[name].append(values[name])
        done += size
    return {name: np.concatenate(parts) for name, parts in chunks.items()}


def _percentile_interval(replicates, ci):
    """Percentile interval per group, ignoring replicates where the value is undefined."""
    tail = (1 - ci) / 2
    low = np.full(replicates.shape[1], np.nan)
    high = np.full(replicates.shape[1], np.nan)
    for g in range(replicates.shape[1]):
        finite = replicates[:, g][np.isfinite(replicates[:, g])]
        if len(finite):
            low[g], high[g] = np.quantile(finite, [tail, 1 - tail])
    return low, high


def _coders_rating(values, used):
    """Number of coders with a rating on a pairable unit, per code and pooled."""
    rated = ~np.isnan(values)                                      # u × coder × code
    pairable = rated.sum(axis=1) >= 2                              # u × code
    per_code = (rated & pairable[:, None, :]).any(axis=0)          # coder × code
    pooled = per_code[:, used].any(axis=1).sum() if used.any() else 0
    return np.append(per_code.sum(axis=0), pooled).astype(np.int64)


def _reasons(values, point, categories, used, coefficients):
    """Why a coefficient is undefined, per group (NaN where it is defined)."""
    n_codes = values.shape[2]
    n_coders = values.shape[1]
    groups = n_codes + 1
    coders_rating = _coders_rating(values, used)
    common = np.full(groups, np.nan, dtype=object)
    for g in range(groups):
        if g == n_codes and not used.any():
            common[g] = "no coder applied any code"
        elif n_coders < 2:
            common[g] = f"only {n_coders} coder; agreement needs two or more"
        elif point["pair"][0][g] == 0:
            common[g] = "no unit was rated by two or more coders (they share no document)"
        elif coders_rating[g] < 2:
            common[g] = "fewer than two coders rated this code"
    variation = common.copy()
    n_k = point["n_k"][0]
    for g in range(groups):
        if pd.isna(variation[g]) and (n_k[g] > 0).sum() < 2:
            variation[g] = _no_variation(categories[np.argmax(n_k[g])])
    reasons = {}
    for name in coefficients:
        if name == "percent_agreement":
            reasons[name] = common
        elif name == "percent_agreement_coded":
            coded = common.copy()
            for g in range(groups):
                if pd.isna(coded[g]) and point["pair_coded"][0][g] == 0:
                    coded[g] = "no coder applied the code to a unit both rated"
            reasons[name] = coded
        elif name == "cohen_kappa":
            cohen = np.full(groups, np.nan, dtype=object)
            if n_coders != 2:
                cohen[:] = (f"Cohen's kappa needs exactly two coders, not {n_coders} "
                            f"(pass coders=(a, b) or use pairs=True)")
            else:
                seen = point["row"][0] + point["col"][0]
                for g in range(groups):
                    if g == n_codes and not used.any():
                        cohen[g] = common[g]
                    elif point["both"][0][g] == 0:
                        cohen[g] = "no unit was rated by both coders (they share no document)"
                    elif (seen[g] > 0).sum() < 2:
                        cohen[g] = _no_variation(categories[np.argmax(seen[g])])
            reasons[name] = cohen
        else:
            reasons[name] = variation
    return reasons


def _no_variation(category) -> str:
    if category == 0:
        return "no variation: every rating is 0 (no coder applied the code)"
    if category == 1:
        return "no variation: every rating is 1 (the code is on every unit)"
    return f"no variation: every rating is {category:g}"


# --------------------------------------------------------------------------- raw tables

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

    if level not in _LEVELS:
        raise PlcaseError(f"unknown level {level!r}; choose one of {', '.join(_LEVELS)}")
    data = np.asarray(data, dtype=float)
    if data.ndim != 2:
        raise PlcaseError(f"data must be a coders × units matrix; got shape {data.shape}")
    pairable = (~np.isnan(data)).sum(0) >= 2
    if len(np.unique(data[:, pairable][~np.isnan(data[:, pairable])])) < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))


# --------------------------------------------------------------------------- disagreements

def disagreements(study, coders: tuple[str, str] | None = None,
                  code: str | Sequence[str] | None = None,
                  unit: str = "passage") -> pd.DataFrame:
    """Every unit where two coders differ on a code, ready for reconciliation.

    Parameters
    ----------
    study : Study
    coders : (str, str), optional
        Default the study's first reliability pair (``study.reliability_coders``).
        The two coders to compare.
    code : str or sequence of str, optional
        Only these codes (default every code of the codebook).
    unit : {"passage", "sentence", "document", "character"}, default "passage"

    Returns
    -------
    DataFrame
        One row per unit × disputed code, on units both coders rated:
        ``doc_id, unit_id, start, end, code, applied_by, omitted_by``, then
        one column per coder (named after the coder) listing every code that
        coder put on the unit (comma-separated, NaN for none), then ``text``.
        Sorted by document, position and code order.

    Examples
    --------
    >>> import pandas as pd
    >>> from plcase.study import Study
    >>> study = Study(
    ...     documents=pd.DataFrame({"doc_id": ["d"]}),
    ...     passages=pd.DataFrame({"passage_id": ["d:1", "d:2"], "doc_id": ["d", "d"],
    ...                            "start": [0, 9], "end": [8, 22]}),
    ...     codings=pd.DataFrame({"doc_id": ["d", "d"], "start": [0, 0], "end": [8, 22],
    ...                           "code": ["glow", "glow"], "coder": ["a", "b"]}),
    ...     codebook=pd.DataFrame({"code": ["glow"]}), texts={"d": "We fail. We try again."})
    >>> disagreements(study, coders=("a", "b"))[["unit_id", "applied_by", "text"]].values.tolist()
    [['d:2', 'b', 'We try again.']]
    """
    first, second, values, frame, codes, disputed = _pair_cube(study, coders, code, unit)
    applied = values == 1.0                                        # u × coder × code
    rated = ~np.isnan(values).any(axis=(1, 2))
    differ = rated[:, None] & (applied[:, 0, :] != applied[:, 1, :]) & disputed[None, :]
    unit_row, code_col = np.nonzero(differ)
    first_applied = applied[unit_row, 0, code_col]
    listing = [_code_list(applied[:, i, :], codes) for i in range(2)]
    spans = frame.drop_duplicates("unit_id").reset_index(drop=True)
    out = pd.DataFrame({
        "doc_id": spans["doc_id"].to_numpy()[unit_row],
        "unit_id": spans["unit_id"].to_numpy()[unit_row],
        "start": spans["start"].to_numpy()[unit_row],
        "end": spans["end"].to_numpy()[unit_row],
        "code": np.array(codes, dtype=object)[code_col],
        "applied_by": np.where(first_applied, first, second),
        "omitted_by": np.where(first_applied, second, first),
        first: listing[0][unit_row],
        second: listing[1][unit_row],
        "text": [study.texts[d][s:e] for d, s, e in zip(spans["doc_id"].to_numpy()[unit_row],
                                                       spans["start"].to_numpy()[unit_row],
                                                       spans["end"].to_numpy()[unit_row])],
    })
    return out.reset_index(drop=True)


def confusion(study, coders: tuple[str, str] | None = None,
              codes: Sequence[str] | None = None, unit: str = "passage") -> pd.DataFrame:
    """Pairs of codes two coders confuse: one applied X where the other applied Y.

    On every unit both coders rated, each code only the first coder applied is
    paired with each code only the second coder applied.

    Parameters
    ----------
    study : Study
    coders : (str, str), optional
        Default the study's first reliability pair (``study.reliability_coders``).
    codes : sequence of str, optional
        Only these codes (default every code of the codebook); pass the themes
        to see theme confusions without sub-codes and valence.
    unit : {"passage", "sentence", "document", "character"}, default "passage"

    Returns
    -------
    DataFrame
        ``first_coder, first_code, second_coder, second_code, n_units`` (in
        characters for character units), largest first, only pairs that occur.

    Examples
    --------
    >>> import pandas as pd
    >>> from plcase.study import Study
    >>> study = Study(
    ...     documents=pd.DataFrame({"doc_id": ["d"]}),
    ...     passages=pd.DataFrame({"passage_id": ["d:1"], "doc_id": ["d"],
    ...                            "start": [0], "end": [8]}),
    ...     codings=pd.DataFrame({"doc_id": ["d", "d"], "start": [0, 0], "end": [8, 8],
    ...                           "code": ["grow", "glow"], "coder": ["a", "b"]}),
    ...     codebook=pd.DataFrame({"code": ["glow", "grow"]}), texts={"d": "We fail."})
    >>> confusion(study, coders=("a", "b")).values.tolist()
    [['a', 'grow', 'b', 'glow', 1]]
    """
    first, second, values, frame, names, disputed = _pair_cube(study, coders, codes, unit)
    applied = values == 1.0
    rated = ~np.isnan(values).any(axis=(1, 2))
    weight = frame.drop_duplicates("unit_id")["weight"].to_numpy(dtype=float) * rated
    only_first = (applied[:, 0, :] & ~applied[:, 1, :] & disputed).astype(float)
    only_second = (applied[:, 1, :] & ~applied[:, 0, :] & disputed).astype(float)
    counts = np.einsum("u,ux,uy->xy", weight, only_first, only_second)
    x, y = np.nonzero(counts)
    out = pd.DataFrame({
        "first_coder": first, "first_code": np.array(names, dtype=object)[x],
        "second_coder": second, "second_code": np.array(names, dtype=object)[y],
        "n_units": np.rint(counts[x, y]).astype(np.int64),
    })
    order = {c: i for i, c in enumerate(names)}
    out = out.assign(_x=out["first_code"].map(order), _y=out["second_code"].map(order))
    out = out.sort_values(["n_units", "_x", "_y"], ascending=[False, True, True], kind="mergesort")
    return out.drop(columns=["_x", "_y"]).reset_index(drop=True)


def _pair_cube(study, coders, code, unit):
    """Units of two coders as a units × 2 × codes array, plus the unit rows."""
    if coders is None:
        pairs = study.reliability_coders
        if not pairs:
            raise PlcaseError(f"this study has no second human coder to compare with "
                              f"{study.primary_coder!r}; add a second coder's codings to "
                              f"codings.csv, or pass coders=(one, other)")
        coders = pairs[0]
    if len(coders) != 2 or coders[0] == coders[1]:
        raise PlcaseError(f"compare exactly two different coders, for example "
                          f"coders=('ana', 'ben'); got {tuple(coders)!r}")
    first, second = coders
    frame = units(study, unit=unit, coders=[first, second])
    codes = study.codes
    wanted = codes if code is None else ([code] if isinstance(code, str) else list(code))
    _require_known(wanted, codes, "code", "codes of the codebook")
    values = frame["value"].to_numpy().reshape(-1, 2, len(codes))
    disputed = np.isin(np.array(codes, dtype=object), list(wanted))
    return first, second, values, frame, codes, disputed


def _code_list(applied, codes) -> np.ndarray:
    """Comma-separated codes applied per unit (NaN where none)."""
    names = np.array(codes, dtype=object)
    return np.array([", ".join(names[row]) if row.any() else np.nan for row in applied],
                    dtype=object)
