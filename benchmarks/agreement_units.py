"""Throughput of character-unit reliability data and agreement, against a naive baseline.

The workload of the issue: 20 documents × 8000 characters × 3 coders × 9 codes.
plcase builds run-length character units (one row per run that no coding
boundary splits); the baseline builds one row per character in a Python loop.

Run: ``python benchmarks/agreement_units.py``
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from plcase.agreement import agreement, units
from plcase.study import Study

N_DOCS, N_CHARS, CODERS, N_CODES, CODINGS_PER_CODER = 20, 8000, ("a", "b", "auto:rules"), 9, 30


def synthetic_study(seed: int = 0) -> Study:
    rng = np.random.default_rng(seed)
    codes = [f"code_{i}" for i in range(N_CODES)]
    docs = [f"D{i:02d}" for i in range(N_DOCS)]
    texts = {d: "".join(rng.choice(list("abcde .,"), N_CHARS)) for d in docs}
    passages = [dict(passage_id=f"{d}:{k:03d}", doc_id=d, start=k * 200, end=k * 200 + 190)
                for d in docs for k in range(N_CHARS // 200)]
    codings = []
    for d in docs:
        for coder in CODERS:
            for _ in range(CODINGS_PER_CODER):
                start = int(rng.integers(0, N_CHARS - 500))
                codings.append(dict(doc_id=d, start=start, end=start + int(rng.integers(20, 500)),
                                    code=str(rng.choice(codes)), coder=coder))
    return Study(documents=pd.DataFrame({"doc_id": docs}), passages=pd.DataFrame(passages),
                 codings=pd.DataFrame(codings), codebook=pd.DataFrame({"code": codes}),
                 texts=texts)


def naive_character_units(study: Study) -> pd.DataFrame:
    """One row per character × coder × code, filled one character at a time."""
    rows = []
    for doc, text in study.texts.items():
        doc_codings = study.codings[study.codings["doc_id"] == doc]
        spans = {(c, k): list(zip(g["start"], g["end"]))
                 for (c, k), g in doc_codings.groupby(["coder", "code"])}
        coded = set(doc_codings["coder"])
        for i in range(len(text)):
            for coder in study.coders:
                for code in study.codes:
                    if coder not in coded:
                        value = np.nan
                    else:
                        value = float(any(s <= i < e for s, e in spans.get((coder, code), [])))
                    rows.append((doc, i, coder, code, value))
    return pd.DataFrame(rows, columns=["doc_id", "unit_id", "coder", "code", "value"])


def main() -> None:
    study = synthetic_study()
    start = time.perf_counter()
    frame = units(study, unit="character")
    built = time.perf_counter() - start
    start = time.perf_counter()
    agreement(frame, pairs=True)
    measured = time.perf_counter() - start
    start = time.perf_counter()
    agreement(frame, pairs=[("a", "b")], ci=0.95, n_boot=1000)
    booted = time.perf_counter() - start
    characters = N_DOCS * N_CHARS

    # The baseline on a fifth of the documents, scaled up (it is slow).
    small = study.subset(study.documents["doc_id"][: N_DOCS // 5])
    start = time.perf_counter()
    naive_character_units(small)
    naive = (time.perf_counter() - start) * 5

    print(f"workload: {N_DOCS} documents x {N_CHARS} characters x {len(CODERS)} coders "
          f"x {N_CODES} codes ({characters:,} characters)")
    print(f"plcase units(unit='character'): {built:.3f} s, {len(frame):,} run rows, "
          f"{characters / built:,.0f} characters/s")
    print(f"plcase agreement, all 3 pairs, 7 coefficients: {measured:.3f} s")
    print(f"plcase agreement, one pair, 1000 bootstrap replicates: {booted:.3f} s")
    print(f"naive per-character loop (estimated from 1/5 of the documents): {naive:.1f} s")
    print(f"speed-up of units() over the naive loop: {naive / built:,.0f}x")


if __name__ == "__main__":
    main()
