"""What two coders should talk about: the units and code pairs they disagree on."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from plcase.agreement.units import _require_known, default_pair, units
from plcase.errors import PlcaseError

__all__ = ["disagreements", "confusion"]



def disagreements(study, coders: tuple[str, str] | None = None,
                  code: str | Sequence[str] | None = None,
                  unit: str = "passage") -> pd.DataFrame:
    """Every unit where two coders differ on a code, ready for reconciliation.

    Parameters
    ----------
    study : Study
    coders : (str, str), optional
        The two coders to compare; default the study's first reliability pair
        (see :func:`plcase.agreement.default_pair`).
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
        Default the study's first reliability pair.
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
    coders = default_pair(study) if coders is None else tuple(coders)
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
