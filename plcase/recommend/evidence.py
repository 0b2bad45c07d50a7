"""Evidence-graded recommendations: which of the case study's recommendations the data carry.

A recommendations file (``interviews/recommendations.yml``) maps each of the
case study's five recommendations to the codes whose passages bear on it.
:func:`recommendations` counts that evidence (cases, roles, source types,
passages, glows and grows) and grades it with one explicit rule,
:func:`grade_evidence`; :mod:`plcase.recommend.cerqual` judges confidence in
each the GRADE-CERQual way and :mod:`plcase.recommend.writeup` writes both up.

Examples
--------
>>> import plcase
>>> from plcase.recommend import recommendations
>>> graded = recommendations(plcase.read_sample())
>>> graded["id"].tolist()
[1, 2, 3, 4, 5]
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from plcase import config
from plcase._files.strict_yaml import load_yaml
from plcase.codebook import read_codebook
from plcase.errors import PlcaseError, PlcaseInputError
from plcase.matrix import _check_coder, _valenced, coded_passages
from plcase.schema import RESEARCHER_ROLES, SOURCES

__all__ = ["GRADES", "GRADING_RULE", "informant_roles", "read_recommendations", "grade_evidence",
           "recommendations"]

#: Grades, weakest first.
GRADES = ("emerging", "moderate", "strong")

#: The rule of :func:`grade_evidence` in one sentence, for write-ups.
GRADING_RULE = ("strong = voiced in every case, by every informant role the cases have, in 2+ "
                "source types and 10+ passages; moderate = 2+ cases, 2+ of those roles (or all, "
                "when the study has fewer) and 5+ passages; emerging = anything less. Glow/grow "
                "balance is reported, not graded.")

_FIELDS = ("id", "recommendation", "codes", "rationale")


# --------------------------------------------------------------------------- reading

def _known_codes(path: Path, codes) -> list[str]:
    if codes is not None:
        if hasattr(codes, "codes") and not isinstance(codes, pd.DataFrame):
            return list(codes.codes)           # a Study
        if isinstance(codes, pd.DataFrame):
            return codes["code"].tolist()      # a codebook frame
        return list(codes)

    for candidate in (path.parent / "codebook.yml", config.INTERVIEWS_DIR / "codebook.yml"):
        if candidate.is_file():
            return read_codebook(candidate)["code"].tolist()
    raise PlcaseInputError("cannot check the codes: no codebook.yml next to the file",
                           path=path, hint="pass codes=study.codes")


def read_recommendations(path: str | Path, codes=None) -> pd.DataFrame:
    """Read a recommendations file: each recommendation and the codes that bear on it.

    The YAML file holds a list ``recommendations:`` whose entries have
    ``id`` (int), ``recommendation`` (its wording), ``codes`` (a non-empty
    list of codebook codes), ``rationale`` (one sentence) and optionally
    ``short`` (a label for tables and figures) and ``about`` (the roles
    and source types the recommendation is about, ``{roles: [...],
    sources: [...]}``, either list optional; :func:`plcase.recommend.cerqual`
    judges relevance by it).

    Parameters
    ----------
    path : str or Path
    codes : Study, codebook frame or list of str, optional
        The valid codes; default the ``codebook.yml`` next to the file.

    Returns
    -------
    DataFrame
        One row per recommendation: ``id, short, recommendation, codes``
        (tuple of str), ``rationale``, ``about`` (dict with tuples
        ``roles`` and ``sources``, empty when not declared), in file order.

    Raises
    ------
    PlcaseInputError
        Naming the file, the line and the entry, for a missing field, an
        empty or unknown code, a repeated id, or an ``about`` that is not a
        mapping of ``roles``/``sources`` lists.

    Examples
    --------
    >>> from plcase import config
    >>> recs = read_recommendations(config.SAMPLE_DIR / "recommendations.yml")
    >>> recs.loc[recs.id == 3, "codes"].item()
    ('embedded_pd',)
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlcaseInputError("no such recommendations file", path=path) from None
    data = load_yaml(text, path, what="recommendations file")
    if not isinstance(data, dict) or not isinstance(data.get("recommendations"), list):
        raise PlcaseInputError("the file needs a top-level list 'recommendations:'", path=path,
                               line=1, hint="see interviews/recommendations.yml for the layout")
    known = _known_codes(path, codes)
    rows, seen = [], {}
    for k, entry in enumerate(data["recommendations"], start=1):
        if not isinstance(entry, dict):
            raise PlcaseInputError(f"entry {k} is not a mapping", path=path,
                                   hint="each entry needs id, recommendation, codes, rationale")
        line = entry.line
        name = f"entry {k}" + (f" ({entry['recommendation']!r})"
                               if isinstance(entry.get("recommendation"), str) else "")
        missing = [f for f in _FIELDS if entry.get(f) in (None, "", [])]
        if missing:
            raise PlcaseInputError(f"{name} lacks {', '.join(repr(f) for f in missing)}",
                                   path=path, line=line,
                                   hint="each entry needs id, recommendation, codes, rationale")
        if isinstance(entry["id"], str) and entry["id"].strip().isdecimal():
            entry["id"] = int(entry["id"])  # the strict YAML loader gives text; ids are numbers
        if not isinstance(entry["id"], int) or isinstance(entry["id"], bool):
            raise PlcaseInputError(f"{name} has id {entry['id']!r}; ids are whole numbers",
                                   path=path, line=line)
        if entry["id"] in seen:
            raise PlcaseInputError(f"{name} repeats id {entry['id']} (first used on line "
                                   f"{seen[entry['id']]})", path=path, line=line)
        seen[entry["id"]] = line
        entry_codes = entry["codes"]
        if isinstance(entry_codes, str):
            entry_codes = [entry_codes]
        if not isinstance(entry_codes, list) or not all(isinstance(c, str) for c in entry_codes):
            raise PlcaseInputError(f"{name}: 'codes' must be a list of code names", path=path,
                                   line=line)
        unknown = [c for c in entry_codes if c not in known]
        if unknown:
            raise PlcaseInputError(f"{name} uses unknown code(s) "
                                   f"{', '.join(repr(c) for c in unknown)}", path=path, line=line,
                                   hint=f"use codes of the codebook: {', '.join(known)}")
        rows.append({"id": entry["id"],
                     "short": str(entry.get("short") or entry["recommendation"]).strip(),
                     "recommendation": str(entry["recommendation"]).strip(),
                     "codes": tuple(dict.fromkeys(entry_codes)),
                     "rationale": " ".join(str(entry["rationale"]).split()),
                     "about": _about(entry.get("about"), name, path, line)})
    frame = pd.DataFrame(rows, columns=["id", "short", "recommendation", "codes", "rationale",
                                        "about"])
    frame.attrs = {"path": str(path)}
    return frame


