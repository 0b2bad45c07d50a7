"""Machine coders: a transparent keyword tagger and a model trained on human codes.

Both taggers are scikit-learn estimators with one signature, so they are
interchangeable everywhere (cross-validation, :func:`plcase.evaluate.to_codings`,
:func:`sklearn.base.clone`, pickling):

* ``X`` is a sequence of passage texts (str);
* ``y`` is an indicator matrix, one column per code in ``classes_`` order;
* ``fit(X, y)`` returns ``self``; ``predict(X)`` returns a 0/1 matrix aligned to
  ``classes_``; ``predict_proba(X)`` the probability of each code;
  ``explain(text)`` a tidy frame of the evidence behind a prediction.

:class:`RuleTagger` codes a passage from the codebook's ``keywords`` and
``phrases`` alone (after Snowball stemming, with a negation guard), so every tag
can be traced to the words that fired. :class:`ModelTagger` learns from a human
coder: TF-IDF of character and stemmed-word n-grams, the rule tagger's evidence
as extra features, the codebook's own definitions and examples as extra
training passages, one logistic regression per code with class weights for rare
codes, and per-code thresholds chosen on out-of-fold probabilities.
"""

from __future__ import annotations

import re
import warnings
from collections import defaultdict
from functools import lru_cache

import numpy as np
import pandas as pd
from nltk.stem.snowball import SnowballStemmer
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import (ENGLISH_STOP_WORDS, CountVectorizer, TfidfTransformer,
                                             TfidfVectorizer)
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import FeatureUnion
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from plcase import masking
from plcase.errors import PlcaseError
from plcase.progress import progress_bar
from plcase.schema import THEMES, require_columns

__all__ = ["RuleTagger", "ModelTagger", "tokenize", "stem"]

# Words, numbers and contractions ("isn't" stays one token so the negation guard
# sees it), or one clause-ending punctuation mark: negation never reaches across
# a comma, a full stop or a dash ("No, the kids pick their own station").
_TOKEN = re.compile(r"[a-z0-9]+(?:['\u2019][a-z]+)*|[.,;:!?()\u2013\u2014\"]")
_CLAUSE_BREAK = frozenset(".,;:!?()\u2013\u2014\"")
# Joins passages for one regex pass in RuleTagger._counts; a clause break there.
_SEPARATOR = "\x01"
_TOKEN_OR_SEPARATOR = re.compile(_TOKEN.pattern + "|" + _SEPARATOR)
_NEGATIONS = frozenset({
    "not", "no", "never", "nobody", "none", "nothing", "neither", "nor", "without",
    "hardly", "barely", "rarely", "seldom", "cannot", "lack", "lacks", "lacking",
})
_STEMMER = SnowballStemmer("english")

#: Passages featurised and scored at a time by :meth:`ModelTagger.predict_proba`
#: (bounds the memory of the sparse features; 20,000 passages ≈ 50 MiB).
PREDICT_BATCH_SIZE = 20_000


def _batches(n: int, size: int) -> list[tuple[int, int]]:
    return [(lo, min(lo + size, n)) for lo in range(0, n, size)]


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """Snowball (English) stem of a lower-case token, cached.

    Examples
    --------
    >>> [stem(w) for w in ("coaching", "coached", "coach")]
    ['coach', 'coach', 'coach']
    """
    return _STEMMER.stem(token)


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens of ``text`` (punctuation dropped).

    Examples
    --------
    >>> tokenize("Not really student-driven, isn't it?")
    ['not', 'really', 'student', 'driven', "isn't", 'it']
    """
    return [t for t in _TOKEN.findall(text.lower()) if t[0] not in _CLAUSE_BREAK]


def _index_of(vocabulary, token: str) -> int:
    """Position of ``token`` in a factorized vocabulary, or -1."""
    found = np.flatnonzero(np.asarray(vocabulary, dtype=object) == token)
    return int(found[0]) if len(found) else -1


def _is_negation(token: str) -> bool:
    return token in _NEGATIONS or token.endswith(("n't", "n\u2019t"))


def _term_stems(term: str) -> tuple[str, ...]:
    return tuple(stem(t) for t in tokenize(term))


def _as_terms(value) -> list[str]:
    """The list of terms in a codebook cell (a list, a string, or missing)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    return [str(v) for v in value if str(v).strip()]


def _default_codes(codebook: pd.DataFrame) -> list[str]:
    if "kind" in codebook.columns and (codebook["kind"] == "theme").any():
        return codebook.loc[codebook["kind"] == "theme", "code"].tolist()
    return codebook["code"].tolist()


def _check_texts(X, what: str = "X") -> list[str]:
    if isinstance(X, str):
        raise PlcaseError(f"{what} must be a sequence of passage texts, not one string; "
                          f"wrap it in a list: [{X[:30]!r}]")
    texts = list(X)
    if set(map(type, texts)) <= {str}:  # the common case, checked at C speed
        return texts
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str)]
    if bad:
        raise PlcaseError(f"{what} must hold passage texts (str); item {bad[0]} is "
                          f"{type(texts[bad[0]]).__name__}")
    return texts


