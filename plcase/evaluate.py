"""Machine coders measured like human ones: training sets, codings, scores, suggestions.

Every function here works at the level of passages: a passage carries a code
for a coder when one of that coder's codings of the code overlaps it. Only the
documents a coder coded count for that coder (a passage of a document the
coder never opened is unknown, not "no code").

* :func:`training_set` — ``(X, y, classes)`` for any tagger's ``fit``;
* :func:`to_codings` — a fitted tagger's tags as rows of the codings frame, so a
  machine is one more coder (``auto:rules``, ``auto:model``);
* :func:`evaluate_tagger` — grouped cross-validation (a document, or a school,
  never sits on both sides of a split) scored against a human coder;
* :func:`cross_val_codings` — the out-of-fold tags themselves, as codings;
* :func:`human_agreement` — the same scores for two human coders, the yardstick;
* :func:`suggest` — uncoded passages a researcher should look at next.
"""

from __future__ import annotations

import inspect
import warnings
import weakref

import joblib
import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import cohen_kappa_score, f1_score, precision_score, recall_score
from sklearn.model_selection import GroupKFold
from sklearn.utils.validation import check_is_fitted

from plcase import config
from plcase.embedding import EmbeddingTagger
from plcase.errors import PlcaseError
from plcase.roles import keep_roles, roles_note
from plcase.schema import COMPACT_MIN_ROWS
from plcase.taggers import ModelTagger, RuleTagger

__all__ = ["training_set", "to_codings", "tags_and_scores", "fold_assignments", "cross_val_codings",
           "evaluate_tagger", "human_agreement", "compare_taggers", "score_indicators",
           "score_labelled_texts", "suggest", "masking_effect"]

SCORE_COLUMNS = ["coder", "reference", "code", "n", "support", "predicted",
                 "precision", "recall", "f1", "kappa"]


def _codes(study, codes) -> list[str]:
    if codes is not None:
        codes = list(codes)
        unknown = sorted(set(codes) - set(study.codes))
        if unknown:
            raise PlcaseError(f"code(s) {unknown} are not in the study's codebook")
        return codes
    return study.theme_codes


def _coded_documents(study, coder: str) -> list[str]:
    return sorted(study.codings.loc[study.codings["coder"] == coder, "doc_id"].unique())


def _labels(study, passages: pd.DataFrame, coder: str, codes: list[str]) -> np.ndarray:
    """Indicator matrix: passage × code, 1 where a coding of ``coder`` overlaps it."""
    y = np.zeros((len(passages), len(codes)), dtype=np.int8)
    index = {c: k for k, c in enumerate(codes)}
    codings = study.codings[(study.codings["coder"] == coder)
                            & study.codings["code"].isin(index)]
    rows = np.arange(len(passages))
    by_doc = {d: g for d, g in passages.assign(_row=rows).groupby("doc_id", sort=False, observed=True)}
    for doc, start, end, code in zip(codings["doc_id"], codings["start"],
                                     codings["end"], codings["code"]):
        group = by_doc.get(doc)
        if group is None:
            continue
        # Half-open spans overlap when each starts before the other ends.
        hit = (group["start"].to_numpy() < end) & (group["end"].to_numpy() > start)
        y[group["_row"].to_numpy()[hit], index[code]] = 1
    return y


def _coded_passages(study, coder: str) -> pd.DataFrame:
    docs = set(_coded_documents(study, coder))
    return study.passages[study.passages["doc_id"].isin(docs)].reset_index(drop=True)


