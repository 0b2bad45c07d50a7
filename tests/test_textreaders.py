"""Text readers on real files and on hand-made bad ones: captions, Word, speaker labels, encodings.

The real files are read from ``../shared/real-exports/`` beside the project (never copied
into it).  Expected values come from independent parses written here with the standard
library (a simple cue splitter, ``zipfile`` + ``xml.etree`` for Word), never from plcase.
"""

from __future__ import annotations

import html
import io
import re
import warnings
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plcase.errors import PlcaseInputError, PlcaseWarning
from plcase._files.text import decode_text
from plcase.io.captions import parse_captions, read_srt, read_vtt
from plcase.io.docx import read_docx, turns_frame
from plcase.io.transcript import parse_transcript, read_transcript, split_passages
from tests.conftest import FRONT

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "real-exports"
CAPTIONS = SHARED / "captions"
WORD = SHARED / "docx"

if not SHARED.is_dir():  # a user's clone without ../shared: say so once; CI always has it
    warnings.warn(f"{SHARED} is missing: the real-file tests in {__name__} will fail",
                  stacklevel=1)


def _offsets_hold(text, passages):
    for row in passages.itertuples():
        assert text[row.start:row.end] == row.text


# --------------------------------------------------------------------------- captions, real files

def _independent_cues(path: Path) -> list[list[str]]:
    """Each cue's text lines, by the simplest reading of the formats (not plcase's parser).

    A cue starts at a line containing '-->' and runs to a blank line or the next such
    line; in SubRip a line of digits right before a time line is the next cue's number.
    """
    data = path.read_bytes()
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                          (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            text = data[len(bom):].decode(encoding)
            break
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
    lines = text.replace("\r\n", "\n").split("\n")
    cues, current = [], None
    for k, line in enumerate(lines):
        if "-->" in line:
            if current is not None and current and current[-1].strip().isdigit():
                current.pop()
            current = []
            cues.append(current)
        elif not line.strip():
            current = None
        elif current is not None:
            current.append(line)
    return cues


def _clean(line: str) -> str:
    line = re.sub(r"\{\\[^}]*\}", "", re.sub(r"<[^>]*>", "", line))
    return " ".join(html.unescape(line).replace("\xa0", " ").split())


def _cue_texts(path: Path, zoom_prefixes: bool = False) -> list[str]:
    texts = []
    for cue in _independent_cues(path):
        words = " ".join(_clean(line) for line in cue).strip()
        if zoom_prefixes:
            words = re.sub(r"^[^:]{1,40}: ", "", words)
        if words:
            texts.append(words)
    return texts


def _read_captions(path: Path):
    reader = read_vtt if path.suffix == ".vtt" else read_srt
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlcaseWarning)  # cp1252, overlaps: tested on their own
        return reader(path)


CAPTION_FILES = sorted(p.name for p in CAPTIONS.glob("*.*t"))


def test_every_caption_file_is_checked():
    assert len(CAPTION_FILES) == 20


@pytest.mark.parametrize("name", CAPTION_FILES)
def test_captions_keep_every_word_and_no_timing_text(name):
    path = CAPTIONS / name
    zoom = name.startswith(("zoomGroupStats", "Teams2AtlasTI_zoom"))
    doc = _read_captions(path)
    expected = _cue_texts(path, zoom_prefixes=zoom)
    assert expected, "the independent parse found no cues"
    _offsets_hold(doc.text, doc.passages)
    spoken = " ".join(doc.passages["text"])
    # Every word of every cue, in order, and nothing else (no cue numbers, no times).
    assert spoken.split() == " ".join(expected).split()
    assert "-->" not in doc.text
    assert not re.search(r"\d\d:\d\d[.,]\d\d\d", spoken)
    assert doc.passages["text"].iloc[0].startswith(expected[0])
    assert doc.passages["text"].iloc[-1].endswith(expected[-1])


@pytest.mark.parametrize("name", ["zoomGroupStats_meeting001_transcript.vtt",
                                  "Teams2AtlasTI_zoom_transcript.vtt"])
