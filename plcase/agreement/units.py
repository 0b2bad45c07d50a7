"""Reliability units: a study's codings as one row per unit × coder × code.

:func:`units` is the first step of every agreement figure. It decides what
counts as one unit (a passage, a sentence, a document or a character), which
text is compared (every unit, or only coded text), whose turns are left out
(interviewer and facilitator turns by default, when passages carry a
``speaker_role``), and whether codes are separate yes/no variables or the
categories of one nominal variable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations

import numpy as np
import pandas as pd

from plcase.errors import PlcaseError
from plcase.segment import sentence_frame

__all__ = ["UNITS", "SCOPES", "UNIT_COLUMNS", "NO_CODE", "DEFAULT_LEFT_OUT_ROLES", "units",
           "default_coders", "default_pair"]

#: The units :func:`units` can build.
UNITS = ("passage", "sentence", "document", "character")
#: Which units :func:`units` keeps: every unit, or only units some coder coded.
SCOPES = ("all", "coded")
#: Columns of the reliability-data frame :func:`units` returns.
UNIT_COLUMNS = ["unit", "scope", "roles_left_out", "doc_id", "unit_id", "start", "end",
                "coder", "code", "value", "weight"]
#: Category of a nominal variable where the coder applied none of its codes.
NO_CODE = "(none)"
#: Speaker roles whose turns are left out of agreement by default.
DEFAULT_LEFT_OUT_ROLES = ("interviewer", "facilitator")


def units(study, unit: str = "passage", coders: Sequence[str] | None = None,
          codes: Sequence[str] | None = None, *, scope: str = "all",
          variable: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
          exclude_roles: Sequence[str] | None = None) -> pd.DataFrame:
    """Reliability data: one row per unit × coder × code (or variable).

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
        The coders to compare, in the order given. Default: the coders of the
        study's ``reliability_coders`` pairs when the study declares them,
        else every coder who shares a document with another coder.
    codes : sequence of str, optional
        The codes to include, each a yes/no variable; default every code of
        the codebook, in codebook order (unused codes included, so the
        coefficients can say so).
    scope : {"all", "coded"}, default "all"
        ``"all"`` keeps every unit of the documents. ``"coded"`` keeps only
        units that at least one of ``coders`` coded with at least one of the
        codes compared (``codes``, or the codes of ``variable``): uncoded
        text, which agrees trivially, no longer inflates agreement. Report
        ``"coded"`` when the question is "do coders agree on what they
        code?", ``"all"`` when it is "do they agree on where codes apply?".
    variable : sequence of str, or {name: sequence of str}, optional
        Mutually exclusive codes (for example ``["glow", "grow"]``) read as
        the categories of **one nominal variable** instead of separate yes/no
        codes. Each unit × coder gets the code the coder applied, ``"(none)"``
        (:data:`NO_CODE`) when the coder coded the document but applied none
        of them to the unit, and several codes joined by ``"+"`` (for example
        ``"glow+grow"``) when the coder applied more than one, so no coding is
        hidden. ``code`` holds the variable's name: the mapping's key, or the
        codes joined by ``"/"``. Excludes ``codes``.
    exclude_roles : sequence of str, optional
        Speaker roles whose passages are left out (passage, sentence and
        character units; document units keep every turn). Default
        ``("interviewer", "facilitator")`` when ``study.passages`` has a
        ``speaker_role`` column, else nothing. ``()`` keeps every turn. The
        column ``roles_left_out`` says which choice was made.

    Returns
    -------
    DataFrame
        :data:`UNIT_COLUMNS`: ``unit, scope, roles_left_out, doc_id, unit_id,
        start, end, coder, code, value, weight``. ``value`` is 1.0 where a
        coding of ``coder`` with ``code`` overlaps the unit (by at least one
        character; a zero-length coding counts in the unit that contains its
        position, except for character units), 0.0 where the coder coded the
        document (has at least one coding of any code in it) but not this
        unit with this code, and NaN where the coder has no coding in the
        document; for a ``variable`` it is the category label (text) or NaN.
        ``weight`` is the number of characters of a character run, else 1.
        Rows are sorted by document, position, coder (in ``coders`` order) and
        code (in ``codes`` order).

    Notes
    -----
    Codings outside every passage (for example in a transcript header) count
    for "document" and "character" units only; so do codings inside left-out
    turns, for "document" units.

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
    ...     codebook=pd.DataFrame({"code": ["glow", "grow"]}), texts={"d": text})
    >>> units(study, codes=["glow"])[["unit_id", "coder", "value"]].values.tolist()
    [['d:1', 'a', 1.0], ['d:1', 'b', 1.0], ['d:2', 'a', 0.0], ['d:2', 'b', 1.0]]
    >>> units(study, variable=["glow", "grow"])[["unit_id", "code", "value"]].values.tolist()
    [['d:1', 'glow/grow', 'glow'], ['d:1', 'glow/grow', 'glow'], \
['d:2', 'glow/grow', '(none)'], ['d:2', 'glow/grow', 'glow']]
    """
    if unit not in UNITS:
        raise PlcaseError(f"unknown unit {unit!r}; choose one of {', '.join(map(repr, UNITS))}")
    if scope not in SCOPES:
        raise PlcaseError(f"unknown scope {scope!r}; choose one of {', '.join(map(repr, SCOPES))}")
    variable_name = None
    if variable is not None:
        if codes is not None:
            raise PlcaseError("pass either codes= (separate yes/no codes) or variable= "
                              "(one nominal variable), not both")
        if isinstance(variable, Mapping):
            if len(variable) != 1:
                raise PlcaseError("variable= as a mapping holds exactly one name: [codes]")
            variable_name, codes = next(iter(variable.items()))
        else:
            codes = list(variable)
            variable_name = "/".join(map(str, codes))
        if isinstance(codes, str) or len(codes) < 1:
            raise PlcaseError("a variable needs a list of its codes, for example "
                              "variable=['glow', 'grow']")
    coders = default_coders(study) if coders is None else list(coders)
    codes = list(study.codes if codes is None else codes)
    # A machine coder that tagged nothing has no rows, yet it rated every passage: "not coded".
    silent_machines = [c for c in coders if c not in set(study.coders) and str(c).startswith("auto:")]
    _require_known(coders, study.coders + silent_machines, "coder", "coders of the study")
    _require_known(codes, study.codes, "code", "codes of the codebook")

    passages, roles_note = _passages_kept(study.passages, exclude_roles, unit)
    doc_ids = sorted(study.documents["doc_id"])
    doc_rank = {d: i for i, d in enumerate(doc_ids)}
    # One global, sorted coordinate: document rank × (longest text + 2) + offset,
    # so a single searchsorted places every coding among every unit.
    stride = max([len(t) for t in study.texts.values()] + [0]) + 2

    codings = study.codings[study.codings["coder"].isin(coders)]
    c_doc = codings["doc_id"].map(doc_rank).to_numpy(dtype=np.int64)
    c_start = codings["start"].to_numpy(dtype=np.int64)
    c_end = codings["end"].to_numpy(dtype=np.int64)

    spans = _unit_spans(study, passages, unit, doc_ids, doc_rank, stride, c_doc, c_start, c_end,
                        codings["code"].isin(codes).to_numpy(),
                        None if roles_note.startswith("none") else
                        study.passages[~study.passages.index.isin(passages.index)])
    n_units, n_coders, n_codes = len(spans), len(coders), len(codes)
    u_doc = spans["rank"].to_numpy(dtype=np.int64)
    u_start = spans["start"].to_numpy(dtype=np.int64)
    u_end = spans["end"].to_numpy(dtype=np.int64)

    # Which coder coded which document decides 0 versus missing.
    coder_index = {c: i for i, c in enumerate(coders)}
    c_coder = codings["coder"].map(coder_index).to_numpy(dtype=np.int64)
    coded_doc = np.zeros((len(doc_ids), n_coders), dtype=bool)
    coded_doc[c_doc, c_coder] = True
    coded_doc[:, [coder_index[c] for c in silent_machines]] = True
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

    if scope == "coded":
        coded = (values == 1.0).any(axis=(1, 2))
        values, spans = values[coded], spans[coded].reset_index(drop=True)
        u_start, u_end, n_units = u_start[coded], u_end[coded], int(coded.sum())

    if variable_name is not None:
        values, codes = _as_variable(values, codes), [variable_name]
        n_codes = 1
    per_unit = n_coders * n_codes
    weight = (u_end - u_start) if unit == "character" else np.ones(n_units, dtype=np.int64)
    frame = pd.DataFrame({
        "unit": unit,
        "scope": scope,
        "roles_left_out": roles_note,
        "doc_id": np.repeat(spans["doc_id"].to_numpy(dtype=object), per_unit),
        "unit_id": np.repeat(spans["unit_id"].to_numpy(dtype=object), per_unit),
        "start": np.repeat(u_start, per_unit),
        "end": np.repeat(u_end, per_unit),
        "coder": np.tile(np.repeat(np.array(coders, dtype=object), n_codes), n_units),
        "code": np.tile(np.array(codes, dtype=object), n_units * n_coders),
        "value": values.reshape(-1),
        "weight": np.repeat(weight, per_unit),
    }, index=pd.RangeIndex(n_units * per_unit))
    return frame[UNIT_COLUMNS]


def default_coders(study) -> list[str]:
    """The coders compared when none are named.

    The coders of ``study.reliability_coders`` when the study declares them
    (see ``study.yml``), else every coder who shares at least one document
    with another coder, else every coder.

    Examples
    --------
    >>> import plcase
    >>> default_coders(plcase.read_sample())[:2]
    ['coder_a', 'coder_b']
    """
    declared = getattr(study, "reliability_coders", None)
    if declared:
        return list(dict.fromkeys(c for pair in declared for c in pair))
    pairs = _pairs_sharing_documents(study)
    sharing = sorted({c for pair in pairs for c in pair})
    return sharing or list(study.coders)


def default_pair(study) -> tuple[str, str]:
    """The two coders compared when none are named.

    The first of ``study.reliability_coders`` when the study declares them,
    else the first pair (in sorted order) of coders who share a document.

    Examples
    --------
    >>> import plcase
    >>> default_pair(plcase.read_sample())
    ('coder_a', 'coder_b')
    """
    declared = getattr(study, "reliability_coders", None)
    if declared:
        return tuple(declared[0])
    pairs = _pairs_sharing_documents(study)
    if not pairs:
        raise PlcaseError("no two coders share a document; name the coders to compare, "
                          "for example coders=('ana', 'ben')")
    return pairs[0]


def _pairs_sharing_documents(study) -> list[tuple[str, str]]:
    docs = study.codings.groupby("coder", observed=True)["doc_id"].agg(set).to_dict()
    return [(a, b) for a, b in combinations(sorted(docs), 2) if docs[a] & docs[b]]


def _passages_kept(passages: pd.DataFrame, exclude_roles, unit: str):
    """The passages agreement rests on, and a note on which turns were left out."""
    has_roles = "speaker_role" in passages.columns and passages["speaker_role"].notna().any()
    if unit == "document":
        return passages, "none (document units keep every turn)"
    if exclude_roles is None:
        if not has_roles:
            return passages, "none (passages carry no speaker_role)"
        exclude_roles = DEFAULT_LEFT_OUT_ROLES
    exclude_roles = [exclude_roles] if isinstance(exclude_roles, str) else list(exclude_roles)
    if not exclude_roles:
        return passages, "none"
    if not has_roles:
        raise PlcaseError(f"exclude_roles={exclude_roles!r} needs a speaker_role column in the "
                          f"passages; read the study with speaker roles or pass exclude_roles=()")
    left_out = passages["speaker_role"].isin(exclude_roles)
    return passages[~left_out], ", ".join(map(str, exclude_roles))


def _as_variable(values: np.ndarray, codes: list[str]) -> np.ndarray:
    """units × coders × codes of 0/1/NaN as units × coders × 1 category labels."""
    names = np.array(codes, dtype=object)
    applied = values == 1.0
    labels = np.array(["+".join(names[row]) if row.any() else NO_CODE
                       for row in applied.reshape(-1, len(codes))], dtype=object)
    labels = labels.reshape(values.shape[:2])
    labels[np.isnan(values[:, :, 0])] = np.nan
    return labels[:, :, None]


def _ramp(length: np.ndarray) -> np.ndarray:
    """0, 1, ..., n-1 for each n in ``length``, concatenated (vectorised)."""
    total = int(length.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(np.cumsum(length) - length, length)
    return np.arange(total, dtype=np.int64) - offsets


def _unit_spans(study, passages, unit, doc_ids, doc_rank, stride, c_doc, c_start, c_end, c_keep,
                left_out):
    """Spans of the units, sorted by document and start: doc_id, rank, unit_id, start, end."""
    if unit == "passage":
        spans = passages[["doc_id", "passage_id", "start", "end"]].rename(
            columns={"passage_id": "unit_id"})
    elif unit == "sentence":
        # Passage text is re-read from the document so hand-built passages need no text.
        passages = passages.assign(text=[study.texts[d][s:e] for d, s, e in zip(
            passages["doc_id"], passages["start"], passages["end"])])
        spans = sentence_frame(passages)[["doc_id", "sentence_id", "start", "end"]].rename(
            columns={"sentence_id": "unit_id"})
    elif unit == "document":
        spans = pd.DataFrame({"doc_id": doc_ids, "unit_id": doc_ids, "start": 0,
                              "end": [len(study.texts[d]) for d in doc_ids]})
    else:
        # Cut each document at every boundary of a coding that matters (and of
        # every left-out turn); each run between two consecutive cuts is uniform
        # for every coder and code.
        lengths = np.array([len(study.texts[d]) for d in doc_ids], dtype=np.int64)
        ranks = np.arange(len(doc_ids), dtype=np.int64)
        out_doc = out_start = out_end = np.zeros(0, dtype=np.int64)
        if left_out is not None and len(left_out):
            left_out = left_out[left_out["doc_id"].isin(doc_rank)]
            out_doc = left_out["doc_id"].map(doc_rank).to_numpy(dtype=np.int64)
            out_start = out_doc * stride + left_out["start"].to_numpy(dtype=np.int64)
            out_end = out_doc * stride + left_out["end"].to_numpy(dtype=np.int64)
        cuts = np.unique(np.concatenate([
            ranks * stride, ranks * stride + lengths,
            c_doc[c_keep] * stride + c_start[c_keep], c_doc[c_keep] * stride + c_end[c_keep],
            out_start, out_end]))
        left, right = cuts[:-1], cuts[1:]
        same_doc = (left // stride) == (right // stride)
        left, right = left[same_doc], right[same_doc]
        if len(out_start):
            # A run lies inside a left-out turn when the last turn starting at or
            # before it ends at or after the run's end (turns do not overlap).
            order = np.argsort(out_start, kind="mergesort")
            o_start, o_end = out_start[order], out_end[order]
            at = np.searchsorted(o_start, left, side="right") - 1
            inside = (at >= 0) & (o_end[np.maximum(at, 0)] >= right)
            left, right = left[~inside], right[~inside]
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