def _check_indicator(y, n_rows: int, n_codes: int | None) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    if y.ndim != 2 or y.shape[0] != n_rows:
        raise PlcaseError(f"y must be an indicator matrix with one row per passage "
                          f"({n_rows}); it has shape {y.shape}")
    if n_codes is not None and y.shape[1] != n_codes:
        raise PlcaseError(f"y has {y.shape[1]} column(s) but the tagger codes "
                          f"{n_codes}; pass the matching codes")
    if not np.isin(y, (0, 1)).all():
        raise PlcaseError("y must hold only 0 and 1 (one column per code)")
    return y.astype(np.int8)


class RuleTagger(BaseEstimator):
    """Tag passages with codes from the codebook's keywords and phrases.

    A passage gets a code when at least ``min_hits`` of that code's keywords or
    phrases occur in it, outside a negation. Words are compared after Snowball
    stemming, so "coaching", "coached" and "coach" all match the keyword
    "coach"; a phrase matches its words in order ("student-driven" matches
    "student driven"). A term preceded within ``negation_window`` words of the
    same clause by a negation ("not", "never", "isn't", ...) is ignored.

    Parameters
    ----------
    codebook : DataFrame
        The codebook frame (``study.codebook``): columns ``code``, ``keywords``,
        ``phrases`` (lists of str), and optionally ``kind`` and ``parent``.
    codes : list of str, optional
        The codes to tag, in output order. Default: the codebook's themes.
    negation_window : int, default 3
        How many words before a term a negation may stand to cancel it; 0 turns
        the guard off.
    min_hits : int, default 1
        Non-negated hits a passage needs to receive a code.
    inherit_subcodes : bool, default True
        Count a sub-code's terms as evidence for its parent theme too (coders
        apply the theme whenever a sub-code applies).

    Attributes
    ----------
    classes_ : ndarray of str
        The codes, in the column order of :meth:`predict`.
    terms_ : DataFrame
        One row per (code, term): ``code, term, kind, stems`` — the compiled
        lexicon.

    Examples
    --------
    >>> codebook = pd.DataFrame({
    ...     "code": ["embedded_pd", "student_driven"], "kind": ["theme", "theme"],
    ...     "keywords": [["coach"], ["playlist"]],
    ...     "phrases": [["peer observation"], ["student driven"]]})
    >>> tagger = RuleTagger(codebook).fit()
    >>> tagger.predict(["Our coaches observe weekly.",
    ...                 "It is not really student-driven yet."]).tolist()
    [[1, 0], [0, 0]]
    >>> tagger.explain("Coaching and peer observations")[["code", "term", "matched"]]
              code              term            matched
    0  embedded_pd             coach           Coaching
    1  embedded_pd  peer observation  peer observations
    """

    #: The coder name :func:`plcase.evaluate.to_codings` gives this tagger's tags.
    coder_name = "auto:rules"

    def __init__(self, codebook=None, codes=None, negation_window=3, min_hits=1,
                 inherit_subcodes=True):
        self.codebook = codebook
        self.codes = codes
        self.negation_window = negation_window
        self.min_hits = min_hits
        self.inherit_subcodes = inherit_subcodes

    def fit(self, X=None, y=None):
        """Compile the codebook's terms; ``X`` and ``y`` are accepted and ignored
        (beyond checking that ``y`` has one column per code)."""
        if self.codebook is None:
            raise PlcaseError("RuleTagger needs a codebook: RuleTagger(study.codebook)")
        codebook = self.codebook
        require_columns(codebook, ["code", "keywords", "phrases"], "codebook")
        codes = list(self.codes) if self.codes is not None else _default_codes(codebook)
        unknown = sorted(set(codes) - set(codebook["code"]))
        if unknown:
            raise PlcaseError(f"code(s) {unknown} are not in the codebook")
        if X is not None and y is not None:
            _check_indicator(y, len(_check_texts(X)), len(codes))
        index = {code: i for i, code in enumerate(codes)}
        rows = []
        for rec in codebook.to_dict("records"):
            targets = [rec["code"]] if rec["code"] in index else []
            parent = rec.get("parent")
            if self.inherit_subcodes and isinstance(parent, str) and parent in index:
                targets.append(parent)
            for target in targets:
                for kind in ("keywords", "phrases"):
                    for term in _as_terms(rec.get(kind)):
                        stems = _term_stems(term)
                        if stems:
                            rows.append({"code": target, "term": term,
                                         "kind": "keyword" if len(stems) == 1 else "phrase",
                                         "stems": stems})
        terms = pd.DataFrame(rows, columns=["code", "term", "kind", "stems"])
        terms = terms.drop_duplicates(["code", "stems"]).reset_index(drop=True)
        # One dict lookup per token: single stems map to (code index, term);
        # phrases are keyed by their first stem and checked against what follows.
        words: dict[str, list[tuple[int, str]]] = defaultdict(list)
        phrases: dict[str, list[tuple[tuple[str, ...], int, str]]] = defaultdict(list)
        for code, term, stems in zip(terms["code"], terms["term"], terms["stems"]):
            if len(stems) == 1:
                words[stems[0]].append((index[code], term))
            else:
                phrases[stems[0]].append((stems, index[code], term))
        self.classes_ = np.array(codes, dtype=object)
        self.terms_ = terms
        self._words = dict(words)
        self._phrases = {k: sorted(v, key=lambda p: -len(p[0])) for k, v in phrases.items()}
        return self

    # -- matching ---------------------------------------------------------------------
    def _hits(self, tokens: list[str]):
        """Yield (code index, term, first token, last token, negated) for each hit."""
        words, phrases = self._words, self._phrases
        window = self.negation_window
        last_negation = -10**9  # token position of the latest negation in this clause
        for i, tok in enumerate(tokens):
            if tok in _CLAUSE_BREAK:
                last_negation = -10**9
                continue
            if _is_negation(tok):
                last_negation = i
                continue
            s = stem(tok)
            negated = 0 < i - last_negation <= window
            for code, term in words.get(s, ()):
                yield code, term, i, i, negated
            if s not in words and len(tok) > 3 and tok.endswith("s"):
                # Snowball keeps a plural whose stem lacks a vowel ("plcs"); try the singular.
                for code, term in words.get(stem(tok[:-1]), ()):
                    yield code, term, i, i, negated
            for stems, code, term in phrases.get(s, ()):
                n = len(stems)
                if i + n <= len(tokens) and all(stem(tokens[i + k]) == stems[k]
                                                for k in range(1, n)):
                    yield code, term, i, i + n - 1, negated

    def _counts(self, texts: list[str]) -> np.ndarray:
        """Non-negated hits per passage and code: :meth:`_hits` over all passages
        at once.

        Every text is tokenised once; each distinct token is looked up once
        (stem, negation, clause break, the codes whose keywords it is); the
        negation guard is one pass over the flat token array (the position of
        the latest negation, clause break or passage start before each
        token); only the few tokens that start a phrase are checked one by one.
        """
        counts = np.zeros((len(texts), len(self.classes_)), dtype=np.int32)
        if not texts:
            return counts
        # One regex pass over all passages joined by a separator token (a
        # clause break, so neither negations nor phrases reach across passages).
        joined = _SEPARATOR.join(texts)
        if joined.count(_SEPARATOR) != len(texts) - 1:
            joined = _SEPARATOR.join(t.replace(_SEPARATOR, " ") for t in texts)
        flat = _TOKEN_OR_SEPARATOR.findall(joined.lower())
        total = len(flat)
        ids, vocabulary = pd.factorize(np.array(flat, dtype=object))
        brk, neg, stems, word_hits, starts_phrase = self._lexicon(vocabulary)
        is_neg, is_brk = neg[ids], brk[ids]
        row = np.cumsum(ids == _index_of(vocabulary, _SEPARATOR))
        position = np.arange(total)
        last = np.maximum.accumulate(np.where(is_neg | is_brk, position, 0))
        distance = position - last
        negated = is_neg[last] & (distance > 0) & (distance <= self.negation_window)
        counted = ~(is_neg | is_brk | negated)
        keep = np.flatnonzero(counted)
        occurrences = sparse.csr_matrix((np.ones(len(keep), dtype=np.int32),
                                         (row[keep], ids[keep])),
                                        shape=(len(texts), len(vocabulary)))
        counts += (occurrences @ word_hits).toarray().astype(np.int32)
        self._count_phrases(counts, np.flatnonzero(counted & starts_phrase[ids]), ids, row,
                            stems)
        return counts

    def _count_phrases(self, counts, candidates, ids, row, stems) -> None:
        """Add the phrase hits starting at ``candidates`` (flat token positions)."""
        if not len(candidates):
            return
        stem_ids, stem_names = pd.factorize(stems)
        index = {name: k for k, name in enumerate(stem_names)}
        sid = stem_ids[ids]
        total = len(ids)
        first = sid[candidates]
        for start_stem, entries in self._phrases.items():
            at = candidates[first == index.get(start_stem, -1)]
            if not len(at):
                continue
            for phrase, code, _ in entries:
                ok = np.ones(len(at), dtype=bool)
                for k in range(1, len(phrase)):
                    nxt = np.minimum(at + k, total - 1)
                    ok &= (at + k < total) & (sid[nxt] == index.get(phrase[k], -1))
                np.add.at(counts, (row[at[ok]], code), 1)

    def _lexicon(self, vocabulary):
        """Per distinct token: clause break?, negation?, stem, keyword hits per
        code (a sparse token × code matrix), starts a phrase?"""
        words, phrases = self._words, self._phrases
        n = len(vocabulary)
        brk = np.zeros(n, dtype=bool)
        neg = np.zeros(n, dtype=bool)
        starts_phrase = np.zeros(n, dtype=bool)
        stems = np.empty(n, dtype=object)
        rows, cols = [], []
        for u, tok in enumerate(vocabulary):
            s = stems[u] = stem(tok)
            if tok in _CLAUSE_BREAK or tok == _SEPARATOR:
                brk[u] = True
                continue
            if _is_negation(tok):
                neg[u] = True
                continue
            hits = words.get(s, ())
            if s not in words and len(tok) > 3 and tok.endswith("s"):
                # Snowball keeps a plural whose stem lacks a vowel ("plcs"); try the singular.
                hits = words.get(stem(tok[:-1]), ())
            for code, _ in hits:
                rows.append(u)
                cols.append(code)
            starts_phrase[u] = s in phrases
        word_hits = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)),
                                      shape=(n, len(self.classes_)))
        return brk, neg, stems, word_hits, starts_phrase

    def decision_function(self, X) -> np.ndarray:
        """Number of non-negated hits of each code in each passage."""
        check_is_fitted(self)
        return self._counts(_check_texts(X)).astype(float)

    def predict(self, X) -> np.ndarray:
        """Indicator matrix (passages × ``classes_``) of the codes found."""
        check_is_fitted(self)
        return (self._counts(_check_texts(X)) >= self.min_hits).astype(np.int8)

    def predict_proba(self, X) -> np.ndarray:
        """A monotone confidence from the hit count: ``1 - 0.5 ** (hits / min_hits)``.

        One hit gives 0.5 (the decision threshold with ``min_hits=1``), two give
        0.75; it ranks passages, it is not a calibrated probability.
        """
        hits = self.decision_function(X)
        return 1.0 - 0.5 ** (hits / max(self.min_hits, 1))

    def tag_scores(self, X, *, progress=None) -> tuple[np.ndarray, np.ndarray]:
        """``(predict(X), predict_proba(X))`` from one count of the hits.

        Examples
        --------
        >>> codebook = pd.DataFrame({"code": ["embedded_pd"], "keywords": [["coach"]],
        ...                          "phrases": [[]]})
        >>> pred, score = RuleTagger(codebook).fit().tag_scores(["two coaches, one coach", "no"])
        >>> pred.tolist(), score.tolist()
        ([[1], [0]], [[0.75], [0.0]])
        """
        check_is_fitted(self)
        texts = _check_texts(X)
        counts = np.zeros((len(texts), len(self.classes_)), dtype=np.int32)
        for lo, hi in progress_bar(_batches(len(texts), PREDICT_BATCH_SIZE), len(texts),
                                   "rules", progress):
            counts[lo:hi] = self._counts(texts[lo:hi])
        pred = (counts >= self.min_hits).astype(np.int8)
        return pred, 1.0 - 0.5 ** (counts / max(self.min_hits, 1))

    def explain(self, text: str) -> pd.DataFrame:
        """Which terms fired for which code in ``text``, with character spans.

        Returns
        -------
        DataFrame
            One row per hit: ``code, term, kind, start, end, matched, negated``,
            where ``text[start:end] == matched``; negated hits are listed (with
            ``negated=True``) but do not count towards a code.
        """
        check_is_fitted(self)
        spans = [(m.start(), m.end()) for m in _TOKEN.finditer(text.lower())]
        tokens = [text[s:e].lower() for s, e in spans]
        rows = []
        for code, term, first, last, negated in self._hits(tokens):
            start, end = spans[first][0], spans[last][1]
            rows.append({"code": self.classes_[code], "term": term,
                         "kind": "keyword" if first == last else "phrase",
                         "start": start, "end": end, "matched": text[start:end],
                         "negated": negated})
        frame = pd.DataFrame(rows, columns=["code", "term", "kind", "start", "end",
                                            "matched", "negated"])
        return frame.astype({"start": "int64", "end": "int64", "negated": bool})


