"""Shared pieces of the REFI-QDA reader and writer: namespaces, XML helpers, GUIDs."""

from __future__ import annotations

import re
import uuid
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"

#: Namespace of plcase's uuid5 GUIDs (itself uuid5 of the URL namespace and "plcase").
_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://plcase/refi-qda")
#: Used where a study has no dates: a fixed time keeps the output reproducible.
_FIXED_TIME = "2000-01-01T00:00:00Z"
#: The earliest time a zip entry can carry; fixed so the archive bytes never vary.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_ORIGIN = "plcase"
_CREATOR = "plcase"
_SEP = "\x1f"  # joins the parts hashed into a GUID; cannot occur in a name

_GUID_TEXT = re.compile(r"^\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-"
                        r"[0-9A-Fa-f]{12})\}?$")
_RGB = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DESCRIPTION_FIELDS = ("label", "kind", "include", "exclude", "example", "keywords", "phrases")
_FIELD_LINE = re.compile(r"^(Label|Kind|Include|Exclude|Example|Keywords|Phrases): ?(.*)$", re.M)
#: Document columns that are not variables: written elsewhere or recomputed.
_NOT_VARIABLES = ("doc_id", "n_words", "path", "guid", "sets", "case")
#: Okabe-Ito colours, for codes that have none.
_PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
            "#999999")
_NON_TEXT_SOURCES = {"PDFSource": "PDF", "PictureSource": "picture", "AudioSource": "audio",
                     "VideoSource": "video"}


def _local(name) -> str:
    if not isinstance(name, str):
        return ""
    return name.rsplit("}", 1)[-1] if name.startswith("{") else name


def _attrs(element) -> dict[str, str]:
    # Some tools qualify attributes with the namespace; compare local names only.
    return {_local(k): v for k, v in element.attrib.items()}


def _children(element, name: str) -> list:
    return [child for child in element if _local(child.tag) == name]


def _child(element, name: str):
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _text_of(element) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text


def _norm_guid(value: str | None) -> str | None:
    """GUIDs compared case-insensitively and without braces (MAXQDA writes upper case)."""
    if value is None:
        return None
    value = value.strip()
    match = _GUID_TEXT.match(value)
    return (match.group(1) if match else value).lower() or None


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(_GUID_NAMESPACE, _SEP.join(parts)))


def _q(ns: str, tag: str) -> str:
    # Tags are written unqualified under a default xmlns on the root (see _serialise).
    return tag


def _missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, (list, tuple, np.ndarray)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (control characters)."""
    return _NOT_XML.sub("", str(text))


def _serialise(root, ns: str) -> bytes:
    root.attrib = {"xmlns": ns, **root.attrib}
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")
