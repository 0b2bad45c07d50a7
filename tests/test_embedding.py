"""EmbeddingTagger: a sentence-embedding coder, judged like the other coders.

The sample is encoded once per session (and cached on disk), so these tests
cost one model load and, on a warm cache, no encoding.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

import plcase
from plcase import embedding
from plcase.embedding import EmbeddingTagger, codebook_prototypes, encode
from plcase.evaluate import (compare_taggers, evaluate_tagger, human_agreement,
                             score_labelled_texts, to_codings, training_set)

UNSEEN = Path(__file__).resolve().parent / "data" / "unseen_passages.csv"
SEED = 0


@pytest.fixture(scope="module")
def study():
    return plcase.read_sample()


@pytest.fixture(scope="module")
def train(study):
    X, y, codes = training_set(study)
    encode(X + study.passages["text"].tolist())  # once: every later call hits the cache
    return X, y, codes


@pytest.fixture(scope="module")
def fitted(study, train):
    X, y, codes = train
    return EmbeddingTagger(study.codebook, codes=codes, random_state=SEED).fit(X, y)


@pytest.fixture(scope="module")
def side_by_side(study, train):
    return compare_taggers(study)


def _macro(scores, metric):
    return float(scores.set_index("code").loc["macro", metric])


# -- the estimator contract ---------------------------------------------------------------
def test_is_a_scikit_learn_estimator(study, train, fitted):
    X, y, codes = train
    with pytest.raises(NotFittedError):
        EmbeddingTagger(study.codebook).predict(["a passage"])
    twin = clone(fitted)
    assert twin.get_params()["codebook"].equals(study.codebook) and not hasattr(twin, "classes_")
    assert fitted.classes_.tolist() == codes
    proba = fitted.predict_proba(X[:20])
    assert proba.shape == (20, len(codes)) and ((proba >= 0) & (proba <= 1)).all()
    assert np.array_equal(fitted.predict(X[:20]), (proba >= fitted.thresholds_).astype(int))
    np.testing.assert_allclose(fitted.base_rates_, y.mean(axis=0))


def test_tags_are_one_more_coder(study, fitted):
    tags = to_codings(fitted, study)
    assert tags["coder"].unique().tolist() == ["auto:embedding"]
    assert set(tags["code"]) <= set(fitted.classes_)
    merged = study.passages.set_index("passage_id").loc[tags["passage_id"]]
    assert (merged["text"].to_numpy() == tags["text"].to_numpy()).all()


def test_same_input_same_scores(study, train, fitted):
    X, y, codes = train
    again = EmbeddingTagger(study.codebook, codes=codes, random_state=SEED).fit(X, y)
    texts = X[:50]
    assert np.array_equal(again.predict_proba(texts), fitted.predict_proba(texts))
    assert np.array_equal(again.thresholds_, fitted.thresholds_)
    # A text's vector does not depend on the batch it was encoded in.
    alone = encode(texts[:1], cache=False)
    embedding._memory.clear()
    in_batch = encode(texts[::-1], cache=False, batch_size=7)[-1:]
    np.testing.assert_array_equal(alone, in_batch)


# -- the cache -----------------------------------------------------------------------------
def test_cache_one_file_per_text_and_safe_to_delete(tmp_path):
    texts = ["We sit in on each other's lessons on Thursdays.", "The buses were late."]
    first = encode(texts, cache_dir=tmp_path)
    files = sorted(tmp_path.rglob("*.npy"))
    assert len(files) == 2
    assert {f.stem for f in files} == {embedding._text_key(t) for t in texts}
    assert files[0].parent.parent.name == "all-MiniLM-L6-v2"
    embedding._memory.clear()
    np.testing.assert_array_equal(encode(texts, cache_dir=tmp_path), first)  # from disk
    for f in files:
        f.unlink()
    embedding._memory.clear()
    np.testing.assert_array_equal(encode(texts, cache_dir=tmp_path), first)  # re-encoded


def test_cache_location_comes_from_config():
    assert embedding._cache_folder("all-MiniLM-L6-v2", None).parent == \
        plcase.config.EMBEDDING_CACHE_DIR


def test_missing_model_package_names_the_extra(monkeypatch):
    monkeypatch.setitem(embedding._MODEL_PACKAGES, "no-such-model", "plcase_no_such_package")
    with pytest.raises(plcase.PlcaseError, match=r"plcase\[semantic\]"):
        encode(["text"], model="no-such-model", cache=False)


def test_unknown_model_is_never_downloaded():
    with pytest.raises(plcase.PlcaseError, match="never downloads"):
        encode(["text"], model="sentence-transformers/all-mpnet-base-v2", cache=False)


# -- zero-shot ---------------------------------------------------------------------------
def test_zero_shot_needs_only_the_codebook(study, train):
    X, y, codes = train
    tagger = EmbeddingTagger(zero_shot=True).fit(codebook=study.codebook)
    assert tagger.classes_.tolist() == study.codebook.query("kind == 'theme'")["code"].tolist()
    assert (tagger.thresholds_ == embedding.ZERO_SHOT_THRESHOLD).all()
    assert to_codings(tagger, study)["coder"].unique().tolist() == ["auto:zero-shot"]
    # A codebook example is closest to its own code.
    prototypes = codebook_prototypes(study.codebook, tagger.classes_)
    examples = prototypes[prototypes["field"] == "example"].drop_duplicates("code")
    best = tagger.predict_proba(examples["text"].tolist()).argmax(axis=1)
    assert tagger.classes_[best].tolist() == examples["code"].tolist()
    # With human codes the thresholds are tuned on them.
    tuned = EmbeddingTagger(study.codebook, codes=codes, zero_shot=True).fit(X, y)
    assert not (tuned.thresholds_ == embedding.ZERO_SHOT_THRESHOLD).all()


def test_zero_shot_without_codebook_says_what_to_do():
    with pytest.raises(plcase.PlcaseError, match="codebook"):
        EmbeddingTagger(zero_shot=True).fit()
    with pytest.raises(plcase.PlcaseError, match="training_set"):
        EmbeddingTagger().fit(["a passage"])


# -- explain -------------------------------------------------------------------------------
def test_explain_shows_nearest_coded_passages_and_codebook(study, train, fitted):
    X, y, codes = train
    k = codes.index("embedded_pd")
    text = X[int(np.flatnonzero(y[:, k])[0])]
    why = fitted.explain(text)
    rows = why[why["code"] == "embedded_pd"]
    passages = rows[rows["evidence"] == "passage"]
    assert passages["text"].iloc[0] == text and passages["similarity"].iloc[0] > 0.999
    assert len(passages) == fitted.n_neighbors
    codebook_rows = rows[rows["evidence"] == "codebook"]
    assert len(codebook_rows) == 1
    assert codebook_rows["text"].iloc[0] in set(fitted.prototypes_["text"])
    assert rows["tagged"].iloc[0] == bool(fitted.predict([text])[0, k])


def test_suggest_works_with_the_embedding_tagger(study, fitted):
    suggestions = plcase.suggest(fitted, study, n=3, coder="coder_b")
    assert len(suggestions) == 3 and suggestions["terms"].str.len().gt(0).all()


# -- quality, against the other coders computed here ---------------------------------------
def test_side_by_side_has_four_taggers_and_the_humans(side_by_side):
    assert side_by_side["tagger"].unique().tolist() == [
        "rules", "tf-idf model", "embedding", "zero-shot", "human"]
    assert {"precision", "recall", "f1", "kappa"} <= set(side_by_side.columns)


def test_embedding_matches_tfidf_model_and_approaches_humans(study, side_by_side):
    macro = side_by_side[side_by_side["code"] == "macro"].set_index("tagger")["kappa"]
    humans = _macro(human_agreement(study), "kappa")
    assert macro["human"] == pytest.approx(humans)
    # "At least matches": differences under 0.02 kappa are noise with ~20 positive
    # passages per code in a held-out fold (and the two share the TF-IDF half).
    assert macro["embedding"] >= macro["tf-idf model"] - 0.02
    assert macro["embedding"] >= 0.75 * humans


def test_zero_shot_beats_keyword_rules_on_recall(side_by_side):
    macro = side_by_side[side_by_side["code"] == "macro"].set_index("tagger")["recall"]
    assert macro["zero-shot"] > macro["rules"]


def test_other_peoples_words(study, train, fitted):
    """Passages written by other people in words neither the codebook nor the sample uses."""
    unseen = pd.read_csv(UNSEEN)
    X, y, codes = train
    model = plcase.ModelTagger(study.codebook, codes=codes, random_state=SEED).fit(X, y)
    ours = _macro(score_labelled_texts(fitted, unseen), "f1")
    assert ours >= 0.70
    assert ours >= _macro(score_labelled_texts(model, unseen), "f1")
    zero = EmbeddingTagger(study.codebook, codes=codes, zero_shot=True).fit()
    rules = plcase.RuleTagger(study.codebook, codes=codes).fit()
    assert (_macro(score_labelled_texts(zero, unseen), "recall")
            > _macro(score_labelled_texts(rules, unseen), "recall"))