def test_zoom_name_prefixes_are_speakers(name):
    path = CAPTIONS / name
    doc = _read_captions(path)
    # Independent: the "Name: " before each cue's text, runs of one speaker are one turn.
    # Two cues of this meeting have no name ("And that", "Yes. Okay."): no speaker.
    prefixes = [(re.match(r"^([^:]{1,40}): ", " ".join(c)) or [None, None])[1]
                for c in _independent_cues(path) if c]
    assert prefixes.count(None) == 2
    runs = [p for k, p in enumerate(prefixes) if k == 0 or prefixes[k - 1] != p]
    assert doc.passages["speaker"].tolist() == runs
    # Ringo Starr speaks once and is still a speaker.
    assert set(runs) - {None} == {"Andrew Knight", "Paul McCartney", "John Lennon",
                                  "George Harrison", "Ringo Starr"}
    assert not doc.passages["text"].str.contains("Paul McCartney:").any()


def test_teams_voice_tags_are_speakers():
    path = CAPTIONS / "Teams2AtlasTI_teams_transcript.vtt"
    doc = _read_captions(path)
    voices = [re.search(r"<v ([^>]+)>", " ".join(c)).group(1) for c in _independent_cues(path)]
    runs = [v for k, v in enumerate(voices) if k == 0 or voices[k - 1] != v]
    assert doc.passages["speaker"].tolist() == runs
    assert set(runs) == {"Speaker, First (Student)", "Interviewer, First"}


@pytest.mark.parametrize("name", ["pysrt_utf-8.srt", "pysrt_windows-1252.srt",
                                  "webvtt-py_netflix_chicas_del_cable.vtt",
                                  "pysrt_capability_tester.srt", "webvtt-py_comments.vtt"])
def test_subtitle_sentences_with_a_colon_are_not_speakers(name):
    doc = _read_captions(CAPTIONS / name)
    assert doc.passages["speaker"].isna().all()
    if name.startswith("pysrt_utf"):
        assert "Règle numéro un:" in doc.text and "J'ai dit:" in doc.text
    if "netflix" in name:
        assert "Digo:" in doc.text


def test_utf16_captions_of_both_byte_orders_read_like_utf8():
    texts = {name: _read_captions(CAPTIONS / name).text
             for name in ("pysrt_bom-utf-8.srt", "pysrt_bom-utf-16-le.srt",
                          "pysrt_bom-utf-16-be.srt", "pysrt_no-indexes.srt")}
    assert len(set(texts.values())) == 1
    assert "About 2 months ago I found myself on" in texts["pysrt_bom-utf-16-be.srt"]


def test_youtube_dl_cue_times_after_text_start_new_cues():
    doc = _read_captions(CAPTIONS / "webvtt-py_youtube_dl.vtt")
    assert "00:05:04" not in doc.passages["text"].iloc[0]
    assert doc.passages["timestamp"].iloc[0] == "00:04:46"


def test_overlapping_real_cues_warn_naming_the_line():
    path = CAPTIONS / "Teams2AtlasTI_teams_transcript.vtt"
    lines = path.read_text(encoding="utf-8").splitlines()
    # Independent: the first time line whose start is before the previous cue's end.
    times = [(n, line.split(" --> ")) for n, line in enumerate(lines, start=1) if "-->" in line]
    first = next(n for (_, (_, end)), (n, (start, _)) in zip(times, times[1:]) if start < end)
    with pytest.warns(PlcaseWarning, match=rf"teams_transcript.vtt:{first}: .* start before"):
        read_vtt(path)


# --------------------------------------------------------------------------- captions, hand-made

def test_a_cue_right_after_the_webvtt_line_is_kept():
    text, passages = parse_captions("WEBVTT\n00:00:01.000 --> 00:00:02.000\nFirst words.\n\n"
                                    "00:00:03.000 --> 00:00:04.000\nSecond.\n", "d")
    assert " ".join(passages["text"]) == "First words. Second."


def test_a_time_line_after_cue_text_starts_a_new_cue():
    raw = ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nANA: one\n"
           "00:00:05.000 --> 00:00:06.000\nBEN: two\n")
    text, passages = parse_captions(raw, "d")
    assert passages[["speaker", "text", "timestamp", "end_timestamp"]].values.tolist() == [
        ["ANA", "one", "00:00:01", "00:00:02"], ["BEN", "two", "00:00:05", "00:00:06"]]


