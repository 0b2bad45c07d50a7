"""Speed and memory of the document (cluster) bootstrap, against the point estimate.

The workload of issue 13: 147,000 units × 2 coders × 4 codes in 147 documents,
a 1,000-replicate 95 % interval. The bootstrap sums each document's
sufficient statistics once and draws replicate counts of documents, so it
should cost little more than the point estimate. Goal: under 5 s and 1 GiB.

Run: ``python benchmarks/agreement_bootstrap.py``
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pandas as pd

from plcase.agreement import agreement

N_DOCS, UNITS_PER_DOC, CODERS, N_CODES = 147, 1000, ("a", "b"), 4


def reliability_data(seed: int = 0) -> pd.DataFrame:
    """A units frame with correlated coders: b copies a's code 90 % of the time."""
    rng = np.random.default_rng(seed)
    n_units = N_DOCS * UNITS_PER_DOC
    first = (rng.random((n_units, N_CODES)) < 0.15).astype(float)
    flip = rng.random((n_units, N_CODES)) < 0.1
    second = np.where(flip, 1 - first, first)
    values = np.stack([first, second], axis=1)                    # units × coders × codes
    per_unit = len(CODERS) * N_CODES
    return pd.DataFrame({
        "unit": "passage",
        "doc_id": np.repeat([f"D{i:03d}" for i in range(N_DOCS)], UNITS_PER_DOC * per_unit),
        "unit_id": np.repeat(np.arange(n_units), per_unit),
        "coder": np.tile(np.repeat(np.array(CODERS, dtype=object), N_CODES), n_units),
        "code": np.tile(np.array([f"code_{k}" for k in range(N_CODES)], dtype=object),
                        n_units * len(CODERS)),
        "value": values.reshape(-1),
        "weight": 1,
    })


def measure(call):
    tracemalloc.start()
    start = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, seconds, peak


def main() -> None:
    frame = reliability_data()
    _, point, point_peak = measure(lambda: agreement(frame))
    booted, boot, boot_peak = measure(lambda: agreement(frame, ci=0.95, n_boot=1000))
    _, units_boot, units_peak = measure(lambda: agreement(frame, ci=0.95, n_boot=1000,
                                                          cluster=None))
    print(f"workload: {N_DOCS * UNITS_PER_DOC:,} units x {len(CODERS)} coders x {N_CODES} codes "
          f"in {N_DOCS} documents ({len(frame):,} rows), 7 coefficients")
    print(f"point estimate (baseline):            {point:6.2f} s, peak {point_peak / 2**20:6.0f} MiB")
    print(f"document bootstrap, 1000 replicates:  {boot:6.2f} s, peak {boot_peak / 2**20:6.0f} MiB"
          f"  ({boot / point:.1f}x the point estimate; goal < 5 s, < 1024 MiB)")
    print(f"unit bootstrap, 1000 replicates:      {units_boot:6.2f} s, peak "
          f"{units_peak / 2**20:6.0f} MiB  ({units_boot / point:.1f}x)")
    overall = booted[(booted["code"] == "(overall)") & (booted["coefficient"] == "cohen_kappa")]
    print(overall[["value", "ci_low", "ci_high", "resampled", "n_boot_valid"]].to_string(index=False))


if __name__ == "__main__":
    main()
