"""Evidence-graded recommendations: which of the case study's recommendations the data carry.

A recommendations file (``interviews/recommendations.yml``) maps each of the
case study's five recommendations to the codes whose passages bear on it.
:func:`recommendations` counts that evidence (schools, roles, source types,
passages, glows and grows) and grades it with one explicit rule,
:func:`grade_evidence`; :func:`recommendations_markdown` writes the result
with supporting quotes, ready for a write-up.

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
import yaml

from plcase import config
from plcase.codebook import _LineLoader
from plcase.errors import PlcaseError, PlcaseInputError
from plcase.matrix import QUOTE_CHARS, _check_coder, _rank_quotes, _valenced, coded_passages
from plcase.schema import SOURCES

__all__ = ["GRADES", "GRADING_RULE", "VOICES", "read_recommendations", "grade_evidence", "recommendations",
           "recommendations_markdown"]

#: Grades, weakest first.
GRADES = ("emerging", "moderate", "strong")
#: The three voices of the case study whose agreement makes evidence strong.
VOICES = ("administrator", "teacher", "student")

#: The rule of :func:`grade_evidence` in one sentence, for write-ups.
GRADING_RULE = ("strong = voiced in every case-study school, by administrators, teachers and "
                "students, in 2+ source types and 10+ passages; moderate = 2+ schools, 2+ of "
                "those roles and 5+ passages; emerging = anything less. Glow/grow balance is "
                "reported, not graded.")

_FIELDS = ("id", "recommendation", "codes", "rationale")
_SOURCE_LABELS = {"interview": "interviews", "focus_group": "focus groups",
                  "site_visit": "site visits", "document": "documents"}
_ROLE_PLURALS = {"administrator": "administrators", "teacher": "teachers", "student": "students"}


# --------------------------------------------------------------------------- reading

def _known_codes(path: Path, codes) -> list[str]:
    if codes is not None:
        if hasattr(codes, "codes") and not isinstance(codes, pd.DataFrame):
            return list(codes.codes)           # a Study
        if isinstance(codes, pd.DataFrame):
            return codes["code"].tolist()      # a codebook frame
        return list(codes)
    from plcase.codebook import read_codebook

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
    ``short`` (a label for tables and figures).

    Parameters
    ----------
    path : str or Path
    codes : Study, codebook frame or list of str, optional
        The valid codes; default the ``codebook.yml`` next to the file.

    Returns
    -------
    DataFrame
        One row per recommendation: ``id, short, recommendation, codes``
        (tuple of str), ``rationale``, in file order.

    Raises
    ------
    PlcaseInputError
        Naming the file, the line and the entry, for a missing field, an
        empty or unknown code, or a repeated id.

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
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PlcaseInputError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path=path,
                               line=None if mark is None else mark.line + 1,
                               hint="check indentation and quoting") from None
    if not isinstance(data, dict) or not isinstance(data.get("recommendations"), list):
        raise PlcaseInputError("the file needs a top-level list 'recommendations:'", path=path,
                               line=1, hint="see interviews/recommendations.yml for the layout")
    known = _known_codes(path, codes)
    rows, seen = [], {}
    for k, entry in enumerate(data["recommendations"], start=1):
        if not isinstance(entry, dict):
            raise PlcaseInputError(f"entry {k} is not a mapping", path=path,
                                   hint="each entry needs id, recommendation, codes, rationale")
        line = entry.pop("__line__", None)
        name = f"entry {k}" + (f" ({entry['recommendation']!r})"
                               if isinstance(entry.get("recommendation"), str) else "")
        missing = [f for f in _FIELDS if entry.get(f) in (None, "", [])]
        if missing:
            raise PlcaseInputError(f"{name} lacks {', '.join(repr(f) for f in missing)}",
                                   path=path, line=line,
                                   hint="each entry needs id, recommendation, codes, rationale")
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
                     "rationale": " ".join(str(entry["rationale"]).split())})
    frame = pd.DataFrame(rows, columns=["id", "short", "recommendation", "codes", "rationale"])
    frame.attrs = {"path": str(path)}
    return frame


# --------------------------------------------------------------------------- grading

def grade_evidence(n_schools: int, n_roles: int, n_sources: int, n_passages: int, *,
                   n_schools_total: int) -> tuple[str, str]:
    """Grade the evidence for a recommendation: strong, moderate or emerging.

    The rule (checked in this order):

    * **strong**: voiced in *every* case-study school (``n_schools ==
      n_schools_total``), by *all three* roles (administrators, teachers and
      students), in *at least two* source types (interview, focus group,
      site visit), and in *at least 10* passages;
    * **moderate**: voiced in *at least two* schools, by *at least two* of the
      three roles, in *at least 5* passages;
    * **emerging**: anything less, including no passages at all (the counts
      beside the grade show which).

    Glows and grows do not move the grade: a lesson drawn from what was hard
    (grow) is as well supported as one drawn from what worked (glow); the
    balance is reported beside the grade so a reader sees which it is.

    Parameters
    ----------
    n_schools, n_roles, n_sources, n_passages : int
        Case-study schools, roles among administrator/teacher/student,
        source types, and passages carrying any of the recommendation's codes.
    n_schools_total : int
        Case-study schools in the study.

    Returns
    -------
    (grade, rule) : tuple of str
        The grade and the clause of the rule that gave it.

    Examples
    --------
    >>> grade_evidence(3, 3, 3, 40, n_schools_total=3)
    ('strong', 'all 3 schools, all 3 roles, 2+ source types, 10+ passages')
    >>> grade_evidence(2, 3, 3, 40, n_schools_total=3)[0]
    'moderate'
    >>> grade_evidence(1, 1, 1, 2, n_schools_total=3)[0]
    'emerging'
    """
    if n_passages and n_schools == n_schools_total and n_roles == len(VOICES) \
            and n_sources >= 2 and n_passages >= 10:
        return "strong", (f"all {n_schools_total} schools, all {len(VOICES)} roles, "
                          "2+ source types, 10+ passages")
    if n_schools >= 2 and n_roles >= 2 and n_passages >= 5:
        return "moderate", "2+ schools, 2+ roles, 5+ passages"
    if n_passages == 0:
        return "emerging", "no passages"
    return "emerging", "fewer than 2 schools, 2 roles or 5 passages"


def _case_schools(study) -> list[str]:
    """Schools with at least one school-level informant (a district office is not a school)."""
    docs = study.documents
    schools = docs.loc[docs["role"].ne("district") & docs["school"].notna(), "school"]
    return sorted(schools.unique().tolist())


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
    return mapping


def _evidence(study, codes: Iterable[str], coder: str) -> pd.DataFrame:
    """Passages carrying any of ``codes``, rolled to one row per passage."""
    long = coded_passages(study, coder=coder, codes=list(codes))
    return (long.groupby("passage_id", sort=False)
            .agg(doc_id=("doc_id", "first"), start=("start", "min"), end=("end", "max"),
                 speaker=("speaker", "first"), school=("school", "first"),
                 source=("source", "first"), role=("role", "first"),
                 participant=("participant", "first"), informant=("informant", "first"))
            .reset_index())


def recommendations(study, mapping=None, coder: str | None = None) -> pd.DataFrame:
    """Grade each recommendation from the evidence in the codings.

    The evidence for a recommendation is every passage carrying any of its
    codes (codings rolled to passages as in :func:`plcase.matrix.coded_passages`).
    From it come the inputs of :func:`grade_evidence`: the case-study schools
    it appears in (a district office is not counted as a school), the roles
    among administrators, teachers and students who voiced it, the source
    types, and the passages; ``glow`` and ``grow`` count the passages where a
    glow or grow coding overlaps one of its codes.

    Parameters
    ----------
    study : Study
    mapping : DataFrame, str or Path, optional
        From :func:`read_recommendations`, or a path to a recommendations
        file; default the study's (``study.recommendations_path``).
    coder : str, optional
        Defaults to the study's primary coder (``study.primary_coder``).

    Returns
    -------
    DataFrame
        One row per recommendation: ``id, short, codes, n_schools, n_roles,
        n_sources, n_passages, glow, grow, balance, grade, rule,
        recommendation, rationale, schools, roles, sources``; ``grade`` is
        an ordered categorical (emerging < moderate < strong).

    Examples
    --------
    >>> import plcase
    >>> graded = recommendations(plcase.read_sample())
    >>> set(graded["grade"]) <= {"strong", "moderate", "emerging"}
    True
    """
    coder = _check_coder(study, coder)
    mapping = _mapping(study, mapping)
    schools = _case_schools(study)
    rows = []
    for rec in mapping.itertuples(index=False):
        codes = list(rec.codes)
        evidence = _evidence(study, codes, coder)
        in_schools = sorted(set(evidence["school"].dropna()) & set(schools))
        roles = [r for r in VOICES if r in set(evidence["role"])]
        sources = [s for s in SOURCES if s in set(evidence["source"])]
        valence = _valenced(study, coder, codes).drop_duplicates(["passage_id", "valence"])
        positive, negative = (list(study.valence_codes) + [None, None])[:2]
        glow = int((valence["valence"] == positive).sum())
        grow = int((valence["valence"] == negative).sum())
        grade, rule = grade_evidence(len(in_schools), len(roles), len(sources), len(evidence),
                                     n_schools_total=len(schools))
        rows.append({"id": rec.id, "short": rec.short, "codes": ", ".join(codes),
                     "n_schools": len(in_schools), "n_roles": len(roles),
                     "n_sources": len(sources), "n_passages": len(evidence),
                     "glow": glow, "grow": grow,
                     "balance": (glow - grow) / (glow + grow) if glow + grow else float("nan"),
                     "grade": grade, "rule": rule, "recommendation": rec.recommendation,
                     "rationale": rec.rationale, "schools": ", ".join(in_schools),
                     "roles": ", ".join(roles), "sources": ", ".join(sources)})
    graded = pd.DataFrame(rows)
    graded["grade"] = pd.Categorical(graded["grade"], categories=list(GRADES), ordered=True)
    graded.attrs = {"coder": coder, "n_schools_total": len(schools)}
    return graded


# --------------------------------------------------------------------------- write-up

def _join_words(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def recommendations_markdown(study, graded: pd.DataFrame, n_quotes: int = 2,
                             coder: str | None = None, max_chars: int = QUOTE_CHARS) -> str:
    """Markdown text of graded recommendations with supporting quotes.

    Each recommendation gets a heading, its grade and the evidence behind it,
    its codes and rationale, and ``n_quotes`` quotes: the passages most
    central to its evidence (TF-IDF cosine to the centroid, ties by
    passage_id), taken from different schools and informants where possible,
    attributed by pseudonym, role and school.

    Parameters
    ----------
    study : Study
    graded : DataFrame
        From :func:`recommendations`.
    n_quotes : int, default 2
    coder : str, optional
        Default the coder ``graded`` was computed for.
    max_chars : int, default 280
        Quotes are trimmed to this length at a word boundary.

    Returns
    -------
    str

    Examples
    --------
    >>> import plcase
    >>> study = plcase.read_sample()
    >>> text = recommendations_markdown(study, recommendations(study), n_quotes=1)
    >>> text.splitlines()[0]
    '## Recommendations and the evidence for them'
    """
    coder = _check_coder(study, coder or graded.attrs.get("coder"))
    total = graded.attrs.get("n_schools_total", len(_case_schools(study)))
    out = ["## Recommendations and the evidence for them", "",
           f"Graded from the codings of `{coder}` by the rule: {GRADING_RULE}",
           ""]
    quoted: set[str] = set()
    for rec in graded.itertuples(index=False):
        out.append(f"### {rec.id}. {rec.recommendation}")
        out.append("")
        valence = (f"{rec.glow} glow and {rec.grow} grow passages"
                   if rec.glow + rec.grow else "no glow or grow passages")
        roles = _join_words([_ROLE_PLURALS[r] for r in rec.roles.split(", ") if r])
        sources = _join_words([_SOURCE_LABELS.get(s, s) for s in rec.sources.split(", ") if s])
        out.append(f"**Evidence: {rec.grade}** ({rec.rule}). {rec.n_passages} passages in "
                   f"{rec.n_schools} of {total} schools"
                   + (f" ({rec.schools})" if rec.schools else "")
                   + (f"; voiced by {roles}" if roles else "")
                   + (f"; from {sources}" if sources else "")
                   + f"; {valence}.")
        out.append("")
        codes = ", ".join(f"`{c}`" for c in rec.codes.split(", "))
        out.append(f"Codes: {codes}. {rec.rationale}")
        out.append("")
        evidence = _evidence(study, rec.codes.split(", "), coder)
        # Recommendations share codes; quote each passage once where the evidence allows.
        fresh = evidence[~evidence["passage_id"].isin(quoted)]
        if len(fresh) >= n_quotes:
            evidence = fresh
        if len(evidence):
            quotes = _rank_quotes(study, evidence, n_quotes, max_chars, spread="school")
            quoted.update(quotes["passage_id"])
            for q in quotes.itertuples(index=False):
                where = f", {q.school}" if isinstance(q.school, str) else ""
                out.append(f"> “{q.quote}”  ")
                out.append(f"> {q.attribution}{where}")
                out.append("")
    return "\n".join(out).rstrip() + "\n"