def training_set(study, coder: str | None = None, codes=None):
    """Passages of a study with one coder's codes, ready for ``tagger.fit(X, y)``.

    Parameters
    ----------
    study : Study
    coder : str, optional
        The human coder whose codes are the labels. Default
        the study's primary coder (``study.primary_coder``).
    codes : list of str, optional
        The codes (columns of ``y``). Default: the study's theme codes (``study.theme_codes``).

    Returns
    -------
    X : list of str
        The text of every passage of the documents ``coder`` coded.
    y : ndarray of int8, shape (len(X), len(classes))
        1 where a coding of ``coder`` overlaps the passage.
    classes : list of str

    Examples
    --------
    >>> import plcase
    >>> X, y, classes = training_set(plcase.read_sample())
    >>> classes
    ['shared_culture', 'embedded_pd', 'student_driven', 'whole_child_sel']
    >>> len(X) == y.shape[0]
    True
    """
    coder = coder or study.primary_coder
    codes = _codes(study, codes)
    if coder not in study.coders:
        raise PlcaseError(f"coder {coder!r} has no codings in this study; "
                          f"coders are {study.coders}")
    passages = _coded_passages(study, coder)
    return passages["text"].tolist(), _labels(study, passages, coder, codes), codes


def _coder_name(tagger, coder):
    return coder or getattr(tagger, "coder_name", None) or f"auto:{type(tagger).__name__}"


def _scores_of(tagger, texts) -> np.ndarray:
    if hasattr(tagger, "predict_proba"):
        return np.asarray(tagger.predict_proba(texts), dtype=float)
    return np.asarray(tagger.decision_function(texts), dtype=float)


def _sorted_categorical(values: np.ndarray) -> pd.Categorical:
    """``values`` as categories in sorted order. Python's sort of the distinct values
    (linear on ids that arrive nearly sorted, as a survey's do) instead of
    ``factorize(sort=True)``'s quicksort."""
    ids, uniques = pd.factorize(values)
    try:
        order = sorted(range(len(uniques)), key=uniques.__getitem__)
    except TypeError:  # mixed types: as compact_codings orders them
        order = sorted(range(len(uniques)), key=lambda k: str(uniques[k]))
    rank = np.empty(len(uniques) + 1, dtype=np.int64)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(len(uniques))
    rank[-1] = -1  # factorize's -1 (missing) stays missing
    return pd.Categorical.from_codes(rank[ids], categories=np.asarray(uniques, dtype=object)[order])


def _as_codings(passages, pred, score, classes, coder, compact=None) -> pd.DataFrame:
    rows, cols = np.nonzero(pred)
    if compact is None:
        compact = len(rows) >= COMPACT_MIN_ROWS
    classes = np.asarray(classes, dtype=object)
    if compact:
        # Categories built from positions (no string hashing per row beyond the
        # ids), sorted as compact_codings sorts them.
        order = np.argsort(classes, kind="stable")
        rank = np.empty(len(classes), dtype=np.int64)
        rank[order] = np.arange(len(classes))
        code = pd.Categorical.from_codes(rank[cols], categories=classes[order])
        doc_id = _sorted_categorical(passages["doc_id"].to_numpy()[rows])
        who = pd.Categorical.from_codes(np.zeros(len(rows), dtype=np.int8), categories=[coder])
        offset = np.int32 if passages["end"].max() <= np.iinfo(np.int32).max else np.int64
    else:
        code, doc_id, who, offset = classes[cols], passages["doc_id"].to_numpy()[rows], coder, \
            np.int64
    frame = pd.DataFrame({
        "doc_id": doc_id,
        "start": passages["start"].to_numpy()[rows].astype(offset),
        "end": passages["end"].to_numpy()[rows].astype(offset),
        "code": code,
        "coder": who,
        "passage_id": passages["passage_id"].to_numpy()[rows],
        "text": passages["text"].to_numpy()[rows],
        "memo": None,
        "score": np.asarray(score[rows, cols], dtype=np.float64),
    }, copy=False)
    # Already in the canonical columns, order and dtypes of coding_frame, which would copy
    # every column again.
    return frame


