"""Compact codings (issue 14, part 6): categories for ``doc_id``, ``code`` and
``coder`` and 32-bit offsets hold the same codings in less memory, and every
function that takes codings gives the same result from either form.

Each consumer runs twice on the sample with the same codings, once as plain
strings and once compact (with a machine coder beside the humans, so there
are several coders and codes whose categories must line up), and the results
are compared value by value. Memory is compared on a generated district
survey, never timed.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import plcase
from plcase.agreement import unitizing_alpha, unitizing_alpha_family
from plcase.agreement import units as agreement_units
from plcase.datasets import DISTRICT_QUESTIONS, write_district_survey
from plcase.matrix import MEASURES, coded_passages
from plcase.schema import COMPACT_MIN_ROWS, compact_codings, concat_codings, is_compact


def _plain(value):
    """Categories back to plain values (frame columns, index levels and columns)."""
    if isinstance(value, pd.DataFrame):
        value = value.copy()
        for col in value.columns:
            if isinstance(value[col].dtype, pd.CategoricalDtype):
                value[col] = value[col].astype(object)
        value.index = _plain_index(value.index)
        value.columns = _plain_index(value.columns)
        return value
    return value


def _plain_index(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return pd.MultiIndex.from_arrays(
            [_plain_index(index.get_level_values(k)) for k in range(index.nlevels)],
            names=index.names)
    if isinstance(index, pd.CategoricalIndex):
        return pd.Index(index.astype(object), name=index.name)
    return index


def assert_same(plain, compact):
    """Same values, order, index and attrs; categories may stand for strings and
    int32 offsets for int64 (``check_dtype=False``), nothing else may differ."""
    if isinstance(plain, pd.DataFrame):
        pd.testing.assert_frame_equal(_plain(plain), _plain(compact), check_dtype=False,
                                      check_categorical=False, check_index_type=False,
                                      check_column_type=False)
        assert plain.attrs == compact.attrs
    elif isinstance(plain, pd.Series):
        pd.testing.assert_series_equal(plain.astype(object), compact.astype(object),
                                       check_index_type=False)
    else:
        assert plain == compact


@pytest.fixture(scope="module")
def studies(sample):
    """The sample with its human codings and a rule coder's, plain and compact."""
    rules = plcase.RuleTagger(sample.codebook).fit()
    plain = sample.with_codings(plcase.to_codings(rules, sample, compact=False))
    compact = replace(sample, codings=compact_codings(sample.codings))
    compact = compact.with_codings(plcase.to_codings(rules, sample, compact=True))
    assert not is_compact(plain.codings)
    for col in ("doc_id", "code", "coder"):
        assert isinstance(compact.codings[col].dtype, pd.CategoricalDtype), col
    assert compact.codings["start"].dtype == np.int32
    return plain, compact


def test_compact_study_holds_the_same_codings_in_the_same_order(studies):
    plain, compact = studies
    assert_same(plain.codings, compact.codings)
    assert plain.coders == compact.coders
    assert plain.primary_coder == compact.primary_coder
    assert plain.machine_coders == compact.machine_coders
    assert plain.reliability_coders == compact.reliability_coders


def test_with_codings_mixing_plain_and_compact_keeps_every_coding(sample, studies):
    plain, _ = studies
    rules = plcase.RuleTagger(sample.codebook).fit()
    # Human codings as strings, machine codings compact: the study turns compact and the
    # categories of both sides are joined (pd.concat alone would fall back to strings).
    mixed = sample.with_codings(plcase.to_codings(rules, sample, compact=True))
    assert is_compact(mixed.codings)
    assert set(mixed.codings["coder"].cat.categories) == set(plain.coders)
    assert_same(plain.codings, mixed.codings)
    # Replacing a coder in a compact study drops its rows and adds the new ones.
    again = mixed.with_codings(plcase.to_codings(rules, sample, coder="auto:rules"))
    assert_same(plain.codings, again.codings)


def test_concat_codings_joins_different_categories():
    a = compact_codings(plcase.schema.coding_frame(
        [{"doc_id": "d2", "start": 0, "end": 4, "code": "grow", "coder": "ben"}]))
    b = compact_codings(plcase.schema.coding_frame(
        [{"doc_id": "d1", "start": 1, "end": 3, "code": "glow", "coder": "ana"}]))
    both = concat_codings([a, b])
    assert both["coder"].tolist() == ["ben", "ana"]
    # Categories are sorted, so sorting codings sorts them as strings.
    assert list(both["doc_id"].cat.categories) == ["d1", "d2"]
    assert plcase.schema.sort_codings(both)["doc_id"].tolist() == ["d1", "d2"]
    assert (both["coder"] == "ana").tolist() == [False, True]
    assert both["code"].str.startswith("g").all()


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("by", ["school", ["school", "role"], "source"])
def test_theme_matrix_is_the_same_from_compact_codings(studies, measure, by):
    plain, compact = studies
    for coder in (None, "auto:rules"):
        assert_same(plcase.theme_matrix(plain, by=by, measure=measure, coder=coder),
                    plcase.theme_matrix(compact, by=by, measure=measure, coder=coder))