def test_srt_cues_without_blank_lines_are_split():
    raw = ("1\n00:00:01,000 --> 00:00:02,000\nANA: Hello.\n"
           "2\n00:00:03,000 --> 00:00:04,000\nBEN: World.\n")
    text, passages = parse_captions(raw, "d", kind="srt")
    assert passages[["speaker", "text", "timestamp"]].values.tolist() == [
        ["ANA", "Hello.", "00:00:01"], ["BEN", "World.", "00:00:03"]]


@pytest.mark.parametrize("data, kind, message", [
    (b"", ".srt", "empty"),
    (b"\n \n", ".vtt", "empty"),
    (bytes(range(256)) * 4, ".srt", "neither UTF-8 nor Windows-1252"),
    (bytes(range(160, 256)) * 4, ".srt", "without a 'start --> end' time line"),
    (b"WEBVTT\n\nNOTE only a note\n", ".vtt", "no captions found"),
    (b"just some words\n", ".srt", "without a 'start --> end' time line"),
    (b"WEBVTT\n\nstray words\nmore\n", ".vtt", "without a 'start --> end' time line"),
])
def test_caption_files_without_captions_are_errors(tmp_path, data, kind, message):
    path = tmp_path / f"bad{kind}"
    path.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlcaseWarning)
        with pytest.raises(PlcaseInputError, match=rf"bad\{kind}(:\d+)?: .*({message})"):
            (read_vtt if kind == ".vtt" else read_srt)(path)


def test_negative_durations_and_overlaps_warn_naming_the_line():
    raw = ("WEBVTT\n\n00:00:05.000 --> 00:00:04.000\nA: backwards\n\n"
           "00:00:06.000 --> 00:00:09.000\nA: fine\n\n"
           "00:00:08.000 --> 00:00:10.000\nA: overlaps\n")
    with pytest.warns(PlcaseWarning) as record:
        parse_captions(raw, "d", path="z.vtt")
    messages = [str(w.message) for w in record]
    assert any(m.startswith("z.vtt:3: 1 cue(s) end before they start") for m in messages)
    assert any(m.startswith("z.vtt:9: 1 cue(s) start before") for m in messages)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_captions_with_or_without_bom(tmp_path, encoding):
    raw = "1\r\n00:00:01,000 --> 00:00:02,000\r\nJOSÉ: Olá, café.\r\n"
    path = tmp_path / "u.srt"
    path.write_bytes(raw.encode(encoding))
    doc = read_srt(path)
    assert doc.passages[["speaker", "text"]].values.tolist() == [["JOSÉ", "Olá, café."]]


_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzáéñüß", min_size=1, max_size=8)
_CUES = st.lists(st.tuples(st.sampled_from(["ANA", "BEN", "NÚÑEZ-PEÑA", None]),
                           st.lists(_WORDS, min_size=1, max_size=5), st.booleans()),
                 min_size=1, max_size=10)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(cues=_CUES, kind=st.sampled_from(["vtt", "srt"]), numbered=st.booleans(),
       header_blank=st.booleans())
def test_generated_captions_keep_every_word_and_speaker(cues, kind, numbered, header_blank):
    # Cues with or without numbers, with or without blank lines between them.
    sep = "," if kind == "srt" else "."
    lines = ["WEBVTT"] + ([""] if header_blank else []) if kind == "vtt" else []
    blank_before = kind == "srt" or header_blank
    for k, (speaker, words, blank_after) in enumerate(cues, start=1):
        if numbered and (kind == "srt" or blank_before):
            lines.append(str(k))
        lines.append(f"00:00:{2 * k:02d}{sep}000 --> 00:00:{2 * k + 1:02d}{sep}500")
        lines.append((f"{speaker}: " if speaker else "") + " ".join(words))
        if blank_after:
            lines.append("")
        blank_before = blank_after
    raw = "\n".join(lines)
    text, passages = parse_captions(raw, "d", kind=kind)
    runs = []  # consecutive cues of one speaker are one turn
    for k, (speaker, words, _) in enumerate(cues, start=1):
        if runs and runs[-1][0] == speaker:
            runs[-1][1].extend(words)
            runs[-1][3] = k
        else:
            runs.append([speaker, list(words), k, k])
    assert passages["speaker"].tolist() == [r[0] for r in runs]
    assert passages["text"].tolist() == [" ".join(r[1]) for r in runs]
    assert passages["timestamp"].tolist() == [f"00:00:{2 * r[2]:02d}" for r in runs]
    assert passages["end_timestamp"].tolist() == [f"00:00:{2 * r[3] + 1:02d}" for r in runs]
    _offsets_hold(text, passages)


