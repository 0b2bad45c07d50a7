"""The codebook as Word and HTML, read back with python-docx and html.parser."""

from __future__ import annotations

from html.parser import HTMLParser

import docx
import pandas as pd
import pytest

from plcase import config
from plcase.cli import main
from plcase.codebook_export import codebook_outline, write_codebook
from plcase.errors import PlcaseError

# A three-level tree listed out of order: children before their parents, siblings interleaved.
CODEBOOK = pd.DataFrame([
    {"code": "circle", "label": "Morning circle", "parent": "sel", "definition": "A class circle.",
     "include": "Check-ins, talking sticks.", "exclude": "Lunch talk.", "example": "We do circle."},
    {"code": "sel", "label": "Social-emotional learning", "parent": None,
     "definition": "Feelings & relationships <of> children.", "include": None, "exclude": None,
     "example": None},
    {"code": "pd", "label": "Professional learning", "parent": None,
     "definition": "Teachers learning on the job.", "include": "Coaching.", "exclude": None,
     "example": "Our coach plans with us."},
    {"code": "talking_stick", "label": "Talking stick", "parent": "circle",
     "definition": "Who holds it speaks.", "include": None, "exclude": None, "example": None},
    {"code": "coaching", "label": "Coaching", "parent": "pd", "definition": "One-to-one coaching.",
     "include": None, "exclude": None, "example": None},
])
# Worked out by hand: each parent then its sub-codes, depth first, in codebook order.
TREE = [("sel", 1), ("circle", 2), ("talking_stick", 3), ("pd", 1), ("coaching", 2)]
LABEL = dict(zip(CODEBOOK["code"], CODEBOOK["label"]))


def test_outline_is_depth_first_tree_order():
    outline = codebook_outline(CODEBOOK)
    assert list(zip(outline["code"], outline["depth"])) == TREE
    assert outline.set_index("code").loc["talking_stick", "path"] == \
        "Social-emotional learning › Morning circle › Talking stick"


def test_word_document_has_every_code_as_a_heading_at_its_depth(tmp_path):
    out = write_codebook(CODEBOOK, tmp_path / "codebook.docx", title="Our codebook")
    paragraphs = docx.Document(out).paragraphs
    assert paragraphs[0].text == "Our codebook" and paragraphs[0].style.name == "Title"
    headings = [(p.text, p.style.name) for p in paragraphs if p.style.name.startswith("Heading")]
    assert headings == [(f"{LABEL[c]} ({c})", f"Heading {d}") for c, d in TREE]
    body = [p.text for p in paragraphs]
    for row in CODEBOOK.itertuples():
        assert f"Definition: {row.definition}" in body
    assert "When to use: Check-ins, talking sticks." in body
    assert "When not to use: Lunch talk." in body
    assert "Example: Our coach plans with us." in body
    # An empty field is left out, not printed as "None".
    assert not any("None" in text for text in body)


class _Sections(HTMLParser):
    """Collect each code section's depth and heading text, and all visible text."""

    def __init__(self):
        super().__init__()
        self.sections, self.text, self._heading = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.sections.append([attrs["id"], int(attrs["data-depth"]), ""])
        if tag in ("h2", "h3", "h4", "h5", "h6") and self.sections:
            self._heading = tag

    def handle_endtag(self, tag):
        if tag == self._heading:
            self._heading = None

    def handle_data(self, data):
        self.text.append(data)
        if self._heading and self.sections:
            self.sections[-1][2] += data


def test_html_has_every_code_label_and_definition_in_tree_order(tmp_path):
    out = write_codebook(CODEBOOK, tmp_path / "codebook.html")
    parser = _Sections()
    parser.feed(out.read_text(encoding="utf-8"))
    assert [(s[0], s[1]) for s in parser.sections] == [(f"code-{c}", d) for c, d in TREE]
    assert [s[2] for s in parser.sections] == [f"{LABEL[c]} ({c})" for c, _ in TREE]
    text = "".join(parser.text)
    for definition in CODEBOOK["definition"]:
        assert definition in text  # escaped on the page, "<of>" and "&" read back intact
    assert "When not to use" in text and "Lunch talk." in text


def test_sample_codebook_both_formats_via_cli(tmp_path):
    from plcase.codebook import read_codebook

    codebook = read_codebook(config.SAMPLE_DIR / "codebook.yml")
    for name in ("codebook.docx", "codebook.html"):
        assert main(["codebook", str(config.SAMPLE_DIR), "-o", str(tmp_path / name)]) == 0
    paragraphs = docx.Document(tmp_path / "codebook.docx").paragraphs
    body = "\n".join(p.text for p in paragraphs)
    parser = _Sections()
    parser.feed((tmp_path / "codebook.html").read_text(encoding="utf-8"))
    page = "".join(parser.text)
    for row in codebook.itertuples():
        for text in (body, page):
            assert row.label in text and row.definition in text
    # Sub-codes follow their parent (the yml lists them right after it).
    sections = [s[0].removeprefix("code-") for s in parser.sections]
    for row in codebook.itertuples():
        if isinstance(row.parent, str):
            assert sections.index(row.parent) < sections.index(row.code)


def test_unknown_suffix_is_refused(tmp_path, capsys):
    with pytest.raises(PlcaseError, match=r"\.docx \(Word\) or \.html"):
        write_codebook(CODEBOOK, tmp_path / "codebook.pdf")
    assert main(["codebook", str(config.SAMPLE_DIR), "-o", str(tmp_path / "codebook.pdf")]) == 1
    assert "codebook.pdf" in capsys.readouterr().err
    assert not (tmp_path / "codebook.pdf").exists()
