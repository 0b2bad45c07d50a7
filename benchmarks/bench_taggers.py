"""Throughput of the two taggers on 100,000 synthetic passages.

Prints passages per second for RuleTagger.predict and ModelTagger.predict, and
the ratio of the rule tagger to a naive baseline measured in the same run: one
``re.search`` per keyword and phrase per passage (what a first script does).
The passages are drawn from a seeded vocabulary (codebook terms, their
inflections and filler words), not from the sample, so the corpus is large and
the same on every run.

Run: ``.venv/bin/python benchmarks/bench_taggers.py [n_passages]``
"""

from __future__ import annotations

import re
import sys
import time

import numpy as np

from plcase import config
from plcase.codebook import read_codebook
from plcase.taggers import ModelTagger, RuleTagger, stem, tokenize

FILLER = ("the a and we they kids teachers school year week really just like so then "
          "it was is were our their room time day lesson math reading class group "
          "not never because when after before every some more most very also").split()
INFLECT = ("", "s", "ing", "ed")


def synthetic_passages(codebook, n: int, seed: int) -> list[str]:
    """``n`` passages of 20-60 words: mostly filler, sometimes a (negated) codebook term."""
    rng = np.random.default_rng(seed)
    terms = [t for col in ("keywords", "phrases") for ts in codebook[col] for t in ts]
    lengths = rng.integers(20, 61, size=n)
    passages = []
    for length in lengths:
        words = list(rng.choice(FILLER, size=length))
        for _ in range(rng.integers(0, 4)):
            term = terms[rng.integers(len(terms))] + INFLECT[rng.integers(len(INFLECT))]
            words.insert(int(rng.integers(len(words))), term)
        text = " ".join(words)
        passages.append(text[0].upper() + text[1:] + ".")
    return passages


def naive_rules(codebook, codes):
    """One compiled pattern per term (stem prefix, words in order), searched one by one."""
    patterns = []
    for code, keywords, phrases in zip(codebook["code"], codebook["keywords"], codebook["phrases"]):
        if code not in codes:
            continue
        for term in list(keywords) + list(phrases):
            words = [re.escape(stem(t)) + r"\w*" for t in tokenize(term)]
            patterns.append((codes.index(code), re.compile(r"\b" + r"\W+".join(words), re.I)))

    def predict(texts):
        out = np.zeros((len(texts), len(codes)), dtype=np.int8)
        for row, text in enumerate(texts):
            for k, pattern in patterns:
                if not out[row, k] and pattern.search(text):
                    out[row, k] = 1
        return out
    return predict


def rate(fn, texts) -> float:
    start = time.perf_counter()
    fn(texts)
    return len(texts) / (time.perf_counter() - start)


def main(n: int = 100_000) -> None:
    codebook = read_codebook(config.SAMPLE_DIR / "codebook.yml")
    codes = codebook.loc[codebook["kind"] == "theme", "code"].tolist()
    texts = synthetic_passages(codebook, n, seed=config.RANDOM_STATE)
    print(f"corpus: {n:,} synthetic passages, {sum(map(len, texts)) / n:.0f} characters on average")

    rules = RuleTagger(codebook).fit()
    rules_rate = rate(rules.predict, texts)
    # The baseline is slow: time it on a slice of the same corpus.
    baseline = naive_rules(codebook, codes)
    slice_n = min(n, 10_000)
    naive_rate = rate(baseline, texts[:slice_n])
    print(f"RuleTagger.predict      {rules_rate:12,.0f} passages/s")
    print(f"naive re.search loop    {naive_rate:12,.0f} passages/s  (on {slice_n:,} passages)")
    print(f"rule tagger / naive     {rules_rate / naive_rate:12.1f}x")

    # Train the model on 2,000 passages labelled by the rules, then tag them all.
    labels = rules.predict(texts[:2000])
    model = ModelTagger(codebook, codes=codes, threshold_cv=0,
                        random_state=config.RANDOM_STATE).fit(texts[:2000], labels)
    model_rate = rate(model.predict, texts)
    print(f"ModelTagger.predict     {model_rate:12,.0f} passages/s")
    print(f"model tagger / naive    {model_rate / naive_rate:12.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
