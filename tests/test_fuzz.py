"""Property-based tests of every reader: generated valid files read back exactly; mutated
files end in a result or a plcase error, never another exception, and never slowly.

The number of examples per test comes from the environment: by default a small,
derandomized (seeded) run for ``make test``; ``PLCASE_FUZZ=ci`` (``make fuzz``)
runs at least 1,000 examples per reader.
"""

from __future__ import annotations

import io
import os
import shutil
import warnings
import zipfile
from datetime import timedelta
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import plcase
from plcase import config
from plcase.codebook import read_codebook
from plcase.errors import PlcaseError
from plcase.io import read_study
from plcase.io.captions import read_srt, read_vtt
from plcase.io.docx import read_docx
from plcase.io.qdpx import read_qdc, read_qdpx, write_qdc, write_qdpx
from plcase.io.responses import _word_counts, read_responses
from plcase.io.standoff import read_codings_csv
from plcase.io.transcript import read_transcript
from plcase.segment import word_count

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "real-exports"

_CI = os.environ.get("PLCASE_FUZZ", "") == "ci"
#: Examples per reader: a seeded few hundred for `make test`, 1,000+ for `make fuzz`.
EXAMPLES = int(os.environ.get("PLCASE_FUZZ_EXAMPLES", 1000 if _CI else 150))
FUZZ = settings(max_examples=EXAMPLES, derandomize=not _CI, deadline=timedelta(seconds=5),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture,
                                       HealthCheck.filter_too_much],
                database=None, print_blob=True)
