"""Confidence in each recommendation, judged the GRADE-CERQual way.

GRADE-CERQual (Lewin et al. 2018, *Implementation Science* 13 (Suppl 1))
asks four questions of the evidence behind a finding and combines the
answers into high, moderate, low or very low confidence, with a reason for
each answer:

* **methodological limitations**: was the evidence coded in a way that can
  be trusted? Here: the share of its passages that a second human coder
  also coded, and Cohen's kappa of the recommendation's codes between the
  two (:func:`plcase.agreement.units`, :func:`plcase.agreement.cohen_kappa`);
  evidence from one coder only, or only from machine coders, is a
  limitation in itself;
* **coherence**: do the data point one way? Here: the glow/grow direction
  of each case and each role; cases or roles that lean against the others
  contradict;
* **adequacy of data**: is there enough? Here: passages, distinct
  informants and words, and how many of the cases and roles that could have
  spoken to it did;
* **relevance**: does the evidence come from the people and sources the
  recommendation is about (``about:`` in ``recommendations.yml``)?

Each component is judged *no*, *minor*, *moderate* or *serious concerns* by
cut points, and the overall confidence starts at high and goes down by the
steps the concerns cost. All cut points and steps are one dict,
:data:`CONFIDENCE_RULE`, which :func:`cerqual` takes as ``rule=`` (only the
entries to change); :func:`describe_rule` states a rule in words.

CERQual is a judgement made by reviewers; this module makes the judgement
reproducible from the codings, and the sentences say what it rests on so a
reader can disagree with a cut point rather than with a black box.

Examples
--------
>>> import plcase
>>> from plcase.recommend import cerqual
>>> table = cerqual(plcase.read_sample())
>>> table.columns[:7].tolist()
['id', 'short', 'methodological_limitations', 'coherence', 'adequacy', 'relevance', 'confidence']
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from plcase.agreement import OVERALL, cohen_kappa, units
from plcase.errors import PlcaseError
from plcase.matrix import _check_coder, _valenced
from plcase.recommend.evidence import _evidence, _mapping

__all__ = ["COMPONENTS", "CONCERNS", "CONFIDENCE", "CONFIDENCE_RULE", "cerqual", "describe_rule"]

#: The four CERQual components, in the order of the CERQual evidence profile.
COMPONENTS = ("methodological_limitations", "coherence", "adequacy", "relevance")
#: Judgements of a component, least concern first.
CONCERNS = ("no concerns", "minor concerns", "moderate concerns", "serious concerns")
#: Overall confidence, lowest first (the order of an ordered categorical).
CONFIDENCE = ("very low", "low", "moderate", "high")

#: The default rule. Cut points ``(a, b, c)`` read: at least ``a`` -> no
#: concerns, at least ``b`` -> minor, at least ``c`` -> moderate, below ``c``
#: -> serious concerns. A component's judgement is its worst criterion.
CONFIDENCE_RULE: dict = {
    "methodological_limitations": {
        "kappa": (0.8, 0.6, 0.4),          # Cohen's kappa of its codes (McHugh 2012 bands)
        "double_coded": (0.3, 0.15, 0.05),  # share of its passages a second human coded
        "single_coder": "moderate concerns",  # no second human coder at all
        "machine_only": "serious concerns",   # the evidence comes from a machine coder
    },
    "coherence": {
        "min_valenced": 3,     # a case or role needs this many glow/grow passages to lean
        "lean": 0.2,           # ... and |glow - grow| / (glow + grow) of at least this
        "agreeing": (1.0, 0.75, 0.5),  # share of leaning cases and roles on the majority side
    },
    "adequacy": {
        "passages": (12, 6, 3),
        "informants": (5, 3, 2),
        "words": (1000, 400, 150),
        "cases": (1.0, 0.5, 0.01),   # share of the study's cases with evidence
        "roles": (1.0, 0.5, 0.01),   # share of the roles that could have spoken to it
    },
    "relevance": {
        "share": (0.75, 0.5, 0.25),  # share of passages from the declared roles and sources
        "missing": "minor concerns",  # at least this when a declared role or source is silent
    },
    "overall": {
        "steps": {"no concerns": 0, "minor concerns": 0, "moderate concerns": 1,
                  "serious concerns": 2},
        "minor_per_step": 2,   # every this many minor concerns cost one step together
    },
}

_LABELS = {"methodological_limitations": "Methodological limitations", "coherence": "Coherence",
           "adequacy": "Adequacy", "relevance": "Relevance"}


# --------------------------------------------------------------------------- the rule

def _merge_rule(rule: Mapping | None) -> dict:
    merged = copy.deepcopy(CONFIDENCE_RULE)
    for part, values in (rule or {}).items():
        if part not in merged:
            raise PlcaseError(f"unknown rule part {part!r}; the rule has "
                              f"{', '.join(repr(k) for k in merged)}")
        if not isinstance(values, Mapping):
            raise PlcaseError(f"rule part {part!r} must be a mapping, "
                              f"like CONFIDENCE_RULE[{part!r}]")
        for key, value in values.items():
            if key not in merged[part]:
                raise PlcaseError(f"unknown entry {key!r} in rule part {part!r}; it has "
                                  f"{', '.join(repr(k) for k in merged[part])}")
            if key == "steps":
                value = dict(merged[part]["steps"], **value)
            merged[part][key] = value
    for part, key in (("methodological_limitations", "single_coder"),
                      ("methodological_limitations", "machine_only"), ("relevance", "missing")):
        if merged[part][key] not in CONCERNS:
            raise PlcaseError(f"rule {part}.{key} must be one of {', '.join(map(repr, CONCERNS))}")
    return merged


def describe_rule(rule: Mapping | None = None) -> str:
    """The confidence rule in words, for a methods section or a table note.

    Parameters
    ----------
    rule : mapping, optional
        Entries that differ from :data:`CONFIDENCE_RULE`.

    Examples
    --------
    >>> describe_rule().split(". ")[0]  # doctest: +NORMALIZE_WHITESPACE
    'Confidence starts at high and goes down one level per moderate concern and two per
     serious concern; every two minor concerns together cost one level (never below very low)'
    """
    r = _merge_rule(rule)
    steps, per = r["overall"]["steps"], r["overall"]["minor_per_step"]

    def count(n):
        return {0: "no", 1: "one", 2: "two", 3: "three"}.get(n, str(n))

    def cuts(c, pct=False):
        show = (lambda v: f"{v:.0%}") if pct else (lambda v: f"{v:g}")
        return f"{show(c[0])}/{show(c[1])}/{show(c[2])}"

    m, co, a, rel = (r["methodological_limitations"], r["coherence"], r["adequacy"], r["relevance"])
    moderate, serious = steps["moderate concerns"], steps["serious concerns"]
    overall = (f"Confidence starts at high and goes down {count(moderate)} "
               f"level{'' if moderate == 1 else 's'} per moderate concern and {count(serious)} "
               f"per serious concern"
               + (f", {count(steps['minor concerns'])} per minor concern" if steps["minor concerns"]
                  else "")
               + (f"; every {count(per)} minor concerns together cost one level" if per else "")
               + " (never below very low)")
    return (f"{overall}. Each component is judged by cut points at or above which it has no, "
            "minor or moderate concerns (below the last: serious), taking its worst criterion. "
            f"Methodological limitations: Cohen's kappa of its codes {cuts(m['kappa'])}, share of "
            f"its passages double-coded {cuts(m['double_coded'], True)}; one coder only: "
            f"{m['single_coder']}; machine coder only: {m['machine_only']}. "
            f"Coherence: cases and roles with {co['min_valenced']}+ glow/grow passages and a "
            f"balance of at least ±{co['lean']:g} lean one way; share of them on the majority "
            f"side {cuts(co['agreeing'], True)}. "
            f"Adequacy: passages {cuts(a['passages'])}, informants {cuts(a['informants'])}, "
            f"words {cuts(a['words'])}, cases with evidence {cuts(a['cases'], True)}, roles that "
            f"could have spoken to it {cuts(a['roles'], True)}. "
            f"Relevance: share of passages from the roles and sources it is about "
            f"{cuts(rel['share'], True)}; a declared role or source without evidence: at least "
            f"{rel['missing']}.")


def _judge(value: float, cuts) -> int:
    """Concern index (0 = none … 3 = serious) of a value where higher is better."""
    for level, cut in enumerate(cuts):
        if value >= cut:
            return level
    return len(cuts)


# --------------------------------------------------------------------------- study defaults

def _case_of(study, case_column: str) -> pd.Series:
    """Each case document's case by doc_id (context documents left out)."""
    return study.case_documents(case_column).set_index("doc_id")[case_column]


