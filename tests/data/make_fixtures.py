"""Build the bring-your-own-data fixtures from readable sources.

Run from the repository root whenever a fixture needs to change::

    python tests/data/make_fixtures.py

The outputs are committed; the script writes the same bytes on every run
(fixed GUIDs, fixed zip timestamps), so a diff shows real changes only.

REFI-QDA fixtures (``tests/data/refi/``) are written by hand, not by plcase's
writer, following what the desktop tools emit: upper-case GUIDs (MAXQDA) and
braces, ``creatingUser``/``creationDateTime`` everywhere, ``plainTextPath``
with ``internal://``, sources saved with a UTF-8 BOM and Windows CRLF line
ends, a PDF and a picture source, named (NVivo) and unnamed (MAXQDA) cases,
a namespaced attribute, Notes.  Selection offsets are computed here from the
readable texts in ``refi_sources/`` in each tool's counting (NVivo: UTF-16
code units of the CRLF text, so an emoji counts twice; ATLAS.ti: code points
with CRLF as one), so the tests check plcase's reader against an independent
computation.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "refi_sources"
REFI = HERE / "refi"
BYOD = HERE / "byod"
SURVEY = HERE / "survey"
ZIP_TIME = (2019, 3, 18, 12, 0, 0)

NS = "urn:QDA-XML:project:1.0"
ANA = "5C94BC9E-DB8C-4F1D-9CD6-E900C7440860"
BEN = "{1E8B3A52-7F3C-4C8B-9E1A-0B6D2A4F9C11}"  # braces, as some tools write them
CODES = {  # guid: (name, parent guid or None, codable, colour, description)
    "A1000000-0000-4000-8000-000000000001": ("Themes", None, False, "#999999",
                                             "Top-level themes of the case study."),
    "A1000000-0000-4000-8000-000000000002": ("Shared culture", "A1000000-0000-4000-8000-000000000001",
                                             True, "#E69F00", "Failure treated as growth."),
    "A1000000-0000-4000-8000-000000000003": ("Embedded PD", "A1000000-0000-4000-8000-000000000001",
                                             True, "#56B4E9", "Professional learning in the week."),
    "A1000000-0000-4000-8000-000000000004": ("Coaching", "A1000000-0000-4000-8000-000000000003",
                                             True, "#009E73", None),
    "A1000000-0000-4000-8000-000000000005": ("Student driven", "A1000000-0000-4000-8000-000000000001",
                                             True, "#0072B2", None),
    "A1000000-0000-4000-8000-000000000006": ("Other", "A1000000-0000-4000-8000-000000000005",
                                             True, None, None),
    "A1000000-0000-4000-8000-000000000007": ("Glow", None, True, "#F0E442", "What works."),
    "A1000000-0000-4000-8000-000000000008": ("Grow", None, True, "#D55E00", "What to improve."),
    "A1000000-0000-4000-8000-000000000009": ("Other", "A1000000-0000-4000-8000-000000000008",
                                             True, None, None),
}
VARIABLES = {"B2000000-0000-4000-8000-000000000001": ("School", "Text"),
             "B2000000-0000-4000-8000-000000000002": ("Role", "Text"),
             "B2000000-0000-4000-8000-000000000003": ("Years teaching", "Integer"),
             "B2000000-0000-4000-8000-000000000004": ("Date", "Date")}
WHITFIELD = "C3000000-0000-4000-8000-000000000001"
FOCUS = "C3000000-0000-4000-8000-000000000002"
VISIT = "C3000000-0000-4000-8000-000000000003"
PDF = "C3000000-0000-4000-8000-000000000004"
PICTURE = "C3000000-0000-4000-8000-000000000005"

#: (source, quote, code guids, user, memo): what the coders highlighted.
SELECTIONS = [
    (WHITFIELD, "Our coach sits with the fourth-grade team and we pull apart one playlist together.",
     ["A1000000-0000-4000-8000-000000000003", "A1000000-0000-4000-8000-000000000004",
      "A1000000-0000-4000-8000-000000000007"], ANA, "Clear example of embedded PD."),
    (WHITFIELD, "Our coach sits with the fourth-grade team",
     ["A1000000-0000-4000-8000-000000000004"], BEN, None),
    (WHITFIELD, "Ms. Nguyễn's class started a \"fail forward\" wall — café-style sticky notes — and "
                "now students put their first attempts up there on purpose. 👍",
     ["A1000000-0000-4000-8000-000000000002", "A1000000-0000-4000-8000-000000000007"], ANA, None),
    (WHITFIELD, "Pacing in math is still hard. When thirty kids move at different speeds, by week "
                "three I have kids on lesson two and kids on lesson nine.",
     ["A1000000-0000-4000-8000-000000000005", "A1000000-0000-4000-8000-000000000008"], BEN, None),
    (FOCUS, "I like that I can go faster in reading.",
     ["A1000000-0000-4000-8000-000000000005", "A1000000-0000-4000-8000-000000000007"], ANA, None),
    (FOCUS, "My goal sheet helps me. I write my goal on Monday and on Friday I check it with "
            "Mr. Ito — 我们一起学习, like he says.",
     ["A1000000-0000-4000-8000-000000000005"], ANA, None),
    # Spans a line end, so CRLF counting matters for its end offset.
    (FOCUS, "I don't know what to pick first.\nSTUDENT 3: My goal sheet",
     ["A1000000-0000-4000-8000-000000000009"], BEN, None),
    (VISIT, "flop share", ["A1000000-0000-4000-8000-000000000002"], ANA, None),
    # Two line ends inside: NVivo and MAXQDA count each CRLF as two, ATLAS.ti as one.
    (WHITFIELD, "very traditional.\nINTERVIEWER: What changed when the school joined the cohort?"
                "\nWHITFIELD: Honestly",
     ["A1000000-0000-4000-8000-000000000006"], BEN, "Spans three lines."),
]


def main() -> None:
    for folder in (REFI, BYOD, SURVEY):
        folder.mkdir(exist_ok=True)
    texts = {WHITFIELD: (SOURCES / "whitfield.txt").read_text("utf-8"),
             FOCUS: (SOURCES / "okafor_focus.txt").read_text("utf-8"),
             VISIT: (SOURCES / "site_visit.txt").read_text("utf-8")}
    write_project(REFI / "refi_project.qdpx", texts, origin="NVivo 14.23.0 (Windows)", crlf_width=2,
                  utf16=True)
    write_project(REFI / "refi_atlas.qdpx", texts, origin="ATLAS.ti Windows 23.2.0", crlf_width=1)
    write_codebook(REFI / "refi_codebook.qdc")
    write_large_project(REFI / "refi_large_codebook.qdpx")
    write_docx_fixtures()
    write_caption_fixtures()
    write_survey_fixtures()


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def offsets(text: str, quote: str, crlf_width: int, utf16: bool = False) -> tuple[int, int]:
    """Start and end of ``quote`` in the tool's counting of the CRLF file."""
    if crlf_width == 2:
        raw, needle = crlf(text), crlf(quote)
    else:
        raw, needle = text, quote  # ATLAS.ti: CRLF counts as one, i.e. the LF text
    start = raw.index(needle)
    end = start + len(needle)
    if utf16:  # NVivo counts UTF-16 code units
        return (len(raw[:start].encode("utf-16-le")) // 2, len(raw[:end].encode("utf-16-le")) // 2)
    return start, end


def guid(n: int, kind: int = 0xD4) -> str:
    return f"{kind:02X}000000-0000-4000-8000-{n:012d}"


def write_project(target: Path, texts: dict, *, origin: str, crlf_width: int,
                  utf16: bool = False) -> None:
    users = "" if crlf_width == 1 else (  # ATLAS.ti fixture: no Users element at all
        f'<Users>\n<User guid="{ANA}" name="Ana Ruiz"/>\n<User guid="{BEN}" name="Ben Okafor"/>\n'
        f'</Users>\n')
    code_xml = codes_xml(CODES, attribute_prefix="qda:")
    variables = "".join(f'<Variable guid="{g}" name="{n}" typeOfVariable="{t}"><Description/>'
                        f'</Variable>\n' for g, (n, t) in VARIABLES.items())
    var = list(VARIABLES)
    cases = (
        f'<Case guid="{guid(1, 0xE5)}" name="Dana Whitfield">\n'
        f'<VariableValue><VariableRef targetGUID="{var[0]}"/><TextValue>Grand Oak Elementary'
        f'</TextValue></VariableValue>\n'
        f'<VariableValue><VariableRef targetGUID="{var[1]}"/><TextValue>teacher</TextValue>'
        f'</VariableValue>\n'
        f'<VariableValue><VariableRef targetGUID="{var[2]}"/><IntegerValue>6</IntegerValue>'
        f'</VariableValue>\n'
        f'<SourceRef targetGUID="{WHITFIELD}"/>\n</Case>\n'
        # MAXQDA and Quirkos: an unnamed case with one SourceRef carries document variables.
        f'<Case guid="{guid(2, 0xE5)}">\n'
        f'<VariableValue><VariableRef targetGUID="{var[0]}"/><TextValue>Grand Oak Elementary'
        f'</TextValue></VariableValue>\n'
        f'<VariableValue><VariableRef targetGUID="{var[1]}"/><TextValue>student</TextValue>'
        f'</VariableValue>\n'
        f'<SourceRef targetGUID="{FOCUS}"/>\n</Case>\n')
    files = {}
    sources = []
    stamp = "2019-06-07T03:36:36Z"
    for number, (source, text) in enumerate(texts.items(), start=1):
        name = {WHITFIELD: "GO-T7 Whitfield", FOCUS: "GO-S7 focus group", VISIT: "GO-V7 visit"}[source]
        selections = []
        for k, (where, quote, codes, user, memo) in enumerate(SELECTIONS, start=1):
            if where != source:
                continue
            start, end = offsets(text, quote, 1 if source == FOCUS else crlf_width, utf16)
            coding = "".join(
                f'<Coding guid="{guid(k * 10 + j, 0xF6)}"'
                + ("" if j == 0 and k == 1 else f' creatingUser="{user}"')
                + f' creationDateTime="{stamp}">'
                f'<CodeRef targetGUID="{"{" + c + "}" if j == 1 else c.lower() if j == 2 else c}"/>'
                f'</Coding>'
                for j, c in enumerate(codes))
            description = f"<Description>{memo}</Description>" if memo else "<Description/>"
            selections.append(
                f'<PlainTextSelection guid="{guid(k, 0xA7)}" name={quoteattr(quote[:30])} '
                f'startPosition="{start}" endPosition="{end}" creatingUser="{user}" '
                f'creationDateTime="{stamp}" modifyingUser="{user}" modifiedDateTime="{stamp}">'
                f'{description}{coding}</PlainTextSelection>\n')
        if source == FOCUS:
            # Inline text instead of a file (allowed by the schema).  XML parsers turn CRLF
            # into LF, so inline text and its offsets are LF-based in every tool.
            path_attr = ""
            inline = f"<PlainTextContent>{escape(text)}</PlainTextContent>\n"
        elif source == WHITFIELD:
            files[f"sources/{source}.txt"] = b"\xef\xbb\xbf" + crlf(text).encode("utf-8")
            path_attr = (f'richTextPath="internal://{source}.docx" '
                         f'plainTextPath="internal://{source}.txt"')
            files[f"sources/{source}.docx"] = b"PK\x05\x06" + b"\x00" * 18  # placeholder only
        else:
            files[f"sources/{source}.txt"] = crlf(text).encode("utf-8")
            path_attr = f'plainTextPath="internal://{source}.txt"'
        if source != FOCUS:
            inline = ""
        own_values = ""
        if source == VISIT:
            own_values = (f'<VariableValue><VariableRef targetGUID="{var[0]}"/><TextValue>Grand Oak '
                          f'Elementary</TextValue></VariableValue>'
                          f'<VariableValue><VariableRef targetGUID="{var[3]}"/><DateValue>2017-03-16'
                          f'</DateValue></VariableValue>')
        sources.append(
            f'<TextSource guid="{source}" name="{name}" {path_attr} creatingUser="{ANA}" '
            f'creationDateTime="2019-06-0{number}T10:00:00Z" modifyingUser="{ANA}" '
            f'modifiedDateTime="2019-06-0{number}T10:00:00Z">\n<Description/>\n' + inline
            + "".join(selections) + own_values + "</TextSource>\n")
    sources.append(f'<PDFSource guid="{PDF}" name="CMS strategic plan.pdf" path="internal://{PDF}.pdf" '
                   f'creatingUser="{ANA}" creationDateTime="2019-06-01T10:00:00Z"/>\n')
    sources.append(f'<PictureSource guid="{PICTURE}" name="Choice board.jpg" '
                   f'path="internal://{PICTURE}.jpg" creatingUser="{ANA}" '
                   f'creationDateTime="2019-06-01T10:00:00Z"/>\n')
    files[f"sources/{PDF}.pdf"] = b"%PDF-1.4\n% placeholder\n"
    files[f"sources/{PICTURE}.jpg"] = b"\xff\xd8\xff\xe0 placeholder"
    sets = (f'<Sets>\n<Set guid="{guid(1, 0xB8)}" name="Grand Oak">\n<MemberSource targetGUID="{WHITFIELD}"/>'
            f'\n<MemberSource targetGUID="{VISIT}"/>\n</Set>\n'
            f'<Set guid="{guid(2, 0xB8)}" name="Interviews">\n<MemberSource targetGUID="{WHITFIELD}"/>\n'
            f'<MemberSource targetGUID="{FOCUS}"/>\n</Set>\n</Sets>\n')
    notes = (f'<Notes>\n<Note guid="{guid(1, 0xC9)}" name="Memo" creatingUser="{ANA}" '
             f'creationDateTime="{stamp}"><PlainTextContent>Check the coaching codes.'
             f'</PlainTextContent></Note>\n</Notes>\n')
    qde = (f'<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n'
           f'<Project xmlns="{NS}" xmlns:qda="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           f'xsi:schemaLocation="{NS} Project-mrt2019.xsd" name="CMS pilot coding" origin="{origin}" '
           f'creatingUserGUID="{ANA}" creationDateTime="2019-06-01T09:00:00Z">\n'
           f'{users}<CodeBook>\n<Codes>\n{code_xml}</Codes>\n</CodeBook>\n'
           f'<Variables>\n{variables}</Variables>\n<Cases>\n{cases}</Cases>\n'
           f'<Sources>\n{"".join(sources)}</Sources>\n{notes}{sets}'
           f'<Description>Pilot coding of three Grand Oak documents.</Description>\n</Project>\n')
    files["project.qde"] = qde.encode("utf-8")
    write_zip(target, files)


def codes_xml(codes: dict, attribute_prefix: str = "") -> str:
    def emit(parent, depth):
        out = ""
        for g, (name, p, codable, colour, description) in codes.items():
            if p != parent:
                continue
            # One code carries namespaced attributes, as a few exporters write them.
            prefix = attribute_prefix if name == "Coaching" else ""
            colour_attr = f' color="{colour}"' if colour else ""
            out += (f'<Code {prefix}guid="{g}" {prefix}name="{name}" '
                    f'{prefix}isCodable="{str(codable).lower()}"{colour_attr}>')
            if description:
                out += f"<Description>{description}</Description>"
            out += emit(g, depth + 1) + "</Code>\n"
        return out

    return emit(None, 0)


def write_codebook(target: Path) -> None:
    ns = "urn:QDA-XML:codebook:1.0"
    xml = (f'<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="{ns}" origin="MAXQDA 2022">\n'
           f'<Codes>\n{codes_xml(CODES)}</Codes>\n</CodeBook>\n')
    target.write_bytes(xml.encode("utf-8"))


def write_large_project(target: Path) -> None:
    """A big codebook (3 levels, 312 codes), 20 sources in 5 sets, no codings at all."""
    codes = []
    n = 0
    for c in range(12):
        n += 1
        inner = []
        for k in range(5):
            n += 1
            leaves = "".join(f'<Code guid="{guid(n + j + 1, 0x1A)}" name="Aspect {j + 1}" '
                             f'isCodable="true" color="#0072B2"/>' for j in range(4))
            inner.append(f'<Code guid="{guid(n, 0x1A)}" name="Code {c + 1}.{k + 1}" isCodable="true">'
                         f'<Description>Sub-theme {k + 1} of category {c + 1}.</Description>'
                         f'{leaves}</Code>')
            n += 4
        codes.append(f'<Code guid="{guid(c + 1, 0x2B)}" name="Category {c + 1}" isCodable="false">'
                     + "".join(inner) + "</Code>\n")
    sources = "".join(
        f'<TextSource guid="{guid(s, 0x3C)}" name="Document {s:02d}" creatingUser="{ANA}" '
        f'creationDateTime="2021-01-01T00:00:00Z"><PlainTextContent>Paragraph one of document {s}.'
        f'\n\nParagraph two.</PlainTextContent></TextSource>\n' for s in range(1, 21))
    sets = "".join(
        f'<Set guid="{guid(k, 0x4D)}" name="Group {k}">'
        + "".join(f'<MemberSource targetGUID="{guid(s, 0x3C)}"/>' for s in range(k, 21, 5))
        + "</Set>\n" for k in range(1, 6))
    qde = (f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{NS}" name="Large" '
           f'origin="MAXQDA 2022 (Release 22.7.0)">\n<Users><User guid="{ANA}" name="Ana Ruiz"/></Users>\n'
           f'<CodeBook><Codes>\n{"".join(codes)}</Codes></CodeBook>\n'
           f'<Sources>\n{sources}</Sources>\n<Sets>\n{sets}</Sets>\n</Project>\n')
    write_zip(target, {"project.qde": qde.encode("utf-8")})


def write_docx_fixtures() -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=0, cols=2)
    for field, value in (("Field", "Value"), ("id", "NE-T9"), ("School", "Newell Elementary"),
                         ("Source", "interview"), ("Role", "teacher"),
                         ("Participant", "Ms. Inés Ortiz"), ("Date", "2017-03-22")):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = field, value
    for line in ("Interviewer: What does a Monday look like in your room?",
                 "Ms. Ortiz: We start with goal setting. Every student writes one goal in their "
                 "data notebook.",
                 "Then they choose a station. It is their choice, not mine.",
                 "Interviewer: And when a goal is missed?",
                 "Ms. Ortiz: We talk about it. A missed goal is information, not failure — "
                 "c'est la vie, as my students say."):
        document.add_paragraph(line)
    save_docx(document, BYOD / "NE-T9.docx")

    notes = docx.Document()
    for line in ("Observed the learning lab on Tuesday afternoon.",
                 "",
                 "Teachers rotated through two demonstration classrooms and debriefed with the "
                 "coach afterwards."):
        notes.add_paragraph(line)
    save_docx(notes, BYOD / "NE-V9.docx")
    (BYOD / "NE-V9.yml").write_text(
        "id: NE-V9\nschool: Newell Elementary\nsource: site_visit\nrole: observer\n"
        "participant: Site visit team\ndate: 2017-03-23\n", "utf-8")


