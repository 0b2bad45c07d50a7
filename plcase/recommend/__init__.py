"""Recommendations and how far the evidence carries them.

* :mod:`plcase.recommend.evidence` reads ``recommendations.yml`` and counts
  the evidence of each recommendation (cases, roles, sources, passages)
  with the breadth grade of :func:`grade_evidence`;
* :mod:`plcase.recommend.cerqual` judges confidence in each the
  GRADE-CERQual way (methodological limitations, coherence, adequacy,
  relevance);
* :mod:`plcase.recommend.writeup` writes both up as Markdown.
"""

from plcase.recommend.cerqual import (COMPONENTS, CONCERNS, CONFIDENCE, CONFIDENCE_RULE, cerqual,
                                      describe_rule)
from plcase.recommend.evidence import (GRADES, GRADING_RULE, grade_evidence,
                                       informant_roles,
                                       read_recommendations, recommendations)
from plcase.recommend.writeup import evidence_table_markdown, recommendations_markdown

__all__ = ["COMPONENTS", "CONCERNS", "CONFIDENCE", "CONFIDENCE_RULE", "GRADES", "GRADING_RULE",
           "cerqual", "describe_rule", "evidence_table_markdown", "grade_evidence",
           "informant_roles", "read_recommendations", "recommendations", "recommendations_markdown"]
