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
        spans = sentence_frame(study.passages)[["doc_id", "sentence_id", "start", "end"]].rename(
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