# --------------------------------------------------------------------------- Word, real files

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _independent_paragraphs(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read("word/document.xml"))
    return ["".join(t.text or "" for t in p.iter(f"{_W}t")) for p in root.iter(f"{_W}p")]


def _norm(text: str) -> str:
    return " ".join(text.split())


WORD_FILES = {  # file: (speakers, labelled turn paragraphs are passages of their own)
    "sheffield_Ana.docx": {"Researcher 1", "Ana"},
    "sheffield_David.docx": {"Researcher 1", "David"},
    "sheffield_Readme-Interviews.docx": set(),
    "QualCoder_ID1.docx": set(),
    "QualCoder_special.chars.docx": set(),
    "QualCoder_test_file.docx": set(),
    "ponte_workshop_prep.docx": set(),
}


def test_every_word_file_is_checked():
    assert sorted(p.name for p in WORD.glob("*.docx")) == sorted(WORD_FILES)


@pytest.mark.parametrize("name", sorted(WORD_FILES))
def test_word_files_keep_every_paragraph_with_the_right_speakers(name):
    path = WORD / name
    doc = read_docx(path)
    paragraphs = [p for p in _independent_paragraphs(path) if p.strip()]
    _offsets_hold(doc.text, doc.passages)
    body = _norm(doc.text)
    for paragraph in paragraphs:  # nothing dropped
        assert _norm(paragraph) in body
    speakers = WORD_FILES[name]
    assert set(doc.passages["speaker"].dropna()) == speakers
    if speakers:
        labelled = [p for p in paragraphs if re.match(rf"^({'|'.join(speakers)}):\s", p)]
        turns = doc.passages[doc.passages["speaker"].notna()]
        assert len(turns) == len(labelled)
        assert turns["speaker"].tolist() == [p.split(":")[0] for p in labelled]
        assert not turns["text"].str.match(r"^(Researcher 1|Ana|David):").any()
    else:  # notes and test files: one passage per paragraph, labels stay in the text
        assert len(doc.passages) == len(paragraphs)
        assert doc.passages["text"].map(_norm).tolist() == [_norm(p) for p in paragraphs]


# --------------------------------------------------------------------------- Word, tables

def _docx(tmp_path, build, name="t.docx"):
    import docx

    document = docx.Document()
    build(document)
    path = tmp_path / name
    document.save(path)
    return path


def _table(document, rows):
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    return table


def test_speaker_text_table_with_header_becomes_turns_in_document_order(tmp_path):
    def build(d):
        d.add_paragraph("Interview with Ana, 3 May.")
        _table(d, [["Speaker", "Text"], ["Interviewer", "How did it start?"],
                   ["Ana", "With a grant."], ["", "And a lot of meetings."],
                   ["Interviewer", "Thanks."]])
        d.add_paragraph("End of recording.")

    doc = read_docx(_docx(tmp_path, build))
    assert doc.passages[["speaker", "text"]].values.tolist() == [
        [None, "Interview with Ana, 3 May."], ["Interviewer", "How did it start?"],
        ["Ana", "With a grant.\nAnd a lot of meetings."], ["Interviewer", "Thanks."],
        [None, "End of recording."]]
    assert "Speaker" not in doc.text.split("\n")[1]  # the header row is not text
    _offsets_hold(doc.text, doc.passages)