def to_codings(tagger, study, coder: str | None = None, *,
               progress: bool | None = None, compact: bool | None = None) -> pd.DataFrame:
    """A fitted tagger's tags of every passage, as rows of the codings frame.

    Each tag spans its whole passage; ``score`` is the tagger's probability
    (:meth:`predict_proba`) for that code.

    Parameters
    ----------
    tagger : fitted RuleTagger, ModelTagger or any estimator with the same signature
    study : Study
    coder : str, optional
        Name of the machine coder. Default: the tagger's ``coder_name``
        (``"auto:rules"`` or ``"auto:model"``).
    progress : bool, optional
        Show a progress bar while tagging (default: only in a terminal; see
        :mod:`plcase.progress`).
    compact : bool, optional
        Hold ``doc_id``, ``code`` and ``coder`` as categories and the offsets
        as int32 (:func:`plcase.compact_codings`: same values, a fraction of
        the memory). Default: from :data:`plcase.schema.COMPACT_MIN_ROWS`
        (20,000) tags on, so district-scale tagging is compact and a case
        study's few hundred tags are plain strings.

    Examples
    --------
    >>> import plcase
    >>> from plcase.taggers import RuleTagger
    >>> study = plcase.read_sample()
    >>> tags = to_codings(RuleTagger(study.codebook).fit(), study)
    >>> tags["coder"].unique().tolist()
    ['auto:rules']
    >>> study = study.with_codings(tags)
    """
    check_is_fitted(tagger)
    passages = study.passages
    pred, score = tags_and_scores(tagger, passages["text"].tolist(), progress=progress)
    return _as_codings(passages, pred, score, tagger.classes_, _coder_name(tagger, coder),
                       compact)


def tags_and_scores(tagger, texts, *, progress=None) -> tuple[np.ndarray, np.ndarray]:
    """A fitted tagger's indicator matrix and scores of ``texts``, scoring once.

    plcase's taggers derive their tags from their scores
    (``tag_scores(texts)``: the model thresholds its probabilities, the rule
    tagger counts its hits once), so the texts are featurised once; any other
    estimator is asked for ``predict`` and ``predict_proba`` (or
    ``decision_function``) separately.

    Examples
    --------
    >>> import plcase
    >>> study = plcase.read_sample()
    >>> rules = plcase.RuleTagger(study.codebook).fit()
    >>> texts = ["Our coach models a lesson.", "Lunch is short."]
    >>> pred, score = tags_and_scores(rules, texts)
    >>> bool((pred == rules.predict(texts)).all()), bool((score == rules.predict_proba(texts)).all())
    (True, True)
    """
    if hasattr(tagger, "tag_scores"):
        pred, score = tagger.tag_scores(texts, progress=progress)
        return np.asarray(pred), np.asarray(score, dtype=float)
    return np.asarray(tagger.predict(texts)), _scores_of(tagger, texts)


def fold_assignments(study, groups: str = "doc_id", coder: str | None = None,
                     n_splits: int = 5) -> pd.DataFrame:
    """Which test fold each passage falls in, splitting by whole groups.

    Parameters
    ----------
    groups : str, default "doc_id"
        A column of ``study.documents``; all passages sharing its value go to
        the same fold ("doc_id": documents never straddle a split; "school":
        train on some schools, test on another).
    n_splits : int, default 5
        Number of folds, at most the number of groups.

    Returns
    -------
    DataFrame
        ``passage_id, doc_id, group, fold`` for the passages ``coder`` coded.
    """
    coder = coder or study.primary_coder
    if groups not in study.documents.columns:
        raise PlcaseError(f"groups={groups!r} is not a column of the documents; "
                          f"use one of {study.documents.columns.tolist()}")
    passages = _coded_passages(study, coder)
    group_of = dict(zip(study.documents["doc_id"], study.documents[groups]))
    group = passages["doc_id"].map(group_of)
    n_groups = group.nunique()
    if n_groups < 2:
        raise PlcaseError(f"cross-validation by {groups!r} needs at least two groups; "
                          f"the passages coded by {coder!r} have {n_groups}")
    folds = np.empty(len(passages), dtype=np.int64)
    splitter = GroupKFold(n_splits=min(n_splits, n_groups))
    for fold, (_, test) in enumerate(splitter.split(passages, groups=group.astype(str))):
        folds[test] = fold
    return pd.DataFrame({"passage_id": passages["passage_id"], "doc_id": passages["doc_id"],
                         "group": group.to_numpy(), "fold": folds})


