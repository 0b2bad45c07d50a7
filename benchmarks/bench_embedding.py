"""Speed of the EmbeddingTagger on 2 CPU threads, with the TF-IDF model as the baseline.

Prints the encoder's passages per second (cold: no cache), and the time to tag
every passage of the sample study with a fitted embedding tagger (from the
cache, and cold), next to the ModelTagger's time for the same passages.

Run: ``.venv/bin/python benchmarks/bench_embedding.py [n_passages]``
"""

from __future__ import annotations

import sys
import tempfile
import time

import plcase
from plcase import config, embedding
from plcase.embedding import EmbeddingTagger, encode
from plcase.evaluate import training_set

sys.path.insert(0, str(config.PROJECT_ROOT / "benchmarks"))
from bench_taggers import synthetic_passages  # noqa: E402  (a sibling script, not a package)


def seconds(fn, *args, **kwargs) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def main(n: int = 1_000) -> None:
    study = plcase.read_sample()
    X, y, codes = training_set(study)
    texts = study.passages["text"].tolist()
    print(f"sample study: {len(texts):,} passages; model {embedding.DEFAULT_MODEL}, "
          f"{embedding._TORCH_THREADS} torch threads")
    load = seconds(encode, ["warm-up"], cache=False)
    print(f"model load              {load:10.1f} s (once per process)")

    corpus = synthetic_passages(study.codebook, n, seed=config.RANDOM_STATE)
    with tempfile.TemporaryDirectory() as cold:
        embedding._memory.clear()
        encode_s = seconds(encode, corpus, cache_dir=cold)
    print(f"encode, no cache        {n / encode_s:10,.0f} passages/s ({n:,} synthetic passages)")

    with tempfile.TemporaryDirectory() as cold:
        tagger = EmbeddingTagger(study.codebook, codes=codes, random_state=config.RANDOM_STATE)
        fit_s = seconds(tagger.fit, X, y)  # warms the in-process cache with X
        embedding._memory.clear()
        tagger.cache = True
        embedding_cold = seconds(lambda: encode(texts, cache_dir=cold)) + \
            seconds(tagger.predict, texts)
    warm = seconds(tagger.predict, texts)
    model = plcase.ModelTagger(study.codebook, codes=codes,
                               random_state=config.RANDOM_STATE)
    model_fit = seconds(model.fit, X, y)
    model_s = seconds(model.predict, texts)
    print(f"fit, embedding tagger   {fit_s:10.2f} s   tf-idf model {model_fit:8.2f} s")
    print(f"tag sample, cold        {embedding_cold:10.2f} s")
    print(f"tag sample, cached      {warm:10.2f} s")
    print(f"tag sample, tf-idf      {model_s:10.2f} s")
    print(f"embedding / tf-idf      {embedding_cold / model_s:10.1f}x cold, "
          f"{warm / model_s:.1f}x cached")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000)