def test_time_speaker_text_table_without_header_keeps_times(tmp_path):
    def build(d):
        _table(d, [["00:00:05", "Interviewer", "Ready?"], ["00:00:07", "Ana", "Yes."],
                   ["00:01:10", "Interviewer", "Good."]])

    doc = read_docx(_docx(tmp_path, build))
    assert doc.passages[["timestamp", "speaker", "text"]].values.tolist() == [
        ["00:00:05", "Interviewer", "Ready?"], ["00:00:07", "Ana", "Yes."],
        ["00:01:10", "Interviewer", "Good."]]


def test_metadata_table_then_turn_table(tmp_path):
    def build(d):
        _table(d, [["id", "X-1"], ["school", "Oak"], ["participant", "Ana"]])
        _table(d, [["Interviewer", "Why?"], ["Ana", "Because."], ["Interviewer", "Ok."]])

    doc = read_docx(_docx(tmp_path, build))
    assert (doc.meta["doc_id"], doc.meta["school"]) == ("X-1", "Oak")
    assert doc.passages["speaker"].tolist() == ["Interviewer", "Ana", "Interviewer"]


def test_one_column_table_gives_paragraphs(tmp_path):
    doc = read_docx(_docx(tmp_path, lambda d: _table(d, [["First note."], ["Second note."]])))
    assert doc.passages["text"].tolist() == ["First note.", "Second note."]


@pytest.mark.parametrize("rows, where", [
    ([["a", "b", "c", "d"], ["e", "f", "g", "h"]], "table 1 has 4 columns"),
    ([["Ana", "x", "y"], ["Ben", "z", "w"]], "table 1 has 3 columns"),
    ([["Time", "Speaker", "Text"], ["soon", "Ana", "Hi."]], "table 1, row 2: 'soon'"),
    ([["Field", "Value"], ["school", "Oak"], ["School", "Elm"]],
     "table 1, row 3: field 'School' given twice"),
    ([["Field", "Value"], ["school", "Oak"], ["", "Elm"]], "table 1, row 3: a value"),
])
def test_tables_that_would_lose_text_are_errors(tmp_path, rows, where):
    path = _docx(tmp_path, lambda d: _table(d, rows))
    with pytest.raises(PlcaseInputError, match=rf"t.docx: {where}"):
        read_docx(path)


_CELLS = st.one_of(st.just(""), st.sampled_from(["00:00:05", "1:02", "Ana", "Interviewer",
                                                  "Field", "Value", "school", "Speaker"]),
                   st.text(alphabet="abcdefg ñ.", min_size=1, max_size=12))


@settings(max_examples=20, deadline=None, derandomize=True)
@given(rows=st.integers(1, 4).flatmap(
    lambda width: st.lists(st.lists(_CELLS, min_size=width, max_size=width),
                           min_size=1, max_size=4)))
def test_generated_tables_are_read_whole_or_refused(tmp_path_factory, rows):
    path = _docx(tmp_path_factory.mktemp("d"), lambda d: _table(d, rows))
    try:
        doc = read_docx(path)
    except PlcaseInputError as exc:
        assert "t.docx" in str(exc)
        return
    _offsets_hold(doc.text, doc.passages)
    text = _norm(doc.text)
    values = {_norm(str(v)) for v in doc.meta.values()}
    header_words = {"field", "value", "speaker", "text", "time"}
    for row in rows:
        for cell in row:
            if cell.strip() and cell.strip().casefold() not in header_words:
                name = re.sub(r"\W+", "_", cell.strip().casefold()).strip("_")
                assert _norm(cell) in text or _norm(cell) in values or name in doc.meta


def _rezip(source: Path, target: Path, change) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
    return target


@pytest.mark.parametrize("kind", ["not a zip", "truncated", "no document.xml", "malformed xml",
                                  "no body", "wrong root", "no content types", "empty"])