# --------------------------------------------------------------------------- components

def _methodological(study, evidence, codes, coder, pairs, machines, r) -> tuple[str, str, dict]:
    if coder in machines:
        return (r["machine_only"], f"its evidence comes from the machine coder {coder!r} only, "
                "which no person has checked", {"double_coded": math.nan, "kappa": math.nan})
    pairs = [p for p in pairs if coder in p] or []
    if not pairs:
        return (r["single_coder"], f"only {coder!r} coded its evidence; no second coder checked "
                "the codes", {"double_coded": math.nan, "kappa": math.nan})
    n = len(evidence)
    by_coder = study.codings.groupby("coder", observed=True)["doc_id"].agg(set)
    double_docs = set().union(*[by_coder[a] & by_coder[b] for a, b in pairs])
    share = float(evidence["doc_id"].isin(double_docs).mean()) if n else math.nan
    kappas = []
    for pair in pairs:
        table = cohen_kappa(units(study, "passage", coders=list(pair), codes=codes),
                            coders=list(pair))
        kappas.append((float(table.loc[table["code"] == OVERALL, "value"].iloc[0]), pair))
    kappa, pair = min(kappas, key=lambda kp: (np.nan_to_num(kp[0], nan=-np.inf), kp[1]))
    levels, why = [], []
    if n:
        levels.append(_judge(share, r["double_coded"]))
        why.append(f"{share:.0%} of its passages were double-coded")
    if math.isnan(kappa):
        levels.append(CONCERNS.index(r["single_coder"]))
        why.append(f"Cohen's kappa of its codes between {pair[0]} and {pair[1]} cannot be "
                   "computed (no shared coding of them)")
    else:
        levels.append(_judge(kappa, r["kappa"]))
        why.append(f"Cohen's kappa of its codes between {pair[0]} and {pair[1]} is {kappa:.2f}")
    return CONCERNS[max(levels)], "; ".join(why), {"double_coded": share, "kappa": kappa}


