"""One strict YAML loader for every YAML file plcase reads.

Transcript front matter, sidecar metadata (``<name>.yml`` beside a ``.docx``
or ``.vtt``), ``codebook.yml``, ``recommendations.yml`` and ``study.yml`` are
all read by :func:`load_yaml`.  It differs from ``yaml.safe_load`` in four
ways, each because the YAML 1.1 default quietly altered researchers' data:

* **Every scalar is a string** (only an empty value, ``~`` and ``null`` are
  ``None``).  YAML 1.1 reads ``id: 0123`` as the octal number 83, ``1:30`` as
  90 (base 60), ``yes`` and ``NO`` as booleans and ``2017-03-14`` as a date.
  Fields with a declared type (a date, a boolean) are checked by the reader
  that knows the field (:mod:`plcase.io.metadata`).
* **Duplicate keys** in one mapping are an error (YAML keeps the last one
  silently).
* **Anchors and aliases** (``&a``, ``*a``) are refused: a ten-line "alias
  bomb" otherwise expands to gigabytes, and no plcase file needs them.
* Every problem is a :class:`~plcase.errors.PlcaseInputError` naming the file
  and line.

Mappings come back as :class:`YamlMapping`, a ``dict`` that also knows the
line it starts on and the line of each key.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode

from plcase.errors import PlcaseInputError

__all__ = ["YamlMapping", "load_yaml"]

#: Longest YAML text read (metadata and codebooks are small; a huge file is a mistake).
MAX_YAML_CHARS = 20_000_000
#: Deepest nesting of lists and mappings accepted.
MAX_DEPTH = 64


class YamlMapping(dict):
    """A mapping read from YAML that remembers where it came from.

    Attributes
    ----------
    line : int
        1-based line of the mapping's first key in the file.
    key_lines : dict
        1-based line of each key.
    """

    line: int = 1
    key_lines: dict

    def line_of(self, key, default: int | None = None) -> int | None:
        """The line of ``key``, or of the mapping when the key is absent."""
        return self.key_lines.get(key, self.line if default is None else default)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader with strings for scalars, no aliases and no duplicate keys."""

    # No implicit typing except null: see the module notes.
    yaml_implicit_resolvers: dict = {}
    first_line = 1
    _depth = 0

    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"alias *{event.anchor} is not allowed (anchors and aliases are "
                            "refused)", event.start_mark)
        event = self.peek_event()
        if getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(
                None, None, f"anchor &{event.anchor} is not allowed (anchors and aliases are "
                            "refused)", event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        if not isinstance(node, MappingNode):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a mapping, found {node.id}", node.start_mark)
        mapping = YamlMapping()
        mapping.line = node.start_mark.line + self.first_line
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + self.first_line
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a plain value, not a list or mapping",
                    key_node.start_mark) from None
            if key in mapping:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first on line {mapping.key_lines[key]})",
                    key_node.start_mark)
            mapping[key] = self.construct_object(value_node, deep=deep)
            mapping.key_lines[key] = line
        return mapping


_StrictLoader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"),
                                    ["~", "n", "N", ""])


def _construct_yaml_map(loader, node):
    # Build the mapping in one go (not the two-step generator of SafeLoader) so
    # that duplicate keys are found and line numbers kept.
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor("tag:yaml.org,2002:map", _construct_yaml_map)


def load_yaml(text: str, path: str | Path, *, first_line: int = 1, what: str = "YAML"):
    """Parse YAML strictly (see the module notes).

    Parameters
    ----------
    text : str
        The YAML text.
    path : str or Path
        The file it came from, for messages.
    first_line : int
        The file line of the text's first line (front matter starts on line 2).
    what : str
        What the text is, for messages ("front matter", "codebook").

    Returns
    -------
    object
        ``YamlMapping``, list, str or ``None``.

    Raises
    ------
    PlcaseInputError
        Malformed YAML, a duplicate key, an anchor or alias, naming file and line.

    Examples
    --------
    >>> meta = load_yaml("id: 0123\\nschool: NO\\nsynthetic: yes\\n", "a.yml")
    >>> meta
    {'id': '0123', 'school': 'NO', 'synthetic': 'yes'}
    >>> meta.line_of("school")
    2
    >>> load_yaml("a: &x [1]\\nb: *x\\n", "b.yml")
    Traceback (most recent call last):
    ...
    plcase.errors.PlcaseInputError: b.yml:1: malformed YAML (not valid YAML): anchor &x is not allowed ...
    >>> load_yaml("id: a\\nid: b\\n", "c.yml")
    Traceback (most recent call last):
    ...
    plcase.errors.PlcaseInputError: c.yml:2: malformed YAML (not valid YAML): duplicate key 'id' (first on line 1) ...
    """
    if len(text) > MAX_YAML_CHARS:
        raise PlcaseInputError(f"the {what} is {len(text)} characters long, more than the limit "
                               f"of {MAX_YAML_CHARS}", path=path, line=first_line,
                               hint="metadata and codebooks are small; is this the right file?")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + first_line
        raise PlcaseInputError(f"the {what} holds a NUL character", path=path, line=line,
                               hint="the file is damaged or not text; save it again as UTF-8")
    loader = None
    try:
        loader = _StrictLoader(text)  # refuses control characters here (a ReaderError)
        loader.first_line = first_line
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or str(exc)
        if "end of stream" in problem and exc.context_mark is not None:
            mark = exc.context_mark  # where the unclosed quote or bracket began
            problem = f"{exc.context}: {problem}" if exc.context else problem
        raise PlcaseInputError(f"malformed {what} (not valid YAML): {problem}", path=path,
                               line=None if mark is None else mark.line + first_line,
                               hint=_hint(problem)) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + first_line
        character = chr(exc.character) if isinstance(exc.character, int) else exc.character
        raise PlcaseInputError(f"malformed {what}: character {character!r} is not allowed "
                               "in YAML", path=path, line=line,
                               hint="remove the control character; save the file as UTF-8 "
                                    "text") from None
    except yaml.YAMLError as exc:
        raise PlcaseInputError(f"malformed {what}: {exc}", path=path, line=first_line,
                               hint="write one 'field: value' per line") from None
    except RecursionError:
        raise PlcaseInputError(f"malformed {what}: nested too deeply", path=path, line=first_line,
                               hint="write one 'field: value' per line") from None
    finally:
        if loader is not None:
            loader.dispose()


def _hint(problem: str) -> str:
    if "anchor" in problem or "alias" in problem:
        return "write the values out in full; plcase refuses YAML anchors and aliases"
    if "duplicate key" in problem:
        return "give each field once"
    return "check indentation, and quote values that contain ':' or start with '&', '*', '[', '{'"