def save_docx(document, target: Path) -> None:
    fixed = datetime(2017, 3, 22, 12, 0, 0)
    props = document.core_properties
    props.created = props.modified = props.last_printed = fixed
    props.author = props.last_modified_by = "plcase fixtures"
    props.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    rezip(buffer.getvalue(), target)


def write_caption_fixtures() -> None:
    (BYOD / "GO-Z1.vtt").write_text(
        "WEBVTT\nKind: captions\nLanguage: en\n\n"
        "NOTE Exported from Zoom cloud recording\n\n"
        "1\n00:00:01.000 --> 00:00:04.200\n<v Rosa Okafor>Thanks for joining. Can you hear me?</v>\n\n"
        "2\n00:00:04.500 --> 00:00:06.000\n<v Rosa Okafor>Let's start with your role.</v>\n\n"
        "3\n00:00:06.800 --> 00:00:11.000\n<v.teacher Dana Whitfield>I teach fourth grade, "
        "<i>mostly</i> reading &amp; math.</v>\n\n"
        "4\n00:00:11.000 --> 00:00:15.500 align:start position:10%\n"
        "<v Dana Whitfield>Our coach comes every Wednesday.</v>\n\n"
        "5\n00:00:16.000 --> 00:00:18.000\nRosa Okafor: And the students?\n\n"
        "6\n00:00:18.200 --> 00:00:24.000\nDana Whitfield: They set goals. Café Fridays are for "
        "reflection.\n\n"
        "7\n00:01:02.000 --> 00:01:05.250\nDana Whitfield: <00:01:03.000>It took a year.\n", "utf-8")
    (BYOD / "GO-Z1.yml").write_text(
        "id: GO-Z1\nschool: Grand Oak Elementary\nsource: interview\nrole: teacher\n"
        "participant: Ms. Dana Whitfield\ndate: 2020-10-05\n", "utf-8")
    (BYOD / "RR-Z2.srt").write_text(
        "1\n00:00:02,000 --> 00:00:05,000\nINTERVIEWER: How is pacing going this year?\n\n"
        "2\n00:00:05,500 --> 00:00:09,000\nPETTAWAY: Better than last year.\n\n"
        "3\n00:00:09,000 --> 00:00:14,000\nPETTAWAY: We cap the spread at three lessons now,\n"
        "so nobody is left alone.\n\n"
        "4\n00:00:14,500 --> 00:00:16,000\n{\\an8}INTERVIEWER: Does that work?\n", "utf-8")
    (BYOD / "RR-Z2.yml").write_text(
        "id: RR-Z2\nschool: Ridge Road Middle\nsource: interview\nrole: teacher\n"
        "participant: Mr. Pettaway\ndate: 2020-11-12\n", "utf-8")
    (BYOD / "codebook.yml").write_text(
        "codes:\n  - code: embedded_pd\n    kind: theme\n  - code: student_driven\n    kind: theme\n",
        "utf-8")