@pytest.mark.parametrize("measure", ["count", "jaccard", "conditional"])
def test_cooccurrence_is_the_same_from_compact_codings(studies, measure):
    plain, compact = studies
    assert_same(plcase.cooccurrence(plain, measure=measure),
                plcase.cooccurrence(compact, measure=measure))


def test_passage_rollups_and_matrices_are_the_same_from_compact_codings(studies):
    plain, compact = studies
    assert_same(coded_passages(plain, coder="auto:rules"), coded_passages(compact, coder="auto:rules"))
    assert_same(coded_passages(plain), coded_passages(compact))
    assert_same(plcase.row_counts(plain), plcase.row_counts(compact))
    assert_same(plcase.glow_grow(plain), plcase.glow_grow(compact))
    assert_same(plcase.framework_matrix(plain), plcase.framework_matrix(compact))
    assert_same(plcase.coding_counts(plain), plcase.coding_counts(compact))


@pytest.mark.parametrize("unit", ["passage", "document", "sentence"])
def test_units_and_agreement_are_the_same_from_compact_codings(studies, unit):
    plain, compact = studies
    coders = [plain.primary_coder, "auto:rules"]
    a = agreement_units(plain, unit=unit, coders=coders)
    b = agreement_units(compact, unit=unit, coders=coders)
    assert_same(a, b)
    coefficients = ["percent_agreement", "cohen_kappa", "krippendorff_alpha"]
    assert_same(plcase.agreement(a, coefficients=coefficients),
                plcase.agreement(b, coefficients=coefficients))
    assert_same(plcase.disagreements(plain), plcase.disagreements(compact))


def test_retrieve_is_the_same_from_compact_codings(studies):
    plain, compact = studies
    code = plain.theme_codes[0]
    assert_same(plcase.retrieve(plain, code), plcase.retrieve(compact, code))
    assert_same(plcase.retrieve(plain, coder="auto:rules", context=1),
                plcase.retrieve(compact, coder="auto:rules", context=1))


def test_write_qdpx_writes_the_same_project_from_compact_codings(studies, tmp_path):
    plain, compact = studies
    a = plcase.read_qdpx(plcase.write_qdpx(plain, tmp_path / "plain.qdpx"))
    b = plcase.read_qdpx(plcase.write_qdpx(compact, tmp_path / "compact.qdpx"))
    assert_same(a.codings, b.codings)
    assert len(b.codings) == len(compact.codings)


def test_compact_codings_at_least_halve_the_memory_of_ids_codes_coders_and_offsets(sample,
                                                                                     tmp_path):
    csv = write_district_survey(tmp_path / "survey.csv", n_students=30_000,
                                codebook=sample.codebook)
    survey = plcase.read_responses(csv, text=list(DISTRICT_QUESTIONS), id="student_id",
                                   meta=["school"], codebook=sample.codebook)
    rules = plcase.RuleTagger(survey.codebook).fit()
    plain = plcase.to_codings(rules, survey, compact=False)
    compact = plcase.to_codings(rules, survey)  # the default at this size
    assert len(compact) >= COMPACT_MIN_ROWS and is_compact(compact)
    assert_same(plain, compact)
    columns = ["doc_id", "start", "end", "code", "coder"]
    before = plain[columns].memory_usage(deep=True).sum()
    after = compact[columns].memory_usage(deep=True).sum()
    assert after <= before / 2
    # The whole frame (free text and passage ids stay strings) shrinks by a quarter or more.
    assert compact.memory_usage(deep=True).sum() <= 0.75 * plain.memory_usage(deep=True).sum()
    # And the study keeps it compact.
    tagged = survey.with_codings(compact)
    assert is_compact(tagged.codings)
    assert_same(survey.with_codings(plain).codings, tagged.codings)


def test_unitizing_alphas_are_the_same_from_compact_codings(studies, sample):
    plain, compact = studies
    humans = list(sample.reliability_coders[0])
    for codes in (list(sample.valence_codes), list(sample.theme_codes)):
        assert_same(unitizing_alpha_family(plain, coders=humans, code=codes),
                    unitizing_alpha_family(compact, coders=humans, code=codes))
    assert_same(unitizing_alpha(plain, coders=humans), unitizing_alpha(compact, coders=humans))
