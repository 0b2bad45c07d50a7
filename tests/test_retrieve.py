"""plcase.retrieve and `plcase retrieve` on a hand-built study whose answers were worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

import plcase
from plcase.cli import main
from plcase.errors import PlcaseError
from plcase.retrieve import quotes_markdown, retrieve
from plcase.study import Study

# Two schools; each document is three turns.  Offsets are worked out below from the turns.
TURNS = {
    "N-S1": [("INTERVIEWER", "What is breakfast like?"),
             ("AMIRA", "We eat together and do circle."),
             ("LEO", "Circle helps me say how I feel.")],
    "N-T1": [("INTERVIEWER", "How do you plan?"),
             ("MS. ROE", "Our coach plans with us."),
             ("MS. ROE", "Circle starts the day.")],
    "P-S1": [("INTERVIEWER", "What do you choose?"),
             ("KAI", "I choose my playlist."),
             ("KAI", "Circle is boring.")],
}
META = {"N-S1": ("Newell", "student"), "N-T1": ("Newell", "teacher"), "P-S1": ("Park", "student")}


def _study():
    texts, passages, where = {}, [], {}
    for doc_id, turns in TURNS.items():
        text, offset = "", 0
        for number, (speaker, said) in enumerate(turns):
            line = f"{speaker}: {said}"
            start = offset + len(speaker) + 2
            passages.append({"passage_id": f"{doc_id}:{number}", "doc_id": doc_id,
                             "speaker": speaker, "start": start, "end": start + len(said),
                             "text": said})
            where[(doc_id, number)] = (start, start + len(said))
            text += line + "\n"
            offset += len(line) + 1
        texts[doc_id] = text
    documents = pd.DataFrame([{"doc_id": d, "school": s, "role": r, "source": "interview"}
                              for d, (s, r) in META.items()])
    codebook = pd.DataFrame({"code": ["sel", "circle", "pd", "choice"],
                             "parent": [None, "sel", None, None],
                             "kind": ["theme", "subcode", "theme", "theme"]})

    def at(doc, number, code, coder, score=None):
        start, end = where[(doc, number)]
        return {"doc_id": doc, "start": start, "end": end, "code": code, "coder": coder,
                "score": score}

    codings = [
        # ana (5 codings, the most of the humans): sel on both Newell student answers,
        # its sub-code circle on the second as well, pd on the teacher, choice at Park.
        at("N-S1", 1, "sel", "ana"), at("N-S1", 2, "sel", "ana"), at("N-S1", 2, "circle", "ana"),
        at("N-T1", 1, "pd", "ana"), at("P-S1", 1, "choice", "ana"),
        # ben agrees on the two Newell student answers (the doubling the issue describes)
        # and alone codes the teacher's circle as circle.
        at("N-S1", 1, "sel", "ben"), at("N-S1", 2, "sel", "ben"), at("N-T1", 2, "circle", "ben"),
        # a machine coder with more codings than anyone: never the default.
        *[at(d, n, "sel", "auto:rules", 0.9) for d in TURNS for n in (0, 1, 2)],
    ]
    return Study(documents=documents, passages=pd.DataFrame(passages), codings=pd.DataFrame(codings),
                 codebook=codebook, texts=texts, name="hand")


@pytest.fixture(scope="module")
def study():
    return _study()


def test_one_coder_by_default_the_studys_primary(study):
    assert study.primary_coder == "ana"  # the human coder with the most codings
    assert set(retrieve(study)["coder"]) == {"ana"}


def test_student_quotes_on_sel_at_newell_one_coder_with_subcodes(study):
    quotes = retrieve(study, code="sel", case="Newell", role="student")
    assert quotes[["doc_id", "speaker", "text"]].values.tolist() == [
        ["N-S1", "AMIRA", "We eat together and do circle."],
        ["N-S1", "LEO", "Circle helps me say how I feel."]]
    # sel and its sub-code on the same words are one quote listing both codes.
    assert quotes["code"].tolist() == ["sel", "sel; circle"] or \
        quotes["code"].tolist() == ["sel", "circle; sel"]
    assert set(quotes["coder"]) == {"ana"}
    assert set(quotes["school"]) == {"Newell"} and set(quotes["role"]) == {"student"}
    for row in quotes.itertuples():
        assert study.texts[row.doc_id][row.start:row.end] == row.text


def test_all_coders_never_doubles_a_quote(study):
    quotes = retrieve(study, code="sel", case="Newell", role="student", coder=["ana", "ben"])
    assert len(quotes) == 2
    assert quotes["coder"].tolist() == ["ana; ben", "ana; ben"]
    every = retrieve(study, code="sel", case="Newell", role="student", coder="*")
    # auto:rules also coded the interviewer's question: three distinct stretches, none twice.
    assert len(every) == 3 and not every.duplicated(["doc_id", "start", "end"]).any()


def test_subcodes_count_unless_told_otherwise(study):
    with_sub = retrieve(study, code="sel", coder="ben")
    assert with_sub["text"].tolist() == ["We eat together and do circle.",
                                         "Circle helps me say how I feel.",
                                         "Circle starts the day."]
    without = retrieve(study, code="sel", coder="ben", include_subcodes=False)
    assert len(without) == 2


def test_text_filter_is_case_insensitive_and_literal(study):
    quotes = retrieve(study, text="CIRCLE", coder="*")
    assert sorted(quotes["text"]) == ["Circle helps me say how I feel.", "Circle is boring.",
                                      "Circle starts the day.", "We eat together and do circle."]
    assert retrieve(study, text="c.rcle", coder="*").empty


def test_context_gives_the_turns_before_and_after(study):
    quotes = retrieve(study, code="pd", context=1)
    assert quotes.loc[0, "before"] == "INTERVIEWER: How do you plan?"
    assert quotes.loc[0, "after"] == "MS. ROE: Circle starts the day."
    last = retrieve(study, code="sel", case="Newell", role="student", context=2).iloc[-1]
    assert last["before"] == "INTERVIEWER: What is breakfast like?\nAMIRA: We eat together and do circle."
    assert pd.isna(last["after"])
    assert "before" not in retrieve(study, code="pd").columns


def test_speaker_filter(study):
    assert retrieve(study, speaker="KAI")["text"].tolist() == ["I choose my playlist."]


@pytest.mark.parametrize("kwargs, words", [
    ({"code": "nope"}, "unknown code"),
    ({"coder": "zoe"}, "unknown coder"),
    ({"case": "Nowhere"}, "no document has school 'Nowhere'"),
    ({"role": "parent"}, "no document has role 'parent'"),
    ({"context": -1}, "context must be"),
])
def test_bad_filters_say_what_exists(study, kwargs, words):
    with pytest.raises(PlcaseError, match=words):
        retrieve(study, **kwargs)


def test_sample_student_quotes_on_sel_at_newell_are_one_coders(sample):
    # The issue's example: leaving out the coder gave 12 rows, two coders' 6 each.
    quotes = plcase.retrieve(sample, code="whole_child_sel", case="Newell Elementary", role="student")
    both = sample.codings.merge(sample.documents[["doc_id", "school", "role"]], on="doc_id")
    both = both[(both.code == "whole_child_sel") & (both.school == "Newell Elementary")
                & (both.role == "student")]
    primary = both[both.coder == sample.primary_coder]
    assert len(quotes) == len(primary.drop_duplicates(["doc_id", "start", "end"]))
    assert len(quotes) < len(both)


def test_cli_retrieve_csv_and_markdown(tmp_path, capsys):
    from plcase import config

    out = tmp_path / "quotes.csv"
    assert main(["retrieve", str(config.SAMPLE_DIR), "--code", "whole_child_sel", "--case",
                 "Newell Elementary", "--role", "student", "-o", str(out)]) == 0
    frame = pd.read_csv(out)
    sample = plcase.read_sample()
    expected = plcase.retrieve(sample, code="whole_child_sel", case="Newell Elementary",
                               role="student")
    assert frame["text"].tolist() == expected["text"].tolist()
    md = tmp_path / "quotes.md"
    assert main(["retrieve", str(config.SAMPLE_DIR), "--code", "whole_child_sel", "--case",
                 "Newell Elementary", "--context", "1", "-o", str(md)]) == 0
    text = md.read_text(encoding="utf-8")
    assert text.startswith("## ")
    for quote in expected["text"]:
        assert quote.split("\n")[0] in text
    assert main(["retrieve", str(config.SAMPLE_DIR), "--code", "nope", "-o",
                 str(tmp_path / "x.csv")]) == 1
    assert "unknown code(s) 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_markdown_shows_the_case_column_the_quotes_were_retrieved_by(sample):
    by_school = quotes_markdown(retrieve(sample, code="glow", text="breakfast"))
    assert "school: Grand Oak Elementary; role: observer" in by_school
    by_source = quotes_markdown(retrieve(sample, code="glow", text="breakfast", case_column="source"))
    assert "source: site_visit; role: observer" in by_source and "school:" not in by_source