def _about(about, name: str, path, line) -> dict[str, tuple[str, ...]]:
    """``about: {roles: [...], sources: [...]}`` as a dict of tuples (empty when absent)."""
    if about is None:
        return {"roles": (), "sources": ()}
    hint = "write about: {roles: [teacher, student], sources: [interview]}"
    if not isinstance(about, dict):
        raise PlcaseInputError(f"{name}: 'about' must be a mapping of roles and sources",
                               path=path, line=line, hint=hint)
    about = {k: v for k, v in about.items() if k != "__line__"}
    unknown = [k for k in about if k not in ("roles", "sources")]
    if unknown:
        raise PlcaseInputError(f"{name}: 'about' has unknown key(s) "
                               f"{', '.join(repr(k) for k in unknown)}", path=path, line=line,
                               hint=hint)
    out = {}
    for key in ("roles", "sources"):
        value = about.get(key) or []
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise PlcaseInputError(f"{name}: 'about: {key}' must be a list of names", path=path,
                                   line=line, hint=hint)
        out[key] = tuple(dict.fromkeys(value))
    return out


# --------------------------------------------------------------------------- grading

def grade_evidence(n_cases: int, n_roles: int, n_sources: int, n_passages: int, *,
                   n_cases_total: int, n_roles_total: int) -> tuple[str, str]:
    """Grade the evidence for a recommendation: strong, moderate or emerging.

    The rule (checked in this order):

    * **strong**: voiced in *every* case (``n_cases == n_cases_total``), by
      *every* informant role the cases have (``n_roles == n_roles_total``;
      in the sample, administrators, teachers and students), in *at least
      two* source types (interview, focus group, site visit), and in *at
      least 10* passages;
    * **moderate**: voiced in *at least two* cases, by *at least two* of the
      roles (all of them when the study has fewer than two), in *at least 5*
      passages;
    * **emerging**: anything less, including no passages at all (the counts
      beside the grade show which).

    Glows and grows do not move the grade: a lesson drawn from what was hard
    (grow) is as well supported as one drawn from what worked (glow); the
    balance is reported beside the grade so a reader sees which it is.

    Parameters
    ----------
    n_cases, n_roles, n_sources, n_passages : int
        Cases, informant roles, source types, and passages carrying any of
        the recommendation's codes.
    n_cases_total, n_roles_total : int
        Cases in the study, and informant roles among its case documents
        (:func:`informant_roles`).

    Returns
    -------
    (grade, rule) : tuple of str
        The grade and the clause of the rule that gave it.

    Examples
    --------
    >>> grade_evidence(3, 3, 3, 40, n_cases_total=3, n_roles_total=3)
    ('strong', 'all 3 cases, all 3 roles, 2+ source types, 10+ passages')
    >>> grade_evidence(2, 3, 3, 40, n_cases_total=3, n_roles_total=3)[0]
    'moderate'
    >>> grade_evidence(1, 1, 1, 2, n_cases_total=3, n_roles_total=3)[0]
    'emerging'

    A study whose documents name no informant roles is graded on cases,
    sources and passages alone:

    >>> grade_evidence(3, 0, 2, 12, n_cases_total=3, n_roles_total=0)[0]
    'strong'
    """
    roles_needed = min(2, n_roles_total)
    if n_passages and n_cases == n_cases_total and n_roles == n_roles_total \
            and n_sources >= 2 and n_passages >= 10:
        return "strong", (f"all {n_cases_total} cases, all {n_roles_total} roles, "
                          "2+ source types, 10+ passages")
    if n_cases >= 2 and n_roles >= roles_needed and n_passages >= 5:
        return "moderate", f"2+ cases, {roles_needed}+ roles, 5+ passages"
    if n_passages == 0:
        return "emerging", "no passages"
    return "emerging", f"fewer than 2 cases, {roles_needed} roles or 5 passages"


