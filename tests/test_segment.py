"""Sentence splitting with NLTK's data-free Punkt and the abbreviations of interview talk."""

import pytest

from plcase.segment import sentence_frame, sentence_spans, sentences, word_count


@pytest.mark.parametrize("text,expected", [
    ("Mr. Smith came in. He sat down.", ["Mr. Smith came in.", "He sat down."]),
    ("We met at 3 p.m. on Tuesday. It rained.", ["We met at 3 p.m. on Tuesday.", "It rained."]),
    ("Ms. Reyes and Dr. Patel co-teach, e.g. math. Kids love it!",
     ["Ms. Reyes and Dr. Patel co-teach, e.g. math.", "Kids love it!"]),
    ("Is it working? Yes. Mostly.", ["Is it working?", "Yes.", "Mostly."]),
])
def test_abbreviations_do_not_split(text, expected):
    assert sentences(text) == expected


def test_spans_index_the_text():
    text = "  First one.  Second one?\nThird."
    assert [text[s:e] for s, e in sentence_spans(text)] == ["First one.", "Second one?", "Third."]


def test_sentence_frame_uses_document_offsets(sample):
    frame = sentence_frame(sample.passages.head(30))
    for row in frame.itertuples():
        assert sample.texts[row.doc_id][row.start:row.end] == row.text
    assert frame["sentence_id"].is_unique


def test_word_count():
    # Well / it's / student-driven / 3 / days / a / week
    assert word_count("Well — it's student-driven, 3 days a week.") == 7