def _coherence(study, evidence, codes, coder, case_of, r) -> tuple[str, str, dict]:
    valenced = (_valenced(study, coder, codes).drop_duplicates(["passage_id", "valence"])
                .merge(study.documents[["doc_id", "role"]], on="doc_id", how="left"))
    valenced["case"] = valenced["doc_id"].map(case_of)
    glow = int((valenced["valence"] == "glow").sum())
    grow = int((valenced["valence"] == "grow").sum())
    balance = (glow - grow) / (glow + grow) if glow + grow else math.nan
    leaning = []
    for column in ("case", "role"):
        for name, group in valenced.dropna(subset=[column]).groupby(column, sort=True, observed=True):
            g, w = int((group["valence"] == "glow").sum()), int((group["valence"] == "grow").sum())
            if g + w >= r["min_valenced"] and abs(g - w) / (g + w) >= r["lean"]:
                leaning.append((f"{name} ({column})", "glow" if g > w else "grow"))
    stats = {"glow": glow, "grow": grow, "balance": balance}
    if not leaning:
        stats.update(agreeing=math.nan, contradicting="")
        said = (f"{glow} glow and {grow} grow passages" if glow + grow
                else "no glow or grow passages")
        return (CONCERNS[0], f"{said}; no case or role leans clearly either way, so none "
                "contradicts another", stats)
    sides = pd.Series([side for _, side in leaning])
    majority = "glow" if (sides == "glow").sum() >= (sides == "grow").sum() else "grow"
    if (sides == "glow").sum() == (sides == "grow").sum():
        majority = "glow" if glow >= grow else "grow"
    against = [name for name, side in leaning if side != majority]
    agreeing = 1 - len(against) / len(leaning)
    stats.update(agreeing=agreeing, contradicting=", ".join(against))
    level = _judge(agreeing, r["agreeing"])
    why = f"{glow} glow and {grow} grow passages; "
    if against:
        n_with = len(leaning) - len(against)
        why += (f"{_join(against)} lean{'s' if len(against) == 1 else ''} {_other(majority)} "
                f"against {n_with} case{'' if n_with == 1 else 's'} and roles leaning {majority}")
    else:
        why += (f"{'both' if len(leaning) == 2 else f'all {len(leaning)}'} cases and roles "
                f"that lean one way lean {majority}" if len(leaning) > 1
                else f"the one case or role that leans one way leans {majority}")
    return CONCERNS[level], why, stats


def _other(valence: str) -> str:
    return "grow" if valence == "glow" else "glow"