# -- features of the model tagger ---------------------------------------------------------
def content_words(text: str) -> str:
    """``text`` lower-cased, without punctuation and English stop words.

    The model's features come from this, so that what it learns is the
    subject matter rather than a speaker's "and", "she" or "during".

    Examples
    --------
    >>> content_words("She sits with me during my math block, and we talk.")
    'sits math block talk'
    """
    return " ".join(t for t in tokenize(text) if t not in ENGLISH_STOP_WORDS)


def stemmed_words(text: str) -> list[str]:
    """Stemmed content-word unigrams and bigrams (the word analyser of the model).

    Examples
    --------
    >>> stemmed_words("Teachers coaching the teachers")
    ['teacher', 'coach', 'teacher', 'teacher coach', 'coach teacher']
    """
    stems = [stem(t) for t in content_words(text).split()]
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:])]


def _plain_words(text: str) -> str:
    return " ".join(tokenize(text))


def _stemmed_all_words(text: str) -> list[str]:
    stems = [stem(t) for t in tokenize(text)]
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:])]


def _char_wb_grams(word: str, min_n: int, max_n: int) -> tuple[str, ...]:
    """scikit-learn's ``char_wb`` n-grams of one word, in the same order."""
    padded = f" {word} "
    grams = []
    for n in range(min_n, max_n + 1):
        offset = 0
        grams.append(padded[offset:offset + n])
        while offset + n < len(padded):
            offset += 1
            grams.append(padded[offset:offset + n])
        if offset == 0:  # the padded word is shorter than n
            break
    return tuple(grams)


