"""Methods a reviewer accepts: context documents are not cases; models do not learn names."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from plcase.errors import PlcaseError
from plcase.evaluate import masking_effect
from plcase.masking import MASK, mask_names, name_tokens, names_in_texts, study_names
from plcase.matrix import glow_grow, row_counts, theme_matrix
from plcase.taggers import ModelTagger, RuleTagger

from tests.handmade import CODINGS, DOCS, build_study

DISTRICT = dict(doc_id="D-1", school="District office", source="interview", role="district",
                participant="Dr. Vance", date="2017-01-20",
                turns=[("INTERVIEWER", "What does the district see?"),
                       ("VANCE", "Coaches visit every school each week."),
                       ("VANCE", "Kids set goals in every building.")])
DISTRICT_CODINGS = [("D-1", "Coaches visit every school each week.", "embedded_pd", "coder_a"),
                    ("D-1", "Kids set goals in every building.", "student_driven", "coder_a")]


@pytest.fixture(scope="module")
def with_context():
    study = build_study(docs=DOCS + [DISTRICT], codings=CODINGS + DISTRICT_CODINGS)
    return replace(study, documents=study.documents.assign(
        context=study.documents["doc_id"].eq("D-1")))


# ---------------------------------------------------------------- context documents

def test_context_document_is_its_own_row_not_a_case(with_context):
    m = theme_matrix(with_context)
    assert m.index.tolist() == ["Grand Oak", "Ridge Road", "context: D-1"]
    # the case rows are exactly those of the study without the district interview
    cases = theme_matrix(build_study())
    assert (m.loc[["Grand Oak", "Ridge Road"]].to_numpy() == cases.to_numpy()).all()
    assert m.loc["context: D-1"].tolist() == [0, 1, 1, 0]
    assert "D-1" in m.attrs["note"] and m.attrs["context"] == ["context: D-1"]


def test_context_can_be_left_out_or_grouped_like_a_case(with_context):
    left_out = theme_matrix(with_context, context="exclude")
    assert left_out.index.tolist() == ["Grand Oak", "Ridge Road"]
    assert "D-1" in left_out.attrs["note"] and "left out" in left_out.attrs["note"]
    grouped = theme_matrix(with_context, context="include")
    assert "District office" in grouped.index
    with pytest.raises(PlcaseError, match="context must be"):
        theme_matrix(with_context, context="hide")


def test_context_apart_by_role_and_in_glow_grow(with_context):
    by_role = theme_matrix(with_context, by="role")
    assert "district" not in by_role.index and by_role.index[-1] == "context: D-1"
    gg = glow_grow(with_context)
    assert set(gg["school"]) == {"Grand Oak", "Ridge Road", "context: D-1"}


def test_every_row_says_its_n(with_context):
    m = theme_matrix(with_context, measure="share")
    # participant passages by hand: Grand Oak 4 (Avery 2, Kai, Lee); Ridge Road 3 (Bell 2,
    # the site visit's notes); D-1 2 (Vance)
    assert m.attrs["n_passages"] == {"Grand Oak": 4, "Ridge Road": 3, "context: D-1": 2}
    assert m.attrs["n_informants"] == {"Grand Oak": 3, "Ridge Road": 2, "context: D-1": 1}
    counts = row_counts(with_context)
    assert counts.loc["context: D-1"].tolist() == [1, 2, 1]
    gg = glow_grow(with_context).set_index(["school", "code"])
    assert gg.loc[("Grand Oak", "embedded_pd"), "group_passages"] == 4


# ---------------------------------------------------------------- name masking

def test_name_tokens_and_masking_rules():
    assert name_tokens("Ms. Denise Harwell") == ["Denise", "Harwell"]
    assert name_tokens("J. Lindqvist") == ["Lindqvist"]
    masked = mask_names(["HARWELL said Ms. Harwell's room; harwell the verb", "Bell rang the bell"],
                        ["Harwell", "Bell"])
    assert masked == [f"{MASK} said Ms. {MASK}'s room; harwell the verb", f"{MASK} rang the bell"]
    assert mask_names(["nothing"], []) == ["nothing"]


def test_names_found_in_texts():
    texts = ["Ask Mr. Tillery. Marcus Tillery runs the lab on Wednesday.",
             "We love our coach, and Renee comes Tuesdays. The lab is great, then we plan.",
             "Then Marcus said the Institute helps."]
    found = names_in_texts(texts, exclude=["Institute"])
    # title -> Tillery; beside a name -> Marcus; never lower case, mid-sentence -> Renee;
    # "Then" opens a sentence beside a name but is written in lower case elsewhere
    assert found == ["Marcus", "Renee", "Tillery"]
    assert "Wednesday" not in found and "Institute" not in found


def test_study_names_from_front_matter_and_speaker_labels():
    names = study_names(build_study())
    assert {"Avery", "Bell", "Kai", "Lee"} <= set(names)
    assert "Interviewer" not in names


TEXTS = ["Renee sat with us and we planned the lesson together",
         "Renee watched my lesson and gave feedback",
         "our team planned lessons with Renee every week",
         "kids chose their own station today",
         "students pick a playlist and set a goal",
         "the kids chose what to read next"] * 4
LABELS = ([[1, 0]] * 3 + [[0, 1]] * 3) * 4


def _word_features(model):
    names = model.features_.get_feature_names_out()
    return {n.split("__", 1)[1] for n in names if n.startswith("word__")}


def test_model_tagger_masks_names_by_default():
    masked = ModelTagger(codes=["embedded_pd", "student_driven"], threshold_cv=0,
                         random_state=0).fit(TEXTS, LABELS)
    assert masked.names_ == ["Renee"]
    assert not any("rene" in f for f in _word_features(masked))
    # a learned name scores as the neutral word: it carries no weight of its own
    assert masked.predict_proba(["Renee planned it"]).tolist() == \
        masked.predict_proba([f"{MASK} planned it"]).tolist()
    plain = ModelTagger(codes=["embedded_pd", "student_driven"], threshold_cv=0, random_state=0,
                        mask_names=False).fit(TEXTS, LABELS)
    assert plain.names_ == [] and "rene" in _word_features(plain)
    assert not np.allclose(plain.predict_proba(["Renee"]), plain.predict_proba([MASK]))


def test_explicit_names_are_masked_even_when_written_lower_elsewhere():
    texts = TEXTS + ["a bell rang"] + ["Bell planned the lesson"]
    y = LABELS + [[0, 0], [1, 0]]
    model = ModelTagger(codes=["embedded_pd", "student_driven"], threshold_cv=0, random_state=0,
                        names=["Bell"]).fit(texts, y)
    assert "Bell" in model.names_
    assert "bell" in _word_features(model)  # the lower-case bell stays a word


def test_masking_effect_reports_both_splits_both_ways():
    study = build_study()
    model = ModelTagger(study.codebook, threshold_cv=0, random_state=0)
    effect = masking_effect(model, study, n_splits=2)
    assert effect[["split", "groups", "mask_names"]].values.tolist() == [
        ["held-out documents", "doc_id", True], ["held-out documents", "doc_id", False],
        ["school transfer", "school", True], ["school transfer", "school", False]]
    assert {"micro_kappa", "macro_kappa", "macro_f1"} <= set(effect.columns)
    with pytest.raises(PlcaseError, match="mask_names"):
        masking_effect(RuleTagger(study.codebook), study)