def _adequacy(study, evidence, case_of, could_roles, r) -> tuple[str, str, dict]:
    texts = study.texts
    words = int(sum(len(texts[d][s:e].split()) for d, s, e in
                    zip(evidence["doc_id"], evidence["start"], evidence["end"])))
    cases = sorted(set(case_of.unique()))
    in_cases = sorted(set(evidence["doc_id"].map(case_of).dropna()))
    in_roles = [x for x in could_roles if x in set(evidence["role"])]
    n, k = len(evidence), int(evidence["informant"].nunique())
    case_share = len(in_cases) / len(cases) if cases else math.nan
    role_share = len(in_roles) / len(could_roles) if could_roles else math.nan
    checks = [("passages", n, f"{n} passages"), ("informants", k, f"{k} informants"),
              ("words", words, f"{words} words"),
              ("cases", case_share, f"{len(in_cases)} of {len(cases)} cases"),
              ("roles", role_share, f"{len(in_roles)} of {len(could_roles)} roles that could "
                                    "have spoken to it")]
    levels = {key: (3 if n == 0 else _judge(value, r[key])) for key, value, _ in checks
              if not (isinstance(value, float) and math.isnan(value))}
    level = max(levels.values())
    why = ", ".join(text for _, _, text in checks)
    thin = [text for key, _, text in checks if levels.get(key, 0) == level and level > 0]
    if thin:
        why += f"; weakest: {', '.join(thin)}"
    stats = {"n_passages": n, "n_informants": k, "n_words": words,
             "n_cases": len(in_cases), "cases_total": len(cases),
             "n_roles": len(in_roles), "roles_total": len(could_roles)}
    return CONCERNS[level], why, stats


def _relevance(study, evidence, about, r) -> tuple[str, str, dict]:
    roles, sources = list(about["roles"]), list(about["sources"])
    if not roles and not sources:
        return (CONCERNS[0], "the recommendation declares no roles or sources it is about "
                "(about: in recommendations.yml), so all of its evidence counts as relevant",
                {"relevant": math.nan})
    known = {"roles": set(study.documents["role"].dropna()),
             "sources": set(study.documents["source"].dropna())}
    for key, declared in (("roles", roles), ("sources", sources)):
        unknown = [x for x in declared if x not in known[key]]
        if unknown:
            raise PlcaseError(f"recommendation declares about {key} "
                              f"{', '.join(map(repr, unknown))} that no document has; the study's "
                              f"{key} are {', '.join(map(repr, sorted(known[key])))}")
    fits = pd.Series(True, index=evidence.index)
    if roles:
        fits &= evidence["role"].isin(roles)
    if sources:
        fits &= evidence["source"].isin(sources)
    share = float(fits.mean()) if len(evidence) else 0.0
    level = _judge(share, r["share"])
    about_words = " and ".join(f"{what} it is about ({', '.join(names)})" for what, names in
                               (("the roles", roles), ("the sources", sources)) if names)
    why = f"{share:.0%} of its passages come from {about_words}"
    silent = ([x for x in roles if x not in set(evidence["role"])]
              + [x for x in sources if x not in set(evidence["source"])])
    if silent:
        level = max(level, CONCERNS.index(r["missing"]))
        why += f"; no evidence from {', '.join(silent)}"
    return CONCERNS[level], why, {"relevant": share}


# --------------------------------------------------------------------------- the table