class WordCharGrams:
    """The ``char_wb`` analyser of the model, with the n-grams of each word cached.

    ``char_wb`` n-grams never cross a word boundary, so a text's n-grams are
    the concatenation of its words' n-grams; a survey repeats the same few
    thousand words hundreds of thousands of times, and the cache turns
    scikit-learn's per-character Python loop into one dict lookup per word.
    Gives exactly the features of ``TfidfVectorizer(analyzer="char_wb",
    ngram_range=ngram_range, preprocessor=preprocessor)``.

    Examples
    --------
    >>> WordCharGrams((2, 3), _plain_words)("Go, go!")
    [' g', 'go', 'o ', ' go', 'go ', ' g', 'go', 'o ', ' go', 'go ']
    """

    #: Words kept in the cache at most (a few MiB; beyond it n-grams are computed).
    max_cached = 200_000

    def __init__(self, ngram_range=(2, 5), preprocessor=None):
        self.ngram_range = tuple(ngram_range)
        self.preprocessor = preprocessor
        self._cache: dict[str, tuple[str, ...]] = {}

    def __call__(self, text: str) -> list[str]:
        words = (self.preprocessor(text) if self.preprocessor is not None else text).split()
        cache, (min_n, max_n) = self._cache, self.ngram_range
        grams: list[str] = []
        for word in words:
            found = cache.get(word)
            if found is None:
                found = _char_wb_grams(word, min_n, max_n)
                if len(cache) < self.max_cached:
                    cache[word] = found
            grams.extend(found)
        return grams

    def __getstate__(self):  # the cache is rebuilt where the tagger is unpickled
        return {"ngram_range": self.ngram_range, "preprocessor": self.preprocessor}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._cache = {}

    def __repr__(self) -> str:
        name = getattr(self.preprocessor, "__name__", self.preprocessor)
        return f"WordCharGrams({self.ngram_range}, {name})"