def _study_cases(study, case_column: str) -> list:
    """The study's cases: the case column's values among its case documents."""
    return sorted(study.case_documents(case_column)[case_column].unique().tolist())


def informant_roles(study, case_column: str | None = None) -> list[str]:
    """The informant roles among a study's case documents (the ``role`` column), sorted.

    These are the voices whose agreement makes evidence strong in
    :func:`grade_evidence`; context documents (``context:`` in study.yml)
    do not add a role, nor do the researcher's own notes (role ``observer``
    of a site visit).

    Examples
    --------
    >>> import plcase
    >>> informant_roles(plcase.read_sample())
    ['administrator', 'student', 'teacher']
    """
    case_column = study.case_column if case_column is None else case_column
    roles = study.case_documents(case_column)["role"].dropna()
    return sorted(str(r) for r in roles.unique()
                  if str(r).strip() and r not in RESEARCHER_ROLES)


def _mapping(study, mapping) -> pd.DataFrame:
    if mapping is None:
        mapping = study.recommendations_path
        if mapping is None:
            raise PlcaseError("this study has no recommendations file; add recommendations.yml to "
                              "the study folder (see the sample's) or pass mapping=")
    if isinstance(mapping, (str, Path)):
        return read_recommendations(mapping, codes=study.codes)
    mapping = pd.DataFrame(mapping)
    missing = [c for c in ("id", "codes") if c not in mapping.columns]
    if missing:
        raise PlcaseError(f"the mapping lacks column(s) {', '.join(repr(c) for c in missing)}; "
                          "read it with read_recommendations()")
    for row in mapping.itertuples(index=False):
        unknown = [c for c in row.codes if c not in study.codes]
        if unknown:
            raise PlcaseError(f"recommendation {row.id} uses unknown code(s) "
                              f"{', '.join(repr(c) for c in unknown)}; the codebook has "
                              f"{', '.join(repr(c) for c in study.codes)}")
    mapping = mapping.copy()
    for col in ("short", "recommendation", "rationale"):
        if col not in mapping.columns:
            mapping[col] = mapping["id"].astype(str) if col != "rationale" else ""
    if "about" not in mapping.columns:
        mapping["about"] = [{"roles": (), "sources": ()} for _ in range(len(mapping))]
    mapping["about"] = [{"roles": tuple((a or {}).get("roles", ())),
                         "sources": tuple((a or {}).get("sources", ()))}
                        for a in mapping["about"]]
    return mapping


