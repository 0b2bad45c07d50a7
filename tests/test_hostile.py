"""Hostile and broken input: every problem is a PlcaseInputError naming what is wrong."""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plcase.errors import PlcaseError, PlcaseInputError, PlcaseWarning
from plcase.io import _safe
from plcase.io.captions import parse_captions
from plcase.io.docx import read_docx
from plcase.io.qdpx import read_qdc, read_qdpx
from plcase.io.responses import read_responses
from plcase.study import Study

DATA = Path(__file__).parent / "data"
USER = "11111111-1111-4111-8111-111111111111"
CODE = "22222222-2222-4222-8222-222222222222"
SOURCE = "33333333-3333-4333-8333-333333333333"
SELECTION = "44444444-4444-4444-8444-444444444444"
TEXT = "Hello world, this is a source."


def qde(codes: str | None = None, selections: str | None = None, source_attrs: str | None = None,
        prolog: str = "") -> str:
    codes = codes if codes is not None else f'<Code guid="{CODE}" name="glow" isCodable="true"/>'
    selections = selections if selections is not None else (
        f'<PlainTextSelection guid="{SELECTION}" startPosition="0" endPosition="5" '
        f'creatingUser="{USER}"><Coding guid="{SELECTION[:-1]}5"><CodeRef targetGUID="{CODE}"/>'
        f'</Coding></PlainTextSelection>')
    source_attrs = source_attrs or f'plainTextPath="internal://{SOURCE}.txt"'
    return (f'{prolog}<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="MAXQDA 2022">'
            f'<Users><User guid="{USER}" name="ana"/></Users>'
            f'<CodeBook><Codes>{codes}</Codes></CodeBook>'
            f'<Sources><TextSource guid="{SOURCE}" name="doc" {source_attrs}>{selections}'
            f'</TextSource></Sources></Project>')


def archive(path: Path, files: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def project(tmp_path, xml: str | None = None, **extra) -> Path:
    files = {"project.qde": xml if xml is not None else qde(), f"sources/{SOURCE}.txt": TEXT}
    files.update(extra)
    return archive(tmp_path / "p.qdpx", files)


def test_the_baseline_project_reads(tmp_path):
    study = read_qdpx(project(tmp_path))
    assert study.codings[["code", "coder", "text"]].values.tolist() == [["glow", "ana", "Hello"]]


# --------------------------------------------------------------------------- archives

@pytest.mark.parametrize("member", ["../evil.txt", "sources/../../evil.txt", "/etc/passwd",
                                    "C:/Windows/evil.txt", "..\\evil.txt"])
def test_unsafe_member_paths_are_refused(tmp_path, member):
    with pytest.raises(PlcaseInputError, match="unsafe path") as err:
        read_qdpx(project(tmp_path, **{member: "boo"}))
    assert "p.qdpx" in str(err.value)


def test_too_many_members_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(_safe, "MAX_MEMBERS", 5)
    extra = {f"sources/x{k}.txt": "x" for k in range(5)}
    with pytest.raises(PlcaseInputError, match="7 members, more than the limit of 5"):
        read_qdpx(project(tmp_path, **extra))


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path, monkeypatch):
    bomb = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde())
        zf.writestr(f"sources/{SOURCE}.txt", b"\0" * (32 * 1024**2))  # ~1000:1
    assert bomb.stat().st_size < 100_000

    def never(*args, **kwargs):
        raise AssertionError("a member was read")

    monkeypatch.setattr(_safe.SafeArchive, "read", never)
    with pytest.raises(PlcaseInputError, match="compression ratio of .* more than the limit"):
        read_qdpx(bomb)


def test_total_and_member_sizes_are_capped(tmp_path, monkeypatch):
    path = project(tmp_path, **{"sources/big.txt": "x" * 5000})
    monkeypatch.setattr(_safe, "MAX_MEMBER_BYTES", 4000)
    with pytest.raises(PlcaseInputError, match="would unpack to 5000 bytes"):
        read_qdpx(path)
    monkeypatch.setattr(_safe, "MAX_MEMBER_BYTES", 10_000)
    monkeypatch.setattr(_safe, "MAX_TOTAL_BYTES", 5500)
    with pytest.raises(PlcaseInputError, match="would unpack to more than 5500 bytes"):
        read_qdpx(path)