#: Out-of-fold results already computed, per study (see :func:`_out_of_fold`).
_OUT_OF_FOLD: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _evaluation_key(tagger, study, groups, coder, codes, n_splits):
    """What decides a cross-validation's result, or None when it may vary between runs.

    A tagger with a fixed seed (or none to set) fitted on the same folds gives
    the same predictions, so the notebooks' repeated evaluations of one model
    (the masking check re-runs the plain evaluation) are computed once.
    """
    params = tagger.get_params(deep=False)
    if "random_state" in params and not isinstance(params["random_state"], (int, np.integer)):
        return None
    try:
        fingerprint = joblib.hash((type(tagger).__qualname__, params))
    except Exception:  # noqa: BLE001 - an unhashable parameter: no reuse, same result
        return None
    return (fingerprint, groups, coder, tuple(_codes(study, codes)), n_splits)


def _out_of_fold(tagger, study, groups, coder, codes, n_splits):
    coder = coder or study.primary_coder
    key = _evaluation_key(tagger, study, groups, coder, codes, n_splits)
    done = _OUT_OF_FOLD.setdefault(study, {}) if key is not None else {}
    if key not in done:
        done[key] = _compute_out_of_fold(tagger, study, groups, coder, codes, n_splits)
    passages, y, pred, score, classes = done[key]
    return passages.copy(), y.copy(), pred.copy(), score.copy(), list(classes)


def _compute_out_of_fold(tagger, study, groups, coder, codes, n_splits):
    X, y, classes = training_set(study, coder=coder, codes=codes)
    assignment = fold_assignments(study, groups=groups, coder=coder, n_splits=n_splits)
    folds, group_of = assignment["fold"].to_numpy(), assignment["group"].to_numpy()
    # Taggers that tune on inner folds (EmbeddingTagger) keep the groups together there too.
    takes_groups = "groups" in inspect.signature(tagger.fit).parameters
    pred = np.zeros_like(y)
    score = np.zeros(y.shape, dtype=float)
    for fold in np.unique(folds):
        train = np.flatnonzero(folds != fold)
        test = np.flatnonzero(folds == fold)
        extra = {"groups": group_of[train]} if takes_groups else {}
        model = clone(tagger).fit([X[i] for i in train], y[train], **extra)
        held_out = [X[i] for i in test]
        pred[test], score[test] = tags_and_scores(model, held_out)
    return _coded_passages(study, coder), y, pred, score, classes


def cross_val_codings(tagger, study, groups: str = "doc_id", coder: str | None = None,
                      codes=None, n_splits: int = 5, name: str | None = None) -> pd.DataFrame:
    """Out-of-fold tags as codings: each passage tagged by a tagger that never saw
    its group (see :func:`fold_assignments`), fitted on ``coder``'s codes.

    Add them with ``study.with_codings(...)`` to compare the machine with any
    human coder using the agreement functions.

    Examples
    --------
    >>> import plcase
    >>> from plcase.taggers import RuleTagger
    >>> study = plcase.read_sample()
    >>> oof = cross_val_codings(RuleTagger(study.codebook), study, n_splits=3)
    >>> oof["coder"].unique().tolist()
    ['auto:rules']
    """
    passages, _, pred, score, classes = _out_of_fold(tagger, study, groups, coder,
                                                     codes, n_splits)
    return _as_codings(passages, pred, score, classes, _coder_name(tagger, name))


