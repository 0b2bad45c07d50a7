"""REFI-QDA exchange: import of desktop-tool exports, export, round trip, codebooks."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plcase.errors import PlcaseError, PlcaseWarning
from plcase.io.qdpx import read_qdc, read_qdpx, write_qdc, write_qdpx
from plcase.io.qdpx.offsets import _normalise_line_ends
from plcase.study import Study

DATA = Path(__file__).parent / "data"
REFI = DATA / "refi"
SOURCES = DATA / "refi_sources"
KEY = ["doc_id", "start", "end", "code", "coder"]


def _read(name: str) -> Study:
    with pytest.warns(PlcaseWarning, match="PDF 'CMS strategic plan.pdf', picture 'Choice board.jpg'"):
        return read_qdpx(REFI / name)


@pytest.fixture(scope="module")
def nvivo():
    return _read("refi_project.qdpx")


@pytest.fixture(scope="module")
def atlas():
    return _read("refi_atlas.qdpx")


# --------------------------------------------------------------------------- import

def test_text_sources_become_documents_with_lf_text_and_no_bom(nvivo):
    assert nvivo.documents["doc_id"].tolist() == ["GO-T7 Whitfield", "GO-S7 focus group",
                                                  "GO-V7 visit"]
    # The file in the archive has a BOM and CRLF line ends; plcase keeps the readable text.
    assert nvivo.texts["GO-T7 Whitfield"] == (SOURCES / "whitfield.txt").read_text("utf-8")
    assert nvivo.texts["GO-S7 focus group"] == (SOURCES / "okafor_focus.txt").read_text("utf-8")


@pytest.mark.parametrize("fixture", ["nvivo", "atlas"])
def test_selections_land_on_the_highlighted_words(fixture, request):
    study = request.getfixturevalue(fixture)
    # The fixture script computed the offsets from these quotes in each tool's own
    # counting (CRLF = 2 for NVivo, 1 for ATLAS.ti); plcase must find the same words.
    snippets = set(study.codings["text"])
    assert ("Ms. Nguyễn's class started a \"fail forward\" wall — café-style sticky notes — and now "
            "students put their first attempts up there on purpose. 👍") in snippets
    assert ("My goal sheet helps me. I write my goal on Monday and on Friday I check it with "
            "Mr. Ito — 我们一起学习, like he says.") in snippets
    assert ("very traditional.\nINTERVIEWER: What changed when the school joined the cohort?\n"
            "WHITFIELD: Honestly") in snippets
    assert "flop share" in snippets
    assert "Our coach sits with the fourth-grade team" in snippets
    assert len(study.codings) == 14  # one per Coding in the fixture


def test_coders_come_from_users_and_codings_fall_back_to_the_selection_user(nvivo):
    assert nvivo.coders == ["Ana Ruiz", "Ben Okafor"]
    span = nvivo.codings[nvivo.codings["text"].str.startswith("Our coach sits with the fourth-grade "
                                                              "team and")]
    # The first Coding of this selection has no creatingUser: the selection's user coded it.
    assert sorted(span["code"]) == ["Coaching", "Embedded PD", "Glow"]
    assert set(span["coder"]) == {"Ana Ruiz"}
    assert set(span["memo"]) == {"Clear example of embedded PD."}


def test_missing_users_leave_the_user_guid_as_coder(atlas):
    assert atlas.coders == ["1e8b3a52-7f3c-4c8b-9e1a-0b6d2a4f9c11",
                            "5c94bc9e-db8c-4f1d-9cd6-e900c7440860"]


def test_codebook_keeps_hierarchy_categories_colours_and_descriptions(nvivo):
    book = nvivo.codebook.set_index("code")
    assert book.loc["Themes", "kind"] == "category"
    assert book.loc["Coaching", "parent"] == "Embedded PD"
    assert book.loc["Embedded PD", "parent"] == "Themes"
    assert pd.isna(book.loc["Glow", "parent"])   # None (pandas 2) or NaN (pandas 3)
    assert book.loc["Shared culture", "color"] == "#E69F00"
    assert book.loc["Glow", "definition"] == "What works."
    # Two codes named "Other" get their path as code, their name as label.
    assert book.loc["Grow/Other", "label"] == "Other"
    assert book.loc["Themes/Student driven/Other", "parent"] == "Student driven"


def test_case_and_source_variables_become_document_columns(nvivo):
    docs = nvivo.documents.set_index("doc_id")
    assert docs.loc["GO-T7 Whitfield", "case"] == "Dana Whitfield"  # named case (NVivo)
    assert docs.loc["GO-T7 Whitfield", "years_teaching"] == 6
    assert docs.loc["GO-S7 focus group", "role"] == "student"  # unnamed case (MAXQDA)
    assert pd.isna(docs.loc["GO-S7 focus group", "case"])
    assert docs.loc["GO-V7 visit", "date"] == "2017-03-16"  # the source's own VariableValue
    assert set(docs["school"]) == {"Grand Oak Elementary"}


def test_sets_become_a_document_column(nvivo):
    sets = dict(zip(nvivo.documents["doc_id"], nvivo.documents["sets"]))
    assert sets == {"GO-T7 Whitfield": "Grand Oak; Interviews", "GO-S7 focus group": "Interviews",
                    "GO-V7 visit": "Grand Oak"}


def test_passages_are_speaker_turns(nvivo):
    turns = nvivo.passages[nvivo.passages["doc_id"] == "GO-S7 focus group"]
    assert turns["speaker"].tolist() == ["MODERATOR", "STUDENT 1", "STUDENT 2", "STUDENT 3"]
    visit = nvivo.passages[nvivo.passages["doc_id"] == "GO-V7 visit"]
    assert len(visit) == 3 and visit["speaker"].isna().all()


def test_large_codebook_with_sets_and_no_codings_reads_cleanly():
    study = read_qdpx(REFI / "refi_large_codebook.qdpx")
    assert len(study.codebook) == 312
    assert study.codebook["kind"].value_counts().to_dict() == {"code": 300, "category": 12}
    leaves = study.codebook[study.codebook["label"] == "Aspect 1"]
    assert len(leaves) == 60 and leaves["code"].is_unique
    assert leaves["code"].iloc[0] == "Category 1/Code 1.1/Aspect 1"
    assert study.codings.empty and len(study.documents) == 20
    assert study.documents["sets"].value_counts().to_dict() == {f"Group {k}": 4 for k in range(1, 6)}


def test_crlf_offsets_map_by_origin():
    raw = "ab\r\ncd\r\nef"
    text, to_plcase, length = _normalise_line_ends(raw, 2)
    assert text == "ab\ncd\nef" and length == 10
    # "cd" is at 4..6 counting CRLF as two; at 3..5 in the LF text.
    assert text[to_plcase(4):to_plcase(6)] == "cd"
    assert to_plcase(3) == 2  # between CR and LF: onto the LF that replaces the pair
    assert to_plcase(10) == 8
    text, to_plcase, length = _normalise_line_ends(raw, 1)  # ATLAS.ti counts CRLF as one
    assert length == 8 and text[to_plcase(3):to_plcase(5)] == "cd"


def test_crlf_width_overrides_the_origin(atlas):
    assert "flop share" in set(atlas.codings["text"])
    with pytest.warns(PlcaseWarning):
        wrong = read_qdpx(REFI / "refi_atlas.qdpx", crlf_width=2)
    # Counting ATLAS.ti's offsets as NVivo's shifts spans after a line end off their words.
    assert "flop share" not in set(wrong.codings["text"])


# --------------------------------------------------------------------------- export

def _tiny_study(**changes) -> Study:
    texts = {"d1": "INTERVIEWER: Why?\nWHITFIELD: Café time 👍 works.\n", "d2": "Notes 学习.\n"}
    documents = pd.DataFrame({"doc_id": ["d1", "d2"], "school": ["Grand Oak", "Newell"],
                              "date": ["2017-03-14", None], "grade": [4, 5],
                              "sets": ["Interviews", None]})
    codings = pd.DataFrame({"doc_id": ["d1", "d1", "d2"], "start": [29, 29, 0],
                            "end": [47, 47, 5], "code": ["glow", "embedded_pd", "glow"],
                            "coder": ["coder_a", "auto:model", "coder_a"], "score": [None, 0.9, None]})
    codebook = pd.DataFrame({"code": ["embedded_pd", "glow"], "kind": ["theme", "valence"],
                             "label": ["Embedded PD", "Glow"], "keywords": [["coach"], []]})
    passages = pd.DataFrame({"passage_id": ["d1:1", "d2:1"], "doc_id": ["d1", "d2"],
                             "start": [0, 0], "end": [48, 10]})
    parts = dict(documents=documents, passages=passages, codings=codings, codebook=codebook,
                 texts=texts, name="tiny")
    parts.update(changes)
    return Study(**parts)


def test_write_is_deterministic_and_well_formed(tmp_path):
    study = _tiny_study()
    a = write_qdpx(study, tmp_path / "a.qdpx").read_bytes()
    b = write_qdpx(study, tmp_path / "b.qdpx").read_bytes()
    assert a == b
    with zipfile.ZipFile(tmp_path / "a.qdpx") as zf:
        names = zf.namelist()
        assert names == sorted(names) and names[0] == "project.qde"
        assert {info.date_time for info in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        qde = zf.read("project.qde").decode("utf-8")
    assert 'xmlns="urn:QDA-XML:project:1.0"' in qde
    assert 'name="auto:model"' in qde  # machine coder as its own User
    assert 'plainTextPath="internal://' in qde and 'creationDateTime="2017-03-14T00:00:00Z"' in qde


def test_export_keeps_machine_coders_variables_and_sets(tmp_path):
    study = _tiny_study()
    again = read_qdpx(write_qdpx(study, tmp_path / "t.qdpx"))
    assert again.coders == ["auto:model", "coder_a"]
    docs = again.documents.set_index("doc_id")
    assert docs.loc["d1", "grade"] == 4 and docs.loc["d2", "school"] == "Newell"
    assert docs.loc["d1", "sets"] == "Interviews"
    book = again.codebook.set_index("code")
    assert book.loc["glow", "kind"] == "valence" and book.loc["embedded_pd", "keywords"] == ["coach"]


def test_sample_round_trip(sample, tmp_path):
    again = read_qdpx(write_qdpx(sample, tmp_path / "cms.qdpx"))
    assert again.texts == sample.texts
    pd.testing.assert_frame_equal(again.codings[KEY], sample.codings[KEY])
    assert again.codebook["code"].tolist() == sample.codebook["code"].tolist()
    assert again.codebook["parent"].tolist() == sample.codebook["parent"].tolist()


def test_qdc_round_trip_and_import(tmp_path, sample):
    book = read_qdc(write_qdc(sample.codebook, tmp_path / "cms.qdc"))
    cols = ["code", "label", "parent", "kind", "definition", "include", "exclude", "keywords"]
    pd.testing.assert_frame_equal(book[cols], sample.codebook[cols])
    tool = read_qdc(REFI / "refi_codebook.qdc")
    assert len(tool) == 9 and tool.set_index("code").loc["Coaching", "parent"] == "Embedded PD"


# --------------------------------------------------------------------------- property test

_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
                min_size=1, max_size=60)
_NAME = st.text(alphabet="abcdefghij_:-XYZ", min_size=1, max_size=8)


@st.composite
def studies(draw):
    """Random small studies: any Unicode (accents, emoji, CJK, CR, NUL) and any spans."""
    extra = st.sampled_from(["é", "👍", "学", "\r\n", "\r", "\x00", "\u2028", "\ufeff", " "])
    n_docs = draw(st.integers(1, 3))
    texts = {}
    for k in range(n_docs):
        body = ("".join(draw(st.lists(extra, max_size=2))) + draw(_TEXT)
                + "".join(draw(st.lists(extra, max_size=4))) + draw(_TEXT))
        texts[f"doc {k} é"] = body
    codes = draw(st.lists(_NAME, min_size=1, max_size=4, unique=True))
    coders = draw(st.lists(_NAME, min_size=1, max_size=3, unique=True))
    rows = []
    for doc_id, text in texts.items():
        for _ in range(draw(st.integers(0, 4))):
            start = draw(st.integers(0, len(text)))
            end = draw(st.integers(start, len(text)))
            rows.append({"doc_id": doc_id, "start": start, "end": end,
                         "code": draw(st.sampled_from(codes)), "coder": draw(st.sampled_from(coders))})
    codings = pd.DataFrame(rows) if rows else pd.DataFrame(columns=["doc_id", "start", "end", "code",
                                                                    "coder"])
    parents = [None] + codes
    codebook = pd.DataFrame({"code": codes,
                             "parent": [draw(st.sampled_from(parents[:i + 1])) for i in
                                        range(len(codes))]})
    documents = pd.DataFrame({"doc_id": list(texts)})
    passages = pd.DataFrame({"passage_id": [f"{d}:1" for d in texts], "doc_id": list(texts),
                             "start": 0, "end": [len(t) for t in texts.values()]})
    return Study(documents=documents, passages=passages, codings=codings, codebook=codebook,
                 texts=texts)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(study=studies())
def test_round_trip_preserves_texts_codings_and_codes(study, tmp_path):
    again = read_qdpx(write_qdpx(study, tmp_path / "p.qdpx"))
    assert again.texts == study.texts
    expected = study.codings[KEY].drop_duplicates().reset_index(drop=True)
    pd.testing.assert_frame_equal(again.codings[KEY].reset_index(drop=True), expected)
    # The tree is written depth first, so siblings keep their order but a child
    # listed before its parent's later siblings moves; the set of codes is what counts.
    tree = lambda book: sorted(zip(book["code"], book["parent"].fillna("")))  # noqa: E731
    assert tree(again.codebook) == tree(study.codebook)


# --------------------------------------------------------------------------- offset units

_NS = "urn:QDA-XML:project:1.0"
_USER, _CODE, _SRC = ("11111111-1111-4111-8111-11111111111" + c for c in "123")


def _unit_project(tmp_path, text: str, spans, origin: str, *, member: str = "sources/s.txt",
                  path_attr: str = 'plainTextPath="internal://s.txt"', name: str = 'name="doc"'):
    selections = "".join(
        f'<PlainTextSelection guid="22222222-2222-4222-8222-{k:012d}" startPosition="{a}" '
        f'endPosition="{b}" creatingUser="{_USER}"><Coding guid="33333333-3333-4333-8333-'
        f'{k:012d}" creatingUser="{_USER}"><CodeRef targetGUID="{_CODE}"/></Coding>'
        f'</PlainTextSelection>' for k, (a, b) in enumerate(spans))
    qde = (f'<Project xmlns="{_NS}" name="t" origin="{origin}"><Users><User guid="{_USER}" '
           f'name="ana"/></Users><CodeBook><Codes><Code guid="{_CODE}" name="c" isCodable="true"/>'
           f'</Codes></CodeBook><Sources><TextSource guid="{_SRC}" {name} {path_attr}>'
           f'{selections}</TextSource></Sources></Project>')
    path = tmp_path / "u.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
        zf.writestr(member, text.encode("utf-8"))
    return path


def _utf16(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return (len(text[:start].encode("utf-16-le")) // 2,
            len(text[:start + len(quote)].encode("utf-16-le")) // 2)


_EMOJI_TEXT = "👍👍👍 Great lesson 😀 today.\nThe coach came 🎉 again and again.\n"
_QUOTES = ["Great lesson", "today", "The coach came", "again and again"]


def test_nvivo_origin_reads_utf16_units(tmp_path):
    spans = [_utf16(_EMOJI_TEXT, q) for q in _QUOTES]
    study = read_qdpx(_unit_project(tmp_path, _EMOJI_TEXT, spans, "NVivo 14"))
    assert study.codings["text"].tolist() == _QUOTES


def test_evidence_overrules_a_contradicting_origin_with_a_warning(tmp_path):
    spans = [_utf16(_EMOJI_TEXT, q) for q in _QUOTES]
    path = _unit_project(tmp_path, _EMOJI_TEXT, spans, "SomeTool 2.0")
    with pytest.warns(PlcaseWarning, match="suggests offsets in code points, but .* reading them "
                                           "as UTF-16 code units"):
        study = read_qdpx(path)
    assert study.codings["text"].tolist() == _QUOTES
    # The caller's unit is taken as given: read in code points, the last span ends past the text.
    with pytest.raises(PlcaseError, match=r"\[48, 63\) outside its source \(length 60\), "
                                          r"counting code points"):
        read_qdpx(path, offset_unit="codepoint")


def test_code_point_offsets_under_an_nvivo_origin_are_detected(tmp_path):
    spans = [(_EMOJI_TEXT.index(q), _EMOJI_TEXT.index(q) + len(q)) for q in _QUOTES]
    with pytest.warns(PlcaseWarning, match="reading them as code points"):
        study = read_qdpx(_unit_project(tmp_path, _EMOJI_TEXT, spans, "NVivo 14"))
    assert study.codings["text"].tolist() == _QUOTES


def test_a_utf16_offset_inside_a_surrogate_pair_is_an_error_naming_the_selection(tmp_path):
    path = _unit_project(tmp_path, "a👍b", [(0, 2)], "NVivo 14")
    with pytest.raises(PlcaseError, match=r"PlainTextSelection guid='22222222-2222-4222-8222-"
                                          r"000000000000'> of source 'doc': offset 2 falls inside "
                                          r"a surrogate pair"):
        read_qdpx(path, offset_unit="utf16")
    with pytest.raises(PlcaseError, match="offset_unit must be"):
        read_qdpx(path, offset_unit="bytes")


def test_bare_plain_text_path_in_capital_sources_and_unnamed_source(tmp_path):
    path = _unit_project(tmp_path, "Hello world.", [(0, 5)], "qc 1.3.2", member="Sources/b.txt",
                         path_attr='plainTextPath="b.txt"', name="")
    study = read_qdpx(path)
    assert study.documents["doc_id"].tolist() == ["b"]
    assert study.codings["text"].tolist() == ["Hello"]


def test_write_in_utf16_units_counts_an_emoji_twice(tmp_path):
    study = _tiny_study()
    out = write_qdpx(study, tmp_path / "n.qdpx", offset_unit="utf16")
    with zipfile.ZipFile(out) as zf:
        qde = zf.read("project.qde").decode("utf-8")
    assert 'origin="plcase; offsets in UTF-16 code units"' in qde
    # "Café time 👍 works." starts at code point 29 and ends at 47; the emoji before the end
    # makes it 48 in UTF-16 units.
    assert 'startPosition="29" endPosition="48"' in qde
    again = read_qdpx(out)
    pd.testing.assert_frame_equal(again.codings[KEY].reset_index(drop=True),
                                  study.codings[KEY].drop_duplicates().reset_index(drop=True))
    with pytest.raises(PlcaseError, match="offset_unit must be"):
        write_qdpx(study, tmp_path / "x.qdpx", offset_unit="bytes")


def test_code_sets_are_kept_through_qdc_and_qdpx(tmp_path):
    study = _tiny_study()
    study.codebook["sets"] = ["Themes; Pilot", None]
    book = read_qdc(write_qdc(study.codebook, tmp_path / "c.qdc"))
    assert book.set_index("code")["sets"].to_dict() == {"embedded_pd": "Pilot; Themes",
                                                        "glow": None}
    again = read_qdpx(write_qdpx(study, tmp_path / "s.qdpx"))
    assert again.codebook.set_index("code")["sets"].to_dict() == {"embedded_pd": "Pilot; Themes",
                                                                  "glow": None}
    assert again.documents.set_index("doc_id").loc["d1", "sets"] == "Interviews"


def test_exactly_repeated_codings_are_merged_with_a_warning(tmp_path):
    path = _unit_project(tmp_path, "Hello world.", [(0, 5), (0, 5)], "qc 1.3.2")
    with pytest.warns(PlcaseWarning, match="1 coding"):
        study = read_qdpx(path)
    assert len(study.codings) == 1