def _evidence(study, codes: Iterable[str], coder: str, case_column: str) -> pd.DataFrame:
    """Passages carrying any of ``codes``, rolled to one row per passage, with their ``case``."""
    long = coded_passages(study, coder=coder, codes=list(codes))
    columns = ["speaker", "school", "source", "role", "participant", "informant"]
    columns += [case_column] if case_column not in columns else []
    rolled = (long.groupby("passage_id", sort=False, observed=True)
              .agg(doc_id=("doc_id", "first"), start=("start", "min"), end=("end", "max"),
                   **{c: (c, "first") for c in columns})
              .reset_index())
    rolled["case"] = rolled[case_column]
    return rolled


def recommendations(study, mapping=None, coder: str | None = None,
                    case_column: str | None = None) -> pd.DataFrame:
    """Grade each recommendation from the evidence in the codings.

    The evidence for a recommendation is every passage carrying any of its
    codes (codings rolled to passages as in :func:`plcase.matrix.coded_passages`).
    From it come the inputs of :func:`grade_evidence`: the cases it appears
    in (documents marked ``context`` in study.yml are not cases, though
    their passages count as evidence), the
    informant roles who voiced it (:func:`informant_roles`), the source
    types, and the passages; ``glow`` and ``grow`` count the passages where
    the study's positive or negative valence code overlaps one of its codes.

    Parameters
    ----------
    study : Study
    mapping : DataFrame, str or Path, optional
        From :func:`read_recommendations`, or a path to a recommendations
        file; default the study's (``study.recommendations_path``).
    coder : str, optional
        Defaults to the study's primary coder (``study.primary_coder``).
    case_column : str, optional
        The documents' column naming each case; default the study's
        (``study.case_column``).

    Returns
    -------
    DataFrame
        One row per recommendation: ``id, short, codes, n_cases, n_roles,
        n_sources, n_passages, glow, grow, balance, grade, rule,
        recommendation, rationale, cases, roles, sources``; ``grade`` is an
        ordered categorical (emerging < moderate < strong). ``attrs`` holds
        the coder, the case column, the study's cases and roles.

    Examples
    --------
    >>> import plcase
    >>> graded = recommendations(plcase.read_sample())
    >>> set(graded["grade"]) <= {"strong", "moderate", "emerging"}
    True
    >>> graded.attrs["case_column"], graded.attrs["n_cases_total"]
    ('school', 3)
    """
    coder = _check_coder(study, coder)
    case_column = study.case_column if case_column is None else case_column
    mapping = _mapping(study, mapping)
    cases = _study_cases(study, case_column)
    voices = informant_roles(study, case_column)
    rows = []
    for rec in mapping.itertuples(index=False):
        codes = list(rec.codes)
        evidence = _evidence(study, codes, coder, case_column)
        in_cases = sorted(set(evidence["case"].dropna()) & set(cases))
        roles = [r for r in voices if r in set(evidence["role"])]
        sources = [s for s in SOURCES if s in set(evidence["source"])]
        valence = _valenced(study, coder, codes).drop_duplicates(["passage_id", "valence"])
        positive, negative = (list(study.valence_codes) + [None, None])[:2]
        glow = int((valence["valence"] == positive).sum())
        grow = int((valence["valence"] == negative).sum())
        grade, rule = grade_evidence(len(in_cases), len(roles), len(sources), len(evidence),
                                     n_cases_total=len(cases), n_roles_total=len(voices))
        rows.append({"id": rec.id, "short": rec.short, "codes": ", ".join(codes),
                     "n_cases": len(in_cases), "n_roles": len(roles),
                     "n_sources": len(sources), "n_passages": len(evidence),
                     "glow": glow, "grow": grow,
                     "balance": (glow - grow) / (glow + grow) if glow + grow else float("nan"),
                     "grade": grade, "rule": rule, "recommendation": rec.recommendation,
                     "rationale": rec.rationale, "cases": ", ".join(map(str, in_cases)),
                     "roles": ", ".join(roles), "sources": ", ".join(sources)})
    graded = pd.DataFrame(rows)
    graded["grade"] = pd.Categorical(graded["grade"], categories=list(GRADES), ordered=True)
    # The mapping as plain records (attrs are compared with == when frames are combined),
    # so the write-up can judge confidence on the same recommendations.
    graded.attrs = {"coder": coder, "case_column": case_column, "n_cases_total": len(cases),
                    "roles": list(voices), "mapping": mapping.to_dict("records")}
    return graded