def test_not_a_zip(tmp_path):
    path = tmp_path / "p.qdpx"
    path.write_bytes(b"this is not a zip archive")
    with pytest.raises(PlcaseInputError, match="not a readable REFI-QDA project"):
        read_qdpx(path)


def test_no_project_qde(tmp_path):
    with pytest.raises(PlcaseInputError, match="no project.qde"):
        read_qdpx(archive(tmp_path / "p.qdpx", {"readme.txt": "hi"}))


# --------------------------------------------------------------------------- XML

BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                  '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')


def test_entity_expansion_is_refused(tmp_path):
    xml = qde(prolog=BILLION_LAUGHS).replace('name="doc"', 'name="&lol3;"')
    with pytest.raises(PlcaseInputError, match="DTD or entities is refused") as err:
        read_qdpx(project(tmp_path, xml))
    assert "project.qde" in str(err.value)


def test_external_entities_are_refused(tmp_path):
    prolog = '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    xml = qde(prolog=prolog).replace('name="doc"', 'name="&xxe;"')
    with pytest.raises(PlcaseInputError, match="DTD or entities is refused"):
        read_qdpx(project(tmp_path, xml))


def test_malformed_xml_names_the_line(tmp_path):
    with pytest.raises(PlcaseInputError, match=r"project.qde:1: malformed REFI-QDA project XML"):
        read_qdpx(project(tmp_path, qde()[:-20]))


def test_qdc_with_entities_is_refused(tmp_path):
    path = tmp_path / "c.qdc"
    path.write_text(BILLION_LAUGHS + '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>')
    with pytest.raises(PlcaseInputError, match="DTD or entities is refused"):
        read_qdc(path)


# --------------------------------------------------------------------------- content

def test_selection_outside_its_source(tmp_path):
    selection = (f'<PlainTextSelection guid="{SELECTION}" startPosition="20" endPosition="31">'
                 f'<Coding guid="{USER[:-1]}9"><CodeRef targetGUID="{CODE}"/></Coding>'
                 f'</PlainTextSelection>')
    with pytest.raises(PlcaseInputError, match=rf"PlainTextSelection guid='{SELECTION}'> of source "
                                               r"'doc' has offsets \[20, 31\) outside its source "
                                               r"\(length 30\)"):
        read_qdpx(project(tmp_path, qde(selections=selection)))


def test_negative_or_reversed_offsets(tmp_path):
    for start, end in ((-1, 3), (5, 2), ("x", 3)):
        selection = (f'<PlainTextSelection guid="{SELECTION}" startPosition="{start}" '
                     f'endPosition="{end}"/>')
        with pytest.raises(PlcaseInputError, match="PlainTextSelection"):
            read_qdpx(project(tmp_path, qde(selections=selection)))


def test_code_referenced_but_not_defined(tmp_path):
    with pytest.raises(PlcaseInputError, match=f"code {CODE} is referenced in <PlainTextSelection "
                                               f"guid='{SELECTION}'> of source 'doc' but not defined"):
        read_qdpx(project(tmp_path, qde(codes="")))


def test_duplicate_code_guids(tmp_path):
    codes = (f'<Code guid="{CODE}" name="glow" isCodable="true"/>'
             f'<Code guid="{CODE.upper()}" name="grow" isCodable="true"/>')
    with pytest.raises(PlcaseInputError, match=f"duplicate GUID {CODE} on <Code name='grow'>"):
        read_qdpx(project(tmp_path, qde(codes=codes)))


def test_duplicate_selection_guids(tmp_path):
    one = (f'<PlainTextSelection guid="{SELECTION}" startPosition="0" endPosition="5">'
           f'<Coding guid="{USER[:-1]}9"><CodeRef targetGUID="{CODE}"/></Coding>'
           f'</PlainTextSelection>')
    with pytest.raises(PlcaseInputError, match=f"duplicate GUID {SELECTION} on <PlainTextSelection"):
        read_qdpx(project(tmp_path, qde(selections=one + one)))


def test_unsafe_internal_path(tmp_path):
    attrs = 'plainTextPath="internal://../../etc/passwd"'
    with pytest.raises(PlcaseInputError, match="unsafe plainTextPath"):
        read_qdpx(project(tmp_path, qde(source_attrs=attrs)))


def test_missing_source_file(tmp_path):
    path = archive(tmp_path / "p.qdpx", {"project.qde": qde()})
    with pytest.raises(PlcaseInputError, match=f"internal://{SOURCE}.txt is not in the archive"):
        read_qdpx(path)


