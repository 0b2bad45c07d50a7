"""Saturation after Guest, Namey & Chen (2020, PLOS ONE 15(5): e0232076) on hand-made studies.

The paper's terms: the *base size* is the first N interviews, and its number
of unique codes is the denominator; a *run* is the next M interviews; the new
information of a run is the number of codes no earlier interview had,
divided by the base's unique codes; saturation is reached when that ratio is
at or below the *new-information threshold*.  Every expected value below is
worked out by hand from that definition (or by brute force over all orders).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from plcase.errors import PlcaseError
from plcase.matrix import new_codes, saturation, saturation_runs
from plcase.study import Study

CODES = list("abcdefgh")


def make_study(cases: dict[str, list[tuple[str, str, set]]], context: dict | None = None,
               parents: dict | None = None) -> Study:
    """One document per (doc_id, date, codes); each code tags its own participant turn.

    Every document also opens with an interviewer turn coded with ``h``: an
    interviewer's words are not data, so ``h`` must never count.
    """
    documents, passages, codings, texts = [], [], [], {}
    for case, docs in cases.items():
        for doc_id, date, codes in docs:
            lines = ["INTERVIEWER: What happened?"] + [f"PARTICIPANT: we talked about {c}."
                                                       for c in sorted(codes)]
            text = "\n".join(lines)
            texts[doc_id] = text
            documents.append(dict(doc_id=doc_id, school=case, source="interview", role="teacher",
                                  participant=f"P {doc_id}", date=date,
                                  context=bool(context and doc_id in context)))
            offset = 0
            for k, line in enumerate(lines):
                speaker, said = line.split(": ", 1)
                start = offset + len(speaker) + 2
                passages.append(dict(passage_id=f"{doc_id}:{k:03d}", doc_id=doc_id,
                                     speaker=speaker, start=start, end=offset + len(line),
                                     text=said))
                code = "h" if k == 0 else sorted(codes)[k - 1]
                codings.append(dict(doc_id=doc_id, start=start, end=offset + len(line),
                                    code=code, coder="ana"))
                offset += len(line) + 1
    codebook = pd.DataFrame({"code": CODES, "kind": "theme",
                             "parent": [(parents or {}).get(c) for c in CODES]})
    return Study(documents=pd.DataFrame(documents), passages=pd.DataFrame(passages),
                 codings=pd.DataFrame(codings), codebook=codebook, texts=texts)


# One case; files out of date order so that collection order must come from the date.
ONE_CASE = {"A": [("A-3", "2020-01-03", {"a", "e"}),
                  ("A-1", "2020-01-01", {"a", "b"}),
                  ("A-5", "2020-01-05", {"b"}),
                  ("A-2", "2020-01-02", {"c", "d"}),
                  ("A-4", "2020-01-04", {"f"}),
                  ("A-6", "2020-01-06", {"g"})]}


def test_runs_hand_computed():
    # base = A-1, A-2: {a, b, c, d} -> 4 codes
    # run A-3..A-4: new {e, f} = 2/4;  run A-4..A-5: new {f} = 1/4;  run A-5..A-6: new {g} = 1/4
    runs = saturation_runs(make_study(ONE_CASE), by=[], base=2, run=2, threshold=0.25)
    assert runs["group"].unique().tolist() == ["all cases"]
    assert runs[["run_first", "run_last", "base_codes", "n_new"]].values.tolist() == \
        [[3, 4, 4, 2], [4, 5, 4, 1], [5, 6, 4, 1]]
    assert runs["ratio"].tolist() == pytest.approx([0.5, 0.25, 0.25])
    assert runs["new_codes"].tolist() == ["e, f", "f", "g"]
    assert runs["saturated"].tolist() == [False, True, True]


def test_saturation_point_and_threshold():
    study = make_study(ONE_CASE)
    sat = saturation(study, by=[], base=2, run=2, threshold=0.25).iloc[0]
    # saturation after 3 documents: the two that follow add 1/4 <= 25 %
    assert sat["saturation_at"] == 3 and sat["confirmed_by"] == 5
    assert sat["base_codes"] == 4 and sat["n_codes"] == 7 and sat["n_documents"] == 6
    strict = saturation(study, by=[], base=2, run=2, threshold=0.2).iloc[0]
    assert np.isnan(strict["saturation_at"])
    # the interviewer's code h is never counted
    assert "h" not in ", ".join(new_codes(study, by=[])["new_codes"])


def test_paper_defaults_base_four_run_two():
    # 22 codes in the base (first four interviews); run 5-6 adds c22, c23 (9 % > 5 %),
    # run 6-7 adds c23, c24 (9 %), run 7-8 adds c24 only (4.5 % <= 5 %): saturation
    # after 6 interviews, confirmed by 8.
    names = [f"c{i:02d}" for i in range(30)]
    docs = [names[0:6], names[6:12], names[12:18], names[18:22], ["c22"], ["c23"], ["c24"],
            ["c00"]]
    study = _many_codes_study(docs)
    runs = saturation_runs(study, by=[])
    assert runs[["run_first", "run_last", "n_new"]].values.tolist()[:2] == [[5, 6, 2], [6, 7, 2]]
    sat = saturation(study, by=[]).iloc[0]
    assert sat["base_codes"] == 22
    assert runs["ratio"].tolist() == pytest.approx([2 / 22, 2 / 22, 1 / 22])
    assert sat["saturation_at"] == 6 and sat["confirmed_by"] == 8


def _many_codes_study(docs: list[list[str]]) -> Study:
    codes = sorted({c for d in docs for c in d})
    documents, passages, codings, texts = [], [], [], {}
    for i, doc in enumerate(docs):
        doc_id = f"D{i + 1}"
        text = " ".join(doc)
        texts[doc_id] = text
        documents.append(dict(doc_id=doc_id, school="A", date=f"2021-02-{i + 1:02d}"))
        passages.append(dict(passage_id=f"{doc_id}:1", doc_id=doc_id, speaker="P", start=0,
                             end=len(text), text=text))
        pos = 0
        for code in doc:
            codings.append(dict(doc_id=doc_id, start=pos, end=pos + len(code), code=code,
                                coder="ana"))
            pos += len(code) + 1
    return Study(documents=pd.DataFrame(documents), passages=pd.DataFrame(passages),
                 codings=pd.DataFrame(codings),
                 codebook=pd.DataFrame({"code": codes, "kind": "theme"}), texts=texts)


def test_per_case_and_overall_in_date_order():
    cases = {"A": [("A-1", "2020-01-01", {"a"}), ("A-2", "2020-01-05", {"b"})],
             "B": [("B-1", "2020-01-02", {"a", "c"}), ("B-2", "2020-01-03", {"c"})]}
    curves = new_codes(make_study(cases))
    assert curves["group"].unique().tolist() == ["A", "B", "all cases"]
    pooled = curves[curves.group == "all cases"]
    # pooled by date: A-1 (a), B-1 (c new), B-2 (nothing new), A-2 (b new)
    assert pooled["doc_id"].tolist() == ["A-1", "B-1", "B-2", "A-2"]
    assert pooled["n_new"].tolist() == [1, 1, 0, 1]
    assert pooled["n_codes"].tolist() == [1, 2, 2, 3]
    assert curves[curves.group == "B"]["n_new"].tolist() == [2, 0]


def test_subcodes_counted_apart():
    cases = {"A": [("A-1", "2020-01-01", {"a"}), ("A-2", "2020-01-02", {"a", "b", "c"})]}
    curves = new_codes(make_study(cases, parents={"b": "a"}), by=[])
    assert curves[["n_new", "n_new_subcodes"]].values.tolist() == [[1, 0], [1, 1]]
    assert curves["new_subcodes"].tolist() == ["", "b"]


def test_context_documents_are_not_cases():
    cases = {"A": [("A-1", "2020-01-01", {"a"}), ("A-2", "2020-01-03", {"b"})],
             "District": [("D-1", "2020-01-02", {"c"})]}
    study = make_study(cases, context={"D-1"})
    curves = new_codes(study)
    assert "District" not in set(curves["group"])
    assert "D-1" not in set(curves["doc_id"])
    assert "D-1" in curves.attrs["note"]
    assert "D-1" in set(new_codes(study, include_context=True)["doc_id"])


def test_permutation_band_matches_brute_force():
    # Four documents; with base 2, run 1, threshold 0 saturation needs the third document
    # to add nothing.  Enumerate every order by hand-rolled code, independent of plcase.
    docs = [{"a", "b"}, {"c"}, {"a"}, {"d"}]
    cases = {"A": [(f"A-{i}", f"2020-01-0{i + 1}", s) for i, s in enumerate(docs)]}
    study = make_study(cases)

    def point(order):
        sets = [docs[k] for k in order]
        for first in range(2, len(sets)):
            if not sets[first] - set().union(*sets[:first]):
                return first
        return None

    points = [point(o) for o in itertools.permutations(range(4))]
    exact_share = sum(p is not None for p in points) / len(points)
    sat = saturation(study, by=[], base=2, run=1, threshold=0.0, n_permutations=4000,
                     random_state=1).iloc[0]
    assert sat["share_saturated"] == pytest.approx(exact_share, abs=0.03)
    again = saturation(study, by=[], base=2, run=1, threshold=0.0, n_permutations=4000,
                       random_state=1).iloc[0]
    assert again["share_saturated"] == sat["share_saturated"]
    band = new_codes(study, by=[], n_permutations=500, random_state=0)
    # after all four documents every order has seen all four codes
    assert band.iloc[-1][["n_codes_low", "n_codes_median", "n_codes_high"]].tolist() == [4, 4, 4]
    assert (band["n_codes_low"] <= band["n_codes_high"]).all()


def test_bad_arguments():
    study = make_study(ONE_CASE)
    with pytest.raises(PlcaseError, match="base size"):
        saturation(study, base=0)
    with pytest.raises(PlcaseError, match="threshold"):
        saturation(study, threshold=5)
    with pytest.raises(PlcaseError, match="order column"):
        new_codes(study, order="when")
