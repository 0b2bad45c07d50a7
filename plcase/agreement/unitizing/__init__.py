"""Unitizing agreement: do coders mark the same stretches of text, on character offsets?

Coders of text choose codes and also where a coded segment starts and ends.
The coefficients of :mod:`plcase.agreement.coefficients` compare codes on
given units; unitizing coefficients compare the segments themselves, without
cutting the text into units first. Two generations of Krippendorff's
unitizing alpha are here, on the same continuum
(:mod:`~plcase.agreement.unitizing.continuum`: the documents every compared
coder coded, laid end to end):

- :func:`unitizing_alpha` (:mod:`~plcase.agreement.unitizing.positional`):
  the uα of Krippendorff (2004), per code and pooled, from the squared
  distances between the boundaries of overlapping units.
- :func:`unitizing_alpha_family` (:mod:`~plcase.agreement.unitizing.coincidence`):
  the family of Krippendorff, Mathet, Bouvry & Widlöcher (2016), from
  coincidences of coded lengths: |uα (coded or not), uα (where and which
  code), cuα (which code, where units overlap) and Cuα (per code).
"""

from plcase.agreement.unitizing.coincidence import FAMILY, FAMILY_COLUMNS, unitizing_alpha_family
from plcase.agreement.unitizing.continuum import continuum, segments, stretches
from plcase.agreement.unitizing.positional import (UNITIZING_COLUMNS, unitizing_alpha,
                                                   unitizing_distance)

__all__ = ["UNITIZING_COLUMNS", "FAMILY_COLUMNS", "FAMILY", "unitizing_alpha",
           "unitizing_alpha_family", "unitizing_distance", "continuum", "segments", "stretches"]
