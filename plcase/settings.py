r"""``study.yml``: what a study says about itself (every entry optional).

A study folder may hold ``study.yml`` naming what the analyses need; whatever
it leaves out is inferred from the data (see :class:`plcase.Study`)::

    name: My study
    primary_coder: ana              # default: the human coder with the most codings
    reliability_coders: [ana, ben]  # default: every human coder pair with shared documents
    themes: [a, b, c]               # default: codebook rows with kind: theme
    valence: [glow, grow]           # default: codebook kind: valence; none if absent
    case_column: school             # default: school
    context: [CMS-D1]               # documents that inform the study but are not cases
    cases: {pattern: '^(?P<case>[A-Z]+)\d'}   # or {table: cases.csv}: declare the cases
    speaker_roles: {interviewer: [Sara Mannheimer]}   # labels of interviewers, facilitators
    project: ../mannheimer.qda      # read a QualCoder, Taguette or REFI-QDA project instead of files
    code_level: 2                   # roll codes up to this depth of the code tree (large codebooks)
    machine_coders: [auto:rules]    # default: coders that carry a numeric score
    recommendations: recommendations.yml
    context_dataset: cms            # bundled background data shown in 00-context (CMS sample)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from plcase.errors import PlcaseInputError
from plcase._files.text import read_text
from plcase._files.strict_yaml import load_yaml

__all__ = ["read_settings", "SETTINGS_FILE", "KNOWN_SETTINGS", "freeze"]

#: The settings file of a study folder.
SETTINGS_FILE = "study.yml"

#: Every entry study.yml may hold, and the type of its value.
KNOWN_SETTINGS = {
    "name": str, "primary_coder": str, "reliability_coders": list, "themes": list,
    "valence": list, "case_column": str, "cases": dict, "context": list,
    "speaker_roles": dict, "recommendations": str, "machine_coders": list,
    "context_dataset": str, "project": str, "code_level": str,
}


def read_settings(folder: str | Path) -> Mapping:
    """Read ``study.yml`` of a study folder (an empty mapping when there is none).

    Parameters
    ----------
    folder : str or Path
        A study folder.

    Returns
    -------
    Mapping
        The parsed settings, read-only.

    Raises
    ------
    PlcaseInputError
        Naming the file and line of an unknown entry or a value of the wrong type.

    Examples
    --------
    >>> from plcase import config
    >>> read_settings(config.SAMPLE_DIR)["primary_coder"]
    'coder_a'
    """
    path = Path(folder) / SETTINGS_FILE
    if not path.is_file():
        return freeze({})
    text = read_text(path)
    data = load_yaml(text, path, what="study settings")
    if data is None:
        return freeze({})
    if not isinstance(data, dict):
        raise PlcaseInputError("study.yml must be a mapping of 'entry: value' lines", path=path,
                               line=1, hint="see the README section 'study.yml'")
    lines = {key: data.line_of(key) for key in data}
    for key, value in data.items():
        if key not in KNOWN_SETTINGS:
            raise PlcaseInputError(f"unknown entry {key!r}", path=path, line=lines[key],
                                   hint=f"use one of {', '.join(KNOWN_SETTINGS)}")
        wanted = KNOWN_SETTINGS[key]
        if wanted is list and isinstance(value, str):
            data[key] = value = [value]
        if value is not None and not isinstance(value, wanted):
            raise PlcaseInputError(f"{key!r} must be a {'list' if wanted is list else wanted.__name__}"
                                   f", not {value!r}", path=path, line=lines[key],
                                   hint=f"write e.g. {key}: [a, b]" if wanted is list else None)
    if isinstance(data.get("reliability_coders"), list):
        pairs = data["reliability_coders"]
        # [ana, ben] is one pair; [[ana, ben], [ana, cy]] are several.
        if pairs and all(isinstance(p, str) for p in pairs):
            if len(pairs) != 2:
                raise PlcaseInputError(f"reliability_coders needs two coders, got {pairs!r}",
                                       path=path, line=lines["reliability_coders"],
                                       hint="write reliability_coders: [ana, ben]")
            pairs = [pairs]
        data["reliability_coders"] = [tuple(str(c) for c in p) for p in pairs]
    if data.get("code_level") is not None:
        if not str(data["code_level"]).isdecimal() or int(data["code_level"]) < 1:
            raise PlcaseInputError(f"code_level must be a depth of the code tree (1 = top), not "
                                   f"{data['code_level']!r}", path=path, line=lines["code_level"],
                                   hint="write code_level: 2")
        data["code_level"] = int(data["code_level"])
    _check_mapping(data, "cases", {"table", "pattern", "column"}, path, lines,
                   "write cases: {pattern: '^(?P<case>[A-Z]+)\\d'} or cases: {table: cases.csv}")
    _check_mapping(data, "speaker_roles", {"interviewer", "facilitator"}, path, lines,
                   "write speaker_roles: {interviewer: [INTERVIEWER, 'Researcher 1']}")
    if isinstance(data.get("cases"), dict) and not {"table", "pattern"} & set(data["cases"]):
        raise PlcaseInputError("cases needs a 'table' or a 'pattern'", path=path,
                               line=lines["cases"], hint="write cases: {table: cases.csv}")
    return freeze(data)


def _check_mapping(data, key, allowed, path, lines, hint) -> None:
    """``key`` (when present) maps only the ``allowed`` names, each to text or a list of text."""
    value = data.get(key)
    if value is None:
        return
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise PlcaseInputError(f"{key!r} has unknown entr{'y' if len(unknown) == 1 else 'ies'} "
                               f"{', '.join(repr(u) for u in unknown)}", path=path,
                               line=lines[key], hint=hint)
    for name, item in value.items():
        items = item if isinstance(item, list) else [item]
        if not all(isinstance(i, str) for i in items):
            raise PlcaseInputError(f"'{key}: {name}' must be text or a list of text", path=path,
                                   line=lines[key], hint=hint)


def freeze(data: Mapping) -> Mapping:
    """A read-only view of ``data`` (lists become tuples)."""
    return MappingProxyType({k: tuple(v) if isinstance(v, list) else v for k, v in dict(data).items()})
