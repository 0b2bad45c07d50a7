"""Coding in JupyterLab: :class:`CodingView` and the session behind it.

The widget (:mod:`plcase.coding.widget`) only draws; the state, the checks and
the saving live in :mod:`plcase.coding.session` and :mod:`plcase.coding.store`,
which are plain Python and tested without a browser.
"""

from plcase.coding.session import OKABE_ITO, CodingActionError, CodingSession
from plcase.coding.widget import CodingView

__all__ = ["CodingView", "CodingSession", "CodingActionError", "OKABE_ITO"]