def test_sources_outside_the_archive_are_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    attrs = f'plainTextPath="absolute://{secret}"'
    with pytest.warns(PlcaseWarning, match="its plain text is not in the archive"):
        study = read_qdpx(project(tmp_path, qde(source_attrs=attrs, selections="")))
    assert study.documents.empty


def test_non_utf8_source_is_read_as_cp1252_with_a_warning(tmp_path):
    path = project(tmp_path, **{f"sources/{SOURCE}.txt": "Caf\xe9 au lait is here again.".encode(
        "cp1252")})
    with pytest.warns(PlcaseWarning, match="not UTF-8"):
        study = read_qdpx(path)
    assert study.codings["text"].tolist() == ["Café "]


def test_hostile_docx_and_xlsx_are_refused(tmp_path):
    docx = archive(tmp_path / "t.docx", {"../word/document.xml": "<w/>"})
    with pytest.raises(PlcaseInputError, match="unsafe path"):
        read_docx(docx)
    entity = archive(tmp_path / "e.docx", {"word/document.xml": BILLION_LAUGHS + "<w/>"})
    with pytest.raises(PlcaseInputError, match="DTD or entities is refused"):
        read_docx(entity)
    xlsx = archive(tmp_path / "s.xlsx", {"/xl/workbook.xml": "<w/>"})
    with pytest.raises(PlcaseInputError, match="unsafe path"):
        read_responses(xlsx, text="q")


# --------------------------------------------------------------------------- fuzzing

FUZZ = settings(max_examples=80, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
VALID_QDPX = (DATA / "refi" / "refi_project.qdpx").read_bytes()
with zipfile.ZipFile(io.BytesIO(VALID_QDPX)) as _zf:
    VALID_FILES = {info.filename: _zf.read(info) for info in _zf.infolist()}


def _outcome(read, path):
    """A reader either returns a Study/frame or raises plcase's own error, nothing else."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlcaseWarning)
        try:
            result = read(path)
        except PlcaseError:
            return "refused"
    if isinstance(result, Study):
        for row in result.codings.itertuples():
            assert result.texts[row.doc_id][row.start:row.end] == row.text
    return "read"


@st.composite
def mutations(draw, data: bytes, max_edits: int = 4):
    data = bytearray(data)
    for _ in range(draw(st.integers(1, max_edits))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "digit"]))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 16))]
        elif data:  # numbers are where offsets live: nudge one
            data[at:at] = str(draw(st.integers(-5, 10**6))).encode()
    return bytes(data)


@FUZZ
@given(data=st.binary(max_size=400))
def test_fuzz_random_bytes(data, tmp_path):
    path = tmp_path / "f.qdpx"
    path.write_bytes(data)
    assert _outcome(read_qdpx, path) == "refused"
    path = tmp_path / "f.qdc"
    path.write_bytes(data)
    assert _outcome(read_qdc, path) == "refused"


@FUZZ
@given(xml=mutations(VALID_FILES["project.qde"]))
def test_fuzz_mutated_project_xml(xml, tmp_path):
    files = dict(VALID_FILES, **{"project.qde": xml})
    _outcome(read_qdpx, archive(tmp_path / "m.qdpx", files))
    codebook = tmp_path / "m.qdc"
    codebook.write_bytes(xml.replace(b"urn:QDA-XML:project:1.0", b"urn:QDA-XML:codebook:1.0")
                         .replace(b"<Project", b"<CodeBook").replace(b"</Project>", b"</CodeBook>"))
    _outcome(read_qdc, codebook)


@FUZZ
@given(data=mutations(VALID_QDPX, max_edits=3))
def test_fuzz_mutated_zip(data, tmp_path):
    path = tmp_path / "z.qdpx"
    path.write_bytes(data)
    _outcome(read_qdpx, path)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(raw=st.text(max_size=300), kind=st.sampled_from(["vtt", "srt"]))
def test_fuzz_captions(raw, kind):
    for text in (raw, "WEBVTT\n\n" + raw, "1\n00:00:01,000 --> 00:00:02,000\n" + raw):
        try:
            body, passages = parse_captions(text, "d", kind=kind)
        except PlcaseError:
            continue
        for row in passages.itertuples():
            assert body[row.start:row.end] == row.text
