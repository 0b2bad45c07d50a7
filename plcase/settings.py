"""``study.yml``: what a study says about itself (every entry optional).

A study folder may hold ``study.yml`` naming what the analyses need; whatever
it leaves out is inferred from the data (see :class:`plcase.Study`)::

    name: My study
    primary_coder: ana              # default: the human coder with the most codings
    reliability_coders: [ana, ben]  # default: every human coder pair with shared documents
    themes: [a, b, c]               # default: codebook rows with kind: theme
    valence: [glow, grow]           # default: codebook kind: valence; none if absent
    case_column: school             # default: school
    context: [CMS-D1]               # documents that inform the study but are not cases
    machine_coders: [auto:rules]    # default: coders that carry a numeric score
    recommendations: recommendations.yml
    context_dataset: cms            # bundled background data shown in 00-context (CMS sample)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import yaml

from plcase.errors import PlcaseInputError
from plcase.io._text import read_text

__all__ = ["read_settings", "SETTINGS_FILE", "KNOWN_SETTINGS", "freeze"]

#: The settings file of a study folder.
SETTINGS_FILE = "study.yml"

#: Every entry study.yml may hold, and the type of its value.
KNOWN_SETTINGS = {
    "name": str, "primary_coder": str, "reliability_coders": list, "themes": list,
    "valence": list, "case_column": str, "cases": dict, "context": list,
    "speaker_roles": dict, "recommendations": str, "machine_coders": list,
    "context_dataset": str,
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
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PlcaseInputError(f"study.yml is not valid YAML: {getattr(exc, 'problem', exc)}",
                               path=path, line=None if mark is None else mark.line + 1,
                               hint="check indentation and quoting") from None
    if data is None:
        return freeze({})
    if not isinstance(data, dict):
        raise PlcaseInputError("study.yml must be a mapping of 'entry: value' lines", path=path,
                               line=1, hint="see the README section 'study.yml'")
    lines = {key: _line_of(text, key) for key in data}
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
    return freeze(data)


def freeze(data: Mapping) -> Mapping:
    """A read-only view of ``data`` (lists become tuples)."""
    return MappingProxyType({k: tuple(v) if isinstance(v, list) else v for k, v in dict(data).items()})


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(f"{key}:"):
            return number
    return None
