"""Inter-coder agreement: reliability units, every common coefficient, unitizing, disagreements.

The workflow has three steps, each a function over a tidy frame:

1. :func:`units` (:mod:`plcase.agreement.units`) turns a study's codings into
   *reliability data*: one row per unit × coder × code, ``value`` 1 where a
   coding of that coder overlaps the unit, 0 where the coder coded the
   document but not that unit, and missing (NaN) where the coder never coded
   the document. The researcher chooses the unit (``"passage"``,
   ``"sentence"``, ``"document"``, ``"character"``), the scope (every unit or
   only coded ones), whose turns count (interviewer and facilitator turns are
   left out by default), and whether mutually exclusive codes form one
   nominal variable (``variable=[...]``).
2. A coefficient function (:mod:`plcase.agreement.coefficients`:
   :func:`percent_agreement`, :func:`cohen_kappa`, :func:`fleiss_kappa`,
   :func:`krippendorff_alpha`, :func:`brennan_prediger`, :func:`gwet_ac1`,
   :func:`weighted_kappa`, :func:`gwet_ac2`, or many at once with
   :func:`agreement`) turns that frame into one row per code plus an
   ``"(overall)"`` row, with counts, the value, a ``reason`` wherever the
   value is NaN (:mod:`plcase.agreement.reasons`) and, on request, a
   bootstrap interval that resamples whole documents
   (:mod:`plcase.agreement.bootstrap`); the sums behind every coefficient are
   in :mod:`plcase.agreement.statistics`.
   :func:`unitizing_alpha` and :func:`unitizing_alpha_family`
   (:mod:`plcase.agreement.unitizing`) measure whether coders mark the same
   stretches of text, on character offsets: Krippendorff's 2004 uα, and the
   2016 family |uα, uα, cuα, Cuα.
3. :func:`disagreements` and :func:`confusion` list what two coders should
   talk about in a reconciliation meeting.

Machine coders (``"auto:rules"``, ``"auto:model"``) are coders like any other,
so the same calls give machine-human agreement next to human-human agreement.
Raw tables (contingency tables, count tables, coder matrices) go to the
functions of :mod:`plcase.agreement.tables`.

Character units are run-length encoded: each run of characters that no
coding boundary splits is one row with ``weight`` = its length, and every
coefficient and the bootstrap treat a run of weight *w* exactly as *w*
identical one-character units.
"""

from plcase.agreement.coefficients import (COEFFICIENTS, OVERALL, RESULT_COLUMNS,
                                           WEIGHTED_COEFFICIENTS, agreement, brennan_prediger,
                                           cohen_kappa, fleiss_kappa, gwet_ac1, gwet_ac2,
                                           krippendorff_alpha, percent_agreement, weighted_kappa)
from plcase.agreement.disagreements import confusion, disagreements
from plcase.agreement.tables import (LEVELS, WEIGHTS, agreement_weights, brennan_prediger_table,
                                     cohen_kappa_table, fleiss_kappa_counts, gwet_ac1_table,
                                     krippendorff_alpha_matrix, percent_agreement_table,
                                     weighted_kappa_table)
from plcase.agreement.units import (DEFAULT_LEFT_OUT_ROLES, NO_CODE, SCOPES, UNIT_COLUMNS, UNITS,
                                    default_coders, default_pair, units)
from plcase.agreement.unitizing import (FAMILY, FAMILY_COLUMNS, UNITIZING_COLUMNS,
                                        unitizing_alpha, unitizing_alpha_family)

__all__ = [
    "OVERALL", "UNITS", "SCOPES", "COEFFICIENTS", "WEIGHTED_COEFFICIENTS", "UNIT_COLUMNS",
    "RESULT_COLUMNS", "UNITIZING_COLUMNS", "FAMILY_COLUMNS", "FAMILY", "NO_CODE",
    "DEFAULT_LEFT_OUT_ROLES", "LEVELS", "WEIGHTS",
    "units", "default_coders", "default_pair",
    "agreement", "percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha",
    "brennan_prediger", "gwet_ac1", "weighted_kappa", "gwet_ac2", "unitizing_alpha",
    "unitizing_alpha_family",
    "cohen_kappa_table", "weighted_kappa_table", "gwet_ac1_table", "brennan_prediger_table",
    "percent_agreement_table", "fleiss_kappa_counts", "krippendorff_alpha_matrix",
    "agreement_weights", "disagreements", "confusion",
]