class RuleEvidence(BaseEstimator, TransformerMixin):
    """Features from the rule tagger: ``log1p`` of each code's keyword hits.

    Lets the model weigh codebook evidence it has rarely seen in training text,
    which carries over to passages written in other words than the sample's.
    """

    def __init__(self, codebook=None, negation_window=3):
        self.codebook = codebook
        self.negation_window = negation_window

    def fit(self, X, y=None):
        codes = self.codebook["code"].tolist()
        self.rules_ = RuleTagger(self.codebook, codes=codes,
                                 negation_window=self.negation_window).fit()
        return self

    def transform(self, X):
        check_is_fitted(self)
        return sparse.csr_matrix(np.log1p(self.rules_.decision_function(X)))

    def get_feature_names_out(self, input_features=None):
        return np.array([f"rule:{c}" for c in self.rules_.classes_], dtype=object)


def _codebook_passages(codebook: pd.DataFrame, classes: list[str]):
    """Training passages written from the codebook: label, definition, include,
    example and the term lists of each code (and its sub-codes)."""
    index = {c: i for i, c in enumerate(classes)}
    texts, labels = [], []
    for rec in codebook.to_dict("records"):
        targets = [index[c] for c in (rec.get("code"), rec.get("parent"))
                   if isinstance(c, str) and c in index]
        if not targets:
            continue
        fields = [rec.get(f) for f in ("label", "definition", "include", "example")]
        fields += [" ".join(_as_terms(rec.get("keywords"))),
                   ", ".join(_as_terms(rec.get("phrases")))]
        for field in fields:
            if isinstance(field, str) and field.strip():
                row = np.zeros(len(classes), dtype=np.int8)
                row[targets] = 1
                texts.append(field)
                labels.append(row)
    if not texts:
        return [], np.zeros((0, len(classes)), dtype=np.int8)
    return texts, np.vstack(labels)


def _codebook_words(codebook) -> set[str]:
    """Every word of the codebook's text fields: words that carry meaning, never masked."""
    if codebook is None:
        return set()
    words = set()
    for rec in codebook.to_dict("records"):
        for field in ("code", "label", "definition", "include", "exclude", "example"):
            if isinstance(rec.get(field), str):
                words.update(re.findall(r"[A-Za-z]+", rec[field]))
        for field in ("keywords", "phrases"):
            for term in _as_terms(rec.get(field)):
                words.update(re.findall(r"[A-Za-z]+", term))
    return words


def _scores_at(y_true: np.ndarray, proba: np.ndarray, grid: np.ndarray, metric: str) -> np.ndarray:
    """Cohen's kappa or F1 of ``proba >= t`` against ``y_true`` for every ``t`` in ``grid``.

    The confusion counts of all thresholds at once, scored by the formulas of
    :func:`sklearn.metrics.cohen_kappa_score` and :func:`~sklearn.metrics.f1_score`
    (NaN where kappa is undefined, F1 0 where it is).
    """
    truth = np.asarray(y_true).astype(bool)
    predicted = np.asarray(proba)[None, :] >= grid[:, None]
    n = float(truth.size)
    tp = (predicted & truth).sum(axis=1).astype(float)
    fp = (predicted & ~truth).sum(axis=1).astype(float)
    fn = truth.sum() - tp
    if metric != "kappa":
        denominator = 2 * tp + fp + fn
        return np.divide(2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)
    pred1, true1 = tp + fp, float(truth.sum())
    expected = ((n - pred1) * true1 + pred1 * (n - true1)) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1 - (fp + fn) / expected