def score_indicators(y_true, y_pred, classes, *, coder: str = "tagger",
                     reference: str = "truth") -> pd.DataFrame:
    """Per-code precision, recall, F1 and Cohen's kappa of two indicator matrices.

    The scoring behind :func:`evaluate_tagger`, for tags of any passages (for
    example hand-labelled test passages): one row per code plus ``micro`` and
    ``macro`` rows, columns as in :func:`evaluate_tagger`.

    Examples
    --------
    >>> truth = [[1], [1], [0], [0]]
    >>> scores = score_indicators(truth, [[1], [0], [0], [0]], ["glow"])
    >>> scores[["precision", "recall"]].iloc[0].tolist()
    [1.0, 0.5]
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.shape[1] != len(classes):
        raise PlcaseError(f"truth {y_true.shape} and tags {y_pred.shape} must both have "
                          f"one column per code ({len(classes)})")
    return _score_frame(y_true, y_pred, list(classes), coder, reference)


def score_labelled_texts(tagger, labelled: pd.DataFrame, *, text: str = "text",
                         reference: str = "hand labels", coder: str | None = None) -> pd.DataFrame:
    """Score a fitted tagger on hand-labelled passages from anywhere.

    Parameters
    ----------
    tagger : fitted tagger
        Its ``classes_`` must all be columns of ``labelled``.
    labelled : DataFrame
        One row per passage: the ``text`` column and one 0/1 column per code.
    text : str
        Name of the text column.
    reference, coder : str
        Labels for the reference and the tagger in the output.

    Returns
    -------
    DataFrame
        As :func:`score_indicators`.

    Examples
    --------
    >>> import plcase
    >>> study = plcase.read_sample()
    >>> rules = plcase.RuleTagger(study.codebook).fit()
    >>> labelled = pd.DataFrame({"text": ["Our coach models a lesson every week."],
    ...                          **{code: [int(code == "embedded_pd")] for code in rules.classes_}})
    >>> score_labelled_texts(rules, labelled).set_index("code").loc["embedded_pd", "recall"]
    np.float64(1.0)
    """
    classes = list(tagger.classes_)
    missing = [c for c in [text, *classes] if c not in labelled.columns]
    if missing:
        raise PlcaseError(f"labelled passages lack column(s) {missing}; they need {text!r} and "
                          f"one 0/1 column per code of the tagger")
    predicted = tagger.predict(labelled[text].tolist())
    return score_indicators(labelled[classes].to_numpy(), predicted, classes,
                            coder=_coder_name(tagger, coder), reference=reference)


def _score_frame(y_true, y_pred, classes, coder, reference) -> pd.DataFrame:
    """Per-code precision, recall, F1 and Cohen's kappa, plus micro and macro rows."""
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kappa of two constant vectors is undefined: NaN
        for k, code in enumerate(classes):
            t, p = y_true[:, k], y_pred[:, k]
            kappa = cohen_kappa_score(t, p) if len(np.unique(np.r_[t, p])) > 1 else np.nan
            rows.append({"code": code, "n": len(t), "support": int(t.sum()),
                         "predicted": int(p.sum()),
                         "precision": precision_score(t, p, zero_division=np.nan),
                         "recall": recall_score(t, p, zero_division=np.nan),
                         "f1": f1_score(t, p, zero_division=np.nan),
                         "kappa": kappa})
        per_code = pd.DataFrame(rows)
        t, p = y_true.ravel(), y_pred.ravel()
        micro = {"code": "micro", "n": y_true.shape[0], "support": int(t.sum()),
                 "predicted": int(p.sum()),
                 "precision": precision_score(t, p, zero_division=np.nan),
                 "recall": recall_score(t, p, zero_division=np.nan),
                 "f1": f1_score(t, p, zero_division=np.nan),
                 "kappa": cohen_kappa_score(t, p) if len(np.unique(np.r_[t, p])) > 1 else np.nan}
    metrics = ["precision", "recall", "f1", "kappa"]
    macro = {"code": "macro", "n": y_true.shape[0], "support": int(y_true.sum()),
             "predicted": int(y_pred.sum()), **per_code[metrics].mean().to_dict()}
    frame = pd.concat([per_code, pd.DataFrame([micro, macro])], ignore_index=True)
    frame.insert(0, "reference", reference)
    frame.insert(0, "coder", coder)
    return frame[SCORE_COLUMNS].astype({"n": "int64", "support": "int64", "predicted": "int64",
                                        **dict.fromkeys(metrics, "float64")})