def test_damaged_docx_is_a_plcase_error(tmp_path, kind):
    source = _docx(tmp_path, lambda d: d.add_paragraph("Ana: hello"), "good.docx")
    target = tmp_path / "bad.docx"
    data = source.read_bytes()
    empty_doc = (b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                 b'wordprocessingml/2006/main"/>')
    if kind == "not a zip":
        target.write_bytes(b"PK but not really")
    elif kind == "truncated":
        target.write_bytes(data[: len(data) // 2])
    elif kind == "empty":
        target.write_bytes(b"")
    else:
        change = {
            "no document.xml": lambda n, b: None if n == "word/document.xml" else b,
            "malformed xml": lambda n, b: b[:-20] if n == "word/document.xml" else b,
            "no body": lambda n, b: empty_doc if n == "word/document.xml" else b,
            "wrong root": lambda n, b: b"<foo/>" if n == "word/document.xml" else b,
            "no content types": lambda n, b: None if n == "[Content_Types].xml" else b,
        }[kind]
        _rezip(source, target, change)
    with pytest.raises(PlcaseInputError, match=r"bad.docx"):
        read_docx(target)


# --------------------------------------------------------------------------- speaker labels

NOTES = """---
id: V1
school: Test School
source: site_visit
role: observer
participant: R. Observer
coder: coder_a
---
Arrived 7:40; car line backed up.

ELA BLOCK: students rotate through three stations, {#glow}timer on the board{/#glow}.

Second grade room mostly whole-group.

Lunch at 11:35, counselor with five students.

Debrief with the coach at 2:10.
"""


def test_a_single_capitals_heading_does_not_turn_notes_into_speaker_turns():
    t = parse_transcript(NOTES)
    assert len(t.passages) == 5
    assert t.passages["speaker"].isna().all()
    assert t.passages["text"].iloc[1].startswith("ELA BLOCK: students rotate")
    row = t.codings.iloc[0]
    assert t.text[row.start:row.end] == "timer on the board"


def test_repeated_labels_in_notes_are_speakers():
    body = "Coach: We start.\nTeacher: Fine.\nCoach: Then groups.\nTeacher: Ok.\n"
    passages = split_passages(body, "V2", notes=True)
    assert passages["speaker"].tolist() == ["Coach", "Teacher", "Coach", "Teacher"]


def test_accented_capital_labels_are_speakers():
    body = ("INTERVIEWER: ¿Cómo empezó?\nNÚÑEZ-PEÑA: Con una beca.\nJOSÉ: Sí.\n"
            "MÜLLER: Ja.\nÉLODIE: Oui, {#glow}c'était bien{/#glow}.\n")
    t = parse_transcript(FRONT.format(id="T9") + body)
    assert t.passages["speaker"].tolist() == ["INTERVIEWER", "NÚÑEZ-PEÑA", "JOSÉ", "MÜLLER",
                                              "ÉLODIE"]
    assert not t.passages["text"].str.contains(":").any()
    row = t.codings.iloc[0]
    assert t.text[row.start:row.end] == "c'était bien"


@pytest.mark.parametrize("line", ["Règle numéro un: ne jamais mentir.", "J'ai dit: non.",
                                  "Digo: que no.", "And here is an ellipsis: …",
                                  "ORCiD ID: 0000-0002-3785-8057"])
def test_a_sentence_with_a_colon_is_not_a_speaker(line):
    text = f"Some opening words.\n{line}\nMore words.\nThe end."
    for passages in (turns_frame(text, "d"), split_passages(text.replace("\n", "\n\n"), "d")):
        assert passages["speaker"].isna().all()
        assert any(p.startswith(line) for p in passages["text"])


def test_titles_repeated_down_an_export_are_not_speakers():
    # As in NVivo's text of a video-comment table: each title line repeated per comment.
    lines = []
    for title in ("Koronavírus: egyszerre zajlik a védekezés", "Orbán Viktor: Lesz harmadik oltás"):
        for k in range(10):
            lines += [title, f"comment {k} on the video", "2021-07-16"]
    passages = turns_frame("\n".join(lines), "d")
    assert passages["speaker"].isna().all() and len(passages) == len(lines)


def test_a_label_used_once_is_a_speaker_when_the_metadata_names_it():
    text = "Interviewer asked about the year.\nAna: It went well.\nThen we left."
    assert turns_frame(text, "d")["speaker"].isna().all()
    named = turns_frame(text, "d", names=["Ana Lima"])
    assert named["speaker"].tolist() == [None, "Ana"]  # the next paragraph continues her turn


def test_transcript_front_matter_names_are_speakers():
    front = FRONT.format(id="T8").replace("participant: Ms. Test", "participant: Ana Lima")
    t = parse_transcript(front + "Some notes first.\n\nAna: It went well.\n")
    assert t.passages["speaker"].tolist() == [None, "Ana"]


# --------------------------------------------------------------------------- encodings

CODED = FRONT.format(id="E1") + "INTERVIEWER: Why?\nMS. TEST: {#glow}It works, café.{/#glow}\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_utf16_transcripts_read_like_utf8(tmp_path, encoding):
    path = tmp_path / "E1.txt"
    path.write_bytes(CODED.replace("\n", "\r\n").encode(encoding))
    t = read_transcript(path)
    reference = parse_transcript(CODED)
    assert t.text == reference.text
    row = t.codings.iloc[0]
    assert t.text[row.start:row.end] == "It works, café."


def test_damaged_utf16_is_named(tmp_path):
    path = tmp_path / "E1.txt"
    path.write_bytes(b"\xff\xfe" + CODED.encode("utf-16-le") + b"\x00")  # odd length
    with pytest.raises(PlcaseInputError, match=r"E1.txt:\d+: this file is UTF-16"):
        read_transcript(path)


def test_nul_bytes_are_removed_with_a_warning_and_codings_stay_on_their_words(tmp_path):
    path = tmp_path / "E1.txt"
    path.write_bytes(CODED.replace("It works", "It\x00 wo\x00rks").encode("utf-8"))
    with pytest.warns(PlcaseWarning, match=r"E1.txt:12: 2 NUL character\(s\) removed"):
        t = read_transcript(path)
    assert "\x00" not in t.text
    row = t.codings.iloc[0]
    assert t.text[row.start:row.end] == "It works, café."


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_survey_csv_reads_like_utf8(tmp_path, encoding):
    from plcase.io.responses import read_responses

    source = Path(__file__).parent / "data" / "survey" / "student_survey.csv"
    copy = tmp_path / "survey.csv"
    copy.write_bytes(source.read_text(encoding="utf-8-sig").encode(encoding))
    args = dict(text=["q_like", "q_change"], id="student_id", meta=["school", "grade"])
    assert read_responses(copy, **args).texts == read_responses(source, **args).texts


@settings(max_examples=100, deadline=None, derandomize=True)
@given(words=st.lists(_WORDS, min_size=3, max_size=12), data=st.data(),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"]))
def test_generated_transcripts_keep_codings_on_their_words(tmp_path_factory, words, data,
                                                           encoding):
    i = data.draw(st.integers(0, len(words) - 1))
    j = data.draw(st.integers(i + 1, len(words)))
    body = ("INTERVIEWER: Why?\nMS. TEST: " + " ".join(words[:i])
            + " {#glow}" + " ".join(words[i:j]) + "{/#glow} " + " ".join(words[j:]) + "\n")
    # NUL characters anywhere in the body, tags and labels too: removed before the tags are
    # read, so the codings stay on their words.
    for n in sorted(data.draw(st.lists(st.integers(0, len(body)), max_size=3)), reverse=True):
        body = body[:n] + "\x00" + body[n:]
    path = tmp_path_factory.mktemp("t") / "G1.txt"
    path.write_bytes((FRONT.format(id="G1") + body).encode(encoding))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlcaseWarning)
        t = read_transcript(path)
    assert "\x00" not in t.text
    row = t.codings.iloc[0]
    assert t.text[row.start:row.end] == " ".join(words[i:j])


def test_decode_text_does_not_take_cp1252_for_utf16():
    data = "Olá ünïcode".encode("cp1252")
    with pytest.warns(PlcaseWarning, match="Windows-1252"):
        assert decode_text(data, "x.txt") == "Olá ünïcode"


# --------------------------------------------------------------------------- code tags

def test_closing_tag_without_hash_is_reported_at_the_tag():
    body = "INTERVIEWER: Why?\nMS. TEST: {#collaboration}We plan\ntogether.{/collaboration}\n"
    with pytest.raises(PlcaseInputError,
                       match=r"<text>:13: code tag '\{/collaboration\}' lacks its '#'"):
        parse_transcript(FRONT.format(id="T7") + body)
