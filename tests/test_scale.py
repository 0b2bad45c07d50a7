"""District scale: the fast paths give the results of the straightforward ones.

Speed itself is measured by ``make bench`` (benchmarks/), never here; these
tests prove that scoring once, featurising in batches, the per-word n-gram
cache, validating only new codings, the as-of merge that locates passages and
the Dask path all leave every result unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

import plcase
from plcase import taggers
from plcase.datasets import DISTRICT_QUESTIONS, make_district_survey, write_district_survey
from plcase.errors import PlcaseError
from plcase.evaluate import training_set
from plcase.progress import progress_bar, progress_enabled
from plcase.study import Study, locate_passages
from plcase.taggers import _TOKEN, ModelTagger, RuleTagger, WordCharGrams, _plain_words


@pytest.fixture(scope="module")
def fitted(sample):
    X, y, classes = training_set(sample)
    rules = RuleTagger(sample.codebook).fit()
    model = ModelTagger(sample.codebook, codes=classes, random_state=0).fit(X, y)
    return {"rules": rules, "model": model}


def _reference_codings(tagger, study, coder):
    """The old to_codings: predict and predict_proba one passage at a time, rows by loop."""
    rows = []
    for passage in study.passages.itertuples(index=False):
        pred = tagger.predict([passage.text])[0]
        proba = tagger.predict_proba([passage.text])[0]
        for k, code in enumerate(tagger.classes_):
            if pred[k]:
                rows.append({"doc_id": passage.doc_id, "start": passage.start,
                             "end": passage.end, "code": code, "coder": coder,
                             "passage_id": passage.passage_id, "text": passage.text,
                             "memo": None, "score": float(proba[k])})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("which", ["rules", "model"])
def test_to_codings_equals_a_passage_by_passage_loop(sample, fitted, which, monkeypatch):
    tagger = fitted[which]
    monkeypatch.setattr(taggers, "PREDICT_BATCH_SIZE", 97)  # many batches, a ragged last one
    fast = plcase.to_codings(tagger, sample)
    reference = _reference_codings(tagger, sample, tagger.coder_name)
    assert len(fast) == len(reference) > 50
    for column in ["doc_id", "start", "end", "code", "coder", "passage_id", "text"]:
        assert fast[column].tolist() == reference[column].tolist(), column
    np.testing.assert_allclose(fast["score"].to_numpy(), reference["score"].to_numpy(),
                               rtol=1e-12, atol=1e-15)


def test_cached_char_ngrams_equal_scikit_learns_char_wb(sample):
    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                preprocessor=_plain_words).build_analyzer()
    cached = WordCharGrams((2, 5), _plain_words)
    texts = sample.passages["text"].tolist() + ["", "a", "I", "x y", "naïve café—ok"]
    for text in texts + texts:  # the second round reads from the cache
        assert cached(text) == reference(text)


def test_cached_char_ngrams_survive_pickling_and_clone(sample, fitted):
    import pickle

    from sklearn.base import clone
    model = fitted["model"]
    texts = sample.passages["text"].tolist()[:40]
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict_proba(texts), model.predict_proba(texts))
    X, y, classes = training_set(sample)
    refit = clone(model).fit(X, y)
    np.testing.assert_array_equal(refit.predict_proba(texts), model.predict_proba(texts))


def _locate_by_loop(codings, passages):
    ids = []
    for doc, start, end in zip(codings["doc_id"], codings["start"], codings["end"]):
        inside = passages[(passages["doc_id"] == doc) & (passages["start"] <= start)
                          & (passages["end"] >= end)]
        ids.append(inside["passage_id"].iloc[0] if len(inside) else None)
    return ids


def test_locate_passages_equals_a_loop_over_passages(sample):
    rng = np.random.default_rng(1)
    passages = sample.passages
    picks = passages.iloc[rng.integers(0, len(passages), size=300)]
    length = (picks["end"] - picks["start"]).to_numpy()
    start = picks["start"].to_numpy() + rng.integers(0, np.maximum(length, 1))
    # Some end inside the passage, some run into the next one, some are empty.
    end = start + rng.integers(0, 3, size=300) * np.maximum(length // 2, 1)
    texts = sample.texts
    end = np.minimum(end, picks["doc_id"].map(lambda d: len(texts[d])).to_numpy())
    codings = pd.DataFrame({"doc_id": picks["doc_id"].to_numpy(), "start": start, "end": end})
    codings = pd.concat([codings, sample.codings[["doc_id", "start", "end"]]], ignore_index=True)
    found = locate_passages(codings, passages)["passage_id"].tolist()
    assert found == _locate_by_loop(codings, passages)
    assert any(f is None for f in found) and sum(f is not None for f in found) > 300


def test_with_codings_equals_a_full_revalidation(sample, fitted):
    tags = plcase.to_codings(fitted["rules"], sample)
    fast = sample.with_codings(tags)
    full = Study(documents=sample.documents, passages=sample.passages,
                 codings=pd.concat([sample.codings, tags], ignore_index=True),
                 codebook=sample.codebook, texts=sample.texts, name=sample.name)
    pd.testing.assert_frame_equal(fast.codings, full.codings)
    # Re-tagging replaces the machine coder's rows instead of duplicating them.
    again = fast.with_codings(tags.assign(score=0.5))
    assert len(again.codings) == len(fast.codings)
    assert (again.codings.loc[again.codings["coder"] == "auto:rules", "score"] == 0.5).all()


def test_with_codings_still_checks_the_new_rows(sample):
    row = sample.codings.iloc[[0]].assign(coder="x")
    with pytest.raises(PlcaseError, match="unknown document"):
        sample.with_codings(row.assign(doc_id="nope"))
    with pytest.raises(PlcaseError, match="not defined in the codebook"):
        sample.with_codings(row.assign(code="nope"))
    with pytest.raises(PlcaseError, match="outside the document"):
        sample.with_codings(row.assign(end=10**9))


def test_district_survey_is_deterministic_and_shaped_for_read_responses(sample, tmp_path):
    survey = make_district_survey(n_students=3000, n_schools=12, random_state=7,
                                  codebook=sample.codebook)
    assert survey.equals(make_district_survey(n_students=3000, n_schools=12, random_state=7,
                                              codebook=sample.codebook))
    assert not survey.equals(make_district_survey(n_students=3000, n_schools=12,
                                                  random_state=8, codebook=sample.codebook))
    assert survey.attrs["synthetic"] and survey["school"].str.startswith("Synthetic").all()
    answered = survey[list(DISTRICT_QUESTIONS)].notna().sum(axis=1)
    assert set(answered) == {1, 2, 3}
    assert survey["school"].nunique() == 12
    assert set(survey["grade_band"]) <= {"K-2", "3-5", "6-8", "9-12"}
    answers = survey[list(DISTRICT_QUESTIONS)].stack()
    assert answers.nunique() > 1000  # varied wording, not a handful of repeated lines
    path = write_district_survey(tmp_path / "survey.csv", survey)
    study = plcase.read_responses(path, text=list(DISTRICT_QUESTIONS), id="student_id",
                                  meta=["school", "grade_band", "cohort"],
                                  codebook=sample.codebook)
    assert len(study.documents) == 3000 and len(study.passages) == answered.sum()
    tags = plcase.to_codings(RuleTagger(sample.codebook).fit(), study)
    themes = RuleTagger(sample.codebook).fit().classes_
    per_theme = tags["code"].value_counts()
    assert all(per_theme.get(t, 0) > 50 for t in themes)  # some answers on each theme
    untagged = 1 - tags["passage_id"].nunique() / len(study.passages)
    assert untagged > 0.4  # many answers on none


def test_district_survey_without_a_codebook_uses_the_bundled_vocabulary():
    survey = make_district_survey(n_students=500, n_schools=5)
    text = " ".join(survey[list(DISTRICT_QUESTIONS)].stack().dropna())
    assert "playlist" in text and "calm corner" in text


@pytest.mark.parametrize("which", ["rules", "model"])
def test_tag_frame_on_pandas_equals_predict(sample, fitted, which):
    tagger = fitted[which]
    frame = sample.passages[["passage_id", "text"]].head(120).copy()
    frame.loc[frame.index[3], "text"] = None
    tagged = plcase.tag_frame(tagger, frame)
    texts = [t if isinstance(t, str) else "" for t in frame["text"]]
    pred, proba = tagger.predict(texts), tagger.predict_proba(texts)
    for k, code in enumerate(tagger.classes_):
        assert tagged[code].tolist() == pred[:, k].tolist()
        np.testing.assert_allclose(tagged[f"{code}_score"], proba[:, k], rtol=1e-12)
    assert tagged["passage_id"].tolist() == frame["passage_id"].tolist()


def test_tag_frame_names_a_missing_text_column(fitted, sample):
    with pytest.raises(PlcaseError, match="no text column 'answer'"):
        plcase.tag_frame(fitted["rules"], sample.passages, text="answer")


def test_tag_frame_on_a_dask_cluster_equals_pandas(sample, fitted):
    import dask.dataframe as dd  # the test extra installs plcase[dask]
    from distributed import Client, LocalCluster

    frame = sample.passages[["passage_id", "doc_id", "text"]].reset_index(drop=True)
    expected = plcase.tag_frame(fitted["model"], frame)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster):
        lazy = plcase.tag_frame(fitted["model"], dd.from_pandas(frame, npartitions=4))
        result = lazy.compute()
    result = result.sort_index()
    pd.testing.assert_frame_equal(result, expected, check_dtype=False)


def test_progress_is_off_under_tests_and_switchable(monkeypatch, capsys):
    assert not progress_enabled()
    monkeypatch.setenv("PLCASE_PROGRESS", "1")
    assert progress_enabled()
    monkeypatch.setenv("PLCASE_PROGRESS", "0")
    assert not progress_enabled()
    assert progress_enabled(True)
    assert list(progress_bar([(0, 5), (5, 9)], 9, "tagging", progress=True)) == [(0, 5), (5, 9)]
    out, err = capsys.readouterr()
    assert out == "" and "tagging" in err and "9/9" in err


def test_rule_counts_equal_the_token_by_token_matcher(sample):
    """The array matcher counts exactly the hits :meth:`RuleTagger.explain` walks."""
    texts = sample.passages["text"].tolist() + [
        "", "Not coaching. Coaching!", "never, coach", "We don't have a coach or a PLC",
        "no no no coach coach", "not really student-driven, but student driven now",
        "PLCs and plcs", "coach", "Not", "growth mindset growth", "isn't the peer observation",
        "Honestly, we never fail forward; we fail forward.",
    ]
    texts += make_district_survey(2000, 5, codebook=sample.codebook)[
        list(DISTRICT_QUESTIONS)].stack().dropna().tolist()  # unanswered questions are missing
    for window in (0, 1, 3):
        rules = RuleTagger(sample.codebook, negation_window=window,
                           codes=sample.codebook["code"].tolist()).fit()
        reference = np.zeros((len(texts), len(rules.classes_)), dtype=np.int32)
        for row, text in enumerate(texts):
            for code, _, _, _, negated in rules._hits(_TOKEN.findall(text.lower())):
                reference[row, code] += not negated
        counts = rules._counts(texts)
        np.testing.assert_array_equal(counts, reference)
        assert reference.sum() > 500
