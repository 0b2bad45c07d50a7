"""Graded recommendations and their GRADE-CERQual confidence as Markdown for a write-up.

Examples
--------
>>> import plcase
>>> from plcase.recommend import cerqual, evidence_table_markdown
>>> evidence_table_markdown(cerqual(plcase.read_sample())).splitlines()[0].startswith("| # |")
True
"""

from __future__ import annotations

import pandas as pd

from plcase.matrix import QUOTE_CHARS, _check_coder, _rank_quotes
from plcase.recommend.cerqual import _LABELS, COMPONENTS, cerqual, describe_rule
from plcase.recommend.evidence import GRADING_RULE, _evidence, _study_cases

__all__ = ["evidence_table_markdown", "recommendations_markdown"]

_SOURCE_LABELS = {"interview": "interviews", "focus_group": "focus groups",
                  "site_visit": "site visits", "document": "documents"}

def _plural(word: str) -> str:
    """A plural for a role or case-column label in running text (English -s rule)."""
    word = str(word).replace("_", " ")
    return word if word.endswith("s") else word + "s"

#: The reference a write-up cites for the confidence assessment.
CERQUAL_CITATION = ("Lewin S, Booth A, Glenton C, et al. Applying GRADE-CERQual to qualitative "
                    "evidence synthesis findings: introduction to the series. Implementation "
                    "Science 2018; 13 (Suppl 1): 2. doi:10.1186/s13012-017-0688-3")


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def evidence_table_markdown(confidence: pd.DataFrame) -> str:
    """A CERQual evidence profile as a Markdown table: one row per recommendation.

    Parameters
    ----------
    confidence : DataFrame
        From :func:`plcase.recommend.cerqual`.

    Returns
    -------
    str
        Columns ``#``, recommendation, the four components' judgements,
        the overall confidence and its explanation.

    Examples
    --------
    >>> import plcase
    >>> from plcase.recommend import cerqual
    >>> table = evidence_table_markdown(cerqual(plcase.read_sample()))
    >>> len(table.splitlines())
    7
    """
    header = (["#", "Recommendation"] + [_LABELS[c] for c in COMPONENTS]
              + ["Confidence", "Explanation"])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in confidence.itertuples(index=False):
        cells = ([row.id, row.short] + [getattr(row, c) for c in COMPONENTS]
                 + [row.confidence, row.explanation])
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _join_words(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def recommendations_markdown(study, graded: pd.DataFrame, n_quotes: int = 2,
                             coder: str | None = None, max_chars: int = QUOTE_CHARS,
                             confidence: pd.DataFrame | None = None) -> str:
    """Markdown text of graded recommendations with their confidence and supporting quotes.

    First the CERQual evidence table (:func:`evidence_table_markdown`) and
    the rule in words; then each recommendation gets a heading, its grade
    and the evidence behind it, its confidence with a sentence per CERQual
    component, its codes and rationale, and ``n_quotes`` quotes: the passages most
    central to its evidence (TF-IDF cosine to the centroid, ties by
    passage_id), taken from different cases and informants where possible,
    attributed by pseudonym, role and case.

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
    confidence : DataFrame, optional
        From :func:`plcase.recommend.cerqual`; default computed with the
        same mapping and coder as ``graded`` and the default rule.

    Returns
    -------
    str

    Examples
    --------
    >>> import plcase
    >>> from plcase.recommend import recommendations
    >>> study = plcase.read_sample()
    >>> text = recommendations_markdown(study, recommendations(study), n_quotes=1)
    >>> text.splitlines()[0]
    '## Recommendations and the evidence for them'
    """
    coder = _check_coder(study, coder or graded.attrs.get("coder"))
    case_column = graded.attrs.get("case_column", study.case_column)
    total = graded.attrs.get("n_cases_total", len(_study_cases(study, case_column)))
    if confidence is None:
        confidence = cerqual(study, graded.attrs.get("mapping"), coder)
    rule = describe_rule(confidence.attrs.get("rule"))
    out = ["## Recommendations and the evidence for them", "",
           f"Graded from the codings of `{coder}` by the rule: {GRADING_RULE}",
           "", "**Confidence in each recommendation (GRADE-CERQual)**", "",
           evidence_table_markdown(confidence),
           f"Confidence is assessed the GRADE-CERQual way ({CERQUAL_CITATION}). {rule}", ""]
    by_id = confidence.set_index("id")
    quoted: set[str] = set()
    for rec in graded.itertuples(index=False):
        out.append(f"### {rec.id}. {rec.recommendation}")
        out.append("")
        valence = (f"{rec.glow} glow and {rec.grow} grow passages"
                   if rec.glow + rec.grow else "no glow or grow passages")
        roles = _join_words([_plural(r) for r in rec.roles.split(", ") if r])
        sources = _join_words([_SOURCE_LABELS.get(s, s) for s in rec.sources.split(", ") if s])
        out.append(f"**Evidence: {rec.grade}** ({rec.rule}). {rec.n_passages} passages in "
                   f"{rec.n_cases} of {total} {_plural(case_column)}"
                   + (f" ({rec.cases})" if rec.cases else "")
                   + (f"; voiced by {roles}" if roles else "")
                   + (f"; from {sources}" if sources else "")
                   + f"; {valence}.")
        out.append("")
        if rec.id in by_id.index:
            judged = by_id.loc[rec.id]
            out.append(f"**Confidence: {judged['confidence']}** (GRADE-CERQual). "
                       + " ".join(f"{_LABELS[c]}: {judged[c]}. {judged[c + '_why']}"
                                  for c in COMPONENTS))
            out.append("")
        codes = ", ".join(f"`{c}`" for c in rec.codes.split(", "))
        out.append(f"Codes: {codes}. {rec.rationale}")
        out.append("")
        evidence = _evidence(study, rec.codes.split(", "), coder, case_column)
        # Recommendations share codes; quote each passage once where the evidence allows.
        fresh = evidence[~evidence["passage_id"].isin(quoted)]
        if len(fresh) >= n_quotes:
            evidence = fresh
        if len(evidence):
            quotes = _rank_quotes(study, evidence, n_quotes, max_chars, spread="case")
            quoted.update(quotes["passage_id"])
            for q in quotes.itertuples(index=False):
                where = f", {q.case}" if isinstance(q.case, str) else ""
                out.append(f"> “{q.quote}”  ")
                out.append(f"> {q.attribution}{where}")
                out.append("")
    return "\n".join(out).rstrip() + "\n"
