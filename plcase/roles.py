"""Who is speaking: the interviewer, a facilitator, or a participant (a voice of the study).

An interview transcript is about half interviewer turns.  Those turns ask; they
are not data about the case, so shares of passages, agreement units and
suggestions leave them out by default.  Each passage gets a ``speaker_role``
from its speaker label:

* labels the study configuration lists (``speaker_roles:`` in ``study.yml``),
* otherwise the usual labels: ``INTERVIEWER``, ``Interviewer``, ``Researcher 1``
  … give ``interviewer``; ``FACILITATOR``, ``Moderator`` give ``facilitator``;
* every other passage, including unlabelled ones (field notes, document
  paragraphs), is ``participant``.

Examples
--------
>>> import pandas as pd
>>> passages = pd.DataFrame({"speaker": ["INTERVIEWER", "ARRINGTON", None, "Moderator"]})
>>> speaker_roles(passages)["speaker_role"].tolist()
['interviewer', 'participant', 'participant', 'facilitator']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

from plcase.errors import PlcaseError, PlcaseInputError

__all__ = ["SPEAKER_ROLES", "NOT_VOICES", "speaker_roles", "role_labels", "keep_roles",
           "roles_note"]

#: The values of ``passages.speaker_role``.
SPEAKER_ROLES = ("interviewer", "facilitator", "participant")

#: Roles left out of denominators, agreement units and suggestions by default.
NOT_VOICES = ("interviewer", "facilitator")

# Labels recognised without configuration, matched on the whole label, any case.
_DEFAULT_PATTERNS = {
    "interviewer": re.compile(r"(interviewer|researcher)(\s*\d+)?|int(\s*\d+)?", re.IGNORECASE),
    "facilitator": re.compile(r"(facilitator|moderator)(\s*\d+)?", re.IGNORECASE),
}


def _labels(values: str | Iterable[str] | None) -> set[str]:
    if values is None:
        return set()
    if isinstance(values, str):
        values = [values]
    return {str(v).strip().casefold() for v in values}


def speaker_roles(passages: pd.DataFrame, interviewer: str | Iterable[str] | None = None,
                  facilitator: str | Iterable[str] | None = None,
                  column: str = "speaker") -> pd.DataFrame:
    """Add ``speaker_role`` (interviewer / facilitator / participant) to a passages frame.

    Parameters
    ----------
    passages : DataFrame
        Passages with a ``speaker`` column (missing values allowed).
    interviewer, facilitator : str or list of str, optional
        Speaker labels of the study's interviewers and facilitators (compared
        without regard to case).  Labels listed here win over the defaults;
        the defaults (``INTERVIEWER``, ``Researcher 1``, ``Moderator`` ...)
        still apply to the other labels.
    column : str, default "speaker"

    Returns
    -------
    DataFrame
        A copy of ``passages`` with ``speaker_role``.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"speaker": ["Researcher 2", "RO", "ana"]})
    >>> speaker_roles(p, interviewer=["RO"])["speaker_role"].tolist()
    ['interviewer', 'interviewer', 'participant']
    """
    configured = {"interviewer": _labels(interviewer), "facilitator": _labels(facilitator)}
    both = configured["interviewer"] & configured["facilitator"]
    if both:
        raise PlcaseInputError(f"speaker label(s) {sorted(both)} are listed as both interviewer "
                               "and facilitator", hint="list each label under one role in "
                               "speaker_roles of study.yml")

    def role(label) -> str:
        if not isinstance(label, str) or not label.strip():
            return "participant"
        key = label.strip().casefold()
        for name, labels in configured.items():
            if key in labels:
                return name
        for name, pattern in _DEFAULT_PATTERNS.items():
            if pattern.fullmatch(label.strip()):
                return name
        return "participant"

    out = passages.copy()
    speakers = out[column] if column in out.columns else pd.Series(None, index=out.index)
    out["speaker_role"] = [role(s) for s in speakers]
    return out


def role_labels(settings: Mapping) -> dict[str, list[str]]:
    """The ``speaker_roles`` entry of a study's settings, as keyword arguments of :func:`speaker_roles`.

    ``settings`` is the parsed ``study.yml`` (:func:`plcase.settings.read_settings`,
    which checks the entry's shape); a missing entry gives ``{}`` (the default
    labels apply).

    Examples
    --------
    >>> role_labels({})
    {}
    >>> role_labels({"speaker_roles": {"interviewer": ["Sara Mannheimer"]}})
    {'interviewer': ['Sara Mannheimer']}
    """
    entry = settings.get("speaker_roles") or {}
    return {k: list(v) if isinstance(v, (list, tuple)) else [v] for k, v in entry.items()}


def keep_roles(include_roles: Iterable[str] | str | None = None) -> tuple[str, ...]:
    """The speaker roles to count: ``include_roles`` checked, or every role but the askers.

    Examples
    --------
    >>> keep_roles()
    ('participant',)
    >>> keep_roles("all")
    ('interviewer', 'facilitator', 'participant')
    """
    if include_roles is None:
        return tuple(r for r in SPEAKER_ROLES if r not in NOT_VOICES)
    if isinstance(include_roles, str):
        include_roles = SPEAKER_ROLES if include_roles == "all" else [include_roles]
    roles = tuple(dict.fromkeys(include_roles))
    unknown = [r for r in roles if r not in SPEAKER_ROLES]
    if unknown:
        raise PlcaseError(f"unknown speaker role(s) {unknown}; choose from {list(SPEAKER_ROLES)} "
                          "or 'all'")
    return roles


def roles_note(roles: Iterable[str]) -> str:
    """A sentence saying which speaker roles were counted, for a table's ``attrs['note']``.

    Examples
    --------
    >>> roles_note(("participant",))
    'interviewer and facilitator turns left out'
    """
    left_out = [r for r in SPEAKER_ROLES if r not in set(roles)]
    if not left_out:
        return "all speaker turns counted, interviewer and facilitator turns included"
    return " and ".join(left_out) + " turns left out"