SURVEY_ROWS = [
    ("student_id", "school", "grade", "q_like", "q_change"),
    ("S-0101", "Grand Oak Elementary", "5", "I can pick my playlist, and go faster in math.",
     "More time with my teacher."),
    ("S-0102", "Grand Oak Elementary", "5", "The calm corner helps when I'm upset.", ""),
    ("S-0103", "Newell Elementary", "4", "Goal sheets. Mi maestra, la Sra. Peña, checks them.",
     "None"),
    ("S-0104", "Newell Elementary", "4", "", ""),
    ("S-0105", "Ridge Road Middle", "7", "Testing out of units I already know.",
     "Less waiting when everyone is on\ndifferent lessons."),
    ("S-0106", "Ridge Road Middle", "8", "Choice boards — and the café-style reading nook.",
     "NA"),
]


def write_survey_fixtures() -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(SURVEY_ROWS)
    text = buffer.getvalue()
    (SURVEY / "student_survey.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (SURVEY / "student_survey_cp1252.csv").write_bytes(text.encode("cp1252"))
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Responses"
    for row in SURVEY_ROWS:
        sheet.append([None if cell == "" else cell for cell in row])
    fixed = datetime(2017, 5, 1, 12, 0, 0)
    workbook.properties.created = workbook.properties.modified = fixed
    buffer = io.BytesIO()
    workbook.save(buffer)
    rezip(buffer.getvalue(), SURVEY / "student_survey.xlsx")


def rezip(data: bytes, target: Path) -> None:
    """Rewrite an archive with sorted, fixed-time entries so its bytes are reproducible."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        files = {info.filename: source.read(info) for info in source.infolist()}
    if "docProps/core.xml" in files:  # openpyxl stamps the save time; pin it
        files["docProps/core.xml"] = re.sub(
            rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2017-05-01T12:00:00Z",
            files["docProps/core.xml"])
    write_zip(target, files, keep_order=True)


def write_zip(target: Path, files: dict[str, bytes], keep_order: bool = False) -> None:
    names = list(files) if keep_order else sorted(files)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # as written on Windows
            info.external_attr = 0
            zf.writestr(info, files[name])


if __name__ == "__main__":
    main()