def _best_threshold(y_true: np.ndarray, proba: np.ndarray, metric: str) -> float:
    """The threshold on ``proba`` that maximises ``metric`` (the middle of the best
    plateau, so ties do not pull it to an edge)."""
    if y_true.min() == y_true.max():
        return 0.5
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    values = np.nan_to_num(_scores_at(y_true, proba, grid, metric), nan=-1.0)
    best = np.flatnonzero(values >= values.max() - 1e-9)
    return float(grid[best[len(best) // 2]])


class _FoldFeatures:
    """The TF-IDF blocks of a fitted :class:`FeatureUnion`, refitted on any subset of rows.

    Fitting a ``TfidfVectorizer`` on some passages keeps the n-grams that occur
    in at least ``min_df`` of them (in sorted order) and weighs them by their
    document frequency there; both follow from one count matrix of all
    passages over the full vocabulary.  :meth:`split` gives the same matrices
    as fitting the union on the training rows and transforming the test rows,
    without analysing a text twice.
    """

    def __init__(self, features: FeatureUnion, texts: list[str]):
        self.blocks = []
        for _, vectorizer in features.transformer_list:
            counter = CountVectorizer(analyzer=vectorizer.build_analyzer(),
                                      vocabulary=vectorizer.vocabulary_, dtype=vectorizer.dtype)
            self.blocks.append((vectorizer, counter.transform(texts).tocsr()))

    def split(self, train: np.ndarray, test: np.ndarray):
        train_parts, test_parts = [], []
        for vectorizer, counts in self.blocks:
            fitted = counts[train]
            df = np.bincount(fitted.indices, minlength=fitted.shape[1])
            min_df = vectorizer.min_df
            least = min_df if isinstance(min_df, (int, np.integer)) else min_df * fitted.shape[0]
            keep = np.flatnonzero((df >= least) & (df > 0))
            weighting = TfidfTransformer(norm=vectorizer.norm, use_idf=vectorizer.use_idf,
                                         smooth_idf=vectorizer.smooth_idf,
                                         sublinear_tf=vectorizer.sublinear_tf)
            train_parts.append(weighting.fit_transform(fitted[:, keep]))
            test_parts.append(weighting.transform(counts[test][:, keep]))
        return sparse.hstack(train_parts).tocsr(), sparse.hstack(test_parts).tocsr()


#: Coordinate-descent passes of the dual solver before the primal one takes over.
DUAL_MAX_ITER = 100


def _fit_logistic(matrix, y, weights, C, seed) -> LogisticRegression:
    """One code's class-weighted L2 logistic regression, fitted fast.

    liblinear solves the same problem (the same objective, intercept
    included) in its primal form by a trust-region Newton method or in its
    dual form by coordinate descent. With far more features than passages
    (character n-grams) the dual form is usually many times faster; where it
    has not converged within ``DUAL_MAX_ITER`` passes the primal form is used,
    so every model is the converged optimum (to liblinear's tolerance).
    """
    dual = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", dual=True,
                              random_state=seed, max_iter=DUAL_MAX_ITER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dual.fit(matrix, y, sample_weight=weights)
    if int(np.max(dual.n_iter_)) < DUAL_MAX_ITER:
        return dual
    primal = LogisticRegression(C=C, class_weight="balanced", solver="liblinear",
                                random_state=seed, max_iter=1000)
    return primal.fit(matrix, y, sample_weight=weights)


class ModelTagger(BaseEstimator):
    """A multi-label model of a human coder: TF-IDF n-grams + logistic regression.

    Features are character n-grams within words (``char_wb``: they carry over
    to inflections and compounds the training text never used) and stemmed word
    unigrams and bigrams, both TF-IDF with sublinear term frequency. With a
    codebook, the label, definition, include, example and terms of each code
    (and of its sub-codes) are added as extra training passages (weighted by
    ``codebook_weight``), which teaches the model the researcher's own words
    for each code; optionally (``rule_weight > 0``) the rule tagger's hit
    counts are added as features. One class-weighted logistic regression per
    code (rare codes are not drowned out); each code's decision threshold
    maximises ``threshold_metric`` on out-of-fold probabilities of
    ``threshold_cv`` contiguous folds (passages come in document order, so
    contiguous folds mostly keep a document's passages together and the
    thresholds are not tuned on near-duplicates of the training text).

    The defaults were chosen by grouped cross-validation on the sample study
    and checked on hand-written passages in fresh wording: rule features cost
    kappa there (the keyword lists are noisy evidence), codebook passages
    helped on both.

    Parameters
    ----------
    codebook : DataFrame, optional
        The study's codebook; enables codebook passages and rule features.
    codes : list of str, optional
        Names of the columns of ``y``. Default: ``y.columns`` when ``y`` is a
        DataFrame, else the four themes.
    C : float, default 20.0
        Inverse regularisation strength of the logistic regressions.
    char_ngrams : tuple of int, default (2, 5)
        Range of character n-gram lengths.
    min_df : int, default 1
        Minimum number of passages a feature must occur in.
    rule_weight : float, default 0.0
        Weight of the rule-evidence block (``log1p`` of each code's keyword
        hits) relative to the TF-IDF blocks; 0 leaves it out.
    codebook_weight : float, default 1.0
        Sample weight of each codebook passage (0 turns them off).
    threshold_cv : int, default 5
        Folds of the internal cross-validation that sets the thresholds
        (0 or 1: every threshold is 0.5).
    threshold_metric : {"kappa", "f1"}, default "kappa"
    drop_stop_words : bool, default False
        Build the features from content words only (English stop words
        removed). Off by default: pronouns ("we", "they") carry signal here.
    threshold_shuffle : bool, default False
        Shuffle passages before the threshold folds instead of keeping
        contiguous runs.
    random_state : int, RandomState or None, default None
        Seed of the internal folds and the solver.
    mask_names : bool, default True
        Replace people's names with one neutral word before features are
        built (:func:`plcase.masking.mask_names`), so the model learns what
        is said, not who says it.  The names are ``names`` plus those found
        in the training passages (:func:`plcase.masking.names_in_texts`:
        surnames after titles, words beside known names, and title-case words
        never written in lower case, except calendar and codebook words).
    names : list of str, optional
        Names to mask besides those found; pass
        ``plcase.masking.study_names(study)`` (participants, interviewers,
        speaker labels).

    Attributes
    ----------
    classes_ : ndarray of str
    names_ : list of str
        The names masked (empty when ``mask_names`` is False).
    thresholds_ : ndarray of float
        Decision threshold per code.
    features_ : FeatureUnion
        The fitted feature extractor.
    estimators_ : list of LogisticRegression or None
        One model per code (None where the training data had a single label).

    Examples
    --------
    >>> X = ["our coach models a lesson", "coaching cycle with the team",
    ...      "kids pick a playlist", "students choose their station"] * 3
    >>> y = [[1, 0], [1, 0], [0, 1], [0, 1]] * 3
    >>> model = ModelTagger(codes=["embedded_pd", "student_driven"], threshold_cv=0,
    ...                     random_state=0).fit(X, y)
    >>> model.predict(["the coach visited", "they pick stations"]).tolist()
    [[1, 0], [0, 1]]
    """

    coder_name = "auto:model"

    def __init__(self, codebook=None, codes=None, C=20.0, char_ngrams=(2, 5), min_df=1,
                 rule_weight=0.0, codebook_weight=1.0, threshold_cv=5,
                 threshold_metric="kappa", drop_stop_words=False, threshold_shuffle=False,
                 random_state=None, mask_names=True, names=None):
        self.codebook = codebook
        self.codes = codes
        self.C = C
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.rule_weight = rule_weight
        self.codebook_weight = codebook_weight
        self.threshold_cv = threshold_cv
        self.threshold_metric = threshold_metric
        self.drop_stop_words = drop_stop_words
        self.threshold_shuffle = threshold_shuffle
        self.random_state = random_state
        self.mask_names = mask_names
        self.names = names

    def _masked(self, texts: list[str]) -> list[str]:
        """The texts with the learned names masked (a step before the features)."""
        return masking.mask_names(texts, self.names_) if self.names_ else texts

    def _classes(self, y) -> list[str]:
        if self.codes is not None:
            return list(self.codes)
        if isinstance(y, pd.DataFrame):
            return [str(c) for c in y.columns]
        if self.codebook is not None:
            return _default_codes(self.codebook)
        return list(THEMES)

    def _features(self) -> FeatureUnion:
        blocks = [
            ("char", TfidfVectorizer(analyzer=WordCharGrams(
                                         tuple(self.char_ngrams),
                                         content_words if self.drop_stop_words else _plain_words),
                                     min_df=self.min_df, sublinear_tf=True)),
            ("word", TfidfVectorizer(analyzer=stemmed_words if self.drop_stop_words
                                     else _stemmed_all_words, min_df=self.min_df,
                                     sublinear_tf=True)),
        ]
        if self.codebook is not None and self.rule_weight > 0:
            blocks.append(("rule", RuleEvidence(self.codebook)))
        weights = {"rule": float(self.rule_weight)} if len(blocks) == 3 else None
        return FeatureUnion(blocks, transformer_weights=weights)

    def _fit_models(self, texts, y, weights, seed):
        features = self._features()
        return features, self._fit_classifiers(features.fit_transform(texts), y, weights, seed)

    def _fit_classifiers(self, matrix, y, weights, seed) -> list:
        # One after the other: liblinear draws from C's global rand(), so models fitted in
        # parallel threads would not be reproducible.
        return [None if y[:, k].min() == y[:, k].max()
                else _fit_logistic(matrix, y[:, k], weights, self.C, seed)
                for k in range(y.shape[1])]

    @staticmethod
    def _proba(features, models, y_constant, texts, progress=False) -> np.ndarray:
        # Featurise and score PREDICT_BATCH_SIZE passages at a time: the sparse
        # feature matrix of a whole district survey (tens of millions of
        # non-zeros, copied again by the feature union) never exists at once.
        out = np.empty((len(texts), len(models)))
        for lo, hi in progress_bar(_batches(len(texts), PREDICT_BATCH_SIZE), len(texts),
                                   "model", progress):
            matrix = features.transform(texts[lo:hi])
            for k, model in enumerate(models):
                out[lo:hi, k] = (y_constant[k] if model is None
                                 else model.predict_proba(matrix)[:, 1])
        return out

    def fit(self, X, y):
        """Learn from passages ``X`` and the human codes ``y`` (indicator matrix)."""
        texts = _check_texts(X)
        self.names_ = []
        if self.mask_names:
            self.names_ = masking.names_in_texts(texts, known=self.names or (),
                                                 exclude=_codebook_words(self.codebook))
            texts = self._masked(texts)
        classes = self._classes(y)
        y = _check_indicator(y, len(texts), len(classes))
        if self.threshold_metric not in ("kappa", "f1"):
            raise PlcaseError(f"threshold_metric must be 'kappa' or 'f1', "
                              f"not {self.threshold_metric!r}")
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        extra_texts, extra_y = ([], np.zeros((0, len(classes)), dtype=np.int8))
        if self.codebook is not None and self.codebook_weight > 0:
            extra_texts, extra_y = _codebook_passages(self.codebook, classes)
        extra_w = np.full(len(extra_texts), float(self.codebook_weight))

        def fit_on(idx):
            t = [texts[i] for i in idx] + extra_texts
            yy = np.vstack([y[idx], extra_y])
            w = np.concatenate([np.ones(len(idx)), extra_w])
            return self._fit_models(t, yy, w, seed)

        all_rows = np.arange(len(texts))
        features, models = fit_on(all_rows)
        constant = y[0] if len(y) else np.zeros(len(classes))
        thresholds = np.full(len(classes), 0.5)
        if self.threshold_cv and self.threshold_cv > 1 and len(texts) >= 2 * self.threshold_cv:
            oof = np.empty((len(texts), len(classes)))
            folds = KFold(self.threshold_cv, shuffle=self.threshold_shuffle,
                          random_state=seed if self.threshold_shuffle else None)
            # The folds' features come from one count of every n-gram in every passage
            # (what refitting the vectorizers on each fold would count again).
            counts = _FoldFeatures(features, texts + extra_texts) if self.rule_weight <= 0 else None
            extra_rows = len(texts) + np.arange(len(extra_texts))
            for train, test in folds.split(all_rows):
                if counts is None:
                    f_feat, f_models = fit_on(train)
                    oof[test] = self._proba(f_feat, f_models, constant, [texts[i] for i in test])
                    continue
                train_matrix, test_matrix = counts.split(np.concatenate([train, extra_rows]), test)
                f_models = self._fit_classifiers(
                    train_matrix, np.vstack([y[train], extra_y]),
                    np.concatenate([np.ones(len(train)), extra_w]), seed)
                for k, model in enumerate(f_models):
                    oof[test, k] = (constant[k] if model is None
                                    else model.predict_proba(test_matrix)[:, 1])
            thresholds = np.array([_best_threshold(y[:, k], oof[:, k], self.threshold_metric)
                                   for k in range(len(classes))])
        self.classes_ = np.array(classes, dtype=object)
        self.features_ = features
        self.estimators_ = models
        self.thresholds_ = thresholds
        self._constant = constant
        return self

    def predict_proba(self, X, *, progress=None) -> np.ndarray:
        """Probability of each code (passages × ``classes_``)."""
        check_is_fitted(self)
        return self._proba(self.features_, self.estimators_, self._constant,
                           self._masked(_check_texts(X)), progress)

    def predict(self, X) -> np.ndarray:
        """Indicator matrix: probability at or above each code's threshold."""
        return (self.predict_proba(X) >= self.thresholds_).astype(np.int8)

    def tag_scores(self, X, *, progress=None) -> tuple[np.ndarray, np.ndarray]:
        """``(predict(X), predict_proba(X))`` from one pass of the model."""
        proba = self.predict_proba(X, progress=progress)
        return (proba >= self.thresholds_).astype(np.int8), proba

    def explain(self, text: str, n_terms: int = 5) -> pd.DataFrame:
        """The words that pushed each code's score up in ``text``.

        A linear model's score is a sum of feature value × weight. Word n-gram
        and rule features are reported as they are; each character n-gram's
        contribution is shared among the words it occurs in, so the result
        reads as words.

        Returns
        -------
        DataFrame
            ``code, term, contribution``: the ``n_terms`` largest positive
            contributions per code, largest first.
        """
        check_is_fitted(self)
        text = self._masked([text])[0]
        row = self.features_.transform([text]).tocsr()
        names = self.features_.get_feature_names_out()
        char_analyzer = self.features_.transformer_list[0][1].build_analyzer()
        words = list(dict.fromkeys(content_words(text).split()))
        # Where each feature of the text occurs, by word: character n-grams and
        # stems may each sit in several words, and share their contribution.
        grams_of = {w: set(char_analyzer(w)) for w in words}
        owners: dict[str, list[str]] = defaultdict(list)
        for w in words:
            owners[stem(w)].append(w)
            for g in grams_of[w]:
                owners["\0" + g].append(w)
        rows = []
        for k, model in enumerate(self.estimators_):
            if model is None:
                continue
            contrib = row.multiply(model.coef_[0]).tocsr()
            by_term: dict[str, float] = defaultdict(float)
            for j, value in zip(contrib.indices, contrib.data):
                block, feature = names[j].split("__", 1)
                if block == "rule":
                    by_term[feature] += value
                    continue
                parts = feature.split(" ") if block == "word" else ["\0" + feature]
                for part in parts:
                    holders = owners.get(part, ())
                    for w in holders:
                        by_term[w] += value / len(parts) / len(holders)
            top = sorted(((v, t) for t, v in by_term.items() if v > 0), reverse=True)[:n_terms]
            rows += [{"code": self.classes_[k], "term": t, "contribution": float(v)}
                     for v, t in top]
        return pd.DataFrame(rows, columns=["code", "term", "contribution"])