VALID = settings(FUZZ, max_examples=max(EXAMPLES // 3, 30))


# --------------------------------------------------------------------------- mutations

TOKENS = ["{#glow}", "{/#glow}", "{#", "{/#", "}", "---", "\n---\n", "id: x", ": ", "&a ", "*a",
          "<<: *a", "- ", "WEBVTT", "\n\n", "00:00:01.000 --> 00:00:02.000", "-->", "<v Ana>",
          "</v>", "1\n", '"', '""', ",", "\t", "\r", "\r\n", "<?xml version='1.0'?>",
          "<!DOCTYPE a [<!ENTITY e 'x'>]>", "&e;", "<a>", "</a>", "<w:t>", "]]>",
          "\U0001F600", "\U0001D11E", "e\u0301", "\u0301", "\u202e", "\u05e9\u05dc\u05d5\u05dd",
          "\u0627\u0644", "\x00", "\ufeff", "\ufffd", "\u2028", "\x85", "\udcff"]


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """``data`` after 1-4 mutations: byte flips, cuts, line shuffles, inserted tokens."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "cut", "shuffle", "insert", "delete", "duplicate"]))
        if not out:
            out += draw(st.binary(max_size=20))
            continue
        at = draw(st.integers(0, len(out) - 1))
        if kind == "flip":
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "cut":
            del out[at:]
        elif kind == "shuffle":
            lines = bytes(out).split(b"\n")
            order = draw(st.permutations(range(len(lines)))) if len(lines) < 60 else \
                np.random.default_rng(at).permutation(len(lines)).tolist()
            out = bytearray(b"\n".join(lines[i] for i in order))
        elif kind == "insert":
            token = draw(st.sampled_from(TOKENS)).encode("utf-8", errors="surrogatepass")
            out[at:at] = token
        elif kind == "delete":
            del out[at:at + draw(st.integers(1, 40))]
        else:
            out[at:at] = out[at:at + draw(st.integers(1, 80))]
    return bytes(out)


def ends_well(call, *args, **kwargs):
    """Run a reader: a result or a plcase error are fine; any other exception fails."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return call(*args, **kwargs)
        except PlcaseError:
            return None


def rezip(data: bytes, member: str, mutate) -> bytes:
    """A copy of a zip archive with one member's bytes replaced by ``mutate(bytes)``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == member:
                content = mutate(content)
            target.writestr(info.filename, content)
    return out.getvalue()


def _seeds(*paths: Path) -> list[bytes]:
    return [p.read_bytes() for p in paths if p.is_file()]


TRANSCRIPT_SEEDS = _seeds(*(sorted(config.SAMPLE_DIR.glob("*.txt"))[:4]))
CAPTION_SEEDS = _seeds(DATA / "byod" / "GO-Z1.vtt", DATA / "byod" / "RR-Z2.srt",
                       *sorted((SHARED / "captions").glob("*"))[:8])
SURVEY_SEEDS = _seeds(DATA / "survey" / "student_survey.csv",
                      SHARED / "survey" / "QualCoder_survey.csv")
CODEBOOK_SEED = (config.SAMPLE_DIR / "codebook.yml").read_bytes()
CODINGS_SEED = (config.SAMPLE_DIR / "codings.csv").read_bytes()
DOCX_SEEDS = _seeds(DATA / "byod" / "NE-T9.docx", SHARED / "docx" / "QualCoder_ID1.docx")
XLSX_SEEDS = _seeds(DATA / "survey" / "student_survey.xlsx",
                    SHARED / "survey" / "QualCoder_survey789.xlsx")
QDPX_SEEDS = _seeds(DATA / "refi" / "refi_project.qdpx", DATA / "refi" / "refi_atlas.qdpx")
QDC_SEED = (DATA / "refi" / "refi_codebook.qdc").read_bytes()


@pytest.fixture(scope="module")
def sample_texts():
    return dict(plcase.read_sample().texts)


# --------------------------------------------------------------------------- generated valid files

WORD = st.text(alphabet=st.characters(codec="utf-8", categories=["Lu", "Ll", "Lo", "Nd", "Mn"],
                                      exclude_characters="{}#"),
               min_size=1, max_size=8).filter(lambda w: w[0].isalpha() and w[0].islower())
CODES = ["glow", "grow", "embedded_pd"]


@st.composite
def coded_lines(draw):
    """Speaker lines of words, some word spans tagged; returns (lines, expected codings)."""
    lines, expected = [], []
    for n in range(draw(st.integers(1, 6))):
        words = draw(st.lists(WORD, min_size=1, max_size=10))
        spans = draw(st.lists(st.tuples(st.integers(0, len(words) - 1),
                                        st.integers(0, len(words) - 1), st.sampled_from(CODES)),
                              max_size=3))
        opens: dict[int, list[str]] = {}
        closes: dict[int, list[str]] = {}
        used = set()
        for a, b, code in spans:
            a, b = min(a, b), max(a, b)
            if code in used:
                continue  # one span per code per line keeps nesting well-formed
            used.add(code)
            opens.setdefault(a, []).append(code)
            closes.setdefault(b, []).insert(0, code)
            expected.append((code, " ".join(words[a:b + 1])))
        body = " ".join("".join(f"{{#{c}}}" for c in opens.get(i, [])) + word +
                        "".join(f"{{/#{c}}}" for c in closes.get(i, []))
                        for i, word in enumerate(words))
        lines.append(f"{'INTERVIEWER' if n % 2 else 'TEACHER'}: {body}")
    return lines, expected


def transcript(doc_id: str, lines: list[str]) -> str:
    return (f"---\nid: {doc_id}\nschool: S\nsource: interview\nrole: teacher\nparticipant: P\n"
            f"coder: c\n---\n" + "\n".join(lines) + "\n")


def _codebook_frame():
    return plcase.codebook.codebook_frame([{"code": c} for c in CODES])


def _coded(codings, texts) -> list[tuple[str, str]]:
    return sorted((row.code, texts[row.doc_id][row.start:row.end])
                  for row in codings.itertuples())


@VALID
@given(coded_lines())
def test_generated_transcripts_keep_every_coding_on_its_words(tmp_path_factory, case):
    lines, expected = case
    path = tmp_path_factory.mktemp("t") / "T1.txt"
    path.write_text(transcript("T1", lines), encoding="utf-8")
    t = read_transcript(path, _codebook_frame())
    assert _coded(t.codings, {"T1": t.text}) == sorted(expected)


@VALID
@given(coded_lines(), coded_lines())
def test_generated_study_folders_keep_every_coding(tmp_path_factory, one, two):
    folder = tmp_path_factory.mktemp("study")
    (folder / "codebook.yml").write_text(
        "codes:\n" + "".join(f"  - code: {c}\n" for c in CODES), encoding="utf-8")
    (folder / "A.txt").write_text(transcript("A", one[0]), encoding="utf-8")
    (folder / "B.txt").write_text(transcript("B", two[0]), encoding="utf-8")
    study = read_study(folder)
    assert _coded(study.codings, study.texts) == sorted(one[1] + two[1])
    assert (study.codings["text"] == [study.texts[d][s:e] for d, s, e in
                                      zip(study.codings.doc_id, study.codings.start,
                                          study.codings.end)]).all()


@VALID
@given(st.lists(st.tuples(st.integers(0, 200), st.integers(1, 60), st.sampled_from(CODES),
                          st.sampled_from(["ana", "ben"]),
                          # a bare CR is a line end in plcase's text files: pandas leaves it
                          # unquoted, so memos here do without it
                          st.one_of(st.none(), st.text(st.characters(exclude_characters="\r",
                                                                     exclude_categories=["Cs"]),
                                                       max_size=20))),
                min_size=1, max_size=20,
                unique_by=lambda r: r[:4]))
def test_generated_codings_csv_reads_back_every_row(tmp_path_factory, rows):
    text = "Our Wednesday sessions changed how I plan. " * 6
    frame = pd.DataFrame([{"doc_id": "d1", "start": s, "end": min(s + n, len(text)), "code": c,
                           "coder": who, "memo": memo} for s, n, c, who, memo in rows
                          if s < len(text)])
    frame = frame.drop_duplicates(["doc_id", "start", "end", "code", "coder"])
    path = tmp_path_factory.mktemp("c") / "codings.csv"
    frame.to_csv(path, index=False)
    read = read_codings_csv(path, {"d1": text}, set(CODES))
    assert read[["start", "end", "code", "coder"]].values.tolist() == \
        frame[["start", "end", "code", "coder"]].values.tolist()


@VALID
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]),
                        min_size=1, max_size=20).map(str.strip).filter(bool),
                min_size=1, max_size=12, unique=True), st.data())
def test_generated_codebooks_read_back(tmp_path_factory, codes, data):
    parents = [data.draw(st.sampled_from([None] + codes[:i])) for i in range(len(codes))]
    lines = ["codes:"]
    for code, parent in zip(codes, parents):
        lines.append(f"  - code: {_yaml_quote(code)}")
        if parent is not None:
            lines.append(f"    parent: {_yaml_quote(parent)}")
    path = tmp_path_factory.mktemp("cb") / "codebook.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = read_codebook(path)
    assert frame["code"].tolist() == codes
    assert frame["parent"].tolist() == parents


def _yaml_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


ANSWER = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"],
                                        exclude_characters="\x00"), max_size=60)


@VALID
@given(st.lists(st.tuples(ANSWER, ANSWER, ANSWER), min_size=1, max_size=15))
def test_generated_survey_csv_keeps_every_answer(tmp_path_factory, rows):
    frame = pd.DataFrame([{"id": f"R{i}", "school": s, "q1": a, "q2": b}
                          for i, (s, a, b) in enumerate(rows)])
    path = tmp_path_factory.mktemp("s") / "s.csv"
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\r\n")  # as Excel writes
    study = read_responses(path, text=["q1", "q2"], id="id", meta=["school"])
    expected = [(f"R{i}", q, _clean(v)) for i, (_, a, b) in enumerate(rows)
                for q, v in (("q1", a), ("q2", b)) if _clean(v)]
    got = list(zip(study.passages.doc_id, study.passages.question, study.passages.text))
    assert got == expected
    for row in study.passages.itertuples():
        assert study.texts[row.doc_id][row.start:row.end] == row.text
    schools = dict(zip(study.documents.doc_id, study.documents.school))
    for i, (s, _, _) in enumerate(rows):
        if f"R{i}" in schools:
            assert schools[f"R{i}"] == (s if s != "" else None)


def _clean(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


XLSX_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]),
                    max_size=40).filter(lambda t: not t.startswith("="))


@VALID
@given(st.lists(st.tuples(XLSX_TEXT, XLSX_TEXT), min_size=1, max_size=10))
def test_generated_survey_xlsx_keeps_every_answer(tmp_path_factory, rows):
    book = openpyxl.Workbook()
    book.active.append(["id", "q1", "q2"])
    for i, (a, b) in enumerate(rows):
        book.active.append([f"R{i}", a or None, b or None])
    path = tmp_path_factory.mktemp("x") / "s.xlsx"
    book.save(path)
    study = read_responses(path, text=["q1", "q2"], id="id")
    expected = [(f"R{i}", q, _clean(v)) for i, (a, b) in enumerate(rows)
                for q, v in (("q1", a), ("q2", b)) if _clean(v)]
    assert list(zip(study.passages.doc_id, study.passages.question,
                    study.passages.text)) == expected


@VALID
@given(st.lists(st.lists(WORD, min_size=1, max_size=8), min_size=1, max_size=8),
       st.sampled_from(["vtt", "srt"]))
def test_generated_captions_keep_every_word(tmp_path_factory, cues, kind):
    blocks = []
    for n, words in enumerate(cues):
        start, end = f"00:00:{n * 2:02d}", f"00:00:{n * 2 + 1:02d}"
        if kind == "vtt":
            blocks.append(f"{start}.000 --> {end}.500\n<v Ana>{' '.join(words)}")
        else:
            blocks.append(f"{n + 1}\n{start},000 --> {end},500\nANA: {' '.join(words)}")
    raw = ("WEBVTT\n\n" if kind == "vtt" else "") + "\n\n".join(blocks) + "\n"
    path = tmp_path_factory.mktemp("z") / f"Z1.{kind}"
    path.write_text(raw, encoding="utf-8")
    doc = (read_vtt if kind == "vtt" else read_srt)(path)
    spoken = " ".join(doc.passages["text"]).split()
    assert spoken == [w for words in cues for w in words]


@VALID
@given(st.lists(st.lists(WORD, min_size=1, max_size=8), min_size=1, max_size=8))
def test_generated_docx_keeps_every_paragraph(tmp_path_factory, paragraphs):
    import docx

    document = docx.Document()
    for n, words in enumerate(paragraphs):
        # Labels in capitals are speakers by the speaker-label rule, however often they occur.
        document.add_paragraph(f"{'INTERVIEWER' if n % 2 else 'TEACHER'}: {' '.join(words)}")
    path = tmp_path_factory.mktemp("d") / "D1.docx"
    document.save(path)
    doc = read_docx(path)
    assert " ".join(doc.passages["text"]).split() == [w for ws in paragraphs for w in ws]
    assert doc.passages["speaker"].tolist()[:2] == ["TEACHER", "INTERVIEWER"][:len(paragraphs)]


@VALID
@given(coded_lines(), coded_lines())
def test_generated_projects_round_trip_through_qdpx_and_qdc(tmp_path_factory, one, two):
    folder = tmp_path_factory.mktemp("q")
    (folder / "codebook.yml").write_text(
        "codes:\n" + "".join(f"  - code: {c}\n" for c in CODES), encoding="utf-8")
    (folder / "A.txt").write_text(transcript("A", one[0]), encoding="utf-8")
    (folder / "B.txt").write_text(transcript("B", two[0]), encoding="utf-8")
    study = read_study(folder)
    back = read_qdpx(write_qdpx(study, folder / "p.qdpx"))
    assert _coded(back.codings, back.texts) == sorted(one[1] + two[1])
    codebook = read_qdc(write_qdc(study.codebook, folder / "c.qdc"))
    assert sorted(codebook["code"]) == sorted(CODES)


def test_word_counts_match_word_count_on_hard_text():
    texts = ["It's student-driven, mostly.", "", "a--b 3.5", "x\u0301y don\u2019t \ufe0fok",
             "\u05e9\u05dc\u05d5\u05dd-\u05e2\u05d5\u05dc\u05dd", "\U0001F600 ok\u200d", "-a-"]
    assert _word_counts(np.array(texts, dtype=object)).tolist() == [word_count(t) for t in texts]


@FUZZ
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]),
                        max_size=30), min_size=1, max_size=8))
def test_vectorised_word_counts_equal_word_count(texts):
    assert _word_counts(np.array(texts, dtype=object)).tolist() == [word_count(t) for t in texts]


# --------------------------------------------------------------------------- mutated files

def _write(tmp_path_factory, name: str, data: bytes) -> Path:
    path = tmp_path_factory.mktemp("m") / name
    path.write_bytes(data)
    return path


@FUZZ
@given(st.data())
def test_mutated_transcripts(tmp_path_factory, data):
    seed = data.draw(st.sampled_from(TRANSCRIPT_SEEDS))
    path = _write(tmp_path_factory, "T1.txt", data.draw(mutated(seed)))
    ends_well(read_transcript, path, plcase.read_codebook(config.SAMPLE_DIR / "codebook.yml"))


@FUZZ
@given(st.data())
def test_mutated_study_folders(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("study")
    for name in ("codebook.yml", "GO-T1.txt", "GO-A1.txt", "codings.csv"):
        shutil.copy(config.SAMPLE_DIR / name, folder / name)
    lines = (folder / "codings.csv").read_text(encoding="utf-8").splitlines()
    keep = [lines[0]] + [line for line in lines[1:] if line.startswith(("GO-T1,", "GO-A1,"))]
    (folder / "codings.csv").write_text("\n".join(keep) + "\n", encoding="utf-8")
    target = folder / data.draw(st.sampled_from(["codebook.yml", "GO-T1.txt", "codings.csv"]))
    target.write_bytes(data.draw(mutated(target.read_bytes())))
    ends_well(read_study, folder)
    ends_well(plcase.lint_study, folder)


@FUZZ
@given(st.data())
def test_mutated_codings_csv(tmp_path_factory, sample_texts, data):
    path = _write(tmp_path_factory, "codings.csv", data.draw(mutated(CODINGS_SEED)))
    ends_well(read_codings_csv, path, sample_texts)


@FUZZ
@given(st.data())
def test_mutated_codebooks(tmp_path_factory, data):
    path = _write(tmp_path_factory, "codebook.yml", data.draw(mutated(CODEBOOK_SEED)))
    ends_well(read_codebook, path)


@FUZZ
@given(st.data())
def test_mutated_captions(tmp_path_factory, data):
    seed = data.draw(st.sampled_from(CAPTION_SEEDS))
    kind = data.draw(st.sampled_from(["vtt", "srt"]))
    path = _write(tmp_path_factory, f"Z1.{kind}", data.draw(mutated(seed)))
    if data.draw(st.booleans()):
        sidecar = b"id: Z1\nschool: S\nsource: interview\nrole: teacher\ndate: 2020-10-05\n"
        path.with_suffix(".yml").write_bytes(data.draw(mutated(sidecar)))
    ends_well(read_vtt if kind == "vtt" else read_srt, path)


@FUZZ
@given(st.data())
def test_mutated_docx(tmp_path_factory, data):
    seed = data.draw(st.sampled_from(DOCX_SEEDS))
    if data.draw(st.booleans()):
        blob = rezip(seed, "word/document.xml", lambda b: data.draw(mutated(b)))
    else:
        blob = data.draw(mutated(seed))
    ends_well(read_docx, _write(tmp_path_factory, "D1.docx", blob))


@FUZZ
@given(st.data())
def test_mutated_survey_csv(tmp_path_factory, data):
    seed = data.draw(st.sampled_from(SURVEY_SEEDS))
    path = _write(tmp_path_factory, "s.csv", data.draw(mutated(seed)))
    header = seed.split(b"\n", 1)[0].decode("utf-8-sig").strip().split(",")
    ends_well(read_responses, path, text=header[-2:], id=header[0], meta=[header[1]])
    ends_well(read_responses, path, text=header[-1], per="question")


@FUZZ
@given(st.data())
def test_mutated_survey_xlsx(tmp_path_factory, data):
    seed = data.draw(st.sampled_from(XLSX_SEEDS))
    names = zipfile.ZipFile(io.BytesIO(seed)).namelist()
    how = data.draw(st.sampled_from(["bytes", "member"]))
    if how == "member":
        member = data.draw(st.sampled_from(names))
        blob = rezip(seed, member, lambda b: data.draw(mutated(b)))
    else:
        blob = data.draw(mutated(seed))
    path = _write(tmp_path_factory, "s.xlsx", blob)
    ends_well(read_responses, path, text=["q_like"], id="student_id")
    ends_well(read_responses, path, text=["q_like"], sheet="all")


@FUZZ
@given(st.data())
def test_mutated_qdpx(tmp_path_factory, data):
    seed = data.draw(st.sampled_from(QDPX_SEEDS))
    names = zipfile.ZipFile(io.BytesIO(seed)).namelist()
    member = data.draw(st.sampled_from(names))
    blob = rezip(seed, member, lambda b: data.draw(mutated(b)))
    ends_well(read_qdpx, _write(tmp_path_factory, "p.qdpx", blob))


@FUZZ
@given(st.data())
def test_mutated_qdc(tmp_path_factory, data):
    ends_well(read_qdc, _write(tmp_path_factory, "c.qdc", data.draw(mutated(QDC_SEED))))
