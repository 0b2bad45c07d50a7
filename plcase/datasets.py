"""Synthetic data sets for benchmarks and tests at district scale.

:func:`make_district_survey` builds a deterministic, entirely synthetic survey of
a school district: one row per student, one to three open answers, school,
grade band and cohort columns. It is shaped for :func:`plcase.read_responses`
(write it with :func:`write_district_survey`), so the whole chain — reading,
tagging, matrices, agreement — can be measured on 147,000 students (the size of
Charlotte-Mecklenburg Schools) without any real student's words.

Every school is named ``Synthetic School NNN`` and every student
``SYN-NNNNNNN``, so the data can never be mistaken for a real survey.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["make_district_survey", "write_district_survey", "DISTRICT_QUESTIONS"]

#: The open questions of the synthetic survey, in column order.
DISTRICT_QUESTIONS = ("q_like", "q_change", "q_help")

# Used only when no codebook is given: a small bundled, synthetic vocabulary of
# four generic themes (school climate, adult learning, student choice,
# wellbeing), so the generator does not depend on any study.
_DEFAULT_VOCABULARY = {
    "climate": ["trust", "mistakes", "try again", "our vision", "together"],
    "adult_learning": ["coach", "workshop", "peer observation", "training", "planning"],
    "choice": ["playlist", "my own pace", "goal", "choice", "station"],
    "wellbeing": ["calm corner", "feelings", "advisory", "counselor", "friends"],
}

_NEUTRAL = (
    "The bus is sometimes late in the morning.",
    "Lunch is too short.",
    "I like the new gym floor.",
    "Recess should be longer.",
    "The library has good books.",
    "I don't know.",
    "Nothing really.",
    "It is fine.",
    "The hallways are loud between classes.",
    "Math is hard this year.",
    "I wish we had more field trips.",
    "The wifi drops during tests.",
    "My locker is broken.",
    "Art class is my favorite.",
    "We need more water fountains.",
    "Homework takes a long time.",
    "The cafeteria food got better.",
    "Science labs are fun.",
    "I ride my bike to school.",
    "More sports after school please.",
)
_ON_THEME = (
    "I like the {term} in our class.",
    "We use {term} a lot and it helps me.",
    "Our teacher talks about {term} every week.",
    "The best part is {term}.",
    "More {term} would make school better.",
    "Sometimes {term} is confusing but I like it.",
    "My friends say {term} helps them learn.",
    "We don't really have {term} yet.",
    "I want to keep the {term} next year.",
    "When we do {term} I learn more.",
)
_OPENERS = ("", "", "", "Honestly, ", "Well, ", "I think ", "To be honest, ")
_GRADE_BANDS = ("K-2", "3-5", "6-8", "9-12")


def _vocabulary(codebook: pd.DataFrame | None) -> dict[str, list[str]]:
    """Theme → terms: the codebook's keywords and phrases of each theme (and of
    its sub-codes), or the bundled synthetic list."""
    if codebook is None:
        return {k: list(v) for k, v in _DEFAULT_VOCABULARY.items()}
    book = codebook
    if "kind" in book.columns and (book["kind"] == "theme").any():
        themes = book.loc[book["kind"] == "theme", "code"].tolist()
    else:
        themes = book["code"].tolist()
    vocabulary: dict[str, list[str]] = {t: [] for t in themes}
    for rec in book.to_dict("records"):
        owner = rec["code"] if rec["code"] in vocabulary else rec.get("parent")
        if owner not in vocabulary:
            continue
        for column in ("keywords", "phrases"):
            value = rec.get(column)
            if isinstance(value, str):
                value = [value]
            if isinstance(value, (list, tuple)):
                vocabulary[owner] += [str(v) for v in value if str(v).strip()]
    return {t: terms for t, terms in vocabulary.items() if terms}


def make_district_survey(n_students: int = 147_000, n_schools: int = 168,
                         random_state: int = 0, *, codebook: pd.DataFrame | None = None,
                         theme_rate: float = 0.35) -> pd.DataFrame:
    """A deterministic synthetic district survey, one row per student.

    Each student answers one to three open questions (:data:`DISTRICT_QUESTIONS`;
    unanswered ones are missing). An answer is one or two sentences; with
    probability ``theme_rate`` a sentence mentions a term of one theme (some
    negated: "We don't really have coaching yet"), the rest are about buses,
    lunch and the gym, so many answers carry no theme at all.

    Parameters
    ----------
    n_students, n_schools : int
        Size of the district (default: Charlotte-Mecklenburg Schools' 147,000
        students in 168 schools).
    random_state : int
        Seed; the same seed gives the same frame on every machine.
    codebook : DataFrame, optional
        Take the theme vocabulary from this codebook's ``keywords`` and
        ``phrases`` (themes and their sub-codes). Default: a small bundled,
        synthetic list of four generic themes.
    theme_rate : float, default 0.35
        Probability that a sentence mentions a theme term.

    Returns
    -------
    DataFrame
        ``student_id, school, grade_band, cohort, q_like, q_change, q_help``;
        ``frame.attrs["synthetic"]`` is True.

    Examples
    --------
    >>> survey = make_district_survey(n_students=200, n_schools=4)
    >>> survey.columns.tolist()
    ['student_id', 'school', 'grade_band', 'cohort', 'q_like', 'q_change', 'q_help']
    >>> survey["school"].nunique(), survey["student_id"].is_unique
    (4, True)
    >>> survey.equals(make_district_survey(n_students=200, n_schools=4))
    True
    """
    rng = np.random.default_rng(random_state)
    vocabulary = _vocabulary(codebook)
    terms = np.array([t for ts in vocabulary.values() for t in ts], dtype=object)
    n_q = len(DISTRICT_QUESTIONS)
    schools = np.array([f"Synthetic School {k:03d}" for k in range(1, n_schools + 1)],
                       dtype=object)
    school = rng.integers(0, n_schools, size=n_students)
    # Grade band and cohort follow the school, as in a district (an elementary
    # school has no grade 9-12 students); a few schools span two bands.
    school_band = rng.integers(0, len(_GRADE_BANDS), size=n_schools)
    band = (school_band[school] + (rng.random(n_students) < 0.1)) % len(_GRADE_BANDS)
    cohort = 2020 + rng.integers(0, 4, size=n_schools)[school] + rng.integers(0, 2, size=n_students)

    # How many questions each student answered (1-3) and which.
    n_answers = rng.choice([1, 2, 3], p=[0.25, 0.5, 0.25], size=n_students)
    order = np.argsort(rng.random((n_students, n_q)), axis=1)
    answered = order < n_answers[:, None]

    n_cells = n_students * n_q
    n_sentences = rng.integers(1, 3, size=(n_cells, 2))[:, 0]
    on_theme = rng.random((n_cells, 2)) < theme_rate
    neutral = rng.integers(0, len(_NEUTRAL), size=(n_cells, 2))
    template = rng.integers(0, len(_ON_THEME), size=(n_cells, 2))
    term = rng.integers(0, len(terms), size=(n_cells, 2))
    opener = rng.integers(0, len(_OPENERS), size=n_cells)

    def sentence(cell: int, k: int) -> str:
        if on_theme[cell, k]:
            return _ON_THEME[template[cell, k]].format(term=terms[term[cell, k]])
        return _NEUTRAL[neutral[cell, k]]

    flat = answered.ravel()
    answers = np.full(n_cells, None, dtype=object)
    for cell in np.flatnonzero(flat):
        text = sentence(cell, 0)
        if n_sentences[cell] == 2:
            text += " " + sentence(cell, 1)
        start = _OPENERS[opener[cell]]
        if start:
            text = start + text[0].lower() + text[1:]
        answers[cell] = text
    answers = answers.reshape(n_students, n_q)

    width = max(7, len(str(n_students)))
    frame = pd.DataFrame({
        "student_id": [f"SYN-{k:0{width}d}" for k in range(1, n_students + 1)],
        "school": schools[school],
        "grade_band": np.array(_GRADE_BANDS, dtype=object)[band],
        "cohort": cohort.astype("int64"),
        **{q: answers[:, j] for j, q in enumerate(DISTRICT_QUESTIONS)},
    })
    frame.attrs["synthetic"] = True
    return frame


def write_district_survey(path: str | Path, survey: pd.DataFrame | None = None,
                          **kwargs) -> Path:
    """Write a district survey (default: :func:`make_district_survey` ``(**kwargs)``)
    as UTF-8 CSV ready for :func:`plcase.read_responses`.

    Read it back with ``read_responses(path, text=list(DISTRICT_QUESTIONS),
    id="student_id", meta=["school", "grade_band", "cohort"])``.

    Examples
    --------
    >>> import tempfile, plcase
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_district_survey(Path(tmp) / "survey.csv", n_students=50, n_schools=3)
    ...     study = plcase.read_responses(path, text=list(DISTRICT_QUESTIONS), id="student_id",
    ...                                   meta=["school", "grade_band", "cohort"])
    >>> len(study.documents)
    50
    """
    path = Path(path)
    survey = make_district_survey(**kwargs) if survey is None else survey
    survey.to_csv(path, index=False, encoding="utf-8")
    return path