def cerqual(study, mapping=None, coder: str | None = None, *, rule: Mapping | None = None,
            case_column: str | None = None, reliability_coders=None,
            machine_coders=None) -> pd.DataFrame:
    """GRADE-CERQual confidence in each recommendation, with a reason per component.

    The evidence of a recommendation is every passage carrying any of its
    codes in ``coder``'s codings (as in :func:`plcase.recommend.recommendations`).
    Each component is judged by the cut points of ``rule`` (see
    :data:`CONFIDENCE_RULE` and :func:`describe_rule`):

    * methodological limitations: share of the passages in documents both
      coders of a reliability pair coded, and Cohen's kappa of the
      recommendation's codes on passage units
      (:func:`plcase.agreement.units`, :func:`plcase.agreement.cohen_kappa`;
      the lowest over the pairs that include ``coder``); no second coder,
      or a machine ``coder``, is a limitation of its own;
    * coherence: the glow/grow lean of each case and each role (those with
      enough valenced passages); the share of leaning ones on the majority
      side;
    * adequacy: passages, distinct informants, words, and the share of the
      cases and of the roles that could have spoken to it (the declared
      ``about`` roles, else every role of the study's documents) that did;
    * relevance: the share of passages from the declared ``about`` roles
      and sources; a declared role or source with no evidence.

    Parameters
    ----------
    study : Study
    mapping : DataFrame, str or Path, optional
        As in :func:`plcase.recommend.recommendations`.
    coder : str, optional
        Whose codings are the evidence; default the study's primary coder.
    rule : mapping, optional
        Entries that differ from :data:`CONFIDENCE_RULE`, e.g.
        ``{"adequacy": {"informants": (8, 4, 2)}}``.
    case_column : str, optional
        Document column holding the case; default the study's (``school``
        when the study declares none). Documents marked ``context`` are not
        cases (their evidence still counts as passages and informants).
    reliability_coders : list of (str, str), optional
        Coder pairs whose agreement qualifies the evidence; default the
        study's, else every pair of human coders with documents in common.
    machine_coders : list of str, optional
        Default the study's, else the coders whose codings carry a score.

    Returns
    -------
    DataFrame
        One row per recommendation: ``id, short``, the four components
        (ordered categoricals over :data:`CONCERNS`), ``confidence``
        (ordered categorical over :data:`CONFIDENCE`), a sentence per
        component (``methodological_limitations_why`` …), ``explanation``,
        then the numbers behind them: ``double_coded, kappa, glow, grow,
        balance, agreeing, contradicting, n_passages, n_informants, n_words,
        n_cases, cases_total, n_roles, roles_total, relevant, codes``.
        ``attrs`` holds ``coder``, ``pairs`` and the merged ``rule``.

    Examples
    --------
    >>> import plcase
    >>> table = cerqual(plcase.read_sample())
    >>> set(table["confidence"]) <= set(CONFIDENCE)
    True
    >>> stricter = cerqual(plcase.read_sample(), rule={"adequacy": {"informants": (99, 98, 97)}})
    >>> (stricter["adequacy"] == "serious concerns").all()
    np.True_
    """
    r = _merge_rule(rule)
    coder = _check_coder(study, study.primary_coder if coder is None else coder)
    mapping = _mapping(study, mapping)
    case_column = study.case_column if case_column is None else case_column
    case_of = _case_of(study, case_column)
    machines = set(study.machine_coders if machine_coders is None else machine_coders)
    pairs = [tuple(p) for p in (study.reliability_coders if reliability_coders is None
                                else reliability_coders)]
    all_roles = sorted(study.documents.loc[study.documents["doc_id"].isin(case_of.index), "role"]
                       .dropna().unique().tolist())
    steps, per = r["overall"]["steps"], r["overall"]["minor_per_step"]
    rows = []
    for rec in mapping.itertuples(index=False):
        codes = list(rec.codes)
        evidence = _evidence(study, codes, coder, case_column)
        about = rec.about
        could = list(about["roles"]) or all_roles
        judged = {
            "methodological_limitations": _methodological(study, evidence, codes, coder, pairs,
                                                           machines,
                                                           r["methodological_limitations"]),
            "coherence": _coherence(study, evidence, codes, coder, case_of, r["coherence"]),
            "adequacy": _adequacy(study, evidence, case_of, could, r["adequacy"]),
            "relevance": _relevance(study, evidence, about, r["relevance"]),
        }
        concerns = [judged[c][0] for c in COMPONENTS]
        n_minor = concerns.count("minor concerns")
        down = sum(steps[c] for c in concerns) + (n_minor // per if per else 0)
        confidence = CONFIDENCE[max(len(CONFIDENCE) - 1 - down, 0)]
        named = [f"{_LABELS[c].lower()} ({judged[c][0].replace(' concerns', '')})"
                 for c in COMPONENTS if judged[c][0] != CONCERNS[0]]
        minor_cost = n_minor // per if per else 0
        explanation = (f"{confidence.capitalize()} confidence: "
                       + (f"concerns about {_join(named)}" if named
                          else "no concerns about any component")
                       + (f"; {n_minor} minor concerns cost {minor_cost} level"
                          f"{'' if minor_cost == 1 else 's'} together" if minor_cost else "")
                       + ".")
        row = {"id": rec.id, "short": rec.short}
        row.update({c: judged[c][0] for c in COMPONENTS})
        row["confidence"] = confidence
        row.update({f"{c}_why": judged[c][1][0].upper() + judged[c][1][1:] + "."
                    for c in COMPONENTS})
        row["explanation"] = explanation
        for c in COMPONENTS:
            row.update(judged[c][2])
        row["codes"] = ", ".join(codes)
        rows.append(row)
    table = pd.DataFrame(rows)
    for c in COMPONENTS:
        table[c] = pd.Categorical(table[c], categories=list(CONCERNS), ordered=True)
    table["confidence"] = pd.Categorical(table["confidence"], categories=list(CONFIDENCE),
                                         ordered=True)
    table.attrs = {"coder": coder, "pairs": pairs, "rule": r, "case_column": case_column}
    return table


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