def evaluate_tagger(tagger, study, groups: str = "doc_id", coder: str | None = None,
                    codes=None, n_splits: int = 5) -> pd.DataFrame:
    """Grouped cross-validation of a tagger against a human coder.

    The tagger is cloned and fitted on ``coder``'s codes of the training folds
    and tags the held-out fold; groups (documents, or schools with
    ``groups="school"``) never straddle a split.

    Parameters
    ----------
    tagger : estimator
        An unfitted (or fitted: it is cloned) RuleTagger, ModelTagger, ...
    study : Study
    groups : str, default "doc_id"
        Column of ``study.documents`` that defines the groups.
    coder : str, optional
        The reference human coder. Default the study's primary coder (``study.primary_coder``).
    codes : list of str, optional
        Default: the study's theme codes (``study.theme_codes``).
    n_splits : int, default 5

    Returns
    -------
    DataFrame
        One row per code plus ``micro`` (all passage × code decisions pooled)
        and ``macro`` (unweighted mean over codes): ``coder, reference, code,
        n, support, predicted, precision, recall, f1, kappa``. Undefined
        values (no positives) are NaN.

    Examples
    --------
    >>> import plcase
    >>> from plcase.taggers import RuleTagger
    >>> study = plcase.read_sample()
    >>> scores = evaluate_tagger(RuleTagger(study.codebook), study, n_splits=3)
    >>> scores["code"].tolist()[-2:]
    ['micro', 'macro']
    """
    coder = coder or study.primary_coder
    _, y, pred, _, classes = _out_of_fold(tagger, study, groups, coder, codes, n_splits)
    return _score_frame(y, pred, classes, _coder_name(tagger, None), coder)


def human_agreement(study, coder: str | None = None, reference: str | None = None,
                    codes=None) -> pd.DataFrame:
    """Passage-level agreement of two human coders on the documents both coded.

    The same scores as :func:`evaluate_tagger` (``reference`` as the truth),
    so a machine's figures can sit next to the humans'. Kappa is symmetric in
    the two coders; precision and recall swap when they are swapped.

    Parameters
    ----------
    coder, reference : str, optional
        Default the study's first reliability pair (``study.reliability_coders``):
        its second coder against its first.

    Examples
    --------
    >>> import plcase
    >>> human_agreement(plcase.read_sample())["coder"].unique().tolist()
    ['coder_b']
    """
    if coder is None or reference is None:
        pairs = study.reliability_coders
        if not pairs:
            raise PlcaseError(f"this study has no second human coder to compare with "
                              f"{study.primary_coder!r}; add a second coder's codings to "
                              f"codings.csv, or pass coder= and reference=")
        reference = reference or pairs[0][0]
        coder = coder or (pairs[0][1] if pairs[0][1] != reference else pairs[0][0])
    codes = _codes(study, codes)
    shared = sorted(set(_coded_documents(study, coder)) & set(_coded_documents(study, reference)))
    if not shared:
        raise PlcaseError(f"no document was coded by both {coder!r} and {reference!r}")
    passages = study.passages[study.passages["doc_id"].isin(shared)].reset_index(drop=True)
    y_ref = _labels(study, passages, reference, codes)
    y_other = _labels(study, passages, coder, codes)
    return _score_frame(y_ref, y_other, codes, coder, reference)


def compare_taggers(study, taggers=None, groups: str = "doc_id", coder: str | None = None,
                    second_coder: str | None = None, codes=None,
                    n_splits: int = 5) -> pd.DataFrame:
    """Machine coders side by side with the human yardstick, on held-out documents.

    Each tagger is scored by :func:`evaluate_tagger` (grouped cross-validation
    against ``coder``); the two human coders' agreement
    (:func:`human_agreement`) is added as the last block, so every machine's
    kappa sits next to the humans'.

    Parameters
    ----------
    study : Study
    taggers : dict of name -> estimator, optional
        Default: keyword rules, the TF-IDF model, the embedding model and
        zero-shot embeddings (the last two need ``plcase[semantic]``).
    groups, coder, codes, n_splits
        As in :func:`evaluate_tagger`.
    second_coder : str, optional
        The other human coder. Default the study's reliability partner of
        ``coder``; the human block is left out when no document was coded by both.

    Returns
    -------
    DataFrame
        ``tagger`` (the name), then the columns of :func:`evaluate_tagger`: one
        row per tagger and code, plus its ``micro`` and ``macro`` rows.

    Examples
    --------
    >>> import plcase
    >>> study = plcase.read_sample()
    >>> rules = plcase.RuleTagger(study.codebook)
    >>> table = compare_taggers(study, {"rules": rules}, n_splits=3)
    >>> table["tagger"].unique().tolist()
    ['rules', 'human']
    """
    if taggers is None:
        taggers = default_taggers(study)
    coder = coder or study.primary_coder
    blocks = [evaluate_tagger(tagger, study, groups=groups, coder=coder, codes=codes,
                              n_splits=n_splits).assign(tagger=name)
              for name, tagger in taggers.items()]
    try:
        blocks.append(human_agreement(study, coder=second_coder, reference=coder,
                                      codes=codes).assign(tagger="human"))
    except PlcaseError:
        pass  # a study without double-coded documents has no human yardstick
    frame = pd.concat(blocks, ignore_index=True)
    return frame[["tagger", *SCORE_COLUMNS]]


