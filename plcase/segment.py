"""Sentences and words, with NLTK's data-free parts only.

NLTK's Punkt sentence tokenizer normally loads a model trained on news text
(fetched with NLTK's downloader), which needs the network.  plcase instead builds
an untrained :class:`~nltk.tokenize.punkt.PunktSentenceTokenizer` and tells it
the abbreviations that occur in interview transcripts ("Ms.", "Dr.", "p.m.",
"e.g."), so "Ms. Reyes met us at 3 p.m. on Tuesday." stays one sentence.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
from nltk.tokenize import RegexpTokenizer
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

__all__ = ["ABBREVIATIONS", "sentence_spans", "sentences", "sentence_frame", "word_count",
           "WORD_TOKENIZER"]

#: Abbreviations Punkt must not treat as sentence ends (lower case, no final period).
ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "mt", "ft", "ave", "rd",
    "a.m", "p.m", "e.g", "i.e", "etc", "vs", "approx", "dept", "gov", "u.s",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "gr", "min", "hr", "hrs", "ph.d", "ed.d", "m.ed", "b.a", "m.a",
})

#: Words: letters/digits with inner apostrophes or hyphens ("don't", "student-driven").
WORD_TOKENIZER = RegexpTokenizer(r"\w+(?:['’\-]\w+)*")


@lru_cache(maxsize=1)
def _tokenizer() -> PunktSentenceTokenizer:
    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    return PunktSentenceTokenizer(params)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of ``text``.

    Parameters
    ----------
    text : str
        Any text; offsets are Python string indices into it.

    Returns
    -------
    list of (int, int)
        Half-open spans, in order, without surrounding white space.

    Examples
    --------
    >>> text = "Ms. Reyes met us at 3 p.m. on Tuesday. Then we left."
    >>> [text[s:e] for s, e in sentence_spans(text)]
    ['Ms. Reyes met us at 3 p.m. on Tuesday.', 'Then we left.']
    """
    spans = []
    for start, end in _tokenizer().span_tokenize(text):
        # Punkt's spans may carry the white space that precedes a sentence.
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            spans.append((int(start), int(end)))
    return spans


def sentences(text: str) -> list[str]:
    """The sentences of ``text``.

    Examples
    --------
    >>> sentences("Dr. Lee coaches on Wednesdays. We plan e.g. math rotations.")
    ['Dr. Lee coaches on Wednesdays.', 'We plan e.g. math rotations.']
    """
    return [text[s:e] for s, e in sentence_spans(text)]


def sentence_frame(passages: pd.DataFrame) -> pd.DataFrame:
    """One row per sentence of each passage, with document offsets.

    Parameters
    ----------
    passages : DataFrame
        A passages frame (``passage_id, doc_id, start, text``).

    Returns
    -------
    DataFrame
        ``sentence_id, passage_id, doc_id, start, end, text``; ``start`` and
        ``end`` index the document text, like every plcase offset.

    Examples
    --------
    >>> p = pd.DataFrame({"passage_id": ["d:001"], "doc_id": ["d"], "start": [10],
    ...                   "text": ["We tried. It failed."]})
    >>> sentence_frame(p)[["sentence_id", "start", "end"]].values.tolist()
    [['d:001.1', 10, 19], ['d:001.2', 20, 30]]
    """
    rows = []
    for pid, doc, offset, text in zip(passages["passage_id"], passages["doc_id"],
                                      passages["start"], passages["text"]):
        for k, (s, e) in enumerate(sentence_spans(text), start=1):
            rows.append((f"{pid}.{k}", pid, doc, int(offset) + s, int(offset) + e, text[s:e]))
    return pd.DataFrame(rows, columns=["sentence_id", "passage_id", "doc_id", "start", "end", "text"])


def word_count(text: str) -> int:
    """Number of words in ``text`` (contractions and hyphenated words count once).

    Examples
    --------
    >>> word_count("It's student-driven, mostly.")
    3
    """
    return len(WORD_TOKENIZER.tokenize(text))


