"""Code hierarchies: how deep each code sits, and rolling codings up the tree.

A large codebook (QualCoder's 230 codes in 55 nested categories, an NVivo
node tree) gives a matrix too wide to read.  :func:`rollup` maps every coding
to its ancestor at a chosen depth, or to a chosen set of codes, so matrices,
co-occurrence and saturation count categories instead of leaves.  Counts in
equal counts out: every coding keeps its row, with its original code beside
the rolled one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

import pandas as pd

from plcase.errors import PlcaseError
from plcase.study import Study

__all__ = ["ancestors", "code_depth", "rollup", "rollup_codes", "rolled_study"]


def ancestors(codebook: pd.DataFrame) -> dict[str, list[str]]:
    """Each code's path from the top of the tree down to itself.

    Examples
    --------
    >>> cb = pd.DataFrame({"code": ["a", "b", "c"], "parent": [None, "a", "b"]})
    >>> ancestors(cb)["c"]
    ['a', 'b', 'c']
    """
    parents = dict(zip(codebook["code"], codebook["parent"]))
    paths: dict[str, list[str]] = {}
    for code in codebook["code"]:
        path, cursor, seen = [], code, set()
        while isinstance(cursor, str) and cursor in parents:
            if cursor in seen:
                raise PlcaseError(f"the codebook's parents loop at code {cursor!r}; "
                                  "fix the parent of one of them")
            seen.add(cursor)
            path.append(cursor)
            cursor = parents[cursor]
        paths[code] = path[::-1]
    return paths


def code_depth(codebook: pd.DataFrame) -> pd.Series:
    """Depth of every code in the tree (1 = top level), indexed by code.

    Examples
    --------
    >>> cb = pd.DataFrame({"code": ["a", "b", "c"], "parent": [None, "a", "b"]})
    >>> code_depth(cb).tolist()
    [1, 2, 3]
    """
    paths = ancestors(codebook)
    return pd.Series({code: len(path) for code, path in paths.items()}, name="depth",
                     dtype="int64").rename_axis("code")


def rollup_codes(codebook: pd.DataFrame, level: int | None = 1,
                 to: Iterable[str] | Mapping[str, str] | None = None) -> dict[str, str]:
    """The code each code rolls up to (see :func:`rollup`), as a mapping.

    Examples
    --------
    >>> cb = pd.DataFrame({"code": ["a", "b", "c", "d"], "parent": [None, "a", "b", None]})
    >>> rollup_codes(cb, level=2)
    {'a': 'a', 'b': 'b', 'c': 'b', 'd': 'd'}
    """
    paths = ancestors(codebook)
    if to is None:
        if not isinstance(level, int) or isinstance(level, bool) or level < 1:
            raise PlcaseError(f"level must be a whole number from 1 (the top of the code tree), "
                              f"not {level!r}")
        return {code: path[min(level, len(path)) - 1] for code, path in paths.items()}
    mapping = dict(to) if isinstance(to, Mapping) else {code: code for code in to}
    unknown = [c for c in mapping if c not in paths]
    if unknown:
        raise PlcaseError(f"unknown code(s) {', '.join(repr(c) for c in unknown)} in to=; "
                          "name codes of the codebook")
    result = {}
    for code, path in paths.items():
        # The nearest listed code on the way up: the most specific grouping wins.
        hit = next((mapping[c] for c in reversed(path) if c in mapping), None)
        if hit is not None:
            result[code] = hit
    return result


def rollup(codings, codebook: pd.DataFrame | None = None, level: int | None = 1, *,
           to: Iterable[str] | Mapping[str, str] | None = None):
    """Map each coding's code to its ancestor at a depth of the code tree, or to chosen codes.

    Parameters
    ----------
    codings : DataFrame or Study
        The codings frame (``code`` column); given a :class:`~plcase.study.Study`,
        returns the study with its codings rolled up (``codebook`` is then
        the study's), ready for :func:`plcase.theme_matrix` and the others.
    codebook : DataFrame, optional
        With ``code`` and ``parent``; required with a codings frame.
    level : int, default 1
        1 = the top of the tree, 2 = the level below, …  A code that sits
        higher than ``level`` keeps itself.
    to : list of codes or mapping of code to group, optional
        Instead of a depth: every code rolls up to its nearest listed
        ancestor (or itself, if listed); with a mapping, to that code's
        group name.  A coding whose code has no listed ancestor is an error
        naming the codes, never a silent drop.

    Returns
    -------
    DataFrame or Study
        The same rows, ``code`` replaced, the original in ``original_code``.

    Examples
    --------
    >>> cb = pd.DataFrame({"code": ["privacy", "consent", "deletion requests"],
    ...                    "parent": [None, "privacy", "privacy"]})
    >>> codings = pd.DataFrame({"doc_id": ["d1", "d1"], "code": ["consent", "deletion requests"]})
    >>> rollup(codings, cb, level=1)[["code", "original_code"]].values.tolist()
    [['privacy', 'consent'], ['privacy', 'deletion requests']]
    >>> rollup(codings, cb, to={"consent": "agreement"})
    Traceback (most recent call last):
    ...
    plcase.errors.PlcaseError: 1 coding(s) have a code with no group in to=: 'deletion requests'; add it (or an ancestor) to the mapping
    """
    if isinstance(codings, Study):
        study = codings
        codebook = study.codebook if codebook is None else codebook
        rolled = rollup(study.codings, codebook, level, to=to)
        # Group names of a mapping that are not codes yet join the codebook as categories.
        new = [g for g in dict.fromkeys(rolled["code"]) if g not in set(codebook["code"])]
        if new:
            codebook = pd.concat([codebook, pd.DataFrame({"code": new, "label": new,
                                                          "kind": "category"})],
                                 ignore_index=True)
        return replace(study, codings=rolled, codebook=codebook)
    if codebook is None:
        raise PlcaseError("rollup needs the codebook (code, parent) to know the tree")
    if "code" not in codings.columns:
        raise PlcaseError("codings lacks column 'code'")
    mapping = rollup_codes(codebook, level, to)
    known = set(codebook["code"])
    strays = sorted(set(codings["code"]) - known)
    if strays:
        raise PlcaseError(f"code(s) {', '.join(repr(c) for c in strays)} are used in codings but "
                          "not defined in the codebook")
    new = codings["code"].map(mapping)
    lost = codings.loc[new.isna(), "code"]
    if len(lost):
        names = ", ".join(repr(c) for c in dict.fromkeys(lost))
        raise PlcaseError(f"{len(lost)} coding(s) have a code with no group in to=: {names}; "
                          "add it (or an ancestor) to the mapping")
    out = codings.copy()
    out["original_code"] = codings["original_code"] if "original_code" in codings.columns \
        else codings["code"]
    out["code"] = new
    return out


def rolled_study(study: Study, level: int, codes: Iterable[str] | str | None = None):
    """The study rolled up to ``level`` and the codes to show: what ``level=`` of a matrix does.

    ``codes`` default to every code at that level, in codebook order, with
    leaves that sit higher and higher codes that hold codings themselves
    (not an empty root category above the level).  A code given that lies below the
    level is an error naming the code it rolls up to.

    Examples
    --------
    >>> import plcase
    >>> rolled, codes = rolled_study(plcase.read_sample(), level=1)
    >>> codes == [c for c in rolled.codes if c in codes]
    True
    """
    mapping = rollup_codes(study.codebook, level)
    targets = set(mapping.values())
    rolled = rollup(study, level=level)
    if codes is None:
        # The codes of that level, leaves that sit higher, and any higher code coded directly;
        # not the empty ancestors above the level (a project's single root category).
        depth = code_depth(study.codebook)
        parents = set(study.codebook["parent"].dropna())
        used = set(rolled.codings["code"])
        codes = [c for c in study.codes if c in targets
                 and (depth[c] == level or c not in parents or c in used)]
    else:
        codes = [codes] if isinstance(codes, str) else list(codes)
        below = [c for c in codes if c in mapping and c not in targets]
        if below:
            raise PlcaseError(f"code(s) {', '.join(repr(c) for c in below)} lie below level {level} "
                              f"and roll up to {', '.join(repr(mapping[c]) for c in below)}; "
                              "name codes of that level, or leave codes out")
    return rolled, codes