def default_taggers(study) -> dict:
    """The four taggers of :func:`compare_taggers`, configured for ``study``."""
    seed = config.RANDOM_STATE
    return {"rules": RuleTagger(study.codebook),
            "tf-idf model": ModelTagger(study.codebook, random_state=seed),
            "embedding": EmbeddingTagger(study.codebook, random_state=seed),
            "zero-shot": EmbeddingTagger(study.codebook, zero_shot=True, random_state=seed)}


def suggest(tagger, study, n: int = 20, coder: str | None = None, by: str = "uncertainty",
            n_terms: int = 5, include_roles=None) -> pd.DataFrame:
    """Uncoded passages a researcher should code next, with the words behind each score.

    A passage is uncoded when its document has no coding by ``coder``. Each
    passage is scored for every code; its row shows the code it is most
    likely to carry (``by="probability"``: find more examples of a code) or
    the code the tagger is least sure about (``by="uncertainty"``: the
    passages whose human code would teach the model most).

    Parameters
    ----------
    tagger : fitted tagger with ``predict_proba`` and ``explain``
    study : Study
    n : int, default 20
        How many passages to return.
    coder : str, optional
        Whose uncoded documents to search. Default
        the study's primary coder (``study.primary_coder``).
    by : {"uncertainty", "probability"}
    n_terms : int, default 5
        Number of words listed in ``terms``.
    include_roles : list of str or "all", optional
        Speaker roles whose passages may be suggested; default participants
        only (interviewer and facilitator turns ask, they are not coded).

    Returns
    -------
    DataFrame
        ``rank, passage_id, doc_id, speaker, speaker_role, code, probability,
        threshold, uncertainty, terms, text``; ``uncertainty`` is 1 at the
        code's decision threshold and 0 at probability 0 or 1.
        ``attrs['note']`` says which speaker turns were left out.

    Examples
    --------
    >>> import plcase
    >>> from plcase.taggers import ModelTagger
    >>> study = plcase.read_sample()
    >>> model = ModelTagger(study.codebook, random_state=0).fit(*training_set(study)[:2])
    >>> suggest(model, study, n=5, coder="coder_b").shape[0]
    5
    """
    if by not in ("uncertainty", "probability"):
        raise PlcaseError(f"by must be 'uncertainty' or 'probability', not {by!r}")
    check_is_fitted(tagger)
    coder = coder or study.primary_coder
    roles = keep_roles(include_roles)
    coded = set(_coded_documents(study, coder))
    passages = study.passages[~study.passages["doc_id"].isin(coded)
                              & study.passages["speaker_role"].isin(roles)].reset_index(drop=True)
    columns = ["rank", "passage_id", "doc_id", "speaker", "speaker_role", "code", "probability",
               "threshold", "uncertainty", "terms", "text"]
    note = {"roles": list(roles), "note": roles_note(roles)}
    if passages.empty:
        empty = pd.DataFrame(columns=columns)
        empty.attrs = note
        return empty
    proba = _scores_of(tagger, passages["text"].tolist())
    thresholds = np.broadcast_to(np.asarray(getattr(tagger, "thresholds_", 0.5), dtype=float),
                                 (len(tagger.classes_),))
    # Distance from the threshold, scaled so both sides reach 0 at 0 and 1.
    span = np.where(proba >= thresholds, 1 - thresholds, thresholds)
    uncertainty = 1 - np.abs(proba - thresholds) / span
    choice = uncertainty if by == "uncertainty" else proba
    best = choice.argmax(axis=1)
    rows = np.arange(len(passages))
    frame = passages[["passage_id", "doc_id", "speaker", "speaker_role", "text"]].assign(
        code=np.asarray(tagger.classes_, dtype=object)[best],
        probability=proba[rows, best], threshold=thresholds[best],
        uncertainty=uncertainty[rows, best], _key=choice[rows, best])
    frame = frame.sort_values(["_key", "passage_id"], ascending=[False, True],
                              kind="mergesort").head(n).reset_index(drop=True)
    frame["terms"] = [_top_terms(tagger, text, code, n_terms)
                      for text, code in zip(frame["text"], frame["code"])]
    frame["rank"] = np.arange(1, len(frame) + 1)
    frame = frame[columns]
    frame.attrs = note
    return frame


