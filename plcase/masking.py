"""Masking people's names before a model learns from the words.

A model trained on transcripts otherwise learns *who* speaks (staff names,
pseudonyms, speaker labels) rather than *what* is said, and does not carry
over to another school.  :func:`mask_names` replaces every capitalised token
that matches a known name with one neutral word, :data:`MASK`; the names come
from

* the study (:func:`study_names`): participants and interviewers in the
  documents' front matter and the participants' speaker labels;
* the texts themselves (:func:`names_in_texts`): surnames after a title
  (``Mr. Bell``), capitalised words beside a known name (``Marcus Bell``),
  and title-case words that stand mid-sentence and never occur in lower
  case anywhere in the texts (``Renee``), except calendar words and words
  of the codebook, which carry meaning, not identity.

Only capitalised occurrences are masked: ``Bell`` the teacher is masked,
``the bell rang`` is not.

Examples
--------
>>> mask_names(["Marcus Bell runs it, ask Bell.", "The bell rang."], ["Bell", "Marcus"])
['someone someone runs it, ask someone.', 'The bell rang.']
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

__all__ = ["MASK", "mask_names", "study_names", "names_in_texts", "name_tokens"]

#: The word every name is replaced with: an ordinary word, so the text still reads.
MASK = "someone"

#: Titles before a surname.
TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Coach")

#: Document columns holding people's names.
NAME_COLUMNS = ("participant", "interviewer")

# Title-case words that are never lower case but name no one.
_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday mondays tuesdays wednesdays "
    "thursdays fridays saturdays sundays january february march april may june july august "
    "september october november december".split())

# Words without apostrophes: "Renee's" yields "Renee", "I'd" yields nothing name-like.
_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")
_TITLED = re.compile(r"\b(?:%s)\.?\s+([A-Z][a-z]+(?:-[A-Z][a-z]+)?)" % "|".join(TITLES))
_SENTENCE_END = re.compile(r"[.!?:;\"\u201c\u201d(\[]\s*$|^\s*$")


def name_tokens(name: str) -> list[str]:
    """The capitalised words of a name, without titles and initials, in title case.

    Examples
    --------
    >>> name_tokens("Dr. Simone Arrington")
    ['Simone', 'Arrington']
    >>> name_tokens("ARRINGTON")
    ['Arrington']
    >>> name_tokens("Grand Oak 5th-grade focus group")
    ['Grand', 'Oak']
    """
    if not isinstance(name, str):
        return []
    words = []
    for word in _WORD.findall(name):
        if word.rstrip(".") in TITLES or len(word.rstrip(".")) < 2 or not word[0].isupper():
            continue
        words.append(word if not word.isupper() else word.title())
    return words


def study_names(study) -> list[str]:
    """The names a study knows: front-matter people and participants' speaker labels.

    Examples
    --------
    >>> import plcase
    >>> names = study_names(plcase.read_sample())
    >>> "Arrington" in names, "Interviewer" in names
    (True, False)
    """
    found: set[str] = set()
    for column in NAME_COLUMNS:
        if column in study.documents.columns:
            for value in study.documents[column].dropna():
                found.update(name_tokens(str(value)))
    passages = study.passages
    speakers = passages.loc[passages.get("speaker_role", pd.Series("participant",
                                                                  index=passages.index))
                            .eq("participant"), "speaker"]
    for label in speakers.dropna().unique():
        found.update(name_tokens(str(label)))
    return sorted(found)


def names_in_texts(texts: Iterable[str], known: Iterable[str] = (),
                   exclude: Iterable[str] = ()) -> list[str]:
    """Names found in the texts: after titles, beside known names, and proper nouns.

    Parameters
    ----------
    texts : list of str
    known : list of str
        Names already known (from :func:`study_names`); their neighbours are found.
    exclude : list of str
        Words never to treat as names (for example the codebook's words).

    Examples
    --------
    >>> texts = ["Ask Mr. Bell. Marcus Bell teaches here.", "We meet Renee on Wednesday."]
    >>> names_in_texts(texts)
    ['Bell', 'Marcus', 'Renee']
    """
    texts = [t for t in texts if isinstance(t, str)]
    skip = {w.casefold() for w in exclude} | _CALENDAR | {t.casefold() for t in TITLES}
    lower = set()
    for text in texts:
        lower.update(w for w in _WORD.findall(text) if w[0].islower())
    names = set(known)
    for text in texts:
        names.update(_TITLED.findall(text))
        for match in _WORD.finditer(text):
            word = match.group()
            if not (word[0].isupper() and word[1:].islower()) or word.casefold() in skip:
                continue
            mid_sentence = not _SENTENCE_END.search(text[max(0, match.start() - 3):match.start()])
            if mid_sentence and word.lower() not in lower:
                names.add(word)
    # Capitalised words right beside a name belong to it (first name + surname).
    for _ in range(2):
        for text in texts:
            words = list(_WORD.finditer(text))
            for a, b in zip(words, words[1:]):
                if text[a.end():b.start()] != " ":
                    continue
                x, y = a.group(), b.group()
                for this, other in ((x, y), (y, x)):
                    if (other in names and this[0].isupper() and this[1:].islower()
                            and this.casefold() not in skip and this.lower() not in lower):
                        names.add(this)
    return sorted(n for n in names if n.casefold() not in skip and len(n) > 1)


def mask_names(texts: Iterable[str], names: Iterable[str], mask: str = MASK) -> list[str]:
    """Replace each capitalised occurrence of a name (any case of an all-caps one) with ``mask``.

    Possessives keep their ending (``Renee's`` becomes ``someone's``).

    Parameters
    ----------
    texts : list of str
    names : list of str
        Name words (``["Renee", "Baptiste"]``); a multi-word entry is split.
    mask : str, default "someone"

    Examples
    --------
    >>> mask_names(["RENEE and Renee's team; renee"], ["Renee"])
    ["someone and someone's team; renee"]
    """
    words = {w for name in names for w in str(name).split() if w}
    texts = list(texts)
    if not words:
        return texts
    alternatives = sorted({v for w in words for v in (w, w.upper(), w.title())}, key=len,
                          reverse=True)
    pattern = re.compile(r"(?<![A-Za-z])(?:%s)(?![A-Za-z])" % "|".join(map(re.escape, alternatives)))
    return [pattern.sub(mask, t) if isinstance(t, str) else t for t in texts]