def _top_terms(tagger, text: str, code: str, n_terms: int) -> str:
    """The words behind ``code``'s score in ``text``, as one readable string."""
    explained = tagger.explain(text)
    explained = explained[explained["code"] == code]
    if "contribution" in explained.columns:
        terms = explained.sort_values("contribution", ascending=False)["term"]
    else:
        terms = explained.loc[~explained["negated"], "matched"].str.lower()
    return ", ".join(list(dict.fromkeys(terms.tolist()))[:n_terms])


def masking_effect(tagger, study, coder: str | None = None, codes=None, n_splits: int = 5,
                   case_column: str | None = None) -> pd.DataFrame:
    """Held-out and school-transfer kappa of a tagger with and without name masking.

    The tagger (one with a ``mask_names`` parameter, such as
    :class:`~plcase.taggers.ModelTagger`) is evaluated by grouped
    cross-validation twice over: held-out documents (``groups="doc_id"``)
    and held-out cases (trained on the other schools, tested on one), each
    with masking on and off.  A model that learned names scores well on
    held-out documents of a school whose staff it knows and loses that edge
    on a new school; masking shows how much of the score was names.

    Parameters
    ----------
    tagger : estimator with a ``mask_names`` parameter
    study : Study
    coder : str, optional
        Reference human coder; default the study's primary coder.
    codes : list of str, optional
    n_splits : int, default 5
    case_column : str, optional
        Document column of the cases; default the study's case column.

    Returns
    -------
    DataFrame
        One row per split × masking: ``split`` ("held-out documents",
        "school transfer"), ``groups``, ``mask_names``, ``micro_kappa``,
        ``macro_kappa``, ``macro_f1``.

    Examples
    --------
    >>> import plcase
    >>> study = plcase.read_sample()
    >>> model = plcase.ModelTagger(study.codebook, threshold_cv=0, random_state=0)
    >>> effect = masking_effect(model, study, n_splits=2)
    >>> effect[["split", "mask_names"]].values.tolist()[:2]
    [['held-out documents', True], ['held-out documents', False]]
    """
    if "mask_names" not in tagger.get_params():
        raise PlcaseError(f"{type(tagger).__name__} has no mask_names parameter to switch")
    coder = coder or study.primary_coder
    case_column = case_column or study.case_column
    rows = []
    for split, groups in (("held-out documents", "doc_id"), ("school transfer", case_column)):
        for mask in (True, False):
            model = clone(tagger).set_params(mask_names=mask)
            scores = evaluate_tagger(model, study, groups=groups, coder=coder, codes=codes,
                                     n_splits=n_splits).set_index("code")
            rows.append({"split": split, "groups": groups, "mask_names": mask,
                         "micro_kappa": scores.loc["micro", "kappa"],
                         "macro_kappa": scores.loc["macro", "kappa"],
                         "macro_f1": scores.loc["macro", "f1"]})
    return pd.DataFrame(rows)
